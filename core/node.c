// SPDX-License-Identifier: GPL-2.0-or-later
/* core/node.c: a node's init process, and entering a node to run programs in it. */
#include "node.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <poll.h>
#include <stdint.h>
#include <stdarg.h>

#include "../util/util.h"
#include "cgroup.h"
#include "plan.h"
#include "state.h"

extern char **environ;

#ifndef CLOSE_RANGE_UNSHARE
#define CLOSE_RANGE_UNSHARE (1U << 1)
#endif

/* In a node child: its index in the brood (reports carry it), inherited from the deployer. */
static size_t child_index;

static pid_t raw_clone(unsigned long flags)
{
	/* fork-like clone: NULL stack means the child runs on a copy of ours */
	return (pid_t)syscall(SYS_clone, flags | SIGCHLD, NULL, NULL, NULL, NULL);
}

static int sys_pidfd_open(pid_t pid)
{
	return (int)syscall(SYS_pidfd_open, pid, 0);
}

static int sys_pidfd_send_signal(int pidfd, int sig)
{
	return (int)syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0);
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

/* Drop the node's copies of namespace handles (nsfs bind mounts under /run/netns): they
 * would keep other labs' namespaces alive for as long as this node lives. */
static void detach_nsfs_mounts(void)
{
	_cleanup_fclose_ FILE *f = fopen("/proc/self/mountinfo", "re");
	char line[4096];

	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char mnt[4096];
		char *sep = strstr(line, " - ");
		if (!sep || strncmp(sep, " - nsfs ", 8) != 0)
			continue;
		if (sscanf(line, "%*s %*s %*s %*s %4095s", mnt) != 1)
			continue;
		/* mountinfo escapes spaces as \040; our own paths have none */
		umount2(mnt, MNT_DETACH);
	}
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
		} else if (sig == SIGTERM || sig == SIGINT) {
			_exit(0);
		}
	}
}

/* Close every inherited descriptor but keep[0..n-1] (sorted ascending): a forked child must not
 * hold the lab's lock or another node's pipes open. */
static void close_all_but(const int *keep, size_t n)
{
	unsigned from = 3;

	for (size_t i = 0; i < n; i++) {
		if (keep[i] < 3)
			continue;
		if ((unsigned)keep[i] > from)
			syscall(SYS_close_range, from, (unsigned)keep[i] - 1, 0U);
		from = (unsigned)keep[i] + 1;
	}
	syscall(SYS_close_range, from, ~0U, 0U);
}

static int cmp_int(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

static void write_sysctls(const char *const *kv, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		_cleanup_free_ char *path = nslab_sysctl_path(kv[2 * i]);
		_cleanup_close_ int fd = open(path, O_WRONLY | O_CLOEXEC);
		const char *v = kv[2 * i + 1];
		if (fd < 0 || write(fd, v, strlen(v)) < 0)
			child_fail(errno, "sysctl %s = %s", kv[2 * i], v);
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
	int hosts_fd = -1;
	int *bind_fds = NULL;
	char path[64];
	struct stat st;

	if (sethostname(s->name, strlen(s->name)) < 0)
		child_fail(errno, "setting hostname %s", s->name);
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		child_fail(errno, "making / private");

	/* open every source while the host's /run is still visible */
	if (s->hosts_path) {
		hosts_fd = open(s->hosts_path, O_PATH | O_CLOEXEC);
		if (hosts_fd < 0)
			child_fail(errno, "opening %s", s->hosts_path);
	}
	bind_fds = xcalloc(s->nbinds + 1, sizeof(int));
	for (size_t i = 0; i < s->nbinds; i++) {
		bind_fds[i] = open(s->binds[i].src, O_PATH | O_CLOEXEC);
		if (bind_fds[i] < 0)
			child_fail(errno, "bind %s:%s: opening the host path", s->binds[i].src, s->binds[i].dst);
		if (stat(s->binds[i].dst, &st) < 0)
			child_fail(errno, "bind %s:%s: the node path must exist (nodes share the host's filesystem)",
				   s->binds[i].src, s->binds[i].dst);
	}

	detach_nsfs_mounts();
	umount2("/proc", MNT_DETACH);
	if (mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
		child_fail(errno, "mounting /proc");
	umount2("/sys", MNT_DETACH);
	if (mount("sysfs", "/sys", "sysfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
		child_fail(errno, "mounting /sys");
	/* a private /run: daemons (FRR, bird) keep their pid files and sockets per node */
	if (mount("tmpfs", "/run", "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755,size=16m") < 0)
		child_fail(errno, "mounting /run");
	if (hosts_fd >= 0) {
		snprintf(path, sizeof(path), "/proc/self/fd/%d", hosts_fd);
		if (mount(path, "/etc/hosts", NULL, MS_BIND, NULL) < 0)
			child_fail(errno, "bind-mounting /etc/hosts");
		close(hosts_fd);
	}
	for (size_t i = 0; i < s->nbinds; i++) {
		const struct nslab_bind *b = &s->binds[i];
		snprintf(path, sizeof(path), "/proc/self/fd/%d", bind_fds[i]);
		if (mount(path, b->dst, NULL, MS_BIND | MS_REC, NULL) < 0)
			child_fail(errno, "bind %s:%s", b->src, b->dst);
		if (b->ro && mount(NULL, b->dst, NULL, MS_BIND | MS_REMOUNT | MS_RDONLY, NULL) < 0)
			child_fail(errno, "bind %s:%s: making it read-only", b->src, b->dst);
		close(bind_fds[i]);
	}
	free(bind_fds);
	if (chdir("/") < 0)
		child_fail(errno, "chdir /");
}

static void node_child(const struct nslab_node_spec *s, struct nslab_brood *b) __attribute__((noreturn));

static void node_child(const struct nslab_node_spec *s, struct nslab_brood *b)
{
	struct nslab_nl *nl = NULL;
	int keep[3] = { b->release[0], b->wire[0], b->report[1] };
	char go = 0;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	qsort(keep, 3, sizeof(int), cmp_int);
	close_all_but(keep, 3);
	report_fd = b->report[1];
	/* EOF here means the deployer died before journaling us: leave no trace */
	if (read(b->release[0], &go, 1) != 1)
		_exit(1);
	prctl(PR_SET_PDEATHSIG, 0);

	child_step = 1;
	/* the network namespace is made here, in parallel with the deployer's next clone()s:
	 * it is the costly one (about 0.5 ms) */
	if (unshare(CLONE_NEWNET) < 0)
		child_fail(errno, "creating its network namespace");
	node_setup(s);
	write_sysctls(s->early_sysctl, s->nearly_sysctl);
	send_batch(&nl, s->early);
	report(0, "ok");

	/* EOF: the deployer died; we are journaled, so destroy will find us */
	if (read(b->wire[0], &go, 1) == 1) {
		child_step = 2;
		send_batch(&nl, s->wire);
		write_sysctls(s->late_sysctl, s->nlate_sysctl);
		report(0, "ok");
	}
	if (nl)
		nslab_nl_close(nl);
	node_init_loop();
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

int nslab_brood_open(struct nslab_brood *b, struct nslab_err *err)
{
	memset(b, 0, sizeof(*b));
	b->release[0] = b->release[1] = b->wire[0] = b->wire[1] = b->report[0] = b->report[1] = -1;
	if (pipe2(b->release, O_CLOEXEC) < 0 || pipe2(b->wire, O_CLOEXEC) < 0 || pipe2(b->report, O_CLOEXEC) < 0) {
		int e = errno;
		nslab_brood_close(b);
		return nslab_err_sys(err, e, "creating the node pipes");
	}
	/* room for many reports and release bytes at once; best effort */
	fcntl(b->report[1], F_SETPIPE_SZ, 1 << 20);
	fcntl(b->release[1], F_SETPIPE_SZ, 1 << 20);
	fcntl(b->wire[1], F_SETPIPE_SZ, 1 << 20);
	return 0;
}

int nslab_brood_spawn(struct nslab_brood *b, const struct nslab_node_spec *s, pid_t *pidp,
		      unsigned long long *start, struct nslab_err *err)
{
	pid_t pid;

	child_index = b->spawned;
	pid = raw_clone(NSLAB_NODE_NSFLAGS & ~CLONE_NEWNET);
	if (pid < 0)
		return nslab_err_sys(err, errno, "node %s: creating its namespaces (clone)", s->name);
	if (pid == 0)
		node_child(s, b);
	b->spawned++;
	*pidp = pid;
	/* the child is ours and waiting, so its pid cannot be reused yet */
	*start = nslab_proc_starttime(pid);
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

void nslab_brood_seal(struct nslab_brood *b)
{
	/* from now on only the children hold these ends */
	if (b->release[0] >= 0) {
		close(b->release[0]);
		b->release[0] = -1;
	}
	if (b->wire[0] >= 0) {
		close(b->wire[0]);
		b->wire[0] = -1;
	}
	if (b->report[1] >= 0) {
		close(b->report[1]);
		b->report[1] = -1;
	}
}

int nslab_brood_release(struct nslab_brood *b, size_t count, struct nslab_err *err)
{
	/* The children spawned since the last release, and only they, hold this pipe's read end:
	 * write one byte each, then start a new pipe for the next ones, so that no child born
	 * later can take a byte meant for a journaled one. */
	int r = write_bytes(b->release[1], count);

	close_pair(b->release);
	if (r == 0 && pipe2(b->release, O_CLOEXEC) < 0)
		r = -errno;

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

int nslab_brood_wait(struct nslab_brood *b, size_t count, const pid_t *pids, const char *const *names,
		     struct nslab_err *err)
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
			for (size_t i = 0; i < b->spawned; i++) {
				int st;
				if (waitpid(pids[i], &st, WNOHANG) == pids[i]) {
					return nslab_err_set(err, ECHILD, "node %s: its init process died during setup (%s %d)",
							     names[i], WIFSIGNALED(st) ? "signal" : "status",
							     WIFSIGNALED(st) ? WTERMSIG(st) : WEXITSTATUS(st));
				}
			}
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
	close_pair(b->release);
	close_pair(b->wire);
	close_pair(b->report);
}

int nslab_pidfd_open_verified(pid_t pid, unsigned long long start)
{
	int fd;

	if (pid <= 0)
		return -ESRCH;
	fd = sys_pidfd_open(pid);
	if (fd < 0)
		return -errno;
	/* the pidfd pins one process; check it is the one we journaled */
	if (nslab_proc_starttime(pid) != start || sys_pidfd_send_signal(fd, 0) < 0) {
		close(fd);
		return -ESRCH;
	}
	return fd;
}

int nslab_pidfd_ns_open(int pidfd, pid_t pid, const char *ns)
{
	char path[64];
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/ns/%s", (int)pid, ns);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	/* still alive after the open: the namespace is that process's */
	if (sys_pidfd_send_signal(pidfd, 0) < 0) {
		close(fd);
		return -ESRCH;
	}
	return fd;
}

pid_t nslab_pidfd_pid(int pidfd)
{
	char path[64], line[128];
	_cleanup_fclose_ FILE *f = NULL;
	pid_t pid = -1;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", pidfd);
	f = fopen(path, "re");
	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "Pid: %d", &pid) == 1)
			break;
	return pid;
}

int nslab_node_join_cgroups(int pidfd, struct nslab_err *err)
{
	struct nslab_cg_sys cg;
	pid_t pid = nslab_pidfd_pid(pidfd);

	if (pid <= 0)
		return nslab_err_set(err, ESRCH, "the node's init process is gone");
	if (nslab_cg_detect(&cg, NULL) < 0)
		return 0; /* no cgroups here: the node has none either */
	return nslab_cg_join_pid_cgroups(&cg, pid, err);
}

int nslab_node_enter(int pidfd, struct nslab_err *err)
{
	if (setns(pidfd, NSLAB_NODE_NSFLAGS) < 0)
		return nslab_err_sys(err, errno, "entering the node's namespaces");
	if (chdir("/") < 0)
		return nslab_err_sys(err, errno, "chdir / in the node");
	return 0;
}

char **nslab_env_build(char *const env[])
{
	size_t n = 0, m = 0, k = 0;
	char **out;

	while (environ && environ[n])
		n++;
	while (env && env[m])
		m++;
	out = xcalloc(n + m + 1, sizeof(char *));
	for (size_t i = 0; i < n; i++) {
		const char *eq = strchr(environ[i], '=');
		size_t klen = eq ? (size_t)(eq - environ[i]) : strlen(environ[i]);
		bool overridden = false;
		for (size_t j = 0; j < m && !overridden; j++)
			overridden = strncmp(env[j], environ[i], klen) == 0 && env[j][klen] == '=';
		if (!overridden)
			out[k++] = xstrdup(environ[i]);
	}
	for (size_t j = 0; j < m; j++)
		out[k++] = xstrdup(env[j]);
	out[k] = NULL;
	return out;
}

void nslab_env_free(char **envp)
{
	if (!envp)
		return;
	for (size_t i = 0; envp[i]; i++)
		free(envp[i]);
	free(envp);
}

int nslab_node_run(int pidfd, char *const argv[], char *const env[], int out_fd, int *status,
		   struct nslab_err *err)
{
	char **envp = nslab_env_build(env);
	int wstatus = 0;
	pid_t pid;

	pid = fork();
	if (pid < 0) {
		int e = errno;
		nslab_env_free(envp);
		return nslab_err_sys(err, e, "fork");
	}
	if (pid == 0) {
		pid_t inner;
		int st = 0;

		if (out_fd >= 0) {
			int devnull = open("/dev/null", O_RDONLY);
			if (devnull >= 0)
				dup2(devnull, 0);
			dup2(out_fd, 1);
			dup2(out_fd, 2);
		}
		struct nslab_err cerr = { 0 };
		/* into the node's cgroups first, while the host's /proc and cgroup mounts are visible:
		 * the program and everything it starts count against the node's limits */
		if (nslab_node_join_cgroups(pidfd, &cerr) < 0) {
			dprintf(2, "nslab: %s\n", cerr.msg);
			_exit(126);
		}
		if (setns(pidfd, NSLAB_NODE_NSFLAGS) < 0) {
			dprintf(2, "nslab: entering the node: %s\n", strerror(errno));
			_exit(126);
		}
		close_all_but(NULL, 0);
		if (chdir("/") < 0)
			_exit(126);
		signal(SIGINT, SIG_IGN);
		signal(SIGQUIT, SIG_IGN);
		inner = fork();
		if (inner < 0)
			_exit(126);
		if (inner == 0) {
			signal(SIGINT, SIG_DFL);
			signal(SIGQUIT, SIG_DFL);
			execvpe(argv[0], argv, envp);
			dprintf(2, "nslab: %s: %s\n", argv[0], strerror(errno));
			_exit(errno == ENOENT ? 127 : 126);
		}
		while (waitpid(inner, &st, 0) < 0 && errno == EINTR)
			;
		_exit(WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
	}
	nslab_env_free(envp);
	while (waitpid(pid, &wstatus, 0) < 0) {
		if (errno != EINTR)
			return nslab_err_sys(err, errno, "waiting for the command");
	}
	*status = WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : 128 + WTERMSIG(wstatus);
	return 0;
}
