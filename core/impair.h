/* SPDX-License-Identifier: GPL-2.0-or-later */
/* core/impair.h: a model impairment (struct nslab_impair) as kernel requests, words and JSON. */
#ifndef NSLAB_CORE_IMPAIR_H
#define NSLAB_CORE_IMPAIR_H

#include <jansson.h>
#include <stdbool.h>

#include "../netlink/nl.h"
#include "../topologies/impair.h"
#include "../topologies/model.h"

/* True when the set needs the kernel's sch_netem (anything beyond rate and limit). */
bool nslab_impair_needs_netem(const struct nslab_impair *imp);
/*
 * Append what gives ifindex exactly these egress impairments: netem (with its own rate) when any
 * netem field is set, tbf for rate (and limit) alone, and deleting the root qdisc when nothing is
 * set (the kernel answers -ENOENT when there was nothing: callers treat it as done).
 */
void nslab_impair_build(struct nslab_nlb *b, int ifindex, unsigned mtu, const struct nslab_impair *imp,
			const char *what);
/* "delay 20ms jitter 5ms normal, loss 1%, rate 10mbit" (malloc'd); "none" when the mask is 0. */
char *nslab_impair_describe(const struct nslab_impair *imp);
/* {"delay_us": ..., ...} with only the given fields; and back (unknown keys ignored). */
json_t *nslab_impair_to_json(const struct nslab_impair *imp);
void nslab_impair_from_json(json_t *j, struct nslab_impair *imp);

#endif
