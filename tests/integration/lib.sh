# SPDX-License-Identifier: GPL-2.0-or-later
# tests/integration/lib.sh: helpers for integration tests that deploy real labs (root needed).
# Every lab a test makes is named "$LP-*" and is destroyed and checked for leftovers after the test,
# even when the test fails. LP is $NSLAB_TEST_PREFIX, or "it" plus this run's pid, so that two runs
# (or a run beside a user's own labs) never share a lab name. Tests touch only their own labs: no
# machine-wide cleanup, no counts of other people's processes or labs.

: "${NSLAB:=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/build/nslab}"
EXAMPLES=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../examples" && pwd)
TMPD=$(mktemp -d /tmp/nslab-it.XXXXXX)
LP=${NSLAB_TEST_PREFIX:-it$$}
# every process our deploys start (spawners, node inits) inherits this; count_inits counts only those
export NSLAB_TEST_PREFIX=$LP

# fail MESSAGE: record a failure of the current test (the test goes on, so cleanup still runs)
fail() {
	echo "    FAIL: $*" >&2
	TEST_FAILED=1
}

skip() {
	echo "    SKIP: $*" >&2
	TEST_SKIPPED=1
}

# ok CMD...: run a command that must succeed
ok() {
	local out
	if ! out=$("$@" 2>&1); then
		fail "expected success: $* :: $(echo "$out" | tail -n 5)"
		return 1
	fi
	return 0
}

# nok CMD...: run a command that must fail
nok() {
	if "$@" >/dev/null 2>&1; then
		fail "expected failure: $*"
		return 1
	fi
	return 0
}

# expect_eq GOT WANT WHAT
expect_eq() {
	[ "$1" = "$2" ] || fail "$3: got '$1', want '$2'"
}

# expect_match TEXT REGEX WHAT
expect_match() {
	echo "$1" | grep -Eq -- "$2" || fail "$3: '$2' not found in: $(echo "$1" | head -c 600)"
}

# leftovers LAB: print every trace of LAB on this machine (empty = clean)
leftovers() {
	local lab=$1
	[ -e "/run/nslab/$lab" ] && echo "state dir /run/nslab/$lab"
	ls /run/netns 2>/dev/null | grep -F "nslab-$lab." | sed 's/^/netns handle /'
	grep -F "nslab-$lab." /proc/self/mountinfo | sed 's/^/mount /'
	# the nodes' layers (a tmpfs on /run/nslab/LAB/layers) and anything else mounted in the lab's folder
	awk -v d="/run/nslab/$lab" '$5 == d || index($5, d "/") == 1 { print "mount " $5 }' /proc/self/mountinfo
	find /sys/fs/cgroup -maxdepth 3 -name "nslab.lab-$lab" 2>/dev/null | sed 's/^/cgroup /'
	# interfaces in the host's namespace (a management network, host links: core/mgmt.h) carry the
	# lab's mark as their alias
	ip -o link 2>/dev/null | awk -v m="alias nslab:$lab" '{ if (index($0, m " ") || substr($0, length($0) - length(m) + 1) == m) print "host interface " $2 }'
	return 0
}

# count_inits: live node inits and node spawners (core/node.h) started by this test run (they carry
# NSLAB_TEST_PREFIX=$LP in their environment); none may outlive its lab or deploy
count_inits() {
	local n=0 f d
	for f in $(grep -lxE 'nslab-init|nslab-spawner' /proc/[0-9]*/comm 2>/dev/null); do
		d=${f%/comm}
		grep -q "^[0-9]* ([^)]*) [^ZX]" "$d/stat" 2>/dev/null || continue
		tr '\0' '\n' < "$d/environ" 2>/dev/null | grep -qx "NSLAB_TEST_PREFIX=$LP" && n=$((n + 1))
	done
	echo $n
}
# root_veths: names of the veths in the root namespace (a test compares the set before and after
# itself: nslab never leaves one there)
# (the host ends that another run's labs asked for, marked "alias nslab:LAB", are not this run's)
root_veths() {
	ip -o link show type veth 2>/dev/null | awk -v lp="alias nslab:$LP" '
		/ alias nslab:/ && !index($0, lp) { next }
		{ split($0, f, ": "); print f[2] }' | sed 's/@.*//' | sort
}

# wait_gone PID...: wait (up to 5 s) for processes to exit
wait_gone() {
	for _ in $(seq 50); do
		local alive=0
		for p in "$@"; do kill -0 "$p" 2>/dev/null && alive=1; done
		[ $alive = 0 ] && return 0
		sleep 0.1
	done
	return 1
}

# node_pid LAB NODE
node_pid() {
	"$NSLAB" inspect "$1" --json | jq -r ".nodes[] | select(.name==\"$2\") | .pid"
}
