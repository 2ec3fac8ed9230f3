/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * topologies/paths.h: host paths written in a topology file, resolved as containerlab resolves them.
 * `${VAR}` (and `$VAR`, `${VAR:-default}`, `${VAR:=default}`, `${VAR-default}`, `$$` for a dollar)
 * expanded from the environment, an unset variable being empty; a leading `~` is the home of the
 * user who ran sudo (SUDO_USER), else $HOME; a relative path is relative to the topology file's
 * folder; the result is cleaned lexically (no `.`, `..` or `//` left). Pure, given the environment.
 */
#ifndef NSLAB_TOPOLOGIES_PATHS_H
#define NSLAB_TOPOLOGIES_PATHS_H

/* Where variables, `~` and a relative topology file name come from. */
struct nslab_path_env {
	const char *(*get)(void *ctx, const char *name); /* NULL when unset */
	void *ctx;
	const char *home; /* for `~`; NULL: `~` is left as written */
	const char *cwd;  /* for a topology file given by a relative name */
};

/* This process's environment, home (SUDO_USER's when set) and working directory (computed once). */
const struct nslab_path_env *nslab_path_env_process(void);

/* Expand variables in s (malloc'd); NULL with *why set on a `${` without its `}` or a bad name. */
char *nslab_path_expand(const char *s, const struct nslab_path_env *e, const char **why);
/* containerlab's expansion of a whole topology file, applied to each scalar (malloc'd, never NULL):
 * `${NAME}`, `$NAME`, `${NAME:-default}`, `${NAME:=default}`, `${NAME-default}` from the
 * environment; an unset variable without a default, `$$` and anything else with a dollar stay as
 * written (exec commands keep their shell variables). */
char *nslab_vars_expand(const char *s, const struct nslab_path_env *e);
/* Lexically clean an absolute or relative path (malloc'd): "a//b/./c/../d" -> "a/b/d". */
char *nslab_path_clean(const char *p);
/* Resolve a host path (already expanded) written in topo_file: `~`, relative, cleaned (malloc'd). */
char *nslab_path_resolve(const char *p, const char *topo_file, const struct nslab_path_env *e);
/* A host path as written in topo_file: expanded, then resolved (malloc'd); NULL with *why. */
char *nslab_path_host(const char *raw, const char *topo_file, const struct nslab_path_env *e, const char **why);
/* A whole bind "HOST:NODE[:MODE]": variables expanded everywhere, the host part resolved
 * (malloc'd); NULL with *why on a bad variable. */
char *nslab_path_bind(const char *spec, const char *topo_file, const struct nslab_path_env *e, const char **why);

#endif
