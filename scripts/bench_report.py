#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Turn the console of a "make bench" guest into tables, JSON and a plot.

usage: scripts/bench_report.py CONSOLE_LOG OUTDIR

Reads the blocks that the guest's /init dumps between "xalloc-bench: X begin"
and "xalloc-bench: X end" markers: xalloc_bench's results (one line per
scenario, "name key=value ..."), /proc/slabinfo and xalloc's slabinfo. Prints
the speed table, every target with its verdict (met, missed by how much, or
noisy), the runs of each scenario the noise rule repeated, and the slab
geometry table; writes OUTDIR/results.json and draws OUTDIR/ratios.png with
gnuplot (skipped with a note if gnuplot is missing).
"""

import datetime
import json
import os
import re
import shutil
import subprocess
import sys

PAGE_SIZE = 4096
KMALLOC = [("kmalloc-8", 8), ("kmalloc-16", 16), ("kmalloc-32", 32),
           ("kmalloc-64", 64), ("kmalloc-96", 96), ("kmalloc-128", 128),
           ("kmalloc-192", 192), ("kmalloc-256", 256), ("kmalloc-512", 512),
           ("kmalloc-1k", 1024), ("kmalloc-2k", 2048), ("kmalloc-4k", 4096),
           ("kmalloc-8k", 8192)]
GEOMETRY = [("xbench-geo-%d" % n, n) for n in (24, 40, 100, 200, 700, 1500)]

# Targets, xalloc / kernel median ns per operation (issue "sheaves"): a
# scenario name prefix, the ratio wanted at most, and what it is. Every
# scenario also has the floor: at most 1.0. Scaling is judged on speedups.
TARGETS = [("fastpath-", 0.8, "fast path"),
           ("burst-", 0.9, "burst"),
           ("bulk-", 0.8, "bulk"),
           ("kmalloc-random", 0.8, "kmalloc, random sizes"),
           ("remote-", 0.7, "remote free"),
           ("pages-o0", 1.0, "pages, order 0"),
           ("pages-o1", 1.0, "pages, order 1"),
           ("pages-o3", 1.0, "pages, order 3")]
FLOOR = 1.0
OPT_OUT = "cpuslab-"
# Scaling: xalloc's speedup at least the kernel's in the same boot minus 5 %.
SCALING_SLACK = 0.95
# What each side does for a block of pages that the other does not.
PAGES_NOTE = ("xalloc's pages keep a count of 1 each from carve time: it "
              "touches no struct page to hand a block out and reads each "
              "page's count when it comes back; alloc_pages() checks each "
              "page's flags on free, and on allocation too for a block above "
              "order 3 (its per-CPU lists hold orders 0-3)")


def blocks(path):
    """Marker-delimited blocks and the single-line marks of the console."""
    out, marks, cur = {}, [], None
    with open(path, errors="replace") as f:
        for line in f:
            line = line.rstrip("\n")
            m = re.match(r"^xalloc-bench: (\S+) (begin|end)$", line)
            if m:
                cur = m.group(1) if m.group(2) == "begin" else None
                if cur:
                    out[cur] = []
                continue
            if line.startswith("xalloc-bench: "):
                marks.append(line[len("xalloc-bench: "):])
            elif cur:
                out[cur].append(line)
    return out, marks


def parse_results(lines):
    res = []
    for line in lines:
        m = re.match(r"^(\S+) (skipped|ops=.*)$", line)
        if not m:
            continue
        r = {"name": m.group(1)}
        if m.group(2) == "skipped":
            r["skipped"] = True
            res.append(r)
            continue
        kv = dict(f.split("=", 1) for f in m.group(2).split())
        r["ops"] = int(kv["ops"])
        r["trials"] = int(kv["trials"])
        r["cpus"] = int(kv["cpus"])
        for side in ("xalloc", "kernel"):
            r[side] = {s: float(kv["%s_%s" % (side, s)])
                       for s in ("med", "min", "max")}
        r["ratio"] = None if kv["ratio"] == "-" else float(kv["ratio"])
        for key in ("xalloc_speedup", "kernel_speedup", "ring"):
            if key in kv:
                r[key] = float(kv[key])
        for key in ("xalloc_peak_kib", "kernel_peak_kib"):
            if key in kv:
                r[key] = int(kv[key])
        for side in ("xalloc", "kernel"):
            for s in ("q1", "q3"):
                r[side][s] = float(kv.get("%s_%s" % (side, s), "nan"))
        r["scale"] = int(kv.get("scale", 100))
        r["noisy"] = kv.get("noisy", "0") == "1"
        r["attempts"] = []
        for a in filter(None, kv.get("attempts", "").split(",")):
            scale, ratio, sx, sk = (int(v) for v in a.split(":"))
            r["attempts"].append({"scale": scale, "ratio": ratio / 1000.0,
                                  "spread": [sx / 10.0, sk / 10.0]})
        res.append(r)
    return res


def parse_slabinfo(lines):
    """name -> objsize (stride), objperslab, pagesperslab."""
    rows = {}
    for line in lines:
        f = line.split()
        if len(f) < 6 or line.startswith(("slabinfo", "#")):
            continue
        try:
            rows[f[0]] = {"objsize": int(f[3]), "objperslab": int(f[4]),
                          "pagesperslab": int(f[5])}
        except ValueError:
            continue
    return rows


def geometry(row, size):
    if row is None:
        return None
    g = dict(row)
    slab = row["pagesperslab"] * PAGE_SIZE
    # Bytes of a slab that hold no requested byte: the tail after the last
    # object plus each object's padding beyond the requested size.
    g["waste"] = slab - row["objperslab"] * size
    g["tail"] = slab - row["objperslab"] * row["objsize"]
    return g


def spread(s):
    """The noise rule's spread: quartiles over the median, in percent."""
    return 100.0 * (s["q3"] - s["q1"]) / s["med"] if s["med"] else 0.0


def verdict(r, want):
    """met, missed by how much, or noisy: one ratio against its bound."""
    if r["noisy"]:
        return "noisy"
    if r["ratio"] <= want:
        return "met"
    return "missed by %.1f %%" % (100.0 * (r["ratio"] / want - 1))


def targets(results):
    """Each target with the scenarios it covers, and the floor for all."""
    out = ["%-24s %-9s %-16s %-7s %s" % ("target", "wanted", "scenario", "value", "verdict")]
    # cpuslab-*: xalloc's opt-out path (XALLOC_NO_SHEAVES), for comparison:
    # the targets and the floor judge the path caches get by default.
    rows = [r for r in results if not r.get("skipped") and r["ratio"] is not None
            and not r["name"].startswith(OPT_OUT)]
    for prefix, want, what in TARGETS:
        for r in rows:
            if r["name"].startswith(prefix):
                out.append("%-24s %-9s %-16s %-7.3f %s" % (
                    what, "<= %.1f" % want, r["name"], r["ratio"], verdict(r, want)))
    for r in rows:
        if "xalloc_speedup" in r:
            want = r["kernel_speedup"] * SCALING_SLACK
            v = "noisy" if r["noisy"] else "met" if r["xalloc_speedup"] >= want else \
                "missed by %.1f %%" % (100.0 * (1 - r["xalloc_speedup"] / want))
            out.append("%-24s %-9s %-16s %-7s %s" % (
                "scaling 1 -> %d CPUs" % r["cpus"], ">= %.2fx" % want, r["name"],
                "%.2fx" % r["xalloc_speedup"], v))
    missed = [r for r in rows if verdict(r, FLOOR) != "met"]
    out.append("%-24s %-9s %-16s %-7s %s" % (
        "floor, every scenario", "<= %.1f" % FLOOR, "%d scenarios" % len(rows), "",
        "met" if not missed else ", ".join("%s %s" % (r["name"], verdict(r, FLOOR))
                                            for r in missed)))
    return out


def attempts_table(results):
    """The runs of every scenario that the noise rule ran more than once."""
    out = []
    for r in results:
        if len(r.get("attempts", [])) < 2:
            continue
        out.append("%-16s %s%s" % (r["name"], ", ".join(
            "scale %d%%: %.3f (%.0f%%/%.0f%%)" % (a["scale"], a["ratio"], *a["spread"])
            for a in r["attempts"]), "  -> noisy" if r["noisy"] else ""))
    return out


def speed_table(results):
    out = ["%-16s %12s %12s %7s  %-13s %s" % (
        "scenario", "xalloc ns/op", "kernel ns/op", "ratio", "spread x/k", "note")]
    for r in results:
        if r.get("skipped"):
            out.append("%-16s %s" % (r["name"], "skipped (needs 2 CPUs)"))
            continue
        note = []
        if "xalloc_speedup" in r:
            note.append("speedup on %d CPUs: xalloc %.2fx, kernel %.2fx" % (
                r["cpus"], r["xalloc_speedup"], r["kernel_speedup"]))
        if "ring" in r:
            note.append("ring alone %.1f ns/op" % r["ring"])
            beyond = (r["xalloc"]["med"] - r["ring"], r["kernel"]["med"] - r["ring"])
            if beyond[1] > 0:
                note.append("beyond it %.3f" % (beyond[0] / beyond[1]))
        if "xalloc_peak_kib" in r:
            note.append("waiting for a grace period, peak: xalloc %d KiB, kernel %d KiB" % (
                r["xalloc_peak_kib"], r["kernel_peak_kib"]))
        if r["name"].startswith("pages-"):
            note.append("not like for like, see below")
        if r["noisy"]:
            note.append("noisy")
        ratio = "-" if r["ratio"] is None else "%.3f" % r["ratio"]
        out.append("%-16s %12.1f %12.1f %7s  %-13s %s" % (
            r["name"], r["xalloc"]["med"], r["kernel"]["med"], ratio,
            "%.0f%%/%.0f%%" % (spread(r["xalloc"]), spread(r["kernel"])),
            "; ".join(note)))
    return out


def memory_table(memory):
    out = ["%-15s %5s | %-30s | %-30s" % (
        "cache", "size", "xalloc stride obj/slab pages waste",
        "kernel stride obj/slab pages waste")]

    def side(g):
        if g is None:
            return "%-30s" % "(missing)"
        return "%6d %8d %5d %6d    " % (g["objsize"], g["objperslab"],
                                         g["pagesperslab"], g["waste"])
    for m in memory:
        out.append("%-15s %5d | %s | %s" % (m["cache"], m["size"],
                                           side(m["xalloc"]), side(m["kernel"])))
    return out


def parse_memory(lines):
    """The memory scenario's line (bench/xalloc_bench_memory.c), or None."""
    for line in lines:
        m = re.match(r"^memory-mixed (.*)$", line)
        if not m:
            continue
        kv = dict(f.split("=", 1) for f in m.group(1).split())
        if "failed" in kv:
            return {"failed": int(kv["failed"])}
        out = {k: int(v) for k, v in kv.items() if k.endswith("_kib") or k == "objects"}
        out["ratio"] = None if kv["ratio"] == "-" else float(kv["ratio"])
        out["runs"] = []
        for run in kv["runs"].split(","):
            side, peak, held, used, end, warmed, absorbed = run.split(":")
            out["runs"].append({"side": "kernel" if side == "k" else "xalloc",
                                "peak": int(peak), "held": int(held), "used": int(used),
                                "end": int(end), "warmed": int(warmed),
                                "absorbed": int(absorbed)})
        return out
    return None


def memory_scenario(mem):
    """The memory scenario as printed lines, its target last."""
    if mem is None:
        return ["not run (BENCH_MEMORY_MIB=0, or no result)"]
    if "failed" in mem:
        return ["failed: error %d (console)" % mem["failed"]]
    out = ["%d objects of 8-4095 bytes, %d KiB requested; 90 %% freed in random order, "
           "then given back" % (mem["objects"], mem["requested_kib"]),
           "%-8s %12s %12s %12s" % ("side", "peak KiB", "held KiB", "end KiB")]
    for side in ("xalloc", "kernel"):
        out.append("%-8s %12d %12d %12d" % (side, mem[side + "_peak_kib"],
                                           mem[side + "_held_kib"], mem[side + "_end_kib"]))
    out.append("runs (pages peak/held/in slabs/end, objects warmed/in slabs from before): " +
               ", ".join("%s %d/%d/%d/%d %d/%d" % (r["side"], r["peak"], r["held"], r["used"],
                                                  r["end"], r["warmed"], r["absorbed"])
                         for r in mem["runs"]))
    ratio = mem["ratio"]
    # Judged on the pages, not on the ratio's three decimals.
    x, k = mem["xalloc_held_kib"], mem["kernel_held_kib"]
    v = "-" if ratio is None else "met" if x <= k else \
        "missed by %.2f %%" % (100.0 * (x - k) / k)
    out.append("target: xalloc holds no more than the kernel: held ratio %s, %s" % (
        "-" if ratio is None else "%.3f" % ratio, v))
    return out


def plot(results, outdir):
    gnuplot = shutil.which("gnuplot")
    if not gnuplot:
        return "gnuplot not found (make deps installs gnuplot-nox): no plot"
    rows = [r for r in results if not r.get("skipped") and r["ratio"] is not None]
    data = os.path.join(outdir, "ratios.dat")
    with open(data, "w") as f:
        for r in rows:
            lo = r["xalloc"]["min"] / r["kernel"]["max"] if r["kernel"]["max"] else 0
            hi = r["xalloc"]["max"] / r["kernel"]["min"] if r["kernel"]["min"] else 0
            f.write("%s %.4f %.4f %.4f\n" % (r["name"], r["ratio"], lo, hi))
    png = os.path.join(outdir, "ratios.png")
    script = """
set terminal pngcairo size 1200,600 font ",10"
set output '{png}'
set title 'xalloc / kernel, median ns per operation (below 1.0: xalloc faster)'
set ylabel 'ratio xalloc / kernel'
set style fill solid 0.6 border -1
set boxwidth 0.7
set xtics rotate by -45 nomirror
set yrange [0:*]
set grid ytics
set arrow from graph 0, first 1.0 to graph 1, first 1.0 nohead lw 2 lc rgb 'red'
set label '1.0 = same speed' at graph 0.01, first 1.0 offset 0,0.7 tc rgb 'red'
plot '{data}' using 0:2:xtic(1) with boxes lc rgb '#4477aa' title 'median ratio', \\
     '' using 0:2:3:4 with yerrorbars lc rgb 'black' pt -1 title 'min/max range'
""".format(png=png, data=data)
    proc = subprocess.run([gnuplot], input=script, text=True,
                          capture_output=True)
    if proc.returncode:
        # gnuplot without cairo: fall back to the gd terminal.
        script = script.replace("pngcairo size 1200,600 font \",10\"",
                                "png size 1200,600")
        proc = subprocess.run([gnuplot], input=script, text=True,
                              capture_output=True)
    if proc.returncode:
        return "gnuplot failed: " + proc.stderr.strip()
    return "plot: " + png


def main():
    console, outdir = sys.argv[1], sys.argv[2]
    b, marks = blocks(console)
    results = parse_results(b.get("results", []))
    mem = parse_memory(b.get("memory", []))
    kslab = parse_slabinfo(b.get("kernel-slabinfo", []))
    xslab = parse_slabinfo(b.get("xalloc-slabinfo", []))
    memory = [{"cache": name, "size": size,
               "xalloc": geometry(xslab.get(name), size),
               "kernel": geometry(kslab.get(name), size)}
              for name, size in KMALLOC + GEOMETRY]
    info = next((m for m in marks if m.startswith("cpus ")), "cpus ? ?").split()
    cmdline = next((m[len("cmdline "):] for m in marks if m.startswith("cmdline ")), "?")
    init = re.search(r"\binit_on_alloc=(\d)", cmdline)
    xparams = next((m[len("xalloc "):] for m in marks if m.startswith("xalloc ")), "")
    doc = {
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "kernel": info[2] if len(info) > 2 else "?",
        "cpus": int(info[1]) if info[1].isdigit() else None,
        "cmdline": cmdline,
        "xalloc_params": xparams.strip(),
        "unit": "ns per operation (median, quartiles, min, max over trials); "
                "ratio = xalloc / kernel medians",
        "spread": "(q3 - q1) / median of each side; above 10 % a scenario runs again at "
                  "twice the scale, up to 3 times, and is noisy if no run was quiet",
        "targets": targets(results),
        "scenarios": results,
        "memory": memory,
        "memory_scenario": mem,
        "memory_scenario_note": "xalloc (zone_mb=0): every page carved and not given back; "
                                "kernel: slab pages (NR_SLAB_*) above the start; held: after "
                                "90 % freed and xalloc_zone_shrink() / kmem_cache_shrink() of "
                                "every kmalloc cache; the larger of each side's two runs; "
                                "before each run, the free slots of each side's slabs from "
                                "before are filled (warmed), so that the run's objects share "
                                "slabs alike on both sides",
        "memory_note": "stride and objects/pages per slab from /proc/slabinfo and "
                       "/sys/kernel/debug/xalloc/slabinfo (guest booted with slab_nomerge); "
                       "waste = slab bytes - objects * requested size",
    }
    with open(os.path.join(outdir, "results.json"), "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")

    print("xalloc bench, %s, kernel %s, %s CPUs" % (doc["date"], doc["kernel"], doc["cpus"]))
    print("command line: %s%s" % (cmdline, "" if init else
                                  " (init_on_alloc: the kernel's default)"))
    print("xalloc.ko parameters: %s" % (xparams.strip() or "none"))
    print()
    print("\n".join(speed_table(results)))
    print()
    print("spread: (q3 - q1) / median per side, xalloc/kernel; ABBA trials")
    print("pages-*: " + PAGES_NOTE)
    print()
    print("Targets (xalloc / kernel; noisy: no run of the scenario was quiet; "
          "%s* rows: the opt-out path, not judged)" % OPT_OUT)
    print("\n".join(doc["targets"]))
    print()
    rep = attempts_table(results)
    if rep:
        print("Runs of the scenarios the noise rule repeated "
              "(ratio, spread xalloc/kernel)")
        print("\n".join(rep))
        print()
    print("Memory scenario (xalloc with zone_mb=0: every page carved and not given back; "
          "kernel: slab pages above the start; slabs from before warmed on both sides; "
          "the larger of each side's two runs)")
    print("\n".join(memory_scenario(mem)))
    print()
    print("Slab geometry (waste = bytes per slab not holding requested bytes)")
    print("\n".join(memory_table(memory)))
    print()
    print(plot(results, outdir))
    print("json: " + os.path.join(outdir, "results.json"))
    # only= matching no scenario is a run of the memory scenario alone.
    if not results and (mem is None or "failed" in mem):
        sys.exit("bench: no results in " + console)


if __name__ == "__main__":
    main()
