// SPDX-License-Identifier: GPL-2.0-or-later
/* cli/cmd-plan.c: `nslab plan FILE`: the operations a deploy would perform, by phase; no root needed. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "../core/plan.h"
#include "../topologies/model.h"
#include "../util/util.h"
#include "cli.h"

extern const struct cli_cmd cli_cmd_plan;

static int cmd_plan(int argc, char **argv)
{
	static const struct option opts[] = { { "name", required_argument, NULL, 'n' }, { 0 } };
	const struct cli_cmd *c = &cli_cmd_plan;
	struct nslab_plan p;
	struct nslab_topo *t;
	const char *name = NULL;
	int o, phase = -1;

	cli_getopt_reset();
	while ((o = getopt_long(argc, argv, ":n:", opts, NULL)) != -1) {
		if (o == 'n')
			name = optarg;
		else
			return cli_bad_option(c, argv, o);
	}
	if (optind != argc - 1)
		return cli_usage_error(c, "expects one topology file");
	if (name && (!nslab_name_valid(name) || strchr(name, '.')))
		return cli_usage_error(c, "'%s' is not a valid lab name (letters, digits, '_' and '-')", name);
	t = cli_load_topo(argv[optind]);
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

const struct cli_cmd cli_cmd_plan = {
	"plan", "FILE [--name LAB]", "print the operations a deploy would perform (no root needed)", "",
	cmd_plan,
};
