/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cli/cli.h: the command table of the nslab command line (the only code, with tui/, that prints or exits). */
#ifndef NSLAB_CLI_CLI_H
#define NSLAB_CLI_CLI_H

#include <stdbool.h>

#define NSLAB_VERSION "0.1.0"

/* exit codes */
#define EXIT_OK 0
#define EXIT_FAIL 1
#define EXIT_USAGE 2

struct cli_cmd {
	const char *name;
	const char *usage;   /* arguments after the command name */
	const char *summary; /* one line */
	const char *help;    /* options and details */
	int (*exec)(int argc, char **argv);
};

extern const struct cli_cmd cli_cmds[];
extern const unsigned cli_ncmds;

int cli_usage_error(const struct cli_cmd *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void cli_print_help(const struct cli_cmd *c);
const struct cli_cmd *cli_find(const char *name);

int cmd_deploy(int argc, char **argv);
int cmd_destroy(int argc, char **argv);
int cmd_list(int argc, char **argv);
int cmd_inspect(int argc, char **argv);
int cmd_exec(int argc, char **argv);
int cmd_attach(int argc, char **argv);
int cmd_validate(int argc, char **argv);
int cmd_plan(int argc, char **argv);
int cmd_cleanup(int argc, char **argv);
int cmd_limit(int argc, char **argv);
int cmd_link(int argc, char **argv);
int cmd_scenario(int argc, char **argv);
int cmd_console(int argc, char **argv);
/* nslab exec on many nodes (cli/cmd-exec-multi.c): cmd_exec hands over when the first argument after
 * LAB is --all, --label or a comma-separated list */
bool cli_exec_is_multi(int argc, char **argv);
int cmd_exec_multi(int argc, char **argv);
int cmd_pingall(int argc, char **argv);
int cmd_iperf(int argc, char **argv);
int cmd_generate(int argc, char **argv);
int cmd_help(int argc, char **argv);
int cmd_version(int argc, char **argv);

#endif
