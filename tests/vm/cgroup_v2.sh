#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/vm/cgroup_v2.sh: run tests/unit/test_cgroup (fake trees + real limits) on a pure cgroup v2 host: a stock
# Debian 6.1 kernel under ../shared/kernel-vm, whose /init mounts cgroup2 alone on /sys/fs/cgroup. Passes when
# every test passed and the real ones ran in v2 mode: cpu.max throttles, memory.max OOM-kills, pids.max blocks
# fork, net-cls is recorded for nftables (no cgroup), nothing nslab-named is left. Extra args go to run.sh.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
VM=${NSLAB_KERNEL_VM:-$ROOT/../shared/kernel-vm}
if [ ! -x "$VM/run.sh" ]; then
	echo "SKIP cgroup_v2: $VM/run.sh not found (no kernel-vm runner on this machine)"
	exit 77
fi
make -s -C "$ROOT" build/tests/test_cgroup || exit 3
LOG=$(mktemp /tmp/nslab-cgroup-v2.XXXXXX)
trap 'rm -f "$LOG"' EXIT

# In the guest: prove it is v2-only, run the tests, then look for leftovers.
GUEST='grep -q " - cgroup2 " /proc/self/mountinfo && ! grep -q " - cgroup " /proc/self/mountinfo || { echo "guest is not cgroup-v2-only"; exit 1; }
echo "controllers: $(cat /sys/fs/cgroup/cgroup.controllers)"
mkdir -p /run/nslab-ut && NSLAB_RUNDIR=/run/nslab-ut /qn/bin/test_cgroup; rc=$?
left=$(find /sys/fs/cgroup -maxdepth 3 -iname "*nslab*"); [ -z "$left" ] || { echo "left behind: $left"; rc=1; }
exit $rc'

[ "${1:-}" = "--" ] && shift
"$VM/run.sh" --no-tests --add "$ROOT/build/tests/test_cgroup" --run "$GUEST" "$@" >"$LOG" 2>&1
rc=$?
grep -E '(controllers:|cpu 0.25|memory 16m|pids 5|net_cls \(|left behind|guest is not|skipped|PASSED|FAILED|QN-USER-END|QN-DONE)' "$LOG" | sed 's/^ */  /' | sort -u
if [ $rc -ne 0 ]; then
	echo "FAIL cgroup_v2: run.sh exited $rc; last lines of the log:"
	tail -n 40 "$LOG"
	exit 1
fi
for want in 'cpu 0.25 (v2)' 'memory 16m (v2)' 'pids 5 (v2)' 'net_cls (v2): classid 0x4e53'; do
	if ! grep -qF "$want" "$LOG"; then
		echo "FAIL cgroup_v2: no '$want' line (a real test was skipped or did not run in v2 mode)"
		exit 1
	fi
done
echo "PASS cgroup_v2"
