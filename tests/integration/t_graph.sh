# SPDX-License-Identifier: GPL-2.0-or-later
# tests/integration/t_graph.sh: `nslab graph` (a file and a running lab) and `nslab wait`.

test_graph_file_and_running_lab() {
	local lab=${LP}-graph out
	TEST_LABS="$lab"
	out=$("$NSLAB" graph "$EXAMPLES/triangle.clab.yml")
	expect_match "$out" "^graph triangle \{" "DOT of a file"
	expect_match "$out" "r1 -- h1" "an edge per link"
	expect_match "$out" "192\.168\.1\.1/24" "addresses on the edge ends"
	ok "$NSLAB" graph "$EXAMPLES/lan.clab.yml" -o "$TMPD/lan.svg"
	expect_match "$(head -c 300 "$TMPD/lan.svg")" "<svg" "an SVG from -o's extension"
	ok "$NSLAB" graph "$EXAMPLES/lan.clab.yml" --format png -o "$TMPD/lan.png"
	expect_eq "$(head -c 4 "$TMPD/lan.png" | od -An -c | tr -d ' ')" '211PNG' "a PNG"
	nok "$NSLAB" graph "$EXAMPLES/lan.clab.yml" --format gif
	ok "$NSLAB" deploy --quiet --name $lab "$EXAMPLES/triangle-failover.clab.yml" || return
	ok "$NSLAB" link $lab r1:eth1 down
	out=$("$NSLAB" graph $lab)
	expect_match "$out" "label=\"$lab \(running\)\"" "a running lab is drawn as it is now"
	# the edge of the link taken down is dashed, the others are not
	expect_match "$(echo "$out" | grep -A8 -- '^	r1 -- r2')" "style=dashed" "the down link is dashed"
	[ "$(echo "$out" | grep -c 'style=dashed')" = 1 ] || fail "only the down link is dashed: $out"
}

test_wait_until_converged() {
	local lab=${LP}-wait out
	TEST_LABS="$lab"
	ok "$NSLAB" deploy --quiet --name $lab "$EXAMPLES/triangle-failover.clab.yml" || return
	out=$("$NSLAB" wait $lab --until 'h1 reaches h2' --until 'r1 exec ip route get 192.168.2.10 | grep -q eth1 succeeds' --timeout 10s)
	expect_eq "$?" 0 "wait for a converged lab"
	expect_match "$out" "^converged after [0-9.]+ s" "wait says how long it took"
	ok "$NSLAB" link $lab r1:eth1 down
	out=$("$NSLAB" wait $lab --until 'r1 exec ip route get 192.168.2.10 | grep -q eth1 succeeds' --timeout 1s --json)
	expect_eq "$?" 1 "a condition that never holds fails"
	expect_eq "$(echo "$out" | jq -r .converged)" false "JSON says not converged"
	"$NSLAB" wait $lab --until 'nosuch reaches h1' >/dev/null 2>&1
	expect_eq "$?" 2 "a condition naming a missing node is a usage error"
}
