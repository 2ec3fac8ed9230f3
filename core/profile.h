/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * core/profile.h: image profiles, what nslab starts in a node for a well-known container image,
 * from the host's own packages (nslab runs no image). A profile is data: the image names it
 * matches, the programs it needs (each with the Debian package that has it), and a start
 * command. Built-in profiles (FRR, bird, the shell and toolbox images) come first in no file;
 * users add or override them in JSON files (see nslab_profiles_load()).
 */
#ifndef NSLAB_CORE_PROFILE_H
#define NSLAB_CORE_PROFILE_H

#include <stdbool.h>
#include <stddef.h>

#include "../util/err.h"

struct nslab_profile_need {
	char *program; /* absolute path on the host */
	char *package; /* the Debian package that installs it */
};

struct nslab_profile {
	char *name;
	char **images; /* fnmatch(3) patterns over normalized image names (see nslab_image_normalize()) */
	size_t nimages;
	/* run with /bin/sh -c in the node once its links are up, before exec; it must return (start
	 * daemons in the background) and exit 0. NULL: the profile starts nothing. */
	char *start;
	struct nslab_profile_need *needs;
	size_t nneeds;
	char *origin; /* "built-in" or FILE */
};

struct nslab_profiles {
	struct nslab_profile *v; /* in lookup order: the first match wins */
	size_t n;
};

/*
 * The profiles in lookup order: those of $NSLAB_PROFILES (one file) when set, else of
 * $XDG_CONFIG_HOME/nslab/profiles.json (~/.config/nslab/profiles.json) and then
 * /etc/nslab/profiles.json, each when it exists; the built-in ones last. A file that exists
 * but is not valid fails with FILE:LINE:COL. The format:
 *   {"profiles": [{"name": "frr",
 *                  "images": ["frrouting/frr", "quay.io/frrouting/frr"],
 *                  "start": "/usr/lib/frr/frrinit.sh start",
 *                  "needs": {"/usr/lib/frr/watchfrr": "frr"}}]}
 * ("start" and "needs" optional: a profile without start starts nothing).
 */
int nslab_profiles_load(struct nslab_profiles *p, struct nslab_err *err);
/* Read one file (appended to p). Exported for tests. */
int nslab_profiles_load_file(struct nslab_profiles *p, const char *path, struct nslab_err *err);
/* Parse a JSON text (name is its file, for errors). Exported for tests. */
int nslab_profiles_parse(struct nslab_profiles *p, const char *name, const char *text, struct nslab_err *err);
/* Only the built-in table. */
void nslab_profiles_builtin(struct nslab_profiles *p);
void nslab_profiles_free(struct nslab_profiles *p);

/*
 * An image reference as profiles match it (malloc'd): no tag, no digest, no "docker.io/" or
 * "index.docker.io/" registry, no "library/" namespace: "docker.io/library/alpine:3" -> "alpine",
 * "quay.io/frrouting/frr:10.5.1" -> "quay.io/frrouting/frr", "localhost:5000/x/frr@sha256:..." ->
 * "localhost:5000/x/frr".
 */
char *nslab_image_normalize(const char *image);
/* The first profile matching image, or NULL. */
const struct nslab_profile *nslab_profile_find(const struct nslab_profiles *p, const char *image);

/* The first word of a command line as /bin/sh would split it (quotes removed; malloc'd), or NULL. */
char *nslab_cmd_program(const char *cmdline);
/* Whether a program exists on the host and is executable: a path as given, a bare name on the
 * usual PATH (/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin). */
bool nslab_program_exists(const char *program);

#endif
