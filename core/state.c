// SPDX-License-Identifier: GPL-2.0-or-later
/* core/state.c: the run directory, the per-lab lock and the append-only journal. */
#include "state.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../util/util.h"

const char *nslab_rundir(void)
{
	const char *d = getenv("NSLAB_RUNDIR");
	return d && *d ? d : "/run/nslab";
}

char *nslab_lab_path(const char *lab, const char *file)
{
	if (file)
		return xasprintf("%s/%s/%s", nslab_rundir(), lab, file);
	return xasprintf("%s/%s", nslab_rundir(), lab);
}

char *nslab_netns_name(const char *lab, const char *node)
{
	return xasprintf(NSLAB_NETNS_PREFIX "%s.%s", lab, node);
}

char *nslab_netns_path(const char *lab, const char *node)
{
	return xasprintf(NSLAB_NETNS_DIR "/" NSLAB_NETNS_PREFIX "%s.%s", lab, node);
}

unsigned long long nslab_proc_starttime(pid_t pid)
{
	char path[64];
	_cleanup_free_ char *buf = NULL;
	unsigned long long start = 0;
	char *p;
	int field;

	if (pid <= 0)
		return 0;
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (nslab_read_file(path, &buf, NULL) < 0)
		return 0;
	/* comm may hold spaces and parentheses: fields restart after the last ')' */
	p = strrchr(buf, ')');
	if (!p)
		return 0;
	p++;
	for (field = 3; field < 22 && p; field++) {
		p = strchr(p + 1, ' ');
	}
	if (!p)
		return 0;
	/* a zombie has exited: treat it as gone */
	if (strrchr(buf, ')')[2] == 'Z' || strrchr(buf, ')')[2] == 'X')
		return 0;
	start = strtoull(p + 1, NULL, 10);
	return start;
}

static int mkdir_p(const char *path, mode_t mode)
{
	_cleanup_free_ char *tmp = xstrdup(path);
	char *p;

	for (p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(tmp, mode) < 0 && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(tmp, mode) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

/* Test hook (tests/integration): NSLAB_TEST_LOCK_WAIT=PATH holds a lock taker between opening the
 * lock file and locking it until PATH exists (at most 60 s), so that a race with a destroy that
 * removes the file can be made to happen every time. */
static void test_hook_lock_wait(void)
{
	const char *path = getenv("NSLAB_TEST_LOCK_WAIT");

	for (int i = 0; path && *path && i < 6000 && access(path, F_OK) < 0; i++)
		usleep(10000);
}

/* Is fd still the file path names? A destroy removes the lock file when it is done, and a new
 * deploy makes a new one: a lock taken on the old file protects nothing. */
static bool lock_is_current(int fd, const char *path)
{
	struct stat a, b;

	return fstat(fd, &a) == 0 && stat(path, &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

#define NSLAB_LOCK_TRIES 100

int nslab_lab_lock(const char *lab, bool create, bool nonblock, struct nslab_err *err)
{
	_cleanup_free_ char *dir = nslab_lab_path(lab, NULL);
	_cleanup_free_ char *path = nslab_lab_path(lab, "lock");
	int fd, r;

	if (create) {
		r = mkdir_p(dir, 0700);
		if (r < 0)
			return nslab_err_sys(err, -r, "creating %s", dir);
	}
	/* the directory is made once: when it has gone while we waited, the lab we waited for has
	 * gone with it, and a lock file is created again only in a directory that exists */
	for (int tries = 0; tries < NSLAB_LOCK_TRIES; tries++) {
		fd = open(path, O_RDWR | O_CLOEXEC | (create ? O_CREAT : 0), 0600);
		if (fd < 0) {
			if (errno == ENOENT)
				return nslab_err_set(err, ENOENT, "lab %s is not deployed", lab);
			return nslab_err_sys(err, errno, "opening %s", path);
		}
		test_hook_lock_wait();
		if (flock(fd, LOCK_EX | (nonblock ? LOCK_NB : 0)) < 0) {
			r = errno;
			close(fd);
			if (r == EWOULDBLOCK)
				return nslab_err_set(err, EBUSY,
						     "lab %s is busy: another nslab is deploying or destroying it", lab);
			return nslab_err_sys(err, r, "locking %s", path);
		}
		if (lock_is_current(fd, path))
			return fd;
		close(fd);
	}
	return nslab_err_set(err, EBUSY, "lab %s is busy: its lock file keeps being replaced", lab);
}

int nslab_journal_append(const char *lab, struct nslab_err *err, const char *fmt, ...)
{
	_cleanup_free_ char *path = nslab_lab_path(lab, "journal");
	_cleanup_free_ char *line = NULL;
	_cleanup_close_ int fd = -1;
	va_list ap;
	ssize_t w;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&line, fmt, ap);
	va_end(ap);
	if (n < 0)
		return nslab_err_set(err, ENOMEM, "journal line");
	line = xrealloc(line, (size_t)n + 2);
	line[n++] = '\n';
	line[n] = '\0';
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return nslab_err_sys(err, errno, "opening %s", path);
	w = write(fd, line, (size_t)n);
	if (w != n)
		return nslab_err_sys(err, w < 0 ? errno : EIO, "writing %s", path);
	return 0;
}

int nslab_journal_read(const char *lab, struct nslab_journal *j, struct nslab_err *err)
{
	_cleanup_free_ char *path = nslab_lab_path(lab, "journal");
	_cleanup_free_ char *buf = NULL;
	char *line, *save = NULL;
	int r;

	memset(j, 0, sizeof(*j));
	r = nslab_read_file(path, &buf, NULL);
	if (r == -ENOENT)
		return 0;
	if (r < 0)
		return nslab_err_sys(err, -r, "reading %s", path);
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char name[256], p[4096];
		int pid;
		unsigned long long start;

		if (sscanf(line, "deploy %d %llu", &pid, &start) == 2) {
			j->deploy_pid = pid;
			j->deploy_start = start;
		} else if (sscanf(line, "node %255s %d %llu", name, &pid, &start) == 3) {
			struct nslab_journal_node *jn = VEC_PUSH(j->nodes, j->nnodes);
			jn->name = xstrdup(name);
			jn->pid = pid;
			jn->start = start;
		} else if (sscanf(line, "netns %4095s", p) == 1) {
			char **slot = VEC_PUSH(j->netns, j->nnetns);
			*slot = xstrdup(p);
		} else if (sscanf(line, "cgroup %4095s", p) == 1) {
			char **slot = VEC_PUSH(j->cgroups, j->ncgroups);
			*slot = xstrdup(p);
		}
		/* unknown or torn lines (a crash mid-write) are skipped */
	}
	return 0;
}

void nslab_journal_free(struct nslab_journal *j)
{
	for (size_t i = 0; i < j->nnodes; i++)
		free(j->nodes[i].name);
	free(j->nodes);
	nslab_strv_free(j->netns, j->nnetns);
	nslab_strv_free(j->cgroups, j->ncgroups);
	memset(j, 0, sizeof(*j));
}

const struct nslab_journal_node *nslab_journal_node(const struct nslab_journal *j, const char *name)
{
	/* the last entry wins: a node is journaled once per deploy */
	for (size_t i = j->nnodes; i-- > 0;)
		if (strcmp(j->nodes[i].name, name) == 0)
			return &j->nodes[i];
	return NULL;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int nslab_lab_names(char ***names, size_t *n, struct nslab_err *err)
{
	DIR *d = opendir(nslab_rundir());
	struct dirent *de;
	char **v = NULL;
	size_t cnt = 0;

	*names = NULL;
	*n = 0;
	if (!d) {
		if (errno == ENOENT)
			return 0;
		return nslab_err_sys(err, errno, "opening %s", nslab_rundir());
	}
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.' || de->d_type != DT_DIR)
			continue;
		char **slot = VEC_PUSH(v, cnt);
		*slot = xstrdup(de->d_name);
	}
	closedir(d);
	if (cnt)
		qsort(v, cnt, sizeof(*v), cmp_str);
	*names = v;
	*n = cnt;
	return 0;
}

void nslab_strv_free(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}
