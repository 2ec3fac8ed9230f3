// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * core/deploy.c: the deploy executor. It takes the plan (core/plan.h, what `nslab plan` prints),
 * puts each operation where its phase runs (the placement table below), and runs the phases;
 * every object is journaled before it can outlive a crash, and a failure rolls back through
 * destroy (core/destroy.c).
 */
#include "lab.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../netlink/nl.h"
#include "../util/util.h"
#include "cgroup.h"
#include "copytree.h"
#include "destroy.h"
#include "execs.h"
#include "impair.h"
#include "journal.h"
#include "deploy_netns.h"
#include "deploy_prep.h"
#include "labstate.h"
#include "live.h"
#include "mgmt.h"
#include "node.h"
#include "plan.h"
#include "rootfs.h"
#include "rundir.h"
#include "service.h"

/*
 * Where each phase runs, and how its operations are batched. The plan says what to do; this
 * table says where: the executor walks the plan once and puts every operation in the queue its
 * phase names (placement happens when that queue's namespaces can be named: the veth batch
 * carries namespace fds, so it is built once the nodes exist).
 */
enum nslab_where {
	NSLAB_AT_SPAWNER, /* cloned by the spawner (a small re-executed nslab, core/node.h) in chunks of
			   * NSLAB_BROOD_CHUNK; journaled, put in their cgroups and released by the
			   * deployer while the spawner clones the next chunks */
	NSLAB_AT_NODE_SETUP, /* inside each node, step 1, all nodes in parallel: a sysctl list and a
			      * netlink batch per node */
	NSLAB_AT_DEPLOYER, /* by the deployer, node after node (see nslab_sysctl_is_forwarding()) */
	NSLAB_AT_STAGING,  /* by the deployer, one netlink batch for the whole lab, sent from an empty
			    * staging namespace (both veth ends carry their node's namespace fd) */
	NSLAB_AT_NODE_WIRE, /* inside each node, step 2, in parallel: each node sends its own batch on
			     * a socket born in its namespace, then writes its interface sysctls */
	NSLAB_AT_EXEC,	    /* by the deployer through nslab_node_start(), each node's commands in
			     * order, up to NSLAB_EXEC_PARALLEL nodes at once */
	NSLAB_AT_HOST,	    /* by the deployer in the host's namespace, all at once (nslab_mgmt_setup()) */
	NSLAB_AT_SERVICES,  /* by the deployer, from the services it prepared (nslab_services_start()) */
};

static const enum nslab_where phase_where[NSLAB_PHASE__COUNT] = {
	[NSLAB_PHASE_NODES] = NSLAB_AT_SPAWNER,
	[NSLAB_PHASE_SYSCTLS] = NSLAB_AT_NODE_SETUP,
	[NSLAB_PHASE_DEVICES] = NSLAB_AT_NODE_SETUP,
	[NSLAB_PHASE_FORWARDING] = NSLAB_AT_DEPLOYER,
	[NSLAB_PHASE_LINKS] = NSLAB_AT_STAGING,
	[NSLAB_PHASE_UP] = NSLAB_AT_NODE_WIRE,
	[NSLAB_PHASE_ADDRS] = NSLAB_AT_NODE_WIRE,
	[NSLAB_PHASE_ROUTES] = NSLAB_AT_NODE_WIRE,
	[NSLAB_PHASE_QDISCS] = NSLAB_AT_NODE_WIRE,
	[NSLAB_PHASE_LATE_SYSCTLS] = NSLAB_AT_NODE_WIRE,
	[NSLAB_PHASE_HOST] = NSLAB_AT_HOST,
	[NSLAB_PHASE_SERVICES] = NSLAB_AT_SERVICES,
	[NSLAB_PHASE_EXEC] = NSLAB_AT_EXEC,
};

/* Key/value pairs of sysctls to write, per node. */
struct sysctls {
	const char **kv; /* key, value, key, value... */
	size_t n;
};

struct deploy {
	const struct nslab_topo *t;
	const struct nslab_plan *plan;
	const struct nslab_deploy_opts *o;
	const char *lab;
	struct nslab_brood brood;
	bool brood_open;
	pid_t *pids;
	unsigned long long *starts;
	const char **names;
	int *netns_fds;
	int *pidfds;
	/* the queues, per node where a node runs them */
	struct nslab_nlb **early, **wire;
	struct sysctls *early_sysctl, *late_sysctl, *fwd_sysctl;
	struct nslab_nlb *veths;
	struct nslab_services svc; /* what starts in the nodes before exec (core/service.h) */
	struct nslab_cg_sys cg;
	bool cg_ok; /* cgroups usable: every node gets its own (accounting at least) */
	struct nslab_err jerr; /* why the last cgroup journal line failed */
	struct nslab_rootfs_lab rootfs;
};

static bool has_limits(const struct nslab_limits *l)
{
	return l->cpu > 0 || l->cpuset || l->memory_bytes || l->cpu_weight || l->pids || l->net_cls_auto || l->net_cls;
}

static int journal_cgroup(void *ctx, const char *path)
{
	struct deploy *d = ctx;
	return nslab_journal_append(d->lab, &d->jerr, "cgroup %s", path);
}

/* The node's cgroups, journaled before each mkdir. core/cgroup.c hears only that the journal
 * failed: the reason (a full run directory...) is in d->jerr, and becomes the error. */
static int cgroups_prepare(struct deploy *d, const struct nslab_node *node, struct nslab_err *err)
{
	int r;

	nslab_err_clear(&d->jerr);
	r = nslab_cg_prepare_node(&d->cg, d->lab, node->name, &node->limits, NSLAB_CG_F_ALL | NSLAB_CG_F_ACCOUNT,
				  journal_cgroup, d, err);
	if (r < 0 && d->jerr.code)
		return nslab_err_set(err, d->jerr.code, "node %s: %s", node->name, d->jerr.msg);
	return r;
}

/* Before anything exists: detect the hierarchies and check every node's limits against them. */
static int cgroups_check(struct deploy *d, struct nslab_err *err)
{
	struct nslab_err derr = { 0 };
	bool need = false;

	for (size_t n = 0; n < d->t->nnodes; n++)
		need |= has_limits(&d->t->nodes[n].limits);
	d->cg_ok = nslab_cg_detect(&d->cg, &derr) == 0 && d->cg.mode != NSLAB_CG_MODE_NONE;
	if (!d->cg_ok) {
		if (need)
			return nslab_err_set(err, derr.code ? derr.code : ENOTSUP, "resource limits need cgroups: %s",
					     derr.msg[0] ? derr.msg : "no cgroup hierarchy is mounted");
		return 0; /* no cgroups at all: nodes run without accounting */
	}
	for (size_t n = 0; n < d->t->nnodes; n++) {
		const struct nslab_node *node = &d->t->nodes[n];
		if (!has_limits(&node->limits))
			continue;
		int r = nslab_cg_check(&d->cg, d->lab, node->name, &node->limits, NSLAB_CG_F_ALL, err);
		if (r < 0)
			return r;
	}
	return 0;
}

/* The node's own cgroups (journaled before each mkdir), and its init moved in before it runs. */
/* On a pure cgroup v2 host each init is born in its cgroup (see clone_node() in core/node.c):
 * its directory is made when its chunk is handed to the spawner, and nothing is moved later. */
static bool cg_born_in(const struct deploy *d)
{
	return d->cg_ok && d->cg.mode == NSLAB_CG_MODE_V2 && d->cg.v2 >= 0;
}

static int cgroups_node(struct deploy *d, size_t n, struct nslab_err *err)
{
	const struct nslab_node *node = &d->t->nodes[n];
	int r;

	if (!d->cg_ok || cg_born_in(d))
		return 0;
	r = cgroups_prepare(d, node, err);
	if (r == 0)
		r = nslab_cg_attach(&d->cg, d->lab, node->name, d->pids[n], err);
	return r;
}

/* The netlink batch of a place, for a node (created when first needed). */
static struct nslab_nlb *nlb_at(struct deploy *d, enum nslab_where w, size_t node)
{
	struct nslab_nlb **v = w == NSLAB_AT_NODE_SETUP ? d->early : d->wire;

	if (w == NSLAB_AT_STAGING)
		return d->veths;
	if (!v[node])
		v[node] = nslab_nlb_new();
	return v[node];
}

static struct sysctls *sysctls_at(struct deploy *d, enum nslab_where w, size_t node)
{
	if (w == NSLAB_AT_DEPLOYER)
		return &d->fwd_sysctl[node];
	return w == NSLAB_AT_NODE_WIRE ? &d->late_sysctl[node] : &d->early_sysctl[node];
}

static void sysctls_push(struct sysctls *s, const char *key, const char *value)
{
	s->kv = xrealloc(s->kv, (s->n + 1) * 2 * sizeof(char *));
	s->kv[2 * s->n] = key;
	s->kv[2 * s->n + 1] = value;
	s->n++;
}

/* ---- one builder per operation type: the requests that make the operation's object ---- */

typedef void op_build_fn(struct deploy *d, const struct nslab_op *op, struct nslab_nlb *b, const char *what);

static void build_lo_up(struct deploy *d, const struct nslab_op *op, struct nslab_nlb *b, const char *what)
{
	(void)d;
	(void)op;
	nslab_nlb_link_set(b, NSLAB_IFINDEX_LO, 1, 0, -1, what);
}

static void build_bridge(struct deploy *d, const struct nslab_op *op, struct nslab_nlb *b, const char *what)
{
	const struct nslab_brdev *br = &d->t->nodes[op->node].bridges[op->item];
	nslab_nlb_bridge_add(b, br->name, br->ifindex, 0, false, true, what);
}

/* One veth end as the kernel gets it: born in its node's namespace under its final name. */
static struct nslab_nl_linkend linkend(const struct deploy *d, const struct nslab_endpoint *ep)
{
	const struct nslab_node *n = &d->t->nodes[ep->node];
	const struct nslab_iface *ifc = &n->ifaces[ep->iface];

	return (struct nslab_nl_linkend){
		.ifname = ifc->name,
		.ifindex = ifc->ifindex,
		.netns_fd = d->netns_fds[ep->node],
		.mtu = ifc->mtu,
		.mac = ifc->has_mac ? ifc->mac : NULL,
		.queues = NSLAB_VETH_QUEUES,
	};
}

static void build_veth(struct deploy *d, const struct nslab_op *op, struct nslab_nlb *b, const char *what)
{
	const struct nslab_link *lk = &d->t->links[op->link];
	const struct nslab_endpoint *me = &lk->ep[op->main_end];
	const struct nslab_node *mn = &d->t->nodes[me->node];
	struct nslab_nl_linkend m = linkend(d, me), p = linkend(d, &lk->ep[!op->main_end]);

	m.up = !mn->ifaces[me->iface].down;
	m.master_ifindex = mn->ifaces[me->iface].master;
	nslab_nlb_veth_add(b, &m, &p, what);
}

static void build_link_up(struct deploy *d, const struct nslab_op *op, struct nslab_nlb *b, const char *what)
{
	const struct nslab_node *node = &d->t->nodes[op->node];
	const struct nslab_iface *ifc = &node->ifaces[op->iface];

	nslab_nlb_link_set(b, ifc->ifindex, ifc->down ? -1 : 1, 0, ifc->master ? ifc->master : -1, what);
}

static void build_addr(struct deploy *d, const struct nslab_op *op, struct nslab_nlb *b, const char *what)
{
	const struct nslab_iface *ifc = &d->t->nodes[op->node].ifaces[op->iface];
	const struct nslab_prefix *a = &ifc->addrs[op->item];

	nslab_nlb_addr_add(b, ifc->ifindex, a->family, a->addr, a->plen, what);
}

static void build_route(struct deploy *d, const struct nslab_op *op, struct nslab_nlb *b, const char *what)
{
	const struct nslab_node *node = &d->t->nodes[op->node];
	const struct nslab_route *rt = &node->routes[op->item];
	int oif = 0;

	if (rt->dev) {
		for (size_t i = 0; i < node->nifaces; i++)
			if (strcmp(node->ifaces[i].name, rt->dev) == 0)
				oif = node->ifaces[i].ifindex;
		if (!oif && strcmp(rt->dev, "lo") == 0)
			oif = NSLAB_IFINDEX_LO;
	}
	nslab_nlb_route_add(b, rt->dst.family, rt->dst.addr, rt->dst.plen, rt->has_via ? rt->via.addr : NULL, oif,
			    rt->metric, what);
}

static void build_qdisc(struct deploy *d, const struct nslab_op *op, struct nslab_nlb *b, const char *what)
{
	const struct nslab_iface *ifc = &d->t->nodes[op->node].ifaces[op->iface];
	nslab_impair_build(b, ifc->ifindex, ifc->mtu, &ifc->impair, what);
}

/* NULL: the operation is no netlink request (nodes and execs are run from the plan directly,
 * sysctls are queued as key/value pairs). */
static op_build_fn *const op_build[NSLAB_OP__COUNT] = {
	[NSLAB_OP_LO_UP] = build_lo_up,	    [NSLAB_OP_BRIDGE] = build_bridge, [NSLAB_OP_VETH] = build_veth,
	[NSLAB_OP_LINK_UP] = build_link_up, [NSLAB_OP_ADDR] = build_addr,     [NSLAB_OP_ROUTE] = build_route,
	[NSLAB_OP_QDISC] = build_qdisc,
};

/* Put one plan operation in the queue of the place its phase runs. */
static void place_op(struct deploy *d, const struct nslab_op *op)
{
	enum nslab_where w = phase_where[op->phase];

	if (op->type == NSLAB_OP_SYSCTL) {
		sysctls_push(sysctls_at(d, w, op->node), op->key, op->value);
	} else if (op_build[op->type]) {
		_cleanup_free_ char *what = nslab_op_describe(d->plan, op);
		op_build[op->type](d, op, nlb_at(d, w, op->node), what);
	}
}

/* Place the operations whose requests name the nodes' namespaces by fd (nodes_exist) or the
 * others: each operation is placed once, in plan order within its queue. */
static void place_ops(struct deploy *d, bool nodes_exist)
{
	for (size_t i = 0; i < d->plan->nops; i++)
		if ((phase_where[d->plan->ops[i].phase] == NSLAB_AT_STAGING) == nodes_exist)
			place_op(d, &d->plan->ops[i]);
}

static void phase(struct deploy *d, const char *name, size_t nops)
{
	if (d->o && d->o->on_phase)
		d->o->on_phase(d->o->ctx, name, nops);
}

/* Journal nodes [from, to) in one write. */
static int journal_nodes(struct deploy *d, size_t from, size_t to, struct nslab_err *err)
{
	char *jbuf = NULL;
	size_t jlen = 0;
	int r;

	if (from == to)
		return 0;
	for (size_t n = from; n < to; n++) {
		char line[128];
		int len = snprintf(line, sizeof(line), "node %s %d %llu\n", d->t->nodes[n].name, (int)d->pids[n],
				   d->starts[n]);
		jbuf = xrealloc(jbuf, jlen + (size_t)len + 1);
		memcpy(jbuf + jlen, line, (size_t)len + 1);
		jlen += (size_t)len;
	}
	if (!jbuf)
		return 0;
	jbuf[jlen - 1] = '\0'; /* journal_append adds the last newline */
	r = nslab_journal_append(d->lab, err, "%s", jbuf);
	free(jbuf);
	return r;
}

/* Hand the spawner chunk k (NSLAB_BROOD_CHUNK nodes, fewer for the last). */
static int request_chunk(struct deploy *d, size_t k, struct nslab_err *err)
{
	const struct nslab_topo *t = d->t;
	struct nslab_node_spec specs[NSLAB_BROOD_CHUNK] = { 0 };
	char *cgdirs[NSLAB_BROOD_CHUNK] = { 0 };
	char *layers[NSLAB_BROOD_CHUNK] = { 0 };
	char *joins[NSLAB_BROOD_CHUNK] = { 0 };
	size_t from = k * NSLAB_BROOD_CHUNK, n = t->nnodes - from;
	int r = 0;

	if (n > NSLAB_BROOD_CHUNK)
		n = NSLAB_BROOD_CHUNK;
	for (size_t i = 0; r == 0 && i < n && cg_born_in(d); i++) {
		const struct nslab_node *node = &t->nodes[from + i];
		struct stat st;
		r = cgroups_prepare(d, node, err);
		cgdirs[i] = nslab_cg_path(&d->cg, (size_t)d->cg.v2, d->lab, node->name);
		if (stat(cgdirs[i], &st) < 0) { /* no controller made it a directory: none to be born in */
			free(cgdirs[i]);
			cgdirs[i] = NULL;
		}
	}
	for (size_t i = 0; r == 0 && i < n; i++) {
		layers[i] = xasprintf("%s/%s", d->rootfs.layers, t->nodes[from + i].name);
		if (t->nodes[from + i].shares_netns) { /* network-mode container:NODE: NODE's handle, as our
							* mount namespace has it (the node's copy predates it) */
			_cleanup_free_ char *h = nslab_netns_path(d->lab, t->nodes[t->nodes[from + i].netns_of].name);
			joins[i] = xasprintf("/proc/%d/root%s", (int)getpid(), h);
		}
		specs[i] = (struct nslab_node_spec){
			.name = t->nodes[from + i].name,
			.root = nslab_rootfs_for_node(&d->rootfs, layers[i]),
			.binds = t->nodes[from + i].binds,
			.nbinds = t->nodes[from + i].nbinds,
			.early_sysctl = d->early_sysctl[from + i].kv,
			.nearly_sysctl = d->early_sysctl[from + i].n,
			.early = d->early[from + i],
			.wire = d->wire[from + i],
			.late_sysctl = d->late_sysctl[from + i].kv,
			.nlate_sysctl = d->late_sysctl[from + i].n,
			.cgroup = cgdirs[i],
			.join_netns = joins[i],
		};
	}
	if (r == 0)
		r = nslab_brood_request(&d->brood, specs, n, err);
	for (size_t i = 0; i < n; i++) {
		free(cgdirs[i]);
		free(layers[i]);
		free(joins[i]);
	}
	return r;
}

/* Spawn every node, a chunk at a time: while the spawner clones the next chunks, journal chunk k in
 * one write, put its nodes in their cgroups and release them, so that they set themselves up
 * (step 1) in parallel with both. The spawner works NSLAB_SPAWN_AHEAD chunks ahead: moving
 * processes between cgroups makes the deployer wait for an RCU grace period now and then
 * (cgroup_threadgroup_rwsem), and the spawner keeps cloning meanwhile. */
#define NSLAB_SPAWN_AHEAD 2

static int spawn_nodes(struct deploy *d, struct nslab_err *err)
{
	const struct nslab_topo *t = d->t;
	size_t nchunks = (t->nnodes + NSLAB_BROOD_CHUNK - 1) / NSLAB_BROOD_CHUNK;
	int r;

	if (!d->brood_open) {
		r = nslab_brood_open(&d->brood, err);
		if (r < 0)
			return r;
		d->brood_open = true;
	}
	r = 0;
	for (size_t k = 0; r == 0 && k < NSLAB_SPAWN_AHEAD && k < nchunks; k++)
		r = request_chunk(d, k, err);
	for (size_t k = 0; r == 0 && k < nchunks; k++) {
		size_t from = k * NSLAB_BROOD_CHUNK;
		size_t to = from + NSLAB_BROOD_CHUNK < t->nnodes ? from + NSLAB_BROOD_CHUNK : t->nnodes;

		if (k + NSLAB_SPAWN_AHEAD < nchunks)
			r = request_chunk(d, k + NSLAB_SPAWN_AHEAD, err);
		if (r == 0)
			r = nslab_brood_collect(&d->brood, to - from, d->pids + from, d->starts + from, err);
		if (r == 0)
			r = journal_nodes(d, from, to, err);
		for (size_t n = from; r == 0 && n < to; n++)
			r = cgroups_node(d, n, err);
		if (r == 0)
			r = nslab_brood_release(&d->brood, to - from, err);
	}
	if (r < 0)
		return r; /* the unjournaled children die when the brood closes */
	return nslab_brood_wait(&d->brood, t->nnodes, d->pids, d->starts, d->names, err);
}

/* Kathará's DEVICE/ folders onto their nodes' own roots (through /proc/PID/root: every write lands
 * in the node's layer, every path resolved inside that root), before services and startup files. */
static int copy_roots(struct deploy *d, struct nslab_err *err)
{
	for (size_t i = 0; i < d->t->nnodes; i++) {
		const struct nslab_node *n = &d->t->nodes[i];
		char what[512] = "";
		if (!n->root_copy)
			continue;
		_cleanup_free_ char *root = xasprintf("/proc/%d/root", (int)d->pids[i]);
		_cleanup_close_ int src = open(n->root_copy, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		_cleanup_close_ int dst = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (src < 0)
			return nslab_err_sys(err, errno, "node %s: opening %s", n->name, n->root_copy);
		if (dst < 0)
			return nslab_err_sys(err, errno, "node %s: opening its root", n->name);
		int r = nslab_copy_tree(src, dst, what, sizeof(what));
		if (r < 0)
			return nslab_err_sys(err, -r, "node %s: copying %s onto its root: %s", n->name, n->root_copy, what);
	}
	return 0;
}

/* The forwarding sysctls (see nslab_sysctl_is_forwarding()), node after node from here: by now
 * the nodes wait for their wire byte and nothing else takes RTNL. The deployer enters each
 * node's network namespace (/proc/sys/net follows the writer's namespace) and comes back.
 * The kernel's own work is about 0.1 ms per write even so. */
static int write_forwarding(struct deploy *d, struct nslab_err *err)
{
	const struct nslab_topo *t = d->t;
	_cleanup_close_ int self = -1;
	int r = 0;

	for (size_t n = 0; n < t->nnodes && r == 0; n++) {
		const struct sysctls *fwd = &d->fwd_sysctl[n];
		if (!fwd->n)
			continue;
		if (self < 0) {
			self = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
			if (self < 0)
				return nslab_err_sys(err, errno, "opening /proc/self/ns/net");
		}
		if (setns(d->netns_fds[n], CLONE_NEWNET) < 0) {
			r = nslab_err_sys(err, errno, "node %s: entering its network namespace", t->nodes[n].name);
			break;
		}
		for (size_t i = 0; i < fwd->n && r == 0; i++) {
			const char *key = fwd->kv[2 * i], *value = fwd->kv[2 * i + 1];
			/* through the node's own /proc: in the host's, every namespace's entries pile up
			 * under the same parent dentries, and each lookup walks them all (O(N) per write) */
			char root[64];
			snprintf(root, sizeof(root), "/proc/%d/root", (int)d->pids[n]);
			r = nslab_sysctl_write(root, key, value);
			if (r < 0)
				nslab_err_sys(err, -r, "node %s: sysctl %s = %s", t->nodes[n].name, key, value);
		}
	}
	if (self >= 0 && setns(self, CLONE_NEWNET) < 0 && r == 0)
		r = nslab_err_sys(err, errno, "returning to our network namespace");
	return r;
}

/* Veth pairs from a staging namespace (both ends carry their node's namespace fd), while a helper makes
 * the namespace handles; then every node wires itself (step 2). */
static int wire_links(struct deploy *d, struct nslab_err *err)
{
	const struct nslab_topo *t = d->t;
	char *jbuf = NULL;
	size_t jlen = 0;
	int r, mounter_fd = -1;
	pid_t mounter;

	for (size_t n = 0; n < t->nnodes; n++) {
		char src[64];
		snprintf(src, sizeof(src), "/proc/%d/ns/net", (int)d->pids[n]);
		d->netns_fds[n] = open(src, O_RDONLY | O_CLOEXEC);
		if (d->netns_fds[n] < 0)
			return nslab_err_sys(err, errno, "node %s: opening %s", t->nodes[n].name, src);
		_cleanup_free_ char *path = nslab_netns_path(d->lab, t->nodes[n].name);
		char *line = xasprintf("netns %s\n", path);
		size_t len = strlen(line);
		jbuf = xrealloc(jbuf, jlen + len + 1);
		memcpy(jbuf + jlen, line, len + 1);
		jlen += len;
		free(line);
	}
	r = nslab_netns_dir_ensure(err);
	if (r == 0 && jlen) {
		jbuf[jlen - 1] = '\0';
		r = nslab_journal_append(d->lab, err, "%s", jbuf);
	}
	free(jbuf);
	if (r < 0)
		return r;
	mounter = nslab_netns_mounter_start(d->t, d->lab, d->pids, &mounter_fd, err);
	if (mounter < 0)
		return (int)mounter;
	/* before the veths: with fewer devices in each namespace the switch costs less */
	size_t nfwd = 0;
	for (size_t n = 0; n < t->nnodes; n++)
		nfwd += d->fwd_sysctl[n].n;
	if (nfwd)
		phase(d, "forwarding", nfwd);
	r = write_forwarding(d, err);

	/* the veth batch names the nodes' namespaces by fd: built now, once */
	place_ops(d, true);
	phase(d, "links", nslab_nlb_count(d->veths));
	if (r == 0 && nslab_nlb_count(d->veths)) {
		struct nslab_nl *nl = NULL;
		/* from an empty namespace: see nslab_nl_open_isolated() (the chosen ifindexes) */
		r = nslab_nl_open_isolated(&nl, err);
		if (r == 0) {
			r = nslab_nl_send(nl, d->veths, err);
			nslab_nl_close(nl);
		}
	}
	int mr = nslab_netns_mounter_wait(mounter, mounter_fd, r < 0 ? NULL : err);
	if (r == 0)
		r = mr;
	/* the namespace fds were for the veth batch; the handles and the nodes keep the namespaces */
	for (size_t n = 0; n < t->nnodes; n++) {
		if (d->netns_fds[n] >= 0)
			close(d->netns_fds[n]);
		d->netns_fds[n] = -1;
	}
	if (r < 0)
		return r;
	if (nslab_deploy_interrupted())
		return nslab_err_set(err, EINTR, "interrupted");
	phase(d, "wire", t->nnodes);
	r = nslab_brood_wire(&d->brood, t->nnodes, err);
	if (r < 0)
		return r;
	return nslab_brood_wait(&d->brood, t->nnodes, d->pids, d->starts, d->names, err);
}

/* net-cls carried by nftables (cgroup v2 hosts): the rules in the nodes' and bridges' namespaces,
 * before any exec runs (see nslab_cg_nft_sync() in core/cgroup.h). */
static int deploy_netns_of(void *ctx, const char *node)
{
	struct deploy *d = ctx;

	for (size_t n = 0; n < d->t->nnodes; n++) {
		char src[64];
		int fd;
		if (strcmp(d->t->nodes[n].name, node) != 0)
			continue;
		snprintf(src, sizeof(src), "/proc/%d/ns/net", (int)d->pids[n]); /* held by the deploy */
		fd = open(src, O_RDONLY | O_CLOEXEC);
		return fd < 0 ? -errno : fd;
	}
	return -ENOENT;
}

static int netcls_nft(struct deploy *d, struct nslab_err *err)
{
	struct nslab_lab_state st;
	int r;

	if (!d->cg_ok || !nslab_cg_netcls_lab_nft(&d->cg, d->lab))
		return 0;
	nslab_state_from_topo(d->t, d->lab, "deploying", &st);
	r = nslab_cg_nft_sync(&d->cg, d->lab, &st, NULL, deploy_netns_of, d, err);
	nslab_state_free(&st);
	return r;
}

static int deploy_run(struct deploy *d, struct nslab_err *err)
{
	const struct nslab_plan *p = d->plan;
	size_t nexec = 0;
	int r;

	place_ops(d, false);
	for (size_t i = 0; i < p->nops; i++)
		nexec += phase_where[p->ops[i].phase] == NSLAB_AT_EXEC;
	r = cgroups_check(d, err);
	if (r < 0)
		return r;
	phase(d, "nodes", d->t->nnodes);
	r = spawn_nodes(d, err);
	if (r == 0 && nslab_deploy_interrupted())
		r = nslab_err_set(err, EINTR, "interrupted");
	if (r == 0)
		r = copy_roots(d, err);
	if (r == 0)
		r = wire_links(d, err);
	if (r == 0 && nslab_mgmt_needed(d->t)) { /* the only objects in the host's namespace (core/mgmt.h) */
		phase(d, "mgmt", d->t->nnodes);
		r = nslab_mgmt_setup(d->t, d->lab, d->pids, err);
	}
	if (r == 0) {
		phase(d, "links-up", d->t->nlinks);
		r = nslab_live_wait_links(d->t, d->pids, NSLAB_LINKS_UP_TIMEOUT_MS, err);
	}
	if (r == 0)
		r = netcls_nft(d, err);
	if (r == 0 && d->svc.n) {
		phase(d, "services", d->svc.n);
		r = nslab_services_start(d->t, &d->svc, d->pids, d->o ? d->o->on_exec : NULL, d->o ? d->o->ctx : NULL,
					 err);
	}
	if (r == 0 && nexec)
		phase(d, "exec", nexec);
	if (r == 0 && nexec)
		r = nslab_deploy_execs(&(struct nslab_exec_ctx){ d->plan, d->o, d->pids, d->pidfds }, err);
	/* daemons (FRR's zebra) and exec commands often set the addresses (containerlab files do):
	 * name what the nodes really hold */
	if (r == 0 && (nexec || d->svc.n || d->t->mgmt.on))
		r = nslab_live_hosts_refresh(d->t, d->lab, d->pids, err);
	if (r == 0 && (nexec || d->t->mgmt.on)) {
		_cleanup_free_ char *hosts = nslab_lab_path(d->lab, "hosts");
		r = nslab_rootfs_hosts_update(&d->rootfs, hosts, err);
	}
	if (r == 0 && nslab_deploy_interrupted())
		r = nslab_err_set(err, EINTR, "interrupted");
	return r;
}

static void deploy_alloc(struct deploy *d, size_t n)
{
	d->pids = xcalloc(n + 1, sizeof(*d->pids));
	d->starts = xcalloc(n + 1, sizeof(*d->starts));
	d->names = xcalloc(n + 1, sizeof(*d->names));
	d->netns_fds = xcalloc(n + 1, sizeof(int));
	d->pidfds = xcalloc(n + 1, sizeof(int));
	d->early = xcalloc(n + 1, sizeof(*d->early));
	d->wire = xcalloc(n + 1, sizeof(*d->wire));
	d->early_sysctl = xcalloc(n + 1, sizeof(*d->early_sysctl));
	d->late_sysctl = xcalloc(n + 1, sizeof(*d->late_sysctl));
	d->fwd_sysctl = xcalloc(n + 1, sizeof(*d->fwd_sysctl));
	d->veths = nslab_nlb_new();
	for (size_t i = 0; i < n; i++) {
		d->netns_fds[i] = d->pidfds[i] = -1;
		d->names[i] = d->t->nodes[i].name;
	}
}

static void deploy_free(struct deploy *d)
{
	size_t n = d->t->nnodes;

	if (d->brood_open)
		nslab_brood_close(&d->brood);
	d->brood_open = false;
	for (size_t i = 0; i < n; i++) {
		if (d->netns_fds[i] >= 0)
			close(d->netns_fds[i]);
		if (d->pidfds[i] >= 0)
			close(d->pidfds[i]);
		nslab_nlb_free(d->early[i]);
		nslab_nlb_free(d->wire[i]);
		free(d->early_sysctl[i].kv);
		free(d->late_sysctl[i].kv);
		free(d->fwd_sysctl[i].kv);
	}
	nslab_nlb_free(d->veths);
	nslab_services_free(&d->svc);
	free(d->pids);
	free(d->starts);
	free(d->names);
	free(d->netns_fds);
	free(d->pidfds);
	free(d->early);
	free(d->wire);
	free(d->early_sysctl);
	free(d->late_sysctl);
	free(d->fwd_sysctl);
	nslab_rootfs_lab_free(&d->rootfs);
}

/* Undo a failed deploy with its lock still held; the error says when that is incomplete. */
static void rollback(struct deploy *d, struct nslab_err *err)
{
	struct nslab_err derr = { 0 };

	nslab_err_prefix(err, "deploying lab %s", d->lab);
	/* children not yet journaled see EOF and exit; journaled ones are killed below */
	if (d->brood_open)
		nslab_brood_close(&d->brood);
	d->brood_open = false;
	if (nslab_destroy_locked(d->lab, &derr) < 0) {
		size_t len = strlen(err->msg);
		snprintf(err->msg + len, sizeof(err->msg) - len, " (rollback incomplete: %s; run nslab destroy %s)",
			 derr.msg, d->lab);
	}
}

/* --keep-on-error: a failed lab stays, status "failed" (destroy removes it), unless interrupted or
 * without a state.json yet. Returns whether it was kept. */
static bool keep_failed(struct deploy *d, int r, struct nslab_err *err)
{
	if (!d->o || !d->o->keep_on_error || r == -EINTR || nslab_state_set_status(d->lab, "failed", NULL) < 0)
		return false;
	nslab_err_prefix(err, "deploying lab %s", d->lab);
	if (d->o->kept)
		*d->o->kept = true;
	return true;
}

int nslab_lab_deploy_plan(const struct nslab_plan *p, const struct nslab_deploy_opts *o, struct nslab_err *err)
{
	const struct nslab_topo *t = p->topo;
	const char *lab = o && o->name ? o->name : t->name;
	const char *folder = o && o->lab_folder ? o->lab_folder : t->lab_folder; /* each node's layer kept there */
	struct deploy d = { .t = t, .plan = p, .o = o, .lab = lab };
	struct nslab_deploy_signals sig;
	int lock, r;

	if (!lab || !nslab_name_valid(lab) || strchr(lab, '.'))
		return nslab_err_set(err, EINVAL, "'%s' is not a valid lab name (letters, digits, '_' and '-')",
				     lab ? lab : "");
	if (geteuid() != 0)
		return nslab_err_set(err, EPERM, "deploying lab %s needs root (namespaces, mounts, netlink)", lab);
	/* what starts in the nodes, before anything is made: a missing program changes nothing */
	__attribute__((cleanup(nslab_services_freep))) struct nslab_services *svc = &d.svc;
	r = nslab_services_prepare(t, svc, err);
	if (r < 0)
		return nslab_err_prefix(err, "deploying lab %s", lab);
	for (size_t i = 0; o && o->on_warning && i < d.svc.nwarnings; i++)
		o->on_warning(o->ctx, d.svc.warnings[i]);
	/* a descriptor per node (its namespace), and a few dozen more: said before anything is made */
	r = nslab_nofile_ensure(t->nnodes + 48, "deploying", err);
	if (r < 0)
		return nslab_err_prefix(err, "lab %s", lab);
	lock = nslab_deploy_labdir_create(lab, err);
	if (lock < 0)
		return lock;
	nslab_deploy_signals_hold(&sig);
	deploy_alloc(&d, t->nnodes);
	r = nslab_deploy_labdir_fill(t, lab, folder, err);
	if (r == 0) {
		_cleanup_free_ char *hosts = nslab_lab_path(lab, "hosts");
		r = nslab_rootfs_lab_prepare(&d.rootfs, lab, folder, hosts, nslab_deploy_journal_line, (void *)lab, err);
	}
	if (r == 0)
		r = deploy_run(&d, err);
	if (r == 0)
		r = nslab_state_set_status(lab, "running", err);
	bool kept = r < 0 && keep_failed(&d, r, err);
	if (r < 0 && !kept)
		rollback(&d, err);
	deploy_free(&d);
	close(lock);
	if (r < 0 && !kept)
		nslab_rundir_tidy();
	nslab_deploy_signals_release(&sig, r);
	return r;
}

int nslab_lab_deploy(const struct nslab_topo *t, const struct nslab_deploy_opts *o, struct nslab_err *err)
{
	struct nslab_plan p;
	int r;

	nslab_plan_build(t, &p);
	r = nslab_lab_deploy_plan(&p, o, err);
	nslab_plan_free(&p);
	return r;
}
