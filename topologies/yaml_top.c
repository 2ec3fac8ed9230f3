// SPDX-License-Identifier: GPL-2.0-or-later
/* topologies/yaml_top.c: the YAML key tables of the top level (name, prefix, mgmt, topology) and of topology (defaults, kinds, groups, nodes, links). */
#include "topologies/loader.h"
#include "topologies/paths.h"

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
	struct topo_settings *s;

	(void)obj;
	if (k < 0) { /* an error only where a node uses it (resolve.c); kept for the warning */
		struct topo_named *e = TOPO_PUSH(ld->vkinds, ld->nvkinds);

		e->name = xstrdup(kname);
		e->pos = topo_pos(ld, key);
		topo_settings_init(&e->s);
		return;
	}
	topo_kind_note(ld, key, kname);
	ld->has_kind[k] = true;
	s = &ld->kinds[k];
	topo_where_push(ld, saved, "kind %s", kname);
	ld->level = TOPO_LV_KIND;
	topo_parse_settings(ld, val, s);
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

	e = TOPO_PUSH(*v, *n);
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
	if (!nslab_name_valid(kname) && !topo_nsbridge_parent(kname)) /* BR|NODE: topologies/nsbridge.c */
		topo_err(ld, key,
			 "invalid node name \"%s\": 1-%d letters, digits, '_' or '-', not starting with '-' (or "
			 "BRIDGE|NODE for a bridge inside NODE)",
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

/* ---- mgmt: the management network (core/mgmt.c) ---- */

static void topo_mgmt_subnet(struct topo_ld *ld, yaml_node_t *val, int family)
{
	const char *what = family == AF_INET ? "ipv4-subnet" : "ipv6-subnet";
	const char *v = topo_str(ld, val, what);
	struct nslab_prefix p;

	if (!v)
		return;
	if (nslab_prefix_parse(v, &p) < 0 || p.family != family || !strchr(v, '/') ||
	    p.plen > (family == AF_INET ? 30 : 126)) {
		topo_err(ld, val, "bad mgmt %s \"%s\": expected an %s subnet like %s", what, v,
			 family == AF_INET ? "IPv4" : "IPv6", family == AF_INET ? NSLAB_MGMT_DEFAULT4 : NSLAB_MGMT_DEFAULT6);
		return;
	}
	*(family == AF_INET ? &ld->mgmt.net4 : &ld->mgmt.net6) = p;
	*(family == AF_INET ? &ld->mgmt.has4 : &ld->mgmt.has6) = true;
}

static void topo_mgmt_gw(struct topo_ld *ld, yaml_node_t *val, int family)
{
	const char *what = family == AF_INET ? "ipv4-gw" : "ipv6-gw";
	const char *v = topo_str(ld, val, what);
	struct nslab_prefix p;

	if (!v)
		return;
	if (nslab_addr_parse(v, &p) < 0 || p.family != family) {
		topo_err(ld, val, "bad mgmt %s \"%s\": expected an %s address", what, v, family == AF_INET ? "IPv4" : "IPv6");
		return;
	}
	*(family == AF_INET ? &ld->mgmt.gw4 : &ld->mgmt.gw6) = p;
	*(family == AF_INET ? &ld->mgmt_gw4 : &ld->mgmt_gw6) = true;
}

static void topo_mgmt_key(struct topo_ld *ld, void *obj, yaml_node_t *key, yaml_node_t *val)
{
	const char *k = (const char *)key->data.scalar.value;

	(void)obj;
	if (!strcmp(k, "ipv4-subnet") || !strcmp(k, "ipv6-subnet"))
		topo_mgmt_subnet(ld, val, k[3] == '4' ? AF_INET : AF_INET6);
	else if (!strcmp(k, "ipv4-gw") || !strcmp(k, "ipv6-gw"))
		topo_mgmt_gw(ld, val, k[3] == '4' ? AF_INET : AF_INET6);
	else if (!strcmp(k, "mtu"))
		topo_mtu(ld, val, &ld->mgmt.mtu);
	else if (!strcmp(k, "network"))
		(void)topo_str(ld, val, "mgmt network"); /* Docker's name for it: the lab's bridge is nslab's */
	else
		topo_warn(ld, key,
			  "mgmt %s is ignored: nslab makes its own management bridge and never changes the host's "
			  "routes or firewall",
			  k);
}

static const struct topo_keyword topo_mgmt_keys[] = {
	{ "network", topo_mgmt_key },	  { "ipv4-subnet", topo_mgmt_key },  { "ipv6-subnet", topo_mgmt_key },
	{ "ipv4-gw", topo_mgmt_key },	  { "ipv6-gw", topo_mgmt_key },	     { "mtu", topo_mgmt_key },
	{ "bridge", topo_mgmt_key },	  { "ipv4-range", topo_mgmt_key },   { "ipv6-range", topo_mgmt_key },
	{ "external-access", topo_mgmt_key }, { "driver-opts", topo_mgmt_key },
};

static void topo_set_mgmt(struct topo_ld *ld, void *obj, yaml_node_t *key, yaml_node_t *val)
{
	char saved[sizeof(ld->where)];

	(void)obj;
	ld->mgmt.on = true;
	ld->mgmt.pos = topo_pos(ld, key);
	topo_where_push(ld, saved, "mgmt");
	topo_parse_map(ld, val, topo_mgmt_keys, ARRAY_SIZE(topo_mgmt_keys), ld);
	TOPO_WHERE_RESTORE(ld, saved);
}

static void topo_set_lab_folder(struct topo_ld *ld, void *obj, yaml_node_t *key, yaml_node_t *val)
{
	const char *s = topo_str(ld, val, "lab-folder"), *why = NULL;

	(void)obj, (void)key;
	free(ld->lab_folder);
	ld->lab_folder = s ? nslab_path_host(s, ld->file, nslab_path_env_process(), &why) : NULL;
	if (s && !ld->lab_folder)
		topo_err(ld, val, "bad lab-folder \"%s\": %s", s, why);
}

static const struct topo_keyword topo_top_keys[] = {
	{ "name", topo_set_name },
	{ "topology", topo_set_topology },
	{ "prefix", topo_set_prefix },
	{ "mgmt", topo_set_mgmt },
	{ "lab-folder", topo_set_lab_folder },
	{ "addressing", topo_set_addressing },
	{ "routing", topo_set_routing },
};

void topo_parse_top(struct topo_ld *ld, yaml_node_t *root)
{
	topo_parse_map(ld, root, topo_top_keys, ARRAY_SIZE(topo_top_keys), ld);
}
