/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * tests/unit/raw_nl.h: netlink messages laid out by hand (no libmnl), for comparing the batches of
 * netlink/ byte for byte. Include after <cmocka.h>.
 */
#ifndef NSLAB_TESTS_RAW_NL_H
#define NSLAB_TESTS_RAW_NL_H

#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <stdint.h>
#include <string.h>

#include "netlink/nl.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
#define REQ (NLM_F_REQUEST | NLM_F_ACK)

struct raw {
	unsigned char b[16384];
	size_t len;
};

/* Append len bytes padded to NLA_ALIGN; returns where they start. */
static inline size_t raw_put(struct raw *r, const void *data, size_t len)
{
	size_t at = r->len;

	assert_true(at + NLA_ALIGN(len) <= sizeof(r->b));
	memcpy(r->b + at, data, len);
	memset(r->b + at + len, 0, NLA_ALIGN(len) - len);
	r->len += NLA_ALIGN(len);
	return at;
}

/* Start a message; returns its offset for raw_end(). */
static inline size_t raw_msg(struct raw *r, uint16_t type, uint16_t flags, uint32_t seq)
{
	struct nlmsghdr h = { .nlmsg_type = type, .nlmsg_flags = flags, .nlmsg_seq = seq, .nlmsg_pid = 0 };

	return raw_put(r, &h, sizeof(h));
}

static inline void raw_end(struct raw *r, size_t at)
{
	struct nlmsghdr h;

	memcpy(&h, r->b + at, sizeof(h));
	h.nlmsg_len = (uint32_t)(r->len - at);
	memcpy(r->b + at, &h, sizeof(h));
}

static inline void raw_attr(struct raw *r, uint16_t type, const void *data, size_t len)
{
	struct rtattr a = { .rta_len = (unsigned short)(RTA_LENGTH(len)), .rta_type = type };

	raw_put(r, &a, sizeof(a));
	if (len)
		raw_put(r, data, len);
}

static inline void raw_u32(struct raw *r, uint16_t type, uint32_t v)
{
	raw_attr(r, type, &v, sizeof(v));
}

static inline void raw_u64(struct raw *r, uint16_t type, uint64_t v)
{
	raw_attr(r, type, &v, sizeof(v));
}

static inline void raw_str(struct raw *r, uint16_t type, const char *s)
{
	raw_attr(r, type, s, strlen(s) + 1);
}

/* Open a nest of exactly this type (add NLA_F_NESTED where the request carries it). */
static inline size_t raw_nest(struct raw *r, uint16_t type)
{
	struct rtattr a = { .rta_type = type };

	return raw_put(r, &a, sizeof(a));
}

static inline void raw_nest_end(struct raw *r, size_t at)
{
	struct rtattr a;

	memcpy(&a, r->b + at, sizeof(a));
	a.rta_len = (unsigned short)(r->len - at);
	memcpy(r->b + at, &a, sizeof(a));
}

/* The batch's bytes must be want's, exactly; on a mismatch, say where. */
static inline void assert_batch(const struct nslab_nlb *b, const struct raw *want)
{
	size_t len;
	const unsigned char *got = nslab_nlb_data(b, &len);

	if (len != want->len || memcmp(got, want->b, len) != 0) {
		size_t i, n = len < want->len ? len : want->len;

		for (i = 0; i < n && got[i] == want->b[i]; i++)
			;
		print_error("batch differs: got %zu bytes, want %zu; first difference at offset %zu "
			    "(got 0x%02x, want 0x%02x)\n",
			    len, want->len, i, i < len ? got[i] : 0, i < want->len ? want->b[i] : 0);
		fail();
	}
}

#endif
