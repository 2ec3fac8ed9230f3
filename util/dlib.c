// SPDX-License-Identifier: GPL-2.0-or-later
/* util/dlib.c: libraries loaded on first use, see dlib.h. */
#include "dlib.h"

#include <dlfcn.h>
#include <errno.h>
#include <string.h>

/* Each SONAME is read off the library by the Makefile; empty means its -dev package is missing */
_Static_assert(sizeof(NSLAB_SO_GVC) > 1, "no SONAME found for libgvc: is libgraphviz-dev installed?");
_Static_assert(sizeof(NSLAB_SO_CGRAPH) > 1, "no SONAME found for libcgraph: is libgraphviz-dev installed?");
_Static_assert(sizeof(NSLAB_SO_NFTABLES) > 1, "no SONAME found for libnftables: is libnftables-dev installed?");
_Static_assert(sizeof(NSLAB_SO_XML2) > 1, "no SONAME found for libxml2: is libxml2-dev installed?");

/* dlopen of a library already loaded returns its handle: each symbol asks for its own, and none is
 * ever closed (its symbols live in callers' tables) */
static void *open_lib(const struct nslab_dlib *lib, const char *what, struct nslab_err *err)
{
	/* RTLD_GLOBAL: Graphviz's plugins, loaded by libgvc itself, look for its symbols there */
	void *h = dlopen(lib->soname, RTLD_NOW | RTLD_GLOBAL);

	if (!h) {
		const char *why = dlerror();
		nslab_err_set(err, ENOENT, "%s needs %s (Debian package %s): %s", what, lib->soname,
			      lib->package, why ? why : "cannot load it");
	}
	return h;
}

int nslab_dlib_bind(void *table, int *done, const struct nslab_dsym *syms, size_t n, const char *what,
		    struct nslab_err *err)
{
	if (*done)
		return 0;
	for (size_t i = 0; i < n; i++) {
		void *h = open_lib(syms[i].lib, what, err), *p;
		if (!h)
			return -err->code;
		dlerror();
		p = dlsym(h, syms[i].name);
		if (!p)
			return nslab_err_set(err, ENOENT, "%s needs %s from %s (Debian package %s), which lacks it",
					     what, syms[i].name, syms[i].lib->soname, syms[i].lib->package);
		memcpy((char *)table + syms[i].off, &p, sizeof(p));
	}
	*done = 1;
	return 0;
}
