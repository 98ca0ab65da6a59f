// SPDX-License-Identifier: GPL-2.0
/*
 * The SLUB layer of xalloc: object caches on slabs taken from the xalloc zone.
 *
 * A slab is a block of 2^order zone pages cut into objects of s->size bytes;
 * its descriptor (struct xalloc_page of the first page) holds the cache, the
 * first free object and the counters {inuse, objects, frozen}. A free object
 * holds the pointer to the next one at s->offset.
 *
 * Each CPU owns a CPU slab, whose free objects sit on the CPU's freelist, and
 * a short list of partial slabs. A slab owned by a CPU is "frozen": frees
 * from other CPUs only push onto its freelist. Each node has a list of
 * unfrozen partial slabs. Full slabs are on no list.
 *
 * Allocation, fast path: pop the CPU freelist with one double-word cmpxchg of
 * {freelist, tid}. Slow path, with interrupts off, in this order:
 *   1. objects other CPUs freed to the CPU slab meanwhile (ALLOC_REFILL);
 *   2. the next slab of the CPU partial list (CPU_PARTIAL_ALLOC);
 *   3. slabs of the target node's partial list (the node asked for, else
 *      the local one), one as the CPU slab and a few more onto the CPU
 *      partial list (ALLOC_FROM_PARTIAL, CPU_PARTIAL_NODE);
 *   4. a new slab from the target node's zone; if the preferred order
 *      can't be had, the minimum order (ALLOC_SLAB, ORDER_FALLBACK);
 *   5. unless __GFP_THISNODE, the other nodes' partial lists, nearest first,
 *      and then a new slab from any node: as in 6.12, a full node never
 *      costs a new slab per object while others have free objects.
 *
 * Free, fast path: push onto the CPU freelist if the object is in the CPU
 * slab. Otherwise cmpxchg the slab's {freelist, counters}: a full slab that
 * gets a free object goes onto this CPU's partial list (frozen); an unfrozen
 * slab that becomes empty goes back to the zone once its node keeps
 * min_partial partial slabs. A CPU partial list longer than cpu_partial_slabs
 * is drained to the node lists.
 *
 * A cache with sheaves (mm/slab_sheaf.c) allocates and frees through its
 * per-CPU arrays first; they refill from and flush to the paths above.
 *
 * Lock order (outer first):
 *   1. cpu_hotplug_lock
 *   2. xalloc_caches_mutex	list of caches and layouts, create/destroy/shrink
 *   3. flush_mutex		the per-CPU flush work items of xalloc_flush_all()
 *   3a. the sheaves' trylock, barn->lock (mm/slab_sheaf.c)
 *   4. local_irq_save()	a CPU's slab, partial list and slow-path state
 *   5. n->list_lock		partial slabs of one node of one cache
 *   6. pcp->lock		(mm/pcp.c) one CPU's page lists of one zone
 *   7. zone->lock		(mm/buddy.c) free lists of one node's zone
 */

#include <linux/cpu.h>
#include <linux/cpuhotplug.h>
#include <linux/export.h>
#include <linux/hashtable.h>
#include <linux/bitmap.h>
#include <linux/kmemleak.h>
#include <linux/log2.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/smp.h>
#include <linux/string.h>
#include <linux/stringhash.h>
#include <linux/workqueue.h>

#include "fail.h"
#include "kasan.h"
#include "quarantine.h"
#include "report.h"
#include "slab.h"
#include "slab_rcu.h"
#include "slab_sheaf.h"

/* Guards xalloc_caches and the creation and destruction of caches. */
DEFINE_MUTEX(xalloc_caches_mutex);
LIST_HEAD(xalloc_caches);

static enum cpuhp_state xalloc_cpuhp_state;

static bool harden_freelist = true;
module_param(harden_freelist, bool, 0444);
MODULE_PARM_DESC(harden_freelist, "store freelist pointers obfuscated and check them (default on)");

static bool random_freelist = true;
module_param(random_freelist, bool, 0444);
MODULE_PARM_DESC(random_freelist, "chain each new slab's objects in a random order (default on)");

/* Slab orders are kept small; larger ones only when an object needs them. */
#define XALLOC_SLUB_MAX_ORDER	3
#define XALLOC_MAX_OBJECTS	32767

/*
 * Transaction ids start at the CPU number and step by a power of two above
 * the number of CPUs, so that no two CPUs ever share one.
 */
#define TID_STEP	roundup_pow_of_two(CONFIG_NR_CPUS)

static inline unsigned long next_tid(unsigned long tid)
{
	return tid + TID_STEP;
}

static inline void stat_add(struct xalloc_cache *s, enum xalloc_stat_item item,
			    unsigned long n)
{
	this_cpu_add(s->cpu->stat[item], n);
}

static noinline void freeptr_corrupt_report(struct xalloc_cache *s, void *object)
{
	xalloc_report(s->name, object + s->offset,
		      "freelist pointer corrupted: the rest of the list is dropped");
}

/*
 * The next free object after @object, checked: a pointer that does not stay
 * in the slab is reported and ends the list. Callers own the list. Inline:
 * the bulk allocation takes one per object.
 */
static __always_inline void *get_freepointer_checked(struct xalloc_cache *s, void *object)
{
	void *fp = get_freepointer(s, object);

	if (likely(freeptr_ok(s, object, fp)))
		return fp;
	freeptr_corrupt_report(s, object);
	return NULL;
}

static inline int slab_nid(const struct xalloc_page *slab)
{
	return slab->chunk->zone->nid;
}

static inline bool node_match(const struct xalloc_page *slab, int node)
{
	return node == NUMA_NO_NODE || (slab && slab_nid(slab) == node);
}

static inline struct xalloc_cache_node *slab_node(struct xalloc_cache *s,
						  const struct xalloc_page *slab)
{
	return s->node[slab_nid(slab)];
}

/* ---- Slabs from the zone ------------------------------------------------ */

/*
 * The i-th object to chain in a new slab: shuffled from @start in the cache's
 * random order, or in address order for a smaller fallback slab (for which
 * the random order would not be a permutation).
 */
static unsigned int chain_index(struct xalloc_cache *s, unsigned int start,
				unsigned int i, unsigned int objects)
{
	unsigned int n = oo_objects(s->oo);

	if (!s->random_seq || objects != n)
		return i;
	return s->random_seq[(start + i) % n];
}

/* xalloc_new_slab() without its fault injection. */
static struct xalloc_page *allocate_slab(struct xalloc_cache *s, gfp_t gfp, int node)
{
	struct xalloc_order_objects oo = s->oo;
	union xalloc_slab_counters cnt = {};
	struct xalloc_page *slab;
	unsigned int i, first;
	void *start, *p;

	/* Called with interrupts off: the zone grows without sleeping. */
	gfp &= ~(__GFP_DIRECT_RECLAIM | __GFP_ZERO);
	gfp |= s->allocflags | __GFP_NOWARN;
	slab = xalloc_buddy_alloc(node, gfp, oo_order(oo), XALLOC_PAGE_SLAB);
	if (unlikely(!slab) && oo.x != s->min.x) {
		oo = s->min;
		slab = xalloc_buddy_alloc(node, gfp, oo_order(oo), XALLOC_PAGE_SLAB);
		if (slab)
			xalloc_stat(s, ORDER_FALLBACK);
	}
	if (unlikely(!slab))
		return NULL;

	slab->cache = s;
	for (i = 1; i < 1U << oo_order(oo); i++) {
		slab[i].type = XALLOC_PAGE_SLAB_TAIL;
		slab[i].head = slab;
	}
	start = xalloc_desc_address(slab) + s->red_left_pad;
	cnt.objects = oo_objects(oo);
	slab->cnt = cnt;
	slab->next = NULL;
	/* Nothing of a new slab is valid memory until it is handed out. */
	xalloc_kasan_poison(xalloc_desc_address(slab), PAGE_SIZE << oo_order(oo),
			    XALLOC_KASAN_SLAB_REDZONE);
	if (xalloc_cache_debug(s))
		xalloc_debug_init_slab(s, slab);
	if (s->ctor) {
		for (i = 0, p = start; i < cnt.objects; i++, p += s->size) {
			xalloc_kasan_unpoison(p, s->object_size);
			s->ctor(p);
			xalloc_kasan_poison(p, round_up(s->object_size, XALLOC_KASAN_GRANULE),
					    XALLOC_KASAN_SLAB_REDZONE);
		}
	}
	/* Chain from the last to the first so the list runs in chain order. */
	first = s->random_seq ? get_random_u32() % oo_objects(s->oo) : 0;
	for (i = cnt.objects, p = NULL; i-- > 0; ) {
		void *obj = start + chain_index(s, first, i, cnt.objects) * s->size;

		set_freepointer(s, obj, p);
		p = obj;
	}
	slab->freelist = p;
	if (s->parent)
		atomic_long_inc(&s->refs);
	atomic_long_inc(&slab_node(s, slab)->nr_slabs);
	atomic_long_add(cnt.objects, &slab_node(s, slab)->total_objects);
	atomic_long_add(1L << oo_order(oo), &slab_node(s, slab)->total_pages);
	xalloc_stat(s, ALLOC_SLAB);
	return slab;
}

/**
 * xalloc_new_slab() - a new slab from the zone, all objects free, unlisted
 * @s: the cache
 * @gfp: allocation flags; __GFP_THISNODE keeps it on @node
 * @node: preferred node, or NUMA_NO_NODE
 *
 * Context: Any context; never sleeps.
 * Return: the slab, or NULL.
 */
struct xalloc_page *xalloc_new_slab(struct xalloc_cache *s, gfp_t gfp, int node)
{
	if (unlikely(xalloc_should_fail(XALLOC_FAIL_SLAB)))
		return NULL;
	return allocate_slab(s, gfp, node);
}

/**
 * xalloc_discard_slab() - give an unlisted slab back to the zone
 * @s: its cache
 * @slab: the slab, no object in use
 *
 * A slab of an XALLOC_TYPESAFE_BY_RCU cache goes after a grace period, and
 * counts as the cache's until then.
 *
 * Context: Any context.
 */
void xalloc_discard_slab(struct xalloc_cache *s, struct xalloc_page *slab)
{
	if (unlikely(s->flags & XALLOC_TYPESAFE_BY_RCU))
		xalloc_rcu_discard_slab(slab);
	else
		__xalloc_discard_slab(s, slab);
}

/**
 * __xalloc_discard_slab() - give an unlisted slab back to the zone now
 * @s: its cache
 * @slab: the slab, no object in use, no reader of a type-safe cache left
 *
 * Context: Any context.
 */
void __xalloc_discard_slab(struct xalloc_cache *s, struct xalloc_page *slab)
{
	struct xalloc_cache_node *n = slab_node(s, slab);
	bool layout = s->parent;

	atomic_long_sub(slab->cnt.objects, &n->total_objects);
	atomic_long_sub(1L << slab->order, &n->total_pages);
	xalloc_stat(s, FREE_SLAB);
	for (unsigned int i = 1; i < 1U << slab->order; i++)
		slab[i].type = XALLOC_PAGE_NONE;
	WARN_ON_ONCE(!xalloc_buddy_free(slab, slab->order, XALLOC_PAGE_SLAB));
	/*
	 * Last: xalloc_cache_destroy() frees the cache once no slab is left,
	 * so nothing of @s may be touched after this; a layout lives on while
	 * its slab's reference is held.
	 */
	atomic_long_dec_return_release(&n->nr_slabs);
	if (layout)
		xalloc_layout_put(s);
}

static void discard_list(struct xalloc_cache *s, struct list_head *list)
{
	struct xalloc_page *slab, *tmp;

	list_for_each_entry_safe(slab, tmp, list, list)
		xalloc_discard_slab(s, slab);
}

/* ---- Node partial lists ------------------------------------------------- */

/**
 * xalloc_add_partial() - put a slab on its node's partial list
 * @n: the node part of the cache
 * @slab: an unfrozen slab with free objects
 * @tail: at the tail, else at the head
 *
 * Context: n->list_lock held.
 */
void xalloc_add_partial(struct xalloc_cache_node *n, struct xalloc_page *slab,
			bool tail)
{
	lockdep_assert_held(&n->list_lock);
	n->nr_partial++;
	if (tail)
		list_add_tail(&slab->list, &n->partial);
	else
		list_add(&slab->list, &n->partial);
}

/**
 * xalloc_remove_partial() - take a slab off its node's partial list
 * @n: the node part of the cache
 * @slab: the slab
 *
 * Context: n->list_lock held.
 */
void xalloc_remove_partial(struct xalloc_cache_node *n, struct xalloc_page *slab)
{
	lockdep_assert_held(&n->list_lock);
	list_del(&slab->list);
	n->nr_partial--;
}

/*
 * Freeze a slab of a node partial list for this CPU. As the CPU slab, its
 * whole freelist is returned and the slab counts all objects in use;
 * otherwise (for the CPU partial list) its freelist stays.
 */
static void *acquire_slab(struct xalloc_cache *s, struct xalloc_cache_node *n,
			  struct xalloc_page *slab, bool cpu_slab)
{
	union xalloc_aba old, new;
	union xalloc_slab_counters cnt;

	lockdep_assert_held(&n->list_lock);
	do {
		old = slab_read(slab);
		cnt.counters = old.counter;
		cnt.frozen = 1;
		if (cpu_slab)
			cnt.inuse = cnt.objects;
		new.freelist = cpu_slab ? NULL : old.freelist;
		new.counter = cnt.counters;
	} while (!slab_cmpxchg(s, slab, old, new));
	xalloc_remove_partial(n, slab);
	return old.freelist;
}

static void put_cpu_partial(struct xalloc_cache *s, struct xalloc_page *slab);

/* Steps 3 of the slow path: slabs from the node partial list. */
static void *get_partial_node(struct xalloc_cache *s, struct xalloc_cache_node *n,
			      struct xalloc_cache_cpu *c)
{
	struct xalloc_page *slab, *tmp;
	unsigned int objects = 0;
	void *object = NULL;

	if (!n || !READ_ONCE(n->nr_partial))
		return NULL;
	spin_lock(&n->list_lock);
	list_for_each_entry_safe(slab, tmp, &n->partial, list) {
		if (!object) {
			c->slab = slab;
			object = acquire_slab(s, n, slab, true);
			xalloc_stat(s, ALLOC_FROM_PARTIAL);
			continue;
		}
		acquire_slab(s, n, slab, false);
		objects += slab->cnt.objects - slab->cnt.inuse;
		slab->next = c->partial;
		c->partial = slab;
		c->partial_slabs++;
		xalloc_stat(s, CPU_PARTIAL_NODE);
		if (objects > s->cpu_partial / 2 ||
		    c->partial_slabs >= s->cpu_partial_slabs)
			break;
	}
	spin_unlock(&n->list_lock);
	return object;
}

/*
 * Step 5 of the slow path: the partial lists of the nodes other than
 * @target, nearest first (by node_distance(), then node number).
 */
static void *get_any_partial(struct xalloc_cache *s, int target,
			     struct xalloc_cache_cpu *c)
{
	int last = -1, last_d = -1;

	for (;;) {
		int nid, best = -1, best_d = 0;
		void *object;

		for_each_node(nid) {
			int d = node_distance(target, nid);

			if (nid == target || !s->node[nid] ||
			    d < last_d || (d == last_d && nid <= last))
				continue;
			if (best < 0 || d < best_d) {
				best = nid;
				best_d = d;
			}
		}
		if (best < 0)
			return NULL;
		object = get_partial_node(s, s->node[best], c);
		if (object)
			return object;
		last = best;
		last_d = best_d;
	}
}

/* ---- Giving slabs back from a CPU --------------------------------------- */

/*
 * A CPU freelist with more entries than its slab has objects runs in a
 * cycle (a double free the hardened checks could not see, or a forged free
 * pointer): its objects are dropped, leaked rather than handed out twice.
 */
static noinline void freelist_cycle_report(struct xalloc_cache *s,
					   struct xalloc_page *slab, void *freelist)
{
	xalloc_report(s->name, freelist,
		      "CPU freelist longer than the %u objects of its slab: a double free or a corrupted free pointer; its objects are dropped",
		      slab->cnt.objects);
}

/*
 * Unfreeze the CPU slab @slab, putting the objects of the CPU @freelist back
 * on it, and move it to its node's partial list (or the zone if empty).
 */
static void deactivate_slab(struct xalloc_cache *s, struct xalloc_page *slab,
			    void *freelist)
{
	struct xalloc_cache_node *n = slab_node(s, slab);
	union xalloc_slab_counters cnt;
	union xalloc_aba old, new;
	unsigned int count = 0;
	unsigned long flags;
	void *tail = NULL;
	bool free = false;

	for (void *p = freelist; p; p = get_freepointer_checked(s, p)) {
		if (unlikely(count == slab->cnt.objects)) {
			freelist_cycle_report(s, slab, freelist);
			freelist = NULL;
			tail = NULL;
			count = 0;
			break;
		}
		tail = p;
		count++;
	}
	spin_lock_irqsave(&n->list_lock, flags);
	do {
		old = slab_read(slab);
		cnt.counters = old.counter;
		cnt.frozen = 0;
		cnt.inuse -= count;
		new.freelist = old.freelist;
		if (tail) {
			set_freepointer(s, tail, old.freelist);
			new.freelist = freelist;
		}
		new.counter = cnt.counters;
	} while (!slab_cmpxchg(s, slab, old, new));

	if (old.freelist)
		xalloc_stat(s, DEACTIVATE_REMOTE_FREES);
	if (!cnt.inuse && n->nr_partial >= s->min_partial) {
		free = true;
		xalloc_stat(s, DEACTIVATE_EMPTY);
	} else if (new.freelist) {
		xalloc_add_partial(n, slab, tail);
		xalloc_stat(s, tail ? DEACTIVATE_TO_TAIL : DEACTIVATE_TO_HEAD);
	} else {
		xalloc_stat(s, DEACTIVATE_FULL);
	}
	spin_unlock_irqrestore(&n->list_lock, flags);
	if (free)
		xalloc_discard_slab(s, slab);
}

/* Unfreeze the slabs of a detached CPU partial list onto their nodes. */
static void unfreeze_partials(struct xalloc_cache *s, struct xalloc_page *list)
{
	union xalloc_slab_counters cnt;
	struct xalloc_cache_node *n;
	struct xalloc_page *slab;
	union xalloc_aba old, new;
	unsigned long flags;
	bool discard;

	while ((slab = list)) {
		list = slab->next;
		n = slab_node(s, slab);
		spin_lock_irqsave(&n->list_lock, flags);
		do {
			old = slab_read(slab);
			cnt.counters = old.counter;
			cnt.frozen = 0;
			new.freelist = old.freelist;
			new.counter = cnt.counters;
		} while (!slab_cmpxchg(s, slab, old, new));
		discard = !cnt.inuse && n->nr_partial >= s->min_partial;
		if (!discard) {
			xalloc_add_partial(n, slab, true);
			xalloc_stat(s, FREE_ADD_PARTIAL);
		}
		spin_unlock_irqrestore(&n->list_lock, flags);
		if (discard)
			xalloc_discard_slab(s, slab);
	}
}

/* Put a slab that got its first free object on this CPU's partial list. */
static void put_cpu_partial(struct xalloc_cache *s, struct xalloc_page *slab)
{
	struct xalloc_page *drain = NULL;
	struct xalloc_cache_cpu *c;
	unsigned long flags;

	local_irq_save(flags);
	c = this_cpu_ptr(s->cpu);
	if (c->partial_slabs >= s->cpu_partial_slabs) {
		drain = c->partial;
		c->partial = NULL;
		c->partial_slabs = 0;
		xalloc_stat(s, CPU_PARTIAL_DRAIN);
	}
	slab->next = c->partial;
	c->partial = slab;
	c->partial_slabs++;
	local_irq_restore(flags);
	if (drain)
		unfreeze_partials(s, drain);
}

/*
 * Give up the CPU slab of @c, if any, with the objects of the CPU freelist;
 * the new tid fails a fast path that read the old freelist. Interrupts off.
 * Return: whether there was a CPU slab.
 */
static bool deactivate_cpu_slab(struct xalloc_cache *s, struct xalloc_cache_cpu *c)
{
	struct xalloc_page *slab = c->slab;
	void *freelist = c->aba.freelist;

	c->slab = NULL;
	c->aba.freelist = NULL;
	c->aba.counter = next_tid(c->aba.counter);
	if (slab)
		deactivate_slab(s, slab, freelist);
	return slab;
}

/* Give up the CPU slab and partial list of @c. Interrupts off. */
static void flush_cpu_slab(struct xalloc_cache *s, struct xalloc_cache_cpu *c)
{
	struct xalloc_page *partial = c->partial;

	c->partial = NULL;
	c->partial_slabs = 0;
	if (deactivate_cpu_slab(s, c))
		xalloc_stat(s, CPUSLAB_FLUSH);
	if (partial)
		unfreeze_partials(s, partial);
}

/*
 * Another CPU's slabs are flushed on that CPU by a work item, not by an IPI:
 * the node lists' spinlock_t must not be taken in a hard interrupt (PREEMPT_RT
 * forbids it, and lockdep with PROVE_RAW_LOCK_NESTING reports it).
 * WQ_MEM_RECLAIM: a flush must make progress when memory is short.
 */
struct flush_work {
	struct work_struct work;
	struct xalloc_cache *s;
};

static DEFINE_PER_CPU(struct flush_work, flush_works);
static DEFINE_MUTEX(flush_mutex);
static struct workqueue_struct *flush_wq;

static void flush_cpu_slab_work(struct work_struct *work)
{
	struct flush_work *fw = container_of(work, struct flush_work, work);
	unsigned long flags;

	xalloc_sheaves_drain_cpu(fw->s, raw_smp_processor_id());
	local_irq_save(flags);
	flush_cpu_slab(fw->s, this_cpu_ptr(fw->s->cpu));
	local_irq_restore(flags);
}

/**
 * xalloc_flush_all() - give up every online CPU's slabs of a cache
 * @s: the cache
 *
 * The barns' full sheaves go back to the slabs first. Then each online CPU
 * that has sheaved objects or slabs of @s flushes them in a work item; this
 * waits for all of them. Offline CPUs were flushed when they went down.
 *
 * Context: Process context, cpus_read_lock() held; sleeps.
 */
void xalloc_flush_all(struct xalloc_cache *s)
{
	unsigned int cpu;

	xalloc_barns_drain(s);
	mutex_lock(&flush_mutex);
	for_each_online_cpu(cpu) {
		struct xalloc_cache_cpu *c = per_cpu_ptr(s->cpu, cpu);
		struct flush_work *fw = per_cpu_ptr(&flush_works, cpu);

		/*
		 * A CPU without slabs of @s is left alone: it may be busy for
		 * long (a reader spinning under rcu_read_lock()). Slabs it
		 * takes after this look are not this flush's to give up.
		 */
		fw->s = NULL;
		if (!READ_ONCE(c->slab) && !READ_ONCE(c->partial) &&
		    !xalloc_sheaves_held(s, cpu))
			continue;
		INIT_WORK(&fw->work, flush_cpu_slab_work);
		fw->s = s;
		queue_work_on(cpu, flush_wq, &fw->work);
	}
	for_each_online_cpu(cpu) {
		struct flush_work *fw = per_cpu_ptr(&flush_works, cpu);

		if (fw->s)
			flush_work(&fw->work);
	}
	mutex_unlock(&flush_mutex);
}

static int xalloc_cpu_dead(unsigned int cpu)
{
	struct xalloc_cache *s;
	unsigned long flags;

	mutex_lock(&xalloc_caches_mutex);
	list_for_each_entry(s, &xalloc_caches, list) {
		/* Sheaved objects go to this CPU's slabs, not to the dead one's. */
		xalloc_sheaves_drain_cpu(s, cpu);
		local_irq_save(flags);
		flush_cpu_slab(s, per_cpu_ptr(s->cpu, cpu));
		local_irq_restore(flags);
	}
	mutex_unlock(&xalloc_caches_mutex);
	return 0;
}

/* ---- What every object goes through: KASAN, kmemleak, init_on_* -------- */

/* Whether @obj is of a slab of a debug layout that poisons. */
static noinline bool object_layout_poisons(void *obj)
{
	struct xalloc_page *desc = xalloc_addr_desc(obj);

	if (desc->type == XALLOC_PAGE_SLAB_TAIL)
		desc = desc->head;
	return desc->cache->flags & XALLOC_POISON;
}

/*
 * As SLUB: constructed, poisoned and type-safe objects keep their bytes (a
 * reader under RCU may look at a type-safe object while it is freed). The
 * flags of @s are its own layout's; an object of a poisoning debug layout
 * is found by its slab.
 */
static __always_inline bool slab_want_init_on_alloc_cache(struct xalloc_cache *s)
{
	return want_init_on_alloc(0) && !s->ctor &&
	       !(s->flags & (XALLOC_POISON | XALLOC_TYPESAFE_BY_RCU));
}

/* @init: slab_want_init_on_alloc_cache(@s), which bulk calls read once. */
static __always_inline bool slab_want_init_on_alloc_obj(struct xalloc_cache *s, void *obj,
							gfp_t gfp, bool init)
{
	if (!init ||
	    (unlikely(rcu_access_pointer(s->layout)) && object_layout_poisons(obj)))
		return gfp & __GFP_ZERO;
	return true;
}

static __always_inline bool slab_want_init_on_free(struct xalloc_cache *s)
{
	return want_init_on_free() && !s->ctor &&
	       !(s->flags & (XALLOC_POISON | XALLOC_TYPESAFE_BY_RCU));
}

#ifdef CONFIG_DEBUG_KMEMLEAK
/**
 * xalloc_kmemleak_alloc() - tell kmemleak about an object or block handed out
 * @p: its address
 * @size: its size
 * @gfp: the allocation's flags
 *
 * kmemleak's backtrace of an allocation skips its own frames and the one
 * that called kmemleak_alloc(), which 6.1 makes a tail call: called from
 * here, never as a tail call itself, the frame skipped is this one and the
 * trace starts at xalloc's entry point.
 *
 * Context: Any context with a suitable @gfp.
 */
noinline void xalloc_kmemleak_alloc(const void *p, size_t size, gfp_t gfp)
{
	kmemleak_alloc(p, size, 1, gfp);
	barrier();
}
#endif

/*
 * An object handed out: valid to KASAN, zeroed if asked, known to kmemleak;
 * @init as for slab_want_init_on_alloc_obj().
 */
static __always_inline void __slab_post_alloc_hook(struct xalloc_cache *s, void *obj,
						   gfp_t gfp, bool init)
{
	xalloc_kasan_unpoison(obj, s->object_size);
	if (unlikely(slab_want_init_on_alloc_obj(s, obj, gfp, init)))
		memset(obj, 0, s->object_size);
	xalloc_kmemleak_alloc(obj, s->object_size, gfp);
}

static __always_inline void slab_post_alloc_hook(struct xalloc_cache *s, void *obj,
						 gfp_t gfp)
{
	__slab_post_alloc_hook(s, obj, gfp, slab_want_init_on_alloc_cache(s));
}

static noinline void double_free_report(struct xalloc_cache *s, void *obj,
					const char *list)
{
	xalloc_report(s->name, obj,
		      "double free: the object is already the head of the %s freelist", list);
}

static noinline void kasan_free_report(struct xalloc_cache *s, void *obj)
{
	xalloc_report(s->name, obj,
		      "free of an object that is not allocated (KASAN shadow 0x%02x): a double free",
		      xalloc_kasan_shadow(obj));
}

/*
 * An object being freed, once it passed the freelist head check. Under
 * KASAN an object already free (or never handed out) is reported; a good one
 * is poisoned and may go to the quarantine instead of its slab.
 * Return: whether the caller puts @obj back on its slab now.
 */
static __always_inline bool slab_free_hook(struct xalloc_cache *s, void *obj)
{
	if (IS_ENABLED(CONFIG_KASAN_GENERIC) && unlikely(!xalloc_kasan_valid(obj))) {
		kasan_free_report(s, obj);
		return false;
	}
	kmemleak_free(obj);
	/* Readers may still look at a type-safe object: it stays valid memory. */
	if (unlikely(s->flags & XALLOC_TYPESAFE_BY_RCU))
		return true;
	if (unlikely(slab_want_init_on_free(s)))
		memset(obj, 0, s->object_size);
	xalloc_kasan_poison(obj, round_up(s->object_size, XALLOC_KASAN_GRANULE),
			    XALLOC_KASAN_SLAB_FREE);
	return xalloc_cache_debug(s) || !xalloc_quarantine_put(s, obj);
}

/**
 * xalloc_slab_free_hook() - slab_free_hook(), out of line, for the sheaves
 * @s: the cache
 * @obj: the object being freed
 *
 * Context: Any context.
 * Return: whether @obj goes on to a sheaf or slab now (not quarantined, no
 * report).
 */
bool xalloc_slab_free_hook(struct xalloc_cache *s, void *obj)
{
	return slab_free_hook(s, obj);
}

/* ---- Allocation --------------------------------------------------------- */

/*
 * Take the free objects other CPUs gave back to the CPU slab. The slab stays
 * frozen if there were some; an exhausted slab is unfrozen and left off all
 * lists (a later free puts it on a CPU partial list).
 */
static void *get_freelist(struct xalloc_cache *s, struct xalloc_page *slab)
{
	union xalloc_slab_counters cnt;
	union xalloc_aba old, new;

	do {
		old = slab_read(slab);
		cnt.counters = old.counter;
		cnt.inuse = cnt.objects;
		cnt.frozen = !!old.freelist;
		new.freelist = NULL;
		new.counter = cnt.counters;
	} while (!slab_cmpxchg(s, slab, old, new));
	return old.freelist;
}

/* The slow path, steps 1 to 5 of the head comment. Interrupts off. */
static void *___xalloc_slab_alloc(struct xalloc_cache *s, gfp_t gfp, int node,
				  struct xalloc_cache_cpu *c)
{
	struct xalloc_page *slab;
	void *freelist;
	int target;

reread:
	slab = c->slab;
	if (!slab)
		goto new_slab;
	if (unlikely(!node_match(slab, node))) {
		xalloc_stat(s, ALLOC_NODE_MISMATCH);
		deactivate_cpu_slab(s, c);
		goto new_slab;
	}
	/* An interrupt may have freed to the CPU freelist meanwhile. */
	freelist = c->aba.freelist;
	if (freelist)
		goto load_freelist;
	freelist = get_freelist(s, slab);
	if (!freelist) {
		c->slab = NULL;
		c->aba.counter = next_tid(c->aba.counter);
		xalloc_stat(s, DEACTIVATE_BYPASS);
		goto new_slab;
	}
	xalloc_stat(s, ALLOC_REFILL);

load_freelist:
	c->aba.freelist = get_freepointer_checked(s, freelist);
	c->aba.counter = next_tid(c->aba.counter);
	xalloc_stat(s, ALLOC_SLOWPATH);
	return freelist;

new_slab:
	slab = c->partial;
	if (slab && node_match(slab, node)) {
		c->partial = slab->next;
		c->partial_slabs--;
		c->slab = slab;
		xalloc_stat(s, CPU_PARTIAL_ALLOC);
		goto reread;
	}
	target = node == NUMA_NO_NODE ? numa_mem_id() : node;
	freelist = get_partial_node(s, s->node[target], c);
	if (freelist)
		goto load_freelist;
	if (unlikely(xalloc_should_fail(XALLOC_FAIL_SLAB)))
		return NULL;
	slab = allocate_slab(s, gfp | __GFP_THISNODE, target);
	if (unlikely(!slab)) {
		if (gfp & __GFP_THISNODE)
			return NULL;
		freelist = get_any_partial(s, target, c);
		if (freelist)
			goto load_freelist;
		slab = allocate_slab(s, gfp, target);
		if (!slab)
			return NULL;
	}
	freelist = slab->freelist;
	slab->freelist = NULL;
	slab->cnt.inuse = slab->cnt.objects;
	slab->cnt.frozen = 1;
	c->slab = slab;
	goto load_freelist;
}

static noinline void *__xalloc_slab_alloc(struct xalloc_cache *s, gfp_t gfp,
					  int node, unsigned long addr)
{
	unsigned long flags;
	void *object;

	/*
	 * Interrupts off from the layout test to a new CPU slab: a switch to a
	 * debug layout waits for a grace period before it flushes the CPU
	 * slabs.
	 */
again:
	local_irq_save(flags);
	if (unlikely(rcu_access_pointer(s->layout))) {
		local_irq_restore(flags);
		if (xalloc_layout_alloc(s, gfp, node, addr, &object))
			return object;
		goto again;	/* switched back meanwhile */
	}
	object = ___xalloc_slab_alloc(s, gfp, node, this_cpu_ptr(s->cpu));
	local_irq_restore(flags);
	return object;
}

static __always_inline void *xalloc_slab_alloc(struct xalloc_cache *s,
					       gfp_t gfp, int node,
					       unsigned long addr)
{
	struct xalloc_cache_cpu *c;
	union xalloc_aba old, new;
	void *object;

	might_alloc(gfp);
	if (xalloc_sheaves_on(s) && node == NUMA_NO_NODE) {
		object = xalloc_sheaf_alloc(s, gfp);
		if (likely(object))
			goto out;
	}
redo:
	/*
	 * Read the tid before the freelist: if this task moves to another CPU
	 * or the slow path runs in between, the tid no longer matches and the
	 * cmpxchg fails.
	 */
	c = raw_cpu_ptr(s->cpu);
	old.counter = READ_ONCE(c->aba.counter);
	barrier();
	old.freelist = READ_ONCE(c->aba.freelist);
	if (unlikely(!old.freelist || !node_match(READ_ONCE(c->slab), node))) {
		object = __xalloc_slab_alloc(s, gfp, node, addr);
	} else {
		/*
		 * The object may be taken meanwhile: then the cmpxchg fails.
		 * A next pointer leaving the slab may be such a stale read;
		 * the slow path reads it again and reports it if it is bad.
		 */
		new.freelist = get_freepointer(s, old.freelist);
		if (unlikely(!freeptr_ok(s, old.freelist, new.freelist))) {
			object = __xalloc_slab_alloc(s, gfp, node, addr);
			goto out;
		}
		new.counter = next_tid(old.counter);
		if (unlikely(!xalloc_this_cpu_cmpxchg_aba(s->cpu->aba, old, new))) {
			xalloc_stat(s, CMPXCHG_DOUBLE_CPU_FAIL);
			goto redo;
		}
		object = old.freelist;
		xalloc_stat(s, ALLOC_FASTPATH);
	}
out:
	if (likely(object))
		slab_post_alloc_hook(s, object, gfp);
	return object;
}

/* ---- Free --------------------------------------------------------------- */

/*
 * The next {freelist, counters} of @slab when @count objects chained from
 * @head to @tail are freed to it, from @old read now; @cnt gets the new
 * counters. A full slab getting a free object is frozen for a CPU partial
 * list (as is one a CPU took and emptied meanwhile).
 * Return: whether the free empties an unfrozen slab with free objects: one
 * on a node partial list, which may have to leave it.
 */
static bool slab_free_next(struct xalloc_cache *s, struct xalloc_page *slab,
			   void *head, void *tail, unsigned int count,
			   union xalloc_aba *old, union xalloc_aba *new,
			   union xalloc_slab_counters *cnt, bool *was_frozen)
{
	bool empties;

	*old = slab_read(slab);
	cnt->counters = old->counter;
	*was_frozen = cnt->frozen;
	cnt->inuse -= count;
	empties = !*was_frozen && old->freelist && !cnt->inuse;
	if (!*was_frozen && !old->freelist)
		cnt->frozen = 1;
	set_freepointer(s, tail, old->freelist);
	new->freelist = head;
	new->counter = cnt->counters;
	return empties;
}

/* After a free to a slab: which list it is on now, and the counters. */
static void slab_free_done(struct xalloc_cache *s, struct xalloc_page *slab,
			   bool was_frozen, union xalloc_slab_counters cnt)
{
	if (was_frozen) {
		xalloc_stat(s, FREE_FROZEN);
	} else if (cnt.frozen) {
		put_cpu_partial(s, slab);
		xalloc_stat(s, CPU_PARTIAL_FREE);
	}
}

/*
 * A free that may empty a slab on a node partial list: under the node's
 * list_lock, so that the slab can leave the list. The node keeps
 * min_partial partial slabs (this one counted), as deactivation does.
 */
static void slab_free_emptying(struct xalloc_cache *s, struct xalloc_page *slab,
			       void *head, void *tail, unsigned int count)
{
	struct xalloc_cache_node *n = slab_node(s, slab);
	union xalloc_slab_counters cnt;
	union xalloc_aba old, new;
	bool was_frozen, discard;
	unsigned long flags;

	spin_lock_irqsave(&n->list_lock, flags);
	do {
		slab_free_next(s, slab, head, tail, count, &old, &new, &cnt, &was_frozen);
	} while (!slab_cmpxchg(s, slab, old, new));
	discard = !cnt.frozen && !cnt.inuse && n->nr_partial > s->min_partial;
	if (discard) {
		xalloc_remove_partial(n, slab);
		xalloc_stat(s, FREE_REMOVE_PARTIAL);
	}
	spin_unlock_irqrestore(&n->list_lock, flags);
	if (discard)
		xalloc_discard_slab(s, slab);
	else
		slab_free_done(s, slab, was_frozen, cnt);
}

/* Free @count objects chained from @head to @tail to a slab not the CPU's. */
static noinline void __xalloc_slab_free(struct xalloc_cache *s,
					struct xalloc_page *slab, void *head,
					void *tail, unsigned int count,
					unsigned long addr)
{
	union xalloc_slab_counters cnt;
	union xalloc_aba old, new;
	bool was_frozen;
	void *prior = READ_ONCE(slab->freelist);

	if (unlikely(prior && (prior == head || prior == tail))) {
		double_free_report(s, prior, "slab");
		return;
	}
	if (xalloc_cache_debug(s)) {
		xalloc_debug_free_caller(s, slab, head, addr);
		return;
	}
	stat_add(s, FREE_SLOWPATH, count);
	do {
		if (slab_free_next(s, slab, head, tail, count, &old, &new, &cnt, &was_frozen)) {
			slab_free_emptying(s, slab, head, tail, count);
			return;
		}
	} while (!slab_cmpxchg(s, slab, old, new));
	slab_free_done(s, slab, was_frozen, cnt);
}

/* Whether slab_free_hook() has work: KASAN, kmemleak or init_on_free. */
static __always_inline bool slab_free_hooks_on(void)
{
	return IS_ENABLED(CONFIG_KASAN_GENERIC) || IS_ENABLED(CONFIG_DEBUG_KMEMLEAK) ||
	       want_init_on_free();
}

static void xalloc_slab_free_hooked(struct xalloc_cache *s, struct xalloc_page *slab,
				    void *obj, unsigned long addr);

/*
 * Free @count objects chained from @head to @tail, all of @slab. The object
 * freed must not be the head of the freelist it goes to (the kernel's
 * SLAB_FREELIST_HARDENED check, which catches a plain double free). @hook:
 * a single object, for slab_free_hook(); when the hook has work, the free
 * goes out of line, so that the lean path stays as it was.
 */
static __always_inline void xalloc_slab_free(struct xalloc_cache *s,
					     struct xalloc_page *slab,
					     void *head, void *tail,
					     unsigned int count, unsigned long addr,
					     bool hook)
{
	struct xalloc_cache_cpu *c;
	union xalloc_aba old, new;

	if (hook && slab_free_hooks_on()) {
		xalloc_slab_free_hooked(s, slab, head, addr);
		return;
	}
	if (hook && xalloc_sheaves_on(s) && xalloc_sheaf_free(s, head, false))
		return;
redo:
	c = raw_cpu_ptr(s->cpu);
	old.counter = READ_ONCE(c->aba.counter);
	barrier();
	if (unlikely(slab != READ_ONCE(c->slab))) {
		__xalloc_slab_free(s, slab, head, tail, count, addr);
		return;
	}
	old.freelist = READ_ONCE(c->aba.freelist);
	if (unlikely(old.freelist == head || old.freelist == tail)) {
		double_free_report(s, head, "CPU");
		return;
	}
	set_freepointer(s, tail, old.freelist);
	new.freelist = head;
	new.counter = next_tid(old.counter);
	if (unlikely(!xalloc_this_cpu_cmpxchg_aba(s->cpu->aba, old, new))) {
		xalloc_stat(s, CMPXCHG_DOUBLE_CPU_FAIL);
		goto redo;
	}
	stat_add(s, FREE_FASTPATH, count);
}

/*
 * The free of one object when slab_free_hook() has work: the freelist head
 * check first (a double free is reported as such, before KASAN's shadow
 * check could), then the hook, then the free itself.
 */
static noinline void xalloc_slab_free_hooked(struct xalloc_cache *s,
					     struct xalloc_page *slab,
					     void *obj, unsigned long addr)
{
	struct xalloc_cache_cpu *c;
	bool cpu;

	if (xalloc_sheaves_on(s) && xalloc_sheaf_free(s, obj, true))
		return;
	c = raw_cpu_ptr(s->cpu);
	cpu = READ_ONCE(c->slab) == slab;
	if (unlikely((cpu ? READ_ONCE(c->aba.freelist) : READ_ONCE(slab->freelist)) == obj)) {
		double_free_report(s, obj, cpu ? "CPU" : "slab");
		return;
	}
	if (slab_free_hook(s, obj))
		xalloc_slab_free(s, slab, obj, obj, 1, addr, false);
}

/**
 * xalloc_object_slab_bad() - report why an object can't be freed
 * @area: who asks, for the report: a cache name or "kmalloc"
 * @obj: the object
 * @slab: its page's descriptor (NULL outside the zone), or its slab
 *
 * The slow path of xalloc_object_slab(), out of line.
 *
 * Context: Any context.
 * Return: NULL, after reporting that @obj is not in the zone, not in a slab,
 * or not at an object boundary.
 */
struct xalloc_page *xalloc_object_slab_bad(const char *area, const void *obj,
					   struct xalloc_page *slab)
{
	struct xalloc_cache *s;
	long off;

	if (!slab) {
		xalloc_report(area, obj, "free of an address outside the zone");
		return NULL;
	}
	if (slab->type == XALLOC_PAGE_SLAB_TAIL)
		slab = slab->head;
	if (slab->type != XALLOC_PAGE_SLAB) {
		xalloc_report(area, obj, "free of an address that is not in a slab");
		return NULL;
	}
	s = slab->cache;
	off = obj - s->red_left_pad - xalloc_desc_address(slab);
	xalloc_report(s->name, obj, "free of an address inside object %u of a slab",
		      reciprocal_divide(off, s->reciprocal_size));
	return NULL;
}

/**
 * xalloc_slab_free_released() - free an object the quarantine released
 * @slab: its slab
 * @obj: the object, poisoned, through slab_free_hook() already
 *
 * Context: Any context.
 */
void xalloc_slab_free_released(struct xalloc_page *slab, void *obj)
{
	xalloc_slab_free(slab->cache, slab, obj, obj, 1, _RET_IP_, false);
}

/**
 * xalloc_kfree() - free memory from xalloc_kmalloc() or any xalloc cache
 * @p: the memory; NULL and ZERO_SIZE_PTR are ignored
 *
 * An address xalloc did not hand out is reported and left alone. Here
 * rather than in mm/kmalloc.c so that the free of an object reaches the
 * fast path of xalloc_slab_free() inline: descriptor, boundary check and
 * free without a call; large blocks and reports go out of line.
 *
 * Context: Any context.
 */
void xalloc_kfree(const void *p)
{
	struct xalloc_page *slab;
	u8 type;

	if (unlikely(ZERO_OR_NULL_PTR(p)))
		return;
	slab = __xalloc_addr_desc(p);
	if (unlikely(!slab))
		goto other;
	/* A page given back (XALLOC_PAGE_GONE) is no slab: out of line. */
	type = READ_ONCE(slab->type);
	if (type == XALLOC_PAGE_SLAB_TAIL) {
		slab = slab->head;
		type = slab->type;
	}
	if (unlikely(type != XALLOC_PAGE_SLAB ||
		     slab_object_index_in(slab->cache, slab, p) < 0))
		goto other;
	xalloc_slab_free(slab->cache, slab, (void *)p, (void *)p, 1, _RET_IP_, true);
	return;
other:
	xalloc_kfree_other(p);
}
EXPORT_SYMBOL_GPL(xalloc_kfree);

/* ---- Cache creation ----------------------------------------------------- */

/* The inverse of odd @d modulo 2^64, by Newton's iteration. */
static unsigned long inverse_mod_2_64(unsigned long d)
{
	unsigned long x = d;	/* right in the low 3 bits: d * d == 1 mod 8 */
	int i;

	/* Each step doubles the bits that are right: 6, 12, 24, 48, 96. */
	for (i = 0; i < 5; i++)
		x *= 2 - d * x;
	return x;
}

static unsigned int slab_objects(unsigned int order, unsigned int size)
{
	return min_t(unsigned int, (PAGE_SIZE << order) / size, XALLOC_MAX_OBJECTS);
}

static struct xalloc_order_objects oo_make(unsigned int order, unsigned int size)
{
	return (struct xalloc_order_objects){ (order << 16) | slab_objects(order, size) };
}

/*
 * The smallest order up to @max_order that holds @min_objects objects and
 * wastes at most 1/@fract of the slab; @max_order + 1 if there is none.
 */
static unsigned int slab_order(unsigned int size, unsigned int min_objects,
			       unsigned int max_order, unsigned int fract)
{
	unsigned int order;

	for (order = get_order(size * min_objects); order <= max_order; order++) {
		unsigned int bytes = PAGE_SIZE << order;

		if (bytes % size <= bytes / fract)
			break;
	}
	return order;
}

/* Like the kernel: enough objects per slab for the CPUs, little waste. */
static unsigned int calculate_order(unsigned int size)
{
	unsigned int min_objects = 4 * (fls(nr_cpu_ids) + 1);
	unsigned int max_objects = slab_objects(XALLOC_SLUB_MAX_ORDER, size);
	unsigned int order;

	min_objects = min(min_objects, max_objects);
	for (; min_objects > 1; min_objects--) {
		for (unsigned int fract = 16; fract >= 4; fract /= 2) {
			order = slab_order(size, min_objects, XALLOC_SLUB_MAX_ORDER, fract);
			if (order <= XALLOC_SLUB_MAX_ORDER)
				return order;
		}
	}
	order = slab_order(size, 1, XALLOC_SLUB_MAX_ORDER, 1);
	if (order <= XALLOC_SLUB_MAX_ORDER)
		return order;
	return get_order(size);
}

static unsigned int calculate_alignment(unsigned long flags, unsigned int align,
					unsigned int size)
{
	if (flags & XALLOC_HWCACHE_ALIGN) {
		unsigned int ralign = cache_line_size();

		while (size <= ralign / 2)
			ralign /= 2;
		align = max(align, ralign);
	}
	return ALIGN(max_t(unsigned int, align, sizeof(void *)), sizeof(void *));
}

static void calculate_sizes(struct xalloc_cache *s)
{
	unsigned int size = ALIGN(s->object_size, sizeof(void *));

	s->inuse = size;
	s->red_left_pad = 0;
	if (xalloc_cache_debug(s)) {
		xalloc_debug_calculate_sizes(s, &size);
	} else if (s->ctor || (s->flags & XALLOC_TYPESAFE_BY_RCU)) {
		/*
		 * The free pointer must not overwrite what the ctor set up, nor
		 * what an RCU reader of a type-safe object may look at.
		 */
		s->offset = size;
		size += sizeof(void *);
	} else {
		/* Mid-object: small overflows do not hit the free pointer. */
		s->offset = ALIGN_DOWN(s->object_size / 2, sizeof(void *));
	}
	/* Under KASAN, a poisoned gap after every object: overflows are seen. */
	size += XALLOC_KASAN_REDZONE;
	s->size = ALIGN(size, s->align);
	s->reciprocal_size = reciprocal_value(s->size);
	s->size_shift = __ffs(s->size);
	s->size_inv = inverse_mod_2_64(s->size >> s->size_shift);
	s->oo = oo_make(calculate_order(s->size), s->size);
	s->min = oo_make(get_order(s->size), s->size);
	s->max = s->oo.x > s->min.x ? s->oo : s->min;
}

static void set_tunables(struct xalloc_cache *s)
{
	unsigned int nr;

	s->min_partial = clamp_t(unsigned int, ilog2(s->size) / 2, 5, 10);
	if (s->size >= PAGE_SIZE)
		nr = 6;
	else if (s->size >= 1024)
		nr = 24;
	else if (s->size >= 256)
		nr = 52;
	else
		nr = 120;
	s->cpu_partial = nr;
	s->cpu_partial_slabs = DIV_ROUND_UP(nr * 2, oo_objects(s->oo));
}

/* A shuffled order of a slab's objects; each new slab starts at random in it. */
static int init_random_seq(struct xalloc_cache *s, gfp_t gfp)
{
	unsigned int n = oo_objects(s->oo);

	kfree(s->random_seq);
	s->random_seq = NULL;
	if (!random_freelist || n < 2)
		return 0;
	s->random_seq = kcalloc(n, sizeof(*s->random_seq), gfp);
	if (!s->random_seq)
		return -ENOMEM;
	for (unsigned int i = 0; i < n; i++)
		s->random_seq[i] = i;
	for (unsigned int i = n - 1; i > 0; i--) {
		unsigned int j = get_random_u32() % (i + 1);

		swap(s->random_seq[i], s->random_seq[j]);
	}
	return 0;
}

/**
 * xalloc_setup_layout() - object layout, slab geometry and tunables
 * @s: a cache or a debug layout, with flags, object size and align set
 * @gfp: for the random order: GFP_KERNEL, or GFP_KERNEL_ACCOUNT to charge it
 *
 * Context: Process context; may sleep.
 * Return: 0, or -ENOMEM for the random order.
 */
int xalloc_setup_layout(struct xalloc_cache *s, gfp_t gfp)
{
	/* A constructed object's contents must survive: no poison. */
	if (s->ctor)
		s->flags &= ~XALLOC_POISON;
	calculate_sizes(s);
	set_tunables(s);
	return init_random_seq(s, gfp);
}

/**
 * xalloc_free_cache_nodes() - free the node parts and random order of @s
 * @s: a cache or a debug layout
 *
 * Context: Any context.
 */
void xalloc_free_cache_nodes(struct xalloc_cache *s)
{
	int nid;

	kfree(s->random_seq);
	for_each_node(nid)
		kfree(s->node[nid]);
}

static void free_cache(struct xalloc_cache *s)
{
	xalloc_layouts_release(s);
	xalloc_sheaves_free(s);
	xalloc_free_cache_nodes(s);
	free_percpu(s->cpu);
	kfree(s->name);
	kfree(s);
}

/**
 * xalloc_init_cache_nodes() - a node part of @s for each node with a zone
 * @s: a cache or a debug layout
 * @gfp: GFP_KERNEL, or GFP_KERNEL_ACCOUNT to charge them
 *
 * Context: Process context; may sleep.
 * Return: 0, or -ENOMEM (what was allocated is freed with the cache).
 */
int xalloc_init_cache_nodes(struct xalloc_cache *s, gfp_t gfp)
{
	int nid;

	for_each_node(nid) {
		struct xalloc_cache_node *n;

		if (!xalloc_zones[nid])
			continue;
		n = kzalloc_node(sizeof(*n), gfp, nid);
		if (!n)
			return -ENOMEM;
		spin_lock_init(&n->list_lock);
		INIT_LIST_HEAD(&n->partial);
		INIT_LIST_HEAD(&n->full);
		s->node[nid] = n;
	}
	return 0;
}

static bool valid_cache_args(const char *name, unsigned int size,
			     unsigned int align, unsigned long flags)
{
	size_t len = name ? strnlen(name, XALLOC_CACHE_NAME_MAX + 1) : 0;

	return len && len <= XALLOC_CACHE_NAME_MAX && !strchr(name, '/') &&
	       size && size <= (PAGE_SIZE << XALLOC_MAX_ORDER) / 2 &&
	       (!align || (is_power_of_2(align) && align <= PAGE_SIZE)) &&
	       !(flags & ~XALLOC_CACHE_FLAGS) &&
	       (flags & (XALLOC_SHEAVES | XALLOC_NO_SHEAVES)) !=
	       (XALLOC_SHEAVES | XALLOC_NO_SHEAVES);
}

/* Caches by name, destroyed ones too; xalloc_caches_mutex. */
static DEFINE_HASHTABLE(cache_names, 8);

static u32 cache_name_hash(const char *name)
{
	return full_name_hash(NULL, name, strlen(name));
}

/**
 * xalloc_find_cache_locked() - find a cache by name, destroyed ones too
 * @name: the cache name
 *
 * Context: xalloc_caches_mutex held.
 * Return: the cache, live or kept dead, or NULL.
 */
struct xalloc_cache *xalloc_find_cache_locked(const char *name)
{
	struct xalloc_cache *s;

	lockdep_assert_held(&xalloc_caches_mutex);
	hash_for_each_possible(cache_names, s, hash, cache_name_hash(name))
		if (!strcmp(s->name, name))
			return s;
	return NULL;
}

/**
 * xalloc_cache_lookup() - find a live cache by name
 * @name: the cache name
 *
 * Context: Process context; takes xalloc_caches_mutex.
 * Return: the cache, or NULL.
 */
struct xalloc_cache *xalloc_cache_lookup(const char *name)
{
	struct xalloc_cache *s;

	mutex_lock(&xalloc_caches_mutex);
	s = xalloc_find_cache_locked(name);
	if (s && s->dead)
		s = NULL;
	mutex_unlock(&xalloc_caches_mutex);
	return s;
}
EXPORT_SYMBOL_GPL(xalloc_cache_lookup);

/**
 * xalloc_cache_create() - create an object cache in the xalloc zone
 * @name: unique name, 1 to XALLOC_CACHE_NAME_MAX characters, no '/'
 * @size: object size, 1 byte to half the largest zone block
 * @align: 0, or a power of two up to PAGE_SIZE
 * @flags: XALLOC_HWCACHE_ALIGN, XALLOC_TYPESAFE_BY_RCU, XALLOC_SHEAVES or
 *         XALLOC_NO_SHEAVES (not both), and the debug flags
 *         XALLOC_RED_ZONE, XALLOC_POISON, XALLOC_STORE_USER,
 *         XALLOC_CONSISTENCY_CHECKS; the debug= module parameter may add
 *         debug flags. Without either sheaf flag a cache of objects up to
 *         4 KiB without debug flags gets per-CPU sheaves (see sheaves=).
 * @ctor: called once for each object when its slab is created, or NULL;
 *        a cache with a ctor is not poisoned
 *
 * Context: Process context; may sleep.
 * Return: the cache, or NULL for bad arguments, a name in use, or no memory.
 */
struct xalloc_cache *xalloc_cache_create(const char *name, unsigned int size,
					 unsigned int align, unsigned long flags,
					 void (*ctor)(void *))
{
	if (!valid_cache_args(name, size, align, flags))
		return NULL;
	return xalloc_cache_create_aligned(name, size, align, flags, ctor, GFP_KERNEL);
}
EXPORT_SYMBOL_GPL(xalloc_cache_create);

/**
 * xalloc_cache_create_aligned() - xalloc_cache_create() with any alignment
 * @name: as for xalloc_cache_create()
 * @size: as for xalloc_cache_create()
 * @align: a power of two, may exceed PAGE_SIZE (kmalloc-8k's 8192)
 * @flags: as for xalloc_cache_create()
 * @ctor: as for xalloc_cache_create()
 * @gfp: for the cache's own memory: GFP_KERNEL, or GFP_KERNEL_ACCOUNT to
 *       charge it to the caller's memory cgroup (caches of /dev/xalloc)
 *
 * Context: Process context; may sleep.
 * Return: the cache, or NULL.
 */
struct xalloc_cache *xalloc_cache_create_aligned(const char *name, unsigned int size,
						 unsigned int align, unsigned long flags,
						 void (*ctor)(void *), gfp_t gfp)
{
	return __xalloc_cache_create(name, size, align, flags, ctor, gfp, 0);
}

/**
 * xalloc_cache_create_sheaves() - create a cache with per-CPU sheaves
 * @name: as for xalloc_cache_create()
 * @size: as for xalloc_cache_create()
 * @align: as for xalloc_cache_create()
 * @flags: as for xalloc_cache_create(); XALLOC_SHEAVES is implied, and
 *         debug flags (given or from debug=) leave the cache without sheaves
 * @ctor: as for xalloc_cache_create()
 * @capacity: objects per sheaf, 1 to 256, or 0 to choose by size (32 up to
 *            256 bytes, 16 up to 1 KiB, 8 above)
 *
 * Context: Process context; may sleep.
 * Return: the cache, or NULL.
 */
struct xalloc_cache *xalloc_cache_create_sheaves(const char *name, unsigned int size,
						 unsigned int align, unsigned long flags,
						 void (*ctor)(void *),
						 unsigned int capacity)
{
	if (!valid_cache_args(name, size, align, flags | XALLOC_SHEAVES))
		return NULL;
	return __xalloc_cache_create(name, size, align, flags | XALLOC_SHEAVES, ctor,
				     GFP_KERNEL, capacity);
}
EXPORT_SYMBOL_GPL(xalloc_cache_create_sheaves);

/**
 * __xalloc_cache_create() - xalloc_cache_create_aligned() with a sheaf capacity
 * @name: as for xalloc_cache_create()
 * @size: as for xalloc_cache_create()
 * @align: as for xalloc_cache_create_aligned()
 * @flags: as for xalloc_cache_create()
 * @ctor: as for xalloc_cache_create()
 * @gfp: as for xalloc_cache_create_aligned()
 * @sheaf_capacity: as for xalloc_cache_create_sheaves()
 *
 * Context: Process context; may sleep.
 * Return: the cache, or NULL.
 */
struct xalloc_cache *__xalloc_cache_create(const char *name, unsigned int size,
					   unsigned int align, unsigned long flags,
					   void (*ctor)(void *), gfp_t gfp,
					   unsigned int sheaf_capacity)
{
	unsigned long debug;
	struct xalloc_cache *s;
	int cpu;

	s = kzalloc(xalloc_cache_bytes(), gfp);
	if (!s)
		return NULL;
	s->name = kstrdup(name, gfp);
	s->cpu = __alloc_percpu_gfp(sizeof(*s->cpu), 2 * sizeof(void *), gfp);
	if (!s->name || !s->cpu || xalloc_init_cache_nodes(s, gfp))
		goto err_free;
	for_each_possible_cpu(cpu)
		per_cpu_ptr(s->cpu, cpu)->aba.counter = cpu;
	/* The cache's own layout has no debugging; a debug layout comes next. */
	s->flags = flags & ~XALLOC_DEBUG_FLAGS;
	s->object_size = size;
	s->ctor = ctor;
	s->align = calculate_alignment(flags, align, size);
	if (harden_freelist) {
		s->random = get_random_long();
		s->swab_mask = ~0UL;
	}
	if (xalloc_setup_layout(s, gfp))
		goto err_free;
	debug = (flags | xalloc_debug_flags_for(name)) & XALLOC_DEBUG_FLAGS;
	if (xalloc_sheaves_init(s, flags | debug, sheaf_capacity, gfp))
		goto err_free;

	mutex_lock(&xalloc_caches_mutex);
	if (xalloc_find_cache_locked(name) || xalloc_layout_init(s, debug)) {
		mutex_unlock(&xalloc_caches_mutex);
		goto err_free;
	}
	list_add_tail(&s->list, &xalloc_caches);
	hash_add(cache_names, &s->hash, cache_name_hash(s->name));
	xalloc_slab_debugfs_add(s);
	mutex_unlock(&xalloc_caches_mutex);
	return s;

err_free:
	free_cache(s);
	return NULL;
}

/**
 * xalloc_discard_empty_partials() - give the empty partial slabs back
 * @s: a cache or a debug layout
 *
 * Every empty slab of the node partial lists goes back to the zone.
 *
 * Context: Any context but hard interrupts.
 */
void xalloc_discard_empty_partials(struct xalloc_cache *s)
{
	struct xalloc_page *slab, *tmp;
	unsigned long flags;
	LIST_HEAD(discard);
	int nid;

	for_each_node(nid) {
		struct xalloc_cache_node *n = s->node[nid];

		if (!n)
			continue;
		spin_lock_irqsave(&n->list_lock, flags);
		list_for_each_entry_safe(slab, tmp, &n->partial, list) {
			if (slab_inuse(slab))
				continue;
			xalloc_remove_partial(n, slab);
			list_add(&slab->list, &discard);
		}
		spin_unlock_irqrestore(&n->list_lock, flags);
	}
	discard_list(s, &discard);
}

/* Flush the CPUs' slabs of @s, then free the empty slabs of every layout. */
static void shrink_layouts(struct xalloc_cache *s)
{
	struct xalloc_cache *l;

	xalloc_flush_all(s);
	rcu_read_lock();
	for (l = s; l; l = xalloc_layout_next(s, l))
		xalloc_discard_empty_partials(l);
	rcu_read_unlock();
}

/* Give back every slab that can go; what is left holds objects. */
static void shrink_and_count(struct xalloc_cache *s, struct xalloc_cache_counts *cnt)
{
	xalloc_quarantine_drain();
	shrink_layouts(s);
	xalloc_rcu_wait_slabs(s);
	xalloc_cache_counts(s, cnt);
}

/**
 * xalloc_cache_shrink() - give a cache's empty slabs back to the zone
 * @s: the cache
 *
 * Flushes every CPU's slabs to the node lists, then frees all empty slabs
 * and drains every CPU's page lists, so that the freed pages are back on the
 * zone's free lists. For an XALLOC_TYPESAFE_BY_RCU cache, waits for the
 * grace periods after which its empty slabs go.
 *
 * Context: Process context; may sleep.
 * Return: 0.
 */
int xalloc_cache_shrink(struct xalloc_cache *s)
{
	xalloc_quarantine_drain();
	cpus_read_lock();
	shrink_layouts(s);
	cpus_read_unlock();
	xalloc_rcu_wait_slabs(s);
	xalloc_zone_drain();
	return 0;
}
EXPORT_SYMBOL_GPL(xalloc_cache_shrink);

/**
 * xalloc_slab_shrink_all() - give back the empty slabs of every cache
 *
 * For the shrinker: takes the list of caches and the CPU hotplug lock only
 * if they are free (reclaim may run under either), and waits for no grace
 * period: empty slabs of type-safe caches go after theirs, by themselves.
 *
 * Context: Process context; may sleep (it flushes every CPU's slabs).
 * Return: false if a lock was taken and nothing was done.
 */
bool xalloc_slab_shrink_all(void)
{
	struct xalloc_cache *s;

	if (!cpus_read_trylock())
		return false;
	if (!mutex_trylock(&xalloc_caches_mutex)) {
		cpus_read_unlock();
		return false;
	}
	xalloc_quarantine_drain();
	list_for_each_entry(s, &xalloc_caches, list)
		shrink_layouts(s);
	mutex_unlock(&xalloc_caches_mutex);
	cpus_read_unlock();
	return true;
}

/**
 * xalloc_cache_reclaimable() - pages a shrink of a cache could free, estimated
 * @s: the cache
 *
 * Its slabs' pages in the proportion of their objects that no caller holds
 * (free in the slabs, or held in sheaves and barns): exact when those
 * objects fill whole slabs, as after every object was freed; more than a
 * shrink frees while partly used slabs hold some of them.
 *
 * Context: Any context; a racy estimate while @s is in use.
 * Return: that many pages.
 */
unsigned long xalloc_cache_reclaimable(struct xalloc_cache *s)
{
	struct xalloc_cache_counts cnt;
	unsigned long sheaved, held;

	xalloc_cache_counts(s, &cnt);
	if (!cnt.num_objs)
		return 0;
	/* Active objects are clamped to num_objs: so is held. */
	sheaved = xalloc_sheaf_objects(s);
	held = cnt.active_objs - min(cnt.active_objs, sheaved);
	return mult_frac(cnt.num_pages, cnt.num_objs - held, cnt.num_objs);
}
EXPORT_SYMBOL_GPL(xalloc_cache_reclaimable);

/**
 * xalloc_slab_reclaimable() - pages xalloc_slab_shrink_all() could free
 *
 * For the shrinker's count: xalloc_cache_reclaimable() summed over every
 * cache; 0 while the list of caches is taken (reclaim may run under it).
 *
 * Context: Process context.
 * Return: that many pages, estimated.
 */
unsigned long xalloc_slab_reclaimable(void)
{
	struct xalloc_cache *s;
	unsigned long pages = 0;

	if (!mutex_trylock(&xalloc_caches_mutex))
		return 0;
	list_for_each_entry(s, &xalloc_caches, list)
		pages += xalloc_cache_reclaimable(s);
	mutex_unlock(&xalloc_caches_mutex);
	return pages;
}
EXPORT_SYMBOL_GPL(xalloc_slab_reclaimable);

/**
 * xalloc_cache_destroy() - destroy a cache
 * @s: the cache, or NULL
 *
 * Frees queued with xalloc_cache_free_rcu() or xalloc_kfree_rcu() are
 * waited for. A cache that still has objects allocated then is reported
 * with their number and kept, dead, with the slabs holding them: those
 * objects stay valid and can still be freed; the rest is freed with the
 * module.
 *
 * Context: Process context; may sleep.
 */
void xalloc_cache_destroy(struct xalloc_cache *s)
{
	struct xalloc_cache_counts cnt;

	if (!s)
		return;
	/*
	 * Without the locks: the removal waits for a write to the cache's files
	 * that is running, and that write may wait for them. A cache kept dead
	 * gets its files back.
	 */
	xalloc_slab_debugfs_remove(s);
	xalloc_rcu_cache_sync(s);
	cpus_read_lock();
	mutex_lock(&xalloc_caches_mutex);
	shrink_and_count(s, &cnt);
	if (cnt.num_slabs) {
		s->dead = true;
		/* Its objects' frees go to the slabs, which go as they empty. */
		xalloc_sheaves_pause(s, true);
		xalloc_report(s->name, s,
			      "cache destroyed with %lu objects allocated, %lu slabs kept",
			      cnt.active_objs, cnt.num_slabs);
		xalloc_debug_report_leaks(s);
		xalloc_slab_debugfs_add(s);
	} else {
		list_del(&s->list);
		hash_del(&s->hash);
	}
	mutex_unlock(&xalloc_caches_mutex);
	cpus_read_unlock();
	if (!s->dead)
		free_cache(s);
}
EXPORT_SYMBOL_GPL(xalloc_cache_destroy);

/* ---- Allocation and free API -------------------------------------------- */

/**
 * xalloc_cache_alloc_node() - allocate an object, preferring a node
 * @s: the cache
 * @gfp: allocation flags; __GFP_ZERO clears the object, __GFP_THISNODE
 *       forbids a new slab on another node
 * @nid: preferred node, or NUMA_NO_NODE
 *
 * Context: Any context with a suitable @gfp (GFP_ATOMIC in interrupts).
 * Return: the object, or NULL if the zone has no memory left.
 */
void *xalloc_cache_alloc_node(struct xalloc_cache *s, gfp_t gfp, int nid)
{
	return xalloc_cache_alloc_caller(s, gfp, nid, _RET_IP_);
}
EXPORT_SYMBOL_GPL(xalloc_cache_alloc_node);

/**
 * xalloc_cache_alloc_caller() - xalloc_cache_alloc_node() for a given caller
 * @s: the cache
 * @gfp: allocation flags
 * @nid: preferred node, or NUMA_NO_NODE
 * @addr: the caller recorded by owner tracking
 *
 * Context: Any context with a suitable @gfp.
 * Return: the object, or NULL.
 */
void *xalloc_cache_alloc_caller(struct xalloc_cache *s, gfp_t gfp, int nid,
				unsigned long addr)
{
	if (unlikely(nid != NUMA_NO_NODE &&
		     (nid < 0 || nid >= nr_node_ids || !s->node[nid])))
		return NULL;
	return xalloc_slab_alloc(s, gfp, nid, addr);
}

/**
 * xalloc_kmalloc_alloc() - an object of a kmalloc class
 * @s: the class's cache
 * @size: bytes asked for, up to @s's object size
 * @gfp: allocation flags
 * @nid: preferred node, or NUMA_NO_NODE
 * @addr: the caller recorded by owner tracking
 *
 * xalloc_cache_alloc_caller() with the fast path inline and
 * xalloc_kmalloc_post() only for a debug layout or under KASAN.
 *
 * Context: Any context with a suitable @gfp.
 * Return: the object, or NULL.
 */
void *xalloc_kmalloc_alloc(struct xalloc_cache *s, size_t size, gfp_t gfp, int nid,
			   unsigned long addr)
{
	void *obj;

	if (unlikely(nid != NUMA_NO_NODE &&
		     (nid < 0 || nid >= nr_node_ids || !s->node[nid])))
		return NULL;
	obj = xalloc_slab_alloc(s, gfp, nid, addr);
	if (unlikely(IS_ENABLED(CONFIG_KASAN_GENERIC) || rcu_access_pointer(s->layout)) &&
	    obj)
		xalloc_kmalloc_post(s, obj, size);
	return obj;
}

/**
 * xalloc_cache_alloc() - allocate an object from a cache
 * @s: the cache
 * @gfp: allocation flags; __GFP_ZERO clears the object
 *
 * Context: Any context with a suitable @gfp (GFP_ATOMIC in interrupts).
 * Return: the object, or NULL if the zone has no memory left.
 */
void *xalloc_cache_alloc(struct xalloc_cache *s, gfp_t gfp)
{
	return xalloc_slab_alloc(s, gfp, NUMA_NO_NODE, _RET_IP_);
}
EXPORT_SYMBOL_GPL(xalloc_cache_alloc);

/*
 * The slab of an object freed to @s, or NULL after a report. The slab's
 * cache is @s or a debug layout of @s: free to the slab's cache.
 */
static __always_inline struct xalloc_page *cache_object_slab(struct xalloc_cache *s, void *obj)
{
	struct xalloc_page *slab = xalloc_object_slab(s->name, obj, xalloc_addr_desc(obj));

	if (unlikely(slab && slab->cache != s && slab->cache->parent != s)) {
		xalloc_report(s->name, obj, "free of an object of cache %s",
			      slab->cache->name);
		return NULL;
	}
	return slab;
}

/* cache_free_one() when slab_free_hook() has work, out of line. */
static noinline void cache_free_hooked(struct xalloc_cache *s, void *obj,
				       unsigned long addr)
{
	struct xalloc_page *slab = cache_object_slab(s, obj);

	if (slab)
		xalloc_slab_free_hooked(slab->cache, slab, obj, addr);
}

/*
 * The hooks are tested before the slab is looked up, so that the lean path
 * needs the caller's address only where it had it before the hooks came.
 */
static __always_inline void cache_free_one(struct xalloc_cache *s, void *obj,
					   unsigned long addr)
{
	struct xalloc_page *slab;

	if (unlikely(!obj))
		return;
	if (slab_free_hooks_on()) {
		cache_free_hooked(s, obj, addr);
		return;
	}
	slab = cache_object_slab(s, obj);
	if (likely(slab))
		xalloc_slab_free(slab->cache, slab, obj, obj, 1, addr, true);
}

/**
 * xalloc_cache_free() - free an object to its cache
 * @s: the cache it was allocated from
 * @obj: the object; NULL is ignored
 *
 * An address outside the zone, not at an object boundary or of another
 * cache is reported and left alone.
 *
 * Context: Any context.
 */
void xalloc_cache_free(struct xalloc_cache *s, void *obj)
{
	cache_free_one(s, obj, _RET_IP_);
}
EXPORT_SYMBOL_GPL(xalloc_cache_free);

/*
 * What bulk loops need of a cache and a slab, read once into locals: to the
 * compiler a store through an object pointer may alias the cache, so each
 * field would be loaded again for every object.
 *
 * struct bulk_slab: whether an address is an object of one slab, by the
 * exact divisibility test of slab_object_index() from the slab's first
 * object (@first, red zone included): one subtract, multiply, rotate and
 * compare, no descriptor; an address outside the slab fails it as one off
 * an object boundary does. With no slab (@objects 0) nothing matches; NULL,
 * far below the direct map, never does.
 */
struct bulk_slab {
	unsigned long first, size_inv;
	unsigned int size_shift, objects;
};

static __always_inline struct bulk_slab bulk_slab_none(const struct xalloc_cache *s)
{
	return (struct bulk_slab){ .size_inv = s->size_inv, .size_shift = s->size_shift };
}

/* @slab, of the cache @b was made for. */
static __always_inline void bulk_slab_set(struct bulk_slab *b, const struct xalloc_cache *s,
					  const struct xalloc_page *slab)
{
	b->first = (unsigned long)slab_address(slab) + s->red_left_pad;
	b->objects = slab->cnt.objects;
}

static __always_inline bool bulk_slab_has(const struct bulk_slab *b, const void *obj)
{
	return ror64(((unsigned long)obj - b->first) * b->size_inv, b->size_shift) < b->objects;
}

/* The freelist word's encoding of set_freepointer() and get_freepointer(). */
struct bulk_fp {
	unsigned long random, swab_mask;
	unsigned int offset;
};

static __always_inline struct bulk_fp bulk_fp(const struct xalloc_cache *s)
{
	return (struct bulk_fp){ s->random, s->swab_mask, s->offset };
}

static __always_inline void bulk_set_freepointer(struct bulk_fp f, void *object, void *fp)
{
	unsigned long *p = object + f.offset;

	*p = (unsigned long)fp ^ f.random ^ (swab((unsigned long)p) & f.swab_mask);
}

static __always_inline void *bulk_get_freepointer(struct bulk_fp f, void *object)
{
	unsigned long *p = object + f.offset;

	return (void *)(READ_ONCE(*p) ^ f.random ^ (swab((unsigned long)p) & f.swab_mask));
}

static noinline void bulk_double_free_report(struct xalloc_cache *s, void *obj)
{
	xalloc_report(s->name, obj,
		      "double free: the object is named twice in a row in a bulk free");
}

/*
 * The slab of a bulk-freed object, NULL when it has none (reported) or is of
 * a debug layout (retired since, or the cache's while debugging is on): such
 * an object is checked, tracked and freed on its own here, with @hooks.
 */
static __always_inline struct xalloc_page *bulk_own_slab(struct xalloc_cache *s, void *obj,
							 bool hooks, unsigned long ip)
{
	struct xalloc_page *slab = cache_object_slab(s, obj);

	if (unlikely(slab && slab->cache != s)) {
		xalloc_slab_free(slab->cache, slab, obj, obj, 1, ip, hooks);
		return NULL;
	}
	return slab;
}

/*
 * Runs of objects of one slab go back as one detached freelist: the first
 * object of a run is looked up by its descriptor, the next ones by address
 * (bulk_slab_has()). An object equal to the one before (NULLs aside) is a
 * double free: it ends the run and is reported, since the freelist head
 * check of the slab's free only sees the run's head. @hooks: run
 * slab_free_hook() on each object first; a constant, so that the lean loop
 * has no trace of them.
 */
static __always_inline void __free_bulk_runs(struct xalloc_cache *s, size_t nr, void **objs,
					     const bool hooks)
{
	struct bulk_slab b = bulk_slab_none(s);
	const struct bulk_fp f = bulk_fp(s);
	void *last = NULL;
	size_t i = 0;

	while (i < nr) {
		void *head = objs[i++], *tail = head;
		struct xalloc_page *slab;
		unsigned int count = 1;

		if (unlikely(!head))
			continue;
		if (unlikely(head == last)) {
			bulk_double_free_report(s, head);
			continue;
		}
		slab = bulk_own_slab(s, head, hooks, _RET_IP_);
		if (unlikely(!slab))
			continue;
		bulk_slab_set(&b, s, slab);
		if (hooks)
			slab_free_hook(s, head);
		for (; i < nr; i++) {
			void *next = objs[i];

			if (next == tail || !bulk_slab_has(&b, next))
				break;
			if (hooks)
				slab_free_hook(s, next);
			bulk_set_freepointer(f, tail, next);
			tail = next;
			count++;
		}
		last = tail;
		xalloc_slab_free(s, slab, head, tail, count, _RET_IP_, false);
	}
}

static noinline void free_bulk_runs_hooked(struct xalloc_cache *s, size_t nr, void **objs)
{
	__free_bulk_runs(s, nr, objs, true);
}

/* @hook: run slab_free_hook() on each object, when it has work. */
static void free_bulk_runs(struct xalloc_cache *s, size_t nr, void **objs, bool hook)
{
	if (hook && slab_free_hooks_on())
		free_bulk_runs_hooked(s, nr, objs);
	else
		__free_bulk_runs(s, nr, objs, false);
}

/*
 * Push objects of a bulk free onto this CPU's sheaves, each after the checks
 * of xalloc_cache_free(): its slab, by address when it is in the slab of the
 * object before (bulk_slab_has()), else by descriptor; the top of the main
 * sheaf, which is the object pushed just before once one was (a double
 * free); then, with @hooks, its free hook (under KASAN the shadow check,
 * which may quarantine it, as for one object). A full main is swapped or
 * exchanged with the barn, never flushed. Return: how many of @objs were
 * dealt with (pushed, reported or NULL); the rest go to the slabs.
 */
static __always_inline size_t __sheaf_free_bulk(struct xalloc_cache *s, size_t nr,
						void **objs, const bool hooks)
{
	struct bulk_slab b = bulk_slab_none(s);
	void **dst, **dst_end, **seg;
	struct xalloc_sheaf *main;
	struct xalloc_pcs *pcs;
	unsigned long pushed = 0;
	void *top;
	size_t i;

	pcs = xalloc_pcs_trylock(s->sheaves);
	if (unlikely(!pcs))
		return 0;
	main = pcs->main;
	/* Paused (capacity 0): all of them to the slabs. */
	if (unlikely(!main->capacity)) {
		xalloc_pcs_unlock(pcs);
		return 0;
	}
	dst = main->objects + main->size;
	seg = dst;
	dst_end = main->objects + main->capacity;
	top = main->size ? dst[-1] : NULL;
	for (i = 0; i < nr; i++) {
		void *obj = objs[i];

		if (unlikely(dst == dst_end)) {
			main->size = dst - main->objects;
			pushed += dst - seg;
			seg = dst;
			if (!xalloc_sheaf_get_empty(s, pcs))
				break;
			main = pcs->main;
			dst = main->objects + main->size;
			seg = dst;
			dst_end = main->objects + main->capacity;
			/*
			 * A full sheaf in the barn may be flushed by another
			 * CPU, and the slab named last freed with it.
			 */
			b.objects = 0;
		}
		if (unlikely(!bulk_slab_has(&b, obj))) {
			struct xalloc_page *slab;

			if (unlikely(!obj))
				continue;
			slab = bulk_own_slab(s, obj, true, _RET_IP_);
			if (unlikely(!slab))
				continue;
			bulk_slab_set(&b, s, slab);
		}
		if (unlikely(obj == top)) {
			xalloc_sheaf_double_free(s, obj);
			continue;
		}
		if (hooks && unlikely(!slab_free_hook(s, obj)))
			continue;
		*dst++ = obj;
		top = obj;
	}
	main->size = dst - main->objects;
	pushed += dst - seg;
	pcs->stat[SHEAF_FREE_BULK] += pushed;
	xalloc_pcs_unlock(pcs);
	return i;
}

static noinline size_t sheaf_free_bulk_hooked(struct xalloc_cache *s, size_t nr, void **objs)
{
	return __sheaf_free_bulk(s, nr, objs, true);
}

static size_t sheaf_free_bulk(struct xalloc_cache *s, size_t nr, void **objs)
{
	if (slab_free_hooks_on())
		return sheaf_free_bulk_hooked(s, nr, objs);
	return __sheaf_free_bulk(s, nr, objs, false);
}

/**
 * xalloc_cache_free_bulk() - free objects to their cache
 * @s: the cache
 * @nr: number of objects
 * @objs: the objects
 *
 * A cache with sheaves takes them onto this CPU's sheaves while they have
 * room; the rest, and all of them on a cache without, go to their slabs
 * in runs of one slab each.
 *
 * Context: Any context.
 */
void xalloc_cache_free_bulk(struct xalloc_cache *s, size_t nr, void **objs)
{
	size_t done;

	if (xalloc_sheaves_on(s)) {
		done = sheaf_free_bulk(s, nr, objs);
		nr -= done;
		objs += done;
	}
	/* Under KASAN each object is checked against its shadow and may be quarantined. */
	if (IS_ENABLED(CONFIG_KASAN_GENERIC)) {
		for (size_t i = 0; i < nr; i++)
			cache_free_one(s, objs[i], _RET_IP_);
		return;
	}
	free_bulk_runs(s, nr, objs, true);
}
EXPORT_SYMBOL_GPL(xalloc_cache_free_bulk);

/**
 * xalloc_slab_flush() - give free objects back to their slabs
 * @s: a cache without debug layouts
 * @nr: number of objects
 * @objs: the objects, through their free hooks already (from a sheaf)
 *
 * Context: Any context.
 */
void xalloc_slab_flush(struct xalloc_cache *s, unsigned int nr, void **objs)
{
	free_bulk_runs(s, nr, objs, false);
}

/*
 * Whether the slow path would find free objects in a slab the cache has:
 * the CPU slab's own freelist (remote frees), a CPU partial slab or one of
 * the local node's. Interrupts off; the node's count is read racily.
 */
static __always_inline bool slab_at_hand(struct xalloc_cache *s, struct xalloc_cache_cpu *c)
{
	struct xalloc_cache_node *n = s->node[numa_mem_id()];

	return (c->slab && READ_ONCE(c->slab->freelist)) || c->partial ||
	       (n && READ_ONCE(n->nr_partial));
}

/*
 * Up to @nr objects from this CPU's slabs, without hooks. Interrupts off.
 * The CPU freelist is held in a register and written back before the slow
 * path, which reads it. @one_slab: once objects were taken, stop rather
 * than make the slow path allocate a new slab.
 */
static __always_inline size_t alloc_bulk_cpu(struct xalloc_cache *s, gfp_t gfp, size_t nr,
					     void **objs, const bool one_slab)
{
	struct xalloc_cache_cpu *c = this_cpu_ptr(s->cpu);
	const unsigned int shift = PAGE_SHIFT + oo_order(s->max);
	const struct bulk_fp f = bulk_fp(s);
	void *object = c->aba.freelist;
	unsigned long fast = 0;
	size_t i;

	for (i = 0; i < nr; i++) {
		void *next;

		if (unlikely(!object)) {
			if (one_slab && i && !slab_at_hand(s, c))
				break;
			c->aba.freelist = NULL;
			objs[i] = ___xalloc_slab_alloc(s, gfp, NUMA_NO_NODE, c);
			object = c->aba.freelist;
			if (unlikely(!objs[i]))
				break;
			continue;
		}
		/* freeptr_ok(): NULL or in the same slab. */
		next = bulk_get_freepointer(f, object);
		if (unlikely(((unsigned long)next ^ (unsigned long)object) >> shift && next)) {
			freeptr_corrupt_report(s, object);
			next = NULL;
		}
		objs[i] = object;
		object = next;
		fast++;
	}
	c->aba.freelist = object;
	c->aba.counter = next_tid(c->aba.counter);
	stat_add(s, ALLOC_FASTPATH, fast);
	return i;
}

/**
 * xalloc_slab_refill() - free objects from a cache's slabs, for a sheaf
 * @s: a cache without debug layouts
 * @gfp: allocation flags; never sleeps
 * @nr: how many at most
 * @objs: where to store them
 *
 * The objects count as allocated and get no post-alloc hooks. Once the
 * CPU slab runs out, partial slabs are taken as usual, but a new slab only
 * while no object was stored yet: fewer than @nr rather than a slab more
 * than the cache needs.
 *
 * Context: Any context.
 * Return: how many were stored, 0 when the zone has no memory left.
 */
unsigned int xalloc_slab_refill(struct xalloc_cache *s, gfp_t gfp, unsigned int nr,
				void **objs)
{
	unsigned long flags;
	unsigned int n;

	local_irq_save(flags);
	n = alloc_bulk_cpu(s, gfp, nr, objs, true);
	local_irq_restore(flags);
	return n;
}

/*
 * slab_post_alloc_hook() on each of @nr objects, what the cache decides for
 * all of them read once; no loop when it has no work (no KASAN, no kmemleak,
 * neither init_on_alloc nor __GFP_ZERO).
 */
static __always_inline void slab_post_alloc_bulk(struct xalloc_cache *s, gfp_t gfp,
						 size_t nr, void **objs)
{
	bool init;

	if (!IS_ENABLED(CONFIG_KASAN_GENERIC) && !IS_ENABLED(CONFIG_DEBUG_KMEMLEAK) &&
	    !want_init_on_alloc(gfp))
		return;
	init = slab_want_init_on_alloc_cache(s);
	for (size_t i = 0; i < nr; i++)
		__slab_post_alloc_hook(s, objs[i], gfp, init);
}

/**
 * xalloc_cache_alloc_bulk() - allocate objects, all or nothing
 * @s: the cache
 * @gfp: allocation flags
 * @nr: number of objects
 * @objs: where to store them
 *
 * A cache with sheaves takes what this CPU's sheaves and the local barn
 * hold first, the rest from its slabs.
 *
 * Context: Any context with a suitable @gfp.
 * Return: @nr, or 0 with nothing allocated.
 */
int xalloc_cache_alloc_bulk(struct xalloc_cache *s, gfp_t gfp, size_t nr,
			    void **objs)
{
	unsigned long flags;
	size_t i = 0;

	might_alloc(gfp);
	if (xalloc_sheaves_on(s)) {
		i = xalloc_sheaf_alloc_bulk(s, min_t(size_t, nr, UINT_MAX), objs);
		if (likely(i == nr))
			goto out;
	}
	/* Interrupts off from the layout test on, as in __xalloc_slab_alloc(). */
	local_irq_save(flags);
	if (unlikely(rcu_access_pointer(s->layout))) {
		local_irq_restore(flags);
		for (; i < nr; i++) {
			objs[i] = __xalloc_slab_alloc(s, gfp, NUMA_NO_NODE, _RET_IP_);
			if (!objs[i])
				break;
		}
		goto out;
	}
	i += alloc_bulk_cpu(s, gfp, nr - i, objs + i, false);
	local_irq_restore(flags);
out:
	slab_post_alloc_bulk(s, gfp, i, objs);
	if (unlikely(i < nr)) {
		xalloc_cache_free_bulk(s, i, objs);
		return 0;
	}
	return nr;
}
EXPORT_SYMBOL_GPL(xalloc_cache_alloc_bulk);

/* ---- Counters ----------------------------------------------------------- */

/**
 * xalloc_cache_stat() - a statistics counter of a cache, summed over CPUs
 * @s: the cache
 * @item: which counter
 *
 * Context: Any context.
 * Return: the sum.
 */
unsigned long xalloc_cache_stat(struct xalloc_cache *s, enum xalloc_stat_item item)
{
	unsigned long sum = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		sum += READ_ONCE(per_cpu_ptr(s->cpu, cpu)->stat[item]);
	return sum;
}
EXPORT_SYMBOL_GPL(xalloc_cache_stat);

static atomic_long_t xalloc_counts_clamped = ATOMIC_LONG_INIT(0);

/**
 * xalloc_cache_counts() - object and slab counts of a cache, without locks
 * @s: the cache
 * @cnt: where to store them
 *
 * Exact whenever no allocation or free of @s is in flight: active objects
 * are allocations minus frees, so objects free on CPU freelists are not
 * counted as active. Under load never impossible: the frees are summed
 * before the allocations (an object is counted allocated before anyone can
 * free it), so active objects never wrap below 0, and they are clamped to
 * the objects of the slabs (counted by xalloc_cache_counts_clamped()).
 *
 * Context: Any context.
 */
void xalloc_cache_counts(struct xalloc_cache *s, struct xalloc_cache_counts *cnt)
{
	unsigned long frees, allocs, objs;
	struct xalloc_cache *l;
	int nid, tries = 0;

	cnt->num_objs = 0;
	/*
	 * The slabs' objects are summed before and after the counters, again
	 * while a slab came or went in between, so that active objects are
	 * compared with the total they were counted against.
	 */
	do {
		objs = cnt->num_objs;
		frees = xalloc_cache_stat(s, FREE_FASTPATH) + xalloc_cache_stat(s, FREE_SLOWPATH);
		/* Pairs with the order of an object's alloc and free stats. */
		smp_rmb();
		allocs = xalloc_cache_stat(s, ALLOC_FASTPATH) +
			 xalloc_cache_stat(s, ALLOC_SLOWPATH);
		/* The counters read before the slabs' objects again. */
		smp_rmb();
		cnt->num_objs = 0;
		cnt->num_slabs = 0;
		cnt->num_pages = 0;
		/* Layouts share the per-CPU counters of @s; each has its slabs. */
		rcu_read_lock();
		for (l = s; l; l = xalloc_layout_next(s, l)) {
			for_each_node(nid) {
				struct xalloc_cache_node *n = l->node[nid];

				if (!n)
					continue;
				cnt->num_objs += atomic_long_read(&n->total_objects);
				cnt->num_pages += atomic_long_read(&n->total_pages);
				/* Pairs with the release in xalloc_discard_slab(). */
				cnt->num_slabs += atomic_long_read_acquire(&n->nr_slabs);
			}
		}
		rcu_read_unlock();
	} while ((!tries++ || objs != cnt->num_objs) && tries < 8);
	cnt->active_objs = allocs - frees;
	if (unlikely(allocs < frees || cnt->active_objs > cnt->num_objs)) {
		atomic_long_inc(&xalloc_counts_clamped);
		cnt->active_objs = allocs < frees ? 0 : cnt->num_objs;
	}
}
EXPORT_SYMBOL_GPL(xalloc_cache_counts);

/**
 * xalloc_cache_counts_clamped() - how often xalloc_cache_counts() clamped
 *
 * Context: Any context.
 * Return: the number of counts whose active objects came out below 0 or
 * above the objects of the slabs, since load; tests expect 0.
 */
unsigned long xalloc_cache_counts_clamped(void)
{
	return atomic_long_read(&xalloc_counts_clamped);
}
EXPORT_SYMBOL_GPL(xalloc_cache_counts_clamped);

/* ---- Load and unload ---------------------------------------------------- */

/**
 * xalloc_slab_init() - set up the SLUB layer
 *
 * Context: Process context, at module load.
 * Return: 0, -ENODEV without a double-word cmpxchg, -ENOMEM, or the hotplug
 * error.
 */
int xalloc_slab_init(void)
{
	int ret;

	if (!xalloc_has_cmpxchg_aba()) {
		pr_err("xalloc: the CPU has no double-word cmpxchg\n");
		return -ENODEV;
	}
	xalloc_debug_init();
	flush_wq = alloc_workqueue("xalloc_flush", WQ_MEM_RECLAIM, 0);
	if (!flush_wq)
		return -ENOMEM;
	ret = cpuhp_setup_state_nocalls(CPUHP_BP_PREPARE_DYN, "xalloc:dead",
					NULL, xalloc_cpu_dead);
	if (ret < 0) {
		destroy_workqueue(flush_wq);
		return ret;
	}
	xalloc_cpuhp_state = ret;
	return 0;
}

/*
 * Objects still allocated in @slab at unload: kmemleak forgets them before
 * their memory goes back to the kernel. @map has room for the slab's objects.
 */
static void forget_slab_objects(struct xalloc_cache *s, struct xalloc_page *slab,
				unsigned long *map)
{
	unsigned int i, n = slab->cnt.objects;
	void *base = slab_address(slab) + s->red_left_pad, *p;
	int idx;

	bitmap_zero(map, n);
	for (p = slab->freelist, i = 0; p && i < n; i++) {
		idx = slab_object_index(s, slab, p);
		if (idx < 0)
			break;
		__set_bit(idx, map);
		p = get_freepointer(s, p);
	}
	for (i = 0; i < n; i++)
		if (!test_bit(i, map))
			kmemleak_free(base + i * s->size);
}

/* kmemleak forgets the objects of @s that were never freed. */
static void forget_leaked_objects(struct xalloc_cache *s)
{
	struct xalloc_chunk *chunk;
	unsigned long *map;
	int nid;

	if (!IS_ENABLED(CONFIG_DEBUG_KMEMLEAK))
		return;
	map = bitmap_alloc(XALLOC_MAX_OBJECTS, GFP_KERNEL);
	if (!map)
		return;
	for_each_node(nid) {
		struct xalloc_zone *zone = xalloc_zone_of(nid);

		if (!zone)
			continue;
		list_for_each_entry(chunk, &zone->chunks, node) {
			for (unsigned long i = 0; i < XALLOC_CHUNK_PAGES; i++) {
				struct xalloc_page *slab = &chunk->desc[i];

				if (slab->type == XALLOC_PAGE_SLAB &&
				    (slab->cache == s || slab->cache->parent == s))
					forget_slab_objects(slab->cache, slab, map);
			}
		}
	}
	bitmap_free(map);
}

/**
 * xalloc_slab_exit() - free every cache left, destroyed ones included
 *
 * Context: Process context, at module unload.
 */
void xalloc_slab_exit(void)
{
	struct xalloc_cache *s, *tmp;

	struct xalloc_cache_counts cnt;

	cpuhp_remove_state_nocalls(xalloc_cpuhp_state);
	cpus_read_lock();
	list_for_each_entry_safe(s, tmp, &xalloc_caches, list) {
		if (!s->dead)
			pr_err("xalloc: cache %s was not destroyed\n", s->name);
		shrink_and_count(s, &cnt);
		if (cnt.num_slabs) {
			pr_err("xalloc: cache %s: %lu objects never freed, %lu slabs kept\n",
			       s->name, cnt.active_objs, cnt.num_slabs);
			forget_leaked_objects(s);
		}
		list_del(&s->list);
		hash_del(&s->hash);
		free_cache(s);
	}
	cpus_read_unlock();
	xalloc_layouts_exit();
	destroy_workqueue(flush_wq);
}
