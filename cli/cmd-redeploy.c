// SPDX-License-Identifier: GPL-2.0-or-later
/* cli/cmd-redeploy.c: `nslab redeploy FILE|LAB`: destroy a lab and deploy it again (containerlab's). */
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../core/lab.h"
#include "../core/labstate.h"
#include "../util/util.h"
#include "cli.h"

extern const struct cli_cmd cli_cmd_redeploy;

/* The topology file to deploy: the operand when it is a file, else the file lab LAB was deployed
 * from (state.json's), whose name and lab folder the new lab keeps. */
static struct nslab_topo *redeploy_source(struct cli_deploy_args *a)
{
	struct nslab_lab_state st;
	struct nslab_err err = { 0 };
	struct nslab_topo *t;
	struct stat sb;

	if (stat(a->operand, &sb) == 0 && S_ISREG(sb.st_mode))
		return cli_load_topo(a->operand);
	if (!nslab_name_valid(a->operand)) {
		fprintf(stderr, "nslab: %s is neither a topology file nor a lab\n", a->operand);
		return NULL;
	}
	if (nslab_state_read(a->operand, &st, &err) < 0) {
		fprintf(stderr, "nslab: %s is neither a topology file nor a deployed lab\n", a->operand);
		return NULL;
	}
	if (!st.file || !*st.file) {
		fprintf(stderr, "nslab: lab %s does not record the file it was deployed from\n", a->operand);
		nslab_state_free(&st);
		return NULL;
	}
	t = cli_load_topo(st.file);
	if (t && !a->name)
		a->name = a->operand;
	if (t && !a->folder && st.lab_folder)
		a->folder = xstrdup(st.lab_folder);
	nslab_state_free(&st);
	return t;
}

static int cmd_redeploy(int argc, char **argv)
{
	struct cli_deploy_args a;
	struct nslab_err err = { 0 };
	struct nslab_topo *t = NULL;
	bool existed = false;
	const char *lab;
	int r;

	r = cli_deploy_parse(&cli_cmd_redeploy, argc, argv, &a);
	if (r != EXIT_OK)
		goto out;
	if (geteuid() != 0) {
		fprintf(stderr, "nslab: redeploy needs root\n");
		r = EXIT_FAIL;
		goto out;
	}
	/* the file is read and checked first: a bad one leaves the running lab alone */
	t = redeploy_source(&a);
	r = t ? cli_deploy_prepare(t, &a) : EXIT_FAIL;
	if (r != EXIT_OK)
		goto out;
	lab = a.name ? a.name : t->name;
	if (!a.folder) {
		/* keep the lab folder the running lab used (deploy --lab-folder) */
		struct nslab_lab_state st;
		if (nslab_state_read(lab, &st, NULL) == 0) {
			if (st.lab_folder)
				a.folder = xstrdup(st.lab_folder);
			nslab_state_free(&st);
		}
	}
	if (nslab_lab_destroy(lab, &existed, &err) < 0) {
		r = cli_fail(&err);
		goto out;
	}
	if (existed && !a.quiet)
		printf("destroyed lab %s\n", lab);
	r = cli_deploy_topo(t, &a);
out:
	nslab_topo_free(t);
	free(a.folder);
	return r;
}

const struct cli_cmd cli_cmd_redeploy = {
	"redeploy", "FILE|LAB [--name LAB] [--lab-folder DIR] [--mgmt] [--keep-on-error] [--quiet] [--verbose]",
	"destroy a lab and deploy it again",
	"  FILE            a topology file: its lab (or --name's) is destroyed if deployed, then deployed\n"
	"  LAB             a deployed lab: deployed again from the file it came from, under its name\n"
	"  --lab-folder DIR  as deploy's; by default the folder the old lab kept its nodes' files in\n"
	"  other options as deploy's (--name, --mgmt, --keep-on-error, --quiet, --verbose)\n"
	"The file is read and checked before anything is destroyed: a bad file leaves the lab running.\n"
	"An operand naming an existing file is a file, else a lab. Exits as deploy does.\n",
	cmd_redeploy,
};
