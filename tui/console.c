// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * tui/console.c: `nslab console LAB`: the event loop (poll over the keyboard, a signalfd, a 1 s
 * timerfd, the node shells' ptys and a running action's pipe), drawing with ncursesw (one redraw
 * per iteration when something is dirty) and the actions, which call the same core functions as
 * the CLI. While curses owns the screen nothing is written to stderr: it points at a log file.
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
#include <vterm.h>

#include "../cli/cli.h"
#include "../core/lab.h"
#include "../core/link.h"
#include "../core/node.h"
#include "../netlink/nl.h"
#include "../util/util.h"
#include "tui.h"

#define MAX_SHELLS 9
#define PUMP_BUDGET (64 * 1024) /* pty bytes per shell per iteration: a flood cannot starve the keyboard */
#define PANEL_MAX (256 * 1024)
#define FRAME_MS 16
#undef CTRL
#define CTRL(c) ((c) & 0x1f)

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
};

struct nlsock {
	char *node;
	long pid;
	struct nslab_nl *nl;
};

struct console {
	const char *lab;
	struct tui_model m;
	struct tui_term *terms[MAX_SHELLS];
	size_t nterms;
	size_t active; /* 0: lab view, k: terms[k - 1] */
	bool prefix;   /* Ctrl-b was pressed */
	bool dirty, quit;
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
	struct nlsock *nls;
	size_t nnls;
	int sfd, tfd;
	bool color;
};

/* ---- logging and the terminal on every exit path ---- */

static FILE *log_file;
static int saved_stderr = -1;
static struct termios saved_tio;
static bool tio_saved, curses_on;

static void __attribute__((format(printf, 1, 2))) tlog(const char *fmt, ...)
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

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void __attribute__((format(printf, 3, 4))) set_msg(struct console *c, bool error, const char *fmt, ...)
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

/* ---- model refresh: inspect + per-node rtnetlink counters ---- */

static void nlsock_close(struct nlsock *s)
{
	if (s->nl)
		nslab_nl_close(s->nl);
	s->nl = NULL;
}

/* A socket inside the node's network namespace, kept open while the node (same pid) lives. */
static struct nslab_nl *node_nl(struct console *c, const char *node, long pid)
{
	struct nslab_err err = { 0 };
	struct nlsock *s = NULL;
	char **env = NULL;
	int pidfd, nsfd;

	for (size_t i = 0; i < c->nnls; i++)
		if (strcmp(c->nls[i].node, node) == 0)
			s = &c->nls[i];
	if (!s) {
		s = VEC_PUSH(c->nls, c->nnls);
		s->node = xstrdup(node);
	}
	if (s->nl && s->pid == pid)
		return s->nl;
	nlsock_close(s);
	s->pid = pid;
	if (nslab_lab_node_open(c->lab, node, &pidfd, &env, &err) < 0) {
		tlog("counters of %s: %s", node, err.msg);
		return NULL;
	}
	nslab_env_free(env);
	nsfd = nslab_pidfd_ns_open(pidfd, (pid_t)pid, "net");
	close(pidfd);
	if (nsfd < 0) {
		tlog("counters of %s: netns: %s", node, strerror(-nsfd));
		return NULL;
	}
	if (nslab_nl_open(&s->nl, nsfd, &err) < 0) {
		tlog("counters of %s: %s", node, err.msg);
		s->nl = NULL;
	}
	close(nsfd);
	return s->nl;
}

/* Put the kernel's drop counters (and fresh byte counters) into inspect's interfaces. */
static void add_counters(struct console *c, json_t *j)
{
	json_t *jn, *ji;
	size_t i, k;

	json_array_foreach(json_object_get(j, "nodes"), i, jn) {
		const char *name = json_string_value(json_object_get(jn, "name"));
		const char *state = json_string_value(json_object_get(jn, "state"));
		long pid = (long)json_integer_value(json_object_get(jn, "pid"));
		struct nslab_nl_link_info *li = NULL;
		struct nslab_err err = { 0 };
		struct nslab_nl *nl;
		size_t n = 0;

		if (!name || !state || strcmp(state, "running") != 0 || pid <= 0)
			continue;
		nl = node_nl(c, name, pid);
		if (!nl)
			continue;
		if (nslab_nl_dump_links(nl, &li, &n, &err) < 0) {
			tlog("counters of %s: %s", name, err.msg);
			for (size_t s = 0; s < c->nnls; s++)
				if (c->nls[s].nl == nl)
					nlsock_close(&c->nls[s]);
			continue;
		}
		json_array_foreach(json_object_get(jn, "interfaces"), k, ji) {
			int ifindex = (int)json_integer_value(json_object_get(ji, "ifindex"));
			for (size_t x = 0; x < n; x++) {
				if (li[x].ifindex != ifindex)
					continue;
				json_object_set_new(ji, "rx_bytes", json_integer((json_int_t)li[x].rx_bytes));
				json_object_set_new(ji, "tx_bytes", json_integer((json_int_t)li[x].tx_bytes));
				json_object_set_new(ji, "rx_dropped", json_integer((json_int_t)li[x].rx_dropped));
				json_object_set_new(ji, "tx_dropped", json_integer((json_int_t)li[x].tx_dropped));
			}
		}
		free(li);
	}
}

static int refresh_model(struct console *c)
{
	struct nslab_err err = { 0 };
	json_t *j = nslab_lab_inspect(c->lab, &err);

	if (!j) {
		set_msg(c, true, "inspect %s: %s", c->lab, err.msg);
		return -1;
	}
	add_counters(c, j);
	tui_model_update(&c->m, j, now_s());
	json_decref(j);
	c->dirty = true;
	return 0;
}

/* ---- the output panel and actions run in a child ---- */

static void panel_append(struct panel *p, const char *s, size_t n)
{
	if (p->len + n > PANEL_MAX) {
		/* keep the newest half */
		size_t drop = p->len / 2;
		memmove(p->text, p->text + drop, p->len - drop);
		p->len -= drop;
	}
	p->text = xrealloc(p->text, p->len + n + 1);
	memcpy(p->text + p->len, s, n);
	p->len += n;
	p->text[p->len] = 0;
}

static void panel_stop(struct panel *p)
{
	if (p->running && p->pid > 0)
		kill(-p->pid, SIGKILL);
	if (p->fd >= 0)
		close(p->fd);
	p->fd = -1;
}

static void panel_clear(struct panel *p)
{
	panel_stop(p);
	free(p->title);
	free(p->text);
	p->title = p->text = NULL;
	p->len = 0;
	p->scroll = 0;
	p->running = false;
	p->pid = 0;
}

static void panel_set(struct console *c, const char *title, const char *text)
{
	panel_clear(&c->panel);
	c->panel.title = xstrdup(title);
	panel_append(&c->panel, text, strlen(text));
	c->dirty = true;
}

/*
 * Run commands one after the other in a node (nslab_node_run, as `nslab exec`), in a child of
 * its own process group whose output goes to the panel through a pipe, so that a slow command
 * (ping) never blocks the console. cmds: NULL-terminated argv arrays, NULL-terminated.
 */
static void action_run(struct console *c, const char *node, const char *title, char *const *const *cmds)
{
	struct nslab_err err = { 0 };
	char **env = NULL;
	int pidfd, p[2];
	pid_t pid;

	if (c->panel.running) {
		set_msg(c, true, "an action is still running (Esc stops it)");
		return;
	}
	if (nslab_lab_node_open(c->lab, node, &pidfd, &env, &err) < 0) {
		set_msg(c, true, "%s", err.msg);
		return;
	}
	if (pipe2(p, O_CLOEXEC) < 0) {
		set_msg(c, true, "pipe: %s", strerror(errno));
		close(pidfd);
		nslab_env_free(env);
		return;
	}
	pid = fork();
	if (pid == 0) {
		sigset_t none;
		int null = open("/dev/null", O_RDWR);
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		for (int s = 1; s < NSIG; s++)
			signal(s, SIG_DFL);
		setpgid(0, 0);
		dup2(null, 0);
		dup2(null, 1);
		dup2(null, 2);
		nslab_close_fds_except((int[]){ p[1], pidfd }, 2);
		for (size_t i = 0; cmds[i]; i++) {
			int st = 0;
			dprintf(p[1], "%s$", node);
			for (size_t a = 0; cmds[i][a]; a++)
				dprintf(p[1], " %s", cmds[i][a]);
			dprintf(p[1], "\n");
			if (nslab_node_run(pidfd, cmds[i], env, p[1], &st, &err) < 0)
				dprintf(p[1], "nslab: %s\n", err.msg);
			else if (st != 0)
				dprintf(p[1], "[exit status %d]\n", st);
		}
		_exit(0);
	}
	close(p[1]);
	close(pidfd);
	nslab_env_free(env);
	if (pid < 0) {
		close(p[0]);
		set_msg(c, true, "fork: %s", strerror(errno));
		return;
	}
	setpgid(pid, pid);
	panel_clear(&c->panel);
	c->panel.title = xstrdup(title);
	c->panel.pid = pid;
	c->panel.fd = p[0];
	c->panel.running = true;
	fcntl(p[0], F_SETFL, O_NONBLOCK);
	tlog("action %s (pid %d)", title, (int)pid);
	c->dirty = true;
}

static void panel_pump(struct console *c)
{
	char buf[16384];
	ssize_t r;

	for (int i = 0; i < 4 && c->panel.fd >= 0; i++) {
		r = read(c->panel.fd, buf, sizeof(buf));
		if (r < 0 && (errno == EINTR || errno == EAGAIN))
			return;
		if (r <= 0) {
			close(c->panel.fd);
			c->panel.fd = -1;
			c->dirty = true;
			return;
		}
		panel_append(&c->panel, buf, (size_t)r);
		c->dirty = true;
	}
}

/* ---- shells ---- */

static int shell_rows(void)
{
	return LINES > 3 ? LINES - 2 : 1;
}

static void open_shell(struct console *c, const char *node, bool reuse)
{
	struct nslab_err err = { 0 };
	struct tui_term *t;

	if (reuse) {
		for (size_t i = 0; i < c->nterms; i++) {
			if (strcmp(tui_term_name(c->terms[i]), node) == 0) {
				c->active = i + 1;
				c->dirty = true;
				return;
			}
		}
	}
	if (c->nterms == MAX_SHELLS) {
		set_msg(c, true, "%d shells are open already: exit one first", MAX_SHELLS);
		return;
	}
	if (tui_term_open(&t, c->lab, node, shell_rows(), COLS, &err) < 0) {
		set_msg(c, true, "shell on %s: %s", node, err.msg);
		return;
	}
	c->terms[c->nterms++] = t;
	c->active = c->nterms;
	tlog("shell on %s: pid %d", node, (int)tui_term_pid(t));
	c->dirty = true;
}

static void close_shell(struct console *c, size_t i)
{
	struct tui_term *t = c->terms[i];
	int status = 0;
	bool known = tui_term_exited(t, &status);

	tui_term_close(t);
	memmove(&c->terms[i], &c->terms[i + 1], (c->nterms - i - 1) * sizeof(c->terms[0]));
	c->nterms--;
	if (c->active == i + 1)
		c->active = 0;
	else if (c->active > i + 1)
		c->active--;
	c->dirty = true;
	(void)known;
}

static void switch_tab(struct console *c, size_t tab)
{
	if (tab > c->nterms)
		return;
	c->active = tab;
	c->prefix = false;
	c->dirty = true;
}

/* ---- drawing ---- */

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

static void colors_init(struct console *c)
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
static void put(int y, int x, int width, const char *s, bool pad)
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
		names[i + 1] = tui_term_name(c->terms[i]);
	attrset(role_attr(c, R_TABS));
	tui_tabs_line(line, (size_t)COLS < sizeof(line) ? (size_t)COLS : sizeof(line), names, c->nterms + 1,
		      c->active);
	put(0, 0, COLS, line, true);
	snprintf(right, sizeof(right), " nslab console: %s ", c->lab);
	if ((int)(strlen(line) + strlen(right)) < COLS)
		put(0, COLS - (int)strlen(right), (int)strlen(right), right, false);
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
			ADD("%c %-14s %-5s%s tx %s b/s rx %s b/s drops rx %llu tx %llu\n  impairments: %s\n", 'A' + e,
			    ends[e], f->state, f->link_down ? " (taken down)" : f->admin_down ? " (declared down)" : "",
			    tui_fmt_rate(tx, sizeof(tx), f->tx_bps), tui_fmt_rate(rx, sizeof(rx), f->rx_bps),
			    (unsigned long long)f->rx_dropped, (unsigned long long)f->tx_dropped, f->impair);
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
	size_t n, first, i;
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
	put(top, 0, COLS, hdr, false);
	attrset(A_NORMAL);
	/* the last lines that fit, minus the scroll */
	n = 0;
	for (p = text; *p; p++)
		n += *p == '\n';
	if (p > text && p[-1] != '\n')
		n++;
	if (c->panel.scroll > (int)n)
		c->panel.scroll = (int)n;
	first = n > (size_t)(height - 1) + (size_t)c->panel.scroll ? n - (size_t)(height - 1) - (size_t)c->panel.scroll : 0;
	for (i = 0, p = text, y = top + 1; *p && y < top + height; i++) {
		size_t len = strcspn(p, "\n");
		if (i >= first) {
			char line[512];
			size_t k = 0;
			for (size_t b = 0; b < len && k + 1 < sizeof(line); b++)
				line[k++] = p[b] == '\t' ? ' ' : p[b] == '\r' ? ' ' : p[b];
			line[k] = 0;
			put(y++, 0, COLS, line, false);
		}
		p += len;
		if (*p == '\n')
			p++;
	}
	free(dtitle);
	free(dtext);
}

static void draw_lab(struct console *c)
{
	const struct tui_model *m = &c->m;
	int content = LINES - 3, nw = 4, lw = 4, list_lines, list_h, panel_lines, top, sel_line, y;
	char line[1024], ifs[512], a[32], b[32], cpu[16], mem[16], pid[16], dr[16];

	for (size_t i = 0; i < m->nnodes; i++)
		if ((int)strlen(m->nodes[i].name) > nw)
			nw = (int)strlen(m->nodes[i].name);
	nw = nw > 16 ? 16 : nw;
	for (size_t i = 0; i < m->nlinks; i++) {
		int w = (int)(strlen(m->links[i].a) + strlen(m->links[i].b) + 4);
		lw = w > lw ? w : lw;
	}
	lw = lw > 36 ? 36 : lw;

	list_lines = (int)m->nnodes + (int)m->nlinks + 3;
	if (c->panel.title) {
		panel_lines = (int)count_lines(c->panel.text ? c->panel.text : "") + 1;
		if (panel_lines < 6)
			panel_lines = 6;
	} else {
		panel_lines = 5;
	}
	list_h = content - panel_lines;
	if (list_h < content / 2)
		list_h = content / 2;
	if (list_h > list_lines)
		list_h = list_lines;
	sel_line = m->sel < m->nnodes ? 1 + (int)m->sel : (int)m->nnodes + 3 + (int)(m->sel - m->nnodes);
	top = 0;
	if (sel_line >= list_h)
		top = sel_line - list_h + 1;

	for (int li = top, row = 1; li < list_lines && row <= list_h; li++, row++) {
		attrset(A_NORMAL);
		if (li == 0) {
			snprintf(line, sizeof(line), "%-*s %-6s %-7s %7s %5s %6s %4s  %s", nw, "NODE", "KIND", "STATE",
				 "PID", "CPU%", "MEM", "PROC", "INTERFACES");
			attrset(role_attr(c, R_HEAD));
			put(row, 0, COLS, line, false);
		} else if (li <= (int)m->nnodes) {
			const struct tui_node *nd = &m->nodes[li - 1];
			bool sel = m->sel == (size_t)(li - 1);
			if (nd->cpu_pct < 0)
				snprintf(cpu, sizeof(cpu), "-");
			else
				snprintf(cpu, sizeof(cpu), "%.1f", nd->cpu_pct);
			snprintf(pid, sizeof(pid), "%ld", nd->pid);
			ifaces_text(nd, ifs, sizeof(ifs));
			snprintf(line, sizeof(line), "%-*.*s %-6.6s %-7.7s %7s %5s %6s %4llu  %s", nw, nw, nd->name,
				 nd->kind, nd->state, nd->pid ? pid : "-", cpu,
				 tui_fmt_bytes(mem, sizeof(mem), nd->memory_bytes), (unsigned long long)nd->pids, ifs);
			attrset(sel ? role_attr(c, R_SEL) : strcmp(nd->state, "running") == 0 ? A_NORMAL : role_attr(c, R_DOWN));
			put(row, 0, COLS, line, sel);
		} else if (li == (int)m->nnodes + 1) {
			/* blank */
		} else if (li == (int)m->nnodes + 2) {
			snprintf(line, sizeof(line), "%-*s %-6s %8s %8s %6s  %s", lw, "LINK", "STATE", "A>B b/s", "B>A b/s",
				 "DROPS", "IMPAIRMENTS");
			attrset(role_attr(c, R_HEAD));
			put(row, 0, COLS, line, false);
		} else {
			size_t k = (size_t)(li - (int)m->nnodes - 3);
			const struct tui_link *l = &m->links[k];
			bool sel = m->sel == m->nnodes + k;
			char name[128];
			snprintf(name, sizeof(name), "%s -- %s", l->a, l->b);
			snprintf(dr, sizeof(dr), "%llu", (unsigned long long)l->drops);
			snprintf(line, sizeof(line), "%-*.*s %-6.6s %8s %8s %6s  %s", lw, lw, name, l->state,
				 tui_fmt_rate(a, sizeof(a), l->ab_bps), tui_fmt_rate(b, sizeof(b), l->ba_bps), dr,
				 l->impair);
			attrset(sel ? role_attr(c, R_SEL) : A_NORMAL);
			put(row, 0, COLS, line, sel);
			if (!sel) {
				/* the state word in colour */
				attrset(role_attr(c, strcmp(l->state, "up") == 0 ? R_UP : R_DOWN));
				put(row, lw + 1, 6, l->state, false);
			}
		}
	}
	attrset(A_NORMAL);
	y = 1 + list_h;
	draw_panel(c, y, content - list_h);
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
		put(1, COLS - (int)strlen(s), (int)strlen(s), s, false);
		attrset(A_NORMAL);
	}
	if (tui_term_cursor(t, &crow, &ccol)) {
		move(1 + crow, ccol);
		curs_set(1);
	} else {
		curs_set(0);
	}
}

static const char *help_text(const struct console *c)
{
	if (c->active > 0)
		return c->prefix ? " C-b: n next  p prev  l/0 lab  1-9 tab  PgUp/PgDn scroll  x close  C-b send C-b"
				 : " F1 lab  F2-F10 tabs  C-b n/p next/prev  S-PgUp/C-b PgUp scroll  exit: close";
	if (tui_model_sel_link(&c->m))
		return " d down  u up  i impair  r reset  Enter show  Tab/F1-F10 tabs  q quit";
	return " Enter shell  x run  p ping  o routes  a new shell  Tab/F1-F10 tabs  q quit";
}

static void draw(struct console *c)
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
		char line[800];
		snprintf(line, sizeof(line), "%s%.*s", c->pr.label, (int)c->pr.len, c->pr.buf);
		attrset(A_BOLD);
		put(LINES - 2, 0, COLS, line, true);
		attrset(A_NORMAL);
		move(LINES - 2, (int)strlen(line) < COLS ? (int)strlen(line) : COLS - 1);
		curs_set(1);
	} else if (c->active == 0 && show_msg) {
		attrset(c->msg_err ? role_attr(c, R_ERR) : A_NORMAL);
		put(LINES - 2, 0, COLS, c->msg, false);
		attrset(A_NORMAL);
	}
	if (c->active > 0 && show_msg && !c->prefix) {
		attrset(c->msg_err ? role_attr(c, R_ERR) : role_attr(c, R_HELP));
		put(LINES - 1, 0, COLS, c->msg, true);
	} else {
		attrset(role_attr(c, R_HELP));
		put(LINES - 1, 0, COLS, help_text(c), true);
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

/* ---- actions ---- */

static void link_action(struct console *c, char what)
{
	const struct tui_link *l = tui_model_sel_link(&c->m);
	struct nslab_err err = { 0 };
	struct nslab_link_sel sel;
	int r;

	if (!l) {
		set_msg(c, true, "select a link first (Down arrow to the LINK list)");
		return;
	}
	sel = (struct nslab_link_sel){ .a = l->a, .b = l->b, .only = false };
	char *name = xasprintf("%s -- %s", l->a, l->b);
	if (what == 'd')
		r = nslab_link_down(c->lab, &sel, NULL, &err);
	else if (what == 'u')
		r = nslab_link_up(c->lab, &sel, NULL, &err);
	else
		r = nslab_link_reset(c->lab, &sel, NULL, &err);
	if (r < 0)
		set_msg(c, true, "link %s: %s", name, err.msg);
	else
		set_msg(c, false, "link %s: %s", name, what == 'd' ? "down" : what == 'u' ? "up" : "impairments removed");
	free(name);
	refresh_model(c);
}

static void link_set(struct console *c, const char *text)
{
	const struct tui_link *l = tui_model_sel_link(&c->m);
	struct nslab_link_change ch;
	struct nslab_err err = { 0 };
	struct nslab_link_sel sel;
	const char *msg;

	if (!l)
		return;
	msg = tui_parse_impair(text, &ch);
	if (msg) {
		set_msg(c, true, "impairments: %s", msg);
		return;
	}
	sel = (struct nslab_link_sel){ .a = l->a, .b = l->b, .only = false };
	if (nslab_link_set(c->lab, &sel, &ch, NULL, &err) < 0)
		set_msg(c, true, "link %s -- %s: %s", l->a, l->b, err.msg);
	else
		set_msg(c, false, "link %s -- %s: %s", l->a, l->b, text);
	refresh_model(c);
}

static void link_show(struct console *c)
{
	const struct tui_link *l = tui_model_sel_link(&c->m);
	struct nslab_err err = { 0 };
	struct nslab_link_sel sel;
	json_t *j;
	char *s, *title;

	if (!l)
		return;
	sel = (struct nslab_link_sel){ .a = l->a, .b = l->b, .only = false };
	j = nslab_link_show(c->lab, &sel, &err);
	if (!j) {
		set_msg(c, true, "%s", err.msg);
		return;
	}
	s = json_dumps(j, JSON_INDENT(1));
	title = xasprintf("link show %s -- %s", l->a, l->b);
	panel_set(c, title, s ? s : "");
	free(title);
	free(s);
	json_decref(j);
}

static void prompt_open(struct console *c, enum prompt_kind kind, const char *arg, const char *label)
{
	c->pr.kind = kind;
	snprintf(c->pr.arg, sizeof(c->pr.arg), "%s", arg);
	snprintf(c->pr.label, sizeof(c->pr.label), "%s", label);
	c->pr.len = 0;
	c->pr.buf[0] = 0;
	c->dirty = true;
}

static void prompt_submit(struct console *c)
{
	enum prompt_kind kind = c->pr.kind;
	char text[sizeof(c->pr.buf)];
	char *title;

	memcpy(text, c->pr.buf, c->pr.len);
	text[c->pr.len] = 0;
	c->pr.kind = P_NONE;
	c->dirty = true;
	switch (kind) {
	case P_IMPAIR:
		link_set(c, text);
		break;
	case P_RUN: {
		char *argv[] = { "/bin/sh", "-c", text, NULL };
		char *const *cmds[] = { argv, NULL };
		if (!text[0])
			break;
		title = xasprintf("%s: %s", c->pr.arg, text);
		action_run(c, c->pr.arg, title, cmds);
		free(title);
		break;
	}
	case P_PING: {
		const char *addr = tui_model_node_addr(&c->m, text);
		char target[sizeof(c->pr.buf)];
		snprintf(target, sizeof(target), "%s", addr ? addr : text);
		char *argv[] = { "ping", "-c", "3", "-i", "0.5", "-W", "1", target, NULL };
		char *const *cmds[] = { argv, NULL };
		if (!text[0])
			break;
		title = xasprintf("ping from %s to %s", c->pr.arg, text);
		action_run(c, c->pr.arg, title, cmds);
		free(title);
		break;
	}
	case P_QUIT:
		if (text[0] == 'y' || text[0] == 'Y')
			c->quit = true;
		break;
	case P_NONE:
		break;
	}
}

static void prompt_key(struct console *c, wint_t ch, bool code)
{
	c->dirty = true;
	if (code) {
		if (ch == KEY_BACKSPACE)
			goto backspace;
		if (ch == KEY_ENTER)
			prompt_submit(c);
		return;
	}
	if (ch == 27 || ch == CTRL('g') || ch == CTRL('c')) {
		c->pr.kind = P_NONE;
		return;
	}
	if (ch == '\r' || ch == '\n') {
		prompt_submit(c);
		return;
	}
	if (ch == 0x7f || ch == 0x08)
		goto backspace;
	if (ch == CTRL('u')) {
		c->pr.len = 0;
		return;
	}
	if (ch < 0x20)
		return;
	if (c->pr.kind == P_QUIT) {
		c->pr.buf[0] = (char)ch;
		c->pr.len = 1;
		prompt_submit(c);
		return;
	}
	{
		char mb[MB_LEN_MAX];
		mbstate_t st = { 0 };
		size_t n = wcrtomb(mb, (wchar_t)ch, &st);
		if (n != (size_t)-1 && c->pr.len + n < sizeof(c->pr.buf)) {
			memcpy(c->pr.buf + c->pr.len, mb, n);
			c->pr.len += n;
		}
	}
	return;
backspace:
	while (c->pr.len > 0 && (c->pr.buf[c->pr.len - 1] & 0xc0) == 0x80)
		c->pr.len--;
	if (c->pr.len > 0)
		c->pr.len--;
}

static void lab_key(struct console *c, wint_t ch, bool code)
{
	const struct tui_node *nd = tui_model_sel_node(&c->m);
	const struct tui_link *l = tui_model_sel_link(&c->m);
	char label[200];

	c->dirty = true;
	if (code) {
		switch (ch) {
		case KEY_UP:
			tui_model_sel_move(&c->m, -1);
			break;
		case KEY_DOWN:
			tui_model_sel_move(&c->m, 1);
			break;
		case KEY_HOME:
			tui_model_sel_move(&c->m, -(long)tui_model_rows(&c->m));
			break;
		case KEY_END:
			tui_model_sel_move(&c->m, (long)tui_model_rows(&c->m));
			break;
		case KEY_PPAGE:
			c->panel.scroll += 5;
			break;
		case KEY_NPAGE:
			c->panel.scroll = c->panel.scroll > 5 ? c->panel.scroll - 5 : 0;
			break;
		case KEY_ENTER:
			goto enter;
		case KEY_BTAB:
			switch_tab(c, c->nterms);
			break;
		default:
			break;
		}
		return;
	}
	switch (ch) {
	case 'k':
		tui_model_sel_move(&c->m, -1);
		break;
	case 'j':
		tui_model_sel_move(&c->m, 1);
		break;
	case '\r':
	case '\n':
		goto enter;
	case 'a':
		if (nd)
			open_shell(c, nd->name, false);
		break;
	case '\t':
		switch_tab(c, c->nterms ? 1 : 0);
		break;
	case 'd':
	case 'u':
	case 'r':
		link_action(c, (char)ch);
		break;
	case 'i':
		if (!l) {
			set_msg(c, true, "select a link first (Down arrow to the LINK list)");
			break;
		}
		snprintf(label, sizeof(label), "impair %s -- %s (e.g. delay 20ms loss 1%% rate 10mbit): ", l->a, l->b);
		prompt_open(c, P_IMPAIR, l->a, label);
		break;
	case 'x':
		if (!nd) {
			set_msg(c, true, "select a node first");
			break;
		}
		snprintf(label, sizeof(label), "run in %s: ", nd->name);
		prompt_open(c, P_RUN, nd->name, label);
		break;
	case 'p':
		if (!nd) {
			set_msg(c, true, "select a node first");
			break;
		}
		snprintf(label, sizeof(label), "ping from %s to (node or address): ", nd->name);
		prompt_open(c, P_PING, nd->name, label);
		break;
	case 'o':
		if (nd) {
			char *r4[] = { "ip", "route", NULL }, *r6[] = { "ip", "-6", "route", NULL },
			     *ne[] = { "ip", "neigh", NULL };
			char *const *cmds[] = { r4, r6, ne, NULL };
			char *title = xasprintf("routes and neighbours of %s", nd->name);
			action_run(c, nd->name, title, cmds);
			free(title);
		}
		break;
	case 27:
		panel_clear(&c->panel);
		break;
	case 'q':
		if (c->nterms)
			prompt_open(c, P_QUIT, "", "shells are open: quit and close them? (y/n) ");
		else
			c->quit = true;
		break;
	case CTRL('l'):
		clearok(curscr, TRUE);
		break;
	default:
		if (ch >= '1' && ch <= '9')
			switch_tab(c, (size_t)(ch - '1'));
		break;
	}
	return;
enter:
	if (nd)
		open_shell(c, nd->name, true);
	else if (l)
		link_show(c);
}

static void shell_key(struct console *c, wint_t ch, bool code)
{
	struct tui_term *t = c->terms[c->active - 1];
	int half = shell_rows() / 2;

	if (c->prefix) {
		c->prefix = false;
		c->dirty = true;
		if (code) {
			if (ch == KEY_PPAGE)
				tui_term_scroll(t, half);
			else if (ch == KEY_NPAGE)
				tui_term_scroll(t, -half);
			return;
		}
		switch (ch) {
		case 'n':
			switch_tab(c, (c->active + 1) % (c->nterms + 1));
			break;
		case 'p':
			switch_tab(c, (c->active + c->nterms) % (c->nterms + 1));
			break;
		case 'l':
		case '0':
			switch_tab(c, 0);
			break;
		case '[':
			tui_term_scroll(t, half);
			break;
		case ']':
			tui_term_scroll(t, -half);
			break;
		case 'x':
			close_shell(c, c->active - 1);
			break;
		case CTRL('b'):
			tui_term_send(t, "\x02", 1);
			break;
		default:
			if (ch >= '1' && ch <= '9')
				switch_tab(c, (size_t)(ch - '1'));
			break;
		}
		return;
	}
	if (!code && ch == CTRL('b')) {
		c->prefix = true;
		c->dirty = true;
		return;
	}
	if (code && (ch == KEY_SPREVIOUS || ch == KEY_SNEXT)) {
		tui_term_scroll(t, ch == KEY_SPREVIOUS ? half : -half);
		c->dirty = true;
		return;
	}
	if (tui_term_scrolled(t) > 0) {
		tui_term_scroll(t, -tui_term_scrolled(t));
		c->dirty = true;
	}
	tui_term_key(t, (int)ch, code);
}

static void on_key(struct console *c, wint_t ch, bool code)
{
	if (code && ch == KEY_RESIZE)
		return;
	if (c->pr.kind != P_NONE) {
		prompt_key(c, ch, code);
		return;
	}
	if (code && ch >= KEY_F(1) && ch <= KEY_F(10)) {
		switch_tab(c, (size_t)(ch - KEY_F(1)));
		return;
	}
	if (c->active == 0) {
		if (!code && ch == CTRL('b')) {
			c->prefix = true;
			return;
		}
		if (c->prefix) {
			c->prefix = false;
			if (!code && ch == 'n')
				switch_tab(c, c->nterms ? 1 : 0);
			else if (!code && ch == 'p')
				switch_tab(c, c->nterms);
			else if (!code && ch >= '1' && ch <= '9')
				switch_tab(c, (size_t)(ch - '1'));
			return;
		}
		lab_key(c, ch, code);
	} else {
		shell_key(c, ch, code);
	}
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

static void reap(struct console *c)
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
			double since = (now_s() - last_draw) * 1000;
			if (since >= FRAME_MS) {
				draw(c);
				last_draw = now_s();
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
			snprintf(name, sizeof(name), "%s", tui_term_name(c->terms[k]));
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

int tui_console_run(const char *lab)
{
	struct console c = { .lab = lab, .sfd = -1, .tfd = -1, .panel = { .fd = -1 } };
	static const int fatal[] = { SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT };
	struct itimerspec its = { .it_interval = { 1, 0 }, .it_value = { 1, 0 } };
	struct nslab_err err = { 0 };
	char *logp;
	sigset_t mask;
	int fd;
	json_t *j;

	setlocale(LC_ALL, "");
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		fprintf(stderr, "nslab console: needs a terminal (use nslab inspect for scripts)\n");
		return EXIT_USAGE;
	}
	j = nslab_lab_inspect(lab, &err);
	if (!j) {
		fprintf(stderr, "nslab console: %s\n", err.msg);
		return EXIT_FAIL;
	}
	json_decref(j);

	logp = log_path(lab);
	fd = open(logp, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	if (fd < 0) {
		fprintf(stderr, "nslab console: %s: %s\n", logp, strerror(errno));
		free(logp);
		return EXIT_FAIL;
	}
	log_file = fdopen(fd, "a");
	tlog("console on lab %s (pid %d)", lab, (int)getpid());

	sigemptyset(&mask);
	sigaddset(&mask, SIGWINCH);
	sigaddset(&mask, SIGCHLD);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGHUP);
	sigaddset(&mask, SIGQUIT);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	signal(SIGPIPE, SIG_IGN);
	signal(SIGTSTP, SIG_IGN);
	c.sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	c.tfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	if (c.sfd < 0 || c.tfd < 0 || timerfd_settime(c.tfd, 0, &its, NULL) < 0) {
		fprintf(stderr, "nslab console: signalfd/timerfd: %s\n", strerror(errno));
		free(logp);
		return EXIT_FAIL;
	}

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
		free(logp);
		return EXIT_FAIL;
	}
	curses_on = true;
	raw();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	colors_init(&c);
	refresh_model(&c);

	loop(&c);

	for (size_t i = c.nterms; i-- > 0;)
		close_shell(&c, i);
	panel_clear(&c.panel);
	for (size_t i = 0; i < c.nnls; i++) {
		nlsock_close(&c.nls[i]);
		free(c.nls[i].node);
	}
	free(c.nls);
	screen_restore();
	tlog("console closed");
	fclose(log_file);
	log_file = NULL;
	close(c.sfd);
	close(c.tfd);
	tui_model_free(&c.m);
	free(logp);
	return EXIT_OK;
}

int cmd_console(int argc, char **argv)
{
	const struct cli_cmd *cmd = cli_find("console");

	if (argc != 2)
		return cli_usage_error(cmd, "expects LAB");
	return tui_console_run(argv[1]);
}
