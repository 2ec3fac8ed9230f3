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

#include "../topologies/model.h"
#include "../util/err.h"

#define NSLAB_NODE_NSFLAGS (CLONE_NEWNS | CLONE_NEWNET | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWPID)

struct nslab_node_spec {
	const char *name;	/* hostname */
	const char *hosts_path; /* bind-mounted on /etc/hosts; NULL for none */
	const struct nslab_bind *binds;
	size_t nbinds;
};

/* A node being born: the child waits on sync until released. */
struct nslab_node_proc {
	pid_t pid;
	unsigned long long start;
	int sync_fd;   /* write end: 'G' releases the child */
	int status_fd; /* read end: the child's setup report */
};

/*
 * Clone the node's init. The child dies with us (PR_SET_PDEATHSIG, and EOF
 * on the sync pipe) until nslab_node_release(): journal the pid first, then
 * release it, so that no node process ever exists unrecorded.
 */
int nslab_node_spawn(const struct nslab_node_spec *s, struct nslab_node_proc *p, struct nslab_err *err);
int nslab_node_release(struct nslab_node_proc *p, struct nslab_err *err);
/* Read the child's setup report (hostname, mounts, binds). */
int nslab_node_wait_ready(struct nslab_node_proc *p, const char *name, struct nslab_err *err);
void nslab_node_proc_close(struct nslab_node_proc *p);

/* pidfd of a journaled process, verified by start time; -ESRCH if it is gone or was replaced. */
int nslab_pidfd_open_verified(pid_t pid, unsigned long long start);
/* Open /proc/PID/ns/<ns> of the process behind pidfd; verified against pid reuse. */
int nslab_pidfd_ns_open(int pidfd, pid_t pid, const char *ns);

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
