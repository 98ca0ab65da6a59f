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

struct page *xalloc_alloc_pages_node(int nid, gfp_t gfp, unsigned int order);
struct page *xalloc_alloc_pages(gfp_t gfp, unsigned int order);
void xalloc_free_pages(struct page *page, unsigned int order);
void xalloc_zone_drain(void);

struct xalloc_cache;

/* xalloc_cache_create() flags; the debug ones as in slub_debug= (FZPU) */
#define XALLOC_CONSISTENCY_CHECKS 0x00000100UL	/* F: check every free */
#define XALLOC_RED_ZONE		0x00000400UL	/* Z: red zones around objects */
#define XALLOC_POISON		0x00000800UL	/* P: poison free objects */
#define XALLOC_HWCACHE_ALIGN	0x00002000UL	/* align objects to cache lines */
#define XALLOC_STORE_USER	0x00010000UL	/* U: track alloc and free */
#define XALLOC_DEBUG_FLAGS	(XALLOC_CONSISTENCY_CHECKS | XALLOC_RED_ZONE | \
				 XALLOC_POISON | XALLOC_STORE_USER)
#define XALLOC_CACHE_FLAGS	(XALLOC_HWCACHE_ALIGN | XALLOC_DEBUG_FLAGS)

/* Longest cache name, without the terminating NUL. */
#define XALLOC_CACHE_NAME_MAX	31

struct xalloc_cache *xalloc_cache_create(const char *name, unsigned int size,
					 unsigned int align, unsigned long flags,
					 void (*ctor)(void *));
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

#endif /* _XALLOC_XALLOC_H */
