// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * core/scenario.c: the scenario format (a pure, line-oriented parser that reports every error as
 * file:line:col) and its runner (link changes through core/link.c, programs and pings inside the
 * nodes through nslab_node_run). The runner reports through callbacks; cli/ prints TAP or JUnit.
 */
#include "scenario.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "../util/json.h"
#include "../util/util.h"
#include "converge.h"
#include "lab.h"
#include "labstate.h"
#include "node.h"
#include "rundir.h"

/* ---- parsing (pure) ---- */

#define MAX_TOKENS 64

struct tok {
	const char *s; /* NUL-terminated copy */
	unsigned col;  /* 1-based */
	size_t off;    /* offset of the token in the line */
};

struct line {
	const char *file;
	unsigned lineno;
	const char *text; /* the line, NUL-terminated, without '\n' */
	struct tok t[MAX_TOKENS];
	size_t n;
	char buf[4096];
	struct nslab_diags *d;
	bool too_long;
};

static struct nslab_pos pos_at(const struct line *l, size_t i)
{
	struct nslab_pos p = { l->file, l->lineno, i < l->n ? l->t[i].col : (unsigned)strlen(l->text) + 1 };
	return p;
}

static void err_at(struct line *l, size_t i, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void err_at(struct line *l, size_t i, const char *fmt, ...)
{
	struct nslab_pos p = pos_at(l, i);
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	nslab_diag_add(l->d, NSLAB_DIAG_ERROR, &p, "%s", msg);
}

/* Split on blanks; a word starting with '#' ends the line (a comment). */
static void tokenize(struct line *l)
{
	const char *p = l->text;
	size_t used = 0;

	l->n = 0;
	while (*p) {
		size_t len = 0;
		if (*p == ' ' || *p == '\t') {
			p++;
			continue;
		}
		if (*p == '#')
			break;
		while (p[len] && p[len] != ' ' && p[len] != '\t')
			len++;
		if (l->n == MAX_TOKENS || used + len + 1 > sizeof(l->buf)) {
			l->too_long = true;
			return;
		}
		memcpy(l->buf + used, p, len);
		l->buf[used + len] = 0;
		l->t[l->n].s = l->buf + used;
		l->t[l->n].off = (size_t)(p - l->text);
		l->t[l->n].col = (unsigned)(p - l->text) + 1;
		l->n++;
		used += len + 1;
		p += len;
	}
}

static bool is(const struct line *l, size_t i, const char *w)
{
	return i < l->n && strcmp(l->t[i].s, w) == 0;
}

/* The raw text from token i to the end of the line, trailing blanks removed (malloc'd). */
static char *rest_of_line(const struct line *l, size_t i, size_t end_tok)
{
	const char *s = l->text + l->t[i].off;
	size_t len;

	if (end_tok == SIZE_MAX) /* the whole rest, comments included */
		len = strlen(s);
	else if (end_tok < l->n)
		len = l->t[end_tok].off - l->t[i].off;
	else
		len = l->t[l->n - 1].off + strlen(l->t[l->n - 1].s) - l->t[i].off;

	while (len && (s[len - 1] == ' ' || s[len - 1] == '\t'))
		len--;
	return xstrndup(s, len);
}

static bool node_ok(struct line *l, size_t i)
{
	if (i >= l->n) {
		err_at(l, i, "a node name is missing");
		return false;
	}
	if (!nslab_name_valid(l->t[i].s)) {
		err_at(l, i, "'%s' is not a valid node name", l->t[i].s);
		return false;
	}
	return true;
}

/* Is token i NODE:IF (or containerlab's BR|NODE:IF, a port of bridge BR inside NODE)? */
static bool end_ok(struct line *l, size_t i)
{
	char e[NSLAB_NAME_MAX + 2 * NSLAB_IFNAMSIZ + 2], br[NSLAB_IFNAMSIZ];
	const char *s = e, *colon;
	char node[NSLAB_NAME_MAX + 1];

	if (strlen(l->t[i].s) >= sizeof(e)) {
		err_at(l, i, "'%s' is not NODE:INTERFACE", l->t[i].s);
		return false;
	}
	strcpy(e, l->t[i].s);
	nslab_link_end_unfold(e, br);
	colon = strchr(s, ':');

	if (!colon || (size_t)(colon - s) > NSLAB_NAME_MAX) {
		err_at(l, i, "'%s' is not NODE:INTERFACE", l->t[i].s);
		return false;
	}
	memcpy(node, s, (size_t)(colon - s));
	node[colon - s] = 0;
	if (!nslab_name_valid(node) || !nslab_ifname_valid(colon + 1)) {
		err_at(l, i, "'%s' is not NODE:INTERFACE", l->t[i].s);
		return false;
	}
	return true;
}

static bool duration_ok(struct line *l, size_t i, unsigned long long *us)
{
	if (i >= l->n) {
		err_at(l, i, "a duration is missing (2s, 500ms)");
		return false;
	}
	if (nslab_parse_duration_us(l->t[i].s, us) < 0) {
		err_at(l, i, "'%s' is not a duration (2s, 500ms, 300us)", l->t[i].s);
		return false;
	}
	/* a bare number would be milliseconds (the topology's unit): "within 5" meant 5 s to
	 * everyone who wrote it, so a scenario's durations always carry their unit */
	if (!isalpha((unsigned char)l->t[i].s[strlen(l->t[i].s) - 1])) {
		err_at(l, i, "'%s' needs a unit: %ss or %sms", l->t[i].s, l->t[i].s, l->t[i].s);
		return false;
	}
	return true;
}

static bool count_ok(struct line *l, size_t i, unsigned max, unsigned *out)
{
	unsigned long v;
	char *end;

	if (i >= l->n) {
		err_at(l, i, "a count is missing");
		return false;
	}
	errno = 0;
	v = strtoul(l->t[i].s, &end, 10);
	if (errno || end == l->t[i].s || *end || v == 0 || v > max || l->t[i].s[0] == '-') {
		err_at(l, i, "'%s' is not a count from 1 to %u", l->t[i].s, max);
		return false;
	}
	*out = (unsigned)v;
	return true;
}

/* `link ... set` options: the parameter table's names and aliases, with or without their "--". */
static const char *opt_name(const char *s)
{
	return strncmp(s, "--", 2) == 0 ? s + 2 : s;
}

static bool set_opt_parse(struct line *l, size_t i, struct nslab_impair_change *c)
{
	const char *v = i + 1 < l->n ? l->t[i + 1].s : NULL;
	char msg[NSLAB_IMP_MSG_MAX];
	int r = nslab_impair_change_add(c, opt_name(l->t[i].s), v, msg, sizeof(msg));

	if (r == -ENOENT)
		err_at(l, i, "unknown option '%s' of link set (%s)", l->t[i].s, nslab_imp_param_list());
	else if (r < 0)
		err_at(l, r == -EEXIST ? i : i + 1, "%s", msg);
	return r == 0;
}

/* The action word of a link step (2nd or 3rd word), from core/link.c's table; 0 when none. */
static size_t link_action_at(struct line *l, struct nslab_scn_step *st)
{
	for (size_t i = 2; i <= 3 && i < l->n; i++) {
		int a = nslab_link_action_find(l->t[i].s);

		if (a >= 0 && !(nslab_link_actions[a].flags & NSLAB_LA_READ)) {
			st->link_op = (enum nslab_link_action)a;
			return i;
		}
	}
	return 0;
}

/* One option of a link step at word i (the action's flags say which it takes); the next word to read. */
static size_t link_opt(struct line *l, size_t i, struct nslab_scn_step *st, bool *ok)
{
	unsigned f = nslab_link_actions[st->link_op].flags;
	const char *name = opt_name(l->t[i].s);

	if (strcmp(name, "only") == 0 && !(f & NSLAB_LA_BOTH_ENDS)) {
		if (st->b) {
			err_at(l, i, "only acts on the first end alone: do not name the peer");
			*ok = false;
		}
		st->only = true;
		return i + 1;
	}
	if ((f & NSLAB_LA_REPEAT) && strcmp(name, "every") == 0) {
		if (!duration_ok(l, i + 1, &st->every_us) || st->every_us == 0) {
			if (st->every_us == 0 && i + 1 < l->n)
				err_at(l, i + 1, "every must be above 0");
			*ok = false;
		}
		return i + 2;
	}
	if ((f & NSLAB_LA_REPEAT) && strcmp(name, "times") == 0) {
		unsigned times;

		*ok = count_ok(l, i + 1, 100000, &times) && *ok;
		st->times = times;
		return i + 2;
	}
	if (f & NSLAB_LA_IMPAIR) {
		*ok = set_opt_parse(l, i, &st->change) && *ok;
		return i + 2;
	}
	err_at(l, i, "unexpected '%s' after link %s", l->t[i].s, nslab_link_actions[st->link_op].name);
	*ok = false;
	return l->n;
}

/* A step's ends as nslab knows them: BR|NODE:IF, a port of a bridge inside NODE, is NODE:IF. */
static void unfold(struct nslab_scn_step *st)
{
	char br[NSLAB_IFNAMSIZ];

	if (st->a)
		nslab_link_end_unfold(st->a, br);
	if (st->b)
		nslab_link_end_unfold(st->b, br);
}

/* link add A:IF B:IF [addr END=ADDR[,ADDR]]... [mtu N]: the options with or without "--". */
static bool parse_link_add(struct line *l, struct nslab_scn_step *st)
{
	bool ok = true;

	st->kind = NSLAB_SCN_LINK_ADD;
	if (l->n < 4) {
		err_at(l, l->n, "link add needs two ends: link add NODE:IF NODE:IF [addr NODE:IF=ADDRESS]... [mtu N]");
		return false;
	}
	ok = end_ok(l, 2);
	ok = end_ok(l, 3) && ok;
	st->a = xstrdup(l->t[2].s);
	st->b = xstrdup(l->t[3].s);
	nslab_link_end_unfold(st->a, st->add.bridge[0]);
	nslab_link_end_unfold(st->b, st->add.bridge[1]);
	st->add.end[0] = st->a;
	st->add.end[1] = st->b;
	for (size_t i = 4; i < l->n; i += 2) {
		const char *name = opt_name(l->t[i].s);
		struct nslab_err e = { 0 };

		if (strcmp(name, "addr") != 0 && strcmp(name, "mtu") != 0) {
			err_at(l, i, "unexpected '%s' after link add (addr NODE:IF=ADDRESS, mtu N)", l->t[i].s);
			return false;
		}
		if (i + 1 >= l->n) {
			err_at(l, i + 1, "%s needs a value", l->t[i].s);
			return false;
		}
		if (strcmp(name, "mtu") == 0) {
			if (!count_ok(l, i + 1, 65535, &st->add.mtu)) {
				ok = false;
			} else if (st->add.mtu < 68) {
				err_at(l, i + 1, "mtu %u: it goes from 68 to 65535", st->add.mtu);
				ok = false;
			}
		} else if (nslab_link_new_addr(&st->add, l->t[i + 1].s, &e) < 0) {
			err_at(l, i + 1, "%s", e.msg);
			ok = false;
		}
	}
	return ok;
}

/* link remove A:IF [B:IF] */
static bool parse_link_remove(struct line *l, struct nslab_scn_step *st)
{
	st->kind = NSLAB_SCN_LINK_REMOVE;
	if (l->n < 3 || l->n > 4) {
		err_at(l, l->n < 3 ? l->n : 4, "expected: link remove NODE:IF [NODE:IF]");
		return false;
	}
	st->a = xstrdup(l->t[2].s);
	st->b = l->n == 4 ? xstrdup(l->t[3].s) : NULL;
	unfold(st);
	return end_ok(l, 2) && (l->n == 3 || end_ok(l, 3));
}

static bool parse_link(struct line *l, struct nslab_scn_step *st)
{
	size_t ai = link_action_at(l, st), i;
	bool ok = true;

	if (l->n < 2) {
		err_at(l, 1, "link needs NODE:IF [NODE:IF] and down, up, flap, set or reset");
		return false;
	}
	if (!ai) {
		err_at(l, l->n < 3 ? l->n : 2, "link needs an action: down, up, flap, set or reset");
		return false;
	}
	ok = end_ok(l, 1);
	st->a = xstrdup(l->t[1].s);
	if (ai == 3) {
		ok = end_ok(l, 2) && ok;
		st->b = xstrdup(l->t[2].s);
	}
	unfold(st);
	st->times = 1;
	st->every_us = 1000000;
	for (i = ai + 1; i < l->n;)
		i = link_opt(l, i, st, &ok);
	if ((nslab_link_actions[st->link_op].flags & NSLAB_LA_IMPAIR) && !st->change.given && ok) {
		err_at(l, ai, "link set needs at least one setting (delay 50ms, loss 1%%, rate 10mbit, ...)");
		ok = false;
	}
	return ok;
}

/* Strip a trailing "within DURATION"; returns the new token count or 0 on error. */
static size_t parse_within(struct line *l, size_t n, unsigned long long *us)
{
	if (n >= 2 && is(l, n - 2, "within")) {
		if (!duration_ok(l, n - 1, us))
			return 0;
		return n - 2;
	}
	if (n >= 1 && is(l, n - 1, "within")) {
		err_at(l, n, "within needs a duration");
		return 0;
	}
	return n;
}

static bool parse_expect(struct line *l, struct nslab_scn_step *st)
{
	size_t n = l->n;

	if (is(l, 1, "loss")) {
		/* expect loss between A and B below P [count N] */
		st->kind = NSLAB_SCN_EXPECT_LOSS;
		st->count = 100;
		if (!is(l, 2, "between") || !is(l, 4, "and") || !is(l, 6, "below") || n < 8) {
			err_at(l, 2, "expected: expect loss between NODE and ADDRESS below PERCENT [count N]");
			return false;
		}
		if (!node_ok(l, 3))
			return false;
		st->node = xstrdup(l->t[3].s);
		st->target = xstrdup(l->t[5].s);
		if (nslab_parse_percent(l->t[7].s, &st->max_loss_pct) < 0) {
			err_at(l, 7, "'%s' is not a percentage (1%%, 0.5%%)", l->t[7].s);
			return false;
		}
		if (n == 8)
			return true;
		if (n == 10 && is(l, 8, "count"))
			return count_ok(l, 9, 100000, &st->count);
		err_at(l, 8, "unexpected '%s' (only: count N)", l->t[8].s);
		return false;
	}
	/* expect converged | expect routing [converged] [within D]: core/converge.h */
	if ((is(l, 1, "converged") || is(l, 1, "routing")) && (n == 2 || is(l, 2, "within") ||
							       (is(l, 1, "routing") && is(l, 2, "converged")))) {
		st->kind = NSLAB_SCN_EXPECT_CONVERGED;
		st->duration_us = 60000000;
		n = parse_within(l, n, &st->duration_us);
		if (!n)
			return false;
		if (n > 2 + (size_t)is(l, 2, "converged")) {
			err_at(l, n - 1, "unexpected words (expect converged [within DURATION])");
			return false;
		}
		return true;
	}
	if (!node_ok(l, 1))
		return false;
	st->node = xstrdup(l->t[1].s);
	if (is(l, 2, "reaches")) {
		st->kind = NSLAB_SCN_EXPECT_REACH;
		st->duration_us = 5000000;
		n = parse_within(l, n, &st->duration_us);
		if (!n)
			return false;
		if (n != 4) {
			err_at(l, n < 4 ? n : 4, n < 4 ? "expect NODE reaches needs an address or node name"
						       : "unexpected words (expect NODE reaches ADDRESS [within DURATION])");
			return false;
		}
		st->target = xstrdup(l->t[3].s);
		return true;
	}
	if (is(l, 2, "exec")) {
		st->kind = NSLAB_SCN_EXPECT_EXEC;
		n = parse_within(l, n, &st->duration_us);
		if (!n)
			return false;
		if (n < 5 || (!is(l, n - 1, "succeeds") && !is(l, n - 1, "fails"))) {
			err_at(l, n < 4 ? n : n - 1, "expected: expect NODE exec COMMAND... succeeds|fails [within DURATION]");
			return false;
		}
		st->want_success = is(l, n - 1, "succeeds");
		st->cmd = rest_of_line(l, 3, n - 1);
		return true;
	}
	err_at(l, 2, "expected 'reaches' or 'exec' after the node name ('%s')", l->n > 2 ? l->t[2].s : "");
	return false;
}

static bool parse_line(struct line *l, struct nslab_scn_step *st)
{
	const char *kw = l->t[0].s;

	if (strcmp(kw, "wait") == 0) {
		st->kind = NSLAB_SCN_WAIT;
		if (!duration_ok(l, 1, &st->duration_us))
			return false;
		if (l->n > 2) {
			err_at(l, 2, "unexpected '%s' after wait DURATION", l->t[2].s);
			return false;
		}
		return true;
	}
	if (strcmp(kw, "link") == 0 && is(l, 1, "add"))
		return parse_link_add(l, st);
	if (strcmp(kw, "link") == 0 && is(l, 1, "remove"))
		return parse_link_remove(l, st);
	if (strcmp(kw, "link") == 0) {
		st->kind = NSLAB_SCN_LINK;
		return parse_link(l, st);
	}
	if (strcmp(kw, "exec") == 0) {
		st->kind = NSLAB_SCN_EXEC;
		if (!node_ok(l, 1))
			return false;
		if (l->n < 3) {
			err_at(l, 2, "exec needs a command");
			return false;
		}
		st->node = xstrdup(l->t[1].s);
		st->cmd = rest_of_line(l, 2, SIZE_MAX);
		return true;
	}
	if (strcmp(kw, "expect") == 0)
		return parse_expect(l, st);
	err_at(l, 0, "unknown statement '%s' (wait, link, exec, expect)", kw);
	return false;
}

static void step_free(struct nslab_scn_step *st)
{
	free(st->text);
	free(st->node);
	free(st->target);
	free(st->cmd);
	free(st->a);
	free(st->b);
	nslab_link_new_free(&st->add);
}

void nslab_scn_free(struct nslab_scn *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->nsteps; i++)
		step_free(&s->steps[i]);
	free(s->steps);
	free(s->file);
	free(s);
}

int nslab_scn_parse_buf(const char *file, const char *buf, size_t len, struct nslab_scn **out,
			struct nslab_diags *diags)
{
	struct nslab_scn *s = xcalloc(1, sizeof(*s));
	struct line *l = xcalloc(1, sizeof(*l));
	size_t nerr0 = diags->nerrors, off = 0;
	unsigned lineno = 0;

	*out = NULL;
	s->file = xstrdup(file);
	l->file = s->file;
	l->d = diags;
	while (off < len) {
		const char *nl = memchr(buf + off, '\n', len - off);
		size_t ll = nl ? (size_t)(nl - (buf + off)) : len - off;
		_cleanup_free_ char *text = NULL;
		struct nslab_scn_step st = { 0 };

		lineno++;
		if (ll && buf[off + ll - 1] == '\r')
			ll--;
		text = xstrndup(buf + off, ll);
		off += (nl ? (size_t)(nl - (buf + off)) + 1 : len - off);
		l->lineno = lineno;
		l->text = text;
		l->too_long = false;
		if (strlen(text) != ll) {
			struct nslab_pos p = { s->file, lineno, (unsigned)strlen(text) + 1 };
			nslab_diag_add(diags, NSLAB_DIAG_ERROR, &p, "NUL byte in the line");
			continue;
		}
		tokenize(l);
		if (l->too_long) {
			struct nslab_pos p = { s->file, lineno, 1 };
			nslab_diag_add(diags, NSLAB_DIAG_ERROR, &p, "line too long (%d words, %zu bytes at most)",
				       MAX_TOKENS, sizeof(l->buf));
			continue;
		}
		if (!l->n)
			continue;
		st.pos = pos_at(l, 0);
		if (!parse_line(l, &st)) {
			step_free(&st);
			continue;
		}
		st.text = rest_of_line(l, 0, l->n);
		if (st.kind == NSLAB_SCN_EXEC) {
			free(st.text);
			st.text = rest_of_line(l, 0, SIZE_MAX); /* the whole command, comments included */
		}
		*VEC_PUSH(s->steps, s->nsteps) = st;
		if (nslab_scn_is_check(&st))
			s->nchecks++;
	}
	free(l);
	if (diags->nerrors > nerr0) {
		nslab_scn_free(s);
		return -EINVAL;
	}
	*out = s;
	return 0;
}

int nslab_scn_parse_file(const char *path, struct nslab_scn **out, struct nslab_diags *diags)
{
	_cleanup_free_ char *buf = NULL;
	size_t len = 0;
	int r;

	*out = NULL;
	r = nslab_read_file(path, &buf, &len);
	if (r < 0) {
		struct nslab_pos p = { path, 0, 0 };
		nslab_diag_add(diags, NSLAB_DIAG_ERROR, &p, "cannot read the scenario: %s", strerror(-r));
		return r;
	}
	return nslab_scn_parse_buf(path, buf, len, out, diags);
}

/* ---- running ---- */

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void sleep_s(double s)
{
	struct timespec ts;

	if (s <= 0)
		return;
	ts.tv_sec = (time_t)s;
	ts.tv_nsec = (long)((s - (double)ts.tv_sec) * 1e9);
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

double nslab_scn_now_s(void)
{
	return now_s();
}

void nslab_scn_sleep_s(double s)
{
	sleep_s(s);
}

/* Is node running in lab? A diag at st's position when not. */
static bool node_running(const char *lab, const char *node, const struct nslab_scn_step *st, struct nslab_diags *diags)
{
	struct nslab_err e = { 0 };
	char **env = NULL;
	int pidfd;

	if (nslab_lab_node_open(lab, node, &pidfd, &env, &e) < 0) {
		nslab_diag_add(diags, NSLAB_DIAG_ERROR, &st->pos, "%s", e.msg);
		return false;
	}
	close(pidfd);
	nslab_env_free(env);
	return true;
}

/* The nodes of ends a and b ("NODE:IF", b may be NULL) running. */
static bool ends_running(const char *lab, const char *a, const char *b, const struct nslab_scn_step *st,
			 struct nslab_diags *diags)
{
	const char *ends[2] = { a, b };

	for (size_t i = 0; i < 2 && ends[i]; i++) {
		_cleanup_free_ char *node = xstrndup(ends[i], strcspn(ends[i], ":"));
		if (!node_running(lab, node, st, diags))
			return false;
	}
	return true;
}

/*
 * A link step against the lab as the steps before it leave it (sim: the lab's state, with the
 * links earlier add/remove steps make and take). Until one of those has run, a link action is
 * checked on the live lab (nslab_link_show: ends, peer, running nodes, namespaces).
 */
static void preflight_link(const char *lab, const struct nslab_scn_step *st, struct nslab_lab_state *sim,
			   bool *changed, struct nslab_diags *diags)
{
	struct nslab_err e = { 0 };
	const struct nslab_st_iface *si;
	_cleanup_free_ char *peer = NULL, *node = NULL;

	switch (st->kind) {
	case NSLAB_SCN_LINK:
		if (!*changed) {
			struct nslab_link_sel sel = { st->a, st->b, st->only };
			json_t *j = nslab_link_show(lab, &sel, &e);
			if (!j)
				nslab_diag_add(diags, NSLAB_DIAG_ERROR, &st->pos, "%s", e.msg);
			json_decref(j);
		} else if (nslab_state_link_check_end(sim, st->a, st->b, &e) < 0) {
			nslab_diag_add(diags, NSLAB_DIAG_ERROR, &st->pos, "%s (after the steps before this one)", e.msg);
		} else {
			ends_running(lab, st->a, st->b, st, diags);
		}
		return;
	case NSLAB_SCN_LINK_ADD:
		if (nslab_state_link_check_new(sim, &st->add, &e) < 0) {
			nslab_diag_add(diags, NSLAB_DIAG_ERROR, &st->pos, "%s", e.msg);
			return;
		}
		if (ends_running(lab, st->a, st->b, st, diags))
			nslab_state_link_add(sim, &st->add, (int[2]){ 0, 0 });
		*changed = true;
		return;
	case NSLAB_SCN_LINK_REMOVE:
		if (nslab_state_link_check_end(sim, st->a, st->b, &e) < 0) {
			nslab_diag_add(diags, NSLAB_DIAG_ERROR, &st->pos, "%s", e.msg);
			return;
		}
		node = xstrndup(st->a, strcspn(st->a, ":"));
		si = nslab_state_iface(nslab_state_node(sim, node), st->a + strlen(node) + 1);
		peer = xstrdup(si->peer);
		if (ends_running(lab, st->a, NULL, st, diags))
			nslab_state_link_remove(sim, st->a, peer);
		*changed = true;
		return;
	case NSLAB_SCN_WAIT:
	case NSLAB_SCN_EXEC:
	case NSLAB_SCN_EXPECT_REACH:
	case NSLAB_SCN_EXPECT_EXEC:
	case NSLAB_SCN_EXPECT_LOSS:
	case NSLAB_SCN_EXPECT_CONVERGED:
		return;
	}
}

int nslab_scn_preflight(const struct nslab_scn *s, const char *lab, struct nslab_diags *diags,
			struct nslab_err *err)
{
	_cleanup_free_ char *state = NULL;
	struct nslab_lab_state sim = { 0 };
	size_t nerr0 = diags->nerrors;
	bool changed = false;
	int r;

	if (!nslab_name_valid(lab))
		return nslab_err_set(err, EINVAL, "'%s' is not a valid lab name", lab);
	state = nslab_lab_path(lab, "state.json");
	if (access(state, F_OK) < 0)
		return nslab_err_set(err, ENOENT, "lab %s is not deployed", lab);
	r = nslab_state_read(lab, &sim, err);
	if (r < 0)
		return r;
	for (size_t i = 0; i < s->nsteps; i++) {
		const struct nslab_scn_step *st = &s->steps[i];
		if (st->node)
			node_running(lab, st->node, st, diags);
		preflight_link(lab, st, &sim, &changed, diags);
	}
	nslab_state_free(&sim);
	return diags->nerrors > nerr0 ? -EINVAL : 0;
}

/* Run a command with sh -c in the node; *status its exit status, *output the tail of what it printed. */
int nslab_scn_run_in(const char *lab, const char *node, const char *cmd, int *status, char **output,
		  struct nslab_err *err)
{
	char *argv[] = { (char *)"/bin/sh", (char *)"-c", (char *)cmd, NULL };
	char **env = NULL;
	int pidfd, r, fd;

	*output = NULL;
	r = nslab_lab_node_open(lab, node, &pidfd, &env, err);
	if (r < 0)
		return r;
	fd = memfd_create("nslab-scenario", MFD_CLOEXEC);
	if (fd < 0) {
		r = nslab_err_sys(err, errno, "memfd_create");
		goto out;
	}
	r = nslab_node_run(pidfd, argv, env, fd, status, err);
	if (r >= 0) {
		off_t len = lseek(fd, 0, SEEK_END);
		size_t keep = len > 2000 ? 2000 : (size_t)(len > 0 ? len : 0);
		char *buf = xcalloc(1, keep + 1);
		if (pread(fd, buf, keep, len - (off_t)keep) < 0)
			buf[0] = 0;
		*output = buf;
	}
	close(fd);
out:
	close(pidfd);
	nslab_env_free(env);
	return r;
}

static bool do_link(const char *lab, const struct nslab_scn_step *st, char **detail)
{
	struct nslab_link_req req = {
		.action = st->link_op,
		.sel = { st->a, st->b, st->only },
		.change = st->change,
		.every_us = st->every_us,
		.times = st->times,
	};
	struct nslab_link_stats stats = { 0 };
	struct nslab_err err = { 0 };

	if (nslab_link_run(lab, &req, &stats, NULL, &err) < 0) {
		*detail = xstrdup(err.msg);
		return false;
	}
	*detail = xasprintf("took %.3f ms (netlink %.3f ms)", stats.total_ms, stats.kernel_ms);
	return true;
}

/* link add / link remove */
static bool do_link_topo(const char *lab, const struct nslab_scn_step *st, char **detail)
{
	struct nslab_link_sel sel = { st->a, st->b, false };
	struct nslab_err err = { 0 };
	double t0 = now_s();
	_cleanup_json_ json_t *j = NULL;
	int r = st->kind == NSLAB_SCN_LINK_ADD ? nslab_link_add(lab, &st->add, NULL, &err)
					       : nslab_link_remove(lab, &sel, &j, &err);
	json_t *warn = json_array_get(json_object_get(j, "warnings"), 0);

	if (r < 0) {
		*detail = xstrdup(err.msg);
		return false;
	}
	*detail = xasprintf("took %.3f ms%s%s", (now_s() - t0) * 1e3, warn ? "; warning: " : "",
			    warn ? json_string_value(warn) : "");
	return true;
}

static bool do_reach(const char *lab, const struct nslab_scn_step *st, char **detail)
{
	_cleanup_free_ char *q = nslab_shell_quote(st->target);
	_cleanup_free_ char *cmd = xasprintf("ping -c 1 -W 1 %s", q);
	double deadline = now_s() + (double)st->duration_us / 1e6;
	struct nslab_err err = { 0 };
	unsigned tries = 0;

	for (;;) {
		double t = now_s();
		char *out = NULL;
		int status = -1;
		tries++;
		if (nslab_scn_run_in(lab, st->node, cmd, &status, &out, &err) < 0) {
			*detail = xstrdup(err.msg);
			return false;
		}
		if (status == 0) {
			free(out);
			*detail = xasprintf("reached after %u ping%s", tries, tries > 1 ? "s" : "");
			return true;
		}
		if (now_s() >= deadline) {
			*detail = xasprintf("no reply from %s within %.1fs (%u pings); last: %s", st->target,
					    (double)st->duration_us / 1e6, tries, out ? out : "");
			free(out);
			return false;
		}
		free(out);
		/* ping -W 1 waits up to a second; otherwise try again every 100 ms */
		sleep_s(0.1 - (now_s() - t));
	}
}

static bool do_exec_check(const char *lab, const struct nslab_scn_step *st, char **detail)
{
	double deadline = now_s() + (double)st->duration_us / 1e6;
	struct nslab_err err = { 0 };

	for (;;) {
		char *out = NULL;
		int status = -1;
		bool ok;
		if (nslab_scn_run_in(lab, st->node, st->cmd, &status, &out, &err) < 0) {
			*detail = xstrdup(err.msg);
			return false;
		}
		ok = (status == 0) == st->want_success;
		if (ok || now_s() >= deadline) {
			*detail = xasprintf("exit status %d%s%s", status, out && *out ? "; output: " : "", out ? out : "");
			free(out);
			return ok;
		}
		free(out);
		sleep_s(0.1);
	}
}

static bool do_loss(const char *lab, const struct nslab_scn_step *st, char **detail)
{
	_cleanup_free_ char *q = nslab_shell_quote(st->target);
	_cleanup_free_ char *cmd = xasprintf("ping -q -n -c %u -i 0.01 -W 1 %s", st->count, q);
	struct nslab_err err = { 0 };
	unsigned long sent = 0, recv = 0;
	char *out = NULL, *p;
	int status = -1;
	double loss;

	if (nslab_scn_run_in(lab, st->node, cmd, &status, &out, &err) < 0) {
		*detail = xstrdup(err.msg);
		return false;
	}
	/* "N packets transmitted, M received, ..." at the start of its line */
	p = out ? strstr(out, " packets transmitted, ") : NULL;
	while (p && p > out && p[-1] != '\n')
		p--;
	if (!p || sscanf(p, "%lu packets transmitted, %lu", &sent, &recv) < 2 || !sent) {
		*detail = xasprintf("could not read ping's summary (exit %d): %s", status, out ? out : "");
		free(out);
		return false;
	}
	free(out);
	loss = 100.0 * (double)(sent - (recv > sent ? sent : recv)) / (double)sent;
	*detail = xasprintf("loss %.2f%% (%lu of %lu lost), limit %g%%", loss, sent - (recv > sent ? sent : recv), sent,
			    st->max_loss_pct);
	return loss < st->max_loss_pct;
}

size_t nslab_scn_run(const struct nslab_scn *s, const char *lab, const struct nslab_scn_run_opts *o)
{
	double t0 = now_s();
	bool stopped = false;
	size_t failed = 0;

	for (size_t i = 0; i < s->nsteps; i++) {
		const struct nslab_scn_step *st = &s->steps[i];
		struct nslab_scn_result r = { 0 };
		struct nslab_err err = { 0 };
		int status = 0;
		char *out = NULL;
		double conv_at = 0;

		r.start_s = now_s() - t0;
		if (stopped) {
			r.skipped = true;
			r.ok = false;
			r.detail = xstrdup("not run: an earlier action failed");
		} else {
			switch (st->kind) {
			case NSLAB_SCN_WAIT:
				sleep_s((double)st->duration_us / 1e6);
				r.ok = true;
				break;
			case NSLAB_SCN_LINK:
				r.ok = do_link(lab, st, &r.detail);
				break;
			case NSLAB_SCN_LINK_ADD:
			case NSLAB_SCN_LINK_REMOVE:
				r.ok = do_link_topo(lab, st, &r.detail);
				break;
			case NSLAB_SCN_EXEC:
				if (nslab_scn_run_in(lab, st->node, st->cmd, &status, &out, &err) < 0) {
					r.detail = xstrdup(err.msg);
				} else {
					r.ok = status == 0;
					r.detail = xasprintf("exit status %d%s%s", status, out && *out ? "; output: " : "",
							     out ? out : "");
				}
				free(out);
				break;
			case NSLAB_SCN_EXPECT_REACH:
				r.ok = do_reach(lab, st, &r.detail);
				break;
			case NSLAB_SCN_EXPECT_EXEC:
				r.ok = do_exec_check(lab, st, &r.detail);
				break;
			case NSLAB_SCN_EXPECT_LOSS:
				r.ok = do_loss(lab, st, &r.detail);
				break;
			case NSLAB_SCN_EXPECT_CONVERGED:
				r.ok = nslab_converge_wait(lab, (double)st->duration_us / 1e6, &conv_at, &r.detail);
				break;
			}
			if (!r.ok) {
				failed++;
				if (!nslab_scn_is_check(st))
					stopped = true;
			}
		}
		r.duration_s = now_s() - t0 - r.start_s;
		if (r.ok && st->kind == NSLAB_SCN_EXPECT_CONVERGED)
			r.duration_s = conv_at; /* when it converged, not the end of the quiet period */
		if (o && o->on_step)
			o->on_step(o->ctx, st, &r);
		free(r.detail);
	}
	return failed;
}
