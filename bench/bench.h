/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * bench/bench.h: what floor.c and nsbench.c share: a clock, and the "witness" that tells when the
 * kernel has really freed a set of network namespaces.
 *
 * Namespace teardown is asynchronous: the last reference to a netns only queues it for the kernel's
 * cleanup_net work item, which later unregisters every device in it (in batches of all namespaces
 * queued meanwhile). To see that moment, the bench creates, before the destroy, one veth per
 * namespace whose peer lives in a "witness" namespace the bench holds. When the kernel unregisters
 * the devices of a dying namespace it deletes both ends of each veth (veth_dellink), so the peer
 * vanishes from the witness namespace exactly when that namespace's interfaces are gone. An empty
 * witness (only lo) means every namespace's devices are unregistered; the bench polls it with
 * RTM_GETLINK dumps.
 */
#ifndef NSLAB_BENCH_H
#define NSLAB_BENCH_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

static inline double bench_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

struct bench_witness {
	int netns_fd;	/* the witness namespace, held by this fd */
	size_t count;	/* veths planted */
};

/* Make a witness namespace and plant one veth in each of fds[0..n-1] (peer in the witness).
 * Returns 0 or -errno (message on stderr). The caller may close fds afterwards. */
int bench_witness_plant(struct bench_witness *w, const int *fds, size_t n);
/* Veth peers still in the witness namespace; -1 on error. */
long bench_witness_left(struct bench_witness *w);
/* Poll (1 ms apart) until the witness is empty or timeout_ms passed; returns the number left. */
long bench_witness_wait(struct bench_witness *w, double timeout_ms);
void bench_witness_close(struct bench_witness *w);

/* Sum of Pss (kB) in /proc/PID/smaps_rollup over pids; -1 if one is unreadable. */
long bench_pss_kb(const int *pids, size_t n);

#endif
