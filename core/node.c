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

#include "../util/util.h"
#include "state.h"

extern char **environ;

#ifndef CLOSE_RANGE_UNSHARE
#define CLOSE_RANGE_UNSHARE (1U << 1)
#endif

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

static void child_fail(int status_fd, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4), noreturn));

static void child_fail(int status_fd, int code, const char *fmt, ...)
{
	char msg[1024];
	int n;
	va_list ap;

	n = snprintf(msg, sizeof(msg), "E%d:", code);
	va_start(ap, fmt);
	vsnprintf(msg + n, sizeof(msg) - (size_t)n, fmt, ap);
	va_end(ap);
	if (write(status_fd, msg, strlen(msg)) < 0) {
		/* nobody is listening: nothing more to do */
	}
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

static void node_child(const struct nslab_node_spec *s, int sync_rd, int status_wr)
{
	int hosts_fd = -1;
	int *bind_fds = NULL;
	char go = 0, path[64];
	struct stat st;
	int keep[2] = { sync_rd < status_wr ? sync_rd : status_wr, sync_rd < status_wr ? status_wr : sync_rd };

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	close_all_but(keep, 2);
	/* EOF here means the deployer died before journaling us: leave no trace */
	if (read(sync_rd, &go, 1) != 1 || go != 'G')
		_exit(1);
	close(sync_rd);
	prctl(PR_SET_PDEATHSIG, 0);

	if (sethostname(s->name, strlen(s->name)) < 0)
		child_fail(status_wr, errno, "setting hostname %s", s->name);
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		child_fail(status_wr, errno, "making / private");

	/* open every source while the host's /run is still visible */
	if (s->hosts_path) {
		hosts_fd = open(s->hosts_path, O_PATH | O_CLOEXEC);
		if (hosts_fd < 0)
			child_fail(status_wr, errno, "opening %s", s->hosts_path);
	}
	bind_fds = xcalloc(s->nbinds + 1, sizeof(int));
	for (size_t i = 0; i < s->nbinds; i++) {
		bind_fds[i] = open(s->binds[i].src, O_PATH | O_CLOEXEC);
		if (bind_fds[i] < 0)
			child_fail(status_wr, errno, "bind %s:%s: opening the host path", s->binds[i].src,
				   s->binds[i].dst);
		if (stat(s->binds[i].dst, &st) < 0)
			child_fail(status_wr, errno,
				   "bind %s:%s: the node path must exist (nodes share the host's filesystem)",
				   s->binds[i].src, s->binds[i].dst);
	}

	detach_nsfs_mounts();
	umount2("/proc", MNT_DETACH);
	if (mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
		child_fail(status_wr, errno, "mounting /proc");
	umount2("/sys", MNT_DETACH);
	if (mount("sysfs", "/sys", "sysfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
		child_fail(status_wr, errno, "mounting /sys");
	/* a private /run: daemons (FRR, bird) keep their pid files and sockets per node */
	if (mount("tmpfs", "/run", "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755,size=16m") < 0)
		child_fail(status_wr, errno, "mounting /run");
	if (hosts_fd >= 0) {
		snprintf(path, sizeof(path), "/proc/self/fd/%d", hosts_fd);
		if (mount(path, "/etc/hosts", NULL, MS_BIND, NULL) < 0)
			child_fail(status_wr, errno, "bind-mounting /etc/hosts");
	}
	for (size_t i = 0; i < s->nbinds; i++) {
		const struct nslab_bind *b = &s->binds[i];
		snprintf(path, sizeof(path), "/proc/self/fd/%d", bind_fds[i]);
		if (mount(path, b->dst, NULL, MS_BIND | MS_REC, NULL) < 0)
			child_fail(status_wr, errno, "bind %s:%s", b->src, b->dst);
		if (b->ro && mount(NULL, b->dst, NULL, MS_BIND | MS_REMOUNT | MS_RDONLY, NULL) < 0)
			child_fail(status_wr, errno, "bind %s:%s: making it read-only", b->src, b->dst);
	}
	if (chdir("/") < 0)
		child_fail(status_wr, errno, "chdir /");
	if (write(status_wr, "OK", 2) != 2)
		_exit(1);
	node_init_loop();
}

/* ---- the parent side ---- */

int nslab_node_spawn(const struct nslab_node_spec *s, struct nslab_node_proc *p, struct nslab_err *err)
{
	int sync_p[2], status_p[2];
	pid_t pid;

	p->pid = -1;
	p->sync_fd = p->status_fd = -1;
	if (pipe2(sync_p, O_CLOEXEC) < 0)
		return nslab_err_sys(err, errno, "node %s: pipe", s->name);
	if (pipe2(status_p, O_CLOEXEC) < 0) {
		int e = errno;
		close(sync_p[0]);
		close(sync_p[1]);
		return nslab_err_sys(err, e, "node %s: pipe", s->name);
	}
	pid = raw_clone(NSLAB_NODE_NSFLAGS);
	if (pid < 0) {
		int e = errno;
		close(sync_p[0]);
		close(sync_p[1]);
		close(status_p[0]);
		close(status_p[1]);
		return nslab_err_sys(err, e, "node %s: creating its namespaces (clone)", s->name);
	}
	if (pid == 0) {
		close(sync_p[1]);
		close(status_p[0]);
		node_child(s, sync_p[0], status_p[1]);
		_exit(1);
	}
	close(sync_p[0]);
	close(status_p[1]);
	p->pid = pid;
	p->sync_fd = sync_p[1];
	p->status_fd = status_p[0];
	/* the child is ours and waiting, so its pid cannot be reused yet */
	p->start = nslab_proc_starttime(pid);
	return 0;
}

int nslab_node_release(struct nslab_node_proc *p, struct nslab_err *err)
{
	ssize_t w = write(p->sync_fd, "G", 1);

	close(p->sync_fd);
	p->sync_fd = -1;
	if (w != 1)
		return nslab_err_sys(err, errno ? errno : EPIPE, "releasing node process %d", (int)p->pid);
	return 0;
}

int nslab_node_wait_ready(struct nslab_node_proc *p, const char *name, struct nslab_err *err)
{
	char buf[1100];
	size_t n = 0;

	for (;;) {
		ssize_t r = read(p->status_fd, buf + n, sizeof(buf) - 1 - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		n += (size_t)r;
		if (n >= 2 && memcmp(buf, "OK", 2) == 0)
			break;
		if (n == sizeof(buf) - 1)
			break;
	}
	buf[n] = '\0';
	close(p->status_fd);
	p->status_fd = -1;
	if (n >= 2 && memcmp(buf, "OK", 2) == 0)
		return 0;
	if (buf[0] == 'E') {
		char *colon = strchr(buf, ':');
		int code = atoi(buf + 1);
		return nslab_err_set(err, code > 0 ? code : EIO, "node %s: %s: %s", name,
				     colon ? colon + 1 : buf, strerror(code > 0 ? code : EIO));
	}
	return nslab_err_set(err, EIO, "node %s: its init process died during setup", name);
}

void nslab_node_proc_close(struct nslab_node_proc *p)
{
	if (p->sync_fd >= 0)
		close(p->sync_fd);
	if (p->status_fd >= 0)
		close(p->status_fd);
	p->sync_fd = p->status_fd = -1;
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
