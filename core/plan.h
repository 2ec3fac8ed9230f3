/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * core/plan.h: the validated model turned into the ordered list of typed
 * operations a deploy performs. Pure: no kernel, no I/O; `nslab plan` prints
 * it and unit tests assert on it. The executor (core/deploy.c) walks it in
 * phases, batching the netlink operations of a phase per namespace.
 */
#ifndef NSLAB_CORE_PLAN_H
#define NSLAB_CORE_PLAN_H

#include <stddef.h>

#include "../topologies/model.h"

enum nslab_op_type {
	NSLAB_OP_NODE,	   /* create the node's namespaces and init process */
	NSLAB_OP_SYSCTL,   /* write a net.* sysctl inside the node */
	NSLAB_OP_BRIDGE,   /* create the bridge device in a bridge node, up */
	NSLAB_OP_LO_UP,	   /* bring lo up */
	NSLAB_OP_VETH,	   /* create a veth pair, both ends in their nodes; main end up (and enslaved) */
	NSLAB_OP_LINK_UP,  /* bring the peer end of a veth up */
	NSLAB_OP_ADDR,	   /* add an address to an interface */
	NSLAB_OP_ROUTE,	   /* add a static route */
	NSLAB_OP_QDISC,	   /* egress impairments of an interface (netem / tbf) */
	NSLAB_OP_EXEC,	   /* run an exec: command in the node */
	NSLAB_OP_MGMT_BRIDGE, /* the lab's management bridge in the host's namespace (core/mgmt.c) */
	NSLAB_OP_MGMT_PORT,   /* a node's eth0 on it */
	NSLAB_OP_HOSTLINK,    /* a node's host link (a veth to the host) or dummy interface */
	NSLAB_OP_SERVICE,     /* start what the node's image profile or cmd says (core/service.c) */
	NSLAB_OP__COUNT
};

/* Operations come in phases; everything in one phase is independent of the rest of it. */
enum nslab_phase {
	NSLAB_PHASE_NODES,
	NSLAB_PHASE_SYSCTLS,
	NSLAB_PHASE_DEVICES, /* bridges, lo */
	NSLAB_PHASE_FORWARDING, /* forwarding sysctls (see nslab_sysctl_is_forwarding()) */
	NSLAB_PHASE_LINKS,   /* veth pairs */
	NSLAB_PHASE_UP,	     /* peer ends up */
	NSLAB_PHASE_ADDRS,
	NSLAB_PHASE_ROUTES,
	NSLAB_PHASE_QDISCS,
	NSLAB_PHASE_LATE_SYSCTLS, /* per-interface sysctls, once the interfaces exist */
	NSLAB_PHASE_HOST,     /* management network and host links: by the deployer, core/mgmt.c */
	NSLAB_PHASE_SERVICES, /* once every link end is up: added by nslab_plan_services() */
	NSLAB_PHASE_EXEC,
	NSLAB_PHASE__COUNT
};

struct nslab_op {
	enum nslab_op_type type;
	enum nslab_phase phase;
	size_t node;	/* the namespace the operation acts in (for VETH: the main end's node) */
	size_t iface;	/* LINK_UP, ADDR, QDISC: index in the node's ifaces */
	size_t link;	/* VETH: index in topo->links */
	int main_end;	/* VETH: which endpoint is the main end (0 or 1) */
	size_t item;	/* ADDR: address index; ROUTE: route; SYSCTL: sysctl (or builtin); EXEC: command;
			 * BRIDGE: the node's bridge device; HOSTLINK: host link; SERVICE: service */
	const char *key, *value; /* SYSCTL */
};

struct nslab_services;

struct nslab_plan {
	const struct nslab_topo *topo;
	const char *lab;	/* the lab's name (the topology's unless the caller sets another) */
	const struct nslab_services *svc; /* after nslab_plan_services() */
	struct nslab_op *ops;
	size_t nops;
};

/* Build the plan; the topology must outlive it. */
void nslab_plan_build(const struct nslab_topo *t, struct nslab_plan *p);
void nslab_plan_free(struct nslab_plan *p);
/* Add what starts in the nodes (SERVICE operations, decided by nslab_services_prepare()); s must
 * outlive the plan. */
void nslab_plan_services(struct nslab_plan *p, const struct nslab_services *s);

/* One line naming the operation and its object ("create veth r1:eth1 -- r2:eth1 mtu 9500"). */
char *nslab_op_describe(const struct nslab_plan *p, const struct nslab_op *op);
const char *nslab_op_type_name(enum nslab_op_type t);
const char *nslab_phase_name(enum nslab_phase ph);

/* "net.ipv4.conf.eth1.rp_filter" -> "/proc/sys/net/ipv4/conf/eth1/rp_filter" (malloc'd);
 * a key written with '/' separators keeps its dots (interface names such as eth1.100). */
char *nslab_sysctl_path(const char *key);
/* true when the key names a specific interface (net.*.conf.IF.*, net.ipv6.neigh.IF.* ...). */
bool nslab_sysctl_is_per_iface(const char *key);
/* true for the forwarding switches (net.ipv4.ip_forward, net.ipv{4,6}.conf.*.forwarding). The
 * kernel takes RTNL for them with rtnl_trylock() and restarts the write() at once, again and
 * again, while another task holds it (devinet_sysctl_forward, addrconf_sysctl_forward): done by
 * every node while the others make their namespaces, that spin was a third of a 1000-node
 * deploy's CPU time. So they have their own phase, run by the deployer node after node once
 * every node is set up and before the veths, while nothing else takes RTNL. */
bool nslab_sysctl_is_forwarding(const char *key);

#endif
