// SPDX-License-Identifier: GPL-2.0-or-later
/* core/hostipv6.c: the probe of core/hostipv6.h. */
#include "hostipv6.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

static enum nslab_host_ipv6 probe(void)
{
	int fd = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	char c = 0;

	/* only "no such family" says the kernel has none; EMFILE and the like say nothing */
	if (fd < 0)
		return errno == EAFNOSUPPORT ? NSLAB_HOST_IPV6_NONE : NSLAB_HOST_IPV6_ON;
	close(fd);
	/* the boot parameter that a new namespace's net.ipv6.conf.default.disable_ipv6 comes from
	 * (addrconf_init_net), whatever net.core.devconf_inherit_init_net says */
	fd = open("/sys/module/ipv6/parameters/disable_ipv6", O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		if (read(fd, &c, 1) != 1)
			c = 0;
		close(fd);
	}
	return c == '1' ? NSLAB_HOST_IPV6_DEFAULT_OFF : NSLAB_HOST_IPV6_ON;
}

enum nslab_host_ipv6 nslab_host_ipv6(void)
{
	static int known = -1; /* not probed yet */

	if (known < 0)
		known = (int)probe();
	return (enum nslab_host_ipv6)known;
}
