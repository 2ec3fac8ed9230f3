// SPDX-License-Identifier: GPL-2.0-or-later
/* tests/unit/test_lab_conf.c: the Kathará lab.conf reader, checked on the model it builds and the diagnostics it reports. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "tests/unit/topo_helpers.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "topologies/lab_conf.h"
#include "topologies/model.h"
#include "util/util.h"

/* ---- helpers ---- */

static int kload(const char *conf, const char *dep, struct nslab_topo **t, struct nslab_diags *d)
{
	return nslab_labconf_load_buf("lab.conf", conf, strlen(conf), dep, dep ? strlen(dep) : 0, NULL, t, d);
}

static struct nslab_topo *kload_ok(const char *conf, const char *dep, struct nslab_diags *d)
{
	struct nslab_topo *t = NULL;
	int ret = kload(conf, dep, &t, d);

	if (ret != 0)
		dump_diags(d);
	assert_int_equal(ret, 0);
	assert_non_null(t);
	assert_int_equal(d->nerrors, 0);
	return t;
}

#define assert_diag(d, text) assert_diag_match((d), (text), true)

/* conf must fail with exactly one error, the one given (file:line:col: error: message). */
#define assert_one_error(conf, text)                                           \
	do {                                                                   \
		struct nslab_diags d_ = { 0 };                                 \
		struct nslab_topo *t_ = (struct nslab_topo *)0x1;              \
		assert_int_equal(kload((conf), NULL, &t_, &d_), -EINVAL);      \
		assert_null(t_);                                               \
		assert_diag(&d_, (text));                                      \
		if (d_.nerrors != 1)                                           \
			dump_diags(&d_);                                       \
		assert_int_equal(d_.nerrors, 1);                               \
		nslab_diags_free(&d_);                                         \
	} while (0)

static const struct nslab_node *node(const struct nslab_topo *t, const char *name)
{
	for (size_t i = 0; i < t->nnodes; i++)
		if (!strcmp(t->nodes[i].name, name))
			return &t->nodes[i];
	print_error("no node %s\n", name);
	fail();
	return NULL;
}

static const char *kv(const struct nslab_kv *v, size_t n, const char *key)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(v[i].key, key))
			return v[i].value;
	return NULL;
}

/* "a:eth0" of a link end */
static void assert_link(const struct nslab_topo *t, size_t li, const char *a, const char *b)
{
	char buf[2][64];

	assert_true(li < t->nlinks);
	for (int e = 0; e < 2; e++) {
		const struct nslab_node *n = &t->nodes[t->links[li].ep[e].node];
		const struct nslab_iface *ifc = &n->ifaces[t->links[li].ep[e].iface];

		snprintf(buf[e], sizeof(buf[e]), "%s:%s", n->name, ifc->name);
		assert_int_equal(ifc->link, (long)li);
		assert_int_equal(ifc->end, e);
	}
	assert_string_equal(buf[0], a);
	assert_string_equal(buf[1], b);
}

/* ---- the model ---- */

static void test_two_devices(void **state)
{
	struct nslab_diags d = { 0 };
	struct nslab_topo *t;
	const struct nslab_node *r1;

	(void)state;
	t = kload_ok("r1[0]=\"A\"\n"
		     "r1[1]=B\n"
		     "r2[0]='B'\n"
		     "r2[1]=\"C\"\n"
		     "pc[0]=A\n"
		     "pc2[0]=C\n",
		     NULL, &d);
	assert_string_equal(t->name, "lab");
	assert_string_equal(t->file, "lab.conf");
	assert_int_equal(t->nnodes, 4);
	assert_int_equal(t->nlinks, 3);
	assert_false(t->exec_in_order);
	r1 = node(t, "r1");
	assert_int_equal(r1->kind, NSLAB_KIND_ROUTER);
	assert_int_equal(r1->nifaces, 2);
	assert_string_equal(r1->ifaces[0].name, "eth0");
	assert_int_equal(r1->ifaces[0].ifindex, 2);
	assert_string_equal(r1->ifaces[1].name, "eth1");
	assert_int_equal(r1->ifaces[1].ifindex, 3);
	assert_int_equal(r1->ifaces[0].mtu, 1500);
	assert_false(r1->ifaces[0].has_mac);
	assert_int_equal(r1->pos.line, 1);
	assert_int_equal(r1->ifaces[1].pos.line, 2);
	assert_int_equal(r1->ifaces[1].pos.col, 7);
	/* pc's eth0 would be 2 like its peer r1's: it moves to 3 (carrier events at once) */
	assert_int_equal(node(t, "pc")->ifaces[0].ifindex, 3);
	for (size_t l = 0; l < t->nlinks; l++)
		assert_int_not_equal(t->nodes[t->links[l].ep[0].node].ifaces[t->links[l].ep[0].iface].ifindex,
				     t->nodes[t->links[l].ep[1].node].ifaces[t->links[l].ep[1].iface].ifindex);
	/* links in the order their collision domains first appear */
	assert_link(t, 0, "r1:eth0", "pc:eth0");
	assert_link(t, 1, "r1:eth1", "r2:eth0");
	assert_link(t, 2, "r2:eth1", "pc2:eth0");
	assert_int_equal(t->links[0].mtu, 1500);
	assert_int_equal(t->links[1].pos.line, 2);
	/* Kathará's Docker defaults; IPv6 off unless asked */
	assert_string_equal(kv(r1->sysctls, r1->nsysctls, "net.ipv4.conf.all.rp_filter"), "0");
	assert_string_equal(kv(r1->sysctls, r1->nsysctls, "net.ipv6.conf.all.disable_ipv6"), "1");
	assert_null(r1->root_copy);
	assert_int_equal(r1->nexec, 0);
	assert_int_equal(r1->nshutdown, 0);
	nslab_topo_free(t);
	assert_int_equal(d.n, 0);
	nslab_diags_free(&d);
}

static void test_interfaces_out_of_order_and_mac(void **state)
{
	struct nslab_diags d = { 0 };
	struct nslab_topo *t;
	const struct nslab_node *a;

	(void)state;
	t = kload_ok("a[1]=\"B/02:00:00:00:00:0b\"\n"
		     "a[0]=\"A/00:00:00:00:00:A1\"\n"
		     "b[0]=A\n"
		     "c[0]=B\n",
		     NULL, &d);
	a = node(t, "a");
	assert_string_equal(a->ifaces[0].name, "eth0");
	assert_true(a->ifaces[0].has_mac);
	assert_memory_equal(a->ifaces[0].mac, "\x00\x00\x00\x00\x00\xa1", 6);
	assert_memory_equal(a->ifaces[1].mac, "\x02\x00\x00\x00\x00\x0b", 6);
	assert_int_equal(a->ifaces[1].ifindex, 3);
	assert_link(t, 0, "a:eth1", "c:eth0");
	assert_link(t, 1, "a:eth0", "b:eth0");
	nslab_topo_free(t);
	nslab_diags_free(&d);
}

static void test_bridges(void **state)
{
	struct nslab_diags d = { 0 };
	struct nslab_topo *t;
	const struct nslab_node *br, *lone;

	(void)state;
	t = kload_ok("h1[0]=LAN\n"
		     "h2[0]=LAN\n"
		     "h3[0]=LAN\n"
		     "h3[1]=STUB\n"
		     "averyveryverylongdevicename[0]=LAN\n",
		     NULL, &d);
	/* devices, then one bridge node per collision domain of 1 or 3+ devices */
	assert_int_equal(t->nnodes, 6);
	assert_int_equal(t->nlinks, 5);
	br = node(t, "cd-LAN");
	assert_int_equal(br->kind, NSLAB_KIND_BRIDGE);
	assert_int_equal(br->br_ifindex, 2);
	assert_int_equal(br->nifaces, 4);
	assert_string_equal(br->ifaces[0].name, "h1-eth0");
	assert_int_equal(br->ifaces[0].ifindex, 3);
	assert_string_equal(br->ifaces[2].name, "h3-eth0");
	assert_string_equal(br->ifaces[3].name, "p4"); /* the device's name does not fit */
	assert_int_equal(br->ifaces[3].ifindex, 6);
	assert_int_equal(br->pos.line, 1);
	assert_link(t, 0, "cd-LAN:h1-eth0", "h1:eth0");
	assert_link(t, 3, "cd-LAN:p4", "averyveryverylongdevicename:eth0");
	lone = node(t, "cd-STUB");
	assert_int_equal(lone->nifaces, 1);
	assert_link(t, 4, "cd-STUB:h3-eth1", "h3:eth1");
	nslab_topo_free(t);
	nslab_diags_free(&d);
}

static void test_bridge_names(void **state)
{
	char *a, *b, *c;

	(void)state;
	a = nslab_labconf_bridge_name("A");
	assert_string_equal(a, "cd-A");
	b = nslab_labconf_bridge_name("abcdefghijkl"); /* 12: still fits */
	assert_string_equal(b, "cd-abcdefghijkl");
	free(a);
	free(b);
	a = nslab_labconf_bridge_name("abcdefghijklm");
	b = nslab_labconf_bridge_name("abcdefghijklm");
	c = nslab_labconf_bridge_name("abcdefghijkln");
	assert_int_equal(strlen(a), 15);
	assert_true(nslab_ifname_valid(a) && nslab_name_valid(a));
	assert_string_equal(a, b);	   /* deterministic */
	assert_string_not_equal(a, c);	   /* and told apart */
	assert_memory_equal(a, "cd-abcdefg-", 11);
	free(a);
	free(b);
	free(c);
}

static void test_lab_names(void **state)
{
	char *s;

	(void)state;
	s = nslab_labconf_lab_name("kathara-lab_dns");
	assert_string_equal(s, "kathara-lab_dns");
	free(s);
	s = nslab_labconf_lab_name("--My Lab.v2");
	assert_string_equal(s, "My_Lab_v2");
	free(s);
	s = nslab_labconf_lab_name("");
	assert_string_equal(s, "lab");
	free(s);
	s = nslab_labconf_lab_name("0123456789012345678901234567890123456789012345678901234567890");
	assert_int_equal(strlen(s), NSLAB_NAME_MAX);
	free(s);
}

static void test_options(void **state)
{
	struct nslab_diags d = { 0 };
	struct nslab_topo *t;
	const struct nslab_node *a, *b;

	(void)state;
	t = kload_ok("a[0]=A\n"
		     "a[image]=\"kathara/frr\"\n"
		     "a[shell]=\"/bin/sh\"\n"
		     "a[exec]=\"ip link set eth0 up\"\n"
		     "a[exec]=echo two words\n"
		     "a[sysctl]=\"net.ipv4.conf.all.rp_filter=2\"\n"
		     "a[sysctl]=\"net.ipv6.conf.eth0.accept_ra=2\"\n"
		     "a[env]=\"GREETING=hello world\"\n"
		     "a[mem]=512\n"
		     "a[cpus]=0.5\n"
		     "a[ipv6]=True\n"
		     "b[0]=A\n"
		     "b[mem]=\"1G\"\n"
		     "b[ipv6]=\"off\"\n",
		     NULL, &d);
	assert_int_equal(d.n, 0);
	a = node(t, "a");
	assert_string_equal(kv(a->labels, a->nlabels, "image"), "kathara/frr");
	assert_string_equal(kv(a->labels, a->nlabels, "shell"), "/bin/sh");
	assert_int_equal(a->nexec, 2);
	assert_string_equal(a->exec[0], "ip link set eth0 up");
	assert_string_equal(a->exec[1], "echo two words");
	/* the file's sysctl replaces Kathará's default */
	assert_string_equal(kv(a->sysctls, a->nsysctls, "net.ipv4.conf.all.rp_filter"), "2");
	assert_string_equal(kv(a->sysctls, a->nsysctls, "net.ipv6.conf.eth0.accept_ra"), "2");
	assert_string_equal(kv(a->sysctls, a->nsysctls, "net.ipv6.conf.all.disable_ipv6"), "0");
	assert_string_equal(kv(a->sysctls, a->nsysctls, "net.ipv6.conf.all.accept_ra"), "0");
	assert_string_equal(kv(a->env, a->nenv, "GREETING"), "hello world");
	assert_null(kv(a->env, a->nenv, "PATH")); /* no folder, no shims */
	assert_int_equal(a->limits.memory_bytes, 512ull << 20);
	assert_true(a->limits.cpu > 0.49 && a->limits.cpu < 0.51);
	b = node(t, "b");
	assert_int_equal(b->limits.memory_bytes, 1ull << 30);
	assert_string_equal(kv(b->sysctls, b->nsysctls, "net.ipv6.conf.all.disable_ipv6"), "1");
	nslab_topo_free(t);
	nslab_diags_free(&d);
}

static void test_warnings(void **state)
{
	struct nslab_diags d = { 0 };
	struct nslab_topo *t;

	(void)state;
	t = kload_ok("a[0]=A\n"
		     "b[0]=A\n"
		     "w[bridged]=true\n"
		     "w[port]=\"3000:3000\"\n"
		     "w[num_terms]=0\n"
		     "a[image]=x\n"
		     "a[image]=y\n"
		     "a[colour]=blue\n"
		     "a[sysctl]=net.ipv4.ip_forward=1\n"
		     "a[sysctl]=net.ipv4.ip_forward=0\n",
		     NULL, &d);
	assert_diag(&d, "lab.conf:3:3: warning: w[bridged] is ignored: it needs Docker...");
	assert_diag(&d, "lab.conf:4:3: warning: w[port] is ignored: it needs Docker...");
	assert_diag(&d, "lab.conf:5:3: warning: w[num_terms] is ignored: it needs Docker...");
	assert_diag(&d, "lab.conf:7:3: warning: a[image] is set again (first at line 6): this value wins");
	assert_diag(&d, "lab.conf:8:3: warning: unknown device option a[colour]: ignored...");
	assert_diag(&d, "lab.conf:10:11: warning: a: sysctl net.ipv4.ip_forward set again: the value at this line wins");
	assert_int_equal(d.n, 6);
	/* a device without interfaces is still a node */
	assert_int_equal(node(t, "w")->nifaces, 0);
	assert_string_equal(kv(node(t, "a")->labels, node(t, "a")->nlabels, "image"), "y");
	nslab_topo_free(t);
	nslab_diags_free(&d);
}

static void test_metadata_comments_and_line_ends(void **state)
{
	struct nslab_diags d = { 0 };
	struct nslab_topo *t;

	(void)state;
	t = kload_ok("# a comment\r\n"
		     "LAB_DESCRIPTION=\"A lab, with = inside\"\r\n"
		     "LAB_VERSION=2.0\n"
		     "LAB_AUTHOR=\"T. Caiazzi, G. Di Battista\"\n"
		     "LAB_EMAIL=contact@kathara.org\n"
		     "LAB_WEB=http://www.kathara.org/\n"
		     "LAB_NAME=\"ospf\"\n"
		     "\n"
		     "   \t\n"
		     "  # an indented comment (Kathará refuses it)\n"
		     "  a[0]=\"A\"   # trailing comment after a quoted value\r\n"
		     "b[0]='A'\t# and after single quotes\n"
		     "b[exec]=echo no newline at the end",
		     NULL, &d);
	assert_string_equal(t->name, "ospf");
	assert_int_equal(t->nnodes, 2);
	assert_int_equal(node(t, "a")->pos.line, 11);
	assert_int_equal(node(t, "a")->pos.col, 3);
	assert_string_equal(node(t, "b")->exec[0], "echo no newline at the end");
	assert_int_equal(d.n, 0);
	nslab_topo_free(t);

	t = kload_ok("LAB_NAME=My Lab\na[0]=A\n", NULL, &d);
	assert_string_equal(t->name, "My_Lab");
	assert_diag(&d, "lab.conf:1:10: warning: LAB_NAME \"My Lab\" is not a valid lab name: the lab is named My_Lab");
	nslab_topo_free(t);
	nslab_diags_free(&d);
}

/* ---- errors, each at lab.conf:line:col ---- */

static void test_syntax_errors(void **state)
{
	(void)state;
	assert_one_error("a[0]=A\nthis is not a line\n",
			 "lab.conf:2:1: error: syntax error: expected DEVICE[N]=\"CD\", DEVICE[OPTION]=VALUE, LAB_NAME=... "
			 "(or another LAB_* line) or a # comment");
	assert_one_error("a[0]=A\n LAB_NAME=x\n", "lab.conf:2:2: error: syntax error...");
	assert_one_error("a[0]=A\nb[0]=\n", "lab.conf:2:6: error: empty value for b[0]");
	assert_one_error("a[0]=A\nb[0]=\"A\n", "lab.conf:2:8: error: missing closing quote \"");
	assert_one_error("a[0]=A\nb[0]=\"A'\"\n", "lab.conf:2:8: error: a value cannot contain quotes (Kathará's syntax)");
	assert_one_error("a[0]=A\nb[exec]=echo 'x'\n", "lab.conf:2:14: error: a value cannot contain quotes (Kathará's syntax)");
	assert_one_error("a[0]=A\nb[0]=\"A\"x\n",
			 "lab.conf:2:9: error: unexpected text after the closing quote (a comment needs a space and #)");
	assert_one_error("a[0]=A\nb[0]=A #x\n",
			 "lab.conf:2:6: error: collision domain \"A #x\" contains characters other than letters, digits and _");
	assert_one_error("a[0]=A\nb[0 ]=A\n",
			 "lab.conf:2:3: error: expected b[N]=\"CD\" or b[OPTION]=VALUE: the part in brackets is a number or an "
			 "option name");
	assert_one_error("a[0]=A\nb[0]:A\n", "lab.conf:2:3: error: expected b[N]=...");
	assert_one_error("Router1[0]=A\n",
			 "lab.conf:1:1: error: invalid device name \"Router1\": 1-30 lowercase letters, digits and _ (Kathará's rule)");
	assert_one_error("a234567890123456789012345678901[0]=A\n", "lab.conf:1:1: error: invalid device name...");
	assert_one_error("a[0]=A\nshared[0]=A\n",
			 "lab.conf:2:1: error: \"shared\" is a reserved name (Kathará's), it cannot name a device");
	assert_one_error("", "lab.conf: error: lab.conf is empty: a lab needs at least one DEVICE[N]=\"CD\" line");
	assert_one_error("# only\nLAB_NAME=x\n",
			 "lab.conf: error: lab.conf defines no device: a lab needs at least one DEVICE[N]=\"CD\" line");
}

static void test_interface_errors(void **state)
{
	(void)state;
	assert_one_error("a[0]=A\nb[0]=A\na[0]=B\n", "lab.conf:3:6: error: interface 0 (eth0) of a is already set at line 1");
	assert_one_error("a[0]=A\nb[0]=A\na[1]=A\n",
			 "lab.conf:3:6: error: a is already connected to collision domain A (eth0, line 1)");
	assert_one_error("a[0]=A\nb[0]=A\na[2]=B\n",
			 "lab.conf:3:6: error: a has interface 2 but no interface 1: interfaces are numbered from 0 without gaps");
	assert_one_error("a[1]=A\nb[0]=A\n", "lab.conf:1:6: error: a has interface 1 but no interface 0...");
	assert_one_error("a[0]=A-B\n",
			 "lab.conf:1:6: error: collision domain \"A-B\" contains characters other than letters, digits and _");
	assert_one_error("a[0]=\"A/00:00:00:00:00:01/x\"\n",
			 "lab.conf:1:7: error: invalid interface definition \"A/00:00:00:00:00:01/x\": write \"CD\" or \"CD/MAC\"");
	assert_one_error("a[0]=\"A/01:00:00:00:00:01\"\n",
			 "lab.conf:1:9: error: invalid MAC address \"01:00:00:00:00:01\" of a eth0: six hex bytes "
			 "aa:bb:cc:dd:ee:ff, unicast, not all zero");
	assert_one_error("a[0]=A/zz\n", "lab.conf:1:8: error: invalid MAC address \"zz\"...");
	assert_one_error("a[99999]=A\n", "lab.conf:1:3: error: interface number 99999 of a is too large (at most 4095)");
}

static void test_option_errors(void **state)
{
	(void)state;
	assert_one_error("a[0]=A\na[sysctl]=\"kernel.panic=1\"\n",
			 "lab.conf:2:12: error: invalid sysctl \"kernel.panic=1\" of a: write KEY=VALUE with a key in the net. "
			 "namespace (net.ipv4.ip_forward=1)");
	assert_one_error("a[0]=A\na[sysctl]=net.ipv4.ip_forward\n", "lab.conf:2:11: error: invalid sysctl...");
	assert_one_error("a[0]=A\na[sysctl]=net.a=1=2\n", "lab.conf:2:11: error: invalid sysctl...");
	assert_one_error("a[0]=A\na[env]=\"A-B=1\"\n",
			 "lab.conf:2:9: error: invalid env \"A-B=1\" of a: write NAME=VALUE (NAME of letters, digits, _; no = in "
			 "VALUE)");
	assert_one_error("a[0]=A\na[mem]=lots\n",
			 "lab.conf:2:8: error: invalid mem \"lots\" of a: a number of MB (512), or with b, k, m or g (1g)");
	assert_one_error("a[0]=A\na[mem]=1k\n", "lab.conf:2:8: error: mem \"1k\" of a is below 4m, too little to run anything");
	assert_one_error("a[0]=A\na[cpus]=0\n",
			 "lab.conf:2:9: error: invalid cpus \"0\" of a: a number of CPUs above 0 (0.5 is half of one)");
	assert_one_error("a[0]=A\na[ipv6]=maybe\n", "lab.conf:2:9: error: invalid ipv6 \"maybe\" of a: true or false");
}

static void test_all_errors_in_one_pass(void **state)
{
	struct nslab_diags d = { 0 };
	struct nslab_topo *t = NULL;
	char *big;
	size_t n = 0;

	(void)state;
	assert_int_equal(kload("a[0]=A\nbad line\nb[0]=A/zz\nc[ipv6]=x\nd[2]=A\n", NULL, &t, &d), -EINVAL);
	assert_null(t);
	assert_int_equal(d.nerrors, 4);
	assert_diag(&d, "lab.conf:2:1: error: syntax error...");
	assert_diag(&d, "lab.conf:3:8: error: invalid MAC address \"zz\"...");
	assert_diag(&d, "lab.conf:4:9: error: invalid ipv6 \"x\" of c: true or false");
	assert_diag(&d, "lab.conf:5:6: error: d has interface 2 but no interface 0...");
	nslab_diags_free(&d);

	big = xmalloc(300 * 8 + 1);
	for (int i = 0; i < 300; i++)
		n += (size_t)sprintf(big + n, "bad %03d\n", i);
	assert_int_equal(nslab_labconf_load_buf("lab.conf", big, n, NULL, 0, NULL, &t, &d), -EINVAL);
	assert_int_equal(d.nerrors, 201);
	assert_diag(&d, "lab.conf: error: too many errors: only the first 200 are shown");
	nslab_diags_free(&d);
	free(big);

	assert_int_equal(nslab_labconf_load_buf("lab.conf", "a[0]=A\n\0b", 10, NULL, 0, NULL, &t, &d), -EINVAL);
	assert_diag(&d, "lab.conf:2: error: NUL byte in the file (at byte 7): not a text file");
	nslab_diags_free(&d);
	/* without a place for the model, only the verdict */
	assert_int_equal(nslab_labconf_load_buf("lab.conf", "a[0]=A\n", 7, NULL, 0, NULL, NULL, NULL), 0);
	assert_int_equal(nslab_labconf_load_buf("lab.conf", "x\n", 2, NULL, 0, NULL, NULL, NULL), -EINVAL);
}

/* ---- lab.dep ---- */

static void test_dep_order(void **state)
{
	struct nslab_diags d = { 0 };
	struct nslab_topo *t;

	(void)state;
	t = kload_ok("web[0]=A\ndns[0]=A\nclient[0]=A\nfree[0]=A\n",
		     "# the client needs both servers, the web server needs DNS\n"
		     "client: web dns\n"
		     "\n"
		     "web:dns\n",
		     &d);
	assert_true(t->exec_in_order);
	/* Kathará: devices lab.dep does not name first, then dependencies before dependents */
	assert_string_equal(t->nodes[0].name, "free");
	assert_string_equal(t->nodes[1].name, "dns");
	assert_string_equal(t->nodes[2].name, "web");
	assert_string_equal(t->nodes[3].name, "client");
	/* links still point at the right nodes */
	assert_string_equal(t->nodes[t->links[0].ep[1].node].name, "web");
	assert_int_equal(d.n, 0);
	nslab_topo_free(t);

	t = kload_ok("a[0]=A\nb[0]=A\n", "a: ghost\n", &d);
	assert_diag(&d, "lab.dep:1: warning: ghost is not a device of lab.conf: ignored");
	nslab_topo_free(t);
	nslab_diags_free(&d);
}

static void test_dep_errors(void **state)
{
	struct nslab_diags d = { 0 };
	struct nslab_topo *t = NULL;

	(void)state;
	assert_int_equal(kload("a[0]=A\nb[0]=A\nc[0]=A\n", "a: b\nb: c\nc: a\n", &t, &d), -EINVAL);
	assert_diag(&d, "lab.dep:1: error: dependency loop: a -> b -> c -> a");
	nslab_diags_free(&d);
	assert_int_equal(kload("a[0]=A\nb[0]=A\n", "a b\n", &t, &d), -EINVAL);
	assert_diag(&d, "lab.dep:1: error: syntax error: expected DEVICE: DEVICE1 DEVICE2 ... (DEVICE starts after those)");
	nslab_diags_free(&d);
	assert_int_equal(kload("a[0]=A\nb[0]=A\n", "a: b  c\n", &t, &d), -EINVAL);
	nslab_diags_free(&d);
	assert_int_equal(kload("a[0]=A\nb[0]=A\n", "a:\n", &t, &d), -EINVAL);
	nslab_diags_free(&d);
	t = kload_ok("a[0]=A\nb[0]=A\n", "# nothing\n", &d);
	assert_false(t->exec_in_order);
	assert_diag(&d, "lab.dep: warning: lab.dep has no dependency: devices start in any order");
	nslab_topo_free(t);
	nslab_diags_free(&d);
}

/* ---- folders ---- */

static void put(const char *dir, const char *name, const char *text)
{
	char *p = xasprintf("%s/%s", dir, name);

	assert_int_equal(nslab_write_file(p, text, strlen(text), 0644), 0);
	free(p);
}

static void rm_rf(const char *dir)
{
	char *cmd = xasprintf("rm -rf '%s'", dir);

	assert_int_equal(system(cmd), 0);
	free(cmd);
}

static void test_folder(void **state)
{
	char tmp[] = "/tmp/nslab-test-kathara-XXXXXX";
	struct nslab_diags d = { 0 };
	struct nslab_topo *t = NULL;
	const struct nslab_node *r1, *r2;
	char *lab, *p, *want;

	(void)state;
	assert_non_null(mkdtemp(tmp));
	lab = xasprintf("%s/my lab's", tmp); /* a name to quote */
	assert_int_equal(mkdir(lab, 0755), 0);
	put(lab, "lab.conf", "r1[0]=A\nr1[exec]=echo after\nr2[0]=A\n");
	put(lab, "r1.startup", "ip link\n");
	put(lab, "shared.startup", "true\n");
	put(lab, "r1.shutdown", "true\n");
	put(lab, "shared.shutdown", "true\n");
	put(lab, "lab.dep", "r1: r2\n");
	put(lab, "lab.ext", "# host NICs\nA enp0s3.10\n");
	p = xasprintf("%s/r1", lab);
	assert_int_equal(mkdir(p, 0755), 0);
	free(p);
	p = xasprintf("%s/shared", lab);
	assert_int_equal(mkdir(p, 0755), 0);
	free(p);

	assert_true(nslab_labconf_is_lab(lab));
	assert_false(nslab_labconf_is_lab(tmp));
	/* the YAML loader's entry hands a lab folder over */
	assert_int_equal(nslab_topo_load_file(lab, &t, &d), 0);
	assert_string_equal(t->name, "my_lab_s"); /* the folder's name */
	p = xasprintf("%s/lab.conf", lab);
	assert_string_equal(t->file, p);
	assert_true(t->exec_in_order);
	assert_string_equal(t->nodes[0].name, "r2");
	r1 = node(t, "r1");
	assert_int_equal(r1->nexec, 3);
	want = xasprintf("bash '%s/my lab'\\''s/shared.startup'", tmp);
	assert_string_equal(r1->exec[0], want);
	free(want);
	want = xasprintf("bash '%s/my lab'\\''s/r1.startup'", tmp);
	assert_string_equal(r1->exec[1], want);
	free(want);
	assert_string_equal(r1->exec[2], "echo after");
	assert_int_equal(r1->nshutdown, 2);
	want = xasprintf("bash '%s/my lab'\\''s/r1.shutdown'", tmp);
	assert_string_equal(r1->shutdown[0], want);
	free(want);
	want = xasprintf("bash '%s/my lab'\\''s/shared.shutdown'", tmp);
	assert_string_equal(r1->shutdown[1], want);
	free(want);
	want = xasprintf("%s/r1", lab);
	assert_string_equal(r1->root_copy, want);
	free(want);
	/* the lab's folder read-only at its own path (startup files are run from there, nodes having
	 * their own root), then shared/ at /shared */
	assert_int_equal(r1->nbinds, 2);
	assert_string_equal(r1->binds[0].src, lab);
	assert_string_equal(r1->binds[0].dst, lab);
	assert_true(r1->binds[0].ro);
	want = xasprintf("%s/shared", lab);
	assert_string_equal(r1->binds[1].src, want);
	free(want);
	assert_string_equal(r1->binds[1].dst, "/shared");
	assert_false(r1->binds[1].ro);
	r2 = node(t, "r2");
	assert_null(r2->root_copy);
	assert_int_equal(r2->nexec, 1); /* shared.startup only */
	want = xasprintf("%s/lab.ext:2:1: warning: ignored: lab.ext connects a collision domain to a host network "
			 "interface, and nslab labs never touch the host's network",
			 lab);
	assert_diag(&d, want);
	free(want);
	nslab_topo_free(t);
	nslab_diags_free(&d);

	/* DIR/lab.conf is the same lab */
	assert_true(nslab_labconf_is_lab(p));
	assert_int_equal(nslab_topo_load_file(p, &t, &d), 0);
	assert_string_equal(t->file, p);
	nslab_topo_free(t);
	nslab_diags_free(&d);
	free(p);

	/* errors in lab.dep name it */
	put(lab, "lab.dep", "r1 r2\n");
	assert_int_equal(nslab_labconf_load_dir(lab, &t, &d), -EINVAL);
	want = xasprintf("%s/lab.dep:1: error: syntax error...", lab);
	assert_diag(&d, want);
	free(want);
	nslab_diags_free(&d);

	/* LAB_NAME names the lab */
	put(lab, "lab.dep", "r1: r2\n");
	put(lab, "lab.conf", "LAB_NAME=\"campus\"\nr1[0]=A\n");
	assert_int_equal(nslab_labconf_load_dir(lab, &t, &d), 0);
	assert_string_equal(t->name, "campus");
	nslab_topo_free(t);
	nslab_diags_free(&d);

	p = xasprintf("%s/lab.conf", tmp);
	assert_int_equal(nslab_labconf_load_dir(tmp, &t, &d), -ENOENT);
	want = xasprintf("%s: error: cannot read %s: No such file or directory", p, p);
	assert_diag(&d, want);
	free(want);
	free(p);
	nslab_diags_free(&d);
	rm_rf(tmp);
	free(lab);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_two_devices),
		cmocka_unit_test(test_interfaces_out_of_order_and_mac),
		cmocka_unit_test(test_bridges),
		cmocka_unit_test(test_bridge_names),
		cmocka_unit_test(test_lab_names),
		cmocka_unit_test(test_options),
		cmocka_unit_test(test_warnings),
		cmocka_unit_test(test_metadata_comments_and_line_ends),
		cmocka_unit_test(test_syntax_errors),
		cmocka_unit_test(test_interface_errors),
		cmocka_unit_test(test_option_errors),
		cmocka_unit_test(test_all_errors_in_one_pass),
		cmocka_unit_test(test_dep_order),
		cmocka_unit_test(test_dep_errors),
		cmocka_unit_test(test_folder),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
