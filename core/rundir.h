/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * core/rundir.h: the run directory and what a lab owns in it.
 *
 * A lab owns the directory RUNDIR/LAB (RUNDIR = $NSLAB_RUNDIR or /run/nslab):
 *   lock        flock()ed by whoever deploys or destroys the lab
 *   state.json  the lab as deployed (core/labstate.h), written through a temp file
 *   journal     one line per kernel object, appended before it can outlive a crash (core/journal.h)
 *   hosts       the /etc/hosts bind-mounted into every node
 * and the handles /run/netns/nslab-LAB.NODE (before their bind mounts, hard links to the lab's
 * first handle: one inode for all). destroy and cleanup need nothing but the journal.
 */
#ifndef NSLAB_CORE_RUNDIR_H
#define NSLAB_CORE_RUNDIR_H

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

/* May nslab trust RUNDIR (and RUNDIR/LAB when lab is not NULL)? A real directory, not a symlink,
 * owned by root (or by the user running nslab), writable by nobody else; else -EPERM/-ELOOP/
 * -ENOTDIR with a message naming the path and why, -EACCES (a user who may not read it), -ENOENT.
 * Every reader and writer of a lab's folder checks it first. */
int nslab_rundir_trust(const char *lab, struct nslab_err *err);

/* Make RUNDIR/LAB with its lock file already locked (never visible unlocked): the lock fd, -EEXIST
 * (no message: the folder exists) or -errno. */
#define NSLAB_LABDIR_NEW_PREFIX ".new-"
int nslab_labdir_create(const char *lab, struct nslab_err *err);
/* Remove RUNDIR/.new-LAB.* folders a deploy killed before it published its folder left (not
 * those a live deployer still holds; lab "": every lab's). Returns how many. */
int nslab_labdir_new_sweep(const char *lab);

/* Open (creating if asked) and flock the lab's lock file, in a trusted lab folder. Returns fd or
 * -errno. */
int nslab_lab_lock(const char *lab, bool create, bool nonblock, struct nslab_err *err);

/* Remove RUNDIR/LAB and every file in it, whatever their names (a temp file a crash left
 * included); never follows a symlink. */
int nslab_labdir_remove(const char *lab, struct nslab_err *err);
/* Remove RUNDIR when empty, and unmount and remove /run/netns when nslab made it and no handle is
 * left in it (and no deployer is making handles there); releases our hold on /run/netns. */
void nslab_rundir_tidy(void);
/* Make /run/netns if missing, and make it a shared mount point of itself as iproute2 does when it
 * holds no mount yet (so that a later `ip netns add` does not bind it over our handles); both
 * remembered, so that nslab_rundir_tidy() takes them away again. Holds a shared lock on the
 * folder until exit or tidy: no other nslab's tidy removes it while we make handles there. */
int nslab_netns_dir_ensure(struct nslab_err *err);
/* The first /run/netns/nslab-LAB.* handle that exists (malloc'd), or NULL. */
char *nslab_netns_find(const char *lab);
/* Unmount and unlink one handle; handles in NSLAB_DROP_HELPERS processes when there are many. */
/* Unmount and remove one handle; 0 once the name is really gone, else -errno (-EBUSY when it is
 * still a mount point: mounted beneath a later bind mount of /run/netns). */
int nslab_netns_handle_drop(const char *path);
/* True when the handle's name no longer exists. */
bool nslab_netns_handle_gone(const char *path);
/* The message for a handle that could not be removed (a person can act on it). */
#define NSLAB_NETNS_HIDDEN_HINT \
	"it is still mounted beneath a later mount of " NSLAB_NETNS_DIR " (iproute2's `ip netns add` binds " \
	"that folder onto itself), so its namespace stays alive; once no other namespace handle is in use, " \
	"`umount " NSLAB_NETNS_DIR "` and run `nslab cleanup` again"
void nslab_netns_handles_drop(char *const *paths, size_t n);

/* Names of every lab directory under RUNDIR (sorted). */
int nslab_lab_names(char ***names, size_t *n, struct nslab_err *err);
void nslab_strv_free(char **v, size_t n);

#endif
