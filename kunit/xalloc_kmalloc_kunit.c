// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite xalloc_kmalloc: the kmalloc size classes of xalloc, large
 * allocations straight from the zone, krealloc and the checks on kfree.
 *
 * Every case checks on exit that it caused exactly the error reports it
 * expected (none unless it provokes some), that every zone is consistent,
 * that no kmalloc object was leaked and, as long as every slab has its
 * cache's preferred order, that the zone's free pages plus the pages held by
 * kmalloc slabs are what they were before the case.
 */

#include <kunit/test.h>
#include <linux/irqflags.h>
#include <linux/mm.h>
#include <linux/prandom.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>

#include <xalloc/xalloc.h>

#include "../mm/slab.h"
#include "../mm/slab_sheaf.h"
#include "../mm/zone.h"
#include "xalloc_kunit.h"

static const struct {
	const char *name;
	unsigned int size;
} kmalloc_classes[] = {
	{ "kmalloc-8", 8 }, { "kmalloc-16", 16 }, { "kmalloc-32", 32 },
	{ "kmalloc-64", 64 }, { "kmalloc-96", 96 }, { "kmalloc-128", 128 },
	{ "kmalloc-192", 192 }, { "kmalloc-256", 256 }, { "kmalloc-512", 512 },
	{ "kmalloc-1k", 1024 }, { "kmalloc-2k", 2048 }, { "kmalloc-4k", 4096 },
	{ "kmalloc-8k", 8192 },
};

#define NR_KMALLOC_CLASSES	ARRAY_SIZE(kmalloc_classes)
#define KMALLOC_MAX_CLASS	8192
#define KMALLOC_MAX_LARGE	(PAGE_SIZE << XALLOC_MAX_ORDER)

struct kmalloc_test_ctx {
	struct xalloc_cache *caches[NR_KMALLOC_CLASSES];
	unsigned long active[NR_KMALLOC_CLASSES];	/* active objects before */
	unsigned long held_pages;	/* zone free + kmalloc slab pages before */
};

/* ---- Helpers ------------------------------------------------------------ */

/* Objects the callers hold: active ones but those in the sheaves. */
static unsigned long kmalloc_active(struct xalloc_cache *s)
{
	struct xalloc_cache_counts cnt;

	xalloc_cache_counts(s, &cnt);
	return cnt.active_objs - xalloc_sheaf_objects(s);
}

/*
 * Zone free pages plus the pages of every kmalloc slab (of any order and
 * layout): constant across a case that frees what it allocates.
 */
static unsigned long kmalloc_held_pages(struct kmalloc_test_ctx *ctx)
{
	unsigned long pages = xalloc_kunit_zone_free();
	struct xalloc_cache_counts cnt;

	for (unsigned int i = 0; i < NR_KMALLOC_CLASSES; i++) {
		xalloc_cache_counts(ctx->caches[i], &cnt);
		pages += cnt.num_pages;
	}
	return pages;
}

static int kmalloc_test_init(struct kunit *test)
{
	struct kmalloc_test_ctx *ctx;

	xalloc_kunit_init(test);
	ctx = kunit_kzalloc(test, sizeof(*ctx), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ctx);
	for (unsigned int i = 0; i < NR_KMALLOC_CLASSES; i++) {
		ctx->caches[i] = xalloc_cache_lookup(kmalloc_classes[i].name);
		KUNIT_ASSERT_NOT_NULL_MSG(test, ctx->caches[i], "no cache %s",
					  kmalloc_classes[i].name);
		ctx->active[i] = kmalloc_active(ctx->caches[i]);
	}
	ctx->held_pages = kmalloc_held_pages(ctx);
	test->priv = ctx;
	return 0;
}

static void kmalloc_test_exit(struct kunit *test)
{
	struct kmalloc_test_ctx *ctx = test->priv;
	unsigned long held;
	int nid;

	for_each_node(nid)
		if (xalloc_zone_of(nid))
			KUNIT_EXPECT_TRUE_MSG(test, xalloc_zone_check(nid),
					      "node %d", nid);
	for (unsigned int i = 0; i < NR_KMALLOC_CLASSES; i++)
		KUNIT_EXPECT_EQ_MSG(test, kmalloc_active(ctx->caches[i]),
				    ctx->active[i], "%s objects leaked",
				    kmalloc_classes[i].name);
	held = kmalloc_held_pages(ctx);
	KUNIT_EXPECT_EQ_MSG(test, held, ctx->held_pages,
			    "zone free pages + kmalloc slab pages");
	xalloc_kunit_exit(test);
}

/* The slab @p is an object of, or NULL. */
static struct xalloc_page *kmalloc_slab_of(const void *p)
{
	struct xalloc_page *desc = xalloc_addr_desc(p);

	if (!desc)
		return NULL;
	if (desc->type == XALLOC_PAGE_SLAB_TAIL)
		desc = desc->head;
	return desc->type == XALLOC_PAGE_SLAB ? desc : NULL;
}

/* Object size of the cache @p came from; 0 if @p is not in a slab. */
static unsigned int kmalloc_class_of(const void *p)
{
	struct xalloc_page *slab = kmalloc_slab_of(p);

	return slab ? slab->cache->object_size : 0;
}

/* The smallest class that holds @size bytes; 0 above the largest. */
static unsigned int kmalloc_class_for(size_t size)
{
	for (unsigned int i = 0; i < NR_KMALLOC_CLASSES; i++)
		if (kmalloc_classes[i].size >= size)
			return kmalloc_classes[i].size;
	return 0;
}

/* What ksize() gives for @size bytes: its class, or above 8 KiB its block. */
static size_t kmalloc_ksize_for(size_t size)
{
	if (size > KMALLOC_MAX_CLASS)
		return PAGE_SIZE << get_order(size);
	return kmalloc_class_for(size);
}

static int kmalloc_nid_of(const void *p)
{
	struct xalloc_page *desc = xalloc_addr_desc(p);

	return desc ? desc->chunk->zone->nid : NUMA_NO_NODE;
}

static u8 kmalloc_pattern(unsigned int seed, size_t i)
{
	return (u8)(seed * 37 + i * 7 + (i >> 8));
}

static void kmalloc_fill(void *p, size_t size, unsigned int seed)
{
	u8 *b = p;

	for (size_t i = 0; i < size; i++)
		b[i] = kmalloc_pattern(seed, i);
}

/* True if the first @size bytes at @p hold the pattern of @seed. */
static bool kmalloc_check(const void *p, size_t size, unsigned int seed)
{
	const u8 *b = p;

	for (size_t i = 0; i < size; i++)
		if (b[i] != kmalloc_pattern(seed, i))
			return false;
	return true;
}

/* ---- Parameters --------------------------------------------------------- */

static void kmalloc_class_desc(const typeof(kmalloc_classes[0]) *c, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%s", c->name);
}

KUNIT_ARRAY_PARAM(kmalloc_class, kmalloc_classes, kmalloc_class_desc);

static const size_t kmalloc_large_sizes[] = {
	KMALLOC_MAX_CLASS + 1, 3 * PAGE_SIZE, 16384, 100 * 1024, 1024 * 1024,
	KMALLOC_MAX_LARGE,
};

static void kmalloc_large_desc(const size_t *size, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%zu bytes", *size);
}

KUNIT_ARRAY_PARAM(kmalloc_large, kmalloc_large_sizes, kmalloc_large_desc);

static const int kmalloc_nodes[] = { 0, 1 };

static void kmalloc_node_desc(const int *nid, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "node %d", *nid);
}

KUNIT_ARRAY_PARAM(kmalloc_node, kmalloc_nodes, kmalloc_node_desc);

/* ---- Size classes ------------------------------------------------------- */

/* kmalloc(class) is an object of exactly that class, all of it usable. */
static void xalloc_kmalloc_class_exact(struct kunit *test)
{
	const typeof(kmalloc_classes[0]) *c = test->param_value;
	struct xalloc_page *slab;
	void *p;

	p = xalloc_kmalloc(c->size, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	slab = kmalloc_slab_of(p);
	KUNIT_ASSERT_NOT_NULL(test, slab);
	KUNIT_EXPECT_EQ(test, slab->cache->object_size, c->size);
	KUNIT_EXPECT_STREQ(test, slab->cache->name, c->name);
	KUNIT_EXPECT_PTR_EQ(test, slab->cache, xalloc_cache_lookup(c->name));
	KUNIT_EXPECT_EQ(test, xalloc_ksize(p), (size_t)c->size);
	/* Like the kernel's: power-of-two classes are naturally aligned. */
	if (is_power_of_2(c->size))
		KUNIT_EXPECT_EQ(test, (unsigned long)p & (c->size - 1), 0UL);
	kmalloc_fill(p, c->size, c->size);
	KUNIT_EXPECT_TRUE(test, kmalloc_check(p, c->size, c->size));
	xalloc_kfree(p);
}

/*
 * With every debug flag, and all of them, a class's objects keep their
 * alignment (the class size for a power of two, 8 bytes for 96 and 192) and
 * all their bytes: the left red zone and the tracks do not move them.
 */
static void xalloc_kmalloc_class_aligned_under_debug(struct kunit *test)
{
	static const unsigned long modes[] = {
		XALLOC_CONSISTENCY_CHECKS, XALLOC_RED_ZONE, XALLOC_POISON,
		XALLOC_STORE_USER, XALLOC_DEBUG_FLAGS,
	};
	const typeof(kmalloc_classes[0]) *c = test->param_value;
	unsigned long align = is_power_of_2(c->size) ? c->size : 8;
	struct xalloc_cache *s = xalloc_cache_lookup(c->name);
	void *p[3];

	KUNIT_ASSERT_NOT_NULL(test, s);
	for (unsigned int m = 0; m < ARRAY_SIZE(modes); m++) {
		KUNIT_ASSERT_EQ(test, xalloc_cache_set_debug(s, modes[m]), 0);
		for (unsigned int i = 0; i < ARRAY_SIZE(p); i++) {
			p[i] = xalloc_kmalloc(c->size, GFP_KERNEL);
			KUNIT_ASSERT_NOT_NULL(test, p[i]);
			KUNIT_EXPECT_EQ_MSG(test, (unsigned long)p[i] & (align - 1), 0UL,
					    "debug flags %#lx", modes[m]);
			KUNIT_EXPECT_EQ(test, kmalloc_slab_of(p[i])->cache->flags &
					XALLOC_DEBUG_FLAGS, modes[m]);
			kmalloc_fill(p[i], c->size, i);
		}
		for (unsigned int i = 0; i < ARRAY_SIZE(p); i++) {
			KUNIT_EXPECT_TRUE(test, kmalloc_check(p[i], c->size, i));
			xalloc_kfree(p[i]);
		}
	}
	KUNIT_EXPECT_EQ(test, xalloc_cache_set_debug(s, 0), 0);
	KUNIT_EXPECT_EQ(test, xalloc_cache_validate(s), 0UL);
	XALLOC_KUNIT_EXPECT_REPORTS(test, 0);
}

/*
 * Every size from just above the previous class to the class itself maps to
 * the class (65..96 to 96, 129..192 to 192, 193 to 256); one more byte maps
 * to the next class, or to a large block above 8 KiB.
 */
static void xalloc_kmalloc_sizes_map_to_class(struct kunit *test)
{
	const typeof(kmalloc_classes[0]) *c = test->param_value;
	unsigned int idx = c - kmalloc_classes;
	unsigned int prev = idx ? kmalloc_classes[idx - 1].size : 0;
	const size_t sizes[] = { prev + 1, (prev + c->size + 1) / 2, c->size - 1,
				 c->size };
	struct xalloc_page *desc;
	void *p;

	for (unsigned int i = 0; i < ARRAY_SIZE(sizes); i++) {
		if (!sizes[i])
			continue;
		p = xalloc_kmalloc(sizes[i], GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, p);
		KUNIT_EXPECT_EQ_MSG(test, kmalloc_class_of(p), c->size,
				    "size %zu", sizes[i]);
		KUNIT_EXPECT_EQ_MSG(test, xalloc_ksize(p), (size_t)c->size,
				    "size %zu", sizes[i]);
		xalloc_kfree(p);
	}

	p = xalloc_kmalloc(c->size + 1, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	if (idx + 1 < NR_KMALLOC_CLASSES) {
		KUNIT_EXPECT_EQ(test, kmalloc_class_of(p),
				kmalloc_classes[idx + 1].size);
	} else {
		desc = xalloc_addr_desc(p);
		KUNIT_ASSERT_NOT_NULL(test, desc);
		KUNIT_EXPECT_EQ(test, desc->type, (u8)XALLOC_PAGE_LARGE);
	}
	xalloc_kfree(p);
}

/* ksize() is the smallest class or page block that holds the request. */
static void xalloc_kmalloc_ksize_covers_request(struct kunit *test)
{
	static const size_t large[] = {
		KMALLOC_MAX_CLASS + 1, 12288, 12289, 65536, 100000, 1 << 20,
		KMALLOC_MAX_LARGE - 1, KMALLOC_MAX_LARGE,
	};
	size_t size, ks;
	void *p;

	for (size = 1; size <= KMALLOC_MAX_CLASS + 7; size += 7) {
		size_t want = size > KMALLOC_MAX_CLASS ? KMALLOC_MAX_CLASS : size;

		p = xalloc_kmalloc(want, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL_MSG(test, p, "size %zu", want);
		ks = xalloc_ksize(p);
		KUNIT_EXPECT_EQ_MSG(test, ks, kmalloc_ksize_for(want), "size %zu", want);
		/* All of ksize() is the caller's; KASAN checks the writes. */
		memset(p, 0x5a, ks);
		xalloc_kfree(p);
	}
	for (unsigned int i = 0; i < ARRAY_SIZE(large); i++) {
		p = xalloc_kmalloc(large[i], GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL_MSG(test, p, "size %zu", large[i]);
		ks = xalloc_ksize(p);
		KUNIT_EXPECT_EQ_MSG(test, ks, kmalloc_ksize_for(large[i]), "size %zu", large[i]);
		memset(p, 0x5a, ks);
		xalloc_kfree(p);
	}
}

/* ---- Zeroing ------------------------------------------------------------ */

#define KMALLOC_ZERO_OBJS	8

/*
 * Dirty objects, free them and kzalloc the same class: the objects come
 * back (LIFO freelists) with their contents and free pointers cleared.
 */
static void kmalloc_expect_zeroed(struct kunit *test, size_t size, gfp_t gfp,
				  bool kzalloc)
{
	void *p[KMALLOC_ZERO_OBJS];
	unsigned int i;

	for (i = 0; i < KMALLOC_ZERO_OBJS; i++) {
		p[i] = xalloc_kmalloc(size, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, p[i]);
		memset(p[i], 0xa5, xalloc_ksize(p[i]));
	}
	for (i = 0; i < KMALLOC_ZERO_OBJS; i++)
		xalloc_kfree(p[i]);
	for (i = 0; i < KMALLOC_ZERO_OBJS; i++) {
		p[i] = kzalloc ? xalloc_kzalloc(size, gfp) :
				 xalloc_kmalloc(size, gfp | __GFP_ZERO);
		KUNIT_ASSERT_NOT_NULL(test, p[i]);
		KUNIT_EXPECT_NULL_MSG(test, memchr_inv(p[i], 0, size),
				      "size %zu object %u", size, i);
	}
	for (i = 0; i < KMALLOC_ZERO_OBJS; i++)
		xalloc_kfree(p[i]);
}

static void xalloc_kmalloc_kzalloc_returns_zeroed(struct kunit *test)
{
	for (unsigned int i = 0; i < NR_KMALLOC_CLASSES; i++)
		kmalloc_expect_zeroed(test, kmalloc_classes[i].size, GFP_KERNEL, true);
	kmalloc_expect_zeroed(test, 3 * PAGE_SIZE, GFP_KERNEL, true);
}

static void xalloc_kmalloc_gfp_zero_clears(struct kunit *test)
{
	static const size_t sizes[] = { 1, 13, 64, 100, 1000, 5000, 8192, 8193, 65536 };

	for (unsigned int i = 0; i < ARRAY_SIZE(sizes); i++)
		kmalloc_expect_zeroed(test, sizes[i], GFP_KERNEL, false);
}

/* ---- krealloc ----------------------------------------------------------- */

/* Growing through every class into large blocks keeps the contents. */
static void xalloc_kmalloc_krealloc_grow_keeps_contents(struct kunit *test)
{
	static const size_t sizes[] = {
		8, 9, 24, 65, 100, 150, 200, 300, 700, 1500, 3000, 6000, 8192,
		8193, 20000, 100000, 1 << 20,
	};
	size_t old = sizes[0];
	void *p, *q;

	p = xalloc_kmalloc(old, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	kmalloc_fill(p, old, 1);
	for (unsigned int i = 1; i < ARRAY_SIZE(sizes); i++) {
		q = xalloc_krealloc(p, sizes[i], GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL_MSG(test, q, "%zu -> %zu", old, sizes[i]);
		p = q;
		/* Each size is past the last one's ksize() but 8192 (its class's). */
		KUNIT_EXPECT_EQ_MSG(test, xalloc_ksize(p), kmalloc_ksize_for(sizes[i]),
				    "%zu -> %zu", old, sizes[i]);
		KUNIT_EXPECT_TRUE_MSG(test, kmalloc_check(p, old, 1),
				      "%zu -> %zu", old, sizes[i]);
		kmalloc_fill(p, sizes[i], 1);
		old = sizes[i];
	}
	KUNIT_EXPECT_EQ(test, xalloc_addr_desc(p)->type, (u8)XALLOC_PAGE_LARGE);
	xalloc_kfree(p);
}

/* Shrinking, or growing within ksize(), keeps the pointer and contents. */
static void xalloc_kmalloc_krealloc_shrink_keeps_pointer(struct kunit *test)
{
	static const struct {
		size_t alloc;
		size_t sizes[4];
	} cases[] = {
		{ 1000, { 1024, 600, 100, 1 } },
		{ 50, { 64, 33, 8, 1 } },
		{ 100000, { 131072, 65536, 9000, 8193 } },
	};
	void *p, *q;

	for (unsigned int c = 0; c < ARRAY_SIZE(cases); c++) {
		size_t n = cases[c].alloc;

		p = xalloc_kmalloc(n, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, p);
		kmalloc_fill(p, n, 2);
		for (unsigned int i = 0; i < ARRAY_SIZE(cases[c].sizes); i++) {
			size_t new = cases[c].sizes[i];

			q = xalloc_krealloc(p, new, GFP_KERNEL);
			KUNIT_EXPECT_PTR_EQ_MSG(test, q, p, "%zu -> %zu", n, new);
			if (q != p) {
				xalloc_kfree(q ? q : p);
				return;
			}
			KUNIT_EXPECT_TRUE_MSG(test, kmalloc_check(p, min(n, new), 2),
					      "%zu -> %zu", n, new);
		}
		xalloc_kfree(p);
	}
}

static void xalloc_kmalloc_krealloc_null_acts_as_kmalloc(struct kunit *test)
{
	void *p;

	p = xalloc_krealloc(NULL, 100, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_EXPECT_EQ(test, kmalloc_class_of(p), 128U);
	kmalloc_fill(p, 100, 3);
	xalloc_kfree(p);

	p = xalloc_krealloc(ZERO_SIZE_PTR, 50, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_EXPECT_PTR_NE(test, p, (void *)ZERO_SIZE_PTR);
	KUNIT_EXPECT_EQ(test, kmalloc_class_of(p), 64U);
	xalloc_kfree(p);

	p = xalloc_krealloc(NULL, 20000, GFP_KERNEL | __GFP_ZERO);
	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_EXPECT_EQ(test, xalloc_addr_desc(p)->type, (u8)XALLOC_PAGE_LARGE);
	KUNIT_EXPECT_NULL(test, memchr_inv(p, 0, 20000));
	xalloc_kfree(p);
}

static void xalloc_kmalloc_krealloc_zero_frees(struct kunit *test)
{
	struct xalloc_cache *s = xalloc_cache_lookup("kmalloc-64");
	unsigned long active, free_pages;
	void *p;

	KUNIT_ASSERT_NOT_NULL(test, s);
	active = kmalloc_active(s);
	p = xalloc_kmalloc(64, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_EXPECT_EQ(test, kmalloc_active(s), active + 1);
	KUNIT_EXPECT_PTR_EQ(test, xalloc_krealloc(p, 0, GFP_KERNEL),
			    (void *)ZERO_SIZE_PTR);
	KUNIT_EXPECT_EQ(test, kmalloc_active(s), active);

	free_pages = xalloc_kunit_zone_free();
	p = xalloc_kmalloc(50000, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_EXPECT_PTR_EQ(test, xalloc_krealloc(p, 0, GFP_KERNEL),
			    (void *)ZERO_SIZE_PTR);
	KUNIT_EXPECT_EQ(test, xalloc_kunit_zone_free(), free_pages);

	KUNIT_EXPECT_PTR_EQ(test, xalloc_krealloc(NULL, 0, GFP_KERNEL),
			    (void *)ZERO_SIZE_PTR);
}

/* With __GFP_ZERO, the bytes a grown block gains beyond the old ksize are 0. */
static void xalloc_kmalloc_krealloc_gfp_zero_clears_new_bytes(struct kunit *test)
{
	static const size_t sizes[] = { 40, 300, 5000, 30000 };
	size_t old_ks;
	void *p, *q;

	p = xalloc_kmalloc(sizes[0], GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	kmalloc_fill(p, xalloc_ksize(p), 4);
	for (unsigned int i = 1; i < ARRAY_SIZE(sizes); i++) {
		/* Dirty what the next block might be, so zeroing shows. */
		q = xalloc_kmalloc(sizes[i], GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, q);
		memset(q, 0xa5, xalloc_ksize(q));
		xalloc_kfree(q);

		old_ks = xalloc_ksize(p);
		q = xalloc_krealloc(p, sizes[i], GFP_KERNEL | __GFP_ZERO);
		KUNIT_ASSERT_NOT_NULL(test, q);
		p = q;
		KUNIT_EXPECT_TRUE(test, kmalloc_check(p, old_ks, 4));
		KUNIT_EXPECT_NULL_MSG(test, memchr_inv(p + old_ks, 0, sizes[i] - old_ks),
				      "%zu -> %zu", old_ks, sizes[i]);
		kmalloc_fill(p, xalloc_ksize(p), 4);
	}
	xalloc_kfree(p);
}

/*
 * kzalloc(100), shrunk in place to 50 and grown in place to 120, both with
 * __GFP_ZERO: bytes 50..119 read 0, although the whole object held a
 * pattern before the shrink.
 */
static void xalloc_kmalloc_krealloc_shrink_then_grow_zeroes(struct kunit *test)
{
	u8 *p = xalloc_kzalloc(100, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, p);
	memset(p, 0x5c, xalloc_ksize(p));
	KUNIT_ASSERT_PTR_EQ(test, xalloc_krealloc(p, 50, GFP_KERNEL | __GFP_ZERO), (void *)p);
	KUNIT_ASSERT_PTR_EQ(test, xalloc_krealloc(p, 120, GFP_KERNEL | __GFP_ZERO), (void *)p);
	KUNIT_EXPECT_NULL(test, memchr_inv(p, 0x5c, 50));
	KUNIT_EXPECT_NULL(test, memchr_inv(p + 50, 0, 70));
	xalloc_kfree(p);
}

/* ---- Large blocks ------------------------------------------------------- */

static void xalloc_kmalloc_large_from_zone(struct kunit *test)
{
	size_t size = *(const size_t *)test->param_value;
	unsigned int order = get_order(size);
	unsigned long before = xalloc_kunit_zone_free();
	struct xalloc_page *desc;
	void *p;

	p = xalloc_kmalloc(size, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_EXPECT_EQ(test, offset_in_page(p), 0UL);
	desc = xalloc_addr_desc(p);
	KUNIT_ASSERT_NOT_NULL(test, desc);
	KUNIT_EXPECT_EQ(test, desc->type, (u8)XALLOC_PAGE_LARGE);
	KUNIT_EXPECT_EQ(test, desc->order, (u8)order);
	KUNIT_EXPECT_EQ(test, desc->large_size, size);
	KUNIT_EXPECT_PTR_EQ(test, xalloc_desc_address(desc), p);
	KUNIT_EXPECT_EQ(test, xalloc_ksize(p), PAGE_SIZE << order);
	KUNIT_EXPECT_EQ(test, xalloc_kunit_zone_free(), before - (1UL << order));
	kmalloc_fill(p, size, 5);
	KUNIT_EXPECT_TRUE(test, kmalloc_check(p, size, 5));
	xalloc_kfree(p);
	KUNIT_EXPECT_EQ(test, xalloc_kunit_zone_free(), before);
}

static void xalloc_kmalloc_too_large_returns_null(struct kunit *test)
{
	static const size_t sizes[] = {
		KMALLOC_MAX_LARGE + 1, 2 * KMALLOC_MAX_LARGE, SIZE_MAX / 2, SIZE_MAX,
	};
	unsigned long before = xalloc_kunit_zone_free();
	void *p;

	for (unsigned int i = 0; i < ARRAY_SIZE(sizes); i++) {
		KUNIT_EXPECT_NULL_MSG(test, xalloc_kmalloc(sizes[i], GFP_KERNEL),
				      "size %zu", sizes[i]);
		KUNIT_EXPECT_NULL_MSG(test, xalloc_kzalloc(sizes[i], GFP_KERNEL),
				      "size %zu", sizes[i]);
		KUNIT_EXPECT_NULL_MSG(test, xalloc_kmalloc_node(sizes[i], GFP_KERNEL, 0),
				      "size %zu", sizes[i]);
	}
	KUNIT_EXPECT_EQ(test, xalloc_kunit_zone_free(), before);

	/* A failed krealloc leaves the old memory alone. */
	p = xalloc_kmalloc(100, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	kmalloc_fill(p, 100, 6);
	KUNIT_EXPECT_NULL(test, xalloc_krealloc(p, KMALLOC_MAX_LARGE + 1, GFP_KERNEL));
	KUNIT_EXPECT_TRUE(test, kmalloc_check(p, 100, 6));
	KUNIT_EXPECT_EQ(test, xalloc_ksize(p), (size_t)128);
	xalloc_kfree(p);
}

/* ---- Zero size and NULL ------------------------------------------------- */

static void xalloc_kmalloc_zero_size_returns_zero_size_ptr(struct kunit *test)
{
	KUNIT_EXPECT_PTR_EQ(test, xalloc_kmalloc(0, GFP_KERNEL), (void *)ZERO_SIZE_PTR);
	KUNIT_EXPECT_PTR_EQ(test, xalloc_kzalloc(0, GFP_KERNEL), (void *)ZERO_SIZE_PTR);
	KUNIT_EXPECT_PTR_EQ(test, xalloc_kmalloc_node(0, GFP_KERNEL, 0),
			    (void *)ZERO_SIZE_PTR);
	KUNIT_EXPECT_PTR_EQ(test, xalloc_kmalloc(0, GFP_ATOMIC), (void *)ZERO_SIZE_PTR);
	KUNIT_EXPECT_EQ(test, xalloc_ksize(ZERO_SIZE_PTR), (size_t)0);
}

static void xalloc_kmalloc_free_null_is_noop(struct kunit *test)
{
	xalloc_kfree(NULL);
	xalloc_kfree(ZERO_SIZE_PTR);
	KUNIT_EXPECT_EQ(test, xalloc_ksize(NULL), (size_t)0);
	XALLOC_KUNIT_EXPECT_REPORTS(test, 0);
}

/* ---- Nodes -------------------------------------------------------------- */

static void xalloc_kmalloc_node_affinity(struct kunit *test)
{
	static const size_t sizes[] = {
		8, 64, 96, 192, 1024, 4096, 8192, 8193, 65536, 1 << 20,
	};
	int nid = *(const int *)test->param_value;
	void *p;

	KUNIT_ASSERT_NOT_NULL_MSG(test, xalloc_zone_of(nid), "no zone on node %d (numa=fake=2)",
				  nid);
	for (unsigned int i = 0; i < ARRAY_SIZE(sizes); i++) {
		p = xalloc_kmalloc_node(sizes[i], GFP_KERNEL, nid);
		KUNIT_ASSERT_NOT_NULL_MSG(test, p, "size %zu", sizes[i]);
		KUNIT_EXPECT_EQ_MSG(test, kmalloc_nid_of(p), nid, "size %zu", sizes[i]);
		KUNIT_EXPECT_EQ_MSG(test, page_to_nid(virt_to_page(p)), nid,
				    "size %zu", sizes[i]);
		KUNIT_EXPECT_EQ_MSG(test, xalloc_ksize(p), kmalloc_ksize_for(sizes[i]),
				    "size %zu", sizes[i]);
		kmalloc_fill(p, sizes[i], 7);
		KUNIT_EXPECT_TRUE(test, kmalloc_check(p, sizes[i], 7));
		xalloc_kfree(p);
	}
}

/* ---- Counts ------------------------------------------------------------- */

#define KMALLOC_COUNT_OBJS	100

/*
 * On one CPU, with kmalloc-64 emptied by a shrink: the objects take exactly
 * the slabs they fill, and freeing them on that CPU gives no slab back (one
 * is the CPU slab, the others go onto its partial list) until the next
 * shrink.
 */
static void xalloc_kmalloc_counts_track_objects(struct kunit *test)
{
	struct xalloc_cache *s = xalloc_cache_lookup("kmalloc-64");
	struct xalloc_cache_counts before, mid, after;
	unsigned long per, slabs, fallback, mid_sheaf, after_sheaf;
	unsigned int got = 0;
	void **p;

	KUNIT_ASSERT_NOT_NULL(test, s);
	per = oo_objects(s->oo);
	slabs = DIV_ROUND_UP(KMALLOC_COUNT_OBJS, per);
	KUNIT_ASSERT_LT(test, slabs - 1, (unsigned long)s->cpu_partial_slabs);
	p = kunit_kcalloc(test, KMALLOC_COUNT_OBJS, sizeof(*p), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);

	xalloc_cache_shrink(s);
	xalloc_cache_counts(s, &before);
	KUNIT_ASSERT_EQ_MSG(test, before.active_objs, 0UL, "kmalloc-64 in use before the case");
	KUNIT_EXPECT_EQ(test, before.num_slabs, 0UL);
	fallback = xalloc_cache_stat(s, ORDER_FALLBACK);
	migrate_disable();
	for (unsigned int i = 0; i < KMALLOC_COUNT_OBJS; i++) {
		p[i] = xalloc_kmalloc(64, GFP_KERNEL);
		got += !!p[i];
	}
	xalloc_cache_counts(s, &mid);
	mid_sheaf = xalloc_sheaf_objects(s);
	for (unsigned int i = 0; i < KMALLOC_COUNT_OBJS; i++)
		xalloc_kfree(p[i]);
	xalloc_cache_counts(s, &after);
	after_sheaf = xalloc_sheaf_objects(s);
	migrate_enable();

	KUNIT_ASSERT_EQ(test, got, (unsigned int)KMALLOC_COUNT_OBJS);
	/* Every slab of the cache's own order: per objects each. */
	KUNIT_ASSERT_EQ(test, xalloc_cache_stat(s, ORDER_FALLBACK), fallback);
	/* The sheaves' objects came from the same slabs: whole refills. */
	slabs = DIV_ROUND_UP(mid.active_objs, per);
	KUNIT_EXPECT_EQ(test, mid.active_objs - mid_sheaf, (unsigned long)KMALLOC_COUNT_OBJS);
	KUNIT_EXPECT_EQ(test, after.active_objs - after_sheaf, 0UL);
	KUNIT_EXPECT_EQ(test, mid.num_slabs, slabs);
	KUNIT_EXPECT_EQ(test, mid.num_objs, slabs * per);
	KUNIT_EXPECT_EQ(test, after.num_slabs, slabs);
	KUNIT_EXPECT_EQ(test, after.num_objs, slabs * per);
	xalloc_cache_shrink(s);
	xalloc_cache_counts(s, &after);
	KUNIT_EXPECT_EQ(test, after.num_slabs, 0UL);
	KUNIT_EXPECT_EQ(test, after.num_objs, 0UL);
}

/* ---- Bad input ---------------------------------------------------------- */

/* kfree(p + 1) is reported and the object stays usable and freeable. */
static void xalloc_kmalloc_free_inside_object_reported(struct kunit *test)
{
	struct xalloc_cache *s = xalloc_cache_lookup("kmalloc-64");
	unsigned long active;
	u8 *p;

	KUNIT_ASSERT_NOT_NULL(test, s);
	p = xalloc_kmalloc(64, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	kmalloc_fill(p, 64, 8);
	active = kmalloc_active(s);

	xalloc_kfree(p + 1);
	XALLOC_KUNIT_EXPECT_REPORTS(test, 1);
	KUNIT_EXPECT_EQ(test, kmalloc_active(s), active);
	KUNIT_EXPECT_TRUE(test, kmalloc_check(p, 64, 8));
	kmalloc_fill(p, 64, 9);
	KUNIT_EXPECT_TRUE(test, kmalloc_check(p, 64, 9));
	xalloc_kfree(p);
	KUNIT_EXPECT_EQ(test, kmalloc_active(s), active - 1);
}

/* Addresses inside a large block, in its first page and in a later one. */
static void xalloc_kmalloc_free_inside_large_reported(struct kunit *test)
{
	unsigned long before = xalloc_kunit_zone_free(), held;
	u8 *p;

	p = xalloc_kmalloc(16384, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	held = xalloc_kunit_zone_free();

	xalloc_kfree(p + 1);
	XALLOC_KUNIT_EXPECT_REPORTS(test, 1);
	xalloc_kfree(p + 8192);
	XALLOC_KUNIT_EXPECT_REPORTS(test, 1);
	KUNIT_EXPECT_EQ(test, xalloc_kunit_zone_free(), held);
	KUNIT_EXPECT_EQ(test, xalloc_addr_desc(p)->type, (u8)XALLOC_PAGE_LARGE);
	memset(p, 0x11, 16384);
	xalloc_kfree(p);
	KUNIT_EXPECT_EQ(test, xalloc_kunit_zone_free(), before);
}

static void xalloc_kmalloc_double_free_large_reported(struct kunit *test)
{
	unsigned long before = xalloc_kunit_zone_free();
	void *p;

	p = xalloc_kmalloc(32768, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	xalloc_kfree(p);
	XALLOC_KUNIT_EXPECT_REPORTS(test, 0);
	xalloc_kfree(p);
	XALLOC_KUNIT_EXPECT_REPORTS(test, 1);
	KUNIT_EXPECT_EQ(test, xalloc_kunit_zone_free(), before);
}

/* A pointer from the kernel's own slab allocator is not xalloc's. */
static void xalloc_kmalloc_free_kernel_slab_reported(struct kunit *test)
{
	void *p = kmalloc(64, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, p);
	xalloc_kfree(p);
	XALLOC_KUNIT_EXPECT_REPORTS(test, 1);
	kfree(p);
}

static void xalloc_kmalloc_free_stack_reported(struct kunit *test)
{
	unsigned long buf[4] = {};

	xalloc_kfree(buf);
	XALLOC_KUNIT_EXPECT_REPORTS(test, 1);
	KUNIT_EXPECT_EQ(test, buf[0], 0UL);
}

static void xalloc_kmalloc_ksize_foreign_reported(struct kunit *test)
{
	void *p = kmalloc(64, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_EXPECT_EQ(test, xalloc_ksize(p), (size_t)0);
	XALLOC_KUNIT_EXPECT_REPORTS(test, 1);
	kfree(p);
}

/* A block from xalloc_alloc_pages() must go back through xalloc_free_pages(). */
static void xalloc_kmalloc_free_page_block_reported(struct kunit *test)
{
	unsigned long before = xalloc_kunit_zone_free();
	struct page *page;

	page = xalloc_alloc_pages(GFP_KERNEL, 0);
	KUNIT_ASSERT_NOT_NULL(test, page);
	xalloc_kfree(page_address(page));
	XALLOC_KUNIT_EXPECT_REPORTS(test, 1);
	KUNIT_EXPECT_EQ(test, xalloc_kunit_zone_free(), before - 1);
	xalloc_free_pages(page, 0);
	XALLOC_KUNIT_EXPECT_REPORTS(test, 0);
	KUNIT_EXPECT_EQ(test, xalloc_kunit_zone_free(), before);
}

/* ---- Atomic context ----------------------------------------------------- */

static DEFINE_SPINLOCK(kmalloc_test_lock);

static const size_t kmalloc_atomic_sizes[] = {
	8, 100, 192, 1000, 4096, 8192, 8193, 32768,
};

#define NR_ATOMIC_SIZES	ARRAY_SIZE(kmalloc_atomic_sizes)

/*
 * Allocations with interrupts off and under a spinlock: DEBUG_ATOMIC_SLEEP
 * and lockdep catch any sleep. KUnit checks wait until interrupts are on.
 */
static void xalloc_kmalloc_atomic_context(struct kunit *test)
{
	void *irq[NR_ATOMIC_SIZES], *locked[NR_ATOMIC_SIZES];
	bool irq_ok[NR_ATOMIC_SIZES], locked_ok[NR_ATOMIC_SIZES];
	unsigned long flags;
	unsigned int i;

	local_irq_save(flags);
	for (i = 0; i < NR_ATOMIC_SIZES; i++) {
		irq[i] = xalloc_kmalloc(kmalloc_atomic_sizes[i], GFP_ATOMIC);
		if (irq[i])
			kmalloc_fill(irq[i], kmalloc_atomic_sizes[i], i);
	}
	local_irq_restore(flags);

	spin_lock(&kmalloc_test_lock);
	for (i = 0; i < NR_ATOMIC_SIZES; i++) {
		locked[i] = xalloc_kzalloc(kmalloc_atomic_sizes[i], GFP_ATOMIC);
		locked_ok[i] = locked[i] &&
			       !memchr_inv(locked[i], 0, kmalloc_atomic_sizes[i]);
		irq_ok[i] = irq[i] && kmalloc_check(irq[i], kmalloc_atomic_sizes[i], i);
		/* Frees with interrupts on and off, both must be fine. */
		xalloc_kfree(irq[i]);
	}
	spin_unlock(&kmalloc_test_lock);

	local_irq_save(flags);
	for (i = 0; i < NR_ATOMIC_SIZES; i++)
		xalloc_kfree(locked[i]);
	local_irq_restore(flags);

	for (i = 0; i < NR_ATOMIC_SIZES; i++) {
		KUNIT_EXPECT_TRUE_MSG(test, irq_ok[i], "irqs off, size %zu",
				      kmalloc_atomic_sizes[i]);
		KUNIT_EXPECT_TRUE_MSG(test, locked_ok[i], "spinlock, size %zu",
				      kmalloc_atomic_sizes[i]);
	}
}

/* ---- Mixed sizes -------------------------------------------------------- */

#define KMALLOC_RANDOM_OBJS	1500
#define KMALLOC_RANDOM_SEED	0x78616c6cULL

struct kmalloc_random_obj {
	void *p;
	size_t size;
	unsigned int seed;
};

static size_t kmalloc_random_size(struct rnd_state *rnd)
{
	u32 r = prandom_u32_state(rnd);

	/* One in 32 large, up to 64 KiB; else 1 byte to 8 KiB, small ones more often. */
	if (!(r & 31))
		return KMALLOC_MAX_CLASS + 1 + (r >> 5) % (64 * 1024 - KMALLOC_MAX_CLASS);
	return 1 + (r >> 9) % (2U << ((r >> 5) % 13));
}

/*
 * Many objects of random sizes (fixed seed), filled with a pattern each,
 * verified all together and freed in random order; every kmalloc cache's
 * active count goes up by what went to it, and back.
 */
static void xalloc_kmalloc_random_sizes_survive(struct kunit *test)
{
	struct kmalloc_test_ctx *ctx = test->priv;
	unsigned long per_class[NR_KMALLOC_CLASSES] = {};
	struct kmalloc_random_obj *obj;
	struct rnd_state rnd;
	unsigned int i, j, bad = 0;

	obj = kunit_kcalloc(test, KMALLOC_RANDOM_OBJS, sizeof(*obj), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, obj);
	prandom_seed_state(&rnd, KMALLOC_RANDOM_SEED);

	for (i = 0; i < KMALLOC_RANDOM_OBJS; i++) {
		obj[i].size = kmalloc_random_size(&rnd);
		obj[i].seed = i;
		obj[i].p = xalloc_kmalloc(obj[i].size, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL_MSG(test, obj[i].p, "size %zu", obj[i].size);
		KUNIT_EXPECT_EQ_MSG(test, xalloc_ksize(obj[i].p), kmalloc_ksize_for(obj[i].size),
				    "size %zu", obj[i].size);
		kmalloc_fill(obj[i].p, obj[i].size, obj[i].seed);
		for (j = 0; j < NR_KMALLOC_CLASSES; j++) {
			if (obj[i].size <= kmalloc_classes[j].size) {
				per_class[j]++;
				break;
			}
		}
	}
	for (j = 0; j < NR_KMALLOC_CLASSES; j++)
		KUNIT_EXPECT_EQ_MSG(test, kmalloc_active(ctx->caches[j]) - ctx->active[j],
				    per_class[j], "%s", kmalloc_classes[j].name);

	for (i = KMALLOC_RANDOM_OBJS - 1; i > 0; i--) {
		j = prandom_u32_state(&rnd) % (i + 1);
		swap(obj[i], obj[j]);
	}
	for (i = 0; i < KMALLOC_RANDOM_OBJS; i++) {
		if (!kmalloc_check(obj[i].p, obj[i].size, obj[i].seed))
			bad++;
		xalloc_kfree(obj[i].p);
	}
	KUNIT_EXPECT_EQ(test, bad, 0U);
}

static struct kunit_case xalloc_kmalloc_cases[] = {
	KUNIT_CASE_PARAM(xalloc_kmalloc_class_exact, kmalloc_class_gen_params),
	KUNIT_CASE_PARAM(xalloc_kmalloc_class_aligned_under_debug, kmalloc_class_gen_params),
	KUNIT_CASE_PARAM(xalloc_kmalloc_sizes_map_to_class, kmalloc_class_gen_params),
	KUNIT_CASE(xalloc_kmalloc_ksize_covers_request),
	KUNIT_CASE(xalloc_kmalloc_kzalloc_returns_zeroed),
	KUNIT_CASE(xalloc_kmalloc_gfp_zero_clears),
	KUNIT_CASE(xalloc_kmalloc_krealloc_grow_keeps_contents),
	KUNIT_CASE(xalloc_kmalloc_krealloc_shrink_keeps_pointer),
	KUNIT_CASE(xalloc_kmalloc_krealloc_null_acts_as_kmalloc),
	KUNIT_CASE(xalloc_kmalloc_krealloc_zero_frees),
	KUNIT_CASE(xalloc_kmalloc_krealloc_gfp_zero_clears_new_bytes),
	KUNIT_CASE(xalloc_kmalloc_krealloc_shrink_then_grow_zeroes),
	KUNIT_CASE_PARAM(xalloc_kmalloc_large_from_zone, kmalloc_large_gen_params),
	KUNIT_CASE(xalloc_kmalloc_too_large_returns_null),
	KUNIT_CASE(xalloc_kmalloc_zero_size_returns_zero_size_ptr),
	KUNIT_CASE(xalloc_kmalloc_free_null_is_noop),
	KUNIT_CASE_PARAM(xalloc_kmalloc_node_affinity, kmalloc_node_gen_params),
	KUNIT_CASE(xalloc_kmalloc_counts_track_objects),
	KUNIT_CASE(xalloc_kmalloc_free_inside_object_reported),
	KUNIT_CASE(xalloc_kmalloc_free_inside_large_reported),
	KUNIT_CASE(xalloc_kmalloc_double_free_large_reported),
	KUNIT_CASE(xalloc_kmalloc_free_kernel_slab_reported),
	KUNIT_CASE(xalloc_kmalloc_free_stack_reported),
	KUNIT_CASE(xalloc_kmalloc_ksize_foreign_reported),
	KUNIT_CASE(xalloc_kmalloc_free_page_block_reported),
	KUNIT_CASE(xalloc_kmalloc_atomic_context),
	KUNIT_CASE(xalloc_kmalloc_random_sizes_survive),
	{}
};

static struct kunit_suite xalloc_kmalloc_suite = {
	.name = "xalloc_kmalloc",
	.init = kmalloc_test_init,
	.exit = kmalloc_test_exit,
	.test_cases = xalloc_kmalloc_cases,
};

kunit_test_suite(xalloc_kmalloc_suite);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("KUnit tests for the xalloc kmalloc classes");
