// SPDX-License-Identifier: GPL-2.0
/*
 * /sys/kernel/debug/xalloc/zonemap: every block of every node's zone, in
 * address order, one token per block, for scripts/zonemap.py to draw.
 *
 *   xalloc zonemap 1: page 4096 bytes, chunk 1024 pages
 *   cache 0 kmalloc-8                     one line per cache, numbered
 *   ...
 *   node 0 chunk 0 pfn 0x42800 pages 1024 a chunk, then its blocks on
 *     S0:5*12 A0 F0 A1 F1 F2 L3 F4 ...    lines that start with blanks
 *
 * Tokens: F<order> a free block, P<order> a free block on a per-CPU list,
 * A<order> pages from xalloc_alloc_pages(), L<order> a large kmalloc block,
 * S<order>:<cache> a slab of the cache of that number, G0 a page given back
 * to the kernel, ?<order> a block
 * caught in a state it should not be in (or a slab whose cache is not set
 * yet). "*<n>" repeats a token n times.
 *
 * Each chunk is copied under its zone's lock and printed after unlocking, so
 * the map is exact per chunk but not across chunks. The cache list is held
 * during the walk so that no cache goes away; a slab's cache pointer is only
 * compared with the listed caches, never followed.
 *
 * Lock order (outer first):
 *   1. xalloc_caches_mutex	the list of caches, numbered for the map
 *   2. zone->lock		one chunk at a time
 */

#include <linux/seq_file.h>
#include <linux/slab.h>

#include "debugfs.h"
#include "slab.h"

/* Tokens per line of a chunk. */
#define ZONEMAP_TOKENS_PER_LINE	16

/* One block of a chunk, as copied under the zone's lock. */
struct zonemap_block {
	const struct xalloc_cache *cache;	/* slab: compared, not followed */
	int index;				/* slab: number of its cache */
	u8 type;				/* enum xalloc_page_type */
	u8 order;
};

struct zonemap {
	struct xalloc_cache **caches;		/* numbered as printed */
	unsigned int nr_caches;
	unsigned int last;			/* index found last */
	struct zonemap_block *blocks;		/* XALLOC_CHUNK_PAGES entries */
};

static const char zonemap_state[] = {
	[XALLOC_PAGE_NONE] = '?',
	[XALLOC_PAGE_FREE] = 'F',
	[XALLOC_PAGE_PCP] = 'P',
	[XALLOC_PAGE_ALLOC] = 'A',
	[XALLOC_PAGE_LARGE] = 'L',
	[XALLOC_PAGE_SLAB] = 'S',
	[XALLOC_PAGE_SLAB_TAIL] = '?',
	[XALLOC_PAGE_GONE] = 'G',
};

/* Copy the block heads of @chunk into @b; return how many there are. */
static unsigned int zonemap_copy_chunk(struct xalloc_chunk *chunk,
				       struct zonemap_block *b)
{
	struct xalloc_zone *zone = chunk->zone;
	unsigned long flags, i = 0;
	unsigned int n = 0;

	spin_lock_irqsave(&zone->lock, flags);
	while (i < XALLOC_CHUNK_PAGES) {
		const struct xalloc_page *desc = &chunk->desc[i];
		unsigned int order = desc->order;
		u8 type = desc->type;

		/* A block head has a type and is aligned to its order. */
		if (type == XALLOC_PAGE_GONE) {
			order = 0;
		} else if (type == XALLOC_PAGE_NONE || type >= XALLOC_PAGE_SLAB_TAIL ||
			   order > XALLOC_CHUNK_ORDER || (i & ((1UL << order) - 1))) {
			type = XALLOC_PAGE_NONE;
			order = 0;
		}
		b[n].type = type;
		b[n].order = order;
		/* A slab's layout lives while the slab does: map it to its cache. */
		b[n].cache = type == XALLOC_PAGE_SLAB ?
			     (desc->cache->parent ?: desc->cache) : NULL;
		n++;
		i += 1UL << order;
	}
	spin_unlock_irqrestore(&zone->lock, flags);
	return n;
}

/* Number of cache @s in the map, or -1 if it is not listed. */
static int zonemap_cache_index(struct zonemap *zm, const struct xalloc_cache *s)
{
	if (zm->last < zm->nr_caches && zm->caches[zm->last] == s)
		return zm->last;
	for (unsigned int i = 0; i < zm->nr_caches; i++) {
		if (zm->caches[i] == s) {
			zm->last = i;
			return i;
		}
	}
	return -1;
}

static bool zonemap_same(const struct zonemap_block *a,
			 const struct zonemap_block *b)
{
	return a->type == b->type && a->order == b->order &&
	       (a->type != XALLOC_PAGE_SLAB || a->index == b->index);
}

static void zonemap_print_chunk(struct seq_file *m, struct zonemap *zm,
				unsigned int n)
{
	struct zonemap_block *b = zm->blocks;
	unsigned int i, run, col = 0;

	for (i = 0; i < n; i++) {
		if (b[i].type != XALLOC_PAGE_SLAB)
			continue;
		b[i].index = zonemap_cache_index(zm, b[i].cache);
		if (b[i].index < 0)
			b[i].type = XALLOC_PAGE_NONE;
	}
	for (i = 0; i < n; i += run) {
		for (run = 1; i + run < n && zonemap_same(&b[i], &b[i + run]); run++)
			;
		seq_printf(m, "%s%c%u", col ? " " : "  ",
			   zonemap_state[b[i].type], b[i].order);
		if (b[i].type == XALLOC_PAGE_SLAB)
			seq_printf(m, ":%d", b[i].index);
		if (run > 1)
			seq_printf(m, "*%u", run);
		if (++col == ZONEMAP_TOKENS_PER_LINE) {
			seq_putc(m, '\n');
			col = 0;
		}
	}
	if (col)
		seq_putc(m, '\n');
}

static int zonemap_show(struct seq_file *m, void *v)
{
	struct zonemap zm = {};
	struct xalloc_chunk *chunk;
	struct xalloc_cache *s;
	int nid, ret = 0;

	zm.blocks = kvmalloc_array(XALLOC_CHUNK_PAGES, sizeof(*zm.blocks),
				   GFP_KERNEL);
	if (!zm.blocks)
		return -ENOMEM;
	mutex_lock(&xalloc_caches_mutex);
	list_for_each_entry(s, &xalloc_caches, list)
		zm.nr_caches++;
	zm.caches = kmalloc_array(max(zm.nr_caches, 1U), sizeof(*zm.caches),
				  GFP_KERNEL);
	if (!zm.caches) {
		ret = -ENOMEM;
		goto out_unlock;
	}
	seq_printf(m, "xalloc zonemap 1: page %lu bytes, chunk %lu pages\n",
		   PAGE_SIZE, XALLOC_CHUNK_PAGES);
	zm.nr_caches = 0;
	list_for_each_entry(s, &xalloc_caches, list) {
		seq_printf(m, "cache %u %s\n", zm.nr_caches, s->name);
		zm.caches[zm.nr_caches++] = s;
	}
	for_each_node(nid) {
		struct xalloc_zone *zone = xalloc_zone_of(nid);
		unsigned int c = 0, n;

		if (!zone)
			continue;
		/* zone->chunks is constant while the module is loaded. */
		list_for_each_entry(chunk, &zone->chunks, node) {
			/* seq_file calls again with a larger buffer. */
			if (seq_has_overflowed(m))
				goto out_unlock;
			n = zonemap_copy_chunk(chunk, zm.blocks);
			seq_printf(m, "node %d chunk %u pfn %#lx pages %lu\n",
				   nid, c++, chunk->pfn, XALLOC_CHUNK_PAGES);
			zonemap_print_chunk(m, &zm, n);
		}
	}
out_unlock:
	mutex_unlock(&xalloc_caches_mutex);
	kfree(zm.caches);
	kvfree(zm.blocks);
	return ret;
}
DEFINE_SHOW_ATTRIBUTE(zonemap);

/**
 * xalloc_zonemap_debugfs_init() - create /sys/kernel/debug/xalloc/zonemap
 *
 * Context: Process context, at module load, after xalloc_debugfs_init()
 * created the directory.
 */
void xalloc_zonemap_debugfs_init(void)
{
	debugfs_create_file("zonemap", 0400, xalloc_debugfs_root, NULL,
			    &zonemap_fops);
}
