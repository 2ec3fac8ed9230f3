/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * core/labstate.h: the lab as deployed (RUNDIR/LAB/state.json), typed. The only code that turns
 * state.json into JSON and back: read it, change the struct, write it with the one atomic writer
 * (a temp file renamed over it). Whoever writes holds the lab lock (core/rundir.h).
 */
#ifndef NSLAB_CORE_LABSTATE_H
#define NSLAB_CORE_LABSTATE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "../topologies/model.h"
#include "../util/err.h"

/* A route the kernel dropped when `nslab link down` took its interface down. */
struct nslab_st_route {
	char *dst; /* "10.1.0.0/16" */
	char *via; /* NULL: none */
	unsigned metric;
};

/* What `nslab link down` saved to give back on `up`. */
struct nslab_st_saved {
	char **addrs; /* "fd00::1/64" */
	size_t naddrs;
	struct nslab_st_route *routes;
	size_t nroutes;
};

struct nslab_st_iface {
	char *name;
	int ifindex;
	bool bridge; /* the bridge device of a bridge node: no MTU, impairments or peer */
	char **addrs; /* "10.0.0.1/24", as configured */
	size_t naddrs;
	unsigned configured_mtu;
	bool admin_down; /* declared down in the topology */
	struct nslab_impair impair;
	char *peer; /* "NODE:IF", NULL when not a link end */
	char *master; /* the bridge device in the node this end is a port of, NULL for none */
	bool link_down; /* taken down by `nslab link down` */
	struct nslab_st_saved *saved; /* NULL unless link_down */
};

struct nslab_st_node {
	char *name, *kind, *group, *netns; /* group may be NULL */
	char **env; /* "K=V" */
	size_t nenv;
	struct nslab_kv *labels;
	size_t nlabels;
	struct nslab_limits limits; /* in force (nslab limit changes them) */
	struct nslab_st_iface *ifaces;
	size_t nifaces;
	char **shutdown; /* run by destroy in the node before it stops it (lab.conf's DEVICE.shutdown) */
	size_t nshutdown;
};

struct nslab_st_link {
	char *a, *b; /* "NODE:IF" */
	unsigned mtu;
};

struct nslab_lab_state {
	char *name, *file, *status, *created;
	char *lab_folder; /* where the nodes' layers are kept (core/rootfs.h), or NULL */
	struct nslab_st_node *nodes;
	size_t nnodes;
	struct nslab_st_link *links;
	size_t nlinks;
};

/* The lab t will be once deployed as lab, with that status. Pure. */
void nslab_state_from_topo(const struct nslab_topo *t, const char *lab, const char *status,
			   struct nslab_lab_state *s);
/* state.json's JSON, and back (a missing or mistyped required key is an error; unknown keys are
 * ignored). */
json_t *nslab_state_to_json(const struct nslab_lab_state *s);
json_t *nslab_state_node_json(const struct nslab_st_node *n);
int nslab_state_from_json(json_t *j, struct nslab_lab_state *s, struct nslab_err *err);
/* Read RUNDIR/LAB/state.json: -ENOENT ("lab X is not deployed") when there is none. */
int nslab_state_read(const char *lab, struct nslab_lab_state *s, struct nslab_err *err);
/* Write it atomically (RUNDIR/LAB/state.json.tmp renamed over it; the temp file is removed when
 * the write fails). */
int nslab_state_write(const char *lab, const struct nslab_lab_state *s, struct nslab_err *err);
/* Read, set the status, write. A lab without state.json is an error (-ENOENT). */
int nslab_state_set_status(const char *lab, const char *status, struct nslab_err *err);
void nslab_state_free(struct nslab_lab_state *s);

/* Find a node, an interface of a node; NULL when none. */
struct nslab_st_node *nslab_state_node(const struct nslab_lab_state *s, const char *name);
struct nslab_st_iface *nslab_state_iface(const struct nslab_st_node *n, const char *name);
/* Replace iface's saved set (taking ownership of saved, which may be NULL). */
void nslab_state_iface_save(struct nslab_st_iface *ifc, struct nslab_st_saved *saved);
void nslab_state_saved_free(struct nslab_st_saved *saved);
/* What an interface holds (not the interface itself: it lives in its node's array). */
void nslab_state_iface_free(struct nslab_st_iface *si);

/* The limits as nslab_limits_to_json() (core/lab.h) writes them, back (cpuset malloc'd). Pure. */
void nslab_limits_from_json(json_t *j, struct nslab_limits *l);

#endif
