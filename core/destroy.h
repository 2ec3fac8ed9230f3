/* SPDX-License-Identifier: GPL-2.0-or-later */
/* core/destroy.h: what deploy (its rollback) and cleanup share with destroy, inside core/. */
#ifndef NSLAB_CORE_DESTROY_H
#define NSLAB_CORE_DESTROY_H

#include "../util/err.h"

/* Destroy lab from its journal, with its lock held: kill the journaled node inits, drop the
 * namespace handles, remove the cgroups and the lab directory. */
int nslab_destroy_locked(const char *lab, struct nslab_err *err);

#endif
