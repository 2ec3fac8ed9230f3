// SPDX-License-Identifier: GPL-2.0-or-later
/* tui/term.c: one node shell of the console: a shell on a pty (core/pty.c, as `nslab attach`),
 * libvterm's screen of it and a scrollback buffer fed by sb_pushline. */
#include <errno.h>
#include <fcntl.h>
#include <pty.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

#define NCURSES_WIDECHAR 1
#include <ncursesw/curses.h>
#include <vterm.h>

#include "../core/pty.h"
#include "../util/util.h"
#include "tui.h"

#define SB_MAX 5000 /* scrollback lines kept per shell */

struct sb_line {
	int cols;
	VTermScreenCell cells[];
};

struct tui_term {
	char *name;  /* the node */
	char *label; /* the tab's name: the node, or "node#2" for its second shell */
	int fd;
	pid_t pid;
	VTerm *vt;
	VTermScreen *vs;
	int rows, cols;
	struct sb_line **sb; /* ring of SB_MAX lines, oldest at sb_head */
	size_t sb_head, sb_len;
	int scroll;
	bool damaged, cursor_visible, exited;
	VTermPos cursor;
	int status;
};

static struct sb_line *sb_at(const struct tui_term *t, size_t i) /* 0 = oldest */
{
	return t->sb[(t->sb_head + i) % SB_MAX];
}

static int cb_damage(VTermRect rect, void *user)
{
	struct tui_term *t = user;

	(void)rect;
	t->damaged = true;
	return 1;
}

static int cb_movecursor(VTermPos pos, VTermPos oldpos, int visible, void *user)
{
	struct tui_term *t = user;

	(void)oldpos;
	t->cursor = pos;
	t->cursor_visible = visible;
	t->damaged = true;
	return 1;
}

static int cb_settermprop(VTermProp prop, VTermValue *val, void *user)
{
	struct tui_term *t = user;

	if (prop == VTERM_PROP_CURSORVISIBLE) {
		t->cursor_visible = val->boolean;
		t->damaged = true;
	}
	return 1;
}

static int cb_sb_pushline(int cols, const VTermScreenCell *cells, void *user)
{
	struct tui_term *t = user;
	struct sb_line *l = xmalloc(sizeof(*l) + (size_t)cols * sizeof(VTermScreenCell));

	l->cols = cols;
	memcpy(l->cells, cells, (size_t)cols * sizeof(VTermScreenCell));
	if (t->sb_len == SB_MAX) {
		free(t->sb[t->sb_head]);
		t->sb[t->sb_head] = l;
		t->sb_head = (t->sb_head + 1) % SB_MAX;
	} else {
		t->sb[(t->sb_head + t->sb_len) % SB_MAX] = l;
		t->sb_len++;
	}
	if (t->scroll > 0 && t->scroll < (int)t->sb_len)
		t->scroll++; /* keep the scrolled-back view still while output goes on */
	return 1;
}

static int cb_sb_popline(int cols, VTermScreenCell *cells, void *user)
{
	struct tui_term *t = user;
	struct sb_line *l;
	size_t last;

	if (t->sb_len == 0)
		return 0;
	last = (t->sb_head + t->sb_len - 1) % SB_MAX;
	l = t->sb[last];
	for (int c = 0; c < cols; c++) {
		if (c < l->cols) {
			cells[c] = l->cells[c];
		} else {
			memset(&cells[c], 0, sizeof(cells[c]));
			cells[c].chars[0] = 0;
			cells[c].width = 1;
			cells[c].fg = l->cells[0].fg;
			cells[c].bg = l->cells[0].bg;
		}
	}
	free(l);
	t->sb[last] = NULL;
	t->sb_len--;
	if (t->scroll > (int)t->sb_len)
		t->scroll = (int)t->sb_len;
	return 1;
}

static const VTermScreenCallbacks screen_cbs = {
	.damage = cb_damage,
	.movecursor = cb_movecursor,
	.settermprop = cb_settermprop,
	.sb_pushline = cb_sb_pushline,
	.sb_popline = cb_sb_popline,
};

/* Keys typed (and terminal answers) go to the shell. */
static void cb_output(const char *s, size_t len, void *user)
{
	struct tui_term *t = user;

	while (len > 0 && t->fd >= 0) {
		ssize_t w = write(t->fd, s, len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return; /* EAGAIN on a full pty: the shell is not reading; drop rather than block the UI */
		s += w;
		len -= (size_t)w;
	}
}

int tui_term_open(struct tui_term **out, const char *lab, const char *node, int rows, int cols,
		  struct nslab_err *err)
{
	struct winsize ws = { .ws_row = (unsigned short)rows, .ws_col = (unsigned short)cols };
	struct nslab_pty_opts po = { .ws = &ws, .term = "xterm-256color" };
	struct tui_term *t;
	int master, r;
	pid_t pid;

	r = nslab_pty_spawn(lab, node, &po, &master, &pid, err);
	if (r < 0)
		return r;
	fcntl(master, F_SETFL, fcntl(master, F_GETFL) | O_NONBLOCK);

	t = xcalloc(1, sizeof(*t));
	t->name = xstrdup(node);
	t->fd = master;
	t->pid = pid;
	t->rows = rows;
	t->cols = cols;
	t->sb = xcalloc(SB_MAX, sizeof(*t->sb));
	t->cursor_visible = true;
	t->damaged = true;
	t->vt = vterm_new(rows, cols);
	vterm_set_utf8(t->vt, 1);
	vterm_output_set_callback(t->vt, cb_output, t);
	t->vs = vterm_obtain_screen(t->vt);
	vterm_screen_set_callbacks(t->vs, &screen_cbs, t);
	vterm_screen_set_damage_merge(t->vs, VTERM_DAMAGE_SCROLL);
	vterm_screen_enable_altscreen(t->vs, 1);
	vterm_screen_reset(t->vs, 1);
	*out = t;
	return 0;
}

void tui_term_close(struct tui_term *t)
{
	if (!t)
		return;
	if (t->fd >= 0)
		close(t->fd); /* the shell's session gets SIGHUP from the kernel */
	if (!t->exited && t->pid > 0) {
		kill(t->pid, SIGKILL);
		waitpid(t->pid, NULL, 0);
	}
	vterm_free(t->vt);
	for (size_t i = 0; i < t->sb_len; i++)
		free(sb_at(t, i));
	free(t->sb);
	free(t->name);
	free(t->label);
	free(t);
}

int tui_term_fd(const struct tui_term *t)
{
	return t->fd;
}

pid_t tui_term_pid(const struct tui_term *t)
{
	return t->pid;
}

const char *tui_term_name(const struct tui_term *t)
{
	return t->name;
}

const char *tui_term_label(const struct tui_term *t)
{
	return t->label ? t->label : t->name;
}

void tui_term_set_label(struct tui_term *t, const char *label)
{
	free(t->label);
	t->label = xstrdup(label);
}

void tui_term_set_exited(struct tui_term *t, int status)
{
	t->exited = true;
	t->status = status;
}

bool tui_term_exited(const struct tui_term *t, int *status)
{
	if (t->exited && status)
		*status = t->status;
	return t->exited;
}

long tui_term_pump(struct tui_term *t, size_t budget)
{
	char buf[16384];
	size_t total = 0;

	while (total < budget) {
		ssize_t r = read(t->fd, buf, sizeof(buf) < budget - total ? sizeof(buf) : budget - total);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 && errno == EAGAIN)
			break;
		if (r <= 0)
			return total ? (long)total : -1; /* EIO: every slave fd is closed */
		vterm_input_write(t->vt, buf, (size_t)r);
		total += (size_t)r;
	}
	if (total)
		vterm_screen_flush_damage(t->vs);
	return (long)total;
}

bool tui_term_take_damage(struct tui_term *t)
{
	bool d = t->damaged;

	t->damaged = false;
	return d;
}

void tui_term_resize(struct tui_term *t, int rows, int cols)
{
	struct winsize ws = { .ws_row = (unsigned short)rows, .ws_col = (unsigned short)cols };

	if (rows < 1 || cols < 1 || (rows == t->rows && cols == t->cols))
		return;
	t->rows = rows;
	t->cols = cols;
	vterm_set_size(t->vt, rows, cols);
	vterm_screen_flush_damage(t->vs);
	ioctl(t->fd, TIOCSWINSZ, &ws); /* the kernel sends SIGWINCH to the shell's foreground group */
	t->damaged = true;
}

void tui_term_send(struct tui_term *t, const char *s, size_t n)
{
	cb_output(s, n, t);
}

bool tui_term_key(struct tui_term *t, int key, bool is_code)
{
	static const struct {
		int curses;
		VTermKey vkey;
		VTermModifier mod;
	} keys[] = {
		{ KEY_UP, VTERM_KEY_UP, VTERM_MOD_NONE },	   { KEY_DOWN, VTERM_KEY_DOWN, VTERM_MOD_NONE },
		{ KEY_LEFT, VTERM_KEY_LEFT, VTERM_MOD_NONE },	   { KEY_RIGHT, VTERM_KEY_RIGHT, VTERM_MOD_NONE },
		{ KEY_SLEFT, VTERM_KEY_LEFT, VTERM_MOD_SHIFT },	   { KEY_SRIGHT, VTERM_KEY_RIGHT, VTERM_MOD_SHIFT },
		{ KEY_HOME, VTERM_KEY_HOME, VTERM_MOD_NONE },	   { KEY_END, VTERM_KEY_END, VTERM_MOD_NONE },
		{ KEY_IC, VTERM_KEY_INS, VTERM_MOD_NONE },	   { KEY_DC, VTERM_KEY_DEL, VTERM_MOD_NONE },
		{ KEY_PPAGE, VTERM_KEY_PAGEUP, VTERM_MOD_NONE },   { KEY_NPAGE, VTERM_KEY_PAGEDOWN, VTERM_MOD_NONE },
		{ KEY_BACKSPACE, VTERM_KEY_BACKSPACE, VTERM_MOD_NONE }, { KEY_ENTER, VTERM_KEY_ENTER, VTERM_MOD_NONE },
		{ KEY_BTAB, VTERM_KEY_TAB, VTERM_MOD_SHIFT },
	};

	if (!is_code) {
		if (key == 0x7f || key == 0x08) {
			char c = (char)key;
			cb_output(&c, 1, t); /* the byte the user's terminal sends: the pty's VERASE decides */
		} else {
			vterm_keyboard_unichar(t->vt, (uint32_t)key, VTERM_MOD_NONE);
		}
		return true;
	}
	for (size_t i = 0; i < ARRAY_SIZE(keys); i++) {
		if (keys[i].curses == key) {
			vterm_keyboard_key(t->vt, keys[i].vkey, keys[i].mod);
			return true;
		}
	}
	if (key >= KEY_F(1) && key <= KEY_F(12)) {
		vterm_keyboard_key(t->vt, VTERM_KEY_FUNCTION(key - KEY_F(0)), VTERM_MOD_NONE);
		return true;
	}
	return false;
}

void tui_term_scroll(struct tui_term *t, int delta)
{
	t->scroll += delta;
	if (t->scroll < 0)
		t->scroll = 0;
	if (t->scroll > (int)t->sb_len)
		t->scroll = (int)t->sb_len;
	t->damaged = true;
}

int tui_term_scrolled(const struct tui_term *t)
{
	return t->scroll;
}

bool tui_term_cell(const struct tui_term *t, int row, int col, void *vterm_cell)
{
	VTermScreenCell *cell = vterm_cell;

	if (row < 0 || row >= t->rows || col < 0 || col >= t->cols)
		return false;
	if (row < t->scroll) {
		/* row 0 shows scrollback line sb_len - scroll */
		struct sb_line *l = sb_at(t, t->sb_len - (size_t)t->scroll + (size_t)row);
		if (col < l->cols) {
			*cell = l->cells[col];
		} else {
			memset(cell, 0, sizeof(*cell));
			cell->width = 1;
			vterm_color_indexed(&cell->fg, 7);
			cell->fg.type |= VTERM_COLOR_DEFAULT_FG;
			vterm_color_indexed(&cell->bg, 0);
			cell->bg.type |= VTERM_COLOR_DEFAULT_BG;
		}
		return true;
	}
	VTermPos pos = { .row = row - t->scroll, .col = col };
	return vterm_screen_get_cell(t->vs, pos, cell) != 0;
}

bool tui_term_cursor(const struct tui_term *t, int *row, int *col)
{
	if (!t->cursor_visible || t->cursor.row + t->scroll >= t->rows)
		return false;
	*row = t->cursor.row + t->scroll;
	*col = t->cursor.col;
	return true;
}
