# SPDX-License-Identifier: GPL-2.0-or-later
# tests/integration/t_lifecycle.sh: the node containers, exec/attach, errors, rollback, crash recovery.

test_node_container_basics() {
	local lab=${LP}-basic
	TEST_LABS="$lab"
	ok "$NSLAB" deploy --quiet --name $lab "$EXAMPLES/lan.clab.yml" || return
	expect_eq "$("$NSLAB" exec $lab pc1 -- hostname)" pc1 "hostname"
	expect_eq "$("$NSLAB" exec $lab pc1 -- cat /proc/1/comm)" nslab-init "PID 1 of the node"
	expect_eq "$("$NSLAB" exec $lab pc1 -- sh -c 'ls /proc | grep -c "^[0-9]"' )" 4 "only init, sh, ls and grep in the pid ns"
	expect_match "$("$NSLAB" exec $lab pc1 -- cat /etc/hosts)" "10.10.0.4[[:space:]]+pc4" "generated /etc/hosts"
	expect_eq "$("$NSLAB" exec $lab pc1 -- sh -c 'ls /sys/class/net | tr "\n" " "')" "eth1 lo " "sysfs of the node"
	expect_eq "$("$NSLAB" exec $lab pc1 -- ip -d link show eth1 | grep -o "num[rt]xqueues [0-9]*" | tr "\n" " ")" "numtxqueues 1 numrxqueues 1 " "one queue each way per veth end"
	# exit status and output pass through; no shell in between
	"$NSLAB" exec $lab pc1 -- sh -c 'exit 7'
	expect_eq "$?" 7 "exit status"
	"$NSLAB" exec $lab pc1 -- /nonexistent 2>/dev/null
	expect_eq "$?" 127 "missing program"
	expect_eq "$("$NSLAB" exec $lab pc1 -- echo 'a;b' '$x')" 'a;b $x' "argv not interpolated"
	# attach without a terminal runs the shell on stdin
	expect_eq "$(echo 'hostname; exit 3' | "$NSLAB" attach $lab pc3 2>/dev/null)" pc3 "attach runs in the node"
	# IPC and UTS isolation
	[ "$("$NSLAB" exec $lab pc1 -- readlink /proc/self/ns/ipc)" != "$(readlink /proc/self/ns/ipc)" ] || fail "ipc ns shared"
	nok "$NSLAB" exec $lab nosuch -- true
	nok "$NSLAB" exec ${LP}-nosuchlab pc1 -- true
}

test_two_labs_same_node_names() {
	TEST_LABS="${LP}-twin-a ${LP}-twin-b"
	ok "$NSLAB" deploy --quiet --name ${LP}-twin-a "$EXAMPLES/lan.clab.yml" || return
	ok "$NSLAB" deploy --quiet --name ${LP}-twin-b "$EXAMPLES/lan.clab.yml" || return
	ok "$NSLAB" exec ${LP}-twin-a pc1 -- ping -c 1 -W 2 pc2
	ok "$NSLAB" exec ${LP}-twin-b pc1 -- ping -c 1 -W 2 pc2
	[ "$(node_pid ${LP}-twin-a pc1)" != "$(node_pid ${LP}-twin-b pc1)" ] || fail "labs share a node"
	ok "$NSLAB" destroy ${LP}-twin-a
	# the other lab is untouched
	ok "$NSLAB" exec ${LP}-twin-b pc1 -- ping -c 1 -W 2 pc3
	expect_eq "$(leftovers ${LP}-twin-a)" "" "first lab gone"
}

test_second_deploy_fails_clearly() {
	local lab=${LP}-again out
	TEST_LABS="$lab"
	ok "$NSLAB" deploy --quiet --name $lab "$EXAMPLES/lan.clab.yml" || return
	out=$("$NSLAB" deploy --quiet --name $lab "$EXAMPLES/lan.clab.yml" 2>&1)
	expect_eq "$?" 1 "second deploy exit code"
	expect_match "$out" "already deployed" "second deploy message"
	ok "$NSLAB" exec $lab pc1 -- ping -c 1 -W 2 pc2
}

test_bad_file_changes_nothing() {
	local lab=${LP}-bad out
	TEST_LABS="$lab"
	cat > "$TMPD/bad.yml" <<YML
name: ${LP}-bad
topology:
  nodes:
    a: {kind: linux}
    b: {kind: linux, colour: red}
  links:
    - endpoints: ["a:eth1", "c:eth1"]
    - endpoints: ["a:eth1", "b:averyveryverylongname0"]
YML
	out=$("$NSLAB" deploy "$TMPD/bad.yml" 2>&1)
	expect_eq "$?" 1 "exit code"
	expect_match "$out" "bad.yml:5:[0-9]+: error: .*colour" "unknown key with line:col"
	expect_match "$out" "bad.yml:7:[0-9]+: error: .*c" "unknown node"
	expect_match "$out" "bad.yml:8:[0-9]+: error: " "second link errors"
	expect_eq "$(leftovers $lab)" "" "nothing created"
	# validate and plan need no root
	out=$(setpriv --reuid=65534 --regid=65534 --clear-groups "$NSLAB" validate "$EXAMPLES/triangle.clab.yml" 2>&1)
	expect_match "$out" "ok" "validate as nobody"
	out=$(setpriv --reuid=65534 --regid=65534 --clear-groups "$NSLAB" plan "$EXAMPLES/triangle.clab.yml" 2>&1)
	expect_match "$out" "create veth r1:eth1 -- r2:eth1" "plan as nobody"
	nok setpriv --reuid=65534 --regid=65534 --clear-groups "$NSLAB" validate "$TMPD/bad.yml"
}

test_failed_exec_rolls_back() {
	local lab=${LP}-rollback out
	TEST_LABS="$lab"
	cat > "$TMPD/rb.yml" <<YML
name: ${LP}-rollback
topology:
  nodes:
    a: {kind: linux, exec: ["echo first", "echo boom >&2; exit 4"]}
    b: {kind: linux}
  links:
    - endpoints: ["a:eth1", "b:eth1"]
YML
	out=$("$NSLAB" deploy --quiet "$TMPD/rb.yml" 2>&1)
	expect_eq "$?" 1 "exit code"
	expect_match "$out" "node a: exec .* exited with status 4" "error names node and command"
	expect_match "$out" "boom" "error carries the command output"
	expect_eq "$(leftovers $lab)" "" "rolled back"
}

test_exec_runs_nodes_in_parallel_reports_in_order() {
	local lab=${LP}-par out
	TEST_LABS="$lab"
	# a's command waits for b's to start (both see the host's $TMPD through a bind): it can only
	# succeed when nodes run their commands at the same time; each node's own commands still run in order
	cat > "$TMPD/par.yml" <<YML
name: ${LP}-par
topology:
  defaults:
    binds: ["$TMPD:/shared"]
  nodes:
    a: {kind: linux, exec: ["for i in \$(seq 100); do [ -e /shared/b-started ] && exit 0; sleep 0.05; done; exit 3", "echo a-second"]}
    b: {kind: linux, exec: ["touch /shared/b-started; sleep 0.3; echo b-first", "echo b-second"]}
  links:
    - endpoints: ["a:eth1", "b:eth1"]
YML
	out=$("$NSLAB" deploy "$TMPD/par.yml" 2>&1) || { fail "deploy: $out"; return; }
	# reported in file order, whatever order they ended in
	expect_eq "$(echo "$out" | grep -E '^\[(a|b)\] ' | cut -d' ' -f1 | tr '\n' ' ')" "[a] [a] [b] [b] " "report order"
	expect_eq "$(echo "$out" | grep -xE 'a-second|b-first|b-second' | tr '\n' ' ')" "a-second b-first b-second " "outputs in file order"
	ok "$NSLAB" destroy $lab
}

test_exec_failure_while_another_node_runs() {
	local lab=${LP}-parfail out
	TEST_LABS="$lab"
	# b fails while a's first command still runs: a's second never starts, and the deploy fails
	cat > "$TMPD/parfail.yml" <<YML
name: ${LP}-parfail
topology:
  nodes:
    a: {kind: linux, exec: ["sleep 0.5", "echo a-second-ran"]}
    b: {kind: linux, exec: ["exit 5"]}
  links:
    - endpoints: ["a:eth1", "b:eth1"]
YML
	out=$("$NSLAB" deploy "$TMPD/parfail.yml" 2>&1)
	expect_eq "$?" 1 "the deploy fails"
	expect_match "$out" "node b: exec 'exit 5' exited with status 5" "the failure is reported"
	case "$out" in *a-second-ran*) fail "a command started after a failure" ;; esac
	expect_eq "$(leftovers $lab)" "" "rolled back"
}

test_exec_pipes_and_signals_are_default() {
	local lab=${LP}-sigdef out blk ign
	TEST_LABS="$lab"
	# programs run from exec start like from a shell: SIGPIPE not ignored (it ends `yes` here),
	# nothing blocked
	cat > "$TMPD/sigdef.yml" <<YML
name: ${LP}-sigdef
topology:
  nodes:
    a: {kind: linux, exec: ["yes | head -n 1 >/dev/null; grep -E '^(SigBlk|SigIgn)' /proc/self/status"]}
YML
	out=$("$NSLAB" deploy "$TMPD/sigdef.yml" 2>&1) || { fail "deploy: $out"; return; }
	blk=$(echo "$out" | awk '/^SigBlk:/ { print $2 }') ign=$(echo "$out" | awk '/^SigIgn:/ { print $2 }')
	[ -n "$blk" ] && [ -n "$ign" ] || { fail "no signal masks in: $out"; return; }
	# what a deploy blocks (SIGHUP, SIGINT, SIGTERM) or ignores (SIGPIPE) must not reach the program;
	# whatever the caller's own environment ignores is inherited as from any shell
	expect_eq "$(( 0x$blk & 0x4003 ))" 0 "SIGHUP/SIGINT/SIGTERM not blocked ($blk)"
	expect_eq "$(( 0x$ign & 0x1000 ))" 0 "SIGPIPE not ignored ($ign)"
	ok "$NSLAB" destroy $lab
}

test_list_says_degraded_when_a_node_died() {
	local lab=${LP}-degr pid
	TEST_LABS="$lab"
	ok "$NSLAB" deploy --quiet --name $lab "$EXAMPLES/lan.clab.yml" || return
	expect_eq "$("$NSLAB" list --json | jq -r ".[] | select(.name==\"$lab\") | .status")" running "all alive"
	pid=$("$NSLAB" inspect $lab --json | jq -r '.nodes[0].pid')
	kill -9 "$pid"
	wait_gone "$pid"
	expect_eq "$("$NSLAB" list --json | jq -c ".[] | select(.name==\"$lab\") | [.status, .dead_nodes]")" '["degraded",1]' "one init killed"
	expect_match "$("$NSLAB" list)" "$lab +degraded" "text list"
	ok "$NSLAB" destroy $lab
}

test_kernel_error_rolls_back() {
	local lab=${LP}-kerr out
	TEST_LABS="$lab"
	# a route through a gateway no interface reaches: the kernel refuses it at the routes phase
	cat > "$TMPD/kerr.yml" <<YML
name: ${LP}-kerr
topology:
  nodes:
    a:
      kind: linux
      interfaces: {eth1: {ipv4: 10.9.0.1/24}}
      routes: [{dst: 10.8.0.0/16, via: 10.7.0.1}]
    b: {kind: linux}
  links:
    - endpoints: ["a:eth1", "b:eth1"]
YML
	out=$("$NSLAB" deploy --quiet "$TMPD/kerr.yml" 2>&1)
	expect_eq "$?" 1 "exit code"
	expect_match "$out" "deploying lab ${LP}-kerr: node a: add route a: 10.8.0.0/16 via 10.7.0.1: Network is unreachable" "error names the route and the kernel reason"
	expect_eq "$(leftovers $lab)" "" "rolled back"
}

# a chain of N linux nodes with addresses on every link
make_chain() {
	local name=$1 n=$2 f=$3
	{
		echo "name: $name"
		echo "topology:"
		echo "  nodes:"
		for i in $(seq 1 "$n"); do echo "    n$i: {kind: router}"; done
		echo "  links:"
		for i in $(seq 1 $((n - 1))); do
			echo "    - type: veth"
			echo "      endpoints:"
			echo "        - {node: n$i, interface: e1, ipv4: 10.$((i / 250)).$((i % 250)).1/30}"
			echo "        - {node: n$((i + 1)), interface: e0, ipv4: 10.$((i / 250)).$((i % 250)).2/30}"
		done
	} > "$f"
}

now_ms() { date +%s%3N; }

test_kill9_mid_deploy_then_destroy() {
	local lab=${LP}-crash i pid delay t0 dur left
	TEST_LABS="$lab"
	make_chain $lab 200 "$TMPD/chain.yml"
	# measure one deploy, then kill -9 at random moments inside that window
	t0=$(now_ms)
	ok "$NSLAB" deploy --quiet "$TMPD/chain.yml" || return
	dur=$(( $(now_ms) - t0 ))
	ok "$NSLAB" destroy $lab
	[ "$dur" -gt 0 ] || dur=1
	for i in $(seq 1 10); do
		delay=$(( RANDOM % dur ))
		"$NSLAB" deploy --quiet "$TMPD/chain.yml" >/dev/null 2>&1 &
		pid=$!
		sleep "$(printf '%d.%03d' $((delay / 1000)) $((delay % 1000)))"
		kill -9 $pid 2>/dev/null
		wait $pid 2>/dev/null
		ok "$NSLAB" destroy $lab
		left=$(leftovers $lab)
		[ -z "$left" ] || fail "after kill -9 at ${delay}ms of ${dur}ms and destroy: $left"
		for _ in $(seq 30); do [ "$(count_inits)" -le "$base_inits" ] && break; sleep 0.1; done
		[ "$(count_inits)" -le "$base_inits" ] || fail "after kill -9 at ${delay}ms: $(count_inits) node processes left"
	done
	echo "    deploy of 200 nodes took ${dur}ms; killed at 10 random points in it"
}

test_cleanup_removes_only_dead_labs() {
	local pid out
	TEST_LABS="${LP}-dead ${LP}-alive"
	cat > "$TMPD/dead.yml" <<YML
name: ${LP}-dead
topology:
  nodes:
    a: {kind: linux, exec: ["sleep 30"]}
    b: {kind: linux}
  links:
    - endpoints: ["a:eth1", "b:eth1"]
YML
	ok "$NSLAB" deploy --quiet --name ${LP}-alive "$EXAMPLES/lan.clab.yml" || return
	"$NSLAB" deploy --quiet "$TMPD/dead.yml" >/dev/null 2>&1 &
	pid=$!
	# wait until the deploy is inside its exec phase (nodes exist), then kill it
	for _ in $(seq 50); do [ -e /run/netns/nslab-${LP}-dead.b ] && break; sleep 0.1; done
	sleep 0.2
	kill -9 $pid
	wait $pid 2>/dev/null
	[ -d /run/nslab/${LP}-dead ] || fail "the killed deploy left no state to clean up"
	expect_match "$("$NSLAB" list)" "${LP}-dead +deploying" "list shows the dead deploy"
	out=$("$NSLAB" cleanup ${LP}-dead ${LP}-alive)
	expect_match "$out" "cleaned ${LP}-dead" "cleanup reports the dead lab"
	expect_eq "$(leftovers ${LP}-dead)" "" "dead lab cleaned"
	for _ in $(seq 30); do [ "$(count_inits)" -le "$((base_inits + 5))" ] && break; sleep 0.1; done
	expect_eq "$(count_inits)" "$((base_inits + 5))" "only the live lab's node processes remain"
	ok "$NSLAB" exec ${LP}-alive pc1 -- ping -c 1 -W 2 pc2
}

test_destroy_forms() {
	ok "$NSLAB" deploy --quiet "$EXAMPLES/lan.clab.yml" --name ${LP}-form || return
	TEST_LABS="${LP}-form"
	ok "$NSLAB" destroy ${LP}-form
	ok "$NSLAB" destroy ${LP}-form   # idempotent
	# destroy -t FILE takes the lab name from the file
	sed "s/^name: lan$/name: ${LP}-formt/" "$EXAMPLES/lan.clab.yml" > "$TMPD/formt.yml"
	TEST_LABS="${LP}-form ${LP}-formt"
	ok "$NSLAB" deploy --quiet "$TMPD/formt.yml" || return
	expect_match "$("$NSLAB" list)" "${LP}-formt +running" "list shows the lab"
	expect_eq "$("$NSLAB" list --json | jq -r --arg n "${LP}-formt" '.[] | select(.name==$n) | .nodes')" 5 "list --json"
	ok "$NSLAB" destroy -t "$TMPD/formt.yml"
	expect_eq "$(leftovers ${LP}-formt)" "" "destroy -t"
}

test_attach_on_a_pty() {
	local lab=${LP}-pty out
	TEST_LABS="$lab"
	command -v script >/dev/null || { skip "script(1) from bsdutils is not installed"; return; }
	ok "$NSLAB" deploy --quiet --name $lab "$EXAMPLES/lan.clab.yml" || return
	# script(1) gives nslab a real terminal; the shell in the node must get a pty of its own,
	# the terminal size, and its exit status must come back
	out=$( (sleep 0.5; printf 'echo "host=$(hostname) tty=$(tty) size=$(stty size)"\n'; sleep 0.5; printf 'exit 5\n') |
		timeout 15 script -qec "stty rows 30 cols 100; $NSLAB attach $lab pc2 --shell /bin/sh" /dev/null)
	expect_eq "$?" 5 "attach exit status"
	expect_match "$out" "host=pc2 tty=/dev/pts/[0-9]+ size=30 100" "shell on a pty in the node"
	expect_match "$out" "detached from pc2" "detach message"
}

test_exec_passes_options_through() {
	local lab=${LP}-opts
	TEST_LABS="$lab"
	ok "$NSLAB" deploy --quiet --name $lab "$EXAMPLES/lan.clab.yml" || return
	# -h and --help after LAB NODE belong to the program, with or without --
	expect_match "$("$NSLAB" exec $lab pc1 df -h /)" "Filesystem" "df -h without --"
	expect_match "$("$NSLAB" exec $lab pc1 -- ip --help 2>&1)" "Usage: ip" "ip --help after --"
	expect_match "$("$NSLAB" exec --help)" "usage: nslab exec" "exec --help"
}

test_signal_during_exec_rolls_back() {
	local lab=${LP}-sig pid
	TEST_LABS="$lab"
	cat > "$TMPD/sig.yml" <<YML
name: ${LP}-sig
topology:
  nodes:
    a: {kind: linux, exec: ["sleep 2"]}
    b: {kind: linux}
  links:
    - endpoints: ["a:eth1", "b:eth1"]
YML
	"$NSLAB" deploy --quiet "$TMPD/sig.yml" >/dev/null 2>&1 &
	pid=$!
	for _ in $(seq 50); do [ -e /run/netns/nslab-${LP}-sig.b ] && break; sleep 0.1; done
	kill -TERM $pid
	wait $pid
	expect_eq "$?" 1 "a deploy interrupted in its exec phase fails"
	expect_eq "$(leftovers $lab)" "" "and rolls back"
}

test_handles_of_another_rundir_are_not_touched() {
	local lab=${LP}-rundir out
	TEST_LABS="$lab"
	ok "$NSLAB" deploy --quiet --name $lab "$EXAMPLES/lan.clab.yml" || return
	out=$(NSLAB_RUNDIR="$TMPD/rd" "$NSLAB" deploy --quiet --name $lab "$EXAMPLES/lan.clab.yml" 2>&1)
	expect_match "$out" "already exists but lab $lab has no state here" "clash is refused"
	NSLAB_RUNDIR="$TMPD/rd" "$NSLAB" cleanup $lab >/dev/null
	NSLAB_RUNDIR="$TMPD/rd" "$NSLAB" destroy $lab >/dev/null 2>&1
	expect_eq "$(ls /run/netns | grep -c "nslab-$lab\.")" 5 "the live lab keeps its handles"
	ok "$NSLAB" exec $lab pc1 -- ping -c 1 -W 2 pc2
}

# issue 12 item 1: a destroy queued on the lab lock while another destroy removes the lab must not
# act on the next deploy of that lab. NSLAB_TEST_LOCK_WAIT holds the queued destroy between
# opening the old lock file and locking it until the next deploy is in its exec phase.
test_queued_destroy_spares_the_next_deploy() {
	local lab=${LP}-queued go=$TMPD/queued-go pid dpid st t_dep t_des
	TEST_LABS="$lab"
	cat > "$TMPD/queued.yml" <<YML
name: ${LP}-queued
topology:
  nodes:
    a: {kind: linux, binds: ["$TMPD:$TMPD"], exec: ["touch $go", "sleep 1"]}
    b: {kind: linux}
  links:
    - endpoints: ["a:eth1", "b:eth1"]
YML
	# (nodes have their own /tmp: the bind lets a's exec tell the host it ran)
	ok "$NSLAB" deploy --quiet "$TMPD/queued.yml" || return
	rm -f "$go" # its exec made it
	NSLAB_TEST_LOCK_WAIT=$go "$NSLAB" destroy $lab >/dev/null 2>"$TMPD/queued.err" &
	pid=$!
	# the queued destroy has the old lock file open
	for _ in $(seq 50); do ls -l /proc/$pid/fd 2>/dev/null | grep -q "/$lab/lock" && break; sleep 0.1; done
	ls -l /proc/$pid/fd 2>/dev/null | grep -q "/$lab/lock" || fail "the queued destroy never opened the lock"
	ok "$NSLAB" destroy $lab
	"$NSLAB" deploy --quiet "$TMPD/queued.yml" >"$TMPD/queued.out" 2>&1
	st=$?
	t_dep=$(now_ms)
	expect_eq "$st" 0 "the next deploy succeeds ($(tail -n 2 "$TMPD/queued.out"))"
	wait $pid
	expect_eq "$?" 0 "the queued destroy succeeds ($(cat "$TMPD/queued.err"))"
	t_des=$(now_ms)
	[ "$t_des" -ge "$t_dep" ] || fail "the queued destroy ended before the deploy"
	# it waited for the deploy, then destroyed that lab whole: nothing leaked
	expect_eq "$(leftovers $lab)" "" "nothing left after the queued destroy"
	for _ in $(seq 30); do [ "$(count_inits)" -le "$base_inits" ] && break; sleep 0.1; done
	expect_eq "$(count_inits)" "$base_inits" "no node process left"
}

# issue 11 item 2 / issue 12 item 7: a kill -9 during `nslab link set` left state.json.link in the lab
# directory, and destroy then failed with "Directory not empty" forever. Any leftover file goes.
test_destroy_with_a_leftover_temp_file() {
	local lab=${LP}-tmpfile out
	TEST_LABS="$lab"
	ok "$NSLAB" deploy --quiet --name $lab "$EXAMPLES/lan.clab.yml" || return
	echo '{"torn' > "/run/nslab/$lab/state.json.link"
	echo '{"torn' > "/run/nslab/$lab/state.json.tmp"
	out=$("$NSLAB" destroy $lab 2>&1)
	expect_eq "$?" 0 "destroy with leftover temp files ($out)"
	expect_eq "$(leftovers $lab)" "" "nothing left"
}

# issue 12 item 2: a full run directory. A deploy that runs out of space fails with a named error
# and rolls back whole (a journal line cut by the full disk is ignored), and destroy makes progress
# with zero bytes free. The run directory is a small tmpfs (NSLAB_RUNDIR).
test_full_rundir() {
	local lab=${LP}-full fs=$TMPD/fullfs rd out rc avail free left
	TEST_LABS="$lab"
	rd=$fs/rd
	mkdir -p "$fs" && mount -t tmpfs -o size=256k tmpfs "$fs" || { skip "cannot mount a tmpfs"; return; }
	make_chain $lab 60 "$TMPD/full.yml"
	for free in 0 8 48 50 52 53 54 55 56 58 60; do
		rm -f "$fs/fill"
		avail=$(df -k "$fs" | awk 'NR == 2 { print $4 }')
		[ "$avail" -gt "$free" ] && dd if=/dev/zero of="$fs/fill" bs=1k count=$((avail - free)) 2>/dev/null
		out=$(NSLAB_RUNDIR=$rd "$NSLAB" deploy --quiet "$TMPD/full.yml" 2>&1)
		rc=$?
		if [ $rc != 0 ]; then
			expect_eq "$rc" 1 "deploy with ${free}k free fails cleanly ($out)"
			expect_match "$out" "deploying lab $lab: .*[^ :]$" "the error says what failed with ${free}k free"
			[ -e "$rd/$lab" ] && fail "${free}k free: the rollback left $rd/$lab"
			left=$(leftovers $lab)
			[ -z "$left" ] || fail "${free}k free: the rollback left: $left"
		fi
		rm -f "$fs/fill"
		NSLAB_RUNDIR=$rd "$NSLAB" destroy $lab >/dev/null 2>&1 || fail "destroy after ${free}k free"
	done
	# a running lab, then the disk fills: destroy and cleanup still work
	ok env NSLAB_RUNDIR="$rd" "$NSLAB" deploy --quiet "$TMPD/full.yml"
	dd if=/dev/zero of="$fs/fill" bs=4k 2>/dev/null
	expect_eq "$(df -k "$fs" | awk 'NR == 2 { print $4 }')" 0 "the run directory is full"
	out=$(NSLAB_RUNDIR=$rd "$NSLAB" destroy $lab 2>&1)
	expect_eq "$?" 0 "destroy with zero bytes free ($out)"
	expect_eq "$(leftovers $lab)" "" "nothing left"
	[ -e "$rd/$lab" ] && fail "destroy left $rd/$lab"
	for _ in $(seq 30); do [ "$(count_inits)" -le "$base_inits" ] && break; sleep 0.1; done
	expect_eq "$(count_inits)" "$base_inits" "no node process left"
	umount "$fs"
}
