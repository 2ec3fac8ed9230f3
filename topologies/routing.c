// SPDX-License-Identifier: GPL-2.0-or-later
/* topologies/routing.c: routers' configuration as text: the FRR daemons a configuration needs, and the FRR configurations `routing:` writes. */
#include "topologies/routing.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "util/util.h"

/* FRR's daemons in its own order (frrcommon.sh's DAEMONS), each with the configuration lines that
 * need it: a line (leading blanks dropped) starting with one of the words, or ending with the
 * word `tail` (" neighbor 10.0.0.2 bfd" needs bfdd). The options are Debian's defaults. */
static const struct frr_daemon {
	const char *name, *options;
	const char *starts[4];
	const char *tail;
} frr_daemons[] = {
	{ "bgpd", "-A 127.0.0.1", { "router bgp" }, NULL },
	{ "ripd", "-A 127.0.0.1", { "router rip" }, NULL },
	{ "ripngd", "-A ::1", { "router ripng" }, NULL },
	{ "ospfd", "-A 127.0.0.1", { "router ospf" }, NULL },
	{ "ospf6d", "-A ::1", { "router ospf6", "ipv6 ospf6" }, NULL },
	{ "isisd", "-A 127.0.0.1", { "router isis", "ip router isis", "ipv6 router isis" }, NULL },
	{ "babeld", "-A 127.0.0.1", { "router babel" }, NULL },
	{ "pimd", "-A 127.0.0.1", { "router pim", "ip pim", "ip igmp", "ip multicast-routing" }, NULL },
	{ "pim6d", "-A ::1", { "router pim6", "ipv6 pim", "ipv6 mld" }, NULL },
	{ "ldpd", "-A 127.0.0.1", { "mpls ldp" }, NULL },
	{ "nhrpd", "-A 127.0.0.1", { "ip nhrp", "ipv6 nhrp" }, NULL },
	{ "eigrpd", "-A 127.0.0.1", { "router eigrp" }, NULL },
	{ "sharpd", "-A 127.0.0.1", { NULL }, NULL },
	{ "pbrd", "-A 127.0.0.1", { "pbr-map", "pbr-policy" }, NULL },
	{ "bfdd", "-A 127.0.0.1", { "bfd" }, "bfd" },
	{ "fabricd", "-A 127.0.0.1", { "router openfabric", "ip router openfabric" }, NULL },
	{ "vrrpd", "-A 127.0.0.1", { "vrrp" }, NULL },
	{ "pathd", "-A 127.0.0.1", { "segment-routing" }, NULL },
};

/* Does line (blanks dropped) start with word w, followed by a blank or its end? */
static bool starts_word(const char *line, size_t len, const char *w)
{
	size_t n = strlen(w);

	return len >= n && !strncmp(line, w, n) && (len == n || isspace((unsigned char)line[n]));
}

static bool ends_word(const char *line, size_t len, const char *w)
{
	size_t n = strlen(w);

	return len > n && !strncmp(line + len - n, w, n) && isspace((unsigned char)line[len - n - 1]);
}

/* Which daemons (bits by index in frr_daemons) conf needs. */
static unsigned long frr_needed(const char *conf)
{
	unsigned long need = 0;

	for (const char *l = conf; l && *l;) {
		const char *e = strchr(l, '\n');
		size_t len = e ? (size_t)(e - l) : strlen(l);
		const char *s = l;

		while (len && (*s == ' ' || *s == '\t'))
			s++, len--;
		while (len && isspace((unsigned char)s[len - 1]))
			len--;
		for (size_t d = 0; len && s[0] != '!' && s[0] != '#' && d < ARRAY_SIZE(frr_daemons); d++) {
			const struct frr_daemon *fd = &frr_daemons[d];
			bool hit = fd->tail && ends_word(s, len, fd->tail);
			for (size_t k = 0; !hit && k < ARRAY_SIZE(fd->starts) && fd->starts[k]; k++)
				hit = starts_word(s, len, fd->starts[k]);
			if (hit)
				need |= 1ul << d;
		}
		l = e ? e + 1 : NULL;
	}
	return need;
}

char *nslab_frr_daemons_needed(const char *conf)
{
	unsigned long need = frr_needed(conf);
	char *out = xstrdup("");

	for (size_t d = 0; d < ARRAY_SIZE(frr_daemons); d++) {
		if (!(need & (1ul << d)))
			continue;
		char *n = xasprintf("%s%s%s", out, *out ? " " : "", frr_daemons[d].name);
		free(out);
		out = n;
	}
	return out;
}

char *nslab_frr_daemons_file(const char *conf)
{
	unsigned long need = frr_needed(conf ? conf : "");
	char *out = xstrdup("# written by nslab for this node: the daemons its frr.conf configures\n"
			    "# (zebra and staticd always run)\n");

	for (size_t d = 0; d < ARRAY_SIZE(frr_daemons); d++) {
		char *n = xasprintf("%s%s=%s\n", out, frr_daemons[d].name, need & (1ul << d) ? "yes" : "no");
		free(out);
		out = n;
	}
	char *n = xasprintf("%svtysh_enable=yes\nzebra_options=\"-A 127.0.0.1 -s 90000000\"\n"
			    "staticd_options=\"-A 127.0.0.1\"\n",
			    out);
	free(out);
	out = n;
	for (size_t d = 0; d < ARRAY_SIZE(frr_daemons); d++) {
		n = xasprintf("%s%s_options=\"%s\"\n", out, frr_daemons[d].name, frr_daemons[d].options);
		free(out);
		out = n;
	}
	return out;
}
