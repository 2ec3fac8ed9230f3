// SPDX-License-Identifier: GPL-2.0-or-later
/* cli/cmd-attach.c: `nslab attach LAB NODE`: an interactive shell in a node on a new pty (core/pty.c),
 * relayed to the user's terminal in raw mode. */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
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
#include "../core/pty.h"
#include "../util/util.h"
#include "cli.h"

extern const struct cli_cmd cli_cmd_attach;

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

/* No terminal: the shell reads the caller's stdin (scripts, pipes). */
static int attach_piped(const char *lab, const char *node, const char *shell)
{
	struct nslab_err err = { 0 };
	_cleanup_close_ int pidfd = -1;
	char **env = NULL;
	char *args[] = { (char *)shell, NULL };
	int status = 0, r;

	if (nslab_lab_node_open(lab, node, &pidfd, &env, &err) < 0)
		return cli_fail_node(lab, &err);
	r = nslab_node_run(pidfd, args, env, -1, &status, &err);
	nslab_env_free(env);
	return r < 0 ? cli_fail(&err) : status;
}

/* Relay between the terminal and the pty until the shell's session is gone. */
static void relay(int master, int sfd, pid_t pid)
{
	struct winsize ws;

	for (bool open_in = true;;) {
		struct pollfd p[3] = { { master, POLLIN, 0 }, { sfd, POLLIN, 0 }, { open_in ? STDIN_FILENO : -1, POLLIN, 0 } };
		if (poll(p, 3, -1) < 0) {
			if (errno == EINTR)
				continue;
			return;
		}
		if (p[1].revents & POLLIN) {
			struct signalfd_siginfo si;
			if (read(sfd, &si, sizeof(si)) == sizeof(si)) {
				if (si.ssi_signo == SIGWINCH) {
					if (ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) == 0)
						ioctl(master, TIOCSWINSZ, &ws);
				} else if (si.ssi_signo == SIGTERM || si.ssi_signo == SIGHUP) {
					/* the helper now; the shell's session gets SIGHUP when the master closes */
					kill(pid, SIGKILL);
					return;
				}
			}
		}
		if (p[2].revents & (POLLIN | POLLHUP)) {
			if (!copy_fd(STDIN_FILENO, master))
				open_in = false;
		}
		if (p[0].revents & (POLLIN | POLLHUP | POLLERR)) {
			if (!copy_fd(master, STDOUT_FILENO))
				return; /* EIO: the shell and everything on the pty are gone */
		}
	}
}

static int cmd_attach(int argc, char **argv)
{
	static const struct option opts[] = { { "shell", required_argument, NULL, 's' }, { 0 } };
	const struct cli_cmd *c = &cli_cmd_attach;
	struct nslab_err err = { 0 };
	const char *shell_opt = NULL, *lab, *node;
	_cleanup_close_ int master = -1, sfd = -1;
	struct nslab_pty_opts po = { 0 };
	struct winsize ws = { 0 };
	int status = 0, o;
	sigset_t mask;
	pid_t pid;

	cli_getopt_reset();
	while ((o = getopt_long(argc, argv, ":s:", opts, NULL)) != -1) {
		if (o == 's')
			shell_opt = optarg;
		else
			return cli_bad_option(c, argv, o);
	}
	if (argc - optind != 2)
		return cli_usage_error(c, "expects LAB NODE");
	lab = argv[optind];
	node = argv[optind + 1];
	po.shell = nslab_shell_pick(shell_opt);
	if (!isatty(STDIN_FILENO))
		return attach_piped(lab, node, po.shell);

	if (ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) == 0)
		po.ws = &ws;
	if (tcgetattr(STDIN_FILENO, &saved_tio) == 0) {
		tio_saved = true;
		po.tio = &saved_tio;
	}
	sigemptyset(&mask);
	sigaddset(&mask, SIGWINCH);
	sigaddset(&mask, SIGCHLD);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGHUP);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	if (nslab_pty_spawn(lab, node, &po, &master, &pid, &err) < 0)
		return cli_fail_node(lab, &err);
	fprintf(stderr, "nslab: attached to %s in lab %s (%s); exit the shell to detach\n", node, lab, po.shell);
	sfd = signalfd(-1, &mask, SFD_CLOEXEC);
	if (tio_saved) {
		struct termios raw = saved_tio;
		cfmakeraw(&raw);
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &raw);
		atexit(restore_tty);
	}
	relay(master, sfd, pid);
	restore_tty();
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	fprintf(stderr, "\r\nnslab: detached from %s\n", node);
	return nslab_node_exit_code(status);
}

const struct cli_cmd cli_cmd_attach = {
	"attach", "LAB NODE [--shell PATH]", "open an interactive shell inside a node",
	"  --shell PATH  program to run (default: $SHELL if it exists, else /bin/bash, /bin/sh)\n"
	"Runs on a new pseudo-terminal; exit the shell to detach.\n",
	cmd_attach,
};
