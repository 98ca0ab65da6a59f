// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite xalloc_sheaf: the per-CPU sheaves of a cache (mm/slab_sheaf.c).
 *
 * Each path is checked through the sheaf counters, run on a chosen CPU
 * (work_on_cpu()) so that the per-CPU sheaves are the ones expected. Objects
 * in sheaves count as allocated from the slabs until drained: slabinfo's
 * active objects are what the sheaves and the callers hold, exactly, and 0
 * after a shrink once the callers freed everything.
 *
 * Lock order (outer first):
 *   1. sheaf_mailbox.lock	objects handed from one stress thread to another
 */

#include <kunit/test.h>
#include <linux/cpu.h>
#include <linux/delay.h>
#include <linux/kthread.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>

#include <xalloc/xalloc.h>

#include "../mm/kasan.h"
#include "../mm/slab_sheaf.h"
#include "xalloc_kunit.h"

struct sheaf_test_ctx {
	struct xalloc_cache *s;		/* destroyed on exit if set */
};

static int sheaf_test_init(struct kunit *test)
{
	struct sheaf_test_ctx *ctx;

	xalloc_kunit_init(test);
	ctx = kunit_kzalloc(test, sizeof(*ctx), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ctx);
	test->priv = ctx;
	return 0;
}

static void sheaf_test_exit(struct kunit *test)
{
	struct sheaf_test_ctx *ctx = test->priv;
	int nid;

	if (ctx->s)
		xalloc_cache_destroy(ctx->s);
	for_each_node(nid)
		KUNIT_EXPECT_TRUE(test, xalloc_zone_check(nid));
	xalloc_kunit_exit(test);
}

/* A cache with sheaves of @capacity, destroyed when the case ends. */
static struct xalloc_cache *sheaf_cache(struct kunit *test, const char *name,
					unsigned int size, unsigned int capacity)
{
	struct sheaf_test_ctx *ctx = test->priv;

	ctx->s = xalloc_cache_create_sheaves(name, size, 0, 0, NULL, capacity);
	KUNIT_ASSERT_NOT_NULL(test, ctx->s);
	KUNIT_ASSERT_TRUE(test, xalloc_sheaves_on(ctx->s));
	if (capacity)
		KUNIT_ASSERT_EQ(test, ctx->s->sheaf_capacity, capacity);
	return ctx->s;
}

/* Sheaf counter deltas. */
struct sheaf_stats {
	unsigned long v[NR_XALLOC_SHEAF_STATS];
};

static void sheaf_snap(struct xalloc_cache *s, struct sheaf_stats *st)
{
	for (int i = 0; i < NR_XALLOC_SHEAF_STATS; i++)
		st->v[i] = xalloc_sheaf_stat(s, i);
}

static unsigned long sheaf_delta(struct xalloc_cache *s, struct sheaf_stats *st,
				 enum xalloc_sheaf_stat_item i)
{
	return xalloc_sheaf_stat(s, i) - st->v[i];
}

/* Active objects of @s in its slabs: those in its sheaves included. */
static unsigned long sheaf_active(struct xalloc_cache *s)
{
	struct xalloc_cache_counts cnt;

	xalloc_cache_counts(s, &cnt);
	return cnt.active_objs;
}

static long sheaf_on_cpu(struct kunit *test, int cpu, long (*fn)(void *), void *arg)
{
	KUNIT_ASSERT_TRUE_MSG(test, cpu_online(cpu), "CPU %d is offline (needs -smp 2)", cpu);
	return work_on_cpu(cpu, fn, arg);
}

#define SHEAF_OBJS_MAX	64

struct sheaf_objs {
	struct xalloc_cache *s;
	unsigned int n;
	void *objs[SHEAF_OBJS_MAX];
};

static long sheaf_alloc_fn(void *arg)
{
	struct sheaf_objs *o = arg;

	for (unsigned int i = 0; i < o->n; i++) {
		o->objs[i] = xalloc_cache_alloc(o->s, GFP_KERNEL);
		if (!o->objs[i])
			return -ENOMEM;
	}
	return 0;
}

static long sheaf_free_fn(void *arg)
{
	struct sheaf_objs *o = arg;

	for (unsigned int i = 0; i < o->n; i++)
		xalloc_cache_free(o->s, o->objs[i]);
	return 0;
}

/* Shrink; then nothing is held, nothing active and no slab left. */
static void sheaf_expect_drained(struct kunit *test, struct xalloc_cache *s)
{
	KUNIT_EXPECT_EQ(test, xalloc_cache_shrink(s), 0);
	KUNIT_EXPECT_EQ(test, xalloc_sheaf_objects(s), 0UL);
	KUNIT_EXPECT_EQ(test, sheaf_active(s), 0UL);
	KUNIT_EXPECT_EQ(test, xalloc_kunit_slabs(s), 0UL);
}

/*
 * The first allocation refills the main sheaf with capacity objects, which
 * count as active; the rest come from the sheaf, and frees go back to it.
 */
static void xalloc_sheaf_alloc_free_hits(struct kunit *test)
{
	struct xalloc_cache *s = sheaf_cache(test, "sheaf_hits", 64, 8);
	struct sheaf_objs o = { .s = s, .n = 8 };
	struct sheaf_stats st;
	void *last;

	sheaf_snap(s, &st);
	KUNIT_ASSERT_EQ(test, sheaf_on_cpu(test, 0, sheaf_alloc_fn, &o), 0L);
	last = o.objs[7];
	KUNIT_EXPECT_EQ(test, sheaf_delta(s, &st, SHEAF_REFILL), 1UL);
	KUNIT_EXPECT_EQ(test, sheaf_delta(s, &st, SHEAF_ALLOC), 8UL);
	KUNIT_EXPECT_EQ(test, xalloc_cache_stat(s, ALLOC_FASTPATH) +
			xalloc_cache_stat(s, ALLOC_SLOWPATH), 8UL);
	KUNIT_EXPECT_EQ(test, sheaf_active(s), 8UL);
	KUNIT_EXPECT_EQ(test, per_cpu_ptr(s->sheaves, 0)->main->size, 0U);
	sheaf_on_cpu(test, 0, sheaf_free_fn, &o);
	KUNIT_EXPECT_EQ(test, sheaf_delta(s, &st, SHEAF_FREE), 8UL);
	KUNIT_EXPECT_EQ(test, per_cpu_ptr(s->sheaves, 0)->main->size, 8U);
	/* In the sheaf, not in the slabs: still active, no slab free counted. */
	KUNIT_EXPECT_EQ(test, sheaf_active(s), 8UL);
	KUNIT_EXPECT_EQ(test, xalloc_cache_stat(s, FREE_FASTPATH) +
			xalloc_cache_stat(s, FREE_SLOWPATH), 0UL);
	/* The last freed is the first handed out again. */
	KUNIT_ASSERT_EQ(test, sheaf_on_cpu(test, 0, sheaf_alloc_fn, &o), 0L);
	KUNIT_EXPECT_PTR_EQ(test, o.objs[0], last);
	KUNIT_EXPECT_EQ(test, sheaf_delta(s, &st, SHEAF_REFILL), 1UL);
	KUNIT_EXPECT_EQ(test, sheaf_delta(s, &st, SHEAF_ALLOC), 16UL);
	sheaf_on_cpu(test, 0, sheaf_free_fn, &o);
	sheaf_expect_drained(test, s);
	KUNIT_EXPECT_EQ(test, sheaf_delta(s, &st, SHEAF_DRAIN), 1UL);
	KUNIT_EXPECT_EQ(test, xalloc_cache_stat(s, FREE_FASTPATH) +
			xalloc_cache_stat(s, FREE_SLOWPATH), 8UL);
}

/*
 * Capacity 4, 12 objects: three refills; the frees fill main, swap with the
 * spare, then give a full sheaf to the barn; the allocations take them back
 * in the same order, with no refill.
 */
static void xalloc_sheaf_swap_and_barn_exchange(struct kunit *test)
{
	struct xalloc_cache *s = sheaf_cache(test, "sheaf_barn", 128, 4);
	struct sheaf_objs o = { .s = s, .n = 12 };
	struct xalloc_barn *barn;
	struct sheaf_stats st;

	sheaf_snap(s, &st);
	KUNIT_ASSERT_EQ(test, sheaf_on_cpu(test, 0, sheaf_alloc_fn, &o), 0L);
	KUNIT_EXPECT_EQ(test, sheaf_delta(s, &st, SHEAF_REFILL), 3UL);
	KUNIT_EXPECT_EQ(test, sheaf_delta(s, &st, SHEAF_SWAP), 0UL);
	sheaf_on_cpu(test, 0, sheaf_free_fn, &o);
	KUNIT_EXPECT_EQ(test, sheaf_delta(s, &st, SHEAF_FREE), 12UL);
	KUNIT_EXPECT_EQ(test, sheaf_delta(s, &st, SHEAF_SWAP), 1UL);
	KUNIT_EXPECT_EQ(test, sheaf_delta(s, &st, BARN_PUT), 1UL);
	KUNIT_EXPECT_EQ(test, sheaf_delta(s, &st, SHEAF_FLUSH), 0UL);
	barn = s->barns[cpu_to_mem(0)];
	KUNIT_EXPECT_EQ(test, barn->nr_full, 1U);
	KUNIT_EXPECT_EQ(test, xalloc_sheaf_objects(s), 12UL);
	KUNIT_EXPECT_EQ(test, sheaf_active(s), 12UL);

	KUNIT_ASSERT_EQ(test, sheaf_on_cpu(test, 0, sheaf_alloc_fn, &o), 0L);
	KUNIT_EXPECT_EQ(test, sheaf_delta(s, &st, SHEAF_ALLOC), 24UL);
	KUNIT_EXPECT_EQ(test, sheaf_delta(s, &st, SHEAF_REFILL), 3UL);
	KUNIT_EXPECT_EQ(test, sheaf_delta(s, &st, SHEAF_SWAP), 2UL);
	KUNIT_EXPECT_EQ(test, sheaf_delta(s, &st, BARN_GET), 1UL);
	KUNIT_EXPECT_EQ(test, barn->nr_full, 0U);
	KUNIT_EXPECT_EQ(test, barn->nr_empty, 1U);
	KUNIT_EXPECT_EQ(test, sheaf_active(s), 12UL);
	sheaf_on_cpu(test, 0, sheaf_free_fn, &o);
	sheaf_expect_drained(test, s);
}

/*
 * Capacity 2, 30 objects: 15 refills; the frees fill main and spare and ten
 * barn sheaves (the barn's limit), and flush main three times for the last
 * six: 24 objects stay in sheaves, counted active.
 */
static void xalloc_sheaf_refill_and_flush_counted(struct kunit *test)
{
	struct xalloc_cache *s = sheaf_cache(test, "sheaf_flush", 64, 2);
	struct sheaf_objs o = { .s = s, .n = 30 };
	struct sheaf_stats st;

	sheaf_snap(s, &st);
	KUNIT_ASSERT_EQ(test, sheaf_on_cpu(test, 0, sheaf_alloc_fn, &o), 0L);
	KUNIT_EXPECT_EQ(test, sheaf_delta(s, &st, SHEAF_REFILL), 15UL);
	KUNIT_EXPECT_EQ(test, sheaf_active(s), 30UL);
	sheaf_on_cpu(test, 0, sheaf_free_fn, &o);
	KUNIT_EXPECT_EQ(test, sheaf_delta(s, &st, SHEAF_SWAP), 1UL);
	KUNIT_EXPECT_EQ(test, sheaf_delta(s, &st, BARN_PUT), 10UL);
	KUNIT_EXPECT_EQ(test, sheaf_delta(s, &st, SHEAF_FLUSH), 3UL);
	KUNIT_EXPECT_EQ(test, xalloc_sheaf_objects(s), 24UL);
	KUNIT_EXPECT_EQ(test, sheaf_active(s), 24UL);
	KUNIT_EXPECT_EQ(test, xalloc_cache_stat(s, FREE_FASTPATH) +
			xalloc_cache_stat(s, FREE_SLOWPATH), 6UL);
	sheaf_expect_drained(test, s);
	/* Ten barn sheaves and both of CPU 0's. */
	KUNIT_EXPECT_EQ(test, sheaf_delta(s, &st, SHEAF_DRAIN), 12UL);
}

/* A free on another CPU is a push onto that CPU's sheaf. */
static void xalloc_sheaf_remote_free_is_local_push(struct kunit *test)
{
	struct xalloc_cache *s = sheaf_cache(test, "sheaf_remote", 96, 8);
	struct sheaf_objs o = { .s = s, .n = 6 };
	struct xalloc_pcs *pcs1 = per_cpu_ptr(s->sheaves, 1);
	unsigned long frees1;

	KUNIT_ASSERT_EQ(test, sheaf_on_cpu(test, 0, sheaf_alloc_fn, &o), 0L);
	frees1 = pcs1->stat[SHEAF_FREE];
	sheaf_on_cpu(test, 1, sheaf_free_fn, &o);
	KUNIT_EXPECT_EQ(test, pcs1->stat[SHEAF_FREE] - frees1, 6UL);
	KUNIT_EXPECT_EQ(test, pcs1->main->size, 6U);
	KUNIT_EXPECT_EQ(test, xalloc_cache_stat(s, FREE_SLOWPATH), 0UL);
	KUNIT_EXPECT_EQ(test, xalloc_cache_stat(s, FREE_FASTPATH), 0UL);
	/* CPU 1 hands them out again, without a refill. */
	KUNIT_ASSERT_EQ(test, sheaf_on_cpu(test, 1, sheaf_alloc_fn, &o), 0L);
	KUNIT_EXPECT_EQ(test, pcs1->stat[SHEAF_REFILL], 0UL);
	KUNIT_EXPECT_EQ(test, sheaf_active(s), 8UL);
	sheaf_on_cpu(test, 0, sheaf_free_fn, &o);
	sheaf_expect_drained(test, s);
}

/*
 * Objects in sheaves on both CPUs and in a barn: a shrink drains them all,
 * and the zone gets every page back.
 */
static void xalloc_sheaf_shrink_drains_everything(struct kunit *test)
{
	unsigned long zone_free = xalloc_kunit_zone_free();
	struct xalloc_cache *s = sheaf_cache(test, "sheaf_shrink", 256, 4);
	struct sheaf_objs o = { .s = s, .n = 20 };

	for (int cpu = 0; cpu < 2; cpu++) {
		KUNIT_ASSERT_EQ(test, sheaf_on_cpu(test, cpu, sheaf_alloc_fn, &o), 0L);
		sheaf_on_cpu(test, cpu, sheaf_free_fn, &o);
	}
	KUNIT_EXPECT_GT(test, xalloc_sheaf_objects(s), 0UL);
	KUNIT_EXPECT_EQ(test, sheaf_active(s), xalloc_sheaf_objects(s));
	sheaf_expect_drained(test, s);
	for (int cpu = 0; cpu < 2; cpu++) {
		KUNIT_EXPECT_EQ(test, per_cpu_ptr(s->sheaves, cpu)->main->size, 0U);
		KUNIT_EXPECT_EQ(test, per_cpu_ptr(s->sheaves, cpu)->spare->size, 0U);
	}
	KUNIT_EXPECT_EQ(test, xalloc_kunit_zone_free(), zone_free);
}

/* A cache destroyed with objects only in its sheaves is empty: no report. */
static void xalloc_sheaf_destroy_drains(struct kunit *test)
{
	struct sheaf_test_ctx *ctx = test->priv;
	unsigned long zone_free = xalloc_kunit_zone_free();
	struct xalloc_cache *s = sheaf_cache(test, "sheaf_destroy", 512, 0);
	struct sheaf_objs o = { .s = s, .n = 40 };

	KUNIT_EXPECT_EQ(test, s->sheaf_capacity, 16U);
	KUNIT_ASSERT_EQ(test, sheaf_on_cpu(test, 1, sheaf_alloc_fn, &o), 0L);
	sheaf_on_cpu(test, 1, sheaf_free_fn, &o);
	KUNIT_EXPECT_EQ(test, sheaf_active(s), xalloc_sheaf_objects(s));
	KUNIT_EXPECT_GT(test, xalloc_sheaf_objects(s), 0UL);
	xalloc_cache_destroy(s);
	ctx->s = NULL;
	XALLOC_KUNIT_EXPECT_REPORTS(test, 0);
	xalloc_zone_drain();
	KUNIT_EXPECT_EQ(test, xalloc_kunit_zone_free(), zone_free);
}

/* A CPU going offline has its sheaves drained; it uses them again after. */
static void xalloc_sheaf_cpu_offline_drains(struct kunit *test)
{
	struct xalloc_cache *s = sheaf_cache(test, "sheaf_hotplug", 64, 8);
	struct sheaf_objs o = { .s = s, .n = 12 };
	struct xalloc_pcs *pcs1 = per_cpu_ptr(s->sheaves, 1);
	unsigned long drains;

	KUNIT_ASSERT_EQ(test, sheaf_on_cpu(test, 1, sheaf_alloc_fn, &o), 0L);
	sheaf_on_cpu(test, 1, sheaf_free_fn, &o);
	KUNIT_EXPECT_EQ(test, pcs1->main->size + pcs1->spare->size, 16U);
	drains = pcs1->stat[SHEAF_DRAIN];
	KUNIT_ASSERT_EQ(test, remove_cpu(1), 0);
	KUNIT_EXPECT_EQ(test, pcs1->main->size + pcs1->spare->size, 0U);
	KUNIT_EXPECT_EQ(test, pcs1->stat[SHEAF_DRAIN] - drains, 2UL);
	KUNIT_EXPECT_EQ(test, sheaf_active(s), 0UL);
	KUNIT_ASSERT_EQ(test, add_cpu(1), 0);
	KUNIT_ASSERT_EQ(test, sheaf_on_cpu(test, 1, sheaf_alloc_fn, &o), 0L);
	KUNIT_EXPECT_EQ(test, pcs1->stat[SHEAF_REFILL], 4UL);
	sheaf_on_cpu(test, 1, sheaf_free_fn, &o);
	sheaf_expect_drained(test, s);
}

static long sheaf_double_free_fn(void *arg)
{
	struct xalloc_cache *s = arg;
	void *p = xalloc_cache_alloc(s, GFP_KERNEL);

	if (!p)
		return -ENOMEM;
	xalloc_cache_free(s, p);
	xalloc_cache_free(s, p);
	return 0;
}

/* Freeing the top of the main sheaf again is reported and ignored. */
static void xalloc_sheaf_double_free_reported(struct kunit *test)
{
	struct xalloc_cache *s = sheaf_cache(test, "sheaf_double", 64, 8);
	struct sheaf_stats st;

	sheaf_snap(s, &st);
	KUNIT_ASSERT_EQ(test, sheaf_on_cpu(test, 0, sheaf_double_free_fn, s), 0L);
	XALLOC_KUNIT_EXPECT_REPORTS(test, 1);
	KUNIT_EXPECT_EQ(test, sheaf_delta(s, &st, SHEAF_FREE), 1UL);
	KUNIT_EXPECT_EQ(test, per_cpu_ptr(s->sheaves, 0)->main->size, 8U);
	sheaf_expect_drained(test, s);
}

static long sheaf_zero_fn(void *arg)
{
	struct xalloc_cache *s = arg;
	void *p = xalloc_cache_alloc(s, GFP_KERNEL), *q;
	long ret;

	if (!p)
		return -ENOMEM;
	memset(p, 0xa5, 200);
	xalloc_cache_free(s, p);
	q = xalloc_cache_alloc(s, GFP_KERNEL | __GFP_ZERO);
	ret = q == p && !memchr_inv(q, 0, 200) ? 0 : -EINVAL;
	xalloc_cache_free(s, q);
	return ret;
}

/* __GFP_ZERO clears an object the sheaf hands out, dirty when freed. */
static void xalloc_sheaf_gfp_zero(struct kunit *test)
{
	struct xalloc_cache *s = sheaf_cache(test, "sheaf_zero", 200, 8);

	KUNIT_EXPECT_EQ(test, sheaf_on_cpu(test, 0, sheaf_zero_fn, s), 0L);
	sheaf_expect_drained(test, s);
}

/* The cache (own or debug layout) of the slab holding @obj. */
static struct xalloc_cache *obj_layout(const void *obj)
{
	struct xalloc_page *desc = xalloc_addr_desc(obj);

	if (desc && desc->type == XALLOC_PAGE_SLAB_TAIL)
		desc = desc->head;
	return desc ? desc->cache : NULL;
}

static long sheaf_bulk_fn(void *arg)
{
	struct sheaf_objs *o = arg;

	if (xalloc_cache_alloc_bulk(o->s, GFP_KERNEL, o->n, o->objs) != o->n)
		return -ENOMEM;
	xalloc_cache_free_bulk(o->s, o->n, o->objs);
	return 0;
}

/*
 * A debug cache keeps its locked path. A switch of a cache with sheaves to
 * a debug layout pauses them: drained, every CPU's main sheaf of capacity
 * 0, every object (one at a time or in bulk) of the layout, no sheaf
 * counter moving; switched off, the sheaves come back and are refilled.
 */
static void xalloc_sheaf_debug_switch_pauses(struct kunit *test)
{
	struct xalloc_cache *d, *l, *s = sheaf_cache(test, "sheaf_dbgswitch", 64, 8);
	struct sheaf_objs o = { .s = s, .n = 8 };
	struct sheaf_stats st;
	int cpu;

	d = xalloc_cache_create_sheaves("sheaf_debug", 64, 0, XALLOC_RED_ZONE, NULL, 8);
	KUNIT_ASSERT_NOT_NULL(test, d);
	KUNIT_EXPECT_FALSE(test, xalloc_sheaves_on(d));
	xalloc_cache_destroy(d);

	/* Eight objects in CPU 0's main sheaf. */
	KUNIT_ASSERT_EQ(test, sheaf_on_cpu(test, 0, sheaf_alloc_fn, &o), 0L);
	sheaf_on_cpu(test, 0, sheaf_free_fn, &o);
	KUNIT_ASSERT_EQ(test, xalloc_sheaf_objects(s), 8UL);

	KUNIT_ASSERT_EQ(test, xalloc_cache_set_debug(s, XALLOC_RED_ZONE | XALLOC_POISON), 0);
	l = rcu_access_pointer(s->layout);
	KUNIT_ASSERT_NOT_NULL(test, l);
	KUNIT_EXPECT_FALSE(test, xalloc_sheaves_on(l));
	KUNIT_EXPECT_EQ(test, xalloc_sheaf_objects(s), 0UL);
	for_each_possible_cpu(cpu)
		KUNIT_EXPECT_EQ(test, per_cpu_ptr(s->sheaves, cpu)->main->capacity, 0U);
	sheaf_snap(s, &st);
	KUNIT_ASSERT_EQ(test, sheaf_on_cpu(test, 0, sheaf_alloc_fn, &o), 0L);
	for (unsigned int i = 0; i < o.n; i++)
		KUNIT_EXPECT_PTR_EQ(test, obj_layout(o.objs[i]), l);
	sheaf_on_cpu(test, 0, sheaf_free_fn, &o);
	KUNIT_EXPECT_EQ(test, sheaf_on_cpu(test, 1, sheaf_bulk_fn, &o), 0L);
	for (int i = 0; i < NR_XALLOC_SHEAF_STATS; i++)
		KUNIT_EXPECT_EQ_MSG(test, sheaf_delta(s, &st, i), 0UL, "sheaf counter %d", i);
	KUNIT_EXPECT_EQ(test, xalloc_sheaf_objects(s), 0UL);
	KUNIT_EXPECT_EQ(test, sheaf_active(s), 0UL);
	KUNIT_EXPECT_EQ(test, xalloc_cache_validate(s), 0UL);

	KUNIT_ASSERT_EQ(test, xalloc_cache_set_debug(s, 0), 0);
	KUNIT_EXPECT_NULL(test, rcu_access_pointer(s->layout));
	for_each_possible_cpu(cpu)
		KUNIT_EXPECT_EQ(test, per_cpu_ptr(s->sheaves, cpu)->main->capacity, 8U);
	KUNIT_ASSERT_EQ(test, sheaf_on_cpu(test, 0, sheaf_alloc_fn, &o), 0L);
	KUNIT_EXPECT_EQ(test, sheaf_delta(s, &st, SHEAF_REFILL), 1UL);
	KUNIT_EXPECT_EQ(test, sheaf_delta(s, &st, SHEAF_ALLOC), 8UL);
	for (unsigned int i = 0; i < o.n; i++)
		KUNIT_EXPECT_PTR_EQ(test, obj_layout(o.objs[i]), s);
	sheaf_on_cpu(test, 0, sheaf_free_fn, &o);
	KUNIT_EXPECT_EQ(test, sheaf_delta(s, &st, SHEAF_FREE), 8UL);
	sheaf_expect_drained(test, s);
}

/*
 * An interrupt that lands inside the sheaf path: a timer on the same CPU
 * allocates and frees every 50 us while the task does the same in a loop.
 * Once an interrupt finds the trylock taken it uses the slab path, counted
 * as SHEAF_BUSY; nothing is lost or handed out twice.
 */
static bool sheaf_busy_seen(struct xalloc_cache *s)
{
	return xalloc_sheaf_stat(s, SHEAF_BUSY);
}

static void xalloc_sheaf_interrupt_inside_path(struct kunit *test)
{
	struct xalloc_kunit_race *r = kunit_kzalloc(test, sizeof(*r), GFP_KERNEL);
	long pairs;

	KUNIT_ASSERT_NOT_NULL(test, r);
	r->s = sheaf_cache(test, "sheaf_race", 64, 8);
	r->seen = sheaf_busy_seen;
	pairs = sheaf_on_cpu(test, 0, xalloc_kunit_race_run, r);
	kunit_info(test, "first busy trylock after %ld pairs, %d interrupts", pairs,
		   atomic_read(&r->fired));
	KUNIT_EXPECT_LT(test, pairs, (long)XALLOC_KUNIT_RACE_MAX);
	KUNIT_EXPECT_GT(test, xalloc_sheaf_stat(r->s, SHEAF_BUSY), 0UL);
	KUNIT_EXPECT_GT(test, atomic_read(&r->fired), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&r->failed), 0);
	KUNIT_EXPECT_EQ(test, sheaf_active(r->s), xalloc_sheaf_objects(r->s));
	sheaf_expect_drained(test, r->s);
	KUNIT_EXPECT_EQ(test, xalloc_cache_validate(r->s), 0UL);
}

/*
 * Stress on every CPU: a thread per CPU allocates objects, stamps them with
 * their address and a round number, checks them, and hands half to the next
 * CPU's thread, which checks and frees them (remote frees into its sheaves).
 * An object handed out twice would be stamped twice and fail a check.
 */
#define SHEAF_STRESS_ROUNDS	3000
#define SHEAF_STRESS_BATCH	24
#define SHEAF_STRESS_SIZE	64

struct sheaf_mailbox {
	spinlock_t lock;		/* guards n and objs */
	unsigned int n;
	void *objs[SHEAF_STRESS_BATCH * 4];
};

struct sheaf_stress {
	struct xalloc_cache *s;
	struct sheaf_mailbox box[2];
	atomic_t errors, running;
};

struct sheaf_stress_arg {
	struct sheaf_stress *st;
	int idx;
};

static void stress_stamp(void *p)
{
	unsigned long *w = p;

	for (unsigned int i = 0; i < SHEAF_STRESS_SIZE / sizeof(long); i++)
		w[i] = (unsigned long)p ^ i;
}

static bool stress_check(void *p)
{
	unsigned long *w = p;

	for (unsigned int i = 0; i < SHEAF_STRESS_SIZE / sizeof(long); i++)
		if (w[i] != ((unsigned long)p ^ i))
			return false;
	return true;
}

/* Check and free what the other thread left in @box. */
static void stress_take(struct sheaf_stress *st, struct sheaf_mailbox *box)
{
	void *objs[ARRAY_SIZE(box->objs)];
	unsigned int n;

	spin_lock(&box->lock);
	n = box->n;
	memcpy(objs, box->objs, n * sizeof(void *));
	box->n = 0;
	spin_unlock(&box->lock);
	for (unsigned int i = 0; i < n; i++) {
		if (!stress_check(objs[i]))
			atomic_inc(&st->errors);
		memset(objs[i], 0, SHEAF_STRESS_SIZE);
		xalloc_cache_free(st->s, objs[i]);
	}
}

static int sheaf_stress_fn(void *arg)
{
	struct sheaf_stress_arg *a = arg;
	struct sheaf_stress *st = a->st;
	struct sheaf_mailbox *mine = &st->box[a->idx], *next = &st->box[!a->idx];
	void *objs[SHEAF_STRESS_BATCH];

	for (unsigned int r = 0; r < SHEAF_STRESS_ROUNDS; r++) {
		unsigned int n;

		for (n = 0; n < SHEAF_STRESS_BATCH; n++) {
			objs[n] = xalloc_cache_alloc(st->s, GFP_KERNEL);
			if (!objs[n]) {
				atomic_inc(&st->errors);
				break;
			}
			stress_stamp(objs[n]);
		}
		stress_take(st, mine);
		for (unsigned int i = 0; i < n; i++) {
			if (!stress_check(objs[i]))
				atomic_inc(&st->errors);
			if (i % 2) {
				memset(objs[i], 0, SHEAF_STRESS_SIZE);
				xalloc_cache_free(st->s, objs[i]);
				continue;
			}
			spin_lock(&next->lock);
			if (next->n < ARRAY_SIZE(next->objs)) {
				next->objs[next->n++] = objs[i];
				objs[i] = NULL;
			}
			spin_unlock(&next->lock);
			if (objs[i])
				xalloc_cache_free(st->s, objs[i]);
		}
		if (!(r % 64))
			cond_resched();
	}
	atomic_dec(&st->running);
	return 0;
}

static void xalloc_sheaf_stress_both_cpus(struct kunit *test)
{
	struct sheaf_stress *st = kunit_kzalloc(test, sizeof(*st), GFP_KERNEL);
	struct sheaf_stress_arg args[2];

	KUNIT_ASSERT_NOT_NULL(test, st);
	KUNIT_ASSERT_TRUE(test, cpu_online(1));
	st->s = sheaf_cache(test, "sheaf_stress", SHEAF_STRESS_SIZE, 8);
	for (int i = 0; i < 2; i++) {
		struct task_struct *t;

		spin_lock_init(&st->box[i].lock);
		args[i].st = st;
		args[i].idx = i;
		t = kthread_create(sheaf_stress_fn, &args[i], "sheaf_stress/%d", i);
		KUNIT_ASSERT_FALSE(test, IS_ERR(t));
		kthread_bind(t, i);
		atomic_inc(&st->running);
		wake_up_process(t);
	}
	while (atomic_read(&st->running))
		msleep(20);
	stress_take(st, &st->box[0]);
	stress_take(st, &st->box[1]);
	KUNIT_EXPECT_EQ(test, atomic_read(&st->errors), 0);
	KUNIT_EXPECT_GT(test, xalloc_sheaf_stat(st->s, SHEAF_ALLOC), 0UL);
	KUNIT_EXPECT_EQ(test, sheaf_active(st->s), xalloc_sheaf_objects(st->s));
	sheaf_expect_drained(test, st->s);
	KUNIT_EXPECT_EQ(test, xalloc_cache_counts_clamped(), 0UL);
}

static long sheaf_bulk_alloc_fn(void *arg)
{
	struct sheaf_objs *o = arg;

	return xalloc_cache_alloc_bulk(o->s, GFP_KERNEL, o->n, o->objs) == o->n ? 0 : -ENOMEM;
}

static long sheaf_bulk_free_fn(void *arg)
{
	struct sheaf_objs *o = arg;

	xalloc_cache_free_bulk(o->s, o->n, o->objs);
	return 0;
}

/* Objects the slabs handed out (to callers or sheaves) since @st. */
static unsigned long slab_allocs(struct xalloc_cache *s)
{
	return xalloc_cache_stat(s, ALLOC_FASTPATH) + xalloc_cache_stat(s, ALLOC_SLOWPATH);
}

static unsigned long slab_frees(struct xalloc_cache *s)
{
	return xalloc_cache_stat(s, FREE_FASTPATH) + xalloc_cache_stat(s, FREE_SLOWPATH);
}

/*
 * Bulk calls on CPU 0, capacity 16: a bulk of 10 from a full main sheaf takes
 * 10 from it and nothing from the slabs; a bulk free of 10 puts them back. A
 * bulk of 40 takes the main sheaf's 16 and 24 from the slabs; its free fills
 * main (16), swaps with the empty spare (16) and puts a full sheaf in the
 * barn for an empty one (8): no slab free. The next bulk of 40 is all from
 * sheaves: main (8), the spare (16), the barn's full one (16).
 */
static void xalloc_sheaf_bulk_counted(struct kunit *test)
{
	struct xalloc_cache *s = sheaf_cache(test, "sheaf_bulk", 64, 16);
	struct sheaf_objs o = { .s = s, .n = 16 };
	struct xalloc_pcs *pcs0 = per_cpu_ptr(s->sheaves, 0);
	struct xalloc_barn *barn = s->barns[cpu_to_mem(0)];
	unsigned long allocs, frees;
	struct sheaf_stats st;

	KUNIT_ASSERT_EQ(test, sheaf_on_cpu(test, 0, sheaf_alloc_fn, &o), 0L);
	sheaf_on_cpu(test, 0, sheaf_free_fn, &o);
	KUNIT_ASSERT_EQ(test, pcs0->main->size, 16U);
	KUNIT_ASSERT_EQ(test, pcs0->spare->size, 0U);
	sheaf_snap(s, &st);
	allocs = slab_allocs(s);
	frees = slab_frees(s);

	o.n = 10;
	KUNIT_ASSERT_EQ(test, sheaf_on_cpu(test, 0, sheaf_bulk_alloc_fn, &o), 0L);
	KUNIT_EXPECT_EQ(test, sheaf_delta(s, &st, SHEAF_ALLOC_BULK), 10UL);
	KUNIT_EXPECT_EQ(test, sheaf_delta(s, &st, SHEAF_ALLOC), 0UL);
	KUNIT_EXPECT_EQ(test, slab_allocs(s) - allocs, 0UL);
	KUNIT_EXPECT_EQ(test, pcs0->main->size, 6U);
	sheaf_on_cpu(test, 0, sheaf_bulk_free_fn, &o);
	KUNIT_EXPECT_EQ(test, sheaf_delta(s, &st, SHEAF_FREE_BULK), 10UL);
	KUNIT_EXPECT_EQ(test, sheaf_delta(s, &st, SHEAF_FREE), 0UL);
	KUNIT_EXPECT_EQ(test, pcs0->main->size, 16U);
	KUNIT_EXPECT_EQ(test, slab_frees(s) - frees, 0UL);

	o.n = 40;
	KUNIT_ASSERT_EQ(test, sheaf_on_cpu(test, 0, sheaf_bulk_alloc_fn, &o), 0L);
	KUNIT_EXPECT_EQ(test, sheaf_delta(s, &st, SHEAF_ALLOC_BULK), 26UL);
	KUNIT_EXPECT_EQ(test, slab_allocs(s) - allocs, 24UL);
	KUNIT_EXPECT_EQ(test, sheaf_delta(s, &st, SHEAF_REFILL), 0UL);
	KUNIT_EXPECT_EQ(test, pcs0->main->size, 0U);
	KUNIT_EXPECT_EQ(test, sheaf_active(s), 40UL);
	sheaf_on_cpu(test, 0, sheaf_bulk_free_fn, &o);
	KUNIT_EXPECT_EQ(test, sheaf_delta(s, &st, SHEAF_FREE_BULK), 50UL);
	KUNIT_EXPECT_EQ(test, sheaf_delta(s, &st, SHEAF_SWAP), 1UL);
	KUNIT_EXPECT_EQ(test, sheaf_delta(s, &st, BARN_PUT), 1UL);
	KUNIT_EXPECT_EQ(test, sheaf_delta(s, &st, SHEAF_FLUSH), 0UL);
	KUNIT_EXPECT_EQ(test, slab_frees(s) - frees, 0UL);
	KUNIT_EXPECT_EQ(test, pcs0->main->size, 8U);
	KUNIT_EXPECT_EQ(test, barn->nr_full, 1U);
	KUNIT_EXPECT_EQ(test, xalloc_sheaf_objects(s), 40UL);
	KUNIT_EXPECT_EQ(test, sheaf_active(s), 40UL);

	KUNIT_ASSERT_EQ(test, sheaf_on_cpu(test, 0, sheaf_bulk_alloc_fn, &o), 0L);
	KUNIT_EXPECT_EQ(test, sheaf_delta(s, &st, SHEAF_ALLOC_BULK), 66UL);
	KUNIT_EXPECT_EQ(test, slab_allocs(s) - allocs, 24UL);
	KUNIT_EXPECT_EQ(test, sheaf_delta(s, &st, SHEAF_SWAP), 2UL);
	KUNIT_EXPECT_EQ(test, sheaf_delta(s, &st, BARN_GET), 1UL);
	KUNIT_EXPECT_EQ(test, xalloc_sheaf_objects(s), 0UL);
	KUNIT_EXPECT_EQ(test, sheaf_active(s), 40UL);
	sheaf_on_cpu(test, 0, sheaf_bulk_free_fn, &o);
	KUNIT_EXPECT_EQ(test, sheaf_delta(s, &st, SHEAF_FREE_BULK), 90UL);
	XALLOC_KUNIT_EXPECT_REPORTS(test, 0);
	sheaf_expect_drained(test, s);
}

/* A bulk free that names the same object twice in a row: a double free. */
static void xalloc_sheaf_bulk_double_free_reported(struct kunit *test)
{
	struct xalloc_cache *s = sheaf_cache(test, "sheaf_bulk_double", 64, 8);
	struct sheaf_objs o = { .s = s, .n = 1 };
	struct sheaf_stats st;

	sheaf_snap(s, &st);
	KUNIT_ASSERT_EQ(test, sheaf_on_cpu(test, 0, sheaf_bulk_alloc_fn, &o), 0L);
	o.objs[1] = o.objs[0];
	o.n = 2;
	sheaf_on_cpu(test, 0, sheaf_bulk_free_fn, &o);
	XALLOC_KUNIT_EXPECT_REPORTS(test, 1);
	KUNIT_EXPECT_EQ(test, sheaf_delta(s, &st, SHEAF_FREE_BULK), 1UL);
	KUNIT_EXPECT_EQ(test, per_cpu_ptr(s->sheaves, 0)->main->size, 1U);
	sheaf_expect_drained(test, s);
}

/*
 * A bulk free checks each object as a single free does, on both sides of a
 * sheaf switch (capacity 4, CPU 0): an address inside an object is reported
 * and left alone, NULL skipped, an object named twice in a row reported
 * once, also when the first of the two filled the main sheaf (the second
 * finds it swapped with the empty spare). The six objects are pushed: four
 * on the first sheaf, now the spare, two on the new main.
 */
static void xalloc_sheaf_bulk_free_checks_each(struct kunit *test)
{
	struct xalloc_cache *s = sheaf_cache(test, "sheaf_bulk_checks", 64, 4);
	struct xalloc_pcs *pcs0 = per_cpu_ptr(s->sheaves, 0);
	struct sheaf_objs o = { .s = s, .n = 6 };
	struct sheaf_stats st;
	void *p[6];

	KUNIT_ASSERT_EQ(test, sheaf_on_cpu(test, 0, sheaf_bulk_alloc_fn, &o), 0L);
	memcpy(p, o.objs, sizeof(p));
	{
		void *f[] = { p[0], p[1], p[1] + 8, p[2], NULL, p[3], p[3], p[4], p[5] };

		memcpy(o.objs, f, sizeof(f));
		o.n = ARRAY_SIZE(f);
	}
	sheaf_snap(s, &st);
	sheaf_on_cpu(test, 0, sheaf_bulk_free_fn, &o);
	XALLOC_KUNIT_EXPECT_REPORTS(test, 2);
	KUNIT_EXPECT_EQ(test, sheaf_delta(s, &st, SHEAF_FREE_BULK), 6UL);
	KUNIT_EXPECT_EQ(test, sheaf_delta(s, &st, SHEAF_SWAP), 1UL);
	KUNIT_EXPECT_EQ(test, pcs0->main->size, 2U);
	KUNIT_EXPECT_EQ(test, pcs0->spare->size, 4U);
	KUNIT_EXPECT_PTR_EQ(test, pcs0->main->objects[1], p[5]);
	KUNIT_EXPECT_PTR_EQ(test, pcs0->spare->objects[3], p[3]);
	KUNIT_EXPECT_EQ(test, sheaf_active(s), 6UL);
	sheaf_expect_drained(test, s);
}

/*
 * The shrinker's path (xalloc_zone_shrink()) gives back what sheaves hold:
 * CPU 0 leaves two full sheaves in the barn and one empty there; CPU 1, on
 * the same node, takes one of the full ones for its empty main, so the barn
 * holds one full and two empty sheaves and CPU 1 a full main. The shrink
 * flushes the two full ones (SHEAF_DRAIN), frees the barn's three
 * (BARN_FREE), and only the caller's 12 objects stay active. The shrinker's
 * count sees the sheaved objects as reclaimable, before and after. A stride
 * of 256 bytes (KASAN's red zone included), 16 objects a page: a refill,
 * which allocates no new slab once it has objects, always gets 4.
 */
static void xalloc_sheaf_shrinker_drains_barns(struct kunit *test)
{
	struct xalloc_cache *s = sheaf_cache(test, "sheaf_shrinker", 256 - XALLOC_KASAN_REDZONE, 4);
	struct sheaf_objs *o = kunit_kzalloc(test, 3 * sizeof(*o), GFP_KERNEL);
	struct xalloc_barn *barn = s->barns[cpu_to_mem(0)];
	struct sheaf_objs *kept = o + 1, *c1 = o + 2;
	struct xalloc_cache_counts cnt;
	struct sheaf_stats st;

	KUNIT_ASSERT_NOT_NULL(test, o);
	KUNIT_ASSERT_EQ(test, s->size, 256U);
	*o = (struct sheaf_objs){ .s = s, .n = 20 };
	*kept = (struct sheaf_objs){ .s = s, .n = 12 };
	*c1 = (struct sheaf_objs){ .s = s, .n = 3 };
	KUNIT_ASSERT_EQ(test, sheaf_on_cpu(test, 0, sheaf_alloc_fn, o), 0L);
	sheaf_on_cpu(test, 0, sheaf_free_fn, o);
	KUNIT_ASSERT_EQ(test, barn->nr_full, 3U);
	KUNIT_ASSERT_EQ(test, sheaf_on_cpu(test, 0, sheaf_alloc_fn, kept), 0L);
	KUNIT_EXPECT_EQ(test, barn->nr_full, 2U);
	KUNIT_EXPECT_EQ(test, barn->nr_empty, 1U);
	KUNIT_ASSERT_EQ(test, sheaf_on_cpu(test, 1, sheaf_alloc_fn, c1), 0L);
	sheaf_on_cpu(test, 1, sheaf_free_fn, c1);
	KUNIT_EXPECT_EQ(test, per_cpu_ptr(s->sheaves, 1)->main->size, 4U);
	KUNIT_EXPECT_EQ(test, per_cpu_ptr(s->sheaves, 1)->stat[BARN_GET], 1UL);
	KUNIT_EXPECT_EQ(test, barn->nr_full, 1U);
	KUNIT_EXPECT_EQ(test, barn->nr_empty, 2U);
	KUNIT_EXPECT_EQ(test, xalloc_sheaf_objects(s), 8UL);
	KUNIT_EXPECT_EQ(test, sheaf_active(s), 20UL);
	/* The shrinker counts the sheaves' 8 objects as reclaimable: 12 are held. */
	xalloc_cache_counts(s, &cnt);
	KUNIT_EXPECT_EQ(test, xalloc_cache_reclaimable(s),
			mult_frac(cnt.num_pages, cnt.num_objs - 12, cnt.num_objs));

	sheaf_snap(s, &st);
	xalloc_zone_shrink();
	KUNIT_EXPECT_EQ(test, sheaf_delta(s, &st, SHEAF_DRAIN), 2UL);
	KUNIT_EXPECT_EQ(test, sheaf_delta(s, &st, BARN_FREE), 3UL);
	KUNIT_EXPECT_EQ(test, barn->nr_full, 0U);
	KUNIT_EXPECT_EQ(test, barn->nr_empty, 0U);
	KUNIT_EXPECT_EQ(test, xalloc_sheaf_objects(s), 0UL);
	KUNIT_EXPECT_EQ(test, sheaf_active(s), 12UL);
	/* The sheaves work on: the frees put a new empty sheaf in the barn. */
	sheaf_on_cpu(test, 0, sheaf_free_fn, kept);
	KUNIT_EXPECT_EQ(test, sheaf_delta(s, &st, BARN_PUT), 1UL);
	/* Nothing held: every page of the cache's slabs is reclaimable. */
	xalloc_cache_counts(s, &cnt);
	KUNIT_EXPECT_GT(test, cnt.num_pages, 0UL);
	KUNIT_EXPECT_EQ(test, xalloc_cache_reclaimable(s), cnt.num_pages);
	KUNIT_EXPECT_GE(test, xalloc_slab_reclaimable(), cnt.num_pages);
	sheaf_expect_drained(test, s);
	KUNIT_EXPECT_EQ(test, xalloc_cache_reclaimable(s), 0UL);
	KUNIT_EXPECT_EQ(test, sheaf_delta(s, &st, BARN_FREE), 4UL);
}

/*
 * A refill takes what the CPU slab has left and allocates no new slab once
 * it has objects: 16 objects a slab (a stride of 256 bytes, KASAN's red
 * zone included), capacity 12. The first refill takes 12 of a new slab,
 * the second the 4 left (one slab still), the third 12 of a second slab.
 */
static void xalloc_sheaf_refill_takes_no_new_slab(struct kunit *test)
{
	struct xalloc_cache *s = sheaf_cache(test, "sheaf_refill", 256 - XALLOC_KASAN_REDZONE, 12);
	struct sheaf_objs *o = kunit_kzalloc(test, 2 * sizeof(*o), GFP_KERNEL);
	struct xalloc_pcs *pcs0 = per_cpu_ptr(s->sheaves, 0);
	struct sheaf_stats st;

	KUNIT_ASSERT_NOT_NULL(test, o);
	KUNIT_ASSERT_EQ(test, oo_objects(s->oo), 16U);
	*o = (struct sheaf_objs){ .s = s, .n = 13 };
	o[1] = (struct sheaf_objs){ .s = s, .n = 4 };
	sheaf_snap(s, &st);
	KUNIT_ASSERT_EQ(test, sheaf_on_cpu(test, 0, sheaf_alloc_fn, o), 0L);
	KUNIT_EXPECT_EQ(test, sheaf_delta(s, &st, SHEAF_REFILL), 2UL);
	KUNIT_EXPECT_EQ(test, pcs0->main->size, 3U);
	KUNIT_EXPECT_EQ(test, xalloc_kunit_slabs(s), 1UL);
	KUNIT_EXPECT_EQ(test, sheaf_active(s), 16UL);
	KUNIT_ASSERT_EQ(test, sheaf_on_cpu(test, 0, sheaf_alloc_fn, o + 1), 0L);
	KUNIT_EXPECT_EQ(test, sheaf_delta(s, &st, SHEAF_REFILL), 3UL);
	KUNIT_EXPECT_EQ(test, pcs0->main->size, 11U);
	KUNIT_EXPECT_EQ(test, xalloc_kunit_slabs(s), 2UL);
	KUNIT_EXPECT_EQ(test, sheaf_active(s), 28UL);
	sheaf_on_cpu(test, 0, sheaf_free_fn, o + 1);
	sheaf_on_cpu(test, 0, sheaf_free_fn, o);
	sheaf_expect_drained(test, s);
}

static struct kunit_case xalloc_sheaf_cases[] = {
	KUNIT_CASE(xalloc_sheaf_alloc_free_hits),
	KUNIT_CASE(xalloc_sheaf_swap_and_barn_exchange),
	KUNIT_CASE(xalloc_sheaf_refill_and_flush_counted),
	KUNIT_CASE(xalloc_sheaf_remote_free_is_local_push),
	KUNIT_CASE(xalloc_sheaf_shrink_drains_everything),
	KUNIT_CASE(xalloc_sheaf_destroy_drains),
	KUNIT_CASE(xalloc_sheaf_cpu_offline_drains),
	KUNIT_CASE(xalloc_sheaf_double_free_reported),
	KUNIT_CASE(xalloc_sheaf_gfp_zero),
	KUNIT_CASE(xalloc_sheaf_debug_switch_pauses),
	KUNIT_CASE(xalloc_sheaf_interrupt_inside_path),
	KUNIT_CASE(xalloc_sheaf_stress_both_cpus),
	KUNIT_CASE(xalloc_sheaf_bulk_counted),
	KUNIT_CASE(xalloc_sheaf_bulk_double_free_reported),
	KUNIT_CASE(xalloc_sheaf_bulk_free_checks_each),
	KUNIT_CASE(xalloc_sheaf_shrinker_drains_barns),
	KUNIT_CASE(xalloc_sheaf_refill_takes_no_new_slab),
	{}
};

static struct kunit_suite xalloc_sheaf_suite = {
	.name = "xalloc_sheaf",
	.init = sheaf_test_init,
	.exit = sheaf_test_exit,
	.test_cases = xalloc_sheaf_cases,
};

kunit_test_suite(xalloc_sheaf_suite);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("KUnit tests for the per-CPU sheaves of xalloc caches");
