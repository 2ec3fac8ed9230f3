/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * core/save.h: `nslab save`: what containerlab's save does, for programs that run on the host's
 * files. FRR nodes first write their running configuration (vtysh -c 'write memory'); then every
 * configuration file a node changed (a regular file under /etc in its layer, but the /etc/hosts
 * nslab writes) is copied into DEST/NODE/upper/..., the layout of a lab folder: a lab deployed with
 * `--lab-folder DEST` (or `lab-folder: DEST`) starts with those files.
 */
#ifndef NSLAB_CORE_SAVE_H
#define NSLAB_CORE_SAVE_H

#include <stdbool.h>
#include <stddef.h>

#include "../util/err.h"

/* One saved file: the node, its path in the node, and where it went ("kept" when the lab already
 * keeps its layers in dest: nothing to copy). vtysh_status is set once per FRR node (from = NULL). */
struct nslab_save_event {
	const char *node;
	const char *from; /* "/etc/frr/frr.conf", or NULL for the write-memory step */
	const char *to;	  /* host path */
	bool kept;
	int vtysh_status; /* with from == NULL: the exit status of vtysh */
};

/*
 * Save nodes (all of them when n == 0) of a running lab into dest (NULL: the lab's folder, else
 * clab-LAB beside its topology file). *dest_used (malloc'd) says which. cb is told of each step.
 * Stops at the first error (a node not running, a copy failing).
 */
int nslab_lab_save(const char *lab, char *const *nodes, size_t n, const char *dest, char **dest_used,
		   void (*cb)(void *ctx, const struct nslab_save_event *ev), void *ctx, struct nslab_err *err);

#endif
