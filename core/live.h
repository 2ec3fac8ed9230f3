/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * core/live.h: what a freshly deployed lab really has, read back from the kernel: every link end
 * oper-up before deploy goes on (exec) or returns, and the lab's /etc/hosts rewritten from the
 * addresses the nodes hold once services and exec commands have run (they often set addresses
 * that the file never names). The pure halves (which ends to wait for, the hosts text) are
 * exported for unit tests.
 */
#ifndef NSLAB_CORE_LIVE_H
#define NSLAB_CORE_LIVE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "../topologies/model.h"
#include "../util/err.h"

/* How long deploy waits for every link end to be oper-up. The kernel's link watch (a work item,
 * shared by the whole machine) defers some carrier changes by a second, and handles at most 100
 * devices per run: on a machine busy with other large labs it was seen to need more than 10 s. */
#define NSLAB_LINKS_UP_TIMEOUT_MS 30000

/* One link end that must come up: node and iface index into the model, and its peer. */
struct nslab_live_end {
	size_t node, iface;
	size_t peer_node, peer_iface;
};

/* Both ends of every link whose ends are both meant to be up (an end declared `state: down`
 * keeps its peer without carrier: neither is waited for). Pure; *out is malloc'd. */
size_t nslab_live_ends(const struct nslab_topo *t, struct nslab_live_end **out);

/*
 * Wait until every end of nslab_live_ends() is oper-up (IFF_UP and IFF_RUNNING: carrier seen by
 * the link watch, qdisc attached) in the node whose init is pids[node], polling each node's
 * namespace by netlink, for at most timeout_ms. The error names the first end still down.
 */
int nslab_live_wait_links(const struct nslab_topo *t, const pid_t *pids, int timeout_ms, struct nslab_err *err);

/* An address as the hosts file sees it. */
struct nslab_live_addr {
	int family;
	unsigned char addr[16];
	bool lo; /* on the node's loopback */
};

struct nslab_live_node {
	const char *name;
	struct nslab_live_addr *addrs;
	size_t naddrs;
};

/*
 * The /etc/hosts text from what nodes hold: localhost lines, then every node's addresses, link
 * addresses before loopback ones and IPv4 before IPv6 (`ping r2` takes the first line), in node
 * order. Loopback (127/8, ::1) and link-local (169.254/16, fe80::/10) addresses are left out:
 * they do not name the node from another one. Pure, malloc'd.
 */
char *nslab_hosts_build_live(const char *lab, const struct nslab_live_node *nodes, size_t n);

/* Read every node's addresses (a netlink dump in each node's namespace) and rewrite the lab's
 * hosts file in place (same inode: it is bind-mounted on every node's /etc/hosts). */
int nslab_live_hosts_refresh(const struct nslab_topo *t, const char *lab, const pid_t *pids, struct nslab_err *err);
struct nslab_nl_addr_info;
/* Add the IPv4 and IPv6 addresses of a dump (netlink/nl.h) to n. */
void nslab_live_node_addrs(struct nslab_live_node *n, const struct nslab_nl_addr_info *ai, size_t nai);
/* Rewrite the lab's hosts file in place with text (`nslab link add|remove` at run time, after
 * nslab_hosts_build_live()). */
int nslab_live_hosts_write(const char *lab, const char *text, struct nslab_err *err);

#endif
