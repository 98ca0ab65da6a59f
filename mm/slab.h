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
#include <linux/bitops.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/nodemask.h>
#include <linux/rcupdate.h>
#include <linux/reciprocal_div.h>
#include <linux/swab.h>

#include <xalloc/xalloc.h>

#include "debugfs.h"
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
	FREE_RCU_QUEUED,	/* object given to a free after a grace period */
	FREE_RCU_BATCHED,	/* ... put into a per-CPU pointer block */
	FREE_RCU_SYNC,		/* ... freed after a synchronous grace period */
	FREE_RCU_FREED,		/* ... freed, a grace period later */
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
	spinlock_t list_lock;		/* guards the slab lists */
	unsigned long nr_partial;	/* list_lock */
	struct list_head partial;	/* unfrozen partial slabs; list_lock */
	struct list_head full;		/* debug caches: full slabs; list_lock */
	atomic_long_t nr_slabs;
	atomic_long_t total_objects;
	atomic_long_t total_pages;	/* of the slabs, fallback orders counted */
};

/* Order and objects of a slab, packed like the kernel's. */
struct xalloc_order_objects {
	unsigned int x;			/* order << 16 | objects */
};

static inline unsigned int oo_order(struct xalloc_order_objects x)
{
	return x.x >> 16;
}

static inline unsigned int oo_objects(struct xalloc_order_objects x)
{
	return x.x & 0xffff;
}

struct xalloc_pcs;
struct xalloc_barn;

struct xalloc_cache {
	struct xalloc_cache_cpu __percpu *cpu;
	struct xalloc_pcs __percpu *sheaves;	/* or NULL (slab_sheaf.h); constant */
	unsigned int sheaf_capacity;	/* objects per sheaf; constant */
	struct xalloc_barn **barns;	/* nr_node_ids, with sheaves; constant */
	unsigned long flags;		/* XALLOC_* flags; constant */
	unsigned int size;		/* object stride; constant */
	unsigned int object_size;	/* what the caller asked; constant */
	struct reciprocal_value reciprocal_size;	/* constant */
	unsigned long size_inv;		/* odd part of size, inverted mod 2^64; constant */
	unsigned int size_shift;	/* trailing zero bits of size; constant */
	unsigned int offset;		/* free pointer offset; constant */
	unsigned int red_left_pad;	/* left red zone, debug; constant */
	unsigned int track_offset;	/* owner tracks, debug; constant */
	unsigned long random;		/* freelist pointer key; constant */
	unsigned long swab_mask;	/* ~0 when hardened, else 0; constant */
	unsigned int *random_seq;	/* shuffled object order, or NULL */
	struct xalloc_order_objects oo;	/* preferred slab; constant */
	struct xalloc_order_objects min; /* fallback slab; constant */
	struct xalloc_order_objects max; /* largest of the two; constant */
	gfp_t allocflags;		/* added to zone allocations; constant */
	void (*ctor)(void *object);	/* constant */
	unsigned int inuse;		/* bytes of object in use; constant */
	unsigned int align;		/* constant */
	unsigned int min_partial;	/* constant */
	unsigned int cpu_partial;	/* objects per CPU partial list; constant */
	unsigned int cpu_partial_slabs;	/* the same in slabs; constant */
	const char *name;		/* constant */
	bool dead;			/* destroyed with objects left; mutex */
	struct xalloc_validate_file validate;	/* caches/<name>/validate */
	/* xalloc_caches, or xalloc_layouts for a layout; xalloc_caches_mutex */
	struct list_head list;
	struct hlist_node hash;		/* a cache: by name; xalloc_caches_mutex */
	/* Debug layouts (mm/slab_layout.c). A cache: the one new slabs get. */
	struct xalloc_cache __rcu *layout;
	struct xalloc_cache *parent;	/* a layout: its cache; NULL for a cache */
	/* A layout: one per slab and allocation in flight, one while current. */
	atomic_long_t refs;
	struct rcu_head rcu;		/* a layout: freed after a grace period */
	struct dentry *debugfs;		/* caches/<name>; mutex */
	/* nr_node_ids of them, NULL for a node without a zone; constant */
	struct xalloc_cache_node *node[];
};

/* Bytes of a struct xalloc_cache with its node array. */
static inline size_t xalloc_cache_bytes(void)
{
	return struct_size((struct xalloc_cache *)NULL, node, nr_node_ids);
}

/*
 * A free object keeps the next one's address at s->offset, hardened as
 * address ^ s->random ^ swab(where it is stored) so that a forged or
 * overflowed pointer decodes to garbage, caught by freeptr_ok().
 */
static inline void *get_freepointer(struct xalloc_cache *s, void *object)
{
	unsigned long *p = object + s->offset;

	return (void *)(READ_ONCE(*p) ^ s->random ^ (swab((unsigned long)p) & s->swab_mask));
}

static inline void set_freepointer(struct xalloc_cache *s, void *object, void *fp)
{
	unsigned long *p = object + s->offset;

	*p = (unsigned long)fp ^ s->random ^ (swab((unsigned long)p) & s->swab_mask);
}

/* @fp may follow @object on a freelist: NULL or in the same slab. */
static inline bool freeptr_ok(struct xalloc_cache *s, void *object, void *fp)
{
	return !fp || !(((unsigned long)fp ^ (unsigned long)object) >>
			(PAGE_SHIFT + oo_order(s->max)));
}

/* Whether @s is a debug layout: its slabs are checked object by object. */
static inline bool xalloc_cache_debug(struct xalloc_cache *s)
{
	return s->flags & XALLOC_DEBUG_FLAGS;
}

/* The layout new slabs of @s get: its debug layout, or @s itself. */
static inline struct xalloc_cache *xalloc_cache_layout(struct xalloc_cache *s)
{
	struct xalloc_cache *l = rcu_dereference_check(s->layout, true);

	return l ? l : s;
}

extern struct mutex xalloc_caches_mutex;
extern struct list_head xalloc_caches;

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
	unsigned long num_pages;
};

unsigned long xalloc_cache_stat(struct xalloc_cache *s, enum xalloc_stat_item item);
void xalloc_cache_counts(struct xalloc_cache *s, struct xalloc_cache_counts *cnt);
unsigned long xalloc_cache_reclaimable(struct xalloc_cache *s);
unsigned long xalloc_cache_counts_clamped(void);
struct xalloc_cache *xalloc_cache_lookup(const char *name);

/* Internal to the SLUB layer, shared with its debug part. */
struct xalloc_page *xalloc_new_slab(struct xalloc_cache *s, gfp_t gfp, int node);
void xalloc_discard_slab(struct xalloc_cache *s, struct xalloc_page *slab);
void __xalloc_discard_slab(struct xalloc_cache *s, struct xalloc_page *slab);
void xalloc_add_partial(struct xalloc_cache_node *n, struct xalloc_page *slab,
			bool tail);
void xalloc_remove_partial(struct xalloc_cache_node *n, struct xalloc_page *slab);
void xalloc_flush_all(struct xalloc_cache *s);
void *xalloc_cache_alloc_caller(struct xalloc_cache *s, gfp_t gfp, int node,
				unsigned long addr);
unsigned int xalloc_slab_refill(struct xalloc_cache *s, gfp_t gfp, unsigned int nr,
				void **objs);
void xalloc_slab_flush(struct xalloc_cache *s, unsigned int nr, void **objs);

#ifdef CONFIG_DEBUG_KMEMLEAK
void xalloc_kmemleak_alloc(const void *p, size_t size, gfp_t gfp);
#else
static inline void xalloc_kmemleak_alloc(const void *p, size_t size, gfp_t gfp)
{
}
#endif

static inline void xalloc_stat(struct xalloc_cache *s, enum xalloc_stat_item item)
{
	this_cpu_inc(s->cpu->stat[item]);
}

/* A slab's {freelist, counters}, changed together (see mm/slub.c). */
static inline bool slab_cmpxchg(struct xalloc_cache *s, struct xalloc_page *slab,
				union xalloc_aba old, union xalloc_aba new)
{
	if (likely(xalloc_cmpxchg_aba(&slab->fl, old, new)))
		return true;
	xalloc_stat(s, CMPXCHG_DOUBLE_FAIL);
	return false;
}

static inline union xalloc_aba slab_read(struct xalloc_page *slab)
{
	union xalloc_aba v;

	v.freelist = READ_ONCE(slab->freelist);
	v.counter = READ_ONCE(slab->cnt.counters);
	return v;
}

static inline void *slab_address(const struct xalloc_page *slab)
{
	return xalloc_desc_address(slab);
}

/* The debug part: mm/slub_debug.c */
void xalloc_debug_init(void);
unsigned long xalloc_debug_parse(const char *str, const char *name);
unsigned long xalloc_debug_flags_for(const char *name);
void xalloc_debug_calculate_sizes(struct xalloc_cache *s, unsigned int *size);
void xalloc_debug_init_slab(struct xalloc_cache *s, struct xalloc_page *slab);
void *xalloc_debug_alloc_caller(struct xalloc_cache *s, gfp_t gfp, int node,
				unsigned long addr);
void xalloc_debug_free_caller(struct xalloc_cache *s, struct xalloc_page *slab,
			      void *obj, unsigned long addr);
void xalloc_debug_set_orig_size(struct xalloc_cache *s, void *obj, unsigned int size);
unsigned int xalloc_debug_orig_size(struct xalloc_cache *s, void *obj);
unsigned long xalloc_debug_track_addr(struct xalloc_cache *s, void *obj, bool alloc);
unsigned long xalloc_cache_validate(struct xalloc_cache *s);
void xalloc_debug_report_leaks(struct xalloc_cache *s);
void xalloc_debug_poison_slab(struct xalloc_cache *s, struct xalloc_page *slab);

/* A call site in alloc_traces / free_traces. */
struct xalloc_location {
	unsigned long addr;		/* caller */
	unsigned int handle;		/* stack depot handle, or 0 */
	unsigned long count;
	unsigned long waste;		/* kmalloc: bytes asked less than class */
	unsigned long min_age, max_age, sum_age;	/* jiffies */
	int min_pid, max_pid;
	struct cpumask cpus;
	nodemask_t nodes;
};

int xalloc_debug_traces(struct xalloc_cache *s, bool alloc,
			struct xalloc_location *loc, int max);

/* Debug layouts: mm/slab_layout.c */
extern struct list_head xalloc_layouts;
struct xalloc_cache *xalloc_layout_next(struct xalloc_cache *s, struct xalloc_cache *l);
void xalloc_layout_put(struct xalloc_cache *l);
bool xalloc_layout_alloc(struct xalloc_cache *s, gfp_t gfp, int node,
			 unsigned long addr, void **obj);
int xalloc_layout_init(struct xalloc_cache *s, unsigned long flags);
void xalloc_layouts_release(struct xalloc_cache *s);
void xalloc_layouts_exit(void);
int xalloc_cache_set_debug(struct xalloc_cache *s, unsigned long flags);

/* Shared by the SLUB layer and its layouts: mm/slub.c */
int xalloc_setup_layout(struct xalloc_cache *s, gfp_t gfp);
int xalloc_init_cache_nodes(struct xalloc_cache *s, gfp_t gfp);
void xalloc_free_cache_nodes(struct xalloc_cache *s);
void xalloc_discard_empty_partials(struct xalloc_cache *s);

struct xalloc_page *xalloc_kmalloc_desc(const void *p);
struct xalloc_page *xalloc_object_slab_bad(const char *area, const void *obj,
					   struct xalloc_page *slab);

/*
 * The index of the object at @obj in @slab of @s; -1 off an object boundary.
 * No divide: with size == d << k (d odd) and d * size_inv == 1 mod 2^64,
 * off * size_inv rotated right by k is off / size when size divides off,
 * and above ULONG_MAX / size otherwise (the exact divisibility test of
 * Granlund and Montgomery, section 9); an @obj below the first object
 * wraps to a huge off. One compare with the object count checks it all.
 */
static __always_inline int slab_object_index(const struct xalloc_cache *s,
					     const struct xalloc_page *slab,
					     const void *obj)
{
	unsigned long off = (unsigned long)obj - s->red_left_pad -
			    (unsigned long)slab_address(slab);
	unsigned long idx = ror64(off * s->size_inv, s->size_shift);

	if (unlikely(idx >= slab->cnt.objects))
		return -1;
	return idx;
}

/*
 * slab_object_index() for an @obj known to lie in @slab's block, found from
 * its own page's descriptor: slabs are naturally aligned blocks of the
 * direct map, so the offset is a mask of the address, no descriptor walk.
 */
static __always_inline int slab_object_index_in(const struct xalloc_cache *s,
						const struct xalloc_page *slab,
						const void *obj)
{
	unsigned long off = ((unsigned long)obj & ((PAGE_SIZE << slab->order) - 1)) -
			    s->red_left_pad;
	unsigned long idx = ror64(off * s->size_inv, s->size_shift);

	if (unlikely(idx >= slab->cnt.objects))
		return -1;
	return idx;
}

/*
 * The slab of an object being freed, from @slab, the descriptor of its page
 * (xalloc_addr_desc(), NULL outside the zone); NULL after a report when @obj
 * is not at an object boundary of a slab.
 */
static __always_inline struct xalloc_page *
xalloc_object_slab(const char *area, const void *obj, struct xalloc_page *slab)
{
	if (unlikely(!slab))
		return xalloc_object_slab_bad(area, obj, slab);
	if (slab->type == XALLOC_PAGE_SLAB_TAIL)
		slab = slab->head;
	if (unlikely(slab->type != XALLOC_PAGE_SLAB ||
		     slab_object_index_in(slab->cache, slab, obj) < 0))
		return xalloc_object_slab_bad(area, obj, slab);
	return slab;
}

struct xalloc_cache *xalloc_find_cache_locked(const char *name);
struct xalloc_cache *xalloc_cache_create_aligned(const char *name, unsigned int size,
						 unsigned int align, unsigned long flags,
						 void (*ctor)(void *), gfp_t gfp);
struct xalloc_cache *__xalloc_cache_create(const char *name, unsigned int size,
					   unsigned int align, unsigned long flags,
					   void (*ctor)(void *), gfp_t gfp,
					   unsigned int sheaf_capacity);
void xalloc_kfree_other(const void *p);
void *xalloc_kmalloc_alloc(struct xalloc_cache *s, size_t size, gfp_t gfp, int nid,
			   unsigned long addr);
void xalloc_kmalloc_post(struct xalloc_cache *s, void *obj, size_t size);
void xalloc_slab_free_released(struct xalloc_page *slab, void *obj);

bool xalloc_slab_shrink_all(void);
unsigned long xalloc_slab_reclaimable(void);
int xalloc_slab_init(void);
void xalloc_slab_exit(void);
int xalloc_kmalloc_init(void);
void xalloc_kmalloc_exit(void);

void xalloc_slab_debugfs_add(struct xalloc_cache *s);
void xalloc_slab_debugfs_remove(struct xalloc_cache *s);
void xalloc_slab_debugfs_init(void);

#endif /* _XALLOC_SLAB_H */
