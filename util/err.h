/* SPDX-License-Identifier: GPL-2.0-or-later */
/* util/err.h: the one error type every layer fills and passes up with context. */
#ifndef NSLAB_UTIL_ERR_H
#define NSLAB_UTIL_ERR_H

#include <stdarg.h>

#define NSLAB_ERR_MSG_MAX 2048

/*
 * An error travelling up the stack. code is a positive errno (0 = none).
 * msg reads as a sentence a person can act on; callers add context in front
 * with nslab_err_prefix() as it travels up ("deploying lab x: creating link
 * r1:eth1 -- r2:eth1: File exists"). Library code fills it and returns
 * -code; only cli/ and tui/ print it.
 */
struct nslab_err {
	int code;
	char msg[NSLAB_ERR_MSG_MAX];
};

/* Set the error (replacing any previous one); returns -code (or -EINVAL if code is 0). */
int nslab_err_set(struct nslab_err *e, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Same, appending ": strerror(code)" to the message. */
int nslab_err_sys(struct nslab_err *e, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Put "context: " in front of the existing message; returns -code. */
int nslab_err_prefix(struct nslab_err *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void nslab_err_clear(struct nslab_err *e);

#endif
