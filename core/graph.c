// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * core/graph.c: a lab as a picture. Two sources make one description (a file's model, a running
 * lab's inspect JSON); Graphviz's cgraph builds the graph and gvc lays it out and renders it.
 * A bridge node is drawn as a switch, every link as one edge carrying each end's interface and
 * addresses; a link that is down is dashed red, an impaired one orange with its impairments.
 */
#include "graph.h"

#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

#include <graphviz/cgraph.h>
#include <graphviz/gvc.h>

#include "../util/dlib.h"
#include "../util/util.h"
#include "impair.h"

/*
 * Graphviz, loaded on first use (util/dlib.h): only `nslab graph` and the console's picture need it,
 * and it brings ten shared objects with it.
 */
static const struct nslab_dlib lib_cgraph = { NSLAB_SO_CGRAPH, "libcgraph6" };
static const struct nslab_dlib lib_gvc = { NSLAB_SO_GVC, "libgvc6" };

static struct graphviz_syms {
	__typeof__(&agattr) agattr;
	__typeof__(&agclose) agclose;
	__typeof__(&agedge) agedge;
	__typeof__(&agnode) agnode;
	__typeof__(&agopen) agopen;
	__typeof__(&agsafeset) agsafeset;
	__typeof__(&agwrite) agwrite;
	Agdesc_t *Agundirected;
	Agmemdisc_t *AgMemDisc;
	Agiddisc_t *AgIdDisc;
	__typeof__(&gvContext) gvContext;
	__typeof__(&gvFreeLayout) gvFreeLayout;
	__typeof__(&gvFreeRenderData) gvFreeRenderData;
	__typeof__(&gvLayout) gvLayout;
	__typeof__(&gvRenderData) gvRenderData;
} gv;

#define GV_SYM(lib, sym) NSLAB_DSYM(lib, struct graphviz_syms, sym)
static const struct nslab_dsym gv_syms[] = {
	GV_SYM(lib_cgraph, agattr),	  GV_SYM(lib_cgraph, agclose),	     GV_SYM(lib_cgraph, agedge),
	GV_SYM(lib_cgraph, agnode),	  GV_SYM(lib_cgraph, agopen),	     GV_SYM(lib_cgraph, agsafeset),
	GV_SYM(lib_cgraph, agwrite),	  GV_SYM(lib_cgraph, Agundirected), GV_SYM(lib_cgraph, AgMemDisc),
	GV_SYM(lib_cgraph, AgIdDisc),	  GV_SYM(lib_gvc, gvContext),	     GV_SYM(lib_gvc, gvFreeLayout),
	GV_SYM(lib_gvc, gvFreeRenderData), GV_SYM(lib_gvc, gvLayout),	     GV_SYM(lib_gvc, gvRenderData),
};

/* How each kind is drawn: a table, so a new kind is one row. */
static const struct kind_style {
	const char *kind, *shape, *fill;
} kind_styles[] = {
	{ "router", "box3d", "#cfe2f3" },
	{ "frr", "box3d", "#d9ead3" },
	{ "bird", "box3d", "#fce5cd" },
	{ "linux", "box", "#ffffff" },
	{ "bridge", "component", "#fff2cc" },
};
static const struct kind_style default_style = { NULL, "box", "#eeeeee" };

static const struct kind_style *style_of(const char *kind)
{
	for (size_t i = 0; i < ARRAY_SIZE(kind_styles); i++)
		if (strcmp(kind_styles[i].kind, kind) == 0)
			return &kind_styles[i];
	return &default_style;
}

/* ---- descriptions ---- */

static void add_line(char **s, const char *line)
{
	char *n = (*s && **s) ? xasprintf("%s\n%s", *s, line) : xstrdup(line);
	free(*s);
	*s = n;
}

static char *iface_addrs(const struct nslab_iface *ifc)
{
	char *s = xstrdup("");
	char buf[64];

	for (size_t i = 0; i < ifc->naddrs; i++)
		add_line(&s, nslab_prefix_fmt(&ifc->addrs[i], true, buf, sizeof(buf)));
	return s;
}

void nslab_graph_from_topo(struct nslab_graph *g, const struct nslab_topo *t)
{
	memset(g, 0, sizeof(*g));
	g->title = xstrdup(t->name ? t->name : "lab");
	for (size_t i = 0; i < t->nnodes; i++) {
		const struct nslab_node *n = &t->nodes[i];
		struct nslab_graph_node *gn = VEC_PUSH(g->nodes, g->nnodes);
		gn->name = xstrdup(n->name);
		gn->kind = xstrdup(nslab_kind_name(n->kind));
		for (size_t k = 0; k < n->nifaces; k++)
			if (n->ifaces[k].link < 0 && n->ifaces[k].naddrs) {
				_cleanup_free_ char *a = iface_addrs(&n->ifaces[k]);
				add_line(&gn->label, a);
			}
		for (size_t b = 0; b < n->nbridges; b++) /* a bridge inside the node (BR|NODE) */
			if (n->bridges[b].from) {
				_cleanup_free_ char *l = xasprintf("bridge %s", n->bridges[b].name);
				add_line(&gn->label, l);
			}
	}
	for (size_t l = 0; l < t->nlinks; l++) {
		const struct nslab_link *lk = &t->links[l];
		struct nslab_graph_edge *e = VEC_PUSH(g->edges, g->nedges);
		unsigned mask = 0;
		for (int k = 0; k < 2; k++) {
			const struct nslab_node *n = &t->nodes[lk->ep[k].node];
			const struct nslab_iface *ifc = &n->ifaces[lk->ep[k].iface];
			const struct nslab_brdev *br = n->kind == NSLAB_KIND_BRIDGE ? NULL : nslab_node_bridge(n, ifc->master);
			e->end[k].node = xstrdup(n->name);
			e->end[k].iface = br ? xasprintf("%s (%s)", ifc->name, br->name) : xstrdup(ifc->name);
			e->end[k].addrs = iface_addrs(ifc);
			if (ifc->down)
				e->state = NSLAB_GRAPH_LINK_DOWN;
			mask |= ifc->impair.mask;
		}
		if (mask) {
			/* both ends carry the link's settings; an end's own extras are told per end */
			const struct nslab_impair *a = &t->nodes[lk->ep[0].node].ifaces[lk->ep[0].iface].impair;
			const struct nslab_impair *b = &t->nodes[lk->ep[1].node].ifaces[lk->ep[1].iface].impair;
			_cleanup_free_ char *da = nslab_impair_describe(a);
			_cleanup_free_ char *db = nslab_impair_describe(b);
			e->impair = strcmp(da, db) == 0 ? xstrdup(da)
							: xasprintf("%s: %s\n%s: %s", e->end[0].iface, da, e->end[1].iface, db);
		}
	}
}

/* One interface of the inspect JSON: its addresses without lo's usual ones. */
static char *json_addrs(json_t *ifc)
{
	char *s = xstrdup("");
	size_t i;
	json_t *a;

	json_array_foreach(json_object_get(ifc, "addresses"), i, a) {
		const char *v = json_string_value(a);
		if (v && strcmp(v, "127.0.0.1/8") != 0 && strcmp(v, "::1/128") != 0 && strncmp(v, "fe80:", 5) != 0)
			add_line(&s, v);
	}
	return s;
}

static bool json_iface_down(json_t *ifc)
{
	const char *st = json_string_value(json_object_get(ifc, "state"));
	return json_is_true(json_object_get(ifc, "admin_down")) || !st || strcmp(st, "up") != 0;
}

static char *json_impair(json_t *ifc)
{
	struct nslab_impair imp;

	nslab_impair_from_json(json_object_get(ifc, "impair"), &imp);
	return imp.mask ? nslab_impair_describe(&imp) : NULL;
}

/* The edge for interface ifc of node, unless its peer end was seen first (then it is completed). */
static int add_live_end(struct nslab_graph *g, const char *node, json_t *ifc, struct nslab_err *err)
{
	const char *name = json_string_value(json_object_get(ifc, "name"));
	const char *peer = json_string_value(json_object_get(ifc, "peer"));
	const char *colon = peer ? strchr(peer, ':') : NULL;

	if (!name || !peer)
		return 0; /* lo, a bridge's own device */
	if (!colon)
		return nslab_err_set(err, EINVAL, "interface %s:%s has a malformed peer '%s'", node, name, peer);
	for (size_t i = 0; i < g->nedges; i++) {
		struct nslab_graph_edge *e = &g->edges[i];
		if (strcmp(e->end[1].node, node) == 0 && strcmp(e->end[1].iface, name) == 0 && !e->end[1].addrs) {
			e->end[1].addrs = json_addrs(ifc);
			if (json_iface_down(ifc))
				e->state = NSLAB_GRAPH_LINK_DOWN;
			_cleanup_free_ char *imp = json_impair(ifc);
			if (imp && (!e->impair || strcmp(e->impair, imp) != 0)) {
				char *n = e->impair ? xasprintf("%s: %s\n%s: %s", e->end[0].iface, e->impair, name, imp)
						    : xasprintf("%s: %s", name, imp);
				free(e->impair);
				e->impair = n;
			}
			return 0;
		}
	}
	struct nslab_graph_edge *e = VEC_PUSH(g->edges, g->nedges);
	e->end[0].node = xstrdup(node);
	e->end[0].iface = xstrdup(name);
	e->end[0].addrs = json_addrs(ifc);
	e->end[1].node = xstrndup(peer, (size_t)(colon - peer));
	e->end[1].iface = xstrdup(colon + 1);
	e->state = json_iface_down(ifc) ? NSLAB_GRAPH_LINK_DOWN : NSLAB_GRAPH_LINK_UP;
	e->impair = json_impair(ifc);
	return 0;
}

int nslab_graph_from_inspect(struct nslab_graph *g, json_t *inspect, struct nslab_err *err)
{
	json_t *nodes = json_object_get(inspect, "nodes"), *n;
	size_t i;
	int r;

	memset(g, 0, sizeof(*g));
	g->live = true;
	g->title = xstrdup(json_string_value(json_object_get(inspect, "name")) ?: "lab");
	if (!json_is_array(nodes)) {
		nslab_graph_free(g);
		return nslab_err_set(err, EINVAL, "the lab's description has no nodes");
	}
	json_array_foreach(nodes, i, n) {
		const char *name = json_string_value(json_object_get(n, "name"));
		const char *kind = json_string_value(json_object_get(n, "kind"));
		json_t *ifc;
		size_t k;
		if (!name)
			continue;
		struct nslab_graph_node *gn = VEC_PUSH(g->nodes, g->nnodes);
		gn->name = xstrdup(name);
		gn->kind = xstrdup(kind ? kind : "linux");
		json_array_foreach(json_object_get(n, "interfaces"), k, ifc) {
			const char *ifn = json_string_value(json_object_get(ifc, "name"));
			if (ifn && strcmp(ifn, "lo") == 0) {
				_cleanup_free_ char *a = json_addrs(ifc);
				if (*a)
					add_line(&gn->label, a);
				continue;
			}
			/* a bridge inside the node (BR|NODE): a device of no link whose MTU the state does not
			 * keep (core/labstate.c) */
			if (ifn && kind && strcmp(kind, "bridge") && !json_string_value(json_object_get(ifc, "peer")) &&
			    !json_object_get(ifc, "configured_mtu")) {
				_cleanup_free_ char *a = json_addrs(ifc);
				_cleanup_free_ char *l = xasprintf("bridge %s%s%s", ifn, *a ? " " : "", a);
				add_line(&gn->label, l);
				continue;
			}
			r = add_live_end(g, name, ifc, err);
			if (r < 0) {
				nslab_graph_free(g);
				return r;
			}
		}
	}
	/* an end whose node was not in the description (a node that died) */
	for (size_t e = 0; e < g->nedges; e++)
		if (!g->edges[e].end[1].addrs) {
			g->edges[e].end[1].addrs = xstrdup("");
			g->edges[e].state = NSLAB_GRAPH_LINK_DOWN;
		}
	return 0;
}

void nslab_graph_free(struct nslab_graph *g)
{
	for (size_t i = 0; i < g->nnodes; i++) {
		free(g->nodes[i].name);
		free(g->nodes[i].kind);
		free(g->nodes[i].label);
	}
	for (size_t i = 0; i < g->nedges; i++) {
		for (int k = 0; k < 2; k++) {
			free(g->edges[i].end[k].node);
			free(g->edges[i].end[k].iface);
			free(g->edges[i].end[k].addrs);
		}
		free(g->edges[i].impair);
	}
	free(g->nodes);
	free(g->edges);
	free(g->title);
	memset(g, 0, sizeof(*g));
}

/* ---- rendering ---- */

static const struct format {
	const char *name;
	bool layout; /* laid out by dot before rendering; plain DOT is written as built */
	bool text;
} formats[] = {
	{ "dot", false, true },
	{ "svg", true, true },
	{ "png", true, false },
};

static const struct format *format_of(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(formats); i++)
		if (strcmp(formats[i].name, name) == 0)
			return &formats[i];
	return NULL;
}

bool nslab_graph_format_known(const char *format)
{
	return format && format_of(format);
}

/* cgraph takes char * for names and values it copies; a line break becomes DOT's "\n" escape */
static void set(void *obj, const char *attr, const char *value)
{
	_cleanup_free_ char *v = xmalloc(2 * strlen(value) + 1);
	char *o = v;

	for (const char *p = value; *p; p++) {
		if (*p == '\n') {
			*o++ = '\\';
			*o++ = 'n';
		} else {
			*o++ = *p;
		}
	}
	*o = '\0';
	gv.agsafeset(obj, (char *)attr, v, (char *)"");
}

static Agnode_t *draw_node(Agraph_t *gr, const struct nslab_graph_node *n)
{
	const struct kind_style *st = style_of(n->kind);
	Agnode_t *an = gv.agnode(gr, n->name, 1);
	_cleanup_free_ char *label = n->label ? xasprintf("%s\n%s\n%s", n->name, n->kind, n->label)
					      : xasprintf("%s\n%s", n->name, n->kind);

	set(an, "label", label);
	set(an, "shape", st->shape);
	set(an, "style", "filled");
	set(an, "fillcolor", st->fill);
	return an;
}

static void draw_edge(Agraph_t *gr, const struct nslab_graph_edge *e, bool live)
{
	Agnode_t *a = gv.agnode(gr, e->end[0].node, 0), *b = gv.agnode(gr, e->end[1].node, 0);
	Agedge_t *ae;

	if (!a)
		a = gv.agnode(gr, e->end[0].node, 1);
	if (!b)
		b = gv.agnode(gr, e->end[1].node, 1);
	ae = gv.agedge(gr, a, b, NULL, 1);
	for (int k = 0; k < 2; k++) {
		_cleanup_free_ char *l = *e->end[k].addrs ? xasprintf("%s\n%s", e->end[k].iface, e->end[k].addrs)
							  : xstrdup(e->end[k].iface);
		set(ae, k == 0 ? "taillabel" : "headlabel", l);
	}
	if (e->state == NSLAB_GRAPH_LINK_DOWN) {
		set(ae, "style", "dashed");
		set(ae, "color", "red");
		set(ae, "fontcolor", "red");
		set(ae, "label", live ? "down" : "declared down");
	} else if (e->impair) {
		set(ae, "color", "darkorange");
		set(ae, "penwidth", "2");
		set(ae, "label", e->impair);
	}
}

static Agraph_t *build(const struct nslab_graph *g, Agdisc_t *disc)
{
	Agraph_t *gr = gv.agopen(g->title, *gv.Agundirected, disc);
	_cleanup_free_ char *label = xasprintf("%s%s", g->title, g->live ? " (running)" : "");

	set(gr, "label", label);
	set(gr, "labelloc", "t");
	set(gr, "fontname", "Helvetica");
	set(gr, "nodesep", "1.0");
	set(gr, "ranksep", "1.3");
	gv.agattr(gr, AGNODE, (char *)"fontname", (char *)"Helvetica");
	gv.agattr(gr, AGNODE, (char *)"fontsize", (char *)"11");
	gv.agattr(gr, AGEDGE, (char *)"fontname", (char *)"Helvetica");
	gv.agattr(gr, AGEDGE, (char *)"fontsize", (char *)"9");
	gv.agattr(gr, AGEDGE, (char *)"labelfontsize", (char *)"8");
	gv.agattr(gr, AGEDGE, (char *)"labelfontcolor", (char *)"#1f4e79");
	gv.agattr(gr, AGEDGE, (char *)"labeldistance", (char *)"3");
	gv.agattr(gr, AGEDGE, (char *)"labelangle", (char *)"30");
	for (size_t i = 0; i < g->nnodes; i++)
		draw_node(gr, &g->nodes[i]);
	for (size_t i = 0; i < g->nedges; i++)
		draw_edge(gr, &g->edges[i], g->live);
	return gr;
}

/* agwrite's output callbacks: DOT text into a growing buffer */
struct membuf {
	char *p;
	size_t n;
};

static int mem_putstr(void *chan, const char *s)
{
	struct membuf *m = chan;
	size_t l = strlen(s);

	m->p = xrealloc(m->p, m->n + l + 1);
	memcpy(m->p + m->n, s, l + 1);
	m->n += l;
	return 0;
}

static int mem_flush(void *chan)
{
	(void)chan;
	return 0;
}

/*
 * One Graphviz context for the process, made on first use and kept: Graphviz's text-size code
 * caches the last font name across contexts, so a freed context leaves the next one a dangling
 * pointer (ASan: heap-use-after-free in the pango plugin's textspan_size).
 */
static GVC_t *graphviz(void)
{
	static GVC_t *gvc;

	if (!gvc)
		gvc = gv.gvContext();
	return gvc;
}

int nslab_graph_render(const struct nslab_graph *g, const char *format, char **buf, size_t *len,
		       struct nslab_err *err)
{
	const struct format *f = format_of(format);
	Agraph_t *gr;
	int r = 0;

	*buf = NULL;
	*len = 0;
	if (!f)
		return nslab_err_set(err, EINVAL, "unknown picture format '%s' (dot, svg or png)", format);
	static int bound;
	if (nslab_dlib_bind(&gv, &bound, gv_syms, ARRAY_SIZE(gv_syms), "drawing a lab",
			    err) < 0)
		return -err->code;
	/* DOT text goes through cgraph's I/O discipline into memory; the rest through gvc */
	static Agiodisc_t io = { NULL, mem_putstr, mem_flush };
	Agdisc_t disc = { gv.AgMemDisc, gv.AgIdDisc, &io };
	gr = build(g, &disc);
	if (!f->layout) {
		struct membuf m = { xstrdup(""), 0 };
		if (gv.agwrite(gr, &m) != 0)
			r = nslab_err_set(err, EIO, "writing the graph as DOT");
		*buf = m.p;
		*len = m.n;
	} else {
		GVC_t *gvc = graphviz();
		char *out = NULL;
		unsigned int olen = 0;
		if (gv.gvLayout(gvc, gr, "dot") != 0) {
			r = nslab_err_set(err, EIO, "Graphviz could not lay out the graph");
		} else {
			if (gv.gvRenderData(gvc, gr, f->name, &out, &olen) != 0 || !out)
				r = nslab_err_set(err, ENOTSUP,
						  "Graphviz cannot render %s here (is the libgvc6 plugin package installed?)",
						  f->name);
			else {
				*buf = xmalloc((size_t)olen + 1);
				memcpy(*buf, out, olen);
				(*buf)[olen] = '\0';
				*len = olen;
			}
			gv.gvFreeRenderData(out);
			gv.gvFreeLayout(gvc, gr);
		}
	}
	gv.agclose(gr);
	return r;
}
