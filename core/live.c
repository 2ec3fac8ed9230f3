// SPDX-License-Identifier: GPL-2.0-or-later
/* core/live.c: a deployed lab read back from the kernel: link ends up, the hosts file from real addresses. */
#include "live.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "../netlink/nl.h"
#include "../util/util.h"

#define NSLAB_IF_OPER_UP 6 /* IF_OPER_UP of <linux/if.h> (RFC 2863), which clashes with <net/if.h> */
#define NSLAB_IFF_LOWER_UP 0x10000 /* IFF_LOWER_UP of <linux/if.h>: the driver has carrier */
#include "rundir.h"

size_t nslab_live_ends(const struct nslab_topo *t, struct nslab_live_end **out)
{
	struct nslab_live_end *v = NULL;
	size_t n = 0;

	for (size_t l = 0; l < t->nlinks; l++) {
		const struct nslab_endpoint *ep = t->links[l].ep;
		if (t->nodes[ep[0].node].ifaces[ep[0].iface].down || t->nodes[ep[1].node].ifaces[ep[1].iface].down)
			continue;
		for (int e = 0; e < 2; e++)
			*VEC_PUSH(v, n) = (struct nslab_live_end){ .node = ep[e].node,
								   .iface = ep[e].iface,
								   .peer_node = ep[!e].node,
								   .peer_iface = ep[!e].iface };
	}
	*out = v;
	return n;
}

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* A netlink socket in the network namespace of the process pid (a node's init). */
static int open_node_nl(pid_t pid, const char *node, struct nslab_nl **nl, struct nslab_err *err)
{
	char path[64];
	_cleanup_close_ int fd = -1;

	snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return nslab_err_sys(err, errno, "node %s: opening %s", node, path);
	if (nslab_nl_open(nl, fd, err) < 0)
		return nslab_err_prefix(err, "node %s", node);
	return 0;
}

/* Per node: the first and one-past-last index of its ends in the (node-sorted) end list. */
struct node_ends {
	size_t from, to;
	struct nslab_nl *nl;
	bool done;
};

static int cmp_end(const void *a, const void *b)
{
	const struct nslab_live_end *x = a, *y = b;
	return x->node < y->node ? -1 : x->node > y->node ? 1 : (x->iface > y->iface) - (x->iface < y->iface);
}

/* Whether every end of one node is oper-up; *down is the first one that is not (or NULL). */
static int node_ends_up(const struct nslab_topo *t, struct node_ends *ne, const struct nslab_live_end *ends,
			const struct nslab_live_end **down, unsigned *flags, struct nslab_err *err)
{
	struct nslab_nl_link_info *li = NULL;
	size_t nli = 0;
	int r = nslab_nl_dump_links(ne->nl, &li, &nli, err);

	*down = NULL;
	if (r < 0)
		return nslab_err_prefix(err, "node %s: reading its interfaces", t->nodes[ends[ne->from].node].name);
	for (size_t i = ne->from; i < ne->to; i++) {
		const struct nslab_iface *ifc = &t->nodes[ends[i].node].ifaces[ends[i].iface];
		unsigned f = 0;
		bool up = false;
		for (size_t k = 0; k < nli; k++)
			if (li[k].ifindex == ifc->ifindex) {
				f = li[k].flags;
				/* IFF_RUNNING alone is also set while a new device's operstate is still
				 * UNKNOWN (the link watch has not run yet): wait for IF_OPER_UP */
				up = (f & (IFF_UP | IFF_RUNNING)) == (IFF_UP | IFF_RUNNING) &&
				     li[k].operstate == NSLAB_IF_OPER_UP;
			}
		if (up)
			continue;
		/* carrier, but the link watch has not run for it yet: have it run now */
		if ((f & (IFF_UP | NSLAB_IFF_LOWER_UP)) == (IFF_UP | NSLAB_IFF_LOWER_UP))
			nslab_nl_link_sync(ne->nl, ifc->name);
		if (!*down) {
			*down = &ends[i];
			*flags = f;
		}
	}
	free(li);
	return 0;
}

int nslab_live_wait_links(const struct nslab_topo *t, const pid_t *pids, int timeout_ms, struct nslab_err *err)
{
	struct nslab_live_end *ends = NULL;
	size_t nends = nslab_live_ends(t, &ends), nn = 0;
	struct node_ends *nodes = NULL;
	long long deadline = now_ms() + timeout_ms;
	const struct nslab_live_end *down = NULL;
	unsigned flags = 0;
	int r = 0;

	qsort(ends, nends, sizeof(*ends), cmp_end);
	for (size_t i = 0; i < nends; i++) {
		if (!nn || ends[nodes[nn - 1].from].node != ends[i].node)
			VEC_PUSH(nodes, nn)->from = i;
		nodes[nn - 1].to = i + 1;
	}
	for (;;) {
		size_t pending = 0;
		for (size_t k = 0; k < nn && r == 0; k++) {
			struct node_ends *ne = &nodes[k];
			const struct nslab_live_end *d = NULL;
			if (ne->done)
				continue;
			if (!ne->nl)
				r = open_node_nl(pids[ends[ne->from].node], t->nodes[ends[ne->from].node].name, &ne->nl, err);
			if (r == 0)
				r = node_ends_up(t, ne, ends, &d, &flags, err);
			if (r < 0)
				break;
			if (!d) {
				ne->done = true;
				nslab_nl_close(ne->nl);
				ne->nl = NULL;
			} else {
				down = d;
				pending++;
			}
		}
		if (r < 0 || !pending)
			break;
		if (now_ms() >= deadline) {
			const struct nslab_node *n = &t->nodes[down->node], *p = &t->nodes[down->peer_node];
			r = nslab_err_set(err, ETIMEDOUT,
					  "link end %s:%s (to %s:%s) is still not up after %d s (%s)%s",
					  n->name, n->ifaces[down->iface].name, p->name, p->ifaces[down->peer_iface].name,
					  timeout_ms / 1000, !(flags & IFF_UP) ? "administratively down" : "no carrier",
					  pending > 1 ? ", nor are ends in other nodes" : "");
			break;
		}
		nanosleep(&(struct timespec){ 0, 10 * 1000 * 1000 }, NULL);
	}
	for (size_t k = 0; k < nn; k++)
		nslab_nl_close(nodes[k].nl);
	free(nodes);
	free(ends);
	return r;
}

/* ---- the hosts file ---- */

static void strbuf_add(char **buf, size_t *len, const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);

	*buf = xrealloc(*buf, *len + la + lb + 3);
	memcpy(*buf + *len, a, la);
	(*buf)[*len + la] = '\t';
	memcpy(*buf + *len + la + 1, b, lb);
	(*buf)[*len + la + 1 + lb] = '\n';
	*len += la + lb + 2;
	(*buf)[*len] = '\0';
}

/* Addresses that do not name a node to another one. */
static bool host_local(const struct nslab_live_addr *a)
{
	if (a->family == AF_INET)
		return a->addr[0] == 127 || (a->addr[0] == 169 && a->addr[1] == 254);
	static const unsigned char loop6[16] = { [15] = 1 };
	return memcmp(a->addr, loop6, 16) == 0 || (a->addr[0] == 0xfe && (a->addr[1] & 0xc0) == 0x80);
}

char *nslab_hosts_build_live(const char *lab, const struct nslab_live_node *nodes, size_t n)
{
	char *buf = xasprintf("# generated by nslab for lab %s\n"
			      "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n",
			      lab);
	size_t len = strlen(buf);
	char a[INET6_ADDRSTRLEN];

	/* link addresses first, IPv4 before IPv6, lo last: `ping r2` picks the first line */
	for (int pass = 0; pass < 4; pass++) {
		int family = pass % 2 == 0 ? AF_INET : AF_INET6;
		bool want_lo = pass >= 2;
		for (size_t k = 0; k < n; k++)
			for (size_t i = 0; i < nodes[k].naddrs; i++) {
				const struct nslab_live_addr *ad = &nodes[k].addrs[i];
				if (ad->family != family || ad->lo != want_lo || host_local(ad))
					continue;
				inet_ntop(family, ad->addr, a, sizeof(a));
				strbuf_add(&buf, &len, a, nodes[k].name);
			}
	}
	return buf;
}

/* Rewrite path in place: the same inode stays bind-mounted in every node. */
static int rewrite_in_place(const char *path, const char *data, struct nslab_err *err)
{
	_cleanup_close_ int fd = open(path, O_WRONLY | O_CLOEXEC);
	size_t len = strlen(data), off = 0;

	if (fd < 0)
		return nslab_err_sys(err, errno, "opening %s", path);
	while (off < len) {
		ssize_t w = pwrite(fd, data + off, len - off, (off_t)off);
		if (w < 0)
			return nslab_err_sys(err, errno, "writing %s", path);
		off += (size_t)w;
	}
	if (ftruncate(fd, (off_t)len) < 0)
		return nslab_err_sys(err, errno, "truncating %s", path);
	return 0;
}

void nslab_live_node_addrs(struct nslab_live_node *n, const struct nslab_nl_addr_info *ai, size_t nai)
{
	for (size_t i = 0; i < nai; i++) {
		struct nslab_live_addr *a;
		if (ai[i].family != AF_INET && ai[i].family != AF_INET6)
			continue;
		a = VEC_PUSH(n->addrs, n->naddrs);
		a->family = ai[i].family;
		memcpy(a->addr, ai[i].addr, ai[i].family == AF_INET ? 4 : 16);
		a->lo = ai[i].ifindex == NSLAB_IFINDEX_LO;
	}
}

int nslab_live_hosts_write(const char *lab, const char *text, struct nslab_err *err)
{
	_cleanup_free_ char *path = nslab_lab_path(lab, "hosts");

	return rewrite_in_place(path, text, err);
}

int nslab_live_hosts_refresh(const struct nslab_topo *t, const char *lab, const pid_t *pids, struct nslab_err *err)
{
	struct nslab_live_node *nodes = xcalloc(t->nnodes + 1, sizeof(*nodes));
	_cleanup_free_ char *path = nslab_lab_path(lab, "hosts");
	_cleanup_free_ char *text = NULL;
	int r = 0;

	for (size_t n = 0; n < t->nnodes && r == 0; n++) {
		struct nslab_nl *nl = NULL;
		struct nslab_nl_addr_info *ai = NULL;
		size_t nai = 0;
		nodes[n].name = t->nodes[n].name;
		r = open_node_nl(pids[n], t->nodes[n].name, &nl, err);
		if (r == 0) {
			r = nslab_nl_dump_addrs(nl, &ai, &nai, err);
			if (r < 0)
				nslab_err_prefix(err, "node %s: reading its addresses", t->nodes[n].name);
			nslab_nl_close(nl);
		}
		if (r == 0)
			nslab_live_node_addrs(&nodes[n], ai, nai);
		free(ai);
	}
	if (r == 0) {
		text = nslab_hosts_build_live(lab, nodes, t->nnodes);
		r = rewrite_in_place(path, text, err);
	}
	for (size_t n = 0; n < t->nnodes; n++)
		free(nodes[n].addrs);
	free(nodes);
	return r;
}
