// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit smoke test of the benchmark: every scenario of xalloc_bench.ko runs
 * with tiny counts and must produce a well-formed result. Times are never
 * asserted on; the benchmark proper is "make bench".
 */

#include <kunit/test.h>
#include <linux/cpumask.h>
#include <linux/limits.h>
#include <linux/math64.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "../bench/xalloc_bench.h"
#include "xalloc_kunit.h"

/*
 * A scenario and what its smoke run must report: the operations of one
 * trial (one batch of at most 64, bulk-256 one call of 256, pages-o9 its
 * 50; scaling-64 that many on each CPU) and CPUs (0: every online one).
 */
struct xalloc_bench_case {
	const char *name;
	unsigned int ops;
	unsigned int cpus;
};

static const struct xalloc_bench_case xalloc_bench_cases[] = {
	{ "fastpath-8", 64, 1 }, { "fastpath-64", 64, 1 }, { "fastpath-256", 64, 1 },
	{ "fastpath-1024", 64, 1 }, { "fastpath-4096", 64, 1 },
	{ "burst-64", 64, 1 }, { "burst-1024", 64, 1 },
	{ "bulk-16", 64, 1 }, { "bulk-64", 64, 1 }, { "bulk-256", 256, 1 },
	{ "kmalloc-random", 64, 1 },
	{ "remote-0to1", 64, 2 }, { "remote-1to0", 64, 2 },
	{ "scaling-64", 64, 0 },
	{ "pages-o0", 64, 1 }, { "pages-o1", 64, 1 }, { "pages-o3", 64, 1 },
	{ "pages-o9", 50, 1 },
	{ "pages-burst", 64, 1 },
	{ "kfree-rcu-64", 64, 1 },
	{ "cpuslab-fastpath-64", 64, 1 }, { "cpuslab-fastpath-1024", 64, 1 },
	{ "cpuslab-burst-64", 64, 1 }, { "cpuslab-bulk-64", 64, 1 },
	{ "cpuslab-remote-0to1", 64, 2 }, { "cpuslab-remote-1to0", 64, 2 },
	{ "cpuslab-scaling-64", 64, 0 },
};

static void xalloc_bench_case_desc(const struct xalloc_bench_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(xalloc_bench_smoke, xalloc_bench_cases, xalloc_bench_case_desc);

static void xalloc_bench_stat_well_formed(struct kunit *test, const char *side,
					  const struct xalloc_bench_stat *st)
{
	KUNIT_EXPECT_LE_MSG(test, st->min, st->q1, "%s: min > q1", side);
	KUNIT_EXPECT_LE_MSG(test, st->q1, st->med, "%s: q1 > med", side);
	KUNIT_EXPECT_LE_MSG(test, st->med, st->q3, "%s: med > q3", side);
	KUNIT_EXPECT_LE_MSG(test, st->q3, st->max, "%s: q3 > max", side);
	if (st->med)
		KUNIT_EXPECT_EQ_MSG(test, st->spread,
				    div64_u64((st->q3 - st->q1) * 1000, st->med),
				    "%s: spread is not (q3 - q1) / med", side);
}

static struct xalloc_bench_result *xalloc_bench_smoke_run(struct kunit *test,
							  const char *only,
							  unsigned int trials,
							  unsigned int *nr)
{
	struct xalloc_bench_opts opts = {
		.smoke = true, .only = only, .trials = trials,
	};

	opts.results = kunit_kcalloc(test, XALLOC_BENCH_MAX_RESULTS,
				     sizeof(*opts.results), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, opts.results);
	KUNIT_ASSERT_EQ(test, xalloc_bench_run(&opts), 0);
	*nr = opts.nr_results;
	return opts.results;
}

/* One scenario, in smoke mode: its exact counts, both sides ran, ordered statistics. */
static void xalloc_bench_smoke_result_well_formed(struct kunit *test)
{
	const struct xalloc_bench_case *c = test->param_value;
	struct xalloc_bench_result *res;
	unsigned int nr, i, cpus = c->cpus ?: num_online_cpus();

	res = xalloc_bench_smoke_run(test, c->name, 0, &nr);
	/* A name that is a prefix of another selects both: find ours. */
	for (i = 0; i < nr && strcmp(res[i].name, c->name); i++)
		;
	KUNIT_ASSERT_LT_MSG(test, i, nr, "no result for %s", c->name);
	res += i;

	if (c->cpus == 2 && num_online_cpus() < 2) {
		KUNIT_EXPECT_TRUE(test, res->skipped);
		kunit_skip(test, "needs two online CPUs");
	}
	KUNIT_ASSERT_FALSE(test, res->skipped);
	KUNIT_EXPECT_EQ(test, res->ops, (u64)c->ops * (c->cpus ? 1 : cpus));
	KUNIT_EXPECT_EQ(test, res->trials, 3U);	/* the smoke default */
	KUNIT_EXPECT_EQ(test, res->cpus, cpus);
	xalloc_bench_stat_well_formed(test, "xalloc", &res->xalloc);
	xalloc_bench_stat_well_formed(test, "kernel", &res->kernel);
	/* Both sides ran: a trial takes time on any clock that ticks. */
	KUNIT_EXPECT_GT(test, res->xalloc.max, 0);
	KUNIT_EXPECT_GT(test, res->kernel.max, 0);
	/* No repeats asked for: one run, at the default scale. */
	KUNIT_EXPECT_EQ(test, res->nr_attempts, 1);
	KUNIT_EXPECT_EQ(test, res->scale, 100);
	KUNIT_EXPECT_EQ(test, res->attempts[0].scale, 100);
	KUNIT_EXPECT_EQ(test, res->attempts[0].spread[0], res->xalloc.spread);
	KUNIT_EXPECT_EQ(test, res->attempts[0].spread[1], res->kernel.spread);
	if (res->kernel.med)
		KUNIT_EXPECT_EQ(test, res->attempts[0].ratio,
				div64_u64(res->xalloc.med * 1000, res->kernel.med));
}

/*
 * The noise rule with a threshold of 0.1 %: a run is repeated at twice the
 * scale until one is quiet or three repeats were made, and the result is
 * the first quiet run, or the least noisy one marked noisy.
 */
static void xalloc_bench_noise_rule_repeats(struct kunit *test)
{
	struct xalloc_bench_opts opts = {
		.smoke = true, .only = "fastpath-64", .trials = 5,
		.noise = 1, .repeats = 7,
	};
	const struct xalloc_bench_result *res;
	unsigned int i, least = UINT_MAX, worst = 0;

	opts.results = kunit_kcalloc(test, XALLOC_BENCH_MAX_RESULTS,
				     sizeof(*opts.results), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, opts.results);
	KUNIT_ASSERT_EQ(test, xalloc_bench_run(&opts), 0);
	KUNIT_ASSERT_EQ(test, opts.nr_results, 1);
	res = opts.results;
	/* Seven repeats asked for, three made at most. */
	KUNIT_ASSERT_GE(test, res->nr_attempts, 1);
	KUNIT_ASSERT_LE(test, res->nr_attempts, XALLOC_BENCH_MAX_ATTEMPTS);
	for (i = 0; i < res->nr_attempts; i++) {
		const struct xalloc_bench_attempt *a = &res->attempts[i];

		worst = max(a->spread[0], a->spread[1]);
		KUNIT_EXPECT_EQ(test, a->scale, i ? 200 : 100);
		/* Every run but the last was noisy: that is why it ran again. */
		if (i + 1 < res->nr_attempts)
			KUNIT_EXPECT_GT(test, worst, 1);
		least = min(least, worst);
	}
	if (res->nr_attempts < XALLOC_BENCH_MAX_ATTEMPTS)
		KUNIT_EXPECT_LE(test, worst, 1);
	KUNIT_EXPECT_EQ(test, res->noisy, least > 1);
	KUNIT_EXPECT_EQ(test, max(res->xalloc.spread, res->kernel.spread), least);
}

/* The benchmark runs exactly the scenarios this suite knows, in order. */
static void xalloc_bench_smoke_runs_every_scenario(struct kunit *test)
{
	struct xalloc_bench_result *res;
	unsigned int nr, i;

	res = xalloc_bench_smoke_run(test, "pages-o0", 1, &nr);
	KUNIT_EXPECT_EQ(test, nr, 1);
	/* Only the names matter here: one trial per side. */
	res = xalloc_bench_smoke_run(test, NULL, 1, &nr);
	KUNIT_ASSERT_EQ(test, nr, ARRAY_SIZE(xalloc_bench_cases));
	for (i = 0; i < nr; i++)
		KUNIT_EXPECT_STREQ(test, res[i].name, xalloc_bench_cases[i].name);
}

static struct kunit_case xalloc_bench_test_cases[] = {
	KUNIT_CASE_PARAM(xalloc_bench_smoke_result_well_formed,
			 xalloc_bench_smoke_gen_params),
	KUNIT_CASE(xalloc_bench_smoke_runs_every_scenario),
	KUNIT_CASE(xalloc_bench_noise_rule_repeats),
	{}
};

static struct kunit_suite xalloc_bench_test_suite = {
	.name = "xalloc_bench",
	.init = xalloc_kunit_init,
	.exit = xalloc_kunit_exit,
	.test_cases = xalloc_bench_test_cases,
};

kunit_test_suite(xalloc_bench_test_suite);

MODULE_DESCRIPTION("KUnit smoke test of the xalloc benchmark");
MODULE_LICENSE("GPL");
