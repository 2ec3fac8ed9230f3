/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * tui/console.h: the console's state, shared by its three parts (not a public interface):
 * tui/console.c the event loop (poll, signals, the 1 s refresh through core/stats.c),
 * tui/draw.c the drawing (one redraw per iteration when dirty), and tui/actions.c what keys do
 * (dispatched through the key table of tui/keys.c).
 */
#ifndef NSLAB_TUI_CONSOLE_H
#define NSLAB_TUI_CONSOLE_H

#include <stdbool.h>
#include <sys/types.h>
#include <time.h>
#include <wchar.h>

#include "../core/stats.h"
#include "tui.h"

#define MAX_SHELLS 9

enum prompt_kind { P_NONE, P_IMPAIR, P_RUN, P_PING, P_FILTER, P_CMD, P_QUIT, P_COUNT };

/* The output panel: an action's output (a child writing to a pipe) or text made here. */
struct panel {
	char *title;
	char *text;
	size_t len;
	pid_t pid; /* running action (its own process group), 0 if none */
	int fd;
	int status;
	bool running;
	int scroll; /* lines up from the bottom */
	bool full;  /* the panel takes the whole lab view (the help) */
};

struct console {
	const char *lab;
	struct tui_model m;
	struct nslab_stats *stats;
	struct tui_term *terms[MAX_SHELLS];
	size_t nterms;
	size_t active; /* 0: lab view, k: terms[k - 1] */
	bool prefix;   /* Ctrl-b was pressed */
	bool dirty, quit;
	bool gone; /* the lab was destroyed from outside */
	char msg[512];
	bool msg_err;
	struct timespec msg_t;
	struct panel panel;
	struct {
		enum prompt_kind kind;
		char label[256];
		char arg[160];
		struct tui_line line;
	} pr;
	struct tui_history hist[P_COUNT]; /* each prompt's own */
	int sfd, tfd;
	bool color;
	/* what the last draw put on each screen row of the lab view: a view row, -1 for none (mouse) */
	int row_item[512];
};

/* tui/console.c */
void tlog(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void set_msg(struct console *c, bool error, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int refresh_model(struct console *c);
double console_now_s(void);
/* Reap exited children: shells' helpers and the panel's action. */
void reap(struct console *c);

/* tui/draw.c */
void colors_init(struct console *c);
void draw(struct console *c);
int shell_rows(void);
/* The key context of what is on screen (one TUI_K_* bit). */
unsigned console_key_ctx(const struct console *c);

void draw_put(int y, int x, int width, const char *s, bool pad);

/* tui/prompt.c */
void prompt_open(struct console *c, enum prompt_kind kind, const char *arg, const char *label);
void prompt_key(struct console *c, wint_t ch, bool code);
void prompt_draw(struct console *c, int y);

/* tui/command.c: the command line (`:`), Mininet's habits */
void console_command(struct console *c, const char *text);

/* tui/actions.c */
/* child(ctx, fd) in a child process of its own group, what it writes to fd in the panel. */
void action_spawn(struct console *c, const char *title, void (*child)(void *ctx, int fd), void *ctx,
		  const int *keep, size_t nkeep);
/* Text of our own in the panel. */
void panel_set(struct console *c, const char *title, const char *text);
/* Commands one after the other in a node, their output in the panel (a child; Esc stops it). */
void action_run(struct console *c, const char *node, const char *title, char *const *const *cmds);
/* A link request through core/link.c's action table; the result as a message ("link A -- B: " and
 * done, or the action's own word) or show's panel. */
void link_req_run(struct console *c, const struct nslab_link_req *r, const char *done);
/* Impairments typed at the i prompt on the selected link. */
void link_set(struct console *c, const char *text);
void on_key(struct console *c, wint_t ch, bool code);
void panel_pump(struct console *c);
void panel_clear(struct panel *p);
void close_shell(struct console *c, size_t i);

#endif
