#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Build the test kernel and the modules, then boot a guest (make run/shell).
# make run also draws the zone maps of scripts/demo.sh (build/run/*.png).
#
# usage: scripts/boot.sh run|shell KERNEL_VERSION
set -euo pipefail

mode=$1
ver=$2
repo=$(cd "$(dirname "$0")/.." && pwd)
dir=$repo/build/$mode/$ver
cd "$repo"

kdir=$(scripts/kernel.sh "$ver" kunit/debug.config)
mkdir -p "$dir"
echo "boot: building modules for $ver (log: $dir/modules.log)"
if ! scripts/modules.sh "$kdir" "$repo/build/$ver/mod" >"$dir/modules.log" 2>&1; then
	tail -30 "$dir/modules.log"
	exit 1
fi
scripts/initramfs.sh "$mode" "$repo/build/$ver/mod" "$dir/initramfs.gz"
echo "boot: starting $ver guest (console: $dir/console.log)"
rc=0
scripts/guest.sh "$mode" "$kdir/arch/x86/boot/bzImage" "$dir/initramfs.gz" "$dir/console.log" || rc=$?
# run: the zone maps scripts/demo.sh printed, as build/run/zonemap-*.png
if [ "$mode" = run ] && grep -q '^xalloc-zonemap: .* begin$' "$dir/console.log"; then
	scripts/zonemap.py --console "$dir/console.log" "$repo/build/run" || rc=1
fi
exit $rc
