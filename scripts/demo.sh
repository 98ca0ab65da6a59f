#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# make run's workload, run by the guest's /init after insmod xalloc: print
# the zone map, fragment the zone through /dev/xalloc with xallocctl, print
# the map again while xallocctl still holds everything, then let go.
#
# The maps go to the console between "xalloc-zonemap: NAME begin/end" lines;
# scripts/zonemap.py --console cuts them out on the host and draws them.
#
# Node 0 gets large kmalloc blocks (order 2) side by side, every other one
# freed again: half the node is free, but in blocks no larger than order 2.
# Node 1 gets a cache's slabs interleaved with single pages; every other
# page and three objects out of four are freed: holes and partial slabs.
#
# xallocctl reads its commands from a FIFO, so that the handles live on
# across the second snapshot: they die when xallocctl exits.

map=/sys/kernel/debug/xalloc/zonemap
fifo=/tmp/demo.fifo
log=/tmp/demo.log

zonemap() {
	echo "xalloc-zonemap: $1 begin"
	cat "$map"
	echo "xalloc-zonemap: $1 end"
}

# The xallocctl commands; handle $N is the N-th handle created.
commands() {
	awk 'BEGIN {
		h = 0
		# Node 0: 3 x 1024 large kmalloc blocks of 4 pages, 48 MiB.
		for (r = 0; r < 3; r++)
			print "alloc --size 16384 --count 1024 --node 0 --this-node"
		# Free every other one (xallocctl takes 63 words per line).
		line = "free"; n = 0
		for (i = 1; i <= 3072; i += 2) {
			line = line " $" i
			if (++n == 60) { print line; line = "free"; n = 0 }
		}
		if (n) print line
		h = 3072
		# Node 1: a cache of 192-byte objects and single pages, interleaved.
		print "cache-create demo 192"
		cache = ++h
		nobj = 0; npg = 0
		for (r = 0; r < 96; r++) {
			print "alloc --cache $" cache " --count 256 --node 1 --this-node"
			for (i = 1; i <= 256; i++) obj[nobj++] = ++h
			for (i = 0; i < 8; i++) {
				print "pages 0 --node 1 --this-node"
				pg[npg++] = ++h
			}
		}
		# Free every other page and three objects out of four.
		line = "free"; n = 0
		for (i = 0; i < npg; i += 2) {
			line = line " $" pg[i]
			if (++n == 60) { print line; line = "free"; n = 0 }
		}
		for (i = 0; i < nobj; i++) {
			if (i % 4 == 0)
				continue
			line = line " $" obj[i]
			if (++n == 60) { print line; line = "free"; n = 0 }
		}
		if (n) print line
	}'
}

if [ ! -r "$map" ] || ! command -v xallocctl >/dev/null; then
	echo "demo: needs $map and xallocctl"
	exit 0
fi

zonemap before

# A failed command ends xallocctl: writes to the FIFO then fail, not kill us.
trap '' PIPE
rm -f "$fifo"
mkfifo "$fifo"
xallocctl run - <"$fifo" >"$log" 2>&1 &
pid=$!
exec 3>"$fifo"
commands >&3
# xallocctl echoes a command before it runs it, after the earlier ones ran.
echo "version" >&3
i=0
while ! grep -q '^> version' "$log" && kill -0 "$pid" 2>/dev/null && [ $i -lt 600 ]; do
	sleep 1
	i=$((i + 1))
done
if grep -q '^> version' "$log"; then
	echo "demo: workload done: $(grep -c '^> ' "$log") xallocctl commands"
	zonemap after
else
	echo "demo: xallocctl failed:"
	tail -5 "$log"
fi
exec 3>&-
wait "$pid"
echo "demo: xallocctl exited ($?), its handles are freed"
rm -f "$fifo"
