// SPDX-License-Identifier: GPL-2.0-or-later
/* netlink/nlb.c: batches of rtnetlink requests (veth, bridge, link, address, route) built with libmnl. */
#include "internal.h"
#include "nl.h"

#include <linux/if.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include <libmnl/libmnl.h>

#include "../util/pack.h"
#include "../util/util.h"

/*
 * The requests lie back to back in buf, each a complete nlmsghdr. Request i
 * has nlmsg_seq i + 1 and whats[i] names it in error messages. The free space
 * behind len is kept zeroed by reserve() so that the padding libmnl skips is
 * deterministic and tests can memcmp the whole buffer.
 */
struct nslab_nlb {
	char *buf;
	size_t len, cap;
	char **whats;
	size_t count, whats_cap;
};

struct nslab_nlb *nslab_nlb_new(void)
{
	return xcalloc(1, sizeof(struct nslab_nlb));
}

void nslab_nlb_reset(struct nslab_nlb *b)
{
	for (size_t i = 0; i < b->count; i++)
		free(b->whats[i]);
	b->count = 0;
	if (b->buf)
		memset(b->buf, 0, b->len);
	b->len = 0;
}

void nslab_nlb_free(struct nslab_nlb *b)
{
	if (!b)
		return;
	nslab_nlb_reset(b);
	free(b->whats);
	free(b->buf);
	free(b);
}

size_t nslab_nlb_count(const struct nslab_nlb *b)
{
	return b->count;
}

const void *nslab_nlb_data(const struct nslab_nlb *b, size_t *len)
{
	if (len)
		*len = b->len;
	return b->buf;
}

const char *nslab_nlb_what(const struct nslab_nlb *b, size_t i)
{
	return i < b->count ? b->whats[i] : NULL;
}

/* Room for one more request of at most `need` bytes, zeroed. */
static void reserve(struct nslab_nlb *b, size_t need)
{
	size_t ncap;

	if (b->cap - b->len >= need)
		return;
	ncap = b->cap ? b->cap : 512; /* a node's batch is usually a few hundred bytes */
	while (ncap - b->len < need)
		ncap *= 2;
	b->buf = xrealloc(b->buf, ncap);
	memset(b->buf + b->cap, 0, ncap - b->cap);
	b->cap = ncap;
}

static size_t slen(const char *s)
{
	return s ? strlen(s) : 0;
}

/* Start a request of at most `extra` bytes of attributes (beyond a fixed 256 B of headers). */
static struct nlmsghdr *msg_start(struct nslab_nlb *b, uint16_t type, uint16_t flags, size_t extra)
{
	struct nlmsghdr *nlh;

	reserve(b, 256 + MNL_ALIGN(extra));
	nlh = mnl_nlmsg_put_header(b->buf + b->len);
	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
	nlh->nlmsg_seq = (uint32_t)b->count + 1;
	nlh->nlmsg_pid = 0;
	return nlh;
}

static void msg_end(struct nslab_nlb *b, struct nlmsghdr *nlh, const char *what)
{
	b->len += nlh->nlmsg_len;
	if (b->count == b->whats_cap) {
		b->whats_cap = b->whats_cap ? 2 * b->whats_cap : 8;
		b->whats = xrealloc(b->whats, b->whats_cap * sizeof(*b->whats));
	}
	b->whats[b->count++] = xstrdup(what && *what ? what : "netlink request");
}

void nslab_nlb_pack(struct nslab_pack *p, const struct nslab_nlb *b)
{
	if (!b) {
		nslab_pack_u32(p, UINT32_MAX);
		return;
	}
	nslab_pack_u32(p, (uint32_t)b->count);
	nslab_pack_bytes(p, b->buf, b->len);
	for (size_t i = 0; i < b->count; i++)
		nslab_pack_str(p, b->whats[i]);
}

int nslab_nlb_unpack(struct nslab_unpack *u, struct nslab_nlb **out)
{
	uint32_t count = nslab_unpack_u32(u);
	struct nslab_nlb *b;
	const char *data;
	size_t len, off = 0;

	*out = NULL;
	if (u->bad)
		return -EINVAL;
	if (count == UINT32_MAX)
		return 0;
	data = nslab_unpack_bytes(u, &len);
	if (u->bad || count > len / sizeof(struct nlmsghdr))
		goto bad;
	b = nslab_nlb_new();
	/* the requests must be whole messages, numbered 1..count as msg_start() numbers them */
	for (uint32_t i = 0; i < count; i++) {
		struct nlmsghdr h; /* the packed bytes carry no alignment: copy the header out */
		const char *what;
		if (len - off < sizeof(h)) {
			nslab_nlb_free(b);
			goto bad;
		}
		memcpy(&h, data + off, sizeof(h));
		/* the message and its padding within the bytes (aligned in size_t: no wrap) */
		if (h.nlmsg_len < sizeof(h) || MNL_ALIGN((size_t)h.nlmsg_len) > len - off || h.nlmsg_seq != i + 1) {
			nslab_nlb_free(b);
			goto bad;
		}
		what = nslab_unpack_str(u);
		if (u->bad || !what) {
			nslab_nlb_free(b);
			goto bad;
		}
		reserve(b, MNL_ALIGN(h.nlmsg_len));
		memcpy(b->buf + b->len, data + off, h.nlmsg_len);
		msg_end(b, (struct nlmsghdr *)(void *)(b->buf + b->len), what);
		b->len = MNL_ALIGN(b->len);
		off += MNL_ALIGN((size_t)h.nlmsg_len);
	}
	if (off != len) {
		nslab_nlb_free(b);
		goto bad;
	}
	*out = b;
	return 0;
bad:
	u->bad = true;
	return -EINVAL;
}

static struct ifinfomsg *put_ifinfomsg(struct nlmsghdr *nlh, int ifindex, bool up)
{
	struct ifinfomsg *ifm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifm));

	ifm->ifi_family = AF_UNSPEC;
	ifm->ifi_index = ifindex;
	if (up) {
		ifm->ifi_flags = IFF_UP;
		ifm->ifi_change = IFF_UP;
	}
	return ifm;
}

/*
 * Attributes common to both veth ends, in iproute2's order for
 * `ip link add NAME mtu M address A type veth peer name P mtu M address A`
 * (MTU, ADDRESS, IFNAME; the queue counts, when set, go before IFNAME as `numtxqueues N
 * numrxqueues N` would), so its bytes can serve as a reference.
 */
static void put_linkend_attrs(struct nlmsghdr *nlh, const struct nslab_nl_linkend *e)
{
	if (e->mtu)
		mnl_attr_put_u32(nlh, IFLA_MTU, e->mtu);
	if (e->mac)
		mnl_attr_put(nlh, IFLA_ADDRESS, 6, e->mac);
	if (e->queues) {
		mnl_attr_put_u32(nlh, IFLA_NUM_TX_QUEUES, e->queues);
		mnl_attr_put_u32(nlh, IFLA_NUM_RX_QUEUES, e->queues);
	}
	if (e->ifname)
		mnl_attr_put_strz(nlh, IFLA_IFNAME, e->ifname);
	if (e->netns_fd >= 0)
		mnl_attr_put_u32(nlh, IFLA_NET_NS_FD, (uint32_t)e->netns_fd);
}

void nslab_nlb_veth_add(struct nslab_nlb *b, const struct nslab_nl_linkend *main_end,
			const struct nslab_nl_linkend *peer, const char *what)
{
	struct nlmsghdr *nlh;
	struct nlattr *linkinfo, *data, *peer_nest;
	struct ifinfomsg pifm = { .ifi_family = AF_UNSPEC };

	nlh = msg_start(b, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL,
			slen(main_end->ifname) + slen(peer->ifname));
	put_ifinfomsg(nlh, main_end->ifindex, main_end->up);
	put_linkend_attrs(nlh, main_end);
	if (main_end->master_ifindex)
		mnl_attr_put_u32(nlh, IFLA_MASTER, (uint32_t)main_end->master_ifindex);

	/* The kind goes without NUL, as iproute2 sends it. */
	linkinfo = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_str(nlh, IFLA_INFO_KIND, "veth");
	data = mnl_attr_nest_start(nlh, IFLA_INFO_DATA);
	peer_nest = mnl_attr_nest_start(nlh, VETH_INFO_PEER);
	/* VETH_INFO_PEER's payload is a struct ifinfomsg followed by IFLA_* attributes. */
	pifm.ifi_index = peer->ifindex;
	memcpy(mnl_nlmsg_get_payload_tail(nlh), &pifm, sizeof(pifm));
	nlh->nlmsg_len += MNL_ALIGN(sizeof(pifm));
	put_linkend_attrs(nlh, peer);
	mnl_attr_nest_end(nlh, peer_nest);
	mnl_attr_nest_end(nlh, data);
	mnl_attr_nest_end(nlh, linkinfo);
	msg_end(b, nlh, what);
}

void nslab_nlb_bridge_add(struct nslab_nlb *b, const char *ifname, int ifindex, unsigned mtu, bool stp,
			  bool up, const char *what)
{
	struct nlmsghdr *nlh;
	struct nlattr *linkinfo, *data;

	nlh = msg_start(b, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, slen(ifname));
	put_ifinfomsg(nlh, ifindex, up);
	if (ifname)
		mnl_attr_put_strz(nlh, IFLA_IFNAME, ifname);
	if (mtu)
		mnl_attr_put_u32(nlh, IFLA_MTU, mtu);
	linkinfo = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_str(nlh, IFLA_INFO_KIND, "bridge");
	data = mnl_attr_nest_start(nlh, IFLA_INFO_DATA);
	mnl_attr_put_u32(nlh, IFLA_BR_STP_STATE, stp ? 1 : 0);
	mnl_attr_nest_end(nlh, data);
	mnl_attr_nest_end(nlh, linkinfo);
	msg_end(b, nlh, what);
}

void nslab_nlb_link_set(struct nslab_nlb *b, int ifindex, int up, unsigned mtu, int master,
			const char *what)
{
	struct nlmsghdr *nlh;
	struct ifinfomsg *ifm;

	nlh = msg_start(b, RTM_NEWLINK, 0, 0);
	ifm = put_ifinfomsg(nlh, ifindex, false);
	if (up >= 0) {
		ifm->ifi_change = IFF_UP;
		ifm->ifi_flags = up ? IFF_UP : 0;
	}
	if (mtu)
		mnl_attr_put_u32(nlh, IFLA_MTU, mtu);
	if (master >= 0)
		mnl_attr_put_u32(nlh, IFLA_MASTER, (uint32_t)master);
	msg_end(b, nlh, what);
}

/* Bytes of an address of this family (0 for families we do not know: the kernel then rejects the request). */
static size_t addr_len(int family)
{
	switch (family) {
	case AF_INET:
		return 4;
	case AF_INET6:
		return 16;
	default:
		return 0;
	}
}

void nslab_nlb_addr_add(struct nslab_nlb *b, int ifindex, int family, const void *addr, unsigned plen,
			const char *what)
{
	struct nlmsghdr *nlh;
	struct ifaddrmsg *ifa;
	size_t alen = addr_len(family);

	nlh = msg_start(b, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL, 0);
	ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	ifa->ifa_family = (uint8_t)family;
	ifa->ifa_prefixlen = (uint8_t)plen;
	ifa->ifa_flags = family == AF_INET6 ? IFA_F_NODAD : 0;
	ifa->ifa_scope = RT_SCOPE_UNIVERSE;
	ifa->ifa_index = (uint32_t)ifindex;
	/* Like iproute2 for an address without peer: IFA_LOCAL, then IFA_ADDRESS with the same bytes. */
	if (alen && addr) {
		mnl_attr_put(nlh, IFA_LOCAL, alen, addr);
		mnl_attr_put(nlh, IFA_ADDRESS, alen, addr);
	}
	msg_end(b, nlh, what);
}

void nslab_nlb_route_add(struct nslab_nlb *b, int family, const void *dst, unsigned plen, const void *gw,
			 int oif, unsigned metric, const char *what)
{
	struct nlmsghdr *nlh;
	struct rtmsg *rtm;
	size_t alen = addr_len(family);

	nlh = msg_start(b, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL, 0);
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = (uint8_t)family;
	rtm->rtm_dst_len = (uint8_t)plen;
	rtm->rtm_table = RT_TABLE_MAIN;
	rtm->rtm_protocol = RTPROT_STATIC;
	/* As iproute2 does: a route without gateway is on-link. */
	rtm->rtm_scope = gw ? RT_SCOPE_UNIVERSE : RT_SCOPE_LINK;
	rtm->rtm_type = RTN_UNICAST;
	if (dst && plen && alen)
		mnl_attr_put(nlh, RTA_DST, alen, dst);
	if (gw && alen)
		mnl_attr_put(nlh, RTA_GATEWAY, alen, gw);
	if (oif)
		mnl_attr_put_u32(nlh, RTA_OIF, (uint32_t)oif);
	if (metric)
		mnl_attr_put_u32(nlh, RTA_PRIORITY, metric);
	msg_end(b, nlh, what);
}

/* ---- for the other builders of netlink/ (qdisc.c); see nl.h ---- */

struct nlmsghdr *nslab_nlb_msg_start(struct nslab_nlb *b, uint16_t type, uint16_t flags, size_t extra)
{
	return msg_start(b, type, flags, extra);
}

void nslab_nlb_msg_end(struct nslab_nlb *b, struct nlmsghdr *nlh, const char *what)
{
	msg_end(b, nlh, what);
}
