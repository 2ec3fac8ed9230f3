// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * bench/floor.c: the floor of the benchmark: the kernel work of a lab done as plainly as possible,
 * to compare nslab with. No topology file, no state, no journal, no mounts, no parallelism:
 *   1. N node processes, each clone()d with CLONE_NEWNET|NEWNS|NEWPID|NEWUTS|NEWIPC (nslab's set)
 *      and then just pause()ing; with --fds, namespaces held by file descriptors instead (no process);
 *   2. star only: the bridge in the switch's namespace;
 *   3. one batch of every veth pair, each born with both ends in their namespaces (RTM_NEWLINK with
 *      IFLA_NET_NS_FD for both ends, final names and ifindexes), sent from our namespace;
 *   4. per namespace, one batch on a socket opened in it: lo up, the peer ends up, the addresses.
 * Teardown: SIGKILL every node, reap them, close the fds; then wait until the kernel has freed
 * them (a witness, see bench.h). Netlink goes through nslab's batch builder (netlink/nl.h, a thin
 * layer over libmnl), so both sides send the same bytes.
 *
 *   floor [--fds] chain|star|tree N
 * prints one line: deploy_ms= (ns_ms= veth_ms= addr_ms= its phases) destroy_ms= gone_ms= nodes= links=
 *   maxrss_kb= pss_kb=
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../netlink/nl.h"
#include "bench.h"

#define NSFLAGS (CLONE_NEWNS | CLONE_NEWNET | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWPID)

struct fl_end {
	size_t node;
	int ifindex;
	char ifname[16];
	uint32_t addr; /* network order, 0 = none */
	unsigned plen;
};

struct fl_link {
	struct fl_end e[2]; /* e[0] is the main end (born up, enslaved for the star) */
};

static size_t nnodes, nlinks;
static struct fl_link *links;
static int *next_ifindex;

static void die(const char *what, int e)
{
	fprintf(stderr, "floor: %s: %s\n", what, strerror(e));
	exit(1);
}

static void add_link(size_t a, const char *an, uint32_t aa, size_t b, const char *bn, uint32_t ba, unsigned plen)
{
	struct fl_link *l = &links[nlinks++];

	l->e[0] = (struct fl_end){ .node = a, .ifindex = next_ifindex[a]++, .addr = aa, .plen = plen };
	l->e[1] = (struct fl_end){ .node = b, .ifindex = next_ifindex[b]++, .addr = ba, .plen = plen };
	snprintf(l->e[0].ifname, sizeof(l->e[0].ifname), "%s", an);
	snprintf(l->e[1].ifname, sizeof(l->e[1].ifname), "%s", bn);
}

static uint32_t ip4(unsigned a, unsigned b, unsigned c, unsigned d)
{
	return htonl((a << 24) | (b << 16) | (c << 8) | d);
}

/* The labs of gen.sh, node for node, address for address. Node 0 of the star is the switch. */
static void build_topology(const char *topo, size_t n)
{
	char name[16];

	nnodes = strcmp(topo, "star") == 0 ? n + 1 : n;
	links = calloc(nnodes, sizeof(*links));
	next_ifindex = calloc(nnodes, sizeof(int));
	for (size_t i = 0; i < nnodes; i++)
		next_ifindex[i] = 2; /* lo is 1 */
	if (strcmp(topo, "chain") == 0) {
		for (size_t i = 1; i < n; i++)
			add_link(i - 1, "e1", ip4(10, i / 250, i % 250, 1), i, "e0", ip4(10, i / 250, i % 250, 2), 30);
	} else if (strcmp(topo, "tree") == 0) {
		for (size_t i = 2; i <= n; i++)
			add_link(i / 2 - 1, i % 2 ? "c1" : "c0", ip4(10, i / 250, i % 250, 1), i - 1, "up",
				 ip4(10, i / 250, i % 250, 2), 30);
	} else if (strcmp(topo, "star") == 0) {
		next_ifindex[0] = 3; /* the bridge is 2 */
		for (size_t i = 1; i <= n; i++) {
			snprintf(name, sizeof(name), "p%zu", i);
			add_link(0, name, 0, i, "eth0", ip4(10, 0, i / 250, i % 250 + 1), 16);
		}
	} else {
		fprintf(stderr, "floor: unknown topology %s\n", topo);
		exit(2);
	}
}

static void send_or_die(struct nslab_nl *nl, struct nslab_nlb *b)
{
	struct nslab_err err = { 0 };

	if (nslab_nlb_count(b) && nslab_nl_send(nl, b, &err) < 0) {
		fprintf(stderr, "floor: %s\n", err.msg);
		exit(1);
	}
}

static struct nslab_nl *open_or_die(int netns_fd)
{
	struct nslab_err err = { 0 };
	struct nslab_nl *nl = NULL;

	if (nslab_nl_open(&nl, netns_fd, &err) < 0) {
		fprintf(stderr, "floor: %s\n", err.msg);
		exit(1);
	}
	return nl;
}

/* 1. a namespace per node: held by a paused child, or (fds_only) by an fd alone */
static void make_namespaces(bool fds_only, int self, int *pids, int *nsfd)
{
	for (size_t i = 0; i < nnodes; i++) {
		if (fds_only) {
			if (unshare(CLONE_NEWNET) < 0)
				die("unshare", errno);
			nsfd[i] = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
			if (setns(self, CLONE_NEWNET) < 0)
				die("setns", errno);
			continue;
		}
		pid_t pid = (pid_t)syscall(SYS_clone, NSFLAGS | SIGCHLD, NULL, NULL, NULL, NULL);
		if (pid < 0)
			die("clone", errno);
		if (pid == 0) {
			prctl(PR_SET_PDEATHSIG, SIGKILL);
			for (;;)
				pause();
		}
		char path[64];
		pids[i] = pid;
		snprintf(path, sizeof(path), "/proc/%d/ns/net", pid);
		nsfd[i] = open(path, O_RDONLY | O_CLOEXEC);
		if (nsfd[i] < 0)
			die(path, errno);
	}
}

/* 2. the bridge (star), 3. every veth pair in one batch; the time after 3 in *t_veth */
static void make_links(bool star, const int *nsfd, double t0, double *t_veth)
{
	struct nslab_nlb *b = nslab_nlb_new();
	struct nslab_nl *nl;

	if (star) {
		nl = open_or_die(nsfd[0]);
		nslab_nlb_bridge_add(b, "sw", 2, 0, false, true, "bridge");
		send_or_die(nl, b);
		nslab_nl_close(nl);
		nslab_nlb_reset(b);
	}
	for (size_t i = 0; i < nlinks; i++) {
		const struct fl_link *l = &links[i];
		struct nslab_nl_linkend m = { .ifname = l->e[0].ifname, .ifindex = l->e[0].ifindex,
					      .netns_fd = nsfd[l->e[0].node], .up = true, .queues = NSLAB_VETH_QUEUES,
					      .master_ifindex = star ? 2 : 0 };
		struct nslab_nl_linkend p = { .ifname = l->e[1].ifname, .ifindex = l->e[1].ifindex,
					      .netns_fd = nsfd[l->e[1].node], .queues = NSLAB_VETH_QUEUES };
		nslab_nlb_veth_add(b, &m, &p, "veth");
	}
	nl = open_or_die(-1);
	send_or_die(nl, b);
	nslab_nl_close(nl);
	nslab_nlb_free(b);
	*t_veth = bench_now_ms() - t0;
}

/* 4. per namespace: lo up, peer ends up, addresses (links are grouped by node) */
static void make_l3(const int *nsfd)
{
	struct nslab_nlb **per = calloc(nnodes, sizeof(*per));

	for (size_t i = 0; i < nnodes; i++) {
		per[i] = nslab_nlb_new();
		nslab_nlb_link_set(per[i], 1, 1, 0, -1, "lo up");
	}
	for (size_t i = 0; i < nlinks; i++)
		for (int k = 0; k < 2; k++) {
			const struct fl_end *e = &links[i].e[k];
			if (k == 1)
				nslab_nlb_link_set(per[e->node], e->ifindex, 1, 0, -1, "peer up");
			if (e->addr)
				nslab_nlb_addr_add(per[e->node], e->ifindex, AF_INET, &e->addr, e->plen, "address");
		}
	for (size_t i = 0; i < nnodes; i++) {
		struct nslab_nl *nl = open_or_die(nsfd[i]);
		send_or_die(nl, per[i]);
		nslab_nl_close(nl);
		nslab_nlb_free(per[i]);
	}
	free(per);
}

/* Kills the nodes and closes the fds; the command's time in *t_destroy, until the kernel freed
 * every namespace (witnesses gone) in *t_gone. false when some outlived 120 s. */
static bool teardown(bool fds_only, int *pids, int *nsfd, struct bench_witness *w, double *t_destroy, double *t_gone)
{
	double t0 = bench_now_ms();
	long left;

	for (size_t i = 0; i < nnodes && !fds_only; i++)
		kill(pids[i], SIGKILL);
	for (size_t i = 0; i < nnodes && !fds_only; i++)
		while (waitpid(pids[i], NULL, 0) < 0 && errno == EINTR)
			;
	for (size_t i = 0; i < nnodes; i++)
		close(nsfd[i]);
	*t_destroy = bench_now_ms() - t0;
	left = bench_witness_wait(w, 120000);
	*t_gone = bench_now_ms() - t0;
	bench_witness_close(w);
	if (left != 0)
		fprintf(stderr, "floor: %ld namespaces still alive after 120 s\n", left);
	return left == 0;
}

int main(int argc, char **argv)
{
	bool fds_only = false, star;
	int *pids, *nsfd, self;
	double t0, t_ns, t_veth, t_deploy, t_destroy, t_gone;
	struct bench_witness w;
	struct rlimit rl;
	struct rusage ru;
	long pss = -1;

	if (argc > 1 && strcmp(argv[1], "--fds") == 0) {
		fds_only = true;
		argv++;
		argc--;
	}
	if (argc != 3) {
		fprintf(stderr, "usage: floor [--fds] chain|star|tree N\n");
		return 2;
	}
	star = strcmp(argv[1], "star") == 0;
	build_topology(argv[1], strtoul(argv[2], NULL, 10));
	pids = calloc(nnodes, sizeof(int));
	nsfd = calloc(nnodes, sizeof(int));
	self = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}

	t0 = bench_now_ms();
	make_namespaces(fds_only, self, pids, nsfd);
	t_ns = bench_now_ms() - t0;
	make_links(star, nsfd, t0, &t_veth);
	make_l3(nsfd);
	t_deploy = bench_now_ms() - t0;

	if (!fds_only)
		pss = bench_pss_kb(pids, nnodes);
	if (bench_witness_plant(&w, nsfd, nnodes) < 0)
		return 1;
	if (!teardown(fds_only, pids, nsfd, &w, &t_destroy, &t_gone))
		return 1;
	getrusage(RUSAGE_SELF, &ru);
	printf("deploy_ms=%.1f ns_ms=%.1f veth_ms=%.1f addr_ms=%.1f destroy_ms=%.1f gone_ms=%.1f nodes=%zu links=%zu "
	       "maxrss_kb=%ld pss_kb=%ld\n",
	       t_deploy, t_ns, t_veth - t_ns, t_deploy - t_veth, t_destroy, t_gone, nnodes, nlinks, ru.ru_maxrss, pss);
	return 0;
}
