/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * topologies/model.h: the validated lab model, the one thing topologies/
 * hands to core/. Pure data: no kernel, no I/O. Everything here has already
 * been checked (names, lengths, addresses, references), inheritance has been
 * resolved (node -> group -> kind -> defaults) and every interface has its
 * final name, MTU and ifindex.
 */
#ifndef NSLAB_TOPOLOGIES_MODEL_H
#define NSLAB_TOPOLOGIES_MODEL_H

#include <stdbool.h>
#include <stddef.h>

#define NSLAB_IFNAMSIZ 16	   /* kernel IFNAMSIZ: 15 bytes + NUL */
#define NSLAB_BRIDGE_MAX_PORTS 1023 /* the kernel's BR_MAX_PORTS (1 << 10) less port 0 */
#define NSLAB_NAME_MAX 48	   /* lab and node names */
#define NSLAB_DEFAULT_MTU 9500	   /* containerlab's default veth MTU */
#define NSLAB_IFINDEX_LO 1
#define NSLAB_IFINDEX_FIRST 2	   /* first ifindex handed to a node's own interfaces */

/* A place in a topology file, 1-based. file points into nslab_topo.file. */
struct nslab_pos {
	const char *file;
	unsigned line, col;
};

/* An IPv4/IPv6 address with prefix length; host bits are kept (10.0.0.1/24). */
struct nslab_prefix {
	int family;		/* AF_INET or AF_INET6 */
	unsigned char addr[16]; /* network byte order; 4 bytes used for AF_INET */
	unsigned char plen;
};

struct nslab_kv {
	char *key, *value;
	struct nslab_pos pos;
};

struct nslab_bind {
	char *src, *dst; /* absolute host path, absolute node path */
	bool ro;
	struct nslab_pos pos;
};

struct nslab_route {
	struct nslab_prefix dst; /* plen 0 and zero address = default */
	bool has_via;
	struct nslab_prefix via; /* plen = full length; same family as dst */
	char *dev;		 /* interface name on the node, or NULL */
	unsigned metric;	 /* 0 = kernel default */
	struct nslab_pos pos;
};

/*
 * Egress impairments of one interface (netem acts on egress: a link's settings go on both ends).
 * `mask` says which fields were given (NSLAB_IMP_*), so that a runtime change of one parameter
 * keeps the others. Units are converted once, here: microseconds, percent (0..100), bits/s.
 */
enum nslab_imp_field {
	NSLAB_IMP_DELAY = 1u << 0,
	NSLAB_IMP_JITTER = 1u << 1,
	NSLAB_IMP_LOSS = 1u << 2,
	NSLAB_IMP_DUPLICATE = 1u << 3,
	NSLAB_IMP_REORDER = 1u << 4,
	NSLAB_IMP_CORRUPT = 1u << 5,
	NSLAB_IMP_RATE = 1u << 6,
	NSLAB_IMP_LIMIT = 1u << 7,
};
#define NSLAB_IMP_NETEM_ONLY \
	(NSLAB_IMP_DELAY | NSLAB_IMP_JITTER | NSLAB_IMP_LOSS | NSLAB_IMP_DUPLICATE | NSLAB_IMP_REORDER | \
	 NSLAB_IMP_CORRUPT)

enum nslab_jitter_dist {
	NSLAB_DIST_NONE, /* uniform, the kernel's default */
	NSLAB_DIST_NORMAL,
	NSLAB_DIST_PARETO,
	NSLAB_DIST_PARETONORMAL,
};

struct nslab_impair {
	unsigned mask;			/* NSLAB_IMP_* given */
	unsigned long long delay_us;
	unsigned long long jitter_us;
	enum nslab_jitter_dist jitter_dist;
	double loss_pct, loss_corr_pct;
	double duplicate_pct;
	double reorder_pct, reorder_corr_pct; /* needs a delay */
	double corrupt_pct;
	unsigned long long rate_bps;
	unsigned limit_pkts;		/* queue length in packets */
};

/* Per-node resource limits (cgroups). 0 / NULL / false = not limited. */
struct nslab_limits {
	double cpu;			/* cores: 0.5 = half of one core (quota/period) */
	char *cpuset;			/* "0-1", "0,2" */
	unsigned long long memory_bytes;
	unsigned cpu_weight;		/* 1..10000 (cgroup v2 scale; v1 shares are derived) */
	unsigned long pids;		/* max processes */
	bool net_cls_auto;		/* a unique classid per node, chosen at deploy */
	unsigned net_cls;		/* classid 0xMMMMmmmm when set explicitly */
};

struct nslab_iface {
	char *name;		 /* final name, <= 15 bytes */
	int ifindex;		 /* fixed by the validator, unique per node */
	unsigned mtu;		 /* final MTU (0 only for lo) */
	bool has_mac;
	unsigned char mac[6];
	struct nslab_prefix *addrs;
	size_t naddrs;
	long link;		 /* index in nslab_topo.links, -1 for lo */
	int end;		 /* which end of that link: 0 or 1 */
	bool down;		 /* declared administratively down */
	int master;		 /* ifindex of the bridge device (in the same node) this end is a port of, 0 = none */
	struct nslab_impair impair; /* egress impairments of this end (link settings + endpoint's own) */
	struct nslab_pos pos;
};

/*
 * A link with one end in the host's network namespace (containerlab's `host:IFNAME` and
 * `mgmt-net:IFNAME` endpoints): a veth whose node end is ifname and whose host end is host_ifname,
 * attached to the lab's management bridge when mgmt. Made by core/mgmt.c, after the node's links.
 */
struct nslab_hostlink {
	char *ifname, *host_ifname; /* host_ifname NULL: a dummy interface in the node (type: dummy) */
	bool mgmt;
	unsigned mtu;
	struct nslab_prefix *addrs; /* on the node's end */
	size_t naddrs;
	struct nslab_pos pos;
};

/* The lab's management network (a file's `mgmt:`, or deploy --mgmt): a bridge in the host's
 * namespace holding the gateways, and eth0 in every linux/router node (core/mgmt.c). */
struct nslab_mgmt {
	bool on;
	bool has4, has6;
	bool default6; /* net6 is containerlab's default: the file gave no subnet and no ipv6-gw */
	struct nslab_prefix net4, net6; /* the subnets, host bits clear */
	struct nslab_prefix gw4, gw6;	/* the host's addresses on the bridge, plen of the subnet */
	unsigned mtu;			/* 0 = 1500 */
	struct nslab_pos pos;
};

#define NSLAB_MGMT_IFNAME "eth0"
#define NSLAB_MGMT_DEFAULT4 "172.20.20.0/24" /* containerlab's defaults */
#define NSLAB_MGMT_DEFAULT6 "3fff:172:20:20::/64"

/*
 * A bridge device in a node's network namespace: a bridge node's own (named like the node), or
 * containerlab's namespaced bridge: a node `BR|NODE` of kind bridge with network-mode
 * container:NODE is no node of its own but the bridge BR inside NODE, its links' ends NODE's
 * interfaces enslaved to BR (topologies/resolve.c folds it in).
 */
struct nslab_brdev {
	char *name;  /* the device's name, <= 15 bytes */
	int ifindex;
	char *from;  /* the namespaced bridge's node name as written ("br01|bp1"); NULL for a bridge node's own */
	struct nslab_pos pos;
};

enum nslab_kind {
	NSLAB_KIND_LINUX,  /* a host */
	NSLAB_KIND_ROUTER, /* a host with IPv4/IPv6 forwarding on */
	NSLAB_KIND_BRIDGE, /* an L2 switch: a Linux bridge in its own namespace */
	NSLAB_KIND_FRR,	   /* a router running the host's FRR with the node's own configuration */
	NSLAB_KIND_BIRD,   /* a router running the host's bird2 with the node's own configuration */
	NSLAB_KIND__COUNT
};

struct nslab_node {
	char *name;
	enum nslab_kind kind;
	char *group;		  /* NULL when the node names none */
	/* containerlab's container keys, inherited like the others; NULL when not given. nslab runs
	 * no image: the image picks a profile of what to start in the node (core/profile.c), and
	 * cmd/entrypoint run when the program they name exists on the host. */
	char *image, *cmd, *entrypoint;
	char **exec;		  /* run with /bin/sh -c inside the node, in order */
	size_t nexec;
	struct nslab_bind *binds;
	size_t nbinds;
	struct nslab_kv *env;	  /* merged, nearer level wins */
	size_t nenv;
	struct nslab_kv *sysctls; /* merged; keys like net.ipv4.ip_forward */
	size_t nsysctls;
	struct nslab_kv *labels;
	size_t nlabels;
	struct nslab_route *routes;
	size_t nroutes;
	/*
	 * Every interface the node will have besides lo, in ifindex order, plus
	 * lo itself (ifindex 1, link -1) only when it carries addresses.
	 */
	struct nslab_iface *ifaces;
	size_t nifaces;
	int br_ifindex;		  /* bridge kind: ifindex of the bridge device (named like the node); else 0 */
	/* every bridge device in the node: a bridge node's own (bridges[0], br_ifindex) or the namespaced
	 * bridges folded into a node (nslab_topo_finish() fills a bridge node's) */
	struct nslab_brdev *bridges;
	size_t nbridges;
	struct nslab_limits limits;
	/*
	 * Node filesystem work (Kathará lab folders; NULL/empty for YAML files): root_copy is a host
	 * directory whose contents are copied onto the node's own root before its exec runs (lab.conf's
	 * DIR/DEVICE/); shutdown commands run with /bin/sh -c in the node at destroy, in order, before
	 * it is stopped (DEVICE.shutdown, shared.shutdown).
	 */
	char *root_copy;
	char **shutdown;
	size_t nshutdown;
	/* network-mode container:NODE: the index of the node whose network namespace this node shares
	 * when shares_netns (that node is deployed first; this one has no interfaces of its own) */
	bool shares_netns;
	size_t netns_of;
	/* management addresses (eth0): given by mgmt-ipv4/mgmt-ipv6 (*_static) or assigned when the lab
	 * has a management network; family 0 = none */
	struct nslab_prefix mgmt4, mgmt6;
	bool mgmt4_static, mgmt6_static;
	struct nslab_pos mgmt4_pos, mgmt6_pos;
	struct nslab_hostlink *hostlinks;
	size_t nhostlinks;
	/*
	 * containerlab's startup-config, read (topologies/startup.c): the configuration text of a kind
	 * frr node (its /etc/frr/frr.conf) or kind bird node (its bird.conf); NULL when not given.
	 * startup_config_from: the file it was read from, NULL when it was inline text.
	 */
	char *startup_config, *startup_config_from;
	struct nslab_pos pos;
};

struct nslab_endpoint {
	size_t node;  /* index in nslab_topo.nodes */
	size_t iface; /* index in that node's ifaces */
};

struct nslab_link {
	struct nslab_endpoint ep[2];
	unsigned mtu; /* as declared on the link, 0 if not */
	struct nslab_pos pos;
};

struct nslab_topo {
	char *name;  /* lab name from the file (may be overridden by the caller) */
	char *file;  /* path as given; nslab_pos.file points here */
	char *lab_folder; /* `lab-folder:`, absolute; NULL = layers in the run directory */
	struct nslab_node *nodes;
	size_t nnodes;
	struct nslab_link *links;
	size_t nlinks;
	bool exec_in_order; /* run the nodes' exec lists one node at a time, in node order (lab.dep) */
	struct nslab_mgmt mgmt;
	bool no_ipv6; /* the host has IPv6 disabled: nothing IPv6 is made (nslab_topo_ipv6_off) */
	bool ipv6_default_off; /* the host gives every new interface IPv6 off (ipv6.disable_ipv6=1): nodes turn it on */
};

/* ---- diagnostics: every problem found in one pass ---- */

enum nslab_severity { NSLAB_DIAG_ERROR, NSLAB_DIAG_WARNING };

struct nslab_diag {
	enum nslab_severity sev;
	char *file;
	unsigned line, col; /* 0 when not known */
	char *msg;
};

struct nslab_diags {
	struct nslab_diag *v;
	size_t n;
	size_t nerrors;
};

void nslab_diag_add(struct nslab_diags *d, enum nslab_severity sev, const struct nslab_pos *pos,
		    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* "file:line:col: error: message" (malloc'd). */
char *nslab_diag_format(const struct nslab_diag *diag);
/* The diagnostics from index start on in reading order, stably: grouped by file (in the order
 * the files first appear), then by line and column. */
void nslab_diags_sort(struct nslab_diags *d, size_t start);
void nslab_diags_free(struct nslab_diags *d);

/* ---- loading ---- */

/*
 * Parse and validate a topology. Returns 0 and sets *out when the file has no
 * errors (warnings may still be in diags); returns -EINVAL with every error in
 * diags otherwise, or another -errno when the file cannot be read (also in
 * diags, naming the file). Never touches the kernel.
 */
int nslab_topo_load_file(const char *path, struct nslab_topo **out, struct nslab_diags *diags);
int nslab_topo_load_buf(const char *name, const char *buf, size_t len, struct nslab_topo **out,
			struct nslab_diags *diags);
void nslab_topo_free(struct nslab_topo *t);
/* Frees what node n holds (not n itself). */
void nslab_node_free(struct nslab_node *n);
/* The bridge device of node n whose ifindex is ifindex, or NULL. */
const struct nslab_brdev *nslab_node_bridge(const struct nslab_node *n, int ifindex);

/*
 * The last pass of both loaders: a bridge node's own device into its bridges and its ports'
 * master, then nslab_topo_distinct_link_ifindexes().
 */
void nslab_topo_finish(struct nslab_topo *t);
/* The highest ifindex a node's interfaces and bridge devices hold (NSLAB_IFINDEX_LO when none). */
int nslab_node_top_ifindex(const struct nslab_node *n);

/*
 * Makes the two ends of every link differ in ifindex (the second end moves to one past its node's
 * highest). The kernel handles a veth end's carrier change at once only when its ifindex differs
 * from its peer's (linkwatch_urgent_event(): an end whose iflink is its own ifindex looks like a
 * device on no lower device); other events are batched, 100 devices a second, and a 1000-node
 * chain then waited 10-20 s for its links to be up. nslab_topo_finish() calls it.
 */
void nslab_topo_distinct_link_ifindexes(struct nslab_topo *t);

/*
 * Give the lab a management network (a file's `mgmt:` does it at load; deploy --mgmt on a file
 * without): containerlab's default subnets where t->mgmt has none, each linux/router node's
 * address (its mgmt-ipv4/mgmt-ipv6, else the next free one after the gateway). Errors (an address
 * outside its subnet or taken twice, a full subnet, eth0 used by a link) go to d; -EINVAL then.
 */
int nslab_topo_mgmt_enable(struct nslab_topo *t, struct nslab_diags *d);

/*
 * Fit the lab to a host whose IPv6 is disabled (booted with ipv6.disable=1; core's
 * nslab_host_ipv6() says so): sets t->no_ipv6; drops the default IPv6 management subnet (one
 * warning) and sysctls that turn IPv6 off (net.ipv6.conf.*.disable_ipv6 = 1: already so); one
 * error per object that asks for IPv6 (an IPv6 address or route, mgmt ipv6-subnet / ipv6-gw,
 * mgmt-ipv6, any other net.ipv6 sysctl). 0, or -EINVAL with the errors in d.
 */
int nslab_topo_ipv6_off(struct nslab_topo *t, struct nslab_diags *d);

/* ---- names and values ---- */

const char *nslab_kind_name(enum nslab_kind k);
/* Lab and node names: 1..NSLAB_NAME_MAX bytes of [A-Za-z0-9_-], not starting with '-'. */
bool nslab_name_valid(const char *s);
/* Interface names: 1..15 bytes, no '/', ':', '%' or white space (the kernel's, 0xa0 included), not "." or "..". */
bool nslab_ifname_valid(const char *s);

/* "10.0.0.1/24", "2001:db8::1/64"; a missing /len means a host address. 0 or -EINVAL. */
int nslab_prefix_parse(const char *s, struct nslab_prefix *p);
/* An address without prefix length ("10.0.0.2"); plen is set to the full length. */
int nslab_addr_parse(const char *s, struct nslab_prefix *p);
/* Writes "10.0.0.1/24" (with_len) or "10.0.0.1"; buf of at least 64 bytes. */
char *nslab_prefix_fmt(const struct nslab_prefix *p, bool with_len, char *buf, size_t size);
/* "aa:bb:cc:dd:ee:ff"; rejects multicast. 0 or -EINVAL. */
int nslab_mac_parse(const char *s, unsigned char mac[6]);

/* ---- units as people write them; each returns 0 or -EINVAL (-ERANGE when out of range) ---- */
/* "20ms", "1.5s", "300us", "0" -> microseconds (a bare number is ms, like tc) */
int nslab_parse_duration_us(const char *s, unsigned long long *us);
/* "1.5%", "0.1%" -> percent 0..100 (a bare number is percent) */
int nslab_parse_percent(const char *s, double *pct);
/* "10mbit", "1gbit", "500kbit", "100bit", "2mbps" (bytes/s, like tc), bare number = bit/s -> bit/s */
int nslab_parse_rate_bps(const char *s, unsigned long long *bps);
/* "256Mb", "1g", "512m", "1024k", "1GiB", bare = bytes -> bytes (containerlab/docker style) */
int nslab_parse_size_bytes(const char *s, unsigned long long *bytes);
/* "0x00100001", "10:1" (major:minor in hex, like tc) -> classid */
int nslab_parse_classid(const char *s, unsigned *classid);
/* The impairment parameters (their table, parser, merge and check) are in topologies/impair.h. */

#endif
