// SPDX-License-Identifier: GPL-2.0-or-later
/* tui/text.c: text layout for the console that needs no terminal: wrapping a message to the
 * screen's width. Pure, unit-tested. */
#include <string.h>

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
