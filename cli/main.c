// SPDX-License-Identifier: GPL-2.0-or-later
/* cli/main.c: nslab's entry point and command table. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "../core/node.h"
#include "../util/util.h"
#include "cli.h"

const struct cli_cmd cli_cmds[] = {
	{ "deploy", "FILE [--name LAB] [--quiet] [--verbose]", "build the lab a topology file describes",
	  "  -n, --name LAB  lab name (default: the file's `name`)\n"
	  "  -q, --quiet     print nothing on success\n"
	  "  -v, --verbose   print each deploy phase and its duration on stderr\n"
	  "Exits 0 once every node is up, wired, addressed and its exec: commands ran (each with\n"
	  "/bin/sh -c inside the node; a failing command fails the deploy). On any failure the\n"
	  "lab is rolled back and nothing is left on the machine.\n",
	  cmd_deploy },
	{ "destroy", "LAB... | -t FILE | --all", "remove a lab and everything it created",
	  "  -t, --topo FILE  destroy the lab named in FILE\n"
	  "  -a, --all        destroy every lab\n"
	  "Needs no topology file, works after a crashed deploy, and is idempotent:\n"
	  "destroying a lab that does not exist succeeds.\n",
	  cmd_destroy },
	{ "list", "[--json]", "list deployed labs", "  --json  machine-readable output\n", cmd_list },
	{ "inspect", "LAB [--json]", "show a lab's nodes, interfaces and links",
	  "  --json  machine-readable output (node pid/state, interface mac/mtu/state/addresses/peer)\n",
	  cmd_inspect },
	{ "exec", "LAB NODE [--] CMD [ARG...] | LAB --all|--label KEY=VALUE|NODE,NODE... [--json] [--parallel N] -- CMD",
	  "run a program inside a node, or in many",
	  "The program runs in all the node's namespaces, with the node's env: added to yours.\n"
	  "Its output passes through and nslab exits with its exit status (127: not found).\n"
	  "Nothing goes through a shell: use `-- sh -c '...'` for one.\n"
	  "Many nodes (all, those labelled KEY=VALUE, or a comma-separated list): the program runs\n"
	  "in each, 16 at once (--parallel N), every output line prefixed with its node; the exit\n"
	  "status is the worst one; --json prints [{node, status, output}].\n",
	  cmd_exec },
	{ "attach", "LAB NODE [--shell PATH]", "open an interactive shell inside a node",
	  "  --shell PATH  program to run (default: $SHELL if it exists, else /bin/bash, /bin/sh)\n"
	  "Runs on a new pseudo-terminal; exit the shell to detach.\n",
	  cmd_attach },
	{ "validate", "FILE", "check a topology file (no root needed)",
	  "Reports every problem as FILE:LINE:COL: message and exits 1 if there is any error.\n", cmd_validate },
	{ "plan", "FILE [--name LAB]", "print the operations a deploy would perform (no root needed)", "",
	  cmd_plan },
	{ "limit", "LAB NODE [--cpu N] [--cpu-set LIST] [--memory SIZE] [--cpu-weight N] [--pids N] [--net-cls ID]",
	  "change a running node's resource limits (cgroups)",
	  "  --cpu N          cores (0.5 = half of one core); none removes the limit\n"
	  "  --cpu-set LIST   CPUs the node may use (\"0\", \"0-1\", \"0,2\"); none removes the set\n"
	  "  --memory SIZE    memory limit (256Mb, 1g); past it the kernel OOM-kills inside the node\n"
	  "  --cpu-weight N   relative CPU share, 1..10000 (100 = default)\n"
	  "  --pids N         most processes the node may have\n"
	  "  --net-cls ID     classid for tc's classful qdiscs (0x00100001, 10:1, auto, none): the v1\n"
	  "                   net_cls controller, or on cgroup v2 hosts the packets' priority (nftables)\n"
	  "Limits not named keep their value. nslab inspect shows limits and usage.\n",
	  cmd_limit },
	{ "cleanup", "[LAB...]", "remove leftovers of labs whose deploy or destroy died",
	  "Without LAB, every dead lab and every stray nslab handle or cgroup; with LAB names, only\n"
	  "those labs' leftovers. Running labs are never touched.\n", cmd_cleanup },
	{ "link", "LAB NODE:IF [NODE:IF] down|up|flap|set|reset|show [OPTIONS]",
	  "change a running lab's link: down, up, flap, impairments",
	  "  down | up          take the link down for both ends (no carrier on either side) / bring it\n"
	  "                     back as it was (routes and IPv6 addresses the kernel dropped come back)\n"
	  "  flap [--every D] [--times N]  N times (default 1): down, wait D (default 1s), up, wait D\n"
	  "  set OPTIONS        change impairments, keeping the ones not given; both ends of the link\n"
	  "                     (each on its egress) unless --only\n"
	  "      --delay D --jitter D --jitter-distribution uniform|normal|pareto|paretonormal\n"
	  "      --loss P --loss-correlation P --duplicate P --reorder P --reorder-correlation P\n"
	  "      --corrupt P --rate R --limit PACKETS\n"
	  "  reset              remove every impairment (no qdisc; not the topology file's settings)\n"
	  "  show [--json]      settings, state, qdisc and interface counters of both ends\n"
	  "  --only, --egress-only  set/reset/show the first end only\n"
	  "  -v, --verbose      print how long the change took on stderr\n"
	  "A second NODE:IF, when given, must be the first one's peer.\n",
	  cmd_link },
	{ "scenario", "LAB FILE [--format tap|junit] [--junit OUT]", "run a scenario (timeline of actions and checks)",
	  "  --format tap|junit  report format on stdout (default tap)\n"
	  "  --junit OUT         also write a JUnit XML report to OUT\n"
	  "  -v, --verbose       print each action as it runs (TAP comments)\n"
	  "Exits 0 when every check passed, 1 when one failed or an action failed, 2 on a usage or\n"
	  "parse error (reported as FILE:LINE:COL; nothing is run). Format: docs/scenario.md.\n",
	  cmd_scenario },
	{ "console", "LAB", "full-screen view of a running lab, with node shells and link actions",
	  "A live table of the lab's nodes (state, pid, cpu, memory, interfaces) and links (state,\n"
	  "rx/tx rates, drops, impairments), refreshed every second. Keys (shown on the last line):\n"
	  "  Up/Down select   Enter open a shell in the node (or show the link)   a another shell\n"
	  "  x run a command  p ping another node   o routes and neighbours\n"
	  "  d / u take the selected link down / up   i set impairments   r reset them\n"
	  "  F1 lab view, F2-F10 shells; in a shell Ctrl-b n/p next/previous tab, Ctrl-b l lab view,\n"
	  "  Ctrl-b PgUp/PgDn or Shift-PgUp/PgDn scrollback, Ctrl-b x close; exiting the shell closes it\n"
	  "  q quit\n"
	  "Logs go to $XDG_RUNTIME_DIR (or /tmp)/nslab-console-LAB.log, never to the screen.\n",
	  cmd_console },
	{ "pingall", "LAB [--count N] [--pairs A:B,...] [--json]", "every node with an address pings every other",
	  "  -c, --count N       echo requests per pair (default 1)\n"
	  "  -p, --pairs A:B,... only these pairs (A pings B)\n"
	  "  --json              machine-readable output (every pair's counts, totals)\n"
	  "A node is pinged at its first IPv4 address (else IPv6, else its loopback's); nodes without\n"
	  "one (bridges) take no part. Pings run in the nodes, 16 at once. Prints a matrix of\n"
	  "received/sent and the loss total; exits 1 on any loss.\n",
	  cmd_pingall },
	{ "iperf", "LAB CLIENT SERVER [--udp] [--time S] [--bitrate R] [--port P] [--json]",
	  "measure the rate between two nodes with iperf3",
	  "  -u, --udp          UDP instead of TCP\n"
	  "  -t, --time S       seconds of traffic (default 3)\n"
	  "  -b, --bitrate R    iperf3's target rate (UDP: default 1M), e.g. 10M\n"
	  "  -p, --port P       the server's port (default 5201)\n"
	  "  --json             machine-readable output\n"
	  "Starts an iperf3 server in SERVER, runs the client in CLIENT against SERVER's first IPv4\n"
	  "address (else IPv6), reports the rate the server received (and what was sent), and\n"
	  "ends the server by its pid if it is still there. Needs iperf3 on the host.\n",
	  cmd_iperf },
	{ "generate", "[--name LAB] chain N | ring N | star N | tree DEPTH FANOUT | clos SPINES LEAVES [HOSTS] | fat-tree K",
	  "print a standard topology file (addresses and routes included)",
	  "  -n, --name LAB  the lab's name (default: the shape and its numbers, e.g. ring4)\n"
	  "  chain N                      N routers in a line\n"
	  "  ring N                       N routers in a ring\n"
	  "  star N                       N hosts on one bridge, one subnet (10.0.0.0/16)\n"
	  "  tree DEPTH FANOUT            routers DEPTH levels deep, FANOUT children each, FANOUT hosts\n"
	  "                               under each router of the last level\n"
	  "  clos SPINES LEAVES [HOSTS]   leaf-spine: each leaf linked to every spine, HOSTS (1) per leaf\n"
	  "  fat-tree K                   k-ary fat-tree: (K/2)^2 cores, K pods, K^3/4 hosts (K even)\n"
	  "Each link gets its own /24 (10.X.Y.1 and .2) and every router static routes along\n"
	  "shortest paths, hosts a default route: every node reaches every other (nslab pingall).\n"
	  "Example: nslab generate ring 4 > ring4.clab.yml && nslab deploy ring4.clab.yml\n",
	  cmd_generate },
	{ "help", "[COMMAND]", "show help", "", cmd_help },
	{ "version", "", "print the version", "", cmd_version },
};
const unsigned cli_ncmds = ARRAY_SIZE(cli_cmds);

const struct cli_cmd *cli_find(const char *name)
{
	for (unsigned i = 0; i < cli_ncmds; i++)
		if (strcmp(cli_cmds[i].name, name) == 0)
			return &cli_cmds[i];
	return NULL;
}

void cli_print_help(const struct cli_cmd *c)
{
	printf("usage: nslab %s %s\n%s.\n", c->name, c->usage, c->summary);
	if (c->help[0])
		printf("\n%s", c->help);
}

int cli_usage_error(const struct cli_cmd *c, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "nslab %s: ", c->name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nusage: nslab %s %s\n", c->name, c->usage);
	return EXIT_USAGE;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: nslab COMMAND [ARGS]\n"
		   "nslab builds network labs from topology files: one lightweight container per node,\n"
		   "wired with veth pairs and bridges.\n\ncommands:\n");
	for (unsigned i = 0; i < cli_ncmds; i++)
		fprintf(f, "  %-9s %s\n", cli_cmds[i].name, cli_cmds[i].summary);
	fprintf(f, "\n`nslab COMMAND --help` for a command's options; `man nslab` for everything.\n");
}

int cmd_help(int argc, char **argv)
{
	const struct cli_cmd *c;

	if (argc < 2) {
		usage(stdout);
		return EXIT_OK;
	}
	c = cli_find(argv[1]);
	if (!c) {
		fprintf(stderr, "nslab: unknown command '%s'\n", argv[1]);
		return EXIT_USAGE;
	}
	cli_print_help(c);
	return EXIT_OK;
}

int cmd_version(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	printf("nslab %s\n", NSLAB_VERSION);
	return EXIT_OK;
}

int main(int argc, char **argv)
{
	const struct cli_cmd *c;

	/* internal: the node spawner of a deploy (core/node.h), not a user command */
	if (argc == 2 && strcmp(argv[1], NSLAB_SPAWNER_ARG) == 0)
		return nslab_spawner_main();
	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		usage(stdout);
		return EXIT_OK;
	}
	if (strcmp(argv[1], "--version") == 0)
		return cmd_version(0, NULL);
	c = cli_find(argv[1]);
	if (!c) {
		fprintf(stderr, "nslab: unknown command '%s' (nslab --help lists them)\n", argv[1]);
		return EXIT_USAGE;
	}
	/* exec passes everything after LAB NODE to the program: only look at what comes before */
	int scan_end = strcmp(c->name, "exec") == 0 && argc > 4 ? 4 : argc;
	for (int i = 2; i < scan_end; i++) {
		if (strcmp(argv[i], "--") == 0)
			break;
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			cli_print_help(c);
			return EXIT_OK;
		}
	}
	return c->exec(argc - 1, argv + 1);
}
