/* SPDX-License-Identifier: GPL-2.0-or-later */
/* util/util.h: cleanup attributes, checked allocation and small string helpers shared by every layer. */
#ifndef NSLAB_UTIL_UTIL_H
#define NSLAB_UTIL_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "err.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Allocation that cannot fail: nslab aborts on OOM rather than half-building a lab silently. */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t sz);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Grow a (ptr, count) array by one zeroed element and return a pointer to it. */
#define VEC_PUSH(ptr, count) \
	((ptr) = xrealloc((ptr), ((count) + 1) * sizeof(*(ptr))), \
	 memset(&(ptr)[(count)], 0, sizeof(*(ptr))), &(ptr)[(count)++])

/* cleanup helpers; each accepts NULL / -1 and preserves errno */
void nslab_freep(void *p);
void nslab_closep(int *fd);
void nslab_fclosep(FILE **f);
#define _cleanup_free_ __attribute__((cleanup(nslab_freep)))
#define _cleanup_close_ __attribute__((cleanup(nslab_closep)))
#define _cleanup_fclose_ __attribute__((cleanup(nslab_fclosep)))

static inline void *steal_ptr_impl(void **p)
{
	void *r = *p;
	*p = NULL;
	return r;
}
#define steal_ptr(p) steal_ptr_impl((void **)&(p))
static inline int take_fd(int *fd)
{
	int r = *fd;
	*fd = -1;
	return r;
}

/* Safe bounded copy; returns false if src did not fit. */
bool nslab_strlcpy(char *dst, const char *src, size_t size);
/* s as one word for /bin/sh: 'it'\''s' (malloc'd). */
char *nslab_shell_quote(const char *s);

/* Whole-file helpers. read returns a NUL-terminated malloc'd buffer. */
int nslab_read_file(const char *path, char **out, size_t *len);
int nslab_write_file(const char *path, const char *data, size_t len, int mode);

/* Close every descriptor from 3 up but keep[0..n-1] (any order, duplicates and fds below 3 allowed,
 * n <= NSLAB_KEEP_FDS_MAX): for a forked child that must not hold its parent's locks or pipes open.
 * Allocates nothing (safe between fork and exec). */
#define NSLAB_KEEP_FDS_MAX 8
void nslab_close_fds_except(const int *keep, size_t n);

/* Raise the soft open-files limit to the hard one; -EMFILE (a message naming the limit and how to
 * raise it) when even that is below need. */
int nslab_nofile_ensure(unsigned long need, const char *what, struct nslab_err *err);

/* Test hook (integration tests): when $var names a PATH, make PATH.reached and wait (at most 60 s)
 * until PATH exists, once per process; races are made to happen every time this way. */
void nslab_test_hold(const char *var);

#endif
