#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/vm/netem_lab.sh: runs inside the kernel-vm guest (root, stock Debian kernel with sch_netem):
# deploys a two-node lab with nslab and measures what `nslab link` and the topology's impairments do
# to real traffic: RTT rises by the delay on both ends, round-trip loss within 3 sigma of
# 1-(1-p)^2, a runtime set keeps the other settings, reset restores the baseline; and the effects
# of the other netem impairments on the pings: normal jitter from the topology file spreads the
# RTT (mdev ~ jitter), uniform jitter spreads it by jitter/sqrt(3) per end, duplicate gives DUP!
# replies, reorder lets echoes skip the delay and overtake earlier ones, corrupt loses the
# damaged echoes. Every rate is asserted within (at least) 3 sigma of its expected value.
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

# pingstat COUNT INTERVAL [DST [-q|-]]: a -> DST (default b's 10.0.0.2), quiet unless "-" (then
# OUT has one line per reply); sets TX RX (distinct replies) DUP (extra replies) WRONG (replies
# with wrong data) AVG MIN MAX MDEV (ms) and OUT
pingstat() {
	q=${4:--q}
	[ "$q" = - ] && q=
	OUT=$($NSLAB exec $LAB a -- $PING -n $q -c "$1" -i "$2" -W 2 "${3:-10.0.0.2}" 2>&1)
	sum=$(echo "$OUT" | grep 'packets transmitted')
	TX=$(echo "$sum" | sed -n 's/^\([0-9]*\) packets transmitted.*/\1/p')
	RX=$(echo "$sum" | sed -n 's/.* \([0-9]*\) received.*/\1/p')
	DUP=$(echo "$sum" | sed -n 's/.*+\([0-9]*\) duplicates.*/\1/p')
	WRONG=$(echo "$OUT" | grep -c 'wrong data')
	rtt=$(echo "$OUT" | sed -n 's/^rtt [^=]*= \([^ ]*\) ms.*/\1/p')
	MIN=$(echo "$rtt" | cut -d/ -f1)
	AVG=$(echo "$rtt" | cut -d/ -f2)
	MAX=$(echo "$rtt" | cut -d/ -f3)
	MDEV=$(echo "$rtt" | cut -d/ -f4)
	: "${TX:=0}" "${RX:=0}" "${DUP:=0}" "${AVG:=-1}" "${MIN:=-1}" "${MAX:=-1}" "${MDEV:=-1}"
}

# rttstat MAX LOW BELOW: over the replies in OUT (pingstat ... -) with an RTT up to MAX ms: N, MEAN
# and SD (ms, SD as ping's mdev); FAR counts the slower ones, beyond what netem's jitter can give:
# stalls of the emulated machine (one reply at +70 ms on an idle host, 5% of them on a loaded
# one), kept out of the mean and spread they would inflate. LOW counts the RTTs below LOW ms (the
# emulation only ever adds time: nothing arrives before netem's shortest delay), LOWM those more
# than BELOW ms below MEAN (a count relative to the measured mean, which the emulation shifts by
# 1-3 ms). busybox awk may lack sqrt: Newton's method. (Its printf takes an unbracketed
# "a > b ? ..." for a redirection.)
rttstat() {
	set -- $(echo "$OUT" | awk -F'time=' -v max="$1" -v low="$2" -v below="$3" '/icmp_seq=/ && !/DUP!/ {
			split($2, t, " "); x = t[1] + 0; if (x < low + 0) lo++
			if (x > max + 0) far++; else { n++; s += x; q += x * x; val[n] = x } }
		END { m = n ? s / n : 0; v = n ? q / n - m * m : 0; r = v > 1 ? v : 1
			for (i = 0; i < 40; i++) r = (r + v / r) / 2
			for (i = 1; i <= n; i++) if (val[i] < m - below) lm++
			printf "%d %.3f %.3f %d %d %d\n", n, m, (v > 0 ? r : 0), far + 0, lo + 0, lm + 0 }')
	N=${1:-0} MEAN=${2:--1} SD=${3:--1} FAR=${4:-0} LOW=${5:-0} LOWM=${6:-0}
}

# mac NODE IF: the interface's MAC address inside the node
mac() {
	$NSLAB exec $LAB "$1" -- /usr/sbin/ip -o link show dev "$2" | sed -n 's/.*link\/ether \([0-9a-f:]*\).*/\1/p'
}

# the guest's /etc is nearly empty: nodes bind-mount their generated hosts file over /etc/hosts
[ -e /etc/hosts ] || echo '127.0.0.1 localhost' > /etc/hosts

# kernel-vm loads ifb, which makes ifb0/ifb1 (ifindex 2, 3) in the root namespace. Kernel 6.1 checks
# a new veth's requested ifindex in the namespace of the netlink socket, not the destination; nslab
# sends its veths from an empty staging namespace, so they are left in place on purpose: the
# deploy below proves nslab's fixed ifindexes do not clash with the host's.

# eth1: the link the runtime checks change. eth2: a second link whose a end has normal jitter from
# the file (a's egress only), measured as RTT spread.
cat > $W/lab.yml <<'YML'
name: vmnetem
topology:
  nodes:
    a:
      kind: linux
      interfaces:
        eth1: {ipv4: 10.0.0.1/24}
        eth2: {ipv4: 10.0.1.1/24, delay: 50ms, jitter: 10ms, jitter-distribution: normal}
    b: {kind: linux, interfaces: {eth1: {ipv4: 10.0.0.2/24}, eth2: {ipv4: 10.0.1.2/24}}}
  links:
    - endpoints: ["a:eth1", "b:eth1"]
      delay: 20ms
    - endpoints: ["a:eth2", "b:eth2"]
YML

# a node's own root is an overlay: this guest has no module tree, the runner added overlay.ko
[ -d /sys/module/overlay ] || insmod /qn/mod/overlay.ko 2>/dev/null || true
if ! $NSLAB deploy --quiet --name $LAB $W/lab.yml > $W/deploy 2>&1; then
	echo "netem_lab: CHECK deploy FAIL nslab deploy failed: $(cat $W/deploy)"
	exit 1
fi
echo "netem_lab: CHECK deploy PASS lab deployed with delay 20ms on the link"

# 1. the topology's delay: 20 ms on both ends -> RTT ~40 ms
pingstat 20 0.05
check topo-delay "$RX == 20 && $MIN >= 39.5 && $AVG >= 38 && $AVG <= 60" "delay 20ms in the file: avg $AVG min $MIN ms ($RX/20)"

# 1b. the topology's jitter: a:eth2 sends with delay 50ms jitter 10ms normal, b:eth2 with nothing, so
# the RTT is ~N(50, 10) ms plus the baseline. Two pings first to resolve ARP (the ARP request goes
# through the same netem and would make the first RTT ~100 ms). Over 200 pings: 3 sigma of the mean
# is 3 * 10/sqrt(200) = 2.1 ms, 3 sigma of the standard deviation 3 * 10/sqrt(400) = 1.5 ms. netem's
# normal table ends near 3.7 sigma, so an RTT above 100 ms is not the jitter: counted apart (at
# most 20 of 200). Emulation noise only adds time and variance: the upper bounds of mean and sd
# have room for it (a loaded host added ~3 ms to the mean, ~3 to the sd), the lower ones do not
# need it. The lower tail bounds the spread both ways and shows the normal shape: RTTs more than
# 10 ms (1 sigma) below the mean, P = 15.9% -> 31.7 of 200, 3 sigma 15.5 -> 16..47 (jitter 5 ms
# would give 4.6, 20 ms 62, uniform 10 ms about none).
pingstat 2 0.2 10.0.1.2
pingstat 200 0.02 10.0.1.2 -
rttstat 100 30 10
check topo-jitter-mean "$RX == 200 && $MEAN >= 47.5 && $MEAN <= 56" "jitter 10ms normal on a:eth2 in the file: mean RTT $MEAN ms (expected 50 + baseline, +-2.1 at 3 sigma) ($RX/200, ping avg $AVG)"
check topo-jitter-spread "$SD >= 7.5 && $SD <= 15 && $FAR <= 20" "jitter 10ms normal: sd $SD ms (expected 10, +-1.5 at 3 sigma; ping mdev $MDEV with $FAR RTTs > 100 ms), min $MIN max $MAX ms"
check topo-jitter-tail "$LOWM >= 16 && $LOWM <= 47" "jitter 10ms normal: $LOWM of $N RTTs more than 10 ms below the mean (expected 31.7 +- 15.5, 3 sigma), $LOW below 30 ms"

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

# 6b. duplicate 50% on both ends: each echo request is sent twice with p = 0.5 and each of the (1 or
# 2) replies is too, so a ping gets (1+p)^2 = 2.25 replies on average, 1.25 of them duplicates:
# variance E[K]Var(Y) + Var(K)E[1+Y]^2 = 1.5*0.25 + 0.25*2.25 = 0.9375 per ping. Over 200 pings:
# 250 duplicates, sigma sqrt(187.5) = 13.7, 3 sigma 41.
$NSLAB link $LAB a:eth1 set --duplicate 50% >/dev/null 2>$W/e || cat $W/e
$NSLAB link $LAB a:eth1 show > $W/show 2>&1
check dup-set "$(grep -c 'impair: duplicate 50%' $W/show) == 2" "show: both ends have duplicate 50%"
pingstat 200 0.02
check runtime-duplicate "$TX == 200 && $RX == 200 && $DUP >= 209 && $DUP <= 291" "duplicate 50% both ends: $DUP duplicate replies to $TX pings (expected 250 +- 41, 3 sigma), $RX distinct"
$NSLAB link $LAB a:eth1 reset >/dev/null
pingstat 50 0.02
check dup-reset "$RX == 50 && $DUP == 0" "after reset: $DUP duplicates ($RX/50)"

# 6c. reorder 25% with delay 20ms on a's egress only, a ping every 5 ms: 25% of the echo requests
# skip the delay (RTT < 10 ms), the others take >= 20 ms, and an undelayed one overtakes the delayed
# ones sent before it. Undelayed out of 200: binomial, 50 +- 18.4 (3 sigma). An overtaking reply is
# followed by an older one, counted as an out-of-order arrival (about one per undelayed echo that
# had a delayed one still in flight: ~40 expected, 10 is far below 3 sigma).
$NSLAB link $LAB a:eth1 set --delay 20ms --reorder 25% --only >/dev/null 2>$W/e || cat $W/e
pingstat 200 0.005 10.0.0.2 -
fast=$(echo "$OUT" | awk -F'time=' '/icmp_seq=/ { split($2, t, " "); if (t[1] < 10) n++ } END { print n + 0 }')
slow=$(echo "$OUT" | awk -F'time=' '/icmp_seq=/ { split($2, t, " "); if (t[1] >= 19.5) n++ } END { print n + 0 }')
ooo=$(echo "$OUT" | awk '/icmp_seq=/ { match($0, /icmp_seq=[0-9]+/); s = substr($0, RSTART + 9, RLENGTH - 9) + 0; if (s < last) n++; last = s } END { print n + 0 }')
check runtime-reorder "$RX == 200 && $fast >= 32 && $fast <= 68 && $fast + $slow >= 196" "reorder 25% delay 20ms --only: $fast of $RX echoes skipped the delay (expected 50 +- 18.4, 3 sigma), $slow delayed >= 19.5 ms"
check reorder-overtakes "$ooo >= 10" "reorder: $ooo replies arrived after one with a later sequence number"
$NSLAB link $LAB a:eth1 reset >/dev/null

# 6d. corrupt 50% on a's egress only: netem flips one random bit of the 98-byte frame (Ethernet + IP
# + ICMP echo with 56 bytes of data). A flip in the destination MAC (except its multicast bit), the
# ethertype, the IP header or the ICMP message (checksummed) loses the echo; a flip in the 6-byte
# source MAC or the destination's multicast bit goes unnoticed: 49 of 784 bit positions. Expected
# loss 0.5 * 735/784 = 46.9%, 3 sigma over 400 pings = 7.5%. Both neighbours are pinned for the
# measurement: a corrupted ARP probe could otherwise teach b a wrong MAC for a and lose replies.
MACA=$(mac a eth1) MACB=$(mac b eth1)
$NSLAB exec $LAB a -- /usr/sbin/ip neigh replace 10.0.0.2 lladdr "$MACB" dev eth1 nud permanent
$NSLAB exec $LAB b -- /usr/sbin/ip neigh replace 10.0.0.1 lladdr "$MACA" dev eth1 nud permanent
$NSLAB link $LAB a:eth1 set --corrupt 50% --only >/dev/null 2>$W/e || cat $W/e
pingstat 400 0.01
LOSS=$(awk "BEGIN { print 100 * ($TX - $RX) / $TX }")
check runtime-corrupt "$TX == 400 && $LOSS >= 39.4 && $LOSS <= 54.4" "corrupt 50% --only: $LOSS% of $TX echoes lost (expected 46.9% +- 7.5, 3 sigma), $WRONG with wrong data"
$NSLAB link $LAB a:eth1 reset >/dev/null
pingstat 50 0.02
check corrupt-reset "$RX == 50" "after reset: $RX/50 replies"
# unpinned but still known (stale): the next ping goes out at once, with no ARP round trip in its RTT
$NSLAB exec $LAB a -- /usr/sbin/ip neigh replace 10.0.0.2 lladdr "$MACB" dev eth1 nud stale
$NSLAB exec $LAB b -- /usr/sbin/ip neigh replace 10.0.0.1 lladdr "$MACA" dev eth1 nud stale

# 7. a jitter distribution and back to none (netem cannot drop the table in place)
$NSLAB link $LAB a:eth1 set --delay 30ms --jitter 5ms --jitter-distribution normal >/dev/null 2>$W/e || cat $W/e
$NSLAB link $LAB a:eth1 set --jitter-distribution uniform >/dev/null 2>$W/e
check dist-to-uniform "$? == 0" "normal -> uniform jitter: $(cat $W/e)"
pingstat 2 0.2 # ARP, if it had to be resolved again, would add up to ~60 ms to the first RTTs
pingstat 100 0.02 10.0.0.2 -
check jitter-delay "$RX == 100 && $AVG >= 50 && $AVG <= 80" "delay 30ms jitter 5ms both ends: avg $AVG ms"
# uniform +-5 ms on each end: sd 5/sqrt(3) = 2.89 per end, 4.08 for the round trip, 3 sigma of the
# sample sd over 100 pings ~ 0.75 ms (the upper bound has room for emulation noise, which only
# adds: a loaded host gave 5.0). Uniform jitter keeps the RTT within 60 +- 10 ms: RTTs above 85 ms
# are emulation stalls, counted apart (at most 10), and none can be below 50 ms, where the normal
# 5ms that was set before would put 7.9% (P(N(0, 7.07) < -10)): the distribution really changed.
rttstat 85 49.5 5
check jitter-uniform-spread "$SD >= 3.3 && $SD <= 6 && $FAR <= 10" "uniform jitter 5ms both ends: sd $SD ms (expected 4.08 +- 0.75, 3 sigma; ping mdev $MDEV with $FAR RTTs > 85 ms)"
check jitter-uniform-bounded "$LOW == 0 && $MIN >= 49.5" "uniform jitter 5ms both ends: $LOW RTTs below 49.5 ms (normal would give ~8), min $MIN ms; $LOWM more than 5 ms below the mean (12.5 expected)"

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
