// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * bench/nsbench.c: the measuring hands of bench/run.sh.
 *   nsbench run -- CMD [ARG...]            time CMD; prints ms= maxrss_kb= (wait4 rusage: the
 *                                          largest of CMD and the children it waited for)
 *   nsbench destroy PREFIX -- CMD [ARG...] plant a witness veth in every /run/netns/PREFIX* namespace,
 *                                          time CMD, then wait until the kernel freed them all
 *                                          (see bench.h); prints cmd_ms= gone_ms= netns=
 *   nsbench pss LAB                        PSS of the node inits of nslab lab LAB (pids from its
 *                                          journal); prints pss_kb= nodes=
 *   nsbench rt NETNS IFNAME REPS           runtime changes inside a node, each its own request + ACK on
 *                                          a socket opened in NETNS (a path): link down, link up,
 *                                          address add; prints median and p90 in microseconds
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../netlink/nl.h"
#include "bench.h"

static int run_cmd(char **argv, double *ms, long *maxrss_kb)
{
	double t0 = bench_now_ms();
	struct rusage ru;
	int st = 0;
	pid_t pid = fork();

	if (pid < 0)
		return -errno;
	if (pid == 0) {
		execvp(argv[0], argv);
		_exit(127);
	}
	while (wait4(pid, &st, 0, &ru) < 0)
		if (errno != EINTR)
			return -errno;
	*ms = bench_now_ms() - t0;
	if (maxrss_kb)
		*maxrss_kb = ru.ru_maxrss;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static int cmd_run(char **argv)
{
	double ms;
	long rss = 0;
	int st = run_cmd(argv, &ms, &rss);

	printf("ms=%.1f maxrss_kb=%ld status=%d\n", ms, rss, st);
	return st ? 1 : 0;
}

static int cmd_destroy(const char *prefix, char **argv)
{
	DIR *d = opendir("/run/netns");
	struct dirent *de;
	int *fds = NULL;
	size_t n = 0;
	struct bench_witness w;
	double cmd_ms, t0;
	long left;
	int st;

	while (d && (de = readdir(d))) {
		char path[512];
		if (strncmp(de->d_name, prefix, strlen(prefix)) != 0)
			continue;
		snprintf(path, sizeof(path), "/run/netns/%s", de->d_name);
		fds = realloc(fds, (n + 1) * sizeof(int));
		fds[n] = open(path, O_RDONLY | O_CLOEXEC);
		if (fds[n] < 0) {
			fprintf(stderr, "nsbench: %s: %s\n", path, strerror(errno));
			return 1;
		}
		n++;
	}
	if (d)
		closedir(d);
	if (bench_witness_plant(&w, fds, n) < 0)
		return 1;
	for (size_t i = 0; i < n; i++)
		close(fds[i]); /* or they would keep the namespaces alive */
	free(fds);
	t0 = bench_now_ms();
	st = run_cmd(argv, &cmd_ms, NULL);
	left = bench_witness_wait(&w, 300000);
	printf("cmd_ms=%.1f gone_ms=%.1f netns=%zu left=%ld status=%d\n", cmd_ms, bench_now_ms() - t0, n, left, st);
	bench_witness_close(&w);
	return st || left ? 1 : 0;
}

static int cmd_pss(const char *lab)
{
	const char *rundir = getenv("NSLAB_RUNDIR");
	char path[512], line[512];
	int *pids = NULL;
	size_t n = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s/journal", rundir && *rundir ? rundir : "/run/nslab", lab);
	f = fopen(path, "re");
	if (!f) {
		fprintf(stderr, "nsbench: %s: %s\n", path, strerror(errno));
		return 1;
	}
	while (fgets(line, sizeof(line), f)) {
		int pid;
		if (sscanf(line, "node %*s %d", &pid) == 1) {
			pids = realloc(pids, (n + 1) * sizeof(int));
			pids[n++] = pid;
		}
	}
	fclose(f);
	printf("pss_kb=%ld nodes=%zu\n", bench_pss_kb(pids, n), n);
	free(pids);
	return 0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static int cmd_rt(const char *netns, const char *ifname, int reps)
{
	struct nslab_err err = { 0 };
	struct nslab_nl *nl = NULL;
	struct nslab_nl_link_info *links = NULL;
	struct nslab_nlb *b = nslab_nlb_new();
	double *t[3];
	static const char *const names[3] = { "link_down", "link_up", "addr_add" };
	size_t nlinks = 0;
	int ifindex = 0, fd = open(netns, O_RDONLY | O_CLOEXEC);

	if (fd < 0 || nslab_nl_open(&nl, fd, &err) < 0 || nslab_nl_dump_links(nl, &links, &nlinks, &err) < 0) {
		fprintf(stderr, "nsbench: %s: %s\n", netns, fd < 0 ? strerror(errno) : err.msg);
		return 1;
	}
	close(fd);
	for (size_t i = 0; i < nlinks; i++)
		if (strcmp(links[i].ifname, ifname) == 0)
			ifindex = links[i].ifindex;
	free(links);
	if (!ifindex) {
		fprintf(stderr, "nsbench: no %s in %s\n", ifname, netns);
		return 1;
	}
	for (int k = 0; k < 3; k++)
		t[k] = calloc((size_t)reps, sizeof(double));
	for (int i = 0; i < reps; i++) {
		uint32_t a = htonl((10u << 24) | (251u << 16) | (uint32_t)(i + 1));
		for (int k = 0; k < 3; k++) {
			double t0;
			nslab_nlb_reset(b);
			if (k < 2)
				nslab_nlb_link_set(b, ifindex, k == 1, 0, -1, names[k]);
			else
				nslab_nlb_addr_add(b, ifindex, AF_INET, &a, 32, names[k]);
			t0 = bench_now_ms();
			if (nslab_nl_send(nl, b, &err) < 0) {
				fprintf(stderr, "nsbench: %s\n", err.msg);
				return 1;
			}
			t[k][i] = (bench_now_ms() - t0) * 1000.0;
		}
	}
	for (int k = 0; k < 3; k++) {
		qsort(t[k], (size_t)reps, sizeof(double), cmp_double);
		printf("%s_us=%.0f %s_p90_us=%.0f ", names[k], t[k][reps / 2], names[k], t[k][reps * 9 / 10]);
		free(t[k]);
	}
	printf("reps=%d\n", reps);
	nslab_nlb_free(b);
	nslab_nl_close(nl);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 4 && strcmp(argv[1], "run") == 0 && strcmp(argv[2], "--") == 0)
		return cmd_run(argv + 3);
	if (argc >= 5 && strcmp(argv[1], "destroy") == 0 && strcmp(argv[3], "--") == 0)
		return cmd_destroy(argv[2], argv + 4);
	if (argc == 3 && strcmp(argv[1], "pss") == 0)
		return cmd_pss(argv[2]);
	if (argc == 5 && strcmp(argv[1], "rt") == 0)
		return cmd_rt(argv[2], argv[3], atoi(argv[4]));
	fprintf(stderr, "usage: nsbench run -- CMD... | destroy PREFIX -- CMD... | pss LAB | rt NETNS IFNAME REPS\n");
	return 2;
}
