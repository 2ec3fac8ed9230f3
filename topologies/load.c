// SPDX-License-Identifier: GPL-2.0-or-later
/* topologies/load.c: reads a containerlab-style topology file with libyaml, checks it and resolves it into the lab model. */
#include "topologies/impair.h"
#include "topologies/model.h"
#include "util/util.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <stdint.h>
#include <sys/socket.h>
#include <yaml.h>

/*
 * How many YAML nodes one load may visit. Aliases let a small file reference
 * one big node many times; the schema is shallow, so this only bites on files
 * built to expand.
 */
#define TOPO_BUDGET 500000

/* Past this many errors in one file, more of them help nobody. */
#define TOPO_MAX_ERRORS 200

#define TOPO_KIND_UNSET (-1)
#define TOPO_KIND_BAD (-2) /* unusable, an error has been reported */

/* Where a settings block sits in the inheritance chain; a key table says where it is allowed. */
enum topo_level {
	TOPO_LV_DEFAULTS = 1,
	TOPO_LV_KIND = 2,
	TOPO_LV_GROUP = 4,
	TOPO_LV_NODE = 8,
};
#define TOPO_LV_ALL (TOPO_LV_DEFAULTS | TOPO_LV_KIND | TOPO_LV_GROUP | TOPO_LV_NODE)

/* ---- what the file says, before resolution ---- */

struct topo_addr {
	struct nslab_prefix p;
	struct nslab_pos pos;
};

enum { TOPO_STATE_UNSET, TOPO_STATE_UP, TOPO_STATE_DOWN };

/*
 * The impairment keys of one map: a link (both ends), an endpoint or an interfaces entry (one
 * end). given says which parameters appeared (NSLAB_IMPP_BIT), valid or not, so that a companion
 * (a correlation, the distribution) can be checked against its base in the same map.
 */
struct topo_imp {
	struct nslab_impair imp;
	int state;   /* TOPO_STATE_*, links and endpoints only (interfaces have their own) */
	bool is_lo;  /* the map is interfaces.lo: no impairment allowed */
	bool bad;    /* a value was rejected: the whole-set check would only repeat it */
	unsigned given;
	struct nslab_pos first_pos; /* first impairment key */
	struct nslab_pos pos[NSLAB_IMPP__COUNT]; /* of each value given */
};

/* One entry of a node's `interfaces:` map. */
struct topo_iface {
	char *name;
	struct nslab_pos pos;
	struct topo_addr *addrs;
	size_t naddrs;
	unsigned mtu; /* 0 = not set */
	bool has_mac;
	unsigned char mac[6];
	struct nslab_pos mac_pos;
	int state; /* -1 not set, 0 up, 1 down */
	struct topo_imp imp;
};

struct topo_route {
	struct nslab_route r;
	bool has_dst, dst_default, bad;
	struct nslab_pos dst_pos, via_pos, dev_pos;
};

/* Resource limits of one settings block; given says which (TOPO_LIM_*), each inherited alone. */
enum {
	TOPO_LIM_CPU = 1u << 0,
	TOPO_LIM_CPUSET = 1u << 1,
	TOPO_LIM_MEMORY = 1u << 2,
	TOPO_LIM_CPU_WEIGHT = 1u << 3,
	TOPO_LIM_PIDS = 1u << 4,
	TOPO_LIM_NET_CLS = 1u << 5,
};

struct topo_limits {
	unsigned given;
	struct nslab_limits l;
};

/* The keys shared by defaults, kinds, groups and nodes. */
struct topo_settings {
	int kind; /* enum nslab_kind, TOPO_KIND_UNSET or TOPO_KIND_BAD */
	struct nslab_pos kind_pos;
	char *group;
	struct nslab_pos group_pos;
	bool has_exec;
	char **exec;
	size_t nexec;
	struct nslab_bind *binds;
	size_t nbinds;
	struct nslab_kv *env;
	size_t nenv;
	struct nslab_kv *sysctls;
	size_t nsysctls;
	struct nslab_kv *labels;
	size_t nlabels;
	struct topo_route *routes;
	size_t nroutes;
	struct topo_iface *ifaces;
	size_t nifaces;
	struct topo_limits lim;
};

struct topo_named {
	char *name;
	struct nslab_pos pos;
	struct topo_settings s;
};

struct topo_ep {
	char *node, *ifname;
	struct nslab_pos pos, node_pos, if_pos;
	bool has_mac;
	unsigned char mac[6];
	struct topo_addr *addrs;
	size_t naddrs;
	struct topo_imp imp;
	bool bad;
};

struct topo_link {
	struct topo_ep ep[2];
	size_t nep;
	unsigned mtu;
	struct topo_imp imp;
	bool has_endpoints, bad;
	struct nslab_pos pos;
};

/* Where the impairments of each end of a model link came from, for the whole-set check. */
struct topo_lsrc {
	const struct topo_link *l;
	const struct topo_iface *ifc[2]; /* the interfaces entry of that end, or NULL */
};

struct topo_ld {
	struct nslab_diags *d;
	yaml_document_t *doc;
	const char *file;
	unsigned long budget;
	bool over_budget, too_many;
	size_t start_errors; /* d->nerrors before this load */
	char where[160]; /* "node r1", "defaults", ...: names the block in messages */
	unsigned level;	 /* enum topo_level of the settings block being read */

	struct nslab_pos root_pos;
	char *name;
	bool has_name_key, has_topology_key, has_nodes_key;
	struct nslab_pos topology_pos;
	struct topo_settings defaults;
	bool has_kind[NSLAB_KIND__COUNT];
	struct topo_settings kinds[NSLAB_KIND__COUNT];
	struct topo_named *groups;
	size_t ngroups;
	struct topo_named *nodes;
	size_t nnodes;
	struct topo_link *links;
	size_t nlinks;
	struct topo_lsrc *lsrc; /* during resolution: one per model link */
	size_t nlsrc;
};

/* ---- diagnostics and YAML access ---- */

static struct nslab_pos topo_pos(const struct topo_ld *ld, const yaml_node_t *n)
{
	return (struct nslab_pos){
		.file = ld->file,
		.line = (unsigned)n->start_mark.line + 1,
		.col = (unsigned)n->start_mark.column + 1,
	};
}

__attribute__((format(printf, 4, 5))) static void topo_diag_at(struct topo_ld *ld, enum nslab_severity sev,
							     const struct nslab_pos *pos, const char *fmt, ...)
{
	_cleanup_free_ char *msg = NULL;
	va_list ap;
	int n;

	if (sev == NSLAB_DIAG_ERROR && ld->d->nerrors - ld->start_errors >= TOPO_MAX_ERRORS) {
		if (!ld->too_many) {
			struct nslab_pos file_only = { .file = ld->file };

			ld->too_many = true;
			nslab_diag_add(ld->d, NSLAB_DIAG_ERROR, &file_only, "too many errors: only the first %d are shown",
				       TOPO_MAX_ERRORS);
		}
		return;
	}
	va_start(ap, fmt);
	n = vasprintf(&msg, fmt, ap);
	va_end(ap);
	if (n < 0) {
		msg = NULL;
		nslab_diag_add(ld->d, sev, pos, "(out of memory formatting a message)");
		return;
	}
	nslab_diag_add(ld->d, sev, pos, "%s", msg);
}

#define topo_err_at(ld, pos, ...) topo_diag_at((ld), NSLAB_DIAG_ERROR, (pos), __VA_ARGS__)
#define topo_err(ld, node, ...)                                          \
	do {                                                             \
		struct nslab_pos p_ = topo_pos((ld), (node));           \
		topo_diag_at((ld), NSLAB_DIAG_ERROR, &p_, __VA_ARGS__); \
	} while (0)
#define topo_warn(ld, node, ...)                                           \
	do {                                                               \
		struct nslab_pos p_ = topo_pos((ld), (node));             \
		topo_diag_at((ld), NSLAB_DIAG_WARNING, &p_, __VA_ARGS__); \
	} while (0)

/* A node of the document, counted against the budget; NULL once it is spent. */
static yaml_node_t *topo_node(struct topo_ld *ld, int idx)
{
	if (ld->budget == 0) {
		if (!ld->over_budget) {
			ld->over_budget = true;
			topo_err_at(ld, &ld->root_pos,
				    "the file expands to too many YAML nodes (through aliases?); giving up");
		}
		return NULL;
	}
	ld->budget--;
	return yaml_document_get_node(ld->doc, idx);
}

static bool topo_is_null(const yaml_node_t *n)
{
	const char *v;

	if (n->type != YAML_SCALAR_NODE)
		return false;
	if (n->tag && !strcmp((const char *)n->tag, YAML_NULL_TAG))
		return true;
	if (n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return false;
	v = (const char *)n->data.scalar.value;
	return n->data.scalar.length == 0 || !strcmp(v, "~") || !strcmp(v, "null") || !strcmp(v, "Null") ||
	       !strcmp(v, "NULL");
}

static const char *topo_type_name(const yaml_node_t *n)
{
	switch (n->type) {
	case YAML_MAPPING_NODE:
		return "a map";
	case YAML_SEQUENCE_NODE:
		return "a list";
	case YAML_SCALAR_NODE:
		return topo_is_null(n) ? "nothing" : "a string";
	case YAML_NO_NODE:
		break;
	}
	return "nothing";
}

/* The text of a non-null scalar, or NULL after an error saying what was expected. */
static const char *topo_str(struct topo_ld *ld, const yaml_node_t *n, const char *what)
{
	if (n->type != YAML_SCALAR_NODE || topo_is_null(n)) {
		topo_err(ld, n, "%s must be a string, got %s", what, topo_type_name(n));
		return NULL;
	}
	if (memchr(n->data.scalar.value, '\0', n->data.scalar.length)) {
		topo_err(ld, n, "%s contains a NUL byte", what);
		return NULL;
	}
	return (const char *)n->data.scalar.value;
}

/* An unsigned decimal integer in [min, max]. */
static bool topo_uint(struct topo_ld *ld, const yaml_node_t *n, const char *what, unsigned long min,
		      unsigned long max, unsigned *out)
{
	const char *s = topo_str(ld, n, what);
	unsigned long v = 0;
	size_t i;

	if (!s)
		return false;
	for (i = 0; s[i] >= '0' && s[i] <= '9' && i < 12; i++)
		v = v * 10 + (unsigned long)(s[i] - '0');
	if (i == 0 || s[i] || v < min || v > max) {
		topo_err(ld, n, "%s must be an integer from %lu to %lu, got \"%s\"", what, min, max, s);
		return false;
	}
	*out = (unsigned)v;
	return true;
}

static bool topo_scalar_eq(const yaml_node_t *a, const yaml_node_t *b)
{
	return a->type == YAML_SCALAR_NODE && b->type == YAML_SCALAR_NODE &&
	       a->data.scalar.length == b->data.scalar.length &&
	       !memcmp(a->data.scalar.value, b->data.scalar.value, a->data.scalar.length);
}

typedef void topo_pair_fn(struct topo_ld *ld, void *obj, yaml_node_t *key, const char *kname, yaml_node_t *val);

/*
 * Call fn for every pair of map n whose key is a string seen for the first
 * time (libyaml keeps duplicate keys: reject them here). A null value counts
 * as an empty map. what names the map, dupwhat its keys ("key", "node").
 */
static void topo_map_each(struct topo_ld *ld, yaml_node_t *n, const char *what, const char *dupwhat,
			  topo_pair_fn *fn, void *obj)
{
	if (topo_is_null(n))
		return;
	if (n->type != YAML_MAPPING_NODE) {
		topo_err(ld, n, "%s must be a map, got %s", what, topo_type_name(n));
		return;
	}
	for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
		yaml_node_t *k = topo_node(ld, p->key), *v = topo_node(ld, p->value);
		const char *kname;
		bool dup = false;

		if (!k || !v)
			return;
		if (k->type != YAML_SCALAR_NODE) {
			topo_err(ld, k, "keys of %s must be strings, got %s", what, topo_type_name(k));
			continue;
		}
		kname = topo_str(ld, k, "a key");
		if (!kname)
			continue;
		for (yaml_node_pair_t *q = n->data.mapping.pairs.start; q < p && !dup; q++) {
			yaml_node_t *qk = yaml_document_get_node(ld->doc, q->key);

			if (qk && topo_scalar_eq(qk, k)) {
				dup = true;
				topo_err(ld, k, "duplicate %s \"%s\" in %s (first at line %u)", dupwhat, kname, what,
					 (unsigned)qk->start_mark.line + 1);
			}
		}
		if (!dup)
			fn(ld, obj, k, kname, v);
	}
}

/* Call fn for every item of list n (a null value counts as an empty list). */
typedef void topo_item_fn(struct topo_ld *ld, void *obj, yaml_node_t *item);

static void topo_list_each(struct topo_ld *ld, yaml_node_t *n, const char *what, topo_item_fn *fn, void *obj)
{
	if (topo_is_null(n))
		return;
	if (n->type != YAML_SEQUENCE_NODE) {
		topo_err(ld, n, "%s must be a list, got %s", what, topo_type_name(n));
		return;
	}
	for (yaml_node_item_t *i = n->data.sequence.items.start; i < n->data.sequence.items.top; i++) {
		yaml_node_t *item = topo_node(ld, *i);

		if (!item)
			return;
		fn(ld, obj, item);
	}
}

/* ---- keyword tables ---- */

typedef void topo_set_fn(struct topo_ld *ld, void *obj, yaml_node_t *key, yaml_node_t *val);

struct topo_keyword {
	const char *name; /* NULL: any impairment parameter (topologies/impair.h) */
	topo_set_fn *set;
	unsigned levels; /* settings blocks only: enum topo_level mask; 0 elsewhere */
	size_t off;	 /* set gets the table's object plus off (a member shared by several tables) */
};

struct topo_table {
	const struct topo_keyword *kw;
	size_t n;
	void *obj;
};

static void topo_keyword_pair(struct topo_ld *ld, void *arg, yaml_node_t *key, const char *kname, yaml_node_t *val)
{
	const struct topo_table *t = arg;

	for (size_t i = 0; i < t->n; i++) {
		if (t->kw[i].name ? strcmp(t->kw[i].name, kname) != 0 : nslab_imp_param_find(kname) < 0)
			continue;
		if (t->kw[i].levels && !(t->kw[i].levels & ld->level)) {
			topo_err(ld, key, "key \"%s\" is not allowed in %s%s", kname, ld->where,
				 t->kw[i].levels == TOPO_LV_NODE ? " (only on a node)" : "");
			return;
		}
		t->kw[i].set(ld, (char *)t->obj + t->kw[i].off, key, val);
		return;
	}
	topo_err(ld, key, "unknown key \"%s\" in %s", kname, ld->where);
}

static void topo_parse_map(struct topo_ld *ld, yaml_node_t *n, const struct topo_keyword *kw, size_t nkw, void *obj)
{
	struct topo_table t = { kw, nkw, obj };

	topo_map_each(ld, n, ld->where, "key", topo_keyword_pair, &t);
}

/* Name the block being read in ld->where, keeping the outer name in saved (which fmt may use). */
__attribute__((format(printf, 3, 4))) static void topo_where_push(struct topo_ld *ld, char *saved,
								  const char *fmt, ...)
{
	va_list ap;

	memcpy(saved, ld->where, sizeof(ld->where));
	va_start(ap, fmt);
	vsnprintf(ld->where, sizeof(ld->where), fmt, ap);
	va_end(ap);
}
#define TOPO_WHERE_RESTORE(ld, saved) memcpy((ld)->where, (saved), sizeof((ld)->where))

/* ---- values shared by several blocks ---- */

static int topo_kind_lookup(const char *s)
{
	for (int k = 0; k < NSLAB_KIND__COUNT; k++)
		if (!strcmp(s, nslab_kind_name((enum nslab_kind)k)))
			return k;
	return -1;
}

static void topo_err_kind(struct topo_ld *ld, const yaml_node_t *n, const char *s)
{
	topo_err(ld, n, "kind \"%s\" is not supported by nslab (supported: linux, router, bridge)", s);
}

struct topo_addrs_ctx {
	struct topo_addr **v;
	size_t *n;
	int family;
	const char *key; /* "ipv4" or "ipv6" */
};

static void topo_addr_item(struct topo_ld *ld, void *arg, yaml_node_t *item)
{
	struct topo_addrs_ctx *c = arg;
	struct nslab_prefix p;
	struct topo_addr *a;
	const char *s = topo_str(ld, item, c->key);

	if (!s)
		return;
	if (nslab_prefix_parse(s, &p) < 0) {
		topo_err(ld, item, "bad %s address \"%s\": expected a CIDR like %s", c->key, s,
			 c->family == AF_INET ? "10.0.0.1/24" : "2001:db8::1/64");
		return;
	}
	if (p.family != c->family) {
		topo_err(ld, item, "%s expects an %s address, got \"%s\"", c->key,
			 c->family == AF_INET ? "IPv4" : "IPv6", s);
		return;
	}
	a = VEC_PUSH(*c->v, *c->n);
	a->p = p;
	a->pos = topo_pos(ld, item);
}

/* ipv4:/ipv6: one CIDR or a list of them. */
static void topo_addrs(struct topo_ld *ld, yaml_node_t *val, int family, struct topo_addr **v, size_t *n)
{
	struct topo_addrs_ctx c = { v, n, family, family == AF_INET ? "ipv4" : "ipv6" };

	if (val->type == YAML_SEQUENCE_NODE)
		topo_list_each(ld, val, c.key, topo_addr_item, &c);
	else if (!topo_is_null(val))
		topo_addr_item(ld, &c, val);
}

static bool topo_mac(struct topo_ld *ld, const yaml_node_t *val, unsigned char mac[6])
{
	const char *s = topo_str(ld, val, "mac");

	if (!s)
		return false;
	if (nslab_mac_parse(s, mac) < 0) {
		topo_err(ld, val, "bad MAC address \"%s\": expected aa:bb:cc:dd:ee:ff, unicast and not all zero", s);
		return false;
	}
	return true;
}

static bool topo_mtu(struct topo_ld *ld, const yaml_node_t *val, unsigned *mtu)
{
	return topo_uint(ld, val, "mtu", 68, 65535, mtu);
}

static void topo_ignore(struct topo_ld *ld, void *obj, yaml_node_t *key, yaml_node_t *val)
{
	(void)ld, (void)obj, (void)key, (void)val;
}

/* ---- impairments: links, endpoints and interfaces entries ---- */

/*
 * Any key of the parameter table (topologies/impair.h), by name or alias, through its one parser.
 * lo gets none, and the first key places whole-set messages.
 */
static void topo_imp_set(struct topo_ld *ld, void *obj, yaml_node_t *key, yaml_node_t *val)
{
	const char *kname = (const char *)key->data.scalar.value, *s;
	int p = nslab_imp_param_find(kname);
	const struct nslab_imp_param_info *pi = &nslab_imp_params[p];
	char msg[NSLAB_IMP_MSG_MAX];
	struct topo_imp *ti = obj;

	if (ti->is_lo) {
		topo_err(ld, key, "interface lo may only get addresses (ipv4, ipv6), not %s", kname);
		return;
	}
	if (ti->given & NSLAB_IMPP_BIT(p)) {
		topo_err(ld, key, "%s is given twice in %s (\"%s\" and \"%s\" are the same parameter)", pi->name,
			 ld->where, kname, pi->name);
		ti->bad = true;
		return;
	}
	if (!ti->given)
		ti->first_pos = topo_pos(ld, key);
	ti->given |= NSLAB_IMPP_BIT(p);
	ti->pos[p] = topo_pos(ld, val);
	s = topo_str(ld, val, pi->name);
	if (!s || nslab_imp_param_parse((enum nslab_imp_param)p, s, &ti->imp, msg, sizeof(msg)) < 0) {
		if (s)
			topo_err(ld, val, "%s", msg);
		ti->bad = true;
		return;
	}
	if (pi->base < 0)
		ti->imp.mask |= pi->field;
}

static void topo_imp_state(struct topo_ld *ld, void *obj, yaml_node_t *key, yaml_node_t *val)
{
	struct topo_imp *ti = obj;
	const char *s = topo_str(ld, val, "state");

	(void)key;
	if (!s)
		return;
	if (!strcmp(s, "up"))
		ti->state = TOPO_STATE_UP;
	else if (!strcmp(s, "down"))
		ti->state = TOPO_STATE_DOWN;
	else
		topo_err(ld, val, "state must be up or down, got \"%s\"", s);
}

/* The impairment keys in the key table of type, whose member imp receives them: a row without a
 * name matches every parameter of the table. */
#define TOPO_IMP_KEYS(type) { NULL, topo_imp_set, 0, offsetof(type, imp) }

/*
 * Checks within one map, once it is read: a companion key needs its base in the same map, since
 * merging carries a correlation or a distribution with its base value (nslab_impair_merge).
 */
static void topo_imp_finish(struct topo_ld *ld, struct topo_imp *ti)
{
	for (int p = 0; p < NSLAB_IMPP__COUNT; p++) {
		const struct nslab_imp_param_info *pi = &nslab_imp_params[p];

		if (pi->base < 0 || !(ti->given & NSLAB_IMPP_BIT(p)) || (ti->given & NSLAB_IMPP_BIT(pi->base)))
			continue;
		topo_err_at(ld, &ti->pos[p], "%s needs %s (set both in the same place)", pi->name,
			    nslab_imp_params[pi->base].name);
		ti->bad = true;
	}
}

/* ---- routes: {dst, via, dev, metric} ---- */

static void topo_route_dst(struct topo_ld *ld, void *obj, yaml_node_t *key, yaml_node_t *val)
{
	struct topo_route *r = obj;
	const char *s = topo_str(ld, val, "dst");

	(void)key;
	r->has_dst = true;
	r->dst_pos = topo_pos(ld, val);
	if (!s) {
		r->bad = true;
	} else if (!strcmp(s, "default")) {
		r->dst_default = true;
	} else if (nslab_prefix_parse(s, &r->r.dst) < 0) {
		topo_err(ld, val, "bad route dst \"%s\": expected a CIDR like 10.1.0.0/16, an address or default", s);
		r->bad = true;
	}
}

static void topo_route_via(struct topo_ld *ld, void *obj, yaml_node_t *key, yaml_node_t *val)
{
	struct topo_route *r = obj;
	const char *s = topo_str(ld, val, "via");

	(void)key;
	r->via_pos = topo_pos(ld, val);
	if (!s) {
		r->bad = true;
	} else if (nslab_addr_parse(s, &r->r.via) < 0) {
		topo_err(ld, val, "bad route via \"%s\": expected an address without /len", s);
		r->bad = true;
	} else {
		r->r.has_via = true;
	}
}

static void topo_route_dev(struct topo_ld *ld, void *obj, yaml_node_t *key, yaml_node_t *val)
{
	struct topo_route *r = obj;
	const char *s = topo_str(ld, val, "dev");

	(void)key;
	r->dev_pos = topo_pos(ld, val);
	if (!s) {
		r->bad = true;
	} else if (!nslab_ifname_valid(s)) {
		topo_err(ld, val, "invalid interface name \"%s\" in route dev", s);
		r->bad = true;
	} else {
		free(r->r.dev);
		r->r.dev = xstrdup(s);
	}
}

static void topo_route_metric(struct topo_ld *ld, void *obj, yaml_node_t *key, yaml_node_t *val)
{
	struct topo_route *r = obj;

	(void)key;
	if (!topo_uint(ld, val, "metric", 0, UINT32_MAX, &r->r.metric))
		r->bad = true;
}

static const struct topo_keyword topo_route_keys[] = {
	{ "dst", topo_route_dst },
	{ "via", topo_route_via },
	{ "dev", topo_route_dev },
	{ "metric", topo_route_metric },
};

static bool topo_prefix_has_host_bits(const struct nslab_prefix *p)
{
	unsigned bytes = p->family == AF_INET ? 4 : 16;

	for (unsigned i = 0; i < bytes; i++) {
		unsigned keep = p->plen >= (i + 1) * 8 ? 8 : p->plen > i * 8 ? p->plen - i * 8 : 0;
		unsigned char mask = (unsigned char)(0xff00u >> keep);

		if (p->addr[i] & ~mask)
			return true;
	}
	return false;
}

static void topo_route_item(struct topo_ld *ld, void *obj, yaml_node_t *item)
{
	struct topo_settings *s = obj;
	struct topo_route r = { 0 };
	char saved[sizeof(ld->where)];

	r.r.pos = topo_pos(ld, item);
	topo_where_push(ld, saved, "a route of %s", saved);
	if (item->type != YAML_MAPPING_NODE) {
		topo_err(ld, item, "a route must be a map with dst and via or dev, got %s", topo_type_name(item));
		r.bad = true;
	} else {
		size_t errors = ld->d->nerrors;

		topo_parse_map(ld, item, topo_route_keys, ARRAY_SIZE(topo_route_keys), &r);
		/* Checking a route that already has an error would only repeat it. */
		if (ld->d->nerrors != errors)
			r.bad = true;
	}
	TOPO_WHERE_RESTORE(ld, saved);
	if (r.bad)
		goto drop;
	if (!r.has_dst) {
		topo_err_at(ld, &r.r.pos, "route has no dst");
		goto drop;
	}
	if (!r.r.has_via && !r.r.dev) {
		topo_err_at(ld, &r.r.pos, "route needs via or dev");
		goto drop;
	}
	if (r.dst_default) {
		memset(&r.r.dst, 0, sizeof(r.r.dst));
		r.r.dst.family = r.r.has_via ? r.r.via.family : AF_INET;
	} else if (topo_prefix_has_host_bits(&r.r.dst)) {
		char buf[64];

		topo_err_at(ld, &r.dst_pos, "route dst %s has host bits set beyond /%u",
			    nslab_prefix_fmt(&r.r.dst, true, buf, sizeof(buf)), (unsigned)r.r.dst.plen);
		goto drop;
	}
	if (r.r.has_via && r.r.via.family != r.r.dst.family) {
		topo_err_at(ld, &r.via_pos, "route via is %s but dst is %s",
			    r.r.via.family == AF_INET ? "IPv4" : "IPv6", r.r.dst.family == AF_INET ? "IPv4" : "IPv6");
		goto drop;
	}
	*VEC_PUSH(s->routes, s->nroutes) = r;
	return;
drop:
	free(r.r.dev);
}

/* ---- interfaces: ifname -> {ipv4, ipv6, mtu, mac, state} ---- */

static bool topo_iface_not_lo(struct topo_ld *ld, const struct topo_iface *ifc, yaml_node_t *key)
{
	if (strcmp(ifc->name, "lo"))
		return true;
	topo_err(ld, key, "interface lo may only get addresses (ipv4, ipv6), not %s",
		 (const char *)key->data.scalar.value);
	return false;
}

static void topo_iface_ipv4(struct topo_ld *ld, void *obj, yaml_node_t *key, yaml_node_t *val)
{
	struct topo_iface *ifc = obj;

	(void)key;
	topo_addrs(ld, val, AF_INET, &ifc->addrs, &ifc->naddrs);
}

static void topo_iface_ipv6(struct topo_ld *ld, void *obj, yaml_node_t *key, yaml_node_t *val)
{
	struct topo_iface *ifc = obj;

	(void)key;
	topo_addrs(ld, val, AF_INET6, &ifc->addrs, &ifc->naddrs);
}

static void topo_iface_mtu(struct topo_ld *ld, void *obj, yaml_node_t *key, yaml_node_t *val)
{
	struct topo_iface *ifc = obj;

	if (topo_iface_not_lo(ld, ifc, key))
		topo_mtu(ld, val, &ifc->mtu);
}

static void topo_iface_mac(struct topo_ld *ld, void *obj, yaml_node_t *key, yaml_node_t *val)
{
	struct topo_iface *ifc = obj;

	if (!topo_iface_not_lo(ld, ifc, key))
		return;
	ifc->has_mac = topo_mac(ld, val, ifc->mac);
	ifc->mac_pos = topo_pos(ld, val);
}

static void topo_iface_state(struct topo_ld *ld, void *obj, yaml_node_t *key, yaml_node_t *val)
{
	struct topo_iface *ifc = obj;
	const char *s;

	if (!topo_iface_not_lo(ld, ifc, key))
		return;
	s = topo_str(ld, val, "state");
	if (!s)
		return;
	if (!strcmp(s, "up"))
		ifc->state = 0;
	else if (!strcmp(s, "down"))
		ifc->state = 1;
	else
		topo_err(ld, val, "state must be up or down, got \"%s\"", s);
}

static const struct topo_keyword topo_iface_keys[] = {
	{ "ipv4", topo_iface_ipv4 }, { "ipv6", topo_iface_ipv6 }, { "mtu", topo_iface_mtu },
	{ "mac", topo_iface_mac },   { "state", topo_iface_state }, TOPO_IMP_KEYS(struct topo_iface),
};

static void topo_iface_pair(struct topo_ld *ld, void *obj, yaml_node_t *key, const char *kname, yaml_node_t *val)
{
	struct topo_settings *s = obj;
	struct topo_iface ifc = { .state = -1 };
	char saved[sizeof(ld->where)];

	if (!nslab_ifname_valid(kname)) {
		topo_err(ld, key, "invalid interface name \"%s\": 1-15 bytes without '/', ':' or spaces", kname);
		return;
	}
	ifc.name = xstrdup(kname);
	ifc.pos = topo_pos(ld, key);
	ifc.imp.is_lo = !strcmp(kname, "lo");
	topo_where_push(ld, saved, "interface %s of %s", kname, saved);
	topo_parse_map(ld, val, topo_iface_keys, ARRAY_SIZE(topo_iface_keys), &ifc);
	topo_imp_finish(ld, &ifc.imp);
	TOPO_WHERE_RESTORE(ld, saved);
	*VEC_PUSH(s->ifaces, s->nifaces) = ifc;
}

/* ---- node settings (defaults, kinds, groups, nodes) ---- */

static void topo_set_kind(struct topo_ld *ld, void *obj, yaml_node_t *key, yaml_node_t *val)
{
	struct topo_settings *s = obj;
	const char *v = topo_str(ld, val, "kind");
	int k;

	(void)key;
	s->kind = TOPO_KIND_BAD;
	s->kind_pos = topo_pos(ld, val);
	if (!v)
		return;
	k = topo_kind_lookup(v);
	if (k < 0)
		topo_err_kind(ld, val, v);
	else
		s->kind = k;
}

static void topo_set_group(struct topo_ld *ld, void *obj, yaml_node_t *key, yaml_node_t *val)
{
	struct topo_settings *s = obj;
	const char *v = topo_str(ld, val, "group");

	(void)key;
	if (!v)
		return;
	free(s->group);
	s->group = xstrdup(v);
	s->group_pos = topo_pos(ld, val);
}

static void topo_exec_item(struct topo_ld *ld, void *obj, yaml_node_t *item)
{
	struct topo_settings *s = obj;
	const char *v = topo_str(ld, item, "an exec command");

	if (v)
		*VEC_PUSH(s->exec, s->nexec) = xstrdup(v);
}

static void topo_set_exec(struct topo_ld *ld, void *obj, yaml_node_t *key, yaml_node_t *val)
{
	struct topo_settings *s = obj;

	(void)key;
	s->has_exec = true;
	topo_list_each(ld, val, "exec", topo_exec_item, s);
}

/* "host-path:node-path[:ro|:rw]", both absolute. */
static void topo_bind_item(struct topo_ld *ld, void *obj, yaml_node_t *item)
{
	struct topo_settings *s = obj;
	const char *v = topo_str(ld, item, "a bind");
	const char *c1, *c2;
	_cleanup_free_ char *src = NULL, *dst = NULL;
	struct nslab_bind *b;
	bool ro = false;

	if (!v)
		return;
	c1 = strchr(v, ':');
	c2 = c1 ? strchr(c1 + 1, ':') : NULL;
	if (!c1 || c1 == v || c1[1] == '\0' || c2 == c1 + 1) {
		topo_err(ld, item, "bad bind \"%s\": expected host-path:node-path[:ro|:rw]", v);
		return;
	}
	if (c2) {
		if (!strcmp(c2 + 1, "ro")) {
			ro = true;
		} else if (strcmp(c2 + 1, "rw")) {
			topo_err(ld, item, "bad bind \"%s\": the mode after the second ':' must be ro or rw", v);
			return;
		}
	}
	src = xstrndup(v, (size_t)(c1 - v));
	dst = c2 ? xstrndup(c1 + 1, (size_t)(c2 - c1 - 1)) : xstrdup(c1 + 1);
	if (src[0] != '/' || dst[0] != '/') {
		topo_err(ld, item, "bad bind \"%s\": both paths must be absolute", v);
		return;
	}
	for (size_t i = 0; i < s->nbinds; i++) {
		if (!strcmp(s->binds[i].dst, dst)) {
			topo_err(ld, item, "bind destination %s is already bound in %s (line %u)", dst, ld->where,
				 s->binds[i].pos.line);
			return;
		}
	}
	b = VEC_PUSH(s->binds, s->nbinds);
	b->src = steal_ptr(src);
	b->dst = steal_ptr(dst);
	b->ro = ro;
	b->pos = topo_pos(ld, item);
}

static void topo_set_binds(struct topo_ld *ld, void *obj, yaml_node_t *key, yaml_node_t *val)
{
	(void)key;
	topo_list_each(ld, val, "binds", topo_bind_item, obj);
}

/* A string-to-string map entry; null values become "" unless required. */
static void topo_kv_add(struct topo_ld *ld, struct nslab_kv **v, size_t *n, yaml_node_t *key, const char *kname,
			yaml_node_t *val, const char *what, bool required)
{
	struct nslab_kv *kv;
	const char *value = "";

	if (!kname[0]) {
		topo_err(ld, key, "empty %s name", what);
		return;
	}
	if (val->type != YAML_SCALAR_NODE || (required && topo_is_null(val))) {
		topo_err(ld, val, "%s %s must have a string value, got %s", what, kname, topo_type_name(val));
		return;
	}
	if (!topo_is_null(val)) {
		value = topo_str(ld, val, what);
		if (!value)
			return;
	}
	kv = VEC_PUSH(*v, *n);
	kv->key = xstrdup(kname);
	kv->value = xstrdup(value);
	kv->pos = topo_pos(ld, key);
}

static void topo_env_pair(struct topo_ld *ld, void *obj, yaml_node_t *key, const char *kname, yaml_node_t *val)
{
	struct topo_settings *s = obj;

	topo_kv_add(ld, &s->env, &s->nenv, key, kname, val, "env variable", false);
}

static void topo_label_pair(struct topo_ld *ld, void *obj, yaml_node_t *key, const char *kname, yaml_node_t *val)
{
	struct topo_settings *s = obj;

	topo_kv_add(ld, &s->labels, &s->nlabels, key, kname, val, "label", false);
}

static void topo_sysctl_pair(struct topo_ld *ld, void *obj, yaml_node_t *key, const char *kname, yaml_node_t *val)
{
	struct topo_settings *s = obj;

	/* A node has its own network namespace and nothing else of the kernel's own. */
	if (strncmp(kname, "net.", 4) || !kname[4]) {
		topo_err(ld, key,
			 "sysctl %s cannot be set per node: nodes share the host's kernel except the network "
			 "(only net.* sysctls)",
			 kname);
		return;
	}
	topo_kv_add(ld, &s->sysctls, &s->nsysctls, key, kname, val, "sysctl", true);
}

static void topo_set_env(struct topo_ld *ld, void *obj, yaml_node_t *key, yaml_node_t *val)
{
	(void)key;
	topo_map_each(ld, val, "env", "env variable", topo_env_pair, obj);
}

static void topo_set_labels(struct topo_ld *ld, void *obj, yaml_node_t *key, yaml_node_t *val)
{
	(void)key;
	topo_map_each(ld, val, "labels", "label", topo_label_pair, obj);
}

static void topo_set_sysctls(struct topo_ld *ld, void *obj, yaml_node_t *key, yaml_node_t *val)
{
	(void)key;
	topo_map_each(ld, val, "sysctls", "sysctl", topo_sysctl_pair, obj);
}

static void topo_set_routes(struct topo_ld *ld, void *obj, yaml_node_t *key, yaml_node_t *val)
{
	(void)key;
	topo_list_each(ld, val, "routes", topo_route_item, obj);
}

static void topo_set_interfaces(struct topo_ld *ld, void *obj, yaml_node_t *key, yaml_node_t *val)
{
	(void)key;
	topo_map_each(ld, val, "interfaces", "interface", topo_iface_pair, obj);
}

static void topo_set_docker(struct topo_ld *ld, void *obj, yaml_node_t *key, yaml_node_t *val)
{
	(void)obj, (void)val;
	topo_warn(ld, key, "%s is ignored on %s: it only applies to containers, and nslab nodes run on the host's filesystem",
		  (const char *)key->data.scalar.value, ld->where);
}

/* ---- resource limits (cgroups) ---- */

static void topo_set_cpu(struct topo_ld *ld, void *obj, yaml_node_t *key, yaml_node_t *val)
{
	struct topo_settings *s = obj;
	const char *v = topo_str(ld, val, "cpu");
	size_t digits, dots;
	double cpu;

	(void)key;
	if (!v)
		return;
	/* strtod would also take " 1", "+1", "1e3", "inf" and hex: allow only digits and one '.' */
	digits = strspn(v, "0123456789");
	dots = v[digits] == '.' ? 1 : 0;
	if (strspn(v + digits + dots, "0123456789") != strlen(v + digits + dots) || !strcmp(v, ".") || !v[0]) {
		topo_err(ld, val, "bad cpu \"%s\": expected a number of cores like 0.5 or 2", v);
		return;
	}
	cpu = strtod(v, NULL);
	if (!(cpu > 0 && cpu <= 4096)) {
		topo_err(ld, val, "cpu must be above 0 and at most 4096 cores, got \"%s\"", v);
		return;
	}
	s->lim.l.cpu = cpu;
	s->lim.given |= TOPO_LIM_CPU;
}

struct topo_cpu_range {
	unsigned lo, hi;
};

static int topo_cpu_range_cmp(const void *a, const void *b)
{
	const struct topo_cpu_range *x = a, *y = b;

	return x->lo < y->lo ? -1 : x->lo > y->lo;
}

/* A CPU number of a cpu-set: up to 65535; advances *p. */
static bool topo_cpu_num(const char **p, unsigned *out)
{
	unsigned v = 0;
	const char *s = *p;

	if (*s < '0' || *s > '9')
		return false;
	for (; *s >= '0' && *s <= '9'; s++) {
		v = v * 10 + (unsigned)(*s - '0');
		if (v > 65535)
			return false;
	}
	*p = s;
	*out = v;
	return true;
}

/*
 * "0-1", "0,2-3" (the kernel's cpuset.cpus list format) into its normal form: sorted, overlapping
 * and adjacent ranges joined ("3,0-1,2" -> "0-3"). NULL when s is not such a list.
 */
static char *topo_cpuset_normalize(const char *s)
{
	struct topo_cpu_range *r = NULL;
	size_t n = 0, m = 0, len = 0;
	char *out = NULL;
	const char *p = s;

	for (;;) {
		struct topo_cpu_range x;

		if (!topo_cpu_num(&p, &x.lo))
			goto bad;
		x.hi = x.lo;
		if (*p == '-') {
			p++;
			if (!topo_cpu_num(&p, &x.hi) || x.hi < x.lo)
				goto bad;
		}
		*VEC_PUSH(r, n) = x;
		if (*p == '\0')
			break;
		if (*p++ != ',')
			goto bad;
	}
	qsort(r, n, sizeof(*r), topo_cpu_range_cmp);
	for (size_t i = 1; i < n; i++) {
		if (r[i].lo <= r[m].hi + 1) {
			if (r[i].hi > r[m].hi)
				r[m].hi = r[i].hi;
		} else {
			r[++m] = r[i];
		}
	}
	out = xmalloc((m + 1) * 12 + 1);
	for (size_t i = 0; i <= m; i++) {
		if (r[i].lo == r[i].hi)
			len += (size_t)sprintf(out + len, "%s%u", i ? "," : "", r[i].lo);
		else
			len += (size_t)sprintf(out + len, "%s%u-%u", i ? "," : "", r[i].lo, r[i].hi);
	}
	free(r);
	return out;
bad:
	free(r);
	return NULL;
}

static void topo_set_cpuset(struct topo_ld *ld, void *obj, yaml_node_t *key, yaml_node_t *val)
{
	struct topo_settings *s = obj;
	const char *v = topo_str(ld, val, "cpu-set");
	char *norm;

	(void)key;
	if (!v)
		return;
	norm = topo_cpuset_normalize(v);
	if (!norm) {
		topo_err(ld, val,
			 "bad cpu-set \"%s\": expected CPU numbers (0-65535) and ranges low-high, separated by "
			 "commas, like 0-1 or 0,2-3",
			 v);
		return;
	}
	free(s->lim.l.cpuset);
	s->lim.l.cpuset = norm;
	s->lim.given |= TOPO_LIM_CPUSET;
}

#define TOPO_MIN_MEMORY (4ULL << 20)

static void topo_set_memory(struct topo_ld *ld, void *obj, yaml_node_t *key, yaml_node_t *val)
{
	struct topo_settings *s = obj;
	const char *v = topo_str(ld, val, "memory");
	unsigned long long bytes;
	int ret;

	(void)key;
	if (!v)
		return;
	ret = nslab_parse_size_bytes(v, &bytes);
	if (ret == -EINVAL) {
		topo_err(ld, val, "bad memory \"%s\": expected a size like 512m, 1g, 256Mb or 1GiB (binary multiples)",
			 v);
		return;
	}
	if (ret < 0) {
		topo_err(ld, val, "memory \"%s\" is too large", v);
		return;
	}
	if (bytes < TOPO_MIN_MEMORY) {
		topo_err(ld, val, "memory must be at least 4MiB, got \"%s\"", v);
		return;
	}
	s->lim.l.memory_bytes = bytes;
	s->lim.given |= TOPO_LIM_MEMORY;
}

static void topo_set_cpu_weight(struct topo_ld *ld, void *obj, yaml_node_t *key, yaml_node_t *val)
{
	struct topo_settings *s = obj;

	(void)key;
	if (topo_uint(ld, val, "cpu-weight", 1, 10000, &s->lim.l.cpu_weight))
		s->lim.given |= TOPO_LIM_CPU_WEIGHT;
}

#define TOPO_MAX_PIDS 4194304 /* the kernel's PID_MAX_LIMIT */

static void topo_set_pids(struct topo_ld *ld, void *obj, yaml_node_t *key, yaml_node_t *val)
{
	struct topo_settings *s = obj;
	unsigned pids;

	(void)key;
	if (!topo_uint(ld, val, "pids", 1, TOPO_MAX_PIDS, &pids))
		return;
	s->lim.l.pids = pids;
	s->lim.given |= TOPO_LIM_PIDS;
}

static void topo_set_net_cls(struct topo_ld *ld, void *obj, yaml_node_t *key, yaml_node_t *val)
{
	struct topo_settings *s = obj;
	const char *v = topo_str(ld, val, "net-cls");
	unsigned classid;
	int ret;

	(void)key;
	if (!v)
		return;
	if (!strcmp(v, "auto")) {
		s->lim.l.net_cls_auto = true;
		s->lim.l.net_cls = 0;
		s->lim.given |= TOPO_LIM_NET_CLS;
		return;
	}
	ret = nslab_parse_classid(v, &classid);
	if (ret == -ERANGE) {
		topo_err(ld, val, "bad net-cls \"%s\": major and minor are at most ffff (hex)", v);
		return;
	}
	if (ret < 0) {
		topo_err(ld, val,
			 "bad net-cls \"%s\": expected auto or a classid like 10:1 or 0x00100001 (hex major:minor, "
			 "major not 0)",
			 v);
		return;
	}
	s->lim.l.net_cls_auto = false;
	s->lim.l.net_cls = classid;
	s->lim.given |= TOPO_LIM_NET_CLS;
}

#define TOPO_DOCKER(k) { k, topo_set_docker, TOPO_LV_ALL }
static const struct topo_keyword topo_settings_keys[] = {
	{ "kind", topo_set_kind, TOPO_LV_DEFAULTS | TOPO_LV_GROUP | TOPO_LV_NODE },
	{ "group", topo_set_group, TOPO_LV_NODE },
	{ "exec", topo_set_exec, TOPO_LV_ALL },
	{ "binds", topo_set_binds, TOPO_LV_ALL },
	{ "env", topo_set_env, TOPO_LV_ALL },
	{ "labels", topo_set_labels, TOPO_LV_ALL },
	{ "sysctls", topo_set_sysctls, TOPO_LV_ALL },
	{ "routes", topo_set_routes, TOPO_LV_NODE },
	{ "interfaces", topo_set_interfaces, TOPO_LV_NODE },
	{ "memory", topo_set_memory, TOPO_LV_ALL },
	{ "cpu", topo_set_cpu, TOPO_LV_ALL },
	{ "cpu-set", topo_set_cpuset, TOPO_LV_ALL },
	{ "cpu-weight", topo_set_cpu_weight, TOPO_LV_ALL },
	{ "pids", topo_set_pids, TOPO_LV_ALL },
	{ "net-cls", topo_set_net_cls, TOPO_LV_ALL },
	TOPO_DOCKER("image"),
	TOPO_DOCKER("image-pull-policy"),
	TOPO_DOCKER("mgmt-ipv4"),
	TOPO_DOCKER("mgmt-ipv6"),
	TOPO_DOCKER("ports"),
	TOPO_DOCKER("network-mode"),
	TOPO_DOCKER("cmd"),
	TOPO_DOCKER("entrypoint"),
	TOPO_DOCKER("user"),
	TOPO_DOCKER("restart-policy"),
	TOPO_DOCKER("license"),
	TOPO_DOCKER("startup-config"),
	TOPO_DOCKER("startup-delay"),
	TOPO_DOCKER("enforce-startup-config"),
	TOPO_DOCKER("suppress-startup-config"),
	TOPO_DOCKER("auto-remove"),
	TOPO_DOCKER("publish"),
	TOPO_DOCKER("dns"),
	TOPO_DOCKER("extras"),
	TOPO_DOCKER("config"),
	TOPO_DOCKER("devices"),
	TOPO_DOCKER("certificate"),
	TOPO_DOCKER("healthcheck"),
	TOPO_DOCKER("runtime"),
	TOPO_DOCKER("wait-for"),
	TOPO_DOCKER("stages"),
	TOPO_DOCKER("aliases"),
	TOPO_DOCKER("cap-add"),
	TOPO_DOCKER("shm-size"),
	TOPO_DOCKER("type"),
	TOPO_DOCKER("extra-hosts"),
};
#undef TOPO_DOCKER

static void topo_parse_settings(struct topo_ld *ld, yaml_node_t *n, struct topo_settings *s)
{
	topo_parse_map(ld, n, topo_settings_keys, ARRAY_SIZE(topo_settings_keys), s);
}

static void topo_settings_init(struct topo_settings *s)
{
	memset(s, 0, sizeof(*s));
	s->kind = TOPO_KIND_UNSET;
}

/* ---- topology: defaults, kinds, groups, nodes, links ---- */

static void topo_set_defaults(struct topo_ld *ld, void *obj, yaml_node_t *key, yaml_node_t *val)
{
	char saved[sizeof(ld->where)];

	(void)obj, (void)key;
	topo_where_push(ld, saved, "defaults");
	ld->level = TOPO_LV_DEFAULTS;
	topo_parse_settings(ld, val, &ld->defaults);
	TOPO_WHERE_RESTORE(ld, saved);
}

static void topo_kind_pair(struct topo_ld *ld, void *obj, yaml_node_t *key, const char *kname, yaml_node_t *val)
{
	char saved[sizeof(ld->where)];
	int k = topo_kind_lookup(kname);

	(void)obj;
	if (k < 0) {
		topo_err_kind(ld, key, kname);
		return;
	}
	ld->has_kind[k] = true;
	topo_where_push(ld, saved, "kind %s", kname);
	ld->level = TOPO_LV_KIND;
	topo_parse_settings(ld, val, &ld->kinds[k]);
	TOPO_WHERE_RESTORE(ld, saved);
}

static void topo_set_kinds(struct topo_ld *ld, void *obj, yaml_node_t *key, yaml_node_t *val)
{
	(void)key;
	topo_map_each(ld, val, "kinds", "kind", topo_kind_pair, obj);
}

static void topo_named_pair(struct topo_ld *ld, struct topo_named **v, size_t *n, yaml_node_t *key,
			    const char *kname, yaml_node_t *val, const char *what, unsigned level)
{
	char saved[sizeof(ld->where)];
	struct topo_named *e;

	e = VEC_PUSH(*v, *n);
	e->name = xstrdup(kname);
	e->pos = topo_pos(ld, key);
	topo_settings_init(&e->s);
	topo_where_push(ld, saved, "%s %s", what, kname);
	ld->level = level;
	/* Safe to read into e: settings never contain nodes or groups, so *v does not grow meanwhile. */
	topo_parse_settings(ld, val, &e->s);
	if (val->type != YAML_MAPPING_NODE && !topo_is_null(val))
		e->s.kind = TOPO_KIND_BAD; /* reported as not a map; "has no kind" would repeat it */
	TOPO_WHERE_RESTORE(ld, saved);
}

static void topo_group_pair(struct topo_ld *ld, void *obj, yaml_node_t *key, const char *kname, yaml_node_t *val)
{
	(void)obj;
	if (!kname[0]) {
		topo_err(ld, key, "empty group name");
		return;
	}
	topo_named_pair(ld, &ld->groups, &ld->ngroups, key, kname, val, "group", TOPO_LV_GROUP);
}

static void topo_set_groups(struct topo_ld *ld, void *obj, yaml_node_t *key, yaml_node_t *val)
{
	(void)key;
	topo_map_each(ld, val, "groups", "group", topo_group_pair, obj);
}

static void topo_node_pair(struct topo_ld *ld, void *obj, yaml_node_t *key, const char *kname, yaml_node_t *val)
{
	(void)obj;
	/* Keep an invalid name: links to it then resolve instead of piling up "unknown node" errors. */
	if (!nslab_name_valid(kname))
		topo_err(ld, key,
			 "invalid node name \"%s\": 1-%d letters, digits, '_' or '-', not starting with '-'",
			 kname, NSLAB_NAME_MAX);
	topo_named_pair(ld, &ld->nodes, &ld->nnodes, key, kname, val, "node", TOPO_LV_NODE);
}

static void topo_set_nodes(struct topo_ld *ld, void *obj, yaml_node_t *key, yaml_node_t *val)
{
	size_t before = ld->nnodes;

	(void)key;
	ld->has_nodes_key = true;
	topo_map_each(ld, val, "nodes", "node", topo_node_pair, obj);
	if (ld->nnodes == before && (topo_is_null(val) || val->type == YAML_MAPPING_NODE))
		topo_err(ld, val, "nodes is empty: a lab needs at least one node");
}

/* ---- links ---- */

static void topo_ep_node(struct topo_ld *ld, void *obj, yaml_node_t *key, yaml_node_t *val)
{
	struct topo_ep *ep = obj;
	const char *s = topo_str(ld, val, "node");

	(void)key;
	if (!s) {
		ep->bad = true;
		return;
	}
	free(ep->node);
	ep->node = xstrdup(s);
	ep->node_pos = topo_pos(ld, val);
}

static void topo_ep_interface(struct topo_ld *ld, void *obj, yaml_node_t *key, yaml_node_t *val)
{
	struct topo_ep *ep = obj;
	const char *s = topo_str(ld, val, "interface");

	(void)key;
	if (!s) {
		ep->bad = true;
		return;
	}
	free(ep->ifname);
	ep->ifname = xstrdup(s);
	ep->if_pos = topo_pos(ld, val);
}

static void topo_ep_mac(struct topo_ld *ld, void *obj, yaml_node_t *key, yaml_node_t *val)
{
	struct topo_ep *ep = obj;

	(void)key;
	ep->has_mac = topo_mac(ld, val, ep->mac);
}

static void topo_ep_ipv4(struct topo_ld *ld, void *obj, yaml_node_t *key, yaml_node_t *val)
{
	struct topo_ep *ep = obj;

	(void)key;
	topo_addrs(ld, val, AF_INET, &ep->addrs, &ep->naddrs);
}

static void topo_ep_ipv6(struct topo_ld *ld, void *obj, yaml_node_t *key, yaml_node_t *val)
{
	struct topo_ep *ep = obj;

	(void)key;
	topo_addrs(ld, val, AF_INET6, &ep->addrs, &ep->naddrs);
}

static const struct topo_keyword topo_ep_keys[] = {
	{ "node", topo_ep_node },
	{ "interface", topo_ep_interface },
	{ "mac", topo_ep_mac },
	{ "ipv4", topo_ep_ipv4 },
	{ "ipv6", topo_ep_ipv6 },
	{ "state", topo_imp_state, 0, offsetof(struct topo_ep, imp) },
	TOPO_IMP_KEYS(struct topo_ep),
};

static void topo_ep_free(struct topo_ep *ep)
{
	free(ep->node);
	free(ep->ifname);
	free(ep->addrs);
}

/* One endpoint: "node:interface" (brief form) or {node, interface, ...} (extended form). */
static void topo_ep_parse(struct topo_ld *ld, yaml_node_t *item, struct topo_ep *ep)
{
	char saved[sizeof(ld->where)];

	ep->pos = topo_pos(ld, item);
	if (item->type == YAML_SCALAR_NODE && !topo_is_null(item)) {
		const char *s = topo_str(ld, item, "an endpoint");
		const char *colon = s ? strchr(s, ':') : NULL;

		if (!s) {
			ep->bad = true;
			return;
		}
		if (!colon || colon == s || colon[1] == '\0') {
			topo_err(ld, item, "malformed endpoint \"%s\": expected node:interface", s);
			ep->bad = true;
			return;
		}
		ep->node = xstrndup(s, (size_t)(colon - s));
		ep->ifname = xstrdup(colon + 1);
		ep->node_pos = ep->pos;
		ep->if_pos = ep->pos;
		return;
	}
	if (item->type != YAML_MAPPING_NODE) {
		topo_err(ld, item, "an endpoint must be \"node:interface\" or a map with node and interface, got %s",
			 topo_type_name(item));
		ep->bad = true;
		return;
	}
	topo_where_push(ld, saved, "an endpoint");
	topo_parse_map(ld, item, topo_ep_keys, ARRAY_SIZE(topo_ep_keys), ep);
	topo_imp_finish(ld, &ep->imp);
	TOPO_WHERE_RESTORE(ld, saved);
	if (!ep->bad && !ep->node) {
		topo_err(ld, item, "endpoint has no node");
		ep->bad = true;
	}
	if (!ep->bad && !ep->ifname) {
		topo_err(ld, item, "endpoint has no interface");
		ep->bad = true;
	}
}

static void topo_link_endpoints(struct topo_ld *ld, void *obj, yaml_node_t *key, yaml_node_t *val)
{
	struct topo_link *l = obj;
	size_t n;

	(void)key;
	l->has_endpoints = true;
	if (val->type != YAML_SEQUENCE_NODE) {
		topo_err(ld, val, "endpoints must be a list of two endpoints, got %s", topo_type_name(val));
		l->bad = true;
		return;
	}
	n = (size_t)(val->data.sequence.items.top - val->data.sequence.items.start);
	if (n != 2) {
		topo_err(ld, val, "a link needs exactly 2 endpoints, got %zu", n);
		l->bad = true;
	}
	for (size_t i = 0; i < n; i++) {
		yaml_node_t *item = topo_node(ld, val->data.sequence.items.start[i]);
		struct topo_ep tmp = { 0 };

		if (!item)
			return;
		/* Still read the extra endpoints of a bad link, for their errors. */
		topo_ep_parse(ld, item, i < 2 && n == 2 ? &l->ep[i] : &tmp);
		topo_ep_free(&tmp);
	}
	if (n == 2)
		l->nep = 2;
}

static void topo_link_type(struct topo_ld *ld, void *obj, yaml_node_t *key, yaml_node_t *val)
{
	struct topo_link *l = obj;
	const char *s = topo_str(ld, val, "type");

	(void)key;
	if (s && strcmp(s, "veth"))
		topo_err(ld, val, "link type \"%s\" is not supported by nslab (only veth)", s);
	if (!s || strcmp(s, "veth"))
		l->bad = true;
}

static void topo_link_mtu(struct topo_ld *ld, void *obj, yaml_node_t *key, yaml_node_t *val)
{
	struct topo_link *l = obj;

	(void)key;
	topo_mtu(ld, val, &l->mtu);
}

static const struct topo_keyword topo_link_keys[] = {
	{ "type", topo_link_type },
	{ "endpoints", topo_link_endpoints },
	{ "mtu", topo_link_mtu },
	{ "vars", topo_ignore },
	{ "labels", topo_ignore },
	{ "state", topo_imp_state, 0, offsetof(struct topo_link, imp) },
	TOPO_IMP_KEYS(struct topo_link),
};

static void topo_link_item(struct topo_ld *ld, void *obj, yaml_node_t *item)
{
	char saved[sizeof(ld->where)];
	struct topo_link *l;

	(void)obj;
	l = VEC_PUSH(ld->links, ld->nlinks);
	l->pos = topo_pos(ld, item);
	if (item->type != YAML_MAPPING_NODE) {
		topo_err(ld, item, "a link must be a map with endpoints, got %s", topo_type_name(item));
		l->bad = true;
		return;
	}
	topo_where_push(ld, saved, "the link at line %u", l->pos.line);
	topo_parse_map(ld, item, topo_link_keys, ARRAY_SIZE(topo_link_keys), l);
	topo_imp_finish(ld, &l->imp);
	TOPO_WHERE_RESTORE(ld, saved);
	if (!l->has_endpoints) {
		topo_err(ld, item, "link has no endpoints");
		l->bad = true;
	}
}

static void topo_set_links(struct topo_ld *ld, void *obj, yaml_node_t *key, yaml_node_t *val)
{
	(void)key;
	topo_list_each(ld, val, "links", topo_link_item, obj);
}

static const struct topo_keyword topo_topology_keys[] = {
	{ "defaults", topo_set_defaults }, { "kinds", topo_set_kinds }, { "groups", topo_set_groups },
	{ "nodes", topo_set_nodes },	   { "links", topo_set_links },
};

/* ---- top level ---- */

static void topo_set_name(struct topo_ld *ld, void *obj, yaml_node_t *key, yaml_node_t *val)
{
	const char *s = topo_str(ld, val, "name");

	(void)obj, (void)key;
	ld->has_name_key = true;
	if (!s)
		return;
	if (!nslab_name_valid(s)) {
		topo_err(ld, val, "invalid lab name \"%s\": 1-%d letters, digits, '_' or '-', not starting with '-'",
			 s, NSLAB_NAME_MAX);
		return;
	}
	free(ld->name);
	ld->name = xstrdup(s);
}

static void topo_set_topology(struct topo_ld *ld, void *obj, yaml_node_t *key, yaml_node_t *val)
{
	char saved[sizeof(ld->where)];

	(void)obj, (void)key;
	ld->has_topology_key = true;
	ld->topology_pos = topo_pos(ld, val);
	topo_where_push(ld, saved, "topology");
	topo_parse_map(ld, val, topo_topology_keys, ARRAY_SIZE(topo_topology_keys), ld);
	TOPO_WHERE_RESTORE(ld, saved);
	if (!ld->has_nodes_key && (val->type == YAML_MAPPING_NODE || topo_is_null(val)))
		topo_err(ld, val, "topology has no nodes");
}

static void topo_set_prefix(struct topo_ld *ld, void *obj, yaml_node_t *key, yaml_node_t *val)
{
	(void)obj, (void)val;
	topo_warn(ld, key, "prefix is ignored: nslab names nodes exactly as the file does");
}

static void topo_set_mgmt(struct topo_ld *ld, void *obj, yaml_node_t *key, yaml_node_t *val)
{
	(void)obj, (void)val;
	topo_warn(ld, key, "mgmt is ignored: nslab labs have no management network");
}

static const struct topo_keyword topo_top_keys[] = {
	{ "name", topo_set_name },
	{ "topology", topo_set_topology },
	{ "prefix", topo_set_prefix },
	{ "mgmt", topo_set_mgmt },
};

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

static ssize_t topo_node_index(const struct topo_ld *ld, const char *name)
{
	for (size_t i = 0; i < ld->nnodes; i++)
		if (!strcmp(ld->nodes[i].name, name))
			return (ssize_t)i;
	return -1;
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

static void topo_resolve_link(struct topo_ld *ld, struct nslab_topo *t, struct topo_nstate *st,
			      const struct topo_link *l)
{
	ssize_t ni[2] = { -1, -1 };
	bool ok = !l->bad && l->nep == 2;
	struct nslab_link *nl;

	for (size_t e = 0; e < l->nep; e++) {
		const struct topo_ep *ep = &l->ep[e];
		struct topo_nstate *s;
		ssize_t idx;

		if (ep->bad) {
			ok = false;
			continue;
		}
		idx = topo_node_index(ld, ep->node);
		if (idx < 0) {
			if (topo_is_host_endpoint(ep->node))
				topo_err_at(ld, &ep->node_pos,
					    "endpoint %s:%s: links to the host (host, mgmt-net, macvlan) are not supported by nslab",
					    ep->node, ep->ifname);
			else
				topo_err_at(ld, &ep->node_pos, "unknown node \"%s\" in link endpoint %s:%s", ep->node,
					    ep->node, ep->ifname);
			ok = false;
			continue;
		}
		s = &st[idx];
		if (s->bad_kind)
			topo_err_at(ld, &ep->pos, "endpoint %s:%s is on node %s, whose kind nslab does not support",
				    ep->node, ep->ifname, ep->node);
		if (s->bad_kind || s->no_kind)
			ok = false;
		if (!nslab_ifname_valid(ep->ifname)) {
			topo_err_at(ld, &ep->if_pos,
				    "invalid interface name \"%s\" in endpoint %s:%s: 1-15 bytes without '/', ':' or spaces",
				    ep->ifname, ep->node, ep->ifname);
			ok = false;
			continue;
		}
		if (!strcmp(ep->ifname, "lo")) {
			topo_err_at(ld, &ep->if_pos, "endpoint %s:lo: lo cannot be used in a link", ep->node);
			ok = false;
			continue;
		}
		if (t->nodes[idx].kind == NSLAB_KIND_BRIDGE && !s->bad_kind && !s->no_kind &&
		    !strcmp(ep->ifname, ep->node)) {
			topo_err_at(ld, &ep->if_pos, "endpoint %s:%s: a port of bridge %s cannot have its name",
				    ep->node, ep->ifname, ep->node);
			ok = false;
		}
		ni[e] = idx;
	}
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
	if (!ok)
		return;

	nl = VEC_PUSH(t->links, t->nlinks);
	nl->mtu = l->mtu;
	nl->pos = l->pos;
	VEC_PUSH(ld->lsrc, ld->nlsrc)->l = l;
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

static void topo_resolve(struct topo_ld *ld, struct nslab_topo *t)
{
	struct topo_nstate *st = xcalloc(ld->nnodes, sizeof(*st));

	t->name = steal_ptr(ld->name);
	t->nodes = xcalloc(ld->nnodes, sizeof(*t->nodes));
	t->nnodes = ld->nnodes;
	for (size_t i = 0; i < ld->nnodes; i++)
		topo_resolve_node(ld, &ld->nodes[i], &t->nodes[i], &st[i]);
	for (size_t i = 0; i < ld->nlinks; i++)
		topo_resolve_link(ld, t, st, &ld->links[i]);
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

/* ---- cleanup of the file's view ---- */

static void topo_kvs_free(struct nslab_kv *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].key);
		free(v[i].value);
	}
	free(v);
}

static void topo_settings_free(struct topo_settings *s)
{
	free(s->group);
	for (size_t i = 0; i < s->nexec; i++)
		free(s->exec[i]);
	free(s->exec);
	for (size_t i = 0; i < s->nbinds; i++) {
		free(s->binds[i].src);
		free(s->binds[i].dst);
	}
	free(s->binds);
	topo_kvs_free(s->env, s->nenv);
	topo_kvs_free(s->sysctls, s->nsysctls);
	topo_kvs_free(s->labels, s->nlabels);
	for (size_t i = 0; i < s->nroutes; i++)
		free(s->routes[i].r.dev);
	free(s->routes);
	for (size_t i = 0; i < s->nifaces; i++) {
		free(s->ifaces[i].name);
		free(s->ifaces[i].addrs);
	}
	free(s->ifaces);
	free(s->lim.l.cpuset);
}

static void topo_ld_free(struct topo_ld *ld)
{
	free(ld->name);
	topo_settings_free(&ld->defaults);
	for (int k = 0; k < NSLAB_KIND__COUNT; k++)
		topo_settings_free(&ld->kinds[k]);
	for (size_t i = 0; i < ld->ngroups; i++) {
		free(ld->groups[i].name);
		topo_settings_free(&ld->groups[i].s);
	}
	free(ld->groups);
	for (size_t i = 0; i < ld->nnodes; i++) {
		free(ld->nodes[i].name);
		topo_settings_free(&ld->nodes[i].s);
	}
	free(ld->nodes);
	for (size_t i = 0; i < ld->nlinks; i++)
		for (int e = 0; e < 2; e++)
			topo_ep_free(&ld->links[i].ep[e]);
	free(ld->links);
}

/* ---- entry points ---- */

struct topo_sort_item {
	struct nslab_diag diag;
	size_t idx;
};

static int topo_diag_cmp(const void *a, const void *b)
{
	const struct topo_sort_item *x = a, *y = b;

	if (x->diag.line != y->diag.line)
		return x->diag.line < y->diag.line ? -1 : 1;
	if (x->diag.col != y->diag.col)
		return x->diag.col < y->diag.col ? -1 : 1;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

/* Put the diagnostics of this load in file order (stable), as a person reads them. */
static void topo_sort_diags(struct nslab_diags *d, size_t start)
{
	size_t n = d->n - start;
	struct topo_sort_item *v;

	if (n < 2)
		return;
	v = xcalloc(n, sizeof(*v));
	for (size_t i = 0; i < n; i++) {
		v[i].diag = d->v[start + i];
		v[i].idx = i;
	}
	qsort(v, n, sizeof(*v), topo_diag_cmp);
	for (size_t i = 0; i < n; i++)
		d->v[start + i] = v[i].diag;
	free(v);
}

static void topo_yaml_error(struct topo_ld *ld, const yaml_parser_t *p)
{
	struct nslab_pos pos = { .file = ld->file };
	const char *problem = p->problem ? p->problem : "unknown problem";

	switch (p->error) {
	case YAML_MEMORY_ERROR:
		topo_err_at(ld, &pos, "YAML parser ran out of memory");
		return;
	case YAML_READER_ERROR:
		if (p->problem_value != -1)
			topo_err_at(ld, &pos, "YAML syntax error at byte %zu: %s (#%X)", p->problem_offset, problem,
				    (unsigned)p->problem_value);
		else
			topo_err_at(ld, &pos, "YAML syntax error at byte %zu: %s", p->problem_offset, problem);
		return;
	case YAML_NO_ERROR:
	case YAML_SCANNER_ERROR:
	case YAML_PARSER_ERROR:
	case YAML_COMPOSER_ERROR:
	case YAML_WRITER_ERROR:
	case YAML_EMITTER_ERROR:
		break;
	}
	pos.line = (unsigned)p->problem_mark.line + 1;
	pos.col = (unsigned)p->problem_mark.column + 1;
	if (p->context)
		topo_err_at(ld, &pos, "YAML syntax error: %s %s", p->context, problem);
	else
		topo_err_at(ld, &pos, "YAML syntax error: %s", problem);
}

/* Read the document into ld; false on a YAML syntax error (reported). */
static bool topo_read_yaml(struct topo_ld *ld, const char *buf, size_t len)
{
	yaml_parser_t parser;
	yaml_document_t doc;
	yaml_node_t *root;
	bool ok = true;

	if (!yaml_parser_initialize(&parser)) {
		topo_err_at(ld, &ld->root_pos, "YAML parser ran out of memory");
		return false;
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)buf, len);
	if (!yaml_parser_load(&parser, &doc)) {
		topo_yaml_error(ld, &parser);
		yaml_parser_delete(&parser);
		return false;
	}
	ld->doc = &doc;
	root = yaml_document_get_root_node(&doc);
	if (!root) {
		topo_err_at(ld, &ld->root_pos, "the file is empty: a topology needs name and topology");
		ok = false;
	} else if (root->type != YAML_MAPPING_NODE) {
		topo_err(ld, root, "the file must be a map with name and topology, got %s", topo_type_name(root));
		ok = false;
	} else {
		ld->root_pos = topo_pos(ld, root);
		snprintf(ld->where, sizeof(ld->where), "the top level");
		topo_parse_map(ld, root, topo_top_keys, ARRAY_SIZE(topo_top_keys), ld);
		if (!ld->has_name_key)
			topo_err(ld, root, "missing name (the lab's name)");
		if (!ld->has_topology_key)
			topo_err(ld, root, "missing topology");
	}
	yaml_document_delete(&doc);
	ld->doc = NULL;
	if (ok) {
		/* A second document is most likely a mistake: say so rather than drop it. */
		if (!yaml_parser_load(&parser, &doc)) {
			topo_yaml_error(ld, &parser);
		} else {
			root = yaml_document_get_root_node(&doc);
			if (root) {
				ld->doc = &doc;
				topo_err(ld, root, "a second YAML document: a topology file holds exactly one");
				ld->doc = NULL;
			}
			yaml_document_delete(&doc);
		}
	}
	yaml_parser_delete(&parser);
	return ok;
}

int nslab_topo_load_buf(const char *name, const char *buf, size_t len, struct nslab_topo **out,
			struct nslab_diags *diags)
{
	struct nslab_diags local = { 0 };
	struct nslab_diags *d = diags ? diags : &local;
	size_t start = d->n, start_errors = d->nerrors;
	struct nslab_topo *t;
	struct topo_ld ld;
	int ret = 0;

	if (out)
		*out = NULL;
	t = xcalloc(1, sizeof(*t));
	t->file = xstrdup(name ? name : "<input>");
	memset(&ld, 0, sizeof(ld));
	ld.d = d;
	ld.file = t->file;
	ld.budget = TOPO_BUDGET;
	ld.start_errors = start_errors;
	ld.root_pos = (struct nslab_pos){ .file = t->file, .line = 1, .col = 1 };
	topo_settings_init(&ld.defaults);
	for (int k = 0; k < NSLAB_KIND__COUNT; k++)
		topo_settings_init(&ld.kinds[k]);

	/* Resolve even after errors: reference errors belong to the same single pass. */
	if (topo_read_yaml(&ld, buf ? buf : "", buf ? len : 0))
		topo_resolve(&ld, t);
	topo_ld_free(&ld);
	topo_sort_diags(d, start);

	if (d->nerrors != start_errors || !out) {
		ret = d->nerrors != start_errors ? -EINVAL : 0;
		nslab_topo_free(t);
	} else {
		*out = t;
	}
	if (!diags)
		nslab_diags_free(&local);
	return ret;
}

int nslab_topo_load_file(const char *path, struct nslab_topo **out, struct nslab_diags *diags)
{
	_cleanup_free_ char *buf = NULL;
	size_t len = 0;
	int ret;

	if (out)
		*out = NULL;
	ret = nslab_read_file(path, &buf, &len);
	if (ret < 0) {
		struct nslab_pos pos = { .file = path };

		nslab_diag_add(diags, NSLAB_DIAG_ERROR, &pos, "cannot read topology file %s: %s", path,
			       strerror(-ret));
		return ret;
	}
	return nslab_topo_load_buf(path, buf, len, out, diags);
}
