// SPDX-License-Identifier: GPL-2.0-or-later
/* cli/cmd-inspect.c: `nslab inspect LAB [--json]`: a lab's nodes and interfaces, as tables or JSON. */
#include <stdio.h>
#include <string.h>

#include "../core/lab.h"
#include "../util/json.h"
#include "../util/util.h"
#include "cli.h"

extern const struct cli_cmd cli_cmd_inspect;

void cli_print_inspect(json_t *j)
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

static int cmd_inspect(int argc, char **argv)
{
	struct nslab_err err = { 0 };
	int nargs;
	bool json = cli_want_json(argc, argv, &nargs);
	_cleanup_json_ json_t *j = NULL;

	if (nargs != 1)
		return cli_usage_error(&cli_cmd_inspect, "expects one lab name");
	j = nslab_lab_inspect(argv[1], &err);
	if (!j)
		return cli_fail(&err);
	if (json)
		cli_print_json(j);
	else
		cli_print_inspect(j);
	return EXIT_OK;
}

const struct cli_cmd cli_cmd_inspect = {
	"inspect", "LAB [--json]", "show a lab's nodes, interfaces and links",
	"  --json  machine-readable output (node pid/state, interface mac/mtu/state/addresses/peer)\n",
	cmd_inspect,
};
