// SPDX-License-Identifier: GPL-2.0-or-later
/* cli/common.c: what the verbs share: finding a verb, usage errors and help, loading a topology
 * with its diagnostics, --json, printing errors. */
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "../util/util.h"
#include "cli.h"

const struct cli_cmd *cli_find(const char *name)
{
	for (unsigned i = 0; i < cli_ncmds; i++)
		if (strcmp(cli_cmds[i]->name, name) == 0)
			return cli_cmds[i];
	return NULL;
}

void cli_print_help(const struct cli_cmd *c)
{
	printf("usage: nslab %s %s\n%s.\n", c->name, c->usage, c->summary);
	if (c->help[0])
		printf("\n%s", c->help);
	if (c->more_help)
		c->more_help(stdout);
}

int cli_usage_error(const struct cli_cmd *c, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "nslab %s: ", c->name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nusage: nslab %s %s\n", c->name, c->usage);
	return EXIT_USAGE;
}

void cli_print_usage(FILE *f)
{
	fprintf(f, "usage: nslab COMMAND [ARGS]\n"
		   "nslab builds network labs from topology files: one lightweight container per node,\n"
		   "wired with veth pairs and bridges.\n\ncommands:\n");
	for (unsigned i = 0; i < cli_ncmds; i++)
		fprintf(f, "  %-9s %s\n", cli_cmds[i]->name, cli_cmds[i]->summary);
	fprintf(f, "\n`nslab COMMAND --help` for a command's options; `man nslab` for everything.\n");
}

int cli_fail(const struct nslab_err *e)
{
	fprintf(stderr, "nslab: %s\n", e->msg);
	return EXIT_FAIL;
}

struct nslab_topo *cli_load_topo(const char *path)
{
	struct nslab_diags d = { 0 };
	struct nslab_topo *t = NULL;
	int r = nslab_topo_load_file(path, &t, &d);

	for (size_t i = 0; i < d.n; i++) {
		_cleanup_free_ char *s = nslab_diag_format(&d.v[i]);
		fprintf(stderr, "%s\n", s);
	}
	if (r < 0 && d.nerrors > 1)
		fprintf(stderr, "%s: %zu errors\n", path, d.nerrors);
	nslab_diags_free(&d);
	return r < 0 ? NULL : t;
}

void cli_getopt_reset(void)
{
	optind = 1;
	opterr = 1;
}

bool cli_want_json(int argc, char **argv, int *nargs)
{
	bool json = false;

	*nargs = 0;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0 || strcmp(argv[i], "-j") == 0)
			json = true;
		else
			argv[++*nargs] = argv[i];
	}
	return json;
}

double cli_now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void cli_print_json(json_t *j)
{
	json_dumpf(j, stdout, JSON_INDENT(2));
	putchar('\n');
}
