#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Summarise a scripts/bench_ab.sh console: per scenario, the median over
turns of xalloc's (and the kernel's) ns per operation for side A and side B.

usage: scripts/bench_ab.py CONSOLE_LOG REV
"""

import re
import statistics
import sys


def turns(path):
    """(side, {scenario: (xalloc_med, kernel_med)}) for every turn."""
    out, cur, side = [], None, None
    with open(path, errors="replace") as f:
        for line in f:
            line = line.rstrip("\n")
            m = re.match(r"^xalloc-ab: turn (a|b) (begin|end)$", line)
            if m:
                if m.group(2) == "begin":
                    side, cur = m.group(1), {}
                else:
                    out.append((side, cur))
                    cur = None
                continue
            if cur is None:
                continue
            m = re.match(r"^(\S+) ops=(.*)$", line)
            if m:
                kv = dict(f.split("=", 1) for f in ("ops=" + m.group(2)).split())
                cur[m.group(1)] = (float(kv["xalloc_med"]), float(kv["kernel_med"]))
    return out


def main():
    path, rev = sys.argv[1], sys.argv[2]
    t = turns(path)
    if not t:
        print("bench-ab: no turns in %s" % path)
        return 1
    names = [n for n in t[0][1]]
    print("%d turns; A = %s, B = working tree; ns per operation, median over turns"
          % (len(t), rev))
    print("x/k: each turn's xalloc / kernel, which takes out the host's moves"
          " between turns")
    print("%-22s %9s %9s %7s   %9s %9s %7s   %7s %7s %7s" %
          ("scenario", "A xalloc", "B xalloc", "B/A", "A kernel", "B kernel", "B/A",
           "A x/k", "B x/k", "B/A"))
    for n in names:
        med = {}
        for side in "ab":
            rows = [r[n] for s, r in t if s == side and n in r]
            med[side] = (statistics.median(x for x, _ in rows),
                         statistics.median(k for _, k in rows),
                         statistics.median(x / k for x, k in rows if k))
        (ax, ak, an), (bx, bk, bn) = med["a"], med["b"]
        print("%-22s %9.1f %9.1f %7.3f   %9.1f %9.1f %7.3f   %7.3f %7.3f %7.3f" %
              (n, ax, bx, bx / ax, ak, bk, bk / ak, an, bn, bn / an))
    return 0


if __name__ == "__main__":
    sys.exit(main())
