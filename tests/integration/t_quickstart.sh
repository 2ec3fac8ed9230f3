# SPDX-License-Identifier: GPL-2.0-or-later
# tests/integration/t_quickstart.sh: scripts/quickstart.sh deploys its own lab and never replaces a lab
# it did not deploy (issue 16: it silently destroyed any lab called `triangle`).

QUICKSTART=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/scripts/quickstart.sh

test_quickstart_own_lab_and_foreign_lab() {
	local lab=${LP}-qs foreign=${LP}-qsforeign out pid
	TEST_LABS="$lab $foreign"
	# its own lab: deployed, pinged across; a second run replaces it (same file)
	out=$(NSLAB_QUICKSTART_LAB=$lab "$QUICKSTART" 2>&1) || { fail "quickstart: $(echo "$out" | tail -n 5)"; return; }
	expect_match "$out" "3 received" "quickstart's ping"
	expect_match "$out" "destroy $lab" "quickstart's last hint"
	out=$(NSLAB_QUICKSTART_LAB=$lab "$QUICKSTART" 2>&1) || fail "quickstart over its own lab: $(echo "$out" | tail -n 5)"
	# a lab of that name from another file: refused, named, left running as it was
	cat > "$TMPD/foreign.yml" <<YML
name: foreign
topology:
  nodes:
    x: {kind: linux}
YML
	ok "$NSLAB" deploy --quiet --name "$foreign" "$TMPD/foreign.yml" || return
	pid=$(node_pid "$foreign" x)
	if out=$(NSLAB_QUICKSTART_LAB=$foreign "$QUICKSTART" 2>&1); then
		fail "quickstart replaced a lab it did not deploy"
	fi
	expect_match "$out" "lab named '$foreign' is already running, deployed from $TMPD/foreign.yml" "refusal"
	expect_eq "$(node_pid "$foreign" x)" "$pid" "the foreign lab's node after quickstart"
}
