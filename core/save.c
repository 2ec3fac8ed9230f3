// SPDX-License-Identifier: GPL-2.0-or-later
/* core/save.c: nslab save: FRR nodes write their configuration, changed files go to a lab folder. */
#include "save.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <sys/stat.h>

#include "../util/util.h"
#include "lab.h"
#include "node.h"
#include "rootfs.h"
#include "journal.h"
#include "rundir.h"

/* Does FRR run in the node (a daemon's vty socket in its /run/frr)? */
static bool runs_frr(pid_t pid)
{
	char path[64];
	DIR *d;
	struct dirent *de;
	bool found = false;

	snprintf(path, sizeof(path), "/proc/%d/root/run/frr", (int)pid);
	d = opendir(path);
	if (!d)
		return false;
	while (!found && (de = readdir(d))) {
		size_t len = strlen(de->d_name);
		found = len > 4 && strcmp(de->d_name + len - 4, ".vty") == 0;
	}
	closedir(d);
	return found;
}

static int write_memory(int pidfd, char **env, int *status, struct nslab_err *err)
{
	char *argv[] = { "vtysh", "-c", "write memory", NULL };
	_cleanup_close_ int devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);

	return nslab_node_run(pidfd, argv, env, devnull, status, err);
}

/* mkdir -p of dst/rel's parents, each with the mode and owner of the same folder under src. */
static int make_parents(const char *src, const char *dst, const char *rel, struct nslab_err *err)
{
	_cleanup_free_ char *copy = xstrdup(rel);

	for (char *s = copy; (s = strchr(s, '/')); s++) {
		struct stat st;
		*s = '\0';
		_cleanup_free_ char *from = xasprintf("%s/%s", src, copy);
		_cleanup_free_ char *to = xasprintf("%s/%s", dst, copy);
		if (lstat(from, &st) < 0)
			return nslab_err_sys(err, errno, "reading %s", from);
		if (mkdir(to, st.st_mode & 07777) < 0 && errno != EEXIST)
			return nslab_err_sys(err, errno, "creating %s", to);
		if (chmod(to, st.st_mode & 07777) < 0 || lchown(to, st.st_uid, st.st_gid) < 0)
			return nslab_err_sys(err, errno, "setting the mode and owner of %s", to);
		*s = '/';
	}
	return 0;
}

/* Copy one regular file (content, mode, owner), through a temporary name. */
static int copy_file(const char *from, const char *to, struct nslab_err *err)
{
	_cleanup_free_ char *data = NULL;
	_cleanup_free_ char *tmp = xasprintf("%s.nslab-save", to);
	struct stat st;
	size_t len = 0;
	int r;

	if (lstat(from, &st) < 0)
		return nslab_err_sys(err, errno, "reading %s", from);
	r = nslab_read_file(from, &data, &len);
	if (r == 0)
		r = nslab_write_file(tmp, data, len, 0600);
	if (r == 0 && (chmod(tmp, st.st_mode & 07777) < 0 || lchown(tmp, st.st_uid, st.st_gid) < 0 ||
		       rename(tmp, to) < 0))
		r = -errno;
	if (r < 0) {
		unlink(tmp);
		return nslab_err_sys(err, -r, "copying %s to %s", from, to);
	}
	return 0;
}

struct walk {
	const char *node, *upper, *dest; /* dest: DEST/NODE/upper */
	bool kept;
	void (*cb)(void *ctx, const struct nslab_save_event *ev);
	void *ctx;
};

/* Every regular file below upper/rel (rel: "etc" at first), but the /etc/hosts nslab writes. */
static int walk_dir(const struct walk *w, const char *rel, struct nslab_err *err)
{
	_cleanup_free_ char *dir = xasprintf("%s/%s", w->upper, rel);
	DIR *d = opendir(dir);
	struct dirent *de;
	int r = 0;

	if (!d)
		return errno == ENOENT ? 0 : nslab_err_sys(err, errno, "reading %s", dir);
	while (r == 0 && (de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		_cleanup_free_ char *sub = xasprintf("%s/%s", rel, de->d_name);
		_cleanup_free_ char *path = xasprintf("%s/%s", w->upper, sub);
		struct stat st;
		if (lstat(path, &st) < 0) {
			r = nslab_err_sys(err, errno, "reading %s", path);
		} else if (S_ISDIR(st.st_mode)) {
			r = walk_dir(w, sub, err);
		} else if (S_ISREG(st.st_mode) && strcmp(sub, "etc/hosts") != 0) {
			_cleanup_free_ char *to = xasprintf("%s/%s", w->dest, sub);
			_cleanup_free_ char *in_node = xasprintf("/%s", sub);
			if (!w->kept) {
				r = make_parents(w->upper, w->dest, sub, err);
				if (r == 0)
					r = copy_file(path, to, err);
			}
			if (r == 0 && w->cb)
				w->cb(w->ctx, &(struct nslab_save_event){ .node = w->node, .from = in_node, .to = to,
									  .kept = w->kept });
		}
	}
	closedir(d);
	return r;
}

static int save_node(const char *lab, const char *node, const char *layers, const char *dest,
		     void (*cb)(void *ctx, const struct nslab_save_event *ev), void *ctx, struct nslab_err *err)
{
	_cleanup_free_ char *upper = xasprintf("%s/%s/upper", layers, node);
	_cleanup_free_ char *node_dest = xasprintf("%s/%s", dest, node);
	_cleanup_free_ char *dest_upper = xasprintf("%s/upper", node_dest);
	char a[PATH_MAX], b[PATH_MAX];
	char **env = NULL;
	int pidfd, r, status = 0;

	r = nslab_lab_node_open(lab, node, &pidfd, &env, err);
	if (r < 0)
		return r;
	pid_t pid = nslab_pidfd_pid(pidfd);
	if (pid > 0 && runs_frr(pid)) {
		r = write_memory(pidfd, env, &status, err);
		if (r == 0 && cb)
			cb(ctx, &(struct nslab_save_event){ .node = node, .vtysh_status = status });
		if (r == 0 && status != 0)
			r = nslab_err_set(err, EIO, "node %s: vtysh -c 'write memory' exited with status %d", node, status);
	}
	close(pidfd);
	nslab_env_free(env);
	if (r < 0)
		return r;
	if ((mkdir(node_dest, 0700) < 0 && errno != EEXIST) || (mkdir(dest_upper, 0755) < 0 && errno != EEXIST))
		return nslab_err_sys(err, errno, "creating %s", dest_upper);
	struct walk w = { .node = node, .upper = upper, .dest = dest_upper, .cb = cb, .ctx = ctx };
	/* the lab runs from dest: its layer is already there */
	w.kept = realpath(upper, a) && realpath(dest_upper, b) && strcmp(a, b) == 0;
	return walk_dir(&w, "etc", err);
}

int nslab_lab_save(const char *lab, char *const *nodes, size_t n, const char *dest, char **dest_used,
		   void (*cb)(void *ctx, const struct nslab_save_event *ev), void *ctx, struct nslab_err *err)
{
	_cleanup_free_ char *path = NULL, *layers = NULL, *to = NULL;
	json_t *j, *jn, *node;
	const char *folder, *file, *status;
	size_t i;
	int r = 0;

	*dest_used = NULL;
	if (!nslab_name_valid(lab))
		return nslab_err_set(err, EINVAL, "'%s' is not a valid lab name", lab);
	path = nslab_lab_path(lab, "state.json");
	j = json_load_file(path, 0, NULL);
	if (!j)
		return nslab_err_set(err, ENOENT, "lab %s is not deployed", lab);
	folder = json_string_value(json_object_get(j, "lab_folder"));
	file = json_string_value(json_object_get(j, "file"));
	status = json_string_value(json_object_get(j, "status"));
	if (!status || strcmp(status, "running") != 0) {
		json_decref(j);
		return nslab_err_set(err, EBUSY, "lab %s is not running (%s)", lab, status ? status : "no status");
	}
	layers = folder ? xstrdup(folder) : nslab_lab_path(lab, NSLAB_LAYERS_DIR);
	if (dest) {
		to = xstrdup(dest);
	} else if (folder) {
		to = xstrdup(folder);
	} else {
		/* containerlab's habit: clab-LAB beside the topology file */
		const char *slash = file ? strrchr(file, '/') : NULL;
		to = slash ? xasprintf("%.*s/clab-%s", (int)(slash - file), file, lab) : xasprintf("clab-%s", lab);
	}
	if (mkdir(to, 0700) < 0 && errno != EEXIST)
		r = nslab_err_sys(err, errno, "creating %s", to);
	jn = json_object_get(j, "nodes");
	for (size_t k = 0; r == 0 && k < n; k++) { /* every node asked for exists */
		bool found = false;
		json_array_foreach(jn, i, node)
			found |= !strcmp(json_string_value(json_object_get(node, "name")) ?: "", nodes[k]);
		if (!found)
			r = nslab_err_set(err, ENOENT, "lab %s has no node %s", lab, nodes[k]);
	}
	json_array_foreach(jn, i, node) {
		const char *name = json_string_value(json_object_get(node, "name"));
		bool wanted = n == 0;
		if (r < 0 || !name)
			break;
		for (size_t k = 0; k < n && !wanted; k++)
			wanted = !strcmp(nodes[k], name);
		if (wanted)
			r = save_node(lab, name, layers, to, cb, ctx, err);
	}
	json_decref(j);
	if (r < 0)
		return nslab_err_prefix(err, "saving lab %s", lab);
	*dest_used = steal_ptr(to);
	return 0;
}
