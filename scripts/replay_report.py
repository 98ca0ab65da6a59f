#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The tables of make replay, from the guest's console.

usage: replay_report.py CONSOLE TRACE.trace.xz...

One table per trace: per mode (one CPU; the CPUs the trace recorded) the
median cost per event of each side over its trials (minimum-maximum), the
pages each side held at the trace's peak of live requested bytes and the
waste there (pages * 4096 - live bytes), and the floor targets: xalloc's
time <= the kernel's, xalloc's pages at the peak <= the kernel's, each met or
missed by how much. Exits 1 if a trace has no results, an allocation
failed, or xalloc reported a bug during a replay.
"""

import os
import re
import sys

TAG = "xalloc-replay: "


def section(lines, name):
    keep, out = False, []
    for line in lines:
        if line == TAG + "results %s begin" % name:
            keep = True
        elif line == TAG + "results %s end" % name:
            return out
        elif keep:
            out.append(line)
    return None


def kv(line):
    return {k: v for k, _, v in (f.partition("=") for f in line.split())}


def ns(ps):
    return "%.1f" % (int(ps) / 1000)


def header(trace):
    import lzma
    with lzma.open(trace, "rt") as f:
        for line in f:
            if not line.startswith("#"):
                break
            if line.startswith("# workload"):
                return line[2:].strip()
    return ""


def main():
    with open(sys.argv[1], errors="replace") as f:
        lines = [re.sub(r"^\[ *[0-9.]+\] ", "", s.rstrip("\n")) for s in f]
    bad = 0
    for trace in sys.argv[2:]:
        name = os.path.basename(trace).replace(".trace.xz", "")
        res = section(lines, name)
        if not res:
            print("%s: no results (see the console)\n" % name)
            bad += 1
            continue
        first = kv(res[0])
        print("trace %s: %s events, %s caches, peak %s live bytes after event %s; %s" %
              (name, first["events"], first["caches"], first["peak_bytes"],
               first["peak_event"], header(trace)))
        print("%-10s %4s %6s  %-22s %-22s %6s  %-16s %7s %7s %10s %10s  %s" %
              ("mode", "cpus", "trials", "xalloc ns/event", "kernel ns/event", "ratio",
               "time <= kernel", "xa pg", "k pg", "xa waste", "k waste", "pages <= kernel"))
        for line in res:
            r = kv(line)
            if r.get("skipped"):
                print("%-10s skipped (one CPU online, or a trace of one CPU)" % r["mode"])
                continue
            xp, kp = int(r["xalloc_ps"]), int(r["kernel_ps"])
            ratio = xp / kp if kp else 0
            tt = "met" if xp <= kp else "missed by %.0f%%" % (100 * (ratio - 1))
            xg, kg = int(r["xalloc_pages"]), int(r["kernel_pages"])
            if xg <= kg:
                pt = "met"
            else:
                pt = "missed by %d pages (%.0f%%)" % (xg - kg, 100 * (xg - kg) / max(kg, 1))
            print("%-10s %4s %6s  %-22s %-22s %6.2f  %-16s %7d %7d %10s %10s  %s" %
                  (r["mode"], r["cpus"], r["trials"],
                   "%s (%s-%s)" % (ns(xp), ns(r["xalloc_ps_min"]), ns(r["xalloc_ps_max"])),
                   "%s (%s-%s)" % (ns(kp), ns(r["kernel_ps_min"]), ns(r["kernel_ps_max"])),
                   ratio, tt, xg, kg, r["xalloc_waste"], r["kernel_waste"], pt))
            fails = int(r["xalloc_fails"]) + int(r["kernel_fails"])
            if fails:
                print("  allocation failures: xalloc %s, kernel %s" %
                      (r["xalloc_fails"], r["kernel_fails"]))
                bad += 1
        for line in lines:
            m = re.match(re.escape(TAG) + r"reports %s (\S+) (\S+)$" % re.escape(name), line)
            if m and m.group(1) != m.group(2):
                print("  xalloc reports during the replay: %s -> %s" % m.groups())
                bad += 1
        print()
    print("Pages: what each side held at the trace's peak of live requested bytes, less what it "
          "held before the\nmode's first trial (median over the trials). xalloc: its zone's "
          "pages in use. Kernel: the guest's slab\npages (NR_SLAB_*), whose kmalloc caches are "
          "shared with the rest of the guest: the figure holds for a\nquiet guest only, which "
          "this one is (nothing runs beside the replay). Waste: pages * 4096 - live bytes.")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
