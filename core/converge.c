// SPDX-License-Identifier: GPL-2.0-or-later
/* core/converge.c: has a running lab's routing converged? Probes FRR (vtysh) and bird (birdc) in every node until neighbours are up and routing tables are quiet. */
#include "converge.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../util/util.h"
#include "labstate.h"

/*
 * Run in each node with /bin/sh. First line: "none" (no routing daemon), or "ok CKSUM" / "wait
 * CKSUM" (CKSUM: of the node's IPv4 and IPv6 main tables), then one line per thing not yet up.
 * Text outputs, read with awk: a node has the host's programs, and jq is not one nslab needs.
 */
static const char probe[] =
	"if ! pgrep -x 'zebra|bird' >/dev/null; then echo none; exit 0; fi\n"
	"set --\n"
	"pgrep -x ospfd >/dev/null && set -- \"$@\" -c 'show ip ospf neighbor' -c 'show ip ospf interface'\n"
	"pgrep -x ospf6d >/dev/null && set -- \"$@\" -c 'show ipv6 ospf6 neighbor' -c 'show ipv6 ospf6 interface'\n"
	"pgrep -x bgpd >/dev/null && set -- \"$@\" -c 'show bgp neighbors'\n"
	"pgrep -x ripd >/dev/null && set -- \"$@\" -c 'show ip rip status'\n"
	"r=$( {\n"
	/* one vtysh for all (each start costs half a second); -E names each output's command */
	"[ $# -gt 0 ] && vtysh -E \"$@\" | awk '\n"
	"  function f() { if (i != \"\" && w && !s) print \"ospf \" i \" waits for its DR election\";\n"
	"    else if (i != \"\" && p && !s && n == 0) print \"ospf \" i \" has no neighbour\"; i = \"\" }\n"
	"  /^[^ ]*# show / { f(); sec = $0; sub(/^[^#]*# /, \"\", sec); next }\n"
	"  sec == \"show ip ospf neighbor\" && $1 ~ /^[0-9]+[.][0-9.]+$/ && $3 !~ /^(Full|2-Way)/ { print \"ospf neighbour \" $1 \" \" $3 }\n"
	"  sec == \"show ip ospf interface\" && / is (up|down)/ { f(); i = $1; p = 0; s = 0; w = 0; n = -1 }\n"
	"  sec == \"show ip ospf interface\" && /Network Type POINTOPOINT/ { p = 1 }\n"
	"  sec == \"show ip ospf interface\" && /Passive interface/ { s = 1 }\n"
	"  sec == \"show ip ospf interface\" && /State Waiting/ { w = 1 }\n"
	"  sec == \"show ip ospf interface\" && /Neighbor Count is/ { n = $4 + 0 }\n"
	"  sec == \"show ipv6 ospf6 neighbor\" && $1 ~ /^[0-9]+[.][0-9.]+$/ && $4 !~ /^(Full|Twoway)/ { print \"ospf6 neighbour \" $1 \" \" $4 }\n"
	"  sec == \"show ipv6 ospf6 interface\" && / is (up|down)/ { j = $1 }\n"
	"  sec == \"show ipv6 ospf6 interface\" && /State Waiting/ { print \"ospf6 \" j \" waits for its DR election\" }\n"
	"  sec == \"show bgp neighbors\" && /^BGP neighbor is/ { b = $4; sub(\",\", \"\", b) }\n"
	"  sec == \"show bgp neighbors\" && /BGP state = / { t = $4; sub(\",\", \"\", t); if (t != \"Established\") print \"bgp neighbour \" b \" \" t }\n"
	"  sec == \"show ip rip status\" && /Gateway/ { g = 1; next }\n"
	"  sec == \"show ip rip status\" && g && $1 ~ /^[0-9]+[.]/ { heard++ }\n"
	"  sec == \"show ip rip status\" { rip = 1 }\n"
	"  END { f(); if (rip && !heard) print \"rip has heard no neighbour\" }'\n"
	"if pgrep -x bird >/dev/null; then\n"
	"  birdc show protocols | awk '$2 ~ /^(OSPF|BGP|RIP|Babel)$/ && ($4 != \"up\" || $6 == \"Alone\" || "
	"($2 == \"BGP\" && $6 != \"Established\")) { print \"bird \" $1 \" \" $4 \" \" $6 }'\n"
	"  birdc show ospf neighbors 2>/dev/null | awk '$1 ~ /^[0-9]+[.][0-9.]+$/ && $3 !~ /^(Full|2-Way)/ "
	"{ print \"bird ospf neighbour \" $1 \" \" $3 }'\n"
	"fi\n"
	"} 2>&1 )\n"
	"c=$( { ip -4 route show table main; ip -6 route show table main | grep -v expires; } | cksum | "
	"cut -d' ' -f1)\n"
	"pgrep -x ripd >/dev/null && c=\"$c rip\"\n"
	"if [ -n \"$r\" ]; then echo \"wait $c\"; echo \"$r\" | head -n 3; else echo \"ok $c\"; fi\n";

/* Probe every non-bridge node at once (a probe takes about half a second: vtysh's start): out[i]
 * gets node i's output (malloc'd, NULL for a bridge or on an error, with why[i]). */
#define NSLAB_CONVERGE_PARALLEL 32

static void probe_all(const char *lab, const struct nslab_lab_state *st, char **out, char **why)
{
	for (size_t base = 0; base < st->nnodes; base += NSLAB_CONVERGE_PARALLEL) {
		pid_t pids[NSLAB_CONVERGE_PARALLEL];
		int fds[NSLAB_CONVERGE_PARALLEL];
		size_t n = st->nnodes - base < NSLAB_CONVERGE_PARALLEL ? st->nnodes - base : NSLAB_CONVERGE_PARALLEL;

		for (size_t k = 0; k < n; k++) {
			const struct nslab_st_node *node = &st->nodes[base + k];
			int p[2];
			pids[k] = -1;
			fds[k] = -1;
			if (!strcmp(node->kind, "bridge"))
				continue;
			if (pipe2(p, O_CLOEXEC) < 0) {
				why[base + k] = xasprintf("pipe: %s", strerror(errno));
				continue;
			}
			pids[k] = fork();
			if (pids[k] == 0) {
				struct nslab_err err = { 0 };
				char *o = NULL;
				int status = -1;
				close(p[0]);
				if (nslab_scn_run_in(lab, node->name, probe, &status, &o, &err) < 0)
					dprintf(p[1], "E%s", err.msg);
				else if (status != 0)
					dprintf(p[1], "Eprobe exited with status %d: %s", status, o ? o : "");
				else
					dprintf(p[1], "O%s", o ? o : "");
				_exit(0);
			}
			close(p[1]);
			if (pids[k] < 0) {
				why[base + k] = xasprintf("fork: %s", strerror(errno));
				close(p[0]);
				continue;
			}
			fds[k] = p[0];
		}
		for (size_t k = 0; k < n; k++) {
			char buf[4096];
			size_t len = 0;
			ssize_t r;
			if (fds[k] < 0)
				continue;
			while (len < sizeof(buf) - 1 && (r = read(fds[k], buf + len, sizeof(buf) - 1 - len)) != 0) {
				if (r < 0 && errno == EINTR)
					continue;
				if (r < 0)
					break;
				len += (size_t)r;
			}
			buf[len] = '\0';
			close(fds[k]);
			while (waitpid(pids[k], NULL, 0) < 0 && errno == EINTR)
				;
			if (buf[0] == 'O')
				out[base + k] = xstrdup(buf + 1);
			else
				why[base + k] = xasprintf("node %s: %s", st->nodes[base + k].name,
							  buf[0] ? buf + 1 : "probe failed");
		}
	}
}

/* One round over the nodes: the digest of every router's tables (malloc'd, NULL on an error with
 * *why), *waiting the first thing not yet up ("r2: bgp neighbour 10.1.0.1 Active"), *routers their
 * names, *rip whether one runs RIP. */
static char *probe_round(const char *lab, const struct nslab_lab_state *st, char **waiting, char **routers, bool *rip,
			 char **why)
{
	char **outs = xcalloc(st->nnodes + 1, sizeof(*outs)), **whys = xcalloc(st->nnodes + 1, sizeof(*whys));
	char *digest = xstrdup("");

	*waiting = NULL;
	probe_all(lab, st, outs, whys);
	for (size_t i = 0; i < st->nnodes; i++) {
		const struct nslab_st_node *n = &st->nodes[i];
		char *out = outs[i], *nl, *d;
		if (whys[i] && digest) {
			*why = steal_ptr(whys[i]);
			free(digest);
			digest = NULL;
		}
		if (!digest || !out || !strncmp(out, "none", 4))
			continue;
		nl = strchr(out, '\n');
		if (nl)
			*nl = '\0';
		d = xasprintf("%s%s=%s;", digest, n->name, out + (out[0] == 'o' ? 3 : 5));
		free(digest);
		digest = d;
		if (routers) {
			char *r = xasprintf("%s%s%s", *routers ? *routers : "", *routers ? " " : "", n->name);
			free(*routers);
			*routers = r;
		}
		if (rip && strstr(out, " rip"))
			*rip = true;
		if (!*waiting && !strncmp(out, "wait", 4)) {
			char *line = nl ? nl + 1 : (char *)"", *e = strchr(line, '\n');
			if (e)
				*e = '\0';
			*waiting = xasprintf("%s: %s", n->name, line);
		}
	}
	for (size_t i = 0; i < st->nnodes; i++) {
		free(outs[i]);
		free(whys[i]);
	}
	free(outs);
	free(whys);
	return digest;
}

bool nslab_converge_wait(const char *lab, double timeout_s, double *at_s, char **detail)
{
	struct nslab_lab_state st = { 0 };
	struct nslab_err err = { 0 };
	double t0 = nslab_scn_now_s(), since = -1, quiet;
	char *last = NULL, *routers = NULL;
	unsigned rounds = 0;
	bool ok = false, rip = false;

	*detail = NULL;
	if (nslab_state_read(lab, &st, &err) < 0) {
		*detail = xstrdup(err.msg);
		return false;
	}
	for (;;) {
		double t = nslab_scn_now_s();
		char *waiting = NULL, *why = NULL;
		char *digest = probe_round(lab, &st, &waiting, rounds == 0 ? &routers : NULL, &rip, &why);
		rounds++;
		if (!digest) {
			*detail = why;
			break;
		}
		if (!*digest) {
			*detail = xasprintf("no node of lab %s runs FRR or bird", lab);
			free(digest);
			break;
		}
		if (waiting)
			since = -1;
		else if (since < 0 || strcmp(last, digest))
			since = t; /* up, or tables changed: the quiet period starts (again) */
		free(last);
		last = digest;
		quiet = rip ? NSLAB_CONVERGE_QUIET_RIP_S : NSLAB_CONVERGE_QUIET_S;
		if (since >= 0 && nslab_scn_now_s() - since >= quiet) {
			*at_s = since - t0;
			*detail = xasprintf("routers %s: neighbours up, tables unchanged for %.0f s", routers, quiet);
			ok = true;
			free(waiting);
			break;
		}
		if (nslab_scn_now_s() - t0 >= timeout_s) {
			*detail = waiting ? xasprintf("still waiting: %s", waiting)
					  : xstrdup("routing tables still changing");
			free(waiting);
			break;
		}
		free(waiting);
		nslab_scn_sleep_s(NSLAB_CONVERGE_POLL_S - (nslab_scn_now_s() - t));
	}
	free(last);
	free(routers);
	nslab_state_free(&st);
	return ok;
}
