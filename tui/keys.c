// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * tui/keys.c: the console's key bindings as one table (tmux's key-bindings.c): which key does
 * what in which context, and the words that describe it. The bottom line, the `?` help screen
 * and `nslab console --help` are all generated from it; tui/actions.c runs the actions. Pure: no
 * terminal (only curses' key numbers), unit-tested.
 */
#include <stdio.h>
#include <string.h>

#define NCURSES_WIDECHAR 1
#include <ncursesw/curses.h>

#include "../util/util.h"
#include "tui.h"

#undef CTRL
#define CTRL(c) ((c) & 0x1f)

#define LAB TUI_K_LAB
#define NODE TUI_K_NODE
#define LINK TUI_K_LINK
#define SHELL TUI_K_SHELL
#define PREFIX TUI_K_PREFIX
#define LPREFIX TUI_K_LAB_PREFIX
#define ALL (TUI_K_LAB | TUI_K_SHELL)

/*
 * In lookup order. keys: how the ? screen names the key (NULL: an alias of the entry above, not
 * listed); line: its words on the bottom line, shown in the contexts of `shown` (0: not shown).
 * An entry with TUI_A_NONE is only words (a line or help entry no key triggers).
 */
static const struct tui_key table[] = {
	{ ALL, KEY_F(1), KEY_F(10), true, TUI_A_TAB, "F1-F10", "lab view (F1), shells (F2-F10)", "F1 lab  F2-F10 tabs", SHELL },

	{ LAB, KEY_UP, 0, true, TUI_A_UP, "Up, k", "select the row above", NULL, 0 },
	{ LAB, 'k', 0, false, TUI_A_UP, NULL, NULL, NULL, 0 },
	{ LAB, KEY_DOWN, 0, true, TUI_A_DOWN, "Down, j", "select the row below", NULL, 0 },
	{ LAB, 'j', 0, false, TUI_A_DOWN, NULL, NULL, NULL, 0 },
	{ LAB, KEY_HOME, 0, true, TUI_A_TOP, "Home", "select the first row", NULL, 0 },
	{ LAB, KEY_END, 0, true, TUI_A_BOTTOM, "End", "select the last row", NULL, 0 },
	{ NODE, '\r', 0, false, TUI_A_OPEN, "Enter", "a shell in the node (its open one if any)", "Enter shell", NODE },
	{ LINK, '\r', 0, false, TUI_A_OPEN, "Enter", "the link's settings and counters (link show)", "Enter show", LINK },
	{ LAB, '\n', 0, false, TUI_A_OPEN, NULL, NULL, NULL, 0 },
	{ LAB, KEY_ENTER, 0, true, TUI_A_OPEN, NULL, NULL, NULL, 0 },
	{ LAB, 'x', 0, false, TUI_A_RUN, "x", "run a command in the node (sh -c)", "x run", NODE },
	{ LAB, 'p', 0, false, TUI_A_PING, "p", "ping another node (or an address) from the node", "p ping", NODE },
	{ LAB, 'o', 0, false, TUI_A_ROUTES, "o", "the node's routes and neighbours", "o routes", NODE },
	{ LAB, 'a', 0, false, TUI_A_NEW_SHELL, "a", "another shell in the node", "a new shell", NODE },
	{ LAB, 'd', 0, false, TUI_A_LINK_DOWN, "d", "take the link down (both ends)", "d down", LINK },
	{ LAB, 'u', 0, false, TUI_A_LINK_UP, "u", "bring the link back up", "u up", LINK },
	{ LAB, 'i', 0, false, TUI_A_IMPAIR, "i", "set impairments (delay 20ms loss 1% rate 10mbit ...)", "i impair", LINK },
	{ LAB, 'r', 0, false, TUI_A_RESET, "r", "remove the link's impairments", "r reset", LINK },
	{ LAB, KEY_PPAGE, 0, true, TUI_A_PANEL_UP, "PgUp, PgDn", "scroll the panel", NULL, 0 },
	{ LAB, KEY_NPAGE, 0, true, TUI_A_PANEL_DOWN, NULL, NULL, NULL, 0 },
	{ LAB, 27, 0, false, TUI_A_CLOSE_PANEL, "Esc", "close the panel (stops a running command)", NULL, 0 },
	{ LAB, '\t', 0, false, TUI_A_TAB_FIRST, "Tab", "the first shell", "F1-F10 tabs", LAB },
	{ LAB, KEY_BTAB, 0, true, TUI_A_TAB_LAST, "S-Tab", "the last shell", NULL, 0 },
	{ LAB, '1', '9', false, TUI_A_TAB, "1-9", "tab N (1: lab view)", NULL, 0 },
	{ LAB, CTRL('b'), 0, false, TUI_A_PREFIX, "C-b", "prefix, as in a shell (C-b n, C-b p, C-b 1-9)", NULL, 0 },
	{ LAB, CTRL('l'), 0, false, TUI_A_REDRAW, "C-l", "redraw the screen", NULL, 0 },
	{ LAB, '?', 0, false, TUI_A_HELP, "?", "this help", "? help", LAB },
	{ LAB, 'q', 0, false, TUI_A_QUIT, "q", "quit (asks when shells are open)", "q quit", LAB },
	{ LAB, ':', 0, false, TUI_A_COMMAND, ":", "command line: h1 ping h2, pingall, iperf h1 h2, link s1 h1 down, net, help", ": cmd", LAB },
	{ LAB, '/', 0, false, TUI_A_FILTER, "/", "show only the nodes and links matching a text (empty: all)", "/ filter", LAB },
	{ LAB, 's', 0, false, TUI_A_SORT, "s", "sort by the next key: lab order, name, cpu, memory, traffic, drops", "s sort", LAB },
	{ LAB, 'S', 0, false, TUI_A_SORT_REV, "S", "reverse the sort", NULL, 0 },
	{ ALL, KEY_MOUSE, 0, true, TUI_A_MOUSE, "mouse", "click a row to select it, a tab to go there; the wheel moves", NULL, 0 },

	{ LPREFIX, 'n', 0, false, TUI_A_TAB_FIRST, "n", "the first shell", NULL, 0 },
	{ LPREFIX, 'p', 0, false, TUI_A_TAB_LAST, "p", "the last shell", NULL, 0 },
	{ LPREFIX, '1', '9', false, TUI_A_TAB, "1-9", "tab N", NULL, 0 },

	{ SHELL, CTRL('b'), 0, false, TUI_A_PREFIX, "C-b", "prefix: the next key is one of those below", "C-b n/p next/prev", SHELL },
	{ SHELL, KEY_SPREVIOUS, 0, true, TUI_A_SCROLL_UP, "S-PgUp, S-PgDn", "scroll back / forward", "S-PgUp/C-b PgUp scroll", SHELL },
	{ SHELL, KEY_SNEXT, 0, true, TUI_A_SCROLL_DOWN, NULL, NULL, NULL, 0 },
	{ SHELL, 0, 0, false, TUI_A_NONE, "exit", "exiting the shell closes its tab; every other key goes to the shell", "exit: close", SHELL },

	{ PREFIX, 0, 0, false, TUI_A_NONE, NULL, NULL, "C-b:", PREFIX },
	{ PREFIX, 'n', 0, false, TUI_A_TAB_NEXT, "n", "next tab", "n next", PREFIX },
	{ PREFIX, 'p', 0, false, TUI_A_TAB_PREV, "p", "previous tab", "p prev", PREFIX },
	{ PREFIX, 'l', 0, false, TUI_A_TAB_LAB, "l, 0", "lab view", "l/0 lab", PREFIX },
	{ PREFIX, '0', 0, false, TUI_A_TAB_LAB, NULL, NULL, NULL, 0 },
	{ PREFIX, '1', '9', false, TUI_A_TAB, "1-9", "tab N (1: lab view)", "1-9 tab", PREFIX },
	{ PREFIX, KEY_PPAGE, 0, true, TUI_A_SCROLL_UP, "PgUp, [", "scroll back", "PgUp/PgDn scroll", PREFIX },
	{ PREFIX, '[', 0, false, TUI_A_SCROLL_UP, NULL, NULL, NULL, 0 },
	{ PREFIX, KEY_NPAGE, 0, true, TUI_A_SCROLL_DOWN, "PgDn, ]", "scroll forward", NULL, 0 },
	{ PREFIX, ']', 0, false, TUI_A_SCROLL_DOWN, NULL, NULL, NULL, 0 },
	{ PREFIX, 'x', 0, false, TUI_A_CLOSE_SHELL, "x", "close this shell", "x close", PREFIX },
	{ PREFIX, CTRL('b'), 0, false, TUI_A_SEND_PREFIX, "C-b", "send C-b to the shell", "C-b send C-b", PREFIX },
	{ PREFIX, '?', 0, false, TUI_A_HELP, "?", "this help (in the lab view)", "? help", PREFIX },
};

const struct tui_key *tui_key_find(unsigned ctx, int key, bool code)
{
	for (size_t i = 0; i < ARRAY_SIZE(table); i++) {
		const struct tui_key *k = &table[i];
		int last = k->last ? k->last : k->key;
		if (k->act != TUI_A_NONE && (k->ctx & ctx) && k->code == code && key >= k->key && key <= last)
			return k;
	}
	return NULL;
}

char *tui_keys_line(char *buf, size_t n, unsigned ctx)
{
	size_t len = 0;

	if (n)
		buf[0] = 0;
	for (size_t i = 0; i < ARRAY_SIZE(table); i++) {
		const struct tui_key *k = &table[i];
		const char *sep = len ? "  " : " ";
		if (!k->line || !(k->shown & ctx) || !(k->ctx & ctx))
			continue;
		if (len + strlen(sep) + strlen(k->line) + 1 > n)
			break; /* a word that does not fit is left out whole, and what follows it */
		len += (size_t)snprintf(buf + len, n - len, "%s%s", sep, k->line);
	}
	return buf;
}

char *tui_keys_help(void)
{
	static const struct {
		unsigned ctx;
		const char *title;
	} sections[] = {
		{ ALL, "Everywhere" },
		{ LAB, "Lab view" },
		{ NODE, "Lab view, a node selected" },
		{ LINK, "Lab view, a link selected" },
		{ LPREFIX, "Lab view, after C-b" },
		{ SHELL, "In a shell" },
		{ PREFIX, "In a shell, after C-b" },
	};
	char *out = xstrdup("");

	for (size_t s = 0; s < ARRAY_SIZE(sections); s++) {
		char *t = xasprintf("%s%s%s:\n", out, s ? "\n" : "", sections[s].title);
		free(out);
		out = t;
		for (size_t i = 0; i < ARRAY_SIZE(table); i++) {
			const struct tui_key *k = &table[i];
			/* a lab-view key offered on nodes only (or links only) is listed with them */
			unsigned sec = k->shown == NODE || k->shown == LINK ? k->shown : k->ctx;
			if (sec != sections[s].ctx || !k->keys)
				continue;
			t = xasprintf("%s  %-16s %s\n", out, k->keys, k->what);
			free(out);
			out = t;
		}
	}
	return out;
}
