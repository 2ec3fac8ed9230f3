#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/vm/netem_lab_run.sh: boot the kernel-vm guest (stock Debian kernel with sch_netem) with
# build/nslab and its libraries, and run tests/vm/netem_lab.sh there: a real lab with real netem.
# Usage: tests/vm/netem_lab_run.sh [-- KERNEL_VM_OPTIONS...] (--quiet, --timeout S, --mem MB, ...)
# Exit status as kernel-vm's run.sh (0 passed, 1 failed, 2 VM did not finish, 3 setup), 77 skipped.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
KVM_RUN="$HERE/../../../shared/kernel-vm/run.sh"

if [ ! -x "$KVM_RUN" ]; then
	echo "skipped: no kernel-vm runner at $KVM_RUN"
	exit 77
fi
[ "${1:-}" = "--" ] && shift
make -C "$REPO" -s build/nslab >&2
# kernel-vm's initramfs loads only its netem modules: a node's own root needs overlayfs (the guest
# script insmods it; the kernel is fetched by kernel-vm's own fetch-kernel.sh)
adds=()
KDIR=$("$HERE/../../../shared/kernel-vm/fetch-kernel.sh" 2>/dev/null) && KMOD=$(ls -d "$KDIR"/root/lib/modules/* | head -n1) || KMOD=
[ -n "$KMOD" ] && [ -f "$KMOD/kernel/fs/overlayfs/overlay.ko" ] && adds+=(--add "$KMOD/kernel/fs/overlayfs/overlay.ko:/qn/mod/overlay.ko")
exec "$KVM_RUN" --no-tests --timeout 240 --add "$REPO/build/nslab" --add "$HERE/netem_lab.sh" "${adds[@]}" \
	--run "sh /qn/bin/netem_lab.sh" "$@"
