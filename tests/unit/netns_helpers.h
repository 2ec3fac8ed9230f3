/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tests/unit/netns_helpers.h: throwaway network namespaces for the kernel tests of netlink/ (cmocka). */
#ifndef NSLAB_TESTS_NETNS_HELPERS_H
#define NSLAB_TESTS_NETNS_HELPERS_H

#include <fcntl.h>
#include <sched.h>
#include <stdlib.h>
#include <unistd.h>

/* A new, empty network namespace as an fd; the calling thread stays where it was. */
static inline int new_netns(void)
{
	int self = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	int fd;

	assert_true(self >= 0);
	assert_int_equal(unshare(CLONE_NEWNET), 0);
	fd = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	if (setns(self, CLONE_NEWNET) < 0)
		abort();
	close(self);
	return fd;
}

/* Group setup: move the whole test process out of the namespace it was started in, so that
 * nothing a kernel test does can touch it. */
static inline int kernel_setup(void **state)
{
	(void)state;
	if (geteuid() == 0 && unshare(CLONE_NEWNET) < 0)
		return -1;
	return 0;
}

#define NEED_ROOT()                                                                  \
	do {                                                                         \
		if (geteuid() != 0) {                                                \
			print_message("skipped: needs root (network namespaces)\n"); \
			skip();                                                      \
		}                                                                    \
	} while (0)

#endif
