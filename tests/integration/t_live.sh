# SPDX-License-Identifier: GPL-2.0-or-later
# tests/integration/t_live.sh: cleanup and a second deploy beside live work (issue 12 item 5, and
# item 8's messages). NSLAB_TEST_DEPLOY_HOLD=PATH holds a deploy once its lab folder is published
# and journaled and its first cgroup folder made (still empty), until PATH exists: the moment a
# cleanup took such a deploy for dead.

# start_held_deploy LAB FILE [ENV...]: a deploy in the background, held (HELD_PID, HOLD=the path);
# waits until it is held
start_held_deploy() {
	local lab=$1 f=$2
	shift 2
	HOLD=$TMPD/hold-$lab
	rm -f "$HOLD" "$HOLD.reached"
	env "$@" NSLAB_TEST_DEPLOY_HOLD="$HOLD" "$NSLAB" deploy --quiet --name "$lab" "$f" >"$TMPD/held.out" 2>&1 &
	HELD_PID=$!
	for _ in $(seq 300); do [ -e "$HOLD.reached" ] && return 0; sleep 0.1; done
	fail "the deploy never reached the hold"
	return 1
}

# finish_held_deploy: let it go on; it must succeed
finish_held_deploy() {
	touch "$HOLD"
	wait $HELD_PID || fail "the held deploy failed: $(cat "$TMPD/held.out")"
}

# A deploy in progress under another NSLAB_RUNDIR: its cgroups look stray from here (no lab folder
# in this run directory, no process in them yet). cleanup must leave them, and the deploy succeed.
test_cleanup_spares_a_deploy_under_another_rundir() {
	local lab=${LP}-other out cg
	TEST_LABS=$lab
	start_held_deploy $lab "$EXAMPLES/lan.clab.yml" NSLAB_RUNDIR="$TMPD/rd-other" || return
	cg=$(find /sys/fs/cgroup -maxdepth 3 -type d -name "nslab.lab-$lab" | head -n 1)
	[ -n "$cg" ] || fail "no cgroup folder of the held deploy"
	out=$("$NSLAB" cleanup $lab 2>&1) || fail "cleanup: $out"
	expect_eq "$(echo "$out" | grep -c "stray cgroup")" 0 "cleanup took a live deploy's cgroups: $out"
	[ -z "$cg" ] || [ -d "$cg" ] || fail "cleanup removed $cg"
	finish_held_deploy
	ok env NSLAB_RUNDIR="$TMPD/rd-other" "$NSLAB" exec $lab pc1 -- ping -c 1 -W 2 10.10.0.2
	ok env NSLAB_RUNDIR="$TMPD/rd-other" "$NSLAB" destroy $lab
}

# The same run directory: the lab folder is published locked, so cleanup never takes it for dead;
# a second deploy of the lab says it is busy, and by whom (not "run nslab destroy").
test_second_deploy_says_busy_and_cleanup_waits() {
	local lab=${LP}-busy out
	TEST_LABS=$lab
	start_held_deploy $lab "$EXAMPLES/lan.clab.yml" || return
	out=$("$NSLAB" cleanup $lab 2>&1) || fail "cleanup: $out"
	expect_eq "$out" "" "cleanup beside a deploy in progress"
	out=$("$NSLAB" deploy --quiet --name $lab "$EXAMPLES/lan.clab.yml" 2>&1)
	expect_match "$out" "lab $lab is busy: being deployed by pid $HELD_PID\$" "a losing deploy says busy, and who"
	finish_held_deploy
	ok "$NSLAB" exec $lab pc1 -- ping -c 1 -W 2 10.10.0.2
}

# kill -9 of a deploy while an exec command runs in a node: its helpers die with it, so the lab
# lock is free at once and cleanup removes everything (it used to skip such labs as busy).
test_killed_deploy_helpers_free_the_lock() {
	local lab=${LP}-kexec f=$TMPD/kexec.yml pid out
	TEST_LABS=$lab
	cat > "$f" <<EOF
name: $lab
topology:
  nodes:
    a: {kind: linux, exec: ["sleep 30"]}
    b: {kind: linux}
  links:
    - endpoints: ["a:e1", "b:e1"]
EOF
	"$NSLAB" deploy --quiet "$f" >/dev/null 2>&1 &
	pid=$!
	for _ in $(seq 100); do
		pgrep -f -x "sleep 30" >/dev/null && [ "$(jq -r .status /run/nslab/$lab/state.json 2>/dev/null)" = deploying ] && break
		sleep 0.1
	done
	kill -9 $pid
	wait $pid 2>/dev/null
	out=$("$NSLAB" cleanup $lab 2>&1) || fail "cleanup after kill -9: $out"
	expect_match "$out" "cleaned $lab" "cleanup right after the kill -9 removes the lab"
	expect_eq "$(leftovers $lab)" "" "nothing of the lab left"
}

# A user who may not read the run directory is told so (not "lab X is not deployed").
test_non_root_gets_a_permission_message() {
	local lab=${LP}-perm out c
	TEST_LABS=$lab
	command -v setpriv >/dev/null || { skip "no setpriv"; return; }
	ok "$NSLAB" deploy --quiet --name $lab "$EXAMPLES/lan.clab.yml" || return
	for c in "inspect $lab" "exec $lab pc1 -- true" "attach $lab pc1" "inspect ${LP}-nosuch"; do
		out=$(setpriv --reuid=nobody --regid=nogroup --clear-groups "$NSLAB" $c 2>&1 </dev/null)
		expect_match "$out" "permission denied \(labs are root's: run nslab as root\)" "non-root $c"
		echo "$out" | grep -q "not deployed" && fail "non-root $c: $out"
	done
}

# With few open files allowed, deploy says which limit is too low.
test_low_open_files_limit_is_named() {
	local lab=${LP}-nofile out
	TEST_LABS=$lab
	out=$(ulimit -n 12 && "$NSLAB" deploy --quiet --name $lab "$EXAMPLES/lan.clab.yml" 2>&1)
	expect_match "$out" "open files" "the error names the limit: $out"
	expect_match "$out" "ulimit -n" "the error says how to raise it"
	expect_eq "$(leftovers $lab)" "" "nothing left"
}

# A deploy killed between making its unpublished folder (RUNDIR/.new-LAB.XXXXXX) and renaming it
# leaves that folder, which no state names: destroy LAB removes it, unless a live deployer still
# holds its lock (found by the stress campaign: 1 in 100 kill -9 deploys, killed at 33 ms).
test_destroy_removes_an_unpublished_lab_folder() {
	local lab=${LP}-unpub rd=${NSLAB_RUNDIR:-/run/nslab} dead live holder out
	TEST_LABS=$lab
	mkdir -p "$rd"
	dead=$(mktemp -d "$rd/.new-$lab.XXXXXX") && touch "$dead/lock"
	live=$(mktemp -d "$rd/.new-$lab.XXXXXX") && touch "$live/lock"
	flock -o "$live/lock" sleep 60 & # -o: the lock is flock's own, not its sleep's
	holder=$!
	sleep 0.5 # flock(1) takes the lock before it runs sleep
	out=$("$NSLAB" destroy $lab 2>&1) || fail "destroy: $out"
	[ ! -e "$dead" ] || fail "the dead deploy's folder $dead is left"
	[ -e "$live/lock" ] || fail "the folder whose lock is held was removed"
	kill $(pgrep -P $holder) $holder 2>/dev/null; wait $holder 2>/dev/null
	"$NSLAB" destroy $lab >/dev/null 2>&1
	[ ! -e "$live" ] || fail "once its holder is gone, destroy removes $live too"
	rm -rf "$dead" "$live"
}
