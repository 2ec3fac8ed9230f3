// SPDX-License-Identifier: GPL-2.0-or-later
/* core/pidfd.h: the pidfd system calls glibc 2.36 does not wrap. */
#ifndef NSLAB_CORE_PIDFD_H
#define NSLAB_CORE_PIDFD_H

#include <signal.h>
#include <stddef.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <unistd.h>

static inline int sys_pidfd_open(pid_t pid)
{
	return (int)syscall(SYS_pidfd_open, pid, 0);
}

static inline int sys_pidfd_send_signal(int pidfd, int sig)
{
	return (int)syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0);
}

#endif
