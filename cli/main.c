// SPDX-License-Identifier: GPL-2.0-or-later
/* cli/main.c: nslab's entry point, and the command table collected from the verbs' files. */
#include <stdio.h>
#include <string.h>

#include "../core/node.h"
#include "../util/util.h"
#include "cli.h"

/* One line per verb, in `nslab help` order: X(name) where cli/cmd-name.c (or cli/name.c) defines
 * `const struct cli_cmd cli_cmd_name`. */
#define NSLAB_VERBS(X) \
	X(deploy)      \
	X(redeploy)    \
	X(destroy)     \
	X(list)        \
	X(inspect)     \
	X(exec)        \
	X(attach)      \
	X(validate)    \
	X(plan)        \
	X(limit)       \
	X(cleanup)     \
	X(link)        \
	X(scenario)    \
	X(console)     \
	X(pingall)     \
	X(iperf)       \
	X(generate)    \
	X(graph)       \
	X(wait)        \
	X(save)        \
	X(help)        \
	X(version)     \
	/* end of the verbs */

#define DECLARE(v) extern const struct cli_cmd cli_cmd_##v;
#define ENTRY(v) &cli_cmd_##v,
NSLAB_VERBS(DECLARE)
const struct cli_cmd *const cli_cmds[] = { NSLAB_VERBS(ENTRY) };
const unsigned cli_ncmds = ARRAY_SIZE(cli_cmds);

int main(int argc, char **argv)
{
	const struct cli_cmd *c;
	int scan_end;

	/* internal: the node spawner of a deploy (core/node.h), not a user command */
	if (argc == 2 && strcmp(argv[1], NSLAB_SPAWNER_ARG) == 0)
		return nslab_spawner_main();
	if (argc < 2) {
		cli_print_usage(stderr);
		return EXIT_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		cli_print_usage(stdout);
		return EXIT_OK;
	}
	if (strcmp(argv[1], "--version") == 0)
		argv[1] = "version";
	c = cli_find(argv[1]);
	if (!c) {
		fprintf(stderr, "nslab: unknown command '%s' (nslab --help lists them)\n", argv[1]);
		return EXIT_USAGE;
	}
	/* a program's arguments (exec LAB NODE CMD...) are not ours: only look before them */
	scan_end = c->program_after && argc > 2 + c->program_after ? 2 + c->program_after : argc;
	for (int i = 2; i < scan_end; i++) {
		if (strcmp(argv[i], "--") == 0)
			break;
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			cli_print_help(c);
			return EXIT_OK;
		}
	}
	return c->exec(argc - 1, argv + 1);
}
