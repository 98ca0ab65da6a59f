#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Record workloads' slab allocations on Debian's stock 6.1 kernel, for
# make replay (Documentation/replay.rst).
#
# usage: scripts/replay_record.sh [WORKLOAD...]   (default: tcp tar fork)
#
# Boots the kernel of linux-image-amd64 (make deps unpacks it) with a
# busybox initramfs whose /init enables kmem:kmalloc, kmem:kfree,
# kmem:kmem_cache_alloc and kmem:kmem_cache_free, runs one workload with
# tracing on, and prints the trace (gzip, base64), the per-CPU ring buffer
# statistics and /proc/slabinfo on the console. scripts/replay_trace.py
# convert then refuses a trace whose ring buffer lost events, and writes
# traces/WORKLOAD.trace.xz (REPLAY_MAX_EVENTS events at most, 250000 by
# default). Environment: REPLAY_TRACES (output directory, traces/),
# XALLOC_SMP (CPUs, 2) as for scripts/guest.sh.
#
# Workloads:
#   tcp   busybox httpd on loopback, four wget loops fetching 1-64 KiB files
#   tar   a generated tree of 1600 files on tmpfs, tar | gzip, then twice
#         gunzip | tar extraction and rm -r
#   fork  shell pipelines and subshells: fork, exec, pipes
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
. scripts/lib.sh
out=${REPLAY_TRACES:-$repo/traces}
dir=$repo/build/replay/record
mkdir -p "$dir" "$out"
log() { echo "replay-record: $*"; }
[ $# -gt 0 ] || set -- tcp tar fork

kabi=$(dpkg-query -W -f='${Depends}' linux-headers-amd64 2>/dev/null |
	grep -o 'linux-headers-6\.1\.[^ ,]*-amd64' || true)
kabi=${kabi#linux-headers-}
vmlinuz=${XALLOC_CACHE:-$HOME/.cache/xalloc}/debian/linux-image-$kabi/boot/vmlinuz-$kabi
if [ -z "$kabi" ] || [ ! -f "$vmlinuz" ]; then
	echo "replay-record: no Debian 6.1 kernel ($vmlinuz); run make deps" >&2
	exit 1
fi

# The workloads' setup (untraced) and traced part, as /init shell code.
workload() {
	case "$1" in
	tcp)
		cat <<'EOF'
setup() {
	ip link set lo up
	mkdir -p /tmp/www
	for k in 1 4 16 64; do head -c $((k * 1024)) /dev/urandom >/tmp/www/f$k; done
	httpd -p 127.0.0.1:8080 -h /tmp/www
	sleep 1
}
traced() {
	for j in 1 4 16 64; do
		(for i in $(seq 100); do
			wget -q -O /dev/null http://127.0.0.1:8080/f$j
		done) &
	done
	wait
}
EOF
		;;
	tar)
		cat <<'EOF'
setup() {
	for d in $(seq 40); do
		mkdir -p /tmp/src/d$d/sub
		for f in $(seq 20); do
			head -c $((d * f * 17)) /dev/urandom >/tmp/src/d$d/f$f
			echo "file $d $f" >/tmp/src/d$d/sub/s$f
		done
	done
}
traced() {
	tar cf - -C /tmp src | gzip -1 >/tmp/src.tgz
	for i in 1 2; do
		mkdir /tmp/dst
		gzip -dc /tmp/src.tgz | tar xf - -C /tmp/dst
		rm -rf /tmp/dst
	done
	rm /tmp/src.tgz
}
EOF
		;;
	fork)
		cat <<'EOF'
setup() {
	:
}
traced() {
	for i in $(seq 150); do
		(echo a; echo b) | cat | sort | wc -l >/dev/null
		sh -c 'echo x' | tr x y >/dev/null &
		wait
	done
}
EOF
		;;
	*)
		echo "replay-record: unknown workload '$1'" >&2
		exit 1
		;;
	esac
}

for w in "$@"; do
	root=$(mktemp -d)
	busybox_root "$root"
	{
		init_start xalloc-rec
		workload "$w"
		cat <<'EOF'
t=/sys/kernel/tracing
mount -t tracefs none $t
# Kernel messages would land inside the base64 of the trace.
echo 1 >/proc/sys/kernel/printk
mark "cpus $(grep -c ^processor /proc/cpuinfo) $(uname -r)"
setup
echo 0 >$t/tracing_on
echo 65536 >$t/buffer_size_kb
for e in kmalloc kfree kmem_cache_alloc kmem_cache_free; do
	echo 1 >$t/events/kmem/$e/enable
done
echo >$t/trace
sync
echo 1 >$t/tracing_on
traced
echo 0 >$t/tracing_on
mark "stats begin"
for c in $t/per_cpu/cpu*; do
	echo "${c##*/} $(tr '\n' ' ' <$c/stats)"
done
mark "stats end"
mark "slabinfo begin"
cat /proc/slabinfo
mark "slabinfo end"
cat $t/trace | gzip -1 >/tmp/trace.gz
mark "trace begin $(wc -c </tmp/trace.gz)"
base64 /tmp/trace.gz
mark "trace end"
mark done
reboot -f
EOF
	} >"$root/init"
	chmod +x "$root/init"
	(cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) >"$dir/$w.gz"
	rm -rf "$root"

	log "$w: guest on $kabi (console: $dir/$w.log)"
	start=$SECONDS
	rc=0
	XALLOC_MEM=${XALLOC_MEM:-1G} XALLOC_TIMEOUT=${XALLOC_TIMEOUT:-900} \
		scripts/guest.sh check "$vmlinuz" "$dir/$w.gz" "$dir/$w.log" || rc=$?
	log "$w: guest finished in $((SECONDS - start)) s (qemu status $rc)"
	if ! grep -q '^xalloc-rec: trace end' "$dir/$w.log"; then
		tail -20 "$dir/$w.log"
		exit 1
	fi
	sed -n '/^xalloc-rec: trace begin/,/^xalloc-rec: trace end/p' "$dir/$w.log" |
		sed '1d;$d' | base64 -d >"$dir/$w.raw.gz"
	python3 scripts/replay_trace.py convert --workload "$w" \
		--max-events "${REPLAY_MAX_EVENTS:-250000}" "$dir/$w.log" "$dir/$w.raw.gz" |
		xz -9e >"$out/$w.trace.xz"
	log "$w: $out/$w.trace.xz, $(wc -c <"$out/$w.trace.xz") bytes"
done
