# SPDX-License-Identifier: GPL-2.0-or-later
# tests/integration/t_labs.sh: the example labs deploy, carry real traffic, and destroy cleanly.

test_triangle_routes_traffic() {
	local lab=${LP}-tri out
	TEST_LABS="$lab"
	ok "$NSLAB" deploy --quiet --name $lab "$EXAMPLES/triangle.clab.yml" || return
	# hosts reach each other across the routers, by name (generated /etc/hosts)
	ok "$NSLAB" exec $lab h1 -- ping -c 2 -i 0.2 -W 2 h3
	ok "$NSLAB" exec $lab h2 -- ping -c 2 -i 0.2 -W 2 192.168.3.10
	ok "$NSLAB" exec $lab h3 -- ping -c 2 -i 0.2 -W 2 h1
	# routers forward (kind router), and so do linux nodes (as on a Docker host)
	expect_eq "$("$NSLAB" exec $lab r1 -- cat /proc/sys/net/ipv4/ip_forward)" 1 "r1 ip_forward"
	expect_eq "$("$NSLAB" exec $lab r1 -- cat /proc/sys/net/ipv6/conf/all/forwarding)" 1 "r1 ipv6 forwarding"
	expect_eq "$("$NSLAB" exec $lab r1 -- cat /proc/sys/net/ipv4/conf/eth1/forwarding)" 1 "r1 eth1 forwarding (all reaches the veths)"
	expect_eq "$("$NSLAB" exec $lab h1 -- cat /proc/sys/net/ipv4/ip_forward)" 1 "h1 ip_forward"
	expect_eq "$("$NSLAB" exec $lab r1 -- cat /proc/sys/net/ipv4/conf/all/rp_filter)" 0 "kind sysctl"
	# the loopback address and the route table are as declared
	out=$("$NSLAB" exec $lab r2 -- ip -4 -o addr show dev lo)
	expect_match "$out" "10.255.0.2/32" "r2 lo address"
	out=$("$NSLAB" exec $lab h1 -- ip route show default)
	expect_match "$out" "default via 192.168.1.1 dev eth1" "h1 default route"
	# inspect --json tells pids, interfaces, macs, addresses and peers
	out=$("$NSLAB" inspect $lab --json)
	expect_eq "$(echo "$out" | jq '.nodes | length')" 6 "node count"
	expect_eq "$(echo "$out" | jq -r '.nodes[] | select(.name=="r1") | .interfaces[] | select(.name=="eth1") | .peer')" "r2:eth1" "peer of r1:eth1"
	expect_eq "$(echo "$out" | jq -r '.nodes[] | select(.name=="r1") | .interfaces[] | select(.name=="eth1") | .state')" "up" "r1:eth1 state"
	expect_eq "$(echo "$out" | jq -r '.nodes[] | select(.name=="r1") | .interfaces[] | select(.name=="eth1") | .mtu')" "9500" "default mtu"
	expect_eq "$(echo "$out" | jq -r '[.nodes[] | select(.state=="running")] | length')" 6 "running nodes"
	# the node's namespace is visible to standard tools under its documented name
	out=$(ip netns exec nslab-$lab.r1 ip -o link show eth2)
	expect_match "$out" "eth2@" "ip netns exec on nslab-$lab.r1"
	# nothing of the lab is visible in the root namespace
	nok ip link show eth1
}

test_lan_bridge_v4_v6_iperf() {
	local lab=${LP}-lan out
	TEST_LABS="$lab"
	ok "$NSLAB" deploy --quiet --name $lab "$EXAMPLES/lan.clab.yml" || return
	for dst in pc2 pc3 pc4 2001:db8:10::2 2001:db8:10::4; do
		ok "$NSLAB" exec $lab pc1 -- ping -c 1 -W 2 $dst
	done
	out=$("$NSLAB" exec $lab pc4 -- ip -o link show eth1)
	expect_match "$out" "mtu 1500" "pc4 mtu from the link"
	expect_match "$out" "02:00:00:00:10:04" "pc4 mac"
	# the bridge exists only inside the lab, with its four ports and STP off
	out=$("$NSLAB" exec $lab sw1 -- ip -o link show master sw1)
	expect_eq "$(echo "$out" | grep -c 'master sw1')" 4 "bridge ports"
	expect_eq "$("$NSLAB" exec $lab sw1 -- cat /sys/class/net/sw1/bridge/stp_state)" 0 "stp off"
	# one real iperf3 run between two hosts through the bridge
	if ! command -v iperf3 >/dev/null; then
		skip "iperf3 is not installed"
		return
	fi
	ok "$NSLAB" exec $lab pc2 -- iperf3 -s -1 -D -p 5201
	sleep 0.3
	out=$("$NSLAB" exec $lab pc1 -- iperf3 -c 10.10.0.2 -p 5201 -t 1 -J)
	local bps
	bps=$(echo "$out" | jq '.end.sum_received.bits_per_second')
	[ "$(echo "$bps > 100000000" | bc)" = 1 ] || fail "iperf3 over the bridge: $bps bit/s"
}

test_containerlab_style_file() {
	local lab=${LP}-compat out
	TEST_LABS="$lab"
	out=$("$NSLAB" deploy --name $lab "$EXAMPLES/clab-compat.clab.yml" 2>&1) || { fail "deploy: $out"; return; }
	# alpine is a toolbox image (core/profile.c): nothing to start, nothing to warn about
	echo "$out" | grep -q "warning: .*image" && fail "warning for a toolbox image: $out"
	expect_match "$out" "spine1 is a spine in lab compat" "exec output with group env and defaults env"
	expect_eq "$("$NSLAB" exec $lab leaf1 -- sh -c 'echo $ROLE')" "host" "kind env for leaf1"
	expect_eq "$("$NSLAB" exec $lab spine1 -- cat /proc/sys/net/ipv4/ip_forward)" 1 "group kind router"
	ok "$NSLAB" exec $lab leaf1 -- ping -c 1 -W 2 10.1.2.2
	# bind, read-only
	expect_eq "$("$NSLAB" exec $lab leaf2 -- cat /etc/issue)" "$(cat /etc/os-release)" "bind mount content"
	nok "$NSLAB" exec $lab leaf2 -- sh -c 'echo x >> /etc/issue'
	expect_eq "$("$NSLAB" inspect $lab --json | jq -r '.nodes[] | select(.name=="leaf1") | .labels.rack')" r1 "labels"
}

test_two_bridges_trunk() {
	local lab=${LP}-trunk
	TEST_LABS="$lab"
	cat > "$TMPD/trunk.yml" <<YML
name: ${LP}-trunk
topology:
  nodes:
    s1: {kind: bridge}
    s2: {kind: bridge}
    a: {kind: linux, interfaces: {eth1: {ipv4: 10.20.0.1/24}}}
    b: {kind: linux, interfaces: {eth1: {ipv4: 10.20.0.2/24}}}
  links:
    - endpoints: ["s1:trunk", "s2:trunk"]
    - endpoints: ["a:eth1", "s1:p1"]
    - endpoints: ["b:eth1", "s2:p1"]
YML
	ok "$NSLAB" deploy --quiet "$TMPD/trunk.yml" || return
	expect_match "$("$NSLAB" exec $lab s2 -- ip -o link show trunk)" "master s2" "second bridge's trunk port enslaved"
	ok "$NSLAB" exec $lab a -- ping -c 1 -W 2 10.20.0.2
}
