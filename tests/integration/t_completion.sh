# SPDX-License-Identifier: GPL-2.0-or-later
# tests/integration/t_completion.sh: the bash completion (completion/nslab.bash) offers verbs, options,
# and the lab, node and interface names of a running lab; `make install` / `make uninstall` put it in
# place and take it away.

COMPLETION=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/completion/nslab.bash

# complete WORD...: what the completion offers for the last word (sorted, one line)
complete_words() {
	bash -c '. "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _nslab; [ ${#COMPREPLY[@]} = 0 ] || printf "%s\n" "${COMPREPLY[@]}" | sort | tr "\n" " "' \
		_ "$COMPLETION" "$@"
}

test_bash_completion() {
	local lab=${LP}-compl out d
	TEST_LABS="$lab"
	ok "$NSLAB" deploy --quiet --name $lab "$EXAMPLES/triangle.clab.yml" || return
	expect_match "$(complete_words "$NSLAB" "")" "^--help --version attach .*deploy .*generate .*iperf .*pingall .*version( wait)? $" "verbs"
	expect_eq "$(complete_words "$NSLAB" pin)" "pingall " "verb prefix"
	expect_eq "$(complete_words "$NSLAB" iperf --u)" "--udp " "option of a verb"
	expect_eq "$(complete_words "$NSLAB" exec "$lab")" "$lab " "lab name"
	expect_eq "$(complete_words "$NSLAB" exec "$lab" h)" "h1 h2 h3 " "node names"
	expect_eq "$(complete_words "$NSLAB" iperf "$lab" h1 r)" "r1 r2 r3 " "iperf's second node"
	expect_eq "$(complete_words "$NSLAB" link "$lab" h2:)" "h2:eth1 " "NODE:IF"
	expect_match "$(complete_words "$NSLAB" link "$lab" h2:eth1 "")" "^down flap .*reset set show up $" "link actions"
	expect_eq "$(complete_words "$NSLAB" generate f)" "fat-tree " "generate shapes"
	expect_eq "$(complete_words "$NSLAB" redeploy "$lab")" "$lab " "redeploy: a lab name"
	expect_eq "$(complete_words "$NSLAB" link "$lab" a)" "add " "link add"
	expect_eq "$(complete_words "$NSLAB" link "$lab" add h1)" "h1: " "link add: NODE:"
	expect_eq "$(complete_words "$NSLAB" link "$lab" remove h2:)" "h2:eth1 " "link remove: NODE:IF"
	expect_eq "$(complete_words "$NSLAB" link "$lab" add h1:eth5 h2:eth5 --addr "")" "h1:eth5= h2:eth5= " "link add --addr: the new ends"
	expect_eq "$(complete_words "$NSLAB" link "$lab" add h1:eth5 h2:eth5 --addr h1:eth5=10.0.0.1/24 --a)" "--addr " "link add: --addr again"
	expect_eq "$(complete_words "$NSLAB" link "$lab" add h1:eth5 --mtu 1400 h)" "h1: h2: h3: " "link add: a value of --mtu is not an end"
	expect_eq "$(complete_words "$NSLAB" deploy --k)" "--keep-on-error " "deploy --keep-on-error"
	expect_eq "$(complete_words "$NSLAB" exec "$lab" h1 -- p)" "" "nothing after --"
	# make install / uninstall, into a scratch DESTDIR
	d=$(mktemp -d "$TMPD/destdir.XXXXXX")
	ok make -s -C "$(dirname "$COMPLETION")/.." install DESTDIR="$d" BUILD="$(dirname "$NSLAB")" || return
	[ -f "$d/usr/local/share/bash-completion/completions/nslab" ] || fail "make install: no completion file"
	[ -x "$d/usr/local/bin/nslab" ] || fail "make install: no binary"
	ok make -s -C "$(dirname "$COMPLETION")/.." uninstall DESTDIR="$d" BUILD="$(dirname "$NSLAB")"
	expect_eq "$(find "$d" -type f | wc -l)" 0 "files left by make uninstall"
}
