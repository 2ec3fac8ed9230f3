// SPDX-License-Identifier: GPL-2.0-or-later
/* topologies/noipv6.c: a lab fitted to a host whose IPv6 is disabled (ipv6.disable=1): what is IPv6 by default goes, what the file asks for is an error. Pure. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "topologies/model.h"
#include "util/util.h"

#define NO6_WHY "the host has IPv6 disabled (booted with ipv6.disable=1)"

/* net.ipv6.X (or net/ipv6/X): a file of /proc/sys/net/ipv6, which such a host does not have */
static bool no6_sysctl_v6(const char *key)
{
	return !strncmp(key, "net.ipv6.", 9) || !strncmp(key, "net/ipv6/", 9);
}

/* A sysctl that turns IPv6 off (net.ipv6.conf.X.disable_ipv6 = 1, Kathará's default): already so. */
static bool no6_sysctl_moot(const struct nslab_kv *kv)
{
	size_t n = strlen(kv->key);
	static const char sfx[] = "disable_ipv6";

	return no6_sysctl_v6(kv->key) && n > sizeof(sfx) && !strcmp(kv->key + n - (sizeof(sfx) - 1), sfx) &&
	       !strcmp(kv->value, "1");
}

static const struct nslab_pos *no6_pos(const struct nslab_pos *p, const struct nslab_node *n)
{
	return p->line ? p : &n->pos;
}

static bool same_pos(const struct nslab_pos *a, const struct nslab_pos *b)
{
	return a->line == b->line && a->col == b->col &&
	       (a->file == b->file || (a->file && b->file && !strcmp(a->file, b->file)));
}

static void no6_mgmt(struct nslab_topo *t, struct nslab_diags *d)
{
	struct nslab_mgmt *m = &t->mgmt;
	char buf[64];

	if (!m->on || !m->has6)
		return;
	if (!m->default6) {
		nslab_diag_add(d, NSLAB_DIAG_ERROR, &m->pos,
			       "mgmt asks for the IPv6 subnet %s (ipv6-subnet / ipv6-gw), but " NO6_WHY
			       ": leave them out of mgmt:",
			       nslab_prefix_fmt(&m->net6, true, buf, sizeof(buf)));
		return;
	}
	struct nslab_pos pos = m->pos.file ? m->pos : (struct nslab_pos){ .file = t->file }; /* --mgmt */
	m->has6 = m->default6 = false;
	memset(&m->net6, 0, sizeof(m->net6));
	memset(&m->gw6, 0, sizeof(m->gw6));
	for (size_t i = 0; i < t->nnodes; i++) {
		if (t->nodes[i].mgmt6_static && t->nodes[i].mgmt6.family)
			return; /* a node asks for IPv6 there: its error says so, no warning besides */
		memset(&t->nodes[i].mgmt6, 0, sizeof(t->nodes[i].mgmt6));
	}
	nslab_diag_add(d, NSLAB_DIAG_WARNING, &pos,
		       NO6_WHY ": the management network is IPv4 only (without containerlab's default IPv6 "
			       "subnet " NSLAB_MGMT_DEFAULT6 ")");
}

static void no6_addrs(const struct nslab_node *n, const char *ifname, const struct nslab_prefix *addrs, size_t naddrs,
		      const struct nslab_pos *pos, struct nslab_diags *d)
{
	char buf[64];

	for (size_t k = 0; k < naddrs; k++)
		if (addrs[k].family == AF_INET6)
			nslab_diag_add(d, NSLAB_DIAG_ERROR, no6_pos(pos, n),
				       "node %s: interface %s has the IPv6 address %s, but " NO6_WHY, n->name, ifname,
				       nslab_prefix_fmt(&addrs[k], true, buf, sizeof(buf)));
}

static void no6_node(struct nslab_node *n, struct nslab_diags *d)
{
	char buf[64];
	size_t keep = 0;

	if (n->mgmt6_static && n->mgmt6.family)
		nslab_diag_add(d, NSLAB_DIAG_ERROR, no6_pos(&n->mgmt6_pos, n), "node %s: mgmt-ipv6 %s, but " NO6_WHY,
			       n->name, nslab_prefix_fmt(&n->mgmt6, false, buf, sizeof(buf)));
	for (size_t i = 0; i < n->nifaces; i++)
		no6_addrs(n, n->ifaces[i].name, n->ifaces[i].addrs, n->ifaces[i].naddrs, &n->ifaces[i].pos, d);
	for (size_t i = 0; i < n->nhostlinks; i++)
		no6_addrs(n, n->hostlinks[i].ifname, n->hostlinks[i].addrs, n->hostlinks[i].naddrs, &n->hostlinks[i].pos, d);
	for (size_t i = 0; i < n->nroutes; i++)
		if (n->routes[i].dst.family == AF_INET6)
			nslab_diag_add(d, NSLAB_DIAG_ERROR, no6_pos(&n->routes[i].pos, n),
				       "node %s: the IPv6 route to %s, but " NO6_WHY, n->name,
				       nslab_prefix_fmt(&n->routes[i].dst, true, buf, sizeof(buf)));
	struct nslab_pos said = { 0 }; /* a copy: the loop compacts n->sysctls */

	for (size_t i = 0; i < n->nsysctls; i++) {
		struct nslab_kv *kv = &n->sysctls[i];
		if (no6_sysctl_moot(kv)) {
			free(kv->key);
			free(kv->value);
			continue;
		}
		/* one error per place: Kathará's r1[ipv6]="true" is four sysctls of one line */
		if (no6_sysctl_v6(kv->key) && !(kv->pos.line && same_pos(&said, &kv->pos))) {
			nslab_diag_add(d, NSLAB_DIAG_ERROR, no6_pos(&kv->pos, n),
				       "node %s: sysctl %s = %s, but " NO6_WHY ": there is no /proc/sys/net/ipv6", n->name,
				       kv->key, kv->value);
			said = kv->pos;
		}
		n->sysctls[keep++] = *kv;
	}
	n->nsysctls = keep;
}

int nslab_topo_ipv6_off(struct nslab_topo *t, struct nslab_diags *d)
{
	size_t before = d->nerrors;

	t->no_ipv6 = true;
	no6_mgmt(t, d);
	for (size_t i = 0; i < t->nnodes; i++)
		no6_node(&t->nodes[i], d);
	return d->nerrors != before ? -EINVAL : 0;
}
