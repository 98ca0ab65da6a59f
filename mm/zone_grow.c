// SPDX-License-Identifier: GPL-2.0
/*
 * Growth of the xalloc zone: each node's zone starts with zone_mb MiB (its
 * floor, which it never gives back) and carves another chunk from the
 * kernel's page allocator when it can't serve a request, up to its cap
 * (zone_max_mb, bounded by the node's memory).
 *
 * A request that may sleep carves with the caller's reclaim flags. One that
 * may not (GFP_ATOMIC, GFP_NOWAIT, a slab refill with interrupts off) tries
 * GFP_NOWAIT-style, never sleeping: a chunk whose slot never held one takes
 * the zone's spare descriptors, allocated beforehand. A worker per zone
 * refills the spare and keeps low_pages pages free (one chunk, while the
 * zone may still grow), so that atomic requests seldom find the zone empty.
 *
 * Lock order (outer first):
 *   1. zone->lock		growth limits and counters of one node's zone
 *   2. workqueue pool lock	(the kernel's) the worker is kicked under 1
 */

#include <linux/export.h>
#include <linux/gfp.h>
#include <linux/mmzone.h>
#include <linux/workqueue.h>

#include "zone.h"

/**
 * xalloc_zone_node_pages() - the most a node's zone may hold
 * @nid: node
 *
 * Context: Any context.
 * Return: the node's present pages, rounded down to whole chunks.
 */
unsigned long xalloc_zone_node_pages(int nid)
{
	return round_down(node_present_pages(nid), XALLOC_CHUNK_PAGES);
}

/**
 * xalloc_zone_kick() - have the zone's worker carve up to the low watermark
 * @zone: the zone
 *
 * Context: Any context, zone->lock may be held.
 */
void xalloc_zone_kick(struct xalloc_zone *zone)
{
	queue_work(system_unbound_wq, &zone->grow_work);
}

/**
 * xalloc_zone_grow() - carve one more chunk for a zone, within its cap
 * @zone: the zone
 * @gfp: what the caller may do (see xalloc_chunk_carve())
 *
 * The chunk is reserved against the cap before it is carved, so that CPUs
 * growing at once never carve beyond it together.
 *
 * Context: Any context allowed by @gfp.
 * Return: true if the zone has one more chunk.
 */
bool xalloc_zone_grow(struct xalloc_zone *zone, gfp_t gfp)
{
	unsigned long flags;
	bool grown;

	if (READ_ONCE(zone->present_pages) + XALLOC_CHUNK_PAGES > READ_ONCE(zone->max_pages))
		return false;
	spin_lock_irqsave(&zone->lock, flags);
	if (zone->present_pages + zone->growing + XALLOC_CHUNK_PAGES > zone->max_pages) {
		spin_unlock_irqrestore(&zone->lock, flags);
		return false;
	}
	zone->growing += XALLOC_CHUNK_PAGES;
	spin_unlock_irqrestore(&zone->lock, flags);
	grown = !xalloc_chunk_carve(zone, gfp);
	spin_lock_irqsave(&zone->lock, flags);
	zone->growing -= XALLOC_CHUNK_PAGES;
	spin_unlock_irqrestore(&zone->lock, flags);
	return grown;
}

/* Whether the zone may grow at all: then it keeps a spare and a watermark. */
static bool zone_elastic(struct xalloc_zone *zone)
{
	return READ_ONCE(zone->max_pages) > READ_ONCE(zone->min_pages);
}

static void zone_spare_refill(struct xalloc_zone *zone)
{
	struct xalloc_chunk *chunk;

	if (READ_ONCE(zone->spare) || !zone_elastic(zone))
		return;
	chunk = xalloc_chunk_struct_alloc(zone->nid, GFP_KERNEL | __GFP_NOWARN);
	if (chunk && cmpxchg(&zone->spare, NULL, chunk))
		xalloc_chunk_struct_free(chunk);
}

/*
 * Carve while the zone is below its low watermark: as many chunks as that
 * takes, no more (reclaim may give them back meanwhile), and none within a
 * second of a give-back, which would undo what reclaim asked for.
 */
static void zone_grow_work(struct work_struct *work)
{
	struct xalloc_zone *zone = container_of(work, struct xalloc_zone, grow_work);
	unsigned long flags, n;
	bool below;

	zone_spare_refill(zone);
	for (n = 0; n <= zone->low_pages / XALLOC_CHUNK_PAGES; n++) {
		spin_lock_irqsave(&zone->lock, flags);
		below = xalloc_zone_below_low_locked(zone) &&
			(!zone->given_back_at || time_after(jiffies, zone->given_back_at + HZ));
		spin_unlock_irqrestore(&zone->lock, flags);
		if (!below || !xalloc_zone_grow(zone, GFP_KERNEL))
			break;
		cond_resched();
	}
}

/**
 * xalloc_zone_grow_init() - set up a new zone's worker
 * @zone: the zone, not yet in use
 *
 * Context: Process context.
 */
void xalloc_zone_grow_init(struct xalloc_zone *zone)
{
	INIT_WORK(&zone->grow_work, zone_grow_work);
}

/**
 * xalloc_zone_grow_exit() - stop a zone's worker and free its spare
 * @zone: the zone, no longer in use
 *
 * Context: Process context.
 */
void xalloc_zone_grow_exit(struct xalloc_zone *zone)
{
	cancel_work_sync(&zone->grow_work);
	xalloc_chunk_struct_free(xchg(&zone->spare, NULL));
}

/**
 * xalloc_zone_apply_limits() - set a zone's floor and cap
 * @zone: the zone
 * @min_pages: pages the zone never gives back
 * @max_pages: pages it never carves beyond, bounded by the node's memory
 *
 * Neither carves nor gives back by itself, apart from the worker's carving
 * up to the low watermark (one chunk's pages free, in a zone that may grow),
 * at once even right after a give-back; a cap below the present size stops
 * growth only.
 *
 * Context: Process context.
 * Return: 0, or -EINVAL if @min_pages is above the bounded @max_pages.
 */
int xalloc_zone_apply_limits(struct xalloc_zone *zone, unsigned long min_pages,
			     unsigned long max_pages)
{
	unsigned long flags;
	bool below;

	max_pages = min(max_pages, xalloc_zone_node_pages(zone->nid));
	if (min_pages > max_pages)
		return -EINVAL;
	spin_lock_irqsave(&zone->lock, flags);
	WRITE_ONCE(zone->min_pages, min_pages);
	WRITE_ONCE(zone->max_pages, max_pages);
	zone->low_pages = max_pages > min_pages ? XALLOC_CHUNK_PAGES : 0;
	/* New limits: the worker may carve at once, whatever was given back. */
	zone->given_back_at = 0;
	below = xalloc_zone_below_low_locked(zone);
	spin_unlock_irqrestore(&zone->lock, flags);
	zone_spare_refill(zone);
	if (below)
		xalloc_zone_kick(zone);
	return 0;
}

/**
 * xalloc_zone_set_limits() - change a node's floor and cap
 * @nid: node
 * @min_pages: as for xalloc_zone_apply_limits()
 * @max_pages: as for xalloc_zone_apply_limits()
 *
 * Context: Process context.
 * Return: 0, -ENODEV without a zone on @nid, or -EINVAL.
 */
int xalloc_zone_set_limits(int nid, unsigned long min_pages, unsigned long max_pages)
{
	struct xalloc_zone *zone = xalloc_zone_of(nid);

	return zone ? xalloc_zone_apply_limits(zone, min_pages, max_pages) : -ENODEV;
}
EXPORT_SYMBOL_GPL(xalloc_zone_set_limits);

/**
 * xalloc_zone_grow_flush() - wait for a node's worker to be done
 * @nid: node
 *
 * Context: Process context.
 */
void xalloc_zone_grow_flush(int nid)
{
	struct xalloc_zone *zone = xalloc_zone_of(nid);

	if (zone)
		flush_work(&zone->grow_work);
}
EXPORT_SYMBOL_GPL(xalloc_zone_grow_flush);
