/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * topologies/loader.h: private to topologies/: the loader's view of a topology file before
 * resolution (struct topo_ld and the raw settings, links and impairments it holds), the
 * diagnostics helpers, and the functions the loader's files share. A reader of a file format
 * (yaml*.c today) fills the view; resolve.c turns it into the model of model.h, whatever the
 * format. Nothing outside topologies/ includes this.
 */
#ifndef NSLAB_TOPOLOGIES_LOADER_H
#define NSLAB_TOPOLOGIES_LOADER_H

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <yaml.h>

#include "topologies/addressing.h"
#include "topologies/impair.h"
#include "topologies/model.h"
#include "util/util.h"

/*
 * How many YAML nodes one load may visit. Aliases let a small file reference
 * one big node many times; the schema is shallow, so this only bites on files
 * built to expand. A load gets this plus one per byte of the file (a file
 * without aliases makes fewer nodes than it has bytes).
 */
#define TOPO_BUDGET 500000

/* The largest topology file read (nslab_topo_load_file). */
#define TOPO_MAX_FILE_BYTES (16u << 20)

/* Past this many errors in one file, more of them help nobody. */
#define TOPO_MAX_ERRORS 200

#define TOPO_KIND_UNSET (-1)
#define TOPO_KIND_BAD (-2) /* unusable, an error has been reported */

/* Where a settings block sits in the inheritance chain; a key table says where it is allowed. */
enum topo_level {
	TOPO_LV_DEFAULTS = 1,
	TOPO_LV_KIND = 2,
	TOPO_LV_GROUP = 4,
	TOPO_LV_NODE = 8,
};
#define TOPO_LV_ALL (TOPO_LV_DEFAULTS | TOPO_LV_KIND | TOPO_LV_GROUP | TOPO_LV_NODE)

/* ---- what the file says, before resolution ---- */

struct topo_addr {
	struct nslab_prefix p;
	struct nslab_pos pos;
};

enum { TOPO_STATE_UNSET, TOPO_STATE_UP, TOPO_STATE_DOWN };

/*
 * The impairment keys of one map: a link (both ends), an endpoint or an interfaces entry (one
 * end). given says which parameters appeared (NSLAB_IMPP_BIT), valid or not, so that a companion
 * (a correlation, the distribution) can be checked against its base in the same map.
 */
struct topo_imp {
	struct nslab_impair imp;
	int state;   /* TOPO_STATE_*, links and endpoints only (interfaces have their own) */
	bool is_lo;  /* the map is interfaces.lo: no impairment allowed */
	bool bad;    /* a value was rejected: the whole-set check would only repeat it */
	unsigned given;
	struct nslab_pos first_pos; /* first impairment key */
	struct nslab_pos pos[NSLAB_IMPP__COUNT]; /* of each value given */
};

/* One entry of a node's `interfaces:` map. */
struct topo_iface {
	char *name;
	struct nslab_pos pos;
	struct topo_addr *addrs;
	size_t naddrs;
	unsigned mtu; /* 0 = not set */
	bool has_mac;
	unsigned char mac[6];
	struct nslab_pos mac_pos;
	int state; /* -1 not set, 0 up, 1 down */
	struct topo_imp imp;
};

struct topo_route {
	struct nslab_route r;
	bool has_dst, dst_default, bad;
	struct nslab_pos dst_pos, via_pos, dev_pos;
};

/* Resource limits of one settings block; given says which (TOPO_LIM_*), each inherited alone. */
enum {
	TOPO_LIM_CPU = 1u << 0,
	TOPO_LIM_CPUSET = 1u << 1,
	TOPO_LIM_MEMORY = 1u << 2,
	TOPO_LIM_CPU_WEIGHT = 1u << 3,
	TOPO_LIM_PIDS = 1u << 4,
	TOPO_LIM_NET_CLS = 1u << 5,
};

struct topo_limits {
	unsigned given;
	struct nslab_limits l;
};

/* The keys shared by defaults, kinds, groups and nodes. */
struct topo_settings {
	int kind; /* enum nslab_kind, TOPO_KIND_UNSET or TOPO_KIND_BAD */
	char *kind_name; /* the name given when kind is TOPO_KIND_BAD (reported once per name, where used) */
	struct nslab_pos kind_pos;
	bool has_group;  /* group: given, maybe empty (netlab writes `group:`) */
	char *netmode;   /* network-mode: container:NODE's NODE (nslab honours no other mode) */
	struct nslab_pos netmode_pos;
	bool has_mgmt4, has_mgmt6; /* mgmt-ipv4, mgmt-ipv6 (nodes only) */
	struct topo_addr mgmt4, mgmt6;
	char *group;
	struct nslab_pos group_pos;
	char *image, *cmd, *entrypoint; /* containerlab's container keys: see core/profile.c */
	char *startup_config;		/* as written: a path or inline text (topologies/startup.c) */
	struct nslab_pos startup_config_pos;
	bool has_exec;
	char **exec;
	size_t nexec;
	struct nslab_bind *binds;
	size_t nbinds;
	struct nslab_kv *env;
	size_t nenv;
	struct nslab_kv *sysctls;
	size_t nsysctls;
	struct nslab_kv *labels;
	size_t nlabels;
	struct topo_route *routes;
	size_t nroutes;
	struct topo_iface *ifaces;
	size_t nifaces;
	struct topo_limits lim;
};

struct topo_named {
	char *name;
	struct nslab_pos pos;
	struct topo_settings s;
};

struct topo_ep {
	char *node, *ifname;
	struct nslab_pos pos, node_pos, if_pos;
	bool has_mac;
	unsigned char mac[6];
	struct topo_addr *addrs;
	size_t naddrs;
	struct topo_imp imp;
	bool bad;
};

/* containerlab's link types: veth (endpoints:), host and mgmt-net (endpoint: and host-interface:,
 * read as endpoints [endpoint, "host:IF"]), dummy (endpoint: alone) */
enum topo_link_type { TOPO_LINK_VETH, TOPO_LINK_HOST, TOPO_LINK_MGMT_NET, TOPO_LINK_DUMMY };

struct topo_link {
	struct topo_ep ep[2];
	size_t nep;
	unsigned mtu;
	struct topo_imp imp;
	bool has_endpoints, bad;
	enum topo_link_type type;
	bool has_endpoint; /* endpoint: (in ep[0]) */
	char *host_ifname; /* host-interface: */
	struct nslab_pos type_pos, host_if_pos;
	struct nslab_pos pos;
};

/* A node of the view by name, for lookups in n log n (links name their nodes). */
struct topo_byname {
	const char *name;
	size_t idx;
};

/* Where the impairments of each end of a model link came from, for the whole-set check. */
struct topo_lsrc {
	const struct topo_link *l;
	const struct topo_iface *ifc[2]; /* the interfaces entry of that end, or NULL */
};

struct topo_ld {
	struct nslab_diags *d;
	yaml_document_t *doc;
	const char *file;
	unsigned long budget;
	bool over_budget, too_many;
	size_t start_errors; /* d->nerrors before this load */
	char where[160]; /* "node r1", "defaults", ...: names the block in messages */
	unsigned level;	 /* enum topo_level of the settings block being read */

	struct nslab_pos root_pos;
	char *name;
	struct nslab_mgmt mgmt; /* `mgmt:` as given (on = the key is there); resolved by nslab_topo_mgmt_enable */
	bool mgmt_gw4, mgmt_gw6; /* ipv4-gw / ipv6-gw given */
	char *lab_folder; /* `lab-folder:`, resolved (topologies/paths.h) */
	bool has_name_key, has_topology_key, has_nodes_key;
	struct nslab_pos topology_pos;
	struct nslab_addressing addressing; /* `addressing:` and `routing:` (topologies/addressing.h) */
	struct topo_settings defaults;
	bool has_kind[NSLAB_KIND__COUNT];
	struct topo_settings kinds[NSLAB_KIND__COUNT];
	struct topo_named *vkinds; /* kinds: entries nslab cannot run (a warning unless a node uses them) */
	size_t nvkinds;
	struct topo_named *groups;
	size_t ngroups;
	struct topo_named *nodes;
	size_t nnodes;
	struct topo_link *links;
	size_t nlinks;
	struct topo_lsrc *lsrc; /* during resolution: one per model link */
	struct topo_byname *byname; /* during resolution: the nodes sorted by name */
	size_t nlsrc;
};

#define topo_err_at(ld, pos, ...) topo_diag_at((ld), NSLAB_DIAG_ERROR, (pos), __VA_ARGS__)
#define topo_err(ld, node, ...)                                          \
	do {                                                             \
		struct nslab_pos p_ = topo_pos((ld), (node));           \
		topo_diag_at((ld), NSLAB_DIAG_ERROR, &p_, __VA_ARGS__); \
	} while (0)
#define topo_warn(ld, node, ...)                                           \
	do {                                                               \
		struct nslab_pos p_ = topo_pos((ld), (node));             \
		topo_diag_at((ld), NSLAB_DIAG_WARNING, &p_, __VA_ARGS__); \
	} while (0)

typedef void topo_pair_fn(struct topo_ld *ld, void *obj, yaml_node_t *key, const char *kname, yaml_node_t *val);

/* Call fn for every item of list n (a null value counts as an empty list). */
typedef void topo_item_fn(struct topo_ld *ld, void *obj, yaml_node_t *item);

typedef void topo_set_fn(struct topo_ld *ld, void *obj, yaml_node_t *key, yaml_node_t *val);

struct topo_keyword {
	const char *name; /* NULL: any impairment parameter (topologies/impair.h) */
	topo_set_fn *set;
	unsigned levels; /* settings blocks only: enum topo_level mask; 0 elsewhere */
	size_t off;	 /* set gets the table's object plus off (a member shared by several tables) */
};

struct topo_table {
	const struct topo_keyword *kw;
	size_t n;
	void *obj;
};

/* The impairment keys in the key table of type, whose member imp receives them: a row without a
 * name matches every parameter of the table. */
#define TOPO_IMP_KEYS(type) { NULL, topo_imp_set, 0, offsetof(type, imp) }

/*
 * VEC_PUSH for the vectors a big file grows one item at a time (nodes, links): room doubles at
 * each power of two, where growing by one item made every push move the whole array (100,000
 * links). Only for a vector that nothing but this grows.
 */
#define TOPO_PUSH(ptr, count)                                                                        \
	((((count) & ((count) - 1)) == 0 ? (void)((ptr) = xrealloc((ptr), ((count) ? 2 * (count) : 1) * \
									       sizeof(*(ptr))))             \
					  : (void)0),                                                \
	 memset(&(ptr)[(count)], 0, sizeof(*(ptr))), &(ptr)[(count)++])

#define TOPO_WHERE_RESTORE(ld, saved) memcpy((ld)->where, (saved), sizeof((ld)->where))

/* ---- view.c: diagnostics and freeing ---- */

void topo_diag_at(struct topo_ld *ld, enum nslab_severity sev, const struct nslab_pos *pos, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
void topo_settings_init(struct topo_settings *s);
void topo_ld_free(struct topo_ld *ld);

/* ---- yaml.c: the YAML reader ---- */

struct nslab_pos topo_pos(const struct topo_ld *ld, const yaml_node_t *n);
yaml_node_t *topo_node(struct topo_ld *ld, int idx);
bool topo_is_null(const yaml_node_t *n);
const char *topo_type_name(const yaml_node_t *n);
const char *topo_str(struct topo_ld *ld, const yaml_node_t *n, const char *what);
bool topo_uint(struct topo_ld *ld, const yaml_node_t *n, const char *what, unsigned long min,
	       unsigned long max, unsigned *out);
void topo_map_each(struct topo_ld *ld, yaml_node_t *n, const char *what, const char *dupwhat,
		   topo_pair_fn *fn, void *obj);
void topo_list_each(struct topo_ld *ld, yaml_node_t *n, const char *what, topo_item_fn *fn, void *obj);
void topo_parse_map(struct topo_ld *ld, yaml_node_t *n, const struct topo_keyword *kw, size_t nkw, void *obj);
void topo_where_push(struct topo_ld *ld, char *saved, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* enum nslab_kind of a kind name (ovs-bridge is a bridge), or -1 */
int topo_kind_lookup(const char *s);
/* the warning a kind name that topo_kind_lookup() maps gets (ovs-bridge), if any */
void topo_kind_note(struct topo_ld *ld, const yaml_node_t *n, const char *s);
/* what a containerlab vendor kind runs ("Arista cEOS"), or NULL for a name containerlab lacks */
const char *topo_vendor_kind(const char *s);
void topo_addrs(struct topo_ld *ld, yaml_node_t *val, int family, struct topo_addr **v, size_t *n);
bool topo_mac(struct topo_ld *ld, const yaml_node_t *val, unsigned char mac[6]);
bool topo_mtu(struct topo_ld *ld, const yaml_node_t *val, unsigned *mtu);
void topo_ignore(struct topo_ld *ld, void *obj, yaml_node_t *key, yaml_node_t *val);
bool topo_read_yaml(struct topo_ld *ld, const char *buf, size_t len);

/* ---- yaml_link.c: links and impairments ---- */

void topo_imp_set(struct topo_ld *ld, void *obj, yaml_node_t *key, yaml_node_t *val);
void topo_imp_finish(struct topo_ld *ld, struct topo_imp *ti);
void topo_ep_free(struct topo_ep *ep);
void topo_set_links(struct topo_ld *ld, void *obj, yaml_node_t *key, yaml_node_t *val);

/* ---- yaml_node.c: node settings ---- */

void topo_parse_settings(struct topo_ld *ld, yaml_node_t *n, struct topo_settings *s);

/* ---- yaml_top.c: the top level ---- */

/* The top-level map of the document into ld (name, prefix, mgmt, topology). */
void topo_parse_top(struct topo_ld *ld, yaml_node_t *root);

/* ---- yaml_limits.c: resource limits ---- */

void topo_set_cpu(struct topo_ld *ld, void *obj, yaml_node_t *key, yaml_node_t *val);
void topo_set_cpuset(struct topo_ld *ld, void *obj, yaml_node_t *key, yaml_node_t *val);
void topo_set_memory(struct topo_ld *ld, void *obj, yaml_node_t *key, yaml_node_t *val);
void topo_set_cpu_weight(struct topo_ld *ld, void *obj, yaml_node_t *key, yaml_node_t *val);
void topo_set_pids(struct topo_ld *ld, void *obj, yaml_node_t *key, yaml_node_t *val);
void topo_set_net_cls(struct topo_ld *ld, void *obj, yaml_node_t *key, yaml_node_t *val);

/* ---- startup.c: startup-config ---- */

void topo_set_startup_config(struct topo_ld *ld, void *obj, yaml_node_t *key, yaml_node_t *val);
/* The node's startup-config from its nearest level (lv[0] nearest), read into n. */
void topo_startup_config_resolve(struct topo_ld *ld, struct nslab_node *n, const struct topo_settings *const *lv,
				 size_t nlv);

/* ---- yaml_addressing.c: addressing and routing ---- */

void topo_set_addressing(struct topo_ld *ld, void *obj, yaml_node_t *key, yaml_node_t *val);
void topo_set_routing(struct topo_ld *ld, void *obj, yaml_node_t *key, yaml_node_t *val);
/* After resolution, on a model without errors: addresses, then routers' configurations. */
void topo_addressing_finish(struct topo_ld *ld, struct nslab_topo *t);

/* ---- resolve.c: the view into the model ---- */

void topo_resolve(struct topo_ld *ld, struct nslab_topo *t);

/* topologies/nsbridge.c: containerlab's namespaced bridges, `BR|NODE`. */
/* NODE when name is BR|NODE with BR and NODE valid node names; else NULL. */
const char *topo_nsbridge_parent(const char *name);
/* Each bridge node sharing NODE's namespace (shares_netns) becomes the bridge device BR inside NODE,
 * its links' ends NODE's interfaces enslaved to it; the node leaves t->nodes. Clashes go to diags. */
void topo_nsbridges_fold(struct topo_ld *ld, struct nslab_topo *t);

#endif
