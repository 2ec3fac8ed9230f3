# SPDX-License-Identifier: GPL-2.0-or-later
# tests/integration/t_services.sh: what runs in a node besides exec (image profiles, services),
# forwarding in linux nodes, names of exec-set addresses, links up when deploy returns.

# A linux node in the middle routes between two hosts, IPv4 and IPv6, as on a Docker host; a
# node's own sysctls win.
test_linux_node_forwards() {
	local lab=${LP}-fwd f=$TMPD/fwd.clab.yml
	TEST_LABS="$lab"
	cat > "$f" <<'YML'
name: fwd
topology:
  nodes:
    a:
      kind: linux
      interfaces: {eth1: {ipv4: 10.0.1.2/24, ipv6: "2001:db8:1::2/64"}}
      routes: [{dst: 10.0.2.0/24, via: 10.0.1.1}, {dst: "2001:db8:2::/64", via: "2001:db8:1::1"}]
    m:
      kind: linux
      interfaces:
        eth1: {ipv4: 10.0.1.1/24, ipv6: "2001:db8:1::1/64"}
        eth2: {ipv4: 10.0.2.1/24, ipv6: "2001:db8:2::1/64"}
    b:
      kind: linux
      interfaces: {eth1: {ipv4: 10.0.2.2/24, ipv6: "2001:db8:2::2/64"}}
      routes: [{dst: 10.0.1.0/24, via: 10.0.2.1}, {dst: "2001:db8:1::/64", via: "2001:db8:2::1"}]
    off: {kind: linux, sysctls: {net.ipv4.ip_forward: 0, net.ipv6.conf.all.forwarding: 0}}
  links:
    - endpoints: ["a:eth1", "m:eth1"]
    - endpoints: ["m:eth2", "b:eth1"]
    - endpoints: ["off:eth1", "m:eth3"]
YML
	ok "$NSLAB" deploy --quiet --name $lab "$f" || return
	ok "$NSLAB" exec $lab a -- ping -c 1 -W 2 10.0.2.2
	# the first IPv6 packets wait for the link-local addresses' DAD (about 2 s): a reply to any
	ok "$NSLAB" exec $lab a -- ping -6 -c 4 -i 0.5 -W 5 2001:db8:2::2
	expect_eq "$("$NSLAB" exec $lab m -- cat /proc/sys/net/ipv6/conf/eth2/forwarding)" 1 "m eth2 ipv6 forwarding"
	expect_eq "$("$NSLAB" exec $lab off -- cat /proc/sys/net/ipv4/ip_forward)" 0 "sysctls override ip_forward"
	expect_eq "$("$NSLAB" exec $lab off -- cat /proc/sys/net/ipv6/conf/all/forwarding)" 0 "sysctls override ipv6 forwarding"
}

# Names resolve to what nodes really hold, including addresses that exec commands set (the usual
# way in containerlab files), in every node; the hosts file is one inode, rewritten in place.
test_names_of_exec_addresses() {
	local lab=${LP}-names f=$TMPD/names.clab.yml out
	TEST_LABS="$lab"
	cat > "$f" <<'YML'
name: names
topology:
  nodes:
    pc1:
      kind: linux
      exec: ["ip addr add 10.9.0.1/24 dev eth1", "ip addr add 2001:db8:9::1/64 dev eth1 nodad"]
    pc2:
      kind: linux
      exec: ["ip addr add 10.9.0.2/24 dev eth1", "ip addr add 2001:db8:9::2/64 dev eth1 nodad"]
    r: {kind: linux, interfaces: {lo: {ipv4: 10.255.0.9/32}}}
  links:
    - endpoints: ["pc1:eth1", "pc2:eth1"]
YML
	ok "$NSLAB" deploy --quiet --name $lab "$f" || return
	ok "$NSLAB" exec $lab pc2 -- ping -c 1 -W 2 pc1
	ok "$NSLAB" exec $lab pc1 -- ping -c 1 -W 2 pc2
	ok "$NSLAB" exec $lab pc2 -- ping -6 -c 4 -i 0.5 -W 5 pc1
	out=$("$NSLAB" exec $lab r -- getent ahostsv4 pc2 | head -n 1)
	expect_match "$out" "^10\.9\.0\.2 +STREAM pc2" "pc2 named in a third node"
	out=$("$NSLAB" exec $lab r -- getent ahostsv4 r | head -n 1)
	expect_match "$out" "^10\.255\.0\.9 +STREAM r" "file address still named"
	out=$("$NSLAB" exec $lab pc1 -- cat /etc/hosts)
	expect_eq "$(echo "$out" | grep -c fe80)" 0 "no link-local address named"
}

# Every link end is oper-up when deploy returns (the kernel's link watch defers some carrier
# changes by up to a second): checked at once, on a chain of 60 nodes, three times.
test_links_up_when_deploy_returns() {
	local lab=${LP}-up f=$TMPD/up.clab.yml i down
	TEST_LABS="$lab"
	"$(dirname "$EXAMPLES")/bench/gen.sh" chain 60 up > "$f"
	for i in 1 2 3; do
		ok "$NSLAB" deploy --quiet --name $lab "$f" || return
		down=$(for n in $(seq 60); do ip -n nslab-$lab.n$n -o link show up 2>/dev/null | grep -c NO-CARRIER; done | awk '{s += $1} END {print s}')
		expect_eq "$down" 0 "ends without carrier right after deploy (round $i)"
		down=$(for n in $(seq 60); do ip -n nslab-$lab.n$n -o link show 2>/dev/null | grep -c "state UP"; done | awk '{s += $1} END {print s}')
		expect_eq "$down" 118 "ends in state UP right after deploy (round $i)"
		ok "$NSLAB" destroy $lab
	done
}
