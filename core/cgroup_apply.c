// SPDX-License-Identifier: GPL-2.0-or-later
/* core/cgroup_apply.c: making a node's cgroup directories, writing its limits, and moving processes into them
 * (at deploy, for exec sessions, and at run time). */
#include "cgroup_int.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../util/util.h"

/* ---- directories ---- */

/* A fake tree (tests) has no kernel to fill a new cgroup: copy the names listed in <root>/.files. */
static void fake_populate(const struct nslab_cg_sys *sys, int h, const char *dir)
{
	_cleanup_free_ char *list = NULL, *lpath = xasprintf("%s/.files", sys->hier[h].path);
	char *save = NULL;

	if (!sys->fake || nslab_read_file(lpath, &list, NULL) < 0)
		return;
	for (char *n = strtok_r(list, " \n", &save); n; n = strtok_r(NULL, " \n", &save)) {
		_cleanup_free_ char *p = xasprintf("%s/%s", dir, n);
		nslab_write_file(p, "", 0, 0644);
	}
}

/* Make one level (journaled before the mkdir); v1 cpuset levels get the parent's cpus and mems. */
static int make_level(const struct nslab_cg_sys *sys, int h, const char *parent, const char *dir,
		      int (*journal)(void *ctx, const char *path), void *ctx, bool *created, struct nslab_err *err)
{
	const struct nslab_cg_hier *hi = &sys->hier[h];
	int r;

	if (created)
		*created = false;
	if (cg_exists(dir))
		return 0;
	if (journal) {
		r = journal(ctx, dir);
		if (r < 0)
			return r;
	}
	if (mkdir(dir, 0755) < 0 && errno != EEXIST)
		return nslab_err_sys(err, errno, "creating cgroup %s", dir);
	if (created)
		*created = true;
	fake_populate(sys, h, dir);
	if (!hi->v2 && (hi->ctrls & BIT(NSLAB_CG_CPUSET))) {
		r = cg_copy_file(sys, parent, dir, "cpuset.cpus", err);
		if (r == 0)
			r = cg_copy_file(sys, parent, dir, "cpuset.mems", err);
		if (r < 0)
			return r;
	}
	return 0;
}

static bool token_in(const char *list, const char *word)
{
	size_t wl = strlen(word);

	while (*list) {
		size_t n;
		list += strspn(list, " \n+");
		n = strcspn(list, " \n");
		if (n == wl && strncmp(list, word, n) == 0)
			return true;
		list += n;
	}
	return false;
}

static int enable_ctrls(const struct nslab_cg_sys *sys, const char *dir, unsigned ctrls, struct nslab_err *err)
{
	_cleanup_free_ char *path = xasprintf("%s/cgroup.subtree_control", dir);
	_cleanup_free_ char *cur = cg_read_trim(path);

	for (int c = 0; c < NSLAB_CG__CTRL_COUNT; c++) {
		char val[32];
		int r;

		if (!(ctrls & LIMIT_CTRLS & BIT(c)) || (cur && token_in(cur, cg_ctrl_names[c])))
			continue;
		snprintf(val, sizeof(val), "+%s", cg_ctrl_names[c]);
		r = cg_write(sys, path, val, err);
		if (r < 0) {
			if (-r == EBUSY)
				nslab_err_prefix(err, "%s holds processes, so it cannot hand controllers to child "
						      "cgroups (cgroup v2's no-internal-process rule)",
						 dir);
			return r;
		}
	}
	return 0;
}

/*
 * Whoever makes node cgroups (a deploy, nslab limit) holds a shared flock on the lab's folder of
 * each hierarchy until it exits. cleanup's sweep of stray lab cgroups (core/destroy.c) takes it
 * exclusively first: a deploy in progress under another run directory, whose folders look stray
 * there (no lab folder in that run directory, no process in them yet), is never touched. -ENOENT:
 * the folder was removed (by such a sweep) before we held it: make it again.
 */
#define CG_HELD_MAX (2 * NSLAB_CG_MAX_HIER)
static struct {
	char *path;
	int fd;
} cg_held[CG_HELD_MAX];

static int cg_hold_lab_dir(const char *labdir)
{
	struct stat a, b;
	size_t i;
	int fd;

	for (i = 0; i < CG_HELD_MAX && cg_held[i].path; i++)
		if (strcmp(cg_held[i].path, labdir) == 0 && fstat(cg_held[i].fd, &a) == 0 && stat(labdir, &b) == 0 &&
		    a.st_ino == b.st_ino && a.st_dev == b.st_dev)
			return 0;
	fd = open(labdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (flock(fd, LOCK_SH) < 0 || fstat(fd, &a) < 0 || stat(labdir, &b) < 0 || a.st_ino != b.st_ino ||
	    a.st_dev != b.st_dev) {
		close(fd);
		return -ENOENT;
	}
	if (i == CG_HELD_MAX) { /* the oldest goes (a process makes a handful) */
		free(cg_held[0].path);
		close(cg_held[0].fd);
		memmove(&cg_held[0], &cg_held[1], sizeof(cg_held[0]) * (CG_HELD_MAX - 1));
		i = CG_HELD_MAX - 1;
	}
	cg_held[i].path = xstrdup(labdir);
	cg_held[i].fd = fd;
	return 0;
}

void cg_unhold_lab_dir(const char *labdir)
{
	for (size_t i = 0; i < CG_HELD_MAX && cg_held[i].path;) {
		if (strcmp(cg_held[i].path, labdir) != 0) {
			i++;
			continue;
		}
		free(cg_held[i].path);
		close(cg_held[i].fd);
		memmove(&cg_held[i], &cg_held[i + 1], sizeof(cg_held[0]) * (CG_HELD_MAX - 1 - i));
		cg_held[CG_HELD_MAX - 1].path = NULL;
	}
}

/* Lab and node directory in hierarchy h. new_node: whether the node's directory was made now. */
static int ensure_node_dir(const struct nslab_cg_sys *sys, int h, const char *lab, const char *node,
			   unsigned ctrls, int (*journal)(void *ctx, const char *path), void *ctx, bool *new_node,
			   struct nslab_err *err)
{
	const struct nslab_cg_hier *hi = &sys->hier[h];
	_cleanup_free_ char *labdir = nslab_cg_path(sys, (size_t)h, lab, NULL);
	_cleanup_free_ char *nodedir = nslab_cg_path(sys, (size_t)h, lab, node);
	int r;

	if (hi->v2) {
		r = enable_ctrls(sys, hi->path, ctrls, err);
		if (r < 0)
			return r;
	}
	for (int tries = 0;; tries++) {
		r = make_level(sys, h, hi->path, labdir, journal, ctx, NULL, err);
		if (r < 0)
			return r;
		/* (not in our own net_cls mount: it is this run directory's alone, and an open
		 * folder would keep the hierarchy alive after its umount) */
		r = hi->ours ? 0 : cg_hold_lab_dir(labdir);
		if (r == 0) {
			/* a deploy in progress, published and journaled, its cgroups still empty */
			nslab_test_hold("NSLAB_TEST_DEPLOY_HOLD");
			break;
		}
		if (r != -ENOENT || tries == 5)
			return nslab_err_sys(err, -r, "holding cgroup %s", labdir);
	}
	if (hi->v2) {
		r = enable_ctrls(sys, labdir, ctrls, err);
		if (r < 0)
			return r;
	}
	return make_level(sys, h, labdir, nodedir, journal, ctx, new_node, err);
}

/* ---- limits ---- */

static int write_memory(const struct nslab_cg_sys *sys, const char *dir, unsigned long long bytes,
			struct nslab_err *err)
{
	bool v2 = sys->hier[sys->ctrl_hier[NSLAB_CG_MEMORY]].v2;
	char val[32];
	int r;

	if (v2) {
		if (bytes)
			snprintf(val, sizeof(val), "%llu", bytes);
		else
			snprintf(val, sizeof(val), "max");
		r = cg_writef(sys, dir, "memory.max", err, "%s", val);
		/* no swap: a node over its limit is OOM-killed instead of swapping */
		if (r == 0 && cg_has_file(dir, "memory.swap.max"))
			r = cg_writef(sys, dir, "memory.swap.max", err, "%s", bytes ? "0" : "max");
		return r;
	}
	snprintf(val, sizeof(val), "%lld", bytes ? (long long)bytes : -1LL);
	/* memsw must stay >= limit: lower the limit first, or raise memsw first */
	r = cg_writef(sys, dir, "memory.limit_in_bytes", err, "%s", val);
	if (!cg_has_file(dir, "memory.memsw.limit_in_bytes"))
		return r;
	if (r == -EINVAL) {
		r = cg_writef(sys, dir, "memory.memsw.limit_in_bytes", err, "%s", val);
		return r < 0 ? r : cg_writef(sys, dir, "memory.limit_in_bytes", err, "%s", val);
	}
	return r < 0 ? r : cg_writef(sys, dir, "memory.memsw.limit_in_bytes", err, "%s", val);
}

/*
 * A cpu list, or none (NULL or ""): the parent's CPUs. v1 copies the parent's cpuset.cpus. v2 empties
 * cpuset.cpus (the node then follows its parent), but the kernel refuses to empty it while processes
 * are in the cgroup (ENOSPC): then the parent's effective CPUs are written instead.
 */
static int write_cpuset(const struct nslab_cg_sys *sys, const char *dir, const char *cpus, bool v2,
			struct nslab_err *err)
{
	_cleanup_free_ char *parent = xstrdup(dir), *src = NULL, *eff = NULL;
	int r;

	if (cpus && *cpus)
		return cg_writef(sys, dir, "cpuset.cpus", err, "%s", cpus);
	*strrchr(parent, '/') = '\0';
	if (!v2)
		return cg_copy_file(sys, parent, dir, "cpuset.cpus", err);
	r = cg_writef(sys, dir, "cpuset.cpus", err, "\n");
	if (r != -ENOSPC)
		return r;
	src = xasprintf("%s/cpuset.cpus.effective", parent);
	eff = cg_read_trim(src);
	if (!eff || !*eff)
		return nslab_err_sys(err, eff ? EINVAL : errno ? errno : EIO, "reading %s", src);
	return cg_writef(sys, dir, "cpuset.cpus", err, "%s", eff);
}

static int write_field(struct nslab_cg_sys *sys, const char *lab, const char *node, const struct nslab_limits *lim,
		       unsigned field, enum nslab_cg_ctrl c, struct nslab_err *err)
{
	_cleanup_free_ char *dir = NULL;
	bool v2;
	int r = cg_node_dir_of(sys, c, lab, node, &dir);

	if (r == -ENOENT || r == -EOPNOTSUPP)
		return 0; /* removing a limit that was never set */
	v2 = sys->hier[sys->ctrl_hier[c]].v2;
	switch ((enum nslab_cg_field)field) {
	case NSLAB_CG_F_CPU: {
		unsigned long long q = 0;
		char val[64];
		r = nslab_cg_cpu_quota_us(lim->cpu, &q);
		if (r < 0)
			return nslab_err_set(err, ERANGE, "cpu limit %g is out of range", lim->cpu);
		if (v2) {
			nslab_cg_cpu_max(q, val, sizeof(val));
			return cg_writef(sys, dir, "cpu.max", err, "%s", val);
		}
		r = cg_writef(sys, dir, "cpu.cfs_period_us", err, "%llu", NSLAB_CG_CPU_PERIOD_US);
		if (r == 0)
			r = cg_writef(sys, dir, "cpu.cfs_quota_us", err, "%lld", q ? (long long)q : -1LL);
		return r;
	}
	case NSLAB_CG_F_CPU_WEIGHT:
		if (v2)
			return cg_writef(sys, dir, "cpu.weight", err, "%u", lim->cpu_weight ? lim->cpu_weight : 100);
		return cg_writef(sys, dir, "cpu.shares", err, "%lu", nslab_cg_weight_to_shares(lim->cpu_weight));
	case NSLAB_CG_F_CPUSET:
		return write_cpuset(sys, dir, lim->cpuset, v2, err);
	case NSLAB_CG_F_MEMORY:
		return write_memory(sys, dir, lim->memory_bytes, err);
	case NSLAB_CG_F_PIDS:
		if (lim->pids)
			return cg_writef(sys, dir, "pids.max", err, "%lu", lim->pids);
		return cg_writef(sys, dir, "pids.max", err, "max");
	case NSLAB_CG_F_NET_CLS: {
		unsigned id = 0;
		if (lim->net_cls_auto || lim->net_cls) {
			r = nslab_cg_classid_alloc(sys->rundir, lab, node, lim->net_cls_auto ? 0 : lim->net_cls, &id,
						   err);
			if (r < 0)
				return r;
		}
		return cg_writef(sys, dir, "net_cls.classid", err, "%u", id);
	}
	case NSLAB_CG_F_ALL:
	case NSLAB_CG_F_ACCOUNT:
		break;
	}
	return 0;
}

static int write_limits(struct nslab_cg_sys *sys, const char *lab, const char *node, const struct nslab_limits *lim,
			unsigned mask, struct nslab_err *err)
{
	for (size_t i = 0; i < cg_nfields; i++) {
		int r;
		if (!(mask & cg_field_tab[i].field))
			continue;
		r = write_field(sys, lab, node, lim, cg_field_tab[i].field, cg_field_tab[i].ctrl, err);
		if (r < 0)
			return nslab_err_prefix(err, "node %s: %s", node, cg_field_tab[i].what);
	}
	return 0;
}

/* Create what the fields need (and the accounting controllers when asked). new_hiers: bit per hier index
 * whose node directory was made now. */
static int ensure_dirs(struct nslab_cg_sys *sys, const char *lab, const char *node, unsigned ctrls,
		       int (*journal)(void *ctx, const char *path), void *ctx, unsigned *new_hiers,
		       struct nslab_err *err)
{
	*new_hiers = 0;
	for (size_t h = 0; h < sys->nhier; h++) {
		unsigned mine = 0;
		bool made = false;
		int r;

		for (int c = 0; c < NSLAB_CG__CTRL_COUNT; c++)
			if ((ctrls & BIT(c)) && sys->ctrl_hier[c] == (int)h)
				mine |= BIT(c);
		if (!mine)
			continue;
		r = ensure_node_dir(sys, (int)h, lab, node, mine, journal, ctx, &made, err);
		if (r < 0)
			return nslab_err_prefix(err, "node %s", node);
		if (made)
			*new_hiers |= 1u << h;
	}
	return 0;
}

static unsigned avail_ctrls(const struct nslab_cg_sys *sys, unsigned ctrls)
{
	unsigned m = 0;
	for (int c = 0; c < NSLAB_CG__CTRL_COUNT; c++)
		if ((ctrls & BIT(c)) && sys->ctrl_hier[c] >= 0)
			m |= BIT(c);
	return m;
}

/* Lock RUNDIR/.cgroup around our private net_cls (*lockfd, -1 when none is needed) and mount it when
 * needed. */
static int netcls_prepare(struct nslab_cg_sys *sys, const char *node, int *lockfd, struct nslab_err *err)
{
	int h = sys->ctrl_hier[NSLAB_CG_NET_CLS], r;

	*lockfd = -1;
	if (h < 0 || sys->hier[h].ours) {
		*lockfd = cg_lock_state_dir(sys, err);
		if (*lockfd < 0)
			return nslab_err_prefix(err, "node %s: net-cls", node);
		cg_netcls_recheck(sys); /* another nslab may have unmounted it since we looked */
		h = sys->ctrl_hier[NSLAB_CG_NET_CLS];
	}
	if (h < 0) {
		r = cg_mount_netcls(sys, err);
		if (r < 0) {
			close(*lockfd);
			*lockfd = -1;
			return nslab_err_prefix(err, "node %s: net-cls", node);
		}
	}
	return 0;
}

/* net-cls carried by nftables: only recorded here (nslab_cg_nft_sync() writes the rules). */
static int netcls_record(const struct nslab_cg_sys *sys, const char *lab, const char *node,
			 const struct nslab_limits *lim, struct nslab_err *err)
{
	unsigned id;
	int r;

	if (lim->net_cls_auto || lim->net_cls)
		r = cg_classid_assign(sys->rundir, lab, node, lim->net_cls_auto ? 0 : lim->net_cls, true, &id, err);
	else
		r = cg_classid_forget(sys->rundir, lab, node, err);
	return r < 0 ? nslab_err_prefix(err, "node %s: net-cls", node) : 0;
}

static int apply(struct nslab_cg_sys *sys, const char *lab, const char *node, const struct nslab_limits *lim,
		 unsigned mask, unsigned write_mask, int (*journal)(void *ctx, const char *path), void *ctx,
		 unsigned *new_hiers, struct nslab_err *err)
{
	unsigned fields, ctrls;
	int lockfd = -1, r;

	r = cg_check(sys, lab, node, lim, mask, err);
	if (r < 0)
		return r;
	if ((write_mask & NSLAB_CG_F_NET_CLS) && nslab_cg_netcls_lab_nft(sys, lab)) {
		r = netcls_record(sys, lab, node, lim, err);
		if (r < 0)
			return r;
		mask &= ~NSLAB_CG_F_NET_CLS;
		write_mask &= ~NSLAB_CG_F_NET_CLS;
	}
	fields = cg_fields_set(lim, mask);
	ctrls = cg_fields_ctrls(fields);
	if (fields & NSLAB_CG_F_CPU)
		ctrls |= BIT(NSLAB_CG_CPUACCT); /* usage next to the limit, where available */
	/* no memory controller for accounting alone: a memory cgroup per node is the costliest part of a
	 * big deploy (see bench/PROFILE.md); nslab_cg_usage() sums the processes' PSS instead */
	if (mask & NSLAB_CG_F_ACCOUNT)
		ctrls |= BIT(NSLAB_CG_CPUACCT) | BIT(NSLAB_CG_PIDS);
	ctrls = avail_ctrls(sys, ctrls) | (ctrls & cg_fields_ctrls(fields));
	if (ctrls & BIT(NSLAB_CG_NET_CLS)) {
		r = netcls_prepare(sys, node, &lockfd, err);
		if (r < 0)
			return r;
	}
	r = ensure_dirs(sys, lab, node, ctrls, journal, ctx, new_hiers, err);
	if (r == 0)
		r = write_limits(sys, lab, node, lim, write_mask, err);
	if (lockfd >= 0)
		close(lockfd);
	return r;
}

int nslab_cg_pids_default(unsigned long *pids, struct nslab_err *err)
{
	const char *v = getenv("NSLAB_PIDS_DEFAULT");
	char *end;

	*pids = NSLAB_CG_PIDS_DEFAULT;
	if (!v || !*v)
		return 0;
	if (strcmp(v, "max") == 0) {
		*pids = 0;
		return 0;
	}
	errno = 0;
	*pids = strtoul(v, &end, 10);
	if (errno || *end || *pids < 1 || *pids > NSLAB_CG_PIDS_MAX || !(*v >= '0' && *v <= '9'))
		return nslab_err_set(err, EINVAL, "NSLAB_PIDS_DEFAULT=%s: not a number of processes (1-%lu) or max", v,
				     NSLAB_CG_PIDS_MAX);
	return 0;
}

int nslab_cg_prepare_node(struct nslab_cg_sys *sys, const char *lab, const char *node,
			  const struct nslab_limits *lim, unsigned mask,
			  int (*journal)(void *ctx, const char *path), void *ctx, struct nslab_err *err)
{
	struct nslab_limits l = *lim;
	unsigned new_hiers;

	/* a node being deployed without a pids limit gets the default one, where it can be had */
	if ((mask & NSLAB_CG_F_ACCOUNT) && (mask & NSLAB_CG_F_PIDS) && !l.pids && sys->ctrl_hier[NSLAB_CG_PIDS] >= 0) {
		int r = nslab_cg_pids_default(&l.pids, err);
		if (r < 0)
			return r;
	}
	return apply(sys, lab, node, &l, mask, cg_fields_set(&l, mask), journal, ctx, &new_hiers, err);
}

/* ---- processes ---- */

static int write_pid(const struct nslab_cg_sys *sys, const char *dir, pid_t pid, struct nslab_err *err)
{
	return cg_writef(sys, dir, "cgroup.procs", err, "%d", (int)pid);
}

int nslab_cg_attach(const struct nslab_cg_sys *sys, const char *lab, const char *node, pid_t pid,
		    struct nslab_err *err)
{
	for (size_t h = 0; h < sys->nhier; h++) {
		_cleanup_free_ char *dir = NULL;
		int r;

		if (!sys->hier[h].ctrls)
			continue;
		dir = nslab_cg_path(sys, h, lab, node);
		if (!cg_exists(dir))
			continue;
		r = write_pid(sys, dir, pid, err);
		if (r < 0)
			return nslab_err_prefix(err, "node %s: moving process %d into its cgroup", node, (int)pid);
	}
	return 0;
}

/* The hierarchy a /proc/PID/cgroup line names ("0::/path" or "4:memory:/path"). */
static int hier_of_line(const struct nslab_cg_sys *sys, const char *ctrls)
{
	unsigned m;

	if (!*ctrls)
		return sys->v2;
	m = cg_parse_ctrl_words(ctrls, ",");
	for (size_t h = 0; h < sys->nhier; h++)
		if (!sys->hier[h].v2 && (sys->hier[h].ctrls & m))
			return (int)h;
	return -1;
}

int nslab_cg_join_pid_cgroups(const struct nslab_cg_sys *sys, pid_t pid, struct nslab_err *err)
{
	char path[64];
	_cleanup_free_ char *text = NULL;
	char *save = NULL;
	int r;

	snprintf(path, sizeof(path), "/proc/%d/cgroup", (int)pid);
	r = nslab_read_file(path, &text, NULL);
	if (r < 0)
		return nslab_err_sys(err, -r, "reading %s", path);
	for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *c1 = strchr(line, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
		_cleanup_free_ char *dir = NULL;
		int h;

		if (!c2)
			continue;
		*c2 = '\0';
		if (!cg_owned(c2 + 1))
			continue;
		h = hier_of_line(sys, c1 + 1);
		if (h < 0)
			continue;
		dir = xasprintf("%s%s", sys->hier[h].path, c2 + 1);
		r = write_pid(sys, dir, 0, err);
		if (r < 0)
			return nslab_err_prefix(err, "joining the cgroups of process %d", (int)pid);
	}
	return 0;
}

static bool same_pidns(pid_t a, pid_t b)
{
	char pa[64], pb[64];
	struct stat sa, sb;

	snprintf(pa, sizeof(pa), "/proc/%d/ns/pid", (int)a);
	snprintf(pb, sizeof(pb), "/proc/%d/ns/pid", (int)b);
	return stat(pa, &sa) == 0 && stat(pb, &sb) == 0 && sa.st_ino == sb.st_ino && sa.st_dev == sb.st_dev;
}

/* Move node_pid and every process of its PID namespace into dir. */
static int move_node_procs(const struct nslab_cg_sys *sys, const char *dir, pid_t node_pid, struct nslab_err *err)
{
	DIR *d;
	struct dirent *de;
	int r = write_pid(sys, dir, node_pid, err);

	if (r < 0 || same_pidns(node_pid, getpid()))
		return r;
	d = opendir("/proc");
	if (!d)
		return nslab_err_sys(err, errno, "opening /proc");
	while ((de = readdir(d))) {
		pid_t p = (pid_t)atoi(de->d_name);
		if (p <= 0 || p == node_pid || !same_pidns(p, node_pid))
			continue;
		r = write_pid(sys, dir, p, err);
		if (r == -ESRCH)
			r = 0; /* exited meanwhile */
		if (r < 0)
			break;
	}
	closedir(d);
	return r;
}

int nslab_cg_set(struct nslab_cg_sys *sys, const char *lab, const char *node, const struct nslab_limits *lim,
		 unsigned mask, pid_t node_pid, int (*journal)(void *ctx, const char *path), void *ctx,
		 struct nslab_err *err)
{
	unsigned new_hiers = 0;
	int r;

	mask &= NSLAB_CG_F_ALL;
	r = apply(sys, lab, node, lim, mask, mask, journal, ctx, &new_hiers, err);
	if (r < 0)
		return r;
	for (size_t h = 0; h < sys->nhier && node_pid > 0; h++) {
		_cleanup_free_ char *dir = NULL;
		if (!(new_hiers & (1u << h)))
			continue;
		dir = nslab_cg_path(sys, h, lab, node);
		r = move_node_procs(sys, dir, node_pid, err);
		if (r < 0)
			return nslab_err_prefix(err, "node %s: moving its processes into %s", node, dir);
	}
	return 0;
}
