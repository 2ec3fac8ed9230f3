// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * tui/command.c: the console's command line (`:`), with Mininet's habits: `h1 ping h2` (a node's
 * name first runs the rest in that node, node names replaced by their addresses), `pingall`,
 * `iperf h1 h2`, `link s1 h1 down` or `link r1:eth1 set delay 20ms`, `nodes`, `net`, `dump`. Each
 * one calls the engine's verb (core/pingall.c, core/iperf.c, core/link.c's action table, the node
 * exec primitive) in a child whose output goes to the panel; nothing is done twice here.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/iperf.h"
#include "../core/link.h"
#include "../core/pingall.h"
#include "../core/scenario.h"
#include "../util/util.h"
#include "console.h"

#define CMD_WORDS 32

struct cmd_args {
	struct console *c;
	char *w[CMD_WORDS]; /* the words; w[0] the command */
	size_t off[CMD_WORDS]; /* where each starts in the text */
	size_t n;
	const char *text;
	const char *rest; /* the text after w[0] */
};

/* ---- what the lab is: nodes, net, dump ---- */

static void c_nodes(struct cmd_args *a)
{
	const struct tui_model *m = &a->c->m;
	char *out = xstrdup("available nodes are:\n"), *t;

	for (size_t i = 0; i < m->nnodes; i++) {
		t = xasprintf("%s%s%s", out, i ? " " : "", m->nodes[i].name);
		free(out);
		out = t;
	}
	t = xasprintf("%s\n", out);
	panel_set(a->c, "nodes", t);
	free(t);
	free(out);
}

/* net: each node and where its interfaces go; dump: each node with its addresses and pid. */
static void node_lines(struct cmd_args *a, bool dump)
{
	const struct tui_model *m = &a->c->m;
	char *out = xstrdup(""), *t;

	for (size_t i = 0; i < m->nnodes; i++) {
		const struct tui_node *nd = &m->nodes[i];
		t = dump ? xasprintf("%s<%s %s:", out, nd->kind, nd->name) : xasprintf("%s%s", out, nd->name);
		free(out);
		out = t;
		for (size_t k = 0; k < nd->nifs; k++) {
			const struct tui_iface *f = &nd->ifs[k];
			if (dump)
				t = xasprintf("%s %s:%s", out, f->name, f->addrs[0] ? f->addrs : "None");
			else
				t = xasprintf("%s %s:%s", out, f->name, f->peer ? f->peer : "");
			free(out);
			out = t;
		}
		t = dump ? xasprintf("%s pid=%ld>\n", out, nd->pid) : xasprintf("%s\n", out);
		free(out);
		out = t;
	}
	panel_set(a->c, dump ? "dump" : "net", out);
	free(out);
}

static void c_net(struct cmd_args *a)
{
	node_lines(a, false);
}

static void c_dump(struct cmd_args *a)
{
	node_lines(a, true);
}

/* ---- pingall and iperf: core's verbs in a child ---- */

struct pingall_ctx {
	const char *lab;
	unsigned count;
};

static void pingall_child(void *ctx, int fd)
{
	const struct pingall_ctx *pc = ctx;
	struct nslab_pingall res = { 0 };
	struct nslab_err err = { 0 };

	dprintf(fd, "*** Ping: testing reachability (%u per pair)\n", pc->count);
	if (nslab_pingall_run(pc->lab, NULL, pc->count, 0, &res, &err) < 0) {
		dprintf(fd, "nslab: %s\n", err.msg);
		return;
	}
	for (size_t s = 0; s < res.nnodes; s++) {
		dprintf(fd, "%s ->", res.nodes[s]);
		for (size_t k = 0; k < res.npairs; k++) {
			const struct nslab_ping_pair *pp = &res.pairs[k];
			if (pp->src == s)
				dprintf(fd, " %s", pp->received == pp->sent && pp->sent ? res.nodes[pp->dst] : "X");
		}
		dprintf(fd, "\n");
	}
	dprintf(fd, "*** Results: %.0f%% dropped (%u/%u received)\n",
		res.sent ? 100.0 * (double)(res.sent - res.received) / (double)res.sent : 0.0, res.received, res.sent);
	nslab_pingall_free(&res);
}

static void c_pingall(struct cmd_args *a)
{
	struct pingall_ctx pc = { a->c->lab, 1 };

	if (a->n > 2 || (a->n == 2 && (sscanf(a->w[1], "%u", &pc.count) != 1 || pc.count == 0 || pc.count > 100))) {
		set_msg(a->c, true, "pingall [COUNT]: COUNT from 1 to 100");
		return;
	}
	action_spawn(a->c, "pingall", pingall_child, &pc, NULL, 0);
}

struct iperf_ctx {
	const char *lab;
	struct nslab_iperf_opts o;
};

static void iperf_child(void *ctx, int fd)
{
	const struct iperf_ctx *ic = ctx;
	struct nslab_iperf_result res = { 0 };
	struct nslab_err err = { 0 };

	dprintf(fd, "*** Iperf: testing %s bandwidth between %s and %s (%u s)\n", ic->o.udp ? "UDP" : "TCP",
		ic->o.client, ic->o.server, ic->o.seconds);
	if (nslab_iperf_run(ic->lab, &ic->o, &res, &err) < 0) {
		dprintf(fd, "nslab: %s\n", err.msg);
		return;
	}
	dprintf(fd, "*** Results: sent %.2f Mbit/s, received %.2f Mbit/s (server %s)\n", res.sent_bps / 1e6,
		res.received_bps / 1e6, res.address);
	json_decref(res.client);
}

/* iperf CLIENT SERVER [udp] [SECONDS] */
static void c_iperf(struct cmd_args *a)
{
	struct iperf_ctx ic = { a->c->lab, { .seconds = 5 } };
	_cleanup_free_ char *title = NULL;

	if (a->n < 3) {
		set_msg(a->c, true, "iperf CLIENT SERVER [udp] [SECONDS]");
		return;
	}
	ic.o.client = a->w[1];
	ic.o.server = a->w[2];
	for (size_t i = 3; i < a->n; i++) {
		if (strcmp(a->w[i], "udp") == 0)
			ic.o.udp = true;
		else if (sscanf(a->w[i], "%u", &ic.o.seconds) != 1 || ic.o.seconds == 0 || ic.o.seconds > 3600) {
			set_msg(a->c, true, "iperf: '%s' is neither udp nor a time in seconds (1-3600)", a->w[i]);
			return;
		}
	}
	title = xasprintf("iperf %s -> %s", ic.o.client, ic.o.server);
	action_spawn(a->c, title, iperf_child, &ic, NULL, 0);
}

/* ---- link: through core/link.c's action table ---- */

struct flap_ctx {
	const char *lab;
	struct nslab_link_req req;
};

static void flap_line(void *ctx, unsigned long i, unsigned long times, bool up, const struct nslab_link_stats *st)
{
	(void)st;
	dprintf(*(int *)ctx, "flap %lu/%lu %s\n", i, times, up ? "up" : "down");
}

static void flap_child(void *ctx, int fd)
{
	struct flap_ctx *fc = ctx;
	struct nslab_err err = { 0 };

	fc->req.on_flap = flap_line;
	fc->req.ctx = &fd;
	if (nslab_link_run(fc->lab, &fc->req, NULL, NULL, &err) < 0)
		dprintf(fd, "nslab: %s\n", err.msg);
}

/* The action's words after its name: set's impairments, flap's every D / times N. NULL or a message. */
static const char *link_args(struct nslab_link_req *r, char **w, size_t n, const char *rest)
{
	if (r->action == NSLAB_LINK_SET)
		return n ? tui_parse_impair(rest, &r->change) : "set needs impairments (delay 20ms loss 1% ...)";
	for (size_t i = 0; i < n; i++) {
		if (r->action == NSLAB_LINK_FLAP && i + 1 < n && strcmp(w[i], "every") == 0) {
			if (nslab_parse_duration_us(w[++i], &r->every_us) < 0 || !r->every_us)
				return "every takes a duration (2s, 500ms)";
			r->every_given = true;
		} else if (r->action == NSLAB_LINK_FLAP && i + 1 < n && strcmp(w[i], "times") == 0) {
			r->times = strtoul(w[++i], NULL, 10);
			r->times_given = true;
		} else {
			return "unexpected words after the action";
		}
	}
	return nslab_link_req_check(r);
}

/* link add / link remove: the text is one step of a scenario (docs/scenario.md), parsed, checked
 * against the running lab and run as `nslab scenario` runs it. */
struct topo_result {
	bool ok;
	char *detail;
};

static void on_topo_step(void *ctx, const struct nslab_scn_step *st, const struct nslab_scn_result *r)
{
	struct topo_result *t = ctx;

	(void)st;
	t->ok = r->ok;
	free(t->detail);
	t->detail = r->detail ? xstrdup(r->detail) : NULL;
}

static void c_link_topo(struct cmd_args *a)
{
	struct nslab_diags d = { 0 };
	struct nslab_scn *s = NULL;
	struct nslab_err err = { 0 };
	struct topo_result res = { false, NULL };
	struct nslab_scn_run_opts o = { on_topo_step, &res };
	bool add = strcmp(a->w[1], "add") == 0;

	if (nslab_scn_parse_buf("console", a->text, strlen(a->text), &s, &d) < 0 ||
	    nslab_scn_preflight(s, a->c->lab, &d, &err) < 0) {
		if (d.n)
			set_msg(a->c, true, "link %s: %s (column %u)", a->w[1], d.v[0].msg, d.v[0].col);
		else
			set_msg(a->c, true, "link %s: %s", a->w[1], err.msg[0] ? err.msg : "not understood");
	} else {
		nslab_scn_run(s, a->c->lab, &o);
		if (res.ok)
			set_msg(a->c, false, "link %s: %s (%s)", a->w[1], add ? "added" : "removed",
				res.detail ? res.detail : "done");
		else
			set_msg(a->c, true, "link %s: %s", a->w[1], res.detail ? res.detail : "failed");
	}
	free(res.detail);
	nslab_scn_free(s);
	nslab_diags_free(&d);
}

/* link NODE NODE ACTION... (Mininet's) or link NODE:IF [NODE:IF] ACTION... */
static void c_link(struct cmd_args *a)
{
	struct flap_ctx fc = { a->c->lab, { .every_us = 1000000, .times = 1 } };
	struct nslab_link_req *r = &fc.req;
	const struct tui_link *l = NULL;
	size_t act = 2;
	const char *why, *rest;
	int ai;

	/* link add|remove NODE:IF ... (a node named add or remove keeps `link add NODE ACTION`) */
	if (a->n >= 3 && strchr(a->w[2], ':') && (strcmp(a->w[1], "add") == 0 || strcmp(a->w[1], "remove") == 0)) {
		c_link_topo(a);
		return;
	}
	if (a->n >= 4 && !strchr(a->w[1], ':') && !strchr(a->w[2], ':')) {
		l = tui_model_link_between(&a->c->m, a->w[1], a->w[2]);
		if (!l) {
			set_msg(a->c, true, "no link between %s and %s", a->w[1], a->w[2]);
			return;
		}
		r->sel = (struct nslab_link_sel){ l->a, l->b, false };
		act = 3;
	} else if (a->n >= 3) {
		r->sel.a = a->w[1];
		act = strchr(a->w[2], ':') ? 3 : 2;
		r->sel.b = act == 3 ? a->w[2] : NULL;
	}
	ai = act < a->n ? nslab_link_action_find(a->w[act]) : -1;
	if (ai < 0) {
		set_msg(a->c, true, "link NODE NODE|NODE:IF [NODE:IF] down|up|flap|set|reset|show [...]");
		return;
	}
	r->action = (enum nslab_link_action)ai;
	rest = a->text + a->off[act] + strlen(a->w[act]);
	why = link_args(r, a->w + act + 1, a->n - act - 1, rest);
	if (why) {
		set_msg(a->c, true, "link %s: %s", a->w[act], why);
		return;
	}
	if (r->action == NSLAB_LINK_FLAP)
		action_spawn(a->c, "link flap", flap_child, &fc, NULL, 0);
	else
		link_req_run(a->c, r, NULL);
}

/* ---- the table ---- */

static void c_help(struct cmd_args *a);

static void c_quit(struct cmd_args *a)
{
	if (a->c->nterms)
		prompt_open(a->c, P_QUIT, "", "shells are open: quit and close them? (y/n) ");
	else
		a->c->quit = true;
}

static const struct {
	const char *name, *usage, *what;
	void (*run)(struct cmd_args *a);
} cmds[] = {
	{ "NODE", "NODE COMMAND...", "run COMMAND in NODE (sh -c); node names in it become addresses", NULL },
	{ "pingall", "pingall [COUNT]", "every node with an address pings every other (nslab pingall)", c_pingall },
	{ "iperf", "iperf CLIENT SERVER [udp] [SECONDS]", "iperf3 between two nodes (nslab iperf)", c_iperf },
	{ "link", "link NODE NODE ACTION", "down, up, flap [every D] [times N], set IMPAIRMENTS, reset, show", c_link },
	{ "", "link NODE:IF [NODE:IF] ACTION", "the same on a link named by its end(s) (nslab link)", NULL },
	{ "", "link add NODE:IF NODE:IF [addr NODE:IF=ADDR]... [mtu N]", "a new link (nslab link LAB add)", NULL },
	{ "", "link remove NODE:IF", "take a link away (nslab link LAB remove)", NULL },
	{ "nodes", "nodes", "the lab's nodes", c_nodes },
	{ "net", "net", "each node's interfaces and their peers", c_net },
	{ "dump", "dump", "each node's interfaces, addresses and pid", c_dump },
	{ "help", "help", "this list", c_help },
	{ "quit", "quit, exit", "leave the console", c_quit },
	{ "exit", NULL, NULL, c_quit },
};

static void c_help(struct cmd_args *a)
{
	char *out = xstrdup("Commands (Up/Down recall earlier ones):\n"), *t;

	for (size_t i = 0; i < ARRAY_SIZE(cmds); i++) {
		if (!cmds[i].usage)
			continue;
		t = xasprintf("%s  %-36s %s\n", out, cmds[i].usage, cmds[i].what);
		free(out);
		out = t;
	}
	panel_set(a->c, "commands", out);
	free(out);
}

/* NODE COMMAND...: sh -c in the node, node names replaced by their addresses. */
static void node_command(struct cmd_args *a)
{
	const char *rest = a->rest + strspn(a->rest, " \t");
	_cleanup_free_ char *cmd = tui_model_subst_nodes(&a->c->m, rest);
	_cleanup_free_ char *title = xasprintf("%s: %s", a->w[0], rest);
	char *argv[] = { "/bin/sh", "-c", cmd, NULL };
	char *const *run[] = { argv, NULL };

	if (a->n < 2) {
		set_msg(a->c, true, "%s: what to run? (%s COMMAND...)", a->w[0], a->w[0]);
		return;
	}
	action_run(a->c, a->w[0], title, run);
}

void console_command(struct console *c, const char *text)
{
	struct cmd_args a = { .c = c };
	char *copy = xstrdup(text), *save = NULL;

	for (char *w = strtok_r(copy, " \t", &save); w && a.n < CMD_WORDS; w = strtok_r(NULL, " \t", &save)) {
		a.off[a.n] = (size_t)(w - copy);
		a.w[a.n++] = w;
	}
	a.text = text;
	if (a.n == 0) {
		free(copy);
		return;
	}
	a.rest = text + strspn(text, " \t") + strlen(a.w[0]);
	if (tui_model_find_node(&c->m, a.w[0])) {
		node_command(&a);
		free(copy);
		return;
	}
	for (size_t i = 0; i < ARRAY_SIZE(cmds); i++) {
		if (cmds[i].run && strcmp(cmds[i].name, a.w[0]) == 0) {
			cmds[i].run(&a);
			free(copy);
			return;
		}
	}
	set_msg(c, true, "%s: not a node nor a command (help lists them)", a.w[0]);
	free(copy);
}
