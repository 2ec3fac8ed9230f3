/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * topologies/routing.h: routers' configuration as text, pure: which FRR daemons a configuration
 * needs (its /etc/frr/daemons), and the FRR configurations that `routing:` writes for a lab whose
 * addresses `addressing:` chose (topologies/addressing.h). No kernel, no files.
 */
#ifndef NSLAB_TOPOLOGIES_ROUTING_H
#define NSLAB_TOPOLOGIES_ROUTING_H

#include <stdbool.h>

#include "topologies/addressing.h"
#include "topologies/model.h"

/*
 * The FRR daemons (other than zebra and staticd, which always run) that an frr.conf configures:
 * "router ospf" -> ospfd, "router bgp" -> bgpd, "router rip" -> ripd, "bfd" -> bfdd, ... as a
 * space-separated list in FRR's own order ("bgpd ospfd"; "" when none; malloc'd).
 */
char *nslab_frr_daemons_needed(const char *conf);
/* A whole /etc/frr/daemons for that configuration: the needed daemons yes, every other no,
 * vtysh on, each daemon bound to the loopback as Debian's file does (malloc'd). */
char *nslab_frr_daemons_file(const char *conf);

/*
 * `routing:` for a quick lab: every router (kinds router and frr) without a startup-config of
 * its own becomes kind frr with a configuration written from the lab's addresses:
 *   static: staticd routes to every subnet and loopback, along shortest paths (fewest hops, ties
 *           to the earlier segment and node);
 *   rip:    RIPv2 and RIPng on every link interface, connected routes redistributed;
 *   ospf:   OSPFv2 and OSPFv3 in area 0 on every interface, point-to-point on p2p links;
 *   bgp:    one AS per router (65001, 65002, ... in node order), eBGP with every router on each
 *           link, every connected subnet advertised with network statements.
 * Timers are short for a lab: OSPF hello 1 s / dead 4 s, BGP keepalive 1 s / hold 3 s, RIP
 * update 5 s / timeout 15 s / garbage 10 s. 0, or -EINVAL with *why (malloc'd).
 */
int nslab_routing_apply(struct nslab_topo *t, enum nslab_routing r, char **why);

#endif
