#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The replay's smoke run for make check: the head of a shipped trace
# (REPLAY_SMOKE_EVENTS events of traces/tcp.trace.xz, 3000 by default)
# replayed through xalloc and the kernel in the debug kernel's guest
# (KASAN, kmemleak, lockdep), one round of A B B A per mode after the warm-up.
# Times nothing: checks that both sides replay every event, with no failed
# allocation, no xalloc report and no kernel splat.
#
# usage: scripts/replay_smoke.sh VERSION
# Ends with "replay_smoke: P passed, F failed"; artifacts in
# build/check/VERSION/replay/.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
. scripts/lib.sh
ver=$1
work=build/check/$ver/replay
summary=$work/summary.txt
mkdir -p "$work"
: >"$summary"
npass=0
nfail=0
trace=traces/tcp.trace.xz
events=${REPLAY_SMOKE_EVENTS:-3000}
log() { echo "replay_smoke: $*"; }

finish() {
	echo "replay_smoke: $npass passed, $nfail failed"
	exit 0
}

kdir=$(scripts/kernel.sh "$ver" kunit/debug.config)
moddir=$repo/build/$ver/mod
if [ ! -f "$moddir/bench/xalloc_replay.ko" ]; then
	log "$ver: modules (log: $work/modules.log)"
	if ! scripts/modules.sh "$kdir" "$moddir" >"$work/modules.log" 2>&1; then
		result FAIL "$ver" "replay: module build ($work/modules.log)"
		finish
	fi
fi

root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
busybox_root "$root"
cp "$moddir/xalloc.ko" "$moddir/bench/xalloc_replay.ko" "$root/lib/xalloc/"
python3 scripts/replay_trace.py pack --max-events "$events" "$trace" "$root/lib/xalloc/smoke.bin"
{
	init_start xalloc-smoke
	cat <<'EOF'
d=/sys/kernel/debug/xalloc_replay
if insmod /lib/xalloc/xalloc.ko && insmod /lib/xalloc/xalloc_replay.ko; then
	mark "insmod ok"
	r0=$(reports)
	cat /lib/xalloc/smoke.bin >$d/trace
	if echo 1 >$d/run; then mark "run ok"; else mark "run failed"; fi
	mark "results begin"
	cat $d/results
	mark "results end"
	mark "reports $r0 $(reports)"
	rmmod xalloc_replay && rmmod xalloc && mark "rmmod ok"
fi
mark done
reboot -f
EOF
} >"$root/init"
chmod +x "$root/init"
(cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) >"$work/initramfs.gz"

c=$work/console.log
log "$ver: guest (console: $c)"
start=$SECONDS
rc=0
XALLOC_TIMEOUT=300 scripts/guest.sh check "$kdir/arch/x86/boot/bzImage" \
	"$work/initramfs.gz" "$c" || rc=$?
mark() { sed -n "s/^xalloc-smoke: $1 //p" "$c" | head -1; }
check "grep -q '^xalloc-smoke: done' '$c'" "$ver" \
	"replay: guest ran to the end ($((SECONDS - start)) s, qemu status $rc)"
check "grep -q '^xalloc-smoke: run ok' '$c'" "$ver" \
	"replay: $events events of $trace loaded and replayed"
for mode in one-cpu trace-cpus; do
	line=$(sed -n '/^xalloc-smoke: results begin/,/^xalloc-smoke: results end/p' "$c" |
		grep "^mode=$mode " || true)
	check "grep -q ' events=$events .* trials=2 .* xalloc_fails=0 .* kernel_fails=0' <<<'$line'" \
		"$ver" "replay $mode: 2 trials of each side after the warm-up, every allocation of both succeeded"
done
read -r r0 r1 < <(mark reports) || true
check "[ '${r0:-x}' = '${r1:-y}' ]" "$ver" \
	"replay: no xalloc report (debugfs reports ${r0:-?} -> ${r1:-?})"
check "grep -q '^xalloc-smoke: rmmod ok' '$c'" "$ver" "replay: rmmod xalloc_replay and xalloc"
chunks_back "$ver" "replay: rmmod xalloc" "$c" 1
no_splat "$ver" replay "$c" "$work/splats.log"
finish
