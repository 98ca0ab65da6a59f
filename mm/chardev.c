// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/xalloc: a misc device through which a privileged process creates
 * caches, allocates objects and page blocks, reads and writes them, reads
 * the counters and runs benchmarks, with the ioctls of
 * include/uapi/linux/xalloc.h (documented in Documentation/ioctl.rst).
 *
 * What a file allocates is named by handles of its own table (mm/handles.c),
 * never by kernel addresses; closing the file frees all of it. Each command
 * has one helper below, which checks in this order: the capability (in
 * xalloc_dev_ioctl()), the copy of the argument, its values, then the
 * handles and limits under the table lock. A command that fails changes
 * nothing: OBJ_WRITE copies the user's bytes to a bounce buffer first, so
 * that a buffer that faults half-way leaves the object as it was. Whatever
 * the device hands out is cleared first (see xalloc_dev_gfp()).
 *
 * Lock order (outer first):
 *   1. t->lock			the handle table of one open file
 *   2. mmap_lock		faults while copying to or from user space
 *   2. xalloc_caches_mutex	and the other locks of mm/slub.c, mm/buddy.c
 */

#include <linux/capability.h>
#include <linux/err.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include <uapi/linux/xalloc.h>

#include "chardev.h"
#include "compat.h"
#include "handles.h"
#include "slab.h"
#include "zone.h"

#define XALLOC_FEATURES		(XALLOC_FEAT_CACHES | XALLOC_FEAT_KMALLOC | \
				 XALLOC_FEAT_PAGES | XALLOC_FEAT_BULK | \
				 XALLOC_FEAT_STATS | XALLOC_FEAT_BENCH | \
				 XALLOC_FEAT_RCU | XALLOC_FEAT_MMAP)
#define XALLOC_CACHE_CREATE_FLAGS (XALLOC_CACHE_HWCACHE_ALIGN | \
				   XALLOC_CACHE_TYPESAFE_BY_RCU)
#define XALLOC_FREE_FLAGS	(XALLOC_OBJ_BULK | XALLOC_FREE_RCU)
#define XALLOC_OBJ_FLAGS	(XALLOC_OBJ_ZERO | XALLOC_OBJ_NODE | XALLOC_OBJ_BULK)
#define XALLOC_PAGES_FLAGS	(XALLOC_OBJ_ZERO | XALLOC_OBJ_NODE)

/* ---- Argument checks ---------------------------------------------------- */

static bool xalloc_dev_name_char_ok(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
}

/* A cache name: [A-Za-z0-9._-]+, NUL-terminated, zero bytes after the NUL. */
static bool xalloc_dev_name_ok(const char name[XALLOC_NAME_LEN])
{
	size_t len = strnlen(name, XALLOC_NAME_LEN), i;

	if (!len || len == XALLOC_NAME_LEN)
		return false;
	for (i = 0; i < len; i++)
		if (!xalloc_dev_name_char_ok(name[i]))
			return false;
	for (i = len + 1; i < XALLOC_NAME_LEN; i++)
		if (name[i])
			return false;
	return true;
}

/* @node is -1 or a node with a zone; XALLOC_OBJ_NODE needs a node. */
static bool xalloc_dev_node_ok(s32 node, u32 flags)
{
	if (node == NUMA_NO_NODE)
		return !(flags & XALLOC_OBJ_NODE);
	return xalloc_zone_of(node);
}

/*
 * Every allocation for user space is cleared, XALLOC_OBJ_ZERO or not: what
 * the previous user of the memory left there (kernel data, a free pointer)
 * must never reach user space. The flag stays in the ABI; it changes nothing.
 */
static gfp_t xalloc_dev_gfp(u32 flags)
{
	gfp_t gfp = GFP_KERNEL | __GFP_ZERO;

	if (flags & XALLOC_OBJ_NODE)
		gfp |= __GFP_THISNODE;
	return gfp;
}

/* ---- Caches by name ----------------------------------------------------- */

/*
 * Whether a cache, live or destroyed with objects left, is called @name.
 * xalloc_cache_lookup() does not see the destroyed ones, whose names
 * xalloc_cache_create() still refuses.
 */
static bool xalloc_dev_name_in_use(const char *name)
{
	bool found;

	mutex_lock(&xalloc_caches_mutex);
	found = xalloc_find_cache_locked(name);
	mutex_unlock(&xalloc_caches_mutex);
	return found;
}

static void xalloc_dev_stats_fill(struct xalloc_cache *s,
				  struct xalloc_cache_stats *st)
{
	struct xalloc_cache_counts cnt;
	int i;

	BUILD_BUG_ON(NR_XALLOC_STATS > XALLOC_NR_STATS);
	memset(st->stat, 0, sizeof(st->stat));
	strscpy_pad(st->name, s->name, sizeof(st->name));
	st->object_size = s->object_size;
	st->size = s->size;
	st->objs_per_slab = oo_objects(s->oo);
	st->order = oo_order(s->oo);
	xalloc_cache_counts(s, &cnt);
	st->active_objs = cnt.active_objs;
	st->num_objs = cnt.num_objs;
	st->num_slabs = cnt.num_slabs;
	st->slab_pages = cnt.num_pages;
	st->nr_stats = NR_XALLOC_STATS;
	for (i = 0; i < NR_XALLOC_STATS; i++)
		st->stat[i] = xalloc_cache_stat(s, i);
}

/*
 * Fill @st from the live cache called @st->name, any cache of xalloc. The
 * list lock is held throughout: unlike the pointer xalloc_cache_lookup()
 * returns, a cache on the list cannot be freed meanwhile by its owner.
 */
static bool xalloc_dev_stats_by_name(struct xalloc_cache_stats *st)
{
	struct xalloc_cache *s;
	bool found;

	mutex_lock(&xalloc_caches_mutex);
	s = xalloc_find_cache_locked(st->name);
	found = s && !s->dead;
	if (found)
		xalloc_dev_stats_fill(s, st);
	mutex_unlock(&xalloc_caches_mutex);
	return found;
}

/* ---- Objects ------------------------------------------------------------ */

/* Free @n objects of @s, or of kmalloc if @s is NULL. */
static void xalloc_dev_objs_free(struct xalloc_cache *s, unsigned int n,
				 void **objs)
{
	if (s) {
		xalloc_cache_free_bulk(s, n, objs);
		return;
	}
	while (n--)
		xalloc_kfree(objs[n]);
}

/* Allocate @n objects of @s, or of kmalloc if @s is NULL: all or none. */
static int xalloc_dev_objs_alloc(struct xalloc_cache *s, u32 size, s32 node,
				 u32 flags, unsigned int n, void **objs)
{
	gfp_t gfp = xalloc_dev_gfp(flags);
	unsigned int i;

	if (s && (flags & XALLOC_OBJ_BULK))
		return xalloc_cache_alloc_bulk(s, gfp, n, objs) ? 0 : -ENOMEM;
	for (i = 0; i < n; i++) {
		if (s)
			objs[i] = xalloc_cache_alloc_node(s, gfp, node);
		else
			objs[i] = xalloc_kmalloc_node(size, gfp, node);
		if (!objs[i]) {
			xalloc_dev_objs_free(s, i, objs);
			return -ENOMEM;
		}
	}
	return 0;
}

/* Erase the entries @hs[0..@n) and free their objects after a grace period. */
static void xalloc_dev_free_entries_rcu(struct xalloc_handles *t,
					struct xalloc_handle **hs, unsigned int n)
{
	lockdep_assert_held(&t->lock);
	t->rcu_frees = true;
	for (unsigned int i = 0; i < n; i++) {
		struct xalloc_handle *h = hs[i];

		xalloc_handle_erase_locked(t, h);
		if (h->kind != XALLOC_HANDLE_OBJECT) {
			xalloc_handle_free(h);
			continue;
		}
		if (h->cache)
			xalloc_cache_free_rcu_mightsleep(h->cache->s, h->ptr);
		else
			xalloc_kfree_rcu_mightsleep(h->ptr);
		kfree(h);
	}
}

/*
 * Erase and free the entries @hs[0..@n), selected by xalloc_ioc_free(). With
 * @objs, runs of objects of one cache go back with xalloc_cache_free_bulk().
 */
static void xalloc_dev_free_entries(struct xalloc_handles *t,
				    struct xalloc_handle **hs, unsigned int n,
				    void **objs)
{
	unsigned int i = 0, nr;

	lockdep_assert_held(&t->lock);
	while (i < n) {
		struct xalloc_handle *cache = hs[i]->cache;

		if (!objs || !cache) {
			xalloc_handle_erase_locked(t, hs[i]);
			xalloc_handle_free(hs[i]);
			i++;
			continue;
		}
		for (nr = 0; i < n && hs[i]->cache == cache; i++, nr++) {
			objs[nr] = hs[i]->ptr;
			xalloc_handle_erase_locked(t, hs[i]);
			kfree(hs[i]);
		}
		xalloc_cache_free_bulk(cache->s, nr, objs);
	}
}

/* ---- Commands ----------------------------------------------------------- */

static int xalloc_ioc_version(void __user *argp)
{
	struct xalloc_version v = {
		.abi_version = XALLOC_ABI_VERSION,
		.features = XALLOC_FEATURES,
	};

	return copy_to_user(argp, &v, sizeof(v)) ? -EFAULT : 0;
}

static int xalloc_ioc_cache_create(struct xalloc_handles *t, void __user *argp)
{
	struct xalloc_cache_create c;
	struct xalloc_handle *h;
	struct xalloc_cache *s;
	int ret;

	BUILD_BUG_ON(XALLOC_CACHE_NAME_MAX + 1 != XALLOC_NAME_LEN);
	BUILD_BUG_ON(XALLOC_MAX_OBJECT_SIZE > (PAGE_SIZE << XALLOC_MAX_ORDER) / 2);
	if (copy_from_user(&c, argp, sizeof(c)))
		return -EFAULT;
	if (!xalloc_dev_name_ok(c.name) || !c.size ||
	    c.size > XALLOC_MAX_OBJECT_SIZE ||
	    (c.align && (!is_power_of_2(c.align) || c.align > 4096)) ||
	    (c.flags & ~XALLOC_CACHE_CREATE_FLAGS))
		return -EINVAL;

	h = kzalloc(sizeof(*h), GFP_KERNEL_ACCOUNT);
	if (!h)
		return -ENOMEM;
	if (mutex_lock_killable(&t->lock)) {
		kfree(h);
		return -EINTR;
	}
	ret = xalloc_handles_reserve_cache_locked(t);
	if (ret)
		goto err_unlock;
	/*
	 * What the cache itself takes is charged to the caller's cgroup. No
	 * sheaves: an ioctl per object gains nothing from them, and user space
	 * reads its frees back in the cache's counts at once.
	 */
	s = xalloc_cache_create_aligned(c.name, c.size, c.align,
					XALLOC_NO_SHEAVES |
					(c.flags & XALLOC_CACHE_HWCACHE_ALIGN ?
					 XALLOC_HWCACHE_ALIGN : 0) |
					(c.flags & XALLOC_CACHE_TYPESAFE_BY_RCU ?
					 XALLOC_TYPESAFE_BY_RCU : 0),
					NULL, GFP_KERNEL_ACCOUNT);
	if (!s) {
		/* Arguments are valid: another cache took the name, or no memory. */
		ret = xalloc_dev_name_in_use(c.name) ? -EEXIST : -ENOMEM;
		goto err_unlock;
	}
	h->kind = XALLOC_HANDLE_CACHE;
	h->s = s;
	ret = xalloc_handle_insert_locked(t, h);
	if (ret)
		goto err_destroy;
	c.handle = h->id;
	if (copy_to_user(argp, &c, sizeof(c))) {
		ret = -EFAULT;
		xalloc_handle_erase_locked(t, h);
		goto err_destroy;
	}
	mutex_unlock(&t->lock);
	return 0;

err_destroy:
	xalloc_cache_destroy(s);
err_unlock:
	mutex_unlock(&t->lock);
	kfree(h);
	return ret;
}

static int xalloc_ioc_cache_destroy(struct xalloc_handles *t, void __user *argp)
{
	struct xalloc_cache_destroy d;
	struct xalloc_handle *h;
	int ret = 0;

	if (copy_from_user(&d, argp, sizeof(d)))
		return -EFAULT;
	if (d.pad)
		return -EINVAL;

	if (mutex_lock_killable(&t->lock))
		return -EINTR;
	h = xalloc_handle_find_locked(t, d.handle, XALLOC_HANDLE_CACHE);
	if (!h) {
		ret = -ENOENT;
	} else if (h->nr_objects) {
		ret = -EBUSY;
	} else {
		xalloc_handle_erase_locked(t, h);
		xalloc_handle_free(h);
	}
	mutex_unlock(&t->lock);
	return ret;
}

static int xalloc_ioc_obj_alloc(struct xalloc_handles *t, void __user *argp)
{
	struct xalloc_handle **hs = NULL, *cache = NULL;
	struct xalloc_cache *s = NULL;
	struct xalloc_obj_alloc a;
	unsigned int i, inserted = 0;
	void **objs = NULL;
	u32 *ids = NULL;
	size_t size;
	int ret;

	BUILD_BUG_ON((PAGE_SIZE << XALLOC_MAX_ORDER) < XALLOC_MAX_KMALLOC);
	if (copy_from_user(&a, argp, sizeof(a)))
		return -EFAULT;
	if (a.pad || (a.flags & ~XALLOC_OBJ_FLAGS) || !a.count ||
	    a.count > XALLOC_MAX_BATCH ||
	    (a.cache && a.size) ||
	    (!a.cache && (!a.size || a.size > XALLOC_MAX_KMALLOC)) ||
	    !xalloc_dev_node_ok(a.node, a.flags) ||
	    ((a.flags & XALLOC_OBJ_BULK) && a.node != NUMA_NO_NODE))
		return -EINVAL;

	ret = -ENOMEM;
	hs = kcalloc(a.count, sizeof(*hs), GFP_KERNEL);
	objs = kcalloc(a.count, sizeof(*objs), GFP_KERNEL);
	ids = kcalloc(a.count, sizeof(*ids), GFP_KERNEL);
	if (!hs || !objs || !ids)
		goto out_free;
	for (i = 0; i < a.count; i++) {
		hs[i] = kzalloc(sizeof(*hs[i]), GFP_KERNEL_ACCOUNT);
		if (!hs[i])
			goto out_free;
	}

	ret = -EINTR;
	if (mutex_lock_killable(&t->lock))
		goto out_free;
	if (a.cache) {
		cache = xalloc_handle_find_locked(t, a.cache, XALLOC_HANDLE_CACHE);
		if (!cache) {
			ret = -ENOENT;
			goto out_unlock;
		}
		s = cache->s;
		size = s->object_size;
	} else {
		size = a.size;
	}
	ret = xalloc_handles_reserve_locked(t, a.count, (u64)a.count * size);
	if (ret)
		goto out_unlock;
	ret = xalloc_dev_objs_alloc(s, a.size, a.node, a.flags, a.count, objs);
	if (ret)
		goto out_unlock;
	for (i = 0; i < a.count; i++) {
		hs[i]->kind = XALLOC_HANDLE_OBJECT;
		hs[i]->ptr = objs[i];
		hs[i]->size = size;
		hs[i]->cache = cache;
		ret = xalloc_handle_insert_locked(t, hs[i]);
		if (ret)
			goto out_erase;
		ids[i] = hs[i]->id;
		inserted++;
	}
	if (copy_to_user(u64_to_user_ptr(a.handles), ids,
			 a.count * sizeof(*ids))) {
		ret = -EFAULT;
		goto out_erase;
	}
	mutex_unlock(&t->lock);
	/* The table owns the entries now. */
	kfree(hs);
	hs = NULL;
	goto out_free;

out_erase:
	while (inserted--)
		xalloc_handle_erase_locked(t, hs[inserted]);
	xalloc_dev_objs_free(s, a.count, objs);
out_unlock:
	mutex_unlock(&t->lock);
out_free:
	for (i = 0; hs && i < a.count; i++)
		kfree(hs[i]);
	kfree(hs);
	kfree(objs);
	kfree(ids);
	return ret;
}

static int xalloc_ioc_free(struct xalloc_handles *t, void __user *argp)
{
	struct xalloc_handle **hs;
	struct xalloc_free f;
	void **objs = NULL;
	unsigned int i;
	u32 *ids;
	int ret = 0;

	if (copy_from_user(&f, argp, sizeof(f)))
		return -EFAULT;
	if ((f.flags & ~XALLOC_FREE_FLAGS) || !f.count ||
	    f.count > XALLOC_MAX_BATCH)
		return -EINVAL;
	ids = memdup_array_user(u64_to_user_ptr(f.handles), f.count,
				sizeof(*ids));
	if (IS_ERR(ids))
		return PTR_ERR(ids);
	hs = kcalloc(f.count, sizeof(*hs), GFP_KERNEL);
	if (f.flags & XALLOC_OBJ_BULK)
		objs = kcalloc(f.count, sizeof(*objs), GFP_KERNEL);
	if (!hs || (!objs && (f.flags & XALLOC_OBJ_BULK))) {
		ret = -ENOMEM;
		goto out_free;
	}

	if (mutex_lock_killable(&t->lock)) {
		ret = -EINTR;
		goto out_free;
	}
	for (i = 0; i < f.count; i++) {
		hs[i] = xalloc_handle_find_locked(t, ids[i], XALLOC_HANDLE_OBJECT |
						  XALLOC_HANDLE_PAGES);
		if (!hs[i]) {
			ret = -ENOENT;
			break;
		}
		if (hs[i]->selected) {
			ret = -EINVAL;
			break;
		}
		hs[i]->selected = true;
	}
	if (ret) {
		while (i--)
			hs[i]->selected = false;
	} else if (f.flags & XALLOC_FREE_RCU) {
		xalloc_dev_free_entries_rcu(t, hs, f.count);
	} else {
		xalloc_dev_free_entries(t, hs, f.count, objs);
	}
	mutex_unlock(&t->lock);

out_free:
	kfree(objs);
	kfree(hs);
	kfree(ids);
	return ret;
}

static int xalloc_ioc_obj_io(struct xalloc_handles *t, void __user *argp,
			     bool write)
{
	struct xalloc_obj_io io;
	struct xalloc_handle *h;
	void __user *buf;
	int ret = 0;

	if (copy_from_user(&io, argp, sizeof(io)))
		return -EFAULT;
	if (io.pad)
		return -EINVAL;
	buf = u64_to_user_ptr(io.buf);

	if (mutex_lock_killable(&t->lock))
		return -EINTR;
	h = xalloc_handle_find_locked(t, io.handle, XALLOC_HANDLE_OBJECT |
				      XALLOC_HANDLE_PAGES);
	if (!h) {
		ret = -ENOENT;
		goto out_unlock;
	}
	/* Both at most 4 MiB, the largest object or block, once checked. */
	if (io.offset > h->size || io.len > h->size - io.offset) {
		ret = -EINVAL;
		goto out_unlock;
	}
	if (write) {
		void *bounce = vmemdup_user(buf, io.len);

		if (IS_ERR(bounce)) {
			ret = PTR_ERR(bounce);
			goto out_unlock;
		}
		memcpy(h->ptr + io.offset, bounce, io.len);
		kvfree(bounce);
	} else if (copy_to_user(buf, h->ptr + io.offset, io.len)) {
		ret = -EFAULT;
	}
out_unlock:
	mutex_unlock(&t->lock);
	return ret;
}

static int xalloc_ioc_pages_alloc(struct xalloc_handles *t, void __user *argp)
{
	struct xalloc_pages_alloc p;
	struct xalloc_handle *h;
	struct page *page;
	int ret;

	if (copy_from_user(&p, argp, sizeof(p)))
		return -EFAULT;
	if ((p.flags & ~XALLOC_PAGES_FLAGS) || p.order > XALLOC_MAX_ORDER ||
	    !xalloc_dev_node_ok(p.node, p.flags))
		return -EINVAL;

	h = kzalloc(sizeof(*h), GFP_KERNEL_ACCOUNT);
	if (!h)
		return -ENOMEM;
	h->kind = XALLOC_HANDLE_PAGES;
	h->order = p.order;
	h->size = PAGE_SIZE << p.order;

	if (mutex_lock_killable(&t->lock)) {
		kfree(h);
		return -EINTR;
	}
	ret = xalloc_handles_reserve_locked(t, 1, h->size);
	if (ret)
		goto err_unlock;
	page = xalloc_alloc_pages_node(p.node, xalloc_dev_gfp(p.flags), p.order);
	if (!page) {
		ret = -ENOMEM;
		goto err_unlock;
	}
	h->ptr = page_address(page);
	refcount_set(&h->refs, 1);
	ret = xalloc_handle_insert_locked(t, h);
	if (ret)
		goto err_free_pages;
	p.handle = h->id;
	if (copy_to_user(argp, &p, sizeof(p))) {
		/* Visible meanwhile: mmap() may have mapped it. */
		xalloc_handle_erase_locked(t, h);
		mutex_unlock(&t->lock);
		xalloc_handle_free(h);
		return -EFAULT;
	}
	mutex_unlock(&t->lock);
	return 0;

err_free_pages:
	xalloc_free_pages(page, p.order);
err_unlock:
	mutex_unlock(&t->lock);
	kfree(h);
	return ret;
}

static int xalloc_ioc_cache_stats(struct xalloc_handles *t, void __user *argp)
{
	struct xalloc_cache_stats st;
	struct xalloc_handle *h;
	int ret = 0;

	if (copy_from_user(&st, argp, sizeof(st)))
		return -EFAULT;
	if (st.pad)
		return -EINVAL;
	if (!st.cache) {
		if (!xalloc_dev_name_ok(st.name))
			return -EINVAL;
		if (!xalloc_dev_stats_by_name(&st))
			return -ENOENT;
	} else {
		if (mutex_lock_killable(&t->lock))
			return -EINTR;
		h = xalloc_handle_find_locked(t, st.cache, XALLOC_HANDLE_CACHE);
		if (h)
			xalloc_dev_stats_fill(h->s, &st);
		else
			ret = -ENOENT;
		mutex_unlock(&t->lock);
		if (ret)
			return ret;
	}
	return copy_to_user(argp, &st, sizeof(st)) ? -EFAULT : 0;
}

static int xalloc_ioc_zone_stats(void __user *argp)
{
	struct xalloc_zone_info info;
	struct xalloc_zone_stats zs;
	unsigned int o;

	BUILD_BUG_ON(XALLOC_NR_ORDERS > XALLOC_NR_ORDERS_MAX);
	if (copy_from_user(&zs, argp, sizeof(zs)))
		return -EFAULT;
	if (!xalloc_zone_info(zs.node, &info))
		return -EINVAL;
	memset(&zs, 0, sizeof(zs));
	zs.node = info.nid;
	zs.nr_orders = XALLOC_NR_ORDERS;
	zs.chunks = info.nr_chunks;
	zs.present_pages = info.present_pages;
	zs.free_pages = info.free_pages;
	zs.pcp_pages = info.pcp_pages;
	for (o = 0; o < XALLOC_NR_ORDERS; o++)
		zs.nr_free[o] = info.nr_free[o];
	zs.nr_alloc = info.nr_alloc;
	zs.nr_freed = info.nr_freed;
	zs.nr_split = info.nr_split;
	zs.nr_merge = info.nr_merge;
	zs.nr_failed = info.nr_failed;
	return copy_to_user(argp, &zs, sizeof(zs)) ? -EFAULT : 0;
}

static int xalloc_ioc_bench(void __user *argp)
{
	struct xalloc_bench b;
	int ret;

	if (copy_from_user(&b, argp, sizeof(b)))
		return -EFAULT;
	ret = xalloc_dev_bench(&b);
	if (ret)
		return ret;
	return copy_to_user(argp, &b, sizeof(b)) ? -EFAULT : 0;
}

/* ---- Mappings ----------------------------------------------------------- */

/*
 * Each VMA mapping a block holds a reference to its entry: taken in mmap()
 * or, for a copy of the VMA (fork, a split by munmap() or mprotect(), a
 * move by mremap()), in .open; dropped in .close, which the kernel calls
 * after it has unmapped the VMA's pages.
 */
static void xalloc_dev_vm_open(struct vm_area_struct *vma)
{
	struct xalloc_handle *h = vma->vm_private_data;

	refcount_inc(&h->refs);
}

static void xalloc_dev_vm_close(struct vm_area_struct *vma)
{
	xalloc_handle_put_pages(vma->vm_private_data);
}

static const struct vm_operations_struct xalloc_dev_vm_ops = {
	.open	= xalloc_dev_vm_open,
	.close	= xalloc_dev_vm_close,
};

/*
 * mmap() of a page block: the offset is the handle times the page size, the
 * mapping shared and at most the block long; it starts at the block's first
 * page. Called with mmap_lock held for writing, so the handle is looked up
 * without the table lock (see the lock order).
 */
static int xalloc_dev_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct xalloc_handles *t = file->private_data;
	unsigned long i, nr = vma_pages(vma);
	struct xalloc_handle *h;
	struct page *page;
	int ret;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	/* A private mapping would copy xalloc's pages on write: not offered. */
	if (!(vma->vm_flags & VM_MAYSHARE))
		return -EINVAL;
	if (vma->vm_pgoff > XALLOC_MAX_HANDLES)
		return -ENOENT;
	h = xalloc_handle_get_pages(t, vma->vm_pgoff, &ret);
	if (!h)
		return ret;
	if (nr > 1UL << h->order) {
		ret = -EINVAL;
		goto err_put;
	}
	/* No growth by mremap(), nothing of it in a core dump. */
	xalloc_vm_flags_set(vma, VM_DONTEXPAND | VM_DONTDUMP);
	page = virt_to_page(h->ptr);
	for (i = 0; i < nr; i++) {
		ret = vm_insert_page(vma, vma->vm_start + i * PAGE_SIZE, page + i);
		if (ret)
			goto err_put;
	}
	vma->vm_private_data = h;
	vma->vm_ops = &xalloc_dev_vm_ops;
	return 0;

err_put:
	/*
	 * The kernel unmaps the pages inserted so far after this returns,
	 * without .close. Ours is not the last reference unless the handle
	 * was freed meanwhile; if it is, the block is the reported free of a
	 * held block, given to the kernel when those pages are unmapped.
	 */
	xalloc_handle_put_pages(h);
	return ret;
}

/* ---- The device --------------------------------------------------------- */

static long xalloc_dev_ioctl(struct file *file, unsigned int cmd,
			     unsigned long arg)
{
	struct xalloc_handles *t = file->private_data;
	void __user *argp = (void __user *)arg;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	switch (cmd) {
	case XALLOC_IOC_VERSION:
		return xalloc_ioc_version(argp);
	case XALLOC_IOC_CACHE_CREATE:
		return xalloc_ioc_cache_create(t, argp);
	case XALLOC_IOC_CACHE_DESTROY:
		return xalloc_ioc_cache_destroy(t, argp);
	case XALLOC_IOC_OBJ_ALLOC:
		return xalloc_ioc_obj_alloc(t, argp);
	case XALLOC_IOC_FREE:
		return xalloc_ioc_free(t, argp);
	case XALLOC_IOC_OBJ_WRITE:
		return xalloc_ioc_obj_io(t, argp, true);
	case XALLOC_IOC_OBJ_READ:
		return xalloc_ioc_obj_io(t, argp, false);
	case XALLOC_IOC_PAGES_ALLOC:
		return xalloc_ioc_pages_alloc(t, argp);
	case XALLOC_IOC_CACHE_STATS:
		return xalloc_ioc_cache_stats(t, argp);
	case XALLOC_IOC_ZONE_STATS:
		return xalloc_ioc_zone_stats(argp);
	case XALLOC_IOC_BENCH:
		return xalloc_ioc_bench(argp);
	default:
		return -ENOTTY;
	}
}

static int xalloc_dev_open(struct inode *inode, struct file *file)
{
	struct xalloc_handles *t;

	t = kzalloc(sizeof(*t), GFP_KERNEL_ACCOUNT);
	if (!t)
		return -ENOMEM;
	xalloc_handles_init(t);
	file->private_data = t;
	return nonseekable_open(inode, file);
}

static int xalloc_dev_release(struct inode *inode, struct file *file)
{
	struct xalloc_handles *t = file->private_data;

	xalloc_handles_release(t);
	kfree(t);
	return 0;
}

static const struct file_operations xalloc_dev_fops = {
	.owner		= THIS_MODULE,
	.open		= xalloc_dev_open,
	.release	= xalloc_dev_release,
	.unlocked_ioctl	= xalloc_dev_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
	.mmap		= xalloc_dev_mmap,
};

static struct miscdevice xalloc_misc = {
	.minor		= MISC_DYNAMIC_MINOR,
	.name		= "xalloc",
	.fops		= &xalloc_dev_fops,
	.mode		= 0600,
};

/**
 * xalloc_chardev_init() - register /dev/xalloc
 *
 * Call last at load: the device hands out everything xalloc has.
 *
 * Context: Process context, at module load.
 * Return: 0 or the error of misc_register().
 */
int xalloc_chardev_init(void)
{
	return misc_register(&xalloc_misc);
}

/**
 * xalloc_chardev_exit() - unregister /dev/xalloc
 *
 * No file is open: each holds a reference to the module.
 *
 * Context: Process context, at module unload.
 */
void xalloc_chardev_exit(void)
{
	misc_deregister(&xalloc_misc);
}
