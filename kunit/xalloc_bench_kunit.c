// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit smoke test of the benchmark: every scenario of xalloc_bench.ko runs
 * with tiny counts and must produce a well-formed result. Times are never
 * asserted on; the benchmark proper is "make bench".
 */

#include <kunit/test.h>
#include <linux/cpumask.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "../bench/xalloc_bench.h"
#include "xalloc_kunit.h"

struct xalloc_bench_case {
	const char *name;
	bool needs_two_cpus;
};

static const struct xalloc_bench_case xalloc_bench_cases[] = {
	{ "fastpath-8" }, { "fastpath-64" }, { "fastpath-256" },
	{ "fastpath-1024" }, { "fastpath-4096" },
	{ "burst-64" }, { "burst-1024" },
	{ "bulk-16" }, { "bulk-64" }, { "bulk-256" },
	{ "kmalloc-random" },
	{ "remote-0to1", true }, { "remote-1to0", true },
	{ "scaling-64" },
	{ "pages-o0" }, { "pages-o1" }, { "pages-o3" }, { "pages-o9" },
	{ "pages-burst" },
	{ "kfree-rcu-64" },
};

static void xalloc_bench_case_desc(const struct xalloc_bench_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(xalloc_bench_smoke, xalloc_bench_cases, xalloc_bench_case_desc);

static void xalloc_bench_stat_well_formed(struct kunit *test, const char *side,
					  const struct xalloc_bench_stat *st)
{
	KUNIT_EXPECT_LE_MSG(test, st->min, st->med, "%s: min > med", side);
	KUNIT_EXPECT_LE_MSG(test, st->med, st->max, "%s: med > max", side);
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

/* One scenario, in smoke mode: both sides ran and min <= med <= max. */
static void xalloc_bench_smoke_result_well_formed(struct kunit *test)
{
	const struct xalloc_bench_case *c = test->param_value;
	struct xalloc_bench_result *res;
	unsigned int nr, i;

	res = xalloc_bench_smoke_run(test, c->name, 0, &nr);
	/* A name that is a prefix of another selects both: find ours. */
	for (i = 0; i < nr && strcmp(res[i].name, c->name); i++)
		;
	KUNIT_ASSERT_LT_MSG(test, i, nr, "no result for %s", c->name);
	res += i;

	if (c->needs_two_cpus && num_online_cpus() < 2) {
		KUNIT_EXPECT_TRUE(test, res->skipped);
		kunit_skip(test, "needs two online CPUs");
	}
	KUNIT_ASSERT_FALSE(test, res->skipped);
	KUNIT_EXPECT_GT(test, res->ops, 0);
	KUNIT_EXPECT_GE(test, res->trials, 3);
	KUNIT_EXPECT_GE(test, res->cpus, 1);
	xalloc_bench_stat_well_formed(test, "xalloc", &res->xalloc);
	xalloc_bench_stat_well_formed(test, "kernel", &res->kernel);
	/* Both sides ran: a trial takes time on any clock that ticks. */
	KUNIT_EXPECT_GT(test, res->xalloc.max, 0);
	KUNIT_EXPECT_GT(test, res->kernel.max, 0);
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
