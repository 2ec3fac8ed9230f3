// SPDX-License-Identifier: GPL-2.0-or-later
/* tui/text.c: text for the console that needs no terminal: wrapping a message to the screen's
 * width, a prompt's line editing and history. Pure, unit-tested. */
#include <stdlib.h>
#include <string.h>

#include "../util/util.h"
#include "tui.h"

size_t tui_wrap(const char *s, size_t width, struct tui_span *out, size_t max)
{
	size_t n = 0, len = strlen(s), pos = 0;

	if (!width || !max)
		return 0;
	while (pos < len && n < max) {
		size_t end = pos + width, brk;
		if (end >= len || n == max - 1) {
			/* the rest fits, or this is the last line allowed: the drawing clips it */
			out[n++] = (struct tui_span){ pos, len - pos };
			break;
		}
		/* the last space within the width, else a hard break */
		for (brk = end; brk > pos && s[brk] != ' '; brk--)
			;
		if (brk == pos)
			brk = end;
		out[n++] = (struct tui_span){ pos, brk - pos };
		pos = brk;
		while (s[pos] == ' ')
			pos++;
	}
	return n;
}

/* ---- a prompt's line: UTF-8 text with a cursor, and a history ---- */

/* The start of the character before byte offset i (UTF-8 continuation bytes skipped). */
static size_t char_before(const char *s, size_t i)
{
	if (i == 0)
		return 0;
	i--;
	while (i > 0 && ((unsigned char)s[i] & 0xc0) == 0x80)
		i--;
	return i;
}

static size_t char_after(const char *s, size_t len, size_t i)
{
	if (i >= len)
		return len;
	i++;
	while (i < len && ((unsigned char)s[i] & 0xc0) == 0x80)
		i++;
	return i;
}

void tui_line_set(struct tui_line *l, const char *s)
{
	size_t n = s ? strlen(s) : 0;

	if (n >= sizeof(l->buf))
		n = sizeof(l->buf) - 1;
	memcpy(l->buf, s ? s : "", n);
	l->buf[n] = 0;
	l->len = l->cur = n;
}

void tui_line_insert(struct tui_line *l, const char *s, size_t n)
{
	if (l->len + n >= sizeof(l->buf))
		return;
	memmove(l->buf + l->cur + n, l->buf + l->cur, l->len - l->cur + 1);
	memcpy(l->buf + l->cur, s, n);
	l->len += n;
	l->cur += n;
}

/* Cut [from, to) out of the line; the cursor goes to from. */
static void line_cut(struct tui_line *l, size_t from, size_t to)
{
	memmove(l->buf + from, l->buf + to, l->len - to + 1);
	l->len -= to - from;
	l->cur = from;
}

void tui_line_edit(struct tui_line *l, enum tui_line_op op)
{
	switch (op) {
	case TUI_LINE_LEFT:
		l->cur = char_before(l->buf, l->cur);
		break;
	case TUI_LINE_RIGHT:
		l->cur = char_after(l->buf, l->len, l->cur);
		break;
	case TUI_LINE_HOME:
		l->cur = 0;
		break;
	case TUI_LINE_END:
		l->cur = l->len;
		break;
	case TUI_LINE_BACKSPACE:
		line_cut(l, char_before(l->buf, l->cur), l->cur);
		break;
	case TUI_LINE_DELETE:
		line_cut(l, l->cur, char_after(l->buf, l->len, l->cur));
		break;
	case TUI_LINE_KILL_START:
		line_cut(l, 0, l->cur);
		break;
	case TUI_LINE_KILL_END:
		line_cut(l, l->cur, l->len);
		break;
	}
}

void tui_hist_add(struct tui_history *h, const char *s)
{
	h->pos = h->n;
	if (!s[0] || (h->n && strcmp(h->items[h->n - 1], s) == 0))
		return;
	if (h->n == TUI_HIST_MAX) {
		free(h->items[0]);
		memmove(h->items, h->items + 1, (TUI_HIST_MAX - 1) * sizeof(h->items[0]));
		h->n--;
	}
	h->items[h->n++] = xstrdup(s);
	h->pos = h->n;
}

const char *tui_hist_move(struct tui_history *h, int dir, const char *current)
{
	if (dir < 0 && h->pos == 0)
		return NULL;
	if (dir > 0 && h->pos >= h->n)
		return NULL;
	if (h->pos == h->n) {
		/* leaving the line being typed: keep it for coming back down */
		free(h->draft);
		h->draft = xstrdup(current);
	}
	h->pos = dir < 0 ? h->pos - 1 : h->pos + 1;
	return h->pos == h->n ? h->draft : h->items[h->pos];
}

void tui_hist_free(struct tui_history *h)
{
	for (size_t i = 0; i < h->n; i++)
		free(h->items[i]);
	free(h->draft);
	memset(h, 0, sizeof(*h));
}
