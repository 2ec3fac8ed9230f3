// SPDX-License-Identifier: GPL-2.0-or-later
/* tests/unit/topo_helpers.h: loading a model from YAML in unit tests and looking at its diagnostics.
 * Include after <cmocka.h>; static inline, so a test takes only what it uses. */
#ifndef NSLAB_TESTS_TOPO_HELPERS_H
#define NSLAB_TESTS_TOPO_HELPERS_H

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "topologies/model.h"

/* Prints every diagnostic (through cmocka, so it shows beside the failure). */
static inline void dump_diags(const struct nslab_diags *d)
{
	for (size_t i = 0; i < d->n; i++) {
		char *s = nslab_diag_format(&d->v[i]);
		print_error("  diag: %s\n", s);
		free(s);
	}
}

/* The model of yml ("t.yml"), which must load with no error; its diagnostics are dropped. */
static inline struct nslab_topo *topo_load_ok(const char *yml)
{
	struct nslab_diags d = { 0 };
	struct nslab_topo *t = NULL;
	int ret = nslab_topo_load_buf("t.yml", yml, strlen(yml), &t, &d);

	if (ret != 0)
		dump_diags(&d);
	nslab_diags_free(&d);
	assert_int_equal(ret, 0);
	assert_non_null(t);
	return t;
}

/* True when some formatted diagnostic contains text (exact: is text, or starts with it when text
 * ends in "..."). */
static inline bool diag_match(const struct nslab_diags *d, const char *text, bool exact)
{
	size_t n = strlen(text);
	bool prefix = exact && n >= 3 && !strcmp(text + n - 3, "...");

	for (size_t i = 0; i < d->n; i++) {
		char *s = nslab_diag_format(&d->v[i]);
		bool hit = !exact ? strstr(s, text) != NULL : prefix ? !strncmp(s, text, n - 3) : !strcmp(s, text);

		free(s);
		if (hit)
			return true;
	}
	return false;
}

/* Fails the test (printing every diagnostic) unless some diagnostic matches text (diag_match()). */
#define assert_diag_match(d, text, exact)                                                           \
	do {                                                                                        \
		if (!diag_match((d), (text), (exact))) {                                            \
			print_error("no diagnostic %s: %s\n", (exact) ? "is" : "contains", (text)); \
			dump_diags(d);                                                              \
			fail();                                                                     \
		}                                                                                   \
	} while (0)

#endif
