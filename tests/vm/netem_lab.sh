#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/vm/netem_lab.sh: runs inside the kernel-vm guest (root, stock Debian kernel with sch_netem):
# deploys a two-node lab with nslab and measures what `nslab link` and the topology's impairments do
# to real traffic: RTT rises by the delay on both ends, round-trip loss within 3 sigma of
# 1-(1-p)^2, a runtime set keeps the other settings, reset restores the baseline.
# Started by tests/vm/netem_lab_run.sh. Prints "netem_lab: CHECK name PASS|FAIL text" lines.
exec 2>&1
NSLAB=/qn/bin/nslab
PING=/usr/bin/ping
LAB=it-vmnetem
rc=0
W=/tmp/netem_lab
mkdir -p $W

check() { # check NAME AWK-CONDITION TEXT
	if awk "BEGIN { exit !($2) }"; then
		echo "netem_lab: CHECK $1 PASS $3"
	else
		echo "netem_lab: CHECK $1 FAIL $3 (want $2)"
		rc=1
	fi
}

# pingstat COUNT INTERVAL: a -> b; sets TX RX AVG MIN
pingstat() {
	out=$($NSLAB exec $LAB a -- $PING -n -q -c "$1" -i "$2" -W 2 10.0.0.2 2>&1)
	TX=$(echo "$out" | sed -n 's/^\([0-9]*\) packets transmitted.*/\1/p')
	RX=$(echo "$out" | sed -n 's/.* \([0-9]*\) received.*/\1/p')
	rtt=$(echo "$out" | sed -n 's/^rtt [^=]*= \([^ ]*\) ms.*/\1/p')
	MIN=$(echo "$rtt" | cut -d/ -f1)
	AVG=$(echo "$rtt" | cut -d/ -f2)
	: "${TX:=0}" "${RX:=0}" "${AVG:=-1}" "${MIN:=-1}"
}

# the guest's /etc is nearly empty: nodes bind-mount their generated hosts file over /etc/hosts
[ -e /etc/hosts ] || echo '127.0.0.1 localhost' > /etc/hosts

# kernel-vm loads ifb, which makes ifb0/ifb1 (ifindex 2, 3) in the root namespace. Kernel 6.1 checks
# a new veth's requested ifindex in the namespace of the netlink socket, not the destination; nslab
# sends its veths from an empty staging namespace, so they are left in place on purpose: the
# deploy below proves nslab's fixed ifindexes do not clash with the host's.

cat > $W/lab.yml <<'YML'
name: vmnetem
topology:
  nodes:
    a: {kind: linux, interfaces: {eth1: {ipv4: 10.0.0.1/24}}}
    b: {kind: linux, interfaces: {eth1: {ipv4: 10.0.0.2/24}}}
  links:
    - endpoints: ["a:eth1", "b:eth1"]
      delay: 20ms
YML

if ! $NSLAB deploy --quiet --name $LAB $W/lab.yml > $W/deploy 2>&1; then
	echo "netem_lab: CHECK deploy FAIL nslab deploy failed: $(cat $W/deploy)"
	exit 1
fi
echo "netem_lab: CHECK deploy PASS lab deployed with delay 20ms on the link"

# 1. the topology's delay: 20 ms on both ends -> RTT ~40 ms
pingstat 20 0.05
check topo-delay "$RX == 20 && $MIN >= 39.5 && $AVG >= 38 && $AVG <= 60" "delay 20ms in the file: avg $AVG min $MIN ms ($RX/20)"

# 2. baseline after reset (no qdisc)
out=$($NSLAB link $LAB a:eth1 reset -v 2>&1)
echo "netem_lab: reset: $out"
pingstat 20 0.05
BASE=$AVG
check reset-baseline "$RX == 20 && $AVG < 15" "after reset: avg $AVG ms ($RX/20)"
$NSLAB exec $LAB a -- /usr/sbin/tc qdisc show dev eth1 > $W/q 2>&1
check reset-qdisc "$(grep -c netem $W/q) == 0" "no netem after reset: $(head -1 $W/q)"

# 3. runtime delay on both ends -> RTT rises by ~100 ms
out=$($NSLAB link $LAB a:eth1 set --delay 50ms -v 2>&1)
echo "netem_lab: set --delay 50ms: $out"
pingstat 30 0.05
check runtime-delay "$RX == 30 && $MIN >= 99.5 && $AVG - $BASE >= 95 && $AVG - $BASE <= 130" "set --delay 50ms: avg $AVG (baseline $BASE, rise $(awk "BEGIN{print $AVG-$BASE}")) min $MIN ms"

# 4. loss 20% on both ends, keeping the delay: round-trip loss 1-(0.8)^2 = 36%, 3 sigma over 400 pings
out=$($NSLAB link $LAB a:eth1 set --loss 20% -v 2>&1)
echo "netem_lab: set --loss 20%: $out"
$NSLAB link $LAB a:eth1 show > $W/show 2>&1
cat $W/show | sed 's/^/netem_lab: show: /'
check set-keeps-delay "$(grep -c 'delay 50ms, loss 20%' $W/show) == 2" "show: both ends have delay 50ms and loss 20%"
pingstat 400 0.01
LOSS=$(awk "BEGIN { print 100 * ($TX - $RX) / $TX }")
# busybox awk has no sqrt: 3 sigma of a 36% rate over 400 trials = 3 * sqrt(0.36 * 0.64 / 400) = 7.2%
check runtime-loss "$TX == 400 && $LOSS >= 28.8 && $LOSS <= 43.2" "loss 20% both ends: round-trip loss $LOSS% of $TX (expected 36% +- 7.2, 3 sigma)"
check loss-keeps-delay "$MIN >= 99.5" "delay still there with the loss: min $MIN avg $AVG ms"

# 5. --only: delay on a's egress alone -> RTT rises by ~50 ms
$NSLAB link $LAB a:eth1 reset >/dev/null
$NSLAB link $LAB a:eth1 set --delay 50ms --only >/dev/null
pingstat 20 0.05
check only-one-end "$RX == 20 && $MIN >= 49.5 && $AVG - $BASE >= 47 && $AVG - $BASE <= 70" "set --delay 50ms --only: avg $AVG min $MIN ms"

# 6. reset restores the baseline
$NSLAB link $LAB a:eth1 reset >/dev/null
pingstat 20 0.05
check reset-restores "$RX == 20 && $AVG < 15" "after reset: avg $AVG ms"

# 7. a jitter distribution and back to none (netem cannot drop the table in place)
$NSLAB link $LAB a:eth1 set --delay 30ms --jitter 5ms --jitter-distribution normal >/dev/null 2>$W/e || cat $W/e
$NSLAB link $LAB a:eth1 set --jitter-distribution uniform >/dev/null 2>$W/e
check dist-to-uniform "$? == 0" "normal -> uniform jitter: $(cat $W/e)"
pingstat 20 0.05
check jitter-delay "$RX == 20 && $AVG >= 50 && $AVG <= 80" "delay 30ms jitter 5ms both ends: avg $AVG ms"

# 8. down/up with netem in place: the qdisc survives and the link comes back
$NSLAB link $LAB a:eth1 down
pingstat 3 0.2
check down "$RX == 0" "down: $RX/3 replies"
$NSLAB link $LAB a:eth1 up
sleep 1
pingstat 10 0.05
check up "$RX == 10 && $AVG >= 50" "up: $RX/10 replies, avg $AVG ms (impairments kept)"

# latency of runtime changes with netem
for i in 1 2 3; do
	$NSLAB link $LAB a:eth1 set --delay ${i}0ms -v 2>&1 | sed 's/^/netem_lab: latency: /'
done

$NSLAB destroy $LAB >/dev/null
[ -z "$(ls /run/netns 2>/dev/null | grep nslab-$LAB)" ] || { echo "netem_lab: CHECK cleanup FAIL netns left"; rc=1; }
if [ $rc = 0 ]; then echo "netem_lab: PASS"; else echo "netem_lab: FAIL"; fi
exit $rc
