// SPDX-License-Identifier: GPL-2.0
/*
 * The buddy allocator of the xalloc zone: a free list per order, split on
 * allocation, merge with the buddy at index ^ (1 << order) on free. Both are
 * O(1) per order step: buddies are found by index, never by a list scan.
 * Blocks of order 0..XALLOC_PCP_MAX_ORDER go through per-CPU lists
 * (mm/pcp.c) unless pcp_high is 0.
 *
 * A free claims the block first, by changing its type with cmpxchg, so that
 * of two racing frees of one block only one goes on; the other is reported.
 *
 * Lock order (outer first):
 *   1. pcp->lock		(mm/pcp.c) one CPU's lists of one zone
 *   2. zone->lock		free lists and counters of one node's zone
 *   3. xalloc_report_lock	(mm/report.c) lines of one report
 */

#include <linux/export.h>
#include <linux/highmem.h>
#include <linux/moduleparam.h>
#include <linux/sched/mm.h>
#include <linux/topology.h>

#include <xalloc/xalloc.h>

#include "fail.h"
#include "kasan.h"
#include "report.h"
#include "zone.h"

bool xalloc_page_poison;
EXPORT_SYMBOL_GPL(xalloc_page_poison);
module_param_named(page_poison, xalloc_page_poison, bool, 0644);
MODULE_PARM_DESC(page_poison, "fill freed pages with 0xaa and check them when handed out again");

static void xalloc_free_list_add(struct xalloc_zone *zone, struct xalloc_page *desc,
				 unsigned int order, bool poisoned)
{
	desc->poisoned = poisoned;
	desc->type = XALLOC_PAGE_FREE;
	desc->order = order;
	list_add(&desc->list, &zone->free_list[order]);
	zone->nr_free[order]++;
}

static void xalloc_free_list_del(struct xalloc_zone *zone,
				 struct xalloc_page *desc, unsigned int order)
{
	list_del(&desc->list);
	zone->nr_free[order]--;
}

/**
 * xalloc_rmqueue_locked() - take a block off the zone's free lists
 * @zone: the zone, locked
 * @order: order of the block
 * @type: what the block becomes
 *
 * Splits the smallest larger block if no block of @order is free.
 *
 * Context: zone->lock held.
 * Return: the block's descriptor, or NULL.
 */
struct xalloc_page *xalloc_rmqueue_locked(struct xalloc_zone *zone,
					  unsigned int order,
					  enum xalloc_page_type type)
{
	struct xalloc_page *desc;
	unsigned int o;

	lockdep_assert_held(&zone->lock);
	for (o = order; o < XALLOC_NR_ORDERS; o++) {
		desc = list_first_entry_or_null(&zone->free_list[o],
						struct xalloc_page, list);
		if (desc)
			break;
	}
	if (!desc)
		return NULL;
	xalloc_free_list_del(zone, desc, o);
	/* Give back the upper halves until the block has the wanted order. */
	while (o > order) {
		o--;
		xalloc_free_list_add(zone, desc + (1UL << o), o, desc->poisoned);
		zone->nr_split++;
	}
	desc->order = order;
	desc->type = type;
	zone->free_pages -= 1UL << order;
	zone->nr_alloc++;
	if (xalloc_zone_below_low_locked(zone))
		xalloc_zone_kick(zone);
	return desc;
}

/**
 * xalloc_zone_rmqueue() - take a block off the zone's free lists
 * @zone: the zone
 * @order: order of the block
 * @type: what the block becomes
 *
 * Context: Any context; takes zone->lock.
 * Return: the block's descriptor, or NULL.
 */
struct xalloc_page *xalloc_zone_rmqueue(struct xalloc_zone *zone, unsigned int order,
					enum xalloc_page_type type)
{
	struct xalloc_page *desc;
	unsigned long flags;

	spin_lock_irqsave(&zone->lock, flags);
	desc = xalloc_rmqueue_locked(zone, order, type);
	spin_unlock_irqrestore(&zone->lock, flags);
	return desc;
}

/**
 * xalloc_zone_free_one() - put a block on the zone's free lists
 * @zone: the block's zone
 * @desc: head of the block, claimed for freeing
 * @order: order of the block
 *
 * Context: Any context; takes zone->lock.
 */
void xalloc_zone_free_one(struct xalloc_zone *zone, struct xalloc_page *desc,
			  unsigned int order)
{
	unsigned long flags;

	spin_lock_irqsave(&zone->lock, flags);
	xalloc_free_one_locked(zone, desc, order);
	spin_unlock_irqrestore(&zone->lock, flags);
}

/*
 * No block of @order on this CPU's list nor on @zone's free lists: the
 * blocks on the CPUs' lists may be what is missing, or what keeps buddies
 * from merging: give them all back and try the zone once more. Not when the
 * zone and the lists together hold fewer pages than asked (read without
 * locks): then a drain can't help, and an exhausted zone would make every
 * failed allocation take every CPU's list lock.
 */
static noinline struct xalloc_page *xalloc_zone_take_drained(struct xalloc_zone *zone,
							     unsigned int order,
							     enum xalloc_page_type type)
{
	if (READ_ONCE(zone->free_pages) + xalloc_pcp_pages(zone, -1) < (1UL << order) ||
	    !xalloc_pcp_drain_zone(zone))
		return NULL;
	return xalloc_zone_rmqueue(zone, order, type);
}

/* A block of @zone, from this CPU's list for small orders, else as above. */
static __always_inline struct xalloc_page *xalloc_zone_take(struct xalloc_zone *zone,
							    unsigned int order,
							    enum xalloc_page_type type)
{
	struct xalloc_page *desc;

	if (xalloc_pcp_order(order))
		desc = xalloc_pcp_alloc(zone, order, type);
	else
		desc = xalloc_zone_rmqueue(zone, order, type);
	if (likely(desc))
		return desc;
	return xalloc_zone_take_drained(zone, order, type);
}

/*
 * @zone has no block: it grows by a chunk (within its cap, as @gfp allows:
 * see mm/zone_grow.c) and is asked again. Twice at most: a racing CPU may
 * have taken the new chunk's pages.
 */
static noinline struct xalloc_page *xalloc_zone_grow_take(struct xalloc_zone *zone, gfp_t gfp,
							  unsigned int order,
							  enum xalloc_page_type type)
{
	struct xalloc_page *desc = NULL;

	for (int i = 0; !desc && i < 2 && xalloc_zone_grow(zone, gfp); i++)
		desc = xalloc_zone_take(zone, order, type);
	return desc;
}

/* A block of @zone as above; when it has none, the zone grows. */
static __always_inline struct xalloc_page *xalloc_zone_alloc(struct xalloc_zone *zone,
							     gfp_t gfp, unsigned int order,
							     enum xalloc_page_type type)
{
	struct xalloc_page *desc = xalloc_zone_take(zone, order, type);

	if (unlikely(!desc))
		desc = xalloc_zone_grow_take(zone, gfp, order, type);
	return desc;
}

/*
 * The rest of an allocation whose preferred @zone (NULL if @nid has none)
 * had no block: the other nodes unless __GFP_THISNODE, and the count of
 * failures. @zone is NULL with @fail: an injected failure.
 */
static noinline struct xalloc_page *xalloc_buddy_alloc_other(struct xalloc_zone *zone, int nid,
							     gfp_t gfp, unsigned int order,
							     enum xalloc_page_type type, bool fail)
{
	struct xalloc_page *desc = NULL;
	unsigned long flags;

	for (int i = 1; !fail && !(gfp & __GFP_THISNODE) && i < nr_node_ids; i++) {
		struct xalloc_zone *other = xalloc_zone_of((nid + i) % nr_node_ids);

		if (other)
			desc = xalloc_zone_alloc(other, gfp, order, type);
		if (desc)
			return desc;
	}
	if (zone) {
		spin_lock_irqsave(&zone->lock, flags);
		zone->nr_failed++;
		spin_unlock_irqrestore(&zone->lock, flags);
	}
	return NULL;
}

/* xalloc_buddy_alloc(), inline in the page API's exported functions. */
static __always_inline struct xalloc_page *__xalloc_buddy_alloc(int nid, gfp_t gfp,
								unsigned int order,
								enum xalloc_page_type type)
{
	struct xalloc_zone *zone;
	struct xalloc_page *desc = NULL;

	might_alloc(gfp);
	if (unlikely(order > XALLOC_MAX_ORDER))
		return NULL;
	if (nid == NUMA_NO_NODE)
		nid = numa_mem_id();
	else if (unlikely(nid < 0 || nid >= nr_node_ids))
		return NULL;
	zone = xalloc_zone_of(nid);
	if (unlikely(!zone) && (gfp & __GFP_THISNODE))
		return NULL;
	if (unlikely(xalloc_should_fail(XALLOC_FAIL_BUDDY)))
		return xalloc_buddy_alloc_other(zone, nid, gfp, order, type, true);
	if (likely(zone))
		desc = xalloc_zone_alloc(zone, gfp, order, type);
	if (unlikely(!desc)) {
		desc = xalloc_buddy_alloc_other(zone, nid, gfp, order, type, false);
		if (!desc)
			return NULL;
	}
	if (unlikely(desc->poisoned)) {
		xalloc_block_poison_ok(desc, "handed out");
		desc->poisoned = 0;
	}
	xalloc_kasan_unpoison(xalloc_desc_address(desc), PAGE_SIZE << order);
	/* A slab's objects are initialised one by one (mm/slub.c). */
	if (type != XALLOC_PAGE_SLAB && want_init_on_alloc(gfp))
		memset(xalloc_desc_address(desc), 0, PAGE_SIZE << order);
	return desc;
}

/**
 * xalloc_buddy_alloc() - allocate a block of the zone
 * @nid: preferred node, or NUMA_NO_NODE for the local one
 * @gfp: allocation flags; __GFP_THISNODE and __GFP_ZERO are honoured
 * @order: the block has 2^@order pages
 * @type: what the block becomes (a page block, a slab, a large kmalloc)
 *
 * Tries @nid first and then, unless __GFP_THISNODE, the other nodes in turn;
 * each zone grows by a chunk, within its cap, when it has no block. A @nid
 * that is neither NUMA_NO_NODE nor a possible node gets NULL.
 *
 * Context: Any context; sleeps only to grow the zone, if @gfp allows.
 * Return: the descriptor of the block's first page, or NULL.
 */
struct xalloc_page *xalloc_buddy_alloc(int nid, gfp_t gfp, unsigned int order,
				       enum xalloc_page_type type)
{
	return __xalloc_buddy_alloc(nid, gfp, order, type);
}

static const char *const xalloc_page_type_name[] = {
	[XALLOC_PAGE_NONE] = "inside a block",
	[XALLOC_PAGE_FREE] = "free",
	[XALLOC_PAGE_PCP] = "free, on a per-CPU list",
	[XALLOC_PAGE_ALLOC] = "allocated pages",
	[XALLOC_PAGE_LARGE] = "a large kmalloc block",
	[XALLOC_PAGE_SLAB] = "a slab",
	[XALLOC_PAGE_SLAB_TAIL] = "inside a slab",
	[XALLOC_PAGE_GONE] = "given back to the kernel",
};

/* Why @desc, now of type @now, can't be freed as a block of @type and @order. */
static noinline void xalloc_free_report(struct xalloc_page *desc, unsigned int order,
					enum xalloc_page_type type, u8 now)
{
	const void *addr = xalloc_desc_address(desc);

	if ((now == XALLOC_PAGE_FREE || now == XALLOC_PAGE_PCP) && desc->order == order)
		xalloc_report("zone", addr, "double free of order-%u block", order);
	else if (now != type)
		xalloc_report("zone", addr, "free of order-%u block: page is %s",
			      order, xalloc_page_type_name[now]);
	else
		xalloc_report("zone", addr, "free with order %u of a block of order %u",
			      order, desc->order);
}

/*
 * Claim the block at @desc for freeing: check that it heads a block of @type
 * and @order and make it @to in one cmpxchg. Report and return false if it
 * does not, in particular if it is already free or a racing free won.
 */
static inline bool xalloc_free_claim(struct xalloc_page *desc, unsigned int order,
				     enum xalloc_page_type type, enum xalloc_page_type to)
{
	u8 now = READ_ONCE(desc->type);

	if (likely(now == type && desc->order == order)) {
		now = cmpxchg(&desc->type, type, to);
		if (likely(now == type))
			return true;
	}
	xalloc_free_report(desc, order, type, now);
	return false;
}

/**
 * xalloc_free_one_locked() - put a block on the zone's free lists
 * @zone: the block's zone, locked
 * @desc: head of the block, claimed for freeing
 * @order: order of the block
 *
 * Merges the block with its free buddies, as far as they go; the merged
 * block is poisoned if every part was (desc->poisoned).
 *
 * Context: zone->lock held.
 */
void xalloc_free_one_locked(struct xalloc_zone *zone, struct xalloc_page *desc,
			    unsigned int order)
{
	struct xalloc_page *base = desc->chunk->desc, *buddy;
	unsigned long idx = desc - base;
	bool poisoned = desc->poisoned;

	lockdep_assert_held(&zone->lock);
	zone->free_pages += 1UL << order;
	zone->nr_freed++;
	while (order < XALLOC_MAX_ORDER) {
		buddy = &base[idx ^ (1UL << order)];
		if (buddy->type != XALLOC_PAGE_FREE || buddy->order != order)
			break;
		xalloc_free_list_del(zone, buddy, order);
		poisoned &= buddy->poisoned;
		/* Only the lower of the two stays a block head. */
		base[idx | (1UL << order)].type = XALLOC_PAGE_NONE;
		idx &= ~(1UL << order);
		order++;
		zone->nr_merge++;
	}
	xalloc_free_list_add(zone, &base[idx], order, poisoned);
}

/**
 * xalloc_block_poison_ok() - check that a poisoned free block is intact
 * @desc: head of a block freed while page_poison was on
 * @when: for the report: when the check runs
 *
 * Context: Any context; the block must not change meanwhile.
 * Return: true if intact; false after reporting the first bad byte.
 */
bool xalloc_block_poison_ok(struct xalloc_page *desc, const char *when)
{
	return xalloc_block_poison_range_ok(desc, 0, PAGE_SIZE << desc->order, when);
}

/**
 * xalloc_block_poison_range_ok() - check part of a poisoned free block
 * @desc: head of a block freed while page_poison was on
 * @offset: first byte to check, from the block's start
 * @len: bytes to check
 * @when: for the report: when the check runs
 *
 * Context: Any context; the block must not change meanwhile.
 * Return: true if intact; false after reporting the first bad byte.
 */
bool xalloc_block_poison_range_ok(struct xalloc_page *desc, size_t offset,
				  size_t len, const char *when)
{
	u8 *addr = xalloc_desc_address(desc), *bad;

	xalloc_kasan_disable();
	bad = memchr_inv(addr + offset, XALLOC_PAGE_POISON, len);
	xalloc_kasan_enable();
	if (likely(!bad))
		return true;
	xalloc_report("zone", bad,
		      "poison overwritten at offset %ld of a free order-%u block %s: 0x%02x instead of 0x%02x",
		      (long)(bad - addr), desc->order, when, *bad, XALLOC_PAGE_POISON);
	return false;
}

/*
 * The rest of a free, once the block at @desc is claimed: poison or clear
 * it as asked, then onto this CPU's list (@pcp) or the zone's free lists.
 */
static __always_inline void xalloc_buddy_release(struct xalloc_page *desc, unsigned int order,
						 enum xalloc_page_type type, bool pcp)
{
	bool poisoned = READ_ONCE(xalloc_page_poison);

	if (poisoned)
		memset(xalloc_desc_address(desc), XALLOC_PAGE_POISON, PAGE_SIZE << order);
	else if (type != XALLOC_PAGE_SLAB && want_init_on_free())
		memset(xalloc_desc_address(desc), 0, PAGE_SIZE << order);
	xalloc_kasan_poison(xalloc_desc_address(desc), PAGE_SIZE << order,
			    XALLOC_KASAN_PAGE_FREE);
	desc->poisoned = poisoned;
	if (pcp)
		xalloc_pcp_free(desc, order);
	else
		xalloc_zone_free_one(desc->chunk->zone, desc, order);
}

/**
 * xalloc_buddy_free() - give a block back to the zone
 * @desc: descriptor of the block's first page
 * @order: order it was allocated with
 * @type: what it was allocated as
 *
 * Reports (and leaves the zone untouched) when @desc is not the head of a
 * block of that @order and @type, in particular when it is already free.
 *
 * Context: Any context.
 * Return: true if the block was freed.
 */
bool xalloc_buddy_free(struct xalloc_page *desc, unsigned int order,
		       enum xalloc_page_type type)
{
	bool pcp = xalloc_pcp_order(order);

	if (!xalloc_free_claim(desc, order, type,
			       pcp ? XALLOC_PAGE_PCP : XALLOC_PAGE_NONE))
		return false;
	xalloc_buddy_release(desc, order, type, pcp);
	return true;
}

/* Refused: the caller at @ip asked for a compound block. */
static noinline void xalloc_pages_comp_refused(unsigned long ip)
{
	pr_warn_ratelimited("xalloc: %pS: __GFP_COMP is not supported: no compound pages from xalloc_alloc_pages(), NULL\n",
			    (void *)ip);
}

static __always_inline struct page *__xalloc_alloc_pages(int nid, gfp_t gfp, unsigned int order,
							 unsigned long ip)
{
	struct xalloc_page *desc;

	if (unlikely(order && (gfp & __GFP_COMP))) {
		xalloc_pages_comp_refused(ip);
		return NULL;
	}
	desc = __xalloc_buddy_alloc(nid, gfp, order, XALLOC_PAGE_ALLOC);
	return desc ? pfn_to_page(xalloc_desc_pfn(desc)) : NULL;
}

/**
 * xalloc_alloc_pages_node() - allocate 2^@order pages from the xalloc zone
 * @nid: preferred node, or NUMA_NO_NODE for the local node
 * @gfp: allocation flags: __GFP_THISNODE forbids other nodes, __GFP_ZERO
 *       clears the pages; GFP_ATOMIC callers are fine: xalloc sleeps only
 *       to grow the zone, when @gfp allows.
 *       __GFP_COMP is refused (a warning and NULL) for @order above 0.
 * @order: 0 to the kernel's largest page order
 *
 * The block is what alloc_pages() without __GFP_COMP gives, except that
 * every page of it, not only the first, has a reference count of 1: each
 * page can take get_page()/put_page() pairs (vm_insert_page() does).
 *
 * Context: Any context; sleeps only as @gfp allows.
 * Return: the first page of a naturally aligned block, or NULL if @order is
 * too large or no zone allowed by @nid and @gfp has a free block of @order.
 */
struct page *xalloc_alloc_pages_node(int nid, gfp_t gfp, unsigned int order)
{
	return __xalloc_alloc_pages(nid, gfp, order, _RET_IP_);
}
EXPORT_SYMBOL_GPL(xalloc_alloc_pages_node);

/**
 * xalloc_alloc_pages() - allocate 2^@order pages, preferring the local node
 * @gfp: allocation flags, as for xalloc_alloc_pages_node()
 * @order: 0 to the kernel's largest page order
 *
 * Context: Any context.
 * Return: the first page of the block, or NULL.
 */
struct page *xalloc_alloc_pages(gfp_t gfp, unsigned int order)
{
	return __xalloc_alloc_pages(NUMA_NO_NODE, gfp, order, _RET_IP_);
}
EXPORT_SYMBOL_GPL(xalloc_alloc_pages);

/* The first page of @page's 2^@order whose count is not 1, or NULL. */
static struct page *xalloc_block_shared_find(struct page *page, unsigned int order)
{
	for (unsigned long i = 0; i < 1UL << order; i++)
		if (page_ref_count(page + i) != 1)
			return page + i;
	return NULL;
}

/*
 * As xalloc_block_shared_find(), with one test per eight pages: the kernel's
 * free touches every page's struct page too, but a branch per page costs
 * more than the loads.
 */
static __always_inline struct page *xalloc_block_shared(struct page *page, unsigned int order)
{
	unsigned long n = 1UL << order;
	int bad = 0;

	if (n < 8) {
		for (unsigned long i = 0; i < n; i++)
			bad |= page_ref_count(page + i) ^ 1;
	} else {
		for (struct page *p = page; !bad && p < page + n; p += 8)
			bad = (page_ref_count(p) ^ 1) | (page_ref_count(p + 1) ^ 1) |
			      (page_ref_count(p + 2) ^ 1) | (page_ref_count(p + 3) ^ 1) |
			      (page_ref_count(p + 4) ^ 1) | (page_ref_count(p + 5) ^ 1) |
			      (page_ref_count(p + 6) ^ 1) | (page_ref_count(p + 7) ^ 1);
	}
	return unlikely(bad) ? xalloc_block_shared_find(page, order) : NULL;
}

/*
 * Free of a block of which page @held is still referenced by someone else:
 * report it, and give the block to the kernel instead of reusing it. Each
 * page goes back to the kernel's page allocator when its last reference is
 * dropped: at once for pages only xalloc held.
 */
static noinline void xalloc_free_held(struct xalloc_page *desc, struct page *page,
				      unsigned int order, struct page *held)
{
	if (!xalloc_free_claim(desc, order, XALLOC_PAGE_ALLOC, XALLOC_PAGE_NONE))
		return;
	xalloc_report("zone", page_address(held),
		      "free of order-%u block while page %ld of it has %d references: given back to the kernel, not reused",
		      order, (long)(held - page), page_ref_count(held));
	xalloc_block_give_back(desc, order, false);
}

static noinline void xalloc_pages_foreign(struct page *page, unsigned int order)
{
	xalloc_report("zone", page_address(page),
		      "free of a page outside the zone (order %u)", order);
}

/**
 * xalloc_free_pages() - free pages from xalloc_alloc_pages()
 * @page: first page of the block; NULL is ignored
 * @order: the order it was allocated with
 *
 * A page outside the zone, not heading an allocated block, freed with
 * another order or freed twice is reported as "xalloc: BUG zone: ..." and
 * left alone. A block a page of which someone still holds a reference to
 * (get_page() without put_page()) is reported too, and leaves the zone: its
 * pages go to the kernel's page allocator when their references drop.
 *
 * Context: Any context.
 */
void xalloc_free_pages(struct page *page, unsigned int order)
{
	struct xalloc_page *desc;
	struct page *held;
	bool pcp;
	u8 now;

	if (unlikely(!page))
		return;
	desc = __xalloc_pfn_desc(page_to_pfn(page));
	if (unlikely(!desc))
		goto foreign;
	/*
	 * The claim of xalloc_free_claim(), with the reference counts read
	 * between its check and its cmpxchg.
	 */
	now = READ_ONCE(desc->type);
	if (likely(now == XALLOC_PAGE_ALLOC && desc->order == order)) {
		held = xalloc_block_shared(page, order);
		if (unlikely(held)) {
			xalloc_free_held(desc, page, order, held);
			return;
		}
		pcp = xalloc_pcp_order(order);
		now = cmpxchg(&desc->type, XALLOC_PAGE_ALLOC,
			      pcp ? XALLOC_PAGE_PCP : XALLOC_PAGE_NONE);
		if (likely(now == XALLOC_PAGE_ALLOC)) {
			xalloc_buddy_release(desc, order, XALLOC_PAGE_ALLOC, pcp);
			return;
		}
	}
	/* A page given back is the kernel's: foreign, as if never carved. */
	if (now != XALLOC_PAGE_GONE) {
		xalloc_free_report(desc, order, XALLOC_PAGE_ALLOC, now);
		return;
	}
foreign:
	xalloc_pages_foreign(page, order);
}
EXPORT_SYMBOL_GPL(xalloc_free_pages);
