// SPDX-License-Identifier: GPL-2.0-or-later
/* tui/draw.c: the console's drawing with ncursesw: the tab bar, the lab view (nodes, links, the
 * detail or output panel), a shell's libvterm screen, the message and key lines. Reads the state,
 * changes nothing but colour pairs and the dirty flag. */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <wchar.h>

#define NCURSES_WIDECHAR 1
#include <ncursesw/curses.h>
#include <vterm.h>

#include "../util/util.h"
#include "console.h"

#define MSG_LINES 4 /* a message wraps over this many lines at most */

int shell_rows(void)
{
	return LINES > 3 ? LINES - 2 : 1;
}
enum role { R_TABS, R_UP, R_DOWN, R_HEAD, R_HELP, R_ERR, R_SEL };

static attr_t role_attr(const struct console *c, enum role r)
{
	static const attr_t mono[] = {
		[R_TABS] = A_REVERSE, [R_UP] = A_NORMAL,   [R_DOWN] = A_BOLD, [R_HEAD] = A_BOLD | A_UNDERLINE,
		[R_HELP] = A_REVERSE, [R_ERR] = A_BOLD,	    [R_SEL] = A_REVERSE,
	};
	static const short pairs[] = { [R_TABS] = 1, [R_UP] = 2, [R_DOWN] = 3, [R_HEAD] = 4,
				       [R_HELP] = 5, [R_ERR] = 3, [R_SEL] = 0 };

	if (!c->color || r == R_SEL)
		return mono[r];
	return COLOR_PAIR(pairs[r]) | (r == R_HEAD || r == R_ERR || r == R_DOWN ? A_BOLD : A_NORMAL);
}

void colors_init(struct console *c)
{
	c->color = has_colors() && start_color() == OK;
	if (!c->color)
		return;
	use_default_colors();
	init_pair(1, COLOR_BLACK, COLOR_CYAN);
	init_pair(2, COLOR_GREEN, -1);
	init_pair(3, COLOR_RED, -1);
	init_pair(4, COLOR_YELLOW, -1);
	init_pair(5, COLOR_BLACK, COLOR_WHITE);
}

/* A string clipped to `width` columns at (y, x), padded with spaces if pad. */
void draw_put(int y, int x, int width, const char *s, bool pad)
{
	wchar_t wbuf[512];
	mbstate_t st = { 0 };
	const char *p = s;
	size_t n = mbsrtowcs(wbuf, &p, ARRAY_SIZE(wbuf) - 1, &st);
	int used = 0;

	if (width <= 0)
		return;
	if (n == (size_t)-1) {
		/* not valid in this locale: show it byte by byte as ASCII */
		for (n = 0; s[n] && n < ARRAY_SIZE(wbuf) - 1; n++)
			wbuf[n] = (unsigned char)s[n] < 0x80 ? (wchar_t)s[n] : L'?';
	}
	wbuf[n] = 0;
	move(y, x);
	for (size_t i = 0; i < n; i++) {
		int w = wcwidth(wbuf[i]);
		if (w < 0)
			w = 1;
		if (used + w > width)
			break;
		addnwstr(&wbuf[i], 1);
		used += w;
	}
	while (pad && used++ < width)
		addch(' ');
}

static void draw_tabs(struct console *c)
{
	const char *names[MAX_SHELLS + 1];
	char line[512], right[160];

	names[0] = "lab";
	for (size_t i = 0; i < c->nterms; i++)
		names[i + 1] = tui_term_label(c->terms[i]);
	attrset(role_attr(c, R_TABS));
	tui_tabs_line(line, (size_t)COLS < sizeof(line) ? (size_t)COLS : sizeof(line), names, c->nterms + 1,
		      c->active);
	draw_put(0, 0, COLS, line, true);
	snprintf(right, sizeof(right), "%s%s%s%s%s nslab console: %s%s ", c->m.filter ? " filter: " : "",
		 c->m.filter ? c->m.filter : "", c->m.sort != TUI_SORT_LAB || c->m.sort_rev ? " sort: " : "",
		 c->m.sort != TUI_SORT_LAB || c->m.sort_rev ? tui_sort_names[c->m.sort] : "",
		 c->m.sort_rev ? " (reversed)" : "", c->lab, c->gone ? " (gone)" : "");
	if ((int)(strlen(line) + strlen(right)) < COLS)
		draw_put(0, COLS - (int)strlen(right), (int)strlen(right), right, false);
	attrset(A_NORMAL);
}

static void ifaces_text(const struct tui_node *nd, char *buf, size_t n)
{
	size_t len = 0;

	buf[0] = 0;
	for (size_t i = 0; i < nd->nifs && len + 1 < n; i++) {
		const struct tui_iface *f = &nd->ifs[i];
		int w = snprintf(buf + len, n - len, "%s%s%s%s%s", i ? ", " : "", f->name,
				 strcmp(f->state, "up") == 0 ? "" : "(down)", f->addrs[0] ? " " : "", f->addrs);
		if (w < 0)
			break;
		len += (size_t)w;
	}
}

/* Lines of the detail panel for the selected node or link (when no action output is shown). */
static char *details_text(const struct console *c, char **title)
{
	const struct tui_node *nd = tui_model_sel_node(&c->m);
	const struct tui_link *l = tui_model_sel_link(&c->m);
	char *out = xstrdup(""), rx[32], tx[32], rb[32], tb[32];
	size_t len = 0;

#define ADD(...)                                                            \
	do {                                                                \
		char *s_ = xasprintf(__VA_ARGS__);                          \
		out = xrealloc(out, len + strlen(s_) + 1);                  \
		memcpy(out + len, s_, strlen(s_) + 1);                      \
		len += strlen(s_);                                          \
		free(s_);                                                   \
	} while (0)
	*title = NULL;
	if (nd) {
		*title = xasprintf("node %s (%s)", nd->name, nd->kind);
		for (size_t i = 0; i < nd->nifs; i++) {
			const struct tui_iface *f = &nd->ifs[i];
			ADD("%-6s %-5s mtu %-5u %s  rx %s b/s (%sB) tx %s b/s (%sB)%s%s\n", f->name, f->state, f->mtu,
			    f->mac, tui_fmt_rate(rx, sizeof(rx), f->rx_bps), tui_fmt_bytes(rb, sizeof(rb), f->rx_bytes),
			    tui_fmt_rate(tx, sizeof(tx), f->tx_bps), tui_fmt_bytes(tb, sizeof(tb), f->tx_bytes),
			    f->peer ? "  peer " : "", f->peer ? f->peer : "");
			if (f->addrs[0])
				ADD("       %s\n", f->addrs);
			if (strcmp(f->impair, "none") != 0)
				ADD("       impairments: %s\n", f->impair);
		}
	} else if (l) {
		const char *ends[2] = { l->a, l->b };
		*title = xasprintf("link %s -- %s", l->a, l->b);
		for (int e = 0; e < 2; e++) {
			const struct tui_iface *f = tui_model_find_iface(&c->m, ends[e]);
			if (!f)
				continue;
			ADD("%c %-14s %-5s%s tx %s b/s rx %s b/s drops rx %llu tx %llu qdisc %llu\n  impairments: %s\n",
			    'A' + e, ends[e], f->state,
			    f->link_down ? " (taken down)" : f->admin_down ? " (declared down)" : "",
			    tui_fmt_rate(tx, sizeof(tx), f->tx_bps), tui_fmt_rate(rx, sizeof(rx), f->rx_bps),
			    (unsigned long long)f->rx_dropped, (unsigned long long)f->tx_dropped,
			    (unsigned long long)f->qdisc_drops, f->impair);
		}
	}
#undef ADD
	return out;
}

static size_t count_lines(const char *s)
{
	size_t n = 0;

	const char *p = s;

	for (; *p; p++)
		n += *p == '\n';
	return n + (p > s && p[-1] != '\n');
}

static void draw_panel(struct console *c, int top, int height)
{
	char *dtitle = NULL, *dtext = NULL, hdr[512];
	const char *title, *text;
	size_t n, first, i, rows;
	const char *p;
	int y;

	if (height < 1)
		return;
	if (c->panel.title) {
		title = c->panel.title;
		text = c->panel.text ? c->panel.text : "";
	} else {
		dtext = details_text(c, &dtitle);
		title = dtitle ? dtitle : "";
		text = dtext;
	}
	snprintf(hdr, sizeof(hdr), "-- %s %s", title,
		 c->panel.title ? (c->panel.running ? "(running; Esc stops) " : "(Esc closes, PgUp/PgDn scroll) ") : "");
	attrset(role_attr(c, R_HEAD));
	draw_put(top, 0, COLS, hdr, false);
	attrset(A_NORMAL);
	/* the last lines that fit, minus the scroll (at most up to the first line) */
	n = count_lines(text);
	rows = (size_t)(height - 1);
	if (c->panel.scroll > (n > rows ? (int)(n - rows) : 0))
		c->panel.scroll = n > rows ? (int)(n - rows) : 0;
	first = n > rows + (size_t)c->panel.scroll ? n - rows - (size_t)c->panel.scroll : 0;
	for (i = 0, p = text, y = top + 1; *p && y < top + height; i++) {
		size_t len = strcspn(p, "\n");
		if (i >= first) {
			char line[512];
			size_t k = 0;
			for (size_t b = 0; b < len && k + 1 < sizeof(line); b++)
				line[k++] = p[b] == '\t' ? ' ' : p[b] == '\r' ? ' ' : p[b];
			line[k] = 0;
			draw_put(y++, 0, COLS, line, false);
		}
		p += len;
		if (*p == '\n')
			p++;
	}
	free(dtitle);
	free(dtext);
}

/* Column widths of the lists: node names up to 16, link names up to 36. */
static void list_widths(const struct tui_model *m, int *nw, int *lw)
{
	*nw = 4;
	*lw = 4;
	for (size_t i = 0; i < m->nvnodes; i++)
		if ((int)strlen(m->nodes[m->vnodes[i]].name) > *nw)
			*nw = (int)strlen(m->nodes[m->vnodes[i]].name);
	*nw = *nw > 16 ? 16 : *nw;
	for (size_t i = 0; i < m->nvlinks; i++) {
		const struct tui_link *l = &m->links[m->vlinks[i]];
		int w = (int)(strlen(l->a) + strlen(l->b) + 4);
		*lw = w > *lw ? w : *lw;
	}
	*lw = *lw > 36 ? 36 : *lw;
}

static void draw_node_row(struct console *c, int row, const struct tui_node *nd, bool sel, int nw)
{
	char line[1024], ifs[512], cpu[16], mem[16], pid[16];

	if (nd->cpu_pct < 0)
		snprintf(cpu, sizeof(cpu), "-");
	else
		snprintf(cpu, sizeof(cpu), "%.1f", nd->cpu_pct);
	snprintf(pid, sizeof(pid), "%ld", nd->pid);
	ifaces_text(nd, ifs, sizeof(ifs));
	snprintf(line, sizeof(line), "%-*.*s %-6.6s %-7.7s %7s %5s %6s %4llu  %s", nw, nw, nd->name, nd->kind,
		 nd->state, nd->pid ? pid : "-", cpu, tui_fmt_bytes(mem, sizeof(mem), nd->memory_bytes),
		 (unsigned long long)nd->pids, ifs);
	attrset(sel ? role_attr(c, R_SEL) : strcmp(nd->state, "running") == 0 ? A_NORMAL : role_attr(c, R_DOWN));
	draw_put(row, 0, COLS, line, sel);
}

static void draw_link_row(struct console *c, int row, const struct tui_link *l, bool sel, int lw)
{
	char line[1024], name[128], a[32], b[32], dr[24];

	snprintf(name, sizeof(name), "%s -- %s", l->a, l->b);
	snprintf(dr, sizeof(dr), "%llu", (unsigned long long)l->drops);
	snprintf(line, sizeof(line), "%-*.*s %-6.6s %8s %8s %6s  %s", lw, lw, name, l->state,
		 tui_fmt_rate(a, sizeof(a), l->ab_bps), tui_fmt_rate(b, sizeof(b), l->ba_bps), dr, l->impair);
	attrset(sel ? role_attr(c, R_SEL) : A_NORMAL);
	draw_put(row, 0, COLS, line, sel);
	if (!sel) {
		/* the state word in colour */
		attrset(role_attr(c, strcmp(l->state, "up") == 0 ? R_UP : R_DOWN));
		draw_put(row, lw + 1, 6, l->state, false);
	}
}

/* The header of the node list, or (links) of the link list. */
static void draw_list_head(struct console *c, int row, bool links, int nw, int lw)
{
	char line[256];

	if (links)
		snprintf(line, sizeof(line), "%-*s %-6s %8s %8s %6s  %s", lw, "LINK", "STATE", "A>B b/s", "B>A b/s",
			 "DROPS", "IMPAIRMENTS");
	else
		snprintf(line, sizeof(line), "%-*s %-6s %-7s %7s %5s %6s %4s  %s", nw, "NODE", "KIND", "STATE", "PID",
			 "CPU%", "MEM", "PROC", "INTERFACES");
	attrset(role_attr(c, R_HEAD));
	draw_put(row, 0, COLS, line, false);
}

/* Lines of the lists: 0 the node header, then the shown nodes, a blank, the link header, the
 * shown links. The view row of list line li, or -1 for a header or the blank. */
static long line_row(const struct tui_model *m, int li)
{
	int nn = (int)m->nvnodes;

	if (li >= 1 && li <= nn)
		return li - 1;
	if (li >= nn + 3 && li < nn + 3 + (int)m->nvlinks)
		return nn + (li - nn - 3);
	return -1;
}

/* How many rows the lists get (the rest is the panel's), and the first list line shown so that
 * the selection is on screen. */
static void list_layout(const struct console *c, int content, int *list_h, int *top)
{
	const struct tui_model *m = &c->m;
	int list_lines = (int)(m->nvnodes + m->nvlinks) + 3, panel_lines = 5, sel_line;

	if (c->panel.title) {
		panel_lines = (int)count_lines(c->panel.text ? c->panel.text : "") + 1;
		if (panel_lines < 6)
			panel_lines = 6;
	}
	*list_h = content - panel_lines;
	if (*list_h < content / 2)
		*list_h = content / 2;
	if (*list_h > list_lines)
		*list_h = list_lines;
	sel_line = m->sel < m->nvnodes ? 1 + (int)m->sel : (int)m->nvnodes + 3 + (int)(m->sel - m->nvnodes);
	*top = sel_line >= *list_h ? sel_line - *list_h + 1 : 0;
}

/* "^ N more" / "v N more" at the right end of a list row: lines of the lists out of view. */
static void draw_more(int row, int n, bool above)
{
	char buf[32];
	int len = snprintf(buf, sizeof(buf), " %s %d more ", above ? "^" : "v", n);

	if (len >= COLS)
		return;
	attrset(A_REVERSE);
	draw_put(row, COLS - len, len, buf, false);
	attrset(A_NORMAL);
}

static void draw_lab(struct console *c)
{
	const struct tui_model *m = &c->m;
	int content = LINES - 3, nw, lw, list_h, top, nn = (int)m->nvnodes;

	memset(c->row_item, -1, sizeof(c->row_item));
	if (c->panel.full) {
		draw_panel(c, 1, content);
		return;
	}
	list_widths(m, &nw, &lw);
	list_layout(c, content, &list_h, &top);
	for (int li = top, row = 1; li < nn + 3 + (int)m->nvlinks && row <= list_h; li++, row++) {
		long r = line_row(m, li);
		attrset(A_NORMAL);
		if (row < (int)ARRAY_SIZE(c->row_item))
			c->row_item[row] = (int)r;
		if (li == 0 || li == nn + 2)
			draw_list_head(c, row, li != 0, nw, lw);
		else if (r >= 0 && r < nn)
			draw_node_row(c, row, tui_model_row_node(m, (size_t)r), m->sel == (size_t)r, nw);
		else if (r >= nn)
			draw_link_row(c, row, tui_model_row_link(m, (size_t)r), m->sel == (size_t)r, lw);
	}
	attrset(A_NORMAL);
	if (top > 0)
		draw_more(1, top, true);
	if (nn + 3 + (int)m->nvlinks - top - list_h > 0)
		draw_more(list_h, nn + 3 + (int)m->nvlinks - top - list_h, false);
	draw_panel(c, 1 + list_h, content - list_h);
}

/* A curses colour for a vterm colour: default, the palette index if the terminal has it, else the
 * nearest of the 8 basic colours (r, g, b bits = curses' numbering). */
static short map_color(const VTermColor *col, bool fg, attr_t *extra)
{
	int r, g, b;

	if (fg ? VTERM_COLOR_IS_DEFAULT_FG(col) : VTERM_COLOR_IS_DEFAULT_BG(col))
		return -1;
	if (VTERM_COLOR_IS_INDEXED(col)) {
		int i = col->indexed.idx;
		if (i < COLORS)
			return (short)i;
		if (i < 16) {
			if (fg)
				*extra |= A_BOLD;
			return (short)(i - 8);
		}
		if (i >= 232) {
			r = g = b = 8 + (i - 232) * 10;
		} else {
			static const int lv[] = { 0, 95, 135, 175, 215, 255 };
			i -= 16;
			r = lv[i / 36];
			g = lv[(i / 6) % 6];
			b = lv[i % 6];
		}
	} else {
		r = col->rgb.red;
		g = col->rgb.green;
		b = col->rgb.blue;
	}
	if (COLORS >= 256)
		return (short)(16 + 36 * (r * 6 / 256) + 6 * (g * 6 / 256) + b * 6 / 256);
	return (short)((r > 127) | (g > 127) << 1 | (b > 127) << 2);
}

static struct {
	short fg, bg, pair;
} pair_cache[1024];
static int next_pair = 16;

static short pair_for(short fg, short bg)
{
	unsigned h = ((unsigned)(fg + 1) * 31u + (unsigned)(bg + 1)) % ARRAY_SIZE(pair_cache);

	for (unsigned i = 0; i < ARRAY_SIZE(pair_cache); i++) {
		unsigned s = (h + i) % ARRAY_SIZE(pair_cache);
		if (pair_cache[s].pair && pair_cache[s].fg == fg && pair_cache[s].bg == bg)
			return pair_cache[s].pair;
		if (!pair_cache[s].pair) {
			if (next_pair >= COLOR_PAIRS || next_pair > 32767)
				return 0;
			init_pair((short)next_pair, fg, bg);
			pair_cache[s].fg = fg;
			pair_cache[s].bg = bg;
			pair_cache[s].pair = (short)next_pair++;
			return pair_cache[s].pair;
		}
	}
	return 0;
}

static void draw_term(struct console *c, struct tui_term *t)
{
	int rows = shell_rows(), crow, ccol;
	VTermScreenCell cell;

	for (int y = 0; y < rows; y++) {
		for (int x = 0; x < COLS;) {
			wchar_t wc[VTERM_MAX_CHARS_PER_CELL + 1];
			attr_t at = A_NORMAL;
			short pair = 0;
			cchar_t cc;
			int k = 0;

			if (!tui_term_cell(t, y, x, &cell))
				break;
			if (cell.chars[0] == (uint32_t)-1) { /* right half of a wide character */
				x++;
				continue;
			}
			for (; k < VTERM_MAX_CHARS_PER_CELL && cell.chars[k]; k++)
				wc[k] = (wchar_t)cell.chars[k];
			if (k == 0)
				wc[k++] = L' ';
			wc[k] = 0;
			if (cell.attrs.bold)
				at |= A_BOLD;
			if (cell.attrs.underline)
				at |= A_UNDERLINE;
			if (cell.attrs.italic)
				at |= A_ITALIC;
			if (cell.attrs.blink)
				at |= A_BLINK;
			if (cell.attrs.reverse)
				at |= A_REVERSE;
			if (c->color) {
				short fg = map_color(&cell.fg, true, &at), bg = map_color(&cell.bg, false, &at);
				if (fg != -1 || bg != -1)
					pair = pair_for(fg, bg);
			}
			setcchar(&cc, wc, at, pair, NULL);
			mvadd_wch(1 + y, x, &cc);
			x += cell.width > 0 ? cell.width : 1;
		}
	}
	if (tui_term_scrolled(t) > 0) {
		char s[64];
		snprintf(s, sizeof(s), "[scrollback -%d]", tui_term_scrolled(t));
		attrset(role_attr(c, R_TABS));
		draw_put(1, COLS - (int)strlen(s), (int)strlen(s), s, false);
		attrset(A_NORMAL);
	}
	if (tui_term_cursor(t, &crow, &ccol)) {
		move(1 + crow, ccol);
		curs_set(1);
	} else {
		curs_set(0);
	}
}

unsigned console_key_ctx(const struct console *c)
{
	if (c->active > 0)
		return c->prefix ? TUI_K_PREFIX : TUI_K_SHELL;
	if (c->prefix)
		return TUI_K_LAB_PREFIX;
	return tui_model_sel_link(&c->m) ? TUI_K_LINK : TUI_K_NODE;
}

/* The message, wrapped at spaces, its last line on row `last` (a long one covers the rows above:
 * the netem error keeps its hint). */
static void draw_msg(struct console *c, int last)
{
	struct tui_span sp[MSG_LINES];
	size_t n = tui_wrap(c->msg, (size_t)COLS, sp, last > MSG_LINES ? MSG_LINES : 1);

	for (size_t i = 0; i < n; i++) {
		char line[sizeof(c->msg)];
		snprintf(line, sizeof(line), "%.*s", (int)sp[i].len, c->msg + sp[i].start);
		draw_put(last - (int)(n - 1 - i), 0, COLS, line, true);
	}
}

void draw(struct console *c)
{
	struct timespec now;
	bool show_msg;

	erase();
	curs_set(0);
	draw_tabs(c);
	if (c->active == 0)
		draw_lab(c);
	else
		draw_term(c, c->terms[c->active - 1]);
	clock_gettime(CLOCK_MONOTONIC, &now);
	show_msg = c->msg[0] && now.tv_sec - c->msg_t.tv_sec < 8;
	if (c->pr.kind != P_NONE) {
		prompt_draw(c, LINES - 2);
	} else if (c->active == 0 && show_msg) {
		attrset(c->msg_err ? role_attr(c, R_ERR) : A_NORMAL);
		draw_msg(c, LINES - 2);
		attrset(A_NORMAL);
	}
	if (c->active > 0 && show_msg && !c->prefix) {
		attrset(c->msg_err ? role_attr(c, R_ERR) : role_attr(c, R_HELP));
		draw_msg(c, LINES - 1);
	} else {
		char keys[512];
		attrset(role_attr(c, R_HELP));
		draw_put(LINES - 1, 0, COLS, tui_keys_line(keys, (size_t)COLS < sizeof(keys) ? (size_t)COLS + 1 : sizeof(keys), console_key_ctx(c)), true);
	}
	attrset(A_NORMAL);
	if (c->active > 0 && c->pr.kind == P_NONE) {
		int r, col;
		if (tui_term_cursor(c->terms[c->active - 1], &r, &col)) {
			move(1 + r, col);
			curs_set(1);
		}
	}
	refresh();
	c->dirty = false;
}

