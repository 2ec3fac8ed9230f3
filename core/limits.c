// SPDX-License-Identifier: GPL-2.0-or-later
/* core/limits.c: `nslab limit`: a running node's cgroup limits changed, and recorded in state.json. */
#include "lab.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "../util/util.h"
#include "cgroup.h"
#include "journal.h"
#include "labstate.h"
#include "node.h"
#include "rundir.h"

struct limit_ctx {
	const char *lab;
	struct nslab_err jerr; /* why a journal line failed: core/cgroup.c hears only that it did */
};

static int journal_cgroup_of(void *ctx, const char *path)
{
	struct limit_ctx *c = ctx;
	return nslab_journal_append(c->lab, &c->jerr, "cgroup %s", path);
}

/* The fields of mask taken from lim, the others kept (a zero value removes that limit). */
static void limits_merge(struct nslab_limits *cur, const struct nslab_limits *lim, unsigned mask)
{
	if (mask & NSLAB_CG_F_CPU)
		cur->cpu = lim->cpu;
	if (mask & NSLAB_CG_F_CPUSET) {
		free(cur->cpuset);
		cur->cpuset = lim->cpuset ? xstrdup(lim->cpuset) : NULL;
	}
	if (mask & NSLAB_CG_F_MEMORY)
		cur->memory_bytes = lim->memory_bytes;
	if (mask & NSLAB_CG_F_CPU_WEIGHT)
		cur->cpu_weight = lim->cpu_weight;
	if (mask & NSLAB_CG_F_PIDS)
		cur->pids = lim->pids;
	if (mask & NSLAB_CG_F_NET_CLS) {
		cur->net_cls = lim->net_cls;
		cur->net_cls_auto = lim->net_cls_auto;
	}
}

/* Record what is now in force. */
static int record_limits(const char *lab, const char *node, const struct nslab_limits *lim, unsigned mask,
			 struct nslab_err *err)
{
	struct nslab_lab_state st;
	struct nslab_st_node *sn;
	int r;

	r = nslab_state_read(lab, &st, err);
	if (r < 0)
		return r;
	sn = nslab_state_node(&st, node);
	if (sn)
		limits_merge(&sn->limits, lim, mask);
	r = nslab_state_write(lab, &st, err);
	nslab_state_free(&st);
	return r;
}

int nslab_lab_set_limits(const char *lab, const char *node, const struct nslab_limits *lim, unsigned mask,
			 struct nslab_err *err)
{
	struct limit_ctx ctx = { .lab = lab };
	struct nslab_cg_sys cg;
	int pidfd = -1, lock, r;

	lock = nslab_lab_lock(lab, false, false, err);
	if (lock < 0)
		return lock;
	r = nslab_lab_node_open(lab, node, &pidfd, NULL, err);
	if (r == 0)
		r = nslab_cg_detect(&cg, err);
	if (r == 0)
		r = nslab_cg_check(&cg, lab, node, lim, mask, err);
	if (r == 0)
		r = nslab_cg_set(&cg, lab, node, lim, mask, nslab_pidfd_pid(pidfd), journal_cgroup_of, &ctx, err);
	if (r == 0 && (mask & NSLAB_CG_F_NET_CLS)) { /* nftables' rules, when they carry the classids */
		struct nslab_lab_state st;
		r = nslab_state_read(lab, &st, err);
		if (r == 0) {
			r = nslab_cg_nft_sync(&cg, lab, &st, node, NULL, NULL, err);
			nslab_state_free(&st);
		}
	}
	if (r < 0 && ctx.jerr.code)
		r = nslab_err_set(err, ctx.jerr.code, "%s", ctx.jerr.msg);
	if (r == 0)
		r = record_limits(lab, node, lim, mask, err);
	if (pidfd >= 0)
		close(pidfd);
	close(lock);
	if (r < 0)
		nslab_err_prefix(err, "lab %s, node %s", lab, node);
	return r;
}
