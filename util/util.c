// SPDX-License-Identifier: GPL-2.0-or-later
/* util/util.c: checked allocation, cleanup helpers and whole-file I/O. */
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <string.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/syscall.h>

static void oom(void)
{
	static const char m[] = "nslab: out of memory\n";
	ssize_t r = write(STDERR_FILENO, m, sizeof(m) - 1);
	(void)r;
	abort();
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		oom();
	return p;
}

void *xcalloc(size_t n, size_t sz)
{
	void *p = calloc(n ? n : 1, sz ? sz : 1);
	if (!p)
		oom();
	return p;
}

void *xrealloc(void *p, size_t n)
{
	void *r = realloc(p, n ? n : 1);
	if (!r)
		oom();
	return r;
}

char *xstrdup(const char *s)
{
	char *r = strdup(s ? s : "");
	if (!r)
		oom();
	return r;
}

char *xstrndup(const char *s, size_t n)
{
	char *r = strndup(s, n);
	if (!r)
		oom();
	return r;
}

char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *r;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&r, fmt, ap);
	va_end(ap);
	if (n < 0)
		oom();
	return r;
}

void nslab_freep(void *p)
{
	int saved = errno;
	free(*(void **)p);
	errno = saved;
}

void nslab_closep(int *fd)
{
	int saved = errno;
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
	errno = saved;
}

void nslab_fclosep(FILE **f)
{
	int saved = errno;
	if (*f)
		fclose(*f);
	*f = NULL;
	errno = saved;
}

bool nslab_strlcpy(char *dst, const char *src, size_t size)
{
	size_t n = strlen(src);

	if (size == 0)
		return false;
	if (n >= size) {
		memcpy(dst, src, size - 1);
		dst[size - 1] = '\0';
		return false;
	}
	memcpy(dst, src, n + 1);
	return true;
}

int nslab_read_file(const char *path, char **out, size_t *len)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t cap = 4096, n = 0;
	char *buf;

	if (fd < 0)
		return -errno;
	buf = xmalloc(cap);
	for (;;) {
		ssize_t r;
		if (n + 1 >= cap)
			buf = xrealloc(buf, cap *= 2);
		r = read(fd, buf + n, cap - n - 1);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			r = -errno;
			free(buf);
			return (int)r;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	buf[n] = '\0';
	*out = buf;
	if (len)
		*len = n;
	return 0;
}

int nslab_write_file(const char *path, const char *data, size_t len, int mode)
{
	_cleanup_close_ int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	size_t off = 0;

	if (fd < 0)
		return -errno;
	while (off < len) {
		ssize_t w = write(fd, data + off, len - off);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		off += (size_t)w;
	}
	return 0;
}

void nslab_close_fds_except(const int *keep, size_t n)
{
	int k[NSLAB_KEEP_FDS_MAX];
	unsigned from = 3;

	if (n > NSLAB_KEEP_FDS_MAX)
		abort(); /* a caller's bug: never close a descriptor it meant to keep */
	for (size_t i = 0; i < n; i++) { /* insertion sort: a handful of fds */
		size_t j = i;
		for (; j > 0 && k[j - 1] > keep[i]; j--)
			k[j] = k[j - 1];
		k[j] = keep[i];
	}
	for (size_t i = 0; i < n; i++) {
		if (k[i] < (int)from)
			continue;
		if ((unsigned)k[i] > from)
			syscall(SYS_close_range, from, (unsigned)k[i] - 1, 0U);
		from = (unsigned)k[i] + 1;
	}
	syscall(SYS_close_range, from, ~0U, 0U);
}

char *nslab_shell_quote(const char *s)
{
	size_t n = 3;
	char *o, *p;

	for (const char *c = s; *c; c++)
		n += *c == '\'' ? 4 : 1;
	o = p = xmalloc(n);
	*p++ = '\'';
	for (const char *c = s; *c; c++) {
		if (*c == '\'') {
			memcpy(p, "'\\''", 4);
			p += 4;
		} else {
			*p++ = *c;
		}
	}
	*p++ = '\'';
	*p = 0;
	return o;
}

void nslab_test_hold(const char *var)
{
	static bool held;
	const char *path = getenv(var);

	if (held || !path || !*path)
		return;
	held = true;
	_cleanup_free_ char *reached = xasprintf("%s.reached", path);
	int fd = open(reached, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	if (fd >= 0)
		close(fd);
	for (int i = 0; i < 6000 && access(path, F_OK) < 0; i++)
		usleep(10000);
}

int nslab_nofile_ensure(unsigned long need, const char *what, struct nslab_err *err)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
		return 0;
	if (rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
			getrlimit(RLIMIT_NOFILE, &rl);
	}
	if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < need)
		return nslab_err_set(err, EMFILE,
				     "%s needs about %lu open files, but the open files limit is %llu (ulimit -n): "
				     "raise it",
				     what, need, (unsigned long long)rl.rlim_cur);
	return 0;
}
