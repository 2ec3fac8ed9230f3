/* SPDX-License-Identifier: GPL-2.0-or-later */
/* core/hostipv6.h: whether the host has IPv6 at all (a kernel booted with ipv6.disable=1 has none). */
#ifndef NSLAB_CORE_HOSTIPV6_H
#define NSLAB_CORE_HOSTIPV6_H

#include <stdbool.h>

/*
 * false when the kernel refuses AF_INET6 sockets (EAFNOSUPPORT): booted with ipv6.disable=1, it
 * has no IPv6 in any namespace and no /proc/sys/net/ipv6. Probed once per process. A host with
 * only net.ipv6.conf.all/default.disable_ipv6 = 1 has IPv6 (true): see docs/topology.md.
 */
bool nslab_host_ipv6(void);

#endif
