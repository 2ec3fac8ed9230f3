// SPDX-License-Identifier: GPL-2.0-or-later
/* core/cgroup_classid.c: net_cls classids: the private net_cls mount (v1/hybrid) and the per-host classid
 * registry in RUNDIR/.cgroup/classids. */
#include "cgroup_int.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../util/util.h"

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
int cg_lock_state_dir(const struct nslab_cg_sys *sys, struct nslab_err *err)
{
	_cleanup_free_ char *d = xasprintf("%s/.cgroup", sys->rundir);
	struct stat st;
	int r, fd;

	/* the holder before us may have removed the directory (cg_maybe_unmount_netcls): lock again */
	for (int i = 0; i < 100; i++) {
		r = cg_state_dir(sys, err);
		if (r < 0)
			return r;
		fd = open(d, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd < 0 && errno == ENOENT)
			continue;
		if (fd < 0)
			return nslab_err_sys(err, errno, "opening %s", d);
		if (flock(fd, LOCK_EX) < 0) {
			r = nslab_err_sys(err, errno, "locking %s", d);
			close(fd);
			return r;
		}
		if (fstat(fd, &st) == 0 && st.st_nlink > 0)
			return fd;
		close(fd);
	}
	return nslab_err_set(err, EAGAIN, "locking %s: it keeps being removed", d);
}

int cg_mount_netcls(struct nslab_cg_sys *sys, struct nslab_err *err)
{
	_cleanup_free_ char *mp = cg_netcls_mountpoint(sys->rundir);
	int r;

	if (mkdir(mp, 0755) < 0 && errno != EEXIST)
		return nslab_err_sys(err, errno, "creating %s", mp);
	/* another nslab may have mounted it since we looked (we hold the lock now) */
	if (!sys->fake && !cg_on_cgroupfs(mp) &&
	    mount("nslab-net_cls", mp, "cgroup", MS_NOSUID | MS_NODEV | MS_NOEXEC, "net_cls") < 0) {
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
	r = cg_add_hier(sys, "", mp, false, BIT(NSLAB_CG_NET_CLS), err);
	if (r < 0)
		return r;
	sys->hier[r].ours = true;
	sys->ctrl_hier[NSLAB_CG_NET_CLS] = r;
	sys->v1_bound |= BIT(NSLAB_CG_NET_CLS);
	return 0;
}

void cg_netcls_recheck(struct nslab_cg_sys *sys)
{
	int h = sys->ctrl_hier[NSLAB_CG_NET_CLS];

	if (h < 0 || !sys->hier[h].ours || sys->fake || cg_on_cgroupfs(sys->hier[h].path))
		return;
	sys->hier[h].ctrls = 0;
	sys->ctrl_hier[NSLAB_CG_NET_CLS] = -1;
	sys->v1_bound &= ~BIT(NSLAB_CG_NET_CLS);
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
void cg_maybe_unmount_netcls(struct nslab_cg_sys *sys)
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
		cg_sleep_ms(10);
	if (!sys->fake && umount2(sys->hier[h].path, 0) < 0 && umount2(sys->hier[h].path, MNT_DETACH) < 0)
		return;
	rmdir(sys->hier[h].path);
	sys->hier[h].ctrls = 0;
	sys->ctrl_hier[NSLAB_CG_NET_CLS] = -1;
	sys->v1_bound &= ~BIT(NSLAB_CG_NET_CLS);
	rmdir(d); /* only when the classids file is gone too */
}

/* ---- classids ---- */

/* One line of the registry: "0xCLASSID LAB NODE", plus " nftables" when nftables carries it. */
struct classid_ent {
	unsigned id;
	char lab[NSLAB_NAME_MAX + 1], node[NSLAB_NAME_MAX + 1];
	bool nft;
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
		struct classid_ent e = { 0 };
		char how[16];
		int k = sscanf(buf, "%x %48s %48s %15s", &e.id, e.lab, e.node, how);
		if (k < 3)
			continue;
		e.nft = k == 4 && strcmp(how, "nftables") == 0;
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
		if (dprintf(fd, "0x%08x %s %s%s\n", v[i].id, v[i].lab, v[i].node, v[i].nft ? " nftables" : "") < 0)
			return nslab_err_sys(err, errno, "writing %s", p);
	return 0;
}

int nslab_cg_classid_alloc(const char *rundir, const char *lab, const char *node, unsigned explicit_id,
			   unsigned *classid, struct nslab_err *err)
{
	return cg_classid_assign(rundir, lab, node, explicit_id, false, classid, err);
}

int cg_classid_assign(const char *rundir, const char *lab, const char *node, unsigned explicit_id, bool nft,
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
		if (strcmp(v[i].lab, lab) != 0 && !cg_exists(labdir))
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
	v[mine].nft = nft;
	*classid = id;
	return classids_write(fd, rundir, v, n, err);
}

/* Drop the lines of lab (node NULL) or of one of its nodes. */
static int classids_drop(const char *rundir, const char *lab, const char *node, struct nslab_err *err)
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
		if (strcmp(v[i].lab, lab) != 0 || (node && strcmp(v[i].node, node) != 0))
			v[k++] = v[i];
	if (k == n)
		return 0;
	return classids_write(fd, rundir, v, k, err);
}

int nslab_cg_classid_release(const char *rundir, const char *lab, struct nslab_err *err)
{
	return classids_drop(rundir, lab, NULL, err);
}

int cg_classid_forget(const char *rundir, const char *lab, const char *node, struct nslab_err *err)
{
	return classids_drop(rundir, lab, node, err);
}

size_t nslab_cg_classids_of(const char *rundir, const char *lab, struct nslab_cg_classid **out)
{
	_cleanup_free_ struct classid_ent *v = NULL;
	_cleanup_close_ int fd = classids_open(rundir, false, NULL);
	struct nslab_cg_classid *o = NULL;
	size_t n, k = 0;

	*out = NULL;
	if (fd < 0)
		return 0;
	n = classids_read(fd, &v);
	for (size_t i = 0; i < n; i++) {
		if (strcmp(v[i].lab, lab) != 0)
			continue;
		o = xrealloc(o, (k + 1) * sizeof(*o));
		nslab_strlcpy(o[k].node, v[i].node, sizeof(o[k].node));
		o[k].classid = v[i].id;
		o[k].nft = v[i].nft;
		k++;
	}
	*out = o;
	return k;
}
