// SPDX-License-Identifier: GPL-2.0-or-later
/* cli/cmd-list.c: `nslab list [--json]`: the deployed labs. */
#include <stdio.h>

#include "../core/lab.h"
#include "../util/json.h"
#include "../util/util.h"
#include "cli.h"

extern const struct cli_cmd cli_cmd_list;

static int cmd_list(int argc, char **argv)
{
	struct nslab_err err = { 0 };
	int nargs;
	bool json = cli_want_json(argc, argv, &nargs);
	_cleanup_json_ json_t *labs = NULL;
	json_t *l;
	size_t i;

	if (nargs)
		return cli_usage_error(&cli_cmd_list, "unexpected argument '%s'", argv[1]);
	labs = nslab_lab_list(&err);
	if (!labs)
		return cli_fail(&err);
	if (json) {
		cli_print_json(labs);
		return EXIT_OK;
	}
	printf("%-20s %-11s %-6s %-6s %-21s %s\n", "LAB", "STATUS", "NODES", "LINKS", "CREATED", "FILE");
	json_array_foreach(labs, i, l) {
		printf("%-20s %-11s %-6lld %-6lld %-21s %s\n", json_string_value(json_object_get(l, "name")),
		       json_string_value(json_object_get(l, "status")),
		       (long long)json_integer_value(json_object_get(l, "nodes")),
		       (long long)json_integer_value(json_object_get(l, "links")),
		       json_string_value(json_object_get(l, "created")) ?: "-",
		       json_string_value(json_object_get(l, "file")) ?: "-");
	}
	return EXIT_OK;
}

const struct cli_cmd cli_cmd_list = {
	"list", "[--json]", "list deployed labs", "  --json  machine-readable output\n", cmd_list,
};
