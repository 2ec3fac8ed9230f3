// SPDX-License-Identifier: GPL-2.0-or-later
/* core/shutdown.c: the nodes' shutdown commands (Kathará's DEVICE.shutdown, shared.shutdown), run by destroy before it stops the nodes. */
#include "shutdown.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../util/util.h"
#include "labstate.h"
#include "node.h"

/* Every node's commands together get this long; then destroy goes on without them. */
#define NSLAB_SHUTDOWN_TIMEOUT_MS 10000

struct sd_job {
	pid_t helper;
	int pidfd; /* the helper's */
};

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* "cmd1; cmd2" of a node's shutdown list (malloc'd), NULL when it has none. */
static char *sd_script(const struct nslab_st_node *sn)
{
	char *s = NULL;

	for (size_t i = 0; i < sn->nshutdown; i++) {
		char *next = s ? xasprintf("%s; %s", s, sn->shutdown[i]) : xstrdup(sn->shutdown[i]);

		free(s);
		s = next;
	}
	return s;
}

/* Start one node's commands (its env as deployed, output discarded); 0 or -1. */
static int sd_start(const struct nslab_journal_node *jn, const struct nslab_st_node *sn, const char *script,
		    int devnull, struct sd_job *job)
{
	char *argv[] = { "/bin/sh", "-c", (char *)script, NULL };
	struct nslab_err err = { 0 };
	int fd, r;

	fd = nslab_pidfd_open_verified(jn->pid, jn->start);
	r = fd < 0 ? -1 : nslab_node_start(fd, argv, sn->env, devnull, &job->helper, &err);
	if (fd >= 0)
		close(fd);
	if (r < 0)
		return -1;
	job->pidfd = (int)syscall(SYS_pidfd_open, job->helper, 0);
	return 0;
}

void nslab_lab_run_shutdowns(const char *lab, const struct nslab_journal *j)
{
	struct nslab_lab_state st = { 0 };
	struct sd_job *jobs = NULL;
	size_t njobs = 0;
	long long deadline;
	int devnull;

	if (nslab_state_read(lab, &st, NULL) < 0)
		return;
	devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);
	for (size_t i = 0; i < st.nnodes; i++) {
		const struct nslab_journal_node *jn = nslab_journal_node(j, st.nodes[i].name);
		_cleanup_free_ char *script = sd_script(&st.nodes[i]);
		struct sd_job job = { .pidfd = -1 };

		if (jn && script && devnull >= 0 && sd_start(jn, &st.nodes[i], script, devnull, &job) == 0)
			*VEC_PUSH(jobs, njobs) = job;
	}
	nslab_state_free(&st);
	if (devnull >= 0)
		close(devnull);
	/* all nodes at once, as Kathará stops its containers; bounded, since destroy must end */
	deadline = now_ms() + NSLAB_SHUTDOWN_TIMEOUT_MS;
	for (size_t i = 0; i < njobs; i++) {
		long long left = deadline - now_ms();
		struct pollfd p = { .fd = jobs[i].pidfd, .events = POLLIN };

		if (jobs[i].pidfd >= 0 && left > 0)
			while (poll(&p, 1, (int)left) < 0 && errno == EINTR)
				;
		if (waitpid(jobs[i].helper, NULL, WNOHANG) == 0) {
			/* the helper; the program it waits for dies with the node right after */
			kill(jobs[i].helper, SIGKILL);
			waitpid(jobs[i].helper, NULL, 0);
		}
		if (jobs[i].pidfd >= 0)
			close(jobs[i].pidfd);
	}
	free(jobs);
}
