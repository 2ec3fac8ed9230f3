/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * core/converge.h: whether a running lab's routing has converged: in every node that runs FRR or
 * bird, every OSPF neighbour Full (or 2-Way between DROthers) and no interface waiting for its
 * DR election or, on a point-to-point link, without a neighbour; every BGP neighbour Established;
 * every RIP speaker hearing from a neighbour; every bird OSPF/BGP/RIP/Babel protocol up and not
 * alone; and the routing tables of all those nodes unchanged for a quiet period (longer with
 * RIP). Used by the scenario check `expect converged` and so by `nslab wait LAB --until converged`.
 */
#ifndef NSLAB_CORE_CONVERGE_H
#define NSLAB_CORE_CONVERGE_H

#include <stdbool.h>

/* How long every table must stay the same, and how often the nodes are probed. */
#define NSLAB_CONVERGE_QUIET_S 2.0
/* RIP sends a triggered update 1 to 5 s after a change (RFC 2453 3.10.1): tables can rest 5 s
 * while news is on its way. */
#define NSLAB_CONVERGE_QUIET_RIP_S 6.0
#define NSLAB_CONVERGE_POLL_S 0.25

/* Run a command with sh -c in a node of a running lab: its exit status and the tail of its
 * output (malloc'd). (core/scenario.c) */
struct nslab_err;
int nslab_scn_run_in(const char *lab, const char *node, const char *cmd, int *status, char **output,
		     struct nslab_err *err);

/* The scenario runner's monotonic clock in seconds, and its sleep (core/scenario.c). */
double nslab_scn_now_s(void);
void nslab_scn_sleep_s(double s);

/*
 * Probe the lab's nodes until routing has converged or timeout_s has passed. true with *at_s
 * (seconds since the call when the converged state began, before the quiet period) and *detail
 * naming the routers; false with *detail saying what was still waiting (malloc'd).
 */
bool nslab_converge_wait(const char *lab, double timeout_s, double *at_s, char **detail);

#endif
