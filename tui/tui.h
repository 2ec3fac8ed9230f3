/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * tui/tui.h: the console (`nslab console LAB`): a pure view-model built from nslab_lab_inspect()'s
 * JSON (tui/model.c, unit-tested without a terminal), node shells on ptys emulated by libvterm
 * (tui/term.c), and the ncursesw event loop that draws both and runs actions (tui/console.c).
 */
#ifndef NSLAB_TUI_TUI_H
#define NSLAB_TUI_TUI_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "../core/link.h"
#include "../util/err.h"

/* ---- view-model (tui/model.c): no terminal, no kernel ---- */

struct tui_iface {
	char *name;
	char *state;	/* "up", "down", "lowerlayerdown", ... as inspect tells */
	char *mac;
	char *peer;	/* "node:if" or NULL */
	char *addrs;	/* "10.0.0.1/24 2001:db8::1/64" or "" */
	char *impair;	/* nslab_impair_describe() text, "none" if none */
	unsigned mtu;
	bool admin_down; /* declared down in the topology */
	bool link_down;  /* taken down at runtime (nslab link down, the console's d) */
	uint64_t rx_bytes, tx_bytes, rx_dropped, tx_dropped;
	uint64_t qdisc_drops; /* packets its root qdisc dropped (tbf, netem), from core/stats.c */
	double rx_bps, tx_bps; /* bits per second since the previous sample; < 0: unknown yet */
};

struct tui_node {
	char *name, *kind, *state;
	long pid;
	uint64_t cpu_ns, memory_bytes, pids;
	double cpu_pct; /* of one core since the previous sample; < 0: unknown yet */
	struct tui_iface *ifs;
	size_t nifs;
};

struct tui_link {
	char *a, *b;	  /* "node:if" */
	char *state;	  /* "up", "down" (an end taken or declared down), or "a-state/b-state" */
	char *impair;	  /* "-" when none; "A: ...; B: ..." when the ends differ */
	double ab_bps, ba_bps; /* a's tx and b's tx rates (bit/s); < 0 unknown */
	uint64_t drops;	  /* rx+tx drops and qdisc drops of both ends */
};

/* What the lists are sorted by (`s` cycles, `S` reverses): the lab's order, the name, then the
 * busiest first. A key that does not apply to links (cpu, memory) keeps them in the lab's order. */
enum tui_sort { TUI_SORT_LAB, TUI_SORT_NAME, TUI_SORT_CPU, TUI_SORT_MEM, TUI_SORT_RATE, TUI_SORT_DROPS, TUI_SORT__COUNT };
extern const char *const tui_sort_names[TUI_SORT__COUNT];

struct tui_model {
	char *lab;
	char *status;	/* lab status ("running") */
	struct tui_node *nodes;
	size_t nnodes;
	struct tui_link *links;
	size_t nlinks;
	double t;	/* time of the sample (seconds, monotonic) */
	/* the view: the nodes and links shown (filtered, sorted), indexes into nodes[] / links[] */
	char *filter;	/* NULL or "": everything */
	enum tui_sort sort;
	bool sort_rev;
	size_t *vnodes, nvnodes, *vlinks, nvlinks;
	size_t sel;	/* selected row of the view: its nodes, then its links */
};

/*
 * Replace the model's contents with the lab in j (nslab_lab_inspect()'s JSON, optionally with
 * rx_dropped/tx_dropped added per interface), sampled at now_s. Rates and CPU use are computed
 * against the previous sample (same node / interface names); the selection follows the selected
 * item's name. Returns 0, or -EINVAL if j is not a lab.
 */
int tui_model_update(struct tui_model *m, json_t *j, double now_s);
void tui_model_free(struct tui_model *m);

/* Show only the nodes whose name, kind or an address contains text, and the links with an end
 * that does (NULL or "" shows all); the selection stays on its item when it is still shown. */
void tui_model_set_filter(struct tui_model *m, const char *text);
/* Sort by key (reverse: the other way); the selection stays on its item. */
void tui_model_set_sort(struct tui_model *m, enum tui_sort key, bool reverse);
/* Rows of the view (shown nodes, then shown links); the node or link of view row `row`, else NULL. */
size_t tui_model_rows(const struct tui_model *m);
const struct tui_node *tui_model_row_node(const struct tui_model *m, size_t row);
const struct tui_link *tui_model_row_link(const struct tui_model *m, size_t row);
void tui_model_sel_move(struct tui_model *m, long delta);
/* The selected node or link (NULL when the selection is the other kind). */
const struct tui_node *tui_model_sel_node(const struct tui_model *m);
const struct tui_link *tui_model_sel_link(const struct tui_model *m);
const struct tui_node *tui_model_find_node(const struct tui_model *m, const char *name);
const struct tui_iface *tui_model_find_iface(const struct tui_model *m, const char *node_if);
/* The first link between nodes x and y (either way round), or NULL. */
const struct tui_link *tui_model_link_between(const struct tui_model *m, const char *x, const char *y);
/* cmd with every word that is a node's name replaced by that node's address (Mininet's habit:
 * `h1 ping h2`); a node without an address keeps its name (its /etc/hosts knows it). malloc'd. */
char *tui_model_subst_nodes(const struct tui_model *m, const char *cmd);
/* First IPv4 address (without prefix) of a node, else the first address, else NULL (static buffer). */
const char *tui_model_node_addr(const struct tui_model *m, const char *name);

/* "0", "512", "1.5K", "20.0M", "3.2G" (1024-based); "-" for UINT64_MAX. Returns buf. */
char *tui_fmt_bytes(char *buf, size_t n, uint64_t bytes);
/* bit/s: "0", "800", "1.5k", "9.41M", "10.0G" (1000-based); "-" if negative. Returns buf. */
char *tui_fmt_rate(char *buf, size_t n, double bps);

/*
 * Parse impairments typed in the console: "delay 20ms jitter 5ms loss 1% rate 10mbit"
 * ("key value" or "key=value"; keys: delay jitter dist loss loss-corr duplicate reorder
 * reorder-corr corrupt rate limit). NULL, or a static message.
 */
const char *tui_parse_impair(const char *text, struct nslab_link_change *c);

/* The tab under column x of the tab bar tui_tabs_line() makes with the same arguments, or -1. */
long tui_tabs_hit(size_t width, const char *const *names, size_t n, size_t active, size_t x);
/* The tab bar: " lab | pc1 | *r2 " into buf (width columns at most), the active tab in [brackets];
 * names[0] is the lab view. Returns buf. */
char *tui_tabs_line(char *buf, size_t width, const char *const *names, size_t n, size_t active);

/* ---- text layout (tui/text.c) ---- */

struct tui_span {
	size_t start, len;
};
/* Wrap s into at most max lines of at most width bytes, breaking at spaces (the spaces at a
 * break are dropped; a word longer than a line is cut). The last line allowed takes the rest,
 * however long. Returns the number of lines. */
size_t tui_wrap(const char *s, size_t width, struct tui_span *out, size_t max);

/* A prompt's line: UTF-8 text and a cursor (a byte offset at a character's start). */
struct tui_line {
	char buf[512];
	size_t len, cur;
};
enum tui_line_op {
	TUI_LINE_LEFT, TUI_LINE_RIGHT, TUI_LINE_HOME, TUI_LINE_END,
	TUI_LINE_BACKSPACE, TUI_LINE_DELETE, /* the character before / at the cursor */
	TUI_LINE_KILL_START, TUI_LINE_KILL_END, /* C-u, C-k */
};
/* Replace the text (cut to fit), cursor at the end. */
void tui_line_set(struct tui_line *l, const char *s);
/* Insert n bytes (whole characters) at the cursor; nothing when they do not fit. */
void tui_line_insert(struct tui_line *l, const char *s, size_t n);
void tui_line_edit(struct tui_line *l, enum tui_line_op op);

/* A prompt's history (Up/Down), oldest first; the line being typed is kept while browsing. */
#define TUI_HIST_MAX 50
struct tui_history {
	char *items[TUI_HIST_MAX];
	size_t n, pos; /* pos == n: the line being typed */
	char *draft;
};
/* Remember s (not an empty line, nor the same as the last one) and go back to a new line. */
void tui_hist_add(struct tui_history *h, const char *s);
/* Up (dir < 0) or Down (dir > 0) from the line holding current: the text to show, or NULL when
 * there is nothing further that way. */
const char *tui_hist_move(struct tui_history *h, int dir, const char *current);
void tui_hist_free(struct tui_history *h);

/* ---- key bindings (tui/keys.c): one table for dispatch, the bottom line and the help ---- */

/* Contexts a key applies in (a bit mask). */
enum {
	TUI_K_NODE = 1 << 0,	   /* lab view, a node selected */
	TUI_K_LINK = 1 << 1,	   /* lab view, a link selected */
	TUI_K_LAB = TUI_K_NODE | TUI_K_LINK,
	TUI_K_LAB_PREFIX = 1 << 2, /* lab view, after C-b */
	TUI_K_SHELL = 1 << 3,	   /* a shell tab */
	TUI_K_PREFIX = 1 << 4,	   /* a shell tab, after C-b */
};

enum tui_act {
	TUI_A_NONE, /* words only: no key runs it */
	TUI_A_UP,
	TUI_A_DOWN,
	TUI_A_TOP,
	TUI_A_BOTTOM,
	TUI_A_OPEN,
	TUI_A_RUN,
	TUI_A_PING,
	TUI_A_ROUTES,
	TUI_A_NEW_SHELL,
	TUI_A_LINK_DOWN,
	TUI_A_LINK_UP,
	TUI_A_IMPAIR,
	TUI_A_RESET,
	TUI_A_PANEL_UP,
	TUI_A_PANEL_DOWN,
	TUI_A_CLOSE_PANEL,
	TUI_A_TAB,	 /* tab (key - first key of the range) */
	TUI_A_TAB_FIRST, /* the first shell, else the lab view */
	TUI_A_TAB_LAST,
	TUI_A_TAB_NEXT,
	TUI_A_TAB_PREV,
	TUI_A_TAB_LAB,
	TUI_A_PREFIX,
	TUI_A_REDRAW,
	TUI_A_HELP,
	TUI_A_QUIT,
	TUI_A_SCROLL_UP,
	TUI_A_SCROLL_DOWN,
	TUI_A_CLOSE_SHELL,
	TUI_A_SEND_PREFIX,
	TUI_A_FILTER,
	TUI_A_SORT,
	TUI_A_SORT_REV,
	TUI_A_COMMAND,
	TUI_A_MOUSE,
	TUI_A_COUNT
};

struct tui_key {
	unsigned ctx;	   /* TUI_K_* where the key applies */
	int key, last;	   /* a key, or the range key..last (last 0: one key) */
	bool code;	   /* a curses KEY_* code, not a character */
	enum tui_act act;
	const char *keys;  /* the key(s) as the help names them; NULL: an alias, not listed */
	const char *what;  /* what it does, for the help */
	const char *line;  /* its words on the bottom line, or NULL */
	unsigned shown;	   /* TUI_K_* whose bottom line shows `line` */
};

/* The binding of a key in context ctx (one TUI_K_* bit), or NULL if the key means nothing there. */
const struct tui_key *tui_key_find(unsigned ctx, int key, bool code);
/* The bottom line of context ctx, in table order, cut before a word that does not fit in n. */
char *tui_keys_line(char *buf, size_t n, unsigned ctx);
/* Every binding by context, one per line (malloc'd): the ? screen and `nslab console --help`. */
char *tui_keys_help(void);

/* ---- node shells (tui/term.c) ---- */

struct tui_term;

/* A shell in node `node` of `lab` on a new pty of rows x cols, emulated by libvterm. */
int tui_term_open(struct tui_term **out, const char *lab, const char *node, int rows, int cols,
		  struct nslab_err *err);
/* Stop the shell (SIGHUP to its session, SIGKILL to the helper) and free everything. */
void tui_term_close(struct tui_term *t);
int tui_term_fd(const struct tui_term *t);
pid_t tui_term_pid(const struct tui_term *t);
/* The node the shell runs in. */
const char *tui_term_name(const struct tui_term *t);
/* What its tab and messages call it (the node's name unless set). */
const char *tui_term_label(const struct tui_term *t);
void tui_term_set_label(struct tui_term *t, const char *label);
/* Read at most budget bytes of output into the emulator. > 0 read, 0 nothing ready,
 * -1 the pty is closed (the shell and everything on it exited). */
long tui_term_pump(struct tui_term *t, size_t budget);
/* True (and cleared) when the screen changed since the last call. */
bool tui_term_take_damage(struct tui_term *t);
void tui_term_resize(struct tui_term *t, int rows, int cols);
/* A key from ncurses get_wch(): is_code for KEY_* codes. Returns false if the key was not sent. */
bool tui_term_key(struct tui_term *t, int key, bool is_code);
/* Send text as typed. */
void tui_term_send(struct tui_term *t, const char *s, size_t n);
/* Scrollback: lines scrolled back (0 = live), clamped to what is kept. */
void tui_term_scroll(struct tui_term *t, int delta);
int tui_term_scrolled(const struct tui_term *t);
/* Cell at (row, col) of the view (scrollback applied). false outside. */
bool tui_term_cell(const struct tui_term *t, int row, int col, void *vterm_cell);
/* Cursor position of the view; false if hidden (or scrolled back). */
bool tui_term_cursor(const struct tui_term *t, int *row, int *col);
/* Record the exit status after the helper was reaped (by pid, from the SIGCHLD handler). */
void tui_term_set_exited(struct tui_term *t, int status);
bool tui_term_exited(const struct tui_term *t, int *status);

/* ---- the console (tui/console.c) ---- */

#define TUI_EXIT_OK 0
#define TUI_EXIT_FAIL 1
#define TUI_EXIT_USAGE 2 /* no terminal */

/* Run the console on the caller's terminal until the user quits; an exit code (TUI_EXIT_*). */
int tui_console_run(const char *lab);

#endif
