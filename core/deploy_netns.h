/* SPDX-License-Identifier: GPL-2.0-or-later */
/* core/deploy_netns.h: a deploy's namespace handles (core/deploy_netns.c). */
#ifndef NSLAB_CORE_DEPLOY_NETNS_H
#define NSLAB_CORE_DEPLOY_NETNS_H

#include <sys/types.h>

#include "../topologies/model.h"
#include "../util/err.h"

/* A helper process makes each node's handle /run/netns/nslab-LAB.NODE (hard links to one file)
 * and bind-mounts the network namespace of pids[n] (or of the node it shares) on it. It dies with
 * us (it holds the lab lock, so a destroy waits for it). Returns its pid, or -errno; *status_fd
 * carries its error message. */
pid_t nslab_netns_mounter_start(const struct nslab_topo *t, const char *lab, const pid_t *pids, int *status_fd,
				struct nslab_err *err);
/* Wait for it: 0, or its error (err may be NULL). */
int nslab_netns_mounter_wait(pid_t pid, int status_fd, struct nslab_err *err);

#endif
