#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make bench: xalloc against the kernel's allocators in a QEMU guest.
#
# usage: [KERNEL=6.1|6.12|debian] scripts/bench.sh [MODULE PARAMETERS...]
#   e.g. scripts/bench.sh trials=9 scale=200   or   scripts/bench.sh only=fastpath
#
# KERNEL=6.1 (the default) or 6.12: builds the benchmark kernel (tinyconfig +
# kunit/bench.config: -O2, no bug finders, the kernel's SLUB and the
# allocator-relevant options as Debian has them) and the modules against it,
# and boots it once. KERNEL=debian: Debian's stock 6.1 kernel (make deps
# unpacks it), the modules built against its linux-headers-amd64, booted
# twice: with Debian's command line (init_on_alloc=1 by its config) and with
# init_on_alloc=0. Each boot's busybox /init loads xalloc.ko, then
# xalloc_bench.ko (which runs every scenario while insmod waits), and dumps
# the results and both slabinfo files; then it loads xalloc.ko again with
# zone_mb=0 and xalloc_bench_memory.ko, the memory scenario (the pages each
# side holds after a mixed working set of BENCH_MEMORY_MIB, default 200, was
# 90 % freed and given back; 0 skips it). Guests boot with slab_nomerge so that
# the benchmark's kernel caches keep their own names and geometry.
#
# Output in build/bench/<kernel>/ (one directory per boot): console.log,
# results.json, results.txt (the tables), ratios.png (gnuplot).
# Environment: KERNEL, XALLOC_ARGS (parameters of xalloc.ko, e.g. sheaves=1),
# BENCH_MEMORY_MIB (the memory scenario's working set, 0: none),
# BENCH_MEMORY_ARGS (parameters of xalloc_bench_memory.ko, e.g. warm=0),
# BENCH_CONFIG (kunit/bench.config; kunit/debug.config shows what the bug
# finders cost), and the guest's shape as for
# scripts/guest.sh (XALLOC_SMP=2, XALLOC_NUMA=2 ...).
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
. scripts/lib.sh
kernel=${KERNEL:-${BENCH_KERNEL:-6.1}}
config=${BENCH_CONFIG:-kunit/bench.config}
top=$repo/build/bench
mkdir -p "$top"
log() { echo "bench: $*"; }

# boots: "<directory> <extra command line>" per boot.
modargs=()
if [ "$kernel" = debian ]; then
	kabi=$(debian_kabi)
	kdir=/usr/src/linux-headers-$kabi
	bzimage=${XALLOC_CACHE:-$HOME/.cache/xalloc}/debian/linux-image-$kabi/boot/vmlinuz-$kabi
	if [ -z "$kabi" ] || [ ! -d "$kdir" ] || [ ! -f "$bzimage" ]; then
		log "no Debian kernel or headers (make deps)"
		exit 1
	fi
	log "Debian's kernel $kabi, twice: init_on_alloc as Debian sets it (1), and 0"
	modargs=(CONFIG_KUNIT=)
	moddir=$top/mod-debian-$kabi
	boots=("debian-$kabi-init1 " "debian-$kabi-init0 init_on_alloc=0")
else
	log "kernel $kernel ($config)"
	kdir=$(scripts/kernel.sh "$kernel" "$config")
	bzimage=$kdir/arch/x86/boot/bzImage
	moddir=$top/mod-$kernel-$(basename "$config" .config)
	boots=("$kernel-$(basename "$config" .config) ")
fi

log "modules (log: $top/modules.log)"
if ! scripts/modules.sh "$kdir" "$moddir" "${modargs[@]}" >"$top/modules.log" 2>&1; then
	tail -30 "$top/modules.log"
	exit 1
fi

# The guest: busybox, the two modules, and an /init that runs the benchmark.
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
busybox_root "$root"
cp "$moddir/xalloc.ko" "$moddir/bench/xalloc_bench.ko" "$moddir/bench/xalloc_bench_memory.ko" \
	"$root/lib/xalloc/"
{
	init_start xalloc-bench
	cat <<'EOF'
dump() {
	mark "$1 begin"
	cat "$2"
	mark "$1 end"
}
EOF
	echo "params='$*' xparams='${XALLOC_ARGS:-}' memory_mib='${BENCH_MEMORY_MIB:-200}' margs='${BENCH_MEMORY_ARGS:-}'"
	cat <<'EOF'
mark "cpus $(grep -c ^processor /proc/cpuinfo) $(uname -r)"
mark "cmdline $(cat /proc/cmdline)"
mark "xalloc $xparams"
if insmod /lib/xalloc/xalloc.ko $xparams && insmod /lib/xalloc/xalloc_bench.ko $params; then
	dump results /sys/kernel/debug/xalloc_bench/results
	dump kernel-slabinfo /proc/slabinfo
	dump xalloc-slabinfo /sys/kernel/debug/xalloc/slabinfo
	rmmod xalloc_bench
	rmmod xalloc
else
	mark "insmod failed"
fi
# The memory scenario, with an empty zone that grows as it needs.
if [ "$memory_mib" != 0 ]; then
	if insmod /lib/xalloc/xalloc.ko zone_mb=0 $xparams &&
	   insmod /lib/xalloc/xalloc_bench_memory.ko mib=$memory_mib $margs; then
		dump memory /sys/kernel/debug/xalloc_bench_memory/results
		rmmod xalloc_bench_memory
		rmmod xalloc
	else
		mark "memory: insmod failed"
	fi
fi
mark done
reboot -f
EOF
} >"$root/init"
chmod +x "$root/init"
(cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) >"$top/initramfs.gz"

for boot in "${boots[@]}"; do
	name=${boot%% *}
	append=${boot#* }
	dir=$top/$name
	mkdir -p "$dir"
	log "guest $name: ${XALLOC_SMP:-2} CPUs, command line + 'slab_nomerge $append'," \
		"every scenario (a few minutes under TCG; console: $dir/console.log)"
	start=$SECONDS
	rc=0
	XALLOC_APPEND="slab_nomerge $append ${XALLOC_APPEND:-}" scripts/guest.sh check \
		"$bzimage" "$top/initramfs.gz" "$dir/console.log" || rc=$?
	log "guest finished in $((SECONDS - start)) s (qemu status $rc)"
	if ! grep -q '^xalloc-bench: results end' "$dir/console.log"; then
		log "no results; the end of the console:"
		tail -30 "$dir/console.log"
		exit 1
	fi
	python3 scripts/bench_report.py "$dir/console.log" "$dir" | tee "$dir/results.txt"
	echo
done
