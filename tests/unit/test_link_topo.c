// SPDX-License-Identifier: GPL-2.0-or-later
/* tests/unit/test_link_topo.c: the state.json side of `nslab link add|remove` (core/link_topo.c), pure. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include <jansson.h>

#include "core/link.h"
#include "core/labstate.h"
#include "topologies/model.h"
#include "util/err.h"
#include "util/util.h"

/* A lab of a -- b (a:eth1 b:eth1) and a bridge node sw, as deploy records it. */
static void lab_state(struct nslab_lab_state *st)
{
	static const char *yml = "name: t\n"
				 "topology:\n"
				 "  nodes:\n"
				 "    a: {kind: linux}\n"
				 "    b: {kind: linux}\n"
				 "    sw: {kind: bridge}\n"
				 "  links:\n"
				 "    - endpoints: [\"a:eth1\", \"b:eth1\"]\n";
	struct nslab_diags d = { 0 };
	struct nslab_topo *t = NULL;

	assert_int_equal(nslab_topo_load_buf("t.yml", yml, strlen(yml), &t, &d), 0);
	nslab_state_from_topo(t, "t", "running", st);
	nslab_diags_free(&d);
	nslab_topo_free(t);
}

/* check_new on a link without addresses, a -- b, mtu 0. */
static int check_new(const struct nslab_lab_state *st, const char *a, const char *b, struct nslab_err *err)
{
	struct nslab_link_new ln = { { a, b }, 0, { NULL, NULL }, { 0, 0 } };
	return nslab_state_link_check_new(st, &ln, err);
}

static void test_check_new(void **state)
{
	struct nslab_lab_state st;
	struct nslab_err err = { 0 };

	(void)state;
	lab_state(&st);
	assert_int_equal(check_new(&st, "a:eth2", "b:eth2", &err), 0);
	assert_int_equal(check_new(&st, "a:eth2", "a:eth3", &err), 0);
	assert_int_equal(check_new(&st, "a:eth1", "b:eth2", &err), -EEXIST);
	assert_string_equal(err.msg, "node a of lab t already has an interface eth1");
	assert_int_equal(check_new(&st, "a:eth2", "zz:eth1", &err), -ENOENT);
	assert_string_equal(err.msg, "lab t has no node zz");
	assert_int_equal(check_new(&st, "a:eth2", "a:eth2", &err), -EINVAL);
	assert_int_equal(check_new(&st, "a", "b:eth2", &err), -EINVAL);
	assert_string_equal(err.msg, "'a' is not NODE:INTERFACE");
	assert_int_equal(check_new(&st, "a:this-name-is-too-long", "b:eth2", &err), -EINVAL);
	assert_int_equal(check_new(&st, "a:lo", "b:eth2", &err), -EINVAL);
	assert_string_equal(err.msg, "a:lo: lo is the node's loopback");
	nslab_state_free(&st);
}

/* --addr NODE:IF=ADDR[,ADDR]: IPv4 and IPv6 with their prefix length, for one of the two ends;
 * a bad one is refused whole, naming it, and leaves what was given before unchanged. */
static void test_new_addr(void **state)
{
	struct nslab_link_new ln = { { "a:eth2", "b:eth2" }, 0, { NULL, NULL }, { 0, 0 } };
	struct nslab_err err = { 0 };
	char buf[64];

	(void)state;
	assert_int_equal(nslab_link_new_addr(&ln, "a:eth2=10.0.0.1/24,fd00::1/64", &err), 0);
	assert_int_equal(nslab_link_new_addr(&ln, "b:eth2=10.0.0.2/24", &err), 0);
	assert_int_equal(nslab_link_new_addr(&ln, "a:eth2=192.168.9.1/30", &err), 0);
	assert_int_equal(ln.naddrs[0], 3);
	assert_int_equal(ln.naddrs[1], 1);
	assert_string_equal(nslab_prefix_fmt(&ln.addrs[0][0], true, buf, sizeof(buf)), "10.0.0.1/24");
	assert_string_equal(nslab_prefix_fmt(&ln.addrs[0][1], true, buf, sizeof(buf)), "fd00::1/64");
	assert_string_equal(nslab_prefix_fmt(&ln.addrs[0][2], true, buf, sizeof(buf)), "192.168.9.1/30");
	assert_string_equal(nslab_prefix_fmt(&ln.addrs[1][0], true, buf, sizeof(buf)), "10.0.0.2/24");

	static const struct {
		const char *arg, *msg;
	} bad[] = {
		{ "b:eth2=10.0.0.3/24,10.0.0.300/24", "'b:eth2=10.0.0.3/24,10.0.0.300/24': '10.0.0.300/24' is not an IPv4 or IPv6 address (10.0.0.1/24, fd00::1/64)" },
		{ "b:eth2=10.0.0.3", "'b:eth2=10.0.0.3': '10.0.0.3' needs its prefix length (10.0.0.3/24)" },
		{ "b:eth2=fd00::3", "'b:eth2=fd00::3': 'fd00::3' needs its prefix length (fd00::3/64)" },
		{ "b:eth2=10.0.0.3/33", "'b:eth2=10.0.0.3/33': '10.0.0.3/33' is not an IPv4 or IPv6 address (10.0.0.1/24, fd00::1/64)" },
		{ "c:eth2=10.0.0.3/24", "'c:eth2=10.0.0.3/24': c:eth2 is not an end of the new link (a:eth2 or b:eth2)" },
		{ "10.0.0.3/24", "'10.0.0.3/24' is not NODE:IF=ADDRESS[,ADDRESS...]" },
		{ "=10.0.0.3/24", "'=10.0.0.3/24' is not NODE:IF=ADDRESS[,ADDRESS...]" },
		{ "b:eth2=", "'b:eth2=': an address is missing" },
		{ "b:eth2=10.0.0.3/24,", "'b:eth2=10.0.0.3/24,': an address is missing" },
		{ "b:eth2=10.0.0.2/16", "'b:eth2=10.0.0.2/16': '10.0.0.2/16' is given twice for this end" },
		{ "a:eth2=fd00::1/128", "'a:eth2=fd00::1/128': 'fd00::1/128' is given twice for this end" },
		{ "b:eth2=224.0.0.5/24", "'b:eth2=224.0.0.5/24': '224.0.0.5/24' is not a unicast address" },
		{ "b:eth2=0.0.0.0/0", "'b:eth2=0.0.0.0/0': '0.0.0.0/0' is not a unicast address" },
		{ "b:eth2=127.0.0.2/8", "'b:eth2=127.0.0.2/8': '127.0.0.2/8' is not a unicast address" },
		{ "b:eth2=ff02::1/64", "'b:eth2=ff02::1/64': 'ff02::1/64' is not a unicast address" },
		{ "b:eth2=::1/128", "'b:eth2=::1/128': '::1/128' is not a unicast address" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(&err, 0, sizeof(err));
		assert_int_equal(nslab_link_new_addr(&ln, bad[i].arg, &err), -EINVAL);
		assert_string_equal(err.msg, bad[i].msg);
		assert_int_equal(ln.naddrs[1], 1); /* unchanged, even by the good one before the bad one */
	}
	nslab_link_new_free(&ln);
	assert_null(ln.addrs[0]);
	assert_int_equal(ln.naddrs[0], 0);
}

/* Addresses are checked against the lab before anything is made: none on a bridge node's port,
 * IPv6 only with an MTU of 1280 or more, an MTU the kernel takes. */
static void test_check_new_addrs(void **state)
{
	struct nslab_lab_state st;
	struct nslab_link_new ln = { { "a:eth2", "sw:p1" }, 0, { NULL, NULL }, { 0, 0 } };
	struct nslab_err err = { 0 };

	(void)state;
	lab_state(&st);
	assert_int_equal(nslab_link_new_addr(&ln, "a:eth2=10.0.0.1/24", &err), 0);
	assert_int_equal(nslab_state_link_check_new(&st, &ln, &err), 0);
	assert_int_equal(nslab_link_new_addr(&ln, "sw:p1=10.0.0.2/24", &err), 0);
	assert_int_equal(nslab_state_link_check_new(&st, &ln, &err), -EINVAL);
	assert_string_equal(err.msg, "sw:p1 is a port of bridge node sw: a port takes no address");
	nslab_link_new_free(&ln);

	ln.end[1] = "b:eth2";
	assert_int_equal(nslab_link_new_addr(&ln, "b:eth2=fd00::2/64", &err), 0);
	ln.mtu = 1279;
	assert_int_equal(nslab_state_link_check_new(&st, &ln, &err), -EINVAL);
	assert_string_equal(err.msg, "fd00::2/64 on b:eth2: IPv6 needs an MTU of 1280 or more (MTU 1279)");
	ln.mtu = 1280;
	assert_int_equal(nslab_state_link_check_new(&st, &ln, &err), 0);
	ln.mtu = 67;
	assert_int_equal(nslab_state_link_check_new(&st, &ln, &err), -EINVAL);
	assert_string_equal(err.msg, "MTU 67: it goes from 68 to 65535");
	nslab_link_new_free(&ln);
	nslab_state_free(&st);
}

/* The bridge a new end is enslaved to: a bridge node's own device; never a bridge that a linux node
 * holds (containerlab's namespaced br01|bp1), whatever comes first in its interfaces. */
static void test_link_master(void **state)
{
	struct nslab_lab_state st;
	struct nslab_st_node *a;
	struct nslab_st_iface *br;

	(void)state;
	lab_state(&st);
	assert_int_equal(nslab_state_link_master(&st, "sw"), nslab_state_iface(nslab_state_node(&st, "sw"), "sw")->ifindex);
	assert_true(nslab_state_link_master(&st, "sw") > 0);
	assert_int_equal(nslab_state_link_master(&st, "a"), 0);
	assert_int_equal(nslab_state_link_master(&st, "zz"), 0);
	/* a linux node holding a bridge device, listed first */
	a = nslab_state_node(&st, "a");
	br = VEC_PUSH(a->ifaces, a->nifaces);
	memmove(a->ifaces + 1, a->ifaces, (a->nifaces - 1) * sizeof(*a->ifaces));
	memset(a->ifaces, 0, sizeof(*a->ifaces));
	br = &a->ifaces[0];
	br->name = xstrdup("br01");
	br->ifindex = 42;
	br->bridge = true;
	assert_int_equal(nslab_state_link_master(&st, "a"), 0);
	nslab_state_free(&st);
}

/* add records both interfaces with their peers and the link; remove takes exactly those out, and
 * the result goes through state.json's JSON and back. */
/* containerlab's BR|NODE:IF: NODE:IF and the bridge; anything else is left as it is. */
static void test_end_unfold(void **state)
{
	char e[64], br[NSLAB_IFNAMSIZ] = "x";

	(void)state;
	strcpy(e, "br01|bp1:c1eth1");
	assert_true(nslab_link_end_unfold(e, br));
	assert_string_equal(e, "bp1:c1eth1");
	assert_string_equal(br, "br01");
	for (size_t i = 0; i < 8; i++) {
		static const char *keep[] = { "a:eth1", "|bp1:eth1", "a:eth1|x", "bridge-name-too-long|a:e", "b r|a:e",
					      /* a malformed NODE:IF after the bar: the error names what was typed */
					      "br|bp1:", "br|:eth1", "br|bp1" };
		strcpy(e, keep[i]);
		strcpy(br, "x");
		assert_false(nslab_link_end_unfold(e, br));
		assert_string_equal(e, keep[i]);
		assert_string_equal(br, "x");
	}
}

/* A new port of a bridge inside a node: the bridge must be there, and the port takes no address;
 * --addr may name the end either way. */
static void test_check_new_bridge_port(void **state)
{
	static const char *yml = "name: t\n"
				 "topology:\n"
				 "  nodes:\n"
				 "    br01|bp1: {kind: bridge, network-mode: container:bp1}\n"
				 "    bp1: {kind: linux}\n"
				 "    c1: {kind: linux}\n"
				 "  links:\n"
				 "    - endpoints: [\"c1:eth1\", \"br01|bp1:c1eth1\"]\n";
	struct nslab_link_new ln = { { "c1:eth2", "bp1:c1eth2" }, 0, { NULL, NULL }, { 0, 0 }, { "", "br01" } };
	struct nslab_diags d = { 0 };
	struct nslab_topo *t = NULL;
	struct nslab_lab_state st;
	struct nslab_err err = { 0 };

	(void)state;
	assert_int_equal(nslab_topo_load_buf("t.yml", yml, strlen(yml), &t, &d), 0);
	nslab_state_from_topo(t, "t", "running", &st);
	assert_int_equal(nslab_state_link_check_new(&st, &ln, &err), 0);
	strcpy(ln.bridge[1], "br02");
	assert_int_equal(nslab_state_link_check_new(&st, &ln, &err), -ENOENT);
	assert_string_equal(err.msg, "node bp1 of lab t has no bridge br02");
	strcpy(ln.bridge[1], "br01");
	assert_int_equal(nslab_link_new_addr(&ln, "br01|bp1:c1eth2=10.0.0.1/24", &err), 0);
	assert_int_equal(ln.naddrs[1], 1);
	assert_int_equal(nslab_state_link_check_new(&st, &ln, &err), -EINVAL);
	assert_string_equal(err.msg, "bp1:c1eth2 is a port of bridge br01 inside node bp1: a port takes no address");
	nslab_link_new_free(&ln);
	nslab_state_free(&st);
	nslab_diags_free(&d);
	nslab_topo_free(t);
}

static void test_add_remove(void **state)
{
	struct nslab_lab_state st, back;
	struct nslab_err err = { 0 };
	const struct nslab_st_iface *si;
	size_t na, nlinks;
	json_t *j;

	(void)state;
	lab_state(&st);
	na = nslab_state_node(&st, "a")->nifaces;
	nlinks = st.nlinks;
	struct nslab_link_new ln = { { "a:eth2", "sw:p1" }, 1400, { NULL, NULL }, { 0, 0 } };
	assert_int_equal(nslab_link_new_addr(&ln, "a:eth2=10.9.0.1/24,fd09::1/64", &err), 0);
	nslab_state_link_add(&st, &ln, (int[2]){ 7, 4 });
	nslab_link_new_free(&ln);
	si = nslab_state_iface(nslab_state_node(&st, "a"), "eth2");
	assert_non_null(si);
	assert_int_equal(si->naddrs, 2);
	assert_string_equal(si->addrs[0], "10.9.0.1/24");
	assert_string_equal(si->addrs[1], "fd09::1/64");
	assert_int_equal(si->ifindex, 7);
	assert_int_equal(si->configured_mtu, 1400);
	assert_string_equal(si->peer, "sw:p1");
	si = nslab_state_iface(nslab_state_node(&st, "sw"), "p1");
	assert_non_null(si);
	assert_string_equal(si->peer, "a:eth2");
	assert_int_equal(st.nlinks, nlinks + 1);
	assert_string_equal(st.links[nlinks].a, "a:eth2");
	assert_int_equal(st.links[nlinks].mtu, 1400);

	j = nslab_state_to_json(&st);
	assert_int_equal(nslab_state_from_json(j, &back, &err), 0);
	json_decref(j);
	assert_string_equal(nslab_state_iface(nslab_state_node(&back, "sw"), "p1")->peer, "a:eth2");
	assert_int_equal(nslab_state_iface(nslab_state_node(&back, "a"), "eth2")->naddrs, 2);
	assert_string_equal(nslab_state_iface(nslab_state_node(&back, "a"), "eth2")->addrs[1], "fd09::1/64");
	assert_int_equal(nslab_state_iface(nslab_state_node(&back, "sw"), "p1")->naddrs, 0);
	/* which ends a remove takes */
	assert_int_equal(nslab_state_link_check_end(&back, "sw:p1", "a:eth2", &err), 0);
	assert_int_equal(nslab_state_link_check_end(&back, "sw:p1", NULL, &err), 0);
	assert_int_equal(nslab_state_link_check_end(&back, "sw:p1", "b:eth1", &err), -EINVAL);
	assert_string_equal(err.msg, "b:eth1 is not the peer of sw:p1 (its peer is a:eth2)");
	assert_int_equal(nslab_state_link_check_end(&back, "sw:sw", NULL, &err), -EINVAL);
	assert_string_equal(err.msg, "sw:sw is not the end of a link");
	assert_int_equal(nslab_state_link_check_end(&back, "a:eth9", NULL, &err), -ENOENT);
	assert_string_equal(err.msg, "node a of lab t has no interface eth9");

	/* removing by either order; the declared link stays */
	nslab_state_link_remove(&back, "sw:p1", "a:eth2");
	assert_null(nslab_state_iface(nslab_state_node(&back, "a"), "eth2"));
	assert_null(nslab_state_iface(nslab_state_node(&back, "sw"), "p1"));
	assert_int_equal(nslab_state_node(&back, "a")->nifaces, na);
	assert_int_equal(back.nlinks, nlinks);
	assert_non_null(nslab_state_iface(nslab_state_node(&back, "a"), "eth1"));
	/* the declared link, from its middle: the interfaces after it keep their place */
	nslab_state_link_remove(&back, "a:eth1", "b:eth1");
	assert_null(nslab_state_iface(nslab_state_node(&back, "a"), "eth1"));
	assert_int_equal(nslab_state_node(&back, "a")->nifaces, na - 1);
	assert_int_equal(nslab_state_node(&back, "b")->nifaces, 0);
	assert_int_equal(back.nlinks, nlinks - 1);
	nslab_state_free(&back);
	nslab_state_free(&st);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_check_new),
		cmocka_unit_test(test_add_remove),
		cmocka_unit_test(test_new_addr),
		cmocka_unit_test(test_check_new_addrs),
		cmocka_unit_test(test_link_master),
		cmocka_unit_test(test_end_unfold),
		cmocka_unit_test(test_check_new_bridge_port),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
