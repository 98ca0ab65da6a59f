#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make check: lint, build and test xalloc on each given kernel version.
#
# usage: scripts/check.sh VERSION...
#
# Every step is one test that passes or fails; each KUnit case is one test.
# Artifacts in build/check/<version>/: console.log, results.tap,
# results.json, modules-w1.log, sparse.log, splats.log, reports.log (the KUnit
# case windows and their xalloc reports), xalloc_test.tap, xalloc_fuzz.tap;
# build/check/checkpatch.log.
# Ends with "N passed, M failed" and exits non-zero if M > 0.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
. scripts/lib.sh
top=build/check
mkdir -p "$top"
summary=$top/summary.txt
: >"$summary"
npass=0
nfail=0

log() { echo "check: $*"; }

# Suites expected to run: "<module> <suite> <cases>" lines of kunit/suites.
mapfile -t suites < <(grep -v -e '^[[:space:]]*#' -e '^[[:space:]]*$' kunit/suites 2>/dev/null || true)

# C files and headers of the repository, for checkpatch.
mapfile -t sources < <(find . \( -path ./build -o -path ./.git -o -path ./tools/build \) -prune \
	-o \( -name '*.[ch]' ! -name '*.mod.c' \) -type f -print | sort)

checkpatch_done=0
checkpatch() {
	local src=$1 logf=$top/checkpatch.log
	checkpatch_done=1
	if [ ${#sources[@]} -eq 0 ]; then
		result ok all "checkpatch: no C files"
		return
	fi
	if perl "$src/scripts/checkpatch.pl" --strict --no-tree --quiet -f "${sources[@]}" \
		>"$logf" 2>&1; then
		result ok all "checkpatch --strict: ${#sources[@]} files clean"
	else
		result FAIL all "checkpatch --strict: $(grep -c -E '^(ERROR|WARNING|CHECK):' "$logf") reports ($logf)"
		grep -E '^(ERROR|WARNING|CHECK):|^#[0-9]+: FILE:' "$logf" | head -30
	fi
}

# kernel-doc of the API headers and the sources: one test, no warnings.
kerneldoc_done=0
kerneldoc_lint() {
	local src=$1 logf=$top/kernel-doc.log n
	kerneldoc_done=1
	"$src/scripts/kernel-doc" -none include/xalloc/*.h include/uapi/linux/xalloc.h \
		mm/*.c >"$logf" 2>&1 || true
	n=$(grep -c . "$logf" || true)
	check "[ $n -eq 0 ]" all "kernel-doc -none: $n warnings ($logf)"
	head -10 "$logf"
}

# mm/compat_order.h against each claimed kernel's page order definitions.
compat_test() {
	if gcc -fsyntax-only -Wall -Werror tools/testing/compat_order_test.c \
		>"$top/compat.log" 2>&1; then
		result ok all "compat: XALLOC_MAX_ORDER is 10 with the definitions of 6.1-6.3, 6.4-6.7 and 6.8-6.12"
	else
		result FAIL all "compat: XALLOC_MAX_ORDER wrong for some version ($top/compat.log)"
		head -5 "$top/compat.log"
	fi
}

# DKMS builds (scripts/dkms.sh test, a private DKMS tree) against the newest
# installed Debian linux-headers of 6.1 and of 6.12: one test each.
dkms_done=0
dkms_builds() {
	local series hdr kver logf
	dkms_done=1
	for series in 6.1 6.12; do
		hdr=$(find /usr/src -maxdepth 1 -name "linux-headers-$series.*-amd64" \
			! -name '*-cloud-amd64' ! -name '*-rt-amd64' | sort -V | tail -1)
		kver=${hdr#/usr/src/linux-headers-}
		logf=$top/dkms-$series.log
		if [ -z "$hdr" ] || [ ! -e "/lib/modules/$kver/build" ]; then
			result FAIL all "dkms build for $series: no linux-headers-$series.*-amd64 (make deps)"
		elif scripts/dkms.sh test "$top/dkms/$series" "$kver" >"$logf" 2>&1; then
			result ok all "dkms build for $kver"
		else
			result FAIL all "dkms build for $kver ($logf)"
			tail -10 "$logf"
		fi
	done
}

# KTAP of all suites from the console: the lines between the
# "xalloc-check: suite X begin/end" markers, renumbered as one document.
ktap() {
	local console=$1 i=0 suite
	echo "KTAP version 1"
	echo "1..${#suites[@]}"
	for line in "${suites[@]}"; do
		read -r _ suite _ <<<"$line"
		i=$((i + 1))
		sed 's/^\[ *[0-9.]*\] //' "$console" | awk -v s="$suite" -v i="$i" '
		$0 == "xalloc-check: suite " s " begin" { on = 1; next }
		$0 == "xalloc-check: suite " s " end" { on = 0; next }
		!on { next }
		/^(KTAP version|TAP version|[0-9]+\.\.[0-9]+)/ { next }
		/^(ok|not ok) [0-9]+ / { sub(/ [0-9]+ /, " " i " "); print; done = 1; next }
		/^[ \t]*(KTAP version|TAP version|# |[0-9]+\.\.[0-9]+|ok |not ok )/ { print }
		END { if (!done) print "not ok " i " " s " # no KTAP result (module missing or crashed)" }'
	done
}

# User-space test programs the guest runs (scripts/initramfs.sh), in order.
userspace_progs=(xalloc_test xalloc_fuzz)

# userspace CONSOLE DIR KERNEL: each program's TAP from between its markers
# to DIR/<program>.tap; one test per TAP case. A program that is missing,
# crashed or timed out (no "exit 0" marker, fewer results than its plan)
# counts one failure more. One test more that xalloc's report count (debugfs
# reports, read before and after the program) did not change: neither
# program misuses xalloc on purpose.
userspace() {
	local c=$1 dir=$2 ver=$3 prog tap rc r0 r1
	for prog in "${userspace_progs[@]}"; do
		tap=$dir/$prog.tap
		awk -v b="xalloc-check: userspace $prog begin" \
			-v e="xalloc-check: userspace $prog end" \
			'$0 == b { on = 1; next } $0 == e { on = 0; next } on' "$c" >"$tap"
		rc=$(sed -n "s/^xalloc-check: userspace $prog exit \([0-9]*\)\$/\1/p" "$c")
		tap_result "$ver" "userspace $prog" "$tap" "$rc"
		read -r r0 r1 < <(sed -n "s/^xalloc-check: userspace $prog reports //p" "$c") || true
		check "[ '${r0:-x}' = '${r1:-y}' ]" "$ver" \
			"userspace $prog: no xalloc report (debugfs reports ${r0:-?} -> ${r1:-?})"
	done
}

# guest_reports CONSOLE DIR KERNEL: xalloc's reports against the KUnit cases
# that expect them (DIR/reports.log, from scripts/console.awk): one test per
# suite of kunit/suites, that each of its case windows has the "xalloc: BUG"
# lines its case expected (a report outside every window is a splat); one
# per unload message a case announced; and one that xalloc's own count
# (debugfs reports, read before rmmod) is what the cases expected, the
# user-space programs expecting none.
guest_reports() {
	local c=$1 dir=$2 ver=$3 line suite total n
	report_windows "$c" >"$dir/reports.log"
	for line in "${suites[@]}"; do
		read -r _ suite _ <<<"$line"
		suite_reports "$ver" "kunit $suite" "$dir/reports.log" "$suite"
	done
	unload_announced "$ver" "rmmod xalloc" "$dir/reports.log"
	total=$(sed -n 's/^total //p' "$dir/reports.log")
	n=$(sed -n 's/^xalloc-check: report count \([0-9a-z]*\)$/\1/p' "$c")
	check "[ '${n:-none}' = '${total:-0}' ]" "$ver" \
		"xalloc report count before rmmod ${n:-?} = ${total:-0} that the KUnit cases expected"
}

check_kernel() {
	local ver=$1 dir=$top/$1 kdir src moddir rc n
	local smp=${XALLOC_SMP:-2} numa=${XALLOC_NUMA:-2}
	moddir=$repo/build/$ver/mod
	mkdir -p "$dir"
	rm -f "$dir"/*.log "$dir"/results.*

	log "$ver: kernel"
	if ! kdir=$(scripts/kernel.sh "$ver" kunit/debug.config); then
		result FAIL "$ver" "kernel build"
		return
	fi
	src=$(readlink -f "$kdir/source")
	[ $checkpatch_done = 1 ] || checkpatch "$src"
	[ $kerneldoc_done = 1 ] || kerneldoc_lint "$src"
	[ $dkms_done = 1 ] || { dkms_builds; compat_test; }

	log "$ver: modules (W=1, then sparse)"
	if ! scripts/modules.sh "$kdir" "$moddir" W=1 >"$dir/modules-w1.log" 2>&1; then
		tail -20 "$dir/modules-w1.log"
		result FAIL "$ver" "module build failed ($dir/modules-w1.log)"
		result FAIL "$ver" "guest not booted: ${#suites[@]} suites not run"
		result FAIL "$ver" "guest not booted: user-space tests not run"
		return
	fi
	n=$(grep -c -i 'warning:' "$dir/modules-w1.log" || true)
	check "[ $n -eq 0 ]" "$ver" "W=1 build: $n warnings"
	grep -i 'warning:' "$dir/modules-w1.log" | sed "s|$moddir/||" | head -10 || true
	rc=0
	make -C "$kdir" M="$moddir" C=2 CHECK=sparse modules >"$dir/sparse.log" 2>&1 || rc=$?
	n=$(grep -c -E '(warning|error):' "$dir/sparse.log" || true)
	check "[ $rc -eq 0 ] && [ $n -eq 0 ]" "$ver" "sparse (C=2): $n warnings (make status $rc)"
	grep -E '(warning|error):' "$dir/sparse.log" | sed "s|$moddir/||" | head -10 || true
	# No RT kernel here: an RT build must stop at mm/compat.h's #error.
	rc=0
	rsync -a --delete --exclude=/build/ --exclude=.git "$repo/" "$repo/$dir/rt/"
	make -C "$kdir" M="$repo/$dir/rt" KCFLAGS=-DCONFIG_PREEMPT_RT=1 mm/zone.o \
		>"$dir/rt.log" 2>&1 || rc=$?
	check "[ $rc -ne 0 ] && grep -q 'error: #error \"xalloc does not support PREEMPT_RT' '$dir/rt.log'" \
		"$ver" "a PREEMPT_RT build stops at the #error of mm/compat.h"

	log "$ver: guest (console: $dir/console.log)"
	if ! scripts/initramfs.sh check "$moddir" "$dir/initramfs.gz"; then
		result FAIL "$ver" "initramfs build"
		return
	fi
	rc=0
	scripts/guest.sh check "$kdir/arch/x86/boot/bzImage" "$dir/initramfs.gz" \
		"$dir/console.log" || rc=$?
	local c=$dir/console.log
	if [ $rc -eq 124 ]; then
		result FAIL "$ver" "guest timed out"
	elif ! grep -q '^xalloc-check: done' "$c"; then
		result FAIL "$ver" "guest did not finish (qemu status $rc)"
		tail -20 "$c"
	else
		result ok "$ver" "guest ran to the end"
	fi

	local nodes="$numa node" cpus="$smp CPU"
	[ "$numa" = 1 ] || nodes="${nodes}s"
	[ "$smp" = 1 ] || cpus="${cpus}s"
	check "grep -q 'smp: Brought up $nodes, $cpus' '$c'" "$ver" "guest has $cpus, $nodes"
	check "grep -q '^xalloc-check: insmod xalloc ok' '$c'" "$ver" "insmod xalloc"
	check "grep -q '^xalloc-check: cpu1 offline/online ok' '$c'" "$ver" "cpu1 offline and online"
	check "grep -q '^xalloc-check: rmmod xalloc ok' '$c'" "$ver" "rmmod xalloc"

	local before after
	before=$(sed -n 's/^xalloc-check: memfree before \([0-9]*\) kB/\1/p' "$c")
	after=$(sed -n 's/^xalloc-check: memfree after \([0-9]*\) kB/\1/p' "$c")
	check "within_chunk '$before' '$after'" "$ver" \
		"MemFree+kernel use after rmmod less than a chunk below (${before:-?} -> ${after:-?} kB)"
	chunks_back "$ver" "rmmod xalloc" "$c" 1

	no_splat "$ver" guest "$c" "$dir/splats.log"
	guest_reports "$c" "$dir" "$ver"

	userspace "$c" "$dir" "$ver"

	# KUnit: one test per case, a missing or crashed suite is one failure.
	[ ${#suites[@]} -gt 0 ] || return 0
	ktap "$c" >"$dir/results.tap"
	python3 "$src/tools/testing/kunit/kunit.py" parse "$repo/$dir/results.tap" \
		--json="$repo/$dir/results.json" >"$dir/kunit.log" 2>&1 || true
	if [ ! -s "$dir/results.json" ]; then
		result FAIL "$ver" "kunit.py parse failed ($dir/kunit.log)"
		return
	fi
	local name p f s line want
	for line in "${suites[@]}"; do
		read -r _ suite want <<<"$line"
		if ! read -r name p f s < <(python3 scripts/kunit_count.py "$dir/results.json" |
			awk -v s="$suite" '$1 == s'); then
			result FAIL "$ver" "kunit $suite: missing"
			continue
		fi
		tally "$ver" "kunit $name" "$p" "$f" "$s"
		check "[ $((p + f + s)) -eq '${want:-0}' ]" "$ver" \
			"kunit $name: $((p + f + s)) cases ran, kunit/suites expects ${want:-?}"
	done
	grep -E '^ *not ok ' "$dir/results.tap" | sed 's/^/	/' || true
}

[ $# -gt 0 ] || { echo "usage: $0 VERSION..." >&2; exit 1; }
[ ${#suites[@]} -gt 0 ] || log "warning: kunit/suites lists no suites"
declare -A took
for ver in "$@"; do
	start=$SECONDS
	check_kernel "$ver"
	took[$ver]=$((SECONDS - start))
done

# The reliability runs, the bug finders' guest and the replay's smoke run of
# each kernel (scripts/reliability.sh, scripts/finders.sh,
# scripts/replay_smoke.sh): the last line of each is "<run>: P passed, F failed".
for run in reliability finders replay_smoke; do
	for ver in "$@"; do
		scripts/$run.sh "$ver" | tee "$top/$run-$ver.log" || true
		read -r p f < <(sed -n "s/^$run: \([0-9]*\) passed, \([0-9]*\) failed\$/\1 \2/p" \
			"$top/$run-$ver.log") || { p=0; f=1; }
		npass=$((npass + p)) nfail=$((nfail + f))
	done
done

echo
echo "== summary (details in $top/) =="
grep -E '^[a-zA-Z]+ +all ' "$summary" | sed 's/^/  /' || true
for ver in "$@"; do
	echo "-- $ver (${took[$ver]} s)"
	grep -F -e "$(printf ' %-5s ' "$ver")" "$summary" | sed 's/^/  /' || true
done
echo "$npass passed, $nfail failed"
[ "$nfail" -eq 0 ]
