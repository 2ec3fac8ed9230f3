# SPDX-License-Identifier: GPL-2.0-or-later
# tests/integration/t_scenario.sh: `nslab scenario` end to end: the failover example passes (TAP, JUnit),
# a failing check exits non-zero, parse errors run nothing.

test_scenario_failover_example() {
	local lab=${LP}-scnfo out
	TEST_LABS="$lab"
	ok "$NSLAB" deploy --quiet --name $lab "$EXAMPLES/triangle-failover.clab.yml" || return
	out=$("$NSLAB" scenario $lab "$EXAMPLES/failover.scenario" --junit "$TMPD/fo.xml" 2>&1) || fail "failover scenario: $out"
	expect_match "$out" "^TAP version 13" "TAP header"
	expect_match "$out" "^1\.\.12$" "TAP plan"
	[ "$(echo "$out" | grep -c '^ok ')" = 12 ] || fail "12 checks passed: $out"
	echo "$out" | grep -q '^not ok' && fail "a check failed: $out"
	expect_match "$out" "link r1:eth1 r2:eth1 down" "action as a comment"
	expect_match "$(cat "$TMPD/fo.xml")" 'tests="12" failures="0"' "JUnit file"
	# the link is back up after the scenario
	expect_eq "$("$NSLAB" link $lab r1:eth1 show --json | jq -r '[.ends[].state] | join(",")')" "up,up" "link up after"
	# --format junit prints XML on stdout
	out=$("$NSLAB" scenario $lab "$EXAMPLES/failover.scenario" --format junit 2>&1) || fail "junit run: $out"
	expect_match "$out" '^<\?xml' "JUnit on stdout"
	if command -v xmllint >/dev/null; then
		echo "$out" | xmllint --noout - || fail "JUnit is not well-formed XML"
	fi
}

test_scenario_failing_check_exits_nonzero() {
	local lab=${LP}-scnfail out rc
	TEST_LABS="$lab"
	ok "$NSLAB" deploy --quiet --name $lab "$EXAMPLES/triangle-failover.clab.yml" || return
	cat > "$TMPD/fail.scenario" <<SCN
expect h1 reaches h2 within 2s
link r1:eth1 down
# wrong on purpose: the link is down, r1 cannot reach r2 over it
expect r1 exec ping -c 1 -W 1 10.0.12.2 succeeds
link r1:eth1 up
expect loss between h1 and h2 below 1% count 20
SCN
	out=$("$NSLAB" scenario $lab "$TMPD/fail.scenario" --junit "$TMPD/fail.xml" 2>&1)
	rc=$?
	expect_eq "$rc" 1 "exit status of a failing scenario"
	expect_match "$out" "^not ok 2 - line 4: expect r1 exec ping" "the failing check"
	expect_match "$out" "^ok 3 - line 6" "checks after a failed check still run"
	expect_match "$out" "^# FAILED: 1 of 3 checks failed, [0-9.]+s$" "summary line"
	expect_match "$(cat "$TMPD/fail.xml")" 'failures="1"' "JUnit failure count"
	# an action that fails stops the run; the remaining checks are reported as skipped
	cat > "$TMPD/action.scenario" <<SCN
exec h1 false
expect h1 reaches h2
SCN
	out=$("$NSLAB" scenario $lab "$TMPD/action.scenario" 2>&1)
	expect_eq "$?" 1 "exit status of a failed action"
	expect_match "$out" "^not ok 1 - line 1: exec h1 false \(action failed" "failed action"
	expect_match "$out" "^ok 2 - .*# SKIP" "skipped check"
	expect_match "$out" "^# scenario .* 2 steps, 1 check$" "header: one check, not 1 checks"
	expect_match "$out" "^# FAILED: 1 of 2 checks failed, 1 not run" "summary with the skipped check"
}

# A check's output with bytes that are not UTF-8 and control characters still gives well-formed
# JUnit XML (on stdout and in --junit's file), with the bad bytes replaced, not dropped silently.
test_scenario_junit_binary_output() {
	local lab=${LP}-scnxml out
	TEST_LABS="$lab"
	command -v xmllint >/dev/null || { skip "xmllint (libxml2-utils) is not installed"; return; }
	ok "$NSLAB" deploy --quiet --name $lab "$EXAMPLES/triangle-failover.clab.yml" || return
	cat > "$TMPD/bin.scenario" <<'SCN'
expect h1 exec printf 'caf\351 \377\376 <&> \001\033[31m]]> end'; false succeeds
expect h1 reaches h2 within 5s
SCN
	out=$("$NSLAB" scenario $lab "$TMPD/bin.scenario" --format junit --junit "$TMPD/bin.xml" 2>/dev/null)
	expect_eq "$?" 1 "exit status (one check fails)"
	echo "$out" | xmllint --noout - 2>"$TMPD/xmllint.err" || fail "JUnit on stdout is not well-formed: $(cat "$TMPD/xmllint.err")"
	xmllint --noout "$TMPD/bin.xml" 2>"$TMPD/xmllint.err" || fail "JUnit file is not well-formed: $(cat "$TMPD/xmllint.err")"
	expect_eq "$(xmllint --xpath 'count(//testcase)' "$TMPD/bin.xml")" 2 "two test cases"
	expect_eq "$(xmllint --xpath 'count(//failure)' "$TMPD/bin.xml")" 1 "one failure"
	# the output survives as text: U+FFFD for each bad byte, markup escaped
	local text
	text=$(xmllint --xpath 'string(//failure)' "$TMPD/bin.xml")
	expect_match "$text" '<&> \?\?\[31m\]\]> end' "failure text, markup and control characters"
	expect_eq "$(echo "$text" | grep -o $'\xef\xbf\xbd' | wc -l)" 3 "one U+FFFD per byte that is not UTF-8"
}

# A duration without a unit is a parse error (exit 2), never read as microseconds.
test_scenario_duration_needs_unit() {
	local out
	printf 'expect h1 reaches h2 within 5\n' > "$TMPD/unit.scenario"
	out=$("$NSLAB" scenario ${LP}-nolab "$TMPD/unit.scenario" 2>&1)
	expect_eq "$?" 2 "exit status"
	expect_match "$out" "unit.scenario:1:29: error: '5' needs a unit: 5s or 5ms" "message"
}

test_scenario_errors_run_nothing() {
	local lab=${LP}-scnerr out
	TEST_LABS="$lab"
	ok "$NSLAB" deploy --quiet --name $lab "$EXAMPLES/triangle-failover.clab.yml" || return
	printf 'link r1:eth1 down\nwait 2x\nexpect h1 pings h2\n' > "$TMPD/bad.scenario"
	out=$("$NSLAB" scenario $lab "$TMPD/bad.scenario" 2>&1)
	expect_eq "$?" 2 "exit status of a parse error"
	expect_match "$out" "bad.scenario:2:6: error: '2x' is not a duration" "first error with file:line:col"
	expect_match "$out" "bad.scenario:3:11: error: expected 'reaches' or 'exec'" "second error"
	expect_eq "$("$NSLAB" link $lab r1:eth1 show --json | jq -r '.ends[0].state')" up "nothing was run"
	# names that are not in the lab are found before anything runs
	printf 'link r1:eth1 down\nexpect zz reaches h2\nlink r1:eth1 r3:eth1 up\n' > "$TMPD/names.scenario"
	out=$("$NSLAB" scenario $lab "$TMPD/names.scenario" 2>&1)
	expect_eq "$?" 2 "exit status of unknown names"
	expect_match "$out" "names.scenario:2:1: error: lab $lab has no node zz" "unknown node"
	expect_match "$out" "names.scenario:3:1: error: r3:eth1 is not the peer of r1:eth1" "wrong peer"
	expect_eq "$("$NSLAB" link $lab r1:eth1 show --json | jq -r '.ends[0].state')" up "nothing was run (names)"
}
