#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# scripts/install-deps.sh: install what nslab needs to build and test, on Debian 12 (root).
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
PKGS=(
	# build
	build-essential pkg-config libmnl-dev libyaml-dev libjansson-dev libgraphviz-dev
	# the console (nslab console): terminal emulation, curses; tmux drives its tests
	libvterm-dev libncurses-dev tmux
	# tests: unit (cmocka), fuzzing (clang + libFuzzer runtime), integration peers and tools
	libcmocka-dev clang libclang-rt-14-dev valgrind
	iproute2 iputils-ping iperf3 jq bc util-linux nftables
)
missing=()
for p in "${PKGS[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	echo "installing: ${missing[*]}"
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
