// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite xalloc_stress: for XALLOC_STRESS_SECONDS (20 by default), a thread
 * bound to each CPU allocates and frees at random from several caches (half
 * of them with sheaves),
 * kmalloc sizes and page orders, fills every object with a pattern of its
 * address and a sequence number and checks it before freeing, and hands
 * every fourth object to the next CPU's thread to free, as well as every
 * object of a cache of its own that only it allocates from; meanwhile a
 * thread takes CPUs offline and online and validates every cache and the
 * zone between cycles, and fault injection fails one zone allocation in a
 * hundred. Afterwards every cache and the zone validate, all counters
 * balance, and each thread's own cache counts every free made on another
 * CPU as a free to a slab not that CPU's. It prints one line of what it
 * survived.
 *
 * Then slabinfo is read while CPUs churn, caches are destroyed while another
 * CPU frees their last object, debugging is switched on and off while
 * every CPU allocates and frees, and kmalloc-64 with red zones is validated
 * while every CPU allocates and frees.
 */

#include <kunit/test.h>
#include <linux/completion.h>
#include <linux/cpu.h>
#include <linux/delay.h>
#include <linux/kthread.h>
#include <linux/random.h>
#include <linux/slab.h>

#include <xalloc/xalloc.h>

#include "../mm/fail.h"
#include "../mm/slab.h"
#include "../mm/slab_sheaf.h"
#include "xalloc_kunit.h"

/*
 * KUnit runs a module's suites before its parameters are parsed, so the
 * duration is set when building: make check XALLOC_STRESS_SECONDS=300.
 */
#ifndef XALLOC_STRESS_SECONDS
#define XALLOC_STRESS_SECONDS	20
#endif
static const unsigned int stress_seconds = XALLOC_STRESS_SECONDS;

#define SLOTS		64
#define RING		128
#define NR_CACHES	6	/* the last three with sheaves */
#define NR_CPU_SLAB_CACHES	3

/* ITEM_OWN: of the allocating thread's own cache, always handed on. */
enum item_kind { ITEM_CACHE, ITEM_OWN, ITEM_KMALLOC, ITEM_PAGES };

struct item {
	void *p;
	u32 seq;
	u8 kind;
	u8 cache;		/* ITEM_CACHE: index; ITEM_PAGES: order */
	u16 owner;		/* ITEM_OWN: the thread whose cache it is */
	u32 size;
};

struct ring {
	spinlock_t lock;	/* guards head, tail, slot */
	unsigned int head, tail;
	struct item slot[RING];
};

/*
 * A thread's own cache is allocated from only on the thread's CPU, so that
 * no other CPU ever has a CPU slab of it: each free of its objects on
 * another CPU (remote) is a FREE_SLOWPATH, one on its CPU (local) either.
 */
struct own_cache {
	struct xalloc_cache *s;
	int cpu;			/* of its thread */
	atomic_long_t remote, local;	/* frees, by the CPU they ran on */
};

struct stress {
	struct xalloc_cache *caches[NR_CACHES];
	struct own_cache *own;		/* one per thread */
	struct ring *rings;
	int nr;
	unsigned long deadline;
	atomic_long_t verified, handed, bad, allocs, failed;
	atomic_t running;
	unsigned int hotplug_cycles;
	unsigned int validations;	/* of every cache and the zone, running */
	bool stop_hotplug;
};

struct worker {
	struct stress *st;
	int idx;		/* bound to own[idx].cpu, again after a hotplug */
};

static const unsigned int cache_sizes[NR_CACHES] = { 48, 320, 1800, 48, 320, 1800 };

static u32 word(const void *p, u32 seq, unsigned int i)
{
	return ((u32)(unsigned long)p * 2654435761u) ^ seq ^ (i * 0x9e3779b9u);
}

static u32 item_size(struct item *it)
{
	return it->kind == ITEM_PAGES ? PAGE_SIZE << it->cache : it->size;
}

/* Pattern in every word of small objects, every 64th word of big ones. */
static unsigned int item_step(struct item *it)
{
	return item_size(it) > 4096 ? 64 : 1;
}

/* Whether every @step-th word of @it's first @bytes holds what fill() wrote. */
static bool item_intact(const struct item *it, u32 bytes, unsigned int step)
{
	const u32 *w = it->p;

	for (unsigned int i = 0; i < bytes / 4; i += step)
		if (w[i] != word(it->p, it->seq, i))
			return false;
	return true;
}

static void fill(struct item *it)
{
	u32 *w = it->p;

	for (unsigned int i = 0; i < item_size(it) / 4; i += item_step(it))
		w[i] = word(it->p, it->seq, i);
}

static void release(struct stress *st, struct item *it)
{
	if (!item_intact(it, item_size(it), item_step(it)))
		atomic_long_inc(&st->bad);
	atomic_long_inc(&st->verified);
	if (it->kind == ITEM_OWN) {
		struct own_cache *own = &st->own[it->owner];
		bool remote;

		migrate_disable();
		remote = smp_processor_id() != own->cpu;
		xalloc_cache_free(own->s, it->p);
		migrate_enable();
		atomic_long_inc(remote ? &own->remote : &own->local);
	} else if (it->kind == ITEM_CACHE) {
		xalloc_cache_free(st->caches[it->cache], it->p);
	} else if (it->kind == ITEM_KMALLOC) {
		xalloc_kfree(it->p);
	} else {
		xalloc_free_pages(virt_to_page(it->p), it->cache);
	}
	it->p = NULL;
}

static bool ring_push(struct ring *r, struct item *it)
{
	bool ok;

	spin_lock(&r->lock);
	ok = r->head - r->tail < RING;
	if (ok)
		r->slot[r->head++ % RING] = *it;
	spin_unlock(&r->lock);
	return ok;
}

static bool ring_pop(struct ring *r, struct item *it)
{
	bool ok;

	spin_lock(&r->lock);
	ok = r->head != r->tail;
	if (ok)
		*it = r->slot[r->tail++ % RING];
	spin_unlock(&r->lock);
	return ok;
}

/* An object of @w's own cache into @it; false if @w is off its CPU. */
static bool get_own(struct worker *w, struct item *it)
{
	bool on_cpu;

	migrate_disable();
	on_cpu = smp_processor_id() == w->st->own[w->idx].cpu;
	if (on_cpu)
		it->p = xalloc_cache_alloc(w->st->own[w->idx].s, GFP_KERNEL);
	migrate_enable();
	it->owner = w->idx;
	it->size = w->st->own[w->idx].s->object_size;
	return on_cpu;
}

static void get_item(struct worker *w, struct item *it, u32 seq)
{
	struct stress *st = w->st;
	u32 r = get_random_u32();

	it->seq = seq;
	it->kind = r % 8 < 4 ? ITEM_CACHE : r % 8 < 5 ? ITEM_OWN :
		   r % 8 < 7 ? ITEM_KMALLOC : ITEM_PAGES;
	if (it->kind == ITEM_OWN && !get_own(w, it))
		it->kind = ITEM_CACHE;	/* off its CPU: not of its own cache */
	switch (it->kind) {
	case ITEM_OWN:
		break;
	case ITEM_CACHE:
		it->cache = (r >> 8) % NR_CACHES;
		it->size = cache_sizes[it->cache];
		it->p = xalloc_cache_alloc(st->caches[it->cache], GFP_KERNEL);
		break;
	case ITEM_KMALLOC:
		it->size = 8 + (r >> 8) % 12000;
		it->p = xalloc_kmalloc(it->size, GFP_KERNEL);
		break;
	default:
		it->cache = (r >> 8) % 4;
		it->p = xalloc_alloc_pages(GFP_KERNEL, it->cache);
		if (it->p)
			it->p = page_address((struct page *)it->p);
	}
	atomic_long_inc(&st->allocs);
	if (!it->p) {
		atomic_long_inc(&st->failed);
		return;
	}
	fill(it);
}

static int worker_fn(void *data)
{
	struct worker *w = data;
	struct stress *st = w->st;
	struct ring *mine = &st->rings[w->idx];
	struct ring *next = &st->rings[(w->idx + 1) % st->nr];
	int cpu = st->own[w->idx].cpu;
	struct item *slot, it;
	u32 seq = 0;

	slot = kcalloc(SLOTS, sizeof(*slot), GFP_KERNEL);
	if (!slot) {
		atomic_long_inc(&st->bad);
		goto out;
	}
	while (time_before(jiffies, st->deadline)) {
		struct item *x = &slot[get_random_u32() % SLOTS];

		/* Back to its CPU after that CPU was offline. */
		if (raw_smp_processor_id() != cpu && cpu_online(cpu))
			set_cpus_allowed_ptr(current, cpumask_of(cpu));
		while (ring_pop(mine, &it))
			release(st, &it);
		if (!x->p) {
			get_item(w, x, ++seq);
		} else if ((x->kind == ITEM_OWN || seq % 4 == 0) && ring_push(next, x)) {
			atomic_long_inc(&st->handed);
			x->p = NULL;
		} else {
			release(st, x);
		}
		seq++;
		if (!(seq % 64))
			cond_resched();
	}
	for (int i = 0; i < SLOTS; i++)
		if (slot[i].p)
			release(st, &slot[i]);
	kfree(slot);
out:
	atomic_dec(&st->running);
	return 0;
}

static int hotplug_fn(void *data)
{
	struct stress *st = data;
	int cpu = 1, nid;

	while (!READ_ONCE(st->stop_hotplug)) {
		if (num_possible_cpus() < 2)
			break;
		if (cpu_online(cpu) && !remove_cpu(cpu)) {
			msleep(20);
			if (!add_cpu(cpu))
				st->hotplug_cycles++;
		}
		/* Reports, if any, show in the report count at the end. */
		for (int i = 0; i < NR_CACHES; i++)
			xalloc_cache_validate(st->caches[i]);
		for (int i = 0; i < st->nr; i++)
			xalloc_cache_validate(st->own[i].s);
		for_each_node(nid)
			xalloc_zone_check(nid);
		st->validations++;
		msleep(50);
		cpu = cpu + 1 < nr_cpu_ids ? cpu + 1 : 1;
	}
	return 0;
}

/*
 * Every free of a thread's own cache is counted, each remote one as a free
 * to a slab not the CPU's: FREE_SLOWPATH is the remote frees plus those of
 * the local ones that found the slab no longer the CPU slab.
 */
static void stress_own_counted(struct kunit *test, struct own_cache *own)
{
	unsigned long remote = atomic_long_read(&own->remote);
	unsigned long local = atomic_long_read(&own->local);
	unsigned long slow = xalloc_cache_stat(own->s, FREE_SLOWPATH);
	unsigned long fast = xalloc_cache_stat(own->s, FREE_FASTPATH);
	struct xalloc_cache_counts cnt;

	KUNIT_EXPECT_EQ_MSG(test, fast + slow, remote + local, "%s", own->s->name);
	KUNIT_EXPECT_GE_MSG(test, slow, remote, "%s", own->s->name);
	xalloc_cache_counts(own->s, &cnt);
	KUNIT_EXPECT_EQ(test, cnt.active_objs, 0UL);
	KUNIT_EXPECT_EQ(test, xalloc_cache_validate(own->s), 0UL);
	xalloc_cache_destroy(own->s);
}

static void xalloc_stress_everything(struct kunit *test)
{
	struct stress *st = kunit_kzalloc(test, sizeof(*st), GFP_KERNEL);
	long remote = 0, local = 0;
	struct task_struct *hotplug;
	struct worker *workers;
	char name[24];
	int i, nid, cpu;

	KUNIT_ASSERT_NOT_NULL(test, st);
	for (i = 0; i < NR_CACHES; i++) {
		if (i < NR_CPU_SLAB_CACHES) {
			snprintf(name, sizeof(name), "stress-%u", cache_sizes[i]);
			st->caches[i] = xalloc_cache_create(name, cache_sizes[i], 0,
							    XALLOC_NO_SHEAVES, NULL);
		} else {
			snprintf(name, sizeof(name), "stress-sheaf-%u", cache_sizes[i]);
			st->caches[i] = xalloc_cache_create_sheaves(name, cache_sizes[i],
								    0, 0, NULL, 0);
		}
		KUNIT_ASSERT_NOT_NULL(test, st->caches[i]);
		KUNIT_ASSERT_EQ(test, !!st->caches[i]->sheaves, i >= NR_CPU_SLAB_CACHES);
	}
	cpus_read_lock();
	st->nr = num_online_cpus();
	st->rings = kunit_kcalloc(test, st->nr, sizeof(*st->rings), GFP_KERNEL);
	st->own = kunit_kcalloc(test, st->nr, sizeof(*st->own), GFP_KERNEL);
	workers = kunit_kcalloc(test, st->nr, sizeof(*workers), GFP_KERNEL);
	i = 0;
	if (st->own)
		for_each_online_cpu(cpu)
			st->own[i++].cpu = cpu;
	cpus_read_unlock();
	KUNIT_ASSERT_TRUE(test, st->rings && st->own && workers);
	for (i = 0; i < st->nr; i++) {
		snprintf(name, sizeof(name), "stress-own-%d", st->own[i].cpu);
		/* Remote frees counted on the CPU-slab path. */
		st->own[i].s = xalloc_cache_create(name, 136, 0, XALLOC_NO_SHEAVES, NULL);
		KUNIT_ASSERT_NOT_NULL(test, st->own[i].s);
	}
	st->deadline = jiffies + stress_seconds * HZ;
	atomic_set(&st->running, st->nr);
	xalloc_fail_set(XALLOC_FAIL_BUDDY, 1, 0, -1);

	/* Every ring first: a worker hands objects to its neighbour's. */
	for (i = 0; i < st->nr; i++)
		spin_lock_init(&st->rings[i].lock);
	for (i = 0; i < st->nr; i++) {
		struct task_struct *t;

		workers[i].st = st;
		workers[i].idx = i;
		t = kthread_create_on_cpu(worker_fn, &workers[i], st->own[i].cpu,
					  "xalloc_stress/%u");
		if (IS_ERR(t)) {
			atomic_dec(&st->running);
			atomic_long_inc(&st->bad);
		} else {
			wake_up_process(t);
		}
	}
	hotplug = kthread_run(hotplug_fn, st, "xalloc_hotplug");
	while (atomic_read(&st->running))
		msleep(100);
	WRITE_ONCE(st->stop_hotplug, true);
	if (!IS_ERR(hotplug))
		kthread_stop(hotplug);
	xalloc_fail_set(XALLOC_FAIL_BUDDY, 0, 0, 0);
	for (i = 0; i < st->nr; i++) {
		struct item it;

		while (ring_pop(&st->rings[i], &it))
			release(st, &it);
	}

	for (i = 0; i < st->nr; i++) {
		remote += atomic_long_read(&st->own[i].remote);
		local += atomic_long_read(&st->own[i].local);
	}
	pr_info("xalloc_stress: survived %u s on %d CPUs: %ld objects verified, %ld handed to another CPU, %u hotplug cycles, %ld injected failures, %u validations, %ld frees on another CPU than the allocation's, %ld on the same\n",
		stress_seconds, st->nr, atomic_long_read(&st->verified),
		atomic_long_read(&st->handed), st->hotplug_cycles,
		atomic_long_read(&st->failed), st->validations, remote, local);
	KUNIT_EXPECT_GT(test, st->hotplug_cycles, 0U);
	KUNIT_EXPECT_GT(test, st->validations, 0U);
	KUNIT_EXPECT_GT(test, atomic_long_read(&st->handed), 0L);
	KUNIT_EXPECT_GT(test, atomic_long_read(&st->failed), 0L);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&st->bad), 0L);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&st->verified) + atomic_long_read(&st->failed),
			atomic_long_read(&st->allocs));
	KUNIT_EXPECT_GT(test, atomic_long_read(&st->verified), 0L);
	for (i = 0; i < NR_CACHES; i++) {
		struct xalloc_cache_counts cnt;

		/* Objects in sheaves count as active until drained. */
		if (st->caches[i]->sheaves) {
			KUNIT_EXPECT_GT(test, xalloc_sheaf_stat(st->caches[i], SHEAF_ALLOC), 0UL);
			xalloc_cache_shrink(st->caches[i]);
		}
		xalloc_cache_counts(st->caches[i], &cnt);
		KUNIT_EXPECT_EQ(test, cnt.active_objs, 0UL);
		KUNIT_EXPECT_EQ(test, xalloc_cache_validate(st->caches[i]), 0UL);
		xalloc_cache_destroy(st->caches[i]);
	}
	KUNIT_EXPECT_GT(test, remote, 0L);
	for (i = 0; i < st->nr; i++)
		stress_own_counted(test, &st->own[i]);
	for_each_node(nid)
		KUNIT_EXPECT_TRUE(test, xalloc_zone_check(nid));
	XALLOC_KUNIT_EXPECT_REPORTS(test, 0);
}

/* ---- slabinfo under load ----------------------------------------------- */

struct churn {
	struct xalloc_cache *s;
	unsigned long deadline;
	atomic_t running;
};

/* Allocate bursts of 1 to 64 objects and free them, until the deadline. */
static int churn_fn(void *arg)
{
	struct churn *ch = arg;
	void *objs[64];

	while (time_before(jiffies, ch->deadline)) {
		unsigned int n = 1 + get_random_u32() % ARRAY_SIZE(objs);

		for (unsigned int i = 0; i < n; i++)
			objs[i] = xalloc_cache_alloc(ch->s, GFP_KERNEL);
		for (unsigned int i = 0; i < n; i++)
			xalloc_cache_free(ch->s, objs[i]);
		cond_resched();
	}
	atomic_dec(&ch->running);
	return 0;
}

/*
 * While a thread bound to every other CPU churns a cache, its counts read in
 * a loop never have more active objects than objects, and no count had to
 * be clamped to get there.
 */
static void xalloc_stress_counts_never_impossible(struct kunit *test)
{
	unsigned long clamped = xalloc_cache_counts_clamped(), reads = 0, bad = 0;
	struct churn ch = { .deadline = jiffies + 3 * HZ };
	struct xalloc_cache_counts cnt;
	int cpu, started = 0;

	KUNIT_ASSERT_GE(test, num_online_cpus(), 2U);
	ch.s = xalloc_cache_create("stress-counts", 64, 0, 0, NULL);
	KUNIT_ASSERT_NOT_NULL(test, ch.s);
	for_each_online_cpu(cpu) {
		struct task_struct *t;

		if (cpu == raw_smp_processor_id())
			continue;
		t = kthread_create(churn_fn, &ch, "xalloc_churn/%d", cpu);
		KUNIT_ASSERT_FALSE(test, IS_ERR(t));
		kthread_bind(t, cpu);
		atomic_inc(&ch.running);
		wake_up_process(t);
		started++;
	}
	while (atomic_read(&ch.running)) {
		xalloc_cache_counts(ch.s, &cnt);
		reads++;
		if (cnt.active_objs > cnt.num_objs)
			bad++;
		cond_resched();
	}
	kunit_info(test, "%lu counts read while %d CPUs churned", reads, started);
	KUNIT_EXPECT_GT(test, reads, 100UL);
	KUNIT_EXPECT_EQ(test, bad, 0UL);
	KUNIT_EXPECT_EQ(test, xalloc_cache_counts_clamped() - clamped, 0UL);
	xalloc_cache_counts(ch.s, &cnt);
	/* What the sheaves hold counts as active. */
	KUNIT_EXPECT_EQ(test, cnt.active_objs - xalloc_sheaf_objects(ch.s), 0UL);
	xalloc_cache_destroy(ch.s);
	XALLOC_KUNIT_EXPECT_REPORTS(test, 0);
}

/* ---- Destroy racing the last free --------------------------------------- */

struct last_free {
	struct xalloc_cache *s;
	void *obj;
	struct completion go, done;
};

/* Free the cache's last object a random few microseconds after "go". */
static int last_free_fn(void *arg)
{
	struct last_free *lf = arg;

	wait_for_completion(&lf->go);
	udelay(get_random_u32() % 200);
	xalloc_cache_free(lf->s, lf->obj);
	complete(&lf->done);
	return 0;
}

/*
 * Another CPU frees the last object of a cache while this one destroys it.
 * The object's slab is on the node partial list with min_partial 0, so the
 * free gives the slab back to the zone: xalloc_discard_slab() must not touch
 * the cache once its slab count says none is left, or destroy frees the
 * cache under it (KASAN would report the write). A destroy that still sees
 * the slab keeps the cache dead and says so, in one report; the free then
 * lands in the dead cache, which is left with no object.
 */
static void xalloc_stress_destroy_races_last_free(struct kunit *test)
{
	unsigned int dead = 0, races = 64, i;
	struct xalloc_cache_counts cnt;
	char name[24];
	int cpu, nid;

	KUNIT_ASSERT_GE(test, num_online_cpus(), 2U);
	cpu = cpumask_any_but(cpu_online_mask, raw_smp_processor_id());
	for (i = 0; i < races; i++) {
		struct last_free lf = {};
		struct task_struct *t;
		unsigned long before, reports;

		snprintf(name, sizeof(name), "stress-race-%u", i);
		lf.s = xalloc_cache_create(name, 256, 0, 0, NULL);
		KUNIT_ASSERT_NOT_NULL(test, lf.s);
		lf.s->min_partial = 0;
		lf.obj = xalloc_cache_alloc(lf.s, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, lf.obj);
		xalloc_cache_shrink(lf.s);	/* its slab onto the node list */
		init_completion(&lf.go);
		init_completion(&lf.done);
		t = kthread_create(last_free_fn, &lf, "xalloc_lastfree");
		KUNIT_ASSERT_FALSE(test, IS_ERR(t));
		kthread_bind(t, cpu);
		wake_up_process(t);
		before = xalloc_report_count();
		complete(&lf.go);
		xalloc_cache_destroy(lf.s);
		reports = xalloc_report_count() - before;
		wait_for_completion(&lf.done);
		KUNIT_EXPECT_LE_MSG(test, reports, 1UL, "race %u", i);
		if (reports) {
			dead++;
			xalloc_cache_counts(lf.s, &cnt);
			KUNIT_EXPECT_EQ_MSG(test, cnt.active_objs, 0UL, "race %u", i);
		}
	}
	kunit_info(test, "%u destroys raced the last free on CPU %d: %u kept the cache dead",
		   races, cpu, dead);
	for_each_node(nid)
		KUNIT_EXPECT_TRUE(test, xalloc_zone_check(nid));
	XALLOC_KUNIT_EXPECT_REPORTS(test, dead);
}

/* ---- Remote frees racing deactivation ---------------------------------- */

#define DEACT_ROUNDS	128
#define DEACT_SIZE	192

/*
 * The owner thread, bound to CPU A, allocates a round's objects; the freer,
 * bound to CPU B, frees them from the last allocated on: the last, which is
 * in A's CPU slab, while A waits, the rest, spaced by a few microseconds,
 * while A deactivates that slab. Odd rounds deactivate through
 * an allocation for another node (ALLOC_NODE_MISMATCH, on A itself), even
 * ones through a shrink, whose flush runs in a work item on A and takes
 * longer. Both threads spin between the steps of a round, so that the
 * steps follow each other without a wake-up in between.
 */
struct deact_race {
	struct xalloc_cache *s;
	void **objs;
	unsigned int n, rounds;
	int local_nid, remote_nid;	/* remote_nid: -1 if one node */
	unsigned int go, first, done;	/* the round that reached the step */
	bool stop;
	struct completion finished, freer_exit;
	atomic_long_t frees, bad, failed;
};

static bool deact_mismatch_round(struct deact_race *dr, unsigned int r)
{
	return (r & 1) && dr->remote_nid >= 0;
}

/* Wait for @step to reach round @r; false if the owner stopped. */
static bool deact_wait(struct deact_race *dr, unsigned int *step, unsigned int r)
{
	/*
	 * Acquire, paired with the release of the step: what the other thread
	 * did before (allocated and filled the objects, freed them) is seen.
	 */
	while (smp_load_acquire(step) != r) {
		if (READ_ONCE(dr->stop))
			return false;
		cpu_relax();
		cond_resched();
	}
	return true;
}

static void deact_fill(void *p)
{
	u32 *w = p;

	for (unsigned int i = 0; i < DEACT_SIZE / 4; i++)
		w[i] = word(p, 0, i);
}

static bool deact_intact(const void *p)
{
	const u32 *w = p;

	for (unsigned int i = 0; i < DEACT_SIZE / 4; i++)
		if (w[i] != word(p, 0, i))
			return false;
	return true;
}

static int deact_freer_fn(void *arg)
{
	struct deact_race *dr = arg;

	for (unsigned int r = 1; deact_wait(dr, &dr->go, r); r++) {
		unsigned int gap = deact_mismatch_round(dr, r) ? 4 : 32;

		for (unsigned int i = dr->n; i-- > 0; ) {
			if (!deact_intact(dr->objs[i]))
				atomic_long_inc(&dr->bad);
			xalloc_cache_free(dr->s, dr->objs[i]);
			atomic_long_inc(&dr->frees);
			if (i == dr->n - 1)	/* release: see deact_wait() */
				smp_store_release(&dr->first, r);
			else
				udelay(get_random_u32() % gap);
		}
		smp_store_release(&dr->done, r);	/* see deact_wait() */
	}
	complete(&dr->freer_exit);	/* its last touch of @dr */
	return 0;
}

static int deact_owner_fn(void *arg)
{
	struct deact_race *dr = arg;
	void *obj;

	for (unsigned int r = 1; r <= dr->rounds; r++) {
		unsigned int got = 0;

		for (unsigned int i = 0; i < dr->n; i++) {
			dr->objs[i] = xalloc_cache_alloc_node(dr->s, GFP_KERNEL, dr->local_nid);
			if (!dr->objs[i])
				break;
			deact_fill(dr->objs[i]);
			got++;
		}
		if (got < dr->n) {
			atomic_long_inc(&dr->failed);
			while (got)
				xalloc_cache_free(dr->s, dr->objs[--got]);
			break;
		}
		smp_store_release(&dr->go, r);	/* the objects: see deact_wait() */
		deact_wait(dr, &dr->first, r);
		udelay(get_random_u32() % 8);
		if (deact_mismatch_round(dr, r)) {
			obj = xalloc_cache_alloc_node(dr->s, GFP_KERNEL, dr->remote_nid);
			if (obj) {
				xalloc_cache_free(dr->s, obj);
				atomic_long_inc(&dr->frees);
			} else {
				atomic_long_inc(&dr->failed);
			}
		} else {
			xalloc_cache_shrink(dr->s);
		}
		deact_wait(dr, &dr->done, r);
	}
	WRITE_ONCE(dr->stop, true);
	complete(&dr->finished);	/* its last touch of @dr */
	return 0;
}

/*
 * Objects freed on CPU B into the CPU slab CPU A is deactivating, many
 * rounds: each round's deactivation finds B's first free on the slab, no
 * object is lost or damaged (every free counted, none active after, every
 * slab back in the zone after a shrink), and nothing is reported.
 */
static void xalloc_stress_remote_free_races_deactivation(struct kunit *test)
{
	struct deact_race dr = { .rounds = DEACT_ROUNDS, .remote_nid = -1 };
	unsigned long zone_free = xalloc_kunit_zone_free();
	struct task_struct *owner, *freer;
	unsigned long remote0, alloc_slab, free_slab, frees0, frozen, full;
	struct xalloc_cache_counts cnt;
	int a, b, nid;

	KUNIT_ASSERT_GE(test, num_online_cpus(), 2U);
	dr.s = xalloc_cache_create("stress-deact", DEACT_SIZE, 0, XALLOC_NO_SHEAVES, NULL);
	KUNIT_ASSERT_NOT_NULL(test, dr.s);
	/* A full slab and half of the next: B's frees reach two slabs of A's. */
	dr.n = oo_objects(dr.s->oo) * 3 / 2;
	dr.objs = kunit_kcalloc(test, dr.n, sizeof(void *), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, dr.objs);
	init_completion(&dr.finished);
	init_completion(&dr.freer_exit);
	cpus_read_lock();
	a = cpumask_first(cpu_online_mask);
	b = cpumask_next(a, cpu_online_mask);
	cpus_read_unlock();
	dr.local_nid = cpu_to_node(a);
	for_each_node(nid)
		if (nid != dr.local_nid && dr.s->node[nid])
			dr.remote_nid = nid;
	remote0 = xalloc_cache_stat(dr.s, DEACTIVATE_REMOTE_FREES);
	frees0 = xalloc_cache_stat(dr.s, FREE_FASTPATH) + xalloc_cache_stat(dr.s, FREE_SLOWPATH);
	owner = kthread_create_on_cpu(deact_owner_fn, &dr, a, "xalloc_deact_a/%u");
	KUNIT_ASSERT_FALSE(test, IS_ERR(owner));
	freer = kthread_create_on_cpu(deact_freer_fn, &dr, b, "xalloc_deact_b/%u");
	if (IS_ERR(freer)) {
		kthread_stop(owner);
		xalloc_cache_destroy(dr.s);
		KUNIT_FAIL(test, "no freer thread");
		return;
	}
	wake_up_process(freer);
	wake_up_process(owner);
	wait_for_completion(&dr.finished);
	wait_for_completion(&dr.freer_exit);

	/* B's frees are all slow: found the slab frozen, full, or deactivated. */
	frozen = xalloc_cache_stat(dr.s, FREE_FROZEN);
	full = xalloc_cache_stat(dr.s, CPU_PARTIAL_FREE);
	kunit_info(test, "%u rounds on CPUs %d and %d (%s): of the remote frees, %lu found the slab frozen, %lu full, %lu deactivated (%lu of them gave the slab back)",
		   dr.rounds, a, b, dr.remote_nid >= 0 ? "shrink and node mismatch" : "shrink",
		   frozen, full, xalloc_cache_stat(dr.s, FREE_SLOWPATH) - frozen - full,
		   xalloc_cache_stat(dr.s, FREE_REMOVE_PARTIAL));
	KUNIT_EXPECT_EQ(test, atomic_long_read(&dr.failed), 0L);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&dr.bad), 0L);
	/* Each round's deactivation of A's CPU slab, and no other, finds remote frees. */
	KUNIT_EXPECT_EQ(test, xalloc_cache_stat(dr.s, DEACTIVATE_REMOTE_FREES) - remote0,
			(unsigned long)dr.rounds);
	KUNIT_EXPECT_EQ(test, xalloc_cache_stat(dr.s, FREE_FASTPATH) +
			xalloc_cache_stat(dr.s, FREE_SLOWPATH) - frees0,
			(unsigned long)atomic_long_read(&dr.frees));
	xalloc_cache_shrink(dr.s);
	xalloc_cache_counts(dr.s, &cnt);
	KUNIT_EXPECT_EQ(test, cnt.active_objs, 0UL);
	KUNIT_EXPECT_EQ(test, cnt.num_slabs, 0UL);
	KUNIT_EXPECT_EQ(test, cnt.num_objs, 0UL);
	alloc_slab = xalloc_cache_stat(dr.s, ALLOC_SLAB);
	free_slab = xalloc_cache_stat(dr.s, FREE_SLAB);
	KUNIT_EXPECT_EQ(test, free_slab, alloc_slab);
	KUNIT_EXPECT_EQ(test, xalloc_cache_validate(dr.s), 0UL);
	xalloc_cache_destroy(dr.s);
	KUNIT_EXPECT_EQ(test, xalloc_kunit_zone_free(), zone_free);
	for_each_node(nid)
		KUNIT_EXPECT_TRUE(test, xalloc_zone_check(nid));
	XALLOC_KUNIT_EXPECT_REPORTS(test, 0);
}

/* ---- Debugging switched under load ------------------------------------- */

#define SWITCH_LIVE	32

struct switch_load {
	struct xalloc_cache *s;
	bool kmalloc;		/* objects of s through xalloc_kmalloc() */
	bool stop;
	atomic_t running;
	atomic_long_t verified, bad, failed;
};

static unsigned int switch_size(struct switch_load *sl)
{
	/* kmalloc-64: 40 to 64 bytes asked, so that red zones start inside. */
	return sl->kmalloc ? 40 + get_random_u32() % 25 : sl->s->object_size;
}

static void switch_release(struct switch_load *sl, struct item *it)
{
	if (!item_intact(it, it->size, 1))
		atomic_long_inc(&sl->bad);
	atomic_long_inc(&sl->verified);
	if (sl->kmalloc)
		xalloc_kfree(it->p);
	else
		xalloc_cache_free(sl->s, it->p);
	it->p = NULL;
}

/* Up to SWITCH_LIVE objects live: allocate, fill, verify and free at random. */
static int switch_worker(void *arg)
{
	struct switch_load *sl = arg;
	struct item live[SWITCH_LIVE] = {};
	u32 seq = 0;

	while (!READ_ONCE(sl->stop)) {
		struct item *it = &live[get_random_u32() % SWITCH_LIVE];

		if (it->p) {
			switch_release(sl, it);
		} else {
			it->size = switch_size(sl);
			it->seq = ++seq;
			it->p = sl->kmalloc ? xalloc_kmalloc(it->size, GFP_KERNEL) :
					      xalloc_cache_alloc(sl->s, GFP_KERNEL);
			if (!it->p)
				atomic_long_inc(&sl->failed);
			else
				fill(it);
		}
		if (!(seq % 16))
			cond_resched();
	}
	for (int i = 0; i < SWITCH_LIVE; i++)
		if (live[i].p)
			switch_release(sl, &live[i]);
	atomic_dec(&sl->running);
	return 0;
}

/* A switch_worker() bound to each online CPU; returns how many were started. */
static int switch_load_start(struct kunit *test, struct switch_load *sl)
{
	int cpu, started = 0;

	for_each_online_cpu(cpu) {
		struct task_struct *t = kthread_create(switch_worker, sl,
						       "xalloc_switch/%d", cpu);

		KUNIT_ASSERT_FALSE(test, IS_ERR(t));
		kthread_bind(t, cpu);
		atomic_inc(&sl->running);
		wake_up_process(t);
		started++;
	}
	return started;
}

static void switch_load_stop(struct switch_load *sl)
{
	WRITE_ONCE(sl->stop, true);
	while (atomic_read(&sl->running))
		msleep(20);
}

/*
 * How many layouts of @s, its own included, have slabs now; @buf gets their
 * debug letters ("-" for none) and slab counts, e.g. "-:2 Z:1 P:3".
 */
static unsigned int layouts_with_slabs(struct xalloc_cache *s, char *buf, size_t len)
{
	struct xalloc_cache *l;
	unsigned int n = 0;
	size_t at = 0;
	int nid;

	buf[0] = '\0';
	rcu_read_lock();
	for (l = s; l; l = xalloc_layout_next(s, l)) {
		unsigned long f = l->flags;
		long slabs = 0;

		for_each_node(nid)
			if (l->node[nid])
				slabs += atomic_long_read(&l->node[nid]->nr_slabs);
		if (slabs <= 0)
			continue;
		n++;
		at += scnprintf(buf + at, len - at, "%s%s%s%s%s:%ld ",
				f & XALLOC_CONSISTENCY_CHECKS ? "F" : "",
				f & XALLOC_RED_ZONE ? "Z" : "", f & XALLOC_POISON ? "P" : "",
				f & XALLOC_STORE_USER ? "U" : "",
				f & XALLOC_DEBUG_FLAGS ? "" : "-", slabs);
	}
	rcu_read_unlock();
	return n;
}

static const char *const switch_params[] = { "cache", "kmalloc-64" };

static void switch_param_desc(const char *const *p, char *desc)
{
	strscpy(desc, *p, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(switch, switch_params, switch_param_desc);

/*
 * A thread bound to every CPU allocates, fills, verifies and frees objects of
 * a cache (or of kmalloc-64) while this one switches its debugging through
 * F, Z, P, U and none, validating after each switch. Every switch succeeds
 * with objects live, objects of two layouts are live at once, no pattern is
 * damaged, and nothing is reported.
 */
static void xalloc_stress_debug_switch_under_load(struct kunit *test)
{
	static const unsigned long flags[] = {
		XALLOC_CONSISTENCY_CHECKS, XALLOC_RED_ZONE, XALLOC_POISON,
		XALLOC_STORE_USER, 0,
	};
	const char *param = *(const char *const *)test->param_value;
	struct switch_load sl = { .kmalloc = strcmp(param, "cache") };
	unsigned int switches = 0, live = 0, most = 0, invalid = 0, i, n;
	unsigned long deadline = jiffies + 120 * HZ;
	char now[64], at_most[64] = "";
	struct xalloc_cache_counts cnt;
	int started;

	sl.s = sl.kmalloc ? xalloc_cache_lookup("kmalloc-64") :
			    xalloc_cache_create("stress-switch", 72, 0, 0, NULL);
	KUNIT_ASSERT_NOT_NULL(test, sl.s);
	started = switch_load_start(test, &sl);
	/* Whole rounds, so that the last switch is to none. */
	for (i = 0; i < 200; i++) {
		if (!(i % ARRAY_SIZE(flags)) && time_after(jiffies, deadline))
			break;
		xalloc_cache_counts(sl.s, &cnt);
		if (xalloc_cache_set_debug(sl.s, flags[i % ARRAY_SIZE(flags)]))
			break;
		switches++;
		live += cnt.active_objs > 0;
		n = layouts_with_slabs(sl.s, now, sizeof(now));
		if (n > most) {
			most = n;
			strscpy(at_most, now, sizeof(at_most));
		}
		invalid += xalloc_cache_validate(sl.s);
	}
	switch_load_stop(&sl);
	kunit_info(test, "%s: %u switches (%u with objects live) while %d CPUs ran, at most %u layouts with slabs at once (layout:slabs %s), %ld objects verified",
		   param, switches, live, started, most, at_most,
		   atomic_long_read(&sl.verified));
	/* The deadline ends the loop on whole rounds only: never a count. */
	KUNIT_EXPECT_GT(test, switches, 0U);
	KUNIT_EXPECT_EQ(test, switches % (unsigned int)ARRAY_SIZE(flags), 0U);
	KUNIT_EXPECT_GE(test, live, switches * 9 / 10);
	KUNIT_EXPECT_GE(test, most, 2U);
	KUNIT_EXPECT_EQ(test, invalid, 0U);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&sl.bad), 0L);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&sl.failed), 0L);
	KUNIT_EXPECT_GT(test, atomic_long_read(&sl.verified), 1000L);
	KUNIT_EXPECT_PTR_EQ(test, xalloc_cache_layout(sl.s), sl.s);
	KUNIT_EXPECT_EQ(test, xalloc_cache_validate(sl.s), 0UL);
	if (!sl.kmalloc) {
		xalloc_cache_counts(sl.s, &cnt);
		KUNIT_EXPECT_EQ(test, cnt.active_objs, 0UL);
		xalloc_cache_destroy(sl.s);
	}
	XALLOC_KUNIT_EXPECT_REPORTS(test, 0);
}

/*
 * With red zones on kmalloc-64, every CPU allocates 40 to 64 bytes, fills,
 * verifies and frees while this thread validates the cache over and over:
 * validation checks the kmalloc red zone (the bytes past the size asked) of
 * live objects, and must never find one that xalloc_kmalloc() is still
 * setting up: its size recorded, the zone not yet written.
 */
static void xalloc_stress_validate_races_kmalloc_redzone(struct kunit *test)
{
	struct switch_load sl = { .kmalloc = true };
	unsigned long deadline = jiffies + 10 * HZ, invalid = 0;
	unsigned int rounds = 0;
	int started;

	sl.s = xalloc_cache_lookup("kmalloc-64");
	KUNIT_ASSERT_NOT_NULL(test, sl.s);
	KUNIT_ASSERT_EQ(test, xalloc_cache_set_debug(sl.s, XALLOC_RED_ZONE), 0);
	started = switch_load_start(test, &sl);
	while (time_before(jiffies, deadline)) {
		invalid += xalloc_cache_validate(sl.s);
		rounds++;
		cond_resched();
	}
	switch_load_stop(&sl);
	kunit_info(test, "%u validations while %d CPUs ran, %ld objects verified",
		   rounds, started, atomic_long_read(&sl.verified));
	KUNIT_EXPECT_EQ(test, xalloc_cache_set_debug(sl.s, 0), 0);
	/* 714 and 2424 in a 4-CPU guest on 2 host cores: a fifth of that at least. */
	KUNIT_EXPECT_GT(test, rounds, 140U);
	KUNIT_EXPECT_EQ(test, invalid, 0UL);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&sl.bad), 0L);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&sl.failed), 0L);
	KUNIT_EXPECT_GT(test, atomic_long_read(&sl.verified), 480L);
	XALLOC_KUNIT_EXPECT_REPORTS(test, 0);
}

static struct kunit_case xalloc_stress_cases[] = {
	KUNIT_CASE(xalloc_stress_everything),
	KUNIT_CASE(xalloc_stress_counts_never_impossible),
	KUNIT_CASE(xalloc_stress_destroy_races_last_free),
	KUNIT_CASE(xalloc_stress_remote_free_races_deactivation),
	KUNIT_CASE_PARAM(xalloc_stress_debug_switch_under_load, switch_gen_params),
	KUNIT_CASE(xalloc_stress_validate_races_kmalloc_redzone),
	{}
};

static struct kunit_suite xalloc_stress_suite = {
	.name = "xalloc_stress",
	.init = xalloc_kunit_init,
	.exit = xalloc_kunit_exit,
	.test_cases = xalloc_stress_cases,
};

kunit_test_suite(xalloc_stress_suite);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Stress test of xalloc under CPU hotplug and fault injection");
