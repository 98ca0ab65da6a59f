// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite xalloc_pcp: the per-CPU page lists of the xalloc zone.
 *
 * Every case runs with pcp_high 378 and pcp_batch 63, starting from drained
 * lists, and checks on exit that it caused exactly the reports it expected,
 * that every zone (lists included) is consistent, and that after draining
 * again every free count is what it was before the case.
 */

#include <kunit/test.h>
#include <linux/cpu.h>
#include <linux/delay.h>
#include <linux/hrtimer.h>
#include <linux/kasan.h>
#include <linux/kthread.h>
#include <linux/mm.h>
#include <linux/random.h>
#include <linux/workqueue.h>

#include <xalloc/xalloc.h>

#include "../mm/zone.h"
#include "xalloc_kunit.h"

#define PCP_HIGH	378
#define PCP_BATCH	63

struct pcp_test_ctx {
	unsigned int high, batch;	/* the module's values, restored on exit */
	struct xalloc_zone_info before[MAX_NUMNODES];
};

static int pcp_test_init(struct kunit *test)
{
	struct pcp_test_ctx *ctx;
	int nid;

	xalloc_kunit_init(test);
	ctx = kunit_kzalloc(test, sizeof(*ctx), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ctx);
	ctx->high = READ_ONCE(xalloc_pcp_high);
	ctx->batch = READ_ONCE(xalloc_pcp_batch);
	KUNIT_ASSERT_EQ(test, xalloc_pcp_set(PCP_HIGH, PCP_BATCH), 0);
	for_each_node(nid)
		xalloc_zone_info(nid, &ctx->before[nid]);
	test->priv = ctx;
	return 0;
}

static void pcp_test_exit(struct kunit *test)
{
	struct pcp_test_ctx *ctx = test->priv;
	struct xalloc_zone_info now;
	int nid;

	/* Off whatever the case did: an assertion may have ended it early. */
	xalloc_page_poison = false;
	for_each_node(nid)
		KUNIT_EXPECT_TRUE(test, xalloc_zone_check(nid));
	KUNIT_EXPECT_EQ(test, xalloc_pcp_set(ctx->high, ctx->batch), 0);
	for_each_node(nid) {
		if (!xalloc_zone_info(nid, &now))
			continue;
		KUNIT_EXPECT_EQ(test, now.pcp_pages, 0UL);
		KUNIT_EXPECT_EQ(test, now.free_pages, ctx->before[nid].free_pages);
		for (int o = 0; o < XALLOC_NR_ORDERS; o++)
			KUNIT_EXPECT_EQ_MSG(test, now.nr_free[o],
					    ctx->before[nid].nr_free[o],
					    "node %d order %d", nid, o);
	}
	xalloc_kunit_exit(test);
}

static struct xalloc_zone_info *pcp_info(struct kunit *test, int nid)
{
	struct xalloc_zone_info *info;

	info = kunit_kzalloc(test, sizeof(*info), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, info);
	KUNIT_ASSERT_TRUE(test, xalloc_zone_info(nid, info));
	return info;
}

/* Pages on @cpu's lists of node 0's zone. */
static unsigned long pcp_count(int cpu)
{
	return xalloc_pcp_pages(xalloc_zone_of(0), cpu);
}

/* A batch of work run by a worker bound to one CPU (work_on_cpu()). */
struct pcp_work {
	struct kunit *test;
	unsigned int order;
	unsigned int n;			/* pages to allocate or free */
	struct page **pages;
	unsigned long max_count;	/* most pages seen on the CPU's lists */
	int cpu;			/* where it ran */
};

static long pcp_alloc_fn(void *arg)
{
	struct pcp_work *w = arg;

	w->cpu = smp_processor_id();
	for (unsigned int i = 0; i < w->n; i++) {
		w->pages[i] = xalloc_alloc_pages_node(0, GFP_KERNEL | __GFP_THISNODE,
						      w->order);
		if (!w->pages[i])
			return -ENOMEM;
	}
	return 0;
}

static long pcp_free_fn(void *arg)
{
	struct pcp_work *w = arg;

	w->cpu = smp_processor_id();
	w->max_count = 0;
	for (unsigned int i = 0; i < w->n; i++) {
		xalloc_free_pages(w->pages[i], w->order);
		w->max_count = max(w->max_count, pcp_count(w->cpu));
	}
	return 0;
}

static struct pcp_work *pcp_work(struct kunit *test, unsigned int order,
				 unsigned int n)
{
	struct pcp_work *w = kunit_kzalloc(test, sizeof(*w), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, w);
	w->pages = kunit_kcalloc(test, n, sizeof(*w->pages), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, w->pages);
	w->test = test;
	w->order = order;
	w->n = n;
	return w;
}

static long pcp_on_cpu(struct kunit *test, int cpu, long (*fn)(void *), void *arg)
{
	/* The guests have at least 2 CPUs: one offline is a failure. */
	KUNIT_ASSERT_TRUE_MSG(test, cpu_online(cpu), "CPU %d is offline", cpu);
	return work_on_cpu(cpu, fn, arg);
}

static const unsigned int pcp_orders[] = { 0, 1, 2, 3 };

static void pcp_order_desc(const unsigned int *order, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "order %u", *order);
}

KUNIT_ARRAY_PARAM(pcp_order, pcp_orders, pcp_order_desc);

/*
 * The first block of an order takes a batch from the zone: 63 pages' worth
 * of blocks (at least one), one handed out, the rest on the CPU's list.
 * Freeing it puts it on the list, and the next allocation gets it back.
 */
static void xalloc_pcp_refill_takes_a_batch(struct kunit *test)
{
	unsigned int order = *(const unsigned int *)test->param_value;
	unsigned long blocks = max(PCP_BATCH >> order, 1);
	struct xalloc_zone_info *before = pcp_info(test, 0), *mid;
	struct pcp_work *w = pcp_work(test, order, 1);
	struct page *first;

	KUNIT_ASSERT_EQ(test, before->pcp_pages, 0UL);
	KUNIT_ASSERT_EQ(test, pcp_on_cpu(test, 0, pcp_alloc_fn, w), 0L);
	mid = pcp_info(test, 0);
	KUNIT_EXPECT_EQ(test, mid->free_pages, before->free_pages - (blocks << order));
	KUNIT_EXPECT_EQ(test, mid->pcp_pages, (blocks - 1) << order);
	KUNIT_EXPECT_EQ(test, pcp_count(0), (blocks - 1) << order);
	KUNIT_EXPECT_EQ(test, mid->nr_alloc - before->nr_alloc, blocks);
	KUNIT_EXPECT_EQ(test, page_to_pfn(w->pages[0]) & ((1UL << order) - 1), 0UL);

	first = w->pages[0];
	KUNIT_ASSERT_EQ(test, pcp_on_cpu(test, 0, pcp_free_fn, w), 0L);
	KUNIT_EXPECT_EQ(test, pcp_count(0), blocks << order);
	mid = pcp_info(test, 0);
	KUNIT_EXPECT_EQ(test, mid->free_pages, before->free_pages - (blocks << order));
	/* Newest first: the block just freed is the next one handed out. */
	KUNIT_ASSERT_EQ(test, pcp_on_cpu(test, 0, pcp_alloc_fn, w), 0L);
	KUNIT_EXPECT_PTR_EQ(test, w->pages[0], first);
	KUNIT_ASSERT_EQ(test, pcp_on_cpu(test, 0, pcp_free_fn, w), 0L);
}

/*
 * Freeing many blocks never leaves more than pcp_high pages on a list. 1134
 * pages are 18 whole batches, so the list is empty after allocating them;
 * freeing them fills it to 378, then every 379th page gives 63 back, and the
 * last free leaves it at 378 again.
 */
static void xalloc_pcp_high_bounds_the_list(struct kunit *test)
{
	const unsigned int n = 3 * PCP_HIGH;
	struct xalloc_zone_info *before = pcp_info(test, 0), *mid;
	struct pcp_work *w = pcp_work(test, 0, n);

	KUNIT_ASSERT_EQ(test, pcp_on_cpu(test, 0, pcp_alloc_fn, w), 0L);
	KUNIT_EXPECT_EQ(test, pcp_count(0), 0UL);
	KUNIT_ASSERT_EQ(test, pcp_on_cpu(test, 0, pcp_free_fn, w), 0L);
	KUNIT_EXPECT_EQ(test, w->max_count, (unsigned long)PCP_HIGH);
	mid = pcp_info(test, 0);
	KUNIT_EXPECT_EQ(test, mid->pcp_pages, (unsigned long)PCP_HIGH);
	KUNIT_EXPECT_EQ(test, mid->free_pages, before->free_pages - PCP_HIGH);
}

/* Blocks of order 4 and up never touch the lists. */
static void xalloc_pcp_large_orders_bypass(struct kunit *test)
{
	struct xalloc_zone_info *before = pcp_info(test, 0), *mid;
	struct pcp_work *w = pcp_work(test, XALLOC_PCP_MAX_ORDER + 1, 2);

	KUNIT_ASSERT_EQ(test, pcp_on_cpu(test, 0, pcp_alloc_fn, w), 0L);
	mid = pcp_info(test, 0);
	KUNIT_EXPECT_EQ(test, mid->pcp_pages, 0UL);
	KUNIT_EXPECT_EQ(test, mid->free_pages, before->free_pages - (2UL << w->order));
	KUNIT_ASSERT_EQ(test, pcp_on_cpu(test, 0, pcp_free_fn, w), 0L);
	KUNIT_EXPECT_EQ(test, pcp_info(test, 0)->pcp_pages, 0UL);
}

/* With pcp_high 0 the lists are off: exact buddy behaviour. */
static void xalloc_pcp_high_zero_turns_lists_off(struct kunit *test)
{
	struct xalloc_zone_info *before, *mid;
	struct pcp_work *w = pcp_work(test, 0, 1);

	KUNIT_ASSERT_EQ(test, pcp_on_cpu(test, 0, pcp_alloc_fn, w), 0L);
	KUNIT_ASSERT_EQ(test, pcp_on_cpu(test, 0, pcp_free_fn, w), 0L);
	KUNIT_EXPECT_EQ(test, pcp_count(0), (unsigned long)PCP_BATCH);
	/* Setting the bounds drains every list. */
	KUNIT_ASSERT_EQ(test, xalloc_pcp_set(0, PCP_BATCH), 0);
	before = pcp_info(test, 0);
	KUNIT_EXPECT_EQ(test, before->pcp_pages, 0UL);
	KUNIT_ASSERT_EQ(test, pcp_on_cpu(test, 0, pcp_alloc_fn, w), 0L);
	mid = pcp_info(test, 0);
	KUNIT_EXPECT_EQ(test, mid->pcp_pages, 0UL);
	KUNIT_EXPECT_EQ(test, mid->free_pages, before->free_pages - 1);
	KUNIT_ASSERT_EQ(test, pcp_on_cpu(test, 0, pcp_free_fn, w), 0L);
	KUNIT_EXPECT_EQ(test, pcp_info(test, 0)->free_pages, before->free_pages);
	/* Out of range. */
	KUNIT_EXPECT_EQ(test, xalloc_pcp_set(65537, PCP_BATCH), -EINVAL);
	KUNIT_EXPECT_EQ(test, xalloc_pcp_set(PCP_HIGH, 0), -EINVAL);
	KUNIT_EXPECT_EQ(test, xalloc_pcp_set(PCP_HIGH, 1025), -EINVAL);
}

/* A second free of a block that sits on a list is reported and ignored. */
static void xalloc_pcp_double_free_reported(struct kunit *test)
{
	struct pcp_work *w = pcp_work(test, 1, 1);
	unsigned long count;

	KUNIT_ASSERT_EQ(test, pcp_on_cpu(test, 0, pcp_alloc_fn, w), 0L);
	KUNIT_ASSERT_EQ(test, pcp_on_cpu(test, 0, pcp_free_fn, w), 0L);
	count = pcp_count(0);
	/* Order 1: a batch is 31 blocks, 62 pages. */
	KUNIT_EXPECT_EQ(test, count, 62UL);
	XALLOC_KUNIT_EXPECT_REPORTS(test, 0);
	KUNIT_ASSERT_EQ(test, pcp_on_cpu(test, 0, pcp_free_fn, w), 0L);
	XALLOC_KUNIT_EXPECT_REPORTS(test, 1);
	KUNIT_EXPECT_EQ(test, pcp_count(0), count);
	/* From another CPU too. */
	KUNIT_ASSERT_EQ(test, pcp_on_cpu(test, 1, pcp_free_fn, w), 0L);
	XALLOC_KUNIT_EXPECT_REPORTS(test, 1);
	KUNIT_EXPECT_EQ(test, pcp_count(1), 0UL);
	/* A free with the wrong order of a block on a list: also reported. */
	xalloc_free_pages(w->pages[0], 0);
	XALLOC_KUNIT_EXPECT_REPORTS(test, 1);
	KUNIT_EXPECT_EQ(test, pcp_count(0), count);
}

/* Pages on the per-CPU lists of every zone. */
static unsigned long pcp_all_pages(void)
{
	unsigned long pages = 0;
	int nid;

	for_each_node(nid)
		if (xalloc_zone_of(nid))
			pages += xalloc_pcp_pages(xalloc_zone_of(nid), -1);
	return pages;
}

/* xalloc_zone_drain() and xalloc_cache_shrink() empty every list. */
static void xalloc_pcp_drain_and_shrink_empty_lists(struct kunit *test)
{
	struct pcp_test_ctx *ctx = test->priv;
	struct xalloc_zone_info *before = pcp_info(test, 0), *after;
	struct pcp_work *w = pcp_work(test, 0, 8);
	struct xalloc_cache *s;
	void *obj;
	int cpu, nid;

	/* Each CPU: a batch of 63 taken, 8 handed out and back. */
	for_each_online_cpu(cpu) {
		KUNIT_ASSERT_EQ(test, pcp_on_cpu(test, cpu, pcp_alloc_fn, w), 0L);
		KUNIT_ASSERT_EQ(test, pcp_on_cpu(test, cpu, pcp_free_fn, w), 0L);
		KUNIT_EXPECT_EQ(test, pcp_count(cpu), (unsigned long)PCP_BATCH);
	}
	xalloc_zone_drain();
	after = pcp_info(test, 0);
	KUNIT_EXPECT_EQ(test, after->pcp_pages, 0UL);
	KUNIT_EXPECT_EQ(test, after->free_pages, before->free_pages);

	/* A cache's empty slabs reach the zone's free lists on shrink. */
	s = xalloc_cache_create("pcp_shrink", 512, 0, 0, NULL);
	KUNIT_ASSERT_NOT_NULL(test, s);
	obj = xalloc_cache_alloc(s, GFP_KERNEL);
	KUNIT_EXPECT_NOT_NULL(test, obj);
	xalloc_cache_free(s, obj);
	/* The slab's batch is on a list until the shrink. */
	KUNIT_EXPECT_GT(test, pcp_all_pages(), 0UL);
	xalloc_cache_shrink(s);
	for_each_node(nid) {
		struct xalloc_zone_info info;

		if (!xalloc_zone_info(nid, &info))
			continue;
		KUNIT_EXPECT_EQ(test, info.pcp_pages, 0UL);
		KUNIT_EXPECT_EQ(test, info.free_pages, ctx->before[nid].free_pages);
	}
	xalloc_cache_destroy(s);
}

/* A CPU going offline gives its blocks back. */
static void xalloc_pcp_cpu_offline_drains(struct kunit *test)
{
	struct pcp_work *w = pcp_work(test, 2, 4);
	unsigned long free0;
	int ret;

	/* Order 2: a batch is 15 blocks, 60 pages. */
	KUNIT_ASSERT_EQ(test, pcp_on_cpu(test, 1, pcp_alloc_fn, w), 0L);
	KUNIT_ASSERT_EQ(test, pcp_on_cpu(test, 1, pcp_free_fn, w), 0L);
	KUNIT_ASSERT_EQ(test, pcp_count(1), 60UL);
	free0 = pcp_info(test, 0)->free_pages;
	ret = remove_cpu(1);
	KUNIT_ASSERT_EQ(test, ret, 0);
	KUNIT_EXPECT_EQ(test, pcp_count(1), 0UL);
	KUNIT_EXPECT_EQ(test, pcp_info(test, 0)->free_pages, free0 + 60);
	KUNIT_ASSERT_EQ(test, add_cpu(1), 0);
	/* The CPU's lists work again. */
	KUNIT_ASSERT_EQ(test, pcp_on_cpu(test, 1, pcp_alloc_fn, w), 0L);
	KUNIT_ASSERT_EQ(test, pcp_on_cpu(test, 1, pcp_free_fn, w), 0L);
	KUNIT_EXPECT_EQ(test, pcp_count(1), 60UL);
}

/*
 * When the zone runs dry, an allocation takes back what other CPUs keep:
 * every page of node 0 can be had from CPU 0 although CPU 1 held some.
 */
static void xalloc_pcp_exhaustion_drains_other_cpus(struct kunit *test)
{
	struct xalloc_zone_info *before = pcp_info(test, 0);
	unsigned long total = before->free_pages;
	struct pcp_work *w1 = pcp_work(test, 0, 16);
	struct pcp_work *w0 = pcp_work(test, 0, total);
	unsigned int got = 0;

	KUNIT_ASSERT_EQ(test, pcp_on_cpu(test, 1, pcp_alloc_fn, w1), 0L);
	KUNIT_ASSERT_EQ(test, pcp_on_cpu(test, 1, pcp_free_fn, w1), 0L);
	KUNIT_ASSERT_EQ(test, pcp_count(1), (unsigned long)PCP_BATCH);
	/* Allocate every page of node 0 on CPU 0: all succeed, none more. */
	KUNIT_EXPECT_EQ(test, pcp_on_cpu(test, 0, pcp_alloc_fn, w0), 0L);
	while (got < total && w0->pages[got])
		got++;
	KUNIT_EXPECT_EQ(test, got, (unsigned int)total);
	KUNIT_EXPECT_EQ(test, pcp_count(1), 0UL);
	KUNIT_EXPECT_NULL(test, xalloc_alloc_pages_node(0, GFP_KERNEL | __GFP_THISNODE, 0));
	w0->n = got;
	KUNIT_ASSERT_EQ(test, pcp_on_cpu(test, 0, pcp_free_fn, w0), 0L);
}

/*
 * Blocks on a list keep their buddies from merging: with node 0 otherwise
 * full, a chunk of which CPU 1 keeps a batch is whole again for an order-10
 * allocation, which drains the lists when the zone has no such block.
 */
static void xalloc_pcp_high_order_drains_lists(struct kunit *test)
{
	const unsigned int max = 8192;
	struct pcp_work *w1 = pcp_work(test, 0, 1);
	unsigned int *orders, n = 0;
	struct page **pages, *page;

	pages = kunit_kcalloc(test, max, sizeof(*pages), GFP_KERNEL);
	orders = kunit_kcalloc(test, max, sizeof(*orders), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, pages);
	KUNIT_ASSERT_NOT_NULL(test, orders);
	/* Node 0 full: every order, largest first. */
	for (int o = XALLOC_MAX_ORDER; o >= 0; o--) {
		while (n < max) {
			pages[n] = xalloc_alloc_pages_node(0, GFP_KERNEL | __GFP_THISNODE, o);
			if (!pages[n])
				break;
			orders[n++] = o;
		}
	}
	KUNIT_ASSERT_LT(test, n, max);
	KUNIT_ASSERT_EQ(test, orders[0], (unsigned int)XALLOC_MAX_ORDER);
	KUNIT_EXPECT_EQ(test, xalloc_pcp_pages(xalloc_zone_of(0), -1), 0UL);
	/* The first chunk back, then CPU 1 takes a batch of it to its list. */
	xalloc_free_pages(pages[0], XALLOC_MAX_ORDER);
	KUNIT_ASSERT_EQ(test, pcp_on_cpu(test, 1, pcp_alloc_fn, w1), 0L);
	KUNIT_ASSERT_EQ(test, pcp_on_cpu(test, 1, pcp_free_fn, w1), 0L);
	KUNIT_EXPECT_EQ(test, pcp_count(1), (unsigned long)PCP_BATCH);
	page = xalloc_alloc_pages_node(0, GFP_KERNEL | __GFP_THISNODE, XALLOC_MAX_ORDER);
	KUNIT_EXPECT_PTR_EQ(test, page, pages[0]);
	KUNIT_EXPECT_EQ(test, pcp_count(1), 0UL);
	if (page)
		xalloc_free_pages(page, XALLOC_MAX_ORDER);
	while (--n)
		xalloc_free_pages(pages[n], orders[n]);
}

/* page_poison: a block on a list is poisoned, checked when handed out. */
static void xalloc_pcp_poison_checked(struct kunit *test)
{
	struct pcp_work *w = pcp_work(test, 0, 1);
	struct page *first;
	u8 *p, poison;

	xalloc_page_poison = true;
	KUNIT_ASSERT_EQ(test, pcp_on_cpu(test, 0, pcp_alloc_fn, w), 0L);
	first = w->pages[0];
	p = page_address(first);
	KUNIT_ASSERT_EQ(test, pcp_on_cpu(test, 0, pcp_free_fn, w), 0L);
	/* The block is free, poisoned for KASAN too: no report for p[100], p[200]. */
	kasan_disable_current();
	poison = p[100];
	kasan_enable_current();
	KUNIT_EXPECT_EQ(test, poison, (u8)XALLOC_PAGE_POISON);
	KUNIT_EXPECT_TRUE(test, xalloc_zone_check(0));
	kasan_disable_current();
	p[200] = 0;			/* write after free */
	kasan_enable_current();
	KUNIT_EXPECT_FALSE(test, xalloc_zone_check(0));
	XALLOC_KUNIT_EXPECT_REPORTS(test, 1);
	KUNIT_ASSERT_EQ(test, pcp_on_cpu(test, 0, pcp_alloc_fn, w), 0L);
	XALLOC_KUNIT_EXPECT_REPORTS(test, 1);
	KUNIT_EXPECT_PTR_EQ(test, w->pages[0], first);
	xalloc_page_poison = false;
	KUNIT_ASSERT_EQ(test, pcp_on_cpu(test, 0, pcp_free_fn, w), 0L);
}

/* Threads on every CPU allocate orders 0..3 and free each other's blocks. */
struct pcp_stress {
	struct page *slot[64];		/* blocks in transit, of order (i & 3) */
	spinlock_t lock;
	atomic_t done;
	atomic_t errors;
};

static int pcp_stress_thread(void *arg)
{
	struct pcp_stress *st = arg;

	for (unsigned int round = 0; round < 4000; round++) {
		unsigned int i = get_random_u32() % ARRAY_SIZE(st->slot);
		unsigned int order = i & XALLOC_PCP_MAX_ORDER;
		struct page *page = xalloc_alloc_pages(GFP_KERNEL, order), *old;

		if (!page) {
			atomic_inc(&st->errors);
			continue;
		}
		memset(page_address(page), i, PAGE_SIZE << order);
		spin_lock(&st->lock);
		old = st->slot[i];
		st->slot[i] = page;
		spin_unlock(&st->lock);
		if (old) {
			if (memchr_inv(page_address(old), i, PAGE_SIZE << order))
				atomic_inc(&st->errors);
			xalloc_free_pages(old, order);
		}
		cond_resched();
	}
	atomic_inc(&st->done);
	return 0;
}

/*
 * A thread per CPU allocates, fills, checks and frees blocks of orders 0-3;
 * with @retune, this task meanwhile writes pcp_high and pcp_batch over and
 * over, each write draining every list. Return: the writes made.
 */
static unsigned int pcp_stress_run(struct kunit *test, bool retune)
{
	static const unsigned int highs[] = { 0, 1, 63, PCP_HIGH, 1000 };
	static const unsigned int batches[] = { 1, 7, PCP_BATCH, 200 };
	struct pcp_stress *st = kunit_kzalloc(test, sizeof(*st), GFP_KERNEL);
	unsigned int writes = 0;
	int cpu, started = 0;

	KUNIT_ASSERT_NOT_NULL(test, st);
	spin_lock_init(&st->lock);
	cpus_read_lock();
	for_each_online_cpu(cpu) {
		struct task_struct *t;

		t = kthread_create_on_cpu(pcp_stress_thread, st, cpu, "xalloc_pcp/%u");
		if (IS_ERR(t))
			continue;
		wake_up_process(t);
		started++;
	}
	cpus_read_unlock();
	KUNIT_EXPECT_EQ(test, started, (int)num_online_cpus());
	while (atomic_read(&st->done) < started) {
		if (!retune) {
			msleep(20);
			continue;
		}
		KUNIT_EXPECT_EQ(test, xalloc_pcp_set(highs[writes % ARRAY_SIZE(highs)],
						     batches[writes % ARRAY_SIZE(batches)]), 0);
		writes++;
		usleep_range(500, 1000);
	}
	KUNIT_EXPECT_EQ(test, atomic_read(&st->errors), 0);
	for (unsigned int i = 0; i < ARRAY_SIZE(st->slot); i++)
		if (st->slot[i])
			xalloc_free_pages(st->slot[i], i & XALLOC_PCP_MAX_ORDER);
	return writes;
}

static void xalloc_pcp_concurrent_all_cpus(struct kunit *test)
{
	pcp_stress_run(test, false);
}

/*
 * pcp_high and pcp_batch written while every CPU allocates: no block lost
 * or handed out twice (the fills), the lists consistent and every free
 * count back on exit; the last write drains every list to empty.
 */
static void xalloc_pcp_tunables_written_under_load(struct kunit *test)
{
	unsigned int writes = pcp_stress_run(test, true);
	int cpu, nid;

	kunit_info(test, "%u writes of pcp_high and pcp_batch", writes);
	KUNIT_EXPECT_GT(test, writes, 0U);
	KUNIT_ASSERT_EQ(test, xalloc_pcp_set(PCP_HIGH, PCP_BATCH), 0);
	for_each_node(nid) {
		struct xalloc_zone *zone = xalloc_zone_of(nid);

		if (!zone)
			continue;
		for_each_possible_cpu(cpu)
			KUNIT_EXPECT_EQ(test, xalloc_pcp_pages(zone, cpu), 0UL);
	}
}

/* With this CPU's lists locked, as by the code an interrupt came in on. */
struct pcp_busy {
	struct page *page;
	struct xalloc_zone_info mid, after;
};

static long pcp_busy_fn(void *arg)
{
	struct xalloc_pcp *pcp;
	struct pcp_busy *b = arg;

	preempt_disable();
	pcp = this_cpu_ptr(xalloc_zone_of(0)->pcp);
	spin_lock(&pcp->lock);
	b->page = xalloc_alloc_pages_node(0, GFP_NOWAIT | __GFP_THISNODE, 0);
	xalloc_zone_info(0, &b->mid);
	if (b->page)
		xalloc_free_pages(b->page, 0);
	xalloc_zone_info(0, &b->after);
	spin_unlock(&pcp->lock);
	preempt_enable();
	return 0;
}

/*
 * A CPU whose lists are busy (the trylock fails) takes the block from the
 * zone and gives it back there: the list's batch stays as it was.
 */
static void xalloc_pcp_busy_list_uses_zone(struct kunit *test)
{
	struct pcp_busy *b = kunit_kzalloc(test, sizeof(*b), GFP_KERNEL);
	struct pcp_work *w = pcp_work(test, 0, 1);
	struct xalloc_zone_info *before;

	KUNIT_ASSERT_NOT_NULL(test, b);
	KUNIT_ASSERT_EQ(test, pcp_on_cpu(test, 0, pcp_alloc_fn, w), 0L);
	KUNIT_ASSERT_EQ(test, pcp_on_cpu(test, 0, pcp_free_fn, w), 0L);
	KUNIT_ASSERT_EQ(test, pcp_count(0), (unsigned long)PCP_BATCH);
	before = pcp_info(test, 0);
	KUNIT_ASSERT_EQ(test, pcp_on_cpu(test, 0, pcp_busy_fn, b), 0L);
	KUNIT_ASSERT_NOT_NULL(test, b->page);
	KUNIT_EXPECT_EQ(test, b->mid.pcp_pages, (unsigned long)PCP_BATCH);
	KUNIT_EXPECT_EQ(test, b->mid.free_pages, before->free_pages - 1);
	KUNIT_EXPECT_EQ(test, b->mid.nr_alloc, before->nr_alloc + 1);
	KUNIT_EXPECT_EQ(test, b->after.pcp_pages, (unsigned long)PCP_BATCH);
	KUNIT_EXPECT_EQ(test, b->after.free_pages, before->free_pages);
	KUNIT_EXPECT_EQ(test, b->after.nr_freed, before->nr_freed + 1);
	KUNIT_EXPECT_EQ(test, pcp_count(0), (unsigned long)PCP_BATCH);
}

/* Blocks of every list order, a drain and a check, in a hard interrupt. */
struct pcp_irq {
	struct hrtimer timer;
	struct completion done;
	bool in_irq, check;
	unsigned int got;
	unsigned long pcp_pages;	/* after the drain */
};

static enum hrtimer_restart pcp_irq_fn(struct hrtimer *timer)
{
	struct pcp_irq *t = container_of(timer, struct pcp_irq, timer);
	struct page *pages[2 * XALLOC_PCP_ORDERS];

	t->in_irq = in_hardirq();
	for (unsigned int i = 0; i < ARRAY_SIZE(pages); i++) {
		pages[i] = xalloc_alloc_pages_node(0, GFP_ATOMIC | __GFP_THISNODE,
						   i % XALLOC_PCP_ORDERS);
		t->got += !!pages[i];
	}
	for (unsigned int i = 0; i < ARRAY_SIZE(pages); i++)
		xalloc_free_pages(pages[i], i % XALLOC_PCP_ORDERS);
	xalloc_zone_drain();
	t->pcp_pages = xalloc_pcp_pages(xalloc_zone_of(0), -1);
	t->check = xalloc_pcp_check(xalloc_zone_of(0));
	complete(&t->done);
	return HRTIMER_NORESTART;
}

/*
 * In an interrupt the lists work as in a task (no list is busy here), and
 * a drain from it empties every list.
 */
static void xalloc_pcp_interrupt_context(struct kunit *test)
{
	struct pcp_irq *t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, t);
	init_completion(&t->done);
	hrtimer_init(&t->timer, CLOCK_MONOTONIC, HRTIMER_MODE_REL);
	t->timer.function = pcp_irq_fn;
	hrtimer_start(&t->timer, ns_to_ktime(100 * NSEC_PER_USEC), HRTIMER_MODE_REL);
	KUNIT_EXPECT_TRUE(test, wait_for_completion_timeout(&t->done, 10 * HZ) > 0);
	hrtimer_cancel(&t->timer);
	KUNIT_EXPECT_TRUE(test, t->in_irq);
	KUNIT_EXPECT_EQ(test, t->got, 2U * XALLOC_PCP_ORDERS);
	KUNIT_EXPECT_EQ(test, t->pcp_pages, 0UL);
	KUNIT_EXPECT_TRUE(test, t->check);
}

static struct kunit_case xalloc_pcp_cases[] = {
	KUNIT_CASE_PARAM(xalloc_pcp_refill_takes_a_batch, pcp_order_gen_params),
	KUNIT_CASE(xalloc_pcp_high_bounds_the_list),
	KUNIT_CASE(xalloc_pcp_large_orders_bypass),
	KUNIT_CASE(xalloc_pcp_high_zero_turns_lists_off),
	KUNIT_CASE(xalloc_pcp_double_free_reported),
	KUNIT_CASE(xalloc_pcp_drain_and_shrink_empty_lists),
	KUNIT_CASE(xalloc_pcp_cpu_offline_drains),
	KUNIT_CASE(xalloc_pcp_exhaustion_drains_other_cpus),
	KUNIT_CASE(xalloc_pcp_high_order_drains_lists),
	KUNIT_CASE(xalloc_pcp_poison_checked),
	KUNIT_CASE(xalloc_pcp_concurrent_all_cpus),
	KUNIT_CASE(xalloc_pcp_tunables_written_under_load),
	KUNIT_CASE(xalloc_pcp_busy_list_uses_zone),
	KUNIT_CASE(xalloc_pcp_interrupt_context),
	{}
};

static struct kunit_suite xalloc_pcp_suite = {
	.name = "xalloc_pcp",
	.init = pcp_test_init,
	.exit = pcp_test_exit,
	.test_cases = xalloc_pcp_cases,
};

kunit_test_suite(xalloc_pcp_suite);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("KUnit tests of xalloc's per-CPU page lists");
