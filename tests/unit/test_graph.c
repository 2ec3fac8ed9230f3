// SPDX-License-Identifier: GPL-2.0-or-later
/* tests/unit/test_graph.c: `nslab graph`'s description of a lab (from a file's model and from a
 * running lab's inspect JSON) and its rendering through Graphviz's libraries (DOT, SVG, PNG). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "tests/unit/topo_helpers.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/graph.h"
#include "topologies/model.h"
#include "util/util.h"

static const char *lab_yml =
	"name: pic\n"
	"topology:\n"
	"  nodes:\n"
	"    r1: {kind: router, interfaces: {lo: {ipv4: 10.255.0.1/32}}}\n"
	"    h1: {kind: linux}\n"
	"    sw: {kind: bridge}\n"
	"    h2: {kind: linux}\n"
	"  links:\n"
	"    - endpoints: [\"r1:eth1\", \"h1:eth1\"]\n"
	"      delay: 20ms\n"
	"      loss: 1%\n"
	"    - endpoints:\n"
	"        - {node: r1, interface: eth2, ipv4: 10.0.2.1/24}\n"
	"        - {node: sw, interface: p1}\n"
	"    - endpoints: [\"sw:p2\", \"h2:eth1\"]\n";

static const struct nslab_graph_edge *edge_of(const struct nslab_graph *g, const char *node, const char *iface)
{
	for (size_t i = 0; i < g->nedges; i++)
		for (int k = 0; k < 2; k++)
			if (strcmp(g->edges[i].end[k].node, node) == 0 && strcmp(g->edges[i].end[k].iface, iface) == 0)
				return &g->edges[i];
	fail_msg("no edge at %s:%s", node, iface);
	return NULL;
}

static void test_from_topo(void **state)
{
	(void)state;
	struct nslab_topo *t = topo_load_ok(lab_yml);
	struct nslab_graph g;

	nslab_graph_from_topo(&g, t);
	assert_string_equal(g.title, "pic");
	assert_false(g.live);
	assert_int_equal(g.nnodes, 4);
	assert_int_equal(g.nedges, 3);
	assert_string_equal(g.nodes[0].kind, "router");
	assert_string_equal(g.nodes[0].label, "10.255.0.1/32"); /* the loopback under the name */
	const struct nslab_graph_edge *e = edge_of(&g, "r1", "eth1");
	assert_non_null(e->impair);
	assert_non_null(strstr(e->impair, "delay 20ms"));
	assert_non_null(strstr(e->impair, "loss 1%"));
	e = edge_of(&g, "r1", "eth2");
	assert_null(e->impair);
	assert_string_equal(e->end[0].addrs, "10.0.2.1/24");
	assert_string_equal(e->end[1].node, "sw");
	assert_int_equal(e->state, NSLAB_GRAPH_LINK_UP);
	nslab_graph_free(&g);
	nslab_topo_free(t);
}

/* A bridge inside a node (BR|NODE): named in its node's box, its ports "IF (BR)"; a bridge node's
 * own ports keep their names. */
static void test_from_topo_nsbridge(void **state)
{
	(void)state;
	struct nslab_topo *t = topo_load_ok("name: nb\ntopology:\n  nodes:\n"
					    "    br1|a: {kind: bridge, network-mode: container:a}\n"
					    "    a: {kind: linux}\n    c: {kind: linux}\n    s: {kind: bridge}\n"
					    "  links:\n    - endpoints: [c:eth1, \"br1|a:p1\"]\n    - endpoints: [c:eth2, s:q1]\n");
	struct nslab_graph g;

	nslab_graph_from_topo(&g, t);
	assert_int_equal(g.nnodes, 3);
	assert_string_equal(g.nodes[0].name, "a");
	assert_string_equal(g.nodes[0].label, "bridge br1");
	assert_string_equal(g.edges[0].end[1].node, "a");
	assert_string_equal(g.edges[0].end[1].iface, "p1 (br1)");
	assert_string_equal(g.edges[1].end[1].iface, "q1");
	nslab_graph_free(&g);
	nslab_topo_free(t);

	/* live: the bridge device, as inspect --json has it (no peer, no configured_mtu), with its address */
	json_t *j = json_loads("{\"name\": \"nb\", \"nodes\": [{\"name\": \"a\", \"kind\": \"linux\", \"interfaces\": ["
			       " {\"name\": \"br1\", \"peer\": null, \"addresses\": [\"10.1.1.1/24\"]},"
			       " {\"name\": \"eth0\", \"peer\": null, \"configured_mtu\": 1500, \"addresses\": []}]}]}",
			       0, NULL);
	struct nslab_err err = { 0 };
	assert_non_null(j);
	assert_int_equal(nslab_graph_from_inspect(&g, j, &err), 0);
	assert_string_equal(g.nodes[0].label, "bridge br1 10.1.1.1/24");
	nslab_graph_free(&g);
	json_decref(j);
}

static void test_render_dot_and_svg(void **state)
{
	(void)state;
	struct nslab_topo *t = topo_load_ok(lab_yml);
	struct nslab_graph g;
	struct nslab_err err = { 0 };
	char *buf;
	size_t len;

	nslab_graph_from_topo(&g, t);
	assert_int_equal(nslab_graph_render(&g, "dot", &buf, &len, &err), 0);
	assert_int_equal(strlen(buf), len);
	assert_non_null(strstr(buf, "graph pic {"));
	assert_non_null(strstr(buf, "r1 -- h1"));
	assert_non_null(strstr(buf, "sw -- h2"));
	assert_non_null(strstr(buf, "shape=component")); /* the bridge drawn as a switch */
	assert_non_null(strstr(buf, "shape=box3d"));	  /* the router */
	assert_non_null(strstr(buf, "darkorange"));	  /* the impaired link */
	free(buf);
	assert_int_equal(nslab_graph_render(&g, "svg", &buf, &len, &err), 0);
	assert_non_null(strstr(buf, "<svg"));
	assert_non_null(strstr(buf, "10.0.2.1/24"));
	free(buf);
	assert_int_equal(nslab_graph_render(&g, "png", &buf, &len, &err), 0);
	assert_true(len > 8);
	assert_memory_equal(buf, "\x89PNG\r\n\x1a\n", 8);
	free(buf);
	assert_true(nslab_graph_render(&g, "gif", &buf, &len, &err) < 0);
	assert_non_null(strstr(err.msg, "unknown picture format 'gif'"));
	nslab_graph_free(&g);
	nslab_topo_free(t);
}

/* A running lab as inspect --json tells it: live addresses, a link down, a link impaired. */
static void test_from_inspect(void **state)
{
	(void)state;
	static const char *js =
		"{\"name\": \"run\", \"nodes\": ["
		" {\"name\": \"a\", \"kind\": \"router\", \"interfaces\": ["
		"   {\"name\": \"lo\", \"addresses\": [\"127.0.0.1/8\", \"::1/128\", \"10.9.9.9/32\"]},"
		"   {\"name\": \"eth1\", \"peer\": \"b:eth1\", \"state\": \"up\", \"admin_down\": false,"
		"    \"addresses\": [\"10.0.0.1/24\", \"fe80::1/64\"], \"impair\": {\"rate_bps\": 10000000}},"
		"   {\"name\": \"eth2\", \"peer\": \"c:eth1\", \"state\": \"no-carrier\", \"admin_down\": false,"
		"    \"addresses\": [], \"impair\": {}}]},"
		" {\"name\": \"b\", \"kind\": \"linux\", \"interfaces\": ["
		"   {\"name\": \"eth1\", \"peer\": \"a:eth1\", \"state\": \"up\", \"admin_down\": false,"
		"    \"addresses\": [\"10.0.0.2/24\"], \"impair\": {\"rate_bps\": 10000000}}]},"
		" {\"name\": \"c\", \"kind\": \"linux\", \"interfaces\": ["
		"   {\"name\": \"eth1\", \"peer\": \"a:eth2\", \"state\": \"up\", \"admin_down\": true,"
		"    \"addresses\": [], \"impair\": {}}]}]}";
	json_t *j = json_loads(js, 0, NULL);
	struct nslab_graph g;
	struct nslab_err err = { 0 };

	assert_non_null(j);
	assert_int_equal(nslab_graph_from_inspect(&g, j, &err), 0);
	assert_true(g.live);
	assert_int_equal(g.nnodes, 3);
	assert_int_equal(g.nedges, 2); /* each link once, though both ends list it */
	assert_string_equal(g.nodes[0].label, "10.9.9.9/32");
	const struct nslab_graph_edge *e = edge_of(&g, "a", "eth1");
	assert_string_equal(e->end[0].addrs, "10.0.0.1/24"); /* link-local left out */
	assert_string_equal(e->end[1].addrs, "10.0.0.2/24");
	assert_int_equal(e->state, NSLAB_GRAPH_LINK_UP);
	assert_non_null(e->impair);
	assert_non_null(strstr(e->impair, "rate 10mbit"));
	e = edge_of(&g, "c", "eth1");
	assert_int_equal(e->state, NSLAB_GRAPH_LINK_DOWN);
	assert_null(e->impair);
	nslab_graph_free(&g);
	json_decref(j);

	j = json_loads("{\"name\": \"x\"}", 0, NULL);
	assert_true(nslab_graph_from_inspect(&g, j, &err) < 0);
	json_decref(j);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_from_topo),
		cmocka_unit_test(test_from_topo_nsbridge),
		cmocka_unit_test(test_render_dot_and_svg),
		cmocka_unit_test(test_from_inspect),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
