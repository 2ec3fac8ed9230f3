/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * core/journal.h: RUNDIR/LAB/journal, one line per kernel object, appended BEFORE or AS it is made:
 *   deploy PID STARTTIME
 *   node NAME PID STARTTIME
 *   netns PATH
 *   cgroup PATH
 *   hostif NAME    (an interface in the host's namespace: core/mgmt.h)
 * A line is written with one write() on O_APPEND. destroy and cleanup need nothing else.
 */
#ifndef NSLAB_CORE_JOURNAL_H
#define NSLAB_CORE_JOURNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "../util/err.h"

struct nslab_journal_node {
	char *name;
	pid_t pid;
	unsigned long long start;
};

struct nslab_journal {
	pid_t deploy_pid;
	unsigned long long deploy_start;
	struct nslab_journal_node *nodes;
	size_t nnodes;
	char **netns;
	size_t nnetns;
	char **cgroups; /* in creation order: remove in reverse */
	char *layers;	/* the nodes' layers (core/rootfs.h), or NULL */
	size_t ncgroups;
	char **hostifs; /* interfaces made in the host's namespace, in creation order */
	size_t nhostifs;
};

/* Append one line (with '\n') to the journal; O_APPEND, one write(). */
int nslab_journal_append(const char *lab, struct nslab_err *err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Read the journal; a missing journal reads as empty. */
int nslab_journal_read(const char *lab, struct nslab_journal *j, struct nslab_err *err);
/* The same for a command that enters only the nodes named: their node lines alone are read and
 * their processes checked (a link change in a 1000-node lab reads 2 processes' /proc, not 1000). */
int nslab_journal_read_nodes(const char *lab, struct nslab_journal *j, const char *const *names, size_t n,
			     struct nslab_err *err);
void nslab_journal_free(struct nslab_journal *j);
/* Find a node's journal entry, or NULL. */
const struct nslab_journal_node *nslab_journal_node(const struct nslab_journal *j, const char *name);

/* Does a live nslab hold the lab's lock right now (deploying, destroying, changing it)? *deployer:
 * the journal's deployer when that very process is still alive, else 0. */
bool nslab_lab_busy(const char *lab, pid_t *deployer);

#endif
