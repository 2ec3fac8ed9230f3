// SPDX-License-Identifier: GPL-2.0-or-later
/* cli/link.c: `nslab link`: its options and output; the actions themselves are core/link.c's table. */
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "../core/link.h"
#include "../util/json.h"
#include "../util/util.h"
#include "cli.h"

enum {
	OPT_EVERY = 256,
	OPT_TIMES,
	OPT_ONLY,
	OPT_JSON,
	OPT_MTU,
	OPT_ADDR,
	OPT_IMPAIR, /* OPT_IMPAIR + p: impairment parameter p of the table (topologies/impair.h) */
};

static volatile sig_atomic_t flap_stop;
static unsigned long opt_mtu; /* add --mtu */
static const char *opt_addr[64]; /* add --addr NODE:IF=ADDR[,ADDR...], in order */
static size_t opt_naddr;

static void on_signal(int sig)
{
	(void)sig;
	flap_stop = 1;
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void print_show(json_t *j)
{
	size_t i;
	json_t *e;

	printf("link %s\n", json_string_value(json_object_get(j, "link")));
	json_array_foreach(json_object_get(j, "ends"), i, e) {
		json_t *q = json_object_get(e, "qdisc"), *c = json_object_get(e, "counters");
		printf("  %-22s %-10s%s impair: %s\n", json_string_value(json_object_get(e, "end")),
		       json_string_value(json_object_get(e, "state")),
		       json_is_true(json_object_get(e, "link_down")) ? " (link down)" : "",
		       json_string_value(json_object_get(e, "impair_text")));
		if (json_is_object(q))
			printf("    qdisc %s %s sent %lld bytes %lld pkts, dropped %lld, overlimits %lld, backlog %lldb %lldp\n",
			       json_string_value(json_object_get(q, "kind")), json_string_value(json_object_get(q, "handle")),
			       (long long)json_integer_value(json_object_get(q, "bytes")),
			       (long long)json_integer_value(json_object_get(q, "packets")),
			       (long long)json_integer_value(json_object_get(q, "drops")),
			       (long long)json_integer_value(json_object_get(q, "overlimits")),
			       (long long)json_integer_value(json_object_get(q, "backlog")),
			       (long long)json_integer_value(json_object_get(q, "qlen")));
		else
			printf("    qdisc: none (noqueue)\n");
		if (json_is_object(c))
			printf("    tx %lld pkts %lld bytes %lld dropped, rx %lld pkts %lld bytes %lld dropped\n",
			       (long long)json_integer_value(json_object_get(c, "tx_packets")),
			       (long long)json_integer_value(json_object_get(c, "tx_bytes")),
			       (long long)json_integer_value(json_object_get(c, "tx_dropped")),
			       (long long)json_integer_value(json_object_get(c, "rx_packets")),
			       (long long)json_integer_value(json_object_get(c, "rx_bytes")),
			       (long long)json_integer_value(json_object_get(c, "rx_dropped")));
	}
}

static void verbose_stats(const char *what, const char *link, const struct nslab_link_stats *st)
{
	fprintf(stderr, "nslab: %s %s: %.3f ms (netlink %.3f ms, %u namespaces, %u requests)\n", link, what,
		st->total_ms, st->kernel_ms, st->namespaces, st->requests);
}

/* The options of `nslab link`: every impairment parameter of the table under its name and its
 * aliases (value OPT_IMPAIR + parameter), then the others. */
static void link_opts(struct option *o, size_t max)
{
	static const struct option fixed[] = {
		{ "every", required_argument, NULL, OPT_EVERY },
		{ "times", required_argument, NULL, OPT_TIMES },
		{ "only", no_argument, NULL, OPT_ONLY },
		{ "egress-only", no_argument, NULL, OPT_ONLY },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "mtu", required_argument, NULL, OPT_MTU },
		{ "addr", required_argument, NULL, OPT_ADDR },
		{ "verbose", no_argument, NULL, 'v' },
	};
	size_t n = 0;

	for (int p = 0; p < NSLAB_IMPP__COUNT; p++) {
		const struct nslab_imp_param_info *pi = &nslab_imp_params[p];

		o[n++] = (struct option){ pi->name, required_argument, NULL, OPT_IMPAIR + p };
		for (size_t a = 0; a < ARRAY_SIZE(pi->aliases) && pi->aliases[a]; a++)
			o[n++] = (struct option){ pi->aliases[a], required_argument, NULL, OPT_IMPAIR + p };
	}
	for (size_t i = 0; i < ARRAY_SIZE(fixed); i++)
		o[n++] = fixed[i];
	o[n] = (struct option){ 0 };
	if (n >= max)
		abort(); /* the array below is too small for the table */
}

struct flap_out {
	double t0;
	bool verbose;
	const char *link;
};

/* One line per flap transition: "0.201 flap 1/3 up". */
static void on_flap(void *ctx, unsigned long i, unsigned long times, bool up, const struct nslab_link_stats *st)
{
	struct flap_out *o = ctx;

	printf("%.3f flap %lu/%lu %s\n", now_s() - o->t0, i, times, up ? "up" : "down");
	fflush(stdout);
	if (o->verbose)
		verbose_stats(up ? "up" : "down", o->link, st);
}

/* One option of `nslab link` into r; 0 or a usage error's exit status. */
static int link_opt(const struct cli_cmd *cmd, int o, const char *name, struct nslab_link_req *r, bool *json,
		    bool *verbose)
{
	char why[NSLAB_IMP_MSG_MAX], *end;

	switch (o) {
	case OPT_EVERY:
		if (nslab_parse_duration_us(optarg, &r->every_us) < 0 || r->every_us == 0)
			return cli_usage_error(cmd, "--every takes a duration above 0 (2s, 500ms)");
		r->every_given = true;
		return 0;
	case OPT_TIMES:
		errno = 0;
		r->times = strtoul(optarg, &end, 10);
		if (errno || end == optarg || *end || r->times == 0 || optarg[0] == '-')
			return cli_usage_error(cmd, "--times takes a count of 1 or more");
		r->times_given = true;
		return 0;
	case OPT_ONLY:
		r->sel.only = true;
		return 0;
	case OPT_MTU:
		errno = 0;
		opt_mtu = strtoul(optarg, &end, 10);
		if (errno || end == optarg || *end || opt_mtu < 68 || opt_mtu > 65535 || optarg[0] == '-')
			return cli_usage_error(cmd, "--mtu takes a size from 68 to 65535");
		return 0;
	case OPT_ADDR:
		if (opt_naddr == ARRAY_SIZE(opt_addr))
			return cli_usage_error(cmd, "--addr given more than %zu times", ARRAY_SIZE(opt_addr));
		opt_addr[opt_naddr++] = optarg;
		return 0;
	case OPT_JSON:
		*json = true;
		return 0;
	case 'v':
		*verbose = true;
		return 0;
	default:
		/* the last of a repeated option wins, as with getopt */
		r->change.given &= ~NSLAB_IMPP_BIT(o - OPT_IMPAIR);
		if (nslab_impair_change_add(&r->change, nslab_imp_params[o - OPT_IMPAIR].name, optarg, why,
					    sizeof(why)) < 0)
			return cli_usage_error(cmd, "--%s %s: %s", name, optarg, why);
		return 0;
	}
}

/* "added link a:eth2 -- b:eth2", then one line per end that has addresses. */
static void print_topo(const char *verb, json_t *j)
{
	size_t i, k;
	json_t *e, *a;

	printf("%s link %s\n", verb, json_string_value(json_object_get(j, "link")));
	json_array_foreach(json_object_get(j, "ends"), i, e) {
		if (!json_array_size(json_object_get(e, "addresses")))
			continue;
		printf("  %s", json_string_value(json_object_get(e, "end")));
		json_array_foreach(json_object_get(e, "addresses"), k, a)
			printf(" %s", json_string_value(a));
		putchar('\n');
	}
}

/* `nslab link LAB add A:IF B:IF [--addr A:IF=ADDR]... [--mtu N] [--json]` and
 * `nslab link LAB remove A:IF [B:IF] [--json]`. */
static int link_topo(const struct cli_cmd *cmd, const char *verb, int npos, char **pos, const struct nslab_link_req *req,
		     bool json, bool verbose)
{
	struct nslab_link_sel sel = { pos[2], npos == 4 ? pos[3] : NULL, false };
	struct nslab_link_new ln = { { pos[2], npos == 4 ? pos[3] : NULL }, (unsigned)opt_mtu, { NULL, NULL }, { 0, 0 } };
	struct nslab_err err = { 0 };
	bool add = strcmp(verb, "add") == 0;
	_cleanup_json_ json_t *j = NULL;
	json_t *w;
	size_t k;
	int r;

	/* containerlab's BR|NODE:IF: NODE:IF, a port of bridge BR (an added end is enslaved to it) */
	for (int i = 2; i < npos && i < 4; i++)
		nslab_link_end_unfold(pos[i], ln.bridge[i - 2]);

	if (verbose || req->change.given || req->sel.only || req->every_given || req->times_given)
		return cli_usage_error(cmd, "%s takes no option but %s", verb,
				       add ? "--addr, --mtu and --json" : "--json");
	if (add && npos != 4)
		return cli_usage_error(cmd, "expects LAB add NODE:IF NODE:IF [--addr NODE:IF=ADDRESS]... [--mtu N]");
	if (!add && (npos < 3 || npos > 4 || opt_mtu || opt_naddr))
		return cli_usage_error(cmd, "expects LAB remove NODE:IF [NODE:IF] (--addr and --mtu are for add)");
	for (size_t i = 0; add && i < opt_naddr; i++)
		if (nslab_link_new_addr(&ln, opt_addr[i], &err) < 0) {
			nslab_link_new_free(&ln);
			return cli_usage_error(cmd, "--addr %s", err.msg);
		}
	r = add ? nslab_link_add(pos[0], &ln, &j, &err) : nslab_link_remove(pos[0], &sel, &j, &err);
	nslab_link_new_free(&ln);
	if (r < 0)
		return cli_fail(&err);
	json_array_foreach(json_object_get(j, "warnings"), k, w)
		fprintf(stderr, "nslab: warning: %s\n", json_string_value(w));
	if (json)
		cli_print_json(j);
	else
		print_topo(add ? "added" : "removed", j);
	return EXIT_OK;
}

int cmd_link(int argc, char **argv)
{
	struct option opts[64];
	const struct cli_cmd *cmd = cli_find("link");
	struct nslab_link_req req = { .every_us = 1000000, .times = 1 };
	struct nslab_link_stats st = { 0 };
	struct nslab_err err = { 0 };
	struct flap_out fo = { 0 };
	bool json = false, verbose = false;
	const char *lab, *action, *why;
	int o, r, a, npos, li = 0;
	json_t *j = NULL;

	link_opts(opts, ARRAY_SIZE(opts));
	optind = 1;
	opterr = 0;
	/* GNU getopt permutes: options may come anywhere, positionals end up from optind on */
	while ((o = getopt_long(argc, argv, ":v", opts, &li)) != -1) {
		if (o == ':')
			return cli_usage_error(cmd, "%s needs a value", argv[optind - 1]);
		if (o == '?')
			return cli_usage_error(cmd, "unknown option '%s'", argv[optind - 1]);
		r = link_opt(cmd, o, opts[li].name, &req, &json, &verbose);
		if (r)
			return r;
	}
	npos = argc - optind;
	if (npos >= 2 && (strcmp(argv[optind + 1], "add") == 0 || strcmp(argv[optind + 1], "remove") == 0))
		return link_topo(cmd, argv[optind + 1], npos, argv + optind, &req, json, verbose);
	if (opt_mtu || opt_naddr)
		return cli_usage_error(cmd, "--mtu and --addr are for add");
	if (npos < 3 || npos > 4)
		return cli_usage_error(cmd, "expects LAB NODE:IF [NODE:IF] ACTION");
	lab = argv[optind];
	for (int i = 1; i < npos - 1; i++) { /* BR|NODE:IF, a port of a bridge inside NODE: NODE:IF */
		char br[NSLAB_IFNAMSIZ];
		nslab_link_end_unfold(argv[optind + i], br);
	}
	req.sel.a = argv[optind + 1];
	req.sel.b = npos == 4 ? argv[optind + 2] : NULL;
	action = argv[argc - 1];
	a = nslab_link_action_find(action);
	if (a < 0)
		return cli_usage_error(cmd, "unknown action '%s' (down, up, flap, set, reset, show)", action);
	req.action = (enum nslab_link_action)a;
	why = nslab_link_req_check(&req);
	if (why)
		return cli_usage_error(cmd, "%s", why);
	if (json && req.action != NSLAB_LINK_SHOW)
		return cli_usage_error(cmd, "--json is for show, add and remove");
	if (req.action == NSLAB_LINK_FLAP) {
		struct sigaction sa = { .sa_handler = on_signal };

		sigemptyset(&sa.sa_mask);
		sigaction(SIGINT, &sa, NULL);
		sigaction(SIGTERM, &sa, NULL);
		fo = (struct flap_out){ now_s(), verbose, req.sel.a };
		req.on_flap = on_flap;
		req.ctx = &fo;
		req.stop = &flap_stop;
	}
	if (nslab_link_run(lab, &req, &st, &j, &err) < 0) {
		fprintf(stderr, "nslab: %s\n", err.msg);
		return EXIT_FAIL;
	}
	if (j && json) {
		json_dumpf(j, stdout, JSON_INDENT(2));
		putchar('\n');
	} else if (j) {
		print_show(j);
	} else if (verbose && req.action != NSLAB_LINK_FLAP) {
		verbose_stats(action, req.sel.a, &st);
	}
	json_decref(j);
	return EXIT_OK;
}

const struct cli_cmd cli_cmd_link = {
	"link", "LAB NODE:IF [NODE:IF] down|up|flap|set|reset|show [OPTIONS] | LAB add|remove NODE:IF NODE:IF [OPTIONS]",
	"change a running lab's link: down, up, flap, impairments; add or remove one",
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
	"A second NODE:IF, when given, must be the first one's peer. A port of a bridge inside a node\n"
	"(containerlab's BR|NODE bridge) is NODE:IF or, as the file writes it, BR|NODE:IF; an end added\n"
	"as BR|NODE:IF is enslaved to bridge BR in NODE. Quote it in a shell: 'br01|bp1:c1eth1'.\n"
	"  LAB add NODE:IF NODE:IF [--addr NODE:IF=ADDR[,ADDR]]... [--mtu N] [--json]\n"
	"                     a new link (veth pair) between two running nodes, both ends up, MTU N\n"
	"                     (default 9500); --addr (repeatable) gives an end IPv4/IPv6 addresses with\n"
	"                     their prefix length (--addr r1:eth3=10.0.9.1/24,fd00:9::1/64), checked\n"
	"                     before anything is made; recorded in the lab's state (inspect, the\n"
	"                     console and destroy know it), the lab's /etc/hosts names the addresses\n"
	"  LAB remove NODE:IF [NODE:IF] [--json]  delete the link NODE:IF belongs to (declared or added)\n"
	"  --json             add/remove: the link's ends (ifindex, addresses, bridge) and MTU as JSON\n",
	cmd_link,
};
