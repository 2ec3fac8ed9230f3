#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# bench/iproute2.sh: the baseline a user would write by hand: the labs of gen.sh built with iproute2,
# in namespaces bench-ip-NODE.
#   iproute2.sh deploy chain|star|tree N [--batch]
#   iproute2.sh destroy [--batch]
# Plain: one `ip` per operation (ip netns add, ip link add ... netns A type veth peer ... netns B,
# ip -n X addr add, ip -n X link set up), as in a shell script.
# --batch: the best a script can do with iproute2: one `ip -batch` in the host for every namespace and
# veth pair, then one `ip -n X -batch` per namespace for its addresses and links up.
# Like floor.c it sets no sysctls (nslab's routers get ip_forward=1) and mounts nothing in the nodes.
set -eu
P=bench-ip-

# Emits "@ NS CMD" for commands run inside namespace NS, "CMD" for host commands.
plan() {
	local topo=$1 n=$2 i a
	case $topo in
	chain)
		for ((i = 1; i <= n; i++)); do echo "netns add ${P}n$i"; echo "@ ${P}n$i link set dev lo up"; done
		for ((i = 1; i < n; i++)); do
			a=10.$((i / 250)).$((i % 250))
			echo "link add e1 netns ${P}n$i type veth peer name e0 netns ${P}n$((i + 1))"
			echo "@ ${P}n$i addr add $a.1/30 dev e1"
			echo "@ ${P}n$((i + 1)) addr add $a.2/30 dev e0"
			echo "@ ${P}n$i link set dev e1 up"
			echo "@ ${P}n$((i + 1)) link set dev e0 up"
		done ;;
	tree)
		for ((i = 1; i <= n; i++)); do echo "netns add ${P}r$i"; echo "@ ${P}r$i link set dev lo up"; done
		for ((i = 2; i <= n; i++)); do
			a=10.$((i / 250)).$((i % 250))
			echo "link add c$((i % 2)) netns ${P}r$((i / 2)) type veth peer name up netns ${P}r$i"
			echo "@ ${P}r$((i / 2)) addr add $a.1/30 dev c$((i % 2))"
			echo "@ ${P}r$i addr add $a.2/30 dev up"
			echo "@ ${P}r$((i / 2)) link set dev c$((i % 2)) up"
			echo "@ ${P}r$i link set dev up up"
		done ;;
	star)
		echo "netns add ${P}sw"
		echo "@ ${P}sw link set dev lo up"
		echo "@ ${P}sw link add sw type bridge"
		echo "@ ${P}sw link set dev sw up"
		for ((i = 1; i <= n; i++)); do echo "netns add ${P}h$i"; echo "@ ${P}h$i link set dev lo up"; done
		for ((i = 1; i <= n; i++)); do
			echo "link add p$i netns ${P}sw type veth peer name eth0 netns ${P}h$i"
			echo "@ ${P}sw link set dev p$i master sw up"
			echo "@ ${P}h$i addr add 10.0.$((i / 250)).$((i % 250 + 1))/16 dev eth0"
			echo "@ ${P}h$i link set dev eth0 up"
		done ;;
	*) echo "unknown topology $topo" >&2; exit 2 ;;
	esac
}

deploy_plain() {
	local ns cmd
	plan "$@" | while read -r first rest; do
		if [ "$first" = @ ]; then
			read -r ns cmd <<< "$rest"
			# shellcheck disable=SC2086
			ip -n "$ns" $cmd
		else
			# shellcheck disable=SC2086
			ip $first $rest
		fi
	done
}

deploy_batch() {
	local tmp ns
	tmp=$(mktemp -d)
	plan "$@" > "$tmp/plan"
	grep -v '^@' "$tmp/plan" | ip -batch -
	awk -v d="$tmp" '$1 == "@" { ns = $2; $1 = ""; $2 = ""; sub(/^  /, ""); print > (d "/ns." ns) }' "$tmp/plan"
	for f in "$tmp"/ns.*; do
		ns=${f##*/ns.}
		ip -n "$ns" -batch "$f"
	done
	rm -rf "$tmp"
}

destroy() {
	local batch=$1
	if [ "$batch" = 1 ]; then
		ip netns list | awk -v p="$P" 'index($1, p) == 1 { print "netns del " $1 }' | ip -batch -
	else
		for ns in $(ip netns list | awk -v p="$P" 'index($1, p) == 1 { print $1 }'); do ip netns del "$ns"; done
	fi
}

case ${1:-} in
deploy)
	if [ "${4:-}" = --batch ]; then deploy_batch "$2" "$3"; else deploy_plain "$2" "$3"; fi ;;
destroy)
	destroy "$([ "${2:-}" = --batch ] && echo 1 || echo 0)" ;;
*)
	echo "usage: $0 deploy chain|star|tree N [--batch] | destroy [--batch]" >&2; exit 2 ;;
esac
