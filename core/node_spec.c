// SPDX-License-Identifier: GPL-2.0-or-later
/* core/node_spec.c: node specs as flat records, sent from the deployer to the spawner. */
#include "node.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "../util/pack.h"
#include "../util/util.h"
#include "cgroup.h"
#include "pidfd.h"
#include "rundir.h"

/* ---- node specs as flat records ---- */

static void pack_kv(struct nslab_pack *p, const char *const *kv, size_t n)
{
	nslab_pack_u32(p, (uint32_t)n);
	for (size_t i = 0; i < 2 * n; i++)
		nslab_pack_str(p, kv[i]);
}

void nslab_node_spec_pack(struct nslab_pack *p, const struct nslab_node_spec *s)
{
	nslab_pack_str(p, s->name);
	nslab_pack_str(p, s->root.layer);
	nslab_pack_u32(p, s->root.keep);
	nslab_pack_str(p, s->root.lower);
	nslab_pack_u32(p, (uint32_t)s->root.ncarry);
	for (size_t i = 0; i < s->root.ncarry; i++)
		nslab_pack_str(p, s->root.carry[i]);
	nslab_pack_u32(p, (uint32_t)s->nbinds);
	for (size_t i = 0; i < s->nbinds; i++) {
		nslab_pack_str(p, s->binds[i].src);
		nslab_pack_str(p, s->binds[i].dst);
		nslab_pack_u32(p, s->binds[i].ro);
	}
	pack_kv(p, s->early_sysctl, s->nearly_sysctl);
	nslab_nlb_pack(p, s->early);
	nslab_nlb_pack(p, s->wire);
	pack_kv(p, s->late_sysctl, s->nlate_sysctl);
	nslab_pack_str(p, s->cgroup);
	nslab_pack_str(p, s->join_netns);
}

/* What an unpacked spec owns. */
struct spec_arena {
	struct nslab_bind *binds;
	const char **carry;
	const char **early_kv, **late_kv;
	struct nslab_nlb *early, *wire;
};

void nslab_node_spec_arena_free(void *arena)
{
	struct spec_arena *a = arena;

	if (!a)
		return;
	free(a->binds);
	free(a->carry);
	free(a->early_kv);
	free(a->late_kv);
	nslab_nlb_free(a->early);
	nslab_nlb_free(a->wire);
	free(a);
}

static const char **unpack_kv(struct nslab_unpack *u, size_t *n)
{
	const char **kv;

	*n = nslab_unpack_u32(u);
	if (u->bad || *n > u->left / 8) { /* each string takes at least 4 + 1 bytes */
		u->bad = true;
		*n = 0;
		return NULL;
	}
	kv = xcalloc(2 * *n + 1, sizeof(char *));
	for (size_t i = 0; i < 2 * *n; i++) {
		kv[i] = nslab_unpack_str(u);
		if (!kv[i])
			u->bad = true;
	}
	return kv;
}

int nslab_node_spec_unpack(struct nslab_unpack *u, struct nslab_node_spec *s, void **arena)
{
	struct spec_arena *a = xcalloc(1, sizeof(*a));

	memset(s, 0, sizeof(*s));
	*arena = a;
	s->name = nslab_unpack_str(u);
	s->root.layer = nslab_unpack_str(u);
	s->root.keep = nslab_unpack_u32(u) != 0;
	s->root.lower = nslab_unpack_str(u);
	if (!s->name || !s->root.layer || !s->root.lower || u->bad) {
		u->bad = true;
		return -EINVAL;
	}
	s->root.ncarry = nslab_unpack_u32(u);
	if (u->bad || s->root.ncarry > u->left / 5) {
		u->bad = true;
		return -EINVAL;
	}
	a->carry = xcalloc(s->root.ncarry + 1, sizeof(char *));
	for (size_t i = 0; i < s->root.ncarry; i++)
		if (!(a->carry[i] = nslab_unpack_str(u)))
			u->bad = true;
	s->root.carry = a->carry;
	s->nbinds = nslab_unpack_u32(u);
	if (!s->name || u->bad || s->nbinds > u->left / 14) {
		u->bad = true;
		return -EINVAL;
	}
	a->binds = xcalloc(s->nbinds + 1, sizeof(*a->binds));
	for (size_t i = 0; i < s->nbinds; i++) {
		a->binds[i].src = (char *)nslab_unpack_str(u);
		a->binds[i].dst = (char *)nslab_unpack_str(u);
		a->binds[i].ro = nslab_unpack_u32(u) != 0;
		if (!a->binds[i].src || !a->binds[i].dst)
			u->bad = true;
	}
	s->binds = a->binds;
	s->early_sysctl = a->early_kv = unpack_kv(u, &s->nearly_sysctl);
	nslab_nlb_unpack(u, &a->early);
	nslab_nlb_unpack(u, &a->wire);
	s->early = a->early;
	s->wire = a->wire;
	s->late_sysctl = a->late_kv = unpack_kv(u, &s->nlate_sysctl);
	s->cgroup = nslab_unpack_str(u);
	s->join_netns = nslab_unpack_str(u);
	return u->bad ? -EINVAL : 0;
}
