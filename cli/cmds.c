// SPDX-License-Identifier: GPL-2.0-or-later
/* cli/cmds.c: deploy, destroy, list, inspect, validate, plan and cleanup as a person or a script sees them. */
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../core/lab.h"
#include "../core/plan.h"
#include "../topologies/model.h"
#include "../util/util.h"
#include "cli.h"

static bool opt_quiet;
static bool opt_verbose;
static double phase_t0;
static const char *phase_name;

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int fail(const struct nslab_err *e)
{
	fprintf(stderr, "nslab: %s\n", e->msg);
	return EXIT_FAIL;
}

/* Load a topology, printing every diagnostic; NULL on error. */
static struct nslab_topo *load(const char *path)
{
	struct nslab_diags d = { 0 };
	struct nslab_topo *t = NULL;
	int r = nslab_topo_load_file(path, &t, &d);

	for (size_t i = 0; i < d.n; i++) {
		_cleanup_free_ char *s = nslab_diag_format(&d.v[i]);
		fprintf(stderr, "%s\n", s);
	}
	if (r < 0 && d.nerrors > 1)
		fprintf(stderr, "%s: %zu errors\n", path, d.nerrors);
	nslab_diags_free(&d);
	return r < 0 ? NULL : t;
}

/* getopt over (argc, argv) where argv[0] is the command name */
static void getopt_reset(void)
{
	optind = 1;
	opterr = 1;
}

static void print_inspect(json_t *j)
{
	json_t *nodes = json_object_get(j, "nodes"), *links = json_object_get(j, "links"), *n, *ifc;
	size_t i, k;
	bool pss = false;

	printf("lab %s (%s), %zu nodes, %zu links, from %s\n", json_string_value(json_object_get(j, "name")),
	       json_string_value(json_object_get(j, "status")), json_array_size(nodes), json_array_size(links),
	       json_string_value(json_object_get(j, "file")));
	printf("\n%-16s %-7s %-9s %-8s %-9s %-9s %-6s %s\n", "NODE", "KIND", "STATE", "PID", "CPU-ms", "MEM-KiB",
	       "PROCS", "NETNS (ip netns exec NAME ...)");
	json_array_foreach(nodes, i, n) {
		json_t *pid = json_object_get(n, "pid"), *u = json_object_get(n, "usage");
		char pids[24] = "-", cpu[24] = "-", mem[24] = "-", procs[24] = "-";
		if (json_is_integer(pid))
			snprintf(pids, sizeof(pids), "%lld", (long long)json_integer_value(pid));
		if (json_object_get(u, "cpu_ns"))
			snprintf(cpu, sizeof(cpu), "%lld", (long long)json_integer_value(json_object_get(u, "cpu_ns")) / 1000000);
		if (json_object_get(u, "memory_bytes")) {
			bool p = strcmp(json_string_value(json_object_get(u, "memory_source")) ?: "", "pss") == 0;
			snprintf(mem, sizeof(mem), "%lld%s",
				 (long long)json_integer_value(json_object_get(u, "memory_bytes")) / 1024, p ? "*" : "");
			pss |= p;
		}
		if (json_object_get(u, "pids"))
			snprintf(procs, sizeof(procs), "%lld", (long long)json_integer_value(json_object_get(u, "pids")));
		printf("%-16s %-7s %-9s %-8s %-9s %-9s %-6s %s\n", json_string_value(json_object_get(n, "name")),
		       json_string_value(json_object_get(n, "kind")), json_string_value(json_object_get(n, "state")),
		       pids, cpu, mem, procs, json_string_value(json_object_get(n, "netns")));
	}
	if (pss)
		printf("* no memory limit, so no memory cgroup: the sum of the node's processes' PSS\n");
	printf("\n%-24s %-10s %-6s %-17s %-24s %s\n", "INTERFACE", "STATE", "MTU", "MAC", "ADDRESSES", "PEER");
	json_array_foreach(nodes, i, n) {
		json_array_foreach(json_object_get(n, "interfaces"), k, ifc) {
			char ifn[64], addrs[256] = "";
			json_t *a, *st = json_object_get(ifc, "state"), *mtu = json_object_get(ifc, "mtu");
			size_t m;
			snprintf(ifn, sizeof(ifn), "%s:%s", json_string_value(json_object_get(n, "name")),
				 json_string_value(json_object_get(ifc, "name")));
			json_array_foreach(json_object_get(ifc, "addresses"), m, a) {
				size_t l = strlen(addrs);
				snprintf(addrs + l, sizeof(addrs) - l, "%s%s", l ? "," : "", json_string_value(a));
			}
			printf("%-24s %-10s %-6lld %-17s %-24s %s\n", ifn, st ? json_string_value(st) : "-",
			       mtu ? (long long)json_integer_value(mtu) : 0LL,
			       json_object_get(ifc, "mac") ? json_string_value(json_object_get(ifc, "mac")) : "-",
			       addrs[0] ? addrs : "-",
			       json_is_string(json_object_get(ifc, "peer")) ? json_string_value(json_object_get(ifc, "peer")) : "-");
		}
	}
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
	double now = now_s();
	(void)ctx;
	(void)nops;
	phase_done(now);
	phase_name = phase;
	phase_t0 = now;
}

int cmd_deploy(int argc, char **argv)
{
	static const struct option opts[] = { { "name", required_argument, NULL, 'n' },
					       { "quiet", no_argument, NULL, 'q' },
					       { "verbose", no_argument, NULL, 'v' },
					       { 0 } };
	const struct cli_cmd *c = cli_find("deploy");
	const char *name = NULL;
	struct nslab_err err = { 0 };
	struct nslab_topo *t;
	double t0;
	int o, r;

	getopt_reset();
	while ((o = getopt_long(argc, argv, "n:qv", opts, NULL)) != -1) {
		if (o == 'n')
			name = optarg;
		else if (o == 'q')
			opt_quiet = true;
		else if (o == 'v')
			opt_verbose = true;
		else
			return cli_usage_error(c, "bad option");
	}
	if (optind != argc - 1)
		return cli_usage_error(c, "expects exactly one topology file");
	t = load(argv[optind]);
	if (!t)
		return EXIT_FAIL;
	struct nslab_deploy_opts dopts = { .name = name, .on_exec = on_exec, .on_phase = opt_verbose ? on_phase : NULL };
	t0 = now_s();
	r = nslab_lab_deploy(t, &dopts, &err);
	if (opt_verbose)
		phase_done(now_s());
	if (r < 0) {
		nslab_topo_free(t);
		return fail(&err);
	}
	if (!opt_quiet) {
		const char *lab = name ? name : t->name;
		json_t *j = nslab_lab_inspect(lab, &err);
		printf("deployed lab %s: %zu nodes, %zu links in %.3f s\n\n", lab, t->nnodes, t->nlinks, now_s() - t0);
		if (j) {
			print_inspect(j);
			json_decref(j);
		}
	}
	nslab_topo_free(t);
	return EXIT_OK;
}

static int destroy_one(const char *lab)
{
	struct nslab_err err = { 0 };
	bool existed = false;

	if (nslab_lab_destroy(lab, &existed, &err) < 0)
		return fail(&err);
	if (existed)
		printf("destroyed lab %s\n", lab);
	else
		fprintf(stderr, "nslab: lab %s is not deployed (nothing to do)\n", lab);
	return EXIT_OK;
}

int cmd_destroy(int argc, char **argv)
{
	static const struct option opts[] = { { "topo", required_argument, NULL, 't' },
					       { "all", no_argument, NULL, 'a' },
					       { 0 } };
	const struct cli_cmd *c = cli_find("destroy");
	const char *topo = NULL;
	bool all = false;
	int o, ret = EXIT_OK;

	if (geteuid() != 0) {
		fprintf(stderr, "nslab: destroy needs root\n");
		return EXIT_FAIL;
	}
	getopt_reset();
	while ((o = getopt_long(argc, argv, "t:a", opts, NULL)) != -1) {
		if (o == 't')
			topo = optarg;
		else if (o == 'a')
			all = true;
		else
			return cli_usage_error(c, "bad option");
	}
	if ((topo != NULL) + all + (optind < argc) != 1)
		return cli_usage_error(c, "give lab names, or -t FILE, or --all");
	if (topo) {
		struct nslab_topo *t = load(topo);
		if (!t)
			return EXIT_FAIL;
		ret = destroy_one(t->name);
		nslab_topo_free(t);
		return ret;
	}
	if (all) {
		struct nslab_err err = { 0 };
		json_t *labs = nslab_lab_list(&err), *l;
		size_t i;
		if (!labs)
			return fail(&err);
		json_array_foreach(labs, i, l) {
			if (destroy_one(json_string_value(json_object_get(l, "name"))) != EXIT_OK)
				ret = EXIT_FAIL;
		}
		json_decref(labs);
		return ret;
	}
	for (int i = optind; i < argc; i++)
		if (destroy_one(argv[i]) != EXIT_OK)
			ret = EXIT_FAIL;
	return ret;
}

static bool want_json(int argc, char **argv, int *nargs)
{
	bool json = false;
	*nargs = 0;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0 || strcmp(argv[i], "-j") == 0)
			json = true;
		else
			argv[++*nargs] = argv[i];
	}
	return json;
}

int cmd_list(int argc, char **argv)
{
	struct nslab_err err = { 0 };
	int nargs;
	bool json = want_json(argc, argv, &nargs);
	json_t *labs, *l;
	size_t i;

	if (nargs)
		return cli_usage_error(cli_find("list"), "unexpected argument '%s'", argv[1]);
	labs = nslab_lab_list(&err);
	if (!labs)
		return fail(&err);
	if (json) {
		json_dumpf(labs, stdout, JSON_INDENT(2));
		putchar('\n');
	} else {
		printf("%-20s %-11s %-6s %-6s %-21s %s\n", "LAB", "STATUS", "NODES", "LINKS", "CREATED", "FILE");
		json_array_foreach(labs, i, l) {
			printf("%-20s %-11s %-6lld %-6lld %-21s %s\n", json_string_value(json_object_get(l, "name")),
			       json_string_value(json_object_get(l, "status")),
			       (long long)json_integer_value(json_object_get(l, "nodes")),
			       (long long)json_integer_value(json_object_get(l, "links")),
			       json_string_value(json_object_get(l, "created")) ?: "-",
			       json_string_value(json_object_get(l, "file")) ?: "-");
		}
	}
	json_decref(labs);
	return EXIT_OK;
}

int cmd_inspect(int argc, char **argv)
{
	struct nslab_err err = { 0 };
	int nargs;
	bool json = want_json(argc, argv, &nargs);
	json_t *j;

	if (nargs != 1)
		return cli_usage_error(cli_find("inspect"), "expects one lab name");
	j = nslab_lab_inspect(argv[1], &err);
	if (!j)
		return fail(&err);
	if (json) {
		json_dumpf(j, stdout, JSON_INDENT(2));
		putchar('\n');
	} else {
		print_inspect(j);
	}
	json_decref(j);
	return EXIT_OK;
}

int cmd_validate(int argc, char **argv)
{
	struct nslab_topo *t;

	if (argc != 2)
		return cli_usage_error(cli_find("validate"), "expects one topology file");
	t = load(argv[1]);
	if (!t)
		return EXIT_FAIL;
	printf("%s: ok: lab %s, %zu nodes, %zu links\n", argv[1], t->name, t->nnodes, t->nlinks);
	nslab_topo_free(t);
	return EXIT_OK;
}

int cmd_plan(int argc, char **argv)
{
	static const struct option opts[] = { { "name", required_argument, NULL, 'n' }, { 0 } };
	const struct cli_cmd *c = cli_find("plan");
	struct nslab_plan p;
	struct nslab_topo *t;
	const char *name = NULL;
	int o, phase = -1;

	getopt_reset();
	while ((o = getopt_long(argc, argv, "n:", opts, NULL)) != -1) {
		if (o == 'n')
			name = optarg;
		else
			return cli_usage_error(c, "bad option");
	}
	if (optind != argc - 1)
		return cli_usage_error(c, "expects one topology file");
	if (name && (!nslab_name_valid(name) || strchr(name, '.')))
		return cli_usage_error(c, "'%s' is not a valid lab name (letters, digits, '_' and '-')", name);
	t = load(argv[optind]);
	if (!t)
		return EXIT_FAIL;
	nslab_plan_build(t, &p);
	printf("# plan for lab %s: %zu operations\n", name ? name : t->name, p.nops);
	for (size_t i = 0; i < p.nops; i++) {
		_cleanup_free_ char *s = nslab_op_describe(&p, &p.ops[i]);
		if ((int)p.ops[i].phase != phase) {
			phase = (int)p.ops[i].phase;
			printf("# phase %s\n", nslab_phase_name(p.ops[i].phase));
		}
		printf("%4zu  %s\n", i + 1, s);
	}
	nslab_plan_free(&p);
	nslab_topo_free(t);
	return EXIT_OK;
}

static void on_cleaned(void *ctx, const char *lab, const char *why)
{
	(void)ctx;
	printf("cleaned %s (%s)\n", lab, why);
}

int cmd_cleanup(int argc, char **argv)
{
	struct nslab_err err = { 0 };

	for (int i = 1; i < argc; i++)
		if (argv[i][0] == '-' || !nslab_name_valid(argv[i]))
			return cli_usage_error(cli_find("cleanup"), "not a lab name: %s", argv[i]);
	if (geteuid() != 0) {
		fprintf(stderr, "nslab: cleanup needs root\n");
		return EXIT_FAIL;
	}
	/* argv is NULL-terminated: argv + 1 is the list of labs, or NULL for all of them */
	if (nslab_lab_cleanup(argc > 1 ? argv + 1 : NULL, on_cleaned, NULL, &err) < 0)
		return fail(&err);
	return EXIT_OK;
}
