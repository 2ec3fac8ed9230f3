// SPDX-License-Identifier: GPL-2.0-or-later
/* topologies/lab_conf.c: reads Kathará lab folders (lab.conf, lab.dep, lab.ext and the files beside them) into the lab model, as Kathará's LabParser reads them. */
#include "topologies/lab_conf_int.h"
#include "util/util.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *const kc_lab_metadata[] = {
	"LAB_NAME", "LAB_DESCRIPTION", "LAB_VERSION", "LAB_AUTHOR", "LAB_EMAIL", "LAB_WEB",
};

/* Kathará's own reserved device names. */
static const char *const kc_reserved[] = { "shared", "_test" };

/* ---- diagnostics ---- */

static bool kc_full(struct kc_ld *ld)
{
	if (ld->d->nerrors - ld->start_errors < KC_MAX_ERRORS)
		return false;
	if (!ld->too_many) {
		struct nslab_pos pos = { .file = ld->file };

		ld->too_many = true;
		nslab_diag_add(ld->d, NSLAB_DIAG_ERROR, &pos, "too many errors: only the first %d are shown", KC_MAX_ERRORS);
	}
	return true;
}

static void kc_vdiag(struct kc_ld *ld, enum nslab_severity sev, const char *file, unsigned line, unsigned col,
		     const char *fmt, va_list ap)
{
	struct nslab_pos pos = { .file = file, .line = line, .col = col };
	_cleanup_free_ char *msg = NULL;

	if (sev == NSLAB_DIAG_ERROR && kc_full(ld))
		return;
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	nslab_diag_add(ld->d, sev, &pos, "%s", msg ? msg : "(out of memory formatting a message)");
}

__attribute__((format(printf, 5, 6))) void kc_err_in(struct kc_ld *ld, const char *file, unsigned line,
							    unsigned col, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	kc_vdiag(ld, NSLAB_DIAG_ERROR, file, line, col, fmt, ap);
	va_end(ap);
}

__attribute__((format(printf, 4, 5))) void kc_err(struct kc_ld *ld, unsigned line, unsigned col,
							 const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	kc_vdiag(ld, NSLAB_DIAG_ERROR, ld->file, line, col, fmt, ap);
	va_end(ap);
}

__attribute__((format(printf, 5, 6))) void kc_warn_in(struct kc_ld *ld, const char *file, unsigned line,
							     unsigned col, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	kc_vdiag(ld, NSLAB_DIAG_WARNING, file, line, col, fmt, ap);
	va_end(ap);
}

/* ---- small text helpers ---- */

bool kc_word_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

/* Python's \w+ over ASCII. */
static bool kc_is_word(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!kc_word_char(*s))
			return false;
	return true;
}

static bool kc_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

static bool kc_is_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

/* The value with leading and trailing white space removed (malloc'd). */
char *kc_strip(const char *s)
{
	const char *e;

	while (kc_space(*s))
		s++;
	e = s + strlen(s);
	while (e > s && kc_space(e[-1]))
		e--;
	return xstrndup(s, (size_t)(e - s));
}

/* Python's strtobool: y yes t true on 1 / n no f false off 0, any case. 1, 0 or -1. */
static int kc_bool(const char *s)
{
	static const char *const yes[] = { "y", "yes", "t", "true", "on", "1" };
	static const char *const no[] = { "n", "no", "f", "false", "off", "0" };

	for (size_t i = 0; i < ARRAY_SIZE(yes); i++)
		if (!strcasecmp(s, yes[i]))
			return 1;
	for (size_t i = 0; i < ARRAY_SIZE(no); i++)
		if (!strcasecmp(s, no[i]))
			return 0;
	return -1;
}

char *nslab_labconf_lab_name(const char *s)
{
	char buf[NSLAB_NAME_MAX + 1];
	size_t n = 0;

	while (*s == '-')
		s++;
	for (; *s && n < NSLAB_NAME_MAX; s++)
		buf[n++] = kc_word_char(*s) || *s == '-' ? *s : '_';
	buf[n] = '\0';
	return xstrdup(n ? buf : "lab");
}

char *nslab_labconf_bridge_name(const char *cd)
{
	uint32_t h = 2166136261u; /* FNV-1a */

	if (strlen(cd) <= NSLAB_IFNAMSIZ - 1 - 3)
		return xasprintf("cd-%s", cd);
	for (const char *c = cd; *c; c++)
		h = (h ^ (unsigned char)*c) * 16777619u;
	return xasprintf("cd-%.7s-%04x", cd, (unsigned)((h >> 16) ^ (h & 0xffff)));
}

/* ---- devices and collision domains ---- */

static struct kc_dev *kc_dev_get(struct kc_ld *ld, const char *name, unsigned line, unsigned col)
{
	struct kc_dev *dv;

	for (size_t i = 0; i < ld->ndevs; i++)
		if (!strcmp(ld->devs[i].name, name))
			return &ld->devs[i];
	dv = VEC_PUSH(ld->devs, ld->ndevs);
	dv->name = xstrdup(name);
	dv->pos = (struct nslab_pos){ .file = ld->file, .line = line, .col = col };
	dv->ipv6 = -1;
	return dv;
}

static size_t kc_cd_get(struct kc_ld *ld, const char *name, unsigned line, unsigned col)
{
	struct kc_cd *cd;

	for (size_t i = 0; i < ld->ncds; i++)
		if (!strcmp(ld->cds[i].name, name))
			return i;
	cd = VEC_PUSH(ld->cds, ld->ncds);
	cd->name = xstrdup(name);
	cd->pos = (struct nslab_pos){ .file = ld->file, .line = line, .col = col };
	return ld->ncds - 1;
}

/* The later value of a key replaces the earlier one (Kathará keeps the last); true when it did. */
bool kc_kv_set(struct nslab_kv **v, size_t *n, const char *key, const char *value, const struct nslab_pos *pos)
{
	for (size_t i = 0; i < *n; i++) {
		if (!strcmp((*v)[i].key, key)) {
			free((*v)[i].value);
			(*v)[i].value = xstrdup(value);
			(*v)[i].pos = *pos;
			return true;
		}
	}
	*VEC_PUSH(*v, *n) = (struct nslab_kv){ .key = xstrdup(key), .value = xstrdup(value), .pos = *pos };
	return false;
}

/* DEV[N]="CD" or "CD/MAC" */
static void kc_interface(struct kc_ld *ld, struct kc_dev *dv, const char *arg, const char *value, unsigned line,
			 unsigned acol, unsigned vcol)
{
	_cleanup_free_ char *copy = xstrdup(value);
	char *parts[3] = { NULL, NULL, NULL }, *save = NULL;
	unsigned long num;
	struct kc_iface *ifc;
	size_t nparts = 0, cdi;

	errno = 0;
	num = strtoul(arg, NULL, 10);
	if (errno || num > KC_IFACE_MAX) {
		kc_err(ld, line, acol, "interface number %s of %s is too large (at most %d)",
		       arg, dv->name, KC_IFACE_MAX);
		return;
	}
	/* Kathará's parse_cd_mac_address: split on '/', empty parts dropped, exactly two when any. */
	for (char *p = strtok_r(copy, "/", &save); p; p = strtok_r(NULL, "/", &save)) {
		if (nparts < ARRAY_SIZE(parts))
			parts[nparts] = p;
		nparts++;
	}
	if (strchr(value, '/') && nparts != 2) {
		kc_err(ld, line, vcol, "invalid interface definition \"%s\": write \"CD\" or \"CD/MAC\"", value);
		return;
	}
	if (!nparts || !kc_is_word(parts[0])) {
		kc_err(ld, line, vcol,
		       "collision domain \"%s\" contains characters other than letters, digits and _", parts[0] ? parts[0] : value);
		return;
	}
	for (size_t i = 0; i < dv->nifs; i++) {
		if (dv->ifs[i].num == num) {
			kc_err(ld, line, vcol, "interface %lu (eth%lu) of %s is already set at line %u", num, num, dv->name,
			       dv->ifs[i].pos.line);
			return;
		}
		if (!strcmp(ld->cds[dv->ifs[i].cd].name, parts[0])) {
			kc_err(ld, line, vcol, "%s is already connected to collision domain %s (eth%u, line %u)", dv->name,
			       parts[0], dv->ifs[i].num, dv->ifs[i].pos.line);
			return;
		}
	}
	ifc = VEC_PUSH(dv->ifs, dv->nifs);
	ifc->num = (unsigned)num;
	ifc->pos = (struct nslab_pos){ .file = ld->file, .line = line, .col = vcol };
	if (nparts == 2) {
		if (nslab_mac_parse(parts[1], ifc->mac) < 0) {
			kc_err(ld, line, vcol + (unsigned)(parts[1] - copy),
			       "invalid MAC address \"%s\" of %s eth%lu: six hex bytes aa:bb:cc:dd:ee:ff, unicast, not all zero",
			       parts[1], dv->name, num);
			dv->nifs--;
			return;
		}
		ifc->has_mac = true;
	}
	cdi = kc_cd_get(ld, parts[0], line, vcol);
	ifc->cd = cdi;
	*VEC_PUSH(ld->cds[cdi].m, ld->cds[cdi].nm) = (struct kc_member){ .dev = (size_t)(dv - ld->devs),
									  .ifc = dv->nifs - 1 };
}

/* ---- device options: DEV[OPTION]=VALUE, one setter each ---- */

struct kc_opt_ctx {
	struct kc_ld *ld;
	struct kc_dev *dv;
	const char *opt, *value;
	unsigned line, col; /* of the value */
	unsigned acol;	    /* of the option's name */
};

typedef void kc_opt_fn(const struct kc_opt_ctx *c);

static struct nslab_pos kc_ctx_pos(const struct kc_opt_ctx *c)
{
	return (struct nslab_pos){ .file = c->ld->file, .line = c->line, .col = c->col };
}

static void kc_opt_label(const struct kc_opt_ctx *c)
{
	struct nslab_pos pos = kc_ctx_pos(c);

	kc_kv_set(&c->dv->labels, &c->dv->nlabels, c->opt, c->value, &pos);
}

static void kc_opt_exec(const struct kc_opt_ctx *c)
{
	*VEC_PUSH(c->dv->exec, c->dv->nexec) = xstrdup(c->value);
}

/* KEY=VALUE, one '=', VALUE stripped (Kathará's regexes allow no space in KEY). */
static bool kc_split_kv(const char *value, char **key, char **val)
{
	const char *eq = strchr(value, '=');

	if (!eq || strchr(eq + 1, '='))
		return false;
	*key = xstrndup(value, (size_t)(eq - value));
	*val = kc_strip(eq + 1);
	return true;
}

static void kc_opt_sysctl(const struct kc_opt_ctx *c)
{
	_cleanup_free_ char *key = NULL, *val = NULL;
	struct nslab_pos pos = kc_ctx_pos(c);
	bool ok;

	/* ^net\.([\w-]+\.)+[\w-]+=[^=]*$ */
	ok = kc_split_kv(c->value, &key, &val) && !strncmp(key, "net.", 4) && strchr(key + 4, '.') &&
	     key[strlen(key) - 1] != '.';
	for (const char *k = key ? key + 4 : NULL; ok && *k; k++)
		ok = kc_word_char(*k) || *k == '-' || (*k == '.' && k[1] != '.');
	if (!ok) {
		kc_err(c->ld, c->line, c->col,
		       "invalid sysctl \"%s\" of %s: write KEY=VALUE with a key in the net. namespace (net.ipv4.ip_forward=1)",
		       c->value, c->dv->name);
		return;
	}
	if (kc_kv_set(&c->dv->sysctls, &c->dv->nsysctls, key, val, &pos))
		kc_warn_in(c->ld, c->ld->file, c->line, c->col, "%s: sysctl %s set again: the value at this line wins",
			   c->dv->name, key);
}

static void kc_opt_env(const struct kc_opt_ctx *c)
{
	_cleanup_free_ char *key = NULL, *val = NULL;
	struct nslab_pos pos = kc_ctx_pos(c);

	if (!kc_split_kv(c->value, &key, &val) || !kc_is_word(key)) {
		kc_err(c->ld, c->line, c->col, "invalid env \"%s\" of %s: write NAME=VALUE (NAME of letters, digits, _; no = in VALUE)",
		       c->value, c->dv->name);
		return;
	}
	if (kc_kv_set(&c->dv->env, &c->dv->nenv, key, val, &pos))
		kc_warn_in(c->ld, c->ld->file, c->line, c->col, "%s: env %s set again: the value at this line wins",
			   c->dv->name, key);
}

/* Kathará's get_mem(): a bare number is MB; else a number and b, k, m or g (docker's binary units). */
static void kc_opt_mem(const struct kc_opt_ctx *c)
{
	const char *s = c->value;
	size_t n = strlen(s);
	unsigned long long mult = 1ull << 20, v;
	char unit = n ? (char)(s[n - 1] | 0x20) : 0;
	_cleanup_free_ char *digits = NULL;
	char *end;

	if (unit == 'b' || unit == 'k' || unit == 'm' || unit == 'g') {
		mult = unit == 'b' ? 1 : unit == 'k' ? 1ull << 10 : unit == 'm' ? 1ull << 20 : 1ull << 30;
		n--;
	}
	digits = xstrndup(s, n);
	errno = 0;
	v = strtoull(digits, &end, 10);
	if (!kc_is_digits(digits) || errno || *end || v > ULLONG_MAX / mult) {
		kc_err(c->ld, c->line, c->col, "invalid mem \"%s\" of %s: a number of MB (512), or with b, k, m or g (1g)",
		       s, c->dv->name);
		return;
	}
	if (v * mult < KC_MIN_MEMORY) {
		kc_err(c->ld, c->line, c->col, "mem \"%s\" of %s is below 4m, too little to run anything", s, c->dv->name);
		return;
	}
	c->dv->lim.memory_bytes = v * mult;
}

static void kc_opt_cpus(const struct kc_opt_ctx *c)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(c->value, &end);
	if (errno || end == c->value || *end || !(v > 0) || v > 4096) {
		kc_err(c->ld, c->line, c->col, "invalid cpus \"%s\" of %s: a number of CPUs above 0 (0.5 is half of one)",
		       c->value, c->dv->name);
		return;
	}
	c->dv->lim.cpu = v;
}

static void kc_opt_ipv6(const struct kc_opt_ctx *c)
{
	int b = kc_bool(c->value);

	if (b < 0) {
		kc_err(c->ld, c->line, c->col, "invalid ipv6 \"%s\" of %s: true or false", c->value, c->dv->name);
		return;
	}
	c->dv->ipv6 = b;
	c->dv->ipv6_pos = kc_ctx_pos(c);
}

static void kc_opt_docker(const struct kc_opt_ctx *c)
{
	kc_warn_in(c->ld, c->ld->file, c->line, c->acol,
		   "%s[%s] is ignored: it needs Docker (nslab nodes have no terminal windows and no connection to the host's network)",
		   c->dv->name, c->opt);
}

struct kc_opt {
	const char *name;
	enum kc_single single;
	kc_opt_fn *set;
};

static const struct kc_opt kc_opts[] = {
	{ "image", KC_S_IMAGE, kc_opt_label },	 /* kept as a label: nodes run the host's programs */
	{ "exec", KC_S_NONE, kc_opt_exec },
	{ "sysctl", KC_S_NONE, kc_opt_sysctl },
	{ "env", KC_S_NONE, kc_opt_env },
	{ "mem", KC_S_MEM, kc_opt_mem },
	{ "cpus", KC_S_CPUS, kc_opt_cpus },
	{ "ipv6", KC_S_IPV6, kc_opt_ipv6 },
	{ "shell", KC_S_SHELL, kc_opt_label },
	{ "port", KC_S_NONE, kc_opt_docker },
	{ "bridged", KC_S_BRIDGED, kc_opt_docker },
	{ "num_terms", KC_S_NUM_TERMS, kc_opt_docker },
};

static void kc_option(struct kc_ld *ld, struct kc_dev *dv, const char *opt, const char *value, unsigned line,
		      unsigned acol, unsigned vcol)
{
	const struct kc_opt *o = NULL;
	struct kc_opt_ctx c = { .ld = ld, .dv = dv, .opt = opt, .value = value, .line = line, .col = vcol, .acol = acol };

	for (size_t i = 0; i < ARRAY_SIZE(kc_opts) && !o; i++)
		if (!strcmp(kc_opts[i].name, opt))
			o = &kc_opts[i];
	if (!o) {
		kc_warn_in(ld, ld->file, line, acol,
			   "unknown device option %s[%s]: ignored (Kathará knows image, exec, sysctl, env, mem, cpus, ipv6, "
			   "shell, port, bridged, num_terms)",
			   dv->name, opt);
		return;
	}
	if (o->single != KC_S_NONE) {
		if (dv->single_line[o->single])
			kc_warn_in(ld, ld->file, line, acol, "%s[%s] is set again (first at line %u): this value wins",
				   dv->name, opt, dv->single_line[o->single]);
		dv->single_line[o->single] = line;
	}
	o->set(&c);
}

/* ---- lines ---- */

/*
 * One lab.conf line, as Kathará's LabParser reads it: the stripped line against
 *   ^([a-z0-9_]{1,30})\[(\w+)\]=(["']?)([^"']+)\3(\s+#.*)?$
 * then, when that fails, a comment, a blank line or LAB_*=VALUE at the start of the raw line.
 * Where Kathará only says "syntax error", the messages say what is wrong.
 */
/* The parts of DEV[ARG]=VALUE on a stripped line s (raw columns are lead + offset + 1). */
struct kc_assign {
	char *name, *arg, *value;
	unsigned arg_col, value_col;
};

static void kc_assign_free(struct kc_assign *a)
{
	free(a->name);
	free(a->arg);
	free(a->value);
}

/* The value after '=' at v: quoted or not, no quote inside, only a comment after it. */
static bool kc_parse_value(struct kc_ld *ld, const char *s, const char *v, unsigned lead, unsigned line,
			   struct kc_assign *a)
{
	char quote = 0;
	size_t vlen;
	const char *q;

	if (*v == '"' || *v == '\'')
		quote = *v++;
	vlen = strcspn(v, "\"'");
	q = v + vlen;
	if (quote) {
		if (!*q) {
			kc_err(ld, line, lead + (unsigned)(q - s) + 1, "missing closing quote %c", quote);
			return false;
		}
		if (*q != quote) {
			kc_err(ld, line, lead + (unsigned)(q - s) + 1, "a value cannot contain quotes (Kathará's syntax)");
			return false;
		}
		q++;
		if (*q && !(kc_space(*q) && q[strspn(q, " \t\r\v\f")] == '#')) {
			kc_err(ld, line, lead + (unsigned)(q - s) + 1,
			       "unexpected text after the closing quote (a comment needs a space and #)");
			return false;
		}
	} else if (*q) {
		kc_err(ld, line, lead + (unsigned)(q - s) + 1, "a value cannot contain quotes (Kathará's syntax)");
		return false;
	}
	if (!vlen) {
		kc_err(ld, line, lead + (unsigned)(v - s) + 1, "empty value for %s[%s]", a->name, a->arg);
		return false;
	}
	a->value = xstrndup(v, vlen);
	a->value_col = lead + (unsigned)(v - s) + 1;
	return true;
}

/* DEV[ARG]=VALUE split into its parts; false (reported) when it is malformed. */
static bool kc_parse_assign(struct kc_ld *ld, const char *s, size_t nlen, unsigned lead, unsigned line,
			    struct kc_assign *a)
{
	const char *p = s + nlen + 1;
	size_t alen = strspn(p, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_");

	a->name = xstrndup(s, nlen);
	if (!alen || p[alen] != ']' || p[alen + 1] != '=') {
		kc_err(ld, line, lead + (unsigned)(p - s) + 1,
		       "expected %s[N]=\"CD\" or %s[OPTION]=VALUE: the part in brackets is a number or an option name",
		       a->name, a->name);
		return false;
	}
	a->arg = xstrndup(p, alen);
	a->arg_col = lead + (unsigned)(p - s) + 1;
	return kc_parse_value(ld, s, p + alen + 2, lead, line, a);
}

/* A device line: DEV[N]="CD" or DEV[OPTION]=VALUE. */
static void kc_device_line(struct kc_ld *ld, const char *s, size_t nlen, unsigned lead, unsigned line)
{
	__attribute__((cleanup(kc_assign_free))) struct kc_assign a = { 0 };
	struct kc_dev *dv;

	if (!kc_parse_assign(ld, s, nlen, lead, line, &a))
		return;
	if (nlen > KC_DEV_NAME_MAX || strspn(a.name, "abcdefghijklmnopqrstuvwxyz0123456789_") != nlen) {
		kc_err(ld, line, lead + 1, "invalid device name \"%s\": 1-%d lowercase letters, digits and _ (Kathará's rule)",
		       a.name, KC_DEV_NAME_MAX);
		return;
	}
	for (size_t i = 0; i < ARRAY_SIZE(kc_reserved); i++) {
		if (!strcmp(a.name, kc_reserved[i])) {
			kc_err(ld, line, lead + 1, "\"%s\" is a reserved name (Kathará's), it cannot name a device", a.name);
			return;
		}
	}
	dv = kc_dev_get(ld, a.name, line, lead + 1);
	if (kc_is_digits(a.arg))
		kc_interface(ld, dv, a.arg, a.value, line, a.arg_col, a.value_col);
	else
		kc_option(ld, dv, a.arg, a.value, line, a.arg_col, a.value_col);
}

/* LAB_*=VALUE at the start of the raw line; false when the line is not one. */
static bool kc_meta_line(struct kc_ld *ld, const char *raw, unsigned line)
{
	for (size_t i = 0; i < ARRAY_SIZE(kc_lab_metadata); i++) {
		size_t kl = strlen(kc_lab_metadata[i]);
		_cleanup_free_ char *val = NULL;
		char *o = NULL;

		if (strncmp(raw, kc_lab_metadata[i], kl) || raw[kl] != '=')
			continue;
		/* Kathará drops every quote of the value, then strips it. */
		val = xstrdup(raw + kl + 1);
		o = val;
		for (char *c = val; *c; c++)
			if (*c != '"' && *c != '\'')
				*o++ = *c;
		*o = '\0';
		if (i == 0) {
			_cleanup_free_ char *n = kc_strip(val);

			free(ld->lab_name);
			ld->lab_name = nslab_labconf_lab_name(n);
			if (strcmp(ld->lab_name, n))
				kc_warn_in(ld, ld->file, line, (unsigned)kl + 2,
					   "LAB_NAME \"%s\" is not a valid lab name: the lab is named %s", n, ld->lab_name);
		}
		return true;
	}
	return false;
}

static void kc_line(struct kc_ld *ld, const char *raw, unsigned line)
{
	_cleanup_free_ char *s = kc_strip(raw);
	unsigned lead = (unsigned)(strspn(raw, " \t\r\v\f"));
	size_t nlen;

	if (!*s || s[0] == '#')
		return; /* Kathará refuses an indented comment; nslab takes it */
	nlen = strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_");
	if (nlen && s[nlen] == '[') {
		kc_device_line(ld, s, nlen, lead, line);
		return;
	}
	if (kc_meta_line(ld, raw, line))
		return;
	kc_err(ld, line, lead + 1,
	       "syntax error: expected DEVICE[N]=\"CD\", DEVICE[OPTION]=VALUE, LAB_NAME=... (or another LAB_* line) or a # comment");
}

/* Calls fn on each line (without its '\n'); false when the text holds a NUL byte (reported). */
bool kc_each_line(struct kc_ld *ld, const char *file, const char *buf, size_t len,
			 void (*fn)(struct kc_ld *ld, const char *line, unsigned lineno))
{
	const char *nul = memchr(buf, '\0', len);
	unsigned lineno = 1;

	if (nul) {
		unsigned l = 1;

		for (const char *c = buf; c < nul; c++)
			l += *c == '\n';
		kc_err_in(ld, file, l, 0, "NUL byte in the file (at byte %zu): not a text file", (size_t)(nul - buf));
		return false;
	}
	for (size_t off = 0; off < len && !ld->too_many; lineno++) {
		const char *nl = memchr(buf + off, '\n', len - off);
		size_t n = nl ? (size_t)(nl - (buf + off)) : len - off;
		_cleanup_free_ char *l = xstrndup(buf + off, n);

		fn(ld, l, lineno);
		off += n + 1;
	}
	return true;
}

static void kc_ld_free(struct kc_ld *ld)
{
	free(ld->lab_name);
	for (size_t i = 0; i < ld->ndevs; i++) {
		struct kc_dev *dv = &ld->devs[i];

		free(dv->name);
		free(dv->ifs);
		for (size_t k = 0; k < dv->nexec; k++)
			free(dv->exec[k]);
		free(dv->exec);
		for (size_t k = 0; k < dv->nenv; k++)
			free(dv->env[k].key), free(dv->env[k].value);
		free(dv->env);
		for (size_t k = 0; k < dv->nsysctls; k++)
			free(dv->sysctls[k].key), free(dv->sysctls[k].value);
		free(dv->sysctls);
		for (size_t k = 0; k < dv->nlabels; k++)
			free(dv->labels[k].key), free(dv->labels[k].value);
		free(dv->labels);
	}
	free(ld->devs);
	for (size_t i = 0; i < ld->ncds; i++) {
		free(ld->cds[i].name);
		free(ld->cds[i].m);
	}
	free(ld->cds);
}

static int kc_finish(struct kc_ld *ld, struct nslab_topo *t, struct nslab_topo **out)
{
	if (ld->d->nerrors != ld->start_errors || !out) {
		nslab_topo_free(t);
		return ld->d->nerrors != ld->start_errors ? -EINVAL : 0;
	}
	*out = t;
	return 0;
}

static int kc_load(const char *file, const char *conf, size_t conf_len, const char *dep_file, const char *dep,
		   size_t dep_len, const char *dir, struct nslab_topo **out, struct nslab_diags *d)
{
	struct nslab_topo *t = xcalloc(1, sizeof(*t));
	struct kc_ld ld = { .d = d, .dir = dir, .start_errors = d->nerrors };
	size_t start = d->n;
	if (out)
		*out = NULL;
	t->file = xstrdup(file ? file : "lab.conf");
	ld.file = t->file;
	if (!conf_len) {
		/* Kathará: "lab.conf file is empty." */
		kc_err(&ld, 0, 0, "lab.conf is empty: a lab needs at least one DEVICE[N]=\"CD\" line");
	} else if (kc_each_line(&ld, ld.file, conf, conf_len, kc_line)) {
		if (!ld.ndevs && ld.d->nerrors == ld.start_errors)
			kc_err(&ld, 0, 0, "lab.conf defines no device: a lab needs at least one DEVICE[N]=\"CD\" line");
		kc_check_ifaces(&ld);
		if (dep)
			kc_read_dep(&ld, dep_file ? dep_file : "lab.dep", dep, dep_len);
	}
	if (ld.lab_name) {
		t->name = steal_ptr(ld.lab_name);
	} else if (dir) {
		char real[PATH_MAX];
		const char *base;

		if (!realpath(dir, real))
			nslab_strlcpy(real, dir, sizeof(real));
		base = strrchr(real, '/');
		t->name = nslab_labconf_lab_name(base && base[1] ? base + 1 : real);
	} else {
		t->name = xstrdup("lab");
	}
	if (ld.d->nerrors == ld.start_errors)
		kc_build(&ld, t);
	kc_ld_free(&ld);
	nslab_diags_sort(d, start);
	return kc_finish(&ld, t, out);
}

int nslab_labconf_load_buf(const char *file, const char *conf, size_t conf_len, const char *dep, size_t dep_len,
			   const char *dir, struct nslab_topo **out, struct nslab_diags *diags)
{
	struct nslab_diags local = { 0 };
	int ret = kc_load(file, conf ? conf : "", conf ? conf_len : 0, "lab.dep", dep, dep_len, dir, out,
			  diags ? diags : &local);

	nslab_diags_free(&local);
	return ret;
}

bool nslab_labconf_is_lab(const char *path)
{
	_cleanup_free_ char *conf = xasprintf("%s/lab.conf", path);
	const char *base = strrchr(path, '/');

	if (kc_isdir(path))
		return kc_isfile(conf);
	return !strcmp(base ? base + 1 : path, "lab.conf");
}

/* lab.ext attaches collision domains to host NICs: never in nslab, one warning per line. */
static void kc_ext_line(struct kc_ld *ld, const char *raw, unsigned line)
{
	_cleanup_free_ char *s = kc_strip(raw);

	if (!*s || s[0] == '#')
		return;
	kc_warn_in(ld, ld->file, line, 1,
		   "ignored: lab.ext connects a collision domain to a host network interface, and nslab labs never touch the "
		   "host's network");
}

int nslab_labconf_load(const char *path, struct nslab_topo **out, struct nslab_diags *diags)
{
	const char *base = strrchr(path, '/');
	_cleanup_free_ char *parent = NULL;

	if (kc_isdir(path))
		return nslab_labconf_load_dir(path, out, diags);
	/* DIR/lab.conf: the folder it is in (what state.json records as the lab's file) */
	parent = base ? xstrndup(path, (size_t)(base - path)) : xstrdup(".");
	return nslab_labconf_load_dir(*parent ? parent : "/", out, diags);
}

int nslab_labconf_load_dir(const char *dir, struct nslab_topo **out, struct nslab_diags *diags)
{
	struct nslab_diags local = { 0 };
	struct nslab_diags *d = diags ? diags : &local;
	_cleanup_free_ char *conf_path = xasprintf("%s/lab.conf", dir);
	_cleanup_free_ char *dep_path = xasprintf("%s/lab.dep", dir);
	_cleanup_free_ char *ext_path = xasprintf("%s/lab.ext", dir);
	_cleanup_free_ char *conf = NULL, *dep = NULL, *ext = NULL;
	_cleanup_free_ char *absdir = realpath(dir, NULL);
	size_t conf_len = 0, dep_len = 0, ext_len = 0;
	int ret;

	if (out)
		*out = NULL;
	ret = nslab_read_file(conf_path, &conf, &conf_len);
	if (ret < 0) {
		struct nslab_pos pos = { .file = conf_path };

		nslab_diag_add(d, NSLAB_DIAG_ERROR, &pos, "cannot read %s: %s", conf_path, strerror(-ret));
		nslab_diags_free(&local);
		return ret;
	}
	if (kc_isfile(dep_path) && (ret = nslab_read_file(dep_path, &dep, &dep_len)) < 0) {
		struct nslab_pos pos = { .file = dep_path };

		nslab_diag_add(d, NSLAB_DIAG_ERROR, &pos, "cannot read %s: %s", dep_path, strerror(-ret));
		nslab_diags_free(&local);
		return ret;
	}
	if (kc_isfile(ext_path) && nslab_read_file(ext_path, &ext, &ext_len) == 0) {
		struct kc_ld ld = { .d = d, .file = ext_path, .start_errors = d->nerrors };

		kc_each_line(&ld, ext_path, ext, ext_len, kc_ext_line);
	}
	/* Absolute, so that startup scripts and the node's files are found from inside a node. */
	ret = kc_load(conf_path, conf, conf_len, dep_path, dep, dep_len, absdir ? absdir : dir, out, d);
	nslab_diags_free(&local);
	return ret;
}
