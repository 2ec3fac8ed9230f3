#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/vm/clab_links_run.sh: boot the kernel-vm guest (stock Debian kernel, with the dummy driver)
# with build/nslab and run tests/vm/clab_links.sh there: containerlab's dummy and host links.
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
for m in fs/overlayfs/overlay drivers/net/dummy; do
	[ -n "$KMOD" ] && [ -f "$KMOD/kernel/$m.ko" ] && adds+=(--add "$KMOD/kernel/$m.ko:/qn/mod/${m##*/}.ko")
done
exec "$KVM_RUN" --no-tests --timeout 240 --add "$REPO/build/nslab" --add "$HERE/clab_links.sh" "${adds[@]}" \
	--run "sh /qn/bin/clab_links.sh" "$@"
