// SPDX-License-Identifier: GPL-2.0-or-later
/* cli/cmd-deploy.c: `nslab deploy FILE`: build a lab, print its exec: outputs and its tables. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/hostipv6.h"
#include "../core/lab.h"
#include "../util/json.h"
#include "../util/util.h"
#include "../topologies/paths.h"
#include "cli.h"

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

/* Parse deploy's options (deploy and redeploy share them) into a; the operand in a->operand. */
int cli_deploy_parse(const struct cli_cmd *c, int argc, char **argv, struct cli_deploy_args *a)
{
	static const struct option opts[] = { { "name", required_argument, NULL, 'n' },
					       { "quiet", no_argument, NULL, 'q' },
					       { "verbose", no_argument, NULL, 'v' },
					       { "lab-folder", required_argument, NULL, 'F' },
					       { "keep-on-error", no_argument, NULL, 'k' },
					       { "mgmt", no_argument, NULL, 'M' },
					       { 0 } };
	int o;

	memset(a, 0, sizeof(*a));
	cli_getopt_reset();
	while ((o = getopt_long(argc, argv, ":n:qvk", opts, NULL)) != -1) {
		if (o == 'n')
			a->name = optarg;
		else if (o == 'q')
			a->quiet = true;
		else if (o == 'v')
			a->verbose = true;
		else if (o == 'k')
			a->keep_on_error = true;
		else if (o == 'M')
			a->mgmt = true;
		else if (o == 'F') {
			free(a->folder);
			a->folder = nslab_path_resolve(optarg, "", nslab_path_env_process()); /* from the current folder */
		} else
			return cli_bad_option(c, argv, o);
	}
	if (optind != argc - 1)
		return cli_usage_error(c, "expects exactly one %s", c == &cli_cmd_deploy ? "topology file" : "FILE or LAB");
	a->operand = argv[optind];
	return EXIT_OK;
}

/* What the options and the host change in the loaded topology: --mgmt, as if the file had `mgmt:`;
 * a host without IPv6 (nslab_topo_ipv6_off()). EXIT_OK, or EXIT_FAIL with the problems printed. */
int cli_deploy_prepare(struct nslab_topo *t, const struct cli_deploy_args *a)
{
	struct nslab_diags d = { 0 };
	int r = 0;

	if (a->mgmt && !t->mgmt.on)
		r = nslab_topo_mgmt_enable(t, &d);
	if (r == 0 && nslab_host_ipv6() == NSLAB_HOST_IPV6_NONE)
		r = nslab_topo_ipv6_off(t, &d);
	t->ipv6_default_off = nslab_host_ipv6() == NSLAB_HOST_IPV6_DEFAULT_OFF;
	for (size_t i = 0; i < d.n; i++) {
		_cleanup_free_ char *line = nslab_diag_format(&d.v[i]);
		fprintf(stderr, "%s\n", line);
	}
	nslab_diags_free(&d);
	return r < 0 ? EXIT_FAIL : EXIT_OK;
}

/* Deploy t as a says and print the result. */
int cli_deploy_topo(const struct nslab_topo *t, const struct cli_deploy_args *a)
{
	struct nslab_err err = { 0 };
	const char *lab = a->name ? a->name : t->name;
	bool kept = false;
	double t0;
	int r;

	opt_quiet = a->quiet;
	struct nslab_deploy_opts dopts = { .name = a->name, .lab_folder = a->folder, .on_exec = on_exec,
					   .on_warning = on_warning, .on_phase = a->verbose ? on_phase : NULL,
					   .keep_on_error = a->keep_on_error, .kept = &kept };
	t0 = cli_now_s();
	r = nslab_lab_deploy(t, &dopts, &err);
	if (a->verbose)
		phase_done(cli_now_s());
	if (r < 0 && kept) {
		cli_fail(&err);
		fprintf(stderr, "nslab: lab %s is kept as it failed (--keep-on-error), status 'failed': look with\n"
				"  nslab inspect %s / nslab exec %s NODE -- CMD / nslab attach %s NODE\n"
				"and remove it with: nslab destroy %s\n",
			lab, lab, lab, lab, lab);
		return EXIT_FAIL;
	}
	if (r < 0)
		return cli_fail(&err);
	if (!a->quiet) {
		_cleanup_json_ json_t *j = nslab_lab_inspect(lab, &err);
		printf("deployed lab %s: %zu nodes, %zu links in %.3f s\n\n", lab, t->nnodes, t->nlinks, cli_now_s() - t0);
		if (j)
			cli_print_inspect(j);
	}
	return EXIT_OK;
}

static int cmd_deploy(int argc, char **argv)
{
	struct cli_deploy_args a;
	struct nslab_topo *t;
	int r;

	r = cli_deploy_parse(&cli_cmd_deploy, argc, argv, &a);
	if (r != EXIT_OK)
		goto out;
	t = cli_load_topo(a.operand);
	r = t ? cli_deploy_prepare(t, &a) : EXIT_FAIL;
	if (r == EXIT_OK)
		r = cli_deploy_topo(t, &a);
	nslab_topo_free(t);
out:
	free(a.folder);
	return r;
}

const struct cli_cmd cli_cmd_deploy = {
	"deploy", "FILE [--name LAB] [--lab-folder DIR] [--mgmt] [--keep-on-error] [--quiet] [--verbose]",
	"build the lab a topology file describes",
	"  -n, --name LAB  lab name (default: the file's `name`)\n"
	"  --lab-folder DIR  keep each node's files in DIR/NODE (default: the file's `lab-folder`, else\n"
	"                  in the run directory, gone with the lab); a redeploy from DIR gets them back\n"
	"  --mgmt          give the lab a management network as if the file had `mgmt:` (containerlab's\n"
	"                  172.20.20.0/24 and 3fff:172:20:20::/64): eth0 in every linux/router node on a\n"
	"                  bridge in the host's namespace, where the host holds the gateway address\n"
	"  -k, --keep-on-error  on a failure, leave the lab as far as it got (status 'failed') to look\n"
	"                  into with inspect, exec and attach; `nslab destroy LAB` removes it\n"
	"  -q, --quiet     print nothing on success\n"
	"  -v, --verbose   print each deploy phase and its duration on stderr\n"
	"Exits 0 once every node is up, wired, addressed and its exec: commands ran (each with\n"
	"/bin/sh -c inside the node; a failing command fails the deploy). On any failure the\n"
	"lab is rolled back and nothing is left on the machine (unless --keep-on-error).\n",
	cmd_deploy,
};
