#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/vm/vlan.sh: runs inside the kernel-vm guest (stock Debian kernel, which has 802.1Q and bridge
# VLAN filtering, both missing on the machine nslab is developed on). Started by tests/vm/vlan_run.sh.
# 1. examples/vlan (/qn/lab/vlan.clab.yml): what its README promises, measured: the nodes' eth1.10
#    are 802.1Q subinterfaces, h1 reaches h3 in VLAN 10 with no router (ttl 64) and h2 in VLAN 20
#    through r1 (ttl 63); h1 cannot reach h2 at layer 2 from VLAN 10 (an address of VLAN 20's subnet
#    on h1's eth1.10 gets no answer) while the same address on a VLAN 20 subinterface does; the bridge
#    sees frames tagged 10 and 20 (tcpdump on sw's port to r1); destroy leaves nothing.
# 2. the corpus file kyanagis d1-vlan (/qn/corpus/d1-vlan/topo.clab.yml, unchanged): its exec makes
#    a VLAN-filtering bridge in sw1 and sw2; every link end is up, every node answers the guest and
#    each other on its management address (the file's only addresses); then, with the addresses and
#    bridge VLANs of the lab's own solution.conf: nothing crosses the bridges before the VLANs are
#    assigned, h1-h3 (VLAN 10) and h2-h4 (VLAN 20) talk across the trunk, h1-h2, h1-h4, h3-h2 do not;
#    destroy leaves nothing.
# Prints "vlan: CHECK name PASS|FAIL [text]" lines; exits 1 on any FAIL.
exec 2>&1
NSLAB=/qn/bin/nslab
PING=/usr/bin/ping
IP=/usr/sbin/ip
EX=vmvlan-ex
D1=vmvlan-d1
D1DIR=/qn/corpus/d1-vlan
rc=0
W=/tmp/vlan
mkdir -p $W

pass() { echo "vlan: CHECK $1 PASS${2:+ $2}"; }
failc() { echo "vlan: CHECK $1 FAIL${2:+ $2}"; rc=1; }
check() { # NAME COMMAND...: the command must succeed
	n=$1
	shift
	if "$@" >$W/out 2>&1; then pass "$n"; else failc "$n" "$(head -c 300 $W/out | tr '\n' ' ')"; fi
}
# ping_ok LAB NODE DST [TTL]: 3 echoes, all answered (and with that TTL)
ping_ok() {
	out=$($NSLAB exec "$1" "$2" -- $PING -n -c 3 -i 0.2 -W 2 "$3" 2>&1)
	echo "$out" | grep -q ' 3 received' || { echo "$out"; return 1; }
	[ -z "$4" ] || echo "$out" | grep -q "ttl=$4 " || { echo "$out"; return 1; }
}
# ping_none LAB NODE DST: 3 echoes, none answered
ping_none() {
	out=$($NSLAB exec "$1" "$2" -- $PING -n -c 3 -i 0.2 -W 1 "$3" 2>&1)
	echo "$out" | grep -q ' 0 received'
}
# in_lab LAB NODE SHELL-LINE: run a line with the node's /bin/sh (as its exec commands run)
in_lab() { $NSLAB exec "$1" "$2" -- /bin/sh -c "$3" </dev/null; }

# leftovers LAB: every trace of LAB in the guest (empty = clean); as tests/integration/lib.sh, and the
# guest is ours alone: no node init may be left at all
leftovers() {
	[ -e "/run/nslab/$1" ] && echo "state dir /run/nslab/$1"
	ls /run/netns 2>/dev/null | grep -F "nslab-$1." | sed 's/^/netns handle /'
	grep -F "nslab-$1." /proc/self/mountinfo | sed 's/^/mount /'
	awk -v d="/run/nslab/$1" '$5 == d || index($5, d "/") == 1 { print "mount " $5 }' /proc/self/mountinfo
	find /sys/fs/cgroup -maxdepth 3 -name "nslab.lab-$1" 2>/dev/null | sed 's/^/cgroup /'
	$IP -o link | grep -F "alias nslab:$1" | sed 's/^/host interface /'
	grep -lxE 'nslab-init|nslab-spawner' /proc/[0-9]*/comm 2>/dev/null | sed 's/^/process /'
	$IP -o link | awk '{ print $2 }' | sed 's/@.*//' | sort > $W/links-after
	cmp -s $W/links-before $W/links-after || echo "interfaces: before $(tr '\n' ' ' < $W/links-before), after $(tr '\n' ' ' < $W/links-after)"
}
destroyed_clean() { # NAME LAB
	check "$1-destroy" $NSLAB destroy "$2"
	left=$(leftovers "$2")
	if [ -z "$left" ]; then pass "$1-nothing-left"; else failc "$1-nothing-left" "$(echo "$left" | tr '\n' ';')"; fi
}

# modules the stock kernel has as .ko files (tests/vm/vlan_run.sh adds them), in dependency order
for m in overlay llc stp bridge garp mrp 8021q; do
	[ -d /sys/module/$m ] || insmod /qn/mod/$m.ko || echo "vlan: cannot load $m"
done
# the guest's /etc is nearly empty: nodes bind-mount their generated hosts file over /etc/hosts
[ -e /etc/hosts ] || echo '127.0.0.1 localhost' > /etc/hosts
# A node's exec lines run with /bin/sh. The guest's sh is busybox, whose sh runs its own `ip` applet
# first: that one ignores `type bridge vlan_filtering 1` (the bridge would be made without filtering)
# and knows no `bridge`. A Debian host's /bin/sh is dash, which finds the real ip and bridge on PATH.
ln -sf dash /usr/bin/sh
$IP -o link | awk '{ print $2 }' | sed 's/@.*//' | sort > $W/links-before

# ---- 1. examples/vlan ---------------------------------------------------------------------------
if $NSLAB deploy --quiet --name $EX /qn/lab/vlan.clab.yml > $W/out 2>&1; then
	pass ex-deploy
	for n in r1 h1 h3; do
		check ex-$n-eth1.10-is-802.1q sh -c "$NSLAB exec $EX $n -- $IP -d link show eth1.10 | grep -q 'vlan protocol 802.1Q id 10 '"
	done
	check ex-h2-eth1.20-is-802.1q sh -c "$NSLAB exec $EX h2 -- $IP -d link show eth1.20 | grep -q 'vlan protocol 802.1Q id 20 '"
	check ex-h1-h3-same-vlan-ttl64 ping_ok $EX h1 10.10.0.13 64
	check ex-h3-h1-same-vlan-ttl64 ping_ok $EX h3 10.10.0.11 64
	check ex-h1-r1-vlan10 ping_ok $EX h1 10.10.0.1 64
	check ex-h2-r1-vlan20 ping_ok $EX h2 10.20.0.1 64
	check ex-h1-h2-through-r1-ttl63 ping_ok $EX h1 10.20.0.12 63
	check ex-h2-h3-through-r1-ttl63 ping_ok $EX h2 10.10.0.13 63
	# layer 2: from VLAN 10, h2's address is unreachable even with a VLAN 20 subnet address on h1
	# (h1 asks by ARP in VLAN 10, where h2 does not listen); the same address on a VLAN 20
	# subinterface reaches h2 directly (ttl 64): the control that the first one can pass
	in_lab $EX h1 "ip addr add 10.20.0.99/24 dev eth1.10" >/dev/null 2>&1
	check ex-h1-vlan10-no-l2-to-h2 ping_none $EX h1 10.20.0.12
	in_lab $EX h1 "ip addr del 10.20.0.99/24 dev eth1.10; ip neigh flush dev eth1.10" >/dev/null 2>&1
	in_lab $EX h1 "ip link add link eth1 name eth1.20 type vlan id 20 && ip addr add 10.20.0.99/24 dev eth1.20 && ip link set eth1.20 up" >/dev/null 2>&1
	check ex-h1-vlan20-control-l2-to-h2-ttl64 ping_ok $EX h1 10.20.0.12 64
	in_lab $EX h1 "ip link del eth1.20" >/dev/null 2>&1
	# the tags on the wire: sw's port to r1 (p1) carries h1's echo in VLAN 10 and r1's forward in
	# VLAN 20 (the README's tcpdump)
	if [ -x /usr/bin/tcpdump ]; then
		$NSLAB exec $EX sw -- timeout 15 /usr/bin/tcpdump -Z root -l -eni p1 -c 8 vlan > $W/tags 2>&1 &
		tp=$!
		# ping once tcpdump listens (it says so on stderr; the emulated machine may take seconds)
		for _ in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
			grep -qs 'listening on' $W/tags && break
			sleep 0.5
		done
		$NSLAB exec $EX h1 -- $PING -n -c 4 -i 0.2 -W 2 10.20.0.12 >/dev/null 2>&1
		wait $tp
		if grep -q 'vlan 10,' $W/tags && grep -q 'vlan 20,' $W/tags; then
			pass ex-tags-10-and-20-on-sw-p1 "$(grep -c 'vlan 10,' $W/tags) frames tagged 10, $(grep -c 'vlan 20,' $W/tags) tagged 20"
		else
			failc ex-tags-10-and-20-on-sw-p1 "$(head -c 400 $W/tags | tr '\n' ' ')"
		fi
	else
		echo "vlan: SKIP ex-tags: no tcpdump in the guest (not installed on the host)"
	fi
	destroyed_clean ex $EX
else
	failc ex-deploy "$(head -c 400 $W/out | tr '\n' ' ')"
	$NSLAB destroy $EX >/dev/null 2>&1
fi

# ---- 2. corpus kyanagis d1-vlan --------------------------------------------------------------------
if $NSLAB deploy --quiet --name $D1 $D1DIR/topo.clab.yml > $W/out 2>&1; then
	pass d1-deploy
	for s in sw1 sw2; do
		check d1-$s-br0-vlan-filtering sh -c "$NSLAB exec $D1 $s -- $IP -d link show br0 | grep -q 'vlan_filtering 1 '"
	done
	# every link end the file names is up (endpoints: ["sw1:eth1", "h1:eth1"], ...)
	ends=$(grep -o '"[a-z0-9]*:eth[0-9]*"' $D1DIR/topo.clab.yml | tr -d '"' | sort -u)
	nends=0 nup=0
	for e in $ends; do
		nends=$((nends + 1))
		if $NSLAB exec $D1 ${e%%:*} -- $IP -o link show ${e#*:} 2>&1 | grep -q 'state UP'; then
			nup=$((nup + 1))
		else
			echo "vlan: $e is not up: $($NSLAB exec $D1 ${e%%:*} -- $IP -o link show ${e#*:} 2>&1)"
		fi
	done
	if [ $nends -eq 10 ] && [ $nup -eq $nends ]; then pass d1-links-up "$nup of $nends ends"; else failc d1-links-up "$nup of $nends ends up (the file has 10)"; fi
	# the file's addresses: the management network 172.30.30.0/24 (eth0 in every node)
	nodes=$(grep -o '^    [a-z0-9]*:' $D1DIR/topo.clab.yml | tr -d ' :')
	maddrs=
	for n in $nodes; do
		a=$($NSLAB exec $D1 $n -- $IP -4 -o addr show eth0 | sed -n 's/.* inet \(172\.30\.30\.[0-9]*\)\/24.*/\1/p')
		[ -n "$a" ] || failc d1-mgmt-addr-$n "no 172.30.30.0/24 address on eth0"
		maddrs="$maddrs $n=$a"
	done
	echo "vlan: d1 management addresses:$maddrs"
	for na in $maddrs; do
		check d1-guest-to-${na%%=*}-mgmt sh -c "$PING -n -c 2 -i 0.2 -W 2 ${na#*=} | grep -q ' 2 received'"
	done
	first=${maddrs# }
	first=${first%% *}
	for na in $maddrs; do
		[ "$na" = "$first" ] && continue
		check d1-${first%%=*}-to-${na%%=*}-mgmt ping_ok $D1 ${first%%=*} ${na#*=}
	done
	# the data plane, with the lab's own solution.conf ("node: command" lines): the hosts' addresses
	# first; a VLAN-filtering bridge whose ports left VLAN 1 forwards nothing yet
	grep '^h[0-9]*: ' $D1DIR/solution.conf > $W/sol-hosts
	grep '^sw[0-9]*: ' $D1DIR/solution.conf > $W/sol-switches
	while IFS= read -r l; do in_lab $D1 "${l%%:*}" "${l#*: }" || failc d1-solution-line "$l"; done < $W/sol-hosts
	check d1-h1-h3-before-vlans ping_none $D1 h1 10.0.0.3
	check d1-h1-h2-before-vlans ping_none $D1 h1 10.0.0.2
	while IFS= read -r l; do in_lab $D1 "${l%%:*}" "${l#*: }" || failc d1-solution-line "$l"; done < $W/sol-switches
	check d1-sw1-eth1-pvid-10 sh -c "$NSLAB exec $D1 sw1 -- /usr/sbin/bridge vlan show dev eth1 | grep -q '10 PVID Egress Untagged'"
	check d1-h1-h3-vlan10-over-trunk ping_ok $D1 h1 10.0.0.3 64
	check d1-h2-h4-vlan20-over-trunk ping_ok $D1 h2 10.0.0.4 64
	check d1-h3-h1-vlan10 ping_ok $D1 h3 10.0.0.1 64
	check d1-h1-h2-other-vlan-blocked ping_none $D1 h1 10.0.0.2
	check d1-h1-h4-other-vlan-blocked ping_none $D1 h1 10.0.0.4
	check d1-h3-h2-other-vlan-blocked ping_none $D1 h3 10.0.0.2
	destroyed_clean d1 $D1
else
	failc d1-deploy "$(head -c 400 $W/out | tr '\n' ' ')"
	$NSLAB destroy $D1 >/dev/null 2>&1
fi

if [ $rc = 0 ]; then echo "vlan: PASS"; else echo "vlan: FAIL"; fi
exit $rc
