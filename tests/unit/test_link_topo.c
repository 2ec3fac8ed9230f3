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

static void test_check_new(void **state)
{
	struct nslab_lab_state st;
	struct nslab_err err = { 0 };

	(void)state;
	lab_state(&st);
	assert_int_equal(nslab_state_link_check_new(&st, "a:eth2", "b:eth2", &err), 0);
	assert_int_equal(nslab_state_link_check_new(&st, "a:eth2", "a:eth3", &err), 0);
	assert_int_equal(nslab_state_link_check_new(&st, "a:eth1", "b:eth2", &err), -EEXIST);
	assert_string_equal(err.msg, "node a of lab t already has an interface eth1");
	assert_int_equal(nslab_state_link_check_new(&st, "a:eth2", "zz:eth1", &err), -ENOENT);
	assert_string_equal(err.msg, "lab t has no node zz");
	assert_int_equal(nslab_state_link_check_new(&st, "a:eth2", "a:eth2", &err), -EINVAL);
	assert_int_equal(nslab_state_link_check_new(&st, "a", "b:eth2", &err), -EINVAL);
	assert_string_equal(err.msg, "'a' is not NODE:INTERFACE");
	assert_int_equal(nslab_state_link_check_new(&st, "a:this-name-is-too-long", "b:eth2", &err), -EINVAL);
	assert_int_equal(nslab_state_link_check_new(&st, "a:lo", "b:eth2", &err), -EINVAL);
	assert_string_equal(err.msg, "a:lo: lo is the node's loopback");
	nslab_state_free(&st);
}

/* add records both interfaces with their peers and the link; remove takes exactly those out, and
 * the result goes through state.json's JSON and back. */
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
	nslab_state_link_add(&st, "a:eth2", 7, "sw:p1", 4, 1400);
	si = nslab_state_iface(nslab_state_node(&st, "a"), "eth2");
	assert_non_null(si);
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
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
