// SPDX-License-Identifier: GPL-2.0-or-later
/* core/cgroup.c: per-node cgroup directories and limits on v1, hybrid and v2 hosts (contracts in cgroup.h). */
#include "cgroup.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <time.h>

#include "../util/util.h"
#include "rundir.h"

#ifndef CGROUP_SUPER_MAGIC
#define CGROUP_SUPER_MAGIC 0x27e0eb
#endif
#ifndef CGROUP2_SUPER_MAGIC
#define CGROUP2_SUPER_MAGIC 0x63677270
#endif

#define BIT(c) (1u << (c))
#define LIMIT_CTRLS (BIT(NSLAB_CG_CPU) | BIT(NSLAB_CG_CPUSET) | BIT(NSLAB_CG_MEMORY) | BIT(NSLAB_CG_PIDS))

static const char *const ctrl_names[NSLAB_CG__CTRL_COUNT] = {
	[NSLAB_CG_CPU] = "cpu",		[NSLAB_CG_CPUACCT] = "cpuacct", [NSLAB_CG_CPUSET] = "cpuset",
	[NSLAB_CG_MEMORY] = "memory",	[NSLAB_CG_PIDS] = "pids",	[NSLAB_CG_NET_CLS] = "net_cls",
};

const char *nslab_cg_ctrl_name(enum nslab_cg_ctrl c)
{
	return (unsigned)c < NSLAB_CG__CTRL_COUNT ? ctrl_names[c] : "?";
}

const char *nslab_cg_mode_name(enum nslab_cg_mode m)
{
	switch (m) {
	case NSLAB_CG_MODE_NONE:
		return "none";
	case NSLAB_CG_MODE_V1:
		return "v1";
	case NSLAB_CG_MODE_HYBRID:
		return "hybrid";
	case NSLAB_CG_MODE_V2:
		return "v2";
	}
	return "?";
}

static int ctrl_by_name(const char *s, size_t n)
{
	for (int c = 0; c < NSLAB_CG__CTRL_COUNT; c++)
		if (strlen(ctrl_names[c]) == n && strncmp(ctrl_names[c], s, n) == 0)
			return c;
	return -1;
}

/* What each limit field needs, and how a person calls it. */
static const struct {
	unsigned field;
	enum nslab_cg_ctrl ctrl;
	const char *what;
} field_tab[] = {
	{ NSLAB_CG_F_CPU, NSLAB_CG_CPU, "cpu limit" },
	{ NSLAB_CG_F_CPU_WEIGHT, NSLAB_CG_CPU, "cpu-weight" },
	{ NSLAB_CG_F_CPUSET, NSLAB_CG_CPUSET, "cpu-set" },
	{ NSLAB_CG_F_MEMORY, NSLAB_CG_MEMORY, "memory limit" },
	{ NSLAB_CG_F_PIDS, NSLAB_CG_PIDS, "pids limit" },
	{ NSLAB_CG_F_NET_CLS, NSLAB_CG_NET_CLS, "net-cls" },
};

/* Fields of mask that carry a value in lim (a limit to apply, not one to remove). */
static unsigned fields_set(const struct nslab_limits *lim, unsigned mask)
{
	unsigned f = 0;

	if (lim->cpu > 0)
		f |= NSLAB_CG_F_CPU;
	if (lim->cpu_weight)
		f |= NSLAB_CG_F_CPU_WEIGHT;
	if (lim->cpuset && *lim->cpuset)
		f |= NSLAB_CG_F_CPUSET;
	if (lim->memory_bytes)
		f |= NSLAB_CG_F_MEMORY;
	if (lim->pids)
		f |= NSLAB_CG_F_PIDS;
	if (lim->net_cls_auto || lim->net_cls)
		f |= NSLAB_CG_F_NET_CLS;
	return f & mask;
}

static unsigned fields_ctrls(unsigned fields)
{
	unsigned c = 0;

	for (size_t i = 0; i < ARRAY_SIZE(field_tab); i++)
		if (fields & field_tab[i].field)
			c |= BIT(field_tab[i].ctrl);
	return c;
}

/* ---- small file helpers ---- */

static char *read_trim(const char *path)
{
	char *buf = NULL;
	size_t len = 0;

	if (nslab_read_file(path, &buf, &len) < 0)
		return NULL;
	while (len && (buf[len - 1] == '\n' || buf[len - 1] == ' '))
		buf[--len] = '\0';
	return buf;
}

static bool exists(const char *path)
{
	return access(path, F_OK) == 0;
}

/* Write one value the way the kernel wants it: one write(). In a fake tree files are created;
 * cgroup.procs and cgroup.subtree_control accumulate as they appear to in the kernel. */
static int cg_write(const struct nslab_cg_sys *sys, const char *path, const char *val, struct nslab_err *err)
{
	bool acc = strstr(path, "/cgroup.procs") || strstr(path, "/cgroup.subtree_control");
	int flags = O_WRONLY | O_CLOEXEC;
	_cleanup_close_ int fd = -1;
	ssize_t w;

	if (sys && sys->fake)
		flags |= O_CREAT | (acc ? O_APPEND : O_TRUNC);
	fd = open(path, flags, 0644);
	if (fd < 0)
		return nslab_err_sys(err, errno, "opening %s", path);
	if (sys && sys->fake && acc)
		w = dprintf(fd, "%s\n", val);
	else
		w = write(fd, val, strlen(val));
	if (w < 0)
		return nslab_err_sys(err, errno, "writing '%s' to %s", val, path);
	return 0;
}

static int cg_writef(const struct nslab_cg_sys *sys, const char *dir, const char *file, struct nslab_err *err,
		     const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static int cg_writef(const struct nslab_cg_sys *sys, const char *dir, const char *file, struct nslab_err *err,
		     const char *fmt, ...)
{
	_cleanup_free_ char *path = xasprintf("%s/%s", dir, file);
	char val[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(val, sizeof(val), fmt, ap);
	va_end(ap);
	return cg_write(sys, path, val, err);
}

static bool has_file(const char *dir, const char *file)
{
	_cleanup_free_ char *path = xasprintf("%s/%s", dir, file);
	return exists(path);
}

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

static char *netcls_mountpoint(const char *rundir)
{
	return xasprintf("%s/.cgroup/net_cls", rundir);
}

static int add_hier(struct nslab_cg_sys *sys, const char *prefix, const char *mp, bool v2, unsigned ctrls,
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
		c = ctrl_by_name(name, strlen(name));
		if (c < 0)
			continue;
		sys->kernel_ctrls |= BIT(c);
		if (enabled)
			sys->enabled_ctrls |= BIT(c);
		if (hier)
			sys->v1_bound |= BIT(c);
	}
}

static unsigned parse_ctrl_words(const char *s, const char *seps)
{
	unsigned m = 0;

	while (*s) {
		size_t n = strcspn(s, seps);
		int c = ctrl_by_name(s, n);
		if (c >= 0)
			m |= BIT(c);
		s += n;
		s += strspn(s, seps);
	}
	return m;
}

static int parse_mountinfo(struct nslab_cg_sys *sys, const char *text, const char *prefix, struct nslab_err *err)
{
	_cleanup_free_ char *copy = xstrdup(text);
	_cleanup_free_ char *ours_mp = netcls_mountpoint(sys->rundir);
	bool have_v1 = false;
	char *save = NULL;
	int r;

	for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *f[64], *save2 = NULL;
		size_t n = 0, sep;
		const char *fstype, *super;
		char *mp;

		for (char *t = strtok_r(line, " ", &save2); t && n < ARRAY_SIZE(f); t = strtok_r(NULL, " ", &save2))
			f[n++] = t;
		for (sep = 6; sep < n && strcmp(f[sep], "-") != 0; sep++)
			;
		if (n < 7 || sep + 1 >= n)
			continue;
		fstype = f[sep + 1];
		super = sep + 3 < n ? f[sep + 3] : "";
		mp = f[4];
		unescape_octal(mp);
		if (strcmp(fstype, "cgroup2") == 0) {
			_cleanup_free_ char *cpath = NULL, *ctext = NULL;
			unsigned m;

			if (sys->v2 >= 0)
				continue; /* a second mount of the one unified hierarchy */
			r = add_hier(sys, prefix, mp, true, 0, err);
			if (r < 0)
				return r;
			sys->v2 = r;
			cpath = xasprintf("%s/cgroup.controllers", sys->hier[r].path);
			ctext = read_trim(cpath);
			m = ctext ? parse_ctrl_words(ctext, " \n") : 0;
			sys->hier[r].ctrls = m | BIT(NSLAB_CG_CPUACCT); /* cpu.stat is a core file */
		} else if (strcmp(fstype, "cgroup") == 0) {
			bool ours = strcmp(mp, ours_mp) == 0;
			unsigned m = parse_ctrl_words(super, ",");
			bool dup = false;

			if (!ours)
				have_v1 = true;
			if (!m)
				continue; /* name=systemd and the like: nothing we use */
			for (size_t i = 0; i < sys->nhier; i++)
				if (!sys->hier[i].v2 && (sys->hier[i].ctrls & m))
					dup = true; /* bind mount of a hierarchy we already have */
			if (dup)
				continue;
			r = add_hier(sys, prefix, mp, false, m, err);
			if (r < 0)
				return r;
			sys->hier[r].ours = ours;
		}
	}
	/* v1 hierarchies first: a controller bound there is not usable on v2 */
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

/* ---- paths ---- */

char *nslab_cg_relpath(const char *lab, const char *node)
{
	if (node)
		return xasprintf(NSLAB_CG_LAB_PREFIX "%s/" NSLAB_CG_NODE_PREFIX "%s", lab, node);
	return xasprintf(NSLAB_CG_LAB_PREFIX "%s", lab);
}

char *nslab_cg_path(const struct nslab_cg_sys *sys, size_t hier, const char *lab, const char *node)
{
	_cleanup_free_ char *rel = nslab_cg_relpath(lab, node);
	return xasprintf("%s/%s", sys->hier[hier].path, rel);
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

static int unavailable(const struct nslab_cg_sys *sys, const char *lab, const char *node, const char *what,
		       enum nslab_cg_ctrl c, struct nslab_err *err)
{
	const char *name = ctrl_names[c];
	char reason[PATH_MAX + 256];

	if (c == NSLAB_CG_NET_CLS && sys->mode == NSLAB_CG_MODE_V2) {
		_cleanup_free_ char *rel = nslab_cg_relpath(lab ? lab : "LAB", node);
		return nslab_err_set(err, EOPNOTSUPP,
				     "node %s: net-cls needs the cgroup v1 net_cls controller, and this host runs "
				     "cgroup v2 only (no net_cls there); classify the node's traffic with nftables "
				     "instead: 'socket cgroupv2 level 2 \"%s\"' in the node's namespace (e.g. "
				     "meta mark set ... then tc's fw filter)",
				     node, rel);
	}
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
static bool netcls_mountable(const struct nslab_cg_sys *sys)
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
		char *v = read_trim(p);
		if (v) {
			*from = p;
			return v;
		}
		free(p);
	}
	return NULL;
}

static int check(const struct nslab_cg_sys *sys, const char *lab, const char *node, const struct nslab_limits *lim,
		 unsigned mask, struct nslab_err *err)
{
	unsigned fields = fields_set(lim, mask);
	unsigned long long q;

	for (size_t i = 0; i < ARRAY_SIZE(field_tab); i++) {
		enum nslab_cg_ctrl c = field_tab[i].ctrl;
		if (!(fields & field_tab[i].field) || sys->ctrl_hier[c] >= 0)
			continue;
		if (c == NSLAB_CG_NET_CLS && netcls_mountable(sys))
			continue;
		return unavailable(sys, lab, node, field_tab[i].what, c, err);
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
	return check(sys, lab, node, lim, mask, err);
}

/* ---- directories ---- */

/* A fake tree (tests) has no kernel to fill a new cgroup: copy the names listed in <root>/.files. */
static void fake_populate(const struct nslab_cg_sys *sys, int h, const char *dir)
{
	_cleanup_free_ char *list = NULL, *lpath = xasprintf("%s/.files", sys->hier[h].path);
	char *save = NULL;

	if (!sys->fake || nslab_read_file(lpath, &list, NULL) < 0)
		return;
	for (char *n = strtok_r(list, " \n", &save); n; n = strtok_r(NULL, " \n", &save)) {
		_cleanup_free_ char *p = xasprintf("%s/%s", dir, n);
		nslab_write_file(p, "", 0, 0644);
	}
}

static int copy_file(const struct nslab_cg_sys *sys, const char *from_dir, const char *to_dir, const char *file,
		     struct nslab_err *err)
{
	_cleanup_free_ char *src = xasprintf("%s/%s", from_dir, file);
	_cleanup_free_ char *v = read_trim(src);

	if (!v)
		return nslab_err_sys(err, errno ? errno : EIO, "reading %s", src);
	if (!*v) /* an empty value cannot be written back; a fake tree may hold one */
		return 0;
	return cg_writef(sys, to_dir, file, err, "%s", v);
}

/* Make one level (journaled before the mkdir); v1 cpuset levels get the parent's cpus and mems. */
static int make_level(const struct nslab_cg_sys *sys, int h, const char *parent, const char *dir,
		      int (*journal)(void *ctx, const char *path), void *ctx, bool *created, struct nslab_err *err)
{
	const struct nslab_cg_hier *hi = &sys->hier[h];
	int r;

	if (created)
		*created = false;
	if (exists(dir))
		return 0;
	if (journal) {
		r = journal(ctx, dir);
		if (r < 0)
			return r;
	}
	if (mkdir(dir, 0755) < 0 && errno != EEXIST)
		return nslab_err_sys(err, errno, "creating cgroup %s", dir);
	if (created)
		*created = true;
	fake_populate(sys, h, dir);
	if (!hi->v2 && (hi->ctrls & BIT(NSLAB_CG_CPUSET))) {
		r = copy_file(sys, parent, dir, "cpuset.cpus", err);
		if (r == 0)
			r = copy_file(sys, parent, dir, "cpuset.mems", err);
		if (r < 0)
			return r;
	}
	return 0;
}

static bool token_in(const char *list, const char *word)
{
	size_t wl = strlen(word);

	while (*list) {
		size_t n;
		list += strspn(list, " \n+");
		n = strcspn(list, " \n");
		if (n == wl && strncmp(list, word, n) == 0)
			return true;
		list += n;
	}
	return false;
}

static int enable_ctrls(const struct nslab_cg_sys *sys, const char *dir, unsigned ctrls, struct nslab_err *err)
{
	_cleanup_free_ char *path = xasprintf("%s/cgroup.subtree_control", dir);
	_cleanup_free_ char *cur = read_trim(path);

	for (int c = 0; c < NSLAB_CG__CTRL_COUNT; c++) {
		char val[32];
		int r;

		if (!(ctrls & LIMIT_CTRLS & BIT(c)) || (cur && token_in(cur, ctrl_names[c])))
			continue;
		snprintf(val, sizeof(val), "+%s", ctrl_names[c]);
		r = cg_write(sys, path, val, err);
		if (r < 0) {
			if (-r == EBUSY)
				nslab_err_prefix(err, "%s holds processes, so it cannot hand controllers to child "
						      "cgroups (cgroup v2's no-internal-process rule)",
						 dir);
			return r;
		}
	}
	return 0;
}

/* Lab and node directory in hierarchy h. new_node: whether the node's directory was made now. */
static int ensure_node_dir(const struct nslab_cg_sys *sys, int h, const char *lab, const char *node,
			   unsigned ctrls, int (*journal)(void *ctx, const char *path), void *ctx, bool *new_node,
			   struct nslab_err *err)
{
	const struct nslab_cg_hier *hi = &sys->hier[h];
	_cleanup_free_ char *labdir = nslab_cg_path(sys, (size_t)h, lab, NULL);
	_cleanup_free_ char *nodedir = nslab_cg_path(sys, (size_t)h, lab, node);
	int r;

	if (hi->v2) {
		r = enable_ctrls(sys, hi->path, ctrls, err);
		if (r < 0)
			return r;
	}
	r = make_level(sys, h, hi->path, labdir, journal, ctx, NULL, err);
	if (r < 0)
		return r;
	if (hi->v2) {
		r = enable_ctrls(sys, labdir, ctrls, err);
		if (r < 0)
			return r;
	}
	return make_level(sys, h, labdir, nodedir, journal, ctx, new_node, err);
}

/* ---- private net_cls mount and its lock ---- */

static int cg_state_dir(const struct nslab_cg_sys *sys, struct nslab_err *err)
{
	_cleanup_free_ char *d = xasprintf("%s/.cgroup", sys->rundir);

	if (mkdir(sys->rundir, 0755) < 0 && errno != EEXIST)
		return nslab_err_sys(err, errno, "creating %s", sys->rundir);
	if (mkdir(d, 0700) < 0 && errno != EEXIST)
		return nslab_err_sys(err, errno, "creating %s", d);
	return 0;
}

/* flock RUNDIR/.cgroup: serializes mounting/unmounting net_cls between nslab processes. */
static int lock_state_dir(const struct nslab_cg_sys *sys, struct nslab_err *err)
{
	_cleanup_free_ char *d = xasprintf("%s/.cgroup", sys->rundir);
	int r = cg_state_dir(sys, err), fd;

	if (r < 0)
		return r;
	fd = open(d, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return nslab_err_sys(err, errno, "opening %s", d);
	if (flock(fd, LOCK_EX) < 0) {
		r = nslab_err_sys(err, errno, "locking %s", d);
		close(fd);
		return r;
	}
	return fd;
}

static int mount_netcls(struct nslab_cg_sys *sys, struct nslab_err *err)
{
	_cleanup_free_ char *mp = netcls_mountpoint(sys->rundir);
	int r;

	if (mkdir(mp, 0755) < 0 && errno != EEXIST)
		return nslab_err_sys(err, errno, "creating %s", mp);
	if (!sys->fake && mount("nslab-net_cls", mp, "cgroup", MS_NOSUID | MS_NODEV | MS_NOEXEC, "net_cls") < 0) {
		r = errno;
		rmdir(mp);
		if (r == EBUSY)
			return nslab_err_set(err, r,
					     "mounting the net_cls cgroup controller on %s: it is bound to a v1 "
					     "hierarchy together with other controllers (e.g. net_cls,net_prio) that is "
					     "not mounted here; mount that hierarchy and nslab will use it",
					     mp);
		return nslab_err_sys(err, r, "mounting the net_cls cgroup controller on %s", mp);
	}
	r = add_hier(sys, "", mp, false, BIT(NSLAB_CG_NET_CLS), err);
	if (r < 0)
		return r;
	sys->hier[r].ours = true;
	sys->ctrl_hier[NSLAB_CG_NET_CLS] = r;
	sys->v1_bound |= BIT(NSLAB_CG_NET_CLS);
	return 0;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	nanosleep(&ts, NULL);
}

/* num_cgroups of net_cls in /proc/cgroups (live and dying), 0 if unknown. */
static unsigned netcls_cgroups(void)
{
	_cleanup_free_ char *text = NULL;
	char name[64];
	unsigned hier, num = 0, en;

	if (nslab_read_file("/proc/cgroups", &text, NULL) < 0)
		return 0;
	for (char *l = text; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
		if (sscanf(l, "%63s %u %u %u", name, &hier, &num, &en) == 4 && strcmp(name, "net_cls") == 0)
			return num;
	return 0;
}

/* Unmount our net_cls when no cgroup is left in it; remove RUNDIR/.cgroup when empty. */
static void maybe_unmount_netcls(struct nslab_cg_sys *sys)
{
	_cleanup_free_ char *d = xasprintf("%s/.cgroup", sys->rundir);
	int h = sys->ctrl_hier[NSLAB_CG_NET_CLS];
	bool busy = false;
	DIR *dir;
	struct dirent *de;

	if (h < 0 || !sys->hier[h].ours)
		return;
	dir = opendir(sys->hier[h].path);
	while (dir && (de = readdir(dir)))
		if (de->d_type == DT_DIR && strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			busy = true;
	if (dir)
		closedir(dir);
	if (busy)
		return;
	/* the kernel keeps a v1 hierarchy alive after umount while removed cgroups are still dying in it:
	 * wait for them (a few ms), so that net_cls ends unbound again as we found it */
	for (int i = 0; !sys->fake && i < 200 && netcls_cgroups() > 1; i++)
		sleep_ms(10);
	if (!sys->fake && umount2(sys->hier[h].path, 0) < 0 && umount2(sys->hier[h].path, MNT_DETACH) < 0)
		return;
	rmdir(sys->hier[h].path);
	sys->hier[h].ctrls = 0;
	sys->ctrl_hier[NSLAB_CG_NET_CLS] = -1;
	sys->v1_bound &= ~BIT(NSLAB_CG_NET_CLS);
	rmdir(d); /* only when the classids file is gone too */
}

/* ---- classids ---- */

struct classid_ent {
	unsigned id;
	char lab[NSLAB_NAME_MAX + 1], node[NSLAB_NAME_MAX + 1];
};

static int classids_open(const char *rundir, bool create, struct nslab_err *err)
{
	_cleanup_free_ char *d = xasprintf("%s/.cgroup", rundir);
	_cleanup_free_ char *p = xasprintf("%s/.cgroup/classids", rundir);
	int fd;

	if (create) {
		if (mkdir(rundir, 0755) < 0 && errno != EEXIST)
			return nslab_err_sys(err, errno, "creating %s", rundir);
		if (mkdir(d, 0700) < 0 && errno != EEXIST)
			return nslab_err_sys(err, errno, "creating %s", d);
	}
	fd = open(p, O_RDWR | O_CLOEXEC | (create ? O_CREAT : 0), 0600);
	if (fd < 0)
		return errno == ENOENT && !create ? -ENOENT : nslab_err_sys(err, errno, "opening %s", p);
	if (flock(fd, LOCK_EX) < 0) {
		int e = errno;
		close(fd);
		return nslab_err_sys(err, e, "locking %s", p);
	}
	return fd;
}

static size_t classids_read(int fd, struct classid_ent **out)
{
	struct classid_ent *v = NULL;
	size_t n = 0;
	char buf[256];
	FILE *f;
	int dfd = dup(fd);

	*out = NULL;
	if (dfd < 0)
		return 0;
	lseek(dfd, 0, SEEK_SET);
	f = fdopen(dfd, "r");
	if (!f) {
		close(dfd);
		return 0;
	}
	while (fgets(buf, sizeof(buf), f)) {
		struct classid_ent e;
		if (sscanf(buf, "%x %48s %48s", &e.id, e.lab, e.node) == 3)
			*VEC_PUSH(v, n) = e;
	}
	fclose(f);
	*out = v;
	return n;
}

static int classids_write(int fd, const char *rundir, const struct classid_ent *v, size_t n, struct nslab_err *err)
{
	_cleanup_free_ char *p = xasprintf("%s/.cgroup/classids", rundir);

	if (!n) {
		unlink(p);
		return 0;
	}
	if (ftruncate(fd, 0) < 0 || lseek(fd, 0, SEEK_SET) < 0)
		return nslab_err_sys(err, errno, "truncating %s", p);
	for (size_t i = 0; i < n; i++)
		if (dprintf(fd, "0x%08x %s %s\n", v[i].id, v[i].lab, v[i].node) < 0)
			return nslab_err_sys(err, errno, "writing %s", p);
	return 0;
}

int nslab_cg_classid_alloc(const char *rundir, const char *lab, const char *node, unsigned explicit_id,
			   unsigned *classid, struct nslab_err *err)
{
	_cleanup_free_ struct classid_ent *v = NULL;
	_cleanup_close_ int fd = classids_open(rundir, true, err);
	size_t n, k = 0;
	long mine = -1;
	unsigned id = explicit_id;

	if (fd < 0)
		return fd;
	n = classids_read(fd, &v);
	/* drop lines of labs that are gone (a crash between deploy and destroy) */
	for (size_t i = 0; i < n; i++) {
		_cleanup_free_ char *labdir = xasprintf("%s/%s", rundir, v[i].lab);
		if (strcmp(v[i].lab, lab) != 0 && !exists(labdir))
			continue;
		v[k] = v[i];
		if (strcmp(v[k].lab, lab) == 0 && strcmp(v[k].node, node) == 0)
			mine = (long)k;
		k++;
	}
	n = k;
	if (!id && mine >= 0 && (v[mine].id >> 16) == NSLAB_CG_CLASSID_MAJOR)
		id = v[mine].id;
	for (unsigned minor = 1; !id && minor <= 0xffff; minor++) {
		unsigned cand = NSLAB_CG_CLASSID_MAJOR << 16 | minor;
		bool used = false;
		for (size_t i = 0; i < n && !used; i++)
			used = v[i].id == cand;
		if (!used)
			id = cand;
	}
	if (!id)
		return nslab_err_set(err, ENOSPC, "node %s: no free net_cls classid 0x%04x:xxxx left", node,
				     NSLAB_CG_CLASSID_MAJOR);
	if (mine < 0) {
		struct classid_ent *e = VEC_PUSH(v, n);
		nslab_strlcpy(e->lab, lab, sizeof(e->lab));
		nslab_strlcpy(e->node, node, sizeof(e->node));
		mine = (long)n - 1;
	}
	v[mine].id = id;
	*classid = id;
	return classids_write(fd, rundir, v, n, err);
}

int nslab_cg_classid_release(const char *rundir, const char *lab, struct nslab_err *err)
{
	_cleanup_free_ struct classid_ent *v = NULL;
	_cleanup_close_ int fd = classids_open(rundir, false, err);
	size_t n, k = 0;

	if (fd == -ENOENT)
		return 0;
	if (fd < 0)
		return fd;
	n = classids_read(fd, &v);
	for (size_t i = 0; i < n; i++)
		if (strcmp(v[i].lab, lab) != 0)
			v[k++] = v[i];
	if (k == n)
		return 0;
	return classids_write(fd, rundir, v, k, err);
}

/* ---- limits ---- */

static int node_dir_of(const struct nslab_cg_sys *sys, enum nslab_cg_ctrl c, const char *lab, const char *node,
		       char **dir)
{
	int h = sys->ctrl_hier[c];

	*dir = NULL;
	if (h < 0)
		return -EOPNOTSUPP;
	*dir = nslab_cg_path(sys, (size_t)h, lab, node);
	if (!exists(*dir)) {
		free(*dir);
		*dir = NULL;
		return -ENOENT;
	}
	return 0;
}

static int write_memory(const struct nslab_cg_sys *sys, const char *dir, unsigned long long bytes,
			struct nslab_err *err)
{
	bool v2 = sys->hier[sys->ctrl_hier[NSLAB_CG_MEMORY]].v2;
	char val[32];
	int r;

	if (v2) {
		if (bytes)
			snprintf(val, sizeof(val), "%llu", bytes);
		else
			snprintf(val, sizeof(val), "max");
		r = cg_writef(sys, dir, "memory.max", err, "%s", val);
		/* no swap: a node over its limit is OOM-killed instead of swapping */
		if (r == 0 && has_file(dir, "memory.swap.max"))
			r = cg_writef(sys, dir, "memory.swap.max", err, "%s", bytes ? "0" : "max");
		return r;
	}
	snprintf(val, sizeof(val), "%lld", bytes ? (long long)bytes : -1LL);
	/* memsw must stay >= limit: lower the limit first, or raise memsw first */
	r = cg_writef(sys, dir, "memory.limit_in_bytes", err, "%s", val);
	if (!has_file(dir, "memory.memsw.limit_in_bytes"))
		return r;
	if (r == -EINVAL) {
		r = cg_writef(sys, dir, "memory.memsw.limit_in_bytes", err, "%s", val);
		return r < 0 ? r : cg_writef(sys, dir, "memory.limit_in_bytes", err, "%s", val);
	}
	return r < 0 ? r : cg_writef(sys, dir, "memory.memsw.limit_in_bytes", err, "%s", val);
}

static int write_field(struct nslab_cg_sys *sys, const char *lab, const char *node, const struct nslab_limits *lim,
		       unsigned field, enum nslab_cg_ctrl c, struct nslab_err *err)
{
	_cleanup_free_ char *dir = NULL;
	bool v2;
	int r = node_dir_of(sys, c, lab, node, &dir);

	if (r == -ENOENT || r == -EOPNOTSUPP)
		return 0; /* removing a limit that was never set */
	v2 = sys->hier[sys->ctrl_hier[c]].v2;
	switch ((enum nslab_cg_field)field) {
	case NSLAB_CG_F_CPU: {
		unsigned long long q = 0;
		char val[64];
		r = nslab_cg_cpu_quota_us(lim->cpu, &q);
		if (r < 0)
			return nslab_err_set(err, ERANGE, "cpu limit %g is out of range", lim->cpu);
		if (v2) {
			nslab_cg_cpu_max(q, val, sizeof(val));
			return cg_writef(sys, dir, "cpu.max", err, "%s", val);
		}
		r = cg_writef(sys, dir, "cpu.cfs_period_us", err, "%llu", NSLAB_CG_CPU_PERIOD_US);
		if (r == 0)
			r = cg_writef(sys, dir, "cpu.cfs_quota_us", err, "%lld", q ? (long long)q : -1LL);
		return r;
	}
	case NSLAB_CG_F_CPU_WEIGHT:
		if (v2)
			return cg_writef(sys, dir, "cpu.weight", err, "%u", lim->cpu_weight ? lim->cpu_weight : 100);
		return cg_writef(sys, dir, "cpu.shares", err, "%lu", nslab_cg_weight_to_shares(lim->cpu_weight));
	case NSLAB_CG_F_CPUSET:
		if (lim->cpuset && *lim->cpuset)
			return cg_writef(sys, dir, "cpuset.cpus", err, "%s", lim->cpuset);
		if (v2)
			return cg_writef(sys, dir, "cpuset.cpus", err, "\n"); /* empty: the parent's */
		{
			_cleanup_free_ char *parent = xstrdup(dir);
			*strrchr(parent, '/') = '\0';
			return copy_file(sys, parent, dir, "cpuset.cpus", err);
		}
	case NSLAB_CG_F_MEMORY:
		return write_memory(sys, dir, lim->memory_bytes, err);
	case NSLAB_CG_F_PIDS:
		if (lim->pids)
			return cg_writef(sys, dir, "pids.max", err, "%lu", lim->pids);
		return cg_writef(sys, dir, "pids.max", err, "max");
	case NSLAB_CG_F_NET_CLS: {
		unsigned id = 0;
		if (lim->net_cls_auto || lim->net_cls) {
			r = nslab_cg_classid_alloc(sys->rundir, lab, node, lim->net_cls_auto ? 0 : lim->net_cls, &id,
						   err);
			if (r < 0)
				return r;
		}
		return cg_writef(sys, dir, "net_cls.classid", err, "%u", id);
	}
	case NSLAB_CG_F_ALL:
	case NSLAB_CG_F_ACCOUNT:
		break;
	}
	return 0;
}

static int write_limits(struct nslab_cg_sys *sys, const char *lab, const char *node, const struct nslab_limits *lim,
			unsigned mask, struct nslab_err *err)
{
	for (size_t i = 0; i < ARRAY_SIZE(field_tab); i++) {
		int r;
		if (!(mask & field_tab[i].field))
			continue;
		r = write_field(sys, lab, node, lim, field_tab[i].field, field_tab[i].ctrl, err);
		if (r < 0)
			return nslab_err_prefix(err, "node %s: %s", node, field_tab[i].what);
	}
	return 0;
}

/* Create what the fields need (and the accounting controllers when asked). new_hiers: bit per hier index
 * whose node directory was made now. */
static int ensure_dirs(struct nslab_cg_sys *sys, const char *lab, const char *node, unsigned ctrls,
		       int (*journal)(void *ctx, const char *path), void *ctx, unsigned *new_hiers,
		       struct nslab_err *err)
{
	*new_hiers = 0;
	for (size_t h = 0; h < sys->nhier; h++) {
		unsigned mine = 0;
		bool made = false;
		int r;

		for (int c = 0; c < NSLAB_CG__CTRL_COUNT; c++)
			if ((ctrls & BIT(c)) && sys->ctrl_hier[c] == (int)h)
				mine |= BIT(c);
		if (!mine)
			continue;
		r = ensure_node_dir(sys, (int)h, lab, node, mine, journal, ctx, &made, err);
		if (r < 0)
			return nslab_err_prefix(err, "node %s", node);
		if (made)
			*new_hiers |= 1u << h;
	}
	return 0;
}

static unsigned avail_ctrls(const struct nslab_cg_sys *sys, unsigned ctrls)
{
	unsigned m = 0;
	for (int c = 0; c < NSLAB_CG__CTRL_COUNT; c++)
		if ((ctrls & BIT(c)) && sys->ctrl_hier[c] >= 0)
			m |= BIT(c);
	return m;
}

static int apply(struct nslab_cg_sys *sys, const char *lab, const char *node, const struct nslab_limits *lim,
		 unsigned mask, unsigned write_mask, int (*journal)(void *ctx, const char *path), void *ctx,
		 unsigned *new_hiers, struct nslab_err *err)
{
	unsigned fields = fields_set(lim, mask);
	unsigned ctrls = fields_ctrls(fields);
	int lockfd = -1, r;

	r = check(sys, lab, node, lim, mask, err);
	if (r < 0)
		return r;
	if (fields & NSLAB_CG_F_CPU)
		ctrls |= BIT(NSLAB_CG_CPUACCT); /* usage next to the limit, where available */
	/* no memory controller for accounting alone: a memory cgroup per node is the costliest part of a
	 * big deploy (see bench/PROFILE.md); nslab_cg_usage() sums the processes' PSS instead */
	if (mask & NSLAB_CG_F_ACCOUNT)
		ctrls |= BIT(NSLAB_CG_CPUACCT) | BIT(NSLAB_CG_PIDS);
	ctrls = avail_ctrls(sys, ctrls) | (ctrls & fields_ctrls(fields));
	if (ctrls & BIT(NSLAB_CG_NET_CLS)) {
		int h = sys->ctrl_hier[NSLAB_CG_NET_CLS];
		if (h < 0 || sys->hier[h].ours) {
			lockfd = lock_state_dir(sys, err);
			if (lockfd < 0)
				return nslab_err_prefix(err, "node %s: net-cls", node);
		}
		if (h < 0) {
			r = mount_netcls(sys, err);
			if (r < 0) {
				close(lockfd);
				return nslab_err_prefix(err, "node %s: net-cls", node);
			}
		}
	}
	r = ensure_dirs(sys, lab, node, ctrls, journal, ctx, new_hiers, err);
	if (r == 0)
		r = write_limits(sys, lab, node, lim, write_mask, err);
	if (lockfd >= 0)
		close(lockfd);
	return r;
}

int nslab_cg_prepare_node(struct nslab_cg_sys *sys, const char *lab, const char *node,
			  const struct nslab_limits *lim, unsigned mask,
			  int (*journal)(void *ctx, const char *path), void *ctx, struct nslab_err *err)
{
	unsigned new_hiers;

	return apply(sys, lab, node, lim, mask, fields_set(lim, mask), journal, ctx, &new_hiers, err);
}

/* ---- processes ---- */

static int write_pid(const struct nslab_cg_sys *sys, const char *dir, pid_t pid, struct nslab_err *err)
{
	return cg_writef(sys, dir, "cgroup.procs", err, "%d", (int)pid);
}

int nslab_cg_attach(const struct nslab_cg_sys *sys, const char *lab, const char *node, pid_t pid,
		    struct nslab_err *err)
{
	for (size_t h = 0; h < sys->nhier; h++) {
		_cleanup_free_ char *dir = NULL;
		int r;

		if (!sys->hier[h].ctrls)
			continue;
		dir = nslab_cg_path(sys, h, lab, node);
		if (!exists(dir))
			continue;
		r = write_pid(sys, dir, pid, err);
		if (r < 0)
			return nslab_err_prefix(err, "node %s: moving process %d into its cgroup", node, (int)pid);
	}
	return 0;
}

/* The hierarchy a /proc/PID/cgroup line names ("0::/path" or "4:memory:/path"). */
static int hier_of_line(const struct nslab_cg_sys *sys, const char *ctrls)
{
	unsigned m;

	if (!*ctrls)
		return sys->v2;
	m = parse_ctrl_words(ctrls, ",");
	for (size_t h = 0; h < sys->nhier; h++)
		if (!sys->hier[h].v2 && (sys->hier[h].ctrls & m))
			return (int)h;
	return -1;
}

static bool nslab_owned(const char *path)
{
	const char *p = strstr(path, "/" NSLAB_CG_LAB_PREFIX);

	return p && p[sizeof(NSLAB_CG_LAB_PREFIX)] && p[sizeof(NSLAB_CG_LAB_PREFIX)] != '/' && !strstr(path, "/../") &&
	       !strstr(path, "/./");
}

int nslab_cg_join_pid_cgroups(const struct nslab_cg_sys *sys, pid_t pid, struct nslab_err *err)
{
	char path[64];
	_cleanup_free_ char *text = NULL;
	char *save = NULL;
	int r;

	snprintf(path, sizeof(path), "/proc/%d/cgroup", (int)pid);
	r = nslab_read_file(path, &text, NULL);
	if (r < 0)
		return nslab_err_sys(err, -r, "reading %s", path);
	for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *c1 = strchr(line, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
		_cleanup_free_ char *dir = NULL;
		int h;

		if (!c2)
			continue;
		*c2 = '\0';
		if (!nslab_owned(c2 + 1))
			continue;
		h = hier_of_line(sys, c1 + 1);
		if (h < 0)
			continue;
		dir = xasprintf("%s%s", sys->hier[h].path, c2 + 1);
		r = write_pid(sys, dir, 0, err);
		if (r < 0)
			return nslab_err_prefix(err, "joining the cgroups of process %d", (int)pid);
	}
	return 0;
}

static bool same_pidns(pid_t a, pid_t b)
{
	char pa[64], pb[64];
	struct stat sa, sb;

	snprintf(pa, sizeof(pa), "/proc/%d/ns/pid", (int)a);
	snprintf(pb, sizeof(pb), "/proc/%d/ns/pid", (int)b);
	return stat(pa, &sa) == 0 && stat(pb, &sb) == 0 && sa.st_ino == sb.st_ino && sa.st_dev == sb.st_dev;
}

/* Move node_pid and every process of its PID namespace into dir. */
static int move_node_procs(const struct nslab_cg_sys *sys, const char *dir, pid_t node_pid, struct nslab_err *err)
{
	DIR *d;
	struct dirent *de;
	int r = write_pid(sys, dir, node_pid, err);

	if (r < 0 || same_pidns(node_pid, getpid()))
		return r;
	d = opendir("/proc");
	if (!d)
		return nslab_err_sys(err, errno, "opening /proc");
	while ((de = readdir(d))) {
		pid_t p = (pid_t)atoi(de->d_name);
		if (p <= 0 || p == node_pid || !same_pidns(p, node_pid))
			continue;
		r = write_pid(sys, dir, p, err);
		if (r == -ESRCH)
			r = 0; /* exited meanwhile */
		if (r < 0)
			break;
	}
	closedir(d);
	return r;
}

int nslab_cg_set(struct nslab_cg_sys *sys, const char *lab, const char *node, const struct nslab_limits *lim,
		 unsigned mask, pid_t node_pid, int (*journal)(void *ctx, const char *path), void *ctx,
		 struct nslab_err *err)
{
	unsigned new_hiers = 0;
	int r;

	mask &= NSLAB_CG_F_ALL;
	r = apply(sys, lab, node, lim, mask, mask, journal, ctx, &new_hiers, err);
	if (r < 0)
		return r;
	for (size_t h = 0; h < sys->nhier && node_pid > 0; h++) {
		_cleanup_free_ char *dir = NULL;
		if (!(new_hiers & (1u << h)))
			continue;
		dir = nslab_cg_path(sys, h, lab, node);
		r = move_node_procs(sys, dir, node_pid, err);
		if (r < 0)
			return nslab_err_prefix(err, "node %s: moving its processes into %s", node, dir);
	}
	return 0;
}

/* ---- usage ---- */

static bool read_u64(const char *dir, const char *file, uint64_t *v)
{
	_cleanup_free_ char *p = xasprintf("%s/%s", dir, file);
	_cleanup_free_ char *s = read_trim(p);

	if (!s)
		return false;
	if (strcmp(s, "max") == 0) {
		*v = UINT64_MAX;
		return true;
	}
	return sscanf(s, "%" SCNu64, v) == 1;
}

/* "key value" lines (cpu.stat, memory.events, memory.oom_control). */
static bool read_key(const char *dir, const char *file, const char *key, uint64_t *v)
{
	_cleanup_free_ char *p = xasprintf("%s/%s", dir, file);
	_cleanup_free_ char *s = read_trim(p);
	size_t kl = strlen(key);

	for (char *l = s; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : l + strlen(l))
		if (strncmp(l, key, kl) == 0 && l[kl] == ' ')
			return sscanf(l + kl + 1, "%" SCNu64, v) == 1;
	return false;
}

/* Sum of the proportional set sizes of the processes listed in dir/cgroup.procs (bytes). */
static bool procs_pss(const char *dir, uint64_t *bytes)
{
	_cleanup_free_ char *p = xasprintf("%s/cgroup.procs", dir);
	_cleanup_fclose_ FILE *f = fopen(p, "re");
	char line[64];

	*bytes = 0;
	if (!f)
		return false;
	while (fgets(line, sizeof(line), f)) {
		char path[64], buf[256];
		uint64_t kb;
		snprintf(path, sizeof(path), "/proc/%d/smaps_rollup", atoi(line));
		_cleanup_fclose_ FILE *sm = fopen(path, "re");
		while (sm && fgets(buf, sizeof(buf), sm))
			if (sscanf(buf, "Pss: %" SCNu64 " kB", &kb) == 1) {
				*bytes += kb * 1024;
				break;
			}
	}
	return true;
}

int nslab_cg_usage(const struct nslab_cg_sys *sys, const char *lab, const char *node, struct nslab_cg_usage *u)
{
	_cleanup_free_ char *cpu = NULL, *mem = NULL, *pids = NULL, *cls = NULL;
	bool any = false;

	memset(u, 0, sizeof(*u));
	u->mem_max = u->pids_max = UINT64_MAX;
	if (node_dir_of(sys, NSLAB_CG_CPUACCT, lab, node, &cpu) == 0) {
		any = true;
		if (sys->hier[sys->ctrl_hier[NSLAB_CG_CPUACCT]].v2) {
			uint64_t us;
			if (read_key(cpu, "cpu.stat", "usage_usec", &us)) {
				u->cpu_ns = us * 1000;
				u->have |= NSLAB_CG_HAVE_CPU;
			}
		} else if (read_u64(cpu, "cpuacct.usage", &u->cpu_ns)) {
			u->have |= NSLAB_CG_HAVE_CPU;
		}
	}
	if (node_dir_of(sys, NSLAB_CG_MEMORY, lab, node, &mem) == 0) {
		bool v2 = sys->hier[sys->ctrl_hier[NSLAB_CG_MEMORY]].v2;
		any = true;
		if (read_u64(mem, v2 ? "memory.current" : "memory.usage_in_bytes", &u->mem_current) &&
		    read_u64(mem, v2 ? "memory.max" : "memory.limit_in_bytes", &u->mem_max))
			u->have |= NSLAB_CG_HAVE_MEM;
		if (!v2 && u->mem_max >= (1ULL << 62)) /* v1 says "unlimited" with PAGE_COUNTER_MAX */
			u->mem_max = UINT64_MAX;
		if (read_key(mem, v2 ? "memory.events" : "memory.oom_control", "oom_kill", &u->oom_kills))
			u->have |= NSLAB_CG_HAVE_OOM;
	}
	if (node_dir_of(sys, NSLAB_CG_PIDS, lab, node, &pids) == 0) {
		any = true;
		if (read_u64(pids, "pids.current", &u->pids_current) && read_u64(pids, "pids.max", &u->pids_max))
			u->have |= NSLAB_CG_HAVE_PIDS;
	}
	if (!(u->have & NSLAB_CG_HAVE_MEM) && (pids || cpu) && procs_pss(pids ? pids : cpu, &u->mem_current))
		u->have |= NSLAB_CG_HAVE_MEM | NSLAB_CG_HAVE_MEM_PSS;
	if (node_dir_of(sys, NSLAB_CG_NET_CLS, lab, node, &cls) == 0) {
		uint64_t id;
		any = true;
		if (read_u64(cls, "net_cls.classid", &id)) {
			u->classid = (unsigned)id;
			u->have |= NSLAB_CG_HAVE_CLASSID;
		}
	}
	if (!any) {
		/* cpuset-only nodes still count as having a cgroup */
		for (size_t h = 0; h < sys->nhier && !any; h++) {
			_cleanup_free_ char *d = nslab_cg_path(sys, h, lab, node);
			any = sys->hier[h].ctrls && exists(d);
		}
	}
	return any ? 0 : -ENOENT;
}

/* ---- removal ---- */

static bool on_cgroupfs(const char *path)
{
	struct statfs st;
	return statfs(path, &st) == 0 &&
	       ((unsigned long)st.f_type == CGROUP_SUPER_MAGIC || (unsigned long)st.f_type == CGROUP2_SUPER_MAGIC);
}

/* SIGKILL every process listed in dir/cgroup.procs but ourselves; returns how many were listed. */
static size_t kill_listed(const char *dir)
{
	_cleanup_free_ char *p = xasprintf("%s/cgroup.procs", dir);
	_cleanup_free_ char *s = read_trim(p);
	size_t n = 0;
	char *save = NULL;

	for (char *t = s ? strtok_r(s, "\n", &save) : NULL; t; t = strtok_r(NULL, "\n", &save)) {
		pid_t pid = (pid_t)atoi(t);
		if (pid > 0 && pid != getpid()) {
			kill(pid, SIGKILL);
			n++;
		}
	}
	return n;
}

int nslab_cg_remove(const char *path, struct nslab_err *err)
{
	_cleanup_free_ char *kill_file = xasprintf("%s/cgroup.kill", path);
	DIR *d;
	struct dirent *de;
	bool cgfs;
	int r = 0;

	if (!nslab_owned(path))
		return nslab_err_set(err, EPERM, "refusing to remove %s: not an nslab cgroup (no " NSLAB_CG_LAB_PREFIX
						 " directory in its path)",
				     path);
	d = opendir(path);
	if (!d) {
		if (errno == ENOENT)
			return 0;
		return nslab_err_sys(err, errno, "opening %s", path);
	}
	/* children first: a node may have made cgroups of its own */
	while (r == 0 && (de = readdir(d))) {
		_cleanup_free_ char *child = NULL;
		if (de->d_type != DT_DIR || !strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		child = xasprintf("%s/%s", path, de->d_name);
		r = nslab_cg_remove(child, err);
	}
	closedir(d);
	if (r < 0)
		return r;
	cgfs = on_cgroupfs(path);
	if (cgfs && exists(kill_file)) {
		int fd = open(kill_file, O_WRONLY | O_CLOEXEC);
		if (fd >= 0) {
			if (write(fd, "1", 1) < 0) {
				/* fall back to killing by the list below */
			}
			close(fd);
		}
	}
	for (int i = 0; i < 500; i++) {
		if (cgfs)
			kill_listed(path);
		if (rmdir(path) == 0 || errno == ENOENT)
			return 0;
		if (errno != EBUSY)
			return nslab_err_sys(err, errno, "removing cgroup %s", path);
		sleep_ms(10);
	}
	return nslab_err_sys(err, EBUSY, "removing cgroup %s (processes still in it after 5 s)", path);
}

int nslab_cg_remove_lab(struct nslab_cg_sys *sys, const char *lab, struct nslab_err *err)
{
	int first = 0, lockfd = -1, r;

	for (size_t h = 0; h < sys->nhier; h++) {
		_cleanup_free_ char *dir = NULL;
		if (!sys->hier[h].ctrls)
			continue;
		dir = nslab_cg_path(sys, h, lab, NULL);
		r = nslab_cg_remove(dir, err);
		if (r < 0 && !first)
			first = r;
	}
	if (first < 0)
		return nslab_err_prefix(err, "removing the cgroups of lab %s", lab);
	r = nslab_cg_classid_release(sys->rundir, lab, err);
	if (r < 0)
		return r;
	if (sys->ctrl_hier[NSLAB_CG_NET_CLS] >= 0 && sys->hier[sys->ctrl_hier[NSLAB_CG_NET_CLS]].ours) {
		lockfd = lock_state_dir(sys, err);
		if (lockfd < 0)
			return lockfd;
		maybe_unmount_netcls(sys);
		close(lockfd);
	}
	return 0;
}
