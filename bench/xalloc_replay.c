// SPDX-License-Identifier: GPL-2.0
/*
 * xalloc_replay: a recorded workload's slab allocations and frees, replayed
 * through xalloc (side A) and through the kernel's allocators (side B) in
 * one boot (Documentation/replay.rst).
 *
 * A trace (bench/xalloc_replay.h) is written into debugfs
 * (xalloc_replay/trace); writing the number of rounds into xalloc_replay/run
 * creates the trace's caches on both sides ("xr<i>-<name>" on xalloc,
 * "kr<i>-<name>" on the kernel), replays the trace in trials ordered
 * A B B A per round, first on one CPU, then on the CPUs the trace recorded,
 * after one untimed trial of each side, and keeps one line per mode in
 * xalloc_replay/results. kmalloc events go to
 * xalloc_kmalloc() and kmalloc(), cache events to the caches.
 *
 * Timing: one kthread per CPU, bound to it, kept over the trials of a mode.
 * The events of recorded CPU n run on the mode's CPU n in the trace's order:
 * a shared counter names the next event, each thread waits for its next one,
 * so a free on another CPU than the alloc stays a remote free. A trial runs
 * with preemption off and GFP_NOWAIT (as in bench/xalloc_bench.c), from the
 * first event to the last, and costs picoseconds per event; what is left
 * live at the end is freed untimed.
 *
 * Pages: each mode creates the caches afresh. At the event of the trace's
 * peak of live requested bytes, the thread that ran it reads the pages each
 * side holds (the reading is not timed): xalloc's zone pages in use
 * (neither free nor on per-CPU lists),
 * the kernel's slab pages (NR_SLAB_*, per-CPU differences included), both
 * less what they were before the first trial of the mode, once every
 * kmalloc class of both had an allocation on each of the mode's CPUs. The
 * kernel's kmalloc caches are shared with the rest of the guest, so its
 * figure holds only in a guest that does nothing else meanwhile.
 *
 * Lock order: xr_mutex (the trace, the run and the results) only.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cpumask.h>
#include <linux/debugfs.h>
#include <linux/kthread.h>
#include <linux/mm.h>
#include <linux/mmzone.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/nodemask.h>
#include <linux/sched.h>
#include <linux/sched/task.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/timekeeping.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>
#include <linux/vmstat.h>
#include <linux/wait_bit.h>
#include <linux/workqueue.h>
#include <xalloc/xalloc.h>

#include "xalloc_bench_pages.h"
#include "xalloc_bench_stat.h"
#include "xalloc_replay.h"

#define XR_GFP		(GFP_NOWAIT | __GFP_NOWARN)
/* Rounds of A B B A at most, so trials per side at most twice that. */
#define XR_MAX_ROUNDS	16
#define XR_MAX_TRIALS	(2 * XR_MAX_ROUNDS)
/* Largest trace accepted, bytes. */
#define XR_MAX_TRACE	(256UL << 20)
#define XR_MAX_THREADS	64

enum xr_mode { XR_ONE_CPU, XR_TRACE_CPUS, XR_NR_MODES };

/**
 * struct xr_side - one side's figures in one mode
 * @ps: cost per trial, picoseconds per event
 * @pages: pages held at the peak, per trial
 * @fails: allocations that returned NULL, over every trial
 */
struct xr_side {
	u64 ps[XR_MAX_TRIALS];
	u64 pages[XR_MAX_TRIALS];
	unsigned long fails;
};

/**
 * struct xr_result - one mode's line of results
 * @ran: the mode ran (not with one CPU online, or a trace of one CPU)
 * @threads: CPUs it ran on
 * @trials: trials per side
 * @side: xalloc's [0] and the kernel's [1]
 */
struct xr_result {
	bool ran;
	unsigned int threads;
	unsigned int trials;
	struct xr_side side[2];
};

struct xr_run;

/**
 * struct xr_thread - the kthread of one CPU of a mode
 * @r: the run
 * @task: the kthread
 * @cpu: where it runs
 * @idx: the events it runs, trace order
 * @nr: entries of @idx
 * @seen: the last trial generation it ran
 */
struct xr_thread {
	struct xr_run *r;
	struct task_struct *task;
	unsigned int cpu;
	u32 *idx;
	unsigned int nr;
	unsigned long seen;
};

/**
 * struct xr_run - a replay of the loaded trace, every field set up by the
 * coordinator (xr_mode_run()) before it starts a trial and read by the threads
 * @ev: the events
 * @nr_events: entries of @ev
 * @peak: index of the event after which to read the pages
 * @slot: one pointer per object id
 * @end_cache: cache of each object left live at the end of the trace
 * @xc: xalloc's caches of the trace
 * @kc: the kernel's caches of the trace
 * @kernel: side of the trial: the kernel (B) rather than xalloc (A)
 * @next: the event to run next; written by the thread that ran the last one
 * @gen: trial generation, raised to start a trial
 * @arrived: threads at the start line of the trial
 * @finished: threads done with the trial
 * @nr_threads: threads of the mode
 * @done: completed by the last thread to finish
 * @stop: the threads exit
 * @start_ns: when event 0 started
 * @end_ns: when the last event ended
 * @sample_ns: time spent reading the pages at the peak
 * @base_pages: pages of the side before the mode's first trial
 * @peak_pages: pages of the side at the peak, less @base_pages
 * @fails: allocations of the trial that returned NULL
 */
struct xr_run {
	struct xr_event *ev;
	unsigned int nr_events;
	unsigned int peak;
	void **slot;
	u16 *end_cache;
	struct xalloc_cache **xc;
	struct kmem_cache **kc;
	bool kernel;
	unsigned int next;
	unsigned long gen;
	atomic_t arrived;
	atomic_t finished;
	unsigned int nr_threads;
	struct completion done;
	bool stop;
	u64 start_ns;
	u64 end_ns;
	u64 sample_ns;
	long base_pages[2];
	long peak_pages;
	atomic_long_t fails;
};

/**
 * struct xr_event - an event of the trace, in CPU byte order
 * @id: the object
 * @size: bytes requested (kmalloc), the object size (cache), 0 (free)
 * @cache: cache index, or XALLOC_REPLAY_NO_CACHE; for a free, the cache of
 *	its object, found at load
 * @kind: enum xalloc_replay_kind
 * @cpu: CPU of the recording
 * @zero: __GFP_ZERO
 */
struct xr_event {
	u32 id;
	u32 size;
	u16 cache;
	u8 kind;
	u8 cpu;
	bool zero;
};

static DEFINE_MUTEX(xr_mutex);
/* Guarded by xr_mutex: the trace as written, and the last results. */
static u8 *xr_buf;
static size_t xr_len, xr_size;
static struct xr_info {
	u32 nr_caches;
	u32 nr_events;
	u32 nr_ids;
	u32 nr_cpus;
	u32 peak_event;
	u64 peak_bytes;
} xr_hdr;	/* the header of the trace loaded last, in CPU byte order */
static struct xr_result xr_results[XR_NR_MODES];
static bool xr_have_results;
static struct dentry *xr_debugfs;

/* ---- Pages ---------------------------------------------------------------- */

static long xr_pages(bool k)
{
	return k ? xalloc_bench_kernel_slab_pages() : xalloc_bench_zone_pages(true);
}

/* ---- One event ------------------------------------------------------------ */

/*
 * Each helper takes the side as a constant @k: xr_events() is inlined into
 * one function per side, so the timed loop holds direct calls only.
 */
static __always_inline void xr_event(struct xr_run *r, bool k,
				     const struct xr_event *e)
{
	void **slot = &r->slot[e->id];
	gfp_t gfp = XR_GFP | (e->zero ? __GFP_ZERO : 0);
	void *p;

	switch (e->kind) {
	case XALLOC_REPLAY_KMALLOC:
		p = k ? kmalloc(e->size, gfp) : xalloc_kmalloc(e->size, gfp);
		break;
	case XALLOC_REPLAY_CACHE:
		p = k ? kmem_cache_alloc(r->kc[e->cache], gfp) :
			xalloc_cache_alloc(r->xc[e->cache], gfp);
		break;
	default:
		p = *slot;
		*slot = NULL;
		if (unlikely(!p))
			return;
		if (e->cache == XALLOC_REPLAY_NO_CACHE) {
			if (k)
				kfree(p);
			else
				xalloc_kfree(p);
		} else if (k) {
			kmem_cache_free(r->kc[e->cache], p);
		} else {
			xalloc_cache_free(r->xc[e->cache], p);
		}
		return;
	}
	if (unlikely(!p)) {
		atomic_long_inc(&r->fails);
		return;
	}
	/* A user writes what it allocated. */
	if (e->size >= sizeof(unsigned long))
		*(unsigned long *)p = e->id;
	else
		*(u8 *)p = e->id;
	*slot = p;
}

static __always_inline void xr_spin_until(const unsigned int *next, unsigned int i)
{
	/* Pairs with the release of the thread that ran event i - 1: its slot writes are seen. */
	while (smp_load_acquire(next) != i)
		cpu_relax();
}

static __always_inline void xr_events(struct xr_thread *t, bool k)
{
	struct xr_run *r = t->r;
	unsigned int j;

	for (j = 0; j < t->nr; j++) {
		unsigned int i = t->idx[j];

		xr_spin_until(&r->next, i);
		if (i == 0)
			r->start_ns = ktime_get_ns();
		xr_event(r, k, &r->ev[i]);
		if (i == r->peak) {
			u64 t0 = ktime_get_ns();

			r->peak_pages = xr_pages(k) - r->base_pages[k];
			r->sample_ns = ktime_get_ns() - t0;
		}
		if (i == r->nr_events - 1)
			r->end_ns = ktime_get_ns();
		/* Pairs with xr_spin_until() of the thread of event i + 1. */
		smp_store_release(&r->next, i + 1);
	}
}

static noinline void xr_events_xalloc(struct xr_thread *t)
{
	xr_events(t, false);
}

static noinline void xr_events_kernel(struct xr_thread *t)
{
	xr_events(t, true);
}

/* ---- Threads and trials --------------------------------------------------- */

static int xr_thread_fn(void *arg)
{
	struct xr_thread *t = arg;
	struct xr_run *r = t->r;

	for (;;) {
		wait_var_event(&r->gen, READ_ONCE(r->gen) != t->seen || READ_ONCE(r->stop));
		if (READ_ONCE(r->stop))
			break;
		/* Pairs with the release in xr_trial(). */
		t->seen = smp_load_acquire(&r->gen);
		preempt_disable();
		/* Start together, every thread on its CPU. */
		atomic_inc(&r->arrived);
		while (atomic_read(&r->arrived) < r->nr_threads)
			cpu_relax();
		if (r->kernel)
			xr_events_kernel(t);
		else
			xr_events_xalloc(t);
		preempt_enable();
		if (atomic_inc_return(&r->finished) == r->nr_threads)
			complete(&r->done);
	}
	/* Stay until kthread_stop(). */
	while (!kthread_should_stop())
		schedule_timeout_interruptible(1);
	return 0;
}

/* Free what the trace left live, untimed. */
static void xr_free_left(struct xr_run *r, bool k, unsigned int nr_ids)
{
	unsigned int id;

	for (id = 0; id < nr_ids; id++) {
		void *p = r->slot[id];
		u16 c = r->end_cache[id];

		if (!p)
			continue;
		r->slot[id] = NULL;
		if (c == XALLOC_REPLAY_NO_CACHE && k)
			kfree(p);
		else if (c == XALLOC_REPLAY_NO_CACHE)
			xalloc_kfree(p);
		else if (k)
			kmem_cache_free(r->kc[c], p);
		else
			xalloc_cache_free(r->xc[c], p);
	}
}

/* One trial of side @k: picoseconds per event. */
static u64 xr_trial(struct xr_run *r, bool k, struct xr_side *side, unsigned int n)
{
	u64 ns;

	r->kernel = k;
	r->next = 0;
	r->peak_pages = 0;
	r->sample_ns = 0;
	atomic_set(&r->arrived, 0);
	atomic_set(&r->finished, 0);
	atomic_long_set(&r->fails, 0);
	reinit_completion(&r->done);
	/* Pairs with the acquire in xr_thread_fn(): the fields above are seen. */
	smp_store_release(&r->gen, r->gen + 1);
	wake_up_var(&r->gen);
	wait_for_completion(&r->done);

	ns = r->end_ns - r->start_ns - r->sample_ns;
	side->pages[n] = max(r->peak_pages, 0L);
	side->fails += atomic_long_read(&r->fails);
	xr_free_left(r, k, xr_hdr.nr_ids);
	return div64_u64(ns * 1000, r->nr_events);
}

/*
 * The threads of mode @mode, one per CPU of @cpus, with the events of their
 * CPU. Return: threads created, or a negative error.
 */
static int xr_threads_start(struct xr_run *r, struct xr_thread *t,
			    const unsigned int *cpus, unsigned int nr)
{
	unsigned int i, j;
	int err = 0;

	for (i = 0; i < nr; i++) {
		t[i].idx = kvmalloc_array(r->nr_events, sizeof(u32), GFP_KERNEL);
		if (!t[i].idx)
			err = -ENOMEM;
		t[i].nr = 0;
	}
	if (err)
		goto err_free;
	for (j = 0; j < r->nr_events; j++) {
		struct xr_thread *o = &t[r->ev[j].cpu % nr];

		o->idx[o->nr++] = j;
	}
	for (i = 0; i < nr; i++) {
		t[i].r = r;
		t[i].cpu = cpus[i];
		t[i].seen = r->gen;
		t[i].task = kthread_create(xr_thread_fn, &t[i], "xalloc_replay/%u", cpus[i]);
		if (IS_ERR(t[i].task)) {
			err = PTR_ERR(t[i].task);
			t[i].task = NULL;
			goto err_free;
		}
		kthread_bind(t[i].task, cpus[i]);
		wake_up_process(t[i].task);
	}
	r->nr_threads = nr;
	return 0;

err_free:
	WRITE_ONCE(r->stop, true);
	wake_up_var(&r->gen);
	for (i = 0; i < nr; i++) {
		if (t[i].task)
			kthread_stop(t[i].task);
		kvfree(t[i].idx);
	}
	return err;
}

static void xr_threads_stop(struct xr_run *r, struct xr_thread *t, unsigned int nr)
{
	unsigned int i;

	WRITE_ONCE(r->stop, true);
	wake_up_var(&r->gen);
	for (i = 0; i < nr; i++) {
		kthread_stop(t[i].task);
		kvfree(t[i].idx);
	}
}

/*
 * One kmalloc and kfree of every kmalloc class, on this CPU, on both sides:
 * the guest's kmalloc caches have slabs from boot on, xalloc's have none
 * before their first use, which would count in the first mode's pages.
 */
static long xr_warm_kmalloc(void *unused)
{
	static const unsigned int sizes[] = {
		8, 16, 32, 64, 96, 128, 192, 256, 512, 1024, 2048, 4096, 8192,
	};

	for (unsigned int i = 0; i < ARRAY_SIZE(sizes); i++) {
		kfree(kmalloc(sizes[i], GFP_KERNEL));
		xalloc_kfree(xalloc_kmalloc(sizes[i], GFP_KERNEL));
	}
	return 0;
}

/* Both sides in one mode, @rounds rounds of A B B A. */
static int xr_mode_run(struct xr_run *r, enum xr_mode mode, unsigned int rounds,
		       struct xr_result *res)
{
	static const bool order[4] = { false, true, true, false };
	unsigned int cpus[XR_MAX_THREADS], nr = 0, cpu, i, n[2] = { 0, 0 };
	struct xr_side *warm;
	struct xr_thread *t;
	int err;

	memset(res, 0, sizeof(*res));
	for_each_online_cpu(cpu) {
		if (nr == XR_MAX_THREADS || (mode == XR_ONE_CPU && nr == 1) ||
		    nr == xr_hdr.nr_cpus)
			break;
		cpus[nr++] = cpu;
	}
	if (mode == XR_TRACE_CPUS && nr < 2)
		return 0;	/* one CPU online, or a trace of one CPU */

	warm = kzalloc(sizeof(*warm), GFP_KERNEL);
	t = kcalloc(nr, sizeof(*t), GFP_KERNEL);
	if (!t || !warm) {
		err = -ENOMEM;
		goto out;
	}
	r->stop = false;
	init_completion(&r->done);
	err = xr_threads_start(r, t, cpus, nr);
	if (err)
		goto out;
	for (i = 0; i < nr; i++)
		work_on_cpu(cpus[i], xr_warm_kmalloc, NULL);
	r->base_pages[0] = xr_pages(false);
	r->base_pages[1] = xr_pages(true);
	/* One untimed trial of each side first: caches and CPUs warm. */
	for (i = 0; i < 2; i++) {
		xr_trial(r, i, warm, 0);
		res->side[i].fails = warm->fails;
		warm->fails = 0;
	}
	for (i = 0; i < 4 * rounds; i++) {
		bool k = order[i % 4];

		res->side[k].ps[n[k]] = xr_trial(r, k, &res->side[k], n[k]);
		n[k]++;
		cond_resched();
	}
	xr_threads_stop(r, t, nr);
	res->ran = true;
	res->threads = nr;
	res->trials = n[0];
out:
	kfree(warm);
	kfree(t);
	return err;
}

/* ---- The trace ------------------------------------------------------------ */

/*
 * Check the trace in xr_buf and set up @r: the events (a free's cache set
 * to its object's), the slots, the caches of both sides.
 * Return: 0, -EINVAL for a malformed trace, -ENOMEM.
 */
static int xr_load(struct xr_run *r)
{
	const struct xalloc_replay_header *h = (const void *)xr_buf;
	const struct xalloc_replay_cache *c;
	const struct xalloc_replay_event *in;
	unsigned int nc, ne, ni, i;
	u16 *cache_of;
	int err = -EINVAL;

	if (xr_len < sizeof(*h) || le32_to_cpu(h->magic) != XALLOC_REPLAY_MAGIC ||
	    le32_to_cpu(h->version) != XALLOC_REPLAY_VERSION)
		return -EINVAL;
	nc = le32_to_cpu(h->nr_caches);
	ne = le32_to_cpu(h->nr_events);
	ni = le32_to_cpu(h->nr_ids);
	if (nc >= XALLOC_REPLAY_NO_CACHE || !ne || !ni || le32_to_cpu(h->peak_event) >= ne ||
	    xr_len != sizeof(*h) + (size_t)nc * sizeof(*c) + (size_t)ne * sizeof(*in))
		return -EINVAL;
	xr_hdr.nr_caches = nc;
	xr_hdr.nr_events = ne;
	xr_hdr.nr_ids = ni;
	xr_hdr.nr_cpus = max(le32_to_cpu(h->nr_cpus), 1U);
	xr_hdr.peak_event = le32_to_cpu(h->peak_event);
	xr_hdr.peak_bytes = le64_to_cpu(h->peak_bytes);
	c = (const void *)(h + 1);
	in = (const void *)(c + nc);
	r->nr_events = ne;
	r->peak = xr_hdr.peak_event;

	r->ev = kvmalloc_array(ne, sizeof(*r->ev), GFP_KERNEL);
	r->slot = kvcalloc(ni, sizeof(*r->slot), GFP_KERNEL);
	r->end_cache = kvcalloc(ni, sizeof(*r->end_cache), GFP_KERNEL);
	r->xc = kcalloc(nc + 1, sizeof(*r->xc), GFP_KERNEL);
	r->kc = kcalloc(nc + 1, sizeof(*r->kc), GFP_KERNEL);
	if (!r->ev || !r->slot || !r->end_cache || !r->xc || !r->kc)
		return -ENOMEM;

	/* Every free follows its alloc; the slot marks an id live meanwhile. */
	cache_of = r->end_cache;
	for (i = 0; i < ne; i++) {
		struct xr_event *e = &r->ev[i];

		e->id = le32_to_cpu(in[i].id);
		e->size = le32_to_cpu(in[i].size);
		e->cache = le16_to_cpu(in[i].cache);
		e->kind = in[i].kind;
		e->cpu = in[i].cpu;
		e->zero = le32_to_cpu(in[i].flags) & XALLOC_REPLAY_ZERO;
		if (e->id >= ni || e->cpu >= xr_hdr.nr_cpus)
			goto err_event;
		if (e->kind == XALLOC_REPLAY_FREE) {
			if (!r->slot[e->id])
				goto err_event;
			r->slot[e->id] = NULL;
			e->cache = cache_of[e->id];
			continue;
		}
		if (r->slot[e->id] || !e->size || e->kind > XALLOC_REPLAY_FREE ||
		    (e->kind == XALLOC_REPLAY_KMALLOC && e->cache != XALLOC_REPLAY_NO_CACHE) ||
		    (e->kind == XALLOC_REPLAY_CACHE && e->cache >= nc))
			goto err_event;
		r->slot[e->id] = ZERO_SIZE_PTR;
		cache_of[e->id] = e->cache;
	}
	memset(r->slot, 0, ni * sizeof(*r->slot));

	for (i = 0; i < nc; i++) {
		char name[XALLOC_CACHE_NAME_MAX + 1], cname[XALLOC_REPLAY_NAME_MAX + 1];
		unsigned int size = le32_to_cpu(c[i].size);
		bool hw = le32_to_cpu(c[i].align) == 64;

		strscpy(cname, c[i].name, sizeof(cname));
		if (!size || size > PAGE_SIZE * 8)
			return -EINVAL;
		/* Truncated to the longest name: the index keeps them apart. */
		scnprintf(name, sizeof(name), "xr%u-%s", i, cname);
		r->xc[i] = xalloc_cache_create(name, size, 0, hw ? XALLOC_HWCACHE_ALIGN : 0, NULL);
		name[0] = 'k';
		r->kc[i] = kmem_cache_create(name, size, 0, hw ? SLAB_HWCACHE_ALIGN : 0, NULL);
		if (!r->xc[i] || !r->kc[i])
			return -ENOMEM;
	}
	return 0;

err_event:
	pr_err("trace: event %u malformed or out of order\n", i);
	return err;
}

static void xr_unload(struct xr_run *r)
{
	unsigned int i;

	for (i = 0; r->xc && r->kc && i < xr_hdr.nr_caches; i++) {
		if (r->xc[i])
			xalloc_cache_destroy(r->xc[i]);
		kmem_cache_destroy(r->kc[i]);
	}
	kfree(r->xc);
	kfree(r->kc);
	kvfree(r->end_cache);
	kvfree(r->slot);
	kvfree(r->ev);
}

/*
 * Run both modes and keep the results. Each mode loads the trace and
 * creates its caches afresh, so that no slab a mode kept counts in the next
 * one's base. Called with xr_mutex.
 */
static int xr_run_trace(unsigned int rounds)
{
	struct xr_run *r;
	int err = 0, m;

	lockdep_assert_held(&xr_mutex);
	r = kmalloc(sizeof(*r), GFP_KERNEL);
	if (!r)
		return -ENOMEM;
	xr_have_results = false;
	for (m = 0; !err && m < XR_NR_MODES; m++) {
		memset(r, 0, sizeof(*r));
		err = xr_load(r);
		if (!err)
			err = xr_mode_run(r, m, rounds, &xr_results[m]);
		xr_unload(r);
	}
	kfree(r);
	xr_have_results = !err;
	return err;
}

/* ---- debugfs -------------------------------------------------------------- */

static int xr_trace_open(struct inode *inode, struct file *file)
{
	mutex_lock(&xr_mutex);
	if (file->f_flags & O_TRUNC)
		xr_len = 0;
	mutex_unlock(&xr_mutex);
	return 0;
}

static ssize_t xr_trace_write(struct file *file, const char __user *ubuf,
			      size_t len, loff_t *ppos)
{
	ssize_t ret = len;

	mutex_lock(&xr_mutex);
	if (xr_len + len > XR_MAX_TRACE) {
		ret = -EFBIG;
		goto out;
	}
	if (xr_len + len > xr_size) {
		size_t size = max(xr_len + len, 2 * xr_size);
		u8 *buf = vmalloc(size);

		if (!buf) {
			ret = -ENOMEM;
			goto out;
		}
		if (xr_buf)
			memcpy(buf, xr_buf, xr_len);
		vfree(xr_buf);
		xr_buf = buf;
		xr_size = size;
	}
	if (copy_from_user(xr_buf + xr_len, ubuf, len)) {
		ret = -EFAULT;
		goto out;
	}
	xr_len += len;
	*ppos += len;
out:
	mutex_unlock(&xr_mutex);
	return ret;
}

static const struct file_operations xr_trace_fops = {
	.owner = THIS_MODULE,
	.open = xr_trace_open,
	.write = xr_trace_write,
};

static ssize_t xr_run_write(struct file *file, const char __user *ubuf,
			    size_t len, loff_t *ppos)
{
	unsigned int rounds;
	int err;

	err = kstrtouint_from_user(ubuf, len, 0, &rounds);
	if (err)
		return err;
	if (!rounds || rounds > XR_MAX_ROUNDS)
		return -EINVAL;
	mutex_lock(&xr_mutex);
	err = xr_run_trace(rounds);
	mutex_unlock(&xr_mutex);
	if (err)
		pr_err("run: error %d\n", err);
	return err ? err : len;
}

static const struct file_operations xr_run_fops = {
	.owner = THIS_MODULE,
	.write = xr_run_write,
};

static void xr_put_side(struct seq_file *m, const char *who, struct xr_side *s,
			unsigned int n, u64 peak_bytes)
{
	struct xalloc_bench_stat ps, pages;

	xalloc_bench_stat_set(&ps, s->ps, n);
	xalloc_bench_stat_set(&pages, s->pages, n);
	seq_printf(m, " %s_ps=%llu %s_ps_min=%llu %s_ps_max=%llu %s_pages=%llu %s_waste=%lld %s_fails=%lu",
		   who, ps.med, who, ps.min, who, ps.max, who, pages.med,
		   who, (s64)(pages.med * PAGE_SIZE) - (s64)peak_bytes, who, s->fails);
}

static int results_show(struct seq_file *m, void *v)
{
	static const char * const names[XR_NR_MODES] = { "one-cpu", "trace-cpus" };
	struct xr_result *res;
	int i;

	mutex_lock(&xr_mutex);
	for (i = 0; xr_have_results && i < XR_NR_MODES; i++) {
		res = &xr_results[i];
		seq_printf(m, "mode=%s events=%u peak_bytes=%llu peak_event=%u caches=%u",
			   names[i], xr_hdr.nr_events, xr_hdr.peak_bytes,
			   xr_hdr.peak_event, xr_hdr.nr_caches);
		if (!res->ran) {
			seq_puts(m, " skipped=1\n");
			continue;
		}
		seq_printf(m, " cpus=%u trials=%u", res->threads, res->trials);
		xr_put_side(m, "xalloc", &res->side[0], res->trials, xr_hdr.peak_bytes);
		xr_put_side(m, "kernel", &res->side[1], res->trials, xr_hdr.peak_bytes);
		seq_putc(m, '\n');
	}
	mutex_unlock(&xr_mutex);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(results);

static int __init xalloc_replay_init(void)
{
	xr_debugfs = debugfs_create_dir("xalloc_replay", NULL);
	debugfs_create_file("trace", 0200, xr_debugfs, NULL, &xr_trace_fops);
	debugfs_create_file("run", 0200, xr_debugfs, NULL, &xr_run_fops);
	debugfs_create_file("results", 0444, xr_debugfs, NULL, &results_fops);
	return 0;
}

static void __exit xalloc_replay_exit(void)
{
	debugfs_remove_recursive(xr_debugfs);
	vfree(xr_buf);
}

module_init(xalloc_replay_init);
module_exit(xalloc_replay_exit);

MODULE_DESCRIPTION("xalloc replay: recorded slab workloads through xalloc and the kernel");
MODULE_LICENSE("GPL");
