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
	struct nslab_nl_link_alias *l = elem;
	const struct ifinfomsg *ifm;
	int ret;

	ret = nslab_nl_msg_parse(nlh, RTM_NEWLINK, sizeof(*ifm), a, IFLA_MAX);
	if (ret <= 0)
		return ret;
	ifm = mnl_nlmsg_get_payload(nlh);
	l->ifindex = ifm->ifi_index;
	nslab_nl_attr_str(a[IFLA_IFNAME], l->ifname, sizeof(l->ifname));
	nslab_nl_attr_str(a[IFLA_IFALIAS], l->alias, sizeof(l->alias));
	return 1;
}

int nslab_nl_dump_aliases(struct nslab_nl *nl, struct nslab_nl_link_alias **out, size_t *n, struct nslab_err *err)
{
	return nslab_nl_dump_each(nl, RTM_GETLINK, sizeof(struct ifinfomsg), alias_parse, sizeof(**out),
				  (void **)out, n, "dumping links", err);
}
