#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make replay: recorded workloads' slab allocations through xalloc and
# through the kernel's allocators, in one boot (Documentation/replay.rst).
#
# usage: scripts/replay.sh [TRACE.trace.xz...]   (default: traces/*.trace.xz)
#
# Builds the benchmark kernel (tinyconfig + kunit/bench.config, as make
# bench), the modules against it, packs each trace (scripts/replay_trace.py
# pack) into a busybox initramfs whose /init loads xalloc.ko and
# xalloc_replay.ko and replays every trace in turn, then prints a table per
# trace (scripts/replay_report.py). The guest boots with slab_nomerge, so
# the replay's kernel caches stay its own.
#
# Environment: REPLAY_RECORD=1 records the traces first on Debian's kernel
# (scripts/replay_record.sh), REPLAY_ROUNDS (3: A B B A rounds per mode),
# REPLAY_KERNEL (6.1), REPLAY_CONFIG (kunit/bench.config), XALLOC_ARGS
# (parameters of xalloc.ko, e.g. sheaves=0), and the guest's shape as for
# scripts/guest.sh (XALLOC_SMP=2 ...).
# Output in build/replay/: console.log, results.txt.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
. scripts/lib.sh
ver=${REPLAY_KERNEL:-6.1}
config=${REPLAY_CONFIG:-kunit/bench.config}
rounds=${REPLAY_ROUNDS:-3}
dir=$repo/build/replay
moddir=$dir/mod-$ver-$(basename "$config" .config)
mkdir -p "$dir"
log() { echo "replay: $*"; }

if [ "${REPLAY_RECORD:-0}" = 1 ]; then
	scripts/replay_record.sh
fi
[ $# -gt 0 ] || set -- traces/*.trace.xz

log "kernel $ver ($config)"
kdir=$(scripts/kernel.sh "$ver" "$config")
log "modules (log: $dir/modules.log)"
if ! scripts/modules.sh "$kdir" "$moddir" >"$dir/modules.log" 2>&1; then
	tail -30 "$dir/modules.log"
	exit 1
fi

root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
busybox_root "$root"
cp "$moddir/xalloc.ko" "$moddir/bench/xalloc_replay.ko" "$root/lib/xalloc/"
names=()
for t in "$@"; do
	n=$(basename "$t" .trace.xz)
	python3 scripts/replay_trace.py pack "$t" "$root/lib/xalloc/$n.bin"
	python3 scripts/replay_trace.py info "$t"
	names+=("$n")
done
{
	init_start xalloc-replay
	echo "traces='${names[*]}'"
	echo "rounds=$rounds"
	echo "xparams='${XALLOC_ARGS:-}'"
	cat <<'EOF'
d=/sys/kernel/debug/xalloc_replay
mark "cpus $(grep -c ^processor /proc/cpuinfo) $(uname -r)"
if insmod /lib/xalloc/xalloc.ko $xparams && insmod /lib/xalloc/xalloc_replay.ko; then
	for t in $traces; do
		r0=$(reports)
		cat /lib/xalloc/$t.bin >$d/trace
		if echo $rounds >$d/run; then
			mark "results $t begin"
			cat $d/results
			mark "results $t end"
		else
			mark "run $t failed"
		fi
		mark "reports $t $r0 $(reports)"
	done
	rmmod xalloc_replay
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

log "guest: ${XALLOC_SMP:-2} CPUs, $rounds rounds per mode (console: $dir/console.log)"
start=$SECONDS
rc=0
XALLOC_APPEND="slab_nomerge ${XALLOC_APPEND:-}" \
	scripts/guest.sh check "$kdir/arch/x86/boot/bzImage" "$dir/initramfs.gz" \
	"$dir/console.log" || rc=$?
log "guest finished in $((SECONDS - start)) s (qemu status $rc)"
if ! grep -q '^xalloc-replay: done' "$dir/console.log"; then
	log "the guest did not finish; the end of the console:"
	tail -30 "$dir/console.log"
	exit 1
fi
python3 scripts/replay_report.py "$dir/console.log" "$@" | tee "$dir/results.txt"
