// SPDX-License-Identifier: GPL-2.0-or-later
/* cli/cmd-inspect.c: `nslab inspect LAB|FILE [--json]`: a lab's nodes and interfaces, as tables or JSON. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "../core/lab.h"
#include "../topologies/model.h"
#include "../util/json.h"
#include "../util/util.h"
#include "cli.h"

extern const struct cli_cmd cli_cmd_inspect;

static void print_nodes(json_t *nodes)
{
	static const char *const heads[] = { "NODE", "KIND", "STATE", "PID", "CPU-ms", "MEM-KiB", "PROCS", "LIMITS",
					     "NETNS (ip netns exec NAME ...)" };
	struct cli_table tb;
	bool pss = false;
	json_t *n;
	size_t i;

	cli_table_init(&tb, ARRAY_SIZE(heads), heads);
	json_array_foreach(nodes, i, n) {
		json_t *pid = json_object_get(n, "pid"), *u = json_object_get(n, "usage");
		char pids[24] = "-", cpu[24] = "-", mem[24] = "-", procs[24] = "-";
		_cleanup_free_ char *lim = cli_limits_text(json_object_get(n, "limits"), 0);
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
		if (json_object_get(u, "pids")) /* "3/1024": with the pids limit in force (a default one included) */
			snprintf(procs, sizeof(procs), json_is_integer(json_object_get(u, "pids_max")) ? "%lld/%lld" : "%lld",
				 (long long)json_integer_value(json_object_get(u, "pids")),
				 (long long)json_integer_value(json_object_get(u, "pids_max")));
		const char *row[] = { json_string_value(json_object_get(n, "name")), json_string_value(json_object_get(n, "kind")),
				      json_string_value(json_object_get(n, "state")), pids, cpu, mem, procs,
				      lim[0] ? lim : "-", json_string_value(json_object_get(n, "netns")) };
		cli_table_add(&tb, row);
	}
	cli_table_print(&tb, stdout);
	if (pss)
		printf("* no memory limit, so no memory cgroup: the sum of the node's processes' PSS\n");
}

static void print_interfaces(json_t *nodes)
{
	static const char *const heads[] = { "INTERFACE", "STATE", "MTU", "MAC", "ADDRESSES", "PEER" };
	struct cli_table tb;
	json_t *n, *ifc;
	size_t i, k;

	cli_table_init(&tb, ARRAY_SIZE(heads), heads);
	json_array_foreach(nodes, i, n) {
		json_array_foreach(json_object_get(n, "interfaces"), k, ifc) {
			_cleanup_free_ char *ifn = xasprintf("%s:%s", json_string_value(json_object_get(n, "name")),
							     json_string_value(json_object_get(ifc, "name")));
			_cleanup_free_ char *addrs = xstrdup("");
			json_t *a, *mtu = json_object_get(ifc, "mtu");
			char mtus[24];
			size_t m;
			json_array_foreach(json_object_get(ifc, "addresses"), m, a) {
				char *t = xasprintf("%s%s%s", addrs, m ? "," : "", json_string_value(a));
				free(addrs);
				addrs = t;
			}
			snprintf(mtus, sizeof(mtus), "%lld", mtu ? (long long)json_integer_value(mtu) : 0LL);
			const char *row[] = { ifn, json_string_value(json_object_get(ifc, "state")), mtus,
					      json_string_value(json_object_get(ifc, "mac")), addrs[0] ? addrs : "-",
					      json_string_value(json_object_get(ifc, "peer")) };
			cli_table_add(&tb, row);
		}
	}
	cli_table_print(&tb, stdout);
}

void cli_print_inspect(json_t *j)
{
	json_t *nodes = json_object_get(j, "nodes");

	printf("lab %s (%s), %zu nodes, %zu links, from %s\n\n", json_string_value(json_object_get(j, "name")),
	       json_string_value(json_object_get(j, "status")), json_array_size(nodes),
	       json_array_size(json_object_get(j, "links")), json_string_value(json_object_get(j, "file")));
	print_nodes(nodes);
	printf("\n");
	print_interfaces(nodes);
}

/* A topology file instead of a lab name: the lab it deploys (malloc'd), or NULL (diagnostics printed). */
static char *lab_of_file(const char *path)
{
	struct nslab_topo *t = cli_load_topo(path);
	char *lab;

	if (!t)
		return NULL;
	lab = xstrdup(t->name);
	nslab_topo_free(t);
	return lab;
}

static int cmd_inspect(int argc, char **argv)
{
	struct nslab_err err = { 0 };
	int nargs;
	bool json = cli_want_json(argc, argv, &nargs);
	_cleanup_json_ json_t *j = NULL;
	_cleanup_free_ char *from_file = NULL;
	const char *lab;

	if (nargs != 1)
		return cli_usage_error(&cli_cmd_inspect, "expects one lab name (or topology file)");
	lab = argv[1];
	if (!nslab_name_valid(lab) && access(lab, F_OK) == 0) {
		lab = from_file = lab_of_file(argv[1]);
		if (!lab)
			return EXIT_FAIL;
	}
	j = nslab_lab_inspect(lab, &err);
	if (!j && from_file) {
		fprintf(stderr, "nslab: %s deploys lab %s: %s\n", argv[1], lab, err.msg);
		return EXIT_FAIL;
	}
	if (!j)
		return cli_fail(&err);
	if (json)
		cli_print_json(j);
	else
		cli_print_inspect(j);
	return EXIT_OK;
}

const struct cli_cmd cli_cmd_inspect = {
	"inspect", "LAB|FILE [--json]", "show a lab's nodes, interfaces and links",
	"  --json  machine-readable output (node pid/state/limits/usage, interface mac/mtu/state/\n"
	"          addresses/peer)\n"
	"Given a topology FILE, inspects the lab that FILE deploys.\n",
	cmd_inspect,
};
