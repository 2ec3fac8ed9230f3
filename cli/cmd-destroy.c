// SPDX-License-Identifier: GPL-2.0-or-later
/* cli/cmd-destroy.c: `nslab destroy LAB... | -t FILE | --all`. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "../core/lab.h"
#include "../util/json.h"
#include "../util/util.h"
#include "cli.h"

extern const struct cli_cmd cli_cmd_destroy;

static int destroy_one(const char *lab)
{
	struct nslab_err err = { 0 };
	bool existed = false;

	if (nslab_lab_destroy(lab, &existed, &err) < 0)
		return cli_fail(&err);
	if (existed)
		printf("destroyed lab %s\n", lab);
	else
		fprintf(stderr, "nslab: lab %s is not deployed (nothing to do)\n", lab);
	return EXIT_OK;
}

static int cmd_destroy(int argc, char **argv)
{
	static const struct option opts[] = { { "topo", required_argument, NULL, 't' },
					       { "all", no_argument, NULL, 'a' },
					       { 0 } };
	const char *topo = NULL;
	bool all = false;
	int o, ret = EXIT_OK;

	if (geteuid() != 0) {
		fprintf(stderr, "nslab: destroy needs root\n");
		return EXIT_FAIL;
	}
	cli_getopt_reset();
	while ((o = getopt_long(argc, argv, ":t:a", opts, NULL)) != -1) {
		if (o == 't')
			topo = optarg;
		else if (o == 'a')
			all = true;
		else
			return cli_bad_option(&cli_cmd_destroy, argv, o);
	}
	if ((topo != NULL) + all + (optind < argc) != 1)
		return cli_usage_error(&cli_cmd_destroy, "give lab names, or -t FILE, or --all");
	if (topo) {
		struct nslab_topo *t = cli_load_topo(topo);
		if (!t)
			return EXIT_FAIL;
		ret = destroy_one(t->name);
		nslab_topo_free(t);
		return ret;
	}
	if (all) {
		struct nslab_err err = { 0 };
		_cleanup_json_ json_t *labs = nslab_lab_list(&err);
		json_t *l;
		size_t i;
		if (!labs)
			return cli_fail(&err);
		json_array_foreach(labs, i, l) {
			if (destroy_one(json_string_value(json_object_get(l, "name"))) != EXIT_OK)
				ret = EXIT_FAIL;
		}
		return ret;
	}
	for (int i = optind; i < argc; i++)
		if (destroy_one(argv[i]) != EXIT_OK)
			ret = EXIT_FAIL;
	return ret;
}

const struct cli_cmd cli_cmd_destroy = {
	"destroy", "LAB... | -t FILE | --all", "remove a lab and everything it created",
	"  -t, --topo FILE  destroy the lab named in FILE\n"
	"  -a, --all        destroy every lab\n"
	"Needs no topology file, works after a crashed deploy, and is idempotent:\n"
	"destroying a lab that does not exist succeeds.\n",
	cmd_destroy,
};
