// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * core/link_topo.c: links added to and removed from a running lab (`nslab link LAB add|remove`).
 * A new link is a veth pair born in its two nodes' namespaces (LXC's lxc_veth_create: one
 * RTM_NEWLINK with the peer's IFLA_NET_NS_FD and the final names), journaled before it is made
 * and recorded in state.json once the kernel made it; its ends live in the nodes' namespaces,
 * so destroy removes them with the nodes. Removing a link deletes one end (the kernel takes the
 * peer) and drops both interfaces and the link from state.json.
 */
#include "link.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../netlink/nl.h"
#include "../util/util.h"
#include "hostipv6.h"
#include "journal.h"
#include "labstate.h"
#include "live.h"
#include "node.h"
#include "rootfs.h"
#include "rundir.h"

/* ---- state.json's side, pure ---- */

static int split_end(const char *s, char *node, size_t nsize, const char **ifname)
{
	const char *colon = s ? strchr(s, ':') : NULL;

	if (!colon || colon == s || (size_t)(colon - s) >= nsize || !nslab_ifname_valid(colon + 1))
		return -EINVAL;
	memcpy(node, s, (size_t)(colon - s));
	node[colon - s] = 0;
	*ifname = colon + 1;
	return nslab_name_valid(node) ? 0 : -EINVAL;
}

bool nslab_link_end_unfold(char *end, char br[NSLAB_IFNAMSIZ])
{
	const char *bar = strchr(end, '|'), *colon = strchr(end, ':');
	char b[NSLAB_IFNAMSIZ];

	if (!bar || !colon || bar > colon || bar == end || (size_t)(bar - end) >= NSLAB_IFNAMSIZ)
		return false;
	memcpy(b, end, (size_t)(bar - end));
	b[bar - end] = 0;
	if (!nslab_ifname_valid(b))
		return false;
	/* a malformed NODE:IF after the bar stays as written: the error then names what was typed */
	char node[NSLAB_NAME_MAX + 1];
	const char *ifname;
	if (split_end(bar + 1, node, sizeof(node), &ifname) < 0)
		return false;
	memcpy(br, b, sizeof(b));
	memmove(end, bar + 1, strlen(bar + 1) + 1);
	return true;
}

/* Which of ln's ends id (len bytes, NODE:IF or BR|NODE:IF) names: 0, 1, or -1. */
static int end_index(const struct nslab_link_new *ln, const char *id, size_t len)
{
	char e[NSLAB_NAME_MAX + 2 * NSLAB_IFNAMSIZ + 2], br[NSLAB_IFNAMSIZ];

	if (len >= sizeof(e))
		return -1;
	memcpy(e, id, len);
	e[len] = 0;
	nslab_link_end_unfold(e, br);
	for (int i = 0; i < 2; i++)
		if (ln->end[i] && strcmp(ln->end[i], e) == 0)
			return i;
	return -1;
}

/* A unicast address an interface can hold: not unspecified, loopback or multicast. */
static bool addr_unicast(const struct nslab_prefix *p)
{
	static const unsigned char zero[16], loop6[16] = { [15] = 1 };

	if (p->family == AF_INET)
		return memcmp(p->addr, zero, 4) != 0 && p->addr[0] != 127 && (p->addr[0] & 0xf0) != 0xe0;
	return memcmp(p->addr, zero, 16) != 0 && memcmp(p->addr, loop6, 16) != 0 && p->addr[0] != 0xff;
}

static bool addr_same(const struct nslab_prefix *a, const struct nslab_prefix *b)
{
	return a->family == b->family && memcmp(a->addr, b->addr, a->family == AF_INET ? 4 : 16) == 0;
}

/* One ADDR of an --addr argument into p (checked against the end's earlier ones, *have of them). */
static int addr_one(const char *arg, const char *s, size_t len, const struct nslab_prefix *have, size_t nhave,
		    struct nslab_prefix *p, struct nslab_err *err)
{
	char a[64];

	if (len == 0)
		return nslab_err_set(err, EINVAL, "'%s': an address is missing", arg);
	if (len >= sizeof(a))
		return nslab_err_set(err, EINVAL, "'%s': '%.*s' is not an address", arg, (int)len, s);
	memcpy(a, s, len);
	a[len] = 0;
	if (nslab_prefix_parse(a, p) < 0)
		return nslab_err_set(err, EINVAL, "'%s': '%s' is not an IPv4 or IPv6 address (10.0.0.1/24, fd00::1/64)",
				     arg, a);
	if (!strchr(a, '/'))
		return nslab_err_set(err, EINVAL, "'%s': '%s' needs its prefix length (%s/%s)", arg, a, a,
				     p->family == AF_INET ? "24" : "64");
	if (!addr_unicast(p))
		return nslab_err_set(err, EINVAL, "'%s': '%s' is not a unicast address", arg, a);
	for (size_t i = 0; i < nhave; i++)
		if (addr_same(&have[i], p))
			return nslab_err_set(err, EINVAL, "'%s': '%s' is given twice for this end", arg, a);
	return 0;
}

int nslab_link_new_addr(struct nslab_link_new *ln, const char *arg, struct nslab_err *err)
{
	const char *eq = arg ? strchr(arg, '=') : NULL, *s;
	struct nslab_prefix got[2 * NSLAB_LINK_NEW_ADDRS];
	size_t n;
	int e;

	if (!eq || eq == arg)
		return nslab_err_set(err, EINVAL, "'%s' is not NODE:IF=ADDRESS[,ADDRESS...]", arg ? arg : "");
	e = end_index(ln, arg, (size_t)(eq - arg));
	if (e < 0)
		return nslab_err_set(err, EINVAL, "'%s': %.*s is not an end of the new link (%s or %s)", arg,
				     (int)(eq - arg), arg, ln->end[0] ? ln->end[0] : "?", ln->end[1] ? ln->end[1] : "?");
	n = ln->naddrs[e];
	if (n)
		memcpy(got, ln->addrs[e], n * sizeof(*got));
	for (s = eq + 1;; s++) {
		size_t len = strcspn(s, ",");
		int r;

		if (n == NSLAB_LINK_NEW_ADDRS)
			return nslab_err_set(err, EINVAL, "'%s': at most %d addresses per end", arg, NSLAB_LINK_NEW_ADDRS);
		r = addr_one(arg, s, len, got, n, &got[n], err);
		if (r < 0)
			return r;
		n++;
		s += len;
		if (!*s)
			break;
	}
	ln->addrs[e] = xrealloc(ln->addrs[e], n * sizeof(*got));
	memcpy(ln->addrs[e], got, n * sizeof(*got));
	ln->naddrs[e] = n;
	return 0;
}

void nslab_link_new_free(struct nslab_link_new *ln)
{
	for (int i = 0; i < 2; i++) {
		free(ln->addrs[i]);
		ln->addrs[i] = NULL;
		ln->naddrs[i] = 0;
	}
}

static bool node_is_bridge(const struct nslab_st_node *n)
{
	return n && n->kind && strcmp(n->kind, nslab_kind_name(NSLAB_KIND_BRIDGE)) == 0;
}

/* The ifindex of bridge device br inside node n (a BR|NODE bridge, or a bridge node's own), or 0. */
static int node_bridge_dev(const struct nslab_st_node *n, const char *br)
{
	const struct nslab_st_iface *si = nslab_state_iface(n, br);

	return si && si->bridge ? si->ifindex : 0;
}

/* A port of a bridge inside a node (end i given as BR|NODE:IF): the bridge is there, no address. */
static int check_new_port(const struct nslab_lab_state *st, const struct nslab_link_new *ln, size_t i,
			  const struct nslab_st_node *n, struct nslab_err *err)
{
	if (!ln->bridge[i][0])
		return 0;
	if (!node_bridge_dev(n, ln->bridge[i]))
		return nslab_err_set(err, ENOENT, "node %s of lab %s has no bridge %s", n->name, st->name, ln->bridge[i]);
	if (ln->naddrs[i])
		return nslab_err_set(err, EINVAL, "%s is a port of bridge %s inside node %s: a port takes no address",
				     ln->end[i], ln->bridge[i], n->name);
	return 0;
}

int nslab_state_link_check_new(const struct nslab_lab_state *st, const struct nslab_link_new *ln,
			       struct nslab_err *err)
{
	unsigned mtu = ln->mtu ? ln->mtu : NSLAB_DEFAULT_MTU;
	int r;

	if (strcmp(ln->end[0], ln->end[1]) == 0)
		return nslab_err_set(err, EINVAL, "a link joins two different interfaces, not %s twice", ln->end[0]);
	if (mtu < 68 || mtu > 65535)
		return nslab_err_set(err, EINVAL, "MTU %u: it goes from 68 to 65535", mtu);
	for (size_t i = 0; i < 2; i++) {
		char node[NSLAB_NAME_MAX + 1];
		const char *ifname;
		const struct nslab_st_node *n;

		if (split_end(ln->end[i], node, sizeof(node), &ifname) < 0)
			return nslab_err_set(err, EINVAL, "'%s' is not NODE:INTERFACE", ln->end[i]);
		n = nslab_state_node(st, node);
		if (!n)
			return nslab_err_set(err, ENOENT, "lab %s has no node %s", st->name, node);
		if (nslab_state_iface(n, ifname))
			return nslab_err_set(err, EEXIST, "node %s of lab %s already has an interface %s", node, st->name,
					     ifname);
		if (strcmp(ifname, "lo") == 0)
			return nslab_err_set(err, EINVAL, "%s: lo is the node's loopback", ln->end[i]);
		if (ln->naddrs[i] && node_is_bridge(n))
			return nslab_err_set(err, EINVAL, "%s is a port of bridge node %s: a port takes no address",
					     ln->end[i], node);
		r = check_new_port(st, ln, i, n, err);
		if (r < 0)
			return r;
		for (size_t k = 0; k < ln->naddrs[i]; k++) {
			char a[64];
			if (ln->addrs[i][k].family == AF_INET6 && mtu < 1280)
				return nslab_err_set(err, EINVAL, "%s on %s: IPv6 needs an MTU of 1280 or more (MTU %u)",
						     nslab_prefix_fmt(&ln->addrs[i][k], true, a, sizeof(a)), ln->end[i], mtu);
		}
	}
	return 0;
}

void nslab_state_link_add(struct nslab_lab_state *st, const struct nslab_link_new *ln, const int ifindex[2])
{
	unsigned mtu = ln->mtu ? ln->mtu : NSLAB_DEFAULT_MTU;
	struct nslab_st_link *l;

	for (size_t i = 0; i < 2; i++) {
		char node[NSLAB_NAME_MAX + 1], a[64];
		const char *ifname;
		struct nslab_st_node *n;
		struct nslab_st_iface *si;

		if (split_end(ln->end[i], node, sizeof(node), &ifname) < 0 || !(n = nslab_state_node(st, node)))
			continue; /* checked by nslab_state_link_check_new() */
		/* a bridge node enslaves a new end to its bridge (nslab_state_link_master) */
		int m = ln->bridge[i][0] ? 0 : nslab_state_link_master(st, node);
		char *master = ln->bridge[i][0] ? xstrdup(ln->bridge[i]) : NULL;
		for (size_t k = 0; m && !master && k < n->nifaces; k++)
			if (n->ifaces[k].ifindex == m)
				master = xstrdup(n->ifaces[k].name);
		si = VEC_PUSH(n->ifaces, n->nifaces);
		si->name = xstrdup(ifname);
		si->master = master;
		si->ifindex = ifindex[i];
		si->configured_mtu = mtu;
		si->peer = xstrdup(ln->end[!i]);
		for (size_t k = 0; k < ln->naddrs[i]; k++)
			*VEC_PUSH(si->addrs, si->naddrs) = xstrdup(nslab_prefix_fmt(&ln->addrs[i][k], true, a, sizeof(a)));
	}
	l = VEC_PUSH(st->links, st->nlinks);
	l->a = xstrdup(ln->end[0]);
	l->b = xstrdup(ln->end[1]);
	l->mtu = mtu;
}

int nslab_state_link_check_end(const struct nslab_lab_state *st, const char *a, const char *b,
			       struct nslab_err *err)
{
	char node[NSLAB_NAME_MAX + 1];
	const char *ifname;
	const struct nslab_st_node *n;
	const struct nslab_st_iface *si;

	if (split_end(a, node, sizeof(node), &ifname) < 0)
		return nslab_err_set(err, EINVAL, "'%s' is not NODE:INTERFACE", a);
	n = nslab_state_node(st, node);
	if (!n)
		return nslab_err_set(err, ENOENT, "lab %s has no node %s", st->name, node);
	si = nslab_state_iface(n, ifname);
	if (!si)
		return nslab_err_set(err, ENOENT, "node %s of lab %s has no interface %s", node, st->name, ifname);
	if (!si->peer)
		return nslab_err_set(err, EINVAL, "%s is not the end of a link", a);
	if (b && strcmp(b, si->peer) != 0)
		return nslab_err_set(err, EINVAL, "%s is not the peer of %s (its peer is %s)", b, a, si->peer);
	return 0;
}

/* Take the interface called id ("NODE:IF") out of its node; false when there is none. */
static bool iface_drop(struct nslab_lab_state *st, const char *id)
{
	char node[NSLAB_NAME_MAX + 1];
	const char *ifname;
	struct nslab_st_node *n;
	struct nslab_st_iface *si;

	if (split_end(id, node, sizeof(node), &ifname) < 0 || !(n = nslab_state_node(st, node)) ||
	    !(si = nslab_state_iface(n, ifname)))
		return false;
	nslab_state_iface_free(si);
	memmove(si, si + 1, (size_t)(&n->ifaces[n->nifaces] - (si + 1)) * sizeof(*si));
	n->nifaces--;
	return true;
}

void nslab_state_link_remove(struct nslab_lab_state *st, const char *a, const char *b)
{
	iface_drop(st, a);
	iface_drop(st, b);
	for (size_t l = 0; l < st->nlinks; l++) {
		struct nslab_st_link *lk = &st->links[l];
		if (!((strcmp(lk->a, a) == 0 && strcmp(lk->b, b) == 0) || (strcmp(lk->a, b) == 0 && strcmp(lk->b, a) == 0)))
			continue;
		free(lk->a);
		free(lk->b);
		memmove(lk, lk + 1, (st->nlinks - l - 1) * sizeof(*lk));
		st->nlinks--;
		break;
	}
}

/* ---- the kernel's side ---- */

/* A node's namespace, and a socket in it. */
struct topo_ns {
	int nsfd;
	struct nslab_nl *nl;
};

static void topo_ns_close(struct topo_ns *ns)
{
	nslab_nl_close(ns->nl);
	if (ns->nsfd >= 0)
		close(ns->nsfd);
	ns->nl = NULL;
	ns->nsfd = -1;
}

/* Open node's namespace (through its pidfd, verified against the journal's start time) and a
 * socket in it. -ESRCH when the node is not running. */
static int topo_ns_open(const char *lab, const struct nslab_journal *jr, const char *node, struct topo_ns *ns,
			struct nslab_err *err)
{
	const struct nslab_journal_node *jn = nslab_journal_node(jr, node);
	int pidfd, r;

	ns->nsfd = -1;
	ns->nl = NULL;
	pidfd = jn ? nslab_pidfd_open_verified(jn->pid, jn->start) : -ESRCH;
	if (pidfd < 0)
		return nslab_err_set(err, ESRCH, "node %s of lab %s is not running", node, lab);
	ns->nsfd = nslab_pidfd_ns_open(pidfd, jn->pid, "net");
	close(pidfd);
	if (ns->nsfd < 0)
		return nslab_err_sys(err, -ns->nsfd, "opening the network namespace of node %s", node);
	r = nslab_nl_open(&ns->nl, ns->nsfd, err);
	if (r < 0) {
		topo_ns_close(ns);
		return nslab_err_prefix(err, "node %s", node);
	}
	return 0;
}

/* The lab's /etc/hosts from the addresses every running node holds now (core/live.h), and the
 * lab layer's copy that the nodes see (core/rootfs.h). */
static int hosts_refresh(const char *lab, const struct nslab_lab_state *st, const struct nslab_journal *jr,
			 struct nslab_err *err)
{
	struct nslab_live_node *nodes = xcalloc(st->nnodes + 1, sizeof(*nodes));
	_cleanup_free_ char *text = NULL, *hosts = nslab_lab_path(lab, "hosts");
	int r = 0;

	for (size_t n = 0; n < st->nnodes && r == 0; n++) {
		struct topo_ns ns;
		struct nslab_nl_addr_info *ai = NULL;
		size_t nai = 0;
		struct nslab_err e = { 0 };

		nodes[n].name = st->nodes[n].name;
		if (topo_ns_open(lab, jr, st->nodes[n].name, &ns, &e) < 0)
			continue; /* a node that is gone holds no address */
		r = nslab_nl_dump_addrs(ns.nl, &ai, &nai, err);
		topo_ns_close(&ns);
		if (r < 0)
			nslab_err_prefix(err, "node %s: reading its addresses", st->nodes[n].name);
		if (r == 0)
			nslab_live_node_addrs(&nodes[n], ai, nai);
		free(ai);
	}
	if (r == 0) {
		text = nslab_hosts_build_live(lab, nodes, st->nnodes);
		r = nslab_live_hosts_write(lab, text, err);
	}
	if (r == 0 && jr->layers) {
		struct nslab_rootfs_lab rl = { .lower = xasprintf("%s/" NSLAB_LAB_LAYER, jr->layers) };
		r = nslab_rootfs_hosts_update(&rl, hosts, err);
		free(rl.lower);
	}
	for (size_t n = 0; n < st->nnodes; n++)
		free(nodes[n].addrs);
	free(nodes);
	return r < 0 ? nslab_err_prefix(err, "updating the lab's /etc/hosts") : 0;
}

int nslab_state_link_master(const struct nslab_lab_state *st, const char *node)
{
	const struct nslab_st_node *n = nslab_state_node(st, node);
	int first = 0;

	if (!node_is_bridge(n))
		return 0;
	for (size_t i = 0; i < n->nifaces; i++) {
		if (!n->ifaces[i].bridge)
			continue;
		if (strcmp(n->ifaces[i].name, n->name) == 0)
			return n->ifaces[i].ifindex;
		if (!first)
			first = n->ifaces[i].ifindex;
	}
	return first;
}

struct add_end {
	char node[NSLAB_NAME_MAX + 1];
	const char *ifname, *id;
	struct topo_ns ns; /* the second end of a link within one node: nsfd -1, nl borrowed */
	int ifindex, master;
};

/* The highest ifindex of e's namespace in *max; -EEXIST when e's interface is there already
 * (made inside the node, not by nslab). */
static int ns_scan(struct add_end *e, int *max, struct nslab_err *err)
{
	struct nslab_nl_link_info *li = NULL;
	size_t n = 0;
	int r = nslab_nl_dump_links(e->ns.nl, &li, &n, err);

	for (size_t i = 0; r == 0 && i < n; i++) {
		if (li[i].ifindex > *max)
			*max = li[i].ifindex;
		if (strcmp(li[i].ifname, e->ifname) == 0)
			r = nslab_err_set(err, EEXIST, "node %s already has a device %s (not made by nslab)", e->node,
					  e->ifname);
	}
	free(li);
	return r;
}

/* Both ends' ifindexes: past every ifindex of both namespaces, and different (a veth whose ends
 * share an ifindex gets its carrier late: see nslab_topo_distinct_link_ifindexes()). The second
 * is past the first's namespace too: kernels before 6.14 look it up there. */
static int pick_ifindexes(struct add_end *e, struct nslab_err *err)
{
	int max0 = 1, max1 = 1, r;

	r = ns_scan(&e[0], &max0, err);
	if (r == 0)
		r = ns_scan(&e[1], &max1, err);
	if (r < 0)
		return r;
	e[0].ifindex = max0 + 1;
	e[1].ifindex = (max0 > max1 ? max0 : max1) + 1;
	if (e[1].ifindex <= e[0].ifindex)
		e[1].ifindex = e[0].ifindex + 1;
	return 0;
}

static void addrs_build(struct nslab_nlb *b, const struct add_end *e, const struct nslab_prefix *p, size_t n)
{
	for (size_t k = 0; k < n; k++) {
		char a[64];
		_cleanup_free_ char *what = xasprintf("adding %s to %s", nslab_prefix_fmt(&p[k], true, a, sizeof(a)), e->id);
		nslab_nlb_addr_add(b, e->ifindex, p[k].family, p[k].addr, p[k].plen, what);
	}
}

/* Delete the veth if it is there: a device of e[0]'s name at the ifindex nslab gave it (neither
 * was there before: ns_scan()). The kernel takes the peer. */
static void veth_undo(struct add_end *e)
{
	struct nslab_nl_link_info *li = NULL;
	struct nslab_err derr = { 0 };
	size_t n = 0;

	if (nslab_nl_dump_links(e[0].ns.nl, &li, &n, &derr) < 0)
		return;
	for (size_t i = 0; i < n; i++)
		if (li[i].ifindex == e[0].ifindex && strcmp(li[i].ifname, e[0].ifname) == 0) {
			struct nslab_nlb *b = nslab_nlb_new();
			nslab_nlb_link_del(b, e[0].ifindex, "rollback");
			nslab_nl_send(e[0].ns.nl, b, &derr);
			nslab_nlb_free(b);
		}
	free(li);
}

/* Make the veth, one batch per namespace: through a's socket the pair (b's end born in b's
 * namespace), a's end up (and enslaved on a bridge node) and a's addresses; through b's socket
 * b's end up (enslaved) and its addresses. On failure nothing is left. */
static int veth_make(struct add_end *e, const struct nslab_link_new *ln, struct nslab_err *err)
{
	unsigned mtu = ln->mtu ? ln->mtu : NSLAB_DEFAULT_MTU;
	bool same = e[1].ns.nsfd < 0;
	struct nslab_nl_linkend m = { .ifname = e[0].ifname, .ifindex = e[0].ifindex, .netns_fd = -1, .mtu = mtu,
				      .queues = NSLAB_VETH_QUEUES, .up = true, .master_ifindex = e[0].master };
	struct nslab_nl_linkend p = { .ifname = e[1].ifname, .ifindex = e[1].ifindex, .netns_fd = e[1].ns.nsfd,
				      .mtu = mtu, .queues = NSLAB_VETH_QUEUES };
	_cleanup_free_ char *what = xasprintf("creating link %s -- %s", e[0].id, e[1].id);
	struct nslab_nlb *ba = nslab_nlb_new(), *bb = same ? ba : nslab_nlb_new();
	int r;

	nslab_nlb_veth_add(ba, &m, &p, what);
	addrs_build(ba, &e[0], ln->addrs[0], ln->naddrs[0]);
	nslab_nlb_link_set(bb, e[1].ifindex, 1, 0, e[1].master ? e[1].master : -1, what);
	addrs_build(bb, &e[1], ln->addrs[1], ln->naddrs[1]);
	r = nslab_nl_send(e[0].ns.nl, ba, err);
	if (r == 0 && !same)
		r = nslab_nl_send(e[1].ns.nl, bb, err);
	if (r < 0)
		veth_undo(e);
	if (!same)
		nslab_nlb_free(bb);
	nslab_nlb_free(ba);
	return r;
}

/* Lock the lab, read its state (which must be "running") and journal: the lock's fd, or -errno. */
static int topo_begin(const char *lab, struct nslab_lab_state *st, struct nslab_journal *jr, struct nslab_err *err)
{
	int lock, r;

	memset(jr, 0, sizeof(*jr));
	if (!nslab_name_valid(lab))
		return nslab_err_set(err, EINVAL, "'%s' is not a valid lab name", lab);
	lock = nslab_lab_lock(lab, false, false, err);
	if (lock < 0)
		return lock;
	r = nslab_state_read(lab, st, err);
	if (r == 0 && strcmp(st->status, "running") != 0)
		r = nslab_err_set(err, EBUSY, "lab %s is not running (status: %s)", lab, st->status);
	if (r == 0)
		r = nslab_journal_read(lab, jr, err);
	if (r < 0) {
		close(lock);
		return r;
	}
	return lock;
}

/* {"lab", "link", "mtu", "ends": [...]}: both ends of the link a belongs to, as st records them. */
static json_t *link_json(const char *lab, const struct nslab_lab_state *st, const char *a)
{
	const char *ids[2] = { a, NULL };
	json_t *o = json_object(), *ends = json_array();
	unsigned mtu = 0;

	for (size_t i = 0; i < 2 && ids[i]; i++) {
		char node[NSLAB_NAME_MAX + 1];
		const char *ifname;
		const struct nslab_st_iface *si;
		json_t *je, *addrs = json_array();
		int master;

		if (split_end(ids[i], node, sizeof(node), &ifname) < 0 ||
		    !(si = nslab_state_iface(nslab_state_node(st, node), ifname)))
			break;
		if (i == 0)
			ids[1] = si->peer;
		mtu = si->configured_mtu;
		for (size_t k = 0; k < si->naddrs; k++)
			json_array_append_new(addrs, json_string(si->addrs[k]));
		/* state.json of an older nslab names no master: a bridge node's ports then have its own */
		master = si->master ? 0 : nslab_state_link_master(st, node);
		je = json_pack("{s:s,s:s,s:s,s:i,s:o,s:o}", "end", ids[i], "node", node, "interface", ifname, "ifindex",
			       si->ifindex, "addresses", addrs, "master",
			       si->master ? json_string(si->master)
			       : master	  ? json_string(nslab_state_node(st, node)->name)
					  : json_null());
		json_array_append_new(ends, je);
	}
	json_object_set_new(o, "lab", json_string(lab));
	json_object_set_new(o, "link",
			    json_sprintf("%s -- %s", a, json_string_value(json_object_get(json_array_get(ends, 1), "end"))));
	json_object_set_new(o, "mtu", json_integer(mtu));
	json_object_set_new(o, "ends", ends);
	return o;
}

static int link_add_locked(const char *lab, struct nslab_lab_state *st, const struct nslab_journal *jr,
			   const struct nslab_link_new *ln, struct add_end *e, struct nslab_err *err)
{
	bool addrs = ln->naddrs[0] || ln->naddrs[1];
	int r = nslab_state_link_check_new(st, ln, err);

	for (size_t i = 0; r == 0 && i < 2; i++) {
		split_end(e[i].id, e[i].node, sizeof(e[i].node), &e[i].ifname);
		e[i].master = ln->bridge[i][0] ? node_bridge_dev(nslab_state_node(st, e[i].node), ln->bridge[i])
					       : nslab_state_link_master(st, e[i].node);
		if (i == 0 || strcmp(e[1].node, e[0].node) != 0) {
			r = topo_ns_open(lab, jr, e[i].node, &e[i].ns, err);
		} else {
			e[1].ns.nsfd = -1; /* the same node: its socket makes both ends */
			e[1].ns.nl = e[0].ns.nl;
		}
	}
	if (r == 0)
		r = pick_ifindexes(e, err);
	/* journal before create; destroy needs nothing of it (the ends die with the nodes) */
	if (r == 0)
		r = nslab_journal_append(lab, err, "link %s %s", ln->end[0], ln->end[1]);
	if (r == 0)
		r = veth_make(e, ln, err);
	if (r < 0)
		return r;
	if (addrs)
		r = hosts_refresh(lab, st, jr, err);
	if (r == 0) {
		nslab_state_link_add(st, ln, (int[2]){ e[0].ifindex, e[1].ifindex });
		r = nslab_state_write(lab, st, err);
	}
	if (r < 0) {
		struct nslab_err derr = { 0 };
		veth_undo(e);
		if (addrs)
			hosts_refresh(lab, st, jr, &derr);
	}
	return r;
}

int nslab_link_add(const char *lab, const struct nslab_link_new *ln, json_t **out, struct nslab_err *err)
{
	struct nslab_lab_state st = { 0 };
	struct nslab_journal jr;
	struct add_end e[2] = { { .id = ln->end[0], .ns = { -1, NULL } }, { .id = ln->end[1], .ns = { -1, NULL } } };
	int lock, r;

	if (out)
		*out = NULL;
	for (size_t i = 0; i < 2; i++)
		for (size_t k = 0; k < ln->naddrs[i]; k++)
			if (ln->addrs[i][k].family == AF_INET6 && nslab_host_ipv6() == NSLAB_HOST_IPV6_NONE) {
				char a[64];
				return nslab_err_set(err, EAFNOSUPPORT,
						     "adding link %s -- %s to lab %s: %s on %s: this host has no IPv6 "
						     "(booted with ipv6.disable=1)",
						     ln->end[0], ln->end[1], lab,
						     nslab_prefix_fmt(&ln->addrs[i][k], true, a, sizeof(a)), ln->end[i]);
			}
	lock = topo_begin(lab, &st, &jr, err);
	if (lock < 0) {
		nslab_state_free(&st);
		return nslab_err_prefix(err, "adding link %s -- %s to lab %s", ln->end[0], ln->end[1], lab);
	}
	r = link_add_locked(lab, &st, &jr, ln, e, err);
	if (r == 0 && out)
		*out = link_json(lab, &st, ln->end[0]);
	topo_ns_close(&e[0].ns);
	if (e[1].ns.nsfd >= 0)
		topo_ns_close(&e[1].ns);
	nslab_journal_free(&jr);
	nslab_state_free(&st);
	close(lock);
	return r < 0 ? nslab_err_prefix(err, "adding link %s -- %s to lab %s", ln->end[0], ln->end[1], lab) : 0;
}

int nslab_link_remove(const char *lab, const struct nslab_link_sel *s, json_t **out, struct nslab_err *err)
{
	struct nslab_lab_state st = { 0 };
	struct nslab_journal jr;
	struct topo_ns ns = { -1, NULL };
	char node[NSLAB_NAME_MAX + 1];
	const char *ifname;
	_cleanup_free_ char *peer = NULL;
	const struct nslab_st_iface *si = NULL;
	json_t *j = NULL;
	int lock, r;

	if (out)
		*out = NULL;
	if (split_end(s->a, node, sizeof(node), &ifname) < 0)
		return nslab_err_set(err, EINVAL, "'%s' is not NODE:INTERFACE", s->a);
	lock = topo_begin(lab, &st, &jr, err);
	if (lock < 0) {
		nslab_state_free(&st);
		return nslab_err_prefix(err, "removing link %s from lab %s", s->a, lab);
	}
	r = nslab_state_link_check_end(&st, s->a, s->b, err);
	if (r == 0) {
		si = nslab_state_iface(nslab_state_node(&st, node), ifname);
		peer = xstrdup(si->peer);
		j = link_json(lab, &st, s->a);
		r = topo_ns_open(lab, &jr, node, &ns, err);
	}
	if (r == 0)
		r = nslab_journal_append(lab, err, "unlink %s %s", s->a, peer);
	if (r == 0) {
		struct nslab_nlb *b = nslab_nlb_new();
		nslab_nlb_link_del(b, si->ifindex, s->a);
		r = nslab_nl_send(ns.nl, b, err);
		nslab_nlb_free(b);
		if (r == -ENODEV) /* gone already (deleted inside the node): the state follows */
			r = 0;
	}
	if (r == 0) {
		nslab_state_link_remove(&st, s->a, peer);
		r = nslab_state_write(lab, &st, err);
	}
	/* the link's addresses went with it: names follow. The link is gone whatever this says, so
	 * a failure here is a warning in *out, not the command's failure */
	if (r == 0) {
		struct nslab_err herr = { 0 };
		if (hosts_refresh(lab, &st, &jr, &herr) < 0)
			json_object_set_new(j, "warnings", json_pack("[o]", json_string_nocheck(herr.msg)));
	}
	if (r == 0 && out)
		*out = json_incref(j);
	json_decref(j);
	topo_ns_close(&ns);
	nslab_journal_free(&jr);
	nslab_state_free(&st);
	close(lock);
	return r < 0 ? nslab_err_prefix(err, "removing link %s from lab %s", s->a, lab) : 0;
}
