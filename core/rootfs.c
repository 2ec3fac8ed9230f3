// SPDX-License-Identifier: GPL-2.0-or-later
/* core/rootfs.c: a node's own root (overlayfs over the host's /), built by its init; the lab's layers. */
#include "rootfs.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <linux/openat2.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>

#include "../util/util.h"
#include "journal.h"
#include "rundir.h"

/* ---- pure helpers ---- */

bool nslab_path_under(const char *path, const char *dir)
{
	size_t n = strlen(dir);

	while (n > 1 && dir[n - 1] == '/')
		n--;
	if (n == 1 && dir[0] == '/')
		return path[0] == '/';
	return strncmp(path, dir, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

/* What a node has of its own: host mounts there are never carried. */
static const char *const own_paths[] = { "/proc", "/sys", "/dev", "/run", "/tmp", "/var/tmp", "/var/log", "/root" };

/* Filesystems that hold users' files (as opposed to the kernel's virtual ones, tmpfs, overlays of
 * other containers, snaps' squashfs images): shown read-only in nodes when mounted on the root. */
static const char *const disk_fs[] = { "ext2", "ext3",	 "ext4", "xfs",	 "btrfs",    "bcachefs", "f2fs",
				       "jfs",  "reiserfs", "vfat", "exfat", "ntfs",     "ntfs3",    "fuseblk",
				       "zfs",  "nfs",	 "nfs4", "cifs", "smb3",     "9p",	 "virtiofs" };

static bool in_list(const char *s, const char *const *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(s, v[i]) == 0)
			return true;
	return false;
}

/* mountinfo escapes space, tab, newline and backslash as \ooo */
static void unescape_octal(char *s)
{
	char *w = s;

	for (char *r = s; *r; r++) {
		if (r[0] == '\\' && r[1] >= '0' && r[1] <= '3' && r[2] >= '0' && r[2] <= '7' && r[3] >= '0' &&
		    r[3] <= '7') {
			*w++ = (char)((r[1] - '0') * 64 + (r[2] - '0') * 8 + (r[3] - '0'));
			r += 3;
		} else {
			*w++ = *r;
		}
	}
	*w = '\0';
}

struct mi_entry {
	long id, parent;
	char *mp, *fstype;
};

size_t nslab_rootfs_carry_parse(const char *mountinfo, const char *const *exclude, size_t nexclude, char ***out)
{
	_cleanup_free_ char *buf = xstrdup(mountinfo);
	struct mi_entry *e = NULL;
	size_t ne = 0, nout = 0;
	long root_id = -1;
	char *save = NULL;

	*out = NULL;
	for (char *line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char mp[4096], fstype[256];
		long id, parent;
		char *sep = strstr(line, " - ");

		if (!sep || sscanf(line, "%ld %ld %*s %*s %4095s", &id, &parent, mp) != 3 ||
		    sscanf(sep + 3, "%255s", fstype) != 1)
			continue;
		unescape_octal(mp);
		if (strcmp(mp, "/") == 0)
			root_id = id; /* the last one: stacked mounts on / hide the earlier ones */
		struct mi_entry *m = VEC_PUSH(e, ne);
		m->id = id;
		m->parent = parent;
		m->mp = xstrdup(mp);
		m->fstype = xstrdup(fstype);
	}
	for (size_t i = 0; i < ne; i++) {
		bool skip = e[i].parent != root_id || strcmp(e[i].mp, "/") == 0 ||
			    !in_list(e[i].fstype, disk_fs, ARRAY_SIZE(disk_fs)) || strcmp(e[i].mp, "/etc/hosts") == 0;
		for (size_t k = 0; !skip && k < ARRAY_SIZE(own_paths); k++)
			skip = nslab_path_under(e[i].mp, own_paths[k]);
		for (size_t k = 0; !skip && k < nexclude; k++)
			skip = nslab_path_under(e[i].mp, exclude[k]) || nslab_path_under(exclude[k], e[i].mp);
		for (size_t k = 0; !skip && k < nout; k++)
			skip = strcmp((*out)[k], e[i].mp) == 0; /* mounted twice on one point: once is enough */
		if (!skip) {
			char **slot = VEC_PUSH(*out, nout);
			*slot = xstrdup(e[i].mp);
		}
	}
	for (size_t i = 0; i < ne; i++) {
		free(e[i].mp);
		free(e[i].fstype);
	}
	free(e);
	return nout;
}

/* ---- the lab's side (deployer) ---- */

static void push_dir(struct nslab_rootfs_lab *rl, const char *path, unsigned mode, unsigned uid, unsigned gid,
		     bool opaque)
{
	for (size_t i = 0; i < rl->ndirs; i++) {
		if (strcmp(rl->dirs[i].path, path) == 0) {
			rl->dirs[i].opaque |= opaque;
			return;
		}
	}
	struct nslab_rootfs_dir *d = VEC_PUSH(rl->dirs, rl->ndirs);
	d->path = xstrdup(path);
	d->mode = mode;
	d->uid = uid;
	d->gid = gid;
	d->opaque = opaque;
}

/* The directory rel (no leading '/') and its parents, with the host's modes and owners; false
 * when the host has no directory there (a symlink, say: then the node sees what the host has). */
static bool push_host_dir(struct nslab_rootfs_lab *rl, const char *rel, bool opaque)
{
	_cleanup_free_ char *copy = xstrdup(rel);
	struct stat st;

	for (char *s = copy; (s = strchr(s, '/')); s++) {
		*s = '\0';
		_cleanup_free_ char *host = xasprintf("/%s", copy);
		if (lstat(host, &st) < 0 || !S_ISDIR(st.st_mode))
			return false;
		push_dir(rl, copy, st.st_mode & 07777, st.st_uid, st.st_gid, false);
		*s = '/';
	}
	_cleanup_free_ char *host = xasprintf("/%s", rel);
	if (lstat(host, &st) < 0 || !S_ISDIR(st.st_mode))
		return false;
	push_dir(rl, rel, st.st_mode & 07777, st.st_uid, st.st_gid, opaque);
	return true;
}

/* A private directory: empty in every node, but with the host's subdirectories (not their files),
 * so that daemons find /var/log/frr and the like with the owner they expect. */
static void push_private(struct nslab_rootfs_lab *rl, const char *rel, bool skeleton)
{
	_cleanup_free_ char *host = xasprintf("/%s", rel);
	DIR *d;
	struct dirent *de;

	if (!push_host_dir(rl, rel, true) || !skeleton || !(d = opendir(host)))
		return;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.' || de->d_type != DT_DIR)
			continue;
		_cleanup_free_ char *sub = xasprintf("%s/%s", rel, de->d_name);
		push_host_dir(rl, sub, false);
	}
	closedir(d);
}

/* Hide an absolute host path from nodes (an opaque directory in their layer), unless it is below
 * what they have of their own anyway. */
static void push_hidden(struct nslab_rootfs_lab *rl, const char *abs)
{
	for (size_t k = 0; k < ARRAY_SIZE(own_paths); k++)
		if (nslab_path_under(abs, own_paths[k]))
			return;
	if (strcmp(abs, "/") != 0)
		push_host_dir(rl, abs + 1, true);
}

static int mount_layers(const char *path, struct nslab_err *err)
{
	if (mkdir(path, 0700) < 0 && errno != EEXIST)
		return nslab_err_sys(err, errno, "creating %s", path);
	/* the layers of every node: in memory, apart from the host's /run (a node filling its layer
	 * fills this, not the filesystem the host's daemons need) */
	if (mount("nslab-layers", path, "tmpfs", 0, "mode=0700") < 0)
		return nslab_err_sys(err, errno, "mounting a tmpfs on %s", path);
	return 0;
}

/* Another lab of this run directory keeps its layers in folder: two overlays on one upper layer
 * would corrupt each other's view. The lab's name if so (malloc'd), else NULL. */
static char *folder_user(const char *folder, const char *lab)
{
	char **names;
	size_t n;
	char *user = NULL;

	if (nslab_lab_names(&names, &n, NULL) < 0)
		return NULL;
	for (size_t i = 0; i < n && !user; i++) {
		if (strcmp(names[i], lab) == 0)
			continue;
		_cleanup_free_ char *path = nslab_lab_path(names[i], "state.json");
		json_t *j = json_load_file(path, 0, NULL);
		const char *f = j ? json_string_value(json_object_get(j, "lab_folder")) : NULL;
		if (f && strcmp(f, folder) == 0)
			user = xstrdup(names[i]);
		json_decref(j);
	}
	nslab_strv_free(names, n);
	return user;
}

/* The lab's layer: its directories (in order, parents first) and /etc/hosts. */
static int build_lower(const struct nslab_rootfs_lab *rl, const char *hosts_path, struct nslab_err *err)
{
	_cleanup_close_ int fd = -1;
	_cleanup_free_ char *hosts = NULL;
	size_t len = 0;
	int r;

	if (mkdir(rl->lower, 0755) < 0 || (fd = open(rl->lower, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0 ||
	    fchmod(fd, 0755) < 0)
		return nslab_err_sys(err, errno, "creating %s", rl->lower);
	for (size_t i = 0; i < rl->ndirs; i++) {
		const struct nslab_rootfs_dir *d = &rl->dirs[i];
		if (mkdirat(fd, d->path, 0700) < 0 || fchmodat(fd, d->path, d->mode, 0) < 0 ||
		    fchownat(fd, d->path, d->uid, d->gid, AT_SYMLINK_NOFOLLOW) < 0)
			return nslab_err_sys(err, errno, "creating %s/%s", rl->lower, d->path);
		if (d->opaque) {
			_cleanup_close_ int dfd = openat(fd, d->path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (dfd < 0 || fsetxattr(dfd, "trusted.overlay.opaque", "y", 1, 0) < 0)
				return nslab_err_sys(err, errno, "making %s/%s opaque (overlayfs)", rl->lower, d->path);
		}
	}
	if (!hosts_path)
		return 0;
	r = nslab_read_file(hosts_path, &hosts, &len);
	if (r < 0)
		return nslab_err_sys(err, -r, "reading %s", hosts_path);
	_cleanup_free_ char *to = xasprintf("%s/etc/hosts", rl->lower);
	r = nslab_write_file(to, hosts, len, 0644);
	if (r == 0 && chmod(to, 0644) < 0)
		r = -errno;
	return r < 0 ? nslab_err_sys(err, -r, "writing %s", to) : 0;
}

int nslab_rootfs_lab_prepare(struct nslab_rootfs_lab *rl, const char *lab, const char *folder, const char *hosts_path,
			     int (*journal)(void *ctx, const char *line), void *ctx, struct nslab_err *err)
{
	_cleanup_free_ char *mountinfo = NULL, *tmpfs = nslab_lab_path(lab, NSLAB_LAYERS_DIR);
	_cleanup_free_ char *line = xasprintf("layers %s", tmpfs);
	char rundir[PATH_MAX];
	const char *excl[2];
	size_t nexcl = 0;
	int r;

	memset(rl, 0, sizeof(*rl));
	if (folder) {
		_cleanup_free_ char *user = folder_user(folder, lab);
		if (user)
			return nslab_err_set(err, EBUSY, "the lab folder %s is in use by lab %s", folder, user);
		if (mkdir(folder, 0700) < 0 && errno != EEXIST)
			return nslab_err_sys(err, errno, "creating the lab folder %s", folder);
	}
	r = journal(ctx, line);
	if (r < 0)
		return nslab_err_sys(err, -r, "journaling %s", tmpfs);
	r = mount_layers(tmpfs, err);
	if (r < 0)
		return r;
	rl->layers = folder ? xstrdup(folder) : xstrdup(tmpfs);
	rl->keep = folder != NULL;
	rl->lower = xasprintf("%s/" NSLAB_LAB_LAYER, tmpfs);

	push_host_dir(rl, "etc", false); /* for /etc/hosts */
	push_private(rl, "tmp", false);
	push_private(rl, "var/tmp", false);
	push_private(rl, "var/log", true);
	push_private(rl, "root", false);
	if (realpath(nslab_rundir(), rundir)) {
		push_hidden(rl, rundir);
		excl[nexcl++] = rundir;
	}
	if (folder) {
		push_hidden(rl, folder);
		excl[nexcl++] = folder;
	}
	r = build_lower(rl, hosts_path, err);
	if (r < 0)
		return r;

	r = nslab_read_file("/proc/self/mountinfo", &mountinfo, NULL);
	if (r < 0)
		return nslab_err_sys(err, -r, "reading /proc/self/mountinfo");
	rl->ncarry = nslab_rootfs_carry_parse(mountinfo, excl, nexcl, &rl->carry);
	return 0;
}

int nslab_rootfs_hosts_update(const struct nslab_rootfs_lab *rl, const char *hosts_path, struct nslab_err *err)
{
	_cleanup_free_ char *to = xasprintf("%s/etc/hosts", rl->lower);
	_cleanup_free_ char *data = NULL;
	_cleanup_close_ int fd = -1;
	size_t len = 0, off = 0;
	int r = nslab_read_file(hosts_path, &data, &len);

	if (r < 0)
		return nslab_err_sys(err, -r, "reading %s", hosts_path);
	/* the same inode: the nodes' overlays keep pointing at it */
	fd = open(to, O_WRONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return nslab_err_sys(err, errno, "opening %s", to);
	while (off < len) {
		ssize_t w = pwrite(fd, data + off, len - off, (off_t)off);
		if (w < 0)
			return nslab_err_sys(err, errno, "writing %s", to);
		off += (size_t)w;
	}
	if (ftruncate(fd, (off_t)len) < 0)
		return nslab_err_sys(err, errno, "truncating %s", to);
	return 0;
}

void nslab_rootfs_lab_free(struct nslab_rootfs_lab *rl)
{
	for (size_t i = 0; i < rl->ndirs; i++)
		free((char *)rl->dirs[i].path);
	free(rl->dirs);
	nslab_strv_free(rl->carry, rl->ncarry);
	free(rl->layers);
	free(rl->lower);
	memset(rl, 0, sizeof(*rl));
}

struct nslab_rootfs nslab_rootfs_for_node(const struct nslab_rootfs_lab *rl, const char *layer)
{
	return (struct nslab_rootfs){
		.layer = layer,
		.lower = rl->lower,
		.keep = rl->keep,
		.carry = (const char *const *)rl->carry,
		.ncarry = rl->ncarry,
	};
}

int nslab_rootfs_layers_remove(const char *lab, const char *journaled, struct nslab_err *err)
{
	_cleanup_free_ char *own = nslab_lab_path(lab, NSLAB_LAYERS_DIR);

	if (strcmp(journaled, own) != 0)
		return nslab_err_set(err, EPERM, "refusing to remove %s: not the lab's own layers directory (%s)",
				     journaled, own);
	/* whatever is mounted there is ours: the tmpfs, maybe twice after a crash between two deploys */
	for (int i = 0; i < 16 && umount2(own, MNT_DETACH | UMOUNT_NOFOLLOW) == 0; i++)
		;
	if (rmdir(own) < 0 && errno != ENOENT)
		return nslab_err_sys(err, errno, "removing %s", own);
	return 0;
}

/* ---- the node's side (its init, in its own mount namespace) ---- */

#define WHAT(...) snprintf(what, wlen, __VA_ARGS__)

static int openat2_in(int rootfd, const char *path, int flags)
{
	struct open_how how = { .flags = (unsigned)(flags | O_CLOEXEC),
				.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS };
	int fd = (int)syscall(SYS_openat2, rootfd, path, &how, sizeof(how));

	return fd < 0 ? -errno : fd;
}

/*
 * Open the absolute path inside the root rootfd as if rootfd were "/" (a symlink never leads out),
 * O_PATH; with create, make what is missing in the node's view (so in its layer, or in whatever
 * private mount is there): parent directories, and the last component as a directory (dir) or an
 * empty file.
 */
static int open_in_root(int rootfd, const char *path, bool create, bool dir)
{
	_cleanup_free_ char *copy = NULL;
	int fd = openat2_in(rootfd, path, O_PATH);
	char *p;

	if (fd != -ENOENT || !create)
		return fd;
	copy = xstrdup(path);
	p = copy;
	while (*p == '/')
		p++;
	while (*p) {
		char *slash = strchr(p, '/');
		bool last;
		if (slash)
			*slash = '\0';
		last = !slash || !slash[1 + strspn(slash + 1, "/")];
		fd = openat2_in(rootfd, copy, O_PATH);
		if (fd == -ENOENT) {
			/* the parent exists: made or found in the previous round */
			char *cut = strrchr(copy, '/');
			*cut = '\0';
			int parent = openat2_in(rootfd, *copy ? copy : "/", O_PATH | O_DIRECTORY);
			*cut = '/';
			if (parent < 0)
				return parent;
			int r;
			if (!last || dir) {
				r = mkdirat(parent, cut + 1, 0755);
			} else {
				r = openat(parent, cut + 1, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
				if (r >= 0)
					close(r);
			}
			r = r < 0 ? -errno : 0;
			close(parent);
			if (r < 0 && r != -EEXIST)
				return r;
			fd = openat2_in(rootfd, copy, O_PATH);
			if (fd == -ENOENT)
				return -ELOOP; /* a dangling symlink is in the way */
		}
		if (fd < 0)
			return fd;
		if (last)
			return fd;
		close(fd);
		*slash = '/';
		p = slash + 1;
		while (*p == '/')
			p++;
	}
	return openat2_in(rootfd, path, O_PATH);
}

/*
 * Bind the tree at src (an O_PATH fd, in our mount namespace) onto dst (an O_PATH fd), recursively;
 * ro: read-only, submounts included (mount_setattr AT_RECURSIVE; before Linux 5.12, the top only).
 */
static int bind_tree(int src, int dst, bool ro)
{
	int t = open_tree(src, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH | AT_RECURSIVE);
	int r = 0;

	if (t < 0)
		return -errno;
	if (ro) {
		struct mount_attr a = { .attr_set = MOUNT_ATTR_RDONLY };
		if (mount_setattr(t, "", AT_EMPTY_PATH | AT_RECURSIVE, &a, sizeof(a)) < 0) {
			char p[64];
			snprintf(p, sizeof(p), "/proc/self/fd/%d", t);
			if (errno != ENOSYS || mount(NULL, p, NULL, MS_BIND | MS_REMOUNT | MS_RDONLY, NULL) < 0)
				r = -errno;
		}
	}
	if (r == 0 && move_mount(t, "", dst, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
		r = -errno;
	close(t);
	return r;
}

/* A path in overlayfs's options: `\`, `,` and `:` escaped. */
static char *ovl_escape(const char *p)
{
	char *out = xmalloc(2 * strlen(p) + 1), *w = out;

	for (; *p; p++) {
		if (*p == '\\' || *p == ',' || *p == ':')
			*w++ = '\\';
		*w++ = *p;
	}
	*w = '\0';
	return out;
}

/* Device nodes a program expects, on the node's own /dev (a tmpfs). */
static const struct {
	const char *name;
	unsigned major, minor;
} devices[] = {
	{ "null", 1, 3 }, { "zero", 1, 5 }, { "full", 1, 7 }, { "random", 1, 8 }, { "urandom", 1, 9 },
	{ "tty", 5, 0 },  { "net/tun", 10, 200 },
};

static const struct {
	const char *name, *target;
} dev_links[] = {
	{ "ptmx", "pts/ptmx" },		 { "fd", "/proc/self/fd" },	    { "stdin", "/proc/self/fd/0" },
	{ "stdout", "/proc/self/fd/1" }, { "stderr", "/proc/self/fd/2" }, { "core", "/proc/kcore" },
};

static int make_dev(int rootfd, char *what, size_t wlen)
{
	_cleanup_close_ int dev = openat(rootfd, "dev", O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	char p[64];

	if (dev < 0)
		return WHAT("opening /dev"), -errno;
	snprintf(p, sizeof(p), "/proc/self/fd/%d", dev);
	if (mount("tmpfs", p, "tmpfs", MS_NOSUID | MS_NOEXEC, "mode=0755,size=64m") < 0)
		return WHAT("mounting /dev"), -errno;
	close(dev);
	dev = openat(rootfd, "dev", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dev < 0 || mkdirat(dev, "pts", 0755) < 0 || mkdirat(dev, "shm", 01777) < 0 ||
	    fchmodat(dev, "shm", 01777, 0) < 0 || mkdirat(dev, "net", 0755) < 0)
		return WHAT("populating /dev"), -errno;
	for (size_t i = 0; i < ARRAY_SIZE(devices); i++)
		if (mknodat(dev, devices[i].name, S_IFCHR | 0666, makedev(devices[i].major, devices[i].minor)) < 0 ||
		    fchmodat(dev, devices[i].name, 0666, 0) < 0)
			return WHAT("creating /dev/%s", devices[i].name), -errno;
	for (size_t i = 0; i < ARRAY_SIZE(dev_links); i++)
		if (symlinkat(dev_links[i].target, dev, dev_links[i].name) < 0)
			return WHAT("creating /dev/%s", dev_links[i].name), -errno;
	snprintf(p, sizeof(p), "/proc/self/fd/%d", dev);
	_cleanup_free_ char *pts = xasprintf("%s/pts", p);
	if (mount("devpts", pts, "devpts", MS_NOSUID | MS_NOEXEC, "newinstance,ptmxmode=0666,mode=0620") < 0)
		return WHAT("mounting /dev/pts"), -errno;
	return 0;
}

/* A fresh filesystem on a directory of the new root. */
static int mount_at(int rootfd, const char *rel, const char *type, unsigned long flags, const char *opts,
		    char *what, size_t wlen)
{
	_cleanup_close_ int fd = openat(rootfd, rel, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	char p[64];

	if (fd < 0)
		return WHAT("opening /%s", rel), -errno;
	snprintf(p, sizeof(p), "/proc/self/fd/%d", fd);
	if (mount(type, p, type, flags, opts) < 0)
		return WHAT("mounting /%s", rel), -errno;
	return 0;
}

/* The host paths the node needs (binds, then the host's other disk filesystems), opened while the
 * host's tree is still in view. */
static int open_sources(const struct nslab_rootfs *r, const struct nslab_bind *binds, size_t nbinds, int *srcs,
			char *what, size_t wlen)
{
	for (size_t i = 0; i < nbinds; i++) {
		srcs[i] = open(binds[i].src, O_PATH | O_CLOEXEC);
		if (srcs[i] < 0)
			return WHAT("bind %s:%s: opening the host path", binds[i].src, binds[i].dst), -errno;
	}
	for (size_t i = 0; i < r->ncarry; i++) {
		srcs[nbinds + i] = open(r->carry[i], O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (srcs[nbinds + i] < 0)
			return WHAT("opening the host's %s", r->carry[i]), -errno;
	}
	return 0;
}

/* The node's layer (upper/: its writes, work/: overlayfs's, root/: where it is mounted) and the
 * overlay on root/; the root's fd in *rootfd. Leaves the layer as the working directory. */
static int mount_root(const struct nslab_rootfs *r, int *rootfd, char *what, size_t wlen)
{
	_cleanup_free_ char *lower = NULL, *opts = NULL;
	_cleanup_close_ int layer = -1;

	if (mkdir(r->layer, 0700) < 0 && errno != EEXIST)
		return WHAT("creating its layer %s", r->layer), -errno;
	layer = open(r->layer, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (layer < 0)
		return WHAT("opening its layer %s", r->layer), -errno;
	if ((mkdirat(layer, "upper", 0755) < 0 && errno != EEXIST) || fchmodat(layer, "upper", 0755, 0) < 0 ||
	    (mkdirat(layer, "work", 0700) < 0 && errno != EEXIST) || (mkdirat(layer, "root", 0755) < 0 && errno != EEXIST))
		return WHAT("creating its layer in %s", r->layer), -errno;

	/* lowerdir: the lab's layer over the host's root filesystem alone ("/": the mounts on it are not
	 * part of it); upper and work relative to the node's layer, our working directory */
	if (fchdir(layer) < 0)
		return WHAT("entering %s", r->layer), -errno;
	lower = ovl_escape(r->lower);
	opts = xasprintf("lowerdir=%s:/,upperdir=upper,workdir=work%s", lower, r->keep ? "" : ",volatile");
	if (mount("overlay", "root", "overlay", 0, opts) < 0)
		return WHAT("mounting its root (overlayfs, %s)", opts), -errno;
	*rootfd = openat(layer, "root", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (*rootfd < 0)
		return WHAT("opening its root"), -errno;
	return 0;
}

/* The host's other disk filesystems read-only, then the node's own /dev, /proc, /sys and /run. */
static int mount_system(const struct nslab_rootfs *r, int rootfd, int *carry, char *what, size_t wlen)
{
	int ret;

	for (size_t i = 0; i < r->ncarry; i++) {
		int dst = open_in_root(rootfd, r->carry[i], false, true);
		ret = dst < 0 ? dst : bind_tree(carry[i], dst, true);
		if (dst >= 0)
			close(dst);
		if (ret < 0)
			return WHAT("showing the host's %s read-only", r->carry[i]), ret;
		close(carry[i]);
		carry[i] = -1;
	}
	ret = make_dev(rootfd, what, wlen);
	if (ret == 0)
		ret = mount_at(rootfd, "proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL, what, wlen);
	if (ret == 0)
		ret = mount_at(rootfd, "sys", "sysfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL, what, wlen);
	/* its own /run: daemons (FRR, bird) keep their pid files and sockets per node */
	if (ret == 0)
		ret = mount_at(rootfd, "run", "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755,size=16m", what, wlen);
	return ret;
}

/* The file's binds, last: on top of everything above. */
static int mount_binds(int rootfd, const struct nslab_bind *binds, size_t nbinds, int *srcs, char *what, size_t wlen)
{
	for (size_t i = 0; i < nbinds; i++) {
		struct stat st;
		int dst, ret;

		if (fstat(srcs[i], &st) < 0)
			return WHAT("bind %s:%s: the host path", binds[i].src, binds[i].dst), -errno;
		dst = open_in_root(rootfd, binds[i].dst, true, S_ISDIR(st.st_mode));
		if (dst < 0)
			return WHAT("bind %s:%s: the node path", binds[i].src, binds[i].dst), dst;
		ret = bind_tree(srcs[i], dst, binds[i].ro);
		close(dst);
		if (ret < 0)
			return WHAT("bind %s:%s%s", binds[i].src, binds[i].dst, binds[i].ro ? " (read-only)" : ""), ret;
		close(srcs[i]);
		srcs[i] = -1;
	}
	return 0;
}

/* Into the root at rootfd; the host's tree (and every namespace handle mounted in it) is dropped. */
static int pivot_into(int rootfd, char *what, size_t wlen)
{
	if (fchdir(rootfd) < 0)
		return WHAT("entering its root"), -errno;
	if (syscall(SYS_pivot_root, ".", ".") < 0) {
		/* EINVAL: the host runs from an initramfs (rootfs cannot be pivoted away, as in
		 * kernel-vm's guest). Move the node's root over / and chroot into it, as switch_root
		 * and runc's no-pivot mode do; the host's tree stays beneath, out of the node's reach. */
		if (errno != EINVAL || mount(".", "/", NULL, MS_MOVE, NULL) < 0 || chroot(".") < 0)
			return WHAT("pivot_root into its root"), -errno;
		if (chdir("/") < 0)
			return WHAT("entering its root"), -errno;
		return 0;
	}
	if (umount2(".", MNT_DETACH) < 0 || chdir("/") < 0)
		return WHAT("detaching the host's root"), -errno;
	return 0;
}

int nslab_rootfs_enter(const struct nslab_rootfs *r, const struct nslab_bind *binds, size_t nbinds, char *what,
		       size_t wlen)
{
	_cleanup_free_ int *srcs = NULL;
	_cleanup_close_ int rootfd = -1;
	int ret;

	umask(0);
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return WHAT("making its mounts private"), -errno;
	srcs = xcalloc(nbinds + r->ncarry + 1, sizeof(int));
	for (size_t i = 0; i < nbinds + r->ncarry; i++)
		srcs[i] = -1;
	ret = open_sources(r, binds, nbinds, srcs, what, wlen);
	if (ret == 0)
		ret = mount_root(r, &rootfd, what, wlen);
	if (ret == 0)
		ret = mount_system(r, rootfd, srcs + nbinds, what, wlen);
	if (ret == 0)
		ret = mount_binds(rootfd, binds, nbinds, srcs, what, wlen);
	if (ret == 0)
		ret = pivot_into(rootfd, what, wlen);
	for (size_t i = 0; i < nbinds + r->ncarry; i++)
		if (srcs[i] >= 0)
			close(srcs[i]);
	if (ret == 0)
		umask(022);
	return ret;
}
