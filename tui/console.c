// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * tui/console.c: `nslab console LAB`: setup and the event loop (poll over the keyboard, a
 * signalfd, a 1 s timerfd that refreshes the model from core (inspect + core/stats.c counters),
 * the node shells' ptys and a running action's pipe). Drawing is tui/draw.c, what keys do
 * tui/actions.c. While curses owns the screen nothing is written to stderr: it points at a log file.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <locale.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>
#include <wchar.h>

#define NCURSES_WIDECHAR 1
#include <ncursesw/curses.h>

#include "../core/lab.h"
#include "../core/stats.h"
#include "../util/json.h"
#include "../util/util.h"
#include "console.h"

#define PUMP_BUDGET (64 * 1024) /* pty bytes per shell per iteration: a flood cannot starve the keyboard */
#define FRAME_MS 16

/* ---- logging and the terminal on every exit path ---- */

static FILE *log_file;
static int saved_stderr = -1;
static struct termios saved_tio;
static bool tio_saved, curses_on;

void tlog(const char *fmt, ...)
{
	struct timespec ts;
	va_list ap;

	if (!log_file)
		return;
	clock_gettime(CLOCK_REALTIME, &ts);
	fprintf(log_file, "%lld.%03ld ", (long long)ts.tv_sec, ts.tv_nsec / 1000000);
	va_start(ap, fmt);
	vfprintf(log_file, fmt, ap);
	va_end(ap);
	fputc('\n', log_file);
	fflush(log_file);
}

static void screen_restore(void)
{
	if (curses_on && !isendwin())
		endwin();
	curses_on = false;
	if (saved_stderr >= 0) {
		dup2(saved_stderr, STDERR_FILENO);
		close(saved_stderr);
		saved_stderr = -1;
	}
}

/* Crashes: only async-signal-safe calls, then die of the same signal. */
static void fatal_signal(int sig)
{
	static const char reset[] = "\033[?1049l\033[?25h\033[0m\r\n";

	if (tio_saved)
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved_tio);
	if (write(STDOUT_FILENO, reset, sizeof(reset) - 1) < 0) {
		/* nothing else to do */
	}
	signal(sig, SIG_DFL);
	raise(sig);
}

double console_now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void set_msg(struct console *c, bool error, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->msg, sizeof(c->msg), fmt, ap);
	va_end(ap);
	c->msg_err = error;
	clock_gettime(CLOCK_MONOTONIC, &c->msg_t);
	tlog("%s%s", error ? "error: " : "", c->msg);
	c->dirty = true;
}

static void set_str(char **p, const char *v)
{
	free(*p);
	*p = xstrdup(v);
}

/* The lab no longer exists: every node and link says so; nothing is running or moving. */
static void mark_gone(struct tui_model *m)
{
	set_str(&m->status, "gone");
	for (size_t i = 0; i < m->nnodes; i++) {
		struct tui_node *nd = &m->nodes[i];
		set_str(&nd->state, "gone");
		nd->pid = 0;
		nd->cpu_pct = -1;
		nd->memory_bytes = nd->pids = 0;
		for (size_t k = 0; k < nd->nifs; k++) {
			set_str(&nd->ifs[k].state, "gone");
			nd->ifs[k].rx_bps = nd->ifs[k].tx_bps = -1;
		}
	}
	for (size_t i = 0; i < m->nlinks; i++) {
		set_str(&m->links[i].state, "gone");
		m->links[i].ab_bps = m->links[i].ba_bps = -1;
	}
}

/* The lab as inspect sees it, with live counters from core/stats.c. */
int refresh_model(struct console *c)
{
	struct nslab_err err = { 0 };
	_cleanup_json_ json_t *j = nslab_lab_inspect(c->lab, &err);

	if (!j && err.code == ENOENT) {
		if (!c->gone) {
			set_msg(c, true, "lab %s is gone (destroyed from outside the console): q quits", c->lab);
			/* its sockets would keep the lab's network namespaces alive */
			nslab_stats_free(c->stats);
			c->stats = nslab_stats_new(c->lab);
		}
		c->gone = true;
		mark_gone(&c->m);
		c->dirty = true;
		return -1;
	}
	if (!j) {
		set_msg(c, true, "inspect %s: %s", c->lab, err.msg);
		return -1;
	}
	c->gone = false;
	if (nslab_stats_add(c->stats, j, &err) > 0)
		tlog("%s", err.msg);
	tui_model_update(&c->m, j, console_now_s());
	c->dirty = true;
	return 0;
}

/* ---- signals and the loop ---- */

static void resize(struct console *c)
{
	struct winsize ws;

	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 && ws.ws_col > 0)
		resizeterm(ws.ws_row, ws.ws_col);
	for (size_t i = 0; i < c->nterms; i++)
		tui_term_resize(c->terms[i], shell_rows(), COLS);
	clearok(curscr, TRUE);
	c->dirty = true;
	tlog("resized to %dx%d", COLS, LINES);
}

void reap(struct console *c)
{
	int st;
	pid_t pid;

	while ((pid = waitpid(-1, &st, WNOHANG)) > 0) {
		int code = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
		for (size_t i = 0; i < c->nterms; i++)
			if (tui_term_pid(c->terms[i]) == pid)
				tui_term_set_exited(c->terms[i], code);
		if (c->panel.pid == pid) {
			c->panel.running = false;
			c->panel.status = code;
			c->dirty = true;
		}
		tlog("child %d exited: %d", (int)pid, code);
	}
}

static void on_signal(struct console *c)
{
	struct signalfd_siginfo si;

	while (read(c->sfd, &si, sizeof(si)) == sizeof(si)) {
		switch (si.ssi_signo) {
		case SIGWINCH:
			resize(c);
			break;
		case SIGCHLD:
			reap(c);
			break;
		default:
			tlog("signal %u: quitting", si.ssi_signo);
			c->quit = true;
			break;
		}
	}
}

static void loop(struct console *c)
{
	double last_draw = 0;

	while (!c->quit) {
		struct pollfd p[4 + MAX_SHELLS];
		size_t np = 0, first_term;
		int timeout = -1;
		wint_t ch;
		int kr;

		if (c->dirty) {
			double since = (console_now_s() - last_draw) * 1000;
			if (since >= FRAME_MS) {
				draw(c);
				last_draw = console_now_s();
			} else {
				timeout = (int)(FRAME_MS - since) + 1;
			}
		}
		p[np++] = (struct pollfd){ STDIN_FILENO, POLLIN, 0 };
		p[np++] = (struct pollfd){ c->sfd, POLLIN, 0 };
		p[np++] = (struct pollfd){ c->tfd, POLLIN, 0 };
		p[np++] = (struct pollfd){ c->panel.fd, POLLIN, 0 };
		first_term = np;
		for (size_t i = 0; i < c->nterms; i++)
			p[np++] = (struct pollfd){ tui_term_fd(c->terms[i]), POLLIN, 0 };
		if (poll(p, np, timeout) < 0) {
			if (errno == EINTR)
				continue;
			tlog("poll: %s", strerror(errno));
			break;
		}
		if (p[1].revents & POLLIN)
			on_signal(c);
		if (p[2].revents & POLLIN) {
			uint64_t ticks;
			if (read(c->tfd, &ticks, sizeof(ticks)) > 0)
				refresh_model(c);
			if (c->msg[0])
				c->dirty = true; /* let an old message expire */
		}
		if (p[0].revents & (POLLIN | POLLHUP | POLLERR)) {
			for (int n = 0; n < 256 && (kr = get_wch(&ch)) != ERR; n++)
				on_key(c, ch, kr == KEY_CODE_YES);
			if (p[0].revents & (POLLHUP | POLLERR)) {
				tlog("terminal gone");
				c->quit = true;
			}
		}
		if (p[3].revents)
			panel_pump(c);
		/* shells: bounded reads; a shell whose pty closed is removed afterwards */
		bool dead[MAX_SHELLS] = { false };
		size_t nt = c->nterms;
		for (size_t k = 0; k < nt; k++) {
			struct tui_term *t = c->terms[k];
			if (!p[first_term + k].revents)
				continue;
			if (tui_term_pump(t, PUMP_BUDGET) < 0)
				dead[k] = true;
			else if (tui_term_take_damage(t) && c->active == k + 1)
				c->dirty = true;
		}
		for (size_t k = nt; k-- > 0;) {
			char name[64];
			int st = 0;
			if (!dead[k])
				continue;
			snprintf(name, sizeof(name), "%s", tui_term_label(c->terms[k]));
			reap(c);
			if (tui_term_exited(c->terms[k], &st))
				set_msg(c, false, "shell on %s exited (status %d)", name, st);
			else
				set_msg(c, false, "shell on %s exited", name);
			close_shell(c, k);
		}
	}
}

static char *log_path(const char *lab)
{
	const char *dir = getenv("XDG_RUNTIME_DIR");
	struct stat st;

	if (!dir || stat(dir, &st) < 0 || !S_ISDIR(st.st_mode))
		dir = "/tmp";
	return xasprintf("%s/nslab-console-%s.log", dir, lab);
}

/* The log file (stderr goes there while curses owns the screen); its fd, or -1 (said on stderr). */
static int log_open(const char *lab)
{
	_cleanup_free_ char *logp = log_path(lab);
	int fd = open(logp, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);

	if (fd < 0) {
		fprintf(stderr, "nslab console: %s: %s\n", logp, strerror(errno));
		return -1;
	}
	log_file = fdopen(fd, "a");
	tlog("console on lab %s (pid %d)", lab, (int)getpid());
	return fd;
}

/* Signals through a signalfd, the 1 s refresh through a timerfd; -1 (said) when either fails. */
static int events_open(struct console *c)
{
	struct itimerspec its = { .it_interval = { 1, 0 }, .it_value = { 1, 0 } };
	static const int sigs[] = { SIGWINCH, SIGCHLD, SIGINT, SIGTERM, SIGHUP, SIGQUIT };
	sigset_t mask;

	sigemptyset(&mask);
	for (size_t i = 0; i < ARRAY_SIZE(sigs); i++)
		sigaddset(&mask, sigs[i]);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	signal(SIGPIPE, SIG_IGN);
	signal(SIGTSTP, SIG_IGN);
	c->sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	c->tfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	if (c->sfd < 0 || c->tfd < 0 || timerfd_settime(c->tfd, 0, &its, NULL) < 0) {
		fprintf(stderr, "nslab console: signalfd/timerfd: %s\n", strerror(errno));
		return -1;
	}
	return 0;
}

/* Hand the screen to curses: stderr to the log (fd), crash handlers, raw keys, colours, mouse. */
static int screen_take(struct console *c, int fd)
{
	static const int fatal[] = { SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT };

	if (tcgetattr(STDIN_FILENO, &saved_tio) == 0)
		tio_saved = true;
	for (size_t i = 0; i < ARRAY_SIZE(fatal); i++)
		signal(fatal[i], fatal_signal);
	/* from here on nothing may reach the screen but curses: stderr goes to the log */
	saved_stderr = fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 3);
	dup2(fd, STDERR_FILENO);
	atexit(screen_restore);
	set_escdelay(25);
	if (!initscr()) {
		screen_restore();
		fprintf(stderr, "nslab console: cannot initialise the terminal (TERM=%s)\n", getenv("TERM"));
		return -1;
	}
	curses_on = true;
	raw();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	colors_init(c);
	/* presses, not clicks: a click would wait mouseinterval() for a second one */
	mouseinterval(0);
	mousemask(BUTTON1_PRESSED | BUTTON4_PRESSED | BUTTON5_PRESSED, NULL);
	return 0;
}

static void console_close(struct console *c)
{
	for (size_t i = c->nterms; i-- > 0;)
		close_shell(c, i);
	panel_clear(&c->panel);
	nslab_stats_free(c->stats);
	screen_restore();
	tlog("console closed");
	if (log_file)
		fclose(log_file);
	log_file = NULL;
	if (c->sfd >= 0)
		close(c->sfd);
	if (c->tfd >= 0)
		close(c->tfd);
	tui_model_free(&c->m);
	for (size_t i = 0; i < P_COUNT; i++)
		tui_hist_free(&c->hist[i]);
}

int tui_console_run(const char *lab)
{
	struct console c = { .lab = lab, .sfd = -1, .tfd = -1, .panel = { .fd = -1 } };
	struct nslab_err err = { 0 };
	int fd;
	json_t *j;

	setlocale(LC_ALL, "");
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		fprintf(stderr, "nslab console: needs a terminal (use nslab inspect for scripts)\n");
		return TUI_EXIT_USAGE;
	}
	j = nslab_lab_inspect(lab, &err);
	if (!j) {
		fprintf(stderr, "nslab console: %s\n", err.msg);
		return TUI_EXIT_FAIL;
	}
	json_decref(j);
	fd = log_open(lab);
	if (fd < 0 || events_open(&c) < 0 || screen_take(&c, fd) < 0) {
		console_close(&c);
		return TUI_EXIT_FAIL;
	}
	c.stats = nslab_stats_new(lab);
	refresh_model(&c);
	loop(&c);
	console_close(&c);
	return TUI_EXIT_OK;
}
