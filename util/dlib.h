/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * util/dlib.h: libraries loaded on first use (dlopen) instead of at every start.
 *
 * Graphviz (nslab graph), libnftables (net_cls on a cgroup-v2 host) and libxml2 (scenario JUnit
 * reports) bring 16 more shared objects with them (ICU and libstdc++ through libxml2). Linked, every
 * nslab process mapped them: each command's start, and each node's init, cloned from the spawner
 * with all their mappings and resolving its symbols through a search list three times as long.
 * A user file names the symbols it needs in a table; nslab_dlib_bind() loads each library once per
 * process (RTLD_NOW: a missing symbol is found here, not later in a call) and fills the table.
 */
#ifndef NSLAB_UTIL_DLIB_H
#define NSLAB_UTIL_DLIB_H

#include <stddef.h>

#include "err.h"

struct nslab_dlib {
	const char *soname;  /* as the library's SONAME says (the Makefile reads it at build time) */
	const char *package; /* Debian's package that holds it, for the error */
};

struct nslab_dsym {
	const struct nslab_dlib *lib;
	const char *name;
	size_t off; /* where its address goes in the caller's table */
};

/* The entries of a table: struct TABLE { __typeof__(&sym) sym; ... } filled from NSLAB_DSYM()s. */
#define NSLAB_DSYM(lib, table, sym) { &(lib), #sym, offsetof(table, sym) }

/*
 * Fill table (a struct of pointers) with the n symbols; done once, later calls return at once.
 * what names the feature in the error ("nslab graph needs libgvc.so.6 (Debian package libgvc6): ...").
 */
int nslab_dlib_bind(void *table, int *done, const struct nslab_dsym *syms, size_t n, const char *what,
		    struct nslab_err *err);

#endif
