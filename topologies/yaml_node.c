// SPDX-License-Identifier: GPL-2.0-or-later
/* topologies/yaml_node.c: the YAML key tables of node settings (defaults, kinds, groups, nodes): kind, group, exec, binds, env, labels, sysctls, routes, interfaces, and the Docker-only keys accepted and ignored. */
#include "topologies/loader.h"
#include "topologies/paths.h"

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
		topo_err(ld, key, "invalid interface name \"%s\": 1-15 bytes without '/', ':', '%%' or spaces", kname);
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
	if (k < 0) { /* reported once per name, where a node uses it (resolve.c) */
		free(s->kind_name);
		s->kind_name = xstrdup(v);
		return;
	}
	topo_kind_note(ld, val, v);
	s->kind = k;
}

/* A group: naming no groups: entry is a label (containerlab); an empty one is no group. */
static void topo_set_group(struct topo_ld *ld, void *obj, yaml_node_t *key, yaml_node_t *val)
{
	struct topo_settings *s = obj;
	const char *v;

	(void)key;
	free(s->group);
	s->group = NULL;
	s->has_group = true;
	s->group_pos = topo_pos(ld, val);
	if (topo_is_null(val))
		return;
	v = topo_str(ld, val, "group");
	if (v && *v)
		s->group = xstrdup(v);
}

/* network-mode: container:NODE shares NODE's network namespace; host and none are Docker's, and
 * nslab keeps the node in its own namespace (a warning); bridge is what a node has anyway. */
static void topo_set_netmode(struct topo_ld *ld, void *obj, yaml_node_t *key, yaml_node_t *val)
{
	struct topo_settings *s = obj;
	const char *v = topo_str(ld, val, "network-mode");

	(void)key;
	if (!v)
		return;
	free(s->netmode);
	s->netmode = NULL;
	if (!strncmp(v, "container:", 10)) {
		if (!v[10]) {
			topo_err(ld, val, "network-mode container: names no node (container:NODE)");
			return;
		}
		s->netmode = xstrdup(v + 10);
		s->netmode_pos = topo_pos(ld, val);
	} else if (strcmp(v, "bridge")) {
		topo_warn(ld, val,
			  "network-mode %s is ignored on %s: an nslab node keeps its own network namespace (only "
			  "container:NODE is honoured)",
			  v, ld->where);
	}
}

/* mgmt-ipv4 / mgmt-ipv6: the node's address on the management network (an address, no /len) */
static void topo_set_mgmt_addr(struct topo_ld *ld, struct topo_settings *s, yaml_node_t *val, int family)
{
	const char *v = topo_str(ld, val, family == AF_INET ? "mgmt-ipv4" : "mgmt-ipv6");
	struct topo_addr *a = family == AF_INET ? &s->mgmt4 : &s->mgmt6;
	bool *has = family == AF_INET ? &s->has_mgmt4 : &s->has_mgmt6;

	if (!v)
		return;
	if (nslab_addr_parse(v, &a->p) < 0 || a->p.family != family) {
		topo_err(ld, val, "bad %s \"%s\": expected an %s address without /len",
			 family == AF_INET ? "mgmt-ipv4" : "mgmt-ipv6", v, family == AF_INET ? "IPv4" : "IPv6");
		return;
	}
	a->pos = topo_pos(ld, val);
	*has = true;
}

static void topo_set_mgmt4(struct topo_ld *ld, void *obj, yaml_node_t *key, yaml_node_t *val)
{
	(void)key;
	topo_set_mgmt_addr(ld, obj, val, AF_INET);
}

static void topo_set_mgmt6(struct topo_ld *ld, void *obj, yaml_node_t *key, yaml_node_t *val)
{
	(void)key;
	topo_set_mgmt_addr(ld, obj, val, AF_INET6);
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

/* "host-path:node-path[:ro|:rw]", the node path absolute. */
static void topo_bind_item(struct topo_ld *ld, void *obj, yaml_node_t *item)
{
	struct topo_settings *s = obj;
	const char *raw = topo_str(ld, item, "a bind"), *why = NULL, *c1, *c2;
	/* variables, ~ and a relative host path resolved as containerlab does (topologies/paths.h) */
	_cleanup_free_ char *v = raw ? nslab_path_bind(raw, ld->file, nslab_path_env_process(), &why) : NULL;
	_cleanup_free_ char *src = NULL, *dst = NULL;
	struct nslab_bind *b;
	bool ro = false;

	if (raw && !v)
		topo_err(ld, item, "bad bind \"%s\": %s", raw, why);
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
	if (dst[0] != '/') {
		topo_err(ld, item, "bad bind \"%s\": the node path must be absolute", raw);
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
	/* deploy writes /proc/sys/ + the key with dots made slashes: a '/' or an empty part would
	 * name another file (or none) */
	if (strchr(kname, '/') || strstr(kname, "..") || kname[strlen(kname) - 1] == '.') {
		topo_err(ld, key, "bad sysctl key \"%s\": write it with dots and no empty part (net.ipv4.ip_forward)",
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

/* image, cmd and entrypoint: a string each, the nearest level's wins */
static void topo_set_str(struct topo_ld *ld, yaml_node_t *val, const char *what, char **slot)
{
	const char *v = topo_str(ld, val, what);

	if (!v)
		return;
	free(*slot);
	*slot = xstrdup(v);
}

static void topo_set_image(struct topo_ld *ld, void *obj, yaml_node_t *key, yaml_node_t *val)
{
	(void)key;
	topo_set_str(ld, val, "image", &((struct topo_settings *)obj)->image);
}

static void topo_set_cmd(struct topo_ld *ld, void *obj, yaml_node_t *key, yaml_node_t *val)
{
	(void)key;
	topo_set_str(ld, val, "cmd", &((struct topo_settings *)obj)->cmd);
}

static void topo_set_entrypoint(struct topo_ld *ld, void *obj, yaml_node_t *key, yaml_node_t *val)
{
	(void)key;
	topo_set_str(ld, val, "entrypoint", &((struct topo_settings *)obj)->entrypoint);
}

static void topo_set_docker(struct topo_ld *ld, void *obj, yaml_node_t *key, yaml_node_t *val)
{
	(void)obj, (void)val;
	topo_warn(ld, key, "%s is ignored on %s: it only applies to containers, and nslab nodes run on the host's filesystem",
		  (const char *)key->data.scalar.value, ld->where);
}

#define TOPO_DOCKER(k) { k, topo_set_docker, TOPO_LV_ALL }
static const struct topo_keyword topo_settings_keys[] = {
	{ "kind", topo_set_kind, TOPO_LV_DEFAULTS | TOPO_LV_GROUP | TOPO_LV_NODE },
	{ "group", topo_set_group, TOPO_LV_DEFAULTS | TOPO_LV_KIND | TOPO_LV_NODE },
	{ "network-mode", topo_set_netmode, TOPO_LV_ALL },
	{ "mgmt-ipv4", topo_set_mgmt4, TOPO_LV_NODE },
	{ "mgmt-ipv6", topo_set_mgmt6, TOPO_LV_NODE },
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
	{ "image", topo_set_image, TOPO_LV_ALL },
	{ "cmd", topo_set_cmd, TOPO_LV_ALL },
	{ "entrypoint", topo_set_entrypoint, TOPO_LV_ALL },
	TOPO_DOCKER("image-pull-policy"),
	TOPO_DOCKER("ports"),
	TOPO_DOCKER("cgroup-parent"),
	TOPO_DOCKER("env-files"),
	TOPO_DOCKER("user"),
	TOPO_DOCKER("restart-policy"),
	TOPO_DOCKER("license"),
	{ "startup-config", topo_set_startup_config, TOPO_LV_ALL },
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

void topo_parse_settings(struct topo_ld *ld, yaml_node_t *n, struct topo_settings *s)
{
	topo_parse_map(ld, n, topo_settings_keys, ARRAY_SIZE(topo_settings_keys), s);
}
