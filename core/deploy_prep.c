// SPDX-License-Identifier: GPL-2.0-or-later
/* core/deploy_prep.c: what a deploy sets up around the executor (core/deploy.c): the lab's directory, lock, first journal line, state and hosts file, and the signals held while it runs. */
#include "deploy_prep.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../util/util.h"
#include "journal.h"
#include "lab.h"
#include "labstate.h"
#include "rundir.h"

/* Why a lab directory already exists, in words for the error message. */
static int explain_existing(const char *lab, struct nslab_err *err)
{
	struct nslab_lab_state st;
	bool running;
	pid_t by;

	if (nslab_lab_busy(lab, &by)) /* a live nslab has it: never "run nslab destroy" then */
		return by ? nslab_err_set(err, EBUSY, "lab %s is busy: being deployed by pid %d", lab, (int)by)
			  : nslab_err_set(err, EBUSY, "lab %s is busy: another nslab is deploying, destroying or "
						      "changing it", lab);
	running = nslab_state_read(lab, &st, NULL) == 0 && strcmp(st.status, "running") == 0;
	nslab_state_free(&st);
	if (running)
		return nslab_err_set(err, EEXIST, "lab %s is already deployed: destroy it first (nslab destroy %s)", lab,
				     lab);
	return nslab_err_set(err, EEXIST,
			     "lab %s has leftovers of a deploy or destroy that did not finish: run nslab destroy %s", lab,
			     lab);
}

/* Make the lab's directory (which must not exist) and take its lock: the lock fd, or -errno. */
int nslab_deploy_labdir_create(const char *lab, struct nslab_err *err)
{
	_cleanup_free_ char *foreign = NULL;
	int lock;

	lock = nslab_labdir_create(lab, err); /* published locked (core/rundir.c) */
	if (lock == -EEXIST)
		return explain_existing(lab, err);
	if (lock < 0)
		return lock;
	/* handles named after this lab that our journal does not own: never adopt or drop them */
	foreign = nslab_netns_find(lab);
	if (foreign) {
		close(lock);
		nslab_labdir_remove(lab, NULL);
		nslab_rundir_tidy();
		return nslab_err_set(err, EEXIST,
				     "%s already exists but lab %s has no state here (another nslab run directory, or "
				     "a leftover: nslab cleanup removes leftovers)", foreign, lab);
	}
	return lock;
}

/* What the lab keeps on disk before any kernel object exists: the journal's first line,
 * state.json ("deploying") and the nodes' /etc/hosts. */
int nslab_deploy_journal_line(void *ctx, const char *line)
{
	return nslab_journal_append(ctx, NULL, "%s", line);
}

int nslab_deploy_labdir_fill(const struct nslab_topo *t, const char *lab, const char *folder, struct nslab_err *err)
{
	_cleanup_free_ char *hosts_path = nslab_lab_path(lab, "hosts");
	_cleanup_free_ char *hosts = NULL;
	struct nslab_lab_state st;
	int r;

	r = nslab_journal_append(lab, err, "deploy %d %llu", (int)getpid(), nslab_proc_starttime(getpid()));
	if (r < 0)
		return r;
	nslab_state_from_topo(t, lab, "deploying", &st);
	st.lab_folder = folder ? xstrdup(folder) : NULL;
	r = nslab_state_write(lab, &st, err);
	nslab_state_free(&st);
	if (r < 0)
		return r;
	hosts = nslab_hosts_build(t, lab);
	r = nslab_write_file(hosts_path, hosts, strlen(hosts), 0644);
	if (r < 0)
		return nslab_err_sys(err, -r, "writing %s", hosts_path);
	return 0;
}

/* Ctrl-C and friends are blocked, checked between phases, and roll the lab back; a node that
 * died before its release byte must be an error, not a SIGPIPE. */
void nslab_deploy_signals_hold(struct nslab_deploy_signals *s)
{
	sigemptyset(&s->block);
	sigaddset(&s->block, SIGINT);
	sigaddset(&s->block, SIGTERM);
	sigaddset(&s->block, SIGHUP);
	sigprocmask(SIG_BLOCK, &s->block, &s->old);
	sigaction(SIGPIPE, &(struct sigaction){ .sa_handler = SIG_IGN }, &s->old_pipe);
}

void nslab_deploy_signals_release(struct nslab_deploy_signals *s, int r)
{
	/* a signal that stopped the deploy has been acted on (rolled back): consume it so that
	 * the caller can report the error instead of dying when the mask is restored */
	if (r == -EINTR) {
		struct timespec zero = { 0, 0 };
		while (sigtimedwait(&s->block, NULL, &zero) > 0)
			;
	}
	sigprocmask(SIG_SETMASK, &s->old, NULL);
	sigaction(SIGPIPE, &s->old_pipe, NULL);
}

