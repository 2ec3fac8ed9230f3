/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * core/service.h: what runs in a node besides exec: its image profile's start command, or the
 * node's own cmd/entrypoint. Decided before anything is made (a profile needing a program the
 * host lacks fails the deploy there, naming the Debian package), started once every link end is
 * up and before exec, and stopped cleanly on destroy (every process of the node gets SIGTERM and
 * a grace period before the node's init is killed, so daemons remove their own files).
 */
#ifndef NSLAB_CORE_SERVICE_H
#define NSLAB_CORE_SERVICE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "../topologies/model.h"
#include "../util/err.h"

/* How long deploy waits for one start command to return, and destroy for a node's processes to
 * end after SIGTERM. */
#define NSLAB_SERVICE_START_TIMEOUT_MS 60000
#define NSLAB_SERVICE_STOP_TIMEOUT_MS 5000

struct nslab_service {
	size_t node;	/* index in topo->nodes */
	char *what;	/* "frr", "cmd" */
	char *shell;	/* run with /bin/sh -c in the node */
	char *shown;	/* as reported: the profile's start, or the cmd line */
};

struct nslab_services {
	struct nslab_service *v;
	size_t n;
	char **warnings; /* images without a profile, cmd programs not on the host */
	size_t nwarnings;
};

/*
 * Decide what starts in every node (bridge nodes: nothing). A node's cmd/entrypoint (joined as
 * docker does: entrypoint, then cmd) replaces its image's start, as on docker, and runs in the
 * background when its program exists on the host (else a warning). Otherwise the image's profile
 * (core/profile.h) says; an image no profile matches starts nothing (a warning per image).
 * Fails, changing nothing, when a profile file is bad or a needed program is missing:
 * "node r1: image quay.io/frrouting/frr:10.5.1 (profile frr) needs /usr/lib/frr/watchfrr:
 * install the Debian package frr (apt-get install frr)".
 */
int nslab_services_prepare(const struct nslab_topo *t, struct nslab_services *s, struct nslab_err *err);
/* Idempotent (leaves s empty). The _p form is for __attribute__((cleanup)) on a pointer to it. */
void nslab_services_free(struct nslab_services *s);
void nslab_services_freep(struct nslab_services **s);

/* The node's env as "K=V" strings for nslab_node_start() (NULL-terminated; nslab_env_free()). */
char **nslab_node_env(const struct nslab_node *node);

/*
 * Start them in the nodes (inits pids[node]), up to 16 at once, each start command waited for (at
 * most NSLAB_SERVICE_START_TIMEOUT_MS); report(ctx, node, shown, output, status) after each,
 * in node order. A start that fails or hangs fails the deploy.
 */
int nslab_services_start(const struct nslab_topo *t, const struct nslab_services *s, const pid_t *pids,
			 void (*report)(void *ctx, const char *node, const char *cmd, const char *output, int status),
			 void *ctx, struct nslab_err *err);

/*
 * Before a destroy kills the nodes: in every node (journaled init pid + start time) that runs
 * anything besides its init, send SIGTERM to every process of the node and wait until they are
 * gone, at most timeout_ms for all nodes together. Best effort: what is left dies with the init.
 */
void nslab_services_stop(const pid_t *pids, const unsigned long long *starts, size_t n, int timeout_ms);

#endif
