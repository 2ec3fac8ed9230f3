// SPDX-License-Identifier: GPL-2.0-or-later
/* core/labstate.c: the typed lab state and state.json, its only reader and writer (see labstate.h). */
#include "labstate.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../util/util.h"
#include "impair.h"
#include "lab.h"
#include "rundir.h"

/* ---- the model as deployed ---- */

static char *end_id(const struct nslab_topo *t, const struct nslab_endpoint *ep)
{
	return xasprintf("%s:%s", t->nodes[ep->node].name, t->nodes[ep->node].ifaces[ep->iface].name);
}

static void limits_copy(struct nslab_limits *dst, const struct nslab_limits *src)
{
	*dst = *src;
	dst->cpuset = src->cpuset ? xstrdup(src->cpuset) : NULL;
}

static void iface_from_topo(const struct nslab_topo *t, const struct nslab_node *node, const struct nslab_iface *ifc,
			    struct nslab_st_iface *si)
{
	char a[64];

	si->name = xstrdup(ifc->name);
	si->ifindex = ifc->ifindex;
	si->naddrs = ifc->naddrs;
	si->addrs = xcalloc(ifc->naddrs + 1, sizeof(char *));
	for (size_t k = 0; k < ifc->naddrs; k++)
		si->addrs[k] = xstrdup(nslab_prefix_fmt(&ifc->addrs[k], true, a, sizeof(a)));
	si->configured_mtu = ifc->mtu;
	si->admin_down = ifc->down;
	si->impair = ifc->impair;
	if (ifc->link >= 0)
		si->peer = end_id(t, &t->links[ifc->link].ep[!ifc->end]);
	for (size_t b = 0; ifc->master && b < node->nbridges; b++)
		if (node->bridges[b].ifindex == ifc->master)
			si->master = xstrdup(node->bridges[b].name);
}

static void node_from_topo(const struct nslab_topo *t, const struct nslab_node *node, const char *lab,
			   struct nslab_st_node *sn)
{
	size_t k = 0;

	sn->name = xstrdup(node->name);
	sn->kind = xstrdup(nslab_kind_name(node->kind));
	sn->group = node->group ? xstrdup(node->group) : NULL;
	sn->netns = nslab_netns_name(lab, node->name);
	sn->nenv = node->nenv;
	sn->env = xcalloc(node->nenv + 1, sizeof(char *));
	for (size_t e = 0; e < node->nenv; e++)
		sn->env[e] = xasprintf("%s=%s", node->env[e].key, node->env[e].value);
	sn->nlabels = node->nlabels;
	sn->labels = xcalloc(node->nlabels + 1, sizeof(*sn->labels));
	for (size_t l = 0; l < node->nlabels; l++) {
		sn->labels[l].key = xstrdup(node->labels[l].key);
		sn->labels[l].value = xstrdup(node->labels[l].value);
	}
	limits_copy(&sn->limits, &node->limits);
	sn->nshutdown = node->nshutdown;
	sn->shutdown = xcalloc(node->nshutdown + 1, sizeof(char *));
	for (size_t k2 = 0; k2 < node->nshutdown; k2++)
		sn->shutdown[k2] = xstrdup(node->shutdown[k2]);
	bool eth0 = node->mgmt4.family || node->mgmt6.family;
	sn->nifaces = node->nifaces + node->nbridges + eth0 + node->nhostlinks;
	sn->ifaces = xcalloc(sn->nifaces + 1, sizeof(*sn->ifaces));
	for (size_t b = 0; b < node->nbridges; b++) {
		struct nslab_st_iface *br = &sn->ifaces[k++];
		br->name = xstrdup(node->bridges[b].name);
		br->ifindex = node->bridges[b].ifindex;
		br->bridge = true;
		br->addrs = xcalloc(1, sizeof(char *));
	}
	for (size_t i = 0; i < node->nifaces; i++)
		iface_from_topo(t, node, &node->ifaces[i], &sn->ifaces[k++]);
	/* the management interface and host links / dummies (core/mgmt.h): no peer in the lab */
	if (eth0) {
		struct nslab_iface m = { .name = NSLAB_MGMT_IFNAME, .mtu = t->mgmt.mtu ? t->mgmt.mtu : 1500, .link = -1,
					 .addrs = (struct nslab_prefix[2]){ node->mgmt4, node->mgmt6 } };
		m.naddrs = 2;
		if (!node->mgmt4.family)
			m.addrs++, m.naddrs--;
		if (!node->mgmt6.family)
			m.naddrs--;
		iface_from_topo(t, node, &m, &sn->ifaces[k++]);
	}
	for (size_t h = 0; h < node->nhostlinks; h++) {
		const struct nslab_hostlink *hl = &node->hostlinks[h];
		struct nslab_iface m = { .name = hl->ifname, .mtu = hl->mtu, .link = -1, .addrs = hl->addrs,
					 .naddrs = hl->naddrs };
		iface_from_topo(t, node, &m, &sn->ifaces[k++]);
	}
}

void nslab_state_from_topo(const struct nslab_topo *t, const char *lab, const char *status,
			   struct nslab_lab_state *s)
{
	char ts[64];
	time_t now = time(NULL);
	struct tm tm;

	memset(s, 0, sizeof(*s));
	gmtime_r(&now, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &tm);
	s->name = xstrdup(lab);
	/* an absolute path: destroy -t and people read it from anywhere */
	s->file = t->file ? realpath(t->file, NULL) : NULL;
	if (!s->file)
		s->file = xstrdup(t->file ? t->file : "");
	s->status = xstrdup(status);
	s->created = xstrdup(ts);
	s->nnodes = t->nnodes;
	s->nodes = xcalloc(t->nnodes + 1, sizeof(*s->nodes));
	for (size_t n = 0; n < t->nnodes; n++)
		node_from_topo(t, &t->nodes[n], lab, &s->nodes[n]);
	s->nlinks = t->nlinks;
	s->links = xcalloc(t->nlinks + 1, sizeof(*s->links));
	for (size_t l = 0; l < t->nlinks; l++) {
		const struct nslab_link *lk = &t->links[l];
		s->links[l].a = end_id(t, &lk->ep[0]);
		s->links[l].b = end_id(t, &lk->ep[1]);
		s->links[l].mtu = t->nodes[lk->ep[0].node].ifaces[lk->ep[0].iface].mtu;
	}
}

/* ---- to JSON ---- */

static json_t *strv_json(char *const *v, size_t n)
{
	json_t *a = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, json_string(v[i]));
	return a;
}

static json_t *saved_json(const struct nslab_st_saved *sv)
{
	json_t *routes = json_array();

	for (size_t i = 0; i < sv->nroutes; i++) {
		json_t *jr = json_object();
		json_object_set_new(jr, "dst", json_string(sv->routes[i].dst));
		if (sv->routes[i].via)
			json_object_set_new(jr, "via", json_string(sv->routes[i].via));
		json_object_set_new(jr, "metric", json_integer(sv->routes[i].metric));
		json_array_append_new(routes, jr);
	}
	return json_pack("{s:o,s:o}", "routes", routes, "addresses", strv_json(sv->addrs, sv->naddrs));
}

static json_t *iface_json(const struct nslab_st_iface *si)
{
	json_t *ji = json_object();

	json_object_set_new(ji, "name", json_string(si->name));
	json_object_set_new(ji, "ifindex", json_integer(si->ifindex));
	json_object_set_new(ji, "addresses", strv_json(si->addrs, si->naddrs));
	json_object_set_new(ji, "peer", si->peer ? json_string(si->peer) : json_null());
	if (si->master)
		json_object_set_new(ji, "master", json_string(si->master));
	if (si->bridge)
		return ji;
	json_object_set_new(ji, "configured_mtu", json_integer(si->configured_mtu));
	json_object_set_new(ji, "admin_down", json_boolean(si->admin_down));
	json_object_set_new(ji, "impair", nslab_impair_to_json(&si->impair));
	if (si->link_down)
		json_object_set_new(ji, "link_down", json_true());
	if (si->saved)
		json_object_set_new(ji, "down_saved", saved_json(si->saved));
	return ji;
}

json_t *nslab_state_node_json(const struct nslab_st_node *sn)
{
	json_t *jn = json_object(), *labels = json_object(), *ifs = json_array();

	json_object_set_new(jn, "name", json_string(sn->name));
	json_object_set_new(jn, "kind", json_string(sn->kind));
	if (sn->group)
		json_object_set_new(jn, "group", json_string(sn->group));
	json_object_set_new(jn, "netns", json_string(sn->netns));
	json_object_set_new(jn, "env", strv_json(sn->env, sn->nenv));
	for (size_t l = 0; l < sn->nlabels; l++)
		json_object_set_new(labels, sn->labels[l].key, json_string(sn->labels[l].value));
	json_object_set_new(jn, "labels", labels);
	json_object_set_new(jn, "limits", nslab_limits_to_json(&sn->limits));
	for (size_t i = 0; i < sn->nifaces; i++)
		json_array_append_new(ifs, iface_json(&sn->ifaces[i]));
	json_object_set_new(jn, "interfaces", ifs);
	if (sn->nshutdown)
		json_object_set_new(jn, "shutdown", strv_json(sn->shutdown, sn->nshutdown));
	return jn;
}

json_t *nslab_state_to_json(const struct nslab_lab_state *s)
{
	json_t *root = json_object(), *nodes = json_array(), *links = json_array();

	json_object_set_new(root, "name", json_string(s->name));
	json_object_set_new(root, "file", json_string(s->file));
	json_object_set_new(root, "status", json_string(s->status));
	json_object_set_new(root, "created", json_string(s->created));
	if (s->lab_folder)
		json_object_set_new(root, "lab_folder", json_string(s->lab_folder));
	for (size_t n = 0; n < s->nnodes; n++)
		json_array_append_new(nodes, nslab_state_node_json(&s->nodes[n]));
	for (size_t l = 0; l < s->nlinks; l++)
		json_array_append_new(links, json_pack("{s:s,s:s,s:I}", "a", s->links[l].a, "b", s->links[l].b, "mtu",
						       (json_int_t)s->links[l].mtu));
	json_object_set_new(root, "nodes", nodes);
	json_object_set_new(root, "links", links);
	return root;
}

/* ---- from JSON ---- */

/* A required string member (malloc'd copy), or NULL with err set. */
static char *req_str(json_t *o, const char *key, const char *what, struct nslab_err *err)
{
	const char *v = json_string_value(json_object_get(o, key));

	if (!v)
		nslab_err_set(err, EINVAL, "%s: no string \"%s\"", what, key);
	return v ? xstrdup(v) : NULL;
}

static char *opt_str(json_t *o, const char *key)
{
	const char *v = json_string_value(json_object_get(o, key));
	return v ? xstrdup(v) : NULL;
}

static int strv_from(json_t *a, char ***v, size_t *n, const char *what, struct nslab_err *err)
{
	size_t i;
	json_t *e;

	*n = 0;
	*v = xcalloc(json_array_size(a) + 1, sizeof(char *));
	json_array_foreach(a, i, e) {
		if (!json_is_string(e))
			return nslab_err_set(err, EINVAL, "%s: not a string", what);
		(*v)[(*n)++] = xstrdup(json_string_value(e));
	}
	return 0;
}

void nslab_limits_from_json(json_t *j, struct nslab_limits *l)
{
	const char *cls = json_string_value(json_object_get(j, "net_cls"));

	memset(l, 0, sizeof(*l));
	l->cpu = json_number_value(json_object_get(j, "cpu"));
	l->cpuset = opt_str(j, "cpu_set");
	l->memory_bytes = (unsigned long long)json_integer_value(json_object_get(j, "memory_bytes"));
	l->cpu_weight = (unsigned)json_integer_value(json_object_get(j, "cpu_weight"));
	l->pids = (unsigned long)json_integer_value(json_object_get(j, "pids"));
	if (cls && strcmp(cls, "auto") == 0)
		l->net_cls_auto = true;
	else if (cls)
		l->net_cls = (unsigned)strtoul(cls, NULL, 16);
}

static struct nslab_st_saved *saved_from(json_t *o, const char *what, struct nslab_err *err)
{
	struct nslab_st_saved *sv = xcalloc(1, sizeof(*sv));
	size_t i;
	json_t *jr;

	if (strv_from(json_object_get(o, "addresses"), &sv->addrs, &sv->naddrs, what, err) < 0)
		goto bad;
	sv->routes = xcalloc(json_array_size(json_object_get(o, "routes")) + 1, sizeof(*sv->routes));
	json_array_foreach(json_object_get(o, "routes"), i, jr) {
		struct nslab_st_route *rt = &sv->routes[sv->nroutes];
		rt->dst = req_str(jr, "dst", what, err);
		if (!rt->dst)
			goto bad;
		rt->via = opt_str(jr, "via");
		rt->metric = (unsigned)json_integer_value(json_object_get(jr, "metric"));
		sv->nroutes++;
	}
	return sv;
bad:
	nslab_state_saved_free(sv);
	return NULL;
}

static int iface_from(json_t *ji, struct nslab_st_iface *si, const char *node, struct nslab_err *err)
{
	_cleanup_free_ char *what = NULL;
	json_t *saved = json_object_get(ji, "down_saved");

	si->name = req_str(ji, "name", node, err);
	if (!si->name)
		return -EINVAL;
	what = xasprintf("%s:%s", node, si->name);
	si->ifindex = (int)json_integer_value(json_object_get(ji, "ifindex"));
	if (strv_from(json_object_get(ji, "addresses"), &si->addrs, &si->naddrs, what, err) < 0)
		return -EINVAL;
	si->peer = opt_str(ji, "peer");
	si->master = opt_str(ji, "master");
	si->bridge = !json_object_get(ji, "configured_mtu");
	si->configured_mtu = (unsigned)json_integer_value(json_object_get(ji, "configured_mtu"));
	si->admin_down = json_is_true(json_object_get(ji, "admin_down"));
	si->link_down = json_is_true(json_object_get(ji, "link_down"));
	nslab_impair_from_json(json_object_get(ji, "impair"), &si->impair);
	if (json_is_object(saved) && !(si->saved = saved_from(saved, what, err)))
		return -EINVAL;
	return 0;
}

static int node_from(json_t *jn, struct nslab_st_node *sn, struct nslab_err *err)
{
	json_t *labels = json_object_get(jn, "labels"), *v, *ji;
	const char *key;
	size_t i;

	sn->name = req_str(jn, "name", "node", err);
	if (!sn->name || !(sn->kind = req_str(jn, "kind", sn->name, err)) ||
	    !(sn->netns = req_str(jn, "netns", sn->name, err)))
		return -EINVAL;
	sn->group = opt_str(jn, "group");
	if (strv_from(json_object_get(jn, "env"), &sn->env, &sn->nenv, sn->name, err) < 0 ||
	    strv_from(json_object_get(jn, "shutdown"), &sn->shutdown, &sn->nshutdown, sn->name, err) < 0)
		return -EINVAL;
	sn->labels = xcalloc(json_object_size(labels) + 1, sizeof(*sn->labels));
	json_object_foreach(labels, key, v) {
		sn->labels[sn->nlabels].key = xstrdup(key);
		sn->labels[sn->nlabels++].value = xstrdup(json_string_value(v) ? json_string_value(v) : "");
	}
	nslab_limits_from_json(json_object_get(jn, "limits"), &sn->limits);
	sn->ifaces = xcalloc(json_array_size(json_object_get(jn, "interfaces")) + 1, sizeof(*sn->ifaces));
	json_array_foreach(json_object_get(jn, "interfaces"), i, ji) {
		int r = iface_from(ji, &sn->ifaces[sn->nifaces++], sn->name, err);
		if (r < 0)
			return r;
	}
	return 0;
}

int nslab_state_from_json(json_t *j, struct nslab_lab_state *s, struct nslab_err *err)
{
	json_t *v;
	size_t i;
	int r = -EINVAL;

	memset(s, 0, sizeof(*s));
	if (!json_is_object(j))
		return nslab_err_set(err, EINVAL, "not a JSON object");
	if (!(s->name = req_str(j, "name", "lab", err)) || !(s->status = req_str(j, "status", "lab", err)))
		goto bad;
	s->file = opt_str(j, "file");
	s->created = opt_str(j, "created");
	s->lab_folder = opt_str(j, "lab_folder");
	s->nodes = xcalloc(json_array_size(json_object_get(j, "nodes")) + 1, sizeof(*s->nodes));
	json_array_foreach(json_object_get(j, "nodes"), i, v) {
		r = node_from(v, &s->nodes[s->nnodes++], err);
		if (r < 0)
			goto bad;
	}
	s->links = xcalloc(json_array_size(json_object_get(j, "links")) + 1, sizeof(*s->links));
	json_array_foreach(json_object_get(j, "links"), i, v) {
		struct nslab_st_link *l = &s->links[s->nlinks++];
		if (!(l->a = req_str(v, "a", "link", err)) || !(l->b = req_str(v, "b", "link", err)))
			goto bad;
		l->mtu = (unsigned)json_integer_value(json_object_get(v, "mtu"));
	}
	return 0;
bad:
	nslab_state_free(s);
	return -EINVAL;
}

/* ---- on disk ---- */

int nslab_state_read(const char *lab, struct nslab_lab_state *s, struct nslab_err *err)
{
	_cleanup_free_ char *path = nslab_lab_path(lab, "state.json");
	json_error_t je;
	json_t *j;
	int r;

	memset(s, 0, sizeof(*s));
	r = nslab_rundir_trust(lab, err);
	if (r == -ENOENT)
		return nslab_err_set(err, ENOENT, "lab %s is not deployed", lab);
	if (r < 0)
		return r;
	j = json_load_file(path, 0, &je);
	if (!j) {
		if (access(path, F_OK) < 0 && errno == ENOENT)
			return nslab_err_set(err, ENOENT, "lab %s is not deployed", lab);
		return nslab_err_set(err, EINVAL, "%s:%d:%d: %s", path, je.line, je.column, je.text);
	}
	r = nslab_state_from_json(j, s, err);
	json_decref(j);
	if (r < 0)
		return nslab_err_prefix(err, "%s", path);
	return 0;
}

int nslab_state_write(const char *lab, const struct nslab_lab_state *s, struct nslab_err *err)
{
	_cleanup_free_ char *path = nslab_lab_path(lab, "state.json");
	_cleanup_free_ char *tmp = nslab_lab_path(lab, "state.json.tmp");
	json_t *j = nslab_state_to_json(s);
	int r = 0;

	errno = 0;
	if (json_dump_file(j, tmp, JSON_INDENT(2) | JSON_SORT_KEYS) < 0)
		r = nslab_err_sys(err, errno ? errno : EIO, "writing %s", tmp);
	else if (rename(tmp, path) < 0)
		r = nslab_err_sys(err, errno, "renaming %s", tmp);
	json_decref(j);
	if (r < 0)
		unlink(tmp);
	return r;
}

int nslab_state_set_status(const char *lab, const char *status, struct nslab_err *err)
{
	struct nslab_lab_state s;
	int r;

	/* gone: whoever removed it owns the lab now (a deploy must not report a lab it lost) */
	r = nslab_state_read(lab, &s, err);
	if (r == -ENOENT)
		return nslab_err_set(err, ENOENT, "lab %s has no state.json: it was destroyed meanwhile", lab);
	if (r < 0)
		return r;
	free(s.status);
	s.status = xstrdup(status);
	r = nslab_state_write(lab, &s, err);
	nslab_state_free(&s);
	return r;
}

/* ---- find, free ---- */

struct nslab_st_node *nslab_state_node(const struct nslab_lab_state *s, const char *name)
{
	for (size_t n = 0; n < s->nnodes; n++)
		if (strcmp(s->nodes[n].name, name) == 0)
			return &s->nodes[n];
	return NULL;
}

struct nslab_st_iface *nslab_state_iface(const struct nslab_st_node *n, const char *name)
{
	for (size_t i = 0; n && i < n->nifaces; i++)
		if (strcmp(n->ifaces[i].name, name) == 0)
			return &n->ifaces[i];
	return NULL;
}

void nslab_state_saved_free(struct nslab_st_saved *sv)
{
	if (!sv)
		return;
	nslab_strv_free(sv->addrs, sv->naddrs);
	for (size_t i = 0; i < sv->nroutes; i++) {
		free(sv->routes[i].dst);
		free(sv->routes[i].via);
	}
	free(sv->routes);
	free(sv);
}

void nslab_state_iface_save(struct nslab_st_iface *ifc, struct nslab_st_saved *saved)
{
	nslab_state_saved_free(ifc->saved);
	ifc->saved = saved;
}

void nslab_state_iface_free(struct nslab_st_iface *si)
{
	free(si->name);
	nslab_strv_free(si->addrs, si->naddrs);
	free(si->peer);
	free(si->master);
	nslab_state_saved_free(si->saved);
}

static void node_free(struct nslab_st_node *sn)
{
	free(sn->name);
	free(sn->kind);
	free(sn->group);
	free(sn->netns);
	nslab_strv_free(sn->env, sn->nenv);
	nslab_strv_free(sn->shutdown, sn->nshutdown);
	for (size_t l = 0; l < sn->nlabels; l++) {
		free(sn->labels[l].key);
		free(sn->labels[l].value);
	}
	free(sn->labels);
	free(sn->limits.cpuset);
	for (size_t i = 0; i < sn->nifaces; i++)
		nslab_state_iface_free(&sn->ifaces[i]);
	free(sn->ifaces);
}

void nslab_state_free(struct nslab_lab_state *s)
{
	free(s->name);
	free(s->file);
	free(s->lab_folder);
	free(s->status);
	free(s->created);
	for (size_t n = 0; n < s->nnodes; n++)
		node_free(&s->nodes[n]);
	free(s->nodes);
	for (size_t l = 0; l < s->nlinks; l++) {
		free(s->links[l].a);
		free(s->links[l].b);
	}
	free(s->links);
	memset(s, 0, sizeof(*s));
}

/* ---- the public pure conversions of core/lab.h ---- */

json_t *nslab_limits_to_json(const struct nslab_limits *l)
{
	json_t *o = json_object();

	if (l->cpu > 0)
		json_object_set_new(o, "cpu", json_real(l->cpu));
	if (l->cpuset)
		json_object_set_new(o, "cpu_set", json_string(l->cpuset));
	if (l->memory_bytes)
		json_object_set_new(o, "memory_bytes", json_integer((json_int_t)l->memory_bytes));
	if (l->cpu_weight)
		json_object_set_new(o, "cpu_weight", json_integer(l->cpu_weight));
	if (l->pids)
		json_object_set_new(o, "pids", json_integer((json_int_t)l->pids));
	if (l->net_cls_auto)
		json_object_set_new(o, "net_cls", json_string("auto"));
	else if (l->net_cls)
		json_object_set_new(o, "net_cls", json_sprintf("0x%08x", l->net_cls));
	return o;
}

json_t *nslab_topo_to_json(const struct nslab_topo *t, const char *lab, const char *status)
{
	struct nslab_lab_state s;
	json_t *j;

	nslab_state_from_topo(t, lab, status, &s);
	j = nslab_state_to_json(&s);
	nslab_state_free(&s);
	return j;
}
