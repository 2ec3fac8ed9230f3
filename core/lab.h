/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * core/lab.h: the lab engine's entry points. deploy (core/deploy.c) walks the
 * plan and journals every object; destroy and cleanup (core/destroy.c) need
 * only the journal; inspect and list (core/inspect.c) read state.json plus the
 * live kernel state; limits (core/limits.c). Nothing here prints: results come
 * back as return codes, struct nslab_err, callbacks and JSON.
 */
#ifndef NSLAB_CORE_LAB_H
#define NSLAB_CORE_LAB_H

#include <jansson.h>
#include <stdbool.h>

#include "../topologies/model.h"
#include "plan.h"
#include "../util/err.h"

struct nslab_deploy_opts {
	const char *name; /* lab name; NULL = the topology's */
	const char *lab_folder; /* absolute; NULL = the topology's (t->lab_folder), else the run directory */
	/* Called after each exec: command with its combined output and exit status. */
	void (*on_exec)(void *ctx, const char *node, const char *cmd, const char *output, int status);
	/* Called with each warning (an image no profile matches, a cmd whose program is missing). */
	void (*on_warning)(void *ctx, const char *msg);
	/* Called at the start of each phase with the number of operations in it. */
	void (*on_phase)(void *ctx, const char *phase, size_t nops);
	void *ctx;
	/* A failure leaves what was made (status "failed") instead of rolling back, except on an
	 * interruption; *kept (when given) tells whether it did. destroy removes such a lab. */
	bool keep_on_error;
	bool *kept;
};

/* Deploy; on any failure everything made so far is destroyed before returning (unless
 * keep_on_error). */
int nslab_lab_deploy(const struct nslab_topo *t, const struct nslab_deploy_opts *o, struct nslab_err *err);
/* The same, from a plan built by nslab_plan_build() (the one `nslab plan` prints). */
int nslab_lab_deploy_plan(const struct nslab_plan *p, const struct nslab_deploy_opts *o, struct nslab_err *err);

/* Destroy a lab from its journal. Idempotent: *existed tells whether there was anything. */
int nslab_lab_destroy(const char *lab, bool *existed, struct nslab_err *err);

/* Destroy labs whose deploy or destroy died (and stray nslab-LAB.* netns handles of labs that
 * no longer exist); cb is told about each one. Running labs are never touched. */
int nslab_lab_cleanup(char *const *only, void (*cb)(void *ctx, const char *lab, const char *why), void *ctx,
		      struct nslab_err *err);

/* Labs as a JSON array of {name, status, file, nodes, links, created}. */
json_t *nslab_lab_list(struct nslab_err *err);
/* One lab: state.json enriched with live pids, node state and interfaces from the kernel. */
json_t *nslab_lab_inspect(const char *lab, struct nslab_err *err);

/* Find a running node: a verified pidfd (caller closes) and its extra env ("K=V", NULL-terminated,
 * free with nslab_env_free). */
int nslab_lab_node_open(const char *lab, const char *node, int *pidfd, char ***env, struct nslab_err *err);

/* Change a running node's limits: the fields in mask (NSLAB_CG_F_*) are taken from lim, a zero
 * value removing that limit. Recorded in state.json. */
int nslab_lab_set_limits(const char *lab, const char *node, const struct nslab_limits *lim, unsigned mask,
			 struct nslab_err *err);

/* {"cpu": 0.5, "memory_bytes": ..., ...}: the limits given. Pure. */
json_t *nslab_limits_to_json(const struct nslab_limits *l);

/* The /etc/hosts every node of t sees (malloc'd). Pure. */
char *nslab_hosts_build(const struct nslab_topo *t, const char *lab);
/* The lab as state.json stores it (status given). Pure. */
json_t *nslab_topo_to_json(const struct nslab_topo *t, const char *lab, const char *status);

#endif
