// SPDX-License-Identifier: GPL-2.0-or-later
/* tests/unit/test_profile.c: image profiles (matching, the built-in table, users' JSON files) and what core/service.c decides from them. */
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
#include <unistd.h>

#include "core/profile.h"
#include "core/service.h"
#include "topologies/model.h"
#include "util/util.h"

static void assert_norm(const char *image, const char *want)
{
	char *s = nslab_image_normalize(image);
	if (strcmp(s, want) != 0)
		fail_msg("normalize %s: got %s, want %s", image, s, want);
	free(s);
}

static void test_image_normalize(void **state)
{
	(void)state;
	assert_norm("alpine", "alpine");
	assert_norm("alpine:3", "alpine");
	assert_norm("docker.io/library/alpine:latest", "alpine");
	assert_norm("library/alpine", "alpine");
	assert_norm("quay.io/frrouting/frr:10.5.1", "quay.io/frrouting/frr");
	assert_norm("frrouting/frr:v7.5.1", "frrouting/frr");
	assert_norm("localhost:5000/x/frr", "localhost:5000/x/frr");
	assert_norm("localhost:5000/x/frr:1@sha256:abcd", "localhost:5000/x/frr");
	assert_norm("ghcr.io/srl-labs/bird:2.13", "ghcr.io/srl-labs/bird");
	assert_norm("docker.io/wbitt/network-multitool:3.22.2", "wbitt/network-multitool");
}

static void assert_profile(const struct nslab_profiles *p, const char *image, const char *want)
{
	const struct nslab_profile *pr = nslab_profile_find(p, image);
	if (!want && pr)
		fail_msg("%s: got profile %s, want none", image, pr->name);
	if (want && (!pr || strcmp(pr->name, want) != 0))
		fail_msg("%s: got profile %s, want %s", image, pr ? pr->name : "none", want);
}

/* The images of the corpus and the brief, as the built-in table sees them. */
static void test_builtin_profiles(void **state)
{
	struct nslab_profiles p = { 0 };

	(void)state;
	nslab_profiles_builtin(&p);
	assert_profile(&p, "quay.io/frrouting/frr:9.0.2", "frr");
	assert_profile(&p, "frrouting/frr:v7.5.0", "frr");
	assert_profile(&p, "docker.io/frrouting/frr", "frr");
	assert_profile(&p, "kathara/frr", "frr");
	assert_profile(&p, "ghcr.io/srl-labs/bird:2.13", "bird");
	assert_profile(&p, "ghcr.io/holo-routing/holo-bundle:latest", "holo");
	assert_profile(&p, "ghcr.io/paul-weqe/keepalived:latest", "keepalived");
	assert_profile(&p, "alpine:3", "toolbox");
	assert_profile(&p, "busybox", "toolbox");
	assert_profile(&p, "nicolaka/netshoot", "toolbox");
	assert_profile(&p, "ubuntu:22.04", "toolbox");
	assert_profile(&p, "debian:bookworm-slim", "toolbox");
	assert_profile(&p, "wbitt/network-multitool:3.22.2", "toolbox");
	assert_profile(&p, "ghcr.io/srl-labs/network-multitool", "toolbox");
	assert_profile(&p, "nginx:stable-alpine", NULL);
	assert_profile(&p, "ceos:4.32.0F", NULL);
	/* a toolbox starts nothing; FRR needs the frr package's programs */
	const struct nslab_profile *tb = nslab_profile_find(&p, "alpine"), *frr = nslab_profile_find(&p, "frrouting/frr");
	assert_null(tb->start);
	assert_non_null(frr->start);
	assert_true(frr->nneeds >= 1);
	for (size_t i = 0; i < frr->nneeds; i++)
		assert_string_equal(frr->needs[i].package, "frr");
	nslab_profiles_free(&p);
}

/* A user's file comes before the built-in table, so it can override an image. */
static void test_user_file_overrides(void **state)
{
	struct nslab_profiles p = { 0 };
	struct nslab_err err = { 0 };
	const char *text = "{\"profiles\": [\n"
			   "  {\"name\": \"myfrr\", \"images\": [\"quay.io/frrouting/frr\"], \"start\": \"true\",\n"
			   "   \"needs\": {\"/bin/true\": \"coreutils\", \"/opt/x/y\": null}},\n"
			   "  {\"name\": \"web\", \"images\": [\"nginx\", \"*/nginx\"], \"start\": \"nginx\"}\n"
			   "]}\n";

	(void)state;
	assert_int_equal(nslab_profiles_parse(&p, "u.json", text, &err), 0);
	nslab_profiles_builtin(&p);
	assert_profile(&p, "quay.io/frrouting/frr:10.5.1", "myfrr");
	assert_profile(&p, "frrouting/frr", "frr");
	assert_profile(&p, "nginx:stable-alpine", "web");
	const struct nslab_profile *pr = nslab_profile_find(&p, "quay.io/frrouting/frr");
	assert_string_equal(pr->origin, "u.json");
	assert_int_equal(pr->nneeds, 2);
	assert_string_equal(pr->needs[0].program, "/bin/true");
	assert_string_equal(pr->needs[0].package, "coreutils");
	assert_null(pr->needs[1].package);
	nslab_profiles_free(&p);
}

static void assert_parse_error(const char *text, const char *want)
{
	struct nslab_profiles p = { 0 };
	struct nslab_err err = { 0 };

	assert_int_equal(nslab_profiles_parse(&p, "bad.json", text, &err), -EINVAL);
	if (!strstr(err.msg, want))
		fail_msg("error \"%s\" does not say \"%s\"", err.msg, want);
	assert_int_equal(p.n, 0);
}

static void test_user_file_errors(void **state)
{
	(void)state;
	assert_parse_error("{\"profiles\": [\n  {\"name\": \"x\",}\n]}", "bad.json:2:");
	assert_parse_error("[]", "expected {\"profiles\": [...]}");
	assert_parse_error("{\"profiles\": [{\"name\": \"x\", \"images\": [\"a\"], \"stop\": \"y\"}]}",
			   "unknown key \"stop\"");
	assert_parse_error("{\"profiles\": [{\"images\": [\"a\"]}]}", "profile 1: \"name\"");
	assert_parse_error("{\"profiles\": [{\"name\": \"x\", \"images\": []}]}", "profile x: \"images\"");
	assert_parse_error("{\"profiles\": [{\"name\": \"x\", \"images\": [\"a\"], \"start\": 1}]}", "\"start\" must be");
	assert_parse_error("{\"profiles\": [{\"name\": \"x\", \"images\": [\"a\"], \"needs\": {\"bird\": \"bird2\"}}]}",
			   "absolute path");
	assert_parse_error("{\"profiles\": [{\"name\": \"x\", \"images\": [\"a\"], \"needs\": [\"/a\"]}]}",
			   "\"needs\" must map");
}

static void test_cmd_program(void **state)
{
	static const char *const cases[][2] = {
		{ "ash -c \"sleep 9999\"", "ash" },
		{ "  tail -f /dev/null", "tail" },
		{ "'/usr/bin/my prog' x", "/usr/bin/my prog" },
		{ "sh -c \"date +%s%N > /tmp/time & sh\"", "sh" },
		{ "sleep;x", "sleep" },
		{ "a\\ b c", "a b" },
	};
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		char *s = nslab_cmd_program(cases[i][0]);
		assert_non_null(s);
		assert_string_equal(s, cases[i][1]);
		free(s);
	}
	assert_null(nslab_cmd_program("   "));
	assert_true(nslab_program_exists("sh"));
	assert_true(nslab_program_exists("/bin/sh"));
	assert_false(nslab_program_exists("nslab-no-such-program"));
	char plain[] = "/tmp/nslab-test-plain.XXXXXX";
	int fd = mkstemp(plain); /* mode 0600: not executable */
	assert_true(fd >= 0);
	close(fd);
	assert_false(nslab_program_exists(plain));
	unlink(plain);
}

/* ---- what core/service.c decides (no kernel) ---- */

static char profiles_path[] = "/tmp/nslab-test-profiles.XXXXXX";

static int setup_profiles(void **state)
{
	int fd = mkstemp(profiles_path);
	const char *text = "{\"profiles\": [\n"
			   "  {\"name\": \"ok\", \"images\": [\"test/ok\"], \"start\": \"echo started\",\n"
			   "   \"needs\": {\"/bin/sh\": \"dash\"}},\n"
			   "  {\"name\": \"missing\", \"images\": [\"test/missing\"], \"start\": \"x\",\n"
			   "   \"needs\": {\"/usr/sbin/nslab-no-such-daemon\": \"nslab-pkg\"}},\n"
			   "  {\"name\": \"unpackaged\", \"images\": [\"test/unpackaged\"], \"start\": \"x\",\n"
			   "   \"needs\": {\"/usr/sbin/nslab-no-such-daemon\": null}}\n"
			   "]}\n";
	(void)state;
	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text))
		return -1;
	close(fd);
	setenv("NSLAB_PROFILES", profiles_path, 1);
	return 0;
}

static int teardown_profiles(void **state)
{
	(void)state;
	unlink(profiles_path);
	unsetenv("NSLAB_PROFILES");
	return 0;
}

static void test_services_decide(void **state)
{
	struct nslab_topo *t = topo_load_ok("name: s\n"
				       "topology:\n"
				       "  nodes:\n"
				       "    a: {kind: linux, image: test/ok:1}\n"
				       "    b: {kind: linux, image: alpine:3}\n"
				       "    c: {kind: linux, image: test/ok, cmd: \"sleep 100\"}\n"
				       "    d: {kind: linux, image: alpine, cmd: ash -c \"sleep 9999\"}\n"
				       "    e: {kind: linux, image: nginx:stable-alpine}\n"
				       "    f: {kind: linux, image: nginx:stable-alpine}\n"
				       "    g: {kind: linux}\n"
				       "    sw: {kind: bridge, image: test/ok}\n"
				       "    h: {kind: linux, entrypoint: /bin/sh, cmd: \"-c 'sleep 1'\"}\n");
	struct nslab_services s;
	struct nslab_err err = { 0 };

	(void)state;
	assert_int_equal(nslab_services_prepare(t, &s, &err), 0);
	assert_int_equal(s.n, 3);
	/* a: its image's profile */
	assert_string_equal(t->nodes[s.v[0].node].name, "a");
	assert_string_equal(s.v[0].what, "ok");
	assert_string_equal(s.v[0].shell, "echo started");
	/* c: cmd replaces the image's start, in the background */
	assert_string_equal(t->nodes[s.v[1].node].name, "c");
	assert_string_equal(s.v[1].what, "cmd");
	assert_string_equal(s.v[1].shell, "sleep 100 </dev/null >/dev/null 2>&1 &");
	/* h: entrypoint then cmd, as docker joins them */
	assert_string_equal(t->nodes[s.v[2].node].name, "h");
	assert_string_equal(s.v[2].shown, "/bin/sh -c 'sleep 1'");
	/* d's ash is not on the host; nginx has no profile (one warning for both nodes) */
	assert_int_equal(s.nwarnings, 2);
	assert_non_null(strstr(s.warnings[0], "node d: cmd"));
	assert_non_null(strstr(s.warnings[0], "ash is not on this host"));
	assert_non_null(strstr(s.warnings[1], "image nginx:stable-alpine: no profile"));
	nslab_services_free(&s);
	nslab_services_free(&s); /* idempotent */
	nslab_topo_free(t);
}

static void test_services_missing_program(void **state)
{
	struct nslab_topo *t = topo_load_ok("name: s\n"
				       "topology:\n"
				       "  nodes:\n"
				       "    a: {kind: linux, image: test/ok}\n"
				       "    r1: {kind: linux, image: test/missing:2}\n"
				       "    r2: {kind: linux, image: test/unpackaged}\n");
	struct nslab_services s;
	struct nslab_err err = { 0 };

	(void)state;
	assert_int_equal(nslab_services_prepare(t, &s, &err), -ENOENT);
	assert_string_equal(err.msg, "node r1: image test/missing:2 (profile missing) needs /usr/sbin/nslab-no-such-daemon: "
				     "install the Debian package nslab-pkg (apt-get install nslab-pkg)");
	assert_int_equal(s.n, 0);
	nslab_topo_free(t);
	t = topo_load_ok("name: s\ntopology:\n  nodes:\n    r2: {kind: linux, image: test/unpackaged}\n");
	assert_int_equal(nslab_services_prepare(t, &s, &err), -ENOENT);
	assert_non_null(strstr(err.msg, "which Debian does not package"));
	nslab_topo_free(t);
}

static void test_services_bad_profile_file(void **state)
{
	char path[] = "/tmp/nslab-test-badprof.XXXXXX";
	int fd = mkstemp(path);
	struct nslab_topo *t = topo_load_ok("name: s\ntopology:\n  nodes:\n    a: {kind: linux}\n");
	struct nslab_services s;
	struct nslab_err err = { 0 };

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "{\"profiles\": [\n{\n", 17), 17);
	close(fd);
	setenv("NSLAB_PROFILES", path, 1);
	assert_int_equal(nslab_services_prepare(t, &s, &err), -EINVAL);
	assert_non_null(strstr(err.msg, path));
	setenv("NSLAB_PROFILES", "/nonexistent/nslab-profiles.json", 1);
	assert_true(nslab_services_prepare(t, &s, &err) < 0); /* named explicitly: must exist */
	assert_non_null(strstr(err.msg, "/nonexistent/nslab-profiles.json"));
	setenv("NSLAB_PROFILES", profiles_path, 1);
	unlink(path);
	nslab_topo_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_image_normalize),
		cmocka_unit_test(test_builtin_profiles),
		cmocka_unit_test(test_user_file_overrides),
		cmocka_unit_test(test_user_file_errors),
		cmocka_unit_test(test_cmd_program),
		cmocka_unit_test(test_services_decide),
		cmocka_unit_test(test_services_missing_program),
		cmocka_unit_test(test_services_bad_profile_file),
	};
	return cmocka_run_group_tests(tests, setup_profiles, teardown_profiles);
}
