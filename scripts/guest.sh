#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Boot a QEMU (TCG) guest with a kernel and an initramfs.
#
# usage: scripts/guest.sh MODE BZIMAGE INITRD [LOG]
#   MODE check: console only to LOG (default console.log), no terminal
#        run:   console on the terminal and in LOG
#        shell: interactive console on the terminal (Ctrl-A X kills QEMU)
# environment:
#   XALLOC_SMP=2       CPUs          XALLOC_NUMA=2    fake NUMA nodes
#   XALLOC_MEM=1G      guest memory  XALLOC_TIMEOUT=600 seconds per boot
#   XALLOC_APPEND=     extra kernel command line
# Exits with QEMU's status; 124 means the guest timed out.
set -euo pipefail

mode=$1
kernel=$2
initrd=$3
log=${4:-console.log}
smp=${XALLOC_SMP:-2}
numa=${XALLOC_NUMA:-2}
# RCU stalls are reported after 60 s instead of 21: under TCG a debug kernel
# (KASAN, lockdep) can keep a CPU busy for a while without being stuck, and a
# CPU that is stuck for good still shows.
append="console=ttyS0 numa=fake=$numa panic=-1 no_hash_pointers"
append="$append rcupdate.rcu_cpu_stall_timeout=60 ${XALLOC_APPEND:-}"
[ "$mode" = check ] || append="$append quiet"

qemu=(qemu-system-x86_64 -m "${XALLOC_MEM:-1G}" -smp "$smp"
	-kernel "$kernel" -initrd "$initrd" -append "$append" -no-reboot)

case "$mode" in
check)
	timeout "${XALLOC_TIMEOUT:-600}" "${qemu[@]}" -display none -monitor none \
		-serial stdio </dev/null 2>&1 | tr -d '\r' >"$log"
	exit "${PIPESTATUS[0]}"
	;;
run)
	timeout "${XALLOC_TIMEOUT:-600}" "${qemu[@]}" -display none -monitor none \
		-serial stdio </dev/null 2>&1 | tr -d '\r' | tee "$log"
	exit "${PIPESTATUS[0]}"
	;;
shell)
	"${qemu[@]}" -nographic
	;;
*)
	echo "guest: unknown mode '$mode'" >&2
	exit 1
	;;
esac
