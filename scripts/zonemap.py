#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Draw /sys/kernel/debug/xalloc/zonemap as a PNG: one cell per page.

usage: scripts/zonemap.py MAP PNG [--title TITLE]
       scripts/zonemap.py --console CONSOLE_LOG OUTDIR

The first form draws one map. The second cuts every map a guest printed
between "xalloc-zonemap: NAME begin" and "xalloc-zonemap: NAME end" lines
out of its console log and writes OUTDIR/zonemap-NAME.txt and .png.

Each node is a panel of chunks; a chunk's pages run in Z order (Morton
order), so that every buddy block is a square or a 2:1 rectangle, outlined.
Free blocks are green, darker the larger their order; slabs take a colour per
cache. Beside the panels: the free blocks per order (/proc/buddyinfo's
numbers) and the unusable free space index per order, per node.
"""

import argparse
import math
import re
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.patches as mpatches  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

TOKEN = re.compile(r"^([FPALSG?])(\d+)(?::(-?\d+))?(?:\*(\d+))?$")
CHUNK = re.compile(r"^node (\d+) chunk (\d+) pfn (0x[0-9a-f]+|0) pages (\d+)$")
CACHE = re.compile(r"^cache (\d+) (\S+)$")

STATE_NAMES = {
    "P": "free, on a per-CPU list",
    "A": "pages (xalloc_alloc_pages)",
    "L": "large kmalloc block",
    "G": "given back to the kernel",
    "?": "unknown / in transition",
}
STATE_COLOURS = {"P": "#bcbd22", "A": "#d62728", "L": "#ff7f0e", "G": "#ffffff", "?": "#000000"}
# Slab colours: blues, purples, browns, pinks, greys; no green, red or orange.
SLAB_COLOURS = ["#1f77b4", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
                "#17becf", "#393b79", "#7b4173", "#aec7e8", "#c5b0d5",
                "#c49c94", "#f7b6d2", "#5254a3", "#a55194", "#6b6ecf",
                "#ce6dbd", "#9edae5", "#843c39", "#636363", "#3182bd"]


class Chunk:
    def __init__(self, node, index, pfn, pages):
        self.node, self.index, self.pfn, self.pages = node, index, pfn, pages
        self.blocks = []  # (state, order, cache index or None)


def parse(lines):
    """Return (caches {index: name}, chunks) of a zonemap's lines."""
    caches, chunks, cur = {}, [], None
    for raw in lines:
        line = raw.rstrip("\n")
        if not line.strip() or line.startswith("xalloc zonemap"):
            continue
        m = CHUNK.match(line)
        if m:
            cur = Chunk(int(m[1]), int(m[2]), int(m[3], 16), int(m[4]))
            chunks.append(cur)
            continue
        m = CACHE.match(line)
        if m:
            caches[int(m[1])] = m[2]
            continue
        if not line[0].isspace() or cur is None:
            print(f"zonemap: skipped: {line[:60]}", file=sys.stderr)
            continue
        for tok in line.split():
            m = TOKEN.match(tok)
            if not m:
                print(f"zonemap: bad token {tok!r}", file=sys.stderr)
                continue
            cache = int(m[3]) if m[3] is not None else None
            cur.blocks += [(m[1], int(m[2]), cache)] * int(m[4] or 1)
    for c in chunks:
        n = sum(1 << o for _, o, _ in c.blocks)
        if n != c.pages:
            print(f"zonemap: node {c.node} chunk {c.index}: blocks cover "
                  f"{n} of {c.pages} pages", file=sys.stderr)
    return caches, chunks


def morton(i, bits):
    """(x, y) of page i of a chunk of 2^bits pages, in Z order."""
    x = y = 0
    for b in range(bits):
        if b % 2 == 0:
            x |= ((i >> b) & 1) << (b // 2)
        else:
            y |= ((i >> b) & 1) << (b // 2)
    return x, y


def free_colour(order, max_order):
    return plt.get_cmap("YlGn")(0.2 + 0.75 * order / max(max_order, 1))


def nr_free(chunks, nr_orders):
    counts = [0] * nr_orders
    for c in chunks:
        for state, order, _ in c.blocks:
            if state == "F":
                counts[order] += 1
    return counts


def unusable_index(counts):
    """The kernel's unusable free space index per order, as 'd.ddd'."""
    free = sum(n << o for o, n in enumerate(counts))
    out = []
    for order in range(len(counts)):
        suitable = sum(n << o for o, n in enumerate(counts) if o >= order)
        index = (free - suitable) * 1000 // free if free else 0
        out.append(f"{index // 1000}.{index % 1000:03d}")
    return out


def node_image(chunks, colour_of, cell):
    """RGB image of one node's chunks, tiles of Z-ordered pages."""
    bits = max(c.pages for c in chunks).bit_length() - 1
    w, h = 1 << ((bits + 1) // 2), 1 << (bits // 2)
    per_row = math.ceil(math.sqrt(len(chunks) * h / w))
    rows = math.ceil(len(chunks) / per_row)
    gap = 2
    tw, th = w * cell + gap, h * cell + gap
    img = np.ones((rows * th - gap, per_row * tw - gap, 3))
    coords = np.array([morton(i, bits) for i in range(1 << bits)])
    for k, c in enumerate(sorted(chunks, key=lambda c: c.pfn)):
        tile_rgb = np.zeros((h, w, 3))
        tile_id = np.zeros((h, w), dtype=int)
        page = 0
        for b, (state, order, cache) in enumerate(c.blocks):
            xs, ys = coords[page:page + (1 << order)].T
            tile_rgb[ys, xs] = colour_of(state, order, cache)[:3]
            tile_id[ys, xs] = b
            page += 1 << order
        big = np.kron(tile_rgb, np.ones((cell, cell, 1)))
        if cell >= 3:
            # Outline blocks: darken the last pixel row/column of a cell
            # whose right or lower neighbour is in another block.
            ids = np.kron(tile_id, np.ones((cell, cell), dtype=int))
            edge = np.zeros(ids.shape, dtype=bool)
            edge[:, cell - 1:-1:cell] |= (ids[:, cell - 1:-1:cell] != ids[:, cell::cell])
            edge[cell - 1:-1:cell, :] |= (ids[cell - 1:-1:cell, :] != ids[cell::cell, :])
            big[edge] *= 0.55
        r, col = divmod(k, per_row)
        img[r * th:r * th + h * cell, col * tw:col * tw + w * cell] = big
    return img


def draw(caches, chunks, png, title):
    nodes = sorted({c.node for c in chunks})
    if not nodes:
        sys.exit("zonemap: no chunks in the map")
    max_order = max(c.pages for c in chunks).bit_length() - 1
    nr_orders = max_order + 1
    used_caches = sorted({k for c in chunks for s, _, k in c.blocks if s == "S"})
    slab_colour = {k: SLAB_COLOURS[i % len(SLAB_COLOURS)]
                   for i, k in enumerate(used_caches)}

    def colour_of(state, order, cache):
        if state == "F":
            return free_colour(order, max_order)
        if state == "S":
            return matplotlib.colors.to_rgb(slab_colour[cache])
        return matplotlib.colors.to_rgb(STATE_COLOURS[state])

    pages = max(c.pages for c in chunks)
    most = max(sum(1 for c in chunks if c.node == n) for n in nodes)
    cell = max(1, min(4, 1200 // (len(nodes) * math.isqrt(pages * most))))
    fig = plt.figure(figsize=(5.2 * len(nodes) + 5.5, 6.2), dpi=100)
    grid = fig.add_gridspec(1, len(nodes) + 1,
                            width_ratios=[5.2] * len(nodes) + [5.5])
    text_rows = ["order " + " ".join(f"{o:>5}" for o in range(nr_orders))]
    for i, n in enumerate(nodes):
        mine = [c for c in chunks if c.node == n]
        ax = fig.add_subplot(grid[0, i])
        ax.imshow(node_image(mine, colour_of, cell), interpolation="nearest")
        total = sum(c.pages for c in mine)
        counts = nr_free(mine, nr_orders)
        free = sum(k << o for o, k in enumerate(counts))
        ax.set_title(f"node {n}: {len(mine)} chunks, {total} pages, "
                     f"{free} free", fontsize=10)
        ax.set_axis_off()
        text_rows += ["", f"node {n}",
                      "free  " + " ".join(f"{k:>5}" for k in counts),
                      "unus. " + " ".join(f"{u:>5}" for u in unusable_index(counts))]
    side = fig.add_subplot(grid[0, len(nodes)])
    side.set_axis_off()
    text = ("free blocks per order (buddyinfo)\n"
            "and unusable free space index (extfrag)\n\n" + "\n".join(text_rows))
    side.text(0, 1, text, family="monospace", fontsize=7.5, va="top",
              ha="left", transform=side.transAxes)
    handles = [mpatches.Patch(color=free_colour(o, max_order),
                              label=f"free, order {o}")
               for o in range(nr_orders)]
    present = {s for c in chunks for s, _, _ in c.blocks}
    handles += [mpatches.Patch(color=STATE_COLOURS[s], label=STATE_NAMES[s])
                for s in "PAL?" if s in present]
    handles += [mpatches.Patch(color=slab_colour[k],
                               label=f"slab of {caches.get(k, '#%d' % k)}")
                for k in used_caches]
    # The legend right under the text: about 0.026 of the height per line.
    top = 1 - 0.026 * (text.count("\n") + 2)
    side.legend(handles=handles, loc="upper left", fontsize=7.5, ncol=2,
                frameon=False, bbox_to_anchor=(0, top))
    fig.suptitle(title + "  (one cell per page; chunks in Z order, "
                 "blocks outlined)", fontsize=11)
    fig.savefig(png, bbox_inches="tight")
    plt.close(fig)


def from_console(log, outdir):
    """Cut the maps out of a console log; return their names."""
    begin = re.compile(r"^xalloc-zonemap: (\S+) begin$")
    maps, name = {}, None
    with open(log, errors="replace") as f:
        for line in f:
            line = line.rstrip("\r\n")
            m = begin.match(line)
            if m:
                name = m[1]
                maps[name] = []
            elif name and line == f"xalloc-zonemap: {name} end":
                name = None
            elif name:
                maps[name].append(line)
    for name, lines in maps.items():
        with open(f"{outdir}/zonemap-{name}.txt", "w") as f:
            f.write("\n".join(lines) + "\n")
        caches, chunks = parse(lines)
        draw(caches, chunks, f"{outdir}/zonemap-{name}.png",
             f"xalloc zone map: {name}")
    return list(maps)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--console", metavar="LOG",
                    help="cut the maps out of a guest's console log")
    ap.add_argument("--title", default="xalloc zone map")
    ap.add_argument("input", help="zonemap file, or OUTDIR with --console")
    ap.add_argument("png", nargs="?")
    args = ap.parse_args()
    if args.console:
        names = from_console(args.console, args.input)
        if not names:
            sys.exit(f"zonemap: no maps in {args.console}")
        for n in names:
            print(f"zonemap: {args.input}/zonemap-{n}.png")
        return
    if not args.png:
        ap.error("PNG missing")
    with open(args.input) as f:
        caches, chunks = parse(f)
    draw(caches, chunks, args.png, args.title)


if __name__ == "__main__":
    main()
