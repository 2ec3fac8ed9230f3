#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# scripts/quickstart.sh: install what is needed, build, deploy the triangle example as the lab
# `quickstart` and show it working. It replaces only a lab it deployed itself (same name, deployed
# from this repository's examples/triangle.clab.yml); any other lab of that name is left alone and
# the script stops. NSLAB_QUICKSTART_LAB=NAME picks another name.
set -euo pipefail
cd "$(dirname "$0")/.."
[ "$(id -u)" = 0 ] || { echo "run as root: sudo $0" >&2; exit 1; }
lab=${NSLAB_QUICKSTART_LAB:-quickstart}
file=$(realpath examples/triangle.clab.yml)
scripts/install-deps.sh
make -j"$(nproc)"
# the file of a running lab of that name ("" when there is none)
have=$(build/nslab list --json | jq -r --arg n "$lab" '.[] | select(.name == $n) | .file')
if [ -n "$have" ] && [ "$have" != "$file" ]; then
	echo "quickstart: a lab named '$lab' is already running, deployed from $have, not by this script;" >&2
	echo "quickstart: it is left alone. Remove it (build/nslab destroy $lab) or pick another name:" >&2
	echo "quickstart:   NSLAB_QUICKSTART_LAB=NAME $0" >&2
	exit 1
fi
[ -z "$have" ] || build/nslab destroy "$lab" >/dev/null
build/nslab deploy --name "$lab" examples/triangle.clab.yml
echo
echo "\$ nslab exec $lab h1 -- ping -c 3 h3"
build/nslab exec "$lab" h1 -- ping -c 3 -i 0.2 h3
echo
echo "The lab is running. Try: build/nslab attach $lab r1    (exit the shell to detach)"
echo "Remove it with:          build/nslab destroy $lab"
