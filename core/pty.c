// SPDX-License-Identifier: GPL-2.0-or-later
/* core/pty.c: a shell in a node on a new pty, for `nslab attach` and the console. */
#include <errno.h>
#include <fcntl.h>
#include <pty.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../util/util.h"
#include "lab.h"
#include "node.h"
#include "pty.h"

const char *nslab_shell_pick(const char *given)
{
	const char *sh = getenv("SHELL");

	if (given)
		return given;
	if (sh && access(sh, X_OK) == 0)
		return sh;
	if (access("/bin/bash", X_OK) == 0)
		return "/bin/bash";
	return "/bin/sh";
}

/* The helper: default signals, only the pty and the node's pidfd open, into the node's cgroups and
 * namespaces, then the shell as a grandchild (born in the node's PID namespace) leading a new
 * session on the pty. */
static void __attribute__((noreturn)) helper(int slave, int pidfd, const char *shell, char **envp)
{
	struct nslab_err err = { 0 };
	sigset_t none;
	pid_t inner;
	int st = 0;

	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	for (int s = 1; s < NSIG; s++)
		signal(s, SIG_DFL);
	dup2(slave, 0);
	dup2(slave, 1);
	dup2(slave, 2);
	if (slave > 2)
		close(slave);
	nslab_close_fds_except(&pidfd, 1);
	if (nslab_node_join_cgroups(pidfd, &err) < 0 || nslab_node_enter(pidfd, &err) < 0) {
		fprintf(stderr, "nslab: %s\r\n", err.msg);
		_exit(126);
	}
	close(pidfd);
	inner = fork();
	if (inner == 0) {
		setsid();
		ioctl(0, TIOCSCTTY, 0);
		execle(shell, shell, (char *)NULL, envp);
		fprintf(stderr, "nslab: %s: %s\r\n", shell, strerror(errno));
		_exit(127);
	}
	if (inner < 0)
		_exit(126);
	/* keep no pty fd open, so that the master reads EIO once the shell's session is gone */
	close(0);
	close(1);
	close(2);
	signal(SIGINT, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	while (waitpid(inner, &st, 0) < 0 && errno == EINTR)
		;
	_exit(WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
}

static void env_freep(char ***envp)
{
	nslab_env_free(*envp);
}

int nslab_pty_spawn(const char *lab, const char *node, const struct nslab_pty_opts *o, int *masterp, pid_t *pidp,
		    struct nslab_err *err)
{
	__attribute__((cleanup(env_freep))) char **env = NULL, **envp = NULL;
	_cleanup_close_ int pidfd = -1, master = -1, slave = -1;
	_cleanup_free_ char *term = NULL;
	_cleanup_free_ char **extra = NULL;
	const char *shell = nslab_shell_pick(o->shell);
	size_t n = 0;
	pid_t pid;
	int r;

	r = nslab_lab_node_open(lab, node, &pidfd, &env, err);
	if (r < 0)
		return r;
	/* in the node's own /dev/pts (core/rootfs.c), so that tty(1) and ttyname(3) work there */
	if (nslab_node_openpty(pidfd, &master, &slave, o->tio, o->ws) < 0)
		return nslab_err_sys(err, errno, "opening a pseudo-terminal for %s", node);
	/* the node's env:, then the terminal the caller emulates */
	while (env && env[n])
		n++;
	extra = xcalloc(n + 2, sizeof(char *));
	for (size_t i = 0; i < n; i++)
		extra[i] = env[i];
	if (o->term)
		extra[n] = term = xasprintf("TERM=%s", o->term);
	envp = nslab_env_build(extra);

	pid = fork();
	if (pid < 0)
		return nslab_err_sys(err, errno, "fork for a shell on %s", node);
	if (pid == 0)
		helper(slave, pidfd, shell, envp);
	fcntl(master, F_SETFD, FD_CLOEXEC);
	*masterp = take_fd(&master);
	*pidp = pid;
	return 0;
}
