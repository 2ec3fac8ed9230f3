// SPDX-License-Identifier: GPL-2.0-or-later
/* topologies/routing.c: routers' configuration as text: the FRR daemons a configuration needs, and the FRR configurations `routing:` writes. */
#include "topologies/routing.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <stdio.h>
#include <string.h>

#include "util/util.h"

/* FRR's daemons in its own order (frrcommon.sh's DAEMONS), each with the configuration lines that
 * need it: a line (leading blanks dropped) starting with one of the words, or ending with the
 * word `tail` (" neighbor 10.0.0.2 bfd" needs bfdd). The options are Debian's defaults. */
static const struct frr_daemon {
	const char *name, *options;
	const char *starts[4];
	const char *tail;
} frr_daemons[] = {
	{ "bgpd", "-A 127.0.0.1", { "router bgp" }, NULL },
	{ "ripd", "-A 127.0.0.1", { "router rip" }, NULL },
	{ "ripngd", "-A ::1", { "router ripng" }, NULL },
	{ "ospfd", "-A 127.0.0.1", { "router ospf" }, NULL },
	{ "ospf6d", "-A ::1", { "router ospf6", "ipv6 ospf6" }, NULL },
	{ "isisd", "-A 127.0.0.1", { "router isis", "ip router isis", "ipv6 router isis" }, NULL },
	{ "babeld", "-A 127.0.0.1", { "router babel" }, NULL },
	{ "pimd", "-A 127.0.0.1", { "router pim", "ip pim", "ip igmp", "ip multicast-routing" }, NULL },
	{ "pim6d", "-A ::1", { "router pim6", "ipv6 pim", "ipv6 mld" }, NULL },
	{ "ldpd", "-A 127.0.0.1", { "mpls ldp" }, NULL },
	{ "nhrpd", "-A 127.0.0.1", { "ip nhrp", "ipv6 nhrp" }, NULL },
	{ "eigrpd", "-A 127.0.0.1", { "router eigrp" }, NULL },
	{ "sharpd", "-A 127.0.0.1", { NULL }, NULL },
	{ "pbrd", "-A 127.0.0.1", { "pbr-map", "pbr-policy" }, NULL },
	{ "bfdd", "-A 127.0.0.1", { "bfd" }, "bfd" },
	{ "fabricd", "-A 127.0.0.1", { "router openfabric", "ip router openfabric" }, NULL },
	{ "vrrpd", "-A 127.0.0.1", { "vrrp" }, NULL },
	{ "pathd", "-A 127.0.0.1", { "segment-routing" }, NULL },
};

/* Does line (blanks dropped) start with word w, followed by a blank or its end? */
static bool starts_word(const char *line, size_t len, const char *w)
{
	size_t n = strlen(w);

	return len >= n && !strncmp(line, w, n) && (len == n || isspace((unsigned char)line[n]));
}

static bool ends_word(const char *line, size_t len, const char *w)
{
	size_t n = strlen(w);

	return len > n && !strncmp(line + len - n, w, n) && isspace((unsigned char)line[len - n - 1]);
}

/* Which daemons (bits by index in frr_daemons) conf needs. */
static unsigned long frr_needed(const char *conf)
{
	unsigned long need = 0;

	for (const char *l = conf; l && *l;) {
		const char *e = strchr(l, '\n');
		size_t len = e ? (size_t)(e - l) : strlen(l);
		const char *s = l;

		while (len && (*s == ' ' || *s == '\t'))
			s++, len--;
		while (len && isspace((unsigned char)s[len - 1]))
			len--;
		for (size_t d = 0; len && s[0] != '!' && s[0] != '#' && d < ARRAY_SIZE(frr_daemons); d++) {
			const struct frr_daemon *fd = &frr_daemons[d];
			bool hit = fd->tail && ends_word(s, len, fd->tail);
			for (size_t k = 0; !hit && k < ARRAY_SIZE(fd->starts) && fd->starts[k]; k++)
				hit = starts_word(s, len, fd->starts[k]);
			if (hit)
				need |= 1ul << d;
		}
		l = e ? e + 1 : NULL;
	}
	return need;
}

char *nslab_frr_daemons_needed(const char *conf)
{
	unsigned long need = frr_needed(conf);
	char *out = xstrdup("");

	for (size_t d = 0; d < ARRAY_SIZE(frr_daemons); d++) {
		if (!(need & (1ul << d)))
			continue;
		char *n = xasprintf("%s%s%s", out, *out ? " " : "", frr_daemons[d].name);
		free(out);
		out = n;
	}
	return out;
}

char *nslab_frr_daemons_file(const char *conf)
{
	unsigned long need = frr_needed(conf ? conf : "");
	char *out = xstrdup("# written by nslab for this node: the daemons its frr.conf configures\n"
			    "# (zebra and staticd always run)\n");

	for (size_t d = 0; d < ARRAY_SIZE(frr_daemons); d++) {
		char *n = xasprintf("%s%s=%s\n", out, frr_daemons[d].name, need & (1ul << d) ? "yes" : "no");
		free(out);
		out = n;
	}
	char *n = xasprintf("%svtysh_enable=yes\nzebra_options=\"-A 127.0.0.1 -s 90000000\"\n"
			    "staticd_options=\"-A 127.0.0.1\"\n",
			    out);
	free(out);
	out = n;
	for (size_t d = 0; d < ARRAY_SIZE(frr_daemons); d++) {
		n = xasprintf("%s%s_options=\"%s\"\n", out, frr_daemons[d].name, frr_daemons[d].options);
		free(out);
		out = n;
	}
	return out;
}

/* ---- routing: FRR configurations for a quick lab ---- */

static void sb_add(char **s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sb_add(char **s, const char *fmt, ...)
{
	va_list ap;
	char *add, *n;

	va_start(ap, fmt);
	if (vasprintf(&add, fmt, ap) < 0)
		abort();
	va_end(ap);
	n = xasprintf("%s%s", *s ? *s : "", add);
	free(add);
	free(*s);
	*s = n;
}

/* The network of an address ("10.1.0.1/30" -> "10.1.0.0/30"), formatted into buf. */
static const char *net_of(const struct nslab_prefix *p, char *buf, size_t size)
{
	struct nslab_prefix n = *p;
	unsigned bits = p->family == AF_INET ? 32 : 128;

	for (unsigned b = p->plen; b < bits; b++)
		n.addr[b / 8] &= (unsigned char)~(0x80u >> (b % 8));
	return nslab_prefix_fmt(&n, true, buf, size);
}

static const struct nslab_prefix *addr_of(const struct nslab_iface *ifc, int family)
{
	for (size_t k = 0; k < ifc->naddrs; k++)
		if (ifc->addrs[k].family == family)
			return &ifc->addrs[k];
	return NULL;
}

struct rt_ctx {
	struct nslab_topo *t;
	struct nslab_segments s;
	long **seg_of;	/* [node][iface] -> segment index, -1 */
	unsigned *asn;	/* [node]: 0 for non-routers */
};

static const struct nslab_prefix *lo_addr(const struct nslab_node *n, int family)
{
	for (size_t i = 0; i < n->nifaces; i++)
		if (n->ifaces[i].link < 0 && addr_of(&n->ifaces[i], family))
			return addr_of(&n->ifaces[i], family);
	return NULL;
}

/* The router id: the loopback's IPv4 address, else the first interface's, else 0.0.0.N. */
static char *router_id(const struct nslab_node *n, unsigned ordinal)
{
	const struct nslab_prefix *p = lo_addr(n, AF_INET);
	char a[64];

	for (size_t i = 0; !p && i < n->nifaces; i++)
		p = addr_of(&n->ifaces[i], AF_INET);
	if (p)
		return xstrdup(nslab_prefix_fmt(p, false, a, sizeof(a)));
	return xasprintf("0.0.%u.%u", ordinal / 256, ordinal % 256);
}

/* Whether another router is on the segment of node n's interface i. */
static bool other_router(const struct rt_ctx *c, size_t n, size_t i)
{
	long g = c->seg_of[n][i];

	for (size_t k = 0; g >= 0 && k < c->s.v[g].nm; k++)
		if (c->s.v[g].m[k].node != n && c->asn[c->s.v[g].m[k].node])
			return true;
	return false;
}

static void conf_ospf(const struct rt_ctx *c, size_t n, const char *rid, char **out)
{
	const struct nslab_node *node = &c->t->nodes[n];
	bool v6 = false;
	char a[64];

	for (size_t i = 0; i < node->nifaces; i++) {
		const struct nslab_iface *ifc = &node->ifaces[i];
		bool p2p = ifc->link >= 0 && c->seg_of[n][i] >= 0 && !c->s.v[c->seg_of[n][i]].lan;
		if (!ifc->naddrs)
			continue;
		sb_add(out, "interface %s\n", ifc->name);
		if (addr_of(ifc, AF_INET) && ifc->link >= 0)
			sb_add(out, "%s ip ospf hello-interval 1\n ip ospf dead-interval 4\n",
			       p2p ? " ip ospf network point-to-point\n" : "");
		if (addr_of(ifc, AF_INET6)) {
			v6 = true;
			sb_add(out, " ipv6 ospf6 area 0.0.0.0\n%s", other_router(c, n, i) ? "" : " ipv6 ospf6 passive\n");
			if (ifc->link >= 0)
				sb_add(out, "%s ipv6 ospf6 hello-interval 1\n ipv6 ospf6 dead-interval 4\n",
				       p2p ? " ipv6 ospf6 network point-to-point\n" : "");
		}
		sb_add(out, "exit\n!\n");
	}
	/* a lab wants new LSAs at once, not one per 5 s (RFC 2328's MinLSInterval) */
	sb_add(out, "router ospf\n ospf router-id %s\n timers throttle spf 0 50 500\n timers throttle lsa all 0\n"
		    " timers lsa min-arrival 0\n",
	       rid);
	/* no other router on the segment: no hellos to wait for there (and none sent to hosts) */
	for (size_t i = 0; i < node->nifaces; i++)
		if (addr_of(&node->ifaces[i], AF_INET) && !other_router(c, n, i))
			sb_add(out, " passive-interface %s\n", node->ifaces[i].name);
	for (size_t i = 0; i < node->nifaces; i++)
		for (size_t k = 0; k < node->ifaces[i].naddrs; k++)
			if (node->ifaces[i].addrs[k].family == AF_INET)
				sb_add(out, " network %s area 0\n", net_of(&node->ifaces[i].addrs[k], a, sizeof(a)));
	sb_add(out, "exit\n!\n");
	if (v6)
		sb_add(out, "router ospf6\n ospf6 router-id %s\n timers throttle spf 0 50 500\n timers lsa min-arrival 0\n"
			    "exit\n!\n",
		       rid);
}

static void conf_rip(const struct nslab_node *node, char **out)
{
	bool v6 = false;

	sb_add(out, "router rip\n version 2\n timers basic 5 15 10\n redistribute connected\n");
	for (size_t i = 0; i < node->nifaces; i++) {
		if (node->ifaces[i].link >= 0 && addr_of(&node->ifaces[i], AF_INET))
			sb_add(out, " network %s\n", node->ifaces[i].name);
		v6 |= addr_of(&node->ifaces[i], AF_INET6) != NULL;
	}
	sb_add(out, "exit\n!\n");
	if (!v6)
		return;
	sb_add(out, "router ripng\n timers basic 5 15 10\n redistribute connected\n");
	for (size_t i = 0; i < node->nifaces; i++)
		if (node->ifaces[i].link >= 0 && addr_of(&node->ifaces[i], AF_INET6))
			sb_add(out, " network %s\n", node->ifaces[i].name);
	sb_add(out, "exit\n!\n");
}

static void conf_bgp(const struct rt_ctx *c, size_t n, const char *rid, char **out)
{
	static const int families[] = { AF_INET, AF_INET6 };
	const struct nslab_node *node = &c->t->nodes[n];
	char a[64];

	sb_add(out,
	       "router bgp %u\n bgp router-id %s\n no bgp ebgp-requires-policy\n no bgp default ipv4-unicast\n"
	       " no bgp network import-check\n timers bgp 1 3\n",
	       c->asn[n], rid);
	/* eBGP with every router on each of this router's segments */
	for (size_t i = 0; i < node->nifaces; i++) {
		long g = c->seg_of[n][i];
		for (size_t k = 0; g >= 0 && k < c->s.v[g].nm; k++) {
			const struct nslab_seg_member *m = &c->s.v[g].m[k];
			const struct nslab_iface *pi = &c->t->nodes[m->node].ifaces[m->iface];
			if (m->node == n || !c->asn[m->node])
				continue;
			for (size_t f = 0; f < ARRAY_SIZE(families); f++) {
				const struct nslab_prefix *pa = addr_of(pi, families[f]);
				if (!pa || !addr_of(&node->ifaces[i], families[f]))
					continue;
				nslab_prefix_fmt(pa, false, a, sizeof(a));
				sb_add(out, " neighbor %s remote-as %u\n neighbor %s timers connect 1\n"
					    " neighbor %s advertisement-interval 0\n",
				       a, c->asn[m->node], a, a);
			}
		}
	}
	sb_add(out, " !\n");
	for (size_t f = 0; f < ARRAY_SIZE(families); f++) {
		char *af = NULL;
		for (size_t i = 0; i < node->nifaces; i++)
			for (size_t k = 0; k < node->ifaces[i].naddrs; k++)
				if (node->ifaces[i].addrs[k].family == families[f])
					sb_add(&af, "  network %s\n", net_of(&node->ifaces[i].addrs[k], a, sizeof(a)));
		for (size_t i = 0; i < node->nifaces; i++) {
			long g = c->seg_of[n][i];
			for (size_t k = 0; g >= 0 && k < c->s.v[g].nm; k++) {
				const struct nslab_seg_member *m = &c->s.v[g].m[k];
				const struct nslab_prefix *pa = addr_of(&c->t->nodes[m->node].ifaces[m->iface], families[f]);
				if (m->node != n && c->asn[m->node] && pa && addr_of(&node->ifaces[i], families[f]))
					sb_add(&af, "  neighbor %s activate\n", nslab_prefix_fmt(pa, false, a, sizeof(a)));
			}
		}
		if (af)
			sb_add(out, " address-family %s unicast\n%s exit-address-family\n",
			       families[f] == AF_INET ? "ipv4" : "ipv6", af);
		free(af);
	}
	sb_add(out, "exit\n!\n");
}

/*
 * static: from router n, a breadth-first search over routers sharing segments; each destination
 * (a segment's subnet, another router's loopback) goes through the first hop toward the nearest
 * router that has it.
 */
static void conf_static(const struct rt_ctx *c, size_t n, char **out)
{
	static const int families[] = { AF_INET, AF_INET6 };
	const struct nslab_topo *t = c->t;
	long *dist = xcalloc(t->nnodes, sizeof(*dist));
	struct nslab_seg_member *hop = xcalloc(t->nnodes, sizeof(*hop)); /* first hop: node, iface on its segment */
	size_t *queue = xcalloc(t->nnodes, sizeof(*queue)), qh = 0, qt = 0;
	char a[64], b[64];

	for (size_t i = 0; i < t->nnodes; i++)
		dist[i] = -1;
	dist[n] = 0;
	queue[qt++] = n;
	while (qh < qt) {
		size_t u = queue[qh++];
		for (size_t i = 0; i < t->nodes[u].nifaces; i++) {
			long g = c->seg_of[u][i];
			for (size_t k = 0; g >= 0 && k < c->s.v[g].nm; k++) {
				const struct nslab_seg_member *m = &c->s.v[g].m[k];
				if (!c->asn[m->node] || dist[m->node] >= 0)
					continue;
				dist[m->node] = dist[u] + 1;
				hop[m->node] = u == n ? *m : hop[u];
				queue[qt++] = m->node;
			}
		}
	}
	for (size_t f = 0; f < ARRAY_SIZE(families); f++) {
		int fam = families[f];
		const char *ip = fam == AF_INET ? "ip" : "ipv6";
		/* segments n is not on */
		for (size_t g = 0; g < c->s.n; g++) {
			const struct nslab_segment *sg = &c->s.v[g];
			const struct nslab_prefix *dst = NULL;
			long best = -1;
			size_t via = 0;
			bool mine = false;
			for (size_t k = 0; k < sg->nm; k++) {
				const struct nslab_seg_member *m = &sg->m[k];
				const struct nslab_prefix *p = addr_of(&t->nodes[m->node].ifaces[m->iface], fam);
				if (!dst)
					dst = p;
				mine |= m->node == n;
				if (c->asn[m->node] && dist[m->node] > 0 && (best < 0 || dist[m->node] < best))
					best = dist[m->node], via = m->node;
			}
			if (mine || !dst || best < 0)
				continue;
			const struct nslab_prefix *nh = addr_of(&t->nodes[hop[via].node].ifaces[hop[via].iface], fam);
			if (nh)
				sb_add(out, "%s route %s %s\n", ip, net_of(dst, a, sizeof(a)),
				       nslab_prefix_fmt(nh, false, b, sizeof(b)));
		}
		/* other routers' loopbacks */
		for (size_t d = 0; d < t->nnodes; d++) {
			const struct nslab_prefix *lo = lo_addr(&t->nodes[d], fam), *nh;
			if (d == n || !lo || dist[d] <= 0)
				continue;
			nh = addr_of(&t->nodes[hop[d].node].ifaces[hop[d].iface], fam);
			if (nh)
				sb_add(out, "%s route %s %s\n", ip, net_of(lo, a, sizeof(a)),
				       nslab_prefix_fmt(nh, false, b, sizeof(b)));
		}
	}
	sb_add(out, "!\n");
	free(dist);
	free(hop);
	free(queue);
}

int nslab_routing_apply(struct nslab_topo *t, enum nslab_routing r, char **why)
{
	struct rt_ctx c = { .t = t };
	unsigned ordinal = 0;

	*why = NULL;
	if (r == NSLAB_ROUTING_NONE)
		return 0;
	nslab_segments_build(t, &c.s);
	c.seg_of = xcalloc(t->nnodes + 1, sizeof(*c.seg_of));
	c.asn = xcalloc(t->nnodes + 1, sizeof(*c.asn));
	for (size_t n = 0; n < t->nnodes; n++) {
		c.seg_of[n] = xcalloc(t->nodes[n].nifaces + 1, sizeof(**c.seg_of));
		for (size_t i = 0; i < t->nodes[n].nifaces; i++)
			c.seg_of[n][i] = -1;
		if (nslab_node_is_router(&t->nodes[n]))
			c.asn[n] = 65000 + ++ordinal;
	}
	for (size_t g = 0; g < c.s.n; g++)
		for (size_t k = 0; k < c.s.v[g].nm; k++)
			c.seg_of[c.s.v[g].m[k].node][c.s.v[g].m[k].iface] = (long)g;
	for (size_t n = 0; n < t->nnodes; n++) {
		struct nslab_node *node = &t->nodes[n];
		_cleanup_free_ char *rid = NULL;
		char *conf = NULL;
		if (!c.asn[n] || node->kind == NSLAB_KIND_BIRD || node->startup_config)
			continue; /* not a router, or one with its own configuration */
		rid = router_id(node, c.asn[n] - 65000);
		sb_add(&conf, "! written by nslab: routing %s\nfrr defaults traditional\nhostname %s\n"
			      "service integrated-vtysh-config\n!\n",
		       nslab_routing_name(r), node->name);
		switch (r) {
		case NSLAB_ROUTING_STATIC:
			conf_static(&c, n, &conf);
			break;
		case NSLAB_ROUTING_RIP:
			conf_rip(node, &conf);
			break;
		case NSLAB_ROUTING_OSPF:
			conf_ospf(&c, n, rid, &conf);
			break;
		case NSLAB_ROUTING_BGP:
			conf_bgp(&c, n, rid, &conf);
			break;
		case NSLAB_ROUTING_NONE:
			break;
		}
		sb_add(&conf, "end\n");
		node->kind = NSLAB_KIND_FRR;
		node->startup_config = conf;
	}
	for (size_t n = 0; n < t->nnodes; n++)
		free(c.seg_of[n]);
	free(c.seg_of);
	free(c.asn);
	nslab_segments_free(&c.s);
	return 0;
}
