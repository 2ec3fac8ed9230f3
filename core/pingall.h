/* SPDX-License-Identifier: GPL-2.0-or-later */
/* core/pingall.h: every node of a running lab that has an address pings every other (or the pairs
 * given), in the nodes, a bounded number at a time (core/mexec.h); results as data for cli/. */
#ifndef NSLAB_CORE_PINGALL_H
#define NSLAB_CORE_PINGALL_H

#include <jansson.h>
#include <stddef.h>

#include "../util/err.h"

struct nslab_ping_pair {
	size_t src, dst;	/* indexes into nodes */
	unsigned sent, received;
	int status;		/* ping's exit status */
};

struct nslab_pingall {
	char **nodes;		/* the nodes taking part, in the lab's order */
	char **addrs;		/* the address each one is pinged at ("" when it has none) */
	size_t nnodes;
	struct nslab_ping_pair *pairs;
	size_t npairs;
	unsigned sent, received;
};

/* pairs: NULL for every ordered pair of nodes that have an address, else "A:B,C:D" (A pings B).
 * count: echo requests per pair. parallel: pings at once (0 = the default). */
int nslab_pingall_run(const char *lab, const char *pairs, unsigned count, unsigned parallel,
		      struct nslab_pingall *res, struct nslab_err *err);
void nslab_pingall_free(struct nslab_pingall *res);
json_t *nslab_pingall_to_json(const struct nslab_pingall *res);

/* From ping's output, "N packets transmitted, M received": 0, or -EINVAL when it is not there. Pure. */
int nslab_ping_parse(const char *out, unsigned *sent, unsigned *received);

#endif
