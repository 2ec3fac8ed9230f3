// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * core/inspect.c: list, inspect and node lookup: a lab as stored (core/labstate.h) joined with
 * what is live: node inits checked by pidfd and start time, interfaces, addresses and counters
 * read from each node's namespace, cgroup usage.
 */
#include "lab.h"

#include <arpa/inet.h>
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "../netlink/nl.h"
#include "../util/util.h"
#include "cgroup.h"
#include "journal.h"
#include "labstate.h"
#include "mgmt.h"
#include "node.h"
#include "rundir.h"

/* One lab of nslab_lab_list(): a running lab whose node inits are not all alive is "degraded". */
static json_t *list_entry(const char *lab)
{
	json_t *o = json_object();
	struct nslab_lab_state st;
	struct nslab_journal jr;
	size_t dead = 0;

	json_object_set_new(o, "name", json_string(lab));
	if (nslab_state_read(lab, &st, NULL) < 0) {
		json_object_set_new(o, "status", json_string("incomplete"));
		return o;
	}
	if (strcmp(st.status, "running") == 0 && nslab_journal_read(lab, &jr, NULL) == 0) {
		for (size_t k = 0; k < jr.nnodes; k++)
			dead += nslab_proc_starttime(jr.nodes[k].pid) != jr.nodes[k].start;
		nslab_journal_free(&jr);
	}
	json_object_set_new(o, "status", json_string(dead ? "degraded" : st.status));
	if (dead)
		json_object_set_new(o, "dead_nodes", json_integer((json_int_t)dead));
	if (st.file)
		json_object_set_new(o, "file", json_string(st.file));
	if (st.created)
		json_object_set_new(o, "created", json_string(st.created));
	json_object_set_new(o, "nodes", json_integer((json_int_t)st.nnodes));
	json_object_set_new(o, "links", json_integer((json_int_t)st.nlinks));
	nslab_state_free(&st);
	return o;
}

json_t *nslab_lab_list(struct nslab_err *err)
{
	json_t *arr = json_array();
	char **names;
	size_t n;

	if (nslab_lab_names(&names, &n, err) < 0) {
		json_decref(arr);
		return NULL;
	}
	for (size_t i = 0; i < n; i++)
		json_array_append_new(arr, list_entry(names[i]));
	nslab_strv_free(names, n);
	return arr;
}

static const char *oper_state(const struct nslab_nl_link_info *li)
{
	if (!(li->flags & 0x1 /* IFF_UP */))
		return "down";
	return li->carrier ? "up" : "no-carrier";
}

static void inspect_node_live(json_t *jn, int pidfd, pid_t pid)
{
	struct nslab_err e = { 0 };
	struct nslab_nl *nl = NULL;
	struct nslab_nl_link_info *links = NULL;
	struct nslab_nl_addr_info *addrs = NULL;
	size_t nlinks = 0, naddrs = 0;
	_cleanup_close_ int nsfd = nslab_pidfd_ns_open(pidfd, pid, "net");
	json_t *ifs = json_object_get(jn, "interfaces");
	char buf[INET6_ADDRSTRLEN];
	size_t idx;
	json_t *ji;

	if (nsfd < 0 || nslab_nl_open(&nl, nsfd, &e) < 0)
		return;
	if (nslab_nl_dump_links(nl, &links, &nlinks, &e) < 0 || nslab_nl_dump_addrs(nl, &addrs, &naddrs, &e) < 0) {
		nslab_nl_close(nl);
		free(links);
		free(addrs);
		return;
	}
	nslab_nl_close(nl);
	json_array_foreach(ifs, idx, ji) {
		const char *name = json_string_value(json_object_get(ji, "name"));
		for (size_t i = 0; i < nlinks; i++) {
			const struct nslab_nl_link_info *li = &links[i];
			json_t *live;
			if (!name || strcmp(li->ifname, name) != 0)
				continue;
			json_object_set_new(ji, "mac", json_sprintf("%02x:%02x:%02x:%02x:%02x:%02x", li->mac[0],
								    li->mac[1], li->mac[2], li->mac[3], li->mac[4],
								    li->mac[5]));
			json_object_set_new(ji, "mtu", json_integer(li->mtu));
			json_object_set_new(ji, "state", json_string(oper_state(li)));
			json_object_set_new(ji, "ifindex", json_integer(li->ifindex));
			live = json_array();
			for (size_t a = 0; a < naddrs; a++) {
				if (addrs[a].ifindex != li->ifindex)
					continue;
				if (addrs[a].family == AF_INET6 && addrs[a].addr[0] == 0xfe && (addrs[a].addr[1] & 0xc0) == 0x80)
					continue; /* link-local */
				inet_ntop(addrs[a].family, addrs[a].addr, buf, sizeof(buf));
				json_array_append_new(live, json_sprintf("%s/%u", buf, addrs[a].plen));
			}
			json_object_set_new(ji, "addresses", live);
			for (size_t m = 0; li->master && m < nlinks; m++) /* a bridge port: its bridge */
				if (links[m].ifindex == li->master)
					json_object_set_new(ji, "master", json_string(links[m].ifname));
			json_object_set_new(ji, "rx_bytes", json_integer((json_int_t)li->rx_bytes));
			json_object_set_new(ji, "tx_bytes", json_integer((json_int_t)li->tx_bytes));
		}
	}
	free(links);
	free(addrs);
}

static void inspect_node_usage(json_t *jn, const struct nslab_cg_sys *cg, const char *lab, const char *node)
{
	struct nslab_cg_usage u;
	json_t *o;

	if (nslab_cg_usage(cg, lab, node, &u) < 0)
		return;
	o = json_object();
	_cleanup_free_ char *rel = nslab_cg_relpath(lab, node);
	json_object_set_new(o, "cgroup", json_string(rel));
	if (u.have & NSLAB_CG_HAVE_CPU)
		json_object_set_new(o, "cpu_ns", json_integer((json_int_t)u.cpu_ns));
	if (u.have & NSLAB_CG_HAVE_MEM) {
		json_object_set_new(o, "memory_bytes", json_integer((json_int_t)u.mem_current));
		/* "cgroup": the node's memory cgroup (page cache and kernel memory included); "pss": the
		 * sum of its processes' proportional set sizes (a node without a memory limit has no
		 * memory cgroup) */
		json_object_set_new(o, "memory_source", json_string(u.have & NSLAB_CG_HAVE_MEM_PSS ? "pss" : "cgroup"));
		json_object_set_new(o, "memory_max_bytes",
				    u.mem_max == UINT64_MAX ? json_null() : json_integer((json_int_t)u.mem_max));
	}
	if (u.have & NSLAB_CG_HAVE_OOM)
		json_object_set_new(o, "oom_kills", json_integer((json_int_t)u.oom_kills));
	if (u.have & NSLAB_CG_HAVE_PIDS) {
		json_object_set_new(o, "pids", json_integer((json_int_t)u.pids_current));
		json_object_set_new(o, "pids_max",
				    u.pids_max == UINT64_MAX ? json_null() : json_integer((json_int_t)u.pids_max));
	}
	if (u.have & NSLAB_CG_HAVE_CLASSID)
		json_object_set_new(o, "net_cls_classid", json_sprintf("0x%08x", u.classid));
	if (u.have & NSLAB_CG_HAVE_CLASSID) /* what carries it: the v1 controller or nftables' priority */
		json_object_set_new(o, "net_cls_by", json_string(u.classid_nft ? "nftables-priority" : "cgroup-v1"));
	json_object_set_new(jn, "usage", o);
}

/* A node's entry in inspect: as stored (its env left out), then what is live: pid, state,
 * interfaces as the kernel has them, cgroup usage. */
/* j with its keys in sorted order, as state.json stores them (inspect's JSON keeps that order,
 * the live keys after the stored ones). Takes j. */
static json_t *keys_sorted(json_t *j)
{
	char *s = json_dumps(j, JSON_SORT_KEYS | JSON_COMPACT);
	json_t *out = s ? json_loads(s, 0, NULL) : NULL;

	free(s);
	if (!out)
		return j;
	json_decref(j);
	return out;
}

static json_t *inspect_node(const struct nslab_st_node *sn, const struct nslab_journal *jr,
			    const struct nslab_cg_sys *cg, const char *lab)
{
	json_t *jn = keys_sorted(nslab_state_node_json(sn));
	const struct nslab_journal_node *jnode = nslab_journal_node(jr, sn->name);
	int pidfd = jnode ? nslab_pidfd_open_verified(jnode->pid, jnode->start) : -ESRCH;

	json_object_del(jn, "env");
	if (pidfd < 0) {
		json_object_set_new(jn, "pid", json_null());
		json_object_set_new(jn, "state", json_string(jnode ? "dead" : "not-created"));
		return jn;
	}
	json_object_set_new(jn, "pid", json_integer(jnode->pid));
	json_object_set_new(jn, "state", json_string("running"));
	inspect_node_live(jn, pidfd, jnode->pid);
	close(pidfd);
	if (cg)
		inspect_node_usage(jn, cg, lab, sn->name);
	return jn;
}

json_t *nslab_lab_inspect(const char *lab, struct nslab_err *err)
{
	struct nslab_lab_state st;
	struct nslab_journal jr;
	struct nslab_cg_sys cg;
	json_t *j, *nodes;
	bool have_cg;

	if (!nslab_name_valid(lab)) {
		nslab_err_set(err, EINVAL, "'%s' is not a valid lab name", lab);
		return NULL;
	}
	if (nslab_state_read(lab, &st, err) < 0)
		return NULL;
	if (nslab_journal_read(lab, &jr, err) < 0) {
		nslab_state_free(&st);
		return NULL;
	}
	have_cg = nslab_cg_detect(&cg, NULL) == 0;
	j = keys_sorted(nslab_state_to_json(&st));
	nodes = json_object_get(j, "nodes");
	json_array_clear(nodes);
	for (size_t n = 0; n < st.nnodes; n++)
		json_array_append_new(nodes, inspect_node(&st.nodes[n], &jr, have_cg ? &cg : NULL, lab));
	/* the management bridge and host ends (core/mgmt.h) */
	json_object_set_new(j, "host_interfaces", nslab_mgmt_inspect(lab, jr.hostifs, jr.nhostifs));
	nslab_journal_free(&jr);
	nslab_state_free(&st);
	return j;
}

int nslab_lab_node_open(const char *lab, const char *node, int *pidfd, char ***env, struct nslab_err *err)
{
	struct nslab_lab_state st;
	struct nslab_journal jr;
	const struct nslab_journal_node *jn;
	const struct nslab_st_node *sn;
	int fd, r;

	*pidfd = -1;
	if (env)
		*env = NULL;
	if (!nslab_name_valid(lab))
		return nslab_err_set(err, EINVAL, "'%s' is not a valid lab name", lab);
	r = nslab_state_read(lab, &st, err);
	if (r < 0)
		return r;
	r = nslab_journal_read(lab, &jr, err);
	if (r < 0) {
		nslab_state_free(&st);
		return r;
	}
	jn = nslab_journal_node(&jr, node);
	fd = jn ? nslab_pidfd_open_verified(jn->pid, jn->start) : -ENOENT;
	nslab_journal_free(&jr);
	if (!jn)
		r = nslab_err_set(err, ENOENT, "lab %s has no node %s", lab, node);
	else if (fd < 0)
		r = nslab_err_set(err, ESRCH, "node %s of lab %s is not running (its init process is gone)", node, lab);
	if (r == 0 && env) {
		sn = nslab_state_node(&st, node);
		*env = xcalloc((sn ? sn->nenv : 0) + 1, sizeof(char *));
		for (size_t k = 0; sn && k < sn->nenv; k++)
			(*env)[k] = xstrdup(sn->env[k]);
	}
	nslab_state_free(&st);
	if (r < 0)
		return r;
	*pidfd = fd;
	return 0;
}
