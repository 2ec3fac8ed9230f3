// SPDX-License-Identifier: GPL-2.0-or-later
/* cli/cmd-graph.c: `nslab graph FILE|DIR|LAB [--format dot|svg|png] [-o OUT]`: a picture of a lab. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../core/graph.h"
#include "../core/lab.h"
#include "../topologies/model.h"
#include "../util/util.h"
#include "cli.h"

extern const struct cli_cmd cli_cmd_graph;

/* A path that exists is a topology (a file, or a lab folder); anything else is a lab's name. */
static bool is_topology_path(const char *arg)
{
	struct stat st;

	return stat(arg, &st) == 0;
}

/* The format from -o's extension when --format is not given: "lab.svg" -> svg. */
static const char *format_from_name(const char *out)
{
	const char *dot = out ? strrchr(out, '.') : NULL;

	return dot && nslab_graph_format_known(dot + 1) ? dot + 1 : NULL;
}

static int load_graph(const char *what, struct nslab_graph *g)
{
	struct nslab_err err = { 0 };

	if (is_topology_path(what)) {
		struct nslab_topo *t = cli_load_topo(what);
		if (!t)
			return EXIT_FAIL;
		nslab_graph_from_topo(g, t);
		nslab_topo_free(t);
		return EXIT_OK;
	}
	if (!nslab_name_valid(what)) {
		fprintf(stderr, "nslab: graph: '%s' is neither a topology file or folder nor a lab name\n", what);
		return EXIT_FAIL;
	}
	json_t *j = nslab_lab_inspect(what, &err);
	if (!j)
		return cli_fail(&err);
	int r = nslab_graph_from_inspect(g, j, &err);
	json_decref(j);
	return r < 0 ? cli_fail(&err) : EXIT_OK;
}

static int write_out(const char *out, const char *buf, size_t len)
{
	if (!out || strcmp(out, "-") == 0) {
		if (fwrite(buf, 1, len, stdout) != len || fflush(stdout) != 0) {
			fprintf(stderr, "nslab: graph: writing to standard output: %s\n", strerror(errno));
			return EXIT_FAIL;
		}
		return EXIT_OK;
	}
	if (nslab_write_file(out, buf, len, 0644) < 0) {
		fprintf(stderr, "nslab: graph: writing %s: %s\n", out, strerror(errno));
		return EXIT_FAIL;
	}
	fprintf(stderr, "wrote %s\n", out);
	return EXIT_OK;
}

static int cmd_graph(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "output", required_argument, NULL, 'o' },
		{ 0 },
	};
	const char *format = NULL, *out = NULL;
	struct nslab_graph g;
	struct nslab_err err = { 0 };
	int c, r;

	cli_getopt_reset();
	while ((c = getopt_long(argc, argv, "f:o:", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			format = optarg;
			break;
		case 'o':
			out = optarg;
			break;
		default:
			return cli_usage_error(&cli_cmd_graph, "unknown option");
		}
	}
	if (optind != argc - 1)
		return cli_usage_error(&cli_cmd_graph, "expects one topology file, lab folder or lab name");
	if (!format)
		format = format_from_name(out) ?: "dot";
	if (!nslab_graph_format_known(format))
		return cli_usage_error(&cli_cmd_graph, "unknown format '%s' (dot, svg or png)", format);
	if (strcmp(format, "png") == 0 && !out && isatty(STDOUT_FILENO))
		return cli_usage_error(&cli_cmd_graph, "a PNG goes to a file: add -o FILE.png");
	r = load_graph(argv[optind], &g);
	if (r != EXIT_OK)
		return r;
	_cleanup_free_ char *buf = NULL;
	size_t len;
	if (nslab_graph_render(&g, format, &buf, &len, &err) < 0) {
		nslab_graph_free(&g);
		return cli_fail(&err);
	}
	nslab_graph_free(&g);
	return write_out(out, buf, len);
}

const struct cli_cmd cli_cmd_graph = {
	"graph", "FILE|DIR|LAB [--format dot|svg|png] [-o OUT]", "draw a lab: nodes, links, interfaces, addresses",
	"  -f, --format F   dot (text, the default), svg or png; taken from OUT's extension when not given\n"
	"  -o, --output OUT write the picture to OUT (default: standard output; a PNG needs -o)\n"
	"A topology file or lab folder is drawn as declared; a running lab's name draws it as it is now:\n"
	"the addresses the nodes really hold, links that are down dashed red, impaired links orange with\n"
	"their impairments. Routers are boxes in 3D, hosts boxes, bridges switches. Graphviz's libraries\n"
	"lay it out (no `dot` program is run). Needs root only for a running lab.\n",
	cmd_graph,
};
