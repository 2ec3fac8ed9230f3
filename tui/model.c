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
		l->drops += a->rx_dropped + a->tx_dropped;
	if (b)
		l->drops += b->rx_dropped + b->tx_dropped;
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

/* The name of the selected row ("n:NAME" / "l:A"), to keep the selection across updates. */
static char *sel_key(const struct tui_model *m)
{
	if (m->sel < m->nnodes)
		return xasprintf("n:%s", m->nodes[m->sel].name);
	if (m->sel - m->nnodes < m->nlinks)
		return xasprintf("l:%s", m->links[m->sel - m->nnodes].a);
	return NULL;
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
	if (key) {
		for (i = 0; i < tui_model_rows(m); i++) {
			const char *name = i < nnodes ? nodes[i].name : links[i - nnodes].a;
			if (key[0] == (i < nnodes ? 'n' : 'l') && strcmp(key + 2, name) == 0) {
				m->sel = i;
				break;
			}
		}
		free(key);
	}
	if (m->sel >= tui_model_rows(m))
		m->sel = tui_model_rows(m) ? tui_model_rows(m) - 1 : 0;
	return 0;
}

size_t tui_model_rows(const struct tui_model *m)
{
	return m->nnodes + m->nlinks;
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
	return m->sel < m->nnodes ? &m->nodes[m->sel] : NULL;
}

const struct tui_link *tui_model_sel_link(const struct tui_model *m)
{
	return m->sel >= m->nnodes && m->sel - m->nnodes < m->nlinks ? &m->links[m->sel - m->nnodes] : NULL;
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

char *tui_tabs_line(char *buf, size_t width, const char *const *names, size_t n, size_t active)
{
	size_t len = 0;

	if (width == 0)
		return buf;
	buf[0] = 0;
	for (size_t i = 0; i < n; i++) {
		char item[80];
		int w = snprintf(item, sizeof(item), i == active ? "[%zu:%s]" : " %zu:%s ", i + 1, names[i]);
		if (w < 0)
			break;
		if (len + (size_t)w + 1 > width) {
			if (len + 2 <= width) {
				buf[len++] = '>';
				buf[len] = 0;
			}
			break;
		}
		memcpy(buf + len, item, (size_t)w + 1);
		len += (size_t)w;
	}
	return buf;
}
