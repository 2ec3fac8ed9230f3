/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * topologies/generate.h: standard topologies as topology files (`nslab generate`): chain, ring,
 * star, tree, clos (leaf-spine) and fat-tree, with an IPv4 subnet per link and static routes on
 * shortest paths, so that every node with an address reaches every other. Pure: no kernel, no files.
 */
#ifndef NSLAB_TOPOLOGIES_GENERATE_H
#define NSLAB_TOPOLOGIES_GENERATE_H

#include <stddef.h>

#include "../util/err.h"

struct nslab_gen_shape {
	const char *name;
	const char *args;    /* "N", "DEPTH FANOUT", ... */
	const char *summary; /* one line */
	unsigned min_args, max_args;
};
extern const struct nslab_gen_shape nslab_gen_shapes[];
extern const size_t nslab_gen_nshapes;

/* The topology file of shape with its numeric arguments (as strings), named `name` (NULL: the shape
 * and its arguments, e.g. "ring4"); *yaml is malloc'd. -EINVAL with a message naming the argument
 * when a shape is unknown, an argument is not a number or out of its range. */
int nslab_generate(const char *shape, char *const *args, size_t nargs, const char *name, char **yaml,
		   struct nslab_err *err);

#endif
