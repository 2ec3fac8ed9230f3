// SPDX-License-Identifier: GPL-2.0-or-later
/* netlink/hostif.c: what nslab needs for the few interfaces it makes in the host's namespace (the management bridge, host ends of veths): an owner's mark (ifalias), deletion, and a dump of names and marks to prove ownership before acting. */
#include "internal.h"
#include "nl.h"

#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <string.h>

#include <libmnl/libmnl.h>

void nslab_nlb_link_alias(struct nslab_nlb *b, const char *ifname, const char *alias, const char *what)
{
	struct nlmsghdr *nlh = nslab_nlb_msg_start(b, RTM_NEWLINK, 0, strlen(alias) + 32);
	struct ifinfomsg *ifm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifm));

	ifm->ifi_family = AF_UNSPEC;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, ifname); /* index 0: the kernel finds the device by name */
	mnl_attr_put_strz(nlh, IFLA_IFALIAS, alias);
	nslab_nlb_msg_end(b, nlh, what);
}

void nslab_nlb_dummy_add(struct nslab_nlb *b, const char *ifname, unsigned mtu, const char *what)
{
	struct nlmsghdr *nlh = nslab_nlb_msg_start(b, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, 0);
	struct ifinfomsg *ifm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifm));
	struct nlattr *info;

	ifm->ifi_family = AF_UNSPEC;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, ifname);
	if (mtu)
		mnl_attr_put_u32(nlh, IFLA_MTU, mtu);
	info = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "dummy");
	mnl_attr_nest_end(nlh, info);
	nslab_nlb_msg_end(b, nlh, what);
}

void nslab_nlb_link_del(struct nslab_nlb *b, int ifindex, const char *what)
{
	struct nlmsghdr *nlh = nslab_nlb_msg_start(b, RTM_DELLINK, 0, 0);
	struct ifinfomsg *ifm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifm));

	ifm->ifi_family = AF_UNSPEC;
	ifm->ifi_index = ifindex;
	nslab_nlb_msg_end(b, nlh, what);
}

static int alias_parse(const struct nlmsghdr *nlh, void *elem)
{
	const struct nlattr *a[IFLA_MAX + 1] = { 0 };
	struct nslab_nl_attrs t = { a, IFLA_MAX };
	struct nslab_nl_link_alias *l = elem;
	const struct ifinfomsg *ifm;

	if (nlh->nlmsg_type != RTM_NEWLINK)
		return 0;
	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*ifm))
		return -1;
	ifm = mnl_nlmsg_get_payload(nlh);
	if (mnl_attr_parse(nlh, sizeof(*ifm), nslab_nl_attrs_cb, &t) < 0)
		return -1;
	l->ifindex = ifm->ifi_index;
	if (a[IFLA_IFNAME])
		snprintf(l->ifname, sizeof(l->ifname), "%.*s", (int)strnlen(mnl_attr_get_str(a[IFLA_IFNAME]),
							       mnl_attr_get_payload_len(a[IFLA_IFNAME])),
			 mnl_attr_get_str(a[IFLA_IFNAME]));
	if (a[IFLA_IFALIAS])
		snprintf(l->alias, sizeof(l->alias), "%.*s", (int)strnlen(mnl_attr_get_str(a[IFLA_IFALIAS]),
							     mnl_attr_get_payload_len(a[IFLA_IFALIAS])),
			 mnl_attr_get_str(a[IFLA_IFALIAS]));
	return 1;
}

int nslab_nl_dump_aliases(struct nslab_nl *nl, struct nslab_nl_link_alias **out, size_t *n, struct nslab_err *err)
{
	return nslab_nl_dump_each(nl, RTM_GETLINK, sizeof(struct ifinfomsg), alias_parse, sizeof(**out),
				  (void **)out, n, "dumping links", err);
}
