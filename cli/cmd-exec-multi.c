// SPDX-License-Identifier: GPL-2.0-or-later
/* cli/cmd-exec-multi.c: `nslab exec LAB --all|--label KEY=VALUE|NODE,NODE -- CMD`: one program in many
 * nodes at once (core/mexec.c), each output line prefixed with its node, the worst exit status. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/lab.h"
#include "../core/mexec.h"
#include "../util/util.h"
#include "cli.h"

bool cli_exec_is_multi(int argc, char **argv)
{
	if (argc < 3)
		return false;
	return !strcmp(argv[2], "--all") || !strcmp(argv[2], "-a") || !strcmp(argv[2], "--label") ||
	       !strncmp(argv[2], "--label=", 8) || (argv[2][0] != '-' && strchr(argv[2], ','));
}

struct out_ctx {
	int width;
};

static void on_line(void *ctx, const struct nslab_mexec_job *job, const char *line)
{
	struct out_ctx *c = ctx;

	printf("%-*s | %s\n", c->width, job->node, line);
	fflush(stdout);
}

/* What was asked: which nodes, how, and the command (after --). */
struct multi_args {
	enum nslab_node_sel sel;
	const char *selarg;
	bool json;
	unsigned parallel;
	char **cmd;
};

/* argv[2..] up to "--"; EXIT_OK or a usage error's status. */
static int multi_parse(const struct cli_cmd *c, int argc, char **argv, struct multi_args *m)
{
	int i;

	*m = (struct multi_args){ .sel = NSLAB_SEL_LIST };
	for (i = 2; i < argc && strcmp(argv[i], "--"); i++) {
		if (!strcmp(argv[i], "--all") || !strcmp(argv[i], "-a")) {
			m->sel = NSLAB_SEL_ALL;
		} else if (!strcmp(argv[i], "--label") && i + 1 < argc) {
			m->sel = NSLAB_SEL_LABEL;
			m->selarg = argv[++i];
		} else if (!strncmp(argv[i], "--label=", 8)) {
			m->sel = NSLAB_SEL_LABEL;
			m->selarg = argv[i] + 8;
		} else if (!strcmp(argv[i], "--json")) {
			m->json = true;
		} else if (!strcmp(argv[i], "--parallel") && i + 1 < argc) {
			char *end;
			long v = strtol(argv[++i], &end, 10);
			if (*end || v < 1 || v > 1024)
				return cli_usage_error(c, "--parallel wants a number from 1 to 1024");
			m->parallel = (unsigned)v;
		} else if (argv[i][0] != '-' && !m->selarg && m->sel == NSLAB_SEL_LIST) {
			m->selarg = argv[i];
		} else {
			return cli_usage_error(c, "unexpected '%s' (a command goes after --)", argv[i]);
		}
	}
	if (i >= argc - 1)
		return cli_usage_error(c, "no command given (after --)");
	m->cmd = argv + i + 1;
	return EXIT_OK;
}

/* The jobs' results: JSON on stdout, or which node failed on stderr; the worst exit status. */
static int multi_report(const struct nslab_mexec_job *jobs, size_t n, bool json)
{
	int worst = 0;

	if (json) {
		json_t *arr = json_array();
		for (size_t k = 0; k < n; k++)
			json_array_append_new(arr, json_pack("{s:s, s:i, s:s}", "node", jobs[k].node, "status",
							     jobs[k].status, "output", jobs[k].output ?: ""));
		json_dumpf(arr, stdout, JSON_INDENT(2));
		putchar('\n');
		json_decref(arr);
	}
	for (size_t k = 0; k < n; k++) {
		if (jobs[k].status > worst)
			worst = jobs[k].status;
		if (jobs[k].status && !json)
			fprintf(stderr, "nslab: %s: exit status %d\n", jobs[k].node, jobs[k].status);
	}
	return worst;
}

int cmd_exec_multi(int argc, char **argv)
{
	struct nslab_err err = { 0 };
	struct multi_args m;
	const char *lab = argv[1];
	char **names = NULL;
	size_t n = 0;
	int worst, r;

	r = multi_parse(cli_find("exec"), argc, argv, &m);
	if (r != EXIT_OK)
		return r;
	json_t *ins = nslab_lab_inspect(lab, &err);
	if (!ins)
		return cli_fail(&err);
	r = nslab_mexec_select(ins, m.sel, m.selarg, &names, &n, &err);
	json_decref(ins);
	if (r < 0)
		return cli_fail(&err);
	struct nslab_mexec_job *jobs = xcalloc(n, sizeof(*jobs));
	struct out_ctx ctx = { 0 };
	for (size_t k = 0; k < n; k++) {
		jobs[k] = (struct nslab_mexec_job){ .node = names[k], .argv = m.cmd, .collect = m.json };
		if ((int)strlen(names[k]) > ctx.width)
			ctx.width = (int)strlen(names[k]);
	}
	struct nslab_mexec_opts o = { .parallel = m.parallel, .on_line = on_line, .ctx = &ctx, .forward_signals = true };
	r = nslab_mexec_run(lab, jobs, n, &o, &err);
	worst = r < 0 ? cli_fail(&err) : multi_report(jobs, n, m.json);
	nslab_mexec_jobs_free(jobs, n);
	free(jobs);
	nslab_mexec_names_free(names, n);
	return worst;
}
