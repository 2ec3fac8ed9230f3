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

enum prompt_kind { P_NONE, P_IMPAIR, P_RUN, P_PING, P_QUIT };

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
		char buf[512];
		size_t len;
	} pr;
	int sfd, tfd;
	bool color;
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

/* tui/actions.c */
void on_key(struct console *c, wint_t ch, bool code);
void panel_pump(struct console *c);
void panel_clear(struct panel *p);
void close_shell(struct console *c, size_t i);

#endif
