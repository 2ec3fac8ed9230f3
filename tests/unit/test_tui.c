// SPDX-License-Identifier: GPL-2.0-or-later
/* tests/unit/test_tui.c: the console's view-model (tui/model.c): rows from inspect JSON, rates
 * from two samples, selection, formatting, impairment input, the tab bar and the key table
 * (dispatch, bottom line, help). No terminal. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

/* tui/model.c and tui/keys.c are not part of libnslab.a (they are linked into the nslab binary):
 * compile them in (keys.c's table is then visible to the tests). */
#include "tui/keys.c"
#include "tui/model.c"
#include "tui/text.c"

static const char *lab_json(uint64_t pc1_tx, uint64_t sw_tx, uint64_t cpu, bool down, const char *impair)
{
	static char buf[4096];

	snprintf(buf, sizeof(buf),
		 "{\"name\": \"lan\", \"status\": \"running\","
		 " \"links\": [{\"a\": \"pc1:eth1\", \"b\": \"sw1:p1\"}, {\"a\": \"pc2:eth1\", \"b\": \"sw1:p2\"}],"
		 " \"nodes\": ["
		 "  {\"name\": \"sw1\", \"kind\": \"bridge\", \"state\": \"running\", \"pid\": 100,"
		 "   \"usage\": {\"cpu_ns\": 1000, \"memory_bytes\": 249856, \"pids\": 1},"
		 "   \"interfaces\": [{\"name\": \"p1\", \"state\": \"%s\", \"mtu\": 9500, \"peer\": \"pc1:eth1\","
		 "     \"addresses\": [], \"admin_down\": false, \"impair\": {}, \"rx_bytes\": 0, \"tx_bytes\": %llu,"
		 "     \"rx_dropped\": 3, \"tx_dropped\": 1},"
		 "    {\"name\": \"p2\", \"state\": \"up\", \"peer\": \"pc2:eth1\", \"addresses\": [], \"impair\": {}}]},"
		 "  {\"name\": \"pc1\", \"kind\": \"linux\", \"state\": \"running\", \"pid\": 101,"
		 "   \"usage\": {\"cpu_ns\": %llu, \"memory_bytes\": 1048576, \"pids\": 2},"
		 "   \"interfaces\": [{\"name\": \"eth1\", \"state\": \"%s\", \"mtu\": 9500, \"peer\": \"sw1:p1\","
		 "     \"mac\": \"02:00:00:00:10:01\", \"addresses\": [\"2001:db8::1/64\", \"10.0.0.1/24\"],"
		 "     \"link_down\": %s, \"impair\": %s, \"rx_bytes\": 0, \"tx_bytes\": %llu}]},"
		 "  {\"name\": \"pc2\", \"kind\": \"linux\", \"state\": \"dead\", \"pid\": null,"
		 "   \"interfaces\": [{\"name\": \"eth1\", \"state\": \"up\", \"addresses\": [\"2001:db8::2/64\"],"
		 "     \"impair\": {\"delay_us\": 20000}}]}"
		 " ]}",
		 down ? "lowerlayerdown" : "up", (unsigned long long)sw_tx, (unsigned long long)cpu,
		 down ? "down" : "up", down ? "true" : "false", impair, (unsigned long long)pc1_tx);
	return buf;
}

static json_t *load(const char *s)
{
	json_error_t e;
	json_t *j = json_loads(s, 0, &e);

	if (!j)
		fail_msg("bad test JSON: %s at %d", e.text, e.position);
	return j;
}

static void test_rows_from_inspect(void **state)
{
	struct tui_model m = { 0 };
	json_t *j = load(lab_json(1000, 0, 5000, false, "{}"));

	(void)state;
	assert_int_equal(tui_model_update(&m, j, 10.0), 0);
	assert_string_equal(m.lab, "lan");
	assert_int_equal(m.nnodes, 3);
	assert_int_equal(m.nlinks, 2);
	assert_int_equal(tui_model_rows(&m), 5);
	assert_string_equal(m.nodes[1].name, "pc1");
	assert_string_equal(m.nodes[1].kind, "linux");
	assert_int_equal(m.nodes[1].pid, 101);
	assert_int_equal(m.nodes[1].memory_bytes, 1048576);
	assert_int_equal(m.nodes[1].pids, 2);
	assert_true(m.nodes[1].cpu_pct < 0); /* one sample: no rate yet */
	assert_string_equal(m.nodes[1].ifs[0].addrs, "2001:db8::1/64 10.0.0.1/24");
	assert_string_equal(m.nodes[1].ifs[0].impair, "none");
	assert_string_equal(m.nodes[2].state, "dead");
	assert_int_equal(m.nodes[2].pid, 0);
	assert_string_equal(m.links[0].a, "pc1:eth1");
	assert_string_equal(m.links[0].state, "up");
	assert_string_equal(m.links[0].impair, "-");
	assert_int_equal(m.links[0].drops, 4);
	assert_true(m.links[0].ab_bps < 0);
	/* the ends of link 2 differ: pc2's delay shows per end */
	assert_non_null(strstr(m.links[1].impair, "A: delay 20ms"));
	assert_non_null(strstr(m.links[1].impair, "B: none"));
	json_decref(j);
	tui_model_free(&m);
}

static void test_rates_from_two_samples(void **state)
{
	struct tui_model m = { 0 };
	json_t *j1 = load(lab_json(1000, 0, 0, false, "{}"));
	json_t *j2;

	(void)state;
	assert_int_equal(tui_model_update(&m, j1, 10.0), 0);
	j2 = load(lab_json(1000 + 125000, 2500, 500000000, false, "{}"));
	assert_int_equal(tui_model_update(&m, j2, 12.0), 0);
	/* 125000 bytes in 2 s = 500 kbit/s from pc1 to sw1; 2500 bytes in 2 s = 10 kbit/s back */
	assert_float_equal(m.links[0].ab_bps, 500000.0, 0.01);
	assert_float_equal(m.links[0].ba_bps, 10000.0, 0.01);
	/* 0.5 s of CPU in 2 s = 25 % of a core */
	assert_float_equal(m.nodes[1].cpu_pct, 25.0, 0.001);
	/* a counter that went backwards (interface re-created) gives no rate, not a huge one */
	json_decref(j1);
	j1 = load(lab_json(10, 0, 0, false, "{}"));
	assert_int_equal(tui_model_update(&m, j1, 13.0), 0);
	assert_true(m.links[0].ab_bps < 0);
	json_decref(j1);
	json_decref(j2);
	tui_model_free(&m);
}

static void test_link_down_and_impair(void **state)
{
	struct tui_model m = { 0 };
	json_t *j = load(lab_json(0, 0, 0, true, "{\"delay_us\": 20000, \"loss_pct\": 1.0}"));

	(void)state;
	assert_int_equal(tui_model_update(&m, j, 1.0), 0);
	assert_string_equal(m.links[0].state, "down");
	assert_non_null(strstr(m.links[0].impair, "delay 20ms"));
	assert_non_null(strstr(m.links[0].impair, "loss 1%"));
	json_decref(j);
	tui_model_free(&m);
}

static void test_selection_follows_names(void **state)
{
	struct tui_model m = { 0 };
	json_t *j = load(lab_json(0, 0, 0, false, "{}"));
	const struct tui_link *l;

	(void)state;
	assert_int_equal(tui_model_update(&m, j, 1.0), 0);
	assert_non_null(tui_model_sel_node(&m));
	assert_string_equal(tui_model_sel_node(&m)->name, "sw1");
	tui_model_sel_move(&m, -5);
	assert_int_equal(m.sel, 0);
	tui_model_sel_move(&m, 3);
	assert_null(tui_model_sel_node(&m));
	l = tui_model_sel_link(&m);
	assert_non_null(l);
	assert_string_equal(l->a, "pc1:eth1");
	tui_model_sel_move(&m, 100);
	assert_int_equal(m.sel, 4);
	/* a refresh keeps the selected link selected */
	assert_int_equal(tui_model_update(&m, j, 2.0), 0);
	assert_string_equal(tui_model_sel_link(&m)->a, "pc2:eth1");
	/* lookups */
	assert_string_equal(tui_model_node_addr(&m, "pc1"), "10.0.0.1");
	assert_string_equal(tui_model_node_addr(&m, "pc2"), "2001:db8::2");
	assert_null(tui_model_node_addr(&m, "sw1"));
	assert_null(tui_model_node_addr(&m, "nope"));
	assert_non_null(tui_model_find_iface(&m, "sw1:p2"));
	assert_null(tui_model_find_iface(&m, "sw1:p9"));
	assert_null(tui_model_find_iface(&m, "noconlon"));
	json_decref(j);
	tui_model_free(&m);
}

static void test_bad_json(void **state)
{
	struct tui_model m = { 0 };
	json_t *j = load("[1, 2]");

	(void)state;
	assert_int_equal(tui_model_update(&m, j, 1.0), -EINVAL);
	assert_int_equal(tui_model_rows(&m), 0);
	tui_model_sel_move(&m, 1);
	assert_null(tui_model_sel_node(&m));
	assert_null(tui_model_sel_link(&m));
	json_decref(j);
}

static void test_format(void **state)
{
	char b[32];

	(void)state;
	assert_string_equal(tui_fmt_bytes(b, sizeof(b), 0), "0");
	assert_string_equal(tui_fmt_bytes(b, sizeof(b), 512), "512");
	assert_string_equal(tui_fmt_bytes(b, sizeof(b), 1536), "1.50K");
	assert_string_equal(tui_fmt_bytes(b, sizeof(b), 249856), "244K");
	assert_string_equal(tui_fmt_bytes(b, sizeof(b), 20ULL << 20), "20.0M");
	assert_string_equal(tui_fmt_bytes(b, sizeof(b), UINT64_MAX), "-");
	assert_string_equal(tui_fmt_rate(b, sizeof(b), -1), "-");
	assert_string_equal(tui_fmt_rate(b, sizeof(b), 0), "0");
	assert_string_equal(tui_fmt_rate(b, sizeof(b), 800), "800");
	assert_string_equal(tui_fmt_rate(b, sizeof(b), 1500), "1.50k");
	assert_string_equal(tui_fmt_rate(b, sizeof(b), 9.41e6), "9.41M");
	assert_string_equal(tui_fmt_rate(b, sizeof(b), 10e9), "10.0G");
	/* never longer than the buffer */
	assert_string_equal(tui_fmt_rate(b, 3, 1500), "1.");
}

static void test_parse_impair(void **state)
{
	struct nslab_impair_change c;

	(void)state;
	assert_null(tui_parse_impair("delay 20ms jitter=5ms dist normal loss 1% rate 10mbit limit 100", &c));
	assert_int_equal(c.given, NSLAB_IMPP_BIT(NSLAB_IMPP_DELAY) | NSLAB_IMPP_BIT(NSLAB_IMPP_JITTER) | NSLAB_IMPP_BIT(NSLAB_IMPP_JITTER_DIST) | NSLAB_IMPP_BIT(NSLAB_IMPP_LOSS) |
					  NSLAB_IMPP_BIT(NSLAB_IMPP_RATE) | NSLAB_IMPP_BIT(NSLAB_IMPP_LIMIT));
	assert_int_equal(c.v.delay_us, 20000);
	assert_int_equal(c.v.jitter_us, 5000);
	assert_int_equal(c.v.jitter_dist, NSLAB_DIST_NORMAL);
	assert_float_equal(c.v.loss_pct, 1.0, 1e-9);
	assert_int_equal(c.v.rate_bps, 10000000);
	assert_int_equal(c.v.limit_pkts, 100);
	assert_null(tui_parse_impair("loss-corr 25%, reorder 5% reorder-corr 50% corrupt 0.1 duplicate 2%", &c));
	assert_int_equal(c.given, NSLAB_IMPP_BIT(NSLAB_IMPP_LOSS_CORR) | NSLAB_IMPP_BIT(NSLAB_IMPP_REORDER) | NSLAB_IMPP_BIT(NSLAB_IMPP_REORDER_CORR) |
					  NSLAB_IMPP_BIT(NSLAB_IMPP_CORRUPT) | NSLAB_IMPP_BIT(NSLAB_IMPP_DUPLICATE));
	assert_non_null(tui_parse_impair("", &c));
	assert_non_null(tui_parse_impair("delay", &c));
	assert_non_null(tui_parse_impair("delay fast", &c));
	assert_non_null(tui_parse_impair("speed 10", &c));
	assert_non_null(tui_parse_impair("rate 0", &c));
	assert_non_null(tui_parse_impair("limit -1", &c));
	assert_non_null(tui_parse_impair("dist gaussian", &c));
}

static void test_tabs_line(void **state)
{
	const char *names[] = { "lab", "pc1", "r2" };
	char b[64];

	(void)state;
	assert_string_equal(tui_tabs_line(b, sizeof(b), names, 3, 0), "[1:lab] 2:pc1  3:r2 ");
	assert_string_equal(tui_tabs_line(b, sizeof(b), names, 3, 2), " 1:lab  2:pc1 [3:r2]");
	/* too narrow: what fits, then a marker */
	assert_string_equal(tui_tabs_line(b, 16, names, 3, 1), " 1:lab [2:pc1]>");
	assert_string_equal(tui_tabs_line(b, 1, names, 3, 1), "");
}

static void test_key_lookup(void **state)
{
	(void)state;
	assert_int_equal(tui_key_find(TUI_K_NODE, '\r', false)->act, TUI_A_OPEN);
	assert_int_equal(tui_key_find(TUI_K_LINK, 'd', false)->act, TUI_A_LINK_DOWN);
	assert_int_equal(tui_key_find(TUI_K_NODE, KEY_UP, true)->act, TUI_A_UP);
	assert_null(tui_key_find(TUI_K_NODE, KEY_UP, false)); /* a character with KEY_UP's number */
	assert_null(tui_key_find(TUI_K_NODE, 'z', false));
	/* in a shell, letters are the shell's; after C-b they are ours */
	assert_null(tui_key_find(TUI_K_SHELL, 'x', false));
	assert_int_equal(tui_key_find(TUI_K_PREFIX, 'x', false)->act, TUI_A_CLOSE_SHELL);
	/* ranges: F3 is tab 2, '5' tab 4 */
	const struct tui_key *k = tui_key_find(TUI_K_SHELL, KEY_F(3), true);
	assert_int_equal(k->act, TUI_A_TAB);
	assert_int_equal(KEY_F(3) - k->key, 2);
	k = tui_key_find(TUI_K_LINK, '5', false);
	assert_int_equal(k->act, TUI_A_TAB);
	assert_int_equal('5' - k->key, 4);
}

/* Every binding is reachable (no earlier entry of the same context shadows it), every action has
 * a key, and every listed key is in the help. */
static void test_key_table_whole(void **state)
{
	static const unsigned ctxs[] = { TUI_K_NODE, TUI_K_LINK, TUI_K_LAB_PREFIX, TUI_K_SHELL, TUI_K_PREFIX };
	bool bound[TUI_A_COUNT] = { false };
	char *help = tui_keys_help();

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(table); i++) {
		const struct tui_key *k = &table[i];
		if (k->keys) {
			assert_non_null(k->what);
			assert_non_null(strstr(help, k->keys));
			assert_non_null(strstr(help, k->what));
		}
		if (k->act == TUI_A_NONE)
			continue;
		bound[k->act] = true;
		for (size_t c = 0; c < ARRAY_SIZE(ctxs); c++) {
			const struct tui_key *f;
			if (!(k->ctx & ctxs[c]))
				continue;
			f = tui_key_find(ctxs[c], k->last ? k->last : k->key, k->code);
			assert_non_null(f);
			if (f->act != k->act)
				fail_msg("table entry %zu (%s) is shadowed in context %u", i, k->keys ? k->keys : "alias",
					 ctxs[c]);
		}
	}
	for (int a = TUI_A_NONE + 1; a < TUI_A_COUNT; a++)
		if (!bound[a])
			fail_msg("action %d has no key", a);
	free(help);
}

static void test_key_lines(void **state)
{
	char b[256];

	(void)state;
	tui_keys_line(b, sizeof(b), TUI_K_NODE);
	assert_non_null(strstr(b, " Enter shell  x run "));
	assert_non_null(strstr(b, "? help"));
	assert_null(strstr(b, "d down")); /* a link's keys are not offered on a node */
	tui_keys_line(b, sizeof(b), TUI_K_LINK);
	assert_non_null(strstr(b, "Enter show"));
	assert_non_null(strstr(b, "d down  u up  i impair  r reset"));
	assert_null(strstr(b, "x run"));
	tui_keys_line(b, sizeof(b), TUI_K_PREFIX);
	assert_true(strncmp(b, " C-b:  n next", 13) == 0);
	/* narrow: whole words only */
	tui_keys_line(b, 20, TUI_K_NODE);
	assert_string_equal(b, " Enter shell  x run");
	tui_keys_line(b, 3, TUI_K_NODE);
	assert_string_equal(b, "");
}

static void test_wrap(void **state)
{
	const char *msg = "link a -- b: kernel has no sch_netem: delay/loss need it (CONFIG_NET_SCH_NETEM)";
	struct tui_span sp[4];
	size_t n;

	(void)state;
	n = tui_wrap(msg, 30, sp, 4);
	assert_int_equal(n, 3);
	assert_int_equal(sp[0].start, 0);
	assert_true(strncmp(msg + sp[0].start, "link a -- b: kernel has no", sp[0].len) == 0 && sp[0].len == 26);
	assert_true(strncmp(msg + sp[1].start, "sch_netem: delay/loss need it", sp[1].len) == 0 && sp[1].len == 29);
	assert_true(strncmp(msg + sp[2].start, "(CONFIG_NET_SCH_NETEM)", sp[2].len) == 0 && sp[2].len == 22);
	/* every byte but the spaces at breaks is in a line, in order */
	for (size_t i = 1; i < n; i++)
		assert_true(sp[i].start >= sp[i - 1].start + sp[i - 1].len);
	/* it fits: one line; a word longer than the width is cut; max lines: the last takes the rest */
	assert_int_equal(tui_wrap("short", 30, sp, 4), 1);
	assert_int_equal(sp[0].len, 5);
	assert_int_equal(tui_wrap("abcdefghij", 4, sp, 4), 3);
	assert_int_equal(sp[0].len, 4);
	assert_int_equal(sp[2].len, 2);
	assert_int_equal(tui_wrap(msg, 30, sp, 2), 2);
	assert_int_equal(sp[1].start + sp[1].len, strlen(msg));
	assert_int_equal(tui_wrap("", 30, sp, 4), 0);
	assert_int_equal(tui_wrap(msg, 0, sp, 4), 0);
}

/* / filters nodes (name, kind, address) and links (an end); the selection stays on its item */
static void test_filter(void **state)
{
	struct tui_model m = { 0 };
	json_t *j = load(lab_json(0, 0, 0, false, "{}"));

	(void)state;
	assert_int_equal(tui_model_update(&m, j, 1.0), 0);
	tui_model_sel_move(&m, 1); /* pc1 */
	tui_model_set_filter(&m, "pc");
	assert_int_equal(m.nvnodes, 2);
	assert_int_equal(m.nvlinks, 2);
	assert_string_equal(tui_model_sel_node(&m)->name, "pc1");
	tui_model_set_filter(&m, "10.0.0.");
	assert_int_equal(m.nvnodes, 1);
	assert_string_equal(tui_model_row_node(&m, 0)->name, "pc1");
	tui_model_set_filter(&m, "bridge");
	assert_int_equal(m.nvnodes, 1);
	assert_string_equal(tui_model_row_node(&m, 0)->name, "sw1");
	assert_string_equal(tui_model_sel_node(&m)->name, "sw1"); /* pc1 is hidden: the first row */
	tui_model_set_filter(&m, "p2");
	assert_int_equal(m.nvnodes, 0);
	assert_int_equal(m.nvlinks, 1);
	assert_int_equal(tui_model_rows(&m), 1);
	assert_string_equal(tui_model_sel_link(&m)->a, "pc2:eth1");
	assert_null(tui_model_row_link(&m, 1));
	/* the view survives a refresh */
	assert_int_equal(tui_model_update(&m, j, 2.0), 0);
	assert_int_equal(tui_model_rows(&m), 1);
	tui_model_set_filter(&m, "");
	assert_int_equal(tui_model_rows(&m), 5);
	assert_null(m.filter);
	json_decref(j);
	tui_model_free(&m);
}

/* s sorts: by name, by cpu (busiest first), reversed; links by traffic and drops */
static void test_sort(void **state)
{
	struct tui_model m = { 0 };
	json_t *j1 = load(lab_json(0, 0, 0, false, "{}")), *j2 = load(lab_json(125000, 0, 500000000, false, "{}"));

	(void)state;
	assert_int_equal(tui_model_update(&m, j1, 10.0), 0);
	assert_int_equal(tui_model_update(&m, j2, 12.0), 0);
	tui_model_set_sort(&m, TUI_SORT_NAME, true);
	assert_string_equal(tui_model_row_node(&m, 0)->name, "sw1");
	assert_string_equal(tui_model_row_node(&m, 2)->name, "pc1");
	assert_string_equal(tui_model_row_link(&m, 3)->a, "pc2:eth1");
	tui_model_set_sort(&m, TUI_SORT_CPU, false);
	assert_string_equal(tui_model_row_node(&m, 0)->name, "pc1"); /* 25 % */
	tui_model_set_sort(&m, TUI_SORT_RATE, false);
	assert_string_equal(tui_model_row_link(&m, 3)->a, "pc1:eth1"); /* 500 kbit/s */
	tui_model_set_sort(&m, TUI_SORT_DROPS, true);
	assert_string_equal(tui_model_row_link(&m, 3)->a, "pc2:eth1"); /* 0 drops first, reversed */
	tui_model_set_sort(&m, TUI_SORT_LAB, false);
	assert_string_equal(tui_model_row_node(&m, 0)->name, "sw1");
	assert_string_equal(tui_model_row_link(&m, 3)->a, "pc1:eth1");
	json_decref(j1);
	json_decref(j2);
	tui_model_free(&m);
}

/* DROPS counts what the root qdisc dropped as well (a full tbf), not only the interfaces' */
static void test_qdisc_drops(void **state)
{
	struct tui_model m = { 0 };
	json_t *j = load(lab_json(0, 0, 0, false, "{}"));
	json_t *p1 = json_array_get(json_object_get(json_array_get(json_object_get(j, "nodes"), 0), "interfaces"), 0);

	(void)state;
	json_object_set_new(p1, "qdisc_drops", json_integer(130)); /* sw1:p1, as core/stats.c adds it */
	assert_int_equal(tui_model_update(&m, j, 1.0), 0);
	assert_int_equal(m.nodes[0].ifs[0].qdisc_drops, 130);
	assert_int_equal(m.links[0].drops, 134);
	json_decref(j);
	tui_model_free(&m);
}

static void test_tabs_hit(void **state)
{
	const char *names[] = { "lab", "pc1", "pc1#2" };
	char line[80];

	(void)state;
	/* "[1:lab] 2:pc1  3:pc1#2 " */
	tui_tabs_line(line, sizeof(line), names, 3, 0);
	assert_string_equal(line, "[1:lab] 2:pc1  3:pc1#2 ");
	assert_int_equal(tui_tabs_hit(sizeof(line), names, 3, 0, 0), 0);
	assert_int_equal(tui_tabs_hit(sizeof(line), names, 3, 0, 6), 0);
	assert_int_equal(tui_tabs_hit(sizeof(line), names, 3, 0, 7), 1);
	assert_int_equal(tui_tabs_hit(sizeof(line), names, 3, 0, 14), 2);
	assert_int_equal(tui_tabs_hit(sizeof(line), names, 3, 0, 23), -1);
	/* a tab that does not fit is not hit */
	assert_int_equal(tui_tabs_hit(16, names, 3, 0, 14), -1);
}

static void test_line_editing(void **state)
{
	struct tui_line l;

	(void)state;
	tui_line_set(&l, "ping h2");
	tui_line_edit(&l, TUI_LINE_HOME);
	tui_line_insert(&l, "h1 ", 3);
	assert_string_equal(l.buf, "h1 ping h2");
	assert_int_equal(l.cur, 3);
	tui_line_edit(&l, TUI_LINE_END);
	tui_line_edit(&l, TUI_LINE_LEFT);
	tui_line_edit(&l, TUI_LINE_BACKSPACE);
	assert_string_equal(l.buf, "h1 ping 2");
	tui_line_edit(&l, TUI_LINE_DELETE);
	assert_string_equal(l.buf, "h1 ping ");
	tui_line_edit(&l, TUI_LINE_DELETE); /* at the end: nothing */
	assert_string_equal(l.buf, "h1 ping ");
	/* UTF-8: one step per character */
	tui_line_set(&l, "caf\xc3\xa9!");
	tui_line_edit(&l, TUI_LINE_LEFT);
	tui_line_edit(&l, TUI_LINE_LEFT);
	assert_int_equal(l.cur, 3);
	tui_line_edit(&l, TUI_LINE_RIGHT);
	assert_int_equal(l.cur, 5);
	tui_line_edit(&l, TUI_LINE_BACKSPACE);
	assert_string_equal(l.buf, "caf!");
	tui_line_edit(&l, TUI_LINE_KILL_END);
	assert_string_equal(l.buf, "caf");
	tui_line_edit(&l, TUI_LINE_LEFT);
	tui_line_edit(&l, TUI_LINE_KILL_START);
	assert_string_equal(l.buf, "f");
	assert_int_equal(l.cur, 0);
	tui_line_edit(&l, TUI_LINE_BACKSPACE); /* at the start: nothing */
	assert_string_equal(l.buf, "f");
}

static void test_history(void **state)
{
	struct tui_history h = { 0 };

	(void)state;
	assert_null(tui_hist_move(&h, -1, "x"));
	tui_hist_add(&h, "one");
	tui_hist_add(&h, "two");
	tui_hist_add(&h, "two"); /* the same twice: once */
	tui_hist_add(&h, "");	 /* empty: not kept */
	assert_int_equal(h.n, 2);
	assert_string_equal(tui_hist_move(&h, -1, "typing"), "two");
	assert_string_equal(tui_hist_move(&h, -1, "two"), "one");
	assert_null(tui_hist_move(&h, -1, "one"));
	assert_string_equal(tui_hist_move(&h, 1, "one"), "two");
	assert_string_equal(tui_hist_move(&h, 1, "two"), "typing"); /* back to what was being typed */
	assert_null(tui_hist_move(&h, 1, "typing"));
	for (int i = 0; i < TUI_HIST_MAX + 5; i++) {
		char s[16];
		snprintf(s, sizeof(s), "c%d", i);
		tui_hist_add(&h, s);
	}
	assert_int_equal(h.n, TUI_HIST_MAX);
	assert_string_equal(tui_hist_move(&h, -1, ""), "c54");
	tui_hist_free(&h);
}

/* the command line's helpers: the link between two nodes, node names as addresses */
static void test_command_helpers(void **state)
{
	struct tui_model m = { 0 };
	json_t *j = load(lab_json(0, 0, 0, false, "{}"));
	char *s;

	(void)state;
	assert_int_equal(tui_model_update(&m, j, 1.0), 0);
	assert_string_equal(tui_model_link_between(&m, "sw1", "pc2")->a, "pc2:eth1");
	assert_string_equal(tui_model_link_between(&m, "pc1", "sw1")->b, "sw1:p1");
	assert_null(tui_model_link_between(&m, "pc1", "pc2"));
	assert_null(tui_model_link_between(&m, "pc", "sw1")); /* whole names only */
	s = tui_model_subst_nodes(&m, " ping -c1 pc1  pc2 pc12 sw1");
	/* pc1 has IPv4 10.0.0.1; pc2 only IPv6; sw1 no address: keeps its name */
	assert_string_equal(s, " ping -c1 10.0.0.1  2001:db8::2 pc12 sw1");
	free(s);
	json_decref(j);
	tui_model_free(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rows_from_inspect),    cmocka_unit_test(test_rates_from_two_samples),
		cmocka_unit_test(test_link_down_and_impair), cmocka_unit_test(test_selection_follows_names),
		cmocka_unit_test(test_bad_json),	     cmocka_unit_test(test_format),
		cmocka_unit_test(test_parse_impair),	     cmocka_unit_test(test_tabs_line),
		cmocka_unit_test(test_key_lookup),	     cmocka_unit_test(test_key_table_whole),
		cmocka_unit_test(test_key_lines),	     cmocka_unit_test(test_wrap),
		cmocka_unit_test(test_filter),		     cmocka_unit_test(test_sort),
		cmocka_unit_test(test_qdisc_drops),	     cmocka_unit_test(test_tabs_hit),
		cmocka_unit_test(test_line_editing),	     cmocka_unit_test(test_history),
		cmocka_unit_test(test_command_helpers),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
