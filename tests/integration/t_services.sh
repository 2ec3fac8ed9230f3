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
	# the first IPv6 packets wait for the link-local addresses' DAD (about 2 s): a reply to any
	ok "$NSLAB" exec $lab a -- ping -6 -c 4 -i 0.5 -W 5 2001:db8:2::2
	expect_eq "$("$NSLAB" exec $lab m -- cat /proc/sys/net/ipv6/conf/eth2/forwarding)" 1 "m eth2 ipv6 forwarding"
	expect_eq "$("$NSLAB" exec $lab off -- cat /proc/sys/net/ipv4/ip_forward)" 0 "sysctls override ip_forward"
	expect_eq "$("$NSLAB" exec $lab off -- cat /proc/sys/net/ipv6/conf/all/forwarding)" 0 "sysctls override ipv6 forwarding"
}

# Names resolve to what nodes really hold, including addresses that exec commands set (the usual
# way in containerlab files), in every node; the hosts file is one inode, rewritten in place.
test_names_of_exec_addresses() {
	local lab=${LP}-names f=$TMPD/names.clab.yml out
	TEST_LABS="$lab"
	cat > "$f" <<'YML'
name: names
topology:
  nodes:
    pc1:
      kind: linux
      exec: ["ip addr add 10.9.0.1/24 dev eth1", "ip addr add 2001:db8:9::1/64 dev eth1 nodad"]
    pc2:
      kind: linux
      exec: ["ip addr add 10.9.0.2/24 dev eth1", "ip addr add 2001:db8:9::2/64 dev eth1 nodad"]
    r: {kind: linux, interfaces: {lo: {ipv4: 10.255.0.9/32}}}
  links:
    - endpoints: ["pc1:eth1", "pc2:eth1"]
YML
	ok "$NSLAB" deploy --quiet --name $lab "$f" || return
	ok "$NSLAB" exec $lab pc2 -- ping -c 1 -W 2 pc1
	ok "$NSLAB" exec $lab pc1 -- ping -c 1 -W 2 pc2
	ok "$NSLAB" exec $lab pc2 -- ping -6 -c 4 -i 0.5 -W 5 pc1
	out=$("$NSLAB" exec $lab r -- getent ahostsv4 pc2 | head -n 1)
	expect_match "$out" "^10\.9\.0\.2 +STREAM pc2" "pc2 named in a third node"
	out=$("$NSLAB" exec $lab r -- getent ahostsv4 r | head -n 1)
	expect_match "$out" "^10\.255\.0\.9 +STREAM r" "file address still named"
	out=$("$NSLAB" exec $lab pc1 -- cat /etc/hosts)
	expect_eq "$(echo "$out" | grep -c fe80)" 0 "no link-local address named"
}

# Every link end is oper-up when deploy returns (the kernel's link watch defers some carrier
# changes by up to a second): checked at once, on a chain of 60 nodes, three times.
test_links_up_when_deploy_returns() {
	local lab=${LP}-up f=$TMPD/up.clab.yml i down
	TEST_LABS="$lab"
	"$(dirname "$EXAMPLES")/bench/gen.sh" chain 60 up > "$f"
	for i in 1 2 3; do
		ok "$NSLAB" deploy --quiet --name $lab "$f" || return
		down=$(for n in $(seq 60); do ip -n nslab-$lab.n$n -o link show up 2>/dev/null | grep -c NO-CARRIER; done | awk '{s += $1} END {print s}')
		expect_eq "$down" 0 "ends without carrier right after deploy (round $i)"
		down=$(for n in $(seq 60); do ip -n nslab-$lab.n$n -o link show 2>/dev/null | grep -c "state UP"; done | awk '{s += $1} END {print s}')
		expect_eq "$down" 118 "ends in state UP right after deploy (round $i)"
		ok "$NSLAB" destroy $lab
	done
}

# frr_conf_dir DIR N: an FRR node's /etc/frr/daemons (zebra, ospfd) and frr.conf (10.0.0.N/24 on
# eth1, 10.255.0.N/32 on lo, OSPF over both), as containerlab labs bind them
frr_conf_dir() {
	mkdir -p "$1"
	cat > "$1/daemons" <<'DMN'
zebra=yes
ospfd=yes
bgpd=no
vtysh_enable=yes
zebra_options="  -A 127.0.0.1 -s 90000000"
ospfd_options="  -A 127.0.0.1"
staticd_options="-A 127.0.0.1"
DMN
	cat > "$1/frr.conf" <<CONF
frr defaults traditional
hostname r$2
!
interface eth1
 ip address 10.0.0.$2/24
 ip ospf network point-to-point
!
interface lo
 ip address 10.255.0.$2/32
!
router ospf
 network 10.0.0.0/24 area 0
 network 10.255.0.$2/32 area 0
!
CONF
}

# An FRR image starts watchfrr and the daemons the node's /etc/frr/daemons enables, with the
# node's frr.conf, once links are up and before exec; zebra's addresses are named in /etc/hosts;
# OSPF learns the peer's loopback; destroy stops every daemon.
test_frr_image_starts_daemons() {
	local lab=${LP}-frr f=$TMPD/frr.clab.yml out i pids
	TEST_LABS="$lab"
	[ -x /usr/lib/frr/watchfrr ] || { skip "FRR is not installed (scripts/install-deps.sh installs frr)"; return; }
	frr_conf_dir "$TMPD/frr/r1" 1
	frr_conf_dir "$TMPD/frr/r2" 2
	cat > "$f" <<YML
name: frr
topology:
  groups:
    routers: {kind: linux, image: "quay.io/frrouting/frr:10.5.1"}
  nodes:
    r1:
      group: routers
      binds: ["$TMPD/frr/r1/daemons:/etc/frr/daemons", "$TMPD/frr/r1/frr.conf:/etc/frr/frr.conf"]
      exec: ["pgrep -x zebra"]
    r2:
      group: routers
      binds: ["$TMPD/frr/r2/daemons:/etc/frr/daemons", "$TMPD/frr/r2/frr.conf:/etc/frr/frr.conf"]
  links:
    - endpoints: ["r1:eth1", "r2:eth1"]
YML
	# exec runs after the daemons started: pgrep finds zebra or the deploy fails
	ok "$NSLAB" deploy --quiet --name $lab "$f" || return
	out=$("$NSLAB" exec $lab r1 -- vtysh -c "show daemons")
	expect_match "$out" "zebra" "vtysh answers in r1"
	expect_match "$out" "ospfd" "ospfd enabled by the node's daemons file"
	out=$("$NSLAB" exec $lab r1 -- pgrep -x bgpd) && fail "bgpd runs though daemons says no"
	# the route to r2's loopback is learned by OSPF (bounded)
	for i in $(seq 60); do
		out=$("$NSLAB" exec $lab r1 -- ip route show 10.255.0.2)
		[ -n "$out" ] && break
		sleep 0.5
	done
	expect_match "$out" "10.255.0.2 .*proto (ospf|188)" "r1 learned r2's loopback by OSPF"
	ok "$NSLAB" exec $lab r1 -- ping -c 1 -W 2 10.255.0.2
	ok "$NSLAB" exec $lab r2 -- ping -c 1 -W 2 r1
	pids=$(for n in r1 r2; do ip netns pids nslab-$lab.$n; done | tr '\n' ' ')
	ok "$NSLAB" destroy $lab
	wait_gone $pids || fail "FRR processes left after destroy: $pids"
}

# destroy stops a node's processes with SIGTERM and waits for them, so a daemon cleans up after
# itself: here a service whose TERM trap removes a file in a host directory bound into the node.
test_services_stop_cleanly_on_destroy() {
	local lab=${LP}-stop f=$TMPD/stop.clab.yml p=$TMPD/profiles.json
	TEST_LABS="$lab"
	mkdir -p "$TMPD/stop"
	cat > "$p" <<'JSON'
{"profiles": [{"name": "trapper", "images": ["nslab-test/trapper"],
  "start": "sh -c 'trap \"rm -f /mnt/alive; exit 0\" TERM; touch /mnt/alive; while :; do sleep 0.1; done' </dev/null >/dev/null 2>&1 &",
  "needs": {"/bin/sh": "dash"}}]}
JSON
	cat > "$f" <<YML
name: stop
topology:
  nodes:
    d: {kind: linux, image: "nslab-test/trapper:1", binds: ["$TMPD/stop:/mnt"]}
YML
	NSLAB_PROFILES=$p ok "$NSLAB" deploy --quiet --name $lab "$f" || return
	# it runs in the background: give it time to set its trap and make its file
	for _ in $(seq 50); do [ -e "$TMPD/stop/alive" ] && break; sleep 0.1; done
	[ -e "$TMPD/stop/alive" ] || fail "the service did not start (no /mnt/alive)"
	ok "$NSLAB" destroy $lab
	[ -e "$TMPD/stop/alive" ] && fail "the service was killed, not stopped: its TERM trap did not run"
}

# A profile needing a program the host lacks fails the deploy in one line naming the Debian
# package, and changes nothing; an image without a profile and a cmd whose program is missing warn.
test_profile_missing_package() {
	local lab=${LP}-miss f=$TMPD/miss.clab.yml out
	TEST_LABS="$lab"
	if [ -x /usr/sbin/keepalived ]; then skip "keepalived is installed here"; return; fi
	cat > "$f" <<'YML'
name: miss
topology:
  nodes:
    v1: {kind: linux, image: "ghcr.io/paul-weqe/keepalived:latest"}
YML
	out=$("$NSLAB" deploy --name $lab "$f" 2>&1) && fail "deploy without keepalived succeeded"
	expect_eq "$(echo "$out" | wc -l)" 1 "one line"
	expect_match "$out" "node v1: image ghcr.io/paul-weqe/keepalived:latest \(profile keepalived\) needs /usr/sbin/keepalived: install the Debian package keepalived" "names the package"
	[ -e /run/nslab/$lab ] && fail "the failed deploy left /run/nslab/$lab"
	cat > "$f" <<'YML'
name: miss
topology:
  nodes:
    w: {kind: linux, image: "nginx:stable-alpine"}
    a: {kind: linux, image: "alpine:3", cmd: ash -c "sleep 9999"}
    t: {kind: linux, image: "alpine:3", cmd: tail -f /dev/null}
YML
	out=$("$NSLAB" deploy --quiet --name $lab "$f" 2>&1 >/dev/null) || { fail "deploy failed: $out"; return; }
	expect_match "$out" "warning: image nginx:stable-alpine: no profile" "warns about an image without a profile"
	expect_match "$out" "warning: node a: cmd .* ash is not on this host" "warns about a missing cmd program"
	# t's cmd runs, as the node's main process would
	ok "$NSLAB" exec $lab t -- pgrep -x tail
}
