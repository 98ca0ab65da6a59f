#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Build a busybox initramfs for an xalloc guest.
#
# usage: scripts/initramfs.sh MODE MODDIR OUT
#   MODE    check: load xalloc and every module of kunit/suites, then reboot
#           run:   load xalloc, run demo.sh if present, print debugfs, reboot
#           shell: load xalloc, interactive shell; exiting it reboots
#   MODDIR  directory where the modules were built (xalloc.ko, kunit/*.ko)
#   OUT     initramfs to write (gzip'ed newc cpio)
#
# Executables in tools/build/ (if any) go to /bin. The guest's /init prints
# "xalloc-check: ..." marker lines that scripts/check.sh looks for.
#
# In check mode the user-space tests (xalloc_test, xalloc_fuzz) run after the
# KUnit suites; the environment sets the fuzzer's run:
#   XALLOC_FUZZ_COUNT=40000  ioctls (about 45 s)   XALLOC_FUZZ_SEED=  seed (random)
set -euo pipefail

mode=$1
moddir=$2
out=$3
repo=$(cd "$(dirname "$0")/.." && pwd)
. "$repo/scripts/lib.sh"

case "$mode" in
check | run | shell) ;;
*) echo "initramfs: unknown mode '$mode'" >&2; exit 1 ;;
esac

root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT

busybox_root "$root"

cp "$moddir/xalloc.ko" "$root/lib/xalloc/"
cp "$moddir"/kunit/*.ko "$root/lib/xalloc/" 2>/dev/null || true
# Those of the bug finders' guest (scripts/finders.sh) only go there.
rm -f "$root"/lib/xalloc/{xalloc_finders_kunit,xalloc_leak}.ko
cp "$moddir"/bench/*.ko "$root/lib/xalloc/" 2>/dev/null || true
grep -v -e '^[[:space:]]*#' -e '^[[:space:]]*$' "$repo/kunit/suites" \
	>"$root/lib/xalloc/suites" 2>/dev/null || true
if [ -f "$repo/scripts/demo.sh" ]; then
	cp "$repo/scripts/demo.sh" "$root/lib/xalloc/demo.sh"
fi

init_start xalloc-check >"$root/init"

case "$mode" in
check)
	fuzz_args="--count ${XALLOC_FUZZ_COUNT:-40000}"
	[ -z "${XALLOC_FUZZ_SEED:-}" ] || fuzz_args="$fuzz_args --seed $XALLOC_FUZZ_SEED"
	echo "fuzz_args='$fuzz_args'" >>"$root/init"
	cat >>"$root/init" <<'EOF'
# Forget leak suspects from boot, so kmemleak reports only ours.
leaks_forget
mark "memfree before $(memfree) kB"
mark "meminfo before $(meminfo)"
# quarantine_kb=0: no KASAN quarantine, so that a freed object is reused at
# once, as the suites' exact reuse and count expectations need (a guest of
# its own, scripts/finders.sh, tests the quarantine).
if insmod /lib/xalloc/xalloc.ko quarantine_kb=0; then
	mark "insmod xalloc ok"
else
	mark "insmod xalloc failed"
fi
# xalloc_bench_kunit calls into the benchmark module: load it idle first.
[ -f /lib/xalloc/xalloc_bench.ko ] && insmod /lib/xalloc/xalloc_bench.ko run=0
# KUnit prints each suite's KTAP on the console while insmod runs it.
while read -r mod suite _; do
	mark "suite $suite begin"
	if insmod "/lib/xalloc/$mod.ko"; then
		mark "insmod $mod ok"
	else
		mark "insmod $mod failed"
	fi
	mark "suite $suite end"
done </lib/xalloc/suites
while read -r mod suite _; do
	rmmod "$mod" 2>/dev/null
done </lib/xalloc/suites
rmmod xalloc_bench 2>/dev/null
# User-space tests of /dev/xalloc. Each writes its TAP to a file, which then
# goes to the console between markers, so that kernel messages printed
# meanwhile can't split its lines; "exit 127" means the program is missing.
for prog in xalloc_test xalloc_fuzz; do
	args=
	[ "$prog" = xalloc_fuzz ] && args=$fuzz_args
	mark "userspace $prog start"
	rc=127
	r0=$(reports)
	if [ -x "/bin/$prog" ]; then
		# shellcheck disable=SC2086 # args are words
		timeout 240 "/bin/$prog" $args >"/tmp/$prog.tap" 2>&1
		rc=$?
	fi
	mark "userspace $prog reports $r0 $(reports)"
	mark "userspace $prog begin"
	cat "/tmp/$prog.tap" 2>/dev/null
	mark "userspace $prog end"
	mark "userspace $prog exit $rc"
done
# xallocctl's mmap() of a block, for the log: map, pattern, OBJ_READ, and a
# mapping kept across the free of its handle.
if [ -x /bin/xallocctl ]; then
	mark "xallocctl map begin"
	xallocctl pages 2 \; map %1 \; map %1 --len 4096 --keep \; free %1 \; zone 0
	mark "xallocctl map exit $?"
fi
# The allocator after the tests, for the log.
for f in zoneinfo slabinfo; do
	echo "### /sys/kernel/debug/xalloc/$f"
	cat "/sys/kernel/debug/xalloc/$f"
done
if echo 0 >/sys/devices/system/cpu/cpu1/online &&
	echo 1 >/sys/devices/system/cpu/cpu1/online; then
	mark "cpu1 offline/online ok"
else
	mark "cpu1 offline/online failed"
fi
# Every report since insmod: those the KUnit cases expected.
mark "report count $(reports)"
if rmmod xalloc; then
	mark "rmmod xalloc ok"
else
	mark "rmmod xalloc failed"
fi
mark "memfree after $(memfree) kB"
mark "meminfo after $(meminfo)"
leaks_scan && mark "kmemleak done"
mark "done"
EOF
	;;
run)
	cat >>"$root/init" <<'EOF'
insmod /lib/xalloc/xalloc.ko || mark "insmod xalloc failed"
if [ -f /lib/xalloc/demo.sh ]; then
	echo "### demo.sh"
	sh /lib/xalloc/demo.sh
fi
for f in buddyinfo zoneinfo slabinfo; do
	if [ -e "/sys/kernel/debug/xalloc/$f" ]; then
		echo "### /sys/kernel/debug/xalloc/$f"
		cat "/sys/kernel/debug/xalloc/$f"
	fi
done
EOF
	;;
shell)
	cat >>"$root/init" <<'EOF'
insmod /lib/xalloc/xalloc.ko || mark "insmod xalloc failed"
echo "xalloc loaded; test modules in /lib/xalloc; exit the shell to power off"
setsid cttyhack sh
EOF
	;;
esac
echo 'reboot -f' >>"$root/init"
chmod +x "$root/init"

(cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) >"$out"
