/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * core/node.h: one node = one tiny init process (PID 1 of its own network,
 * UTS, mount, PID and IPC namespaces). Spawning it, finding it again by
 * pid + start time through a pidfd, and running programs inside it.
 */
#ifndef NSLAB_CORE_NODE_H
#define NSLAB_CORE_NODE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "../netlink/nl.h"
#include "../topologies/model.h"
#include "../util/err.h"

#define NSLAB_NODE_NSFLAGS (CLONE_NEWNS | CLONE_NEWNET | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWPID)

/*
 * What a node's init does inside its own namespaces, in two steps, so that
 * the per-node work of a deploy runs in the nodes, in parallel on every core:
 *   step 1 (once released): hostname, private mounts, /proc, /sys, /run,
 *     /etc/hosts and binds, the early sysctls, then the early netlink batch
 *     (lo up, the bridge of a bridge node);
 *   step 2 (once the deployer has created the veth pairs): the wire batch
 *     (peer ends up and enslaved, addresses, routes), then the late sysctls.
 * Everything here is built by the deployer before the clone: the child
 * reads its copy of that memory.
 */
struct nslab_node_spec {
	const char *name;	/* hostname */
	const char *hosts_path; /* bind-mounted on /etc/hosts; NULL for none */
	const struct nslab_bind *binds;
	size_t nbinds;
	const char *const *early_sysctl; /* key, value, key, value, ... */
	size_t nearly_sysctl;		 /* pairs */
	const struct nslab_nlb *early;	 /* may be NULL */
	const struct nslab_nlb *wire;	 /* may be NULL */
	const char *const *late_sysctl;
	size_t nlate_sysctl;
};

/*
 * Nodes born together share pipes: one byte on `release` lets one child
 * start step 1 (each batch of children released together has its own
 * release pipe), one byte on `wire` lets one start step 2, and each
 * child writes one fixed-size report per step on `report`. Until released,
 * a child dies with the deployer (PR_SET_PDEATHSIG, and EOF on release):
 * journal every pid first, then release, so that no node process ever
 * exists unrecorded.
 */
struct nslab_brood {
	int release[2];
	int wire[2];
	int report[2];
	size_t spawned;
};

int nslab_brood_open(struct nslab_brood *b, struct nslab_err *err);
/* Clone one node's init (new uts, mnt, pid and ipc namespaces; it makes its network namespace
 * itself once released), held until released.
 * *start is its start time, for the journal. */
int nslab_brood_spawn(struct nslab_brood *b, const struct nslab_node_spec *s, pid_t *pid,
		      unsigned long long *start, struct nslab_err *err);
/* Let `count` more children start step 1 (only after journaling their pids). */
int nslab_brood_release(struct nslab_brood *b, size_t count, struct nslab_err *err);
/* Close the children's ends of the pipes in the deployer: call after the last spawn. */
void nslab_brood_seal(struct nslab_brood *b);
/* Let `count` children start step 2. */
int nslab_brood_wire(struct nslab_brood *b, size_t count, struct nslab_err *err);
/* Read `count` reports of the current step; pids and names map a report to its node for errors. */
int nslab_brood_wait(struct nslab_brood *b, size_t count, const pid_t *pids, const char *const *names,
		     struct nslab_err *err);
void nslab_brood_close(struct nslab_brood *b);

/* pidfd of a journaled process, verified by start time; -ESRCH if it is gone or was replaced. */
int nslab_pidfd_open_verified(pid_t pid, unsigned long long start);
/* Open /proc/PID/ns/<ns> of the process behind pidfd; verified against pid reuse. */
int nslab_pidfd_ns_open(int pidfd, pid_t pid, const char *ns);

/* The pid behind a pidfd (from /proc/self/fdinfo), -1 if unknown. */
pid_t nslab_pidfd_pid(int pidfd);
/* Move the caller into the node's cgroups (nothing when the node has none). Call before
 * nslab_node_enter(), from the process that will fork the node's program. */
int nslab_node_join_cgroups(int pidfd, struct nslab_err *err);

/* Move the calling (single-threaded) process into every namespace of the node and chdir("/");
 * its next children are born in the node's PID namespace. */
int nslab_node_enter(int pidfd, struct nslab_err *err);

/*
 * Run argv inside the node (a forked helper enters, then forks the program so
 * that it lives in the node's PID namespace). env: extra "K=V" strings added
 * to the caller's environment (NULL-terminated, may be NULL). out_fd >= 0
 * receives stdout and stderr, stdin is /dev/null; out_fd < 0 inherits all
 * three. *status is the program's exit code (128+N if killed by signal N,
 * 127 if it could not be executed).
 */
int nslab_node_run(int pidfd, char *const argv[], char *const env[], int out_fd, int *status,
		   struct nslab_err *err);

/* Build the environment for a program in the node: the caller's, with env overriding. */
char **nslab_env_build(char *const env[]);
void nslab_env_free(char **envp);

#endif
