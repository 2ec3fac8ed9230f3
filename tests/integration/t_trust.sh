# SPDX-License-Identifier: GPL-2.0-or-later
# tests/integration/t_trust.sh: the run directory and the journal are not trusted blindly (issue 12
# item 4). Every directory and journal here is planted by the test in its own temp folder; the
# "victims" are a sleep it started and files it made.

# victim: start a process nslab must never kill; sets VPID and VSTART (its start time)
victim() {
	sleep 300 &
	VPID=$!
	VSTART=$(cut -d' ' -f22 "/proc/$VPID/stat")
}

# expect_refused WHAT REGEX CMD...: CMD fails with a message matching REGEX
expect_refused() {
	local what=$1 re=$2 out rc
	shift 2
	out=$("$@" 2>&1); rc=$?
	[ $rc != 0 ] || fail "$what: exit 0: $out"
	expect_match "$out" "$re" "$what says why"
}

# A run directory writable by others, or owned by another user: a planted journal there names a
# root process and a file; cleanup and destroy refuse the directory and touch neither.
test_untrusted_rundir_refused() {
	local lab=${LP}-plant rd
	victim
	for mode in others owner; do
		rd=$TMPD/rd-$mode
		mkdir -p "$rd/$lab" && : > "$TMPD/decoy-$mode"
		printf 'node r1 %s %s\nnetns %s\n' "$VPID" "$VSTART" "$TMPD/decoy-$mode" > "$rd/$lab/journal"
		if [ $mode = others ]; then
			chmod 0777 "$rd"
			re="refusing $rd: it is writable by others"
		else
			chown -R nobody "$rd"
			re="refusing $rd: it belongs to uid $(id -u nobody), not root"
		fi
		expect_refused "cleanup in a rundir $mode can write" "$re" env NSLAB_RUNDIR="$rd" "$NSLAB" cleanup $lab
		expect_refused "destroy in a rundir $mode can write" "$re" env NSLAB_RUNDIR="$rd" "$NSLAB" destroy $lab
		kill -0 $VPID 2>/dev/null || fail "the planted journal's process was killed ($mode)"
		[ -e "$TMPD/decoy-$mode" ] || fail "the planted journal's file was removed ($mode)"
		[ -e "$rd/$lab/journal" ] || fail "the planted lab folder was removed ($mode)"
	done
	# a lab folder writable by others, in a root-owned run directory
	rd=$TMPD/rd-labdir
	mkdir -p "$rd/$lab" && chmod 0777 "$rd/$lab"
	printf 'node r1 %s %s\n' "$VPID" "$VSTART" > "$rd/$lab/journal"
	expect_refused "destroy of a lab folder others can write" "refusing $rd/$lab: it is writable by others" \
		env NSLAB_RUNDIR="$rd" "$NSLAB" destroy $lab
	kill -0 $VPID 2>/dev/null || fail "the planted journal's process was killed (lab folder)"
	kill $VPID
}

# RUNDIR/LAB a symlink to a folder holding decoys (hosts, state.json, journal): destroy, cleanup,
# inspect refuse it and leave the folder as it was.
test_symlinked_lab_folder_refused() {
	local lab=${LP}-link src=${LP}-linksrc rd=$TMPD/rd-link target=$TMPD/target before after
	TEST_LABS=$src
	# a real state.json (what destroy would rewrite), from a lab deployed for it
	ok env NSLAB_RUNDIR="$TMPD/rd-src" "$NSLAB" deploy --quiet --name $src "$EXAMPLES/lan.clab.yml" || return
	mkdir -p "$target" "$rd"
	cp "$TMPD/rd-src/$src/state.json" "$target/state.json"
	NSLAB_RUNDIR="$TMPD/rd-src" "$NSLAB" destroy $src >/dev/null || fail "destroy $src"
	echo "127.0.0.1 decoy" > "$target/hosts"
	: > "$target/journal"
	ln -s "$target" "$rd/$lab"
	before=$(cd "$target" && ls -A | sort && md5sum * | sort)
	for cmd in destroy cleanup inspect; do
		expect_refused "$cmd through a symlink" "refusing $rd/$lab: it is a symbolic link" \
			env NSLAB_RUNDIR="$rd" "$NSLAB" $cmd $lab
	done
	after=$(cd "$target" && ls -A | sort && md5sum * | sort)
	expect_eq "$after" "$before" "the symlink's target folder is unchanged"
	[ -L "$rd/$lab" ] || fail "the symlink was removed"
}

# In a trusted run directory, a journal line that does not carry the lab's marks is refused: a
# live process that is no node init, a "handle" outside /run/netns/nslab-LAB.*, a cgroup outside
# the lab's own folder.
test_journal_without_marks_refused() {
	local lab=${LP}-marks rd=$TMPD/rd-marks decoy=$TMPD/decoy-marks
	victim
	: > "$decoy"
	mkdir -p "$rd/$lab"
	for line in "node r1 $VPID $VSTART" "netns $decoy" "netns /run/netns/nslab-$lab.x/../../../$decoy" \
		"cgroup /sys/fs/cgroup/pids/nslab.lab-${LP}-other" "cgroup /sys/fs/cgroup/pids/nslab.lab-$lab/../.."; do
		printf '%s\n' "$line" > "$rd/$lab/journal"
		for cmd in destroy cleanup; do
			expect_refused "$cmd of '$line'" "refusing '$line'" env NSLAB_RUNDIR="$rd" "$NSLAB" $cmd $lab
		done
		kill -0 $VPID 2>/dev/null || { fail "'$line': the process was killed"; victim; }
		[ -e "$decoy" ] || { fail "'$line': the file was removed"; : > "$decoy"; }
	done
	kill $VPID
	rm -rf "$rd"
}
