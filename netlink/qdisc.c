// SPDX-License-Identifier: GPL-2.0-or-later
/* netlink/qdisc.c: root qdiscs (netem, tbf) through rtnetlink: requests, dumps, and the netem probe. */
#include "internal.h"
#include "nl.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/gen_stats.h>
#include <linux/netlink.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <libmnl/libmnl.h>

#include "../util/util.h"

#define ETH_FRAME_OVERHEAD 14 /* Ethernet header: what the kernel counts on top of the MTU */
#define NETEM_DEFAULT_LIMIT 1000
#define TBF_BURST_DIV 250     /* burst = 4 ms of traffic (rate / HZ for HZ 250, Debian's) */
#define TBF_LATENCY_US 50000  /* queue limit when none is given: `tc ... latency 50ms` */
#define TBF_MIN_QUEUE_FRAMES 2 /* ... but room for at least two frames besides the burst */

/* ---- units ---- */

uint32_t nslab_nl_netem_prob(double pct)
{
	double v;

	if (!(pct > 0)) /* also NaN */
		return 0;
	if (pct >= 100)
		return UINT32_MAX;
	/* iproute2: rint(pct / 100. * UINT32_MAX); v < 2^32 here, so +-2^52 rounds to nearest even */
	v = pct / 100. * UINT32_MAX;
	v = (v + 4503599627370496.0) - 4503599627370496.0;
	return (uint32_t)v;
}

double nslab_nl_netem_pct(uint32_t prob)
{
	return (double)prob / UINT32_MAX * 100.;
}

/*
 * Scheduler ticks per microsecond, from /proc/net/psched as iproute2's tc_core_init() reads it
 * (15.625 on every kernel since 2.6.31: ticks are 64 ns). Only tbf's `buffer` and netem's legacy
 * 32-bit latency fields use ticks; the kernel takes TCA_TBF_BURST and TCA_NETEM_LATENCY64 over them.
 */
static double tick_in_usec;

static void psched_init(void)
{
	unsigned t2us = 0, us2t = 0, clock_res = 0;
	FILE *f = fopen("/proc/net/psched", "re");

	tick_in_usec = 15.625;
	if (!f)
		return;
	if (fscanf(f, "%08x%08x%08x", &t2us, &us2t, &clock_res) == 3 && t2us && us2t && clock_res) {
		/* tc_core.c: a clock_res of 1 GHz advertises t2us 1000 for old binaries; it means 1 */
		if (clock_res == 1000000000)
			t2us = us2t;
		tick_in_usec = (double)t2us / us2t * ((double)clock_res / 1000000);
	}
	fclose(f);
}

static double ticks_per_us(void)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;

	pthread_once(&once, psched_init);
	return tick_in_usec;
}

/* tc_core_time2tick(): microseconds to ticks, truncated, clamped to 32 bits. */
static uint32_t us_to_ticks(uint64_t us)
{
	double t = (double)us * ticks_per_us();

	return t >= UINT32_MAX ? UINT32_MAX : (uint32_t)t;
}

static uint64_t ticks_to_us(uint32_t ticks)
{
	return (uint64_t)((double)ticks / ticks_per_us());
}

static uint64_t min_u64(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

/* ---- requests ---- */

/* The tcmsg of a root qdisc with a kernel-chosen handle (see nl.h). */
static struct nlmsghdr *qdisc_start(struct nslab_nlb *b, uint16_t type, uint16_t flags, int ifindex,
				    size_t extra)
{
	struct nlmsghdr *nlh = nslab_nlb_msg_start(b, type, flags, extra);
	struct tcmsg *tcm = mnl_nlmsg_put_extra_header(nlh, sizeof(*tcm));

	tcm->tcm_family = AF_UNSPEC;
	tcm->tcm_ifindex = ifindex;
	tcm->tcm_handle = 0;
	tcm->tcm_parent = TC_H_ROOT;
	return nlh;
}

/*
 * netem's TCA_OPTIONS is not a plain nest: a struct tc_netem_qopt, then TCA_NETEM_* attributes
 * (the kernel's parse_attr() skips the struct). Attributes in iproute2 6.1's order, so that its bytes
 * serve as a reference: CORR, REORDER, CORRUPT, RATE64, RATE, DELAY_DIST; then LATENCY64 and
 * JITTER64, which 6.1 never sends (it uses the 32-bit tick fields only, 64 ns steps, < 275 s).
 * All conversions of the model's units to the kernel's happen here.
 */
void nslab_nlb_qdisc_netem(struct nslab_nlb *b, int ifindex, const struct nslab_nl_netem *ne, const char *what)
{
	struct tc_netem_qopt qopt = { 0 };
	struct tc_netem_corr corr = { 0 };
	struct tc_netem_reorder reorder = { 0 };
	struct tc_netem_corrupt corrupt = { 0 };
	struct tc_netem_rate rate = { 0 };
	uint64_t rate_Bps = ne->rate_bps / 8;
	const int16_t *dist = NULL;
	size_t ndist = 0;
	struct nlmsghdr *nlh;
	struct nlattr *opts;

	if (ne->dist != NSLAB_NL_DIST_NONE && ne->jitter_us)
		dist = nslab_nl_netem_dist_table(ne->dist, &ndist);

	qopt.latency = us_to_ticks(ne->delay_us);
	qopt.jitter = us_to_ticks(ne->jitter_us);
	qopt.limit = ne->limit_pkts ? ne->limit_pkts : NETEM_DEFAULT_LIMIT;
	qopt.loss = nslab_nl_netem_prob(ne->loss_pct);
	qopt.duplicate = nslab_nl_netem_prob(ne->duplicate_pct);
	corr.loss_corr = nslab_nl_netem_prob(ne->loss_corr_pct);
	reorder.probability = nslab_nl_netem_prob(ne->reorder_pct);
	reorder.correlation = nslab_nl_netem_prob(ne->reorder_corr_pct);
	/* iproute2: a reorder probability takes gap 1 (every packet is a candidate, with delay) */
	if (reorder.probability)
		qopt.gap = 1;
	corrupt.probability = nslab_nl_netem_prob(ne->corrupt_pct);
	rate.rate = rate_Bps >= (1ULL << 32) ? UINT32_MAX : (uint32_t)rate_Bps;

	nlh = qdisc_start(b, RTM_NEWQDISC, NLM_F_CREATE | NLM_F_REPLACE, ifindex, 256 + ndist * sizeof(int16_t));
	mnl_attr_put_strz(nlh, TCA_KIND, "netem");
	opts = mnl_nlmsg_get_payload_tail(nlh);
	opts->nla_type = TCA_OPTIONS; /* no NLA_F_NESTED: not a pure nest (as iproute2) */
	nlh->nlmsg_len += MNL_ALIGN(sizeof(*opts));
	memcpy(mnl_nlmsg_get_payload_tail(nlh), &qopt, sizeof(qopt));
	nlh->nlmsg_len += MNL_ALIGN(sizeof(qopt));
	mnl_attr_put(nlh, TCA_NETEM_CORR, sizeof(corr), &corr);
	mnl_attr_put(nlh, TCA_NETEM_REORDER, sizeof(reorder), &reorder);
	mnl_attr_put(nlh, TCA_NETEM_CORRUPT, sizeof(corrupt), &corrupt);
	if (rate_Bps >= (1ULL << 32))
		mnl_attr_put_u64(nlh, TCA_NETEM_RATE64, rate_Bps);
	mnl_attr_put(nlh, TCA_NETEM_RATE, sizeof(rate), &rate);
	if (dist)
		mnl_attr_put(nlh, TCA_NETEM_DELAY_DIST, ndist * sizeof(int16_t), dist);
	if (ne->delay_us)
		mnl_attr_put_u64(nlh, TCA_NETEM_LATENCY64, min_u64(ne->delay_us, INT64_MAX / 1000) * 1000);
	if (ne->jitter_us)
		mnl_attr_put_u64(nlh, TCA_NETEM_JITTER64, min_u64(ne->jitter_us, INT64_MAX / 1000) * 1000);
	opts->nla_len = (uint16_t)((char *)mnl_nlmsg_get_payload_tail(nlh) - (char *)opts);
	nslab_nlb_msg_end(b, nlh, what);
}

/* The kernel's default (GSO_LEGACY_MAX_SIZE): what an interface gets back when its tbf goes. */
#define GSO_DEFAULT_MAX_SIZE 65536

void nslab_nl_tbf_size(uint64_t rate_bps, uint32_t limit_pkts, unsigned mtu, struct nslab_nl_tbf_size *sz)
{
	uint64_t rate_Bps = rate_bps / 8, frame = (uint64_t)(mtu ? mtu : 1500) + ETH_FRAME_OVERHEAD;
	uint64_t burst = rate_Bps / TBF_BURST_DIV, queue;

	if (burst < 2 * frame)
		burst = 2 * frame;
	burst = min_u64(burst, UINT32_MAX);
	if (limit_pkts) {
		sz->limit = limit_pkts * frame;
	} else {
		queue = (uint64_t)((double)rate_Bps * TBF_LATENCY_US / 1000000);
		if (queue < TBF_MIN_QUEUE_FRAMES * frame)
			queue = TBF_MIN_QUEUE_FRAMES * frame;
		sz->limit = queue + burst;
	}
	sz->limit = min_u64(sz->limit, UINT32_MAX);
	sz->burst = burst;
	sz->gso_max_size = (uint32_t)min_u64(burst, GSO_DEFAULT_MAX_SIZE);
}

/* RTM_NEWLINK setting only IFLA_GSO_MAX_SIZE. */
static void gso_max_size(struct nslab_nlb *b, int ifindex, uint32_t size, const char *what)
{
	struct nlmsghdr *nlh = nslab_nlb_msg_start(b, RTM_NEWLINK, 0, 0);
	struct ifinfomsg *ifm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifm));

	ifm->ifi_family = AF_UNSPEC;
	ifm->ifi_index = ifindex;
	mnl_attr_put_u32(nlh, IFLA_GSO_MAX_SIZE, size);
	nslab_nlb_msg_end(b, nlh, what);
}

/*
 * tbf with linklayer ethernet: the kernel then computes transmit times itself and wants no rate table
 * (TCA_TBF_RTAB, 1 KiB that tc still sends). TCA_TBF_BURST (bytes) is what the kernel uses; `buffer`
 * (the same burst in ticks, as tc_calc_xmittime()) is filled in for older readers. Then the
 * interface's GSO size is capped at the burst (see nl.h).
 */
void nslab_nlb_qdisc_tbf(struct nslab_nlb *b, int ifindex, uint64_t rate_bps, uint32_t limit_pkts, unsigned mtu,
			 const char *what)
{
	struct tc_tbf_qopt opt = { 0 };
	uint64_t rate_Bps = rate_bps / 8;
	struct nslab_nl_tbf_size sz;
	struct nlmsghdr *nlh;
	struct nlattr *opts;

	nslab_nl_tbf_size(rate_bps, limit_pkts, mtu, &sz);
	opt.rate.linklayer = TC_LINKLAYER_ETHERNET;
	opt.rate.rate = rate_Bps >= (1ULL << 32) ? UINT32_MAX : (uint32_t)rate_Bps;
	opt.limit = (uint32_t)sz.limit;
	if (rate_Bps)
		opt.buffer = us_to_ticks((uint64_t)(1000000.0 * (double)sz.burst / (double)rate_Bps));

	nlh = qdisc_start(b, RTM_NEWQDISC, NLM_F_CREATE | NLM_F_REPLACE, ifindex, 0);
	mnl_attr_put_strz(nlh, TCA_KIND, "tbf");
	opts = mnl_attr_nest_start(nlh, TCA_OPTIONS);
	mnl_attr_put(nlh, TCA_TBF_PARMS, sizeof(opt), &opt);
	mnl_attr_put_u32(nlh, TCA_TBF_BURST, (uint32_t)sz.burst);
	if (rate_Bps >= (1ULL << 32))
		mnl_attr_put_u64(nlh, TCA_TBF_RATE64, rate_Bps);
	mnl_attr_nest_end(nlh, opts);
	nslab_nlb_msg_end(b, nlh, what);
	gso_max_size(b, ifindex, sz.gso_max_size, what);
}

void nslab_nlb_qdisc_del_root(struct nslab_nlb *b, int ifindex, const char *what)
{
	struct nlmsghdr *nlh;

	/* first, so that the ENOENT of a delete with nothing to delete stays the batch's last answer */
	gso_max_size(b, ifindex, GSO_DEFAULT_MAX_SIZE, what);
	nlh = qdisc_start(b, RTM_DELQDISC, 0, ifindex, 0);
	nslab_nlb_msg_end(b, nlh, what);
}

/* ---- dumps ---- */


/* Copy at most size bytes of an attribute's payload into dst (the rest stays as it was). */
static bool get_bin(const struct nlattr *a, void *dst, size_t size)
{
	size_t n;

	if (!a)
		return false;
	n = mnl_attr_get_payload_len(a);
	memcpy(dst, mnl_attr_get_payload(a), n < size ? n : size);
	return true;
}

static bool get_u64(const struct nlattr *a, uint64_t *v)
{
	if (!a || mnl_attr_get_payload_len(a) < sizeof(uint64_t))
		return false;
	*v = mnl_attr_get_u64(a);
	return true;
}

static int decode_netem(const struct nlattr *opts, struct nslab_nl_qdisc_info *q)
{
	const struct nlattr *a[TCA_NETEM_MAX + 1] = { 0 };
	struct nslab_nl_attrs t = { a, TCA_NETEM_MAX };
	struct tc_netem_qopt qopt = { 0 };
	struct tc_netem_corr corr = { 0 };
	struct tc_netem_reorder reorder = { 0 };
	struct tc_netem_corrupt corrupt = { 0 };
	struct tc_netem_rate rate = { 0 };
	struct nslab_nl_netem *ne = &q->netem;
	size_t len = mnl_attr_get_payload_len(opts), off = MNL_ALIGN(sizeof(qopt));
	uint64_t v;

	if (len < sizeof(qopt))
		return -1;
	memcpy(&qopt, mnl_attr_get_payload(opts), sizeof(qopt));
	if (len > off && mnl_attr_parse_payload((const char *)mnl_attr_get_payload(opts) + off, len - off,
						nslab_nl_attrs_cb, &t) < 0)
		return -1;
	get_bin(a[TCA_NETEM_CORR], &corr, sizeof(corr));
	get_bin(a[TCA_NETEM_REORDER], &reorder, sizeof(reorder));
	get_bin(a[TCA_NETEM_CORRUPT], &corrupt, sizeof(corrupt));
	get_bin(a[TCA_NETEM_RATE], &rate, sizeof(rate));

	ne->delay_us = get_u64(a[TCA_NETEM_LATENCY64], &v) ? v / 1000 : ticks_to_us(qopt.latency);
	ne->jitter_us = get_u64(a[TCA_NETEM_JITTER64], &v) ? v / 1000 : ticks_to_us(qopt.jitter);
	ne->limit_pkts = qopt.limit;
	ne->loss_pct = nslab_nl_netem_pct(qopt.loss);
	ne->loss_corr_pct = nslab_nl_netem_pct(corr.loss_corr);
	ne->duplicate_pct = nslab_nl_netem_pct(qopt.duplicate);
	ne->reorder_pct = nslab_nl_netem_pct(reorder.probability);
	ne->reorder_corr_pct = nslab_nl_netem_pct(reorder.correlation);
	ne->corrupt_pct = nslab_nl_netem_pct(corrupt.probability);
	ne->rate_bps = (get_u64(a[TCA_NETEM_RATE64], &v) ? v : rate.rate) * 8;
	q->rate_bps = ne->rate_bps;
	q->limit = qopt.limit;
	return 0;
}

static int decode_tbf(const struct nlattr *opts, struct nslab_nl_qdisc_info *q)
{
	const struct nlattr *a[TCA_TBF_MAX + 1] = { 0 };
	struct nslab_nl_attrs t = { a, TCA_TBF_MAX };
	struct tc_tbf_qopt opt = { 0 };
	uint64_t v;

	if (mnl_attr_parse_nested(opts, nslab_nl_attrs_cb, &t) < 0)
		return -1;
	if (!get_bin(a[TCA_TBF_PARMS], &opt, sizeof(opt)))
		return 0;
	q->rate_bps = (get_u64(a[TCA_TBF_RATE64], &v) ? v : opt.rate.rate) * 8;
	q->limit = opt.limit;
	return 0;
}

static int qdisc_parse(const struct nlmsghdr *nlh, void *elem)
{
	const struct nlattr *a[TCA_MAX + 1] = { 0 };
	const struct nlattr *s[TCA_STATS_MAX + 1] = { 0 };
	struct nslab_nl_attrs ts = { s, TCA_STATS_MAX };
	struct nslab_nl_qdisc_info *q = elem;
	const struct tcmsg *tcm;
	const char *kind;
	uint64_t v;
	int ret = nslab_nl_msg_parse(nlh, RTM_NEWQDISC, sizeof(*tcm), a, TCA_MAX);

	if (ret <= 0)
		return ret;
	tcm = mnl_nlmsg_get_payload(nlh);
	q->ifindex = tcm->tcm_ifindex;
	q->handle = tcm->tcm_handle;
	q->parent = tcm->tcm_parent;
	q->root = tcm->tcm_parent == TC_H_ROOT;
	nslab_nl_attr_str(a[TCA_KIND], q->kind, sizeof(q->kind));
	kind = q->kind;
	if (a[TCA_OPTIONS] && !strcmp(kind, "netem") && decode_netem(a[TCA_OPTIONS], q) < 0)
		return -1;
	if (a[TCA_OPTIONS] && !strcmp(kind, "tbf") && decode_tbf(a[TCA_OPTIONS], q) < 0)
		return -1;

	if (a[TCA_STATS2]) {
		struct gnet_stats_basic sb = { 0 };
		struct gnet_stats_queue sq = { 0 };

		if (mnl_attr_parse_nested(a[TCA_STATS2], nslab_nl_attrs_cb, &ts) < 0)
			return -1;
		get_bin(s[TCA_STATS_BASIC], &sb, sizeof(sb));
		get_bin(s[TCA_STATS_QUEUE], &sq, sizeof(sq));
		q->bytes = sb.bytes;
		/* the basic counter's packets are 32 bits; kernels >= 5.19 add a 64-bit one */
		q->packets = get_u64(s[TCA_STATS_PKT64], &v) ? v : sb.packets;
		q->qlen = sq.qlen;
		q->backlog = sq.backlog;
		q->drops = sq.drops;
		q->overlimits = sq.overlimits;
	} else if (a[TCA_STATS]) {
		struct tc_stats st = { 0 };

		get_bin(a[TCA_STATS], &st, sizeof(st));
		q->bytes = st.bytes;
		q->packets = st.packets;
		q->qlen = st.qlen;
		q->backlog = st.backlog;
		q->drops = st.drops;
		q->overlimits = st.overlimits;
	}
	return 1;
}

int nslab_nl_dump_qdiscs(struct nslab_nl *nl, struct nslab_nl_qdisc_info **out, size_t *n, struct nslab_err *err)
{
	return nslab_nl_dump_each(nl, RTM_GETQDISC, sizeof(struct tcmsg), qdisc_parse, sizeof(**out), (void **)out,
				  n, "dumping qdiscs", err);
}

/* ---- a kernel without sch_netem ---- */

/* Whether request i of b is an RTM_NEWQDISC of kind netem. */
static bool is_netem_request(const struct nslab_nlb *b, size_t i)
{
	const char *data;
	size_t len, off = 0;

	data = nslab_nlb_data(b, &len);
	for (size_t k = 0; off + sizeof(struct nlmsghdr) <= len; k++) {
		const struct nlmsghdr *nlh = (const void *)(data + off);

		if (nlh->nlmsg_len < sizeof(*nlh) || off + nlh->nlmsg_len > len)
			return false;
		if (k == i) {
			const struct nlattr *a[TCA_MAX + 1] = { 0 };
			struct nslab_nl_attrs t = { a, TCA_MAX };

			if (nlh->nlmsg_type != RTM_NEWQDISC || mnl_nlmsg_get_payload_len(nlh) < sizeof(struct tcmsg))
				return false;
			if (mnl_attr_parse(nlh, sizeof(struct tcmsg), nslab_nl_attrs_cb, &t) < 0 || !a[TCA_KIND])
				return false;
			return !strncmp(mnl_attr_get_payload(a[TCA_KIND]), "netem",
					mnl_attr_get_payload_len(a[TCA_KIND]));
		}
		off += NLMSG_ALIGN(nlh->nlmsg_len);
	}
	return false;
}

bool nslab_nl_qdisc_explain(const struct nslab_nlb *b, struct nslab_err *err)
{
	const char *kx;
	char what[NSLAB_ERR_MSG_MAX], kernel[NSLAB_ERR_MSG_MAX];

	if (err->code != ENOENT)
		return false;
	/* nl.c formats "WHAT: strerror (kernel: EXTACK)"; no extack at all is an old kernel saying the same */
	kx = strstr(err->msg, " (kernel: ");
	if (kx && !strstr(kx, "qdisc kind is unknown"))
		return false;
	for (size_t i = 0; i < nslab_nlb_count(b); i++) {
		const char *w = nslab_nlb_what(b, i);
		size_t wl = strlen(w);

		if (strncmp(err->msg, w, wl) || strncmp(err->msg + wl, ": ", 2) || !is_netem_request(b, i))
			continue;
		/* both point into err->msg, which nslab_err_set() overwrites */
		nslab_strlcpy(what, w, sizeof(what));
		nslab_strlcpy(kernel, kx ? kx : "", sizeof(kernel));
		if (kx)
			nslab_err_set(err, ENOENT, "%s: " NSLAB_NL_NO_NETEM_MSG "%s", what, kernel);
		else
			nslab_err_set(err, ENOENT, "%s: " NSLAB_NL_NO_NETEM_MSG, what);
		return true;
	}
	return false;
}

static pthread_mutex_t probe_lock = PTHREAD_MUTEX_INITIALIZER;
static int probe_state; /* 0 unknown, 1 available, 2 missing */

int nslab_nl_netem_probe(bool *available, struct nslab_err *err)
{
	_cleanup_close_ int self = -1, ns = -1;
	struct nslab_nl *nl = NULL;
	struct nslab_nlb *b;
	struct nslab_err e2 = { 0 };
	int ret, e;

	pthread_mutex_lock(&probe_lock);
	if (probe_state) {
		*available = probe_state == 1;
		pthread_mutex_unlock(&probe_lock);
		return 0;
	}
	/* A namespace of our own for a moment: lo there is ours; it vanishes with the last fd. */
	self = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	if (self < 0) {
		ret = nslab_err_sys(err, errno, "probing for sch_netem: opening /proc/thread-self/ns/net");
		goto out;
	}
	if (unshare(CLONE_NEWNET) < 0) {
		ret = nslab_err_sys(err, errno, "probing for sch_netem: creating a network namespace");
		goto out;
	}
	ns = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	e = errno;
	if (setns(self, CLONE_NEWNET) < 0)
		abort(); /* carrying on in the wrong namespace would put a lab in the wrong place */
	if (ns < 0) {
		ret = nslab_err_sys(err, e, "probing for sch_netem: opening the new namespace");
		goto out;
	}
	ret = nslab_nl_open(&nl, ns, err);
	if (ret < 0)
		goto out;
	b = nslab_nlb_new();
	nslab_nlb_qdisc_netem(b, 1 /* lo */, &(struct nslab_nl_netem){ .delay_us = 1000 }, "probing for sch_netem");
	ret = nslab_nl_send(nl, b, &e2);
	nslab_nlb_free(b);
	nslab_nl_close(nl);
	if (ret == 0 || ret == -ENOENT) {
		probe_state = ret == 0 ? 1 : 2;
		ret = 0;
	} else {
		*err = e2;
	}
out:
	if (ret == 0)
		*available = probe_state == 1;
	pthread_mutex_unlock(&probe_lock);
	return ret;
}
