// SPDX-License-Identifier: GPL-2.0-or-later
/* cli/scenario.c: `nslab scenario LAB FILE`: parse, check against the lab, run, report as TAP or JUnit XML. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdarg.h>
#include <string.h>

#include <libxml/chvalid.h>
#include <libxml/xmlstring.h>
#include <libxml/xmlwriter.h>

#include "../core/scenario.h"
#include "../util/dlib.h"
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
	if (r->skipped) {
		if (check)
			rp->skipped++;
	} else if (!r->ok)
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

/* libxml2, loaded on first use (util/dlib.h): only a JUnit report needs it, and it brings ICU and
 * libstdc++ with it */
static const struct nslab_dlib lib_xml2 = { NSLAB_SO_XML2, "libxml2" };

static struct xml2_syms {
	__typeof__(&xmlGetUTF8Char) xmlGetUTF8Char;
	__typeof__(&xmlTextWriterWriteAttribute) xmlTextWriterWriteAttribute;
	__typeof__(&xmlTextWriterStartElement) xmlTextWriterStartElement;
	__typeof__(&xmlTextWriterEndElement) xmlTextWriterEndElement;
	__typeof__(&xmlTextWriterWriteString) xmlTextWriterWriteString;
	__typeof__(&xmlBufferCreate) xmlBufferCreate;
	__typeof__(&xmlNewTextWriterMemory) xmlNewTextWriterMemory;
	__typeof__(&xmlBufferFree) xmlBufferFree;
	__typeof__(&xmlTextWriterSetIndent) xmlTextWriterSetIndent;
	__typeof__(&xmlTextWriterSetIndentString) xmlTextWriterSetIndentString;
	__typeof__(&xmlTextWriterStartDocument) xmlTextWriterStartDocument;
	__typeof__(&xmlTextWriterEndDocument) xmlTextWriterEndDocument;
	__typeof__(&xmlFreeTextWriter) xmlFreeTextWriter;
	__typeof__(&xmlBufferContent) xmlBufferContent;
	__typeof__(&xmlBufferLength) xmlBufferLength;
} xml;

#define XML_SYM(sym) NSLAB_DSYM(lib_xml2, struct xml2_syms, sym)
static const struct nslab_dsym xml_syms[] = {
	XML_SYM(xmlGetUTF8Char), XML_SYM(xmlTextWriterWriteAttribute), XML_SYM(xmlTextWriterStartElement),
	XML_SYM(xmlTextWriterEndElement), XML_SYM(xmlTextWriterWriteString), XML_SYM(xmlBufferCreate),
	XML_SYM(xmlNewTextWriterMemory), XML_SYM(xmlBufferFree), XML_SYM(xmlTextWriterSetIndent),
	XML_SYM(xmlTextWriterSetIndentString), XML_SYM(xmlTextWriterStartDocument),
	XML_SYM(xmlTextWriterEndDocument), XML_SYM(xmlFreeTextWriter), XML_SYM(xmlBufferContent),
	XML_SYM(xmlBufferLength),
};

/* s as text XML 1.0 can carry: a check's output may hold any byte, but a document with an invalid
 * UTF-8 sequence or a control character is not well-formed and CI tools reject the whole report.
 * Each invalid byte becomes U+FFFD, each character XML forbids becomes '?'. */
static char *xml_text(const char *s)
{
	size_t n = s ? strlen(s) : 0, o = 0;
	char *out = xmalloc(3 * n + 1);

	while (n > 0) {
		int len = (int)(n > 4 ? 4 : n);
		int c = xml.xmlGetUTF8Char((const xmlChar *)s, &len);
		if (c < 0) {
			memcpy(out + o, "\xef\xbf\xbd", 3); /* U+FFFD */
			o += 3;
			s++, n--;
			continue;
		}
		if (xmlIsCharQ(c)) {
			memcpy(out + o, s, (size_t)len);
			o += (size_t)len;
		} else {
			out[o++] = '?';
		}
		s += len, n -= (size_t)len;
	}
	out[o] = 0;
	return out;
}

/* attribute NAME="VALUE" with VALUE made valid text */
static int xml_attr(xmlTextWriterPtr w, const char *name, const char *value)
{
	_cleanup_free_ char *v = xml_text(value);
	return xml.xmlTextWriterWriteAttribute(w, BAD_CAST name, BAD_CAST v);
}

static int xml_attrf(xmlTextWriterPtr w, const char *name, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int xml_attrf(xmlTextWriterPtr w, const char *name, const char *fmt, ...)
{
	_cleanup_free_ char *v = NULL;
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vasprintf(&v, fmt, ap);
	va_end(ap);
	if (r < 0)
		return -1;
	return xml_attr(w, name, v);
}

/* One <testcase>: its attributes, and a <skipped> or <failure> child unless it passed. */
static int junit_case(xmlTextWriterPtr w, const struct jcase *c, const char *lab)
{
	_cleanup_free_ char *classname = xasprintf("nslab.scenario.%s", lab);
	_cleanup_free_ char *detail = xml_text(c->detail);
	int r = 0;

	r |= xml.xmlTextWriterStartElement(w, BAD_CAST "testcase");
	r |= xml_attr(w, "classname", classname);
	r |= xml_attr(w, "name", c->name);
	r |= xml_attrf(w, "time", "%.3f", c->time_s);
	if (!c->ok && c->skipped) {
		r |= xml.xmlTextWriterStartElement(w, BAD_CAST "skipped");
		r |= xml.xmlTextWriterWriteAttribute(w, BAD_CAST "message", BAD_CAST detail);
		r |= xml.xmlTextWriterEndElement(w);
	} else if (!c->ok) {
		r |= xml.xmlTextWriterStartElement(w, BAD_CAST "failure");
		r |= xml_attr(w, "message", c->action ? "action failed" : "check failed");
		r |= xml.xmlTextWriterWriteString(w, BAD_CAST detail);
		r |= xml.xmlTextWriterEndElement(w);
	}
	r |= xml.xmlTextWriterEndElement(w);
	return r < 0 ? -1 : 0;
}

/* The JUnit document, written by libxml2's xmlwriter (escaping, well-formedness) into f. */
static int junit_write(FILE *f, const struct report *rp, const char *lab)
{
	unsigned failures = 0, skipped = 0;
	xmlBufferPtr buf = xml.xmlBufferCreate();
	xmlTextWriterPtr w = buf ? xml.xmlNewTextWriterMemory(buf, 0) : NULL;
	int r = 0;

	if (!w) {
		xml.xmlBufferFree(buf);
		return -ENOMEM;
	}
	for (size_t i = 0; i < rp->ncases; i++) {
		if (rp->cases[i].skipped)
			skipped++;
		else if (!rp->cases[i].ok)
			failures++;
	}
	xml.xmlTextWriterSetIndent(w, 1);
	xml.xmlTextWriterSetIndentString(w, BAD_CAST "  ");
	r |= xml.xmlTextWriterStartDocument(w, "1.0", "UTF-8", NULL);
	r |= xml.xmlTextWriterStartElement(w, BAD_CAST "testsuites");
	r |= xml.xmlTextWriterStartElement(w, BAD_CAST "testsuite");
	r |= xml_attr(w, "name", rp->s->file);
	r |= xml_attrf(w, "tests", "%zu", rp->ncases);
	r |= xml_attrf(w, "failures", "%u", failures);
	r |= xml_attr(w, "errors", "0");
	r |= xml_attrf(w, "skipped", "%u", skipped);
	r |= xml_attrf(w, "time", "%.3f", rp->total_s);
	for (size_t i = 0; i < rp->ncases; i++)
		r |= junit_case(w, &rp->cases[i], lab);
	r |= xml.xmlTextWriterEndDocument(w); /* closes every open element */
	xml.xmlFreeTextWriter(w);
	if (r >= 0 && fwrite(xml.xmlBufferContent(buf), 1, (size_t)xml.xmlBufferLength(buf), f) != (size_t)xml.xmlBufferLength(buf))
		r = -1;
	xml.xmlBufferFree(buf);
	return r < 0 ? -EIO : 0;
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
		/* a name the lab does not have is an error in the file (2); a lab that is not there is 1 */
		r = d.n ? EXIT_USAGE : EXIT_FAIL;
		nslab_diags_free(&d);
		nslab_scn_free(s);
		return r;
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
		unsigned run = rp->n;
		printf("1..%u\n", rp->n);
		if (rp->failed)
			printf("# FAILED: %u of %u %s failed", rp->failed, run, run == 1 ? "check" : "checks");
		else
			printf("# passed: all %u %s passed", run, run == 1 ? "check" : "checks");
		if (rp->skipped)
			printf(", %u not run", rp->skipped);
		printf(", %.2fs\n", rp->total_s);
	} else if (junit_write(stdout, rp, lab) < 0) {
		fprintf(stderr, "nslab: writing the JUnit report: %s\n", strerror(errno ? errno : EIO));
		failed = 1;
	}
	if (!junit)
		return failed;
	f = fopen(junit, "w");
	if (!f) {
		fprintf(stderr, "nslab: writing %s: %s\n", junit, strerror(errno));
		return 1;
	}
	if (junit_write(f, rp, lab) < 0)
		failed = 1;
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
	if (junit_stdout || junit) { /* before anything runs: a report that cannot be written fails now */
		static int bound;
		struct nslab_err err = { 0 };
		if (nslab_dlib_bind(&xml, &bound, xml_syms, ARRAY_SIZE(xml_syms),
				    "a JUnit report", &err) < 0)
			return cli_fail(&err);
	}

	r = scenario_load(lab, file, &s);
	if (r != EXIT_OK)
		return r;
	rp.s = s;
	if (rp.tap) {
		printf("TAP version 13\n# scenario %s on lab %s: %zu %s, %zu %s\n", file, lab, s->nsteps,
		       s->nsteps == 1 ? "step" : "steps", s->nchecks, s->nchecks == 1 ? "check" : "checks");
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
