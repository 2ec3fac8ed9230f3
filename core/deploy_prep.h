/* SPDX-License-Identifier: GPL-2.0-or-later */
/* core/deploy_prep.h: the lab's directory and signals around a deploy (core/deploy_prep.c). */
#ifndef NSLAB_CORE_DEPLOY_PREP_H
#define NSLAB_CORE_DEPLOY_PREP_H

#include <signal.h>

#include "../topologies/model.h"
#include "../util/err.h"

/* Make the lab's directory (which must not exist) and take its lock: the lock fd, or -errno. */
int nslab_deploy_labdir_create(const char *lab, struct nslab_err *err);
/* What the lab keeps on disk before any kernel object exists: the journal's first line,
 * state.json ("deploying") and the nodes' /etc/hosts. */
int nslab_deploy_labdir_fill(const struct nslab_topo *t, const char *lab, const char *folder, struct nslab_err *err);

/* A journal line for the lab named by ctx (core/rootfs.h's journal callback). */
int nslab_deploy_journal_line(void *ctx, const char *line);

/* Ctrl-C and friends are blocked, checked between phases, and roll the lab back; a node that
 * died before its release byte must be an error, not a SIGPIPE. */
struct nslab_deploy_signals {
	sigset_t block, old;
	struct sigaction old_pipe;
};
void nslab_deploy_signals_hold(struct nslab_deploy_signals *s);
/* Restore; after an interrupted deploy (r == -EINTR) the signal is consumed: it was acted on. */
void nslab_deploy_signals_release(struct nslab_deploy_signals *s, int r);

#endif
