// SPDX-License-Identifier: GPL-2.0-or-later
/* cli/cmd-generate.c: `nslab generate SHAPE ARGS` (topologies/generate.c): a topology file on stdout. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "../topologies/generate.h"
#include "../util/util.h"
#include "cli.h"

int cmd_generate(int argc, char **argv)
{
	const struct cli_cmd *c = cli_find("generate");
	static const struct option opts[] = { { "name", required_argument, NULL, 'n' }, { 0 } };
	struct nslab_err err = { 0 };
	const char *name = NULL;
	char *yaml;
	int o;

	optind = 1;
	/* "+": options only before SHAPE, so that nothing after it is read as one */
	while ((o = getopt_long(argc, argv, "+n:", opts, NULL)) != -1) {
		if (o == 'n')
			name = optarg;
		else
			return cli_usage_error(c, "bad option");
	}
	if (optind >= argc)
		return cli_usage_error(c, "expects a shape: chain, ring, star, tree, clos or fat-tree");
	if (nslab_generate(argv[optind], argv + optind + 1, (size_t)(argc - optind - 1), name, &yaml, &err) < 0)
		return cli_usage_error(c, "%s", err.msg);
	fputs(yaml, stdout);
	free(yaml);
	return EXIT_OK;
}

const struct cli_cmd cli_cmd_generate = {
	"generate", "[--name LAB] chain N | ring N | star N | tree DEPTH FANOUT | clos SPINES LEAVES [HOSTS] | fat-tree K",
	"print a standard topology file (addresses and routes included)",
	"  -n, --name LAB  the lab's name (default: the shape and its numbers, e.g. ring4)\n"
	"  chain N                      N routers in a line\n"
	"  ring N                       N routers in a ring\n"
	"  star N                       N hosts on one bridge, one subnet (10.0.0.0/16)\n"
	"  tree DEPTH FANOUT            routers DEPTH levels deep, FANOUT children each, FANOUT hosts\n"
	"                               under each router of the last level\n"
	"  clos SPINES LEAVES [HOSTS]   leaf-spine: each leaf linked to every spine, HOSTS (1) per leaf\n"
	"  fat-tree K                   k-ary fat-tree: (K/2)^2 cores, K pods, K^3/4 hosts (K even)\n"
	"Each link gets its own /24 (10.X.Y.1 and .2) and every router static routes along\n"
	"shortest paths, hosts a default route: every node reaches every other (nslab pingall).\n"
	"Example: nslab generate ring 4 > ring4.clab.yml && nslab deploy ring4.clab.yml\n",
	cmd_generate,
};
