// SPDX-License-Identifier: GPL-2.0-or-later
/* util/pack.c: flat byte records (see pack.h). */
#include "pack.h"

#include <string.h>

#include "util.h"

static void put(struct nslab_pack *p, const void *data, size_t len)
{
	if (p->cap - p->len < len) {
		size_t ncap = p->cap ? p->cap : 256;
		while (ncap - p->len < len)
			ncap *= 2;
		p->buf = xrealloc(p->buf, ncap);
		p->cap = ncap;
	}
	if (len)
		memcpy(p->buf + p->len, data, len);
	p->len += len;
}

void nslab_pack_u32(struct nslab_pack *p, uint32_t v)
{
	put(p, &v, sizeof(v));
}

void nslab_pack_bytes(struct nslab_pack *p, const void *data, size_t len)
{
	nslab_pack_u32(p, (uint32_t)len);
	put(p, data, len);
}

void nslab_pack_str(struct nslab_pack *p, const char *s)
{
	if (!s) {
		nslab_pack_u32(p, UINT32_MAX);
		return;
	}
	/* with its NUL, so that the reader can point into the bytes */
	nslab_pack_bytes(p, s, strlen(s) + 1);
}

void nslab_pack_free(struct nslab_pack *p)
{
	free(p->buf);
	p->buf = NULL;
	p->len = p->cap = 0;
}

static const void *take(struct nslab_unpack *u, size_t len)
{
	const char *r;

	if (u->bad || u->left < len) {
		u->bad = true;
		return NULL;
	}
	r = u->p;
	u->p += len;
	u->left -= len;
	return r;
}

uint32_t nslab_unpack_u32(struct nslab_unpack *u)
{
	const void *r = take(u, sizeof(uint32_t));
	uint32_t v = 0;

	if (r)
		memcpy(&v, r, sizeof(v));
	return v;
}

const void *nslab_unpack_bytes(struct nslab_unpack *u, size_t *len)
{
	uint32_t n = nslab_unpack_u32(u);
	const void *r;

	*len = 0;
	if (u->bad)
		return NULL;
	r = take(u, n);
	if (r)
		*len = n;
	return r;
}

const char *nslab_unpack_str(struct nslab_unpack *u)
{
	const char *s;
	size_t len;

	if (u->left >= sizeof(uint32_t) && !u->bad) {
		uint32_t n;
		memcpy(&n, u->p, sizeof(n));
		if (n == UINT32_MAX) {
			take(u, sizeof(n));
			return NULL;
		}
	}
	s = nslab_unpack_bytes(u, &len);
	if (!s)
		return NULL;
	if (len == 0 || s[len - 1] != '\0' || strlen(s) != len - 1) {
		u->bad = true;
		return NULL;
	}
	return s;
}
