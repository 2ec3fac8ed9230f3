// SPDX-License-Identifier: GPL-2.0-or-later
/* topologies/startup.c: containerlab's startup-config key: a file (relative to the topology file) or inline text, read into the node for kind frr and bird. */
#include "topologies/loader.h"
#include "topologies/paths.h"

#include <errno.h>
#include <sys/stat.h>

/* A router's configuration is text: past this, the file is surely not one (and a shell argument holds it). */
#define TOPO_STARTUP_CONFIG_MAX (96 * 1024)

void topo_set_startup_config(struct topo_ld *ld, void *obj, yaml_node_t *key, yaml_node_t *val)
{
	struct topo_settings *s = obj;
	const char *v = topo_str(ld, val, "startup-config");

	(void)key;
	if (!v)
		return;
	free(s->startup_config);
	s->startup_config = xstrdup(v);
	s->startup_config_pos = topo_pos(ld, val);
}

/* containerlab's __clabNodeName__ in a startup-config path: the node's name (malloc'd). */
static char *topo_node_name_subst(const char *path, const char *node)
{
	static const char tok[] = "__clabNodeName__";
	char *out = xstrdup(""), *n;
	const char *p = path, *at;

	/* scans the path, never the result: a node name may itself hold the token */
	while ((at = strstr(p, tok))) {
		n = xasprintf("%s%.*s%s", out, (int)(at - p), p, node);
		free(out);
		out = n;
		p = at + strlen(tok);
	}
	n = xasprintf("%s%s", out, p);
	free(out);
	return n;
}

static void topo_startup_config_read(struct topo_ld *ld, struct nslab_node *n, const char *raw,
				     const struct nslab_pos *pos)
{
	_cleanup_free_ char *named = topo_node_name_subst(raw, n->name);
	_cleanup_free_ char *path = NULL, *text = NULL;
	const char *why = NULL;
	struct stat st;
	size_t len = 0;
	int r;

	if (!strncmp(raw, "http://", 7) || !strncmp(raw, "https://", 8)) {
		topo_err_at(ld, pos, "startup-config of node %s is a URL (%s): nslab reads local files only; download it "
				     "next to the topology file",
			    n->name, raw);
		return;
	}
	path = nslab_path_host(named, ld->file, nslab_path_env_process(), &why);
	if (!path) {
		topo_err_at(ld, pos, "bad startup-config \"%s\" of node %s: %s", raw, n->name, why);
		return;
	}
	if (stat(path, &st) < 0) {
		topo_err_at(ld, pos, "startup-config of node %s: %s: %s", n->name, path, strerror(errno));
		return;
	}
	if (!S_ISREG(st.st_mode) || st.st_size > TOPO_STARTUP_CONFIG_MAX) {
		topo_err_at(ld, pos, "startup-config of node %s: %s is not a configuration file (%s)", n->name, path,
			    S_ISREG(st.st_mode) ? "over 96 KiB" : "not a regular file");
		return;
	}
	r = nslab_read_file(path, &text, &len);
	if (r < 0) {
		topo_err_at(ld, pos, "startup-config of node %s: reading %s: %s", n->name, path, strerror(-r));
		return;
	}
	if (memchr(text, '\0', len)) {
		topo_err_at(ld, pos, "startup-config of node %s: %s has NUL bytes: not a configuration file", n->name,
			    path);
		return;
	}
	n->startup_config = steal_ptr(text);
	n->startup_config_from = steal_ptr(path);
}

/*
 * As containerlab: a value with a newline is the configuration itself (a YAML block `|`), any other
 * is a path, relative to the topology file's folder, with `~`, ${VAR} and __clabNodeName__. Only
 * kinds whose daemon reads it (frr, bird) take it; on others it is ignored with a warning, as
 * containerlab's linux kind ignores it.
 */
void topo_startup_config_resolve(struct topo_ld *ld, struct nslab_node *n, const struct topo_settings *const *lv,
				 size_t nlv)
{
	const struct topo_settings *from = NULL;

	for (size_t i = 0; i < nlv && !from; i++)
		if (lv[i]->startup_config)
			from = lv[i];
	if (!from)
		return;
	if (n->kind != NSLAB_KIND_FRR && n->kind != NSLAB_KIND_BIRD) {
		/* once, where it is written: a defaults or kind level reaches nodes that do not use it */
		if (from == lv[0])
			topo_diag_at(ld, NSLAB_DIAG_WARNING, &from->startup_config_pos,
				     "startup-config is ignored on node %s (kind %s): only kind frr and bird nodes read "
				     "one",
				     n->name, nslab_kind_name(n->kind));
		return;
	}
	if (strchr(from->startup_config, '\n')) {
		if (strlen(from->startup_config) > TOPO_STARTUP_CONFIG_MAX) {
			topo_err_at(ld, &from->startup_config_pos, "startup-config of node %s: over 96 KiB", n->name);
			return;
		}
		n->startup_config = xstrdup(from->startup_config);
		return;
	}
	topo_startup_config_read(ld, n, from->startup_config, &from->startup_config_pos);
}
