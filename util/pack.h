/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * util/pack.h: flat byte records for handing data to another process (the node spawner):
 * u32s, byte strings and C strings appended to a growing buffer, read back with bounds checks.
 * Host byte order: writer and reader are the same binary on the same machine.
 */
#ifndef NSLAB_UTIL_PACK_H
#define NSLAB_UTIL_PACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct nslab_pack {
	char *buf;
	size_t len, cap;
};

void nslab_pack_u32(struct nslab_pack *p, uint32_t v);
/* u32 length, then the bytes */
void nslab_pack_bytes(struct nslab_pack *p, const void *data, size_t len);
/* a C string (NULL packs as "no string", read back as NULL) */
void nslab_pack_str(struct nslab_pack *p, const char *s);
void nslab_pack_free(struct nslab_pack *p);

/* Reading: every call past the end or on malformed data sets `bad` and returns 0 / NULL. The
 * pointers returned point into the packed bytes (which must outlive them). */
struct nslab_unpack {
	const char *p;
	size_t left;
	bool bad;
};

uint32_t nslab_unpack_u32(struct nslab_unpack *u);
const void *nslab_unpack_bytes(struct nslab_unpack *u, size_t *len);
const char *nslab_unpack_str(struct nslab_unpack *u);

#endif
