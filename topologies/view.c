// SPDX-License-Identifier: GPL-2.0-or-later
/* topologies/view.c: the loader's view of a file (what it says, before resolution): diagnostics in file order, and freeing it. Shared by every topology format. */
#include "topologies/loader.h"

void topo_diag_at(struct topo_ld *ld, enum nslab_severity sev, const struct nslab_pos *pos, const char *fmt, ...)
{
	_cleanup_free_ char *msg = NULL;
	va_list ap;
	int n;

	if (sev == NSLAB_DIAG_ERROR && ld->d->nerrors - ld->start_errors >= TOPO_MAX_ERRORS) {
		if (!ld->too_many) {
			struct nslab_pos file_only = { .file = ld->file };

			ld->too_many = true;
			nslab_diag_add(ld->d, NSLAB_DIAG_ERROR, &file_only, "too many errors: only the first %d are shown",
				       TOPO_MAX_ERRORS);
		}
		return;
	}
	va_start(ap, fmt);
	n = vasprintf(&msg, fmt, ap);
	va_end(ap);
	if (n < 0) {
		msg = NULL;
		nslab_diag_add(ld->d, sev, pos, "(out of memory formatting a message)");
		return;
	}
	nslab_diag_add(ld->d, sev, pos, "%s", msg);
}

void topo_settings_init(struct topo_settings *s)
{
	memset(s, 0, sizeof(*s));
	s->kind = TOPO_KIND_UNSET;
}

/* ---- cleanup of the file's view ---- */

static void topo_kvs_free(struct nslab_kv *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].key);
		free(v[i].value);
	}
	free(v);
}

static void topo_settings_free(struct topo_settings *s)
{
	free(s->group);
	free(s->image);
	free(s->cmd);
	free(s->entrypoint);
	for (size_t i = 0; i < s->nexec; i++)
		free(s->exec[i]);
	free(s->exec);
	for (size_t i = 0; i < s->nbinds; i++) {
		free(s->binds[i].src);
		free(s->binds[i].dst);
	}
	free(s->binds);
	topo_kvs_free(s->env, s->nenv);
	topo_kvs_free(s->sysctls, s->nsysctls);
	topo_kvs_free(s->labels, s->nlabels);
	for (size_t i = 0; i < s->nroutes; i++)
		free(s->routes[i].r.dev);
	free(s->routes);
	for (size_t i = 0; i < s->nifaces; i++) {
		free(s->ifaces[i].name);
		free(s->ifaces[i].addrs);
	}
	free(s->ifaces);
	free(s->lim.l.cpuset);
}

void topo_ld_free(struct topo_ld *ld)
{
	free(ld->name);
	free(ld->lab_folder);
	topo_settings_free(&ld->defaults);
	for (int k = 0; k < NSLAB_KIND__COUNT; k++)
		topo_settings_free(&ld->kinds[k]);
	for (size_t i = 0; i < ld->ngroups; i++) {
		free(ld->groups[i].name);
		topo_settings_free(&ld->groups[i].s);
	}
	free(ld->groups);
	for (size_t i = 0; i < ld->nnodes; i++) {
		free(ld->nodes[i].name);
		topo_settings_free(&ld->nodes[i].s);
	}
	free(ld->nodes);
	for (size_t i = 0; i < ld->nlinks; i++)
		for (int e = 0; e < 2; e++)
			topo_ep_free(&ld->links[i].ep[e]);
	free(ld->links);
}

/* ---- entry points ---- */

struct topo_sort_item {
	struct nslab_diag diag;
	size_t idx;
};

static int topo_diag_cmp(const void *a, const void *b)
{
	const struct topo_sort_item *x = a, *y = b;

	if (x->diag.line != y->diag.line)
		return x->diag.line < y->diag.line ? -1 : 1;
	if (x->diag.col != y->diag.col)
		return x->diag.col < y->diag.col ? -1 : 1;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

/* Put the diagnostics of this load in file order (stable), as a person reads them. */
void topo_sort_diags(struct nslab_diags *d, size_t start)
{
	size_t n = d->n - start;
	struct topo_sort_item *v;

	if (n < 2)
		return;
	v = xcalloc(n, sizeof(*v));
	for (size_t i = 0; i < n; i++) {
		v[i].diag = d->v[start + i];
		v[i].idx = i;
	}
	qsort(v, n, sizeof(*v), topo_diag_cmp);
	for (size_t i = 0; i < n; i++)
		d->v[start + i] = v[i].diag;
	free(v);
}
