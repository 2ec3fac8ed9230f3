// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * core/destroy.c: destroy and cleanup. Every kernel object of a lab lives inside the lab's own
 * namespaces (veths, bridges, addresses, routes), so destroying a lab is: kill each journaled
 * node init (PID 1 of its namespaces, taking every process of the node with it), drop each
 * journaled netns handle, remove the cgroups and the lab directory. The kernel frees the rest
 * with the namespaces. cleanup does the same for labs whose deploy or destroy died, and sweeps
 * handles and cgroups of labs that have no directory left.
 */
#include "destroy.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../util/util.h"
#include "cgroup.h"
#include "journal.h"
#include "lab.h"
#include "labstate.h"
#include "mgmt.h"
#include "node.h"
#include "rootfs.h"
#include "rundir.h"
#include "service.h"
#include "shutdown.h"

/* SIGKILL every journaled node (verified by start time); their pidfds, to wait on, in *pfds. */
static size_t kill_nodes(const struct nslab_journal *j, struct pollfd **pfds_out)
{
	struct pollfd *pfds = xcalloc(j->nnodes + 1, sizeof(*pfds));
	size_t n = 0;

	for (size_t i = 0; i < j->nnodes; i++) {
		int fd = nslab_pidfd_open_verified(j->nodes[i].pid, j->nodes[i].start);
		if (fd < 0)
			continue;
		if (syscall(SYS_pidfd_send_signal, fd, SIGKILL, NULL, 0) < 0) {
			close(fd);
			continue;
		}
		pfds[n].fd = fd;
		pfds[n].events = POLLIN;
		n++;
	}
	*pfds_out = pfds;
	return n;
}

/* Wait until the killed nodes are gone (a pidfd polls readable once its process has exited). */
static void wait_nodes(const struct nslab_journal *j, struct pollfd *pfds, size_t n)
{
	for (int waited = 0; waited < 100; waited++) {
		size_t alive = 0;
		/* reap any that are our own children */
		for (size_t i = 0; i < j->nnodes; i++)
			waitpid(j->nodes[i].pid, NULL, WNOHANG);
		if (poll(pfds, n, 100) < 0 && errno != EINTR)
			break;
		for (size_t i = 0; i < n; i++) {
			if (pfds[i].fd < 0)
				continue;
			if (pfds[i].revents & (POLLIN | POLLHUP | POLLERR)) {
				close(pfds[i].fd);
				pfds[i].fd = -1;
			} else {
				alive++;
			}
		}
		if (!alive)
			break;
	}
	for (size_t i = 0; i < n; i++)
		if (pfds[i].fd >= 0)
			close(pfds[i].fd);
	free(pfds);
}

/* A journaled cgroup is removed only inside the lab's own folder of a mounted hierarchy
 * (HIER/nslab.lab-LAB[/...]); one that no longer exists is nothing to remove. */
static int cgroup_in_lab_folder(const struct nslab_cg_sys *cg, const char *lab, const char *path,
				struct nslab_err *err)
{
	struct stat st;

	if (lstat(path, &st) < 0 && errno == ENOENT)
		return 0;
	for (size_t h = 0; cg && h < cg->nhier; h++) {
		_cleanup_free_ char *own = nslab_cg_path(cg, h, lab, NULL);
		size_t n = strlen(own);
		if (strncmp(path, own, n) == 0 && (path[n] == '\0' || path[n] == '/') && !strstr(path + n, "/.."))
			return 0;
	}
	return nslab_err_set(err, EPERM, "refusing to remove cgroup %s: not inside lab %s's own cgroup folders", path,
			     lab);
}

int nslab_destroy_locked(const char *lab, struct nslab_err *err)
{
	struct nslab_journal j;
	int r;

	/* a note for list and cleanup only: a lab without state.json, or a full disk, does not stop
	 * a destroy */
	nslab_state_set_status(lab, "destroying", NULL);
	r = nslab_journal_read(lab, &j, err);
	if (r < 0)
		return r;
	nslab_lab_run_shutdowns(lab, &j); /* lab.conf's DEVICE.shutdown, shared.shutdown */
	struct pollfd *pfds;
	/* daemons first, with SIGTERM and a grace period, so that they remove their own files */
	pid_t *pids = xcalloc(j.nnodes + 1, sizeof(pid_t));
	unsigned long long *starts = xcalloc(j.nnodes + 1, sizeof(*starts));
	for (size_t i = 0; i < j.nnodes; i++) {
		pids[i] = j.nodes[i].pid;
		starts[i] = j.nodes[i].start;
	}
	nslab_services_stop(pids, starts, j.nnodes, NSLAB_SERVICE_STOP_TIMEOUT_MS);
	free(pids);
	free(starts);
	size_t nkilled = kill_nodes(&j, &pfds);
	/* while they exit */
	nslab_netns_handles_drop(j.netns, j.nnetns);
	wait_nodes(&j, pfds, nkilled);
	/* never "destroyed" while a handle keeps a namespace (and its interfaces) alive */
	for (size_t i = 0; i < j.nnetns; i++)
		if (!nslab_netns_handle_gone(j.netns[i]) && nslab_netns_handle_drop(j.netns[i]) < 0) {
			r = nslab_err_set(err, EBUSY, "cannot remove namespace handle %s: " NSLAB_NETNS_HIDDEN_HINT,
					  j.netns[i]);
			nslab_journal_free(&j);
			return r;
		}
	/* the management bridge and host links (core/mgmt.h), once the nodes and their ends are gone */
	if (j.nhostifs && (r = nslab_mgmt_remove(lab, j.hostifs, j.nhostifs, err)) < 0) {
		nslab_journal_free(&j);
		return r;
	}
	if (j.layers && (r = nslab_rootfs_layers_remove(lab, j.layers, err)) < 0) {
		nslab_journal_free(&j);
		return r;
	}
	/* cgroups: the journaled directories, deepest last-made first; then whatever of the lab's
	 * subtree a crash left (nslab_cg_remove_lab sweeps only nslab.lab-LAB) */
	struct nslab_cg_sys cg;
	bool cg_ok = nslab_cg_detect(&cg, NULL) == 0;
	for (size_t i = j.ncgroups; i-- > 0;) {
		r = cgroup_in_lab_folder(cg_ok ? &cg : NULL, lab, j.cgroups[i], err);
		if (r == 0)
			r = nslab_cg_remove(j.cgroups[i], err);
		if (r < 0) {
			nslab_journal_free(&j);
			return r;
		}
	}
	nslab_journal_free(&j);
	if (cg_ok) {
		r = nslab_cg_remove_lab(&cg, lab, err);
		if (r < 0)
			return r;
	}
	return nslab_labdir_remove(lab, err);
}

int nslab_lab_destroy(const char *lab, bool *existed, struct nslab_err *err)
{
	_cleanup_free_ char *dir = NULL;
	struct stat st;
	int lock, r;

	if (existed)
		*existed = false;
	if (!nslab_name_valid(lab))
		return nslab_err_set(err, EINVAL, "'%s' is not a valid lab name", lab);
	/* the folder of a deploy killed before it published it (core/rundir.c), which no state names */
	if (nslab_rundir_trust(NULL, &(struct nslab_err){ 0 }) == 0)
		nslab_labdir_new_sweep(lab);
	dir = nslab_lab_path(lab, NULL);
	if (stat(dir, &st) < 0)
		return 0; /* nothing recorded: nothing of ours (nslab cleanup handles strays) */
	if (existed)
		*existed = true;
	lock = nslab_lab_lock(lab, true, false, err);
	if (lock == -ENOENT) { /* destroyed by the nslab we waited for */
		nslab_err_clear(err);
		return 0;
	}
	if (lock < 0)
		return nslab_err_prefix(err, "destroying lab %s", lab);
	r = nslab_destroy_locked(lab, err);
	close(lock);
	if (r < 0)
		return nslab_err_prefix(err, "destroying lab %s", lab);
	nslab_rundir_tidy();
	return 0;
}

/* ---- cleanup: labs whose deploy or destroy died ---- */

/* Inodes of every network namespace some live process is in (sorted). */
static size_t netns_in_use(ino_t **out)
{
	DIR *d = opendir("/proc");
	struct dirent *de;
	ino_t *v = NULL;
	size_t n = 0;

	while (d && (de = readdir(d))) {
		char path[300];
		struct stat st;
		if (de->d_name[0] < '0' || de->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/ns/net", de->d_name);
		if (stat(path, &st) == 0)
			*VEC_PUSH(v, n) = st.st_ino;
	}
	if (d)
		closedir(d);
	*out = v;
	return n;
}

/* Does any cgroup at or below dir hold a process? */
static bool cgroup_busy(const char *dir, int depth)
{
	_cleanup_free_ char *procs = xasprintf("%s/cgroup.procs", dir);
	_cleanup_free_ char *buf = NULL;
	struct dirent *de;
	bool busy = false;
	DIR *d;

	if (nslab_read_file(procs, &buf, NULL) == 0 && buf[0])
		return true;
	if (depth > 3 || !(d = opendir(dir)))
		return false;
	while (!busy && (de = readdir(d))) {
		if (de->d_type != DT_DIR || de->d_name[0] == '.')
			continue;
		_cleanup_free_ char *sub = xasprintf("%s/%s", dir, de->d_name);
		busy = cgroup_busy(sub, depth + 1);
	}
	closedir(d);
	return busy;
}

/* cgroups of labs that have no state directory: removed when no process is left in them (a live
 * lab under another run directory keeps its own). */
/* only == NULL: every lab; else only the labs named in the NULL-terminated list */
static bool lab_selected(char *const *only, const char *lab)
{
	if (!only)
		return true;
	for (; *only; only++)
		if (strcmp(*only, lab) == 0)
			return true;
	return false;
}

/* Lock the lab's folder of every hierarchy exclusively (fds in held); true when one is held by a
 * live nslab (core/cgroup_apply.c holds them shared while it makes node cgroups). */
static bool lab_cgroups_lock(const struct nslab_cg_sys *cg, const char *lab, int *held, size_t *nheld)
{
	for (size_t h = 0; h < cg->nhier; h++) {
		_cleanup_free_ char *dir = nslab_cg_path(cg, h, lab, NULL);
		int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd < 0)
			continue;
		if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
			close(fd);
			return true;
		}
		held[(*nheld)++] = fd;
	}
	return false;
}

static void sweep_stray_cgroups(void (*cb)(void *ctx, const char *lab, const char *why), void *ctx,
				char *const *only)
{
	struct nslab_cg_sys cg;

	if (nslab_cg_detect(&cg, NULL) < 0)
		return;
	for (size_t h = 0; h < cg.nhier; h++) {
		DIR *d = opendir(cg.hier[h].path);
		struct dirent *de;
		while (d && (de = readdir(d))) {
			const char *lab;
			struct stat st;
			if (strncmp(de->d_name, NSLAB_CG_LAB_PREFIX, strlen(NSLAB_CG_LAB_PREFIX)) != 0)
				continue;
			lab = de->d_name + strlen(NSLAB_CG_LAB_PREFIX);
			if (!lab_selected(only, lab))
				continue;
			_cleanup_free_ char *dir = nslab_lab_path(lab, NULL);
			_cleanup_free_ char *cgdir = xasprintf("%s/%s", cg.hier[h].path, de->d_name);
			if (!nslab_name_valid(lab) || lstat(dir, &st) == 0 || cgroup_busy(cgdir, 0))
				continue;
			int held[NSLAB_CG_MAX_HIER];
			size_t nheld = 0;
			/* a live deploy (under any run directory) holds its lab's folders shared */
			bool live = lab_cgroups_lock(&cg, lab, held, &nheld);
			if (!live && !cgroup_busy(cgdir, 0) && nslab_cg_remove_lab(&cg, lab, NULL) == 0 && cb)
				cb(ctx, de->d_name, "stray cgroup");
			while (nheld > 0)
				close(held[--nheld]);
		}
		if (d)
			closedir(d);
	}
}

/* Labs with a directory whose status is not "running" (nor "failed", a lab kept on purpose) and
 * whose lock nobody holds. */
static int cleanup_dead_labs(char *const *only, void (*cb)(void *ctx, const char *lab, const char *why), void *ctx,
			     struct nslab_err *err)
{
	char **names;
	size_t n;
	int r, ret = 0;

	r = nslab_lab_names(&names, &n, err);
	if (r < 0)
		return r;
	for (size_t i = 0; i < n; i++) {
		const char *lab = names[i];
		struct nslab_lab_state st;
		struct nslab_err e = { 0 };
		char why[128];
		int lock;

		if (!nslab_name_valid(lab) || !lab_selected(only, lab))
			continue;
		lock = nslab_lab_lock(lab, true, true, &e);
		if (lock == -EBUSY || lock == -ENOENT)
			continue; /* a live nslab holds it (deploying, destroying), or it is gone */
		if (lock < 0) { /* never silently: the lab stays, and says why */
			nslab_err_set(err, e.code, "%s", e.msg);
			ret = -e.code;
			continue;
		}
		if (nslab_state_read(lab, &st, NULL) < 0)
			st.status = NULL;
		snprintf(why, sizeof(why), "%s", st.status ? st.status : "no state");
		/* "failed": kept by deploy --keep-on-error for inspection, removed by destroy only */
		if (!st.status || (strcmp(st.status, "running") != 0 && strcmp(st.status, "failed") != 0)) {
			if (nslab_destroy_locked(lab, &e) < 0) {
				nslab_err_set(err, e.code, "%s", e.msg);
				ret = -e.code;
			} else if (cb) {
				cb(ctx, lab, why);
			}
		}
		nslab_state_free(&st);
		close(lock);
	}
	nslab_strv_free(names, n);
	return ret;
}

/* Handles of labs that have no state directory at all, and whose namespace no process is in (a
 * live node under another run directory keeps its handle). */
static int cleanup_stray_handles(char *const *only, void (*cb)(void *ctx, const char *lab, const char *why),
				 void *ctx, struct nslab_err *err)
{
	int ret = 0;
	DIR *d = opendir(NSLAB_NETNS_DIR);
	size_t plen = strlen(NSLAB_NETNS_PREFIX);
	struct dirent *de;
	ino_t *busy = NULL;
	size_t nbusy = netns_in_use(&busy);

	while (d && (de = readdir(d))) {
		const char *dot = strchr(de->d_name, '.');
		struct stat st;
		bool in_use = false;

		if (strncmp(de->d_name, NSLAB_NETNS_PREFIX, plen) != 0 || !dot)
			continue;
		_cleanup_free_ char *lab = xstrndup(de->d_name + plen, (size_t)(dot - de->d_name) - plen);
		_cleanup_free_ char *dir = nslab_lab_path(lab, NULL);
		_cleanup_free_ char *p = xasprintf(NSLAB_NETNS_DIR "/%s", de->d_name);
		if (!lab_selected(only, lab) || stat(dir, &st) == 0)
			continue;
		if (stat(p, &st) == 0)
			for (size_t k = 0; k < nbusy && !in_use; k++)
				in_use = busy[k] == st.st_ino;
		if (in_use)
			continue;
		if (nslab_netns_handle_drop(p) < 0) {
			/* an error, never "cleaned": the namespace stays alive */
			ret = nslab_err_set(err, EBUSY, "cannot remove namespace handle %s: " NSLAB_NETNS_HIDDEN_HINT, p);
			continue;
		}
		if (cb)
			cb(ctx, de->d_name, "stray namespace handle");
	}
	if (d)
		closedir(d);
	free(busy);
	return ret;
}

int nslab_lab_cleanup(char *const *only, void (*cb)(void *ctx, const char *lab, const char *why), void *ctx,
		      struct nslab_err *err)
{
	struct nslab_err e = { 0 };
	int r;

	/* an untrusted run directory: nothing is swept, not even what has no folder there */
	r = nslab_rundir_trust(NULL, err);
	if (r < 0 && r != -ENOENT)
		return r;
	for (char *const *o = only; o && *o; o++) /* a named lab's folder too (a symlink is no lab folder) */
		if ((r = nslab_rundir_trust(*o, err)) < 0 && r != -ENOENT)
			return r;
	nslab_err_clear(err);
	/* folders of deploys killed before they published theirs (core/rundir.c) */
	if (!only)
		nslab_labdir_new_sweep("");
	for (char *const *o = only; o && *o; o++)
		nslab_labdir_new_sweep(*o);
	r = cleanup_dead_labs(only, cb, ctx, err);

	if (cleanup_stray_handles(only, cb, ctx, &e) < 0 && r == 0) {
		*err = e;
		r = -e.code;
	}
	sweep_stray_cgroups(cb, ctx, only);
	nslab_rundir_tidy();
	return r;
}
