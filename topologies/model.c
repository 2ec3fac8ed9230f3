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

static void nslab_node_free(struct nslab_node *n)
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

void nslab_topo_distinct_link_ifindexes(struct nslab_topo *t)
{
	for (size_t l = 0; l < t->nlinks; l++) {
		const struct nslab_endpoint *e0 = &t->links[l].ep[0], *e1 = &t->links[l].ep[1];
		struct nslab_node *n1 = &t->nodes[e1->node];
		int top = n1->br_ifindex;

		if (t->nodes[e0->node].ifaces[e0->iface].ifindex != n1->ifaces[e1->iface].ifindex)
			continue;
		for (size_t i = 0; i < n1->nifaces; i++)
			if (n1->ifaces[i].ifindex > top)
				top = n1->ifaces[i].ifindex;
		n1->ifaces[e1->iface].ifindex = top + 1;
	}
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
