// SPDX-License-Identifier: GPL-2.0-or-later
/* tests/unit/test_plan.c: the deploy planner, checked on the exact ordered operations it builds from small topologies. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "tests/unit/topo_helpers.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/node.h"
#include "core/plan.h"
#include "core/service.h"
#include "util/pack.h"
#include "topologies/model.h"
#include "util/util.h"

/* ---- helpers ---- */

/* Loads yml, which must have no error; returns the model. */
static size_t node_index(const struct nslab_topo *t, const char *name)
{
	for (size_t i = 0; i < t->nnodes; i++)
		if (strcmp(t->nodes[i].name, name) == 0)
			return i;
	fail_msg("no node %s", name);
	return 0;
}

struct want_op {
	enum nslab_phase phase;
	enum nslab_op_type type;
	const char *node;
	const char *desc;
};

/* The plan must be exactly the ops of want, in order, each described as given. */
static void assert_plan(const struct nslab_plan *p, const struct want_op *want, size_t nwant)
{
	for (size_t i = 0; i < p->nops && i < nwant; i++) {
		const struct nslab_op *op = &p->ops[i];
		char *desc = nslab_op_describe(p, op);

		if (op->phase != want[i].phase || op->type != want[i].type ||
		    strcmp(p->topo->nodes[op->node].name, want[i].node) != 0 || strcmp(desc, want[i].desc) != 0)
			print_error("op %zu: got [%s %s %s] \"%s\", want [%s %s %s] \"%s\"\n", i,
				    nslab_phase_name(op->phase), nslab_op_type_name(op->type),
				    p->topo->nodes[op->node].name, desc, nslab_phase_name(want[i].phase),
				    nslab_op_type_name(want[i].type), want[i].node, want[i].desc);
		assert_int_equal(op->phase, want[i].phase);
		assert_int_equal(op->type, want[i].type);
		assert_string_equal(p->topo->nodes[op->node].name, want[i].node);
		assert_string_equal(desc, want[i].desc);
		free(desc);
	}
	assert_int_equal(p->nops, nwant);
}

/* ---- the full plan of a 3-node topology ---- */

static const char topo3[] = "name: t3\n"
			    "topology:\n"
			    "  nodes:\n"
			    "    r1:\n"
			    "      kind: router\n"
			    "      sysctls:\n"
			    "        net.ipv4.conf.eth1.rp_filter: 2\n"
			    "        net.ipv4.conf.all.rp_filter: 0\n"
			    "        net.ipv6.conf.default.accept_ra: 0\n"
			    "      interfaces:\n"
			    "        eth1: {ipv4: 10.0.0.1/24, ipv6: \"2001:db8::1/64\"}\n"
			    "        lo: {ipv4: 10.255.0.1/32}\n"
			    "      routes:\n"
			    "        - {dst: 192.168.0.0/16, via: 10.0.0.2, metric: 10}\n"
			    "        - {dst: default, dev: eth2}\n"
			    "      exec:\n"
			    "        - echo one\n"
			    "        - echo two\n"
			    "    h1:\n"
			    "      kind: linux\n"
			    "      interfaces:\n"
			    "        eth1: {ipv4: 10.0.0.2/24}\n"
			    "        eth2: {state: down}\n"
			    "      routes:\n"
			    "        - {dst: default, via: 10.0.0.1}\n"
			    "        - {dst: default, via: \"2001:db8::1\"}\n"
			    "      exec:\n"
			    "        - ip link\n"
			    "    sw1:\n"
			    "      kind: bridge\n"
			    "  links:\n"
			    "    - endpoints: [\"r1:eth1\", \"h1:eth1\"]\n"
			    "      mtu: 1500\n"
			    "    - endpoints: [\"h1:eth2\", \"sw1:p1\"]\n"
			    "    - endpoints: [\"sw1:p2\", \"r1:eth2\"]\n";

static void test_plan_three_nodes(void **state)
{
	static const struct want_op want[] = {
		{ NSLAB_PHASE_NODES, NSLAB_OP_NODE, "r1",
		  "create node r1 (router): namespaces net,uts,mnt,pid,ipc and init" },
		{ NSLAB_PHASE_NODES, NSLAB_OP_NODE, "h1",
		  "create node h1 (linux): namespaces net,uts,mnt,pid,ipc and init" },
		{ NSLAB_PHASE_NODES, NSLAB_OP_NODE, "sw1",
		  "create node sw1 (bridge): namespaces net,uts,mnt,pid,ipc and init" },
		/* the user's global sysctls in file order (forwarding comes after the links) */
		{ NSLAB_PHASE_SYSCTLS, NSLAB_OP_SYSCTL, "r1", "sysctl r1: net.ipv4.conf.all.rp_filter = 0" },
		{ NSLAB_PHASE_SYSCTLS, NSLAB_OP_SYSCTL, "r1", "sysctl r1: net.ipv6.conf.default.accept_ra = 0" },
		{ NSLAB_PHASE_DEVICES, NSLAB_OP_LO_UP, "r1", "set r1:lo up" },
		{ NSLAB_PHASE_DEVICES, NSLAB_OP_LO_UP, "h1", "set h1:lo up" },
		{ NSLAB_PHASE_DEVICES, NSLAB_OP_LO_UP, "sw1", "set sw1:lo up" },
		{ NSLAB_PHASE_DEVICES, NSLAB_OP_BRIDGE, "sw1",
		  "create bridge sw1 in node sw1 (ifindex 2, stp off), up" },
		/* forwarding (routers and linux nodes, not bridges): its own phase, one node after
		 * another (see plan.h) */
		{ NSLAB_PHASE_FORWARDING, NSLAB_OP_SYSCTL, "r1", "sysctl r1: net.ipv4.ip_forward = 1" },
		{ NSLAB_PHASE_FORWARDING, NSLAB_OP_SYSCTL, "r1", "sysctl r1: net.ipv6.conf.all.forwarding = 1" },
		{ NSLAB_PHASE_FORWARDING, NSLAB_OP_SYSCTL, "h1", "sysctl h1: net.ipv4.ip_forward = 1" },
		{ NSLAB_PHASE_FORWARDING, NSLAB_OP_SYSCTL, "h1", "sysctl h1: net.ipv6.conf.all.forwarding = 1" },
		{ NSLAB_PHASE_LINKS, NSLAB_OP_VETH, "r1", "create veth r1:eth1 -- h1:eth1 mtu 1500" },
		/* toward a bridge the bridge side is the main end, whichever end it is in the file */
		{ NSLAB_PHASE_LINKS, NSLAB_OP_VETH, "sw1", "create veth sw1:p1 -- h1:eth2 mtu 9500, enslaved to sw1" },
		{ NSLAB_PHASE_LINKS, NSLAB_OP_VETH, "sw1", "create veth sw1:p2 -- r1:eth2 mtu 9500, enslaved to sw1" },
		/* h1:eth2 is declared down: no link-up for it */
		{ NSLAB_PHASE_UP, NSLAB_OP_LINK_UP, "h1", "set h1:eth1 up" },
		{ NSLAB_PHASE_UP, NSLAB_OP_LINK_UP, "r1", "set r1:eth2 up" },
		{ NSLAB_PHASE_ADDRS, NSLAB_OP_ADDR, "r1", "add address 10.255.0.1/32 to r1:lo" },
		{ NSLAB_PHASE_ADDRS, NSLAB_OP_ADDR, "r1", "add address 10.0.0.1/24 to r1:eth1" },
		{ NSLAB_PHASE_ADDRS, NSLAB_OP_ADDR, "r1", "add address 2001:db8::1/64 to r1:eth1" },
		{ NSLAB_PHASE_ADDRS, NSLAB_OP_ADDR, "h1", "add address 10.0.0.2/24 to h1:eth1" },
		{ NSLAB_PHASE_ROUTES, NSLAB_OP_ROUTE, "r1", "add route r1: 192.168.0.0/16 via 10.0.0.2 metric 10" },
		{ NSLAB_PHASE_ROUTES, NSLAB_OP_ROUTE, "r1", "add route r1: default dev eth2" },
		{ NSLAB_PHASE_ROUTES, NSLAB_OP_ROUTE, "h1", "add route h1: default via 10.0.0.1" },
		{ NSLAB_PHASE_ROUTES, NSLAB_OP_ROUTE, "h1", "add route h1: default (ipv6) via 2001:db8::1" },
		/* per-interface sysctls wait until the interfaces exist */
		{ NSLAB_PHASE_LATE_SYSCTLS, NSLAB_OP_SYSCTL, "r1", "sysctl r1: net.ipv4.conf.eth1.rp_filter = 2" },
		{ NSLAB_PHASE_EXEC, NSLAB_OP_EXEC, "r1", "exec r1: /bin/sh -c 'echo one'" },
		{ NSLAB_PHASE_EXEC, NSLAB_OP_EXEC, "r1", "exec r1: /bin/sh -c 'echo two'" },
		{ NSLAB_PHASE_EXEC, NSLAB_OP_EXEC, "h1", "exec h1: /bin/sh -c 'ip link'" },
	};
	struct nslab_topo *t = topo_load_ok(topo3);
	struct nslab_plan p;

	(void)state;
	nslab_plan_build(t, &p);
	assert_ptr_equal(p.topo, t);
	assert_plan(&p, want, ARRAY_SIZE(want));

	/* phases never go backwards */
	for (size_t i = 1; i < p.nops; i++)
		assert_true(p.ops[i - 1].phase <= p.ops[i].phase);

	nslab_plan_free(&p);
	assert_null(p.ops);
	assert_int_equal(p.nops, 0);
	nslab_topo_free(t);
}

/* The fields the executor uses (not only the description) point at the right objects. */
static void test_plan_op_fields(void **state)
{
	struct nslab_topo *t = topo_load_ok(topo3);
	struct nslab_plan p;
	size_t r1, h1, sw1, nveth = 0, nup = 0, naddr = 0, nroute = 0, nexec = 0, nsys = 0;

	(void)state;
	r1 = node_index(t, "r1");
	h1 = node_index(t, "h1");
	sw1 = node_index(t, "sw1");
	nslab_plan_build(t, &p);
	for (size_t i = 0; i < p.nops; i++) {
		const struct nslab_op *op = &p.ops[i];
		const struct nslab_node *n = &t->nodes[op->node];

		switch (op->type) {
		case NSLAB_OP_VETH: {
			const struct nslab_link *lk = &t->links[op->link];
			assert_int_equal(op->link, nveth);
			/* the op acts in the main end's node */
			assert_int_equal(op->node, lk->ep[op->main_end].node);
			assert_int_equal(op->main_end, nveth == 0 ? 0 : nveth == 1 ? 1 : 0);
			assert_int_equal(op->node, nveth == 0 ? r1 : sw1);
			nveth++;
			break;
		}
		case NSLAB_OP_LINK_UP: {
			const struct nslab_link *lk = &t->links[op->link];
			/* the iface is the peer (non-main) end of its link */
			assert_int_equal(n->ifaces[op->iface].link, (long)op->link);
			assert_int_equal(lk->ep[n->ifaces[op->iface].end].node, op->node);
			assert_int_equal(lk->ep[n->ifaces[op->iface].end].iface, op->iface);
			assert_int_not_equal(op->node, sw1);
			assert_false(n->ifaces[op->iface].down);
			assert_string_equal(n->ifaces[op->iface].name, nup == 0 ? "eth1" : "eth2");
			assert_int_equal(op->node, nup == 0 ? h1 : r1);
			nup++;
			break;
		}
		case NSLAB_OP_ADDR:
			assert_true(op->iface < n->nifaces);
			assert_true(op->item < n->ifaces[op->iface].naddrs);
			naddr++;
			break;
		case NSLAB_OP_ROUTE:
			assert_true(op->item < n->nroutes);
			assert_int_equal(op->item, (op->node == r1 ? nroute : nroute - 2));
			nroute++;
			break;
		case NSLAB_OP_EXEC:
			assert_string_equal(n->exec[op->item], nexec == 0 ? "echo one" : nexec == 1 ? "echo two" : "ip link");
			nexec++;
			break;
		case NSLAB_OP_SYSCTL:
			/* user sysctls carry their index in node->sysctls and the same key/value pointers */
			if (strcmp(op->key, "net.ipv4.ip_forward") != 0 &&
			    strcmp(op->key, "net.ipv6.conf.all.forwarding") != 0) {
				assert_int_equal(op->node, r1);
				assert_true(op->item < n->nsysctls);
				assert_ptr_equal(op->key, n->sysctls[op->item].key);
				assert_ptr_equal(op->value, n->sysctls[op->item].value);
			}
			nsys++;
			break;
		case NSLAB_OP_QDISC:
			fail_msg("no impairment was declared");
			break;
		case NSLAB_OP_NODE:
		case NSLAB_OP_BRIDGE:
		case NSLAB_OP_LO_UP:
		case NSLAB_OP_MGMT_BRIDGE:
		case NSLAB_OP_MGMT_PORT:
		case NSLAB_OP_HOSTLINK:
		case NSLAB_OP_SERVICE:
			break;
		case NSLAB_OP__COUNT:
			fail();
			break;
		}
	}
	assert_int_equal(nveth, 3);
	assert_int_equal(nup, 2);
	assert_int_equal(naddr, 4);
	assert_int_equal(nroute, 4);
	assert_int_equal(nexec, 3);
	assert_int_equal(nsys, 7); /* 3 of r1's own, forwarding on in r1 and h1 (2 each) */
	nslab_plan_free(&p);
	nslab_topo_free(t);
}

/* A user sysctl that overrides a kind default comes after it, so the user's value is the one left. */
static void test_plan_router_sysctls_overridable(void **state)
{
	static const struct want_op want[] = {
		{ NSLAB_PHASE_NODES, NSLAB_OP_NODE, "r", "create node r (router): namespaces net,uts,mnt,pid,ipc and init" },
		{ NSLAB_PHASE_NODES, NSLAB_OP_NODE, "h", "create node h (linux): namespaces net,uts,mnt,pid,ipc and init" },
		{ NSLAB_PHASE_SYSCTLS, NSLAB_OP_SYSCTL, "h", "sysctl h: net.core.somaxconn = 512" },
		{ NSLAB_PHASE_DEVICES, NSLAB_OP_LO_UP, "r", "set r:lo up" },
		{ NSLAB_PHASE_DEVICES, NSLAB_OP_LO_UP, "h", "set h:lo up" },
		/* the user's value comes after the kind's, so it wins */
		{ NSLAB_PHASE_FORWARDING, NSLAB_OP_SYSCTL, "r", "sysctl r: net.ipv4.ip_forward = 1" },
		{ NSLAB_PHASE_FORWARDING, NSLAB_OP_SYSCTL, "r", "sysctl r: net.ipv6.conf.all.forwarding = 1" },
		{ NSLAB_PHASE_FORWARDING, NSLAB_OP_SYSCTL, "r", "sysctl r: net.ipv4.ip_forward = 0" },
		/* a linux node forwards too, as on a Docker host; its own value wins likewise */
		{ NSLAB_PHASE_FORWARDING, NSLAB_OP_SYSCTL, "h", "sysctl h: net.ipv4.ip_forward = 1" },
		{ NSLAB_PHASE_FORWARDING, NSLAB_OP_SYSCTL, "h", "sysctl h: net.ipv6.conf.all.forwarding = 1" },
		{ NSLAB_PHASE_FORWARDING, NSLAB_OP_SYSCTL, "h", "sysctl h: net.ipv6.conf.all.forwarding = 0" },
		{ NSLAB_PHASE_LINKS, NSLAB_OP_VETH, "h", "create veth h:eth1 -- r:eth1 mtu 9500" },
		{ NSLAB_PHASE_UP, NSLAB_OP_LINK_UP, "r", "set r:eth1 up" },
		/* an interface's own forwarding once the interface exists */
		{ NSLAB_PHASE_LATE_SYSCTLS, NSLAB_OP_SYSCTL, "r", "sysctl r: net.ipv6.conf.eth1.forwarding = 0" },
		{ NSLAB_PHASE_LATE_SYSCTLS, NSLAB_OP_SYSCTL, "h", "sysctl h: net.ipv6.conf.eth1.disable_ipv6 = 1" },
		{ NSLAB_PHASE_LATE_SYSCTLS, NSLAB_OP_SYSCTL, "h", "sysctl h: net.ipv4.neigh.eth1.gc_stale_time = 30" },
	};
	struct nslab_topo *t = topo_load_ok("name: ov\n"
				       "topology:\n"
				       "  nodes:\n"
				       "    r:\n"
				       "      kind: router\n"
				       "      sysctls: {net.ipv4.ip_forward: 0, net.ipv6.conf.eth1.forwarding: 0}\n"
				       "    h:\n"
				       "      kind: linux\n"
				       "      sysctls:\n"
				       "        net.ipv6.conf.eth1.disable_ipv6: 1\n"
				       "        net.core.somaxconn: 512\n"
				       "        net.ipv6.conf.all.forwarding: 0\n"
				       "        net.ipv4.neigh.eth1.gc_stale_time: 30\n"
				       "  links:\n"
				       "    - endpoints: [h:eth1, r:eth1]\n");
	struct nslab_plan p;

	(void)state;
	nslab_plan_build(t, &p);
	assert_plan(&p, want, ARRAY_SIZE(want));
	nslab_plan_free(&p);
	nslab_topo_free(t);
}

/* Bridge to bridge: neither side is preferred, the first endpoint is the main end; an interface
 * declared down on the main end still gets created (the create request sets it), a down peer is left down. */
static void test_plan_bridge_to_bridge_and_down(void **state)
{
	static const struct want_op want[] = {
		{ NSLAB_PHASE_NODES, NSLAB_OP_NODE, "s1", "create node s1 (bridge): namespaces net,uts,mnt,pid,ipc and init" },
		{ NSLAB_PHASE_NODES, NSLAB_OP_NODE, "s2", "create node s2 (bridge): namespaces net,uts,mnt,pid,ipc and init" },
		{ NSLAB_PHASE_NODES, NSLAB_OP_NODE, "a", "create node a (linux): namespaces net,uts,mnt,pid,ipc and init" },
		{ NSLAB_PHASE_NODES, NSLAB_OP_NODE, "b", "create node b (linux): namespaces net,uts,mnt,pid,ipc and init" },
		{ NSLAB_PHASE_DEVICES, NSLAB_OP_LO_UP, "s1", "set s1:lo up" },
		{ NSLAB_PHASE_DEVICES, NSLAB_OP_BRIDGE, "s1", "create bridge s1 in node s1 (ifindex 2, stp off), up" },
		{ NSLAB_PHASE_DEVICES, NSLAB_OP_LO_UP, "s2", "set s2:lo up" },
		{ NSLAB_PHASE_DEVICES, NSLAB_OP_BRIDGE, "s2", "create bridge s2 in node s2 (ifindex 2, stp off), up" },
		{ NSLAB_PHASE_DEVICES, NSLAB_OP_LO_UP, "a", "set a:lo up" },
		{ NSLAB_PHASE_DEVICES, NSLAB_OP_LO_UP, "b", "set b:lo up" },
		/* linux nodes forward, bridges do not */
		{ NSLAB_PHASE_FORWARDING, NSLAB_OP_SYSCTL, "a", "sysctl a: net.ipv4.ip_forward = 1" },
		{ NSLAB_PHASE_FORWARDING, NSLAB_OP_SYSCTL, "a", "sysctl a: net.ipv6.conf.all.forwarding = 1" },
		{ NSLAB_PHASE_FORWARDING, NSLAB_OP_SYSCTL, "b", "sysctl b: net.ipv4.ip_forward = 1" },
		{ NSLAB_PHASE_FORWARDING, NSLAB_OP_SYSCTL, "b", "sysctl b: net.ipv6.conf.all.forwarding = 1" },
		{ NSLAB_PHASE_LINKS, NSLAB_OP_VETH, "s1", "create veth s1:trunk -- s2:trunk mtu 9500, enslaved to s1" },
		{ NSLAB_PHASE_LINKS, NSLAB_OP_VETH, "a", "create veth a:eth1 -- b:eth1 mtu 1400" },
		{ NSLAB_PHASE_UP, NSLAB_OP_LINK_UP, "s2", "set s2:trunk up, enslaved to s2" },
	};
	struct nslab_topo *t = topo_load_ok("name: bb\n"
				       "topology:\n"
				       "  nodes:\n"
				       "    s1: {kind: bridge}\n"
				       "    s2: {kind: bridge}\n"
				       "    a:\n"
				       "      kind: linux\n"
				       "      interfaces: {eth1: {state: down}}\n"
				       "    b:\n"
				       "      kind: linux\n"
				       "      interfaces: {eth1: {state: down}}\n"
				       "  links:\n"
				       "    - endpoints: [s1:trunk, s2:trunk]\n"
				       "    - endpoints: [a:eth1, b:eth1]\n"
				       "      mtu: 1400\n");
	struct nslab_plan p;

	(void)state;
	nslab_plan_build(t, &p);
	assert_plan(&p, want, ARRAY_SIZE(want));
	assert_int_equal(p.ops[14].main_end, 0);
	assert_int_equal(p.ops[14].link, 0);
	assert_int_equal(p.ops[15].main_end, 0);
	assert_int_equal(p.ops[15].link, 1);
	nslab_plan_free(&p);
	nslab_topo_free(t);
}

/* containerlab's bridge inside a node (br|a): made in a's devices, its ports a's interfaces, enslaved
 * at creation (the main end) or in the up phase (the peer end), down or not. */
static void test_plan_nsbridge(void **state)
{
	static const struct want_op want[] = {
		{ NSLAB_PHASE_NODES, NSLAB_OP_NODE, "a", "create node a (linux): namespaces net,uts,mnt,pid,ipc and init" },
		{ NSLAB_PHASE_NODES, NSLAB_OP_NODE, "c", "create node c (linux): namespaces net,uts,mnt,pid,ipc and init" },
		{ NSLAB_PHASE_NODES, NSLAB_OP_NODE, "s", "create node s (bridge): namespaces net,uts,mnt,pid,ipc and init" },
		{ NSLAB_PHASE_DEVICES, NSLAB_OP_LO_UP, "a", "set a:lo up" },
		{ NSLAB_PHASE_DEVICES, NSLAB_OP_BRIDGE, "a", "create bridge br in node a (br|a; ifindex 3, stp off), up" },
		{ NSLAB_PHASE_DEVICES, NSLAB_OP_LO_UP, "c", "set c:lo up" },
		{ NSLAB_PHASE_DEVICES, NSLAB_OP_LO_UP, "s", "set s:lo up" },
		{ NSLAB_PHASE_DEVICES, NSLAB_OP_BRIDGE, "s", "create bridge s in node s (ifindex 2, stp off), up" },
		{ NSLAB_PHASE_FORWARDING, NSLAB_OP_SYSCTL, "a", "sysctl a: net.ipv4.ip_forward = 1" },
		{ NSLAB_PHASE_FORWARDING, NSLAB_OP_SYSCTL, "a", "sysctl a: net.ipv6.conf.all.forwarding = 1" },
		{ NSLAB_PHASE_FORWARDING, NSLAB_OP_SYSCTL, "c", "sysctl c: net.ipv4.ip_forward = 1" },
		{ NSLAB_PHASE_FORWARDING, NSLAB_OP_SYSCTL, "c", "sysctl c: net.ipv6.conf.all.forwarding = 1" },
		{ NSLAB_PHASE_LINKS, NSLAB_OP_VETH, "a", "create veth a:p1 -- c:eth1 mtu 9500, enslaved to br" },
		{ NSLAB_PHASE_LINKS, NSLAB_OP_VETH, "a", "create veth a:p2 -- a:eth2 mtu 9500, enslaved to br" },
		{ NSLAB_PHASE_LINKS, NSLAB_OP_VETH, "a", "create veth a:p3 -- s:q1 mtu 9500, enslaved to br" },
		{ NSLAB_PHASE_UP, NSLAB_OP_LINK_UP, "c", "set c:eth1 up" },
		{ NSLAB_PHASE_UP, NSLAB_OP_LINK_UP, "a", "set a:eth2 up" },
		{ NSLAB_PHASE_UP, NSLAB_OP_LINK_UP, "s", "set s:q1 down, enslaved to s" },
	};
	struct nslab_topo *t = topo_load_ok("name: nb\n"
				       "topology:\n"
				       "  nodes:\n"
				       "    br|a: {kind: bridge, network-mode: container:a}\n"
				       "    a: {kind: linux}\n"
				       "    c: {kind: linux}\n"
				       "    s:\n"
				       "      kind: bridge\n"
				       "      interfaces: {q1: {state: down}}\n"
				       "  links:\n"
				       "    - endpoints: [c:eth1, \"br|a:p1\"]\n"
				       "    - endpoints: [a:eth2, \"br|a:p2\"]\n"
				       "    - endpoints: [\"br|a:p3\", s:q1]\n");
	struct nslab_plan p;

	(void)state;
	nslab_plan_build(t, &p);
	assert_plan(&p, want, ARRAY_SIZE(want));
	assert_int_equal(p.ops[12].main_end, 1);
	assert_int_equal(p.ops[13].main_end, 1);
	assert_int_equal(p.ops[14].main_end, 0);
	nslab_plan_free(&p);
	nslab_topo_free(t);
}

/* The host phase (core/mgmt.c's objects, named as the host sees them) and the services phase. */
static void test_plan_host_and_services(void **state)
{
	static const struct want_op want[] = {
		{ NSLAB_PHASE_HOST, NSLAB_OP_MGMT_BRIDGE, "a",
		  "create management bridge nslm653af1e1 in the host's namespace (alias nslab:hl), address 172.20.20.1/24, "
		  "3fff:172:20:20::1/64; its IPv6 on (net.ipv6.conf.nslm653af1e1.disable_ipv6 = 0)" },
		{ NSLAB_PHASE_HOST, NSLAB_OP_MGMT_PORT, "a",
		  "create veth a:eth0 -- host:nsv653af1e10000 on nslm653af1e1, address 172.20.20.2/24, 3fff:172:20:20::2/64, "
		  "default routes via 172.20.20.1, 3fff:172:20:20::1" },
		{ NSLAB_PHASE_HOST, NSLAB_OP_HOSTLINK, "a", "create veth a:eth1 -- host:hl-a1" },
		{ NSLAB_PHASE_HOST, NSLAB_OP_MGMT_PORT, "b",
		  "create veth b:eth0 -- host:nsv653af1e10001 on nslm653af1e1, address 172.20.20.9/24, 3fff:172:20:20::3/64, "
		  "default routes via 3fff:172:20:20::1" },
		{ NSLAB_PHASE_HOST, NSLAB_OP_HOSTLINK, "b", "create dummy b:dum0 address 10.255.0.3/32" },
		{ NSLAB_PHASE_HOST, NSLAB_OP_HOSTLINK, "b", "create veth b:eth2 -- host:hl-b2 on nslm653af1e1" },
		{ NSLAB_PHASE_SERVICES, NSLAB_OP_SERVICE, "b", "start cmd in b: sleep 1000" },
	};
	struct nslab_topo *t = topo_load_ok("name: hl\n"
				       "mgmt: {}\n"
				       "topology:\n"
				       "  nodes:\n"
				       "    a: {kind: linux}\n"
				       "    b:\n"
				       "      kind: linux\n"
				       "      mgmt-ipv4: 172.20.20.9\n"
				       "      routes: [{dst: default, via: 10.255.0.1}]\n"
				       "  links:\n"
				       "    - endpoints: [a:eth1, host:hl-a1]\n"
				       "    - type: dummy\n"
				       "      endpoint: {node: b, interface: dum0, ipv4: 10.255.0.3/32}\n"
				       "    - endpoints: [\"mgmt-net:hl-b2\", b:eth2]\n");
	struct nslab_service sv = { .node = 1, .what = "cmd", .shell = "sleep 1000 &", .shown = "sleep 1000" };
	struct nslab_services svc = { .v = &sv, .n = 1 };
	struct nslab_plan p;
	size_t first = 0;

	(void)state;
	nslab_plan_build(t, &p);
	nslab_plan_services(&p, &svc);
	while (first < p.nops && p.ops[first].phase < NSLAB_PHASE_HOST)
		first++;
	assert_int_equal(p.nops - first, ARRAY_SIZE(want));
	for (size_t i = 0; i < ARRAY_SIZE(want); i++) {
		char *desc = nslab_op_describe(&p, &p.ops[first + i]);
		assert_int_equal(p.ops[first + i].phase, want[i].phase);
		assert_int_equal(p.ops[first + i].type, want[i].type);
		assert_string_equal(t->nodes[p.ops[first + i].node].name, want[i].node);
		assert_string_equal(desc, want[i].desc);
		free(desc);
	}
	/* another name, other host names */
	p.lab = "other";
	char *desc = nslab_op_describe(&p, &p.ops[first]);
	assert_non_null(strstr(desc, "(alias nslab:other)"));
	assert_null(strstr(desc, "nslm653af1e1"));
	free(desc);
	nslab_plan_free(&p);
	nslab_topo_free(t);
}

/* A plan can be built twice from one model and freed twice without harm. */
static void test_plan_rebuild(void **state)
{
	struct nslab_topo *t = topo_load_ok(topo3);
	struct nslab_plan p1, p2;

	(void)state;
	nslab_plan_build(t, &p1);
	nslab_plan_build(t, &p2);
	assert_int_equal(p1.nops, p2.nops);
	assert_memory_equal(p1.ops, p2.ops, p1.nops * sizeof(*p1.ops));
	nslab_plan_free(&p1);
	nslab_plan_free(&p1);
	nslab_plan_free(&p2);
	nslab_topo_free(t);
}

/* ---- sysctl keys ---- */

static void assert_sysctl_path(const char *key, const char *want)
{
	char *got = nslab_sysctl_path(key);

	assert_string_equal(got, want);
	free(got);
}

static void test_sysctl_path(void **state)
{
	(void)state;
	assert_sysctl_path("net.ipv4.ip_forward", "/proc/sys/net/ipv4/ip_forward");
	assert_sysctl_path("net.ipv4.conf.eth1.rp_filter", "/proc/sys/net/ipv4/conf/eth1/rp_filter");
	assert_sysctl_path("net.ipv6.conf.all.forwarding", "/proc/sys/net/ipv6/conf/all/forwarding");
	/* with '/' separators the dots are part of the names (VLAN interfaces) */
	assert_sysctl_path("net/ipv4/conf/eth1.100/rp_filter", "/proc/sys/net/ipv4/conf/eth1.100/rp_filter");
	assert_sysctl_path("net/core/somaxconn", "/proc/sys/net/core/somaxconn");
	assert_sysctl_path("kernel", "/proc/sys/kernel");
	assert_sysctl_path("", "/proc/sys/");
}

static void test_sysctl_is_per_iface(void **state)
{
	static const struct {
		const char *key;
		bool per_iface;
	} cases[] = {
		{ "net.ipv4.conf.eth1.rp_filter", true },
		{ "net.ipv6.conf.eth1.disable_ipv6", true },
		{ "net.ipv4.neigh.eth1.gc_stale_time", true },
		{ "net.ipv6.neigh.eth1.base_reachable_time_ms", true },
		{ "net/ipv4/conf/eth1.100/rp_filter", true },
		{ "net/ipv6/conf/eth1/forwarding", true },
		{ "net/ipv4/neigh/eth1/gc_stale_time", true },
		{ "net/ipv6/neigh/eth1/gc_stale_time", true },
		/* interface names that merely start like all/default */
		{ "net.ipv4.conf.allx.rp_filter", true },
		{ "net.ipv4.conf.defaults.rp_filter", true },
		{ "net.ipv4.conf.lo.rp_filter", true },
		{ "net.ipv4.conf.all.rp_filter", false },
		{ "net.ipv4.conf.default.rp_filter", false },
		{ "net.ipv6.conf.all.forwarding", false },
		{ "net.ipv6.conf.default.accept_ra", false },
		{ "net.ipv4.neigh.default.gc_thresh1", false },
		{ "net.ipv6.neigh.default.gc_thresh3", false },
		{ "net/ipv4/conf/all/rp_filter", false },
		{ "net/ipv6/conf/default/forwarding", false },
		{ "net/ipv4/neigh/default/gc_thresh1", false },
		/* mixed separators are not recognised as the other style */
		{ "net/ipv4/conf/all.rp_filter", true },
		{ "net.ipv4.ip_forward", false },
		{ "net.ipv6.route.max_size", false },
		{ "net.core.somaxconn", false },
		{ "net.ipv4.conf", false },
		{ "kernel.hostname", false },
		{ "", false },
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		if (nslab_sysctl_is_per_iface(cases[i].key) != cases[i].per_iface)
			fail_msg("nslab_sysctl_is_per_iface(\"%s\") != %d", cases[i].key, cases[i].per_iface);
	}
}

/* What the deployer hands the spawner for one node comes back whole. */
static void test_node_spec_pack(void **state)
{
	struct nslab_bind binds[] = { { .src = "/srv/a", .dst = "/mnt/a", .ro = true },
				      { .src = "/srv/b", .dst = "/mnt/b", .ro = false } };
	const char *early[] = { "net.core.somaxconn", "512" };
	const char *late[] = { "net.ipv4.conf.eth1.rp_filter", "2", "net.ipv6.conf.eth1.disable_ipv6", "1" };
	struct nslab_nlb *wire = nslab_nlb_new();
	const char *carry[] = { "/home" };
	struct nslab_node_spec in = { .name = "r1",
				      .root = { .layer = "/run/nslab/lab/layers/r1", .keep = true,
						.lower = "/run/nslab/lab/layers/.lab", .carry = carry, .ncarry = 1 },
				      .binds = binds,
				      .nbinds = 2, .early_sysctl = early, .nearly_sysctl = 1, .wire = wire,
				      .late_sysctl = late, .nlate_sysctl = 2,
				      .cgroup = "/sys/fs/cgroup/nslab.lab-x/node-r1",
				      .join_netns = "/proc/1/root/run/netns/nslab-x.r0" }, out;
	struct nslab_pack p = { 0 };
	struct nslab_unpack u;
	void *arena = NULL;
	size_t l1, l2;

	(void)state;
	nslab_nlb_link_set(wire, 2, 1, 0, -1, "set r1:eth1 up");
	nslab_node_spec_pack(&p, &in);
	u = (struct nslab_unpack){ .p = p.buf, .left = p.len };
	assert_int_equal(nslab_node_spec_unpack(&u, &out, &arena), 0);
	assert_int_equal(u.left, 0);
	assert_string_equal(out.name, "r1");
	assert_string_equal(out.join_netns, "/proc/1/root/run/netns/nslab-x.r0");
	assert_string_equal(out.root.layer, "/run/nslab/lab/layers/r1");
	assert_true(out.root.keep);
	assert_string_equal(out.root.lower, "/run/nslab/lab/layers/.lab");
	assert_int_equal(out.root.ncarry, 1);
	assert_string_equal(out.root.carry[0], "/home");
	assert_int_equal(out.nbinds, 2);
	assert_string_equal(out.binds[1].dst, "/mnt/b");
	assert_true(out.binds[0].ro);
	assert_false(out.binds[1].ro);
	assert_int_equal(out.nearly_sysctl, 1);
	assert_string_equal(out.early_sysctl[1], "512");
	assert_int_equal(out.nlate_sysctl, 2);
	assert_string_equal(out.late_sysctl[2], "net.ipv6.conf.eth1.disable_ipv6");
	assert_null(out.early);
	assert_non_null(out.wire);
	/* (the lengths are read only once both calls have set them) */
	const void *d2 = nslab_nlb_data(out.wire, &l2), *d1 = nslab_nlb_data(wire, &l1);
	assert_memory_equal(d2, d1, l1);
	assert_int_equal(l1, l2);
	assert_string_equal(nslab_nlb_what(out.wire, 0), "set r1:eth1 up");
	assert_string_equal(out.cgroup, "/sys/fs/cgroup/nslab.lab-x/node-r1");
	nslab_node_spec_arena_free(arena);

	/* truncated records are refused */
	for (size_t cut = 0; cut < p.len; cut += 3) {
		u = (struct nslab_unpack){ .p = p.buf, .left = cut };
		arena = NULL;
		assert_int_equal(nslab_node_spec_unpack(&u, &out, &arena), -EINVAL);
		nslab_node_spec_arena_free(arena);
	}
	nslab_pack_free(&p);
	nslab_nlb_free(wire);
}

static void test_sysctl_is_forwarding(void **state)
{
	static const struct {
		const char *key;
		bool fwd;
	} cases[] = {
		{ "net.ipv4.ip_forward", true },
		{ "net/ipv4/ip_forward", true },
		{ "net.ipv4.conf.all.forwarding", true },
		{ "net.ipv4.conf.default.forwarding", true },
		{ "net.ipv4.conf.eth1.forwarding", true },
		{ "net.ipv6.conf.all.forwarding", true },
		{ "net/ipv6/conf/eth1.100/forwarding", true },
		{ "net.ipv4.ip_forward_use_pmtu", false },
		{ "net.ipv4.ip_forward_update_priority", false },
		{ "net.ipv6.conf.all.mc_forwarding", false },
		{ "net.ipv4.conf.all.rp_filter", false },
		{ "net.core.forwarding", false },
		{ "forwarding", false },
		{ "", false },
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++)
		if (nslab_sysctl_is_forwarding(cases[i].key) != cases[i].fwd)
			fail_msg("nslab_sysctl_is_forwarding(\"%s\") != %d", cases[i].key, cases[i].fwd);
}

/* ---- names ---- */

static void test_names(void **state)
{
	static const char *const types[NSLAB_OP__COUNT] = {
		[NSLAB_OP_NODE] = "node",   [NSLAB_OP_SYSCTL] = "sysctl", [NSLAB_OP_BRIDGE] = "bridge",
		[NSLAB_OP_LO_UP] = "lo-up", [NSLAB_OP_VETH] = "veth",	  [NSLAB_OP_LINK_UP] = "link-up",
		[NSLAB_OP_ADDR] = "addr",   [NSLAB_OP_ROUTE] = "route",	  [NSLAB_OP_EXEC] = "exec",
		[NSLAB_OP_QDISC] = "qdisc", [NSLAB_OP_MGMT_BRIDGE] = "mgmt-bridge", [NSLAB_OP_MGMT_PORT] = "mgmt-port",
		[NSLAB_OP_HOSTLINK] = "host-link", [NSLAB_OP_SERVICE] = "service",
	};
	static const char *const phases[] = {
		"nodes", "sysctls", "devices", "forwarding", "links", "up", "addresses", "routes", "impairments", "interface-sysctls",
		"host", "services", "exec",
	};

	(void)state;
	for (int i = 0; i < NSLAB_OP__COUNT; i++)
		assert_string_equal(nslab_op_type_name((enum nslab_op_type)i), types[i]);
	assert_string_equal(nslab_op_type_name(NSLAB_OP__COUNT), "?");
	assert_string_equal(nslab_op_type_name((enum nslab_op_type)1000), "?");

	assert_int_equal(ARRAY_SIZE(phases), NSLAB_PHASE__COUNT);
	for (int i = 0; i < NSLAB_PHASE__COUNT; i++)
		assert_string_equal(nslab_phase_name((enum nslab_phase)i), phases[i]);
	assert_string_equal(nslab_phase_name(NSLAB_PHASE__COUNT), "?");
	assert_string_equal(nslab_phase_name((enum nslab_phase)1000), "?");
}

/* impairments: one qdisc op per impaired end, after routes, described in the units people write */
static void test_plan_impairments(void **state)
{
	struct nslab_topo *t = topo_load_ok("name: imp\n"
				       "topology:\n"
				       "  nodes:\n"
				       "    a: {kind: linux}\n"
				       "    b: {kind: linux}\n"
				       "  links:\n"
				       "    - type: veth\n"
				       "      rate: 10mbit\n"
				       "      endpoints:\n"
				       "        - {node: a, interface: eth1, delay: 20ms, jitter: 5ms, jitter-distribution: normal, loss: 1.5%}\n"
				       "        - {node: b, interface: eth1}\n");
	struct nslab_plan p;
	size_t nq = 0;

	(void)state;
	nslab_plan_build(t, &p);
	for (size_t i = 0; i < p.nops; i++) {
		char *s;
		if (p.ops[i].type != NSLAB_OP_QDISC)
			continue;
		assert_int_equal(p.ops[i].phase, NSLAB_PHASE_QDISCS);
		assert_int_equal(p.ops[i - 1].phase <= NSLAB_PHASE_QDISCS, 1);
		s = nslab_op_describe(&p, &p.ops[i]);
		if (nq == 0)
			assert_string_equal(s, "impair a:eth1 egress: delay 20ms, jitter 5ms normal, loss 1.5%, rate 10mbit");
		else
			assert_string_equal(s, "impair b:eth1 egress: rate 10mbit");
		free(s);
		nq++;
	}
	assert_int_equal(nq, 2);
	nslab_plan_free(&p);
	nslab_topo_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plan_three_nodes),
		cmocka_unit_test(test_plan_op_fields),
		cmocka_unit_test(test_plan_router_sysctls_overridable),
		cmocka_unit_test(test_plan_bridge_to_bridge_and_down),
		cmocka_unit_test(test_plan_nsbridge),
		cmocka_unit_test(test_plan_host_and_services),
		cmocka_unit_test(test_plan_rebuild),
		cmocka_unit_test(test_sysctl_path),
		cmocka_unit_test(test_sysctl_is_per_iface),
		cmocka_unit_test(test_sysctl_is_forwarding),
		cmocka_unit_test(test_node_spec_pack),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_plan_impairments),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
