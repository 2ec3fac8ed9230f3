// SPDX-License-Identifier: GPL-2.0-or-later
/* cli/link.c: `nslab link`: take links down and up, flap them, change, reset and show their impairments. */
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "../core/link.h"
#include "../util/util.h"
#include "cli.h"

enum {
	OPT_EVERY = 256,
	OPT_TIMES,
	OPT_ONLY,
	OPT_JSON,
	OPT_IMPAIR, /* OPT_IMPAIR + p: impairment parameter p of the table (topologies/impair.h) */
};

static volatile sig_atomic_t flap_stop;

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

/* Sleep us microseconds unless a signal asks to stop. */
static void sleep_us(unsigned long long us)
{
	struct timespec ts = { .tv_sec = (time_t)(us / 1000000), .tv_nsec = (long)(us % 1000000) * 1000 };

	while (!flap_stop && nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
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

static int flap(const char *lab, const struct nslab_link_sel *s, unsigned long long every_us, unsigned long times,
		bool verbose)
{
	struct sigaction sa = { .sa_handler = on_signal };
	struct nslab_link_stats st = { 0 };
	struct nslab_err err = { 0 };
	double t0 = now_s();
	int ret = EXIT_OK;

	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	for (unsigned long i = 1; i <= times && !flap_stop; i++) {
		if (nslab_link_down(lab, s, &st, &err) < 0) {
			fprintf(stderr, "nslab: %s\n", err.msg);
			return EXIT_FAIL;
		}
		printf("%.3f flap %lu/%lu down\n", now_s() - t0, i, times);
		fflush(stdout);
		if (verbose)
			verbose_stats("down", s->a, &st);
		sleep_us(every_us);
		/* up even when interrupted: a flap never leaves the link down */
		if (nslab_link_up(lab, s, &st, &err) < 0) {
			fprintf(stderr, "nslab: %s\n", err.msg);
			return EXIT_FAIL;
		}
		printf("%.3f flap %lu/%lu up\n", now_s() - t0, i, times);
		fflush(stdout);
		if (verbose)
			verbose_stats("up", s->a, &st);
		if (i < times)
			sleep_us(every_us);
	}
	if (flap_stop) {
		fprintf(stderr, "nslab: flap interrupted; the link is up\n");
		ret = EXIT_FAIL;
	}
	return ret;
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

int cmd_link(int argc, char **argv)
{
	struct option opts[64];
	const struct cli_cmd *cmd = cli_find("link");
	struct nslab_impair_change chg = { 0 };
	struct nslab_link_stats st = { 0 };
	struct nslab_link_sel sel = { 0 };
	struct nslab_err err = { 0 };
	unsigned long long every_us = 1000000;
	unsigned long times = 1;
	bool json = false, verbose = false, every_given = false, times_given = false;
	const char *lab, *action;
	char why[NSLAB_IMP_MSG_MAX];
	char *end;
	int o, r, npos, li = 0;

	link_opts(opts, ARRAY_SIZE(opts));
	optind = 1;
	opterr = 0;
	/* GNU getopt permutes: options may come anywhere, positionals end up from optind on */
	while ((o = getopt_long(argc, argv, ":v", opts, &li)) != -1) {
		switch (o) {
		case OPT_EVERY:
			if (nslab_parse_duration_us(optarg, &every_us) < 0 || every_us == 0)
				return cli_usage_error(cmd, "--every takes a duration above 0 (2s, 500ms)");
			every_given = true;
			break;
		case OPT_TIMES:
			errno = 0;
			times = strtoul(optarg, &end, 10);
			if (errno || end == optarg || *end || times == 0 || optarg[0] == '-')
				return cli_usage_error(cmd, "--times takes a count of 1 or more");
			times_given = true;
			break;
		case OPT_ONLY:
			sel.only = true;
			break;
		case OPT_JSON:
			json = true;
			break;
		case 'v':
			verbose = true;
			break;
		case ':':
			return cli_usage_error(cmd, "%s needs a value", argv[optind - 1]);
		case '?':
			return cli_usage_error(cmd, "unknown option '%s'", argv[optind - 1]);
		default:
			/* the last of a repeated option wins, as with getopt */
			chg.given &= ~NSLAB_IMPP_BIT(o - OPT_IMPAIR);
			if (nslab_impair_change_add(&chg, nslab_imp_params[o - OPT_IMPAIR].name, optarg, why,
						    sizeof(why)) < 0)
				return cli_usage_error(cmd, "--%s %s: %s", opts[li].name, optarg, why);
			break;
		}
	}
	npos = argc - optind;
	if (npos < 3 || npos > 4)
		return cli_usage_error(cmd, "expects LAB NODE:IF [NODE:IF] ACTION");
	lab = argv[optind];
	sel.a = argv[optind + 1];
	sel.b = npos == 4 ? argv[optind + 2] : NULL;
	action = argv[argc - 1];
	if (sel.only && sel.b)
		return cli_usage_error(cmd, "--only acts on the first end alone: do not name the peer");
	if ((every_given || times_given) && strcmp(action, "flap") != 0)
		return cli_usage_error(cmd, "--every and --times are for flap");
	if (chg.given && strcmp(action, "set") != 0)
		return cli_usage_error(cmd, "impairment options are for set");
	if (json && strcmp(action, "show") != 0)
		return cli_usage_error(cmd, "--json is for show");

	if (strcmp(action, "show") == 0) {
		json_t *j = nslab_link_show(lab, &sel, &err);
		if (!j) {
			fprintf(stderr, "nslab: %s\n", err.msg);
			return EXIT_FAIL;
		}
		if (json) {
			json_dumpf(j, stdout, JSON_INDENT(2));
			putchar('\n');
		} else {
			print_show(j);
		}
		json_decref(j);
		return EXIT_OK;
	}
	if (strcmp(action, "set") == 0) {
		if (!chg.given)
			return cli_usage_error(cmd, "set needs at least one impairment option (--NAME VALUE; names: %s)",
					       nslab_imp_param_list());
		r = nslab_link_set(lab, &sel, &chg, &st, &err);
	} else if (strcmp(action, "reset") == 0) {
		r = nslab_link_reset(lab, &sel, &st, &err);
	} else if (strcmp(action, "down") == 0 || strcmp(action, "up") == 0 || strcmp(action, "flap") == 0) {
		if (sel.only)
			return cli_usage_error(cmd, "a link is down for both ends: --only is for set, reset and show");
		if (strcmp(action, "flap") == 0)
			return flap(lab, &sel, every_us, times, verbose);
		r = action[0] == 'd' ? nslab_link_down(lab, &sel, &st, &err) : nslab_link_up(lab, &sel, &st, &err);
	} else {
		return cli_usage_error(cmd, "unknown action '%s' (down, up, flap, set, reset, show)", action);
	}
	if (r < 0) {
		fprintf(stderr, "nslab: %s\n", err.msg);
		return EXIT_FAIL;
	}
	if (verbose)
		verbose_stats(action, sel.a, &st);
	return EXIT_OK;
}
