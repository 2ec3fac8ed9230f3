/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * topologies/lab_conf.h: Kathará lab folders (lab.conf, lab.dep, lab.ext, DEVICE/,
 * DEVICE.startup, shared/) read into the same validated lab model as the YAML loader.
 * Reads files, never touches the kernel.
 */
#ifndef NSLAB_TOPOLOGIES_LAB_CONF_H
#define NSLAB_TOPOLOGIES_LAB_CONF_H

#include <stdbool.h>
#include <stddef.h>

#include "model.h"

#define NSLAB_KATHARA_MTU 1500 /* Kathará's collision domains (its Docker network plugin) */

/* Is path a Kathará lab: a directory holding a lab.conf, or a file named lab.conf? (What
 * `nslab deploy DIR` takes as a Kathará lab; the YAML loader hands such paths here.) */
bool nslab_labconf_is_lab(const char *path);
/* Load a lab folder given as DIR or DIR/lab.conf (see nslab_labconf_load_dir()). */
int nslab_labconf_load(const char *path, struct nslab_topo **out, struct nslab_diags *diags);

/*
 * Load a Kathará lab folder: DIR/lab.conf, and when present DIR/lab.dep (start order),
 * DIR/lab.ext (ignored with a warning), DIR/DEVICE/ (copied onto the node's root),
 * DIR/shared/ (mounted at /shared), DIR/{shared,DEVICE}.{startup,shutdown}. Same contract as
 * nslab_topo_load_file(): 0 and *out, or -EINVAL with every error in diags, each at
 * lab.conf:line:col (lab.dep:line for the start order).
 */
int nslab_labconf_load_dir(const char *dir, struct nslab_topo **out, struct nslab_diags *diags);

/*
 * The reader alone, on buffers (unit tests, fuzzing): conf is lab.conf's text, named file in
 * diagnostics; dep is lab.dep's text or NULL. dir, when not NULL, is the folder looked at for
 * DEVICE/, startup and shutdown files and shared/, and names the lab when LAB_NAME does not.
 */
int nslab_labconf_load_buf(const char *file, const char *conf, size_t conf_len, const char *dep, size_t dep_len,
			   const char *dir, struct nslab_topo **out, struct nslab_diags *diags);

/* A lab name from any text (a folder's name, LAB_NAME): bytes outside [A-Za-z0-9_-] become '_',
 * leading '-' dropped, at most NSLAB_NAME_MAX bytes; "lab" when nothing is left. malloc'd. */
char *nslab_labconf_lab_name(const char *s);

/* The bridge node a collision domain of 1 or 3+ devices becomes: "cd-NAME" when it fits in an
 * interface name, else "cd-" + 7 bytes of NAME + "-" + 4 hex digits of its hash. It has a '-',
 * which Kathará device names ([a-z0-9_]) never have, so it cannot clash with a device. */
char *nslab_labconf_bridge_name(const char *cd);

#endif
