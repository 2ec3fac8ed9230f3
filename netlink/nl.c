// SPDX-License-Identifier: GPL-2.0-or-later
/* netlink/nl.c: rtnetlink sockets opened inside a namespace, sending batches with every ACK read, and dumps. */
#include "internal.h"
#include "nl.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/ethtool.h>
#include <linux/sockios.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <sched.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <libmnl/libmnl.h>

#include "../util/util.h"

/* Buffers we ask for; the kernel doubles them. FORCE works as root, otherwise rmem_max/wmem_max cap them. */
#define SOCK_BUF_BYTES (4 << 20)
/* At most this many bytes of requests per sendmsg(). */
#define CHUNK_MAX_BYTES (64 << 10)
/* Estimated receive-buffer cost of one ACK skb (truesize), to size chunks so ACKs never overflow it. */
#define ACK_TRUESIZE 1024
/* ACK datagrams read per recvmmsg() and the room for each. */
#define ACK_VLEN 64
#define ACK_BUF 8192
/* Dump datagrams: the kernel sizes them after our largest recv() buffer, capped at 32 KiB. */
#define DUMP_BUF (64 << 10)
/* Times a dump is restarted when the kernel says it was interrupted by a change (NLM_F_DUMP_INTR). */
#define DUMP_TRIES 4

struct nslab_nl {
	int fd;
	int sndbuf, rcvbuf;	/* as the kernel reports them (doubled) */
	bool dirty;		/* replies of an interrupted exchange may still be queued */
	uint32_t dump_seq;	/* dumps use seqs far from the batches' 1, 2, 3, ... */
	char *ackbuf, *dumpbuf;
	size_t ackslots;		/* ACK datagrams ackbuf holds */
};

static void set_buf(int fd, int force_opt, int opt, int bytes)
{
	if (setsockopt(fd, SOL_SOCKET, force_opt, &bytes, sizeof(bytes)) < 0)
		(void)setsockopt(fd, SOL_SOCKET, opt, &bytes, sizeof(bytes));
}

static int make_socket(int *out, struct nslab_err *err)
{
	_cleanup_close_ int fd = -1;
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	int one = 1;

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0)
		return nslab_err_sys(err, errno, "opening rtnetlink socket");
	/* Older kernels lack these: errors then come without extack text, and with the request echoed. */
	(void)setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	(void)setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
	set_buf(fd, SO_SNDBUFFORCE, SO_SNDBUF, SOCK_BUF_BYTES);
	set_buf(fd, SO_RCVBUFFORCE, SO_RCVBUF, SOCK_BUF_BYTES);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return nslab_err_sys(err, errno, "binding rtnetlink socket");
	*out = take_fd(&fd);
	return 0;
}

int nslab_nl_open(struct nslab_nl **out, int netns_fd, struct nslab_err *err)
{
	_cleanup_close_ int self = -1;
	struct nslab_nl *nl;
	socklen_t sl;
	int fd = -1, ret, e;

	*out = NULL;
	if (netns_fd < 0) {
		ret = make_socket(&fd, err);
		if (ret < 0)
			return ret;
	} else {
		self = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
		if (self < 0)
			return nslab_err_sys(err, errno, "opening /proc/thread-self/ns/net");
		if (setns(netns_fd, CLONE_NEWNET) < 0)
			return nslab_err_sys(err, errno, "entering network namespace (fd %d)", netns_fd);
		ret = make_socket(&fd, err);
		e = errno;
		/* Carrying on in the wrong namespace would create links in the wrong place. */
		if (setns(self, CLONE_NEWNET) < 0)
			abort();
		errno = e;
		if (ret < 0)
			return ret;
	}

	nl = xcalloc(1, sizeof(*nl));
	nl->fd = fd;
	nl->rcvbuf = 0;
	sl = sizeof(nl->rcvbuf);
	if (getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &nl->rcvbuf, &sl) < 0 || nl->rcvbuf <= 0)
		nl->rcvbuf = 212992;
	nl->sndbuf = 0;
	sl = sizeof(nl->sndbuf);
	if (getsockopt(fd, SOL_SOCKET, SO_SNDBUF, &nl->sndbuf, &sl) < 0 || nl->sndbuf <= 0)
		nl->sndbuf = 212992;
	nl->dump_seq = 0x80000000u;
	*out = nl;
	return 0;
}

int nslab_nl_open_isolated(struct nslab_nl **out, struct nslab_err *err)
{
	_cleanup_close_ int self = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	_cleanup_close_ int fresh = -1;

	*out = NULL;
	if (self < 0)
		return nslab_err_sys(err, errno, "opening /proc/thread-self/ns/net");
	if (unshare(CLONE_NEWNET) < 0)
		return nslab_err_sys(err, errno, "creating a staging network namespace");
	fresh = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	/* back home before anything else: carrying on in the wrong namespace is never safe */
	if (setns(self, CLONE_NEWNET) < 0)
		abort();
	if (fresh < 0)
		return nslab_err_sys(err, errno, "opening the staging network namespace");
	/* the socket alone keeps the staging namespace alive; it goes with nslab_nl_close() */
	return nslab_nl_open(out, fresh, err);
}

void nslab_nl_close(struct nslab_nl *nl)
{
	if (!nl)
		return;
	if (nl->fd >= 0)
		close(nl->fd);
	free(nl->ackbuf);
	free(nl->dumpbuf);
	free(nl);
}

/* Throw away whatever a previous, interrupted exchange left queued on the socket. */
static void flush(struct nslab_nl *nl)
{
	char buf[512];

	if (!nl->dirty)
		return;
	while (recv(nl->fd, buf, sizeof(buf), MSG_DONTWAIT | MSG_TRUNC) >= 0 || errno == EINTR)
		;
	nl->dirty = false;
}

static int extack_cb(const struct nlattr *attr, void *data)
{
	const char **msg = data;

	if (mnl_attr_get_type(attr) == NLMSGERR_ATTR_MSG && mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) == 0)
		*msg = mnl_attr_get_str(attr);
	return MNL_CB_OK;
}

/* The extack message of an NLMSG_ERROR, or NULL. */
static const char *extack_of(const struct nlmsghdr *nlh)
{
	const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);
	const char *msg = NULL;
	size_t off = sizeof(*e);

	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return NULL;
	if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*e)))
		return NULL;
	/* Without NETLINK_CAP_ACK (or for a successful ACK) the request follows the nlmsgerr. */
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		off += e->msg.nlmsg_len - sizeof(struct nlmsghdr);
	off = MNL_ALIGN(off);
	if (mnl_nlmsg_size(off) > nlh->nlmsg_len)
		return NULL;
	mnl_attr_parse(nlh, (unsigned)off, extack_cb, &msg);
	return msg;
}

static int err_kernel(struct nslab_err *err, int code, const char *what, const char *extack)
{
	if (extack && *extack)
		return nslab_err_set(err, code, "%s: %s (kernel: %s)", what, strerror(code), extack);
	return nslab_err_set(err, code, "%s: %s", what, strerror(code));
}

/* State of one chunk being acknowledged. */
struct chunk {
	uint32_t first_seq;	/* seq of the chunk's first request */
	size_t n;		/* requests in the chunk */
	size_t pending;		/* ACKs still to come */
	unsigned char *acked;	/* n flags */
	int err;		/* first failure: positive errno, 0 if none */
	uint32_t err_seq;
	char extack[512];
};

static void handle_ack(struct chunk *c, const struct nlmsghdr *nlh)
{
	const struct nlmsgerr *e;
	uint32_t i;

	if (nlh->nlmsg_type != NLMSG_ERROR || nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*e)))
		return; /* not an ACK (we joined no groups): ignore */
	if (nlh->nlmsg_seq < c->first_seq || nlh->nlmsg_seq - c->first_seq >= c->n)
		return; /* stale or foreign */
	i = nlh->nlmsg_seq - c->first_seq;
	if (c->acked[i])
		return;
	c->acked[i] = 1;
	c->pending--;
	e = mnl_nlmsg_get_payload(nlh);
	if (e->error < 0 && !c->err) {
		const char *x = extack_of(nlh);

		c->err = -e->error;
		c->err_seq = nlh->nlmsg_seq;
		nslab_strlcpy(c->extack, x ? x : "", sizeof(c->extack));
	}
}

/* Read ACKs until every request of the chunk has one. */
static int read_acks(struct nslab_nl *nl, struct chunk *c, const struct nslab_nlb *b, struct nslab_err *err)
{
	struct mmsghdr mm[ACK_VLEN];
	struct iovec iov[ACK_VLEN];
	struct sockaddr_nl sa[ACK_VLEN];

	/* room for as many ACKs as are awaited, up to ACK_VLEN: a node's few requests need a few pages,
	 * not the 512 KiB (an mmap, its page faults and a munmap in each node) a big batch reads into */
	size_t vlen = c->pending < ACK_VLEN ? c->pending : ACK_VLEN;
	if (vlen > nl->ackslots) {
		free(nl->ackbuf);
		nl->ackbuf = xmalloc(vlen * ACK_BUF);
		nl->ackslots = vlen;
	}
	vlen = nl->ackslots;
	while (c->pending) {
		int n;

		memset(mm, 0, sizeof(mm));
		for (size_t i = 0; i < vlen; i++) {
			iov[i].iov_base = nl->ackbuf + (size_t)i * ACK_BUF;
			iov[i].iov_len = ACK_BUF;
			mm[i].msg_hdr.msg_iov = &iov[i];
			mm[i].msg_hdr.msg_iovlen = 1;
			mm[i].msg_hdr.msg_name = &sa[i];
			mm[i].msg_hdr.msg_namelen = sizeof(sa[i]);
		}
		n = recvmmsg(nl->fd, mm, (unsigned int)vlen, MSG_WAITFORONE, NULL);
		if (n < 0) {
			const char *what;

			if (errno == EINTR)
				continue;
			nl->dirty = true;
			what = nslab_nlb_what(b, c->first_seq - 1);
			if (errno == ENOBUFS)
				return nslab_err_set(err, ENOBUFS,
						     "%s: reading netlink ACKs: %s (socket receive buffer overflowed, "
						     "replies were lost)",
						     what, strerror(ENOBUFS));
			return nslab_err_sys(err, errno, "%s: reading netlink ACKs", what);
		}
		for (int i = 0; i < n; i++) {
			const struct nlmsghdr *nlh = iov[i].iov_base;
			int len = (int)mm[i].msg_len;

			if (sa[i].nl_pid != 0 || (mm[i].msg_hdr.msg_flags & MSG_TRUNC))
				continue;
			while (mnl_nlmsg_ok(nlh, len)) {
				handle_ack(c, nlh);
				nlh = mnl_nlmsg_next(nlh, &len);
			}
		}
	}
	return 0;
}

int nslab_nl_send(struct nslab_nl *nl, const struct nslab_nlb *b, struct nslab_err *err)
{
	const char *data;
	size_t len, off = 0, chunk_bytes, max_msgs, idx = 0;
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	struct chunk c = { 0 };
	int ret = 0;

	data = nslab_nlb_data(b, &len);
	if (!len)
		return 0;
	flush(nl);

	chunk_bytes = CHUNK_MAX_BYTES;
	if ((size_t)nl->sndbuf / 2 < chunk_bytes)
		chunk_bytes = (size_t)nl->sndbuf / 2;
	max_msgs = (size_t)nl->rcvbuf / 2 / ACK_TRUESIZE;
	if (max_msgs < 1)
		max_msgs = 1;
	c.acked = xmalloc(max_msgs);

	while (off < len) {
		size_t end = off, n = 0;
		ssize_t s;

		/* Whole messages only; a single oversized message goes alone (the kernel then says EMSGSIZE). */
		while (end < len && n < max_msgs) {
			const struct nlmsghdr *nlh = (const void *)(data + end);

			if (n && end - off + nlh->nlmsg_len > chunk_bytes)
				break;
			end += NLMSG_ALIGN(nlh->nlmsg_len);
			n++;
		}
		c.first_seq = ((const struct nlmsghdr *)(const void *)(data + off))->nlmsg_seq;
		c.n = n;
		c.pending = n;
		memset(c.acked, 0, n);
		do
			s = sendto(nl->fd, data + off, end - off, 0, (struct sockaddr *)&kernel, sizeof(kernel));
		while (s < 0 && errno == EINTR);
		if (s < 0) {
			ret = nslab_err_sys(err, errno, "%s: sending netlink request", nslab_nlb_what(b, idx));
			break;
		}
		ret = read_acks(nl, &c, b, err);
		if (ret < 0)
			break;
		if (c.err) {
			ret = err_kernel(err, c.err, nslab_nlb_what(b, c.err_seq - 1), c.extack);
			break;
		}
		off = end;
		idx += n;
	}
	free(c.acked);
	return ret;
}

/* ---- dumps ---- */

/* A growable array of fixed-size zeroed elements. */
struct vec {
	void *p;
	size_t n, cap, sz;
};

static void *vec_push(struct vec *v)
{
	void *e;

	if (v->n == v->cap) {
		v->cap = v->cap ? 2 * v->cap : 32;
		v->p = xrealloc(v->p, v->cap * v->sz);
	}
	e = (char *)v->p + v->n++ * v->sz;
	memset(e, 0, v->sz);
	return e;
}

int nslab_nl_attrs_cb(const struct nlattr *attr, void *data)
{
	struct nslab_nl_attrs *t = data;
	unsigned type = mnl_attr_get_type(attr);

	if (type <= t->max)
		t->a[type] = attr;
	return MNL_CB_OK;
}

static bool get_u32(const struct nlattr *a, uint32_t *v)
{
	if (!a || mnl_attr_get_payload_len(a) < sizeof(uint32_t))
		return false;
	*v = mnl_attr_get_u32(a);
	return true;
}

int nslab_nl_msg_parse(const struct nlmsghdr *nlh, uint16_t type, size_t hdrlen, const struct nlattr **a,
		       unsigned max)
{
	struct nslab_nl_attrs t = { a, max };

	if (nlh->nlmsg_type != type)
		return 0;
	if (mnl_nlmsg_get_payload_len(nlh) < hdrlen)
		return -1;
	if (mnl_attr_parse(nlh, (unsigned)hdrlen, nslab_nl_attrs_cb, &t) < 0)
		return -1;
	return 1;
}

void nslab_nl_attr_str(const struct nlattr *a, char *dst, size_t size)
{
	size_t n;

	if (!a)
		return;
	n = strnlen(mnl_attr_get_payload(a), mnl_attr_get_payload_len(a));
	if (n >= size)
		n = size - 1;
	memcpy(dst, mnl_attr_get_payload(a), n);
	dst[n] = '\0';
}

/* Copy a binary attribute (an address) into dst, at most size bytes. */
static void get_bin(const struct nlattr *a, void *dst, size_t size)
{
	size_t n;

	if (!a)
		return;
	n = mnl_attr_get_payload_len(a);
	memcpy(dst, mnl_attr_get_payload(a), n < size ? n : size);
}

typedef int (*dump_cb)(const struct nlmsghdr *nlh, struct vec *v);

/*
 * One dump request and all its replies. Sets *intr when the kernel flagged
 * the dump as inconsistent (a change raced with it); the caller retries.
 */
static int dump_once(struct nslab_nl *nl, uint16_t type, size_t hdrlen, dump_cb cb, struct vec *v,
		     const char *what, bool *intr, struct nslab_err *err)
{
	char req[MNL_NLMSG_HDRLEN + 64] = { 0 };
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	struct nlmsghdr *nlh;
	uint32_t seq;
	ssize_t s;

	*intr = false;
	flush(nl);
	nlh = mnl_nlmsg_put_header(req);
	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	seq = nlh->nlmsg_seq = ++nl->dump_seq;
	mnl_nlmsg_put_extra_header(nlh, hdrlen); /* family AF_UNSPEC: every family */
	do
		s = sendto(nl->fd, req, nlh->nlmsg_len, 0, (struct sockaddr *)&kernel, sizeof(kernel));
	while (s < 0 && errno == EINTR);
	if (s < 0)
		return nslab_err_sys(err, errno, "%s", what);

	if (!nl->dumpbuf)
		nl->dumpbuf = xmalloc(DUMP_BUF);
	for (;;) {
		struct sockaddr_nl sa;
		socklen_t salen = sizeof(sa);
		const struct nlmsghdr *h;
		int len;

		s = recvfrom(nl->fd, nl->dumpbuf, DUMP_BUF, 0, (struct sockaddr *)&sa, &salen);
		if (s < 0) {
			if (errno == EINTR)
				continue;
			nl->dirty = true;
			return nslab_err_sys(err, errno, "%s", what);
		}
		if (sa.nl_pid != 0)
			continue;
		h = (const void *)nl->dumpbuf;
		len = (int)s;
		for (; mnl_nlmsg_ok(h, len); h = mnl_nlmsg_next(h, &len)) {
			if (h->nlmsg_seq != seq)
				continue;
			if (h->nlmsg_flags & NLM_F_DUMP_INTR)
				*intr = true;
			if (h->nlmsg_type == NLMSG_DONE) {
				if (mnl_nlmsg_get_payload_len(h) >= sizeof(int)) {
					int e = *(const int *)mnl_nlmsg_get_payload(h);

					if (e < 0)
						return err_kernel(err, -e, what, NULL);
				}
				return 0;
			}
			if (h->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *e = mnl_nlmsg_get_payload(h);

				if (mnl_nlmsg_get_payload_len(h) < sizeof(*e) || e->error >= 0)
					continue;
				/* the kernel ends the dump with this error: nothing else follows */
				return err_kernel(err, -e->error, what, extack_of(h));
			}
			if (h->nlmsg_type < NLMSG_MIN_TYPE)
				continue;
			if (cb(h, v) < 0) {
				nl->dirty = true;
				return nslab_err_set(err, EPROTO, "%s: malformed reply from the kernel", what);
			}
		}
	}
}

static int dump(struct nslab_nl *nl, uint16_t type, size_t hdrlen, dump_cb cb, size_t elem, void **out,
		size_t *n, const char *what, struct nslab_err *err)
{
	struct vec v = { .sz = elem };
	bool intr = true;
	int ret = 0;

	*out = NULL;
	*n = 0;
	for (int tries = 0; intr && tries < DUMP_TRIES; tries++) {
		v.n = 0;
		ret = dump_once(nl, type, hdrlen, cb, &v, what, &intr, err);
		if (ret < 0) {
			free(v.p);
			return ret;
		}
	}
	if (intr) {
		free(v.p);
		return nslab_err_set(err, EAGAIN, "%s: interrupted by concurrent changes %d times in a row", what,
				     DUMP_TRIES);
	}
	*out = v.p;
	*n = v.n;
	return 0;
}

static int link_cb(const struct nlmsghdr *nlh, struct vec *v)
{
	const struct nlattr *a[IFLA_MAX + 1] = { 0 };
	const struct nlattr *li[IFLA_INFO_MAX + 1] = { 0 };
	struct nslab_nl_attrs tl = { li, IFLA_INFO_MAX };
	const struct ifinfomsg *ifm;
	struct nslab_nl_link_info *l;
	uint32_t u;
	int ret;

	ret = nslab_nl_msg_parse(nlh, RTM_NEWLINK, sizeof(*ifm), a, IFLA_MAX);
	if (ret <= 0)
		return ret;
	ifm = mnl_nlmsg_get_payload(nlh);
	l = vec_push(v);
	l->ifindex = ifm->ifi_index;
	l->flags = ifm->ifi_flags;
	l->peer_netnsid = -1;
	nslab_nl_attr_str(a[IFLA_IFNAME], l->ifname, sizeof(l->ifname));
	if (get_u32(a[IFLA_MTU], &u))
		l->mtu = u;
	if (a[IFLA_CARRIER] && mnl_attr_get_payload_len(a[IFLA_CARRIER]) >= 1)
		l->carrier = mnl_attr_get_u8(a[IFLA_CARRIER]) != 0;
	if (a[IFLA_OPERSTATE] && mnl_attr_get_payload_len(a[IFLA_OPERSTATE]) >= 1)
		l->operstate = mnl_attr_get_u8(a[IFLA_OPERSTATE]);
	get_bin(a[IFLA_ADDRESS], l->mac, sizeof(l->mac));
	if (get_u32(a[IFLA_MASTER], &u))
		l->master = (int)u;
	/* A peer in another namespace may share our ifindex (the kernel then still sends IFLA_LINK). */
	if (get_u32(a[IFLA_LINK], &u) && ((int)u != l->ifindex || a[IFLA_LINK_NETNSID]))
		l->peer_ifindex = (int)u;
	if (get_u32(a[IFLA_LINK_NETNSID], &u))
		l->peer_netnsid = (int)u;
	if (a[IFLA_STATS64]) {
		struct rtnl_link_stats64 st = { 0 };

		get_bin(a[IFLA_STATS64], &st, sizeof(st));
		l->rx_bytes = st.rx_bytes;
		l->tx_bytes = st.tx_bytes;
		l->rx_packets = st.rx_packets;
		l->tx_packets = st.tx_packets;
		l->rx_dropped = st.rx_dropped;
		l->tx_dropped = st.tx_dropped;
		l->rx_errors = st.rx_errors;
		l->tx_errors = st.tx_errors;
	}
	if (a[IFLA_LINKINFO]) {
		if (mnl_attr_parse_nested(a[IFLA_LINKINFO], nslab_nl_attrs_cb, &tl) < 0)
			return -1;
		nslab_nl_attr_str(li[IFLA_INFO_KIND], l->kind, sizeof(l->kind));
	}
	return 0;
}

static int addr_cb(const struct nlmsghdr *nlh, struct vec *v)
{
	const struct nlattr *a[IFA_MAX + 1] = { 0 };
	const struct ifaddrmsg *ifa;
	struct nslab_nl_addr_info *ad;
	int ret;

	ret = nslab_nl_msg_parse(nlh, RTM_NEWADDR, sizeof(*ifa), a, IFA_MAX);
	if (ret <= 0)
		return ret;
	ifa = mnl_nlmsg_get_payload(nlh);
	ad = vec_push(v);
	ad->ifindex = (int)ifa->ifa_index;
	ad->family = ifa->ifa_family;
	ad->plen = ifa->ifa_prefixlen;
	/* IFA_LOCAL is our address; IFA_ADDRESS is the peer's on point-to-point links (IPv6 has only it). */
	get_bin(a[IFA_LOCAL] ? a[IFA_LOCAL] : a[IFA_ADDRESS], ad->addr, sizeof(ad->addr));
	return 0;
}

static int route_cb(const struct nlmsghdr *nlh, struct vec *v)
{
	const struct nlattr *a[RTA_MAX + 1] = { 0 };
	struct nslab_nl_attrs t = { a, RTA_MAX };
	const struct rtmsg *rtm;
	struct nslab_nl_route_info *r;
	uint32_t table, u;

	if (nlh->nlmsg_type != RTM_NEWROUTE)
		return 0;
	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*rtm))
		return -1;
	rtm = mnl_nlmsg_get_payload(nlh);
	if (rtm->rtm_family != AF_INET && rtm->rtm_family != AF_INET6)
		return 0;
	if (rtm->rtm_type != RTN_UNICAST || (rtm->rtm_flags & RTM_F_CLONED))
		return 0;
	if (mnl_attr_parse(nlh, sizeof(*rtm), nslab_nl_attrs_cb, &t) < 0)
		return -1;
	if (!get_u32(a[RTA_TABLE], &table))
		table = rtm->rtm_table;
	if (table != RT_TABLE_MAIN)
		return 0;
	r = vec_push(v);
	r->family = rtm->rtm_family;
	r->plen = rtm->rtm_dst_len;
	r->protocol = rtm->rtm_protocol;
	r->scope = rtm->rtm_scope;
	get_bin(a[RTA_DST], r->dst, sizeof(r->dst));
	if (a[RTA_GATEWAY]) {
		r->has_gw = true;
		get_bin(a[RTA_GATEWAY], r->gw, sizeof(r->gw));
	}
	if (get_u32(a[RTA_OIF], &u))
		r->oif = (int)u;
	if (get_u32(a[RTA_PRIORITY], &u))
		r->metric = u;
	return 0;
}

int nslab_nl_dump_links(struct nslab_nl *nl, struct nslab_nl_link_info **out, size_t *n,
			struct nslab_err *err)
{
	return dump(nl, RTM_GETLINK, sizeof(struct ifinfomsg), link_cb, sizeof(**out), (void **)out, n,
		    "dumping links", err);
}

int nslab_nl_dump_addrs(struct nslab_nl *nl, struct nslab_nl_addr_info **out, size_t *n,
			struct nslab_err *err)
{
	return dump(nl, RTM_GETADDR, sizeof(struct ifaddrmsg), addr_cb, sizeof(**out), (void **)out, n,
		    "dumping addresses", err);
}

int nslab_nl_dump_routes(struct nslab_nl *nl, struct nslab_nl_route_info **out, size_t *n,
			 struct nslab_err *err)
{
	return dump(nl, RTM_GETROUTE, sizeof(struct rtmsg), route_cb, sizeof(**out), (void **)out, n,
		    "dumping routes", err);
}

/* ---- for the other dumps of netlink/ (qdisc.c); see nl.h ---- */

/* dump_cb has no user pointer: the parser of the dump running on this thread (dumps never nest). */
static _Thread_local nslab_nl_dump_parse_fn dump_each_fn;

static int dump_each_cb(const struct nlmsghdr *nlh, struct vec *v)
{
	int r = dump_each_fn(nlh, vec_push(v));

	if (r <= 0)
		v->n--;
	return r < 0 ? -1 : 0;
}

int nslab_nl_dump_each(struct nslab_nl *nl, uint16_t type, size_t hdrlen, nslab_nl_dump_parse_fn parse,
		       size_t elem, void **out, size_t *n, const char *what, struct nslab_err *err)
{
	int ret;

	dump_each_fn = parse;
	ret = dump(nl, type, hdrlen, dump_each_cb, elem, out, n, what, err);
	dump_each_fn = NULL;
	return ret;
}

int nslab_nl_link_sync(struct nslab_nl *nl, const char *ifname)
{
	struct ethtool_value ev = { .cmd = ETHTOOL_GLINK };
	struct ifreq ifr;

	memset(&ifr, 0, sizeof(ifr));
	nslab_strlcpy(ifr.ifr_name, ifname, sizeof(ifr.ifr_name));
	ifr.ifr_data = (void *)&ev;
	if (ioctl(nl->fd, SIOCETHTOOL, &ifr) < 0)
		return -errno;
	return ev.data ? 1 : 0;
}
