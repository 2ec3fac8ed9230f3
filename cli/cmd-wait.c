// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * cli/cmd-wait.c: `nslab wait LAB --until COND [--until COND...] [--timeout D] [--json]`: block
 * until a running lab has converged (routes learned, hosts reach each other), and say how long it
 * took. Each condition is a scenario check without its `expect` (docs/scenario.md), run by the
 * scenario runner: `h1 reaches h3`, `r1 exec vtysh -c 'show ip route' | grep -q 10.0.3 succeeds`.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "../core/scenario.h"
#include "../util/json.h"
#include "../util/util.h"
#include "cli.h"

extern const struct cli_cmd cli_cmd_wait;

struct wait_ctx {
	bool json;
	json_t *results;
	double last_end_s;
};

static void on_step(void *vctx, const struct nslab_scn_step *st, const struct nslab_scn_result *r)
{
	struct wait_ctx *c = vctx;
	/* the condition as the user wrote it: the line without "expect " and " within D" */
	const char *cond = st->text + strlen("expect ");
	const char *w = strstr(cond, " within ");
	_cleanup_free_ char *what = w ? xstrndup(cond, (size_t)(w - cond)) : xstrdup(cond);
	double at = r->start_s + r->duration_s;

	c->last_end_s = at;
	if (c->json) {
		json_array_append_new(c->results,
				      json_pack("{s:s, s:b, s:f, s:s?}", "until", what, "ok", r->ok && !r->skipped,
						"seconds", at, "detail", r->ok ? NULL : r->detail));
		return;
	}
	if (r->ok)
		printf("%-40s after %.2f s\n", what, at);
	else
		printf("%-40s NOT within the timeout (%.2f s)%s%s\n", what, at, r->detail ? ": " : "",
		       r->detail ? r->detail : "");
}

/* The conditions as a scenario: one "expect COND within TIMEOUT" line each. */
static char *conditions_text(char **conds, size_t n, const char *timeout)
{
	char *s = xstrdup("");

	for (size_t i = 0; i < n; i++) {
		char *t = xasprintf("%sexpect %s within %s\n", s, conds[i], timeout);
		free(s);
		s = t;
	}
	return s;
}

static int run_wait(const char *lab, char **conds, size_t n, const char *timeout, bool json)
{
	struct nslab_diags diags = { 0 };
	struct nslab_err err = { 0 };
	struct nslab_scn *s = NULL;
	_cleanup_free_ char *text = conditions_text(conds, n, timeout);
	int r = nslab_scn_parse_buf("--until", text, strlen(text), &s, &diags);

	if (r == 0)
		r = nslab_scn_preflight(s, lab, &diags, &err);
	if (r < 0) {
		for (size_t i = 0; i < diags.n; i++) {
			_cleanup_free_ char *m = nslab_diag_format(&diags.v[i]);
			fprintf(stderr, "nslab: wait: %s\n", m);
		}
		nslab_diags_free(&diags);
		nslab_scn_free(s);
		if (err.code)
			return cli_fail(&err);
		return EXIT_USAGE;
	}
	nslab_diags_free(&diags);
	for (size_t i = 0; i < s->nsteps; i++)
		if (!nslab_scn_is_check(&s->steps[i])) {
			fprintf(stderr, "nslab: wait: '%s' is not a condition (NODE reaches ADDR, NODE exec CMD succeeds|fails, converged)\n",
				conds[i]);
			nslab_scn_free(s);
			return EXIT_USAGE;
		}
	struct wait_ctx c = { json, json_array(), 0 };
	struct nslab_scn_run_opts o = { on_step, &c };
	size_t failed = nslab_scn_run(s, lab, &o);
	if (json) {
		_cleanup_json_ json_t *j = json_pack("{s:s, s:b, s:f, s:O}", "lab", lab, "converged", failed == 0,
						     "seconds", c.last_end_s, "conditions", c.results);
		cli_print_json(j);
	} else {
		printf("%s after %.2f s\n", failed ? "not converged" : "converged", c.last_end_s);
	}
	json_decref(c.results);
	nslab_scn_free(s);
	return failed ? EXIT_FAIL : EXIT_OK;
}

static int cmd_wait(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "until", required_argument, NULL, 'u' },
		{ "timeout", required_argument, NULL, 't' },
		{ "json", no_argument, NULL, 'j' },
		{ 0 },
	};
	char **conds = NULL;
	size_t n = 0;
	const char *timeout = "60s";
	unsigned long long us;
	bool json = false;
	int c, r;

	cli_getopt_reset();
	while ((c = getopt_long(argc, argv, "u:t:j", opts, NULL)) != -1) {
		switch (c) {
		case 'u':
			*VEC_PUSH(conds, n) = optarg;
			break;
		case 't':
			timeout = optarg;
			break;
		case 'j':
			json = true;
			break;
		default:
			free(conds);
			return cli_usage_error(&cli_cmd_wait, "unknown option");
		}
	}
	if (optind != argc - 1 || n == 0) {
		free(conds);
		return cli_usage_error(&cli_cmd_wait, "expects a lab and at least one --until condition");
	}
	if (nslab_parse_duration_us(timeout, &us) < 0 || us == 0) {
		free(conds);
		return cli_usage_error(&cli_cmd_wait, "bad --timeout '%s' (a duration: 30s, 2m, 500ms)", timeout);
	}
	r = run_wait(argv[optind], conds, n, timeout, json);
	free(conds);
	return r;
}

const struct cli_cmd cli_cmd_wait = {
	"wait", "LAB --until COND [--until COND...] [--timeout D] [--json]",
	"wait until a running lab has converged, and say how long it took",
	"  -u, --until COND  a condition, as a scenario check without `expect` (docs/scenario.md):\n"
	"                    'h1 reaches h3' (pings until a reply), 'r1 exec CMD succeeds|fails'\n"
	"                    (retried every 100 ms), 'converged' (or 'routing': in every node running\n"
	"                    FRR or bird, OSPF neighbours Full, BGP Established, RIP neighbours heard,\n"
	"                    bird protocols up, and routing tables unchanged for 2 s, 6 s with RIP);\n"
	"                    repeat for several, checked in order\n"
	"  -t, --timeout D   how long each condition may take (default 60s)\n"
	"  -j, --json        {lab, converged, seconds, conditions: [{until, ok, seconds, detail}]}\n"
	"Prints when each condition held, counted from the start of the wait. Exit status: 0 when every\n"
	"condition held in time, 1 when one did not, 2 for a usage error or a condition naming a node or\n"
	"link the lab does not have. Example: nslab wait ospf --until converged --until 'h1 reaches h3'\n",
	cmd_wait,
};
