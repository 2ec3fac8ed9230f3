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
#include <unistd.h>

#include "../netlink/nl.h"
#include "../util/util.h"
#include "journal.h"
#include "labstate.h"
#include "node.h"
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

int nslab_state_link_check_new(const struct nslab_lab_state *st, const char *a, const char *b,
			       struct nslab_err *err)
{
	const char *ends[2] = { a, b };

	if (strcmp(a, b) == 0)
		return nslab_err_set(err, EINVAL, "a link joins two different interfaces, not %s twice", a);
	for (size_t i = 0; i < 2; i++) {
		char node[NSLAB_NAME_MAX + 1];
		const char *ifname;
		const struct nslab_st_node *n;

		if (split_end(ends[i], node, sizeof(node), &ifname) < 0)
			return nslab_err_set(err, EINVAL, "'%s' is not NODE:INTERFACE", ends[i]);
		n = nslab_state_node(st, node);
		if (!n)
			return nslab_err_set(err, ENOENT, "lab %s has no node %s", st->name, node);
		if (nslab_state_iface(n, ifname))
			return nslab_err_set(err, EEXIST, "node %s of lab %s already has an interface %s", node, st->name,
					     ifname);
		if (strcmp(ifname, "lo") == 0)
			return nslab_err_set(err, EINVAL, "%s: lo is the node's loopback", ends[i]);
	}
	return 0;
}

void nslab_state_link_add(struct nslab_lab_state *st, const char *a, int ifindex_a, const char *b, int ifindex_b,
			  unsigned mtu)
{
	const char *ends[2] = { a, b };
	int ifindex[2] = { ifindex_a, ifindex_b };
	struct nslab_st_link *l;

	for (size_t i = 0; i < 2; i++) {
		char node[NSLAB_NAME_MAX + 1];
		const char *ifname;
		struct nslab_st_node *n;
		struct nslab_st_iface *si;

		if (split_end(ends[i], node, sizeof(node), &ifname) < 0 || !(n = nslab_state_node(st, node)))
			continue; /* checked by nslab_state_link_check_new() */
		si = VEC_PUSH(n->ifaces, n->nifaces);
		si->name = xstrdup(ifname);
		si->ifindex = ifindex[i];
		si->configured_mtu = mtu;
		si->peer = xstrdup(ends[!i]);
	}
	l = VEC_PUSH(st->links, st->nlinks);
	l->a = xstrdup(a);
	l->b = xstrdup(b);
	l->mtu = mtu;
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
	free(si->name);
	nslab_strv_free(si->addrs, si->naddrs);
	free(si->peer);
	nslab_state_saved_free(si->saved);
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

static int topo_ns_open(const char *lab, const char *node, struct topo_ns *ns, struct nslab_err *err)
{
	int pidfd, r;
	pid_t pid;
	struct nslab_journal jr;
	const struct nslab_journal_node *jn;

	ns->nsfd = -1;
	ns->nl = NULL;
	r = nslab_journal_read(lab, &jr, err);
	if (r < 0)
		return r;
	jn = nslab_journal_node(&jr, node);
	pidfd = jn ? nslab_pidfd_open_verified(jn->pid, jn->start) : -ESRCH;
	pid = jn ? jn->pid : 0;
	nslab_journal_free(&jr);
	if (pidfd < 0)
		return nslab_err_set(err, ESRCH, "node %s of lab %s is not running", node, lab);
	ns->nsfd = nslab_pidfd_ns_open(pidfd, pid, "net");
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

/* The ifindex of ifname in the socket's namespace (and of its master bridge device, for a port). */
static int ifindex_of(struct nslab_nl *nl, const char *ifname, struct nslab_err *err)
{
	struct nslab_nl_link_info *li = NULL;
	size_t n = 0;
	int r, found = -ENODEV;

	r = nslab_nl_dump_links(nl, &li, &n, err);
	if (r < 0)
		return r;
	for (size_t i = 0; i < n; i++)
		if (strcmp(li[i].ifname, ifname) == 0)
			found = li[i].ifindex;
	free(li);
	if (found < 0)
		return nslab_err_set(err, ENODEV, "%s was not found after it was made", ifname);
	return found;
}

/* The bridge device of a bridge node (its ports are enslaved to it), else 0. */
static int bridge_of(const struct nslab_lab_state *st, const char *node)
{
	const struct nslab_st_node *n = nslab_state_node(st, node);

	for (size_t i = 0; n && i < n->nifaces; i++)
		if (n->ifaces[i].bridge)
			return n->ifaces[i].ifindex;
	return 0;
}

struct add_end {
	char node[NSLAB_NAME_MAX + 1];
	const char *ifname, *id;
	struct topo_ns ns;
	int ifindex, master;
};

/* Make the veth: a's end through a's socket, b's born in b's namespace; both up (and enslaved on
 * a bridge node). Each end's ifindex in e[i].ifindex. On failure nothing is left. */
static int veth_make(struct add_end *e, unsigned mtu, struct nslab_err *err)
{
	struct nslab_nl_linkend m = { .ifname = e[0].ifname, .netns_fd = -1, .mtu = mtu, .queues = NSLAB_VETH_QUEUES,
				      .up = true, .master_ifindex = e[0].master };
	struct nslab_nl_linkend p = { .ifname = e[1].ifname, .netns_fd = e[1].ns.nsfd, .mtu = mtu,
				      .queues = NSLAB_VETH_QUEUES };
	_cleanup_free_ char *what = xasprintf("creating link %s -- %s", e[0].id, e[1].id);
	struct nslab_nlb *b = nslab_nlb_new();
	struct nslab_nl *nlb = e[1].ns.nl ? e[1].ns.nl : e[0].ns.nl;
	int r;

	nslab_nlb_veth_add(b, &m, &p, what);
	r = nslab_nl_send(e[0].ns.nl, b, err);
	nslab_nlb_reset(b);
	if (r == 0)
		r = e[0].ifindex = ifindex_of(e[0].ns.nl, e[0].ifname, err);
	if (r >= 0)
		r = e[1].ifindex = ifindex_of(nlb, e[1].ifname, err);
	if (r >= 0) {
		nslab_nlb_link_set(b, e[1].ifindex, 1, 0, e[1].master ? e[1].master : -1, what);
		r = nslab_nl_send(nlb, b, err);
	}
	if (r < 0 && e[0].ifindex > 0) {
		struct nslab_err derr = { 0 };
		nslab_nlb_reset(b);
		nslab_nlb_link_del(b, e[0].ifindex, "rollback");
		nslab_nl_send(e[0].ns.nl, b, &derr);
	}
	nslab_nlb_free(b);
	return r < 0 ? r : 0;
}

/* Lock the lab and read its state, which must be "running": the lock's fd, or -errno. */
static int topo_begin(const char *lab, struct nslab_lab_state *st, struct nslab_err *err)
{
	int lock, r;

	if (!nslab_name_valid(lab))
		return nslab_err_set(err, EINVAL, "'%s' is not a valid lab name", lab);
	lock = nslab_lab_lock(lab, false, false, err);
	if (lock < 0)
		return lock;
	r = nslab_state_read(lab, st, err);
	if (r == 0 && strcmp(st->status, "running") != 0)
		r = nslab_err_set(err, EBUSY, "lab %s is not running (status: %s)", lab, st->status);
	if (r < 0) {
		close(lock);
		return r;
	}
	return lock;
}

int nslab_link_add(const char *lab, const char *a, const char *b, unsigned mtu, struct nslab_err *err)
{
	struct nslab_lab_state st = { 0 };
	struct add_end e[2] = { { .id = a, .ns = { -1, NULL } }, { .id = b, .ns = { -1, NULL } } };
	int lock, r;

	if (mtu == 0)
		mtu = NSLAB_DEFAULT_MTU;
	lock = topo_begin(lab, &st, err);
	if (lock < 0) {
		nslab_state_free(&st);
		return lock;
	}
	r = nslab_state_link_check_new(&st, a, b, err);
	for (size_t i = 0; r == 0 && i < 2; i++) {
		split_end(e[i].id, e[i].node, sizeof(e[i].node), &e[i].ifname);
		e[i].master = bridge_of(&st, e[i].node);
		if (i == 0 || strcmp(e[1].node, e[0].node) != 0)
			r = topo_ns_open(lab, e[i].node, &e[i].ns, err);
		else
			e[1].ns.nsfd = -1; /* the same node: its socket makes both ends */
	}
	/* journal before create; destroy needs nothing of it (the ends die with the nodes) */
	if (r == 0)
		r = nslab_journal_append(lab, err, "link %s %s", a, b);
	if (r == 0)
		r = veth_make(e, mtu, err);
	if (r == 0) {
		nslab_state_link_add(&st, a, e[0].ifindex, b, e[1].ifindex, mtu);
		r = nslab_state_write(lab, &st, err);
		if (r < 0) {
			struct nslab_nlb *del = nslab_nlb_new();
			struct nslab_err derr = { 0 };
			nslab_nlb_link_del(del, e[0].ifindex, "rollback");
			nslab_nl_send(e[0].ns.nl, del, &derr);
			nslab_nlb_free(del);
		}
	}
	topo_ns_close(&e[0].ns);
	topo_ns_close(&e[1].ns);
	nslab_state_free(&st);
	close(lock);
	return r < 0 ? nslab_err_prefix(err, "adding link %s -- %s to lab %s", a, b, lab) : 0;
}

int nslab_link_remove(const char *lab, const struct nslab_link_sel *s, struct nslab_err *err)
{
	struct nslab_lab_state st = { 0 };
	struct topo_ns ns = { -1, NULL };
	char node[NSLAB_NAME_MAX + 1];
	const char *ifname;
	_cleanup_free_ char *peer = NULL;
	const struct nslab_st_iface *si = NULL;
	int lock, r;

	if (split_end(s->a, node, sizeof(node), &ifname) < 0)
		return nslab_err_set(err, EINVAL, "'%s' is not NODE:INTERFACE", s->a);
	lock = topo_begin(lab, &st, err);
	if (lock < 0) {
		nslab_state_free(&st);
		return lock;
	}
	r = 0;
	if (!nslab_state_node(&st, node))
		r = nslab_err_set(err, ENOENT, "lab %s has no node %s", lab, node);
	if (r == 0 && !(si = nslab_state_iface(nslab_state_node(&st, node), ifname)))
		r = nslab_err_set(err, ENOENT, "node %s of lab %s has no interface %s", node, lab, ifname);
	if (r == 0 && !si->peer)
		r = nslab_err_set(err, EINVAL, "%s is not the end of a link", s->a);
	if (r == 0 && s->b && strcmp(s->b, si->peer) != 0)
		r = nslab_err_set(err, EINVAL, "%s is not the peer of %s (its peer is %s)", s->b, s->a, si->peer);
	if (r == 0) {
		peer = xstrdup(si->peer);
		r = topo_ns_open(lab, node, &ns, err);
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
	topo_ns_close(&ns);
	nslab_state_free(&st);
	close(lock);
	return r < 0 ? nslab_err_prefix(err, "removing link %s from lab %s", s->a, lab) : 0;
}
