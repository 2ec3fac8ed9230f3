// SPDX-License-Identifier: GPL-2.0-or-later
/* cli/cmd-pingall.c: `nslab pingall LAB` (core/pingall.c): a matrix of received/sent per pair and the
 * loss total; exit 1 on any loss. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "../core/pingall.h"
#include "../util/util.h"
#include "cli.h"

/* The cell of src -> dst: "3/3", "-" on the diagonal, "" when the pair was not asked for. */
static void cell(const struct nslab_pingall *res, size_t src, size_t dst, char *buf, size_t size)
{
	snprintf(buf, size, "%s", src == dst ? "-" : "");
	for (size_t i = 0; i < res->npairs; i++)
		if (res->pairs[i].src == src && res->pairs[i].dst == dst)
			snprintf(buf, size, "%u/%u", res->pairs[i].received, res->pairs[i].sent);
}

static void print_matrix(const struct nslab_pingall *res)
{
	int w = 5;
	char buf[32];

	for (size_t i = 0; i < res->nnodes; i++)
		if ((int)strlen(res->nodes[i]) > w)
			w = (int)strlen(res->nodes[i]);
	printf("%-*s", w + 4, "from \\ to");
	for (size_t d = 0; d < res->nnodes; d++)
		printf(" %*s", w, res->nodes[d]);
	putchar('\n');
	for (size_t s = 0; s < res->nnodes; s++) {
		bool any = false;
		for (size_t i = 0; i < res->npairs; i++)
			any |= res->pairs[i].src == s;
		if (!any)
			continue;
		printf("%-*s", w + 4, res->nodes[s]);
		for (size_t d = 0; d < res->nnodes; d++) {
			cell(res, s, d, buf, sizeof(buf));
			printf(" %*s", w, buf);
		}
		putchar('\n');
	}
}

int cmd_pingall(int argc, char **argv)
{
	const struct cli_cmd *c = cli_find("pingall");
	static const struct option opts[] = { { "count", required_argument, NULL, 'c' },
					      { "pairs", required_argument, NULL, 'p' },
					      { "json", no_argument, NULL, 'j' },
					      { 0 } };
	struct nslab_err err = { 0 };
	struct nslab_pingall res;
	const char *pairs = NULL;
	unsigned count = 1;
	bool json = false;
	int o, r;

	optind = 1;
	while ((o = getopt_long(argc, argv, "c:p:", opts, NULL)) != -1) {
		switch (o) {
		case 'c': {
			char *end;
			long v = strtol(optarg, &end, 10);
			if (*end || v < 1 || v > 1000)
				return cli_usage_error(c, "--count wants a number from 1 to 1000");
			count = (unsigned)v;
			break;
		}
		case 'p':
			pairs = optarg;
			break;
		case 'j':
			json = true;
			break;
		default:
			return cli_usage_error(c, "bad option");
		}
	}
	if (argc - optind != 1)
		return cli_usage_error(c, "expects LAB");
	r = nslab_pingall_run(argv[optind], pairs, count, 0, &res, &err);
	if (r < 0) {
		fprintf(stderr, "nslab: %s\n", err.msg);
		nslab_pingall_free(&res);
		return EXIT_FAIL;
	}
	if (json) {
		json_t *j = nslab_pingall_to_json(&res);
		json_object_set_new(j, "lab", json_string(argv[optind]));
		json_object_set_new(j, "count", json_integer(count));
		json_dumpf(j, stdout, JSON_INDENT(2) | JSON_REAL_PRECISION(6));
		putchar('\n');
		json_decref(j);
	} else {
		print_matrix(&res);
		printf("pingall: %zu pairs, %u sent, %u received, %.1f%% loss\n", res.npairs, res.sent, res.received,
		       res.sent ? 100.0 * (res.sent - res.received) / res.sent : 0.0);
	}
	r = res.received < res.sent ? EXIT_FAIL : EXIT_OK;
	nslab_pingall_free(&res);
	return r;
}

const struct cli_cmd cli_cmd_pingall = {
	"pingall", "LAB [--count N] [--pairs A:B,...] [--json]", "every node with an address pings every other",
	"  -c, --count N       echo requests per pair (default 1)\n"
	"  -p, --pairs A:B,... only these pairs (A pings B)\n"
	"  --json              machine-readable output (every pair's counts, totals)\n"
	"A node is pinged at its first IPv4 address (else IPv6, else its loopback's); nodes without\n"
	"one (bridges) take no part. Pings run in the nodes, 16 at once. Prints a matrix of\n"
	"received/sent and the loss total; exits 1 on any loss.\n",
	cmd_pingall,
};
