// SPDX-License-Identifier: GPL-2.0-or-later
/* cli/cmd-cleanup.c: `nslab cleanup [LAB...]`: leftovers of labs whose deploy or destroy died. */
#include <stdio.h>
#include <unistd.h>

#include "../core/lab.h"
#include "../topologies/model.h"
#include "cli.h"

extern const struct cli_cmd cli_cmd_cleanup;

static void on_cleaned(void *ctx, const char *lab, const char *why)
{
	(void)ctx;
	printf("cleaned %s (%s)\n", lab, why);
}

static int cmd_cleanup(int argc, char **argv)
{
	struct nslab_err err = { 0 };

	for (int i = 1; i < argc; i++)
		if (argv[i][0] == '-' || !nslab_name_valid(argv[i]))
			return cli_usage_error(&cli_cmd_cleanup, "not a lab name: %s", argv[i]);
	if (geteuid() != 0) {
		fprintf(stderr, "nslab: cleanup needs root\n");
		return EXIT_FAIL;
	}
	/* argv is NULL-terminated: argv + 1 is the list of labs, or NULL for all of them */
	if (nslab_lab_cleanup(argc > 1 ? argv + 1 : NULL, on_cleaned, NULL, &err) < 0)
		return cli_fail(&err);
	return EXIT_OK;
}

const struct cli_cmd cli_cmd_cleanup = {
	"cleanup", "[LAB...]", "remove leftovers of labs whose deploy or destroy died",
	"Without LAB, every dead lab and every stray nslab handle or cgroup; with LAB names, only\n"
	"those labs' leftovers. Running labs and deploys in progress (under any run directory) are never\n"
	"touched; \"cleaned\" is printed only for what is really gone.\n",
	cmd_cleanup,
};
