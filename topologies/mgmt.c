// SPDX-License-Identifier: GPL-2.0-or-later
/* topologies/mgmt.c: the management network's addresses (containerlab's `mgmt:`): subnets, gateways and each node's eth0 address, chosen before anything is made. Pure. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "topologies/model.h"
#include "util/util.h"

static size_t mg_alen(int family)
{
	return family == AF_INET ? 4 : 16;
}

/* p's network: host bits cleared */
static void mg_network(struct nslab_prefix *p)
{
	for (size_t i = 0; i < mg_alen(p->family); i++) {
		unsigned keep = p->plen >= (i + 1) * 8 ? 8 : p->plen > i * 8 ? p->plen - i * 8 : 0;
		p->addr[i] &= (unsigned char)(0xff00u >> keep);
	}
}

static bool mg_contains(const struct nslab_prefix *net, const struct nslab_prefix *a)
{
	struct nslab_prefix x = *a;

	if (a->family != net->family)
		return false;
	x.plen = net->plen;
	mg_network(&x);
	return !memcmp(x.addr, net->addr, mg_alen(net->family));
}

/* a + 1 within net; false past its last usable address (IPv4's broadcast is not one) */
static bool mg_next(const struct nslab_prefix *net, struct nslab_prefix *a)
{
	for (size_t i = mg_alen(a->family); i-- > 0;)
		if (++a->addr[i] != 0)
			break;
	if (!mg_contains(net, a))
		return false;
	if (a->family == AF_INET) { /* not the broadcast */
		struct nslab_prefix b = *a;
		for (size_t i = 4; i-- > 0;)
			if (++b.addr[i] != 0)
				break;
		return mg_contains(net, &b);
	}
	return true;
}

static bool mg_same(const struct nslab_prefix *a, const struct nslab_prefix *b)
{
	return a->family == b->family && !memcmp(a->addr, b->addr, mg_alen(a->family));
}

static bool mg_gets_eth0(const struct nslab_node *n)
{
	return n->kind != NSLAB_KIND_BRIDGE && !n->shares_netns;
}

/* The node's sysctls turn IPv6 off (Kathará's default): eth0 gets no IPv6 address, as Docker gives
 * none to a container whose sysctls disable IPv6 (the kernel would refuse it). */
static bool mg_v6_off(const struct nslab_node *n)
{
	static const char *const keys[] = { "all", "default", NSLAB_MGMT_IFNAME };

	for (size_t i = 0; i < n->nsysctls; i++)
		for (size_t k = 0; k < ARRAY_SIZE(keys); k++) {
			char dots[64], slashes[64];
			snprintf(dots, sizeof(dots), "net.ipv6.conf.%s.disable_ipv6", keys[k]);
			snprintf(slashes, sizeof(slashes), "net/ipv6/conf/%s/disable_ipv6", keys[k]);
			if ((!strcmp(n->sysctls[i].key, dots) || !strcmp(n->sysctls[i].key, slashes)) &&
			    strcmp(n->sysctls[i].value, "0") != 0)
				return true;
		}
	return false;
}

static bool mg_taken(const struct nslab_topo *t, size_t upto, const struct nslab_prefix *a, const struct nslab_prefix *gw)
{
	if (mg_same(a, gw))
		return true;
	for (size_t i = 0; i < upto; i++) {
		const struct nslab_node *n = &t->nodes[i];
		if (mg_gets_eth0(n) && mg_same(a->family == AF_INET ? &n->mgmt4 : &n->mgmt6, a))
			return true;
	}
	return false;
}

/* One family: the subnet, gateway, the static addresses checked, the others assigned. */
static void mg_family(struct nslab_topo *t, int family, struct nslab_diags *d)
{
	struct nslab_mgmt *m = &t->mgmt;
	struct nslab_prefix *net = family == AF_INET ? &m->net4 : &m->net6;
	struct nslab_prefix *gw = family == AF_INET ? &m->gw4 : &m->gw6;
	struct nslab_prefix next;
	char buf[64];

	if (!(family == AF_INET ? m->has4 : m->has6)) { /* the file named only the other family's subnet */
		const char *v = family == AF_INET ? "4" : "6";
		if (gw->family)
			nslab_diag_add(d, NSLAB_DIAG_ERROR, &m->pos,
				       "mgmt ipv%s-gw %s needs an ipv%s-subnet: with only one family's subnet the "
				       "management network has only that family (as in containerlab)",
				       v, nslab_prefix_fmt(gw, false, buf, sizeof(buf)), v);
		for (size_t i = 0; i < t->nnodes; i++) {
			struct nslab_node *n = &t->nodes[i];
			const struct nslab_prefix *a = family == AF_INET ? &n->mgmt4 : &n->mgmt6;
			if ((family == AF_INET ? n->mgmt4_static : n->mgmt6_static) && mg_gets_eth0(n))
				nslab_diag_add(d, NSLAB_DIAG_ERROR, family == AF_INET ? &n->mgmt4_pos : &n->mgmt6_pos,
					       "management address %s of node %s needs an ipv%s-subnet in mgmt: the "
					       "file names only the other family's subnet",
					       nslab_prefix_fmt(a, false, buf, sizeof(buf)), n->name, v);
		}
		return;
	}
	mg_network(net);
	if (gw->family == 0) {
		*gw = *net;
		mg_next(net, gw);
	} else if (!mg_contains(net, gw)) {
		nslab_diag_add(d, NSLAB_DIAG_ERROR, &m->pos, "mgmt gateway %s is outside the subnet %s",
			       nslab_prefix_fmt(gw, false, buf, sizeof(buf)), nslab_prefix_fmt(net, true, (char[64]){ 0 }, 64));
		return;
	}
	gw->plen = net->plen;
	for (size_t i = 0; i < t->nnodes; i++) { /* the static ones first: assigned ones avoid them */
		struct nslab_node *n = &t->nodes[i];
		struct nslab_prefix *a = family == AF_INET ? &n->mgmt4 : &n->mgmt6;
		bool st = family == AF_INET ? n->mgmt4_static : n->mgmt6_static;
		const struct nslab_pos *pos = family == AF_INET ? &n->mgmt4_pos : &n->mgmt6_pos;

		if (!st || !mg_gets_eth0(n))
			continue;
		if (family == AF_INET6 && mg_v6_off(n))
			nslab_diag_add(d, NSLAB_DIAG_ERROR, pos,
				       "management address %s of node %s is IPv6, but the node's sysctls turn IPv6 off",
				       nslab_prefix_fmt(a, false, buf, sizeof(buf)), n->name);
		else if (!mg_contains(net, a) || mg_same(a, gw))
			nslab_diag_add(d, NSLAB_DIAG_ERROR, pos, "management address %s of node %s is %s",
				       nslab_prefix_fmt(a, false, buf, sizeof(buf)), n->name,
				       mg_same(a, gw) ? "the gateway's" : "outside the mgmt subnet");
		else if (mg_taken(t, i, a, gw))
			nslab_diag_add(d, NSLAB_DIAG_ERROR, pos, "management address %s of node %s is taken twice",
				       nslab_prefix_fmt(a, false, buf, sizeof(buf)), n->name);
		a->plen = net->plen;
	}
	next = *net; /* the first candidate is the subnet's first address after its own */
	for (size_t i = 0; i < t->nnodes; i++) {
		struct nslab_node *n = &t->nodes[i];
		struct nslab_prefix *a = family == AF_INET ? &n->mgmt4 : &n->mgmt6;
		bool st = family == AF_INET ? n->mgmt4_static : n->mgmt6_static;
		bool ok = true;

		if (st || !mg_gets_eth0(n) || (family == AF_INET6 && mg_v6_off(n)))
			continue;
		do /* 172.20.20.2 when the gateway is .1 */
			ok = mg_next(net, &next);
		while (ok && mg_taken(t, t->nnodes, &next, gw));
		if (!ok) {
			nslab_diag_add(d, NSLAB_DIAG_ERROR, &m->pos, "the mgmt subnet %s has no address left for node %s",
				       nslab_prefix_fmt(net, true, buf, sizeof(buf)), n->name);
			return;
		}
		*a = next;
		a->plen = net->plen;
	}
}

int nslab_topo_mgmt_enable(struct nslab_topo *t, struct nslab_diags *d)
{
	size_t before = d ? d->nerrors : 0;
	struct nslab_diags local = { 0 };

	if (!d)
		d = &local;
	t->mgmt.on = true;
	for (size_t i = 0; i < t->nnodes; i++) {
		const struct nslab_node *n = &t->nodes[i];
		bool used = false;

		if (!mg_gets_eth0(n))
			continue;
		for (size_t k = 0; k < n->nifaces && !used; k++)
			used = !strcmp(n->ifaces[k].name, NSLAB_MGMT_IFNAME);
		for (size_t k = 0; k < n->nhostlinks && !used; k++)
			used = !strcmp(n->hostlinks[k].ifname, NSLAB_MGMT_IFNAME);
		for (size_t k = 0; k < n->nbridges && !used; k++) /* a bridge inside it (BR|NODE) */
			used = !strcmp(n->bridges[k].name, NSLAB_MGMT_IFNAME);
		if (used)
			nslab_diag_add(d, NSLAB_DIAG_ERROR, &n->pos,
				       "node %s uses %s in a link or for a bridge, but with a management network %s is the node's "
				       "management interface (as in containerlab): name the link's end eth1 or beyond",
				       n->name, NSLAB_MGMT_IFNAME, NSLAB_MGMT_IFNAME);
	}
	/* containerlab's defaults only when the file names neither subnet (initMgmtNetwork) */
	if (!t->mgmt.has4 && !t->mgmt.has6) {
		nslab_prefix_parse(NSLAB_MGMT_DEFAULT4, &t->mgmt.net4);
		nslab_prefix_parse(NSLAB_MGMT_DEFAULT6, &t->mgmt.net6);
		t->mgmt.has4 = t->mgmt.has6 = true;
		t->mgmt.default6 = t->mgmt.gw6.family == 0;
	}
	if (d->nerrors == before) {
		mg_family(t, AF_INET, d);
		mg_family(t, AF_INET6, d);
	}
	if (d == &local) {
		int r = local.nerrors ? -EINVAL : 0;
		nslab_diags_free(&local);
		return r;
	}
	return d->nerrors != before ? -EINVAL : 0;
}
