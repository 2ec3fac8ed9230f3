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
	const char *kind_name; /* of a kind nslab cannot run */
	struct nslab_pos kind_pos; /* where it is written */
	const char *netmode;   /* network-mode container:NODE's NODE */
	struct nslab_pos netmode_pos;
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

/* containerlab's group of a node: its own, else its kind's, else the defaults' (an empty one is none). */
static const char *topo_node_group(const struct topo_ld *ld, const struct topo_named *raw, int kind)
{
	if (raw->s.has_group)
		return raw->s.group;
	if (kind >= 0 && ld->has_kind[kind] && ld->kinds[kind].has_group)
		return ld->kinds[kind].group;
	return ld->defaults.group;
}

/* The node's kind: its own, else its group's, else the defaults' group's, else the defaults'.
 * *name is the name given when nslab cannot run it. */
static int topo_node_kind(const struct topo_ld *ld, const struct topo_named *raw, const char **name,
			  struct nslab_pos *pos)
{
	const struct topo_settings *from[4] = { &raw->s, NULL, NULL, &ld->defaults };
	const struct topo_named *g;

	if (raw->s.group && (g = topo_find_named(ld->groups, ld->ngroups, raw->s.group)))
		from[1] = &g->s;
	if (ld->defaults.group && (g = topo_find_named(ld->groups, ld->ngroups, ld->defaults.group)))
		from[2] = &g->s;
	for (size_t i = 0; i < ARRAY_SIZE(from); i++) {
		if (from[i] && from[i]->kind != TOPO_KIND_UNSET) {
			*name = from[i]->kind_name;
			*pos = from[i]->kind_pos;
			return from[i]->kind;
		}
	}
	return TOPO_KIND_UNSET;
}

/* image, cmd, entrypoint: the nearest level's; exec: the nearest level's list, whole. */
static void topo_inherit_container(struct nslab_node *n, const struct topo_settings *const *lv, size_t nlv)
{
	for (size_t i = nlv; i-- > 0;) {
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
}

/*
 * Every level's settings into node n, the nearest winning. A bridge is no container in
 * containerlab: exec, binds, env and what starts (image, cmd, entrypoint) from defaults, kinds and
 * groups do not reach it, only what the node itself says.
 */
static void topo_inherit(struct nslab_node *n, const struct topo_settings *const *lv, size_t nlv)
{
	size_t ncontainer = n->kind == NSLAB_KIND_BRIDGE ? 1 : nlv;
	unsigned got_limits = 0;

	topo_inherit_container(n, lv, ncontainer);
	for (size_t i = 0; i < nlv; i++) {
		if (i < ncontainer) {
			topo_kv_merge(&n->env, &n->nenv, lv[i]->env, lv[i]->nenv);
			topo_binds_merge(n, lv[i]->binds, lv[i]->nbinds);
		}
		topo_kv_merge(&n->labels, &n->nlabels, lv[i]->labels, lv[i]->nlabels);
		topo_kv_merge(&n->sysctls, &n->nsysctls, lv[i]->sysctls, lv[i]->nsysctls);
		topo_limits_inherit(&n->limits, &got_limits, &lv[i]->lim);
	}
}

/* A bridge's own device (named like the node) and lo when it carries addresses. */
static void topo_node_devices(struct topo_ld *ld, const struct topo_named *raw, struct nslab_node *n,
			      struct topo_nstate *st)
{
	const struct topo_iface *lo;

	st->next_ifindex = NSLAB_IFINDEX_FIRST;
	if (n->kind == NSLAB_KIND_BRIDGE && !st->bad_kind && !st->no_kind) {
		const char *in = topo_nsbridge_parent(raw->name); /* BR|NODE names the device BR */
		size_t len = in ? (size_t)(in - 1 - raw->name) : strlen(raw->name);
		if (len >= NSLAB_IFNAMSIZ)
			topo_err_at(ld, &raw->pos,
				    "bridge node name \"%s\": the bridge device's name is %zu bytes, at most %d", raw->name,
				    len, NSLAB_IFNAMSIZ - 1);
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

/* Inheritance: node -> group -> kind -> defaults. */
static void topo_resolve_node(struct topo_ld *ld, const struct topo_named *raw, struct nslab_node *n,
			      struct topo_nstate *st)
{
	const struct topo_settings *lv[4];
	const char *kind_name = NULL, *group;
	const struct topo_named *g;
	size_t nlv = 0;
	struct nslab_pos kind_pos = raw->pos;
	int kind = topo_node_kind(ld, raw, &kind_name, &kind_pos);

	n->name = xstrdup(raw->name);
	n->pos = raw->pos;
	lv[nlv++] = &raw->s;
	group = topo_node_group(ld, raw, kind);
	if (group) { /* naming no groups: entry, it is a label (containerlab) */
		n->group = xstrdup(group);
		if ((g = topo_find_named(ld->groups, ld->ngroups, group)))
			lv[nlv++] = &g->s;
	}
	if (kind == TOPO_KIND_UNSET) {
		topo_err_at(ld, &raw->pos, "node %s has no kind (set kind on the node, its group or topology.defaults)",
			    raw->name);
		st->no_kind = true;
	} else if (kind < 0) {
		st->bad_kind = true;
		st->kind_name = kind_name; /* one error per name, after every node (topo_check_kinds) */
		st->kind_pos = kind_pos;
	} else {
		n->kind = (enum nslab_kind)kind;
		if (ld->has_kind[kind])
			lv[nlv++] = &ld->kinds[kind];
	}
	lv[nlv++] = &ld->defaults;
	topo_inherit(n, lv, nlv);
	topo_startup_config_resolve(ld, n, lv, nlv);
	n->mgmt4 = raw->s.mgmt4.p;
	n->mgmt4_static = raw->s.has_mgmt4;
	n->mgmt4_pos = raw->s.mgmt4.pos;
	n->mgmt6 = raw->s.mgmt6.p;
	n->mgmt6_static = raw->s.has_mgmt6;
	n->mgmt6_pos = raw->s.mgmt6.pos;
	for (size_t i = 0; i < nlv && !st->netmode; i++) {
		st->netmode = lv[i]->netmode;
		st->netmode_pos = lv[i]->netmode_pos;
	}
	topo_node_devices(ld, raw, n, st);
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

/* containerlab's endpoints outside the lab's nodes: "host" and "mgmt-net" become host links
 * (nslab_hostlink); macvlan needs a host NIC. */
enum topo_hostep { TOPO_HOSTEP_NONE, TOPO_HOSTEP_HOST, TOPO_HOSTEP_MGMT, TOPO_HOSTEP_MACVLAN };

static enum topo_hostep topo_host_endpoint(const struct topo_ld *ld, const char *node)
{
	if (topo_node_index(ld, node) >= 0) /* a node may be named so */
		return TOPO_HOSTEP_NONE;
	if (!strcmp(node, "host"))
		return TOPO_HOSTEP_HOST;
	if (!strcmp(node, "mgmt-net"))
		return TOPO_HOSTEP_MGMT;
	if (!strcmp(node, "macvlan"))
		return TOPO_HOSTEP_MACVLAN;
	return TOPO_HOSTEP_NONE;
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
		if (topo_host_endpoint(ld, ep->node) == TOPO_HOSTEP_MACVLAN)
			topo_err_at(ld, &ep->node_pos,
				    "endpoint %s:%s: a macvlan on a host NIC is not supported by nslab (it puts the "
				    "lab on the host's own network)",
				    ep->node, ep->ifname);
		else if (topo_host_endpoint(ld, ep->node) != TOPO_HOSTEP_NONE)
			topo_err_at(ld, &ep->node_pos, "endpoint %s:%s: a link has at most one host end", ep->node,
				    ep->ifname);
		else
			topo_err_at(ld, &ep->node_pos, "unknown node \"%s\" in link endpoint %s:%s", ep->node, ep->node,
				    ep->ifname);
		*ok = false;
		return -1;
	}
	s = &st[idx];
	if (s->bad_kind || s->no_kind) /* said once, for the kind (topo_check_kinds) */
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

/* The node end's claim on its interface name; false (after an error) when a link has it already. */
static bool topo_claim(struct topo_ld *ld, struct topo_nstate *st, const struct topo_link *l, const struct topo_ep *ep)
{
	const struct topo_claim *c = topo_claimed(st, ep->ifname);
	struct topo_claim *nc;

	if (c) {
		topo_err_at(ld, &ep->if_pos, "interface %s:%s is already used by the link at line %u", ep->node,
			    ep->ifname, c->pos.line);
		return false;
	}
	nc = VEC_PUSH(st->claims, st->nclaims);
	nc->ifname = ep->ifname;
	nc->pos = l->pos;
	return true;
}

/* A link with one host end (host:IFNAME, mgmt-net:IFNAME): a host link of the node of end e. */
static void topo_resolve_hostlink(struct topo_ld *ld, struct nslab_topo *t, struct topo_nstate *st,
				  const struct topo_link *l, int e)
{
	const struct topo_ep *hep = &l->ep[!e], *ep = &l->ep[e];
	bool ok = !l->bad && !ep->bad && !hep->bad;
	ssize_t ni = topo_link_end(ld, t, st, ep, &ok);
	struct nslab_hostlink *h;

	if (!hep->bad && !nslab_ifname_valid(hep->ifname)) {
		topo_err_at(ld, &hep->if_pos, "invalid interface name \"%s\" in endpoint %s:%s", hep->ifname,
			    hep->node, hep->ifname);
		ok = false;
	}
	if (ni < 0 || !topo_claim(ld, &st[ni], l, ep) || !ok)
		return;
	h = VEC_PUSH(t->nodes[ni].hostlinks, t->nodes[ni].nhostlinks);
	h->ifname = xstrdup(ep->ifname);
	h->host_ifname = xstrdup(hep->ifname);
	h->mgmt = topo_host_endpoint(ld, hep->node) == TOPO_HOSTEP_MGMT;
	h->mtu = l->mtu ? l->mtu : NSLAB_DEFAULT_MTU;
	h->pos = ep->pos;
	for (size_t a = 0; a < ep->naddrs; a++)
		*VEC_PUSH(h->addrs, h->naddrs) = ep->addrs[a].p;
	if (h->mgmt)
		t->mgmt.on = true; /* containerlab always has one */
}

/* type: dummy: a dummy interface in the node (a host link without a host end). */
static void topo_resolve_dummy(struct topo_ld *ld, struct nslab_topo *t, struct topo_nstate *st,
			       const struct topo_link *l)
{
	bool ok = !l->bad;
	ssize_t ni = ok ? topo_link_end(ld, t, st, &l->ep[0], &ok) : -1;
	struct nslab_hostlink *h;

	if (ni < 0 || !topo_claim(ld, &st[ni], l, &l->ep[0]) || !ok)
		return;
	h = VEC_PUSH(t->nodes[ni].hostlinks, t->nodes[ni].nhostlinks);
	h->ifname = xstrdup(l->ep[0].ifname);
	h->mtu = l->mtu;
	h->pos = l->ep[0].pos;
	for (size_t a = 0; a < l->ep[0].naddrs; a++)
		*VEC_PUSH(h->addrs, h->naddrs) = l->ep[0].addrs[a].p;
}

static void topo_resolve_link(struct topo_ld *ld, struct nslab_topo *t, struct topo_nstate *st,
			      const struct topo_link *l)
{
	ssize_t ni[2] = { -1, -1 };
	bool ok = !l->bad && l->nep == 2;

	if (l->type == TOPO_LINK_DUMMY) {
		topo_resolve_dummy(ld, t, st, l);
		return;
	}

	for (int e = 0; ok && e < 2; e++) {
		if (l->ep[0].bad || l->ep[1].bad || !l->ep[0].node || !l->ep[1].node)
			break;
		enum topo_hostep h = topo_host_endpoint(ld, l->ep[!e].node);
		if ((h == TOPO_HOSTEP_HOST || h == TOPO_HOSTEP_MGMT) &&
		    topo_host_endpoint(ld, l->ep[e].node) == TOPO_HOSTEP_NONE) {
			topo_resolve_hostlink(ld, t, st, l, e);
			return;
		}
	}

	for (size_t e = 0; e < l->nep; e++)
		ni[e] = topo_link_end(ld, t, st, &l->ep[e], &ok);
	if (ni[0] >= 0 && ni[0] == ni[1]) {
		topo_err_at(ld, &l->pos, "link connects node %s to itself (%s and %s)", l->ep[0].node,
			    l->ep[0].ifname, l->ep[1].ifname);
		return;
	}
	for (size_t e = 0; e < l->nep; e++)
		if (ni[e] >= 0 && !topo_claim(ld, &st[ni[e]], l, &l->ep[e]))
			ok = false;
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

/*
 * One error per kind nslab cannot run, at its first use, naming the nodes (a 70-node vendor file
 * gets one line per kind, not one per node and endpoint); a kinds: entry of such a kind that no
 * node uses is only a warning.
 */
static void topo_check_kinds(struct topo_ld *ld, const struct topo_nstate *st)
{
	for (size_t i = 0; i < ld->nnodes; i++) {
		const char *k = st[i].kind_name, *what;
		size_t more = 0, first = i;
		bool seen = false;

		if (!st[i].bad_kind || !k)
			continue;
		for (size_t j = 0; j < i && !seen; j++)
			seen = st[j].kind_name && !strcmp(st[j].kind_name, k);
		if (seen)
			continue;
		for (size_t j = i + 1; j < ld->nnodes; j++)
			more += st[j].kind_name && !strcmp(st[j].kind_name, k);
		what = topo_vendor_kind(k);
		const struct nslab_pos *pos = &st[first].kind_pos;
		char others[48] = "";
		if (more)
			snprintf(others, sizeof(others), " and %zu other node%s", more, more > 1 ? "s" : "");
		if (what)
			topo_err_at(ld, pos,
				    "kind \"%s\" (node %s%s) is a vendor image (%s) that nslab cannot run: nslab runs "
				    "linux, router, bridge, frr and bird nodes with the host's programs",
				    k, ld->nodes[first].name, others, what);
		else
			topo_err_at(ld, pos, "kind \"%s\" (node %s%s) is not supported by nslab (supported: linux, "
					     "router, bridge, frr, bird; ovs-bridge becomes a bridge)",
				    k, ld->nodes[first].name, others);
	}
	for (size_t v = 0; v < ld->nvkinds; v++) {
		bool used = false;

		for (size_t i = 0; i < ld->nnodes && !used; i++)
			used = st[i].kind_name && !strcmp(st[i].kind_name, ld->vkinds[v].name);
		if (!used)
			topo_diag_at(ld, NSLAB_DIAG_WARNING, &ld->vkinds[v].pos,
				     "kinds: %s is ignored: no node uses it (and nslab cannot run it)", ld->vkinds[v].name);
	}
}

/* A bridge sharing NODE's namespace is containerlab's namespaced bridge: it must be named BR|NODE,
 * and NODE must be a container. A name BR|NODE is for nothing else. */
static bool topo_nsbridge_check(struct topo_ld *ld, const struct nslab_topo *t, const struct topo_nstate *st,
				size_t i, ssize_t o)
{
	const struct nslab_node *n = &t->nodes[i];
	const char *in = topo_nsbridge_parent(n->name);
	bool bridge = n->kind == NSLAB_KIND_BRIDGE && !st[i].bad_kind && !st[i].no_kind;

	if (in && (!bridge || !st[i].netmode || strcmp(in, st[i].netmode))) {
		topo_err_at(ld, &n->pos,
			    "node %s: a name BRIDGE|NODE is containerlab's bridge inside NODE: it needs kind: bridge "
			    "and network-mode: container:%s",
			    n->name, in);
		return false;
	}
	if (!bridge || o < 0)
		return true;
	if (!in) {
		topo_err_at(ld, &st[i].netmode_pos,
			    "bridge node %s shares the network namespace of %s: name it %s|%s (containerlab's "
			    "bridge inside a node)",
			    n->name, st[i].netmode, n->name, st[i].netmode);
		return false;
	}
	if (t->nodes[o].kind == NSLAB_KIND_BRIDGE) {
		topo_err_at(ld, &st[i].netmode_pos, "bridge %s: %s is a bridge node, not a container to hold it",
			    n->name, st[i].netmode);
		return false;
	}
	return true;
}

/* network-mode container:NODE: the node shares NODE's network namespace, so it has no links; a
 * bridge doing so is a bridge inside NODE (topologies/nsbridge.c). */
static void topo_resolve_netmodes(struct topo_ld *ld, struct nslab_topo *t, const struct topo_nstate *st)
{
	for (size_t i = 0; i < t->nnodes; i++) {
		ssize_t o = st[i].netmode ? topo_node_index(ld, st[i].netmode) : -1;

		if (!topo_nsbridge_check(ld, t, st, i, o) || !st[i].netmode)
			continue;
		if (o < 0 || (size_t)o == i) {
			topo_err_at(ld, &st[i].netmode_pos, "network-mode container:%s of node %s: %s", st[i].netmode,
				    t->nodes[i].name, o < 0 ? "no such node in the lab" : "a node cannot share its own");
			continue;
		}
		if (st[o].netmode) {
			topo_err_at(ld, &st[i].netmode_pos,
				    "network-mode container:%s of node %s: %s itself shares another node's namespace",
				    st[i].netmode, t->nodes[i].name, st[i].netmode);
			continue;
		}
		if (t->nodes[i].kind != NSLAB_KIND_BRIDGE &&
		    (st[i].nclaims || t->nodes[i].nifaces || t->nodes[o].kind == NSLAB_KIND_BRIDGE)) {
			topo_err_at(ld, &st[i].netmode_pos,
				    "node %s shares the network namespace of %s (network-mode): it can have no links or "
				    "interfaces of its own, nor share a bridge's (put them on %s)",
				    t->nodes[i].name, st[i].netmode, st[i].netmode);
			continue;
		}
		t->nodes[i].shares_netns = true;
		t->nodes[i].netns_of = (size_t)o;
	}
}

/* mgmt: from the file (or a mgmt-net endpoint); mgmt-ipv4/mgmt-ipv6 without one are ignored. */
static void topo_resolve_mgmt(struct topo_ld *ld, struct nslab_topo *t)
{
	bool on = t->mgmt.on || ld->mgmt.on;

	if (!on) {
		for (size_t i = 0; i < t->nnodes; i++)
			if (t->nodes[i].mgmt4_static || t->nodes[i].mgmt6_static)
				topo_diag_at(ld, NSLAB_DIAG_WARNING,
					     t->nodes[i].mgmt4_static ? &t->nodes[i].mgmt4_pos : &t->nodes[i].mgmt6_pos,
					     "mgmt-ipv4/mgmt-ipv6 of node %s are ignored: the lab has no management network "
					     "(add mgmt: to the file, or deploy --mgmt)",
					     t->nodes[i].name);
		return;
	}
	t->mgmt = ld->mgmt;
	t->mgmt.on = true;
	if (!ld->mgmt_gw4)
		t->mgmt.gw4.family = 0;
	if (!ld->mgmt_gw6)
		t->mgmt.gw6.family = 0;
	if (ld->d->nerrors == ld->start_errors)
		nslab_topo_mgmt_enable(t, ld->d);
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
	for (size_t i = 0; i < ld->nnodes; i++)
		topo_resolve_node_ifaces(ld, &ld->nodes[i], &t->nodes[i], &st[i]);
	topo_resolve_netmodes(ld, t, st);
	free(ld->byname);
	ld->byname = NULL;
	topo_check_kinds(ld, st);
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
	topo_nsbridges_fold(ld, t);
	topo_resolve_mgmt(ld, t);
	nslab_topo_finish(t);
	free(ld->lsrc);
	ld->lsrc = NULL;
	ld->nlsrc = 0;
	for (size_t i = 0; i < ld->nnodes; i++) {
		free(st[i].claims);
		free(st[i].seen);
	}
	free(st);
}
