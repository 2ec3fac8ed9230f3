// SPDX-License-Identifier: GPL-2.0-or-later
/* core/deploy_netns.c: the namespace handles /run/netns/nslab-LAB.NODE that a deploy makes for
 * `ip netns` (and for nslab's own later commands), in a helper process beside the deployer. */
#include "deploy_netns.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../util/util.h"
#include "rundir.h"

/*
 * One namespace handle's file at path: a hard link to the lab's first handle (*first), or, for the
 * first or where no link can be made, a file of its own (which later handles then link to). No
 * inode to allocate per node: on an ext4 /run without a journal, inode allocation skips recently
 * deleted inodes one by one, quadratic across redeploys. The first handle is in /run/netns itself:
 * that folder is a mount of its own (nslab_netns_dir_ensure), which a link from anywhere else
 * cannot cross (EXDEV). Returns 0 or an errno.
 */
static int netns_handle_file(const char *path, char **first)
{
	for (int tries = 0; tries < 2; tries++) {
		int e = 0, fd;
		if (*first) {
			if (link(*first, path) == 0)
				return 0;
			e = errno;
		}
		if (!*first || (e != EEXIST && e != ENOENT)) {
			fd = open(path, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0);
			if (fd >= 0) {
				close(fd);
				free(*first);
				*first = xstrdup(path);
				return 0;
			}
			e = errno;
		}
		if (e != ENOENT || tries)
			return e;
		/* the first handle is gone (removed from outside): this one becomes the first */
		free(*first);
		*first = NULL;
		/* another nslab's tidy removed an empty /run/netns it had made since we made sure of
		 * it: make it again (with its mark) and retry once */
		struct nslab_err e2 = { 0 };
		if (nslab_netns_dir_ensure(&e2) < 0)
			return ENOENT;
	}
	return ENOENT;
}

pid_t nslab_netns_mounter_start(const struct nslab_topo *t, const char *lab, const pid_t *pids, int *status_fd,
				struct nslab_err *err)
{
	int p[2];
	pid_t pid;

	if (pipe2(p, O_CLOEXEC) < 0)
		return nslab_err_sys(err, errno, "pipe");
	pid = fork();
	if (pid < 0) {
		int e = errno;
		close(p[0]);
		close(p[1]);
		return nslab_err_sys(err, e, "fork");
	}
	if (pid == 0) {
		struct nslab_err e = { 0 };
		_cleanup_free_ char *first = NULL;
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		close(p[0]);
		/* All the files first, then the mounts: once a namespace is mounted on it, a handle is
		 * nsfs's file, which no link can name */
		for (size_t n = 0; n < t->nnodes; n++) {
			_cleanup_free_ char *path = nslab_netns_path(lab, t->nodes[n].name);
			int le = netns_handle_file(path, &first);
			if (le) {
				nslab_err_sys(&e, le, "node %s: creating %s", t->nodes[n].name, path);
				break;
			}
		}
		for (size_t n = 0; !e.code && n < t->nnodes; n++) {
			_cleanup_free_ char *path = nslab_netns_path(lab, t->nodes[n].name);
			char src[64];
			/* a node sharing another's namespace (network-mode) names that one */
			snprintf(src, sizeof(src), "/proc/%d/ns/net",
				 (int)pids[t->nodes[n].shares_netns ? t->nodes[n].netns_of : n]);
			if (mount(src, path, "none", MS_BIND, NULL) < 0) {
				nslab_err_sys(&e, errno, "node %s: bind-mounting its network namespace on %s",
					      t->nodes[n].name, path);
				break;
			}
		}
		if (e.code && write(p[1], e.msg, strlen(e.msg)) < 0)
			_exit(2);
		_exit(e.code ? 1 : 0);
	}
	close(p[1]);
	*status_fd = p[0];
	return pid;
}

int nslab_netns_mounter_wait(pid_t pid, int status_fd, struct nslab_err *err)
{
	char msg[NSLAB_ERR_MSG_MAX];
	ssize_t n;
	int st = 0;

	n = read(status_fd, msg, sizeof(msg) - 1);
	close(status_fd);
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
		return 0;
	msg[n > 0 ? n : 0] = '\0';
	return nslab_err_set(err, EIO, "%s", n > 0 ? msg : "the namespace handle helper died");
}
