// SPDX-License-Identifier: GPL-2.0-or-later
/* tests/unit/test_topology.c: the topology loader, checked on the model it builds and the diagnostics it reports. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "tests/unit/topo_helpers.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "topologies/model.h"
#include "util/util.h"

/* ---- helpers ---- */

static int load(const char *yml, struct nslab_topo **t, struct nslab_diags *d)
{
	return nslab_topo_load_buf("t.yml", yml, strlen(yml), t, d);
}

/* Loads yml, which must have no error; returns the model. */
static struct nslab_topo *load_ok(const char *yml, struct nslab_diags *d)
{
	struct nslab_topo *t = NULL;
	int ret = load(yml, &t, d);

	if (ret != 0) {
		for (size_t i = 0; i < d->n; i++) {
			char *s = nslab_diag_format(&d->v[i]);
			print_error("%s\n", s);
			free(s);
		}
	}
	assert_int_equal(ret, 0);
	assert_non_null(t);
	assert_int_equal(d->nerrors, 0);
	return t;
}

/* Loads yml, which must fail with -EINVAL and no model. */
static void load_bad(const char *yml, struct nslab_diags *d)
{
	struct nslab_topo *t = (struct nslab_topo *)0x1;

	assert_int_equal(load(yml, &t, d), -EINVAL);
	assert_null(t);
	assert_true(d->nerrors > 0);
}

/* Exactly one error in yml, containing msg; kv names the case in the failure message. */
static void assert_case_one_error(const char *yml, const char *kv, const char *msg)
{
	struct nslab_diags d = { 0 };

	load_bad(yml, &d);
	if (d.nerrors != 1 || !diag_match(&d, msg, false)) {
		print_error("case \"%s\": want exactly one error containing \"%s\"\n", kv, msg);
		dump_diags(&d);
		fail();
	}
	nslab_diags_free(&d);
}

#define assert_diag(d, text) assert_diag_match((d), (text), false)

/* Exactly one error, containing text. */
#define assert_one_error(yml, text)                      \
	do {                                             \
		struct nslab_diags d_ = { 0 };           \
		load_bad((yml), &d_);                    \
		assert_diag(&d_, (text));                \
		if (d_.nerrors != 1)                     \
			dump_diags(&d_);                 \
		assert_int_equal(d_.nerrors, 1);         \
		nslab_diags_free(&d_);                   \
	} while (0)

static const struct nslab_node *node_by_name(const struct nslab_topo *t, const char *name)
{
	for (size_t i = 0; i < t->nnodes; i++)
		if (!strcmp(t->nodes[i].name, name))
			return &t->nodes[i];
	fail_msg("no node %s", name);
	return NULL;
}

static const struct nslab_iface *iface_by_name(const struct nslab_node *n, const char *name)
{
	for (size_t i = 0; i < n->nifaces; i++)
		if (!strcmp(n->ifaces[i].name, name))
			return &n->ifaces[i];
	fail_msg("no interface %s on %s", name, n->name);
	return NULL;
}

static const char *kv_get(const struct nslab_kv *v, size_t n, const char *key)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(v[i].key, key))
			return v[i].value;
	return NULL;
}

static const struct nslab_bind *bind_get(const struct nslab_node *n, const char *dst)
{
	for (size_t i = 0; i < n->nbinds; i++)
		if (!strcmp(n->binds[i].dst, dst))
			return &n->binds[i];
	return NULL;
}

static void assert_prefix(const struct nslab_prefix *p, const char *text)
{
	char buf[64];

	assert_string_equal(nslab_prefix_fmt(p, true, buf, sizeof(buf)), text);
}

/* ---- links and interfaces ---- */

static void test_brief_link(void **state)
{
	struct nslab_diags d = { 0 };
	struct nslab_topo *t;
	const struct nslab_node *r1, *r2;

	(void)state;
	t = load_ok("name: lab1\n"
		    "topology:\n"
		    "  nodes:\n"
		    "    r2: {kind: linux}\n"
		    "    r1:\n"
		    "      kind: linux\n"
		    "  links:\n"
		    "    - endpoints: [\"r1:eth1\", \"r2:eth1\"]\n"
		    "    - endpoints: [r2:eth2, r1:e2]\n"
		    "      mtu: 1500\n"
		    "      vars: {x: 1}\n"
		    "      labels: {y: 2}\n",
		    &d);
	assert_int_equal(d.n, 0);
	assert_string_equal(t->name, "lab1");
	assert_string_equal(t->file, "t.yml");
	assert_int_equal(t->nnodes, 2);
	/* file order */
	assert_string_equal(t->nodes[0].name, "r2");
	assert_string_equal(t->nodes[1].name, "r1");
	assert_int_equal(t->nodes[1].pos.line, 5);
	assert_int_equal(t->nodes[1].pos.col, 5);
	assert_ptr_equal(t->nodes[1].pos.file, t->file);
	assert_int_equal(t->nlinks, 2);
	r1 = node_by_name(t, "r1");
	r2 = node_by_name(t, "r2");
	assert_int_equal(r1->kind, NSLAB_KIND_LINUX);
	assert_null(r1->group);
	assert_int_equal(r1->br_ifindex, 0);
	assert_int_equal(r1->nifaces, 2);
	assert_string_equal(r1->ifaces[0].name, "eth1");
	assert_int_equal(r1->ifaces[0].ifindex, NSLAB_IFINDEX_FIRST);
	assert_int_equal(r1->ifaces[0].mtu, NSLAB_DEFAULT_MTU);
	assert_int_equal(r1->ifaces[0].link, 0);
	assert_int_equal(r1->ifaces[0].end, 0);
	assert_false(r1->ifaces[0].has_mac);
	assert_false(r1->ifaces[0].down);
	assert_int_equal(r1->ifaces[0].naddrs, 0);
	assert_string_equal(r1->ifaces[1].name, "e2");
	/* 3 in turn, but its peer r2:eth2 is 3: the second end moves past its node's highest (fast
	 * carrier events, see nslab_topo_distinct_link_ifindexes()) */
	assert_int_equal(r1->ifaces[1].ifindex, 4);
	assert_int_equal(r1->ifaces[1].mtu, 1500);
	assert_int_equal(r1->ifaces[1].link, 1);
	assert_int_equal(r1->ifaces[1].end, 1);
	assert_string_equal(r2->ifaces[0].name, "eth1");
	assert_int_equal(r2->ifaces[0].end, 1);
	assert_int_equal(r2->ifaces[0].ifindex, 4); /* r1:eth1 is 2 */
	assert_string_equal(r2->ifaces[1].name, "eth2");
	assert_int_equal(r2->ifaces[1].ifindex, 3);
	for (size_t l = 0; l < t->nlinks; l++)
		assert_int_not_equal(t->nodes[t->links[l].ep[0].node].ifaces[t->links[l].ep[0].iface].ifindex,
				     t->nodes[t->links[l].ep[1].node].ifaces[t->links[l].ep[1].iface].ifindex);

	assert_int_equal(t->links[0].mtu, 0);
	assert_int_equal(t->links[0].ep[0].node, 1);
	assert_int_equal(t->links[0].ep[0].iface, 0);
	assert_int_equal(t->links[0].ep[1].node, 0);
	assert_int_equal(t->links[0].ep[1].iface, 0);
	assert_int_equal(t->links[0].pos.line, 8);
	assert_int_equal(t->links[0].pos.col, 7);
	assert_int_equal(t->links[1].mtu, 1500);
	assert_int_equal(t->links[1].ep[0].node, 0);
	assert_int_equal(t->links[1].ep[0].iface, 1);
	assert_int_equal(t->links[1].ep[1].node, 1);
	assert_int_equal(t->links[1].ep[1].iface, 1);
	nslab_topo_free(t);
	nslab_diags_free(&d);
}

static void test_extended_link(void **state)
{
	struct nslab_diags d = { 0 };
	struct nslab_topo *t;
	const struct nslab_iface *a, *b;
	static const unsigned char mac[6] = { 0x02, 0, 0, 0, 0xaa, 0x01 };

	(void)state;
	t = load_ok("name: x\n"
		    "topology:\n"
		    "  defaults: {kind: linux}\n"
		    "  nodes: {a: , b: null}\n"
		    "  links:\n"
		    "    - type: veth\n"
		    "      mtu: 1400\n"
		    "      endpoints:\n"
		    "        - node: a\n"
		    "          interface: eth1\n"
		    "          mac: 02:00:00:00:AA:01\n"
		    "          ipv4: 10.0.0.1/24\n"
		    "          ipv6: 2001:db8::1/64\n"
		    "        - {node: b, interface: eth1, ipv4: [10.0.0.2/24, 10.0.1.2/24]}\n",
		    &d);
	a = &t->nodes[0].ifaces[0];
	b = &t->nodes[1].ifaces[0];
	assert_int_equal(t->nodes[0].nifaces, 1);
	assert_int_equal(a->mtu, 1400);
	assert_true(a->has_mac);
	assert_memory_equal(a->mac, mac, 6);
	assert_int_equal(a->naddrs, 2);
	assert_prefix(&a->addrs[0], "10.0.0.1/24");
	assert_int_equal(a->addrs[0].family, AF_INET);
	assert_prefix(&a->addrs[1], "2001:db8::1/64");
	assert_int_equal(a->addrs[1].family, AF_INET6);
	assert_int_equal(a->pos.line, 9);
	assert_int_equal(a->pos.col, 11);
	assert_false(b->has_mac);
	assert_int_equal(b->naddrs, 2);
	assert_prefix(&b->addrs[1], "10.0.1.2/24");
	assert_int_equal(t->links[0].mtu, 1400);
	nslab_topo_free(t);
	nslab_diags_free(&d);
}

static void test_bridge_ifindex(void **state)
{
	struct nslab_diags d = { 0 };
	struct nslab_topo *t;
	const struct nslab_node *sw, *h1;

	(void)state;
	t = load_ok("name: br\n"
		    "topology:\n"
		    "  nodes:\n"
		    "    h1: {kind: linux}\n"
		    "    sw: {kind: bridge}\n"
		    "    h2: {kind: router}\n"
		    "  links:\n"
		    "    - endpoints: [h1:eth1, sw:p1]\n"
		    "    - endpoints: [sw:p2, h2:eth1]\n"
		    "    - endpoints: [h1:eth2, h2:eth2]\n",
		    &d);
	sw = node_by_name(t, "sw");
	h1 = node_by_name(t, "h1");
	assert_int_equal(sw->kind, NSLAB_KIND_BRIDGE);
	assert_int_equal(sw->br_ifindex, 2);
	assert_int_equal(sw->nifaces, 2);
	assert_string_equal(sw->ifaces[0].name, "p1");
	assert_int_equal(sw->ifaces[0].ifindex, 3);
	assert_string_equal(sw->ifaces[1].name, "p2");
	assert_int_equal(sw->ifaces[1].ifindex, 4);
	assert_int_equal(h1->br_ifindex, 0);
	assert_int_equal(iface_by_name(h1, "eth1")->ifindex, 2);
	assert_int_equal(iface_by_name(h1, "eth2")->ifindex, 3);
	assert_int_equal(node_by_name(t, "h2")->kind, NSLAB_KIND_ROUTER);
	assert_string_equal(nslab_kind_name(NSLAB_KIND_ROUTER), "router");
	nslab_topo_free(t);
	nslab_diags_free(&d);
}

static void test_interfaces_and_lo(void **state)
{
	struct nslab_diags d = { 0 };
	struct nslab_topo *t;
	const struct nslab_node *r1, *r2;
	const struct nslab_iface *lo, *e1;
	static const unsigned char mac[6] = { 0x02, 0x42, 0, 0, 0, 0x11 };

	(void)state;
	t = load_ok("name: ifs\n"
		    "topology:\n"
		    "  nodes:\n"
		    "    r1:\n"
		    "      kind: router\n"
		    "      interfaces:\n"
		    "        lo: {ipv4: 10.255.0.1/32, ipv6: [\"fd00::1/128\"]}\n"
		    "        eth1:\n"
		    "          ipv4: 10.0.0.1/31\n"
		    "          mtu: 1500\n"
		    "          mac: 02:42:00:00:00:11\n"
		    "          state: down\n"
		    "    r2:\n"
		    "      kind: router\n"
		    "      interfaces: {lo: {}, eth1: {state: up}}\n"
		    "  links:\n"
		    "    - endpoints: [r1:eth1, r2:eth1]\n"
		    "      mtu: 9000\n",
		    &d);
	r1 = node_by_name(t, "r1");
	assert_int_equal(r1->nifaces, 2);
	lo = &r1->ifaces[0];
	assert_string_equal(lo->name, "lo");
	assert_int_equal(lo->ifindex, NSLAB_IFINDEX_LO);
	assert_int_equal(lo->link, -1);
	assert_int_equal(lo->mtu, 0);
	assert_int_equal(lo->naddrs, 2);
	assert_prefix(&lo->addrs[0], "10.255.0.1/32");
	assert_prefix(&lo->addrs[1], "fd00::1/128");
	assert_int_equal(lo->pos.line, 7);
	e1 = &r1->ifaces[1];
	assert_string_equal(e1->name, "eth1");
	assert_int_equal(e1->ifindex, 2);
	assert_int_equal(e1->mtu, 1500); /* interfaces beats the link */
	assert_true(e1->has_mac);
	assert_memory_equal(e1->mac, mac, 6);
	assert_true(e1->down);
	assert_int_equal(e1->naddrs, 1);
	assert_int_equal(t->links[0].ep[0].iface, 1); /* lo comes first */
	r2 = node_by_name(t, "r2");
	assert_int_equal(r2->nifaces, 1); /* lo without addresses is not listed */
	assert_int_equal(r2->ifaces[0].mtu, 9000);
	assert_false(r2->ifaces[0].down);
	nslab_topo_free(t);
	nslab_diags_free(&d);
}

static void test_endpoint_and_interface_addrs_both_added(void **state)
{
	struct nslab_diags d = { 0 };
	struct nslab_topo *t;
	const struct nslab_iface *a;

	(void)state;
	t = load_ok("name: x\n"
		    "topology:\n"
		    "  nodes:\n"
		    "    a: {kind: linux, interfaces: {e1: {ipv4: 10.0.0.1/24, ipv6: 2001:db8::1/64}}}\n"
		    "    b: {kind: linux}\n"
		    "  links:\n"
		    "    - endpoints: [{node: a, interface: e1, ipv4: 10.0.1.1/24}, b:e1]\n",
		    &d);
	a = &t->nodes[0].ifaces[0];
	assert_int_equal(a->naddrs, 3);
	assert_prefix(&a->addrs[0], "10.0.1.1/24");
	assert_prefix(&a->addrs[1], "10.0.0.1/24");
	assert_prefix(&a->addrs[2], "2001:db8::1/64");
	nslab_topo_free(t);
	nslab_diags_free(&d);
}

/* ---- inheritance ---- */

static void test_inheritance(void **state)
{
	struct nslab_diags d = { 0 };
	struct nslab_topo *t;
	const struct nslab_node *n, *m, *o;
	const struct nslab_bind *b;

	(void)state;
	t = load_ok("name: inh\n"
		    "topology:\n"
		    "  defaults:\n"
		    "    kind: linux\n"
		    "    env: {A: d, B: d, C: d, D: d}\n"
		    "    exec: [\"echo defaults\"]\n"
		    "    binds: [\"/d:/data\", \"/etc/d:/etc/x:ro\"]\n"
		    "    sysctls: {net.ipv4.ip_forward: 0, net.ipv6.conf.all.forwarding: 0}\n"
		    "    labels: {tier: d}\n"
		    "  kinds:\n"
		    "    router:\n"
		    "      env: {B: k}\n"
		    "      binds: [\"/k:/data:rw\"]\n"
		    "      sysctls: {net.ipv4.ip_forward: 1}\n"
		    "  groups:\n"
		    "    spine:\n"
		    "      kind: router\n"
		    "      env: {C: g}\n"
		    "      exec: [\"echo group\", \"echo two\"]\n"
		    "      labels: {tier: g}\n"
		    "  nodes:\n"
		    "    s1:\n"
		    "      group: spine\n"
		    "      env: {D: n}\n"
		    "      binds: [\"/n:/etc/x\"]\n"
		    "    s2:\n"
		    "      group: spine\n"
		    "      kind: linux\n"
		    "      exec: []\n"
		    "    h1: {}\n",
		    &d);
	n = node_by_name(t, "s1");
	assert_int_equal(n->kind, NSLAB_KIND_ROUTER); /* from the group */
	assert_string_equal(n->group, "spine");
	assert_int_equal(n->nenv, 4);
	assert_string_equal(kv_get(n->env, n->nenv, "A"), "d");
	assert_string_equal(kv_get(n->env, n->nenv, "B"), "k");
	assert_string_equal(kv_get(n->env, n->nenv, "C"), "g");
	assert_string_equal(kv_get(n->env, n->nenv, "D"), "n");
	/* exec is taken whole from the nearest level that sets it */
	assert_int_equal(n->nexec, 2);
	assert_string_equal(n->exec[0], "echo group");
	assert_string_equal(n->exec[1], "echo two");
	/* binds merge per destination, nearer wins */
	assert_int_equal(n->nbinds, 2);
	b = bind_get(n, "/data");
	assert_non_null(b);
	assert_string_equal(b->src, "/k");
	assert_false(b->ro);
	b = bind_get(n, "/etc/x");
	assert_non_null(b);
	assert_string_equal(b->src, "/n");
	assert_false(b->ro);
	assert_int_equal(b->pos.line, 25);
	assert_int_equal(n->nsysctls, 2);
	assert_string_equal(kv_get(n->sysctls, n->nsysctls, "net.ipv4.ip_forward"), "1");
	assert_string_equal(kv_get(n->sysctls, n->nsysctls, "net.ipv6.conf.all.forwarding"), "0");
	assert_string_equal(kv_get(n->labels, n->nlabels, "tier"), "g");

	m = node_by_name(t, "s2");
	assert_int_equal(m->kind, NSLAB_KIND_LINUX); /* node beats group */
	assert_int_equal(m->nexec, 0);		      /* an empty list is a setting too */
	assert_string_equal(kv_get(m->env, m->nenv, "B"), "d"); /* kind linux has no block */
	assert_string_equal(kv_get(m->env, m->nenv, "C"), "g");
	b = bind_get(m, "/etc/x");
	assert_non_null(b);
	assert_string_equal(b->src, "/etc/d");
	assert_true(b->ro);

	o = node_by_name(t, "h1");
	assert_int_equal(o->kind, NSLAB_KIND_LINUX); /* from defaults */
	assert_null(o->group);
	assert_int_equal(o->nexec, 1);
	assert_string_equal(o->exec[0], "echo defaults");
	assert_string_equal(kv_get(o->labels, o->nlabels, "tier"), "d");
	nslab_topo_free(t);
	nslab_diags_free(&d);
}

static void test_kind_block_applies_by_kind(void **state)
{
	struct nslab_diags d = { 0 };
	struct nslab_topo *t;

	(void)state;
	t = load_ok("name: k\n"
		    "topology:\n"
		    "  kinds:\n"
		    "    linux: {env: {X: lin}, exec: [k]}\n"
		    "    bridge: {env: {X: br}}\n"
		    "  nodes:\n"
		    "    a: {kind: linux, env: {Y: \"\"}}\n"
		    "    b: {kind: bridge}\n",
		    &d);
	assert_string_equal(kv_get(t->nodes[0].env, t->nodes[0].nenv, "X"), "lin");
	assert_string_equal(kv_get(t->nodes[0].env, t->nodes[0].nenv, "Y"), "");
	assert_int_equal(t->nodes[0].nexec, 1);
	/* a bridge is no container (containerlab): kinds' and defaults' env, exec, binds skip it */
	assert_null(kv_get(t->nodes[1].env, t->nodes[1].nenv, "X"));
	assert_int_equal(t->nodes[1].nexec, 0);
	nslab_topo_free(t);
	nslab_diags_free(&d);
}

static void test_yaml_aliases(void **state)
{
	struct nslab_diags d = { 0 };
	struct nslab_topo *t;

	(void)state;
	t = load_ok("name: al\n"
		    "topology:\n"
		    "  nodes:\n"
		    "    a: &host {kind: linux, env: {K: v}}\n"
		    "    b: *host\n"
		    "  links:\n"
		    "    - endpoints: [a:e1, b:e1]\n",
		    &d);
	assert_int_equal(t->nnodes, 2);
	assert_string_equal(kv_get(t->nodes[1].env, t->nodes[1].nenv, "K"), "v");
	nslab_topo_free(t);
	nslab_diags_free(&d);
}

/* ---- routes ---- */

static void test_routes(void **state)
{
	struct nslab_diags d = { 0 };
	struct nslab_topo *t;
	const struct nslab_node *n;
	const struct nslab_route *r;
	char buf[64];

	(void)state;
	t = load_ok("name: rt\n"
		    "topology:\n"
		    "  nodes:\n"
		    "    h:\n"
		    "      kind: linux\n"
		    "      routes:\n"
		    "        - {dst: default, via: 10.0.0.1}\n"
		    "        - {dst: default, via: \"fe80::1\", dev: eth1}\n"
		    "        - {dst: 192.168.0.0/16, dev: eth1, metric: 100}\n"
		    "        - {dst: 10.9.9.9, via: 10.0.0.1}\n"
		    "        - {dst: \"2001:db8:1::/48\", via: \"2001:db8::1\"}\n"
		    "        - {dst: default, dev: lo}\n"
		    "    r: {kind: router}\n"
		    "  links:\n"
		    "    - endpoints: [h:eth1, r:eth1]\n",
		    &d);
	n = node_by_name(t, "h");
	assert_int_equal(n->nroutes, 6);
	r = &n->routes[0];
	assert_int_equal(r->dst.family, AF_INET);
	assert_int_equal(r->dst.plen, 0);
	assert_true(r->has_via);
	assert_string_equal(nslab_prefix_fmt(&r->via, false, buf, sizeof(buf)), "10.0.0.1");
	assert_int_equal(r->via.plen, 32);
	assert_null(r->dev);
	assert_int_equal(r->metric, 0);
	assert_int_equal(r->pos.line, 7);
	assert_int_equal(r->pos.col, 11);
	r = &n->routes[1];
	assert_int_equal(r->dst.family, AF_INET6);
	assert_prefix(&r->dst, "::/0");
	assert_string_equal(r->dev, "eth1");
	r = &n->routes[2];
	assert_prefix(&r->dst, "192.168.0.0/16");
	assert_false(r->has_via);
	assert_int_equal(r->metric, 100);
	r = &n->routes[3];
	assert_prefix(&r->dst, "10.9.9.9/32");
	r = &n->routes[4];
	assert_prefix(&r->dst, "2001:db8:1::/48");
	assert_prefix(&r->via, "2001:db8::1/128");
	r = &n->routes[5];
	assert_string_equal(r->dev, "lo");
	assert_int_equal(r->dst.family, AF_INET);
	nslab_topo_free(t);
	nslab_diags_free(&d);
}

/* ---- warnings ---- */

static void test_docker_keys_warn(void **state)
{
	struct nslab_diags d = { 0 };
	struct nslab_topo *t;

	(void)state;
	t = load_ok("name: w\n"
		    "prefix: clab\n"
		    "mgmt:\n"
		    "  network: custom\n"
		    "topology:\n"
		    "  defaults: {kind: linux, image: alpine}\n"
		    "  nodes:\n"
		    "    a:\n"
		    "      image: ghcr.io/x/y\n"
		    "      mgmt-ipv4: 172.20.20.9\n"
		    "      ports: [\"80:80\"]\n"
		    "      cap-add: [NET_ADMIN]\n"
		    "      memory: 1Gb\n"
		    "      cpu: 2\n"
		    "      cpu-set: 0-1\n",
		    &d);
	assert_int_equal(d.nerrors, 0);
	assert_int_equal(d.n, 3);
	assert_diag(&d, "t.yml:2:1: warning: prefix is ignored");
	/* mgmt: gives the lab a management network; mgmt-ipv4 is the node's address on it */
	assert_true(t->mgmt.on);
	char buf[64];
	assert_string_equal(nslab_prefix_fmt(&t->nodes[0].mgmt4, true, buf, sizeof(buf)), "172.20.20.9/24");
	assert_string_equal(nslab_prefix_fmt(&t->nodes[0].mgmt6, true, buf, sizeof(buf)), "3fff:172:20:20::2/64");
	/* image is kept: it picks what nslab starts in the node (core/profile.c) */
	assert_false(diag_match(&d, "image", false));
	assert_string_equal(t->nodes[0].image, "ghcr.io/x/y");
	assert_diag(&d, "t.yml:11:7: warning: ports is ignored on node a");
	assert_diag(&d, "t.yml:12:7: warning: cap-add is ignored on node a");
	/* resource limits are applied now: no warning */
	assert_false(diag_match(&d, "memory", false));
	assert_int_equal(t->nodes[0].limits.memory_bytes, 1ULL << 30);
	/* sorted in file order */
	assert_int_equal(d.v[0].line, 2);
	assert_int_equal(d.v[2].line, 12);
	nslab_topo_free(t);
	nslab_diags_free(&d);
}

/* image, cmd and entrypoint are inherited like the other keys: the nearest level's wins. */
static void test_image_cmd_inherit(void **state)
{
	struct nslab_diags d = { 0 };
	struct nslab_topo *t;

	(void)state;
	t = load_ok("name: w\n"
		    "topology:\n"
		    "  defaults: {kind: linux, image: alpine:3, cmd: sleep 1}\n"
		    "  kinds: {linux: {entrypoint: /bin/sh}}\n"
		    "  groups: {routers: {image: \"quay.io/frrouting/frr:10.5.1\"}}\n"
		    "  nodes:\n"
		    "    a: {group: routers}\n"
		    "    b: {cmd: \"tail -f /dev/null\"}\n",
		    &d);
	assert_int_equal(d.n, 0);
	assert_string_equal(t->nodes[0].image, "quay.io/frrouting/frr:10.5.1");
	assert_string_equal(t->nodes[0].cmd, "sleep 1");
	assert_string_equal(t->nodes[0].entrypoint, "/bin/sh");
	assert_string_equal(t->nodes[1].image, "alpine:3");
	assert_string_equal(t->nodes[1].cmd, "tail -f /dev/null");
	nslab_topo_free(t);
	nslab_diags_free(&d);
}

/* ---- impairments and resource limits ---- */

static void test_impair_link_both_ends(void **state)
{
	struct nslab_diags d = { 0 };
	struct nslab_topo *t;
	const struct nslab_impair *ia, *ib;

	(void)state;
	t = load_ok("name: wan\n"
		    "topology:\n"
		    "  defaults: {kind: linux}\n"
		    "  nodes: {a: , b: , c: }\n"
		    "  links:\n"
		    "    - endpoints: [a:eth1, b:eth1]\n"
		    "      delay: 20ms\n"
		    "      jitter: 5ms\n"
		    "      jitter-distribution: normal\n"
		    "      loss: 1%\n"
		    "      loss-correlation: 25\n"
		    "      duplicate: 0.5%\n"
		    "      reorder: 2\n"
		    "      reorder-correlation: 10%\n"
		    "      corrupt: 0.1\n"
		    "      rate: 10mbit\n"
		    "      limit: 1000\n"
		    "      state: down\n"
		    "    - endpoints: [a:eth2, c:eth1]\n",
		    &d);
	assert_int_equal(d.n, 0);
	ia = &iface_by_name(node_by_name(t, "a"), "eth1")->impair;
	ib = &iface_by_name(node_by_name(t, "b"), "eth1")->impair;
	assert_memory_equal(ia, ib, sizeof(*ia));
	assert_int_equal(ia->mask, NSLAB_IMP_DELAY | NSLAB_IMP_JITTER | NSLAB_IMP_LOSS | NSLAB_IMP_DUPLICATE |
					   NSLAB_IMP_REORDER | NSLAB_IMP_CORRUPT | NSLAB_IMP_RATE | NSLAB_IMP_LIMIT);
	assert_int_equal(ia->delay_us, 20000);
	assert_int_equal(ia->jitter_us, 5000);
	assert_int_equal(ia->jitter_dist, NSLAB_DIST_NORMAL);
	assert_true(ia->loss_pct == 1);
	assert_true(ia->loss_corr_pct == 25);
	assert_true(ia->duplicate_pct == 0.5);
	assert_true(ia->reorder_pct == 2);
	assert_true(ia->reorder_corr_pct == 10);
	assert_true(ia->corrupt_pct > 0.0999 && ia->corrupt_pct < 0.1001);
	assert_int_equal(ia->rate_bps, 10000000);
	assert_int_equal(ia->limit_pkts, 1000);
	assert_true(iface_by_name(node_by_name(t, "a"), "eth1")->down);
	assert_true(iface_by_name(node_by_name(t, "b"), "eth1")->down);
	/* the other link has none */
	assert_int_equal(iface_by_name(node_by_name(t, "a"), "eth2")->impair.mask, 0);
	assert_false(iface_by_name(node_by_name(t, "a"), "eth2")->down);
	assert_int_equal(iface_by_name(node_by_name(t, "c"), "eth1")->impair.mask, 0);
	nslab_topo_free(t);
	nslab_diags_free(&d);
}

static void test_impair_per_end(void **state)
{
	struct nslab_diags d = { 0 };
	struct nslab_topo *t;
	const struct nslab_iface *a, *b;

	(void)state;
	t = load_ok("name: ends\n"
		    "topology:\n"
		    "  defaults: {kind: linux}\n"
		    "  nodes:\n"
		    "    a:\n"
		    "    b:\n"
		    "      interfaces:\n"
		    "        eth1: {rate: 1mbit, limit: 50, loss: 3}\n"
		    "  links:\n"
		    "    - delay: 10\n"            /* bare number: ms */
		    "      loss: 1\n"
		    "      state: down\n"
		    "      endpoints:\n"
		    "        - {node: a, interface: eth1, loss: 5%, reorder: 25%, state: up}\n"
		    "        - {node: b, interface: eth1, delay: 1.5s}\n",
		    &d);
	assert_int_equal(d.n, 0);
	a = iface_by_name(node_by_name(t, "a"), "eth1");
	b = iface_by_name(node_by_name(t, "b"), "eth1");
	/* a: the link's delay, its own loss and reorder; state up over the link's down */
	assert_int_equal(a->impair.mask, NSLAB_IMP_DELAY | NSLAB_IMP_LOSS | NSLAB_IMP_REORDER);
	assert_int_equal(a->impair.delay_us, 10000);
	assert_true(a->impair.loss_pct == 5);
	assert_true(a->impair.reorder_pct == 25);
	assert_false(a->down);
	/* b: endpoint's delay over the link's, the link's loss, then interfaces: rate, limit, loss 3 */
	assert_int_equal(b->impair.mask, NSLAB_IMP_DELAY | NSLAB_IMP_LOSS | NSLAB_IMP_RATE | NSLAB_IMP_LIMIT);
	assert_int_equal(b->impair.delay_us, 1500000);
	assert_true(b->impair.loss_pct == 3);
	assert_int_equal(b->impair.rate_bps, 1000000);
	assert_int_equal(b->impair.limit_pkts, 50);
	assert_true(b->down);
	nslab_topo_free(t);
	nslab_diags_free(&d);
}

static void test_impair_interface_only(void **state)
{
	struct nslab_diags d = { 0 };
	struct nslab_topo *t;
	const struct nslab_iface *a, *b;

	(void)state;
	t = load_ok("name: ifo\n"
		    "topology:\n"
		    "  defaults: {kind: linux}\n"
		    "  nodes:\n"
		    "    a: {interfaces: {eth1: {delay: 300us, jitter: 100usec, jitter-distribution: pareto}}}\n"
		    "    b:\n"
		    "  links:\n"
		    "    - endpoints: [a:eth1, b:eth1]\n",
		    &d);
	a = iface_by_name(node_by_name(t, "a"), "eth1");
	b = iface_by_name(node_by_name(t, "b"), "eth1");
	assert_int_equal(a->impair.mask, NSLAB_IMP_DELAY | NSLAB_IMP_JITTER);
	assert_int_equal(a->impair.delay_us, 300);
	assert_int_equal(a->impair.jitter_us, 100);
	assert_int_equal(a->impair.jitter_dist, NSLAB_DIST_PARETO);
	assert_int_equal(b->impair.mask, 0);
	nslab_topo_free(t);
	nslab_diags_free(&d);
}

/* The older spellings of the console (dist, loss-corr, reorder-corr, dup) work in files too. */
static void test_impair_aliases(void **state)
{
	struct nslab_diags d = { 0 };
	struct nslab_topo *t;
	const struct nslab_iface *a;

	(void)state;
	t = load_ok("name: al\n"
		    "topology:\n"
		    "  nodes: {a: {kind: linux}, b: {kind: linux}}\n"
		    "  links:\n"
		    "    - endpoints: [a:eth1, b:eth1]\n"
		    "      delay: 2ms\n"
		    "      jitter: 1ms\n"
		    "      dist: normal\n"
		    "      loss: 1%\n"
		    "      loss-corr: 25%\n"
		    "      reorder: 3%\n"
		    "      reorder-corr: 10\n"
		    "      dup: 2\n",
		    &d);
	a = iface_by_name(node_by_name(t, "a"), "eth1");
	assert_int_equal(a->impair.mask,
			 NSLAB_IMP_DELAY | NSLAB_IMP_JITTER | NSLAB_IMP_LOSS | NSLAB_IMP_REORDER | NSLAB_IMP_DUPLICATE);
	assert_int_equal(a->impair.jitter_dist, NSLAB_DIST_NORMAL);
	assert_true(a->impair.loss_corr_pct == 25);
	assert_true(a->impair.reorder_corr_pct == 10);
	assert_true(a->impair.duplicate_pct == 2);
	nslab_topo_free(t);
	nslab_diags_free(&d);
}

/* ---- parser limits: what would exhaust memory or time, and names deploy would refuse ---- */

static void test_limit_file_size(void **state)
{
	struct nslab_diags d = { 0 };
	struct nslab_topo *t = NULL;

	(void)state;
	/* without a cap, this read until memory ran out */
	assert_int_equal(nslab_topo_load_file("/dev/zero", &t, &d), -EFBIG);
	assert_null(t);
	assert_diag(&d, "/dev/zero: error: cannot read topology file /dev/zero: larger than 16 MiB");
	nslab_diags_free(&d);
}

static void test_limit_nesting(void **state)
{
	size_t n = 200000;
	char *deep = xcalloc(2 * n + 1, 1);
	clock_t t0 = clock();

	(void)state;
	memset(deep, '[', n);
	memset(deep + n, ']', n);
	/* libyaml took minutes on this: refused before it reads the file */
	assert_one_error(deep, "t.yml:1:65: error: lists and maps nested more than 64 levels deep");
	assert_true((double)(clock() - t0) / CLOCKS_PER_SEC < 1.0);
	free(deep);
	deep = xasprintf("name: q\ntopology:\n  nodes:\n    a: {kind: linux, exec: ['echo %s', \"%s\"]}  # %s\n",
			 "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[",
			 "{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{",
			 "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[");
	{
		struct nslab_diags d = { 0 };
		struct nslab_topo *t = load_ok(deep, &d); /* brackets in quotes and comments do not count */

		nslab_topo_free(t);
		nslab_diags_free(&d);
	}
	free(deep);
}

/* CPU seconds to load a chain of n nodes and n - 1 links (it must load). */
static double chain_load_s(size_t n)
{
	size_t cap = n * 64 + 100, len = 0;
	char *y = xmalloc(cap);
	struct nslab_diags d = { 0 };
	struct nslab_topo *t;
	clock_t t0;

	len += (size_t)snprintf(y + len, cap - len, "name: big\ntopology:\n  defaults: {kind: linux}\n  nodes:\n");
	for (size_t i = 0; i < n; i++)
		len += (size_t)snprintf(y + len, cap - len, "    n%zu:\n", i);
	len += (size_t)snprintf(y + len, cap - len, "  links:\n");
	for (size_t i = 0; i + 1 < n; i++)
		len += (size_t)snprintf(y + len, cap - len, "    - endpoints: [n%zu:eth1, n%zu:eth2]\n", i, i + 1);
	t0 = clock();
	t = load_ok(y, &d);
	t0 = clock() - t0;
	assert_int_equal(t->nnodes, n);
	nslab_topo_free(t);
	nslab_diags_free(&d);
	free(y);
	return (double)t0 / CLOCKS_PER_SEC;
}

static void test_limit_many_nodes(void **state)
{
	double small, big;

	(void)state;
	/* the duplicate-key check and the endpoints' node lookups were quadratic: 100,000 nodes took
	 * 89 s to validate. Ten times the nodes must cost about ten times the time, not a hundred. */
	small = chain_load_s(10000);
	big = chain_load_s(100000);
	if (big > 30 * (small > 0.01 ? small : 0.01))
		fail_msg("10,000 nodes: %.3f s, 100,000 nodes: %.3f s: not linear", small, big);
}

static void test_limit_names_deploy_refuses(void **state)
{
	(void)state;
	/* the kernel names eth%d eth0 */
	assert_one_error("name: n\ntopology:\n  defaults: {kind: linux}\n  nodes: {a: , b: }\n"
			 "  links:\n    - endpoints: [\"a:eth%d\", b:eth1]\n",
			 "t.yml:6:19: error: invalid interface name \"eth%d\" in endpoint a:eth%d: 1-15 bytes without '/', ':', '%' or spaces");
	/* a UTF-8 no-break space: the kernel's isspace() takes its 0xa0 byte */
	assert_one_error("name: n\ntopology:\n  defaults: {kind: linux}\n  nodes: {a: , b: }\n"
			 "  links:\n    - endpoints: [\"a:eth\xc2\xa0" "1\", b:eth1]\n",
			 "invalid interface name \"eth\xc2\xa0" "1\"");
	assert_one_error("name: n\ntopology:\n  nodes:\n    lo: {kind: bridge}\n    b: {kind: linux}\n"
			 "  links:\n    - endpoints: [lo:p1, b:eth1]\n",
			 "t.yml:4:5: error: bridge node name \"lo\"");
	assert_one_error("name: n\ntopology:\n  nodes:\n    a: {kind: linux, sysctls: {net.ipv4.conf.all/forwarding: 1}}\n",
			 "t.yml:4:32: error: bad sysctl key \"net.ipv4.conf.all/forwarding\"");
	assert_one_error("name: n\ntopology:\n  nodes:\n    a: {kind: linux, sysctls: {net.ipv4./../../x: 1}}\n",
			 "bad sysctl key");
	assert_one_error("name: n\ntopology:\n  nodes:\n    a: {kind: linux, sysctls: {net.ipv4.: 1}}\n",
			 "bad sysctl key");
}

static void test_err_impair_values(void **state)
{
	static const struct {
		const char *kv;	 /* one impairment key on the link, at line 6 col 7; its value at col 7+len(key)+2 */
		const char *msg; /* exact "line:col: error: ..." prefix */
	} cases[] = {
		{ "delay: 20 ms", "t.yml:6:14: error: bad delay \"20 ms\": expected a duration like 20ms" },
		{ "delay: 2m", "t.yml:6:14: error: bad delay \"2m\": 'm' is ambiguous" },
		{ "delay: -5ms", "t.yml:6:14: error: delay must not be negative, got \"-5ms\"" },
		{ "delay: 3601s", "t.yml:6:14: error: delay must be at most 1 hour, got \"3601s\"" },
		{ "delay: [1]", "t.yml:6:14: error: delay must be a string, got a list" },
		{ "jitter: 1h", "t.yml:6:15: error: bad jitter \"1h\"" },
		{ "loss: 150%", "t.yml:6:13: error: loss must be at most 100%, got \"150%\"" },
		{ "loss: -1", "t.yml:6:13: error: loss must not be negative" },
		{ "loss: lots", "t.yml:6:13: error: bad loss \"lots\": expected a percentage like 1.5% or 0.1" },
		{ "duplicate: 100.1", "t.yml:6:18: error: duplicate must be at most 100%" },
		{ "corrupt: x%", "t.yml:6:16: error: bad corrupt \"x%\"" },
		{ "rate: 0", "t.yml:6:13: error: rate must be from 1bit to 100gbit, got \"0\"" },
		{ "rate: 101gbit", "t.yml:6:13: error: rate must be from 1bit to 100gbit, got \"101gbit\"" },
		{ "rate: 10mb", "t.yml:6:13: error: bad rate \"10mb\": expected a rate like 10mbit" },
		{ "limit: 0", "t.yml:6:14: error: limit (packets) must be an integer from 1 to 4294967295" },
		{ "limit: 1.5", "t.yml:6:14: error: limit (packets) must be an integer" },
		{ "jitter-distribution: gauss\n      jitter: 1ms\n      delay: 2ms", "t.yml:6:28: error: jitter-distribution must be uniform, normal" },
		{ "state: sideways", "t.yml:6:14: error: state must be up or down, got \"sideways\"" },
		{ "reorder: 25%", "t.yml:6:7: error: reorder needs a delay above 0" },
		{ "jitter: 5ms", "t.yml:6:7: error: jitter needs delay" },
		{ "loss-correlation: 25%", "t.yml:6:25: error: loss-correlation needs loss (set both in the same place)" },
		{ "reorder-correlation: 5", "t.yml:6:28: error: reorder-correlation needs reorder" },
		{ "jitter-distribution: normal", "t.yml:6:28: error: jitter-distribution needs jitter" },
		{ "loss-correlation: 101\n      loss: 1", "t.yml:6:25: error: loss-correlation must be at most 100%" },
		{ "bogus: 1", "t.yml:6:7: error: unknown key \"bogus\" in the link at line 6" },
		/* the older spellings are the same parameters, with the same messages under the canonical name */
		{ "dist: gauss\n      jitter: 1ms\n      delay: 2ms", "t.yml:6:13: error: jitter-distribution must be uniform, normal" },
		{ "loss-corr: 25%", "t.yml:6:18: error: loss-correlation needs loss (set both in the same place)" },
		{ "dup: 101", "t.yml:6:12: error: duplicate must be at most 100%" },
		{ "reorder-corr: x\n      reorder: 1\n      delay: 1ms", "t.yml:6:21: error: bad reorder-correlation \"x\"" },
		{ "dist: normal\n      jitter-distribution: pareto\n      jitter: 1ms\n      delay: 2ms",
		  "t.yml:7:7: error: jitter-distribution is given twice in the link at line 6 (\"jitter-distribution\" and" },
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		char *yml = xasprintf("name: e\n"
				      "topology:\n"
				      "  defaults: {kind: linux}\n"
				      "  nodes: {a: , b: }\n"
				      "  links:\n"
				      "    - %s\n"
				      "      endpoints: [a:eth1, b:eth1]\n",
				      cases[i].kv);

		assert_case_one_error(yml, cases[i].kv, cases[i].msg);
		free(yml);
	}
}

static void test_err_impair_ends(void **state)
{
	struct nslab_diags d = { 0 };

	(void)state;
	/* reorder on the link, delay only on one endpoint: the other end is reported, named */
	load_bad("name: e\n"
		 "topology:\n"
		 "  defaults: {kind: linux}\n"
		 "  nodes:\n"
		 "    a:\n"
		 "      interfaces:\n"
		 "        lo: {ipv4: 10.0.0.1/32, delay: 1ms}\n"
		 "        eth2: {jitter-distribution: normal, jitter: 1ms}\n"
		 "    b:\n"
		 "  links:\n"
		 "    - reorder: 5%\n"
		 "      endpoints:\n"
		 "        - {node: a, interface: eth1, delay: 5ms}\n"
		 "        - b:eth1\n"
		 "    - endpoints: [a:eth2, b:eth2]\n",
		 &d);
	assert_diag(&d, "t.yml:7:33: error: interface lo may only get addresses (ipv4, ipv6), not delay");
	assert_diag(&d, "t.yml:8:16: error: a:eth2: jitter needs delay");
	assert_diag(&d, "t.yml:11:7: error: b:eth1: reorder needs a delay above 0");
	if (d.nerrors != 3)
		dump_diags(&d);
	assert_int_equal(d.nerrors, 3);
	nslab_diags_free(&d);

	/* a bad value is not reported again by the whole-set check */
	assert_one_error("name: e\n"
			 "topology:\n"
			 "  defaults: {kind: linux}\n"
			 "  nodes: {a: , b: }\n"
			 "  links:\n"
			 "    - {endpoints: [a:eth1, b:eth1], delay: 2m, reorder: 1%}\n",
			 "t.yml:6:44: error: bad delay \"2m\"");
}

static void test_limits_inherit(void **state)
{
	struct nslab_diags d = { 0 };
	struct nslab_topo *t;
	const struct nslab_node *n;

	(void)state;
	t = load_ok("name: lim\n"
		    "topology:\n"
		    "  defaults:\n"
		    "    kind: linux\n"
		    "    memory: 1g\n"
		    "    cpu: 2\n"
		    "    pids: 500\n"
		    "  kinds:\n"
		    "    router: {cpu: 0.5, cpu-set: \"3,0-1,2,7,8-9\", net-cls: auto}\n"
		    "  groups:\n"
		    "    g: {kind: router, memory: 256Mb, cpu-weight: 200}\n"
		    "  nodes:\n"
		    "    plain:\n"
		    "    r: {group: g, net-cls: \"10:1\", pids: 64}\n"
		    "    k: {kind: router, memory: 512MiB, cpu-set: 0-1}\n",
		    &d);
	assert_int_equal(d.n, 0);
	n = node_by_name(t, "plain");
	assert_int_equal(n->limits.memory_bytes, 1ULL << 30);
	assert_true(n->limits.cpu == 2);
	assert_int_equal(n->limits.pids, 500);
	assert_null(n->limits.cpuset);
	assert_int_equal(n->limits.cpu_weight, 0);
	assert_false(n->limits.net_cls_auto);
	assert_int_equal(n->limits.net_cls, 0);

	n = node_by_name(t, "r"); /* node, group g, kind router, defaults */
	assert_int_equal(n->limits.memory_bytes, 256ULL << 20);
	assert_true(n->limits.cpu == 0.5);
	assert_string_equal(n->limits.cpuset, "0-3,7-9");
	assert_int_equal(n->limits.cpu_weight, 200);
	assert_int_equal(n->limits.pids, 64);
	assert_false(n->limits.net_cls_auto); /* the node's explicit classid over the kind's auto */
	assert_int_equal(n->limits.net_cls, 0x00100001);

	n = node_by_name(t, "k");
	assert_int_equal(n->limits.memory_bytes, 512ULL << 20);
	assert_string_equal(n->limits.cpuset, "0-1");
	assert_true(n->limits.cpu == 0.5);
	assert_true(n->limits.net_cls_auto);
	assert_int_equal(n->limits.net_cls, 0);
	assert_int_equal(n->limits.pids, 500);
	nslab_topo_free(t);
	nslab_diags_free(&d);
}

static void test_err_limits(void **state)
{
	static const struct {
		const char *kv; /* on node a at line 5 col 9 */
		const char *msg;
	} cases[] = {
		{ "memory: 1x", "t.yml:5:17: error: bad memory \"1x\": expected a size like 512m" },
		{ "memory: 3m", "t.yml:5:17: error: memory must be at least 4MiB, got \"3m\"" },
		{ "memory: 99999999999999p", "t.yml:5:17: error: memory \"99999999999999p\" is too large" },
		{ "cpu: 0", "t.yml:5:14: error: cpu must be above 0 and at most 4096 cores, got \"0\"" },
		{ "cpu: 4097", "t.yml:5:14: error: cpu must be above 0 and at most 4096" },
		{ "cpu: -1", "t.yml:5:14: error: bad cpu \"-1\"" },
		{ "cpu: 1e3", "t.yml:5:14: error: bad cpu \"1e3\"" },
		{ "cpu: .", "t.yml:5:14: error: bad cpu \".\"" },
		{ "cpu-set: 1-0", "t.yml:5:18: error: bad cpu-set \"1-0\"" },
		{ "cpu-set: \"0,,1\"", "t.yml:5:18: error: bad cpu-set \"0,,1\"" },
		{ "cpu-set: \"\"", "t.yml:5:18: error: bad cpu-set \"\"" },
		{ "cpu-set: 0-", "t.yml:5:18: error: bad cpu-set \"0-\"" },
		{ "cpu-set: 70000", "t.yml:5:18: error: bad cpu-set \"70000\"" },
		{ "cpu-weight: 0", "t.yml:5:21: error: cpu-weight must be an integer from 1 to 10000" },
		{ "cpu-weight: 10001", "t.yml:5:21: error: cpu-weight must be an integer from 1 to 10000" },
		{ "pids: 0", "t.yml:5:15: error: pids must be an integer from 1 to 4194304" },
		{ "net-cls: 0:1", "t.yml:5:18: error: bad net-cls \"0:1\": expected auto or a classid" },
		{ "net-cls: 10000:1", "t.yml:5:18: error: bad net-cls \"10000:1\": major and minor are at most ffff" },
		{ "net-cls: yes", "t.yml:5:18: error: bad net-cls \"yes\"" },
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		char *yml = xasprintf("name: e\n"
				      "topology:\n"
				      "  defaults: {kind: linux}\n"
				      "  nodes:\n"
				      "    a: {%s}\n",
				      cases[i].kv);

		assert_case_one_error(yml, cases[i].kv, cases[i].msg);
		free(yml);
	}
}

/* ---- errors ---- */

/* A Linux bridge takes 1023 ports: 1023 links load, 1024 are refused at the bridge node. */
static void test_err_bridge_ports(void **state)
{
	for (int n = 1023; n <= 1024; n++) {
		size_t cap = 96 * (size_t)n + 256, len = 0;
		char *y = xmalloc(cap);
		struct nslab_diags d = { 0 };
		len += (size_t)snprintf(y + len, cap - len, "name: x\ntopology:\n  nodes:\n    sw: {kind: bridge}\n");
		for (int i = 1; i <= n; i++)
			len += (size_t)snprintf(y + len, cap - len, "    h%d: {kind: linux}\n", i);
		len += (size_t)snprintf(y + len, cap - len, "  links:\n");
		for (int i = 1; i <= n; i++)
			len += (size_t)snprintf(y + len, cap - len, "    - endpoints: [\"sw:p%d\", \"h%d:eth1\"]\n", i, i);
		(void)state;
		if (n == 1023) {
			struct nslab_topo *t = load_ok(y, &d);
			nslab_topo_free(t);
		} else {
			assert_one_error(y, "t.yml:4:5: error: bridge node sw has 1024 links: a Linux bridge takes at most 1023 ports");
		}
		nslab_diags_free(&d);
		free(y);
	}
}

static void test_err_yaml_syntax(void **state)
{
	(void)state;
	assert_one_error("name: x\n"
			 "topology:\n"
			 "  nodes: {a: {kind: linux}\n"
			 "  links: []\n",
			 "t.yml:4:3: error: YAML syntax error: while parsing a flow mapping did not find expected ',' or '}'");
	assert_one_error("name: x\n"
			 "topology: : :\n",
			 "t.yml:2:");
	assert_one_error("name: [x\n", "error: YAML syntax error");
	assert_one_error("name: x\ntopology:\n  nodes: {a: {kind: linux}}\n---\nname: y\n",
			 "t.yml:5:1: error: a second YAML document");
	/* invalid UTF-8: libyaml only knows the byte offset */
	assert_one_error("name: \xff\n", "t.yml: error: YAML syntax error at byte 6");
}

static void test_err_types(void **state)
{
	(void)state;
	assert_one_error("- a\n- b\n", "t.yml:1:1: error: the file must be a map with name and topology, got a list");
	assert_one_error("", "t.yml:1:1: error: the file is empty");
	assert_one_error("name: x\ntopology:\n  nodes: [a, b]\n",
			 "t.yml:3:10: error: nodes must be a map, got a list");
	assert_one_error("name: x\ntopology: [1]\n", "t.yml:2:11: error: topology must be a map, got a list");
	assert_one_error("name: {a: 1}\ntopology:\n  nodes: {a: {kind: linux}}\n",
			 "t.yml:1:7: error: name must be a string, got a map");
	assert_one_error("name: x\ntopology:\n  nodes: {a: {kind: linux, exec: \"ls\"}}\n",
			 "t.yml:3:34: error: exec must be a list, got a string");
	assert_one_error("name: x\ntopology:\n  nodes: {a: {kind: linux, exec: [[ls]]}}\n",
			 "t.yml:3:35: error: an exec command must be a string, got a list");
	assert_one_error("name: x\ntopology:\n  nodes: {a: {kind: linux, env: [A]}}\n",
			 "t.yml:3:33: error: env must be a map, got a list");
	assert_one_error("name: x\ntopology:\n  nodes: {a: {kind: linux, env: {A: [1]}}}\n",
			 "env variable A must have a string value, got a list");
	assert_one_error("name: x\ntopology:\n  nodes: {a: 3}\n", "t.yml:3:14: error: node a must be a map, got a string");
	assert_one_error("name: x\ntopology:\n  nodes: {a: {kind: linux}}\n  links: {a: 1}\n",
			 "t.yml:4:10: error: links must be a list, got a map");
	assert_one_error("name: x\ntopology:\n  nodes: {a: {kind: linux}}\n  links: [[a]]\n",
			 "t.yml:4:11: error: a link must be a map with endpoints, got a list");
	assert_one_error("name: x\ntopology:\n  nodes: {a: {kind: linux}}\n  links: [{endpoints: a:b}]\n",
			 "endpoints must be a list of two endpoints, got a string");
	assert_one_error("name: x\ntopology:\n  nodes: {a: {kind: linux}, ? [k] : 1}\n",
			 "keys of nodes must be strings, got a list");
	assert_one_error("name: x\ntopology:\n  nodes: {a: {kind: linux, sysctls: {net.core.somaxconn: }}}\n",
			 "sysctl net.core.somaxconn must have a string value, got nothing");
}

static void test_err_unknown_keys(void **state)
{
	(void)state;
	assert_one_error("name: x\nversion: 2\ntopology:\n  nodes: {a: {kind: linux}}\n",
			 "t.yml:2:1: error: unknown key \"version\" in the top level");
	assert_one_error("name: x\ntopology:\n  nodez: {}\n  nodes: {a: {kind: linux}}\n",
			 "t.yml:3:3: error: unknown key \"nodez\" in topology");
	assert_one_error("name: x\ntopology:\n  nodes: {a: {kind: linux, imagee: x}}\n",
			 "t.yml:3:28: error: unknown key \"imagee\" in node a");
	assert_one_error("name: x\ntopology:\n  defaults: {foo: 1}\n  nodes: {a: {kind: linux}}\n",
			 "unknown key \"foo\" in defaults");
	assert_one_error("name: x\ntopology:\n  groups: {g: {foo: 1}}\n  nodes: {a: {kind: linux}}\n",
			 "unknown key \"foo\" in group g");
	assert_one_error("name: x\ntopology:\n  kinds: {linux: {foo: 1}}\n  nodes: {a: {kind: linux}}\n",
			 "unknown key \"foo\" in kind linux");
	assert_one_error("name: x\ntopology:\n  nodes: {a: {kind: linux}, b: {kind: linux}}\n"
			 "  links: [{endpoints: [a:e1, b:e1], bandwidth: 10}]\n",
			 "t.yml:4:37: error: unknown key \"bandwidth\" in the link at line 4");
	assert_one_error("name: x\ntopology:\n  nodes: {a: {kind: linux}, b: {kind: linux}}\n"
			 "  links: [{endpoints: [{node: a, interface: e1, vlan: 3}, b:e1]}]\n",
			 "unknown key \"vlan\" in an endpoint");
	assert_one_error("name: x\ntopology:\n  nodes: {a: {kind: linux, interfaces: {lo: {addr: 1}}}}\n",
			 "unknown key \"addr\" in interface lo of node a");
	assert_one_error("name: x\ntopology:\n  nodes: {a: {kind: linux, routes: [{dst: default, gw: 1.1.1.1}]}}\n",
			 "unknown key \"gw\" in a route of node a");
	/* node-only keys elsewhere */
	assert_one_error("name: x\ntopology:\n  defaults: {routes: []}\n  nodes: {a: {kind: linux}}\n",
			 "t.yml:3:14: error: key \"routes\" is not allowed in defaults (only on a node)");
	assert_one_error("name: x\ntopology:\n  kinds: {linux: {kind: router}}\n  nodes: {a: {kind: linux}}\n",
			 "key \"kind\" is not allowed in kind linux");
	assert_one_error("name: x\ntopology:\n  groups: {g: {group: h}}\n  nodes: {a: {kind: linux}}\n",
			 "key \"group\" is not allowed in group g");
}

static void test_err_missing(void **state)
{
	struct nslab_diags d = { 0 };

	(void)state;
	assert_one_error("topology:\n  nodes: {a: {kind: linux}}\n", "t.yml:1:1: error: missing name");
	assert_one_error("name: x\n", "t.yml:1:1: error: missing topology");
	assert_one_error("name: x\ntopology:\n  links: []\n", "t.yml:3:3: error: topology has no nodes");
	assert_one_error("name: x\ntopology:\n", "t.yml:2:10: error: topology has no nodes");
	assert_one_error("name: x\ntopology:\n  nodes: {}\n", "t.yml:3:10: error: nodes is empty");
	assert_one_error("name: x\ntopology:\n  nodes:\n", "nodes is empty");

	load_bad("prefix: p\n", &d);
	assert_int_equal(d.nerrors, 2);
	assert_diag(&d, "missing name");
	assert_diag(&d, "missing topology");
	assert_diag(&d, "warning: prefix is ignored");
	nslab_diags_free(&d);
}

static void test_err_nodes(void **state)
{
	(void)state;
	assert_one_error("name: x\n"
			 "topology:\n"
			 "  nodes:\n"
			 "    r1: {kind: linux}\n"
			 "    r2: {kind: linux}\n"
			 "    r1: {kind: router}\n",
			 "t.yml:6:5: error: duplicate node \"r1\" in nodes (first at line 4)");
	assert_one_error("name: x\ntopology:\n  nodes: {\"r 1\": {kind: linux}}\n",
			 "t.yml:3:11: error: invalid node name \"r 1\"");
	assert_one_error("name: x\ntopology:\n  nodes: {-r: {kind: linux}}\n", "invalid node name \"-r\"");
	assert_one_error("name: x\ntopology:\n  nodes: {aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa: {kind: linux}}\n",
			 "invalid node name");
	assert_one_error("name: \"my lab\"\ntopology:\n  nodes: {a: {kind: linux}}\n",
			 "t.yml:1:7: error: invalid lab name \"my lab\"");
	assert_one_error("name: x\ntopology:\n  nodes:\n    a: {}\n",
			 "t.yml:4:5: error: node a has no kind");
	assert_one_error("name: x\ntopology:\n  nodes:\n    a:\n",
			 "t.yml:4:5: error: node a has no kind");
	/* one error per kind nslab cannot run, naming it as a vendor image */
	assert_one_error("name: x\ntopology:\n  nodes: {a: {kind: ceos}}\n",
			 "t.yml:3:21: error: kind \"ceos\" (node a) is a vendor image (Arista cEOS) that nslab cannot run");
	assert_one_error("name: x\ntopology:\n  nodes: {a: {kind: linx}}\n",
			 "t.yml:3:21: error: kind \"linx\" (node a) is not supported by nslab (supported: linux, router, bridge");
	assert_one_error("name: x\ntopology:\n  defaults: {kind: host}\n  nodes: {a: , b: }\n",
			 "t.yml:3:20: error: kind \"host\" (node a and 1 other node) is a vendor image");
	assert_one_error("name: x\ntopology:\n  nodes: {a-very-long-bridge: {kind: bridge}}\n",
			 "t.yml:3:11: error: bridge node name \"a-very-long-bridge\": the bridge device's name is 18 bytes");
	assert_one_error("name: x\ntopology:\n  nodes: {a: {kind: linux, env: {A: 1, A: 2}}}\n",
			 "duplicate env variable \"A\" in env (first at line 3)");
}

static void test_err_endpoints(void **state)
{
	static const char head[] = "name: x\n"
				   "topology:\n"
				   "  nodes:\n"
				   "    r1: {kind: linux}\n"
				   "    r2: {kind: linux}\n"
				   "    r3: {kind: ceos}\n"
				   "  links:\n";
	char buf[1024];
	struct nslab_diags d = { 0 };

	(void)state;
#define LINK(l) (snprintf(buf, sizeof(buf), "%s%s", head, l), buf)
	load_bad(LINK("    - endpoints: [\"r1eth1\", \"r2:eth1\"]\n"), &d);
	assert_diag(&d, "t.yml:8:19: error: malformed endpoint \"r1eth1\": expected node:interface");
	assert_diag(&d, "t.yml:6:16: error: kind \"ceos\"");
	assert_int_equal(d.nerrors, 2);
	nslab_diags_free(&d);

	load_bad(LINK("    - endpoints: [\"r1:eth1\", \"r9:eth1\"]\n"), &d);
	assert_diag(&d, "t.yml:8:30: error: unknown node \"r9\" in link endpoint r9:eth1");
	assert_int_equal(d.nerrors, 2);
	nslab_diags_free(&d);

	load_bad(LINK("    - endpoints: [r1:eth1, r3:eth1]\n"), &d);
	assert_diag(&d, "t.yml:6:16: error: kind \"ceos\" (node r3) is a vendor image");
	assert_int_equal(d.nerrors, 1); /* not one more per endpoint */
	nslab_diags_free(&d);

	load_bad(LINK("    - endpoints: [r1:eth1, r2:eth1]\n    - endpoints: [r2:eth2, r1:eth1]\n"), &d);
	assert_diag(&d, "t.yml:9:28: error: interface r1:eth1 is already used by the link at line 8");
	assert_int_equal(d.nerrors, 2);
	nslab_diags_free(&d);

	load_bad(LINK("    - endpoints: [r1:eth1, r1:eth2]\n"), &d);
	assert_diag(&d, "t.yml:8:7: error: link connects node r1 to itself (eth1 and eth2)");
	assert_int_equal(d.nerrors, 2);
	nslab_diags_free(&d);

	load_bad(LINK("    - endpoints: [r1:interface-too-long, r2:eth1]\n"), &d);
	assert_diag(&d, "t.yml:8:19: error: invalid interface name \"interface-too-long\"");
	nslab_diags_free(&d);

	load_bad(LINK("    - endpoints: [{node: r1, interface: \"e 1\"}, r2:eth1]\n"), &d);
	assert_diag(&d, "t.yml:8:41: error: invalid interface name \"e 1\"");
	nslab_diags_free(&d);

	load_bad(LINK("    - endpoints: [r1:lo, r2:eth1]\n"), &d);
	assert_diag(&d, "error: endpoint r1:lo: lo cannot be used in a link");
	nslab_diags_free(&d);

	load_bad(LINK("    - endpoints: [r1:eth1]\n"), &d);
	assert_diag(&d, "t.yml:8:18: error: a link needs exactly 2 endpoints, got 1");
	nslab_diags_free(&d);

	load_bad(LINK("    - endpoints: [r1:e1, r2:e1, r2:e2]\n"), &d);
	assert_diag(&d, "a link needs exactly 2 endpoints, got 3");
	nslab_diags_free(&d);

	load_bad(LINK("    - {type: vxlan, endpoints: [r1:e1, r2:e1]}\n"), &d);
	assert_diag(&d, "t.yml:8:14: error: link type \"vxlan\" is not supported by nslab");
	nslab_diags_free(&d);

	load_bad(LINK("    - endpoints: [r1:e1, \"macvlan:enp3s0\"]\n"), &d);
	assert_diag(&d, "a macvlan on a host NIC is not supported by nslab");
	nslab_diags_free(&d);

	load_bad(LINK("    - endpoints: [{node: r1}, r2:e1]\n"), &d);
	assert_diag(&d, "t.yml:8:19: error: endpoint has no interface");
	nslab_diags_free(&d);

	load_bad(LINK("    - mtu: 1500\n"), &d);
	assert_diag(&d, "t.yml:8:7: error: link has no endpoints");
	nslab_diags_free(&d);
#undef LINK
}

static void test_err_values(void **state)
{
	static const char head[] = "name: x\n"
				   "topology:\n"
				   "  nodes:\n"
				   "    r1: {kind: linux}\n"
				   "    r2: {kind: linux}\n"
				   "  links:\n";
	char buf[1024];

	(void)state;
#define LINK(l) (snprintf(buf, sizeof(buf), "%s%s", head, l), buf)
	assert_one_error(LINK("    - {endpoints: [r1:e1, r2:e1], mtu: 67}\n"),
			 "t.yml:7:40: error: mtu must be an integer from 68 to 65535, got \"67\"");
	assert_one_error(LINK("    - {endpoints: [r1:e1, r2:e1], mtu: 65536}\n"), "got \"65536\"");
	assert_one_error(LINK("    - {endpoints: [r1:e1, r2:e1], mtu: -1}\n"), "got \"-1\"");
	assert_one_error(LINK("    - {endpoints: [r1:e1, r2:e1], mtu: 1500.5}\n"), "got \"1500.5\"");
	assert_one_error(LINK("    - endpoints: [{node: r1, interface: e1, ipv4: 10.0.0.1/33}, r2:e1]\n"),
			 "t.yml:7:51: error: bad ipv4 address \"10.0.0.1/33\"");
	assert_one_error(LINK("    - endpoints: [{node: r1, interface: e1, ipv4: 10.0.0/24}, r2:e1]\n"),
			 "bad ipv4 address \"10.0.0/24\"");
	assert_one_error(LINK("    - endpoints: [{node: r1, interface: e1, ipv4: \"2001:db8::1/64\"}, r2:e1]\n"),
			 "ipv4 expects an IPv4 address, got \"2001:db8::1/64\"");
	assert_one_error(LINK("    - endpoints: [{node: r1, interface: e1, ipv6: \"2001:db8::1/129\"}, r2:e1]\n"),
			 "bad ipv6 address \"2001:db8::1/129\"");
	assert_one_error(LINK("    - endpoints: [{node: r1, interface: e1, mac: \"01:00:5e:00:00:01\"}, r2:e1]\n"),
			 "t.yml:7:50: error: bad MAC address \"01:00:5e:00:00:01\"");
	assert_one_error(LINK("    - endpoints: [{node: r1, interface: e1, mac: \"02:00:00:00:00\"}, r2:e1]\n"),
			 "bad MAC address \"02:00:00:00:00\"");
	/* the same address twice on a node, even on two interfaces and with another length */
	assert_one_error(LINK("    - endpoints: [{node: r1, interface: e1, ipv4: 10.0.0.1/24}, r2:e1]\n"
			      "    - endpoints: [{node: r1, interface: e2, ipv4: 10.0.0.1/30}, r2:e2]\n"),
			 "t.yml:8:51: error: address 10.0.0.1 is assigned twice on node r1 (also on e1 at line 7)");
	/* but not on two nodes */
	{
		struct nslab_diags d = { 0 };
		struct nslab_topo *t = load_ok(LINK("    - endpoints: [{node: r1, interface: e1, ipv4: 10.0.0.1/24},"
						    " {node: r2, interface: e1, ipv4: 10.0.0.1/24}]\n"),
					       &d);
		nslab_topo_free(t);
		nslab_diags_free(&d);
	}
#undef LINK
}

static void test_err_settings(void **state)
{
	(void)state;
	assert_one_error("name: x\ntopology:\n  nodes: {a: {kind: linux, sysctls: {kernel.pid_max: 100}}}\n",
			 "t.yml:3:38: error: sysctl kernel.pid_max cannot be set per node");
	assert_one_error("name: x\ntopology:\n  nodes: {a: {kind: linux, binds: [\"/data:data\"]}}\n",
			 "t.yml:3:36: error: bad bind \"/data:data\": the node path must be absolute");
	assert_one_error("name: x\ntopology:\n  nodes: {a: {kind: linux, binds: [\"${D:/x\"]}}\n",
			 "t.yml:3:36: error: bad bind \"${D:/x\": a ${ without its }");
	assert_one_error("name: x\ntopology:\n  nodes: {a: {kind: linux, binds: [\"/data\"]}}\n",
			 "bad bind \"/data\": expected host-path:node-path[:ro|:rw]");
	assert_one_error("name: x\ntopology:\n  nodes: {a: {kind: linux, binds: [\"/a:/b:z\"]}}\n",
			 "the mode after the second ':' must be ro or rw");
	assert_one_error("name: x\ntopology:\n  nodes: {a: {kind: linux, binds: [\"/a:b\"]}}\n",
			 "the node path must be absolute");
	assert_one_error("name: x\ntopology:\n  nodes: {a: {kind: linux, binds: [\"/a:/b\", \"/c:/b\"]}}\n",
			 "bind destination /b is already bound in node a");
	assert_one_error("name: x\ntopology:\n  nodes: {a: {kind: linux, interfaces: {eth1: {ipv4: 10.0.0.1/24}}}}\n",
			 "t.yml:3:41: error: interface eth1 of node a is not created by any link");
	assert_one_error("name: x\ntopology:\n  nodes: {a: {kind: linux, interfaces: {lo: {mtu: 1500}}}}\n",
			 "t.yml:3:46: error: interface lo may only get addresses (ipv4, ipv6), not mtu");
	assert_one_error("name: x\ntopology:\n  nodes: {a: {kind: linux, interfaces: {\"a/b\": {}}}}\n",
			 "invalid interface name \"a/b\"");
	assert_one_error("name: x\ntopology:\n  nodes: {a: {kind: linux, interfaces: {lo: {state: sideways}}}}\n",
			 "interface lo may only get addresses");
}

static void test_err_routes(void **state)
{
	static const char head[] = "name: x\n"
				   "topology:\n"
				   "  nodes:\n"
				   "    r1:\n"
				   "      kind: linux\n"
				   "      routes:\n";
	static const char tail[] = "    r2: {kind: linux}\n"
				   "  links:\n"
				   "    - endpoints: [r1:eth1, r2:eth1]\n";
	char buf[1024];

	(void)state;
#define ROUTE(r) (snprintf(buf, sizeof(buf), "%s%s%s", head, r, tail), buf)
	assert_one_error(ROUTE("        - {dst: 10.0.0.0/8, dev: eth9}\n"),
			 "t.yml:7:34: error: route dev eth9 is not an interface of node r1");
	assert_one_error(ROUTE("        - {dst: 10.0.0.0/8}\n"), "t.yml:7:11: error: route needs via or dev");
	assert_one_error(ROUTE("        - {via: 10.0.0.1}\n"), "t.yml:7:11: error: route has no dst");
	assert_one_error(ROUTE("        - {dst: 10.0.0.0/8, via: \"fe80::1\"}\n"),
			 "t.yml:7:34: error: route via is IPv6 but dst is IPv4");
	assert_one_error(ROUTE("        - {dst: 10.0.0.1/8, via: 10.0.0.2}\n"),
			 "t.yml:7:17: error: route dst 10.0.0.1/8 has host bits set beyond /8");
	assert_one_error(ROUTE("        - {dst: nowhere, via: 10.0.0.2}\n"), "bad route dst \"nowhere\"");
	assert_one_error(ROUTE("        - {dst: default, via: 10.0.0.2/24}\n"),
			 "bad route via \"10.0.0.2/24\": expected an address without /len");
	assert_one_error(ROUTE("        - {dst: default, via: 10.0.0.2, metric: x}\n"),
			 "metric must be an integer from 0 to 4294967295");
	assert_one_error(ROUTE("        - default\n"), "t.yml:7:11: error: a route must be a map");
#undef ROUTE
}

/* Every error in one pass, each at its place, in file order. */
static void test_multi_error_single_pass(void **state)
{
	struct nslab_diags d = { 0 };
	static const char *const want[] = {
		"t.yml:1:7: error: invalid lab name",
		"t.yml:4:9: error: unknown key \"imag\" in node a",
		"t.yml:5:15: error: kind \"vr-sros\" (node b) is a vendor image",
		"t.yml:6:5: error: duplicate node \"a\"",
		"t.yml:7:32: error: sysctl vm.swappiness cannot be set per node",
		"t.yml:9:25: error: unknown node \"zz\"",
		"t.yml:10:7: error: link connects node a to itself",
		"t.yml:11:38: error: mtu must be an integer",
	};

	(void)state;
	load_bad("name: \"bad name\"\n"
		 "topology:\n"
		 "  nodes:\n"
		 "    a: {imag: x, kind: linux}\n"
		 "    b: {kind: vr-sros}\n"
		 "    a: {kind: linux}\n"
		 "    c: {kind: linux, sysctls: {vm.swappiness: 1}}\n"
		 "  links:\n"
		 "    - endpoints: [a:e1, zz:e1]\n"
		 "    - endpoints: [a:e2, a:e3]\n"
		 "    - {endpoints: [a:e4, c:e4], mtu: 9}\n",
		 &d);
	for (size_t i = 0; i < ARRAY_SIZE(want); i++) {
		char *s;

		if (i >= d.n) {
			dump_diags(&d);
			fail();
		}
		s = nslab_diag_format(&d.v[i]);
		if (strncmp(s, want[i], strlen(want[i]))) {
			dump_diags(&d);
			fail_msg("diag %zu: want prefix \"%s\"", i, want[i]);
		}
		free(s);
	}
	assert_int_equal(d.nerrors, ARRAY_SIZE(want));
	assert_int_equal(d.n, ARRAY_SIZE(want));
	nslab_diags_free(&d);
}

static void test_diags_accumulate(void **state)
{
	struct nslab_diags d = { 0 };
	struct nslab_topo *t = NULL;

	(void)state;
	nslab_diag_add(&d, NSLAB_DIAG_WARNING, NULL, "earlier %d", 1);
	load_bad("name: x\n", &d);
	assert_int_equal(d.n, 2);
	assert_int_equal(d.nerrors, 1);
	assert_string_equal(d.v[0].msg, "earlier 1"); /* not re-sorted */
	/* NULL out and NULL diags: validation only */
	assert_int_equal(nslab_topo_load_buf("t.yml", "name: x\n", 8, NULL, NULL), -EINVAL);
	{
		static const char ok[] = "name: x\ntopology: {nodes: {a: {kind: linux}}}\n";

		assert_int_equal(nslab_topo_load_buf(NULL, ok, strlen(ok), &t, NULL), 0);
	}
	assert_non_null(t);
	assert_string_equal(t->file, "<input>");
	nslab_topo_free(t);
	nslab_diags_free(&d);
}

/* A file built to expand through aliases, or to pile up errors, stops early with a clear error. */

/* issue 14: the schema as containerlab reads it */
static void test_clab_groups_kinds(void **state)
{
	struct nslab_diags d = { 0 };
	struct nslab_topo *t;

	(void)state;
	t = load_ok("name: g\n"
		    "topology:\n"
		    "  defaults: {group: g3, env: {D: d}, binds: [\"/tmp:/mnt\"], exec: [\"true\"]}\n"
		    "  kinds:\n"
		    "    ceos: {image: ceos:4}\n"
		    "    ovs-bridge: {}\n"
		    "  groups:\n"
		    "    g3: {kind: linux, env: {G: three}}\n"
		    "  nodes:\n"
		    "    a: {group: spine}\n"  /* no groups: entry: a label; kind from defaults' group */
		    "    b: {kind: linux, group: }\n" /* empty: no group */
		    "    c: {}\n"
		    "    sw: {kind: ovs-bridge}\n",
		    &d);
	assert_string_equal(t->nodes[0].group, "spine");
	assert_int_equal(t->nodes[0].kind, NSLAB_KIND_LINUX);
	assert_null(kv_get(t->nodes[0].env, t->nodes[0].nenv, "G"));
	assert_null(t->nodes[1].group);
	assert_string_equal(t->nodes[2].group, "g3");
	assert_string_equal(kv_get(t->nodes[2].env, t->nodes[2].nenv, "G"), "three");
	assert_string_equal(kv_get(t->nodes[2].env, t->nodes[2].nenv, "D"), "d");
	assert_int_equal(t->nodes[2].nexec, 1);
	assert_int_equal(t->nodes[2].nbinds, 1);
	/* ovs-bridge is a bridge; defaults' exec, binds, env do not reach a bridge */
	assert_int_equal(t->nodes[3].kind, NSLAB_KIND_BRIDGE);
	assert_int_equal(t->nodes[3].nexec, 0);
	assert_int_equal(t->nodes[3].nbinds, 0);
	assert_int_equal(t->nodes[3].nenv, 0);
	assert_diag(&d, "t.yml:5:5: warning: kinds: ceos is ignored: no node uses it");
	assert_diag(&d, "warning: kind ovs-bridge becomes a Linux bridge");
	assert_int_equal(d.nerrors, 0);
	nslab_topo_free(t);
	nslab_diags_free(&d);
}

static void test_clab_env_vars(void **state)
{
	struct nslab_diags d = { 0 };
	struct nslab_topo *t;

	(void)state;
	setenv("NSLAB_T_SET", "fromenv", 1);
	unsetenv("NSLAB_T_UNSET");
	t = load_ok("name: ${NSLAB_T_LAB:=envlab}\n"
		    "topology:\n"
		    "  nodes:\n"
		    "    a:\n"
		    "      kind: linux\n"
		    "      env: {A: \"${NSLAB_T_SET}\", B: \"${NSLAB_T_UNSET:-dflt}\", C: \"$NSLAB_T_UNSET\", D: \"x${NSLAB_T_UNSET:=y}z\"}\n"
		    "      exec: [\"echo ${HOSTNAME%%.*} $$ $NSLAB_T_SET\"]\n",
		    &d);
	assert_string_equal(t->name, "envlab");
	assert_string_equal(kv_get(t->nodes[0].env, t->nodes[0].nenv, "A"), "fromenv");
	assert_string_equal(kv_get(t->nodes[0].env, t->nodes[0].nenv, "B"), "dflt");
	/* unset without a default: as written (a shell in the node may expand it) */
	assert_string_equal(kv_get(t->nodes[0].env, t->nodes[0].nenv, "C"), "$NSLAB_T_UNSET");
	assert_string_equal(kv_get(t->nodes[0].env, t->nodes[0].nenv, "D"), "xyz");
	assert_string_equal(t->nodes[0].exec[0], "echo ${HOSTNAME%%.*} $$ fromenv");
	nslab_topo_free(t);
	nslab_diags_free(&d);
}

static void test_clab_templates(void **state)
{
	struct nslab_diags d = { 0 };

	(void)state;
	load_bad("name: x\ntopology:\n  nodes:\n{{ range .nodes }}    {{ .name }}: {kind: linux}\n{{ end }}\n", &d);
	assert_int_equal(d.nerrors, 1);
	assert_diag(&d, "t.yml:4:1: error: Go templates ({{ }}) are not supported by nslab");
	nslab_diags_free(&d);
}

static void test_clab_netmode_hostlinks(void **state)
{
	struct nslab_diags d = { 0 };
	struct nslab_topo *t;

	(void)state;
	t = load_ok("name: n\n"
		    "topology:\n"
		    "  nodes:\n"
		    "    a: {kind: linux}\n"
		    "    b: {kind: linux, network-mode: container:a}\n"
		    "    c: {kind: linux, network-mode: host}\n"
		    "  links:\n"
		    "    - endpoints: [a:eth1, host:nsth-a1]\n"
		    "    - endpoints: [\"mgmt-net:nstm-c1\", c:eth2]\n",
		    &d);
	assert_false(t->nodes[0].shares_netns);
	assert_true(t->nodes[1].shares_netns);
	assert_int_equal(t->nodes[1].netns_of, 0);
	assert_diag(&d, "warning: network-mode host is ignored on node c");
	assert_int_equal(t->nlinks, 0);
	assert_int_equal(t->nodes[0].nhostlinks, 1);
	assert_string_equal(t->nodes[0].hostlinks[0].host_ifname, "nsth-a1");
	assert_false(t->nodes[0].hostlinks[0].mgmt);
	assert_true(t->nodes[2].hostlinks[0].mgmt);
	assert_true(t->mgmt.on); /* a mgmt-net end needs the management network */
	nslab_topo_free(t);
	nslab_diags_free(&d);

	load_bad("name: n\ntopology:\n  nodes:\n    a: {kind: linux}\n    b: {kind: linux, network-mode: container:a}\n"
		 "  links:\n    - endpoints: [a:eth1, b:eth1]\n", &d);
	assert_diag(&d, "node b shares the network namespace of a (network-mode): it can have no links");
	nslab_diags_free(&d);
	load_bad("name: n\ntopology:\n  nodes:\n    a: {kind: linux, network-mode: container:zz}\n", &d);
	assert_diag(&d, "network-mode container:zz of node a: no such node in the lab");
	nslab_diags_free(&d);
}

/* containerlab's namespaced bridge BR|NODE: the bridge BR inside NODE, its ports NODE's interfaces. */
static void test_clab_nsbridge(void **state)
{
	struct nslab_diags d = { 0 };
	struct nslab_topo *t;
	const struct nslab_node *bp;

	(void)state;
	t = load_ok("name: n\n"
		    "topology:\n"
		    "  nodes:\n"
		    "    br01|bp1: {kind: bridge, network-mode: container:bp1}\n"
		    "    bp1: {kind: linux}\n"
		    "    c1: {kind: linux}\n"
		    "    c2: {kind: linux}\n"
		    "  links:\n"
		    "    - endpoints: [c1:eth1, \"br01|bp1:c1eth1\"]\n"
		    "    - endpoints: [bp1:eth1, c2:eth1]\n"
		    "    - endpoints: [\"br01|bp1:c2eth2\", c2:eth2]\n",
		    &d);
	assert_int_equal(t->nnodes, 3); /* the bridge is no node */
	bp = &t->nodes[0];
	assert_string_equal(bp->name, "bp1");
	assert_string_equal(t->nodes[1].name, "c1");
	assert_int_equal(bp->nbridges, 1);
	assert_string_equal(bp->bridges[0].name, "br01");
	assert_string_equal(bp->bridges[0].from, "br01|bp1");
	assert_int_equal(bp->nifaces, 3);
	assert_string_equal(bp->ifaces[0].name, "eth1");
	assert_int_equal(bp->ifaces[0].master, 0);
	for (size_t i = 1; i < 3; i++) {
		assert_int_equal(bp->ifaces[i].master, bp->bridges[0].ifindex);
		assert_int_not_equal(bp->ifaces[i].ifindex, bp->bridges[0].ifindex);
		assert_int_not_equal(bp->ifaces[i].ifindex, bp->ifaces[0].ifindex);
	}
	assert_int_not_equal(bp->ifaces[1].ifindex, bp->ifaces[2].ifindex);
	assert_string_equal(bp->ifaces[1].name, "c1eth1");
	/* the links' ends moved with the ports, node indexes with the nodes */
	assert_int_equal(t->links[0].ep[0].node, 1);
	assert_int_equal(t->links[0].ep[1].node, 0);
	assert_int_equal(t->links[0].ep[1].iface, 1);
	assert_int_equal(t->links[1].ep[1].node, 2);
	assert_int_equal(t->links[2].ep[0].node, 0);
	assert_string_equal(bp->ifaces[t->links[2].ep[0].iface].name, "c2eth2");
	assert_int_equal(t->nodes[2].ifaces[t->links[2].ep[1].iface].master, 0);
	nslab_topo_free(t);
	nslab_diags_free(&d);

	/* a bridge node's own device is in its bridges too, its ports enslaved to it */
	t = load_ok("name: n\ntopology:\n  nodes:\n    s: {kind: bridge}\n    a: {kind: linux}\n"
		    "  links:\n    - endpoints: [a:eth1, s:p1]\n", &d);
	assert_int_equal(t->nodes[0].nbridges, 1);
	assert_string_equal(t->nodes[0].bridges[0].name, "s");
	assert_null(t->nodes[0].bridges[0].from);
	assert_int_equal(t->nodes[0].ifaces[0].master, t->nodes[0].br_ifindex);
	nslab_topo_free(t);
	nslab_diags_free(&d);

	static const struct {
		const char *nodes, *links, *diag;
	} bad[] = {
		{ "    br|a: {kind: bridge}\n    a: {kind: linux}\n", "",
		  "t.yml:4:5: error: node br|a: a name BRIDGE|NODE is containerlab's bridge inside NODE: it needs kind: "
		  "bridge and network-mode: container:a" },
		{ "    br|a: {kind: linux, network-mode: container:a}\n    a: {kind: linux}\n", "",
		  "node br|a: a name BRIDGE|NODE" },
		{ "    br|a: {kind: bridge, network-mode: container:b}\n    a: {kind: linux}\n    b: {kind: linux}\n", "",
		  "node br|a: a name BRIDGE|NODE is containerlab's bridge inside NODE" },
		{ "    br: {kind: bridge, network-mode: container:a}\n    a: {kind: linux}\n", "",
		  "bridge node br shares the network namespace of a: name it br|a" },
		{ "    br|s: {kind: bridge, network-mode: container:s}\n    s: {kind: bridge}\n", "",
		  "bridge br|s: s is a bridge node, not a container to hold it" },
		{ "    eth1|a: {kind: bridge, network-mode: container:a}\n    a: {kind: linux}\n    c: {kind: linux}\n",
		  "    - endpoints: [a:eth1, c:eth1]\n",
		  "bridge eth1|a: node a already has an interface or bridge named eth1" },
		{ "    br|a: {kind: bridge, network-mode: container:a}\n    a: {kind: linux}\n    c: {kind: linux}\n",
		  "    - endpoints: [a:p1, c:eth1]\n    - endpoints: [\"br|a:p1\", c:eth2]\n",
		  "endpoint br|a:p1: the port is made inside node a, which already has an interface or bridge named p1" },
		{ "    br|a: {kind: bridge, network-mode: container:a}\n    a: {kind: linux}\n    c: {kind: linux}\n",
		  "    - endpoints: [{node: \"br|a\", interface: p1, ipv4: 10.0.0.1/24}, c:eth1]\n",
		  "bridge br|a is a device inside node a: its interface p1 can have no addresses" },
		{ "    abcdefghijklmnop|a: {kind: bridge, network-mode: container:a}\n    a: {kind: linux}\n", "",
		  "bridge node name \"abcdefghijklmnop|a\": the bridge device's name is 16 bytes, at most 15" },
		{ "    br|: {kind: bridge}\n", "", "invalid node name \"br|\"" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char *yml = xasprintf("name: n\ntopology:\n  nodes:\n%s%s%s", bad[i].nodes, bad[i].links[0] ? "  links:\n" : "",
				      bad[i].links);
		load_bad(yml, &d);
		assert_diag(&d, bad[i].diag);
		nslab_diags_free(&d);
		free(yml);
	}
	load_bad("name: n\naddressing: {}\ntopology:\n  nodes:\n    br|a: {kind: bridge, network-mode: container:a}\n"
		 "    a: {kind: linux}\n    c: {kind: linux}\n  links:\n    - endpoints: [\"br|a:p1\", c:eth1]\n",
		 &d);
	assert_diag(&d, "addressing: cannot number the LAN of bridge br|a inside node a");
	nslab_diags_free(&d);
	load_bad("name: n\nmgmt: {}\ntopology:\n  nodes:\n    eth0|a: {kind: bridge, network-mode: container:a}\n"
		 "    a: {kind: linux}\n", &d);
	assert_diag(&d, "node a uses eth0 in a link or for a bridge, but with a management network eth0 is the node's management");
	nslab_diags_free(&d);
}

static void test_clab_link_types(void **state)
{
	struct nslab_diags d = { 0 };
	struct nslab_topo *t;

	(void)state;
	t = load_ok("name: lt\n"
		    "topology:\n"
		    "  nodes: {a: {kind: linux}}\n"
		    "  links:\n"
		    "    - {type: host, host-interface: ah4, endpoint: {node: a, interface: eth4}}\n"
		    "    - {type: mgmt-net, host-interface: am5, endpoint: {node: a, interface: eth5}}\n"
		    "    - {type: dummy, endpoint: {node: a, interface: dum0, ipv4: 10.7.0.1/24}}\n",
		    &d);
	assert_int_equal(t->nodes[0].nhostlinks, 3);
	assert_string_equal(t->nodes[0].hostlinks[0].host_ifname, "ah4");
	assert_false(t->nodes[0].hostlinks[0].mgmt);
	assert_true(t->nodes[0].hostlinks[1].mgmt);
	assert_null(t->nodes[0].hostlinks[2].host_ifname);
	assert_int_equal(t->nodes[0].hostlinks[2].naddrs, 1);
	nslab_topo_free(t);
	nslab_diags_free(&d);
	load_bad("name: lt\ntopology:\n  nodes: {a: {kind: linux}}\n  links:\n    - {type: host, endpoint: a:eth1}\n", &d);
	assert_diag(&d, "a host link needs host-interface:");
	nslab_diags_free(&d);
	load_bad("name: lt\ntopology:\n  nodes: {a: {kind: linux}}\n  links:\n    - {type: vxlan-stitch, endpoint: a:eth1}\n", &d);
	assert_diag(&d, "link type \"vxlan-stitch\" is not supported by nslab: a VXLAN tunnel to a remote host");
	assert_int_equal(d.nerrors, 1);
	nslab_diags_free(&d);
	load_bad("name: lt\ntopology:\n  nodes: {a: {kind: linux}}\n  links:\n    - {type: dummy, endpoint: a:eth1}\n"
		 "    - endpoints: [a:eth1, \"host:x1\"]\n", &d);
	assert_diag(&d, "interface a:eth1 is already used by the link at line 5");
	nslab_diags_free(&d);
}

static void test_clab_mgmt(void **state)
{
	struct nslab_diags d = { 0 };
	struct nslab_topo *t;
	char buf[64];

	(void)state;
	t = load_ok("name: m\n"
		    "mgmt: {network: lab, ipv4-subnet: 10.99.7.0/29, ipv6-subnet: \"fd00:99:7::/64\"}\n"
		    "topology:\n"
		    "  nodes:\n"
		    "    a: {kind: linux, mgmt-ipv4: 10.99.7.2}\n"
		    "    b: {kind: linux}\n"
		    "    sw: {kind: bridge}\n"
		    "    c: {kind: router, mgmt-ipv6: \"fd00:99:7::99\"}\n",
		    &d);
	assert_true(t->mgmt.on);
	assert_string_equal(nslab_prefix_fmt(&t->mgmt.gw4, true, buf, sizeof(buf)), "10.99.7.1/29");
	assert_string_equal(nslab_prefix_fmt(&t->mgmt.gw6, true, buf, sizeof(buf)), "fd00:99:7::1/64");
	assert_string_equal(nslab_prefix_fmt(&t->nodes[0].mgmt4, true, buf, sizeof(buf)), "10.99.7.2/29");
	assert_string_equal(nslab_prefix_fmt(&t->nodes[1].mgmt4, true, buf, sizeof(buf)), "10.99.7.3/29");
	assert_int_equal(t->nodes[2].mgmt4.family, 0); /* a bridge has no eth0 */
	assert_string_equal(nslab_prefix_fmt(&t->nodes[3].mgmt4, true, buf, sizeof(buf)), "10.99.7.4/29");
	assert_string_equal(nslab_prefix_fmt(&t->nodes[0].mgmt6, true, buf, sizeof(buf)), "fd00:99:7::2/64");
	assert_string_equal(nslab_prefix_fmt(&t->nodes[3].mgmt6, true, buf, sizeof(buf)), "fd00:99:7::99/64");
	nslab_topo_free(t);
	nslab_diags_free(&d);

	/* defaults when the file says only mgmt: */
	t = load_ok("name: m\nmgmt:\ntopology:\n  nodes:\n    a: {kind: linux}\n", &d);
	assert_string_equal(nslab_prefix_fmt(&t->nodes[0].mgmt4, true, buf, sizeof(buf)), "172.20.20.2/24");
	assert_string_equal(nslab_prefix_fmt(&t->nodes[0].mgmt6, true, buf, sizeof(buf)), "3fff:172:20:20::2/64");
	nslab_topo_free(t);
	nslab_diags_free(&d);

	/* a /29 has 5 addresses for nodes after the gateway */
	load_bad("name: m\nmgmt: {ipv4-subnet: 10.99.7.0/29}\ntopology:\n  defaults: {kind: linux}\n"
		 "  nodes: {a: , b: , c: , d: , e: , f: }\n", &d);
	assert_diag(&d, "the mgmt subnet 10.99.7.0/29 has no address left for node f");
	nslab_diags_free(&d);
	load_bad("name: m\nmgmt: {ipv4-subnet: 10.99.7.0/29}\ntopology:\n  nodes:\n    a: {kind: linux, mgmt-ipv4: 10.1.1.1}\n", &d);
	assert_diag(&d, "t.yml:5:33: error: management address 10.1.1.1 of node a is outside the mgmt subnet");
	nslab_diags_free(&d);
	load_bad("name: m\nmgmt:\ntopology:\n  nodes:\n    a: {kind: linux}\n    b: {kind: linux}\n"
		 "  links:\n    - endpoints: [a:eth0, b:eth1]\n", &d);
	assert_diag(&d, "node a uses eth0 in a link or for a bridge, but with a management network eth0 is the node's management interface");
	nslab_diags_free(&d);
}

static void test_limits(void **state)
{
	struct nslab_diags d = { 0 };
	char *yml = NULL;
	size_t len = 0;
	FILE *f;

	(void)state;
	f = open_memstream(&yml, &len);
	assert_non_null(f);
	fprintf(f, "name: bomb\ntopology:\n  defaults: &s {kind: linux, exec: [");
	for (int i = 0; i < 1000; i++)
		fprintf(f, "%sx", i ? "," : "");
	fprintf(f, "]}\n  nodes:\n");
	for (int i = 0; i < 700; i++)
		fprintf(f, "    n%d: *s\n", i);
	fclose(f);
	assert_int_equal(nslab_topo_load_buf("t.yml", yml, len, NULL, &d), -EINVAL);
	assert_diag(&d, "t.yml:1:1: error: the file expands to too many YAML nodes");
	assert_int_equal(d.nerrors, 1);
	nslab_diags_free(&d);
	free(yml);

	yml = NULL;
	f = open_memstream(&yml, &len);
	assert_non_null(f);
	fprintf(f, "name: errs\ntopology:\n  nodes:\n");
	for (int i = 0; i < 300; i++)
		fprintf(f, "    n%d: {kind: linux, mtu: 1}\n", i);
	fclose(f);
	assert_int_equal(nslab_topo_load_buf("t.yml", yml, len, NULL, &d), -EINVAL);
	assert_int_equal(d.nerrors, 201);
	/* said last, after the errors it stands for */
	assert_string_equal(d.v[d.n - 1].msg, "too many errors: only the first 200 are shown");
	nslab_diags_free(&d);
	free(yml);

	/* 300 nodes of one vendor kind: one error */
	yml = NULL;
	f = open_memstream(&yml, &len);
	assert_non_null(f);
	fprintf(f, "name: errs\ntopology:\n  nodes:\n");
	for (int i = 0; i < 300; i++)
		fprintf(f, "    n%d: {kind: ceos}\n", i);
	fprintf(f, "  links:\n");
	for (int i = 0; i < 299; i++)
		fprintf(f, "    - endpoints: [n%d:eth1, n%d:eth2]\n", i, i + 1);
	fclose(f);
	assert_int_equal(nslab_topo_load_buf("t.yml", yml, len, NULL, &d), -EINVAL);
	assert_int_equal(d.nerrors, 1);
	assert_diag(&d, "t.yml:4:16: error: kind \"ceos\" (node n0 and 299 other nodes) is a vendor image (Arista cEOS)");
	nslab_diags_free(&d);
	free(yml);
}

/* ---- files ---- */

static void test_load_file(void **state)
{
	struct nslab_diags d = { 0 };
	struct nslab_topo *t = (struct nslab_topo *)0x1;
	char path[] = "/tmp/nslab-test-topo-XXXXXX";
	static const char yml[] = "name: f\ntopology:\n  nodes: {a: {kind: linux}}\n";
	char *s;
	int fd;

	(void)state;
	assert_int_equal(nslab_topo_load_file("/nonexistent/lab.clab.yml", &t, &d), -ENOENT);
	assert_null(t);
	assert_int_equal(d.nerrors, 1);
	s = nslab_diag_format(&d.v[0]);
	assert_string_equal(s, "/nonexistent/lab.clab.yml: error: cannot read topology file "
			       "/nonexistent/lab.clab.yml: No such file or directory");
	free(s);
	nslab_diags_free(&d);

	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, yml, sizeof(yml) - 1), (ssize_t)sizeof(yml) - 1);
	close(fd);
	assert_int_equal(nslab_topo_load_file(path, &t, &d), 0);
	assert_string_equal(t->file, path);
	assert_string_equal(t->nodes[0].pos.file, path);
	nslab_topo_free(t);
	unlink(path);
	nslab_diags_free(&d);
}

/* ---- names and values ---- */

static void test_diag_format(void **state)
{
	struct nslab_diags d = { 0 };
	struct nslab_pos p = { "f.yml", 3, 7 }, nolc = { "f.yml", 0, 0 };
	char *s;

	(void)state;
	nslab_diag_add(&d, NSLAB_DIAG_ERROR, &p, "bad %s", "thing");
	nslab_diag_add(&d, NSLAB_DIAG_WARNING, &nolc, "meh");
	nslab_diag_add(&d, NSLAB_DIAG_ERROR, NULL, "line\nbreak");
	assert_int_equal(d.n, 3);
	assert_int_equal(d.nerrors, 2);
	s = nslab_diag_format(&d.v[0]);
	assert_string_equal(s, "f.yml:3:7: error: bad thing");
	free(s);
	s = nslab_diag_format(&d.v[1]);
	assert_string_equal(s, "f.yml: warning: meh");
	free(s);
	s = nslab_diag_format(&d.v[2]);
	assert_string_equal(s, "<input>: error: line?break");
	free(s);
	nslab_diags_free(&d);
	assert_int_equal(d.n, 0);
	assert_null(d.v);
}

static void test_prefix_parse_fmt(void **state)
{
	static const struct {
		const char *in, *out;
		int family;
		unsigned plen;
	} good[] = {
		{ "10.0.0.1/24", "10.0.0.1/24", AF_INET, 24 },
		{ "10.0.0.1", "10.0.0.1/32", AF_INET, 32 },
		{ "0.0.0.0/0", "0.0.0.0/0", AF_INET, 0 },
		{ "255.255.255.255/32", "255.255.255.255/32", AF_INET, 32 },
		{ "2001:db8::1/64", "2001:db8::1/64", AF_INET6, 64 },
		{ "2001:DB8:0:0::1", "2001:db8::1/128", AF_INET6, 128 },
		{ "::/0", "::/0", AF_INET6, 0 },
		{ "::ffff:10.0.0.1/128", "::ffff:10.0.0.1/128", AF_INET6, 128 },
	};
	static const char *const bad[] = {
		"", "/24", "10.0.0.1/", "10.0.0.1/33", "10.0.0.1/-1", "10.0.0.1/+8", "10.0.0.1/ 8", " 10.0.0.1",
		"10.0.0/24", "10.0.0.256", "1.2.3.4.5", "2001:db8::1/129", "2001:db8:::1", "10.0.0.1/24/1",
		"10.0.0.1/0024", "abc", "fe80::1%eth0", "2001:db8::1/64 ",
	};
	struct nslab_prefix p;
	char buf[64];

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(good); i++) {
		assert_int_equal(nslab_prefix_parse(good[i].in, &p), 0);
		assert_int_equal(p.family, good[i].family);
		assert_int_equal(p.plen, good[i].plen);
		assert_string_equal(nslab_prefix_fmt(&p, true, buf, sizeof(buf)), good[i].out);
		/* round trip */
		struct nslab_prefix q;
		assert_int_equal(nslab_prefix_parse(buf, &q), 0);
		assert_memory_equal(&p, &q, sizeof(p));
	}
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		memset(&p, 0x5a, sizeof(p));
		if (nslab_prefix_parse(bad[i], &p) != -EINVAL)
			fail_msg("prefix \"%s\" accepted", bad[i]);
	}
	/* host bits are kept */
	assert_int_equal(nslab_prefix_parse("192.168.1.77/16", &p), 0);
	assert_int_equal(p.addr[3], 77);
	assert_string_equal(nslab_prefix_fmt(&p, false, buf, sizeof(buf)), "192.168.1.77");

	assert_int_equal(nslab_addr_parse("10.1.2.3", &p), 0);
	assert_int_equal(p.plen, 32);
	assert_int_equal(nslab_addr_parse("fe80::2", &p), 0);
	assert_int_equal(p.plen, 128);
	assert_int_equal(p.family, AF_INET6);
	assert_int_equal(nslab_addr_parse("10.1.2.3/24", &p), -EINVAL);
	assert_int_equal(nslab_addr_parse("", &p), -EINVAL);
	assert_int_equal(nslab_addr_parse("x", &p), -EINVAL);

	/* a short buffer truncates, never overflows */
	assert_int_equal(nslab_prefix_parse("10.0.0.1/24", &p), 0);
	assert_string_equal(nslab_prefix_fmt(&p, true, buf, 5), "10.0");
}

static void test_mac_parse(void **state)
{
	unsigned char mac[6], want[6] = { 0x02, 0xab, 0xcd, 0xef, 0x01, 0x23 };
	static const char *const bad[] = {
		"",
		"02:ab:cd:ef:01",
		"02:ab:cd:ef:01:23:45",
		"02-ab-cd-ef-01-23",
		"02:ab:cd:ef:01:2g",
		"2:ab:cd:ef:01:234",
		"01:00:5e:00:00:01", /* multicast */
		"ff:ff:ff:ff:ff:ff", /* broadcast */
		"00:00:00:00:00:00",
		"02:ab:cd:ef:01:23 ",
	};

	(void)state;
	assert_int_equal(nslab_mac_parse("02:AB:cd:EF:01:23", mac), 0);
	assert_memory_equal(mac, want, 6);
	assert_int_equal(nslab_mac_parse("aa:00:00:00:00:01", mac), 0); /* locally administered unicast */
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
		if (nslab_mac_parse(bad[i], mac) != -EINVAL)
			fail_msg("mac \"%s\" accepted", bad[i]);
}

static void test_name_validators(void **state)
{
	char name48[NSLAB_NAME_MAX + 2];

	(void)state;
	assert_true(nslab_name_valid("r1"));
	assert_true(nslab_name_valid("spine_01-a"));
	assert_true(nslab_name_valid("_x"));
	assert_false(nslab_name_valid(""));
	assert_false(nslab_name_valid(NULL));
	assert_false(nslab_name_valid("-r1"));
	assert_false(nslab_name_valid("r.1"));
	assert_false(nslab_name_valid("r 1"));
	assert_false(nslab_name_valid("r/1"));
	assert_false(nslab_name_valid("r\xc3\xa9"));
	memset(name48, 'a', NSLAB_NAME_MAX);
	name48[NSLAB_NAME_MAX] = '\0';
	assert_true(nslab_name_valid(name48));
	name48[NSLAB_NAME_MAX] = 'a';
	name48[NSLAB_NAME_MAX + 1] = '\0';
	assert_false(nslab_name_valid(name48));

	assert_true(nslab_ifname_valid("eth1"));
	assert_true(nslab_ifname_valid("e1-1.100"));
	assert_true(nslab_ifname_valid("123456789012345"));
	assert_false(nslab_ifname_valid("1234567890123456"));
	assert_false(nslab_ifname_valid(""));
	assert_false(nslab_ifname_valid(NULL));
	assert_false(nslab_ifname_valid("."));
	assert_false(nslab_ifname_valid(".."));
	assert_true(nslab_ifname_valid("..."));
	assert_false(nslab_ifname_valid("a/b"));
	assert_false(nslab_ifname_valid("a:b"));
	assert_false(nslab_ifname_valid("a b"));
	assert_false(nslab_ifname_valid("a\tb"));

	assert_string_equal(nslab_kind_name(NSLAB_KIND_LINUX), "linux");
	assert_string_equal(nslab_kind_name(NSLAB_KIND_BRIDGE), "bridge");
	assert_string_equal(nslab_kind_name(NSLAB_KIND__COUNT), "unknown");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_brief_link),
		cmocka_unit_test(test_extended_link),
		cmocka_unit_test(test_bridge_ifindex),
		cmocka_unit_test(test_interfaces_and_lo),
		cmocka_unit_test(test_endpoint_and_interface_addrs_both_added),
		cmocka_unit_test(test_inheritance),
		cmocka_unit_test(test_kind_block_applies_by_kind),
		cmocka_unit_test(test_yaml_aliases),
		cmocka_unit_test(test_routes),
		cmocka_unit_test(test_docker_keys_warn),
		cmocka_unit_test(test_image_cmd_inherit),
		cmocka_unit_test(test_impair_link_both_ends),
		cmocka_unit_test(test_impair_per_end),
		cmocka_unit_test(test_impair_interface_only),
		cmocka_unit_test(test_impair_aliases),
		cmocka_unit_test(test_err_impair_values),
		cmocka_unit_test(test_limit_file_size),
		cmocka_unit_test(test_limit_nesting),
		cmocka_unit_test(test_limit_many_nodes),
		cmocka_unit_test(test_limit_names_deploy_refuses),
		cmocka_unit_test(test_err_impair_ends),
		cmocka_unit_test(test_limits_inherit),
		cmocka_unit_test(test_err_limits),
		cmocka_unit_test(test_err_yaml_syntax),
		cmocka_unit_test(test_err_bridge_ports),
		cmocka_unit_test(test_err_types),
		cmocka_unit_test(test_err_unknown_keys),
		cmocka_unit_test(test_err_missing),
		cmocka_unit_test(test_err_nodes),
		cmocka_unit_test(test_err_endpoints),
		cmocka_unit_test(test_err_values),
		cmocka_unit_test(test_err_settings),
		cmocka_unit_test(test_err_routes),
		cmocka_unit_test(test_multi_error_single_pass),
		cmocka_unit_test(test_diags_accumulate),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_clab_groups_kinds),
		cmocka_unit_test(test_clab_env_vars),
		cmocka_unit_test(test_clab_templates),
		cmocka_unit_test(test_clab_netmode_hostlinks),
		cmocka_unit_test(test_clab_nsbridge),
		cmocka_unit_test(test_clab_mgmt),
		cmocka_unit_test(test_clab_link_types),
		cmocka_unit_test(test_load_file),
		cmocka_unit_test(test_diag_format),
		cmocka_unit_test(test_prefix_parse_fmt),
		cmocka_unit_test(test_mac_parse),
		cmocka_unit_test(test_name_validators),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
