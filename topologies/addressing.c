// SPDX-License-Identifier: GPL-2.0-or-later
/* topologies/addressing.c: automatic addressing: pools, the lab's segments (p2p links, bridge LANs), addresses, loopbacks and hosts' default routes, into the model. */
#include "topologies/addressing.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "util/util.h"

void nslab_addressing_defaults(struct nslab_addressing *a)
{
	memset(a, 0, sizeof(*a));
	a->on = true;
	nslab_pool_parse("10.1.0.0/16", AF_INET, 30, &a->p2p, NULL);
	nslab_pool_parse("172.16.0.0/16", AF_INET, 24, &a->lan, NULL);
	nslab_pool_parse("10.0.0.0/24", AF_INET, 32, &a->loopback, NULL);
}

static unsigned family_bits(int family)
{
	return family == AF_INET ? 32 : 128;
}

int nslab_pool_parse(const char *s, int family, unsigned dflt, struct nslab_pool *p, const char **why)
{
	const char *sp = strchr(s, ' ');
	_cleanup_free_ char *net = sp ? xstrndup(s, (size_t)(sp - s)) : xstrdup(s);
	const char *dummy;
	unsigned bits = family_bits(family);
	unsigned long plen = dflt;

	if (!why)
		why = &dummy;
	memset(p, 0, sizeof(*p));
	if (!strcmp(s, "none"))
		return 0;
	if (nslab_prefix_parse(net, &p->net) < 0 || p->net.family != family) {
		*why = family == AF_INET ? "expected an IPv4 pool like 10.1.0.0/16 (or \"10.1.0.0/16 /31\", or none)"
					 : "expected an IPv6 pool like 2001:db8::/48 (or none)";
		return -EINVAL;
	}
	if (sp) {
		char *end;
		while (*sp == ' ')
			sp++;
		if (*sp != '/' || !sp[1] || (plen = strtoul(sp + 1, &end, 10), *end)) {
			*why = "the subnet length after the pool is written /N, as in \"10.1.0.0/16 /31\"";
			return -EINVAL;
		}
	}
	if (plen < p->net.plen || plen > bits) {
		*why = "the subnets must be smaller than the pool (a longer prefix) and fit the address";
		return -EINVAL;
	}
	/* the pool as a network: host bits cleared */
	for (unsigned b = p->net.plen; b < bits; b++)
		p->net.addr[b / 8] &= (unsigned char)~(0x80u >> (b % 8));
	p->plen = (unsigned)plen;
	p->on = true;
	return 0;
}

static const char *const routing_names[] = {
	[NSLAB_ROUTING_NONE] = "none", [NSLAB_ROUTING_STATIC] = "static", [NSLAB_ROUTING_RIP] = "rip",
	[NSLAB_ROUTING_OSPF] = "ospf", [NSLAB_ROUTING_BGP] = "bgp",
};

int nslab_routing_parse(const char *s, enum nslab_routing *r)
{
	for (size_t i = 0; i < ARRAY_SIZE(routing_names); i++)
		if (!strcmp(s, routing_names[i])) {
			*r = (enum nslab_routing)i;
			return 0;
		}
	return -EINVAL;
}

const char *nslab_routing_name(enum nslab_routing r)
{
	return (unsigned)r < ARRAY_SIZE(routing_names) ? routing_names[r] : "unknown";
}

/* addr += 2^bit (big-endian, len bytes); false on overflow past the top */
static bool add_pow2(unsigned char *addr, unsigned len, unsigned bit)
{
	int i = (int)len - 1 - (int)(bit / 8);
	unsigned carry = 1u << (bit % 8);

	for (; i >= 0 && carry; i--) {
		unsigned v = addr[i] + carry;
		addr[i] = (unsigned char)(v & 0xff);
		carry = v >> 8;
	}
	return carry == 0;
}

static void add_shifted(unsigned char *addr, unsigned len, unsigned long v, unsigned shift)
{
	for (unsigned b = 0; v; b++, v >>= 1)
		if (v & 1)
			add_pow2(addr, len, shift + b);
}

int nslab_pool_addr(const struct nslab_pool *p, unsigned long nth, unsigned long host, struct nslab_prefix *out)
{
	unsigned bits = family_bits(p->net.family), sub_bits = p->plen - p->net.plen, host_bits = bits - p->plen;

	if (!p->on || (sub_bits < 64 && nth >> sub_bits) || (host_bits < 64 && host >> host_bits))
		return -ENOSPC;
	*out = p->net;
	out->plen = (unsigned char)p->plen;
	add_shifted(out->addr, bits / 8, nth, host_bits);
	add_shifted(out->addr, bits / 8, host, 0);
	return 0;
}

bool nslab_node_is_router(const struct nslab_node *n)
{
	return n->kind == NSLAB_KIND_ROUTER || n->kind == NSLAB_KIND_FRR || n->kind == NSLAB_KIND_BIRD;
}

/* ---- segments ---- */

static size_t uf_find(size_t *parent, size_t x)
{
	while (parent[x] != x)
		x = parent[x] = parent[parent[x]];
	return x;
}

static int member_cmp_topo(const struct nslab_topo *t, const struct nslab_seg_member *a,
			   const struct nslab_seg_member *b)
{
	bool ra = nslab_node_is_router(&t->nodes[a->node]), rb = nslab_node_is_router(&t->nodes[b->node]);

	if (ra != rb)
		return ra ? -1 : 1;
	if (a->node != b->node)
		return a->node < b->node ? -1 : 1;
	return a->iface < b->iface ? -1 : a->iface > b->iface;
}

/* insertion into a sorted member list (LANs are small) */
static void member_add(const struct nslab_topo *t, struct nslab_segment *s, size_t node, size_t iface)
{
	struct nslab_seg_member m = { node, iface };
	size_t at;

	VEC_PUSH(s->m, s->nm);
	for (at = s->nm - 1; at > 0 && member_cmp_topo(t, &s->m[at - 1], &m) > 0; at--)
		s->m[at] = s->m[at - 1];
	s->m[at] = m;
}

void nslab_segments_build(const struct nslab_topo *t, struct nslab_segments *s)
{
	size_t *parent = xcalloc(t->nnodes + 1, sizeof(*parent));
	long *lan_of = xcalloc(t->nnodes + 1, sizeof(*lan_of)); /* bridge domain root -> segment index + 1 */

	memset(s, 0, sizeof(*s));
	for (size_t i = 0; i < t->nnodes; i++)
		parent[i] = i;
	for (size_t l = 0; l < t->nlinks; l++) {
		const struct nslab_link *lk = &t->links[l];
		size_t a = lk->ep[0].node, b = lk->ep[1].node;
		if (t->nodes[a].kind == NSLAB_KIND_BRIDGE && t->nodes[b].kind == NSLAB_KIND_BRIDGE)
			parent[uf_find(parent, a)] = uf_find(parent, b);
	}
	for (size_t l = 0; l < t->nlinks; l++) {
		const struct nslab_link *lk = &t->links[l];
		int br = t->nodes[lk->ep[0].node].kind == NSLAB_KIND_BRIDGE	? 0
			 : t->nodes[lk->ep[1].node].kind == NSLAB_KIND_BRIDGE ? 1
									       : -1;
		if (br < 0) {
			struct nslab_segment *sg = VEC_PUSH(s->v, s->n);
			sg->first_link = (long)l;
			member_add(t, sg, lk->ep[0].node, lk->ep[0].iface);
			member_add(t, sg, lk->ep[1].node, lk->ep[1].iface);
			continue;
		}
		size_t root = uf_find(parent, lk->ep[br].node);
		if (!lan_of[root]) {
			struct nslab_segment *sg = VEC_PUSH(s->v, s->n);
			sg->lan = true;
			sg->first_link = (long)l;
			lan_of[root] = (long)s->n;
		}
		const struct nslab_endpoint *other = &lk->ep[!br];
		if (t->nodes[other->node].kind != NSLAB_KIND_BRIDGE)
			member_add(t, &s->v[lan_of[root] - 1], other->node, other->iface);
	}
	free(parent);
	free(lan_of);
}

void nslab_segments_free(struct nslab_segments *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i].m);
	free(s->v);
	memset(s, 0, sizeof(*s));
}

/* ---- applying ---- */

static bool iface_has(const struct nslab_iface *ifc, int family)
{
	for (size_t k = 0; k < ifc->naddrs; k++)
		if (ifc->addrs[k].family == family)
			return true;
	return false;
}

static void iface_add(struct nslab_iface *ifc, const struct nslab_prefix *p)
{
	*VEC_PUSH(ifc->addrs, ifc->naddrs) = *p;
}

static int seg_addresses(struct nslab_topo *t, const struct nslab_segment *sg, const struct nslab_pool *pool,
			 unsigned long nth, bool p2p, char **why, const char *what)
{
	unsigned long first = p2p && pool->net.family == AF_INET && pool->plen == 31 ? 0 : 1;
	int family = pool->net.family;

	for (size_t k = 0; k < sg->nm; k++)
		if (iface_has(&t->nodes[sg->m[k].node].ifaces[sg->m[k].iface], family))
			return 0; /* the file addresses this segment itself */
	for (size_t k = 0; k < sg->nm; k++) {
		struct nslab_prefix p;
		unsigned long host = first + k;
		/* the IPv4 broadcast address is not a host's (a /31 has none) */
		bool bcast = family == AF_INET && pool->plen < 31 && host >= (1ul << (32 - pool->plen)) - 1;
		if (bcast || nslab_pool_addr(pool, nth, host, &p) < 0) {
			char a[64];
			*why = xasprintf("addressing: the %s pool %s has no room for %s (subnet %lu of /%u, host %lu): "
					 "give a bigger pool",
					 what, nslab_prefix_fmt(&pool->net, true, a, sizeof(a)),
					 t->nodes[sg->m[k].node].name, nth + 1, pool->plen, host);
			return -ENOSPC;
		}
		iface_add(&t->nodes[sg->m[k].node].ifaces[sg->m[k].iface], &p);
	}
	return 0;
}

/* The node's lo entry, inserted as ifaces[0] (ifindex 1) when it has none; link ends shift. */
static struct nslab_iface *node_lo(struct nslab_topo *t, size_t n)
{
	struct nslab_node *node = &t->nodes[n];

	for (size_t i = 0; i < node->nifaces; i++)
		if (node->ifaces[i].link < 0)
			return &node->ifaces[i];
	VEC_PUSH(node->ifaces, node->nifaces);
	memmove(&node->ifaces[1], &node->ifaces[0], (node->nifaces - 1) * sizeof(*node->ifaces));
	memset(&node->ifaces[0], 0, sizeof(node->ifaces[0]));
	node->ifaces[0].name = xstrdup("lo");
	node->ifaces[0].ifindex = NSLAB_IFINDEX_LO;
	node->ifaces[0].link = -1;
	node->ifaces[0].pos = node->pos;
	for (size_t l = 0; l < t->nlinks; l++)
		for (int e = 0; e < 2; e++)
			if (t->links[l].ep[e].node == n)
				t->links[l].ep[e].iface++;
	return &node->ifaces[0];
}

static int loopbacks(struct nslab_topo *t, const struct nslab_pool *pool, bool v6, char **why)
{
	unsigned long nth = 0;

	for (size_t n = 0; n < t->nnodes; n++) {
		struct nslab_prefix p;
		int r;
		if (!nslab_node_is_router(&t->nodes[n]))
			continue;
		nth++;
		/* IPv4: the nth /32 of the pool; IPv6: host nth of the pool's first subnet, as a /128 */
		r = v6 ? nslab_pool_addr(pool, 0, nth, &p) : nslab_pool_addr(pool, nth, 0, &p);
		if (r < 0) {
			char a[64];
			*why = xasprintf("addressing: the loopback pool %s has no room for router %s (router %lu)",
					 nslab_prefix_fmt(&pool->net, true, a, sizeof(a)), t->nodes[n].name, nth);
			return r;
		}
		p.plen = v6 ? 128 : 32;
		for (size_t i = 0; i < t->nodes[n].nifaces; i++)
			if (t->nodes[n].ifaces[i].link < 0 && iface_has(&t->nodes[n].ifaces[i], p.family))
				goto next; /* the file gave lo one */
		iface_add(node_lo(t, n), &p);
next:;
	}
	return 0;
}

/* Hosts without routes of their own: a default route through the first router met on their segments. */
static void host_routes(struct nslab_topo *t, const struct nslab_segments *s, int family)
{
	for (size_t n = 0; n < t->nnodes; n++) {
		struct nslab_node *node = &t->nodes[n];
		bool has = false;
		if (node->kind != NSLAB_KIND_LINUX)
			continue;
		for (size_t r = 0; r < node->nroutes; r++)
			has |= node->routes[r].dst.family == family;
		for (size_t g = 0; !has && g < s->n; g++) {
			const struct nslab_segment *sg = &s->v[g];
			bool on = false;
			for (size_t k = 0; k < sg->nm; k++)
				on |= sg->m[k].node == n && iface_has(&node->ifaces[sg->m[k].iface], family);
			for (size_t k = 0; on && !has && k < sg->nm; k++) {
				const struct nslab_node *gw = &t->nodes[sg->m[k].node];
				const struct nslab_iface *gi = &gw->ifaces[sg->m[k].iface];
				if (!nslab_node_is_router(gw))
					continue;
				for (size_t a = 0; a < gi->naddrs && !has; a++) {
					if (gi->addrs[a].family != family)
						continue;
					struct nslab_route *rt = VEC_PUSH(node->routes, node->nroutes);
					memset(rt, 0, sizeof(*rt));
					rt->dst.family = family;
					rt->has_via = true;
					rt->via = gi->addrs[a];
					rt->via.plen = (unsigned char)family_bits(family);
					rt->pos = node->pos;
					has = true;
				}
			}
		}
	}
}

int nslab_addressing_apply(struct nslab_topo *t, const struct nslab_addressing *a, char **why)
{
	struct nslab_segments s;
	unsigned long np2p = 0, nlan = 0, n6 = 0;
	int r = 0;

	*why = NULL;
	if (!a->on)
		return 0;
	for (size_t n = 0; n < t->nnodes; n++)
		if (t->nodes[n].kind != NSLAB_KIND_BRIDGE && t->nodes[n].nbridges) {
			*why = xasprintf("addressing: cannot number the LAN of bridge %s inside node %s: set its "
					 "addresses in the file or in exec",
					 t->nodes[n].bridges[0].from, t->nodes[n].name);
			return -EINVAL;
		}
	/* loopbacks first: a new lo entry shifts the node's interface indexes the segments hold */
	if (a->loopback.on)
		r = loopbacks(t, &a->loopback, false, why);
	if (r == 0 && a->ipv6.on)
		r = loopbacks(t, &a->ipv6, true, why);
	if (r < 0)
		return r;
	nslab_segments_build(t, &s);
	for (size_t g = 0; r == 0 && g < s.n; g++) {
		const struct nslab_segment *sg = &s.v[g];
		const struct nslab_pool *p4 = sg->lan ? &a->lan : &a->p2p;
		if (!sg->nm)
			continue;
		if (p4->on)
			r = seg_addresses(t, sg, p4, sg->lan ? nlan++ : np2p++, !sg->lan, why, sg->lan ? "lan" : "p2p");
		if (r == 0 && a->ipv6.on)
			r = seg_addresses(t, sg, &a->ipv6, ++n6, !sg->lan, why, "ipv6"); /* subnet 0: loopbacks */
	}
	if (r == 0) {
		host_routes(t, &s, AF_INET);
		if (a->ipv6.on)
			host_routes(t, &s, AF_INET6);
	}
	nslab_segments_free(&s);
	return r;
}
