// SPDX-License-Identifier: GPL-2.0-or-later
/* core/journal.c: the append-only journal of a lab's kernel objects (see journal.h). */
#include "journal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "../util/util.h"
#include "rundir.h"

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
