// SPDX-License-Identifier: GPL-2.0-or-later
/* core/impair.c: the one place a model impairment becomes netem / tbf requests; its words and JSON loop over the parameter table (topologies/impair.h). */
#include "impair.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
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
	n = xasprintf("%s%s", *s ? *s : "", buf);
	free(*s);
	*s = n;
}

/* Is p's value set in imp (a companion: when its base is)? */
static bool given(const struct nslab_impair *imp, int p)
{
	return imp->mask & nslab_imp_params[p].field;
}

/* A companion after its base: "jitter 5ms normal", "loss 1% (correlation 25%)"; nothing when it is 0. */
static void describe_companion(char **s, const struct nslab_impair *imp, int p)
{
	const struct nslab_imp_param_info *pi = &nslab_imp_params[p];
	const void *f = nslab_imp_field_const(imp, (enum nslab_imp_param)p);
	char v[64];

	if (pi->unit == NSLAB_IU_PERCENT ? *(const double *)f <= 0
					 : pi->unit == NSLAB_IU_DIST && *(const enum nslab_jitter_dist *)f == NSLAB_DIST_NONE)
		return;
	nslab_imp_param_format((enum nslab_imp_param)p, imp, v, sizeof(v));
	if (pi->word)
		add(s, " (%s %s)", pi->word, v);
	else
		add(s, " %s", v);
}

char *nslab_impair_describe(const struct nslab_impair *imp)
{
	char *s = NULL, v[64];

	for (int p = 0; p < NSLAB_IMPP__COUNT; p++) {
		const struct nslab_imp_param_info *pi = &nslab_imp_params[p];

		if (!given(imp, p))
			continue;
		if (pi->base >= 0) {
			describe_companion(&s, imp, p);
			continue;
		}
		add(&s, "%s%s %s", s ? ", " : "", pi->name, nslab_imp_param_format((enum nslab_imp_param)p, imp, v, sizeof(v)));
	}
	return s ? s : xstrdup("none");
}

json_t *nslab_impair_to_json(const struct nslab_impair *imp)
{
	json_t *o = json_object();

	for (int p = 0; p < NSLAB_IMPP__COUNT; p++) {
		const void *f = nslab_imp_field_const(imp, (enum nslab_imp_param)p);
		json_t *v = NULL;
		char d[32];

		if (!given(imp, p))
			continue;
		switch (nslab_imp_params[p].unit) {
		case NSLAB_IU_DURATION:
		case NSLAB_IU_RATE:
			v = json_integer((json_int_t) * (const unsigned long long *)f);
			break;
		case NSLAB_IU_PERCENT:
			v = json_real(*(const double *)f);
			break;
		case NSLAB_IU_PACKETS:
			v = json_integer(*(const unsigned *)f);
			break;
		case NSLAB_IU_DIST:
			v = json_string(nslab_imp_param_format((enum nslab_imp_param)p, imp, d, sizeof(d)));
			break;
		}
		json_object_set_new(o, nslab_imp_params[p].json_key, v);
	}
	return o;
}

/* One value from JSON into p's field; a missing or mistyped value gives the field's zero. */
static void from_json_value(json_t *v, struct nslab_impair *imp, int p)
{
	void *f = nslab_imp_field(imp, (enum nslab_imp_param)p);
	const char *d;

	switch (nslab_imp_params[p].unit) {
	case NSLAB_IU_DURATION:
	case NSLAB_IU_RATE:
		*(unsigned long long *)f = (unsigned long long)json_integer_value(v);
		break;
	case NSLAB_IU_PERCENT:
		*(double *)f = json_number_value(v);
		break;
	case NSLAB_IU_PACKETS:
		*(unsigned *)f = (unsigned)json_integer_value(v);
		break;
	case NSLAB_IU_DIST:
		d = json_string_value(v);
		for (size_t i = 0; d && i < ARRAY_SIZE(nslab_jitter_dist_names); i++)
			if (strcmp(d, nslab_jitter_dist_names[i]) == 0)
				*(enum nslab_jitter_dist *)f = (enum nslab_jitter_dist)i;
		break;
	}
}

void nslab_impair_from_json(json_t *j, struct nslab_impair *imp)
{
	memset(imp, 0, sizeof(*imp));
	if (!json_is_object(j))
		return;
	/* a base comes before its companions in the table: they are read once the base is there */
	for (int p = 0; p < NSLAB_IMPP__COUNT; p++) {
		const struct nslab_imp_param_info *pi = &nslab_imp_params[p];
		json_t *v = json_object_get(j, pi->json_key);

		if (pi->base < 0 && !v)
			continue;
		if (pi->base >= 0 && !given(imp, p))
			continue;
		imp->mask |= pi->field;
		from_json_value(v, imp, p);
	}
}
