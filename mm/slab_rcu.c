// SPDX-License-Identifier: GPL-2.0
/*
 * RCU for the SLUB layer: type-safe caches, and frees after a grace period.
 *
 * XALLOC_TYPESAFE_BY_RCU: an object of such a cache may be reused at once,
 * but the memory of its slab stays a slab of the cache until a grace period
 * has passed since the slab was discarded; the slab's descriptor carries the
 * rcu_head, and the slab counts as the cache's until then. A reader under
 * rcu_read_lock() thus always finds an object of the type, possibly another
 * one than it looked for. The free pointer lives outside the object and the
 * free leaves its bytes alone (mm/slub.c, mm/slub_debug.c).
 *
 * xalloc_kfree_rcu() and xalloc_cache_free_rcu(): each CPU fills a block of
 * object pointers, one page from the kernel's page allocator; a full block
 * or one older than XALLOC_RCU_DELAY goes to queue_rcu_work() whole, and
 * after the grace period a work item of xalloc_rcu_wq hands the objects back
 * in bulk, runs of one cache at a time through xalloc_cache_free_bulk(): in
 * process context, as the kernel's kfree_rcu() batches are, not in the RCU
 * softirq that interrupts whatever the CPU runs. Without a block, an object
 * with an rcu_head goes to call_rcu() on its own head; a headless one is
 * freed after synchronize_rcu(), which is why the headless form may sleep.
 *
 * Invariants, per cache s (exact whenever no free is in flight):
 *   free_rcu_queued == free_rcu_freed + objects waiting in blocks (filled,
 *                      after queue_rcu_work() or in its work item), on
 *                      call_rcu() or in synchronize_rcu()
 *   free_rcu_queued >= free_rcu_batched + free_rcu_sync
 *
 * Lock order (outer first):
 *   1. rc->lock		one CPU's block being filled; interrupts off
 *   2. the kernel's zone->lock	a new block (GFP_NOWAIT)
 *   Blocks are handed back with no lock of this file held; the frees take
 *   the locks of mm/slub.c.
 */

#include <linux/export.h>
#include <linux/gfp.h>
#include <linux/kmemleak.h>
#include <linux/percpu.h>
#include <linux/rcupdate.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>

#include "fail.h"
#include "report.h"
#include "slab.h"
#include "slab_rcu.h"

/* A block that is not full waits at most this long for more objects. */
#define XALLOC_RCU_DELAY	(HZ / 50)

/* One page of object pointers, freed together after a grace period. */
struct xalloc_rcu_block {
	struct rcu_work rwork;
	unsigned int nr;		/* objects in @objs */
	void *objs[];
};

#define XALLOC_RCU_BLOCK_OBJS \
	((PAGE_SIZE - sizeof(struct xalloc_rcu_block)) / sizeof(void *))

struct xalloc_rcu_cpu {
	spinlock_t lock;			/* guards the blocks */
	struct xalloc_rcu_block *block;		/* being filled, or NULL */
	struct xalloc_rcu_block *spare;		/* an empty one kept, or NULL */
	struct delayed_work monitor;		/* submits a block left waiting */
};

static DEFINE_PER_CPU(struct xalloc_rcu_cpu, xalloc_rcu_cpus);

/* Where full blocks are handed back after their grace period. */
static struct workqueue_struct *xalloc_rcu_wq;

/* Slabs of type-safe caches waiting for their grace period. */
static atomic_long_t xalloc_rcu_slabs = ATOMIC_LONG_INIT(0);

/* ---- Type-safe slabs ---------------------------------------------------- */

static void rcu_slab_free(struct rcu_head *rcu)
{
	struct xalloc_page *slab = container_of(rcu, struct xalloc_page, rcu);
	struct xalloc_cache *s = slab->cache;

	if (xalloc_cache_debug(s) && (s->flags & XALLOC_POISON))
		xalloc_debug_poison_slab(s, slab);
	__xalloc_discard_slab(s, slab);
	atomic_long_dec(&xalloc_rcu_slabs);
}

/**
 * xalloc_rcu_discard_slab() - give a type-safe slab back after a grace period
 * @slab: an unlisted slab of an XALLOC_TYPESAFE_BY_RCU cache, no object in use
 *
 * Until then the slab counts as its cache's, in slabs, objects and pages.
 *
 * Context: Any context.
 */
void xalloc_rcu_discard_slab(struct xalloc_page *slab)
{
	atomic_long_inc(&xalloc_rcu_slabs);
	call_rcu(&slab->rcu, rcu_slab_free);
}

/**
 * xalloc_rcu_wait_slabs() - wait for the discarded slabs of a type-safe cache
 * @s: a cache; nothing to wait for unless it is XALLOC_TYPESAFE_BY_RCU
 *
 * Context: Process context; may sleep.
 */
void xalloc_rcu_wait_slabs(struct xalloc_cache *s)
{
	if ((s->flags & XALLOC_TYPESAFE_BY_RCU) && atomic_long_read(&xalloc_rcu_slabs))
		rcu_barrier();
}

/**
 * xalloc_rcu_slabs_pending() - type-safe slabs waiting for a grace period
 *
 * Context: Any context.
 * Return: their number, of all caches.
 */
unsigned long xalloc_rcu_slabs_pending(void)
{
	return atomic_long_read(&xalloc_rcu_slabs);
}
EXPORT_SYMBOL_GPL(xalloc_rcu_slabs_pending);

/* ---- Handing objects back ----------------------------------------------- */

/* The cache whose counters an object counts in; NULL for a large block. */
static struct xalloc_cache *object_cache(const void *obj)
{
	struct xalloc_page *desc = xalloc_addr_desc(obj);
	struct xalloc_cache *s;

	if (desc->type == XALLOC_PAGE_SLAB_TAIL)
		desc = desc->head;
	if (desc->type != XALLOC_PAGE_SLAB)
		return NULL;
	s = desc->cache;
	return s->parent ? s->parent : s;
}

/* Free @nr objects whose grace period is over, runs of one cache in bulk. */
static void rcu_free_objs(void **objs, unsigned int nr)
{
	unsigned int i = 0, n;

	while (i < nr) {
		struct xalloc_cache *s = object_cache(objs[i]);

		if (!s) {
			xalloc_kfree(objs[i++]);
			continue;
		}
		for (n = 1; i + n < nr && object_cache(objs[i + n]) == s; n++)
			;
		xalloc_cache_free_bulk(s, n, objs + i);
		/* After the frees: xalloc_rcu_cache_sync() relies on it. */
		this_cpu_add(s->cpu->stat[FREE_RCU_FREED], n);
		i += n;
	}
}

/*
 * The object an rcu_head lies in: the object of a slab, or the large block
 * that starts at the head of the naturally aligned block holding it.
 */
static void *rcu_head_object(struct rcu_head *head)
{
	struct xalloc_page *desc = xalloc_addr_desc(head);
	struct xalloc_cache *s;
	unsigned long pfn;
	long off;

	if (desc->type == XALLOC_PAGE_SLAB_TAIL)
		desc = desc->head;
	if (desc->type == XALLOC_PAGE_SLAB) {
		s = desc->cache;
		off = (void *)head - s->red_left_pad - slab_address(desc);
		return slab_address(desc) + s->red_left_pad +
		       reciprocal_divide(off, s->reciprocal_size) * s->size;
	}
	pfn = xalloc_desc_pfn(desc);
	for (unsigned int order = 0; order < XALLOC_NR_ORDERS; order++) {
		struct xalloc_page *h = xalloc_pfn_desc(pfn & ~((1UL << order) - 1));

		if (h && h->type == XALLOC_PAGE_LARGE && h->order >= order)
			return xalloc_desc_address(h);
	}
	return NULL;
}

static void rcu_head_free(struct rcu_head *head)
{
	void *obj = rcu_head_object(head);

	if (!WARN_ON_ONCE(!obj))
		rcu_free_objs(&obj, 1);
}

/* ---- Per-CPU blocks ----------------------------------------------------- */

static void rcu_block_free(struct work_struct *work)
{
	struct xalloc_rcu_block *b = container_of(to_rcu_work(work),
						  struct xalloc_rcu_block, rwork);
	struct xalloc_rcu_cpu *rc;
	unsigned long flags;

	rcu_free_objs(b->objs, b->nr);
	rc = raw_cpu_ptr(&xalloc_rcu_cpus);
	spin_lock_irqsave(&rc->lock, flags);
	if (!rc->spare) {
		rc->spare = b;
		b = NULL;
	}
	spin_unlock_irqrestore(&rc->lock, flags);
	if (b)
		free_page((unsigned long)b);
}

/* An empty block for @rc: its spare, or a new page. */
static struct xalloc_rcu_block *rcu_block_get(struct xalloc_rcu_cpu *rc)
{
	struct xalloc_rcu_block *b;

	lockdep_assert_held(&rc->lock);
	if (unlikely(xalloc_should_fail(XALLOC_FAIL_RCU_BLOCK)))
		return NULL;
	b = rc->spare;
	if (b)
		rc->spare = NULL;
	else
		b = (void *)__get_free_page(GFP_NOWAIT | __GFP_NOWARN);
	if (b)
		b->nr = 0;
	return b;
}

/* Free the objects of @b after a grace period. */
static void rcu_block_queue(struct xalloc_rcu_block *b)
{
	INIT_RCU_WORK(&b->rwork, rcu_block_free);
	queue_rcu_work(xalloc_rcu_wq, &b->rwork);
}

/* Hand the block @rc is filling, if any, to rcu_block_queue(). */
static void rcu_cpu_submit(struct xalloc_rcu_cpu *rc)
{
	struct xalloc_rcu_block *b;
	unsigned long flags;

	spin_lock_irqsave(&rc->lock, flags);
	b = rc->block;
	rc->block = NULL;
	spin_unlock_irqrestore(&rc->lock, flags);
	if (b)
		rcu_block_queue(b);
}

static void rcu_monitor(struct work_struct *work)
{
	rcu_cpu_submit(container_of(to_delayed_work(work), struct xalloc_rcu_cpu,
				    monitor));
}

/*
 * Put @obj of @s (NULL: a large block) into this CPU's block.
 * Return: false if there is no block and none could be had.
 */
static bool rcu_block_add(struct xalloc_cache *s, void *obj)
{
	/* Another CPU's, if this task moves: the lock makes it right anyway. */
	struct xalloc_rcu_cpu *rc = raw_cpu_ptr(&xalloc_rcu_cpus);
	struct xalloc_rcu_block *b, *full = NULL;
	unsigned long flags;

	spin_lock_irqsave(&rc->lock, flags);
	b = rc->block;
	if (unlikely(!b)) {
		b = rcu_block_get(rc);
		if (unlikely(!b)) {
			spin_unlock_irqrestore(&rc->lock, flags);
			return false;
		}
		rc->block = b;
		schedule_delayed_work(&rc->monitor, XALLOC_RCU_DELAY);
	}
	b->objs[b->nr++] = obj;
	if (b->nr == XALLOC_RCU_BLOCK_OBJS) {
		full = b;
		rc->block = NULL;
	}
	if (s)
		xalloc_stat(s, FREE_RCU_BATCHED);
	spin_unlock_irqrestore(&rc->lock, flags);
	if (full)
		rcu_block_queue(full);
	return true;
}

/* Free @obj of @s (NULL: a large block) after a grace period. */
static void rcu_queue(struct xalloc_cache *s, struct rcu_head *head, void *obj)
{
	if (s)
		xalloc_stat(s, FREE_RCU_QUEUED);
	/* The caller let go of it: only a block or an rcu_head refers to it. */
	kmemleak_ignore(obj);
	if (likely(rcu_block_add(s, obj)))
		return;
	if (head) {
		call_rcu(head, rcu_head_free);
		return;
	}
	synchronize_rcu();
	if (s)
		xalloc_stat(s, FREE_RCU_SYNC);
	rcu_free_objs(&obj, 1);
}

/* ---- API ---------------------------------------------------------------- */

/**
 * xalloc_kfree_call_rcu() - free kmalloc memory after a grace period
 * @head: an rcu_head inside the object, or NULL
 * @ptr: memory from xalloc_kmalloc() or any xalloc cache; NULL and
 *       ZERO_SIZE_PTR are ignored
 *
 * Called through xalloc_kfree_rcu() and xalloc_kfree_rcu_mightsleep(). The
 * memory is freed once every RCU read-side critical section that began
 * before the call has ended. An address xalloc did not hand out is reported
 * and left alone.
 *
 * Context: Any context with @head; with @head NULL, process context: may
 * sleep when no memory is left for a pointer block.
 */
void xalloc_kfree_call_rcu(struct rcu_head *head, void *ptr)
{
	struct xalloc_page *desc;

	if (!head)
		might_sleep();
	if (unlikely(ZERO_OR_NULL_PTR(ptr)))
		return;
	desc = xalloc_kmalloc_desc(ptr);
	if (unlikely(!desc))
		return;
	rcu_queue(object_cache(ptr), head, ptr);
}
EXPORT_SYMBOL_GPL(xalloc_kfree_call_rcu);

/**
 * xalloc_cache_free_call_rcu() - free a cache object after a grace period
 * @s: the cache it was allocated from
 * @head: an rcu_head inside the object, or NULL
 * @obj: the object; NULL is ignored
 *
 * Called through xalloc_cache_free_rcu() and
 * xalloc_cache_free_rcu_mightsleep(). An address outside the zone, not at
 * an object boundary or of another cache is reported and left alone.
 *
 * Context: Any context with @head; with @head NULL, process context: may
 * sleep when no memory is left for a pointer block.
 */
void xalloc_cache_free_call_rcu(struct xalloc_cache *s, struct rcu_head *head,
				void *obj)
{
	struct xalloc_page *slab;

	if (!head)
		might_sleep();
	if (unlikely(!obj))
		return;
	slab = xalloc_object_slab(s->name, obj, xalloc_addr_desc(obj));
	if (unlikely(!slab))
		return;
	if (unlikely(object_cache(obj) != s)) {
		xalloc_report(s->name, obj, "RCU free of an object of cache %s",
			      slab->cache->name);
		return;
	}
	rcu_queue(s, head, obj);
}
EXPORT_SYMBOL_GPL(xalloc_cache_free_call_rcu);

/**
 * xalloc_rcu_barrier() - wait for every free queued after a grace period
 *
 * Every CPU's block is queued at once; then the call waits for all of them
 * (their grace periods and work items), for the objects queued on their own
 * rcu_head, and for the slabs of type-safe caches that those frees emptied.
 *
 * Context: Process context; sleeps.
 */
void xalloc_rcu_barrier(void)
{
	int cpu;

	might_sleep();
	for_each_possible_cpu(cpu)
		rcu_cpu_submit(per_cpu_ptr(&xalloc_rcu_cpus, cpu));
	/* Every block's RCU callback has queued its work item: wait for those. */
	rcu_barrier();
	flush_workqueue(xalloc_rcu_wq);
	/* Slabs of type-safe caches the frees above emptied. */
	if (atomic_long_read(&xalloc_rcu_slabs))
		rcu_barrier();
}
EXPORT_SYMBOL_GPL(xalloc_rcu_barrier);

/**
 * xalloc_rcu_cache_sync() - wait for the RCU frees of a cache
 * @s: a cache about to be destroyed
 *
 * Context: Process context; may sleep.
 */
void xalloc_rcu_cache_sync(struct xalloc_cache *s)
{
	if (xalloc_cache_stat(s, FREE_RCU_QUEUED) != xalloc_cache_stat(s, FREE_RCU_FREED))
		xalloc_rcu_barrier();
}

/* ---- Load and unload ---------------------------------------------------- */

/**
 * xalloc_rcu_init() - set up each CPU's blocks and the workqueue that frees them
 *
 * Context: Process context, at module load.
 * Return: 0, or -ENOMEM without the workqueue.
 */
int xalloc_rcu_init(void)
{
	int cpu;

	/* Frees after a grace period are what reclaim may wait for. */
	xalloc_rcu_wq = alloc_workqueue("xalloc_rcu", WQ_MEM_RECLAIM, 0);
	if (!xalloc_rcu_wq)
		return -ENOMEM;
	for_each_possible_cpu(cpu) {
		struct xalloc_rcu_cpu *rc = per_cpu_ptr(&xalloc_rcu_cpus, cpu);

		spin_lock_init(&rc->lock);
		INIT_DELAYED_WORK(&rc->monitor, rcu_monitor);
	}
	return 0;
}

/**
 * xalloc_rcu_exit() - free everything still waiting, at unload
 *
 * Nobody queues frees any more: the device is gone and modules using the
 * API are unloaded.
 *
 * Context: Process context, before the caches are destroyed.
 */
void xalloc_rcu_exit(void)
{
	int cpu;

	for_each_possible_cpu(cpu)
		cancel_delayed_work_sync(&per_cpu_ptr(&xalloc_rcu_cpus, cpu)->monitor);
	xalloc_rcu_barrier();
	for_each_possible_cpu(cpu) {
		struct xalloc_rcu_cpu *rc = per_cpu_ptr(&xalloc_rcu_cpus, cpu);

		free_page((unsigned long)rc->spare);
		rc->spare = NULL;
	}
	destroy_workqueue(xalloc_rcu_wq);
}
