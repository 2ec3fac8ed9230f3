// SPDX-License-Identifier: GPL-2.0-or-later
/* tests/unit/test_scenario.c: the scenario parser (steps, every error as file:line:col) and `link set`'s merge. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/link.h"
#include "core/scenario.h"

static struct nslab_scn *parse_ok(const char *text)
{
	struct nslab_diags d = { 0 };
	struct nslab_scn *s = NULL;
	int r = nslab_scn_parse_buf("t.scenario", text, strlen(text), &s, &d);

	for (size_t i = 0; i < d.n; i++) {
		char *m = nslab_diag_format(&d.v[i]);
		print_message("unexpected: %s\n", m);
		free(m);
	}
	assert_int_equal(r, 0);
	assert_int_equal(d.n, 0);
	assert_non_null(s);
	nslab_diags_free(&d);
	return s;
}

/* Parse text that must fail; returns the diagnostics joined by '\n' (malloc'd). */
static char *parse_bad(const char *text)
{
	struct nslab_diags d = { 0 };
	struct nslab_scn *s = (void *)1;
	char *all = calloc(1, 1);
	size_t len = 0;
	int r = nslab_scn_parse_buf("t.scenario", text, strlen(text), &s, &d);

	assert_int_equal(r, -EINVAL);
	assert_null(s);
	assert_true(d.nerrors > 0);
	for (size_t i = 0; i < d.n; i++) {
		char *m = nslab_diag_format(&d.v[i]);
		all = realloc(all, len + strlen(m) + 2);
		memcpy(all + len, m, strlen(m));
		len += strlen(m);
		all[len++] = '\n';
		all[len] = 0;
		free(m);
	}
	nslab_diags_free(&d);
	return all;
}

static void test_steps(void **state)
{
	(void)state;
	struct nslab_scn *s = parse_ok("# a comment\n"
				       "\n"
				       "wait 2s   # trailing comment\n"
				       "link r1:eth1 r2:eth1 down\n"
				       "link r1:eth1 up\n"
				       "link r1:eth1 flap --every 500ms --times 3\n"
				       "link r1:eth1 set --delay 50ms loss 2% --rate 10mbit --only\n"
				       "link r1:eth1 reset\r\n"
				       "exec r3 ip route | grep -q 'x  y' # kept for sh\n"
				       "  expect h1 reaches 192.168.2.10 within 3s\n"
				       "expect h1 reaches h2\n"
				       "expect r1 exec ping -c 1 10.0.12.2 fails\n"
				       "expect r1 exec test -e /x succeeds within 1.5s\n"
				       "expect loss between h1 and h2 below 1% count 50\n"
				       "expect loss between h1 and 10.0.0.2 below 0.5%");
	const struct nslab_scn_step *st = s->steps;

	assert_int_equal(s->nsteps, 13);
	assert_int_equal(s->nchecks, 6);
	assert_int_equal(st[0].kind, NSLAB_SCN_WAIT);
	assert_int_equal(st[0].duration_us, 2000000);
	assert_int_equal(st[0].pos.line, 3);
	assert_string_equal(st[0].text, "wait 2s");

	assert_int_equal(st[1].kind, NSLAB_SCN_LINK);
	assert_int_equal(st[1].link_op, NSLAB_LINK_DOWN);
	assert_string_equal(st[1].a, "r1:eth1");
	assert_string_equal(st[1].b, "r2:eth1");
	assert_int_equal(st[2].link_op, NSLAB_LINK_UP);
	assert_null(st[2].b);
	assert_int_equal(st[3].link_op, NSLAB_LINK_FLAP);
	assert_int_equal(st[3].every_us, 500000);
	assert_int_equal(st[3].times, 3);

	assert_int_equal(st[4].link_op, NSLAB_LINK_SET);
	assert_true(st[4].only);
	assert_int_equal(st[4].change.given, NSLAB_IMPP_BIT(NSLAB_IMPP_DELAY) | NSLAB_IMPP_BIT(NSLAB_IMPP_LOSS) | NSLAB_IMPP_BIT(NSLAB_IMPP_RATE));
	assert_int_equal(st[4].change.v.delay_us, 50000);
	assert_true(st[4].change.v.loss_pct > 1.999 && st[4].change.v.loss_pct < 2.001);
	assert_int_equal(st[4].change.v.rate_bps, 10000000);
	assert_int_equal(st[5].link_op, NSLAB_LINK_RESET);
	assert_string_equal(st[5].text, "link r1:eth1 reset");

	assert_int_equal(st[6].kind, NSLAB_SCN_EXEC);
	assert_string_equal(st[6].node, "r3");
	assert_string_equal(st[6].cmd, "ip route | grep -q 'x  y' # kept for sh");

	assert_int_equal(st[7].kind, NSLAB_SCN_EXPECT_REACH);
	assert_int_equal(st[7].pos.line, 10);
	assert_int_equal(st[7].pos.col, 3);
	assert_string_equal(st[7].target, "192.168.2.10");
	assert_int_equal(st[7].duration_us, 3000000);
	assert_int_equal(st[8].duration_us, 5000000); /* default */

	assert_int_equal(st[9].kind, NSLAB_SCN_EXPECT_EXEC);
	assert_false(st[9].want_success);
	assert_string_equal(st[9].cmd, "ping -c 1 10.0.12.2");
	assert_int_equal(st[9].duration_us, 0);
	assert_true(st[10].want_success);
	assert_string_equal(st[10].cmd, "test -e /x");
	assert_int_equal(st[10].duration_us, 1500000);

	assert_int_equal(st[11].kind, NSLAB_SCN_EXPECT_LOSS);
	assert_string_equal(st[11].node, "h1");
	assert_string_equal(st[11].target, "h2");
	assert_int_equal(st[11].count, 50);
	assert_true(st[11].max_loss_pct > 0.999 && st[11].max_loss_pct < 1.001);
	assert_int_equal(st[12].count, 100);
	nslab_scn_free(s);
}

static void test_errors_all_in_one_pass(void **state)
{
	(void)state;
	char *e = parse_bad("wait 2x\n"
			    "link r1:eth1 sideways\n"
			    "expect h1 reaches\n"
			    "expect h1 exec true maybe\n"
			    "link r1:eth1 set --delay 5q --frob 1\n"
			    "expect loss between h1 and h2 below 1 count 0\n"
			    "bogus stuff\n"
			    "exec\n"
			    "link r1 down\n"
			    "link r1:eth1 set\n"
			    "link r1:eth1 r2:eth1 set --only rate 1mbit\n"
			    "wait 1s\n");

	assert_non_null(strstr(e, "t.scenario:1:6: error: '2x' is not a duration"));
	assert_non_null(strstr(e, "t.scenario:2:14: error: link needs an action"));
	assert_non_null(strstr(e, "t.scenario:3:18: error: expect NODE reaches needs an address"));
	assert_non_null(strstr(e, "t.scenario:4:21: error: expected: expect NODE exec"));
	assert_non_null(strstr(e, "t.scenario:5:26: error: bad delay \"5q\": expected a duration"));
	assert_non_null(strstr(e, "t.scenario:5:29: error: unknown option '--frob'"));
	assert_non_null(strstr(e, "t.scenario:6:45: error: '0' is not a count"));
	assert_non_null(strstr(e, "t.scenario:7:1: error: unknown statement 'bogus'"));
	assert_non_null(strstr(e, "t.scenario:8:5: error: a node name is missing"));
	assert_non_null(strstr(e, "t.scenario:9:6: error: 'r1' is not NODE:INTERFACE"));
	assert_non_null(strstr(e, "t.scenario:10:14: error: link set needs at least one setting"));
	assert_non_null(strstr(e, "t.scenario:11:26: error: only acts on the first end alone"));
	assert_null(strstr(e, ":12:"));
	free(e);
}

static void test_edge_cases(void **state)
{
	(void)state;
	char *e;
	struct nslab_scn *s = parse_ok("");

	assert_int_equal(s->nsteps, 0);
	nslab_scn_free(s);
	s = parse_ok("wait 1s"); /* no final newline */
	assert_int_equal(s->nsteps, 1);
	nslab_scn_free(s);

	e = parse_bad("link r1:eth1 set delay 1ms delay 2ms\n");
	assert_non_null(strstr(e, "1:28: error: delay is given twice"));
	free(e);
	e = parse_bad("link r1:eth1 set rate\n");
	assert_non_null(strstr(e, "1:22: error: rate needs a value"));
	free(e);
	e = parse_bad("link r1:eth1 set rate 0\n");
	assert_non_null(strstr(e, "1:23: error: rate must be from 1bit to 100gbit, got \"0\""));
	free(e);
	e = parse_bad("link r1:eth1 down now\n");
	assert_non_null(strstr(e, "1:19: error: unexpected 'now' after link down"));
	free(e);
	e = parse_bad("expect h1 reaches h2 within\n");
	assert_non_null(strstr(e, "within needs a duration"));
	free(e);
	/* a duration without its unit is an error, not microseconds ("within 5" meant 5 s) */
	e = parse_bad("expect h1 reaches h2 within 5\n");
	assert_non_null(strstr(e, "1:29: error: '5' needs a unit: 5s or 5ms"));
	free(e);
	e = parse_bad("wait 1.5\nlink r1:eth1 flap every 2 times 3\n");
	assert_non_null(strstr(e, "1:6: error: '1.5' needs a unit"));
	assert_non_null(strstr(e, "2:25: error: '2' needs a unit"));
	free(e);
	e = parse_bad("expect h1 pings h2\n");
	assert_non_null(strstr(e, "1:11: error: expected 'reaches' or 'exec'"));
	free(e);
	e = parse_bad("expect bad.name reaches h2\n");
	assert_non_null(strstr(e, "1:8: error: 'bad.name' is not a valid node name"));
	free(e);
	e = parse_bad("wait 1s\nwait\0 1s\n");
	free(e);
}

/* The setter's message, or NULL when it took the change. */
static const char *apply(struct nslab_impair *cur, const struct nslab_impair_change *c)
{
	static char msg[NSLAB_IMP_MSG_MAX];

	return nslab_impair_change_apply(cur, c, msg, sizeof(msg)) < 0 ? msg : NULL;
}

static void test_change_apply(void **state)
{
	(void)state;
	struct nslab_impair cur = { 0 };
	struct nslab_impair_change c = { 0 };

	c.given = NSLAB_IMPP_BIT(NSLAB_IMPP_RATE);
	c.v.rate_bps = 30000000;
	assert_null(apply(&cur, &c));
	memset(&c, 0, sizeof(c));
	c.given = NSLAB_IMPP_BIT(NSLAB_IMPP_LIMIT);
	c.v.limit_pkts = 100;
	assert_null(apply(&cur, &c));
	/* the second set kept the first */
	assert_int_equal(cur.mask, NSLAB_IMP_RATE | NSLAB_IMP_LIMIT);
	assert_int_equal(cur.rate_bps, 30000000);
	assert_int_equal(cur.limit_pkts, 100);

	/* a correlation alone needs a stored loss; the rejected change leaves cur as it was */
	memset(&c, 0, sizeof(c));
	c.given = NSLAB_IMPP_BIT(NSLAB_IMPP_LOSS_CORR);
	c.v.loss_corr_pct = 25;
	assert_non_null(apply(&cur, &c));
	assert_int_equal(cur.mask, NSLAB_IMP_RATE | NSLAB_IMP_LIMIT);
	c.given = NSLAB_IMPP_BIT(NSLAB_IMPP_LOSS) | NSLAB_IMPP_BIT(NSLAB_IMPP_LOSS_CORR);
	c.v.loss_pct = 2;
	assert_null(apply(&cur, &c));
	/* loss alone keeps the stored correlation */
	memset(&c, 0, sizeof(c));
	c.given = NSLAB_IMPP_BIT(NSLAB_IMPP_LOSS);
	c.v.loss_pct = 5;
	assert_null(apply(&cur, &c));
	assert_true(cur.loss_pct > 4.99 && cur.loss_pct < 5.01);
	assert_true(cur.loss_corr_pct > 24.99 && cur.loss_corr_pct < 25.01);

	/* jitter without delay is refused by nslab_impair_check */
	memset(&c, 0, sizeof(c));
	c.given = NSLAB_IMPP_BIT(NSLAB_IMPP_JITTER);
	c.v.jitter_us = 5000;
	assert_non_null(apply(&cur, &c));
	assert_false(cur.mask & NSLAB_IMP_JITTER);
	c.given = NSLAB_IMPP_BIT(NSLAB_IMPP_JITTER) | NSLAB_IMPP_BIT(NSLAB_IMPP_DELAY) | NSLAB_IMPP_BIT(NSLAB_IMPP_JITTER_DIST);
	c.v.delay_us = 20000;
	c.v.jitter_dist = NSLAB_DIST_NORMAL;
	assert_null(apply(&cur, &c));
	/* a distribution alone keeps the jitter */
	memset(&c, 0, sizeof(c));
	c.given = NSLAB_IMPP_BIT(NSLAB_IMPP_JITTER_DIST);
	c.v.jitter_dist = NSLAB_DIST_PARETO;
	assert_null(apply(&cur, &c));
	assert_int_equal(cur.jitter_us, 5000);
	assert_int_equal(cur.jitter_dist, NSLAB_DIST_PARETO);
	/* reorder correlation alone needs a reorder */
	c.given = NSLAB_IMPP_BIT(NSLAB_IMPP_REORDER_CORR);
	c.v.reorder_corr_pct = 10;
	assert_non_null(apply(&cur, &c));
}

/* The link action table: every action by its name, and the arguments each one takes. */
static void test_link_actions(void **state)
{
	struct nslab_link_req r = { 0 };

	(void)state;
	for (int a = 0; a < NSLAB_LINK__COUNT; a++) {
		assert_int_equal(nslab_link_action_find(nslab_link_actions[a].name), a);
		assert_non_null(nslab_link_actions[a].run);
	}
	assert_int_equal(nslab_link_action_find("bounce"), -1);
	r.action = NSLAB_LINK_DOWN;
	assert_null(nslab_link_req_check(&r));
	r.sel.only = true;
	assert_non_null(strstr(nslab_link_req_check(&r), "--only is for set, reset and show"));
	r.action = NSLAB_LINK_RESET;
	assert_null(nslab_link_req_check(&r));
	r.sel.b = "r2:eth1";
	assert_non_null(strstr(nslab_link_req_check(&r), "do not name the peer"));
	r.sel = (struct nslab_link_sel){ 0 };
	r.times_given = true;
	assert_string_equal(nslab_link_req_check(&r), "--every and --times are for flap");
	r.action = NSLAB_LINK_FLAP;
	assert_null(nslab_link_req_check(&r));
	r.times_given = false;
	r.action = NSLAB_LINK_SET;
	assert_non_null(strstr(nslab_link_req_check(&r), "set needs at least one impairment"));
	r.change.given = NSLAB_IMPP_BIT(NSLAB_IMPP_RATE);
	assert_null(nslab_link_req_check(&r));
	r.action = NSLAB_LINK_SHOW;
	assert_string_equal(nslab_link_req_check(&r), "impairment options are for set");
}

/* link add A:IF B:IF [addr END=ADDR[,ADDR]]... [mtu N] and link remove A:IF [B:IF]: options with or
 * without "--"; every bad word named at its column, in one pass. */
static void test_link_add_remove_steps(void **state)
{
	(void)state;
	char buf[64], *e;
	struct nslab_scn *s = parse_ok("link add r1:eth5 r2:eth5 addr r1:eth5=10.9.0.1/24,fd09::1/64 --addr r2:eth5=10.9.0.2/24 mtu 1400\n"
				       "link add r1:eth6 r1:eth7\n"
				       "link remove r1:eth5\n"
				       "link remove r1:eth6 r1:eth7 # both ends\n"
				       "link r1:eth1 down\n"
				       "link add br0|bp:p1 r1:eth8\n"
				       "link br0|bp:p1 r1:eth8 down\n");
	const struct nslab_scn_step *st = s->steps;

	assert_int_equal(s->nsteps, 7);
	assert_int_equal(s->nchecks, 0);
	assert_int_equal(st[0].kind, NSLAB_SCN_LINK_ADD);
	assert_string_equal(st[0].a, "r1:eth5");
	assert_string_equal(st[0].b, "r2:eth5");
	assert_ptr_equal(st[0].add.end[0], st[0].a);
	assert_ptr_equal(st[0].add.end[1], st[0].b);
	assert_int_equal(st[0].add.mtu, 1400);
	assert_int_equal(st[0].add.naddrs[0], 2);
	assert_int_equal(st[0].add.naddrs[1], 1);
	assert_string_equal(nslab_prefix_fmt(&st[0].add.addrs[0][1], true, buf, sizeof(buf)), "fd09::1/64");
	assert_string_equal(nslab_prefix_fmt(&st[0].add.addrs[1][0], true, buf, sizeof(buf)), "10.9.0.2/24");
	assert_int_equal(st[1].kind, NSLAB_SCN_LINK_ADD);
	assert_int_equal(st[1].add.mtu, 0);
	assert_int_equal(st[1].add.naddrs[0] + st[1].add.naddrs[1], 0);
	assert_int_equal(st[2].kind, NSLAB_SCN_LINK_REMOVE);
	assert_string_equal(st[2].a, "r1:eth5");
	assert_null(st[2].b);
	assert_int_equal(st[3].kind, NSLAB_SCN_LINK_REMOVE);
	assert_string_equal(st[3].b, "r1:eth7");
	assert_string_equal(st[3].text, "link remove r1:eth6 r1:eth7");
	assert_int_equal(st[4].kind, NSLAB_SCN_LINK);
	/* containerlab's BR|NODE:IF: NODE's interface; an added end keeps its bridge */
	assert_string_equal(st[5].a, "bp:p1");
	assert_string_equal(st[5].add.bridge[0], "br0");
	assert_string_equal(st[5].add.bridge[1], "");
	assert_string_equal(st[6].a, "bp:p1");
	assert_string_equal(st[6].b, "r1:eth8");
	nslab_scn_free(s);

	e = parse_bad("link add r1:eth5\n"
		      "link add r1:eth5 r2:eth5 addr r1:eth5=10.9.0.300/24\n"
		      "link add r1:eth5 r2:eth5 addr r3:eth5=10.9.0.1/24 mtu 60\n"
		      "link add r1:eth5 r2 weight 3\n"
		      "link add r1:eth5 r2:eth5 addr\n"
		      "link remove\n"
		      "link remove r1:eth5 r2:eth5 r3:eth5\n"
		      "link remove r1\n"
		      "link add r1:eth5 r2:eth5 addr r2:eth5=10.9.0.2\n");
	assert_non_null(strstr(e, "t.scenario:1:17: error: link add needs two ends"));
	assert_non_null(strstr(e, "t.scenario:2:31: error: 'r1:eth5=10.9.0.300/24': '10.9.0.300/24' is not an IPv4 or IPv6 address"));
	assert_non_null(strstr(e, "t.scenario:3:31: error: 'r3:eth5=10.9.0.1/24': r3:eth5 is not an end of the new link (r1:eth5 or r2:eth5)"));
	assert_non_null(strstr(e, "t.scenario:3:55: error: mtu 60: it goes from 68 to 65535"));
	assert_non_null(strstr(e, "t.scenario:4:18: error: 'r2' is not NODE:INTERFACE"));
	assert_non_null(strstr(e, "t.scenario:4:21: error: unexpected 'weight' after link add"));
	assert_non_null(strstr(e, "t.scenario:5:30: error: addr needs a value"));
	assert_non_null(strstr(e, "t.scenario:6:12: error: expected: link remove NODE:IF [NODE:IF]"));
	assert_non_null(strstr(e, "t.scenario:7:29: error: expected: link remove NODE:IF [NODE:IF]"));
	assert_non_null(strstr(e, "t.scenario:8:13: error: 'r1' is not NODE:INTERFACE"));
	assert_non_null(strstr(e, "t.scenario:9:31: error: 'r2:eth5=10.9.0.2': '10.9.0.2' needs its prefix length (10.9.0.2/24)"));
	free(e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_steps),
		cmocka_unit_test(test_errors_all_in_one_pass),
		cmocka_unit_test(test_edge_cases),
		cmocka_unit_test(test_link_add_remove_steps),
		cmocka_unit_test(test_change_apply),
		cmocka_unit_test(test_link_actions),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
