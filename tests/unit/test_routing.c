// SPDX-License-Identifier: GPL-2.0-or-later
/* tests/unit/test_routing.c: kind frr and bird nodes: startup-config read as containerlab reads it, the FRR daemons a configuration needs, what core/service.c starts for them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/scenario.h"
#include "core/service.h"
#include "topologies/addressing.h"
#include "topologies/model.h"
#include "topologies/routing.h"
#include "util/util.h"

static struct nslab_topo *load(const char *name, const char *text, struct nslab_diags *d)
{
	struct nslab_topo *t = NULL;
	nslab_topo_load_buf(name, text, strlen(text), &t, d);
	return t;
}

static bool diags_have(const struct nslab_diags *d, const char *what)
{
	for (size_t i = 0; i < d->n; i++)
		if (strstr(d->v[i].msg, what))
			return true;
	return false;
}

static void assert_daemons(const char *conf, const char *want)
{
	char *got = nslab_frr_daemons_needed(conf);
	if (strcmp(got, want))
		fail_msg("daemons of %s: got \"%s\", want \"%s\"", conf, got, want);
	free(got);
}

static void test_frr_daemons(void **state)
{
	(void)state;
	assert_daemons("", "");
	assert_daemons("hostname r1\nip route 10.0.0.0/8 10.1.1.1\n", "");
	assert_daemons("router ospf\n network 10.0.0.0/24 area 0\n", "ospfd");
	assert_daemons("router ospf6\n", "ospf6d");
	assert_daemons("router bgp 65001\n neighbor 10.0.0.2 remote-as 65002\n neighbor 10.0.0.2 bfd\n", "bgpd bfdd");
	assert_daemons("  router rip\n", "ripd");
	assert_daemons("router ripng\n", "ripngd");
	assert_daemons("! router bgp 1\n# router ospf\n", "");	  /* comments */
	assert_daemons("router ospfx\nrouter bgpfoo\n", "");	  /* whole words only */
	assert_daemons("router isis X\nmpls ldp\nrouter ospf\r\n", "ospfd isisd ldpd"); /* FRR's order */
	char *f = nslab_frr_daemons_file("router bgp 1\n");
	assert_non_null(strstr(f, "\nbgpd=yes\n"));
	assert_non_null(strstr(f, "\nospfd=no\n"));
	assert_non_null(strstr(f, "vtysh_enable=yes\n"));
	assert_non_null(strstr(f, "bgpd_options=\"-A 127.0.0.1\"\n"));
	free(f);
}

static void test_startup_config_inline_and_file(void **state)
{
	char dir[] = "/tmp/nslab-test-startup.XXXXXX";
	struct nslab_diags d = { 0 };
	struct nslab_topo *t;
	char *topo, *conf, *text;
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	conf = xasprintf("%s/r2.conf", dir);
	f = fopen(conf, "w");
	assert_non_null(f);
	fputs("router bgp 65002\n", f);
	fclose(f);
	topo = xasprintf("%s/lab.clab.yml", dir);
	text = "name: s\ntopology:\n  nodes:\n"
	       "    r1:\n      kind: frr\n      startup-config: |\n        router ospf\n         network 10.0.0.0/8 area 0\n"
	       "    r2: {kind: frr, startup-config: __clabNodeName__.conf}\n"
	       "    b1: {kind: bird}\n"
	       "    h1: {kind: linux, startup-config: r2.conf}\n";
	t = load(topo, text, &d);
	assert_non_null(t);
	assert_string_equal(t->nodes[0].startup_config, "router ospf\n network 10.0.0.0/8 area 0\n");
	assert_null(t->nodes[0].startup_config_from);
	assert_string_equal(t->nodes[1].startup_config, "router bgp 65002\n");
	assert_string_equal(t->nodes[1].startup_config_from, conf);
	assert_int_equal(t->nodes[2].kind, NSLAB_KIND_BIRD);
	assert_null(t->nodes[2].startup_config);
	assert_null(t->nodes[3].startup_config); /* linux: ignored, with a warning */
	assert_true(diags_have(&d, "startup-config is ignored on node h1 (kind linux)"));
	nslab_topo_free(t);
	nslab_diags_free(&d);

	/* a missing file: an error at the key, naming the resolved path */
	t = load(topo, "name: s\ntopology:\n  nodes:\n    r1: {kind: bird, startup-config: cfg/nope.conf}\n", &d);
	assert_null(t);
	assert_int_equal(d.nerrors, 1);
	assert_int_equal(d.v[0].line, 4);
	assert_true(diags_have(&d, "/cfg/nope.conf: No such file or directory"));
	nslab_diags_free(&d);
	/* a node name holding the token itself is put in once (the fuzzer found an endless loop) */
	t = load(topo,
		 "name: s\ntopology:\n  nodes:\n    r__clabNodeName__: {kind: frr, startup-config: c/__clabNodeName__.x}\n",
		 &d);
	assert_null(t);
	assert_true(diags_have(&d, "/c/r__clabNodeName__.x: No such file or directory"));
	nslab_diags_free(&d);
	t = load(topo, "name: s\ntopology:\n  nodes:\n    r1: {kind: frr, startup-config: 'https://x/y.cfg'}\n", &d);
	assert_null(t);
	assert_true(diags_have(&d, "is a URL"));
	nslab_diags_free(&d);
	unlink(conf);
	rmdir(dir);
	free(conf);
	free(topo);
}

/* What deploy starts: the kind's daemon with the node's configuration, checked first. */
static void test_kind_services(void **state)
{
	struct nslab_diags d = { 0 };
	struct nslab_services s;
	struct nslab_err err = { 0 };
	struct nslab_topo *t;

	(void)state;
	if (access("/usr/lib/frr/watchfrr", X_OK) || access("/usr/sbin/bird", X_OK))
		skip(); /* FRR or bird2 not installed: the missing-program error is tested in test_profile */
	t = load("k.yml",
		 "name: s\ntopology:\n  nodes:\n"
		 "    r1:\n      kind: frr\n      image: alpine\n      startup-config: |\n        router ospf\n         network 10.0.0.0/8 area 0\n"
		 "    b1:\n      kind: bird\n      startup-config: |\n        protocol device {}\n"
		 "    b2: {kind: bird, binds: ['/tmp:/etc/bird']}\n",
		 &d);
	assert_non_null(t);
	assert_int_equal(nslab_services_prepare(t, &s, &err), 0);
	assert_int_equal(s.n, 3);
	assert_string_equal(s.v[0].what, "frr");
	assert_non_null(strstr(s.v[0].shell, "ospfd=yes"));
	assert_non_null(strstr(s.v[0].shell, " network 10.0.0.0/8 area 0"));
	assert_non_null(strstr(s.v[0].shell, "vtysh -C -f /etc/frr/frr.conf"));
	assert_non_null(strstr(s.v[0].shell, "/usr/lib/frr/frrinit.sh start"));
	assert_string_equal(s.v[0].shown, "frr with its startup-config");
	assert_string_equal(s.v[1].what, "bird");
	assert_non_null(strstr(s.v[1].shell, "'protocol device {}\n' >/etc/bird/bird.conf"));
	assert_non_null(strstr(s.v[1].shell, "bird -c /etc/bird/bird.conf"));
	/* b2 binds its own bird.conf folder: used as it is, not overwritten */
	assert_null(strstr(s.v[2].shell, "printf"));
	nslab_services_free(&s);
	nslab_topo_free(t);
	nslab_diags_free(&d);
}


/* ---- addressing and routing ---- */

static const char auto_lab[] = "name: a\n"
			       "addressing:\n  ipv6: 2001:db8:1::/48\n"
			       "routing: %s\n"
			       "topology:\n  nodes:\n"
			       "    r1: {kind: router}\n    r2: {kind: router}\n    r3: {kind: frr}\n"
			       "    sw: {kind: bridge}\n"
			       "    h1: {kind: linux}\n    h2: {kind: linux}\n    h3: {kind: linux}\n"
			       "  links:\n"
			       "    - endpoints: [r1:eth1, r2:eth1]\n"
			       "    - endpoints: [r2:eth2, r3:eth1]\n"
			       "    - endpoints: [r3:eth2, r1:eth2]\n"
			       "    - endpoints: [h1:eth1, sw:p1]\n"
			       "    - endpoints: [r1:eth3, sw:p2]\n"
			       "    - endpoints: [h2:eth1, sw:p3]\n"
			       "    - endpoints: [r3:eth3, h3:eth1]\n";

static struct nslab_topo *load_auto(const char *routing)
{
	struct nslab_diags d = { 0 };
	char *text = xasprintf(auto_lab, routing);
	struct nslab_topo *t = load("a.yml", text, &d);

	for (size_t i = 0; i < d.n; i++)
		print_message("%s\n", d.v[i].msg);
	assert_non_null(t);
	free(text);
	nslab_diags_free(&d);
	return t;
}

static const struct nslab_iface *iface(const struct nslab_topo *t, const char *node, const char *name)
{
	for (size_t n = 0; n < t->nnodes; n++)
		for (size_t i = 0; !strcmp(t->nodes[n].name, node) && i < t->nodes[n].nifaces; i++)
			if (!strcmp(t->nodes[n].ifaces[i].name, name))
				return &t->nodes[n].ifaces[i];
	fail_msg("no %s:%s", node, name);
	return NULL;
}

/* "10.1.0.1/30,2001:db8:1:1::1/64" */
static void assert_addrs(const struct nslab_topo *t, const char *node, const char *ifname, const char *want)
{
	const struct nslab_iface *ifc = iface(t, node, ifname);
	char got[512] = "", a[64];

	for (size_t k = 0; k < ifc->naddrs; k++) {
		strcat(got, k ? "," : "");
		strcat(got, nslab_prefix_fmt(&ifc->addrs[k], true, a, sizeof(a)));
	}
	if (strcmp(got, want))
		fail_msg("%s:%s: got %s, want %s", node, ifname, got, want);
}

static void test_pool_parse(void **state)
{
	struct nslab_pool p;
	struct nslab_prefix a;
	const char *why = NULL;
	char buf[64];

	(void)state;
	assert_int_equal(nslab_pool_parse("10.1.0.0/16 /31", AF_INET, 30, &p, &why), 0);
	assert_int_equal(p.plen, 31);
	assert_int_equal(nslab_pool_parse("10.1.2.3/16", AF_INET, 30, &p, &why), 0); /* host bits cleared */
	assert_int_equal(nslab_pool_addr(&p, 2, 1, &a), 0);
	assert_string_equal(nslab_prefix_fmt(&a, true, buf, sizeof(buf)), "10.1.0.9/30");
	assert_int_equal(nslab_pool_addr(&p, 16384, 1, &a), -ENOSPC); /* a /16 holds 16384 /30s */
	assert_int_equal(nslab_pool_addr(&p, 0, 4, &a), -ENOSPC);
	assert_int_equal(nslab_pool_parse("2001:db8::/48", AF_INET6, 64, &p, &why), 0);
	assert_int_equal(nslab_pool_addr(&p, 0xabc, 2, &a), 0);
	assert_string_equal(nslab_prefix_fmt(&a, true, buf, sizeof(buf)), "2001:db8:0:abc::2/64");
	assert_int_equal(nslab_pool_parse("none", AF_INET, 24, &p, &why), 0);
	assert_false(p.on);
	assert_int_equal(nslab_pool_parse("10.0.0.0/24 /16", AF_INET, 30, &p, &why), -EINVAL);
	assert_int_equal(nslab_pool_parse("10.0.0.0/24 31", AF_INET, 30, &p, &why), -EINVAL);
	assert_int_equal(nslab_pool_parse("2001:db8::/48", AF_INET, 30, &p, &why), -EINVAL);
	assert_int_equal(nslab_pool_parse("10.0.0.0/8 /33", AF_INET, 30, &p, &why), -EINVAL);
}

static void test_addressing_apply(void **state)
{
	struct nslab_topo *t = load_auto("none"), *again = load_auto("none");
	char a[64];

	(void)state;
	/* p2p links in link order, /30s: routers first, then node order (r1 before r3 on r3:eth2--r1:eth2) */
	assert_addrs(t, "r1", "eth1", "10.1.0.1/30,2001:db8:1:1::1/64");
	assert_addrs(t, "r2", "eth1", "10.1.0.2/30,2001:db8:1:1::2/64");
	assert_addrs(t, "r2", "eth2", "10.1.0.5/30,2001:db8:1:2::1/64");
	assert_addrs(t, "r3", "eth2", "10.1.0.10/30,2001:db8:1:3::2/64");
	assert_addrs(t, "r1", "eth2", "10.1.0.9/30,2001:db8:1:3::1/64");
	/* the LAN of sw: its router first, whatever the link order */
	assert_addrs(t, "r1", "eth3", "172.16.0.1/24,2001:db8:1:4::1/64");
	assert_addrs(t, "h1", "eth1", "172.16.0.2/24,2001:db8:1:4::2/64");
	assert_addrs(t, "h2", "eth1", "172.16.0.3/24,2001:db8:1:4::3/64");
	assert_addrs(t, "h3", "eth1", "10.1.0.14/30,2001:db8:1:5::2/64");
	/* loopbacks for routers only, lo inserted first with the link ends still right */
	assert_addrs(t, "r3", "lo", "10.0.0.3/32,2001:db8:1::3/128");
	assert_string_equal(t->nodes[2].ifaces[0].name, "lo");
	for (size_t l = 0; l < t->nlinks; l++)
		for (int e = 0; e < 2; e++)
			assert_int_equal(t->nodes[t->links[l].ep[e].node].ifaces[t->links[l].ep[e].iface].link, (long)l);
	/* hosts: a default route through their segment's router */
	assert_int_equal(t->nodes[4].nroutes, 2);
	assert_string_equal(nslab_prefix_fmt(&t->nodes[4].routes[0].via, false, a, sizeof(a)), "172.16.0.1");
	assert_string_equal(nslab_prefix_fmt(&t->nodes[6].routes[1].via, false, a, sizeof(a)), "2001:db8:1:5::1");
	/* deterministic */
	for (size_t n = 0; n < t->nnodes; n++)
		for (size_t i = 0; i < t->nodes[n].nifaces; i++) {
			assert_int_equal(t->nodes[n].ifaces[i].naddrs, again->nodes[n].ifaces[i].naddrs);
			assert_memory_equal(t->nodes[n].ifaces[i].addrs, again->nodes[n].ifaces[i].addrs,
					    t->nodes[n].ifaces[i].naddrs * sizeof(struct nslab_prefix));
		}
	nslab_topo_free(t);
	nslab_topo_free(again);
}

static void test_addressing_keeps_file_and_errors(void **state)
{
	struct nslab_diags d = { 0 };
	struct nslab_topo *t;

	(void)state;
	/* a link the file addresses is left as it is; /31 pool; auto */
	t = load("k.yml",
		 "name: k\naddressing: {p2p: 10.9.0.0/24 /31, loopback: none}\ntopology:\n  nodes:\n"
		 "    a: {kind: router, interfaces: {eth1: {ipv4: 192.0.2.1/24}}}\n    b: {kind: router}\n    c: {kind: router}\n"
		 "  links:\n    - endpoints: [a:eth1, b:eth1]\n    - endpoints: [b:eth2, c:eth1]\n",
		 &d);
	assert_non_null(t);
	assert_addrs(t, "a", "eth1", "192.0.2.1/24");
	assert_addrs(t, "b", "eth1", "");
	assert_addrs(t, "b", "eth2", "10.9.0.2/31");
	assert_addrs(t, "c", "eth1", "10.9.0.3/31");
	assert_int_equal(t->nodes[0].nifaces, 1); /* no loopback */
	nslab_topo_free(t);
	/* a pool too small: an error at the key */
	t = load("k.yml",
		 "name: k\naddressing:\n  p2p: 10.9.0.0/29\ntopology:\n  nodes:\n"
		 "    a: {kind: router}\n    b: {kind: router}\n    c: {kind: router}\n"
		 "  links:\n    - endpoints: [a:eth1, b:eth1]\n    - endpoints: [b:eth2, c:eth1]\n    - endpoints: [c:eth2, a:eth2]\n",
		 &d);
	assert_null(t);
	assert_true(diags_have(&d, "the p2p pool 10.9.0.0/29 has no room for"));
	assert_int_equal(d.v[d.n - 1].line, 3);
	nslab_diags_free(&d);
	t = load("k.yml", "name: k\naddressing: {lan: 10.0.0.0/33, wan: x}\nrouting: eigrp\ntopology:\n  nodes:\n    a: {kind: linux}\n",
		 &d);
	assert_null(t);
	assert_true(diags_have(&d, "bad addressing.lan"));
	assert_true(diags_have(&d, "unknown key \"wan\" in addressing"));
	assert_true(diags_have(&d, "bad routing \"eigrp\""));
	nslab_diags_free(&d);
}

static void assert_conf_has(const struct nslab_topo *t, size_t n, const char *line)
{
	if (!t->nodes[n].startup_config || !strstr(t->nodes[n].startup_config, line))
		fail_msg("%s's configuration has no \"%s\":\n%s", t->nodes[n].name, line,
			 t->nodes[n].startup_config ? t->nodes[n].startup_config : "(none)");
}

static void test_routing_configs(void **state)
{
	struct nslab_topo *t;
	char *daemons;

	(void)state;
	t = load_auto("ospf");
	assert_int_equal(t->nodes[0].kind, NSLAB_KIND_FRR); /* router became frr */
	assert_null(t->nodes[4].startup_config);	       /* hosts have none */
	assert_conf_has(t, 0, " ospf router-id 10.0.0.1\n");
	assert_conf_has(t, 0, " network 10.1.0.0/30 area 0\n");
	assert_conf_has(t, 0, " network 172.16.0.0/24 area 0\n");
	assert_conf_has(t, 0, " passive-interface eth3\n"); /* hosts only on the LAN */
	assert_conf_has(t, 0, "interface eth1\n ip ospf network point-to-point\n ip ospf hello-interval 1\n");
	assert_conf_has(t, 0, "router ospf6\n");
	daemons = nslab_frr_daemons_needed(t->nodes[0].startup_config);
	assert_string_equal(daemons, "ospfd ospf6d");
	free(daemons);
	nslab_topo_free(t);

	t = load_auto("bgp");
	assert_conf_has(t, 0, "router bgp 65001\n");
	assert_conf_has(t, 0, " neighbor 10.1.0.2 remote-as 65002\n");
	assert_conf_has(t, 0, " neighbor 10.1.0.10 remote-as 65003\n");
	assert_conf_has(t, 0, " neighbor 2001:db8:1:1::2 remote-as 65002\n");
	assert_conf_has(t, 0, " address-family ipv4 unicast\n  network 10.0.0.1/32\n");
	assert_conf_has(t, 0, "  network 172.16.0.0/24\n");
	assert_conf_has(t, 0, "  neighbor 2001:db8:1:1::2 activate\n");
	nslab_topo_free(t);

	t = load_auto("rip");
	assert_conf_has(t, 1, "router rip\n version 2\n timers basic 5 15 10\n redistribute connected\n network eth1\n network eth2\n");
	assert_conf_has(t, 1, "router ripng\n");
	nslab_topo_free(t);

	/* static: shortest paths; r1 reaches h3's link straight through r3, r2's far link by either */
	t = load_auto("static");
	assert_conf_has(t, 0, "ip route 10.1.0.12/30 10.1.0.10\n");
	assert_conf_has(t, 0, "ip route 10.1.0.4/30 10.1.0.2\n"); /* ties: the earlier segment's router */
	assert_conf_has(t, 0, "ip route 10.0.0.3/32 10.1.0.10\n");
	assert_conf_has(t, 1, "ip route 172.16.0.0/24 10.1.0.1\n");
	assert_conf_has(t, 2, "ipv6 route 2001:db8:1:4::/64 2001:db8:1:3::1\n");
	nslab_topo_free(t);
}

/* `expect converged` (and `nslab wait --until converged`): parsed as a check, 60 s unless within */
static void test_expect_converged(void **state)
{
	static const char text[] = "expect converged\nexpect routing converged within 30s\nexpect routing within 5s\n"
				   "expect routing reaches 10.0.0.1\n";
	struct nslab_diags d = { 0 };
	struct nslab_scn *s = NULL;

	(void)state;
	assert_int_equal(nslab_scn_parse_buf("c.scn", text, strlen(text), &s, &d), 0);
	assert_int_equal(s->nsteps, 4);
	assert_int_equal(s->steps[0].kind, NSLAB_SCN_EXPECT_CONVERGED);
	assert_true(nslab_scn_is_check(&s->steps[0]));
	assert_int_equal(s->steps[0].duration_us, 60000000);
	assert_null(s->steps[0].node);
	assert_int_equal(s->steps[1].kind, NSLAB_SCN_EXPECT_CONVERGED);
	assert_int_equal(s->steps[1].duration_us, 30000000);
	assert_int_equal(s->steps[2].kind, NSLAB_SCN_EXPECT_CONVERGED);
	assert_int_equal(s->steps[2].duration_us, 5000000);
	assert_int_equal(s->steps[3].kind, NSLAB_SCN_EXPECT_REACH); /* a node named routing */
	assert_string_equal(s->steps[3].node, "routing");
	nslab_scn_free(s);
	s = NULL;
	assert_int_equal(nslab_scn_parse_buf("c.scn", "expect routing converged now\n", 29, &s, &d), -EINVAL);
	assert_true(diags_have(&d, "unexpected words (expect converged [within DURATION])"));
	nslab_diags_free(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_frr_daemons),
		cmocka_unit_test(test_startup_config_inline_and_file),
		cmocka_unit_test(test_kind_services),
		cmocka_unit_test(test_pool_parse),
		cmocka_unit_test(test_addressing_apply),
		cmocka_unit_test(test_addressing_keeps_file_and_errors),
		cmocka_unit_test(test_routing_configs),
		cmocka_unit_test(test_expect_converged),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
