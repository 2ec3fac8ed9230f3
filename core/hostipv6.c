// SPDX-License-Identifier: GPL-2.0-or-later
/* core/hostipv6.c: the probe of core/hostipv6.h. */
#include "hostipv6.h"

#include <errno.h>
#include <sys/socket.h>
#include <unistd.h>

bool nslab_host_ipv6(void)
{
	static int known = -1; /* -1: not probed yet */

	if (known < 0) {
		int fd = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		/* only "no such family" says the kernel has none; EMFILE and the like say nothing */
		known = fd >= 0 || errno != EAFNOSUPPORT;
		if (fd >= 0)
			close(fd);
	}
	return known;
}
