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
