# SPDX-License-Identifier: GPL-2.0-or-later
# tests/integration/t_console.sh: `nslab console` driven like a person, in tmux: keys in with
# send-keys, the screen out with capture-pane. Each test uses its own tmux server (-L) and kills it.

CON_TMUX=""

# con_start NAME COLS ROWS: a tmux server + session running a plain bash with a known prompt
con_start() {
	CON_TMUX="nslab-it-$1-$$"
	tmux -L "$CON_TMUX" -f /dev/null new-session -d -s con -x "$2" -y "$3" \
		"env -u TMUX LANG=C.UTF-8 TERM=tmux-256color PS1='host\$ ' bash --norc --noprofile" || return 1
	tmux -L "$CON_TMUX" set-option -g default-terminal tmux-256color >/dev/null 2>&1
	con_wait 'host\$' 5
}

con_stop() {
	[ -n "$CON_TMUX" ] && tmux -L "$CON_TMUX" kill-server >/dev/null 2>&1
	CON_TMUX=""
}

con_keys() { tmux -L "$CON_TMUX" send-keys -t con "$@"; }
con_screen() { tmux -L "$CON_TMUX" capture-pane -p -t con; }

# con_wait REGEX [SECONDS]: wait until the screen matches; the screen is in $SCREEN
con_wait() {
	local i
	for i in $(seq $((${2:-5} * 10))); do
		SCREEN=$(con_screen)
		echo "$SCREEN" | grep -Eq -- "$1" && return 0
		sleep 0.1
	done
	return 1
}

# con_expect REGEX WHAT [SECONDS]
con_expect() {
	con_wait "$1" "${3:-5}" || fail "$2: '$1' not on screen:
$SCREEN"
}

# The terminal is back in cooked mode with echo: the console restored it.
con_expect_restored() {
	con_keys "stty -a | tr ';' '\\n' | grep -Ec '^ *-?(icanon|echo)\$' ; stty -a | grep -Eo -- '-?icanon|-?echo ' | tr '\\n' ' '; echo" Enter
	con_expect 'icanon echo' "$1: terminal restored (icanon, echo)"
}

# con_lab LAB NAME COLS ROWS: the LAN example deployed as LAB and `nslab console LAB` running in a
# COLS x ROWS tmux session; 1 (test skipped or failed) if that could not be done
con_lab() {
	command -v tmux >/dev/null || { skip "tmux is not installed"; return 1; }
	ok "$NSLAB" deploy --quiet --name "$1" "$EXAMPLES/lan.clab.yml" || return 1
	con_start "$2" "$3" "$4" || { fail "tmux session did not start"; con_stop; return 1; }
	# node shells start from a HOME without dotfiles (root's may be slow or ask questions) and a
	# known prompt: user@node:dir$
	mkdir -p "$TMPD/home"
	con_keys "HOME=$TMPD/home PS1='\\u@\\h:\\w\\$ ' $NSLAB console $1" Enter
}

# con_log_rm LAB: remove the console's log file of LAB
con_log_rm() {
	rm -f "/tmp/nslab-console-$1.log" "${XDG_RUNTIME_DIR:-/tmp}/nslab-console-$1.log"
}

test_console_lab_view_shell_and_link() {
	local lab=${LP}-console
	TEST_LABS="$lab"
	con_lab $lab view 100 30 || return
	# the lab view: nodes with kind and state, links, the key help line
	con_expect 'pc1 +linux +running' "node pc1 listed"
	con_expect 'sw1 +bridge +running' "node sw1 listed"
	expect_match "$SCREEN" 'pc4:eth1 -- sw1:p4 +up' "link listed up"
	expect_match "$SCREEN" 'Enter shell' "key help line"
	expect_match "$SCREEN" '10\.10\.0\.1/24' "interface addresses"

	# a shell in pc1: Down to pc1, Enter
	con_keys Down Enter
	con_expect '2:pc1' "a tab for the pc1 shell"
	con_expect 'pc1.*[#$] *$' "prompt of pc1" 10
	con_keys 'hostname' Enter
	con_expect '^pc1 *$' "hostname in the pc1 shell"
	con_keys 'echo hello-$((6*7))' Enter
	con_expect '^hello-42' "command output in the pc1 shell"

	# a full-screen program renders and exits
	con_keys 'top -d 1' Enter
	con_expect 'PID +USER' "top inside the node"
	con_keys q
	con_expect 'pc1.*[#$] *$' "back to the prompt after top"

	# back to the lab view (F1); the shell stays open as a tab
	con_keys F1
	con_expect 'NODE +KIND +STATE' "lab view again"
	expect_match "$SCREEN" '2:pc1' "the shell's tab stays"

	# select pc2:eth1 -- sw1:p2 (5 nodes, then the second link) and take it down with d
	con_keys Home Down Down Down Down Down Down d
	con_expect 'pc2:eth1 -- sw1:p2 +down' "link shown down after d"
	expect_eq "$("$NSLAB" inspect $lab --json | jq -r '.nodes[] | select(.name=="pc2") | .interfaces[0].link_down')" \
		true "pc2:eth1 taken down through the console"
	con_keys u
	con_expect 'pc2:eth1 -- sw1:p2 +up' "link shown up after u"

	# ping from pc1 to pc2 (p, a node name, Enter): output in the panel
	con_keys Home Down p
	con_expect 'ping from pc1 to' "ping prompt"
	con_keys pc2 Enter
	con_expect '3 packets transmitted, 3 received' "ping output" 10

	# routes and neighbours of pc1 (o)
	con_keys Escape o
	con_expect '10\.10\.0\.0/24 dev eth1' "routes of pc1"

	# ? shows every key, from the same table as the bottom line; Esc closes it
	con_keys Escape '?'
	con_expect '^Lab view:' "help screen (?)"
	expect_match "$SCREEN" 'Up, k +select the row above' "the help screen starts at the top"
	con_keys NPage NPage NPage NPage NPage NPage
	con_expect 'd +take the link down' "the help screen scrolls to a link key"
	con_keys Escape
	con_expect 'node pc1 \(linux\)' "help screen closed (Esc)"
	# a key that means nothing says so
	con_keys z
	con_expect "'z': unknown key \\(\\? lists the keys\\)" "unknown key reported"

	# exiting the shell closes its tab and returns to the lab view
	con_keys F2
	con_expect 'pc1.*[#$] *$' "the pc1 shell again"
	con_keys 'exit' Enter
	con_expect 'shell on pc1 exited' "shell exit reported"
	expect_match "$SCREEN" 'NODE +KIND' "lab view after the shell exited"

	# quit: the prompt comes back and the terminal is as it was
	con_keys q
	con_expect '^host\$' "shell prompt after quitting"
	con_expect_restored "after q"
	con_stop
	con_log_rm $lab
}

test_console_80x24_and_signals() {
	local lab=${LP}-console2 pid
	TEST_LABS="$lab"
	con_lab $lab small 80 24 || return
	con_expect 'pc4 +linux +running' "nodes listed at 80x24"
	expect_match "$SCREEN" 'pc4:eth1 -- sw1:p4' "links listed at 80x24"
	expect_match "$SCREEN" 'q quit' "help line at 80x24"
	# a shell with a shell prompt, a resize, then SIGTERM: the terminal must be restored
	con_keys Down Down Enter
	con_expect 'pc2.*[#$] *$' "prompt of pc2" 10
	tmux -L "$CON_TMUX" resize-window -t con -x 90 -y 28 >/dev/null 2>&1
	con_keys 'stty size' Enter
	con_expect '^2[0-9] 90' "the node shell follows the resize"
	# back in the lab view, the whole new size is used: title at the right edge, keys on the last row
	con_keys F1
	con_expect 'NODE +KIND' "lab view after the resize"
	expect_eq "$(echo "$SCREEN" | wc -l)" 28 "screen rows after the resize"
	# (capture-pane drops the title's trailing space: it ends in column 89 of 90)
	expect_match "$(echo "$SCREEN" | head -1)" "nslab console: $lab\$" "title on the first row after the resize"
	expect_eq "$(echo "$SCREEN" | head -1 | awk '{print length($0)}')" 89 "title at the right edge after the resize"
	expect_match "$(echo "$SCREEN" | tail -1)" 'q quit' "key line on the last row after the resize"
	pid=$(pgrep -P "$(tmux -L "$CON_TMUX" display-message -p -t con '#{pane_pid}')" -f "console $lab")
	[ -n "$pid" ] && kill -TERM "$pid"
	con_expect '^host\$' "prompt after SIGTERM"
	con_expect_restored "after SIGTERM"
	# nothing was printed over the screen: logs went to the log file
	[ -s "${XDG_RUNTIME_DIR:-/tmp}/nslab-console-$lab.log" ] || [ -s "/tmp/nslab-console-$lab.log" ] ||
		fail "no console log file"
	con_stop
	con_log_rm $lab
}

# issue 16's console habits: two shells on one node told apart, a long message wrapped rather than
# cut, a lab destroyed from outside shown as gone
test_console_habits() {
	local lab=${LP}-conh
	TEST_LABS="$lab"
	con_lab $lab habits 70 24 || return
	con_expect 'pc1 +linux +running' "nodes listed"

	# a second shell on pc1 gets its own label
	con_keys Down Enter
	con_expect 'pc1.*[#$] *$' "prompt of the first pc1 shell" 10
	con_keys F1
	con_expect 'NODE +KIND' "lab view"
	con_keys a
	con_expect '3:pc1#2' "the second pc1 shell is labelled pc1#2"
	expect_match "$SCREEN" '2:pc1 ' "the first keeps pc1"
	con_keys F1

	# a long error wraps: its end (the kernel's own words) is on screen at 70 columns
	con_keys End i
	con_expect 'impair ' "impairment prompt"
	con_keys 'delay 20ms' Enter
	if modinfo sch_netem >/dev/null 2>&1; then
		con_expect "link pc4:eth1 -- sw1:p4: delay 20ms" "impairment set (this kernel has netem: no long error)"
	else
		con_expect 'Specified qdisc kind is unknown\)' "the end of the long netem error, wrapped" 10
		expect_match "$SCREEN" 'CONFIG_NET_SCH_NETEM' "the hint of the netem error"
	fi

	# destroyed from outside: shown as gone, not as running
	ok "$NSLAB" destroy $lab
	con_keys F1
	con_expect "nslab console: $lab \\(gone\\)" "title says gone" 10
	con_expect 'pc1 +linux +gone' "nodes shown gone"
	con_keys q y
	con_expect '^host\$' "shell prompt after quitting"
	con_expect_restored "after q"
	con_stop
	con_log_rm $lab
}

# Lists longer than their rows say how many lines are out of view, above and below (htop's habit)
test_console_long_lists_say_more() {
	local lab=${LP}-conmore
	TEST_LABS="$lab"
	con_lab $lab more 80 14 || return
	con_expect 'NODE +KIND' "lab view at 80x14"
	# 12 list lines (2 headers, 5 nodes, a blank, 4 links) in 6 rows: 6 below
	expect_match "$SCREEN" ' v 6 more *$' "lines below counted"
	if echo "$SCREEN" | grep -q '\^ [0-9]* more'; then fail "nothing is above at the top: $SCREEN"; fi
	con_keys End
	con_expect ' \^ 6 more *$' "at the last link, lines above counted"
	if echo "$SCREEN" | grep -q ' v [0-9]* more'; then fail "nothing is below at the end: $SCREEN"; fi
	con_keys q y
	con_expect '^host\$' "shell prompt after quitting"
	con_stop
	con_log_rm $lab
}

# issue 16's remaining console habits: / filter, s sort, a mouse click selects, the command line
# (Mininet's: NODE CMD with node names as addresses, pingall, link NODE NODE down, net), its
# history (Up), and DROPS counting the qdisc's drops (a full tbf)
test_console_filter_sort_mouse_commands() {
	local lab=${LP}-conf
	TEST_LABS="$lab"
	con_lab $lab cmds 110 32 || return
	con_expect 'pc4 +linux +running' "nodes listed"
	# / filter: only pc3 and its link; the title says so; an empty filter shows all again
	con_keys / pc3 Enter
	con_expect "filter: pc3 nslab console: $lab" "the filter in the title"
	expect_match "$SCREEN" 'pc3:eth1 -- sw1:p3' "pc3's link shown"
	echo "$SCREEN" | grep -Eq '^pc1 +linux' && fail "pc1 shown through the filter 'pc3'"
	echo "$SCREEN" | grep -q 'pc4:eth1 -- sw1:p4' && fail "pc4's link shown through the filter 'pc3'"
	con_keys / C-u Enter
	con_expect '^pc1 +linux' "all nodes again after an empty filter"
	# s: by name, then by cpu...; S reverses (sw1 first by name reversed)
	con_keys s S
	con_expect "sort: name \\(reversed\\) nslab console" "the sort in the title"
	expect_eq "$(echo "$SCREEN" | sed -n 3p | awk '{print $1}')" sw1 "first node by name reversed"
	expect_eq "$(echo "$SCREEN" | sed -n 7p | awk '{print $1}')" pc1 "last node by name reversed"
	con_keys s s s s s S
	con_expect "^\\[1:lab\\] +nslab console" "back to the lab order"
	# a click (X10 mouse report: button 1 at x 0, y 6, each + 33) selects pc4, on screen row 6
	con_keys -l $'\033[M !\x27'
	con_expect '^-- node pc4 \(linux\)' "the clicked row is selected"
	# the command line: NODE CMD, node names replaced by addresses
	con_keys : 'pc1 ping -c 1 -W 2 pc2' Enter
	con_expect 'ping -c 1 -W 2 10\.10\.0\.2' "pc2 became its address"
	con_expect '1 packets transmitted, 1 received' "ping from the command line" 10
	con_keys Escape : pingall Enter
	con_expect '\*\*\* Results: 0% dropped \(12/12 received\)' "pingall from the command line" 20
	con_keys Escape : 'link pc2 sw1 down' Enter
	con_expect 'pc2:eth1 -- sw1:p2 +down' "link NODE NODE down from the command line"
	expect_eq "$("$NSLAB" link $lab pc2:eth1 show --json | jq -r '.ends[0].state')" down "the link is down"
	# history: Up recalls the last command, edited into up
	con_keys : Up
	con_expect '^nslab> link pc2 sw1 down' "Up recalls the last command"
	con_keys BSpace BSpace BSpace BSpace
	con_keys -l up
	con_keys Enter
	con_expect 'pc2:eth1 -- sw1:p2 +up' "the recalled command, edited, ran"
	con_keys : net Enter
	con_expect '^pc3 eth1:sw1:p3' "net"
	# link add / link remove: one scenario step, checked and run on the lab; the new link carries pings
	con_keys Escape : 'link add pc1:eth9 pc2:eth9 addr pc1:eth9=10.99.0.1/24 addr pc2:eth9=10.99.0.2/24' Enter
	con_expect 'link add: added' "link add from the command line"
	con_expect 'pc1:eth9 -- pc2:eth9 +up' "the added link listed"
	ok "$NSLAB" exec $lab pc1 -- ping -c 1 -W 2 10.99.0.2
	con_keys Escape : 'link remove pc1:eth9' Enter
	con_expect 'link remove: removed' "link remove from the command line"
	nok "$NSLAB" exec $lab pc1 -- ip link show eth9
	con_keys Escape : 'link add pc1:eth8 nosuch:eth8' Enter
	con_expect 'link add: .*nosuch' "link add names the unknown node"
	nok "$NSLAB" exec $lab pc1 -- ip link show eth8
	con_keys Escape : bogus Enter
	con_expect "bogus: not a node nor a command" "unknown command"
	# DROPS counts the tbf's drops: 20 Mbit/s of UDP into a 1 Mbit/s link with a 2-packet queue
	ok "$NSLAB" link $lab pc1:eth1 set --rate 1mbit --limit 2
	ok "$NSLAB" iperf $lab pc1 pc2 --udp --bitrate 20M --time 2
	local qd
	qd=$("$NSLAB" link $lab pc1:eth1 show --json | jq '[.ends[].qdisc.drops] | add')
	[ "${qd:-0}" -gt 0 ] || fail "the tbf dropped nothing ($qd): the test cannot show DROPS"
	# DROPS: the qdisc's drops plus the interfaces' own (a few: multicast nobody takes)
	local d=0 i
	for i in $(seq 50); do
		SCREEN=$(con_screen)
		d=$(echo "$SCREEN" | awk '/pc1:eth1 -- sw1:p1/ {print $7}')
		[ "${d:-0}" -ge "$qd" ] && break
		sleep 0.1
	done
	[ "${d:-0}" -ge "$qd" ] || fail "DROPS of pc1's link is ${d:-none}, below the qdisc's $qd drops:
$SCREEN"
	con_keys q
	con_expect '^host\$' "shell prompt after quitting"
	con_stop
	con_log_rm $lab
}
