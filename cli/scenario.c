// SPDX-License-Identifier: GPL-2.0-or-later
/* cli/scenario.c: `nslab scenario` (stub). */
#include "cli.h"
int cmd_scenario(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return EXIT_FAIL;
}
