// SPDX-License-Identifier: GPL-2.0-or-later
/* topologies/units.c: units as people write them (20ms, 1.5%, 10mbit, 1GiB, 10:1). */
#include "topologies/model.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

/*
 * A non-negative decimal number at the start of s: digits with at most one '.', at least one digit
 * ("5", "1.5", ".5", "5."). No sign, no exponent, no white space, no "inf": strtod would take all
 * of those. *ip gets the integer part (-ERANGE past 2^64), *frac the fraction in [0, 1), *end the
 * first character after the number.
 */
static int units_number(const char *s, unsigned long long *ip, double *frac, const char **end)
{
	unsigned long long v = 0;
	double f = 0, scale = 0.1;
	const char *p = s;
	bool digits = false;

	if (!s)
		return -EINVAL;
	for (; *p >= '0' && *p <= '9'; p++) {
		if (__builtin_mul_overflow(v, 10ULL, &v) || __builtin_add_overflow(v, (unsigned long long)(*p - '0'), &v))
			return -ERANGE;
		digits = true;
	}
	if (*p == '.') {
		for (p++; *p >= '0' && *p <= '9'; p++) {
			f += (*p - '0') * scale;
			scale /= 10;
			digits = true;
		}
	}
	if (!digits)
		return -EINVAL;
	*ip = v;
	*frac = f;
	*end = p;
	return 0;
}

/* ip.frac * mult, rounded to the nearest integer; -ERANGE past 2^64. */
static int units_scale(unsigned long long ip, double frac, unsigned long long mult, unsigned long long *out)
{
	unsigned long long v, f;
	double fr = frac * (double)mult + 0.5; /* >= 0: truncation rounds to nearest; no libm */

	if (__builtin_mul_overflow(ip, mult, &v))
		return -ERANGE;
	if (fr >= 18446744073709551616.0)
		return -ERANGE;
	f = (unsigned long long)fr;
	if (__builtin_add_overflow(v, f, &v))
		return -ERANGE;
	*out = v;
	return 0;
}

struct units_suffix {
	const char *name;
	unsigned long long mult;
};

/* The multiplier of suffix s (case-insensitive), or 0 when the table does not have it. */
static unsigned long long units_lookup(const struct units_suffix *t, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (!strcasecmp(t[i].name, s))
			return t[i].mult;
	return 0;
}

/* Number + suffix from table t; the empty suffix must be in t for a bare number to be accepted. */
static int units_parse(const char *s, const struct units_suffix *t, size_t n, unsigned long long *out)
{
	unsigned long long ip, mult, v;
	const char *end;
	double frac;
	int ret;

	ret = units_number(s, &ip, &frac, &end);
	if (ret < 0)
		return ret;
	mult = units_lookup(t, n, end);
	if (!mult)
		return -EINVAL;
	ret = units_scale(ip, frac, mult, &v);
	if (ret < 0)
		return ret;
	*out = v;
	return 0;
}

#define UNITS_N(t) (sizeof(t) / sizeof((t)[0]))

/* tc's time units, without 'm' (minutes or ms? people disagree: refuse it). */
static const struct units_suffix units_time[] = {
	{ "", 1000 }, { "us", 1 }, { "usec", 1 }, { "usecs", 1 }, { "ms", 1000 }, { "msec", 1000 },
	{ "msecs", 1000 }, { "s", 1000000 }, { "sec", 1000000 }, { "secs", 1000000 },
};

int nslab_parse_duration_us(const char *s, unsigned long long *us)
{
	return units_parse(s, units_time, UNITS_N(units_time), us);
}

int nslab_parse_percent(const char *s, double *pct)
{
	unsigned long long ip;
	const char *end;
	double frac, v;
	int ret;

	ret = units_number(s, &ip, &frac, &end);
	if (ret < 0)
		return ret;
	if (strcmp(end, "") && strcmp(end, "%"))
		return -EINVAL;
	if (ip > 100)
		return -ERANGE;
	v = (double)ip + frac;
	if (v > 100)
		return -ERANGE;
	*pct = v;
	return 0;
}

#define K 1000ULL
#define KI 1024ULL
/* tc's rate units: bit (SI and IEC) and bytes per second ("bps" is bytes, as in tc). */
static const struct units_suffix units_rate[] = {
	{ "", 1 },
	{ "bit", 1 },
	{ "kbit", K },
	{ "mbit", K * K },
	{ "gbit", K * K * K },
	{ "tbit", K * K * K * K },
	{ "kibit", KI },
	{ "mibit", KI * KI },
	{ "gibit", KI * KI * KI },
	{ "tibit", KI * KI * KI * KI },
	{ "bps", 8 },
	{ "kbps", 8 * K },
	{ "mbps", 8 * K * K },
	{ "gbps", 8 * K * K * K },
	{ "tbps", 8 * K * K * K * K },
	{ "kibps", 8 * KI },
	{ "mibps", 8 * KI * KI },
	{ "gibps", 8 * KI * KI * KI },
	{ "tibps", 8 * KI * KI * KI * KI },
};

int nslab_parse_rate_bps(const char *s, unsigned long long *bps)
{
	return units_parse(s, units_rate, UNITS_N(units_rate), bps);
}

/* Docker's RAMInBytes (what containerlab's memory uses): binary multiples, optional b or ib. */
static const struct units_suffix units_size[] = {
	{ "", 1 },
	{ "b", 1 },
	{ "k", KI },
	{ "kb", KI },
	{ "kib", KI },
	{ "m", KI * KI },
	{ "mb", KI * KI },
	{ "mib", KI * KI },
	{ "g", KI * KI * KI },
	{ "gb", KI * KI * KI },
	{ "gib", KI * KI * KI },
	{ "t", KI * KI * KI * KI },
	{ "tb", KI * KI * KI * KI },
	{ "tib", KI * KI * KI * KI },
	{ "p", KI * KI * KI * KI * KI },
	{ "pb", KI * KI * KI * KI * KI },
	{ "pib", KI * KI * KI * KI * KI },
};
#undef K
#undef KI

int nslab_parse_size_bytes(const char *s, unsigned long long *bytes)
{
	unsigned long long ip, mult, v;
	const char *end;
	double frac;
	int ret;

	ret = units_number(s, &ip, &frac, &end);
	if (ret < 0)
		return ret;
	/* docker takes "1 GB" too */
	if (*end == ' ' && end[1])
		end++;
	mult = units_lookup(units_size, UNITS_N(units_size), end);
	if (!mult)
		return -EINVAL;
	ret = units_scale(ip, frac, mult, &v);
	if (ret < 0)
		return ret;
	*bytes = v;
	return 0;
}

/* 1-n hex digits of s[0..len) into *v; -ERANGE past max. */
static int units_hex(const char *s, size_t len, unsigned long max, unsigned long *v)
{
	unsigned long x = 0;

	if (len == 0)
		return -EINVAL;
	for (size_t i = 0; i < len; i++) {
		int d;

		if (s[i] >= '0' && s[i] <= '9')
			d = s[i] - '0';
		else if (s[i] >= 'a' && s[i] <= 'f')
			d = s[i] - 'a' + 10;
		else if (s[i] >= 'A' && s[i] <= 'F')
			d = s[i] - 'A' + 10;
		else
			return -EINVAL;
		x = x * 16 + (unsigned long)d;
		if (x > max)
			return -ERANGE;
	}
	*v = x;
	return 0;
}

int nslab_parse_classid(const char *s, unsigned *classid)
{
	unsigned long major, minor, v;
	const char *colon;
	int ret;

	if (!s)
		return -EINVAL;
	colon = strchr(s, ':');
	if (colon) {
		ret = units_hex(s, (size_t)(colon - s), 0xffff, &major);
		if (ret < 0)
			return ret;
		ret = units_hex(colon + 1, strlen(colon + 1), 0xffff, &minor);
		if (ret < 0)
			return ret;
		v = major << 16 | minor;
	} else {
		if (strncasecmp(s, "0x", 2))
			return -EINVAL;
		ret = units_hex(s + 2, strlen(s + 2), 0xffffffffUL, &v);
		if (ret < 0)
			return ret;
	}
	/* Major 0 is no class (the kernel reads classid 0 as "unset"). */
	if ((v >> 16) == 0)
		return -EINVAL;
	*classid = (unsigned)v;
	return 0;
}
