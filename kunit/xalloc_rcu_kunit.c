// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite xalloc_rcu: type-safe caches and frees after a grace period.
 *
 * "Not freed before the grace period" is checked with a reader: a thread
 * bound to another CPU than the case's, which holds rcu_read_lock() and
 * checks the bytes of an object until the case lets it go. While it holds,
 * no grace period can end, so every object queued meanwhile must still be
 * allocated, whatever the timing; the case then waits with
 * xalloc_rcu_barrier() and expects every object freed. Counts are exact:
 * the cases are alone on xalloc while they run.
 *
 * Lock order (outer first):
 *   1. rcu_spin_lock		the spinlocked-region case's own lock
 *   2. the locks of mm/slab_rcu.c and mm/slub.c
 */

#include <kunit/test.h>
#include <linux/cpu.h>
#include <linux/delay.h>
#include <linux/hrtimer.h>
#include <linux/kasan.h>
#include <linux/kthread.h>
#include <linux/pid.h>
#include <linux/sched.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/workqueue.h>

#include <xalloc/xalloc.h>

#include "../mm/fail.h"
#include "../mm/slab.h"
#include "../mm/slab_rcu.h"
#include "xalloc_kunit.h"

#define RCU_NR_OBJS	64
#define RCU_CTOR_MAGIC	0x5a5a1234c0ffee00ULL
#define RCU_PATTERN	0x3c

struct rcu_obj {
	struct rcu_head rcu;
	u64 magic;			/* set by the ctor of the type-safe caches */
	u64 data[5];
};

struct rcu_test_ctx {
	struct xalloc_cache *s;		/* destroyed on exit if set */
	bool pinned;			/* the case's thread is bound to one CPU */
};

static int rcu_test_init(struct kunit *test)
{
	struct rcu_test_ctx *ctx;

	xalloc_kunit_init(test);
	ctx = kunit_kzalloc(test, sizeof(*ctx), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ctx);
	test->priv = ctx;
	return 0;
}

static void rcu_test_exit(struct kunit *test)
{
	struct rcu_test_ctx *ctx = test->priv;
	int nid;

	xalloc_fail_set(XALLOC_FAIL_RCU_BLOCK, 0, 0, 0);
	xalloc_rcu_barrier();
	if (ctx->s)
		xalloc_cache_destroy(ctx->s);
	if (ctx->pinned)
		set_cpus_allowed_ptr(current, cpu_possible_mask);
	for_each_node(nid)
		KUNIT_EXPECT_TRUE(test, xalloc_zone_check(nid));
	xalloc_kunit_exit(test);
}

static struct xalloc_cache *rcu_cache(struct kunit *test, const char *name,
				      unsigned long flags, void (*ctor)(void *))
{
	struct rcu_test_ctx *ctx = test->priv;

	ctx->s = xalloc_cache_create(name, sizeof(struct rcu_obj), 0, flags, ctor);
	KUNIT_ASSERT_NOT_NULL(test, ctx->s);
	return ctx->s;
}

/* Bind the case's thread to the CPU it runs on; return that CPU. */
static int rcu_pin(struct kunit *test)
{
	struct rcu_test_ctx *ctx = test->priv;
	int cpu;

	if (num_online_cpus() < 2)
		kunit_skip(test, "needs two online CPUs");
	cpu = raw_smp_processor_id();
	KUNIT_ASSERT_EQ(test, set_cpus_allowed_ptr(current, cpumask_of(cpu)), 0);
	ctx->pinned = true;
	return smp_processor_id();
}

/* The counters of this file, of @s. */
struct rcu_stats {
	unsigned long queued, batched, sync, freed;
};

static struct rcu_stats rcu_stats(struct xalloc_cache *s)
{
	return (struct rcu_stats){
		.queued = xalloc_cache_stat(s, FREE_RCU_QUEUED),
		.batched = xalloc_cache_stat(s, FREE_RCU_BATCHED),
		.sync = xalloc_cache_stat(s, FREE_RCU_SYNC),
		.freed = xalloc_cache_stat(s, FREE_RCU_FREED),
	};
}

/* Expect the counters of @s to have moved by exactly so much since @b. */
static void expect_rcu_stats(struct kunit *test, struct xalloc_cache *s,
			     struct rcu_stats b, unsigned long queued,
			     unsigned long batched, unsigned long sync,
			     unsigned long freed)
{
	struct rcu_stats now = rcu_stats(s);

	KUNIT_EXPECT_EQ(test, now.queued - b.queued, queued);
	KUNIT_EXPECT_EQ(test, now.batched - b.batched, batched);
	KUNIT_EXPECT_EQ(test, now.sync - b.sync, sync);
	KUNIT_EXPECT_EQ(test, now.freed - b.freed, freed);
}

/* ---- A reader holding rcu_read_lock() on another CPU --------------------- */

enum { HOLDER_START, HOLDER_HOLDING, HOLDER_RELEASE, HOLDER_DONE };

struct rcu_holder {
	struct task_struct *task;
	int cpu;			/* where it runs */
	const u8 *watch;		/* bytes checked while holding, or NULL */
	size_t len;
	u8 val;				/* ... which all read @val */
	atomic_t state;
	unsigned long mismatches;
	unsigned long spins;
};

static int holder_fn(void *arg)
{
	struct rcu_holder *h = arg;

	rcu_read_lock();
	atomic_set(&h->state, HOLDER_HOLDING);
	while (atomic_read(&h->state) != HOLDER_RELEASE) {
		if (h->watch && memchr_inv(h->watch, h->val, h->len))
			h->mismatches++;
		h->spins++;
		cpu_relax();
	}
	rcu_read_unlock();
	atomic_set(&h->state, HOLDER_DONE);
	while (!kthread_should_stop())
		schedule_timeout_interruptible(1);
	return 0;
}

/* Start a reader on a CPU other than @cpu and wait until it holds. */
static void holder_start(struct kunit *test, struct rcu_holder *h, int cpu,
			 const void *watch, size_t len, u8 val)
{
	int other = cpumask_any_but(cpu_online_mask, cpu);

	KUNIT_ASSERT_LT(test, other, nr_cpu_ids);
	h->cpu = other;
	h->watch = watch;
	h->len = len;
	h->val = val;
	h->mismatches = 0;
	h->spins = 0;
	atomic_set(&h->state, HOLDER_START);
	h->task = kthread_create(holder_fn, h, "xalloc_rcu_reader");
	KUNIT_ASSERT_FALSE(test, IS_ERR(h->task));
	kthread_bind(h->task, other);
	wake_up_process(h->task);
	while (atomic_read(&h->state) != HOLDER_HOLDING)
		usleep_range(100, 200);
}

/* Let the reader go; expect that it always found what it watched. */
static void holder_stop(struct kunit *test, struct rcu_holder *h)
{
	atomic_set(&h->state, HOLDER_RELEASE);
	kthread_stop(h->task);
	KUNIT_EXPECT_EQ(test, atomic_read(&h->state), HOLDER_DONE);
	KUNIT_EXPECT_EQ(test, h->mismatches, 0UL);
	KUNIT_EXPECT_GT(test, h->spins, 0UL);
}

/* Long enough for a block that is not full to be queued (its monitor). */
static void rcu_let_blocks_go(void)
{
	msleep(3 * jiffies_to_msecs(HZ / 50) + 10);
}

/* ---- kfree_rcu of every kmalloc class ------------------------------------ */

static const struct {
	size_t size;
	const char *cache;		/* NULL: a large block */
} rcu_classes[] = {
	{ 8, "kmalloc-8" }, { 16, "kmalloc-16" }, { 32, "kmalloc-32" },
	{ 64, "kmalloc-64" }, { 96, "kmalloc-96" }, { 128, "kmalloc-128" },
	{ 192, "kmalloc-192" }, { 256, "kmalloc-256" }, { 512, "kmalloc-512" },
	{ 1024, "kmalloc-1k" }, { 2048, "kmalloc-2k" }, { 4096, "kmalloc-4k" },
	{ 8192, "kmalloc-8k" }, { 16384, NULL },
};

static void rcu_class_desc(const typeof(rcu_classes[0]) *c, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%zu bytes%s", c->size,
		 c->cache ? "" : " (large)");
}

KUNIT_ARRAY_PARAM(rcu_class, rcu_classes, rcu_class_desc);

/*
 * A headless free and (from 16 bytes) one with an rcu_head, while a reader
 * holds rcu_read_lock(): both objects stay allocated, with their bytes,
 * until the reader is gone; then both are freed, batched.
 */
static void xalloc_rcu_kfree_every_class(struct kunit *test)
{
	const typeof(rcu_classes[0]) *c = test->param_value;
	struct xalloc_cache *s = c->cache ? xalloc_cache_lookup(c->cache) : NULL;
	unsigned int nr = c->size >= sizeof(struct rcu_head) ? 2 : 1;
	unsigned long active = 0, zfree = 0;
	struct rcu_stats before = {};
	struct rcu_holder h;
	struct rcu_obj *q = NULL;
	u8 *p;
	int cpu;

	if (c->cache)
		KUNIT_ASSERT_NOT_NULL(test, s);
	cpu = rcu_pin(test);
	xalloc_rcu_barrier();
	zfree = xalloc_kunit_zone_free();
	p = xalloc_kmalloc(c->size, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	memset(p, RCU_PATTERN, c->size);
	if (nr == 2) {
		q = xalloc_kmalloc(c->size, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, q);
		memset(q, RCU_PATTERN, c->size);
	}
	if (s) {
		active = xalloc_kunit_active(s);
		before = rcu_stats(s);
	}
	holder_start(test, &h, cpu, p, c->size, RCU_PATTERN);
	xalloc_kfree_rcu_mightsleep(p);
	xalloc_kfree_rcu(q, rcu);
	rcu_let_blocks_go();
	if (s) {
		KUNIT_EXPECT_EQ(test, xalloc_kunit_active(s), active);
		expect_rcu_stats(test, s, before, nr, nr, 0, 0);
	} else {
		KUNIT_EXPECT_EQ(test, xalloc_addr_desc(p)->type, (u8)XALLOC_PAGE_LARGE);
		KUNIT_EXPECT_EQ(test, xalloc_kunit_zone_free(), zfree - (nr << get_order(c->size)));
	}
	if (q)
		KUNIT_EXPECT_FALSE(test, memchr_inv((u8 *)q + sizeof(q->rcu), RCU_PATTERN,
						    c->size - sizeof(q->rcu)));
	holder_stop(test, &h);
	xalloc_rcu_barrier();
	if (s) {
		KUNIT_EXPECT_EQ(test, xalloc_kunit_active(s), active - nr);
		expect_rcu_stats(test, s, before, nr, nr, 0, nr);
	} else {
		KUNIT_EXPECT_EQ(test, xalloc_kunit_zone_free(), zfree);
	}
}

/* The same for a cache's objects, with the cache's own counters. */
static void xalloc_rcu_cache_free_both_forms(struct kunit *test)
{
	struct xalloc_cache *s = rcu_cache(test, "rcu_forms", 0, NULL);
	struct rcu_obj *p, *q;
	struct rcu_stats before;
	struct rcu_holder h;
	int cpu = rcu_pin(test);

	p = xalloc_cache_alloc(s, GFP_KERNEL);
	q = xalloc_cache_alloc(s, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_ASSERT_NOT_NULL(test, q);
	memset(p, RCU_PATTERN, sizeof(*p));
	memset(q, RCU_PATTERN, sizeof(*q));
	before = rcu_stats(s);
	holder_start(test, &h, cpu, p, sizeof(*p), RCU_PATTERN);
	xalloc_cache_free_rcu_mightsleep(s, p);
	xalloc_cache_free_rcu(s, q, rcu);
	rcu_let_blocks_go();
	KUNIT_EXPECT_EQ(test, xalloc_kunit_active(s), 2UL);
	KUNIT_EXPECT_FALSE(test, memchr_inv(q->data, RCU_PATTERN, sizeof(q->data)));
	expect_rcu_stats(test, s, before, 2, 2, 0, 0);
	holder_stop(test, &h);
	xalloc_rcu_barrier();
	KUNIT_EXPECT_EQ(test, xalloc_kunit_active(s), 0UL);
	expect_rcu_stats(test, s, before, 2, 2, 0, 2);
}

/* An object of another cache is reported and not queued. */
static void xalloc_rcu_cache_free_wrong_cache(struct kunit *test)
{
	struct xalloc_cache *s = rcu_cache(test, "rcu_wrong", 0, NULL);
	struct xalloc_cache *k = xalloc_cache_lookup("kmalloc-64");
	struct rcu_stats before = rcu_stats(s);
	void *p = xalloc_kmalloc(64, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_ASSERT_NOT_NULL(test, k);
	xalloc_cache_free_rcu_mightsleep(s, p);
	XALLOC_KUNIT_EXPECT_REPORTS(test, 1);
	xalloc_rcu_barrier();
	expect_rcu_stats(test, s, before, 0, 0, 0, 0);
	KUNIT_EXPECT_EQ(test, xalloc_ksize(p), 64UL);
	xalloc_kfree(p);
}

/* ---- Destroy with frees pending, from a workqueue ------------------------ */

struct rcu_destroy_work {
	struct work_struct work;
	int round;
	bool created, gone;
};

static void rcu_destroy_fn(struct work_struct *work)
{
	struct rcu_destroy_work *w = container_of(work, struct rcu_destroy_work, work);
	struct rcu_obj *objs[RCU_NR_OBJS];
	struct xalloc_cache *s;
	char name[24];
	int i;

	snprintf(name, sizeof(name), "rcu_wq_destroy%d", w->round);
	s = xalloc_cache_create(name, sizeof(struct rcu_obj), 0, 0, NULL);
	w->created = s;
	if (!s)
		return;
	for (i = 0; i < RCU_NR_OBJS; i++) {
		objs[i] = xalloc_cache_alloc(s, GFP_KERNEL);
		if (!objs[i])
			break;
	}
	while (i--) {
		if (i & 1)
			xalloc_cache_free_rcu(s, objs[i], rcu);
		else
			xalloc_cache_free_rcu_mightsleep(s, objs[i]);
	}
	xalloc_cache_destroy(s);
	w->gone = !xalloc_cache_lookup(name);
}

/* The kernel's test_kfree_rcu_wq_destroy: ten rounds, no report. */
static void xalloc_rcu_destroy_pending_from_wq(struct kunit *test)
{
	struct workqueue_struct *wq = alloc_workqueue("xalloc_rcu_wq", WQ_UNBOUND, 0);
	struct rcu_destroy_work w;

	KUNIT_ASSERT_NOT_NULL(test, wq);
	for (w.round = 0; w.round < 10; w.round++) {
		w.created = false;
		w.gone = false;
		INIT_WORK_ONSTACK(&w.work, rcu_destroy_fn);
		queue_work(wq, &w.work);
		flush_work(&w.work);
		destroy_work_on_stack(&w.work);
		KUNIT_EXPECT_TRUE(test, w.created);
		KUNIT_EXPECT_TRUE(test, w.gone);
	}
	destroy_workqueue(wq);
	XALLOC_KUNIT_EXPECT_REPORTS(test, 0);
}

/* ---- Type-safe caches ---------------------------------------------------- */

static atomic_t rcu_ctor_calls = ATOMIC_INIT(0);

static void rcu_ctor(void *p)
{
	struct rcu_obj *o = p;

	o->magic = RCU_CTOR_MAGIC;
	atomic_inc(&rcu_ctor_calls);
}

struct rcu_shrink_work {
	struct work_struct work;
	struct xalloc_cache *s;
};

static void rcu_shrink_fn(struct work_struct *work)
{
	xalloc_cache_shrink(container_of(work, struct rcu_shrink_work, work)->s);
}

/*
 * The kernel's test_rcu_persistent, with a reader: it keeps a pointer
 * across the object's free, reuse and free again, and the ctor-set field
 * never changes; the empty slab stays the cache's, its pages out of the
 * zone, until the reader is gone.
 */
static void xalloc_rcu_typesafe_persistent(struct kunit *test)
{
	struct xalloc_cache *s = rcu_cache(test, "rcu_typesafe", XALLOC_TYPESAFE_BY_RCU,
					   rcu_ctor);
	struct rcu_shrink_work w = { .s = s };
	unsigned long zfree, pages;
	struct rcu_obj *p, *q;
	struct rcu_holder h;
	int cpu = rcu_pin(test), tries;

	KUNIT_EXPECT_GE(test, s->offset, s->object_size);
	atomic_set(&rcu_ctor_calls, 0);
	xalloc_cache_shrink(s);
	zfree = xalloc_kunit_zone_free();
	p = xalloc_cache_alloc(s, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_EXPECT_EQ(test, atomic_read(&rcu_ctor_calls), (int)oo_objects(s->oo));
	KUNIT_EXPECT_EQ(test, p->magic, RCU_CTOR_MAGIC);
	pages = 1UL << oo_order(s->oo);
	memset(p->data, RCU_PATTERN, sizeof(p->data));
	/* The reader keeps @p across its free, reuse and free again. */
	holder_start(test, &h, cpu, p->data, sizeof(p->data), RCU_PATTERN);
	xalloc_cache_free(s, p);
	/* Type-safe: nothing of the object changes on free. */
	KUNIT_EXPECT_EQ(test, p->magic, RCU_CTOR_MAGIC);
	KUNIT_EXPECT_FALSE(test, memchr_inv(p->data, RCU_PATTERN, sizeof(p->data)));
	q = xalloc_cache_alloc(s, GFP_KERNEL);
	KUNIT_EXPECT_PTR_EQ(test, q, p);
	KUNIT_EXPECT_EQ(test, q->magic, RCU_CTOR_MAGIC);
	xalloc_cache_free(s, q);
	KUNIT_EXPECT_EQ(test, atomic_read(&rcu_ctor_calls), (int)oo_objects(s->oo));

	/* The shrink discards the empty slab, then waits for its grace period. */
	INIT_WORK_ONSTACK(&w.work, rcu_shrink_fn);
	queue_work_on(cpu, system_wq, &w.work);
	for (tries = 0; !xalloc_rcu_slabs_pending() && tries < 100000; tries++)
		usleep_range(100, 200);
	KUNIT_EXPECT_EQ(test, xalloc_rcu_slabs_pending(), 1UL);
	KUNIT_EXPECT_EQ(test, xalloc_kunit_slabs(s), 1UL);
	KUNIT_EXPECT_EQ(test, xalloc_kunit_active(s), 0UL);
	KUNIT_EXPECT_EQ(test, xalloc_kunit_zone_free(), zfree - pages);
	KUNIT_EXPECT_EQ(test, READ_ONCE(p->magic), RCU_CTOR_MAGIC);
	holder_stop(test, &h);
	flush_work(&w.work);
	destroy_work_on_stack(&w.work);
	KUNIT_EXPECT_EQ(test, xalloc_rcu_slabs_pending(), 0UL);
	KUNIT_EXPECT_EQ(test, xalloc_kunit_slabs(s), 0UL);
	KUNIT_EXPECT_EQ(test, xalloc_kunit_zone_free(), zfree);
}

/*
 * With every debug flag: objects keep their bytes on free (no poison), red
 * zones are checked as usual, validation finds nothing else, and destroy
 * waits for the slab, which is poisoned as it goes.
 */
static void xalloc_rcu_typesafe_debug(struct kunit *test)
{
	struct xalloc_cache *s = rcu_cache(test, "rcu_typesafe_dbg",
					   XALLOC_TYPESAFE_BY_RCU | XALLOC_DEBUG_FLAGS, NULL);
	struct rcu_obj *p, *q;
	u8 *b;

	p = xalloc_cache_alloc(s, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	memset(p, RCU_PATTERN, sizeof(*p));
	xalloc_cache_free(s, p);
	KUNIT_EXPECT_FALSE(test, memchr_inv(p, RCU_PATTERN, sizeof(*p)));
	KUNIT_EXPECT_EQ(test, xalloc_cache_validate(s), 0UL);
	q = xalloc_cache_alloc(s, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, q);
	b = (u8 *)q;
	kasan_disable_current();
	b[sizeof(*q)] = 0x88;		/* right red zone */
	kasan_enable_current();
	xalloc_cache_free(s, q);
	XALLOC_KUNIT_EXPECT_REPORTS(test, 1);
	KUNIT_EXPECT_EQ(test, xalloc_cache_validate(s), 0UL);
	xalloc_cache_shrink(s);
	KUNIT_EXPECT_EQ(test, xalloc_kunit_slabs(s), 0UL);
}

/* ---- Frees from atomic context ------------------------------------------- */

struct rcu_irq {
	struct hrtimer timer;
	struct xalloc_cache *s;
	struct rcu_obj **objs;
	atomic_t done;
	bool in_irq;
};

static enum hrtimer_restart rcu_irq_fn(struct hrtimer *timer)
{
	struct rcu_irq *r = container_of(timer, struct rcu_irq, timer);

	r->in_irq = in_hardirq();
	for (int i = 0; i < RCU_NR_OBJS; i++)
		xalloc_cache_free_rcu(r->s, r->objs[i], rcu);
	atomic_set(&r->done, 1);
	return HRTIMER_NORESTART;
}

static void rcu_alloc_objs(struct kunit *test, struct xalloc_cache *s,
			   struct rcu_obj **objs)
{
	KUNIT_ASSERT_EQ(test, xalloc_cache_alloc_bulk(s, GFP_KERNEL, RCU_NR_OBJS,
						      (void **)objs), RCU_NR_OBJS);
}

/* From an interrupt: batched, none freed after a synchronous wait. */
static void xalloc_rcu_free_from_irq(struct kunit *test)
{
	struct xalloc_cache *s = rcu_cache(test, "rcu_irq", 0, NULL);
	struct rcu_obj **objs = kunit_kcalloc(test, RCU_NR_OBJS, sizeof(*objs), GFP_KERNEL);
	struct rcu_stats before;
	struct rcu_irq r = { .s = s, .objs = objs };

	KUNIT_ASSERT_NOT_NULL(test, objs);
	rcu_alloc_objs(test, s, objs);
	before = rcu_stats(s);
	hrtimer_init(&r.timer, CLOCK_MONOTONIC, HRTIMER_MODE_REL);
	r.timer.function = rcu_irq_fn;
	hrtimer_start(&r.timer, ns_to_ktime(100 * NSEC_PER_USEC), HRTIMER_MODE_REL);
	while (!atomic_read(&r.done))
		usleep_range(100, 200);
	hrtimer_cancel(&r.timer);
	KUNIT_EXPECT_TRUE(test, r.in_irq);
	expect_rcu_stats(test, s, before, RCU_NR_OBJS, RCU_NR_OBJS, 0,
			 rcu_stats(s).freed - before.freed);
	xalloc_rcu_barrier();
	expect_rcu_stats(test, s, before, RCU_NR_OBJS, RCU_NR_OBJS, 0, RCU_NR_OBJS);
	KUNIT_EXPECT_EQ(test, xalloc_kunit_active(s), 0UL);
}

static DEFINE_SPINLOCK(rcu_spin_lock);

/* Under a spinlock, with interrupts on and off: batched as well. */
static void xalloc_rcu_free_under_spinlock(struct kunit *test)
{
	struct xalloc_cache *s = rcu_cache(test, "rcu_spin", 0, NULL);
	struct rcu_obj **objs = kunit_kcalloc(test, RCU_NR_OBJS, sizeof(*objs), GFP_KERNEL);
	struct rcu_stats before;
	unsigned long flags;
	int i;

	KUNIT_ASSERT_NOT_NULL(test, objs);
	rcu_alloc_objs(test, s, objs);
	before = rcu_stats(s);
	spin_lock(&rcu_spin_lock);
	for (i = 0; i < RCU_NR_OBJS / 2; i++)
		xalloc_cache_free_rcu(s, objs[i], rcu);
	spin_unlock(&rcu_spin_lock);
	spin_lock_irqsave(&rcu_spin_lock, flags);
	for (; i < RCU_NR_OBJS; i++)
		xalloc_kfree_rcu(objs[i], rcu);
	spin_unlock_irqrestore(&rcu_spin_lock, flags);
	KUNIT_EXPECT_EQ(test, rcu_stats(s).batched - before.batched, (unsigned long)RCU_NR_OBJS);
	xalloc_rcu_barrier();
	expect_rcu_stats(test, s, before, RCU_NR_OBJS, RCU_NR_OBJS, 0, RCU_NR_OBJS);
	KUNIT_EXPECT_EQ(test, xalloc_kunit_active(s), 0UL);
}

/* ---- Where a block's objects go back -------------------------------------- */

/* Expect @pid to be a workqueue worker (a kworker or the rescuer). */
static void expect_worker(struct kunit *test, pid_t pid)
{
	struct task_struct *t;
	bool worker;

	KUNIT_EXPECT_GT(test, pid, 0);		/* the idle task: an interrupt */
	rcu_read_lock();
	t = pid_task(find_vpid(pid), PIDTYPE_PID);
	worker = t && (t->flags & PF_WQ_WORKER);
	rcu_read_unlock();
	KUNIT_EXPECT_TRUE_MSG(test, worker, "pid %d freed after the grace period", pid);
}

/*
 * A block's objects go back in a work item of xalloc's workqueue, in process
 * context, not in the RCU softirq: the free tracks of a cache that stores
 * them name workqueue workers only. The case's thread, which queued them,
 * sleeps in xalloc_rcu_barrier() meanwhile, so a free from an interrupt
 * would name the idle task, ksoftirqd or whatever else ran there.
 */
static void xalloc_rcu_block_freed_by_worker(struct kunit *test)
{
	struct xalloc_cache *s = rcu_cache(test, "rcu_worker", XALLOC_STORE_USER, NULL);
	struct rcu_obj **objs = kunit_kcalloc(test, RCU_NR_OBJS, sizeof(*objs), GFP_KERNEL);
	const int max_sites = 8;
	struct xalloc_location *loc = kunit_kcalloc(test, max_sites, sizeof(*loc), GFP_KERNEL);
	struct rcu_stats before;
	unsigned long count = 0;
	int i, nr;

	KUNIT_ASSERT_NOT_NULL(test, objs);
	KUNIT_ASSERT_NOT_NULL(test, loc);
	rcu_alloc_objs(test, s, objs);
	before = rcu_stats(s);
	for (i = 0; i < RCU_NR_OBJS; i++)
		xalloc_cache_free_rcu(s, objs[i], rcu);
	xalloc_rcu_barrier();
	expect_rcu_stats(test, s, before, RCU_NR_OBJS, RCU_NR_OBJS, 0, RCU_NR_OBJS);
	nr = xalloc_debug_traces(s, false, loc, max_sites);
	KUNIT_ASSERT_GE(test, nr, 1);
	for (i = 0; i < nr; i++) {
		expect_worker(test, loc[i].min_pid);
		expect_worker(test, loc[i].max_pid);
		count += loc[i].count;
	}
	KUNIT_EXPECT_EQ(test, count, (unsigned long)RCU_NR_OBJS);
	KUNIT_EXPECT_EQ(test, xalloc_kunit_active(s), 0UL);
}

/* ---- No memory for a block ------------------------------------------------ */

/* With an rcu_head: call_rcu() on the object's own head, still not early. */
static void xalloc_rcu_no_block_head_form(struct kunit *test)
{
	struct xalloc_cache *s = rcu_cache(test, "rcu_nomem_head", 0, NULL);
	long failed = atomic_long_read(&xalloc_fail[XALLOC_FAIL_RCU_BLOCK].failures);
	struct rcu_obj *objs[8], *big;
	struct rcu_stats before;
	struct rcu_holder h;
	unsigned long zfree;
	int cpu = rcu_pin(test), i;

	for (i = 0; i < 8; i++) {
		objs[i] = xalloc_cache_alloc(s, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, objs[i]);
	}
	xalloc_rcu_barrier();		/* no CPU has a block being filled */
	zfree = xalloc_kunit_zone_free();
	big = xalloc_kmalloc(3 * PAGE_SIZE, GFP_KERNEL);	/* head past page 0 below */
	KUNIT_ASSERT_NOT_NULL(test, big);
	before = rcu_stats(s);
	holder_start(test, &h, cpu, NULL, 0, 0);
	xalloc_fail_set(XALLOC_FAIL_RCU_BLOCK, 100, 0, -1);
	for (i = 0; i < 8; i++)
		xalloc_cache_free_rcu(s, objs[i], rcu);
	xalloc_kfree_call_rcu((struct rcu_head *)((char *)big + 2 * PAGE_SIZE + 64), big);
	xalloc_fail_set(XALLOC_FAIL_RCU_BLOCK, 0, 0, 0);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&xalloc_fail[XALLOC_FAIL_RCU_BLOCK].failures),
			failed + 9);
	KUNIT_EXPECT_EQ(test, xalloc_kunit_active(s), 8UL);
	expect_rcu_stats(test, s, before, 8, 0, 0, 0);
	holder_stop(test, &h);
	xalloc_rcu_barrier();
	KUNIT_EXPECT_EQ(test, xalloc_kunit_active(s), 0UL);
	expect_rcu_stats(test, s, before, 8, 0, 0, 8);
	KUNIT_EXPECT_EQ(test, xalloc_kunit_zone_free(), zfree);
}

/* Headless: a synchronous grace period, then the free, before the return. */
static void xalloc_rcu_no_block_headless(struct kunit *test)
{
	struct xalloc_cache *s = rcu_cache(test, "rcu_nomem_sync", 0, NULL);
	struct rcu_obj *objs[8];
	struct rcu_stats before;
	int i;

	for (i = 0; i < 8; i++) {
		objs[i] = xalloc_cache_alloc(s, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, objs[i]);
	}
	rcu_pin(test);
	xalloc_rcu_barrier();
	before = rcu_stats(s);
	xalloc_fail_set(XALLOC_FAIL_RCU_BLOCK, 100, 0, -1);
	for (i = 0; i < 8; i++) {
		xalloc_cache_free_rcu_mightsleep(s, objs[i]);
		KUNIT_EXPECT_EQ(test, xalloc_kunit_active(s), 7UL - i);
	}
	xalloc_fail_set(XALLOC_FAIL_RCU_BLOCK, 0, 0, 0);
	expect_rcu_stats(test, s, before, 8, 0, 8, 8);
}

/* ---- Pending frees on every CPU, as unload finds them --------------------- */

struct rcu_cpu_queue {
	struct xalloc_cache *s;
	struct rcu_obj *objs[RCU_NR_OBJS / 4];
	void *kobjs[RCU_NR_OBJS / 4];
};

static long rcu_queue_on_cpu(void *arg)
{
	struct rcu_cpu_queue *q = arg;

	for (int i = 0; i < ARRAY_SIZE(q->objs); i++) {
		xalloc_cache_free_rcu(q->s, q->objs[i], rcu);
		xalloc_kfree_rcu_mightsleep(q->kobjs[i]);
	}
	return 0;
}

struct rcu_unload_work {
	struct work_struct work;
	struct xalloc_cache *s;
	atomic_t done;
};

/* What unload does: wait for every pending free, then destroy the caches. */
static void rcu_unload_fn(struct work_struct *work)
{
	struct rcu_unload_work *w = container_of(work, struct rcu_unload_work, work);

	xalloc_rcu_barrier();
	xalloc_cache_destroy(w->s);
	atomic_set(&w->done, 1);
}

/*
 * Frees left in the blocks of every CPU, a reader holding: the unload step
 * (xalloc_rcu_exit()'s barrier, then the destroys) waits for all of them,
 * and the destroy reports nothing.
 */
static void xalloc_rcu_pending_frees_at_unload(struct kunit *test)
{
	struct rcu_test_ctx *ctx = test->priv;
	struct xalloc_cache *s = rcu_cache(test, "rcu_unload", 0, NULL);
	struct xalloc_cache *k = xalloc_cache_lookup("kmalloc-128");
	struct rcu_unload_work w = { .s = s };
	struct rcu_cpu_queue *q;
	unsigned long kactive, queued = 0;
	struct rcu_holder h;
	int cpu, me = rcu_pin(test);

	KUNIT_ASSERT_NOT_NULL(test, k);
	q = kunit_kcalloc(test, nr_cpu_ids, sizeof(*q), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, q);
	holder_start(test, &h, me, NULL, 0, 0);
	kactive = xalloc_kunit_active(k);
	cpus_read_lock();
	for_each_online_cpu(cpu) {
		q[cpu].s = s;
		for (int i = 0; i < ARRAY_SIZE(q[cpu].objs); i++) {
			q[cpu].objs[i] = xalloc_cache_alloc(s, GFP_KERNEL);
			q[cpu].kobjs[i] = xalloc_kmalloc(128, GFP_KERNEL);
		}
		/* The holder's CPU too: the queueing does not wait for a reader. */
		if (cpu == h.cpu)
			rcu_queue_on_cpu(&q[cpu]);
		else
			work_on_cpu(cpu, rcu_queue_on_cpu, &q[cpu]);
		queued += ARRAY_SIZE(q[cpu].objs);
	}
	cpus_read_unlock();
	KUNIT_EXPECT_EQ(test, xalloc_kunit_active(s), queued);
	KUNIT_EXPECT_EQ(test, xalloc_kunit_active(k), kactive + queued);
	INIT_WORK_ONSTACK(&w.work, rcu_unload_fn);
	queue_work_on(me, system_wq, &w.work);
	rcu_let_blocks_go();
	KUNIT_EXPECT_EQ(test, atomic_read(&w.done), 0);
	KUNIT_EXPECT_EQ(test, xalloc_kunit_active(s), queued);
	holder_stop(test, &h);
	flush_work(&w.work);
	destroy_work_on_stack(&w.work);
	ctx->s = NULL;
	KUNIT_EXPECT_EQ(test, atomic_read(&w.done), 1);
	KUNIT_EXPECT_NULL(test, xalloc_cache_lookup("rcu_unload"));
	KUNIT_EXPECT_EQ(test, xalloc_kunit_active(k), kactive);
	XALLOC_KUNIT_EXPECT_REPORTS(test, 0);
}

/* ---- Stress: readers on every CPU, writers replacing ---------------------- */

#define RCU_SLOTS	64
#define RCU_REPLACES	4000		/* per writer */

struct rcu_item {
	struct rcu_head rcu;
	u64 magic;			/* ctor-set (type-safe) or RCU_CTOR_MAGIC */
	u32 key;
	u32 check;			/* ~key while the item is published */
};

struct rcu_stress {
	struct xalloc_cache *typesafe;
	struct rcu_item __rcu *slots[RCU_SLOTS];
	atomic_t writers;
	bool stop;
	atomic_long_t lookups;
	atomic_long_t bad;		/* an item that was no item */
	atomic_long_t replaced;
};

static void rcu_item_ctor(void *p)
{
	((struct rcu_item *)p)->magic = RCU_CTOR_MAGIC;
}

static int rcu_reader_fn(void *arg)
{
	struct rcu_stress *st = arg;
	unsigned long n = 0;

	while (!READ_ONCE(st->stop)) {
		rcu_read_lock();
		for (int i = 0; i < RCU_SLOTS; i++) {
			struct rcu_item *it = rcu_dereference(st->slots[i]);

			/* A kmalloc item is never freed under us; a type-safe one may be reused. */
			if (it && READ_ONCE(it->magic) != RCU_CTOR_MAGIC)
				atomic_long_inc(&st->bad);
			if (it && !(i & 1) && READ_ONCE(it->check) != ~READ_ONCE(it->key))
				atomic_long_inc(&st->bad);
			n++;
		}
		rcu_read_unlock();
		cond_resched();
	}
	atomic_long_add(n, &st->lookups);
	while (!kthread_should_stop())
		schedule_timeout_interruptible(1);
	return 0;
}

/* Even slots hold kmalloc items, odd ones items of the type-safe cache. */
static struct rcu_item *rcu_item_new(struct rcu_stress *st, int slot, u32 key)
{
	struct rcu_item *it;

	if (slot & 1) {
		it = xalloc_cache_alloc(st->typesafe, GFP_KERNEL);
	} else {
		it = xalloc_kmalloc(sizeof(*it), GFP_KERNEL);
		if (it)
			it->magic = RCU_CTOR_MAGIC;
	}
	if (it) {
		it->key = key;
		it->check = ~key;
	}
	return it;
}

static void rcu_item_free(struct rcu_stress *st, int slot, struct rcu_item *it, bool head)
{
	if (!it)
		return;
	if (slot & 1)
		xalloc_cache_free(st->typesafe, it);
	else if (head)
		xalloc_kfree_rcu(it, rcu);
	else
		xalloc_kfree_rcu_mightsleep(it);
}

static int rcu_writer_fn(void *arg)
{
	struct rcu_stress *st = arg;
	int cpu = raw_smp_processor_id();

	for (u32 n = 0; n < RCU_REPLACES; n++) {
		int slot = (n * 7 + cpu * 13) % RCU_SLOTS;
		struct rcu_item *it = rcu_item_new(st, slot, n ^ (cpu << 24));
		struct rcu_item *old;

		if (!it)
			continue;
		old = unrcu_pointer(xchg(&st->slots[slot], RCU_INITIALIZER(it)));
		rcu_item_free(st, slot, old, n & 1);
		atomic_long_inc(&st->replaced);
		cond_resched();
	}
	atomic_dec(&st->writers);
	while (!kthread_should_stop())
		schedule_timeout_interruptible(1);
	return 0;
}

static void xalloc_rcu_stress_readers_every_cpu(struct kunit *test)
{
	struct xalloc_cache *s = rcu_cache(test, "rcu_stress_ts", XALLOC_TYPESAFE_BY_RCU,
					   rcu_item_ctor);
	struct xalloc_cache *k = xalloc_cache_lookup("kmalloc-32");
	struct task_struct **tasks;
	struct rcu_stress *st;
	struct rcu_stats before;
	unsigned long kactive;
	int cpu, nr = 0;

	KUNIT_ASSERT_NOT_NULL(test, k);
	st = kunit_kzalloc(test, sizeof(*st), GFP_KERNEL);
	tasks = kunit_kcalloc(test, 2 * nr_cpu_ids, sizeof(*tasks), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, st);
	KUNIT_ASSERT_NOT_NULL(test, tasks);
	st->typesafe = s;
	kactive = xalloc_kunit_active(k);
	before = rcu_stats(k);
	cpus_read_lock();
	for_each_online_cpu(cpu) {
		tasks[nr] = kthread_create(rcu_reader_fn, st, "xalloc_rcu_rd/%d", cpu);
		if (!IS_ERR(tasks[nr])) {
			kthread_bind(tasks[nr], cpu);
			wake_up_process(tasks[nr++]);
		}
		atomic_inc(&st->writers);
		tasks[nr] = kthread_create(rcu_writer_fn, st, "xalloc_rcu_wr/%d", cpu);
		if (IS_ERR(tasks[nr])) {
			atomic_dec(&st->writers);
			continue;
		}
		kthread_bind(tasks[nr], cpu);
		wake_up_process(tasks[nr++]);
	}
	cpus_read_unlock();
	while (atomic_read(&st->writers))
		msleep(20);
	WRITE_ONCE(st->stop, true);
	for (int i = 0; i < nr; i++)
		kthread_stop(tasks[i]);
	for (int i = 0; i < RCU_SLOTS; i++)
		rcu_item_free(st, i, rcu_dereference_protected(st->slots[i], true), true);
	xalloc_rcu_barrier();
	KUNIT_EXPECT_EQ(test, atomic_long_read(&st->bad), 0L);
	KUNIT_EXPECT_GT(test, atomic_long_read(&st->lookups), 0L);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&st->replaced),
			(long)num_online_cpus() * RCU_REPLACES);
	KUNIT_EXPECT_EQ(test, xalloc_kunit_active(k), kactive);
	KUNIT_EXPECT_EQ(test, xalloc_kunit_active(s), 0UL);
	/* Every kmalloc item went through the RCU free, and came back. */
	KUNIT_EXPECT_EQ(test, rcu_stats(k).queued - before.queued,
			rcu_stats(k).freed - before.freed);
	KUNIT_EXPECT_EQ(test, rcu_stats(k).sync - before.sync, 0UL);
	kunit_info(test, "%ld replaced, %ld lookups on %d CPUs\n",
		   atomic_long_read(&st->replaced), atomic_long_read(&st->lookups),
		   num_online_cpus());
}

static struct kunit_case xalloc_rcu_cases[] = {
	KUNIT_CASE_PARAM(xalloc_rcu_kfree_every_class, rcu_class_gen_params),
	KUNIT_CASE(xalloc_rcu_cache_free_both_forms),
	KUNIT_CASE(xalloc_rcu_cache_free_wrong_cache),
	KUNIT_CASE(xalloc_rcu_destroy_pending_from_wq),
	KUNIT_CASE(xalloc_rcu_typesafe_persistent),
	KUNIT_CASE(xalloc_rcu_typesafe_debug),
	KUNIT_CASE(xalloc_rcu_free_from_irq),
	KUNIT_CASE(xalloc_rcu_free_under_spinlock),
	KUNIT_CASE(xalloc_rcu_block_freed_by_worker),
	KUNIT_CASE(xalloc_rcu_no_block_head_form),
	KUNIT_CASE(xalloc_rcu_no_block_headless),
	KUNIT_CASE(xalloc_rcu_pending_frees_at_unload),
	KUNIT_CASE(xalloc_rcu_stress_readers_every_cpu),
	{}
};

static struct kunit_suite xalloc_rcu_suite = {
	.name = "xalloc_rcu",
	.init = rcu_test_init,
	.exit = rcu_test_exit,
	.test_cases = xalloc_rcu_cases,
};

kunit_test_suite(xalloc_rcu_suite);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("KUnit tests for xalloc's RCU frees and type-safe caches");
