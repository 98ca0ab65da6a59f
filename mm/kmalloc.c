// SPDX-License-Identifier: GPL-2.0
/*
 * kmalloc on xalloc: caches for the kernel's size classes (8 bytes to 8 KiB,
 * with 96 and 192), larger sizes straight from the zone as "large" blocks.
 * xalloc_kfree() and xalloc_ksize() find an object's slab or block through
 * the zone's page descriptors, in O(1).
 */

#include <linux/export.h>
#include <linux/kmemleak.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "kasan.h"
#include "report.h"
#include "slab.h"

#define XALLOC_KMALLOC_MAX_CACHE_SIZE	8192

static const struct {
	const char *name;
	unsigned int size;
} xalloc_kmalloc_info[] = {
	{ "kmalloc-8", 8 }, { "kmalloc-16", 16 }, { "kmalloc-32", 32 },
	{ "kmalloc-64", 64 }, { "kmalloc-96", 96 }, { "kmalloc-128", 128 },
	{ "kmalloc-192", 192 }, { "kmalloc-256", 256 }, { "kmalloc-512", 512 },
	{ "kmalloc-1k", 1024 }, { "kmalloc-2k", 2048 }, { "kmalloc-4k", 4096 },
	{ "kmalloc-8k", 8192 },
};

static struct xalloc_cache *xalloc_kmalloc_caches[ARRAY_SIZE(xalloc_kmalloc_info)];

/* Class of sizes 1..192 by (size - 1) / 8, for the two odd classes. */
static u8 xalloc_size_index[24];

static inline unsigned int xalloc_kmalloc_index(size_t size)
{
	if (size <= 192)
		return xalloc_size_index[(size - 1) / 8];
	/* 256 is class 7, doubling from there. */
	return fls(size - 1) - 1;
}

/*
 * Of an allocation of @total bytes at @p, only the first @size are valid to
 * KASAN: the rest is poisoned with @value.
 */
static inline void kasan_valid_bytes(void *p, size_t size, size_t total, u8 value)
{
	size_t valid = round_up(size, XALLOC_KASAN_GRANULE);

	if (!IS_ENABLED(CONFIG_KASAN_GENERIC))
		return;
	if (valid < total)
		xalloc_kasan_poison(p + valid, total - valid, value);
	xalloc_kasan_unpoison(p, size);
}

static void *xalloc_kmalloc_large(size_t size, gfp_t gfp, int nid)
{
	struct xalloc_page *desc;
	void *p;

	desc = xalloc_buddy_alloc(nid, gfp, get_order(size), XALLOC_PAGE_LARGE);
	if (!desc)
		return NULL;
	desc->large_size = size;
	p = xalloc_desc_address(desc);
	kasan_valid_bytes(p, size, PAGE_SIZE << desc->order, XALLOC_KASAN_PAGE_REDZONE);
	xalloc_kmemleak_alloc(p, size, gfp);
	return p;
}

/**
 * xalloc_kmalloc_post() - what an object of a kmalloc class needs after
 * allocation when its cache has a debug layout or under KASAN
 * @s: the kmalloc cache
 * @obj: the object, of @s or of its debug layout
 * @size: bytes asked for
 *
 * With red zones, the bytes past @size of a debug layout's object are
 * zoned; under KASAN only the first @size bytes are valid. Out of line:
 * xalloc_kmalloc_alloc() calls it only then.
 *
 * Context: Any context.
 */
void xalloc_kmalloc_post(struct xalloc_cache *s, void *obj, size_t size)
{
	if (unlikely(rcu_access_pointer(s->layout))) {
		struct xalloc_page *slab = xalloc_addr_desc(obj);

		if (slab->type == XALLOC_PAGE_SLAB_TAIL)
			slab = slab->head;
		if (xalloc_cache_debug(slab->cache))
			xalloc_debug_set_orig_size(slab->cache, obj, size);
	}
	kasan_valid_bytes(obj, size, s->object_size, XALLOC_KASAN_SLAB_REDZONE);
}

/* Size to class as the kernel's, then the cache's path, as a tail call. */
static __always_inline void *kmalloc_caller(size_t size, gfp_t gfp, int nid,
					    unsigned long addr)
{
	if (unlikely(!size))
		return ZERO_SIZE_PTR;
	if (unlikely(size > XALLOC_KMALLOC_MAX_CACHE_SIZE))
		return xalloc_kmalloc_large(size, gfp, nid);
	return xalloc_kmalloc_alloc(xalloc_kmalloc_caches[xalloc_kmalloc_index(size)],
				    size, gfp, nid, addr);
}

/**
 * xalloc_kmalloc_node() - allocate memory, preferring a node
 * @size: bytes; 0 gives ZERO_SIZE_PTR
 * @gfp: allocation flags; __GFP_ZERO clears the memory
 * @nid: preferred node, or NUMA_NO_NODE
 *
 * Sizes up to 8 KiB come from the kmalloc caches, larger ones from the zone.
 *
 * Context: Any context with a suitable @gfp.
 * Return: the memory, ZERO_SIZE_PTR, or NULL.
 */
void *xalloc_kmalloc_node(size_t size, gfp_t gfp, int nid)
{
	return kmalloc_caller(size, gfp, nid, _RET_IP_);
}
EXPORT_SYMBOL_GPL(xalloc_kmalloc_node);

/**
 * xalloc_kmalloc() - allocate memory
 * @size: bytes; 0 gives ZERO_SIZE_PTR
 * @gfp: allocation flags
 *
 * Context: Any context with a suitable @gfp.
 * Return: the memory, ZERO_SIZE_PTR, or NULL.
 */
void *xalloc_kmalloc(size_t size, gfp_t gfp)
{
	return kmalloc_caller(size, gfp, NUMA_NO_NODE, _RET_IP_);
}
EXPORT_SYMBOL_GPL(xalloc_kmalloc);

/**
 * xalloc_kzalloc() - allocate zeroed memory
 * @size: bytes; 0 gives ZERO_SIZE_PTR
 * @gfp: allocation flags
 *
 * Context: Any context with a suitable @gfp.
 * Return: the memory, ZERO_SIZE_PTR, or NULL.
 */
void *xalloc_kzalloc(size_t size, gfp_t gfp)
{
	return kmalloc_caller(size, gfp | __GFP_ZERO, NUMA_NO_NODE, _RET_IP_);
}
EXPORT_SYMBOL_GPL(xalloc_kzalloc);

/**
 * xalloc_kmalloc_desc() - the block or slab of memory being freed
 * @p: from xalloc_kmalloc() or an xalloc cache
 *
 * Context: Any context.
 * Return: the descriptor of a large block that @p starts, the slab @p is an
 * object of, or NULL after a report.
 */
struct xalloc_page *xalloc_kmalloc_desc(const void *p)
{
	struct xalloc_page *desc = xalloc_addr_desc(p);

	if (desc && desc->type == XALLOC_PAGE_LARGE) {
		if (unlikely(p != xalloc_desc_address(desc))) {
			xalloc_report("kmalloc", p, "address inside a large block");
			return NULL;
		}
		return desc;
	}
	return xalloc_object_slab("kmalloc", p, desc);
}

/**
 * xalloc_kfree_other() - the rest of xalloc_kfree(), out of line
 * @p: the memory, not an object at a boundary of a slab
 *
 * A large block that @p starts is freed; anything else is reported (an
 * address outside the zone, not in a slab, inside an object or inside a
 * large block) and left alone.
 *
 * Context: Any context.
 */
void xalloc_kfree_other(const void *p)
{
	struct xalloc_page *desc = xalloc_addr_desc(p);

	if (desc && desc->type == XALLOC_PAGE_LARGE) {
		if (unlikely(p != xalloc_desc_address(desc))) {
			xalloc_report("kmalloc", p, "address inside a large block");
			return;
		}
		kmemleak_free(p);
		xalloc_buddy_free(desc, desc->order, XALLOC_PAGE_LARGE);
		return;
	}
	xalloc_object_slab_bad("kmalloc", p, desc);
}

/* Usable size of @p, 0 after a report; KASAN's view is left alone. */
static size_t __xalloc_ksize(const void *p)
{
	struct xalloc_page *desc;

	if (unlikely(ZERO_OR_NULL_PTR(p)))
		return 0;
	desc = xalloc_kmalloc_desc(p);
	if (unlikely(!desc))
		return 0;
	if (desc->type == XALLOC_PAGE_LARGE)
		return PAGE_SIZE << desc->order;
	if (unlikely(xalloc_cache_debug(desc->cache)))
		return xalloc_debug_orig_size(desc->cache, (void *)p);
	return desc->cache->object_size;
}

/**
 * xalloc_ksize() - usable size of an allocation
 * @p: memory from xalloc_kmalloc() or an xalloc cache
 *
 * As the kernel's ksize() in 6.1, the caller may use all of it: under KASAN
 * the bytes up to the size returned become valid.
 *
 * Context: Any context.
 * Return: at least the size asked for; 0 for NULL, ZERO_SIZE_PTR or (with
 * a report) an address xalloc did not hand out.
 */
size_t xalloc_ksize(const void *p)
{
	size_t ks = __xalloc_ksize(p);

	if (ks)
		xalloc_kasan_unpoison(p, ks);
	return ks;
}
EXPORT_SYMBOL_GPL(xalloc_ksize);

/*
 * @p of usable size @ks kept for @new_size bytes: with red zones, the bytes
 * given up are zoned too; under KASAN they are poisoned; with __GFP_ZERO or
 * init_on_alloc they are zeroed, so that growing in place later finds zeros.
 */
static void xalloc_krealloc_in_place(void *p, size_t new_size, size_t ks, gfp_t gfp)
{
	struct xalloc_page *desc = xalloc_addr_desc(p);
	bool large = desc->type == XALLOC_PAGE_LARGE;

	if (want_init_on_alloc(gfp))
		memset(p + new_size, 0, ks - new_size);
	if (desc->type == XALLOC_PAGE_SLAB_TAIL)
		desc = desc->head;
	if (desc->type == XALLOC_PAGE_SLAB && xalloc_cache_debug(desc->cache))
		xalloc_debug_set_orig_size(desc->cache, p, new_size);
	if (large)
		desc->large_size = new_size;
	kasan_valid_bytes(p, new_size, ks, large ? XALLOC_KASAN_PAGE_REDZONE :
			  XALLOC_KASAN_SLAB_REDZONE);
}

/**
 * xalloc_krealloc() - resize an allocation, keeping its contents
 * @p: memory from xalloc_kmalloc(), or NULL
 * @new_size: bytes; 0 frees @p and gives ZERO_SIZE_PTR
 * @gfp: allocation flags; with __GFP_ZERO a grown block's new bytes are 0
 *
 * Context: Any context with a suitable @gfp.
 * Return: @p if it is large enough, else new memory holding @p's contents
 * (and @p freed), or NULL with @p untouched.
 */
void *xalloc_krealloc(const void *p, size_t new_size, gfp_t gfp)
{
	size_t ks = 0;
	void *ret;

	if (unlikely(!new_size)) {
		xalloc_kfree(p);
		return ZERO_SIZE_PTR;
	}
	if (!ZERO_OR_NULL_PTR(p)) {
		ks = __xalloc_ksize(p);
		if (unlikely(!ks))
			return NULL;
		if (ks >= new_size) {
			xalloc_krealloc_in_place((void *)p, new_size, ks, gfp);
			return (void *)p;
		}
	}
	ret = kmalloc_caller(new_size, gfp, NUMA_NO_NODE, _RET_IP_);
	if (ret && ks) {
		memcpy(ret, p, ks);
		xalloc_kfree(p);
	}
	return ret;
}
EXPORT_SYMBOL_GPL(xalloc_krealloc);

/**
 * xalloc_kmalloc_init() - create the kmalloc caches
 *
 * Context: Process context, at module load.
 * Return: 0 or -ENOMEM.
 */
int xalloc_kmalloc_init(void)
{
	unsigned int i, c = 0;

	for (i = 0; i < ARRAY_SIZE(xalloc_size_index); i++) {
		while (xalloc_kmalloc_info[c].size < (i + 1) * 8)
			c++;
		xalloc_size_index[i] = c;
	}
	for (i = 0; i < ARRAY_SIZE(xalloc_kmalloc_info); i++) {
		struct xalloc_cache *s;

		unsigned int size = xalloc_kmalloc_info[i].size;
		/* Power-of-two sizes naturally aligned in every mode, as kmalloc. */
		unsigned int align = is_power_of_2(size) ? size : 0;

		s = xalloc_cache_create_aligned(xalloc_kmalloc_info[i].name, size,
						align, 0, NULL, GFP_KERNEL);
		xalloc_kmalloc_caches[i] = s;
		if (!s) {
			xalloc_kmalloc_exit();
			return -ENOMEM;
		}
	}
	return 0;
}

/**
 * xalloc_kmalloc_exit() - destroy the kmalloc caches
 *
 * Context: Process context, at module unload.
 */
void xalloc_kmalloc_exit(void)
{
	for (unsigned int i = 0; i < ARRAY_SIZE(xalloc_kmalloc_caches); i++) {
		xalloc_cache_destroy(xalloc_kmalloc_caches[i]);
		xalloc_kmalloc_caches[i] = NULL;
	}
}
