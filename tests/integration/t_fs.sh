# SPDX-License-Identifier: GPL-2.0-or-later
# tests/integration/t_fs.sh: each node's own files (core/rootfs.c): writes stay in the node's layer,
# binds, private /tmp /dev/shm /run, nothing of the host changed or visible, crash safety of the layers.

# fingerprint PATH...: content checksum (or "dir"/"absent") and inode of each path, one line each
fingerprint() {
	local p
	for p in "$@"; do
		if [ -f "$p" ]; then
			echo "$p $(sha256sum < "$p" | cut -c1-16) $(stat -c '%i %s %Y' "$p")"
		elif [ -e "$p" ]; then
			echo "$p $(stat -c '%F %i %Y' "$p")"
		else
			echo "$p absent"
		fi
	done
}

fs_lab() { # NAME FILE: two linux nodes, linked
	cat > "$2" <<YML
name: $1
topology:
  nodes:
    a: {kind: linux}
    b: {kind: linux}
  links:
    - endpoints: ["a:eth1", "b:eth1"]
YML
}

test_fs_host_files_unchanged() {
	local lab=${LP}-fsw before after
	local files="/etc/frr/frr.conf /etc/hosts /tmp/x /root/.bashrc /usr/local/bin/x /var/log/nslab-fs-test.log /etc/nslab-fs-test"
	TEST_LABS="$lab"
	fs_lab $lab "$TMPD/fsw.yml"
	before=$(fingerprint $files)
	ok "$NSLAB" deploy --quiet "$TMPD/fsw.yml" || return
	# every write a node can think of, on files the host has and files it has not
	ok "$NSLAB" exec $lab a -- sh -ec '
		mkdir -p /etc/frr; echo "hostname a" >> /etc/frr/frr.conf
		echo "10.9.9.9 evil" >> /etc/hosts
		rm -rf /tmp/x; echo a > /tmp/x
		echo "alias evil=true" >> /root/.bashrc
		printf "#!/bin/sh\necho a\n" > /usr/local/bin/x; chmod +x /usr/local/bin/x
		echo a > /var/log/nslab-fs-test.log
		touch /etc/nslab-fs-test'
	# the node sees its own writes
	expect_eq "$("$NSLAB" exec $lab a -- /usr/local/bin/x)" a "the node runs what it wrote"
	expect_match "$("$NSLAB" exec $lab a -- cat /etc/hosts)" "10.9.9.9 evil" "the node's /etc/hosts changed"
	# the other node does not, nor does the host
	nok "$NSLAB" exec $lab b -- test -e /usr/local/bin/x
	nok "$NSLAB" exec $lab b -- grep -q evil /etc/hosts
	nok "$NSLAB" exec $lab b -- test -e /tmp/x
	expect_eq "$(fingerprint $files)" "$before" "host files while the lab runs"
	# where the writes went: the node's layer
	[ -f /run/nslab/$lab/layers/a/upper/usr/local/bin/x ] || fail "a's write is not in its layer"
	ok "$NSLAB" destroy $lab
	after=$(fingerprint $files)
	expect_eq "$after" "$before" "host files after the lab ran"
	[ -e /run/nslab/$lab ] && fail "the lab's layers outlived it"
}

test_fs_frr_write_memory_stays_in_node() {
	local lab=${LP}-fsfrr before
	TEST_LABS="$lab"
	[ -x /usr/lib/frr/frrinit.sh ] && command -v vtysh >/dev/null || { skip "FRR is not installed"; return; }
	before=$(fingerprint /etc/frr/frr.conf /etc/frr/daemons /var/log/frr /var/tmp/frr)
	cat > "$TMPD/frr.yml" <<YML
name: $lab
topology:
  nodes:
    r1: {kind: router, exec: ["/usr/lib/frr/frrinit.sh start"]}
    r2: {kind: router, exec: ["/usr/lib/frr/frrinit.sh start"]}
  links:
    - endpoints: ["r1:eth1", "r2:eth1"]
YML
	ok "$NSLAB" deploy --quiet "$TMPD/frr.yml" || return
	ok "$NSLAB" exec $lab r1 -- vtysh -c 'conf t' -c 'ip route 10.99.0.0/24 Null0' -c 'end' -c 'write memory'
	expect_match "$("$NSLAB" exec $lab r1 -- cat /etc/frr/frr.conf)" "ip route 10.99.0.0/24 Null0" "write memory in r1"
	nok "$NSLAB" exec $lab r2 -- grep -q 10.99.0.0 /etc/frr/frr.conf
	expect_eq "$(fingerprint /etc/frr/frr.conf /etc/frr/daemons /var/log/frr /var/tmp/frr)" "$before" "the host's FRR files"
}

test_fs_umount_in_node_leaves_host_alone() {
	local lab=${LP}-fsum before
	TEST_LABS="$lab"
	fs_lab $lab "$TMPD/fsum.yml"
	ok "$NSLAB" deploy --quiet "$TMPD/fsum.yml" || return
	# (other labs come and go beside us: their namespace handles and folders are not compared)
	host_mounts() { awk '$5 !~ "^/(run/netns|run/nslab|tmp)/" { print $5, $9 }' /proc/self/mountinfo | sort; }
	before=$(host_mounts)
	"$NSLAB" exec $lab a -- sh -c 'umount -l /sys; umount -l /run; umount -l /dev/pts; umount -l /proc' >/dev/null 2>&1
	ok "$NSLAB" exec $lab a -- mount -t tmpfs none /mnt
	expect_eq "$(host_mounts)" "$before" "host mount table after umounts in a node"
	[ -r /proc/self/status ] && [ -d /sys/class/net ] || fail "the host's /proc or /sys went away"
	ok "$NSLAB" exec $lab b -- test -d /sys/class/net/eth1
	# `kill 1` in a node is ignored by its init, as in a container
	"$NSLAB" exec $lab b -- sh -c 'kill 1; kill -INT 1' >/dev/null 2>&1
	sleep 0.3
	ok "$NSLAB" exec $lab b -- true
	expect_match "$("$NSLAB" list)" "$lab +running" "the lab after kill 1 in a node"
}

test_fs_nodes_see_nothing_of_the_host_run_or_other_nodes() {
	local lab=${LP}-fsiso other=${LP}-fsiso2
	TEST_LABS="$lab $other"
	fs_lab $lab "$TMPD/fsiso.yml"
	ok "$NSLAB" deploy --quiet "$TMPD/fsiso.yml" || return
	ok "$NSLAB" deploy --quiet --name $other "$TMPD/fsiso.yml" || return
	ok "$NSLAB" exec $lab a -- sh -c 'echo secret > /root/a-only; echo s > /dev/shm/a-shm'
	nok "$NSLAB" exec $lab b -- test -e /root/a-only
	nok "$NSLAB" exec $other a -- test -e /root/a-only
	nok "$NSLAB" exec $lab b -- test -e /dev/shm/a-shm
	[ -e /dev/shm/a-shm ] && fail "a node's /dev/shm is the host's"
	# the run directory (state, journals, other labs, every layer) is not there
	expect_eq "$("$NSLAB" exec $lab a -- sh -c 'ls -A /run/nslab 2>/dev/null | wc -l')" 0 "/run/nslab in a node"
	nok "$NSLAB" exec $lab a -- test -e /run/nslab/$other/layers
	nok "$NSLAB" exec $lab a -- test -e /run/netns/nslab-$other.a
	# /tmp, /var/tmp, /root start empty; /var/log has the host's folders, none of its files
	expect_eq "$("$NSLAB" exec $lab b -- sh -c 'ls -A /tmp /var/tmp /root | grep -v : | grep -c .')" 0 "private folders start empty"
	expect_eq "$("$NSLAB" exec $lab b -- find /var/log -type f | wc -l)" 0 "no host log file in a node"
	if [ -d /var/log/frr ]; then
		expect_eq "$("$NSLAB" exec $lab b -- stat -c %U /var/log/frr)" "$(stat -c %U /var/log/frr)" "the host's /var/log folders, owners kept"
	fi
	# its own /dev/pts, /proc, /sys
	expect_eq "$("$NSLAB" exec $lab a -- sh -c 'ls /dev/pts | grep -c "^[0-9]"')" 0 "the node's /dev/pts is its own"
	expect_eq "$("$NSLAB" exec $lab a -- sh -c 'ls /sys/class/net | tr "\n" " "')" "eth1 lo " "the node's /sys"
	# a shared-memory file is gone with the node: memory back
	ok "$NSLAB" exec $lab a -- dd if=/dev/zero of=/dev/shm/big bs=1M count=32 status=none
	expect_eq "$("$NSLAB" exec $lab a -- stat -c %s /dev/shm/big)" 33554432 "32 MB in the node's /dev/shm"
}

test_fs_binds_ro_recursive_missing_points_symlinks() {
	local lab=${LP}-fsb out
	TEST_LABS="$lab"
	mkdir -p "$TMPD/ro/sub" "$TMPD/rw" "$TMPD/esc"
	echo top > "$TMPD/ro/top"
	mount -t tmpfs nslab-test "$TMPD/ro/sub" || { fail "mount a tmpfs for the test"; return; }
	echo sub > "$TMPD/ro/sub/f"
	echo file > "$TMPD/one-file"
	ln -s /etc "$TMPD/esc/link" # the node's /etc, not the host's
	cat > "$TMPD/fsb.yml" <<YML
name: $lab
topology:
  nodes:
    a:
      kind: linux
      binds:
        - $TMPD/ro:/data:ro
        - $TMPD/rw:/srv/new/rw
        - $TMPD/one-file:/opt/nslab-missing/dir/file.txt:ro
        - $TMPD/esc:/mnt/esc
        - $TMPD/one-file:/mnt/esc/link/nslab-fs-escape-test
YML
	ok "$NSLAB" deploy --quiet "$TMPD/fsb.yml" || { umount "$TMPD/ro/sub"; return; }
	expect_eq "$("$NSLAB" exec $lab a -- cat /data/top /data/sub/f | tr '\n' ' ')" "top sub " "ro bind and its submount"
	nok "$NSLAB" exec $lab a -- sh -c 'echo x > /data/top'
	nok "$NSLAB" exec $lab a -- sh -c 'echo x > /data/sub/f'
	nok "$NSLAB" exec $lab a -- touch /data/sub/new
	[ -e "$TMPD/ro/sub/new" ] && fail "a read-only bind's submount was writable"
	expect_eq "$(cat "$TMPD/ro/sub/f")" sub "submount content"
	# rw bind: the node writes to the host, as asked
	ok "$NSLAB" exec $lab a -- sh -c 'echo hello > /srv/new/rw/out'
	expect_eq "$(cat "$TMPD/rw/out" 2>/dev/null)" hello "a rw bind writes through"
	# missing mount points are made in the node, never on the host
	expect_eq "$("$NSLAB" exec $lab a -- cat /opt/nslab-missing/dir/file.txt)" file "file bind on a missing point"
	[ -e /opt/nslab-missing ] && fail "a bind's mount point was created on the host"
	[ -e /srv/new ] && fail "a bind's mount point was created on the host (/srv/new)"
	# a symlink on the way to a bind point resolves inside the node, not out to the host's target
	[ -e /etc/nslab-fs-escape-test ] && fail "a bind followed a symlink out of the node's root"
	expect_eq "$("$NSLAB" exec $lab a -- cat /etc/nslab-fs-escape-test)" file "bind through a symlink, inside the node"
	ok "$NSLAB" destroy $lab
	umount "$TMPD/ro/sub"
}

# kill -9 of a destroy at random moments, then destroy again: no layer, tmpfs or mount left
test_fs_kill9_mid_destroy_leaves_no_layers() {
	local lab=${LP}-fsk i pid delay t0 dur left
	TEST_LABS="$lab"
	make_chain $lab 100 "$TMPD/fsk.yml"
	ok "$NSLAB" deploy --quiet "$TMPD/fsk.yml" || return
	t0=$(now_ms)
	ok "$NSLAB" destroy $lab
	dur=$(( $(now_ms) - t0 ))
	[ "$dur" -gt 0 ] || dur=1
	for i in $(seq 1 5); do
		ok "$NSLAB" deploy --quiet "$TMPD/fsk.yml" || return
		delay=$(( RANDOM % dur ))
		"$NSLAB" destroy $lab >/dev/null 2>&1 &
		pid=$!
		sleep "$(printf '%d.%03d' $((delay / 1000)) $((delay % 1000)))"
		kill -9 $pid 2>/dev/null
		wait $pid 2>/dev/null
		ok "$NSLAB" destroy $lab
		left=$(leftovers $lab)
		[ -z "$left" ] || fail "after kill -9 of destroy at ${delay}ms of ${dur}ms and destroy: $left"
	done
}

# the lab folder keeps each node's layer: a redeploy from it comes back with what the nodes saved
test_fs_lab_folder_keeps_layers_and_save() {
	local lab=${LP}-fslf out
	TEST_LABS="$lab ${LP}-fslf2"
	fs_lab $lab "$TMPD/fslf.yml"
	echo "lab-folder: kept" >> "$TMPD/fslf.yml" # relative: beside the file
	ok "$NSLAB" deploy --quiet "$TMPD/fslf.yml" || return
	ok "$NSLAB" exec $lab a -- sh -c 'echo kept-a > /etc/nslab-kept; echo t > /tmp/t'
	[ -f "$TMPD/kept/a/upper/etc/nslab-kept" ] || fail "a's layer is not in the lab folder"
	# one folder, one lab at a time
	out=$("$NSLAB" deploy --name ${LP}-fslf2 "$TMPD/fslf.yml" 2>&1) && fail "a second lab on the same folder deployed"
	expect_match "$out" "in use by lab $lab" "second lab on one folder"
	ok "$NSLAB" destroy $lab
	expect_eq "$(leftovers $lab)" "" "nothing but the folder left"
	[ -f "$TMPD/kept/a/upper/etc/nslab-kept" ] || fail "the lab folder did not outlive the lab"
	ok "$NSLAB" deploy --quiet "$TMPD/fslf.yml" || return
	expect_eq "$("$NSLAB" exec $lab a -- cat /etc/nslab-kept)" kept-a "redeployed from the folder"
	nok "$NSLAB" exec $lab b -- test -e /etc/nslab-kept
	# save: what a node changed under /etc goes to a folder another deploy starts from
	ok "$NSLAB" exec $lab b -- sh -c 'echo b-conf > /etc/nslab-b.conf'
	out=$("$NSLAB" save $lab b --to "$TMPD/saved" 2>&1) || fail "save: $out"
	expect_match "$out" "b: /etc/nslab-b.conf -> $TMPD/saved/b/upper/etc/nslab-b.conf" "save says what went where"
	expect_eq "$(cat "$TMPD/saved/b/upper/etc/nslab-b.conf" 2>/dev/null)" b-conf "saved file"
	[ -e "$TMPD/saved/a" ] && fail "save of node b saved a"
	out=$("$NSLAB" save $lab a 2>&1) || fail "save into the lab's own folder: $out"
	expect_match "$out" "a: /etc/nslab-kept is kept in $TMPD/kept/a/upper/etc/nslab-kept" "save in the lab folder"
	nok "$NSLAB" save $lab nosuch
	ok "$NSLAB" destroy $lab
	ok "$NSLAB" deploy --quiet --lab-folder "$TMPD/saved" "$TMPD/fslf.yml" || return
	expect_eq "$("$NSLAB" exec $lab b -- cat /etc/nslab-b.conf)" b-conf "deployed from the saved folder (--lab-folder over the file's key)"
}
