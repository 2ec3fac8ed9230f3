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
	expect_eq "$?" 1 "exit status of unknown names"
	expect_match "$out" "names.scenario:2:1: error: lab $lab has no node zz" "unknown node"
	expect_match "$out" "names.scenario:3:1: error: r3:eth1 is not the peer of r1:eth1" "wrong peer"
	expect_eq "$("$NSLAB" link $lab r1:eth1 show --json | jq -r '.ends[0].state')" up "nothing was run (names)"
}
