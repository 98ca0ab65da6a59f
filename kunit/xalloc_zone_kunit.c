// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite xalloc_zone: the zone's pages as the kernel sees them (each
 * with a reference count of 1, get_page()/put_page() pairs, a free while a
 * reference is held), its growth up to the cap and its giving back.
 *
 * Every case checks on exit that it caused exactly the error reports it
 * expected (kunit/xalloc_kunit.h) and that every zone is consistent. The
 * growth cases raise node 0's cap for their run and give back what they
 * carved, so that node 0's zone has its pages and limits of before.
 *
 * The per-CPU page lists are off during the suite, so that every allocation
 * and free shows in the zone's counts at once.
 */

#include <kunit/test.h>
#include <linux/cpu.h>
#include <linux/delay.h>
#include <linux/kthread.h>
#include <linux/mm.h>
#include <linux/slab.h>

#include <xalloc/xalloc.h>

#include "../mm/zone.h"
#include "xalloc_kunit.h"

static unsigned int zone_pcp_high, zone_pcp_batch;

static int zone_suite_init(struct kunit_suite *suite)
{
	zone_pcp_high = READ_ONCE(xalloc_pcp_high);
	zone_pcp_batch = READ_ONCE(xalloc_pcp_batch);
	return xalloc_pcp_set(0, zone_pcp_batch);
}

static void zone_suite_exit(struct kunit_suite *suite)
{
	xalloc_pcp_set(zone_pcp_high, zone_pcp_batch);
}

static void zone_test_exit(struct kunit *test)
{
	int nid;

	for_each_node(nid)
		KUNIT_EXPECT_TRUE(test, xalloc_zone_check(nid));
	xalloc_kunit_exit(test);
}

static struct xalloc_zone_info *zone_info(struct kunit *test, int nid)
{
	struct xalloc_zone_info *info;

	info = kunit_kzalloc(test, sizeof(*info), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, info);
	KUNIT_ASSERT_TRUE(test, xalloc_zone_info(nid, info));
	return info;
}

static const unsigned int zone_orders[] = { 0, 1, 3, 4, XALLOC_MAX_ORDER };

static void zone_order_desc(const unsigned int *order, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "order %u", *order);
}

KUNIT_ARRAY_PARAM(zone_order, zone_orders, zone_order_desc);

/*
 * As from alloc_pages(): the first page (and here every page) has a count
 * of 1, page_to_nid() and page_address() are the block's, and the count is
 * 1 again after get_page()/put_page() pairs on each page.
 */
static void xalloc_zone_pages_are_refcounted(struct kunit *test)
{
	unsigned int order = *(const unsigned int *)test->param_value;
	unsigned long pages = 1UL << order, i;
	struct xalloc_page *desc;
	struct page *page;

	page = xalloc_alloc_pages_node(0, GFP_KERNEL | __GFP_THISNODE, order);
	KUNIT_ASSERT_NOT_NULL(test, page);
	desc = xalloc_pfn_desc(page_to_pfn(page));
	KUNIT_ASSERT_NOT_NULL(test, desc);
	KUNIT_EXPECT_EQ(test, page_to_nid(page), desc->chunk->zone->nid);
	KUNIT_EXPECT_EQ(test, page_to_nid(page), 0);
	KUNIT_EXPECT_PTR_EQ(test, page_address(page), xalloc_desc_address(desc));
	for (i = 0; i < pages; i++)
		KUNIT_EXPECT_EQ_MSG(test, page_ref_count(page + i), 1, "page %lu", i);
	for (i = 0; i < pages; i++) {
		get_page(page + i);
		get_page(page + i);
	}
	KUNIT_EXPECT_EQ(test, page_ref_count(page), 3);
	KUNIT_EXPECT_EQ(test, page_ref_count(page + pages - 1), 3);
	for (i = 0; i < pages; i++) {
		put_page(page + i);
		put_page(page + i);
	}
	for (i = 0; i < pages; i++)
		KUNIT_EXPECT_EQ_MSG(test, page_ref_count(page + i), 1, "page %lu", i);
	xalloc_free_pages(page, order);
	/* Free pages keep xalloc's reference. */
	KUNIT_EXPECT_EQ(test, page_ref_count(page), 1);
	XALLOC_KUNIT_EXPECT_REPORTS(test, 0);
}

/* Slab and large kmalloc pages are the zone's pages too: counts of 1. */
static void xalloc_zone_slab_pages_are_refcounted(struct kunit *test)
{
	void *small = xalloc_kmalloc(100, GFP_KERNEL);
	void *large = xalloc_kmalloc(5 * PAGE_SIZE, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, small);
	KUNIT_ASSERT_NOT_NULL(test, large);
	KUNIT_EXPECT_EQ(test, page_ref_count(virt_to_page(small)), 1);
	for (int i = 0; i < 8; i++)
		KUNIT_EXPECT_EQ(test, page_ref_count(virt_to_page(large) + i), 1);
	xalloc_kfree(small);
	xalloc_kfree(large);
	XALLOC_KUNIT_EXPECT_REPORTS(test, 0);
}

/*
 * A block freed while someone holds a reference to a page of it is reported
 * once and leaves the zone: its pages are foreign from then on (a second
 * free and a kfree inside it are reported as such) and never reused; the
 * held page goes to the kernel when its holder drops it. A whole chunk, so
 * that the zone keeps whole chunks (xalloc_test checks that it does).
 */
static void xalloc_zone_free_held_block_reported(struct kunit *test)
{
	const unsigned int order = XALLOC_CHUNK_ORDER;
	struct xalloc_zone_info *before, *after;
	struct page *page;

	page = xalloc_alloc_pages_node(0, GFP_KERNEL | __GFP_THISNODE, order);
	KUNIT_ASSERT_NOT_NULL(test, page);
	before = zone_info(test, 0);
	get_page(page + 1);
	xalloc_free_pages(page, order);
	XALLOC_KUNIT_EXPECT_REPORTS(test, 1);
	after = zone_info(test, 0);
	KUNIT_EXPECT_EQ(test, after->present_pages, before->present_pages - XALLOC_CHUNK_PAGES);
	KUNIT_EXPECT_EQ(test, after->nr_chunks, before->nr_chunks - 1);
	KUNIT_EXPECT_EQ(test, after->nr_given_back,
			before->nr_given_back + XALLOC_CHUNK_PAGES);
	KUNIT_EXPECT_EQ(test, after->free_pages, before->free_pages);
	KUNIT_EXPECT_EQ(test, after->nr_freed, before->nr_freed);
	KUNIT_EXPECT_NULL(test, xalloc_pfn_desc(page_to_pfn(page)));
	KUNIT_EXPECT_NULL(test, xalloc_pfn_desc(page_to_pfn(page) + 1));
	/* The holder's reference is the only one left. */
	KUNIT_EXPECT_EQ(test, page_ref_count(page + 1), 1);
	xalloc_free_pages(page, order);
	XALLOC_KUNIT_EXPECT_REPORTS(test, 1);
	xalloc_kfree(page_address(page + 1));
	XALLOC_KUNIT_EXPECT_REPORTS(test, 1);
	put_page(page + 1);
}

/* __GFP_COMP is refused above order 0, without a report; order 0 works. */
static void xalloc_zone_gfp_comp_refused(struct kunit *test)
{
	struct page *page;

	KUNIT_EXPECT_NULL(test, xalloc_alloc_pages(GFP_KERNEL | __GFP_COMP, 2));
	page = xalloc_alloc_pages(GFP_KERNEL | __GFP_COMP, 0);
	KUNIT_ASSERT_NOT_NULL(test, page);
	KUNIT_EXPECT_EQ(test, page_ref_count(page), 1);
	KUNIT_EXPECT_FALSE(test, PageCompound(page));
	xalloc_free_pages(page, 0);
	XALLOC_KUNIT_EXPECT_REPORTS(test, 0);
}

/*
 * Order-0 pages of node 0, chained through their first word, allocated
 * until NULL or @max: how many.
 */
static unsigned long zone_chain_fill(void **head, gfp_t gfp, unsigned long max)
{
	unsigned long n = 0;
	struct page *page;

	while (n < max) {
		page = xalloc_alloc_pages_node(0, gfp | __GFP_THISNODE, 0);
		if (!page)
			break;
		*(void **)page_address(page) = *head;
		*head = page_address(page);
		if (!(++n % 1024))
			cond_resched();
	}
	return n;
}

static void zone_chain_free(void *head)
{
	unsigned long n = 0;

	while (head) {
		void *next = *(void **)head;

		xalloc_free_pages(virt_to_page(head), 0);
		head = next;
		if (!(++n % 1024))
			cond_resched();
	}
}

/*
 * Node 0's cap raised to @chunks chunks above its present size, which is
 * its floor for the case (below zone_mb after a held block left the zone).
 */
static void zone_grow_limits(struct kunit *test, struct xalloc_zone_info *before,
			     unsigned long chunks)
{
	KUNIT_ASSERT_EQ(test, xalloc_zone_set_limits(0, before->present_pages,
						     before->present_pages +
						     chunks * XALLOC_CHUNK_PAGES), 0);
}

/*
 * Node 0 as it is, after a shrink that gives nothing back (no zone is above
 * its floor) but frees every empty slab, so that none is freed during the
 * case.
 */
static struct xalloc_zone_info *zone_before(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, xalloc_zone_shrink(), 0UL);
	return zone_info(test, 0);
}

static struct xalloc_zone_info *zone_grow_begin(struct kunit *test, unsigned long chunks)
{
	struct xalloc_zone_info *before = zone_before(test);

	KUNIT_ASSERT_EQ(test, before->pcp_pages, 0UL);
	zone_grow_limits(test, before, chunks);
	return before;
}

/*
 * Every page free again: the shrinker gives back exactly what was carved,
 * the newest chunks, and node 0 has its size and limits of before.
 */
static void zone_grow_end(struct kunit *test, struct xalloc_zone_info *before,
			  unsigned long chunks)
{
	unsigned long carved = chunks * XALLOC_CHUNK_PAGES;
	struct xalloc_zone_info *after;

	xalloc_zone_grow_flush(0);
	KUNIT_EXPECT_EQ(test, xalloc_zone_reclaimable(0), carved);
	KUNIT_EXPECT_EQ(test, xalloc_zone_reclaimable(1), 0UL);
	KUNIT_EXPECT_EQ(test, xalloc_zone_shrink(), carved);
	after = zone_info(test, 0);
	KUNIT_EXPECT_EQ(test, after->present_pages, before->present_pages);
	KUNIT_EXPECT_EQ(test, after->nr_chunks, before->nr_chunks);
	KUNIT_EXPECT_EQ(test, after->nr_given_back, before->nr_given_back + carved);
	KUNIT_EXPECT_EQ(test, after->nr_carved, before->nr_carved + chunks);
	KUNIT_EXPECT_EQ(test, xalloc_zone_reclaimable(0), 0UL);
	KUNIT_EXPECT_EQ(test, xalloc_zone_set_limits(0, before->min_pages,
						     before->max_pages), 0);
}

/*
 * A working set larger than the zone: the zone grows chunk by chunk up to
 * its cap, exactly, then says NULL; the pages of the chunks given back are
 * foreign to every lookup afterwards, reported, never followed.
 */
static void xalloc_zone_grows_to_cap_and_gives_back(struct kunit *test)
{
	const unsigned long chunks = 16;
	struct xalloc_zone_info *before = zone_grow_begin(test, chunks), *full;
	void *head = NULL, *last;
	unsigned long n;

	n = zone_chain_fill(&head, GFP_KERNEL, ULONG_MAX);
	KUNIT_EXPECT_EQ(test, n, before->free_pages + chunks * XALLOC_CHUNK_PAGES);
	KUNIT_EXPECT_GT(test, n, before->present_pages);
	KUNIT_EXPECT_NULL(test, xalloc_alloc_pages_node(0, GFP_KERNEL | __GFP_THISNODE, 0));
	full = zone_info(test, 0);
	KUNIT_EXPECT_EQ(test, full->present_pages,
			before->present_pages + chunks * XALLOC_CHUNK_PAGES);
	KUNIT_EXPECT_EQ(test, full->nr_chunks, before->nr_chunks + chunks);
	KUNIT_EXPECT_EQ(test, full->free_pages, 0UL);
	/* The last page came from the last chunk carved. */
	last = head;
	zone_chain_free(head);
	zone_grow_end(test, before, chunks);

	KUNIT_EXPECT_NULL(test, xalloc_addr_desc(last));
	xalloc_kfree(last);
	XALLOC_KUNIT_EXPECT_REPORTS(test, 1);
	xalloc_free_pages(virt_to_page(last), 0);
	XALLOC_KUNIT_EXPECT_REPORTS(test, 1);
}

/*
 * An exhausted zone whose cap is raised gets one chunk from its worker (the
 * low watermark), and an allocation with interrupts off takes a page of it;
 * the worker then carves up to the cap.
 */
static void xalloc_zone_atomic_served_from_reserve(struct kunit *test)
{
	struct xalloc_zone_info *before = zone_before(test), *now;
	void *head = NULL;
	struct page *page;
	unsigned long flags, n;

	/* No growth while it is exhausted (it may be below its cap). */
	zone_grow_limits(test, before, 0);
	n = zone_chain_fill(&head, GFP_KERNEL, ULONG_MAX);
	KUNIT_EXPECT_EQ(test, n, before->free_pages);
	zone_grow_limits(test, before, 2);
	xalloc_zone_grow_flush(0);
	now = zone_info(test, 0);
	KUNIT_EXPECT_EQ(test, now->nr_carved, before->nr_carved + 1);
	KUNIT_EXPECT_EQ(test, now->free_pages, XALLOC_CHUNK_PAGES);
	KUNIT_EXPECT_EQ(test, now->low_pages, XALLOC_CHUNK_PAGES);

	local_irq_save(flags);
	page = xalloc_alloc_pages_node(0, GFP_ATOMIC | __GFP_THISNODE, 0);
	local_irq_restore(flags);
	KUNIT_ASSERT_NOT_NULL(test, page);
	*(void **)page_address(page) = head;
	head = page_address(page);
	/* Below the watermark again: the worker carves the second chunk. */
	xalloc_zone_grow_flush(0);
	now = zone_info(test, 0);
	KUNIT_EXPECT_EQ(test, now->nr_carved, before->nr_carved + 2);
	KUNIT_EXPECT_EQ(test, now->free_pages, 2 * XALLOC_CHUNK_PAGES - 1);
	zone_chain_free(head);
	zone_grow_end(test, before, 2);
}

/*
 * Giving back is page-granular: of a chunk carved for the case, half the
 * pages freed go back while the other half stay in use; then the rest, and
 * the chunk is gone.
 */
static void xalloc_zone_gives_back_page_by_page(struct kunit *test)
{
	struct xalloc_zone_info *before = zone_before(test), *now;
	void *full = NULL, *keep = NULL, *head = NULL, *p;
	unsigned long n, i;

	zone_grow_limits(test, before, 0);
	n = zone_chain_fill(&full, GFP_KERNEL, ULONG_MAX);
	KUNIT_EXPECT_EQ(test, n, before->free_pages);
	zone_grow_limits(test, before, 1);
	xalloc_zone_grow_flush(0);
	n = zone_chain_fill(&head, GFP_KERNEL, ULONG_MAX);
	KUNIT_EXPECT_EQ(test, n, XALLOC_CHUNK_PAGES);
	/* Every other page back to the zone, the rest kept. */
	for (i = 0; head; i++) {
		p = head;
		head = *(void **)p;
		if (i % 2) {
			xalloc_free_pages(virt_to_page(p), 0);
		} else {
			*(void **)p = keep;
			keep = p;
		}
	}
	KUNIT_EXPECT_EQ(test, xalloc_zone_reclaimable(0), XALLOC_CHUNK_PAGES / 2);
	KUNIT_EXPECT_EQ(test, xalloc_zone_shrink(), XALLOC_CHUNK_PAGES / 2);
	now = zone_info(test, 0);
	KUNIT_EXPECT_EQ(test, now->present_pages, before->present_pages + XALLOC_CHUNK_PAGES / 2);
	KUNIT_EXPECT_EQ(test, now->nr_chunks, before->nr_chunks + 1);
	KUNIT_EXPECT_EQ(test, now->free_pages, 0UL);
	zone_chain_free(keep);
	KUNIT_EXPECT_EQ(test, xalloc_zone_shrink(), XALLOC_CHUNK_PAGES / 2);
	now = zone_info(test, 0);
	KUNIT_EXPECT_EQ(test, now->present_pages, before->present_pages);
	KUNIT_EXPECT_EQ(test, now->nr_chunks, before->nr_chunks);
	KUNIT_EXPECT_EQ(test, now->nr_given_back, before->nr_given_back + XALLOC_CHUNK_PAGES);
	zone_chain_free(full);
	KUNIT_EXPECT_EQ(test, xalloc_zone_set_limits(0, before->min_pages,
						     before->max_pages), 0);
}

struct zone_race {
	atomic_long_t pages;
	atomic_t done;
};

static int zone_race_thread(void *arg)
{
	struct zone_race *r = arg;
	void *head = NULL;

	atomic_long_add(zone_chain_fill(&head, GFP_KERNEL, ULONG_MAX), &r->pages);
	atomic_inc(&r->done);
	/* Everyone holds what they got until all have failed once. */
	while (!kthread_should_stop())
		msleep(20);
	zone_chain_free(head);
	return 0;
}

/*
 * Every CPU allocates until NULL at once: the zone grows to its cap and not
 * a chunk beyond, and together they get every page of it.
 */
static void xalloc_zone_growth_races_on_every_cpu(struct kunit *test)
{
	const unsigned long chunks = 8;
	struct xalloc_zone_info *before = zone_grow_begin(test, chunks), *full;
	struct zone_race r = {};
	struct task_struct **tasks;
	int cpu, started;

	tasks = kunit_kcalloc(test, nr_cpu_ids, sizeof(*tasks), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, tasks);
	started = xalloc_kunit_start_on_cpus(test, zone_race_thread, &r, "xalloc_zone/%u", tasks);
	while (atomic_read(&r.done) < started)
		msleep(20);
	full = zone_info(test, 0);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&r.pages),
			before->free_pages + chunks * XALLOC_CHUNK_PAGES);
	KUNIT_EXPECT_EQ(test, full->present_pages,
			before->present_pages + chunks * XALLOC_CHUNK_PAGES);
	KUNIT_EXPECT_EQ(test, full->nr_carved, before->nr_carved + chunks);
	for (cpu = 0; cpu < nr_cpu_ids; cpu++)
		if (tasks[cpu])
			kthread_stop(tasks[cpu]);
	zone_grow_end(test, before, chunks);
}

static struct kunit_case xalloc_zone_cases[] = {
	KUNIT_CASE_PARAM(xalloc_zone_pages_are_refcounted, zone_order_gen_params),
	KUNIT_CASE(xalloc_zone_slab_pages_are_refcounted),
	KUNIT_CASE(xalloc_zone_free_held_block_reported),
	KUNIT_CASE(xalloc_zone_gfp_comp_refused),
	KUNIT_CASE(xalloc_zone_grows_to_cap_and_gives_back),
	KUNIT_CASE(xalloc_zone_atomic_served_from_reserve),
	KUNIT_CASE(xalloc_zone_gives_back_page_by_page),
	KUNIT_CASE(xalloc_zone_growth_races_on_every_cpu),
	{}
};

static struct kunit_suite xalloc_zone_suite = {
	.name = "xalloc_zone",
	.suite_init = zone_suite_init,
	.suite_exit = zone_suite_exit,
	.init = xalloc_kunit_init,
	.exit = zone_test_exit,
	.test_cases = xalloc_zone_cases,
};

kunit_test_suite(xalloc_zone_suite);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("KUnit tests for the xalloc zone's pages, growth and giving back");
