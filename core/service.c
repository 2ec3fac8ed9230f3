// SPDX-License-Identifier: GPL-2.0-or-later
/* core/service.c: what a node runs besides exec (profile start, cmd/entrypoint): decided, started, stopped. */
#include "service.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>

#include "../topologies/routing.h"
#include "../util/util.h"
#include "node.h"
#include "profile.h"
#include "rundir.h"

/* ---- deciding ---- */

static void warn(struct nslab_services *s, char *msg)
{
	for (size_t i = 0; i < s->nwarnings; i++)
		if (strcmp(s->warnings[i], msg) == 0) {
			free(msg);
			return;
		}
	*VEC_PUSH(s->warnings, s->nwarnings) = msg;
}

static void add(struct nslab_services *s, size_t node, const char *what, char *shell, const char *shown)
{
	struct nslab_service *sv = VEC_PUSH(s->v, s->n);
	sv->node = node;
	sv->what = xstrdup(what);
	sv->shell = shell;
	sv->shown = xstrdup(shown);
}

/* The node's own command, as docker joins them; NULL when it has neither. */
static char *own_command(const struct nslab_node *n)
{
	if (n->entrypoint && n->cmd)
		return xasprintf("%s %s", n->entrypoint, n->cmd);
	if (n->entrypoint || n->cmd)
		return xstrdup(n->entrypoint ? n->entrypoint : n->cmd);
	return NULL;
}

static int need_missing(const struct nslab_node *n, const struct nslab_profile *pr, const struct nslab_profile_need *nd,
			struct nslab_err *err)
{
	if (!nd->package)
		return nslab_err_set(err, ENOENT,
				     "node %s: image %s (profile %s) needs %s, which Debian does not package: nslab "
				     "cannot start it",
				     n->name, n->image, pr->name, nd->program);
	return nslab_err_set(err, ENOENT,
			     "node %s: image %s (profile %s) needs %s: install the Debian package %s (apt-get install %s)",
			     n->name, n->image, pr->name, nd->program, nd->package, nd->package);
}

/* ---- kind frr and kind bird: the host's daemons with the node's own configuration ---- */

struct kind_daemon {
	enum nslab_kind kind;
	const char *what;
	struct nslab_profile_need needs[3];
	char *(*shell)(const struct nslab_node *n);
};

/* The host file bound at node path dst (a bind of the file itself, or of its folder), or NULL. */
static char *bound_file(const struct nslab_node *n, const char *dst)
{
	for (size_t i = n->nbinds; i-- > 0;) { /* the last bind of a path is the one seen */
		const struct nslab_bind *b = &n->binds[i];
		size_t len = strlen(b->dst);
		if (!strcmp(b->dst, dst))
			return xstrdup(b->src);
		if (!strncmp(dst, b->dst, len) && dst[len] == '/')
			return xasprintf("%s%s", b->src, dst + len);
	}
	return NULL;
}

/* `printf '%s' TEXT >PATH` as shell, TEXT quoted. */
static char *write_cmd(const char *text, const char *path)
{
	_cleanup_free_ char *q = nslab_shell_quote(text);
	return xasprintf("printf '%%s' %s >%s\n", q, path);
}

/*
 * FRR as its Debian package starts it (frrinit.sh: watchfrr and the enabled daemons, then vtysh -b
 * loads frr.conf), in the node's own /etc/frr: frr.conf is the node's startup-config (else a
 * frr.conf bound by the file, else a bare one), daemons enables what that configuration uses
 * (unless the file binds its own daemons). The configuration is checked first (vtysh -C), so that
 * a typo fails the deploy naming the line rather than leaving a router half configured.
 */
static char *frr_shell(const struct nslab_node *n)
{
	_cleanup_free_ char *conf_src = bound_file(n, "/etc/frr/frr.conf");
	_cleanup_free_ char *daemons_src = bound_file(n, "/etc/frr/daemons");
	_cleanup_free_ char *conf = NULL, *daemons = NULL, *wconf = NULL, *wdaemons = NULL, *wvtysh = NULL;

	if (n->startup_config)
		conf = xstrdup(n->startup_config);
	else if (!conf_src || nslab_read_file(conf_src, &conf, NULL) < 0)
		conf = xasprintf("frr defaults traditional\nhostname %s\n!\n", n->name);
	if (n->startup_config || !conf_src)
		wconf = write_cmd(conf, "/etc/frr/frr.conf");
	if (!daemons_src) {
		daemons = nslab_frr_daemons_file(conf);
		wdaemons = write_cmd(daemons, "/etc/frr/daemons");
	}
	wvtysh = write_cmd("service integrated-vtysh-config\n", "/etc/frr/vtysh.conf");
	return xasprintf("set -e\numask 027\nmkdir -p /etc/frr\n%s%s%s"
			 "chown frr:frr /etc/frr /etc/frr/frr.conf /etc/frr/daemons /etc/frr/vtysh.conf 2>/dev/null || :\n"
			 "if ! out=$(vtysh -C -f /etc/frr/frr.conf 2>&1); then echo \"frr.conf: $out\"; exit 1; fi\n"
			 "/usr/lib/frr/frrinit.sh start\n",
			 wconf ? wconf : "", wdaemons ? wdaemons : "", wvtysh);
}

/*
 * bird: the node's startup-config as /etc/bird/bird.conf, else a bird.conf the file binds
 * (/etc/bird.conf as the images have it, or /etc/bird/bird.conf), else one that only learns the
 * node's interfaces. Parsed first (bird -p), then bird daemonizes; birdc talks to /run/bird.
 */
static char *bird_shell(const struct nslab_node *n)
{
	static const char bare[] = "# written by nslab: kind bird without startup-config\n"
				   "protocol device {}\nprotocol direct { ipv4; ipv6; }\n";
	_cleanup_free_ char *bound = bound_file(n, "/etc/bird.conf"), *wconf = NULL;
	const char *path = "/etc/bird/bird.conf";

	if (n->startup_config)
		wconf = write_cmd(n->startup_config, path);
	else if (bound)
		path = "/etc/bird.conf";
	else if (!(bound = bound_file(n, path)))
		wconf = write_cmd(bare, path);
	return xasprintf("set -e\nmkdir -p /etc/bird /run/bird\n%s"
			 "if ! out=$(bird -p -c %s 2>&1); then echo \"bird.conf: $out\"; exit 1; fi\n"
			 "bird -c %s\n",
			 wconf ? wconf : "", path, path);
}

static const struct kind_daemon kind_daemons[] = {
	{ NSLAB_KIND_FRR,
	  "frr",
	  { { "/usr/lib/frr/frrinit.sh", "frr" }, { "/usr/lib/frr/watchfrr", "frr" }, { "/usr/bin/vtysh", "frr" } },
	  frr_shell },
	{ NSLAB_KIND_BIRD, "bird", { { "/usr/sbin/bird", "bird2" }, { "/usr/sbin/birdc", "bird2" } }, bird_shell },
};

/* A kind frr or bird node's daemon, added to s; 1 when the node's kind has one, 0 if not, or -errno. */
static int kind_daemon_add(const struct nslab_topo *t, size_t i, struct nslab_services *s, struct nslab_err *err)
{
	const struct nslab_node *n = &t->nodes[i];

	for (size_t k = 0; k < ARRAY_SIZE(kind_daemons); k++) {
		const struct kind_daemon *kd = &kind_daemons[k];
		if (kd->kind != n->kind)
			continue;
		for (size_t j = 0; j < ARRAY_SIZE(kd->needs) && kd->needs[j].program; j++)
			if (!nslab_program_exists(kd->needs[j].program))
				return nslab_err_set(err, ENOENT,
						     "node %s: kind %s needs %s: install the Debian package %s (apt-get "
						     "install %s)",
						     n->name, kd->what, kd->needs[j].program, kd->needs[j].package,
						     kd->needs[j].package);
		_cleanup_free_ char *shown = n->startup_config_from
						     ? xasprintf("%s with %s", kd->what, n->startup_config_from)
						     : xasprintf("%s%s", kd->what, n->startup_config ? " with its startup-config" : "");
		add(s, i, kd->what, kd->shell(n), shown);
		return 1;
	}
	return 0;
}

int nslab_services_prepare(const struct nslab_topo *t, struct nslab_services *s, struct nslab_err *err)
{
	struct nslab_profiles prof;
	int r;

	memset(s, 0, sizeof(*s));
	r = nslab_profiles_load(&prof, err);
	if (r < 0)
		return r;
	for (size_t i = 0; r == 0 && i < t->nnodes; i++) {
		const struct nslab_node *n = &t->nodes[i];
		_cleanup_free_ char *own = n->kind == NSLAB_KIND_BRIDGE ? NULL : own_command(n);
		const struct nslab_profile *pr;

		if (n->kind == NSLAB_KIND_BRIDGE)
			continue; /* a bridge is not a container: containerlab starts nothing there either */
		r = kind_daemon_add(t, i, s, err);
		if (r < 0)
			break;
		if (r > 0) {
			/* the kind's daemon replaces the image's profile; the node's own cmd runs too */
			r = 0;
			if (!own)
				continue;
		}
		if (own) {
			_cleanup_free_ char *prog = nslab_cmd_program(own);
			if (prog && nslab_program_exists(prog))
				/* the container's main process: in the background, its output dropped */
				add(s, i, "cmd", xasprintf("%s </dev/null >/dev/null 2>&1 &", own), own);
			else
				warn(s, xasprintf("node %s: %s \"%s\" is not run: %s is not on this host", n->name,
						  n->entrypoint ? "entrypoint" : "cmd", own, prog ? prog : "(empty)"));
			continue;
		}
		if (!n->image)
			continue;
		pr = nslab_profile_find(&prof, n->image);
		if (!pr) {
			warn(s, xasprintf("image %s: no profile says what to start for it, so nodes with it run only "
					  "their exec commands (add one: see PROFILES in nslab(1))",
					  n->image));
			continue;
		}
		if (!pr->start)
			continue;
		for (size_t k = 0; r == 0 && k < pr->nneeds; k++)
			if (!nslab_program_exists(pr->needs[k].program))
				r = need_missing(n, pr, &pr->needs[k], err);
		if (r == 0)
			add(s, i, pr->name, xstrdup(pr->start), pr->start);
	}
	nslab_profiles_free(&prof);
	if (r < 0)
		nslab_services_free(s);
	return r;
}

void nslab_services_free(struct nslab_services *s)
{
	for (size_t i = 0; i < s->n; i++) {
		free(s->v[i].what);
		free(s->v[i].shell);
		free(s->v[i].shown);
	}
	free(s->v);
	nslab_strv_free(s->warnings, s->nwarnings);
	memset(s, 0, sizeof(*s));
}

void nslab_services_freep(struct nslab_services **s)
{
	if (*s)
		nslab_services_free(*s);
}

/* ---- starting ---- */

#define NSLAB_SERVICE_PARALLEL 16

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

struct start_job {
	pid_t pid;   /* the helper, our child */
	int pidfd;   /* the helper's, to poll; also the node's init's before the start */
	int mfd;     /* output */
	int status;
	bool done;
	long long t0; /* when it started */
};

char **nslab_node_env(const struct nslab_node *node)
{
	char **env = xcalloc(node->nenv + 1, sizeof(char *));
	for (size_t i = 0; i < node->nenv; i++)
		env[i] = xasprintf("%s=%s", node->env[i].key, node->env[i].value);
	return env;
}

static int start_one(const struct nslab_topo *t, const struct nslab_service *sv, pid_t init, struct start_job *j,
		     struct nslab_err *err)
{
	const struct nslab_node *node = &t->nodes[sv->node];
	char *argv[] = { "/bin/sh", "-c", sv->shell, NULL };
	_cleanup_close_ int initfd = (int)syscall(SYS_pidfd_open, init, 0);
	char **env;
	int r;

	if (initfd < 0)
		return nslab_err_sys(err, errno, "node %s: pidfd_open", node->name);
	j->mfd = memfd_create("nslab-service", MFD_CLOEXEC);
	if (j->mfd < 0)
		return nslab_err_sys(err, errno, "memfd_create");
	env = nslab_node_env(node);
	r = nslab_node_start(initfd, argv, env, j->mfd, &j->pid, err);
	nslab_env_free(env);
	if (r < 0)
		return nslab_err_prefix(err, "node %s: starting %s", node->name, sv->what);
	j->t0 = now_ms();
	j->pidfd = (int)syscall(SYS_pidfd_open, j->pid, 0);
	if (j->pidfd < 0)
		return nslab_err_sys(err, errno, "node %s: starting %s: pidfd_open", node->name, sv->what);
	return 0;
}

static char *job_output(const struct start_job *j)
{
	off_t size = lseek(j->mfd, 0, SEEK_END);
	char *out = xcalloc((size_t)(size > 0 ? size : 0) + 1, 1);

	if (size > 0 && pread(j->mfd, out, (size_t)size, 0) < 0)
		out[0] = '\0';
	return out;
}

int nslab_services_start(const struct nslab_topo *t, const struct nslab_services *s, const pid_t *pids,
			 void (*report)(void *ctx, const char *node, const char *cmd, const char *output, int status),
			 void *ctx, struct nslab_err *err)
{
	struct start_job *jobs = xcalloc(s->n + 1, sizeof(*jobs));
	size_t started = 0, reported = 0, running = 0;
	int r = 0;

	for (size_t i = 0; i < s->n; i++)
		jobs[i] = (struct start_job){ .pidfd = -1, .mfd = -1 };
	while (r == 0 && reported < s->n) {
		struct pollfd pfds[NSLAB_SERVICE_PARALLEL];
		size_t pj[NSLAB_SERVICE_PARALLEL], np = 0;

		while (r == 0 && started < s->n && running < NSLAB_SERVICE_PARALLEL) {
			r = start_one(t, &s->v[started], pids[s->v[started].node], &jobs[started], err);
			started++;
			running++;
		}
		/* report in node order what has ended; the first failure fails the deploy */
		while (r == 0 && reported < started && jobs[reported].done) {
			const struct start_job *j = &jobs[reported];
			const struct nslab_service *sv = &s->v[reported];
			_cleanup_free_ char *out = job_output(j);
			_cleanup_free_ char *shown = xasprintf("(%s) %s", sv->what, sv->shown);
			if (report)
				report(ctx, t->nodes[sv->node].name, shown, out, j->status);
			if (j->status != 0) {
				size_t len = strlen(out);
				while (len && out[len - 1] == '\n')
					out[--len] = '\0';
				r = nslab_err_set(err, ECANCELED, "node %s: starting %s ('%s') exited with status %d%s%s",
						  t->nodes[sv->node].name, sv->what, sv->shown, j->status, *out ? ": " : "",
						  len > 400 ? out + len - 400 : out);
			}
			reported++;
		}
		if (r < 0 || reported == s->n)
			break;
		for (size_t i = reported; i < started; i++)
			if (!jobs[i].done) {
				pfds[np] = (struct pollfd){ .fd = jobs[i].pidfd, .events = POLLIN };
				pj[np++] = i;
			}
		if (poll(pfds, np, 200) < 0 && errno != EINTR) {
			r = nslab_err_sys(err, errno, "waiting for services to start");
			break;
		}
		for (size_t k = 0; k < np; k++) {
			const struct nslab_service *sv = &s->v[pj[k]];
			if (pfds[k].revents || now_ms() - jobs[pj[k]].t0 < NSLAB_SERVICE_START_TIMEOUT_MS)
				continue;
			r = nslab_err_set(err, ETIMEDOUT, "node %s: starting %s ('%s') did not return within %d s",
					  t->nodes[sv->node].name, sv->what, sv->shown, NSLAB_SERVICE_START_TIMEOUT_MS / 1000);
			break;
		}
		if (r < 0)
			break;
		for (size_t k = 0; k < np; k++) {
			struct start_job *j = &jobs[pj[k]];
			int ws;
			if (!(pfds[k].revents & (POLLIN | POLLHUP | POLLERR)) || waitpid(j->pid, &ws, WNOHANG) != j->pid)
				continue;
			j->status = nslab_node_exit_code(ws);
			j->done = true;
			running--;
		}
	}
	/* on an error, starts still running end with their nodes in the rollback; reap what ended */
	for (size_t i = 0; i < started; i++) {
		if (jobs[i].pid > 0 && !jobs[i].done)
			waitpid(jobs[i].pid, NULL, WNOHANG);
		if (jobs[i].pidfd >= 0)
			close(jobs[i].pidfd);
		if (jobs[i].mfd >= 0)
			close(jobs[i].mfd);
	}
	free(jobs);
	return r;
}

/* ---- stopping ---- */

/* Whether the node's init has children (daemons reparent to it): /proc/PID/task/PID/children. */
static bool init_has_children(pid_t pid)
{
	char path[64], buf[16];
	_cleanup_close_ int fd = -1;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/children", (int)pid, (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return true; /* cannot tell: stop to be safe */
	return read(fd, buf, sizeof(buf)) > 0;
}

/* In a child forked into the node's PID namespace: SIGTERM to every process of the node but its
 * init (kill(-1) reaches only the caller's namespace), then wait until none is left. */
static void __attribute__((noreturn)) term_all(long long deadline)
{
	long ns = 1000 * 1000; /* 1 ms, doubling up to 32 ms: most daemons are gone at once */

	kill(-1, SIGTERM);
	while (kill(-1, 0) == 0 && now_ms() < deadline) {
		nanosleep(&(struct timespec){ 0, ns }, NULL);
		if (ns < 32 * 1000 * 1000)
			ns *= 2;
	}
	_exit(0);
}

static pid_t stop_node(int pidfd, long long deadline)
{
	pid_t pid = fork();

	if (pid != 0)
		return pid;
	/* the node's PID namespace is all kill(-1) needs (the others cost more to enter, above all
	 * the mount namespace): our next child is born in it */
	if (setns(pidfd, CLONE_NEWPID) < 0)
		_exit(1);
	pid_t inner = fork();
	if (inner == 0)
		term_all(deadline);
	while (inner > 0 && waitpid(inner, NULL, 0) < 0 && errno == EINTR)
		;
	_exit(0);
}

/* Helpers alive at once: a lab whose every node runs a daemon must not fork one per node at once. */
#define NSLAB_STOP_HELPERS 64

void nslab_services_stop(const pid_t *pids, const unsigned long long *starts, size_t n, int timeout_ms)
{
	long long deadline = now_ms() + timeout_ms;
	pid_t ring[NSLAB_STOP_HELPERS] = { 0 };
	size_t next = 0;

	/* the helpers in a ring: the oldest is waited for before its slot takes a new one */
	for (size_t i = 0; i < n; i++) {
		int fd = nslab_pidfd_open_verified(pids[i], starts[i]);
		if (fd < 0)
			continue;
		if (init_has_children(pids[i])) {
			pid_t *slot = &ring[next++ % NSLAB_STOP_HELPERS];
			while (*slot > 0 && waitpid(*slot, NULL, 0) < 0 && errno == EINTR)
				;
			*slot = stop_node(fd, deadline);
		}
		close(fd);
	}
	for (size_t k = 0; k < NSLAB_STOP_HELPERS; k++)
		while (ring[k] > 0 && waitpid(ring[k], NULL, 0) < 0 && errno == EINTR)
			;
}
