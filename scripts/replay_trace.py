#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Slab allocation traces for make replay (Documentation/replay.rst).

  replay_trace.py convert [--workload W] [--max-events N] CONSOLE RAW.gz
      A 6.1 kernel's ftrace text of kmem:kmalloc, kmem:kfree,
      kmem:kmem_cache_alloc and kmem:kmem_cache_free (RAW.gz, gzip) and the
      console of scripts/replay_record.sh (ring buffer statistics and
      /proc/slabinfo) to the replay trace text format, on stdout. Refuses a
      trace whose ring buffer overran or dropped events.
  replay_trace.py pack [--max-events N] TRACE[.xz] OUT.bin
      The text format to the binary one that xalloc_replay.ko reads, with
      the event of the peak of live requested bytes; --max-events keeps the
      first N events (a head is a trace too: every free follows its alloc).
  replay_trace.py info TRACE[.xz]
      Events, caches, CPUs and the peak, as one line.
"""

import argparse
import collections
import gzip
import lzma
import re
import struct
import sys

MAGIC = b"XRPL"
VERSION = 1
NAME_MAX = 31
KIND_KMALLOC, KIND_CACHE, KIND_FREE = 0, 1, 2
FLAG_ZERO = 1
NO_CACHE = 0xFFFF

LINE = re.compile(r"\[(\d+)\]\s+\S+\s+[\d.]+: (kmalloc|kfree|kmem_cache_alloc|kmem_cache_free): (.*)$")


def fields(rest):
    out = {}
    for kv in rest.split():
        k, _, v = kv.partition("=")
        out[k] = v
    return out


def console_section(lines, name):
    keep, out = False, []
    for line in lines:
        if line.startswith("xalloc-rec: %s begin" % name):
            keep = True
            continue
        if line.startswith("xalloc-rec: %s end" % name):
            break
        if keep:
            out.append(line)
    return out


def ring_losses(stats):
    """Overruns and dropped events over the CPUs' ring buffer statistics."""
    lost = 0
    for line in stats:
        for key in ("overrun", "dropped events"):
            m = re.search(r"%s: (\d+)" % key, line)
            if m:
                lost += int(m.group(1))
    return lost


def slabinfo(lines):
    """name -> (objsize, objperslab, pagesperslab) of /proc/slabinfo."""
    out = {}
    for line in lines:
        if line.startswith(("slabinfo", "#")):
            continue
        f = line.split()
        if len(f) >= 6 and f[3].isdigit():
            out[f[0]] = (int(f[3]), int(f[4]), int(f[5]))
    return out


def convert(args):
    with open(args.console, errors="replace") as f:
        con = f.read().splitlines()
    stats = console_section(con, "stats")
    if not stats:
        sys.exit("replay_trace: no ring buffer statistics in %s" % args.console)
    lost = ring_losses(stats)
    if lost:
        sys.exit("replay_trace: the ring buffer lost %d events; refused (enlarge buffer_size_kb)" % lost)
    slabs = slabinfo(console_section(con, "slabinfo"))
    cpus = kernel = "?"
    for line in con:
        m = re.match(r"xalloc-rec: cpus (\d+) (\S+)", line)
        if m:
            cpus, kernel = m.group(1), m.group(2)

    raw = []
    with gzip.open(args.raw, "rt", errors="replace") as f:
        for line in f:
            m = LINE.search(line)
            if m:
                raw.append((int(m.group(1)), m.group(2), fields(m.group(3))))
    traced = len(raw)
    raw = raw[:args.max_events]

    drop = collections.Counter()
    live = {}			# pointer -> index of its alloc in events
    free_ids = []
    next_id = 0
    events = []			# [kind, cpu, id, req, alloc, cache, gfp, site]
    for cpu, ev, f in raw:
        ptr = int(f.get("ptr", "0"), 16)
        site = f.get("call_site", "?")
        if ev in ("kmalloc", "kmem_cache_alloc"):
            if ptr <= 16:
                drop["allocs of NULL or ZERO_SIZE_PTR"] += 1
                continue
            if ptr in live:
                # 6.1 traces no bulk or RCU-batched free: the pointer came
                # back, so the old object was freed before; free it here.
                i = live.pop(ptr)
                events.append(["f", cpu, events[i][2], 0, 0, None, None, "-"])
                free_ids.append(events[i][2])
                drop["implicit frees (pointer reused without a traced free)"] += 1
            oid = free_ids.pop() if free_ids else next_id
            if oid == next_id:
                next_id += 1
            live[ptr] = len(events)
            events.append(["m" if ev == "kmalloc" else "c", cpu, oid,
                           int(f["bytes_req"]), int(f["bytes_alloc"]), None,
                           f.get("gfp_flags", "0"), site])
        else:
            if ptr <= 16:
                drop["frees of NULL or ZERO_SIZE_PTR"] += 1
                continue
            if ptr not in live:
                drop["frees of objects allocated before the window or in bulk"] += 1
                continue
            i = live.pop(ptr)
            if ev == "kmem_cache_free" and events[i][0] == "c":
                events[i][5] = f.get("name")
            events.append(["f", cpu, events[i][2], 0, 0, None, None, site])
            free_ids.append(events[i][2])
    drop["allocs still live at the end (freed after the replay)"] = len(live)

    # Caches of the kmem_cache_alloc events: the name their free gave, or
    # the most common name of that geometry, or slabinfo's cache of that
    # object size, or a name made of the size.
    geo = collections.defaultdict(collections.Counter)
    for e in events:
        if e[0] == "c" and e[5]:
            geo[(e[3], e[4])][e[5]] += 1
    by_size = {}
    for name, (objsize, _, _) in sorted(slabs.items()):
        by_size.setdefault(objsize, name)
    for e in events:
        if e[0] == "c" and not e[5]:
            g = geo.get((e[3], e[4]))
            e[5] = g.most_common(1)[0][0] if g else by_size.get(e[4], "size-%d" % e[4])

    caches, sites, gfps = {}, {}, {}
    cache_geo = {}
    for e in events:
        if e[0] == "c":
            caches.setdefault(e[5], len(caches))
            cache_geo.setdefault(e[5], (e[3], e[4]))
        sites.setdefault(e[7], len(sites))
        if e[6] is not None:
            gfps.setdefault(e[6], len(gfps))

    w = sys.stdout.write
    w("# xalloc-replay-trace %d\n" % VERSION)
    w("# workload %s; kernel %s; cpus %s\n" % (args.workload, kernel, cpus))
    w("# events %d of %d traced (window: the first %d)\n" % (len(events), traced, len(raw)))
    for k, v in sorted(drop.items()):
        w("# dropped or added: %d %s\n" % (v, k))
    for name, i in caches.items():
        req, alloc = cache_geo[name]
        _, per, pages = slabs.get(name, (alloc, 0, 0))
        w("cache %d %s %d %d %d %d\n" % (i, name, req, alloc, per, pages))
    for s, i in sites.items():
        w("site %d %s\n" % (i, s))
    for g, i in gfps.items():
        w("gfp %d %s\n" % (i, g))
    for e in events:
        if e[0] == "f":
            w("f %d %d %d\n" % (e[1], e[2], sites[e[7]]))
        else:
            w("%s %d %d %d %d %s %d %d\n" % (e[0], e[1], e[2], e[3], e[4],
                                              caches[e[5]] if e[0] == "c" else "-",
                                              gfps[e[6]], sites[e[7]]))


class Trace:
    """A trace of the text format, read back."""

    def __init__(self, path, max_events=None):
        opener = lzma.open if path.endswith(".xz") else open
        self.header, self.caches, self.gfps, self.events = [], {}, {}, []
        with opener(path, "rt") as f:
            for line in f:
                t = line.split()
                if not t:
                    continue
                if t[0] == "#":
                    self.header.append(line.rstrip("\n"))
                elif t[0] == "cache":
                    self.caches[int(t[1])] = (t[2], int(t[3]), int(t[4]))
                elif t[0] == "gfp":
                    self.gfps[int(t[1])] = t[2]
                elif t[0] == "site":
                    pass
                elif max_events is None or len(self.events) < max_events:
                    self.events.append(t)

    def peak(self):
        """(index of the event after which live bytes peak, the bytes, ids)."""
        size = {}
        cur = best = best_i = 0
        ids = 0
        for i, t in enumerate(self.events):
            oid = int(t[2])
            ids = max(ids, oid + 1)
            if t[0] == "f":
                cur -= size.pop(oid)
            else:
                size[oid] = int(t[3])
                cur += size[oid]
                if cur > best:
                    best, best_i = cur, i
        return best_i, best, ids


def pack(args):
    tr = Trace(args.trace, args.max_events)
    peak_i, peak_bytes, ids = tr.peak()
    cpus = 1 + max((int(t[1]) for t in tr.events), default=0)
    out = [MAGIC, struct.pack("<IIIIIIQ", VERSION, len(tr.caches), len(tr.events),
                              ids, cpus, peak_i, peak_bytes)]
    for i in range(len(tr.caches)):
        name, req, alloc = tr.caches[i]
        align = 64 if alloc % 64 == 0 and alloc != -(-req // 8) * 8 else 0
        out.append(struct.pack("<32sII", name.encode()[:NAME_MAX], req, align))
    zero = {i: FLAG_ZERO if "__GFP_ZERO" in g else 0 for i, g in tr.gfps.items()}
    for t in tr.events:
        cpu, oid = int(t[1]), int(t[2])
        if t[0] == "f":
            out.append(struct.pack("<IIHBBI", oid, 0, NO_CACHE, KIND_FREE, cpu, 0))
        elif t[0] == "m":
            out.append(struct.pack("<IIHBBI", oid, int(t[3]), NO_CACHE, KIND_KMALLOC,
                                   cpu, zero[int(t[6])]))
        else:
            out.append(struct.pack("<IIHBBI", oid, int(t[3]), int(t[5]), KIND_CACHE,
                                   cpu, zero[int(t[6])]))
    with open(args.out, "wb") as f:
        f.write(b"".join(out))


def info(args):
    tr = Trace(args.trace)
    peak_i, peak_bytes, ids = tr.peak()
    kinds = collections.Counter(t[0] for t in tr.events)
    cpus = len({t[1] for t in tr.events})
    print("%s: %d events (%d kmalloc, %d cache alloc, %d free), %d caches, %d CPUs, "
          "%d ids, peak %d live bytes after event %d" %
          (args.trace, len(tr.events), kinds["m"], kinds["c"], kinds["f"],
           len(tr.caches), cpus, ids, peak_bytes, peak_i))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    c = sub.add_parser("convert")
    c.add_argument("--workload", default="?")
    c.add_argument("--max-events", type=int, default=250000)
    c.add_argument("console")
    c.add_argument("raw")
    p = sub.add_parser("pack")
    p.add_argument("--max-events", type=int)
    p.add_argument("trace")
    p.add_argument("out")
    i = sub.add_parser("info")
    i.add_argument("trace")
    args = ap.parse_args()
    {"convert": convert, "pack": pack, "info": info}[args.cmd](args)


if __name__ == "__main__":
    main()
