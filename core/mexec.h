/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * core/mexec.h: programs in many nodes of a running lab at once, through the node exec primitive
 * (nslab_node_start), a bounded number at a time: `nslab exec LAB --all`, pingall and iperf.
 * Picking nodes (all, by label, by list) and a node's address to reach it by. Nothing here prints:
 * output comes back line by line through a callback, or collected per job.
 */
#ifndef NSLAB_CORE_MEXEC_H
#define NSLAB_CORE_MEXEC_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "../util/err.h"

#define NSLAB_MEXEC_PARALLEL 16 /* programs running at once by default */

struct nslab_mexec_job {
	const char *node; /* in: node name */
	char **argv;	  /* in: program and arguments (NULL-terminated) */
	bool collect;	  /* in: keep the output in output/len instead of passing lines to on_line */
	int status;	  /* out: exit code (128+N killed by signal N, 127 not found, 126 could not enter) */
	char *output;	  /* out, when collect: stdout and stderr together, NUL-terminated (free it) */
	size_t len;
};

struct nslab_mexec_opts {
	unsigned parallel; /* at most this many at once; 0 = NSLAB_MEXEC_PARALLEL */
	/* each complete line (without its newline; a last line without one too) of a job not collected */
	void (*on_line)(void *ctx, const struct nslab_mexec_job *job, const char *line);
	void *ctx;
	/* SIGINT, SIGTERM, SIGHUP and SIGQUIT that reach us while jobs run are passed on to the running
	 * programs (and to those started later), so that killing nslab ends what it started */
	bool forward_signals;
};

/* Run every job in the lab's nodes (all nodes are found before anything starts: an unknown or dead
 * node is an error naming it and nothing runs). Returns 0 once every job has ended (its status
 * set), or -errno. */
int nslab_mexec_run(const char *lab, struct nslab_mexec_job *jobs, size_t n, const struct nslab_mexec_opts *o,
		    struct nslab_err *err);
void nslab_mexec_jobs_free(struct nslab_mexec_job *jobs, size_t n);

/* Send sig to the program a helper of nslab_node_start() runs (the helper's children), verified by
 * parent pid through a pidfd. 0 if there was one, -ESRCH if not. */
int nslab_mexec_signal_program(pid_t helper, int sig);

/* Which nodes: every node, those with a label KEY=VALUE, or a comma-separated list. */
enum nslab_node_sel { NSLAB_SEL_ALL, NSLAB_SEL_LABEL, NSLAB_SEL_LIST };
/* The names (malloc'd, *n of them, in the lab's order; free with nslab_mexec_names_free) of the
 * nodes of `inspect` (nslab_lab_inspect()'s JSON) that sel/arg picks. A listed name the lab does not
 * have is an error that lists the lab's nodes; a selection of nothing is an error too. */
int nslab_mexec_select(json_t *inspect, enum nslab_node_sel sel, const char *arg, char ***names, size_t *n,
		       struct nslab_err *err);
void nslab_mexec_names_free(char **names, size_t n);

/* The address other nodes reach a node of `inspect` by: its first IPv4 address on an interface
 * other than lo, else its first IPv6 one (not link-local), else lo's (without the prefix length;
 * out holds 46 bytes). false when the node has none (a bridge, a node without addresses). */
bool nslab_node_address(json_t *node, char *out, size_t size);

#endif
