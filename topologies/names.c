// SPDX-License-Identifier: GPL-2.0-or-later
/* topologies/names.c: kind names, name validators and the address/MAC parsers and printers of the lab model. */
#include "topologies/model.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

static const char *const nslab_kind_names[NSLAB_KIND__COUNT] = {
	[NSLAB_KIND_LINUX] = "linux",
	[NSLAB_KIND_ROUTER] = "router",
	[NSLAB_KIND_BRIDGE] = "bridge",
	[NSLAB_KIND_FRR] = "frr",
	[NSLAB_KIND_BIRD] = "bird",
};

const char *nslab_kind_name(enum nslab_kind k)
{
	if ((unsigned)k >= NSLAB_KIND__COUNT)
		return "unknown";
	return nslab_kind_names[k];
}

bool nslab_name_valid(const char *s)
{
	size_t n;

	if (!s || !s[0] || s[0] == '-')
		return false;
	n = strlen(s);
	if (n > NSLAB_NAME_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (!(isascii(c) && isalnum(c)) && c != '_' && c != '-')
			return false;
	}
	return true;
}

/* The kernel's dev_valid_name(), which is what RTM_NEWLINK will apply anyway. */
bool nslab_ifname_valid(const char *s)
{
	size_t n;

	if (!s || !s[0])
		return false;
	n = strlen(s);
	if (n >= NSLAB_IFNAMSIZ)
		return false;
	if (!strcmp(s, ".") || !strcmp(s, ".."))
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		/* the kernel's dev_valid_name; its isspace() also takes 0xa0 (a UTF-8 no-break space's
		 * second byte); '%' makes the name a template the kernel fills in (eth%d -> eth0) */
		if (c == '/' || c == ':' || isspace(c) || c == 0xa0 || c == '%')
			return false;
	}
	return true;
}

/* Parse a bare address (no '/') into p with the family's full length. */
static int prefix_addr(const char *s, size_t len, struct nslab_prefix *p)
{
	char buf[INET6_ADDRSTRLEN + 1];
	int family;

	if (len == 0 || len >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, s, len);
	buf[len] = '\0';
	family = memchr(buf, ':', len) ? AF_INET6 : AF_INET;
	memset(p, 0, sizeof(*p));
	if (inet_pton(family, buf, p->addr) != 1)
		return -EINVAL;
	p->family = family;
	p->plen = family == AF_INET ? 32 : 128;
	return 0;
}

int nslab_addr_parse(const char *s, struct nslab_prefix *p)
{
	struct nslab_prefix tmp;
	int ret;

	if (!s || strchr(s, '/'))
		return -EINVAL;
	ret = prefix_addr(s, strlen(s), &tmp);
	if (ret < 0)
		return ret;
	*p = tmp;
	return 0;
}

int nslab_prefix_parse(const char *s, struct nslab_prefix *p)
{
	struct nslab_prefix tmp;
	const char *slash;
	unsigned plen = 0;
	size_t ndigits;
	int ret;

	if (!s)
		return -EINVAL;
	slash = strchr(s, '/');
	ret = prefix_addr(s, slash ? (size_t)(slash - s) : strlen(s), &tmp);
	if (ret < 0)
		return ret;
	if (slash) {
		const char *d = slash + 1;

		ndigits = strlen(d);
		if (ndigits == 0 || ndigits > 3)
			return -EINVAL;
		for (size_t i = 0; i < ndigits; i++) {
			if (d[i] < '0' || d[i] > '9')
				return -EINVAL;
			plen = plen * 10 + (unsigned)(d[i] - '0');
		}
		if (plen > tmp.plen)
			return -EINVAL;
		tmp.plen = (unsigned char)plen;
	}
	*p = tmp;
	return 0;
}

char *nslab_prefix_fmt(const struct nslab_prefix *p, bool with_len, char *buf, size_t size)
{
	char a[INET6_ADDRSTRLEN];

	if (!buf || size == 0)
		return buf;
	if (!p || (p->family != AF_INET && p->family != AF_INET6) ||
	    !inet_ntop(p->family, p->addr, a, sizeof(a))) {
		snprintf(buf, size, "?");
		return buf;
	}
	if (with_len)
		snprintf(buf, size, "%s/%u", a, (unsigned)p->plen);
	else
		snprintf(buf, size, "%s", a);
	return buf;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Exactly six colon-separated two-digit hex octets; unicast and not all zero (the kernel's is_valid_ether_addr). */
int nslab_mac_parse(const char *s, unsigned char mac[6])
{
	unsigned char m[6];
	bool zero = true;

	if (!s || strlen(s) != 17)
		return -EINVAL;
	for (int i = 0; i < 6; i++) {
		int hi = hexval(s[i * 3]), lo = hexval(s[i * 3 + 1]);

		if (hi < 0 || lo < 0 || (i < 5 && s[i * 3 + 2] != ':'))
			return -EINVAL;
		m[i] = (unsigned char)(hi << 4 | lo);
		if (m[i])
			zero = false;
	}
	if (zero || (m[0] & 1))
		return -EINVAL;
	memcpy(mac, m, 6);
	return 0;
}
