// SPDX-License-Identifier: GPL-2.0-or-later
/* core/node.c: a node's init process and the spawner that clones nodes (node_spec.c packs their
 * specs, node_enter.c enters a running node). */
#include "node.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <termios.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <linux/sched.h>
#include <limits.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <poll.h>
#include <stdint.h>
#include <stdarg.h>

#include "../util/pack.h"
#include "../util/util.h"
#include "cgroup.h"
#include "pidfd.h"
#include "plan.h"
#include "rundir.h"

extern char **environ;

#ifndef CLOSE_RANGE_UNSHARE
#define CLOSE_RANGE_UNSHARE (1U << 1)
#endif

/* In a node child: its index in the lab (reports carry it), set by the spawner before the clone. */
static size_t child_index;

static pid_t raw_clone(unsigned long flags)
{
	/* fork-like clone: NULL stack means the child runs on a copy of ours */
	return (pid_t)syscall(SYS_clone, flags | SIGCHLD, NULL, NULL, NULL, NULL);
}

/* ---- the child side ---- */

/* One report per node and step; at most PIPE_BUF bytes, so concurrent writers never interleave. */
struct brood_report {
	int32_t idx;	/* spawn order */
	int32_t step;
	int32_t code;	/* 0 = ok, else a positive errno */
	char msg[500];
};

static int report_fd = -1;
static int child_step;

static void report(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void report(int code, const char *fmt, ...)
{
	struct brood_report r = { .idx = (int32_t)child_index, .step = child_step, .code = code };
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(r.msg, sizeof(r.msg), fmt, ap);
	va_end(ap);
	if (write(report_fd, &r, sizeof(r)) != sizeof(r)) {
		/* nobody is listening: nothing more to do */
	}
}

static void child_fail(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3), noreturn));

static void child_fail(int code, const char *fmt, ...)
{
	char msg[480];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	report(code, "%s: %s", msg, strerror(code));
	_exit(1);
}

static void node_init_loop(void) __attribute__((noreturn));

static void node_init_loop(void)
{
	sigset_t all;
	int fd;

	/* a quiet PID 1: no inherited descriptors, stdio on /dev/null */
	fd = open("/dev/null", O_RDWR);
	if (fd >= 0) {
		dup2(fd, 0);
		dup2(fd, 1);
		dup2(fd, 2);
	}
	syscall(SYS_close_range, 3U, ~0U, 0U);
	prctl(PR_SET_NAME, "nslab-init");
	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, NULL);
	for (;;) {
		siginfo_t si;
		int sig = sigwaitinfo(&all, &si);
		if (sig == SIGCHLD) {
			while (waitpid(-1, NULL, WNOHANG) > 0)
				;
		} else if ((sig == SIGTERM || sig == SIGINT) && si.si_pid == 0) {
			/* from outside the node (its sender has no pid in the node's PID namespace); a
			 * `kill 1` inside the node is ignored, as a container's init ignores it */
			_exit(0);
		}
	}
}

int nslab_sysctl_write(const char *root, const char *key, const char *value)
{
	_cleanup_free_ char *sys = nslab_sysctl_path(key);
	_cleanup_free_ char *path = xasprintf("%s%s", root, sys);
	_cleanup_close_ int fd = open(path, O_WRONLY | O_CLOEXEC);

	if (fd < 0 || write(fd, value, strlen(value)) < 0)
		return -errno;
	return 0;
}

static void write_sysctls(const char *const *kv, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		int r = nslab_sysctl_write("", kv[2 * i], kv[2 * i + 1]);
		if (r < 0)
			child_fail(-r, "sysctl %s = %s", kv[2 * i], kv[2 * i + 1]);
	}
}

static void send_batch(struct nslab_nl **nl, const struct nslab_nlb *b)
{
	struct nslab_err err = { 0 };

	if (!b || !nslab_nlb_count(b))
		return;
	if (!*nl && nslab_nl_open(nl, -1, &err) < 0) {
		report(err.code, "%s", err.msg);
		_exit(1);
	}
	if (nslab_nl_send(*nl, b, &err) < 0) {
		nslab_nl_qdisc_explain(b, &err); /* "kernel has no sch_netem: ..." */
		report(err.code, "%s", err.msg);
		_exit(1);
	}
}

static void node_setup(const struct nslab_node_spec *s)
{
	char what[400] = "";
	int r;

	if (sethostname(s->name, strlen(s->name)) < 0)
		child_fail(errno, "setting hostname %s", s->name);
	r = nslab_rootfs_enter(&s->root, s->binds, s->nbinds, what, sizeof(what));
	if (r < 0)
		child_fail(-r, "%s", what);
}

static void node_child(const struct nslab_node_spec *s, int release_fd, int wire_fd, int report_to)
	__attribute__((noreturn));

static void node_child(const struct nslab_node_spec *s, int release_fd, int wire_fd, int report_to)
{
	struct nslab_nl *nl = NULL;
	int keep[3] = { release_fd, wire_fd, report_to }, hostroot = -1; /* /proc, see join_netns */
	char go = 0;

	/* (getppid() is 0 in a new PID namespace: no check here; if the spawner died before this
	 * line, the release pipe's EOF ends us below) */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	prctl(PR_SET_NAME, "nslab-init");
	nslab_close_fds_except(keep, 3);
	report_fd = report_to;
	/* EOF here means the deployer died before journaling us: leave no trace */
	if (read(release_fd, &go, 1) != 1)
		_exit(1);
	prctl(PR_SET_PDEATHSIG, 0);
	close(release_fd);

	child_step = 1;
	/* the network namespace is made here, in parallel with the other nodes and the spawner's
	 * next clone()s: it is the costly one (about 0.5 ms) */
	if (unshare(CLONE_NEWNET) < 0)
		child_fail(errno, "creating its network namespace");
	/* network-mode container:NODE: the host's /proc is kept (O_PATH: it survives the pivot) to
	 * reach NODE's handle at step 2 through /proc/DEPLOYER/root */
	if (s->join_netns && (hostroot = open("/proc", O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0)
		child_fail(errno, "opening /proc to join %s later", s->join_netns);
	node_setup(s);
	write_sysctls(s->early_sysctl, s->nearly_sysctl);
	send_batch(&nl, s->early);
	report(0, "ok");

	/* EOF: the deployer died; we are journaled, so destroy will find us */
	if (read(wire_fd, &go, 1) == 1) {
		child_step = 2;
		send_batch(&nl, s->wire);
		write_sysctls(s->late_sysctl, s->nlate_sysctl);
		if (hostroot >= 0) {
			int fd = openat(hostroot, s->join_netns + strlen("/proc/"), O_RDONLY | O_CLOEXEC);
			if (fd < 0 || setns(fd, CLONE_NEWNET) < 0)
				child_fail(errno, "joining the network namespace %s", s->join_netns);
			close(fd);
		}
		report(0, "ok");
	}
	if (hostroot >= 0) /* the host's /proc stays out of the node's reach */
		close(hostroot);
	if (nl)
		nslab_nl_close(nl);
	node_init_loop();
}

/* ---- the spawner ---- */

/* Fixed fds of the spawner (see nslab_spawner_main()). */
#define SPAWNER_SOCK 3
#define SPAWNER_WIRE 4
#define SPAWNER_REPORT 5

struct spawn_reply {
	int32_t code; /* 0, or a positive errno */
	uint32_t count;
	int32_t pids[NSLAB_BROOD_CHUNK];
	char msg[256];
};

static int read_full(int fd, void *buf, size_t len)
{
	char *p = buf;

	while (len) {
		ssize_t r = read(fd, p, len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return r < 0 ? -errno : -EPIPE;
		p += r;
		len -= (size_t)r;
	}
	return 0;
}

static int write_full(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t w = send(fd, p, len, MSG_NOSIGNAL);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -errno;
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

/* The reply, with the release pipe's write end attached when rel >= 0. */
static int send_reply(int sock, const struct spawn_reply *rep, int rel)
{
	char cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { .iov_base = (void *)rep, .iov_len = sizeof(*rep) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	ssize_t w;

	if (rel >= 0) {
		struct cmsghdr *cm;
		memset(cbuf, 0, sizeof(cbuf));
		mh.msg_control = cbuf;
		mh.msg_controllen = sizeof(cbuf);
		cm = CMSG_FIRSTHDR(&mh);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cm), &rel, sizeof(int));
	}
	do
		w = sendmsg(sock, &mh, MSG_NOSIGNAL);
	while (w < 0 && errno == EINTR);
	if (w < 0)
		return -errno;
	/* the rest, if the socket took only part of it (no fd goes with it) */
	return (size_t)w < sizeof(*rep) ? write_full(sock, (const char *)rep + w, sizeof(*rep) - (size_t)w) : 0;
}

/* Clone one node's init; with s->cgroup, born in that cgroup v2 directory (clone3 with
 * CLONE_INTO_CGROUP: no move afterwards, so no wait on cgroup_threadgroup_rwsem), or, on a kernel
 * without it, moved there by us before anyone can release it. Returns as fork() does. */
static pid_t clone_node(const struct nslab_node_spec *s)
{
	unsigned long flags = NSLAB_NODE_NSFLAGS & ~CLONE_NEWNET;
	char procs[PATH_MAX];
	pid_t pid;
	int cg, e, fd;

	if (!s->cgroup)
		return raw_clone(flags);
	cg = open(s->cgroup, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (cg < 0)
		return -1;
	struct clone_args ca = { .flags = flags | CLONE_INTO_CGROUP, .exit_signal = SIGCHLD, .cgroup = (uint64_t)cg };
	pid = (pid_t)syscall(SYS_clone3, &ca, sizeof(ca));
	if (pid == 0)
		return 0; /* the child closes every inherited fd */
	e = errno;
	close(cg);
	if (pid > 0 || (e != ENOSYS && e != E2BIG && e != EINVAL)) {
		errno = e;
		return pid;
	}
	pid = raw_clone(flags);
	if (pid <= 0)
		return pid;
	snprintf(procs, sizeof(procs), "%s/cgroup.procs", s->cgroup);
	fd = open(procs, O_WRONLY | O_CLOEXEC);
	if (fd < 0 || dprintf(fd, "%d", (int)pid) < 0) {
		e = errno;
		kill(pid, SIGKILL);
		if (fd >= 0)
			close(fd);
		errno = e;
		return -1;
	}
	close(fd);
	return pid;
}

/* One chunk: count specs, each "u32 index, record"; clones them all, then replies. */
static int spawn_chunk(int sock, const char *req, size_t len)
{
	struct nslab_unpack u = { .p = req, .left = len };
	struct spawn_reply rep = { 0 };
	uint32_t count = nslab_unpack_u32(&u);
	int rel[2];

	if (u.bad || count > NSLAB_BROOD_CHUNK) {
		rep.code = EINVAL;
		snprintf(rep.msg, sizeof(rep.msg), "spawner: malformed request");
		return send_reply(sock, &rep, -1);
	}
	if (pipe2(rel, O_CLOEXEC) < 0) {
		rep.code = errno;
		snprintf(rep.msg, sizeof(rep.msg), "spawner: pipe: %s", strerror(errno));
		return send_reply(sock, &rep, -1);
	}
	for (uint32_t i = 0; i < count && !rep.code; i++) {
		struct nslab_node_spec s;
		void *arena = NULL;
		pid_t pid;

		child_index = nslab_unpack_u32(&u);
		if (nslab_node_spec_unpack(&u, &s, &arena) < 0) {
			rep.code = EINVAL;
			snprintf(rep.msg, sizeof(rep.msg), "spawner: malformed node record");
		} else {
			pid = clone_node(&s);
			if (pid == 0)
				node_child(&s, rel[0], SPAWNER_WIRE, SPAWNER_REPORT);
			if (pid < 0) {
				rep.code = errno;
				snprintf(rep.msg, sizeof(rep.msg), "node %s: creating its namespaces (clone): %s", s.name,
					 strerror(errno));
			} else {
				rep.pids[rep.count++] = pid;
			}
		}
		nslab_node_spec_arena_free(arena);
	}
	if (!rep.code && u.left) {
		rep.code = EINVAL;
		snprintf(rep.msg, sizeof(rep.msg), "spawner: %zu bytes after the last node record", u.left);
	}
	close(rel[0]);
	/* on failure the children made so far see EOF on their release pipe and exit */
	int r = send_reply(sock, &rep, rep.code ? -1 : rel[1]);
	close(rel[1]);
	return r;
}

int nslab_spawner_main(void)
{
	char *req = NULL;
	size_t cap = 0;

	signal(SIGPIPE, SIG_IGN);
	prctl(PR_SET_NAME, "nslab-spawner");
	/* set before the exec too, but an exec in secure mode (setuid, file capabilities) clears it */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() == 1)
		return 1;
	for (;;) {
		uint32_t len;
		int r = read_full(SPAWNER_SOCK, &len, sizeof(len));
		if (r < 0)
			break; /* EOF: the deployer is done (or gone) */
		if (len > cap) {
			cap = len;
			req = xrealloc(req, cap);
		}
		if (read_full(SPAWNER_SOCK, req, len) < 0 || spawn_chunk(SPAWNER_SOCK, req, len) < 0)
			break;
	}
	free(req);
	return 0;
}

/* ---- the deployer's side ---- */

static void close_pair(int p[2])
{
	for (int i = 0; i < 2; i++) {
		if (p[i] >= 0)
			close(p[i]);
		p[i] = -1;
	}
}

/* Move fd to `to` (>= 3) without CLOEXEC. */
static int place_fd(int fd, int to)
{
	if (fd == to)
		return fcntl(fd, F_SETFD, 0);
	return dup2(fd, to) < 0 ? -1 : 0;
}

/*
 * The spawner's environment: ours plus LD_BIND_NOW=1, so that the dynamic linker resolves every
 * symbol once in the spawner, before it clones. Each node's init then starts with the resolved
 * table (shared copy-on-write) instead of resolving each function it calls on its first call, a
 * thousand times over in a thousand-node lab. The spawner and the inits never exec.
 */
static char **spawner_env(void)
{
	size_t n = 0, k = 1;
	char **env;

	while (environ[n])
		n++;
	env = xcalloc(n + 2, sizeof(*env));
	env[0] = (char *)"LD_BIND_NOW=1";
	for (size_t i = 0; i < n; i++) /* ours alone: ld.so would obey a later LD_BIND_NOW= */
		if (strncmp(environ[i], "LD_BIND_NOW=", 12) != 0)
			env[k++] = environ[i];
	return env;
}

int nslab_brood_open(struct nslab_brood *b, struct nslab_err *err)
{
	int sv[2] = { -1, -1 }, e;
	pid_t parent = getpid();

	memset(b, 0, sizeof(*b));
	b->sock = b->release = -1;
	b->spawner = -1;
	b->wire[0] = b->wire[1] = b->report[0] = b->report[1] = -1;
	if (pipe2(b->wire, O_CLOEXEC) < 0 || pipe2(b->report, O_CLOEXEC) < 0 ||
	    socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) {
		e = errno;
		nslab_brood_close(b);
		return nslab_err_sys(err, e, "creating the node pipes");
	}
	/* room for many reports and wire bytes at once; best effort */
	fcntl(b->report[1], F_SETPIPE_SZ, 1 << 20);
	fcntl(b->wire[1], F_SETPIPE_SZ, 1 << 20);
	char **env = spawner_env(); /* made before the fork: the child only execs */
	b->spawner = fork();
	if (b->spawner != 0)
		free(env);
	if (b->spawner < 0) {
		e = errno;
		close(sv[0]);
		close(sv[1]);
		nslab_brood_close(b);
		return nslab_err_sys(err, e, "starting the node spawner (fork)");
	}
	if (b->spawner == 0) {
		char *argv[] = { "nslab", NSLAB_SPAWNER_ARG, NULL };
		int hi[3];
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(1);
		/* lift the three above any fd number they could clash with, then put them at 3, 4, 5 */
		hi[0] = fcntl(sv[1], F_DUPFD_CLOEXEC, 10);
		hi[1] = fcntl(b->wire[0], F_DUPFD_CLOEXEC, 10);
		hi[2] = fcntl(b->report[1], F_DUPFD_CLOEXEC, 10);
		if (hi[0] < 0 || hi[1] < 0 || hi[2] < 0 || place_fd(hi[0], SPAWNER_SOCK) < 0 ||
		    place_fd(hi[1], SPAWNER_WIRE) < 0 || place_fd(hi[2], SPAWNER_REPORT) < 0)
			_exit(1);
		/* our own binary, as an fd: the very file we run even if it was replaced on disk meanwhile
		 * (and under valgrind, which redirects this open to the program it runs, not itself) */
		int exe = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
		if (exe < 0 || place_fd(exe, 6) < 0)
			_exit(127);
		syscall(SYS_close_range, 7U, ~0U, 0U);
		fcntl(6, F_SETFD, FD_CLOEXEC);
		syscall(SYS_execveat, 6, "", argv, env, AT_EMPTY_PATH);
		_exit(127);
	}
	close(sv[1]);
	b->sock = sv[0];
	/* only the spawner and the children hold these ends */
	close(b->wire[0]);
	b->wire[0] = -1;
	close(b->report[1]);
	b->report[1] = -1;
	return 0;
}

int nslab_brood_request(struct nslab_brood *b, const struct nslab_node_spec *specs, size_t n,
			struct nslab_err *err)
{
	struct nslab_pack p = { 0 };
	uint32_t len;
	int r;

	nslab_pack_u32(&p, 0); /* length, filled below */
	nslab_pack_u32(&p, (uint32_t)n);
	for (size_t i = 0; i < n; i++) {
		nslab_pack_u32(&p, (uint32_t)(b->requested + i));
		nslab_node_spec_pack(&p, &specs[i]);
	}
	len = (uint32_t)(p.len - sizeof(len));
	memcpy(p.buf, &len, sizeof(len));
	r = write_full(b->sock, p.buf, p.len);
	nslab_pack_free(&p);
	if (r < 0)
		return nslab_err_sys(err, -r, "handing nodes to the spawner");
	b->requested += n;
	return 0;
}

int nslab_brood_collect(struct nslab_brood *b, size_t n, pid_t *pids, unsigned long long *starts,
			struct nslab_err *err)
{
	struct spawn_reply rep;
	char cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { .iov_base = &rep, .iov_len = sizeof(rep) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof(cbuf) };
	struct cmsghdr *cm;
	ssize_t r;
	int rel = -1;

	if (b->release >= 0) {
		close(b->release);
		b->release = -1;
	}
	do
		r = recvmsg(b->sock, &mh, MSG_CMSG_CLOEXEC);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return nslab_err_sys(err, errno, "reading from the node spawner");
	if (mh.msg_flags & MSG_CTRUNC) { /* the release fd did not fit: out of descriptors */
		for (cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm))
			if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS)
				close(*(int *)(void *)CMSG_DATA(cm));
		return nslab_err_set(err, EMFILE, "receiving a release pipe from the node spawner: out of file descriptors");
	}
	for (cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm))
		if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS)
			memcpy(&rel, CMSG_DATA(cm), sizeof(int));
	if (r > 0 && (size_t)r < sizeof(rep) && read_full(b->sock, (char *)&rep + r, sizeof(rep) - (size_t)r) == 0)
		r = sizeof(rep);
	if ((size_t)r != sizeof(rep)) {
		if (rel >= 0)
			close(rel);
		return nslab_err_set(err, EIO, "the node spawner died");
	}
	rep.msg[sizeof(rep.msg) - 1] = '\0';
	if (rep.code || rel < 0 || rep.count != n) {
		if (rel >= 0)
			close(rel);
		return nslab_err_set(err, rep.code ? rep.code : EIO, "%s",
				     rep.code ? rep.msg : "the node spawner answered out of turn");
	}
	for (size_t i = 0; i < n; i++) {
		pids[i] = rep.pids[i];
		/* held by the spawner, which never reaps: the pid cannot be reused yet. Without a start
		 * time the journal could not find it again: refuse the chunk (EOF on rel ends it) */
		starts[i] = nslab_proc_starttime(pids[i]);
		if (!starts[i]) {
			int e = errno ? errno : ESRCH;
			close(rel);
			return nslab_err_sys(err, e, "node process %d: reading its start time", (int)pids[i]);
		}
	}
	b->spawned += n;
	b->release = rel;
	return 0;
}

static int write_bytes(int fd, size_t count)
{
	char buf[4096];

	memset(buf, 'G', sizeof(buf));
	while (count) {
		ssize_t w = write(fd, buf, count < sizeof(buf) ? count : sizeof(buf));
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		count -= (size_t)w;
	}
	return 0;
}

int nslab_brood_release(struct nslab_brood *b, size_t count, struct nslab_err *err)
{
	/* only this chunk's children read this pipe: one byte each, then it is done */
	int r = b->release >= 0 ? write_bytes(b->release, count) : -EBADF;

	if (b->release >= 0)
		close(b->release);
	b->release = -1;
	if (r < 0)
		return nslab_err_sys(err, -r, "releasing the nodes");
	return 0;
}

int nslab_brood_wire(struct nslab_brood *b, size_t count, struct nslab_err *err)
{
	int r = write_bytes(b->wire[1], count);

	if (r < 0)
		return nslab_err_sys(err, -r, "starting the nodes' wiring");
	return 0;
}

/* Has the node's init exited (a zombie of the spawner, reaped, or its pid reused)? A zombie has
 * no start time for nslab_proc_starttime(). */
static bool node_gone(pid_t pid, unsigned long long start)
{
	return start == 0 || nslab_proc_starttime(pid) != start;
}

int nslab_brood_wait(struct nslab_brood *b, size_t count, const pid_t *pids, const unsigned long long *starts,
		     const char *const *names, struct nslab_err *err)
{
	size_t got = 0;
	int ret = 0;

	while (got < count) {
		struct pollfd pfd = { .fd = b->report[0], .events = POLLIN };
		struct brood_report rep;
		int pr = poll(&pfd, 1, 500);

		if (pr < 0) {
			if (errno == EINTR)
				continue;
			return nslab_err_sys(err, errno, "waiting for the nodes");
		}
		if (pr == 0) {
			/* a node that died without a report would make us wait forever: look */
			if (ret)
				return ret;
			for (size_t i = 0; i < b->spawned; i++)
				if (node_gone(pids[i], starts[i]))
					return nslab_err_set(err, ECHILD, "node %s: its init process died during setup",
							     names[i]);
			continue;
		}
		ssize_t r = read(b->report[0], &rep, sizeof(rep));
		if (r < 0 && errno == EINTR)
			continue;
		if (r == 0)
			return ret ? ret : nslab_err_set(err, EIO, "every node process is gone");
		if (r != sizeof(rep))
			return nslab_err_set(err, EIO, "short report from a node (%zd bytes)", r);
		got++;
		rep.msg[sizeof(rep.msg) - 1] = '\0';
		if (rep.code && !ret)
			ret = nslab_err_set(err, rep.code, "node %s: %s",
					    rep.idx >= 0 && (size_t)rep.idx < b->spawned ? names[rep.idx] : "?", rep.msg);
	}
	return ret;
}

void nslab_brood_close(struct nslab_brood *b)
{
	if (b->release >= 0)
		close(b->release);
	b->release = -1;
	if (b->sock >= 0)
		close(b->sock);
	b->sock = -1;
	if (b->spawner > 0)
		while (waitpid(b->spawner, NULL, 0) < 0 && errno == EINTR)
			;
	b->spawner = -1;
	close_pair(b->wire);
	close_pair(b->report);
}
