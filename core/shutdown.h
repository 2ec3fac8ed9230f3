/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * core/shutdown.h: a node's shutdown commands (the model's nslab_node.shutdown, recorded in
 * state.json as "shutdown"), run by destroy in the running nodes before it stops them.
 */
#ifndef NSLAB_CORE_SHUTDOWN_H
#define NSLAB_CORE_SHUTDOWN_H

#include "journal.h"

/* Run every journaled, still running node's shutdown commands with /bin/sh -c, all nodes at once,
 * output discarded, for at most 10 s in all; failures are ignored (destroy goes on regardless). */
void nslab_lab_run_shutdowns(const char *lab, const struct nslab_journal *j);

#endif
