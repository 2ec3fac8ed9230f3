# SPDX-License-Identifier: GPL-2.0-or-later
# tests/integration/t_netns.sh: iproute2's `ip netns add` beside a lab (issue 12 item 3).

# iproute2's `ip netns add`, when /run/netns is not a mount point, binds it onto itself (copying
# the nsfs mounts under it): the lab's handles stay mounted beneath. destroy and cleanup must say
# so (exit 1, what to do), never "destroyed" while the namespaces live on.
test_ip_netns_add_beside_a_lab() {
	local lab=${LP}-ipns out rc
	TEST_LABS="$lab"
	if grep -q '^[0-9]* [0-9]* [^ ]* [^ ]* /run/netns ' /proc/self/mountinfo; then
		skip "/run/netns is already a mount point here, so ip netns add cannot hide a lab's handles"
		return
	fi
	ok "$NSLAB" deploy --quiet --name $lab "$EXAMPLES/lan.clab.yml" || return
	ip netns add "$LP-probe" || { fail "ip netns add"; return; }
	out=$("$NSLAB" destroy $lab 2>&1); rc=$?
	expect_eq "$rc" 1 "destroy fails while the handles are hidden"
	expect_match "$out" "cannot remove namespace handle /run/netns/nslab-$lab\..*ip netns add" "destroy says why and what to do"
	ip netns del "$LP-probe"
	# what the message says to do: unmount iproute2's bind (nothing else of ours is on it), clean up
	umount /run/netns || fail "umount /run/netns"
	out=$("$NSLAB" cleanup $lab 2>&1); rc=$?
	expect_eq "$rc" 0 "cleanup after the umount: $out"
	expect_eq "$(leftovers $lab)" "" "nothing of the lab left"
}
