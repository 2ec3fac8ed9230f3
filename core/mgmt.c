// SPDX-License-Identifier: GPL-2.0-or-later
/* core/mgmt.c: the management network and host links (core/mgmt.h): clash checks, journal, creation through netlink, removal of what carries the lab's mark. */
#include "mgmt.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <jansson.h>

#include "../netlink/nl.h"
#include "../util/util.h"
#include "journal.h"
#include "node.h"

static uint32_t mgmt_hash(const char *s) /* FNV-1a */
{
	uint32_t h = 2166136261u;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

void nslab_mgmt_bridge_name(const char *lab, char buf[16])
{
	snprintf(buf, 16, "nslm%08x", mgmt_hash(lab));
}

void nslab_mgmt_veth_name(const char *lab, size_t node, char buf[16])
{
	snprintf(buf, 16, "nsv%08x%04zx", mgmt_hash(lab), node & 0xffff);
}

static bool mgmt_eth0(const struct nslab_node *n)
{
	return n->mgmt4.family || n->mgmt6.family;
}

bool nslab_mgmt_needed(const struct nslab_topo *t)
{
	if (t->mgmt.on)
		return true;
	for (size_t i = 0; i < t->nnodes; i++)
		if (t->nodes[i].nhostlinks)
			return true;
	return false;
}

static void nl_closep(struct nslab_nl **nl)
{
	if (*nl)
		nslab_nl_close(*nl);
}

static void nlb_freep(struct nslab_nlb **b)
{
	nslab_nlb_free(*b);
}

/* a and b overlap: one's network holds the other's (the shorter prefix decides) */
static bool overlaps(int family, const unsigned char *a, unsigned alen, const unsigned char *b, unsigned blen)
{
	unsigned plen = alen < blen ? alen : blen, bytes = plen / 8, bits = plen % 8;

	(void)family;
	if (memcmp(a, b, bytes))
		return false;
	return !bits || ((a[bytes] ^ b[bytes]) & (0xff00u >> bits) & 0xff) == 0;
}

static const struct nslab_nl_link_alias *find_link(const struct nslab_nl_link_alias *v, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(v[i].ifname, name))
			return &v[i];
	return NULL;
}

/* The host's own interfaces, addresses and routes against what the lab would make. */
static int mgmt_check_names(const struct nslab_topo *t, const char *lab, const struct nslab_nl_link_alias *links,
			    size_t nlinks, struct nslab_err *err)
{
	char name[16];

	if (t->mgmt.on) {
		nslab_mgmt_bridge_name(lab, name);
		if (find_link(links, nlinks, name))
			return nslab_err_set(err, EEXIST,
					     "the management bridge %s of lab %s already exists on the host (a leftover? "
					     "nslab cleanup %s)",
					     name, lab, lab);
	}
	for (size_t i = 0; i < t->nnodes; i++) {
		const struct nslab_node *n = &t->nodes[i];
		if (mgmt_eth0(n)) {
			nslab_mgmt_veth_name(lab, i, name);
			if (find_link(links, nlinks, name))
				return nslab_err_set(err, EEXIST, "interface %s (eth0 of node %s) already exists on the host",
						     name, n->name);
		}
		for (size_t k = 0; k < n->nhostlinks; k++)
			if (n->hostlinks[k].host_ifname && find_link(links, nlinks, n->hostlinks[k].host_ifname))
				return nslab_err_set(err, EEXIST,
						     "the host already has an interface %s (the host end of %s:%s): pick "
						     "another name in the link",
						     n->hostlinks[k].host_ifname, n->name, n->hostlinks[k].ifname);
	}
	return 0;
}

static int mgmt_check_subnet(struct nslab_nl *nl, const struct nslab_prefix *net, struct nslab_err *err)
{
	_cleanup_free_ struct nslab_nl_addr_info *addrs = NULL;
	_cleanup_free_ struct nslab_nl_route_info *routes = NULL;
	size_t na = 0, nr = 0;
	char buf[64], other[64];
	int r;

	r = nslab_nl_dump_addrs(nl, &addrs, &na, err);
	if (r == 0)
		r = nslab_nl_dump_routes(nl, &routes, &nr, err);
	if (r < 0)
		return r;
	for (size_t i = 0; i < na; i++) {
		struct nslab_prefix p = { .family = addrs[i].family, .plen = (unsigned char)addrs[i].plen };
		if (addrs[i].family != net->family ||
		    !overlaps(net->family, net->addr, net->plen, addrs[i].addr, addrs[i].plen))
			continue;
		memcpy(p.addr, addrs[i].addr, sizeof(p.addr));
		return nslab_err_set(err, EEXIST,
				     "the mgmt subnet %s clashes with the host's address %s: pick another one "
				     "(mgmt: ipv4-subnet / ipv6-subnet)",
				     nslab_prefix_fmt(net, true, buf, sizeof(buf)), nslab_prefix_fmt(&p, true, other, sizeof(other)));
	}
	for (size_t i = 0; i < nr; i++) {
		struct nslab_prefix p = { .family = routes[i].family, .plen = (unsigned char)routes[i].plen };
		if (routes[i].family != net->family || routes[i].plen == 0 ||
		    !overlaps(net->family, net->addr, net->plen, routes[i].dst, routes[i].plen))
			continue;
		memcpy(p.addr, routes[i].dst, sizeof(p.addr));
		return nslab_err_set(err, EEXIST,
				     "the mgmt subnet %s clashes with the host's route to %s: pick another one "
				     "(mgmt: ipv4-subnet / ipv6-subnet)",
				     nslab_prefix_fmt(net, true, buf, sizeof(buf)), nslab_prefix_fmt(&p, true, other, sizeof(other)));
	}
	return 0;
}

/* The ifindex of name in the socket's namespace, or -errno. */
static int ifindex_of(struct nslab_nl *nl, const char *name, struct nslab_err *err)
{
	_cleanup_free_ struct nslab_nl_link_alias *v = NULL;
	const struct nslab_nl_link_alias *l;
	size_t n = 0;
	int r = nslab_nl_dump_aliases(nl, &v, &n, err);

	if (r < 0)
		return r;
	l = find_link(v, n, name);
	return l ? l->ifindex : nslab_err_set(err, ENODEV, "interface %s vanished after it was made", name);
}

/* One host interface: journaled, made by b (which marks it), sent. */
static int mgmt_make(struct nslab_nl *nl, const char *lab, const char *name, struct nslab_nlb *b,
		     struct nslab_err *err)
{
	int r = nslab_journal_append(lab, err, "hostif %s", name);

	if (r < 0)
		return r;
	_cleanup_free_ char *mark = xasprintf(NSLAB_MGMT_MARK "%s", lab);
	nslab_nlb_link_alias(b, name, mark, name);
	return nslab_nl_send(nl, b, err);
}

static int mgmt_bridge(struct nslab_nl *nl, const struct nslab_topo *t, const char *lab, int *ifindex,
		       struct nslab_err *err)
{
	__attribute__((cleanup(nlb_freep))) struct nslab_nlb *b = nslab_nlb_new();
	const struct nslab_mgmt *m = &t->mgmt;
	char name[16];
	int r;

	nslab_mgmt_bridge_name(lab, name);
	nslab_nlb_bridge_add(b, name, 0, m->mtu ? m->mtu : 1500, false, true, "creating the management bridge");
	r = mgmt_make(nl, lab, name, b, err);
	if (r < 0)
		return r;
	*ifindex = r = ifindex_of(nl, name, err);
	if (r < 0)
		return r;
	if (m->gw6.family) {
		/* a host with net.ipv6.conf.default.disable_ipv6 = 1 gives the new bridge no IPv6, and
		 * the gateway address would be refused (EACCES): IPv6 on, on this bridge only, as
		 * Docker does for an IPv6 network's bridge */
		_cleanup_free_ char *key = xasprintf("net/ipv6/conf/%s/disable_ipv6", name);
		r = nslab_sysctl_write("", key, "0");
		if (r < 0)
			return nslab_err_sys(err, -r, "turning IPv6 on on the management bridge %s (%s = 0)", name, key);
	}
	nslab_nlb_reset(b);
	if (m->gw4.family)
		nslab_nlb_addr_add(b, *ifindex, AF_INET, m->gw4.addr, m->gw4.plen, "the management gateway (IPv4)");
	if (m->gw6.family)
		nslab_nlb_addr_add(b, *ifindex, AF_INET6, m->gw6.addr, m->gw6.plen, "the management gateway (IPv6)");
	return nslab_nl_send(nl, b, err);
}

/* A veth from the host (host_name, on the bridge when br > 0) into node i (node_name). */
static int mgmt_veth(struct nslab_nl *nl, const char *lab, int netns_fd, const char *host_name, const char *node_name,
		     unsigned mtu, int br, struct nslab_err *err)
{
	__attribute__((cleanup(nlb_freep))) struct nslab_nlb *b = nslab_nlb_new();
	struct nslab_nl_linkend host = { .ifname = host_name, .netns_fd = -1, .mtu = mtu, .queues = NSLAB_VETH_QUEUES,
					 .up = true, .master_ifindex = br };
	struct nslab_nl_linkend node = { .ifname = node_name, .netns_fd = netns_fd, .mtu = mtu,
					 .queues = NSLAB_VETH_QUEUES };
	_cleanup_free_ char *what = xasprintf("creating %s (host) -- %s", host_name, node_name);

	nslab_nlb_veth_add(b, &host, &node, what);
	return mgmt_make(nl, lab, host_name, b, err);
}

static bool has_default(const struct nslab_node *n, int family)
{
	for (size_t i = 0; i < n->nroutes; i++)
		if (n->routes[i].dst.family == family && n->routes[i].dst.plen == 0)
			return true;
	return false;
}

/* Inside node i: its host-link ends up with their addresses; eth0 with its own and a default route. */
static int mgmt_node_inside(const struct nslab_topo *t, size_t i, int netns_fd, struct nslab_err *err)
{
	const struct nslab_node *n = &t->nodes[i];
	__attribute__((cleanup(nl_closep))) struct nslab_nl *nl = NULL;
	__attribute__((cleanup(nlb_freep))) struct nslab_nlb *b = nslab_nlb_new();
	int r = nslab_nl_open(&nl, netns_fd, err), idx;

	if (r < 0)
		return r;
	for (size_t k = 0; k < n->nhostlinks; k++) /* type: dummy */
		if (!n->hostlinks[k].host_ifname)
			nslab_nlb_dummy_add(b, n->hostlinks[k].ifname, n->hostlinks[k].mtu, n->hostlinks[k].ifname);
	if (nslab_nlb_count(b) && (r = nslab_nl_send(nl, b, err)) < 0)
		return r == -EOPNOTSUPP ? nslab_err_set(err, EOPNOTSUPP,
							"node %s: the kernel has no dummy interfaces (CONFIG_DUMMY): "
							"a dummy link needs them",
							n->name)
					: nslab_err_prefix(err, "node %s", n->name);
	nslab_nlb_reset(b);
	for (size_t k = 0; k < n->nhostlinks; k++) {
		const struct nslab_hostlink *h = &n->hostlinks[k];
		if ((idx = ifindex_of(nl, h->ifname, err)) < 0)
			return idx;
		nslab_nlb_link_set(b, idx, 1, 0, -1, h->ifname);
		for (size_t a = 0; a < h->naddrs; a++)
			nslab_nlb_addr_add(b, idx, h->addrs[a].family, h->addrs[a].addr, h->addrs[a].plen, h->ifname);
	}
	if (mgmt_eth0(n)) {
		const struct nslab_prefix *addr[2] = { &n->mgmt4, &n->mgmt6 }, *gw[2] = { &t->mgmt.gw4, &t->mgmt.gw6 };
		if ((idx = ifindex_of(nl, NSLAB_MGMT_IFNAME, err)) < 0)
			return idx;
		nslab_nlb_link_set(b, idx, 1, 0, -1, "eth0 up");
		for (int f = 0; f < 2; f++)
			if (addr[f]->family)
				nslab_nlb_addr_add(b, idx, addr[f]->family, addr[f]->addr, addr[f]->plen, "eth0's address");
		for (int f = 0; f < 2; f++) /* as Docker gives a container: the rest of the world is behind the host */
			if (addr[f]->family && gw[f]->family && !has_default(n, addr[f]->family))
				nslab_nlb_route_add(b, addr[f]->family, NULL, 0, gw[f]->addr, idx, 0,
						    "default route through the management gateway");
	}
	r = nslab_nl_send(nl, b, err);
	return r < 0 ? nslab_err_prefix(err, "node %s", n->name) : 0;
}

static int mgmt_nodes(struct nslab_nl *nl, const struct nslab_topo *t, const char *lab, const pid_t *pids, int br,
		      struct nslab_err *err)
{
	for (size_t i = 0; i < t->nnodes; i++) {
		const struct nslab_node *n = &t->nodes[i];
		char src[64], name[16];
		int r = 0;

		if (!mgmt_eth0(n) && !n->nhostlinks)
			continue;
		snprintf(src, sizeof(src), "/proc/%d/ns/net", (int)pids[i]);
		_cleanup_close_ int fd = open(src, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return nslab_err_sys(err, errno, "node %s: opening %s", n->name, src);
		if (mgmt_eth0(n)) {
			nslab_mgmt_veth_name(lab, i, name);
			r = mgmt_veth(nl, lab, fd, name, NSLAB_MGMT_IFNAME, t->mgmt.mtu ? t->mgmt.mtu : 1500, br, err);
		}
		for (size_t k = 0; r == 0 && k < n->nhostlinks; k++) {
			const struct nslab_hostlink *h = &n->hostlinks[k];
			if (h->host_ifname)
				r = mgmt_veth(nl, lab, fd, h->host_ifname, h->ifname, h->mtu, h->mgmt ? br : 0, err);
		}
		if (r == 0)
			r = mgmt_node_inside(t, i, fd, err);
		if (r < 0)
			return r;
	}
	return 0;
}

int nslab_mgmt_setup(const struct nslab_topo *t, const char *lab, const pid_t *pids, struct nslab_err *err)
{
	__attribute__((cleanup(nl_closep))) struct nslab_nl *nl = NULL;
	_cleanup_free_ struct nslab_nl_link_alias *links = NULL;
	size_t nlinks = 0;
	int r, br = 0;

	if (!nslab_mgmt_needed(t))
		return 0;
	r = nslab_nl_open(&nl, -1, err);
	if (r == 0)
		r = nslab_nl_dump_aliases(nl, &links, &nlinks, err);
	if (r == 0)
		r = mgmt_check_names(t, lab, links, nlinks, err);
	if (r == 0 && t->mgmt.on && t->mgmt.has4)
		r = mgmt_check_subnet(nl, &t->mgmt.net4, err);
	if (r == 0 && t->mgmt.on && t->mgmt.has6)
		r = mgmt_check_subnet(nl, &t->mgmt.net6, err);
	if (r == 0 && t->mgmt.on)
		r = mgmt_bridge(nl, t, lab, &br, err);
	if (r == 0)
		r = mgmt_nodes(nl, t, lab, pids, br, err);
	return r < 0 ? nslab_err_prefix(err, "management network") : 0;
}

int nslab_mgmt_remove(const char *lab, char *const *names, size_t n, struct nslab_err *err)
{
	__attribute__((cleanup(nl_closep))) struct nslab_nl *nl = NULL;
	_cleanup_free_ struct nslab_nl_link_alias *links = NULL;
	_cleanup_free_ char *mark = xasprintf(NSLAB_MGMT_MARK "%s", lab);
	size_t nlinks = 0;
	char br[16];
	int r;

	if (!n)
		return 0;
	nslab_mgmt_bridge_name(lab, br);
	r = nslab_nl_open(&nl, -1, err);
	if (r == 0)
		r = nslab_nl_dump_aliases(nl, &links, &nlinks, err);
	for (size_t i = n; r == 0 && i-- > 0;) {
		const struct nslab_nl_link_alias *l = find_link(links, nlinks, names[i]);
		__attribute__((cleanup(nlb_freep))) struct nslab_nlb *b = NULL;

		/* ours: it carries our mark; or it is our bridge, made just before a crash stopped the
		 * mark (the name is this lab's own, and the journal says we made it) */
		if (!l || !(strcmp(l->alias, mark) == 0 || (!l->alias[0] && !strcmp(l->ifname, br))))
			continue;
		b = nslab_nlb_new();
		nslab_nlb_link_del(b, l->ifindex, names[i]);
		r = nslab_nl_send(nl, b, err);
		if (r == -ENODEV) /* gone meanwhile (a veth with its node's end) */
			r = 0;
	}
	return r < 0 ? nslab_err_prefix(err, "removing the host interfaces of lab %s", lab) : 0;
}

json_t *nslab_mgmt_inspect(const char *lab, char *const *names, size_t n)
{
	__attribute__((cleanup(nl_closep))) struct nslab_nl *nl = NULL;
	_cleanup_free_ struct nslab_nl_link_alias *links = NULL;
	_cleanup_free_ struct nslab_nl_addr_info *addrs = NULL;
	_cleanup_free_ char *mark = xasprintf(NSLAB_MGMT_MARK "%s", lab);
	size_t nlinks = 0, naddrs = 0;
	json_t *out = json_array();
	char br[16];

	if (!n || nslab_nl_open(&nl, -1, NULL) < 0 || nslab_nl_dump_aliases(nl, &links, &nlinks, NULL) < 0 ||
	    nslab_nl_dump_addrs(nl, &addrs, &naddrs, NULL) < 0)
		return out;
	nslab_mgmt_bridge_name(lab, br);
	for (size_t i = 0; i < n; i++) {
		const struct nslab_nl_link_alias *l = find_link(links, nlinks, names[i]);
		json_t *a = json_array(), *o;

		if (!l || strcmp(l->alias, mark))
			continue;
		for (size_t k = 0; k < naddrs; k++) {
			struct nslab_prefix p = { .family = addrs[k].family, .plen = (unsigned char)addrs[k].plen };
			char buf[64];
			if (addrs[k].ifindex != l->ifindex ||
			    (p.family == AF_INET6 && addrs[k].addr[0] == 0xfe && (addrs[k].addr[1] & 0xc0) == 0x80))
				continue;
			memcpy(p.addr, addrs[k].addr, sizeof(p.addr));
			json_array_append_new(a, json_string(nslab_prefix_fmt(&p, true, buf, sizeof(buf))));
		}
		o = json_pack("{s:s, s:s, s:o}", "name", l->ifname, "role",
			      !strcmp(l->ifname, br) ? "mgmt-bridge" : "veth", "addresses", a);
		json_array_append_new(out, o);
	}
	return out;
}
