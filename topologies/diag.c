// SPDX-License-Identifier: GPL-2.0-or-later
/* topologies/diag.c: collecting and formatting the parser's file:line:col diagnostics. */
#include "topologies/model.h"
#include "util/util.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void nslab_diag_add(struct nslab_diags *d, enum nslab_severity sev, const struct nslab_pos *pos,
		    const char *fmt, ...)
{
	struct nslab_diag *diag;
	va_list ap;
	char *msg;
	int n;

	if (!d)
		return;
	va_start(ap, fmt);
	n = vasprintf(&msg, fmt, ap);
	va_end(ap);
	if (n < 0)
		msg = xstrdup("(out of memory formatting a message)");
	/* Messages quote file contents: keep them on one printable line. */
	for (char *c = msg; *c; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			*c = '?';
	diag = VEC_PUSH(d->v, d->n);
	diag->sev = sev;
	diag->file = pos && pos->file ? xstrdup(pos->file) : NULL;
	diag->line = pos ? pos->line : 0;
	diag->col = pos && pos->line ? pos->col : 0;
	diag->msg = msg;
	if (sev == NSLAB_DIAG_ERROR)
		d->nerrors++;
}

char *nslab_diag_format(const struct nslab_diag *diag)
{
	const char *sev = diag->sev == NSLAB_DIAG_ERROR ? "error" : "warning";
	const char *file = diag->file ? diag->file : "<input>";

	if (diag->line == 0)
		return xasprintf("%s: %s: %s", file, sev, diag->msg);
	if (diag->col == 0)
		return xasprintf("%s:%u: %s: %s", file, diag->line, sev, diag->msg);
	return xasprintf("%s:%u:%u: %s: %s", file, diag->line, diag->col, sev, diag->msg);
}

void nslab_diags_free(struct nslab_diags *d)
{
	if (!d)
		return;
	for (size_t i = 0; i < d->n; i++) {
		free(d->v[i].file);
		free(d->v[i].msg);
	}
	free(d->v);
	d->v = NULL;
	d->n = 0;
	d->nerrors = 0;
}

struct diag_sort_item {
	struct nslab_diag diag;
	size_t file_rank, idx;
};

static int diag_cmp(const void *a, const void *b)
{
	const struct diag_sort_item *x = a, *y = b;

	if (x->file_rank != y->file_rank)
		return x->file_rank < y->file_rank ? -1 : 1;
	if (x->diag.line != y->diag.line)
		return x->diag.line < y->diag.line ? -1 : 1;
	if (x->diag.col != y->diag.col)
		return x->diag.col < y->diag.col ? -1 : 1;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

void nslab_diags_sort(struct nslab_diags *d, size_t start)
{
	size_t n = d->n - start;
	struct diag_sort_item *v;

	if (n < 2)
		return;
	v = xcalloc(n, sizeof(*v));
	for (size_t i = 0; i < n; i++) {
		v[i].diag = d->v[start + i];
		v[i].idx = i;
		v[i].file_rank = i;
		for (size_t j = 0; j < i; j++) {
			if (!strcmp(v[j].diag.file ? v[j].diag.file : "", v[i].diag.file ? v[i].diag.file : "")) {
				v[i].file_rank = v[j].file_rank;
				break;
			}
		}
	}
	qsort(v, n, sizeof(*v), diag_cmp);
	for (size_t i = 0; i < n; i++)
		d->v[start + i] = v[i].diag;
	free(v);
}
