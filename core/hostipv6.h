/* SPDX-License-Identifier: GPL-2.0-or-later */
/* core/hostipv6.h: what IPv6 the host's kernel gives a lab. */
#ifndef NSLAB_CORE_HOSTIPV6_H
#define NSLAB_CORE_HOSTIPV6_H

enum nslab_host_ipv6 {
	NSLAB_HOST_IPV6_ON,	     /* as usual (net.ipv6.conf.all/default.disable_ipv6 = 1 included:
				      * new namespaces do not inherit it, see docs/topology.md) */
	NSLAB_HOST_IPV6_DEFAULT_OFF, /* booted with ipv6.disable_ipv6=1: every new interface, in every
				      * namespace, starts with IPv6 disabled */
	NSLAB_HOST_IPV6_NONE,	     /* booted with ipv6.disable=1: no IPv6 in any namespace, no
				      * /proc/sys/net/ipv6, AF_INET6 refused */
};

/* The host's IPv6, probed once per process: NONE when the kernel refuses AF_INET6 sockets
 * (EAFNOSUPPORT), DEFAULT_OFF when /sys/module/ipv6/parameters/disable_ipv6 is 1. */
enum nslab_host_ipv6 nslab_host_ipv6(void);

#endif
