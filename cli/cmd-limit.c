// SPDX-License-Identifier: GPL-2.0-or-later
/* cli/cmd-limit.c: `nslab limit LAB NODE --cpu 0.2 ...`: change a running node's resource limits. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/cgroup.h"
#include "../core/lab.h"
#include "../topologies/model.h"
#include "../util/json.h"
#include "../util/util.h"
#include "cli.h"

extern const struct cli_cmd cli_cmd_limit;

/* "none", "max" or "0": no limit. Not for --cpu-set, where "0" is CPU 0. */
static bool is_none(const char *s)
{
	return strcmp(s, "none") == 0 || strcmp(s, "max") == 0 || strcmp(s, "0") == 0;
}

static int cmd_limit(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "cpu", required_argument, NULL, 'c' },    { "cpu-set", required_argument, NULL, 's' },
		{ "memory", required_argument, NULL, 'm' }, { "cpu-weight", required_argument, NULL, 'w' },
		{ "pids", required_argument, NULL, 'p' },   { "net-cls", required_argument, NULL, 'n' },
		{ 0 },
	};
	const struct cli_cmd *c = &cli_cmd_limit;
	struct nslab_limits lim = { 0 };
	struct nslab_err err = { 0 };
	_cleanup_json_ json_t *j = NULL;
	_cleanup_free_ char *text = NULL;
	unsigned mask = 0;
	int o, r;

	cli_getopt_reset();
	while ((o = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
		char *end = NULL;
		switch (o) {
		case 'c':
			mask |= NSLAB_CG_F_CPU;
			if (is_none(optarg))
				break;
			lim.cpu = strtod(optarg, &end);
			if (!end || *end || !(lim.cpu > 0))
				return cli_usage_error(c, "--cpu takes a number of cores > 0 (e.g. 0.5), or none");
			break;
		case 's':
			mask |= NSLAB_CG_F_CPUSET;
			lim.cpuset = strcmp(optarg, "none") == 0 ? NULL : optarg;
			if (lim.cpuset && !*lim.cpuset)
				return cli_usage_error(c, "--cpu-set takes a CPU list such as 0-1,3, or none");
			break;
		case 'm':
			mask |= NSLAB_CG_F_MEMORY;
			if (!is_none(optarg) && nslab_parse_size_bytes(optarg, &lim.memory_bytes) < 0)
				return cli_usage_error(c, "--memory takes a size such as 256Mb or 1g, or none");
			break;
		case 'w':
			mask |= NSLAB_CG_F_CPU_WEIGHT;
			lim.cpu_weight = (unsigned)strtoul(optarg, &end, 10);
			if (!end || *end || lim.cpu_weight > 10000)
				return cli_usage_error(c, "--cpu-weight takes 1..10000 (0 or none: the default)");
			break;
		case 'p':
			mask |= NSLAB_CG_F_PIDS;
			if (is_none(optarg))
				break;
			lim.pids = strtoul(optarg, &end, 10);
			if (!end || *end || !lim.pids)
				return cli_usage_error(c, "--pids takes a number of processes >= 1, or none");
			break;
		case 'n':
			mask |= NSLAB_CG_F_NET_CLS;
			if (strcmp(optarg, "auto") == 0)
				lim.net_cls_auto = true;
			else if (!is_none(optarg) && nslab_parse_classid(optarg, &lim.net_cls) < 0)
				return cli_usage_error(c, "--net-cls takes a classid (0x00100001 or 10:1), auto, or none");
			break;
		default:
			return cli_bad_option(c, argv, o);
		}
	}
	if (argc - optind != 2)
		return cli_usage_error(c, "expects LAB NODE and at least one limit");
	if (!mask)
		return cli_usage_error(c, "no limit given (see nslab limit --help)");
	r = nslab_lab_set_limits(argv[optind], argv[optind + 1], &lim, mask, &err);
	if (r < 0)
		return cli_fail_node(argv[optind], &err);
	j = nslab_limits_to_json(&lim);
	text = cli_limits_text(j, mask);
	printf("%s of lab %s: %s\n", argv[optind + 1], argv[optind], text);
	return EXIT_OK;
}

const struct cli_cmd cli_cmd_limit = {
	"limit", "LAB NODE [--cpu N] [--cpu-set LIST] [--memory SIZE] [--cpu-weight N] [--pids N] [--net-cls ID]",
	"change a running node's resource limits (cgroups)",
	"  --cpu N          cores (0.5 = half of one core); none removes the limit\n"
	"  --cpu-set LIST   CPUs the node may use (\"0\", \"0-1\", \"0,2\"); none removes the set\n"
	"  --memory SIZE    memory limit (256Mb, 1g); past it the kernel OOM-kills inside the node\n"
	"  --cpu-weight N   relative CPU share, 1..10000 (100 = default)\n"
	"  --pids N         most processes the node may have\n"
	"  --net-cls ID     classid for tc's classful qdiscs (0x00100001, 10:1, auto, none): the v1\n"
	"                   net_cls controller, or on cgroup v2 hosts the packets' priority (nftables)\n"
	"Limits not named keep their value; prints the limits it set (none: removed).\n"
	"nslab inspect shows limits and usage.\n",
	cmd_limit,
};
