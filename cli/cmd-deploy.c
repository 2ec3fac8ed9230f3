// SPDX-License-Identifier: GPL-2.0-or-later
/* cli/cmd-deploy.c: `nslab deploy FILE`: build a lab, print its exec: outputs and its tables. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "../core/lab.h"
#include "../util/json.h"
#include "../util/util.h"
#include "../topologies/paths.h"
#include "../util/util.h"
#include "cli.h"

extern const struct cli_cmd cli_cmd_deploy;

static bool opt_quiet;
static double phase_t0;
static const char *phase_name;

static void on_warning(void *ctx, const char *msg)
{
	(void)ctx;
	fprintf(stderr, "warning: %s\n", msg);
}

static void on_exec(void *ctx, const char *node, const char *cmd, const char *output, int status)
{
	(void)ctx;
	if (opt_quiet && status == 0)
		return;
	printf("[%s] $ %s%s\n", node, cmd, status ? "  (failed)" : "");
	if (*output) {
		fputs(output, stdout);
		if (output[strlen(output) - 1] != '\n')
			putchar('\n');
	}
	fflush(stdout);
}

static void phase_done(double now)
{
	if (phase_name)
		fprintf(stderr, "  %-18s %8.1f ms\n", phase_name, (now - phase_t0) * 1e3);
}

static void on_phase(void *ctx, const char *phase, size_t nops)
{
	double now = cli_now_s();

	(void)ctx;
	(void)nops;
	phase_done(now);
	phase_name = phase;
	phase_t0 = now;
}

static int cmd_deploy(int argc, char **argv)
{
	static const struct option opts[] = { { "name", required_argument, NULL, 'n' },
					       { "quiet", no_argument, NULL, 'q' },
					       { "verbose", no_argument, NULL, 'v' },
					       { "lab-folder", required_argument, NULL, 'F' },
					       { "mgmt", no_argument, NULL, 'M' },
					       { 0 } };
	const char *name = NULL;
	_cleanup_free_ char *folder = NULL;
	struct nslab_err err = { 0 };
	struct nslab_topo *t;
	bool verbose = false, mgmt = false;
	double t0;
	int o, r;

	cli_getopt_reset();
	while ((o = getopt_long(argc, argv, ":n:qv", opts, NULL)) != -1) {
		if (o == 'n')
			name = optarg;
		else if (o == 'q')
			opt_quiet = true;
		else if (o == 'v')
			verbose = true;
		else if (o == 'M')
			mgmt = true;
		else if (o == 'F')
			folder = nslab_path_resolve(optarg, "", nslab_path_env_process()); /* from the current folder */
		else
			return cli_bad_option(&cli_cmd_deploy, argv, o);
	}
	if (optind != argc - 1)
		return cli_usage_error(&cli_cmd_deploy, "expects exactly one topology file");
	t = cli_load_topo(argv[optind]);
	if (!t)
		return EXIT_FAIL;
	if (mgmt && !t->mgmt.on) { /* as if the file had `mgmt:` */
		struct nslab_diags d = { 0 };
		r = nslab_topo_mgmt_enable(t, &d);
		for (size_t i = 0; i < d.n; i++) {
			_cleanup_free_ char *line = nslab_diag_format(&d.v[i]);
			fprintf(stderr, "%s\n", line);
		}
		nslab_diags_free(&d);
		if (r < 0) {
			nslab_topo_free(t);
			return EXIT_FAIL;
		}
	}
	struct nslab_deploy_opts dopts = { .name = name, .lab_folder = folder, .on_exec = on_exec,
					   .on_warning = on_warning,
					   .on_phase = verbose ? on_phase : NULL };
	t0 = cli_now_s();
	r = nslab_lab_deploy(t, &dopts, &err);
	if (verbose)
		phase_done(cli_now_s());
	if (r < 0) {
		nslab_topo_free(t);
		return cli_fail(&err);
	}
	if (!opt_quiet) {
		const char *lab = name ? name : t->name;
		_cleanup_json_ json_t *j = nslab_lab_inspect(lab, &err);
		printf("deployed lab %s: %zu nodes, %zu links in %.3f s\n\n", lab, t->nnodes, t->nlinks, cli_now_s() - t0);
		if (j)
			cli_print_inspect(j);
	}
	nslab_topo_free(t);
	return EXIT_OK;
}

const struct cli_cmd cli_cmd_deploy = {
	"deploy", "FILE [--name LAB] [--lab-folder DIR] [--mgmt] [--quiet] [--verbose]",
	"build the lab a topology file describes",
	"  -n, --name LAB  lab name (default: the file's `name`)\n"
	"  --lab-folder DIR  keep each node's files in DIR/NODE (default: the file's `lab-folder`, else\n"
	"                  in the run directory, gone with the lab); a redeploy from DIR gets them back\n"
	"  --mgmt          give the lab a management network as if the file had `mgmt:` (containerlab's\n"
	"                  172.20.20.0/24 and 3fff:172:20:20::/64): eth0 in every linux/router node on a\n"
	"                  bridge in the host's namespace, where the host holds the gateway address\n"
	"  -q, --quiet     print nothing on success\n"
	"  -v, --verbose   print each deploy phase and its duration on stderr\n"
	"Exits 0 once every node is up, wired, addressed and its exec: commands ran (each with\n"
	"/bin/sh -c inside the node; a failing command fails the deploy). On any failure the\n"
	"lab is rolled back and nothing is left on the machine.\n",
	cmd_deploy,
};
