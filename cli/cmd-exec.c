// SPDX-License-Identifier: GPL-2.0-or-later
/* cli/cmd-exec.c: `nslab exec LAB NODE -- CMD`: a program in a node, its exit status passed through;
 * signals sent to nslab go on to the program, and the program ends if nslab dies. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../core/lab.h"
#include "../core/node.h"
#include "../util/util.h"
#include "cli.h"

extern const struct cli_cmd cli_cmd_exec;

/*
 * Wait for the helper running the program (core/node.c), passing on SIGTERM, SIGHUP, SIGINT and
 * SIGQUIT sent to us by a process (kill, timeout, a supervisor); the helper passes them to the
 * program. Those from the terminal (Ctrl-C) reach the program directly: it is in our process group.
 */
static int wait_forwarding(pid_t helper, int sfd)
{
	int st = 0;

	for (;;) {
		struct pollfd p = { sfd, POLLIN, 0 };
		struct signalfd_siginfo si;
		pid_t r = waitpid(helper, &st, WNOHANG);

		if (r == helper)
			return nslab_node_exit_code(st);
		if (r < 0 && errno != EINTR)
			return EXIT_FAIL;
		if (poll(&p, 1, -1) < 0 && errno != EINTR)
			return EXIT_FAIL;
		while (read(sfd, &si, sizeof(si)) == sizeof(si))
			if (si.ssi_signo != SIGCHLD && si.ssi_code != SI_KERNEL)
				kill(helper, (int)si.ssi_signo);
	}
}

static int cmd_exec(int argc, char **argv)
{
	static const int sigs[] = { SIGINT, SIGQUIT, SIGTERM, SIGHUP, SIGCHLD };
	const struct cli_cmd *c = &cli_cmd_exec;
	struct nslab_err err = { 0 };
	_cleanup_close_ int pidfd = -1, sfd = -1;
	char **env = NULL;
	sigset_t mask;
	int first, r;
	pid_t helper;

	if (cli_exec_is_multi(argc, argv))
		return cmd_exec_multi(argc, argv);
	if (argc < 4)
		return cli_usage_error(c, "expects LAB NODE CMD");
	first = 3;
	if (strcmp(argv[3], "--") == 0)
		first = 4;
	if (first >= argc)
		return cli_usage_error(c, "no command given");
	if (nslab_lab_node_open(argv[1], argv[2], &pidfd, &env, &err) < 0)
		return cli_fail_node(argv[1], &err);
	sigemptyset(&mask);
	for (size_t i = 0; i < ARRAY_SIZE(sigs); i++)
		sigaddset(&mask, sigs[i]);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	if (sfd < 0) {
		nslab_env_free(env);
		nslab_err_sys(&err, errno, "signalfd");
		return cli_fail(&err);
	}
	/* the helper and the program start with our mask; they unblock what they need */
	r = nslab_node_start(pidfd, argv + first, env, -1, &helper, &err);
	nslab_env_free(env);
	if (r < 0)
		return cli_fail(&err);
	return wait_forwarding(helper, sfd);
}

const struct cli_cmd cli_cmd_exec = {
	"exec", "LAB NODE [--] CMD [ARG...] | LAB --all|--label KEY=VALUE|NODE,NODE... [--json] [--parallel N] -- CMD",
	"run a program inside a node, or in many",
	"The program runs in all the node's namespaces, with the node's env: added to yours.\n"
	"Its output passes through and nslab exits with its exit status (127: not found).\n"
	"Nothing goes through a shell: use `-- sh -c '...'` for one. SIGTERM, SIGHUP, SIGINT and\n"
	"SIGQUIT sent to nslab go on to the program, and the program ends if nslab is killed.\n"
	"Many nodes (all, those labelled KEY=VALUE, or a comma-separated list): the program runs\n"
	"in each, 16 at once (--parallel N), every output line prefixed with its node; the exit\n"
	"status is the worst one; --json prints [{node, status, output}].\n",
	cmd_exec,
	.program_after = 2,
};
