// SPDX-License-Identifier: GPL-2.0-or-later
/* cli/cmd-exec.c: `nslab exec LAB NODE -- CMD`: a program in a node, its exit status passed through. */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "../core/lab.h"
#include "../core/node.h"
#include "../util/util.h"
#include "cli.h"

extern const struct cli_cmd cli_cmd_exec;

static int cmd_exec(int argc, char **argv)
{
	const struct cli_cmd *c = &cli_cmd_exec;
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

const struct cli_cmd cli_cmd_exec = {
	"exec", "LAB NODE [--] CMD [ARG...] | LAB --all|--label KEY=VALUE|NODE,NODE... [--json] [--parallel N] -- CMD",
	"run a program inside a node, or in many",
	"The program runs in all the node's namespaces, with the node's env: added to yours.\n"
	"Its output passes through and nslab exits with its exit status (127: not found).\n"
	"Nothing goes through a shell: use `-- sh -c '...'` for one.\n"
	"Many nodes (all, those labelled KEY=VALUE, or a comma-separated list): the program runs\n"
	"in each, 16 at once (--parallel N), every output line prefixed with its node; the exit\n"
	"status is the worst one; --json prints [{node, status, output}].\n",
	cmd_exec,
	.program_after = 2,
};
