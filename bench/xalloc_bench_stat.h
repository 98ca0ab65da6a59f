/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The statistics of a benchmark's trials, for the modules of bench/: the
 * median, quartiles, minimum and maximum of one side's per-trial costs.
 */
#ifndef _XALLOC_BENCH_STAT_H
#define _XALLOC_BENCH_STAT_H

#include <linux/math64.h>
#include <linux/sort.h>
#include <linux/types.h>

#include "xalloc_bench.h"

static inline int xalloc_bench_cmp_u64(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;

	return x < y ? -1 : x > y;
}

/**
 * xalloc_bench_stat_set() - the median, quartiles, minimum and maximum of trials
 * @st: filled in
 * @v: one value per trial; sorted in place
 * @n: trials, at least one
 *
 * The median of an even number of trials is the mean of the middle two;
 * the quartiles are the trials a quarter of the way from either end, and
 * the spread is their distance over the median, in permille.
 *
 * Context: Any context.
 */
static inline void xalloc_bench_stat_set(struct xalloc_bench_stat *st, u64 *v,
					 unsigned int n)
{
	sort(v, n, sizeof(v[0]), xalloc_bench_cmp_u64, NULL);
	st->min = v[0];
	st->max = v[n - 1];
	st->med = n & 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
	st->q1 = v[n / 4];
	st->q3 = v[n - 1 - n / 4];
	st->spread = st->med ? div64_u64((st->q3 - st->q1) * 1000, st->med) : 0;
}

#endif /* _XALLOC_BENCH_STAT_H */
