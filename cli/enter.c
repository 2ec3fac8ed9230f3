// SPDX-License-Identifier: GPL-2.0-or-later
/* cli/enter.c: `nslab exec` (a program in a node, exit status passed through) and `nslab attach`
 * (an interactive shell in a node on a new pty, relayed to the user's terminal). */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "../core/lab.h"
#include "../core/node.h"
#include "../util/util.h"
#include "cli.h"

int cmd_exec(int argc, char **argv)
{
	const struct cli_cmd *c = cli_find("exec");
	struct nslab_err err = { 0 };
	char **env = NULL;
	int pidfd, status = 0, first;

	if (cli_exec_is_multi(argc, argv))
		return cmd_exec_multi(argc, argv);
	if (argc < 4)
		return cli_usage_error(c, "expects LAB NODE CMD");
	first = 3;
	if (strcmp(argv[3], "--") == 0)
		first = 4;
	if (first >= argc)
		return cli_usage_error(c, "no command given");
	if (nslab_lab_node_open(argv[1], argv[2], &pidfd, &env, &err) < 0) {
		fprintf(stderr, "nslab: %s\n", err.msg);
		return EXIT_FAIL;
	}
	signal(SIGINT, SIG_IGN);
	signal(SIGQUIT, SIG_IGN);
	if (nslab_node_run(pidfd, argv + first, env, -1, &status, &err) < 0) {
		fprintf(stderr, "nslab: %s\n", err.msg);
		status = EXIT_FAIL;
	}
	nslab_env_free(env);
	close(pidfd);
	return status;
}

static const char *pick_shell(const char *given)
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

static struct termios saved_tio;
static bool tio_saved;

static void restore_tty(void)
{
	if (tio_saved)
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved_tio);
}

static bool copy_fd(int from, int to)
{
	char buf[8192];
	ssize_t r = read(from, buf, sizeof(buf));

	if (r < 0 && (errno == EINTR || errno == EAGAIN))
		return true;
	if (r <= 0)
		return false;
	for (ssize_t off = 0; off < r;) {
		ssize_t w = write(to, buf + off, (size_t)(r - off));
		if (w < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			return false;
		}
		off += w;
	}
	return true;
}

int cmd_attach(int argc, char **argv)
{
	const struct cli_cmd *c = cli_find("attach");
	struct nslab_err err = { 0 };
	const char *shell_opt = NULL, *shell;
	char **env = NULL, **envp;
	int pidfd, master = -1, slave = -1, sfd, status = 0;
	struct winsize ws = { 0 };
	sigset_t mask;
	pid_t pid;

	static const struct option opts[] = { { "shell", required_argument, NULL, 's' }, { 0 } };
	int o;

	optind = 1;
	while ((o = getopt_long(argc, argv, "s:", opts, NULL)) != -1) {
		if (o == 's')
			shell_opt = optarg;
		else
			return cli_usage_error(c, "bad option");
	}
	if (argc - optind != 2)
		return cli_usage_error(c, "expects LAB NODE");
	argv += optind - 1;
	if (nslab_lab_node_open(argv[1], argv[2], &pidfd, &env, &err) < 0) {
		fprintf(stderr, "nslab: %s\n", err.msg);
		return EXIT_FAIL;
	}
	shell = pick_shell(shell_opt);
	if (!isatty(STDIN_FILENO)) {
		/* no terminal: the shell reads the caller's stdin (scripts, pipes) */
		char *args[] = { (char *)shell, NULL };
		if (nslab_node_run(pidfd, args, env, -1, &status, &err) < 0) {
			fprintf(stderr, "nslab: %s\n", err.msg);
			status = EXIT_FAIL;
		}
		nslab_env_free(env);
		close(pidfd);
		return status;
	}

	ioctl(STDIN_FILENO, TIOCGWINSZ, &ws);
	if (tcgetattr(STDIN_FILENO, &saved_tio) == 0)
		tio_saved = true;
	if (openpty(&master, &slave, NULL, tio_saved ? &saved_tio : NULL, &ws) < 0) {
		perror("nslab: openpty");
		return EXIT_FAIL;
	}
	envp = nslab_env_build(env);
	nslab_env_free(env);
	fprintf(stderr, "nslab: attached to %s in lab %s (%s); exit the shell to detach\n", argv[2], argv[1], shell);

	sigemptyset(&mask);
	sigaddset(&mask, SIGWINCH);
	sigaddset(&mask, SIGCHLD);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGHUP);
	sigprocmask(SIG_BLOCK, &mask, NULL);

	pid = fork();
	if (pid < 0) {
		perror("nslab: fork");
		return EXIT_FAIL;
	}
	if (pid == 0) {
		pid_t inner;
		int st = 0;
		sigprocmask(SIG_UNBLOCK, &mask, NULL);
		close(master);
		if (nslab_node_join_cgroups(pidfd, &err) < 0 || nslab_node_enter(pidfd, &err) < 0) {
			fprintf(stderr, "nslab: %s\n", err.msg);
			_exit(126);
		}
		inner = fork();
		if (inner == 0) {
			setsid();
			ioctl(slave, TIOCSCTTY, 0);
			dup2(slave, 0);
			dup2(slave, 1);
			dup2(slave, 2);
			if (slave > 2)
				close(slave);
			execle(shell, shell, (char *)NULL, envp);
			fprintf(stderr, "nslab: %s: %s\n", shell, strerror(errno));
			_exit(127);
		}
		close(slave);
		signal(SIGINT, SIG_IGN);
		while (waitpid(inner, &st, 0) < 0 && errno == EINTR)
			;
		_exit(WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
	}
	close(slave);
	nslab_env_free(envp);
	sfd = signalfd(-1, &mask, SFD_CLOEXEC);

	if (tio_saved) {
		struct termios raw = saved_tio;
		cfmakeraw(&raw);
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &raw);
		atexit(restore_tty);
	}
	for (bool open_in = true;;) {
		struct pollfd p[3] = { { master, POLLIN, 0 }, { sfd, POLLIN, 0 }, { open_in ? STDIN_FILENO : -1, POLLIN, 0 } };
		if (poll(p, 3, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (p[1].revents & POLLIN) {
			struct signalfd_siginfo si;
			if (read(sfd, &si, sizeof(si)) == sizeof(si)) {
				if (si.ssi_signo == SIGWINCH) {
					if (ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) == 0)
						ioctl(master, TIOCSWINSZ, &ws);
				} else if (si.ssi_signo == SIGTERM || si.ssi_signo == SIGHUP) {
					kill(pid, SIGKILL);
				}
			}
		}
		if (p[2].revents & (POLLIN | POLLHUP)) {
			if (!copy_fd(STDIN_FILENO, master))
				open_in = false;
		}
		if (p[0].revents & (POLLIN | POLLHUP | POLLERR)) {
			if (!copy_fd(master, STDOUT_FILENO))
				break; /* EIO: the shell and everything on the pty are gone */
		}
	}
	restore_tty();
	close(master);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	close(pidfd);
	fprintf(stderr, "\r\nnslab: detached from %s\n", argv[2]);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
