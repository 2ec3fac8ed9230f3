// SPDX-License-Identifier: GPL-2.0-or-later
/* netlink/netem_dist.c: netem's jitter distribution tables, computed as iproute2's netem/ generators do. */
#include "nl.h"

#include <linux/pkt_sched.h>
#include <pthread.h>

/*
 * iproute2's netem/normal.c, pareto.c and paretonormal.c (public domain, from NISTnet) print the
 * inverse cumulative distribution, scaled by NETEM_DIST_SCALE, as 4096 int16 values; tc sends those
 * files' contents as TCA_NETEM_DELAY_DIST. We run the same arithmetic once instead of reading the
 * files at run time (they may be absent). The build links no libm, so erf(), cube root and rint() are
 * written out here; tests/unit/test_qdisc.c checks the tables against the .dist files value for value.
 */
#define TABLESIZE 16384
#define DIST_N (TABLESIZE / 4)

static int16_t normal_tab[DIST_N], pareto_tab[DIST_N], paretonormal_tab[DIST_N];
static pthread_once_t once = PTHREAD_ONCE_INIT;

/* Round to nearest, ties to even, as rint() in the default rounding mode (|x| < 2^52). */
static double round_even(double x)
{
	const double big = 4503599627370496.0; /* 2^52 */

	if (x >= big || x <= -big)
		return x;
	return x >= 0 ? (x + big) - big : -((-x + big) - big);
}

/*
 * erf() by its Taylor series, accurate to ~1e-12 for |t| < 4; beyond, the tables only need +-1
 * (erfc(4) = 1.5e-8 moves no table index). The table needs precision only where
 * TABLESIZE * normal() is not pinned to 0 or TABLESIZE, i.e. |t| < 3.
 */
static double erf_series(double t)
{
	double t2 = t * t, term = t, sum = t;

	if (t >= 4)
		return 1;
	if (t <= -4)
		return -1;
	for (int n = 1; n < 200; n++) {
		term *= -t2 / n;
		sum += term / (2 * n + 1);
		if (n > t2 && (term < 0 ? -term : term) < 1e-18)
			break;
	}
	return 1.1283791670955126 * sum; /* 2 / sqrt(pi) */
}

static double normal_cdf(double x)
{
	return .5 + .5 * erf_series(x / 1.4142135623730951); /* sqrt(2.0) */
}

/* Cube root of d in (0, 1] by Newton's method from above (pow(d, 1.0 / 3.0) in iproute2). */
static double cube_root(double d)
{
	double y = 1, prev;

	do {
		prev = y;
		y = y - (y * y * y - d) / (3 * y * y);
	} while (y < prev);
	/* One more step from the last decreasing iterate settles the last ulp. */
	return prev - (prev * prev * prev - d) / (3 * prev * prev);
}

/* pareto.c's value for table slot k (0..DIST_N-1): i = 65536 - 16 k. */
static int pareto_value(int k)
{
	double dvalue = (double)(65536 - 16 * k) / 65536.0;

	dvalue = 1.0 / cube_root(dvalue);
	dvalue -= 1.5;
	dvalue *= (4.0 / 3.0) * (double)NETEM_DIST_SCALE;
	if (dvalue > 32767)
		dvalue = 32767;
	return (int)round_even(dvalue);
}

static int16_t clamp16(int v)
{
	return (int16_t)(v < INT16_MIN ? INT16_MIN : v > INT16_MAX ? INT16_MAX : v);
}

static void compute(void)
{
	static double table[TABLESIZE + 1];
	double x;

	/* normal.c: the last x whose CDF rounds to index i wins; the same accumulating loop. */
	for (x = -10.0; x < 10.05; x += .00005) {
		int i = (int)round_even(TABLESIZE * normal_cdf(x));

		table[i] = x;
	}
	for (int k = 0; k < DIST_N; k++) {
		int normv = (int)round_even(table[4 * k] * NETEM_DIST_SCALE);
		int parv = pareto_value(k);

		normal_tab[k] = clamp16(normv);
		pareto_tab[k] = clamp16(parv);
		/* paretonormal.c: .25 normal + .75 pareto, C integer division */
		paretonormal_tab[k] = clamp16((normv + 3 * parv) / 4);
	}
}

const int16_t *nslab_nl_netem_dist_table(int dist, size_t *n)
{
	const int16_t *t;

	switch (dist) {
	case NSLAB_NL_DIST_NORMAL:
		t = normal_tab;
		break;
	case NSLAB_NL_DIST_PARETO:
		t = pareto_tab;
		break;
	case NSLAB_NL_DIST_PARETONORMAL:
		t = paretonormal_tab;
		break;
	default:
		*n = 0;
		return NULL;
	}
	pthread_once(&once, compute);
	*n = DIST_N;
	return t;
}
