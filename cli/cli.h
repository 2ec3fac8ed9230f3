/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cli/cli.h: the nslab command line (the only code, with tui/, that prints or exits). Each verb
 * lives in its own file (cli/cmd-VERB.c, tmux's cmd-*.c) that defines its table entry
 * `const struct cli_cmd cli_cmd_VERB` beside its code; cli/main.c only collects the entries.
 */
#ifndef NSLAB_CLI_CLI_H
#define NSLAB_CLI_CLI_H

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

#include "../topologies/model.h"
#include "../util/err.h"

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
	int (*exec)(int argc, char **argv); /* argv[0] is the command name */
	/* The verb's leading operands before a program's own arguments (exec: LAB NODE): a --help
	 * after them belongs to the program. 0: every argument is the verb's. */
	int program_after;
	/* Optional: more help generated at run time (the console's key table), printed after help. */
	void (*more_help)(FILE *f);
};

/* The table (cli/main.c), in `nslab help` order. */
extern const struct cli_cmd *const cli_cmds[];
extern const unsigned cli_ncmds;

/* cli/common.c: what several verbs share. */
const struct cli_cmd *cli_find(const char *name);
int cli_usage_error(const struct cli_cmd *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void cli_print_help(const struct cli_cmd *c);
/* The top-level usage (`nslab --help`). */
void cli_print_usage(FILE *f);
/* "nslab: MSG" on stderr; returns EXIT_FAIL. */
int cli_fail(const struct nslab_err *e);
/* cli_fail() for a node that could not be opened: an unknown node's message lists the lab's nodes. */
int cli_fail_node(const char *lab, const struct nslab_err *e);
/* Load a topology, printing every diagnostic; NULL on error. */
struct nslab_topo *cli_load_topo(const char *path);
/* Prepare getopt for a verb's (argc, argv), argv[0] being the verb; getopt prints nothing: give
 * optstrings a leading ':' and pass what getopt_long returned for a mistake to cli_bad_option(). */
void cli_getopt_reset(void);
/* The usage error for getopt_long's ':' (a value missing) or '?' (an unknown option). */
int cli_bad_option(const struct cli_cmd *c, char **argv, int o);
/* Take --json / -j out of argv[1..]; the rest is packed from argv[1], their count in *nargs. */
bool cli_want_json(int argc, char **argv, int *nargs);
/* Seconds on the monotonic clock. */
double cli_now_s(void);
/* Print JSON indented on stdout, with a final newline. */
void cli_print_json(json_t *j);

/* A text table whose columns are as wide as their widest cell (cells copied; "-" for NULL). */
struct cli_table {
	size_t ncols, ncells;
	char **cells;
};
void cli_table_init(struct cli_table *t, size_t ncols, const char *const *heads);
void cli_table_add(struct cli_table *t, const char *const *row);
/* Print and free the table. */
void cli_table_print(struct cli_table *t, FILE *f);

/* "cpu 0.5, memory 256M, pids 100" from limits JSON (nslab_limits_to_json()); the limits of mask
 * (NSLAB_CG_F_*) that lim lacks read "none"; "" when there is nothing to say. malloc'd. */
char *cli_limits_text(json_t *lim, unsigned mask);
/* 268435456 -> "256M" (1024-based, exact: 1000 stays "1000"). Returns buf. */
char *cli_fmt_size(char *buf, size_t n, unsigned long long bytes);

/* cli/cmd-deploy.c: deploy's options and run, shared with redeploy. */
struct cli_deploy_args {
	const char *name;   /* --name */
	char *folder;	    /* --lab-folder, absolute, malloc'd */
	bool quiet, verbose, keep_on_error, mgmt;
	const char *operand; /* FILE (deploy), FILE or LAB (redeploy) */
};
extern const struct cli_cmd cli_cmd_deploy;
int cli_deploy_parse(const struct cli_cmd *c, int argc, char **argv, struct cli_deploy_args *a);
/* Apply the options to the loaded t (--mgmt): EXIT_OK, or EXIT_FAIL with the problems printed. */
int cli_deploy_prepare(struct nslab_topo *t, const struct cli_deploy_args *a);
/* Deploy t (printing exec outputs, then the lab's tables): an exit status. */
int cli_deploy_topo(const struct nslab_topo *t, const struct cli_deploy_args *a);

/* cli/cmd-inspect.c: a lab's tables, as `nslab inspect` and `nslab deploy` print them. */
void cli_print_inspect(json_t *j);

/* Verbs whose files keep a non-static exec (cli/link.c, cli/scenario.c, and the verbs below). */
int cmd_link(int argc, char **argv);
int cmd_scenario(int argc, char **argv);
/* nslab exec on many nodes (cli/cmd-exec-multi.c): cmd_exec hands over when the first argument after
 * LAB is --all, --label or a comma-separated list */
bool cli_exec_is_multi(int argc, char **argv);
int cmd_exec_multi(int argc, char **argv);
int cmd_pingall(int argc, char **argv);
int cmd_iperf(int argc, char **argv);
int cmd_generate(int argc, char **argv);

#endif
