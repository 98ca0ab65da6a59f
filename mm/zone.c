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

/* Over all nodes, for the line at unload: chunks carved, chunks given back. */
static atomic_long_t chunks_taken, chunks_returned;

/*
 * Flags for carving: the caller's reclaim, I/O and FS bits (none for an
 * atomic caller: no sleeping, no reserves), this node only, and fail fast
 * instead of reclaiming hard.
 */
static gfp_t xalloc_carve_gfp(gfp_t gfp)
{
	return (gfp & GFP_KERNEL) | __GFP_THISNODE | __GFP_NOWARN | __GFP_NORETRY;
}

/**
 * xalloc_chunk_struct_alloc() - a chunk and its descriptors, not yet carved
 * @nid: the node the chunk will be on
 * @gfp: GFP_KERNEL, or what the caller may do
 *
 * Context: As @gfp allows.
 * Return: the chunk, or NULL.
 */
struct xalloc_chunk *xalloc_chunk_struct_alloc(int nid, gfp_t gfp)
{
	struct xalloc_chunk *chunk;

	chunk = kzalloc_node(sizeof(*chunk), gfp, nid);
	if (!chunk)
		return NULL;
	/* On the chunk's node: every alloc and free writes them. */
	chunk->desc = kvzalloc_node(array_size(XALLOC_CHUNK_PAGES, sizeof(*chunk->desc)),
				    gfp, nid);
	if (!chunk->desc) {
		kfree(chunk);
		return NULL;
	}
	for (unsigned long i = 0; i < XALLOC_CHUNK_PAGES; i++)
		chunk->desc[i].chunk = chunk;
	return chunk;
}

/**
 * xalloc_chunk_struct_free() - free a chunk from xalloc_chunk_struct_alloc()
 * @chunk: the chunk, never published; NULL is ignored
 *
 * Context: Process context.
 */
void xalloc_chunk_struct_free(struct xalloc_chunk *chunk)
{
	if (!chunk)
		return;
	kvfree(chunk->desc);
	kfree(chunk);
}

/* Make the fresh or given-back @chunk at @pfn one free block of @zone. */
static void xalloc_chunk_publish_locked(struct xalloc_zone *zone,
					struct xalloc_chunk *chunk,
					unsigned long pfn, bool fresh)
{
	lockdep_assert_held(&zone->lock);
	if (fresh) {
		chunk->zone = zone;
		chunk->pfn = pfn;
		/* Walkers of the list take no lock: chunks are never removed. */
		list_add_tail_rcu(&chunk->node, &zone->chunks);
	} else {
		for (unsigned long i = 0; i < XALLOC_CHUNK_PAGES; i++) {
			chunk->desc[i].order = 0;
			chunk->desc[i].poisoned = 0;
			WRITE_ONCE(chunk->desc[i].type, XALLOC_PAGE_NONE);
		}
	}
	chunk->present = XALLOC_CHUNK_PAGES;
	chunk->desc[0].order = XALLOC_CHUNK_ORDER;
	WRITE_ONCE(chunk->desc[0].type, XALLOC_PAGE_FREE);
	list_add_tail(&chunk->desc[0].list, &zone->free_list[XALLOC_CHUNK_ORDER]);
	zone->nr_free[XALLOC_CHUNK_ORDER]++;
	zone->free_pages += XALLOC_CHUNK_PAGES;
	zone->present_pages += XALLOC_CHUNK_PAGES;
	zone->nr_chunks++;
	zone->nr_carved++;
}

/**
 * xalloc_chunk_carve() - take one more chunk from the kernel for a zone
 * @zone: the zone
 * @gfp: what the caller may do: without __GFP_DIRECT_RECLAIM nothing
 *       sleeps, and a chunk never seen before takes the zone's spare
 *       descriptors (refilled by the zone's worker)
 *
 * The chunk's slot in xalloc_chunk_table is published after its
 * descriptors are set up; a slot once published keeps its chunk until
 * unload, so a lookup without locks never sees descriptors go away. A chunk
 * carved again after it was given back reuses its descriptors.
 *
 * Context: Any context allowed by @gfp.
 * Return: 0, or -ENOMEM.
 */
int xalloc_chunk_carve(struct xalloc_zone *zone, gfp_t gfp)
{
	bool block = gfpflags_allow_blocking(gfp);
	struct xalloc_chunk *chunk, *fresh = NULL;
	unsigned long pfn, idx, flags;
	struct page *page;

	if (xalloc_should_fail(XALLOC_FAIL_CHUNK))
		return -ENOMEM;
	page = alloc_pages_node(zone->nid, xalloc_carve_gfp(gfp), XALLOC_CHUNK_ORDER);
	if (!page)
		return -ENOMEM;
	pfn = page_to_pfn(page);
	idx = (pfn >> XALLOC_CHUNK_ORDER) - xalloc_chunk_table.base;
	if (WARN_ON_ONCE(idx >= xalloc_chunk_table.len))	/* hot-added memory */
		goto err_free_pages;
	chunk = READ_ONCE(xalloc_chunk_table.chunks[idx]);
	if (!chunk) {
		fresh = block ? xalloc_chunk_struct_alloc(zone->nid, gfp & GFP_KERNEL) :
				xchg(&zone->spare, NULL);
		if (!fresh) {
			xalloc_zone_kick(zone);
			goto err_free_pages;
		}
		chunk = fresh;
	} else if (WARN_ON_ONCE(chunk->zone != zone || READ_ONCE(chunk->present))) {
		goto err_free_pages;
	}
	atomic_long_inc(&chunks_taken);
	/* Every page its own, with a reference count of 1: xalloc's. */
	split_page(page, XALLOC_CHUNK_ORDER);
	xalloc_kasan_poison(page_address(page), PAGE_SIZE << XALLOC_CHUNK_ORDER,
			    XALLOC_KASAN_PAGE_FREE);
	spin_lock_irqsave(&zone->lock, flags);
	xalloc_chunk_publish_locked(zone, chunk, pfn, !!fresh);
	spin_unlock_irqrestore(&zone->lock, flags);
	if (fresh) {
		/* Pairs with the lookup's READ_ONCE(): descriptors before the slot. */
		smp_store_release(&xalloc_chunk_table.chunks[idx], chunk);
	}
	return 0;

err_free_pages:
	__free_pages(page, XALLOC_CHUNK_ORDER);
	return -ENOMEM;
}

static void xalloc_zone_free(struct xalloc_zone *zone)
{
	struct xalloc_chunk *chunk, *tmp;

	xalloc_zone_grow_exit(zone);
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
		/* Page by page: those given back already are the kernel's. */
		for (unsigned long i = 0; i < XALLOC_CHUNK_PAGES; i++) {
			if (chunk->desc[i].type == XALLOC_PAGE_GONE)
				continue;
			xalloc_kasan_unpoison(addr + i * PAGE_SIZE, PAGE_SIZE);
			__free_page(pfn_to_page(chunk->pfn + i));
		}
		if (chunk->present)
			atomic_long_inc(&chunks_returned);
		xalloc_chunk_struct_free(chunk);
	}
	kfree(zone);
}

static struct xalloc_zone *xalloc_zone_create(int nid, unsigned long nr_chunks,
					      unsigned long max_pages)
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
	xalloc_zone_grow_init(zone);
	if (xalloc_pcp_init(zone)) {
		xalloc_zone_free(zone);
		return NULL;
	}
	while (zone->nr_chunks < nr_chunks && !xalloc_chunk_carve(zone, GFP_KERNEL))
		;
	/* A node that gives fewer chunks keeps them; one that gives none is skipped. */
	if (zone->nr_chunks < nr_chunks)
		pr_warn("xalloc: node %d: got %u of %lu chunks of %lu KiB\n",
			nid, zone->nr_chunks, nr_chunks,
			(PAGE_SIZE << XALLOC_CHUNK_ORDER) / SZ_1K);
	if (nr_chunks && !zone->nr_chunks) {
		xalloc_zone_free(zone);
		return NULL;
	}
	/* What it got is its floor; it grows up to the cap. */
	xalloc_zone_apply_limits(zone, zone->present_pages,
				 max(max_pages, zone->present_pages));
	return zone;
}

/*
 * A slot for every chunk-aligned range of every node's span, so that a
 * chunk carved later has its slot already: the table never changes size.
 */
static int xalloc_chunk_table_build(void)
{
	unsigned long lo = ULONG_MAX, hi = 0;
	int nid;

	for_each_online_node(nid) {
		if (!node_spanned_pages(nid))
			continue;
		lo = min(lo, node_start_pfn(nid) >> XALLOC_CHUNK_ORDER);
		hi = max(hi, (node_end_pfn(nid) - 1) >> XALLOC_CHUNK_ORDER);
	}
	if (lo > hi)
		return -ENOMEM;
	xalloc_chunk_table.chunks = kvcalloc(hi - lo + 1, sizeof(*xalloc_chunk_table.chunks),
					     GFP_KERNEL);
	if (!xalloc_chunk_table.chunks)
		return -ENOMEM;
	xalloc_chunk_table.base = lo;
	xalloc_chunk_table.len = hi - lo + 1;
	return 0;
}

/**
 * xalloc_zone_init() - carve the zone of every node that has normal memory
 * @pages_per_node: initial zone size per node, rounded up to whole chunks;
 *                  0 for empty zones that grow on demand
 * @max_pages: the cap per node, bounded by each node's memory; at most
 *             @pages_per_node means a zone that never grows
 *
 * A node that gives fewer chunks than asked keeps those it gave and says so
 * in one line; a node that gives none has no zone (unless none was asked).
 *
 * Context: Process context, at module load.
 * Return: 0, or -ENOMEM (every chunk taken given back) when no node could
 * be carved.
 */
int xalloc_zone_init(unsigned long pages_per_node, unsigned long max_pages)
{
	unsigned long nr_chunks = DIV_ROUND_UP(pages_per_node, XALLOC_CHUNK_PAGES);
	int nid, zones = 0;

	if (xalloc_chunk_table_build())
		goto err_free_zones;
	/*
	 * Only nodes with memory the kernel itself can use: a node of movable
	 * memory alone (CXL, movable_node) can't give GFP_KERNEL chunks.
	 */
	for_each_node_state(nid, N_NORMAL_MEMORY) {
		unsigned long cap = min(max_pages, xalloc_zone_node_pages(nid));

		xalloc_zones[nid] = xalloc_zone_create(nid, nr_chunks, cap);
		zones += !!xalloc_zones[nid];
	}
	if (!zones) {
		pr_err("xalloc: no node could be carved\n");
		goto err_free_zones;
	}
	if (xalloc_pcp_hotplug_init())
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
	pr_info("xalloc: returned %ld of %ld chunks\n",
		atomic_long_read(&chunks_returned), atomic_long_read(&chunks_taken));
	atomic_long_set(&chunks_taken, 0);
	atomic_long_set(&chunks_returned, 0);
}

/**
 * xalloc_block_gone_locked() - take a block out of the zone, for the kernel
 * @zone: the block's zone, locked
 * @desc: head of the block, claimed or off the free lists
 * @order: order of the block
 *
 * Every page of the block becomes XALLOC_PAGE_GONE: foreign to every lookup
 * from now on. The caller hands the pages to the kernel with
 * xalloc_block_release() once it has dropped the lock.
 *
 * Context: zone->lock held.
 */
void xalloc_block_gone_locked(struct xalloc_zone *zone, struct xalloc_page *desc,
			      unsigned int order)
{
	struct xalloc_chunk *chunk = desc->chunk;
	unsigned long n = 1UL << order;

	lockdep_assert_held(&zone->lock);
	for (unsigned long i = 0; i < n; i++) {
		desc[i].order = 0;
		desc[i].poisoned = 0;
		WRITE_ONCE(desc[i].type, XALLOC_PAGE_GONE);
	}
	chunk->present -= n;
	zone->present_pages -= n;
	zone->nr_given_back += n;
	if (!chunk->present) {
		zone->nr_chunks--;
		atomic_long_inc(&chunks_returned);
	}
}

/**
 * xalloc_block_release() - drop xalloc's reference on each page of a block
 * @desc: head of a block made XALLOC_PAGE_GONE
 * @order: order of the block
 * @unpoison: the pages are free in the zone (KASAN-poisoned by xalloc)
 *
 * A page nobody else holds goes back to the kernel's page allocator now,
 * another when its last holder drops it.
 *
 * Context: Any context.
 */
void xalloc_block_release(struct xalloc_page *desc, unsigned int order, bool unpoison)
{
	unsigned long pfn = xalloc_desc_pfn(desc);

	for (unsigned long i = 0; i < 1UL << order; i++) {
		if (unpoison)
			xalloc_kasan_unpoison(pfn_to_kaddr(pfn + i), PAGE_SIZE);
		put_page(pfn_to_page(pfn + i));
	}
}

/**
 * xalloc_block_give_back() - give a claimed block to the kernel
 * @desc: head of the block, claimed (no list holds it)
 * @order: order of the block
 * @unpoison: as for xalloc_block_release()
 *
 * Context: Any context.
 */
void xalloc_block_give_back(struct xalloc_page *desc, unsigned int order, bool unpoison)
{
	struct xalloc_zone *zone = desc->chunk->zone;
	unsigned long flags;

	spin_lock_irqsave(&zone->lock, flags);
	xalloc_block_gone_locked(zone, desc, order);
	spin_unlock_irqrestore(&zone->lock, flags);
	xalloc_block_release(desc, order, unpoison);
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
	info->nr_given_back = zone->nr_given_back;
	info->nr_carved = zone->nr_carved;
	info->min_pages = zone->min_pages;
	info->max_pages = zone->max_pages;
	info->low_pages = zone->low_pages;
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
