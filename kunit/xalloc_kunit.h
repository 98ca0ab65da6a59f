/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Per-case accounting of xalloc reports, for every KUnit suite of xalloc.
 *
 * A case that provokes reports says how many, right after provoking them:
 *
 *	xalloc_kfree(p + 1);
 *	XALLOC_KUNIT_EXPECT_REPORTS(test, 1);
 *
 * That expects exactly so many reports since the case began (or since its
 * last XALLOC_KUNIT_EXPECT_REPORTS()) and adds them to what the case
 * expects. The suite's init hook starts with xalloc_kunit_init(); its exit
 * hook ends with xalloc_kunit_exit(), after its own cleanup (a cache destroyed
 * there may report too), which expects no other report and prints
 *
 *	# <case>: xalloc-check: reports 1 expected 1
 *
 * before KUnit's "ok" line of the case (of each parameter, for a
 * parameterized case). scripts/console.awk matches each "xalloc: BUG" line
 * of the console with the case in whose window it lies and fails make check
 * when a window has another number of them than its case expected, or when
 * one lies outside every window. A suite with no hooks of its own uses
 * xalloc_kunit_init and xalloc_kunit_exit as .init and .exit.
 *
 * KUnit runs the cases of a suite one after the other and each suite is a
 * module of its own: one record per module, static, is enough.
 */
#ifndef _XALLOC_KUNIT_H
#define _XALLOC_KUNIT_H

#include <kunit/test.h>
#include <linux/cpu.h>
#include <linux/hrtimer.h>
#include <linux/kthread.h>

#include <xalloc/xalloc.h>

#include "../mm/report.h"
#include "../mm/slab.h"
#include "../mm/slab_sheaf.h"

/**
 * struct xalloc_kunit_reports - the xalloc reports of the running case
 * @start: xalloc_report_count() when the case began
 * @seen: xalloc_report_count() at the case's last check
 * @expected: reports the case expected so far
 *
 * Invariant at each check: @seen - @start == @expected, if the case got
 * what it expected.
 */
struct xalloc_kunit_reports {
	unsigned long start;
	unsigned long seen;
	unsigned long expected;
};

static struct xalloc_kunit_reports xalloc_kunit_reports;

/**
 * xalloc_kunit_init() - start counting the xalloc reports of a case
 * @test: the case
 *
 * Call it first in the suite's init hook, or use it as the hook.
 *
 * Context: The case's thread.
 * Return: 0.
 */
static inline int xalloc_kunit_init(struct kunit *test)
{
	xalloc_kunit_reports.start = xalloc_report_count();
	xalloc_kunit_reports.seen = xalloc_kunit_reports.start;
	xalloc_kunit_reports.expected = 0;
	return 0;
}

/**
 * xalloc_kunit_new_reports() - xalloc reports since the case's last check
 *
 * The check is now.
 *
 * Context: The case's thread.
 * Return: the number of reports.
 */
static inline unsigned long xalloc_kunit_new_reports(void)
{
	unsigned long now = xalloc_report_count();
	unsigned long n = now - xalloc_kunit_reports.seen;

	xalloc_kunit_reports.seen = now;
	return n;
}

/**
 * XALLOC_KUNIT_EXPECT_REPORTS() - expect exactly @n new xalloc reports
 * @test: the case
 * @n: reports since the case began or since its last check
 *
 * A failure names the line of the case: this is a macro.
 *
 * Context: The case's thread.
 */
#define XALLOC_KUNIT_EXPECT_REPORTS(test, n)				\
	do {								\
		unsigned long __xk_n = (n);				\
									\
		KUNIT_EXPECT_EQ_MSG(test, xalloc_kunit_new_reports(),	\
				    __xk_n, "new xalloc reports");	\
		xalloc_kunit_reports.expected += __xk_n;		\
	} while (0)

/**
 * xalloc_kunit_expect_unload_leak() - announce a cache leaked until rmmod
 * @test: the case
 * @name: the cache, destroyed with objects that can't be freed anymore
 * @slabs: slabs the cache keeps
 * @pages: pages of those slabs
 *
 * Such a cache stays, dead, until xalloc is unloaded, which then prints
 * "xalloc: cache <name>: ... objects never freed, <slabs> slabs kept" and
 * "pages still allocated at unload". make check fails on those messages
 * unless a case announced them with this line, and on an announced one that
 * does not come.
 *
 * Context: The case's thread.
 */
static inline void xalloc_kunit_expect_unload_leak(struct kunit *test,
						   const char *name,
						   unsigned long slabs,
						   unsigned long pages)
{
	kunit_info(test, "xalloc-check: unload expects cache %s with %lu slabs, %lu pages\n",
		   name, slabs, pages);
}

/**
 * xalloc_kunit_exit() - check and print the xalloc reports of a case
 * @test: the case
 *
 * Call it last in the suite's exit hook, or use it as the hook. Expects no
 * report beyond those the case expected and prints
 * "xalloc-check: reports <reports> expected <expected>".
 *
 * Context: The case's thread.
 */
static inline void xalloc_kunit_exit(struct kunit *test)
{
	unsigned long reports = xalloc_report_count() - xalloc_kunit_reports.start;

	KUNIT_EXPECT_EQ_MSG(test, reports, xalloc_kunit_reports.expected,
			    "xalloc reports of the case");
	kunit_info(test, "xalloc-check: reports %lu expected %lu\n", reports,
		   xalloc_kunit_reports.expected);
}

/*
 * Objects of @s that callers hold now, its layouts included: the active
 * ones but those in its sheaves (which count as active in its slabs).
 */
static inline unsigned long xalloc_kunit_active(struct xalloc_cache *s)
{
	struct xalloc_cache_counts cnt;

	xalloc_cache_counts(s, &cnt);
	return cnt.active_objs - xalloc_sheaf_objects(s);
}

/* Slabs of @s now, its layouts included. */
static inline unsigned long xalloc_kunit_slabs(struct xalloc_cache *s)
{
	struct xalloc_cache_counts cnt;

	xalloc_cache_counts(s, &cnt);
	return cnt.num_slabs;
}

/* Free pages of every zone, on the free lists and the CPUs' lists. */
static inline unsigned long xalloc_kunit_zone_free(void)
{
	struct xalloc_zone_info info;
	unsigned long sum = 0;
	int nid;

	for_each_node(nid)
		if (xalloc_zone_info(nid, &info))
			sum += info.free_pages + info.pcp_pages;
	return sum;
}

/**
 * struct xalloc_kunit_race - an hrtimer that allocates and frees every 50 us
 * @timer: the timer, on the CPU that runs xalloc_kunit_race_run()
 * @s: the cache both the timer and the task use
 * @seen: true once the path's counter shows an interrupt landed inside it
 * @fired: timer runs
 * @failed: allocations that returned NULL, in the timer or the task
 * @stop: the timer stops at its next run
 *
 * For the cases where an interrupt must land inside a fast path: the task
 * allocates and frees in a loop while the timer does the same, until @seen
 * says so, at most XALLOC_KUNIT_RACE_MAX pairs.
 */
struct xalloc_kunit_race {
	struct hrtimer timer;
	struct xalloc_cache *s;
	bool (*seen)(struct xalloc_cache *s);
	atomic_t fired, failed;
	bool stop;
};

#define XALLOC_KUNIT_RACE_MAX	(4UL << 20)

static enum hrtimer_restart xalloc_kunit_race_timer(struct hrtimer *timer)
{
	struct xalloc_kunit_race *r = container_of(timer, struct xalloc_kunit_race, timer);
	void *p = xalloc_cache_alloc(r->s, GFP_ATOMIC);

	if (p)
		xalloc_cache_free(r->s, p);
	else
		atomic_inc(&r->failed);
	atomic_inc(&r->fired);
	if (READ_ONCE(r->stop))
		return HRTIMER_NORESTART;
	/*
	 * 50 us after this run ends, not on a 50 us grid: under TCG with KASAN
	 * a run took 177 us, so a grid left the task nothing (1024 pairs in
	 * 52 s between two cond_resched(): a soft lockup of the worker).
	 */
	hrtimer_set_expires(timer, ktime_add_us(ktime_get(), 50));
	return HRTIMER_RESTART;
}

/**
 * xalloc_kunit_race_run() - race the timer on this CPU (a work_on_cpu() fn)
 * @arg: a struct xalloc_kunit_race
 *
 * Context: Process context, bound to one CPU.
 * Return: the pairs the task did before @seen said so.
 */
static inline long xalloc_kunit_race_run(void *arg)
{
	struct xalloc_kunit_race *r = arg;
	unsigned long i;

	hrtimer_init(&r->timer, CLOCK_MONOTONIC, HRTIMER_MODE_REL);
	r->timer.function = xalloc_kunit_race_timer;
	hrtimer_start(&r->timer, ns_to_ktime(50 * NSEC_PER_USEC), HRTIMER_MODE_REL);
	for (i = 0; i < XALLOC_KUNIT_RACE_MAX; i++) {
		void *p = xalloc_cache_alloc(r->s, GFP_KERNEL);

		if (!p) {
			atomic_inc(&r->failed);
			break;
		}
		xalloc_cache_free(r->s, p);
		if (!(i % 64)) {
			if (r->seen(r->s))
				break;
			cond_resched();
		}
	}
	WRITE_ONCE(r->stop, true);
	hrtimer_cancel(&r->timer);
	return i;
}

/**
 * xalloc_kunit_start_on_cpus() - start a kthread bound to each online CPU
 * @test: the case; expects one thread per online CPU
 * @fn: the thread function
 * @arg: its argument, the same for all
 * @name: the threads' name, with one %u for the CPU
 * @tasks: nr_cpu_ids entries, filled in (NULL for a CPU without a thread)
 *
 * All threads are created before any is woken, so that they start together.
 *
 * Context: The case's thread.
 * Return: the number of threads started.
 */
static inline int xalloc_kunit_start_on_cpus(struct kunit *test, int (*fn)(void *),
					     void *arg, const char *name,
					     struct task_struct **tasks)
{
	int cpu, started = 0;

	cpus_read_lock();
	for_each_online_cpu(cpu) {
		tasks[cpu] = kthread_create_on_cpu(fn, arg, cpu, name);
		if (IS_ERR(tasks[cpu])) {
			tasks[cpu] = NULL;
			continue;
		}
		started++;
	}
	for_each_online_cpu(cpu)
		if (tasks[cpu])
			wake_up_process(tasks[cpu]);
	cpus_read_unlock();
	KUNIT_EXPECT_EQ(test, started, (int)num_online_cpus());
	return started;
}

#endif /* _XALLOC_KUNIT_H */
