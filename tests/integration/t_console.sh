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

test_console_lab_view_shell_and_link() {
	local lab=${LP}-console
	TEST_LABS="$lab"
	command -v tmux >/dev/null || { skip "tmux is not installed"; return; }
	ok "$NSLAB" deploy --quiet --name $lab "$EXAMPLES/lan.clab.yml" || return
	con_start view 100 30 || { fail "tmux session did not start"; con_stop; return; }

	con_keys "$NSLAB console $lab" Enter
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
	rm -f "/tmp/nslab-console-$lab.log" "${XDG_RUNTIME_DIR:-/tmp}/nslab-console-$lab.log"
}

test_console_80x24_and_signals() {
	local lab=${LP}-console2 pid
	TEST_LABS="$lab"
	command -v tmux >/dev/null || { skip "tmux is not installed"; return; }
	ok "$NSLAB" deploy --quiet --name $lab "$EXAMPLES/lan.clab.yml" || return
	con_start small 80 24 || { fail "tmux session did not start"; con_stop; return; }

	con_keys "$NSLAB console $lab" Enter
	con_expect 'pc4 +linux +running' "nodes listed at 80x24"
	expect_match "$SCREEN" 'pc4:eth1 -- sw1:p4' "links listed at 80x24"
	expect_match "$SCREEN" 'q quit' "help line at 80x24"
	# a shell with a shell prompt, a resize, then SIGTERM: the terminal must be restored
	con_keys Down Down Enter
	con_expect 'pc2.*[#$] *$' "prompt of pc2" 10
	tmux -L "$CON_TMUX" resize-window -t con -x 90 -y 28 >/dev/null 2>&1
	con_keys 'stty size' Enter
	con_expect '^2[0-9] 90' "the node shell follows the resize"
	pid=$(pgrep -P "$(tmux -L "$CON_TMUX" display-message -p -t con '#{pane_pid}')" -f "console $lab")
	[ -n "$pid" ] && kill -TERM "$pid"
	con_expect '^host\$' "prompt after SIGTERM"
	con_expect_restored "after SIGTERM"
	# nothing was printed over the screen: logs went to the log file
	[ -s "${XDG_RUNTIME_DIR:-/tmp}/nslab-console-$lab.log" ] || [ -s "/tmp/nslab-console-$lab.log" ] ||
		fail "no console log file"
	con_stop
	rm -f "/tmp/nslab-console-$lab.log" "${XDG_RUNTIME_DIR:-/tmp}/nslab-console-$lab.log"
}
