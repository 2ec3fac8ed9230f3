// SPDX-License-Identifier: GPL-2.0-or-later
/* topologies/model.c: freeing the lab model that the loader builds. */
#include "topologies/model.h"
#include "util/util.h"

static void nslab_kvs_free(struct nslab_kv *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].key);
		free(v[i].value);
	}
	free(v);
}

void nslab_node_free(struct nslab_node *n)
{
	free(n->name);
	free(n->group);
	free(n->image);
	free(n->cmd);
	free(n->entrypoint);
	for (size_t i = 0; i < n->nexec; i++)
		free(n->exec[i]);
	free(n->exec);
	for (size_t i = 0; i < n->nbinds; i++) {
		free(n->binds[i].src);
		free(n->binds[i].dst);
	}
	free(n->binds);
	nslab_kvs_free(n->env, n->nenv);
	nslab_kvs_free(n->sysctls, n->nsysctls);
	nslab_kvs_free(n->labels, n->nlabels);
	for (size_t i = 0; i < n->nroutes; i++)
		free(n->routes[i].dev);
	free(n->routes);
	for (size_t i = 0; i < n->nifaces; i++) {
		free(n->ifaces[i].name);
		free(n->ifaces[i].addrs);
	}
	free(n->ifaces);
	for (size_t i = 0; i < n->nbridges; i++) {
		free(n->bridges[i].name);
		free(n->bridges[i].from);
	}
	free(n->bridges);
	free(n->limits.cpuset);
	free(n->root_copy);
	free(n->startup_config);
	free(n->startup_config_from);
	for (size_t i = 0; i < n->nshutdown; i++)
		free(n->shutdown[i]);
	free(n->shutdown);
	for (size_t i = 0; i < n->nhostlinks; i++) {
		free(n->hostlinks[i].ifname);
		free(n->hostlinks[i].host_ifname);
		free(n->hostlinks[i].addrs);
	}
	free(n->hostlinks);
}

const struct nslab_brdev *nslab_node_bridge(const struct nslab_node *n, int ifindex)
{
	for (size_t i = 0; ifindex && i < n->nbridges; i++)
		if (n->bridges[i].ifindex == ifindex)
			return &n->bridges[i];
	return NULL;
}

int nslab_node_top_ifindex(const struct nslab_node *n)
{
	int top = NSLAB_IFINDEX_LO;

	if (n->br_ifindex > top)
		top = n->br_ifindex;
	for (size_t i = 0; i < n->nbridges; i++)
		if (n->bridges[i].ifindex > top)
			top = n->bridges[i].ifindex;
	for (size_t i = 0; i < n->nifaces; i++)
		if (n->ifaces[i].ifindex > top)
			top = n->ifaces[i].ifindex;
	return top;
}

void nslab_topo_distinct_link_ifindexes(struct nslab_topo *t)
{
	for (size_t l = 0; l < t->nlinks; l++) {
		const struct nslab_endpoint *e0 = &t->links[l].ep[0], *e1 = &t->links[l].ep[1];
		struct nslab_node *n1 = &t->nodes[e1->node];

		if (t->nodes[e0->node].ifaces[e0->iface].ifindex != n1->ifaces[e1->iface].ifindex)
			continue;
		n1->ifaces[e1->iface].ifindex = nslab_node_top_ifindex(n1) + 1;
	}
}

/* A bridge node's own device, and its link ends enslaved to it. */
static void node_own_bridge(struct nslab_node *n)
{
	struct nslab_brdev *b;

	if (n->kind != NSLAB_KIND_BRIDGE || n->nbridges || !n->br_ifindex)
		return;
	b = VEC_PUSH(n->bridges, n->nbridges);
	b->name = xstrdup(n->name);
	b->ifindex = n->br_ifindex;
	b->pos = n->pos;
	for (size_t i = 0; i < n->nifaces; i++)
		if (n->ifaces[i].link >= 0)
			n->ifaces[i].master = n->br_ifindex;
}

void nslab_topo_finish(struct nslab_topo *t)
{
	for (size_t i = 0; i < t->nnodes; i++)
		node_own_bridge(&t->nodes[i]);
	nslab_topo_distinct_link_ifindexes(t);
}

void nslab_topo_free(struct nslab_topo *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->nnodes; i++)
		nslab_node_free(&t->nodes[i]);
	free(t->nodes);
	free(t->links);
	free(t->name);
	free(t->file);
	free(t->lab_folder);
	free(t);
}
