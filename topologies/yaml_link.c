// SPDX-License-Identifier: GPL-2.0-or-later
/* topologies/yaml_link.c: the YAML key tables of links: brief and extended endpoints, a link's and an end's impairments (through the parameter table of topologies/impair.h) and state. */
#include "topologies/loader.h"

/* ---- impairments: links, endpoints and interfaces entries ---- */

/*
 * Any key of the parameter table (topologies/impair.h), by name or alias, through its one parser.
 * lo gets none, and the first key places whole-set messages.
 */
void topo_imp_set(struct topo_ld *ld, void *obj, yaml_node_t *key, yaml_node_t *val)
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

/*
 * Checks within one map, once it is read: a companion key needs its base in the same map, since
 * merging carries a correlation or a distribution with its base value (nslab_impair_merge).
 */
void topo_imp_finish(struct topo_ld *ld, struct topo_imp *ti)
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

void topo_ep_free(struct topo_ep *ep)
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

static const struct {
	const char *name;
	int type; /* enum topo_link_type, or -1: not supported, with why */
	const char *why;
} topo_link_types[] = {
	{ "veth", TOPO_LINK_VETH, NULL },
	{ "host", TOPO_LINK_HOST, NULL },
	{ "mgmt-net", TOPO_LINK_MGMT_NET, NULL },
	{ "dummy", TOPO_LINK_DUMMY, NULL },
	{ "macvlan", -1, "a macvlan on a host NIC puts the lab on the host's own network" },
	{ "macvtap", -1, "a macvtap on a host NIC puts the lab on the host's own network" },
	{ "vxlan", -1, "a VXLAN tunnel to a remote host leaves the machine" },
	{ "vxlan-stitch", -1, "a VXLAN tunnel to a remote host leaves the machine" },
};

static void topo_link_type(struct topo_ld *ld, void *obj, yaml_node_t *key, yaml_node_t *val)
{
	struct topo_link *l = obj;
	const char *s = topo_str(ld, val, "type");

	(void)key;
	l->type_pos = topo_pos(ld, val);
	if (!s) {
		l->bad = true;
		return;
	}
	for (size_t i = 0; i < ARRAY_SIZE(topo_link_types); i++) {
		if (strcmp(s, topo_link_types[i].name))
			continue;
		if (topo_link_types[i].type >= 0) {
			l->type = (enum topo_link_type)topo_link_types[i].type;
			return;
		}
		topo_err(ld, val, "link type \"%s\" is not supported by nslab: %s", s, topo_link_types[i].why);
		l->bad = true;
		return;
	}
	topo_err(ld, val, "link type \"%s\" is not supported by nslab (veth, host, mgmt-net, dummy)", s);
	l->bad = true;
}

static void topo_link_endpoint(struct topo_ld *ld, void *obj, yaml_node_t *key, yaml_node_t *val)
{
	struct topo_link *l = obj;

	(void)key;
	l->has_endpoint = true;
	topo_ep_parse(ld, val, &l->ep[0]);
}

static void topo_link_host_if(struct topo_ld *ld, void *obj, yaml_node_t *key, yaml_node_t *val)
{
	struct topo_link *l = obj;
	const char *s = topo_str(ld, val, "host-interface");

	(void)key;
	l->host_if_pos = topo_pos(ld, val);
	free(l->host_ifname);
	l->host_ifname = s ? xstrdup(s) : NULL;
	if (!s)
		l->bad = true;
}

/* A host, mgmt-net or dummy link (endpoint:, host-interface:) as the endpoints its brief form has. */
static void topo_link_single(struct topo_ld *ld, struct topo_link *l, yaml_node_t *item)
{
	bool host = l->type == TOPO_LINK_HOST || l->type == TOPO_LINK_MGMT_NET;

	if (l->has_endpoints || !l->has_endpoint) {
		topo_err(ld, item, "a link of this type has one endpoint: (and %s), not endpoints:",
			 host ? "host-interface:" : "nothing else");
		l->bad = true;
		return;
	}
	if (host && !l->host_ifname) {
		topo_err(ld, item, "a %s link needs host-interface: (the name of its end on the host)",
			 l->type == TOPO_LINK_HOST ? "host" : "mgmt-net");
		l->bad = true;
		return;
	}
	l->has_endpoints = true;
	if (!host) {
		l->nep = 1;
		return;
	}
	l->ep[1].node = xstrdup(l->type == TOPO_LINK_HOST ? "host" : "mgmt-net");
	l->ep[1].ifname = steal_ptr(l->host_ifname);
	l->ep[1].pos = l->ep[1].node_pos = l->ep[1].if_pos = l->host_if_pos;
	l->nep = 2;
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
	{ "endpoint", topo_link_endpoint },
	{ "host-interface", topo_link_host_if },
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
	l = TOPO_PUSH(ld->links, ld->nlinks);
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
	if (!l->bad && l->type != TOPO_LINK_VETH)
		topo_link_single(ld, l, item);
	else if (l->has_endpoint && !l->bad) {
		topo_err(ld, item, "endpoint: is for host, mgmt-net and dummy links: a veth link has endpoints:");
		l->bad = true;
	}
	if (!l->has_endpoints && !l->bad) {
		topo_err(ld, item, "link has no endpoints");
		l->bad = true;
	}
}

void topo_set_links(struct topo_ld *ld, void *obj, yaml_node_t *key, yaml_node_t *val)
{
	(void)key;
	topo_list_each(ld, val, "links", topo_link_item, obj);
}
