// SPDX-License-Identifier: GPL-2.0-or-later
/* topologies/lab_conf_build.c: a read Kathará lab (devices, collision domains) made into the lab model. */
#include "topologies/lab_conf_int.h"
#include "util/util.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* What every Kathará device gets from Docker (DockerMachine.create): a router (the router kind
 * turns forwarding on) without reverse-path filtering or ICMP rate limits, IPv6 off unless the
 * device asks for it. */
static const char *const kc_sysctls_common[][2] = {
	{ "net.ipv4.conf.all.rp_filter", "0" },
	{ "net.ipv4.conf.default.rp_filter", "0" },
	{ "net.ipv4.conf.lo.rp_filter", "0" },
	{ "net.ipv4.icmp_ratelimit", "0" },
};
static const char *const kc_sysctls_ipv6_on[][2] = {
	{ "net.ipv6.conf.all.disable_ipv6", "0" },
	{ "net.ipv6.conf.default.disable_ipv6", "0" },
	{ "net.ipv6.conf.all.accept_ra", "0" },
	{ "net.ipv6.icmp.ratelimit", "0" },
};
static const char *const kc_sysctls_ipv6_off[][2] = {
	{ "net.ipv6.conf.all.disable_ipv6", "1" },
	{ "net.ipv6.conf.default.disable_ipv6", "1" },
};

/* ---- building the model ---- */

bool kc_isdir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

bool kc_isfile(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/*
 * Where the systemctl/service shims live (scripts/kathara/bin in the source tree,
 * PREFIX/lib/nslab/kathara/bin once installed), found beside the nslab binary, or
 * NSLAB_KATHARA_SHIMS. NULL when there is none (or no binary, as in unit tests).
 */
static char *kc_shim_dir(void)
{
	static const char *const rel[] = { "../lib/nslab/kathara/bin", "../scripts/kathara/bin" };
	const char *env = getenv("NSLAB_KATHARA_SHIMS");
	char exe[PATH_MAX];
	ssize_t n;
	char *slash;

	if (env && *env)
		return kc_isdir(env) ? xstrdup(env) : NULL;
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0)
		return NULL;
	exe[n] = '\0';
	slash = strrchr(exe, '/');
	if (!slash)
		return NULL;
	*slash = '\0';
	for (size_t i = 0; i < ARRAY_SIZE(rel); i++) {
		_cleanup_free_ char *p = xasprintf("%s/%s/systemctl", exe, rel[i]);
		char real[PATH_MAX];

		if (access(p, X_OK) == 0 && realpath(p, real)) {
			*strrchr(real, '/') = '\0';
			return xstrdup(real);
		}
	}
	return NULL;
}

static void kc_sysctls_add(struct nslab_node *n, const char *const (*kv)[2], size_t count, const struct nslab_pos *pos)
{
	for (size_t i = 0; i < count; i++)
		kc_kv_set(&n->sysctls, &n->nsysctls, kv[i][0], kv[i][1], pos);
}

static void kc_kvs_copy(struct nslab_kv **out, size_t *nout, const struct nslab_kv *in, size_t nin)
{
	for (size_t i = 0; i < nin; i++)
		kc_kv_set(out, nout, in[i].key, in[i].value, &in[i].pos);
}

/* The device's start and stop: Kathará's shared.startup, then DEVICE.startup, with bash, then
 * the exec options; at destroy DEVICE.shutdown, then shared.shutdown. */
static void kc_device_scripts(const struct kc_ld *ld, const struct kc_dev *dv, struct nslab_node *n)
{
	for (int pass = 0; ld->dir && pass < 2; pass++) {
		const char *who = pass == 0 ? "shared" : dv->name;
		_cleanup_free_ char *path = xasprintf("%s/%s.startup", ld->dir, who);

		if (kc_isfile(path)) {
			_cleanup_free_ char *q = nslab_shell_quote(path);

			*VEC_PUSH(n->exec, n->nexec) = xasprintf("bash %s", q);
		}
	}
	for (size_t i = 0; i < dv->nexec; i++)
		*VEC_PUSH(n->exec, n->nexec) = xstrdup(dv->exec[i]);
	for (int pass = 0; ld->dir && pass < 2; pass++) {
		const char *who = pass == 0 ? dv->name : "shared";
		_cleanup_free_ char *path = xasprintf("%s/%s.shutdown", ld->dir, who);

		if (kc_isfile(path)) {
			_cleanup_free_ char *q = nslab_shell_quote(path);

			*VEC_PUSH(n->shutdown, n->nshutdown) = xasprintf("bash %s", q);
		}
	}
}

static void kc_bind_add(struct nslab_node *n, char *src, const char *dst, bool ro, const struct nslab_pos *pos)
{
	struct nslab_bind *b = VEC_PUSH(n->binds, n->nbinds);

	b->src = src;
	b->dst = xstrdup(dst);
	b->ro = ro;
	b->pos = *pos;
}

/* The device's files: the lab folder read-only at its own path (the startup files are there: nodes
 * have their own root, core/rootfs.h), DEVICE/ copied onto the node's root, shared/ at /shared. */
static void kc_device_files(const struct kc_ld *ld, const struct kc_dev *dv, struct nslab_node *n, const char *shims)
{
	_cleanup_free_ char *root = NULL, *shared = NULL;

	if (!ld->dir)
		return;
	kc_bind_add(n, xstrdup(ld->dir), ld->dir, true, &dv->pos);
	root = xasprintf("%s/%s", ld->dir, dv->name);
	shared = xasprintf("%s/shared", ld->dir);
	if (kc_isdir(root)) {
		_cleanup_free_ char *quagga = xasprintf("%s/etc/quagga", root);
		_cleanup_free_ char *initd = shims ? xasprintf("%s/../init/quagga", shims) : NULL;
		char real[PATH_MAX];

		/* Quagga's init script, which startup files call, runs its configuration on FRR */
		if (initd && kc_isdir(quagga) && realpath(initd, real))
			kc_bind_add(n, xstrdup(real), "/etc/init.d/quagga", true, &dv->pos);
		n->root_copy = steal_ptr(root);
	}
	if (kc_isdir(shared))
		kc_bind_add(n, steal_ptr(shared), "/shared", false, &dv->pos);
}

/* The shims first in PATH, so that systemctl and service in startup files start services the way a
 * node can; a PATH of the device's own env wins. */
static void kc_device_path(const struct kc_dev *dv, struct nslab_node *n, const char *shims)
{
	_cleanup_free_ char *path = NULL;

	if (!shims)
		return;
	for (size_t i = 0; i < n->nenv; i++)
		if (!strcmp(n->env[i].key, "PATH"))
			return;
	path = xasprintf("%s:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", shims);
	kc_kv_set(&n->env, &n->nenv, "PATH", path, &dv->pos);
}

/* The node of a device: a router as Kathará makes every device, its files and scripts. */
static void kc_build_device(struct kc_ld *ld, struct kc_dev *dv, struct nslab_node *n, const char *shims)
{
	n->name = xstrdup(dv->name);
	n->kind = NSLAB_KIND_ROUTER;
	n->pos = dv->pos;
	n->limits = dv->lim;
	kc_sysctls_add(n, kc_sysctls_common, ARRAY_SIZE(kc_sysctls_common), &dv->pos);
	if (dv->ipv6 == 1) /* errors about them point at ipv6="true" */
		kc_sysctls_add(n, kc_sysctls_ipv6_on, ARRAY_SIZE(kc_sysctls_ipv6_on), &dv->ipv6_pos);
	else
		kc_sysctls_add(n, kc_sysctls_ipv6_off, ARRAY_SIZE(kc_sysctls_ipv6_off), &dv->pos);
	kc_kvs_copy(&n->sysctls, &n->nsysctls, dv->sysctls, dv->nsysctls);
	kc_kvs_copy(&n->env, &n->nenv, dv->env, dv->nenv);
	kc_kvs_copy(&n->labels, &n->nlabels, dv->labels, dv->nlabels);
	kc_device_scripts(ld, dv, n);
	kc_device_files(ld, dv, n, shims);
	kc_device_path(dv, n, shims);
	n->ifaces = xcalloc(dv->nifs ? dv->nifs : 1, sizeof(*n->ifaces));
	n->nifaces = dv->nifs;
	for (size_t i = 0; i < dv->nifs; i++) {
		const struct kc_iface *ki = &dv->ifs[i];
		struct nslab_iface *ifc = &n->ifaces[ki->num]; /* contiguous: checked before */

		ifc->name = xasprintf("eth%u", ki->num);
		ifc->ifindex = NSLAB_IFINDEX_FIRST + (int)ki->num;
		ifc->mtu = NSLAB_KATHARA_MTU;
		ifc->has_mac = ki->has_mac;
		memcpy(ifc->mac, ki->mac, 6);
		ifc->link = -1;
		ifc->pos = ki->pos;
	}
}

static struct nslab_iface *kc_bridge_port(struct nslab_node *br, const char *dev, unsigned num,
					  const struct nslab_pos *pos)
{
	struct nslab_iface *ifc = VEC_PUSH(br->ifaces, br->nifaces);
	_cleanup_free_ char *name = xasprintf("%s-eth%u", dev, num);

	/* named after the device's end when that fits, else by port number (no '-': no clash) */
	ifc->name = strlen(name) < NSLAB_IFNAMSIZ ? steal_ptr(name) : xasprintf("p%zu", br->nifaces);
	ifc->ifindex = br->br_ifindex + (int)br->nifaces;
	ifc->mtu = NSLAB_KATHARA_MTU;
	ifc->link = -1;
	ifc->pos = *pos;
	return ifc;
}

static void kc_link(struct nslab_topo *t, size_t n0, size_t i0, size_t n1, size_t i1, const struct nslab_pos *pos)
{
	struct nslab_link *l = VEC_PUSH(t->links, t->nlinks);

	l->ep[0] = (struct nslab_endpoint){ .node = n0, .iface = i0 };
	l->ep[1] = (struct nslab_endpoint){ .node = n1, .iface = i1 };
	l->mtu = NSLAB_KATHARA_MTU;
	l->pos = *pos;
	for (int e = 0; e < 2; e++) {
		struct nslab_iface *ifc = &t->nodes[l->ep[e].node].ifaces[l->ep[e].iface];

		ifc->link = (long)(t->nlinks - 1);
		ifc->end = e;
	}
}

static int kc_rank_cmp(const void *a, const void *b)
{
	const struct kc_dev *const *x = a, *const *y = b;

	if ((*x)->dep_rank != (*y)->dep_rank)
		return (*x)->dep_rank < (*y)->dep_rank ? -1 : 1;
	return *x < *y ? -1 : *x > *y; /* stable: lab.conf order */
}

void kc_build(struct kc_ld *ld, struct nslab_topo *t)
{
	_cleanup_free_ char *shims = ld->dir ? kc_shim_dir() : NULL;
	_cleanup_free_ struct kc_dev **order = xcalloc(ld->ndevs + 1, sizeof(*order));
	_cleanup_free_ size_t *node_of = xcalloc(ld->ndevs + 1, sizeof(*node_of));
	size_t nbridges = 0;

	for (size_t i = 0; i < ld->ncds; i++)
		nbridges += ld->cds[i].nm != 2;
	t->nodes = xcalloc(ld->ndevs + nbridges + 1, sizeof(*t->nodes));
	/* Devices first, in lab.conf order, or as lab.dep orders them (Kathará: the others first). */
	for (size_t i = 0; i < ld->ndevs; i++)
		order[i] = &ld->devs[i];
	qsort(order, ld->ndevs, sizeof(*order), kc_rank_cmp);
	for (size_t i = 0; i < ld->ndevs; i++) {
		node_of[order[i] - ld->devs] = t->nnodes;
		kc_build_device(ld, order[i], &t->nodes[t->nnodes++], shims);
	}
	t->exec_in_order = ld->has_dep;
	if (!shims && ld->dir) {
		bool any = false;

		for (size_t i = 0; i < t->nnodes && !any; i++)
			any = t->nodes[i].nexec > 0;
		if (any)
			kc_warn_in(ld, ld->file, 0, 0,
				   "the systemctl/service shims were not found beside nslab (NSLAB_KATHARA_SHIMS): "
				   "startup files cannot start services with them");
	}

	/* Collision domains: two devices are a veth pair, any other number a bridge node. */
	for (size_t c = 0; c < ld->ncds; c++) {
		const struct kc_cd *cd = &ld->cds[c];
		struct nslab_node *br;
		size_t bi;

		if (cd->nm == 2) {
			const struct kc_member *m = cd->m;

			kc_link(t, node_of[m[0].dev], ld->devs[m[0].dev].ifs[m[0].ifc].num, node_of[m[1].dev],
				ld->devs[m[1].dev].ifs[m[1].ifc].num, &cd->pos);
			continue;
		}
		if (cd->nm > NSLAB_BRIDGE_MAX_PORTS) {
			kc_err(ld, cd->pos.line, cd->pos.col,
			       "collision domain %s has %zu devices: a Linux bridge takes at most %d ports", cd->name, cd->nm,
			       NSLAB_BRIDGE_MAX_PORTS);
			continue;
		}
		bi = t->nnodes++;
		br = &t->nodes[bi];
		br->name = nslab_labconf_bridge_name(cd->name);
		br->kind = NSLAB_KIND_BRIDGE;
		br->pos = cd->pos;
		br->br_ifindex = NSLAB_IFINDEX_FIRST;
		for (size_t j = 0; j < bi; j++) {
			if (t->nodes[j].kind == NSLAB_KIND_BRIDGE && !strcmp(t->nodes[j].name, br->name))
				kc_err(ld, cd->pos.line, cd->pos.col,
				       "collision domains %s and the one at line %u both become bridge node %s: rename one",
				       cd->name, t->nodes[j].pos.line, br->name);
		}
		for (size_t k = 0; k < cd->nm; k++) {
			const struct kc_dev *dv = &ld->devs[cd->m[k].dev];
			const struct kc_iface *ki = &dv->ifs[cd->m[k].ifc];

			kc_bridge_port(&t->nodes[bi], dv->name, ki->num, &ki->pos);
			kc_link(t, bi, t->nodes[bi].nifaces - 1, node_of[cd->m[k].dev], ki->num, &ki->pos);
		}
	}
	nslab_topo_finish(t);
}

/* Interfaces are numbered from 0 without gaps (Kathará's check_integrity). */
void kc_check_ifaces(struct kc_ld *ld)
{
	for (size_t i = 0; i < ld->ndevs; i++) {
		const struct kc_dev *dv = &ld->devs[i];

		for (unsigned want = 0; want < dv->nifs; want++) {
			const struct kc_iface *above = NULL;
			bool have = false;

			for (size_t k = 0; k < dv->nifs && !have; k++) {
				have = dv->ifs[k].num == want;
				if (dv->ifs[k].num > want && (!above || dv->ifs[k].num < above->num))
					above = &dv->ifs[k];
			}
			if (!have && above) {
				kc_err(ld, above->pos.line, above->pos.col,
				       "%s has interface %u but no interface %u: interfaces are numbered from 0 without gaps",
				       dv->name, above->num, want);
				break;
			}
		}
	}
}
