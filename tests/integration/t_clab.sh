# SPDX-License-Identifier: GPL-2.0-or-later
# tests/integration/t_clab.sh: containerlab files as containerlab reads them (issue 14): groups as
# labels, variables, vendor kinds; the management network and host links (core/mgmt.c): the host
# reaches the nodes, names include management addresses, clashes refused, nothing left after destroy
# or kill -9. Subnets are private ones derived from this run's pid, unlikely to clash.

# a /24 of 10.213.0.0/16 and a /64 of fd00:213::/32 for this run (pid-derived), or skip when taken
clab_subnets() {
	local k=$(( ($$ % 200) + 20 ))
	MG4=10.213.$k
	MG6=fd00:213:$k
	if ip -4 route show | grep -q "^10\.213\.$k\." || ip -6 route show | grep -q "^fd00:213:$k:"; then
		return 1
	fi
	return 0
}

mgmt_lab() { # NAME FILE TAG (host end names: TAG-ha, TAG-mb)
	cat > "$2" <<YML
name: $1
mgmt:
  network: test
  ipv4-subnet: $MG4.0/24
  ipv6-subnet: "$MG6::/64"
topology:
  defaults: {kind: linux}
  nodes:
    a: {mgmt-ipv4: $MG4.50}
    b: {exec: ["ip addr add 10.9.0.2/24 dev eth1"]}
    sw: {kind: bridge}
  links:
    - endpoints: [a:eth1, b:eth1]
    - endpoints: [a:eth2, "host:$3-ha"]
    - endpoints: [b:eth2, "mgmt-net:$3-mb"]
YML
}

test_clab_mgmt_network() {
	local lab=${LP}-mg out j br
	TEST_LABS="$lab"
	clab_subnets || { skip "the host already routes the test subnet"; return; }
	mgmt_lab $lab "$TMPD/mg.yml" t$$g
	ok "$NSLAB" deploy --quiet "$TMPD/mg.yml" || return
	j=$("$NSLAB" inspect $lab --json)
	br=$(echo "$j" | jq -r '.host_interfaces[] | select(.role == "mgmt-bridge") | .name')
	[ -n "$br" ] || fail "inspect --json lists no management bridge: $(echo "$j" | jq -c .host_interfaces)"
	expect_match "$(echo "$j" | jq -r '.host_interfaces[] | select(.role == "mgmt-bridge") | .addresses[]')" "^$MG4\.1/24$" "gateway on the bridge"
	# inspect lists eth0 (live addresses) and the host-link ends of the nodes
	expect_match "$(echo "$j" | jq -r '.nodes[] | select(.name == "a") | .interfaces[] | select(.name == "eth0") | .addresses[]')" "^$MG4\.50/24$" "a's eth0 in inspect"
	expect_eq "$(echo "$j" | jq -r '.nodes[] | select(.name == "a") | .interfaces[] | select(.name == "eth2") | .state')" "up" "a's host link end in inspect"
	# the host reaches every node on its management address (measured: real pings from the host)
	ok ping -c 1 -W 2 $MG4.50 || true
	ok ping -c 1 -W 2 $MG4.2 || true
	ok ping -6 -c 1 -W 2 $MG6::2 || true
	# eth0 in the nodes: the static address, the default route through the host
	out=$("$NSLAB" exec $lab a -- ip -4 -o addr show dev eth0)
	expect_match "$out" "$MG4\.50/24" "a's eth0"
	out=$("$NSLAB" exec $lab b -- ip route show default)
	expect_match "$out" "via $MG4\.1 dev eth0" "b's default route"
	# the bridge node has no eth0
	nok "$NSLAB" exec $lab sw -- ip link show eth0
	# names: management addresses, and what exec set
	out=$("$NSLAB" exec $lab b -- getent hosts a)
	expect_match "$out" "$MG4\.50|$MG6::" "a resolves in b"
	ok "$NSLAB" exec $lab b -- ping -c 1 -W 2 a
	# host:IF is a veth end in the host namespace; mgmt-net:IF is one on the bridge
	ip link show "t$$g-ha" >/dev/null 2>&1 || fail "no host end t$$g-ha"
	expect_eq "$(ip -o link show "t$$g-mb" 2>/dev/null | grep -o "master [^ ]*")" "master $br" "mgmt-net end on the bridge"
	ok "$NSLAB" exec $lab a -- ip link show eth2
	ok "$NSLAB" destroy $lab
	ip link show "$br" >/dev/null 2>&1 && fail "bridge $br left after destroy"
	ip link show "t$$g-ha" >/dev/null 2>&1 && fail "host end left after destroy"
	ip -4 route show | grep -q "^$MG4\." && fail "route to $MG4.0/24 left after destroy"
	return 0
}

test_clab_mgmt_clash() {
	local lab=${LP}-mc lab2=${LP}-md out
	TEST_LABS="$lab $lab2"
	clab_subnets || { skip "the host already routes the test subnet"; return; }
	mgmt_lab $lab "$TMPD/mc.yml" t$$c
	ok "$NSLAB" deploy --quiet "$TMPD/mc.yml" || return
	# a second lab on the same subnet: refused, and it leaves nothing
	mgmt_lab $lab2 "$TMPD/md.yml" t$$d
	if out=$("$NSLAB" deploy --quiet "$TMPD/md.yml" 2>&1); then
		fail "a second lab on $MG4.0/24 deployed"
	else
		expect_match "$out" "mgmt subnet $MG4\.0/24 clashes with the host's" "clash error"
	fi
	expect_eq "$(leftovers $lab2)" "" "leftovers of the refused lab"
	ok "$NSLAB" destroy $lab
	# a host end whose name the host already has (lo): refused
	cat > "$TMPD/hl.yml" <<YML
name: $lab2
topology:
  nodes: {a: {kind: linux}}
  links: [{endpoints: [a:eth1, "host:lo"]}]
YML
	out=$("$NSLAB" deploy --quiet "$TMPD/hl.yml" 2>&1) && fail "host:lo deployed"
	expect_match "$out" "the host already has an interface lo" "host name clash"
	ip link show lo | grep -q "alias nslab" && fail "lo got nslab's mark"
	return 0
}

test_clab_mgmt_kill9() {
	local lab=${LP}-mk pid br
	TEST_LABS="$lab"
	clab_subnets || { skip "the host already routes the test subnet"; return; }
	cat > "$TMPD/mk.yml" <<YML
name: $lab
mgmt: {ipv4-subnet: $MG4.0/24, ipv6-subnet: "$MG6::/64"}
topology:
  nodes:
    a: {kind: linux, exec: ["sleep 30"]}
  links: [{endpoints: [a:eth1, "host:t$$k-hk"]}]
YML
	"$NSLAB" deploy --quiet "$TMPD/mk.yml" >/dev/null 2>&1 &
	pid=$!
	for _ in $(seq 100); do ip link show "t$$k-hk" >/dev/null 2>&1 && break; sleep 0.1; done
	br=$(ip -o link 2>/dev/null | grep -o "nslm[0-9a-f]*" | while read -r b; do ip -d link show "$b" 2>/dev/null | grep -q "alias nslab:$lab$" && echo "$b"; done | head -n 1)
	[ -n "$br" ] || fail "no management bridge during the deploy"
	kill -9 $pid
	wait $pid 2>/dev/null
	ok "$NSLAB" cleanup $lab
	[ -n "$br" ] && ip link show "$br" >/dev/null 2>&1 && fail "bridge $br left after kill -9 and cleanup"
	ip link show "t$$k-hk" >/dev/null 2>&1 && fail "host end left after kill -9 and cleanup"
	return 0
}

test_clab_schema() {
	local lab=${LP}-cs out
	TEST_LABS="$lab"
	cat > "$TMPD/cs.yml" <<'YML'
name: ${NSLAB_T_LAB}
topology:
  defaults: {group: base, env: {FROM: defaults}, exec: ["touch /tmp/ran"]}
  kinds:
    ceos: {image: "ceos:4"}
  groups:
    base: {kind: linux}
  nodes:
    a: {group: spine, env: {V: "${NSLAB_T_V:-dflt}", W: "${NSLAB_T_SET}"}}
    b: {group: }
    sw: {kind: ovs-bridge}
  links:
    - endpoints: [a:eth1, sw:p1]
    - endpoints: [b:eth1, sw:p2]
YML
	out=$(NSLAB_T_LAB=$lab NSLAB_T_SET=yes "$NSLAB" deploy --quiet "$TMPD/cs.yml" 2>&1) || { fail "deploy: $out"; return; }
	expect_match "$out" "kinds: ceos is ignored" "unused vendor kind: a warning"
	expect_match "$out" "ovs-bridge becomes a Linux bridge" "ovs-bridge warning"
	expect_eq "$("$NSLAB" exec $lab a -- printenv V)" "dflt" "\${VAR:-default}"
	expect_eq "$("$NSLAB" exec $lab a -- printenv W)" "yes" "\${VAR}"
	expect_eq "$("$NSLAB" exec $lab a -- printenv FROM)" "defaults" "defaults env"
	ok "$NSLAB" exec $lab b -- test -e /tmp/ran
	# a bridge gets no defaults exec or env
	nok "$NSLAB" exec $lab sw -- test -e /tmp/ran
	expect_eq "$("$NSLAB" exec $lab sw -- sh -c 'echo ${FROM:-none}')" "none" "bridge env"
	ok "$NSLAB" destroy $lab
	# vendor kinds: one error per kind; Go templates: one line
	printf 'name: v\ntopology:\n  nodes:\n' > "$TMPD/v.yml"
	for i in $(seq 30); do printf '    s%d: {kind: nokia_srlinux}\n' $i >> "$TMPD/v.yml"; done
	printf '  links:\n' >> "$TMPD/v.yml"
	for i in $(seq 29); do printf '    - endpoints: [s%d:e1-1, s%d:e1-2]\n' $i $((i + 1)) >> "$TMPD/v.yml"; done
	out=$("$NSLAB" validate "$TMPD/v.yml" 2>&1) && fail "vendor file validated"
	expect_eq "$(echo "$out" | grep -c error)" 1 "errors for 30 vendor nodes"
	expect_match "$out" 'kind "nokia_srlinux" \(node s1 and 29 other nodes\) is a vendor image \(Nokia SR Linux\) that nslab cannot run' "vendor error"
	printf 'name: t\ntopology:\n  nodes:\n{{ range .nodes }}    {{ .name }}: {kind: linux}\n{{ end }}\n' > "$TMPD/t.clab.gotmpl"
	out=$("$NSLAB" validate "$TMPD/t.clab.gotmpl" 2>&1) && fail "template validated"
	expect_eq "$(echo "$out" | grep -c error)" 1 "errors for a template"
	expect_match "$out" "Go templates .* are not supported" "template error"
	return 0
}

test_clab_link_types() {
	local lab=${LP}-lt out
	TEST_LABS="$lab"
	cat > "$TMPD/lt.yml" <<YML
name: $lab
topology:
  nodes: {a: {kind: linux}}
  links:
    - type: host
      host-interface: t$$l-h4
      endpoint: {node: a, interface: eth4, ipv4: 10.214.$(( $$ % 200 )).2/30}
    - type: dummy
      endpoint: {node: a, interface: dum0, ipv4: 10.7.0.1/24}
YML
	if unshare -n sh -c 'ip link add nslabd0 type dummy' 2>/dev/null; then
		ok "$NSLAB" deploy --quiet "$TMPD/lt.yml" || return
		out=$("$NSLAB" exec $lab a -- ip -d -o link show dum0)
		expect_match "$out" "dummy" "a dummy interface in the node"
		expect_match "$("$NSLAB" exec $lab a -- ip -4 -o addr show dum0)" "10\.7\.0\.1/24" "dummy's address"
		ip link show "t$$l-h4" >/dev/null 2>&1 || fail "no host end t$$l-h4"
		ok "$NSLAB" destroy $lab
	else
		# this kernel has no dummy interfaces: one clear line, nothing left
		out=$("$NSLAB" deploy --quiet "$TMPD/lt.yml" 2>&1) && fail "deployed without dummy support"
		expect_match "$out" "the kernel has no dummy interfaces \(CONFIG_DUMMY\)" "no dummy error"
	fi
	ip link show "t$$l-h4" >/dev/null 2>&1 && fail "host end left"
	return 0
}

test_clab_network_mode_container() {
	local lab=${LP}-nm out
	TEST_LABS="$lab"
	cat > "$TMPD/nm.yml" <<YML
name: $lab
topology:
  nodes:
    a: {kind: linux, exec: ["ip addr add 10.55.0.1/24 dev eth1"]}
    b: {kind: linux, network-mode: "container:a"}
    c: {kind: linux, exec: ["ip addr add 10.55.0.2/24 dev eth1"]}
  links:
    - endpoints: [a:eth1, c:eth1]
YML
	ok "$NSLAB" deploy --quiet "$TMPD/nm.yml" || return
	# b sees a's interfaces and reaches c through them (a real ping from b)
	expect_match "$("$NSLAB" exec $lab b -- ip -4 -o addr show eth1)" "10\.55\.0\.1/24" "a's eth1 seen from b"
	ok "$NSLAB" exec $lab b -- ping -c 1 -W 2 10.55.0.2
	# one namespace: a socket b listens on is a's
	expect_eq "$("$NSLAB" exec $lab b -- readlink /proc/1/ns/net)" "$("$NSLAB" exec $lab a -- readlink /proc/1/ns/net)" "same network namespace"
	# its own hostname and files
	expect_eq "$("$NSLAB" exec $lab b -- hostname)" "b" "b's hostname"
	ok "$NSLAB" exec $lab b -- touch /tmp/only-b
	nok "$NSLAB" exec $lab a -- test -e /tmp/only-b
	ok "$NSLAB" destroy $lab
	return 0
}

# containerlab's bridge inside a node (BR|NODE): a bridge in NODE's namespace, its ports NODE's
# interfaces; frames between the nodes on it cross NODE's bridge, and the host never sees it
test_clab_bridge_in_node() {
	local lab=${LP}-nsb br=nsb$$ out
	TEST_LABS="$lab"
	cat > "$TMPD/nsb.yml" <<YML
name: $lab
topology:
  nodes:
    "$br|bp1": {kind: bridge, network-mode: container:bp1}
    bp1: {kind: linux, exec: ["ip address add dev $br 10.56.0.1/24"]}
    c1: {kind: linux, exec: ["ip address add dev eth1 10.56.0.2/24"]}
    c2: {kind: linux, exec: ["ip address add dev eth1 10.56.0.3/24"]}
  links:
    - endpoints: ["c1:eth1", "$br|bp1:c1eth1"]
    - endpoints: ["$br|bp1:c2eth1", "c2:eth1"]
YML
	out=$("$NSLAB" plan "$TMPD/nsb.yml") || fail "plan failed"
	expect_match "$out" "create bridge $br in node bp1 \($br\|bp1; ifindex [0-9]+, stp off\), up" "plan's bridge step"
	expect_match "$("$NSLAB" validate "$TMPD/nsb.yml")" "ok: lab $lab, 3 nodes, 2 links, 1 bridge inside a node" "validate's count"
	ok "$NSLAB" deploy --quiet "$TMPD/nsb.yml" || return
	# both ports are bp1's, enslaved to its bridge
	out=$("$NSLAB" exec $lab bp1 -- ip -o link show master $br)
	expect_match "$out" "c1eth1@" "c1's port on $br"
	expect_match "$out" "c2eth1@" "c2's port on $br"
	expect_eq "$("$NSLAB" inspect $lab --json | jq -r '.nodes[] | select(.name == "bp1") | .interfaces[] | select(.name == "c1eth1") | .master')" "$br" "inspect's master"
	# c1 reaches c2 across bp1's bridge, and bp1 on its bridge's address (real pings)
	ok "$NSLAB" exec $lab c1 -- ping -c 1 -W 2 10.56.0.3
	ok "$NSLAB" exec $lab c2 -- ping -c 1 -W 2 10.56.0.1
	# the bridge is in bp1 only, not in the host's namespace nor in c1's
	ip link show $br >/dev/null 2>&1 && fail "$br is in the host's namespace"
	nok "$NSLAB" exec $lab c1 -- ip link show $br
	ok "$NSLAB" destroy $lab
	return 0
}

# plan's host phase names what deploy then makes in the host's namespace; --json, --configs
test_clab_plan_host_phase() {
	local lab=${LP}-ph out names n
	TEST_LABS="$lab"
	cat > "$TMPD/ph.yml" <<YML
name: $lab
mgmt: {ipv4-subnet: 172.31.$(( $$ % 200 )).0/24, ipv6-subnet: "3fff:55:$(( $$ % 9000 ))::/64"}
topology:
  nodes:
    a: {kind: linux}
    b: {kind: linux}
  links:
    - endpoints: [a:eth1, "host:p$$-a1"]
    - endpoints: ["mgmt-net:p$$-b2", b:eth2]
YML
	out=$("$NSLAB" plan --json "$TMPD/ph.yml") || { fail "plan --json failed"; return; }
	expect_eq "$(echo "$out" | jq '.operations | length')" "$("$NSLAB" plan "$TMPD/ph.yml" | grep -c '^ *[0-9]')" "as many operations in JSON as in text"
	names=$(echo "$out" | jq -r '.operations[] | select(.phase == "host") | .text' | grep -oE '(bridge nslm[0-9a-f]+|host:[^ ,]+)' | sed 's/^bridge //; s/^host://' | sort)
	expect_eq "$(echo "$names" | wc -l)" 5 "host names in the plan (bridge, 2 eth0, 2 host ends)"
	ok "$NSLAB" deploy --quiet "$TMPD/ph.yml" || return
	for n in $names; do
		ip -o link show "$n" 2>/dev/null | grep -q "alias nslab:$lab" || fail "plan named $n, which the deploy did not make as the lab's"
	done
	ok "$NSLAB" destroy $lab
	for n in $names; do
		ip link show "$n" >/dev/null 2>&1 && fail "$n left after destroy"
	done
	# a routed example's generated configurations, as deploy writes them
	out=$("$NSLAB" plan --configs "$EXAMPLES/ospf/ospf.clab.yml") || fail "plan --configs failed"
	expect_match "$out" "^# r1:/etc/frr/frr.conf \(startup-config\)$" "r1's config header"
	expect_match "$out" "^router ospf$" "the generated OSPF configuration"
	expect_match "$out" "start frr in r1: frr with its startup-config" "r1's service step"
	return 0
}
