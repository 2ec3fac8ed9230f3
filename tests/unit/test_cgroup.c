// SPDX-License-Identifier: GPL-2.0-or-later
/* tests/unit/test_cgroup.c: cgroup detection, paths, conversions and the files written for each limit (fake trees),
 * then real limits on this machine's cgroups (root): cpu quota, memory OOM, pids, net_cls, cleanup. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/cgroup.h"
#include "util/err.h"
#include "util/util.h"

/* ---- fake trees ---- */

static const char mi_v1[] =
	"31 23 0:28 / /sys/fs/cgroup ro,nosuid,nodev,noexec shared:9 - tmpfs tmpfs ro,mode=755\n"
	"32 31 0:29 / /sys/fs/cgroup/systemd rw,nosuid shared:10 - cgroup cgroup rw,xattr,name=systemd\n"
	"33 31 0:30 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid shared:11 - cgroup cgroup rw,cpu,cpuacct\n"
	"34 31 0:31 / /sys/fs/cgroup/cpuset rw,nosuid shared:12 - cgroup cgroup rw,cpuset\n"
	"35 31 0:32 / /sys/fs/cgroup/memory rw,nosuid shared:13 - cgroup cgroup rw,memory\n"
	"36 31 0:33 / /sys/fs/cgroup/pids rw,nosuid shared:14 - cgroup cgroup rw,pids\n"
	"37 31 0:34 / /sys/fs/cgroup/net_cls,net_prio rw,nosuid shared:15 - cgroup cgroup rw,net_cls,net_prio\n"
	"38 31 0:30 / /mnt/again\\040cpu rw,nosuid shared:11 - cgroup cgroup rw,cpu,cpuacct\n";

static const char pc_v1[] = "#subsys_name\thierarchy\tnum_cgroups\tenabled\n"
			    "cpuset\t3\t1\t1\ncpu\t2\t1\t1\ncpuacct\t2\t1\t1\nmemory\t4\t1\t1\n"
			    "net_cls\t6\t1\t1\nnet_prio\t6\t1\t1\npids\t5\t1\t1\n";

/* This machine's layout: v1 with cpu and cpuacct apart, net_cls unmounted, an empty cgroup2. */
static const char mi_hybrid[] = "31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n"
				"32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu\n"
				"33 31 0:30 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct\n"
				"34 31 0:31 / /sys/fs/cgroup/cpuset rw,relatime - cgroup cgroup rw,cpuset\n"
				"35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n"
				"39 31 0:36 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids\n"
				"40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd\n"
				"41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n";

static const char pc_hybrid[] = "#subsys_name\thierarchy\tnum_cgroups\tenabled\n"
				"cpuset\t3\t1\t1\ncpu\t1\t1\t1\ncpuacct\t2\t1\t1\nblkio\t7\t1\t1\n"
				"memory\t4\t13\t1\nnet_cls\t0\t1\t1\nnet_prio\t0\t1\t1\npids\t8\t1\t1\n";

static const char mi_v2[] = "22 1 0:21 / /proc rw - proc proc rw\n"
			    "30 23 0:26 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2 "
			    "rw,nsdelegate,memory_recursiveprot\n";

static const char pc_v2[] = "#subsys_name\thierarchy\tnum_cgroups\tenabled\n"
			    "cpuset\t0\t50\t1\ncpu\t0\t50\t1\ncpuacct\t0\t50\t1\nmemory\t0\t50\t1\n"
			    "net_cls\t0\t50\t1\npids\t0\t50\t1\n";

struct fake {
	char *root; /* temp dir: the fake "/" */
	char *rundir;
	char **journal;
	size_t njournal;
};

static void put(const char *root, const char *rel, const char *data)
{
	char *p = xasprintf("%s%s", root, rel);
	char *d = xstrdup(p);

	for (char *s = d + strlen(root) + 1; (s = strchr(s, '/')); s++) {
		*s = '\0';
		mkdir(d, 0755);
		*s = '/';
	}
	assert_int_equal(nslab_write_file(p, data, strlen(data), 0644), 0);
	free(d);
	free(p);
}

static char *get(const char *root, const char *rel)
{
	char *p = xasprintf("%s%s", root, rel), *buf = NULL;
	int r = nslab_read_file(p, &buf, NULL);

	if (r < 0)
		fail_msg("cannot read %s: %s", p, strerror(-r));
	free(p);
	return buf;
}

static void assert_file(const char *root, const char *rel, const char *want)
{
	char *got = get(root, rel);
	if (strcmp(got, want) != 0)
		fail_msg("%s: got '%s', want '%s'", rel, got, want);
	free(got);
}

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static int fake_setup(void **state)
{
	struct fake *f = xcalloc(1, sizeof(*f));

	f->root = xstrdup("/tmp/nslab-test-cg-XXXXXX");
	if (!mkdtemp(f->root))
		return -1;
	f->rundir = xasprintf("%s/run", f->root);
	mkdir(f->rundir, 0700);
	setenv("NSLAB_RUNDIR", f->rundir, 1);
	*state = f;
	return 0;
}

static int fake_teardown(void **state)
{
	struct fake *f = *state;
	int r = nftw(f->root, rm_entry, 16, FTW_DEPTH | FTW_PHYS);

	unsetenv("NSLAB_RUNDIR");
	for (size_t i = 0; i < f->njournal; i++)
		free(f->journal[i]);
	free(f->journal);
	free(f->rundir);
	free(f->root);
	free(f);
	return r;
}

static int journal_cb(void *ctx, const char *path)
{
	struct fake *f = ctx;
	*VEC_PUSH(f->journal, f->njournal) = xstrdup(path);
	return 0;
}

static void fake_v2_tree(const char *root, const char *controllers)
{
	put(root, "/sys/fs/cgroup/cgroup.controllers", controllers);
	put(root, "/sys/fs/cgroup/cgroup.subtree_control", "");
	put(root, "/sys/fs/cgroup/cpuset.cpus.effective", "0-3\n");
	put(root, "/sys/fs/cgroup/.files",
	    "cgroup.procs cgroup.subtree_control cgroup.kill cpu.max cpu.weight cpu.stat cpuset.cpus "
	    "memory.max memory.swap.max memory.current memory.events pids.max pids.current\n");
}

static void fake_v1_tree(const char *root, const char *cpu_dir)
{
	char *p = xasprintf("/sys/fs/cgroup/%s/.files", cpu_dir);

	put(root, p, "cgroup.procs cpu.cfs_period_us cpu.cfs_quota_us cpu.shares cpuacct.usage\n");
	free(p);
	put(root, "/sys/fs/cgroup/cpuset/cpuset.cpus", "0-3\n");
	put(root, "/sys/fs/cgroup/cpuset/cpuset.effective_cpus", "0-3\n");
	put(root, "/sys/fs/cgroup/cpuset/cpuset.mems", "0\n");
	put(root, "/sys/fs/cgroup/cpuset/.files", "cgroup.procs cpuset.cpus cpuset.mems\n");
	put(root, "/sys/fs/cgroup/memory/.files",
	    "cgroup.procs memory.limit_in_bytes memory.memsw.limit_in_bytes memory.usage_in_bytes\n");
	put(root, "/sys/fs/cgroup/pids/.files", "cgroup.procs pids.max pids.current\n");
}

/* ---- detection ---- */

static void test_detect_v1_comounted(void **state)
{
	struct fake *f = *state;
	struct nslab_cg_sys sys;
	struct nslab_err err = { 0 };
	char *want;

	assert_int_equal(nslab_cg_detect_at(&sys, mi_v1, pc_v1, f->root, &err), 0);
	assert_int_equal(sys.mode, NSLAB_CG_MODE_V1);
	assert_int_equal(sys.v2, -1);
	assert_int_equal(sys.nhier, 5); /* cpu,cpuacct cpuset memory pids net_cls; systemd and the bind skipped */
	assert_int_equal(sys.ctrl_hier[NSLAB_CG_CPU], sys.ctrl_hier[NSLAB_CG_CPUACCT]);
	want = xasprintf("%s/sys/fs/cgroup/cpu,cpuacct", f->root);
	assert_string_equal(sys.hier[sys.ctrl_hier[NSLAB_CG_CPU]].path, want);
	free(want);
	want = xasprintf("%s/sys/fs/cgroup/net_cls,net_prio", f->root);
	assert_string_equal(sys.hier[sys.ctrl_hier[NSLAB_CG_NET_CLS]].path, want);
	free(want);
	assert_false(sys.hier[sys.ctrl_hier[NSLAB_CG_NET_CLS]].ours);
}

static void test_detect_hybrid(void **state)
{
	struct fake *f = *state;
	struct nslab_cg_sys sys;
	struct nslab_err err = { 0 };
	char *want;

	put(f->root, "/sys/fs/cgroup/unified/cgroup.controllers", "");
	assert_int_equal(nslab_cg_detect_at(&sys, mi_hybrid, pc_hybrid, f->root, &err), 0);
	assert_int_equal(sys.mode, NSLAB_CG_MODE_HYBRID);
	assert_true(sys.v2 >= 0);
	assert_int_equal(sys.hier[sys.v2].ctrls, 0);
	assert_true(sys.ctrl_hier[NSLAB_CG_CPU] != sys.ctrl_hier[NSLAB_CG_CPUACCT]);
	want = xasprintf("%s/sys/fs/cgroup/cpuacct", f->root);
	assert_string_equal(sys.hier[sys.ctrl_hier[NSLAB_CG_CPUACCT]].path, want);
	free(want);
	assert_int_equal(sys.ctrl_hier[NSLAB_CG_NET_CLS], -1);
	assert_string_equal(sys.rundir, f->rundir);
}

static void test_detect_v2(void **state)
{
	struct fake *f = *state;
	struct nslab_cg_sys sys;
	struct nslab_err err = { 0 };

	fake_v2_tree(f->root, "cpuset cpu io memory hugetlb pids rdma misc\n");
	assert_int_equal(nslab_cg_detect_at(&sys, mi_v2, pc_v2, f->root, &err), 0);
	assert_int_equal(sys.mode, NSLAB_CG_MODE_V2);
	assert_int_equal(sys.nhier, 1);
	for (int c = 0; c < NSLAB_CG__CTRL_COUNT; c++)
		assert_int_equal(sys.ctrl_hier[c], c == NSLAB_CG_NET_CLS ? -1 : 0);
	assert_string_equal(nslab_cg_mode_name(sys.mode), "v2");
}

static void test_detect_none(void **state)
{
	struct nslab_cg_sys sys;
	struct nslab_err err = { 0 };

	(void)state;
	assert_int_equal(nslab_cg_detect_at(&sys, "22 1 0:21 / /proc rw - proc proc rw\n", "", "", &err), 0);
	assert_int_equal(sys.mode, NSLAB_CG_MODE_NONE);
	assert_int_equal(sys.nhier, 0);
}

/* ---- values and names ---- */

static void test_values(void **state)
{
	unsigned long long q;
	char buf[64];

	(void)state;
	assert_int_equal(nslab_cg_cpu_quota_us(0.25, &q), 0);
	nslab_cg_cpu_max(q, buf, sizeof(buf));
	assert_string_equal(buf, "25000 100000");
	assert_int_equal(nslab_cg_cpu_quota_us(1.5, &q), 0);
	assert_int_equal(q, 150000);
	assert_int_equal(nslab_cg_cpu_quota_us(0.01, &q), 0);
	assert_int_equal(q, 1000);
	assert_int_equal(nslab_cg_cpu_quota_us(0.001, &q), -ERANGE);
	assert_int_equal(nslab_cg_cpu_quota_us(0, &q), 0);
	nslab_cg_cpu_max(q, buf, sizeof(buf));
	assert_string_equal(buf, "max 100000");

	assert_int_equal(nslab_cg_weight_to_shares(100), 1024);
	assert_int_equal(nslab_cg_weight_to_shares(1), 10);
	assert_int_equal(nslab_cg_weight_to_shares(200), 2048);
	assert_int_equal(nslab_cg_weight_to_shares(10000), 102400);
	assert_int_equal(nslab_cg_weight_to_shares(0), 1024);
}

static void test_cpulist(void **state)
{
	unsigned char b[NSLAB_CG_MAX_CPUS / 8];

	(void)state;
	assert_int_equal(nslab_cg_cpulist_parse("0-3,8,10-11\n", b), 0);
	assert_int_equal(b[0], 0x0f);
	assert_int_equal(b[1], 0x0d);
	assert_int_equal(nslab_cg_cpulist_parse("5", b), 0);
	assert_int_equal(b[0], 0x20);
	assert_int_equal(nslab_cg_cpulist_parse("", b), 0);
	assert_int_equal(b[0], 0);
	assert_int_equal(nslab_cg_cpulist_parse("3-1", b), -EINVAL);
	assert_int_equal(nslab_cg_cpulist_parse("a", b), -EINVAL);
	assert_int_equal(nslab_cg_cpulist_parse("1-", b), -EINVAL);
	assert_int_equal(nslab_cg_cpulist_parse("99999", b), -EINVAL);
}

static void test_paths(void **state)
{
	struct fake *f = *state;
	struct nslab_cg_sys sys;
	struct nslab_err err = { 0 };
	char *p, *want;

	fake_v2_tree(f->root, "cpu memory pids\n");
	assert_int_equal(nslab_cg_detect_at(&sys, mi_v2, pc_v2, f->root, &err), 0);
	p = nslab_cg_path(&sys, 0, "ut", "r1");
	want = xasprintf("%s/sys/fs/cgroup/nslab.lab-ut/node-r1", f->root);
	assert_string_equal(p, want);
	free(p);
	free(want);
	p = nslab_cg_path(&sys, 0, "ut", NULL);
	want = xasprintf("%s/sys/fs/cgroup/nslab.lab-ut", f->root);
	assert_string_equal(p, want);
	free(p);
	free(want);
	p = nslab_cg_relpath("ut", "tasks"); /* a node named like a v1 file cannot clash */
	assert_string_equal(p, "nslab.lab-ut/node-tasks");
	free(p);
}

/* ---- files written ---- */

static void test_v2_limits(void **state)
{
	struct fake *f = *state;
	struct nslab_cg_sys sys;
	struct nslab_err err = { 0 };
	struct nslab_limits lim = { .cpu = 0.25, .cpuset = "1-2", .memory_bytes = 16u << 20, .cpu_weight = 200,
				    .pids = 5 };
	const char *node = "/sys/fs/cgroup/nslab.lab-ut/node-r1/";
	char *p;

	fake_v2_tree(f->root, "cpuset cpu io memory hugetlb pids rdma misc\n");
	assert_int_equal(nslab_cg_detect_at(&sys, mi_v2, pc_v2, f->root, &err), 0);
	assert_int_equal(nslab_cg_prepare_node(&sys, "ut", "r1", &lim, NSLAB_CG_F_ALL, journal_cb, f, &err), 0);

	/* journaled before creation, parent first */
	assert_int_equal(f->njournal, 2);
	p = xasprintf("%s/sys/fs/cgroup/nslab.lab-ut", f->root);
	assert_string_equal(f->journal[0], p);
	free(p);
	p = xasprintf("%s/sys/fs/cgroup/nslab.lab-ut/node-r1", f->root);
	assert_string_equal(f->journal[1], p);
	free(p);

	/* controllers enabled top-down */
	assert_file(f->root, "/sys/fs/cgroup/cgroup.subtree_control", "+cpu\n+cpuset\n+memory\n+pids\n");
	assert_file(f->root, "/sys/fs/cgroup/nslab.lab-ut/cgroup.subtree_control", "+cpu\n+cpuset\n+memory\n+pids\n");
	assert_file(f->root, "/sys/fs/cgroup/nslab.lab-ut/node-r1/cgroup.subtree_control", "");

#define NODE_FILE(name, want)                                     \
	do {                                                      \
		char *rel_ = xasprintf("%s%s", node, name);       \
		assert_file(f->root, rel_, want);                 \
		free(rel_);                                       \
	} while (0)
	NODE_FILE("cpu.max", "25000 100000");
	NODE_FILE("cpu.weight", "200");
	NODE_FILE("cpuset.cpus", "1-2");
	NODE_FILE("memory.max", "16777216");
	NODE_FILE("memory.swap.max", "0");
	NODE_FILE("pids.max", "5");

	/* a second node journals only its own directory */
	assert_int_equal(nslab_cg_prepare_node(&sys, "ut", "r2", &lim, NSLAB_CG_F_PIDS, journal_cb, f, &err), 0);
	assert_int_equal(f->njournal, 3);
	assert_file(f->root, "/sys/fs/cgroup/nslab.lab-ut/node-r2/pids.max", "5");
	assert_file(f->root, "/sys/fs/cgroup/nslab.lab-ut/node-r2/cpu.max", "");

	/* runtime change: remove the memory limit, change cpu */
	lim.memory_bytes = 0;
	lim.cpu = 1.5;
	assert_int_equal(nslab_cg_set(&sys, "ut", "r1", &lim, NSLAB_CG_F_MEMORY | NSLAB_CG_F_CPU, 0, journal_cb, f,
				      &err),
			 0);
	NODE_FILE("memory.max", "max");
	NODE_FILE("memory.swap.max", "max");
	NODE_FILE("cpu.max", "150000 100000");
	NODE_FILE("pids.max", "5");

	/* attach writes the pid into the leaf only */
	assert_int_equal(nslab_cg_attach(&sys, "ut", "r1", 4242, &err), 0);
	NODE_FILE("cgroup.procs", "4242\n");
	assert_file(f->root, "/sys/fs/cgroup/nslab.lab-ut/cgroup.procs", "");
#undef NODE_FILE
}

static void test_v2_errors(void **state)
{
	struct fake *f = *state;
	struct nslab_cg_sys sys;
	struct nslab_err err = { 0 };
	struct nslab_limits lim = { .net_cls_auto = true };

	fake_v2_tree(f->root, "cpuset cpu pids\n");
	assert_int_equal(nslab_cg_detect_at(&sys, mi_v2, pc_v2, f->root, &err), 0);

	/* net-cls on pure v2: nftables carries it; only the classid registry records it (with its
	 * mechanism), no cgroup directory is made for it */
	assert_true(nslab_cg_netcls_by_nft(&sys));
	assert_int_equal(nslab_cg_prepare_node(&sys, "ut", "r1", &lim, NSLAB_CG_F_ALL, journal_cb, f, &err), 0);
	assert_int_equal(f->njournal, 0);
	{
		char *p = xasprintf("%s/.cgroup/classids", f->rundir), *text = NULL;
		struct nslab_cg_classid *ids = NULL;
		assert_int_equal(nslab_read_file(p, &text, NULL), 0);
		assert_string_equal(text, "0x4e530001 ut r1 nftables\n");
		assert_int_equal(nslab_cg_classids_of(f->rundir, "ut", &ids), 1);
		assert_string_equal(ids[0].node, "r1");
		assert_int_equal(ids[0].classid, 0x4e530001);
		assert_true(ids[0].nft);
		assert_true(nslab_cg_netcls_lab_nft(&sys, "ut"));
		/* removed at run time: the line goes (the rules follow the registry) */
		lim = (struct nslab_limits){ 0 };
		assert_int_equal(nslab_cg_set(&sys, "ut", "r1", &lim, NSLAB_CG_F_NET_CLS, 0, journal_cb, f, &err), 0);
		assert_int_equal(access(p, F_OK), -1);
		free(ids);
		free(text);
		free(p);
	}
	/* NSLAB_NET_CLS=cgroup asks for the v1 controller, which a v2 only host does not have */
	setenv("NSLAB_NET_CLS", "cgroup", 1);
	lim = (struct nslab_limits){ .net_cls = 0x00100001 };
	assert_int_equal(nslab_cg_prepare_node(&sys, "ut", "r2", &lim, NSLAB_CG_F_ALL, journal_cb, f, &err),
			 -EOPNOTSUPP);
	unsetenv("NSLAB_NET_CLS");
	assert_non_null(strstr(err.msg, "node r2: net-cls by the cgroup v1 net_cls controller (NSLAB_NET_CLS=cgroup)"));
	assert_int_equal(f->njournal, 0); /* refused before anything was made */

	lim = (struct nslab_limits){ .memory_bytes = 1 << 24 };
	assert_int_equal(nslab_cg_check(&sys, "x", "r1", &lim, NSLAB_CG_F_ALL, &err), -EOPNOTSUPP);
	{
		char *want = xasprintf("node r1: memory limit needs the memory cgroup controller, which is not "
				       "available (not in %s/sys/fs/cgroup/cgroup.controllers: enable it in "
				       "cgroup.subtree_control of the parent cgroup)",
				       f->root);
		assert_string_equal(err.msg, want);
		free(want);
	}
	assert_false(strchr(err.msg, '\n'));

	lim = (struct nslab_limits){ .cpuset = "2-7" };
	assert_int_equal(nslab_cg_check(&sys, "x", "r1", &lim, NSLAB_CG_F_ALL, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "node r1: cpu-set 2-7 is not within the CPUs nslab may use (0-3, from "));
	lim = (struct nslab_limits){ .cpuset = "x" };
	assert_int_equal(nslab_cg_check(&sys, "x", "r1", &lim, NSLAB_CG_F_ALL, &err), -EINVAL);
	lim = (struct nslab_limits){ .cpu = 0.001 };
	assert_int_equal(nslab_cg_check(&sys, "x", "r1", &lim, NSLAB_CG_F_ALL, &err), -ERANGE);
	assert_non_null(strstr(err.msg, "node r1: cpu limit 0.001 is out of range"));
	lim = (struct nslab_limits){ .cpu_weight = 10001 };
	assert_int_equal(nslab_cg_check(&sys, "x", "r1", &lim, NSLAB_CG_F_ALL, &err), -ERANGE);
	/* a field outside the mask is not checked */
	assert_int_equal(nslab_cg_check(&sys, "x", "r1", &lim, NSLAB_CG_F_CPU, &err), 0);
}

static void test_v1_errors(void **state)
{
	struct fake *f = *state;
	struct nslab_cg_sys sys;
	struct nslab_err err = { 0 };
	struct nslab_limits lim = { .pids = 10 };
	/* memory unmounted (hierarchy 0), pids unknown to the kernel, cpu disabled on the command line */
	static const char mi[] = "35 31 0:32 / /sys/fs/cgroup/cpuset rw - cgroup cgroup rw,cpuset\n"
				 "41 31 0:38 / /sys/fs/cgroup/unified rw - cgroup2 cgroup2 rw\n";
	static const char pc[] = "#subsys_name\thierarchy\tnum_cgroups\tenabled\n"
				 "cpuset\t3\t1\t1\ncpu\t0\t1\t0\nmemory\t0\t1\t1\n";

	put(f->root, "/sys/fs/cgroup/unified/cgroup.controllers", "");
	assert_int_equal(nslab_cg_detect_at(&sys, mi, pc, f->root, &err), 0);
	assert_int_equal(nslab_cg_check(&sys, "x", "h1", &lim, NSLAB_CG_F_ALL, &err), -EOPNOTSUPP);
	assert_string_equal(err.msg, "node h1: pids limit needs the pids cgroup controller, which is not available "
				     "(not in /proc/cgroups: the kernel was built without it)");
	lim = (struct nslab_limits){ .cpu = 1 };
	assert_int_equal(nslab_cg_check(&sys, "x", "h1", &lim, NSLAB_CG_F_ALL, &err), -EOPNOTSUPP);
	assert_non_null(strstr(err.msg, "cpu limit needs the cpu cgroup controller, which is not available "
					"(disabled in /proc/cgroups, e.g. by cgroup_disable=cpu"));
	lim = (struct nslab_limits){ .memory_bytes = 1 << 20 };
	assert_int_equal(nslab_cg_check(&sys, "x", "h1", &lim, NSLAB_CG_F_ALL, &err), -EOPNOTSUPP);
	assert_non_null(strstr(err.msg, "memory limit needs the memory cgroup controller, which is not available "
					"(not in "));
	assert_non_null(strstr(err.msg, "/sys/fs/cgroup/unified/cgroup.controllers"));
}

static void test_v1_limits(void **state)
{
	struct fake *f = *state;
	struct nslab_cg_sys sys;
	struct nslab_err err = { 0 };
	struct nslab_limits lim = { .cpu = 0.25, .cpuset = "1-2", .memory_bytes = 16u << 20, .cpu_weight = 200,
				    .pids = 5, .net_cls_auto = true };
	char *labdir = xasprintf("%s/ut", f->rundir);

	mkdir(labdir, 0700);
	free(labdir);
	fake_v1_tree(f->root, "cpu,cpuacct");
	put(f->root, "/sys/fs/cgroup/net_cls,net_prio/.files", "cgroup.procs net_cls.classid\n");
	assert_int_equal(nslab_cg_detect_at(&sys, mi_v1, pc_v1, f->root, &err), 0);
	assert_int_equal(nslab_cg_prepare_node(&sys, "ut", "r1", &lim, NSLAB_CG_F_ALL, journal_cb, f, &err), 0);
	assert_int_equal(f->njournal, 10); /* lab + node in 5 hierarchies */

	assert_file(f->root, "/sys/fs/cgroup/cpu,cpuacct/nslab.lab-ut/node-r1/cpu.cfs_period_us", "100000");
	assert_file(f->root, "/sys/fs/cgroup/cpu,cpuacct/nslab.lab-ut/node-r1/cpu.cfs_quota_us", "25000");
	assert_file(f->root, "/sys/fs/cgroup/cpu,cpuacct/nslab.lab-ut/node-r1/cpu.shares", "2048");
	/* cpuset: every level gets the parent's cpus and mems before the node's own */
	assert_file(f->root, "/sys/fs/cgroup/cpuset/nslab.lab-ut/cpuset.cpus", "0-3");
	assert_file(f->root, "/sys/fs/cgroup/cpuset/nslab.lab-ut/cpuset.mems", "0");
	assert_file(f->root, "/sys/fs/cgroup/cpuset/nslab.lab-ut/node-r1/cpuset.mems", "0");
	assert_file(f->root, "/sys/fs/cgroup/cpuset/nslab.lab-ut/node-r1/cpuset.cpus", "1-2");
	assert_file(f->root, "/sys/fs/cgroup/memory/nslab.lab-ut/node-r1/memory.limit_in_bytes", "16777216");
	assert_file(f->root, "/sys/fs/cgroup/memory/nslab.lab-ut/node-r1/memory.memsw.limit_in_bytes", "16777216");
	assert_file(f->root, "/sys/fs/cgroup/pids/nslab.lab-ut/node-r1/pids.max", "5");
	assert_file(f->root, "/sys/fs/cgroup/net_cls,net_prio/nslab.lab-ut/node-r1/net_cls.classid",
		    "1314062337"); /* 0x4e530001 */

	/* removing limits at run time */
	lim = (struct nslab_limits){ 0 };
	assert_int_equal(nslab_cg_set(&sys, "ut", "r1", &lim, NSLAB_CG_F_ALL, 0, journal_cb, f, &err), 0);
	assert_file(f->root, "/sys/fs/cgroup/cpu,cpuacct/nslab.lab-ut/node-r1/cpu.cfs_quota_us", "-1");
	assert_file(f->root, "/sys/fs/cgroup/cpu,cpuacct/nslab.lab-ut/node-r1/cpu.shares", "1024");
	assert_file(f->root, "/sys/fs/cgroup/cpuset/nslab.lab-ut/node-r1/cpuset.cpus", "0-3");
	assert_file(f->root, "/sys/fs/cgroup/memory/nslab.lab-ut/node-r1/memory.limit_in_bytes", "-1");
	assert_file(f->root, "/sys/fs/cgroup/pids/nslab.lab-ut/node-r1/pids.max", "max");
	assert_file(f->root, "/sys/fs/cgroup/net_cls,net_prio/nslab.lab-ut/node-r1/net_cls.classid", "0");
	assert_int_equal(f->njournal, 10);
}

/* Hybrid: net_cls is not mounted, so nslab "mounts" it under RUNDIR (a fake tree only makes the directory). */
static void test_hybrid_private_netcls(void **state)
{
	struct fake *f = *state;
	struct nslab_cg_sys sys;
	struct nslab_err err = { 0 };
	struct nslab_limits lim = { .net_cls = 0x00100001 };
	char *labdir = xasprintf("%s/ut", f->rundir), *mp = xasprintf("%s/.cgroup/net_cls", f->rundir), *p;

	mkdir(labdir, 0700);
	put(f->root, "/sys/fs/cgroup/unified/cgroup.controllers", "");
	assert_int_equal(nslab_cg_detect_at(&sys, mi_hybrid, pc_hybrid, f->root, &err), 0);
	assert_int_equal(nslab_cg_check(&sys, "x", "r1", &lim, NSLAB_CG_F_ALL, &err), 0);
	assert_int_equal(nslab_cg_prepare_node(&sys, "ut", "r1", &lim, NSLAB_CG_F_ALL, journal_cb, f, &err), 0);
	assert_true(sys.ctrl_hier[NSLAB_CG_NET_CLS] >= 0);
	assert_true(sys.hier[sys.ctrl_hier[NSLAB_CG_NET_CLS]].ours);
	assert_string_equal(sys.hier[sys.ctrl_hier[NSLAB_CG_NET_CLS]].path, mp);
	p = xasprintf("%s/nslab.lab-ut/node-r1/net_cls.classid", mp);
	{
		char *v = NULL;
		assert_int_equal(nslab_read_file(p, &v, NULL), 0);
		assert_string_equal(v, "1048577");
		free(v);
	}
	free(p);
	assert_int_equal(f->njournal, 2);
	free(labdir);
	free(mp);
}

static void test_classids(void **state)
{
	struct fake *f = *state;
	struct nslab_err err = { 0 };
	unsigned id;
	char *a = xasprintf("%s/a", f->rundir), *b = xasprintf("%s/b", f->rundir), *txt;

	mkdir(a, 0700);
	mkdir(b, 0700);
	assert_int_equal(nslab_cg_classid_alloc(f->rundir, "a", "r1", 0, &id, &err), 0);
	assert_int_equal(id, 0x4e530001);
	assert_int_equal(nslab_cg_classid_alloc(f->rundir, "a", "r2", 0, &id, &err), 0);
	assert_int_equal(id, 0x4e530002);
	assert_int_equal(nslab_cg_classid_alloc(f->rundir, "a", "r1", 0, &id, &err), 0); /* again: same */
	assert_int_equal(id, 0x4e530001);
	assert_int_equal(nslab_cg_classid_alloc(f->rundir, "b", "x", 0x4e530003, &id, &err), 0); /* explicit */
	assert_int_equal(id, 0x4e530003);
	assert_int_equal(nslab_cg_classid_alloc(f->rundir, "b", "r1", 0, &id, &err), 0);
	assert_int_equal(id, 0x4e530004); /* never one in use, explicit ones included */
	txt = get(f->rundir, "/.cgroup/classids");
	assert_string_equal(txt, "0x4e530001 a r1\n0x4e530002 a r2\n0x4e530003 b x\n0x4e530004 b r1\n");
	free(txt);

	assert_int_equal(nslab_cg_classid_release(f->rundir, "a", &err), 0);
	assert_int_equal(nslab_cg_classid_alloc(f->rundir, "b", "r2", 0, &id, &err), 0);
	assert_int_equal(id, 0x4e530001); /* freed by a's release */

	/* a lab whose run directory is gone (crash) no longer holds its ids */
	rmdir(b);
	assert_int_equal(nslab_cg_classid_alloc(f->rundir, "a", "r1", 0, &id, &err), 0);
	assert_int_equal(id, 0x4e530001);
	txt = get(f->rundir, "/.cgroup/classids");
	assert_string_equal(txt, "0x4e530001 a r1\n");
	free(txt);
	assert_int_equal(nslab_cg_classid_release(f->rundir, "a", &err), 0);
	txt = xasprintf("%s/.cgroup/classids", f->rundir);
	assert_int_equal(access(txt, F_OK), -1);
	free(txt);
	assert_int_equal(nslab_cg_classid_release(f->rundir, "a", &err), 0); /* idempotent */
	free(a);
	free(b);
}

static void test_remove_refuses_foreign(void **state)
{
	struct fake *f = *state;
	struct nslab_err err = { 0 };
	char *p = xasprintf("%s/sys/fs/cgroup/system.slice", f->root);

	assert_int_equal(nslab_cg_remove(p, &err), -EPERM);
	assert_non_null(strstr(err.msg, "not an nslab cgroup"));
	free(p);
	assert_int_equal(nslab_cg_remove("/sys/fs/cgroup/nslab.lab-/x", &err), -EPERM);
	assert_int_equal(nslab_cg_remove("/sys/fs/cgroup/nslab.lab-x/../system.slice", &err), -EPERM);
	/* an nslab path that does not exist is already removed */
	p = xasprintf("%s/nslab.lab-gone/node-r1", f->root);
	assert_int_equal(nslab_cg_remove(p, &err), 0);
	free(p);
}

/* ---- real cgroups (root) ---- */

#define REAL_LAB "ut-cg"

struct real {
	struct fake fk;
	struct nslab_cg_sys sys;
};

static int real_setup(void **state)
{
	struct real *r;
	struct nslab_err err = { 0 };
	char *labdir;

	if (fake_setup(state) < 0)
		return -1;
	r = xcalloc(1, sizeof(*r));
	r->fk = *(struct fake *)*state;
	free(*state);
	*state = r;
	labdir = xasprintf("%s/" REAL_LAB, r->fk.rundir);
	mkdir(labdir, 0700);
	free(labdir);
	if (nslab_cg_detect(&r->sys, &err) < 0)
		r->sys.mode = NSLAB_CG_MODE_NONE;
	return 0;
}

static int real_teardown(void **state)
{
	struct real *r = *state;
	struct nslab_err err = { 0 };
	struct fake *f = xmalloc(sizeof(*f));

	if (geteuid() == 0 && r->sys.mode != NSLAB_CG_MODE_NONE && nslab_cg_remove_lab(&r->sys, REAL_LAB, &err) < 0)
		print_error("teardown: %s\n", err.msg);
	/* a test that failed half-way leaves the private net_cls mount under our own temporary run
	 * directory: take it down (it is ours by construction), or it outlives the test */
	char *netcls = xasprintf("%s/.cgroup/net_cls", r->fk.rundir);
	if (umount2(netcls, MNT_DETACH) < 0 && errno != EINVAL && errno != ENOENT)
		print_error("teardown: unmounting %s: %s\n", netcls, strerror(errno));
	free(netcls);
	*f = r->fk;
	free(r);
	*state = f;
	return fake_teardown(state);
}

/* Skip (with the reason) unless root on a machine where the limit can be applied. */
static bool real_ready(struct real *r, const struct nslab_limits *lim, const char *what)
{
	struct nslab_err err = { 0 };

	if (geteuid() != 0) {
		print_message("skipped %s: needs root (creates cgroups)\n", what);
		return false;
	}
	if (r->sys.mode == NSLAB_CG_MODE_NONE) {
		print_message("skipped %s: no cgroup file system mounted\n", what);
		return false;
	}
	if (nslab_cg_check(&r->sys, "x", "t", lim, NSLAB_CG_F_ALL, &err) < 0) {
		print_message("skipped %s: %s\n", what, err.msg);
		return false;
	}
	return true;
}

/* Fork a child that waits until it is in the node's cgroups, then runs fn. */
static pid_t fork_in_node(struct real *r, const char *node, void (*fn)(int out_fd), int *out_fd)
{
	struct nslab_err err = { 0 };
	int go[2], out[2];
	pid_t pid;
	char c = 'g';

	assert_int_equal(pipe2(go, O_CLOEXEC), 0);
	assert_int_equal(pipe2(out, O_CLOEXEC), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		close(go[1]);
		close(out[0]);
		if (read(go[0], &c, 1) != 1)
			_exit(99);
		fn(out[1]);
		_exit(0);
	}
	close(go[0]);
	close(out[1]);
	if (nslab_cg_attach(&r->sys, REAL_LAB, node, pid, &err) < 0) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		fail_msg("%s", err.msg);
	}
	assert_int_equal(write(go[1], &c, 1), 1);
	close(go[1]);
	*out_fd = out[0];
	return pid;
}

static void busy(int out_fd)
{
	volatile unsigned long n = 0;
	(void)out_fd;
	for (;;)
		n++;
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void no_lab_dirs_left(struct real *r)
{
	for (size_t h = 0; h < r->sys.nhier; h++) {
		char *p = nslab_cg_path(&r->sys, h, REAL_LAB, NULL);
		if (access(p, F_OK) == 0)
			fail_msg("%s is still there", p);
		free(p);
	}
}

static void test_real_cpu(void **state)
{
	struct real *r = *state;
	struct nslab_err err = { 0 };
	struct nslab_limits lim = { .cpu = 0.25 };
	struct nslab_cg_usage u0, u1;
	double t0, t1, pct;
	pid_t pid;
	int fd;

	if (!real_ready(r, &lim, "cpu"))
		skip();
	assert_int_equal(nslab_cg_prepare_node(&r->sys, REAL_LAB, "cpu", &lim, NSLAB_CG_F_ALL, journal_cb, &r->fk,
					       &err),
			 0);
	pid = fork_in_node(r, "cpu", busy, &fd);
	usleep(200 * 1000); /* let the first period settle */
	assert_int_equal(nslab_cg_usage(&r->sys, REAL_LAB, "cpu", &u0), 0);
	t0 = now_s();
	usleep(2000 * 1000);
	assert_int_equal(nslab_cg_usage(&r->sys, REAL_LAB, "cpu", &u1), 0);
	t1 = now_s();
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	close(fd);
	assert_true(u1.have & NSLAB_CG_HAVE_CPU);
	pct = (double)(u1.cpu_ns - u0.cpu_ns) / ((t1 - t0) * 1e9) * 100.0;
	print_message("cpu 0.25 (%s): busy loop used %.1f %% of one core over %.2f s\n",
		      nslab_cg_mode_name(r->sys.mode), pct, t1 - t0);
	assert_true(pct >= 20.0 && pct <= 30.0);
	assert_int_equal(nslab_cg_remove_lab(&r->sys, REAL_LAB, &err), 0);
	no_lab_dirs_left(r);
}

static void hog(int out_fd)
{
	size_t sz = 64u << 20;
	char *p = mmap(NULL, sz, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	(void)out_fd;
	if (p == MAP_FAILED)
		_exit(98);
	for (size_t i = 0; i < sz; i += 4096)
		p[i] = 1;
	_exit(0); /* not reached when the limit works */
}

static void test_real_memory(void **state)
{
	struct real *r = *state;
	struct nslab_err err = { 0 };
	struct nslab_limits lim = { .memory_bytes = 16u << 20 };
	struct nslab_cg_usage u;
	pid_t pid;
	int fd, status = 0;

	if (!real_ready(r, &lim, "memory"))
		skip();
	assert_int_equal(nslab_cg_prepare_node(&r->sys, REAL_LAB, "mem", &lim, NSLAB_CG_F_ALL, journal_cb, &r->fk,
					       &err),
			 0);
	pid = fork_in_node(r, "mem", hog, &fd);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	close(fd);
	assert_int_equal(nslab_cg_usage(&r->sys, REAL_LAB, "mem", &u), 0);
	print_message("memory 16m (%s): child touching 64m ended by %s %d; oom_kills=%llu mem_max=%llu\n",
		      nslab_cg_mode_name(r->sys.mode), WIFSIGNALED(status) ? "signal" : "exit",
		      WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status), (unsigned long long)u.oom_kills,
		      (unsigned long long)u.mem_max);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGKILL);
	assert_int_equal(u.mem_max, 16u << 20);
	if (u.have & NSLAB_CG_HAVE_OOM)
		assert_true(u.oom_kills >= 1);
	assert_int_equal(nslab_cg_remove_lab(&r->sys, REAL_LAB, &err), 0);
	no_lab_dirs_left(r);
}

/* Fork until fork fails; report "forked errno" and clean up the children. */
static void forker(int out_fd)
{
	pid_t kids[64];
	int n = 0, e = 0;

	while (n < 64) {
		pid_t p = fork();
		if (p < 0) {
			e = errno;
			break;
		}
		if (p == 0) {
			pause();
			_exit(0);
		}
		kids[n++] = p;
	}
	dprintf(out_fd, "%d %d\n", n, e);
	for (int i = 0; i < n; i++) {
		kill(kids[i], SIGKILL);
		waitpid(kids[i], NULL, 0);
	}
}

static void test_real_pids(void **state)
{
	struct real *r = *state;
	struct nslab_err err = { 0 };
	struct nslab_limits lim = { .pids = 5 };
	char buf[64] = { 0 };
	int fd, forked = -1, e = -1, status;
	pid_t pid;

	if (!real_ready(r, &lim, "pids"))
		skip();
	assert_int_equal(nslab_cg_prepare_node(&r->sys, REAL_LAB, "pids", &lim, NSLAB_CG_F_ALL, journal_cb, &r->fk,
					       &err),
			 0);
	pid = fork_in_node(r, "pids", forker, &fd);
	assert_true(read(fd, buf, sizeof(buf) - 1) > 0);
	close(fd);
	waitpid(pid, &status, 0);
	assert_int_equal(sscanf(buf, "%d %d", &forked, &e), 2);
	print_message("pids 5 (%s): %d forks succeeded beside the first process, then fork failed: %s\n",
		      nslab_cg_mode_name(r->sys.mode), forked, strerror(e));
	assert_int_equal(forked, 4);
	assert_int_equal(e, EAGAIN);
	assert_int_equal(nslab_cg_remove_lab(&r->sys, REAL_LAB, &err), 0);
	no_lab_dirs_left(r);
}

/* net_cls's hierarchy id in /proc/cgroups (0 = bound to no v1 hierarchy). */
static int netcls_hier(void)
{
	char *text = NULL, name[64];
	unsigned hier, num, en;
	int ret = -1;

	if (nslab_read_file("/proc/cgroups", &text, NULL) < 0)
		return -1;
	for (char *l = text; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
		if (sscanf(l, "%63s %u %u %u", name, &hier, &num, &en) == 4 && strcmp(name, "net_cls") == 0)
			ret = (int)hier;
	free(text);
	return ret;
}

/* The mountinfo lines that mention net_cls (other mounts come and go with other users' labs). */
static char *netcls_mounts(void)
{
	char *text = NULL, *out = xstrdup(""), *save = NULL;

	assert_int_equal(nslab_read_file("/proc/self/mountinfo", &text, NULL), 0);
	for (char *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		char *n;
		if (!strstr(l, "net_cls"))
			continue;
		n = xasprintf("%s%s\n", out, l);
		free(out);
		out = n;
	}
	free(text);
	return out;
}

static void test_real_netcls(void **state)
{
	struct real *r = *state;
	struct nslab_err err = { 0 };
	struct nslab_limits lim = { .net_cls_auto = true };
	struct nslab_cg_usage u;
	char *before = NULL, *after = NULL, *during = NULL;
	int h, hier_before;

	if (geteuid() != 0 || r->sys.mode == NSLAB_CG_MODE_NONE) {
		print_message("skipped net_cls: needs root and cgroups\n");
		skip();
	}
	if (r->sys.mode == NSLAB_CG_MODE_V2) {
		/* no net_cls on v2: nftables carries the classid (recorded, no cgroup for it) */
		struct nslab_cg_classid *ids = NULL;
		assert_int_equal(nslab_cg_prepare_node(&r->sys, REAL_LAB, "cls", &lim, NSLAB_CG_F_ALL, journal_cb,
						       &r->fk, &err),
				 0);
		assert_int_equal(nslab_cg_classids_of(r->sys.rundir, REAL_LAB, &ids), 1);
		print_message("net_cls (v2): classid 0x%08x carried by %s\n", ids[0].classid,
			      ids[0].nft ? "nftables" : "the cgroup");
		assert_true(ids[0].nft);
		assert_int_equal(r->sys.ctrl_hier[NSLAB_CG_NET_CLS], -1);
		free(ids);
		assert_int_equal(nslab_cg_remove_lab(&r->sys, REAL_LAB, &err), 0);
		assert_int_equal(nslab_cg_classids_of(r->sys.rundir, REAL_LAB, &ids), 0);
		no_lab_dirs_left(r);
		return;
	}
	if (!real_ready(r, &lim, "net_cls"))
		skip();
	hier_before = netcls_hier();
	before = netcls_mounts();
	assert_int_equal(nslab_cg_prepare_node(&r->sys, REAL_LAB, "cls", &lim, NSLAB_CG_F_ALL, journal_cb, &r->fk,
					       &err),
			 0);
	h = r->sys.ctrl_hier[NSLAB_CG_NET_CLS];
	assert_true(h >= 0);
	assert_int_equal(nslab_cg_usage(&r->sys, REAL_LAB, "cls", &u), 0);
	assert_true(u.have & NSLAB_CG_HAVE_CLASSID);
	assert_int_equal(u.classid >> 16, NSLAB_CG_CLASSID_MAJOR);
	during = netcls_mounts();
	print_message("net_cls (%s): classid 0x%08x in %s (%s)\n", nslab_cg_mode_name(r->sys.mode), u.classid,
		      r->sys.hier[h].path, r->sys.hier[h].ours ? "mounted by nslab" : "the host's mount");
	if (r->sys.hier[h].ours)
		assert_non_null(strstr(during, "/.cgroup/net_cls "));
	assert_int_equal(nslab_cg_remove_lab(&r->sys, REAL_LAB, &err), 0);
	after = netcls_mounts();
	assert_string_equal(before, after);
	/* the kernel frees an unmounted, empty v1 hierarchy asynchronously */
	for (int i = 0; i < 200 && hier_before == 0 && netcls_hier() != 0; i++)
		usleep(10 * 1000);
	if (hier_before == 0)
		assert_int_equal(netcls_hier(), 0);
	no_lab_dirs_left(r);
	free(before);
	free(during);
	free(after);
}

/* set at run time creates a missing hierarchy directory and moves the node's processes in. */
static void test_real_set_moves(void **state)
{
	struct real *r = *state;
	struct nslab_err err = { 0 };
	struct nslab_limits lim = { .cpu = 0.5 }, lim2 = { .pids = 3 };
	struct nslab_cg_usage u;
	pid_t pid;
	int fd;

	if (!real_ready(r, &lim, "set") || !real_ready(r, &lim2, "set"))
		skip();
	assert_int_equal(nslab_cg_prepare_node(&r->sys, REAL_LAB, "set", &lim, NSLAB_CG_F_ALL, journal_cb, &r->fk,
					       &err),
			 0);
	pid = fork_in_node(r, "set", busy, &fd);
	assert_int_equal(nslab_cg_set(&r->sys, REAL_LAB, "set", &lim2, NSLAB_CG_F_PIDS, pid, journal_cb, &r->fk,
				      &err),
			 0);
	assert_int_equal(nslab_cg_usage(&r->sys, REAL_LAB, "set", &u), 0);
	assert_true(u.have & NSLAB_CG_HAVE_PIDS);
	assert_int_equal(u.pids_current, 1);
	assert_int_equal(u.pids_max, 3);
	/* an exec session joins the node's cgroups by the node's pid */
	{
		pid_t j = fork();
		int st = -1;
		assert_true(j >= 0);
		if (j == 0) {
			struct nslab_err e2 = { 0 };
			char *mine = NULL;
			size_t hits = 0;
			if (nslab_cg_join_pid_cgroups(&r->sys, pid, &e2) < 0 ||
			    nslab_read_file("/proc/self/cgroup", &mine, NULL) < 0)
				_exit(2);
			for (char *l = strstr(mine, "/nslab.lab-" REAL_LAB "/node-set\n"); l;
			     l = strstr(l + 1, "/nslab.lab-" REAL_LAB "/node-set\n"))
				hits++;
			_exit(hits >= 1 ? 0 : 3); /* v1: one line per hierarchy, v2: one */
		}
		assert_int_equal(waitpid(j, &st, 0), j);
		assert_true(WIFEXITED(st));
		assert_int_equal(WEXITSTATUS(st), 0);
	}
	/* remove_lab kills what is inside */
	assert_int_equal(nslab_cg_remove_lab(&r->sys, REAL_LAB, &err), 0);
	waitpid(pid, NULL, 0);
	close(fd);
	no_lab_dirs_left(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_detect_v1_comounted, fake_setup, fake_teardown),
		cmocka_unit_test_setup_teardown(test_detect_hybrid, fake_setup, fake_teardown),
		cmocka_unit_test_setup_teardown(test_detect_v2, fake_setup, fake_teardown),
		cmocka_unit_test_setup_teardown(test_detect_none, fake_setup, fake_teardown),
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_cpulist),
		cmocka_unit_test_setup_teardown(test_paths, fake_setup, fake_teardown),
		cmocka_unit_test_setup_teardown(test_v2_limits, fake_setup, fake_teardown),
		cmocka_unit_test_setup_teardown(test_v2_errors, fake_setup, fake_teardown),
		cmocka_unit_test_setup_teardown(test_v1_errors, fake_setup, fake_teardown),
		cmocka_unit_test_setup_teardown(test_v1_limits, fake_setup, fake_teardown),
		cmocka_unit_test_setup_teardown(test_hybrid_private_netcls, fake_setup, fake_teardown),
		cmocka_unit_test_setup_teardown(test_classids, fake_setup, fake_teardown),
		cmocka_unit_test_setup_teardown(test_remove_refuses_foreign, fake_setup, fake_teardown),
		cmocka_unit_test_setup_teardown(test_real_cpu, real_setup, real_teardown),
		cmocka_unit_test_setup_teardown(test_real_memory, real_setup, real_teardown),
		cmocka_unit_test_setup_teardown(test_real_pids, real_setup, real_teardown),
		cmocka_unit_test_setup_teardown(test_real_netcls, real_setup, real_teardown),
		cmocka_unit_test_setup_teardown(test_real_set_moves, real_setup, real_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
