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

/* A new link: its two ends, its MTU and each end's addresses. */
struct nslab_link_new {
	const char *end[2]; /* "NODE:IF" */
	unsigned mtu;	    /* 0: NSLAB_DEFAULT_MTU */
	struct nslab_prefix *addrs[2];
	size_t naddrs[2];
	char bridge[2][NSLAB_IFNAMSIZ]; /* BR of an end given as BR|NODE:IF (a port of bridge BR in NODE), or "" */
};

/*
 * containerlab names port IF of bridge BR inside node NODE (a `BR|NODE` bridge node) "BR|NODE:IF";
 * nslab knows the port as NODE's interface, NODE:IF. Rewrite end (writable) in place to NODE:IF and
 * copy BR to br; false, with end and br untouched, when end is not of that form. Pure.
 */
bool nslab_link_end_unfold(char *end, char br[NSLAB_IFNAMSIZ]);

/*
 * Add the addresses of arg, "NODE:IF=ADDR[,ADDR...]" (NODE:IF one of ln's ends, each ADDR an IPv4 or
 * IPv6 address with its prefix length: 10.0.0.1/24, fd00::1/64), to ln. Pure; an error names the
 * argument and leaves ln unchanged. At most NSLAB_LINK_NEW_ADDRS per end.
 */
#define NSLAB_LINK_NEW_ADDRS 16
int nslab_link_new_addr(struct nslab_link_new *ln, const char *arg, struct nslab_err *err);
void nslab_link_new_free(struct nslab_link_new *ln);

/*
 * A new veth link between two running nodes: both ends up, ln->mtu, each end's addresses (one
 * netlink batch per namespace: the veth and the first end's addresses, then the second end up and
 * its addresses); a bridge node's end is enslaved to its bridge. Everything is checked before
 * anything is made (interfaces free in the state and the kernel, addresses: none on a bridge
 * port, IPv6 needs an MTU of 1280 or more). Journaled before it is made, recorded in state.json
 * (addresses included) after; the lab's /etc/hosts names the new addresses. All or nothing.
 * *out (may be NULL): {"lab", "link", "mtu", "ends": [{end, node, interface, ifindex, addresses,
 * master}]}.
 */
int nslab_link_add(const char *lab, const struct nslab_link_new *ln, json_t **out, struct nslab_err *err);
/* Delete the link s->a belongs to (s->b, when given, must be its peer): the veth and both
 * interfaces, and the link in state.json; /etc/hosts follows. Any link: declared in the file or
 * added. *out (may be NULL): what was removed, as nslab_link_add() says it, plus "warnings" (an
 * array of lines) when /etc/hosts could not follow (the link is gone all the same: returns 0). */
int nslab_link_remove(const char *lab, const struct nslab_link_sel *s, json_t **out, struct nslab_err *err);
/* The state.json side of add and remove, pure: check that ln can be added (nodes there,
 * interfaces not, no address on a bridge node's port), add it (ifaces with their peers and
 * addresses, the link), check that a is the end of a link whose peer is b (b NULL: any), remove
 * it. */
int nslab_state_link_check_new(const struct nslab_lab_state *st, const struct nslab_link_new *ln,
			       struct nslab_err *err);
void nslab_state_link_add(struct nslab_lab_state *st, const struct nslab_link_new *ln, const int ifindex[2]);
int nslab_state_link_check_end(const struct nslab_lab_state *st, const char *a, const char *b,
			       struct nslab_err *err);
void nslab_state_link_remove(struct nslab_lab_state *st, const char *a, const char *b);
/* The ifindex of the bridge a new end on node is enslaved to: the bridge device of a node of kind
 * bridge, else 0. Only the node's kind decides: a linux node may hold bridges of its own
 * (containerlab's br01|bp1 namespaced bridges), and an end added to it is an ordinary interface. */
int nslab_state_link_master(const struct nslab_lab_state *st, const char *node);

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
