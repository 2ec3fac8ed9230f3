#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/vm/no_ipv6_run.sh: boot the kernel-vm guest (stock Debian kernel) with ipv6.disable=1 on its
# command line, then with ipv6.disable_ipv6=1, and run tests/vm/no_ipv6.sh there with build/nslab:
# labs on a host without IPv6.
# Usage and exit status as tests/vm/netem_lab_run.sh (77 skipped).
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
adds=()
KDIR=$("$HERE/../../../shared/kernel-vm/fetch-kernel.sh" 2>/dev/null) && KMOD=$(ls -d "$KDIR"/root/lib/modules/* | head -n1) || KMOD=
# the guest insmods them in this order (the management bridge needs bridge, which needs stp and llc)
for m in fs/overlayfs/overlay net/llc/llc net/802/stp net/bridge/bridge; do
	[ -n "$KMOD" ] && [ -f "$KMOD/kernel/$m.ko" ] && adds+=(--add "$KMOD/kernel/$m.ko:/qn/mod/${m##*/}.ko")
done
# two boots: no IPv6 at all, then IPv6 off on every new interface
rc=0
for cmdline in ipv6.disable=1 ipv6.disable_ipv6=1; do
	echo "== booted with $cmdline"
	"$KVM_RUN" --no-tests --timeout 240 --append "$cmdline" --add "$REPO/build/nslab" --add "$HERE/no_ipv6.sh" \
		"${adds[@]}" --run "sh /qn/bin/no_ipv6.sh" "$@" || { r=$?; [ $rc -ne 0 ] || rc=$r; }
done
exit $rc
