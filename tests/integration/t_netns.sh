# SPDX-License-Identifier: GPL-2.0-or-later
# tests/integration/t_netns.sh: iproute2's `ip netns add` beside a lab (issue 12 item 3).
#
# Every test here runs in a private mount namespace with a fresh tmpfs on /run: its /run/netns and
# run directory are its own, so `ip netns add` (which may bind /run/netns onto itself) never hides
# another lab's handles on this machine. The netns it adds is named "$LP-..." and deleted again.

# in_private_run SCRIPT: run the bash SCRIPT in a private mount namespace with an empty /run
# (NSLAB, LAB, LP, EXAMPLES in its environment); its "FAIL: ..." lines become failures. The script
# must destroy its lab itself (the harness's destroy does not see that /run); on any exit it is
# cleaned up there.
in_private_run() {
	local out
	out=$(NSLAB=$NSLAB LAB=$TEST_LABS LP=$LP EXAMPLES=$EXAMPLES unshare -m --propagation private bash -c '
		mount -t tmpfs -o mode=0755 nslab-test-run /run || { echo "FAIL: mounting a tmpfs on /run"; exit 1; }
		export NSLAB_RUNDIR=/run/nslab
		trap '\''"$NSLAB" destroy "$LAB" >/dev/null 2>&1; ip netns del "$LP-probe" 2>/dev/null
			umount /run/netns 2>/dev/null; "$NSLAB" cleanup "$LAB" >/dev/null 2>&1'\'' EXIT
		fail() { echo "FAIL: $*"; }
		# mounts at /run/netns in our view: mountinfo also lists the host'\''s, hidden under our /run
		netns_mounts() { awk -v r="$(awk '\''$5 == "/run" { print $1 }'\'' /proc/self/mountinfo | tail -n 1)" '\''
			$5 == "/run/netns" { p[$1] = $2; if ($2 == r) top = $1 }
			END { n = 0; for (id in p) if (id == top || p[id] in p) n++; print n }'\'' /proc/self/mountinfo; }
		'"$1" 2>&1)
	while IFS= read -r line; do
		case $line in FAIL:*) fail "${line#FAIL: }" ;; esac
	done <<<"$out"
}

# the lab's handles, its mounts (hidden ones included: mountinfo lists them) and its namespaces
# really gone (no nsfs mount of pc1's namespace inode left anywhere)
NETNS_GONE_CHECK='
	left=$(grep -cF "nslab-$LAB." /proc/self/mountinfo)
	[ "$left" = 0 ] || fail "$left mounts of the lab left after destroy"
	grep -qF "net:[$ino]" /proc/self/mountinfo && fail "pc1 namespace $ino still mounted"
	ls /run/netns 2>/dev/null | grep -qF "nslab-$LAB." && fail "handles left in /run/netns"
'

# /run/netns made by nslab: a shared mount point of itself, so `ip netns add` later leaves it be
# and destroy removes every handle.
test_ip_netns_add_after_a_lab() {
	TEST_LABS=${LP}-ipns1
	in_private_run '
		"$NSLAB" deploy --quiet --name $LAB "$EXAMPLES/lan.clab.yml" || { fail "deploy"; exit; }
		[ "$(netns_mounts)" = 1 ] || fail "/run/netns is not a mount point after deploy: $(netns_mounts)"
		line=$(awk "\$5 == \"/run/netns\"" /proc/self/mountinfo | tail -n 1)
		echo "$line" | grep -q " shared:" || fail "/run/netns is not shared: $line"
		ino=$(stat -L -c %i /run/netns/nslab-$LAB.pc1)
		ip netns add "$LP-probe" || fail "ip netns add"
		[ "$(netns_mounts)" = 1 ] || fail "ip netns add mounted /run/netns again"
		[ "$(ls /run/netns | grep -c "^nslab-$LAB\.")" = 5 ] || fail "handles not visible: $(ls /run/netns)"
		nsenter --net=/run/netns/nslab-$LAB.pc1 ip -o link show eth1 >/dev/null || fail "pc1 handle does not open its namespace"
		"$NSLAB" exec $LAB pc1 -- ping -c 1 -W 2 10.10.0.4 >/dev/null || fail "pc1 cannot ping pc4"
		out=$("$NSLAB" destroy $LAB 2>&1) || fail "destroy beside ip netns add: $out"
		'"$NETNS_GONE_CHECK"'
		ip netns del "$LP-probe" || fail "ip netns del"
	'
}

# /run/netns made by iproute2 first: the lab's handles go on its mount and stay visible.
test_ip_netns_add_before_a_lab() {
	TEST_LABS=${LP}-ipns2
	in_private_run '
		ip netns add "$LP-probe" || { fail "ip netns add"; exit; }
		"$NSLAB" deploy --quiet --name $LAB "$EXAMPLES/lan.clab.yml" || { fail "deploy"; exit; }
		ino=$(stat -L -c %i /run/netns/nslab-$LAB.pc1)
		[ "$(ls /run/netns | grep -c "^nslab-$LAB\.")" = 5 ] || fail "handles not visible: $(ls /run/netns)"
		[ "$(netns_mounts)" = 1 ] || fail "nslab mounted /run/netns again"
		out=$("$NSLAB" destroy $LAB 2>&1) || fail "destroy: $out"
		'"$NETNS_GONE_CHECK"'
		ip netns del "$LP-probe" || fail "ip netns del"
		[ -d /run/netns ] || fail "nslab removed iproute2'\''s /run/netns"
	'
}

# What nslab made, it takes away: after the last destroy, no /run/netns mount and no folder.
test_netns_dir_tidied() {
	TEST_LABS=${LP}-ipns3
	in_private_run '
		"$NSLAB" deploy --quiet --name $LAB "$EXAMPLES/lan.clab.yml" || { fail "deploy"; exit; }
		"$NSLAB" destroy $LAB >/dev/null || fail "destroy"
		[ "$(netns_mounts)" = 0 ] || fail "/run/netns still mounted"
		[ -e /run/netns ] && fail "/run/netns left"
		ls -A /run/nslab 2>/dev/null | grep -q "netns" && fail "marks left: $(ls -A /run/nslab)"
	'
}

# The old layout: a plain /run/netns that already holds a mount (an older nslab's handles) is
# left as it is; `ip netns add` then binds it over the lab's handles. destroy and cleanup must say
# so (exit 1, what to do), never "destroyed" while the namespaces live on.
test_ip_netns_add_hides_old_layout_handles() {
	TEST_LABS=${LP}-ipns4
	in_private_run '
		mkdir /run/netns && touch /run/netns/$LP-old && mount --bind /run/netns/$LP-old /run/netns/$LP-old || { fail "old layout"; exit; }
		"$NSLAB" deploy --quiet --name $LAB "$EXAMPLES/lan.clab.yml" || { fail "deploy"; exit; }
		ino=$(stat -L -c %i /run/netns/nslab-$LAB.pc1)
		ip netns add "$LP-probe" || { fail "ip netns add"; exit; }
		out=$("$NSLAB" destroy $LAB 2>&1); rc=$?
		[ "$rc" = 1 ] || fail "destroy while the handles are hidden: rc $rc: $out"
		echo "$out" | grep -q "cannot remove namespace handle /run/netns/nslab-$LAB\..*ip netns add" || fail "destroy says why and what to do: $out"
		ip netns del "$LP-probe"
		# what the message says to do: unmount iproute2'\''s bind (first the copy of our planted mount
		# that it carries), clean up
		umount /run/netns/$LP-old && umount /run/netns || fail "umount /run/netns"
		out=$("$NSLAB" cleanup $LAB 2>&1) || fail "cleanup after the umount: $out"
		'"$NETNS_GONE_CHECK"'
		umount /run/netns/$LP-old
	'
}
