/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The handle table of an open /dev/xalloc: what the file holds (caches,
 * objects, page blocks), named by small integers so that user space never
 * sees a kernel address. See mm/chardev.c for the commands that use it.
 *
 * Invariants of a table t (under t->lock):
 *   t->nr_handles == entries in t->xa                <= XALLOC_MAX_HANDLES
 *   t->bytes      == sum of ->size over the object and pages entries
 *                                                    <= XALLOC_MAX_BYTES
 *   c->nr_objects == object entries h with h->cache == c, for a cache entry c
 *   t->nr_caches  == cache entries                   <= XALLOC_MAX_CACHES
 * and over all tables, the cache entries number at most XALLOC_MAX_DEV_CACHES.
 */
#ifndef _XALLOC_HANDLES_H
#define _XALLOC_HANDLES_H

#include <linux/mutex.h>
#include <linux/refcount.h>
#include <linux/types.h>
#include <linux/xarray.h>

struct xalloc_cache;

enum xalloc_handle_kind {
	XALLOC_HANDLE_CACHE	= BIT(0),	/* a cache the file created */
	XALLOC_HANDLE_OBJECT	= BIT(1),	/* an object of a cache, or kmalloc */
	XALLOC_HANDLE_PAGES	= BIT(2),	/* a block of the zone */
};

/*
 * One entry of the table; all fields are constant once it is inserted but
 * for @selected and @nr_objects (table lock) and @refs.
 *
 * A page block's entry lives as long as @refs: one reference is the table's,
 * dropped when the handle is freed or the file closed, and each VMA mapping
 * the block holds one more (mm/chardev.c). The block goes back to the zone
 * with the last of them, so it outlives its handle while it is mapped.
 */
struct xalloc_handle {
	u32 id;				/* the handle; set by insert */
	enum xalloc_handle_kind kind;
	unsigned int order;		/* pages: block order */
	bool selected;			/* a FREE call took it; table lock */
	void *ptr;			/* object, pages: its address */
	size_t size;			/* object: size asked; pages: block size */
	struct xalloc_handle *cache;	/* object: its cache, NULL for kmalloc */
	struct xalloc_cache *s;		/* cache: the cache */
	unsigned long nr_objects;	/* cache: objects held; table lock */
	refcount_t refs;		/* pages: the table's, one per VMA */
};

struct xalloc_handles {
	struct mutex lock;		/* guards everything below */
	struct xarray xa;		/* handle -> struct xalloc_handle */
	unsigned int nr_handles;
	unsigned int nr_caches;
	u64 bytes;
	bool rcu_frees;			/* a FREE with XALLOC_FREE_RCU was made */
};

void xalloc_handles_init(struct xalloc_handles *t);
void xalloc_handles_release(struct xalloc_handles *t);
int xalloc_handles_reserve_locked(struct xalloc_handles *t, unsigned int nr,
				  u64 bytes);
int xalloc_handles_reserve_cache_locked(struct xalloc_handles *t);
int xalloc_handle_insert_locked(struct xalloc_handles *t,
				struct xalloc_handle *h);
struct xalloc_handle *xalloc_handle_find_locked(struct xalloc_handles *t,
						u32 id, unsigned int kinds);
void xalloc_handle_erase_locked(struct xalloc_handles *t,
				struct xalloc_handle *h);
void xalloc_handle_free(struct xalloc_handle *h);
struct xalloc_handle *xalloc_handle_get_pages(struct xalloc_handles *t, u32 id,
					      int *err);
void xalloc_handle_put_pages(struct xalloc_handle *h);

#endif /* _XALLOC_HANDLES_H */
