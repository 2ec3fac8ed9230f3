// SPDX-License-Identifier: GPL-2.0-or-later
/* bench/witness.c: the witness namespace (see bench.h) and the PSS sum, for floor.c and nsbench.c. */
#include "bench.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../netlink/nl.h"

int bench_witness_plant(struct bench_witness *w, const int *fds, size_t n)
{
	struct nslab_err err = { 0 };
	struct nslab_nlb *b = nslab_nlb_new();
	struct nslab_nl *nl = NULL;
	int self, r;

	w->netns_fd = -1;
	w->count = 0;
	self = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	if (self < 0 || unshare(CLONE_NEWNET) < 0)
		return fprintf(stderr, "witness: unshare: %s\n", strerror(errno)), -errno;
	w->netns_fd = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	if (setns(self, CLONE_NEWNET) < 0)
		abort();
	close(self);
	for (size_t i = 0; i < n; i++) {
		char peer[16];
		snprintf(peer, sizeof(peer), "w%u", (unsigned)(i % 100000000));
		struct nslab_nl_linkend m = { .ifname = "witness", .netns_fd = fds[i] };
		struct nslab_nl_linkend p = { .ifname = peer, .netns_fd = w->netns_fd };
		nslab_nlb_veth_add(b, &m, &p, "witness veth");
	}
	r = nslab_nl_open(&nl, -1, &err);
	if (r == 0)
		r = nslab_nl_send(nl, b, &err);
	if (r < 0)
		fprintf(stderr, "witness: %s\n", err.msg);
	nslab_nl_close(nl);
	nslab_nlb_free(b);
	if (r == 0)
		w->count = n;
	return r;
}

long bench_witness_left(struct bench_witness *w)
{
	struct nslab_err err = { 0 };
	struct nslab_nl *nl = NULL;
	struct nslab_nl_link_info *links = NULL;
	size_t n = 0;
	long left = 0;

	if (nslab_nl_open(&nl, w->netns_fd, &err) < 0 || nslab_nl_dump_links(nl, &links, &n, &err) < 0) {
		fprintf(stderr, "witness: %s\n", err.msg);
		nslab_nl_close(nl);
		return -1;
	}
	for (size_t i = 0; i < n; i++)
		left += links[i].ifindex != 1;
	free(links);
	nslab_nl_close(nl);
	return left;
}

long bench_witness_wait(struct bench_witness *w, double timeout_ms)
{
	double t0 = bench_now_ms();
	long left;

	while ((left = bench_witness_left(w)) > 0 && bench_now_ms() - t0 < timeout_ms)
		usleep(1000);
	return left;
}

void bench_witness_close(struct bench_witness *w)
{
	if (w->netns_fd >= 0)
		close(w->netns_fd);
	w->netns_fd = -1;
}

long bench_pss_kb(const int *pids, size_t n)
{
	long total = 0;

	for (size_t i = 0; i < n; i++) {
		char path[64], line[256];
		FILE *f;
		long kb = -1;
		snprintf(path, sizeof(path), "/proc/%d/smaps_rollup", pids[i]);
		f = fopen(path, "re");
		if (!f)
			return -1;
		while (fgets(line, sizeof(line), f))
			if (sscanf(line, "Pss: %ld kB", &kb) == 1)
				break;
		fclose(f);
		if (kb < 0)
			return -1;
		total += kb;
	}
	return total;
}
