#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make bench: xalloc against the kernel's allocators in a QEMU guest.
#
# usage: scripts/bench.sh [MODULE PARAMETERS...]
#   e.g. scripts/bench.sh trials=9 scale=200   or   scripts/bench.sh only=fastpath
#
# Builds the benchmark kernel (tinyconfig + kunit/bench.config: no bug
# finders, the kernel's SLUB as users run it), the modules against it, and a
# busybox initramfs whose /init loads xalloc.ko, then xalloc_bench.ko (which
# runs every scenario while insmod waits), and dumps the results and both
# slabinfo files. The guest boots with slab_nomerge so that the benchmark's
# kernel caches keep their own names and geometry.
#
# Output in build/bench/: console.log, results.json, results.txt (the
# tables), ratios.png (gnuplot). Environment: BENCH_KERNEL (6.1),
# BENCH_CONFIG (kunit/bench.config; kunit/debug.config shows what the bug
# finders cost), and the guest's shape as for scripts/guest.sh (XALLOC_SMP=2, XALLOC_NUMA=2 ...).
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
. scripts/lib.sh
ver=${BENCH_KERNEL:-6.1}
config=${BENCH_CONFIG:-kunit/bench.config}
dir=$repo/build/bench
moddir=$dir/mod-$ver-$(basename "$config" .config)
mkdir -p "$dir"
log() { echo "bench: $*"; }

log "kernel $ver ($config)"
kdir=$(scripts/kernel.sh "$ver" "$config")

log "modules (log: $dir/modules.log)"
if ! scripts/modules.sh "$kdir" "$moddir" >"$dir/modules.log" 2>&1; then
	tail -30 "$dir/modules.log"
	exit 1
fi

# The guest: busybox, the two modules, and an /init that runs the benchmark.
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
busybox_root "$root"
cp "$moddir/xalloc.ko" "$moddir/bench/xalloc_bench.ko" "$root/lib/xalloc/"
{
	init_start xalloc-bench
	cat <<'EOF'
dump() {
	mark "$1 begin"
	cat "$2"
	mark "$1 end"
}
EOF
	echo "params='$*'"
	cat <<'EOF'
mark "cpus $(grep -c ^processor /proc/cpuinfo) $(uname -r)"
if insmod /lib/xalloc/xalloc.ko && insmod /lib/xalloc/xalloc_bench.ko $params; then
	dump results /sys/kernel/debug/xalloc_bench/results
	dump kernel-slabinfo /proc/slabinfo
	dump xalloc-slabinfo /sys/kernel/debug/xalloc/slabinfo
	rmmod xalloc_bench
	rmmod xalloc
else
	mark "insmod failed"
fi
mark done
reboot -f
EOF
} >"$root/init"
chmod +x "$root/init"
(cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) >"$dir/initramfs.gz"

log "guest: ${XALLOC_SMP:-2} CPUs, running every scenario (a few minutes under TCG; console: $dir/console.log)"
start=$SECONDS
rc=0
XALLOC_APPEND="slab_nomerge ${XALLOC_APPEND:-}" scripts/guest.sh check \
	"$kdir/arch/x86/boot/bzImage" "$dir/initramfs.gz" "$dir/console.log" || rc=$?
log "guest finished in $((SECONDS - start)) s (qemu status $rc)"
if ! grep -q '^xalloc-bench: results end' "$dir/console.log"; then
	log "no results; the end of the console:"
	tail -30 "$dir/console.log"
	exit 1
fi

python3 scripts/bench_report.py "$dir/console.log" "$dir" | tee "$dir/results.txt"
