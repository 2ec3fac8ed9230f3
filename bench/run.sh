#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# bench/run.sh: the benchmark (make bench). For chains, stars and trees at N = 10, 100, 1000 (and
# 10000 unless BENCH_QUICK=1), interleaved, repeated: nslab deploy/destroy, the floor (floor.c: the
# same kernel work done minimally; --fds: namespaces without processes) and the iproute2 baseline
# (iproute2.sh, one `ip` per operation, and its -batch variant; N <= 1000 only: it takes minutes
# beyond). "gone" = until the kernel has really freed the namespaces (witness veths, see bench.h).
# Prints tables of medians and ratios; raw numbers in $BENCH_OUT (default build/bench/out).
# Env: BENCH_QUICK=1 (N <= 1000, 2 repetitions), BENCH_SIZES, BENCH_REPS, BENCH_TOPOS, NSLAB.
set -euo pipefail
cd "$(dirname "$0")/.."
B=build/bench
NSLAB=${NSLAB:-build/nslab}
OUT=${BENCH_OUT:-$B/out}
TOPOS=${BENCH_TOPOS:-chain star tree}
if [ "${BENCH_QUICK:-0}" = 1 ]; then
	SIZES=${BENCH_SIZES:-10 100 1000}; REPS=${BENCH_REPS:-2}
else
	SIZES=${BENCH_SIZES:-10 100 1000 10000}; REPS=${BENCH_REPS:-5}
fi
[ "$(id -u)" = 0 ] || { echo "bench: needs root (namespaces, netlink)" >&2; exit 1; }
mkdir -p "$OUT"
RAW=$OUT/raw.txt
: > "$RAW"

# ---- the machine copes with 10,000 nodes: raise limits for this run, restore them at exit
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
declare -A SAVED=()
raise() { # FILE MIN
	local cur; cur=$(cat "$1" 2>/dev/null) || return 0
	if [ "$cur" -lt "$2" ]; then SAVED[$1]=$cur; echo "$2" > "$1"; fi
}
raise /proc/sys/kernel/pid_max 65536
raise /proc/sys/kernel/threads-max 65536
raise /proc/sys/user/max_net_namespaces 65536
raise /proc/sys/user/max_mnt_namespaces 65536
raise /proc/sys/user/max_pid_namespaces 65536
# `ip netns add` turns /run/netns into a bind mount of itself: undo that if it was not there before
NETNS_DIR_WAS_THERE=0
[ -e /run/netns ] && NETNS_DIR_WAS_THERE=1
cleanup() {
	for lab in $("$NSLAB" list 2>/dev/null | awk '$1 ~ /^bench-/ { print $1 }'); do "$NSLAB" destroy "$lab" >/dev/null 2>&1 || true; done
	ip netns list 2>/dev/null | grep -q '^bench-ip-' && bench/iproute2.sh destroy --batch >/dev/null 2>&1 || true
	for f in "${!SAVED[@]}"; do echo "${SAVED[$f]}" > "$f"; done
	if [ $NETNS_DIR_WAS_THERE = 0 ] && [ -d /run/netns ] && [ -z "$(ls -A /run/netns)" ]; then
		while grep -q ' /run/netns ' /proc/self/mountinfo; do umount /run/netns || break; done
		rmdir /run/netns 2>/dev/null || true
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

memavail_kb() { awk '/^MemAvailable:/ { print $2 }' /proc/meminfo; }
# settle: let the kernel finish freeing earlier namespaces before the next measurement starts
settle() { sleep "${BENCH_SETTLE:-0.5}"; }
rec() { echo "$*" >> "$RAW"; } # TOPO N TOOL key=value...

run_nslab() { # TOPO N REP
	local topo=$1 n=$2 lab=bench-$1 f=$OUT/$1-$2.yml m0 dep phases pss gone
	m0=$(memavail_kb)
	dep=$($B/nsbench run -- "$NSLAB" deploy --quiet --verbose "$f" 2> "$OUT/phases") || { echo "nslab deploy $topo $n failed: $dep $(cat "$OUT/phases")" >&2; return 1; }
	phases=$(awk '$2 ~ /^[0-9.]+$/ && $3 == "ms" { printf "ph_%s=%s ", $1, $2 }' "$OUT/phases")
	pss=$($B/nsbench pss "$lab")
	local mem=$(( m0 - $(memavail_kb) ))
	gone=$($B/nsbench destroy "nslab-$lab." -- "$NSLAB" destroy "$lab" 2>/dev/null | tail -n 1)
	rec "$topo $n nslab $dep $phases $pss memused_kb=$mem $gone"
}
run_floor() { # TOPO N [--fds]
	local r
	r=$($B/floor ${3:-} "$1" "$2")
	rec "$1 $2 floor${3:-} $r"
}
run_ip() { # TOPO N [--batch]
	local dep gone
	dep=$($B/nsbench run -- bench/iproute2.sh deploy "$1" "$2" ${3:-} 2>/dev/null)
	gone=$($B/nsbench destroy bench-ip- -- bench/iproute2.sh destroy ${3:-})
	rec "$1 $2 iproute2${3:-} $dep $gone"
}

echo "bench: sizes [$SIZES], topologies [$TOPOS], $REPS repetitions; raw results in $RAW" >&2
# one Linux bridge takes at most 1023 ports (the kernel's BR_MAX_PORTS): no star beyond that
too_big() { [ "$1" = star ] && [ "$2" -gt 1023 ]; }
for topo in $TOPOS; do for n in $SIZES; do
	too_big "$topo" "$n" || bench/gen.sh "$topo" "$n" "bench-$topo" > "$OUT/$topo-$n.yml"
done; done
for rep in $(seq 1 "$REPS"); do
	for n in $SIZES; do
		# the 10,000-node labs: two repetitions at most; iproute2 only up to 1000 (and fewer times)
		[ "$n" -ge 10000 ] && [ "$rep" -gt 2 ] && continue
		for topo in $TOPOS; do
			too_big "$topo" "$n" && continue
			echo "bench: rep $rep: $topo $n" >&2
			run_nslab "$topo" "$n"; settle
			run_floor "$topo" "$n"; settle
			run_floor "$topo" "$n" --fds; settle
			if [ "$n" -le 100 ] || { [ "$n" -le 1000 ] && [ "$rep" -le "${BENCH_IP_REPS_1000:-1}" ]; }; then
				run_ip "$topo" "$n"; settle
				run_ip "$topo" "$n" --batch; settle
			fi
		done
	done
done

# ---- runtime changes in a running 100-node chain
echo "bench: runtime changes" >&2
bench/gen.sh chain 100 bench-rt > "$OUT/rt.yml"
"$NSLAB" deploy --quiet "$OUT/rt.yml"
RT=$($B/nsbench rt /run/netns/nslab-bench-rt.n50 e0 500)
CLI_DOWN=() CLI_UP=()
if "$NSLAB" help 2>&1 | grep -qw link; then
	for _ in $(seq 1 21); do
		CLI_DOWN+=("$($B/nsbench run -- "$NSLAB" link bench-rt n50:e0 down | sed 's/.*ms=\([0-9.]*\) .*/\1/;q')")
		CLI_UP+=("$($B/nsbench run -- "$NSLAB" link bench-rt n50:e0 up | sed 's/.*ms=\([0-9.]*\) .*/\1/;q')")
	done
	# a rate set and a reset, against tc doing the same change (one process each, same namespace)
	CLI_RATE=() TC_RATE=()
	for i in $(seq 1 21); do
		r=$(( i % 2 ? 10 : 20 ))
		CLI_RATE+=("$($B/nsbench run -- "$NSLAB" link bench-rt n50:e0 set --rate ${r}mbit | sed 's/.*ms=\([0-9.]*\) .*/\1/;q')")
		CLI_RATE+=("$($B/nsbench run -- "$NSLAB" link bench-rt n50:e0 reset | sed 's/.*ms=\([0-9.]*\) .*/\1/;q')")
		TC_RATE+=("$($B/nsbench run -- tc -n nslab-bench-rt.n50 qdisc replace dev e0 root tbf rate ${r}mbit burst 32k latency 50ms | sed 's/.*ms=\([0-9.]*\) .*/\1/;q')")
		TC_RATE+=("$($B/nsbench run -- tc -n nslab-bench-rt.n50 qdisc del dev e0 root | sed 's/.*ms=\([0-9.]*\) .*/\1/;q')")
	done
fi
"$NSLAB" destroy bench-rt >/dev/null

# ---- tables
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) print "-"; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
get() { # TOPO N TOOL KEY -> median
	awk -v t="$1" -v n="$2" -v tool="$3" -v k="$4" '$1 == t && $2 == n && $3 == tool {
		for (i = 4; i <= NF; i++) { split($i, kv, "="); if (kv[1] == k) print kv[2] } }' "$RAW" | median
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "-" || b == "-" || b == 0) print "-"; else printf "%.2f", a / b }'; }
per() { awk -v a="$1" -v n="$2" 'BEGIN { if (a == "-") print "-"; else printf "%.0f", a * 1000 / n }'; }

echo
echo "Deploy (ms, median; nodes = processes + namespaces; floor = same kernel work done minimally, floor-fds = namespaces held by fds, no processes; nslab's phases: nodes, then forwarding + links + wire):"
printf '%-6s %6s %6s | %8s %8s %8s | %8s %8s | %9s %9s | %8s %8s | %7s %7s %7s\n' \
	topo N nodes nslab floor flr-fds "nodes" "links+wr" iproute2 ip-batch "µs/node" "flr/node" nsl/flr ip/nsl ipb/nsl
for topo in $TOPOS; do for n in $SIZES; do
	nodes=$(get "$topo" "$n" floor nodes)
	d=$(get "$topo" "$n" nslab ms); fl=$(get "$topo" "$n" floor deploy_ms); ff=$(get "$topo" "$n" floor--fds deploy_ms)
	pn=$(get "$topo" "$n" nslab ph_nodes); pl=$(get "$topo" "$n" nslab ph_links); pw=$(get "$topo" "$n" nslab ph_wire)
	pf=$(get "$topo" "$n" nslab ph_forwarding)
	lw=$(awk -v a="$pl" -v b="$pw" -v f="$pf" 'BEGIN { if (a == "-") print "-"; else printf "%.1f", a + b + (f == "-" ? 0 : f) }')
	ip=$(get "$topo" "$n" iproute2 ms); ipb=$(get "$topo" "$n" iproute2--batch ms)
	printf '%-6s %6s %6s | %8s %8s %8s | %8s %8s | %9s %9s | %8s %8s | %7s %7s %7s\n' "$topo" "$n" "$nodes" \
		"$d" "$fl" "$ff" "$pn" "$lw" "$ip" "$ipb" "$(per "$d" "$nodes")" "$(per "$fl" "$nodes")" \
		"$(ratio "$d" "$fl")" "$(ratio "$ip" "$d")" "$(ratio "$ipb" "$d")"
done; done
for topo in $TOPOS; do for n in $SIZES; do
	too_big "$topo" "$n" && echo "$topo $n: not built: one Linux bridge takes at most 1023 ports (nslab refuses such a file)"
done; done
echo
echo "Destroy (ms, median): cmd = until the command returns; gone = until the kernel has freed every namespace's devices:"
printf '%-6s %6s | %8s %8s | %8s %8s | %8s | %9s %9s | %8s | %7s %7s\n' \
	topo N nslab-cmd nslab-gone floor-cmd floor-gone flr-fds ip-gone ipb-gone "µs/node" nsl/flr ip/nsl
for topo in $TOPOS; do for n in $SIZES; do
	nodes=$(get "$topo" "$n" floor nodes)
	c=$(get "$topo" "$n" nslab cmd_ms); g=$(get "$topo" "$n" nslab gone_ms)
	fc=$(get "$topo" "$n" floor destroy_ms); fg=$(get "$topo" "$n" floor gone_ms); ffg=$(get "$topo" "$n" floor--fds gone_ms)
	ig=$(get "$topo" "$n" iproute2 gone_ms); ibg=$(get "$topo" "$n" iproute2--batch gone_ms)
	printf '%-6s %6s | %8s %8s | %8s %8s | %8s | %9s %9s | %8s | %7s %7s\n' "$topo" "$n" "$c" "$g" "$fc" "$fg" "$ffg" \
		"$ig" "$ibg" "$(per "$g" "$nodes")" "$(ratio "$g" "$fg")" "$(ratio "$ig" "$g")"
done; done
echo
echo "Memory (median): deployer peak RSS (wait4), PSS of the node inits per node while the lab runs, MemAvailable drop per node (kernel objects included):"
printf '%-6s %6s | %12s %12s %14s | %12s %12s\n' topo N nslab-maxrss nslab-pss/nd memavail-drop/nd floor-maxrss floor-pss/nd
for topo in $TOPOS; do for n in $SIZES; do
	nodes=$(get "$topo" "$n" floor nodes)
	mr=$(get "$topo" "$n" nslab maxrss_kb); ps=$(get "$topo" "$n" nslab pss_kb); mu=$(get "$topo" "$n" nslab memused_kb)
	fmr=$(get "$topo" "$n" floor maxrss_kb); fps=$(get "$topo" "$n" floor pss_kb)
	pn() { awk -v a="$1" -v n="$nodes" -v f="$2" 'BEGIN { if (a == "-" || n == "-") print "-"; else printf f, a / n }'; }
	printf '%-6s %6s | %9s kB %9s kB %11s kB | %9s kB %9s kB\n' "$topo" "$n" "$mr" \
		"$(pn "$ps" %.1f)" "$(pn "$mu" %.0f)" "$fmr" "$(pn "$fps" %.1f)"
done; done
echo
echo "Runtime changes in a running 100-node chain (one netlink request + ACK each, socket in the node, 500 times):"
echo "  $RT"
if [ ${#CLI_DOWN[@]} -gt 0 ]; then
	echo "  nslab link LAB n50:e0 down / up (whole command, process start included, 21 times): median" \
		"$(printf '%s\n' "${CLI_DOWN[@]}" | median) ms / $(printf '%s\n' "${CLI_UP[@]}" | median) ms"
	cr=$(printf '%s\n' "${CLI_RATE[@]}" | median); tr=$(printf '%s\n' "${TC_RATE[@]}" | median)
	echo "  nslab link LAB n50:e0 set --rate / reset vs tc qdisc replace / del (42 each): median $cr ms vs $tr ms, nslab/tc $(ratio "$cr" "$tr")"
fi
echo
echo "Targets: 1000-node chain deploy <= 1000 ms and gone <= 1000 ms; nslab/floor <= 2; PSS <= 150 kB/node; runtime change <= 1 ms; nslab link set/reset <= 1.5 x tc."
