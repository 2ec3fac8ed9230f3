// SPDX-License-Identifier: GPL-2.0-or-later
/* core/profile.c: image profiles (what to start in a node for an image): the built-in table, users' JSON files, matching. */
#include "profile.h"

#include <errno.h>
#include <fnmatch.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../util/util.h"

/* ---- the built-in table ---- */

struct builtin_need {
	const char *program, *package; /* package NULL: Debian does not package it */
};

struct builtin_profile {
	const char *name;
	const char *images[16];
	const char *start;
	struct builtin_need needs[4];
};

/*
 * FRR's Debian init script reads the node's /etc/frr/daemons, starts watchfrr, which starts the
 * enabled daemons (zebra, staticd and those set to yes) and loads /etc/frr/frr.conf with vtysh:
 * what the frrouting/frr image's docker-start does, in the background. Its files live in the
 * node's /etc/frr, /var/run/frr (the node's private /run), /var/tmp/frr and /var/log/frr.
 * bird: the images' configuration is /etc/bird.conf (containerlab labs bind it there), Debian's
 * /etc/bird/bird.conf; bird daemonizes once the configuration parses. Shell and toolbox images
 * run a shell or sleep as their command: nothing to start, the node lives without it.
 */
static const struct builtin_profile builtin[] = {
	{ "frr",
	  { "frrouting/frr", "frrouting/frr-debian", "quay.io/frrouting/frr", "kathara/frr", "*/frrouting/frr" },
	  "/usr/lib/frr/frrinit.sh start",
	  { { "/usr/lib/frr/frrinit.sh", "frr" }, { "/usr/lib/frr/watchfrr", "frr" }, { "/usr/bin/vtysh", "frr" } } },
	{ "bird",
	  { "ghcr.io/srl-labs/bird", "pierky/bird", "*/bird", "*/bird2", "bird", "bird2" },
	  "mkdir -p /run/bird && for c in /etc/bird.conf /etc/bird/bird.conf; do if [ -r \"$c\" ]; then exec bird -c "
	  "\"$c\"; fi; done; echo 'bird: no /etc/bird.conf or /etc/bird/bird.conf in the node' >&2; exit 1",
	  { { "/usr/sbin/bird", "bird2" }, { "/usr/sbin/birdc", "bird2" } } },
	{ "keepalived",
	  { "*/keepalived", "keepalived" },
	  "keepalived",
	  { { "/usr/sbin/keepalived", "keepalived" } } },
	{ "holo",
	  { "ghcr.io/holo-routing/holo*", "holo-routing/holo*" },
	  "holod",
	  { { "/usr/bin/holod", NULL } } },
	{ "toolbox",
	  { "alpine", "busybox", "ubuntu", "debian", "fedora", "centos", "rockylinux", "almalinux", "nicolaka/netshoot",
	    "wbitt/network-multitool", "*/network-multitool", "praqma/network-multitool", "kathara/base", "*/alpine",
	    "*/busybox", "*/debian" },
	  NULL,
	  { { NULL, NULL } } },
};

void nslab_profiles_builtin(struct nslab_profiles *p)
{
	for (size_t i = 0; i < ARRAY_SIZE(builtin); i++) {
		const struct builtin_profile *b = &builtin[i];
		struct nslab_profile *pr = VEC_PUSH(p->v, p->n);
		pr->name = xstrdup(b->name);
		pr->origin = xstrdup("built-in");
		pr->start = b->start ? xstrdup(b->start) : NULL;
		for (size_t k = 0; k < ARRAY_SIZE(b->images) && b->images[k]; k++)
			*VEC_PUSH(pr->images, pr->nimages) = xstrdup(b->images[k]);
		for (size_t k = 0; k < ARRAY_SIZE(b->needs) && b->needs[k].program; k++) {
			struct nslab_profile_need *nd = VEC_PUSH(pr->needs, pr->nneeds);
			nd->program = xstrdup(b->needs[k].program);
			nd->package = b->needs[k].package ? xstrdup(b->needs[k].package) : NULL;
		}
	}
}

/* ---- users' files ---- */

static int bad(struct nslab_err *err, const char *name, size_t i, const char *what)
{
	return nslab_err_set(err, EINVAL, "%s: profile %zu: %s", name, i + 1, what);
}

static int parse_one(struct nslab_profile *pr, const char *name, size_t i, json_t *o, struct nslab_err *err)
{
	const char *key;
	json_t *v;

	if (!json_is_object(o))
		return bad(err, name, i, "must be an object");
	json_object_foreach(o, key, v) {
		if (strcmp(key, "name") && strcmp(key, "images") && strcmp(key, "start") && strcmp(key, "needs"))
			return nslab_err_set(err, EINVAL,
					     "%s: profile %zu: unknown key \"%s\" (name, images, start, needs)", name,
					     i + 1, key);
	}
	v = json_object_get(o, "name");
	if (!json_is_string(v) || !*json_string_value(v))
		return bad(err, name, i, "\"name\" must be a non-empty string");
	pr->name = xstrdup(json_string_value(v));
	v = json_object_get(o, "images");
	if (!json_is_array(v) || !json_array_size(v))
		return nslab_err_set(err, EINVAL, "%s: profile %s: \"images\" must be a non-empty list of image names",
				     name, pr->name);
	for (size_t k = 0; k < json_array_size(v); k++) {
		json_t *s = json_array_get(v, k);
		if (!json_is_string(s) || !*json_string_value(s))
			return nslab_err_set(err, EINVAL, "%s: profile %s: images must be non-empty strings", name,
					     pr->name);
		*VEC_PUSH(pr->images, pr->nimages) = xstrdup(json_string_value(s));
	}
	v = json_object_get(o, "start");
	if (v && !json_is_null(v)) {
		if (!json_is_string(v))
			return nslab_err_set(err, EINVAL, "%s: profile %s: \"start\" must be a shell command (a string)",
					     name, pr->name);
		if (*json_string_value(v))
			pr->start = xstrdup(json_string_value(v));
	}
	v = json_object_get(o, "needs");
	if (v) {
		json_t *pkg;
		if (!json_is_object(v))
			return nslab_err_set(err, EINVAL,
					     "%s: profile %s: \"needs\" must map programs to Debian packages, like "
					     "{\"/usr/sbin/bird\": \"bird2\"}",
					     name, pr->name);
		json_object_foreach(v, key, pkg) {
			if (key[0] != '/')
				return nslab_err_set(err, EINVAL, "%s: profile %s: needed program \"%s\" must be an absolute path",
						     name, pr->name, key);
			if (!json_is_string(pkg) && !json_is_null(pkg))
				return nslab_err_set(err, EINVAL,
						     "%s: profile %s: the package of %s must be a string (or null: not packaged)",
						     name, pr->name, key);
			struct nslab_profile_need *nd = VEC_PUSH(pr->needs, pr->nneeds);
			nd->program = xstrdup(key);
			nd->package = json_is_string(pkg) ? xstrdup(json_string_value(pkg)) : NULL;
		}
	}
	pr->origin = xstrdup(name);
	return 0;
}

int nslab_profiles_parse(struct nslab_profiles *p, const char *name, const char *text, struct nslab_err *err)
{
	json_error_t je;
	json_t *root = json_loads(text, JSON_REJECT_DUPLICATES, &je), *list;
	struct nslab_profiles got = { 0 };
	int r = 0;

	if (!root)
		return nslab_err_set(err, EINVAL, "%s:%d:%d: %s", name, je.line, je.column, je.text);
	list = json_object_get(root, "profiles");
	if (!json_is_object(root) || json_object_size(root) != 1 || !json_is_array(list))
		r = nslab_err_set(err, EINVAL, "%s: expected {\"profiles\": [...]} (see nslab(1), PROFILES)", name);
	for (size_t i = 0; r == 0 && i < json_array_size(list); i++)
		r = parse_one(VEC_PUSH(got.v, got.n), name, i, json_array_get(list, i), err);
	json_decref(root);
	if (r < 0) {
		nslab_profiles_free(&got);
		return r;
	}
	for (size_t i = 0; i < got.n; i++)
		*VEC_PUSH(p->v, p->n) = got.v[i];
	free(got.v);
	return 0;
}

int nslab_profiles_load_file(struct nslab_profiles *p, const char *path, struct nslab_err *err)
{
	_cleanup_free_ char *text = NULL;
	int r = nslab_read_file(path, &text, NULL);

	if (r < 0)
		return nslab_err_sys(err, -r, "reading %s", path);
	return nslab_profiles_parse(p, path, text, err);
}

int nslab_profiles_load(struct nslab_profiles *p, struct nslab_err *err)
{
	const char *one = getenv("NSLAB_PROFILES"), *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
	_cleanup_free_ char *user = NULL;
	const char *files[2] = { 0 };
	int r = 0;

	memset(p, 0, sizeof(*p));
	if (one && *one) {
		files[0] = one;
	} else {
		if (xdg && *xdg == '/')
			user = xasprintf("%s/nslab/profiles.json", xdg);
		else if (home && *home == '/')
			user = xasprintf("%s/.config/nslab/profiles.json", home);
		files[0] = user;
		files[1] = "/etc/nslab/profiles.json";
	}
	for (size_t i = 0; r == 0 && i < ARRAY_SIZE(files); i++) {
		struct stat st;
		/* a file this user cannot even see (HOME kept by sudo or setpriv: /root is 0700) is absent */
		if (!files[i] || (stat(files[i], &st) < 0 && (errno == ENOENT || errno == EACCES) && files[i] != one))
			continue;
		r = nslab_profiles_load_file(p, files[i], err);
	}
	if (r < 0) {
		nslab_profiles_free(p);
		return r;
	}
	nslab_profiles_builtin(p);
	return 0;
}

void nslab_profiles_free(struct nslab_profiles *p)
{
	for (size_t i = 0; i < p->n; i++) {
		struct nslab_profile *pr = &p->v[i];
		free(pr->name);
		free(pr->start);
		free(pr->origin);
		for (size_t k = 0; k < pr->nimages; k++)
			free(pr->images[k]);
		free(pr->images);
		for (size_t k = 0; k < pr->nneeds; k++) {
			free(pr->needs[k].program);
			free(pr->needs[k].package);
		}
		free(pr->needs);
	}
	free(p->v);
	memset(p, 0, sizeof(*p));
}

/* ---- matching ---- */

char *nslab_image_normalize(const char *image)
{
	static const char *const registries[] = { "docker.io/", "index.docker.io/", "registry-1.docker.io/" };
	char *s = xstrdup(image), *at = strchr(s, '@'), *slash, *colon;
	char *p = s;

	if (at)
		*at = '\0';
	slash = strrchr(s, '/');
	colon = strrchr(slash ? slash : s, ':');
	if (colon)
		*colon = '\0'; /* the tag (a colon before the last '/' is a registry's port) */
	for (size_t i = 0; i < ARRAY_SIZE(registries); i++)
		if (strncmp(p, registries[i], strlen(registries[i])) == 0)
			p += strlen(registries[i]);
	if (strncmp(p, "library/", 8) == 0 && strchr(p + 8, '/') == NULL)
		p += 8;
	memmove(s, p, strlen(p) + 1);
	return s;
}

const struct nslab_profile *nslab_profile_find(const struct nslab_profiles *p, const char *image)
{
	_cleanup_free_ char *norm = nslab_image_normalize(image);

	for (size_t i = 0; i < p->n; i++)
		for (size_t k = 0; k < p->v[i].nimages; k++)
			if (fnmatch(p->v[i].images[k], norm, 0) == 0)
				return &p->v[i];
	return NULL;
}

/* ---- programs ---- */

char *nslab_cmd_program(const char *cmdline)
{
	const char *c = cmdline;
	char *out = xmalloc(strlen(cmdline) + 1), *o = out;
	char quote = 0;

	while (*c == ' ' || *c == '\t' || *c == '\n')
		c++;
	for (; *c; c++) {
		if (quote) {
			if (*c == quote)
				quote = 0;
			else if (quote == '"' && *c == '\\' && c[1])
				*o++ = *++c;
			else
				*o++ = *c;
		} else if (*c == '\'' || *c == '"') {
			quote = *c;
		} else if (*c == '\\' && c[1]) {
			*o++ = *++c;
		} else if (*c == ' ' || *c == '\t' || *c == '\n' || *c == ';' || *c == '&' || *c == '|') {
			break;
		} else {
			*o++ = *c;
		}
	}
	*o = '\0';
	if (!*out) {
		free(out);
		return NULL;
	}
	return out;
}

bool nslab_program_exists(const char *program)
{
	static const char *const path[] = { "/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin" };
	struct stat st;

	if (strchr(program, '/'))
		return stat(program, &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 0111) && access(program, X_OK) == 0;
	for (size_t i = 0; i < ARRAY_SIZE(path); i++) {
		_cleanup_free_ char *p = xasprintf("%s/%s", path[i], program);
		if (stat(p, &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 0111) && access(p, X_OK) == 0)
			return true;
	}
	return false;
}
