// SPDX-License-Identifier: GPL-2.0-or-later
/* cli/cmd-iperf.c: `nslab iperf LAB A B` (core/iperf.c): iperf3 from A to B, the rate reported. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "../core/iperf.h"
#include "../util/util.h"
#include "cli.h"

static void print_rate(const char *what, double bps)
{
	if (bps >= 1e9)
		printf("%s%.2f Gbit/s", what, bps / 1e9);
	else if (bps >= 1e6)
		printf("%s%.2f Mbit/s", what, bps / 1e6);
	else
		printf("%s%.1f kbit/s", what, bps / 1e3);
}

/* The options into io (and *json); EXIT_OK or a usage error's status. */
static int iperf_parse(const struct cli_cmd *c, int argc, char **argv, struct nslab_iperf_opts *io, bool *json)
{
	static const struct option opts[] = { { "udp", no_argument, NULL, 'u' },
					      { "time", required_argument, NULL, 't' },
					      { "bitrate", required_argument, NULL, 'b' },
					      { "port", required_argument, NULL, 'p' },
					      { "json", no_argument, NULL, 'j' },
					      { 0 } };
	char *end;
	long v;
	int o;

	optind = 1;
	while ((o = getopt_long(argc, argv, "ut:b:p:", opts, NULL)) != -1) {
		switch (o) {
		case 'u':
			io->udp = true;
			break;
		case 't':
			v = strtol(optarg, &end, 10);
			if (*end || v < 1 || v > 3600)
				return cli_usage_error(c, "--time wants whole seconds from 1 to 3600");
			io->seconds = (unsigned)v;
			break;
		case 'b':
			io->bitrate = optarg;
			break;
		case 'p':
			v = strtol(optarg, &end, 10);
			if (*end || v < 1 || v > 65535)
				return cli_usage_error(c, "--port wants a port number");
			io->port = (unsigned)v;
			break;
		case 'j':
			*json = true;
			break;
		default:
			return cli_usage_error(c, "bad option");
		}
	}
	if (argc - optind != 3)
		return cli_usage_error(c, "expects LAB CLIENT SERVER");
	io->client = argv[optind + 1];
	io->server = argv[optind + 2];
	return EXIT_OK;
}

static void iperf_print(const char *lab, const struct nslab_iperf_opts *io, const struct nslab_iperf_result *res,
			bool json)
{
	if (json) {
		json_t *j = json_pack("{s:s, s:s, s:s, s:s, s:s, s:i, s:f, s:f}", "lab", lab, "client", io->client,
				      "server", io->server, "address", res->address, "protocol", io->udp ? "udp" : "tcp",
				      "seconds", io->seconds, "sent_bps", res->sent_bps, "received_bps", res->received_bps);
		if (io->udp) {
			json_object_set_new(j, "lost_percent", json_real(res->lost_percent));
			json_object_set_new(j, "jitter_ms", json_real(res->jitter_ms));
		} else {
			json_object_set_new(j, "retransmits", json_integer(res->retransmits));
		}
		json_dumpf(j, stdout, JSON_INDENT(2));
		putchar('\n');
		json_decref(j);
		return;
	}
	printf("%s -> %s (%s), %s, %u s: ", io->client, io->server, res->address, io->udp ? "UDP" : "TCP", io->seconds);
	print_rate("", res->received_bps);
	print_rate(" received, ", res->sent_bps);
	if (io->udp)
		printf(" sent, %.2f%% lost, jitter %.3f ms\n", res->lost_percent, res->jitter_ms);
	else
		printf(" sent, %lld retransmits\n", res->retransmits);
}

int cmd_iperf(int argc, char **argv)
{
	struct nslab_iperf_opts io = { .seconds = 3 };
	struct nslab_iperf_result res;
	struct nslab_err err = { 0 };
	bool json = false;
	int r;

	r = iperf_parse(cli_find("iperf"), argc, argv, &io, &json);
	if (r != EXIT_OK)
		return r;
	r = nslab_iperf_run(argv[optind], &io, &res, &err);
	if (r < 0) {
		fprintf(stderr, "nslab: iperf %s -> %s: %s\n", io.client, io.server, err.msg);
		json_decref(res.client);
		return EXIT_FAIL;
	}
	iperf_print(argv[optind], &io, &res, json);
	json_decref(res.client);
	return EXIT_OK;
}

const struct cli_cmd cli_cmd_iperf = {
	"iperf", "LAB CLIENT SERVER [--udp] [--time S] [--bitrate R] [--port P] [--json]",
	"measure the rate between two nodes with iperf3",
	"  -u, --udp          UDP instead of TCP\n"
	"  -t, --time S       seconds of traffic (default 3)\n"
	"  -b, --bitrate R    iperf3's target rate (UDP: default 1M), e.g. 10M\n"
	"  -p, --port P       the server's port (default 5201)\n"
	"  --json             machine-readable output\n"
	"Starts an iperf3 server in SERVER, runs the client in CLIENT against SERVER's first IPv4\n"
	"address (else IPv6), reports the rate the server received (and what was sent), and\n"
	"ends the server by its pid if it is still there. Needs iperf3 on the host.\n",
	cmd_iperf,
};
