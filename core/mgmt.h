/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * core/mgmt.h: the only objects nslab puts in the host's network namespace, and only when the file
 * asks: the lab's management bridge (containerlab's `mgmt:`, or deploy --mgmt) holding the gateway
 * addresses, eth0 of every linux/router node on it, and the veths of `host:`/`mgmt-net:` link
 * endpoints. Each is journaled ("hostif NAME") before it is made and marked as the lab's
 * (ifalias "nslab:LAB"); destroy removes only what carries that mark.
 */
#ifndef NSLAB_CORE_MGMT_H
#define NSLAB_CORE_MGMT_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "../topologies/model.h"
#include "../util/err.h"

#define NSLAB_MGMT_MARK "nslab:" /* + the lab's name: the alias of what the lab made */

/* Whether the lab makes anything in the host's namespace. */
bool nslab_mgmt_needed(const struct nslab_topo *t);
/* The lab's names in the host's namespace: "nslm" + 8 hex digits of the lab's name (its bridge),
 * "nsv" + those 8 + 4 of the node's index (a node's eth0, host end); buf of 16 bytes. */
void nslab_mgmt_bridge_name(const char *lab, char buf[16]);
void nslab_mgmt_veth_name(const char *lab, size_t node, char buf[16]);

/*
 * Make the management network and host links of a deployed lab whose nodes run (pids, in node
 * order): refuses, before making anything, a bridge name, interface name or subnet that the host
 * already has; then the bridge with the gateways, eth0 in each node (up, its addresses, a default
 * route through the gateway unless the node has its own), the host links. 0 or -errno.
 */
int nslab_mgmt_setup(const struct nslab_topo *t, const char *lab, const pid_t *pids, struct nslab_err *err);

/* Remove the journaled host interfaces (newest first) that carry the lab's mark; a name now held
 * by an interface that is not the lab's is left alone. 0 or -errno. */
int nslab_mgmt_remove(const char *lab, char *const *names, size_t n, struct nslab_err *err);

/* The lab's host interfaces as they are now, for inspect: [{name, role, addresses}] (a new
 * reference; empty when there are none or they cannot be read). */
typedef struct json_t json_t;
json_t *nslab_mgmt_inspect(const char *lab, char *const *names, size_t n);

#endif
