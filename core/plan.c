// SPDX-License-Identifier: GPL-2.0-or-later
/* core/plan.c: model -> ordered, typed operations (what a deploy will do, and in which phase). */
#include "plan.h"

#include <arpa/inet.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "../util/util.h"
#include "impair.h"
#include "mgmt.h"
#include "service.h"

static const char *const op_names[NSLAB_OP__COUNT] = {
	[NSLAB_OP_NODE] = "node",   [NSLAB_OP_SYSCTL] = "sysctl", [NSLAB_OP_BRIDGE] = "bridge",
	[NSLAB_OP_LO_UP] = "lo-up", [NSLAB_OP_VETH] = "veth",	  [NSLAB_OP_LINK_UP] = "link-up",
	[NSLAB_OP_ADDR] = "addr",   [NSLAB_OP_ROUTE] = "route",	  [NSLAB_OP_EXEC] = "exec",
	[NSLAB_OP_QDISC] = "qdisc", [NSLAB_OP_MGMT_BRIDGE] = "mgmt-bridge", [NSLAB_OP_MGMT_PORT] = "mgmt-port",
	[NSLAB_OP_HOSTLINK] = "host-link", [NSLAB_OP_SERVICE] = "service",
};

static const char *const phase_names[NSLAB_PHASE__COUNT] = {
	[NSLAB_PHASE_NODES] = "nodes",	       [NSLAB_PHASE_SYSCTLS] = "sysctls",
	[NSLAB_PHASE_DEVICES] = "devices",     [NSLAB_PHASE_FORWARDING] = "forwarding",
	[NSLAB_PHASE_LINKS] = "links",
	[NSLAB_PHASE_UP] = "up",	       [NSLAB_PHASE_ADDRS] = "addresses",
	[NSLAB_PHASE_ROUTES] = "routes",       [NSLAB_PHASE_LATE_SYSCTLS] = "interface-sysctls",
	[NSLAB_PHASE_QDISCS] = "impairments",  [NSLAB_PHASE_HOST] = "host",
	[NSLAB_PHASE_SERVICES] = "services",   [NSLAB_PHASE_EXEC] = "exec",
};

const char *nslab_op_type_name(enum nslab_op_type t)
{
	return t < NSLAB_OP__COUNT ? op_names[t] : "?";
}

const char *nslab_phase_name(enum nslab_phase ph)
{
	return ph < NSLAB_PHASE__COUNT ? phase_names[ph] : "?";
}

/*
 * sysctls a kind turns on before the user's own (which may override them). linux nodes forward
 * like containers on a Docker host (ip_forward 1 there, and containerlab labs count on it: FRR
 * routers are `linux` nodes); IPv6 too, so that a dual-stack lab routes both. A bridge node's
 * namespace holds only the bridge: nothing to forward.
 */
struct kind_sysctl {
	enum nslab_kind kind;
	const char *key, *value;
};
static const struct kind_sysctl kind_sysctls[] = {
	{ NSLAB_KIND_LINUX, "net.ipv4.ip_forward", "1" },
	{ NSLAB_KIND_LINUX, "net.ipv6.conf.all.forwarding", "1" },
	{ NSLAB_KIND_ROUTER, "net.ipv4.ip_forward", "1" },
	{ NSLAB_KIND_ROUTER, "net.ipv6.conf.all.forwarding", "1" },
	{ NSLAB_KIND_FRR, "net.ipv4.ip_forward", "1" },
	{ NSLAB_KIND_FRR, "net.ipv6.conf.all.forwarding", "1" },
	{ NSLAB_KIND_BIRD, "net.ipv4.ip_forward", "1" },
	{ NSLAB_KIND_BIRD, "net.ipv6.conf.all.forwarding", "1" },
};

bool nslab_sysctl_is_per_iface(const char *key)
{
	static const char *const pfx[] = { "net.ipv4.conf.", "net.ipv6.conf.", "net.ipv4.neigh.",
					   "net.ipv6.neigh.", "net/ipv4/conf/", "net/ipv6/conf/",
					   "net/ipv4/neigh/", "net/ipv6/neigh/" };

	for (size_t i = 0; i < ARRAY_SIZE(pfx); i++) {
		size_t n = strlen(pfx[i]);
		const char *rest;
		char sep = pfx[i][3];
		if (strncmp(key, pfx[i], n) != 0)
			continue;
		rest = key + n;
		if ((strncmp(rest, "all", 3) == 0 || strncmp(rest, "default", 7) == 0) &&
		    rest[strncmp(rest, "all", 3) == 0 ? 3 : 7] == sep)
			return false;
		return true;
	}
	return false;
}

bool nslab_sysctl_is_forwarding(const char *key)
{
	size_t n = strlen(key);
	static const char sfx[] = "forwarding";

	if (strcmp(key, "net.ipv4.ip_forward") == 0 || strcmp(key, "net/ipv4/ip_forward") == 0)
		return true;
	return (strncmp(key, "net.ipv4.conf.", 14) == 0 || strncmp(key, "net.ipv6.conf.", 14) == 0 ||
		strncmp(key, "net/ipv4/conf/", 14) == 0 || strncmp(key, "net/ipv6/conf/", 14) == 0) &&
	       n > sizeof(sfx) && strcmp(key + n - (sizeof(sfx) - 1), sfx) == 0 &&
	       (key[n - sizeof(sfx)] == '.' || key[n - sizeof(sfx)] == '/');
}

char *nslab_sysctl_path(const char *key)
{
	char *p = xasprintf("/proc/sys/%s", key);

	if (!strchr(key, '/')) {
		for (char *c = p + strlen("/proc/sys/"); *c; c++)
			if (*c == '.')
				*c = '/';
	}
	return p;
}

static struct nslab_op *push(struct nslab_plan *p, enum nslab_op_type type, enum nslab_phase ph, size_t node)
{
	struct nslab_op *op = VEC_PUSH(p->ops, p->nops);
	op->type = type;
	op->phase = ph;
	op->node = node;
	return op;
}

/* Each node's sysctls: its kind's first (forwarding in its own phase), then the file's. */
static void plan_sysctls(struct nslab_plan *p, const struct nslab_topo *t, size_t n)
{
	const struct nslab_node *node = &t->nodes[n];

	for (size_t k = 0; k < ARRAY_SIZE(kind_sysctls); k++) {
		if (kind_sysctls[k].kind != node->kind ||
		    (t->no_ipv6 && !strncmp(kind_sysctls[k].key, "net.ipv6.", 9))) /* the host has none */
			continue;
		struct nslab_op *op = push(p, NSLAB_OP_SYSCTL,
					   nslab_sysctl_is_forwarding(kind_sysctls[k].key) ? NSLAB_PHASE_FORWARDING
											   : NSLAB_PHASE_SYSCTLS,
					   n);
		op->key = kind_sysctls[k].key;
		op->value = kind_sysctls[k].value;
	}
	if (t->ipv6_default_off && node->kind != NSLAB_KIND_BRIDGE) {
		/* booted with ipv6.disable_ipv6=1: IPv6 on in the node, as on any host (all = 0 sets
		 * default and lo too); before the file's own, which may turn it off again */
		struct nslab_op *op = push(p, NSLAB_OP_SYSCTL, NSLAB_PHASE_SYSCTLS, n);
		op->key = "net.ipv6.conf.all.disable_ipv6";
		op->value = "0";
	}
	for (size_t s = 0; s < node->nsysctls; s++) {
		const char *key = node->sysctls[s].key;
		/* an interface's own forwarding waits for the interface, like its other keys */
		enum nslab_phase ph = nslab_sysctl_is_per_iface(key)   ? NSLAB_PHASE_LATE_SYSCTLS
				      : nslab_sysctl_is_forwarding(key) ? NSLAB_PHASE_FORWARDING
									: NSLAB_PHASE_SYSCTLS;
		struct nslab_op *op = push(p, NSLAB_OP_SYSCTL, ph, n);
		op->item = s;
		op->key = node->sysctls[s].key;
		op->value = node->sysctls[s].value;
	}
}

static const struct nslab_iface *iface_of(const struct nslab_topo *t, const struct nslab_endpoint *ep)
{
	return &t->nodes[ep->node].ifaces[ep->iface];
}

/* A link's veth pair, created from its main end's namespace, and the peer end's "up". */
static void plan_link(struct nslab_plan *p, const struct nslab_topo *t, size_t l)
{
	const struct nslab_link *lk = &t->links[l];
	/* the bridge side is the main end: it can be enslaved and set up in the create request */
	int main_end = iface_of(t, &lk->ep[1])->master && !iface_of(t, &lk->ep[0])->master;
	const struct nslab_endpoint *pe = &lk->ep[!main_end];
	struct nslab_op *op = push(p, NSLAB_OP_VETH, NSLAB_PHASE_LINKS, lk->ep[main_end].node);

	op->link = l;
	op->main_end = main_end;
	/* the peer end is set up in its own namespace; on a bridge it is enslaved there too */
	if (!iface_of(t, pe)->down || iface_of(t, pe)->master) {
		op = push(p, NSLAB_OP_LINK_UP, NSLAB_PHASE_UP, pe->node);
		op->iface = pe->iface;
		op->link = l;
	}
}

/* A node's addresses, routes and impaired interfaces' qdiscs. */
static void plan_l3(struct nslab_plan *p, const struct nslab_topo *t, size_t n)
{
	const struct nslab_node *node = &t->nodes[n];

	for (size_t i = 0; i < node->nifaces; i++) {
		for (size_t a = 0; a < node->ifaces[i].naddrs; a++) {
			struct nslab_op *op = push(p, NSLAB_OP_ADDR, NSLAB_PHASE_ADDRS, n);
			op->iface = i;
			op->item = a;
		}
	}
	for (size_t r = 0; r < node->nroutes; r++)
		push(p, NSLAB_OP_ROUTE, NSLAB_PHASE_ROUTES, n)->item = r;
	for (size_t i = 0; i < node->nifaces; i++)
		if (node->ifaces[i].impair.mask)
			push(p, NSLAB_OP_QDISC, NSLAB_PHASE_QDISCS, n)->iface = i;
}

/* Stable sort by phase: file order is kept inside each phase. A counting sort: phases are few,
 * ops many (a 1000-node lab has thousands). */
static void sort_by_phase(struct nslab_plan *p)
{
	size_t count[NSLAB_PHASE__COUNT + 1] = { 0 }, at[NSLAB_PHASE__COUNT + 1] = { 0 };
	struct nslab_op *out;

	if (!p->nops)
		return;
	for (size_t i = 0; i < p->nops; i++)
		count[p->ops[i].phase]++;
	for (size_t ph = 1; ph <= NSLAB_PHASE__COUNT; ph++)
		at[ph] = at[ph - 1] + count[ph - 1];
	out = xcalloc(p->nops, sizeof(*out));
	for (size_t i = 0; i < p->nops; i++)
		out[at[p->ops[i].phase]++] = p->ops[i];
	free(p->ops);
	p->ops = out;
}

/* The management network and each node's eth0, host links and dummies (core/mgmt.c makes them
 * all, in the host's namespace, after the nodes' own links). */
static void plan_host(struct nslab_plan *p, const struct nslab_topo *t)
{
	if (t->mgmt.on)
		push(p, NSLAB_OP_MGMT_BRIDGE, NSLAB_PHASE_HOST, 0);
	for (size_t n = 0; n < t->nnodes; n++) {
		if (t->nodes[n].mgmt4.family || t->nodes[n].mgmt6.family)
			push(p, NSLAB_OP_MGMT_PORT, NSLAB_PHASE_HOST, n);
		for (size_t h = 0; h < t->nodes[n].nhostlinks; h++)
			push(p, NSLAB_OP_HOSTLINK, NSLAB_PHASE_HOST, n)->item = h;
	}
}

void nslab_plan_services(struct nslab_plan *p, const struct nslab_services *s)
{
	p->svc = s;
	for (size_t i = 0; i < s->n; i++)
		push(p, NSLAB_OP_SERVICE, NSLAB_PHASE_SERVICES, s->v[i].node)->item = i;
	sort_by_phase(p);
}

void nslab_plan_build(const struct nslab_topo *t, struct nslab_plan *p)
{
	memset(p, 0, sizeof(*p));
	p->topo = t;
	p->lab = t->name;
	for (size_t n = 0; n < t->nnodes; n++)
		push(p, NSLAB_OP_NODE, NSLAB_PHASE_NODES, n);
	for (size_t n = 0; n < t->nnodes; n++)
		plan_sysctls(p, t, n);
	for (size_t n = 0; n < t->nnodes; n++) {
		push(p, NSLAB_OP_LO_UP, NSLAB_PHASE_DEVICES, n);
		for (size_t b = 0; b < t->nodes[n].nbridges; b++)
			push(p, NSLAB_OP_BRIDGE, NSLAB_PHASE_DEVICES, n)->item = b;
	}
	for (size_t l = 0; l < t->nlinks; l++)
		plan_link(p, t, l);
	for (size_t n = 0; n < t->nnodes; n++)
		plan_l3(p, t, n);
	plan_host(p, t);
	for (size_t n = 0; n < t->nnodes; n++)
		for (size_t e = 0; e < t->nodes[n].nexec; e++)
			push(p, NSLAB_OP_EXEC, NSLAB_PHASE_EXEC, n)->item = e;
	sort_by_phase(p);
}

void nslab_plan_free(struct nslab_plan *p)
{
	free(p->ops);
	memset(p, 0, sizeof(*p));
}

/* " address A, B" for the addresses given (family 0: none), or "". */
static char *addrs_text(const struct nslab_prefix *a, size_t n)
{
	char *s = xstrdup(""), buf[64];

	for (size_t i = 0; i < n; i++) {
		char *s2;
		if (!a[i].family)
			continue;
		s2 = xasprintf("%s%s%s", s, *s ? ", " : " address ", nslab_prefix_fmt(&a[i], true, buf, sizeof(buf)));
		free(s);
		s = s2;
	}
	return s;
}

static bool has_default_route(const struct nslab_node *n, int family)
{
	for (size_t r = 0; r < n->nroutes; r++)
		if (n->routes[r].dst.family == family && n->routes[r].dst.plen == 0)
			return true;
	return false;
}

/* The host phase's operations (core/mgmt.c), named as the host will see them. */
static char *describe_host(const struct nslab_plan *p, const struct nslab_op *op)
{
	const struct nslab_topo *t = p->topo;
	const struct nslab_node *node = &t->nodes[op->node];
	char br[16], veth[16], gw[64];

	nslab_mgmt_bridge_name(p->lab, br);
	if (op->type == NSLAB_OP_MGMT_BRIDGE) {
		_cleanup_free_ char *a = addrs_text((struct nslab_prefix[]){ t->mgmt.gw4, t->mgmt.gw6 }, 2);
		return xasprintf("create management bridge %s in the host's namespace (alias %s%s),%s%s%s%s", br,
				 NSLAB_MGMT_MARK, p->lab, *a ? a : " no address",
				 t->mgmt.gw6.family ? "; its IPv6 on (net.ipv6.conf." : "", t->mgmt.gw6.family ? br : "",
				 t->mgmt.gw6.family ? ".disable_ipv6 = 0)" : "");
	}
	if (op->type == NSLAB_OP_MGMT_PORT) {
		_cleanup_free_ char *a = addrs_text((struct nslab_prefix[]){ node->mgmt4, node->mgmt6 }, 2);
		const struct nslab_prefix *gws[2] = { &t->mgmt.gw4, &t->mgmt.gw6 }, *own[2] = { &node->mgmt4, &node->mgmt6 };
		char routes[160] = "";
		nslab_mgmt_veth_name(p->lab, op->node, veth);
		for (int f = 0; f < 2; f++) /* as core/mgmt.c: through the gateway unless the node has its own */
			if (gws[f]->family && own[f]->family && !has_default_route(node, gws[f]->family))
				snprintf(routes + strlen(routes), sizeof(routes) - strlen(routes), "%s%s",
					 *routes ? ", " : ", default routes via ",
					 nslab_prefix_fmt(gws[f], false, gw, sizeof(gw)));
		return xasprintf("create veth %s:%s -- host:%s on %s,%s%s", node->name, NSLAB_MGMT_IFNAME, veth, br, a,
				 routes);
	}
	const struct nslab_hostlink *hl = &node->hostlinks[op->item];
	_cleanup_free_ char *a = addrs_text(hl->addrs, hl->naddrs);
	if (!hl->host_ifname)
		return xasprintf("create dummy %s:%s%s", node->name, hl->ifname, a);
	return xasprintf("create veth %s:%s -- host:%s%s%s%s", node->name, hl->ifname, hl->host_ifname,
			 hl->mgmt ? " on " : "", hl->mgmt ? br : "", a);
}

/* A veth pair: its main end (made and enslaved first), its peer, their MTUs. */
static char *describe_veth(const struct nslab_topo *t, const struct nslab_op *op)
{
	const struct nslab_link *lk = &t->links[op->link];
	const struct nslab_endpoint *m = &lk->ep[op->main_end], *pe = &lk->ep[!op->main_end];
	const struct nslab_iface *mi = iface_of(t, m), *pi = iface_of(t, pe);
	const struct nslab_node *mn = &t->nodes[m->node];
	const struct nslab_brdev *br = nslab_node_bridge(mn, mi->master);
	char mtu[32];

	if (pi->mtu == mi->mtu)
		snprintf(mtu, sizeof(mtu), "%u", mi->mtu);
	else
		snprintf(mtu, sizeof(mtu), "%u/%u", mi->mtu, pi->mtu);
	return xasprintf("create veth %s:%s -- %s:%s mtu %s%s%s", mn->name, mi->name, t->nodes[pe->node].name,
			 pi->name, mtu, br ? ", enslaved to " : "", br ? br->name : "");
}

char *nslab_op_describe(const struct nslab_plan *p, const struct nslab_op *op)
{
	const struct nslab_topo *t = p->topo;
	const struct nslab_node *node = &t->nodes[op->node];
	char a[64], b[64];

	switch (op->type) {
	case NSLAB_OP_NODE:
		return xasprintf("create node %s (%s): namespaces net,uts,mnt,pid,ipc and init", node->name,
				 nslab_kind_name(node->kind));
	case NSLAB_OP_SYSCTL:
		return xasprintf("sysctl %s: %s = %s", node->name, op->key, op->value);
	case NSLAB_OP_BRIDGE: {
		const struct nslab_brdev *br = &node->bridges[op->item];
		return xasprintf("create bridge %s in node %s (%s%sifindex %d, stp off), up", br->name, node->name,
				 br->from ? br->from : "", br->from ? "; " : "", br->ifindex);
	}
	case NSLAB_OP_LO_UP:
		return xasprintf("set %s:lo up", node->name);
	case NSLAB_OP_VETH:
		return describe_veth(t, op);
	case NSLAB_OP_LINK_UP: {
		const struct nslab_iface *ifc = &node->ifaces[op->iface];
		const struct nslab_brdev *br = nslab_node_bridge(node, ifc->master);
		if (br)
			return xasprintf("set %s:%s %s, enslaved to %s", node->name, ifc->name, ifc->down ? "down" : "up",
					 br->name);
		return xasprintf("set %s:%s up", node->name, ifc->name);
	}
	case NSLAB_OP_ADDR: {
		const struct nslab_iface *ifc = &node->ifaces[op->iface];
		return xasprintf("add address %s to %s:%s", nslab_prefix_fmt(&ifc->addrs[op->item], true, a, sizeof(a)),
				 node->name, ifc->name);
	}
	case NSLAB_OP_ROUTE: {
		const struct nslab_route *r = &node->routes[op->item];
		char *s;
		if (r->dst.plen == 0)
			snprintf(a, sizeof(a), "default%s", r->dst.family == AF_INET6 ? " (ipv6)" : "");
		else
			nslab_prefix_fmt(&r->dst, true, a, sizeof(a));
		s = xasprintf("add route %s: %s%s%s%s%s", node->name, a, r->has_via ? " via " : "",
			      r->has_via ? nslab_prefix_fmt(&r->via, false, b, sizeof(b)) : "",
			      r->dev ? " dev " : "", r->dev ? r->dev : "");
		if (r->metric) {
			char *s2 = xasprintf("%s metric %u", s, r->metric);
			free(s);
			s = s2;
		}
		return s;
	}
	case NSLAB_OP_QDISC: {
		_cleanup_free_ char *d = nslab_impair_describe(&node->ifaces[op->iface].impair);
		return xasprintf("impair %s:%s egress: %s", node->name, node->ifaces[op->iface].name, d);
	}
	case NSLAB_OP_EXEC:
		return xasprintf("exec %s: /bin/sh -c '%s'", node->name, node->exec[op->item]);
	case NSLAB_OP_MGMT_BRIDGE:
	case NSLAB_OP_MGMT_PORT:
	case NSLAB_OP_HOSTLINK:
		return describe_host(p, op);
	case NSLAB_OP_SERVICE:
		return xasprintf("start %s in %s: %s", p->svc->v[op->item].what, node->name, p->svc->v[op->item].shown);
	case NSLAB_OP__COUNT:
		break;
	}
	return xstrdup("?");
}
