// SPDX-License-Identifier: GPL-2.0-or-later
/* topologies/view.c: the loader's view of a file (what it says, before resolution): diagnostics at a place (sorted into file order by load.c with nslab_diags_sort), and freeing it. Shared by every topology format. */
#include "topologies/loader.h"

void topo_diag_at(struct topo_ld *ld, enum nslab_severity sev, const struct nslab_pos *pos, const char *fmt, ...)
{
	_cleanup_free_ char *msg = NULL;
	va_list ap;
	int n;

	if (sev == NSLAB_DIAG_ERROR && ld->d->nerrors - ld->start_errors >= TOPO_MAX_ERRORS) {
		ld->too_many = true; /* said last, after the errors shown (load.c) */
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
	free(s->kind_name);
	free(s->netmode);
	free(s->image);
	free(s->cmd);
	free(s->entrypoint);
	free(s->startup_config);
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
	for (size_t i = 0; i < ld->nvkinds; i++) {
		free(ld->vkinds[i].name);
		topo_settings_free(&ld->vkinds[i].s);
	}
	free(ld->vkinds);
	for (size_t i = 0; i < ld->nnodes; i++) {
		free(ld->nodes[i].name);
		topo_settings_free(&ld->nodes[i].s);
	}
	free(ld->nodes);
	for (size_t i = 0; i < ld->nlinks; i++) {
		for (int e = 0; e < 2; e++)
			topo_ep_free(&ld->links[i].ep[e]);
		free(ld->links[i].host_ifname);
	}
	free(ld->links);
}
