#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The bug finders' guest of one kernel version. A KASAN report taints the
# kernel and turns lockdep off for the rest of the boot, so these tests have
# a boot of the debug kernel of their own (kmemleak's first):
#
#   KASAN     the KUnit suite xalloc_finders (kunit/xalloc_finders_kunit.c),
#             booted with kasan_multi_shot: each case expects exactly one
#             KASAN report of the right bug type, address and size, or an
#             exact number of xalloc reports (double frees, a freelist cycle)
#   kmemleak  kunit/xalloc_leak.ko leaks a cache object, a kmalloc object
#             (holding the only pointer to a child object) and a large
#             kmalloc block: each, and the child, is listed by kmemleak as
#             unreferenced, with a function of xalloc.ko in its backtrace; an
#             object referenced only from a live xalloc object is not listed;
#             after "free" none of them is
#
# The KASAN reports of the suite are expected, and so are the xalloc reports
# and the unload messages its cases announce (kunit/xalloc_kunit.h, matched
# by scripts/console.awk as in make check's guests: the freelist-cycle case
# leaks the objects it drops, by design); any other splat, or a KASAN report
# outside the suite, is a failure.
#
# usage: scripts/finders.sh VER
#
# Uses scripts/kernel.sh VER kunit/debug.config and the modules in
# build/VER/mod that make check builds (scripts/modules.sh if missing), or
# in $XALLOC_MODDIR.
# Console, KTAP and kmemleak output go to build/finders/VER/. Result lines
# are those of scripts/check.sh, also appended to build/check/summary.txt;
# the last line is "finders: P passed, F failed" for check.sh's tally. Exits
# non-zero if F > 0.
set -euo pipefail

[ $# -eq 1 ] || { echo "usage: $0 VER" >&2; exit 1; }
ver=$1
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
. scripts/lib.sh
work=build/finders/$ver
mkdir -p "$work" build/check
rm -f "$work"/*.log "$work"/*.txt "$work"/results.*
summary=build/check/summary.txt
npass=0
nfail=0
suite=xalloc_finders

log() { echo "finders: $*"; }

# mark CONSOLE NAME: the value of the guest's "xalloc-finders: NAME VALUE" line.
mark() {
	sed -n "s/^xalloc-finders: $2 \([^ ]*\).*/\1/p" "$1" | tail -1
}

# window CONSOLE NAME: the lines between the "NAME begin" and "NAME end" marks.
window() {
	awk -v b="xalloc-finders: $2 begin" -v e="xalloc-finders: $2 end" \
		'$0 == e { on = 0 } on { print } $0 == b { on = 1 }' "$1"
}

# listed LIST ADDR: the kmemleak report of the object at ADDR in LIST, if any.
listed() {
	awk -v a="unreferenced object $2 " '
	/^unreferenced object / { on = index($0, a) == 1 }
	on' "$1"
}

# others CONSOLE: the console without the KASAN reports of the suite, the
# lockdep message the first of them makes, and kmemleak's lists, for splats.
others() {
	awk '
	{ line = $0; sub(/^\[ *[0-9.]*\] /, "", line) }
	line == "xalloc-finders: suite xalloc_finders begin" { suite = 1 }
	line == "xalloc-finders: suite xalloc_finders end" { suite = 0 }
	line ~ /^xalloc-finders: kmemleak [a-z]* begin$/ { leaks = 1 }
	line ~ /^xalloc-finders: kmemleak [a-z]* end$/ { leaks = 0; next }
	leaks { next }
	line ~ /^=+$/ { kasan = 0; next }
	line ~ /BUG: KASAN: / { kasan = suite }
	kasan { next }
	line ~ /Disabling lock debugging due to kernel taint/ { next }
	{ print }' "$1"
}

log "$ver: kernel"
kdir=$(scripts/kernel.sh "$ver" kunit/debug.config)
src=$(readlink -f "$kdir/source")
moddir=${XALLOC_MODDIR:-$repo/build/$ver/mod}
mods=("$moddir/xalloc.ko" "$moddir/kunit/xalloc_finders_kunit.ko" "$moddir/kunit/xalloc_leak.ko")
for m in "${mods[@]}"; do
	[ -f "$m" ] && continue
	log "$ver: modules (log: $work/modules.log)"
	scripts/modules.sh "$kdir" "$moddir" >"$work/modules.log" 2>&1 ||
		{ tail -20 "$work/modules.log"; }
	break
done
for m in "${mods[@]}"; do
	if [ ! -f "$m" ]; then
		result FAIL "$ver" "finders: $(basename "$m") not built ($work/modules.log)"
		echo "finders: $npass passed, $nfail failed"
		exit 1
	fi
done

root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
busybox_root "$root"
cp "${mods[@]}" "$root/lib/xalloc/"
init_start xalloc-finders >"$root/init"
cat >>"$root/init" <<'EOF'
leaks_forget
if insmod /lib/xalloc/xalloc.ko; then mark "insmod xalloc ok"; else mark "insmod xalloc failed"; fi
# kmemleak first: stale copies of the suite's pointers in the stacks of
# sleeping workers could point into the blocks leaked later at the same
# addresses, and hide them. What kmemleak knows from before goes; then the
# leaks, older than its minimum age (5 s), are found by the second of two
# scans.
ctl=/sys/kernel/debug/xalloc_leak/ctl
if insmod /lib/xalloc/xalloc_leak.ko; then mark "insmod xalloc_leak ok"; else mark "insmod xalloc_leak failed"; fi
# A shell of its own writes: no living task's stack keeps the pointers.
if sh -c "echo leak >$ctl"; then mark "leak ok"; else mark "leak failed"; fi
cat $ctl >/tmp/objects
while read -r name addr; do mark "object-$name $addr"; done </tmp/objects
sleep 6
mark "kmemleak leaked begin"
leaks_scan
mark "kmemleak leaked end"
if sh -c "echo free >$ctl"; then mark "free ok"; else mark "free failed"; fi
mark "kmemleak freed begin"
leaks_scan
mark "kmemleak freed end"
if rmmod xalloc_leak; then mark "rmmod xalloc_leak ok"; else mark "rmmod xalloc_leak failed"; fi
# KUnit prints the suite's KTAP on the console while insmod runs it.
mark "suite xalloc_finders begin"
if insmod /lib/xalloc/xalloc_finders_kunit.ko; then
	mark "insmod xalloc_finders_kunit ok"
else
	mark "insmod xalloc_finders_kunit failed"
fi
mark "suite xalloc_finders end"
rmmod xalloc_finders_kunit
if rmmod xalloc; then mark "rmmod xalloc ok"; else mark "rmmod xalloc failed"; fi
mark "done"
reboot -f
EOF
chmod +x "$root/init"
(cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) >"$work/initramfs.gz"

c=$work/console.log
log "$ver: guest (console: $c)"
start=$SECONDS
rc=0
XALLOC_APPEND="${XALLOC_APPEND:+$XALLOC_APPEND }kasan_multi_shot init_on_alloc=1 init_on_free=1" \
	scripts/guest.sh check "$kdir/arch/x86/boot/bzImage" "$work/initramfs.gz" "$c" || rc=$?
if grep -q '^xalloc-finders: done' "$c"; then
	result ok "$ver" "finders: guest ran to the end ($((SECONDS - start)) s)"
else
	result FAIL "$ver" "finders: guest did not finish (qemu status $rc, $((SECONDS - start)) s)"
	tail -15 "$c" | sed 's/^/	/'
fi
check "[ '$(mark "$c" "insmod xalloc")' = ok ]" "$ver" "finders: insmod xalloc"

# KUnit: the suite's KTAP from between its marks, one test per case.
{
	echo "KTAP version 1"
	echo "1..1"
	sed 's/^\[ *[0-9.]*\] //' "$c" | awk -v s="$suite" '
	$0 == "xalloc-finders: suite " s " begin" { on = 1; next }
	$0 == "xalloc-finders: suite " s " end" { on = 0; next }
	!on { next }
	/^(KTAP version|TAP version|[0-9]+\.\.[0-9]+)/ { next }
	/^(ok|not ok) [0-9]+ / { sub(/ [0-9]+ /, " 1 "); print; done = 1; next }
	/^[ \t]*(KTAP version|TAP version|# |[0-9]+\.\.[0-9]+|ok |not ok )/ { print }
	END { if (!done) print "not ok 1 " s " # no KTAP result (module missing or crashed)" }'
} >"$work/results.tap"
python3 "$src/tools/testing/kunit/kunit.py" parse "$repo/$work/results.tap" \
	--json="$repo/$work/results.json" >"$work/kunit.log" 2>&1 || true
if [ ! -s "$work/results.json" ]; then
	result FAIL "$ver" "finders: kunit.py parse failed ($work/kunit.log)"
elif read -r name p f s < <(python3 scripts/kunit_count.py "$work/results.json" |
	awk -v s="$suite" '$1 == s'); then
	tally "$ver" "finders: kunit $name" "$p" "$f" "$s"
	grep -E '^ *not ok ' "$work/results.tap" | sed 's/^/	/' || true
else
	result FAIL "$ver" "finders: kunit $suite: missing"
fi
n=$(window "$c" "suite $suite" | grep -c 'BUG: KASAN: ' || true)
k=$(grep -c 'BUG: KASAN: ' "$c" || true)
check "[ $k -eq $n ]" "$ver" "finders: KASAN reports only inside the suite ($n inside, $((k - n)) outside)"

# kmemleak: the leaked objects are listed, with a function of xalloc.ko in
# the backtrace (the allocation call site); those referenced from live memory
# are not. The child, referenced only from a leaked object, is listed too:
# kmemleak reports every object that no scan reached.
window "$c" "kmemleak leaked" >"$work/kmemleak-leaked.txt"
window "$c" "kmemleak freed" >"$work/kmemleak-freed.txt"
check "[ '$(mark "$c" "insmod xalloc_leak")' = ok ] && [ '$(mark "$c" leak)' = ok ]" \
	"$ver" "finders: kmemleak: xalloc_leak loaded, its objects allocated"
for name in cache kmalloc child large; do
	addr=$(mark "$c" "object-$name")
	what="finders: kmemleak lists the leaked $name object ${addr:-?}"
	listed "$work/kmemleak-leaked.txt" "${addr:-none}" >"$work/kmemleak-$name.txt"
	# 6.1: "    [<ffffffffa0006693>] kmalloc_caller+0xc9/0x115 [xalloc]",
	# 6.12: "    kmalloc_caller+0xc9/0x115 [xalloc]".
	fn=$(sed -n 's/^ *\(\[<[0-9a-f]*>\] \)\{0,1\}\([A-Za-z0-9_.]*\)+0x[0-9a-f]*\/0x[0-9a-f]* \[xalloc\]$/\2/p' \
		"$work/kmemleak-$name.txt" | head -1)
	if [ -z "$addr" ]; then
		result FAIL "$ver" "$what: no address"
	elif [ ! -s "$work/kmemleak-$name.txt" ]; then
		result FAIL "$ver" "$what: not listed"
	elif [ -z "$fn" ]; then
		result FAIL "$ver" "$what, but no xalloc function in its backtrace ($work/kmemleak-$name.txt)"
		sed -n '/backtrace/,$p' "$work/kmemleak-$name.txt" | head -4 | sed 's/^/	/'
	else
		result ok "$ver" "$what, allocated in $fn"
	fi
done
for name in holder inner; do
	addr=$(mark "$c" "object-$name")
	check "[ -n '$addr' ] && ! grep -q '^unreferenced object $addr ' '$work/kmemleak-leaked.txt'" \
		"$ver" "finders: kmemleak does not list the $name object ${addr:-?} (referenced from live memory)"
done
n=$(grep -c '^unreferenced object ' "$work/kmemleak-leaked.txt" || true)
check "[ $n -eq 4 ]" "$ver" "finders: kmemleak lists $n objects after the leak, the 4 leaked ones"
check "[ '$(mark "$c" free)' = ok ]" "$ver" "finders: kmemleak: xalloc_leak freed its objects"
n=$(grep -c '^unreferenced object ' "$work/kmemleak-freed.txt" || true)
check "[ $n -eq 0 ]" "$ver" "finders: kmemleak lists nothing after the free ($n objects)"
check "[ '$(mark "$c" "rmmod xalloc_leak")' = ok ] && [ '$(mark "$c" "rmmod xalloc")' = ok ]" \
	"$ver" "finders: rmmod xalloc_leak and xalloc"

# xalloc's reports in the suite's case windows, the unload messages the
# cases announced, and no other splat.
report_windows "$c" >"$work/reports.log"
suite_reports "$ver" "finders: kunit $suite" "$work/reports.log" "$suite"
unload_announced "$ver" "finders: rmmod xalloc" "$work/reports.log"
others "$c" >"$work/others.log"
no_splat "$ver" "finders: besides the KASAN reports and leaks made on purpose" \
	"$work/others.log" "$work/splats.log"

echo "finders: $npass passed, $nfail failed"
[ "$nfail" -eq 0 ]
