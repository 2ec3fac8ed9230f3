// SPDX-License-Identifier: GPL-2.0-or-later
/* tests/unit/test_units.c: the unit parsers (durations, percentages, rates, sizes, classids) and the impairment set's merge and check. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

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
	assert_null(nslab_impair_check(&link));

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
		const char *m = nslab_impair_check(&cases[i].imp);

		if (!cases[i].msg && m)
			fail_msg("case %zu: unexpected \"%s\"", i, m);
		if (cases[i].msg && (!m || !strstr(m, cases[i].msg)))
			fail_msg("case %zu: got \"%s\", want \"%s\"", i, m ? m : "(null)", cases[i].msg);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_duration), cmocka_unit_test(test_percent), cmocka_unit_test(test_rate),
		cmocka_unit_test(test_size),	 cmocka_unit_test(test_classid), cmocka_unit_test(test_merge),
		cmocka_unit_test(test_check),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
