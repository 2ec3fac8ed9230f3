// SPDX-License-Identifier: GPL-2.0-or-later
/* topologies/lab_conf_dep.c: a Kathará lab's lab.dep, the devices' start order. */
#include "topologies/lab_conf_int.h"
#include "util/util.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- lab.dep: start order ---- */

struct kc_dep {
	char *dev;
	char **deps;
	size_t ndeps;
	unsigned line;
};

struct kc_dep_ld {
	struct kc_ld *ld;
	const char *file;
	struct kc_dep *v;
	size_t n;
};

static struct kc_dep_ld *kc_dep_cur; /* kc_each_line's callback has no context of its own */

/* DEV: DEP1 DEP2 ... (Kathará: ^(\w+):\s?((\w+ ?)+)$ on the stripped line) */
static void kc_dep_line(struct kc_ld *ld, const char *raw, unsigned line)
{
	struct kc_dep_ld *dl = kc_dep_cur;
	_cleanup_free_ char *s = kc_strip(raw);
	size_t klen = strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_");
	const char *p = s + klen + 1;
	struct kc_dep *d;
	bool ok = klen && s[klen] == ':';

	if (!*s || s[0] == '#')
		return;
	if (ok) {
		if (*p == ' ' || *p == '\t')
			p++;
		ok = kc_word_char(*p);
		for (const char *c = p; ok && *c; c++)
			ok = kc_word_char(*c) || (*c == ' ' && kc_word_char(c[1]));
	}
	if (!ok) {
		kc_err_in(ld, dl->file, line, 0, "syntax error: expected DEVICE: DEVICE1 DEVICE2 ... (DEVICE starts after those)");
		return;
	}
	d = VEC_PUSH(dl->v, dl->n);
	d->dev = xstrndup(s, klen);
	d->line = line;
	for (const char *c = p; *c;) {
		size_t wl = strspn(c, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_");

		*VEC_PUSH(d->deps, d->ndeps) = xstrndup(c, wl);
		c += wl;
		c += *c == ' ';
	}
}

static ssize_t kc_dev_index(const struct kc_ld *ld, const char *name)
{
	for (size_t i = 0; i < ld->ndevs; i++)
		if (!strcmp(ld->devs[i].name, name))
			return (ssize_t)i;
	return -1;
}

static const struct kc_dep *kc_dep_find(const struct kc_dep_ld *dl, const char *dev)
{
	const struct kc_dep *found = NULL;

	for (size_t i = 0; i < dl->n; i++)
		if (!strcmp(dl->v[i].dev, dev))
			found = &dl->v[i]; /* a later line replaces an earlier one, as in Kathará's dict */
	return found;
}

/* Depth first: a device's dependencies are ranked before it. false on a loop (reported). */
static bool kc_dep_visit(struct kc_dep_ld *dl, const char *dev, char ***stack, size_t *nstack, char ***order,
			 size_t *norder)
{
	const struct kc_dep *d;

	for (size_t i = 0; i < *norder; i++)
		if (!strcmp((*order)[i], dev))
			return true;
	for (size_t i = 0; i < *nstack; i++) {
		if (!strcmp((*stack)[i], dev)) {
			char msg[512] = "";
			size_t n = 0;

			for (size_t j = i; j < *nstack && n < sizeof(msg); j++)
				n += (size_t)snprintf(msg + n, sizeof(msg) - n, "%s -> ", (*stack)[j]);
			d = kc_dep_find(dl, (*stack)[i]);
			kc_err_in(dl->ld, dl->file, d ? d->line : 0, 0, "dependency loop: %s%s", msg, dev);
			return false;
		}
	}
	d = kc_dep_find(dl, dev);
	*VEC_PUSH(*stack, *nstack) = (char *)dev;
	for (size_t i = 0; d && i < d->ndeps; i++)
		if (!kc_dep_visit(dl, d->deps[i], stack, nstack, order, norder))
			return false;
	(*nstack)--;
	*VEC_PUSH(*order, *norder) = (char *)dev;
	return true;
}

void kc_read_dep(struct kc_ld *ld, const char *file, const char *buf, size_t len)
{
	struct kc_dep_ld dl = { .ld = ld, .file = file };
	char **stack = NULL, **order = NULL;
	size_t nstack = 0, norder = 0;
	bool ok;

	kc_dep_cur = &dl;
	ok = kc_each_line(ld, file, buf, len, kc_dep_line);
	kc_dep_cur = NULL;
	if (ok && !dl.n) {
		kc_warn_in(ld, file, 0, 0, "lab.dep has no dependency: devices start in any order");
		ok = false;
	}
	for (size_t i = 0; ok && i < dl.n; i++)
		ok = kc_dep_visit(&dl, dl.v[i].dev, &stack, &nstack, &order, &norder);
	for (size_t i = 0; ok && i < dl.n; i++) {
		if (kc_dev_index(ld, dl.v[i].dev) < 0)
			kc_warn_in(ld, file, dl.v[i].line, 0, "%s is not a device of lab.conf: ignored", dl.v[i].dev);
		for (size_t j = 0; j < dl.v[i].ndeps; j++)
			if (kc_dev_index(ld, dl.v[i].deps[j]) < 0)
				kc_warn_in(ld, file, dl.v[i].line, 0, "%s is not a device of lab.conf: ignored",
					   dl.v[i].deps[j]);
	}
	if (ok) {
		ld->has_dep = true;
		for (size_t i = 0; i < norder; i++) {
			ssize_t di = kc_dev_index(ld, order[i]);

			if (di >= 0)
				ld->devs[di].dep_rank = i + 1;
		}
	}
	free(stack);
	free(order);
	for (size_t i = 0; i < dl.n; i++) {
		free(dl.v[i].dev);
		for (size_t j = 0; j < dl.v[i].ndeps; j++)
			free(dl.v[i].deps[j]);
		free(dl.v[i].deps);
	}
	free(dl.v);
}
