/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * core/pty.h: an interactive program (a shell) inside a node on a new pseudo-terminal: the one
 * spawn behind `nslab attach` and the console's shells (tmux's spawn.c, LXC's terminal.c).
 */
#ifndef NSLAB_CORE_PTY_H
#define NSLAB_CORE_PTY_H

#include <sys/ioctl.h>
#include <sys/types.h>
#include <termios.h>

#include "../util/err.h"

/* The shell to run: `given` if not NULL, else $SHELL if executable, else /bin/bash, else /bin/sh. */
const char *nslab_shell_pick(const char *given);

struct nslab_pty_opts {
	const char *shell;	     /* program to run (no arguments); NULL: nslab_shell_pick(NULL) */
	const struct winsize *ws;    /* initial size; NULL: the kernel's default */
	const struct termios *tio;   /* initial line settings; NULL: the kernel's default */
	const char *term;	     /* TERM for the program; NULL: the caller's */
};

/*
 * Start the shell in node `node` of `lab`, in the node's cgroups and namespaces (born in its PID
 * namespace), with the node's env: added to the caller's environment, as the session leader of a
 * new pty whose master comes back in *master (O_CLOEXEC, blocking). *pid is our child, a helper
 * that waits for the shell and exits with its status (128+N if killed by signal N, 126: could not
 * enter the node, 127: could not run the shell); errors of the helper and the shell go to the
 * pty. The helper keeps no pty descriptor: reading the master gives EIO once the shell and
 * everything on its terminal are gone.
 */
int nslab_pty_spawn(const char *lab, const char *node, const struct nslab_pty_opts *o, int *master, pid_t *pid,
		    struct nslab_err *err);

#endif
