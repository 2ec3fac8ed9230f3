#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/unit/run.sh LOG TEST...: run the cmocka test programs, their whole output going to LOG; print
# each failing program's output, then one line "unit: N passed, N failed[, N skipped]". A program that
# dies without cmocka's summary (a crash, an abort) counts as one failure. Exit 1 on any failure.
set -u
log=$1
shift
: > "$log"
passed=0 failed=0 skipped=0
for t in "$@"; do
	out=$("$t" 2>&1)
	rc=$?
	{ echo "== $t (exit $rc)"; echo "$out"; } >> "$log"
	p=$(echo "$out" | sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' | paste -sd+ | bc)
	f=$(echo "$out" | sed -n 's/^\[  FAILED  \] \([0-9]*\) test(s), listed below.*/\1/p' | paste -sd+ | bc)
	s=$(echo "$out" | sed -n 's/^\[  SKIPPED \] \([0-9]*\) test.*/\1/p' | paste -sd+ | bc)
	p=${p:-0} f=${f:-0} s=${s:-0}
	[ "$rc" != 0 ] && [ "$f" = 0 ] && f=1
	passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s))
	if [ "$f" != 0 ]; then
		echo "== $t: $f failed (exit $rc)"
		echo "$out" | grep -v '^\[ \(RUN     \|      OK\) \]'
	fi
done
extra=""
[ "$skipped" = 0 ] || extra=", $skipped skipped"
echo "unit: $passed passed, $failed failed$extra (log: $log)"
[ "$failed" = 0 ]
