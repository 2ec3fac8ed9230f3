// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * tests/fuzz/fuzz_labfiles.c: libFuzzer target for the readers of the files a crash can tear: a
 * lab's journal (core/journal.h) and state.json (core/labstate.h). The input is the journal, then
 * after a "\n--- state.json\n" line the state; both are written into a lab folder of a temp
 * NSLAB_RUNDIR and read back as destroy, cleanup and inspect read them.
 */
#include "core/journal.h"
#include "core/labstate.h"
#include "core/rundir.h"
#include "util/util.h"

#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define LAB "fz"

static void put(const char *file, const char *buf, size_t len)
{
	_cleanup_free_ char *path = nslab_lab_path(LAB, file);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

	if (fd < 0 || (len && write(fd, buf, len) != (ssize_t)len))
		abort();
	close(fd);
}

static void check_journal(void)
{
	struct nslab_journal j;
	struct nslab_err err = { 0 };
	const char *prefix = NSLAB_NETNS_DIR "/" NSLAB_NETNS_PREFIX LAB ".";

	if (nslab_journal_read(LAB, &j, &err) < 0) {
		/* refused: a message, and nothing handed out */
		if (!err.msg[0] || j.nnodes || j.nnetns || j.ncgroups)
			abort();
		return;
	}
	/* what destroy acts on carries the lab's marks */
	for (size_t i = 0; i < j.nnetns; i++)
		if (strncmp(j.netns[i], prefix, strlen(prefix)) != 0 || strchr(j.netns[i] + strlen(prefix), '/'))
			abort();
	for (size_t i = 0; i < j.ncgroups; i++)
		if (j.cgroups[i][0] != '/' || !strstr(j.cgroups[i], "/nslab.lab-" LAB) || strstr(j.cgroups[i], "/../") ||
		    strstr(j.cgroups[i], "/./") || strlen(j.cgroups[i]) < 3 ||
		    strcmp(j.cgroups[i] + strlen(j.cgroups[i]) - 3, "/..") == 0)
			abort();
	for (size_t i = 0; i < j.nnodes; i++)
		if (j.nodes[i].pid <= 1 || strchr(j.nodes[i].name, '/'))
			abort();
	nslab_journal_free(&j);
}

static void check_state(void)
{
	struct nslab_lab_state s, again;
	struct nslab_err err = { 0 };

	if (nslab_state_read(LAB, &s, &err) < 0) {
		if (!err.msg[0])
			abort();
		nslab_state_free(&s);
		return;
	}
	/* what was read is written back and reads the same */
	json_t *a = nslab_state_to_json(&s);
	if (nslab_state_write(LAB, &s, &err) < 0 || nslab_state_read(LAB, &again, &err) < 0)
		abort();
	json_t *b = nslab_state_to_json(&again);
	if (!json_equal(a, b))
		abort();
	json_decref(a);
	json_decref(b);
	nslab_state_free(&s);
	nslab_state_free(&again);
}

static char *rundir;

/* Leave no temp run directory behind (libFuzzer ends with exit()). */
static void remove_rundir(void)
{
	static const char *const files[] = { "journal", "state.json", "state.json.tmp" };

	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		_cleanup_free_ char *path = nslab_lab_path(LAB, files[i]);
		unlink(path);
	}
	_cleanup_free_ char *dir = nslab_lab_path(LAB, NULL);
	rmdir(dir);
	rmdir(rundir);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char mark[] = "\n--- state.json\n";
	const char *buf = (const char *)data, *state = NULL;
	size_t jlen = size, slen = 0;
	const char *m = memmem(data, size, mark, sizeof(mark) - 1);

	if (!rundir) {
		rundir = xstrdup("/tmp/nslab-fuzz-labfiles-XXXXXX");
		if (!mkdtemp(rundir))
			abort();
		setenv("NSLAB_RUNDIR", rundir, 1);
		_cleanup_free_ char *dir = nslab_lab_path(LAB, NULL);
		if (mkdir(dir, 0700) < 0)
			abort();
		atexit(remove_rundir);
	}
	if (m) {
		jlen = (size_t)(m - buf) + 1;
		state = m + sizeof(mark) - 1;
		slen = size - (size_t)(state - buf);
	}
	put("journal", buf, jlen);
	check_journal();
	if (state) {
		put("state.json", state, slen);
		check_state();
	} else {
		_cleanup_free_ char *path = nslab_lab_path(LAB, "state.json");
		unlink(path);
		check_state();
	}
	return 0;
}
