// SPDX-License-Identifier: GPL-2.0-or-later
/* topologies/impair.c: the impairment parameter table, its one value parser and setter, merge and whole-set check. */
#include "topologies/impair.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "util/util.h"

#define IMP_FIELD(f) offsetof(struct nslab_impair, f)

const struct nslab_imp_param_info nslab_imp_params[NSLAB_IMPP__COUNT] = {
	[NSLAB_IMPP_DELAY] = { "delay", { NULL }, NSLAB_IU_DURATION, IMP_FIELD(delay_us), NSLAB_IMP_DELAY, -1,
			       "delay_us", NULL },
	[NSLAB_IMPP_JITTER] = { "jitter", { NULL }, NSLAB_IU_DURATION, IMP_FIELD(jitter_us), NSLAB_IMP_JITTER, -1,
				"jitter_us", NULL },
	[NSLAB_IMPP_JITTER_DIST] = { "jitter-distribution", { "dist", NULL }, NSLAB_IU_DIST, IMP_FIELD(jitter_dist),
				     NSLAB_IMP_JITTER, NSLAB_IMPP_JITTER, "jitter_distribution", NULL },
	[NSLAB_IMPP_LOSS] = { "loss", { NULL }, NSLAB_IU_PERCENT, IMP_FIELD(loss_pct), NSLAB_IMP_LOSS, -1, "loss_pct",
			      NULL },
	[NSLAB_IMPP_LOSS_CORR] = { "loss-correlation", { "loss-corr", NULL }, NSLAB_IU_PERCENT, IMP_FIELD(loss_corr_pct),
				   NSLAB_IMP_LOSS, NSLAB_IMPP_LOSS, "loss_correlation_pct", "correlation" },
	[NSLAB_IMPP_DUPLICATE] = { "duplicate", { "dup", NULL }, NSLAB_IU_PERCENT, IMP_FIELD(duplicate_pct),
				   NSLAB_IMP_DUPLICATE, -1, "duplicate_pct", NULL },
	[NSLAB_IMPP_REORDER] = { "reorder", { NULL }, NSLAB_IU_PERCENT, IMP_FIELD(reorder_pct), NSLAB_IMP_REORDER, -1,
				 "reorder_pct", NULL },
	[NSLAB_IMPP_REORDER_CORR] = { "reorder-correlation", { "reorder-corr", NULL }, NSLAB_IU_PERCENT,
				      IMP_FIELD(reorder_corr_pct), NSLAB_IMP_REORDER, NSLAB_IMPP_REORDER,
				      "reorder_correlation_pct", "correlation" },
	[NSLAB_IMPP_CORRUPT] = { "corrupt", { NULL }, NSLAB_IU_PERCENT, IMP_FIELD(corrupt_pct), NSLAB_IMP_CORRUPT, -1,
				 "corrupt_pct", NULL },
	[NSLAB_IMPP_RATE] = { "rate", { NULL }, NSLAB_IU_RATE, IMP_FIELD(rate_bps), NSLAB_IMP_RATE, -1, "rate_bps",
			      NULL },
	[NSLAB_IMPP_LIMIT] = { "limit", { NULL }, NSLAB_IU_PACKETS, IMP_FIELD(limit_pkts), NSLAB_IMP_LIMIT, -1,
			       "limit_pkts", NULL },
};

const char *const nslab_jitter_dist_names[NSLAB_DIST_PARETONORMAL + 1] = {
	[NSLAB_DIST_NONE] = "uniform",
	[NSLAB_DIST_NORMAL] = "normal",
	[NSLAB_DIST_PARETO] = "pareto",
	[NSLAB_DIST_PARETONORMAL] = "paretonormal",
};

int nslab_imp_param_find(const char *name)
{
	for (int p = 0; p < NSLAB_IMPP__COUNT; p++) {
		const struct nslab_imp_param_info *pi = &nslab_imp_params[p];

		if (!strcmp(pi->name, name))
			return p;
		for (size_t a = 0; a < ARRAY_SIZE(pi->aliases) && pi->aliases[a]; a++)
			if (!strcmp(pi->aliases[a], name))
				return p;
	}
	return -1;
}

const char *nslab_imp_param_list(void)
{
	static char list[NSLAB_IMP_MSG_MAX];

	if (!list[0]) {
		size_t len = 0;

		for (int p = 0; p < NSLAB_IMPP__COUNT; p++)
			len += (size_t)snprintf(list + len, sizeof(list) - len, "%s%s", p ? ", " : "",
						nslab_imp_params[p].name);
	}
	return list;
}

void *nslab_imp_field(struct nslab_impair *imp, enum nslab_imp_param p)
{
	return (char *)imp + nslab_imp_params[p].off;
}

const void *nslab_imp_field_const(const struct nslab_impair *imp, enum nslab_imp_param p)
{
	return (const char *)imp + nslab_imp_params[p].off;
}

/* Bytes of a field of unit u. */
static size_t imp_unit_size(enum nslab_imp_unit u)
{
	switch (u) {
	case NSLAB_IU_DURATION:
	case NSLAB_IU_RATE:
		return sizeof(unsigned long long);
	case NSLAB_IU_PERCENT:
		return sizeof(double);
	case NSLAB_IU_PACKETS:
		return sizeof(unsigned);
	case NSLAB_IU_DIST:
		return sizeof(enum nslab_jitter_dist);
	}
	return 0;
}

static void imp_copy(struct nslab_impair *dst, const struct nslab_impair *src, enum nslab_imp_param p)
{
	memcpy(nslab_imp_field(dst, p), nslab_imp_field_const(src, p), imp_unit_size(nslab_imp_params[p].unit));
}

/* True when p's value in imp is its zero (no correlation, the uniform distribution, ...). */
static bool imp_is_zero(const struct nslab_impair *imp, enum nslab_imp_param p)
{
	static const struct nslab_impair zero;

	if (nslab_imp_params[p].unit == NSLAB_IU_PERCENT)
		return *(const double *)nslab_imp_field_const(imp, p) == 0;
	return !memcmp(nslab_imp_field_const(imp, p), nslab_imp_field_const(&zero, p),
		       imp_unit_size(nslab_imp_params[p].unit));
}

/* ---- the one parser ---- */

static int imp_parse_duration(const char *name, const char *s, unsigned long long *us, char *msg, size_t size)
{
	size_t n = strlen(s);
	int ret = nslab_parse_duration_us(s, us);

	if (ret == 0 && *us <= NSLAB_IMP_MAX_DELAY_US)
		return 0;
	if (ret == -EINVAL && n > 1 && (s[n - 1] == 'm' || s[n - 1] == 'M') && s[n - 2] >= '0' && s[n - 2] <= '9')
		snprintf(msg, size, "bad %s \"%s\": 'm' is ambiguous, write ms (milliseconds) or s (seconds)", name, s);
	else if (ret == -EINVAL)
		snprintf(msg, size, "bad %s \"%s\": expected a duration like 20ms, 1.5s or 300us (a bare number is ms)",
			 name, s);
	else
		snprintf(msg, size, "%s must be at most 1 hour, got \"%s\"", name, s);
	return ret < 0 ? ret : -ERANGE;
}

static int imp_parse_percent(const char *name, const char *s, double *pct, char *msg, size_t size)
{
	int ret = nslab_parse_percent(s, pct);

	if (ret == -ERANGE)
		snprintf(msg, size, "%s must be at most 100%%, got \"%s\"", name, s);
	else if (ret < 0)
		snprintf(msg, size, "bad %s \"%s\": expected a percentage like 1.5%% or 0.1", name, s);
	return ret;
}

static int imp_parse_rate(const char *name, const char *s, unsigned long long *bps, char *msg, size_t size)
{
	int ret = nslab_parse_rate_bps(s, bps);

	if (ret == 0 && *bps >= 1 && *bps <= NSLAB_IMP_MAX_RATE_BPS)
		return 0;
	if (ret == -EINVAL)
		snprintf(msg, size,
			 "bad %s \"%s\": expected a rate like 10mbit, 512kbit or 1gbit (a bare number is bit/s; "
			 "bps is bytes per second, as in tc)",
			 name, s);
	else
		snprintf(msg, size, "%s must be from 1bit to 100gbit, got \"%s\"", name, s);
	return ret < 0 ? ret : -ERANGE;
}

static int imp_parse_packets(const char *name, const char *s, unsigned *n, char *msg, size_t size)
{
	unsigned long long v = 0;
	size_t i;

	for (i = 0; s[i] >= '0' && s[i] <= '9' && i < 12; i++)
		v = v * 10 + (unsigned long long)(s[i] - '0');
	if (i == 0 || s[i] || v < 1 || v > UINT32_MAX) {
		snprintf(msg, size, "%s (packets) must be an integer from 1 to %u, got \"%s\"", name, UINT32_MAX, s);
		return -EINVAL;
	}
	*n = (unsigned)v;
	return 0;
}

static int imp_parse_dist(const char *name, const char *s, enum nslab_jitter_dist *d, char *msg, size_t size)
{
	for (size_t i = 0; i < ARRAY_SIZE(nslab_jitter_dist_names); i++) {
		if (!strcmp(s, nslab_jitter_dist_names[i])) {
			*d = (enum nslab_jitter_dist)i;
			return 0;
		}
	}
	snprintf(msg, size, "%s must be uniform, normal, pareto or paretonormal, got \"%s\"", name, s);
	return -EINVAL;
}

int nslab_imp_param_parse(enum nslab_imp_param p, const char *s, struct nslab_impair *v, char *msg, size_t size)
{
	const struct nslab_imp_param_info *pi = &nslab_imp_params[p];
	void *f = nslab_imp_field(v, p);

	if (s[0] == '-' && pi->unit != NSLAB_IU_DIST && pi->unit != NSLAB_IU_PACKETS) {
		snprintf(msg, size, "%s must not be negative, got \"%s\"", pi->name, s);
		return -ERANGE;
	}
	switch (pi->unit) {
	case NSLAB_IU_DURATION:
		return imp_parse_duration(pi->name, s, f, msg, size);
	case NSLAB_IU_PERCENT:
		return imp_parse_percent(pi->name, s, f, msg, size);
	case NSLAB_IU_RATE:
		return imp_parse_rate(pi->name, s, f, msg, size);
	case NSLAB_IU_PACKETS:
		return imp_parse_packets(pi->name, s, f, msg, size);
	case NSLAB_IU_DIST:
		return imp_parse_dist(pi->name, s, f, msg, size);
	}
	return -EINVAL;
}

static char *imp_fmt_duration(unsigned long long us, char *buf, size_t size)
{
	if (us % 1000000 == 0 && us)
		snprintf(buf, size, "%llus", us / 1000000);
	else if (us % 1000 == 0)
		snprintf(buf, size, "%llums", us / 1000);
	else
		snprintf(buf, size, "%lluus", us);
	return buf;
}

static char *imp_fmt_rate(unsigned long long bps, char *buf, size_t size)
{
	if (bps % 1000000000ULL == 0)
		snprintf(buf, size, "%llugbit", bps / 1000000000ULL);
	else if (bps % 1000000ULL == 0)
		snprintf(buf, size, "%llumbit", bps / 1000000ULL);
	else if (bps % 1000ULL == 0)
		snprintf(buf, size, "%llukbit", bps / 1000ULL);
	else
		snprintf(buf, size, "%llubit", bps);
	return buf;
}

char *nslab_imp_param_format(enum nslab_imp_param p, const struct nslab_impair *imp, char *buf, size_t size)
{
	const void *f = nslab_imp_field_const(imp, p);
	unsigned d;

	switch (nslab_imp_params[p].unit) {
	case NSLAB_IU_DURATION:
		return imp_fmt_duration(*(const unsigned long long *)f, buf, size);
	case NSLAB_IU_RATE:
		return imp_fmt_rate(*(const unsigned long long *)f, buf, size);
	case NSLAB_IU_PERCENT:
		snprintf(buf, size, "%g%%", *(const double *)f);
		return buf;
	case NSLAB_IU_PACKETS:
		snprintf(buf, size, "%u", *(const unsigned *)f);
		return buf;
	case NSLAB_IU_DIST:
		d = (unsigned)*(const enum nslab_jitter_dist *)f;
		snprintf(buf, size, "%s", d < ARRAY_SIZE(nslab_jitter_dist_names) ? nslab_jitter_dist_names[d] : "?");
		return buf;
	}
	return buf;
}

/* ---- changes: the one setter ---- */

int nslab_impair_change_add(struct nslab_impair_change *c, const char *name, const char *value, char *msg,
			    size_t size)
{
	int p = nslab_imp_param_find(name);

	if (p < 0) {
		snprintf(msg, size, "unknown impairment '%s' (%s)", name, nslab_imp_param_list());
		return -ENOENT;
	}
	if (c->given & NSLAB_IMPP_BIT(p)) {
		snprintf(msg, size, "%s is given twice", nslab_imp_params[p].name);
		return -EEXIST;
	}
	if (!value || !*value) {
		snprintf(msg, size, "%s needs a value", nslab_imp_params[p].name);
		return -EINVAL;
	}
	int r = nslab_imp_param_parse((enum nslab_imp_param)p, value, &c->v, msg, size);
	if (r < 0)
		return r;
	c->given |= NSLAB_IMPP_BIT(p);
	return 0;
}

/* Is anything of base b's group (b or one of its companions) in given? */
static bool imp_group_given(unsigned given, int b)
{
	for (int p = 0; p < NSLAB_IMPP__COUNT; p++)
		if ((p == b || nslab_imp_params[p].base == b) && (given & NSLAB_IMPP_BIT(p)))
			return true;
	return false;
}

int nslab_impair_change_apply(struct nslab_impair *cur, const struct nslab_impair_change *c, char *msg, size_t size)
{
	struct nslab_impair upd = { 0 }, res = *cur;

	for (int b = 0; b < NSLAB_IMPP__COUNT; b++) {
		const struct nslab_imp_param_info *bi = &nslab_imp_params[b];
		bool stored = cur->mask & bi->field;

		if (bi->base >= 0 || !imp_group_given(c->given, b))
			continue;
		if (!(c->given & NSLAB_IMPP_BIT(b)) && !stored) {
			for (int p = b + 1; p < NSLAB_IMPP__COUNT; p++)
				if (nslab_imp_params[p].base == b && (c->given & NSLAB_IMPP_BIT(p)))
					snprintf(msg, size, "%s needs %s (none is set)", nslab_imp_params[p].name, bi->name);
			return -EINVAL;
		}
		imp_copy(&upd, c->given & NSLAB_IMPP_BIT(b) ? &c->v : cur, (enum nslab_imp_param)b);
		for (int p = b + 1; p < NSLAB_IMPP__COUNT; p++) {
			if (nslab_imp_params[p].base != b)
				continue;
			if (c->given & NSLAB_IMPP_BIT(p))
				imp_copy(&upd, &c->v, (enum nslab_imp_param)p);
			else if (stored)
				imp_copy(&upd, cur, (enum nslab_imp_param)p);
		}
		upd.mask |= bi->field;
	}
	nslab_impair_merge(&res, &upd);
	if (nslab_impair_check(&res, msg, size) < 0)
		return -EINVAL;
	*cur = res;
	return 0;
}

/* ---- merge and check ---- */

void nslab_impair_merge(struct nslab_impair *a, const struct nslab_impair *b)
{
	for (int p = 0; p < NSLAB_IMPP__COUNT; p++)
		if (b->mask & nslab_imp_params[p].field)
			imp_copy(a, b, (enum nslab_imp_param)p);
	a->mask |= b->mask;
}

/* The range of p's value in imp (the parser's limits, for sets that did not come through it). */
static bool imp_in_range(const struct nslab_impair *imp, enum nslab_imp_param p, char *msg, size_t size)
{
	const struct nslab_imp_param_info *pi = &nslab_imp_params[p];
	const void *f = nslab_imp_field_const(imp, p);
	double pct;

	switch (pi->unit) {
	case NSLAB_IU_DURATION:
		if (*(const unsigned long long *)f <= NSLAB_IMP_MAX_DELAY_US)
			return true;
		snprintf(msg, size, "%s must be at most 1 hour", pi->name);
		return false;
	case NSLAB_IU_PERCENT:
		pct = *(const double *)f;
		if (pct >= 0 && pct <= 100) /* false for NaN too */
			return true;
		snprintf(msg, size, "%s must be from 0 to 100%%", pi->name);
		return false;
	case NSLAB_IU_RATE:
		if (*(const unsigned long long *)f >= 1 && *(const unsigned long long *)f <= NSLAB_IMP_MAX_RATE_BPS)
			return true;
		snprintf(msg, size, "%s must be from 1bit to 100gbit", pi->name);
		return false;
	case NSLAB_IU_PACKETS:
		if (*(const unsigned *)f >= 1)
			return true;
		snprintf(msg, size, "%s must be at least 1 packet", pi->name);
		return false;
	case NSLAB_IU_DIST:
		if ((unsigned)*(const enum nslab_jitter_dist *)f <= NSLAB_DIST_PARETONORMAL)
			return true;
		snprintf(msg, size, "unknown %s", pi->name);
		return false;
	}
	return true;
}

int nslab_impair_check(const struct nslab_impair *imp, char *msg, size_t size)
{
	unsigned m = imp->mask;

	for (int p = 0; p < NSLAB_IMPP__COUNT; p++) {
		const struct nslab_imp_param_info *pi = &nslab_imp_params[p];

		/* a distribution is checked even unset: it indexes a table */
		if (((m & pi->field) || pi->unit == NSLAB_IU_DIST) &&
		    !imp_in_range(imp, (enum nslab_imp_param)p, msg, size))
			return -EINVAL;
	}
	if ((m & NSLAB_IMP_REORDER) && (!(m & NSLAB_IMP_DELAY) || imp->delay_us == 0)) {
		snprintf(msg, size, "reorder needs a delay above 0: netem reorders by sending some packets at once "
				    "while the others wait the delay");
		return -EINVAL;
	}
	if ((m & NSLAB_IMP_JITTER) && !(m & NSLAB_IMP_DELAY)) {
		snprintf(msg, size, "jitter needs delay: jitter varies the delay");
		return -EINVAL;
	}
	for (int p = 0; p < NSLAB_IMPP__COUNT; p++) {
		const struct nslab_imp_param_info *pi = &nslab_imp_params[p];

		if (pi->base >= 0 && !(m & pi->field) && !imp_is_zero(imp, (enum nslab_imp_param)p)) {
			snprintf(msg, size, "%s needs %s", pi->name, nslab_imp_params[pi->base].name);
			return -EINVAL;
		}
	}
	return 0;
}
