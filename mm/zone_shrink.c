// SPDX-License-Identifier: GPL-2.0
/*
 * Giving the xalloc zone's free memory back to the kernel, page-granular:
 * every page of the zone is an order-0 page of its own (split at carve
 * time), so a free block of any order goes back with a put_page() of each of
 * its pages. The newest chunks go first, so that a zone that grew and then
 * emptied gives back what it carved and keeps its first chunks whole. A zone
 * never gives back below its floor (min_pages, the zone_mb it was loaded
 * with).
 *
 * A given-back page's descriptor stays, as XALLOC_PAGE_GONE: the chunk
 * table's slot and descriptors live until unload, so a lookup of such an
 * address finds "not in the zone", never freed memory.
 *
 * Lock order (outer first):
 *   1. pcp->lock		(mm/pcp.c) drained first
 *   2. zone->lock		free lists of one node's zone
 */

#include <linux/export.h>
#include <linux/mm.h>

#include "zone.h"

/* Blocks taken off the free lists per hold of the zone's lock. */
#define ZONE_SHRINK_BATCH	32

struct zone_shrink_batch {
	unsigned int n;
	struct xalloc_page *desc[ZONE_SHRINK_BATCH];
	u8 order[ZONE_SHRINK_BATCH];
};

/* Pages to skip from the block or page at @desc when walking a chunk. */
static unsigned long zone_walk_step(const struct xalloc_page *desc)
{
	switch (desc->type) {
	case XALLOC_PAGE_FREE:
	case XALLOC_PAGE_PCP:
	case XALLOC_PAGE_ALLOC:
	case XALLOC_PAGE_LARGE:
	case XALLOC_PAGE_SLAB:
		return 1UL << desc->order;
	default:
		return 1;
	}
}

/*
 * Take free blocks of @chunk, from page @*idx on, off the free lists, as
 * long as the zone stays at its floor or above and @b has room. Advances
 * @*idx past what it looked at.
 */
static void zone_shrink_chunk_locked(struct xalloc_zone *zone, struct xalloc_chunk *chunk,
				     unsigned long *idx, struct zone_shrink_batch *b,
				     unsigned long max)
{
	unsigned long i = *idx, n;

	lockdep_assert_held(&zone->lock);
	for (; i < XALLOC_CHUNK_PAGES && b->n < ZONE_SHRINK_BATCH && max; i += n) {
		struct xalloc_page *desc = &chunk->desc[i];

		n = zone_walk_step(desc);
		if (desc->type != XALLOC_PAGE_FREE ||
		    zone->present_pages < zone->min_pages + n)
			continue;
		max -= min(max, n);
		zone->given_back_at = jiffies;
		list_del(&desc->list);
		zone->nr_free[desc->order]--;
		zone->free_pages -= n;
		b->desc[b->n] = desc;
		b->order[b->n++] = desc->order;
		xalloc_block_gone_locked(zone, desc, desc->order);
	}
	*idx = i;
}

/**
 * xalloc_zone_give_back() - give a node's free pages above its floor back
 * @nid: node
 * @max: pages to give back at most (the last block may take it beyond)
 *
 * Drains every CPU's page lists of the zone first. The zone's worker does
 * not carve for a second afterwards, so that it does not take back at once
 * what reclaim asked for.
 *
 * Context: Process context (it walks every chunk; each lock hold is short).
 * Return: the number of pages given back.
 */
unsigned long xalloc_zone_give_back(int nid, unsigned long max)
{
	struct xalloc_zone *zone = xalloc_zone_of(nid);
	/* On the stack: under pressure, no allocation may stand in the way. */
	struct zone_shrink_batch batch, *b = &batch;
	struct xalloc_chunk *chunk;
	unsigned long pages = 0, flags, idx;

	if (!zone || READ_ONCE(zone->present_pages) <= READ_ONCE(zone->min_pages))
		return 0;
	xalloc_pcp_drain_zone(zone);
	/* Chunks are only ever added, at the tail: newest first. */
	list_for_each_entry_reverse(chunk, &zone->chunks, node) {
		idx = 0;
		while (idx < XALLOC_CHUNK_PAGES) {
			b->n = 0;
			spin_lock_irqsave(&zone->lock, flags);
			if (zone->present_pages <= zone->min_pages || pages >= max) {
				spin_unlock_irqrestore(&zone->lock, flags);
				return pages;
			}
			if (chunk->present)
				zone_shrink_chunk_locked(zone, chunk, &idx, b, max - pages);
			else
				idx = XALLOC_CHUNK_PAGES;
			spin_unlock_irqrestore(&zone->lock, flags);
			for (unsigned int i = 0; i < b->n; i++) {
				xalloc_block_release(b->desc[i], b->order[i], true);
				pages += 1UL << b->order[i];
			}
			cond_resched();
		}
	}
	return pages;
}

/**
 * xalloc_zone_reclaimable() - free pages a node could give back now
 * @nid: node
 *
 * Free pages on the zone's and the CPUs' lists, but no more than the zone
 * holds above its floor.
 *
 * Context: Any context.
 * Return: that many pages.
 */
unsigned long xalloc_zone_reclaimable(int nid)
{
	struct xalloc_zone *zone = xalloc_zone_of(nid);
	unsigned long free, above, flags;

	if (!zone)
		return 0;
	spin_lock_irqsave(&zone->lock, flags);
	free = zone->free_pages;
	above = zone->present_pages > zone->min_pages ?
		zone->present_pages - zone->min_pages : 0;
	spin_unlock_irqrestore(&zone->lock, flags);
	return min(free + xalloc_pcp_pages(zone, -1), above);
}
EXPORT_SYMBOL_GPL(xalloc_zone_reclaimable);
