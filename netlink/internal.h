/* SPDX-License-Identifier: GPL-2.0-or-later */
/* netlink/internal.h: what the files of netlink/ share among themselves; not for other layers. */
#ifndef NSLAB_NETLINK_INTERNAL_H
#define NSLAB_NETLINK_INTERNAL_H

#include <libmnl/libmnl.h>
#include <stdint.h>

#include "nl.h"

struct nlmsghdr;
/* Start a request of at most 256 + extra bytes (seq, flags REQUEST|ACK|flags set); finish it with msg_end. */
struct nlmsghdr *nslab_nlb_msg_start(struct nslab_nlb *b, uint16_t type, uint16_t flags, size_t extra);
void nslab_nlb_msg_end(struct nslab_nlb *b, struct nlmsghdr *nlh, const char *what);
/* Fill *elem (zeroed) from one reply of a dump: 1 keep it, 0 skip it, -1 malformed. */
typedef int (*nslab_nl_dump_parse_fn)(const struct nlmsghdr *nlh, void *elem);
/* A dump (type, header of hdrlen zero bytes) into a malloc'd array of elem-sized entries. */
int nslab_nl_dump_each(struct nslab_nl *nl, uint16_t type, size_t hdrlen, nslab_nl_dump_parse_fn parse,
		       size_t elem, void **out, size_t *n, const char *what, struct nslab_err *err);

/* Attributes of one level indexed by type, for mnl_attr_parse*(..., nslab_nl_attrs_cb, &attrs);
 * types above max are ignored. */
struct nslab_nl_attrs {
	const struct nlattr **a;
	unsigned max;
};
int nslab_nl_attrs_cb(const struct nlattr *attr, void *data);
/* The preamble of parsing one reply of a dump: 0 when it is not of this type (skip it); -1 when it is
 * malformed (payload shorter than its family header of hdrlen bytes, or broken attributes); 1 when
 * a[0..max] (zeroed by the caller) hold its top-level attributes and mnl_nlmsg_get_payload(nlh)
 * is a whole family header (ifinfomsg, ifaddrmsg, ...). */
int nslab_nl_msg_parse(const struct nlmsghdr *nlh, uint16_t type, size_t hdrlen, const struct nlattr **a,
		       unsigned max);
/* Copy a string attribute into a fixed buffer, always NUL-terminated (cut at size - 1 bytes); an
 * absent attribute leaves dst as it is. */
void nslab_nl_attr_str(const struct nlattr *a, char *dst, size_t size);

#endif
