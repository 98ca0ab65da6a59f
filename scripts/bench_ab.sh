#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# xalloc against an earlier xalloc, in one boot of the bench kernel: the
# modules of git revision REV (A) and of the working tree (B) take turns
# A B B A ..., each turn one run of xalloc_bench; the kernel's side of every
# run is the noise floor. Prints, per scenario, the medians over turns of
# xalloc's ns per operation on each side and B / A.
#
# usage: scripts/bench_ab.sh REV [ROUNDS [BENCH ARGUMENTS...]]
#   e.g. scripts/bench_ab.sh main 2 only=fastpath trials=9
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
. scripts/lib.sh
rev=$1
rounds=${2:-2}
shift $(($# < 2 ? $# : 2))
ver=${BENCH_KERNEL:-6.1}
config=${BENCH_CONFIG:-kunit/bench.config}
dir=$repo/build/bench-ab
mkdir -p "$dir"
log() { echo "bench-ab: $*"; }

kdir=$(scripts/kernel.sh "$ver" "$config")
rm -rf "$dir/a-src"
mkdir -p "$dir/a-src"
git archive "$rev" | tar -x -C "$dir/a-src"
log "modules of $rev (A) and of the working tree (B)"
"$dir/a-src/scripts/modules.sh" "$kdir" "$dir/a" >"$dir/modules-a.log" 2>&1
scripts/modules.sh "$kdir" "$dir/b" >"$dir/modules-b.log" 2>&1

root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
busybox_root "$root"
for side in a b; do
	mkdir -p "$root/lib/xalloc/$side"
	cp "$dir/$side/xalloc.ko" "$dir/$side/bench/xalloc_bench.ko" "$root/lib/xalloc/$side/"
done
{
	init_start xalloc-ab
	echo "params='$*' rounds=$rounds"
	cat <<'EOF2'
turn() {
	insmod /lib/xalloc/$1/xalloc.ko || mark "insmod $1 failed"
	insmod /lib/xalloc/$1/xalloc_bench.ko $params || mark "insmod bench $1 failed"
	mark "turn $1 begin"
	cat /sys/kernel/debug/xalloc_bench/results
	mark "turn $1 end"
	rmmod xalloc_bench
	rmmod xalloc
}
i=0
while [ $i -lt $rounds ]; do
	turn a; turn b; turn b; turn a
	i=$((i + 1))
done
mark done
reboot -f
EOF2
} >"$root/init"
chmod +x "$root/init"
(cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) >"$dir/initramfs.gz"
log "guest (console: $dir/console.log)"
XALLOC_TIMEOUT=${XALLOC_TIMEOUT:-3000} XALLOC_APPEND="slab_nomerge ${XALLOC_APPEND:-}" \
	scripts/guest.sh check "$kdir/arch/x86/boot/bzImage" "$dir/initramfs.gz" \
	"$dir/console.log" || true
python3 scripts/bench_ab.py "$dir/console.log" "$rev"
