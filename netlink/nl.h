/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * netlink/nl.h: every kernel network object nslab touches, through rtnetlink
 * (libmnl). Knows nothing about topology files or labs: callers pass
 * ifindexes, names, namespace fds and a short "what" text that names the
 * object in error messages.
 *
 * Requests are built into a batch (struct nslab_nlb, a plain buffer: unit
 * tests compare it byte for byte) and sent with nslab_nl_send(), which writes
 * as few sendmsg() calls as the socket buffer allows and reads every ACK.
 * The first failing request is reported as "WHAT: strerror (kernel: extack)".
 */
#ifndef NSLAB_NETLINK_NL_H
#define NSLAB_NETLINK_NL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../util/err.h"

/* ---- batches of requests ---- */

struct nslab_nlb;

struct nslab_nlb *nslab_nlb_new(void);
void nslab_nlb_free(struct nslab_nlb *b);
/* Number of requests and raw bytes (for tests and for sending). */
size_t nslab_nlb_count(const struct nslab_nlb *b);
const void *nslab_nlb_data(const struct nslab_nlb *b, size_t *len);
/* The `what` text of request i (0-based; its nlmsg_seq is i + 1), NULL if out of range. */
const char *nslab_nlb_what(const struct nslab_nlb *b, size_t i);
/* Drop every request; sequence numbers restart at 1. */
void nslab_nlb_reset(struct nslab_nlb *b);

struct nslab_pack;
struct nslab_unpack;
/* Append the batch (its requests and their `what` texts) to a flat record for another process;
 * b may be NULL (read back as NULL). */
void nslab_nlb_pack(struct nslab_pack *p, const struct nslab_nlb *b);
/* Read one back: *out is NULL for a packed NULL; -EINVAL (u->bad set) on malformed bytes. */
int nslab_nlb_unpack(struct nslab_unpack *u, struct nslab_nlb **out);

/*
 * Queues of each veth end nslab creates. The kernel's default is one per possible CPU, and veth
 * then trims the real count to 1 after registration: every end registers and removes sysfs queue
 * objects for nothing, under RTNL (a fifth of a 1000-pair batch on 2 CPUs, more with more CPUs).
 */
#define NSLAB_VETH_QUEUES 1

/* One end of a new link. Unset fields: ifindex 0 (kernel picks), netns_fd -1
 * (the namespace of the socket the batch is sent on), mtu 0, mac NULL, queues 0,
 * master_ifindex 0. */
struct nslab_nl_linkend {
	const char *ifname;
	int ifindex;
	int netns_fd;
	unsigned mtu;
	const unsigned char *mac; /* 6 bytes */
	unsigned queues;	  /* tx and rx queues (IFLA_NUM_TX/RX_QUEUES); 0 = the kernel default */
	bool up;		  /* honoured for the main end only (kernel limit) */
	int master_ifindex;	  /* main end only: enslave at creation */
};

/*
 * RTM_NEWLINK veth with NLM_F_CREATE|NLM_F_EXCL: both ends are born in their
 * namespaces under their final names in one request. The peer's up and
 * master are not applied by the kernel in the same request: send a
 * nslab_nlb_link_set() in the peer's namespace for that.
 */
void nslab_nlb_veth_add(struct nslab_nlb *b, const struct nslab_nl_linkend *main_end,
			const struct nslab_nl_linkend *peer, const char *what);
/* RTM_NEWLINK bridge (NLM_F_EXCL), STP state as given. */
void nslab_nlb_bridge_add(struct nslab_nlb *b, const char *ifname, int ifindex, unsigned mtu, bool stp,
			  bool up, const char *what);
/* RTM_NEWLINK on an existing ifindex: up (1) / down (0) / keep (-1); mtu 0 = keep;
 * master -1 = keep, 0 = release, >0 = enslave. */
void nslab_nlb_link_set(struct nslab_nlb *b, int ifindex, int up, unsigned mtu, int master,
			const char *what);
/* RTM_NEWADDR (NLM_F_CREATE|NLM_F_EXCL); IPv6 addresses get IFA_F_NODAD so they work at once. */
void nslab_nlb_addr_add(struct nslab_nlb *b, int ifindex, int family, const void *addr, unsigned plen,
			const char *what);
/* RTM_NEWROUTE in the main table (NLM_F_CREATE|NLM_F_EXCL); gw NULL for on-link,
 * oif 0 to let the kernel find it from gw; metric 0 = default. */
void nslab_nlb_route_add(struct nslab_nlb *b, int family, const void *dst, unsigned plen, const void *gw,
			 int oif, unsigned metric, const char *what);

/* ---- interfaces in the host's namespace (netlink/hostif.c) ---- */

struct nslab_nl;

/* RTM_NEWLINK on the device named ifname: its alias (IFLA_IFALIAS), nslab's owner mark. */
void nslab_nlb_link_alias(struct nslab_nlb *b, const char *ifname, const char *alias, const char *what);
/* RTM_NEWLINK dummy (NLM_F_EXCL) in the socket's namespace; mtu 0 = the kernel's. A kernel without
 * CONFIG_DUMMY answers EOPNOTSUPP. */
void nslab_nlb_dummy_add(struct nslab_nlb *b, const char *ifname, unsigned mtu, const char *what);
/* RTM_DELLINK of ifindex (a veth goes with its peer). */
void nslab_nlb_link_del(struct nslab_nlb *b, int ifindex, const char *what);

struct nslab_nl_link_alias {
	int ifindex;
	char ifname[16];
	char alias[128]; /* "" when none */
};
/* Every device of the socket's namespace with its alias (malloc'd array). */
int nslab_nl_dump_aliases(struct nslab_nl *nl, struct nslab_nl_link_alias **out, size_t *n, struct nslab_err *err);

/* ---- sockets ---- */

struct nslab_nl;

/* Open an rtnetlink socket inside the network namespace netns_fd (-1: the
 * caller's). The calling thread's namespace is restored before returning.
 * The socket keeps working in that namespace for its whole life. */
int nslab_nl_open(struct nslab_nl **out, int netns_fd, struct nslab_err *err);
/*
 * Ask for the link state of interface ifname in nl's namespace (ETHTOOL_GLINK, through nl's own
 * socket: an ioctl the socket's family does not know goes to its namespace's devices). veth (and
 * any driver using ethtool_op_get_link) first runs the kernel's link watch for that device
 * (linkwatch_sync_dev, where the kernel has it), so a carrier change queued behind others takes
 * effect now: its operstate and its qdisc's activation. The link watch otherwise takes at most
 * 100 devices a run once more are pending, then waits up to a second. 1: carrier, 0: none,
 * -errno when the kernel cannot say.
 */
int nslab_nl_link_sync(struct nslab_nl *nl, const char *ifname);
/*
 * Open an rtnetlink socket in a new, empty network namespace of its own (only lo, ifindex 1).
 * For creating links whose ends all live in other namespaces (IFLA_NET_NS_FD) with chosen
 * ifindexes: kernels before 6.14 look the requested ifindex up in the sender's namespace and
 * answer EEXIST when a device there holds it (the host's eth0 is often ifindex 2); here only 1 is
 * taken.
 */
int nslab_nl_open_isolated(struct nslab_nl **out, struct nslab_err *err);
void nslab_nl_close(struct nslab_nl *nl);

/* Send every request of b and read every ACK. Returns 0, or -errno of the
 * first failed request with err naming it. b is left unchanged. */
int nslab_nl_send(struct nslab_nl *nl, const struct nslab_nlb *b, struct nslab_err *err);

/* ---- reading state (inspect, console) ---- */

struct nslab_nl_link_info {
	int ifindex;
	char ifname[16];
	char kind[16];		/* "veth", "bridge", "" for lo */
	unsigned mtu;
	unsigned flags;		/* IFF_* */
	bool carrier;
	unsigned char operstate; /* IF_OPER_* (RFC 2863), as `ip link` shows "state" */
	unsigned char mac[6];
	int master;		/* ifindex of the master, 0 if none */
	int peer_ifindex;	/* IFLA_LINK (veth peer's ifindex in its namespace), 0 if none */
	int peer_netnsid;	/* IFLA_LINK_NETNSID, -1 if none */
	uint64_t rx_bytes, tx_bytes, rx_packets, tx_packets, rx_dropped, tx_dropped;
	uint64_t rx_errors, tx_errors;
};

struct nslab_nl_addr_info {
	int ifindex;
	int family;
	unsigned char addr[16];
	unsigned plen;
};

struct nslab_nl_route_info {
	int family;
	unsigned char dst[16];
	unsigned plen;
	bool has_gw;
	unsigned char gw[16];
	int oif;
	unsigned metric;
	unsigned char protocol;
	unsigned char scope;
};

/* Dumps of the socket's namespace; arrays are malloc'd, caller frees. */
int nslab_nl_dump_links(struct nslab_nl *nl, struct nslab_nl_link_info **out, size_t *n,
			struct nslab_err *err);
int nslab_nl_dump_addrs(struct nslab_nl *nl, struct nslab_nl_addr_info **out, size_t *n,
			struct nslab_err *err);
/* Main table, unicast routes only. */
int nslab_nl_dump_routes(struct nslab_nl *nl, struct nslab_nl_route_info **out, size_t *n,
			 struct nslab_err *err);

/* ---- traffic control: one root qdisc per interface (netlink/qdisc.c) ---- */

/* Jitter distributions of netem: the tables iproute2 ships (normal, pareto, paretonormal), computed in code. */
enum {
	NSLAB_NL_DIST_NONE = 0, /* uniform: the kernel's own, no table */
	NSLAB_NL_DIST_NORMAL = 1,
	NSLAB_NL_DIST_PARETO = 2,
	NSLAB_NL_DIST_PARETONORMAL = 3,
};

/* netem in kernel-agnostic units; 0 = off. Percentages are 0..100 (clamped). */
struct nslab_nl_netem {
	uint64_t delay_us, jitter_us;
	int dist;		/* NSLAB_NL_DIST_*: sent only with a jitter */
	double loss_pct, loss_corr_pct, duplicate_pct, reorder_pct, reorder_corr_pct, corrupt_pct;
	uint64_t rate_bps;	/* netem's own rate limit (bits/s), 0 = none */
	uint32_t limit_pkts;	/* queue length, 0 = kernel default (1000) */
};

/* The error text for a kernel without sch_netem (see nslab_nl_qdisc_explain()). */
#define NSLAB_NL_NO_NETEM_MSG                                                                            \
	"kernel has no sch_netem: delay, jitter, loss, duplicate, reorder and corrupt need it "         \
	"(CONFIG_NET_SCH_NETEM); rate and limit work without it"

/* The one percent -> kernel probability scaling of netem (100 % = UINT32_MAX, rounded like iproute2),
 * and its inverse for dumps. */
uint32_t nslab_nl_netem_prob(double pct);
double nslab_nl_netem_pct(uint32_t prob);
/* The int16 delay table of a distribution (NETEM_DIST_SCALE units, as iproute2's .dist files), computed
 * once and cached; NULL and *n = 0 for NSLAB_NL_DIST_NONE or an unknown value. Thread-safe. */
const int16_t *nslab_nl_netem_dist_table(int dist, size_t *n);

/*
 * RTM_NEWQDISC netem as the root qdisc of ifindex, NLM_F_CREATE|NLM_F_REPLACE with handle 0 (the kernel
 * picks it, 8001: ...): a netem root already there is changed in place (no packets lost), any other root
 * (tbf, the default) is replaced. Every option is sent, zeros included, so a change resets what ne
 * leaves off; except the jitter distribution table, which the kernel cannot drop: to go from a
 * distribution back to uniform, delete the root first. A reorder needs a delay (as in iproute2, gap 1).
 * On a kernel without sch_netem the request fails with ENOENT: see nslab_nl_qdisc_explain().
 */
void nslab_nlb_qdisc_netem(struct nslab_nlb *b, int ifindex, const struct nslab_nl_netem *ne, const char *what);
/*
 * The sizes of a tbf: burst max(4 ms of traffic at the rate, 2 frames) (frames count as mtu + 14
 * bytes; mtu 0 = 1500); queue limit (bytes) limit_pkts frames, or with limit_pkts 0 what
 * `tc ... latency 50ms` gives (50 ms at the rate + the burst) but at least 2 frames + the burst.
 * gso_max_size: the burst, at most the kernel's default 65536. Pure.
 */
struct nslab_nl_tbf_size {
	uint64_t burst;		/* bytes */
	uint64_t limit;		/* bytes */
	uint32_t gso_max_size;	/* bytes */
};
void nslab_nl_tbf_size(uint64_t rate_bps, uint32_t limit_pkts, unsigned mtu, struct nslab_nl_tbf_size *sz);
/*
 * RTM_NEWQDISC tbf as the root qdisc (same flags and handle as netem), rate_bps > 0, sized by
 * nslab_nl_tbf_size(); then RTM_NEWLINK capping the interface's IFLA_GSO_MAX_SIZE at the burst.
 * Without the cap TCP hands tbf GSO packets larger than the burst, which tbf cuts into frames and
 * enqueues one by one: when the queue fills, the tail frames are dropped while TCP is told the
 * whole packet went out, and retransmissions eat 15-30 % of a slow link (2 Mbit/s). With packets
 * no larger than the burst a full queue refuses a whole packet and TCP sees it at once.
 */
void nslab_nlb_qdisc_tbf(struct nslab_nlb *b, int ifindex, uint64_t rate_bps, uint32_t limit_pkts, unsigned mtu,
			 const char *what);
/*
 * RTM_DELQDISC of the root qdisc: the interface goes back to its default (noqueue on veth), after
 * an RTM_NEWLINK giving back the default GSO size (65536) that a tbf capped. When only
 * the default is there the kernel answers ENOENT ("Cannot delete qdisc with handle of zero"); callers
 * that want "no impairment" treat -ENOENT as done.
 */
void nslab_nlb_qdisc_del_root(struct nslab_nlb *b, int ifindex, const char *what);

struct nslab_nl_qdisc_info {
	int ifindex;
	char kind[16];		/* "netem", "tbf", "noqueue", "pfifo_fast", ... */
	uint32_t handle, parent;
	bool root;
	struct nslab_nl_netem netem; /* decoded back when kind is netem (dist stays 0: the kernel never dumps it) */
	uint64_t rate_bps;	/* tbf or netem rate (bits/s), 0 = none */
	uint32_t limit;		/* tbf: bytes; netem: packets */
	uint64_t bytes, packets, drops, overlimits, backlog, qlen;
};

/* Every qdisc of the socket's namespace (root and children, all interfaces); caller frees *out. */
int nslab_nl_dump_qdiscs(struct nslab_nl *nl, struct nslab_nl_qdisc_info **out, size_t *n, struct nslab_err *err);

/*
 * Whether the running kernel has sch_netem: tries a netem qdisc on lo of a throwaway network namespace
 * once per process (needs CAP_SYS_ADMIN + CAP_NET_ADMIN) and caches the answer. Returns 0 with
 * *available set, or -errno (err set) when the probe itself could not run.
 */
int nslab_nl_netem_probe(bool *available, struct nslab_err *err);

/*
 * Call after nslab_nl_send(nl, b, err) failed: when the failed request is a netem qdisc of b and the
 * kernel answered ENOENT ("Specified qdisc kind is unknown"), err becomes
 * "WHAT: " NSLAB_NL_NO_NETEM_MSG " (kernel: ...)" with code ENOENT. Returns true if it rewrote err.
 * (The failed request is found by its what text, which err->msg starts with.)
 */
bool nslab_nl_qdisc_explain(const struct nslab_nlb *b, struct nslab_err *err);

#endif
