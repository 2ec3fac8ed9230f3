// SPDX-License-Identifier: GPL-2.0-or-later
/* tests/unit/test_qdisc.c: netlink/qdisc.c byte for byte (against tc's own bytes), its unit scaling and
 * distribution tables, and the real kernel's tbf / netem in throwaway namespaces. */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/if.h>
#include <linux/netlink.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include <cmocka.h>

#include "netlink/nl.h"

/* ---- expected bytes, laid out by hand (no libmnl) ---- */

#include "raw_nl.h"

static void raw_tcmsg(struct raw *r, int ifindex)
{
	struct tcmsg t = { .tcm_family = AF_UNSPEC, .tcm_ifindex = ifindex, .tcm_handle = 0,
			   .tcm_parent = TC_H_ROOT };

	raw_put(r, &t, sizeof(t));
}

#define NEWQ (NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_REPLACE)


/* ---- units ---- */

static void test_prob_scaling(void **state)
{
	(void)state;
	assert_int_equal(nslab_nl_netem_prob(0), 0);
	assert_int_equal(nslab_nl_netem_prob(100), UINT32_MAX);
	assert_int_equal(nslab_nl_netem_prob(1.5), 64424509);	/* 0x03d70a3d, as tc sends "1.5%" */
	assert_int_equal(nslab_nl_netem_prob(0.0001), 4295);	/* 4294.967295 rounds up */
	assert_int_equal(nslab_nl_netem_prob(25), 1073741824);	/* 1073741823.75 */
	assert_int_equal(nslab_nl_netem_prob(50), 2147483648u); /* 2147483647.5: ties to even */
	assert_int_equal(nslab_nl_netem_prob(1), 42949673);
	assert_int_equal(nslab_nl_netem_prob(0.1), 4294967);
	assert_int_equal(nslab_nl_netem_prob(-3), 0);
	assert_int_equal(nslab_nl_netem_prob(250), UINT32_MAX);
	assert_int_equal(nslab_nl_netem_prob(NAN), 0);
	for (double p = 0; p <= 100; p += 0.37)
		assert_int_equal(nslab_nl_netem_prob(nslab_nl_netem_pct(nslab_nl_netem_prob(p))),
				 nslab_nl_netem_prob(p));
	assert_true(fabs(nslab_nl_netem_pct(UINT32_MAX) - 100) < 1e-12);
}

/* ---- distribution tables ---- */

static const char *const DIST_FILE[] = {
	[NSLAB_NL_DIST_NORMAL] = "normal.dist",
	[NSLAB_NL_DIST_PARETO] = "pareto.dist",
	[NSLAB_NL_DIST_PARETONORMAL] = "paretonormal.dist",
};

/* Values of iproute2 6.1's files, to check without them: index 0, 1, 2047, 2048, 4095. */
static const int16_t DIST_SAMPLES[][5] = {
	[NSLAB_NL_DIST_NORMAL] = { -32768, -28307, -3, 0, 28659 },
};

static void test_dist_tables(void **state)
{
	static const char *const dirs[] = { "/usr/lib/x86_64-linux-gnu/tc", "/usr/lib/tc", "/usr/lib64/tc" };
	size_t n;
	int compared = 0;

	(void)state;
	assert_null(nslab_nl_netem_dist_table(NSLAB_NL_DIST_NONE, &n));
	assert_int_equal(n, 0);
	assert_null(nslab_nl_netem_dist_table(42, &n));
	for (int d = NSLAB_NL_DIST_NORMAL; d <= NSLAB_NL_DIST_PARETONORMAL; d++) {
		const int16_t *t = nslab_nl_netem_dist_table(d, &n);
		char path[256];
		FILE *f = NULL;

		assert_non_null(t);
		assert_int_equal(n, 4096);
		assert_ptr_equal(nslab_nl_netem_dist_table(d, &n), t); /* cached */
		if (d == NSLAB_NL_DIST_NORMAL) {
			assert_int_equal(t[0], DIST_SAMPLES[d][0]);
			assert_int_equal(t[1], DIST_SAMPLES[d][1]);
		}
		for (size_t i = 0; i < ARRAY_LEN(dirs) && !f; i++) {
			snprintf(path, sizeof(path), "%s/%s", dirs[i], DIST_FILE[d]);
			f = fopen(path, "re");
		}
		if (!f)
			continue;
		{
			char line[512];
			size_t k = 0;

			while (fgets(line, sizeof(line), f)) {
				char *p = line, *end;

				if (line[0] == '#')
					continue;
				for (long v = strtol(p, &end, 10); end != p; v = strtol(p, &end, 10)) {
					assert_true(k < n);
					if (t[k] != v) {
						print_error("%s[%zu]: computed %d, file %ld\n", path, k, t[k], v);
						fail();
					}
					k++;
					p = end;
				}
			}
			fclose(f);
			assert_int_equal(k, n);
			compared++;
		}
	}
	if (!compared)
		print_message("note: no iproute2 .dist files here; tables checked against samples only\n");
	else
		print_message("%d distribution tables equal iproute2's .dist files value for value\n", compared);
}

/* ---- requests ---- */

/* The netem request as qdisc.c documents it. */
static void raw_netem(struct raw *r, uint32_t seq, int ifindex, const struct tc_netem_qopt *q,
		      const struct tc_netem_corr *c, const struct tc_netem_reorder *ro,
		      const struct tc_netem_corrupt *co, uint64_t rate_Bps, const int16_t *dist, size_t ndist,
		      uint64_t lat_ns, uint64_t jit_ns)
{
	struct tc_netem_rate rate = { .rate = rate_Bps >= (1ULL << 32) ? UINT32_MAX : (uint32_t)rate_Bps };
	size_t msg = raw_msg(r, RTM_NEWQDISC, NEWQ, seq), opts;

	raw_tcmsg(r, ifindex);
	raw_attr(r, TCA_KIND, "netem", 6);
	opts = raw_nest(r, TCA_OPTIONS);
	raw_put(r, q, sizeof(*q));
	raw_attr(r, TCA_NETEM_CORR, c, sizeof(*c));
	raw_attr(r, TCA_NETEM_REORDER, ro, sizeof(*ro));
	raw_attr(r, TCA_NETEM_CORRUPT, co, sizeof(*co));
	if (rate_Bps >= (1ULL << 32))
		raw_u64(r, TCA_NETEM_RATE64, rate_Bps);
	raw_attr(r, TCA_NETEM_RATE, &rate, sizeof(rate));
	if (dist)
		raw_attr(r, TCA_NETEM_DELAY_DIST, dist, ndist * 2);
	if (lat_ns)
		raw_u64(r, TCA_NETEM_LATENCY64, lat_ns);
	if (jit_ns)
		raw_u64(r, TCA_NETEM_JITTER64, jit_ns);
	raw_nest_end(r, opts);
	raw_end(r, msg);
}

static void test_netem_bytes(void **state)
{
	struct nslab_nlb *b = nslab_nlb_new();
	struct raw want = { 0 };
	const int16_t *normal;
	size_t nn;

	(void)state;
	normal = nslab_nl_netem_dist_table(NSLAB_NL_DIST_NORMAL, &nn);
	/* 1: delay + jitter + loss with correlation */
	nslab_nlb_qdisc_netem(b, 7,
			      &(struct nslab_nl_netem){ .delay_us = 100000, .jitter_us = 10000, .loss_pct = 1.5,
							.loss_corr_pct = 25 },
			      "netem 1");
	raw_netem(&want, 1, 7,
		  &(struct tc_netem_qopt){ .latency = 1562500, .jitter = 156250, .limit = 1000, .loss = 64424509 },
		  &(struct tc_netem_corr){ .loss_corr = 1073741824 }, &(struct tc_netem_reorder){ 0 },
		  &(struct tc_netem_corrupt){ 0 }, 0, NULL, 0, 100000000, 10000000);
	/* 2: reorder (gap 1) with correlation */
	nslab_nlb_qdisc_netem(b, 7,
			      &(struct nslab_nl_netem){ .delay_us = 10000, .reorder_pct = 25, .reorder_corr_pct = 50 },
			      "netem 2");
	raw_netem(&want, 2, 7, &(struct tc_netem_qopt){ .latency = 156250, .limit = 1000, .gap = 1 },
		  &(struct tc_netem_corr){ 0 },
		  &(struct tc_netem_reorder){ .probability = 1073741824, .correlation = 2147483648u },
		  &(struct tc_netem_corrupt){ 0 }, 0, NULL, 0, 10000000, 0);
	/* 3: duplicate, corrupt, limit, a 40 Gbit/s rate (RATE64) and nothing else */
	nslab_nlb_qdisc_netem(b, 8,
			      &(struct nslab_nl_netem){ .duplicate_pct = 1, .corrupt_pct = 0.1,
							.rate_bps = 40000000000ULL, .limit_pkts = 500 },
			      "netem 3");
	raw_netem(&want, 3, 8, &(struct tc_netem_qopt){ .limit = 500, .duplicate = 42949673 },
		  &(struct tc_netem_corr){ 0 }, &(struct tc_netem_reorder){ 0 },
		  &(struct tc_netem_corrupt){ .probability = 4294967 }, 5000000000ULL, NULL, 0, 0, 0);
	/* 4: a distribution (sent with a jitter only) and a 10 Mbit/s rate */
	nslab_nlb_qdisc_netem(b, 9,
			      &(struct nslab_nl_netem){ .delay_us = 100000, .jitter_us = 20000,
							.dist = NSLAB_NL_DIST_NORMAL, .rate_bps = 10000000 },
			      "netem 4");
	raw_netem(&want, 4, 9, &(struct tc_netem_qopt){ .latency = 1562500, .jitter = 312500, .limit = 1000 },
		  &(struct tc_netem_corr){ 0 }, &(struct tc_netem_reorder){ 0 }, &(struct tc_netem_corrupt){ 0 },
		  1250000, normal, nn, 100000000, 20000000);
	/* 5: a distribution without jitter is left out; all-zero netem is a plain fifo */
	nslab_nlb_qdisc_netem(b, 9, &(struct nslab_nl_netem){ .dist = NSLAB_NL_DIST_PARETO }, "netem 5");
	raw_netem(&want, 5, 9, &(struct tc_netem_qopt){ .limit = 1000 }, &(struct tc_netem_corr){ 0 },
		  &(struct tc_netem_reorder){ 0 }, &(struct tc_netem_corrupt){ 0 }, 0, NULL, 0, 0, 0);
	assert_batch(b, &want);
	assert_int_equal(nslab_nlb_count(b), 5);
	assert_string_equal(nslab_nlb_what(b, 3), "netem 4");
	nslab_nlb_free(b);
}

/*
 * iproute2 6.1 (strace -e trace=sendmsg -e write=3, throwaway netns, va = ifindex 3):
 *   tc qdisc add dev va root netem delay 100ms 10ms loss 1.5% 25% duplicate 1% reorder 25% 50% \
 *           corrupt 0.1% rate 10mbit limit 500
 * Ours differs in flags (CREATE|REPLACE, not CREATE|EXCL), the seq (a timestamp in tc), and the
 * LATENCY64 + JITTER64 attributes we append (6.1 sends ticks only): patched / cut here.
 */
static const unsigned char TC_NETEM_ALL[] = {
	0x88, 0x00, 0x00, 0x00, 0x24, 0x00, 0x05, 0x06, 0x17, 0x12, 0x03, 0x6b, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff,
	0x00, 0x00, 0x00, 0x00, 0x0a, 0x00, 0x01, 0x00, 0x6e, 0x65, 0x74, 0x65, 0x6d, 0x00, 0x00, 0x00,
	0x58, 0x00, 0x02, 0x00, 0x84, 0xd7, 0x17, 0x00, 0xf4, 0x01, 0x00, 0x00, 0x3d, 0x0a, 0xd7, 0x03,
	0x01, 0x00, 0x00, 0x00, 0x29, 0x5c, 0x8f, 0x02, 0x5a, 0x62, 0x02, 0x00, 0x10, 0x00, 0x01, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x40, 0x00, 0x00, 0x00, 0x00, 0x0c, 0x00, 0x03, 0x00,
	0x00, 0x00, 0x00, 0x40, 0x00, 0x00, 0x00, 0x80, 0x0c, 0x00, 0x04, 0x00, 0x37, 0x89, 0x41, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x14, 0x00, 0x06, 0x00, 0xd0, 0x12, 0x13, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
};

static void test_netem_matches_tc(void **state)
{
	struct nslab_nl_netem ne = { .delay_us = 100000, .jitter_us = 10000, .loss_pct = 1.5, .loss_corr_pct = 25,
				     .duplicate_pct = 1, .reorder_pct = 25, .reorder_corr_pct = 50,
				     .corrupt_pct = 0.1, .rate_bps = 10000000, .limit_pkts = 500 };
	struct nslab_nlb *b = nslab_nlb_new();
	unsigned char want[sizeof(TC_NETEM_ALL) + 24];
	const uint16_t flags = NEWQ;
	const uint32_t seq = 1, len = sizeof(want);
	const uint16_t optlen = 0x58 + 24;
	const uint64_t lat = 100000000, jit = 10000000;
	const unsigned char *got;
	size_t n;

	(void)state;
	memcpy(want, TC_NETEM_ALL, sizeof(TC_NETEM_ALL));
	memcpy(want, &len, 4);
	memcpy(want + offsetof(struct nlmsghdr, nlmsg_flags), &flags, 2);
	memcpy(want + offsetof(struct nlmsghdr, nlmsg_seq), &seq, 4);
	memcpy(want + 0x30, &optlen, 2);
	memcpy(want + 0x88, (const unsigned char[]){ 0x0c, 0x00, 0x0a, 0x00 }, 4); /* TCA_NETEM_LATENCY64 */
	memcpy(want + 0x8c, &lat, 8);
	memcpy(want + 0x94, (const unsigned char[]){ 0x0c, 0x00, 0x0b, 0x00 }, 4); /* TCA_NETEM_JITTER64 */
	memcpy(want + 0x98, &jit, 8);
	nslab_nlb_qdisc_netem(b, 3, &ne, "x");
	got = nslab_nlb_data(b, &n);
	assert_int_equal(n, sizeof(want));
	assert_memory_equal(got, want, n);
	nslab_nlb_free(b);
}

/*
 * iproute2 6.1: `tc qdisc add dev va root tbf rate 10mbit burst 5000 latency 50ms` and
 * `... rate 10gbit burst 5000000 latency 50ms`, up to and including TCA_TBF_BURST (then tc sends a
 * 1 KiB TCA_TBF_RTAB the kernel ignores for linklayer ethernet). tc also fills rate.cell_log (3) and
 * rate.cell_align (-1), which only a rate table uses; its nest lacks NLA_F_NESTED.
 */
static const unsigned char TC_TBF_10MBIT[] = {
	0x64, 0x04, 0x00, 0x00, 0x24, 0x00, 0x05, 0x06, 0x12, 0x12, 0x03, 0x6b, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff,
	0x00, 0x00, 0x00, 0x00, 0x08, 0x00, 0x01, 0x00, 0x74, 0x62, 0x66, 0x00, 0x38, 0x04, 0x02, 0x00,
	0x28, 0x00, 0x01, 0x00, 0x03, 0x01, 0x00, 0x00, 0xff, 0xff, 0x00, 0x00, 0xd0, 0x12, 0x13, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xac, 0x07, 0x01, 0x00,
	0x24, 0xf4, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x08, 0x00, 0x06, 0x00, 0x88, 0x13, 0x00, 0x00,
};
static const unsigned char TC_TBF_10GBIT[] = {
	0x64, 0x04, 0x00, 0x00, 0x24, 0x00, 0x05, 0x06, 0x12, 0x12, 0x03, 0x6b, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff,
	0x00, 0x00, 0x00, 0x00, 0x08, 0x00, 0x01, 0x00, 0x74, 0x62, 0x66, 0x00, 0x38, 0x04, 0x02, 0x00,
	0x28, 0x00, 0x01, 0x00, 0x03, 0x01, 0x00, 0x00, 0xff, 0xff, 0x00, 0x00, 0x80, 0x7c, 0x81, 0x4a,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xe0, 0xf7, 0x05, 0x04,
	0x24, 0xf4, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x08, 0x00, 0x06, 0x00, 0x40, 0x4b, 0x4c, 0x00,
};

static void check_tbf_vs_tc(const unsigned char *tc, size_t tclen, uint64_t rate_bps)
{
	struct nslab_nlb *b = nslab_nlb_new();
	unsigned char want[0x60];
	const uint16_t flags = NEWQ, optlen = 0x34, opttype = TCA_OPTIONS | NLA_F_NESTED;
	const uint32_t seq = 1, len = sizeof(want);
	const unsigned char *got;
	size_t n;

	assert_int_equal(tclen, sizeof(want));
	memcpy(want, tc, sizeof(want));
	memcpy(want, &len, 4);
	memcpy(want + offsetof(struct nlmsghdr, nlmsg_flags), &flags, 2);
	memcpy(want + offsetof(struct nlmsghdr, nlmsg_seq), &seq, 4);
	memcpy(want + 0x2c, &optlen, 2);
	memcpy(want + 0x2e, &opttype, 2);
	want[0x34] = 0;			/* rate.cell_log */
	want[0x38] = want[0x39] = 0;	/* rate.cell_align */
	nslab_nlb_qdisc_tbf(b, 3, rate_bps, 0, 1500, "x");
	/* the tbf request, then the GSO cap (test_tbf_bytes) */
	assert_int_equal(nslab_nlb_count(b), 2);
	got = nslab_nlb_data(b, &n);
	assert_true(n > sizeof(want));
	assert_memory_equal(got, want, sizeof(want));
	nslab_nlb_free(b);
}

static void test_tbf_matches_tc(void **state)
{
	(void)state;
	check_tbf_vs_tc(TC_TBF_10MBIT, sizeof(TC_TBF_10MBIT), 10000000);
	check_tbf_vs_tc(TC_TBF_10GBIT, sizeof(TC_TBF_10GBIT), 10000000000ULL);
}

static void raw_tbf(struct raw *r, uint32_t seq, int ifindex, uint32_t rate, uint32_t limit, uint32_t buffer,
		    uint32_t burst, uint64_t rate64)
{
	struct tc_tbf_qopt opt = { .rate = { .linklayer = TC_LINKLAYER_ETHERNET, .rate = rate }, .limit = limit,
				   .buffer = buffer };
	size_t msg = raw_msg(r, RTM_NEWQDISC, NEWQ, seq), opts;

	raw_tcmsg(r, ifindex);
	raw_attr(r, TCA_KIND, "tbf", 4);
	opts = raw_nest(r, TCA_OPTIONS | NLA_F_NESTED);
	raw_attr(r, TCA_TBF_PARMS, &opt, sizeof(opt));
	raw_u32(r, TCA_TBF_BURST, burst);
	if (rate64)
		raw_u64(r, TCA_TBF_RATE64, rate64);
	raw_nest_end(r, opts);
	raw_end(r, msg);
}

/* iproute2 6.1: `ip link set dev IF gso_max_size N`. */
static void raw_gso(struct raw *r, uint32_t seq, int ifindex, uint32_t size)
{
	struct ifinfomsg ifm = { .ifi_family = AF_UNSPEC, .ifi_index = ifindex };
	size_t msg = raw_msg(r, RTM_NEWLINK, REQ, seq);

	raw_put(r, &ifm, sizeof(ifm));
	raw_u32(r, IFLA_GSO_MAX_SIZE, size);
	raw_end(r, msg);
}

/*
 * The sizes (issue 16): a queue of 50 ms held 2.6 jumbo frames at 1 Mbit/s, and TCP's GSO packets,
 * larger than the burst, were cut by tbf and lost in part: TCP got 0.86-0.89 of 1 Mbit/s and
 * 0.77-0.85 of 2 Mbit/s at MTU 9500, with 15-20 % of its packets retransmitted (tests/integration/t_rate.sh).
 */
static void test_tbf_size(void **state)
{
	struct nslab_nl_tbf_size sz;

	(void)state;
	/* 1 Mbit/s, MTU 9500: burst 2 frames; the queue 2 frames more, not 50 ms (6250 B) */
	nslab_nl_tbf_size(1000000, 0, 9500, &sz);
	assert_int_equal(sz.burst, 2 * 9514);
	assert_int_equal(sz.limit, 4 * 9514);
	assert_int_equal(sz.gso_max_size, 2 * 9514);
	/* 10 Mbit/s, MTU 1500: 50 ms (62500 B) is more than 2 frames; burst 4 ms = 5000 B */
	nslab_nl_tbf_size(10000000, 0, 1500, &sz);
	assert_int_equal(sz.burst, 5000);
	assert_int_equal(sz.limit, 62500 + 5000);
	assert_int_equal(sz.gso_max_size, 5000);
	/* mtu 0 counts as 1500; a packet limit is taken as it is */
	nslab_nl_tbf_size(1000000, 7, 0, &sz);
	assert_int_equal(sz.burst, 2 * 1514);
	assert_int_equal(sz.limit, 7 * 1514);
	/* fast links: the burst grows past GSO's default, which stays the cap */
	nslab_nl_tbf_size(1000000000, 0, 1500, &sz);
	assert_int_equal(sz.burst, 500000);
	assert_int_equal(sz.gso_max_size, 65536);
	/* every packet TCP can build fits in the burst, at any MTU and rate: tbf never cuts one */
	for (unsigned mtu = 68; mtu <= 65535; mtu += 997)
		for (uint64_t rate = 8000; rate < 100000000000ULL; rate *= 3) {
			nslab_nl_tbf_size(rate, 0, mtu, &sz);
			assert_true(sz.gso_max_size <= sz.burst);
			assert_true(sz.burst >= 2 * (uint64_t)(mtu + 14));
			assert_true(sz.limit >= sz.burst + 2 * (uint64_t)(mtu + 14));
			assert_true(sz.limit <= UINT32_MAX);
		}
}

static void test_tbf_bytes(void **state)
{
	struct nslab_nlb *b = nslab_nlb_new();
	struct raw want = { 0 };

	(void)state;
	/* 1 Mbit/s, mtu 9000, 100 packets: burst 2 frames (18028 B), limit 100 frames; 144224 us of ticks */
	nslab_nlb_qdisc_tbf(b, 4, 1000000, 100, 9000, "tbf 1");
	raw_tbf(&want, 1, 4, 125000, 100 * 9014, 2253500, 18028, 0);
	raw_gso(&want, 2, 4, 18028);
	/* 40 Gbit/s: rate capped in the struct, TCA_TBF_RATE64; burst 4 ms = 20 MB; limit 50 ms + burst */
	nslab_nlb_qdisc_tbf(b, 4, 40000000000ULL, 0, 0, "tbf 2");
	raw_tbf(&want, 3, 4, UINT32_MAX, 270000000, 62500, 20000000, 5000000000ULL);
	raw_gso(&want, 4, 4, 65536);
	assert_batch(b, &want);
	nslab_nlb_free(b);
}

/* iproute2 6.1: `tc qdisc del dev va root` (ifindex 3). */
static const unsigned char TC_DEL_ROOT[] = {
	0x24, 0x00, 0x00, 0x00, 0x25, 0x00, 0x05, 0x00, 0x12, 0x12, 0x03, 0x6b, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff,
	0x00, 0x00, 0x00, 0x00,
};

static void test_del_root_bytes(void **state)
{
	struct nslab_nlb *b = nslab_nlb_new();
	unsigned char want[sizeof(TC_DEL_ROOT)];
	const uint32_t seq = 2;
	struct raw gso = { 0 };
	const unsigned char *got;
	size_t n;

	(void)state;
	memcpy(want, TC_DEL_ROOT, sizeof(want));
	memcpy(want + offsetof(struct nlmsghdr, nlmsg_seq), &seq, 4);
	nslab_nlb_qdisc_del_root(b, 3, "del");
	/* the default GSO size back first, then the delete */
	raw_gso(&gso, 1, 3, 65536);
	got = nslab_nlb_data(b, &n);
	assert_int_equal(n, gso.len + sizeof(want));
	assert_memory_equal(got, gso.b, gso.len);
	got += gso.len;
	assert_memory_equal(got, want, sizeof(want));
	{
		struct nlmsghdr h;

		memcpy(&h, got, sizeof(h));
		assert_int_equal(h.nlmsg_flags, REQ);
	}
	nslab_nlb_free(b);
}

static void test_explain(void **state)
{
	struct nslab_nlb *b = nslab_nlb_new();
	struct nslab_err err = { 0 };

	(void)state;
	nslab_nlb_link_set(b, 3, 1, 0, -1, "eth1 up");
	nslab_nlb_qdisc_tbf(b, 3, 1000000, 0, 0, "rate on r1:eth1");
	nslab_nlb_qdisc_netem(b, 3, &(struct nslab_nl_netem){ .delay_us = 1000 }, "impairments on r1:eth1");

	nslab_err_set(&err, ENOENT, "impairments on r1:eth1: %s (kernel: Specified qdisc kind is unknown)",
		      strerror(ENOENT));
	assert_true(nslab_nl_qdisc_explain(b, &err));
	assert_int_equal(err.code, ENOENT);
	assert_string_equal(err.msg, "impairments on r1:eth1: " NSLAB_NL_NO_NETEM_MSG
				     " (kernel: Specified qdisc kind is unknown)");
	print_message("%s\n", err.msg);
	/* without extack (old kernels) */
	nslab_err_set(&err, ENOENT, "impairments on r1:eth1: %s", strerror(ENOENT));
	assert_true(nslab_nl_qdisc_explain(b, &err));
	assert_string_equal(err.msg, "impairments on r1:eth1: " NSLAB_NL_NO_NETEM_MSG);
	/* a tbf request, another errno, another extack: left alone */
	nslab_err_set(&err, ENOENT, "rate on r1:eth1: %s (kernel: Specified qdisc kind is unknown)",
		      strerror(ENOENT));
	assert_false(nslab_nl_qdisc_explain(b, &err));
	nslab_err_set(&err, EINVAL, "impairments on r1:eth1: %s", strerror(EINVAL));
	assert_false(nslab_nl_qdisc_explain(b, &err));
	nslab_err_set(&err, ENOENT, "impairments on r1:eth1: %s (kernel: Parent Qdisc doesn't exists)",
		      strerror(ENOENT));
	assert_false(nslab_nl_qdisc_explain(b, &err));
	nslab_err_set(&err, ENOENT, "eth1 up: %s", strerror(ENOENT));
	assert_false(nslab_nl_qdisc_explain(b, &err));
	nslab_nlb_free(b);
}

/* ---- the kernel (root; every object in namespaces created here) ---- */

#include "netns_helpers.h"

/* A namespace with veth va (10) -- vb (11), both up; returns the socket. */
static struct nslab_nl *veth_lab(int *fd)
{
	struct nslab_err err = { 0 };
	struct nslab_nl *nl = NULL;
	struct nslab_nlb *b = nslab_nlb_new();

	*fd = new_netns();
	assert_int_equal(nslab_nl_open(&nl, *fd, &err), 0);
	nslab_nlb_veth_add(b, &(struct nslab_nl_linkend){ .ifname = "va", .ifindex = 10, .netns_fd = -1, .up = true },
			   &(struct nslab_nl_linkend){ .ifname = "vb", .ifindex = 11, .netns_fd = -1 }, "veth");
	nslab_nlb_link_set(b, 11, 1, 0, -1, "vb up");
	assert_int_equal(nslab_nl_send(nl, b, &err), 0);
	nslab_nlb_free(b);
	return nl;
}

/* The root qdisc of ifindex (copied), failing the test when there is none. */
static struct nslab_nl_qdisc_info root_of(struct nslab_nl *nl, int ifindex)
{
	struct nslab_err err = { 0 };
	struct nslab_nl_qdisc_info *q, r = { 0 };
	size_t n;
	bool found = false;

	if (nslab_nl_dump_qdiscs(nl, &q, &n, &err) < 0) {
		print_error("%s\n", err.msg);
		fail();
	}
	for (size_t i = 0; i < n; i++)
		if (q[i].ifindex == ifindex && q[i].root) {
			r = q[i];
			found = true;
		}
	free(q);
	assert_true(found);
	return r;
}

static int send1(struct nslab_nl *nl, struct nslab_nlb *b, struct nslab_err *err)
{
	int ret = nslab_nl_send(nl, b, err);

	if (ret < 0)
		nslab_nl_qdisc_explain(b, err);
	nslab_nlb_reset(b);
	return ret;
}

static void test_kernel_tbf(void **state)
{
	struct nslab_err err = { 0 };
	struct nslab_nlb *b = nslab_nlb_new();
	struct nslab_nl_qdisc_info q;
	struct nslab_nl *nl;
	uint32_t handle;
	int fd, ret;

	(void)state;
	NEED_ROOT();
	nl = veth_lab(&fd);
	q = root_of(nl, 10);
	assert_string_equal(q.kind, "noqueue");

	nslab_nlb_qdisc_tbf(b, 10, 10000000, 0, 1500, "rate on va");
	ret = send1(nl, b, &err);
	if (ret < 0)
		print_error("%s\n", err.msg);
	assert_int_equal(ret, 0);
	q = root_of(nl, 10);
	assert_string_equal(q.kind, "tbf");
	assert_int_equal(q.rate_bps, 10000000);
	assert_int_equal(q.limit, 67500);
	assert_int_equal(q.parent, TC_H_ROOT);
	assert_true(q.handle != 0);
	handle = q.handle;
	print_message("tbf 10mbit on va: handle %x:, limit %u B\n", handle >> 16, q.limit);

	/* replace: same kind, changed in place (same handle) */
	nslab_nlb_qdisc_tbf(b, 10, 20000000, 100, 1500, "rate on va");
	assert_int_equal(send1(nl, b, &err), 0);
	q = root_of(nl, 10);
	assert_string_equal(q.kind, "tbf");
	assert_int_equal(q.rate_bps, 20000000);
	assert_int_equal(q.limit, 151400);
	assert_int_equal(q.handle, handle);

	/* above 32 bits of bytes/s */
	nslab_nlb_qdisc_tbf(b, 10, 40000000000ULL, 0, 1500, "rate on va");
	assert_int_equal(send1(nl, b, &err), 0);
	q = root_of(nl, 10);
	assert_int_equal(q.rate_bps, 40000000000ULL);

	/* delete: back to the default; a second delete is ENOENT */
	nslab_nlb_qdisc_del_root(b, 10, "no rate on va");
	assert_int_equal(send1(nl, b, &err), 0);
	q = root_of(nl, 10);
	assert_string_equal(q.kind, "noqueue");
	nslab_nlb_qdisc_del_root(b, 10, "no rate on va");
	ret = send1(nl, b, &err);
	print_message("second delete: %s\n", err.msg);
	assert_int_equal(ret, -ENOENT);

	nslab_nlb_free(b);
	nslab_nl_close(nl);
	close(fd);
}

static void assert_pct(double got, double want)
{
	assert_int_equal(nslab_nl_netem_prob(got), nslab_nl_netem_prob(want));
}

static void test_kernel_netem(void **state)
{
	struct nslab_err err = { 0 };
	struct nslab_nlb *b = nslab_nlb_new();
	struct nslab_nl_qdisc_info q;
	struct nslab_nl *nl;
	struct nslab_nl_netem ne = { .delay_us = 50000, .jitter_us = 5000, .dist = NSLAB_NL_DIST_NORMAL,
				     .loss_pct = 1.5, .loss_corr_pct = 25, .duplicate_pct = 1, .reorder_pct = 25,
				     .reorder_corr_pct = 50, .corrupt_pct = 0.1, .rate_bps = 100000000,
				     .limit_pkts = 500 };
	bool have = false;
	int fd, ret;

	(void)state;
	NEED_ROOT();
	ret = nslab_nl_netem_probe(&have, &err);
	if (ret < 0)
		print_error("%s\n", err.msg);
	assert_int_equal(ret, 0);
	print_message("sch_netem: %s\n", have ? "available" : "absent");
	nl = veth_lab(&fd);

	nslab_nlb_link_set(b, 10, 1, 0, -1, "va up");
	nslab_nlb_qdisc_netem(b, 10, &ne, "impairments on va");
	ret = send1(nl, b, &err);
	if (!have) {
		print_message("%s\n", err.msg);
		assert_int_equal(ret, -ENOENT);
		assert_string_equal(err.msg, "impairments on va: " NSLAB_NL_NO_NETEM_MSG
					     " (kernel: Specified qdisc kind is unknown)");
		/* rate still works without it */
		nslab_nlb_qdisc_tbf(b, 10, 10000000, 0, 1500, "rate on va");
		assert_int_equal(send1(nl, b, &err), 0);
		assert_string_equal(root_of(nl, 10).kind, "tbf");
		goto out;
	}
	if (ret < 0)
		print_error("%s\n", err.msg);
	assert_int_equal(ret, 0);
	q = root_of(nl, 10);
	assert_string_equal(q.kind, "netem");
	assert_int_equal(q.netem.delay_us, 50000);
	assert_int_equal(q.netem.jitter_us, 5000);
	assert_pct(q.netem.loss_pct, 1.5);
	assert_pct(q.netem.loss_corr_pct, 25);
	assert_pct(q.netem.duplicate_pct, 1);
	assert_pct(q.netem.reorder_pct, 25);
	assert_pct(q.netem.reorder_corr_pct, 50);
	assert_pct(q.netem.corrupt_pct, 0.1);
	assert_int_equal(q.netem.rate_bps, 100000000);
	assert_int_equal(q.rate_bps, 100000000);
	assert_int_equal(q.netem.limit_pkts, 500);
	assert_int_equal(q.limit, 500);
	print_message("netem dumped back: delay %llu us jitter %llu us loss %.4f%% rate %llu bit/s\n",
		      (unsigned long long)q.netem.delay_us, (unsigned long long)q.netem.jitter_us,
		      q.netem.loss_pct, (unsigned long long)q.netem.rate_bps);

	/* change to fewer options: the others are reset, not kept */
	nslab_nlb_qdisc_netem(b, 10, &(struct nslab_nl_netem){ .delay_us = 123456, .loss_pct = 10 },
			      "impairments on va");
	assert_int_equal(send1(nl, b, &err), 0);
	q = root_of(nl, 10);
	assert_string_equal(q.kind, "netem");
	assert_int_equal(q.netem.delay_us, 123456); /* exact: LATENCY64 */
	assert_int_equal(q.netem.jitter_us, 0);
	assert_pct(q.netem.loss_pct, 10);
	assert_pct(q.netem.loss_corr_pct, 0);
	assert_pct(q.netem.reorder_pct, 0);
	assert_pct(q.netem.duplicate_pct, 0);
	assert_pct(q.netem.corrupt_pct, 0);
	assert_int_equal(q.netem.rate_bps, 0);
	assert_int_equal(q.netem.limit_pkts, 1000);

	/* switch kinds both ways, 64-bit rate, delete */
	nslab_nlb_qdisc_tbf(b, 10, 10000000, 0, 1500, "rate on va");
	assert_int_equal(send1(nl, b, &err), 0);
	assert_string_equal(root_of(nl, 10).kind, "tbf");
	nslab_nlb_qdisc_netem(b, 10, &(struct nslab_nl_netem){ .rate_bps = 40000000000ULL }, "impairments on va");
	assert_int_equal(send1(nl, b, &err), 0);
	q = root_of(nl, 10);
	assert_string_equal(q.kind, "netem");
	assert_int_equal(q.netem.rate_bps, 40000000000ULL);
	nslab_nlb_qdisc_del_root(b, 10, "no impairments on va");
	assert_int_equal(send1(nl, b, &err), 0);
	assert_string_equal(root_of(nl, 10).kind, "noqueue");
out:
	nslab_nlb_free(b);
	nslab_nl_close(nl);
	close(fd);
}

int main(void)
{
	const struct CMUnitTest builders[] = {
		cmocka_unit_test(test_prob_scaling),   cmocka_unit_test(test_dist_tables),
		cmocka_unit_test(test_netem_bytes),    cmocka_unit_test(test_netem_matches_tc),
		cmocka_unit_test(test_tbf_matches_tc), cmocka_unit_test(test_tbf_bytes),
		cmocka_unit_test(test_tbf_size),
		cmocka_unit_test(test_del_root_bytes), cmocka_unit_test(test_explain),
	};
	const struct CMUnitTest kernel[] = {
		cmocka_unit_test(test_kernel_tbf),
		cmocka_unit_test(test_kernel_netem),
	};
	int fails = cmocka_run_group_tests_name("qdisc builders", builders, NULL, NULL);

	fails += cmocka_run_group_tests_name("qdisc kernel", kernel, kernel_setup, NULL);
	return fails ? 1 : 0;
}
