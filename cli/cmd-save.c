// SPDX-License-Identifier: GPL-2.0-or-later
/* cli/cmd-save.c: `nslab save LAB [NODE...]`: FRR nodes write their configuration; what nodes changed under /etc goes to the lab folder. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/save.h"
#include "../topologies/paths.h"
#include "../util/util.h"
#include "cli.h"

static void on_saved(void *ctx, const struct nslab_save_event *ev)
{
	(void)ctx;
	if (!ev->from)
		printf("%s: vtysh -c 'write memory': ok\n", ev->node);
	else if (ev->kept)
		printf("%s: %s is kept in %s\n", ev->node, ev->from, ev->to);
	else
		printf("%s: %s -> %s\n", ev->node, ev->from, ev->to);
}

extern const struct cli_cmd cli_cmd_save;

static int cmd_save(int argc, char **argv)
{
	static const struct option opts[] = { { "to", required_argument, NULL, 't' }, { 0 } };
		_cleanup_free_ char *to = NULL, *used = NULL;
	struct nslab_err err = { 0 };
	int o;

	cli_getopt_reset();
	while ((o = getopt_long(argc, argv, ":t:", opts, NULL)) != -1) {
		if (o != 't')
			return cli_bad_option(&cli_cmd_save, argv, o);
		free(to);
		to = nslab_path_resolve(optarg, "", nslab_path_env_process()); /* from the current folder */
	}
	if (argc - optind < 1)
		return cli_usage_error(&cli_cmd_save, "expects LAB [NODE...]");
	if (nslab_lab_save(argv[optind], argv + optind + 1, (size_t)(argc - optind - 1), to, &used, on_saved, NULL,
			   &err) < 0) {
		fprintf(stderr, "nslab: %s\n", err.msg);
		return EXIT_FAIL;
	}
	printf("saved lab %s in %s (nslab deploy --lab-folder %s ... starts from there)\n", argv[optind], used, used);
	return EXIT_OK;
}

const struct cli_cmd cli_cmd_save = {
	"save", "LAB [NODE...] [--to DIR]",
	"FRR nodes write their configuration; files nodes changed under /etc go to the lab folder",
	"  -t, --to DIR  where (default: the lab's folder, else clab-LAB beside its topology file)\n"
	"Each node's changed files go to DIR/NODE/upper/etc/...: nslab deploy --lab-folder DIR starts from them.\n",
	cmd_save,
};
