# SPDX-License-Identifier: GPL-2.0-or-later
# tests/integration/t_cli.sh: the command line as a person uses it: signals through `nslab exec`,
# tables sized to their content, limits in text inspect, and the papercuts of issue 16.

# node_procs LAB NODE REGEX: pids of the processes in NODE's PID namespace whose command line
# matches REGEX (pgrep -f)
node_procs() {
	local init ns p
	init=$(node_pid "$1" "$2")
	ns=$(readlink "/proc/$init/ns/pid") || return 0
	for p in $(pgrep -f -- "$3"); do
		[ "$(readlink "/proc/$p/ns/pid" 2>/dev/null)" = "$ns" ] && echo "$p"
	done
	return 0
}

# exec_then_kill LAB SIGNAL [CMD...]: a program (default: a long sleep) through nslab exec, SIGNAL to
# nslab once the program runs; prints nslab's exit status, then "program-left" if the program
# outlived it, or "never-started"
exec_then_kill() {
	local lab=$1 sig=$2 secs=$((40000 + RANDOM)) pid st i
	shift 2
	[ $# -gt 0 ] || set -- sleep $secs
	"$NSLAB" exec "$lab" pc1 -- "$@" $secs > "$TMPD/exec.out" &
	pid=$!
	for i in $(seq 50); do
		[ -n "$(node_procs "$lab" pc1 "$secs")" ] && break
		sleep 0.1
	done
	[ -n "$(node_procs "$lab" pc1 "$secs")" ] || { echo never-started; kill -KILL $pid; return; }
	kill -"$sig" $pid
	wait $pid
	st=$?
	for i in $(seq 50); do
		[ -z "$(node_procs "$lab" pc1 "$secs")" ] && break
		sleep 0.1
	done
	echo $st $([ -z "$(node_procs "$lab" pc1 "$secs")" ] || echo program-left)
}

test_exec_signals_reach_the_program() {
	local lab=${LP}-cli-sig
	TEST_LABS="$lab"
	ok "$NSLAB" deploy --quiet --name $lab "$EXAMPLES/lan.clab.yml" || return
	# forwarded: the program dies of the signal, nslab exits 128+N as the program did
	expect_eq "$(exec_then_kill $lab TERM)" 143 "SIGTERM to nslab exec: exit status, program gone"
	expect_eq "$(exec_then_kill $lab HUP)" 129 "SIGHUP to nslab exec: exit status, program gone"
	# nslab killed outright: the program ends with it
	expect_eq "$(exec_then_kill $lab KILL)" 137 "SIGKILL to nslab exec: the program ends with it"
	# a program that handles the signal gets it and decides; its exit status passes through
	expect_eq "$(exec_then_kill $lab TERM sh -c 'trap "echo got-term; exit 5" TERM; while :; do sleep 0.2; done' sh)" 5 \
		"a trapping program's status after SIGTERM"
	expect_eq "$(cat "$TMPD/exec.out")" got-term "the trapping program got SIGTERM once"
}

test_exec_unknown_node_lists_nodes() {
	local lab=${LP}-cli-node out
	TEST_LABS="$lab"
	ok "$NSLAB" deploy --quiet --name $lab "$EXAMPLES/lan.clab.yml" || return
	out=$("$NSLAB" exec $lab h9 -- true 2>&1)
	expect_eq "$?" 1 "exit status for an unknown node"
	expect_eq "$out" "nslab: lab $lab has no node h9 (its nodes: sw1, pc1, pc2, pc3, pc4)" "unknown node lists the nodes"
	out=$("$NSLAB" attach $lab h9 </dev/null 2>&1)
	expect_match "$out" "has no node h9 \\(its nodes: sw1, pc1" "attach lists the nodes too"
}

test_tables_sized_to_content_and_limits_shown() {
	local lab=${LP}-cli-table-with-a-rather-long-lab-name out line
	TEST_LABS="$lab"
	ok "$NSLAB" deploy --quiet --name $lab "$EXAMPLES/lan.clab.yml" || return
	# limit prints what it set; "0" is CPU 0 (not "no limit") and shows in the node's affinity
	out=$("$NSLAB" limit $lab pc1 --cpu 0.5 --memory 256m --pids 100 --cpu-set 0 2>&1)
	expect_eq "$out" "pc1 of lab $lab: cpu 0.5, cpu-set 0, memory 256M, pids 100" "limit says what it set"
	expect_eq "$("$NSLAB" exec $lab pc1 -- grep Cpus_allowed_list /proc/self/status | awk '{print $2}')" 0 \
		"--cpu-set 0 confines the node to CPU 0"
	out=$("$NSLAB" limit $lab pc1 --pids none)
	expect_eq "$out" "pc1 of lab $lab: pids none" "limit says what it removed"
	# inspect: limits in the text, columns as wide as their content (PEER lines up after long addresses)
	out=$("$NSLAB" inspect $lab)
	expect_match "$out" "^pc1 +linux +running .* cpu 0\\.5, cpu-set 0, memory 256M +nslab-$lab\\.pc1$" "limits in text inspect"
	line=$(echo "$out" | grep '^INTERFACE')
	local col=$(($(echo "$line" | awk '{print index($0, "PEER")}')))
	for l in "$(echo "$out" | grep '^pc1:eth1')" "$(echo "$out" | grep '^sw1:sw1')"; do
		expect_eq "$(echo "$l" | awk -v c=$col '{print substr($0, c - 1, 1) (substr($0, c, 1) != " ")}')" " 1" \
			"PEER column lines up: $l"
	done
	expect_match "$out" "10\\.10\\.0\\.1/24,2001:db8:10::1/64 sw1:p1$" "dual-stack addresses whole, then the peer"
	# list: a long lab name keeps the columns apart
	expect_match "$("$NSLAB" list)" "^$lab running +5 +4 " "long lab name in list"
}

test_cli_papercuts() {
	local lab=${LP}-cli-pc out
	TEST_LABS="$lab"
	# destroy -t without its file: one error, exit 2
	out=$("$NSLAB" destroy -t 2>&1)
	expect_eq "$? $(echo "$out" | grep -c 'nslab destroy:')" "2 1" "destroy -t: one error"
	expect_match "$out" "^nslab destroy: -t needs a value" "destroy -t names what is missing"
	# inspect FILE: the lab the file deploys
	sed "s/^name: .*/name: $lab/" "$EXAMPLES/lan.clab.yml" > "$TMPD/pc.yml"
	out=$("$NSLAB" inspect "$TMPD/pc.yml" 2>&1)
	expect_eq "$?" 1 "inspect FILE of a lab not deployed fails"
	expect_eq "$out" "nslab: $TMPD/pc.yml deploys lab $lab: lab $lab is not deployed" "inspect FILE names the lab"
	ok "$NSLAB" deploy --quiet "$TMPD/pc.yml" || return
	expect_match "$("$NSLAB" inspect "$TMPD/pc.yml")" "^lab $lab \\(running\\)" "inspect FILE shows the lab"
	# non-root list says it needs root
	if command -v setpriv >/dev/null; then
		out=$(setpriv --reuid=65534 --regid=65534 --clear-groups "$NSLAB" list 2>&1)
		expect_match "$out" "^nslab: list needs root" "non-root list"
	fi
	# ? and unknown options: one line each
	expect_eq "$("$NSLAB" deploy --bogus x 2>&1 | head -1)" "nslab deploy: unknown option '--bogus'" "unknown option"
}

# attach's error paths free what they took: run with a descriptor limit that lets the node be found
# but not a pseudo-terminal opened. With an ASan build (NSLAB=build-asan/nslab), a leak would turn
# the exit status into LeakSanitizer's 23.
test_attach_error_path() {
	local lab=${LP}-cli-att out st
	TEST_LABS="$lab"
	command -v script >/dev/null || { skip "script (util-linux) is not installed"; return; }
	ok "$NSLAB" deploy --quiet --name $lab "$EXAMPLES/lan.clab.yml" || return
	# The redirect comes before the limit: dash (script's shell when
	# $SHELL is unset, as in CI) saves fd 0 above fd 10 for a redirect.
	out=$(SHELL=/bin/sh script -qec "exec </dev/tty; ulimit -n 5; $NSLAB attach $lab pc1; echo status=\$?" /dev/null 2>&1 | tr -d '\r')
	expect_match "$out" "nslab: opening a pseudo-terminal for pc1: Too many open files" "attach reports the pty error"
	expect_match "$out" "status=1$" "attach exits 1 (23 would be a leak under ASan)"
}
