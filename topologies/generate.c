// SPDX-License-Identifier: GPL-2.0-or-later
/* topologies/generate.c: standard topologies (a graph per shape), addressed and routed, as YAML. */
#include "generate.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/util.h"

#define GEN_MAX_NODES 4096
#define GEN_MAX_LINKS 65000 /* subnets 10.X.Y.0/24, X = 1 + link / 256 */

enum gen_kind { GEN_ROUTER, GEN_HOST, GEN_BRIDGE };
static const char *const kind_names[] = { [GEN_ROUTER] = "router", [GEN_HOST] = "linux", [GEN_BRIDGE] = "bridge" };

struct gen_node {
	char name[24];
	enum gen_kind kind;
	unsigned nifs; /* interfaces so far: eth1..ethN (p1..pN on a bridge) */
};

struct gen_link {
	unsigned a, b;	       /* nodes */
	unsigned ifa, ifb;     /* interface numbers */
	uint32_t addr_a, addr_b; /* 0 = none (a bridge's port) */
	unsigned plen;
};

struct gen {
	struct gen_node *nodes;
	size_t nnodes;
	struct gen_link *links;
	size_t nlinks;
};

static unsigned add_node(struct gen *g, enum gen_kind kind, const char *prefix, unsigned num)
{
	struct gen_node *n = VEC_PUSH(g->nodes, g->nnodes);

	n->kind = kind;
	snprintf(n->name, sizeof(n->name), "%s%u", prefix, num);
	return (unsigned)(g->nnodes - 1);
}

/* A point-to-point link with its own /24: 10.X.Y.1 on a, .2 on b. */
static void add_link(struct gen *g, unsigned a, unsigned b)
{
	size_t k = g->nlinks;
	struct gen_link *l = VEC_PUSH(g->links, g->nlinks);
	uint32_t net = (10u << 24) | ((uint32_t)(1 + k / 256) << 16) | ((uint32_t)(k % 256) << 8);

	l->a = a;
	l->b = b;
	l->ifa = ++g->nodes[a].nifs;
	l->ifb = ++g->nodes[b].nifs;
	l->addr_a = net | 1;
	l->addr_b = net | 2;
	l->plen = 24;
}

/* ---- shapes ---- */

static void shape_chain(struct gen *g, const unsigned *v, bool ring)
{
	for (unsigned i = 1; i <= v[0]; i++)
		add_node(g, GEN_ROUTER, "r", i);
	for (unsigned i = 0; i + 1 < v[0]; i++)
		add_link(g, i, i + 1);
	if (ring)
		add_link(g, v[0] - 1, 0);
}

static void build_chain(struct gen *g, const unsigned *v)
{
	shape_chain(g, v, false);
}

static void build_ring(struct gen *g, const unsigned *v)
{
	shape_chain(g, v, true);
}

/* One bridge, N hosts on one /16 (10.0.0.0/16; hosts .0.1, .0.2, ...). */
static void build_star(struct gen *g, const unsigned *v)
{
	unsigned sw = add_node(g, GEN_BRIDGE, "sw", 1);

	for (unsigned i = 1; i <= v[0]; i++) {
		unsigned h = add_node(g, GEN_HOST, "h", i);
		struct gen_link *l = VEC_PUSH(g->links, g->nlinks);

		l->a = h;
		l->b = sw;
		l->ifa = ++g->nodes[h].nifs;
		l->ifb = ++g->nodes[sw].nifs;
		l->addr_a = (10u << 24) | i;
		l->plen = 16;
	}
}

/* Routers DEPTH levels deep, each with FANOUT children; FANOUT hosts under each bottom router. */
static void build_tree(struct gen *g, const unsigned *v)
{
	unsigned depth = v[0], fan = v[1], nr = 0, nh = 0;
	size_t level_start = 0, level_end;

	add_node(g, GEN_ROUTER, "r", ++nr);
	level_end = g->nnodes;
	for (unsigned d = 1; d <= depth; d++) {
		size_t next_start = g->nnodes;
		for (size_t p = level_start; p < level_end; p++)
			for (unsigned c = 0; c < fan; c++) {
				unsigned n = d < depth ? add_node(g, GEN_ROUTER, "r", ++nr) : add_node(g, GEN_HOST, "h", ++nh);
				add_link(g, (unsigned)p, n);
			}
		level_start = next_start;
		level_end = g->nnodes;
	}
}

/* Leaf-spine: every leaf to every spine, HOSTS hosts under each leaf. */
static void build_clos(struct gen *g, const unsigned *v)
{
	unsigned spines = v[0], leaves = v[1], hosts = v[2] ? v[2] : 1, nh = 0;

	for (unsigned s = 1; s <= spines; s++)
		add_node(g, GEN_ROUTER, "spine", s);
	for (unsigned l = 1; l <= leaves; l++) {
		unsigned leaf = add_node(g, GEN_ROUTER, "leaf", l);
		for (unsigned s = 0; s < spines; s++)
			add_link(g, leaf, s);
	}
	for (unsigned l = 0; l < leaves; l++)
		for (unsigned h = 0; h < hosts; h++)
			add_link(g, spines + l, add_node(g, GEN_HOST, "h", ++nh));
}

/* k-ary fat-tree (Al-Fares et al.): (k/2)^2 cores; k pods of k/2 aggregation and k/2 edge
 * routers; k/2 hosts under each edge router. */
static void build_fattree(struct gen *g, const unsigned *v)
{
	unsigned k = v[0], h = k / 2, nh = 0;
	unsigned core0 = (unsigned)g->nnodes;

	for (unsigned c = 1; c <= h * h; c++)
		add_node(g, GEN_ROUTER, "core", c);
	for (unsigned p = 0; p < k; p++) {
		unsigned agg0 = (unsigned)g->nnodes, edge0;
		for (unsigned i = 0; i < h; i++) {
			unsigned a = add_node(g, GEN_ROUTER, "agg", p * h + i + 1);
			for (unsigned j = 0; j < h; j++)
				add_link(g, core0 + i * h + j, a);
		}
		edge0 = (unsigned)g->nnodes;
		for (unsigned i = 0; i < h; i++) {
			unsigned e = add_node(g, GEN_ROUTER, "edge", p * h + i + 1);
			for (unsigned j = 0; j < h; j++)
				add_link(g, agg0 + j, e);
		}
		for (unsigned i = 0; i < h; i++)
			for (unsigned j = 0; j < h; j++)
				add_link(g, edge0 + i, add_node(g, GEN_HOST, "h", ++nh));
	}
}

struct shape_impl {
	void (*build)(struct gen *g, const unsigned *v);
	unsigned min[3], max[3];
	bool even0; /* the first argument must be even */
	/* nodes it makes, to refuse a too large one before building */
	unsigned long long (*count)(const unsigned *v);
};

static unsigned long long count_n(const unsigned *v) { return v[0]; }
static unsigned long long count_star(const unsigned *v) { return v[0] + 1ULL; }
static unsigned long long count_tree(const unsigned *v)
{
	unsigned long long n = 1, level = 1;
	for (unsigned d = 0; d < v[0] && n <= GEN_MAX_NODES; d++) {
		level *= v[1];
		n += level;
	}
	return n;
}
static unsigned long long count_clos(const unsigned *v)
{
	return v[0] + v[1] + (unsigned long long)v[1] * (v[2] ? v[2] : 1);
}
static unsigned long long count_fattree(const unsigned *v)
{
	unsigned long long k = v[0];
	return k * k / 4 + k * k + k * k * k / 4;
}

const struct nslab_gen_shape nslab_gen_shapes[] = {
	{ "chain", "N", "N routers in a line", 1, 1 },
	{ "ring", "N", "N routers in a ring", 1, 1 },
	{ "star", "N", "N hosts on one bridge, one subnet", 1, 1 },
	{ "tree", "DEPTH FANOUT", "routers DEPTH levels deep, FANOUT children each, hosts under the last level", 2, 2 },
	{ "clos", "SPINES LEAVES [HOSTS]", "leaf-spine: every leaf linked to every spine, HOSTS (1) hosts per leaf", 2, 3 },
	{ "fat-tree", "K", "k-ary fat-tree: (K/2)^2 cores, K pods, K^3/4 hosts (K even)", 1, 1 },
};
const size_t nslab_gen_nshapes = ARRAY_SIZE(nslab_gen_shapes);

static const struct shape_impl impls[] = {
	{ build_chain, { 2 }, { GEN_MAX_NODES }, false, count_n },
	{ build_ring, { 3 }, { GEN_MAX_NODES }, false, count_n },
	{ build_star, { 1 }, { 1000 }, false, count_star },
	{ build_tree, { 1, 1 }, { 16, 64 }, false, count_tree },
	{ build_clos, { 1, 1, 1 }, { 64, 256, 64 }, false, count_clos },
	{ build_fattree, { 2 }, { 16 }, true, count_fattree },
};

/* ---- routes: shortest paths (BFS) from every router and host ---- */

/* The address of node n on link l (0 if none). */
static uint32_t addr_on(const struct gen_link *l, unsigned n)
{
	return l->a == n ? l->addr_a : l->addr_b;
}

static unsigned other(const struct gen_link *l, unsigned n)
{
	return l->a == n ? l->b : l->a;
}

struct adj {
	unsigned *link; /* links of each node, CSR */
	size_t *start;
};

static void adj_build(const struct gen *g, struct adj *a)
{
	size_t *fill = xcalloc(g->nnodes + 1, sizeof(size_t));

	a->start = xcalloc(g->nnodes + 1, sizeof(size_t));
	a->link = xcalloc(2 * g->nlinks + 1, sizeof(unsigned));
	for (size_t i = 0; i < g->nlinks; i++) {
		a->start[g->links[i].a + 1]++;
		a->start[g->links[i].b + 1]++;
	}
	for (size_t n = 0; n < g->nnodes; n++)
		a->start[n + 1] += a->start[n];
	for (size_t i = 0; i < g->nlinks; i++) {
		a->link[a->start[g->links[i].a] + fill[g->links[i].a]++] = (unsigned)i;
		a->link[a->start[g->links[i].b] + fill[g->links[i].b]++] = (unsigned)i;
	}
	free(fill);
}

/* BFS from s: dist[] and first[] (the link s leaves by to reach each node). */
static void bfs(const struct gen *g, const struct adj *a, unsigned s, unsigned *dist, unsigned *first, unsigned *queue)
{
	size_t head = 0, tail = 0;

	for (size_t n = 0; n < g->nnodes; n++)
		dist[n] = UINT32_MAX;
	dist[s] = 0;
	queue[tail++] = s;
	while (head < tail) {
		unsigned u = queue[head++];
		for (size_t k = a->start[u]; k < a->start[u + 1]; k++) {
			unsigned l = a->link[k], w = other(&g->links[l], u);
			if (dist[w] != UINT32_MAX)
				continue;
			dist[w] = dist[u] + 1;
			first[w] = u == s ? l : first[u];
			queue[tail++] = w;
		}
	}
}

static void put_addr(FILE *f, uint32_t a)
{
	fprintf(f, "%u.%u.%u.%u", a >> 24, (a >> 16) & 255, (a >> 8) & 255, a & 255);
}

static void emit_routes(FILE *f, const struct gen *g, const struct adj *a, unsigned s, unsigned *dist,
			unsigned *first, unsigned *queue)
{
	bool any = false;

	if (g->nodes[s].kind == GEN_BRIDGE)
		return;
	/* a host with one link: a default route */
	if (g->nodes[s].kind == GEN_HOST) {
		const struct gen_link *l;
		uint32_t via;

		if (a->start[s + 1] - a->start[s] != 1)
			return;
		l = &g->links[a->link[a->start[s]]];
		via = addr_on(l, other(l, s));
		if (!via)
			return;
		fprintf(f, "      routes:\n        - {dst: default, via: ");
		put_addr(f, via);
		fprintf(f, "}\n");
		return;
	}
	bfs(g, a, s, dist, first, queue);
	for (size_t i = 0; i < g->nlinks; i++) {
		const struct gen_link *l = &g->links[i], *hop;
		unsigned target;
		uint32_t via;

		if (l->a == s || l->b == s || !l->addr_a)
			continue;
		target = dist[l->a] <= dist[l->b] ? l->a : l->b;
		if (dist[target] == UINT32_MAX)
			continue;
		hop = &g->links[first[target]];
		via = addr_on(hop, other(hop, s));
		if (!any)
			fprintf(f, "      routes:\n");
		any = true;
		fprintf(f, "        - {dst: ");
		put_addr(f, l->addr_a & ~((1u << (32 - l->plen)) - 1));
		fprintf(f, "/%u, via: ", l->plen);
		put_addr(f, via);
		fprintf(f, "}\n");
	}
}

static void ifname(char *buf, size_t size, const struct gen *g, unsigned node, unsigned num)
{
	snprintf(buf, size, "%s%u", g->nodes[node].kind == GEN_BRIDGE ? "p" : "eth", num);
}

static char *emit(const struct gen *g, const char *name, const char *cmdline)
{
	unsigned *dist = xcalloc(g->nnodes, sizeof(unsigned)), *first = xcalloc(g->nnodes, sizeof(unsigned));
	unsigned *queue = xcalloc(g->nnodes, sizeof(unsigned));
	struct adj a;
	char *out = NULL, ia[16], ib[16];
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	if (!f)
		abort();
	adj_build(g, &a);
	fprintf(f, "# %s: generated by `nslab generate %s`\n", name, cmdline);
	fprintf(f, "# %zu nodes, %zu links; a /24 per link (10.X.Y.1 and .2), static routes on shortest paths\n",
		g->nnodes, g->nlinks);
	fprintf(f, "name: %s\n\ntopology:\n  nodes:\n", name);
	for (unsigned n = 0; n < g->nnodes; n++) {
		bool any_if = false;

		fprintf(f, "    %s:\n      kind: %s\n", g->nodes[n].name, kind_names[g->nodes[n].kind]);
		for (size_t k = a.start[n]; k < a.start[n + 1]; k++) {
			const struct gen_link *l = &g->links[a.link[k]];
			uint32_t ad = addr_on(l, n);

			if (!ad)
				continue;
			if (!any_if)
				fprintf(f, "      interfaces:\n");
			any_if = true;
			ifname(ia, sizeof(ia), g, n, l->a == n ? l->ifa : l->ifb);
			fprintf(f, "        %s: {ipv4: ", ia);
			put_addr(f, ad);
			fprintf(f, "/%u}\n", l->plen);
		}
		emit_routes(f, g, &a, n, dist, first, queue);
	}
	fprintf(f, "  links:\n");
	for (size_t i = 0; i < g->nlinks; i++) {
		const struct gen_link *l = &g->links[i];

		ifname(ia, sizeof(ia), g, l->a, l->ifa);
		ifname(ib, sizeof(ib), g, l->b, l->ifb);
		fprintf(f, "    - endpoints: [\"%s:%s\", \"%s:%s\"]\n", g->nodes[l->a].name, ia, g->nodes[l->b].name, ib);
	}
	fclose(f);
	free(a.start);
	free(a.link);
	free(dist);
	free(first);
	free(queue);
	return out;
}

int nslab_generate(const char *shape, char *const *args, size_t nargs, const char *name, char **yaml,
		   struct nslab_err *err)
{
	const struct nslab_gen_shape *sh = NULL;
	const struct shape_impl *im = NULL;
	unsigned v[3] = { 0 };
	char autoname[64], cmdline[128];
	struct gen g = { 0 };
	int len;

	*yaml = NULL;
	for (size_t i = 0; i < nslab_gen_nshapes; i++)
		if (!strcmp(nslab_gen_shapes[i].name, shape)) {
			sh = &nslab_gen_shapes[i];
			im = &impls[i];
		}
	if (!sh)
		return nslab_err_set(err, EINVAL, "unknown shape '%s' (chain, ring, star, tree, clos, fat-tree)", shape);
	if (nargs < sh->min_args || nargs > sh->max_args)
		return nslab_err_set(err, EINVAL, "%s takes %s", sh->name, sh->args);
	len = snprintf(autoname, sizeof(autoname), "%s", sh->name);
	snprintf(cmdline, sizeof(cmdline), "%s", sh->name);
	for (size_t i = 0; i < nargs; i++) {
		char *end, argname[32];
		unsigned long x = strtoul(args[i], &end, 10);
		/* the i-th word of sh->args, for the message */
		{
			const char *p = sh->args;
			for (size_t k = 0; k < i && (p = strchr(p, ' ')); k++)
				p++;
			snprintf(argname, sizeof(argname), "%.*s", p ? (int)strcspn(p, " ") : 1, p ? p : "?");
			if (argname[0] == '[')
				memmove(argname, argname + 1, strlen(argname));
			argname[strcspn(argname, "]")] = 0;
		}
		if (!args[i][0] || *end || args[i][0] == '-' || x < im->min[i] || x > im->max[i])
			return nslab_err_set(err, EINVAL, "%s: %s must be a whole number from %u to %u, not '%s'",
					     sh->name, argname, im->min[i], im->max[i], args[i]);
		v[i] = (unsigned)x;
		if (len > 0 && (size_t)len < sizeof(autoname))
			len += snprintf(autoname + len, sizeof(autoname) - (size_t)len, "%s%u", i ? "x" : "", v[i]);
		snprintf(cmdline + strlen(cmdline), sizeof(cmdline) - strlen(cmdline), " %u", v[i]);
	}
	if (im->even0 && v[0] % 2)
		return nslab_err_set(err, EINVAL, "%s: K must be even, not %u", sh->name, v[0]);
	if (im->count(v) > GEN_MAX_NODES)
		return nslab_err_set(err, EINVAL, "%s %s makes %llu nodes; at most %d", sh->name, cmdline + strlen(sh->name) + 1,
				     im->count(v), GEN_MAX_NODES);
	im->build(&g, v);
	if (g.nlinks > GEN_MAX_LINKS) {
		free(g.nodes);
		free(g.links);
		return nslab_err_set(err, EINVAL, "%s makes %zu links; at most %d", cmdline, g.nlinks, GEN_MAX_LINKS);
	}
	*yaml = emit(&g, name ? name : autoname, cmdline);
	free(g.nodes);
	free(g.links);
	return 0;
}
