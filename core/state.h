/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * core/state.h: where a lab's state lives and how it is journaled.
 *
 * A lab owns the directory RUNDIR/LAB (RUNDIR = $NSLAB_RUNDIR or /run/nslab):
 *   lock        flock()ed by whoever deploys or destroys the lab
 *   state.json  the lab as deployed (nodes, kinds, interfaces, links, status)
 *   journal     one line per kernel object, appended BEFORE or AS it is made:
 *                 deploy PID STARTTIME
 *                 node NAME PID STARTTIME
 *                 netns PATH
 *                 cgroup PATH
 *   hosts       the /etc/hosts bind-mounted into every node
 * destroy and cleanup need nothing but the journal.
 */
#ifndef NSLAB_CORE_STATE_H
#define NSLAB_CORE_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "../util/err.h"

#define NSLAB_NETNS_DIR "/run/netns"
#define NSLAB_NETNS_PREFIX "nslab-"

const char *nslab_rundir(void);
/* RUNDIR/LAB[/file] (malloc'd). */
char *nslab_lab_path(const char *lab, const char *file);
/* /run/netns/nslab-LAB.NODE (malloc'd) and the bare name. */
char *nslab_netns_path(const char *lab, const char *node);
char *nslab_netns_name(const char *lab, const char *node);

/* Process start time (field 22 of /proc/PID/stat), 0 if the process is gone. */
unsigned long long nslab_proc_starttime(pid_t pid);

/* Open (creating if asked) and flock the lab's lock file. Returns fd or -errno. */
int nslab_lab_lock(const char *lab, bool create, bool nonblock, struct nslab_err *err);

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
	size_t ncgroups;
};

/* Append one line (with '\n') to the journal; O_APPEND, one write(). */
int nslab_journal_append(const char *lab, struct nslab_err *err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Read the journal; a missing journal reads as empty. */
int nslab_journal_read(const char *lab, struct nslab_journal *j, struct nslab_err *err);
void nslab_journal_free(struct nslab_journal *j);
/* Find a node's journal entry, or NULL. */
const struct nslab_journal_node *nslab_journal_node(const struct nslab_journal *j, const char *name);

/* Names of every lab directory under RUNDIR (sorted). */
int nslab_lab_names(char ***names, size_t *n, struct nslab_err *err);
void nslab_strv_free(char **v, size_t n);

#endif
