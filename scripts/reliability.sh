#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Reliability runs of xalloc on one kernel version, in QEMU guests:
#
#   load failures  insmod with fail_init=zone|debugfs|caches|misc must fail
#                  and give all memory back; with fail_chunk=20 node 1
#                  keeps the 3 chunks it got and the load works
#   load cycles    50 x (insmod, a /dev/xalloc workload, rmmod), then MemFree
#                  (less than a chunk below the start), kmemleak, and no
#                  xalloc report (debugfs reports) in any cycle
#                                                (same guest as load failures)
#   pressure       512 MiB guest, zone_mb=192 on 2 nodes (if that is ENOMEM:
#                  128, then 96), then allocate until ENOMEM: the guest must
#                  stay alive and every failure be a clean one
#   elastic        zone_mb=0 zone_max_mb=256: the zone grows for 128 MiB of
#                  pages, "echo 2 > drop_caches" leaves exactly what is in
#                  use (no free or per-CPU page, only slab pages), and
#                  xalloc_hog, touching anonymous memory up to MemTotal
#                  until the OOM killer ends it, makes the shrinker give the
#                  regrown zone's free pages back, all of them; the guest
#                  survives and the zone grows again; the numbers are printed
#   smp4/numa4     -smp 4 numa=fake=4 (2 GiB) with the slub and stress suites
#   debian         Debian's packaged linux-image for VER (6.1 only; make deps
#                  puts it in the cache), xalloc.ko built against Debian's
#                  headers, xalloc_test (XALLOC_TEST_SLOW=1: it is fast there)
#   survival       one line: stress seconds, objects, hotplug cycles, injected
#                  failures (from make check's build/check/VER/console.log, or
#                  the smp4 run), load cycles, fuzzed ioctls
#
# usage: scripts/reliability.sh VER
#   XALLOC_RELIABILITY_RUNS="load pressure elastic smp4 debian"  the runs to do
#
# Every guest's console must have no splat (lib.sh's splats: unload messages
# and xalloc reports too, but those of the smp4 suites' KUnit cases that
# expect them) and say that each unload gave back every chunk it carved.
# xalloc loads with quarantine_kb=0 on the debug kernels (KASAN): freed
# objects are reused at once, as the suites and the MemFree readings expect.
#
# Uses scripts/kernel.sh VER kunit/debug.config and the modules in
# build/VER/mod that make check builds (scripts/modules.sh if missing).
# Consoles and initramfs images go to build/reliability/VER/.
# Result lines are those of scripts/check.sh ("ok   VER   what" or
# "FAIL VER   what"), also appended to build/check/summary.txt; the last line
# is "reliability: P passed, F failed" for check.sh's tally. Exits non-zero
# if F > 0.
set -euo pipefail

[ $# -eq 1 ] || { echo "usage: $0 VER" >&2; exit 1; }
ver=$1
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
. scripts/lib.sh
work=build/reliability/$ver
mkdir -p "$work" build/check
summary=build/check/summary.txt
cache=${XALLOC_CACHE:-$HOME/.cache/xalloc}
cycles=50
runs=${XALLOC_RELIABILITY_RUNS:-load pressure elastic smp4 debian}
npass=0
nfail=0

log() { echo "reliability: $*"; }


# mark CONSOLE NAME: the value of the guest's "xalloc-rel: NAME VALUE" line.
mark() {
	sed -n "s/^xalloc-rel: $2 \([^ ]*\).*/\1/p" "$1" | tail -1
}

# initramfs OUT INIT-BODY MODULE...: busybox, tools/build/*, the modules in
# /lib/xalloc, and an /init of the common start plus INIT-BODY.
initramfs() {
	local out=$1 body=$2 root m
	shift 2
	root=$(mktemp -d)
	busybox_root "$root"
	for m in "$@"; do
		cp "$m" "$root/lib/xalloc/"
	done
	init_start xalloc-rel >"$root/init"
	printf '%s\n' "$body" 'mark "done"' 'reboot -f' >>"$root/init"
	chmod +x "$root/init"
	(cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) >"$out"
	rm -rf "$root"
}

# boot TAG KERNEL INITRD TIMEOUT [VAR=VALUE...]: scripts/guest.sh, one test
# that it ran to the end; sets rc.
boot() {
	local tag=$1 kernel=$2 initrd=$3 tmo=$4 start=$SECONDS
	shift 4
	log "$tag: guest (console: $work/$tag.log)"
	rc=0
	env XALLOC_TIMEOUT="$tmo" "$@" scripts/guest.sh check "$kernel" "$initrd" \
		"$work/$tag.log" || rc=$?
	if grep -q '^xalloc-rel: done' "$work/$tag.log"; then
		result ok "$ver" "$tag: guest ran to the end ($((SECONDS - start)) s)"
	else
		result FAIL "$ver" "$tag: guest did not finish (qemu status $rc, $((SECONDS - start)) s)"
		tail -15 "$work/$tag.log" | sed 's/^/	/'
	fi
}

log "$ver: kernel"
kdir=$(scripts/kernel.sh "$ver" kunit/debug.config)
bz=$kdir/arch/x86/boot/bzImage
moddir=$repo/build/$ver/mod
if [ ! -f "$moddir/xalloc.ko" ]; then
	log "$ver: modules (log: $work/modules.log)"
	scripts/modules.sh "$kdir" "$moddir" >"$work/modules.log" 2>&1 ||
		{ tail -20 "$work/modules.log"; exit 1; }
fi
ko=$moddir/xalloc.ko
# The guests run xallocctl and xalloc_hog from tools/build/ (make tools).
for tool in xallocctl xalloc_hog; do
	if [ ! -x "tools/build/$tool" ]; then
		log "tools/build/$tool is missing: run make tools first (make check does)"
		exit 1
	fi
done

# 1 and 2: load failures, then load cycles with a workload, in one guest.
run_load() {
	cat >"$work/workload.xa" <<'EOF'
# SPDX-License-Identifier: GPL-2.0
cache-create rel 200
alloc --cache $1 --count 8 --zero
write $2 0 hello
read $2 0 5
alloc --size 5000 --count 2
write $10 4000 world
read $10 4000 5
pages 3 --zero
write $12 8000 --hex deadbeef
read $12 8000 4
free $2 $3 $4 $5 $6 $7 $8 $9 $10 $11 $12
cache-destroy $1
zone
EOF
	initramfs "$work/load.gz" "$(
		cat <<EOF
cycles=$cycles
EOF
		cat <<'EOF'
leaks_forget
mark "memfree-fail-before $(memfree)"
for arg in fail_init=zone fail_init=debugfs fail_init=caches fail_init=misc fail_chunk=20; do
	if insmod /lib/xalloc/xalloc.ko quarantine_kb=0 "$arg" 2>/tmp/insmod.err; then
		mark "load-$arg loaded"
		rmmod xalloc
	else
		mark "load-$arg failed"
		# insmod's message as one word, e.g. ...:_Cannot_allocate_memory
		mark "error-$arg $(tr ' ' _ </tmp/insmod.err)"
	fi
	[ ! -e /sys/kernel/debug/xalloc ] || mark "debugfs-after-$arg left"
done
# More than the largest node's memory: refused before anything is carved.
insmod /lib/xalloc/xalloc.ko zone_mb=1048576 2>/tmp/insmod.err && rmmod xalloc
mark "error-zone_mb $(tr ' ' _ </tmp/insmod.err)"

mark "memfree-fail-after $(memfree)"
cp /lib/xalloc/workload.xa /tmp/
mark "memfree-cycles-before $(memfree)"
i=0
# xalloc's report count, read after each insmod and before each rmmod: the
# cycles that changed it.
changed=0
while [ "$i" -lt "$cycles" ]; do
	insmod /lib/xalloc/xalloc.ko quarantine_kb=0 || { mark "cycle-$i insmod failed"; break; }
	r0=$(reports)
	if ! xallocctl run /tmp/workload.xa >/tmp/workload.log 2>&1; then
		mark "cycle-$i workload failed"
		cat /tmp/workload.log
		rmmod xalloc
		break
	fi
	r1=$(reports)
	if [ "$r0" != "$r1" ]; then
		mark "cycle-$i reports $r0 $r1"
		changed=$((changed + 1))
	fi
	rmmod xalloc || { mark "cycle-$i rmmod failed"; break; }
	i=$((i + 1))
done
[ "$i" -gt 0 ] && cat /tmp/workload.log
mark "cycles $i"
mark "cycles-reports $changed"
mark "memfree-cycles-after $(memfree)"
leaks_scan >/tmp/leaks && mark "kmemleak $(grep -c 'unreferenced object' /tmp/leaks)"
cat /tmp/leaks
EOF
	)" "$ko" "$work/workload.xa"
	boot load "$bz" "$work/load.gz" 480
	c=$work/load.log
	# Each failed load names its step in the kernel log and fails with
	# ENOMEM, and leaves no debugfs directory behind.
	local step err
	for arg in fail_init=zone fail_init=debugfs fail_init=caches fail_init=misc; do
		step=${arg#fail_init=}
		err=$(mark "$c" "error-$arg")
		check "[ '$(mark "$c" "load-$arg")' = failed ] &&
			grep -q 'xalloc: failing the load at step $step as asked\$' '$c' &&
			[ '${err##*:_}' = Cannot_allocate_memory ] &&
			[ -z '$(mark "$c" "debugfs-after-$arg")' ]" "$ver" \
			"insmod xalloc.ko $arg fails at step $step with ENOMEM (${err##*:_}), no debugfs left"
	done
	err=$(mark "$c" error-zone_mb)
	check "grep -q 'xalloc: zone_mb=1048576 must be 0 to [0-9]*, the largest node.s memory in MiB\$' '$c' &&
		[ '${err##*:_}' = Invalid_argument ]" "$ver" \
		"insmod xalloc.ko zone_mb=1048576 is refused with EINVAL (${err##*:_}) and says the bound"
	# The 20th chunk fails: node 1 keeps the 3 it got, and the load works.
	check "[ '$(mark "$c" load-fail_chunk=20)' = loaded ] &&
		grep -q 'xalloc: node 1: got 3 of 16 chunks of 4096 KiB\$' '$c' &&
		grep -q 'xalloc: returned 19 of 19 chunks' '$c' &&
		[ -z '$(mark "$c" debugfs-after-fail_chunk=20)' ]" "$ver" \
		"insmod xalloc.ko fail_chunk=20 loads with node 1's 3 of 16 chunks, and rmmod gives back 19 and its debugfs directory"
	a=$(mark "$c" memfree-fail-before)
	b=$(mark "$c" memfree-fail-after)
	check "within_chunk '$a' '$b'" "$ver" "MemFree+kernel use after the failed loads less than a chunk below (${a:-?} -> ${b:-?} kB)"
	ncycles=$(mark "$c" cycles)
	check "[ '${ncycles:-0}' -eq $cycles ]" "$ver" "load cycles with a /dev/xalloc workload: ${ncycles:-0} of $cycles"
	a=$(mark "$c" memfree-cycles-before)
	b=$(mark "$c" memfree-cycles-after)
	check "within_chunk '$a' '$b'" "$ver" "MemFree+kernel use after $cycles load cycles less than a chunk below (${a:-?} -> ${b:-?} kB)"
	n=$(mark "$c" cycles-reports)
	check "[ '${n:-x}' = 0 ]" "$ver" "no xalloc report in the load cycles (debugfs reports changed in ${n:-?} cycles)"
	# fail_init=zone fails before carving; the other four failed loads and
	# every cycle give the chunks back.
	chunks_back "$ver" "load failures and cycles" "$c" $((4 + ${ncycles:-0}))
	n=$(mark "$c" kmemleak)
	check "[ '${n:-x}' = 0 ]" "$ver" "kmemleak after $cycles load cycles: ${n:-?} unreferenced objects"
	no_splat "$ver" load "$c" "$work/load-splats.log"
}

# The guest's hold_one N (for the pressure and elastic runs' /init): holder N,
# a process that takes 16 blocks of 4 MiB (order 10) through /dev/xalloc and
# keeps them until /tmp/release exists, its output in /tmp/holdN.log.
# Returns once it holds them (0) or has exited (1; it met ENOMEM if its log
# says so), or after 60 s (0).
hold_fn=$(
	cat <<'EOF'
hold_one() {
	mark "holder $1"
	{
		j=0
		while [ "$j" -lt 16 ]; do
			echo "pages 10"
			j=$((j + 1))
		done
		echo version
		while [ ! -e /tmp/release ]; do sleep 0.2; done
	} | xallocctl run - >"/tmp/hold$1.log" 2>&1 &
	hold_pid=$!
	t=0
	while kill -0 "$hold_pid" 2>/dev/null && ! grep -q '^> version' "/tmp/hold$1.log"; do
		[ "$t" -lt 600 ] || return 0
		sleep 0.1
		t=$((t + 1))
	done
	kill -0 "$hold_pid" 2>/dev/null
}
EOF
)

# 3: memory pressure: zone_mb=192 on 2 nodes of a 512 MiB guest. If that load
# fails (cleanly, with ENOMEM), zone_mb=128, then 96, so that the zone can be
# exhausted: each open file holds at most 64 MiB (XALLOC_MAX_BYTES), so
# holders of 16 blocks of 4 MiB each, kept open, until one meets ENOMEM.
run_pressure() {
	initramfs "$work/pressure.gz" "$hold_fn
$(
		cat <<'EOF'
mark "memfree-before $(memfree)"
loaded=
for mb in 192 128 96; do
	if insmod /lib/xalloc/xalloc.ko quarantine_kb=0 zone_mb=$mb 2>/tmp/insmod.err; then
		mark "insmod-$mb ok"
		loaded=$mb
		break
	fi
	cat /tmp/insmod.err
	if grep -q 'Cannot allocate memory' /tmp/insmod.err; then
		mark "insmod-$mb ENOMEM"
	else
		mark "insmod-$mb failed"
		break
	fi
	mark "alive after insmod-$mb"
done
if [ -n "$loaded" ]; then
	cat /sys/kernel/debug/xalloc/buddyinfo
	n=1
	result=none
	while [ "$n" -le 12 ]; do
		if ! hold_one "$n"; then
			cat "/tmp/hold$n.log"
			if grep -q ENOMEM "/tmp/hold$n.log"; then result=ENOMEM; else result=other; fi
			break
		fi
		n=$((n + 1))
	done
	mark "pressure $result after $((n - 1)) holders of 64 MiB, zone_mb=$loaded"
	cat /sys/kernel/debug/xalloc/buddyinfo
	grep -E '^(MemFree|MemAvailable):' /proc/meminfo
	echo 1 >/tmp/alive && [ "$(cat /tmp/alive)" = 1 ] && mark "alive after ENOMEM"
	touch /tmp/release
	wait
	mark "report-count $(reports)"
	if rmmod xalloc; then mark "rmmod ok"; else mark "rmmod failed"; fi
fi
mark "memfree-after $(memfree)"
mark "alive at the end"
EOF
	)" "$ko"
	boot pressure "$bz" "$work/pressure.gz" 300 XALLOC_MEM=512M
	c=$work/pressure.log
	for mb in 192 128 96; do
		st=$(mark "$c" "insmod-$mb")
		[ -n "$st" ] || break
		case "$st" in
		ok) result ok "$ver" "pressure: insmod zone_mb=$mb in 512 MiB loads" ;;
		ENOMEM) result ok "$ver" "pressure: insmod zone_mb=$mb in 512 MiB fails cleanly with ENOMEM" ;;
		*) result FAIL "$ver" "pressure: insmod zone_mb=$mb in 512 MiB: $st, not ENOMEM" ;;
		esac
	done
	if grep -q '^xalloc-rel: insmod-[0-9]* ok' "$c"; then
		p=$(sed -n 's/^xalloc-rel: pressure \(.*\)/\1/p' "$c")
		check "[ '${p%% *}' = ENOMEM ]" "$ver" "pressure: allocating pages ends in ENOMEM (${p:-no result})"
		check "grep -q '^xalloc-rel: alive after ENOMEM' '$c'" "$ver" "pressure: guest alive and responsive after ENOMEM"
		check "[ '$(mark "$c" rmmod)' = ok ]" "$ver" "pressure: rmmod after ENOMEM"
		n=$(mark "$c" report-count)
		check "[ '${n:-x}' = 0 ]" "$ver" "pressure: no xalloc report (debugfs reports ${n:-?} before rmmod)"
	else
		result FAIL "$ver" "pressure: no zone_mb of 192, 128, 96 loaded: zone not exhausted"
	fi
	check "grep -q '^xalloc-rel: alive at the end' '$c'" "$ver" "pressure: guest alive at the end"
	a=$(mark "$c" memfree-before)
	b=$(mark "$c" memfree-after)
	check "within_chunk '$a' '$b'" "$ver" "pressure: MemFree+kernel use at the end less than a chunk below (${a:-?} -> ${b:-?} kB)"
	# One unload per insmod that failed with ENOMEM (after carving), and the rmmod.
	n=$(grep -c -e '^xalloc-rel: insmod-[0-9]* ENOMEM' -e '^xalloc-rel: rmmod ok' "$c" || true)
	chunks_back "$ver" pressure "$c" "$n"
	no_splat "$ver" pressure "$c" "$work/pressure-splats.log"
}

# 3b: the elastic zone under real memory pressure. An empty zone (zone_mb=0,
# cap 256 MiB per node; its worker carves one chunk per node at once, the
# low watermark) grows for two holders of 64 MiB of pages. After they exit,
# "echo 2 > /proc/sys/vm/drop_caches" runs every shrinker, and xalloc holds
# exactly what is in use: on every node no free page and none on a per-CPU
# list (the shrinker drains them, and gives back the low watermark's reserve
# too: the worker carves it again only when an allocation finds the zone
# below it, and never within a second of a give-back), its present pages
# are those carved less those given back, and they are the pages of its
# slabs (the holders' pages are free again; nothing else holds zone pages).
# Grown again by one holder (64 MiB), the zone is put under pressure in a
# 512 MiB guest by xalloc_hog, which touches anonymous memory up to MemTotal
# (no swap, no block device: the OOM killer ends it, and must kill nothing
# else; a larger guest only makes the hog take longer). Reclaim
# runs the shrinker, which gives back every free page: afterwards xalloc
# holds exactly what it held after drop_caches, and given_back grew by the
# pages that were free. The zone then grows again for one holder. Each
# state's zoneinfo is read once, per node.
# shellcheck disable=SC2016  # awk conditions, in single quotes on purpose
run_elastic() {
	initramfs "$work/elastic.gz" "$hold_fn
$(
		cat <<'EOF'
# snap NAME: one "xalloc-rel: zone NAME node N present P free F pcp C
# carved K given_back G slab S" line per node from one read of zoneinfo,
# where S is the pages of all caches' slabs (slabinfo, every node).
snap() {
	cat /sys/kernel/debug/xalloc/zoneinfo >/tmp/zi
	slab=$(awk '!/^(#|slabinfo)/ { s += $6 * $15 } END { print s + 0 }' /sys/kernel/debug/xalloc/slabinfo)
	awk -v s="$1" -v slab="$slab" '
		/^Node / { n = $2; sub(",", "", n); nodes[n] = 1 }
		$1 ~ /^(present|free|pcp|carved|given_back)$/ { v[n "," $1] = $2 }
		END {
			for (n in nodes)
				printf "xalloc-rel: zone %s node %s present %d free %d pcp %d carved %d given_back %d slab %d\n",
					s, n, v[n ",present"], v[n ",free"], v[n ",pcp"],
					v[n ",carved"], v[n ",given_back"], slab
		}' /tmp/zi
}
release() {
	touch /tmp/release
	wait
	rm -f /tmp/release
}
if insmod /lib/xalloc/xalloc.ko quarantine_kb=0 zone_mb=0 zone_max_mb=256; then
	mark "insmod ok"
	sleep 1
	snap empty
	held=0
	hold_one 1 && hold_one 2 && held=2
	mark "held-holders $held"
	snap held
	release
	snap released
	echo 2 >/proc/sys/vm/drop_caches
	snap dropped
	held=0
	hold_one 1 && held=1
	mark "regrown-holders $held"
	release
	snap regrown
	total=$(awk '$1 == "MemTotal:" { print int($2 / 1024) }' /proc/meminfo)
	mark "memtotal-mb $total"
	xalloc_hog "$total" 8 >/tmp/hog.log 2>&1
	mark "hog-exit $?"
	snap pressed
	mark "hog-got $(sed -n 's/^hog: \([0-9]*\) MiB touched/\1/p' /tmp/hog.log | tail -1)"
	tail -2 /tmp/hog.log
	grep -E '^(MemFree|MemAvailable|AnonPages):' /proc/meminfo
	echo 1 >/tmp/alive && [ "$(cat /tmp/alive)" = 1 ] && mark "alive after pressure"
	held=0
	hold_one 1 && held=1
	mark "again-holders $held"
	snap again
	release
	mark "report-count $(reports)"
	if rmmod xalloc; then mark "rmmod ok"; else mark "rmmod failed"; fi
else
	mark "insmod failed"
fi
EOF
	)" "$ko"
	boot elastic "$bz" "$work/elastic.gz" 240 XALLOC_MEM=512M
	c=$work/elastic.log
	check "[ '$(mark "$c" insmod)' = ok ]" "$ver" "elastic: insmod zone_mb=0 zone_max_mb=256"
	# Every state: each node's present pages are those carved less those
	# given back.
	local bad
	bad=$(elastic_nodes "$c" '$6 != $12 * 1024 - $14')
	check "[ -n '$(elastic_nodes "$c" 1)' ] && [ -z '$bad' ]" "$ver" \
		"elastic: in every state each node's present pages = 1024 x chunks carved - pages given back${bad:+ (not: $bad)}"
	bad=$(elastic_nodes "$c" '$2 == "empty" && $6 > 1024')
	check "[ -n '$(elastic_nodes "$c" '$2 == "empty"')' ] && [ -z '$bad' ]" "$ver" \
		"elastic: zone_mb=0 loads an empty zone, which carves at most its low watermark of one chunk per node ($(elastic_sum "$c" empty))"
	check "[ '$(mark "$c" held-holders)' = 2 ] && [ '$(elastic_total "$c" held present)' -ge 32768 ]" "$ver" \
		"elastic: the zone grows for 2 holders of 64 MiB of pages ($(elastic_sum "$c" held))"
	# drop_caches: nothing free, nothing on a per-CPU list, only slabs.
	bad=$(elastic_nodes "$c" '$2 == "dropped" && ($8 || $10)')
	check "[ -n '$(elastic_nodes "$c" '$2 == "dropped"')' ] && [ -z '$bad' ] &&
		[ '$(elastic_total "$c" dropped present)' = '$(elastic_total "$c" dropped slab)' ]" "$ver" \
		"elastic: drop_caches leaves on every node 0 free and 0 per-CPU pages, and present = slab pages ($(elastic_sum "$c" released) -> $(elastic_sum "$c" dropped))"
	check "[ '$(mark "$c" regrown-holders)' = 1 ] &&
		[ '$(elastic_total "$c" regrown present)' -ge 16384 ]" "$ver" \
		"elastic: the zone grows again for a holder of 64 MiB ($(elastic_sum "$c" regrown))"
	# Pressure: the OOM killer ends the hog, nothing else.
	local got killed others back free
	got=$(mark "$c" hog-got)
	killed=$(grep -c 'Killed process [0-9]* (xalloc_hog)' "$c" || true)
	others=$(grep 'Killed process [0-9]* (' "$c" | grep -vc '(xalloc_hog)' || true)
	check "[ '${killed:-0}' -le 1 ] && [ '${others:-x}' = 0 ] &&
		{ [ '$killed' = 1 ] || [ '$(mark "$c" hog-exit)' = 0 ]; }" "$ver" \
		"elastic: xalloc_hog touches ${got:-?} of $(mark "$c" memtotal-mb) MiB (MemTotal) before the OOM killer ends it (killed: ${killed:-0} hog, ${others:-?} other processes)"
	check "grep -q '^xalloc-rel: alive after pressure' '$c'" "$ver" "elastic: guest alive after the pressure"
	back=$(($(elastic_total "$c" pressed given_back) - $(elastic_total "$c" regrown given_back)))
	free=$(($(elastic_total "$c" regrown free) + $(elastic_total "$c" regrown pcp)))
	bad=$(elastic_nodes "$c" '$2 == "pressed" && ($8 || $10)')
	check "[ -n '$(elastic_nodes "$c" '$2 == "pressed"')' ] && [ -z '$bad' ] && [ '$back' -gt 0 ] &&
		[ '$back' = '$free' ] &&
		[ '$(elastic_total "$c" pressed present)' = '$(elastic_total "$c" dropped present)' ]" "$ver" \
		"elastic: under pressure the zone gives back all $free free pages ($back given back: $(elastic_sum "$c" regrown) -> $(elastic_sum "$c" pressed)), and holds what it held after drop_caches"
	check "[ '$(mark "$c" again-holders)' = 1 ] && [ '$(elastic_total "$c" again present)' -ge 16384 ]" "$ver" \
		"elastic: after the pressure the zone grows again for a holder ($(elastic_sum "$c" again))"
	n=$(mark "$c" report-count)
	check "[ '${n:-x}' = 0 ]" "$ver" "elastic: no xalloc report (debugfs reports ${n:-?} before rmmod)"
	check "[ '$(mark "$c" rmmod)' = ok ]" "$ver" "elastic: rmmod"
	chunks_back "$ver" elastic "$c" 1
	no_splat "$ver" elastic "$c" "$work/elastic-splats.log" oom
}

# The elastic run's per-node lines, "xalloc-rel: zone STATE node N present P
# free F pcp C carved K given_back G slab S": as awk fields (without the
# "xalloc-rel: "), $2 STATE, $4 N, $6 present, $8 free, $10 pcp, $12 chunks
# carved, $14 pages given back, $16 slab pages (of all nodes).
# elastic_nodes CONSOLE COND: "STATE/node N" of each line where COND holds.
elastic_nodes() {
	sed -n 's/^xalloc-rel: zone /zone /p' "$1" |
		awk '$1 == "zone" && ('"$2"') { printf "%s/node %s ", $2, $4 }'
}

# elastic_total CONSOLE STATE FIELD: FIELD (present, free, pcp, carved,
# given_back) of STATE summed over the nodes; slab is of all nodes already.
elastic_total() {
	sed -n "s/^xalloc-rel: zone $2 node //p" "$1" |
		awk -v k="$3" '{ for (i = 2; i < NF; i += 2) if ($i == k) v = $(i + 1)
			s += v } k == "slab" { s = v } END { print s + 0 }'
}

# elastic_sum CONSOLE STATE: STATE's counters summed over the nodes, one line.
elastic_sum() {
	local k out=
	for k in present free pcp carved given_back slab; do
		out+="${out:+ }$k $(elastic_total "$1" "$2" "$k")"
	done
	echo "$2: $out"
}

# 4: 4 CPUs on 4 fake nodes, the slub and stress suites.
run_smp4() {
	initramfs "$work/smp4.gz" "$(
		cat <<'EOF'
if insmod /lib/xalloc/xalloc.ko quarantine_kb=0; then mark "insmod ok"; else mark "insmod failed"; fi
for suite in xalloc_slub xalloc_stress; do
	mark "suite $suite begin"
	insmod "/lib/xalloc/${suite}_kunit.ko" || mark "insmod-${suite}_kunit failed"
	mark "suite $suite end"
	rmmod "${suite}_kunit"
done
mark "report-count $(reports)"
if rmmod xalloc; then mark "rmmod ok"; else mark "rmmod failed"; fi
EOF
	)" "$ko" "$moddir/kunit/xalloc_slub_kunit.ko" "$moddir/kunit/xalloc_stress_kunit.ko"
	# 1 GiB in 4 nodes leaves node 0 less than the default zone's 64 MiB in
	# whole 4 MiB chunks (12 of 16 with KASAN's shadow): 2 GiB. Four vCPUs on
	# two host cores took 213-289 s (make check, 2026-12-04); the timeout
	# leaves room for a host half as fast.
	boot smp4 "$bz" "$work/smp4.gz" 720 XALLOC_SMP=4 XALLOC_NUMA=4 XALLOC_MEM=2G
	c=$work/smp4.log
	check "grep -q 'smp: Brought up 4 nodes, 4 CPUs' '$c'" "$ver" "smp4: guest has 4 CPUs, 4 nodes"
	check "[ '$(mark "$c" insmod)' = ok ] && [ '$(mark "$c" rmmod)' = ok ]" "$ver" "smp4: insmod and rmmod xalloc"
	report_windows "$c" >"$work/smp4-reports.log"
	for suite in xalloc_slub xalloc_stress; do
		k=$(sed 's/^\[ *[0-9.]*\] //' "$c" | grep -E "^(not )?ok [0-9]+ $suite\$" | tail -1 || true)
		check "[ '${k%% *}' = ok ]" "$ver" "smp4: kunit $suite: ${k:-no KTAP result}"
		suite_reports "$ver" "smp4: kunit $suite" "$work/smp4-reports.log" "$suite"
	done
	n=$(mark "$c" report-count)
	e=$(sed -n 's/^total //p' "$work/smp4-reports.log")
	check "[ '${n:-x}' = '${e:-0}' ]" "$ver" "smp4: xalloc report count before rmmod ${n:-?} = ${e:-0} that the KUnit cases expected"
	chunks_back "$ver" smp4 "$c" 1
	no_splat "$ver" smp4 "$c" "$work/smp4-splats.log"
}

# 5: Debian's own kernel, with xalloc.ko built against its headers.
run_debian() {
	if [ "$ver" = 6.1 ]; then
		kabi=$(debian_kabi)
		vmlinuz=$cache/debian/linux-image-$kabi/boot/vmlinuz-$kabi
		hdr=/usr/src/linux-headers-$kabi
		if [ -z "$kabi" ] || [ ! -f "$vmlinuz" ] || [ ! -d "$hdr" ]; then
			result FAIL "$ver" "debian: no linux-headers-amd64 or no $vmlinuz (make deps)"
		elif ! scripts/modules.sh "$hdr" "$repo/$work/debian-mod" CONFIG_KUNIT= \
			>"$work/debian-mod.log" 2>&1; then
			tail -10 "$work/debian-mod.log"
			result FAIL "$ver" "debian: xalloc.ko build against $hdr ($work/debian-mod.log)"
		else
			result ok "$ver" "debian: xalloc.ko build against $hdr"
			initramfs "$work/debian.gz" "$(
				cat <<'EOF'
if insmod /lib/xalloc/xalloc.ko; then mark "insmod ok"; else mark "insmod failed"; fi
r0=$(reports)
XALLOC_TEST_SLOW=1 xalloc_test >/tmp/xalloc_test.tap 2>&1
rc=$?
mark "xalloc_test-reports $r0 $(reports)"
mark "xalloc_test begin"
cat /tmp/xalloc_test.tap
mark "xalloc_test end"
mark "xalloc_test-exit $rc"
for f in slabinfo buddyinfo; do
	echo "### /sys/kernel/debug/xalloc/$f"
	cat "/sys/kernel/debug/xalloc/$f" && mark "cat-$f ok"
done
if rmmod xalloc; then mark "rmmod ok"; else mark "rmmod failed"; fi
EOF
			)" "$work/debian-mod/xalloc.ko"
			# guest.sh's command line has "console=ttyS0 numa=fake=2 panic=-1".
			boot debian "$vmlinuz" "$work/debian.gz" 300 XALLOC_SMP=2 XALLOC_NUMA=2
			c=$work/debian.log
			check "grep -q 'Linux version $kabi ' '$c'" "$ver" "debian: booted $kabi"
			check "[ '$(mark "$c" insmod)' = ok ]" "$ver" "debian $kabi: insmod xalloc (unsigned, tainted)"
			sed -n '/^xalloc-rel: xalloc_test begin/,/^xalloc-rel: xalloc_test end/p' "$c" >"$work/debian-xalloc_test.tap"
			tap_result "$ver" "debian $kabi: xalloc_test" "$work/debian-xalloc_test.tap" \
				"$(mark "$c" xalloc_test-exit)"
			check "[ '$(mark "$c" cat-slabinfo)' = ok ] && [ '$(mark "$c" cat-buddyinfo)' = ok ]" "$ver" "debian $kabi: debugfs slabinfo and buddyinfo"
			read -r r0 r1 < <(sed -n 's/^xalloc-rel: xalloc_test-reports //p' "$c") || true
			check "[ '${r0:-x}' = '${r1:-y}' ]" "$ver" \
				"debian $kabi: xalloc_test makes no xalloc report (debugfs reports ${r0:-?} -> ${r1:-?})"
			check "[ '$(mark "$c" rmmod)' = ok ]" "$ver" "debian $kabi: rmmod xalloc"
			chunks_back "$ver" "debian $kabi" "$c" 1
			no_splat "$ver" debian "$c" "$work/debian-splats.log"
		fi
	fi
}

for run in $runs; do
	case "$run" in
	load | pressure | elastic | smp4 | debian) "run_$run" ;;
	*) echo "reliability: unknown run '$run'" >&2; exit 1 ;;
	esac
done

# 6: survival line.
stress=$(grep -h -o 'xalloc_stress: survived .*' "build/check/$ver/console.log" 2>/dev/null | tail -1 || true)
[ -n "$stress" ] || stress=$(grep -h -o 'xalloc_stress: survived .*' "$work/smp4.log" | tail -1 || true)
secs=$(sed -n 's/.*survived \([0-9]*\) s.*/\1/p' <<<"$stress")
objs=$(sed -n 's/.* \([0-9]*\) objects verified.*/\1/p' <<<"$stress")
hot=$(sed -n 's/.* \([0-9]*\) hotplug cycles.*/\1/p' <<<"$stress")
inj=$(sed -n 's/.* \([0-9]*\) injected failures.*/\1/p' <<<"$stress")
fuzz=$(sed -n 's/^# \([0-9]*\) ioctls in .*/\1/p' "build/check/$ver/console.log" 2>/dev/null | tail -1 || true)
if [ -z "$fuzz" ]; then
	fuzz=$(sed -n 's/^xalloc-check: userspace xalloc_fuzz exit \([0-9]*\)/\1/p' \
		"build/check/$ver/console.log" 2>/dev/null | tail -1 || true)
	fuzz=${fuzz:+"no count of fuzzed ioctls (fuzzer exit $fuzz)"}
else
	fuzz="$fuzz fuzzed ioctls"
fi
line="survived $ver: stress ${secs:-?} s, ${objs:-?} objects verified, ${hot:-?} hotplug cycles, ${inj:-?} injected failures, ${ncycles:-0} load cycles, ${fuzz:-no fuzz run}"
echo "$line" | tee -a "$summary"

echo "reliability: $npass passed, $nfail failed"
[ "$nfail" -eq 0 ]
