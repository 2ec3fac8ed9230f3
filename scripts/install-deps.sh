#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# scripts/install-deps.sh: install what nslab needs to build and test, on Debian 12 (root).
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
PKGS=(
	# build
	build-essential pkg-config libmnl-dev libyaml-dev libjansson-dev libgraphviz-dev libnftables-dev libxml2-dev
	# the console (nslab console): terminal emulation, curses; tmux drives its tests
	libvterm-dev libncurses-dev tmux
	# tests: unit (cmocka), fuzzing (clang + libFuzzer runtime), integration peers and tools
	libcmocka-dev clang libclang-rt-14-dev valgrind
	iproute2 iputils-ping iperf3 jq bc util-linux nftables libxml2-utils
	# what image profiles start in nodes (core/profile.c), and captures in nodes
	frr bird2 tcpdump
	# examples/dns: a name server in nodes, and dig
	bind9 bind9-dnsutils
)
# Services these packages enable on the host itself (PACKAGE:SERVICE): nslab starts them inside nodes only.
HOST_SERVICES=(frr:frr bird2:bird bind9:named)
missing=()
for p in "${PKGS[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	echo "installing: ${missing[*]}"
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
# A host-wide FRR or bird that this script just installed stays off: its packages enable it (and start
# it where systemd runs). Nodes would not see it (their own network namespace, /run and files), but
# its routes would go into the host's table. A daemon the host already had is left as it was.
for ps in "${HOST_SERVICES[@]}"; do
	pkg=${ps%%:*} svc=${ps#*:}
	case " ${missing[*]:-} " in *" $pkg "*) ;; *) continue ;; esac
	if command -v systemctl >/dev/null; then
		if [ -d /run/systemd/system ]; then
			systemctl disable --now "$svc" >/dev/null 2>&1 || true
		else
			systemctl disable "$svc" >/dev/null 2>&1 || true
		fi
	fi
	if [ ! -d /run/systemd/system ] && [ -x "/etc/init.d/$svc" ]; then
		"/etc/init.d/$svc" stop >/dev/null 2>&1 || true
		update-rc.d "$svc" disable >/dev/null 2>&1 || true
	fi
done
