// SPDX-License-Identifier: GPL-2.0-or-later
/* cli/cmd-validate.c: `nslab validate FILE`: check a topology file, no root needed. */
#include <stdio.h>

#include "../topologies/model.h"
#include "cli.h"

extern const struct cli_cmd cli_cmd_validate;

static int cmd_validate(int argc, char **argv)
{
	struct nslab_topo *t;

	if (argc != 2)
		return cli_usage_error(&cli_cmd_validate, "expects one topology file");
	t = cli_load_topo(argv[1]);
	if (!t)
		return EXIT_FAIL;
	size_t nsbr = 0; /* bridges inside a node (BR|NODE): no nodes of their own */
	for (size_t i = 0; i < t->nnodes; i++)
		for (size_t b = 0; b < t->nodes[i].nbridges; b++)
			nsbr += t->nodes[i].bridges[b].from != NULL;
	printf("%s: ok: lab %s, %zu nodes, %zu links", argv[1], t->name, t->nnodes, t->nlinks);
	if (nsbr)
		printf(", %zu bridge%s inside a node", nsbr, nsbr > 1 ? "s" : "");
	printf("\n");
	nslab_topo_free(t);
	return EXIT_OK;
}

const struct cli_cmd cli_cmd_validate = {
	"validate", "FILE", "check a topology file (no root needed)",
	"Reports every problem as FILE:LINE:COL: message and exits 1 if there is any error.\n",
	cmd_validate,
};
