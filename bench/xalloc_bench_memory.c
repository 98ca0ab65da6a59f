// SPDX-License-Identifier: GPL-2.0
/*
 * xalloc_bench_memory: the pages each allocator still holds after a working
 * set of mixed kmalloc sizes was mostly freed and it was asked to give back
 * what it can. Loaded by make bench (scripts/bench.sh) after the timed
 * scenarios, with xalloc.ko loaded with zone_mb=0: xalloc's zone starts
 * empty and grows with the working set.
 *
 * Each side (xalloc first, then the kernel, then each once more in the
 * other order), on the first online CPU, allocates objects of sizes 8 to
 * 4095 bytes, as many as make @mib MiB requested, with GFP_KERNEL; frees
 * 90 % of them in random order;
 * then gives back: xalloc_zone_shrink() (what xalloc's shrinker does: empty
 * slabs freed, per-CPU lists drained, free pages handed to the page
 * allocator) on xalloc's side, kmem_cache_shrink() of every kmalloc cache
 * on the kernel's. The sizes and the order are the same for both sides and
 * every run.
 *
 * Pages held: for xalloc, every page it has carved and not given back
 * (free, per-CPU and reserve pages included), read from its zones; for the
 * kernel, its slab pages (NR_SLAB_*, every CPU's difference included) less
 * what they were before the run. The kernel's kmalloc caches are shared
 * with the rest of the guest, which does nothing else meanwhile. Per run:
 * the peak (all objects live), what is held after the 90 % were freed and
 * the shrink (for xalloc also how much of it is in slabs), and after the
 * last 10 % were freed and a second shrink.
 *
 * Warming (@warm): the kernel's kmalloc caches start with slabs left partly
 * used by boot and the timed scenarios, counted before the run; their free
 * slots would take the first objects of each class, so that the run's
 * objects share slabs in other groups than on xalloc's side, whose caches
 * start empty. Which objects share a slab decides how many slabs the 10 %
 * left keep alive: shifting a class's objects by a few slots moves the
 * pages held by up to 1 % either way. So before each run, on either side,
 * objects of each class's size are allocated, and kept until the end of
 * the run, until one takes a new slab (the side's slab pages go up), which
 * is freed again: then the run's objects fill new slabs in the same groups
 * on both sides. Each run counts the objects warmed and those of its own
 * that still landed in a slab from before it (0 when warming worked).
 *
 * Lock order: xbm_mutex (the run and the results) only.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cpumask.h>
#include <linux/debugfs.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/prandom.h>
#include <linux/sched.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <xalloc/xalloc.h>

#include "xalloc_bench_pages.h"

/* Seed of the sizes and the free order: the same every run. */
#define XBM_SEED	0x6d656d6fULL
/* Runs: xalloc, kernel, kernel, xalloc. */
#define XBM_RUNS	4
/* The kmalloc classes of sizes 8 to 4095 on both sides. */
#define XBM_CLASSES	12
/* At most this many objects warmed per run. */
#define XBM_WARM_MAX	65536

static const unsigned int xbm_class_size[XBM_CLASSES] = {
	8, 16, 32, 64, 96, 128, 192, 256, 512, 1024, 2048, 4096
};

/* Pages of one run of one side, less the pages before it (xalloc: all). */
struct xbm_pages {
	long peak;
	long held;
	long used;	/* xalloc: of @held, pages neither free nor per-CPU */
	long end;
	unsigned int warmed;	/* objects allocated to fill slabs from before */
	unsigned int absorbed;	/* objects of the run in slabs from before */
};

struct xbm_work {
	unsigned int nr;	/* objects */
	u64 bytes;		/* requested bytes, all objects */
	u16 *sizes;
	u32 *order;		/* free order */
	void **objs;
	void **warm;		/* the objects warmed, live during a run */
	unsigned int nr_warm;
};

static DEFINE_MUTEX(xbm_mutex);
static struct xbm_pages xbm_result[XBM_RUNS];
static struct xbm_work xbm;
static int xbm_err = -ENODATA;

static unsigned int mib = 200;
module_param(mib, uint, 0444);
MODULE_PARM_DESC(mib, "requested bytes of the working set, MiB (default 200)");

static bool warm = true;
module_param(warm, bool, 0444);
MODULE_PARM_DESC(warm, "fill the slabs from before each run first (default 1)");

/* The class of @size, 8 to 4096 bytes. */
static unsigned int xbm_class(unsigned int size)
{
	unsigned int c = 0;

	while (xbm_class_size[c] < size)
		c++;
	return c;
}

/*
 * Sizes 8 to 4095, as many in each power of two (the kmalloc caches of both
 * sides, no large kmalloc), evenly within it.
 */
static int xbm_setup(struct xbm_work *w, u64 target)
{
	struct rnd_state rnd;
	unsigned int i, j, cap;

	/* The mean size is above 512 bytes: this many objects are enough. */
	cap = div64_u64(target, 512) + 1;
	w->sizes = kvmalloc_array(cap, sizeof(*w->sizes), GFP_KERNEL);
	w->order = kvmalloc_array(cap, sizeof(*w->order), GFP_KERNEL);
	w->objs = kvcalloc(cap, sizeof(*w->objs), GFP_KERNEL);
	w->warm = kvmalloc_array(XBM_WARM_MAX, sizeof(*w->warm), GFP_KERNEL);
	if (!w->sizes || !w->order || !w->objs || !w->warm)
		return -ENOMEM;
	prandom_seed_state(&rnd, XBM_SEED);
	for (w->nr = 0, w->bytes = 0; w->bytes < target && w->nr < cap; w->nr++) {
		unsigned int base = 8U << (prandom_u32_state(&rnd) % 9);

		w->sizes[w->nr] = base + prandom_u32_state(&rnd) % base;
		w->bytes += w->sizes[w->nr];
	}
	for (i = 0; i < w->nr; i++)
		w->order[i] = i;
	for (i = w->nr - 1; i > 0; i--) {
		j = prandom_u32_state(&rnd) % (i + 1);
		swap(w->order[i], w->order[j]);
	}
	return 0;
}

static void xbm_free_work(struct xbm_work *w)
{
	kvfree(w->sizes);
	kvfree(w->order);
	kvfree(w->objs);
	kvfree(w->warm);
	memset(w, 0, sizeof(*w));
}

static void xbm_kernel_shrink(void)
{
	unsigned int type, i;

	for (type = 0; type < NR_KMALLOC_TYPES; type++)
		for (i = 0; i <= KMALLOC_SHIFT_HIGH; i++)
			if (kmalloc_caches[type][i])
				kmem_cache_shrink(kmalloc_caches[type][i]);
}

static long xbm_pages(bool k, long base)
{
	return k ? xalloc_bench_kernel_slab_pages() - base : xalloc_bench_zone_pages(false);
}

/* The slab pages of side @k: the kernel's, or xalloc's pages in use. */
static long xbm_slab_pages(bool k)
{
	return k ? xalloc_bench_kernel_slab_pages() : xalloc_bench_zone_pages(true);
}

static void *xbm_alloc(bool k, unsigned int size)
{
	return k ? kmalloc(size, GFP_KERNEL | __GFP_NOWARN) :
		   xalloc_kmalloc(size, GFP_KERNEL | __GFP_NOWARN);
}

static void xbm_free(bool k, void *p)
{
	if (k)
		kfree(p);
	else
		xalloc_kfree(p);
}

static void xbm_free_warm(struct xbm_work *w, bool k)
{
	while (w->nr_warm)
		xbm_free(k, w->warm[--w->nr_warm]);
}

/*
 * Fill the free slots of the slabs side @k has before the run: allocate
 * objects of each class until one takes a new slab, and free that one.
 */
static int xbm_warm(struct xbm_work *w, bool k, unsigned int *warmed)
{
	unsigned int c;

	for (c = 0; c < XBM_CLASSES; c++) {
		for (;;) {
			long before = xbm_slab_pages(k);
			void *p = xbm_alloc(k, xbm_class_size[c]);

			if (!p)
				return -ENOMEM;
			if (xbm_slab_pages(k) != before) {
				xbm_free(k, p);
				break;
			}
			if (w->nr_warm == XBM_WARM_MAX) {
				xbm_free(k, p);
				return -E2BIG;
			}
			w->warm[w->nr_warm++] = p;
			warmed[c]++;
		}
	}
	return 0;
}

static void xbm_report(bool k, const char *what, const unsigned int *n)
{
	unsigned int c;

	for (c = 0; c < XBM_CLASSES; c++)
		if (n[c])
			pr_info("%s: %s kmalloc-%u: %u\n", k ? "kernel" : "xalloc", what,
				xbm_class_size[c], n[c]);
}

static void xbm_shrink(bool k)
{
	if (k)
		xbm_kernel_shrink();
	else
		xalloc_zone_shrink();
}

static void xbm_free_range(struct xbm_work *w, bool k, unsigned int from, unsigned int to)
{
	unsigned int i;

	for (i = from; i < to; i++) {
		void **p = &w->objs[w->order[i]];

		xbm_free(k, *p);
		*p = NULL;
		cond_resched();
	}
}

/*
 * One run of side @k; -ENOMEM when an allocation failed, -E2BIG when
 * warming did not end (all freed again).
 */
static int xbm_run(struct xbm_work *w, bool k, struct xbm_pages *pg)
{
	unsigned int i, nine = w->nr / 10 * 9, left = XBM_CLASSES;
	unsigned int warmed[XBM_CLASSES] = { }, absorbed[XBM_CLASSES] = { };
	bool fresh[XBM_CLASSES] = { };
	long base, last;
	int err;

	xbm_shrink(k);
	if (warm) {
		err = xbm_warm(w, k, warmed);
		if (err) {
			pr_err("%s: warming failed: %d\n", k ? "kernel" : "xalloc", err);
			xbm_free_warm(w, k);
			return err;
		}
		xbm_shrink(k);
	}
	base = k ? xalloc_bench_kernel_slab_pages() : 0;
	last = xbm_slab_pages(k);
	for (i = 0; i < w->nr; i++) {
		w->objs[i] = xbm_alloc(k, w->sizes[i]);
		if (!w->objs[i]) {
			pr_err("%s: allocation %u of %u (%u bytes) failed\n",
			       k ? "kernel" : "xalloc", i, w->nr, w->sizes[i]);
			xbm_free_range(w, k, 0, w->nr);
			xbm_free_warm(w, k);
			return -ENOMEM;
		}
		/* Until each class took a new slab: its objects in slabs from before. */
		if (left) {
			unsigned int c = xbm_class(w->sizes[i]);
			long now = xbm_slab_pages(k);

			if (now != last && !fresh[c]) {
				fresh[c] = true;
				left--;
			} else if (!fresh[c]) {
				absorbed[c]++;
				pg->absorbed++;
			}
			last = now;
		}
		/* Dirty each object, as a user would. */
		memset(w->objs[i], 0x5a, w->sizes[i]);
		cond_resched();
	}
	pg->peak = xbm_pages(k, base);
	xbm_free_range(w, k, 0, nine);
	xbm_shrink(k);
	pg->held = xbm_pages(k, base);
	pg->used = k ? pg->held : xalloc_bench_zone_pages(true);
	xbm_free_range(w, k, nine, w->nr);
	xbm_shrink(k);
	pg->end = xbm_pages(k, base);
	pg->warmed = w->nr_warm;
	xbm_free_warm(w, k);
	xbm_report(k, "warmed", warmed);
	xbm_report(k, "in slabs from before", absorbed);
	return 0;
}

/* xalloc's side of run @i: runs 0 and 3 (A B B A). */
static bool xbm_kernel_run(unsigned int i)
{
	return i == 1 || i == 2;
}

/*
 * On the first online CPU only: which objects share a slab then depends on
 * the order of the allocations alone, the same on both sides, and not on
 * where the scheduler moved the task between two of them.
 */
static int xbm_measure(void)
{
	unsigned int i;
	int err;

	err = xbm_setup(&xbm, (u64)mib << 20);
	if (!err)
		err = set_cpus_allowed_ptr(current, cpumask_of(cpumask_first(cpu_online_mask)));
	for (i = 0; !err && i < XBM_RUNS; i++)
		err = xbm_run(&xbm, xbm_kernel_run(i), &xbm_result[i]);
	set_cpus_allowed_ptr(current, cpu_possible_mask);
	return err;
}

/*
 * "memory-mixed objects=N requested_kib=K" and per side the larger of its
 * two runs' figures, in KiB: peak, held after the 90 % freed and a shrink,
 * and at the end; then ratio = held xalloc / held kernel.
 */
static int results_show(struct seq_file *m, void *v)
{
	long kib[2][3] = { };
	unsigned int i;

	mutex_lock(&xbm_mutex);
	if (xbm_err) {
		seq_printf(m, "memory-mixed failed=%d\n", xbm_err);
		goto out;
	}
	for (i = 0; i < XBM_RUNS; i++) {
		long *s = kib[xbm_kernel_run(i)];
		const struct xbm_pages *pg = &xbm_result[i];

		s[0] = max(s[0], pg->peak * (long)(PAGE_SIZE / 1024));
		s[1] = max(s[1], pg->held * (long)(PAGE_SIZE / 1024));
		s[2] = max(s[2], pg->end * (long)(PAGE_SIZE / 1024));
	}
	seq_printf(m, "memory-mixed objects=%u requested_kib=%llu", xbm.nr, xbm.bytes >> 10);
	for (i = 0; i < 2; i++)
		seq_printf(m, " %s_peak_kib=%ld %s_held_kib=%ld %s_end_kib=%ld",
			   i ? "kernel" : "xalloc", kib[i][0], i ? "kernel" : "xalloc",
			   kib[i][1], i ? "kernel" : "xalloc", kib[i][2]);
	seq_puts(m, " runs=");
	for (i = 0; i < XBM_RUNS; i++)
		seq_printf(m, "%s%c:%ld:%ld:%ld:%ld:%u:%u", i ? "," : "",
			   xbm_kernel_run(i) ? 'k' : 'x', xbm_result[i].peak, xbm_result[i].held,
			   xbm_result[i].used, xbm_result[i].end, xbm_result[i].warmed,
			   xbm_result[i].absorbed);
	if (kib[1][1] > 0)
		seq_printf(m, " ratio=%ld.%03ld\n", kib[0][1] / kib[1][1],
			   kib[0][1] * 1000 / kib[1][1] % 1000);
	else
		seq_puts(m, " ratio=-\n");
out:
	mutex_unlock(&xbm_mutex);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(results);

static struct dentry *xbm_debugfs;

static int __init xalloc_bench_memory_init(void)
{
	mutex_lock(&xbm_mutex);
	xbm_err = xbm_measure();
	mutex_unlock(&xbm_mutex);
	if (xbm_err)
		pr_err("failed: %d\n", xbm_err);
	xbm_debugfs = debugfs_create_dir("xalloc_bench_memory", NULL);
	debugfs_create_file("results", 0444, xbm_debugfs, NULL, &results_fops);
	return 0;
}

static void __exit xalloc_bench_memory_exit(void)
{
	debugfs_remove_recursive(xbm_debugfs);
	xbm_free_work(&xbm);
}

module_init(xalloc_bench_memory_init);
module_exit(xalloc_bench_memory_exit);

MODULE_DESCRIPTION("xalloc benchmark: pages held after a mixed working set is mostly freed");
MODULE_LICENSE("GPL");
