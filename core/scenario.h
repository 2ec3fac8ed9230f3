/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * core/scenario.h: scenarios, timelines of actions (link down/up/flap/set/reset, link add/remove, exec, wait) and
 * checks (expect ... reaches / exec succeeds|fails / loss below) run against a running lab. The
 * parser is pure (text in, steps or every error as file:line:col out); the runner reports each
 * step through callbacks and never prints. The format is in docs/scenario.md.
 */
#ifndef NSLAB_CORE_SCENARIO_H
#define NSLAB_CORE_SCENARIO_H

#include <stdbool.h>
#include <stddef.h>

#include "../topologies/model.h"
#include "link.h"

enum nslab_scn_kind {
	NSLAB_SCN_WAIT,		/* wait DURATION */
	NSLAB_SCN_LINK,		/* link A:IF [B:IF] down|up|flap|set|reset [options] */
	NSLAB_SCN_LINK_ADD,	/* link add A:IF B:IF [addr END=ADDR[,ADDR]]... [mtu N] */
	NSLAB_SCN_LINK_REMOVE,	/* link remove A:IF [B:IF] */
	NSLAB_SCN_EXEC,		/* exec NODE COMMAND... (sh -c; a non-zero exit fails the run) */
	NSLAB_SCN_EXPECT_REACH, /* expect NODE reaches ADDR [within DURATION] */
	NSLAB_SCN_EXPECT_EXEC,	/* expect NODE exec COMMAND... succeeds|fails [within DURATION] */
	NSLAB_SCN_EXPECT_LOSS,	/* expect loss between NODE and ADDR below PERCENT [count N] */
	NSLAB_SCN_EXPECT_CONVERGED, /* expect converged | routing [converged] [within DURATION] (core/converge.h) */
};

struct nslab_scn_step {
	enum nslab_scn_kind kind;
	struct nslab_pos pos; /* of the line's first word */
	char *text;	      /* the line as written, trimmed (for reports) */
	char *node;	      /* exec, expect: the node */
	char *target;	      /* reaches / loss: address or node name */
	char *cmd;	      /* exec: the command, raw (for /bin/sh -c) */
	bool want_success;    /* expect exec: succeeds (true) or fails */
	unsigned long long duration_us; /* wait; within (0 = try once for exec, 5 s for reaches) */
	double max_loss_pct;  /* loss below */
	unsigned count;	      /* loss: packets */
	/* link */
	enum nslab_link_action link_op; /* any of core/link.c's table but show */
	char *a, *b;	      /* b may be NULL */
	bool only;
	struct nslab_impair_change change;
	unsigned long long every_us; /* flap */
	unsigned times;
	struct nslab_link_new add; /* link add: its ends are a and b */
};

struct nslab_scn {
	char *file;
	struct nslab_scn_step *steps;
	size_t nsteps;
	size_t nchecks; /* expect steps */
};

/* Parse a scenario. 0 with *out set, or -EINVAL with every error in diags (nothing in *out); other
 * -errno when the file cannot be read. Pure except for reading the file. */
int nslab_scn_parse_buf(const char *file, const char *buf, size_t len, struct nslab_scn **out,
			struct nslab_diags *diags);
int nslab_scn_parse_file(const char *path, struct nslab_scn **out, struct nslab_diags *diags);
void nslab_scn_free(struct nslab_scn *s);
static inline bool nslab_scn_is_check(const struct nslab_scn_step *st)
{
	return st->kind == NSLAB_SCN_EXPECT_REACH || st->kind == NSLAB_SCN_EXPECT_EXEC ||
	       st->kind == NSLAB_SCN_EXPECT_LOSS || st->kind == NSLAB_SCN_EXPECT_CONVERGED;
}

/* ---- running ---- */

struct nslab_scn_result {
	bool ok;
	bool skipped;	  /* not run: an earlier action failed */
	double start_s;	  /* since the scenario started */
	double duration_s;
	char *detail;	  /* why it failed / what was measured (malloc'd, may be NULL) */
};

struct nslab_scn_run_opts {
	/* Called after each step (checks and actions alike). */
	void (*on_step)(void *ctx, const struct nslab_scn_step *st, const struct nslab_scn_result *r);
	void *ctx;
};

/*
 * Check that every node and link end the scenario names exists in the running lab, following the
 * links its `link add` and `link remove` steps make and take on the way (an added link can be
 * taken down later; an interface a step removes cannot be used after it); errors as
 * file:line:col in diags. Returns 0 or -EINVAL (or another -errno with err set when the lab itself
 * cannot be read).
 */
int nslab_scn_preflight(const struct nslab_scn *s, const char *lab, struct nslab_diags *diags,
			struct nslab_err *err);
/* Run every step in order. A failed check is reported and the run goes on; a failed action is
 * reported and the remaining steps are reported skipped. Returns the number of failed steps. */
size_t nslab_scn_run(const struct nslab_scn *s, const char *lab, const struct nslab_scn_run_opts *o);

#endif
