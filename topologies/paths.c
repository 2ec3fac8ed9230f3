// SPDX-License-Identifier: GPL-2.0-or-later
/* topologies/paths.c: host paths in topology files (variables, `~`, relative to the file), as containerlab does. */
#include "paths.h"

#include <ctype.h>
#include <limits.h>
#include <pwd.h>

#include "../util/util.h"

static const char *process_get(void *ctx, const char *name)
{
	(void)ctx;
	return getenv(name);
}

const struct nslab_path_env *nslab_path_env_process(void)
{
	static struct nslab_path_env env = { .get = process_get };
	static char home[PATH_MAX], cwd[PATH_MAX];
	static bool done;

	if (done)
		return &env;
	done = true;
	/* containerlab runs under sudo and means the invoking user's ~ */
	const char *sudo = getenv("SUDO_USER");
	struct passwd *pw = sudo && *sudo ? getpwnam(sudo) : NULL;
	const char *h = pw ? pw->pw_dir : getenv("HOME");
	if (!h || !*h) {
		pw = getpwuid(getuid());
		h = pw ? pw->pw_dir : NULL;
	}
	if (h && nslab_strlcpy(home, h, sizeof(home)))
		env.home = home;
	if (getcwd(cwd, sizeof(cwd)))
		env.cwd = cwd;
	return &env;
}

struct sbuf {
	char *s;
	size_t len, cap;
};

static void sb_add(struct sbuf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		b->cap = (b->len + n + 1) * 2;
		b->s = xrealloc(b->s, b->cap);
	}
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

static bool name_start(char c)
{
	return c == '_' || isalpha((unsigned char)c);
}

static bool name_char(char c)
{
	return c == '_' || isalnum((unsigned char)c);
}

/*
 * The expansion behind nslab_path_expand() and nslab_vars_expand(). keep: an unset variable
 * without a default, `$$` and a malformed `${...}` stay as written (containerlab's whole-file
 * expansion: what it cannot expand, a shell in the node may); else they are empty, one dollar,
 * and an error.
 */
static char *expand(const char *s, const struct nslab_path_env *e, bool keep, const char **why)
{
	struct sbuf b = { 0 };

	sb_add(&b, "", 0);
	while (*s) {
		const char *dollar = strchr(s, '$');
		if (!dollar) {
			sb_add(&b, s, strlen(s));
			break;
		}
		sb_add(&b, s, (size_t)(dollar - s));
		s = dollar + 1;
		if (*s == '$') { /* $$: one dollar */
			sb_add(&b, "$$", keep ? 2 : 1);
			s++;
		} else if (name_start(*s)) { /* $NAME */
			const char *end = s;
			while (name_char(*end))
				end++;
			_cleanup_free_ char *name = xstrndup(s, (size_t)(end - s));
			const char *v = e->get(e->ctx, name);
			if (v)
				sb_add(&b, v, strlen(v));
			else if (keep)
				sb_add(&b, dollar, (size_t)(end - dollar));
			s = end;
		} else if (*s == '{') { /* ${NAME}, ${NAME:-def}, ${NAME:=def}, ${NAME-def} */
			const char *close = strchr(s, '}'), *end = s + 1;
			const char *bad = NULL;
			if (!close)
				bad = "a ${ without its }";
			else if (!name_start(*end))
				bad = "a ${...} without a variable name";
			while (!bad && name_char(*end))
				end++;
			if (!bad && end != close && !((end[0] == ':' && (end[1] == '-' || end[1] == '=')) || end[0] == '-'))
				bad = "a bad ${...}: expected ${NAME}, ${NAME:-default} or ${NAME-default}";
			if (bad && keep) { /* a shell's ${x%%.*}: the node's shell expands it */
				sb_add(&b, "$", 1);
				continue;
			}
			if (bad) {
				*why = bad;
				free(b.s);
				return NULL;
			}
			_cleanup_free_ char *name = xstrndup(s + 1, (size_t)(end - s - 1));
			const char *v = e->get(e->ctx, name);
			if (end == close) {
				if (v)
					sb_add(&b, v, strlen(v));
				else if (keep)
					sb_add(&b, dollar, (size_t)(close + 1 - dollar));
			} else {
				bool colon = end[0] == ':';
				const char *def = end + (colon ? 2 : 1);
				if (v && (!colon || *v))
					sb_add(&b, v, strlen(v));
				else
					sb_add(&b, def, (size_t)(close - def));
			}
			s = close + 1;
		} else { /* a lone dollar stays */
			sb_add(&b, "$", 1);
		}
	}
	return b.s;
}

char *nslab_path_expand(const char *s, const struct nslab_path_env *e, const char **why)
{
	return expand(s, e, false, why);
}

char *nslab_vars_expand(const char *s, const struct nslab_path_env *e)
{
	const char *why = NULL;

	return expand(s, e, true, &why);
}

char *nslab_path_clean(const char *p)
{
	bool abs = p[0] == '/';
	size_t n = strlen(p);
	const char **parts = xcalloc(n + 1, sizeof(char *));
	size_t *lens = xcalloc(n + 1, sizeof(size_t));
	size_t np = 0;
	struct sbuf b = { 0 };

	for (const char *s = p; *s;) {
		size_t len = strcspn(s, "/");
		if (len == 0 || (len == 1 && s[0] == '.')) {
			/* nothing */
		} else if (len == 2 && s[0] == '.' && s[1] == '.') {
			if (np && !(lens[np - 1] == 2 && parts[np - 1][0] == '.' && parts[np - 1][1] == '.'))
				np--;
			else if (!abs) { /* a relative path may climb above its start */
				parts[np] = s;
				lens[np++] = len;
			}
		} else {
			parts[np] = s;
			lens[np++] = len;
		}
		s += len;
		while (*s == '/')
			s++;
	}
	sb_add(&b, abs ? "/" : "", abs ? 1 : 0);
	for (size_t i = 0; i < np; i++) {
		if (i)
			sb_add(&b, "/", 1);
		sb_add(&b, parts[i], lens[i]);
	}
	if (!b.len)
		sb_add(&b, ".", 1);
	free(parts);
	free(lens);
	return b.s;
}

char *nslab_path_resolve(const char *p, const char *topo_file, const struct nslab_path_env *e)
{
	_cleanup_free_ char *joined = NULL;

	if (p[0] == '~' && (p[1] == '/' || p[1] == '\0') && e->home) {
		joined = xasprintf("%s%s", e->home, p + 1);
	} else if (p[0] == '/') {
		joined = xstrdup(p);
	} else {
		/* the topology file's folder, made absolute with the working directory */
		const char *slash = strrchr(topo_file, '/');
		_cleanup_free_ char *dir = slash ? xstrndup(topo_file, (size_t)(slash - topo_file) + 1) : xstrdup("");
		if (dir[0] == '/' || !e->cwd)
			joined = xasprintf("%s%s", dir, p);
		else
			joined = xasprintf("%s/%s%s", e->cwd, dir, p);
	}
	return nslab_path_clean(joined);
}

char *nslab_path_host(const char *raw, const char *topo_file, const struct nslab_path_env *e, const char **why)
{
	_cleanup_free_ char *x = nslab_path_expand(raw, e, why);

	return x ? nslab_path_resolve(x, topo_file, e) : NULL;
}

char *nslab_path_bind(const char *spec, const char *topo_file, const struct nslab_path_env *e, const char **why)
{
	_cleanup_free_ char *x = nslab_path_expand(spec, e, why);
	const char *colon;

	if (!x)
		return NULL;
	colon = strchr(x, ':');
	if (!colon || colon == x)
		return steal_ptr(x); /* malformed: the loader says how */
	_cleanup_free_ char *host = xstrndup(x, (size_t)(colon - x));
	_cleanup_free_ char *abs = nslab_path_resolve(host, topo_file, e);
	return xasprintf("%s%s", abs, colon);
}
