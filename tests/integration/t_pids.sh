# SPDX-License-Identifier: GPL-2.0-or-later
# tests/integration/t_pids.sh: the default pids limit of a node (issue 12 item 6): a node whose
# topology sets none still stops a fork bomb.

# FORKS: a bounded fork loop (at most 300 children, each sleeping 20 s, killed at the end); prints
# how many forks succeeded and the errno of the first that failed
FORKS='
import errno, os, signal
kids, err = [], "none"
for _ in range(300):
    try:
        pid = os.fork()
    except OSError as e:
        err = errno.errorcode.get(e.errno, str(e.errno))
        break
    if pid == 0:
        signal.pthread_sigmask(signal.SIG_SETMASK, [])
        os.execv("/bin/sleep", ["sleep", "20"])
    kids.append(pid)
print(len(kids), err)
for k in kids:
    os.kill(k, signal.SIGKILL)
for k in kids:
    os.waitpid(k, 0)
'

pids_lab() {
	cat > "$TMPD/pids.yml" <<EOF
name: $1
topology:
  nodes:
    free: {kind: linux}
    capped: {kind: linux, pids: 20}
EOF
}

pids_max_of() { "$NSLAB" inspect "$1" --json | jq -r ".nodes[] | select(.name==\"$2\") | .usage.pids_max"; }

# The default, measured: with NSLAB_PIDS_DEFAULT=50 a fork loop in a node without a pids key stops
# near 50 (the node's init and python count too) with EAGAIN; the topology's own value wins.
test_pids_default_stops_a_fork_loop() {
	local lab=${LP}-pids out n
	TEST_LABS=$lab
	pids_lab $lab
	[ -d /sys/fs/cgroup/pids ] || grep -qw pids /sys/fs/cgroup/unified/cgroup.controllers 2>/dev/null ||
		{ skip "no pids cgroup controller"; return; }
	ok env NSLAB_PIDS_DEFAULT=50 "$NSLAB" deploy --quiet "$TMPD/pids.yml" || return
	expect_eq "$(pids_max_of $lab free)" 50 "inspect shows the default in force"
	expect_eq "$(pids_max_of $lab capped)" 20 "the topology's pids wins over the default"
	out=$("$NSLAB" exec $lab free -- /usr/bin/python3 -c "$FORKS" 2>&1)
	n=${out%% *}
	expect_match "$out" "^[0-9]+ EAGAIN$" "the fork loop stopped on EAGAIN"
	{ [ "$n" -ge 40 ] && [ "$n" -le 50 ]; } || fail "forks before the limit: $n, want 40-50 (limit 50)"
	out=$("$NSLAB" exec $lab capped -- /usr/bin/python3 -c "$FORKS" 2>&1)
	n=${out%% *}
	{ [ "$n" -ge 10 ] && [ "$n" -le 20 ]; } || fail "forks in the capped node: $out, want 10-20 (limit 20)"
	ok "$NSLAB" destroy $lab
}

# Without the variable, the documented default (1024) is in force; "max" turns it off; a bad value
# is refused with the variable's name.
test_pids_default_value_and_override() {
	local lab=${LP}-pidsd out
	TEST_LABS=$lab
	pids_lab $lab
	[ -d /sys/fs/cgroup/pids ] || grep -qw pids /sys/fs/cgroup/unified/cgroup.controllers 2>/dev/null ||
		{ skip "no pids cgroup controller"; return; }
	ok env -u NSLAB_PIDS_DEFAULT "$NSLAB" deploy --quiet "$TMPD/pids.yml" || return
	expect_eq "$(pids_max_of $lab free)" 1024 "the default pids limit"
	ok "$NSLAB" destroy $lab
	ok env NSLAB_PIDS_DEFAULT=max "$NSLAB" deploy --quiet "$TMPD/pids.yml" || return
	expect_eq "$(pids_max_of $lab free)" null "NSLAB_PIDS_DEFAULT=max: no limit"
	expect_eq "$(pids_max_of $lab capped)" 20 "the topology's pids still applies"
	ok "$NSLAB" destroy $lab
	out=$(NSLAB_PIDS_DEFAULT=lots "$NSLAB" deploy --quiet "$TMPD/pids.yml" 2>&1)
	expect_match "$out" "NSLAB_PIDS_DEFAULT=lots: not a number" "a bad default is named"
	expect_eq "$(leftovers $lab)" "" "nothing left by the refused deploy"
}
