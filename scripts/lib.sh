# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash disable=SC2154
# Helpers of the test and guest scripts (check.sh, reliability.sh,
# initramfs.sh, bench.sh); sourced, not run.
#
# result, check and tap_result count into the caller's npass and nfail and
# append their line to the file named by $summary.

xalloc_repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

# debian_kabi: the ABI name (6.1.0-57-amd64) of Debian's stock 6.1 kernel, the
# one linux-headers-amd64 depends on; make deps unpacks its image into
# $XALLOC_CACHE/debian. Empty without linux-headers-amd64.
debian_kabi() {
	local kabi
	kabi=$(dpkg-query -W -f='${Depends}' linux-headers-amd64 2>/dev/null |
		grep -o 'linux-headers-6\.1\.[^ ,]*-amd64' || true)
	echo "${kabi#linux-headers-}"
}

# result ok|FAIL KERNEL WHAT: one test.
result() {
	if [ "$1" = ok ]; then
		npass=$((npass + 1))
	else
		nfail=$((nfail + 1))
	fi
	printf '%-4s %-5s %s\n' "$1" "$2" "$3" | tee -a "$summary"
}

# check COND KERNEL WHAT: one test from a shell condition's status.
check() {
	local what=$3
	if eval "$1"; then result ok "$2" "$what"; else result FAIL "$2" "$what"; fi
}

# splats CONSOLE: the kernel splats in a console log, one per line
# (scripts/console.awk): Oops, BUG, WARNING, lockdep, KASAN, kmemleak, RCU
# stalls and lockups, lockdep turned off by a taint, xalloc's unload messages
# (pages, caches or objects left), and every "xalloc: BUG" report that is not
# in the window of the KUnit case that expects it, with its Call Trace. An
# expected report's dump_stack is not a splat, nor an unload message that a
# case announced. splats CONSOLE oom: the OOM killer's dump_stack is not a
# splat either (a run that provokes it checks what was killed).
splats() {
	awk -v mode=splats -v oom="$([ "${2:-}" = oom ] && echo 1 || echo 0)" \
		-f "$xalloc_repo/scripts/console.awk" "$1" "$1"
}

# report_windows CONSOLE: the KUnit case windows of a console and their
# xalloc reports, one line each ("ok|bad SUITE CASE REPORTS EXPECTED [why]",
# tab-separated), then "outside", "unload" and "total" lines
# (scripts/console.awk).
report_windows() {
	awk -v mode=windows -f "$xalloc_repo/scripts/console.awk" "$1"
}

# suite_reports KERNEL WHAT WINDOWS SUITE: one test, that each case window of
# SUITE in WINDOWS (report_windows' output) holds exactly as many
# "xalloc: BUG" lines as its case expected; the wrong ones are listed.
suite_reports() {
	local n bad r
	read -r n r < <(awk -F '\t' -v s="$4" '($1 == "ok" || $1 == "bad") && $2 == s {
		n++; r += $4 } END { print n + 0, r + 0 }' "$3")
	bad=$(awk -F '\t' -v s="$4" '$1 == "bad" && $2 == s { print "\t" $3 ": " $6 }' "$3")
	if [ "$n" -eq 0 ]; then
		result FAIL "$1" "$2: no case windows in the console (suite missing or crashed)"
	elif [ -n "$bad" ]; then
		result FAIL "$1" "$2: xalloc reports wrong in $(grep -c . <<<"$bad") of $n case windows"
		head -20 <<<"$bad"
	else
		result ok "$1" "$2: xalloc reports as expected in each of $n case windows ($r in all)"
	fi
}

# unload_announced KERNEL WHAT WINDOWS: one test per unload message that a
# KUnit case announced (a cache it leaks on purpose): the message came, as
# announced. Nothing if no case announced one.
unload_announced() {
	local st text
	while read -r st text; do
		if [ "$st" = ok ]; then
			result ok "$1" "$2: $text"
		else
			result FAIL "$1" "$2: $text"
		fi
	done < <(sed -n 's/^unload //p' "$3")
}

# tally KERNEL WHAT P F S [NOTE]: P passed and F failed tests (S skipped) as
# one line.
tally() {
	local st=ok
	npass=$((npass + $3))
	nfail=$((nfail + $4))
	[ "$4" -eq 0 ] || st=FAIL
	printf '%-4s %-5s %s\n' "$st" "$1" "$2: $3 passed, $4 failed, $5 skipped${6:+ ($6)}" |
		tee -a "$summary"
}

# no_splat KERNEL WHAT CONSOLE OUT [oom]: one test, that the console has no
# kernel splat (with oom: but the OOM killer's reports); the splats found go
# to OUT.
no_splat() {
	splats "$3" "${5:-}" >"$4"
	if [ -s "$4" ]; then
		result FAIL "$1" "$2: kernel splats in console: $(wc -l <"$4") lines ($4)"
		head -20 "$4" | sed 's/^/\t/'
	else
		result ok "$1" "$2: no kernel splat (Oops, BUG, WARNING, lockdep, KASAN, kmemleak, stall, unload leak, stray xalloc report)"
	fi
}

# tap_result KERNEL WHAT TAP EXIT: the cases of a user-space program's TAP,
# one test each. Cases its plan promised but that never came, a TAP without
# any result, or a non-zero EXIT without a failed case, count one failure.
tap_result() {
	local ver=$1 what=$2 tap=$3 rc=$4 p f s
	read -r p f s < <(awk '
		/^1\.\.[0-9]+$/ && !plan { plan = substr($0, 4) + 0 }
		/^ok [0-9]+ .*# SKIP/ { s++; next }
		/^ok [0-9]+ / { p++; next }
		/^not ok [0-9]+ / { f++ }
		END {
			m = plan - p - f - s
			if (!plan && !p && !f && !s) m = 1
			print p + 0, f + (m > 0 ? m : 0), s + 0
		}' "$tap")
	if [ "$rc" != 0 ] && [ "$f" -eq 0 ]; then
		f=1	# crashed after its last result, or failed outside TAP
	fi
	tally "$ver" "$what" "$p" "$f" "$s" "exit ${rc:-none}, $tap"
	grep -E '^not ok ' "$tap" | sed 's/^/\t/' || true
}

# within_chunk A B: B (kB, the guest's memfree()) less than one zone chunk
# (4 MiB, XALLOC_CHUNK_ORDER in mm/zone.h) below A, the leak checks' test: a
# chunk xalloc kept would show. memfree() adds to MemFree the free pages on
# the kernel's per-CPU lists (where the pages of the chunks xalloc gives back
# land first), what the kernel counts as its own slab, vmalloc, per-CPU, stack
# and page-table use, and the stack depot (KASAN's and the debug caches' stack
# records, kept for good) where the kernel tells it (6.9 on): all grow for
# reasons of their own while the suites run. Seen on 6.1: MemFree alone fell
# 4156 kB (and 4420 kB in a CI run) with every chunk given back; slab +292 kB,
# per-CPU chunks +624 kB, per-CPU lists +780 kB, and the sum fell 2092 kB:
# presumably the stack depot, which 6.1 does not tell (on 6.12 it grew 1904 kB
# in a run, and the sum fell 704 kB). Pages xalloc took with alloc_pages() and
# kept are in none of those counters; a kmalloc(), vmalloc() or per-CPU leak
# is kmemleak's to find, and scripts/reliability.sh reads the sum around 50
# load cycles, where growth of that kind is done. The sum may also end up
# higher than it started: KASAN's quarantine and RCU hand back memory freed
# before the first reading (seen: +1.03% on 6.12). Memory that rises was not
# lost.
xalloc_chunk_kb=4096
within_chunk() {
	[ -n "$1" ] && [ -n "$2" ] && [ $(($1 - $2)) -lt $xalloc_chunk_kb ]
}

# chunks_back KERNEL WHAT CONSOLE N: one test, from xalloc's own counters,
# that every chunk carved was given back: at least N "xalloc: returned X of Y
# chunks" lines (one per unload, and per load that failed while or after
# carving: two, as busybox's insmod retries a failed finit_module() with
# init_module()), and X = Y in each.
chunks_back() {
	local n bad x y
	read -r n bad x y < <(sed 's/^\[ *[0-9.]*\] //' "$3" | awk '
		/^xalloc: returned [0-9]+ of [0-9]+ chunks$/ {
			n++; x += $3; y += $5; if ($3 != $5) bad++ }
		END { print n + 0, bad + 0, x + 0, y + 0 }')
	check "[ $n -ge $4 ] && [ $bad -eq 0 ]" "$1" \
		"$2: gave back every chunk: $x of $y in $n unloads ($4 or more expected)"
}

# init_start TAG: the common start of a guest's /init, on stdout: the file
# systems, PATH, mark() printing "TAG: ..." lines for the host to find,
# memfree() (kB, read once deferred frees settled, the page cache is gone and
# every slab cache is shrunk: MemFree plus the free pages on the per-CPU
# lists and the memory the kernel counts as its own use, see within_chunk),
# meminfo() (those counters on one line, for the log),
# reports() (xalloc's report count from debugfs, "none" without xalloc),
# and, where the kernel has kmemleak, leaks_forget (what boot left) and
# leaks_scan (scan twice, as kmemleak wants, print the report; 1 without).
init_start() {
	cat <<'EOF'
#!/bin/sh
mount -t devtmpfs none /dev
mount -t proc none /proc
mount -t sysfs none /sys
mount -t debugfs none /sys/kernel/debug
mount -t tmpfs none /tmp
export PATH=/bin
# The counters memfree() adds, one "Name: kB" line each: free pages on the
# per-CPU lists are not in MemFree (x86's 4 kB pages), and the stack depot,
# which KASAN fills and never empties, is only told from 6.9 (16 kB pools).
kmem_lines() {
	local depot=/sys/kernel/debug/stackdepot/stats
	[ -e $depot ] || depot=
	awk 'FILENAME ~ /zoneinfo/ { if ($1 == "count:") p += $2; next }
	     FILENAME ~ /stackdepot/ { if ($1 == "pools:") d = $2; next }
	     /^(MemFree|Slab|VmallocUsed|Percpu|KernelStack|PageTables|SecPageTables):/ {
		print $1, $2 }
	     END { print "PerCPULists:", 4 * p; if (d != "") print "StackDepot:", 16 * d }' \
		/proc/meminfo /proc/zoneinfo $depot
}
memfree() {
	sync
	echo 3 >/proc/sys/vm/drop_caches
	sleep 2
	# Shrinking a kernel slab cache also takes its objects out of KASAN's
	# quarantine (kasan_cache_shrink()) and frees its empty slabs.
	for f in /sys/kernel/slab/*/shrink; do
		echo 1 >"$f"
	done 2>/dev/null
	kmem_lines | awk '{ n += $2 } END { print n }'
}
meminfo() {
	echo $(kmem_lines)
}
reports() {
	cat /sys/kernel/debug/xalloc/reports 2>/dev/null || echo none
}
leaks=/sys/kernel/debug/kmemleak
leaks_forget() {
	[ -e $leaks ] || return 0
	echo scan >$leaks
	echo clear >$leaks
}
leaks_scan() {
	[ -e $leaks ] || return 1
	echo scan >$leaks
	echo scan >$leaks
	cat $leaks
}
EOF
	printf 'mark() { echo "%s: $*"; }\n' "$1"
}

# busybox_root ROOT: the directories of a guest's root, busybox with a link
# per applet in /bin, and the programs of tools/build/ (if built) in /bin.
busybox_root() {
	local root=$1 app
	mkdir -p "$root"/{bin,dev,proc,sys,tmp,lib/xalloc}
	cp /bin/busybox "$root/bin/busybox"
	for app in $(/bin/busybox --list); do
		[ "$app" = busybox ] || ln -s busybox "$root/bin/$app"
	done
	if [ -d "$xalloc_repo/tools/build" ]; then
		find "$xalloc_repo/tools/build" -maxdepth 1 -type f -executable \
			-exec cp {} "$root/bin/" \;
	fi
}
