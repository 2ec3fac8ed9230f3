// SPDX-License-Identifier: GPL-2.0-or-later
/* core/impair.c: the one place a model impairment becomes netem / tbf requests, words and JSON. */
#include "impair.h"

#include <stdio.h>
#include <string.h>

#include "../util/util.h"

bool nslab_impair_needs_netem(const struct nslab_impair *imp)
{
	return (imp->mask & NSLAB_IMP_NETEM_ONLY) != 0;
}

static int nl_dist(enum nslab_jitter_dist d)
{
	switch (d) {
	case NSLAB_DIST_NORMAL:
		return NSLAB_NL_DIST_NORMAL;
	case NSLAB_DIST_PARETO:
		return NSLAB_NL_DIST_PARETO;
	case NSLAB_DIST_PARETONORMAL:
		return NSLAB_NL_DIST_PARETONORMAL;
	case NSLAB_DIST_NONE:
		break;
	}
	return NSLAB_NL_DIST_NONE;
}

void nslab_impair_build(struct nslab_nlb *b, int ifindex, unsigned mtu, const struct nslab_impair *imp,
			const char *what)
{
	unsigned m = imp->mask;

	if (nslab_impair_needs_netem(imp)) {
		struct nslab_nl_netem ne = {
			.delay_us = m & NSLAB_IMP_DELAY ? imp->delay_us : 0,
			.jitter_us = m & NSLAB_IMP_JITTER ? imp->jitter_us : 0,
			.dist = m & NSLAB_IMP_JITTER ? nl_dist(imp->jitter_dist) : NSLAB_NL_DIST_NONE,
			.loss_pct = m & NSLAB_IMP_LOSS ? imp->loss_pct : 0,
			.loss_corr_pct = m & NSLAB_IMP_LOSS ? imp->loss_corr_pct : 0,
			.duplicate_pct = m & NSLAB_IMP_DUPLICATE ? imp->duplicate_pct : 0,
			.reorder_pct = m & NSLAB_IMP_REORDER ? imp->reorder_pct : 0,
			.reorder_corr_pct = m & NSLAB_IMP_REORDER ? imp->reorder_corr_pct : 0,
			.corrupt_pct = m & NSLAB_IMP_CORRUPT ? imp->corrupt_pct : 0,
			.rate_bps = m & NSLAB_IMP_RATE ? imp->rate_bps : 0,
			.limit_pkts = m & NSLAB_IMP_LIMIT ? imp->limit_pkts : 0,
		};
		nslab_nlb_qdisc_netem(b, ifindex, &ne, what);
	} else if (m & NSLAB_IMP_RATE) {
		nslab_nlb_qdisc_tbf(b, ifindex, imp->rate_bps, m & NSLAB_IMP_LIMIT ? imp->limit_pkts : 0, mtu, what);
	} else if (m & NSLAB_IMP_LIMIT) {
		/* a queue limit alone: netem with nothing but its limit would need sch_netem; tbf needs a
		 * rate. A very high tbf rate gives the queue without shaping. */
		nslab_nlb_qdisc_tbf(b, ifindex, 100000000000ULL, imp->limit_pkts, mtu, what);
	} else {
		nslab_nlb_qdisc_del_root(b, ifindex, what);
	}
}

static void add(char **s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void add(char **s, const char *fmt, ...)
{
	char buf[128];
	va_list ap;
	char *n;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	n = xasprintf("%s%s%s", *s ? *s : "", *s ? ", " : "", buf);
	free(*s);
	*s = n;
}

static const char *dur(unsigned long long us, char *buf, size_t size)
{
	if (us % 1000000 == 0 && us)
		snprintf(buf, size, "%llus", us / 1000000);
	else if (us % 1000 == 0)
		snprintf(buf, size, "%llums", us / 1000);
	else
		snprintf(buf, size, "%lluus", us);
	return buf;
}

static const char *rate(unsigned long long bps, char *buf, size_t size)
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

char *nslab_impair_describe(const struct nslab_impair *imp)
{
	static const char *const dists[] = { "", " normal", " pareto", " paretonormal" };
	unsigned m = imp->mask;
	char *s = NULL, a[32], b[32];

	if (m & NSLAB_IMP_DELAY)
		add(&s, "delay %s", dur(imp->delay_us, a, sizeof(a)));
	if (m & NSLAB_IMP_JITTER)
		add(&s, "jitter %s%s", dur(imp->jitter_us, b, sizeof(b)),
		    imp->jitter_dist < ARRAY_SIZE(dists) ? dists[imp->jitter_dist] : "");
	if (m & NSLAB_IMP_LOSS) {
		if (imp->loss_corr_pct > 0)
			add(&s, "loss %g%% (correlation %g%%)", imp->loss_pct, imp->loss_corr_pct);
		else
			add(&s, "loss %g%%", imp->loss_pct);
	}
	if (m & NSLAB_IMP_DUPLICATE)
		add(&s, "duplicate %g%%", imp->duplicate_pct);
	if (m & NSLAB_IMP_REORDER) {
		if (imp->reorder_corr_pct > 0)
			add(&s, "reorder %g%% (correlation %g%%)", imp->reorder_pct, imp->reorder_corr_pct);
		else
			add(&s, "reorder %g%%", imp->reorder_pct);
	}
	if (m & NSLAB_IMP_CORRUPT)
		add(&s, "corrupt %g%%", imp->corrupt_pct);
	if (m & NSLAB_IMP_RATE)
		add(&s, "rate %s", rate(imp->rate_bps, a, sizeof(a)));
	if (m & NSLAB_IMP_LIMIT)
		add(&s, "limit %u", imp->limit_pkts);
	return s ? s : xstrdup("none");
}

json_t *nslab_impair_to_json(const struct nslab_impair *imp)
{
	static const char *const dists[] = { "uniform", "normal", "pareto", "paretonormal" };
	unsigned m = imp->mask;
	json_t *o = json_object();

	if (m & NSLAB_IMP_DELAY)
		json_object_set_new(o, "delay_us", json_integer((json_int_t)imp->delay_us));
	if (m & NSLAB_IMP_JITTER) {
		json_object_set_new(o, "jitter_us", json_integer((json_int_t)imp->jitter_us));
		json_object_set_new(o, "jitter_distribution",
				    json_string(imp->jitter_dist < ARRAY_SIZE(dists) ? dists[imp->jitter_dist] : "uniform"));
	}
	if (m & NSLAB_IMP_LOSS) {
		json_object_set_new(o, "loss_pct", json_real(imp->loss_pct));
		json_object_set_new(o, "loss_correlation_pct", json_real(imp->loss_corr_pct));
	}
	if (m & NSLAB_IMP_DUPLICATE)
		json_object_set_new(o, "duplicate_pct", json_real(imp->duplicate_pct));
	if (m & NSLAB_IMP_REORDER) {
		json_object_set_new(o, "reorder_pct", json_real(imp->reorder_pct));
		json_object_set_new(o, "reorder_correlation_pct", json_real(imp->reorder_corr_pct));
	}
	if (m & NSLAB_IMP_CORRUPT)
		json_object_set_new(o, "corrupt_pct", json_real(imp->corrupt_pct));
	if (m & NSLAB_IMP_RATE)
		json_object_set_new(o, "rate_bps", json_integer((json_int_t)imp->rate_bps));
	if (m & NSLAB_IMP_LIMIT)
		json_object_set_new(o, "limit_pkts", json_integer(imp->limit_pkts));
	return o;
}

void nslab_impair_from_json(json_t *j, struct nslab_impair *imp)
{
	static const char *const dists[] = { "uniform", "normal", "pareto", "paretonormal" };
	json_t *v;

	memset(imp, 0, sizeof(*imp));
	if (!json_is_object(j))
		return;
	if ((v = json_object_get(j, "delay_us"))) {
		imp->mask |= NSLAB_IMP_DELAY;
		imp->delay_us = (unsigned long long)json_integer_value(v);
	}
	if ((v = json_object_get(j, "jitter_us"))) {
		const char *d = json_string_value(json_object_get(j, "jitter_distribution"));
		imp->mask |= NSLAB_IMP_JITTER;
		imp->jitter_us = (unsigned long long)json_integer_value(v);
		for (size_t i = 0; d && i < ARRAY_SIZE(dists); i++)
			if (strcmp(d, dists[i]) == 0)
				imp->jitter_dist = (enum nslab_jitter_dist)i;
	}
	if ((v = json_object_get(j, "loss_pct"))) {
		imp->mask |= NSLAB_IMP_LOSS;
		imp->loss_pct = json_number_value(v);
		imp->loss_corr_pct = json_number_value(json_object_get(j, "loss_correlation_pct"));
	}
	if ((v = json_object_get(j, "duplicate_pct"))) {
		imp->mask |= NSLAB_IMP_DUPLICATE;
		imp->duplicate_pct = json_number_value(v);
	}
	if ((v = json_object_get(j, "reorder_pct"))) {
		imp->mask |= NSLAB_IMP_REORDER;
		imp->reorder_pct = json_number_value(v);
		imp->reorder_corr_pct = json_number_value(json_object_get(j, "reorder_correlation_pct"));
	}
	if ((v = json_object_get(j, "corrupt_pct"))) {
		imp->mask |= NSLAB_IMP_CORRUPT;
		imp->corrupt_pct = json_number_value(v);
	}
	if ((v = json_object_get(j, "rate_bps"))) {
		imp->mask |= NSLAB_IMP_RATE;
		imp->rate_bps = (unsigned long long)json_integer_value(v);
	}
	if ((v = json_object_get(j, "limit_pkts"))) {
		imp->mask |= NSLAB_IMP_LIMIT;
		imp->limit_pkts = (unsigned)json_integer_value(v);
	}
}
