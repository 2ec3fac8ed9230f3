// SPDX-License-Identifier: GPL-2.0-or-later
/* tests/unit/test_generate.c: `nslab generate`'s topologies load and validate through the project's own
 * loader, have the nodes and links of their shape, and route every node to every other (IPv4
 * forwarding simulated over the model: connected subnets, then the longest matching route); bad
 * arguments are refused with the argument named. Also core/pingall's and core/iperf's parsers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "core/iperf.h"
#include "core/pingall.h"
#include "topologies/generate.h"
#include "topologies/model.h"

static struct nslab_topo *gen_load(const char *shape, const char *a0, const char *a1, const char *a2)
{
	char *args[] = { (char *)a0, (char *)a1, (char *)a2 };
	size_t n = a2 ? 3 : a1 ? 2 : a0 ? 1 : 0;
	struct nslab_diags d = { 0 };
	struct nslab_err err = { 0 };
	struct nslab_topo *t = NULL;
	char *yaml;

	assert_int_equal(nslab_generate(shape, args, n, NULL, &yaml, &err), 0);
	if (nslab_topo_load_buf("generated.yml", yaml, strlen(yaml), &t, &d) < 0) {
		for (size_t i = 0; i < d.n; i++)
			print_error("%s\n", nslab_diag_format(&d.v[i]));
		fail();
	}
	assert_int_equal(d.nerrors, 0);
	nslab_diags_free(&d);
	free(yaml);
	return t;
}

static uint32_t v4(const struct nslab_prefix *p)
{
	uint32_t a;

	memcpy(&a, p->addr, 4);
	return ntohl(a);
}

static uint32_t mask(unsigned plen)
{
	return plen ? ~0u << (32 - plen) : 0;
}

/* The node owning addr among n's neighbours (through a bridge too), or -1. */
static long neighbour_with(const struct nslab_topo *t, size_t n, uint32_t addr)
{
	const struct nslab_node *nd = &t->nodes[n];

	for (size_t i = 0; i < nd->nifaces; i++) {
		const struct nslab_iface *f = &nd->ifaces[i];
		size_t peer;

		if (f->link < 0)
			continue;
		peer = t->links[f->link].ep[1 - f->end].node;
		const struct nslab_node *p = &t->nodes[peer];
		/* a bridge: every node on its ports */
		size_t nc = p->kind == NSLAB_KIND_BRIDGE ? p->nifaces : 1;
		for (size_t k = 0; k < nc; k++) {
			size_t who = peer;
			if (p->kind == NSLAB_KIND_BRIDGE) {
				if (p->ifaces[k].link < 0)
					continue;
				who = t->links[p->ifaces[k].link].ep[1 - p->ifaces[k].end].node;
			}
			for (size_t j = 0; j < t->nodes[who].nifaces; j++)
				for (size_t a = 0; a < t->nodes[who].ifaces[j].naddrs; a++)
					if (v4(&t->nodes[who].ifaces[j].addrs[a]) == addr)
						return (long)who;
		}
	}
	return -1;
}

static bool owns(const struct nslab_node *nd, uint32_t addr)
{
	for (size_t i = 0; i < nd->nifaces; i++)
		for (size_t a = 0; a < nd->ifaces[i].naddrs; a++)
			if (v4(&nd->ifaces[i].addrs[a]) == addr)
				return true;
	return false;
}

/* Follow the model's routing from src to addr: true when a packet gets there. */
static bool reaches(const struct nslab_topo *t, size_t src, uint32_t addr)
{
	size_t cur = src;

	for (size_t hops = 0; hops <= t->nnodes; hops++) {
		const struct nslab_node *nd = &t->nodes[cur];
		long next = -1;
		int best = -1;

		if (owns(nd, addr))
			return true;
		if (cur != src && nd->kind != NSLAB_KIND_ROUTER)
			return false; /* hosts do not forward */
		/* connected subnets first (the kernel's longer or equal prefixes win the same way here) */
		for (size_t i = 0; i < nd->nifaces; i++)
			for (size_t a = 0; a < nd->ifaces[i].naddrs; a++) {
				const struct nslab_prefix *p = &nd->ifaces[i].addrs[a];
				if ((int)p->plen > best && ((v4(p) ^ addr) & mask(p->plen)) == 0) {
					best = p->plen;
					next = neighbour_with(t, cur, addr);
				}
			}
		for (size_t r = 0; r < nd->nroutes; r++) {
			const struct nslab_route *rt = &nd->routes[r];
			if ((int)rt->dst.plen > best && ((v4(&rt->dst) ^ addr) & mask(rt->dst.plen)) == 0) {
				best = rt->dst.plen;
				next = rt->has_via ? neighbour_with(t, cur, v4(&rt->via)) : -1;
			}
		}
		if (next < 0)
			return false;
		cur = (size_t)next;
	}
	return false; /* a loop */
}

/* Every node with an address reaches every address of every other node. */
static void assert_all_reach(const struct nslab_topo *t)
{
	size_t pairs = 0;

	for (size_t s = 0; s < t->nnodes; s++) {
		if (t->nodes[s].kind == NSLAB_KIND_BRIDGE)
			continue;
		for (size_t d = 0; d < t->nnodes; d++)
			for (size_t i = 0; d != s && i < t->nodes[d].nifaces; i++)
				for (size_t a = 0; a < t->nodes[d].ifaces[i].naddrs; a++) {
					if (!reaches(t, s, v4(&t->nodes[d].ifaces[i].addrs[a]))) {
						print_error("%s cannot reach %s's %s\n", t->nodes[s].name, t->nodes[d].name,
							    t->nodes[d].ifaces[i].name);
						fail();
					}
					pairs++;
				}
	}
	assert_true(pairs > 0);
}

struct shape_case {
	const char *shape, *a0, *a1, *a2;
	size_t nodes, links;
};

static void test_shapes(void **state)
{
	static const struct shape_case cases[] = {
		{ "chain", "2", NULL, NULL, 2, 1 },	   { "chain", "7", NULL, NULL, 7, 6 },
		{ "ring", "3", NULL, NULL, 3, 3 },	   { "ring", "8", NULL, NULL, 8, 8 },
		{ "star", "2", NULL, NULL, 3, 2 },	   { "star", "300", NULL, NULL, 301, 300 },
		{ "tree", "1", "1", NULL, 2, 1 },	   { "tree", "2", "3", NULL, 13, 12 },
		{ "tree", "3", "2", NULL, 15, 14 },	   { "clos", "2", "4", NULL, 10, 12 },
		{ "clos", "3", "2", "3", 11, 12 },	   { "fat-tree", "2", NULL, NULL, 7, 6 },
		{ "fat-tree", "4", NULL, NULL, 36, 48 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct shape_case *c = &cases[i];
		struct nslab_topo *t = gen_load(c->shape, c->a0, c->a1, c->a2);

		print_message("%s %s%s%s%s%s: %zu nodes, %zu links\n", c->shape, c->a0, c->a1 ? " " : "",
			      c->a1 ? c->a1 : "", c->a2 ? " " : "", c->a2 ? c->a2 : "", t->nnodes, t->nlinks);
		assert_int_equal(t->nnodes, c->nodes);
		assert_int_equal(t->nlinks, c->links);
		assert_all_reach(t);
		nslab_topo_free(t);
	}
}

static void test_name_and_errors(void **state)
{
	struct nslab_err err = { 0 };
	char *yaml, *args[] = { "4", "x", "-1", "2", "3" };

	(void)state;
	assert_int_equal(nslab_generate("ring", args, 1, "lab-a", &yaml, &err), 0);
	assert_non_null(strstr(yaml, "\nname: lab-a\n"));
	free(yaml);
	assert_int_equal(nslab_generate("ring", args, 1, NULL, &yaml, &err), 0);
	assert_non_null(strstr(yaml, "\nname: ring4\n"));
	free(yaml);

	assert_int_equal(nslab_generate("mesh", args, 1, NULL, &yaml, &err), -EINVAL);
	assert_null(yaml);
	assert_non_null(strstr(err.msg, "unknown shape 'mesh'"));
	assert_int_equal(nslab_generate("tree", args, 2, NULL, &yaml, &err), -EINVAL);
	assert_string_equal(err.msg, "tree: FANOUT must be a whole number from 1 to 64, not 'x'");
	assert_int_equal(nslab_generate("ring", args + 2, 1, NULL, &yaml, &err), -EINVAL);
	assert_int_equal(nslab_generate("ring", args + 3, 1, NULL, &yaml, &err), -EINVAL); /* 2 < 3 */
	assert_int_equal(nslab_generate("ring", args, 2, NULL, &yaml, &err), -EINVAL);
	assert_string_equal(err.msg, "ring takes N");
	{
		char *clos[] = { "2", "3", "0" }; /* HOSTS 0 */
		assert_int_equal(nslab_generate("clos", clos, 3, NULL, &yaml, &err), -EINVAL);
		assert_string_equal(err.msg, "clos: HOSTS must be a whole number from 1 to 64, not '0'");
	}
	assert_int_equal(nslab_generate("fat-tree", args + 4, 1, NULL, &yaml, &err), -EINVAL);
	assert_string_equal(err.msg, "fat-tree: K must be even, not 3");
	/* too large: refused before anything is built */
	{
		char *big[] = { "16", "64" };
		assert_int_equal(nslab_generate("tree", big, 2, NULL, &yaml, &err), -EINVAL);
		assert_non_null(strstr(err.msg, "at most 4096"));
	}
}

static void test_ping_parse(void **state)
{
	unsigned s = 9, r = 9;

	(void)state;
	assert_int_equal(nslab_ping_parse("PING 10.0.0.2 (10.0.0.2) 56(84) bytes of data.\n\n--- 10.0.0.2 ping "
					  "statistics ---\n3 packets transmitted, 2 received, 33.3333% packet loss, "
					  "time 402ms\n",
					  &s, &r),
			 0);
	assert_int_equal(s, 3);
	assert_int_equal(r, 2);
	assert_int_equal(nslab_ping_parse("12 packets transmitted, 0 received, +12 errors, 100% packet loss", &s, &r), 0);
	assert_int_equal(s, 12);
	assert_int_equal(r, 0);
	assert_int_equal(nslab_ping_parse("ping: connect: Network is unreachable\n", &s, &r), -EINVAL);
	assert_int_equal(nslab_ping_parse(NULL, &s, &r), -EINVAL);
}

static void test_iperf_parse(void **state)
{
	struct nslab_iperf_result res = { 0 };
	struct nslab_err err = { 0 };
	json_t *j;

	(void)state;
	j = json_loads("{\"end\": {\"sum_sent\": {\"bits_per_second\": 1000.5, \"retransmits\": 3},"
		       " \"sum_received\": {\"bits_per_second\": 990.25}}}", 0, NULL);
	assert_int_equal(nslab_iperf_parse(j, false, &res, &err), 0);
	assert_true(res.sent_bps == 1000.5 && res.received_bps == 990.25);
	assert_int_equal(res.retransmits, 3);
	json_decref(j);
	j = json_loads("{\"end\": {\"sum_sent\": {\"bits_per_second\": 1e6}, \"sum_received\": "
		       "{\"bits_per_second\": 9e5, \"lost_percent\": 10, \"jitter_ms\": 0.5}}}", 0, NULL);
	assert_int_equal(nslab_iperf_parse(j, true, &res, &err), 0);
	assert_true(res.lost_percent == 10 && res.jitter_ms == 0.5);
	json_decref(j);
	j = json_loads("{\"start\": {}, \"end\": {}, \"error\": \"unable to connect to server: Connection refused\"}",
		       0, NULL);
	assert_int_equal(nslab_iperf_parse(j, false, &res, &err), -EINVAL);
	assert_string_equal(err.msg, "iperf3: unable to connect to server: Connection refused");
	json_decref(j);
	j = json_loads("{\"end\": {}}", 0, NULL);
	assert_int_equal(nslab_iperf_parse(j, false, &res, &err), -EINVAL);
	json_decref(j);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shapes),
		cmocka_unit_test(test_name_and_errors),
		cmocka_unit_test(test_ping_parse),
		cmocka_unit_test(test_iperf_parse),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
