#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/integration/run.sh: run every tests/integration/t_*.sh test function against real labs.
# Usage: run.sh [NAME-FILTER]. Needs root. Prints TAP-like lines and "N passed, N failed, N skipped".
set -u
cd "$(dirname "$0")"
. ./lib.sh

if [ "$(id -u)" != 0 ]; then
	echo "integration tests need root (they build real namespaces); run them with sudo" >&2
	exit 1
fi
[ -x "$NSLAB" ] || { echo "no nslab binary at $NSLAB (run make)" >&2; exit 1; }
for tool in jq ping ip; do
	command -v $tool >/dev/null || { echo "missing tool: $tool" >&2; exit 1; }
done

filter=${1:-}
echo "# lab names: $LP-* (NSLAB_TEST_PREFIX)"
passed=0 failed=0 skipped=0 n=0
base_inits=$(count_inits)
failed_names=""

for f in t_*.sh; do
	. "./$f"
done

for t in $(declare -F | awk '{print $3}' | grep '^test_' ); do
	[ -n "$filter" ] && [[ $t != *$filter* ]] && continue
	n=$((n + 1))
	TEST_FAILED=0 TEST_SKIPPED=0 TEST_LABS=""
	echo "# $t"
	start=$(date +%s.%N)
	veths_before=$(root_veths)
	"$t"
	# every lab the test used is destroyed and must leave nothing
	for lab in $TEST_LABS; do
		"$NSLAB" destroy "$lab" >/dev/null 2>&1 || fail "destroy $lab failed"
		left=$(leftovers "$lab")
		[ -z "$left" ] || fail "lab $lab left: $left"
	done
	if ! wait_gone_inits=$(for _ in $(seq 50); do [ "$(count_inits)" -le "$base_inits" ] && break; sleep 0.1; done; count_inits) || [ "$wait_gone_inits" -gt "$base_inits" ]; then
		fail "node init processes left: $(count_inits) (was $base_inits)"
	fi
	new_veths=$(comm -13 <(echo "$veths_before") <(root_veths) | tr '\n' ' ')
	[ -z "${new_veths// /}" ] || fail "veth interfaces appeared in the root namespace: $new_veths"
	dur=$(printf '%.2f' "$(echo "$(date +%s.%N) - $start" | bc)")
	if [ $TEST_FAILED = 1 ]; then
		echo "not ok $n - $t (${dur}s)"
		failed=$((failed + 1))
		failed_names="$failed_names $t"
	elif [ $TEST_SKIPPED = 1 ]; then
		echo "ok $n - $t # SKIP"
		skipped=$((skipped + 1))
	else
		echo "ok $n - $t (${dur}s)"
		passed=$((passed + 1))
	fi
done
rm -rf "$TMPD"
echo "1..$n"
[ -n "$failed_names" ] && echo "# failed:$failed_names"
echo "integration: $passed passed, $failed failed, $skipped skipped"
[ $failed = 0 ]
