// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * core/lab.c: deploy (plan executor with journal and rollback), destroy,
 * cleanup, list and inspect. Every kernel object of a lab lives inside the
 * lab's own namespaces (veths, bridges, addresses, routes), so destroying a
 * lab is: kill each journaled node init (PID 1 of its namespaces, taking every
 * process of the node with it), drop each journaled netns handle, remove the
 * state directory. The kernel frees the rest with the namespaces.
 */
#include "lab.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>

#include "../netlink/nl.h"
#include "../util/util.h"
#include "cgroup.h"
#include "impair.h"
#include "live.h"
#include "node.h"
#include "plan.h"
#include "state.h"

/* ---- small helpers ---- */

static int write_state_json(const char *lab, json_t *j, struct nslab_err *err)
{
	_cleanup_free_ char *path = nslab_lab_path(lab, "state.json");
	_cleanup_free_ char *tmp = nslab_lab_path(lab, "state.json.tmp");

	if (json_dump_file(j, tmp, JSON_INDENT(2) | JSON_SORT_KEYS) < 0)
		return nslab_err_sys(err, errno ? errno : EIO, "writing %s", tmp);
	if (rename(tmp, path) < 0)
		return nslab_err_sys(err, errno, "renaming %s", tmp);
	return 0;
}

static json_t *read_state_json(const char *lab)
{
	_cleanup_free_ char *path = nslab_lab_path(lab, "state.json");
	return json_load_file(path, 0, NULL);
}

static int set_status(const char *lab, const char *status, struct nslab_err *err)
{
	json_t *j = read_state_json(lab);
	int r;

	/* gone: whoever removed it owns the lab now (a deploy must not report a lab it lost) */
	if (!j)
		return nslab_err_set(err, ENOENT, "lab %s has no state.json: it was destroyed meanwhile", lab);
	json_object_set_new(j, "status", json_string(status));
	r = write_state_json(lab, j, err);
	json_decref(j);
	return r;
}

static void raise_nofile(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

/* /run/netns as iproute2 expects it. We never convert it into a mount point, so a destroy leaves
 * nothing but what was there; the directory is removed again if we made it and it is empty. */
static int ensure_netns_dir(struct nslab_err *err)
{
	if (mkdir(NSLAB_NETNS_DIR, 0755) == 0) {
		_cleanup_free_ char *mark = xasprintf("%s/.netns-dir-created", nslab_rundir());
		int fd = open(mark, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
		if (fd >= 0)
			close(fd);
		return 0;
	}
	if (errno != EEXIST)
		return nslab_err_sys(err, errno, "creating " NSLAB_NETNS_DIR);
	return 0;
}

static void maybe_remove_netns_dir(void)
{
	_cleanup_free_ char *mark = xasprintf("%s/.netns-dir-created", nslab_rundir());

	if (access(mark, F_OK) == 0 && rmdir(NSLAB_NETNS_DIR) == 0)
		unlink(mark);
}

static void remove_rundir_if_empty(void)
{
	maybe_remove_netns_dir();
	/* leaves RUNDIR only while it holds something */
	rmdir(nslab_rundir());
}

/* ---- destroy ---- */

static void drop_netns_handle(const char *path)
{
	if (umount2(path, MNT_DETACH) < 0 && errno != EINVAL && errno != ENOENT) {
		/* still try to unlink: a failed umount leaves a busy file we report below */
	}
	unlink(path);
}

/* SIGKILL every journaled node (verified by start time); their pidfds, to wait on, in *pfds. */
static size_t kill_nodes(const struct nslab_journal *j, struct pollfd **pfds_out)
{
	struct pollfd *pfds = xcalloc(j->nnodes + 1, sizeof(*pfds));
	size_t n = 0;

	for (size_t i = 0; i < j->nnodes; i++) {
		int fd = nslab_pidfd_open_verified(j->nodes[i].pid, j->nodes[i].start);
		if (fd < 0)
			continue;
		if (syscall(SYS_pidfd_send_signal, fd, SIGKILL, NULL, 0) < 0) {
			close(fd);
			continue;
		}
		pfds[n].fd = fd;
		pfds[n].events = POLLIN;
		n++;
	}
	*pfds_out = pfds;
	return n;
}

/* Wait until the killed nodes are gone (a pidfd polls readable once its process has exited). */
static void wait_nodes(const struct nslab_journal *j, struct pollfd *pfds, size_t n)
{
	for (int waited = 0; waited < 100; waited++) {
		size_t alive = 0;
		/* reap any that are our own children */
		for (size_t i = 0; i < j->nnodes; i++)
			waitpid(j->nodes[i].pid, NULL, WNOHANG);
		if (poll(pfds, n, 100) < 0 && errno != EINTR)
			break;
		for (size_t i = 0; i < n; i++) {
			if (pfds[i].fd < 0)
				continue;
			if (pfds[i].revents & (POLLIN | POLLHUP | POLLERR)) {
				close(pfds[i].fd);
				pfds[i].fd = -1;
			} else {
				alive++;
			}
		}
		if (!alive)
			break;
	}
	for (size_t i = 0; i < n; i++)
		if (pfds[i].fd >= 0)
			close(pfds[i].fd);
	free(pfds);
}

/* Drop the namespace handles, in NSLAB_DROP_HELPERS processes when there are many: each
 * umount() waits for an RCU grace period (namespace_unlock), and concurrent waiters share one. */
#define NSLAB_DROP_HELPERS 4

static void drop_netns_handles(char *const *paths, size_t n)
{
	pid_t helpers[NSLAB_DROP_HELPERS];
	size_t nh = n >= 64 ? NSLAB_DROP_HELPERS : 1;

	for (size_t h = 1; h < nh; h++) {
		helpers[h] = fork();
		if (helpers[h] == 0) {
			for (size_t i = h; i < n; i += nh)
				drop_netns_handle(paths[i]);
			_exit(0);
		}
		if (helpers[h] < 0) /* do its share ourselves */
			for (size_t i = h; i < n; i += nh)
				drop_netns_handle(paths[i]);
	}
	for (size_t i = 0; i < n; i += nh)
		drop_netns_handle(paths[i]);
	for (size_t h = 1; h < nh; h++)
		while (helpers[h] > 0 && waitpid(helpers[h], NULL, 0) < 0 && errno == EINTR)
			;
}

/* The first /run/netns/nslab-LAB.* handle that exists (malloc'd), or NULL. Lab names hold no '.',
 * so the prefix names one lab. */
static char *find_netns_of(const char *lab)
{
	_cleanup_free_ char *prefix = xasprintf(NSLAB_NETNS_PREFIX "%s.", lab);
	size_t plen = strlen(prefix);
	DIR *d = opendir(NSLAB_NETNS_DIR);
	struct dirent *de;
	char *found = NULL;

	if (!d)
		return NULL;
	while (!found && (de = readdir(d)))
		if (strncmp(de->d_name, prefix, plen) == 0)
			found = xasprintf(NSLAB_NETNS_DIR "/%s", de->d_name);
	closedir(d);
	return found;
}

static int remove_lab_dir(const char *lab, struct nslab_err *err)
{
	static const char *const files[] = { "state.json", "state.json.tmp", "hosts", "netns-anchor", "journal", "lock" };
	_cleanup_free_ char *dir = nslab_lab_path(lab, NULL);

	for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
		_cleanup_free_ char *p = nslab_lab_path(lab, files[i]);
		if (unlink(p) < 0 && errno != ENOENT)
			return nslab_err_sys(err, errno, "removing %s", p);
	}
	if (rmdir(dir) < 0 && errno != ENOENT)
		return nslab_err_sys(err, errno, "removing %s", dir);
	return 0;
}

/* Destroy with the lock held. */
static int destroy_locked(const char *lab, struct nslab_err *err)
{
	struct nslab_journal j;
	int r;

	/* a note for list and cleanup only: a lab without state.json, or a full disk, does not stop
	 * a destroy */
	set_status(lab, "destroying", NULL);
	r = nslab_journal_read(lab, &j, err);
	if (r < 0)
		return r;
	struct pollfd *pfds;
	size_t nkilled = kill_nodes(&j, &pfds);
	/* while they exit */
	drop_netns_handles(j.netns, j.nnetns);
	wait_nodes(&j, pfds, nkilled);
	/* cgroups: the journaled directories, deepest last-made first; then whatever of the lab's
	 * subtree a crash left (nslab_cg_remove_lab sweeps only nslab.lab-LAB) */
	for (size_t i = j.ncgroups; i-- > 0;) {
		r = nslab_cg_remove(j.cgroups[i], err);
		if (r < 0) {
			nslab_journal_free(&j);
			return r;
		}
	}
	nslab_journal_free(&j);
	struct nslab_cg_sys cg;
	if (nslab_cg_detect(&cg, NULL) == 0) {
		r = nslab_cg_remove_lab(&cg, lab, err);
		if (r < 0)
			return r;
	}
	return remove_lab_dir(lab, err);
}

int nslab_lab_destroy(const char *lab, bool *existed, struct nslab_err *err)
{
	_cleanup_free_ char *dir = NULL;
	struct stat st;
	int lock, r;

	if (existed)
		*existed = false;
	if (!nslab_name_valid(lab))
		return nslab_err_set(err, EINVAL, "'%s' is not a valid lab name", lab);
	dir = nslab_lab_path(lab, NULL);
	if (stat(dir, &st) < 0)
		return 0; /* nothing recorded: nothing of ours (nslab cleanup handles strays) */
	if (existed)
		*existed = true;
	lock = nslab_lab_lock(lab, true, false, err);
	if (lock == -ENOENT) { /* destroyed by the nslab we waited for */
		nslab_err_clear(err);
		return 0;
	}
	if (lock < 0)
		return nslab_err_prefix(err, "destroying lab %s", lab);
	r = destroy_locked(lab, err);
	close(lock);
	if (r < 0)
		return nslab_err_prefix(err, "destroying lab %s", lab);
	remove_rundir_if_empty();
	return 0;
}

/* ---- deploy ---- */

/*
 * The executor. The plan says what to do; this says where each operation runs:
 *   nodes                          clone()d by the spawner (a small re-executed nslab, see
 *                                  core/node.h) in chunks; journaled, put in their cgroups and
 *                                  released by the deployer while the spawner clones the next
 *   sysctls, devices (lo, bridge)  inside each node, step 1, in parallel
 *   links (veth pairs)             by the deployer, one batch from an empty staging namespace
 *   forwarding                     by the deployer, node after node, before the veth batch
 *                                  (see nslab_sysctl_is_forwarding())
 *   up, addresses, routes,         inside each node, step 2, in parallel: each node sends its own
 *   impairments, interface sysctls batch on a socket born in its namespace
 *   exec                           by the deployer, through nslab_node_run()
 * Namespace handles (/run/netns) are bind-mounted by a helper process while the deployer writes
 * the forwarding sysctls and creates the veths, since mounts and rtnetlink take different locks.
 */
struct deploy {
	const struct nslab_topo *t;
	const struct nslab_deploy_opts *o;
	const char *lab;
	struct nslab_plan plan;
	struct nslab_brood brood;
	bool brood_open;
	pid_t *pids;
	unsigned long long *starts;
	const char **names;
	int *netns_fds;
	int *pidfds;
	struct nslab_nlb **early, **wire;
	struct nslab_nlb *veths;
	const char ***early_sysctl, ***late_sysctl, ***fwd_sysctl; /* per node: key, value, ... */
	size_t *nearly_sysctl, *nlate_sysctl, *nfwd_sysctl;
	struct nslab_cg_sys cg;
	bool cg_ok; /* cgroups usable: every node gets its own (accounting at least) */
};

static bool has_limits(const struct nslab_limits *l)
{
	return l->cpu > 0 || l->cpuset || l->memory_bytes || l->cpu_weight || l->pids || l->net_cls_auto || l->net_cls;
}

static int journal_cgroup(void *ctx, const char *path)
{
	struct deploy *d = ctx;
	return nslab_journal_append(d->lab, NULL, "cgroup %s", path);
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
	r = nslab_cg_prepare_node(&d->cg, d->lab, node->name, &node->limits, NSLAB_CG_F_ALL | NSLAB_CG_F_ACCOUNT,
				  journal_cgroup, d, err);
	if (r == 0)
		r = nslab_cg_attach(&d->cg, d->lab, node->name, d->pids[n], err);
	return r;
}

static struct nslab_nlb *nlb_of(struct nslab_nlb **v, size_t node)
{
	if (!v[node])
		v[node] = nslab_nlb_new();
	return v[node];
}

static void push_sysctl(const char ***v, size_t *n, const char *key, const char *value)
{
	*v = xrealloc(*v, (*n + 1) * 2 * sizeof(char *));
	(*v)[2 * *n] = key;
	(*v)[2 * *n + 1] = value;
	(*n)++;
}

/* Put one plan operation where it runs. */
static void place_op(struct deploy *d, const struct nslab_op *op)
{
	const struct nslab_topo *t = d->t;
	const struct nslab_node *node = &t->nodes[op->node];
	_cleanup_free_ char *what = nslab_op_describe(&d->plan, op);

	switch (op->type) {
	case NSLAB_OP_SYSCTL:
		if (op->phase == NSLAB_PHASE_FORWARDING)
			push_sysctl(&d->fwd_sysctl[op->node], &d->nfwd_sysctl[op->node], op->key, op->value);
		else if (op->phase == NSLAB_PHASE_LATE_SYSCTLS)
			push_sysctl(&d->late_sysctl[op->node], &d->nlate_sysctl[op->node], op->key, op->value);
		else
			push_sysctl(&d->early_sysctl[op->node], &d->nearly_sysctl[op->node], op->key, op->value);
		break;
	case NSLAB_OP_LO_UP:
		nslab_nlb_link_set(nlb_of(d->early, op->node), NSLAB_IFINDEX_LO, 1, 0, -1, what);
		break;
	case NSLAB_OP_BRIDGE:
		nslab_nlb_bridge_add(nlb_of(d->early, op->node), node->name, node->br_ifindex, 0, false, true, what);
		break;
	case NSLAB_OP_VETH: {
		const struct nslab_link *lk = &t->links[op->link];
		const struct nslab_endpoint *me = &lk->ep[op->main_end], *pe = &lk->ep[!op->main_end];
		const struct nslab_node *mn = &t->nodes[me->node], *pn = &t->nodes[pe->node];
		const struct nslab_iface *mi = &mn->ifaces[me->iface], *pi = &pn->ifaces[pe->iface];
		/* netns fds are filled in when the nodes exist: see fill_veth_fds() */
		struct nslab_nl_linkend m = {
			.ifname = mi->name,
			.ifindex = mi->ifindex,
			.netns_fd = d->netns_fds[me->node],
			.mtu = mi->mtu,
			.mac = mi->has_mac ? mi->mac : NULL,
			.queues = NSLAB_VETH_QUEUES,
			.up = !mi->down,
			.master_ifindex = mn->kind == NSLAB_KIND_BRIDGE ? mn->br_ifindex : 0,
		};
		struct nslab_nl_linkend p = {
			.ifname = pi->name,
			.ifindex = pi->ifindex,
			.netns_fd = d->netns_fds[pe->node],
			.mtu = pi->mtu,
			.mac = pi->has_mac ? pi->mac : NULL,
			.queues = NSLAB_VETH_QUEUES,
		};
		nslab_nlb_veth_add(d->veths, &m, &p, what);
		break;
	}
	case NSLAB_OP_LINK_UP:
		nslab_nlb_link_set(nlb_of(d->wire, op->node), node->ifaces[op->iface].ifindex,
				   node->ifaces[op->iface].down ? -1 : 1, 0,
				   node->kind == NSLAB_KIND_BRIDGE ? node->br_ifindex : -1, what);
		break;
	case NSLAB_OP_ADDR: {
		const struct nslab_iface *ifc = &node->ifaces[op->iface];
		const struct nslab_prefix *a = &ifc->addrs[op->item];
		nslab_nlb_addr_add(nlb_of(d->wire, op->node), ifc->ifindex, a->family, a->addr, a->plen, what);
		break;
	}
	case NSLAB_OP_ROUTE: {
		const struct nslab_route *rt = &node->routes[op->item];
		int oif = 0;
		if (rt->dev) {
			for (size_t i = 0; i < node->nifaces; i++)
				if (strcmp(node->ifaces[i].name, rt->dev) == 0)
					oif = node->ifaces[i].ifindex;
			if (!oif && strcmp(rt->dev, "lo") == 0)
				oif = NSLAB_IFINDEX_LO;
		}
		nslab_nlb_route_add(nlb_of(d->wire, op->node), rt->dst.family, rt->dst.addr, rt->dst.plen,
				    rt->has_via ? rt->via.addr : NULL, oif, rt->metric, what);
		break;
	}
	case NSLAB_OP_QDISC: {
		const struct nslab_iface *ifc = &node->ifaces[op->iface];
		nslab_impair_build(nlb_of(d->wire, op->node), ifc->ifindex, ifc->mtu, &ifc->impair, what);
		break;
	}
	case NSLAB_OP_NODE:
	case NSLAB_OP_EXEC:
	case NSLAB_OP__COUNT:
		break;
	}
}

static bool interrupted(void)
{
	sigset_t pending;
	return sigpending(&pending) == 0 &&
	       (sigismember(&pending, SIGINT) || sigismember(&pending, SIGTERM) || sigismember(&pending, SIGHUP));
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
static int request_chunk(struct deploy *d, size_t k, const char *hosts, struct nslab_err *err)
{
	const struct nslab_topo *t = d->t;
	struct nslab_node_spec specs[NSLAB_BROOD_CHUNK] = { 0 };
	char *cgdirs[NSLAB_BROOD_CHUNK] = { 0 };
	size_t from = k * NSLAB_BROOD_CHUNK, n = t->nnodes - from;
	int r = 0;

	if (n > NSLAB_BROOD_CHUNK)
		n = NSLAB_BROOD_CHUNK;
	for (size_t i = 0; r == 0 && i < n && cg_born_in(d); i++) {
		const struct nslab_node *node = &t->nodes[from + i];
		struct stat st;
		r = nslab_cg_prepare_node(&d->cg, d->lab, node->name, &node->limits, NSLAB_CG_F_ALL | NSLAB_CG_F_ACCOUNT,
					  journal_cgroup, d, err);
		cgdirs[i] = nslab_cg_path(&d->cg, (size_t)d->cg.v2, d->lab, node->name);
		if (stat(cgdirs[i], &st) < 0) { /* no controller made it a directory: none to be born in */
			free(cgdirs[i]);
			cgdirs[i] = NULL;
		}
	}
	for (size_t i = 0; r == 0 && i < n; i++)
		specs[i] = (struct nslab_node_spec){
			.name = t->nodes[from + i].name,
			.hosts_path = hosts,
			.binds = t->nodes[from + i].binds,
			.nbinds = t->nodes[from + i].nbinds,
			.early_sysctl = d->early_sysctl[from + i],
			.nearly_sysctl = d->nearly_sysctl[from + i],
			.early = d->early[from + i],
			.wire = d->wire[from + i],
			.late_sysctl = d->late_sysctl[from + i],
			.nlate_sysctl = d->nlate_sysctl[from + i],
			.cgroup = cgdirs[i],
		};
	if (r == 0)
		r = nslab_brood_request(&d->brood, specs, n, err);
	for (size_t i = 0; i < n; i++)
		free(cgdirs[i]);
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
	_cleanup_free_ char *hosts = nslab_lab_path(d->lab, "hosts");
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
		r = request_chunk(d, k, hosts, err);
	for (size_t k = 0; r == 0 && k < nchunks; k++) {
		size_t from = k * NSLAB_BROOD_CHUNK;
		size_t to = from + NSLAB_BROOD_CHUNK < t->nnodes ? from + NSLAB_BROOD_CHUNK : t->nnodes;

		if (k + NSLAB_SPAWN_AHEAD < nchunks)
			r = request_chunk(d, k + NSLAB_SPAWN_AHEAD, hosts, err);
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

/* A helper process bind-mounts every node's namespace on /run/netns/nslab-LAB.NODE. It dies with
 * us (it holds the lab lock, so a destroy waits for it). Returns its pid, or -errno. */
static pid_t start_netns_mounter(struct deploy *d, int *status_fd, struct nslab_err *err)
{
	const struct nslab_topo *t = d->t;
	int p[2];
	pid_t pid;

	if (pipe2(p, O_CLOEXEC) < 0)
		return nslab_err_sys(err, errno, "pipe");
	pid = fork();
	if (pid < 0) {
		int e = errno;
		close(p[0]);
		close(p[1]);
		return nslab_err_sys(err, e, "fork");
	}
	if (pid == 0) {
		struct nslab_err e = { 0 };
		_cleanup_free_ char *anchor = nslab_lab_path(d->lab, "netns-anchor");
		bool links = true;
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		close(p[0]);
		/* Every handle is a hard link to one file in the lab directory when both are on the same
		 * file system: no inode to allocate per node (on an ext4 /run without a journal, inode
		 * allocation skips recently deleted inodes one by one: quadratic across redeploys). */
		int afd = open(anchor, O_RDONLY | O_CREAT | O_CLOEXEC, 0);
		if (afd < 0)
			links = false;
		else
			close(afd);
		for (size_t n = 0; n < t->nnodes; n++) {
			_cleanup_free_ char *path = nslab_netns_path(d->lab, t->nodes[n].name);
			char src[64];
			int le = !links ? 0 : link(anchor, path) < 0 ? errno : -1;
			if (le >= 0) { /* no link made: EEXIST is an error, anything else falls back to a file */
				int fd = le == EEXIST ? -1 : open(path, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0);
				if (le == EEXIST)
					errno = EEXIST;
				if (fd < 0) {
					nslab_err_sys(&e, errno, "node %s: creating %s", t->nodes[n].name, path);
					break;
				}
				close(fd);
				links = false;
			}
			snprintf(src, sizeof(src), "/proc/%d/ns/net", (int)d->pids[n]);
			if (mount(src, path, "none", MS_BIND, NULL) < 0) {
				nslab_err_sys(&e, errno, "node %s: bind-mounting its network namespace on %s",
					      t->nodes[n].name, path);
				break;
			}
		}
		if (e.code && write(p[1], e.msg, strlen(e.msg)) < 0)
			_exit(2);
		_exit(e.code ? 1 : 0);
	}
	close(p[1]);
	*status_fd = p[0];
	return pid;
}

static int wait_netns_mounter(pid_t pid, int status_fd, struct nslab_err *err)
{
	char msg[NSLAB_ERR_MSG_MAX];
	ssize_t n;
	int st = 0;

	n = read(status_fd, msg, sizeof(msg) - 1);
	close(status_fd);
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
		return 0;
	msg[n > 0 ? n : 0] = '\0';
	return nslab_err_set(err, EIO, "%s", n > 0 ? msg : "the namespace handle helper died");
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
		if (!d->nfwd_sysctl[n])
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
		for (size_t i = 0; i < d->nfwd_sysctl[n] && r == 0; i++) {
			const char *key = d->fwd_sysctl[n][2 * i], *value = d->fwd_sysctl[n][2 * i + 1];
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
	r = ensure_netns_dir(err);
	if (r == 0 && jlen) {
		jbuf[jlen - 1] = '\0';
		r = nslab_journal_append(d->lab, err, "%s", jbuf);
	}
	free(jbuf);
	if (r < 0)
		return r;
	mounter = start_netns_mounter(d, &mounter_fd, err);
	if (mounter < 0)
		return (int)mounter;
	/* before the veths: with fewer devices in each namespace the switch costs less */
	size_t nfwd = 0;
	for (size_t n = 0; n < t->nnodes; n++)
		nfwd += d->nfwd_sysctl[n];
	if (nfwd)
		phase(d, "forwarding", nfwd);
	r = write_forwarding(d, err);

	/* the veth batch was built before the nodes existed: now give it their namespace fds */
	nslab_nlb_reset(d->veths);
	for (size_t i = 0; i < d->plan.nops; i++)
		if (d->plan.ops[i].type == NSLAB_OP_VETH)
			place_op(d, &d->plan.ops[i]);
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
	int mr = wait_netns_mounter(mounter, mounter_fd, r < 0 ? NULL : err);
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
	if (interrupted())
		return nslab_err_set(err, EINTR, "interrupted");
	phase(d, "wire", t->nnodes);
	r = nslab_brood_wire(&d->brood, t->nnodes, err);
	if (r < 0)
		return r;
	return nslab_brood_wait(&d->brood, t->nnodes, d->pids, d->starts, d->names, err);
}

static char **node_env(const struct nslab_node *node)
{
	char **env = xcalloc(node->nenv + 1, sizeof(char *));
	for (size_t i = 0; i < node->nenv; i++)
		env[i] = xasprintf("%s=%s", node->env[i].key, node->env[i].value);
	return env;
}

/*
 * The exec phase. Each node runs its own commands one after another, in file order, and up to
 * NSLAB_EXEC_PARALLEL nodes run theirs at the same time (daemons such as FRR take a second to
 * start: one node after the other, a 100-router lab would wait minutes). Outputs are reported in
 * plan order whatever order the commands end in, and the first failure in plan order fails the
 * deploy; once any command has failed, no new one starts.
 */
#define NSLAB_EXEC_PARALLEL 16

struct exec_job {
	const struct nslab_op *op;
	pid_t pid; /* the helper (our child); 0 = not started */
	int pidfd; /* the helper's, to poll */
	int mfd;   /* its output */
	int status;
	bool done;
};

static int exec_start(struct deploy *d, struct exec_job *j, struct nslab_err *err)
{
	const struct nslab_node *node = &d->t->nodes[j->op->node];
	const char *cmd = node->exec[j->op->item];
	char *argv[] = { "/bin/sh", "-c", (char *)cmd, NULL };
	char **env;
	int r;

	j->mfd = memfd_create("nslab-exec", MFD_CLOEXEC);
	if (j->mfd < 0)
		return nslab_err_sys(err, errno, "memfd_create");
	/* opened when first needed: one fd per node would not fit a 10,000-node lab in RLIMIT_NOFILE */
	if (d->pidfds[j->op->node] < 0) {
		d->pidfds[j->op->node] = (int)syscall(SYS_pidfd_open, d->pids[j->op->node], 0);
		if (d->pidfds[j->op->node] < 0)
			return nslab_err_sys(err, errno, "node %s: pidfd_open", node->name);
	}
	env = node_env(node);
	r = nslab_node_start(d->pidfds[j->op->node], argv, env, j->mfd, &j->pid, err);
	nslab_env_free(env);
	if (r < 0)
		return nslab_err_prefix(err, "node %s: exec '%s'", node->name, cmd);
	j->pidfd = (int)syscall(SYS_pidfd_open, j->pid, 0);
	if (j->pidfd < 0)
		return nslab_err_sys(err, errno, "node %s: exec '%s': pidfd_open", node->name, cmd);
	return 0;
}

/* Hand a finished command's output to the caller; its failure as an error. */
static int exec_report(struct deploy *d, const struct exec_job *j, struct nslab_err *err)
{
	const struct nslab_node *node = &d->t->nodes[j->op->node];
	const char *cmd = node->exec[j->op->item];
	off_t size = lseek(j->mfd, 0, SEEK_END);
	_cleanup_free_ char *out = xcalloc((size_t)(size > 0 ? size : 0) + 1, 1);

	if (size > 0 && pread(j->mfd, out, (size_t)size, 0) < 0)
		out[0] = '\0';
	if (d->o && d->o->on_exec)
		d->o->on_exec(d->o->ctx, node->name, cmd, out, j->status);
	if (j->status != 0) {
		size_t len = strlen(out);
		const char *tail = len > 400 ? out + len - 400 : out;
		while (len && (out[len - 1] == '\n'))
			out[--len] = '\0';
		return nslab_err_set(err, ECANCELED, "node %s: exec '%s' exited with status %d%s%s", node->name, cmd,
				     j->status, *tail ? ": " : "", tail);
	}
	return 0;
}

static int run_execs(struct deploy *d, struct nslab_err *err)
{
	const struct nslab_plan *p = &d->plan;
	struct exec_job *jobs = NULL;
	struct pollfd pfds[NSLAB_EXEC_PARALLEL];
	size_t pj[NSLAB_EXEC_PARALLEL];
	bool *busy = xcalloc(d->t->nnodes + 1, sizeof(bool)); /* node has a command running */
	size_t n = 0, emitted = 0, running = 0;
	bool stop = false;
	int r = 0;

	for (size_t i = 0; i < p->nops; i++)
		if (p->ops[i].type == NSLAB_OP_EXEC)
			*VEC_PUSH(jobs, n) = (struct exec_job){ .op = &p->ops[i], .pidfd = -1, .mfd = -1 };
	while (r == 0 && emitted < n) {
		if (interrupted()) {
			r = nslab_err_set(err, EINTR, "interrupted");
			break;
		}
		/* start what may start, in plan order: a node's next command once its previous ended */
		for (size_t i = emitted; !stop && i < n && running < NSLAB_EXEC_PARALLEL; i++) {
			if (jobs[i].pid || busy[jobs[i].op->node])
				continue;
			r = exec_start(d, &jobs[i], err);
			if (r < 0)
				break;
			busy[jobs[i].op->node] = true;
			running++;
		}
		/* report, in plan order, what has ended; once a command failed, the ones that never
		 * started are passed over, so that the failure is reached and reported */
		while (r == 0 && emitted < n && (jobs[emitted].done || (stop && !jobs[emitted].pid))) {
			if (jobs[emitted].done)
				r = exec_report(d, &jobs[emitted], err);
			emitted++;
		}
		if (r < 0 || emitted == n || !running)
			break;
		size_t np = 0;
		for (size_t i = emitted; i < n && np < running; i++)
			if (jobs[i].pid && !jobs[i].done) {
				pfds[np] = (struct pollfd){ .fd = jobs[i].pidfd, .events = POLLIN };
				pj[np++] = i;
			}
		if (poll(pfds, np, 200) < 0 && errno != EINTR) {
			r = nslab_err_sys(err, errno, "waiting for exec commands");
			break;
		}
		for (size_t k = 0; k < np; k++) {
			struct exec_job *j = &jobs[pj[k]];
			int ws;
			if (!(pfds[k].revents & (POLLIN | POLLHUP | POLLERR)) || waitpid(j->pid, &ws, WNOHANG) != j->pid)
				continue;
			j->status = nslab_node_exit_code(ws);
			j->done = true;
			busy[j->op->node] = false;
			running--;
			stop |= j->status != 0;
		}
	}
	if (r == 0 && emitted < n) /* cannot happen: nothing runs and nothing may start */
		r = nslab_err_set(err, EIO, "exec: %zu commands never ran", n - emitted);
	/* on an error or a signal, commands still running end with their nodes in the rollback */
	for (size_t i = 0; i < n; i++) {
		if (jobs[i].pidfd >= 0)
			close(jobs[i].pidfd);
		if (jobs[i].mfd >= 0)
			close(jobs[i].mfd);
	}
	free(jobs);
	free(busy);
	return r;
}

static int deploy_run(struct deploy *d, struct nslab_err *err)
{
	const struct nslab_plan *p = &d->plan;
	size_t nexec = 0;
	int r;

	for (size_t i = 0; i < p->nops; i++) {
		if (p->ops[i].type != NSLAB_OP_VETH) /* veths need the nodes' namespaces: see wire_links() */
			place_op(d, &p->ops[i]);
		nexec += p->ops[i].type == NSLAB_OP_EXEC;
	}
	r = cgroups_check(d, err);
	if (r < 0)
		return r;
	phase(d, "nodes", d->t->nnodes);
	r = spawn_nodes(d, err);
	if (r == 0 && interrupted())
		r = nslab_err_set(err, EINTR, "interrupted");
	if (r == 0)
		r = wire_links(d, err);
	if (r == 0) {
		phase(d, "links-up", d->t->nlinks);
		r = nslab_live_wait_links(d->t, d->pids, NSLAB_LINKS_UP_TIMEOUT_MS, err);
	}
	if (r == 0 && nexec)
		phase(d, "exec", nexec);
	if (r == 0 && nexec)
		r = run_execs(d, err);
	/* exec commands often set the addresses (containerlab files do): name what nodes really hold */
	if (r == 0 && nexec)
		r = nslab_live_hosts_refresh(d->t, d->lab, d->pids, err);
	if (r == 0 && interrupted())
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
	d->nearly_sysctl = xcalloc(n + 1, sizeof(size_t));
	d->nlate_sysctl = xcalloc(n + 1, sizeof(size_t));
	d->fwd_sysctl = xcalloc(n + 1, sizeof(*d->fwd_sysctl));
	d->nfwd_sysctl = xcalloc(n + 1, sizeof(size_t));
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
		free(d->early_sysctl[i]);
		free(d->late_sysctl[i]);
		free(d->fwd_sysctl[i]);
	}
	nslab_nlb_free(d->veths);
	free(d->pids);
	free(d->starts);
	free(d->names);
	free(d->netns_fds);
	free(d->pidfds);
	free(d->early);
	free(d->wire);
	free(d->early_sysctl);
	free(d->late_sysctl);
	free(d->nearly_sysctl);
	free(d->nlate_sysctl);
	free(d->fwd_sysctl);
	free(d->nfwd_sysctl);
	nslab_plan_free(&d->plan);
}

/* Why a lab directory already exists, in words for the error message. */
static int explain_existing(const char *lab, struct nslab_err *err)
{
	json_t *j = read_state_json(lab);
	const char *status = j ? json_string_value(json_object_get(j, "status")) : NULL;
	int r;

	if (status && strcmp(status, "running") == 0)
		r = nslab_err_set(err, EEXIST, "lab %s is already deployed: destroy it first (nslab destroy %s)", lab, lab);
	else
		r = nslab_err_set(err, EEXIST,
				  "lab %s has leftovers of a deploy or destroy that did not finish: run nslab destroy %s",
				  lab, lab);
	json_decref(j);
	return r;
}

int nslab_lab_deploy(const struct nslab_topo *t, const struct nslab_deploy_opts *o, struct nslab_err *err)
{
	const char *lab = o && o->name ? o->name : t->name;
	struct deploy d = { .t = t, .o = o, .lab = lab };
	_cleanup_free_ char *dir = NULL;
	_cleanup_free_ char *hosts_path = NULL;
	_cleanup_free_ char *hosts = NULL;
	sigset_t block, old;
	struct sigaction old_pipe;
	json_t *state;
	int lock = -1, r;

	if (!lab || !nslab_name_valid(lab) || strchr(lab, '.'))
		return nslab_err_set(err, EINVAL, "'%s' is not a valid lab name (letters, digits, '_' and '-')",
				     lab ? lab : "");
	if (geteuid() != 0)
		return nslab_err_set(err, EPERM, "deploying lab %s needs root (namespaces, mounts, netlink)", lab);

	if (mkdir(nslab_rundir(), 0700) < 0 && errno != EEXIST)
		return nslab_err_sys(err, errno, "creating %s", nslab_rundir());
	dir = nslab_lab_path(lab, NULL);
	if (mkdir(dir, 0700) < 0) {
		if (errno == EEXIST)
			return explain_existing(lab, err);
		return nslab_err_sys(err, errno, "creating %s", dir);
	}
	lock = nslab_lab_lock(lab, true, false, err);
	if (lock < 0) {
		rmdir(dir);
		return lock;
	}
	/* handles named after this lab that our journal does not own: never adopt or drop them */
	_cleanup_free_ char *foreign = find_netns_of(lab);
	if (foreign) {
		close(lock);
		remove_lab_dir(lab, NULL);
		remove_rundir_if_empty();
		return nslab_err_set(err, EEXIST,
				     "%s already exists but lab %s has no state here (another nslab run directory, or "
				     "a leftover: nslab cleanup removes leftovers)", foreign, lab);
	}

	/* Ctrl-C and friends are checked between phases and roll the lab back */
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGHUP);
	sigprocmask(SIG_BLOCK, &block, &old);
	/* a node that died before its release byte must be an error, not a SIGPIPE */
	sigaction(SIGPIPE, &(struct sigaction){ .sa_handler = SIG_IGN }, &old_pipe);
	raise_nofile();

	deploy_alloc(&d, t->nnodes);
	nslab_plan_build(t, &d.plan);

	r = nslab_journal_append(lab, err, "deploy %d %llu", (int)getpid(), nslab_proc_starttime(getpid()));
	if (r == 0) {
		state = nslab_topo_to_json(t, lab, "deploying");
		r = write_state_json(lab, state, err);
		json_decref(state);
	}
	if (r == 0) {
		hosts_path = nslab_lab_path(lab, "hosts");
		hosts = nslab_hosts_build(t, lab);
		r = nslab_write_file(hosts_path, hosts, strlen(hosts), 0644);
		if (r < 0)
			nslab_err_sys(err, -r, "writing %s", hosts_path);
	}
	if (r == 0)
		r = deploy_run(&d, err);
	if (r == 0)
		r = set_status(lab, "running", err);

	if (r < 0) {
		struct nslab_err derr = { 0 };
		nslab_err_prefix(err, "deploying lab %s", lab);
		/* children not yet journaled see EOF and exit; journaled ones are killed below */
		if (d.brood_open)
			nslab_brood_close(&d.brood);
		d.brood_open = false;
		if (destroy_locked(lab, &derr) < 0) {
			size_t len = strlen(err->msg);
			snprintf(err->msg + len, sizeof(err->msg) - len,
				 " (rollback incomplete: %s; run nslab destroy %s)", derr.msg, lab);
		}
	}
	deploy_free(&d);
	close(lock);
	if (r < 0)
		remove_rundir_if_empty();
	/* a signal that stopped the deploy has been acted on (rolled back): consume it so that
	 * the caller can report the error instead of dying when the mask is restored */
	if (r == -EINTR) {
		struct timespec zero = { 0, 0 };
		while (sigtimedwait(&block, NULL, &zero) > 0)
			;
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
	sigaction(SIGPIPE, &old_pipe, NULL);
	return r;
}

/* ---- cleanup ---- */

/* Inodes of every network namespace some live process is in (sorted). */
static size_t netns_in_use(ino_t **out)
{
	DIR *d = opendir("/proc");
	struct dirent *de;
	ino_t *v = NULL;
	size_t n = 0;

	while (d && (de = readdir(d))) {
		char path[300];
		struct stat st;
		if (de->d_name[0] < '0' || de->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/ns/net", de->d_name);
		if (stat(path, &st) == 0)
			*VEC_PUSH(v, n) = st.st_ino;
	}
	if (d)
		closedir(d);
	*out = v;
	return n;
}

/* Does any cgroup at or below dir hold a process? */
static bool cgroup_busy(const char *dir, int depth)
{
	_cleanup_free_ char *procs = xasprintf("%s/cgroup.procs", dir);
	_cleanup_free_ char *buf = NULL;
	struct dirent *de;
	bool busy = false;
	DIR *d;

	if (nslab_read_file(procs, &buf, NULL) == 0 && buf[0])
		return true;
	if (depth > 3 || !(d = opendir(dir)))
		return false;
	while (!busy && (de = readdir(d))) {
		if (de->d_type != DT_DIR || de->d_name[0] == '.')
			continue;
		_cleanup_free_ char *sub = xasprintf("%s/%s", dir, de->d_name);
		busy = cgroup_busy(sub, depth + 1);
	}
	closedir(d);
	return busy;
}

/* cgroups of labs that have no state directory: removed when no process is left in them (a live
 * lab under another run directory keeps its own). */
/* only == NULL: every lab; else only the labs named in the NULL-terminated list */
static bool lab_selected(char *const *only, const char *lab)
{
	if (!only)
		return true;
	for (; *only; only++)
		if (strcmp(*only, lab) == 0)
			return true;
	return false;
}

static void sweep_stray_cgroups(void (*cb)(void *ctx, const char *lab, const char *why), void *ctx,
				char *const *only)
{
	struct nslab_cg_sys cg;

	if (nslab_cg_detect(&cg, NULL) < 0)
		return;
	for (size_t h = 0; h < cg.nhier; h++) {
		DIR *d = opendir(cg.hier[h].path);
		struct dirent *de;
		while (d && (de = readdir(d))) {
			const char *lab;
			struct stat st;
			if (strncmp(de->d_name, NSLAB_CG_LAB_PREFIX, strlen(NSLAB_CG_LAB_PREFIX)) != 0)
				continue;
			lab = de->d_name + strlen(NSLAB_CG_LAB_PREFIX);
			if (!lab_selected(only, lab))
				continue;
			_cleanup_free_ char *dir = nslab_lab_path(lab, NULL);
			_cleanup_free_ char *cgdir = xasprintf("%s/%s", cg.hier[h].path, de->d_name);
			if (!nslab_name_valid(lab) || stat(dir, &st) == 0 || cgroup_busy(cgdir, 0))
				continue;
			if (nslab_cg_remove_lab(&cg, lab, NULL) == 0 && cb)
				cb(ctx, de->d_name, "stray cgroup");
		}
		if (d)
			closedir(d);
	}
}

int nslab_lab_cleanup(char *const *only, void (*cb)(void *ctx, const char *lab, const char *why),
		      void *ctx, struct nslab_err *err)
{
	char **names;
	size_t n;
	int r, ret = 0;

	r = nslab_lab_names(&names, &n, err);
	if (r < 0)
		return r;
	for (size_t i = 0; i < n; i++) {
		const char *lab = names[i];
		json_t *j;
		const char *status;
		int lock;

		if (!nslab_name_valid(lab) || !lab_selected(only, lab))
			continue;
		lock = nslab_lab_lock(lab, true, true, NULL);
		if (lock < 0)
			continue; /* a live nslab holds it: deploying or destroying right now */
		j = read_state_json(lab);
		status = j ? json_string_value(json_object_get(j, "status")) : NULL;
		if (!status || strcmp(status, "running") != 0) {
			struct nslab_err e = { 0 };
			char why[128];
			snprintf(why, sizeof(why), "%s", status ? status : "no state");
			if (destroy_locked(lab, &e) < 0) {
				nslab_err_set(err, e.code, "%s", e.msg);
				ret = -e.code;
			} else if (cb) {
				cb(ctx, lab, why);
			}
		}
		json_decref(j);
		close(lock);
	}
	nslab_strv_free(names, n);

	/* handles of labs that have no state directory at all, and whose namespace no process is in
	 * (a live node under another run directory keeps its handle) */
	DIR *d = opendir(NSLAB_NETNS_DIR);
	struct dirent *de;
	ino_t *busy = NULL;
	size_t nbusy = netns_in_use(&busy);
	if (d) {
		while ((de = readdir(d))) {
			const char *dot;
			struct stat st;
			if (strncmp(de->d_name, NSLAB_NETNS_PREFIX, strlen(NSLAB_NETNS_PREFIX)) != 0)
				continue;
			dot = strchr(de->d_name + strlen(NSLAB_NETNS_PREFIX), '.');
			if (!dot)
				continue;
			_cleanup_free_ char *lab = xstrndup(de->d_name + strlen(NSLAB_NETNS_PREFIX),
							    (size_t)(dot - de->d_name) - strlen(NSLAB_NETNS_PREFIX));
			if (!lab_selected(only, lab))
				continue;
			_cleanup_free_ char *dir = nslab_lab_path(lab, NULL);
			if (stat(dir, &st) == 0)
				continue;
			_cleanup_free_ char *p = xasprintf(NSLAB_NETNS_DIR "/%s", de->d_name);
			bool in_use = false;
			if (stat(p, &st) == 0)
				for (size_t k = 0; k < nbusy && !in_use; k++)
					in_use = busy[k] == st.st_ino;
			if (in_use)
				continue;
			drop_netns_handle(p);
			if (cb)
				cb(ctx, de->d_name, "stray namespace handle");
		}
		closedir(d);
	}
	free(busy);
	sweep_stray_cgroups(cb, ctx, only);
	remove_rundir_if_empty();
	return ret;
}

/* ---- list, inspect, node lookup ---- */

json_t *nslab_lab_list(struct nslab_err *err)
{
	json_t *arr = json_array();
	char **names;
	size_t n;

	if (nslab_lab_names(&names, &n, err) < 0) {
		json_decref(arr);
		return NULL;
	}
	for (size_t i = 0; i < n; i++) {
		json_t *j = read_state_json(names[i]);
		json_t *o = json_object();
		json_object_set_new(o, "name", json_string(names[i]));
		if (j) {
			const char *st = json_string_value(json_object_get(j, "status"));
			struct nslab_journal jr;
			size_t dead = 0;
			/* a running lab whose node inits are not all alive says so */
			if (st && strcmp(st, "running") == 0 && nslab_journal_read(names[i], &jr, NULL) == 0) {
				for (size_t k = 0; k < jr.nnodes; k++)
					dead += nslab_proc_starttime(jr.nodes[k].pid) != jr.nodes[k].start;
				nslab_journal_free(&jr);
			}
			if (dead) {
				json_object_set_new(o, "status", json_string("degraded"));
				json_object_set_new(o, "dead_nodes", json_integer((json_int_t)dead));
			} else {
				json_object_set(o, "status", json_object_get(j, "status"));
			}
			json_object_set(o, "file", json_object_get(j, "file"));
			json_object_set(o, "created", json_object_get(j, "created"));
			json_object_set_new(o, "nodes", json_integer((json_int_t)json_array_size(json_object_get(j, "nodes"))));
			json_object_set_new(o, "links", json_integer((json_int_t)json_array_size(json_object_get(j, "links"))));
		} else {
			json_object_set_new(o, "status", json_string("incomplete"));
		}
		json_array_append_new(arr, o);
		json_decref(j);
	}
	nslab_strv_free(names, n);
	return arr;
}

static const char *oper_state(const struct nslab_nl_link_info *li)
{
	if (!(li->flags & 0x1 /* IFF_UP */))
		return "down";
	return li->carrier ? "up" : "no-carrier";
}

static void inspect_node_live(json_t *jn, int pidfd, pid_t pid)
{
	struct nslab_err e = { 0 };
	struct nslab_nl *nl = NULL;
	struct nslab_nl_link_info *links = NULL;
	struct nslab_nl_addr_info *addrs = NULL;
	size_t nlinks = 0, naddrs = 0;
	_cleanup_close_ int nsfd = nslab_pidfd_ns_open(pidfd, pid, "net");
	json_t *ifs = json_object_get(jn, "interfaces");
	char buf[INET6_ADDRSTRLEN];
	size_t idx;
	json_t *ji;

	if (nsfd < 0 || nslab_nl_open(&nl, nsfd, &e) < 0)
		return;
	if (nslab_nl_dump_links(nl, &links, &nlinks, &e) < 0 || nslab_nl_dump_addrs(nl, &addrs, &naddrs, &e) < 0) {
		nslab_nl_close(nl);
		free(links);
		free(addrs);
		return;
	}
	nslab_nl_close(nl);
	json_array_foreach(ifs, idx, ji) {
		const char *name = json_string_value(json_object_get(ji, "name"));
		for (size_t i = 0; i < nlinks; i++) {
			const struct nslab_nl_link_info *li = &links[i];
			json_t *live;
			if (!name || strcmp(li->ifname, name) != 0)
				continue;
			json_object_set_new(ji, "mac", json_sprintf("%02x:%02x:%02x:%02x:%02x:%02x", li->mac[0],
								    li->mac[1], li->mac[2], li->mac[3], li->mac[4],
								    li->mac[5]));
			json_object_set_new(ji, "mtu", json_integer(li->mtu));
			json_object_set_new(ji, "state", json_string(oper_state(li)));
			json_object_set_new(ji, "ifindex", json_integer(li->ifindex));
			live = json_array();
			for (size_t a = 0; a < naddrs; a++) {
				if (addrs[a].ifindex != li->ifindex)
					continue;
				if (addrs[a].family == AF_INET6 && addrs[a].addr[0] == 0xfe && (addrs[a].addr[1] & 0xc0) == 0x80)
					continue; /* link-local */
				inet_ntop(addrs[a].family, addrs[a].addr, buf, sizeof(buf));
				json_array_append_new(live, json_sprintf("%s/%u", buf, addrs[a].plen));
			}
			json_object_set_new(ji, "addresses", live);
			json_object_set_new(ji, "rx_bytes", json_integer((json_int_t)li->rx_bytes));
			json_object_set_new(ji, "tx_bytes", json_integer((json_int_t)li->tx_bytes));
		}
	}
	free(links);
	free(addrs);
}

static void inspect_node_usage(json_t *jn, const struct nslab_cg_sys *cg, const char *lab, const char *node)
{
	struct nslab_cg_usage u;
	json_t *o;

	if (nslab_cg_usage(cg, lab, node, &u) < 0)
		return;
	o = json_object();
	_cleanup_free_ char *rel = nslab_cg_relpath(lab, node);
	json_object_set_new(o, "cgroup", json_string(rel));
	if (u.have & NSLAB_CG_HAVE_CPU)
		json_object_set_new(o, "cpu_ns", json_integer((json_int_t)u.cpu_ns));
	if (u.have & NSLAB_CG_HAVE_MEM) {
		json_object_set_new(o, "memory_bytes", json_integer((json_int_t)u.mem_current));
		/* "cgroup": the node's memory cgroup (page cache and kernel memory included); "pss": the
		 * sum of its processes' proportional set sizes (a node without a memory limit has no
		 * memory cgroup) */
		json_object_set_new(o, "memory_source", json_string(u.have & NSLAB_CG_HAVE_MEM_PSS ? "pss" : "cgroup"));
		json_object_set_new(o, "memory_max_bytes",
				    u.mem_max == UINT64_MAX ? json_null() : json_integer((json_int_t)u.mem_max));
	}
	if (u.have & NSLAB_CG_HAVE_OOM)
		json_object_set_new(o, "oom_kills", json_integer((json_int_t)u.oom_kills));
	if (u.have & NSLAB_CG_HAVE_PIDS) {
		json_object_set_new(o, "pids", json_integer((json_int_t)u.pids_current));
		json_object_set_new(o, "pids_max",
				    u.pids_max == UINT64_MAX ? json_null() : json_integer((json_int_t)u.pids_max));
	}
	if (u.have & NSLAB_CG_HAVE_CLASSID)
		json_object_set_new(o, "net_cls_classid", json_sprintf("0x%08x", u.classid));
	json_object_set_new(jn, "usage", o);
}

json_t *nslab_lab_inspect(const char *lab, struct nslab_err *err)
{
	struct nslab_journal jr;
	json_t *j, *nodes, *jn;
	size_t idx;

	if (!nslab_name_valid(lab)) {
		nslab_err_set(err, EINVAL, "'%s' is not a valid lab name", lab);
		return NULL;
	}
	j = read_state_json(lab);
	if (!j) {
		nslab_err_set(err, ENOENT, "lab %s is not deployed", lab);
		return NULL;
	}
	if (nslab_journal_read(lab, &jr, err) < 0) {
		json_decref(j);
		return NULL;
	}
	struct nslab_cg_sys cg;
	bool have_cg = nslab_cg_detect(&cg, NULL) == 0;
	nodes = json_object_get(j, "nodes");
	json_array_foreach(nodes, idx, jn) {
		const char *name = json_string_value(json_object_get(jn, "name"));
		const struct nslab_journal_node *jnode = name ? nslab_journal_node(&jr, name) : NULL;
		int pidfd = jnode ? nslab_pidfd_open_verified(jnode->pid, jnode->start) : -ESRCH;
		json_object_del(jn, "env");
		if (pidfd < 0) {
			json_object_set_new(jn, "pid", json_null());
			json_object_set_new(jn, "state", json_string(jnode ? "dead" : "not-created"));
			continue;
		}
		json_object_set_new(jn, "pid", json_integer(jnode->pid));
		json_object_set_new(jn, "state", json_string("running"));
		inspect_node_live(jn, pidfd, jnode->pid);
		close(pidfd);
		if (have_cg)
			inspect_node_usage(jn, &cg, lab, name);
	}
	nslab_journal_free(&jr);
	return j;
}

int nslab_lab_node_open(const char *lab, const char *node, int *pidfd, char ***env, struct nslab_err *err)
{
	struct nslab_journal jr;
	const struct nslab_journal_node *jn;
	json_t *j, *nodes, *n;
	size_t idx;
	int fd, r;

	*pidfd = -1;
	if (env)
		*env = NULL;
	if (!nslab_name_valid(lab))
		return nslab_err_set(err, EINVAL, "'%s' is not a valid lab name", lab);
	j = read_state_json(lab);
	if (!j)
		return nslab_err_set(err, ENOENT, "lab %s is not deployed", lab);
	r = nslab_journal_read(lab, &jr, err);
	if (r < 0) {
		json_decref(j);
		return r;
	}
	jn = nslab_journal_node(&jr, node);
	if (!jn) {
		nslab_journal_free(&jr);
		json_decref(j);
		return nslab_err_set(err, ENOENT, "lab %s has no node %s", lab, node);
	}
	fd = nslab_pidfd_open_verified(jn->pid, jn->start);
	nslab_journal_free(&jr);
	if (fd < 0) {
		json_decref(j);
		return nslab_err_set(err, ESRCH, "node %s of lab %s is not running (its init process is gone)", node, lab);
	}
	if (env) {
		nodes = json_object_get(j, "nodes");
		json_array_foreach(nodes, idx, n) {
			const char *name = json_string_value(json_object_get(n, "name"));
			json_t *e = json_object_get(n, "env");
			if (!name || strcmp(name, node) != 0)
				continue;
			*env = xcalloc(json_array_size(e) + 1, sizeof(char *));
			for (size_t k = 0; k < json_array_size(e); k++)
				(*env)[k] = xstrdup(json_string_value(json_array_get(e, k)));
		}
		if (!*env)
			*env = xcalloc(1, sizeof(char *));
	}
	json_decref(j);
	*pidfd = fd;
	return 0;
}

/* ---- runtime limits ---- */

struct limit_ctx {
	const char *lab;
};

static int journal_cgroup_of(void *ctx, const char *path)
{
	struct limit_ctx *c = ctx;
	return nslab_journal_append(c->lab, NULL, "cgroup %s", path);
}

int nslab_lab_set_limits(const char *lab, const char *node, const struct nslab_limits *lim, unsigned mask,
			 struct nslab_err *err)
{
	struct limit_ctx ctx = { .lab = lab };
	struct nslab_cg_sys cg;
	json_t *j = NULL, *n;
	size_t idx;
	int pidfd = -1, lock, r;
	pid_t pid;

	lock = nslab_lab_lock(lab, false, false, err);
	if (lock < 0)
		return lock;
	r = nslab_lab_node_open(lab, node, &pidfd, NULL, err);
	if (r < 0)
		goto out;
	pid = nslab_pidfd_pid(pidfd);
	r = nslab_cg_detect(&cg, err);
	if (r == 0)
		r = nslab_cg_check(&cg, lab, node, lim, mask, err);
	if (r == 0)
		r = nslab_cg_set(&cg, lab, node, lim, mask, pid, journal_cgroup_of, &ctx, err);
	if (r < 0)
		goto out;
	/* record what is now in force */
	j = read_state_json(lab);
	json_array_foreach(json_object_get(j, "nodes"), idx, n) {
		const char *name = json_string_value(json_object_get(n, "name"));
		json_t *old, *upd;
		if (!name || strcmp(name, node) != 0)
			continue;
		old = json_object_get(n, "limits");
		upd = nslab_limits_to_json(lim);
		static const struct { unsigned f; const char *key; } keys[] = {
			{ NSLAB_CG_F_CPU, "cpu" },     { NSLAB_CG_F_CPUSET, "cpu_set" },
			{ NSLAB_CG_F_MEMORY, "memory_bytes" }, { NSLAB_CG_F_CPU_WEIGHT, "cpu_weight" },
			{ NSLAB_CG_F_PIDS, "pids" },   { NSLAB_CG_F_NET_CLS, "net_cls" },
		};
		if (!json_is_object(old)) {
			old = json_object();
			json_object_set_new(n, "limits", old);
		}
		for (size_t k = 0; k < ARRAY_SIZE(keys); k++) {
			json_t *v;
			if (!(mask & keys[k].f))
				continue;
			v = json_object_get(upd, keys[k].key);
			if (v)
				json_object_set(old, keys[k].key, v);
			else
				json_object_del(old, keys[k].key);
		}
		json_decref(upd);
	}
	if (j)
		r = write_state_json(lab, j, err);
out:
	json_decref(j);
	if (pidfd >= 0)
		close(pidfd);
	close(lock);
	if (r < 0)
		nslab_err_prefix(err, "lab %s, node %s", lab, node);
	return r;
}
