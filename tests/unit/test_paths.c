// SPDX-License-Identifier: GPL-2.0-or-later
/* tests/unit/test_paths.c: host paths of topology files (topologies/paths.c) and the host mounts nodes see (core/rootfs.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "core/rootfs.h"
#include "topologies/paths.h"
#include "util/util.h"

static const char *fake_get(void *ctx, const char *name)
{
	(void)ctx;
	if (!strcmp(name, "LABS"))
		return "/srv/labs";
	if (!strcmp(name, "EMPTY"))
		return "";
	if (!strcmp(name, "V_1"))
		return "v1";
	return NULL;
}

static const struct nslab_path_env env = { .get = fake_get, .home = "/home/ann", .cwd = "/work/here" };

static void check_expand(const char *in, const char *want)
{
	const char *why = NULL;
	char *got = nslab_path_expand(in, &env, &why);

	if (!got)
		fail_msg("expand(%s): error %s", in, why);
	if (strcmp(got, want))
		fail_msg("expand(%s) = %s, want %s", in, got, want);
	free(got);
}

static void test_expand(void **state)
{
	(void)state;
	check_expand("plain/path", "plain/path");
	check_expand("${LABS}/r1", "/srv/labs/r1");
	check_expand("$LABS/r1", "/srv/labs/r1");
	check_expand("$V_1x", "");		  /* the name runs as far as it can: V_1x is unset */
	check_expand("${V_1}x", "v1x");
	check_expand("${NOPE}/a", "/a");	  /* unset: empty, as containerlab's expansion */
	check_expand("${NOPE:-/def}/a", "/def/a");
	check_expand("${EMPTY:-d}", "d");	  /* :- takes the default for empty too */
	check_expand("${EMPTY-d}", "");		  /* - only for unset */
	check_expand("${NOPE-d}", "d");
	check_expand("${NOPE:=d}", "d");
	check_expand("${LABS:-d}", "/srv/labs");
	check_expand("a$$b", "a$b");
	check_expand("cost$", "cost$");
	check_expand("a$-b", "a$-b");
	check_expand("", "");

	const char *why = NULL;
	assert_null(nslab_path_expand("${LABS", &env, &why));
	assert_non_null(why);
	why = NULL;
	assert_null(nslab_path_expand("${}", &env, &why));
	assert_non_null(why);
	why = NULL;
	assert_null(nslab_path_expand("${LABS:x}", &env, &why));
	assert_non_null(why);
}

static void test_clean(void **state)
{
	static const struct {
		const char *in, *want;
	} cases[] = {
		{ "/a//b/./c/../d", "/a/b/d" }, { "/../x", "/x" }, { "a/../../b", "../b" }, { "./", "." },
		{ "/", "/" }, { "/a/b/", "/a/b" }, { "a/./b", "a/b" }, { "/a/b/../..", "/" },
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		char *got = nslab_path_clean(cases[i].in);
		if (strcmp(got, cases[i].want))
			fail_msg("clean(%s) = %s, want %s", cases[i].in, got, cases[i].want);
		free(got);
	}
}

static void test_resolve(void **state)
{
	static const struct {
		const char *p, *file, *want;
	} cases[] = {
		{ "router1/daemons", "/labs/frr01/frr01.clab.yml", "/labs/frr01/router1/daemons" },
		{ "../scripts/start.sh", "/labs/ospf/topology.yml", "/labs/scripts/start.sh" },
		{ "./a", "frr01/frr01.clab.yml", "/work/here/frr01/a" },  /* relative file name: from cwd */
		{ "a", "t.yml", "/work/here/a" },
		{ "~/cfg/r1.conf", "/labs/t.yml", "/home/ann/cfg/r1.conf" },
		{ "~", "/labs/t.yml", "/home/ann" },
		{ "/etc/../srv//x", "/labs/t.yml", "/srv/x" },
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		char *got = nslab_path_resolve(cases[i].p, cases[i].file, &env);
		if (strcmp(got, cases[i].want))
			fail_msg("resolve(%s in %s) = %s, want %s", cases[i].p, cases[i].file, got, cases[i].want);
		free(got);
	}
}

static void test_bind(void **state)
{
	const char *why = NULL;
	char *got;

	(void)state;
	got = nslab_path_bind("router1/daemons:/etc/frr/daemons", "/labs/frr01/frr01.clab.yml", &env, &why);
	assert_string_equal(got, "/labs/frr01/router1/daemons:/etc/frr/daemons");
	free(got);
	/* expanded before it is split: a default with ':' in it is one path */
	got = nslab_path_bind("${NOPE:-cfg}/a:/mnt/a:ro", "/labs/t.yml", &env, &why);
	assert_string_equal(got, "/labs/cfg/a:/mnt/a:ro");
	free(got);
	got = nslab_path_bind("$LABS/x:/x", "/labs/t.yml", &env, &why);
	assert_string_equal(got, "/srv/labs/x:/x");
	free(got);
	/* malformed binds come back for the loader to explain */
	got = nslab_path_bind("nocolon", "/labs/t.yml", &env, &why);
	assert_string_equal(got, "nocolon");
	free(got);
	assert_null(nslab_path_bind("${X:/y", "/labs/t.yml", &env, &why));
}

static void test_path_under(void **state)
{
	(void)state;
	assert_true(nslab_path_under("/run", "/run"));
	assert_true(nslab_path_under("/run/nslab", "/run"));
	assert_true(nslab_path_under("/run/nslab", "/run/"));
	assert_false(nslab_path_under("/running", "/run"));
	assert_true(nslab_path_under("/anything", "/"));
	assert_false(nslab_path_under("/ru", "/run"));
}

/* What a node shows of the host's mounts: disk filesystems on the root mount, minus what the node
 * has of its own, minus the excluded paths; nested mounts come with their parent. */
static void test_carry(void **state)
{
	const char *mi = "26 1 254:0 / / rw,relatime - ext4 /dev/vda rw\n"
			 "27 26 0:5 / /dev rw - devtmpfs udev rw\n"
			 "28 26 0:22 / /proc rw - proc proc rw\n"
			 "30 26 254:1 / /home rw - ext4 /dev/vdb1 rw\n"
			 "31 30 254:2 / /home/big rw - xfs /dev/vdc rw\n"  /* nested: comes with /home */
			 "32 26 254:3 / /boot rw - ext4 /dev/vda2 rw\n"
			 "33 32 254:4 / /boot/efi rw - vfat /dev/vda1 rw\n"
			 "34 26 0:30 / /run rw - tmpfs tmpfs rw\n"
			 "35 34 254:5 / /run/media/usb rw - vfat /dev/sdb1 rw\n" /* under /run: the node's own */
			 "36 26 0:40 / /mnt/sandbox ro - tmpfs none ro\n"	  /* virtual: not carried */
			 "37 36 254:6 / /mnt/sandbox/data ro - ext4 /dev/sdc ro\n" /* under a virtual one */
			 "38 26 254:7 / /srv/my\\040lab rw - ext4 /dev/sdd rw\n"   /* escaped space */
			 "39 26 254:0 /x /etc/hosts rw - ext4 /dev/vda rw\n"	  /* the node has its own */
			 "40 26 254:8 / /var/lib/labs rw - btrfs /dev/sde rw\n"	  /* holds a lab folder */
			 "41 26 7:1 / /snap/core/1 ro - squashfs /dev/loop1 ro\n"
			 "42 26 0:50 / /tmp rw - ext4 /dev/sdf rw\n"
			 "43 26 254:3 / /boot rw - ext4 /dev/vda2 rw\n" /* twice on one point */
			 "garbage line\n";
	const char *excl[] = { "/var/lib/labs/clab-x" };
	char **out = NULL;
	size_t n = nslab_rootfs_carry_parse(mi, excl, 1, &out);

	(void)state;
	assert_int_equal(n, 3);
	assert_string_equal(out[0], "/home");
	assert_string_equal(out[1], "/boot");
	assert_string_equal(out[2], "/srv/my lab");
	for (size_t i = 0; i < n; i++)
		free(out[i]);
	free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_expand), cmocka_unit_test(test_clean),	  cmocka_unit_test(test_resolve),
		cmocka_unit_test(test_bind),   cmocka_unit_test(test_path_under), cmocka_unit_test(test_carry),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
