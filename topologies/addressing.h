/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * topologies/addressing.h: automatic addressing (netlab's habit), pure model code. When a file asks
 * for it (top-level `addressing:`), every point-to-point link gets a subnet of the p2p pool, every
 * LAN (the links of a bridge, or of bridges linked together) a subnet of the lan pool, every router
 * (kinds router, frr, bird) a loopback address, and IPv6 too when an ipv6 pool is given; hosts get a
 * default route through a router of their segment. Deterministic: the same file gives the same
 * addresses (subnets in link order; on each, routers first, then the other nodes, in node order).
 * `routing:` then writes FRR configurations for the routers (topologies/routing.h).
 */
#ifndef NSLAB_TOPOLOGIES_ADDRESSING_H
#define NSLAB_TOPOLOGIES_ADDRESSING_H

#include <stdbool.h>
#include <stddef.h>

#include "topologies/model.h"

enum nslab_routing {
	NSLAB_ROUTING_NONE,
	NSLAB_ROUTING_STATIC,
	NSLAB_ROUTING_RIP,
	NSLAB_ROUTING_OSPF,
	NSLAB_ROUTING_BGP,
};

/* A pool: net (its length is the pool's), cut into subnets of plen bits. on false: not used. */
struct nslab_pool {
	bool on;
	struct nslab_prefix net;
	unsigned plen;
};

struct nslab_addressing {
	bool on;
	struct nslab_pool p2p;	    /* default 10.1.0.0/16, /30 subnets */
	struct nslab_pool lan;	    /* default 172.16.0.0/16, /24 subnets */
	struct nslab_pool loopback; /* default 10.0.0.0/24, /32 each */
	struct nslab_pool ipv6;	    /* off by default; /64 per segment, loopbacks ::N/128 in its first /64 */
	enum nslab_routing routing;
	struct nslab_pos pos, routing_pos;
};

/* The defaults above, on, no routing. */
void nslab_addressing_defaults(struct nslab_addressing *a);
/* "10.1.0.0/16", "10.1.0.0/16 /31", "none" into p (family must match; plen defaults to dflt). */
int nslab_pool_parse(const char *s, int family, unsigned dflt, struct nslab_pool *p, const char **why);
/* "static", "rip", "ospf", "bgp", "none"; -EINVAL otherwise. */
int nslab_routing_parse(const char *s, enum nslab_routing *r);
const char *nslab_routing_name(enum nslab_routing r);

/* The nth subnet of a pool (its length p->plen), with host number host in it: 0 or -ENOSPC. */
int nslab_pool_addr(const struct nslab_pool *p, unsigned long nth, unsigned long host, struct nslab_prefix *out);

/* Whether a node is a router for addressing and routing: kinds router, frr, bird. */
bool nslab_node_is_router(const struct nslab_node *n);

/* ---- segments: the lab's L3 networks ---- */

struct nslab_seg_member {
	size_t node, iface;
};

struct nslab_segment {
	bool lan;		       /* a bridge domain; else a point-to-point link */
	long first_link;	       /* the segment's first link in file order */
	struct nslab_seg_member *m;    /* non-bridge interfaces on it: routers first, then node order */
	size_t nm;
};

struct nslab_segments {
	struct nslab_segment *v; /* in the order of their first link */
	size_t n;
};

void nslab_segments_build(const struct nslab_topo *t, struct nslab_segments *s);
void nslab_segments_free(struct nslab_segments *s);

/*
 * Give addresses to every interface of the lab's segments that has none of that family (a segment
 * where any member has one is left as the file says), loopbacks to routers whose lo has none,
 * and a default route to hosts without routes of their own. 0, or -ENOSPC with *why (malloc'd)
 * naming the pool that ran out.
 */
int nslab_addressing_apply(struct nslab_topo *t, const struct nslab_addressing *a, char **why);

#endif
