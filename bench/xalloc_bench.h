/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xalloc_bench: xalloc against the kernel's own allocators, scenario by
 * scenario, in one boot, interleaved. The module runs everything when it is
 * loaded; kunit/xalloc_bench_kunit.c runs each scenario with tiny counts.
 */
#ifndef _XALLOC_BENCH_H
#define _XALLOC_BENCH_H

#include <linux/types.h>

/* Longest scenario name, without the terminating NUL. */
#define XALLOC_BENCH_NAME_MAX	23
/* Scenarios in one run, at most. */
#define XALLOC_BENCH_MAX_RESULTS	32
/* Runs of one scenario, at most: the first and its repeats when noisy. */
#define XALLOC_BENCH_MAX_ATTEMPTS	4

/**
 * struct xalloc_bench_stat - one side's cost over the trials of a scenario
 * @med: median over the trials, in picoseconds per operation
 * @min: fastest trial, in picoseconds per operation
 * @max: slowest trial, in picoseconds per operation
 * @q1: first quartile of the trials (the trial a quarter of the way up)
 * @q3: third quartile (a quarter of the way down from the slowest)
 * @spread: (@q3 - @q1) / @med in permille: how much the middle half of the
 *	trials disagree; the noise rule compares it with its threshold
 *
 * Invariant once a scenario ran: min <= q1 <= med <= q3 <= max.
 */
struct xalloc_bench_stat {
	u64 med;
	u64 min;
	u64 max;
	u64 q1;
	u64 q3;
	unsigned int spread;
};

/**
 * struct xalloc_bench_attempt - one run of a scenario, as the noise rule saw it
 * @scale: operations per trial, percent of the scenario's default
 * @ratio: xalloc's median over the kernel's, times 1000
 * @spread: each side's spread in permille, xalloc's [0] and the kernel's [1]
 */
struct xalloc_bench_attempt {
	unsigned int scale;
	unsigned int ratio;
	unsigned int spread[2];
};

/**
 * struct xalloc_bench_result - what one scenario measured
 * @name: scenario, e.g. "fastpath-64"
 * @ops: operations per trial and side; what one operation is depends on the
 *	scenario (an alloc+free pair, one object of a bulk call, one page...)
 * @trials: trials per side
 * @cpus: CPUs the scenario ran on at once
 * @xalloc: xalloc's cost
 * @kernel: the kernel allocator's cost, same sizes and flags
 * @xalloc_speedup: "scaling" only: xalloc's throughput on @cpus CPUs over its
 *	throughput on one CPU, both timed as wall time from start to end in
 *	the same trials, times 1000; 0 when not measured
 * @kernel_speedup: the same for the kernel's allocator
 * @ring_ps: "remote" only: median picoseconds per object of the same ring
 *	passing a placeholder, nothing allocated or freed, timed the same way
 *	in the same trials (what both sides pay besides their allocator); 0
 *	when not measured
 * @peak_kib: "kfree-rcu" only: the most slab memory, in KiB, that waited for
 *	a grace period after a batch of a trial, xalloc's [0] and the kernel's [1]
 * @skipped: not run, e.g. remote frees with one CPU online
 * @scale: operations per trial of the run reported, percent of the default
 * @nr_attempts: runs made: 1, or more when the first one was noisy
 * @attempts: what each run measured, in the order they ran
 * @noisy: every run had a side whose spread was above the threshold; the
 *	result is the least noisy run's, and no target is judged on it
 */
struct xalloc_bench_result {
	char name[XALLOC_BENCH_NAME_MAX + 1];
	u64 ops;
	unsigned int trials;
	unsigned int cpus;
	struct xalloc_bench_stat xalloc;
	struct xalloc_bench_stat kernel;
	u64 xalloc_speedup;
	u64 kernel_speedup;
	u64 ring_ps;
	u64 peak_kib[2];
	bool skipped;
	unsigned int scale;
	unsigned int nr_attempts;
	struct xalloc_bench_attempt attempts[XALLOC_BENCH_MAX_ATTEMPTS];
	bool noisy;
};

/**
 * struct xalloc_bench_opts - how to run, and where the results go
 * @trials: trials per side and scenario, 0 for the default (7; 3 in smoke)
 * @scale: operations per trial in percent of the default, 0 for 100
 * @noise: spread (permille, see struct xalloc_bench_stat) above which a
 *	scenario is noisy, 0 for 100 (10 %)
 * @repeats: runs of a noisy scenario after the first, each at twice the
 *	scale of the first, until one is quiet; at most
 *	XALLOC_BENCH_MAX_ATTEMPTS - 1
 * @smoke: tiny counts, for tests: checks that everything runs, times nothing
 * @print: print one line per scenario to the kernel log
 * @only: run only the scenarios whose names start with this, or NULL
 * @results: room for XALLOC_BENCH_MAX_RESULTS results, filled by the run
 * @nr_results: set by the run to the number of results written
 */
struct xalloc_bench_opts {
	unsigned int trials;
	unsigned int scale;
	unsigned int noise;
	unsigned int repeats;
	bool smoke;
	bool print;
	const char *only;
	struct xalloc_bench_result *results;
	unsigned int nr_results;
};

int xalloc_bench_run(struct xalloc_bench_opts *opts);

#endif /* _XALLOC_BENCH_H */
