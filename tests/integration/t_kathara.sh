# SPDX-License-Identifier: GPL-2.0-or-later
# tests/integration/t_kathara.sh: Kathará lab folders: Kathará's own labs validate, and some deploy with
# startup files of tests/kathara/, carry traffic and destroy cleanly.

KATHARA_TESTS=$(cd "$(dirname "${BASH_SOURCE[0]}")/../kathara" && pwd)
: "${NSLAB_KATHARA_CORPUS:=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/../shared/corpus/kathara}"
# the service shims are found beside the nslab binary (build/ of this tree, or an installed one); a
# binary elsewhere (an ASan build in /tmp) is given this tree's
if [ -z "${NSLAB_KATHARA_SHIMS:-}" ] && [ ! -x "$(dirname "$NSLAB")/../scripts/kathara/bin/systemctl" ] &&
	[ ! -x "$(dirname "$NSLAB")/../lib/nslab/kathara/bin/systemctl" ]; then
	export NSLAB_KATHARA_SHIMS=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../scripts/kathara/bin" && pwd)
fi

# kathara_lab CORPUS-SUBDIR NAME [DIR]: a writable copy of a corpus lab with the startup files of
# tests/kathara/NAME, in $TMPD/DIR (default NAME)
kathara_lab() {
	local src=$NSLAB_KATHARA_CORPUS/$1 dst=$TMPD/${3:-$2}
	[ -f "$src/lab.conf" ] || return 1
	rm -rf "$dst"
	cp -r "$src" "$dst" && chmod -R u+w "$dst" && cp "$KATHARA_TESTS/$2"/*.startup "$dst"/
}

test_kathara_corpus_validates() {
	local n=0 out d
	if [ ! -d "$NSLAB_KATHARA_CORPUS" ]; then
		skip "no Kathará corpus at $NSLAB_KATHARA_CORPUS"
		return
	fi
	while read -r d; do
		n=$((n + 1))
		out=$("$NSLAB" validate "$d" 2>&1) || fail "validate $d: $out"
		expect_match "$out" "ok: lab " "validate $d"
		# and the plan of a lab folder is the plan of its lab.conf
		[ "$("$NSLAB" plan "$d" 2>/dev/null)" = "$("$NSLAB" plan "$d/lab.conf" 2>/dev/null)" ] ||
			fail "plan $d differs from plan $d/lab.conf"
	done < <(find "$NSLAB_KATHARA_CORPUS" -name lab.conf -printf '%h\n' | sort)
	expect_eq "$n" 13 "corpus labs"
	# what the docs say about them
	out=$("$NSLAB" validate "$NSLAB_KATHARA_CORPUS/main-labs/application-level/dns/kathara-lab_dns" 2>&1)
	expect_match "$out" "lab.conf:43:11: warning: wireshark\[bridged\] is ignored" "bridged warned about"
	expect_match "$out" "ok: lab kathara-lab_dns, 11 nodes, 9 links" "dns: 9 devices on A become a bridge node"
	out=$("$NSLAB" validate "$NSLAB_KATHARA_CORPUS/tutorials/kathara-external/vlan-configuration/lab" 2>&1)
	expect_match "$out" "lab.ext:1:1: warning: ignored: lab.ext connects a collision domain" "lab.ext warned about"
}

test_kathara_static_routing() {
	local lab=${LP}-ksr out
	TEST_LABS="$lab"
	if ! kathara_lab main-labs/basic-topics/static-routing/kathara-lab_static-routing static-routing; then
		skip "no Kathará corpus at $NSLAB_KATHARA_CORPUS"
		return
	fi
	out=$("$NSLAB" deploy --name $lab "$TMPD/static-routing" 2>&1) || { fail "deploy: $out"; return; }
	# the startup files ran, with bash, in lab.conf order
	expect_match "$out" "\[r1\] \\$ bash '$TMPD/static-routing/r1.startup'" "r1.startup ran"
	expect_match "$out" "deployed lab $lab: 4 nodes, 3 links" "4 devices, 3 collision domains of 2"
	# pc1 -- r1 -- r2 -- pc2: every device forwards, as on Kathará
	ok "$NSLAB" exec $lab pc1 -- ping -c 2 -i 0.2 -W 2 10.0.2.10
	ok "$NSLAB" exec $lab pc2 -- ping -c 2 -i 0.2 -W 2 10.0.1.10
	out=$("$NSLAB" exec $lab pc1 -- ping -c 1 -W 2 10.0.2.10)
	expect_match "$out" "ttl=62" "two routers on the way"
	# Kathará's device settings: MTU 1500, no rp_filter, IPv6 off
	expect_eq "$("$NSLAB" exec $lab r1 -- cat /sys/class/net/eth1/mtu)" 1500 "mtu"
	expect_eq "$("$NSLAB" exec $lab r1 -- cat /proc/sys/net/ipv4/conf/all/rp_filter)" 0 "rp_filter"
	expect_eq "$("$NSLAB" exec $lab pc1 -- cat /proc/sys/net/ipv6/conf/eth0/disable_ipv6)" 1 "ipv6 off"
	expect_eq "$("$NSLAB" inspect $lab --json | jq -r '.nodes[] | select(.name=="r2") | .interfaces[] | select(.name=="eth1") | .peer')" \
		"r1:eth1" "collision domain B is the veth r1:eth1 -- r2:eth1"
	ok "$NSLAB" destroy $lab
	expect_eq "$(leftovers $lab)" "" "leftovers after destroy"
	# without --name the lab is named after its folder; destroy -t DIR names the same lab
	kathara_lab main-labs/basic-topics/static-routing/kathara-lab_static-routing static-routing $lab-dir
	TEST_LABS="$lab $lab-dir"
	ok "$NSLAB" deploy --quiet "$TMPD/$lab-dir" || return
	expect_eq "$("$NSLAB" inspect $lab-dir --json | jq -r .name)" "$lab-dir" "lab named after its folder"
	ok "$NSLAB" destroy -t "$TMPD/$lab-dir"
	expect_eq "$(leftovers $lab-dir)" "" "leftovers of the lab named after its folder"
}

test_kathara_one_bridge() {
	local lab=${LP}-kob out
	TEST_LABS="$lab"
	if ! kathara_lab main-labs/switching/one-bridge/kathara-lab_one-bridge one-bridge; then
		skip "no Kathará corpus at $NSLAB_KATHARA_CORPUS"
		return
	fi
	ok "$NSLAB" deploy --quiet --name $lab "$TMPD/one-bridge" || return
	# b1's startup file made it a switch: every pc reaches every other through it
	for dst in 10.0.0.2 10.0.0.3 10.0.0.4; do
		ok "$NSLAB" exec $lab pc1 -- ping -c 1 -W 2 $dst
	done
	ok "$NSLAB" exec $lab pc4 -- ping -c 1 -W 2 10.0.0.2
	out=$("$NSLAB" exec $lab b1 -- ip -o link show master br0)
	expect_eq "$(echo "$out" | grep -c 'master br0')" 4 "b1's bridge ports"
	# the MACs of lab.conf
	expect_match "$("$NSLAB" exec $lab pc3 -- cat /sys/class/net/eth0/address)" "00:00:00:00:00:03" "pc3 mac"
	expect_match "$("$NSLAB" exec $lab b1 -- cat /sys/class/net/eth3/address)" "00:00:00:00:00:b4" "b1 eth3 mac"
}

test_kathara_hub_bridge_nodes() {
	local lab=${LP}-khub out
	TEST_LABS="$lab"
	rm -rf "$TMPD/hub" && cp -r "$KATHARA_TESTS/hub" "$TMPD/hub"
	out=$("$NSLAB" plan "$TMPD/hub" 2>&1)
	expect_match "$out" "create veth cd-LAN:pc1-eth0 -- pc1:eth0 mtu 1500" "LAN is bridge node cd-LAN"
	expect_match "$out" "create veth cd-STUB:r1-eth1 -- r1:eth1 mtu 1500" "STUB, one device, is a bridge node too"
	# lab.dep: r1 first (hosts after r1: the plan's node order), startups one node at a time, so
	# that the hosts' startup files can ping r1, whose own takes two seconds
	expect_match "$(echo "$out" | grep -m1 'create node')" "create node r1 " "r1 starts first"
	ok "$NSLAB" deploy --quiet --name $lab "$TMPD/hub" || return
	for dst in 10.1.0.12 10.1.0.13 10.9.0.1; do
		ok "$NSLAB" exec $lab pc1 -- ping -c 1 -W 2 $dst
	done
	out=$("$NSLAB" exec $lab cd-LAN -- ip -o link show master cd-LAN)
	expect_eq "$(echo "$out" | grep -c 'master cd-LAN')" 4 "cd-LAN's ports"
	# shared.startup ran in every device before its own, exec after it, env reaches the node
	expect_eq "$("$NSLAB" exec $lab pc3 -- cat /proc/sys/net/ipv4/conf/all/arp_announce)" 2 "shared.startup"
	expect_match "$("$NSLAB" exec $lab r1 -- ip -o -4 addr show dev eth1)" "10.9.0.1/24" "r1[exec]"
	expect_eq "$("$NSLAB" exec $lab pc1 -- sh -c 'echo $GREETING')" hello "pc1[env]"
	expect_eq "$("$NSLAB" exec $lab pc1 -- cat /sys/class/net/eth0/address)" 02:00:00:00:00:01 "pc1 mac"
	# systemctl and service in a node: a missing service names its Debian package
	out=$("$NSLAB" exec $lab r1 -- sh -c 'command -v systemctl')
	expect_match "$out" "scripts/kathara/bin/systemctl$|lib/nslab/kathara/bin/systemctl$" "the shim is first in PATH"
	if [ ! -x /etc/init.d/radvd ]; then
		out=$("$NSLAB" exec $lab r1 -- systemctl start radvd 2>&1) && fail "systemctl start radvd succeeded without radvd"
		expect_match "$out" "apt-get install radvd" "missing package named"
		out=$("$NSLAB" exec $lab r1 -- service bind9 start 2>&1) && fail "service bind9 start succeeded without bind9"
		expect_match "$out" "apt-get install bind9" "missing package named"
	fi
}

test_kathara_errors_change_nothing() {
	local lab=${LP}-kbad out
	TEST_LABS="$lab"
	mkdir -p "$TMPD/bad"
	printf 'a[0]=A\nb[0]="A\nc[2]=A\n' >"$TMPD/bad/lab.conf"
	out=$("$NSLAB" deploy --name $lab "$TMPD/bad" 2>&1) && fail "deploy of a bad lab.conf succeeded"
	expect_match "$out" "$TMPD/bad/lab.conf:2:8: error: missing closing quote \"" "error at lab.conf:line:col"
	expect_match "$out" "$TMPD/bad/lab.conf:3:6: error: c has interface 2 but no interface 0" "all errors in one pass"
	expect_eq "$(leftovers $lab)" "" "nothing made"
	# a startup file that fails fails the deploy, which rolls back
	printf 'a[0]=A\nb[0]=A\n' >"$TMPD/bad/lab.conf"
	printf 'echo broken >&2\nexit 3\n' >"$TMPD/bad/b.startup"
	out=$("$NSLAB" deploy --name $lab "$TMPD/bad" 2>&1) && fail "deploy with a failing startup file succeeded"
	expect_match "$out" "broken" "the startup file's output is shown"
	expect_eq "$(leftovers $lab)" "" "rolled back"
}

test_kathara_shutdown_files_run_at_destroy() {
	local lab=${LP}-ksd dir=$TMPD/ksd out
	TEST_LABS="$lab"
	mkdir -p "$dir/lab/shared"
	printf 'a[0]=A\nb[0]=A\n' >"$dir/lab/lab.conf"
	# what the scripts leave must outlive the nodes: nodes have their own files, so they write
	# where Kathará's would, into the lab's shared/ folder (/shared in every node)
	printf 'echo "a $(hostname) $(cat /proc/sys/net/ipv4/ip_forward)" >/shared/a.down\n' >"$dir/lab/a.shutdown"
	printf 'echo "shared $(hostname)" >>/shared/shared.down\n' >"$dir/lab/shared.shutdown"
	ok "$NSLAB" deploy --quiet --name $lab "$dir/lab" || return
	[ -e "$dir/lab/shared/a.down" ] && fail "a.shutdown ran at deploy"
	ok "$NSLAB" destroy $lab
	# a.shutdown in a (inside the node, before it was stopped), shared.shutdown in both
	expect_eq "$(cat "$dir/lab/shared/a.down" 2>/dev/null)" "a a 1" "a.shutdown ran in node a"
	expect_eq "$(sort "$dir/lab/shared/shared.down" 2>/dev/null | tr '\n' ' ')" "shared a shared b " "shared.shutdown ran in every node"
	# a shutdown file that hangs does not hold destroy for more than 10 s
	printf 'sleep 60\n' >"$dir/lab/a.shutdown"
	ok "$NSLAB" deploy --quiet --name $lab "$dir/lab" || return
	out=$( { /usr/bin/time -f %e "$NSLAB" destroy $lab >/dev/null; } 2>&1)
	[ "${out%.*}" -lt 15 ] 2>/dev/null || fail "destroy with a hanging shutdown file took ${out}s"
}

# node_own_root LAB NODE: does the node have a root filesystem of its own (an overlay)?
node_own_root() {
	"$NSLAB" exec "$1" "$2" -- awk '$5 == "/" && / - overlay / { f = 1 } END { exit !f }' /proc/self/mountinfo 2>/dev/null
}

test_kathara_rip_frr() {
	local lab=${LP}-krip out i
	TEST_LABS="$lab"
	if ! kathara_lab main-labs/intradomain-routing/frr/rip/kathara-lab_rip rip; then
		skip "no Kathará corpus at $NSLAB_KATHARA_CORPUS"
		return
	fi
	if [ ! -x /usr/lib/frr/ripd ] || [ ! -x /etc/init.d/frr ]; then
		skip "FRR is not installed (apt-get install frr)"
		return
	fi
	out=$("$NSLAB" deploy --name $lab "$TMPD/rip" 2>&1) || { fail "deploy: $out"; return; }
	if ! node_own_root $lab r1; then
		skip "nodes have no root filesystem of their own: DEVICE/ folders are not copied"
		return
	fi
	# r1's folder is on its root, and FRR runs it: ripd, in the node, with the lab's frr.conf
	expect_match "$("$NSLAB" exec $lab r1 -- cat /etc/frr/frr.conf)" "network 100.1.0.0/16" "r1/etc/frr/frr.conf copied"
	expect_match "$("$NSLAB" exec $lab r1 -- cat /etc/frr/daemons)" "ripd=yes" "r1/etc/frr/daemons copied"
	# RIP converges: r1 learns r4's L (100.1.10.0/24), and r5 behind r4 reaches r1's stub A
	for i in $(seq 60); do
		"$NSLAB" exec $lab r1 -- ip route show 100.1.10.0/24 2>/dev/null | grep -q proto && break
		sleep 1
	done
	expect_match "$("$NSLAB" exec $lab r1 -- ip route show 100.1.10.0/24)" "proto (rip|189)" "r1 learned L by RIP"
	expect_match "$("$NSLAB" exec $lab r1 -- vtysh -c 'show ip rip')" "100.1.10.0/24" "vtysh in the node"
	# r5 learns r1's side too (RIP converges hop by hop: r1 learning r4's L does not mean r5 has
	# learned r1's A yet), then reaches it
	for i in $(seq 60); do
		"$NSLAB" exec $lab r5 -- ping -c 1 -W 1 100.1.1.1 >/dev/null 2>&1 && break
		sleep 1
	done
	ok "$NSLAB" exec $lab r5 -- ping -c 2 -i 0.2 -W 2 100.1.1.1
	echo "    r5 reached r1's network after ${i} s of RIP"
	# the host's FRR configuration is untouched
	expect_eq "$(grep -c 'network 100.1.0.0/16' /etc/frr/frr.conf 2>/dev/null)" 0 "host /etc/frr/frr.conf"
}
