// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * core/link.c: runtime link changes (down, up, set, reset) and `show` on a running lab. The lab's
 * state.json says which interfaces a link joins, what is stored on them and which node holds
 * them; the kernel is reached on one rtnetlink socket per node namespace, opened through the
 * node's verified pidfd. state.json changes only after the kernel took the change.
 */
#include "link.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/rtnetlink.h>
#include <string.h>
#include <time.h>

#include "../netlink/nl.h"
#include "../util/util.h"
#include "impair.h"
#include "node.h"
#include "journal.h"
#include "labstate.h"
#include "rundir.h"

/* ---- a lab, a link and its namespaces ---- */

struct end {
	char node[NSLAB_NAME_MAX + 1];
	char ifname[NSLAB_IFNAMSIZ];
	char id[NSLAB_NAME_MAX + NSLAB_IFNAMSIZ + 2]; /* "node:if" */
	struct nslab_st_iface *si;		      /* its interface in ctx.st (borrowed) */
	int ifindex;
	unsigned mtu;
	bool admin_down, link_down;
	struct nslab_impair imp;
	size_t ns; /* index in ctx.ns */
};

struct nsref {
	const char *node;
	struct nslab_nl *nl;
	struct nslab_nlb *b;
};

struct ctx {
	const char *lab;
	int lock;
	struct nslab_lab_state st;
	struct end end[2];
	size_t nends;
	struct nsref ns[2];
	size_t nns;
	struct timespec t0;
	double kernel_ms;
	unsigned requests;
};

static double ms_since(const struct timespec *t0)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)(t.tv_sec - t0->tv_sec) * 1e3 + (double)(t.tv_nsec - t0->tv_nsec) / 1e6;
}

static void ctx_close(struct ctx *c)
{
	for (size_t i = 0; i < c->nns; i++) {
		nslab_nl_close(c->ns[i].nl);
		nslab_nlb_free(c->ns[i].b);
	}
	nslab_state_free(&c->st);
	if (c->lock >= 0)
		close(c->lock);
	c->lock = -1;
	c->nns = 0;
}

/* Split "node:if" into e->node / e->ifname. */
static int parse_end(const char *s, struct end *e, struct nslab_err *err)
{
	const char *colon = s ? strchr(s, ':') : NULL;
	size_t nlen;

	if (!colon)
		return nslab_err_set(err, EINVAL, "'%s' is not NODE:INTERFACE", s ? s : "");
	nlen = (size_t)(colon - s);
	if (nlen == 0 || nlen > NSLAB_NAME_MAX || !nslab_ifname_valid(colon + 1))
		return nslab_err_set(err, EINVAL, "'%s' is not NODE:INTERFACE", s);
	memcpy(e->node, s, nlen);
	e->node[nlen] = 0;
	if (!nslab_name_valid(e->node))
		return nslab_err_set(err, EINVAL, "'%s' is not NODE:INTERFACE", s);
	nslab_strlcpy(e->ifname, colon + 1, sizeof(e->ifname));
	snprintf(e->id, sizeof(e->id), "%s:%s", e->node, e->ifname);
	return 0;
}

/* Fill e from the lab's state; e->node and e->ifname already set. */
static int load_end(struct ctx *c, struct end *e, struct nslab_err *err)
{
	const struct nslab_st_node *n = nslab_state_node(&c->st, e->node);
	struct nslab_st_iface *si = nslab_state_iface(n, e->ifname);

	if (!n)
		return nslab_err_set(err, ENOENT, "lab %s has no node %s", c->lab, e->node);
	if (!si)
		return nslab_err_set(err, ENOENT, "node %s of lab %s has no interface %s", e->node, c->lab, e->ifname);
	e->si = si;
	e->ifindex = si->ifindex;
	e->mtu = si->configured_mtu;
	e->admin_down = si->admin_down;
	e->link_down = si->link_down;
	e->imp = si->impair;
	return 0;
}

static int open_ns(struct ctx *c, struct nslab_err *err)
{
	struct nslab_journal jr;
	const char *names[2];
	int r;

	for (size_t i = 0; i < c->nends; i++)
		names[i] = c->end[i].node;
	r = nslab_journal_read_nodes(c->lab, &jr, names, c->nends, err);
	if (r < 0)
		return r;
	for (size_t i = 0; i < c->nends; i++) {
		struct end *e = &c->end[i];
		const struct nslab_journal_node *jn;
		int pidfd, nsfd;
		size_t k;

		for (k = 0; k < c->nns; k++)
			if (strcmp(c->ns[k].node, e->node) == 0)
				break;
		e->ns = k;
		if (k < c->nns)
			continue;
		jn = nslab_journal_node(&jr, e->node);
		pidfd = jn ? nslab_pidfd_open_verified(jn->pid, jn->start) : -ESRCH;
		if (pidfd < 0) {
			nslab_journal_free(&jr);
			return nslab_err_set(err, ESRCH, "node %s of lab %s is not running", e->node, c->lab);
		}
		nsfd = nslab_pidfd_ns_open(pidfd, jn->pid, "net");
		close(pidfd);
		if (nsfd < 0) {
			nslab_journal_free(&jr);
			return nslab_err_sys(err, -nsfd, "opening the network namespace of node %s", e->node);
		}
		c->ns[k].node = e->node;
		c->ns[k].b = nslab_nlb_new();
		r = nslab_nl_open(&c->ns[k].nl, nsfd, err);
		close(nsfd);
		c->nns++;
		if (r < 0) {
			nslab_journal_free(&jr);
			return nslab_err_prefix(err, "node %s", e->node);
		}
	}
	nslab_journal_free(&jr);
	return 0;
}

/* Lock (when changing), read state.json, find the link's ends and open their namespaces. */
static int ctx_open(struct ctx *c, const char *lab, const struct nslab_link_sel *s, bool change,
		    struct nslab_err *err)
{
	const char *peer;
	int r;

	memset(c, 0, sizeof(*c));
	c->lock = -1;
	c->lab = lab;
	clock_gettime(CLOCK_MONOTONIC, &c->t0);
	if (!nslab_name_valid(lab))
		return nslab_err_set(err, EINVAL, "'%s' is not a valid lab name", lab);
	r = parse_end(s->a, &c->end[0], err);
	if (r < 0)
		return r;
	if (change) {
		c->lock = nslab_lab_lock(lab, false, false, err);
		if (c->lock < 0)
			return c->lock;
	}
	r = nslab_state_read(lab, &c->st, err);
	if (r < 0)
		return r;
	if (strcmp(c->st.status, "running") != 0)
		return nslab_err_set(err, EBUSY, "lab %s is not running (status: %s)", lab, c->st.status);
	r = load_end(c, &c->end[0], err);
	if (r < 0)
		return r;
	peer = c->end[0].si->peer;
	if (!peer)
		return nslab_err_set(err, EINVAL, "%s is not the end of a link", c->end[0].id);
	if (s->b && strcmp(s->b, peer) != 0)
		return nslab_err_set(err, EINVAL, "%s is not the peer of %s (its peer is %s)", s->b, c->end[0].id, peer);
	c->nends = 1;
	if (!s->only) {
		r = parse_end(peer, &c->end[1], err);
		if (r < 0)
			return nslab_err_prefix(err, "state.json of lab %s", lab);
		r = load_end(c, &c->end[1], err);
		if (r < 0)
			return r;
		c->nends = 2;
	}
	return open_ns(c, err);
}

/* Send every namespace's batch (in order); -errno of the first failure. */
static int send_ns(struct ctx *c, size_t k, struct nslab_err *err)
{
	struct timespec t0;
	int r;

	if (!nslab_nlb_count(c->ns[k].b))
		return 0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	r = nslab_nl_send(c->ns[k].nl, c->ns[k].b, err);
	c->kernel_ms += ms_since(&t0);
	c->requests += (unsigned)nslab_nlb_count(c->ns[k].b);
	return r;
}

static int write_state(struct ctx *c, struct nslab_err *err)
{
	return nslab_state_write(c->lab, &c->st, err);
}

static void stats(struct ctx *c, struct nslab_link_stats *st)
{
	if (!st)
		return;
	st->kernel_ms = c->kernel_ms;
	st->namespaces = (unsigned)c->nns;
	st->requests = c->requests;
	st->total_ms = ms_since(&c->t0);
}

static char *link_name(const struct ctx *c)
{
	if (c->nends == 2)
		return xasprintf("%s -- %s", c->end[0].id, c->end[1].id);
	return xstrdup(c->end[0].id);
}

/* ---- down / up ---- */

/* What the kernel drops when an interface goes admin down: its routes (main table, not the
 * kernel's own connected ones) and its IPv6 addresses (unless keep_addr_on_down), to save. */
static int snapshot(struct ctx *c, struct end *e, struct nslab_st_saved **out, struct nslab_err *err)
{
	struct nslab_nl *nl = c->ns[e->ns].nl;
	struct nslab_nl_route_info *rt = NULL;
	struct nslab_nl_addr_info *ad = NULL;
	size_t nrt = 0, nad = 0;
	struct nslab_st_saved *sv;
	char a[INET6_ADDRSTRLEN], g[INET6_ADDRSTRLEN];
	struct timespec t0;
	int r;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	r = nslab_nl_dump_routes(nl, &rt, &nrt, err);
	if (r >= 0)
		r = nslab_nl_dump_addrs(nl, &ad, &nad, err);
	c->kernel_ms += ms_since(&t0);
	c->requests += 2;
	if (r < 0) {
		free(rt);
		free(ad);
		return nslab_err_prefix(err, "%s", e->id);
	}
	sv = xcalloc(1, sizeof(*sv));
	for (size_t i = 0; i < nrt; i++) {
		struct nslab_st_route *sr;
		if (rt[i].oif != e->ifindex || rt[i].protocol == RTPROT_KERNEL)
			continue;
		sr = VEC_PUSH(sv->routes, sv->nroutes);
		inet_ntop(rt[i].family, rt[i].dst, a, sizeof(a));
		sr->dst = xasprintf("%s/%u", a, rt[i].plen);
		sr->via = rt[i].has_gw ? xstrdup(inet_ntop(rt[i].family, rt[i].gw, g, sizeof(g))) : NULL;
		sr->metric = rt[i].metric;
	}
	for (size_t i = 0; i < nad; i++) {
		if (ad[i].ifindex != e->ifindex || ad[i].family != AF_INET6)
			continue;
		if (ad[i].addr[0] == 0xfe && (ad[i].addr[1] & 0xc0) == 0x80)
			continue; /* link-local: the kernel makes it again */
		inet_ntop(AF_INET6, ad[i].addr, a, sizeof(a));
		*VEC_PUSH(sv->addrs, sv->naddrs) = xasprintf("%s/%u", a, ad[i].plen);
	}
	free(rt);
	free(ad);
	*out = sv;
	return 0;
}

int nslab_link_down(const char *lab, const struct nslab_link_sel *s, struct nslab_link_stats *st,
		    struct nslab_err *err)
{
	struct nslab_link_sel both = *s;
	struct nslab_st_saved *saved[2] = { NULL, NULL };
	struct ctx c;
	int r;

	both.only = false; /* a link is down for both ends or not at all */
	r = ctx_open(&c, lab, &both, true, err);
	if (r < 0)
		goto out;
	if (c.end[0].link_down && c.end[1].link_down)
		goto done;
	for (size_t i = 0; i < c.nends; i++) {
		r = snapshot(&c, &c.end[i], &saved[i], err);
		if (r < 0)
			goto out;
	}
	for (size_t i = 0; i < c.nends; i++)
		nslab_nlb_link_set(c.ns[c.end[i].ns].b, c.end[i].ifindex, 0, 0, -1, c.end[i].id);
	for (size_t k = 0; k < c.nns; k++) {
		r = send_ns(&c, k, err);
		if (r < 0) {
			/* the first namespace went down and the second failed: bring the first back */
			for (size_t j = 0; j < k; j++) {
				struct nslab_err e2 = { 0 };
				nslab_nlb_reset(c.ns[j].b);
				for (size_t i = 0; i < c.nends; i++)
					if (c.end[i].ns == j && !c.end[i].admin_down)
						nslab_nlb_link_set(c.ns[j].b, c.end[i].ifindex, 1, 0, -1, c.end[i].id);
				(void)nslab_nl_send(c.ns[j].nl, c.ns[j].b, &e2);
			}
			goto out;
		}
	}
	for (size_t i = 0; i < c.nends; i++) {
		c.end[i].si->link_down = true;
		nslab_state_iface_save(c.end[i].si, saved[i]);
		saved[i] = NULL;
	}
	r = write_state(&c, err);
	if (r < 0)
		goto out;
done:
	stats(&c, st);
out:
	if (r < 0 && c.nends) {
		_cleanup_free_ char *n = link_name(&c);
		nslab_err_prefix(err, "taking link %s down", n);
	}
	nslab_state_saved_free(saved[0]);
	nslab_state_saved_free(saved[1]);
	ctx_close(&c);
	return r;
}

/* Requests that give e back its saved IPv6 addresses and routes (after it is up again). */
static int restore_build(struct nslab_nlb *b, const struct end *e, struct nslab_err *err)
{
	const struct nslab_st_saved *sv = e->si->saved;

	for (size_t i = 0; sv && i < sv->naddrs; i++) {
		struct nslab_prefix p;
		_cleanup_free_ char *what = xasprintf("%s: address %s", e->id, sv->addrs[i]);
		if (nslab_prefix_parse(sv->addrs[i], &p) < 0)
			return nslab_err_set(err, EINVAL, "%s: bad saved address in state.json", e->id);
		nslab_nlb_addr_add(b, e->ifindex, p.family, p.addr, p.plen, what);
	}
	for (size_t i = 0; sv && i < sv->nroutes; i++) {
		const struct nslab_st_route *rt = &sv->routes[i];
		struct nslab_prefix d, g;
		_cleanup_free_ char *what = xasprintf("%s: route %s%s%s", e->id, rt->dst, rt->via ? " via " : "",
						      rt->via ? rt->via : "");
		if (nslab_prefix_parse(rt->dst, &d) < 0 || (rt->via && nslab_addr_parse(rt->via, &g) < 0))
			return nslab_err_set(err, EINVAL, "%s: bad saved route in state.json", e->id);
		nslab_nlb_route_add(b, d.family, d.addr, d.plen, rt->via ? g.addr : NULL, e->ifindex, rt->metric, what);
	}
	return 0;
}

int nslab_link_up(const char *lab, const struct nslab_link_sel *s, struct nslab_link_stats *st,
		  struct nslab_err *err)
{
	struct nslab_link_sel both = *s;
	struct ctx c;
	int r;

	both.only = false;
	r = ctx_open(&c, lab, &both, true, err);
	if (r < 0)
		goto out;
	for (size_t i = 0; i < c.nends; i++) {
		struct end *e = &c.end[i];
		struct nslab_nlb *b = c.ns[e->ns].b;
		if (e->admin_down)
			continue; /* declared down in the topology: stays down */
		nslab_nlb_link_set(b, e->ifindex, 1, 0, -1, e->id);
		if (e->link_down) {
			r = restore_build(b, e, err);
			if (r < 0)
				goto out;
		}
	}
	for (size_t k = 0; k < c.nns; k++) {
		r = send_ns(&c, k, err);
		/* a route or address someone already gave back is fine: everything else was sent */
		if (r == -EEXIST)
			r = 0;
		if (r < 0)
			goto out;
	}
	for (size_t i = 0; i < c.nends; i++) {
		c.end[i].si->link_down = false;
		nslab_state_iface_save(c.end[i].si, NULL);
	}
	r = write_state(&c, err);
	if (r < 0)
		goto out;
	stats(&c, st);
out:
	if (r < 0 && c.nends) {
		_cleanup_free_ char *n = link_name(&c);
		nslab_err_prefix(err, "bringing link %s up", n);
	}
	ctx_close(&c);
	return r;
}

/* ---- set / reset ---- */

/* Requests giving e exactly imp, coming from old. netem cannot drop a jitter distribution table in
 * place: going from one to none deletes the root first. */
static void impair_build(struct nslab_nlb *b, const struct end *e, const struct nslab_impair *old,
			 const struct nslab_impair *imp)
{
	bool had_dist = (old->mask & NSLAB_IMP_JITTER) && old->jitter_dist != NSLAB_DIST_NONE;
	bool has_dist = (imp->mask & NSLAB_IMP_JITTER) && imp->jitter_dist != NSLAB_DIST_NONE;

	if (had_dist && !has_dist && imp->mask)
		nslab_nlb_qdisc_del_root(b, e->ifindex, e->id);
	nslab_impair_build(b, e->ifindex, e->mtu, imp, e->id);
}

/* Give each end want[i]; all or nothing (a namespace that took it goes back to the old settings). */
static int apply_impair(struct ctx *c, const struct nslab_impair *want, struct nslab_err *err)
{
	int r = 0;
	size_t k;

	for (size_t i = 0; i < c->nends; i++)
		impair_build(c->ns[c->end[i].ns].b, &c->end[i], &c->end[i].imp, &want[i]);
	for (k = 0; k < c->nns; k++) {
		r = send_ns(c, k, err);
		/* deleting a root qdisc that is not there: no impairment, as wanted */
		if (r == -ENOENT && !nslab_nl_qdisc_explain(c->ns[k].b, err)) {
			bool only_del = true;
			for (size_t i = 0; i < c->nends; i++)
				if (c->end[i].ns == k && want[i].mask)
					only_del = false;
			if (only_del)
				r = 0;
		}
		if (r < 0)
			break;
	}
	if (r < 0) {
		for (size_t j = 0; j < k; j++) {
			struct nslab_err e2 = { 0 };
			nslab_nlb_reset(c->ns[j].b);
			for (size_t i = 0; i < c->nends; i++)
				if (c->end[i].ns == j)
					impair_build(c->ns[j].b, &c->end[i], &want[i], &c->end[i].imp);
			(void)nslab_nl_send(c->ns[j].nl, c->ns[j].b, &e2);
		}
		return r;
	}
	for (size_t i = 0; i < c->nends; i++) {
		c->end[i].imp = want[i];
		c->end[i].si->impair = want[i];
	}
	return write_state(c, err);
}

int nslab_link_set(const char *lab, const struct nslab_link_sel *s, const struct nslab_impair_change *chg,
		   struct nslab_link_stats *st, struct nslab_err *err)
{
	struct nslab_impair want[2];
	struct ctx c;
	int r;

	r = ctx_open(&c, lab, s, true, err);
	if (r < 0)
		goto out;
	if (!chg->given) {
		r = nslab_err_set(err, EINVAL, "nothing to set");
		goto out;
	}
	for (size_t i = 0; i < c.nends; i++) {
		char why[NSLAB_IMP_MSG_MAX];
		want[i] = c.end[i].imp;
		if (nslab_impair_change_apply(&want[i], chg, why, sizeof(why)) < 0) {
			r = nslab_err_set(err, EINVAL, "%s: %s", c.end[i].id, why);
			goto out;
		}
	}
	r = apply_impair(&c, want, err);
	if (r < 0)
		goto out;
	stats(&c, st);
out:
	if (r < 0 && c.nends) {
		_cleanup_free_ char *n = link_name(&c);
		nslab_err_prefix(err, "setting impairments on %s", n);
	}
	ctx_close(&c);
	return r;
}

int nslab_link_reset(const char *lab, const struct nslab_link_sel *s, struct nslab_link_stats *st,
		     struct nslab_err *err)
{
	struct nslab_impair want[2] = { { 0 }, { 0 } };
	struct ctx c;
	int r;

	r = ctx_open(&c, lab, s, true, err);
	if (r < 0)
		goto out;
	r = apply_impair(&c, want, err);
	if (r < 0)
		goto out;
	stats(&c, st);
out:
	if (r < 0 && c.nends) {
		_cleanup_free_ char *n = link_name(&c);
		nslab_err_prefix(err, "resetting impairments on %s", n);
	}
	ctx_close(&c);
	return r;
}

/* ---- show ---- */

static const char *oper_state(const struct nslab_nl_link_info *li)
{
	if (!(li->flags & 0x1 /* IFF_UP */))
		return "down";
	return li->carrier ? "up" : "no-carrier";
}

static json_t *show_end(struct ctx *c, const struct end *e, struct nslab_err *err)
{
	struct nslab_nl *nl = c->ns[e->ns].nl;
	struct nslab_nl_link_info *li = NULL;
	struct nslab_nl_qdisc_info *q = NULL;
	size_t nli = 0, nq = 0;
	json_t *o = json_object(), *jq = json_null(), *cnt = json_null();
	const char *state = "missing";
	char *text = nslab_impair_describe(&e->imp);
	int r;

	r = nslab_nl_dump_links(nl, &li, &nli, err);
	if (r >= 0)
		r = nslab_nl_dump_qdiscs(nl, &q, &nq, err);
	if (r < 0) {
		free(li);
		free(q);
		free(text);
		json_decref(o);
		nslab_err_prefix(err, "%s", e->id);
		return NULL;
	}
	for (size_t i = 0; i < nli; i++) {
		if (strcmp(li[i].ifname, e->ifname) != 0)
			continue;
		state = oper_state(&li[i]);
		cnt = json_pack("{sIsIsIsIsIsIsIsI}", "tx_packets", (json_int_t)li[i].tx_packets, "tx_bytes",
				(json_int_t)li[i].tx_bytes, "tx_dropped", (json_int_t)li[i].tx_dropped, "tx_errors",
				(json_int_t)li[i].tx_errors, "rx_packets", (json_int_t)li[i].rx_packets, "rx_bytes",
				(json_int_t)li[i].rx_bytes, "rx_dropped", (json_int_t)li[i].rx_dropped, "rx_errors",
				(json_int_t)li[i].rx_errors);
		for (size_t k = 0; k < nq; k++) {
			if (q[k].ifindex != li[i].ifindex || !q[k].root)
				continue;
			json_decref(jq);
			jq = json_pack("{sssIsIsIsIsIsIsIsI}", "kind", q[k].kind, "rate_bps", (json_int_t)q[k].rate_bps, "limit", (json_int_t)q[k].limit,
				       "bytes", (json_int_t)q[k].bytes, "packets", (json_int_t)q[k].packets, "drops",
				       (json_int_t)q[k].drops, "overlimits", (json_int_t)q[k].overlimits, "backlog",
				       (json_int_t)q[k].backlog, "qlen", (json_int_t)q[k].qlen);
			json_object_set_new(jq, "handle", json_sprintf("%x:", q[k].handle >> 16));
			if (strcmp(q[k].kind, "netem") == 0) {
				const struct nslab_nl_netem *ne = &q[k].netem;
				json_object_set_new(jq, "netem",
						    json_pack("{sIsIsfsfsfsfsfsf}", "delay_us", (json_int_t)ne->delay_us,
							      "jitter_us", (json_int_t)ne->jitter_us, "loss_pct",
							      ne->loss_pct, "loss_correlation_pct", ne->loss_corr_pct,
							      "duplicate_pct", ne->duplicate_pct, "reorder_pct",
							      ne->reorder_pct, "reorder_correlation_pct",
							      ne->reorder_corr_pct, "corrupt_pct", ne->corrupt_pct));
			}
		}
	}
	free(li);
	free(q);
	json_object_set_new(o, "end", json_string(e->id));
	json_object_set_new(o, "node", json_string(e->node));
	json_object_set_new(o, "interface", json_string(e->ifname));
	json_object_set_new(o, "ifindex", json_integer(e->ifindex));
	json_object_set_new(o, "state", json_string(state));
	json_object_set_new(o, "link_down", json_boolean(e->link_down));
	json_object_set_new(o, "admin_down", json_boolean(e->admin_down));
	json_object_set_new(o, "impair", nslab_impair_to_json(&e->imp));
	json_object_set_new(o, "impair_text", json_string(text));
	json_object_set_new(o, "qdisc", jq);
	json_object_set_new(o, "counters", cnt);
	free(text);
	return o;
}

json_t *nslab_link_show(const char *lab, const struct nslab_link_sel *s, struct nslab_err *err)
{
	json_t *o = NULL, *ends;
	struct ctx c;
	char *n;

	if (ctx_open(&c, lab, s, false, err) < 0)
		goto out;
	n = link_name(&c);
	o = json_object();
	json_object_set_new(o, "lab", json_string(lab));
	json_object_set_new(o, "link", json_string(n));
	free(n);
	ends = json_array();
	json_object_set_new(o, "ends", ends);
	for (size_t i = 0; i < c.nends; i++) {
		json_t *je = show_end(&c, &c.end[i], err);
		if (!je) {
			json_decref(o);
			o = NULL;
			goto out;
		}
		json_array_append_new(ends, je);
	}
out:
	ctx_close(&c);
	return o;
}

/* ---- the action table ---- */

static int run_down(const char *lab, const struct nslab_link_req *r, struct nslab_link_stats *st, json_t **show,
		    struct nslab_err *err)
{
	(void)show;
	return nslab_link_down(lab, &r->sel, st, err);
}

static int run_up(const char *lab, const struct nslab_link_req *r, struct nslab_link_stats *st, json_t **show,
		  struct nslab_err *err)
{
	(void)show;
	return nslab_link_up(lab, &r->sel, st, err);
}

/* Sleep us microseconds, unless r's stop flag is (or gets) set. */
static void flap_sleep(const struct nslab_link_req *r, unsigned long long us)
{
	struct timespec ts = { .tv_sec = (time_t)(us / 1000000), .tv_nsec = (long)(us % 1000000) * 1000 };

	while (!(r->stop && *r->stop) && nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* Down, wait, up; times over, waiting between two flaps. Up even when stopped: a flap never
 * leaves the link down. */
static int run_flap(const char *lab, const struct nslab_link_req *r, struct nslab_link_stats *st, json_t **show,
		    struct nslab_err *err)
{
	unsigned long long every = r->every_us ? r->every_us : 1000000;
	unsigned long times = r->times ? r->times : 1;
	int ret;

	(void)show;
	for (unsigned long i = 1; i <= times && !(r->stop && *r->stop); i++) {
		ret = nslab_link_down(lab, &r->sel, st, err);
		if (ret < 0)
			return ret;
		if (r->on_flap)
			r->on_flap(r->ctx, i, times, false, st);
		flap_sleep(r, every);
		ret = nslab_link_up(lab, &r->sel, st, err);
		if (ret < 0)
			return ret;
		if (r->on_flap)
			r->on_flap(r->ctx, i, times, true, st);
		if (i < times)
			flap_sleep(r, every);
	}
	if (r->stop && *r->stop)
		return nslab_err_set(err, EINTR, "flap interrupted; the link is up");
	return 0;
}

static int run_set(const char *lab, const struct nslab_link_req *r, struct nslab_link_stats *st, json_t **show,
		   struct nslab_err *err)
{
	(void)show;
	return nslab_link_set(lab, &r->sel, &r->change, st, err);
}

static int run_reset(const char *lab, const struct nslab_link_req *r, struct nslab_link_stats *st, json_t **show,
		     struct nslab_err *err)
{
	(void)show;
	return nslab_link_reset(lab, &r->sel, st, err);
}

static int run_show(const char *lab, const struct nslab_link_req *r, struct nslab_link_stats *st, json_t **show,
		    struct nslab_err *err)
{
	(void)st;
	*show = nslab_link_show(lab, &r->sel, err);
	return *show ? 0 : -(err->code ? err->code : EIO);
}

const struct nslab_link_action_info nslab_link_actions[NSLAB_LINK__COUNT] = {
	[NSLAB_LINK_DOWN] = { "down", NSLAB_LA_BOTH_ENDS, "down", run_down },
	[NSLAB_LINK_UP] = { "up", NSLAB_LA_BOTH_ENDS, "up", run_up },
	[NSLAB_LINK_FLAP] = { "flap", NSLAB_LA_BOTH_ENDS | NSLAB_LA_REPEAT, "flapped", run_flap },
	[NSLAB_LINK_SET] = { "set", NSLAB_LA_IMPAIR, "impairments set", run_set },
	[NSLAB_LINK_RESET] = { "reset", 0, "impairments removed", run_reset },
	[NSLAB_LINK_SHOW] = { "show", NSLAB_LA_READ, "shown", run_show },
};

int nslab_link_action_find(const char *name)
{
	for (int a = 0; a < NSLAB_LINK__COUNT; a++)
		if (strcmp(nslab_link_actions[a].name, name) == 0)
			return a;
	return -1;
}

const char *nslab_link_req_check(const struct nslab_link_req *r)
{
	unsigned f;

	if ((unsigned)r->action >= NSLAB_LINK__COUNT)
		return "unknown action (down, up, flap, set, reset, show)";
	f = nslab_link_actions[r->action].flags;
	if (r->sel.only && r->sel.b)
		return "--only acts on the first end alone: do not name the peer";
	if (r->sel.only && (f & NSLAB_LA_BOTH_ENDS))
		return "a link is down for both ends: --only is for set, reset and show";
	if ((r->every_given || r->times_given) && !(f & NSLAB_LA_REPEAT))
		return "--every and --times are for flap";
	if (r->change.given && !(f & NSLAB_LA_IMPAIR))
		return "impairment options are for set";
	if (!r->change.given && (f & NSLAB_LA_IMPAIR))
		return "set needs at least one impairment (delay 50ms, loss 1%, rate 10mbit, ...)";
	return NULL;
}

int nslab_link_run(const char *lab, const struct nslab_link_req *r, struct nslab_link_stats *st, json_t **show,
		   struct nslab_err *err)
{
	const char *why = nslab_link_req_check(r);
	json_t *none = NULL;
	int ret;

	if (why)
		return nslab_err_set(err, EINVAL, "%s", why);
	ret = nslab_link_actions[r->action].run(lab, r, st, show ? show : &none, err);
	json_decref(none);
	return ret;
}
