// SPDX-License-Identifier: GPL-2.0-or-later
/* core/node_enter.c: a running node, proved by pidfd and start time, entered to run programs in it. */
#include "node.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "../util/pack.h"
#include "../util/util.h"
#include "cgroup.h"
#include "pidfd.h"
#include "rundir.h"

extern char **environ;

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

int nslab_node_openpty(int pidfd, int *master, int *slave, const struct termios *tio, const struct winsize *ws)
{
	pid_t pid = nslab_pidfd_pid(pidfd);
	char path[64];
	int m, s, e;

	if (pid <= 0) {
		errno = ESRCH;
		return -1;
	}
	/* the node's ptmx (core/rootfs.c: mode 0666), reached through its root; the slave by the master,
	 * no path lookup (TIOCGPTPEER) */
	snprintf(path, sizeof(path), "/proc/%d/root/dev/pts/ptmx", (int)pid);
	m = open(path, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (m < 0)
		return -1;
	if (sys_pidfd_send_signal(pidfd, 0) < 0 || unlockpt(m) < 0 ||
	    (s = ioctl(m, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC)) < 0) {
		e = errno;
		close(m);
		errno = e;
		return -1;
	}
	if (tio)
		tcsetattr(s, TCSAFLUSH, tio);
	if (ws)
		ioctl(s, TIOCSWINSZ, ws);
	*master = m;
	*slave = s;
	return 0;
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

/* The program the helper below waits for. */
static volatile pid_t run_program;

/* In the helper: a signal sent by a process (nslab exec forwarding SIGTERM, someone's kill) goes on
 * to the program; one from the terminal (SI_KERNEL: Ctrl-C, hangup) reached the program already,
 * which is in the same process group. */
static void run_forward(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	if (si->si_code != SI_KERNEL && run_program > 0)
		kill(run_program, sig);
}

int nslab_node_start(int pidfd, char *const argv[], char *const env[], int out_fd, pid_t *pidp,
		     struct nslab_err *err)
{
	static const int forwarded[] = { SIGINT, SIGQUIT, SIGTERM, SIGHUP };
	char **envp = nslab_env_build(env);
	pid_t pid, parent = getpid();

	pid = fork();
	if (pid < 0) {
		int e = errno;
		nslab_env_free(envp);
		return nslab_err_sys(err, e, "fork");
	}
	if (pid == 0) {
		struct sigaction sa = { .sa_sigaction = run_forward, .sa_flags = SA_SIGINFO };
		sigset_t fwd;
		pid_t inner;
		int st = 0;

		/* the helper, and through it the program, end with their caller (even on kill -9) */
		if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != parent)
			_exit(126);
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
		nslab_close_fds_except(NULL, 0);
		if (chdir("/") < 0)
			_exit(126);
		signal(SIGINT, SIG_IGN);
		signal(SIGQUIT, SIG_IGN);
		inner = fork();
		if (inner < 0)
			_exit(126);
		if (inner == 0) {
			sigset_t none;
			prctl(PR_SET_PDEATHSIG, SIGKILL); /* the helper is the program's only link to nslab */
			/* the program starts with default signals: nothing blocked (a deploy blocks
			 * SIGINT/TERM/HUP) and SIGPIPE not ignored (a deploy ignores it) */
			signal(SIGINT, SIG_DFL);
			signal(SIGQUIT, SIG_DFL);
			signal(SIGPIPE, SIG_DFL);
			sigemptyset(&none);
			sigprocmask(SIG_SETMASK, &none, NULL);
			/* execvpe() searches the caller's PATH, not envp's: a node's PATH (lab.conf's
			 * service shims) must decide which program runs */
			environ = envp;
			execvpe(argv[0], argv, envp);
			dprintf(2, "nslab: %s: %s\n", argv[0], strerror(errno));
			_exit(errno == ENOENT ? 127 : 126);
		}
		run_program = inner;
		sigemptyset(&fwd);
		for (size_t i = 0; i < ARRAY_SIZE(forwarded); i++) {
			sigaction(forwarded[i], &sa, NULL);
			sigaddset(&fwd, forwarded[i]);
		}
		sigprocmask(SIG_UNBLOCK, &fwd, NULL);
		while (waitpid(inner, &st, 0) < 0 && errno == EINTR)
			;
		_exit(WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
	}
	nslab_env_free(envp);
	*pidp = pid;
	return 0;
}

int nslab_node_exit_code(int wstatus)
{
	return WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : 128 + WTERMSIG(wstatus);
}

int nslab_node_run(int pidfd, char *const argv[], char *const env[], int out_fd, int *status,
		   struct nslab_err *err)
{
	int wstatus = 0, r;
	pid_t pid;

	r = nslab_node_start(pidfd, argv, env, out_fd, &pid, err);
	if (r < 0)
		return r;
	while (waitpid(pid, &wstatus, 0) < 0) {
		if (errno != EINTR)
			return nslab_err_sys(err, errno, "waiting for the command");
	}
	*status = nslab_node_exit_code(wstatus);
	return 0;
}
