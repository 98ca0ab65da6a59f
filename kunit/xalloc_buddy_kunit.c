// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite xalloc_buddy: the buddy allocator of the xalloc zone.
 *
 * Every case checks on exit that it caused exactly the error reports it
 * expected (none unless it provokes some, kunit/xalloc_kunit.h), that every
 * zone is consistent and that its free counts are what they were before the
 * case.
 *
 * The per-CPU page lists are off during the suite (xalloc_pcp tests them), so
 * that every allocation and free shows in the zone's counts at once.
 */

#include <kunit/test.h>
#include <linux/cpu.h>
#include <linux/delay.h>
#include <linux/kthread.h>
#include <linux/mm.h>
#include <linux/random.h>
#include <linux/slab.h>

#include <xalloc/xalloc.h>

#include "../mm/zone.h"
#include "xalloc_kunit.h"

struct buddy_test_ctx {
	struct xalloc_zone_info before[MAX_NUMNODES];
};

static int buddy_test_init(struct kunit *test)
{
	struct buddy_test_ctx *ctx;
	int nid;

	xalloc_kunit_init(test);
	ctx = kunit_kzalloc(test, sizeof(*ctx), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ctx);
	for_each_node(nid)
		xalloc_zone_info(nid, &ctx->before[nid]);
	test->priv = ctx;
	return 0;
}

static unsigned int buddy_pcp_high, buddy_pcp_batch;

static int buddy_suite_init(struct kunit_suite *suite)
{
	buddy_pcp_high = READ_ONCE(xalloc_pcp_high);
	buddy_pcp_batch = READ_ONCE(xalloc_pcp_batch);
	return xalloc_pcp_set(0, buddy_pcp_batch);
}

static void buddy_suite_exit(struct kunit_suite *suite)
{
	xalloc_pcp_set(buddy_pcp_high, buddy_pcp_batch);
}

static void buddy_test_exit(struct kunit *test)
{
	struct buddy_test_ctx *ctx = test->priv;
	struct xalloc_zone_info now;
	int nid;

	/* Lists off again, whatever the case did. */
	xalloc_pcp_set(0, buddy_pcp_batch);
	for_each_node(nid) {
		if (!xalloc_zone_info(nid, &now))
			continue;
		KUNIT_EXPECT_TRUE(test, xalloc_zone_check(nid));
		KUNIT_EXPECT_EQ(test, now.free_pages, ctx->before[nid].free_pages);
		for (int o = 0; o < XALLOC_NR_ORDERS; o++)
			KUNIT_EXPECT_EQ_MSG(test, now.nr_free[o],
					    ctx->before[nid].nr_free[o],
					    "node %d order %d", nid, o);
	}
	xalloc_kunit_exit(test);
}

static struct xalloc_zone_info *buddy_info(struct kunit *test, int nid)
{
	struct xalloc_zone_info *info;

	info = kunit_kzalloc(test, sizeof(*info), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, info);
	KUNIT_ASSERT_TRUE(test, xalloc_zone_info(nid, info));
	return info;
}

static int buddy_page_nid(struct page *page)
{
	struct xalloc_page *desc = xalloc_pfn_desc(page_to_pfn(page));

	return desc ? desc->chunk->zone->nid : NUMA_NO_NODE;
}

static const unsigned int buddy_orders[] = {
	0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15
};

static void buddy_order_desc(const unsigned int *order, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "order %u", *order);
}

static const void *buddy_order_gen(const void *prev, char *desc)
{
	const unsigned int *o = prev ? (const unsigned int *)prev + 1 : buddy_orders;

	if (*o > XALLOC_MAX_ORDER)
		return NULL;
	buddy_order_desc(o, desc);
	return o;
}

/*
 * Allocating order o splits the smallest free block of order >= o: each
 * order from o up to it gains one free block, it loses one. Freeing merges
 * everything back.
 */
static void xalloc_buddy_split_and_merge_every_order(struct kunit *test)
{
	unsigned int order = *(const unsigned int *)test->param_value;
	struct xalloc_zone_info *before = buddy_info(test, 0);
	struct xalloc_zone_info *mid, *after;
	unsigned int src = order;
	struct page *page;

	while (src <= XALLOC_MAX_ORDER && !before->nr_free[src])
		src++;
	KUNIT_ASSERT_LE(test, src, XALLOC_MAX_ORDER);

	page = xalloc_alloc_pages_node(0, GFP_KERNEL | __GFP_THISNODE, order);
	KUNIT_ASSERT_NOT_NULL(test, page);
	mid = buddy_info(test, 0);
	for (unsigned int o = 0; o < XALLOC_NR_ORDERS; o++) {
		long delta = (o >= order && o < src) - (o == src);

		KUNIT_EXPECT_EQ_MSG(test, (long)(mid->nr_free[o] - before->nr_free[o]),
				    delta, "order %u", o);
	}
	KUNIT_EXPECT_EQ(test, mid->free_pages, before->free_pages - (1UL << order));
	KUNIT_EXPECT_EQ(test, mid->nr_split - before->nr_split, (unsigned long)(src - order));

	xalloc_free_pages(page, order);
	after = buddy_info(test, 0);
	KUNIT_EXPECT_EQ(test, after->nr_merge - mid->nr_merge, (unsigned long)(src - order));
	KUNIT_EXPECT_EQ(test, after->nr_alloc - before->nr_alloc, 1UL);
	KUNIT_EXPECT_EQ(test, after->nr_freed - before->nr_freed, 1UL);
}

static void xalloc_buddy_block_is_aligned(struct kunit *test)
{
	unsigned int order = *(const unsigned int *)test->param_value;
	struct page *page;

	page = xalloc_alloc_pages(GFP_KERNEL, order);
	KUNIT_ASSERT_NOT_NULL(test, page);
	KUNIT_EXPECT_EQ(test, page_to_pfn(page) & ((1UL << order) - 1), 0UL);
	KUNIT_EXPECT_TRUE(test, IS_ALIGNED((unsigned long)page_address(page),
					   PAGE_SIZE << order));
	xalloc_free_pages(page, order);
}

/* Fragment a chunk's worth of pages, free in random order: all merge back. */
static void xalloc_buddy_merge_restores_max_order(struct kunit *test)
{
	const unsigned int n = 2 * XALLOC_CHUNK_PAGES;
	struct page **pages;
	unsigned int i;

	pages = kunit_kcalloc(test, n, sizeof(*pages), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, pages);
	for (i = 0; i < n; i++) {
		pages[i] = xalloc_alloc_pages_node(0, GFP_KERNEL | __GFP_THISNODE, 0);
		KUNIT_ASSERT_NOT_NULL(test, pages[i]);
	}
	for (i = n - 1; i > 0; i--) {
		unsigned int j = get_random_u32() % (i + 1);

		swap(pages[i], pages[j]);
	}
	for (i = 0; i < n; i++)
		xalloc_free_pages(pages[i], 0);
	/* buddy_test_exit() checks that every free count is back. */
}

static unsigned int buddy_exhaust(struct kunit *test, int nid, gfp_t gfp,
				  struct page **pages, unsigned int max,
				  unsigned int *orders)
{
	unsigned int n = 0;
	int o;

	for (o = XALLOC_MAX_ORDER; o >= 0; o--) {
		while (n < max) {
			pages[n] = xalloc_alloc_pages_node(nid, gfp, o);
			if (!pages[n])
				break;
			orders[n++] = o;
		}
	}
	return n;
}

static void buddy_release(struct page **pages, unsigned int *orders,
			  unsigned int n)
{
	while (n--)
		xalloc_free_pages(pages[n], orders[n]);
}

/*
 * Exhaustion fails once per order, then once per call; with the per-CPU
 * lists on, a page left on one is not drained for a request larger than
 * what the zone and the lists hold together.
 */
static void xalloc_buddy_exhaustion_returns_null_and_recovers(struct kunit *test)
{
	const unsigned int max = 8192;
	struct xalloc_zone_info *before = buddy_info(test, 0), *after;
	unsigned int *orders, n;
	struct page **pages, *one;

	pages = kunit_kcalloc(test, max, sizeof(*pages), GFP_KERNEL);
	orders = kunit_kcalloc(test, max, sizeof(*orders), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, pages);
	KUNIT_ASSERT_NOT_NULL(test, orders);
	KUNIT_ASSERT_EQ(test, xalloc_pcp_set(buddy_pcp_high, buddy_pcp_batch), 0);

	one = xalloc_alloc_pages_node(0, GFP_KERNEL | __GFP_THISNODE, 0);
	KUNIT_ASSERT_NOT_NULL(test, one);
	n = buddy_exhaust(test, 0, GFP_KERNEL | __GFP_THISNODE, pages, max, orders);
	KUNIT_ASSERT_LT(test, n, max);
	after = buddy_info(test, 0);
	KUNIT_EXPECT_EQ(test, after->free_pages, 0UL);
	KUNIT_EXPECT_EQ(test, after->pcp_pages, 0UL);
	KUNIT_EXPECT_EQ(test, after->nr_failed, before->nr_failed + XALLOC_NR_ORDERS);
	KUNIT_EXPECT_NULL(test, xalloc_alloc_pages_node(0, GFP_KERNEL | __GFP_THISNODE, 0));
	after = buddy_info(test, 0);
	KUNIT_EXPECT_EQ(test, after->nr_failed, before->nr_failed + XALLOC_NR_ORDERS + 1);

	/* One page on this CPU's list can't make an order-1 block: no drain. */
	xalloc_free_pages(one, 0);
	KUNIT_EXPECT_NULL(test, xalloc_alloc_pages_node(0, GFP_KERNEL | __GFP_THISNODE, 1));
	after = buddy_info(test, 0);
	KUNIT_EXPECT_EQ(test, after->pcp_pages, 1UL);
	KUNIT_EXPECT_EQ(test, after->free_pages, 0UL);
	KUNIT_EXPECT_EQ(test, after->nr_failed, before->nr_failed + XALLOC_NR_ORDERS + 2);
	KUNIT_EXPECT_EQ(test, xalloc_pcp_set(0, buddy_pcp_batch), 0);

	buddy_release(pages, orders, n);
	/* Recovered: a whole chunk can be had again. */
	pages[0] = xalloc_alloc_pages_node(0, GFP_KERNEL | __GFP_THISNODE,
					   XALLOC_MAX_ORDER);
	KUNIT_EXPECT_NOT_NULL(test, pages[0]);
	xalloc_free_pages(pages[0], XALLOC_MAX_ORDER);
}

/* With node 0 exhausted, allocations for node 0 fall back to node 1. */
static void xalloc_buddy_falls_back_to_other_node(struct kunit *test)
{
	const unsigned int max = 8192;
	unsigned int *orders, n;
	struct page **pages, *page;

	/* The guests have at least 2 nodes: a missing one is a failure. */
	KUNIT_ASSERT_NOT_NULL_MSG(test, xalloc_zones[1], "needs a second node (numa=fake=2)");
	pages = kunit_kcalloc(test, max, sizeof(*pages), GFP_KERNEL);
	orders = kunit_kcalloc(test, max, sizeof(*orders), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, pages);
	KUNIT_ASSERT_NOT_NULL(test, orders);

	n = buddy_exhaust(test, 0, GFP_KERNEL | __GFP_THISNODE, pages, max, orders);
	page = xalloc_alloc_pages_node(0, GFP_KERNEL, 0);
	KUNIT_EXPECT_NOT_NULL(test, page);
	if (page) {
		KUNIT_EXPECT_EQ(test, buddy_page_nid(page), 1);
		xalloc_free_pages(page, 0);
	}
	buddy_release(pages, orders, n);
}

static const int buddy_nodes[] = { 0, 1 };

static void buddy_node_desc(const int *nid, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "node %d", *nid);
}

KUNIT_ARRAY_PARAM(buddy_node, buddy_nodes, buddy_node_desc);

static void xalloc_buddy_node_affinity(struct kunit *test)
{
	int nid = *(const int *)test->param_value;
	struct page *page;

	KUNIT_ASSERT_NOT_NULL_MSG(test, xalloc_zones[nid], "no zone on node %d (numa=fake=2)", nid);
	for (unsigned int o = 0; o <= XALLOC_MAX_ORDER; o++) {
		page = xalloc_alloc_pages_node(nid, GFP_KERNEL | __GFP_THISNODE, o);
		KUNIT_ASSERT_NOT_NULL(test, page);
		KUNIT_EXPECT_EQ(test, buddy_page_nid(page), nid);
		KUNIT_EXPECT_EQ(test, page_to_nid(page), nid);
		xalloc_free_pages(page, o);
	}
}

static void xalloc_buddy_gfp_zero_clears_pages(struct kunit *test)
{
	const unsigned int order = 3;
	struct page *page;
	u8 *p;

	page = xalloc_alloc_pages(GFP_KERNEL, order);
	KUNIT_ASSERT_NOT_NULL(test, page);
	memset(page_address(page), 0xa5, PAGE_SIZE << order);
	xalloc_free_pages(page, order);

	page = xalloc_alloc_pages(GFP_KERNEL | __GFP_ZERO, order);
	KUNIT_ASSERT_NOT_NULL(test, page);
	p = page_address(page);
	KUNIT_EXPECT_NULL(test, memchr_inv(p, 0, PAGE_SIZE << order));
	xalloc_free_pages(page, order);
}

static void xalloc_buddy_order_too_large_returns_null(struct kunit *test)
{
	KUNIT_EXPECT_NULL(test, xalloc_alloc_pages(GFP_KERNEL, XALLOC_MAX_ORDER + 1));
	KUNIT_EXPECT_NULL(test, xalloc_alloc_pages(GFP_KERNEL, 64));
	KUNIT_EXPECT_NULL(test, xalloc_alloc_pages(GFP_KERNEL, UINT_MAX));
}

static void xalloc_buddy_bad_node_returns_null(struct kunit *test)
{
	KUNIT_EXPECT_NULL(test, xalloc_alloc_pages_node(MAX_NUMNODES, GFP_KERNEL, 0));
	KUNIT_EXPECT_NULL(test, xalloc_alloc_pages_node(-5, GFP_KERNEL, 0));
	KUNIT_EXPECT_NULL(test, xalloc_alloc_pages_node(MAX_NUMNODES + 3,
							GFP_KERNEL | __GFP_THISNODE, 0));
}

static void xalloc_buddy_free_foreign_page_reported(struct kunit *test)
{
	struct page *page = alloc_page(GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, page);
	xalloc_free_pages(page, 0);
	XALLOC_KUNIT_EXPECT_REPORTS(test, 1);
	__free_page(page);
}

static void xalloc_buddy_double_free_reported(struct kunit *test)
{
	struct page *page, *keep;

	page = xalloc_alloc_pages(GFP_KERNEL, 2);
	KUNIT_ASSERT_NOT_NULL(test, page);
	/* Keep the buddy allocated so the freed block stays a block head. */
	keep = xalloc_alloc_pages_node(page_to_nid(page),
				       GFP_KERNEL | __GFP_THISNODE, 2);
	KUNIT_ASSERT_NOT_NULL(test, keep);
	xalloc_free_pages(page, 2);
	XALLOC_KUNIT_EXPECT_REPORTS(test, 0);
	xalloc_free_pages(page, 2);
	XALLOC_KUNIT_EXPECT_REPORTS(test, 1);
	xalloc_free_pages(keep, 2);
}

static void xalloc_buddy_double_free_after_merge_reported(struct kunit *test)
{
	struct page *page;

	page = xalloc_alloc_pages(GFP_KERNEL, 0);
	KUNIT_ASSERT_NOT_NULL(test, page);
	xalloc_free_pages(page, 0);
	XALLOC_KUNIT_EXPECT_REPORTS(test, 0);
	xalloc_free_pages(page, 0);
	XALLOC_KUNIT_EXPECT_REPORTS(test, 1);
}

static void xalloc_buddy_wrong_order_reported(struct kunit *test)
{
	struct page *page;

	page = xalloc_alloc_pages(GFP_KERNEL, 2);
	KUNIT_ASSERT_NOT_NULL(test, page);
	xalloc_free_pages(page, 1);
	XALLOC_KUNIT_EXPECT_REPORTS(test, 1);
	xalloc_free_pages(page, 3);
	XALLOC_KUNIT_EXPECT_REPORTS(test, 1);
	xalloc_free_pages(page, 2);
}

static void xalloc_buddy_free_inside_block_reported(struct kunit *test)
{
	struct page *page;

	page = xalloc_alloc_pages(GFP_KERNEL, 2);
	KUNIT_ASSERT_NOT_NULL(test, page);
	xalloc_free_pages(pfn_to_page(page_to_pfn(page) + 1), 0);
	XALLOC_KUNIT_EXPECT_REPORTS(test, 1);
	xalloc_free_pages(pfn_to_page(page_to_pfn(page) + 2), 1);
	XALLOC_KUNIT_EXPECT_REPORTS(test, 1);
	xalloc_free_pages(page, 2);
}

static void xalloc_buddy_free_null_is_noop(struct kunit *test)
{
	xalloc_free_pages(NULL, 0);
	xalloc_free_pages(NULL, 5);
}

static void xalloc_buddy_lookup_finds_descriptors(struct kunit *test)
{
	struct page *page = xalloc_alloc_pages(GFP_KERNEL, 1), *foreign;
	struct xalloc_page *desc;
	void *addr;

	KUNIT_ASSERT_NOT_NULL(test, page);
	addr = page_address(page);
	desc = xalloc_addr_desc(addr + PAGE_SIZE + 100);
	KUNIT_ASSERT_NOT_NULL(test, desc);
	KUNIT_EXPECT_EQ(test, xalloc_desc_pfn(desc), page_to_pfn(page) + 1);
	desc = xalloc_addr_desc(addr);
	KUNIT_EXPECT_EQ(test, desc->type, (u8)XALLOC_PAGE_ALLOC);
	KUNIT_EXPECT_EQ(test, desc->order, (u8)1);
	KUNIT_EXPECT_PTR_EQ(test, xalloc_desc_address(desc), addr);

	foreign = alloc_page(GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, foreign);
	KUNIT_EXPECT_NULL(test, xalloc_addr_desc(page_address(foreign)));
	__free_page(foreign);
	KUNIT_EXPECT_NULL(test, xalloc_addr_desc(test));	/* stack/slab */
	KUNIT_EXPECT_NULL(test, xalloc_addr_desc(NULL));
	xalloc_free_pages(page, 1);
}

static void xalloc_buddy_atomic_context(struct kunit *test)
{
	struct page *page;
	unsigned long flags;

	local_irq_save(flags);
	page = xalloc_alloc_pages(GFP_ATOMIC, 0);
	if (page)
		xalloc_free_pages(page, 0);
	local_irq_restore(flags);
	KUNIT_EXPECT_NOT_NULL(test, page);
}

/* Concurrent alloc/free from a kthread on every CPU, contents verified. */
struct buddy_stress {
	struct kunit *test;
	atomic_t errors;
	atomic_t done;
};

#define BUDDY_STRESS_SLOTS	16
#define BUDDY_STRESS_ROUNDS	3000

static u32 buddy_pattern(struct page *page, unsigned int seq, unsigned int i)
{
	return (u32)page_to_pfn(page) * 2654435761u ^ seq ^ (i * 40503u);
}

static void buddy_fill(struct page *page, unsigned int order, unsigned int seq)
{
	u32 *p = page_address(page);
	unsigned int n = (PAGE_SIZE << order) / sizeof(u32);

	for (unsigned int i = 0; i < n; i += 61)
		p[i] = buddy_pattern(page, seq, i);
}

static bool buddy_verify(struct page *page, unsigned int order, unsigned int seq)
{
	u32 *p = page_address(page);
	unsigned int n = (PAGE_SIZE << order) / sizeof(u32);

	for (unsigned int i = 0; i < n; i += 61)
		if (p[i] != buddy_pattern(page, seq, i))
			return false;
	return true;
}

static int buddy_stress_thread(void *arg)
{
	struct buddy_stress *st = arg;
	struct page *page[BUDDY_STRESS_SLOTS] = {};
	unsigned int order[BUDDY_STRESS_SLOTS], seq[BUDDY_STRESS_SLOTS];

	for (unsigned int r = 0; r < BUDDY_STRESS_ROUNDS; r++) {
		unsigned int s = get_random_u32() % BUDDY_STRESS_SLOTS;

		if (page[s]) {
			if (!buddy_verify(page[s], order[s], seq[s]))
				atomic_inc(&st->errors);
			xalloc_free_pages(page[s], order[s]);
			page[s] = NULL;
			continue;
		}
		order[s] = get_random_u32() % 5;
		seq[s] = r;
		page[s] = xalloc_alloc_pages(GFP_KERNEL, order[s]);
		if (!page[s]) {
			atomic_inc(&st->errors);
			continue;
		}
		buddy_fill(page[s], order[s], seq[s]);
		if (!(r % 256))
			cond_resched();
	}
	for (unsigned int s = 0; s < BUDDY_STRESS_SLOTS; s++) {
		if (!page[s])
			continue;
		if (!buddy_verify(page[s], order[s], seq[s]))
			atomic_inc(&st->errors);
		xalloc_free_pages(page[s], order[s]);
	}
	atomic_inc(&st->done);
	return 0;
}

static void xalloc_buddy_concurrent_all_cpus(struct kunit *test)
{
	struct buddy_stress st = { .test = test };
	struct task_struct **tasks;
	int started;

	tasks = kunit_kcalloc(test, nr_cpu_ids, sizeof(*tasks), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, tasks);
	started = xalloc_kunit_start_on_cpus(test, buddy_stress_thread, &st,
					     "xalloc_buddy/%u", tasks);
	while (atomic_read(&st.done) < started)
		msleep(20);
	KUNIT_EXPECT_EQ(test, atomic_read(&st.errors), 0);
}

static struct kunit_case xalloc_buddy_cases[] = {
	KUNIT_CASE_PARAM(xalloc_buddy_split_and_merge_every_order, buddy_order_gen),
	KUNIT_CASE_PARAM(xalloc_buddy_block_is_aligned, buddy_order_gen),
	KUNIT_CASE(xalloc_buddy_merge_restores_max_order),
	KUNIT_CASE(xalloc_buddy_exhaustion_returns_null_and_recovers),
	KUNIT_CASE(xalloc_buddy_falls_back_to_other_node),
	KUNIT_CASE_PARAM(xalloc_buddy_node_affinity, buddy_node_gen_params),
	KUNIT_CASE(xalloc_buddy_gfp_zero_clears_pages),
	KUNIT_CASE(xalloc_buddy_order_too_large_returns_null),
	KUNIT_CASE(xalloc_buddy_bad_node_returns_null),
	KUNIT_CASE(xalloc_buddy_free_foreign_page_reported),
	KUNIT_CASE(xalloc_buddy_double_free_reported),
	KUNIT_CASE(xalloc_buddy_double_free_after_merge_reported),
	KUNIT_CASE(xalloc_buddy_wrong_order_reported),
	KUNIT_CASE(xalloc_buddy_free_inside_block_reported),
	KUNIT_CASE(xalloc_buddy_free_null_is_noop),
	KUNIT_CASE(xalloc_buddy_lookup_finds_descriptors),
	KUNIT_CASE(xalloc_buddy_atomic_context),
	KUNIT_CASE(xalloc_buddy_concurrent_all_cpus),
	{}
};

static struct kunit_suite xalloc_buddy_suite = {
	.name = "xalloc_buddy",
	.suite_init = buddy_suite_init,
	.suite_exit = buddy_suite_exit,
	.init = buddy_test_init,
	.exit = buddy_test_exit,
	.test_cases = xalloc_buddy_cases,
};

kunit_test_suite(xalloc_buddy_suite);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("KUnit tests for the xalloc buddy zone");
