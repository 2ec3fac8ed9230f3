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

#include "../topologies/impair.h"
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
 * One runtime `set` is the parameter table's change (struct nslab_impair_change, topologies/impair.h):
 * the parameters given and their values. The old name stays for the console's code.
 */
#define nslab_link_change nslab_impair_change

/* What a change cost, for --verbose and the tests: wall time of the netlink round trips alone and
 * of the whole call (state.json, lock, namespaces included). */
struct nslab_link_stats {
	double kernel_ms, total_ms;
	unsigned namespaces, requests;
};

/* Take the link down for both ends (both ends administratively down: each side sees no carrier).
 * Routes and IPv6 addresses the kernel drops with the link are saved in state.json and given back
 * by nslab_link_up(). Down again is a no-op. */
int nslab_link_down(const char *lab, const struct nslab_link_sel *s, struct nslab_link_stats *st,
		    struct nslab_err *err);
/* Bring a link back as it was before down (ends declared down in the topology stay down). */
int nslab_link_up(const char *lab, const struct nslab_link_sel *s, struct nslab_link_stats *st,
		  struct nslab_err *err);
/* Change impairments on both ends (or a's only): all or nothing. */
int nslab_link_set(const char *lab, const struct nslab_link_sel *s, const struct nslab_impair_change *c,
		   struct nslab_link_stats *st, struct nslab_err *err);
/* Remove every impairment (back to no qdisc at all, not to the topology file's). */
int nslab_link_reset(const char *lab, const struct nslab_link_sel *s, struct nslab_link_stats *st,
		     struct nslab_err *err);
/* {"lab", "link": "a -- b", "ends": [{end, node, interface, ifindex, state, link_down, admin_down,
 *  impair, impair_text, qdisc: {...counters} | null, counters: {...}}]} */
json_t *nslab_link_show(const char *lab, const struct nslab_link_sel *s, struct nslab_err *err);

#endif
