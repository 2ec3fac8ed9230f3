// SPDX-License-Identifier: GPL-2.0-or-later
/* core/copytree.c: copying a host directory's contents onto a node's root (Kathará's DEVICE/ folders), every path resolved inside that root. */
#include "copytree.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "../util/util.h"

#define CT_DEPTH_MAX 64

struct ct {
	int rootfd;
	char *what;
	size_t wlen;
};

__attribute__((format(printf, 3, 4))) static int ct_fail(struct ct *c, int err, const char *fmt, ...)
{
	va_list ap;

	if (c->what && c->wlen) {
		va_start(ap, fmt);
		vsnprintf(c->what, c->wlen, fmt, ap);
		va_end(ap);
	}
	return -err;
}

/* A directory of the root by its path relative to it, symlinks resolved inside the root. */
static int ct_open_dir(struct ct *c, const char *rel)
{
	struct open_how how = { .flags = O_RDONLY | O_DIRECTORY | O_CLOEXEC, .resolve = RESOLVE_IN_ROOT };

	return (int)syscall(SYS_openat2, c->rootfd, *rel ? rel : ".", &how, sizeof(how));
}

/* Make room for a new entry name in dir: anything there but a directory goes (tar does the same). */
static void ct_clear(int dir, const char *name)
{
	struct stat st;

	if (fstatat(dir, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && !S_ISDIR(st.st_mode))
		unlinkat(dir, name, 0);
}

static int ct_file(struct ct *c, int sdir, int ddir, const char *name, const struct stat *st, const char *rel)
{
	_cleanup_close_ int in = -1, out = -1;
	char buf[65536];
	ssize_t n;

	in = openat(sdir, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (in < 0)
		return ct_fail(c, errno, "reading %s", rel);
	ct_clear(ddir, name);
	out = openat(ddir, name, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, st->st_mode & 0777);
	if (out < 0)
		return ct_fail(c, errno, "creating /%s", rel);
	while ((n = read(in, buf, sizeof(buf))) > 0) {
		for (ssize_t off = 0; off < n;) {
			ssize_t w = write(out, buf + off, (size_t)(n - off));
			if (w < 0)
				return ct_fail(c, errno, "writing /%s", rel);
			off += w;
		}
	}
	if (n < 0)
		return ct_fail(c, errno, "reading %s", rel);
	if (fchmod(out, st->st_mode & 0777) < 0)
		return ct_fail(c, errno, "setting the mode of /%s", rel);
	return 0;
}

static int ct_dir(struct ct *c, int sdir, const char *rel, int depth);

static int ct_entry(struct ct *c, int sdir, int ddir, const char *name, const char *rel, int depth)
{
	struct stat st;
	char target[4096];
	ssize_t n;

	if (fstatat(sdir, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return ct_fail(c, errno, "reading %s", rel);
	switch (st.st_mode & S_IFMT) {
	case S_IFDIR: {
		_cleanup_close_ int sub = -1;

		if (mkdirat(ddir, name, st.st_mode & 0777) < 0 && errno != EEXIST)
			return ct_fail(c, errno, "creating /%s", rel);
		sub = openat(sdir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (sub < 0)
			return ct_fail(c, errno, "reading %s", rel);
		return ct_dir(c, sub, rel, depth + 1);
	}
	case S_IFREG:
		return ct_file(c, sdir, ddir, name, &st, rel);
	case S_IFLNK:
		n = readlinkat(sdir, name, target, sizeof(target) - 1);
		if (n < 0)
			return ct_fail(c, errno, "reading %s", rel);
		target[n] = '\0';
		ct_clear(ddir, name);
		if (symlinkat(target, ddir, name) < 0)
			return ct_fail(c, errno, "creating /%s", rel);
		return 0;
	default:
		return 0; /* devices, fifos, sockets: nothing a lab folder means to copy */
	}
}

/* Copy the entries of sdir into the root's directory rel. */
static int ct_dir(struct ct *c, int sdir, const char *rel, int depth)
{
	_cleanup_close_ int ddir = -1;
	DIR *d;
	struct dirent *de;
	int ret = 0, fd;

	if (depth > CT_DEPTH_MAX)
		return ct_fail(c, ELOOP, "%s: more than %d directories deep", rel, CT_DEPTH_MAX);
	ddir = ct_open_dir(c, rel);
	if (ddir < 0)
		return ct_fail(c, errno, "opening /%s in the node", rel);
	fd = dup(sdir);
	if (fd < 0 || !(d = fdopendir(fd))) {
		if (fd >= 0)
			close(fd);
		return ct_fail(c, errno, "reading %s", rel);
	}
	while (ret == 0 && (de = readdir(d))) {
		_cleanup_free_ char *sub = NULL;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		sub = *rel ? xasprintf("%s/%s", rel, de->d_name) : xstrdup(de->d_name);
		ret = ct_entry(c, sdir, ddir, de->d_name, sub, depth);
	}
	closedir(d);
	return ret;
}

int nslab_copy_tree(int srcfd, int rootfd, char *what, size_t wlen)
{
	struct ct c = { .rootfd = rootfd, .what = what, .wlen = wlen };

	return ct_dir(&c, srcfd, "", 0);
}
