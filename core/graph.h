/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * core/graph.h: a picture of a lab (`nslab graph`). A topology file or a running lab becomes a
 * small graph description (nodes by kind, one edge per link with each end's interface and
 * addresses, the link's state and impairments); Graphviz's libraries (cgraph, gvc) lay it out and
 * render it as DOT, SVG or PNG. No process is forked.
 */
#ifndef NSLAB_CORE_GRAPH_H
#define NSLAB_CORE_GRAPH_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "../topologies/model.h"
#include "../util/err.h"

struct nslab_graph_end {
	char *node;  /* node name */
	char *iface; /* interface name on that node */
	char *addrs; /* "10.0.0.1/24\n2001:db8::1/64", or "" */
};

enum nslab_graph_link_state {
	NSLAB_GRAPH_LINK_UP,	/* declared up (a file), or both ends up (a running lab) */
	NSLAB_GRAPH_LINK_DOWN,	/* declared down, or an end is down or has no carrier */
};

struct nslab_graph_edge {
	struct nslab_graph_end end[2];
	enum nslab_graph_link_state state;
	char *impair; /* "delay 20ms, loss 1%" or NULL when none */
};

struct nslab_graph_node {
	char *name;
	char *kind;  /* "router", "linux", "bridge", ... */
	char *label; /* extra text under the name: loopback addresses, or NULL */
};

struct nslab_graph {
	char *title; /* the lab's name */
	bool live;   /* made from a running lab */
	struct nslab_graph_node *nodes;
	size_t nnodes;
	struct nslab_graph_edge *edges;
	size_t nedges;
};

/* The graph of a topology (a file's model): declared addresses, declared down ends, impairments. */
void nslab_graph_from_topo(struct nslab_graph *g, const struct nslab_topo *t);
/*
 * The graph of a running lab from its `nslab inspect --json` object: the addresses the nodes really
 * hold (exec-set ones too), each link's live state, impairments as applied now.
 */
int nslab_graph_from_inspect(struct nslab_graph *g, json_t *inspect, struct nslab_err *err);
void nslab_graph_free(struct nslab_graph *g);

/* The formats nslab graph writes: "dot" (text, no layout), "svg", "png" (laid out by dot). */
bool nslab_graph_format_known(const char *format);
/* Render into a malloc'd buffer (*len bytes; NUL-terminated for text formats). */
int nslab_graph_render(const struct nslab_graph *g, const char *format, char **buf, size_t *len,
		       struct nslab_err *err);

#endif
