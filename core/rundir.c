// SPDX-License-Identifier: GPL-2.0-or-later
/* core/rundir.c: the run directory (RUNDIR/LAB and what is in it, /run/netns handles), the per-lab lock. */
#include "rundir.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../util/util.h"

const char *nslab_rundir(void)
{
	const char *d = getenv("NSLAB_RUNDIR");
	return d && *d ? d : "/run/nslab";
}

char *nslab_lab_path(const char *lab, const char *file)
{
	if (file)
		return xasprintf("%s/%s/%s", nslab_rundir(), lab, file);
	return xasprintf("%s/%s", nslab_rundir(), lab);
}

char *nslab_netns_name(const char *lab, const char *node)
{
	return xasprintf(NSLAB_NETNS_PREFIX "%s.%s", lab, node);
}

char *nslab_netns_path(const char *lab, const char *node)
{
	return xasprintf(NSLAB_NETNS_DIR "/" NSLAB_NETNS_PREFIX "%s.%s", lab, node);
}

unsigned long long nslab_proc_starttime(pid_t pid)
{
	char path[64];
	_cleanup_free_ char *buf = NULL;
	unsigned long long start = 0;
	char *p;
	int field;

	if (pid <= 0)
		return 0;
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (nslab_read_file(path, &buf, NULL) < 0)
		return 0;
	/* comm may hold spaces and parentheses: fields restart after the last ')' */
	p = strrchr(buf, ')');
	if (!p)
		return 0;
	p++;
	for (field = 3; field < 22 && p; field++) {
		p = strchr(p + 1, ' ');
	}
	if (!p)
		return 0;
	/* a zombie has exited: treat it as gone */
	if (strrchr(buf, ')')[2] == 'Z' || strrchr(buf, ')')[2] == 'X')
		return 0;
	start = strtoull(p + 1, NULL, 10);
	return start;
}

static int mkdir_p(const char *path, mode_t mode)
{
	_cleanup_free_ char *tmp = xstrdup(path);
	char *p;

	for (p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(tmp, mode) < 0 && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(tmp, mode) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

/*
 * A directory of the run directory nslab may trust: a real directory (never a symlink), owned by
 * root (or by whoever runs nslab), writable by nobody else. Whoever could write there could plant
 * a journal naming what destroy and cleanup then unmount, unlink and kill, or swap the lab's
 * folder for a symlink into /etc. Inside a trusted folder, paths can be used as they are: only
 * its owner can change what they name.
 */
static int dir_trusted(const char *path, struct nslab_err *err)
{
	struct stat st;

	if (fstatat(AT_FDCWD, path, &st, AT_SYMLINK_NOFOLLOW) < 0) {
		if (errno == EACCES)
			return nslab_err_set(err, EACCES,
					     "cannot read %s: permission denied (labs are root's: run nslab as root)", path);
		return nslab_err_sys(err, errno, "%s", path);
	}
	if (S_ISLNK(st.st_mode))
		return nslab_err_set(err, ELOOP,
				     "refusing %s: it is a symbolic link (nslab follows none in its run directory)", path);
	if (!S_ISDIR(st.st_mode))
		return nslab_err_set(err, ENOTDIR, "refusing %s: it is not a directory", path);
	if (st.st_uid != 0 && st.st_uid != geteuid())
		return nslab_err_set(err, EPERM,
				     "refusing %s: it belongs to uid %u, not root (its owner could plant a journal that "
				     "destroy and cleanup would act on)",
				     path, (unsigned)st.st_uid);
	if (st.st_mode & (S_IWGRP | S_IWOTH))
		return nslab_err_set(err, EPERM,
				     "refusing %s: it is writable by %s (mode %04o), who could plant a journal that "
				     "destroy and cleanup would act on",
				     path, (st.st_mode & S_IWOTH) ? "others" : "its group", (unsigned)(st.st_mode & 07777));
	return 0;
}

int nslab_rundir_trust(const char *lab, struct nslab_err *err)
{
	_cleanup_free_ char *dir = NULL;
	int r = dir_trusted(nslab_rundir(), err);

	if (r < 0 || !lab)
		return r;
	dir = nslab_lab_path(lab, NULL);
	return dir_trusted(dir, err);
}

/* Test hook (tests/integration): NSLAB_TEST_LOCK_WAIT=PATH holds a lock taker between opening the
 * lock file and locking it until PATH exists (at most 60 s), so that a race with a destroy that
 * removes the file can be made to happen every time. */
static void test_hook_lock_wait(void)
{
	const char *path = getenv("NSLAB_TEST_LOCK_WAIT");

	for (int i = 0; path && *path && i < 6000 && access(path, F_OK) < 0; i++)
		usleep(10000);
}

/* Is fd still the file path names? A destroy removes the lock file when it is done, and a new
 * deploy makes a new one: a lock taken on the old file protects nothing. */
static bool lock_is_current(int fd, const char *path)
{
	struct stat a, b;

	return fstat(fd, &a) == 0 && stat(path, &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

#define NSLAB_LOCK_TRIES 100

int nslab_lab_lock(const char *lab, bool create, bool nonblock, struct nslab_err *err)
{
	_cleanup_free_ char *dir = nslab_lab_path(lab, NULL);
	_cleanup_free_ char *path = nslab_lab_path(lab, "lock");
	int fd, r;

	if (create) {
		r = nslab_rundir_trust(NULL, err);
		if (r < 0 && r != -ENOENT)
			return r;
		nslab_err_clear(err);
		r = mkdir_p(dir, 0700);
		if (r < 0)
			return nslab_err_sys(err, -r, "creating %s", dir);
	}
	r = nslab_rundir_trust(lab, err);
	if (r == -ENOENT)
		return nslab_err_set(err, ENOENT, "lab %s is not deployed", lab);
	if (r < 0)
		return r;
	/* the directory is made once: when it has gone while we waited, the lab we waited for has
	 * gone with it, and a lock file is created again only in a directory that exists */
	for (int tries = 0; tries < NSLAB_LOCK_TRIES; tries++) {
		fd = open(path, O_RDWR | O_CLOEXEC | O_NOFOLLOW | (create ? O_CREAT : 0), 0600);
		if (fd < 0) {
			if (errno == ENOENT)
				return nslab_err_set(err, ENOENT, "lab %s is not deployed", lab);
			return nslab_err_sys(err, errno, "opening %s", path);
		}
		test_hook_lock_wait();
		if (flock(fd, LOCK_EX | (nonblock ? LOCK_NB : 0)) < 0) {
			r = errno;
			close(fd);
			if (r == EWOULDBLOCK)
				return nslab_err_set(err, EBUSY,
						     "lab %s is busy: another nslab is deploying or destroying it", lab);
			return nslab_err_sys(err, r, "locking %s", path);
		}
		if (lock_is_current(fd, path))
			return fd;
		close(fd);
	}
	return nslab_err_set(err, EBUSY, "lab %s is busy: its lock file keeps being replaced", lab);
}

/*
 * The lab's folder is published with its lock file already locked: made as RUNDIR/.new-LAB.XXXXXX,
 * its lock created (O_EXCL) and flock()ed, then renamed to RUNDIR/LAB (RENAME_NOREPLACE). So no
 * one (a cleanup, a second deploy) ever finds RUNDIR/LAB unlocked while its deploy is alive.
 */
int nslab_labdir_create(const char *lab, struct nslab_err *err)
{
	_cleanup_free_ char *dir = nslab_lab_path(lab, NULL);
	_cleanup_free_ char *tmp = xasprintf("%s/" NSLAB_LABDIR_NEW_PREFIX "%s.XXXXXX", nslab_rundir(), lab);
	_cleanup_free_ char *lock = NULL;
	_cleanup_close_ int fd = -1;
	int r;

	if (mkdir(nslab_rundir(), 0700) < 0 && errno != EEXIST)
		return nslab_err_sys(err, errno, "creating %s", nslab_rundir());
	r = nslab_rundir_trust(NULL, err);
	if (r < 0)
		return r;
	if (!mkdtemp(tmp))
		return nslab_err_sys(err, errno, "creating %s", tmp);
	lock = xasprintf("%s/lock", tmp);
	fd = open(lock, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0 || flock(fd, LOCK_EX) < 0) {
		r = nslab_err_sys(err, errno, "creating %s", lock);
		unlink(lock);
		rmdir(tmp);
		return r;
	}
	if (renameat2(AT_FDCWD, tmp, AT_FDCWD, dir, RENAME_NOREPLACE) < 0) {
		int e = errno;
		unlink(lock);
		rmdir(tmp);
		if (e == EEXIST || e == ENOTEMPTY)
			return -EEXIST; /* the caller says why (nslab_lab_busy()...) */
		return nslab_err_sys(err, e, "creating %s", dir);
	}
	return take_fd(&fd);
}

int nslab_labdir_new_sweep(const char *lab)
{
	_cleanup_free_ char *prefix = *lab ? xasprintf(NSLAB_LABDIR_NEW_PREFIX "%s.", lab)
					    : xstrdup(NSLAB_LABDIR_NEW_PREFIX);
	size_t plen = strlen(prefix);
	DIR *d = opendir(nslab_rundir());
	struct dirent *de;
	int n = 0;

	while (d && (de = readdir(d))) {
		if (strncmp(de->d_name, prefix, plen) != 0 || strchr(de->d_name + plen, '/'))
			continue;
		_cleanup_free_ char *tmp = xasprintf("%s/%s", nslab_rundir(), de->d_name);
		_cleanup_free_ char *lock = xasprintf("%s/lock", tmp);
		_cleanup_close_ int fd = open(lock, O_RDWR | O_NOFOLLOW | O_CLOEXEC);
		/* a deployer between its mkdtemp and its rename holds the lock */
		if (fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) < 0)
			continue;
		if (dir_trusted(tmp, NULL) < 0)
			continue;
		unlink(lock);
		if (rmdir(tmp) == 0)
			n++;
	}
	if (d)
		closedir(d);
	return n;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int nslab_lab_names(char ***names, size_t *n, struct nslab_err *err)
{
	DIR *d;
	struct dirent *de;
	char **v = NULL;
	size_t cnt = 0;
	int r;

	*names = NULL;
	*n = 0;
	r = nslab_rundir_trust(NULL, err);
	if (r == -ENOENT) {
		nslab_err_clear(err);
		return 0;
	}
	if (r < 0)
		return r;
	d = opendir(nslab_rundir());
	if (!d) {
		if (errno == ENOENT)
			return 0;
		return nslab_err_sys(err, errno, "opening %s", nslab_rundir());
	}
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.' || de->d_type != DT_DIR)
			continue;
		char **slot = VEC_PUSH(v, cnt);
		*slot = xstrdup(de->d_name);
	}
	closedir(d);
	if (cnt)
		qsort(v, cnt, sizeof(*v), cmp_str);
	*names = v;
	*n = cnt;
	return 0;
}

void nslab_strv_free(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

int nslab_labdir_remove(const char *lab, struct nslab_err *err)
{
	_cleanup_free_ char *dir = nslab_lab_path(lab, NULL);
	struct dirent *de;
	int dfd, r = 0;
	DIR *d;

	r = nslab_rundir_trust(lab, err);
	if (r == -ENOENT) {
		nslab_err_clear(err);
		return 0;
	}
	if (r < 0)
		return r;
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dfd < 0)
		return errno == ENOENT ? 0 : nslab_err_sys(err, errno, "opening %s", dir);
	d = fdopendir(dfd);
	if (!d) {
		close(dfd);
		return nslab_err_sys(err, errno, "opening %s", dir);
	}
	/* every entry, not a list of known names: a temp file left by a kill -9 (state.json.tmp of
	 * an older nslab's state.json.link) would make the rmdir fail forever. The lock goes last,
	 * so that a destroy queued on it finds the directory gone rather than half-removed. */
	while ((de = readdir(d)) && r == 0) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0 || strcmp(de->d_name, "lock") == 0)
			continue;
		if (unlinkat(dfd, de->d_name, 0) < 0 && errno != ENOENT)
			r = nslab_err_sys(err, errno, "removing %s/%s", dir, de->d_name);
	}
	if (r == 0 && unlinkat(dfd, "lock", 0) < 0 && errno != ENOENT)
		r = nslab_err_sys(err, errno, "removing %s/lock", dir);
	closedir(d);
	if (r == 0 && rmdir(dir) < 0 && errno != ENOENT)
		r = nslab_err_sys(err, errno, "removing %s", dir);
	return r;
}

/*
 * /run/netns as iproute2 makes it: a shared mount point of itself. `ip netns add` makes the folder
 * shared when it is a mount point already, and binds it onto itself (MS_REC, copying the handles
 * mounted there, which stay beneath and hidden) only when it is not one. So nslab makes that mount
 * itself when the folder holds no mount yet; a folder that is a mount point (iproute2 made it) is
 * used as it is; a plain folder that already holds handles (an older nslab made it) is left as it
 * is: binding it now would hide them (destroy then says so, NSLAB_NETNS_HIDDEN_HINT).
 *
 * RUNDIR/.netns-dir-created and .netns-dir-mounted remember what nslab made, so that
 * nslab_rundir_tidy() takes it away again once no handle is left. A deployer holds a shared flock
 * on /run from nslab_netns_dir_ensure() until it exits or tidies (the handles are made meanwhile);
 * tidy unmounts and removes only under an exclusive one, never waiting for it.
 */
#define NETNS_MARK_CREATED ".netns-dir-created"
#define NETNS_MARK_MOUNTED ".netns-dir-mounted"

static int netns_dir_hold = -1; /* our shared lock on the folder (inherited by forked helpers) */

/* Is NSLAB_NETNS_DIR a mount point, and how many mounts are right beneath it in our view? Its own
 * mount by statx (mountinfo also lists mounts hidden under later ones, at the same path), then the
 * mounts of /proc/self/mountinfo whose parent is that mount and whose path is inside the folder. */
static int netns_dir_mounts(bool *is_mount, size_t *nbelow)
{
	_cleanup_free_ char *text = NULL;
	size_t dlen = strlen(NSLAB_NETNS_DIR);
	char *save = NULL;
	struct statx stx;
	int r;

	*is_mount = false;
	*nbelow = 0;
	if (statx(AT_FDCWD, NSLAB_NETNS_DIR, AT_SYMLINK_NOFOLLOW, STATX_MNT_ID, &stx) < 0)
		return -errno;
	if (!(stx.stx_mask & STATX_MNT_ID) || !(stx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT))
		return -EOPNOTSUPP;
	*is_mount = stx.stx_attributes & STATX_ATTR_MOUNT_ROOT;
	r = nslab_read_file("/proc/self/mountinfo", &text, NULL);
	if (r < 0)
		return r;
	for (char *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		unsigned long long parent;
		char mp[4096];
		/* id parent major:minor root mount-point ... (no space in our folder's name) */
		if (sscanf(l, "%*u %llu %*s %*s %4095s", &parent, mp) != 2 || parent != stx.stx_mnt_id)
			continue;
		if (strncmp(mp, NSLAB_NETNS_DIR, dlen) == 0 && mp[dlen] == '/')
			(*nbelow)++;
	}
	return 0;
}

static void rundir_mark(const char *name, bool set)
{
	_cleanup_free_ char *mark = xasprintf("%s/%s", nslab_rundir(), name);

	if (!set) {
		unlink(mark);
		return;
	}
	int fd = open(mark, O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd >= 0)
		close(fd);
}

static bool rundir_marked(const char *name)
{
	_cleanup_free_ char *mark = xasprintf("%s/%s", nslab_rundir(), name);
	struct stat st;

	return fstatat(AT_FDCWD, mark, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode);
}

/* The folder made a shared mount point of itself (fd: the folder, locked exclusively). */
static int netns_dir_make_mount(struct nslab_err *err)
{
	bool is_mount;
	size_t nbelow;
	int r = netns_dir_mounts(&is_mount, &nbelow);

	if (r == -EOPNOTSUPP)
		return 0; /* a kernel before 5.8 cannot tell a mount point: the folder stays as it is */
	if (r < 0)
		return nslab_err_sys(err, -r, "looking at the mounts of " NSLAB_NETNS_DIR);
	if (is_mount || nbelow)
		return 0; /* iproute2's layout already, or handles an older nslab made: as it is */
	if (mount(NSLAB_NETNS_DIR, NSLAB_NETNS_DIR, "none", MS_BIND | MS_REC, NULL) < 0)
		return nslab_err_sys(err, errno, "bind-mounting " NSLAB_NETNS_DIR " onto itself");
	if (mount("", NSLAB_NETNS_DIR, "none", MS_SHARED | MS_REC, NULL) < 0) {
		r = nslab_err_sys(err, errno, "making " NSLAB_NETNS_DIR " a shared mount");
		umount2(NSLAB_NETNS_DIR, UMOUNT_NOFOLLOW);
		return r;
	}
	rundir_mark(NETNS_MARK_MOUNTED, true);
	return 0;
}

/* The lock is on /run/netns's parent: an open descriptor of the folder itself would keep its
 * mount busy (a plain umount fails while a file on it is open). */
static int netns_parent_open(void)
{
	_cleanup_free_ char *parent = xstrdup(NSLAB_NETNS_DIR);

	*strrchr(parent, '/') = '\0';
	return open(parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}

int nslab_netns_dir_ensure(struct nslab_err *err)
{
	_cleanup_close_ int fd = -1, dfd = -1;
	int r;

	/* held already: no other nslab's tidy removes the folder meanwhile */
	if (netns_dir_hold >= 0 && access(NSLAB_NETNS_DIR, F_OK) == 0)
		return 0;
	/* shared: deployers do not wait for each other, only for a tidy (exclusive, brief) */
	fd = netns_parent_open();
	if (fd < 0)
		return nslab_err_sys(err, errno, "opening the folder of " NSLAB_NETNS_DIR);
	if (flock(fd, LOCK_SH) < 0)
		return nslab_err_sys(err, errno, "locking the folder of " NSLAB_NETNS_DIR);
	if (mkdir(NSLAB_NETNS_DIR, 0755) == 0)
		rundir_mark(NETNS_MARK_CREATED, true);
	else if (errno != EEXIST)
		return nslab_err_sys(err, errno, "creating " NSLAB_NETNS_DIR);
	/* one deployer at a time makes the mount (the others then find it made) */
	dfd = open(NSLAB_NETNS_DIR, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dfd < 0)
		return nslab_err_sys(err, errno, "opening " NSLAB_NETNS_DIR);
	if (flock(dfd, LOCK_EX) < 0)
		return nslab_err_sys(err, errno, "locking " NSLAB_NETNS_DIR);
	r = netns_dir_make_mount(err);
	if (r < 0)
		return r;
	/* kept until we exit or tidy: nobody removes the folder under the handles we make */
	if (netns_dir_hold >= 0)
		close(netns_dir_hold);
	netns_dir_hold = take_fd(&fd);
	return 0;
}

/* No entry at all (a handle, ours or iproute2's, is an entry even when it is not mounted). */
static bool netns_dir_empty(void)
{
	DIR *d = opendir(NSLAB_NETNS_DIR);
	struct dirent *de;
	bool empty = true;

	if (!d)
		return false;
	while (empty && (de = readdir(d)))
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
			empty = false;
	closedir(d);
	return empty;
}

void nslab_rundir_tidy(void)
{
	bool mounted = rundir_marked(NETNS_MARK_MOUNTED), created = rundir_marked(NETNS_MARK_CREATED);

	if (netns_dir_hold >= 0) {
		close(netns_dir_hold);
		netns_dir_hold = -1;
	}
	if (mounted || created) {
		_cleanup_close_ int fd = netns_parent_open();
		bool is_mount = false;
		size_t nbelow = 0;

		if (access(NSLAB_NETNS_DIR, F_OK) < 0 && errno == ENOENT) {
			rundir_mark(NETNS_MARK_MOUNTED, false);
			rundir_mark(NETNS_MARK_CREATED, false);
		} else if (fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) == 0 && netns_dir_empty()) {
			/* nobody is making handles, none is left: take away what we made. A plain
			 * umount (not MNT_DETACH) fails while anything is mounted beneath. */
			if (mounted && netns_dir_mounts(&is_mount, &nbelow) == 0) {
				if (!is_mount || (!nbelow && umount2(NSLAB_NETNS_DIR, UMOUNT_NOFOLLOW) == 0))
					rundir_mark(NETNS_MARK_MOUNTED, false);
			}
			if (created && netns_dir_mounts(&is_mount, &nbelow) == 0 && !is_mount &&
			    rmdir(NSLAB_NETNS_DIR) == 0)
				rundir_mark(NETNS_MARK_CREATED, false);
		}
	}
	/* leaves RUNDIR only while it holds something */
	rmdir(nslab_rundir());
}

/* Lab names hold no '.', so the prefix names one lab. */
char *nslab_netns_find(const char *lab)
{
	_cleanup_free_ char *prefix = xasprintf(NSLAB_NETNS_PREFIX "%s.", lab);
	size_t plen = strlen(prefix);
	DIR *d = opendir(NSLAB_NETNS_DIR);
	struct dirent *de;
	char *found = NULL;

	if (!d)
		return NULL;
	while (!found && (de = readdir(d)))
		if (strncmp(de->d_name, prefix, plen) == 0)
			found = xasprintf(NSLAB_NETNS_DIR "/%s", de->d_name);
	closedir(d);
	return found;
}

int nslab_netns_handle_drop(const char *path)
{
	struct stat st;

	/* a failed umount leaves a busy file: still unlink what can be */
	umount2(path, MNT_DETACH);
	if (unlink(path) < 0 && errno != ENOENT) {
		int e = errno;
		/* EBUSY: the name is still a mount point beneath a later mount of the folder
		 * (iproute2's `ip netns add` binds /run/netns onto itself, copying the handles) */
		return -e;
	}
	if (lstat(path, &st) == 0)
		return -EBUSY;
	return 0;
}

bool nslab_netns_handle_gone(const char *path)
{
	struct stat st;

	return lstat(path, &st) < 0 && errno == ENOENT;
}

/* Each umount() waits for an RCU grace period (namespace_unlock), and concurrent waiters share
 * one: many handles are dropped by NSLAB_DROP_HELPERS processes. */
#define NSLAB_DROP_HELPERS 4

void nslab_netns_handles_drop(char *const *paths, size_t n)
{
	pid_t helpers[NSLAB_DROP_HELPERS];
	size_t nh = n >= 64 ? NSLAB_DROP_HELPERS : 1;

	for (size_t h = 1; h < nh; h++) {
		helpers[h] = fork();
		if (helpers[h] == 0) {
			/* they hold the lab lock with us: never past us (a kill -9 of the destroy) */
			prctl(PR_SET_PDEATHSIG, SIGKILL);
			for (size_t i = h; i < n; i += nh)
				nslab_netns_handle_drop(paths[i]);
			_exit(0);
		}
		if (helpers[h] < 0) /* do its share ourselves */
			for (size_t i = h; i < n; i += nh)
				nslab_netns_handle_drop(paths[i]);
	}
	for (size_t i = 0; i < n; i += nh)
		nslab_netns_handle_drop(paths[i]);
	for (size_t h = 1; h < nh; h++)
		while (helpers[h] > 0 && waitpid(helpers[h], NULL, 0) < 0 && errno == EINTR)
			;
}
