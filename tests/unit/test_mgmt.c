// SPDX-License-Identifier: GPL-2.0-or-later
/* tests/unit/test_mgmt.c: the management network's subnets (containerlab's defaulting rule) and a lab fitted to a host without IPv6 (nslab_topo_ipv6_off), with the plan it gives. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "tests/unit/topo_helpers.h"

#include <errno.h>
#include <sys/socket.h>

#include "core/plan.h"
#include "topologies/lab_conf.h"
#include "topologies/model.h"

static const char *fmt(const struct nslab_prefix *p)
{
	static char buf[4][64];
	static int k;

	return nslab_prefix_fmt(p, true, buf[k++ % 4], sizeof(buf[0]));
}

/* The errors and warnings of nslab_topo_ipv6_off(t), which must return want. */
static void ipv6_off(struct nslab_topo *t, struct nslab_diags *d, int want)
{
	int r = nslab_topo_ipv6_off(t, d);

	if (r != want)
		dump_diags(d);
	assert_int_equal(r, want);
	assert_true(t->no_ipv6);
}

/* The plan's sysctl operations of node n whose key starts with prefix. */
static size_t plan_sysctls(const struct nslab_topo *t, size_t n, const char *prefix)
{
	struct nslab_plan p;
	size_t k = 0;

	nslab_plan_build(t, &p);
	for (size_t i = 0; i < p.nops; i++)
		k += p.ops[i].type == NSLAB_OP_SYSCTL && p.ops[i].node == n &&
		     !strncmp(p.ops[i].key, prefix, strlen(prefix));
	nslab_plan_free(&p);
	return k;
}

/* containerlab (initMgmtNetwork): both default subnets only when the file names neither */
static void test_mgmt_defaults(void **state)
{
	struct nslab_diags d = { 0 };
	struct nslab_topo *t;

	(void)state;
	t = topo_load_ok("name: m\nmgmt:\ntopology:\n  nodes:\n    a: {kind: linux}\n");
	assert_true(t->mgmt.has4 && t->mgmt.has6 && t->mgmt.default6);
	assert_string_equal(fmt(&t->mgmt.gw6), "3fff:172:20:20::1/64");
	assert_string_equal(fmt(&t->nodes[0].mgmt6), "3fff:172:20:20::2/64");
	nslab_topo_free(t);

	/* one family's subnet: that family only */
	t = topo_load_ok("name: m\nmgmt: {ipv4-subnet: 10.9.0.0/24}\ntopology:\n  nodes:\n    a: {kind: linux}\n");
	assert_true(t->mgmt.has4);
	assert_false(t->mgmt.has6 || t->mgmt.default6);
	assert_string_equal(fmt(&t->nodes[0].mgmt4), "10.9.0.2/24");
	assert_int_equal(t->nodes[0].mgmt6.family, 0);
	assert_int_equal(t->mgmt.gw6.family, 0);
	nslab_topo_free(t);
	t = topo_load_ok("name: m\nmgmt: {ipv6-subnet: \"fd00:9::/64\"}\ntopology:\n  nodes:\n    a: {kind: linux}\n");
	assert_false(t->mgmt.has4 || t->mgmt.default6);
	assert_int_equal(t->nodes[0].mgmt4.family, 0);
	assert_string_equal(fmt(&t->nodes[0].mgmt6), "fd00:9::2/64");
	nslab_topo_free(t);

	/* an ipv6-gw is the file's own: not the default */
	t = topo_load_ok("name: m\nmgmt: {ipv6-gw: \"3fff:172:20:20::fe\"}\ntopology:\n  nodes:\n    a: {kind: linux}\n");
	assert_true(t->mgmt.has6);
	assert_false(t->mgmt.default6);
	nslab_topo_free(t);

	/* an address or gateway of the family the network lacks */
	assert_int_equal(nslab_topo_load_buf("t.yml",
					     "name: m\nmgmt: {ipv6-subnet: \"fd00:9::/64\"}\ntopology:\n  nodes:\n"
					     "    a: {kind: linux, mgmt-ipv4: 10.1.1.1}\n",
					     strlen("name: m\nmgmt: {ipv6-subnet: \"fd00:9::/64\"}\ntopology:\n  nodes:\n"
						    "    a: {kind: linux, mgmt-ipv4: 10.1.1.1}\n"),
					     &t, &d),
			 -EINVAL);
	assert_diag_match(&d,
			  "t.yml:5:33: error: management address 10.1.1.1 of node a needs an ipv4-subnet in mgmt: "
			  "the file names only the other family's subnet",
			  true);
	nslab_diags_free(&d);
	const char *gw = "name: m\nmgmt: {ipv4-subnet: 10.9.0.0/24, ipv6-gw: \"fd00::1\"}\ntopology:\n  nodes:\n"
			 "    a: {kind: linux}\n";
	assert_int_equal(nslab_topo_load_buf("t.yml", gw, strlen(gw), &t, &d), -EINVAL);
	assert_diag_match(&d, "mgmt ipv6-gw fd00::1 needs an ipv6-subnet", false);
	nslab_diags_free(&d);
}

/* Kathará's r1[ipv6]="true" (four net.ipv6 sysctls of one line) is one error at that line. */
static void test_ipv6_off_kathara_device(void **state)
{
	static const char conf[] = "r1[0]=\"A\"\nr1[ipv6]=\"true\"\nr2[0]=\"A\"\n";
	struct nslab_diags d = { 0 };
	struct nslab_topo *t = NULL;

	(void)state;
	assert_int_equal(nslab_labconf_load_buf("lab.conf", conf, strlen(conf), NULL, 0, NULL, &t, &d), 0);
	ipv6_off(t, &d, -EINVAL);
	assert_int_equal(d.nerrors, 1);
	assert_string_equal(d.v[0].msg, "node r1: sysctl net.ipv6.conf.all.disable_ipv6 = 0, but the host has IPv6 "
					 "disabled (booted with ipv6.disable=1): there is no /proc/sys/net/ipv6");
	assert_int_equal(d.v[0].line, 2);
	assert_int_equal(d.v[0].col, 11); /* the value, inside its quotes */
	nslab_diags_free(&d);
	nslab_topo_free(t);
}

/* A node whose sysctls turn IPv6 off gets no IPv6 management address (the kernel would refuse it). */
static void test_mgmt_node_ipv6_off(void **state)
{
	struct nslab_diags d = { 0 };
	struct nslab_topo *t;
	const char *bad = "name: m\nmgmt:\ntopology:\n  nodes:\n"
			  "    a: {kind: linux, mgmt-ipv6: \"3fff:172:20:20::9\", sysctls: {net.ipv6.conf.all.disable_ipv6: 1}}\n";

	(void)state;
	t = topo_load_ok("name: m\nmgmt:\ntopology:\n  nodes:\n"
			 "    a: {kind: linux, sysctls: {net.ipv6.conf.all.disable_ipv6: 1}}\n"
			 "    b: {kind: linux, sysctls: {net.ipv6.conf.default.disable_ipv6: 0}}\n"
			 "    c: {kind: linux, sysctls: {net.ipv6.conf.eth0.disable_ipv6: 1}}\n");
	assert_int_equal(t->nodes[0].mgmt6.family, 0);
	assert_string_equal(fmt(&t->nodes[0].mgmt4), "172.20.20.2/24");
	assert_string_equal(fmt(&t->nodes[1].mgmt6), "3fff:172:20:20::2/64"); /* the first free one */
	assert_int_equal(t->nodes[2].mgmt6.family, 0);
	nslab_topo_free(t);
	assert_int_equal(nslab_topo_load_buf("t.yml", bad, strlen(bad), &t, &d), -EINVAL);
	assert_diag_match(&d,
			  "t.yml:5:33: error: management address 3fff:172:20:20::9 of node a is IPv6, but the node's "
			  "sysctls turn IPv6 off",
			  true);
	nslab_diags_free(&d);
}

/* Booted with ipv6.disable_ipv6=1: each node but a bridge turns IPv6 on for itself, before the file's
 * own sysctls (which may turn it off again). */
static void test_ipv6_default_off_plan(void **state)
{
	struct nslab_topo *t;
	struct nslab_plan p;
	size_t on[3] = { 0 }, user = 0;

	(void)state;
	t = topo_load_ok("name: m\ntopology:\n  nodes:\n    a: {kind: linux}\n    sw: {kind: bridge}\n"
			 "    c: {kind: linux, sysctls: {net.ipv6.conf.all.disable_ipv6: 1}}\n");
	assert_int_equal(plan_sysctls(t, 0, "net.ipv6.conf.all.disable_ipv6"), 0);
	t->ipv6_default_off = true;
	nslab_plan_build(t, &p);
	for (size_t i = 0; i < p.nops; i++) {
		const struct nslab_op *op = &p.ops[i];
		if (op->type != NSLAB_OP_SYSCTL || strcmp(op->key, "net.ipv6.conf.all.disable_ipv6"))
			continue;
		assert_int_equal(op->phase, NSLAB_PHASE_SYSCTLS);
		if (!strcmp(op->value, "0"))
			on[op->node] = i + 1;
		else
			user = i + 1;
	}
	nslab_plan_free(&p);
	assert_true(on[0] && !on[1] && on[2]);
	assert_true(user > on[2]); /* the file's own comes after */
	nslab_topo_free(t);
}

/* The default IPv6 subnet goes with one warning; IPv4 stays; the plan writes no net.ipv6 sysctl. */
static void test_ipv6_off_drops_defaults(void **state)
{
	struct nslab_diags d = { 0 };
	struct nslab_topo *t;

	(void)state;
	t = topo_load_ok("name: m\nmgmt: {}\ntopology:\n  nodes:\n    a: {kind: linux}\n    b: {kind: router}\n"
			 "    sw: {kind: bridge}\n  links:\n"
			 "    - endpoints: [{node: a, interface: eth1, ipv4: 10.0.0.1/24}, sw:e1]\n");
	assert_int_equal(plan_sysctls(t, 0, "net.ipv6."), 1); /* IPv6 forwarding, on a host with IPv6 */
	ipv6_off(t, &d, 0);
	assert_int_equal(d.n, 1);
	assert_diag_match(&d,
			  "t.yml:2:1: warning: the host has IPv6 disabled (booted with ipv6.disable=1): the management "
			  "network is IPv4 only (without containerlab's default IPv6 subnet 3fff:172:20:20::/64)",
			  true);
	assert_false(t->mgmt.has6);
	assert_int_equal(t->mgmt.gw6.family, 0);
	for (size_t i = 0; i < t->nnodes; i++)
		assert_int_equal(t->nodes[i].mgmt6.family, 0);
	assert_string_equal(fmt(&t->mgmt.gw4), "172.20.20.1/24");
	assert_string_equal(fmt(&t->nodes[1].mgmt4), "172.20.20.3/24");
	for (size_t i = 0; i < t->nnodes; i++)
		assert_int_equal(plan_sysctls(t, i, "net.ipv6."), 0);
	assert_int_equal(plan_sysctls(t, 0, "net.ipv4.ip_forward"), 1);
	assert_int_equal(plan_sysctls(t, 1, "net.ipv4.ip_forward"), 1);
	nslab_diags_free(&d);
	nslab_topo_free(t);

	/* an IPv4-only management network, or none: nothing to say */
	t = topo_load_ok("name: m\nmgmt: {ipv4-subnet: 10.9.0.0/24}\ntopology:\n  nodes:\n    a: {kind: linux}\n");
	ipv6_off(t, &d, 0);
	assert_int_equal(d.n, 0);
	nslab_topo_free(t);
	t = topo_load_ok("name: m\ntopology:\n  nodes:\n    a: {kind: linux, sysctls: {net.ipv4.ip_forward: 0}}\n");
	ipv6_off(t, &d, 0);
	assert_int_equal(d.n, 0);
	assert_int_equal(t->nodes[0].nsysctls, 1);
	nslab_topo_free(t);
}

/* Turning IPv6 off is no request for it: the sysctl goes (there is no file to write), quietly. */
static void test_ipv6_off_disable_sysctl(void **state)
{
	struct nslab_diags d = { 0 };
	struct nslab_topo *t;

	(void)state;
	t = topo_load_ok("name: m\ntopology:\n  nodes:\n    a:\n      kind: linux\n      sysctls:\n"
			 "        net.ipv6.conf.all.disable_ipv6: 1\n        net.ipv4.conf.all.rp_filter: 0\n"
			 "        net.ipv6.conf.default.disable_ipv6: 1\n");
	ipv6_off(t, &d, 0);
	assert_int_equal(d.n, 0);
	assert_int_equal(t->nodes[0].nsysctls, 1);
	assert_string_equal(t->nodes[0].sysctls[0].key, "net.ipv4.conf.all.rp_filter");
	assert_int_equal(plan_sysctls(t, 0, "net.ipv6."), 0);
	nslab_topo_free(t);
}

/* Each object that asks for IPv6: one error naming it, where the file says it. */
static void test_ipv6_off_errors(void **state)
{
	static const struct {
		const char *yml, *diag;
	} cases[] = {
		{ "name: m\nmgmt: {ipv6-subnet: \"fd00:6::/64\"}\ntopology:\n  nodes:\n    a: {kind: linux}\n",
		  "t.yml:2:1: error: mgmt asks for the IPv6 subnet fd00:6::/64 (ipv6-subnet / ipv6-gw), but the host "
		  "has IPv6 disabled (booted with ipv6.disable=1): leave them out of mgmt:" },
		{ "name: m\nmgmt: {ipv6-gw: \"3fff:172:20:20::fe\"}\ntopology:\n  nodes:\n    a: {kind: linux}\n",
		  "t.yml:2:1: error: mgmt asks for the IPv6 subnet 3fff:172:20:20::/64 (ipv6-subnet / ipv6-gw)..." },
		{ "name: m\nmgmt:\ntopology:\n  nodes:\n    a: {kind: linux, mgmt-ipv6: \"3fff:172:20:20::9\"}\n",
		  "t.yml:5:33: error: node a: mgmt-ipv6 3fff:172:20:20::9, but the host has IPv6 disabled (booted with "
		  "ipv6.disable=1)" },
		{ "name: m\ntopology:\n  nodes:\n    a: {kind: linux}\n    b: {kind: linux}\n  links:\n"
		  "    - endpoints: [{node: a, interface: eth1, ipv6: \"fd00::1/64\"}, b:eth1]\n",
		  "t.yml:7:19: error: node a: interface eth1 has the IPv6 address fd00::1/64, but the host has IPv6 "
		  "disabled (booted with ipv6.disable=1)" },
		{ "name: m\ntopology:\n  nodes:\n    a:\n      kind: linux\n      interfaces: {lo: {ipv6: \"fd00::9/128\"}}\n",
		  "error: node a: interface lo has the IPv6 address fd00::9/128..." },
		{ "name: m\ntopology:\n  nodes:\n    a: {kind: linux}\n    b: {kind: linux}\n  links:\n"
		  "    - endpoints: [a:eth1, b:eth1]\n",
		  NULL },
		{ "name: m\ntopology:\n  nodes:\n    a:\n      kind: linux\n      routes: [{dst: \"fd00:1::/64\", dev: eth1}]\n"
		  "    b: {kind: linux}\n  links:\n    - endpoints: [a:eth1, b:eth1]\n",
		  "error: node a: the IPv6 route to fd00:1::/64, but the host has IPv6 disabled..." },
		{ "name: m\ntopology:\n  nodes:\n    a: {kind: linux, sysctls: {net.ipv6.conf.all.forwarding: 0}}\n",
		  "t.yml:4:32: error: node a: sysctl net.ipv6.conf.all.forwarding = 0, but the host has IPv6 disabled "
		  "(booted with ipv6.disable=1): there is no /proc/sys/net/ipv6" },
		{ "name: m\ntopology:\n  nodes:\n    a: {kind: linux, sysctls: {net.ipv6.conf.all.disable_ipv6: 0}}\n",
		  "error: node a: sysctl net.ipv6.conf.all.disable_ipv6 = 0, but..." },
		{ "name: m\ntopology:\n  links:\n    - type: host\n      host-interface: h1\n"
		  "      endpoint: {node: a, interface: eth4, ipv6: \"fd00::2/64\"}\n  nodes:\n    a: {kind: linux}\n",
		  "error: node a: interface eth4 has the IPv6 address fd00::2/64..." },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct nslab_diags d = { 0 };
		struct nslab_topo *t = topo_load_ok(cases[i].yml);
		ipv6_off(t, &d, cases[i].diag ? -EINVAL : 0);
		if (cases[i].diag) {
			const char *s = strstr(cases[i].diag, "error:");
			assert_int_equal(d.nerrors, 1);
			if (s == cases[i].diag) { /* no position given: match from "error:" */
				bool hit = false;
				for (size_t k = 0; k < d.n && !hit; k++) {
					char *f = nslab_diag_format(&d.v[k]);
					const char *e = strstr(f, "error:");
					size_t n = strlen(s);
					hit = e && (!strcmp(s + n - 3, "...") ? !strncmp(e, s, n - 3) : !strcmp(e, s));
					free(f);
				}
				if (!hit)
					dump_diags(&d);
				assert_true(hit);
			} else
				assert_diag_match(&d, cases[i].diag, true);
		} else
			assert_int_equal(d.nerrors, 0);
		nslab_diags_free(&d);
		nslab_topo_free(t);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mgmt_defaults),
		cmocka_unit_test(test_mgmt_node_ipv6_off),
		cmocka_unit_test(test_ipv6_off_kathara_device),
		cmocka_unit_test(test_ipv6_default_off_plan),
		cmocka_unit_test(test_ipv6_off_drops_defaults),
		cmocka_unit_test(test_ipv6_off_disable_sysctl),
		cmocka_unit_test(test_ipv6_off_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
