// SPDX-License-Identifier: GPL-2.0-or-later
/* tui/model.c: the console's view-model: rows built from inspect JSON, rates from two samples,
 * formatting, selection, impairment input and the tab bar. Pure: no terminal, no kernel. */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/impair.h"
#include "../util/util.h"
#include "tui.h"

static char *jstr(json_t *o, const char *key, const char *dflt)
{
	const char *s = json_string_value(json_object_get(o, key));

	return xstrdup(s ? s : dflt);
}

static uint64_t juint(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	if (json_is_integer(v) && json_integer_value(v) >= 0)
		return (uint64_t)json_integer_value(v);
	if (json_is_real(v) && json_real_value(v) >= 0)
		return (uint64_t)json_real_value(v);
	return 0;
}

static void iface_free(struct tui_iface *f)
{
	free(f->name);
	free(f->state);
	free(f->mac);
	free(f->peer);
	free(f->addrs);
	free(f->impair);
}

static void nodes_free(struct tui_node *nodes, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		for (size_t k = 0; k < nodes[i].nifs; k++)
			iface_free(&nodes[i].ifs[k]);
		free(nodes[i].ifs);
		free(nodes[i].name);
		free(nodes[i].kind);
		free(nodes[i].state);
	}
	free(nodes);
}

static void links_free(struct tui_link *links, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(links[i].a);
		free(links[i].b);
		free(links[i].state);
		free(links[i].impair);
	}
	free(links);
}

void tui_model_free(struct tui_model *m)
{
	nodes_free(m->nodes, m->nnodes);
	links_free(m->links, m->nlinks);
	free(m->lab);
	free(m->status);
	free(m->filter);
	free(m->vnodes);
	free(m->vlinks);
	memset(m, 0, sizeof(*m));
}

static void iface_load(struct tui_iface *f, json_t *ji)
{
	json_t *addrs = json_object_get(ji, "addresses"), *a;
	struct nslab_impair imp;
	size_t i, len = 0;

	f->name = jstr(ji, "name", "?");
	f->state = jstr(ji, "state", "?");
	f->mac = jstr(ji, "mac", "");
	f->peer = json_string_value(json_object_get(ji, "peer")) ? jstr(ji, "peer", "") : NULL;
	f->mtu = (unsigned)juint(ji, "mtu");
	f->admin_down = json_is_true(json_object_get(ji, "admin_down"));
	f->link_down = json_is_true(json_object_get(ji, "link_down"));
	f->rx_bytes = juint(ji, "rx_bytes");
	f->tx_bytes = juint(ji, "tx_bytes");
	f->rx_dropped = juint(ji, "rx_dropped");
	f->tx_dropped = juint(ji, "tx_dropped");
	f->qdisc_drops = juint(ji, "qdisc_drops");
	f->rx_bps = f->tx_bps = -1;
	f->addrs = xstrdup("");
	json_array_foreach(addrs, i, a) {
		const char *s = json_string_value(a);
		if (!s)
			continue;
		f->addrs = xrealloc(f->addrs, len + strlen(s) + 2);
		len += (size_t)sprintf(f->addrs + len, "%s%s", len ? " " : "", s);
	}
	nslab_impair_from_json(json_object_get(ji, "impair"), &imp);
	f->impair = nslab_impair_describe(&imp);
}

static const struct tui_node *find_node(const struct tui_node *nodes, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(nodes[i].name, name) == 0)
			return &nodes[i];
	return NULL;
}

static const struct tui_iface *find_iface(const struct tui_node *nodes, size_t n, const char *node_if)
{
	const char *colon = strchr(node_if, ':');
	char node[256];

	if (!colon || (size_t)(colon - node_if) >= sizeof(node))
		return NULL;
	memcpy(node, node_if, (size_t)(colon - node_if));
	node[colon - node_if] = 0;
	const struct tui_node *nd = find_node(nodes, n, node);
	for (size_t i = 0; nd && i < nd->nifs; i++)
		if (strcmp(nd->ifs[i].name, colon + 1) == 0)
			return &nd->ifs[i];
	return NULL;
}

/* bit/s between two counter samples; -1 when unknown (no previous sample, counter reset). */
static double rate(uint64_t now, uint64_t before, double dt)
{
	if (dt <= 0 || now < before)
		return -1;
	return (double)(now - before) * 8.0 / dt;
}

static void link_build(struct tui_link *l, json_t *jl, const struct tui_node *nodes, size_t n)
{
	const struct tui_iface *a, *b;

	l->a = jstr(jl, "a", "?");
	l->b = jstr(jl, "b", "?");
	a = find_iface(nodes, n, l->a);
	b = find_iface(nodes, n, l->b);
	l->ab_bps = a ? a->tx_bps : -1;
	l->ba_bps = b ? b->tx_bps : -1;
	l->drops = 0;
	if (a)
		l->drops += a->rx_dropped + a->tx_dropped + a->qdisc_drops;
	if (b)
		l->drops += b->rx_dropped + b->tx_dropped + b->qdisc_drops;
	if ((a && (a->admin_down || a->link_down)) || (b && (b->admin_down || b->link_down)))
		l->state = xstrdup("down");
	else if (!a || !b)
		l->state = xstrdup("?");
	else if (strcmp(a->state, b->state) == 0)
		l->state = xstrdup(a->state);
	else
		l->state = xasprintf("%s/%s", a->state, b->state);
	const char *ia = a ? a->impair : "none", *ib = b ? b->impair : "none";
	if (strcmp(ia, ib) == 0)
		l->impair = xstrdup(strcmp(ia, "none") == 0 ? "-" : ia);
	else
		l->impair = xasprintf("A: %s; B: %s", ia, ib);
}

/* The name of the selected row ("n:NAME" / "l:A"), to keep the selection across changes. */
static char *sel_key(const struct tui_model *m)
{
	const struct tui_node *nd = tui_model_row_node(m, m->sel);
	const struct tui_link *l = tui_model_row_link(m, m->sel);

	if (nd)
		return xasprintf("n:%s", nd->name);
	if (l)
		return xasprintf("l:%s", l->a);
	return NULL;
}

/* Put the selection back on the row named key (from sel_key()), if it is shown; keep it in range. */
static void sel_restore(struct tui_model *m, char *key)
{
	size_t rows = tui_model_rows(m);

	for (size_t i = 0; key && i < rows; i++) {
		const struct tui_node *nd = tui_model_row_node(m, i);
		const char *name = nd ? nd->name : tui_model_row_link(m, i)->a;
		if (key[0] == (nd ? 'n' : 'l') && strcmp(key + 2, name) == 0) {
			m->sel = i;
			break;
		}
	}
	free(key);
	if (m->sel >= rows)
		m->sel = rows ? rows - 1 : 0;
}

const char *const tui_sort_names[TUI_SORT__COUNT] = {
	[TUI_SORT_LAB] = "lab order", [TUI_SORT_NAME] = "name", [TUI_SORT_CPU] = "cpu",
	[TUI_SORT_MEM] = "memory", [TUI_SORT_RATE] = "traffic", [TUI_SORT_DROPS] = "drops",
};

static bool node_matches(const struct tui_node *nd, const char *f)
{
	if (strstr(nd->name, f) || strstr(nd->kind, f))
		return true;
	for (size_t i = 0; i < nd->nifs; i++)
		if (strstr(nd->ifs[i].addrs, f))
			return true;
	return false;
}

static double node_key(const struct tui_node *nd, enum tui_sort k)
{
	double v = 0;

	switch (k) {
	case TUI_SORT_CPU:
		return nd->cpu_pct;
	case TUI_SORT_MEM:
		return (double)nd->memory_bytes;
	case TUI_SORT_RATE:
	case TUI_SORT_DROPS:
		for (size_t i = 0; i < nd->nifs; i++) {
			const struct tui_iface *f = &nd->ifs[i];
			if (k == TUI_SORT_RATE)
				v += (f->rx_bps > 0 ? f->rx_bps : 0) + (f->tx_bps > 0 ? f->tx_bps : 0);
			else
				v += (double)(f->rx_dropped + f->tx_dropped + f->qdisc_drops);
		}
		return v;
	case TUI_SORT_LAB:
	case TUI_SORT_NAME:
	case TUI_SORT__COUNT:
		break;
	}
	return 0;
}

static double link_key(const struct tui_link *l, enum tui_sort k)
{
	if (k == TUI_SORT_RATE)
		return (l->ab_bps > 0 ? l->ab_bps : 0) + (l->ba_bps > 0 ? l->ba_bps : 0);
	if (k == TUI_SORT_DROPS)
		return (double)l->drops;
	return 0;
}

/* qsort_r's context: which model and key */
struct sort_ctx {
	const struct tui_model *m;
	bool links;
};

/* Lab order (the index), by name, or busiest first; reversed on request. */
static int view_cmp(const void *pa, const void *pb, void *arg)
{
	const struct sort_ctx *sc = arg;
	const struct tui_model *m = sc->m;
	size_t a = *(const size_t *)pa, b = *(const size_t *)pb;
	int r = 0;

	if (m->sort == TUI_SORT_NAME) {
		r = sc->links ? strcmp(m->links[a].a, m->links[b].a) : strcmp(m->nodes[a].name, m->nodes[b].name);
	} else if (m->sort != TUI_SORT_LAB) {
		double ka = sc->links ? link_key(&m->links[a], m->sort) : node_key(&m->nodes[a], m->sort);
		double kb = sc->links ? link_key(&m->links[b], m->sort) : node_key(&m->nodes[b], m->sort);
		r = ka > kb ? -1 : ka < kb ? 1 : 0;
	}
	if (r == 0)
		r = a < b ? -1 : a > b ? 1 : 0;
	return m->sort_rev ? -r : r;
}

/* Rebuild the view from nodes[], links[], the filter and the sort. */
static void view_build(struct tui_model *m)
{
	const char *f = m->filter && m->filter[0] ? m->filter : NULL;

	m->nvnodes = m->nvlinks = 0;
	m->vnodes = xrealloc(m->vnodes, (m->nnodes + 1) * sizeof(size_t));
	m->vlinks = xrealloc(m->vlinks, (m->nlinks + 1) * sizeof(size_t));
	for (size_t i = 0; i < m->nnodes; i++)
		if (!f || node_matches(&m->nodes[i], f))
			m->vnodes[m->nvnodes++] = i;
	for (size_t i = 0; i < m->nlinks; i++)
		if (!f || strstr(m->links[i].a, f) || strstr(m->links[i].b, f))
			m->vlinks[m->nvlinks++] = i;
	qsort_r(m->vnodes, m->nvnodes, sizeof(size_t), view_cmp, &(struct sort_ctx){ m, false });
	qsort_r(m->vlinks, m->nvlinks, sizeof(size_t), view_cmp, &(struct sort_ctx){ m, true });
}

void tui_model_set_filter(struct tui_model *m, const char *text)
{
	char *key = sel_key(m);

	free(m->filter);
	m->filter = text && text[0] ? xstrdup(text) : NULL;
	view_build(m);
	sel_restore(m, key);
}

void tui_model_set_sort(struct tui_model *m, enum tui_sort key, bool reverse)
{
	char *k = sel_key(m);

	m->sort = key < TUI_SORT__COUNT ? key : TUI_SORT_LAB;
	m->sort_rev = reverse;
	view_build(m);
	sel_restore(m, k);
}

int tui_model_update(struct tui_model *m, json_t *j, double now_s)
{
	json_t *jnodes = json_object_get(j, "nodes"), *jlinks = json_object_get(j, "links"), *jn, *jl, *ji;
	struct tui_node *nodes = NULL;
	struct tui_link *links = NULL;
	size_t nnodes = 0, nlinks = 0, i, k;
	double dt = m->t > 0 ? now_s - m->t : 0;
	char *key;

	if (!json_is_object(j) || !json_is_array(jnodes))
		return -EINVAL;
	json_array_foreach(jnodes, i, jn) {
		struct tui_node *nd = VEC_PUSH(nodes, nnodes);
		json_t *usage = json_object_get(jn, "usage"), *jifs = json_object_get(jn, "interfaces");
		const struct tui_node *old;

		nd->name = jstr(jn, "name", "?");
		nd->kind = jstr(jn, "kind", "");
		nd->state = jstr(jn, "state", "?");
		nd->pid = json_is_integer(json_object_get(jn, "pid")) ? (long)json_integer_value(json_object_get(jn, "pid")) : 0;
		nd->cpu_ns = juint(usage, "cpu_ns");
		nd->memory_bytes = juint(usage, "memory_bytes");
		nd->pids = juint(usage, "pids");
		nd->cpu_pct = -1;
		old = find_node(m->nodes, m->nnodes, nd->name);
		if (old && old->pid == nd->pid && dt > 0 && nd->cpu_ns >= old->cpu_ns)
			nd->cpu_pct = (double)(nd->cpu_ns - old->cpu_ns) / (dt * 1e9) * 100.0;
		json_array_foreach(jifs, k, ji) {
			struct tui_iface *f = VEC_PUSH(nd->ifs, nd->nifs);
			iface_load(f, ji);
			for (size_t o = 0; old && old->pid == nd->pid && o < old->nifs; o++) {
				if (strcmp(old->ifs[o].name, f->name) != 0)
					continue;
				f->rx_bps = rate(f->rx_bytes, old->ifs[o].rx_bytes, dt);
				f->tx_bps = rate(f->tx_bytes, old->ifs[o].tx_bytes, dt);
			}
		}
	}
	json_array_foreach(jlinks, i, jl)
		link_build(VEC_PUSH(links, nlinks), jl, nodes, nnodes);

	key = sel_key(m);
	nodes_free(m->nodes, m->nnodes);
	links_free(m->links, m->nlinks);
	free(m->lab);
	free(m->status);
	m->nodes = nodes;
	m->nnodes = nnodes;
	m->links = links;
	m->nlinks = nlinks;
	m->lab = jstr(j, "name", "?");
	m->status = jstr(j, "status", "running");
	m->t = now_s;
	view_build(m);
	sel_restore(m, key);
	return 0;
}

size_t tui_model_rows(const struct tui_model *m)
{
	return m->nvnodes + m->nvlinks;
}

const struct tui_node *tui_model_row_node(const struct tui_model *m, size_t row)
{
	return row < m->nvnodes ? &m->nodes[m->vnodes[row]] : NULL;
}

const struct tui_link *tui_model_row_link(const struct tui_model *m, size_t row)
{
	return row >= m->nvnodes && row - m->nvnodes < m->nvlinks ? &m->links[m->vlinks[row - m->nvnodes]] : NULL;
}

void tui_model_sel_move(struct tui_model *m, long delta)
{
	long rows = (long)tui_model_rows(m), s = (long)m->sel + delta;

	if (rows == 0) {
		m->sel = 0;
		return;
	}
	if (s < 0)
		s = 0;
	if (s >= rows)
		s = rows - 1;
	m->sel = (size_t)s;
}

const struct tui_node *tui_model_sel_node(const struct tui_model *m)
{
	return tui_model_row_node(m, m->sel);
}

const struct tui_link *tui_model_sel_link(const struct tui_model *m)
{
	return tui_model_row_link(m, m->sel);
}

const struct tui_node *tui_model_find_node(const struct tui_model *m, const char *name)
{
	return find_node(m->nodes, m->nnodes, name);
}

const struct tui_iface *tui_model_find_iface(const struct tui_model *m, const char *node_if)
{
	return find_iface(m->nodes, m->nnodes, node_if);
}

const char *tui_model_node_addr(const struct tui_model *m, const char *name)
{
	static char buf[64];
	const struct tui_node *nd = find_node(m->nodes, m->nnodes, name);
	const char *first = NULL;

	for (size_t i = 0; nd && i < nd->nifs; i++) {
		const char *s = nd->ifs[i].addrs;
		while (*s) {
			size_t len = strcspn(s, " ");
			size_t plen = strcspn(s, "/ ");
			if (plen < sizeof(buf) && !memchr(s, ':', plen)) {
				memcpy(buf, s, plen);
				buf[plen] = 0;
				return buf;
			}
			if (!first)
				first = s;
			s += len;
			s += strspn(s, " ");
		}
	}
	if (first) {
		size_t plen = strcspn(first, "/ ");
		if (plen < sizeof(buf)) {
			memcpy(buf, first, plen);
			buf[plen] = 0;
			return buf;
		}
	}
	return NULL;
}

const struct tui_link *tui_model_link_between(const struct tui_model *m, const char *x, const char *y)
{
	size_t lx = strlen(x), ly = strlen(y);

	for (size_t i = 0; i < m->nlinks; i++) {
		const char *a = m->links[i].a, *b = m->links[i].b;
		if ((strncmp(a, x, lx) == 0 && a[lx] == ':' && strncmp(b, y, ly) == 0 && b[ly] == ':') ||
		    (strncmp(a, y, ly) == 0 && a[ly] == ':' && strncmp(b, x, lx) == 0 && b[lx] == ':'))
			return &m->links[i];
	}
	return NULL;
}

char *tui_model_subst_nodes(const struct tui_model *m, const char *cmd)
{
	char *out = xstrdup(""), *t;
	const char *p = cmd;

	while (*p) {
		size_t sp = strspn(p, " \t"), w = strcspn(p + sp, " \t");
		char word[256];
		const char *addr = NULL;

		if (w < sizeof(word)) {
			memcpy(word, p + sp, w);
			word[w] = 0;
			if (tui_model_find_node(m, word))
				addr = tui_model_node_addr(m, word);
		}
		t = xasprintf("%s%.*s%s", out, (int)sp, p, addr ? addr : "");
		free(out);
		out = t;
		if (!addr) {
			t = xasprintf("%s%.*s", out, (int)w, p + sp);
			free(out);
			out = t;
		}
		p += sp + w;
	}
	return out;
}

static char *fmt_scaled(char *buf, size_t n, double v, double base, const char *const *units, size_t nunits)
{
	size_t u = 0;

	while (v >= base && u + 1 < nunits) {
		v /= base;
		u++;
	}
	if (u == 0)
		snprintf(buf, n, "%.0f", v);
	else
		snprintf(buf, n, v < 9.95 ? "%.2f%s" : v < 99.5 ? "%.1f%s" : "%.0f%s", v, units[u]);
	return buf;
}

char *tui_fmt_bytes(char *buf, size_t n, uint64_t bytes)
{
	static const char *const units[] = { "", "K", "M", "G", "T", "P" };

	if (bytes == UINT64_MAX) {
		snprintf(buf, n, "-");
		return buf;
	}
	return fmt_scaled(buf, n, (double)bytes, 1024, units, ARRAY_SIZE(units));
}

char *tui_fmt_rate(char *buf, size_t n, double bps)
{
	static const char *const units[] = { "", "k", "M", "G", "T" };

	if (bps < 0 || isnan(bps)) {
		snprintf(buf, n, "-");
		return buf;
	}
	return fmt_scaled(buf, n, bps, 1000, units, ARRAY_SIZE(units));
}

/* "key value" or "key=value" pairs, separated by blanks or commas; keys are the parameter table's
 * names and aliases (topologies/impair.h), as in `nslab link set`. */
const char *tui_parse_impair(const char *text, struct nslab_impair_change *c)
{
	static char msg[NSLAB_IMP_MSG_MAX];
	char *copy = xstrdup(text), *save = NULL, *tok, *val;
	bool bad = false;

	memset(c, 0, sizeof(*c));
	for (tok = strtok_r(copy, " \t,", &save); tok && !bad; tok = strtok_r(NULL, " \t,", &save)) {
		int p = nslab_imp_param_find(tok);
		val = strchr(tok, '=');
		if (val) {
			*val++ = 0;
			p = nslab_imp_param_find(tok);
		} else if (p >= 0) {
			val = strtok_r(NULL, " \t,", &save);
		}
		if (p >= 0)
			c->given &= ~NSLAB_IMPP_BIT(p); /* the last of a repeated key wins */
		bad = nslab_impair_change_add(c, tok, val, msg, sizeof(msg)) < 0;
	}
	free(copy);
	if (bad)
		return msg;
	if (!c->given)
		return "nothing given (example: delay 20ms loss 1% rate 10mbit)";
	return NULL;
}

/* Where tab i starts and ends in the tab bar; false when it does not fit (nor any after it). */
static bool tab_span(size_t width, const char *const *names, size_t n, size_t active, size_t i, size_t *from,
		     size_t *to)
{
	size_t len = 0;

	for (size_t k = 0; k < n && k <= i; k++) {
		char item[80];
		int w = snprintf(item, sizeof(item), k == active ? "[%zu:%s]" : " %zu:%s ", k + 1, names[k]);
		if (w < 0 || len + (size_t)w + 1 > width)
			return false;
		*from = len;
		len += (size_t)w;
		*to = len;
	}
	return i < n;
}

long tui_tabs_hit(size_t width, const char *const *names, size_t n, size_t active, size_t x)
{
	size_t from, to;

	for (size_t i = 0; i < n && tab_span(width, names, n, active, i, &from, &to); i++)
		if (x >= from && x < to)
			return (long)i;
	return -1;
}

char *tui_tabs_line(char *buf, size_t width, const char *const *names, size_t n, size_t active)
{
	size_t len = 0, from, to;

	if (width == 0)
		return buf;
	buf[0] = 0;
	for (size_t i = 0; i < n; i++) {
		if (!tab_span(width, names, n, active, i, &from, &to)) {
			if (len + 2 <= width) {
				buf[len++] = '>';
				buf[len] = 0;
			}
			break;
		}
		len += (size_t)snprintf(buf + len, width - len, i == active ? "[%zu:%s]" : " %zu:%s ", i + 1, names[i]);
	}
	return buf;
}
