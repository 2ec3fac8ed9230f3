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
#include <unistd.h>

#include "core/service.h"
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_frr_daemons),
		cmocka_unit_test(test_startup_config_inline_and_file),
		cmocka_unit_test(test_kind_services),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
