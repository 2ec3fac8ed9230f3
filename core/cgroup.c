// SPDX-License-Identifier: GPL-2.0-or-later
/* core/cgroup.c: what the cgroup files share: controller names, the limit field table, paths and the small
 * file helpers (contracts in cgroup.h and cgroup_int.h). */
#include "cgroup_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/vfs.h>
#include <time.h>
#include <unistd.h>

#include "../util/util.h"

#ifndef CGROUP_SUPER_MAGIC
#define CGROUP_SUPER_MAGIC 0x27e0eb
#endif
#ifndef CGROUP2_SUPER_MAGIC
#define CGROUP2_SUPER_MAGIC 0x63677270
#endif

const char *const cg_ctrl_names[NSLAB_CG__CTRL_COUNT] = {
	[NSLAB_CG_CPU] = "cpu",		[NSLAB_CG_CPUACCT] = "cpuacct", [NSLAB_CG_CPUSET] = "cpuset",
	[NSLAB_CG_MEMORY] = "memory",	[NSLAB_CG_PIDS] = "pids",	[NSLAB_CG_NET_CLS] = "net_cls",
};

const char *nslab_cg_ctrl_name(enum nslab_cg_ctrl c)
{
	return (unsigned)c < NSLAB_CG__CTRL_COUNT ? cg_ctrl_names[c] : "?";
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

int cg_ctrl_by_name(const char *s, size_t n)
{
	for (int c = 0; c < NSLAB_CG__CTRL_COUNT; c++)
		if (strlen(cg_ctrl_names[c]) == n && strncmp(cg_ctrl_names[c], s, n) == 0)
			return c;
	return -1;
}

/* What each limit field needs, and how a person calls it. */
const struct cg_field cg_field_tab[] = {
	{ NSLAB_CG_F_CPU, NSLAB_CG_CPU, "cpu limit" },
	{ NSLAB_CG_F_CPU_WEIGHT, NSLAB_CG_CPU, "cpu-weight" },
	{ NSLAB_CG_F_CPUSET, NSLAB_CG_CPUSET, "cpu-set" },
	{ NSLAB_CG_F_MEMORY, NSLAB_CG_MEMORY, "memory limit" },
	{ NSLAB_CG_F_PIDS, NSLAB_CG_PIDS, "pids limit" },
	{ NSLAB_CG_F_NET_CLS, NSLAB_CG_NET_CLS, "net-cls" },
};
const size_t cg_nfields = ARRAY_SIZE(cg_field_tab);

/* Fields of mask that carry a value in lim (a limit to apply, not one to remove). */
unsigned cg_fields_set(const struct nslab_limits *lim, unsigned mask)
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

unsigned cg_fields_ctrls(unsigned fields)
{
	unsigned c = 0;

	for (size_t i = 0; i < ARRAY_SIZE(cg_field_tab); i++)
		if (fields & cg_field_tab[i].field)
			c |= BIT(cg_field_tab[i].ctrl);
	return c;
}

/* ---- small file helpers ---- */

char *cg_read_trim(const char *path)
{
	char *buf = NULL;
	size_t len = 0;

	if (nslab_read_file(path, &buf, &len) < 0)
		return NULL;
	while (len && (buf[len - 1] == '\n' || buf[len - 1] == ' '))
		buf[--len] = '\0';
	return buf;
}

bool cg_exists(const char *path)
{
	return access(path, F_OK) == 0;
}

/* Write one value the way the kernel wants it: one write(). In a fake tree files are created;
 * cgroup.procs and cgroup.subtree_control accumulate as they appear to in the kernel. */
int cg_write(const struct nslab_cg_sys *sys, const char *path, const char *val, struct nslab_err *err)
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

int cg_writef(const struct nslab_cg_sys *sys, const char *dir, const char *file, struct nslab_err *err,
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

bool cg_has_file(const char *dir, const char *file)
{
	_cleanup_free_ char *path = xasprintf("%s/%s", dir, file);
	return cg_exists(path);
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

int cg_copy_file(const struct nslab_cg_sys *sys, const char *from_dir, const char *to_dir, const char *file,
		 struct nslab_err *err)
{
	_cleanup_free_ char *src = xasprintf("%s/%s", from_dir, file);
	_cleanup_free_ char *v = cg_read_trim(src);

	if (!v)
		return nslab_err_sys(err, errno ? errno : EIO, "reading %s", src);
	if (!*v) /* an empty value cannot be written back; a fake tree may hold one */
		return 0;
	return cg_writef(sys, to_dir, file, err, "%s", v);
}

int cg_node_dir_of(const struct nslab_cg_sys *sys, enum nslab_cg_ctrl c, const char *lab, const char *node,
		   char **dir)
{
	int h = sys->ctrl_hier[c];

	*dir = NULL;
	if (h < 0)
		return -EOPNOTSUPP;
	*dir = nslab_cg_path(sys, (size_t)h, lab, node);
	if (!cg_exists(*dir)) {
		free(*dir);
		*dir = NULL;
		return -ENOENT;
	}
	return 0;
}

bool cg_owned(const char *path)
{
	const char *p = strstr(path, "/" NSLAB_CG_LAB_PREFIX);

	return p && p[sizeof(NSLAB_CG_LAB_PREFIX)] && p[sizeof(NSLAB_CG_LAB_PREFIX)] != '/' && !strstr(path, "/../") &&
	       !strstr(path, "/./");
}

void cg_sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	nanosleep(&ts, NULL);
}

bool cg_on_cgroupfs(const char *path)
{
	struct statfs st;
	return statfs(path, &st) == 0 &&
	       ((unsigned long)st.f_type == CGROUP_SUPER_MAGIC || (unsigned long)st.f_type == CGROUP2_SUPER_MAGIC);
}
