// SPDX-License-Identifier: GPL-2.0-or-later
/* tui/actions.c: what the console's keys do: the key table's actions (tui/keys.c) on the lab view
 * and the shells, the prompts, and commands run in a node for the output panel. The actions call
 * the same core functions as the CLI. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <wchar.h>

#define NCURSES_WIDECHAR 1
#include <ncursesw/curses.h>

#include "../core/lab.h"
#include "../core/link.h"
#include "../core/node.h"
#include "../util/json.h"
#include "../util/util.h"
#include "console.h"

#define PANEL_MAX (256 * 1024)
#undef CTRL
#define CTRL(c) ((c) & 0x1f)

/* ---- the output panel and actions run in a child ---- */

static void panel_append(struct panel *p, const char *s, size_t n)
{
	if (p->len + n > PANEL_MAX) {
		/* keep the newest half */
		size_t drop = p->len / 2;
		memmove(p->text, p->text + drop, p->len - drop);
		p->len -= drop;
	}
	p->text = xrealloc(p->text, p->len + n + 1);
	memcpy(p->text + p->len, s, n);
	p->len += n;
	p->text[p->len] = 0;
}

static void panel_stop(struct panel *p)
{
	if (p->running && p->pid > 0)
		kill(-p->pid, SIGKILL);
	if (p->fd >= 0)
		close(p->fd);
	p->fd = -1;
}

void panel_clear(struct panel *p)
{
	panel_stop(p);
	free(p->title);
	free(p->text);
	p->title = p->text = NULL;
	p->len = 0;
	p->scroll = 0;
	p->full = false;
	p->running = false;
	p->pid = 0;
}

void panel_set(struct console *c, const char *title, const char *text)
{
	panel_clear(&c->panel);
	c->panel.title = xstrdup(title);
	panel_append(&c->panel, text, strlen(text));
	c->dirty = true;
}

/*
 * Run child(ctx, fd) in a child of its own process group whose output (fd) goes to the panel
 * through a pipe, so that a slow action (ping, pingall, iperf) never blocks the console; Esc
 * kills the group. keep: the caller's fds the child needs (the others are closed).
 */
void action_spawn(struct console *c, const char *title, void (*child)(void *ctx, int fd), void *ctx,
		  const int *keep, size_t nkeep)
{
	int p[2], fds[8];
	pid_t pid;

	if (c->panel.running) {
		set_msg(c, true, "an action is still running (Esc stops it)");
		return;
	}
	if (pipe2(p, O_CLOEXEC) < 0) {
		set_msg(c, true, "pipe: %s", strerror(errno));
		return;
	}
	pid = fork();
	if (pid == 0) {
		sigset_t none;
		int null = open("/dev/null", O_RDWR);
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		for (int s = 1; s < NSIG; s++)
			signal(s, SIG_DFL);
		setpgid(0, 0);
		dup2(null, 0);
		dup2(null, 1);
		dup2(null, 2);
		fds[0] = p[1];
		for (size_t i = 0; i < nkeep && i + 1 < ARRAY_SIZE(fds); i++)
			fds[i + 1] = keep[i];
		nslab_close_fds_except(fds, 1 + (nkeep < ARRAY_SIZE(fds) - 1 ? nkeep : ARRAY_SIZE(fds) - 1));
		child(ctx, p[1]);
		_exit(0);
	}
	close(p[1]);
	if (pid < 0) {
		close(p[0]);
		set_msg(c, true, "fork: %s", strerror(errno));
		return;
	}
	setpgid(pid, pid);
	panel_clear(&c->panel);
	c->panel.title = xstrdup(title);
	c->panel.pid = pid;
	c->panel.fd = p[0];
	c->panel.running = true;
	fcntl(p[0], F_SETFL, O_NONBLOCK);
	tlog("action %s (pid %d)", title, (int)pid);
	c->dirty = true;
}

struct node_cmds {
	const char *node;
	int pidfd;
	char **env;
	char *const *const *cmds;
};

/* In the child: each command in the node, its line and output, its status when not 0. */
static void node_cmds_child(void *ctx, int fd)
{
	const struct node_cmds *nc = ctx;
	struct nslab_err err = { 0 };

	for (size_t i = 0; nc->cmds[i]; i++) {
		int st = 0;
		dprintf(fd, "%s$", nc->node);
		for (size_t a = 0; nc->cmds[i][a]; a++)
			dprintf(fd, " %s", nc->cmds[i][a]);
		dprintf(fd, "\n");
		if (nslab_node_run(nc->pidfd, nc->cmds[i], nc->env, fd, &st, &err) < 0)
			dprintf(fd, "nslab: %s\n", err.msg);
		else if (st != 0)
			dprintf(fd, "[exit status %d]\n", st);
	}
}

/* Commands one after the other in a node (nslab_node_run, as `nslab exec`), in the panel.
 * cmds: NULL-terminated argv arrays, NULL-terminated. */
void action_run(struct console *c, const char *node, const char *title, char *const *const *cmds)
{
	struct node_cmds nc = { node, -1, NULL, cmds };
	struct nslab_err err = { 0 };

	if (c->panel.running) {
		set_msg(c, true, "an action is still running (Esc stops it)");
		return;
	}
	if (nslab_lab_node_open(c->lab, node, &nc.pidfd, &nc.env, &err) < 0) {
		set_msg(c, true, "%s", err.msg);
		return;
	}
	action_spawn(c, title, node_cmds_child, &nc, &nc.pidfd, 1);
	close(nc.pidfd);
	nslab_env_free(nc.env);
}

void panel_pump(struct console *c)
{
	char buf[16384];
	ssize_t r;

	for (int i = 0; i < 4 && c->panel.fd >= 0; i++) {
		r = read(c->panel.fd, buf, sizeof(buf));
		if (r < 0 && (errno == EINTR || errno == EAGAIN))
			return;
		if (r <= 0) {
			close(c->panel.fd);
			c->panel.fd = -1;
			c->dirty = true;
			return;
		}
		panel_append(&c->panel, buf, (size_t)r);
		c->dirty = true;
	}
}

/* ---- shells ---- */

/* A second (third...) shell on a node is told apart in its tab: pc1, pc1#2, pc1#3 (the lowest
 * number free). */
static void label_shell(struct console *c, struct tui_term *t)
{
	const char *node = tui_term_name(t);
	char label[96];

	for (unsigned k = 1;; k++) {
		bool used = false;
		if (k == 1)
			snprintf(label, sizeof(label), "%s", node);
		else
			snprintf(label, sizeof(label), "%s#%u", node, k);
		for (size_t i = 0; i < c->nterms && !used; i++)
			used = strcmp(tui_term_label(c->terms[i]), label) == 0;
		if (!used)
			break;
	}
	tui_term_set_label(t, label);
}

static void open_shell(struct console *c, const char *node, bool reuse)
{
	struct nslab_err err = { 0 };
	struct tui_term *t;

	if (reuse) {
		for (size_t i = 0; i < c->nterms; i++) {
			if (strcmp(tui_term_name(c->terms[i]), node) == 0) {
				c->active = i + 1;
				c->dirty = true;
				return;
			}
		}
	}
	if (c->nterms == MAX_SHELLS) {
		set_msg(c, true, "%d shells are open already: exit one first", MAX_SHELLS);
		return;
	}
	if (tui_term_open(&t, c->lab, node, shell_rows(), COLS, &err) < 0) {
		set_msg(c, true, "shell on %s: %s", node, err.msg);
		return;
	}
	label_shell(c, t);
	c->terms[c->nterms++] = t;
	c->active = c->nterms;
	tlog("shell %s on %s: pid %d", tui_term_label(t), node, (int)tui_term_pid(t));
	c->dirty = true;
}

void close_shell(struct console *c, size_t i)
{
	struct tui_term *t = c->terms[i];
	int status = 0;
	bool known = tui_term_exited(t, &status);

	tui_term_close(t);
	memmove(&c->terms[i], &c->terms[i + 1], (c->nterms - i - 1) * sizeof(c->terms[0]));
	c->nterms--;
	if (c->active == i + 1)
		c->active = 0;
	else if (c->active > i + 1)
		c->active--;
	c->dirty = true;
	(void)known;
}

static void switch_tab(struct console *c, size_t tab)
{
	if (tab > c->nterms)
		return;
	c->active = tab;
	c->prefix = false;
	c->dirty = true;
}

/* ---- actions ---- */

/* A link request through core/link.c's action table (as `nslab link` and scenarios run it): the
 * result as a message, show's JSON in the panel. */
void link_req_run(struct console *c, const struct nslab_link_req *r, const char *done)
{
	const struct nslab_link_action_info *ai = &nslab_link_actions[r->action];
	struct nslab_err err = { 0 };
	_cleanup_free_ char *name = xasprintf("%s%s%s", r->sel.a, r->sel.b ? " -- " : "", r->sel.b ? r->sel.b : "");
	json_t *show = NULL;

	if (nslab_link_run(c->lab, r, NULL, &show, &err) < 0) {
		set_msg(c, true, "link %s: %s", name, err.msg);
	} else if (show) {
		_cleanup_free_ char *s = json_dumps(show, JSON_INDENT(1));
		_cleanup_free_ char *title = xasprintf("link show %s", name);
		panel_set(c, title, s ? s : "");
	} else {
		set_msg(c, false, "link %s: %s", name, done ? done : ai->done);
	}
	json_decref(show);
	refresh_model(c);
}

/* The selected link, or NULL with a message saying to pick one. */
static const struct tui_link *need_link(struct console *c)
{
	const struct tui_link *l = tui_model_sel_link(&c->m);

	if (!l)
		set_msg(c, true, "select a link first (Down arrow to the LINK list)");
	return l;
}

static void link_action(struct console *c, enum nslab_link_action act)
{
	const struct tui_link *l = need_link(c);

	if (l)
		link_req_run(c, &(struct nslab_link_req){ .action = act, .sel = { l->a, l->b, false } }, NULL);
}

void link_set(struct console *c, const char *text)
{
	const struct tui_link *l = need_link(c);
	struct nslab_link_req r = { .action = NSLAB_LINK_SET };
	const char *msg;

	if (!l)
		return;
	msg = tui_parse_impair(text, &r.change);
	if (msg) {
		set_msg(c, true, "impairments: %s", msg);
		return;
	}
	r.sel = (struct nslab_link_sel){ l->a, l->b, false };
	link_req_run(c, &r, text);
}

/* ---- the key table's actions (tui/keys.c); arg: the key's offset in its range (tab keys) ---- */

static struct tui_term *cur_term(struct console *c)
{
	return c->active > 0 ? c->terms[c->active - 1] : NULL;
}

static const struct tui_node *need_node(struct console *c)
{
	const struct tui_node *nd = tui_model_sel_node(&c->m);

	if (!nd)
		set_msg(c, true, "select a node first");
	return nd;
}

static void a_up(struct console *c, int arg)
{
	(void)arg;
	tui_model_sel_move(&c->m, -1);
}

static void a_down(struct console *c, int arg)
{
	(void)arg;
	tui_model_sel_move(&c->m, 1);
}

static void a_top(struct console *c, int arg)
{
	(void)arg;
	tui_model_sel_move(&c->m, -(long)tui_model_rows(&c->m));
}

static void a_bottom(struct console *c, int arg)
{
	(void)arg;
	tui_model_sel_move(&c->m, (long)tui_model_rows(&c->m));
}

static void a_open(struct console *c, int arg)
{
	const struct tui_node *nd = tui_model_sel_node(&c->m);

	(void)arg;
	if (nd)
		open_shell(c, nd->name, true);
	else if (tui_model_sel_link(&c->m))
		link_action(c, NSLAB_LINK_SHOW);
}

static void a_new_shell(struct console *c, int arg)
{
	const struct tui_node *nd = need_node(c);

	(void)arg;
	if (nd)
		open_shell(c, nd->name, false);
}

static void a_run(struct console *c, int arg)
{
	const struct tui_node *nd = need_node(c);
	char label[200];

	(void)arg;
	if (!nd)
		return;
	snprintf(label, sizeof(label), "run in %s: ", nd->name);
	prompt_open(c, P_RUN, nd->name, label);
}

static void a_ping(struct console *c, int arg)
{
	const struct tui_node *nd = need_node(c);
	char label[200];

	(void)arg;
	if (!nd)
		return;
	snprintf(label, sizeof(label), "ping from %s to (node or address): ", nd->name);
	prompt_open(c, P_PING, nd->name, label);
}

static void a_routes(struct console *c, int arg)
{
	const struct tui_node *nd = need_node(c);
	char *r4[] = { "ip", "route", NULL }, *r6[] = { "ip", "-6", "route", NULL }, *ne[] = { "ip", "neigh", NULL };
	char *const *cmds[] = { r4, r6, ne, NULL };
	_cleanup_free_ char *title = NULL;

	(void)arg;
	if (!nd)
		return;
	title = xasprintf("routes and neighbours of %s", nd->name);
	action_run(c, nd->name, title, cmds);
}

static void a_link_down(struct console *c, int arg)
{
	(void)arg;
	link_action(c, NSLAB_LINK_DOWN);
}

static void a_link_up(struct console *c, int arg)
{
	(void)arg;
	link_action(c, NSLAB_LINK_UP);
}

static void a_reset(struct console *c, int arg)
{
	(void)arg;
	link_action(c, NSLAB_LINK_RESET);
}

static void a_impair(struct console *c, int arg)
{
	const struct tui_link *l = tui_model_sel_link(&c->m);
	char label[200];

	(void)arg;
	if (!l) {
		set_msg(c, true, "select a link first (Down arrow to the LINK list)");
		return;
	}
	snprintf(label, sizeof(label), "impair %s -- %s (e.g. delay 20ms loss 1%% rate 10mbit): ", l->a, l->b);
	prompt_open(c, P_IMPAIR, l->a, label);
}

static void a_panel_up(struct console *c, int arg)
{
	(void)arg;
	c->panel.scroll += 5;
}

static void a_panel_down(struct console *c, int arg)
{
	(void)arg;
	c->panel.scroll = c->panel.scroll > 5 ? c->panel.scroll - 5 : 0;
}

static void a_close_panel(struct console *c, int arg)
{
	(void)arg;
	panel_clear(&c->panel);
}

static void a_tab(struct console *c, int arg)
{
	switch_tab(c, (size_t)arg);
}

static void a_tab_first(struct console *c, int arg)
{
	(void)arg;
	switch_tab(c, c->nterms ? 1 : 0);
}

static void a_tab_last(struct console *c, int arg)
{
	(void)arg;
	switch_tab(c, c->nterms);
}

static void a_tab_next(struct console *c, int arg)
{
	(void)arg;
	switch_tab(c, (c->active + 1) % (c->nterms + 1));
}

static void a_tab_prev(struct console *c, int arg)
{
	(void)arg;
	switch_tab(c, (c->active + c->nterms) % (c->nterms + 1));
}

static void a_tab_lab(struct console *c, int arg)
{
	(void)arg;
	switch_tab(c, 0);
}

static void a_prefix(struct console *c, int arg)
{
	(void)arg;
	c->prefix = true;
}

static void a_redraw(struct console *c, int arg)
{
	(void)c;
	(void)arg;
	clearok(curscr, TRUE);
}

static void a_help(struct console *c, int arg)
{
	_cleanup_free_ char *text = tui_keys_help();

	(void)arg;
	switch_tab(c, 0);
	panel_set(c, "keys", text);
	c->panel.full = true;
	c->panel.scroll = INT_MAX; /* from the top */
}

static void a_quit(struct console *c, int arg)
{
	(void)arg;
	if (c->nterms)
		prompt_open(c, P_QUIT, "", "shells are open: quit and close them? (y/n) ");
	else
		c->quit = true;
}

static void a_scroll_up(struct console *c, int arg)
{
	(void)arg;
	tui_term_scroll(cur_term(c), shell_rows() / 2);
}

static void a_scroll_down(struct console *c, int arg)
{
	(void)arg;
	tui_term_scroll(cur_term(c), -(shell_rows() / 2));
}

static void a_close_shell(struct console *c, int arg)
{
	(void)arg;
	close_shell(c, c->active - 1);
}

static void a_send_prefix(struct console *c, int arg)
{
	(void)arg;
	tui_term_send(cur_term(c), "\x02", 1);
}

static void a_filter(struct console *c, int arg)
{
	(void)arg;
	prompt_open(c, P_FILTER, "", "filter (a part of a name, kind or address; empty: all): ");
}

static void a_sort(struct console *c, int arg)
{
	(void)arg;
	tui_model_set_sort(&c->m, (enum tui_sort)((c->m.sort + 1) % TUI_SORT__COUNT), c->m.sort_rev);
	set_msg(c, false, "sorted by %s%s", tui_sort_names[c->m.sort], c->m.sort_rev ? ", reversed" : "");
}

static void a_sort_rev(struct console *c, int arg)
{
	(void)arg;
	tui_model_set_sort(&c->m, c->m.sort, !c->m.sort_rev);
	set_msg(c, false, "sorted by %s%s", tui_sort_names[c->m.sort], c->m.sort_rev ? ", reversed" : "");
}

static void a_command(struct console *c, int arg)
{
	(void)arg;
	prompt_open(c, P_CMD, "", "nslab> ");
}

/* A click on the tab bar goes to that tab; on a row of the lab view selects it; the wheel moves
 * the selection (or scrolls a shell back). */
static void a_mouse(struct console *c, int arg)
{
	const char *names[MAX_SHELLS + 1] = { "lab" };
	MEVENT ev;
	long tab;

	(void)arg;
	if (getmouse(&ev) != OK)
		return;
	if (ev.bstate & (BUTTON4_PRESSED | BUTTON5_PRESSED)) {
		int dir = ev.bstate & BUTTON4_PRESSED ? -1 : 1;
		if (c->active == 0)
			tui_model_sel_move(&c->m, dir);
		else
			tui_term_scroll(cur_term(c), -dir * 3);
		return;
	}
	if (!(ev.bstate & (BUTTON1_PRESSED | BUTTON1_CLICKED)))
		return;
	for (size_t i = 0; i < c->nterms; i++)
		names[i + 1] = tui_term_label(c->terms[i]);
	if (ev.y == 0) {
		tab = tui_tabs_hit((size_t)COLS, names, c->nterms + 1, c->active, (size_t)ev.x);
		if (tab >= 0)
			switch_tab(c, (size_t)tab);
		return;
	}
	if (c->active == 0 && !c->panel.full && ev.y < (int)ARRAY_SIZE(c->row_item) && c->row_item[ev.y] >= 0)
		c->m.sel = (size_t)c->row_item[ev.y];
}

static void (*const actions[TUI_A_COUNT])(struct console *c, int arg) = {
	[TUI_A_FILTER] = a_filter,
	[TUI_A_SORT] = a_sort,
	[TUI_A_SORT_REV] = a_sort_rev,
	[TUI_A_COMMAND] = a_command,
	[TUI_A_MOUSE] = a_mouse,
	[TUI_A_UP] = a_up,
	[TUI_A_DOWN] = a_down,
	[TUI_A_TOP] = a_top,
	[TUI_A_BOTTOM] = a_bottom,
	[TUI_A_OPEN] = a_open,
	[TUI_A_RUN] = a_run,
	[TUI_A_PING] = a_ping,
	[TUI_A_ROUTES] = a_routes,
	[TUI_A_NEW_SHELL] = a_new_shell,
	[TUI_A_LINK_DOWN] = a_link_down,
	[TUI_A_LINK_UP] = a_link_up,
	[TUI_A_IMPAIR] = a_impair,
	[TUI_A_RESET] = a_reset,
	[TUI_A_PANEL_UP] = a_panel_up,
	[TUI_A_PANEL_DOWN] = a_panel_down,
	[TUI_A_CLOSE_PANEL] = a_close_panel,
	[TUI_A_TAB] = a_tab,
	[TUI_A_TAB_FIRST] = a_tab_first,
	[TUI_A_TAB_LAST] = a_tab_last,
	[TUI_A_TAB_NEXT] = a_tab_next,
	[TUI_A_TAB_PREV] = a_tab_prev,
	[TUI_A_TAB_LAB] = a_tab_lab,
	[TUI_A_PREFIX] = a_prefix,
	[TUI_A_REDRAW] = a_redraw,
	[TUI_A_HELP] = a_help,
	[TUI_A_QUIT] = a_quit,
	[TUI_A_SCROLL_UP] = a_scroll_up,
	[TUI_A_SCROLL_DOWN] = a_scroll_down,
	[TUI_A_CLOSE_SHELL] = a_close_shell,
	[TUI_A_SEND_PREFIX] = a_send_prefix,
};

/* A key as a person reads it: 'z', C-x, Left, F13. */
static void key_label(char *buf, size_t n, wint_t ch, bool code)
{
	const char *k = code ? keyname((int)ch) : NULL;

	if (code)
		snprintf(buf, n, "%s", k ? (strncmp(k, "KEY_", 4) == 0 ? k + 4 : k) : "?");
	else if (ch < 0x20)
		snprintf(buf, n, "C-%c", (char)(ch + 0x60));
	else if (ch < 0x7f)
		snprintf(buf, n, "'%c'", (char)ch);
	else
		snprintf(buf, n, "U+%04X", (unsigned)ch);
}

void on_key(struct console *c, wint_t ch, bool code)
{
	const struct tui_key *k;
	unsigned ctx;

	if (code && ch == KEY_RESIZE)
		return;
	if (c->pr.kind != P_NONE) {
		prompt_key(c, ch, code);
		return;
	}
	c->dirty = true;
	ctx = console_key_ctx(c);
	if (ctx & (TUI_K_PREFIX | TUI_K_LAB_PREFIX))
		c->prefix = false;
	k = tui_key_find(ctx, (int)ch, code);
	if (k && actions[k->act]) {
		actions[k->act](c, (int)ch - k->key);
		return;
	}
	if (ctx == TUI_K_SHELL) {
		/* every other key is the shell's; typing brings a scrolled-back view to the live screen */
		struct tui_term *t = cur_term(c);
		if (tui_term_scrolled(t) > 0)
			tui_term_scroll(t, -tui_term_scrolled(t));
		tui_term_key(t, (int)ch, code);
		return;
	}
	char name[32];
	key_label(name, sizeof(name), ch, code);
	set_msg(c, true, "%s: unknown key%s (? lists the keys)", name,
		ctx & (TUI_K_PREFIX | TUI_K_LAB_PREFIX) ? " after C-b" : "");
}
