// SPDX-License-Identifier: GPL-2.0
/*
 * Per-CPU sheaves: the fast path of a cache without debug flags and of
 * objects up to XALLOC_SHEAF_DEFAULT_SIZE, of any cache created with
 * XALLOC_SHEAVES, and of none created with XALLOC_NO_SHEAVES (which keeps
 * the CPU-slab fast path of mm/slub.c) or while sheaves=0; after the
 * kernel's own since 6.18.
 *
 * Each CPU has a main and a spare sheaf, arrays of up to s->sheaf_capacity
 * free objects, under a per-CPU trylock (mm/compat.h: preemption off and a
 * busy flag; an interrupt that finds it taken uses the slab path). Each
 * node has a barn of full and empty sheaves.
 *
 * Allocation: pop the main sheaf (inline, mm/slab_sheaf.h). When it is
 * empty, in this order:
 *   1. swap it with the spare if that has objects (SHEAF_SWAP);
 *   2. give it to the local barn for a full one (BARN_GET);
 *   3. refill it from the slabs with the bulk path (SHEAF_REFILL).
 * Free: push onto the main sheaf. When it is full, in this order:
 *   1. swap it with the spare if that is empty (SHEAF_SWAP);
 *   2. give it to the local barn for an empty one, a new one while the
 *      barn holds fewer than XALLOC_BARN_MAX_FULL full ones (BARN_PUT);
 *   3. flush it to the slabs with the bulk path (SHEAF_FLUSH).
 * A free on any CPU is a push there: remote frees cost what local ones do.
 * Objects of any node are taken; allocations for a given node and debug
 * caches keep the slab path.
 *
 * Objects in sheaves count as allocated from their slabs: slabinfo shows
 * them active until drained. Drains: xalloc_flush_all() (shrink, the
 * shrinker, destroy, validate) flushes the barns' full sheaves to the slabs
 * and frees every barn sheaf, then drains every CPU's sheaves on that CPU;
 * a CPU going offline has its sheaves drained by the hotplug callback.
 *
 * Bulk: xalloc_cache_alloc_bulk() takes whole runs off the main sheaf
 * (xalloc_sheaf_alloc_bulk()), swapping or exchanging with the barn when it
 * is empty, and the rest from the slabs; xalloc_cache_free_bulk() pushes
 * each object after its checks, swapping or exchanging when main is full,
 * and frees the rest to the slabs. Neither refills nor flushes a sheaf.
 *
 * Lock order (outer first):
 *   1. xalloc_local_trylock	one CPU's sheaves (a trylock: never waits)
 *   2. barn->lock		one node's full and empty sheaves
 *   3. local_irq_save(), n->list_lock, ... (mm/slub.c) refill and flush
 */

#include <linux/cpu.h>
#include <linux/kmemleak.h>
#include <linux/moduleparam.h>
#include <linux/percpu.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/workqueue.h>

#include "report.h"
#include "slab_sheaf.h"

static bool sheaves = true;
module_param(sheaves, bool, 0444);
MODULE_PARM_DESC(sheaves, "per-CPU sheaves by default, for caches without debug flags of objects up to 4 KiB; 0: only for those created with XALLOC_SHEAVES (default 1)");

/*
 * The largest stride that gets sheaves by default: make bench measured
 * them ahead of the CPU-slab path at every size from 8 bytes to 4 KiB.
 */
#define XALLOC_SHEAF_DEFAULT_SIZE	4096

/*
 * A barn takes a full sheaf for a new empty one only while it holds fewer
 * than this many full ones (the kernel's limit); exchanges are one for one,
 * so a barn holds at most XALLOC_BARN_MAX_FULL sheaves plus what it had.
 * A CPU's main and spare sheaves are only freed with their cache; barn
 * sheaves are freed by xalloc_barns_drain() (every flush, so the shrinker
 * too) after a grace period, since a racy look at a CPU's sheaves
 * (xalloc_sheaves_held(), stats) may hold one that just went to a barn.
 */
#define XALLOC_BARN_MAX_FULL	10
#define XALLOC_SHEAF_MAX	256

static const char *const sheaf_stat_names[NR_XALLOC_SHEAF_STATS] = {
	"sheaf_alloc", "sheaf_free", "sheaf_swap", "sheaf_refill",
	"sheaf_flush", "barn_get", "barn_put", "sheaf_busy", "sheaf_drain",
	"sheaf_alloc_bulk", "sheaf_free_bulk", "barn_free",
};

static inline void sheaf_stat(struct xalloc_pcs *pcs, enum xalloc_sheaf_stat_item item)
{
	pcs->stat[item]++;
}

/**
 * xalloc_sheaf_capacity_for() - objects per sheaf for an object stride
 * @size: the stride
 *
 * Context: Any context.
 * Return: 32 up to 256 bytes, 16 up to 1 KiB, 8 above.
 */
unsigned int xalloc_sheaf_capacity_for(unsigned int size)
{
	if (size <= 256)
		return 32;
	if (size <= 1024)
		return 16;
	return 8;
}

static struct xalloc_sheaf *sheaf_alloc(struct xalloc_cache *s, gfp_t gfp, int nid)
{
	struct xalloc_sheaf *sheaf;

	sheaf = kmalloc_node(struct_size(sheaf, objects, s->sheaf_capacity), gfp, nid);
	if (sheaf) {
		/* Slots above size keep pointers to objects handed out: not refs. */
		kmemleak_no_scan(sheaf);
		sheaf->size = 0;
		sheaf->capacity = s->sheaf_capacity;
	}
	return sheaf;
}

/*
 * The main sheaf of every CPU whose sheaves are paused: empty and of
 * capacity 0, so that the inline pop and push both miss and the slow paths,
 * finding it, send the object to the slab path. Never written.
 */
static struct xalloc_sheaf sheaf_paused;

static bool sheaves_paused(const struct xalloc_pcs *pcs)
{
	return pcs->main == &sheaf_paused;
}

static struct xalloc_barn *local_barn(struct xalloc_cache *s)
{
	return s->barns[numa_mem_id()];
}

/* An empty sheaf from @barn for a full one; NULL if it takes none. */
static struct xalloc_sheaf *barn_replace_full(struct xalloc_cache *s,
					      struct xalloc_barn *barn,
					      struct xalloc_sheaf *full)
{
	struct xalloc_sheaf *empty = NULL;
	unsigned long flags;

	spin_lock_irqsave(&barn->lock, flags);
	if (barn->nr_empty) {
		empty = list_first_entry(&barn->empty, struct xalloc_sheaf, list);
		list_del(&empty->list);
		barn->nr_empty--;
	} else if (barn->nr_full < XALLOC_BARN_MAX_FULL) {
		spin_unlock_irqrestore(&barn->lock, flags);
		empty = sheaf_alloc(s, GFP_NOWAIT | __GFP_NOWARN, numa_mem_id());
		if (!empty)
			return NULL;
		spin_lock_irqsave(&barn->lock, flags);
	}
	if (empty) {
		list_add(&full->list, &barn->full);
		barn->nr_full++;
	}
	spin_unlock_irqrestore(&barn->lock, flags);
	return empty;
}

/* A full sheaf from @barn for an empty one; NULL if it has none. */
static struct xalloc_sheaf *barn_replace_empty(struct xalloc_barn *barn,
					       struct xalloc_sheaf *empty)
{
	struct xalloc_sheaf *full = NULL;
	unsigned long flags;

	if (!READ_ONCE(barn->nr_full))
		return NULL;
	spin_lock_irqsave(&barn->lock, flags);
	if (barn->nr_full) {
		full = list_first_entry(&barn->full, struct xalloc_sheaf, list);
		list_del(&full->list);
		barn->nr_full--;
		list_add(&empty->list, &barn->empty);
		barn->nr_empty++;
	}
	spin_unlock_irqrestore(&barn->lock, flags);
	return full;
}

/*
 * Make the empty main sheaf of @pcs one with objects: the spare if it has
 * some (SHEAF_SWAP), else a full one of the local barn (BARN_GET).
 * Return: false if neither had any (main is still empty).
 */
static bool sheaf_get_full(struct xalloc_cache *s, struct xalloc_pcs *pcs)
{
	struct xalloc_sheaf *full;

	if (pcs->spare->size) {
		swap(pcs->main, pcs->spare);
		sheaf_stat(pcs, SHEAF_SWAP);
		return true;
	}
	full = barn_replace_empty(local_barn(s), pcs->main);
	if (!full)
		return false;
	pcs->main = full;
	sheaf_stat(pcs, BARN_GET);
	return true;
}

/**
 * xalloc_sheaf_get_empty() - make room on a full main sheaf
 * @s: the cache
 * @pcs: this CPU's sheaves, locked, the main one full
 *
 * The main sheaf becomes the spare if that is empty (SHEAF_SWAP), else it
 * goes to the local barn for an empty one (BARN_PUT).
 *
 * Context: Any context; never sleeps. The sheaves' trylock held.
 * Return: false if neither took it (main is still full), or if the sheaves
 * are paused.
 */
bool xalloc_sheaf_get_empty(struct xalloc_cache *s, struct xalloc_pcs *pcs)
{
	struct xalloc_sheaf *empty;

	if (unlikely(sheaves_paused(pcs)))
		return false;

	if (!pcs->spare->size) {
		swap(pcs->main, pcs->spare);
		sheaf_stat(pcs, SHEAF_SWAP);
		return true;
	}
	empty = barn_replace_full(s, local_barn(s), pcs->main);
	if (!empty)
		return false;
	pcs->main = empty;
	sheaf_stat(pcs, BARN_PUT);
	return true;
}

/**
 * __xalloc_sheaf_alloc() - the alloc slow path: the main sheaf is empty
 * @s: the cache
 * @pcs: this CPU's sheaves, locked
 * @gfp: allocation flags, for a refill
 *
 * Context: Any context; never sleeps. The sheaves' trylock held.
 * Return: a free object, or NULL when the slabs have none left.
 */
void *__xalloc_sheaf_alloc(struct xalloc_cache *s, struct xalloc_pcs *pcs, gfp_t gfp)
{
	if (unlikely(sheaves_paused(pcs)))
		return NULL;
	if (!sheaf_get_full(s, pcs)) {
		struct xalloc_sheaf *main = pcs->main;
		unsigned int n = xalloc_slab_refill(s, gfp, s->sheaf_capacity, main->objects);

		if (!n)
			return NULL;
		/*
		 * Pops take the top: reversed, the objects go out in the order
		 * the slabs' freelists gave them, as from the CPU-slab path,
		 * so that objects allocated together share slabs alike.
		 */
		for (unsigned int i = 0, j = n - 1; i < j; i++, j--)
			swap(main->objects[i], main->objects[j]);
		main->size = n;
		sheaf_stat(pcs, SHEAF_REFILL);
	}
	sheaf_stat(pcs, SHEAF_ALLOC);
	return pcs->main->objects[--pcs->main->size];
}

/**
 * __xalloc_sheaf_free() - the free slow path: the main sheaf is full
 * @s: the cache
 * @pcs: this CPU's sheaves, locked
 * @obj: the object, through its free hooks already
 *
 * Context: Any context; never sleeps. The sheaves' trylock held.
 * Return: true, or false if the sheaves are paused (@obj is not taken).
 */
bool __xalloc_sheaf_free(struct xalloc_cache *s, struct xalloc_pcs *pcs, void *obj)
{
	if (unlikely(sheaves_paused(pcs)))
		return false;
	if (!xalloc_sheaf_get_empty(s, pcs)) {
		xalloc_slab_flush(s, pcs->main->size, pcs->main->objects);
		pcs->main->size = 0;
		sheaf_stat(pcs, SHEAF_FLUSH);
	}
	sheaf_stat(pcs, SHEAF_FREE);
	pcs->main->objects[pcs->main->size++] = obj;
	return true;
}

/**
 * xalloc_sheaf_alloc_bulk() - objects for a bulk allocation from the sheaves
 * @s: a cache with sheaves
 * @nr: how many at most
 * @objs: where to store them
 *
 * Whole runs off the top of this CPU's main sheaf; an empty main is swapped
 * with the spare or exchanged with the barn as for one object, but never
 * refilled: what the sheaves lack the caller takes from the slabs in bulk.
 * The objects get no post-alloc hooks here.
 *
 * Context: Any context; never sleeps.
 * Return: how many were stored, 0 too when an interrupt found the sheaves
 * busy.
 */
unsigned int xalloc_sheaf_alloc_bulk(struct xalloc_cache *s, unsigned int nr, void **objs)
{
	struct xalloc_pcs *pcs = xalloc_pcs_trylock(s->sheaves);
	unsigned int done = 0;

	if (unlikely(!pcs))
		return 0;
	while (done < nr && !sheaves_paused(pcs)) {
		struct xalloc_sheaf *main = pcs->main;
		unsigned int n;

		if (!main->size) {
			if (!sheaf_get_full(s, pcs))
				break;
			main = pcs->main;
		}
		n = min(main->size, nr - done);
		main->size -= n;
		memcpy(objs + done, main->objects + main->size, n * sizeof(*objs));
		done += n;
	}
	pcs->stat[SHEAF_ALLOC_BULK] += done;
	xalloc_pcs_unlock(pcs);
	return done;
}

/**
 * xalloc_sheaf_double_free() - report a free of the top of the main sheaf
 * @s: the cache
 * @obj: the object, left alone
 *
 * Context: Any context.
 */
void xalloc_sheaf_double_free(struct xalloc_cache *s, void *obj)
{
	xalloc_report(s->name, obj,
		      "double free: the object is already the top of the CPU's main sheaf");
}

/* ---- Drains ------------------------------------------------------------- */

static void sheaf_drain(struct xalloc_cache *s, struct xalloc_sheaf *sheaf,
			struct xalloc_pcs *pcs)
{
	if (!sheaf->size)
		return;
	xalloc_slab_flush(s, sheaf->size, sheaf->objects);
	sheaf->size = 0;
	sheaf_stat(pcs, SHEAF_DRAIN);
}

/**
 * xalloc_sheaves_held() - whether a CPU's sheaves hold objects
 * @s: the cache
 * @cpu: the CPU
 *
 * Context: Any context; a racy look, for skipping idle CPUs, under RCU: a
 * sheaf it reads may be in a barn and freed meanwhile.
 * Return: true if the main or spare sheaf of @cpu is not empty.
 */
bool xalloc_sheaves_held(struct xalloc_cache *s, unsigned int cpu)
{
	struct xalloc_pcs *pcs;
	bool held;

	if (!xalloc_sheaves_on(s))
		return false;
	pcs = per_cpu_ptr(s->sheaves, cpu);
	rcu_read_lock();
	held = READ_ONCE(READ_ONCE(pcs->main)->size) ||
	       READ_ONCE(READ_ONCE(pcs->spare)->size);
	rcu_read_unlock();
	return held;
}

/**
 * xalloc_sheaves_drain_cpu() - give a CPU's sheaved objects back to the slabs
 * @s: the cache
 * @cpu: this CPU, or an offline one
 *
 * On this CPU the sheaves' trylock is taken (a task never fails it); an
 * offline CPU's sheaves have no other user.
 *
 * Context: Process context, preemptible or not; not in an interrupt.
 */
void xalloc_sheaves_drain_cpu(struct xalloc_cache *s, unsigned int cpu)
{
	struct xalloc_pcs *pcs;

	if (!xalloc_sheaves_on(s))
		return;
	if (cpu_online(cpu)) {
		pcs = xalloc_pcs_trylock(s->sheaves);
		if (WARN_ON_ONCE(!pcs || smp_processor_id() != cpu)) {
			if (pcs)
				xalloc_pcs_unlock(pcs);
			return;
		}
	} else {
		pcs = per_cpu_ptr(s->sheaves, cpu);
	}
	sheaf_drain(s, pcs->main, pcs);
	sheaf_drain(s, pcs->spare, pcs);
	if (cpu_online(cpu))
		xalloc_pcs_unlock(pcs);
}

/* Pause (drain, park main) or restart the sheaves of @pcs; locked or offline. */
static void sheaves_switch_pcs(struct xalloc_cache *s, struct xalloc_pcs *pcs, bool pause)
{
	if (pause == sheaves_paused(pcs))
		return;
	if (pause) {
		sheaf_drain(s, pcs->main, pcs);
		sheaf_drain(s, pcs->spare, pcs);
		pcs->parked = pcs->main;
		pcs->main = &sheaf_paused;
	} else {
		pcs->main = pcs->parked;
		pcs->parked = NULL;
	}
}

struct sheaves_switch {
	struct xalloc_cache *s;
	bool pause;
};

static long sheaves_switch_cpu(void *arg)
{
	struct sheaves_switch *sw = arg;
	struct xalloc_pcs *pcs = xalloc_pcs_trylock(sw->s->sheaves);

	/* A task never fails it: only an interrupt inside a holder does. */
	if (WARN_ON_ONCE(!pcs))
		return -EBUSY;
	sheaves_switch_pcs(sw->s, pcs, sw->pause);
	xalloc_pcs_unlock(pcs);
	return 0;
}

/**
 * xalloc_sheaves_pause() - stop or restart the sheaves of a cache
 * @s: the cache
 * @pause: true to stop them, false to start them again
 *
 * Paused, each CPU's sheaves are drained to the slabs and its main sheaf is
 * an empty one of capacity 0: every allocation and free of @s misses it and
 * takes the slab path (a debug layout's, while one is current), and no
 * object enters a sheaf until the sheaves are restarted. Each online CPU
 * switches its own in a work item (under its trylock), so no alloc or free
 * on the sheaves is in flight on return; offline CPUs are switched here.
 * The barns are left to xalloc_flush_all().
 *
 * Context: Process context, cpus_read_lock() held; sleeps.
 */
void xalloc_sheaves_pause(struct xalloc_cache *s, bool pause)
{
	struct sheaves_switch sw = { .s = s, .pause = pause };
	unsigned int cpu;

	if (!xalloc_sheaves_on(s))
		return;
	for_each_possible_cpu(cpu) {
		if (cpu_online(cpu))
			work_on_cpu(cpu, sheaves_switch_cpu, &sw);
		else
			sheaves_switch_pcs(s, per_cpu_ptr(s->sheaves, cpu), pause);
	}
}

/**
 * xalloc_barns_drain() - empty every barn of a cache
 * @s: the cache
 *
 * The full sheaves are flushed to the slabs (SHEAF_DRAIN); they and the
 * empty ones are freed (BARN_FREE) after a grace period, for the racy
 * readers of a CPU's sheaves, which may still look at one that was a CPU's
 * main or spare. A barn gets new empty sheaves when it next takes a full one.
 *
 * Context: Any context but hard interrupts.
 */
void xalloc_barns_drain(struct xalloc_cache *s)
{
	struct xalloc_sheaf *sheaf, *tmp;
	unsigned long flags;
	LIST_HEAD(full);
	LIST_HEAD(empty);
	int nid;

	if (!xalloc_sheaves_on(s))
		return;
	for_each_node(nid) {
		struct xalloc_barn *barn = s->barns[nid];

		spin_lock_irqsave(&barn->lock, flags);
		list_splice_init(&barn->full, &full);
		list_splice_init(&barn->empty, &empty);
		barn->nr_full = 0;
		barn->nr_empty = 0;
		spin_unlock_irqrestore(&barn->lock, flags);
	}
	list_for_each_entry(sheaf, &full, list) {
		xalloc_slab_flush(s, sheaf->size, sheaf->objects);
		sheaf->size = 0;
		this_cpu_inc(s->sheaves->stat[SHEAF_DRAIN]);
	}
	list_splice(&full, &empty);
	list_for_each_entry_safe(sheaf, tmp, &empty, list) {
		kfree_rcu(sheaf, rcu);
		this_cpu_inc(s->sheaves->stat[BARN_FREE]);
	}
}

/* ---- Setup -------------------------------------------------------------- */

/**
 * xalloc_sheaves_init() - give a new cache its sheaves if it wants them
 * @s: the cache, its layout set up, not yet visible
 * @flags: the cache's flags, with the debug flags it will have
 * @capacity: objects per sheaf, 0 to choose by size
 * @gfp: GFP_KERNEL, or GFP_KERNEL_ACCOUNT
 *
 * A cache gets sheaves with XALLOC_SHEAVES, or by default (sheaves=1) when
 * its stride is at most XALLOC_SHEAF_DEFAULT_SIZE; never with
 * XALLOC_NO_SHEAVES or debug flags.
 *
 * Context: Process context; may sleep.
 * Return: 0, or -ENOMEM (what was allocated goes with xalloc_sheaves_free()).
 */
int xalloc_sheaves_init(struct xalloc_cache *s, unsigned long flags,
			unsigned int capacity, gfp_t gfp)
{
	int cpu, nid;

	if (flags & (XALLOC_DEBUG_FLAGS | XALLOC_NO_SHEAVES))
		return 0;
	if (!(flags & XALLOC_SHEAVES) &&
	    (!sheaves || s->size > XALLOC_SHEAF_DEFAULT_SIZE))
		return 0;
	s->sheaf_capacity = clamp_val(capacity ? : xalloc_sheaf_capacity_for(s->size),
				      1, XALLOC_SHEAF_MAX);
	s->barns = kcalloc(nr_node_ids, sizeof(*s->barns), gfp);
	if (!s->barns)
		return -ENOMEM;
	for_each_node(nid) {
		struct xalloc_barn *barn = kzalloc_node(sizeof(*barn), gfp, nid);

		if (!barn)
			return -ENOMEM;
		spin_lock_init(&barn->lock);
		INIT_LIST_HEAD(&barn->full);
		INIT_LIST_HEAD(&barn->empty);
		s->barns[nid] = barn;
	}
	s->sheaves = alloc_percpu_gfp(struct xalloc_pcs, gfp);
	if (!s->sheaves)
		return -ENOMEM;
	for_each_possible_cpu(cpu) {
		struct xalloc_pcs *pcs = per_cpu_ptr(s->sheaves, cpu);

		pcs->main = sheaf_alloc(s, gfp, cpu_to_mem(cpu));
		pcs->spare = sheaf_alloc(s, gfp, cpu_to_mem(cpu));
		if (!pcs->main || !pcs->spare)
			return -ENOMEM;
	}
	return 0;
}

/**
 * xalloc_sheaves_free() - free the sheaves and barns of a cache
 * @s: the cache, drained, or never used
 *
 * Context: Process context.
 */
void xalloc_sheaves_free(struct xalloc_cache *s)
{
	struct xalloc_sheaf *sheaf, *tmp;
	int cpu, nid;

	if (s->sheaves) {
		for_each_possible_cpu(cpu) {
			struct xalloc_pcs *pcs = per_cpu_ptr(s->sheaves, cpu);

			if (pcs->parked)
				pcs->main = pcs->parked;
			WARN_ON_ONCE((pcs->main && pcs->main->size) ||
				     (pcs->spare && pcs->spare->size));
			kfree(pcs->main);
			kfree(pcs->spare);
		}
		free_percpu(s->sheaves);
		s->sheaves = NULL;
	}
	if (!s->barns)
		return;
	for_each_node(nid) {
		struct xalloc_barn *barn = s->barns[nid];

		if (!barn)
			continue;
		WARN_ON_ONCE(barn->nr_full);
		list_for_each_entry_safe(sheaf, tmp, &barn->empty, list)
			kfree(sheaf);
		kfree(barn);
	}
	kfree(s->barns);
	s->barns = NULL;
}

/* ---- Counters ----------------------------------------------------------- */

/**
 * xalloc_sheaf_stat() - a sheaf counter of a cache, summed over CPUs
 * @s: the cache
 * @item: which counter
 *
 * Context: Any context.
 * Return: the sum, 0 for a cache without sheaves.
 */
unsigned long xalloc_sheaf_stat(struct xalloc_cache *s, enum xalloc_sheaf_stat_item item)
{
	unsigned long sum = 0;
	int cpu;

	if (!xalloc_sheaves_on(s))
		return 0;
	for_each_possible_cpu(cpu)
		sum += READ_ONCE(per_cpu_ptr(s->sheaves, cpu)->stat[item]);
	return sum;
}
EXPORT_SYMBOL_GPL(xalloc_sheaf_stat);

/**
 * xalloc_sheaf_objects() - objects in a cache's sheaves and barns
 * @s: the cache
 *
 * They count as active in the slabs: active objects minus these are the
 * objects callers hold.
 *
 * Context: Any context; a racy sum, exact while @s is not in use.
 * Return: the sum, 0 for a cache without sheaves.
 */
unsigned long xalloc_sheaf_objects(struct xalloc_cache *s)
{
	unsigned long held = 0;
	int cpu, nid;

	if (!xalloc_sheaves_on(s))
		return 0;
	rcu_read_lock();
	for_each_possible_cpu(cpu) {
		struct xalloc_pcs *pcs = per_cpu_ptr(s->sheaves, cpu);

		held += READ_ONCE(READ_ONCE(pcs->main)->size) +
			READ_ONCE(READ_ONCE(pcs->spare)->size);
	}
	rcu_read_unlock();
	for_each_node(nid)
		held += (unsigned long)READ_ONCE(s->barns[nid]->nr_full) * s->sheaf_capacity;
	return held;
}
EXPORT_SYMBOL_GPL(xalloc_sheaf_objects);

/**
 * xalloc_sheaves_stats_show() - the sheaf counters in a cache's stats file
 * @m: the file
 * @s: the cache; nothing printed without sheaves
 *
 * Context: Process context.
 */
void xalloc_sheaves_stats_show(struct seq_file *m, struct xalloc_cache *s)
{
	int cpu;

	if (!xalloc_sheaves_on(s))
		return;
	for (int i = 0; i < NR_XALLOC_SHEAF_STATS; i++) {
		seq_printf(m, "%-24s %lu", sheaf_stat_names[i], xalloc_sheaf_stat(s, i));
		for_each_online_cpu(cpu) {
			unsigned long x = READ_ONCE(per_cpu_ptr(s->sheaves, cpu)->stat[i]);

			if (x)
				seq_printf(m, " C%d=%lu", cpu, x);
		}
		seq_putc(m, '\n');
	}
	seq_printf(m, "%-24s %u\n", "sheaf_capacity", s->sheaf_capacity);
	seq_printf(m, "%-24s %lu\n", "sheaf_objects", xalloc_sheaf_objects(s));
}
