#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/vm/clab_links.sh: runs inside the kernel-vm guest (stock Debian kernel, which has the dummy
# driver this machine's kernel lacks): deploys a lab with containerlab's dummy link and a host link
# and checks the node really has a dummy interface with its address, the host end exists, and
# destroy leaves neither. Started by tests/vm/clab_links_run.sh. Prints "clab_links: CHECK name
# PASS|FAIL" lines.
exec 2>&1
NSLAB=/qn/bin/nslab
LAB=it-vmclab
rc=0
check() { # NAME COMMAND...
	n=$1
	shift
	if "$@" >/dev/null 2>&1; then echo "clab_links: CHECK $n PASS"; else echo "clab_links: CHECK $n FAIL"; rc=1; fi
}
[ -d /sys/module/overlay ] || insmod /qn/mod/overlay.ko 2>/dev/null || true
[ -d /sys/module/dummy ] || insmod /qn/mod/dummy.ko 2>/dev/null || true
mkdir -p /tmp/clab && cat > /tmp/clab/t.yml <<YML
name: $LAB
topology:
  nodes: {a: {kind: linux}}
  links:
    - type: dummy
      endpoint: {node: a, interface: dum0, ipv4: 10.7.0.1/24}
    - type: host
      host-interface: vmh-a4
      endpoint: {node: a, interface: eth4, ipv4: 10.214.0.2/30}
YML
$NSLAB deploy --quiet /tmp/clab/t.yml || { echo "clab_links: CHECK deploy FAIL"; exit 1; }
echo "clab_links: CHECK deploy PASS"
check dummy-kind sh -c "$NSLAB exec $LAB a -- ip -d link show dum0 | grep -q dummy"
check dummy-addr sh -c "$NSLAB exec $LAB a -- ip -4 addr show dum0 | grep -q 10.7.0.1/24"
check dummy-ping $NSLAB exec $LAB a -- ping -c 1 -W 2 10.7.0.1
check host-end ip link show vmh-a4
check destroy $NSLAB destroy $LAB
check host-end-gone sh -c "! ip link show vmh-a4"
exit $rc
