/* SPDX-License-Identifier: GPL-2.0-or-later */
/* util/json.h: the cleanup attribute for jansson values (json_decref at scope exit). */
#ifndef NSLAB_UTIL_JSON_H
#define NSLAB_UTIL_JSON_H

#include <errno.h>
#include <jansson.h>

/* Accepts NULL; preserves errno. Hand a value on with steal_ptr(). */
static inline void nslab_json_decrefp(json_t **j)
{
	int e = errno;

	if (*j)
		json_decref(*j);
	errno = e;
}
#define _cleanup_json_ __attribute__((cleanup(nslab_json_decrefp)))

#endif
