#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# bench/serial.sh: how much of a deploy the kernel can only do one CPU at a time.
#   bench/serial.sh FILE [LAB]         (root; needs perf, from the linux-perf package)
#   bench/serial.sh --floor TOPO N     the same for the floor program (build/bench/floor)
# Deploys FILE under `perf record -a -g`, destroys it, and sorts every sample of the deploy (for the
# floor: of its whole run, deploy and destroy):
#   rtnl     the task holds RTNL (inside an rtnetlink request, the loopback registration of a new
#            namespace, the link-watch or DAD workers, the forwarding sysctls)
#   sysctl   the task holds sysctl_lock (insert_header: every namespace and device registers its
#            /proc/sys tables under that one global spinlock)
#   spin     the task spins for a lock (not counted as work)
#   other    everything else (parallel work), and idle
# RTNL and sysctl_lock are global: their sections run one at a time on any number of CPUs, so their
# sum is a lower bound of the deploy's wall time, whatever user space does. Time spent asleep
# while holding them (RCU grace periods) is not sampled: the true bound is higher.
set -euo pipefail
cd "$(dirname "$0")/.."
NSLAB=${NSLAB:-build/nslab}
HZ=${SERIAL_HZ:-1999}
[ $# -ge 1 ] || { echo "usage: $0 FILE [LAB] | --floor TOPO N" >&2; exit 2; }
floor=0
if [ "$1" = --floor ]; then
	[ $# -eq 3 ] || { echo "usage: $0 --floor TOPO N" >&2; exit 2; }
	floor=1 lab=none
else
	file=$1
	lab=${2:-$(awk '/^name:/ { print $2; exit }' "$file")}
fi
command -v perf >/dev/null || { echo "serial: needs perf (apt-get install linux-perf)" >&2; exit 1; }
[ "$(id -u)" = 0 ] || { echo "serial: needs root" >&2; exit 1; }
data=$(mktemp /tmp/nslab-serial.XXXXXX)
trap 'rm -f "$data"; "$NSLAB" destroy "$lab" >/dev/null 2>&1 || true' EXIT
if [ $floor = 1 ]; then
	echo "floor $2 $3 under perf (slower than without):"
	perf record -q -a -g -F "$HZ" -o "$data" -- build/bench/floor "$2" "$3" | tr ' ' '\n' | sed 's/^/  /'
else
	phases=$(perf record -q -a -g -F "$HZ" -o "$data" -- "$NSLAB" deploy --quiet --verbose "$file" 2>&1 >/dev/null)
	echo "deploy of $file under perf (slower than without):"
	echo "$phases" | awk '$3 == "ms"'
fi
perf script -i "$data" -F comm,ip,sym 2>/dev/null | awk -v HZ="$HZ" '
function flush(   i, rt, sy) {
	if (!n) return
	tot++; rt = 0; sy = 0
	if (comm ~ /^swapper/) { idle++; n = 0; return }
	if (f[1] ~ /^(mutex_spin_on_owner|__pv_queued_spin_lock_slowpath|native_queued_spin_lock_slowpath)$/) {
		spin++; n = 0; return
	}
	for (i = n; i >= 1; i--) {
		if (f[i] ~ /^(rtnl_newlink|rtnl_setlink|rtnl_dellink|inet_rtm_newaddr|inet6_rtm_newaddr|inet_rtm_newroute|inet6_rtm_newroute|rtnetlink_rcv_msg|register_netdev|loopback_net_init|linkwatch_event|addrconf_dad_work|devinet_sysctl_forward|addrconf_sysctl_forward|addrconf_verify_work)$/)
			rt = 1
		if (f[i] ~ /^(insert_header|start_unregistering)$/)
			sy = 1
	}
	if (rt) nrt++
	else if (sy) nsy++
	else other++
	n = 0
}
/^[^ \t]/ { flush(); comm = $1; next }
/^[ \t]*$/ { flush(); next }
{ f[++n] = $2 }
END {
	flush()
	ms = 1000 / HZ
	printf "samples %d at %d Hz (both CPUs): %.0f ms of CPU time\n", tot, HZ, tot * ms
	printf "  serial   %6.0f ms  (RTNL %.0f ms, sysctl_lock %.0f ms): a lower bound of the deploy time\n", (nrt + nsy) * ms, nrt * ms, nsy * ms
	printf "  spinning %6.0f ms\n", spin * ms
	printf "  other    %6.0f ms  (parallel work)\n", other * ms
	printf "  idle     %6.0f ms\n", idle * ms
}'
