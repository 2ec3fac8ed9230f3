// SPDX-License-Identifier: GPL-2.0-or-later
/* core/cgroup_remove.c: removing nslab cgroups: killing what is inside, rmdir with retries, a whole lab's
 * subtree and its classids. */
#include "cgroup_int.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../util/util.h"

/* ---- removal ---- */

/* SIGKILL every process listed in dir/cgroup.procs but ourselves; returns how many were listed. */
static size_t kill_listed(const char *dir)
{
	_cleanup_free_ char *p = xasprintf("%s/cgroup.procs", dir);
	_cleanup_free_ char *s = cg_read_trim(p);
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

	if (!cg_owned(path))
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
	cgfs = cg_on_cgroupfs(path);
	if (cgfs && cg_exists(kill_file)) {
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
		cg_sleep_ms(10);
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
		cg_unhold_lab_dir(dir);
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
		lockfd = cg_lock_state_dir(sys, err);
		if (lockfd < 0)
			return lockfd;
		cg_maybe_unmount_netcls(sys);
		close(lockfd);
	}
	return 0;
}
