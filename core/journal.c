// SPDX-License-Identifier: GPL-2.0-or-later
/* core/journal.c: the append-only journal of a lab's kernel objects (see journal.h). */
#include "journal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../util/util.h"
#include "cgroup.h"
#include "rundir.h"

/* Cut an unterminated last line (a crash between a short write and its cut in append_line()):
 * it describes nothing that was made, and the next line must not complete it. */
static void cut_torn_tail(int fd, off_t *size)
{
	char tail[4096];
	off_t from = *size > (off_t)sizeof(tail) ? *size - (off_t)sizeof(tail) : 0;
	ssize_t n = pread(fd, tail, (size_t)(*size - from), from);

	if (n <= 0 || tail[n - 1] == '\n')
		return;
	while (n > 0 && tail[n - 1] != '\n')
		n--;
	if ((n > 0 || from == 0) && ftruncate(fd, from + n) == 0)
		*size = from + n;
}

/* One write() of a whole line. A short one (a full disk) is cut off again, so that the journal
 * never holds half a line that a later line would run into (the reader also ignores an
 * unterminated last line). */
static int append_line(int fd, const char *path, const char *line, size_t n, struct nslab_err *err)
{
	struct stat st;
	off_t before = fstat(fd, &st) == 0 ? st.st_size : -1;
	ssize_t w;
	int e;

	if (before > 0)
		cut_torn_tail(fd, &before);
	w = write(fd, line, n);
	if (w == (ssize_t)n)
		return 0;
	e = w < 0 ? errno : 0;
	if (w > 0 && write(fd, line + w, n - (size_t)w) < 0) /* the rest, for the kernel's reason */
		e = errno;
	if (w > 0 && before >= 0 && ftruncate(fd, before) < 0) {
		/* left torn: the reader skips it, the next append cuts it */
	}
	return nslab_err_sys(err, e ? e : EIO, "writing %s", path);
}

int nslab_journal_append(const char *lab, struct nslab_err *err, const char *fmt, ...)
{
	_cleanup_free_ char *path = nslab_lab_path(lab, "journal");
	_cleanup_free_ char *line = NULL;
	_cleanup_close_ int fd = -1;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&line, fmt, ap);
	va_end(ap);
	if (n < 0)
		return nslab_err_set(err, ENOMEM, "journal line");
	line = xrealloc(line, (size_t)n + 2);
	line[n++] = '\n';
	line[n] = '\0';
	fd = open(path, O_RDWR | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return nslab_err_sys(err, errno, "opening %s", path);
	return append_line(fd, path, line, (size_t)n, err);
}

/* ---- nslab's marks: what a journal line may name ---- */

/* NSLAB_NETNS_DIR/nslab-LAB.NODE, NODE one path component. */
static bool netns_of_lab(const char *lab, const char *path)
{
	_cleanup_free_ char *prefix = xasprintf(NSLAB_NETNS_DIR "/" NSLAB_NETNS_PREFIX "%s.", lab);
	size_t n = strlen(prefix);
	const char *node = path + n;

	return strncmp(path, prefix, n) == 0 && *node && !strchr(node, '/') && strcmp(node, ".") != 0 &&
	       strcmp(node, "..") != 0;
}

/* An absolute path with a component nslab.lab-LAB, and no "", "." or ".." component (the hierarchy
 * it is in is checked by destroy, which knows the mounted ones). */
static bool cgroup_of_lab(const char *lab, const char *path)
{
	_cleanup_free_ char *copy = xstrdup(path);
	_cleanup_free_ char *mark = xasprintf(NSLAB_CG_LAB_PREFIX "%s", lab);
	char *save = NULL;
	bool marked = false;

	if (path[0] != '/' || strstr(path, "//") || path[strlen(path) - 1] == '/')
		return false;
	for (char *c = strtok_r(copy, "/", &save); c; c = strtok_r(NULL, "/", &save)) {
		if (strcmp(c, ".") == 0 || strcmp(c, "..") == 0)
			return false;
		marked |= strcmp(c, mark) == 0;
	}
	return marked;
}

static bool name_in(const char *name, const char *const *names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(name, names[i]) == 0)
			return true;
	return false;
}

/* A journaled process that is alive (same pid, same start time) must be one of nslab's: a node
 * init, or a child of the spawner that has not named itself yet. */
static bool process_is_ours(pid_t pid, unsigned long long start)
{
	char path[64];
	_cleanup_free_ char *comm = NULL;

	if (nslab_proc_starttime(pid) != start)
		return true; /* not that process: nothing will act on it */
	snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
	if (nslab_read_file(path, &comm, NULL) < 0)
		return nslab_proc_starttime(pid) != start;
	comm[strcspn(comm, "\n")] = '\0';
	return strcmp(comm, "nslab-init") == 0 || strcmp(comm, "nslab-spawner") == 0;
}

/* names, when given: only their node lines are read (and their processes checked) */
static int journal_read(const char *lab, struct nslab_journal *j, const char *const *names, size_t nnames,
			struct nslab_err *err)
{
	_cleanup_free_ char *path = nslab_lab_path(lab, "journal");
	_cleanup_free_ char *buf = NULL;
	char *line, *end, *save = NULL;
	int r;

	memset(j, 0, sizeof(*j));
	r = nslab_rundir_trust(lab, err);
	if (r == -ENOENT) {
		nslab_err_clear(err);
		return 0;
	}
	if (r < 0)
		return r;
	r = nslab_read_file(path, &buf, NULL);
	if (r == -ENOENT)
		return 0;
	if (r < 0)
		return nslab_err_sys(err, -r, "reading %s", path);
	/* a last line without its newline was cut by a crash or a full disk: it describes nothing
	 * that was made (journal before create), and half a number must not be taken for a pid */
	end = strrchr(buf, '\n');
	*(end ? end + 1 : buf) = '\0';
	/* only objects that carry the lab's marks: a line naming anything else was not written by
	 * nslab for this lab, and nothing of it is touched (the whole journal is refused) */
	for (line = strtok_r(buf, "\n", &save); line && r == 0; line = strtok_r(NULL, "\n", &save)) {
		char name[256], p[4096];
		int pid;
		unsigned long long start;

		if (sscanf(line, "deploy %d %llu", &pid, &start) == 2) {
			j->deploy_pid = pid;
			j->deploy_start = start;
		} else if (sscanf(line, "node %255s %d %llu", name, &pid, &start) == 3) {
			if (names && !name_in(name, names, nnames))
				continue;
			if (pid <= 1 || strchr(name, '/') || !process_is_ours(pid, start)) {
				r = nslab_err_set(err, EPERM, "%s: refusing '%s': process %d is not a node of lab %s", path,
						  line, pid, lab);
				break;
			}
			struct nslab_journal_node *jn = VEC_PUSH(j->nodes, j->nnodes);
			jn->name = xstrdup(name);
			jn->pid = pid;
			jn->start = start;
		} else if (sscanf(line, "netns %4095s", p) == 1) {
			if (!netns_of_lab(lab, p)) {
				r = nslab_err_set(err, EPERM,
						  "%s: refusing '%s': not a namespace handle of lab %s (" NSLAB_NETNS_DIR
						  "/" NSLAB_NETNS_PREFIX "%s.NODE)",
						  path, line, lab, lab);
				break;
			}
			char **slot = VEC_PUSH(j->netns, j->nnetns);
			*slot = xstrdup(p);
		} else if (sscanf(line, "layers %4095s", p) == 1) {
			free(j->layers);
			j->layers = xstrdup(p);
		} else if (sscanf(line, "cgroup %4095s", p) == 1) {
			if (!cgroup_of_lab(lab, p)) {
				r = nslab_err_set(err, EPERM, "%s: refusing '%s': not a cgroup of lab %s (no " NSLAB_CG_LAB_PREFIX
						  "%s folder in its path)", path, line, lab, lab);
				break;
			}
			char **slot = VEC_PUSH(j->cgroups, j->ncgroups);
			*slot = xstrdup(p);
		} else if (sscanf(line, "hostif %255s", name) == 1) {
			char **slot = VEC_PUSH(j->hostifs, j->nhostifs);
			*slot = xstrdup(name);
		}
		/* unknown lines are skipped */
	}
	if (r < 0)
		nslab_journal_free(j);
	return r;
}

int nslab_journal_read(const char *lab, struct nslab_journal *j, struct nslab_err *err)
{
	return journal_read(lab, j, NULL, 0, err);
}

int nslab_journal_read_nodes(const char *lab, struct nslab_journal *j, const char *const *names, size_t n,
			     struct nslab_err *err)
{
	return journal_read(lab, j, names, n, err);
}

void nslab_journal_free(struct nslab_journal *j)
{
	for (size_t i = 0; i < j->nnodes; i++)
		free(j->nodes[i].name);
	free(j->nodes);
	nslab_strv_free(j->netns, j->nnetns);
	nslab_strv_free(j->cgroups, j->ncgroups);
	nslab_strv_free(j->hostifs, j->nhostifs);
	free(j->layers);
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

bool nslab_lab_busy(const char *lab, pid_t *deployer)
{
	struct nslab_journal j;
	int lock = nslab_lab_lock(lab, false, true, NULL);

	*deployer = 0;
	if (lock >= 0) {
		close(lock);
		return false;
	}
	if (lock != -EBUSY)
		return false;
	if (nslab_journal_read(lab, &j, NULL) == 0) {
		if (j.deploy_pid > 0 && nslab_proc_starttime(j.deploy_pid) == j.deploy_start)
			*deployer = j.deploy_pid;
		nslab_journal_free(&j);
	}
	return true;
}
