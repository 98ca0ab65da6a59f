// SPDX-License-Identifier: GPL-2.0
/*
 * xalloc_bench: xalloc against the kernel's own allocators.
 *
 * Each scenario runs on xalloc (side A) and on the kernel (side B) with the
 * same sizes and flags, after one untimed warm-up of each side, in trials
 * ordered A B, B A, A B, B A ... so that both see the same slow drifts of the
 * machine and neither always runs first. A trial's cost is nanoseconds per
 * operation; a scenario reports the median, the quartiles, the minimum and
 * the maximum over its trials, and the ratio of the medians. When a side's
 * middle half of trials spreads more than the noise threshold (10 % of its
 * median), the scenario runs again at twice the scale, up to three more
 * times; if no run is quiet, the least noisy one is reported as noisy.
 *
 * Timing: work runs on kthreads bound to one CPU each, in batches of
 * non-sleeping work (GFP_NOWAIT; xalloc never sleeps) inside
 * preempt_disable(), timed with ktime_get_ns(). An empty batch of the same
 * length, timed the same way, is the overhead subtracted from each batch.
 * Remote frees and scaling run several CPUs at once and are timed from the
 * first start to the last end (throughput); each trial of remote frees is
 * followed by one of the ring alone, a placeholder passed and nothing
 * allocated, which both sides pay. The RCU scenario times the
 * allocation and the free after a grace period of each object (the queueing;
 * the frees themselves run later, in work items on both sides) and records
 * the peak growth of slab memory after each batch, the memory waiting for a
 * grace period: xalloc's from its cache's pages, the kernel's from the
 * NR_SLAB_UNRECLAIMABLE_B counter of every node; after each trial every
 * free is waited for.
 *
 * Loaded with run=1 (the default) the module runs every scenario, prints one
 * line per scenario to the kernel log, keeps the lines in debugfs
 * (xalloc_bench/results) and leaves caches of a few sizes on both allocators
 * for their slab geometry to be read from the slabinfo files. The scenario
 * code is also exported as xalloc_bench_run() for the KUnit smoke test.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/completion.h>
#include <linux/cpumask.h>
#include <linux/debugfs.h>
#include <linux/delay.h>
#include <linux/gfp.h>
#include <linux/kthread.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/prandom.h>
#include <linux/sched.h>
#include <linux/sched/task.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/string.h>
#include <linux/timekeeping.h>
#include <linux/vmstat.h>
#include <xalloc/xalloc.h>

/* xalloc_cache_counts() and the compat helpers, as the KUnit suites use them. */
#include "../mm/slab.h"

#include "xalloc_bench.h"
#include "xalloc_bench_stat.h"

/* ---- Scenarios ---------------------------------------------------------- */

/* Both sides allocate with these: a batch runs with preemption disabled. */
#define XB_GFP		(GFP_NOWAIT | __GFP_NOWARN)
/* Seed of the kmalloc scenario's sizes and free order: the same every run. */
#define XB_SEED		0x78616c6cULL
/* Slots of the remote-free ring. */
#define XB_RING_SIZE	256
/* Empty batches timed to find the overhead of a batch. */
#define XB_OVERHEAD_SAMPLES	9

enum xb_kind {
	XB_FASTPATH,	/* alloc+free pairs of one cache */
	XB_BURST,	/* @count objects allocated, then all freed */
	XB_BULK,	/* alloc_bulk+free_bulk of @count objects */
	XB_KMALLOC,	/* @count kmallocs of random sizes, freed in random order */
	XB_REMOTE,	/* allocated on one CPU, freed on another through a ring */
	XB_SCALING,	/* the fast path on every online CPU at once */
	XB_PAGES,	/* alloc+free pairs of pages of order @size */
	XB_PAGES_BURST,	/* @count order-0 pages allocated, then all freed */
	XB_RCU,		/* @count objects allocated, each freed with kfree_rcu() */
};

/* An object of the RCU scenario: freed through its rcu_head. */
struct xb_rcu_obj {
	struct rcu_head rcu;
	u64 payload[6];
};

/**
 * struct xb_scenario - one line of the benchmark
 * @name: printed name
 * @kind: what the operations are
 * @size: object size in bytes; page order for XB_PAGES
 * @count: objects or pages per burst, bulk call or kmalloc round
 * @batch: operations per timed batch (for bursts: @count)
 * @batches: batches per trial at scale 100; remote frees: ring transfers
 *	per trial in units of @batch
 * @from: remote frees: index of the allocating CPU among the online ones
 * @flags: xalloc_cache_create() flags of xalloc's cache (XALLOC_NO_SHEAVES:
 *	the CPU-slab path; the kernel's cache is the same either way)
 */
struct xb_scenario {
	const char *name;
	enum xb_kind kind;
	unsigned int size;
	unsigned int count;
	unsigned int batch;
	unsigned int batches;
	unsigned int from;
	unsigned long flags;
};

static const struct xb_scenario xb_scenarios[] = {
	{ "fastpath-8",     XB_FASTPATH,    8,    0,    1000, 20 },
	{ "fastpath-64",    XB_FASTPATH,    64,   0,    1000, 20 },
	{ "fastpath-256",   XB_FASTPATH,    256,  0,    1000, 20 },
	{ "fastpath-1024",  XB_FASTPATH,    1024, 0,    1000, 20 },
	{ "fastpath-4096",  XB_FASTPATH,    4096, 0,    1000, 20 },
	{ "burst-64",       XB_BURST,       64,   4096, 4096, 4 },
	{ "burst-1024",     XB_BURST,       1024, 4096, 4096, 4 },
	{ "bulk-16",        XB_BULK,        64,   16,   4096, 4 },
	{ "bulk-64",        XB_BULK,        64,   64,   4096, 4 },
	{ "bulk-256",       XB_BULK,        64,   256,  4096, 4 },
	{ "kmalloc-random", XB_KMALLOC,     0,    1024, 1024, 8 },
	{ "remote-0to1",    XB_REMOTE,      64,   0,    1024, 16, 0 },
	{ "remote-1to0",    XB_REMOTE,      64,   0,    1024, 16, 1 },
	{ "scaling-64",     XB_SCALING,     64,   0,    1000, 20 },
	{ "pages-o0",       XB_PAGES,       0,    0,    500,  8 },
	{ "pages-o1",       XB_PAGES,       1,    0,    500,  8 },
	{ "pages-o3",       XB_PAGES,       3,    0,    500,  8 },
	{ "pages-o9",       XB_PAGES,       9,    0,    50,   8 },
	{ "pages-burst",    XB_PAGES_BURST, 0,    1024, 1024, 4 },
	{ "kfree-rcu-64",   XB_RCU,         sizeof(struct xb_rcu_obj), 4096, 4096, 4 },
	/* The same on xalloc's CPU-slab path (no sheaves), in the same boot. */
	{ "cpuslab-fastpath-64",   XB_FASTPATH, 64,   0,    1000, 20, 0, XALLOC_NO_SHEAVES },
	{ "cpuslab-fastpath-1024", XB_FASTPATH, 1024, 0,    1000, 20, 0, XALLOC_NO_SHEAVES },
	{ "cpuslab-burst-64",      XB_BURST,    64,   4096, 4096, 4,  0, XALLOC_NO_SHEAVES },
	{ "cpuslab-bulk-64",       XB_BULK,     64,   64,   4096, 4,  0, XALLOC_NO_SHEAVES },
	{ "cpuslab-remote-0to1",   XB_REMOTE,   64,   0,    1024, 16, 0, XALLOC_NO_SHEAVES },
	{ "cpuslab-remote-1to0",   XB_REMOTE,   64,   0,    1024, 16, 1, XALLOC_NO_SHEAVES },
	{ "cpuslab-scaling-64",    XB_SCALING,  64,   0,    1000, 20, 0, XALLOC_NO_SHEAVES },
};

/* Sizes whose slab geometry make bench reports, besides the kmalloc classes. */
static const unsigned int xb_geometry_sizes[] = { 24, 40, 100, 200, 700, 1500 };

/**
 * struct xb_ring - single-producer single-consumer ring of objects
 * @slot: the objects in flight
 * @head: objects pushed so far, written by the producer only
 * @tail: objects popped so far, written by the consumer only
 * @abort: set by the producer when an allocation failed
 *
 * Invariant: 0 <= head - tail <= XB_RING_SIZE.
 */
struct xb_ring {
	void *slot[XB_RING_SIZE];
	unsigned long head ____cacheline_aligned;
	unsigned long tail ____cacheline_aligned;
	bool abort;
};

/**
 * struct xb_run - one scenario being run, shared by its threads
 * @sc: the scenario
 * @xc: xalloc's cache of @sc->size bytes, for the object scenarios
 * @kc: the kernel's cache of the same size
 * @count: objects per burst, bulk call or kmalloc round
 * @batch: operations per batch
 * @batches: batches per thread and trial
 * @ops: operations per batch, as counted in the result
 * @loops: iterations of the empty batch that stands for the loop overhead
 * @overhead_ns: median cost of an empty batch, subtracted from each batch
 * @sizes: XB_KMALLOC: the size of each allocation
 * @order: XB_KMALLOC: the order in which the objects are freed
 * @ring: XB_REMOTE: the ring
 * @ring_only: XB_REMOTE: the trial passes a placeholder, allocates and frees
 *	nothing
 * @nr_threads: threads of a trial
 * @arrived: threads that reached the start line
 * @start: completed once every thread of a trial is awake
 * @base_pages: XB_RCU: slab pages of the side when the trial began
 * @peak_pages: XB_RCU: most slab pages above @base_pages after a batch
 */
struct xb_run {
	const struct xb_scenario *sc;
	struct xalloc_cache *xc;
	struct kmem_cache *kc;
	unsigned int count;
	unsigned int batch;
	unsigned long batches;
	unsigned long ops;
	unsigned int loops;
	u64 overhead_ns;
	unsigned int *sizes;
	unsigned int *order;
	struct xb_ring *ring;
	bool ring_only;
	unsigned int nr_threads;
	atomic_t arrived;
	struct completion start;
	long base_pages;
	long peak_pages;
};

enum xb_role {
	XB_ROLE_BATCHES,
	XB_ROLE_PRODUCER,
	XB_ROLE_CONSUMER,
	XB_ROLE_OVERHEAD,
};

/**
 * struct xb_thread - one kthread bound to one CPU for one trial of one side
 * @r: the scenario
 * @task: the kthread
 * @done: completed when the work is done
 * @cpu: where it runs
 * @role: what it does
 * @kernel: side B (the kernel's allocator) rather than xalloc
 * @objs: room for @r->count pointers
 * @busy_ns: batches only: time in batches, overhead subtracted
 * @start_ns: when the work started
 * @end_ns: when the work ended
 * @err: 0, or -ENOMEM when an allocation failed
 */
struct xb_thread {
	struct xb_run *r;
	struct task_struct *task;
	struct completion done;
	unsigned int cpu;
	enum xb_role role;
	bool kernel;
	void **objs;
	u64 busy_ns;
	u64 start_ns;
	u64 end_ns;
	int err;
};

/* ---- One batch ---------------------------------------------------------- */

/*
 * Each helper takes the side as a constant @k: xb_batch() is inlined into
 * one function per side, so the timed loops hold direct calls only.
 */
static __always_inline void *xb_obj_alloc(struct xb_run *r, bool k)
{
	return k ? kmem_cache_alloc(r->kc, XB_GFP) : xalloc_cache_alloc(r->xc, XB_GFP);
}

static __always_inline void xb_obj_free(struct xb_run *r, bool k, void *p)
{
	if (k)
		kmem_cache_free(r->kc, p);
	else
		xalloc_cache_free(r->xc, p);
}

static __always_inline bool xb_bulk_alloc(struct xb_run *r, bool k, void **objs)
{
	if (k)
		return kmem_cache_alloc_bulk(r->kc, XB_GFP, r->count, objs);
	return xalloc_cache_alloc_bulk(r->xc, XB_GFP, r->count, objs);
}

static __always_inline void xb_bulk_free(struct xb_run *r, bool k, void **objs)
{
	if (k)
		kmem_cache_free_bulk(r->kc, r->count, objs);
	else
		xalloc_cache_free_bulk(r->xc, r->count, objs);
}

static __always_inline void xb_obj_free_rcu(struct xb_run *r, bool k, void *p)
{
	struct xb_rcu_obj *o = p;

	if (k)
		kfree_rcu(o, rcu);
	else
		xalloc_cache_free_rcu(r->xc, o, rcu);
}

static __always_inline void *xb_kmalloc(bool k, size_t size)
{
	return k ? kmalloc(size, XB_GFP) : xalloc_kmalloc(size, XB_GFP);
}

static __always_inline void xb_kfree(bool k, void *p)
{
	if (k)
		kfree(p);
	else
		xalloc_kfree(p);
}

static __always_inline struct page *xb_page_alloc(bool k, unsigned int order)
{
	return k ? alloc_pages(XB_GFP, order) : xalloc_alloc_pages(XB_GFP, order);
}

static __always_inline void xb_page_free(bool k, struct page *page,
					 unsigned int order)
{
	if (k)
		__free_pages(page, order);
	else
		xalloc_free_pages(page, order);
}

/*
 * One timed batch of @r's scenario on side @k. Frees whatever it allocated,
 * also when an allocation fails.
 * Return: nanoseconds, or -ENOMEM.
 */
static __always_inline s64 xb_batch(struct xb_run *r, bool k, void **objs)
{
	unsigned int order = r->sc->size;
	unsigned int i, n = 0;
	struct page *page;
	u64 t0, t1;
	int err = 0;
	void *p;

	preempt_disable();
	t0 = ktime_get_ns();
	switch (r->sc->kind) {
	case XB_FASTPATH:
	case XB_SCALING:
		for (i = 0; i < r->batch; i++) {
			p = xb_obj_alloc(r, k);
			if (unlikely(!p)) {
				err = -ENOMEM;
				break;
			}
			xb_obj_free(r, k, p);
		}
		break;
	case XB_BURST:
		for (n = 0; n < r->count; n++) {
			objs[n] = xb_obj_alloc(r, k);
			if (unlikely(!objs[n])) {
				err = -ENOMEM;
				break;
			}
		}
		for (i = 0; i < n; i++)
			xb_obj_free(r, k, objs[i]);
		break;
	case XB_BULK:
		for (i = 0; i < r->batch / r->count; i++) {
			if (unlikely(!xb_bulk_alloc(r, k, objs))) {
				err = -ENOMEM;
				break;
			}
			xb_bulk_free(r, k, objs);
		}
		break;
	case XB_KMALLOC:
		for (n = 0; n < r->count; n++) {
			objs[n] = xb_kmalloc(k, r->sizes[n]);
			if (unlikely(!objs[n])) {
				err = -ENOMEM;
				break;
			}
		}
		for (i = 0; i < n; i++)
			xb_kfree(k, objs[err ? i : r->order[i]]);
		break;
	case XB_PAGES:
		for (i = 0; i < r->batch; i++) {
			page = xb_page_alloc(k, order);
			if (unlikely(!page)) {
				err = -ENOMEM;
				break;
			}
			xb_page_free(k, page, order);
		}
		break;
	case XB_PAGES_BURST:
		for (n = 0; n < r->count; n++) {
			objs[n] = xb_page_alloc(k, 0);
			if (unlikely(!objs[n])) {
				err = -ENOMEM;
				break;
			}
		}
		for (i = 0; i < n; i++)
			xb_page_free(k, objs[i], 0);
		break;
	case XB_RCU:
		for (i = 0; i < r->count; i++) {
			p = xb_obj_alloc(r, k);
			if (unlikely(!p)) {
				err = -ENOMEM;
				break;
			}
			xb_obj_free_rcu(r, k, p);
		}
		break;
	case XB_REMOTE:
		break;
	}
	t1 = ktime_get_ns();
	preempt_enable();
	if (err)
		return err;
	return t1 - t0;
}

static noinline s64 xb_batch_xalloc(struct xb_run *r, void **objs)
{
	return xb_batch(r, false, objs);
}

static noinline s64 xb_batch_kernel(struct xb_run *r, void **objs)
{
	return xb_batch(r, true, objs);
}

static u64 xb_empty_batch(unsigned int loops)
{
	unsigned int i;
	u64 t0, t1;

	preempt_disable();
	t0 = ktime_get_ns();
	for (i = 0; i < loops; i++)
		barrier();
	t1 = ktime_get_ns();
	preempt_enable();
	return t1 - t0;
}

/* ---- Threads ------------------------------------------------------------ */

static void xb_overhead(struct xb_thread *t)
{
	u64 v[XB_OVERHEAD_SAMPLES];
	int i;

	for (i = 0; i < XB_OVERHEAD_SAMPLES; i++)
		v[i] = xb_empty_batch(t->r->loops);
	sort(v, XB_OVERHEAD_SAMPLES, sizeof(v[0]), xalloc_bench_cmp_u64, NULL);
	t->r->overhead_ns = v[XB_OVERHEAD_SAMPLES / 2];
}

/* Slab pages of side @k: xalloc's cache of the scenario, or all the kernel's. */
static long xb_slab_pages(struct xb_run *r, bool k)
{
	struct xalloc_cache_counts cnt;

	if (k)
		return global_node_page_state_pages(NR_SLAB_UNRECLAIMABLE_B);
	xalloc_cache_counts(r->xc, &cnt);
	return cnt.num_pages;
}

/* Every free after a grace period of side @k is done. */
static void xb_rcu_wait(bool k)
{
	if (k)
		xalloc_kvfree_rcu_barrier();
	else
		xalloc_rcu_barrier();
}

static int xb_batches(struct xb_thread *t)
{
	struct xb_run *r = t->r;
	unsigned long b;
	s64 ns;

	if (r->sc->kind == XB_RCU)
		r->base_pages = xb_slab_pages(r, t->kernel);

	for (b = 0; b < r->batches; b++) {
		if (t->kernel)
			ns = xb_batch_kernel(r, t->objs);
		else
			ns = xb_batch_xalloc(r, t->objs);
		if (ns < 0)
			return ns;
		if ((u64)ns > r->overhead_ns)
			t->busy_ns += ns - r->overhead_ns;
		if (r->sc->kind == XB_RCU)
			r->peak_pages = max(r->peak_pages,
					    xb_slab_pages(r, t->kernel) - r->base_pages);
		cond_resched();
	}
	if (r->sc->kind == XB_RCU)
		xb_rcu_wait(t->kernel);
	return 0;
}

/* Waiting on the other CPU: spin, but let the scheduler in now and then. */
static void xb_spin(unsigned long *spins)
{
	cpu_relax();
	if (!(++*spins & 1023))
		cond_resched();
}

static int xb_produce(struct xb_thread *t)
{
	struct xb_run *r = t->r;
	struct xb_ring *ring = r->ring;
	unsigned long head, total = r->batches * r->batch, spins = 0;
	void *p;

	for (head = 0; head < total; head++) {
		if (r->ring_only)
			p = ring;
		else
			p = t->kernel ? kmem_cache_alloc(r->kc, XB_GFP) :
					xalloc_cache_alloc(r->xc, XB_GFP);
		if (!p) {
			/* After the last push: the consumer drains, then stops. */
			smp_store_release(&ring->abort, true);
			return -ENOMEM;
		}
		/* Pairs with the consumer's release: its slot read is done. */
		while (head - smp_load_acquire(&ring->tail) >= XB_RING_SIZE)
			xb_spin(&spins);
		ring->slot[head % XB_RING_SIZE] = p;
		/* Publishes the slot before the new head. */
		smp_store_release(&ring->head, head + 1);
	}
	return 0;
}

static int xb_consume(struct xb_thread *t)
{
	struct xb_run *r = t->r;
	struct xb_ring *ring = r->ring;
	unsigned long tail, total = r->batches * r->batch, spins = 0;
	void *p;

	for (tail = 0; tail < total; tail++) {
		/* Pairs with the producer's release: the slot is written. */
		while (smp_load_acquire(&ring->head) == tail) {
			/*
			 * The producer stopped after its last push (acquire
			 * on abort orders the head read after it): what it
			 * pushed is all there is.
			 */
			if (smp_load_acquire(&ring->abort) &&
			    smp_load_acquire(&ring->head) == tail) /* see above */
				return 0;
			xb_spin(&spins);
		}
		p = ring->slot[tail % XB_RING_SIZE];
		/* Hands the slot back only after reading it. */
		smp_store_release(&ring->tail, tail + 1);
		if (r->ring_only)
			continue;
		if (t->kernel)
			kmem_cache_free(r->kc, p);
		else
			xalloc_cache_free(r->xc, p);
	}
	return 0;
}

static int xb_thread_fn(void *arg)
{
	struct xb_thread *t = arg;
	struct xb_run *r = t->r;
	unsigned long spins = 0;

	/* Start together: every thread awake, then every thread here. */
	wait_for_completion(&r->start);
	atomic_inc(&r->arrived);
	while (atomic_read(&r->arrived) < r->nr_threads)
		xb_spin(&spins);

	t->start_ns = ktime_get_ns();
	switch (t->role) {
	case XB_ROLE_BATCHES:
		t->err = xb_batches(t);
		break;
	case XB_ROLE_PRODUCER:
		t->err = xb_produce(t);
		break;
	case XB_ROLE_CONSUMER:
		t->err = xb_consume(t);
		break;
	case XB_ROLE_OVERHEAD:
		xb_overhead(t);
		break;
	}
	t->end_ns = ktime_get_ns();
	complete(&t->done);
	return 0;
}

/*
 * Run @nr threads, each bound to its CPU, and wait for all of them.
 * Return: 0 or the first error of a thread or of kthread_create().
 */
static int xb_threads_run(struct xb_run *r, struct xb_thread *t, unsigned int nr)
{
	unsigned int i, created;
	int err = 0;

	r->nr_threads = nr;
	atomic_set(&r->arrived, 0);
	init_completion(&r->start);
	for (created = 0; created < nr; created++) {
		struct task_struct *task;

		init_completion(&t[created].done);
		t[created].r = r;
		t[created].busy_ns = 0;
		t[created].err = 0;
		task = kthread_create(xb_thread_fn, &t[created], "xalloc_bench/%u",
				      t[created].cpu);
		if (IS_ERR(task)) {
			err = PTR_ERR(task);
			break;
		}
		kthread_bind(task, t[created].cpu);
		/* The thread exits on its own: keep it until kthread_stop(). */
		get_task_struct(task);
		t[created].task = task;
	}
	if (err) {
		/* Never woken: kthread_stop() makes them exit without running. */
		for (i = 0; i < created; i++) {
			kthread_stop(t[i].task);
			put_task_struct(t[i].task);
		}
		return err;
	}
	for (i = 0; i < nr; i++)
		wake_up_process(t[i].task);
	complete_all(&r->start);
	for (i = 0; i < nr; i++) {
		wait_for_completion(&t[i].done);
		kthread_stop(t[i].task);
		put_task_struct(t[i].task);
		if (t[i].err && !err)
			err = t[i].err;
	}
	return err;
}

/* ---- Trials ------------------------------------------------------------- */

/* CPUs a scenario uses, among the online ones, in order. */
static unsigned int xb_cpus(unsigned int *cpus, unsigned int max)
{
	unsigned int cpu, n = 0;

	for_each_online_cpu(cpu) {
		if (n == max)
			break;
		cpus[n++] = cpu;
	}
	return n;
}

/*
 * One trial of one side of scenario @r on @cpus.
 * Return: picoseconds per operation, or a negative error.
 */
static s64 xb_trial(struct xb_run *r, struct xb_thread *t, const unsigned int *cpus,
		    unsigned int nr_cpus, bool kernel)
{
	u64 first, last, ns, ops;
	unsigned int i, nr;
	int err;

	switch (r->sc->kind) {
	case XB_REMOTE:
		nr = 2;
		t[0].role = XB_ROLE_PRODUCER;
		t[0].cpu = cpus[r->sc->from];
		t[1].role = XB_ROLE_CONSUMER;
		t[1].cpu = cpus[!r->sc->from];
		memset(r->ring, 0, sizeof(*r->ring));
		ops = (u64)r->batches * r->batch;
		break;
	case XB_SCALING:
		nr = nr_cpus;
		for (i = 0; i < nr; i++) {
			t[i].role = XB_ROLE_BATCHES;
			t[i].cpu = cpus[i];
		}
		ops = (u64)r->batches * r->ops * nr;
		break;
	default:
		nr = 1;
		t[0].role = XB_ROLE_BATCHES;
		t[0].cpu = cpus[0];
		ops = (u64)r->batches * r->ops;
		break;
	}
	for (i = 0; i < nr; i++)
		t[i].kernel = kernel;
	err = xb_threads_run(r, t, nr);
	if (err)
		return err;

	if (r->sc->kind != XB_SCALING && nr == 1) {
		ns = t[0].busy_ns;
	} else {
		first = t[0].start_ns;
		last = t[0].end_ns;
		for (i = 1; i < nr; i++) {
			first = min(first, t[i].start_ns);
			last = max(last, t[i].end_ns);
		}
		ns = last - first;
	}
	return div64_u64(ns * 1000, ops);
}

static void xb_run_free(struct xb_run *r, struct xb_thread *t, unsigned int nr_threads)
{
	unsigned int i;

	for (i = 0; i < nr_threads; i++)
		kvfree(t[i].objs);
	kfree(t);
	kfree(r->ring);
	kvfree(r->sizes);
	kvfree(r->order);
	/*
	 * Before 6.12 a kfree_rcu() batch can outlast the wait of each trial
	 * (its monitor re-arms while an earlier batch is in flight). The cache
	 * is empty once a shrink leaves no slab on any node (SLUB_DEBUG counts
	 * them): destroying it before would warn that it still has objects.
	 */
	for (i = 0; r->kc && r->sc->kind == XB_RCU && i < 60 && kmem_cache_shrink(r->kc); i++) {
		rcu_barrier();
		msleep(1000);
	}
	kmem_cache_destroy(r->kc);
	if (r->xc)
		xalloc_cache_destroy(r->xc);
}

/* Sizes 8..8192 and a free order, the same for both sides and every run. */
static void xb_kmalloc_pattern(struct xb_run *r)
{
	struct rnd_state rnd;
	unsigned int i, j;

	prandom_seed_state(&rnd, XB_SEED);
	for (i = 0; i < r->count; i++) {
		r->sizes[i] = 8 + prandom_u32_state(&rnd) % (8192 - 8 + 1);
		r->order[i] = i;
	}
	for (i = r->count - 1; i > 0; i--) {
		j = prandom_u32_state(&rnd) % (i + 1);
		swap(r->order[i], r->order[j]);
	}
}

static int xb_run_setup(struct xb_run *r, const struct xalloc_bench_opts *opts,
			unsigned int scale, struct xb_thread *t, unsigned int nr_threads)
{
	const struct xb_scenario *sc = r->sc;
	unsigned int i;
	char name[XALLOC_CACHE_NAME_MAX + 1];

	r->count = sc->count;
	r->batch = sc->batch;
	r->batches = max(1UL, (unsigned long)sc->batches * scale / 100);
	if (opts->smoke) {
		r->count = min(r->count, sc->kind == XB_BULK ? sc->count : 64);
		r->batch = max(r->count, min(r->batch, 64U));
		r->batches = 1;
	}

	switch (sc->kind) {
	case XB_BURST:
	case XB_KMALLOC:
	case XB_PAGES_BURST:
	case XB_RCU:
		r->batch = r->count;
		r->ops = r->count;
		r->loops = 2 * r->count;
		break;
	case XB_BULK:
		r->ops = r->batch / r->count * r->count;
		r->loops = r->batch / r->count;
		break;
	default:
		r->ops = r->batch;
		r->loops = r->batch;
		break;
	}

	if (sc->kind != XB_KMALLOC && sc->kind != XB_PAGES &&
	    sc->kind != XB_PAGES_BURST) {
		snprintf(name, sizeof(name), "xbench-%s", sc->name);
		r->xc = xalloc_cache_create(name, sc->size, 0, sc->flags, NULL);
		r->kc = kmem_cache_create(name, sc->size, 0, 0, NULL);
		if (!r->xc || !r->kc)
			return -ENOMEM;
	}
	if (sc->kind == XB_KMALLOC) {
		r->sizes = kvmalloc_array(r->count, sizeof(*r->sizes), GFP_KERNEL);
		r->order = kvmalloc_array(r->count, sizeof(*r->order), GFP_KERNEL);
		if (!r->sizes || !r->order)
			return -ENOMEM;
		xb_kmalloc_pattern(r);
	}
	if (sc->kind == XB_REMOTE) {
		r->ring = kzalloc(sizeof(*r->ring), GFP_KERNEL);
		if (!r->ring)
			return -ENOMEM;
	}
	if (r->count) {
		for (i = 0; i < nr_threads; i++) {
			t[i].objs = kvmalloc_array(r->count, sizeof(void *), GFP_KERNEL);
			if (!t[i].objs)
				return -ENOMEM;
		}
	}
	return 0;
}

static int xb_scenario_run(const struct xb_scenario *sc,
			   const struct xalloc_bench_opts *opts, unsigned int scale,
			   struct xalloc_bench_result *res)
{
	unsigned int trials = opts->trials ?: (opts->smoke ? 3 : 7);
	unsigned int *cpus, nr_cpus, nr_threads, i;
	struct xb_run r = { .sc = sc };
	u64 *v[2] = { NULL, NULL }, *one[2] = { NULL, NULL };
	struct xalloc_bench_stat st1[2];
	struct xb_thread *t;
	s64 ps;
	int err, side, k;

	memset(res, 0, sizeof(*res));
	strscpy(res->name, sc->name, sizeof(res->name));
	cpus = kcalloc(nr_cpu_ids, sizeof(*cpus), GFP_KERNEL);
	if (!cpus)
		return -ENOMEM;
	nr_cpus = xb_cpus(cpus, nr_cpu_ids);
	if (sc->kind == XB_REMOTE && nr_cpus < 2) {
		res->skipped = true;
		kfree(cpus);
		return 0;
	}
	nr_threads = sc->kind == XB_SCALING ? nr_cpus : 2;
	t = kcalloc(nr_threads, sizeof(*t), GFP_KERNEL);
	if (!t) {
		kfree(cpus);
		return -ENOMEM;
	}
	err = xb_run_setup(&r, opts, scale, t, nr_threads);
	if (err)
		goto out;
	for (side = 0; side < 2; side++) {
		v[side] = kcalloc(trials, sizeof(u64), GFP_KERNEL);
		one[side] = kcalloc(trials, sizeof(u64), GFP_KERNEL);
		if (!v[side] || !one[side]) {
			err = -ENOMEM;
			goto out;
		}
	}

	/* The overhead of a batch, on the CPU that runs single-CPU batches. */
	t[0].cpu = cpus[0];
	t[0].role = XB_ROLE_OVERHEAD;
	err = xb_threads_run(&r, t, 1);
	if (err)
		goto out;

	/* Warm-up A B, then A B, B A, A B, B A ... */
	for (i = 0; i < trials + 1; i++) {
		for (k = 0; k < 2; k++) {
			/* Even trials after the warm-up run the kernel first. */
			side = i && !(i & 1) ? !k : k;
			r.peak_pages = 0;
			ps = xb_trial(&r, t, cpus, nr_cpus, side);
			if (i)
				res->peak_kib[side] = max_t(u64, res->peak_kib[side],
							    r.peak_pages * (PAGE_SIZE / 1024));
			if (i && ps >= 0)
				v[side][i - 1] = ps;
			/* Scaling: the same side on one CPU, timed the same way. */
			if (i && ps >= 0 && sc->kind == XB_SCALING) {
				ps = xb_trial(&r, t, cpus, 1, side);
				one[side][i - 1] = ps;
			}
			if (ps < 0) {
				err = ps;
				goto out;
			}
		}
		/* Remote frees: the ring alone, after both sides. */
		if (i && sc->kind == XB_REMOTE) {
			r.ring_only = true;
			ps = xb_trial(&r, t, cpus, nr_cpus, false);
			r.ring_only = false;
			if (ps < 0) {
				err = ps;
				goto out;
			}
			one[0][i - 1] = ps;
		}
	}
	xalloc_bench_stat_set(&res->xalloc, v[0], trials);
	xalloc_bench_stat_set(&res->kernel, v[1], trials);
	if (sc->kind == XB_SCALING) {
		xalloc_bench_stat_set(&st1[0], one[0], trials);
		xalloc_bench_stat_set(&st1[1], one[1], trials);
		res->xalloc_speedup = div64_u64(st1[0].med * 1000, res->xalloc.med ?: 1);
		res->kernel_speedup = div64_u64(st1[1].med * 1000, res->kernel.med ?: 1);
	}
	if (sc->kind == XB_REMOTE) {
		xalloc_bench_stat_set(&st1[0], one[0], trials);
		res->ring_ps = st1[0].med;
	}
	res->trials = trials;
	res->scale = scale;
	res->cpus = sc->kind == XB_SCALING ? nr_cpus : sc->kind == XB_REMOTE ? 2 : 1;
	if (sc->kind == XB_REMOTE)
		res->ops = (u64)r.batches * r.batch;
	else
		res->ops = (u64)r.batches * r.ops * (sc->kind == XB_SCALING ? nr_cpus : 1);
out:
	for (side = 0; side < 2; side++) {
		kfree(v[side]);
		kfree(one[side]);
	}
	xb_run_free(&r, t, nr_threads);
	kfree(cpus);
	return err;
}

/* Larger of the two sides' spreads, in permille. */
static unsigned int xb_noise(const struct xalloc_bench_result *res)
{
	return max(res->xalloc.spread, res->kernel.spread);
}

/*
 * Run scenario @sc into @res under the noise rule: again at twice the scale
 * while a side spreads more than the threshold, up to @opts->repeats more
 * times; the first quiet run is the result, else the least noisy one.
 */
static int xb_scenario_measure(const struct xb_scenario *sc,
			       const struct xalloc_bench_opts *opts,
			       struct xalloc_bench_result *res,
			       struct xalloc_bench_result *tmp)
{
	unsigned int noise = opts->noise ?: 100, scale = opts->scale ?: 100;
	unsigned int repeats = min(opts->repeats, XALLOC_BENCH_MAX_ATTEMPTS - 1U);
	struct xalloc_bench_attempt hist[XALLOC_BENCH_MAX_ATTEMPTS];
	unsigned int n;
	int err;

	for (n = 0; n <= repeats; n++) {
		err = xb_scenario_run(sc, opts, n ? 2 * scale : scale, tmp);
		if (err)
			return err;
		if (tmp->skipped) {
			*res = *tmp;
			return 0;
		}
		hist[n].scale = tmp->scale;
		hist[n].ratio = tmp->kernel.med ?
			div64_u64(tmp->xalloc.med * 1000, tmp->kernel.med) : 0;
		hist[n].spread[0] = tmp->xalloc.spread;
		hist[n].spread[1] = tmp->kernel.spread;
		if (!n || xb_noise(tmp) < xb_noise(res))
			*res = *tmp;
		if (xb_noise(tmp) <= noise)
			break;
	}
	res->nr_attempts = min(n + 1, repeats + 1);
	memcpy(res->attempts, hist, res->nr_attempts * sizeof(hist[0]));
	res->noisy = xb_noise(res) > noise;
	return 0;
}

/* ---- Output ------------------------------------------------------------- */

/* " key=12.3": picoseconds as nanoseconds with one decimal. */
static int xb_put_ns(char *buf, size_t len, const char *key, u64 ps)
{
	return scnprintf(buf, len, " %s=%llu.%llu", key, div_u64(ps, 1000),
			 div_u64(ps % 1000, 100));
}

/* " key=1.234": a quantity times 1000, with three decimals. */
static int xb_put_x1000(char *buf, size_t len, const char *key, u64 x)
{
	return scnprintf(buf, len, " %s=%llu.%03llu", key, div_u64(x, 1000), x % 1000);
}

/* Longest result line, with every attempt. */
#define XB_LINE_MAX	512

/*
 * One result as a line of "key=value" fields after the scenario's name, e.g.
 * "fastpath-64 ops=20000 trials=7 cpus=1 xalloc_med=120.5 ... ratio=0.950".
 * attempts= lists each run as scale:ratio:spread_x:spread_k, the ratio and
 * the spreads in permille.
 */
static void xb_format(const struct xalloc_bench_result *res, char *buf, size_t len)
{
	const struct xalloc_bench_stat *x = &res->xalloc, *k = &res->kernel;
	unsigned int i;
	int n;

	if (res->skipped) {
		snprintf(buf, len, "%s skipped", res->name);
		return;
	}
	n = scnprintf(buf, len, "%s ops=%llu trials=%u cpus=%u", res->name,
		      res->ops, res->trials, res->cpus);
	n += xb_put_ns(buf + n, len - n, "xalloc_med", x->med);
	n += xb_put_ns(buf + n, len - n, "xalloc_min", x->min);
	n += xb_put_ns(buf + n, len - n, "xalloc_max", x->max);
	n += xb_put_ns(buf + n, len - n, "kernel_med", k->med);
	n += xb_put_ns(buf + n, len - n, "kernel_min", k->min);
	n += xb_put_ns(buf + n, len - n, "kernel_max", k->max);
	n += xb_put_ns(buf + n, len - n, "xalloc_q1", x->q1);
	n += xb_put_ns(buf + n, len - n, "xalloc_q3", x->q3);
	n += xb_put_ns(buf + n, len - n, "kernel_q1", k->q1);
	n += xb_put_ns(buf + n, len - n, "kernel_q3", k->q3);
	n += scnprintf(buf + n, len - n, " scale=%u noisy=%d attempts=", res->scale,
		       res->noisy);
	for (i = 0; i < res->nr_attempts; i++) {
		const struct xalloc_bench_attempt *a = &res->attempts[i];

		n += scnprintf(buf + n, len - n, "%s%u:%u:%u:%u", i ? "," : "", a->scale,
			       a->ratio, a->spread[0], a->spread[1]);
	}
	if (k->med)
		n += xb_put_x1000(buf + n, len - n, "ratio",
				  div64_u64(x->med * 1000, k->med));
	else
		n += scnprintf(buf + n, len - n, " ratio=-");
	if (res->peak_kib[0] || res->peak_kib[1])
		n += scnprintf(buf + n, len - n, " xalloc_peak_kib=%llu kernel_peak_kib=%llu",
			       res->peak_kib[0], res->peak_kib[1]);
	if (res->xalloc_speedup && res->kernel_speedup) {
		n += xb_put_x1000(buf + n, len - n, "xalloc_speedup", res->xalloc_speedup);
		n += xb_put_x1000(buf + n, len - n, "kernel_speedup", res->kernel_speedup);
	}
	if (res->ring_ps)
		xb_put_ns(buf + n, len - n, "ring", res->ring_ps);
}

/* ---- Public interface --------------------------------------------------- */

/* Serialises runs: they would time each other otherwise. */
static DEFINE_MUTEX(xb_mutex);
/* Under xb_mutex: a run of a scenario that the noise rule weighs, a line. */
static struct xalloc_bench_result xb_tmp;
static char xb_line[XB_LINE_MAX];

/**
 * xalloc_bench_run() - run the scenarios on xalloc and on the kernel
 * @opts: counts, a filter and the result array; see struct xalloc_bench_opts
 *
 * Runs each scenario whose name starts with @opts->only (all when NULL),
 * warm-up then trials interleaved between xalloc and the kernel, and writes
 * one result per scenario, in a fixed order, to @opts->results. Runs do not
 * overlap: a second caller waits for the first.
 *
 * Context: Process context; sleeps. xalloc.ko must be loaded (a dependency
 *	of this module).
 * Return: 0, or -ENOMEM when a cache, a buffer or an allocation being timed
 *	failed, or the error of kthread_create(). @opts->nr_results holds the
 *	results written so far either way.
 */
int xalloc_bench_run(struct xalloc_bench_opts *opts)
{
	struct xalloc_bench_result *res;
	unsigned int i;
	int err = 0;

	BUILD_BUG_ON(ARRAY_SIZE(xb_scenarios) > XALLOC_BENCH_MAX_RESULTS);
	mutex_lock(&xb_mutex);
	opts->nr_results = 0;
	for (i = 0; i < ARRAY_SIZE(xb_scenarios); i++) {
		const struct xb_scenario *sc = &xb_scenarios[i];

		if (opts->only && strncmp(sc->name, opts->only, strlen(opts->only)))
			continue;
		res = &opts->results[opts->nr_results++];
		err = xb_scenario_measure(sc, opts, res, &xb_tmp);
		if (err) {
			pr_err("%s failed: %d\n", sc->name, err);
			break;
		}
		if (opts->print) {
			xb_format(res, xb_line, sizeof(xb_line));
			pr_info("%s\n", xb_line);
		}
	}
	mutex_unlock(&xb_mutex);
	return err;
}
EXPORT_SYMBOL_GPL(xalloc_bench_run);

/* ---- Module ------------------------------------------------------------- */

static bool run = true;
module_param(run, bool, 0444);
MODULE_PARM_DESC(run, "run the benchmark when loaded (default 1)");

static unsigned int trials;
module_param(trials, uint, 0444);
MODULE_PARM_DESC(trials, "trials per side and scenario (default 7, smoke 3)");

static unsigned int scale = 100;
module_param(scale, uint, 0444);
MODULE_PARM_DESC(scale, "operations per trial, percent of the default (default 100)");

static unsigned int noise = 10;
module_param(noise, uint, 0444);
MODULE_PARM_DESC(noise, "spread (percent, quartiles over median) above which a scenario runs again (default 10)");

static unsigned int repeats = XALLOC_BENCH_MAX_ATTEMPTS - 1;
module_param(repeats, uint, 0444);
MODULE_PARM_DESC(repeats, "runs of a noisy scenario after the first, at twice the scale (default and most 3)");

static bool smoke;
module_param(smoke, bool, 0444);
MODULE_PARM_DESC(smoke, "tiny counts: check that every scenario runs");

static char *only;
module_param(only, charp, 0444);
MODULE_PARM_DESC(only, "run only the scenarios whose names start with this");

static struct xalloc_bench_result xb_results[XALLOC_BENCH_MAX_RESULTS];
static struct xalloc_bench_opts xb_opts = { .results = xb_results, .print = true };
static struct xalloc_cache *xb_geo_xc[ARRAY_SIZE(xb_geometry_sizes)];
static struct kmem_cache *xb_geo_kc[ARRAY_SIZE(xb_geometry_sizes)];
static struct dentry *xb_debugfs;

static int results_show(struct seq_file *m, void *v)
{
	unsigned int i;

	mutex_lock(&xb_mutex);
	for (i = 0; i < xb_opts.nr_results; i++) {
		xb_format(&xb_results[i], xb_line, sizeof(xb_line));
		seq_printf(m, "%s\n", xb_line);
	}
	mutex_unlock(&xb_mutex);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(results);

static void xb_geometry_destroy(void)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(xb_geometry_sizes); i++) {
		kmem_cache_destroy(xb_geo_kc[i]);
		if (xb_geo_xc[i])
			xalloc_cache_destroy(xb_geo_xc[i]);
	}
}

/*
 * Caches of a few odd sizes on both allocators, kept while the module is
 * loaded: their objects per slab and pages per slab are in /proc/slabinfo and
 * /sys/kernel/debug/xalloc/slabinfo (struct kmem_cache is opaque in 6.12).
 * The kernel merges caches of similar size unless booted with slab_nomerge.
 */
static int xb_geometry_create(void)
{
	char name[XALLOC_CACHE_NAME_MAX + 1];
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(xb_geometry_sizes); i++) {
		snprintf(name, sizeof(name), "xbench-geo-%u", xb_geometry_sizes[i]);
		xb_geo_xc[i] = xalloc_cache_create(name, xb_geometry_sizes[i], 0, 0, NULL);
		xb_geo_kc[i] = kmem_cache_create(name, xb_geometry_sizes[i], 0, 0, NULL);
		if (!xb_geo_xc[i] || !xb_geo_kc[i]) {
			xb_geometry_destroy();
			return -ENOMEM;
		}
	}
	return 0;
}

static int __init xalloc_bench_init(void)
{
	int err;

	xb_debugfs = debugfs_create_dir("xalloc_bench", NULL);
	debugfs_create_file("results", 0444, xb_debugfs, NULL, &results_fops);
	if (!run)
		return 0;

	err = xb_geometry_create();
	if (err)
		goto err_debugfs;
	xb_opts.trials = trials;
	xb_opts.scale = scale;
	xb_opts.noise = noise * 10;
	xb_opts.repeats = repeats;
	xb_opts.smoke = smoke;
	xb_opts.only = only;
	pr_info("start: %u online CPUs%s\n", num_online_cpus(), smoke ? ", smoke" : "");
	err = xalloc_bench_run(&xb_opts);
	if (err)
		goto err_geometry;
	pr_info("done: %u scenarios\n", xb_opts.nr_results);
	return 0;

err_geometry:
	xb_geometry_destroy();
err_debugfs:
	debugfs_remove_recursive(xb_debugfs);
	return err;
}

static void __exit xalloc_bench_exit(void)
{
	debugfs_remove_recursive(xb_debugfs);
	if (run)
		xb_geometry_destroy();
}

module_init(xalloc_bench_init);
module_exit(xalloc_bench_exit);

MODULE_DESCRIPTION("xalloc benchmark: xalloc against the kernel's allocators");
MODULE_LICENSE("GPL");
