/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The SLUB layer of xalloc: object caches whose slabs are blocks of the
 * xalloc zone. See mm/slub.c for the algorithms and the lock order.
 *
 * Invariants of a cache s (exact whenever no operation is in flight):
 *   active objects == sum over CPUs of (allocs - frees)    (the stat counters)
 *   total objects  == sum over nodes of n->total_objects
 *   free objects   == total - active
 *                  == sum over slabs of (objects - inuse) + objects on
 *                     the CPUs' freelists
 */
#ifndef _XALLOC_SLAB_H
#define _XALLOC_SLAB_H

#include <linux/atomic.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/reciprocal_div.h>

#include <xalloc/xalloc.h>

#include "zone.h"

enum xalloc_stat_item {
	ALLOC_FASTPATH,		/* object from the CPU freelist */
	ALLOC_SLOWPATH,		/* object through __xalloc_slab_alloc() */
	FREE_FASTPATH,		/* free to the CPU's own slab */
	FREE_SLOWPATH,		/* free to another slab */
	FREE_FROZEN,		/* ... that another CPU owns */
	FREE_ADD_PARTIAL,	/* free put a slab on a node partial list */
	FREE_REMOVE_PARTIAL,	/* free took an empty slab off it */
	ALLOC_FROM_PARTIAL,	/* CPU slab from a node partial list */
	ALLOC_SLAB,		/* new slab from the zone */
	ALLOC_REFILL,		/* CPU freelist refilled from its slab */
	ALLOC_NODE_MISMATCH,	/* CPU slab on the wrong node */
	FREE_SLAB,		/* slab given back to the zone */
	CPUSLAB_FLUSH,		/* CPU slab flushed (shrink, hotplug) */
	DEACTIVATE_FULL,	/* CPU slab given up full */
	DEACTIVATE_EMPTY,	/* ... empty */
	DEACTIVATE_TO_HEAD,	/* ... to the head of the partial list */
	DEACTIVATE_TO_TAIL,	/* ... to its tail */
	DEACTIVATE_REMOTE_FREES, /* ... with objects freed by others */
	DEACTIVATE_BYPASS,	/* CPU slab found exhausted */
	ORDER_FALLBACK,		/* slab of the minimum order */
	CMPXCHG_DOUBLE_FAIL,	/* slab cmpxchg retried */
	CMPXCHG_DOUBLE_CPU_FAIL, /* CPU cmpxchg retried */
	CPU_PARTIAL_ALLOC,	/* CPU slab from the CPU partial list */
	CPU_PARTIAL_FREE,	/* free put a slab on the CPU partial list */
	CPU_PARTIAL_NODE,	/* node partial slab moved to a CPU's list */
	CPU_PARTIAL_DRAIN,	/* CPU partial list drained to the node */
	NR_XALLOC_STATS
};

extern const char *const xalloc_stat_names[NR_XALLOC_STATS];

/*
 * Per-CPU part. aba.freelist and aba.counter (the transaction id) change by
 * this CPU only: with xalloc_this_cpu_cmpxchg_aba() on the fast paths, with
 * interrupts off on the slow paths, which also bump the tid so that a fast
 * path preempted in between fails its cmpxchg and retries.
 */
struct xalloc_cache_cpu {
	union xalloc_aba aba;		/* {freelist, tid} */
	struct xalloc_page *slab;	/* CPU slab, frozen; irqs off */
	struct xalloc_page *partial;	/* frozen slabs via ->next; irqs off */
	unsigned int partial_slabs;	/* length of ->partial; irqs off */
	unsigned long stat[NR_XALLOC_STATS];	/* this CPU only */
};

/* Per-node part. */
struct xalloc_cache_node {
	spinlock_t list_lock;		/* guards the partial list */
	unsigned long nr_partial;	/* list_lock */
	struct list_head partial;	/* unfrozen partial slabs; list_lock */
	atomic_long_t nr_slabs;
	atomic_long_t total_objects;
};

/* Order and objects of a slab, packed like the kernel's. */
struct xalloc_order_objects {
	unsigned int x;			/* order << 16 | objects */
};

struct xalloc_cache {
	struct xalloc_cache_cpu __percpu *cpu;
	unsigned long flags;		/* XALLOC_* flags; constant */
	unsigned int size;		/* object stride; constant */
	unsigned int object_size;	/* what the caller asked; constant */
	struct reciprocal_value reciprocal_size;	/* constant */
	unsigned int offset;		/* free pointer offset; constant */
	struct xalloc_order_objects oo;	/* preferred slab; constant */
	struct xalloc_order_objects min; /* fallback slab; constant */
	struct xalloc_order_objects max; /* largest of the two; constant */
	gfp_t allocflags;		/* added to zone allocations; constant */
	int refcount;			/* xalloc_caches_mutex */
	void (*ctor)(void *object);	/* constant */
	unsigned int inuse;		/* bytes of object in use; constant */
	unsigned int align;		/* constant */
	unsigned int min_partial;	/* constant */
	unsigned int cpu_partial;	/* objects per CPU partial list; constant */
	unsigned int cpu_partial_slabs;	/* the same in slabs; constant */
	const char *name;		/* constant */
	bool dead;			/* destroyed with objects left; mutex */
	struct list_head list;		/* xalloc_caches; xalloc_caches_mutex */
	struct dentry *debugfs;		/* caches/<name>; mutex */
	struct xalloc_cache_node *node[MAX_NUMNODES];	/* constant */
};

extern struct mutex xalloc_caches_mutex;
extern struct list_head xalloc_caches;

static inline unsigned int oo_order(struct xalloc_order_objects x)
{
	return x.x >> 16;
}

static inline unsigned int oo_objects(struct xalloc_order_objects x)
{
	return x.x & 0xffff;
}

/* A slab's objects in use, read without locks. */
static inline unsigned int slab_inuse(const struct xalloc_page *slab)
{
	union xalloc_slab_counters cnt = {
		.counters = READ_ONCE(slab->cnt.counters),
	};

	return cnt.inuse;
}

/* Exact-when-idle object and slab counts of a cache, lock-free. */
struct xalloc_cache_counts {
	unsigned long active_objs;
	unsigned long num_objs;
	unsigned long num_slabs;
};

unsigned long xalloc_cache_stat(struct xalloc_cache *s, enum xalloc_stat_item item);
void xalloc_cache_counts(struct xalloc_cache *s, struct xalloc_cache_counts *cnt);
struct xalloc_cache *xalloc_cache_lookup(const char *name);

/* The slab a kmalloc'd or cached object lives in, or NULL after a report. */
struct xalloc_page *xalloc_object_slab(const char *area, const void *obj);
void xalloc_slab_free_checked(struct xalloc_page *slab, void *obj);

int xalloc_slab_init(void);
void xalloc_slab_exit(void);
int xalloc_kmalloc_init(void);
void xalloc_kmalloc_exit(void);

void xalloc_slab_debugfs_add(struct xalloc_cache *s);
void xalloc_slab_debugfs_remove(struct xalloc_cache *s);
void xalloc_slab_debugfs_init(void);

#endif /* _XALLOC_SLAB_H */
