// SPDX-License-Identifier: GPL-2.0-or-later
/* tui/prompt.c: the console's prompts (run, ping, impair, filter, the command line, quit): line
 * editing with a cursor (Left/Right, Home/End, C-a/C-e, Delete, C-u/C-k) and a history per prompt
 * (Up/Down), then what a submitted line does. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#define NCURSES_WIDECHAR 1
#include <ncursesw/curses.h>

#include "../util/util.h"
#include "console.h"

#undef CTRL
#define CTRL(c) ((c) & 0x1f)

void prompt_open(struct console *c, enum prompt_kind kind, const char *arg, const char *label)
{
	c->pr.kind = kind;
	snprintf(c->pr.arg, sizeof(c->pr.arg), "%s", arg);
	snprintf(c->pr.label, sizeof(c->pr.label), "%s", label);
	tui_line_set(&c->pr.line, kind == P_FILTER && c->m.filter ? c->m.filter : "");
	c->hist[kind].pos = c->hist[kind].n;
	c->dirty = true;
}

static void submit_ping(struct console *c, const char *text)
{
	const char *addr = tui_model_node_addr(&c->m, text);
	char target[sizeof(c->pr.line.buf)];
	_cleanup_free_ char *title = NULL;

	if (!text[0])
		return;
	snprintf(target, sizeof(target), "%s", addr ? addr : text);
	char *argv[] = { "ping", "-c", "3", "-i", "0.5", "-W", "1", target, NULL };
	char *const *cmds[] = { argv, NULL };
	title = xasprintf("ping from %s to %s", c->pr.arg, text);
	action_run(c, c->pr.arg, title, cmds);
}

static void submit_run(struct console *c, const char *text)
{
	char *argv[] = { "/bin/sh", "-c", (char *)text, NULL };
	char *const *cmds[] = { argv, NULL };
	_cleanup_free_ char *title = NULL;

	if (!text[0])
		return;
	title = xasprintf("%s: %s", c->pr.arg, text);
	action_run(c, c->pr.arg, title, cmds);
}

static void prompt_submit(struct console *c)
{
	enum prompt_kind kind = c->pr.kind;
	char text[sizeof(c->pr.line.buf)];

	snprintf(text, sizeof(text), "%s", c->pr.line.buf);
	c->pr.kind = P_NONE;
	c->dirty = true;
	if (kind != P_QUIT)
		tui_hist_add(&c->hist[kind], text);
	switch (kind) {
	case P_IMPAIR:
		link_set(c, text);
		break;
	case P_RUN:
		submit_run(c, text);
		break;
	case P_PING:
		submit_ping(c, text);
		break;
	case P_FILTER:
		tui_model_set_filter(&c->m, text);
		set_msg(c, false, text[0] ? "showing what matches '%s' (/ then Enter on an empty line shows all)" : "%s",
			text[0] ? text : "showing everything");
		break;
	case P_CMD:
		console_command(c, text);
		break;
	case P_QUIT:
		if (text[0] == 'y' || text[0] == 'Y')
			c->quit = true;
		break;
	case P_NONE:
	case P_COUNT:
		break;
	}
}

/* Up/Down: the history of this prompt. */
static void prompt_history(struct console *c, int dir)
{
	const char *s = tui_hist_move(&c->hist[c->pr.kind], dir, c->pr.line.buf);

	if (s)
		tui_line_set(&c->pr.line, s);
}

/* Editing keys that are curses codes; false for a key that means nothing here. */
static bool prompt_code(struct console *c, wint_t ch)
{
	static const struct {
		int key;
		enum tui_line_op op;
	} ops[] = {
		{ KEY_LEFT, TUI_LINE_LEFT },	   { KEY_RIGHT, TUI_LINE_RIGHT }, { KEY_HOME, TUI_LINE_HOME },
		{ KEY_END, TUI_LINE_END },	   { KEY_BACKSPACE, TUI_LINE_BACKSPACE },
		{ KEY_DC, TUI_LINE_DELETE },
	};

	for (size_t i = 0; i < ARRAY_SIZE(ops); i++) {
		if ((int)ch == ops[i].key) {
			tui_line_edit(&c->pr.line, ops[i].op);
			return true;
		}
	}
	if (ch == KEY_UP || ch == KEY_DOWN) {
		prompt_history(c, ch == KEY_UP ? -1 : 1);
		return true;
	}
	if (ch == KEY_ENTER) {
		prompt_submit(c);
		return true;
	}
	return false;
}

/* Control characters: Enter, Esc, and emacs-style editing. */
static void prompt_ctrl(struct console *c, wint_t ch)
{
	static const struct {
		int key;
		enum tui_line_op op;
	} ops[] = {
		{ 0x7f, TUI_LINE_BACKSPACE }, { 0x08, TUI_LINE_BACKSPACE },   { CTRL('a'), TUI_LINE_HOME },
		{ CTRL('e'), TUI_LINE_END },  { CTRL('b'), TUI_LINE_LEFT },	  { CTRL('f'), TUI_LINE_RIGHT },
		{ CTRL('d'), TUI_LINE_DELETE }, { CTRL('u'), TUI_LINE_KILL_START }, { CTRL('k'), TUI_LINE_KILL_END },
	};

	if (ch == 27 || ch == CTRL('g') || ch == CTRL('c')) {
		c->pr.kind = P_NONE;
		return;
	}
	if (ch == '\r' || ch == '\n') {
		prompt_submit(c);
		return;
	}
	if (ch == CTRL('p') || ch == CTRL('n')) {
		prompt_history(c, ch == CTRL('p') ? -1 : 1);
		return;
	}
	for (size_t i = 0; i < ARRAY_SIZE(ops); i++)
		if ((int)ch == ops[i].key)
			tui_line_edit(&c->pr.line, ops[i].op);
}

void prompt_key(struct console *c, wint_t ch, bool code)
{
	char mb[MB_LEN_MAX];
	mbstate_t st = { 0 };
	size_t n;

	c->dirty = true;
	if (code) {
		prompt_code(c, ch);
		return;
	}
	if (ch < 0x20 || ch == 0x7f) {
		prompt_ctrl(c, ch);
		return;
	}
	n = wcrtomb(mb, (wchar_t)ch, &st);
	if (n == (size_t)-1)
		return;
	tui_line_insert(&c->pr.line, mb, n);
	if (c->pr.kind == P_QUIT)
		prompt_submit(c);
}

/* The prompt on row y: its label and line, scrolled so that the cursor is on screen; the cursor
 * is put there. */
void prompt_draw(struct console *c, int y)
{
	char line[sizeof(c->pr.label) + sizeof(c->pr.line.buf)];
	wchar_t w[sizeof(line)];
	mbstate_t st = { 0 };
	const char *p = line;
	int col = 0, first = 0;
	size_t n;

	/* the cursor's column: the width of label + the text before the cursor */
	snprintf(line, sizeof(line), "%s%.*s", c->pr.label, (int)c->pr.line.cur, c->pr.line.buf);
	n = mbsrtowcs(w, &p, ARRAY_SIZE(w) - 1, &st);
	for (size_t i = 0; n != (size_t)-1 && i < n; i++)
		col += wcwidth(w[i]) > 0 ? wcwidth(w[i]) : 1;
	if (n == (size_t)-1)
		col = (int)strlen(line);
	snprintf(line, sizeof(line), "%s%s", c->pr.label, c->pr.line.buf);
	if (col >= COLS - 1) {
		/* a long line: show its end, from a character boundary */
		first = col - (COLS - 2);
		while (first < (int)strlen(line) && ((unsigned char)line[first] & 0xc0) == 0x80)
			first++;
		col -= first;
	}
	attrset(A_BOLD);
	draw_put(y, 0, COLS, line + (first < (int)strlen(line) ? first : 0), true);
	attrset(A_NORMAL);
	move(y, col < COLS ? col : COLS - 1);
	curs_set(1);
}
