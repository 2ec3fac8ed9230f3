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

int nslab_mexec_run(const char *lab, struct nslab_mexec_job *jobs, size_t n, const struct nslab_mexec_opts *o,
		    struct nslab_err *err)
{
	unsigned par = o->parallel ? o->parallel : NSLAB_MEXEC_PARALLEL;
	int *pidfds = xcalloc(n ? n : 1, sizeof(int));
	char ***envs = xcalloc(n ? n : 1, sizeof(char **));
	struct slot *slots = xcalloc(par, sizeof(*slots));
	_cleanup_free_ size_t *owner = xcalloc(n ? n : 1, sizeof(size_t));
	size_t next = 0, running = 0, opened = 0;
	int r = 0, sfd = -1, pending_sig = 0;
	_cleanup_free_ struct pollfd *pfd = NULL;
	sigset_t mask, old;

	/* find every node first, once each (jobs share a node's pidfd and env): nothing starts unless
	 * all are there */
	for (; opened < n; opened++) {
		size_t same = 0;

		while (same < opened && strcmp(jobs[same].node, jobs[opened].node))
			same++;
		if (same < opened) {
			pidfds[opened] = -1; /* owned by the first job of that node */
			envs[opened] = NULL;
			continue;
		}
		r = nslab_lab_node_open(lab, jobs[opened].node, &pidfds[opened], &envs[opened], err);
		if (r < 0)
			goto out;
	}
	for (size_t i = 0; i < n; i++) {
		size_t same = 0;

		while (same < i && strcmp(jobs[same].node, jobs[i].node))
			same++;
		owner[i] = same;
	}
	if (o->forward_signals) {
		sigemptyset(&mask);
		sigaddset(&mask, SIGINT);
		sigaddset(&mask, SIGTERM);
		sigaddset(&mask, SIGHUP);
		sigaddset(&mask, SIGQUIT);
		sigprocmask(SIG_BLOCK, &mask, &old);
		sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	}
	for (unsigned k = 0; k < par; k++)
		slots[k].out = slots[k].pidfd = -1, slots[k].helper = 0;

	pfd = xcalloc(2 * (size_t)par + 1, sizeof(*pfd));
	while (next < n || running > 0) {
		size_t np = 0;

		/* fill free slots */
		for (unsigned k = 0; k < par && next < n; k++) {
			if (slots[k].helper)
				continue;
			r = start_job(&jobs[next], next, pidfds[owner[next]], envs[owner[next]], &slots[k], err);
			if (r < 0) {
				jobs[next].status = 126;
				/* the others already running still end normally */
				next++;
				goto wait_rest;
			}
			if (pending_sig)
				(void)nslab_mexec_signal_program(slots[k].helper, pending_sig);
			next++;
			running++;
		}
		for (unsigned k = 0; k < par; k++) {
			if (!slots[k].helper)
				continue;
			if (slots[k].out >= 0)
				pfd[np++] = (struct pollfd){ .fd = slots[k].out, .events = POLLIN };
			if (slots[k].pidfd >= 0 && !slots[k].exited)
				pfd[np++] = (struct pollfd){ .fd = slots[k].pidfd, .events = POLLIN };
		}
		if (sfd >= 0)
			pfd[np++] = (struct pollfd){ .fd = sfd, .events = POLLIN };
		/* a helper without a pidfd (old kernel): wake up now and then to reap it */
		if (poll(pfd, np, 200) < 0 && errno != EINTR) {
			r = nslab_err_sys(err, errno, "poll");
			goto wait_rest;
		}
		if (sfd >= 0) {
			struct signalfd_siginfo si;
			while (read(sfd, &si, sizeof(si)) == sizeof(si)) {
				pending_sig = (int)si.ssi_signo;
				for (unsigned k = 0; k < par; k++)
					if (slots[k].helper && !slots[k].exited)
						(void)nslab_mexec_signal_program(slots[k].helper, pending_sig);
			}
		}
		for (unsigned k = 0; k < par; k++) {
			struct slot *s = &slots[k];
			struct nslab_mexec_job *j;
			int ws;

			if (!s->helper)
				continue;
			j = &jobs[s->job];
			if (s->out >= 0 && !drain(o, j, s)) {
				close(s->out);
				s->out = -1;
			}
			if (!s->exited && waitpid(s->helper, &ws, WNOHANG) == s->helper) {
				s->exited = true;
				j->status = nslab_node_exit_code(ws);
			}
			/* done once the helper has ended: what it left running in the background (a daemon
			 * holding the pipe) is not waited for */
			if (s->exited) {
				slot_finish(o, j, s);
				s->helper = 0;
				running--;
			}
		}
	}
	goto out;

wait_rest:
	for (unsigned k = 0; k < par; k++) {
		int ws;

		if (!slots[k].helper)
			continue;
		while (waitpid(slots[k].helper, &ws, 0) < 0 && errno == EINTR)
			;
		jobs[slots[k].job].status = nslab_node_exit_code(ws);
		slot_finish(o, &jobs[slots[k].job], &slots[k]);
		slots[k].helper = 0;
	}
out:
	if (sfd >= 0) {
		close(sfd);
		sigprocmask(SIG_SETMASK, &old, NULL);
	}
	for (size_t i = 0; i < opened; i++) {
		if (pidfds[i] >= 0)
			close(pidfds[i]);
		nslab_env_free(envs[i]);
	}
	free(pidfds);
	free(envs);
	free(slots);
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
