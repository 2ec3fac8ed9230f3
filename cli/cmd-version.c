// SPDX-License-Identifier: GPL-2.0-or-later
/* cli/cmd-version.c: `nslab version` (and `nslab --version`). */
#include <stdio.h>

#include "cli.h"

static int cmd_version(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	printf("nslab %s\n", NSLAB_VERSION);
	return EXIT_OK;
}

const struct cli_cmd cli_cmd_version = { "version", "", "print the version", "", cmd_version };
