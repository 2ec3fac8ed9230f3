/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * core/rootfs.h: a node's own root filesystem. An overlayfs of three layers: the host's root
 * filesystem at the bottom (read-only), the lab's layer above it (read-only, shared by every node:
 * the lab's /etc/hosts, and opaque directories that make /tmp, /var/tmp, /var/log and /root start
 * empty and hide the run directory and lab folder), and the node's own upper layer on top, where
 * every write the node makes lands. /run and /dev are the node's own tmpfs, with its own /proc,
 * /sys and /dev/pts; disk filesystems mounted on the host besides / (/home on its own partition...)
 * are shown read-only; binds go on top, their missing mount points made in the node's layer. The
 * node's init builds all of this in its own mount namespace, then pivot_root()s into it: those
 * mounts vanish with the node. What outlives a node is its layer directory: under
 * RUNDIR/LAB/layers (a tmpfs the deployer journals and mounts, destroy unmounts; the lab's layer
 * is RUNDIR/LAB/layers/.lab), or in the lab folder, kept on purpose.
 */
#ifndef NSLAB_CORE_ROOTFS_H
#define NSLAB_CORE_ROOTFS_H

#include <stdbool.h>
#include <stddef.h>

#include "../topologies/model.h"
#include "../util/err.h"

/* A directory of the lab's layer. */
struct nslab_rootfs_dir {
	const char *path; /* relative to the node's root: "var/log/frr" */
	unsigned mode;	  /* permission bits, sticky included */
	unsigned uid, gid;
	bool opaque; /* hides the host's content below it (overlayfs opaque directory) */
};

/* What a node's init needs to build its root (one per node; the lists are the lab's). */
struct nslab_rootfs {
	const char *layer; /* host path of the node's layer: upper/, work/ and root/ in it */
	const char *lower; /* host path of the lab's layer */
	bool keep;	   /* the layer outlives the lab (a lab folder): no "volatile" overlay */
	const char *const *carry; /* host mount points shown read-only in the node */
	size_t ncarry;
};

/* The lab's side: computed once by the deployer, shared by its nodes. */
struct nslab_rootfs_lab {
	char *layers; /* RUNDIR/LAB/layers, or the lab folder */
	char *lower;  /* RUNDIR/LAB/layers/.lab */
	bool keep;
	struct nslab_rootfs_dir *dirs;
	size_t ndirs;
	char **carry;
	size_t ncarry;
};

/* The directory under RUNDIR/LAB that holds the lab's layers when it has no lab folder. */
#define NSLAB_LAYERS_DIR "layers"
#define NSLAB_LAB_LAYER ".lab" /* in it: not a node name */

/*
 * Prepare the lab's layers: journal "layers PATH" through journal(), make RUNDIR/LAB/layers and
 * mount a tmpfs on it; build the lab's layer in it (private directories, RUNDIR and the folder
 * hidden, hosts_path copied to etc/hosts). The nodes' own layers go there too, or with a folder
 * (absolute) in it (created if missing, kept: never removed). Also finds the host mounts carried
 * into nodes, from /proc/self/mountinfo. One lab per folder: EBUSY if another lab uses it.
 */
int nslab_rootfs_lab_prepare(struct nslab_rootfs_lab *rl, const char *lab, const char *folder, const char *hosts_path,
			     int (*journal)(void *ctx, const char *line), void *ctx, struct nslab_err *err);
void nslab_rootfs_lab_free(struct nslab_rootfs_lab *rl);
/* The lab's /etc/hosts rewritten (hosts_path, after core/live.c named what nodes really hold):
 * rewrite the lab layer's copy in place, which every node that did not change its own sees. */
int nslab_rootfs_hosts_update(const struct nslab_rootfs_lab *rl, const char *hosts_path, struct nslab_err *err);
/* A node's share of it; layer (malloc'd by the caller, freed by the caller) = LAYERS/NODE. */
struct nslab_rootfs nslab_rootfs_for_node(const struct nslab_rootfs_lab *rl, const char *layer);

/*
 * Remove the journaled layers directory of a lab (destroy, cleanup): only RUNDIR/LAB/layers is
 * accepted; whatever is mounted on it is unmounted (lazily: nodes still exiting keep theirs until
 * they are gone), then the empty directory is removed. A missing directory is not an error.
 */
int nslab_rootfs_layers_remove(const char *lab, const char *journaled, struct nslab_err *err);

/*
 * In a node's init, in its fresh mount namespace (after its network namespace exists, for /sys):
 * build the root and pivot_root() into it. Returns 0, or -errno with what failed in `what`.
 */
int nslab_rootfs_enter(const struct nslab_rootfs *r, const struct nslab_bind *binds, size_t nbinds, char *what,
		       size_t wlen);

/* ---- pure helpers (unit-tested) ---- */

/* Is path dir itself or below it (component-wise: /run/x is below /run, /running is not)? */
bool nslab_path_under(const char *path, const char *dir);

/*
 * The host mounts nodes see read-only, from /proc/self/mountinfo text: disk filesystems (ext4, xfs,
 * btrfs, vfat, nfs, ... see the table) mounted directly on the root mount, except under the paths
 * a node has of its own (/proc, /sys, /dev, /run, /tmp, /var/tmp, /var/log, /root), under the
 * paths in exclude, and /etc/hosts. Mounts below a carried one come with it (recursive bind).
 * Returns the count; *out (malloc'd strings) holds the mount points, in mountinfo order.
 */
size_t nslab_rootfs_carry_parse(const char *mountinfo, const char *const *exclude, size_t nexclude, char ***out);

#endif
