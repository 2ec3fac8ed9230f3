#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# bench/gen.sh: topology files of the benchmark labs.
#   gen.sh chain|star|tree N LAB > FILE
# chain: n1..nN routers in a row, a /30 on every link (as tests/integration make_chain).
# star:  one bridge node `sw` and N linux hosts h1..hN, one /16 (10.0.0.0/16 holds 10,000 hosts).
# tree:  a binary tree of N routers r1..rN (ri's parent is r(i/2)), a /30 on every link.
# Link i (2 <= i <= N for tree, 1 <= i < N for chain) uses 10.(i/250).(i%250).{1,2}/30; floor.c and
# iproute2.sh build exactly the same labs.
set -eu
[ $# -eq 3 ] || { echo "usage: $0 chain|star|tree N LAB" >&2; exit 2; }
exec awk -v topo="$1" -v n="$2" -v lab="$3" 'BEGIN {
	print "name: " lab
	print "topology:"
	print "  nodes:"
	if (topo == "chain") {
		for (i = 1; i <= n; i++) print "    n" i ": {kind: router}"
		print "  links:"
		for (i = 1; i < n; i++) {
			a = int(i / 250) "." (i % 250)
			print "    - type: veth"
			print "      endpoints:"
			print "        - {node: n" i ", interface: e1, ipv4: 10." a ".1/30}"
			print "        - {node: n" (i + 1) ", interface: e0, ipv4: 10." a ".2/30}"
		}
	} else if (topo == "star") {
		print "    sw: {kind: bridge}"
		for (i = 1; i <= n; i++) print "    h" i ": {kind: linux}"
		print "  links:"
		for (i = 1; i <= n; i++) {
			print "    - type: veth"
			print "      endpoints:"
			print "        - {node: h" i ", interface: eth0, ipv4: 10.0." int(i / 250) "." (i % 250 + 1) "/16}"
			print "        - {node: sw, interface: p" i "}"
		}
	} else if (topo == "tree") {
		for (i = 1; i <= n; i++) print "    r" i ": {kind: router}"
		print "  links:"
		for (i = 2; i <= n; i++) {
			a = int(i / 250) "." (i % 250)
			print "    - type: veth"
			print "      endpoints:"
			print "        - {node: r" int(i / 2) ", interface: c" (i % 2) ", ipv4: 10." a ".1/30}"
			print "        - {node: r" i ", interface: up, ipv4: 10." a ".2/30}"
		}
	} else {
		print "unknown topology " topo > "/dev/stderr"
		exit 2
	}
}'
