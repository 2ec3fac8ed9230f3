# SPDX-License-Identifier: GPL-2.0-or-later
# tests/integration/t_links.sh: `nslab link` on running labs: down/up/flap, set/reset/show, real traffic.

# links_lab LAB: deploy a two-node lab a:eth1 -- b:eth1 (IPv4 + IPv6, static routes through the link)
links_lab() {
	cat > "$TMPD/$1.yml" <<YML
name: links
topology:
  nodes:
    a:
      kind: linux
      interfaces:
        eth1: {ipv4: 10.0.0.1/24, ipv6: "2001:db8::1/64"}
      routes:
        - {dst: 10.50.0.0/16, via: 10.0.0.2, metric: 7}
        - {dst: "2001:db8:50::/48", via: "2001:db8::2"}
    b:
      kind: linux
      interfaces:
        eth1: {ipv4: 10.0.0.2/24, ipv6: "2001:db8::2/64"}
        eth2: {ipv4: 10.0.9.2/24}
        lo: {ipv4: 10.50.0.1/32, ipv6: "2001:db8:50::1/128"}
    c:
      kind: linux
      interfaces:
        eth1: {ipv4: 10.0.9.3/24}
  links:
    - endpoints: ["a:eth1", "b:eth1"]
    - endpoints: ["b:eth2", "c:eth1"]
YML
	"$NSLAB" deploy --quiet --name "$1" "$TMPD/$1.yml"
}

# if_state LAB NODE IF: the interface's state as inspect --json tells it (up, down, no-carrier)
if_state() {
	"$NSLAB" inspect "$1" --json | jq -r ".nodes[] | select(.name==\"$2\") | .interfaces[] | select(.name==\"$3\") | .state"
}

netem_available() {
	unshare -n tc qdisc add dev lo root netem delay 1ms >/dev/null 2>&1
}

test_link_down_up() {
	local lab=${LP}-lkdown out
	TEST_LABS="$lab"
	ok links_lab $lab || return
	ok "$NSLAB" exec $lab a -- ping -c 1 -W 2 10.50.0.1 || return
	ok "$NSLAB" link $lab a:eth1 down || return
	expect_eq "$(if_state $lab a eth1)" down "a:eth1 after down"
	expect_eq "$(if_state $lab b eth1)" down "b:eth1 after down"
	out=$("$NSLAB" exec $lab b -- ip -o link show eth1)
	expect_match "$out" "NO-CARRIER|state DOWN" "b:eth1 as ip sees it"
	nok "$NSLAB" exec $lab a -- ping -c 1 -W 1 10.0.0.2
	nok "$NSLAB" exec $lab b -- ping -c 1 -W 1 10.0.0.1
	expect_eq "$("$NSLAB" link $lab a:eth1 show --json | jq -r '[.ends[].link_down] | join(",")')" "true,true" "show: link_down"
	# down again is a no-op (the saved routes are not lost)
	ok "$NSLAB" link $lab a:eth1 b:eth1 down
	# the other link is untouched
	ok "$NSLAB" exec $lab c -- ping -c 1 -W 2 10.0.9.2
	ok "$NSLAB" link $lab b:eth1 up || return
	expect_eq "$(if_state $lab a eth1)" up "a:eth1 after up"
	expect_eq "$(if_state $lab b eth1)" up "b:eth1 after up"
	# as it was: the static routes (v4 with their metric, v6) and the IPv6 address are back
	ok "$NSLAB" exec $lab a -- ping -c 1 -W 2 10.50.0.1
	ok "$NSLAB" exec $lab a -- ping -c 1 -W 2 2001:db8:50::1
	out=$("$NSLAB" exec $lab a -- ip route show 10.50.0.0/16)
	expect_match "$out" "via 10.0.0.2 dev eth1 .*metric 7" "a's route after up"
	out=$("$NSLAB" exec $lab a -- ip -6 -o addr show dev eth1 scope global)
	expect_match "$out" "2001:db8::1/64" "a's IPv6 address after up"
	expect_eq "$("$NSLAB" link $lab a:eth1 show --json | jq -r '[.ends[].link_down] | join(",")')" "false,false" "show: link_down after up"
}

test_link_up_keeps_declared_down() {
	local lab=${LP}-lkadm
	TEST_LABS="$lab"
	cat > "$TMPD/adm.yml" <<YML
name: adm
topology:
  nodes:
    a: {kind: linux, interfaces: {eth1: {ipv4: 10.0.0.1/24}}}
    b: {kind: linux, interfaces: {eth1: {ipv4: 10.0.0.2/24, state: down}}}
  links:
    - endpoints: ["a:eth1", "b:eth1"]
YML
	ok "$NSLAB" deploy --quiet --name $lab "$TMPD/adm.yml" || return
	ok "$NSLAB" link $lab a:eth1 down
	ok "$NSLAB" link $lab a:eth1 up
	expect_eq "$(if_state $lab b eth1)" down "b:eth1 declared down stays down"
	expect_eq "$(if_state $lab a eth1)" no-carrier "a:eth1 up without carrier"
}

test_link_flap() {
	local lab=${LP}-lkflap out t0 t1
	TEST_LABS="$lab"
	ok links_lab $lab || return
	t0=$(date +%s.%N)
	out=$("$NSLAB" link $lab a:eth1 flap --every 200ms --times 3 2>&1) || fail "flap: $out"
	t1=$(date +%s.%N)
	expect_eq "$(echo "$out" | grep -c ' down$')" 3 "down transitions"
	expect_eq "$(echo "$out" | grep -c ' up$')" 3 "up transitions"
	# 3 x (down 200 ms, up) with 200 ms between: at least 1.0 s, and not much more
	[ "$(echo "$t1 - $t0 >= 1.0 && $t1 - $t0 < 3.0" | bc)" = 1 ] || fail "flap took $(echo "$t1 - $t0" | bc) s"
	expect_eq "$(if_state $lab a eth1)" up "a:eth1 after flap"
	ok "$NSLAB" exec $lab a -- ping -c 1 -W 2 10.50.0.1
	# a ping running through the flaps loses some packets but not all
	"$NSLAB" exec $lab a -- ping -c 30 -i 0.05 -W 1 10.0.0.2 > "$TMPD/flap-ping" 2>&1 &
	local pp=$!
	sleep 0.3
	ok "$NSLAB" link $lab a:eth1 flap --every 300ms --times 1
	wait $pp
	out=$(grep -o '[0-9]* received' "$TMPD/flap-ping" | cut -d' ' -f1)
	[ -n "$out" ] && [ "$out" -gt 0 ] && [ "$out" -lt 30 ] || fail "ping through a flap: $out of 30 received"
}

test_link_set_rate_iperf() {
	local lab=${LP}-lkrate out bps
	TEST_LABS="$lab"
	if ! command -v iperf3 >/dev/null; then
		skip "iperf3 is not installed"
		return
	fi
	ok links_lab $lab || return
	ok "$NSLAB" link $lab a:eth1 set --rate 50mbit || return
	ok "$NSLAB" exec $lab b -- iperf3 -s -1 -D -p 5201
	sleep 0.3
	out=$("$NSLAB" exec $lab a -- iperf3 -c 10.0.0.2 -p 5201 -t 3 -J)
	bps=$(echo "$out" | jq '.end.sum_received.bits_per_second')
	[ "$(echo "$bps >= 42500000 && $bps <= 57500000" | bc)" = 1 ] || fail "iperf3 a -> b at 50mbit: $bps bit/s"
	# both ends: the reverse direction is shaped too
	ok "$NSLAB" exec $lab a -- iperf3 -s -1 -D -p 5202
	sleep 0.3
	out=$("$NSLAB" exec $lab b -- iperf3 -c 10.0.0.1 -p 5202 -t 3 -J)
	bps=$(echo "$out" | jq '.end.sum_received.bits_per_second')
	[ "$(echo "$bps >= 42500000 && $bps <= 57500000" | bc)" = 1 ] || fail "iperf3 b -> a at 50mbit: $bps bit/s"
}

test_link_set_keeps_others_and_reset() {
	local lab=${LP}-lkset out
	TEST_LABS="$lab"
	ok links_lab $lab || return
	ok "$NSLAB" link $lab a:eth1 set --rate 30mbit || return
	ok "$NSLAB" link $lab a:eth1 set --limit 100 || return
	out=$("$NSLAB" link $lab a:eth1 show --json)
	expect_eq "$(echo "$out" | jq -c '[.ends[].impair]')" '[{"rate_bps":30000000,"limit_pkts":100},{"rate_bps":30000000,"limit_pkts":100}]' "settings after two sets"
	expect_eq "$(echo "$out" | jq -r '[.ends[].qdisc.kind] | join(",")')" "tbf,tbf" "qdiscs"
	expect_eq "$(echo "$out" | jq -r '.ends[0].qdisc.rate_bps')" 30000000 "kernel's rate"
	# the settings are in state.json too (inspect reads them)
	expect_eq "$("$NSLAB" inspect $lab --json | jq -c '.nodes[] | select(.name=="b") | .interfaces[] | select(.name=="eth1") | .impair')" '{"limit_pkts":100,"rate_bps":30000000}' "state.json"
	# --only: one end
	ok "$NSLAB" link $lab b:eth1 set --rate 10mbit --only
	out=$("$NSLAB" link $lab a:eth1 show --json)
	expect_eq "$(echo "$out" | jq -r '[.ends[].impair.rate_bps] | join(",")')" "30000000,10000000" "--only on b"
	ok "$NSLAB" link $lab a:eth1 reset || return
	out=$("$NSLAB" link $lab a:eth1 show --json)
	expect_eq "$(echo "$out" | jq -c '[.ends[].impair]')" '[{},{}]' "settings after reset"
	expect_eq "$(echo "$out" | jq -r '[.ends[].qdisc.kind // "none"] | join(",")')" "noqueue,noqueue" "qdisc after reset"
	out=$("$NSLAB" exec $lab a -- tc qdisc show dev eth1)
	expect_match "$out" "noqueue" "tc after reset"
	# reset of nothing is fine
	ok "$NSLAB" link $lab a:eth1 reset
	# invalid combinations change nothing
	nok "$NSLAB" link $lab a:eth1 set --loss-correlation 5%
	nok "$NSLAB" link $lab a:eth1 set --jitter 5ms
	nok "$NSLAB" link $lab a:eth1 set --rate 0
	nok "$NSLAB" link $lab a:eth1 set
}

test_link_netem_missing() {
	local lab=${LP}-lknetem out before
	TEST_LABS="$lab"
	if netem_available; then
		skip "this kernel has sch_netem (tests/vm/netem_lab.sh covers it)"
		return
	fi
	ok links_lab $lab || return
	ok "$NSLAB" link $lab a:eth1 set --rate 20mbit || return
	before=$("$NSLAB" link $lab a:eth1 show --json | jq -c '[.ends[] | .impair, .qdisc.kind, .qdisc.rate_bps]')
	out=$("$NSLAB" link $lab a:eth1 set --delay 50ms 2>&1) && fail "set --delay succeeded without sch_netem"
	expect_match "$out" "kernel has no sch_netem" "error text"
	expect_match "$out" "CONFIG_NET_SCH_NETEM" "error text names the option"
	expect_eq "$("$NSLAB" link $lab a:eth1 show --json | jq -c '[.ends[] | .impair, .qdisc.kind, .qdisc.rate_bps]')" "$before" "nothing changed"
}

test_link_show_counters() {
	local lab=${LP}-lkshow out
	TEST_LABS="$lab"
	ok links_lab $lab || return
	ok "$NSLAB" link $lab a:eth1 set --rate 100mbit || return
	ok "$NSLAB" exec $lab a -- ping -c 5 -i 0.05 -W 1 10.0.0.2
	out=$("$NSLAB" link $lab a:eth1 show --json)
	expect_eq "$(echo "$out" | jq -r .link)" "a:eth1 -- b:eth1" "link name"
	[ "$(echo "$out" | jq '.ends[0].counters.tx_packets')" -ge 5 ] || fail "tx_packets of a:eth1: $(echo "$out" | jq -c .ends[0].counters)"
	[ "$(echo "$out" | jq '.ends[1].counters.rx_packets')" -ge 5 ] || fail "rx_packets of b:eth1"
	[ "$(echo "$out" | jq '.ends[0].qdisc.packets')" -ge 5 ] || fail "qdisc packets of a:eth1: $(echo "$out" | jq -c .ends[0].qdisc)"
	expect_eq "$(echo "$out" | jq -r '.ends[0].impair_text')" "rate 100mbit" "impair_text"
	out=$("$NSLAB" link $lab b:eth1 show)
	expect_match "$out" "qdisc tbf" "text show"
	expect_eq "$("$NSLAB" link $lab a:eth1 show --only --json | jq '.ends | length')" 1 "--only show"
}

test_link_bad_peer_and_names() {
	local lab=${LP}-lkpeer out
	TEST_LABS="$lab"
	ok links_lab $lab || return
	out=$("$NSLAB" link $lab a:eth1 c:eth1 down 2>&1) && fail "down with a wrong peer succeeded"
	expect_match "$out" "c:eth1 is not the peer of a:eth1 \(its peer is b:eth1\)" "wrong peer message"
	expect_eq "$(if_state $lab a eth1)" up "nothing done"
	nok "$NSLAB" link $lab a:eth9 down
	nok "$NSLAB" link $lab z:eth1 down
	nok "$NSLAB" link $lab a:lo down
	nok "$NSLAB" link ${LP}-nosuchlab a:eth1 down
	"$NSLAB" link $lab a:eth1 frob >/dev/null 2>&1
	expect_eq $? 2 "unknown action exit code"
	ok "$NSLAB" link $lab a:eth1 b:eth1 show
}

# Runtime changes are meant to take about a millisecond: check they stay well under 20 ms
# (a loaded CI machine), and print what was measured.
test_link_changes_report_their_time() {
	local lab=${LP}-lklat out ms
	TEST_LABS="$lab"
	ok links_lab $lab || return
	for action in "set --rate 10mbit" "set --rate 20mbit" reset down up; do
		# shellcheck disable=SC2086
		out=$("$NSLAB" link $lab a:eth1 $action -v 2>&1) || { fail "$action: $out"; continue; }
		echo "    $action: $out" | sed 's/nslab: a:eth1 //'
		# the time is reported, not judged here: make bench holds the target (nslab/tc ratio)
		expect_match "$out" "[0-9.]+ ms \(netlink [0-9.]+ ms, 2 namespaces, [0-9]+ requests\)" "$action reports its time"
	done
}
