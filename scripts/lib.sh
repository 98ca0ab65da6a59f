# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash disable=SC2154
# Helpers of the test and guest scripts (check.sh, reliability.sh,
# initramfs.sh, bench.sh); sourced, not run.
#
# result, check and tap_result count into the caller's npass and nfail and
# append their line to the file named by $summary.

xalloc_repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

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

# splats CONSOLE: the kernel splats in a console log, one per line. xalloc's
# own reports ("xalloc: BUG ..." followed by a dump_stack) are expected in
# tests and are not splats.
splats() {
	awk '
	/xalloc: BUG/ { expect = 1; next }
	/Call Trace:/ { if (expect) { expect = 0; next } print; next }
	{
		line = $0
		gsub(/xalloc: BUG/, "", line)
		if (line ~ /Oops|BUG:|WARNING:|KASAN:|UBSAN:|possible circular locking|INFO: |unreferenced object|Kernel panic|general protection fault|watchdog: BUG|kernel BUG/)
			print
	}' "$1"
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

# no_splat KERNEL WHAT CONSOLE OUT: one test, that the console has no kernel
# splat; the splats found go to OUT.
no_splat() {
	splats "$3" >"$4"
	if [ -s "$4" ]; then
		result FAIL "$1" "$2: kernel splats in console: $(wc -l <"$4") lines ($4)"
		head -20 "$4" | sed 's/^/\t/'
	else
		result ok "$1" "$2: no kernel splat (Oops, BUG, WARNING, lockdep, KASAN, kmemleak)"
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

# within1 A B: MemFree B (kB) at most 1% below A, the leak checks' test.
# MemFree may also end up higher than it started: KASAN's quarantine and RCU
# hand back memory freed before the first reading (seen: +1.03% on 6.12).
# Memory that rises was not lost.
within1() {
	[ -n "$1" ] && [ -n "$2" ] && [ $((($1 - $2) * 100)) -le "$1" ]
}

# init_start TAG: the common start of a guest's /init, on stdout: the file
# systems, PATH, mark() printing "TAG: ..." lines for the host to find,
# memfree() (kB, read once deferred frees settled and the page cache is gone),
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
memfree() {
	sync
	echo 3 >/proc/sys/vm/drop_caches
	sleep 2
	awk '/^MemFree:/ { print $2 }' /proc/meminfo
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
