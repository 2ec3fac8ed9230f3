// SPDX-License-Identifier: GPL-2.0-or-later
/* topologies/lab_conf.c: reads Kathará lab folders (lab.conf, lab.dep, lab.ext and the files beside them) into the lab model, as Kathará's LabParser reads them. */
#include "topologies/lab_conf.h"
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

#define KC_DEV_NAME_MAX 30 /* Kathará: ^[a-z0-9_]{1,30}$ */
#define KC_IFACE_MAX 4095  /* ethN: far more than any lab; keeps the contiguity check small */
#define KC_MAX_ERRORS 200
#define KC_MIN_MEMORY (4ull << 20)

/* What every Kathará device gets from Docker (DockerMachine.create): a router (the router kind
 * turns forwarding on) without reverse-path filtering or ICMP rate limits, IPv6 off unless the
 * device asks for it. */
static const char *const kc_sysctls_common[][2] = {
	{ "net.ipv4.conf.all.rp_filter", "0" },
	{ "net.ipv4.conf.default.rp_filter", "0" },
	{ "net.ipv4.conf.lo.rp_filter", "0" },
	{ "net.ipv4.icmp_ratelimit", "0" },
};
static const char *const kc_sysctls_ipv6_on[][2] = {
	{ "net.ipv6.conf.all.disable_ipv6", "0" },
	{ "net.ipv6.conf.default.disable_ipv6", "0" },
	{ "net.ipv6.conf.all.accept_ra", "0" },
	{ "net.ipv6.icmp.ratelimit", "0" },
};
static const char *const kc_sysctls_ipv6_off[][2] = {
	{ "net.ipv6.conf.all.disable_ipv6", "1" },
	{ "net.ipv6.conf.default.disable_ipv6", "1" },
};

static const char *const kc_lab_metadata[] = {
	"LAB_NAME", "LAB_DESCRIPTION", "LAB_VERSION", "LAB_AUTHOR", "LAB_EMAIL", "LAB_WEB",
};

/* Kathará's own reserved device names. */
static const char *const kc_reserved[] = { "shared", "_test" };

/* The device options that hold one value (a second one replaces it, with a warning). */
enum kc_single {
	KC_S_IMAGE,
	KC_S_MEM,
	KC_S_CPUS,
	KC_S_IPV6,
	KC_S_SHELL,
	KC_S_BRIDGED,
	KC_S_NUM_TERMS,
	KC_S__COUNT,
	KC_S_NONE = -1, /* exec, sysctl, env, port: each line adds one */
};

struct kc_iface {
	unsigned num;
	size_t cd;
	bool has_mac;
	unsigned char mac[6];
	struct nslab_pos pos;
};

struct kc_dev {
	char *name;
	struct nslab_pos pos; /* first line naming it */
	struct kc_iface *ifs;
	size_t nifs;
	char **exec;
	size_t nexec;
	struct nslab_kv *env;
	size_t nenv;
	struct nslab_kv *sysctls;
	size_t nsysctls;
	struct nslab_kv *labels;
	size_t nlabels;
	int ipv6; /* -1 unset, 0, 1 */
	struct nslab_limits lim;
	unsigned single_line[KC_S__COUNT]; /* line of the last value of each single option, 0 = none */
	size_t dep_rank;		   /* 0 = not in lab.dep, else 1 + place in its start order */
};

struct kc_member {
	size_t dev, ifc; /* device index, index in its ifs */
};

struct kc_cd {
	char *name;
	struct nslab_pos pos; /* first line naming it */
	struct kc_member *m;
	size_t nm;
};

struct kc_ld {
	struct nslab_diags *d;
	const char *file; /* lab.conf as named in diagnostics; model positions point here */
	const char *dir;  /* the lab folder, or NULL (buffer only) */
	size_t start_errors;
	bool too_many;
	char *lab_name;
	struct kc_dev *devs;
	size_t ndevs;
	struct kc_cd *cds;
	size_t ncds;
	bool has_dep;
};

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

__attribute__((format(printf, 5, 6))) static void kc_err_in(struct kc_ld *ld, const char *file, unsigned line,
							    unsigned col, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	kc_vdiag(ld, NSLAB_DIAG_ERROR, file, line, col, fmt, ap);
	va_end(ap);
}

__attribute__((format(printf, 4, 5))) static void kc_err(struct kc_ld *ld, unsigned line, unsigned col,
							 const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	kc_vdiag(ld, NSLAB_DIAG_ERROR, ld->file, line, col, fmt, ap);
	va_end(ap);
}

__attribute__((format(printf, 5, 6))) static void kc_warn_in(struct kc_ld *ld, const char *file, unsigned line,
							     unsigned col, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	kc_vdiag(ld, NSLAB_DIAG_WARNING, file, line, col, fmt, ap);
	va_end(ap);
}

/* ---- small text helpers ---- */

static bool kc_word_char(char c)
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
static char *kc_strip(const char *s)
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
static bool kc_kv_set(struct nslab_kv **v, size_t *n, const char *key, const char *value, const struct nslab_pos *pos)
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
static void kc_line(struct kc_ld *ld, const char *raw, unsigned line)
{
	_cleanup_free_ char *s = kc_strip(raw);
	_cleanup_free_ char *name = NULL, *arg = NULL, *value = NULL;
	unsigned lead = (unsigned)(strspn(raw, " \t\r\v\f"));
	size_t nlen, alen, vlen;
	const char *p, *v, *q;
	char quote = 0;
	struct kc_dev *dv;

	if (!*s || s[0] == '#')
		return; /* Kathará refuses an indented comment; nslab takes it */
	nlen = strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_");
	if (nlen && s[nlen] == '[') {
		name = xstrndup(s, nlen);
		p = s + nlen + 1;
		alen = strspn(p, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_");
		if (!alen || p[alen] != ']' || p[alen + 1] != '=') {
			kc_err(ld, line, lead + (unsigned)(p - s) + 1,
			       "expected %s[N]=\"CD\" or %s[OPTION]=VALUE: the part in brackets is a number or an option name",
			       name, name);
			return;
		}
		arg = xstrndup(p, alen);
		v = p + alen + 2;
		if (*v == '"' || *v == '\'')
			quote = *v++;
		vlen = strcspn(v, "\"'");
		q = v + vlen;
		if (quote) {
			if (!*q) {
				kc_err(ld, line, lead + (unsigned)(q - s) + 1, "missing closing quote %c", quote);
				return;
			}
			if (*q != quote) {
				kc_err(ld, line, lead + (unsigned)(q - s) + 1, "a value cannot contain quotes (Kathará's syntax)");
				return;
			}
			q++;
			if (*q && !(kc_space(*q) && q[strspn(q, " \t\r\v\f")] == '#')) {
				kc_err(ld, line, lead + (unsigned)(q - s) + 1,
				       "unexpected text after the closing quote (a comment needs a space and #)");
				return;
			}
		} else if (*q) {
			kc_err(ld, line, lead + (unsigned)(q - s) + 1, "a value cannot contain quotes (Kathará's syntax)");
			return;
		}
		if (!vlen) {
			kc_err(ld, line, lead + (unsigned)(v - s) + 1, "empty value for %s[%s]", name, arg);
			return;
		}
		value = xstrndup(v, vlen);
		if (nlen > KC_DEV_NAME_MAX || strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789_") != nlen) {
			kc_err(ld, line, lead + 1,
			       "invalid device name \"%s\": 1-%d lowercase letters, digits and _ (Kathará's rule)", name,
			       KC_DEV_NAME_MAX);
			return;
		}
		for (size_t i = 0; i < ARRAY_SIZE(kc_reserved); i++) {
			if (!strcmp(name, kc_reserved[i])) {
				kc_err(ld, line, lead + 1, "\"%s\" is a reserved name (Kathará's), it cannot name a device", name);
				return;
			}
		}
		dv = kc_dev_get(ld, name, line, lead + 1);
		if (kc_is_digits(arg))
			kc_interface(ld, dv, arg, value, line, lead + (unsigned)(p - s) + 1, lead + (unsigned)(v - s) + 1);
		else
			kc_option(ld, dv, arg, value, line, lead + (unsigned)(p - s) + 1, lead + (unsigned)(v - s) + 1);
		return;
	}
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
		return;
	}
	kc_err(ld, line, lead + 1,
	       "syntax error: expected DEVICE[N]=\"CD\", DEVICE[OPTION]=VALUE, LAB_NAME=... (or another LAB_* line) or a # comment");
}

/* Calls fn on each line (without its '\n'); false when the text holds a NUL byte (reported). */
static bool kc_each_line(struct kc_ld *ld, const char *file, const char *buf, size_t len,
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

/* ---- lab.dep: start order ---- */

struct kc_dep {
	char *dev;
	char **deps;
	size_t ndeps;
	unsigned line;
};

struct kc_dep_ld {
	struct kc_ld *ld;
	const char *file;
	struct kc_dep *v;
	size_t n;
};

static struct kc_dep_ld *kc_dep_cur; /* kc_each_line's callback has no context of its own */

/* DEV: DEP1 DEP2 ... (Kathará: ^(\w+):\s?((\w+ ?)+)$ on the stripped line) */
static void kc_dep_line(struct kc_ld *ld, const char *raw, unsigned line)
{
	struct kc_dep_ld *dl = kc_dep_cur;
	_cleanup_free_ char *s = kc_strip(raw);
	size_t klen = strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_");
	const char *p = s + klen + 1;
	struct kc_dep *d;
	bool ok = klen && s[klen] == ':';

	if (!*s || s[0] == '#')
		return;
	if (ok) {
		if (*p == ' ' || *p == '\t')
			p++;
		ok = kc_word_char(*p);
		for (const char *c = p; ok && *c; c++)
			ok = kc_word_char(*c) || (*c == ' ' && kc_word_char(c[1]));
	}
	if (!ok) {
		kc_err_in(ld, dl->file, line, 0, "syntax error: expected DEVICE: DEVICE1 DEVICE2 ... (DEVICE starts after those)");
		return;
	}
	d = VEC_PUSH(dl->v, dl->n);
	d->dev = xstrndup(s, klen);
	d->line = line;
	for (const char *c = p; *c;) {
		size_t wl = strspn(c, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_");

		*VEC_PUSH(d->deps, d->ndeps) = xstrndup(c, wl);
		c += wl;
		c += *c == ' ';
	}
}

static ssize_t kc_dev_index(const struct kc_ld *ld, const char *name)
{
	for (size_t i = 0; i < ld->ndevs; i++)
		if (!strcmp(ld->devs[i].name, name))
			return (ssize_t)i;
	return -1;
}

static const struct kc_dep *kc_dep_find(const struct kc_dep_ld *dl, const char *dev)
{
	const struct kc_dep *found = NULL;

	for (size_t i = 0; i < dl->n; i++)
		if (!strcmp(dl->v[i].dev, dev))
			found = &dl->v[i]; /* a later line replaces an earlier one, as in Kathará's dict */
	return found;
}

/* Depth first: a device's dependencies are ranked before it. false on a loop (reported). */
static bool kc_dep_visit(struct kc_dep_ld *dl, const char *dev, char ***stack, size_t *nstack, char ***order,
			 size_t *norder)
{
	const struct kc_dep *d;

	for (size_t i = 0; i < *norder; i++)
		if (!strcmp((*order)[i], dev))
			return true;
	for (size_t i = 0; i < *nstack; i++) {
		if (!strcmp((*stack)[i], dev)) {
			char msg[512] = "";
			size_t n = 0;

			for (size_t j = i; j < *nstack && n < sizeof(msg); j++)
				n += (size_t)snprintf(msg + n, sizeof(msg) - n, "%s -> ", (*stack)[j]);
			d = kc_dep_find(dl, (*stack)[i]);
			kc_err_in(dl->ld, dl->file, d ? d->line : 0, 0, "dependency loop: %s%s", msg, dev);
			return false;
		}
	}
	d = kc_dep_find(dl, dev);
	*VEC_PUSH(*stack, *nstack) = (char *)dev;
	for (size_t i = 0; d && i < d->ndeps; i++)
		if (!kc_dep_visit(dl, d->deps[i], stack, nstack, order, norder))
			return false;
	(*nstack)--;
	*VEC_PUSH(*order, *norder) = (char *)dev;
	return true;
}

static void kc_read_dep(struct kc_ld *ld, const char *file, const char *buf, size_t len)
{
	struct kc_dep_ld dl = { .ld = ld, .file = file };
	char **stack = NULL, **order = NULL;
	size_t nstack = 0, norder = 0;
	bool ok;

	kc_dep_cur = &dl;
	ok = kc_each_line(ld, file, buf, len, kc_dep_line);
	kc_dep_cur = NULL;
	if (ok && !dl.n) {
		kc_warn_in(ld, file, 0, 0, "lab.dep has no dependency: devices start in any order");
		ok = false;
	}
	for (size_t i = 0; ok && i < dl.n; i++)
		ok = kc_dep_visit(&dl, dl.v[i].dev, &stack, &nstack, &order, &norder);
	for (size_t i = 0; ok && i < dl.n; i++) {
		if (kc_dev_index(ld, dl.v[i].dev) < 0)
			kc_warn_in(ld, file, dl.v[i].line, 0, "%s is not a device of lab.conf: ignored", dl.v[i].dev);
		for (size_t j = 0; j < dl.v[i].ndeps; j++)
			if (kc_dev_index(ld, dl.v[i].deps[j]) < 0)
				kc_warn_in(ld, file, dl.v[i].line, 0, "%s is not a device of lab.conf: ignored",
					   dl.v[i].deps[j]);
	}
	if (ok) {
		ld->has_dep = true;
		for (size_t i = 0; i < norder; i++) {
			ssize_t di = kc_dev_index(ld, order[i]);

			if (di >= 0)
				ld->devs[di].dep_rank = i + 1;
		}
	}
	free(stack);
	free(order);
	for (size_t i = 0; i < dl.n; i++) {
		free(dl.v[i].dev);
		for (size_t j = 0; j < dl.v[i].ndeps; j++)
			free(dl.v[i].deps[j]);
		free(dl.v[i].deps);
	}
	free(dl.v);
}

/* ---- building the model ---- */

static bool kc_isdir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static bool kc_isfile(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/*
 * Where the systemctl/service shims live (scripts/kathara/bin in the source tree,
 * PREFIX/lib/nslab/kathara/bin once installed), found beside the nslab binary, or
 * NSLAB_KATHARA_SHIMS. NULL when there is none (or no binary, as in unit tests).
 */
static char *kc_shim_dir(void)
{
	static const char *const rel[] = { "../lib/nslab/kathara/bin", "../scripts/kathara/bin" };
	const char *env = getenv("NSLAB_KATHARA_SHIMS");
	char exe[PATH_MAX];
	ssize_t n;
	char *slash;

	if (env && *env)
		return kc_isdir(env) ? xstrdup(env) : NULL;
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0)
		return NULL;
	exe[n] = '\0';
	slash = strrchr(exe, '/');
	if (!slash)
		return NULL;
	*slash = '\0';
	for (size_t i = 0; i < ARRAY_SIZE(rel); i++) {
		_cleanup_free_ char *p = xasprintf("%s/%s/systemctl", exe, rel[i]);
		char real[PATH_MAX];

		if (access(p, X_OK) == 0 && realpath(p, real)) {
			*strrchr(real, '/') = '\0';
			return xstrdup(real);
		}
	}
	return NULL;
}

static void kc_sysctls_add(struct nslab_node *n, const char *const (*kv)[2], size_t count, const struct nslab_pos *pos)
{
	for (size_t i = 0; i < count; i++)
		kc_kv_set(&n->sysctls, &n->nsysctls, kv[i][0], kv[i][1], pos);
}

static void kc_kvs_copy(struct nslab_kv **out, size_t *nout, const struct nslab_kv *in, size_t nin)
{
	for (size_t i = 0; i < nin; i++)
		kc_kv_set(out, nout, in[i].key, in[i].value, &in[i].pos);
}

/* The node of a device: a router as Kathará makes every device, its files and scripts. */
static void kc_build_device(struct kc_ld *ld, struct kc_dev *dv, struct nslab_node *n, const char *shims)
{
	n->name = xstrdup(dv->name);
	n->kind = NSLAB_KIND_ROUTER;
	n->pos = dv->pos;
	n->limits = dv->lim;
	kc_sysctls_add(n, kc_sysctls_common, ARRAY_SIZE(kc_sysctls_common), &dv->pos);
	if (dv->ipv6 == 1)
		kc_sysctls_add(n, kc_sysctls_ipv6_on, ARRAY_SIZE(kc_sysctls_ipv6_on), &dv->pos);
	else
		kc_sysctls_add(n, kc_sysctls_ipv6_off, ARRAY_SIZE(kc_sysctls_ipv6_off), &dv->pos);
	kc_kvs_copy(&n->sysctls, &n->nsysctls, dv->sysctls, dv->nsysctls);
	kc_kvs_copy(&n->env, &n->nenv, dv->env, dv->nenv);
	kc_kvs_copy(&n->labels, &n->nlabels, dv->labels, dv->nlabels);

	/* Kathará's start: shared.startup, then DEVICE.startup, with bash; then the exec options. */
	for (int pass = 0; ld->dir && pass < 2; pass++) {
		const char *who = pass == 0 ? "shared" : dv->name;
		_cleanup_free_ char *path = xasprintf("%s/%s.startup", ld->dir, who);

		if (kc_isfile(path)) {
			_cleanup_free_ char *q = nslab_shell_quote(path);

			*VEC_PUSH(n->exec, n->nexec) = xasprintf("bash %s", q);
		}
	}
	for (size_t i = 0; i < dv->nexec; i++)
		*VEC_PUSH(n->exec, n->nexec) = xstrdup(dv->exec[i]);
	/* ... and at destroy DEVICE.shutdown, then shared.shutdown. */
	for (int pass = 0; ld->dir && pass < 2; pass++) {
		const char *who = pass == 0 ? dv->name : "shared";
		_cleanup_free_ char *path = xasprintf("%s/%s.shutdown", ld->dir, who);

		if (kc_isfile(path)) {
			_cleanup_free_ char *q = nslab_shell_quote(path);

			*VEC_PUSH(n->shutdown, n->nshutdown) = xasprintf("bash %s", q);
		}
	}
	if (ld->dir) {
		/* nodes have their own root (core/rootfs.h): the lab's folder, where the startup files
		 * are, shown read-only at its own path, wherever it is (a private /tmp included) */
		struct nslab_bind *lb = VEC_PUSH(n->binds, n->nbinds);
		lb->src = xstrdup(ld->dir);
		lb->dst = xstrdup(ld->dir);
		lb->ro = true;
		lb->pos = dv->pos;
	}
	if (ld->dir) {
		_cleanup_free_ char *root = xasprintf("%s/%s", ld->dir, dv->name);
		_cleanup_free_ char *shared = xasprintf("%s/shared", ld->dir);

		if (kc_isdir(root)) {
			_cleanup_free_ char *quagga = xasprintf("%s/etc/quagga", root);
			_cleanup_free_ char *initd = shims ? xasprintf("%s/../init/quagga", shims) : NULL;
			char real[PATH_MAX];

			/* Quagga's init script, which startup files call, runs its configuration on FRR */
			if (initd && kc_isdir(quagga) && realpath(initd, real)) {
				struct nslab_bind *b = VEC_PUSH(n->binds, n->nbinds);

				b->src = xstrdup(real);
				b->dst = xstrdup("/etc/init.d/quagga");
				b->ro = true;
				b->pos = dv->pos;
			}
			n->root_copy = steal_ptr(root);
		}
		if (kc_isdir(shared)) {
			struct nslab_bind *b = VEC_PUSH(n->binds, n->nbinds);

			b->src = steal_ptr(shared);
			b->dst = xstrdup("/shared");
			b->pos = dv->pos;
		}
	}
	if (shims) {
		/* the shims first, so that systemctl and service in startup files start services the way a node
		 * can; a PATH of the device's own env wins */
		_cleanup_free_ char *path =
			xasprintf("%s:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", shims);
		bool own = false;

		for (size_t i = 0; i < n->nenv && !own; i++)
			own = !strcmp(n->env[i].key, "PATH");
		if (!own)
			kc_kv_set(&n->env, &n->nenv, "PATH", path, &dv->pos);
	}
	n->ifaces = xcalloc(dv->nifs ? dv->nifs : 1, sizeof(*n->ifaces));
	n->nifaces = dv->nifs;
	for (size_t i = 0; i < dv->nifs; i++) {
		const struct kc_iface *ki = &dv->ifs[i];
		struct nslab_iface *ifc = &n->ifaces[ki->num]; /* contiguous: checked before */

		ifc->name = xasprintf("eth%u", ki->num);
		ifc->ifindex = NSLAB_IFINDEX_FIRST + (int)ki->num;
		ifc->mtu = NSLAB_KATHARA_MTU;
		ifc->has_mac = ki->has_mac;
		memcpy(ifc->mac, ki->mac, 6);
		ifc->link = -1;
		ifc->pos = ki->pos;
	}
}

static struct nslab_iface *kc_bridge_port(struct nslab_node *br, const char *dev, unsigned num,
					  const struct nslab_pos *pos)
{
	struct nslab_iface *ifc = VEC_PUSH(br->ifaces, br->nifaces);
	_cleanup_free_ char *name = xasprintf("%s-eth%u", dev, num);

	/* named after the device's end when that fits, else by port number (no '-': no clash) */
	ifc->name = strlen(name) < NSLAB_IFNAMSIZ ? steal_ptr(name) : xasprintf("p%zu", br->nifaces);
	ifc->ifindex = br->br_ifindex + (int)br->nifaces;
	ifc->mtu = NSLAB_KATHARA_MTU;
	ifc->link = -1;
	ifc->pos = *pos;
	return ifc;
}

static void kc_link(struct nslab_topo *t, size_t n0, size_t i0, size_t n1, size_t i1, const struct nslab_pos *pos)
{
	struct nslab_link *l = VEC_PUSH(t->links, t->nlinks);

	l->ep[0] = (struct nslab_endpoint){ .node = n0, .iface = i0 };
	l->ep[1] = (struct nslab_endpoint){ .node = n1, .iface = i1 };
	l->mtu = NSLAB_KATHARA_MTU;
	l->pos = *pos;
	for (int e = 0; e < 2; e++) {
		struct nslab_iface *ifc = &t->nodes[l->ep[e].node].ifaces[l->ep[e].iface];

		ifc->link = (long)(t->nlinks - 1);
		ifc->end = e;
	}
}

static int kc_rank_cmp(const void *a, const void *b)
{
	const struct kc_dev *const *x = a, *const *y = b;

	if ((*x)->dep_rank != (*y)->dep_rank)
		return (*x)->dep_rank < (*y)->dep_rank ? -1 : 1;
	return *x < *y ? -1 : *x > *y; /* stable: lab.conf order */
}

static void kc_build(struct kc_ld *ld, struct nslab_topo *t)
{
	_cleanup_free_ char *shims = ld->dir ? kc_shim_dir() : NULL;
	_cleanup_free_ struct kc_dev **order = xcalloc(ld->ndevs + 1, sizeof(*order));
	_cleanup_free_ size_t *node_of = xcalloc(ld->ndevs + 1, sizeof(*node_of));
	size_t nbridges = 0;

	for (size_t i = 0; i < ld->ncds; i++)
		nbridges += ld->cds[i].nm != 2;
	t->nodes = xcalloc(ld->ndevs + nbridges + 1, sizeof(*t->nodes));
	/* Devices first, in lab.conf order, or as lab.dep orders them (Kathará: the others first). */
	for (size_t i = 0; i < ld->ndevs; i++)
		order[i] = &ld->devs[i];
	qsort(order, ld->ndevs, sizeof(*order), kc_rank_cmp);
	for (size_t i = 0; i < ld->ndevs; i++) {
		node_of[order[i] - ld->devs] = t->nnodes;
		kc_build_device(ld, order[i], &t->nodes[t->nnodes++], shims);
	}
	t->exec_in_order = ld->has_dep;
	if (!shims && ld->dir) {
		bool any = false;

		for (size_t i = 0; i < t->nnodes && !any; i++)
			any = t->nodes[i].nexec > 0;
		if (any)
			kc_warn_in(ld, ld->file, 0, 0,
				   "the systemctl/service shims were not found beside nslab (NSLAB_KATHARA_SHIMS): "
				   "startup files cannot start services with them");
	}

	/* Collision domains: two devices are a veth pair, any other number a bridge node. */
	for (size_t c = 0; c < ld->ncds; c++) {
		const struct kc_cd *cd = &ld->cds[c];
		struct nslab_node *br;
		size_t bi;

		if (cd->nm == 2) {
			const struct kc_member *m = cd->m;

			kc_link(t, node_of[m[0].dev], ld->devs[m[0].dev].ifs[m[0].ifc].num, node_of[m[1].dev],
				ld->devs[m[1].dev].ifs[m[1].ifc].num, &cd->pos);
			continue;
		}
		if (cd->nm > NSLAB_BRIDGE_MAX_PORTS) {
			kc_err(ld, cd->pos.line, cd->pos.col,
			       "collision domain %s has %zu devices: a Linux bridge takes at most %d ports", cd->name, cd->nm,
			       NSLAB_BRIDGE_MAX_PORTS);
			continue;
		}
		bi = t->nnodes++;
		br = &t->nodes[bi];
		br->name = nslab_labconf_bridge_name(cd->name);
		br->kind = NSLAB_KIND_BRIDGE;
		br->pos = cd->pos;
		br->br_ifindex = NSLAB_IFINDEX_FIRST;
		for (size_t j = 0; j < bi; j++) {
			if (t->nodes[j].kind == NSLAB_KIND_BRIDGE && !strcmp(t->nodes[j].name, br->name))
				kc_err(ld, cd->pos.line, cd->pos.col,
				       "collision domains %s and the one at line %u both become bridge node %s: rename one",
				       cd->name, t->nodes[j].pos.line, br->name);
		}
		for (size_t k = 0; k < cd->nm; k++) {
			const struct kc_dev *dv = &ld->devs[cd->m[k].dev];
			const struct kc_iface *ki = &dv->ifs[cd->m[k].ifc];

			kc_bridge_port(&t->nodes[bi], dv->name, ki->num, &ki->pos);
			kc_link(t, bi, t->nodes[bi].nifaces - 1, node_of[cd->m[k].dev], ki->num, &ki->pos);
		}
	}
}

/* Interfaces are numbered from 0 without gaps (Kathará's check_integrity). */
static void kc_check_ifaces(struct kc_ld *ld)
{
	for (size_t i = 0; i < ld->ndevs; i++) {
		const struct kc_dev *dv = &ld->devs[i];

		for (unsigned want = 0; want < dv->nifs; want++) {
			const struct kc_iface *above = NULL;
			bool have = false;

			for (size_t k = 0; k < dv->nifs && !have; k++) {
				have = dv->ifs[k].num == want;
				if (dv->ifs[k].num > want && (!above || dv->ifs[k].num < above->num))
					above = &dv->ifs[k];
			}
			if (!have && above) {
				kc_err(ld, above->pos.line, above->pos.col,
				       "%s has interface %u but no interface %u: interfaces are numbered from 0 without gaps",
				       dv->name, above->num, want);
				break;
			}
		}
	}
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
