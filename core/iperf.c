// SPDX-License-Identifier: GPL-2.0-or-later
/* core/iperf.c: iperf3 server in one node, client in another, through the node exec primitive. */
#include "iperf.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../util/util.h"
#include "lab.h"
#include "mexec.h"
#include "node.h"

int nslab_iperf_parse(json_t *client, bool udp, struct nslab_iperf_result *res, struct nslab_err *err)
{
	json_t *end = json_object_get(client, "end"), *sent, *recv;
	const char *e = json_string_value(json_object_get(client, "error"));

	if (e)
		return nslab_err_set(err, EINVAL, "iperf3: %s", e);
	sent = json_object_get(end, "sum_sent");
	recv = json_object_get(end, "sum_received");
	if (!json_is_object(sent) || !json_is_object(recv))
		return nslab_err_set(err, EINVAL, "iperf3 gave no result");
	res->sent_bps = json_number_value(json_object_get(sent, "bits_per_second"));
	res->received_bps = json_number_value(json_object_get(recv, "bits_per_second"));
	if (udp) {
		res->lost_percent = json_number_value(json_object_get(recv, "lost_percent"));
		res->jitter_ms = json_number_value(json_object_get(recv, "jitter_ms"));
	} else {
		res->retransmits = json_integer_value(json_object_get(sent, "retransmits"));
	}
	return 0;
}

/* Whether the network namespace of pid has a TCP socket listening on port (IPv4 or IPv6). */
static bool listening(pid_t pid, unsigned port)
{
	static const char *const files[] = { "tcp", "tcp6" };
	char path[64], line[512];

	for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
		FILE *f;

		snprintf(path, sizeof(path), "/proc/%d/net/%s", (int)pid, files[i]);
		f = fopen(path, "re");
		if (!f)
			continue;
		while (fgets(line, sizeof(line), f)) {
			unsigned lport, state;
			/* "  0: 00000000:1451 00000000:0000 0A ..." */
			if (sscanf(line, " %*d: %*[0-9A-Fa-f]:%x %*[0-9A-Fa-f]:%*x %x", &lport, &state) == 2 &&
			    lport == port && state == 0x0A) {
				fclose(f);
				return true;
			}
		}
		fclose(f);
	}
	return false;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* Wait up to ms for our child pid; true (and *ws) if it ended. */
static bool reap_within(pid_t pid, long ms, int *ws)
{
	for (long t = 0;; t += 20) {
		pid_t r = waitpid(pid, ws, WNOHANG);
		if (r == pid || (r < 0 && errno == ECHILD))
			return true;
		if (t >= ms)
			return false;
		sleep_ms(20);
	}
}

/* What the server printed so far (for an error message). */
static char *read_some(int fd)
{
	char buf[1024];
	ssize_t r = read(fd, buf, sizeof(buf) - 1);

	buf[r > 0 ? r : 0] = 0;
	buf[strcspn(buf, "\n")] = 0;
	return xstrdup(buf);
}

/* End the server if it is still there: SIGTERM to the program by pid, then SIGKILL. */
static void end_server(pid_t helper)
{
	int ws;

	if (reap_within(helper, 1500, &ws))
		return;
	(void)nslab_mexec_signal_program(helper, SIGTERM);
	if (reap_within(helper, 1000, &ws))
		return;
	(void)nslab_mexec_signal_program(helper, SIGKILL);
	kill(helper, SIGKILL);
	(void)reap_within(helper, 2000, &ws);
}

/* The server's address, from inspect; both nodes must be in the lab. */
static int iperf_address(const char *lab, const struct nslab_iperf_opts *o, struct nslab_iperf_result *res,
			 struct nslab_err *err)
{
	json_t *ins, *nd, *server = NULL;
	bool client_found = false;
	size_t i;
	int r = 0;

	if (!strcmp(o->client, o->server))
		return nslab_err_set(err, EINVAL, "client and server are the same node (%s)", o->client);
	ins = nslab_lab_inspect(lab, err);
	if (!ins)
		return -err->code;
	json_array_foreach(json_object_get(ins, "nodes"), i, nd) {
		const char *name = json_string_value(json_object_get(nd, "name")) ?: "";
		if (!strcmp(name, o->server))
			server = nd;
		if (!strcmp(name, o->client))
			client_found = true;
	}
	if (!server || !client_found)
		r = nslab_err_set(err, ENOENT, "lab %s has no node %s", lab, server ? o->client : o->server);
	else if (!nslab_node_address(server, res->address, sizeof(res->address)))
		r = nslab_err_set(err, EINVAL, "node %s has no address to reach it by", o->server);
	json_decref(ins);
	return r;
}

/* The server side: iperf3 -s -1 started in the node, waited for until it listens. */
struct iperf_server {
	int pidfd;
	char **env;
	int out; /* its output (read end) */
	pid_t helper;
};

static void server_stop(struct iperf_server *sv)
{
	if (sv->helper)
		end_server(sv->helper);
	if (sv->out >= 0)
		close(sv->out);
	if (sv->pidfd >= 0)
		close(sv->pidfd);
	nslab_env_free(sv->env);
}

/* Until the server listens on port (or gives up, or 5 s pass). */
static int server_wait(struct iperf_server *sv, const char *node, pid_t spid, unsigned port, struct nslab_err *err)
{
	int ws;

	for (int t = 0; !listening(spid, port); t += 20) {
		if (reap_within(sv->helper, 0, &ws)) {
			_cleanup_free_ char *said = read_some(sv->out);
			sv->helper = 0;
			return nslab_err_set(err, ESRCH, "iperf3 server in %s exited with status %d%s%s", node,
					     nslab_node_exit_code(ws), said[0] ? ": " : "", said);
		}
		if (t > 5000)
			return nslab_err_set(err, ETIMEDOUT, "iperf3 server in %s is not listening on port %u after 5 s",
					     node, port);
		sleep_ms(20);
	}
	return 0;
}

static int server_start(const char *lab, const char *node, unsigned port, struct iperf_server *sv,
			struct nslab_err *err)
{
	char sport[16];
	int p[2], r;
	pid_t spid;

	*sv = (struct iperf_server){ .pidfd = -1, .out = -1 };
	snprintf(sport, sizeof(sport), "%u", port);
	r = nslab_lab_node_open(lab, node, &sv->pidfd, &sv->env, err);
	if (r < 0)
		return r;
	spid = nslab_pidfd_pid(sv->pidfd);
	if (listening(spid, port))
		return nslab_err_set(err, EADDRINUSE, "port %u is already in use in %s (--port picks another)", port, node);
	if (pipe2(p, O_CLOEXEC) < 0)
		return nslab_err_sys(err, errno, "pipe");
	sv->out = p[0];
	fcntl(p[0], F_SETFL, O_NONBLOCK);
	char *argv[] = { "iperf3", "-s", "-1", "-p", sport, NULL };
	r = nslab_node_start(sv->pidfd, argv, sv->env, p[1], &sv->helper, err);
	close(p[1]);
	if (r < 0)
		return nslab_err_prefix(err, "iperf3 server in %s", node);
	return server_wait(sv, node, spid, port, err);
}

/* The client side: iperf3 -c ... -J in the client node, its JSON read. */
static int client_run(const char *lab, const struct nslab_iperf_opts *o, unsigned port,
		      struct nslab_iperf_result *res, struct nslab_err *err)
{
	char sport[16], secs[16];
	char *argv[16] = { "iperf3", "-c", res->address, "-p", sport, "-t", secs, "-J" };
	size_t k = 8;
	struct nslab_mexec_job job = { .node = o->client, .argv = argv, .collect = true };
	json_error_t je;
	int r;

	snprintf(sport, sizeof(sport), "%u", port);
	snprintf(secs, sizeof(secs), "%u", o->seconds ? o->seconds : 3);
	if (o->udp)
		argv[k++] = "-u";
	if (o->bitrate) {
		argv[k++] = "-b";
		argv[k++] = (char *)o->bitrate;
	}
	r = nslab_mexec_run(lab, &job, 1, &(struct nslab_mexec_opts){ .forward_signals = true }, err);
	if (r == 0) {
		res->client = json_loads(job.output ? job.output : "", 0, &je);
		if (!res->client)
			r = nslab_err_set(err, EINVAL, "iperf3 client in %s (status %d) printed no JSON: %.200s", o->client,
					  job.status, job.output ? job.output : "");
		else
			r = nslab_iperf_parse(res->client, o->udp, res, err);
	}
	nslab_mexec_jobs_free(&job, 1);
	return r;
}

int nslab_iperf_run(const char *lab, const struct nslab_iperf_opts *o, struct nslab_iperf_result *res,
		    struct nslab_err *err)
{
	unsigned port = o->port ? o->port : 5201;
	struct iperf_server sv;
	int r;

	memset(res, 0, sizeof(*res));
	r = iperf_address(lab, o, res, err);
	if (r < 0)
		return r;
	r = server_start(lab, o->server, port, &sv, err);
	if (r == 0)
		r = client_run(lab, o, port, res, err);
	server_stop(&sv);
	return r;
}
