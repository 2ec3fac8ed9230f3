/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * core/link.h: runtime changes to the links of a running lab: take a link down and bring it back,
 * change its impairments (merged over the stored ones), reset them, and show them with live
 * counters. Each change locks the lab, talks to each node on one rtnetlink socket opened inside
 * the node's network namespace (one round trip per namespace), and records the result in
 * state.json (written atomically) only when the kernel took it.
 */
#ifndef NSLAB_CORE_LINK_H
#define NSLAB_CORE_LINK_H

#include <jansson.h>
#include <stdbool.h>

#include "../topologies/model.h"
#include "../util/err.h"

/* Which link: "NODE:IF" (a), optionally its peer "NODE:IF" (b, checked to be a's peer). only: act on
 * a's end alone (its egress), not on both ends. */
struct nslab_link_sel {
	const char *a;
	const char *b; /* NULL: a's peer */
	bool only;
};

/*
 * One runtime `set`: the options given on the command line. The secondary options (jitter
 * distribution, loss and reorder correlation) may be given without their main value: the stored
 * main value is kept. Everything not given keeps its stored value.
 */
enum nslab_link_opt {
	NSLAB_LO_DELAY = 1u << 0,
	NSLAB_LO_JITTER = 1u << 1,
	NSLAB_LO_JITTER_DIST = 1u << 2,
	NSLAB_LO_LOSS = 1u << 3,
	NSLAB_LO_LOSS_CORR = 1u << 4,
	NSLAB_LO_DUPLICATE = 1u << 5,
	NSLAB_LO_REORDER = 1u << 6,
	NSLAB_LO_REORDER_CORR = 1u << 7,
	NSLAB_LO_CORRUPT = 1u << 8,
	NSLAB_LO_RATE = 1u << 9,
	NSLAB_LO_LIMIT = 1u << 10,
};

struct nslab_link_change {
	unsigned given; /* NSLAB_LO_* */
	struct nslab_impair v; /* the values (its mask is ignored) */
};

/* What a change cost, for --verbose and the tests: wall time of the netlink round trips alone and
 * of the whole call (state.json, lock, namespaces included). */
struct nslab_link_stats {
	double kernel_ms, total_ms;
	unsigned namespaces, requests;
};

/* Apply a change to one end's impairments (pure): merges with nslab_impair_merge and checks the
 * result with nslab_impair_check. NULL, or a static message (cur is then unchanged). */
const char *nslab_link_change_apply(struct nslab_impair *cur, const struct nslab_link_change *c);

/* Take the link down for both ends (both ends administratively down: each side sees no carrier).
 * Routes and IPv6 addresses the kernel drops with the link are saved in state.json and given back
 * by nslab_link_up(). Down again is a no-op. */
int nslab_link_down(const char *lab, const struct nslab_link_sel *s, struct nslab_link_stats *st,
		    struct nslab_err *err);
/* Bring a link back as it was before down (ends declared down in the topology stay down). */
int nslab_link_up(const char *lab, const struct nslab_link_sel *s, struct nslab_link_stats *st,
		  struct nslab_err *err);
/* Change impairments on both ends (or a's only): all or nothing. */
int nslab_link_set(const char *lab, const struct nslab_link_sel *s, const struct nslab_link_change *c,
		   struct nslab_link_stats *st, struct nslab_err *err);
/* Remove every impairment (back to no qdisc at all, not to the topology file's). */
int nslab_link_reset(const char *lab, const struct nslab_link_sel *s, struct nslab_link_stats *st,
		     struct nslab_err *err);
/* {"lab", "link": "a -- b", "ends": [{end, node, interface, ifindex, state, link_down, admin_down,
 *  impair, impair_text, qdisc: {...counters} | null, counters: {...}}]} */
json_t *nslab_link_show(const char *lab, const struct nslab_link_sel *s, struct nslab_err *err);

#endif
