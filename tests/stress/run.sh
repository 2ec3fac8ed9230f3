#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/stress/run.sh: the reliability campaign (issue 12). Every trial does something hostile to a lab
# of its own (kill -9 at a random moment of deploy, destroy, link or limit; queued and concurrent
# commands on one lab; a full run directory; `ip netns add` beside the labs), then destroys the lab
# the documented way and checks that the host's fingerprint (this run's namespaces, mounts, cgroups,
# processes, run directory, root-namespace veths) is back to what it was before the trial.
#
# Usage: run.sh [-n TRIALS] [-s SEED] [-k KIND,...]     (root)
#   -n  trials per kill -9 kind (default 100; CI runs 5: make stress-short)   -s  seed for $RANDOM (default: time)
#   -k  only these kinds: deploy,destroy,link,limit,queued,concurrent,fullrun,ipnetns
# Only labs named "$LP-*" (NSLAB_TEST_PREFIX, default st<pid>) are made and looked at.
# Prints one line per kind and "stress: N passed, N failed"; exit status 1 on any failure.
set -u
cd "$(dirname "$0")"
: "${NSLAB:=$(cd ../.. && pwd)/build/nslab}"
TRIALS=100 SEED=$(date +%s) KINDS=deploy,destroy,link,limit,queued,concurrent,fullrun,ipnetns
while getopts n:s:k: o; do
	case $o in
	n) TRIALS=$OPTARG ;; s) SEED=$OPTARG ;; k) KINDS=$OPTARG ;;
	*) echo "usage: $0 [-n TRIALS] [-s SEED] [-k KIND,...]" >&2; exit 2 ;;
	esac
done
[ "$(id -u)" = 0 ] || { echo "the stress campaign needs root (it builds real labs)" >&2; exit 1; }
[ -x "$NSLAB" ] || { echo "no nslab binary at $NSLAB (run make)" >&2; exit 1; }
RANDOM=$SEED
LP=${NSLAB_TEST_PREFIX:-st$$}
export NSLAB_TEST_PREFIX=$LP
RUNDIR=${NSLAB_RUNDIR:-/run/nslab}
TMPD=$(mktemp -d /tmp/nslab-stress.XXXXXX)
PASSED=0 FAILED=0
echo "# stress: seed $SEED, $TRIALS trials per kill kind, labs $LP-*"

# ---- the fingerprint: everything of this run's labs that could be left on the host ----
fingerprint() {
	local rd=${1:-$RUNDIR}
	echo "== netns"; ls /run/netns 2>/dev/null | grep "^nslab-$LP" | sort
	echo "== mounts"; grep -E "nslab-$LP|$rd/$LP|$TMPD/rd" /proc/self/mountinfo | awk '{print $5}' | sort
	echo "== cgroups"; find /sys/fs/cgroup -maxdepth 3 -name "nslab.lab-$LP*" 2>/dev/null | sort
	echo "== processes"
	local f d
	for f in $(grep -lxE 'nslab-init|nslab-spawner|nslab' /proc/[0-9]*/comm 2>/dev/null); do
		d=${f%/comm}
		grep -q "^[0-9]* ([^)]*) [^ZX]" "$d/stat" 2>/dev/null || continue
		tr '\0' '\n' < "$d/environ" 2>/dev/null | grep -qx "NSLAB_TEST_PREFIX=$LP" && echo "$(cat "$f") ${d#/proc/}"
	done
	echo "== rundir"; ls -A "$rd" 2>/dev/null | grep -E "^(\.new-)?$LP" | sort
	echo "== root veths"; ip -o link show type veth 2>/dev/null | awk -F': ' '{print $2}' | sed 's/@.*//' | sort
}

# settle: wait (up to 5 s) for the fingerprint to match the base one; prints the difference if not
settle() {
	local base=$1 now i
	for i in $(seq 50); do
		now=$(fingerprint "${2:-$RUNDIR}")
		[ "$now" = "$base" ] && return 0
		sleep 0.1
	done
	diff <(echo "$base") <(echo "$now") | grep '^[<>]' | head -n 12
	return 1
}

# a chain of N routers with a rate-limited link, a cpu limit and an exec, so a deploy journals
# nodes, cgroups, qdiscs and commands
make_lab() {
	local name=$1 n=$2 f=$3 i
	{
		echo "name: $name"
		echo "topology:"
		echo "  nodes:"
		echo "    n1: {kind: router, cpu: 0.5, pids: 100, exec: [\"true\"]}"
		for i in $(seq 2 "$n"); do echo "    n$i: {kind: router}"; done
		echo "  links:"
		for i in $(seq 1 $((n - 1))); do
			echo "    - endpoints:"
			echo "        - {node: n$i, interface: e1, ipv4: 10.$((i / 250)).$((i % 250)).1/30}"
			echo "        - {node: n$((i + 1)), interface: e0, ipv4: 10.$((i / 250)).$((i % 250)).2/30}"
			[ "$i" = 1 ] && echo "      rate: 10mbit"
		done
	} > "$f"
}

now_ms() { date +%s%3N; }
sleep_ms() { sleep "$(printf '%d.%03d' $(($1 / 1000)) $(($1 % 1000)))"; }

# result KIND OK TOTAL DETAIL
result() {
	if [ "$2" = "$3" ]; then
		echo "ok - $1: $2/$3 clean $4"
		PASSED=$((PASSED + 1))
	else
		echo "not ok - $1: $2/$3 clean $4"
		FAILED=$((FAILED + 1))
	fi
}

want() { [[ ",$KINDS," == *",$1,"* ]]; }

BASE=$(fingerprint)

# kill -9 of `nslab deploy` at a random moment, then `nslab destroy`
kill_deploy() {
	local lab=$LP-kd f=$TMPD/kd.yml t0 dur good=0 i pid d why
	make_lab "$lab" 60 "$f"
	t0=$(now_ms); "$NSLAB" deploy --quiet "$f" >/dev/null 2>&1; dur=$(( $(now_ms) - t0 + 1 ))
	"$NSLAB" destroy "$lab" >/dev/null 2>&1
	for i in $(seq "$TRIALS"); do
		d=$((RANDOM % dur))
		"$NSLAB" deploy --quiet "$f" >/dev/null 2>&1 & pid=$!
		sleep_ms $d; kill -9 $pid 2>/dev/null; wait $pid 2>/dev/null
		if ! "$NSLAB" destroy "$lab" >"$TMPD/out" 2>&1; then
			echo "    trial $i (kill at ${d}ms): destroy failed: $(head -c 300 "$TMPD/out")"
		elif ! why=$(settle "$BASE"); then
			echo "    trial $i (kill at ${d}ms): left: $why"
		else
			good=$((good + 1)); continue
		fi
		"$NSLAB" cleanup "$lab" >/dev/null 2>&1
	done
	result kill9-deploy $good "$TRIALS" "(60-node deploy of ${dur}ms)"
}

# kill -9 of `nslab destroy` at a random moment, then `nslab destroy` again
kill_destroy() {
	local lab=$LP-kx f=$TMPD/kx.yml t0 dur good=0 i pid d why
	make_lab "$lab" 60 "$f"
	"$NSLAB" deploy --quiet "$f" >/dev/null 2>&1
	t0=$(now_ms); "$NSLAB" destroy "$lab" >/dev/null 2>&1; dur=$(( $(now_ms) - t0 + 1 ))
	for i in $(seq "$TRIALS"); do
		"$NSLAB" deploy --quiet "$f" >/dev/null 2>&1 || { echo "    trial $i: deploy failed"; continue; }
		d=$((RANDOM % dur))
		"$NSLAB" destroy "$lab" >/dev/null 2>&1 & pid=$!
		sleep_ms $d; kill -9 $pid 2>/dev/null; wait $pid 2>/dev/null
		if ! "$NSLAB" destroy "$lab" >"$TMPD/out" 2>&1; then
			echo "    trial $i (kill at ${d}ms): destroy after failed: $(head -c 300 "$TMPD/out")"
		elif ! why=$(settle "$BASE"); then
			echo "    trial $i (kill at ${d}ms): left: $why"
		else
			good=$((good + 1)); continue
		fi
		"$NSLAB" cleanup "$lab" >/dev/null 2>&1
	done
	result kill9-destroy $good "$TRIALS" "(destroy of ${dur}ms)"
}

# kill -9 of a runtime command (link set / limit) at a random moment, then destroy
kill_runtime() {
	local kind=$1 lab=$LP-kr f=$TMPD/kr.yml good=0 i pid d why
	make_lab "$lab" 4 "$f"
	for i in $(seq "$TRIALS"); do
		"$NSLAB" deploy --quiet "$f" >/dev/null 2>&1 || { echo "    trial $i: deploy failed"; continue; }
		d=$((RANDOM % 15))
		if [ "$kind" = link ]; then
			"$NSLAB" link "$lab" n1:e1 set --rate $((RANDOM % 50 + 1))mbit >/dev/null 2>&1 & pid=$!
		else
			"$NSLAB" limit "$lab" n1 --cpu 0.$((RANDOM % 9 + 1)) --memory 64m >/dev/null 2>&1 & pid=$!
		fi
		sleep_ms $d; kill -9 $pid 2>/dev/null; wait $pid 2>/dev/null
		if ! "$NSLAB" destroy "$lab" >"$TMPD/out" 2>&1; then
			echo "    trial $i (kill at ${d}ms): destroy failed: $(head -c 300 "$TMPD/out")"
		elif ! why=$(settle "$BASE"); then
			echo "    trial $i (kill at ${d}ms): left: $why"
		else
			good=$((good + 1)); continue
		fi
		"$NSLAB" cleanup "$lab" >/dev/null 2>&1
	done
	result "kill9-$kind" $good "$TRIALS" "(kill within 15 ms of the command)"
}

# two destroys queued behind a deploy, then a redeploy: the redeploy's lab must be intact
queued() {
	local lab=$LP-q f=$TMPD/q.yml good=0 n=$(( TRIALS / 10 + 3 )) i p1 p2 p3 st why
	make_lab "$lab" 30 "$f"
	for i in $(seq $n); do
		"$NSLAB" deploy --quiet "$f" >/dev/null 2>&1 & p1=$!
		sleep 0.0$((RANDOM % 5 + 1))
		"$NSLAB" destroy "$lab" >/dev/null 2>&1 & p2=$!
		"$NSLAB" destroy "$lab" >/dev/null 2>&1 & p3=$!
		wait $p1 $p2
		"$NSLAB" deploy --quiet "$f" >"$TMPD/out" 2>&1 && rc=0 || rc=$?
		wait $p3
		# whatever order the queue ran in, a deploy that said 0 after it leaves a running lab
		st=$("$NSLAB" list --json 2>/dev/null | jq -r --arg n "$lab" '.[] | select(.name==$n) | .status')
		if [ $rc = 0 ] && [ "$st" != running ]; then
			echo "    trial $i: redeploy exited 0 but the lab is '${st:-absent}'"
		elif [ $rc = 0 ] && ! "$NSLAB" exec "$lab" n1 -- ping -c 1 -W 2 10.0.1.2 >/dev/null 2>&1; then
			echo "    trial $i: redeployed lab does not route"
		elif ! "$NSLAB" destroy "$lab" >/dev/null 2>&1 || ! why=$(settle "$BASE"); then
			echo "    trial $i: left: ${why:-destroy failed}"
		else
			good=$((good + 1)); continue
		fi
		"$NSLAB" destroy "$lab" >/dev/null 2>&1; "$NSLAB" cleanup "$lab" >/dev/null 2>&1
	done
	result queued-destroys $good $n "(deploy; destroy, destroy queued; redeploy)"
}

# two deploys of one lab at once: one wins, the other fails without touching the winner
concurrent() {
	local lab=$LP-c f=$TMPD/c.yml good=0 n=$(( TRIALS / 10 + 3 )) i p1 p2 r1 r2 why
	make_lab "$lab" 30 "$f"
	for i in $(seq $n); do
		"$NSLAB" deploy --quiet "$f" >"$TMPD/o1" 2>&1 & p1=$!
		"$NSLAB" deploy --quiet "$f" >"$TMPD/o2" 2>&1 & p2=$!
		wait $p1; r1=$?; wait $p2; r2=$?
		if [ $((r1 + r2)) != 1 ]; then
			echo "    trial $i: exit statuses $r1 and $r2 (want one 0, one 1): $(cat "$TMPD/o1" "$TMPD/o2" | head -c 300)"
		elif grep -q "run nslab destroy" "$TMPD/o1" "$TMPD/o2"; then
			# the loser ran while the winner deployed: busy, not leftovers
			echo "    trial $i: the losing deploy did not say busy: $(cat "$TMPD/o1" "$TMPD/o2" | head -c 300)"
		elif ! "$NSLAB" exec "$lab" n1 -- ping -c 1 -W 2 10.0.1.2 >/dev/null 2>&1; then
			echo "    trial $i: the winner's lab does not route"
		elif ! "$NSLAB" destroy "$lab" >/dev/null 2>&1 || ! why=$(settle "$BASE"); then
			echo "    trial $i: left: ${why:-destroy failed}"
		else
			good=$((good + 1)); continue
		fi
		"$NSLAB" destroy "$lab" >/dev/null 2>&1; "$NSLAB" cleanup "$lab" >/dev/null 2>&1
	done
	result concurrent-deploys $good $n "(two deploys of one lab at once)"
}

# a run directory on a tiny tmpfs that fills up while a deploy runs; destroy must still clean
fullrun() {
	local lab=$LP-full f=$TMPD/full.yml rd=$TMPD/rd good=0 n=$(( TRIALS / 10 + 3 )) i base why fill
	mkdir -p "$rd"
	mount -t tmpfs -o size=256k,mode=0755 nslab-stress "$rd" || { echo "ok - fullrun # SKIP cannot mount tmpfs"; return; }
	make_lab "$lab" 30 "$f"
	base=$(NSLAB_RUNDIR=$rd fingerprint "$rd")
	for i in $(seq $n); do
		# leave between 0 and 24 kB free
		fill=$(( (256 - (RANDOM % 25)) ))
		dd if=/dev/zero of="$rd/filler" bs=1k count=$fill >/dev/null 2>&1
		NSLAB_RUNDIR=$rd "$NSLAB" deploy --quiet "$f" >"$TMPD/out" 2>&1
		if grep -q '^nslab: .*: *$' "$TMPD/out"; then
			echo "    trial $i: empty error: $(head -c 200 "$TMPD/out")"
		fi
		# destroy with the disk still full, then again after freeing it
		NSLAB_RUNDIR=$rd "$NSLAB" destroy "$lab" >"$TMPD/out" 2>&1
		if ! why=$(settle "$base" "$rd"); then
			echo "    trial $i: destroy on a full run directory left: $why ($(head -c 200 "$TMPD/out"))"
			rm -f "$rd/filler"
			NSLAB_RUNDIR=$rd "$NSLAB" destroy "$lab" >/dev/null 2>&1
			NSLAB_RUNDIR=$rd "$NSLAB" cleanup "$lab" >/dev/null 2>&1
		else
			good=$((good + 1))
		fi
		rm -f "$rd/filler"
	done
	umount "$rd"
	result full-rundir $good $n "(256 kB tmpfs as NSLAB_RUNDIR, 0-24 kB free)"
}

# `ip netns add` (iproute2 makes /run/netns a shared mount point of itself) beside a lab. Run in a
# private mount namespace with its own /run (this script again, -k ipnetns-private): an `ip netns
# add` on the host's /run/netns could hide other people's labs' handles.
ipnetns() {
	local out line
	out=$(unshare -m --propagation private bash -c 'mount -t tmpfs -o mode=0755 nslab-stress-run /run &&
		exec "$0" -n "$1" -s "$2" -k ipnetns-private' "$PWD/run.sh" "$TRIALS" "$SEED" 2>&1)
	while IFS= read -r line; do
		case $line in
		"ok - "*) echo "$line"; PASSED=$((PASSED + 1)) ;;
		"not ok - "*) echo "$line"; FAILED=$((FAILED + 1)) ;;
		"    "*) echo "$line" ;;
		esac
	done <<<"$out"
	grep -qE '^(not )?ok - ' <<<"$out" || { echo "not ok - ip-netns-add: $(tail -n 3 <<<"$out")"; FAILED=$((FAILED + 1)); }
}

ipnetns_private() {
	local lab=$LP-ipn f=$TMPD/ipn.yml good=0 n=3 i was_dir=0 was_mnt=0 why
	[ -d /run/netns ] && was_dir=1
	grep -q ' /run/netns ' /proc/self/mountinfo && was_mnt=1
	make_lab "$lab" 10 "$f"
	for i in $(seq $n); do
		if [ $((i % 2)) = 1 ]; then   # deploy first, then ip netns add
			"$NSLAB" deploy --quiet "$f" >/dev/null 2>&1
			ip netns add "$LP-probe"
		else                            # ip netns add first, then deploy
			ip netns add "$LP-probe"
			"$NSLAB" deploy --quiet "$f" >/dev/null 2>&1
		fi
		if ! "$NSLAB" destroy "$lab" >"$TMPD/out" 2>&1; then
			# handles hidden beneath iproute2's bind: destroy must say so, and what it says to do works
			ip netns del "$LP-probe"
			if ! grep -q 'ip netns add' "$TMPD/out"; then
				echo "    trial $i: destroy failed without the reason: $(head -c 200 "$TMPD/out")"
			elif [ $was_mnt = 0 ]; then
				umount /run/netns 2>/dev/null
				"$NSLAB" cleanup "$lab" >"$TMPD/out" 2>&1 || echo "    trial $i: cleanup after umount failed: $(head -c 200 "$TMPD/out")"
			fi
		else
			ip netns del "$LP-probe"
		fi
		if ! why=$(settle "$BASE"); then
			echo "    trial $i: destroy said '$(head -c 100 "$TMPD/out")' but left: $why"
			"$NSLAB" cleanup "$lab" >/dev/null 2>&1
		else
			good=$((good + 1))
		fi
	done
	# leave /run/netns as found: iproute2 made it a mount point (of itself) if it was not one (an
	# umount that fails because other labs' handles now sit on it leaves it, as iproute2 would)
	if [ $was_mnt = 0 ]; then
		while grep -q ' /run/netns ' /proc/self/mountinfo; do umount /run/netns 2>/dev/null || break; done
	fi
	[ $was_dir = 0 ] && rmdir /run/netns 2>/dev/null
	result ip-netns-add $good $n "(ip netns add before and after a deploy)"
}

want deploy && kill_deploy
want destroy && kill_destroy
want link && kill_runtime link
want limit && kill_runtime limit
want queued && queued
want concurrent && concurrent
want fullrun && fullrun
want ipnetns && ipnetns
want ipnetns-private && ipnetns_private
rm -rf "$TMPD"
echo "stress: $PASSED passed, $FAILED failed"
[ $FAILED = 0 ]
