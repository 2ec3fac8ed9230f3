// SPDX-License-Identifier: GPL-2.0-or-later
/* tests/unit/test_copytree.c: a device folder copied onto a root: merged, replacing, modes kept, and never written outside the root. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/copytree.h"
#include "util/util.h"

static char *path(const char *dir, const char *rel)
{
	return xasprintf("%s/%s", dir, rel);
}

static void put(const char *dir, const char *rel, const char *text, int mode)
{
	char *p = path(dir, rel);

	assert_int_equal(nslab_write_file(p, text, strlen(text), mode), 0);
	assert_int_equal(chmod(p, (mode_t)mode), 0);
	free(p);
}

static void mk(const char *dir, const char *rel)
{
	char *p = path(dir, rel);

	assert_int_equal(mkdir(p, 0755), 0);
	free(p);
}

static char *slurp(const char *dir, const char *rel)
{
	char *p = path(dir, rel), *buf = NULL;
	size_t len;

	if (nslab_read_file(p, &buf, &len) < 0)
		buf = NULL;
	free(p);
	return buf;
}

static void test_copy(void **state)
{
	char tmp[] = "/tmp/nslab-test-copytree-XXXXXX";
	char *src, *root, *outside, what[256] = "";
	int sfd, rfd;
	struct stat st;
	char *s, *p, link[256];

	(void)state;
	assert_non_null(mkdtemp(tmp));
	src = path(tmp, "src");
	root = path(tmp, "root");
	outside = path(tmp, "outside");
	mk(tmp, "src");
	mk(tmp, "root");
	mk(tmp, "outside");
	/* the device folder */
	mk(src, "etc");
	mk(src, "etc/frr");
	put(src, "etc/frr/frr.conf", "router ospf\n", 0444);
	put(src, "etc/resolv.conf", "nameserver 10.0.0.1\n", 0644);
	put(src, "etc/motd", "new\n", 0600);
	mk(src, "var");
	mk(src, "var/run");
	put(src, "var/run/x.pid", "1\n", 0644);
	mk(src, "bin");
	put(src, "bin/hello", "#!/bin/sh\n", 0755);
	assert_int_equal(symlink("hello", (p = path(src, "bin/hi"))), 0);
	free(p);
	/* the root already has files, a symlink leading out (absolute: resolved in the root, it stays
	 * inside) and a directory symlink */
	mk(root, "etc");
	put(root, "etc/motd", "old\n", 0644);
	put(root, "etc/keep", "kept\n", 0644);
	p = xasprintf("%s/resolv.conf", outside);
	assert_int_equal(symlink(p, (s = path(root, "etc/resolv.conf"))), 0);
	free(s);
	free(p);
	mk(root, "run");
	mk(root, "var");
	assert_int_equal(symlink("/run", (p = path(root, "var/run"))), 0);
	free(p);
	put(outside, "resolv.conf", "host's\n", 0644);

	sfd = open(src, O_RDONLY | O_DIRECTORY);
	rfd = open(root, O_RDONLY | O_DIRECTORY);
	assert_int_equal(nslab_copy_tree(sfd, rfd, what, sizeof(what)), 0);
	close(sfd);
	close(rfd);

	assert_string_equal((s = slurp(root, "etc/frr/frr.conf")), "router ospf\n");
	free(s);
	assert_string_equal((s = slurp(root, "etc/motd")), "new\n");
	free(s);
	assert_string_equal((s = slurp(root, "etc/keep")), "kept\n"); /* merged, not replaced */
	free(s);
	/* the symlink was replaced by the file; the file it pointed to is untouched */
	assert_string_equal((s = slurp(root, "etc/resolv.conf")), "nameserver 10.0.0.1\n");
	free(s);
	assert_int_equal(lstat((p = path(root, "etc/resolv.conf")), &st), 0);
	free(p);
	assert_true(S_ISREG(st.st_mode));
	assert_string_equal((s = slurp(outside, "resolv.conf")), "host's\n");
	free(s);
	/* var/run -> /run, resolved inside the root: the pid file is in root/run, not the host's /run */
	assert_string_equal((s = slurp(root, "run/x.pid")), "1\n");
	free(s);
	assert_int_equal(access("/run/x.pid", F_OK), -1);
	/* modes kept, symlinks copied as symlinks */
	assert_int_equal(stat((p = path(root, "etc/frr/frr.conf")), &st), 0);
	free(p);
	assert_int_equal(st.st_mode & 0777, 0444);
	assert_int_equal(stat((p = path(root, "bin/hello")), &st), 0);
	free(p);
	assert_int_equal(st.st_mode & 0777, 0755);
	assert_int_equal(readlink((p = path(root, "bin/hi")), link, sizeof(link)), 5);
	free(p);
	assert_memory_equal(link, "hello", 5);

	/* a source that cannot be read names its path */
	assert_int_equal(chmod((p = path(src, "etc/motd")), 0), 0);
	free(p);
	if (geteuid() != 0) {
		sfd = open(src, O_RDONLY | O_DIRECTORY);
		rfd = open(root, O_RDONLY | O_DIRECTORY);
		assert_int_equal(nslab_copy_tree(sfd, rfd, what, sizeof(what)), -EACCES);
		assert_string_equal(what, "reading etc/motd");
		close(sfd);
		close(rfd);
	}
	s = xasprintf("rm -rf '%s'", tmp);
	assert_int_equal(system(s), 0);
	free(s);
	free(src);
	free(root);
	free(outside);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_copy),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
