// SPDX-License-Identifier: GPL-2.0-or-later
/* topologies/yaml_addressing.c: the top-level `addressing:` and `routing:` keys, and their application to the resolved model (topologies/addressing.h, topologies/routing.h). */
#include "topologies/addressing.h"
#include "topologies/loader.h"
#include "topologies/routing.h"

#include <sys/socket.h>

struct topo_pool_key {
	const char *name;
	int family;
	unsigned dflt;
	size_t off;
};

static const struct topo_pool_key topo_pool_keys[] = {
	{ "p2p", AF_INET, 30, offsetof(struct nslab_addressing, p2p) },
	{ "lan", AF_INET, 24, offsetof(struct nslab_addressing, lan) },
	{ "loopback", AF_INET, 32, offsetof(struct nslab_addressing, loopback) },
	{ "ipv6", AF_INET6, 64, offsetof(struct nslab_addressing, ipv6) },
};

static void topo_addressing_pair(struct topo_ld *ld, void *obj, yaml_node_t *key, const char *kname, yaml_node_t *val)
{
	struct nslab_addressing *a = obj;

	for (size_t i = 0; i < ARRAY_SIZE(topo_pool_keys); i++) {
		const struct topo_pool_key *pk = &topo_pool_keys[i];
		const char *s, *why = NULL;
		if (strcmp(kname, pk->name))
			continue;
		s = topo_str(ld, val, pk->name);
		if (s && nslab_pool_parse(s, pk->family, pk->dflt, (struct nslab_pool *)((char *)a + pk->off), &why) < 0)
			topo_err(ld, val, "bad addressing.%s \"%s\": %s", pk->name, s, why);
		return;
	}
	topo_err(ld, key, "unknown key \"%s\" in addressing (p2p, lan, loopback, ipv6)", kname);
}

/* `addressing: auto` (every default), or a map of pools overriding the defaults. */
void topo_set_addressing(struct topo_ld *ld, void *obj, yaml_node_t *key, yaml_node_t *val)
{
	(void)obj, (void)key;
	nslab_addressing_defaults(&ld->addressing);
	ld->addressing.pos = topo_pos(ld, val);
	if (val->type == YAML_SCALAR_NODE && !strcmp((const char *)val->data.scalar.value, "auto"))
		return;
	if (val->type != YAML_MAPPING_NODE) {
		topo_err(ld, val, "addressing must be auto or a map of pools (p2p, lan, loopback, ipv6), got %s",
			 topo_type_name(val));
		ld->addressing.on = false;
		return;
	}
	topo_map_each(ld, val, "addressing", "addressing key", topo_addressing_pair, &ld->addressing);
}

void topo_set_routing(struct topo_ld *ld, void *obj, yaml_node_t *key, yaml_node_t *val)
{
	const char *s = topo_str(ld, val, "routing");

	(void)obj, (void)key;
	if (!s)
		return;
	ld->addressing.routing_pos = topo_pos(ld, val);
	if (nslab_routing_parse(s, &ld->addressing.routing) < 0)
		topo_err(ld, val, "bad routing \"%s\": static, rip, ospf, bgp or none", s);
}

void topo_addressing_finish(struct topo_ld *ld, struct nslab_topo *t)
{
	_cleanup_free_ char *why = NULL;

	if (ld->d->nerrors != ld->start_errors)
		return;
	if (nslab_addressing_apply(t, &ld->addressing, &why) < 0) {
		topo_err_at(ld, &ld->addressing.pos, "%s", why);
		return;
	}
	if (ld->addressing.routing != NSLAB_ROUTING_NONE &&
	    nslab_routing_apply(t, ld->addressing.routing, &why) < 0)
		topo_err_at(ld, &ld->addressing.routing_pos, "%s", why);
}
