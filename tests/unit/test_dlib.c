// SPDX-License-Identifier: GPL-2.0-or-later
/* tests/unit/test_dlib.c: libraries loaded on first use (util/dlib.c), and that nslab links none of them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <dlfcn.h>
#include <link.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/dlib.h"

static const struct nslab_dlib lib_m = { "libm.so.6", "libc6" };
static const struct nslab_dlib lib_none = { "libnslab-test-absent.so.7", "nslab-test-pkg" };

struct m_syms {
	__typeof__(&cos) cos;
	__typeof__(&sqrt) sqrt;
};

static void test_bind(void **state)
{
	(void)state;
	static const struct nslab_dsym syms[] = { NSLAB_DSYM(lib_m, struct m_syms, cos),
						  NSLAB_DSYM(lib_m, struct m_syms, sqrt) };
	struct m_syms t = { 0 };
	struct nslab_err err = { 0 };
	int done = 0;

	assert_int_equal(nslab_dlib_bind(&t, &done, syms, 2, "testing", &err), 0);
	assert_int_equal(done, 1);
	assert_non_null(t.cos);
	assert_true(t.sqrt(16.0) == 4.0);
	/* once bound, later calls do nothing */
	t.cos = NULL;
	assert_int_equal(nslab_dlib_bind(&t, &done, syms, 2, "testing", &err), 0);
	assert_null(t.cos);
}

static void test_missing_library(void **state)
{
	(void)state;
	static const struct nslab_dsym syms[] = { NSLAB_DSYM(lib_none, struct m_syms, cos) };
	struct m_syms t = { 0 };
	struct nslab_err err = { 0 };
	int done = 0;

	assert_true(nslab_dlib_bind(&t, &done, syms, 1, "drawing a lab", &err) < 0);
	assert_int_equal(done, 0);
	assert_null(t.cos);
	assert_non_null(strstr(err.msg, "drawing a lab needs libnslab-test-absent.so.7 (Debian package nslab-test-pkg)"));
}

static void test_missing_symbol(void **state)
{
	(void)state;
	struct absent {
		void (*nslab_no_such_function)(void);
	} t = { 0 };
	static const struct nslab_dsym syms[] = { NSLAB_DSYM(lib_m, struct absent, nslab_no_such_function) };
	struct nslab_err err = { 0 };
	int done = 0;

	assert_true(nslab_dlib_bind(&t, &done, syms, 1, "testing", &err) < 0);
	assert_int_equal(done, 0);
	assert_non_null(strstr(err.msg, "nslab_no_such_function from libm.so.6 (Debian package libc6)"));
}

/* The SONAMEs the Makefile read off the libraries load here (they are what the packages install). */
static void test_sonames_load(void **state)
{
	(void)state;
	const char *names[] = { NSLAB_SO_GVC, NSLAB_SO_CGRAPH, NSLAB_SO_NFTABLES, NSLAB_SO_XML2 };
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		void *h = dlopen(names[i], RTLD_LAZY | RTLD_LOCAL);
		if (!h)
			fail_msg("%s: %s", names[i], dlerror());
		dlclose(h);
	}
}

/* This test program links like nslab (the Makefile's LDLIBS): none of the four is loaded at start. */
static int find_lib(struct dl_phdr_info *info, size_t size, void *data)
{
	(void)size;
	const char *const *names = data;
	for (size_t i = 0; names[i]; i++)
		if (info->dlpi_name && strstr(info->dlpi_name, names[i]))
			fail_msg("%s is loaded at start: %s", names[i], info->dlpi_name);
	return 0;
}

static void test_not_linked(void **state)
{
	(void)state;
	const char *names[] = { "libgvc", "libcgraph", "libnftables", "libxml2", "libicu", NULL };
	dl_iterate_phdr(find_lib, names);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_not_linked),    cmocka_unit_test(test_bind),
		cmocka_unit_test(test_missing_library), cmocka_unit_test(test_missing_symbol),
		cmocka_unit_test(test_sonames_load),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
