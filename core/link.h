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
#include <signal.h>
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
/* ---- links added and removed at run time (core/link_topo.c) ---- */

struct nslab_lab_state;
/* A new veth link a -- b ("NODE:IF", interfaces the nodes do not have yet), both ends up, mtu (0:
 * NSLAB_DEFAULT_MTU); a bridge node's end is enslaved to its bridge. Journaled before it is made,
 * recorded in state.json after; all or nothing. */
int nslab_link_add(const char *lab, const char *a, const char *b, unsigned mtu, struct nslab_err *err);
/* Delete the link s->a belongs to (s->b, when given, must be its peer): the veth and both
 * interfaces, and the link in state.json. Any link: declared in the file or added. */
int nslab_link_remove(const char *lab, const struct nslab_link_sel *s, struct nslab_err *err);
/* The state.json side of add and remove, pure: check that a -- b can be added (nodes there,
 * interfaces not), add it (ifaces with their peers, the link), remove it. */
int nslab_state_link_check_new(const struct nslab_lab_state *st, const char *a, const char *b,
			       struct nslab_err *err);
void nslab_state_link_add(struct nslab_lab_state *st, const char *a, int ifindex_a, const char *b, int ifindex_b,
			  unsigned mtu);
void nslab_state_link_remove(struct nslab_lab_state *st, const char *a, const char *b);

/* ---- the actions as a table: the CLI, the scenario runner and the console dispatch through it ---- */

enum nslab_link_action {
	NSLAB_LINK_DOWN,
	NSLAB_LINK_UP,
	NSLAB_LINK_FLAP,
	NSLAB_LINK_SET,
	NSLAB_LINK_RESET,
	NSLAB_LINK_SHOW,
	NSLAB_LINK__COUNT
};

enum {
	NSLAB_LA_BOTH_ENDS = 1u << 0, /* acts on the link as a whole: refuses `only` */
	NSLAB_LA_IMPAIR = 1u << 1,    /* takes impairment parameters, at least one */
	NSLAB_LA_REPEAT = 1u << 2,    /* takes `every` and `times` */
	NSLAB_LA_READ = 1u << 3,      /* changes nothing, answers JSON (not a scenario step) */
};

/* One request: the action, the link, the action's arguments, and hooks for the long-running flap. */
struct nslab_link_req {
	enum nslab_link_action action;
	struct nslab_link_sel sel;
	struct nslab_impair_change change; /* set */
	bool every_given, times_given;	   /* for nslab_link_req_check's messages */
	unsigned long long every_us;	   /* flap: time down, and between two flaps (0: 1 s) */
	unsigned long times;		   /* flap: how many (0: 1) */
	/* flap: called after each transition (may be NULL) */
	void (*on_flap)(void *ctx, unsigned long i, unsigned long times, bool up, const struct nslab_link_stats *st);
	void *ctx;
	/* flap: set (by a signal handler) to stop early; the link is brought up before it returns */
	volatile sig_atomic_t *stop;
};

struct nslab_link_action_info {
	const char *name;
	unsigned flags;	  /* NSLAB_LA_* */
	const char *done; /* what a person is told once it ran: "down", "impairments removed" */
	/* show answers in *show; the others leave it NULL */
	int (*run)(const char *lab, const struct nslab_link_req *r, struct nslab_link_stats *st, json_t **show,
		   struct nslab_err *err);
};

extern const struct nslab_link_action_info nslab_link_actions[NSLAB_LINK__COUNT];
/* The action called name, or -1. */
int nslab_link_action_find(const char *name);
/* The arguments of r against its action's flags: NULL, or a static message naming the option. */
const char *nslab_link_req_check(const struct nslab_link_req *r);
/* Check r, then run it through the table. *show (may be NULL for other actions) gets show's JSON. */
int nslab_link_run(const char *lab, const struct nslab_link_req *r, struct nslab_link_stats *st, json_t **show,
		   struct nslab_err *err);

/* {"lab", "link": "a -- b", "ends": [{end, node, interface, ifindex, state, link_down, admin_down,
 *  impair, impair_text, qdisc: {...counters} | null, counters: {...}}]} */
json_t *nslab_link_show(const char *lab, const struct nslab_link_sel *s, struct nslab_err *err);

#endif
