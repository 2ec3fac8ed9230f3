// SPDX-License-Identifier: GPL-2.0-or-later
/* topologies/resolve.c: resolution of the file's view into the lab model: inheritance (node -> group -> kind -> defaults), links into interfaces and ifindexes, addresses, routes, the checks across the file, and each end's impairments as a whole. Knows no file format. */
#include "topologies/loader.h"

/* ---- resolution into the model ---- */

/* An interface name some link claims on a node, valid link or not. */
struct topo_claim {
	const char *ifname;
	struct nslab_pos pos;
};

struct topo_seen_addr {
	struct nslab_prefix p;
	struct nslab_pos pos;
	const char *ifname;
};

struct topo_nstate {
	bool bad_kind, no_kind;
	int next_ifindex;
	struct topo_claim *claims;
	size_t nclaims;
	struct topo_seen_addr *seen;
	size_t nseen;
};

static void topo_kv_merge(struct nslab_kv **out, size_t *nout, const struct nslab_kv *in, size_t nin)
{
	for (size_t i = 0; i < nin; i++) {
		bool have = false;
		struct nslab_kv *kv;

		for (size_t j = 0; j < *nout && !have; j++)
			have = !strcmp((*out)[j].key, in[i].key);
		if (have)
			continue;
		kv = VEC_PUSH(*out, *nout);
		kv->key = xstrdup(in[i].key);
		kv->value = xstrdup(in[i].value);
		kv->pos = in[i].pos;
	}
}

static void topo_binds_merge(struct nslab_node *n, const struct nslab_bind *in, size_t nin)
{
	for (size_t i = 0; i < nin; i++) {
		bool have = false;
		struct nslab_bind *b;

		for (size_t j = 0; j < n->nbinds && !have; j++)
			have = !strcmp(n->binds[j].dst, in[i].dst);
		if (have)
			continue;
		b = VEC_PUSH(n->binds, n->nbinds);
		b->src = xstrdup(in[i].src);
		b->dst = xstrdup(in[i].dst);
		b->ro = in[i].ro;
		b->pos = in[i].pos;
	}
}

static const struct topo_named *topo_find_named(const struct topo_named *v, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(v[i].name, name))
			return &v[i];
	return NULL;
}

static const struct topo_iface *topo_node_lo(const struct topo_named *raw)
{
	for (size_t i = 0; i < raw->s.nifaces; i++)
		if (!strcmp(raw->s.ifaces[i].name, "lo"))
			return &raw->s.ifaces[i];
	return NULL;
}

/* Each limit from the nearest level that sets it; *got collects the ones already taken. */
static void topo_limits_inherit(struct nslab_limits *out, unsigned *got, const struct topo_limits *in)
{
	unsigned take = in->given & ~*got;

	if (take & TOPO_LIM_CPU)
		out->cpu = in->l.cpu;
	if (take & TOPO_LIM_CPUSET)
		out->cpuset = xstrdup(in->l.cpuset);
	if (take & TOPO_LIM_MEMORY)
		out->memory_bytes = in->l.memory_bytes;
	if (take & TOPO_LIM_CPU_WEIGHT)
		out->cpu_weight = in->l.cpu_weight;
	if (take & TOPO_LIM_PIDS)
		out->pids = in->l.pids;
	if (take & TOPO_LIM_NET_CLS) {
		out->net_cls_auto = in->l.net_cls_auto;
		out->net_cls = in->l.net_cls;
	}
	*got |= take;
}

/* Inheritance: node -> group -> kind -> defaults. */
static void topo_resolve_node(struct topo_ld *ld, const struct topo_named *raw, struct nslab_node *n,
			      struct topo_nstate *st)
{
	const struct topo_settings *lv[4];
	const struct topo_iface *lo;
	unsigned got_limits = 0;
	size_t nlv = 0;
	int kind;

	n->name = xstrdup(raw->name);
	n->pos = raw->pos;
	lv[nlv++] = &raw->s;
	if (raw->s.group) {
		const struct topo_named *g = topo_find_named(ld->groups, ld->ngroups, raw->s.group);

		n->group = xstrdup(raw->s.group);
		if (g)
			lv[nlv++] = &g->s;
		else
			topo_err_at(ld, &raw->s.group_pos, "unknown group \"%s\" (not in topology.groups)",
				    raw->s.group);
	}
	kind = raw->s.kind;
	if (kind == TOPO_KIND_UNSET && nlv > 1)
		kind = lv[1]->kind;
	if (kind == TOPO_KIND_UNSET)
		kind = ld->defaults.kind;
	if (kind == TOPO_KIND_UNSET) {
		topo_err_at(ld, &raw->pos, "node %s has no kind (set kind on the node, its group or topology.defaults)",
			    raw->name);
		st->no_kind = true;
	} else if (kind < 0) {
		st->bad_kind = true;
	} else {
		n->kind = (enum nslab_kind)kind;
		if (ld->has_kind[kind])
			lv[nlv++] = &ld->kinds[kind];
	}
	lv[nlv++] = &ld->defaults;

	for (size_t i = nlv; i-- > 0;) { /* the nearest level's wins */
		if (lv[i]->image) {
			free(n->image);
			n->image = xstrdup(lv[i]->image);
		}
		if (lv[i]->cmd) {
			free(n->cmd);
			n->cmd = xstrdup(lv[i]->cmd);
		}
		if (lv[i]->entrypoint) {
			free(n->entrypoint);
			n->entrypoint = xstrdup(lv[i]->entrypoint);
		}
	}
	for (size_t i = 0; i < nlv; i++) {
		if (!lv[i]->has_exec)
			continue;
		n->exec = xcalloc(lv[i]->nexec, sizeof(*n->exec));
		for (size_t j = 0; j < lv[i]->nexec; j++)
			n->exec[j] = xstrdup(lv[i]->exec[j]);
		n->nexec = lv[i]->nexec;
		break;
	}
	for (size_t i = 0; i < nlv; i++) {
		topo_kv_merge(&n->env, &n->nenv, lv[i]->env, lv[i]->nenv);
		topo_kv_merge(&n->labels, &n->nlabels, lv[i]->labels, lv[i]->nlabels);
		topo_kv_merge(&n->sysctls, &n->nsysctls, lv[i]->sysctls, lv[i]->nsysctls);
		topo_binds_merge(n, lv[i]->binds, lv[i]->nbinds);
		topo_limits_inherit(&n->limits, &got_limits, &lv[i]->lim);
	}

	st->next_ifindex = NSLAB_IFINDEX_FIRST;
	if (kind == NSLAB_KIND_BRIDGE) {
		if (strlen(raw->name) >= NSLAB_IFNAMSIZ)
			topo_err_at(ld, &raw->pos,
				    "bridge node name \"%s\" is %zu bytes: it names the bridge device, so at most %d",
				    raw->name, strlen(raw->name), NSLAB_IFNAMSIZ - 1);
		if (!strcmp(raw->name, "lo"))
			topo_err_at(ld, &raw->pos, "bridge node name \"lo\": it names the bridge device, and lo is the "
						   "loopback of its namespace");
		n->br_ifindex = st->next_ifindex++;
	}
	lo = topo_node_lo(raw);
	if (lo && lo->naddrs) {
		struct nslab_iface *i = VEC_PUSH(n->ifaces, n->nifaces);

		i->name = xstrdup("lo");
		i->ifindex = NSLAB_IFINDEX_LO;
		i->link = -1;
		i->pos = lo->pos;
	}
}

static int topo_byname_cmp(const void *a, const void *b)
{
	return strcmp(((const struct topo_byname *)a)->name, ((const struct topo_byname *)b)->name);
}

/* Sort the nodes by name once (their names are unique: the nodes map refused duplicates). */
static void topo_byname_build(struct topo_ld *ld)
{
	ld->byname = xcalloc(ld->nnodes ? ld->nnodes : 1, sizeof(*ld->byname));
	for (size_t i = 0; i < ld->nnodes; i++)
		ld->byname[i] = (struct topo_byname){ ld->nodes[i].name, i };
	qsort(ld->byname, ld->nnodes, sizeof(*ld->byname), topo_byname_cmp);
}

static ssize_t topo_node_index(const struct topo_ld *ld, const char *name)
{
	struct topo_byname key = { name, 0 };
	const struct topo_byname *f = bsearch(&key, ld->byname, ld->nnodes, sizeof(key), topo_byname_cmp);

	return f ? (ssize_t)f->idx : -1;
}

static const struct topo_claim *topo_claimed(const struct topo_nstate *st, const char *ifname)
{
	for (size_t i = 0; i < st->nclaims; i++)
		if (!strcmp(st->claims[i].ifname, ifname))
			return &st->claims[i];
	return NULL;
}

static ssize_t topo_iface_index(const struct nslab_node *n, const char *ifname)
{
	for (size_t i = 0; i < n->nifaces; i++)
		if (!strcmp(n->ifaces[i].name, ifname))
			return (ssize_t)i;
	return -1;
}

/* Add an address to interface i of node n unless the node has it already. */
static void topo_add_addr(struct topo_ld *ld, struct nslab_node *n, struct topo_nstate *st, size_t i,
			  const struct topo_addr *a)
{
	struct nslab_iface *ifc = &n->ifaces[i];
	size_t alen = a->p.family == AF_INET ? 4 : 16;
	struct topo_seen_addr *seen;

	for (size_t j = 0; j < st->nseen; j++) {
		if (st->seen[j].p.family == a->p.family && !memcmp(st->seen[j].p.addr, a->p.addr, alen)) {
			char buf[64];

			topo_err_at(ld, &a->pos, "address %s is assigned twice on node %s (also on %s at line %u)",
				    nslab_prefix_fmt(&a->p, false, buf, sizeof(buf)), n->name, st->seen[j].ifname,
				    st->seen[j].pos.line);
			return;
		}
	}
	seen = VEC_PUSH(st->seen, st->nseen);
	seen->p = a->p;
	seen->pos = a->pos;
	seen->ifname = ifc->name;
	*VEC_PUSH(ifc->addrs, ifc->naddrs) = a->p;
}

static bool topo_is_host_endpoint(const char *node)
{
	static const char *const names[] = { "host", "mgmt-net", "macvlan" };

	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		if (!strcmp(node, names[i]))
			return true;
	return false;
}

/* The node of endpoint ep, checked (known node, supported kind, usable interface name); its index,
 * or -1 after an error. *ok goes false when the link cannot be made. */
static ssize_t topo_link_end(struct topo_ld *ld, const struct nslab_topo *t, const struct topo_nstate *st,
			     const struct topo_ep *ep, bool *ok)
{
	const struct topo_nstate *s;
	ssize_t idx;

	if (ep->bad) {
		*ok = false;
		return -1;
	}
	idx = topo_node_index(ld, ep->node);
	if (idx < 0) {
		if (topo_is_host_endpoint(ep->node))
			topo_err_at(ld, &ep->node_pos,
				    "endpoint %s:%s: links to the host (host, mgmt-net, macvlan) are not supported by nslab",
				    ep->node, ep->ifname);
		else
			topo_err_at(ld, &ep->node_pos, "unknown node \"%s\" in link endpoint %s:%s", ep->node, ep->node,
				    ep->ifname);
		*ok = false;
		return -1;
	}
	s = &st[idx];
	if (s->bad_kind)
		topo_err_at(ld, &ep->pos, "endpoint %s:%s is on node %s, whose kind nslab does not support", ep->node,
			    ep->ifname, ep->node);
	if (s->bad_kind || s->no_kind)
		*ok = false;
	if (!nslab_ifname_valid(ep->ifname)) {
		topo_err_at(ld, &ep->if_pos,
			    "invalid interface name \"%s\" in endpoint %s:%s: 1-15 bytes without '/', ':', '%%' or spaces",
			    ep->ifname, ep->node, ep->ifname);
		*ok = false;
		return -1;
	}
	if (!strcmp(ep->ifname, "lo")) {
		topo_err_at(ld, &ep->if_pos, "endpoint %s:lo: lo cannot be used in a link", ep->node);
		*ok = false;
		return -1;
	}
	if (t->nodes[idx].kind == NSLAB_KIND_BRIDGE && !s->bad_kind && !s->no_kind && !strcmp(ep->ifname, ep->node)) {
		topo_err_at(ld, &ep->if_pos, "endpoint %s:%s: a port of bridge %s cannot have its name", ep->node,
			    ep->ifname, ep->node);
		*ok = false;
	}
	return idx;
}

/* The model link of l, whose ends are on nodes ni[0] and ni[1]: one interface on each node. */
static void topo_link_make(struct topo_ld *ld, struct nslab_topo *t, struct topo_nstate *st, const struct topo_link *l,
			   const ssize_t ni[2])
{
	struct nslab_link *nl = TOPO_PUSH(t->links, t->nlinks);

	nl->mtu = l->mtu;
	nl->pos = l->pos;
	TOPO_PUSH(ld->lsrc, ld->nlsrc)->l = l;
	for (int e = 0; e < 2; e++) {
		const struct topo_ep *ep = &l->ep[e];
		struct nslab_node *n = &t->nodes[ni[e]];
		struct nslab_iface *ifc = VEC_PUSH(n->ifaces, n->nifaces);
		size_t ii = n->nifaces - 1;

		ifc->name = xstrdup(ep->ifname);
		ifc->ifindex = st[ni[e]].next_ifindex++;
		ifc->mtu = l->mtu ? l->mtu : NSLAB_DEFAULT_MTU;
		ifc->has_mac = ep->has_mac;
		memcpy(ifc->mac, ep->mac, 6);
		ifc->link = (long)(t->nlinks - 1);
		ifc->end = e;
		ifc->pos = ep->pos;
		/* The link's settings act on both ends (egress of each); an endpoint's on its own. */
		ifc->impair = l->imp.imp;
		nslab_impair_merge(&ifc->impair, &ep->imp.imp);
		if (ep->imp.state != TOPO_STATE_UNSET)
			ifc->down = ep->imp.state == TOPO_STATE_DOWN;
		else if (l->imp.state != TOPO_STATE_UNSET)
			ifc->down = l->imp.state == TOPO_STATE_DOWN;
		nl->ep[e].node = (size_t)ni[e];
		nl->ep[e].iface = ii;
		for (size_t a = 0; a < ep->naddrs; a++)
			topo_add_addr(ld, n, &st[ni[e]], ii, &ep->addrs[a]);
	}
}

static void topo_resolve_link(struct topo_ld *ld, struct nslab_topo *t, struct topo_nstate *st,
			      const struct topo_link *l)
{
	ssize_t ni[2] = { -1, -1 };
	bool ok = !l->bad && l->nep == 2;

	for (size_t e = 0; e < l->nep; e++)
		ni[e] = topo_link_end(ld, t, st, &l->ep[e], &ok);
	if (ni[0] >= 0 && ni[0] == ni[1]) {
		topo_err_at(ld, &l->pos, "link connects node %s to itself (%s and %s)", l->ep[0].node,
			    l->ep[0].ifname, l->ep[1].ifname);
		return;
	}
	for (size_t e = 0; e < l->nep; e++) {
		const struct topo_ep *ep = &l->ep[e];
		const struct topo_claim *c;
		struct topo_claim *nc;

		if (ni[e] < 0)
			continue;
		c = topo_claimed(&st[ni[e]], ep->ifname);
		if (c) {
			topo_err_at(ld, &ep->if_pos, "interface %s:%s is already used by the link at line %u",
				    ep->node, ep->ifname, c->pos.line);
			ok = false;
			continue;
		}
		nc = VEC_PUSH(st[ni[e]].claims, st[ni[e]].nclaims);
		nc->ifname = ep->ifname;
		nc->pos = l->pos;
	}
	if (ok)
		topo_link_make(ld, t, st, l, ni);
}

/* interfaces: and routes:, once every link has made its interfaces. */
static void topo_resolve_node_ifaces(struct topo_ld *ld, const struct topo_named *raw, struct nslab_node *n,
				     struct topo_nstate *st)
{
	for (size_t i = 0; i < raw->s.nifaces; i++) {
		const struct topo_iface *ri = &raw->s.ifaces[i];
		ssize_t ii = topo_iface_index(n, ri->name);
		struct nslab_iface *ifc;

		if (ii < 0) {
			if (strcmp(ri->name, "lo") && !topo_claimed(st, ri->name))
				topo_err_at(ld, &ri->pos, "interface %s of node %s is not created by any link",
					    ri->name, n->name);
			continue;
		}
		ifc = &n->ifaces[ii];
		if (ri->mtu)
			ifc->mtu = ri->mtu;
		if (ri->has_mac) {
			if (ifc->has_mac && memcmp(ifc->mac, ri->mac, 6))
				topo_err_at(ld, &ri->mac_pos,
					    "mac of %s:%s is set both on its link endpoint and in interfaces", n->name,
					    ri->name);
			ifc->has_mac = true;
			memcpy(ifc->mac, ri->mac, 6);
		}
		if (ri->state >= 0)
			ifc->down = ri->state == 1;
		if (ifc->link >= 0) {
			nslab_impair_merge(&ifc->impair, &ri->imp.imp);
			ld->lsrc[ifc->link].ifc[ifc->end] = ri;
		}
		for (size_t a = 0; a < ri->naddrs; a++)
			topo_add_addr(ld, n, st, (size_t)ii, &ri->addrs[a]);
	}
	for (size_t i = 0; i < raw->s.nroutes; i++) {
		const struct topo_route *rr = &raw->s.routes[i];
		struct nslab_route *r;

		if (rr->r.dev && strcmp(rr->r.dev, "lo") && topo_iface_index(n, rr->r.dev) < 0 &&
		    !topo_claimed(st, rr->r.dev)) {
			topo_err_at(ld, &rr->dev_pos, "route dev %s is not an interface of node %s", rr->r.dev,
				    n->name);
			continue;
		}
		r = VEC_PUSH(n->routes, n->nroutes);
		*r = rr->r;
		r->dev = rr->r.dev ? xstrdup(rr->r.dev) : NULL;
	}
}

/*
 * Each end's final impairment set as a whole (reorder needs delay, ...). A problem the link alone
 * causes on both ends is reported once at the link; one that an end's own settings are part of,
 * at those settings, naming the end.
 */
static void topo_check_impairs(struct topo_ld *ld, const struct nslab_topo *t)
{
	for (size_t li = 0; li < t->nlinks; li++) {
		const struct topo_lsrc *src = &ld->lsrc[li];
		const struct topo_link *l = src->l;
		char msg[2][NSLAB_IMP_MSG_MAX] = { "", "" };
		struct nslab_pos pos[2];
		bool own[2];

		if (l->imp.bad)
			continue;
		for (int e = 0; e < 2; e++) {
			const struct nslab_link *nl = &t->links[li];
			const struct nslab_node *n = &t->nodes[nl->ep[e].node];
			const struct topo_imp *ep = &l->ep[e].imp, *ri = src->ifc[e] ? &src->ifc[e]->imp : NULL;

			own[e] = ep->given || (ri && ri->given);
			pos[e] = ri && ri->given ? ri->first_pos : ep->given ? ep->first_pos : l->pos;
			if (ep->bad || (ri && ri->bad))
				continue;
			if (nslab_impair_check(&n->ifaces[nl->ep[e].iface].impair, msg[e], sizeof(msg[e])) == 0)
				msg[e][0] = 0;
		}
		if (msg[0][0] && msg[1][0] && !own[0] && !own[1]) {
			topo_err_at(ld, &l->pos, "%s", msg[0]);
			continue;
		}
		for (int e = 0; e < 2; e++)
			if (msg[e][0])
				topo_err_at(ld, &pos[e], "%s:%s: %s", l->ep[e].node, l->ep[e].ifname, msg[e]);
	}
}

void topo_resolve(struct topo_ld *ld, struct nslab_topo *t)
{
	struct topo_nstate *st = xcalloc(ld->nnodes, sizeof(*st));

	t->name = steal_ptr(ld->name);
	t->lab_folder = steal_ptr(ld->lab_folder);
	t->nodes = xcalloc(ld->nnodes, sizeof(*t->nodes));
	t->nnodes = ld->nnodes;
	for (size_t i = 0; i < ld->nnodes; i++)
		topo_resolve_node(ld, &ld->nodes[i], &t->nodes[i], &st[i]);
	topo_byname_build(ld);
	for (size_t i = 0; i < ld->nlinks; i++)
		topo_resolve_link(ld, t, st, &ld->links[i]);
	free(ld->byname);
	ld->byname = NULL;
	for (size_t i = 0; i < ld->nnodes; i++)
		topo_resolve_node_ifaces(ld, &ld->nodes[i], &t->nodes[i], &st[i]);
	for (size_t i = 0; i < t->nnodes; i++) {
		size_t ports = 0;
		if (t->nodes[i].kind != NSLAB_KIND_BRIDGE)
			continue;
		for (size_t k = 0; k < t->nodes[i].nifaces; k++)
			ports += t->nodes[i].ifaces[k].link >= 0;
		if (ports > NSLAB_BRIDGE_MAX_PORTS)
			topo_err_at(ld, &ld->nodes[i].pos,
				    "bridge node %s has %zu links: a Linux bridge takes at most %d ports (split it into "
				    "several bridge nodes linked together)",
				    t->nodes[i].name, ports, NSLAB_BRIDGE_MAX_PORTS);
	}
	topo_check_impairs(ld, t);
	free(ld->lsrc);
	ld->lsrc = NULL;
	ld->nlsrc = 0;
	for (size_t i = 0; i < ld->nnodes; i++) {
		free(st[i].claims);
		free(st[i].seen);
	}
	free(st);
}
