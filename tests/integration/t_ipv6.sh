# SPDX-License-Identifier: GPL-2.0-or-later
# tests/integration/t_ipv6.sh: IPv6 on the management network as containerlab does it: one family's
# subnet gives a one-family network; a host whose net.ipv6.conf.default/all.disable_ipv6 is 1 (tried
# in a network namespace this test makes with unshare: the machine's own sysctls are never changed)
# still gets the dual-stack default network. A kernel booted with ipv6.disable=1 is tests/vm/no_ipv6.sh.

test_ipv6_mgmt_one_family() {
	local lab=${LP}-m4 j k=$(( ($$ % 200) + 20 )) out
	TEST_LABS="$lab"
	ip -4 route show | grep -q "^10\.214\.$k\." && { skip "the host already routes 10.214.$k.0/24"; return; }
	cat > "$TMPD/m4.yml" <<YML
name: $lab
mgmt: {ipv4-subnet: 10.214.$k.0/24}
topology:
  nodes: {a: {kind: linux}}
YML
	ok "$NSLAB" deploy --quiet "$TMPD/m4.yml" || return
	j=$("$NSLAB" inspect $lab --json)
	# containerlab's default IPv6 subnet only comes with its IPv4 one (the file named neither)
	expect_eq "$(echo "$j" | jq -r '.host_interfaces[] | select(.role == "mgmt-bridge") | .addresses | join(" ")')" \
		"10.214.$k.1/24" "the bridge holds the IPv4 gateway only"
	out=$("$NSLAB" exec $lab a -- ip -6 -o addr show dev eth0 scope global)
	expect_eq "$out" "" "a's eth0 has no global IPv6 address"
	expect_eq "$("$NSLAB" exec $lab a -- ip -6 route show default)" "" "a has no IPv6 default route"
	ok "$NSLAB" exec $lab a -- ping -c 1 -W 2 10.214.$k.1
	ok "$NSLAB" destroy $lab
}

# Run in a network namespace of our own whose IPv6 defaults are off, as on a host whose sysctl.conf
# says net.ipv6.conf.all/default.disable_ipv6 = 1: new interfaces there (the management bridge)
# get no IPv6 unless nslab turns it on for its own bridge, as Docker does.
test_ipv6_host_sysctl_disabled() {
	local lab=${LP}-s6 out
	TEST_LABS="$lab"
	command -v unshare >/dev/null || { skip "no unshare (util-linux)"; return; }
	cat > "$TMPD/s6.yml" <<YML
name: $lab
topology:
  nodes:
    a: {kind: linux}
    b: {kind: linux}
    c: {kind: linux, sysctls: {net.ipv6.conf.all.disable_ipv6: 1}}
  links:
    - endpoints: [{node: a, interface: eth1, ipv6: "fd00:6::1/64"}, {node: b, interface: eth1, ipv6: "fd00:6::2/64"}]
YML
	out=$(NSLAB="$NSLAB" LAB=$lab FILE="$TMPD/s6.yml" unshare -n sh -ec '
		ip link set lo up
		echo 1 > /proc/sys/net/ipv6/conf/all/disable_ipv6
		echo 1 > /proc/sys/net/ipv6/conf/default/disable_ipv6
		"$NSLAB" deploy --quiet --mgmt "$FILE"
		br=$(ip -o link show type bridge | awk -F": " "{ print \$2 }" | sed "s/@.*//")
		echo "bridge-disable_ipv6=$(cat /proc/sys/net/ipv6/conf/$br/disable_ipv6)"
		ip -6 -o addr show dev $br scope global | grep -q "3fff:172:20:20::1/64" && echo gw6-ok
		ping -6 -c 1 -W 3 3fff:172:20:20::2 >/dev/null && echo host-to-a-v6-ok
		ping -4 -c 1 -W 3 172.20.20.3 >/dev/null && echo host-to-b-v4-ok
		"$NSLAB" exec $LAB a -- ping -c 1 -W 3 fd00:6::2 >/dev/null && echo link-v6-ok
		# c turns IPv6 off itself: its eth0 gets the IPv4 address only, as Docker does it
		"$NSLAB" exec $LAB c -- ip -o addr show dev eth0 scope global | awk "{ printf \"c-eth0 %s \", \$4 }"
		echo
		"$NSLAB" destroy $LAB >/dev/null && echo destroyed
		echo "left: $(ip -o link | grep -vc " lo:")"
	' 2>&1)
	for want in bridge-disable_ipv6=0 gw6-ok host-to-a-v6-ok host-to-b-v4-ok link-v6-ok "c-eth0 172.20.20.4/24 $" \
		destroyed "left: 0"; do
		expect_match "$out" "$want" "$want (in a namespace with disable_ipv6 1)"
	done
}
