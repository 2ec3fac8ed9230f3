// SPDX-License-Identifier: GPL-2.0-or-later
/* cli/cmd-plan.c: `nslab plan FILE`: the operations a deploy would perform, by phase; no root needed. */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "../core/plan.h"
#include "../core/service.h"
#include "../topologies/model.h"
#include "../util/util.h"
#include "cli.h"

extern const struct cli_cmd cli_cmd_plan;

struct plan_args {
	const char *name;
	bool json, configs, mgmt;
};

/* Where a kind's configuration goes in the node (core/service.c writes it there). */
static const char *const config_path[NSLAB_KIND__COUNT] = {
	[NSLAB_KIND_FRR] = "/etc/frr/frr.conf",
	[NSLAB_KIND_BIRD] = "/etc/bird/bird.conf",
};

static void print_text(const struct nslab_plan *p, const struct plan_args *a)
{
	int phase = -1;

	printf("# plan for lab %s: %zu operations\n", p->lab, p->nops);
	for (size_t i = 0; i < p->nops; i++) {
		_cleanup_free_ char *s = nslab_op_describe(p, &p->ops[i]);
		if ((int)p->ops[i].phase != phase) {
			phase = (int)p->ops[i].phase;
			printf("# phase %s\n", nslab_phase_name(p->ops[i].phase));
		}
		printf("%4zu  %s\n", i + 1, s);
	}
	for (size_t n = 0; a->configs && n < p->topo->nnodes; n++) {
		const struct nslab_node *node = &p->topo->nodes[n];
		size_t len;
		if (!node->startup_config || !config_path[node->kind])
			continue;
		len = strlen(node->startup_config);
		printf("# %s:%s (%s)\n%s%s", node->name, config_path[node->kind],
		       node->startup_config_from ? node->startup_config_from : "startup-config", node->startup_config,
		       len && node->startup_config[len - 1] != '\n' ? "\n" : "");
	}
}

static void print_json(const struct nslab_plan *p, const struct plan_args *a)
{
	json_t *j = json_pack("{s:s, s:[]}", "lab", p->lab, "operations");
	json_t *ops = json_object_get(j, "operations");

	for (size_t i = 0; i < p->nops; i++) {
		_cleanup_free_ char *s = nslab_op_describe(p, &p->ops[i]);
		json_array_append_new(ops, json_pack("{s:I, s:s, s:s, s:s, s:s}", "n", (json_int_t)(i + 1), "phase",
						     nslab_phase_name(p->ops[i].phase), "type",
						     nslab_op_type_name(p->ops[i].type), "node",
						     p->topo->nnodes ? p->topo->nodes[p->ops[i].node].name : "", "text", s));
	}
	if (a->configs) {
		json_t *cf = json_array();
		for (size_t n = 0; n < p->topo->nnodes; n++) {
			const struct nslab_node *node = &p->topo->nodes[n];
			if (node->startup_config && config_path[node->kind])
				json_array_append_new(cf, json_pack("{s:s, s:s, s:s?, s:s}", "node", node->name, "path",
								    config_path[node->kind], "from",
								    node->startup_config_from, "text", node->startup_config));
		}
		json_object_set_new(j, "configs", cf);
	}
	cli_print_json(j);
	json_decref(j);
}

static int plan_parse(int argc, char **argv, struct plan_args *a)
{
	static const struct option opts[] = { { "name", required_argument, NULL, 'n' },
					      { "json", no_argument, NULL, 'j' },
					      { "configs", no_argument, NULL, 'c' },
					      { "mgmt", no_argument, NULL, 'm' },
					      { 0 } };
	const struct cli_cmd *c = &cli_cmd_plan;
	int o;

	cli_getopt_reset();
	while ((o = getopt_long(argc, argv, ":n:jc", opts, NULL)) != -1) {
		if (o == 'n')
			a->name = optarg;
		else if (o == 'j')
			a->json = true;
		else if (o == 'c')
			a->configs = true;
		else if (o == 'm')
			a->mgmt = true;
		else
			return cli_bad_option(c, argv, o);
	}
	if (optind != argc - 1)
		return cli_usage_error(c, "expects one topology file");
	if (a->name && (!nslab_name_valid(a->name) || strchr(a->name, '.')))
		return cli_usage_error(c, "'%s' is not a valid lab name (letters, digits, '_' and '-')", a->name);
	return EXIT_OK;
}

static int cmd_plan(int argc, char **argv)
{
	struct plan_args a = { 0 };
	struct nslab_services svc = { 0 };
	struct nslab_err err = { 0 };
	struct nslab_plan p;
	struct nslab_topo *t;
	int r = plan_parse(argc, argv, &a);

	if (r != EXIT_OK)
		return r;
	t = cli_load_topo(argv[optind]);
	if (!t)
		return EXIT_FAIL;
	if (cli_deploy_prepare(t, &(struct cli_deploy_args){ .mgmt = a.mgmt }) != EXIT_OK) {
		nslab_topo_free(t);
		return EXIT_FAIL;
	}
	/* what starts in the nodes, decided as deploy decides it (a program the host lacks fails here too) */
	if (nslab_services_prepare(t, &svc, &err) < 0) {
		nslab_topo_free(t);
		return cli_fail(&err);
	}
	for (size_t i = 0; i < svc.nwarnings; i++)
		fprintf(stderr, "nslab: warning: %s\n", svc.warnings[i]);
	nslab_plan_build(t, &p);
	if (a.name)
		p.lab = a.name;
	nslab_plan_services(&p, &svc);
	if (a.json)
		print_json(&p, &a);
	else
		print_text(&p, &a);
	nslab_plan_free(&p);
	nslab_services_free(&svc);
	nslab_topo_free(t);
	return EXIT_OK;
}

const struct cli_cmd cli_cmd_plan = {
	"plan", "FILE [--name LAB] [--mgmt] [--configs] [--json]",
	"print the operations a deploy would perform (no root needed)",
	"  -n, --name LAB  the lab's name (host interface names derive from it)\n"
	"      --mgmt      as deploy --mgmt: with a management network\n"
	"  -c, --configs   also print the routers' configurations (kind frr/bird: startup-config or\n"
	"                  generated by routing:)\n"
	"  -j, --json      one JSON object: {lab, operations: [{n, phase, type, node, text}], configs}\n",
	cmd_plan,
};
