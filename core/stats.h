/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * core/stats.h: live interface counters of a running lab (bytes and drops per interface), read by
 * rtnetlink from inside each node's network namespace. A sampler keeps one socket per node open
 * between samples (reopened when the node's pid changes), so that sampling a lab every second
 * (the console) costs two dumps per node (links, qdiscs). Nothing here prints.
 */
#ifndef NSLAB_CORE_STATS_H
#define NSLAB_CORE_STATS_H

#include <jansson.h>

#include "../util/err.h"

struct nslab_stats;

/* A sampler for lab `lab` (the name is copied). */
struct nslab_stats *nslab_stats_new(const char *lab);
void nslab_stats_free(struct nslab_stats *s);

/*
 * Add "rx_bytes", "tx_bytes", "rx_dropped", "tx_dropped" and "qdisc_drops" (its root qdisc's) to every interface (by "ifindex") of
 * every running node of j, nslab_lab_inspect()'s JSON of the sampler's lab. A node whose counters
 * cannot be read keeps its interfaces as they were. Returns the number of such nodes, the first
 * one's error in *err.
 */
int nslab_stats_add(struct nslab_stats *s, json_t *j, struct nslab_err *err);

#endif
