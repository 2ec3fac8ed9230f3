// SPDX-License-Identifier: GPL-2.0-or-later
/* cli/scenario.c: `nslab scenario LAB FILE`: parse, check against the lab, run, report as TAP or JUnit XML. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "../core/scenario.h"
#include "../util/util.h"
#include "cli.h"

struct report {
	const struct nslab_scn *s;
	bool tap;	  /* TAP on stdout */
	bool verbose;
	unsigned n;	  /* TAP test points so far */
	unsigned failed, skipped;
	double total_s;
	/* JUnit: one testcase per check and per failed action */
	struct jcase {
		char *name, *detail;
		bool ok, skipped, action;
		double time_s;
	} *cases;
	size_t ncases;
};

/* "line 12: expect h1 reaches h2 within 5s" */
static char *step_name(const struct report *rp, const struct nslab_scn_step *st)
{
	(void)rp;
	return xasprintf("line %u: %s", st->pos.line, st->text);
}

/* Print s as TAP diagnostics ("# ..." lines). */
static void tap_diag(const char *s)
{
	const char *p = s;

	while (p && *p) {
		const char *nl = strchr(p, '\n');
		int len = nl ? (int)(nl - p) : (int)strlen(p);
		if (len)
			printf("#   %.*s\n", len, p);
		p = nl ? nl + 1 : NULL;
	}
}

static void on_step(void *ctx, const struct nslab_scn_step *st, const struct nslab_scn_result *r)
{
	struct report *rp = ctx;
	bool check = nslab_scn_is_check(st);
	_cleanup_free_ char *name = step_name(rp, st);

	rp->total_s = r->start_s + r->duration_s;
	if (r->skipped)
		rp->skipped++;
	else if (!r->ok)
		rp->failed++;
	if (check || (!r->ok && !r->skipped)) {
		struct jcase *c = VEC_PUSH(rp->cases, rp->ncases);
		c->name = xstrdup(name);
		c->detail = r->detail ? xstrdup(r->detail) : NULL;
		c->ok = r->ok;
		c->skipped = r->skipped;
		c->action = !check;
		c->time_s = r->duration_s;
	}
	if (!rp->tap)
		return;
	if (!check && !r->skipped) {
		if (r->ok) {
			printf("# %7.3fs %s\n", r->start_s, st->text);
			if (rp->verbose && r->detail)
				tap_diag(r->detail);
		} else {
			printf("not ok %u - %s (action failed: the rest is not run)\n", ++rp->n, name);
			tap_diag(r->detail);
		}
		fflush(stdout);
		return;
	}
	if (!check)
		return; /* a skipped action */
	if (r->skipped)
		printf("ok %u - %s # SKIP %s\n", ++rp->n, name, r->detail);
	else
		printf("%s %u - %s (%.2fs)\n", r->ok ? "ok" : "not ok", ++rp->n, name, r->duration_s);
	if (r->detail && !r->skipped && (!r->ok || rp->verbose))
		tap_diag(r->detail);
	fflush(stdout);
}

static void xml_escaped(FILE *f, const char *s)
{
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;
		switch (c) {
		case '<':
			fputs("&lt;", f);
			break;
		case '>':
			fputs("&gt;", f);
			break;
		case '&':
			fputs("&amp;", f);
			break;
		case '"':
			fputs("&quot;", f);
			break;
		default:
			if (c < 0x20 && c != '\n' && c != '\t')
				fputc('?', f);
			else
				fputc(c, f);
		}
	}
}

static void junit_write(FILE *f, const struct report *rp, const char *lab)
{
	unsigned failures = 0, skipped = 0;

	for (size_t i = 0; i < rp->ncases; i++) {
		if (rp->cases[i].skipped)
			skipped++;
		else if (!rp->cases[i].ok)
			failures++;
	}
	fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n");
	fprintf(f, "  <testsuite name=\"");
	xml_escaped(f, rp->s->file);
	fprintf(f, "\" tests=\"%zu\" failures=\"%u\" errors=\"0\" skipped=\"%u\" time=\"%.3f\">\n", rp->ncases,
		failures, skipped, rp->total_s);
	for (size_t i = 0; i < rp->ncases; i++) {
		const struct jcase *c = &rp->cases[i];
		fprintf(f, "    <testcase classname=\"nslab.scenario.");
		xml_escaped(f, lab);
		fprintf(f, "\" name=\"");
		xml_escaped(f, c->name);
		fprintf(f, "\" time=\"%.3f\"", c->time_s);
		if (c->ok) {
			fprintf(f, "/>\n");
			continue;
		}
		fprintf(f, ">\n      ");
		if (c->skipped) {
			fprintf(f, "<skipped message=\"");
			xml_escaped(f, c->detail);
			fprintf(f, "\"/>\n");
		} else {
			fprintf(f, "<failure message=\"%s\">", c->action ? "action failed" : "check failed");
			xml_escaped(f, c->detail);
			fprintf(f, "</failure>\n");
		}
		fprintf(f, "    </testcase>\n");
	}
	fprintf(f, "  </testsuite>\n</testsuites>\n");
}

static void print_diags(const struct nslab_diags *d)
{
	for (size_t i = 0; i < d->n; i++) {
		_cleanup_free_ char *s = nslab_diag_format(&d->v[i]);
		fprintf(stderr, "%s\n", s);
	}
}

/* Parse the scenario and check it against the running lab: EXIT_OK with *out set, or the exit
 * status after the errors are printed (nothing was run). */
static int scenario_load(const char *lab, const char *file, struct nslab_scn **out)
{
	struct nslab_diags d = { 0 };
	struct nslab_err err = { 0 };
	struct nslab_scn *s = NULL;
	int r;

	r = nslab_scn_parse_file(file, &s, &d);
	if (r < 0) {
		print_diags(&d);
		if (d.nerrors > 1)
			fprintf(stderr, "%s: %zu errors, nothing was run\n", file, d.nerrors);
		else
			fprintf(stderr, "%s: nothing was run\n", file);
		nslab_diags_free(&d);
		return EXIT_USAGE;
	}
	r = nslab_scn_preflight(s, lab, &d, &err);
	if (r < 0) {
		if (d.n)
			print_diags(&d);
		else
			fprintf(stderr, "nslab: %s\n", err.msg);
		fprintf(stderr, "%s: nothing was run\n", file);
		nslab_diags_free(&d);
		nslab_scn_free(s);
		return EXIT_FAIL;
	}
	nslab_diags_free(&d);
	*out = s;
	return EXIT_OK;
}

/* The report's end: TAP's plan and summary or the JUnit document, and the --junit file. Returns
 * 1 when the file could not be written (a failure of the run), else 0. */
static size_t report_end(const struct report *rp, const char *lab, const char *junit)
{
	size_t failed = 0;
	FILE *f;

	if (rp->tap) {
		printf("1..%u\n", rp->n);
		printf("# %s: %u of %u failed%s, %.2fs\n", rp->failed ? "FAILED" : "passed", rp->failed, rp->n,
		       rp->skipped ? " (some not run)" : "", rp->total_s);
	} else {
		junit_write(stdout, rp, lab);
	}
	if (!junit)
		return 0;
	f = fopen(junit, "w");
	if (!f) {
		fprintf(stderr, "nslab: writing %s: %s\n", junit, strerror(errno));
		return 1;
	}
	junit_write(f, rp, lab);
	if (fclose(f) != 0) {
		fprintf(stderr, "nslab: writing %s: %s\n", junit, strerror(errno));
		failed = 1;
	}
	return failed;
}

int cmd_scenario(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "junit", required_argument, NULL, 'J' },
		{ "verbose", no_argument, NULL, 'v' },
		{ 0 },
	};
	const struct cli_cmd *cmd = cli_find("scenario");
	struct report rp = { .tap = true };
	struct nslab_scn_run_opts ro = { on_step, &rp };
	struct nslab_scn *s = NULL;
	const char *junit = NULL, *lab, *file;
	bool junit_stdout = false;
	size_t failed;
	int o, r;

	optind = 1;
	opterr = 0;
	while ((o = getopt_long(argc, argv, ":f:J:v", opts, NULL)) != -1) {
		switch (o) {
		case 'f':
			if (strcmp(optarg, "tap") == 0)
				junit_stdout = false;
			else if (strcmp(optarg, "junit") == 0)
				junit_stdout = true;
			else
				return cli_usage_error(cmd, "--format is tap or junit");
			break;
		case 'J':
			junit = optarg;
			break;
		case 'v':
			rp.verbose = true;
			break;
		case ':':
			return cli_usage_error(cmd, "%s needs a value", argv[optind - 1]);
		default:
			return cli_usage_error(cmd, "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (argc - optind != 2)
		return cli_usage_error(cmd, "expects LAB FILE");
	lab = argv[optind];
	file = argv[optind + 1];
	rp.tap = !junit_stdout;

	r = scenario_load(lab, file, &s);
	if (r != EXIT_OK)
		return r;
	rp.s = s;
	if (rp.tap) {
		printf("TAP version 13\n# scenario %s on lab %s: %zu steps, %zu checks\n", file, lab, s->nsteps,
		       s->nchecks);
		fflush(stdout);
	}
	failed = nslab_scn_run(s, lab, &ro);
	failed += report_end(&rp, lab, junit);
	for (size_t i = 0; i < rp.ncases; i++) {
		free(rp.cases[i].name);
		free(rp.cases[i].detail);
	}
	free(rp.cases);
	nslab_scn_free(s);
	return failed ? EXIT_FAIL : EXIT_OK;
}

const struct cli_cmd cli_cmd_scenario = {
	"scenario", "LAB FILE [--format tap|junit] [--junit OUT]", "run a scenario (timeline of actions and checks)",
	"  --format tap|junit  report format on stdout (default tap)\n"
	"  --junit OUT         also write a JUnit XML report to OUT\n"
	"  -v, --verbose       print each action as it runs (TAP comments)\n"
	"Exits 0 when every check passed, 1 when one failed or an action failed, 2 on a usage or\n"
	"parse error (reported as FILE:LINE:COL; nothing is run). Format: docs/scenario.md.\n",
	cmd_scenario,
};
