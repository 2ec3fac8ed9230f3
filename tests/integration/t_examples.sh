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

# `wait --until converged` fails, saying why, while a neighbour is not up (BGP with a wrong AS
# stays Active/OpenSent); a lab without FRR or bird cannot converge.
test_wait_converged_fails() {
	local lab=${LP}-nconv f=$TMPD/nconv.clab.yml out rc
	TEST_LABS="$lab"
	[ -x /usr/lib/frr/watchfrr ] || { skip "FRR is not installed (scripts/install-deps.sh)"; return; }
	cat > "$f" <<'YML'
name: nconv
addressing: auto
topology:
  nodes:
    r1:
      kind: frr
      startup-config: |
        router bgp 65001
         timers bgp 1 3
         neighbor 10.1.0.2 remote-as 65002
    r2:
      kind: frr
      startup-config: |
        router bgp 65002
         timers bgp 1 3
         neighbor 10.1.0.1 remote-as 65009
    h: {kind: linux}
  links:
    - endpoints: ["r1:eth1", "r2:eth1"]
YML
	ok "$NSLAB" deploy --quiet --name $lab "$f" || return
	out=$("$NSLAB" wait $lab --until converged --timeout 3s 2>&1); rc=$?
	expect_eq "$rc" 1 "wait's exit status when routing does not converge"
	expect_match "$out" "NOT within the timeout .*still waiting: r[12]: bgp neighbour 10.1.0.[12] " "wait names the neighbour that is not up"
	ok "$NSLAB" destroy $lab
	printf 'name: nconv\ntopology:\n  nodes:\n    h: {kind: linux}\n' > "$f"
	ok "$NSLAB" deploy --quiet --name $lab "$f" || return
	out=$("$NSLAB" wait $lab --until converged --timeout 3s 2>&1) && fail "a lab without routers converged"
	expect_match "$out" "no node of lab $lab runs FRR or bird" "wait says there is nothing to converge"
}

# ---- examples/: each lab deployed and checked ----

# ex_deploy NAME PATH: deploy an example as ${LP}-NAME (sets LAB); false (a failure recorded) if not
ex_deploy() {
	LAB=${LP}-$1
	TEST_LABS="$TEST_LABS $LAB"
	[ -x /usr/lib/frr/watchfrr ] && [ -x /usr/sbin/bird ] || { skip "FRR or bird2 is not installed (scripts/install-deps.sh)"; return 1; }
	local t0=$(date +%s.%N)
	ok "$NSLAB" deploy --quiet --name $LAB "$EXAMPLES/$2" || return 1
	printf '    %s: deployed in %.2f s\n' "$1" "$(echo "$(date +%s.%N) - $t0" | bc)" >&2
}

# ex_converged [TIMEOUT]: `nslab wait --until converged`; prints the time it took (the examples'
# READMEs record these)
ex_converged() {
	local out s
	out=$("$NSLAB" wait $LAB --until converged --timeout ${1:-60s} --json 2>&1)
	s=$(echo "$out" | jq -r 'select(.converged) | .seconds' 2>/dev/null)
	[ -n "$s" ] || { fail "$LAB did not converge: $out"; return 1; }
	printf '    %s: converged %.2f s after deploy returned\n' "${LAB#${LP}-}" "$s" >&2
}

# ex_reaches NODE ADDR SECONDS: NODE pings ADDR within SECONDS; prints how long it took
ex_reaches() {
	local out s
	out=$("$NSLAB" wait $LAB --until "$1 reaches $2" --timeout ${3}s --json 2>&1)
	s=$(echo "$out" | jq -r 'select(.converged) | .seconds' 2>/dev/null)
	[ -n "$s" ] || { fail "$1 does not reach $2 within $3 s: $out"; return 1; }
	REACH_S=$s
}

# ex_fail_path FROM DST: take down the link FROM's traffic to DST leaves by now (sets DOWN)
ex_fail_path() {
	local dev
	dev=$("$NSLAB" exec $LAB $1 -- ip -o route get $2 | sed -n 's/.* dev \([^ ]*\).*/\1/p')
	[ -n "$dev" ] || { fail "$1 has no route to $2"; return 1; }
	DOWN=$1:$dev
	ok "$NSLAB" link $LAB $DOWN down
}

# ex_rerouted FROM DST SECONDS: after ex_fail_path, traffic goes another way within SECONDS
ex_rerouted() {
	local dev
	ex_reaches $1 $2 $3 || return 1
	printf '    %s: rerouted %.2f s after %s went down\n' "${LAB#${LP}-}" "$REACH_S" "$DOWN" >&2
	dev=$("$NSLAB" exec $LAB $1 -- ip -o route get $2 | sed -n 's/.* dev \([^ ]*\).*/\1/p')
	[ "$1:$dev" != "$DOWN" ] || fail "$1 still routes to $2 through $DOWN"
}

# ex_route_proto NODE PREFIX PROTO: FRR's table in NODE has PREFIX from PROTO, selected
ex_route_proto() {
	local out
	out=$("$NSLAB" exec $LAB $1 -- vtysh -c "show ip route $2 json")
	expect_eq "$(echo "$out" | jq -r --arg p "$2" '.[$p][] | select(.selected) | .protocol' 2>/dev/null | head -n 1)" "$3" "$1 learned $2 by $3"
}

# ex_net NODE IF: the IPv4 subnet on NODE's interface IF ("10.1.0.20/30")
ex_net() {
	"$NSLAB" exec $LAB $1 -- ip -4 -o route show dev $2 proto kernel scope link | awk '{ print $1; exit }'
}

# addresses nslab chose (addressing: auto), by name: NODE's first IPv4 address of IF
ex_addr() {
	"$NSLAB" exec $LAB $1 -- ip -4 -o addr show dev $2 | awk '{ sub("/.*", "", $4); print $4; exit }'
}

test_example_static() {
	local h3
	ex_deploy static static/static.clab.yml || return
	ex_converged || return
	h3=$(ex_addr h3 eth1)
	ex_route_proto r1 "$(ex_net h3 eth1)" static
	ex_reaches h1 $h3 5 || return
	ok "$NSLAB" exec $LAB h2 -- ping -c 1 -W 2 h3
	# static routes do not follow a failure: r1 sends h3's traffic to r3 directly, and still does
	ex_fail_path r1 $h3 || return
	"$NSLAB" exec $LAB h1 -- ping -c 1 -W 2 $h3 >/dev/null 2>&1 && fail "static routes rerouted?"
	ok "$NSLAB" link $LAB $DOWN up
	ex_reaches h1 $h3 5
}

test_example_rip() {
	local h3
	ex_deploy rip rip/rip.clab.yml || return
	ex_converged || return
	h3=$(ex_addr h3 eth1)
	ex_route_proto r1 "$(ex_net h3 eth1)" rip
	ex_reaches h1 $h3 5 || return
	ok "$NSLAB" exec $LAB h1 -- ping -6 -c 1 -W 2 "$("$NSLAB" exec $LAB h3 -- ip -6 -o addr show dev eth1 scope global | awk '{ sub("/.*", "", $4); print $4 }')"
	ex_fail_path r1 $h3 || return
	ex_rerouted h1 $h3 30
}

test_example_ospf() {
	local h3 out
	ex_deploy ospf ospf/ospf.clab.yml || return
	ex_converged || return
	h3=$(ex_addr h3 eth1)
	ex_reaches h1 $h3 5 || return
	ex_reaches h1 "$("$NSLAB" exec $LAB h3 -- ip -6 -o addr show dev eth1 scope global | awk '{ sub("/.*", "", $4); print $4 }')" 5
	# r1 and r2 share the LAN: a DR and a backup DR were elected there
	out=$("$NSLAB" exec $LAB r1 -- vtysh -c "show ip ospf neighbor")
	expect_match "$out" "Full/(DR|Backup)" "a DR election on the LAN"
	ex_route_proto r1 "$(ex_net h3 eth1)" ospf
	ex_fail_path r1 $h3 || return
	ex_rerouted h1 $h3 10
}

test_example_ospf_multiarea() {
	ex_deploy ospf-multiarea ospf-multiarea/ospf-multiarea.clab.yml || return
	ex_converged || return
	ex_reaches h1 192.168.4.10 5 || return
	# r1 sees area 1 as the ABRs' summary, an inter-area route
	ex_route_proto r1 10.1.0.0/16 ospf
	expect_match "$("$NSLAB" exec $LAB r1 -- vtysh -c 'show ip ospf route')" "N IA 10.1.0.0/16" "the summary is inter-area"
	ex_fail_path r4 192.168.1.10 || return
	ex_rerouted h4 192.168.1.10 10
}

test_example_bgp() {
	local out
	ex_deploy bgp bgp/bgp.clab.yml || return
	ex_converged || return
	ex_route_proto r1 192.168.3.0/24 bgp
	out=$("$NSLAB" exec $LAB r3 -- birdc show route 192.168.1.0/24)
	expect_match "$out" "192.168.1.0/24 +unicast \[r[12] " "bird on r3 learned h1's LAN by BGP"
	ex_reaches h1 192.168.3.10 5 || return
	# the direct session r1--r3 fails: the path through AS 65002 takes over
	ex_fail_path r1 192.168.3.10 || return
	ex_rerouted h1 192.168.3.10 15
	out=$("$NSLAB" exec $LAB r1 -- vtysh -c "show ip bgp 192.168.3.0/24")
	expect_match "$out" "65002 65003" "the new path crosses AS 65002"
}

test_example_vlan() {
	local out
	LAB=${LP}-vlan
	TEST_LABS=$LAB
	if ! out=$("$NSLAB" deploy --quiet --name $LAB "$EXAMPLES/vlan/vlan.clab.yml" 2>&1); then
		if echo "$out" | grep -q "Unknown device type"; then
			skip "this kernel has no 802.1Q (CONFIG_VLAN_8021Q): VLAN subinterfaces cannot be made (make vm-test runs it: tests/vm/vlan_run.sh)"
		else
			fail "deploy: $out"
		fi
		return
	fi
	ex_reaches h1 10.10.0.13 5 || return
	out=$("$NSLAB" exec $LAB h1 -- ping -c 1 -W 2 10.10.0.13)
	expect_match "$out" "ttl=64" "h1 and h3 share VLAN 10: no router between them"
	out=$("$NSLAB" exec $LAB h1 -- ping -c 1 -W 2 10.20.0.12)
	expect_match "$out" "ttl=63" "VLAN 10 to VLAN 20 goes through r1"
}

test_example_dns() {
	local out
	LAB=${LP}-dns
	TEST_LABS=$LAB
	[ -x /usr/sbin/named ] && command -v dig >/dev/null || { skip "bind9 or dig is not installed (scripts/install-deps.sh)"; return; }
	ok "$NSLAB" deploy --quiet --name $LAB "$EXAMPLES/dns/dns.clab.yml" || return
	expect_eq "$("$NSLAB" exec $LAB h1 -- dig +short www.lab | tr '\n' ' ')" "h2.lab. 10.0.1.12 " "www.lab is h2"
	expect_eq "$("$NSLAB" exec $LAB h2 -- dig +short -x 10.0.1.11)" "h1.lab." "reverse lookup"
	# the node's resolver is ns (its own /etc/resolv.conf, search lab): a name /etc/hosts lacks
	out=$("$NSLAB" exec $LAB h1 -- getent hosts www)
	expect_match "$out" "^10.0.1.12 +h2.lab" "h1 resolves www through ns"
	ok "$NSLAB" exec $LAB h1 -- ping -c 1 -W 2 www.lab
	grep -q "10.53.0.53" /etc/resolv.conf && fail "the host's resolv.conf was written"
}

test_example_kathara_ospf() {
	ex_deploy kathara-ospf kathara-ospf || return
	ex_converged || return
	ex_route_proto r1 192.168.3.0/24 ospf
	ex_reaches pc1 192.168.3.10 5 || return
	ex_fail_path r1 192.168.3.10 || return
	ex_rerouted pc1 192.168.3.10 10
}

test_example_kathara_static() {
	ex_deploy kathara-static kathara-static || return
	ex_reaches pc1 192.168.2.10 5 || return
	expect_match "$("$NSLAB" exec $LAB r1 -- ip route show 192.168.2.0/24)" "via 10.0.0.2" "r1's static route"
}
