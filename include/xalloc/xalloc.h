/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xalloc: a loadable module that carries its own allocators.
 *
 * The kernel API, named after the kernel's own: a buddy allocator over a
 * private zone carved from the page allocator at load time, object caches
 * (SLUB) on top of it, and kmalloc size classes.
 */
#ifndef _XALLOC_XALLOC_H
#define _XALLOC_XALLOC_H

#include <linux/gfp.h>
#include <linux/mm_types.h>
#include <linux/stddef.h>

struct page *xalloc_alloc_pages_node(int nid, gfp_t gfp, unsigned int order);
struct page *xalloc_alloc_pages(gfp_t gfp, unsigned int order);
void xalloc_free_pages(struct page *page, unsigned int order);
void xalloc_zone_drain(void);
unsigned long xalloc_zone_shrink(void);

struct xalloc_cache;

/* xalloc_cache_create() flags; the debug ones as in slub_debug= (FZPU) */
#define XALLOC_CONSISTENCY_CHECKS 0x00000100UL	/* F: check every free */
#define XALLOC_RED_ZONE		0x00000400UL	/* Z: red zones around objects */
#define XALLOC_POISON		0x00000800UL	/* P: poison free objects */
#define XALLOC_HWCACHE_ALIGN	0x00002000UL	/* align objects to cache lines */
#define XALLOC_STORE_USER	0x00010000UL	/* U: track alloc and free */
/*
 * Type-safe by RCU: an object may be reused at once, but its memory stays an
 * object of the cache until a grace period after its slab was discarded.
 */
#define XALLOC_TYPESAFE_BY_RCU	0x00080000UL
/*
 * Per-CPU sheaves (arrays of free objects) in front of the slabs: the default
 * for a cache without debug flags and of objects up to 4 KiB (unless xalloc
 * is loaded with sheaves=0). XALLOC_SHEAVES asks for them at any size;
 * XALLOC_NO_SHEAVES keeps the CPU-slab fast path. Both are ignored for a
 * cache with debug flags, which keeps its locked path.
 */
#define XALLOC_SHEAVES		0x00100000UL
#define XALLOC_NO_SHEAVES	0x00200000UL
#define XALLOC_DEBUG_FLAGS	(XALLOC_CONSISTENCY_CHECKS | XALLOC_RED_ZONE | \
				 XALLOC_POISON | XALLOC_STORE_USER)
#define XALLOC_CACHE_FLAGS	(XALLOC_HWCACHE_ALIGN | XALLOC_TYPESAFE_BY_RCU | \
				 XALLOC_SHEAVES | XALLOC_NO_SHEAVES | \
				 XALLOC_DEBUG_FLAGS)

/* Longest cache name, without the terminating NUL. */
#define XALLOC_CACHE_NAME_MAX	31

struct xalloc_cache *xalloc_cache_create(const char *name, unsigned int size,
					 unsigned int align, unsigned long flags,
					 void (*ctor)(void *));
struct xalloc_cache *xalloc_cache_create_sheaves(const char *name, unsigned int size,
						 unsigned int align, unsigned long flags,
						 void (*ctor)(void *),
						 unsigned int capacity);
void xalloc_cache_destroy(struct xalloc_cache *s);
void *xalloc_cache_alloc(struct xalloc_cache *s, gfp_t gfp);
void *xalloc_cache_alloc_node(struct xalloc_cache *s, gfp_t gfp, int nid);
void xalloc_cache_free(struct xalloc_cache *s, void *obj);
int xalloc_cache_alloc_bulk(struct xalloc_cache *s, gfp_t gfp, size_t nr,
			    void **objs);
void xalloc_cache_free_bulk(struct xalloc_cache *s, size_t nr, void **objs);
int xalloc_cache_shrink(struct xalloc_cache *s);

void *xalloc_kmalloc(size_t size, gfp_t gfp);
void *xalloc_kmalloc_node(size_t size, gfp_t gfp, int nid);
void *xalloc_kzalloc(size_t size, gfp_t gfp);
void *xalloc_krealloc(const void *p, size_t new_size, gfp_t gfp);
void xalloc_kfree(const void *p);
size_t xalloc_ksize(const void *p);

/* Frees after a grace period (the kernel's kfree_rcu()). */
void xalloc_kfree_call_rcu(struct rcu_head *head, void *ptr);
void xalloc_cache_free_call_rcu(struct xalloc_cache *s, struct rcu_head *head,
				void *obj);
void xalloc_rcu_barrier(void);

/**
 * xalloc_kfree_rcu() - free kmalloc memory after a grace period
 * @ptr: memory from xalloc_kmalloc(), a pointer to a structure; may be NULL
 * @rhf: the name of a struct rcu_head member of *@ptr
 *
 * Context: Any context.
 */
#define xalloc_kfree_rcu(ptr, rhf)					\
do {									\
	typeof(ptr) ___p = (ptr);					\
									\
	if (___p)							\
		xalloc_kfree_call_rcu((void *)___p +			\
				      offsetof(typeof(*___p), rhf),	\
				      (void *)___p);			\
} while (0)

/**
 * xalloc_kfree_rcu_mightsleep() - free kmalloc memory after a grace period
 * @ptr: memory from xalloc_kmalloc(), with no rcu_head; may be NULL
 *
 * Context: Process context; may sleep for a grace period when no memory is
 * left to queue the free.
 */
#define xalloc_kfree_rcu_mightsleep(ptr) xalloc_kfree_call_rcu(NULL, (void *)(ptr))

/**
 * xalloc_cache_free_rcu() - free a cache object after a grace period
 * @s: the cache it was allocated from
 * @ptr: the object, a pointer to a structure; may be NULL
 * @rhf: the name of a struct rcu_head member of *@ptr
 *
 * Context: Any context.
 */
#define xalloc_cache_free_rcu(s, ptr, rhf)				\
do {									\
	typeof(ptr) ___p = (ptr);					\
									\
	if (___p)							\
		xalloc_cache_free_call_rcu((s), (void *)___p +		\
					   offsetof(typeof(*___p), rhf), \
					   (void *)___p);		\
} while (0)

/**
 * xalloc_cache_free_rcu_mightsleep() - free a cache object after a grace period
 * @s: the cache it was allocated from
 * @ptr: the object, with no rcu_head; may be NULL
 *
 * Context: Process context; may sleep for a grace period when no memory is
 * left to queue the free.
 */
#define xalloc_cache_free_rcu_mightsleep(s, ptr)			\
	xalloc_cache_free_call_rcu((s), NULL, (void *)(ptr))

#endif /* _XALLOC_XALLOC_H */
