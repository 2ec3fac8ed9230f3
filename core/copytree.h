/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * core/copytree.h: a host directory's contents copied onto a node's root, as Kathará extracts a
 * device's folder onto its container's / (tar, owners not kept): directories merged, files and
 * symlinks replacing what is there, modes kept, devices and fifos skipped. Every destination
 * path is resolved inside the root (openat2 RESOLVE_IN_ROOT), so a symlink of the node's tree
 * (/etc/resolv.conf -> /run/...) never leads a write out of it.
 */
#ifndef NSLAB_CORE_COPYTREE_H
#define NSLAB_CORE_COPYTREE_H

#include <stddef.h>

/* Copy the entries of directory srcfd into directory rootfd (the node's root). 0, or -errno with
 * the path that failed in what. */
int nslab_copy_tree(int srcfd, int rootfd, char *what, size_t wlen);

#endif
