/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * core/cgroup_int.h: what the cgroup files (cgroup.c, cgroup_detect.c, cgroup_apply.c,
 * cgroup_classid.c, cgroup_usage.c, cgroup_remove.c) share among themselves; not for other modules
 * (their contract is cgroup.h). Same error convention: 0 or -errno, err filled.
 */
#ifndef NSLAB_CORE_CGROUP_INT_H
#define NSLAB_CORE_CGROUP_INT_H

#include "cgroup.h"

#define BIT(c) (1u << (c))
#define LIMIT_CTRLS (BIT(NSLAB_CG_CPU) | BIT(NSLAB_CG_CPUSET) | BIT(NSLAB_CG_MEMORY) | BIT(NSLAB_CG_PIDS))

/* ---- cgroup.c: names, the field table, small file helpers ---- */

extern const char *const cg_ctrl_names[NSLAB_CG__CTRL_COUNT];
int cg_ctrl_by_name(const char *s, size_t n);

/* What each limit field needs, and how a person calls it. */
struct cg_field {
	unsigned field;
	enum nslab_cg_ctrl ctrl;
	const char *what;
};
extern const struct cg_field cg_field_tab[];
extern const size_t cg_nfields;

/* Fields of mask that carry a value in lim (a limit to apply, not one to remove). */
unsigned cg_fields_set(const struct nslab_limits *lim, unsigned mask);
/* The controllers those fields need. */
unsigned cg_fields_ctrls(unsigned fields);

/* The file's text without trailing newlines and blanks (malloc'd), NULL if unreadable. */
char *cg_read_trim(const char *path);
bool cg_exists(const char *path);
bool cg_has_file(const char *dir, const char *file);
/* Write one value the way the kernel wants it: one write(). In a fake tree files are created. */
int cg_write(const struct nslab_cg_sys *sys, const char *path, const char *val, struct nslab_err *err);
int cg_writef(const struct nslab_cg_sys *sys, const char *dir, const char *file, struct nslab_err *err,
	      const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* Copy dir/file's value from from_dir to to_dir (an empty value is left alone). */
int cg_copy_file(const struct nslab_cg_sys *sys, const char *from_dir, const char *to_dir, const char *file,
		 struct nslab_err *err);
/* The node's directory for controller c: 0, -EOPNOTSUPP (no hierarchy) or -ENOENT (not made). */
int cg_node_dir_of(const struct nslab_cg_sys *sys, enum nslab_cg_ctrl c, const char *lab, const char *node,
		   char **dir);
/* At or below an "nslab.lab-" directory, with no "." or ".." step. */
bool cg_owned(const char *path);
void cg_sleep_ms(long ms);
/* On a cgroup (v1) or cgroup2 file system. */
bool cg_on_cgroupfs(const char *path);

/* ---- cgroup_detect.c ---- */

unsigned cg_parse_ctrl_words(const char *s, const char *seps);
/* Append a hierarchy (prefix + mount point); its index, or -errno. */
int cg_add_hier(struct nslab_cg_sys *sys, const char *prefix, const char *mp, bool v2, unsigned ctrls,
		struct nslab_err *err);
/* nslab_cg_check() itself. */
int cg_check(const struct nslab_cg_sys *sys, const char *lab, const char *node, const struct nslab_limits *lim,
	     unsigned mask, struct nslab_err *err);

/* ---- cgroup_classid.c: the private net_cls mount, under a lock of RUNDIR/.cgroup ---- */

char *cg_netcls_mountpoint(const char *rundir);
/* net_cls not mounted here but mountable by us (v1/hybrid, the kernel has it). */
bool cg_netcls_mountable(const struct nslab_cg_sys *sys);
/* flock()ed fd of RUNDIR/.cgroup, or -errno. */
int cg_lock_state_dir(const struct nslab_cg_sys *sys, struct nslab_err *err);
/* Mount our net_cls (or take the mount another nslab made meanwhile); sys is updated. */
int cg_mount_netcls(struct nslab_cg_sys *sys, struct nslab_err *err);
/* Under the lock: forget our net_cls mount when another nslab unmounted it since detection. */
void cg_netcls_recheck(struct nslab_cg_sys *sys);
/* Unmount our net_cls when no cgroup is left in it; remove RUNDIR/.cgroup when empty. */
void cg_maybe_unmount_netcls(struct nslab_cg_sys *sys);

/* Record the node's classid (explicit_id, or a free automatic one) with its mechanism. */
int cg_classid_assign(const char *rundir, const char *lab, const char *node, unsigned explicit_id, bool nft,
		      unsigned *classid, struct nslab_err *err);
/* Drop the node's line (a classid removed while nftables carries it). */
int cg_classid_forget(const char *rundir, const char *lab, const char *node, struct nslab_err *err);

/* Let go of the shared flock on a lab folder this process holds (core/cgroup_apply.c): before the
 * folder is removed. */
void cg_unhold_lab_dir(const char *labdir);

#endif
