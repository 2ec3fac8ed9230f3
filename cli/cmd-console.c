// SPDX-License-Identifier: GPL-2.0-or-later
/* cli/cmd-console.c: `nslab console LAB`: the full-screen view of tui/; its keys in --help come from
 * the console's key table (tui/keys.c), as its bottom line and `?` screen do. */
#include <stdio.h>
#include <stdlib.h>

#include "../tui/tui.h"
#include "cli.h"

extern const struct cli_cmd cli_cmd_console;

static int cmd_console(int argc, char **argv)
{
	if (argc != 2)
		return cli_usage_error(&cli_cmd_console, "expects LAB");
	return tui_console_run(argv[1]);
}

static void keys_help(FILE *f)
{
	char *keys = tui_keys_help();

	fprintf(f, "\nKeys (the last line shows the main ones, ? all of them):\n\n%s", keys);
	free(keys);
}

const struct cli_cmd cli_cmd_console = {
	"console", "LAB", "full-screen view of a running lab, with node shells and link actions",
	"A live table of the lab's nodes (state, pid, cpu, memory, interfaces) and links (state,\n"
	"rx/tx rates, drops, impairments), refreshed every second. Enter on a node opens a shell\n"
	"in it (in a tab; libvterm emulates the terminal); keys act on the selected node or link;\n"
	"/ filters, s sorts, the mouse selects, and : is a command line with Mininet's habits\n"
	"(h1 ping h2, pingall, iperf h1 h2, link s1 h1 down, net, dump, help).\n"
	"Logs go to $XDG_RUNTIME_DIR (or /tmp)/nslab-console-LAB.log, never to the screen.\n",
	cmd_console,
	.more_help = keys_help,
};
