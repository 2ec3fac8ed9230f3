# SPDX-License-Identifier: GPL-2.0-or-later
# tests/integration/t_everyday.sh: the verbs of issue 16 on real labs: exec on many nodes, pingall,
# iperf, and generated topologies that deploy and ping end to end.

# labelled_lab LAB: a -- r -- b (r routes), labels role=host on a and b
labelled_lab() {
	cat > "$TMPD/$1.yml" <<YML
name: labelled
topology:
  nodes:
    a: {kind: linux, labels: {role: host}, interfaces: {eth1: {ipv4: 10.1.0.1/24}}, routes: [{dst: default, via: 10.1.0.254}]}
    r: {kind: router, labels: {role: router}, interfaces: {eth1: {ipv4: 10.1.0.254/24}, eth2: {ipv4: 10.2.0.254/24}}}
    b: {kind: linux, labels: {role: host}, interfaces: {eth1: {ipv4: 10.2.0.1/24}}, routes: [{dst: default, via: 10.2.0.254}]}
  links:
    - endpoints: ["a:eth1", "r:eth1"]
    - endpoints: ["r:eth2", "b:eth1"]
      rate: 10mbit
YML
	"$NSLAB" deploy --quiet --name "$1" "$TMPD/$1.yml"
}

test_exec_many_nodes() {
	local lab=${LP}-mexec out rc p t0 t1 n
	TEST_LABS="$lab"
	ok labelled_lab $lab || return
	# --all: every node, each line prefixed with its node
	out=$("$NSLAB" exec $lab --all -- hostname) || fail "exec --all: status $?"
	expect_eq "$(echo "$out" | sort | tr '\n' ' ')" "a | a b | b r | r " "exec --all output"
	# --label and a list
	out=$("$NSLAB" exec $lab --label role=host -- hostname)
	expect_eq "$(echo "$out" | sort | tr '\n' ' ')" "a | a b | b " "exec --label role=host"
	out=$("$NSLAB" exec $lab r,b -- sh -c 'echo one; echo two')
	expect_eq "$(echo "$out" | grep -c '^r | ')" 2 "exec r,b: r's lines"
	expect_eq "$(echo "$out" | grep -c '^b | ')" 2 "exec r,b: b's lines"
	# the worst exit status, and which node had which
	out=$("$NSLAB" exec $lab --all -- sh -c 'case $(hostname) in a) exit 3;; r) exit 1;; esac' 2>&1)
	rc=$?
	expect_eq "$rc" 3 "exec --all exit status (the worst)"
	expect_match "$out" "a: exit status 3" "exec --all names the failing node"
	# --json
	out=$("$NSLAB" exec $lab --all --json -- sh -c 'hostname; exit 2')
	expect_eq "$(echo "$out" | jq -c '[.[] | [.node, .status, .output]] | sort')" '[["a",2,"a\n"],["b",2,"b\n"],["r",2,"r\n"]]' "exec --json"
	# an unknown node: an error listing the lab's nodes, nothing run
	out=$("$NSLAB" exec $lab a,h9 -- touch /tmp/nslab-mexec-$LP 2>&1)
	rc=$?
	expect_eq "$rc" 1 "exec with an unknown node"
	expect_match "$out" "has no node h9 \\(its nodes: a, r, b\\)" "unknown node message"
	[ -e /tmp/nslab-mexec-$LP ] && fail "a command ran although a node was unknown"
	nok "$NSLAB" exec $lab --label nope=x -- true
	# the programs run at once (3 x 1 s in about 1 s), and SIGTERM to nslab ends them in the nodes
	t0=$(date +%s.%N)
	ok "$NSLAB" exec $lab --all -- sleep 1
	t1=$(date +%s.%N)
	[ "$(echo "$t1 - $t0 < 2.5" | bc)" = 1 ] || fail "3 x sleep 1 took $(echo "$t1 - $t0" | bc) s"
	"$NSLAB" exec $lab --all -- sleep 60 >/dev/null 2>&1 &
	p=$!
	sleep 1
	kill -TERM $p
	wait $p
	expect_eq "$?" 143 "exec --all after SIGTERM"
	sleep 0.3
	for n in a r b; do
		expect_eq "$("$NSLAB" exec $lab $n -- sh -c 'ps -eo comm | grep -cx sleep')" 0 "sleep left in $n"
	done
}

test_pingall() {
	local lab=${LP}-pingall out rc
	TEST_LABS="$lab"
	ok "$NSLAB" deploy --quiet --name $lab "$EXAMPLES/triangle.clab.yml" || return
	out=$("$NSLAB" pingall $lab)
	rc=$?
	expect_eq "$rc" 0 "pingall exit status"
	expect_match "$out" "pingall: 30 pairs, 30 sent, 30 received, 0.0% loss" "pingall total"
	expect_match "$out" "^h1 +1/1 +1/1 +1/1 +- +1/1 +1/1$" "pingall matrix row h1"
	out=$("$NSLAB" pingall $lab --count 2 --pairs h1:h3,h3:r1 --json)
	expect_eq "$(echo "$out" | jq -c '[.sent, .received, .loss_percent, (.pairs | length), .pairs[0].address]')" \
		'[4,4,0,2,"192.168.3.10"]' "pingall --pairs --json"
	# a link down: h1 is cut off, pingall says so and exits 1
	ok "$NSLAB" link $lab h1:eth1 down || return
	out=$("$NSLAB" pingall $lab --json)
	rc=$?
	expect_eq "$rc" 1 "pingall exit status with h1 cut off"
	# h1's 10 pairs (5 from it, 5 to it) lose everything
	expect_eq "$(echo "$out" | jq '.sent - .received')" 10 "lost pings with h1 cut off"
	nok "$NSLAB" pingall $lab --pairs h1:nosuch
	nok "$NSLAB" pingall ${LP}-nosuchlab
}

test_iperf_verb() {
	local lab=${LP}-iperf out bps
	TEST_LABS="$lab"
	if ! command -v iperf3 >/dev/null; then
		skip "iperf3 is not installed"
		return
	fi
	ok labelled_lab $lab || return
	# TCP a -> b across r, through the 10mbit tbf on r:eth2
	out=$("$NSLAB" iperf $lab a b --time 2 --json) || { fail "iperf: $out"; return; }
	bps=$(echo "$out" | jq '.received_bps')
	expect_eq "$(echo "$out" | jq -r '.address + " " + .protocol')" "10.2.0.1 tcp" "iperf address and protocol"
	[ "$(echo "$bps >= 9000000 && $bps <= 11000000" | bc)" = 1 ] || fail "iperf a -> b at 10mbit: $bps bit/s"
	# the server is gone from b
	expect_eq "$("$NSLAB" exec $lab b -- sh -c 'ps -eo comm | grep -cx iperf3')" 0 "iperf3 left in b"
	# UDP at 2M: nothing lost below the rate
	out=$("$NSLAB" iperf $lab b a --udp --bitrate 2M --time 1 --json) || { fail "iperf --udp: $out"; return; }
	expect_eq "$(echo "$out" | jq -r '.protocol')" udp "iperf --udp protocol"
	bps=$(echo "$out" | jq '.received_bps')
	[ "$(echo "$bps >= 1800000 && $bps <= 2200000" | bc)" = 1 ] || fail "iperf --udp b -> a at 2M: $bps bit/s"
	out=$("$NSLAB" iperf $lab a b --time 1)
	expect_match "$out" "^a -> b \\(10.2.0.1\\), TCP, 1 s: [0-9.]+ Mbit/s received" "iperf text output"
	# a port in use: refused, the program there left alone
	ok "$NSLAB" exec $lab b -- iperf3 -s -D -p 5201
	sleep 0.3
	out=$("$NSLAB" iperf $lab a b --time 1 2>&1) && fail "iperf with the port in use succeeded"
	expect_match "$out" "port 5201 is already in use in b" "iperf port in use"
	expect_eq "$("$NSLAB" exec $lab b -- sh -c 'ps -eo comm | grep -cx iperf3')" 1 "the iperf3 daemon in b"
	nok "$NSLAB" iperf $lab a nosuch
	nok "$NSLAB" iperf $lab a a
}

test_generate_deploy_pingall() {
	local ring=${LP}-gring tree=${LP}-gtree out
	TEST_LABS="$ring $tree"
	"$NSLAB" generate --name $ring ring 5 > "$TMPD/ring.yml" || { fail "generate ring 5"; return; }
	ok "$NSLAB" validate "$TMPD/ring.yml"
	ok "$NSLAB" deploy --quiet "$TMPD/ring.yml" || return
	out=$("$NSLAB" pingall $ring) || fail "pingall over a generated ring: $(echo "$out" | tail -n 3)"
	expect_match "$out" "pingall: 20 pairs, 20 sent, 20 received, 0.0% loss" "ring pingall"
	"$NSLAB" generate --name $tree tree 2 2 > "$TMPD/tree.yml" || { fail "generate tree 2 2"; return; }
	ok "$NSLAB" deploy --quiet "$TMPD/tree.yml" || return
	out=$("$NSLAB" pingall $tree) || fail "pingall over a generated tree: $(echo "$out" | tail -n 3)"
	expect_match "$out" "pingall: 42 pairs, 42 sent, 42 received, 0.0% loss" "tree pingall"
	# bad arguments: usage error (2), nothing printed on stdout
	out=$("$NSLAB" generate fat-tree 3 2>/dev/null)
	expect_eq "$?" 2 "generate fat-tree 3 exit status"
	expect_eq "$out" "" "generate fat-tree 3 stdout"
}

# deploy --keep-on-error: a failing exec: leaves the lab as it got (status failed, nodes and links
# there to look into), a named cleanup leaves it, destroy removes all of it (the harness checks).
test_deploy_keep_on_error() {
	local lab=${LP}-keep out rc
	TEST_LABS="$lab"
	cat > "$TMPD/keep.yml" <<YML
name: keep
topology:
  nodes:
    a: {kind: linux, interfaces: {eth1: {ipv4: 10.9.0.1/24}}, exec: ["echo boom >&2; exit 4"]}
    b: {kind: linux, interfaces: {eth1: {ipv4: 10.9.0.2/24}}}
  links:
    - endpoints: ["a:eth1", "b:eth1"]
YML
	out=$("$NSLAB" deploy --quiet --keep-on-error --name $lab "$TMPD/keep.yml" 2>&1)
	rc=$?
	expect_eq "$rc" 1 "exit status of a failed deploy kept"
	expect_match "$out" "exited with status 4" "the error is reported"
	expect_match "$out" "lab $lab is kept .*--keep-on-error" "says the lab is kept"
	expect_match "$out" "nslab destroy $lab" "says how to remove it"
	expect_eq "$("$NSLAB" list --json | jq -r ".[] | select(.name==\"$lab\") | .status")" failed "status in list"
	# the half-built lab works: the nodes run and the link carries traffic
	ok "$NSLAB" exec $lab b -- ping -c 1 -W 2 10.9.0.1
	# a named cleanup leaves a lab kept on purpose
	ok "$NSLAB" cleanup $lab
	expect_eq "$("$NSLAB" list --json | jq -r ".[] | select(.name==\"$lab\") | .status")" failed "kept after cleanup"
	ok "$NSLAB" destroy $lab
	expect_eq "$(leftovers $lab)" "" "destroy removed the kept lab"
	# without the option, the same failure rolls back
	nok "$NSLAB" deploy --quiet --name $lab "$TMPD/keep.yml"
	expect_eq "$(leftovers $lab)" "" "rolled back without --keep-on-error"
}

# nslab redeploy FILE|LAB: destroy + deploy; new nodes; a bad file leaves the running lab alone.
test_redeploy() {
	local lab=${LP}-redep out pid1 pid2
	TEST_LABS="$lab"
	ok labelled_lab $lab || return
	pid1=$(node_pid $lab a)
	out=$("$NSLAB" redeploy $lab 2>&1) || fail "redeploy LAB: $out"
	expect_match "$out" "^destroyed lab $lab" "redeploy says it destroyed"
	expect_match "$out" "deployed lab $lab: 3 nodes, 2 links" "redeploy deploys"
	pid2=$(node_pid $lab a)
	[ -n "$pid2" ] && [ "$pid2" != "$pid1" ] || fail "node a is new after redeploy ($pid1 -> $pid2)"
	expect_eq "$("$NSLAB" list --json | jq -r ".[] | select(.name==\"$lab\") | .status")" running "status"
	ok "$NSLAB" exec $lab a -- ping -c 1 -W 2 10.2.0.1
	# FILE with --name, quiet
	ok "$NSLAB" redeploy --quiet --name $lab "$TMPD/$lab.yml"
	# a bad file: nothing destroyed
	pid1=$(node_pid $lab a)
	printf 'name: x\ntopology:\n  nodes:\n    a: {kind: nope}\n' > "$TMPD/bad-redep.yml"
	out=$("$NSLAB" redeploy --name $lab "$TMPD/bad-redep.yml" 2>&1)
	expect_eq "$?" 1 "redeploy of a bad file"
	expect_eq "$(node_pid $lab a)" "$pid1" "the lab still runs after a bad redeploy"
	out=$("$NSLAB" redeploy ${LP}-nosuchlab 2>&1)
	expect_eq "$?" 1 "redeploy of an unknown lab"
	expect_match "$out" "neither a topology file nor a deployed lab" "unknown lab message"
}

# nslab link LAB add|remove: a veth pair between running nodes (a bridge node's end enslaved),
# carrying traffic, in inspect's state and link show; removed from kernel and state; refused
# without change for a taken interface or an unknown node; destroy leaves nothing (harness).
test_link_add_remove() {
	local lab=${LP}-ladd out before
	TEST_LABS="$lab"
	before=$(root_veths)
	linkadd_topo # tests/integration/t_linkadd.sh
	ok "$NSLAB" deploy --quiet --name $lab "$TMPD/laddr.yml" || return
	out=$("$NSLAB" link $lab add a:eth2 b:eth2 --mtu 1400 2>&1) || fail "link add: $out"
	expect_eq "$out" "added link a:eth2 -- b:eth2" "link add output"
	ok "$NSLAB" exec $lab a -- ip addr add 10.7.0.1/24 dev eth2
	ok "$NSLAB" exec $lab b -- ip addr add 10.7.0.2/24 dev eth2
	ok "$NSLAB" exec $lab a -- ping -c 2 -W 2 -I eth2 10.7.0.2
	expect_eq "$("$NSLAB" exec $lab b -- cat /sys/class/net/eth2/mtu)" 1400 "MTU of the new end"
	expect_eq "$("$NSLAB" inspect $lab --json | jq -r '.nodes[] | select(.name=="a") | .interfaces[] | select(.name=="eth2") | .peer')" "b:eth2" "state: peer"
	expect_eq "$("$NSLAB" inspect $lab --json | jq -r '.links | length')" 2 "state: two links"
	expect_eq "$("$NSLAB" link $lab b:eth2 show --json | jq -r '[.ends[].state] | join(",")')" "up,up" "link show on the new link"
	ok "$NSLAB" link $lab a:eth2 down
	expect_eq "$("$NSLAB" link $lab a:eth2 show --json | jq -r '.ends[1].state')" "down" "link down on the new link"
	ok "$NSLAB" link $lab a:eth2 up
	# a bridge node's end is a port of its bridge
	ok "$NSLAB" link $lab add a:eth3 sw:p1
	expect_match "$("$NSLAB" exec $lab sw -- ip -o link show p1)" "master sw" "bridge port enslaved"
	# refused, nothing changed
	out=$("$NSLAB" link $lab add a:eth1 b:eth5 2>&1)
	expect_eq "$?" 1 "add over a taken interface"
	expect_match "$out" "node a of lab $lab already has an interface eth1" "taken interface message"
	nok "$NSLAB" exec $lab b -- ip link show eth5
	nok "$NSLAB" link $lab add a:eth5 zz:eth1
	nok "$NSLAB" exec $lab a -- ip link show eth5
	out=$("$NSLAB" link $lab add a:eth5 2>&1)
	expect_eq "$?" 2 "add with one end: usage error"
	# remove: both ends gone from the kernel and the state; a wrong peer is refused
	nok "$NSLAB" link $lab remove a:eth2 b:eth1
	ok "$NSLAB" link $lab remove b:eth2
	nok "$NSLAB" exec $lab a -- ip link show eth2
	nok "$NSLAB" exec $lab b -- ip link show eth2
	expect_eq "$("$NSLAB" inspect $lab --json | jq -r '[.nodes[].interfaces[].name] | sort | join(",")')" "eth1,eth1,eth3,p1,sw" "state after remove"
	expect_eq "$("$NSLAB" inspect $lab --json | jq -r '.links | length')" 2 "state: links after remove"
	nok "$NSLAB" link $lab remove b:eth2
	# a declared link can go too
	ok "$NSLAB" link $lab remove a:eth1
	nok "$NSLAB" exec $lab b -- ip link show eth1
	expect_eq "$(root_veths)" "$before" "no veth in the root namespace"
}
