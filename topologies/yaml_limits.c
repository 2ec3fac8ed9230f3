// SPDX-License-Identifier: GPL-2.0-or-later
/* topologies/yaml_limits.c: the YAML keys of resource limits (cpu, cpu-set, memory, cpu-weight, pids, net-cls), checked and normalized. */
#include "topologies/loader.h"

/* ---- resource limits (cgroups) ---- */

void topo_set_cpu(struct topo_ld *ld, void *obj, yaml_node_t *key, yaml_node_t *val)
{
	struct topo_settings *s = obj;
	const char *v = topo_str(ld, val, "cpu");
	size_t digits, dots;
	double cpu;

	(void)key;
	if (!v)
		return;
	/* strtod would also take " 1", "+1", "1e3", "inf" and hex: allow only digits and one '.' */
	digits = strspn(v, "0123456789");
	dots = v[digits] == '.' ? 1 : 0;
	if (strspn(v + digits + dots, "0123456789") != strlen(v + digits + dots) || !strcmp(v, ".") || !v[0]) {
		topo_err(ld, val, "bad cpu \"%s\": expected a number of cores like 0.5 or 2", v);
		return;
	}
	cpu = strtod(v, NULL);
	if (!(cpu > 0 && cpu <= 4096)) {
		topo_err(ld, val, "cpu must be above 0 and at most 4096 cores, got \"%s\"", v);
		return;
	}
	s->lim.l.cpu = cpu;
	s->lim.given |= TOPO_LIM_CPU;
}

struct topo_cpu_range {
	unsigned lo, hi;
};

static int topo_cpu_range_cmp(const void *a, const void *b)
{
	const struct topo_cpu_range *x = a, *y = b;

	return x->lo < y->lo ? -1 : x->lo > y->lo;
}

/* A CPU number of a cpu-set: up to 65535; advances *p. */
static bool topo_cpu_num(const char **p, unsigned *out)
{
	unsigned v = 0;
	const char *s = *p;

	if (*s < '0' || *s > '9')
		return false;
	for (; *s >= '0' && *s <= '9'; s++) {
		v = v * 10 + (unsigned)(*s - '0');
		if (v > 65535)
			return false;
	}
	*p = s;
	*out = v;
	return true;
}

/*
 * "0-1", "0,2-3" (the kernel's cpuset.cpus list format) into its normal form: sorted, overlapping
 * and adjacent ranges joined ("3,0-1,2" -> "0-3"). NULL when s is not such a list.
 */
static char *topo_cpuset_normalize(const char *s)
{
	struct topo_cpu_range *r = NULL;
	size_t n = 0, m = 0, len = 0;
	char *out = NULL;
	const char *p = s;

	for (;;) {
		struct topo_cpu_range x;

		if (!topo_cpu_num(&p, &x.lo))
			goto bad;
		x.hi = x.lo;
		if (*p == '-') {
			p++;
			if (!topo_cpu_num(&p, &x.hi) || x.hi < x.lo)
				goto bad;
		}
		*VEC_PUSH(r, n) = x;
		if (*p == '\0')
			break;
		if (*p++ != ',')
			goto bad;
	}
	qsort(r, n, sizeof(*r), topo_cpu_range_cmp);
	for (size_t i = 1; i < n; i++) {
		if (r[i].lo <= r[m].hi + 1) {
			if (r[i].hi > r[m].hi)
				r[m].hi = r[i].hi;
		} else {
			r[++m] = r[i];
		}
	}
	out = xmalloc((m + 1) * 12 + 1);
	for (size_t i = 0; i <= m; i++) {
		if (r[i].lo == r[i].hi)
			len += (size_t)sprintf(out + len, "%s%u", i ? "," : "", r[i].lo);
		else
			len += (size_t)sprintf(out + len, "%s%u-%u", i ? "," : "", r[i].lo, r[i].hi);
	}
	free(r);
	return out;
bad:
	free(r);
	return NULL;
}

void topo_set_cpuset(struct topo_ld *ld, void *obj, yaml_node_t *key, yaml_node_t *val)
{
	struct topo_settings *s = obj;
	const char *v = topo_str(ld, val, "cpu-set");
	char *norm;

	(void)key;
	if (!v)
		return;
	norm = topo_cpuset_normalize(v);
	if (!norm) {
		topo_err(ld, val,
			 "bad cpu-set \"%s\": expected CPU numbers (0-65535) and ranges low-high, separated by "
			 "commas, like 0-1 or 0,2-3",
			 v);
		return;
	}
	free(s->lim.l.cpuset);
	s->lim.l.cpuset = norm;
	s->lim.given |= TOPO_LIM_CPUSET;
}

#define TOPO_MIN_MEMORY (4ULL << 20)

void topo_set_memory(struct topo_ld *ld, void *obj, yaml_node_t *key, yaml_node_t *val)
{
	struct topo_settings *s = obj;
	const char *v = topo_str(ld, val, "memory");
	unsigned long long bytes;
	int ret;

	(void)key;
	if (!v)
		return;
	ret = nslab_parse_size_bytes(v, &bytes);
	if (ret == -EINVAL) {
		topo_err(ld, val, "bad memory \"%s\": expected a size like 512m, 1g, 256Mb or 1GiB (binary multiples)",
			 v);
		return;
	}
	if (ret < 0) {
		topo_err(ld, val, "memory \"%s\" is too large", v);
		return;
	}
	if (bytes < TOPO_MIN_MEMORY) {
		topo_err(ld, val, "memory must be at least 4MiB, got \"%s\"", v);
		return;
	}
	s->lim.l.memory_bytes = bytes;
	s->lim.given |= TOPO_LIM_MEMORY;
}

void topo_set_cpu_weight(struct topo_ld *ld, void *obj, yaml_node_t *key, yaml_node_t *val)
{
	struct topo_settings *s = obj;

	(void)key;
	if (topo_uint(ld, val, "cpu-weight", 1, 10000, &s->lim.l.cpu_weight))
		s->lim.given |= TOPO_LIM_CPU_WEIGHT;
}

#define TOPO_MAX_PIDS 4194304 /* the kernel's PID_MAX_LIMIT */

void topo_set_pids(struct topo_ld *ld, void *obj, yaml_node_t *key, yaml_node_t *val)
{
	struct topo_settings *s = obj;
	unsigned pids;

	(void)key;
	if (!topo_uint(ld, val, "pids", 1, TOPO_MAX_PIDS, &pids))
		return;
	s->lim.l.pids = pids;
	s->lim.given |= TOPO_LIM_PIDS;
}

void topo_set_net_cls(struct topo_ld *ld, void *obj, yaml_node_t *key, yaml_node_t *val)
{
	struct topo_settings *s = obj;
	const char *v = topo_str(ld, val, "net-cls");
	unsigned classid;
	int ret;

	(void)key;
	if (!v)
		return;
	if (!strcmp(v, "auto")) {
		s->lim.l.net_cls_auto = true;
		s->lim.l.net_cls = 0;
		s->lim.given |= TOPO_LIM_NET_CLS;
		return;
	}
	ret = nslab_parse_classid(v, &classid);
	if (ret == -ERANGE) {
		topo_err(ld, val, "bad net-cls \"%s\": major and minor are at most ffff (hex)", v);
		return;
	}
	if (ret < 0) {
		topo_err(ld, val,
			 "bad net-cls \"%s\": expected auto or a classid like 10:1 or 0x00100001 (hex major:minor, "
			 "major not 0)",
			 v);
		return;
	}
	s->lim.l.net_cls_auto = false;
	s->lim.l.net_cls = classid;
	s->lim.given |= TOPO_LIM_NET_CLS;
}
