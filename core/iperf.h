/* SPDX-License-Identifier: GPL-2.0-or-later */
/* core/iperf.h: an iperf3 run between two nodes of a running lab: the server in one node (ended by
 * pid if it outlives the test), the client in the other; the rates as data for cli/. */
#ifndef NSLAB_CORE_IPERF_H
#define NSLAB_CORE_IPERF_H

#include <jansson.h>
#include <stdbool.h>

#include "../util/err.h"

struct nslab_iperf_opts {
	const char *client, *server; /* node names */
	bool udp;
	unsigned seconds;	/* test length (iperf3 -t), 1..3600 */
	const char *bitrate;	/* iperf3 -b (UDP's target; iperf3's default 1M), or NULL */
	unsigned port;		/* 0 = 5201 */
};

struct nslab_iperf_result {
	char address[64]; /* the server's address the client used */
	double sent_bps, received_bps;
	long long retransmits;	/* TCP */
	double lost_percent, jitter_ms; /* UDP */
	json_t *client;		/* iperf3 -J of the client (caller json_decref()s) */
};

int nslab_iperf_run(const char *lab, const struct nslab_iperf_opts *o, struct nslab_iperf_result *res,
		    struct nslab_err *err);
/* From an iperf3 client's -J output: 0, or -EINVAL (message set) when it reports an error or holds
 * no result. Pure. */
int nslab_iperf_parse(json_t *client, bool udp, struct nslab_iperf_result *res, struct nslab_err *err);

#endif
