// SPDX-License-Identifier: GPL-2.0-or-later
/* core/pingall.c: the pairs of a pingall, their pings in the nodes, and the counts from ping's output. */
#include "pingall.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "../util/util.h"
#include "lab.h"
#include "mexec.h"

int nslab_ping_parse(const char *out, unsigned *sent, unsigned *received)
{
	const char *p = strstr(out ? out : "", " packets transmitted, ");

	if (!p)
		return -EINVAL;
	while (p > out && p[-1] >= '0' && p[-1] <= '9')
		p--;
	if (sscanf(p, "%u packets transmitted, %u received", sent, received) != 2)
		return -EINVAL;
	return 0;
}

static ssize_t index_of(const struct nslab_pingall *res, const char *name)
{
	for (size_t i = 0; i < res->nnodes; i++)
		if (!strcmp(res->nodes[i], name))
			return (ssize_t)i;
	return -1;
}

/* The pairs asked for ("A:B,..."), checked against the lab. */
static int parse_pairs(struct nslab_pingall *res, const char *spec, const char *lab, struct nslab_err *err)
{
	_cleanup_free_ char *copy = xstrdup(spec);

	for (char *save = NULL, *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		char *colon = strchr(t, ':');
		ssize_t a, b;

		if (!colon || colon == t || !colon[1])
			return nslab_err_set(err, EINVAL, "--pairs: '%s' is not SOURCE:TARGET", t);
		*colon = 0;
		a = index_of(res, t);
		b = index_of(res, colon + 1);
		if (a < 0 || b < 0)
			return nslab_err_set(err, ENOENT, "--pairs: lab %s has no node %s", lab, a < 0 ? t : colon + 1);
		if (!res->addrs[b][0])
			return nslab_err_set(err, EINVAL, "--pairs: node %s has no address to ping", colon + 1);
		*VEC_PUSH(res->pairs, res->npairs) = (struct nslab_ping_pair){ .src = (size_t)a, .dst = (size_t)b };
	}
	if (!res->npairs)
		return nslab_err_set(err, EINVAL, "--pairs: no pair given");
	return 0;
}

int nslab_pingall_run(const char *lab, const char *pairs, unsigned count, unsigned parallel,
		      struct nslab_pingall *res, struct nslab_err *err)
{
	struct nslab_mexec_job *jobs = NULL;
	char cnt[16];
	json_t *ins, *nd;
	size_t i;
	int r;

	memset(res, 0, sizeof(*res));
	ins = nslab_lab_inspect(lab, err);
	if (!ins)
		return -err->code;
	json_array_foreach(json_object_get(ins, "nodes"), i, nd) {
		char addr[64];
		bool has = nslab_node_address(nd, addr, sizeof(addr));

		/* without --pairs only the nodes with an address take part */
		if (!has && !pairs)
			continue;
		*VEC_PUSH(res->nodes, res->nnodes) = xstrdup(json_string_value(json_object_get(nd, "name")) ?: "");
		res->addrs = xrealloc(res->addrs, res->nnodes * sizeof(char *));
		res->addrs[res->nnodes - 1] = xstrdup(has ? addr : "");
	}
	json_decref(ins);
	if (pairs) {
		r = parse_pairs(res, pairs, lab, err);
		if (r < 0)
			return r;
	} else {
		for (size_t a = 0; a < res->nnodes; a++)
			for (size_t b = 0; b < res->nnodes; b++)
				if (a != b)
					*VEC_PUSH(res->pairs, res->npairs) = (struct nslab_ping_pair){ .src = a, .dst = b };
		if (res->nnodes < 2)
			return nslab_err_set(err, ENOENT, "lab %s has %s node with an address: nothing to ping", lab,
					     res->nnodes ? "only one" : "no");
	}

	snprintf(cnt, sizeof(cnt), "%u", count ? count : 1);
	jobs = xcalloc(res->npairs, sizeof(*jobs));
	for (i = 0; i < res->npairs; i++) {
		const struct nslab_ping_pair *p = &res->pairs[i];
		char *argv[] = { "ping", "-n", "-q", "-c", cnt, "-i", "0.2", "-W", "1", res->addrs[p->dst], NULL };

		jobs[i].node = res->nodes[p->src];
		jobs[i].collect = true;
		jobs[i].argv = xmalloc(sizeof(argv));
		memcpy(jobs[i].argv, argv, sizeof(argv));
	}
	r = nslab_mexec_run(lab, jobs, res->npairs, &(struct nslab_mexec_opts){ .parallel = parallel, .forward_signals = true },
			    err);
	for (i = 0; r == 0 && i < res->npairs; i++) {
		struct nslab_ping_pair *p = &res->pairs[i];

		p->status = jobs[i].status;
		if (nslab_ping_parse(jobs[i].output, &p->sent, &p->received) < 0) {
			/* ping could not run or say anything: count its requests as lost */
			p->sent = count ? count : 1;
			p->received = 0;
		}
		res->sent += p->sent;
		res->received += p->received;
	}
	for (i = 0; i < res->npairs; i++)
		free(jobs[i].argv);
	nslab_mexec_jobs_free(jobs, res->npairs);
	free(jobs);
	return r;
}

void nslab_pingall_free(struct nslab_pingall *res)
{
	for (size_t i = 0; i < res->nnodes; i++) {
		free(res->nodes[i]);
		free(res->addrs[i]);
	}
	free(res->nodes);
	free(res->addrs);
	free(res->pairs);
	memset(res, 0, sizeof(*res));
}

json_t *nslab_pingall_to_json(const struct nslab_pingall *res)
{
	json_t *j = json_object(), *nodes = json_array(), *pairs = json_array();

	for (size_t i = 0; i < res->nnodes; i++)
		json_array_append_new(nodes, json_pack("{s:s, s:s?}", "name", res->nodes[i], "address",
						       res->addrs[i][0] ? res->addrs[i] : NULL));
	for (size_t i = 0; i < res->npairs; i++) {
		const struct nslab_ping_pair *p = &res->pairs[i];
		json_array_append_new(pairs, json_pack("{s:s, s:s, s:s, s:i, s:i, s:i}", "source", res->nodes[p->src],
						       "target", res->nodes[p->dst], "address", res->addrs[p->dst],
						       "sent", p->sent, "received", p->received, "status", p->status));
	}
	json_object_set_new(j, "nodes", nodes);
	json_object_set_new(j, "pairs", pairs);
	json_object_set_new(j, "sent", json_integer(res->sent));
	json_object_set_new(j, "received", json_integer(res->received));
	json_object_set_new(j, "loss_percent",
			    json_real(res->sent ? 100.0 * (res->sent - res->received) / res->sent : 0));
	return j;
}
