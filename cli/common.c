// SPDX-License-Identifier: GPL-2.0-or-later
/* cli/common.c: what the verbs share: finding a verb, usage errors and help, loading a topology
 * with its diagnostics, --json, printing errors. */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "../core/cgroup.h"
#include "../core/lab.h"
#include "../util/json.h"
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

int cli_fail_node(const char *lab, const struct nslab_err *e)
{
	struct nslab_err ierr = { 0 };
	_cleanup_json_ json_t *j = NULL;
	json_t *n;
	size_t i;

	fprintf(stderr, "nslab: %s", e->msg);
	if (e->code == ENOENT && (j = nslab_lab_inspect(lab, &ierr))) {
		fprintf(stderr, " (its nodes:");
		json_array_foreach(json_object_get(j, "nodes"), i, n)
			fprintf(stderr, "%s %s", i ? "," : "", json_string_value(json_object_get(n, "name")));
		fprintf(stderr, ")");
	}
	fprintf(stderr, "\n");
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
	opterr = 0; /* one message per mistake: cli_bad_option()'s */
}

int cli_bad_option(const struct cli_cmd *c, char **argv, int o)
{
	const char *opt = argv[optind - 1];

	if (o == ':')
		return cli_usage_error(c, "%s needs a value", opt);
	return cli_usage_error(c, "unknown option '%s'", opt);
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

void cli_table_init(struct cli_table *t, size_t ncols, const char *const *heads)
{
	*t = (struct cli_table){ .ncols = ncols };
	for (size_t i = 0; i < ncols; i++)
		*VEC_PUSH(t->cells, t->ncells) = xstrdup(heads[i]);
}

void cli_table_add(struct cli_table *t, const char *const *row)
{
	for (size_t i = 0; i < t->ncols; i++)
		*VEC_PUSH(t->cells, t->ncells) = xstrdup(row[i] ? row[i] : "-");
}

void cli_table_print(struct cli_table *t, FILE *f)
{
	_cleanup_free_ size_t *w = xcalloc(t->ncols, sizeof(*w));

	for (size_t i = 0; i < t->ncells; i++) {
		size_t l = strlen(t->cells[i]);
		if (l > w[i % t->ncols])
			w[i % t->ncols] = l;
	}
	for (size_t i = 0; i < t->ncells; i++) {
		bool last = i % t->ncols == t->ncols - 1;
		if (last)
			fprintf(f, "%s\n", t->cells[i]);
		else
			fprintf(f, "%-*s ", (int)w[i % t->ncols], t->cells[i]);
		free(t->cells[i]);
	}
	free(t->cells);
	*t = (struct cli_table){ 0 };
}

/* Limits as the CLI names them (`nslab limit`'s options), with their state.json keys. */
static const struct {
	unsigned flag;
	const char *key, *name;
} limit_keys[] = {
	{ NSLAB_CG_F_CPU, "cpu", "cpu" },		  { NSLAB_CG_F_CPUSET, "cpu_set", "cpu-set" },
	{ NSLAB_CG_F_MEMORY, "memory_bytes", "memory" }, { NSLAB_CG_F_CPU_WEIGHT, "cpu_weight", "cpu-weight" },
	{ NSLAB_CG_F_PIDS, "pids", "pids" },		  { NSLAB_CG_F_NET_CLS, "net_cls", "net-cls" },
};

char *cli_limits_text(json_t *lim, unsigned mask)
{
	char *out = xstrdup("");

	for (size_t i = 0; i < ARRAY_SIZE(limit_keys); i++) {
		json_t *v = json_object_get(lim, limit_keys[i].key);
		char val[64], *t;
		if (!(mask & limit_keys[i].flag) && !v)
			continue;
		if (!v)
			snprintf(val, sizeof(val), "none");
		else if (json_is_string(v))
			snprintf(val, sizeof(val), "%s", json_string_value(v));
		else if (json_is_real(v))
			snprintf(val, sizeof(val), "%g", json_real_value(v));
		else if (limit_keys[i].flag == NSLAB_CG_F_MEMORY)
			cli_fmt_size(val, sizeof(val), (unsigned long long)json_integer_value(v));
		else
			snprintf(val, sizeof(val), "%lld", (long long)json_integer_value(v));
		t = xasprintf("%s%s%s %s", out, out[0] ? ", " : "", limit_keys[i].name, val);
		free(out);
		out = t;
	}
	return out;
}

char *cli_fmt_size(char *buf, size_t n, unsigned long long bytes)
{
	static const char units[] = "KMGT";
	int u = -1;

	while (u < 3 && bytes && bytes % 1024 == 0) {
		bytes /= 1024;
		u++;
	}
	if (u < 0)
		snprintf(buf, n, "%llu", bytes);
	else
		snprintf(buf, n, "%llu%c", bytes, units[u]);
	return buf;
}
