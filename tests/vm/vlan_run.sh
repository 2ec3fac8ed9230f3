#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/vm/vlan_run.sh: boot the kernel-vm guest (stock Debian kernel, with 802.1Q and bridge VLAN
# filtering, which this machine's kernel lacks) with build/nslab and run tests/vm/vlan.sh there:
# examples/vlan and the corpus file kyanagis d1-vlan, deployed and measured.
# Usage and exit status as tests/vm/netem_lab_run.sh (77 skipped).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
KVM_RUN="$HERE/../../../shared/kernel-vm/run.sh"
D1="$REPO/../shared/corpus/clab/kyanagis+42-netpractice-containerlab/labs/d1-vlan"

if [ ! -x "$KVM_RUN" ]; then
	echo "skipped: no kernel-vm runner at $KVM_RUN"
	exit 77
fi
if [ ! -f "$D1/topo.clab.yml" ]; then
	echo "skipped: no corpus file $D1/topo.clab.yml"
	exit 77
fi
[ "${1:-}" = "--" ] && shift
make -C "$REPO" -s build/nslab >&2
adds=()
# kernel-vm's initramfs loads only its netem modules: node roots need overlayfs, bridges and their
# VLAN filtering the bridge module, subinterfaces 8021q (insmod'ed by the guest script in this
# order; the kernel is fetched by kernel-vm's own fetch-kernel.sh)
KDIR=$("$HERE/../../../shared/kernel-vm/fetch-kernel.sh" 2>/dev/null) && KMOD=$(ls -d "$KDIR"/root/lib/modules/* | head -n1) || KMOD=
for m in fs/overlayfs/overlay net/llc/llc net/802/stp net/bridge/bridge net/802/garp net/802/mrp net/8021q/8021q; do
	[ -n "$KMOD" ] && [ -f "$KMOD/kernel/$m.ko" ] && adds+=(--add "$KMOD/kernel/$m.ko:/qn/mod/${m##*/}.ko")
done
# programs the labs' exec lines run with a node's /bin/sh: dash (a Debian host's sh; the guest's
# busybox sh would run busybox ip) and bridge (iproute2, which kernel-vm does not add); tcpdump for
# the README's look at the tags, when this machine has it
adds+=(--add /usr/bin/dash:/usr/bin/dash --add /usr/sbin/bridge:/usr/sbin/bridge)
[ -x /usr/bin/tcpdump ] && adds+=(--add /usr/bin/tcpdump:/usr/bin/tcpdump)
# the labs, read in place (into the guest's /qn, never into the repository)
adds+=(--add "$REPO/examples/vlan/vlan.clab.yml:/qn/lab/vlan.clab.yml"
	--add "$D1/topo.clab.yml:/qn/corpus/d1-vlan/topo.clab.yml" --add "$D1/solution.conf:/qn/corpus/d1-vlan/solution.conf")
exec "$KVM_RUN" --no-tests --timeout 300 --add "$REPO/build/nslab" --add "$HERE/vlan.sh" "${adds[@]}" \
	--run "sh /qn/bin/vlan.sh" "$@"
