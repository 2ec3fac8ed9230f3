// SPDX-License-Identifier: GPL-2.0-or-later
/* core/stats.c: per-interface counters of a running lab from rtnetlink, one kept socket per node. */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "../netlink/nl.h"
#include "../util/util.h"
#include "lab.h"
#include "node.h"
#include "stats.h"

struct stats_sock {
	char *node;
	long pid; /* the node init the socket was opened for */
	struct nslab_nl *nl;
};

struct nslab_stats {
	char *lab;
	struct stats_sock *socks;
	size_t nsocks;
};

struct nslab_stats *nslab_stats_new(const char *lab)
{
	struct nslab_stats *s = xcalloc(1, sizeof(*s));

	s->lab = xstrdup(lab);
	return s;
}

static void sock_close(struct stats_sock *k)
{
	if (k->nl)
		nslab_nl_close(k->nl);
	k->nl = NULL;
}

void nslab_stats_free(struct nslab_stats *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->nsocks; i++) {
		sock_close(&s->socks[i]);
		free(s->socks[i].node);
	}
	free(s->socks);
	free(s->lab);
	free(s);
}

/* The node's socket, opened inside its network namespace when missing or when its init changed. */
static struct stats_sock *node_sock(struct nslab_stats *s, const char *node, long pid, struct nslab_err *err)
{
	_cleanup_close_ int pidfd = -1, nsfd = -1;
	struct stats_sock *k = NULL;
	char **env = NULL;
	int r;

	for (size_t i = 0; i < s->nsocks && !k; i++)
		if (strcmp(s->socks[i].node, node) == 0)
			k = &s->socks[i];
	if (!k) {
		k = VEC_PUSH(s->socks, s->nsocks);
		k->node = xstrdup(node);
	}
	if (k->nl && k->pid == pid)
		return k;
	sock_close(k);
	k->pid = pid;
	r = nslab_lab_node_open(s->lab, node, &pidfd, &env, err);
	if (r < 0)
		return NULL;
	nslab_env_free(env);
	nsfd = nslab_pidfd_ns_open(pidfd, (pid_t)pid, "net");
	if (nsfd < 0) {
		nslab_err_sys(err, -nsfd, "opening its network namespace");
		return NULL;
	}
	if (nslab_nl_open(&k->nl, nsfd, err) < 0) {
		k->nl = NULL;
		return NULL;
	}
	return k;
}

static void set_counters(json_t *ifaces, const struct nslab_nl_link_info *li, size_t n)
{
	json_t *ji;
	size_t k;

	json_array_foreach(ifaces, k, ji) {
		int ifindex = (int)json_integer_value(json_object_get(ji, "ifindex"));
		for (size_t x = 0; x < n; x++) {
			if (li[x].ifindex != ifindex)
				continue;
			json_object_set_new(ji, "rx_bytes", json_integer((json_int_t)li[x].rx_bytes));
			json_object_set_new(ji, "tx_bytes", json_integer((json_int_t)li[x].tx_bytes));
			json_object_set_new(ji, "rx_dropped", json_integer((json_int_t)li[x].rx_dropped));
			json_object_set_new(ji, "tx_dropped", json_integer((json_int_t)li[x].tx_dropped));
		}
	}
}

/* "qdisc_drops": what the root qdisc of each interface dropped (a tbf or netem queue that is
 * full drops there, not in the interface's counters). A child qdisc's drops are counted by its
 * parent too, so the root's alone are the interface's. */
static void set_qdisc_drops(json_t *ifaces, const struct nslab_nl_qdisc_info *q, size_t n)
{
	json_t *ji;
	size_t k;

	json_array_foreach(ifaces, k, ji) {
		int ifindex = (int)json_integer_value(json_object_get(ji, "ifindex"));
		uint64_t drops = 0;
		for (size_t x = 0; x < n; x++)
			if (q[x].ifindex == ifindex && q[x].root)
				drops += q[x].drops;
		json_object_set_new(ji, "qdisc_drops", json_integer((json_int_t)drops));
	}
}

/* One node's counters into its interfaces; -errno when its socket failed (closed, to reopen). */
static int node_counters(struct stats_sock *k, json_t *ifaces, struct nslab_err *err)
{
	struct nslab_nl_link_info *li = NULL;
	struct nslab_nl_qdisc_info *q = NULL;
	size_t n = 0, nq = 0;
	int r;

	r = nslab_nl_dump_links(k->nl, &li, &n, err);
	if (r == 0)
		r = nslab_nl_dump_qdiscs(k->nl, &q, &nq, err);
	if (r < 0) {
		free(li);
		sock_close(k); /* reopened at the next sample */
		return r;
	}
	set_counters(ifaces, li, n);
	set_qdisc_drops(ifaces, q, nq);
	free(li);
	free(q);
	return 0;
}

int nslab_stats_add(struct nslab_stats *s, json_t *j, struct nslab_err *err)
{
	json_t *jn;
	size_t i;
	int failed = 0;

	json_array_foreach(json_object_get(j, "nodes"), i, jn) {
		const char *name = json_string_value(json_object_get(jn, "name"));
		const char *state = json_string_value(json_object_get(jn, "state"));
		long pid = (long)json_integer_value(json_object_get(jn, "pid"));
		struct nslab_err e = { 0 };
		struct stats_sock *k;

		if (!name || !state || strcmp(state, "running") != 0 || pid <= 0)
			continue;
		k = node_sock(s, name, pid, &e);
		if (!k || node_counters(k, json_object_get(jn, "interfaces"), &e) < 0) {
			if (!failed++)
				nslab_err_set(err, e.code, "counters of %s: %s", name, e.msg);
		}
	}
	return failed;
}
