#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/vm/run.sh: run nslab tests that need kernel features this machine lacks (sch_netem) inside a
# stock Debian kernel booted under qemu, with ../shared/kernel-vm (a sibling of the repository).
#
# Usage: tests/vm/run.sh [GUEST_SCRIPT...] [-- KERNEL_VM_OPTIONS...]
#   GUEST_SCRIPT  scripts of tests/vm/ to run inside the VM, in order (default: netem_qdisc.sh)
#   after --       passed to kernel-vm's run.sh (--quiet, --timeout S, --mem MB, --keep, ...)
# Example: make build/tests/test_qdisc && tests/vm/run.sh -- --quiet
#
# It builds build/tests/test_qdisc (make), puts it into the VM with its shared libraries
# (kernel-vm's --add), runs each script there as root with the repository's test binaries in
# /qn/bin, and exits with kernel-vm's status: 0 passed, 1 a test failed, 2 the VM did not finish,
# 3 setup failed; 77 (skipped) when ../shared/kernel-vm is absent. Takes ~15-40 s (TCG, no KVM);
# the first run downloads the kernel (~70 MB) into /var/tmp/kernel-vm.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
KVM_RUN="$HERE/../../../shared/kernel-vm/run.sh"

if [ ! -x "$KVM_RUN" ]; then
	echo "skipped: no kernel-vm runner at $KVM_RUN"
	exit 77
fi

scripts=()
while [ $# -gt 0 ] && [ "$1" != "--" ]; do
	scripts+=("$1")
	shift
done
[ "${1:-}" = "--" ] && shift
[ ${#scripts[@]} -gt 0 ] || scripts=(netem_qdisc.sh)

make -C "$REPO" -s build/tests/test_qdisc >&2

args=(--no-tests --add "$REPO/build/tests/test_qdisc")
run=""
for s in "${scripts[@]}"; do
	[ -f "$HERE/$s" ] || { echo "no such guest script: tests/vm/$s" >&2; exit 3; }
	args+=(--add "$HERE/$s")
	run+="${run:+ && }sh /qn/bin/$s"
done
exec "$KVM_RUN" "${args[@]}" --run "$run" "$@"
