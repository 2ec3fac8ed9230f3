// SPDX-License-Identifier: GPL-2.0-or-later
/* core/cgroup_usage.c: what a node's cgroups say about its use (cpu time, memory, OOM kills, pids, classid)
 * for inspect. */
#include "cgroup_int.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/util.h"

/* ---- usage ---- */

static bool read_u64(const char *dir, const char *file, uint64_t *v)
{
	_cleanup_free_ char *p = xasprintf("%s/%s", dir, file);
	_cleanup_free_ char *s = cg_read_trim(p);

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
	_cleanup_free_ char *s = cg_read_trim(p);
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
	if (cg_node_dir_of(sys, NSLAB_CG_CPUACCT, lab, node, &cpu) == 0) {
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
	if (cg_node_dir_of(sys, NSLAB_CG_MEMORY, lab, node, &mem) == 0) {
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
	if (cg_node_dir_of(sys, NSLAB_CG_PIDS, lab, node, &pids) == 0) {
		any = true;
		if (read_u64(pids, "pids.current", &u->pids_current) && read_u64(pids, "pids.max", &u->pids_max))
			u->have |= NSLAB_CG_HAVE_PIDS;
	}
	if (!(u->have & NSLAB_CG_HAVE_MEM) && (pids || cpu) && procs_pss(pids ? pids : cpu, &u->mem_current))
		u->have |= NSLAB_CG_HAVE_MEM | NSLAB_CG_HAVE_MEM_PSS;
	if (cg_node_dir_of(sys, NSLAB_CG_NET_CLS, lab, node, &cls) == 0) {
		uint64_t id;
		any = true;
		if (read_u64(cls, "net_cls.classid", &id)) {
			u->classid = (unsigned)id;
			u->have |= NSLAB_CG_HAVE_CLASSID;
		}
	}
	if ((u->have & NSLAB_CG_HAVE_CLASSID) == 0 && nslab_cg_netcls_lab_nft(sys, lab)) {
		struct nslab_cg_classid *ids = NULL;
		size_t n = nslab_cg_classids_of(sys->rundir, lab, &ids);
		for (size_t i = 0; i < n; i++)
			if (strcmp(ids[i].node, node) == 0 && ids[i].classid) {
				u->classid = ids[i].classid;
				u->classid_nft = true;
				u->have |= NSLAB_CG_HAVE_CLASSID;
			}
		free(ids);
	}
	if (!any) {
		/* cpuset-only nodes still count as having a cgroup */
		for (size_t h = 0; h < sys->nhier && !any; h++) {
			_cleanup_free_ char *d = nslab_cg_path(sys, h, lab, node);
			any = sys->hier[h].ctrls && cg_exists(d);
		}
	}
	return any ? 0 : -ENOENT;
}
