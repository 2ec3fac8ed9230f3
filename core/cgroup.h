/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * core/cgroup.h: per-node resource limits (cpu, cpu-weight, cpu-set, memory,
 * pids, net_cls) on cgroup v1, hybrid and pure v2 hosts.
 *
 * Layout. Every hierarchy nslab uses gets the same relative path
 *     <hierarchy root>/nslab.lab-<LAB>/node-<NODE>
 * e.g. /sys/fs/cgroup/nslab.lab-ut-cg/node-r1 (v2), /sys/fs/cgroup/memory/nslab.lab-ut-cg/node-r1
 * (v1). The "nslab.lab-" prefix marks ownership: nothing outside a directory whose name starts
 * with it is ever removed or killed. Lab and node names are [A-Za-z0-9_-] (no '.'), so
 * "nslab.lab-" + LAB names one lab, never looks like a systemd unit (.slice/.scope/...), and
 * "node-" + NODE can clash neither with interface files ("cpu.max", dotted) nor with v1's dotless
 * ones ("tasks"). Node processes live only in the leaf (v2's no-internal-process rule); the lab
 * directory only carries cgroup.subtree_control.
 *
 * Controllers are resolved one by one: a controller bound to a mounted v1 hierarchy is used there
 * (co-mounts such as cpu,cpuacct are one hierarchy), otherwise on the cgroup2 mount when it lists
 * it in cgroup.controllers. That covers v1, hybrid (controllers on v1, an empty cgroup2 at
 * /sys/fs/cgroup/unified) and pure v2. On v2 the needed controllers are enabled top-down
 * ("+cpu" ... in cgroup.subtree_control of the cgroup2 root, then of the lab directory).
 *
 * net_cls has no v2 controller. On v1/hybrid a net_cls that is not mounted is mounted privately
 * at RUNDIR/.cgroup/net_cls (never under /sys/fs/cgroup) and unmounted by nslab_cg_remove_lab()
 * once no lab directory is left in it. On pure v2 (or with NSLAB_NET_CLS=nftables in the
 * environment) nftables carries the classid instead (cgroup_nft.c): skb->priority, which tc's
 * classful qdiscs (htb, prio, hfsc, drr) read like a classid, set in two places, because the
 * kernel zeroes skb->priority when a packet crosses a veth (____dev_forward_skb()):
 *   - in the node's own namespace, table inet nslab_netcls, output hook: `meta priority set
 *     MAJOR:MINOR` (every packet the node's processes send, for qdiscs on the node's interfaces);
 *   - in the namespace of every bridge node linked to it, table bridge nslab_netcls, forward hook:
 *     `iifname "PORT" meta priority set MAJOR:MINOR` for the port that leads to the node (every
 *     frame that enters the bridge from the node's link, for qdiscs on the other ports).
 * A lab keeps the mechanism it was deployed with: the classid registry records it per node.
 *
 * Automatic classids are 0x4e53MMMM ('N''S' major), minor = the lowest number from 1 that no
 * other node records in RUNDIR/.cgroup/classids ("0xCLASSID LAB NODE" lines, flock()ed; explicit
 * classids are recorded too). A lab's lines are dropped by nslab_cg_remove_lab(); lines of labs
 * whose RUNDIR/LAB no longer exists are dropped at the next allocation.
 *
 * Files: cgroup.c (names, the limit field table, paths, file helpers), cgroup_detect.c (hierarchies,
 * value helpers, checks), cgroup_apply.c (directories, limits, processes), cgroup_classid.c (net_cls
 * mount, classid registry), cgroup_usage.c (inspect's numbers), cgroup_remove.c (removal); what they
 * share among themselves is in cgroup_int.h.
 *
 * Errors: every function returns 0 or -errno and fills err with what failed, the file's path and
 * the errno text. Nothing here prints or exits.
 */
#ifndef NSLAB_CORE_CGROUP_H
#define NSLAB_CORE_CGROUP_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "../topologies/model.h"
#include "../util/err.h"

#define NSLAB_CG_LAB_PREFIX "nslab.lab-"
#define NSLAB_CG_NODE_PREFIX "node-"
#define NSLAB_CG_CPU_PERIOD_US 100000ULL
#define NSLAB_CG_CPU_MIN_QUOTA_US 1000ULL /* the kernel refuses a smaller cfs quota */
#define NSLAB_CG_CLASSID_MAJOR 0x4e53u	   /* 'N' 'S' */
#define NSLAB_CG_MAX_HIER 12
#define NSLAB_CG_MAX_CPUS 4096

enum nslab_cg_ctrl {
	NSLAB_CG_CPU,
	NSLAB_CG_CPUACCT, /* usage only; on v2 cpu.stat exists without any controller */
	NSLAB_CG_CPUSET,
	NSLAB_CG_MEMORY,
	NSLAB_CG_PIDS,
	NSLAB_CG_NET_CLS,
	NSLAB_CG__CTRL_COUNT
};

enum nslab_cg_mode {
	NSLAB_CG_MODE_NONE,   /* no cgroup file system mounted */
	NSLAB_CG_MODE_V1,     /* only v1 hierarchies */
	NSLAB_CG_MODE_HYBRID, /* v1 hierarchies and a cgroup2 mount */
	NSLAB_CG_MODE_V2,     /* only cgroup2 (unified) */
};

/* The most processes and threads of a node whose topology sets no pids limit, so that a fork bomb
 * in one node stops there; $NSLAB_PIDS_DEFAULT overrides it (a number, or "max": none). */
#define NSLAB_CG_PIDS_DEFAULT 1024UL
#define NSLAB_CG_PIDS_MAX 4194304UL
/* The default in force: *pids = 0 for none. -EINVAL (message naming the variable) when
 * $NSLAB_PIDS_DEFAULT is neither a number 1-4194304 nor "max". */
int nslab_cg_pids_default(unsigned long *pids, struct nslab_err *err);

/* Fields of struct nslab_limits, for nslab_cg_set() and nslab_cg_prepare_node(). */
enum nslab_cg_field {
	NSLAB_CG_F_CPU = 1u << 0,
	NSLAB_CG_F_CPU_WEIGHT = 1u << 1,
	NSLAB_CG_F_CPUSET = 1u << 2,
	NSLAB_CG_F_MEMORY = 1u << 3,
	NSLAB_CG_F_PIDS = 1u << 4,
	NSLAB_CG_F_NET_CLS = 1u << 5,
	NSLAB_CG_F_ALL = (1u << 6) - 1,
	/* prepare_node only: also make cpuacct/pids directories (where available) without
	 * limits, so that nslab_cg_usage() has numbers for every node (memory: the processes' PSS) */
	NSLAB_CG_F_ACCOUNT = 1u << 8,
};

/* One mounted hierarchy. */
struct nslab_cg_hier {
	char path[PATH_MAX]; /* mount point (with the test prefix, if any) */
	bool v2;
	bool ours;	     /* our private net_cls mount under RUNDIR/.cgroup */
	unsigned ctrls;	     /* 1u << enum nslab_cg_ctrl handled here */
};

/* What the host offers; filled once by nslab_cg_detect(). Plain data, no free needed. */
struct nslab_cg_sys {
	enum nslab_cg_mode mode;
	struct nslab_cg_hier hier[NSLAB_CG_MAX_HIER];
	size_t nhier;
	int ctrl_hier[NSLAB_CG__CTRL_COUNT]; /* index into hier, -1 = not available */
	int v2;				     /* index of the cgroup2 mount, -1 = none */
	unsigned kernel_ctrls;		     /* listed in /proc/cgroups */
	unsigned enabled_ctrls;		     /* listed there with enabled = 1 */
	unsigned v1_bound;		     /* hierarchy id != 0 in /proc/cgroups */
	bool fake;			     /* detected from text (tests): never mount */
	char rundir[PATH_MAX];		     /* RUNDIR at detection (net_cls mount, classids) */
};

/* Detect from /proc/self/mountinfo, /proc/cgroups and the cgroup2 root's cgroup.controllers. */
int nslab_cg_detect(struct nslab_cg_sys *sys, struct nslab_err *err);
/*
 * The same from given texts (tests): mount points are prefixed with `prefix` (a fake tree in a
 * temp dir; "" for none) and cgroup.controllers is read from there. Never mounts anything.
 */
int nslab_cg_detect_at(struct nslab_cg_sys *sys, const char *mountinfo, const char *proc_cgroups,
		       const char *prefix, struct nslab_err *err);
const char *nslab_cg_mode_name(enum nslab_cg_mode m);
const char *nslab_cg_ctrl_name(enum nslab_cg_ctrl c);

/* <hier>/nslab.lab-LAB[/node-NODE] (malloc'd); node may be NULL. */
char *nslab_cg_path(const struct nslab_cg_sys *sys, size_t hier, const char *lab, const char *node);
/* "nslab.lab-LAB/node-NODE" relative to a hierarchy root (for nft's socket cgroupv2). */
char *nslab_cg_relpath(const char *lab, const char *node);

/*
 * Check that every limit in lim (fields in mask) can be applied here and that its values are
 * valid (cpu quota >= 1 ms per 100 ms, cpuset within the CPUs nslab may use, weight 1..10000),
 * without changing anything. One line in err names the node, the limit and what it needs.
 * A net_cls that can be mounted counts as available; so does net-cls carried by nftables.
 */
int nslab_cg_check(const struct nslab_cg_sys *sys, const char *lab, const char *node,
		   const struct nslab_limits *lim, unsigned mask, struct nslab_err *err);

/*
 * Create the node's cgroup directories in every hierarchy its limits need and write the limits.
 * mask: NSLAB_CG_F_* to apply (usually NSLAB_CG_F_ALL, | NSLAB_CG_F_ACCOUNT for usage of
 * unlimited nodes: cpuacct and pids directories; a memory cgroup only comes with a memory limit,
 * since one per node costs much more than the others, super-linearly at 10,000 nodes). journal(ctx, path) is called with the absolute directory path BEFORE each
 * mkdir (not for directories that already exist) so that destroy can nslab_cg_remove() it after
 * a crash; a journal error aborts. May mount net_cls (v1/hybrid, see above); sys is updated.
 * A node without any limit (and no ACCOUNT) gets no directory: returns 0. With ACCOUNT (a node
 * being deployed) and no pids limit, the default one (nslab_cg_pids_default()) where the pids
 * controller is available.
 * Call before the node's init runs anything, then nslab_cg_attach() its pid: its children inherit.
 */
int nslab_cg_prepare_node(struct nslab_cg_sys *sys, const char *lab, const char *node,
			  const struct nslab_limits *lim, unsigned mask,
			  int (*journal)(void *ctx, const char *path), void *ctx, struct nslab_err *err);

/* Move pid (0 = the caller) into the node's directory of every hierarchy where it exists. */
int nslab_cg_attach(const struct nslab_cg_sys *sys, const char *lab, const char *node, pid_t pid,
		    struct nslab_err *err);

/*
 * Move the caller into the nslab cgroups of pid (read from /proc/PID/cgroup; only paths under an
 * "nslab.lab-" directory are joined, others are left alone). For exec/attach sessions: call it in
 * the forked helper before it forks the program, with the node init's pid. 0 when pid is in no
 * nslab cgroup.
 */
int nslab_cg_join_pid_cgroups(const struct nslab_cg_sys *sys, pid_t pid, struct nslab_err *err);

/*
 * Change limits at run time: the fields in mask are taken from lim; a zero value removes that
 * limit ("max", -1, weight 100, cpuset of the parent, classid 0). A field whose hierarchy
 * directory does not exist yet is created (journal as in prepare_node) and every process of the
 * node is moved into it: the processes in node_pid's PID namespace (node_pid = the node's init),
 * or only node_pid when it shares our PID namespace.
 */
int nslab_cg_set(struct nslab_cg_sys *sys, const char *lab, const char *node, const struct nslab_limits *lim,
		 unsigned mask, pid_t node_pid, int (*journal)(void *ctx, const char *path), void *ctx,
		 struct nslab_err *err);

enum nslab_cg_have {
	NSLAB_CG_HAVE_CPU = 1u << 0,
	NSLAB_CG_HAVE_MEM = 1u << 1,
	NSLAB_CG_HAVE_OOM = 1u << 2,
	NSLAB_CG_HAVE_PIDS = 1u << 3,
	NSLAB_CG_HAVE_CLASSID = 1u << 4,
	/* mem_current is the sum of the processes' PSS (no memory cgroup: the node has no memory
	 * limit); a memory cgroup also counts page cache and kernel memory */
	NSLAB_CG_HAVE_MEM_PSS = 1u << 5,
};

struct nslab_cg_usage {
	unsigned have;		     /* NSLAB_CG_HAVE_* filled */
	uint64_t cpu_ns;	     /* CPU time used by the node */
	uint64_t mem_current, mem_max; /* bytes; mem_max UINT64_MAX = unlimited */
	uint64_t oom_kills;
	uint64_t pids_current, pids_max; /* pids_max UINT64_MAX = unlimited */
	unsigned classid;
	bool classid_nft; /* carried by nftables (skb->priority), not by the net_cls controller */
};

/* Read what the node's directories offer; -ENOENT when the node has no cgroup at all. */
int nslab_cg_usage(const struct nslab_cg_sys *sys, const char *lab, const char *node, struct nslab_cg_usage *u);

/*
 * Remove one cgroup directory (a journaled path). Refuses (-EPERM) any path that is not at or
 * below an "nslab.lab-" directory. Kills what is inside first (v2: cgroup.kill where it exists;
 * else SIGKILL to every pid in cgroup.procs, repeated), then rmdir()s with retries for ~5 s while
 * dying processes leave. Child cgroups are removed first. A missing path is success.
 */
int nslab_cg_remove(const char *path, struct nslab_err *err);

/*
 * Remove the lab's whole subtree from every hierarchy (bottom-up), release its classids, and
 * unmount the private net_cls hierarchy when no lab directory is left in it. Idempotent: call it
 * in every destroy after the journaled paths are gone (it also sweeps what a crash left).
 */
int nslab_cg_remove_lab(struct nslab_cg_sys *sys, const char *lab, struct nslab_err *err);

/* ---- pure helpers (exported for tests) ---- */

/* cpu.max value for cores (0 = "max 100000"); -ERANGE below NSLAB_CG_CPU_MIN_QUOTA_US. */
int nslab_cg_cpu_quota_us(double cores, unsigned long long *quota_us);
void nslab_cg_cpu_max(unsigned long long quota_us, char *buf, size_t size);
/* cpu.shares for a v2 weight: weight * 1024 / 100, clamped to 2..262144 (weight 0 = 1024). */
unsigned long nslab_cg_weight_to_shares(unsigned weight);
/* Parse a kernel cpu list ("0-3,8,10-11") into a bitmap of NSLAB_CG_MAX_CPUS bits; 0 / -EINVAL. */
int nslab_cg_cpulist_parse(const char *s, unsigned char bits[NSLAB_CG_MAX_CPUS / 8]);
/* Allocate (or find again) the node's auto classid in rundir/.cgroup/classids. */
int nslab_cg_classid_alloc(const char *rundir, const char *lab, const char *node, unsigned explicit_id,
			   unsigned *classid, struct nslab_err *err);
/* Drop every line of lab from rundir/.cgroup/classids (the file goes when empty). */
int nslab_cg_classid_release(const char *rundir, const char *lab, struct nslab_err *err);

/* One node's classid as recorded for its lab. */
struct nslab_cg_classid {
	char node[NSLAB_NAME_MAX + 1];
	unsigned classid;
	bool nft; /* carried by nftables */
};
/* The lab's recorded classids (malloc'd array in *out, free() it); 0 when none. */
size_t nslab_cg_classids_of(const char *rundir, const char *lab, struct nslab_cg_classid **out);

/* ---- net-cls by nftables (cgroup_nft.c) ---- */

/* Whether a lab that has no classid yet gets them by nftables here: pure v2, or NSLAB_NET_CLS=nftables
 * (NSLAB_NET_CLS=cgroup forces the v1 controller). */
bool nslab_cg_netcls_by_nft(const struct nslab_cg_sys *sys);
/* The same for lab: the mechanism its recorded classids use, else nslab_cg_netcls_by_nft(). */
bool nslab_cg_netcls_lab_nft(const struct nslab_cg_sys *sys, const char *lab);

/* A bridge port and the classid of the node at its other end (0: none). */
struct nslab_cg_port {
	const char *port;
	unsigned classid;
};
/* Replace the node's own rule in its namespace (classid 0 removes it). */
int nslab_cg_nft_node(int netns_fd, const char *node, unsigned classid, struct nslab_err *err);
/* Replace a bridge node's port rules in its namespace (no classid at all removes them). */
int nslab_cg_nft_bridge(int netns_fd, const char *node, const struct nslab_cg_port *ports, size_t n,
			struct nslab_err *err);
/*
 * Bring the lab's nftables rules in line with its recorded classids, when nftables carries them:
 * state is the lab as deployed (core/labstate.h: nodes with kind and interfaces with peers). only: NULL for every
 * node with a classid and every bridge linked to one (deploy), or one node: that node (also to
 * remove its rule) and the bridges linked to it (nslab limit). netns_open(ctx, node) returns a new
 * fd of the node's network namespace (closed here) or -errno; NULL opens it through the lab's
 * journal (a running lab). 0 at once when the lab's classids are the cgroup controller's.
 */
struct nslab_lab_state;
int nslab_cg_nft_sync(const struct nslab_cg_sys *sys, const char *lab, const struct nslab_lab_state *state,
		      const char *only, int (*netns_open)(void *ctx, const char *node), void *ctx,
		      struct nslab_err *err);

#endif
