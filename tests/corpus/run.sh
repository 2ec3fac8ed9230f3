#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/corpus/run.sh: do containerlab files that other people wrote run unchanged? For every file
# of ../shared/corpus/clab whose nodes are all linux/bridge: validate, deploy, check that every link
# end is up, ping across every link whose two ends hold addresses of one subnet (a port of a bridge
# inside a node holds its bridge's), and in nodes where
# FRR runs check that vtysh answers and that routes are learned (within a bound); destroy, and check
# that nothing of the lab is left. Files needing what no host package gives are skipped, with the
# reason. Prints a table and a total.
# Usage: tests/corpus/run.sh [FILTER]   (root; NSLAB = the binary; NSLAB_TEST_PREFIX names the labs;
# CORPUS = the corpus folder, default ../shared/corpus beside the repository)
# Exit status: 0 when no file failed (skips allowed), 1 otherwise.
set -u
cd "$(dirname "$0")"
. ../integration/lib.sh
ROOT=$(cd ../.. && pwd)
CORPUS=${CORPUS:-$ROOT/../shared/corpus}
ROUTES_WITHIN=${ROUTES_WITHIN:-60} # seconds for a routing protocol to install a route
filter=${1:-}

if [ "$(id -u)" != 0 ]; then
	echo "the corpus test deploys real labs: run it as root" >&2
	exit 1
fi
[ -x "$NSLAB" ] || { echo "no nslab binary at $NSLAB (run make)" >&2; exit 1; }
[ -d "$CORPUS/clab" ] || { echo "corpus: no $CORPUS/clab: skipped"; exit 0; }

# What a file needs that no Debian package gives: a pattern in the file and the reason.
SKIPS=(
	'holo-routing/holo|holo (ghcr.io/holo-routing/holo-bundle): Debian does not package it'
	'macvlan:|a macvlan endpoint on a host NIC'
	'\{\{|Go templates'
	'type: vxlan|a VXLAN tunnel to a remote host (vxlan-stitch)'
)

# What a deploy failure says when this machine's kernel lacks a feature the file needs (a skip, with
# the reason, not a failure: the same file works on a kernel that has it): a pattern in the error
# and the feature.
KERNEL_LACKS=(
	'CONFIG_DUMMY|dummy interfaces (CONFIG_DUMMY)'
	'vlan_filtering 1.*Operation not supported|bridge VLAN filtering (CONFIG_BRIDGE_VLAN_FILTERING)'
)

# the kinds a file uses (every `kind:` value)
kinds_of() { sed 's/#.*//' "$1" | grep -oE "kind:[[:space:]]*[\"']?[A-Za-z0-9_-]+" | sed -E "s/kind:[[:space:]]*[\"']?//" | sort -u; }

# ipv4 A.B.C.D -> integer
ip4int() { local IFS=.; set -- $1; echo $(( ($1 << 24) | ($2 << 16) | ($3 << 8) | $4 )); }
# ipv6 -> 32 hex digits
ip6hex() {
	local a=$1 head tail n i out="" g
	if [[ $a == *::* ]]; then head=${a%%::*} tail=${a#*::}; else head=$a tail=""; fi
	local -a h=() t=()
	[ -n "$head" ] && IFS=: read -ra h <<< "$head"
	[ -n "$tail" ] && IFS=: read -ra t <<< "$tail"
	n=$(( 8 - ${#h[@]} - ${#t[@]} ))
	for g in "${h[@]}"; do out+=$(printf '%04x' "0x$g"); done
	for ((i = 0; i < n; i++)); do out+=0000; done
	for g in "${t[@]}"; do out+=$(printf '%04x' "0x$g"); done
	echo "$out"
}
# same_subnet A/len B/len: both in one subnet (same family, same length, same network)
same_subnet() {
	local a=${1%/*} la=${1#*/} b=${2%/*} lb=${2#*/}
	[ "$la" = "$lb" ] || return 1
	if [[ $a == *:* && $b == *:* ]]; then
		local ha hb bits=$la i
		ha=$(ip6hex "$a") hb=$(ip6hex "$b")
		[ "$ha" != "$hb" ] || return 1
		for ((i = 0; i < 32 && bits > 0; i++, bits -= 4)); do
			local ma=$((0x${ha:i:1})) mb=$((0x${hb:i:1})) m=$(( bits >= 4 ? 15 : (15 << (4 - bits)) & 15 ))
			[ $((ma & m)) = $((mb & m)) ] || return 1
		done
		return 0
	elif [[ $a != *:* && $b != *:* ]]; then
		local mask=$(( la == 0 ? 0 : (0xffffffff << (32 - la)) & 0xffffffff ))
		[ "$a" != "$b" ] && [ $(( $(ip4int "$a") & mask )) = $(( $(ip4int "$b") & mask )) ]
		return
	fi
	return 1
}

# check_lab LAB: the checks on a deployed lab; prints what failed, one line each (nothing = fine);
# what was checked goes to $TMPD/counts ("ends N", "ping", "frr" lines)
check_lab() {
	local lab=$1 j node ifn addrs pnode pifn paddrs a b n out i
	j=$("$NSLAB" inspect "$lab" --json) || { echo "inspect failed"; return; }
	echo "$j" | jq -r '"ends \([.nodes[].interfaces[] | select(.peer != null)] | length)"' > "$TMPD/counts"
	# every link end up
	echo "$j" | jq -r '.nodes[] | .name as $n | .interfaces[] | select(.name != "lo" and .peer != null and .state != "up") | "link end \($n):\(.name) is \(.state)"'
	# pings across links whose ends share a subnet
	while IFS=$'\t' read -r node ifn addrs pnode pifn paddrs; do
		for a in $addrs; do
			for b in $paddrs; do
				same_subnet "$a" "$b" || continue
				echo ping >> "$TMPD/counts"
				"$NSLAB" exec "$lab" "$node" -- ping $([[ $b == *:* ]] && echo -6) -c 1 -W 2 "${b%/*}" >/dev/null 2>&1 ||
					"$NSLAB" exec "$lab" "$node" -- ping $([[ $b == *:* ]] && echo -6) -c 2 -W 3 "${b%/*}" >/dev/null 2>&1 ||
					echo "ping $node:$ifn -> $pnode:$pifn ${b%/*} failed"
			done
		done
	done < <(echo "$j" | jq -r '. as $lab
		| [.nodes[] | .name as $n | (.interfaces | map({key: .name, value: .}) | from_entries) as $by
		   | .interfaces[] | {key: "\($n):\(.name)", value: (((if .master and $n != .master then $by[.master].addresses else null end) // .addresses // []) | join(" "))}] | from_entries as $addr
		| $lab.links[] | select($addr[.a] != null and $addr[.b] != null and $addr[.a] != "" and $addr[.b] != "")
		| [(.a | split(":")[0]), (.a | split(":")[1]), $addr[.a], (.b | split(":")[0]), (.b | split(":")[1]), $addr[.b]] | @tsv')
	# FRR: vtysh answers, and where a routing protocol is configured, it installs a route in time
	for n in $(echo "$j" | jq -r '.nodes[] | select(.kind != "bridge") | .name'); do
		"$NSLAB" exec "$lab" "$n" -- pgrep -x watchfrr >/dev/null 2>&1 || continue
		echo frr >> "$TMPD/counts"
		if ! out=$("$NSLAB" exec "$lab" "$n" -- vtysh -c "show running-config" 2>&1); then
			echo "$n: vtysh does not answer: $(echo "$out" | tail -n 1)"
			continue
		fi
		echo "$out" | grep -qE "^router (ospf|ospf6|bgp|rip|ripng|isis|eigrp|babel)" || continue
		for ((i = 0; i < ROUTES_WITHIN * 2; i++)); do
			out=$("$NSLAB" exec "$lab" "$n" -- sh -c 'ip -4 route; ip -6 route' 2>/dev/null)
			echo "$out" | grep -qE "proto (ospf|bgp|rip|isis|eigrp|babel)" && break
			sleep 0.5
		done
		[ $i -lt $((ROUTES_WITHIN * 2)) ] || echo "$n: no route learned by FRR within ${ROUTES_WITHIN} s"
	done
}

printf '%-62s %-6s %s\n' FILE RESULT DETAIL
npass=0 nfail=0 nskip=0 total=0 k=0
while read -r f; do
	rel=${f#"$CORPUS"/}
	[ -n "$filter" ] && [[ $rel != *$filter* ]] && continue
	kinds=$(kinds_of "$f" | tr '\n' ' ')
	other=$(echo $kinds | tr ' ' '\n' | grep -vxE 'linux|bridge' | tr '\n' ' ')
	[ -z "$other" ] || continue # not a linux/bridge file
	total=$((total + 1))
	k=$((k + 1))
	result="" detail=""
	for s in "${SKIPS[@]}"; do
		if grep -qE -- "${s%%|*}" "$f"; then
			result=SKIP detail="needs ${s#*|}"
			break
		fi
	done
	lab="${LP}-c$k"
	if [ -z "$result" ]; then
		if ! out=$("$NSLAB" validate "$f" 2>&1); then
			result=FAIL detail="validate: $(echo "$out" | grep -m1 error | sed "s|^$CORPUS/||")"
		elif ! out=$(cd "$(dirname "$f")" && timeout 300 "$NSLAB" deploy --quiet --name "$lab" "$f" 2>&1); then
			result=FAIL detail="deploy: $(echo "$out" | grep -v '^warning:' | tail -n 1)"
			if echo "$out" | grep -q "which Debian does not package"; then result=SKIP detail="$(echo "$out" | tail -n 1)"; fi
			for kl in "${KERNEL_LACKS[@]}"; do
				if echo "$out" | grep -qE -- "${kl%%|*}"; then
					result=SKIP detail="this kernel lacks ${kl#*|}: $detail"
					break
				fi
			done
		else
			problems=$(check_lab "$lab")
			if [ -n "$problems" ]; then
				result=FAIL detail="$(echo "$problems" | head -n 1)$([ "$(echo "$problems" | wc -l)" -gt 1 ] && echo " (+$(($(echo "$problems" | wc -l) - 1)) more)")"
			else
				result=PASS
			fi
			detail="$detail [$(awk '/^ends/ {e = $2} /^ping/ {p++} /^frr/ {f++} END {printf "%d ends up, %d pings, %d FRR nodes", e, p, f}' "$TMPD/counts")]"
			if [ "$(echo "$out" | grep -c '^warning:')" != 0 ]; then
				detail="$detail $(echo "$out" | grep -c '^warning:') warnings"
			fi
		fi
		"$NSLAB" destroy "$lab" >/dev/null 2>&1
		left=$(leftovers "$lab")
		if [ -n "$left" ]; then
			result=FAIL detail="left after destroy: $(echo "$left" | head -n 1); $detail"
		fi
	fi
	case $result in PASS) npass=$((npass + 1)) ;; FAIL) nfail=$((nfail + 1)) ;; SKIP) nskip=$((nskip + 1)) ;; esac
	printf '%-62s %-6s %s\n' "$rel" "$result" "${detail:0:220}"
done < <(find "$CORPUS/clab" -type f \( -name '*.yml' -o -name '*.yaml' \) | sort | while read -r f; do grep -qE '^topology:' "$f" && echo "$f"; done)
# processes of this run's deploys still alive (node inits, spawners)
for _ in $(seq 50); do [ "$(count_inits)" = 0 ] && break; sleep 0.1; done
[ "$(count_inits)" = 0 ] || { echo "node processes left: $(count_inits)"; nfail=$((nfail + 1)); }
rm -rf "$TMPD"
echo "corpus: $npass passed, $nfail failed, $nskip skipped of $total linux/bridge files"
[ $nfail = 0 ]
