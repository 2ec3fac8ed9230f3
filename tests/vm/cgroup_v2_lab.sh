#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/vm/cgroup_v2_lab.sh: the whole deploy path with per-node limits on a pure cgroup v2 host, for real:
# boots a stock Debian 6.1 kernel under ../shared/kernel-vm (its /init mounts cgroup2 alone on
# /sys/fs/cgroup, /run as tmpfs with /run/netns), puts build/nslab and jq (with their libraries) into the
# guest and runs tests/vm/cgroup_v2_lab.guest.sh there: deploy (cpu 0.25, memory 32Mb, pids 20 on two
# nodes, one node without limits), cpu.max/memory.max/pids.max, `nslab exec` in the node's cgroup, a
# busy loop throttled to 15-35 % of a core, a 64 MB allocation OOM-killed (137, oom_kill counted, the
# lab lives on), a fork loop stopped at pids.max, `nslab limit`, cpu-set by the CPU a busy process runs on
# (2 vCPUs), net-cls carried by nftables (skb->priority) counted per node in htb classes on a shared
# bridge port (the guest loads nf_tables and bridge from the kernel's modules, added as files), the v1
# mechanism refused with nothing created, `nslab destroy` leaving no cgroup.
#
# Usage: tests/vm/cgroup_v2_lab.sh [--] [KERNEL_VM_OPTIONS...]   (e.g. --mem 384, --timeout 400, --keep)
# It boots the VM itself (like tests/vm/cgroup_v2.sh), so it is not a GUEST_SCRIPT for tests/vm/run.sh.
# Known nslab problems found this way are FAILs (both fixed); CGV2LAB_STRICT=0 reports them as
# "KNOWN ..." lines that do not fail the run.
# Prints one "PASS cgroup_v2_lab/NAME: ..." or "FAIL cgroup_v2_lab/NAME: ..." line per check and a
# summary; exits 0 when every check passed, 1 on any failure (or when the VM did not finish), 3 when
# the build failed. Skips (exit 0, "SKIP" line) without the kernel-vm runner. ~30-60 s under TCG.
if [ -f /qn/env.sh ]; then # started inside a kernel-vm guest (e.g. by tests/vm/run.sh): wrong side
	echo "FAIL cgroup_v2_lab: this is the host-side driver; run tests/vm/cgroup_v2_lab.sh on the host"
	exit 1
fi
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
VM=${NSLAB_KERNEL_VM:-$ROOT/../shared/kernel-vm}
if [ ! -x "$VM/run.sh" ]; then
	echo "SKIP cgroup_v2_lab: $VM/run.sh not found (no kernel-vm runner on this machine)"
	exit 77
fi
[ "${1:-}" = "--" ] && shift # tests/vm/run.sh style: options after --
make -s -C "$ROOT" build/nslab >&2 || exit 3
JQ=$(command -v jq || true)
adds=(--add "$ROOT/build/nslab" --add "$HERE/cgroup_v2_lab.guest.sh")
# libnftables is loaded by nslab only when net-cls needs it (util/dlib.h), so kernel-vm's ldd of the
# binary does not bring it: added at the host's path (kernel-vm copies its own libraries with it)
NFTLIB=$(ldconfig -p | awk '$1 == "libnftables.so.1" && $NF ~ /^\// { print $NF; exit }')
[ -n "$NFTLIB" ] || { echo "FAIL cgroup_v2_lab: libnftables.so.1 is not installed on this machine (libnftables1)"; exit 1; }
adds+=(--add "$NFTLIB:$NFTLIB")
# kernel-vm's initramfs loads only its netem modules: net-cls by nftables and bridge nodes need these
# (insmod'ed by the guest script in this order; the kernel is fetched by kernel-vm's own fetch-kernel.sh)
KDIR=$("$VM/fetch-kernel.sh" 2>/dev/null) && KMOD=$(ls -d "$KDIR"/root/lib/modules/* | head -n1) || KMOD=
for m in fs/overlayfs/overlay crypto/crc32c_generic lib/libcrc32c net/netfilter/nfnetlink net/netfilter/nf_tables net/llc/llc \
	net/802/stp net/bridge/bridge net/bridge/netfilter/nft_meta_bridge; do
	[ -n "$KMOD" ] && [ -f "$KMOD/kernel/$m.ko" ] && adds+=(--add "$KMOD/kernel/$m.ko:/qn/mod/${m##*/}.ko")
done
[ -n "$JQ" ] && adds+=(--add "$JQ")
[ -n "$JQ" ] || { echo "FAIL cgroup_v2_lab: jq is not installed on this machine (the guest script parses nslab inspect --json with it)"; exit 1; }

LOG=$(mktemp /tmp/nslab-cgroup-v2-lab.XXXXXX)
trap 'rm -f "$LOG"' EXIT
"$VM/run.sh" --no-tests --quiet --smp 2 "${adds[@]}" --run "CGV2LAB_STRICT=${CGV2LAB_STRICT:-1} sh /qn/bin/cgroup_v2_lab.guest.sh" "$@" >"$LOG" 2>&1
rc=$?

# guest lines arrive as "     | CGV2LAB PASS name: detail" in run.sh's summary
sed -n 's/^.*| CGV2LAB \(PASS\|FAIL\|KNOWN\|INFO\) /\1 cgroup_v2_lab\//p' "$LOG"
npass=$(grep -c '| CGV2LAB PASS ' "$LOG")
nfail=$(grep -c '| CGV2LAB FAIL ' "$LOG")
summary=$(grep -m1 '| CGV2LAB SUMMARY' "$LOG" | sed 's/.*| //')
if [ $rc -ne 0 ] || [ "$nfail" -ne 0 ] || [ -z "$summary" ]; then
	echo "FAIL cgroup_v2_lab: kernel-vm run.sh exited $rc, $npass passed, $nfail failed (${summary:-the guest script did not finish}); last lines of the log:"
	grep -v '| CGV2LAB ' "$LOG" | tail -n 40
	exit 1
fi
grep -E '^---- run|^     total' "$LOG"
echo "PASS cgroup_v2_lab: $npass checks passed on a pure cgroup v2 guest"
