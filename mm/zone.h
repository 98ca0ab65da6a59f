/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The xalloc zone: per NUMA node, a set of chunks of 2^XALLOC_MAX_ORDER pages
 * taken from the kernel's page allocator, managed by xalloc's own buddy
 * allocator through xalloc's own page descriptors. Each chunk is split into
 * order-0 pages at carve time (split_page()): every page of the zone has a
 * reference count of 1, which is xalloc's (or the caller's, while handed
 * out), and can be given back to the kernel on its own. Apart from that
 * struct page is never written.
 *
 * Invariants, for each zone z (under z->lock):
 *   z->free_pages == sum over o of z->nr_free[o] << o
 *   z->free_pages + pages on per-CPU lists + pages in allocated blocks
 *     == z->present_pages
 *   a descriptor's type is not XALLOC_PAGE_NONE exactly when its page heads a
 *   block (free, on a per-CPU list, allocated, or a slab), is a tail page
 *   of a slab, or was given back to the kernel (XALLOC_PAGE_GONE, every page
 *   of it: not in present_pages any more).
 */
#ifndef _XALLOC_ZONE_H
#define _XALLOC_ZONE_H

#include <linux/list.h>
#include <linux/mm.h>
#include <linux/percpu.h>
#include <linux/preempt.h>
#include <linux/rcupdate.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/workqueue.h>

#include "compat.h"

#define XALLOC_CHUNK_ORDER	XALLOC_MAX_ORDER
#define XALLOC_CHUNK_PAGES	BIT(XALLOC_CHUNK_ORDER)

struct xalloc_chunk;
struct xalloc_cache;

enum xalloc_page_type {
	XALLOC_PAGE_NONE = 0,	/* inside a block, not its head */
	XALLOC_PAGE_FREE,	/* head of a free block, on a free list */
	XALLOC_PAGE_PCP,	/* head of a free block, on a per-CPU list */
	XALLOC_PAGE_ALLOC,	/* head of a block from xalloc_alloc_pages() */
	XALLOC_PAGE_LARGE,	/* head of a large kmalloc block */
	XALLOC_PAGE_SLAB,	/* head of a slab */
	XALLOC_PAGE_SLAB_TAIL,	/* other page of a slab; ->head is the head */
	XALLOC_PAGE_GONE,	/* given back to the kernel: not the zone's */
};

/* A slab's counters, changed together with its freelist. */
union xalloc_slab_counters {
	unsigned long counters;
	struct {
		unsigned int inuse:16;		/* objects not on ->freelist */
		unsigned int objects:15;	/* objects in the slab */
		unsigned int frozen:1;		/* owned by a CPU */
	};
};

/*
 * One descriptor per page of the zone. Fields of a free block are guarded by
 * the zone's lock; fields of a slab by the slab layer (see mm/slub.c).
 */
struct xalloc_page {
	union {
		struct list_head list;	/* free list (zone->lock) or partial list */
		struct rcu_head rcu;	/* slab of a type-safe cache, leaving */
	};
	struct xalloc_chunk *chunk;	/* constant */
	union {
		struct xalloc_page *head;	/* XALLOC_PAGE_SLAB_TAIL */
		struct xalloc_cache *cache;	/* XALLOC_PAGE_SLAB */
		size_t large_size;		/* XALLOC_PAGE_LARGE: requested */
	};
	/* Slab only: changed with xalloc_cmpxchg_aba() (see mm/slub.c). */
	union {
		union xalloc_aba fl;
		struct {
			void *freelist;			/* first free object */
			union xalloc_slab_counters cnt;
		};
	};
	struct xalloc_page *next;	/* slab on a CPU partial list */
	u8 type;			/* enum xalloc_page_type */
	u8 order;			/* block order, valid at block heads */
	u8 poisoned;			/* free block filled with XALLOC_PAGE_POISON */
} __aligned(16);

/* Freed pages are filled with this while page_poison is on. */
#define XALLOC_PAGE_POISON	0xaa
extern bool xalloc_page_poison;

/*
 * A chunk: 2^XALLOC_CHUNK_ORDER contiguous, naturally aligned pages, split
 * into order-0 pages. Invariant (zone->lock):
 *   present == pages of the chunk whose type is not XALLOC_PAGE_GONE
 */
struct xalloc_chunk {
	struct xalloc_zone *zone;
	unsigned long pfn;		/* first page frame */
	unsigned int present;		/* pages still the zone's; zone->lock */
	struct list_head node;		/* in zone->chunks */
	struct xalloc_page *desc;	/* XALLOC_CHUNK_PAGES descriptors */
};

/* Per-CPU page lists hold free blocks of order 0..XALLOC_PCP_MAX_ORDER. */
#define XALLOC_PCP_MAX_ORDER	3
#define XALLOC_PCP_ORDERS	(XALLOC_PCP_MAX_ORDER + 1)

/* One CPU's lists of free blocks of one zone (see mm/pcp.c). */
struct xalloc_pcp {
	spinlock_t lock;		/* guards the rest (mm/pcp.c) */
	unsigned int count;		/* pages on the lists */
	struct list_head lists[XALLOC_PCP_ORDERS];	/* newest first */
};

extern unsigned int xalloc_pcp_high, xalloc_pcp_batch;

struct xalloc_zone {
	spinlock_t lock;		/* guards the fields marked "lock" */
	struct xalloc_pcp __percpu *pcp;	/* constant after load */
	int nid;
	struct list_head free_list[XALLOC_NR_ORDERS];	/* lock */
	unsigned long nr_free[XALLOC_NR_ORDERS];	/* lock */
	unsigned long free_pages;			/* lock */
	unsigned long present_pages;	/* lock */
	unsigned int nr_chunks;		/* lock: chunks with present pages */
	struct list_head chunks;	/* lock; only added to, read without */
	/*
	 * Growth (mm/zone_grow.c), lock:
	 *   min_pages <= present_pages (except after a cap lowered below it)
	 *   present_pages + growing <= max(max_pages, present_pages)
	 */
	unsigned long min_pages;	/* floor: never given back below */
	unsigned long max_pages;	/* cap: never carved beyond */
	unsigned long low_pages;	/* the worker carves while free is below */
	unsigned long growing;		/* pages being carved right now */
	struct xalloc_chunk *spare;	/* descriptors for atomic growth; xchg */
	struct work_struct grow_work;	/* carves up to low_pages, refills spare */
	unsigned long given_back_at;	/* jiffies of the last give-back; lock */
	unsigned long nr_carved;	/* lock: chunks carved since load */
	unsigned long nr_given_back;	/* lock: pages given to the kernel */
	/* Event counters, lock. */
	unsigned long nr_alloc;
	unsigned long nr_freed;
	unsigned long nr_split;
	unsigned long nr_merge;
	unsigned long nr_failed;
};

/* A consistent copy of a zone's counters, for debugfs and tests. */
struct xalloc_zone_info {
	int nid;
	unsigned int nr_chunks;
	unsigned long present_pages;
	unsigned long free_pages;	/* on the zone's free lists */
	unsigned long pcp_pages;	/* on per-CPU lists, at about that time */
	unsigned long nr_free[XALLOC_NR_ORDERS];
	unsigned long nr_alloc;
	unsigned long nr_freed;
	unsigned long nr_split;
	unsigned long nr_merge;
	unsigned long nr_failed;
	unsigned long nr_given_back;	/* pages given back to the kernel */
	unsigned long nr_carved;	/* chunks carved since load */
	unsigned long min_pages;
	unsigned long max_pages;
	unsigned long low_pages;
};

extern struct xalloc_zone *xalloc_zones[MAX_NUMNODES];

static inline struct xalloc_zone *xalloc_zone_of(int nid)
{
	return nid >= 0 && nid < MAX_NUMNODES ? xalloc_zones[nid] : NULL;
}

int xalloc_zone_init(unsigned long pages_per_node, unsigned long max_pages);
struct xalloc_chunk *xalloc_chunk_struct_alloc(int nid, gfp_t gfp);
void xalloc_chunk_struct_free(struct xalloc_chunk *chunk);
int xalloc_chunk_carve(struct xalloc_zone *zone, gfp_t gfp);

/* Growth (mm/zone_grow.c). */
unsigned long xalloc_zone_node_pages(int nid);
void xalloc_zone_grow_init(struct xalloc_zone *zone);
void xalloc_zone_grow_exit(struct xalloc_zone *zone);
int xalloc_zone_apply_limits(struct xalloc_zone *zone, unsigned long min_pages,
			     unsigned long max_pages);
int xalloc_zone_set_limits(int nid, unsigned long min_pages, unsigned long max_pages);
void xalloc_zone_grow_flush(int nid);
bool xalloc_zone_grow(struct xalloc_zone *zone, gfp_t gfp);
void xalloc_zone_kick(struct xalloc_zone *zone);

/* Whether the worker should carve: free below the low watermark, room left. */
static inline bool xalloc_zone_below_low_locked(struct xalloc_zone *zone)
{
	return unlikely(zone->free_pages < zone->low_pages) &&
	       zone->present_pages + zone->growing + XALLOC_CHUNK_PAGES <= zone->max_pages;
}

/* Giving back (mm/zone_shrink.c). */
unsigned long xalloc_zone_reclaimable(int nid);
unsigned long xalloc_zone_give_back(int nid, unsigned long max);
void xalloc_zone_exit(void);

/*
 * Chunk lookup by page frame number: chunks are naturally aligned, so
 * pfn >> XALLOC_CHUNK_ORDER indexes a table with a slot for every chunk of
 * every node's span, allocated at load. Read without locks: a slot goes
 * from NULL to its chunk once (smp_store_release() after the descriptors
 * are set up) and keeps it until unload, given back or not.
 */
struct xalloc_chunk_table {
	unsigned long base;		/* pfn >> XALLOC_CHUNK_ORDER of entry 0 */
	unsigned long len;
	struct xalloc_chunk **chunks;	/* NULL where no chunk of ours lies */
};

extern struct xalloc_chunk_table xalloc_chunk_table;

/*
 * Descriptor of page frame @pfn if a chunk of the zone holds it, NULL if
 * none does; the page may have been given back (XALLOC_PAGE_GONE).
 */
static inline struct xalloc_page *__xalloc_pfn_desc(unsigned long pfn)
{
	unsigned long idx = (pfn >> XALLOC_CHUNK_ORDER) - xalloc_chunk_table.base;
	struct xalloc_chunk *chunk;

	if (unlikely(idx >= xalloc_chunk_table.len))
		return NULL;
	chunk = READ_ONCE(xalloc_chunk_table.chunks[idx]);
	if (unlikely(!chunk))
		return NULL;
	return &chunk->desc[pfn & (XALLOC_CHUNK_PAGES - 1)];
}

/* Descriptor of page frame @pfn, or NULL if the page is not in the zone. */
static inline struct xalloc_page *xalloc_pfn_desc(unsigned long pfn)
{
	struct xalloc_page *desc = __xalloc_pfn_desc(pfn);

	if (unlikely(!desc))
		return NULL;
	/* A page given back is the kernel's: foreign, as if never carved. */
	if (unlikely(READ_ONCE(desc->type) == XALLOC_PAGE_GONE))
		return NULL;
	return desc;
}

bool xalloc_zone_info(int nid, struct xalloc_zone_info *info);
bool xalloc_zone_check(int nid);
bool xalloc_free_block_ok(struct xalloc_zone *zone, struct xalloc_page *desc,
			  unsigned int order, enum xalloc_page_type type);
bool xalloc_block_poison_ok(struct xalloc_page *desc, const char *when);
bool xalloc_block_poison_range_ok(struct xalloc_page *desc, size_t offset,
				  size_t len, const char *when);

static inline unsigned long xalloc_desc_pfn(const struct xalloc_page *desc)
{
	return desc->chunk->pfn + (desc - desc->chunk->desc);
}

static inline void *xalloc_desc_address(const struct xalloc_page *desc)
{
	return pfn_to_kaddr(xalloc_desc_pfn(desc));
}

/*
 * Descriptor of the page holding @addr, or NULL if it is not in the zone.
 * Any address may be asked about: x86-64 maps all physical memory linearly
 * at PAGE_OFFSET and places every other kernel mapping (vmalloc, vmemmap,
 * modules, text) above that map, so an address's offset from PAGE_OFFSET
 * lands in a chunk only when it is the direct-map address of a page of it.
 */
static inline struct xalloc_page *xalloc_addr_desc(const void *addr)
{
	unsigned long a = (unsigned long)addr;

	if (unlikely(a < PAGE_OFFSET))
		return NULL;
	return xalloc_pfn_desc((a - PAGE_OFFSET) >> PAGE_SHIFT);
}

/* xalloc_addr_desc() that leaves a page given back to the caller's type test. */
static inline struct xalloc_page *__xalloc_addr_desc(const void *addr)
{
	unsigned long a = (unsigned long)addr;

	if (unlikely(a < PAGE_OFFSET))
		return NULL;
	return __xalloc_pfn_desc((a - PAGE_OFFSET) >> PAGE_SHIFT);
}

/* Block allocation inside the zone, used by the page API and the slab layer. */
struct xalloc_page *xalloc_buddy_alloc(int nid, gfp_t gfp, unsigned int order,
				       enum xalloc_page_type type);
bool xalloc_buddy_free(struct xalloc_page *desc, unsigned int order,
		       enum xalloc_page_type type);
struct xalloc_page *xalloc_rmqueue_locked(struct xalloc_zone *zone,
					  unsigned int order,
					  enum xalloc_page_type type);
void xalloc_free_one_locked(struct xalloc_zone *zone, struct xalloc_page *desc,
			    unsigned int order);
void xalloc_block_gone_locked(struct xalloc_zone *zone, struct xalloc_page *desc,
			      unsigned int order);
void xalloc_block_release(struct xalloc_page *desc, unsigned int order, bool unpoison);
void xalloc_block_give_back(struct xalloc_page *desc, unsigned int order, bool unpoison);

/* Per-CPU page lists (mm/pcp.c). */
int xalloc_pcp_set(unsigned int high, unsigned int batch);
struct xalloc_page *xalloc_pcp_refill(struct xalloc_zone *zone, struct xalloc_pcp *pcp,
				      unsigned int order);
void xalloc_pcp_trim(struct xalloc_zone *zone, struct xalloc_pcp *pcp, unsigned int high);
unsigned long xalloc_pcp_drain_zone(struct xalloc_zone *zone);
unsigned long xalloc_pcp_pages(struct xalloc_zone *zone, int cpu);
bool xalloc_pcp_check(struct xalloc_zone *zone);
int xalloc_pcp_init(struct xalloc_zone *zone);
void xalloc_pcp_exit(struct xalloc_zone *zone);
int xalloc_pcp_hotplug_init(void);
void xalloc_pcp_hotplug_exit(void);

/* The zone without the lists, its lock taken and dropped (mm/buddy.c). */
struct xalloc_page *xalloc_zone_rmqueue(struct xalloc_zone *zone, unsigned int order,
					enum xalloc_page_type type);
void xalloc_zone_free_one(struct xalloc_zone *zone, struct xalloc_page *desc,
			  unsigned int order);

/* Whether blocks of @order go through the per-CPU lists. */
static inline bool xalloc_pcp_order(unsigned int order)
{
	return order <= XALLOC_PCP_MAX_ORDER && READ_ONCE(xalloc_pcp_high);
}

/*
 * This CPU's lists of @zone, locked as the kernel locks its own: preemption
 * off and a trylock, interrupts left on. The trylock fails when this CPU
 * took the lock in the code an interrupt came in on, or when another CPU
 * drains the lists: then the caller uses the zone itself. A UP spinlock
 * never fails, so there interrupts go off instead (*@flags).
 * Return: true with *@pcp locked, false if busy.
 */
static __always_inline bool xalloc_pcp_trylock(struct xalloc_zone *zone, struct xalloc_pcp **pcp,
					       unsigned long *flags)
{
	if (!IS_ENABLED(CONFIG_SMP))
		local_irq_save(*flags);
	preempt_disable();
	*pcp = this_cpu_ptr(zone->pcp);
	if (likely(spin_trylock(&(*pcp)->lock)))
		return true;
	preempt_enable();
	if (!IS_ENABLED(CONFIG_SMP))
		local_irq_restore(*flags);
	return false;
}

static __always_inline void xalloc_pcp_unlock(struct xalloc_pcp *pcp, unsigned long flags)
{
	spin_unlock(&pcp->lock);
	preempt_enable();
	if (!IS_ENABLED(CONFIG_SMP))
		local_irq_restore(flags);
}

/**
 * xalloc_pcp_alloc() - take a block from this CPU's list of a zone
 * @zone: the zone
 * @order: 0..XALLOC_PCP_MAX_ORDER
 * @type: what the block becomes
 *
 * Refills the list with a batch from the zone when it is empty; takes the
 * block from the zone when the list is busy (see xalloc_pcp_trylock()).
 *
 * Context: Any context.
 * Return: the block's descriptor, or NULL if the list and the zone have no
 * block of @order.
 */
static __always_inline struct xalloc_page *xalloc_pcp_alloc(struct xalloc_zone *zone,
							    unsigned int order,
							    enum xalloc_page_type type)
{
	struct xalloc_page *desc;
	struct xalloc_pcp *pcp;
	unsigned long flags = 0;

	if (unlikely(!xalloc_pcp_trylock(zone, &pcp, &flags)))
		return xalloc_zone_rmqueue(zone, order, type);
	if (likely(!list_empty(&pcp->lists[order]))) {
		desc = list_first_entry(&pcp->lists[order], struct xalloc_page, list);
		list_del(&desc->list);
		pcp->count -= 1U << order;
	} else {
		desc = xalloc_pcp_refill(zone, pcp, order);
	}
	if (likely(desc))
		desc->type = type;
	xalloc_pcp_unlock(pcp, flags);
	return desc;
}

/**
 * xalloc_pcp_free() - put a freed block on this CPU's list of its zone
 * @desc: head of the block, already claimed (its type is XALLOC_PAGE_PCP)
 * @order: 0..XALLOC_PCP_MAX_ORDER
 *
 * Gives a batch back to the zone when the list grows beyond pcp_high; gives
 * the block itself back when the list is busy.
 *
 * Context: Any context.
 */
static __always_inline void xalloc_pcp_free(struct xalloc_page *desc, unsigned int order)
{
	struct xalloc_zone *zone = desc->chunk->zone;
	unsigned int high = READ_ONCE(xalloc_pcp_high);
	struct xalloc_pcp *pcp;
	unsigned long flags = 0;

	if (unlikely(!xalloc_pcp_trylock(zone, &pcp, &flags))) {
		xalloc_zone_free_one(zone, desc, order);
		return;
	}
	list_add(&desc->list, &pcp->lists[order]);
	pcp->count += 1U << order;
	if (unlikely(pcp->count > high))
		xalloc_pcp_trim(zone, pcp, high);
	xalloc_pcp_unlock(pcp, flags);
}

#endif /* _XALLOC_ZONE_H */
