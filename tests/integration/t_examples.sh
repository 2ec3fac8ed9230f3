# SPDX-License-Identifier: GPL-2.0-or-later
# tests/integration/t_examples.sh: routers that route: kind frr and kind bird nodes with their own
# startup-config, automatic addressing and routing, convergence, and every lab of examples/
# deployed and checked (routes learned, pings end to end, rerouting after a link failure).

# ex_wait_route LAB NODE PREFIX REGEX SECONDS: until `ip route show PREFIX` in NODE matches
ex_wait_route() {
	local out
	for _ in $(seq $(($5 * 5))); do
		out=$("$NSLAB" exec $1 $2 -- ip route show $3 2>/dev/null)
		echo "$out" | grep -Eq -- "$4" && return 0
		sleep 0.2
	done
	fail "$2 has no route to $3 matching '$4' after $5 s: '$out'"
	return 1
}

# kind frr (inline and file startup-config, only the daemons the configuration needs) and kind
# bird (its own bird.conf) run OSPF together; vtysh and birdc answer through exec; a configuration
# with a typo fails the deploy naming its line and leaves nothing.
test_kind_frr_and_bird() {
	local lab=${LP}-kfrr f=$TMPD/kfrr/lab.clab.yml out
	TEST_LABS="$lab"
	[ -x /usr/lib/frr/watchfrr ] && [ -x /usr/sbin/bird ] || { skip "FRR or bird2 is not installed (scripts/install-deps.sh)"; return; }
	mkdir -p "$TMPD/kfrr/cfg"
	cat > "$TMPD/kfrr/cfg/r2.conf" <<'EOC'
interface eth1
 ip ospf network point-to-point
 ip ospf hello-interval 1
 ip ospf dead-interval 4
interface eth2
 ip ospf network point-to-point
 ip ospf hello-interval 1
 ip ospf dead-interval 4
router ospf
 ospf router-id 10.255.0.2
 network 10.0.0.0/16 area 0
 network 10.255.0.2/32 area 0
EOC
	cat > "$TMPD/kfrr/cfg/b3.conf" <<'EOC'
router id 10.255.0.3;
protocol device {}
protocol kernel { ipv4 { export all; }; }
protocol ospf v2 {
	ipv4 { import all; export none; };
	area 0 {
		interface "eth1" { type ptp; hello 1; dead 4; };
		interface "lo" { stub yes; };
	};
}
EOC
	cat > "$f" <<'YML'
name: kfrr
topology:
  nodes:
    r1:
      kind: frr
      interfaces: {eth1: {ipv4: 10.0.12.1/24}, lo: {ipv4: 10.255.0.1/32}}
      startup-config: |
        interface eth1
         ip ospf network point-to-point
         ip ospf hello-interval 1
         ip ospf dead-interval 4
        router ospf
         ospf router-id 10.255.0.1
         network 10.0.12.0/24 area 0
         network 10.255.0.1/32 area 0
    r2:
      kind: frr
      interfaces: {eth1: {ipv4: 10.0.12.2/24}, eth2: {ipv4: 10.0.23.2/24}, lo: {ipv4: 10.255.0.2/32}}
      startup-config: cfg/__clabNodeName__.conf
    b3:
      kind: bird
      interfaces: {eth1: {ipv4: 10.0.23.3/24}, lo: {ipv4: 10.255.0.3/32}}
      startup-config: cfg/b3.conf
  links:
    - endpoints: ["r1:eth1", "r2:eth1"]
    - endpoints: ["r2:eth2", "b3:eth1"]
YML
	ok "$NSLAB" deploy --quiet --name $lab "$f" || return
	out=$("$NSLAB" exec $lab r1 -- vtysh -c "show daemons")
	expect_match "$out" "ospfd" "r1 runs ospfd (its configuration has router ospf)"
	"$NSLAB" exec $lab r1 -- pgrep -x bgpd >/dev/null && fail "r1 runs bgpd, which its configuration does not use"
	# FRR and bird learn each other's loopbacks by OSPF; pings go end to end
	ex_wait_route $lab r1 10.255.0.3 "proto (ospf|188)" 30 || return
	ex_wait_route $lab b3 10.255.0.1 "proto bird" 30
	ok "$NSLAB" exec $lab r1 -- ping -c 1 -W 2 -I 10.255.0.1 10.255.0.3
	out=$("$NSLAB" exec $lab b3 -- birdc show protocols)
	expect_match "$out" "ospf1 +OSPF +master4 +up" "birdc answers in b3, OSPF up"
	out=$("$NSLAB" exec $lab r2 -- vtysh -c "show ip ospf neighbor json")
	expect_eq "$(echo "$out" | jq '[.neighbors[][] | select(.state | startswith("Full"))] | length')" 2 "r2 has two Full neighbours"
	# the node's /etc/frr is its own: the host's is untouched
	out=$("$NSLAB" exec $lab r1 -- cat /etc/frr/frr.conf)
	expect_match "$out" "router-id 10.255.0.1" "r1's frr.conf is its startup-config"
	grep -q "10.255.0.1" /etc/frr/frr.conf && fail "the host's /etc/frr/frr.conf was written"
	ok "$NSLAB" destroy $lab
	# a typo: the deploy fails naming the node and the line, and nothing is left
	printf 'router ospf\n bogus words\n' > "$TMPD/kfrr/cfg/r2.conf"
	out=$("$NSLAB" deploy --quiet --name $lab "$f" 2>&1) && fail "a bad frr.conf deployed"
	expect_match "$out" "node r2: starting frr .*line 2: % Unknown command" "the error names the node and the line"
}
