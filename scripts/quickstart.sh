#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# scripts/quickstart.sh: install what is needed, build, deploy the triangle example and show it working.
set -euo pipefail
cd "$(dirname "$0")/.."
[ "$(id -u)" = 0 ] || { echo "run as root: sudo $0" >&2; exit 1; }
scripts/install-deps.sh
make -j"$(nproc)"
build/nslab destroy triangle >/dev/null 2>&1 || true
build/nslab deploy examples/triangle.clab.yml
echo
echo "\$ nslab exec triangle h1 -- ping -c 3 h3"
build/nslab exec triangle h1 -- ping -c 3 -i 0.2 h3
echo
echo "The lab is running. Try: build/nslab attach triangle r1    (exit the shell to detach)"
echo "Remove it with:          build/nslab destroy triangle"
