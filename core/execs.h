/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * core/execs.h: the deploy's exec phase: each node runs its `exec:` commands in file order, up to
 * NSLAB_EXEC_PARALLEL nodes at once, outputs reported in plan order (core/deploy.c calls it).
 */
#ifndef NSLAB_CORE_EXECS_H
#define NSLAB_CORE_EXECS_H

#include <stdbool.h>
#include <sys/types.h>

#include "../util/err.h"
#include "lab.h"
#include "plan.h"

struct nslab_exec_ctx {
	const struct nslab_plan *plan;
	const struct nslab_deploy_opts *o;
	const pid_t *pids; /* the node inits, per node */
	int *pidfds;	   /* per node, -1 until opened here (the caller closes them) */
};

/* A SIGINT, SIGTERM or SIGHUP is pending (the deploy blocks them and checks between phases). */
bool nslab_deploy_interrupted(void);

/* Run every NSLAB_OP_EXEC of the plan; the first failure in plan order is the error. */
int nslab_deploy_execs(const struct nslab_exec_ctx *d, struct nslab_err *err);

#endif
