// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * topologies/nsbridge.c: containerlab's namespaced bridges. A node named `BR|NODE` of kind bridge
 * with network-mode container:NODE is a bridge BR made inside NODE's network namespace (a
 * "backplane" no other namespace sees), not a container: the model has no node for it. Its links'
 * ends become NODE's interfaces, enslaved to BR, which joins NODE's bridge devices.
 */
#include <string.h>

#include "topologies/loader.h"
#include "util/util.h"

const char *topo_nsbridge_parent(const char *name)
{
	const char *bar = strchr(name, '|');
	char br[NSLAB_NAME_MAX + 1];

	if (!bar || (size_t)(bar - name) > NSLAB_NAME_MAX || !nslab_name_valid(bar + 1))
		return NULL;
	memcpy(br, name, (size_t)(bar - name));
	br[bar - name] = '\0';
	return nslab_name_valid(br) ? bar + 1 : NULL;
}

/* Is name taken in node p, by an interface or a bridge device? */
static bool name_taken(const struct nslab_node *p, const char *name)
{
	if (!strcmp(name, "lo"))
		return true;
	for (size_t i = 0; i < p->nifaces; i++)
		if (!strcmp(p->ifaces[i].name, name))
			return true;
	for (size_t i = 0; i < p->nbridges; i++)
		if (!strcmp(p->bridges[i].name, name))
			return true;
	for (size_t i = 0; i < p->nhostlinks; i++)
		if (!strcmp(p->hostlinks[i].ifname, name))
			return true;
	return false;
}

/* What a namespaced bridge cannot have: it is a device in NODE, with no namespace of its own. */
static bool fold_check(struct topo_ld *ld, const struct nslab_node *b, const struct nslab_node *p)
{
	bool ok = true;

	for (size_t i = 0; i < b->nifaces; i++)
		if (b->ifaces[i].link < 0 || b->ifaces[i].naddrs) {
			topo_err_at(ld, &b->ifaces[i].pos,
				    "bridge %s is a device inside node %s: its interface %s can have no addresses (put "
				    "them on %s, or on the bridge with %s's exec)",
				    b->name, p->name, b->ifaces[i].name, p->name, p->name);
			ok = false;
		}
	if (b->nhostlinks || b->mgmt4_static || b->mgmt6_static) {
		topo_err_at(ld, &b->pos,
			    "bridge %s is a device inside node %s: it can have no host, mgmt-net or management "
			    "addresses of its own",
			    b->name, p->name);
		ok = false;
	}
	if (b->nexec || b->nroutes)
		topo_diag_at(ld, NSLAB_DIAG_WARNING, &b->pos,
			     "bridge %s is a device inside node %s: its exec and routes are ignored (give them to %s)",
			     b->name, p->name, p->name);
	return ok;
}

/* Bridge node f into its namespace's node: a bridge device, its ports that node's interfaces. */
static void fold_one(struct topo_ld *ld, struct nslab_topo *t, size_t f)
{
	struct nslab_node *b = &t->nodes[f], *p = &t->nodes[b->netns_of];
	const char *bar = strchr(b->name, '|');
	_cleanup_free_ char *brname = xstrndup(b->name, (size_t)(bar - b->name));
	struct nslab_brdev *dev;
	int br_ifindex;

	if (!fold_check(ld, b, p))
		return;
	if (name_taken(p, brname)) {
		topo_err_at(ld, &b->pos, "bridge %s: node %s already has an interface or bridge named %s", b->name,
			    p->name, brname);
		return;
	}
	br_ifindex = nslab_node_top_ifindex(p) + 1;
	dev = VEC_PUSH(p->bridges, p->nbridges);
	dev->name = steal_ptr(brname);
	dev->ifindex = br_ifindex;
	dev->from = xstrdup(b->name);
	dev->pos = b->pos;
	for (size_t k = 0; k < b->nifaces; k++) {
		struct nslab_iface *port = &b->ifaces[k], *ni;

		if (name_taken(p, port->name)) {
			topo_err_at(ld, &port->pos,
				    "endpoint %s:%s: the port is made inside node %s, which already has an interface "
				    "or bridge named %s",
				    b->name, port->name, p->name, port->name);
			continue;
		}
		ni = VEC_PUSH(p->ifaces, p->nifaces);
		*ni = *port;
		ni->ifindex = nslab_node_top_ifindex(p) + 1;
		ni->master = br_ifindex;
		port->name = NULL;
		port->addrs = NULL;
		t->links[ni->link].ep[ni->end] = (struct nslab_endpoint){ b->netns_of, p->nifaces - 1 };
	}
}

void topo_nsbridges_fold(struct topo_ld *ld, struct nslab_topo *t)
{
	size_t *to, j = 0, folded = 0;

	for (size_t i = 0; i < t->nnodes; i++)
		if (t->nodes[i].kind == NSLAB_KIND_BRIDGE && t->nodes[i].shares_netns) {
			fold_one(ld, t, i);
			folded++;
		}
	if (!folded || ld->d->nerrors != ld->start_errors) /* an erroneous model is only freed */
		return;
	/* the folded nodes leave; every node index the model holds moves down */
	to = xcalloc(t->nnodes, sizeof(*to));
	for (size_t i = 0; i < t->nnodes; i++) {
		to[i] = j;
		if (t->nodes[i].kind == NSLAB_KIND_BRIDGE && t->nodes[i].shares_netns)
			nslab_node_free(&t->nodes[i]);
		else
			t->nodes[j++] = t->nodes[i];
	}
	t->nnodes = j;
	for (size_t i = 0; i < t->nnodes; i++)
		if (t->nodes[i].shares_netns)
			t->nodes[i].netns_of = to[t->nodes[i].netns_of];
	for (size_t l = 0; l < t->nlinks; l++)
		for (int e = 0; e < 2; e++)
			t->links[l].ep[e].node = to[t->links[l].ep[e].node];
	free(to);
}
