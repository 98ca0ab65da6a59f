// SPDX-License-Identifier: GPL-2.0
/*
 * Debug layouts: debugging switched on and off while a cache is in use.
 *
 * A cache's own layout never changes: its flags, object size, offsets,
 * slab order and random order are fixed at creation, without debug flags.
 * Debugging is a second layout, a struct xalloc_cache of its own whose
 * ->parent is the cache: made with the debug flags, with its own node lists
 * and random order, sharing the cache's name and per-CPU counters. While a
 * cache has one (->layout), every allocation that misses the CPU freelist
 * takes a checked and tracked object of the layout. A slab's ->cache is the
 * layout it was built with, and frees, validation and traces use that one,
 * so slabs of several layouts can be live at once.
 *
 * A switch publishes the new layout (or none) and retires the old one,
 * which keeps its slabs until their objects are freed (with min_partial 0,
 * so that each slab goes as it empties) and is freed when its last
 * reference is gone: one while it is current, one per slab, one per
 * allocation in flight. The last put schedules the reaper, which frees
 * the layouts with no reference after a grace period: counts walk the
 * layouts under rcu_read_lock().
 *
 * A cache with sheaves has them paused first (drained, every CPU's main
 * sheaf of capacity 0: mm/slab_sheaf.c), and restarted when debugging goes
 * off; a layout itself never has sheaves.
 *
 * Switching debugging on: publish, wait for a grace period (a slow path that
 * tested for a layout with interrupts off has installed its CPU slab by
 * then), flush every CPU's slab: from then on no object of the cache's own
 * layout is handed out. Switching off or to other flags: publish, wait for
 * a grace period (an allocation that read the old layout holds its
 * reference by then), retire the old layout.
 *
 * Lock order (outer first):
 *   1. cpu_hotplug_lock
 *   2. xalloc_caches_mutex	the layouts list; publishing a layout
 *   3. n->list_lock		a layout's slab lists (mm/slub_debug.c)
 */

#include <linux/cpu.h>
#include <linux/rculist.h>
#include <linux/slab.h>
#include <linux/workqueue.h>

#include "slab.h"
#include "slab_sheaf.h"

/* Every layout, current, retired or orphaned; xalloc_caches_mutex, RCU. */
LIST_HEAD(xalloc_layouts);

static void layouts_reap(struct work_struct *work);
static DECLARE_WORK(layouts_reap_work, layouts_reap);

/**
 * xalloc_layout_next() - the next debug layout of a cache
 * @s: the cache
 * @l: @s, or a layout of @s
 *
 * ``for (l = s; l; l = xalloc_layout_next(s, l))`` visits @s and then each
 * of its layouts, current or retired.
 *
 * Context: rcu_read_lock() or xalloc_caches_mutex held.
 * Return: the layout of @s after @l on xalloc_layouts, or NULL.
 */
struct xalloc_cache *xalloc_layout_next(struct xalloc_cache *s, struct xalloc_cache *l)
{
	if (l == s)
		l = list_entry(&xalloc_layouts, struct xalloc_cache, list);
	list_for_each_entry_continue_rcu(l, &xalloc_layouts, list)
		if (READ_ONCE(l->parent) == s)
			return l;
	return NULL;
}
EXPORT_SYMBOL_GPL(xalloc_layout_next);

static void layout_free_rcu(struct rcu_head *rcu)
{
	struct xalloc_cache *l = container_of(rcu, struct xalloc_cache, rcu);

	xalloc_free_cache_nodes(l);
	kfree(l);
}

/* Off the list, freed after a grace period. xalloc_caches_mutex held. */
static void layout_unlink(struct xalloc_cache *l)
{
	lockdep_assert_held(&xalloc_caches_mutex);
	list_del_rcu(&l->list);
	call_rcu(&l->rcu, layout_free_rcu);
}

static void layouts_reap(struct work_struct *work)
{
	struct xalloc_cache *l, *tmp;

	mutex_lock(&xalloc_caches_mutex);
	list_for_each_entry_safe(l, tmp, &xalloc_layouts, list)
		if (!atomic_long_read(&l->refs))
			layout_unlink(l);
	mutex_unlock(&xalloc_caches_mutex);
}

/**
 * xalloc_layout_put() - drop a reference of a debug layout
 * @l: the layout
 *
 * The last one schedules the reaper; @l is not touched after the put.
 *
 * Context: Any context.
 */
void xalloc_layout_put(struct xalloc_cache *l)
{
	if (atomic_long_dec_and_test(&l->refs))
		schedule_work(&layouts_reap_work);
}

/* A debug layout of @s with @flags, current reference held, unlisted. */
static struct xalloc_cache *layout_create(struct xalloc_cache *s, unsigned long flags)
{
	struct xalloc_cache *l = kmemdup(s, xalloc_cache_bytes(), GFP_KERNEL);

	if (!l)
		return NULL;
	memset(l->node, 0, nr_node_ids * sizeof(l->node[0]));
	l->random_seq = NULL;
	l->debugfs = NULL;
	/* Each of its objects is checked and tracked: no sheaves. */
	l->sheaves = NULL;
	l->barns = NULL;
	RCU_INIT_POINTER(l->layout, NULL);
	l->parent = s;
	l->flags = (s->flags & ~XALLOC_DEBUG_FLAGS) | flags;
	atomic_long_set(&l->refs, 1);
	if (xalloc_init_cache_nodes(l, GFP_KERNEL) || xalloc_setup_layout(l, GFP_KERNEL)) {
		xalloc_free_cache_nodes(l);
		kfree(l);
		return NULL;
	}
	return l;
}

/* What a layout with @flags of @s would debug: a ctor's objects keep their bytes. */
static unsigned long layout_flags(struct xalloc_cache *s, unsigned long flags)
{
	return s->ctor ? flags & ~XALLOC_POISON : flags;
}

/**
 * xalloc_layout_init() - the first debug layout of a new cache
 * @s: the cache, not yet on xalloc_caches
 * @flags: its debug flags, 0 for none
 *
 * Context: Process context; xalloc_caches_mutex held.
 * Return: 0, or -ENOMEM.
 */
int xalloc_layout_init(struct xalloc_cache *s, unsigned long flags)
{
	struct xalloc_cache *l;

	lockdep_assert_held(&xalloc_caches_mutex);
	flags = layout_flags(s, flags);
	if (!flags)
		return 0;
	l = layout_create(s, flags);
	if (!l)
		return -ENOMEM;
	list_add_tail_rcu(&l->list, &xalloc_layouts);
	rcu_assign_pointer(s->layout, l);
	return 0;
}

/**
 * xalloc_layout_alloc() - allocate from the current debug layout of a cache
 * @s: the cache
 * @gfp: allocation flags
 * @node: preferred node, or NUMA_NO_NODE
 * @addr: the caller, for owner tracking
 * @obj: where to store the object, or NULL if there was none
 *
 * Context: Any context with a suitable @gfp.
 * Return: false if @s has no debug layout (any more): allocate as usual.
 */
bool xalloc_layout_alloc(struct xalloc_cache *s, gfp_t gfp, int node,
			 unsigned long addr, void **obj)
{
	struct xalloc_cache *l;

	rcu_read_lock();
	l = rcu_dereference(s->layout);
	/* Current: its reference is dropped only after a grace period. */
	if (l)
		atomic_long_inc(&l->refs);
	rcu_read_unlock();
	if (!l)
		return false;
	*obj = xalloc_debug_alloc_caller(l, gfp, node, addr);
	xalloc_layout_put(l);
	return true;
}

/* @l is no longer current: its slabs go as they empty, then @l. */
static void layout_retire(struct xalloc_cache *l)
{
	WRITE_ONCE(l->min_partial, 0);
	xalloc_discard_empty_partials(l);
	xalloc_layout_put(l);
}

/**
 * xalloc_cache_set_debug() - switch a cache's debug flags at run time
 * @s: the cache; other CPUs may allocate and free meanwhile
 * @flags: the new XALLOC_* debug flags, 0 for none
 *
 * New slabs get the new flags; the objects of slabs built before keep the
 * layout they were built with until they are freed. Poisoning is left out
 * for a cache with a constructor.
 * A cache with sheaves has them paused while it has debug flags
 * (xalloc_sheaves_pause()): every object then goes through the layout.
 *
 * Context: Process context; may sleep.
 * Return: 0, -EINVAL for flags that are not debug flags, or -ENOMEM.
 */
int xalloc_cache_set_debug(struct xalloc_cache *s, unsigned long flags)
{
	struct xalloc_cache *old, *new = NULL;
	int ret = 0;

	if (flags & ~XALLOC_DEBUG_FLAGS)
		return -EINVAL;
	flags = layout_flags(s, flags);
	cpus_read_lock();
	mutex_lock(&xalloc_caches_mutex);
	old = rcu_dereference_protected(s->layout, lockdep_is_held(&xalloc_caches_mutex));
	if ((old ? old->flags & XALLOC_DEBUG_FLAGS : 0) == flags)
		goto out;
	if (flags) {
		new = layout_create(s, flags);
		if (!new) {
			ret = -ENOMEM;
			goto out;
		}
		list_add_tail_rcu(&new->list, &xalloc_layouts);
	}
	/* Sheaved objects would skip the layout's checks: none while it is current. */
	if (!old)
		xalloc_sheaves_pause(s, true);
	rcu_assign_pointer(s->layout, new);
	/* Expedited: the mutex is held, and a 4-CPU TCG guest waits 0.3 s otherwise. */
	synchronize_rcu_expedited();
	if (old)
		layout_retire(old);
	else
		xalloc_flush_all(s);
	if (!new)
		xalloc_sheaves_pause(s, false);
out:
	mutex_unlock(&xalloc_caches_mutex);
	cpus_read_unlock();
	return ret;
}
EXPORT_SYMBOL_GPL(xalloc_cache_set_debug);

/**
 * xalloc_layouts_release() - a cache being freed lets go of its layouts
 * @s: the cache, no longer on xalloc_caches
 *
 * Layouts without a reference are freed; one whose last slab is being
 * discarded meanwhile loses its parent and goes with the reaper.
 *
 * Context: Process context; takes xalloc_caches_mutex.
 */
void xalloc_layouts_release(struct xalloc_cache *s)
{
	struct xalloc_cache *l, *tmp;

	mutex_lock(&xalloc_caches_mutex);
	l = rcu_dereference_protected(s->layout, lockdep_is_held(&xalloc_caches_mutex));
	RCU_INIT_POINTER(s->layout, NULL);
	if (l)
		atomic_long_dec(&l->refs);
	list_for_each_entry_safe(l, tmp, &xalloc_layouts, list) {
		if (l->parent != s)
			continue;
		if (atomic_long_read(&l->refs))
			WRITE_ONCE(l->parent, NULL);
		else
			layout_unlink(l);
	}
	mutex_unlock(&xalloc_caches_mutex);
}

/**
 * xalloc_layouts_exit() - free every layout left, at unload
 *
 * Context: Process context, after every cache was freed.
 */
void xalloc_layouts_exit(void)
{
	struct xalloc_cache *l, *tmp;

	flush_work(&layouts_reap_work);
	mutex_lock(&xalloc_caches_mutex);
	list_for_each_entry_safe(l, tmp, &xalloc_layouts, list)
		layout_unlink(l);
	mutex_unlock(&xalloc_caches_mutex);
	rcu_barrier();
}
