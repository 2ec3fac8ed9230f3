# SPDX-License-Identifier: GPL-2.0-or-later
# tests/integration/t_linkadd.sh: `nslab link LAB add` with addresses and --json, remove --json,
# and the scenario steps `link add` / `link remove`, on real labs, measured by pings across the
# new link.

linkadd_topo() {
	cat > "$TMPD/laddr.yml" <<YML
name: laddr
topology:
  nodes:
    a: {kind: linux, interfaces: {eth1: {ipv4: 10.8.0.1/24}}}
    b: {kind: linux, interfaces: {eth1: {ipv4: 10.8.0.2/24}}}
    sw: {kind: bridge}
  links:
    - endpoints: ["a:eth1", "b:eth1"]
YML
}

# add with IPv4 and IPv6 addresses on both ends: pings cross the new link at once (and only it:
# the old link has other subnets), --json says what was made, the state and inspect hold the
# addresses, /etc/hosts names them; remove --json says what went, the names go with it.
test_link_add_addrs() {
	local lab=${LP}-laddr out j
	TEST_LABS="$lab"
	linkadd_topo
	ok "$NSLAB" deploy --quiet --name $lab "$TMPD/laddr.yml" || return
	j=$("$NSLAB" link $lab add a:eth2 b:eth2 --addr a:eth2=10.7.0.1/24,fd07::1/64 \
		--addr b:eth2=10.7.0.2/24 --addr b:eth2=fd07::2/64 --mtu 1400 --json 2>&1) || { fail "link add: $j"; return; }
	expect_eq "$(echo "$j" | jq -r '.link')" "a:eth2 -- b:eth2" "json: link"
	expect_eq "$(echo "$j" | jq -r '.mtu')" 1400 "json: mtu"
	expect_eq "$(echo "$j" | jq -r '[.ends[].end] | join(",")')" "a:eth2,b:eth2" "json: ends"
	expect_eq "$(echo "$j" | jq -r '.ends[0].addresses | join(",")')" "10.7.0.1/24,fd07::1/64" "json: a's addresses"
	expect_eq "$(echo "$j" | jq -r '.ends[1].addresses | join(",")')" "10.7.0.2/24,fd07::2/64" "json: b's addresses"
	expect_eq "$(echo "$j" | jq -r '[.ends[].master] | map(tostring) | join(",")')" "null,null" "json: no bridge"
	# the ifindexes JSON gives are the kernel's, and differ between the ends
	expect_eq "$("$NSLAB" exec $lab a -- cat /sys/class/net/eth2/ifindex)" "$(echo "$j" | jq -r '.ends[0].ifindex')" "json: a's ifindex"
	expect_eq "$("$NSLAB" exec $lab b -- cat /sys/class/net/eth2/ifindex)" "$(echo "$j" | jq -r '.ends[1].ifindex')" "json: b's ifindex"
	[ "$(echo "$j" | jq -r '.ends[0].ifindex')" != "$(echo "$j" | jq -r '.ends[1].ifindex')" ] || fail "the two ends share an ifindex"
	expect_eq "$("$NSLAB" exec $lab b -- cat /sys/class/net/eth2/mtu)" 1400 "MTU of the new end"
	# measured: replies across the new link, IPv4 and IPv6, out of eth2
	ok "$NSLAB" exec $lab a -- ping -c 2 -W 2 -I eth2 10.7.0.2
	ok "$NSLAB" exec $lab b -- ping -c 2 -W 2 -I eth2 10.7.0.1
	ok "$NSLAB" exec $lab a -- ping -6 -c 2 -W 2 fd07::2
	out=$("$NSLAB" exec $lab a -- ip -4 route get 10.7.0.2)
	expect_match "$out" "dev eth2" "the route to b's new address is the new link"
	# the state and inspect
	expect_eq "$("$NSLAB" inspect $lab --json | jq -r '.nodes[] | select(.name=="b") | .interfaces[] | select(.name=="eth2") | .addresses | join(",")')" \
		"10.7.0.2/24,fd07::2/64" "inspect: b's new addresses"
	expect_match "$("$NSLAB" inspect $lab)" "a:eth2 .*10.7.0.1/24" "inspect table: a's new address"
	expect_eq "$(jq -r '.nodes[] | select(.name=="a") | .interfaces[] | select(.name=="eth2") | .addresses | join(",")' "${NSLAB_RUNDIR:-/run/nslab}/$lab/state.json")" \
		"10.7.0.1/24,fd07::1/64" "state.json: a's addresses"
	# /etc/hosts names the new addresses in every node (b by both its addresses, v4 first)
	out=$("$NSLAB" exec $lab sw -- cat /etc/hosts)
	expect_match "$out" "10.7.0.2	b" "hosts: b's new IPv4 address"
	expect_match "$out" "fd07::1	a" "hosts: a's new IPv6 address"
	ok "$NSLAB" exec $lab a -- ping -6 -c 1 -W 2 b
	# plain output names the addresses
	out=$("$NSLAB" link $lab add a:eth3 sw:p1 2>&1) || fail "add to the bridge: $out"
	expect_eq "$out" "added link a:eth3 -- sw:p1" "plain output without addresses"
	expect_eq "$("$NSLAB" link $lab remove sw:p1 --json | jq -c '[.ends[].master]')" '["sw",null]' "remove --json: bridge port, the named end first"
	out=$("$NSLAB" link $lab add a:eth4 b:eth4 --addr b:eth4=10.4.0.2/24 2>&1)
	expect_eq "$out" "added link a:eth4 -- b:eth4
  b:eth4 10.4.0.2/24" "plain output with addresses"
	# remove --json: what went, as add said it; the kernel and /etc/hosts follow
	j=$("$NSLAB" link $lab remove b:eth2 --json 2>&1) || fail "remove: $j"
	expect_eq "$(echo "$j" | jq -r '.link')" "b:eth2 -- a:eth2" "remove json: link"
	expect_eq "$(echo "$j" | jq -r '.ends[1].addresses | join(",")')" "10.7.0.1/24,fd07::1/64" "remove json: addresses"
	expect_eq "$(echo "$j" | jq -r '.mtu')" 1400 "remove json: mtu"
	nok "$NSLAB" exec $lab a -- ip link show eth2
	out=$("$NSLAB" exec $lab a -- cat /etc/hosts)
	case $out in *10.7.0.*|*fd07::*) fail "hosts still names the removed addresses: $out" ;; esac
	expect_match "$out" "10.4.0.2	b" "hosts: the other added link's address stays"
	# the link is gone even when /etc/hosts cannot follow (here its file is made to fail every
	# write, as on a full disk): remove succeeds, with a warning saying so
	local hosts=${NSLAB_RUNDIR:-/run/nslab}/$lab/hosts
	mv "$hosts" "$hosts.it" || { fail "could not move $hosts"; return; }
	ln -s /dev/full "$hosts" || { mv "$hosts.it" "$hosts"; fail "could not swap $hosts"; return; }
	j=$("$NSLAB" link $lab remove b:eth4 --json 2>"$TMPD/remove.err")
	local rc=$?
	rm -f "$hosts" && mv "$hosts.it" "$hosts"
	expect_eq "$rc" 0 "remove succeeds when /etc/hosts cannot follow"
	expect_match "$(cat "$TMPD/remove.err")" "nslab: warning: updating the lab's /etc/hosts: .*No space left on device" "the warning"
	expect_match "$(echo "$j" | jq -r '.warnings[0]')" "/etc/hosts" "remove json: the warning"
	nok "$NSLAB" exec $lab b -- ip link show eth4
	expect_eq "$("$NSLAB" inspect $lab --json | jq '[.nodes[].interfaces[] | select(.name=="eth4")] | length')" 0 "state: eth4 gone"
}

# Bad addresses change nothing: no veth in either node, no state, same hosts; a kernel refusal
# after the veth is made (IPv6 off in b) takes the veth back.
test_link_add_bad_addr() {
	local lab=${LP}-laddb out before hosts nd
	TEST_LABS="$lab"
	linkadd_topo
	ok "$NSLAB" deploy --quiet --name $lab "$TMPD/laddr.yml" || return
	before=$("$NSLAB" inspect $lab --json | jq -c '[.nodes[].interfaces[].name], .links')
	hosts=$("$NSLAB" exec $lab a -- cat /etc/hosts)
	out=$("$NSLAB" link $lab add a:eth2 b:eth2 --addr a:eth2=10.7.0.1/24 --addr b:eth2=10.7.0.300/24 2>&1)
	expect_eq "$?" 2 "bad address: usage error"
	expect_match "$out" "'10.7.0.300/24' is not an IPv4 or IPv6 address" "bad address named"
	out=$("$NSLAB" link $lab add a:eth2 b:eth2 --addr b:eth2=10.7.0.2 2>&1)
	expect_eq "$?" 2 "address without prefix length"
	expect_match "$out" "'10.7.0.2' needs its prefix length .10.7.0.2/24." "missing prefix length named"
	out=$("$NSLAB" link $lab add a:eth2 b:eth2 --addr c:eth2=10.7.0.2/24 2>&1)
	expect_eq "$?" 2 "address for another end"
	out=$("$NSLAB" link $lab add a:eth2 sw:p1 --addr sw:p1=10.7.0.2/24 2>&1)
	expect_eq "$?" 1 "address on a bridge port"
	expect_match "$out" "sw:p1 is a port of bridge node sw: a port takes no address" "bridge port message"
	out=$("$NSLAB" link $lab add a:eth2 b:eth2 --addr a:eth2=fd07::1/64 --mtu 1000 2>&1)
	expect_eq "$?" 1 "IPv6 under MTU 1280"
	expect_match "$out" "IPv6 needs an MTU of 1280 or more" "IPv6 MTU message"
	# the kernel refuses b's address after the veth exists: it is taken back
	ok "$NSLAB" exec $lab b -- sysctl -qw net.ipv6.conf.default.disable_ipv6=1
	out=$("$NSLAB" link $lab add a:eth2 b:eth2 --addr a:eth2=10.7.0.1/24 --addr b:eth2=fd07::2/64 2>&1)
	expect_eq "$?" 1 "kernel refusal"
	expect_match "$out" "adding fd07::2/64 to b:eth2: .*IPv6 is disabled" "the kernel's reason, naming the address"
	for nd in a b sw; do
		nok "$NSLAB" exec $lab $nd -- ip link show eth2
		nok "$NSLAB" exec $lab $nd -- ip link show p1
	done
	expect_eq "$("$NSLAB" inspect $lab --json | jq -c '[.nodes[].interfaces[].name], .links')" "$before" "state unchanged"
	expect_eq "$("$NSLAB" exec $lab a -- cat /etc/hosts)" "$hosts" "hosts unchanged"
	ok "$NSLAB" exec $lab b -- sysctl -qw net.ipv6.conf.default.disable_ipv6=0
	# the same names work afterwards
	ok "$NSLAB" link $lab add a:eth2 b:eth2 --addr a:eth2=10.7.0.1/24 --addr b:eth2=10.7.0.2/24
	ok "$NSLAB" exec $lab a -- ping -c 1 -W 2 10.7.0.2
}

# Scenario steps `link add` (with addresses) and `link remove`: the preflight follows the links
# the steps make and take (an added link can be taken down later; a removed one cannot be used),
# and the run is measured by pings across the new link.
test_scenario_link_add() {
	local lab=${LP}-lscn out
	TEST_LABS="$lab"
	linkadd_topo
	ok "$NSLAB" deploy --quiet --name $lab "$TMPD/laddr.yml" || return
	cat > "$TMPD/add.scenario" <<'SCN'
expect a exec ping -c 1 -W 1 10.7.0.2 fails
link add a:eth2 b:eth2 addr a:eth2=10.7.0.1/24,fd07::1/64 --addr b:eth2=10.7.0.2/24,fd07::2/64 mtu 1400
expect a reaches 10.7.0.2 within 3s
expect b exec ping -6 -c 1 -W 1 fd07::1 succeeds within 3s
expect a exec ip -4 route get 10.7.0.2 | grep -q 'dev eth2' succeeds
expect loss between a and 10.7.0.2 below 1% count 20
link a:eth2 down
expect a exec ping -c 1 -W 1 10.7.0.2 fails
link b:eth2 a:eth2 up
expect a reaches 10.7.0.2 within 5s
link remove b:eth2 a:eth2
expect a exec ping -c 1 -W 1 10.7.0.2 fails
expect a exec ip link show eth2 fails
SCN
	out=$("$NSLAB" scenario $lab "$TMPD/add.scenario" 2>&1)
	expect_eq "$?" 0 "scenario with link add/remove: $out"
	expect_match "$out" "# passed: all 9 checks passed" "every check passed"
	expect_match "$out" "#   [0-9.]*s link add a:eth2 b:eth2 addr" "the add step reported"
	expect_match "$out" "#   [0-9.]*s link remove b:eth2 a:eth2" "the remove step reported"
	nok "$NSLAB" exec $lab b -- ip link show eth2
	expect_eq "$("$NSLAB" inspect $lab --json | jq -r '.links | length')" 1 "state: the added link is gone"
	# preflight: names the line and column, runs nothing, changes nothing
	printf 'link add a:eth3 b:eth3\nlink remove a:eth3\nlink a:eth3 down\nlink add a:eth1 b:eth9 addr a:eth1=10.9.0.1/24\nlink add a:eth4 sw:p1 addr sw:p1=10.9.0.2/24\nlink add a:eth5 zz:eth1\nlink remove b:eth7\n' > "$TMPD/bad.scenario"
	out=$("$NSLAB" scenario $lab "$TMPD/bad.scenario" 2>&1)
	expect_eq "$?" 2 "preflight errors: exit 2"
	expect_match "$out" "bad.scenario:3:1: error: node a of lab $lab has no interface eth3 .after the steps before this one." "a removed link cannot be used"
	expect_match "$out" "bad.scenario:4:1: error: node a of lab $lab already has an interface eth1" "a taken interface"
	expect_match "$out" "bad.scenario:5:1: error: sw:p1 is a port of bridge node sw: a port takes no address" "an address on a bridge port"
	expect_match "$out" "bad.scenario:6:1: error: lab $lab has no node zz" "an unknown node"
	expect_match "$out" "bad.scenario:7:1: error: node b of lab $lab has no interface eth7" "remove of an unknown interface"
	nok "$NSLAB" exec $lab a -- ip link show eth3
	expect_eq "$("$NSLAB" inspect $lab --json | jq -r '.links | length')" 1 "state unchanged by a refused scenario"
}

# A linux node that holds a bridge of its own (containerlab's BR|NODE): a link added to that node
# is an ordinary interface, not a port of its bridge (only a node of kind bridge enslaves).
test_link_add_node_with_bridge() {
	local lab=${LP}-lnsb br=lb$$ out
	TEST_LABS="$lab"
	cat > "$TMPD/lnsb.yml" <<YML
name: $lab
topology:
  nodes:
    "$br|bp1": {kind: bridge, network-mode: container:bp1}
    bp1: {kind: linux}
    c1: {kind: linux}
  links:
    - endpoints: ["c1:eth1", "$br|bp1:c1eth1"]
YML
	ok "$NSLAB" deploy --quiet "$TMPD/lnsb.yml" || return
	out=$("$NSLAB" link $lab add bp1:eth9 c1:eth9 --addr bp1:eth9=10.59.0.1/24 --addr c1:eth9=10.59.0.2/24 --json 2>&1) ||
		{ fail "link add: $out"; return; }
	expect_eq "$(echo "$out" | jq -c '[.ends[].master]')" "[null,null]" "json: no master"
	out=$("$NSLAB" exec $lab bp1 -- ip -o link show eth9)
	case $out in *" master "*) fail "bp1:eth9 was enslaved: $out" ;; esac
	expect_match "$("$NSLAB" exec $lab bp1 -- ip -o link show master $br)" "c1eth1@" "the declared port stays on $br"
	ok "$NSLAB" exec $lab c1 -- ping -c 1 -W 2 10.59.0.1
	# the file's name for a port, BR|NODE:IF: an end added so is enslaved to BR in NODE (measured:
	# c1 reaches the address on $br through the new port only), the other actions take it too
	ok "$NSLAB" exec $lab bp1 -- ip address add 10.58.0.1/24 dev $br
	out=$("$NSLAB" link $lab add "$br|bp1:c1eth8" c1:eth8 --addr c1:eth8=10.58.0.2/24 --json 2>&1) ||
		{ fail "link add $br|bp1:c1eth8: $out"; return; }
	expect_eq "$(echo "$out" | jq -c '[.ends[].end, .ends[0].master, .ends[1].master]')" \
		"[\"bp1:c1eth8\",\"c1:eth8\",\"$br\",null]" "json: the new port and its bridge"
	expect_match "$("$NSLAB" exec $lab bp1 -- ip -o link show master $br)" "c1eth8@" "the new port is on $br"
	ok "$NSLAB" exec $lab c1 -- ping -c 1 -W 2 10.58.0.1
	ok "$NSLAB" link $lab "$br|bp1:c1eth8" down
	nok "$NSLAB" exec $lab c1 -- ping -c 1 -W 1 10.58.0.1
	ok "$NSLAB" link $lab "$br|bp1:c1eth8" c1:eth8 up
	ok "$NSLAB" exec $lab c1 -- ping -c 1 -W 2 10.58.0.1
	out=$("$NSLAB" link $lab add "nobr|bp1:c1eth7" c1:eth7 2>&1) && fail "a port of an unknown bridge was added"
	expect_match "$out" "node bp1 of lab $lab has no bridge nobr" "unknown bridge"
	out=$("$NSLAB" link $lab add "$br|bp1:c1eth7" c1:eth7 --addr "$br|bp1:c1eth7=10.57.0.1/24" 2>&1) &&
		fail "an address on a new bridge port was taken"
	expect_match "$out" "bp1:c1eth7 is a port of bridge $br inside node bp1: a port takes no address" "address on a port"
	nok "$NSLAB" exec $lab bp1 -- ip link show c1eth7
	# remove --json names each port's bridge (state.json records it): the added one and the file's
	out=$("$NSLAB" link $lab remove "$br|bp1:c1eth8" --json 2>&1) || { fail "link remove $br|bp1:c1eth8: $out"; return; }
	expect_eq "$(echo "$out" | jq -c '[.ends[].end, .ends[0].master, .ends[1].master]')" \
		"[\"bp1:c1eth8\",\"c1:eth8\",\"$br\",null]" "remove --json: the added port's bridge"
	nok "$NSLAB" exec $lab c1 -- ip link show eth8
	out=$("$NSLAB" link $lab remove "$br|bp1:c1eth1" --json 2>&1) || { fail "link remove $br|bp1:c1eth1: $out"; return; }
	expect_eq "$(echo "$out" | jq -c '[.ends[0].master, .ends[1].master]')" "[\"$br\",null]" \
		"remove --json: the file's port's bridge"
	nok "$NSLAB" exec $lab bp1 -- ip link show c1eth1
}
