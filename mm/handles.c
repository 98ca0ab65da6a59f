// SPDX-License-Identifier: GPL-2.0
/*
 * The handle table of an open /dev/xalloc: an xarray from handles (1 to
 * XALLOC_MAX_HANDLES) to entries naming a cache, an object or a page block
 * the file holds, with the file's limits and, per cache, the number of its
 * objects the file holds. Freeing what an entry names, and the whole table
 * when the file is closed, is done here too.
 *
 * Lock order (outer first):
 *   1. t->lock			the table of one file
 *   2. t->xa's lock		inside xa_alloc(), xa_erase(), and alone in
 *				xalloc_handle_get_pages(), which mmap() calls
 *				under mmap_lock (so never t->lock there)
 *   2. xalloc's own locks	(mm/slub.c, mm/buddy.c) to free and destroy
 */

#include <linux/atomic.h>
#include <linux/gfp.h>
#include <linux/lockdep.h>
#include <linux/mm.h>
#include <linux/sched.h>
#include <linux/slab.h>

#include <uapi/linux/xalloc.h>
#include <xalloc/xalloc.h>

#include "handles.h"

/**
 * xalloc_handles_init() - set up the empty table of a new file
 * @t: the table
 *
 * Context: Process context.
 */
void xalloc_handles_init(struct xalloc_handles *t)
{
	mutex_init(&t->lock);
	xa_init_flags(&t->xa, XA_FLAGS_ALLOC1);
	t->nr_handles = 0;
	t->bytes = 0;
}

/**
 * xalloc_handles_reserve_locked() - check the file's limits before allocating
 * @t: the table
 * @nr: handles the caller is about to insert
 * @bytes: bytes of objects or blocks they name
 *
 * Context: Process context; the caller holds @t->lock.
 * Return: 0 if @nr more handles and @bytes more bytes stay within
 * XALLOC_MAX_HANDLES and XALLOC_MAX_BYTES, else -ENOSPC.
 */
int xalloc_handles_reserve_locked(struct xalloc_handles *t, unsigned int nr,
				  u64 bytes)
{
	lockdep_assert_held(&t->lock);
	if (nr > XALLOC_MAX_HANDLES - t->nr_handles ||
	    bytes > XALLOC_MAX_BYTES - t->bytes)
		return -ENOSPC;
	return 0;
}

/* Cache entries of every table; at most XALLOC_MAX_DEV_CACHES. */
static atomic_t xalloc_dev_caches = ATOMIC_INIT(0);

/**
 * xalloc_handles_reserve_cache_locked() - check the limits before a cache
 * @t: the table
 *
 * One more handle, one more cache of the file, and one more cache of all
 * files together. The last is checked again, exactly, when the cache's
 * entry is inserted.
 *
 * Context: Process context; the caller holds @t->lock.
 * Return: 0, or -ENOSPC if a limit is reached.
 */
int xalloc_handles_reserve_cache_locked(struct xalloc_handles *t)
{
	lockdep_assert_held(&t->lock);
	if (t->nr_caches >= XALLOC_MAX_CACHES ||
	    atomic_read(&xalloc_dev_caches) >= XALLOC_MAX_DEV_CACHES)
		return -ENOSPC;
	return xalloc_handles_reserve_locked(t, 1, 0);
}

/**
 * xalloc_handle_insert_locked() - give an entry a handle
 * @t: the table
 * @h: the entry, filled in but for ->id; an object's ->cache must be an entry
 *     of @t
 *
 * The caller has checked the limits with xalloc_handles_reserve_locked().
 *
 * Context: Process context; the caller holds @t->lock. May sleep.
 * Return: 0 with @h->id set, -ENOSPC if no handle is left or, for a cache,
 * XALLOC_MAX_DEV_CACHES are taken, or -ENOMEM.
 */
int xalloc_handle_insert_locked(struct xalloc_handles *t,
				struct xalloc_handle *h)
{
	bool cache = h->kind == XALLOC_HANDLE_CACHE;
	int ret;

	lockdep_assert_held(&t->lock);
	if (cache && !atomic_add_unless(&xalloc_dev_caches, 1, XALLOC_MAX_DEV_CACHES))
		return -ENOSPC;
	ret = xa_alloc(&t->xa, &h->id, h, XA_LIMIT(1, XALLOC_MAX_HANDLES),
		       GFP_KERNEL_ACCOUNT);
	if (ret) {
		if (cache)
			atomic_dec(&xalloc_dev_caches);
		return ret == -EBUSY ? -ENOSPC : ret;
	}
	t->nr_handles++;
	if (cache)
		t->nr_caches++;
	else
		t->bytes += h->size;
	if (h->cache)
		h->cache->nr_objects++;
	return 0;
}

/**
 * xalloc_handle_find_locked() - look up a handle of the file
 * @t: the table
 * @id: the handle, as user space gave it
 * @kinds: the kinds of entry the caller accepts, XALLOC_HANDLE_* ORed
 *
 * Context: Any context; the caller holds @t->lock.
 * Return: the entry, or NULL if @id is no handle of @t or of another kind.
 */
struct xalloc_handle *xalloc_handle_find_locked(struct xalloc_handles *t,
						u32 id, unsigned int kinds)
{
	struct xalloc_handle *h;

	lockdep_assert_held(&t->lock);
	h = xa_load(&t->xa, id);
	return h && (h->kind & kinds) ? h : NULL;
}

/**
 * xalloc_handle_erase_locked() - take an entry out of the table
 * @t: the table
 * @h: an entry of @t
 *
 * What @h names stays allocated: free it with xalloc_handle_free(), or free
 * it and kfree() @h.
 *
 * Context: Any context; the caller holds @t->lock.
 */
void xalloc_handle_erase_locked(struct xalloc_handles *t,
				struct xalloc_handle *h)
{
	lockdep_assert_held(&t->lock);
	xa_erase(&t->xa, h->id);
	t->nr_handles--;
	if (h->kind == XALLOC_HANDLE_CACHE) {
		t->nr_caches--;
		atomic_dec(&xalloc_dev_caches);
	} else {
		t->bytes -= h->size;
	}
	if (h->cache)
		h->cache->nr_objects--;
}

/**
 * xalloc_handle_free() - free what an erased entry names, and the entry
 * @h: the entry, out of its table; a cache must have no objects left
 *
 * Context: Process context; may sleep (destroying a cache does).
 */
void xalloc_handle_free(struct xalloc_handle *h)
{
	switch (h->kind) {
	case XALLOC_HANDLE_CACHE:
		xalloc_cache_destroy(h->s);
		break;
	case XALLOC_HANDLE_OBJECT:
		if (h->cache)
			xalloc_cache_free(h->cache->s, h->ptr);
		else
			xalloc_kfree(h->ptr);
		break;
	case XALLOC_HANDLE_PAGES:
		/* The table's reference; mappings may hold the block longer. */
		xalloc_handle_put_pages(h);
		return;
	}
	kfree(h);
}

/**
 * xalloc_handle_get_pages() - take a reference to a page block of the file
 * @t: the table
 * @id: the handle, as user space gave it
 * @err: set to -ENOENT if @id is no handle of @t, or -ENODEV if it names an
 *       object or a cache
 *
 * Needs no table lock, only the xarray's: the table's reference, dropped
 * after the entry is erased, keeps the count above 0 while the entry is
 * found. Drop the reference with xalloc_handle_put_pages().
 *
 * Context: Process context; takes a spinlock. mmap_lock may be held.
 * Return: the entry, with one more reference, or NULL.
 */
struct xalloc_handle *xalloc_handle_get_pages(struct xalloc_handles *t, u32 id,
					      int *err)
{
	struct xalloc_handle *h;

	xa_lock(&t->xa);
	h = xa_load(&t->xa, id);
	if (!h) {
		*err = -ENOENT;
	} else if (h->kind != XALLOC_HANDLE_PAGES) {
		/* May be freed once the lock is dropped: not to be touched. */
		*err = -ENODEV;
		h = NULL;
	} else {
		refcount_inc(&h->refs);
	}
	xa_unlock(&t->xa);
	return h;
}

/*
 * Flags the kernel sets on a page it unmaps from user space (zap_pte_range():
 * dirty, referenced and, on a second access, workingset) mean nothing to
 * the zone: clear them, so that the next user gets pages as from the
 * page allocator.
 */
static void xalloc_handle_pages_clean(struct page *page, unsigned int order)
{
	/* Each page is a folio of its own (split_page() at carve time). */
	for (unsigned long i = 0; i < 1UL << order; i++) {
		struct folio *folio = page_folio(page + i);

		folio_clear_dirty(folio);
		folio_clear_referenced(folio);
		folio_clear_workingset(folio);
	}
}

/**
 * xalloc_handle_put_pages() - drop a reference to an erased or mapped block
 * @h: a page block entry
 *
 * With the last reference the block goes back to the zone and @h is freed.
 * By then no page table maps the block: the kernel calls a VMA's close only
 * after it has zapped the VMA's pages and dropped their references, so the
 * pages are back to xalloc's count of 1 and the free is an ordinary one.
 * A page someone pinned (get_user_pages() on the mapping) and still holds
 * makes it the reported free of a held block (xalloc_free_pages()).
 *
 * Context: Process context.
 */
void xalloc_handle_put_pages(struct xalloc_handle *h)
{
	struct page *page = virt_to_page(h->ptr);

	if (!refcount_dec_and_test(&h->refs))
		return;
	xalloc_handle_pages_clean(page, h->order);
	xalloc_free_pages(page, h->order);
	kfree(h);
}

/* Free every entry of @kinds; objects and blocks before their caches. */
static void xalloc_handles_free_kinds(struct xalloc_handles *t,
				      unsigned int kinds)
{
	struct xalloc_handle *h;
	unsigned long id;

	lockdep_assert_held(&t->lock);
	xa_for_each(&t->xa, id, h) {
		if (!(h->kind & kinds))
			continue;
		xalloc_handle_erase_locked(t, h);
		xalloc_handle_free(h);
		cond_resched();
	}
}

/**
 * xalloc_handles_release() - free everything a closing file holds
 * @t: the table; empty and unusable afterwards
 *
 * Frees every object and page block first, waits for the objects freed
 * with XALLOC_FREE_RCU, then destroys the caches, which are empty by then:
 * the caches' and the zone's counters are back where they were before the
 * file took anything.
 *
 * Context: Process context; may sleep.
 */
void xalloc_handles_release(struct xalloc_handles *t)
{
	mutex_lock(&t->lock);
	xalloc_handles_free_kinds(t, XALLOC_HANDLE_OBJECT | XALLOC_HANDLE_PAGES);
	/* kmalloc objects freed through RCU are back too when close returns. */
	if (t->rcu_frees)
		xalloc_rcu_barrier();
	xalloc_handles_free_kinds(t, XALLOC_HANDLE_CACHE);
	WARN_ON_ONCE(t->nr_handles || t->nr_caches || t->bytes);
	mutex_unlock(&t->lock);
	xa_destroy(&t->xa);
	mutex_destroy(&t->lock);
}
