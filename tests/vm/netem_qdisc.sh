#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/vm/netem_qdisc.sh: runs inside the kernel-vm guest (root, a kernel with sch_netem): the qdisc
# unit tests, whose kernel group then applies netem for real and dumps it back. Fails if the guest
# kernel turns out to lack sch_netem, so the netem path can never pass by being skipped.
out=/tmp/test_qdisc.out
/qn/bin/test_qdisc >"$out" 2>&1
rc=$?
cat "$out"
if ! grep -q '^sch_netem: available' "$out"; then
	echo "netem_qdisc: FAIL: the guest kernel has no sch_netem; the netem test did not run"
	exit 1
fi
if [ $rc -ne 0 ]; then
	echo "netem_qdisc: FAIL: test_qdisc exited $rc"
	exit 1
fi
echo "netem_qdisc: PASS (netem applied, dumped back, changed, switched to tbf and back, deleted)"
