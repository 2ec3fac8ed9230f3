// SPDX-License-Identifier: GPL-2.0-or-later
/* core/cgroup_detect.c: which cgroup hierarchies and controllers the host offers (mountinfo, /proc/cgroups),
 * the pure value helpers, and the check of a node's limits against them. */
#include "cgroup_int.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "../util/util.h"
#include "rundir.h"

/* ---- detection ---- */

/* mountinfo escapes space, tab, newline and backslash as \ooo. */
static void unescape_octal(char *s)
{
	char *d = s;

	for (; *s; s++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '7' && s[2] >= '0' && s[2] <= '7' && s[3] >= '0' &&
		    s[3] <= '7') {
			*d++ = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0'));
			s += 3;
		} else {
			*d++ = *s;
		}
	}
	*d = '\0';
}

char *cg_netcls_mountpoint(const char *rundir)
{
	return xasprintf("%s/.cgroup/net_cls", rundir);
}

int cg_add_hier(struct nslab_cg_sys *sys, const char *prefix, const char *mp, bool v2, unsigned ctrls,
		struct nslab_err *err)
{
	struct nslab_cg_hier *h;

	if (sys->nhier >= NSLAB_CG_MAX_HIER)
		return nslab_err_set(err, E2BIG, "too many cgroup hierarchies mounted (more than %d)",
				     NSLAB_CG_MAX_HIER);
	h = &sys->hier[sys->nhier];
	memset(h, 0, sizeof(*h));
	if ((size_t)snprintf(h->path, sizeof(h->path), "%s%s", prefix, mp) >= sizeof(h->path))
		return nslab_err_set(err, ENAMETOOLONG, "cgroup mount point %s%s is too long", prefix, mp);
	h->v2 = v2;
	h->ctrls = ctrls;
	sys->nhier++;
	return (int)sys->nhier - 1;
}

static void parse_proc_cgroups(struct nslab_cg_sys *sys, const char *text)
{
	_cleanup_free_ char *copy = xstrdup(text);
	char *save = NULL;

	for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char name[64];
		unsigned hier, num, enabled;
		int c;

		if (line[0] == '#' || sscanf(line, "%63s %u %u %u", name, &hier, &num, &enabled) != 4)
			continue;
		c = cg_ctrl_by_name(name, strlen(name));
		if (c < 0)
			continue;
		sys->kernel_ctrls |= BIT(c);
		if (enabled)
			sys->enabled_ctrls |= BIT(c);
		if (hier)
			sys->v1_bound |= BIT(c);
	}
}

unsigned cg_parse_ctrl_words(const char *s, const char *seps)
{
	unsigned m = 0;

	while (*s) {
		size_t n = strcspn(s, seps);
		int c = cg_ctrl_by_name(s, n);
		if (c >= 0)
			m |= BIT(c);
		s += n;
		s += strspn(s, seps);
	}
	return m;
}

/* One cgroup or cgroup2 mount (fstype, mount point mp, super options) into sys. */
static int add_mount(struct nslab_cg_sys *sys, const char *prefix, const char *fstype, char *mp, const char *super,
		     const char *ours_mp, bool *have_v1, struct nslab_err *err)
{
	int r;

	if (strcmp(fstype, "cgroup2") == 0) {
		_cleanup_free_ char *cpath = NULL, *ctext = NULL;
		unsigned m;

		if (sys->v2 >= 0)
			return 0; /* a second mount of the one unified hierarchy */
		r = cg_add_hier(sys, prefix, mp, true, 0, err);
		if (r < 0)
			return r;
		sys->v2 = r;
		cpath = xasprintf("%s/cgroup.controllers", sys->hier[r].path);
		ctext = cg_read_trim(cpath);
		m = ctext ? cg_parse_ctrl_words(ctext, " \n") : 0;
		sys->hier[r].ctrls = m | BIT(NSLAB_CG_CPUACCT); /* cpu.stat is a core file */
	} else if (strcmp(fstype, "cgroup") == 0) {
		bool ours = strcmp(mp, ours_mp) == 0;
		unsigned m = cg_parse_ctrl_words(super, ",");

		if (!ours)
			*have_v1 = true;
		if (!m)
			return 0; /* name=systemd and the like: nothing we use */
		for (size_t i = 0; i < sys->nhier; i++)
			if (!sys->hier[i].v2 && (sys->hier[i].ctrls & m))
				return 0; /* bind mount of a hierarchy we already have */
		r = cg_add_hier(sys, prefix, mp, false, m, err);
		if (r < 0)
			return r;
		sys->hier[r].ours = ours;
	}
	return 0;
}

/* Where each controller is used: v1 hierarchies first (a controller bound there is not usable on
 * v2), then the cgroup2 mount; and the host's mode. */
static void resolve_ctrls(struct nslab_cg_sys *sys, bool have_v1)
{
	for (int c = 0; c < NSLAB_CG__CTRL_COUNT; c++) {
		sys->ctrl_hier[c] = -1;
		for (size_t i = 0; i < sys->nhier && sys->ctrl_hier[c] < 0; i++)
			if (!sys->hier[i].v2 && (sys->hier[i].ctrls & BIT(c)))
				sys->ctrl_hier[c] = (int)i;
		if (sys->ctrl_hier[c] < 0 && sys->v2 >= 0 && c != NSLAB_CG_NET_CLS &&
		    (sys->hier[sys->v2].ctrls & BIT(c)))
			sys->ctrl_hier[c] = sys->v2;
	}
	if (sys->v2 >= 0) {
		unsigned m = 0;
		for (int c = 0; c < NSLAB_CG__CTRL_COUNT; c++)
			if (sys->ctrl_hier[c] == sys->v2)
				m |= BIT(c);
		sys->hier[sys->v2].ctrls = m;
	}
	if (have_v1)
		sys->mode = sys->v2 >= 0 ? NSLAB_CG_MODE_HYBRID : NSLAB_CG_MODE_V1;
	else
		sys->mode = sys->v2 >= 0 ? NSLAB_CG_MODE_V2 : NSLAB_CG_MODE_NONE;
}

static int parse_mountinfo(struct nslab_cg_sys *sys, const char *text, const char *prefix, struct nslab_err *err)
{
	_cleanup_free_ char *copy = xstrdup(text);
	_cleanup_free_ char *ours_mp = cg_netcls_mountpoint(sys->rundir);
	bool have_v1 = false;
	char *save = NULL;
	int r;

	for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *f[64], *save2 = NULL;
		size_t n = 0, sep;

		for (char *t = strtok_r(line, " ", &save2); t && n < ARRAY_SIZE(f); t = strtok_r(NULL, " ", &save2))
			f[n++] = t;
		for (sep = 6; sep < n && strcmp(f[sep], "-") != 0; sep++)
			;
		if (n < 7 || sep + 1 >= n)
			continue;
		unescape_octal(f[4]);
		r = add_mount(sys, prefix, f[sep + 1], f[4], sep + 3 < n ? f[sep + 3] : "", ours_mp, &have_v1, err);
		if (r < 0)
			return r;
	}
	resolve_ctrls(sys, have_v1);
	return 0;
}

static void sys_init(struct nslab_cg_sys *sys, bool fake)
{
	memset(sys, 0, sizeof(*sys));
	sys->v2 = -1;
	sys->fake = fake;
	nslab_strlcpy(sys->rundir, nslab_rundir(), sizeof(sys->rundir));
	for (int c = 0; c < NSLAB_CG__CTRL_COUNT; c++)
		sys->ctrl_hier[c] = -1;
}

int nslab_cg_detect_at(struct nslab_cg_sys *sys, const char *mountinfo, const char *proc_cgroups,
		       const char *prefix, struct nslab_err *err)
{
	sys_init(sys, true);
	parse_proc_cgroups(sys, proc_cgroups ? proc_cgroups : "");
	return parse_mountinfo(sys, mountinfo ? mountinfo : "", prefix ? prefix : "", err);
}

int nslab_cg_detect(struct nslab_cg_sys *sys, struct nslab_err *err)
{
	_cleanup_free_ char *mi = NULL, *pc = NULL;
	int r;

	sys_init(sys, false);
	r = nslab_read_file("/proc/self/mountinfo", &mi, NULL);
	if (r < 0)
		return nslab_err_sys(err, -r, "reading /proc/self/mountinfo");
	if (nslab_read_file("/proc/cgroups", &pc, NULL) == 0) /* absent on some v2-only kernels: fine */
		parse_proc_cgroups(sys, pc);
	return parse_mountinfo(sys, mi, "", err);
}

/* ---- values ---- */

int nslab_cg_cpu_quota_us(double cores, unsigned long long *quota_us)
{
	double q;

	if (cores <= 0) {
		*quota_us = 0;
		return 0;
	}
	q = cores * (double)NSLAB_CG_CPU_PERIOD_US + 0.5; /* no libm: rounds the positive value */
	if (!isfinite(q) || q < (double)NSLAB_CG_CPU_MIN_QUOTA_US || q > 1e15)
		return -ERANGE;
	*quota_us = (unsigned long long)q;
	return 0;
}

void nslab_cg_cpu_max(unsigned long long quota_us, char *buf, size_t size)
{
	if (quota_us)
		snprintf(buf, size, "%llu %llu", quota_us, NSLAB_CG_CPU_PERIOD_US);
	else
		snprintf(buf, size, "max %llu", NSLAB_CG_CPU_PERIOD_US);
}

unsigned long nslab_cg_weight_to_shares(unsigned weight)
{
	unsigned long s;

	if (!weight)
		return 1024;
	s = (unsigned long)weight * 1024 / 100;
	return s < 2 ? 2 : s > 262144 ? 262144 : s;
}

int nslab_cg_cpulist_parse(const char *s, unsigned char bits[NSLAB_CG_MAX_CPUS / 8])
{
	memset(bits, 0, NSLAB_CG_MAX_CPUS / 8);
	s += strspn(s, " \n");
	while (*s && *s != '\n') {
		char *end;
		unsigned long a, b;

		if (*s < '0' || *s > '9')
			return -EINVAL;
		a = strtoul(s, &end, 10);
		b = a;
		if (*end == '-') {
			if (end[1] < '0' || end[1] > '9')
				return -EINVAL;
			b = strtoul(end + 1, &end, 10);
		}
		if (b < a || b >= NSLAB_CG_MAX_CPUS)
			return -EINVAL;
		for (unsigned long i = a; i <= b; i++)
			bits[i / 8] |= (unsigned char)(1u << (i % 8));
		if (*end == ',')
			end++;
		else if (*end && *end != '\n' && *end != ' ')
			return -EINVAL;
		s = end;
		s += strspn(s, " ");
	}
	return 0;
}

/* ---- availability and validation ---- */

static int unavailable(const struct nslab_cg_sys *sys, const char *node, const char *what, enum nslab_cg_ctrl c,
		       struct nslab_err *err)
{
	const char *name = cg_ctrl_names[c];
	char reason[PATH_MAX + 256];

	if (c == NSLAB_CG_NET_CLS && sys->mode == NSLAB_CG_MODE_V2)
		return nslab_err_set(err, EOPNOTSUPP,
				     "node %s: net-cls by the cgroup v1 net_cls controller (NSLAB_NET_CLS=cgroup) is "
				     "impossible on this cgroup v2 only host; without NSLAB_NET_CLS, nftables carries "
				     "the classid as the packets' priority",
				     node);
	if (!(sys->kernel_ctrls & BIT(c)))
		snprintf(reason, sizeof(reason), "not in /proc/cgroups: the kernel was built without it");
	else if (!(sys->enabled_ctrls & BIT(c)))
		snprintf(reason, sizeof(reason),
			 "disabled in /proc/cgroups, e.g. by cgroup_disable=%s on the kernel command line", name);
	else if (sys->v2 >= 0 && !(sys->v1_bound & BIT(c)))
		snprintf(reason, sizeof(reason),
			 "not in %s/cgroup.controllers: enable it in cgroup.subtree_control of the parent cgroup",
			 sys->hier[sys->v2].path);
	else if (sys->v1_bound & BIT(c))
		snprintf(reason, sizeof(reason), "bound to a cgroup v1 hierarchy that is not mounted here");
	else
		snprintf(reason, sizeof(reason), "not mounted as a cgroup v1 hierarchy and no cgroup2 is mounted");
	return nslab_err_set(err, EOPNOTSUPP, "node %s: %s needs the %s cgroup controller, which is not available (%s)",
			     node, what, name, reason);
}

/* net_cls not mounted here but mountable by us (v1/hybrid, the kernel has it). A hierarchy bound
 * elsewhere (another mount namespace, or one left after umount) is mounted again the same way. */
bool cg_netcls_mountable(const struct nslab_cg_sys *sys)
{
	unsigned b = BIT(NSLAB_CG_NET_CLS);
	return sys->mode != NSLAB_CG_MODE_V2 && sys->mode != NSLAB_CG_MODE_NONE && (sys->kernel_ctrls & b) &&
	       (sys->enabled_ctrls & b);
}

/* The CPUs a node below the hierarchy root may use. */
static char *root_cpus(const struct nslab_cg_sys *sys, int h, char **from)
{
	static const char *const files[] = { "cpuset.cpus.effective", "cpuset.effective_cpus", "cpuset.cpus" };

	for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
		char *p = xasprintf("%s/%s", sys->hier[h].path, files[i]);
		char *v = cg_read_trim(p);
		if (v) {
			*from = p;
			return v;
		}
		free(p);
	}
	return NULL;
}

int cg_check(const struct nslab_cg_sys *sys, const char *lab, const char *node, const struct nslab_limits *lim,
	     unsigned mask, struct nslab_err *err)
{
	unsigned fields = cg_fields_set(lim, mask);
	unsigned long long q;

	for (size_t i = 0; i < cg_nfields; i++) {
		enum nslab_cg_ctrl c = cg_field_tab[i].ctrl;
		if (!(fields & cg_field_tab[i].field) || sys->ctrl_hier[c] >= 0)
			continue;
		if (c == NSLAB_CG_NET_CLS && (cg_netcls_mountable(sys) || nslab_cg_netcls_lab_nft(sys, lab)))
			continue;
		return unavailable(sys, node, cg_field_tab[i].what, c, err);
	}
	if ((fields & NSLAB_CG_F_CPU) && nslab_cg_cpu_quota_us(lim->cpu, &q) < 0)
		return nslab_err_set(err, ERANGE,
				     "node %s: cpu limit %g is out of range (at least 0.01 cores: the kernel's minimum "
				     "quota is 1 ms per 100 ms)",
				     node, lim->cpu);
	if ((fields & NSLAB_CG_F_CPU_WEIGHT) && lim->cpu_weight > 10000)
		return nslab_err_set(err, ERANGE, "node %s: cpu-weight %u is out of range (1..10000)", node,
				     lim->cpu_weight);
	if (fields & NSLAB_CG_F_CPUSET) {
		unsigned char want[NSLAB_CG_MAX_CPUS / 8], have[NSLAB_CG_MAX_CPUS / 8];
		_cleanup_free_ char *avail = NULL, *from = NULL;

		if (nslab_cg_cpulist_parse(lim->cpuset, want) < 0)
			return nslab_err_set(err, EINVAL, "node %s: cpu-set '%s' is not a CPU list like 0-1,3", node,
					     lim->cpuset);
		avail = root_cpus(sys, sys->ctrl_hier[NSLAB_CG_CPUSET], &from);
		if (avail && nslab_cg_cpulist_parse(avail, have) == 0) {
			for (size_t b = 0; b < sizeof(want); b++)
				if (want[b] & ~have[b])
					return nslab_err_set(err, EINVAL,
							     "node %s: cpu-set %s is not within the CPUs nslab may use "
							     "(%s, from %s)",
							     node, lim->cpuset, avail, from);
		}
	}
	return 0;
}

int nslab_cg_check(const struct nslab_cg_sys *sys, const char *lab, const char *node,
		   const struct nslab_limits *lim, unsigned mask, struct nslab_err *err)
{
	return cg_check(sys, lab, node, lim, mask, err);
}
