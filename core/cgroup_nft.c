// SPDX-License-Identifier: GPL-2.0-or-later
/* core/cgroup_nft.c: net-cls without the v1 net_cls controller: the classid as skb->priority, set by
 * nftables rules (libnftables) in the lab's own network namespaces (contracts in cgroup.h). */
#include "cgroup_int.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <nftables/libnftables.h>

#include "../util/dlib.h"
#include "../util/util.h"
#include "lab.h"
#include "labstate.h"
#include "node.h"

#define NFT_TABLE "nslab_netcls"

bool nslab_cg_netcls_by_nft(const struct nslab_cg_sys *sys)
{
	const char *force = getenv("NSLAB_NET_CLS");

	if (force && strcmp(force, "nftables") == 0)
		return true;
	if (force && strcmp(force, "cgroup") == 0)
		return false;
	return sys->mode == NSLAB_CG_MODE_V2;
}

/* The node's nftables: replace (or, with no rule, remove) our table. */
static void node_script(char **buf, size_t *len, unsigned classid)
{
	_cleanup_fclose_ FILE *f = open_memstream(buf, len);

	fprintf(f, "add table inet " NFT_TABLE "\ndelete table inet " NFT_TABLE "\n");
	if (classid)
		fprintf(f,
			"table inet " NFT_TABLE " {\n"
			"\tchain net-cls {\n"
			"\t\ttype filter hook output priority 0; policy accept;\n"
			"\t\tmeta priority set %x:%x\n"
			"\t}\n}\n",
			classid >> 16, classid & 0xffff);
}

static void bridge_script(char **buf, size_t *len, const struct nslab_cg_port *ports, size_t n)
{
	_cleanup_fclose_ FILE *f = open_memstream(buf, len);
	bool any = false;

	fprintf(f, "add table bridge " NFT_TABLE "\ndelete table bridge " NFT_TABLE "\n");
	for (size_t i = 0; i < n; i++) {
		if (!ports[i].classid)
			continue;
		if (!any)
			fprintf(f, "table bridge " NFT_TABLE " {\n"
				   "\tchain net-cls {\n"
				   "\t\ttype filter hook forward priority 0; policy accept;\n");
		any = true;
		fprintf(f, "\t\tiifname \"%s\" meta priority set %x:%x\n", ports[i].port, ports[i].classid >> 16,
			ports[i].classid & 0xffff);
	}
	if (any)
		fprintf(f, "\t}\n}\n");
}

/* libnftables, loaded on first use (util/dlib.h): only net_cls on a cgroup-v2 host needs it */
static const struct nslab_dlib lib_nftables = { NSLAB_SO_NFTABLES, "libnftables1" };

static struct nftables_syms {
	__typeof__(&nft_ctx_new) nft_ctx_new;
	__typeof__(&nft_ctx_buffer_output) nft_ctx_buffer_output;
	__typeof__(&nft_ctx_buffer_error) nft_ctx_buffer_error;
	__typeof__(&nft_run_cmd_from_buffer) nft_run_cmd_from_buffer;
	__typeof__(&nft_ctx_get_error_buffer) nft_ctx_get_error_buffer;
	__typeof__(&nft_ctx_free) nft_ctx_free;
} nf;

#define NFT_SYM(sym) NSLAB_DSYM(lib_nftables, struct nftables_syms, sym)
static const struct nslab_dsym nft_syms[] = {
	NFT_SYM(nft_ctx_new),		  NFT_SYM(nft_ctx_buffer_output),    NFT_SYM(nft_ctx_buffer_error),
	NFT_SYM(nft_run_cmd_from_buffer), NFT_SYM(nft_ctx_get_error_buffer), NFT_SYM(nft_ctx_free),
};

/* Run an nftables script inside the network namespace netns_fd (the caller's thread goes there and
 * comes back; carrying on in the wrong namespace is never safe, so failing to return aborts). */
static int run_in_netns(int netns_fd, const char *script, const char *what, struct nslab_err *err)
{
	_cleanup_close_ int self = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	struct nft_ctx *nft;
	int r = 0;

	static int bound;
	if (nslab_dlib_bind(&nf, &bound, nft_syms, ARRAY_SIZE(nft_syms), what, err) < 0)
		return -err->code;
	if (self < 0)
		return nslab_err_sys(err, errno, "opening /proc/thread-self/ns/net");
	if (setns(netns_fd, CLONE_NEWNET) < 0)
		return nslab_err_sys(err, errno, "%s: entering its network namespace", what);
	nft = nf.nft_ctx_new(NFT_CTX_DEFAULT);
	if (!nft) {
		r = nslab_err_set(err, ENOMEM, "%s: libnftables gave no context", what);
	} else {
		nf.nft_ctx_buffer_output(nft);
		nf.nft_ctx_buffer_error(nft);
		if (nf.nft_run_cmd_from_buffer(nft, script) != 0) {
			const char *e = nf.nft_ctx_get_error_buffer(nft);
			size_t el = e ? strlen(e) : 0;
			while (el && e[el - 1] == '\n')
				el--;
			r = nslab_err_set(err, EINVAL, "%s: nftables refused the net-cls rule (it needs the "
						       "kernel's nf_tables, and on a bridge nft_meta_bridge): %.*s",
					  what, (int)el, e ? e : "");
		}
		nf.nft_ctx_free(nft);
	}
	if (setns(self, CLONE_NEWNET) < 0)
		abort();
	return r;
}

int nslab_cg_nft_node(int netns_fd, const char *node, unsigned classid, struct nslab_err *err)
{
	_cleanup_free_ char *buf = NULL, *what = xasprintf("node %s", node);
	size_t len = 0;

	node_script(&buf, &len, classid);
	return run_in_netns(netns_fd, buf, what, err);
}

int nslab_cg_nft_bridge(int netns_fd, const char *node, const struct nslab_cg_port *ports, size_t n,
			struct nslab_err *err)
{
	_cleanup_free_ char *buf = NULL, *what = xasprintf("bridge %s", node);
	size_t len = 0;

	bridge_script(&buf, &len, ports, n);
	return run_in_netns(netns_fd, buf, what, err);
}

bool nslab_cg_netcls_lab_nft(const struct nslab_cg_sys *sys, const char *lab)
{
	struct nslab_cg_classid *ids = NULL;
	size_t n = lab ? nslab_cg_classids_of(sys->rundir, lab, &ids) : 0;
	bool nft = n ? ids[0].nft : nslab_cg_netcls_by_nft(sys);

	free(ids);
	return nft;
}

/* A running lab's node namespace, through its journal (pid and start time verified). */
static int netns_of_running(void *ctx, const char *node)
{
	const char *lab = ctx;
	_cleanup_close_ int pidfd = -1;
	int r = nslab_lab_node_open(lab, node, &pidfd, NULL, NULL);

	if (r < 0)
		return r;
	return nslab_pidfd_ns_open(pidfd, nslab_pidfd_pid(pidfd), "net");
}

static unsigned classid_of(const struct nslab_cg_classid *ids, size_t n, const char *node)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(ids[i].node, node) == 0)
			return ids[i].classid;
	return 0;
}

/* The peer node's name of an interface ("peer": "NODE:IF") into buf; false when none. */
static bool peer_node(const struct nslab_st_iface *ifc, char *buf, size_t size)
{
	const char *colon = ifc->peer ? strchr(ifc->peer, ':') : NULL;

	if (!colon || (size_t)(colon - ifc->peer) >= size)
		return false;
	memcpy(buf, ifc->peer, (size_t)(colon - ifc->peer));
	buf[colon - ifc->peer] = '\0';
	return true;
}

/* One node of the lab state: its own rule, or (a bridge) its port rules, when only asks for it. */
static int sync_node(const struct nslab_st_node *sn, const struct nslab_cg_classid *ids, size_t nids,
		     const char *only, int (*netns_open)(void *ctx, const char *node), void *ctx,
		     struct nslab_err *err)
{
	_cleanup_free_ struct nslab_cg_port *ports = NULL;
	_cleanup_close_ int fd = -1;
	char peer[NSLAB_NAME_MAX + 1];
	bool want = false;
	size_t np = 0;

	if (!sn->name || !sn->kind)
		return 0;
	if (strcmp(sn->kind, "bridge") != 0) {
		if (only ? strcmp(only, sn->name) != 0 : !classid_of(ids, nids, sn->name))
			return 0;
		fd = netns_open(ctx, sn->name);
		if (fd < 0)
			return nslab_err_sys(err, -fd, "node %s: opening its network namespace", sn->name);
		return nslab_cg_nft_node(fd, sn->name, classid_of(ids, nids, sn->name), err);
	}
	ports = xcalloc(sn->nifaces + 1, sizeof(*ports));
	for (size_t i = 0; i < sn->nifaces; i++) {
		if (!peer_node(&sn->ifaces[i], peer, sizeof(peer)))
			continue;
		ports[np].port = sn->ifaces[i].name;
		ports[np].classid = classid_of(ids, nids, peer);
		want |= only ? strcmp(only, peer) == 0 : ports[np].classid != 0;
		np++;
	}
	if (!want)
		return 0;
	fd = netns_open(ctx, sn->name);
	if (fd < 0)
		return nslab_err_sys(err, -fd, "bridge %s: opening its network namespace", sn->name);
	return nslab_cg_nft_bridge(fd, sn->name, ports, np, err);
}

int nslab_cg_nft_sync(const struct nslab_cg_sys *sys, const char *lab, const struct nslab_lab_state *state,
		      const char *only, int (*netns_open)(void *ctx, const char *node), void *ctx,
		      struct nslab_err *err)
{
	_cleanup_free_ struct nslab_cg_classid *ids = NULL;
	size_t nids;
	int r;

	if (!nslab_cg_netcls_lab_nft(sys, lab))
		return 0;
	if (!netns_open) {
		netns_open = netns_of_running;
		ctx = (void *)lab;
	}
	nids = nslab_cg_classids_of(sys->rundir, lab, &ids);
	for (size_t i = 0; i < state->nnodes; i++) {
		r = sync_node(&state->nodes[i], ids, nids, only, netns_open, ctx, err);
		if (r < 0)
			return nslab_err_prefix(err, "net-cls by nftables");
	}
	return 0;
}
