// SPDX-License-Identifier: GPL-2.0-or-later
/* util/err.c: filling and wrapping struct nslab_err. */
#include "err.h"
#include "util.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static int err_vset(struct nslab_err *e, int code, int with_strerror, const char *fmt, va_list ap)
{
	int n;

	if (code <= 0)
		code = code < 0 ? -code : EINVAL;
	if (!e)
		return -code;
	e->code = code;
	n = vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	if (with_strerror && n >= 0 && (size_t)n < sizeof(e->msg))
		snprintf(e->msg + n, sizeof(e->msg) - (size_t)n, ": %s", strerror(code));
	return -code;
}

int nslab_err_set(struct nslab_err *e, int code, const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = err_vset(e, code, 0, fmt, ap);
	va_end(ap);
	return ret;
}

int nslab_err_sys(struct nslab_err *e, int code, const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = err_vset(e, code, 1, fmt, ap);
	va_end(ap);
	return ret;
}

int nslab_err_prefix(struct nslab_err *e, const char *fmt, ...)
{
	char ctx[NSLAB_ERR_MSG_MAX];
	char old[NSLAB_ERR_MSG_MAX];
	va_list ap;

	if (!e)
		return -EINVAL;
	va_start(ap, fmt);
	vsnprintf(ctx, sizeof(ctx), fmt, ap);
	va_end(ap);
	memcpy(old, e->msg, sizeof(old));
	/* built piecewise: truncation of a long chain of contexts is fine */
	size_t n = strlen(ctx);
	if (n > sizeof(e->msg) - 3)
		n = sizeof(e->msg) - 3;
	memcpy(e->msg, ctx, n);
	memcpy(e->msg + n, ": ", 3);
	nslab_strlcpy(e->msg + n + 2, old, sizeof(e->msg) - n - 2);
	if (!e->code)
		e->code = EINVAL;
	return -e->code;
}

void nslab_err_clear(struct nslab_err *e)
{
	if (e) {
		e->code = 0;
		e->msg[0] = '\0';
	}
}
