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
	ok "$NSLAB" exec $lab a -- ping -6 -c 1 -W 2 2001:db8:2::2
	expect_eq "$("$NSLAB" exec $lab m -- cat /proc/sys/net/ipv6/conf/eth2/forwarding)" 1 "m eth2 ipv6 forwarding"
	expect_eq "$("$NSLAB" exec $lab off -- cat /proc/sys/net/ipv4/ip_forward)" 0 "sysctls override ip_forward"
	expect_eq "$("$NSLAB" exec $lab off -- cat /proc/sys/net/ipv6/conf/all/forwarding)" 0 "sysctls override ipv6 forwarding"
}
