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
#include "rootfs.h"

#define NSLAB_NODE_NSFLAGS (CLONE_NEWNS | CLONE_NEWNET | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWPID)

/*
 * What a node's init does inside its own namespaces, in two steps, so that
 * the per-node work of a deploy runs in the nodes, in parallel on every core:
 *   step 1 (once released): hostname, its own root (core/rootfs.h: overlay
 *     layers, /proc, /sys, /dev, /run, binds), the early sysctls, then the early netlink batch
 *     (lo up, the bridge of a bridge node);
 *   step 2 (once the deployer has created the veth pairs): the wire batch
 *     (peer ends up and enslaved, addresses, routes), then the late sysctls.
 * Everything here is built by the deployer and handed to the spawner as
 * a packed record (see below).
 */
struct nslab_node_spec {
	const char *name;	/* hostname */
	struct nslab_rootfs root;
	const struct nslab_bind *binds;
	size_t nbinds;
	const char *const *early_sysctl; /* key, value, key, value, ... */
	size_t nearly_sysctl;		 /* pairs */
	const struct nslab_nlb *early;	 /* may be NULL */
	const struct nslab_nlb *wire;	 /* may be NULL */
	const char *const *late_sysctl;
	size_t nlate_sysctl;
	const char *cgroup; /* cgroup v2 directory the init is born in (CLONE_INTO_CGROUP), or NULL */
	/* network-mode container:NODE: a path to NODE's namespace handle, from the host's root
	 * (/proc/DEPLOYER/root/run/netns/...), which the node's init joins at step 2 (the handles
	 * exist by then), leaving its own; NULL = its own */
	const char *join_netns;
};

/*
 * Node inits are not cloned by the deployer, whose memory grows with the lab (every clone()
 * copies the caller's page tables: 0.12 ms from a small process, 0.4 ms from an 18 MB one,
 * 1.4 ms from 90 MB), but by a spawner: the nslab binary re-executed as a small process
 * (argv[1] = NSLAB_SPAWNER_ARG) that reads packed node specs from a socket, clones one init
 * per spec, and answers each chunk with its pids and the write end of a fresh release pipe
 * that only that chunk's children read. The deployer journals the pids, puts them in their
 * cgroups and writes one byte per child on that pipe (step 1), while the spawner already
 * clones the next chunk. Step 2 starts with one byte per child on the shared `wire` pipe;
 * each child writes one fixed-size report per step on `report`.
 *
 * Until released a child dies with the spawner (PR_SET_PDEATHSIG) and on EOF of its release
 * pipe; the spawner dies with the deployer (PR_SET_PDEATHSIG) and ends on EOF of its socket,
 * which nslab_brood_close() gives once every released child is past step 1 (or on a rollback,
 * where a journaled child killed by the spawner's exit is what destroy does anyway). So no node
 * process ever exists unrecorded, whoever dies when.
 */
#define NSLAB_SPAWNER_ARG "__nslab-spawner"
#define NSLAB_BROOD_CHUNK 32

struct nslab_brood {
	int sock; /* to the spawner */
	pid_t spawner;
	int release; /* write end of the last collected chunk's release pipe, -1 when none */
	int wire[2];
	int report[2];
	size_t requested; /* nodes asked for */
	size_t spawned;	  /* nodes collected */
};

/* Start the spawner (and the shared pipes). */
int nslab_brood_open(struct nslab_brood *b, struct nslab_err *err);
/* Ask for the next n (<= NSLAB_BROOD_CHUNK) nodes; their indexes continue from the last request. */
int nslab_brood_request(struct nslab_brood *b, const struct nslab_node_spec *specs, size_t n,
			struct nslab_err *err);
/* The oldest request's children: pids[0..n-1] and start times (for the journal). They are held
 * until nslab_brood_release(). */
int nslab_brood_collect(struct nslab_brood *b, size_t n, pid_t *pids, unsigned long long *starts,
			struct nslab_err *err);
/* Let the last collected chunk (count children) start step 1: only after journaling them. */
int nslab_brood_release(struct nslab_brood *b, size_t count, struct nslab_err *err);
/* Let `count` children start step 2. */
int nslab_brood_wire(struct nslab_brood *b, size_t count, struct nslab_err *err);
/* Read `count` reports of the current step; pids, starts and names map a report or a death to
 * its node for errors. */
int nslab_brood_wait(struct nslab_brood *b, size_t count, const pid_t *pids, const unsigned long long *starts,
		     const char *const *names, struct nslab_err *err);
/* End the spawner (children not yet released exit) and close everything. */
void nslab_brood_close(struct nslab_brood *b);
/* The spawner process (argv[1] == NSLAB_SPAWNER_ARG): its socket is fd 3, the wire pipe's read
 * end fd 4, the report pipe's write end fd 5. Returns the exit code. */
int nslab_spawner_main(void);

/* Node specs as flat records (for the spawner; exported for tests). unpack: the spec points into
 * data and into what *arena holds (free with nslab_node_spec_arena_free()); -EINVAL if malformed. */
struct nslab_pack;
struct nslab_unpack;
void nslab_node_spec_pack(struct nslab_pack *p, const struct nslab_node_spec *s);
int nslab_node_spec_unpack(struct nslab_unpack *u, struct nslab_node_spec *s, void **arena);
void nslab_node_spec_arena_free(void *arena);

/* Write one sysctl (key as in a topology file) under root: "" for the caller's /proc, or
 * "/proc/PID/root" for a node's own (its /proc/sys/net follows the writer's network namespace).
 * 0 or -errno. */
int nslab_sysctl_write(const char *root, const char *key, const char *value);

/* pidfd of a journaled process, verified by start time; -ESRCH if it is gone or was replaced. */
int nslab_pidfd_open_verified(pid_t pid, unsigned long long start);
/* Open /proc/PID/ns/<ns> of the process behind pidfd; verified against pid reuse. */
int nslab_pidfd_ns_open(int pidfd, pid_t pid, const char *ns);

/* The pid behind a pidfd (from /proc/self/fdinfo), -1 if unknown. */
pid_t nslab_pidfd_pid(int pidfd);
/* Move the caller into the node's cgroups (nothing when the node has none). Call before
 * nslab_node_enter(), from the process that will fork the node's program. */
int nslab_node_join_cgroups(int pidfd, struct nslab_err *err);

/* openpty(3) in the node's own /dev/pts (so that tty(1) and ttyname(3) work there): master and
 * slave, termios and window size as openpty() takes them (either may be NULL). -1 with errno. */
struct termios;
struct winsize;
int nslab_node_openpty(int pidfd, int *master, int *slave, const struct termios *tio, const struct winsize *ws);

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
/* nslab_node_run() in two halves, to run programs in several nodes at once: *pid is the helper
 * (our child) to reap; nslab_node_exit_code() turns its wait status into the program's code. */
int nslab_node_start(int pidfd, char *const argv[], char *const env[], int out_fd, pid_t *pid,
		     struct nslab_err *err);
int nslab_node_exit_code(int wstatus);

/* Build the environment for a program in the node: the caller's, with env overriding. */
char **nslab_env_build(char *const env[]);
void nslab_env_free(char **envp);

#endif
