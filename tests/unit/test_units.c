// SPDX-License-Identifier: GPL-2.0-or-later
/* tests/unit/test_units.c: the unit parsers (durations, percentages, rates, sizes, classids) and the impairment set's merge and check. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/impair.h"
#include "util/util.h"
#include "topologies/impair.h"
#include "topologies/model.h"

struct ull_case {
	const char *in;
	int ret;
	unsigned long long want;
};

#define CHECK_ULL(fn, cases)                                                                        \
	do {                                                                                        \
		for (size_t i_ = 0; i_ < sizeof(cases) / sizeof((cases)[0]); i_++) {                \
			unsigned long long v_ = 0xdeadULL;                                          \
			int r_ = fn((cases)[i_].in, &v_);                                           \
			if (r_ != (cases)[i_].ret)                                                  \
				fail_msg(#fn "(\"%s\") returned %d, want %d", (cases)[i_].in, r_,   \
					 (cases)[i_].ret);                                          \
			if (r_ == 0 && v_ != (cases)[i_].want)                                      \
				fail_msg(#fn "(\"%s\") = %llu, want %llu", (cases)[i_].in, v_,      \
					 (cases)[i_].want);                                         \
			if (r_ != 0 && v_ != 0xdeadULL)                                             \
				fail_msg(#fn "(\"%s\") wrote its output on failure", (cases)[i_].in); \
		}                                                                                   \
	} while (0)

static void test_duration(void **state)
{
	static const struct ull_case cases[] = {
		{ "20ms", 0, 20000 },
		{ "1.5s", 0, 1500000 },
		{ "300us", 0, 300 },
		{ "100usec", 0, 100 },
		{ "1sec", 0, 1000000 },
		{ "2secs", 0, 2000000 },
		{ "5msec", 0, 5000 },
		{ "0", 0, 0 },
		{ "10", 0, 10000 },     /* bare = ms, like tc */
		{ "0.5", 0, 500 },
		{ ".5ms", 0, 500 },
		{ "20MS", 0, 20000 },   /* case-insensitive */
		{ "0.0004ms", 0, 0 },   /* rounds to the microsecond */
		{ "3600s", 0, 3600000000ULL },
		{ "2m", -EINVAL, 0 },   /* minutes or ms? */
		{ "1h", -EINVAL, 0 },
		{ "", -EINVAL, 0 },
		{ "ms", -EINVAL, 0 },
		{ ".", -EINVAL, 0 },
		{ "-5ms", -EINVAL, 0 },
		{ "+5ms", -EINVAL, 0 },
		{ " 5ms", -EINVAL, 0 },
		{ "5 ms", -EINVAL, 0 },
		{ "5msx", -EINVAL, 0 },
		{ "1.2.3ms", -EINVAL, 0 },
		{ "1e3", -EINVAL, 0 },
		{ "inf", -EINVAL, 0 },
		{ "0x10", -EINVAL, 0 },
		{ "99999999999999999999", -ERANGE, 0 },
		{ "18446744073709551s", -ERANGE, 0 },
		{ NULL, -EINVAL, 0 },
	};

	(void)state;
	CHECK_ULL(nslab_parse_duration_us, cases);
}

static void test_percent(void **state)
{
	static const struct {
		const char *in;
		int ret;
		double want;
	} cases[] = {
		{ "1.5%", 0, 1.5 },  { "0.1%", 0, 0.1 },   { "1.5", 0, 1.5 },	{ "2", 0, 2 },
		{ "0", 0, 0 },	     { "100%", 0, 100 },   { "100.0", 0, 100 }, { "100.01%", -ERANGE, 0 },
		{ "101", -ERANGE, 0 }, { "1000%", -ERANGE, 0 }, { "-1%", -EINVAL, 0 }, { "%", -EINVAL, 0 },
		{ "", -EINVAL, 0 },  { "1.5%%", -EINVAL, 0 }, { "1.5 %", -EINVAL, 0 }, { "abc", -EINVAL, 0 },
		{ "nan", -EINVAL, 0 }, { NULL, -EINVAL, 0 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		double v = -7;
		int r = nslab_parse_percent(cases[i].in, &v);

		if (r != cases[i].ret)
			fail_msg("percent(\"%s\") returned %d, want %d", cases[i].in, r, cases[i].ret);
		if (r == 0 && (v < cases[i].want - 1e-9 || v > cases[i].want + 1e-9))
			fail_msg("percent(\"%s\") = %g, want %g", cases[i].in, v, cases[i].want);
		if (r != 0 && v != -7)
			fail_msg("percent(\"%s\") wrote its output on failure", cases[i].in);
	}
}

static void test_rate(void **state)
{
	static const struct ull_case cases[] = {
		{ "10mbit", 0, 10000000 },
		{ "1gbit", 0, 1000000000 },
		{ "500kbit", 0, 500000 },
		{ "100bit", 0, 100 },
		{ "1.5mbit", 0, 1500000 },
		{ "1tbit", 0, 1000000000000ULL },
		{ "1kibit", 0, 1024 },
		{ "1mibit", 0, 1048576 },
		{ "1gibit", 0, 1073741824 },
		{ "2mbps", 0, 16000000 }, /* bytes per second, like tc */
		{ "1kbps", 0, 8000 },
		{ "1bps", 0, 8 },
		{ "1gbps", 0, 8000000000ULL },
		{ "1kibps", 0, 8192 },
		{ "10MBit", 0, 10000000 },
		{ "10Mbit", 0, 10000000 },
		{ "1000", 0, 1000 }, /* bare = bit/s */
		{ "0", 0, 0 },	     /* parses; the loader and nslab_impair_check reject 0 */
		{ "10m", -EINVAL, 0 },
		{ "10 mbit", -EINVAL, 0 },
		{ "10mbits", -EINVAL, 0 },
		{ "mbit", -EINVAL, 0 },
		{ "", -EINVAL, 0 },
		{ "-1mbit", -EINVAL, 0 },
		{ "99999999999tbit", -ERANGE, 0 },
		{ "18446744073709551616", -ERANGE, 0 },
	};

	(void)state;
	CHECK_ULL(nslab_parse_rate_bps, cases);
}

static void test_size(void **state)
{
	static const struct ull_case cases[] = {
		{ "256Mb", 0, 256ULL << 20 },
		{ "512m", 0, 512ULL << 20 },
		{ "1g", 0, 1ULL << 30 },
		{ "1GiB", 0, 1ULL << 30 },
		{ "1GB", 0, 1ULL << 30 },
		{ "1024k", 0, 1ULL << 20 },
		{ "1073741824", 0, 1073741824ULL },
		{ "100b", 0, 100 },
		{ "1.5g", 0, 3ULL << 29 },
		{ "1 GB", 0, 1ULL << 30 }, /* docker accepts the space */
		{ "2t", 0, 2ULL << 40 },
		{ "1p", 0, 1ULL << 50 },
		{ "0", 0, 0 },
		{ "1x", -EINVAL, 0 },
		{ "1gi", -EINVAL, 0 },
		{ "1gbb", -EINVAL, 0 },
		{ "g", -EINVAL, 0 },
		{ "", -EINVAL, 0 },
		{ "1 ", -EINVAL, 0 },
		{ "1  g", -EINVAL, 0 },
		{ "-1g", -EINVAL, 0 },
		{ "1,5g", -EINVAL, 0 },
		{ "16384p", -ERANGE, 0 },
		{ "18446744073709551616", -ERANGE, 0 },
		{ "18446744073709551615", 0, 18446744073709551615ULL },
	};

	(void)state;
	CHECK_ULL(nslab_parse_size_bytes, cases);
}

static void test_classid(void **state)
{
	static const struct {
		const char *in;
		int ret;
		unsigned want;
	} cases[] = {
		{ "0x00100001", 0, 0x00100001 },
		{ "0X00100001", 0, 0x00100001 },
		{ "0x10001", 0, 0x00010001 },
		{ "10:1", 0, 0x00100001 },
		{ "ffff:ffff", 0, 0xffffffff },
		{ "1:0", 0, 0x00010000 },
		{ "A:b", 0, 0x000a000b },
		{ "0:1", -EINVAL, 0 },	     /* major 0 */
		{ "0x00000001", -EINVAL, 0 }, /* major 0 */
		{ "10000:1", -ERANGE, 0 },
		{ "1:10000", -ERANGE, 0 },
		{ "0x100000001", -ERANGE, 0 },
		{ "10:", -EINVAL, 0 },
		{ ":1", -EINVAL, 0 },
		{ "1:2:3", -EINVAL, 0 },
		{ "1048577", -EINVAL, 0 }, /* decimal: ambiguous, refused */
		{ "0x", -EINVAL, 0 },
		{ "0xg", -EINVAL, 0 },
		{ "", -EINVAL, 0 },
		{ "10:1 ", -EINVAL, 0 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		unsigned v = 7;
		int r = nslab_parse_classid(cases[i].in, &v);

		if (r != cases[i].ret)
			fail_msg("classid(\"%s\") returned %d, want %d", cases[i].in, r, cases[i].ret);
		if (r == 0 && v != cases[i].want)
			fail_msg("classid(\"%s\") = %#x, want %#x", cases[i].in, v, cases[i].want);
		if (r != 0 && v != 7)
			fail_msg("classid(\"%s\") wrote its output on failure", cases[i].in);
	}
}

/* nslab_impair_check's message, or NULL when the set is valid. */
static const char *check(const struct nslab_impair *imp)
{
	static char msg[NSLAB_IMP_MSG_MAX];

	return nslab_impair_check(imp, msg, sizeof(msg)) < 0 ? msg : NULL;
}

static void test_merge(void **state)
{
	struct nslab_impair link = {
		.mask = NSLAB_IMP_DELAY | NSLAB_IMP_JITTER | NSLAB_IMP_LOSS | NSLAB_IMP_RATE,
		.delay_us = 20000,
		.jitter_us = 5000,
		.jitter_dist = NSLAB_DIST_NORMAL,
		.loss_pct = 1,
		.loss_corr_pct = 25,
		.rate_bps = 10000000,
	};
	const struct nslab_impair end = {
		.mask = NSLAB_IMP_LOSS | NSLAB_IMP_LIMIT | NSLAB_IMP_REORDER,
		.loss_pct = 5,
		.limit_pkts = 100,
		.reorder_pct = 10,
		.reorder_corr_pct = 50,
		.delay_us = 999, /* not in its mask: ignored */
	};
	struct nslab_impair empty = { 0 }, none = { 0 };

	(void)state;
	nslab_impair_merge(&link, &end);
	assert_int_equal(link.mask, NSLAB_IMP_DELAY | NSLAB_IMP_JITTER | NSLAB_IMP_LOSS | NSLAB_IMP_RATE |
					    NSLAB_IMP_LIMIT | NSLAB_IMP_REORDER);
	assert_int_equal(link.delay_us, 20000); /* kept */
	assert_int_equal(link.jitter_us, 5000);
	assert_int_equal(link.jitter_dist, NSLAB_DIST_NORMAL);
	assert_true(link.loss_pct == 5);	 /* overridden */
	assert_true(link.loss_corr_pct == 0); /* the correlation goes with its loss */
	assert_int_equal(link.rate_bps, 10000000);
	assert_int_equal(link.limit_pkts, 100);
	assert_true(link.reorder_pct == 10);
	assert_true(link.reorder_corr_pct == 50);
	assert_null(check(&link));

	/* merging nothing changes nothing; merging into nothing copies */
	nslab_impair_merge(&link, &none);
	assert_int_equal(link.delay_us, 20000);
	nslab_impair_merge(&empty, &link);
	assert_memory_equal(&empty, &link, sizeof(link));
}

static void test_check(void **state)
{
	static const struct {
		struct nslab_impair imp;
		const char *msg; /* substring, NULL = valid */
	} cases[] = {
		{ { 0 }, NULL },
		{ { .mask = NSLAB_IMP_DELAY, .delay_us = 20000 }, NULL },
		{ { .mask = NSLAB_IMP_DELAY | NSLAB_IMP_JITTER, .delay_us = 1000, .jitter_us = 5000 }, NULL }, /* jitter > delay: tc allows */
		{ { .mask = NSLAB_IMP_RATE | NSLAB_IMP_LIMIT, .rate_bps = 1, .limit_pkts = 1 }, NULL },
		{ { .mask = NSLAB_IMP_REORDER, .reorder_pct = 10 }, "reorder needs a delay" },
		{ { .mask = NSLAB_IMP_REORDER | NSLAB_IMP_DELAY, .reorder_pct = 10 }, "reorder needs a delay" },
		{ { .mask = NSLAB_IMP_REORDER | NSLAB_IMP_DELAY, .delay_us = 1, .reorder_pct = 10 }, NULL },
		{ { .mask = NSLAB_IMP_JITTER, .jitter_us = 10 }, "jitter needs delay" },
		{ { .mask = NSLAB_IMP_DELAY, .delay_us = 10, .jitter_dist = NSLAB_DIST_PARETO },
		  "jitter-distribution needs jitter" },
		{ { .mask = NSLAB_IMP_DELAY, .delay_us = 10, .jitter_dist = (enum nslab_jitter_dist)9 },
		  "unknown jitter-distribution" },
		{ { .loss_corr_pct = 5 }, "loss-correlation needs loss" },
		{ { .reorder_corr_pct = 5 }, "reorder-correlation needs reorder" },
		{ { .mask = NSLAB_IMP_LOSS, .loss_pct = 101 }, "from 0 to 100%" },
		{ { .mask = NSLAB_IMP_LOSS, .loss_pct = 1, .loss_corr_pct = -1 }, "from 0 to 100%" },
		{ { .mask = NSLAB_IMP_CORRUPT, .corrupt_pct = 100.5 }, "from 0 to 100%" },
		{ { .mask = NSLAB_IMP_DUPLICATE, .duplicate_pct = -0.5 }, "from 0 to 100%" },
		{ { .mask = NSLAB_IMP_DELAY, .delay_us = 3600000001ULL }, "delay must be at most 1 hour" },
		{ { .mask = NSLAB_IMP_DELAY | NSLAB_IMP_JITTER, .delay_us = 1, .jitter_us = 3600000001ULL },
		  "jitter must be at most 1 hour" },
		{ { .mask = NSLAB_IMP_RATE }, "rate must be from 1bit to 100gbit" },
		{ { .mask = NSLAB_IMP_RATE, .rate_bps = 100000000001ULL }, "rate must be from 1bit to 100gbit" },
		{ { .mask = NSLAB_IMP_LIMIT }, "limit must be at least 1" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *m = check(&cases[i].imp);

		if (!cases[i].msg && m)
			fail_msg("case %zu: unexpected \"%s\"", i, m);
		if (cases[i].msg && (!m || !strstr(m, cases[i].msg)))
			fail_msg("case %zu: got \"%s\", want \"%s\"", i, m ? m : "(null)", cases[i].msg);
	}
}

/* Every row of the parameter table: found by its name and its aliases, a value of its unit parses
 * into its own field (and nowhere else), a bad value is refused naming the parameter, its JSON
 * key is unique, a companion follows its base and shares its field bit. */
static void test_param_table(void **state)
{
	static const struct {
		const char *good, *bad;
		double want; /* the field's value, as a double */
	} units[] = {
		[NSLAB_IU_DURATION] = { "1.5ms", "5q", 1500 },
		[NSLAB_IU_PERCENT] = { "12.5%", "lots", 12.5 },
		[NSLAB_IU_RATE] = { "10mbit", "10mb", 10e6 },
		[NSLAB_IU_PACKETS] = { "300", "0", 300 },
		[NSLAB_IU_DIST] = { "paretonormal", "gauss", NSLAB_DIST_PARETONORMAL },
	};

	(void)state;
	for (int p = 0; p < NSLAB_IMPP__COUNT; p++) {
		const struct nslab_imp_param_info *pi = &nslab_imp_params[p];
		struct nslab_impair v = { 0 }, zero = { 0 };
		char msg[NSLAB_IMP_MSG_MAX] = "";
		const void *f = nslab_imp_field_const(&v, (enum nslab_imp_param)p);
		double got = 0;
		size_t sz = 0;

		assert_int_equal(nslab_imp_param_find(pi->name), p);
		for (size_t a = 0; a < ARRAY_SIZE(pi->aliases) && pi->aliases[a]; a++)
			assert_int_equal(nslab_imp_param_find(pi->aliases[a]), p);
		for (int q = 0; q < p; q++)
			assert_string_not_equal(nslab_imp_params[q].json_key, pi->json_key);
		if (pi->base >= 0) {
			assert_true(pi->base < p);
			assert_int_equal(nslab_imp_params[pi->base].base, -1);
			assert_int_equal(pi->field, nslab_imp_params[pi->base].field);
		}
		assert_int_equal(nslab_imp_param_parse((enum nslab_imp_param)p, units[pi->unit].good, &v, msg, sizeof(msg)), 0);
		switch (pi->unit) {
		case NSLAB_IU_DURATION:
		case NSLAB_IU_RATE:
			got = (double)*(const unsigned long long *)f;
			sz = sizeof(unsigned long long);
			break;
		case NSLAB_IU_PERCENT:
			got = *(const double *)f;
			sz = sizeof(double);
			break;
		case NSLAB_IU_PACKETS:
			got = *(const unsigned *)f;
			sz = sizeof(unsigned);
			break;
		case NSLAB_IU_DIST:
			got = *(const enum nslab_jitter_dist *)f;
			sz = sizeof(enum nslab_jitter_dist);
			break;
		}
		if (got != units[pi->unit].want)
			fail_msg("%s \"%s\" = %g, want %g", pi->name, units[pi->unit].good, got, units[pi->unit].want);
		/* only its own field changed */
		memset(nslab_imp_field(&v, (enum nslab_imp_param)p), 0, sz);
		assert_memory_equal(&v, &zero, sizeof(v));
		assert_int_not_equal(nslab_imp_param_parse((enum nslab_imp_param)p, units[pi->unit].bad, &v, msg, sizeof(msg)), 0);
		if (!strstr(msg, pi->name))
			fail_msg("%s \"%s\": the message \"%s\" does not name it", pi->name, units[pi->unit].bad, msg);
	}
	assert_int_equal(nslab_imp_param_find("gauss"), -1);
	assert_int_equal(nslab_imp_param_find(""), -1);
}

/* The setter: names and aliases, repeats, companions alone over stored settings. */
static void test_change(void **state)
{
	struct nslab_impair_change c = { 0 };
	struct nslab_impair cur = { 0 };
	char msg[NSLAB_IMP_MSG_MAX];

	(void)state;
	assert_int_equal(nslab_impair_change_add(&c, "delay", "20ms", msg, sizeof(msg)), 0);
	assert_int_equal(nslab_impair_change_add(&c, "jitter", "5ms", msg, sizeof(msg)), 0);
	assert_int_equal(nslab_impair_change_add(&c, "dist", "normal", msg, sizeof(msg)), 0);
	assert_int_equal(nslab_impair_change_add(&c, "jitter-distribution", "pareto", msg, sizeof(msg)), -EEXIST);
	assert_string_equal(msg, "jitter-distribution is given twice");
	assert_int_equal(nslab_impair_change_add(&c, "speed", "1", msg, sizeof(msg)), -ENOENT);
	assert_non_null(strstr(msg, "unknown impairment 'speed' (delay, jitter, jitter-distribution, loss,"));
	assert_int_equal(nslab_impair_change_add(&c, "loss", NULL, msg, sizeof(msg)), -EINVAL);
	assert_string_equal(msg, "loss needs a value");
	assert_int_equal(nslab_impair_change_add(&c, "loss-corr", "150", msg, sizeof(msg)), -ERANGE);
	assert_string_equal(msg, "loss-correlation must be at most 100%, got \"150\"");
	assert_int_equal(c.given, NSLAB_IMPP_BIT(NSLAB_IMPP_DELAY) | NSLAB_IMPP_BIT(NSLAB_IMPP_JITTER) |
					  NSLAB_IMPP_BIT(NSLAB_IMPP_JITTER_DIST));
	assert_int_equal(nslab_impair_change_apply(&cur, &c, msg, sizeof(msg)), 0);
	assert_int_equal(cur.mask, NSLAB_IMP_DELAY | NSLAB_IMP_JITTER);
	assert_int_equal(cur.jitter_dist, NSLAB_DIST_NORMAL);

	/* a correlation alone with no loss stored: refused, cur unchanged */
	memset(&c, 0, sizeof(c));
	assert_int_equal(nslab_impair_change_add(&c, "loss-corr", "25", msg, sizeof(msg)), 0);
	assert_int_equal(nslab_impair_change_apply(&cur, &c, msg, sizeof(msg)), -EINVAL);
	assert_string_equal(msg, "loss-correlation needs loss (none is set)");
	assert_int_equal(cur.mask, NSLAB_IMP_DELAY | NSLAB_IMP_JITTER);
	/* jitter alone keeps the stored distribution */
	memset(&c, 0, sizeof(c));
	assert_int_equal(nslab_impair_change_add(&c, "jitter", "7ms", msg, sizeof(msg)), 0);
	assert_int_equal(nslab_impair_change_apply(&cur, &c, msg, sizeof(msg)), 0);
	assert_int_equal(cur.jitter_us, 7000);
	assert_int_equal(cur.jitter_dist, NSLAB_DIST_NORMAL);
}

/* state.json's form of every parameter, and the words of describe, from the table. */
static void test_json_describe(void **state)
{
	struct nslab_impair imp = {
		.mask = NSLAB_IMP_DELAY | NSLAB_IMP_JITTER | NSLAB_IMP_LOSS | NSLAB_IMP_DUPLICATE | NSLAB_IMP_REORDER |
			NSLAB_IMP_CORRUPT | NSLAB_IMP_RATE | NSLAB_IMP_LIMIT,
		.delay_us = 20000, .jitter_us = 5000, .jitter_dist = NSLAB_DIST_NORMAL, .loss_pct = 1, .loss_corr_pct = 25,
		.duplicate_pct = 0.5, .reorder_pct = 2, .corrupt_pct = 0.1, .rate_bps = 10000000, .limit_pkts = 1000,
	}, back;
	json_t *j = nslab_impair_to_json(&imp);
	char *text = json_dumps(j, JSON_SORT_KEYS | JSON_COMPACT), *words = nslab_impair_describe(&imp);

	(void)state;
	assert_string_equal(text, "{\"corrupt_pct\":0.10000000000000001,\"delay_us\":20000,\"duplicate_pct\":0.5,"
				  "\"jitter_distribution\":\"normal\",\"jitter_us\":5000,\"limit_pkts\":1000,"
				  "\"loss_correlation_pct\":25.0,\"loss_pct\":1.0,\"rate_bps\":10000000,"
				  "\"reorder_correlation_pct\":0.0,\"reorder_pct\":2.0}");
	assert_string_equal(words, "delay 20ms, jitter 5ms normal, loss 1% (correlation 25%), duplicate 0.5%, "
				   "reorder 2%, corrupt 0.1%, rate 10mbit, limit 1000");
	nslab_impair_from_json(j, &back);
	assert_memory_equal(&back, &imp, sizeof(imp));
	free(text);
	free(words);
	json_decref(j);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_duration), cmocka_unit_test(test_percent), cmocka_unit_test(test_rate),
		cmocka_unit_test(test_size),	 cmocka_unit_test(test_classid), cmocka_unit_test(test_merge),
		cmocka_unit_test(test_check),	 cmocka_unit_test(test_param_table), cmocka_unit_test(test_change),
		cmocka_unit_test(test_json_describe),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
