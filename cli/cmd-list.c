// SPDX-License-Identifier: GPL-2.0-or-later
/* cli/cmd-list.c: `nslab list [--json]`: the deployed labs. */
#include <errno.h>
#include <stdio.h>
#include <unistd.h>

#include "../core/lab.h"
#include "../util/json.h"
#include "../util/util.h"
#include "cli.h"

extern const struct cli_cmd cli_cmd_list;

static int cmd_list(int argc, char **argv)
{
	static const char *const heads[] = { "LAB", "STATUS", "NODES", "LINKS", "CREATED", "FILE" };
	struct nslab_err err = { 0 };
	int nargs;
	bool json = cli_want_json(argc, argv, &nargs);
	_cleanup_json_ json_t *labs = NULL;
	struct cli_table tb;
	json_t *l;
	size_t i;

	if (nargs)
		return cli_usage_error(&cli_cmd_list, "unexpected argument '%s'", argv[1]);
	labs = nslab_lab_list(&err);
	if (!labs && err.code == EACCES && geteuid() != 0) {
		fprintf(stderr, "nslab: list needs root (the labs' state under /run/nslab is root's): %s\n", err.msg);
		return EXIT_FAIL;
	}
	if (!labs)
		return cli_fail(&err);
	if (json) {
		cli_print_json(labs);
		return EXIT_OK;
	}
	cli_table_init(&tb, ARRAY_SIZE(heads), heads);
	json_array_foreach(labs, i, l) {
		char nodes[24], links[24];
		snprintf(nodes, sizeof(nodes), "%lld", (long long)json_integer_value(json_object_get(l, "nodes")));
		snprintf(links, sizeof(links), "%lld", (long long)json_integer_value(json_object_get(l, "links")));
		const char *row[] = { json_string_value(json_object_get(l, "name")),
				      json_string_value(json_object_get(l, "status")), nodes, links,
				      json_string_value(json_object_get(l, "created")),
				      json_string_value(json_object_get(l, "file")) };
		cli_table_add(&tb, row);
	}
	cli_table_print(&tb, stdout);
	return EXIT_OK;
}

const struct cli_cmd cli_cmd_list = {
	"list", "[--json]", "list deployed labs", "  --json  machine-readable output\n", cmd_list,
};
