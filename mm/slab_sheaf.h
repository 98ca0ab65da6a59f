/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Per-CPU sheaves of a cache (mm/slab_sheaf.c): arrays of free object
 * pointers taken and refilled under a per-CPU trylock, exchanged whole with
 * a per-node barn. The inline parts are the array pop and push of the
 * cache's alloc and free fast paths in mm/slub.c.
 *
 * Invariants of a cache s with sheaves, per CPU pcs and per node barn:
 *   0 <= pcs->main->size, pcs->spare->size <= s->sheaf_capacity
 *   barn->nr_full  == |barn->full|, each of them of size s->sheaf_capacity
 *   barn->nr_empty == |barn->empty|, each of them of size 0
 *   objects in sheaves == sum over CPUs of main and spare sizes
 *                         + sum over barns of nr_full * s->sheaf_capacity
 * Objects in sheaves were allocated from slabs (refills count in
 * alloc_fastpath/alloc_slowpath, flushes in free_fastpath/free_slowpath):
 * slabinfo counts them active until a flush gives them back.
 */
#ifndef _XALLOC_SLAB_SHEAF_H
#define _XALLOC_SLAB_SHEAF_H

#include <linux/list.h>
#include <linux/rcupdate.h>
#include <linux/spinlock.h>

#include "compat.h"
#include "slab.h"

struct seq_file;

enum xalloc_sheaf_stat_item {
	SHEAF_ALLOC,		/* object popped from the main sheaf */
	SHEAF_FREE,		/* object pushed onto the main sheaf */
	SHEAF_SWAP,		/* main and spare sheaf swapped */
	SHEAF_REFILL,		/* empty main sheaf refilled from slabs */
	SHEAF_FLUSH,		/* full main sheaf flushed to slabs */
	BARN_GET,		/* full sheaf from the barn for an empty one */
	BARN_PUT,		/* full sheaf to the barn for an empty one */
	SHEAF_BUSY,		/* trylock failed: an interrupt used the slab path */
	SHEAF_DRAIN,		/* sheaf drained (shrink, destroy, CPU offline) */
	SHEAF_ALLOC_BULK,	/* object a bulk allocation took from a sheaf */
	SHEAF_FREE_BULK,	/* object a bulk free pushed onto a sheaf */
	BARN_FREE,		/* empty barn sheaf freed (flush, shrink) */
	NR_XALLOC_SHEAF_STATS
};

/*
 * An array of free objects: objects[0..size) are free objects of the cache.
 * capacity is the cache's sheaf_capacity, or 0 for the sheaf of a CPU whose
 * sheaves are paused (xalloc_sheaves_pause()).
 */
struct xalloc_sheaf {
	union {
		struct list_head list;	/* on a barn list; barn->lock */
		struct rcu_head rcu;	/* freed from a barn (xalloc_barns_drain()) */
	};
	unsigned int size;
	unsigned int capacity;
	void *objects[];
};

/*
 * Per-CPU part. Every field but stat[SHEAF_BUSY] under lock, by this CPU
 * (or by the CPU that drains a dead one); never NULL sheaves.
 */
struct xalloc_pcs {
	struct xalloc_local_trylock lock;	/* first: see xalloc_pcs_trylock() */
	struct xalloc_sheaf *main;	/* pops and pushes */
	struct xalloc_sheaf *spare;	/* swapped with main */
	struct xalloc_sheaf *parked;	/* main while paused, else NULL */
	unsigned long stat[NR_XALLOC_SHEAF_STATS];
};

/* Per-node part: sheaves not owned by a CPU. */
struct xalloc_barn {
	spinlock_t lock;		/* guards all below; irqs off */
	struct list_head full;
	struct list_head empty;
	unsigned int nr_full;
	unsigned int nr_empty;
};

/* This CPU's sheaves of @pcs, locked, preemption off; NULL if busy. */
static __always_inline struct xalloc_pcs *xalloc_pcs_trylock(struct xalloc_pcs __percpu *pcs)
{
	struct xalloc_local_trylock *l = xalloc_local_trylock(&pcs->lock);

	if (unlikely(!l)) {
		this_cpu_inc(pcs->stat[SHEAF_BUSY]);
		return NULL;
	}
	return container_of(l, struct xalloc_pcs, lock);
}

static __always_inline void xalloc_pcs_unlock(struct xalloc_pcs *pcs)
{
	xalloc_local_unlock(&pcs->lock);
}

void *__xalloc_sheaf_alloc(struct xalloc_cache *s, struct xalloc_pcs *pcs, gfp_t gfp);
bool __xalloc_sheaf_free(struct xalloc_cache *s, struct xalloc_pcs *pcs, void *obj);
void xalloc_sheaf_double_free(struct xalloc_cache *s, void *obj);
bool xalloc_sheaf_get_empty(struct xalloc_cache *s, struct xalloc_pcs *pcs);
unsigned int xalloc_sheaf_alloc_bulk(struct xalloc_cache *s, unsigned int nr, void **objs);
bool xalloc_slab_free_hook(struct xalloc_cache *s, void *obj);

/* Whether @s allocates and frees through sheaves: constant after create. */
static __always_inline bool xalloc_sheaves_on(const struct xalloc_cache *s)
{
	return s->sheaves;
}

/*
 * The alloc fast path: pop this CPU's main sheaf; the slow path swaps,
 * exchanges with the barn or refills. Return: a free object, without the
 * post-alloc hooks yet, or NULL when busy or out of memory (the caller
 * tries the slab path).
 */
static __always_inline void *xalloc_sheaf_alloc(struct xalloc_cache *s, gfp_t gfp)
{
	struct xalloc_pcs *pcs = xalloc_pcs_trylock(s->sheaves);
	struct xalloc_sheaf *main;
	void *obj;

	if (unlikely(!pcs))
		return NULL;
	main = pcs->main;
	if (likely(main->size)) {
		obj = main->objects[--main->size];
		pcs->stat[SHEAF_ALLOC]++;
	} else {
		obj = __xalloc_sheaf_alloc(s, pcs, gfp);
	}
	xalloc_pcs_unlock(pcs);
	return obj;
}

/*
 * The free fast path: push onto this CPU's main sheaf, unless @obj is its
 * top already (a double free, reported). @hooks: run slab_free_hook() on
 * @obj, under the lock, after that check. Return: false when busy or
 * paused (the caller frees to the slab, hooks and all), true when done.
 */
static __always_inline bool xalloc_sheaf_free(struct xalloc_cache *s, void *obj,
					      bool hooks)
{
	struct xalloc_pcs *pcs = xalloc_pcs_trylock(s->sheaves);
	struct xalloc_sheaf *main;

	if (unlikely(!pcs))
		return false;
	main = pcs->main;
	if (unlikely(main->size && main->objects[main->size - 1] == obj)) {
		xalloc_pcs_unlock(pcs);
		xalloc_sheaf_double_free(s, obj);
		return true;
	}
	if (hooks) {
		/* Paused: the slab path runs the hooks. */
		if (unlikely(!main->capacity)) {
			xalloc_pcs_unlock(pcs);
			return false;
		}
		if (unlikely(!xalloc_slab_free_hook(s, obj))) {
			xalloc_pcs_unlock(pcs);
			return true;
		}
	}
	if (likely(main->size < main->capacity)) {
		main->objects[main->size++] = obj;
		pcs->stat[SHEAF_FREE]++;
	} else if (unlikely(!__xalloc_sheaf_free(s, pcs, obj))) {
		xalloc_pcs_unlock(pcs);
		return false;
	}
	xalloc_pcs_unlock(pcs);
	return true;
}

int xalloc_sheaves_init(struct xalloc_cache *s, unsigned long flags,
			unsigned int capacity, gfp_t gfp);
void xalloc_sheaves_free(struct xalloc_cache *s);
bool xalloc_sheaves_held(struct xalloc_cache *s, unsigned int cpu);
void xalloc_sheaves_drain_cpu(struct xalloc_cache *s, unsigned int cpu);
void xalloc_sheaves_pause(struct xalloc_cache *s, bool pause);
void xalloc_barns_drain(struct xalloc_cache *s);
void xalloc_sheaves_stats_show(struct seq_file *m, struct xalloc_cache *s);
unsigned long xalloc_sheaf_stat(struct xalloc_cache *s, enum xalloc_sheaf_stat_item item);
unsigned int xalloc_sheaf_capacity_for(unsigned int size);

#endif /* _XALLOC_SLAB_SHEAF_H */
