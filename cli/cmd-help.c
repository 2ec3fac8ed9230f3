// SPDX-License-Identifier: GPL-2.0-or-later
/* cli/cmd-help.c: `nslab help [COMMAND]`. */
#include <stdio.h>

#include "cli.h"

static int cmd_help(int argc, char **argv)
{
	const struct cli_cmd *c;

	if (argc < 2) {
		cli_print_usage(stdout);
		return EXIT_OK;
	}
	c = cli_find(argv[1]);
	if (!c) {
		fprintf(stderr, "nslab: unknown command '%s'\n", argv[1]);
		return EXIT_USAGE;
	}
	cli_print_help(c);
	return EXIT_OK;
}

const struct cli_cmd cli_cmd_help = { "help", "[COMMAND]", "show help", "", cmd_help };
