// SPDX-License-Identifier: GPL-2.0-or-later
/* core/mexec.c: programs in many nodes at once (bounded), node selection and a node's address. */
#include "mexec.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../util/util.h"
#include "lab.h"
#include "node.h"

/* ---- signals to a helper's program ---- */

/* The parent pid of pid from /proc/PID/stat (-1 if gone). */
static pid_t ppid_of(pid_t pid)
{
	char path[64], buf[512], *p;
	int ppid = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return -1;
	if (fgets(buf, sizeof(buf), f) && (p = strrchr(buf, ')')) && sscanf(p + 1, " %*c %d", &ppid) != 1)
		ppid = -1;
	fclose(f);
	return ppid;
}

int nslab_mexec_signal_program(pid_t helper, int sig)
{
	char path[96], buf[4096];
	ssize_t r;
	int fd, found = 0;

	/* the helper is our child and waits for its program: until it reaps it, the program's pid is
	 * the program's; the pidfd, then the parent check, make sure it is still that one */
	snprintf(path, sizeof(path), "/proc/%d/task/%d/children", (int)helper, (int)helper);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -ESRCH;
	r = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (r <= 0)
		return -ESRCH;
	buf[r] = 0;
	for (char *s = buf, *end; *s; s = end) {
		long pid = strtol(s, &end, 10);
		int pfd;

		if (end == s)
			break;
		pfd = (int)syscall(SYS_pidfd_open, (pid_t)pid, 0);
		if (pfd < 0)
			continue;
		if (ppid_of((pid_t)pid) == helper && syscall(SYS_pidfd_send_signal, pfd, sig, NULL, 0) == 0)
			found = 1;
		close(pfd);
	}
	return found ? 0 : -ESRCH;
}

/* ---- running ---- */

struct slot {
	size_t job;
	pid_t helper;
	int pidfd; /* the helper's */
	int out;   /* read end of its output pipe, -1 once drained */
	char *buf; /* a partial line, or everything when collecting */
	size_t len;
	bool exited;
};

static void emit_lines(const struct nslab_mexec_opts *o, struct nslab_mexec_job *j, struct slot *s, bool all)
{
	size_t start = 0;

	if (j->collect)
		return;
	for (size_t i = 0; i < s->len; i++) {
		if (s->buf[i] != '\n')
			continue;
		s->buf[i] = 0;
		if (o->on_line)
			o->on_line(o->ctx, j, s->buf + start);
		start = i + 1;
	}
	if (all && start < s->len) {
		s->buf = xrealloc(s->buf, s->len + 1);
		s->buf[s->len] = 0;
		if (o->on_line)
			o->on_line(o->ctx, j, s->buf + start);
		start = s->len;
	}
	memmove(s->buf, s->buf + start, s->len - start);
	s->len -= start;
}

/* Read what is there; false on EOF or error. */
static bool drain(const struct nslab_mexec_opts *o, struct nslab_mexec_job *j, struct slot *s)
{
	char tmp[8192];
	ssize_t r;

	for (;;) {
		r = read(s->out, tmp, sizeof(tmp));
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return r < 0 && errno == EAGAIN;
		s->buf = xrealloc(s->buf, s->len + (size_t)r + 1);
		memcpy(s->buf + s->len, tmp, (size_t)r);
		s->len += (size_t)r;
		emit_lines(o, j, s, false);
	}
}

static void slot_finish(const struct nslab_mexec_opts *o, struct nslab_mexec_job *j, struct slot *s)
{
	if (s->out >= 0) {
		(void)drain(o, j, s);
		close(s->out);
		s->out = -1;
	}
	emit_lines(o, j, s, true);
	if (j->collect) {
		j->output = s->buf ? s->buf : xstrdup("");
		if (s->buf)
			j->output[s->len] = 0;
		j->len = s->len;
	} else {
		free(s->buf);
	}
	s->buf = NULL;
	s->len = 0;
	if (s->pidfd >= 0)
		close(s->pidfd);
	s->pidfd = -1;
}

static int start_job(struct nslab_mexec_job *j, size_t idx, int pidfd, char **env, struct slot *s,
		     struct nslab_err *err)
{
	int p[2], r;

	if (pipe2(p, O_CLOEXEC) < 0)
		return nslab_err_sys(err, errno, "pipe");
	r = nslab_node_start(pidfd, j->argv, env, p[1], &s->helper, err);
	close(p[1]);
	if (r < 0) {
		close(p[0]);
		return nslab_err_prefix(err, "node %s", j->node);
	}
	fcntl(p[0], F_SETFL, O_NONBLOCK);
	s->job = idx;
	s->out = p[0];
	s->pidfd = (int)syscall(SYS_pidfd_open, s->helper, 0);
	s->exited = false;
	return 0;
}

/* One nslab_mexec_run(): the jobs, their nodes (opened once each), the slots running them. */
struct mexec {
	const struct nslab_mexec_opts *o;
	struct nslab_mexec_job *jobs;
	size_t n, opened, next, running;
	unsigned par;
	int *pidfds;	/* per job; -1 when an earlier job of the same node owns it */
	char ***envs;
	size_t *owner;	/* the job whose pidfd and env job i uses */
	struct slot *slots;
	struct pollfd *pfd;
	int sfd, pending_sig;
	sigset_t old;
};

/* Find every node first, once each (jobs share a node's pidfd and env): nothing starts unless all
 * are there. */
static int mexec_open_nodes(struct mexec *m, const char *lab, struct nslab_err *err)
{
	for (; m->opened < m->n; m->opened++) {
		size_t i = m->opened, same = 0;
		int r;

		while (same < i && strcmp(m->jobs[same].node, m->jobs[i].node))
			same++;
		m->owner[i] = same;
		m->pidfds[i] = -1;
		if (same < i)
			continue;
		r = nslab_lab_node_open(lab, m->jobs[i].node, &m->pidfds[i], &m->envs[i], err);
		if (r < 0)
			return r;
	}
	return 0;
}

/* SIGINT, SIGTERM, SIGHUP, SIGQUIT through a signalfd while jobs run (forward_signals). */
static void mexec_signals_hold(struct mexec *m)
{
	sigset_t mask;

	m->sfd = -1;
	if (!m->o->forward_signals)
		return;
	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGHUP);
	sigaddset(&mask, SIGQUIT);
	sigprocmask(SIG_BLOCK, &mask, &m->old);
	m->sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
}

/* Pass the signals that came on to every running program (and remember the last for later ones). */
static void mexec_forward(struct mexec *m)
{
	struct signalfd_siginfo si;

	while (m->sfd >= 0 && read(m->sfd, &si, sizeof(si)) == sizeof(si)) {
		m->pending_sig = (int)si.ssi_signo;
		for (unsigned k = 0; k < m->par; k++)
			if (m->slots[k].helper && !m->slots[k].exited)
				(void)nslab_mexec_signal_program(m->slots[k].helper, m->pending_sig);
	}
}

/* Start jobs in the free slots; a job that cannot start is an error (status 126). */
static int mexec_fill(struct mexec *m, struct nslab_err *err)
{
	for (unsigned k = 0; k < m->par && m->next < m->n; k++) {
		size_t j = m->next, ow = m->owner[j];
		int r;

		if (m->slots[k].helper)
			continue;
		r = start_job(&m->jobs[j], j, m->pidfds[ow], m->envs[ow], &m->slots[k], err);
		m->next++;
		if (r < 0) {
			m->jobs[j].status = 126;
			return r;
		}
		if (m->pending_sig)
			(void)nslab_mexec_signal_program(m->slots[k].helper, m->pending_sig);
		m->running++;
	}
	return 0;
}

/* Wait for output, an exit or a signal. */
static int mexec_poll(struct mexec *m, struct nslab_err *err)
{
	size_t np = 0;

	for (unsigned k = 0; k < m->par; k++) {
		const struct slot *s = &m->slots[k];
		if (!s->helper)
			continue;
		if (s->out >= 0)
			m->pfd[np++] = (struct pollfd){ .fd = s->out, .events = POLLIN };
		if (s->pidfd >= 0 && !s->exited)
			m->pfd[np++] = (struct pollfd){ .fd = s->pidfd, .events = POLLIN };
	}
	if (m->sfd >= 0)
		m->pfd[np++] = (struct pollfd){ .fd = m->sfd, .events = POLLIN };
	/* a helper without a pidfd (old kernel): wake up now and then to reap it */
	if (poll(m->pfd, np, 200) < 0 && errno != EINTR)
		return nslab_err_sys(err, errno, "poll");
	mexec_forward(m);
	return 0;
}

/* Read what the running jobs wrote; a job is done once its helper has ended (what it left running
 * in the background, a daemon holding the pipe, is not waited for). */
static void mexec_reap(struct mexec *m)
{
	for (unsigned k = 0; k < m->par; k++) {
		struct slot *s = &m->slots[k];
		struct nslab_mexec_job *j;
		int ws;

		if (!s->helper)
			continue;
		j = &m->jobs[s->job];
		if (s->out >= 0 && !drain(m->o, j, s)) {
			close(s->out);
			s->out = -1;
		}
		if (!s->exited && waitpid(s->helper, &ws, WNOHANG) == s->helper) {
			s->exited = true;
			j->status = nslab_node_exit_code(ws);
		}
		if (s->exited) {
			slot_finish(m->o, j, s);
			s->helper = 0;
			m->running--;
		}
	}
}

/* After an error: the jobs already running still end normally. */
static void mexec_wait_rest(struct mexec *m)
{
	for (unsigned k = 0; k < m->par; k++) {
		struct slot *s = &m->slots[k];
		int ws = 0;

		if (!s->helper)
			continue;
		while (waitpid(s->helper, &ws, 0) < 0 && errno == EINTR)
			;
		m->jobs[s->job].status = nslab_node_exit_code(ws);
		slot_finish(m->o, &m->jobs[s->job], s);
		s->helper = 0;
	}
}

static void mexec_free(struct mexec *m)
{
	if (m->sfd >= 0) {
		close(m->sfd);
		sigprocmask(SIG_SETMASK, &m->old, NULL);
	}
	for (size_t i = 0; i < m->opened; i++) {
		if (m->pidfds[i] >= 0)
			close(m->pidfds[i]);
		nslab_env_free(m->envs[i]);
	}
	free(m->pidfds);
	free(m->envs);
	free(m->owner);
	free(m->slots);
	free(m->pfd);
}

int nslab_mexec_run(const char *lab, struct nslab_mexec_job *jobs, size_t n, const struct nslab_mexec_opts *o,
		    struct nslab_err *err)
{
	struct mexec m = { .o = o, .jobs = jobs, .n = n, .sfd = -1 };
	int r;

	m.par = o->parallel ? o->parallel : NSLAB_MEXEC_PARALLEL;
	m.pidfds = xcalloc(n ? n : 1, sizeof(int));
	m.envs = xcalloc(n ? n : 1, sizeof(char **));
	m.owner = xcalloc(n ? n : 1, sizeof(size_t));
	m.slots = xcalloc(m.par, sizeof(*m.slots));
	m.pfd = xcalloc(2 * (size_t)m.par + 1, sizeof(*m.pfd));
	for (unsigned k = 0; k < m.par; k++)
		m.slots[k].out = m.slots[k].pidfd = -1;
	r = mexec_open_nodes(&m, lab, err);
	if (r == 0)
		mexec_signals_hold(&m);
	while (r == 0 && (m.next < n || m.running > 0)) {
		r = mexec_fill(&m, err);
		if (r == 0)
			r = mexec_poll(&m, err);
		if (r == 0)
			mexec_reap(&m);
	}
	if (r < 0)
		mexec_wait_rest(&m);
	mexec_free(&m);
	return r < 0 ? r : 0;
}

void nslab_mexec_jobs_free(struct nslab_mexec_job *jobs, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(jobs[i].output);
		jobs[i].output = NULL;
	}
}

/* ---- selection ---- */

static bool has_label(json_t *node, const char *kv)
{
	const char *eq = strchr(kv, '=');
	json_t *v;

	if (!eq)
		return false;
	_cleanup_free_ char *key = xstrndup(kv, (size_t)(eq - kv));
	v = json_object_get(json_object_get(node, "labels"), key);
	return json_is_string(v) && strcmp(json_string_value(v), eq + 1) == 0;
}

static json_t *find_node(json_t *nodes, const char *name)
{
	size_t i;
	json_t *nd;

	json_array_foreach(nodes, i, nd)
		if (strcmp(json_string_value(json_object_get(nd, "name")) ?: "", name) == 0)
			return nd;
	return NULL;
}

static char *node_list(json_t *nodes)
{
	char *s = xstrdup("");
	size_t i;
	json_t *nd;

	json_array_foreach(nodes, i, nd) {
		char *t = xasprintf("%s%s%s", s, i ? ", " : "", json_string_value(json_object_get(nd, "name")) ?: "?");
		free(s);
		s = t;
	}
	return s;
}

int nslab_mexec_select(json_t *inspect, enum nslab_node_sel sel, const char *arg, char ***names, size_t *n,
		       struct nslab_err *err)
{
	json_t *nodes = json_object_get(inspect, "nodes"), *nd;
	const char *lab = json_string_value(json_object_get(inspect, "name")) ?: "?";
	char **out = NULL;
	size_t cnt = 0, i;

	*names = NULL;
	*n = 0;
	if (sel == NSLAB_SEL_LABEL && (!arg || !strchr(arg, '=') || arg[0] == '='))
		return nslab_err_set(err, EINVAL, "--label wants KEY=VALUE, not '%s'", arg ? arg : "");
	if (sel == NSLAB_SEL_LIST) {
		_cleanup_free_ char *copy = xstrdup(arg ? arg : "");
		for (char *save = NULL, *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
			if (!find_node(nodes, t)) {
				_cleanup_free_ char *all = node_list(nodes);
				nslab_mexec_names_free(out, cnt);
				return nslab_err_set(err, ENOENT, "lab %s has no node %s (its nodes: %s)", lab, t, all);
			}
			*VEC_PUSH(out, cnt) = xstrdup(t);
		}
	} else {
		json_array_foreach(nodes, i, nd) {
			if (sel == NSLAB_SEL_LABEL && !has_label(nd, arg))
				continue;
			*VEC_PUSH(out, cnt) = xstrdup(json_string_value(json_object_get(nd, "name")) ?: "");
		}
	}
	if (!cnt)
		return nslab_err_set(err, ENOENT, "no node of lab %s %s%s", lab,
				     sel == NSLAB_SEL_LABEL ? "has the label " : "was named",
				     sel == NSLAB_SEL_LABEL ? arg : "");
	*names = out;
	*n = cnt;
	return 0;
}

void nslab_mexec_names_free(char **names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

/* ---- addresses ---- */

/* pass 0: IPv4 not on lo; 1: IPv6 (global) not on lo; 2: anything on lo that is not loopback */
static bool pick(json_t *node, int pass, char *out, size_t size)
{
	json_t *ifs = json_object_get(node, "interfaces"), *ifc, *a;
	size_t i, k;

	json_array_foreach(ifs, i, ifc) {
		bool lo = strcmp(json_string_value(json_object_get(ifc, "name")) ?: "", "lo") == 0;
		if (lo != (pass == 2))
			continue;
		json_array_foreach(json_object_get(ifc, "addresses"), k, a) {
			const char *s = json_string_value(a);
			size_t l;
			bool v6;

			if (!s)
				continue;
			v6 = strchr(s, ':') != NULL;
			if ((pass == 0 && v6) || (pass == 1 && !v6) || !strncmp(s, "127.", 4) ||
			    !strncmp(s, "::1/", 4) || !strncasecmp(s, "fe80:", 5))
				continue;
			l = strcspn(s, "/");
			if (l >= size)
				continue;
			memcpy(out, s, l);
			out[l] = 0;
			return true;
		}
	}
	return false;
}

bool nslab_node_address(json_t *node, char *out, size_t size)
{
	for (int pass = 0; pass < 3; pass++)
		if (pick(node, pass, out, size))
			return true;
	return false;
}
