// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite xalloc_fail: every failure path, provoked with the fault
 * injection of mm/fail.c. Allocations return NULL (bulk returns 0 and keeps
 * nothing), the failure counters count, and caches and the zone stay
 * consistent: each case checks counts, validation and the zone on exit.
 * The cases on the suite's cache run on a cache without sheaves and on one
 * with them (their refill fails, then the slab path's own try).
 */

#include <kunit/test.h>
#include <linux/mm.h>

#include <xalloc/xalloc.h>

#include "../mm/fail.h"
#include "../mm/slab.h"
#include "../mm/slab_sheaf.h"
#include "xalloc_kunit.h"

struct fail_test_ctx {
	struct xalloc_cache *s;
	long failures[XALLOC_FAIL_NR];
};

static const bool fail_path_params[] = { false, true };

static void fail_path_desc(const bool *sheaves, char *desc)
{
	strscpy(desc, *sheaves ? "sheaves" : "cpu-slab", KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(fail_path, fail_path_params, fail_path_desc);

/* Whether the case runs on a cache with sheaves (a fail_path parameter). */
static bool fail_sheaves(struct kunit *test)
{
	return test->param_value && *(const bool *)test->param_value;
}

/*
 * Slab allocations one failing allocation tries: with sheaves the refill,
 * then the slab path.
 */
static int fail_tries(struct kunit *test)
{
	return fail_sheaves(test) ? 2 : 1;
}

static int fail_test_init(struct kunit *test)
{
	struct fail_test_ctx *ctx;

	xalloc_kunit_init(test);
	ctx = kunit_kzalloc(test, sizeof(*ctx), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ctx);
	for (int i = 0; i < XALLOC_FAIL_NR; i++)
		ctx->failures[i] = atomic_long_read(&xalloc_fail[i].failures);
	if (fail_sheaves(test))
		ctx->s = xalloc_cache_create_sheaves("fail_cache", 200, 0, 0, NULL, 0);
	else
		ctx->s = xalloc_cache_create("fail_cache", 200, 0, XALLOC_NO_SHEAVES, NULL);
	KUNIT_ASSERT_NOT_NULL(test, ctx->s);
	KUNIT_ASSERT_EQ(test, !!ctx->s->sheaves, fail_sheaves(test));
	test->priv = ctx;
	return 0;
}

static void fail_test_exit(struct kunit *test)
{
	struct fail_test_ctx *ctx = test->priv;
	struct xalloc_cache_counts cnt;
	int nid;

	for (int i = 0; i < XALLOC_FAIL_NR; i++)
		xalloc_fail_set(i, 0, 0, 0);
	/* Objects in sheaves count as active until drained. */
	if (ctx->s->sheaves)
		xalloc_cache_shrink(ctx->s);
	xalloc_cache_counts(ctx->s, &cnt);
	KUNIT_EXPECT_EQ(test, cnt.active_objs, 0UL);
	KUNIT_EXPECT_EQ(test, xalloc_cache_validate(ctx->s), 0UL);
	xalloc_cache_destroy(ctx->s);
	for_each_node(nid)
		KUNIT_EXPECT_TRUE(test, xalloc_zone_check(nid));
	xalloc_kunit_exit(test);
}

static long injected(struct kunit *test, enum xalloc_fail_layer layer)
{
	struct fail_test_ctx *ctx = test->priv;

	return atomic_long_read(&xalloc_fail[layer].failures) - ctx->failures[layer];
}

static unsigned long zone_failed(void)
{
	struct xalloc_zone_info info;
	unsigned long sum = 0;
	int nid;

	for_each_node(nid)
		if (xalloc_zone_info(nid, &info))
			sum += info.nr_failed;
	return sum;
}

static void xalloc_fail_buddy_once(struct kunit *test)
{
	unsigned long failed = zone_failed();
	struct page *page;

	xalloc_fail_set(XALLOC_FAIL_BUDDY, 100, 0, 1);
	KUNIT_EXPECT_NULL(test, xalloc_alloc_pages(GFP_KERNEL, 0));
	page = xalloc_alloc_pages(GFP_KERNEL, 0);
	KUNIT_EXPECT_NOT_NULL(test, page);
	xalloc_free_pages(page, 0);
	KUNIT_EXPECT_EQ(test, injected(test, XALLOC_FAIL_BUDDY), 1L);
	KUNIT_EXPECT_EQ(test, zone_failed() - failed, 1UL);
}

static void xalloc_fail_interval(struct kunit *test)
{
	struct page *pages[9];
	int nulls = 0;

	xalloc_fail_set(XALLOC_FAIL_BUDDY, 100, 3, -1);
	for (int i = 0; i < ARRAY_SIZE(pages); i++) {
		pages[i] = xalloc_alloc_pages(GFP_KERNEL, 1);
		nulls += !pages[i];
		/* Calls 3, 6 and 9 fail. */
		KUNIT_EXPECT_EQ(test, !pages[i], (i + 1) % 3 == 0);
	}
	xalloc_fail_set(XALLOC_FAIL_BUDDY, 0, 0, 0);
	for (int i = 0; i < ARRAY_SIZE(pages); i++)
		xalloc_free_pages(pages[i], 1);
	KUNIT_EXPECT_EQ(test, nulls, 3);
	KUNIT_EXPECT_EQ(test, injected(test, XALLOC_FAIL_BUDDY), 3L);
}

static void xalloc_fail_probability_zero_never_fails(struct kunit *test)
{
	xalloc_fail_set(XALLOC_FAIL_BUDDY, 0, 0, -1);
	for (int i = 0; i < 50; i++) {
		struct page *page = xalloc_alloc_pages(GFP_KERNEL, 0);

		KUNIT_EXPECT_NOT_NULL(test, page);
		xalloc_free_pages(page, 0);
	}
	KUNIT_EXPECT_EQ(test, injected(test, XALLOC_FAIL_BUDDY), 0L);
}

static void xalloc_fail_times_limits_failures(struct kunit *test)
{
	int nulls = 0;

	xalloc_fail_set(XALLOC_FAIL_BUDDY, 100, 0, 4);
	for (int i = 0; i < 10; i++) {
		struct page *page = xalloc_alloc_pages(GFP_KERNEL, 2);

		nulls += !page;
		xalloc_free_pages(page, 2);
	}
	KUNIT_EXPECT_EQ(test, nulls, 4);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&xalloc_fail[XALLOC_FAIL_BUDDY].times), 0L);
}

static void xalloc_fail_new_slab_returns_null(struct kunit *test)
{
	struct fail_test_ctx *ctx = test->priv;
	struct xalloc_cache_counts cnt;
	void *obj;

	xalloc_fail_set(XALLOC_FAIL_SLAB, 100, 0, fail_tries(test));
	KUNIT_EXPECT_NULL(test, xalloc_cache_alloc(ctx->s, GFP_KERNEL));
	xalloc_cache_counts(ctx->s, &cnt);
	KUNIT_EXPECT_EQ(test, cnt.active_objs, 0UL);
	KUNIT_EXPECT_EQ(test, cnt.num_slabs, 0UL);
	obj = xalloc_cache_alloc(ctx->s, GFP_KERNEL);
	KUNIT_EXPECT_NOT_NULL(test, obj);
	xalloc_cache_free(ctx->s, obj);
	KUNIT_EXPECT_EQ(test, injected(test, XALLOC_FAIL_SLAB), (long)fail_tries(test));
}

/*
 * A slab needs a zone block: a failing buddy fails both slab orders of a
 * cache whose preferred order is above its minimum, on the local node and
 * then on any node (4 failures), and a large kmalloc; failing only the
 * first, the slab comes at the minimum order.
 */
static void xalloc_fail_buddy_fails_slab_and_fallback(struct kunit *test)
{
	/* Slab allocations counted one by one: no sheaf refills. */
	struct xalloc_cache *s = xalloc_cache_create("fail_fallback", 2048, 0,
						     XALLOC_NO_SHEAVES, NULL);
	void *obj;

	KUNIT_ASSERT_NOT_NULL(test, s);
	KUNIT_EXPECT_GT(test, oo_order(s->oo), oo_order(s->min));
	xalloc_fail_set(XALLOC_FAIL_BUDDY, 100, 0, -1);
	KUNIT_EXPECT_NULL(test, xalloc_cache_alloc(s, GFP_KERNEL));
	KUNIT_EXPECT_NULL(test, xalloc_kmalloc(20000, GFP_KERNEL));
	xalloc_fail_set(XALLOC_FAIL_BUDDY, 0, 0, 0);
	KUNIT_EXPECT_EQ(test, injected(test, XALLOC_FAIL_BUDDY), 5L);
	KUNIT_EXPECT_EQ(test, xalloc_cache_stat(s, ORDER_FALLBACK), 0UL);

	xalloc_fail_set(XALLOC_FAIL_BUDDY, 100, 0, 1);
	obj = xalloc_cache_alloc(s, GFP_KERNEL);
	KUNIT_EXPECT_NOT_NULL(test, obj);
	KUNIT_EXPECT_EQ(test, injected(test, XALLOC_FAIL_BUDDY), 6L);
	KUNIT_EXPECT_EQ(test, xalloc_cache_stat(s, ORDER_FALLBACK), 1UL);
	xalloc_cache_free(s, obj);
	xalloc_cache_destroy(s);
}

/* All or nothing: the second slab fails, the first one's objects go back. */
static void xalloc_fail_bulk_returns_zero_and_keeps_nothing(struct kunit *test)
{
	struct fail_test_ctx *ctx = test->priv;
	unsigned int n = 3 * oo_objects(ctx->s->oo);
	struct xalloc_cache_counts cnt;
	void **objs;

	objs = kunit_kcalloc(test, n, sizeof(void *), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, objs);
	xalloc_fail_set(XALLOC_FAIL_SLAB, 100, 2, 1);
	KUNIT_EXPECT_EQ(test, xalloc_cache_alloc_bulk(ctx->s, GFP_KERNEL, n, objs), 0);
	/* What went back onto sheaves is the cache's, not the caller's. */
	if (ctx->s->sheaves) {
		KUNIT_EXPECT_EQ(test, xalloc_sheaf_stat(ctx->s, SHEAF_FREE_BULK),
				(unsigned long)oo_objects(ctx->s->oo));
		xalloc_cache_shrink(ctx->s);
	}
	xalloc_cache_counts(ctx->s, &cnt);
	KUNIT_EXPECT_EQ(test, cnt.active_objs, 0UL);
	KUNIT_EXPECT_EQ(test, injected(test, XALLOC_FAIL_SLAB), 1L);
	/* And it works again. */
	KUNIT_EXPECT_EQ(test, xalloc_cache_alloc_bulk(ctx->s, GFP_KERNEL, n, objs), (int)n);
	xalloc_cache_free_bulk(ctx->s, n, objs);
}

static void xalloc_fail_kmalloc_paths(struct kunit *test)
{
	void *p;

	xalloc_fail_set(XALLOC_FAIL_BUDDY, 100, 0, 1);
	KUNIT_EXPECT_NULL(test, xalloc_kmalloc(3 * PAGE_SIZE, GFP_KERNEL));
	xalloc_fail_set(XALLOC_FAIL_SLAB, 100, 0, -1);
	/* A class with no slab yet, so that the allocation needs a new one. */
	xalloc_cache_shrink(xalloc_cache_lookup("kmalloc-8k"));
	KUNIT_EXPECT_NULL(test, xalloc_kmalloc(5000, GFP_KERNEL));
	KUNIT_EXPECT_NULL(test, xalloc_kzalloc(5000, GFP_KERNEL));
	xalloc_fail_set(XALLOC_FAIL_SLAB, 0, 0, 0);
	p = xalloc_kmalloc(5000, GFP_KERNEL);
	KUNIT_EXPECT_NOT_NULL(test, p);
	xalloc_kfree(p);
}

static void xalloc_fail_krealloc_keeps_old(struct kunit *test)
{
	char *p = xalloc_kmalloc(16, GFP_KERNEL), *q;

	KUNIT_ASSERT_NOT_NULL(test, p);
	strscpy(p, "still here", 16);
	xalloc_fail_set(XALLOC_FAIL_BUDDY, 100, 0, -1);
	q = xalloc_krealloc(p, 64 * 1024, GFP_KERNEL);
	xalloc_fail_set(XALLOC_FAIL_BUDDY, 0, 0, 0);
	KUNIT_EXPECT_NULL(test, q);
	KUNIT_EXPECT_STREQ(test, p, "still here");
	xalloc_kfree(p);
}

static void xalloc_fail_atomic_context(struct kunit *test)
{
	struct fail_test_ctx *ctx = test->priv;
	unsigned long flags;
	void *obj;

	xalloc_fail_set(XALLOC_FAIL_SLAB, 100, 0, fail_tries(test));
	local_irq_save(flags);
	obj = xalloc_cache_alloc(ctx->s, GFP_ATOMIC);
	local_irq_restore(flags);
	KUNIT_EXPECT_NULL(test, obj);
	KUNIT_EXPECT_EQ(test, injected(test, XALLOC_FAIL_SLAB), (long)fail_tries(test));
}

static struct kunit_case xalloc_fail_cases[] = {
	KUNIT_CASE(xalloc_fail_buddy_once),
	KUNIT_CASE(xalloc_fail_interval),
	KUNIT_CASE(xalloc_fail_probability_zero_never_fails),
	KUNIT_CASE(xalloc_fail_times_limits_failures),
	KUNIT_CASE_PARAM(xalloc_fail_new_slab_returns_null, fail_path_gen_params),
	KUNIT_CASE(xalloc_fail_buddy_fails_slab_and_fallback),
	KUNIT_CASE_PARAM(xalloc_fail_bulk_returns_zero_and_keeps_nothing, fail_path_gen_params),
	KUNIT_CASE(xalloc_fail_kmalloc_paths),
	KUNIT_CASE(xalloc_fail_krealloc_keeps_old),
	KUNIT_CASE_PARAM(xalloc_fail_atomic_context, fail_path_gen_params),
	{}
};

static struct kunit_suite xalloc_fail_suite = {
	.name = "xalloc_fail",
	.init = fail_test_init,
	.exit = fail_test_exit,
	.test_cases = xalloc_fail_cases,
};

kunit_test_suite(xalloc_fail_suite);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("KUnit tests for xalloc's failure paths");
