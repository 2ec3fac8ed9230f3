// SPDX-License-Identifier: GPL-2.0-or-later
/* core/execs.c: the deploy's exec phase (see execs.h). */
#include "execs.h"
#include "service.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../util/util.h"
#include "node.h"

bool nslab_deploy_interrupted(void)
{
	sigset_t pending;
	return sigpending(&pending) == 0 &&
	       (sigismember(&pending, SIGINT) || sigismember(&pending, SIGTERM) || sigismember(&pending, SIGHUP));
}

/*
 * The exec phase. Each node runs its own commands one after another, in file order, and up to
 * NSLAB_EXEC_PARALLEL nodes run theirs at the same time (daemons such as FRR take a second to
 * start: one node after the other, a 100-router lab would wait minutes). Outputs are reported in
 * plan order whatever order the commands end in, and the first failure in plan order fails the
 * deploy; once any command has failed, no new one starts.
 */
#define NSLAB_EXEC_PARALLEL 16

struct exec_job {
	const struct nslab_op *op;
	pid_t pid; /* the helper (our child); 0 = not started */
	int pidfd; /* the helper's, to poll */
	int mfd;   /* its output */
	int status;
	bool done;
};

static int exec_start(const struct nslab_exec_ctx *d, struct exec_job *j, struct nslab_err *err)
{
	const struct nslab_node *node = &d->plan->topo->nodes[j->op->node];
	const char *cmd = node->exec[j->op->item];
	char *argv[] = { "/bin/sh", "-c", (char *)cmd, NULL };
	char **env;
	int r;

	j->mfd = memfd_create("nslab-exec", MFD_CLOEXEC);
	if (j->mfd < 0)
		return nslab_err_sys(err, errno, "memfd_create");
	/* opened when first needed: one fd per node would not fit a 10,000-node lab in RLIMIT_NOFILE */
	if (d->pidfds[j->op->node] < 0) {
		d->pidfds[j->op->node] = (int)syscall(SYS_pidfd_open, d->pids[j->op->node], 0);
		if (d->pidfds[j->op->node] < 0)
			return nslab_err_sys(err, errno, "node %s: pidfd_open", node->name);
	}
	env = nslab_node_env(node);
	r = nslab_node_start(d->pidfds[j->op->node], argv, env, j->mfd, &j->pid, err);
	nslab_env_free(env);
	if (r < 0)
		return nslab_err_prefix(err, "node %s: exec '%s'", node->name, cmd);
	j->pidfd = (int)syscall(SYS_pidfd_open, j->pid, 0);
	if (j->pidfd < 0)
		return nslab_err_sys(err, errno, "node %s: exec '%s': pidfd_open", node->name, cmd);
	return 0;
}

/* Hand a finished command's output to the caller; its failure as an error. */
static int exec_report(const struct nslab_exec_ctx *d, const struct exec_job *j, struct nslab_err *err)
{
	const struct nslab_node *node = &d->plan->topo->nodes[j->op->node];
	const char *cmd = node->exec[j->op->item];
	off_t size = lseek(j->mfd, 0, SEEK_END);
	_cleanup_free_ char *out = xcalloc((size_t)(size > 0 ? size : 0) + 1, 1);

	if (size > 0 && pread(j->mfd, out, (size_t)size, 0) < 0)
		out[0] = '\0';
	if (d->o && d->o->on_exec)
		d->o->on_exec(d->o->ctx, node->name, cmd, out, j->status);
	if (j->status != 0) {
		size_t len = strlen(out);
		const char *tail = len > 400 ? out + len - 400 : out;
		while (len && (out[len - 1] == '\n'))
			out[--len] = '\0';
		return nslab_err_set(err, ECANCELED, "node %s: exec '%s' exited with status %d%s%s", node->name, cmd,
				     j->status, *tail ? ": " : "", tail);
	}
	return 0;
}

int nslab_deploy_execs(const struct nslab_exec_ctx *d, struct nslab_err *err)
{
	const struct nslab_plan *p = d->plan;
	struct exec_job *jobs = NULL;
	struct pollfd pfds[NSLAB_EXEC_PARALLEL];
	size_t pj[NSLAB_EXEC_PARALLEL];
	bool *busy = xcalloc(d->plan->topo->nnodes + 1, sizeof(bool)); /* node has a command running */
	size_t n = 0, emitted = 0, running = 0;
	bool stop = false;
	int r = 0;

	for (size_t i = 0; i < p->nops; i++)
		if (p->ops[i].type == NSLAB_OP_EXEC)
			*VEC_PUSH(jobs, n) = (struct exec_job){ .op = &p->ops[i], .pidfd = -1, .mfd = -1 };
	while (r == 0 && emitted < n) {
		if (nslab_deploy_interrupted()) {
			r = nslab_err_set(err, EINTR, "interrupted");
			break;
		}
		/* start what may start, in plan order: a node's next command once its previous ended */
		/* a lab.dep start order: one node at a time, in node order */
		for (size_t i = emitted; !stop && i < n && running < (d->plan->topo->exec_in_order ? 1 : NSLAB_EXEC_PARALLEL); i++) {
			if (jobs[i].pid || busy[jobs[i].op->node])
				continue;
			r = exec_start(d, &jobs[i], err);
			if (r < 0)
				break;
			busy[jobs[i].op->node] = true;
			running++;
		}
		/* report, in plan order, what has ended; once a command failed, the ones that never
		 * started are passed over, so that the failure is reached and reported */
		while (r == 0 && emitted < n && (jobs[emitted].done || (stop && !jobs[emitted].pid))) {
			if (jobs[emitted].done)
				r = exec_report(d, &jobs[emitted], err);
			emitted++;
		}
		if (r < 0 || emitted == n || !running)
			break;
		size_t np = 0;
		for (size_t i = emitted; i < n && np < running; i++)
			if (jobs[i].pid && !jobs[i].done) {
				pfds[np] = (struct pollfd){ .fd = jobs[i].pidfd, .events = POLLIN };
				pj[np++] = i;
			}
		if (poll(pfds, np, 200) < 0 && errno != EINTR) {
			r = nslab_err_sys(err, errno, "waiting for exec commands");
			break;
		}
		for (size_t k = 0; k < np; k++) {
			struct exec_job *j = &jobs[pj[k]];
			int ws;
			if (!(pfds[k].revents & (POLLIN | POLLHUP | POLLERR)) || waitpid(j->pid, &ws, WNOHANG) != j->pid)
				continue;
			j->status = nslab_node_exit_code(ws);
			j->done = true;
			busy[j->op->node] = false;
			running--;
			stop |= j->status != 0;
		}
	}
	if (r == 0 && emitted < n) /* cannot happen: nothing runs and nothing may start */
		r = nslab_err_set(err, EIO, "exec: %zu commands never ran", n - emitted);
	/* on an error or a signal, commands still running end with their nodes in the rollback */
	for (size_t i = 0; i < n; i++) {
		if (jobs[i].pidfd >= 0)
			close(jobs[i].pidfd);
		if (jobs[i].mfd >= 0)
			close(jobs[i].mfd);
	}
	free(jobs);
	free(busy);
	return r;
}
