// SPDX-License-Identifier: GPL-2.0
/*
 * The xalloc zone: carving chunks from the kernel's page allocator at load
 * time, finding a page's descriptor in O(1), checking the zone's invariants
 * and giving every chunk back at unload.
 *
 * Lock order (outer first):
 *   1. kernel_param_lock	xalloc's parameters; a pcp_high write drains
 *   2. pcp->lock		(mm/pcp.c) one CPU's lists of one zone
 *   3. zone->lock		free lists and counters of one node's zone
 *   4. xalloc_report_lock	(mm/report.c) lines of one report
 */

#include <linux/export.h>
#include <linux/gfp.h>
#include <linux/kmemleak.h>
#include <linux/minmax.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/nodemask.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include "fail.h"
#include "kasan.h"
#include "zone.h"

struct xalloc_zone *xalloc_zones[MAX_NUMNODES];
EXPORT_SYMBOL_GPL(xalloc_zones);

struct xalloc_chunk_table xalloc_chunk_table;
EXPORT_SYMBOL_GPL(xalloc_chunk_table);

static unsigned long chunks_taken, chunks_returned;

/* Flags for carving: this node only, fail fast instead of reclaiming hard. */
#define XALLOC_CARVE_GFP \
	(GFP_KERNEL | __GFP_THISNODE | __GFP_NOWARN | __GFP_NORETRY)

static int xalloc_chunk_add(struct xalloc_zone *zone)
{
	struct xalloc_chunk *chunk;
	struct page *page;

	if (xalloc_should_fail(XALLOC_FAIL_CHUNK))
		return -ENOMEM;
	chunk = kzalloc_node(sizeof(*chunk), GFP_KERNEL, zone->nid);
	if (!chunk)
		return -ENOMEM;
	/* On the chunk's node: every alloc and free writes them. */
	chunk->desc = kvzalloc_node(array_size(XALLOC_CHUNK_PAGES, sizeof(*chunk->desc)),
				    GFP_KERNEL, zone->nid);
	page = alloc_pages_node(zone->nid, XALLOC_CARVE_GFP, XALLOC_CHUNK_ORDER);
	if (!chunk->desc || !page) {
		if (page)
			__free_pages(page, XALLOC_CHUNK_ORDER);
		kvfree(chunk->desc);
		kfree(chunk);
		return -ENOMEM;
	}
	chunks_taken++;
	chunk->zone = zone;
	chunk->pfn = page_to_pfn(page);
	xalloc_kasan_poison(page_address(page), PAGE_SIZE << XALLOC_CHUNK_ORDER,
			    XALLOC_KASAN_PAGE_FREE);
	for (unsigned long i = 0; i < XALLOC_CHUNK_PAGES; i++)
		chunk->desc[i].chunk = chunk;
	chunk->desc[0].type = XALLOC_PAGE_FREE;
	chunk->desc[0].order = XALLOC_CHUNK_ORDER;
	list_add_tail(&chunk->desc[0].list, &zone->free_list[XALLOC_CHUNK_ORDER]);
	zone->nr_free[XALLOC_CHUNK_ORDER]++;
	zone->free_pages += XALLOC_CHUNK_PAGES;
	zone->present_pages += XALLOC_CHUNK_PAGES;
	zone->nr_chunks++;
	list_add_tail(&chunk->node, &zone->chunks);
	return 0;
}

static void xalloc_zone_free(struct xalloc_zone *zone)
{
	struct xalloc_chunk *chunk, *tmp;

	xalloc_pcp_exit(zone);
	if (zone->free_pages != zone->present_pages)
		pr_err("xalloc: node %d: %lu pages still allocated at unload\n",
		       zone->nid, zone->present_pages - zone->free_pages);
	list_for_each_entry_safe(chunk, tmp, &zone->chunks, node) {
		void *addr = pfn_to_kaddr(chunk->pfn);

		/* kmemleak forgets large kmalloc blocks never freed. */
		for (unsigned long i = 0; i < XALLOC_CHUNK_PAGES; i++)
			if (chunk->desc[i].type == XALLOC_PAGE_LARGE)
				kmemleak_free(addr + i * PAGE_SIZE);
		xalloc_kasan_unpoison(addr, PAGE_SIZE << XALLOC_CHUNK_ORDER);
		__free_pages(pfn_to_page(chunk->pfn), XALLOC_CHUNK_ORDER);
		chunks_returned++;
		kvfree(chunk->desc);
		kfree(chunk);
	}
	kfree(zone);
}

static struct xalloc_zone *xalloc_zone_create(int nid, unsigned long nr_chunks)
{
	struct xalloc_zone *zone;

	zone = kzalloc_node(sizeof(*zone), GFP_KERNEL, nid);
	if (!zone)
		return NULL;
	spin_lock_init(&zone->lock);
	zone->nid = nid;
	INIT_LIST_HEAD(&zone->chunks);
	for (int o = 0; o < XALLOC_NR_ORDERS; o++)
		INIT_LIST_HEAD(&zone->free_list[o]);
	if (xalloc_pcp_init(zone)) {
		xalloc_zone_free(zone);
		return NULL;
	}
	while (zone->nr_chunks < nr_chunks && !xalloc_chunk_add(zone))
		;
	/* A node that gives fewer chunks keeps them; one that gives none is skipped. */
	if (zone->nr_chunks < nr_chunks)
		pr_warn("xalloc: node %d: got %u of %lu chunks of %lu KiB\n",
			nid, zone->nr_chunks, nr_chunks,
			(PAGE_SIZE << XALLOC_CHUNK_ORDER) / SZ_1K);
	if (!zone->nr_chunks) {
		xalloc_zone_free(zone);
		return NULL;
	}
	return zone;
}

static int xalloc_chunk_table_build(void)
{
	unsigned long lo = ULONG_MAX, hi = 0;
	struct xalloc_chunk *chunk;
	int nid;

	for_each_node(nid) {
		if (!xalloc_zones[nid])
			continue;
		list_for_each_entry(chunk, &xalloc_zones[nid]->chunks, node) {
			lo = min(lo, chunk->pfn >> XALLOC_CHUNK_ORDER);
			hi = max(hi, chunk->pfn >> XALLOC_CHUNK_ORDER);
		}
	}
	if (lo > hi)
		return -ENOMEM;
	xalloc_chunk_table.chunks = kvcalloc(hi - lo + 1, sizeof(chunk),
					     GFP_KERNEL);
	if (!xalloc_chunk_table.chunks)
		return -ENOMEM;
	for_each_node(nid) {
		if (!xalloc_zones[nid])
			continue;
		list_for_each_entry(chunk, &xalloc_zones[nid]->chunks, node)
			xalloc_chunk_table.chunks[(chunk->pfn >> XALLOC_CHUNK_ORDER) - lo] = chunk;
	}
	xalloc_chunk_table.base = lo;
	xalloc_chunk_table.len = hi - lo + 1;
	return 0;
}

/**
 * xalloc_zone_init() - carve the zone of every node that has normal memory
 * @pages_per_node: zone size per node, rounded up to whole chunks
 *
 * A node that gives fewer chunks than asked keeps those it gave and says so
 * in one line; a node that gives none has no zone.
 *
 * Context: Process context, at module load.
 * Return: 0, or -ENOMEM (every chunk taken given back) when no node could
 * be carved.
 */
int xalloc_zone_init(unsigned long pages_per_node)
{
	unsigned long nr_chunks = DIV_ROUND_UP(pages_per_node, XALLOC_CHUNK_PAGES);
	int nid, zones = 0;

	/*
	 * Only nodes with memory the kernel itself can use: a node of movable
	 * memory alone (CXL, movable_node) can't give GFP_KERNEL chunks.
	 */
	for_each_node_state(nid, N_NORMAL_MEMORY) {
		xalloc_zones[nid] = xalloc_zone_create(nid, nr_chunks);
		zones += !!xalloc_zones[nid];
	}
	if (!zones) {
		pr_err("xalloc: no node could be carved\n");
		goto err_free_zones;
	}
	if (xalloc_chunk_table_build() || xalloc_pcp_hotplug_init())
		goto err_free_zones;
	return 0;

err_free_zones:
	xalloc_zone_exit();
	return -ENOMEM;
}

/**
 * xalloc_zone_exit() - give every chunk back to the kernel
 *
 * Context: Process context, at module unload (or failed load).
 */
void xalloc_zone_exit(void)
{
	int nid;

	xalloc_pcp_hotplug_exit();
	for_each_node(nid) {
		struct xalloc_zone *zone;

		/* Unpublished first: a write to pcp_high drains every zone. */
		kernel_param_lock(THIS_MODULE);
		zone = xalloc_zones[nid];
		xalloc_zones[nid] = NULL;
		kernel_param_unlock(THIS_MODULE);
		if (zone)
			xalloc_zone_free(zone);
	}
	kvfree(xalloc_chunk_table.chunks);
	memset(&xalloc_chunk_table, 0, sizeof(xalloc_chunk_table));
	pr_info("xalloc: returned %lu of %lu chunks\n", chunks_returned,
		chunks_taken);
	chunks_taken = 0;
	chunks_returned = 0;
}

/**
 * xalloc_zone_info() - copy a zone's counters, consistent with each other
 * @nid: node
 * @info: where to copy them
 *
 * Context: Any context.
 * Return: false if xalloc has no zone on @nid.
 */
bool xalloc_zone_info(int nid, struct xalloc_zone_info *info)
{
	struct xalloc_zone *zone;
	unsigned long flags;

	zone = xalloc_zone_of(nid);
	if (!zone)
		return false;
	info->pcp_pages = xalloc_pcp_pages(zone, -1);
	spin_lock_irqsave(&zone->lock, flags);
	info->nid = nid;
	info->nr_chunks = zone->nr_chunks;
	info->present_pages = zone->present_pages;
	info->free_pages = zone->free_pages;
	memcpy(info->nr_free, zone->nr_free, sizeof(info->nr_free));
	info->nr_alloc = zone->nr_alloc;
	info->nr_freed = zone->nr_freed;
	info->nr_split = zone->nr_split;
	info->nr_merge = zone->nr_merge;
	info->nr_failed = zone->nr_failed;
	spin_unlock_irqrestore(&zone->lock, flags);
	return true;
}
EXPORT_SYMBOL_GPL(xalloc_zone_info);

/**
 * xalloc_free_block_ok() - is a listed free block what its list says
 * @zone: the zone of the list
 * @desc: the block's head
 * @order: the list's order
 * @type: XALLOC_PAGE_FREE (a free list) or XALLOC_PAGE_PCP (a per-CPU list)
 *
 * Context: The list's lock held.
 * Return: true if @desc heads a block of @zone, of @type and @order, aligned
 * to it, and (on a free list) not mergeable with its buddy.
 */
bool xalloc_free_block_ok(struct xalloc_zone *zone, struct xalloc_page *desc,
			  unsigned int order, enum xalloc_page_type type)
{
	unsigned long idx = desc - desc->chunk->desc;
	struct xalloc_page *buddy;

	if (desc->chunk->zone != zone || desc->type != type ||
	    desc->order != order || idx & ((1UL << order) - 1))
		return false;
	if (type == XALLOC_PAGE_PCP || order == XALLOC_CHUNK_ORDER)
		return true;
	/* A free buddy of the same order should have been merged. */
	buddy = &desc->chunk->desc[idx ^ (1UL << order)];
	return !(buddy->type == XALLOC_PAGE_FREE && buddy->order == order);
}

/*
 * Whether the poisoned free block headed by chunk page @idx is intact, one
 * page at a time, each under the zone's lock: interrupts stay off for one
 * page's check, not for the zone's. A block allocated, split or merged
 * meanwhile is left; its pages are checked again when they are handed out.
 * Sets *@pages to the block's pages, or 1 if @idx heads no free block.
 */
static bool zone_block_poison_ok(struct xalloc_zone *zone, struct xalloc_chunk *chunk,
				 unsigned long idx, unsigned long *pages)
{
	struct xalloc_page *desc = &chunk->desc[idx];
	unsigned long flags, i;
	unsigned int order;
	bool ok = true;

	spin_lock_irqsave(&zone->lock, flags);
	order = desc->order;
	*pages = desc->type == XALLOC_PAGE_FREE ? 1UL << order : 1;
	for (i = 0; i < *pages; i++) {
		if (i) {
			spin_unlock_irqrestore(&zone->lock, flags);
			spin_lock_irqsave(&zone->lock, flags);
		}
		if (desc->type != XALLOC_PAGE_FREE || desc->order != order || !desc->poisoned)
			break;
		if (!xalloc_block_poison_range_ok(desc, i << PAGE_SHIFT, PAGE_SIZE,
						  "found by validation")) {
			ok = false;
			break;
		}
	}
	spin_unlock_irqrestore(&zone->lock, flags);
	return ok;
}

/**
 * xalloc_zone_check() - check the invariants of a node's zone
 * @nid: node
 *
 * Walks every free list: each entry heads a free, aligned, unmerged block of
 * its list's order, and the counts add up (see mm/zone.h). Then the poison
 * of every poisoned free block, page by page, and the same for every CPU's
 * lists of the zone.
 *
 * Context: Any context. The free lists are walked with interrupts off (a few
 * loads per free block); the poison is read one page at a time.
 * Return: true if the zone is consistent (or absent); false after printing
 * what is wrong.
 */
bool xalloc_zone_check(int nid)
{
	struct xalloc_chunk *chunk;
	struct xalloc_zone *zone;
	struct xalloc_page *desc;
	unsigned long flags, n, idx, pages = 0;
	bool ok = true;

	zone = xalloc_zone_of(nid);
	if (!zone)
		return true;
	spin_lock_irqsave(&zone->lock, flags);
	for (int o = 0; o < XALLOC_NR_ORDERS; o++) {
		n = 0;
		list_for_each_entry(desc, &zone->free_list[o], list) {
			if (!xalloc_free_block_ok(zone, desc, o, XALLOC_PAGE_FREE)) {
				pr_err("xalloc: node %d: bad free block pfn %#lx on order-%d list\n",
				       nid, xalloc_desc_pfn(desc), o);
				ok = false;
			}
			n++;
		}
		if (n != zone->nr_free[o]) {
			pr_err("xalloc: node %d: order %d: %lu blocks listed, %lu counted\n",
			       nid, o, n, zone->nr_free[o]);
			ok = false;
		}
		pages += n << o;
	}
	if (pages != zone->free_pages || pages > zone->present_pages) {
		pr_err("xalloc: node %d: %lu free pages listed, %lu counted\n",
		       nid, pages, zone->free_pages);
		ok = false;
	}
	spin_unlock_irqrestore(&zone->lock, flags);
	list_for_each_entry(chunk, &zone->chunks, node)
		for (idx = 0; idx < XALLOC_CHUNK_PAGES; idx += pages)
			ok &= zone_block_poison_ok(zone, chunk, idx, &pages);
	return xalloc_pcp_check(zone) && ok;
}
EXPORT_SYMBOL_GPL(xalloc_zone_check);
