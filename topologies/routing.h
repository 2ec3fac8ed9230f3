/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * topologies/routing.h: routers' configuration as text, pure: which FRR daemons a configuration
 * needs (its /etc/frr/daemons), and the FRR configurations that `routing:` writes for a lab whose
 * addresses `addressing:` chose (topologies/addressing.h). No kernel, no files.
 */
#ifndef NSLAB_TOPOLOGIES_ROUTING_H
#define NSLAB_TOPOLOGIES_ROUTING_H

#include <stdbool.h>

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

#endif
