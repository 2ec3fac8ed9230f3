#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/vm/no_ipv6.sh: runs inside the kernel-vm guest booted with ipv6.disable=1 (no IPv6 in any
# namespace, no /proc/sys/net/ipv6): a lab with mgmt: and a chain of linux nodes deploys with one
# warning (the default IPv6 management subnet is left out), forwards IPv4 across the chain, the
# host reaches a node's management address; files that ask for IPv6 fail with one error naming the
# object and leave nothing; destroy leaves nothing. Booted with ipv6.disable_ipv6=1 instead (IPv6
# off on every new interface), a dual-stack lab works. Started by tests/vm/no_ipv6_run.sh. Prints
# "no_ipv6: CHECK name PASS|FAIL" lines.
exec 2>&1
NSLAB=/qn/bin/nslab
IP=/usr/sbin/ip
LAB=it-vmno6
D=/tmp/no6
rc=0
check() { # NAME COMMAND...
	n=$1
	shift
	if "$@" >/dev/null 2>&1; then echo "no_ipv6: CHECK $n PASS"; else echo "no_ipv6: CHECK $n FAIL"; rc=1; fi
}
# what a lab may leave behind: host interfaces, state, mounts, cgroups, node inits
state() {
	$IP -o link | awk '{ print $2 }'
	ls /run/nslab /run/netns 2>/dev/null
	grep -c nslab /proc/self/mountinfo
	find /sys/fs/cgroup -name "nslab*" 2>/dev/null
	grep -lxE 'nslab-init|nslab-spawner' /proc/[0-9]*/comm 2>/dev/null | wc -l
}
for m in overlay llc stp bridge; do
	[ -d /sys/module/$m ] || insmod /qn/mod/$m.ko 2>/dev/null || true
done
mkdir -p $D

# booted with ipv6.disable_ipv6=1 instead: IPv6 exists, but every new interface starts without it;
# the nodes turn it on for themselves (a sysctl of the file may turn it off again)
if grep -q 'ipv6.disable_ipv6=1' /proc/cmdline; then
	check new-namespaces-start-off [ "$(unshare -n cat /proc/sys/net/ipv6/conf/default/disable_ipv6)" = 1 ]
	cat > $D/six.yml <<YML
name: $LAB
mgmt: {}
topology:
  nodes:
    a: {kind: linux}
    b: {kind: linux}
    c: {kind: linux, sysctls: {net.ipv6.conf.all.disable_ipv6: 1}}
  links:
    - endpoints: [{node: a, interface: eth1, ipv6: "fd00:6::1/64"}, {node: b, interface: eth1, ipv6: "fd00:6::2/64"}]
    - endpoints: [a:eth2, c:eth1]
YML
	state > $D/before
	$NSLAB deploy --quiet $D/six.yml > $D/six.out 2>&1
	st=$?
	cat $D/six.out
	check deploy [ $st = 0 ]
	check nothing-printed [ ! -s $D/six.out ]
	check link-v6-ping $NSLAB exec $LAB a -- ping -c 2 -W 2 fd00:6::2
	check mgmt-v6-from-host ping -c 1 -W 2 3fff:172:20:20::3
	check mgmt-v4-from-host ping -c 1 -W 2 172.20.20.2
	check node-v6-on [ "$($NSLAB exec $LAB b -- cat /proc/sys/net/ipv6/conf/eth1/disable_ipv6)" = 0 ]
	check file-turns-it-off [ "$($NSLAB exec $LAB c -- cat /proc/sys/net/ipv6/conf/eth1/disable_ipv6)" = 1 ]
	check host-default-unchanged [ "$(cat /proc/sys/net/ipv6/conf/default/disable_ipv6)" = 1 ]
	# a link added later is a new interface too: it has IPv6 (all = 0 set the node's default)
	check link-add-v6 $NSLAB link $LAB add a:eth5 b:eth5 --addr a:eth5=fd00:7::1/64 --addr b:eth5=fd00:7::2/64
	check link-add-v6-ping $NSLAB exec $LAB a -- ping -c 2 -W 2 fd00:7::2
	check destroy $NSLAB destroy $LAB
	state > $D/after
	check nothing-left cmp $D/before $D/after
	diff $D/before $D/after
	exit $rc
fi

check kernel-has-no-ipv6 sh -c '! [ -e /proc/sys/net/ipv6 ]'
cat > $D/lab.yml <<YML
name: $LAB
mgmt: {}
topology:
  nodes:
    a: {kind: linux, routes: [{dst: 10.0.2.0/24, via: 10.0.1.2}]}
    r: {kind: linux}
    b: {kind: linux, routes: [{dst: 10.0.1.0/24, via: 10.0.2.1}]}
  links:
    - endpoints: [{node: a, interface: eth1, ipv4: 10.0.1.1/24}, {node: r, interface: eth1, ipv4: 10.0.1.2/24}]
    - endpoints: [{node: r, interface: eth2, ipv4: 10.0.2.1/24}, {node: b, interface: eth1, ipv4: 10.0.2.2/24}]
YML
state > $D/before
$NSLAB deploy --quiet $D/lab.yml > $D/out 2>&1
st=$?
cat $D/out
check deploy [ $st = 0 ]
check one-warning [ "$(grep -c 'warning: the host has IPv6 disabled' $D/out)" = 1 ]
check nothing-else-printed [ "$(wc -l < $D/out)" = 1 ]
check ping-across-chain $NSLAB exec $LAB a -- ping -c 2 -W 2 10.0.2.2
check forwarding-v4 [ "$($NSLAB exec $LAB r -- cat /proc/sys/net/ipv4/ip_forward)" = 1 ]
check mgmt-eth0-v4 sh -c "$NSLAB exec $LAB a -- $IP -4 -o addr show eth0 | grep -q 'inet 172.20.20.2/24'"
check host-to-mgmt ping -c 1 -W 2 172.20.20.2
check node-to-gateway $NSLAB exec $LAB b -- ping -c 1 -W 2 172.20.20.1
check names $NSLAB exec $LAB a -- ping -c 1 -W 2 b
check localhost $NSLAB exec $LAB a -- ping -c 1 -W 2 localhost
check inspect sh -c "$NSLAB inspect --json $LAB | grep -q 172.20.20.1/24"
# a link added with an IPv6 address: one line saying why, nothing made; IPv4 works
$NSLAB link $LAB add a:eth5 b:eth5 --addr a:eth5=fd00:7::1/64 > $D/ladd.out 2>&1
st=$?
cat $D/ladd.out
check link-add-v6-fails [ $st = 1 ]
check link-add-v6-says-why grep -q 'fd00:7::1/64 on a:eth5: this host has no IPv6' $D/ladd.out
check link-add-v6-nothing-made sh -c "! $NSLAB exec $LAB a -- $IP link show eth5"
check link-add-v4 $NSLAB link $LAB add a:eth5 b:eth5 --addr a:eth5=10.0.5.1/24 --addr b:eth5=10.0.5.2/24
check link-add-v4-ping $NSLAB exec $LAB a -- ping -c 2 -W 2 10.0.5.2
check destroy $NSLAB destroy $LAB
state > $D/after
check nothing-left cmp $D/before $D/after
diff $D/before $D/after

# files that ask for IPv6: one error naming the object, exit 1, nothing made
bad() { # NAME SED-SCRIPT EXPECTED-TEXT
	sed -e "$2" $D/lab.yml > $D/$1.yml
	$NSLAB deploy --quiet $D/$1.yml > $D/$1.out 2>&1
	st=$?
	cat $D/$1.out
	check $1-fails [ $st = 1 ]
	check $1-one-error [ "$(grep -c 'error:' $D/$1.out)" = 1 ]
	check $1-names-it grep -q "$3.*the host has IPv6 disabled" $D/$1.out
	state > $D/$1.after
	check $1-nothing-made cmp $D/before $D/$1.after
}
bad mgmt-subnet 's|^mgmt: {}|mgmt: {ipv6-subnet: "fd00:6::/64"}|' 'mgmt asks for the IPv6 subnet fd00:6::/64'
bad mgmt-ipv6 's|    r: {kind: linux}|    r: {kind: linux, mgmt-ipv6: "3fff:172:20:20::9"}|' 'node r: mgmt-ipv6 3fff:172:20:20::9'
bad iface-addr 's|ipv4: 10.0.1.1/24}|ipv4: 10.0.1.1/24, ipv6: "fd00::1/64"}|' 'node a: interface eth1 has the IPv6 address fd00::1/64'
bad v6-sysctl 's|    r: {kind: linux}|    r: {kind: linux, sysctls: {net.ipv6.conf.all.forwarding: 0}}|' 'node r: sysctl net.ipv6.conf.all.forwarding'
# turning IPv6 off is no request for it (Kathará's default): deploys
sed -e 's|    r: {kind: linux}|    r: {kind: linux, sysctls: {net.ipv6.conf.all.disable_ipv6: 1}}|' -e '/^mgmt/d' $D/lab.yml > $D/off.yml
check disable-ipv6-sysctl-deploys $NSLAB deploy --quiet $D/off.yml
check off-ping $NSLAB exec $LAB a -- ping -c 1 -W 2 10.0.2.2
check off-destroy $NSLAB destroy $LAB
state > $D/off.after
check off-nothing-left cmp $D/before $D/off.after
exit $rc
