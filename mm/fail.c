// SPDX-License-Identifier: GPL-2.0
/*
 * Fault injection for xalloc: decide whether the next allocation of a layer
 * fails, and the debugfs knobs under /sys/kernel/debug/xalloc/fail/.
 * Every injected failure takes the allocator's real failure path.
 */

#include <linux/debugfs.h>
#include <linux/export.h>
#include <linux/random.h>

#include "debugfs.h"
#include "fail.h"

struct xalloc_fail_attr xalloc_fail[XALLOC_FAIL_NR];
EXPORT_SYMBOL_GPL(xalloc_fail);

static const char *const xalloc_fail_names[XALLOC_FAIL_NR] = {
	[XALLOC_FAIL_CHUNK] = "zone_chunk",
	[XALLOC_FAIL_BUDDY] = "buddy_block",
	[XALLOC_FAIL_SLAB] = "new_slab",
	[XALLOC_FAIL_RCU_BLOCK] = "rcu_block",
};

/**
 * __xalloc_should_fail() - whether to fail this call of an armed layer
 * @layer: which allocation
 *
 * Context: Any context.
 * Return: true to inject a failure.
 */
bool __xalloc_should_fail(enum xalloc_fail_layer layer)
{
	struct xalloc_fail_attr *attr = &xalloc_fail[layer];
	unsigned long interval = READ_ONCE(attr->interval);
	long calls = atomic_long_inc_return(&attr->calls);
	long times = atomic_long_read(&attr->times);

	if (interval > 1 && calls % interval)
		return false;
	if (READ_ONCE(attr->probability) <= get_random_u32() % 100)
		return false;
	/* Count down, unless unlimited (-1); another CPU may take the last. */
	do {
		if (!times)
			return false;
		if (times < 0)
			break;
	} while (!atomic_long_try_cmpxchg(&attr->times, &times, times - 1));
	atomic_long_inc(&attr->failures);
	return true;
}

/**
 * xalloc_fail_set() - arm or disarm a layer's fault injection
 * @layer: which allocation
 * @probability: percent of the eligible calls that fail
 * @interval: only every @interval-th call is eligible (0 or 1: every call)
 * @times: failures to inject; -1 without limit, 0 disarms
 *
 * Resets the layer's call count, not its failure count.
 *
 * Context: Any context.
 */
void xalloc_fail_set(enum xalloc_fail_layer layer, unsigned long probability,
		     unsigned long interval, long times)
{
	struct xalloc_fail_attr *attr = &xalloc_fail[layer];

	atomic_long_set(&attr->times, 0);
	WRITE_ONCE(attr->probability, min(probability, 100UL));
	WRITE_ONCE(attr->interval, interval);
	atomic_long_set(&attr->calls, 0);
	atomic_long_set(&attr->times, times);
}
EXPORT_SYMBOL_GPL(xalloc_fail_set);

static int times_get(void *data, u64 *val)
{
	*val = atomic_long_read(data);
	return 0;
}

static int times_set(void *data, u64 val)
{
	atomic_long_set(data, (long)val);
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(times_fops, times_get, times_set, "%lld\n");

/**
 * xalloc_fail_debugfs_init() - create /sys/kernel/debug/xalloc/fail/<layer>/
 *
 * Each layer has probability, interval, times (-1: unlimited) and failures
 * (injected so far; writable to reset).
 *
 * Context: Process context, at module load.
 */
void xalloc_fail_debugfs_init(void)
{
	struct dentry *dir = debugfs_create_dir("fail", xalloc_debugfs_root);

	for (int i = 0; i < XALLOC_FAIL_NR; i++) {
		struct dentry *d = debugfs_create_dir(xalloc_fail_names[i], dir);

		debugfs_create_ulong("probability", 0644, d, &xalloc_fail[i].probability);
		debugfs_create_ulong("interval", 0644, d, &xalloc_fail[i].interval);
		debugfs_create_file_unsafe("times", 0644, d, &xalloc_fail[i].times,
					   &times_fops);
		debugfs_create_file_unsafe("failures", 0644, d, &xalloc_fail[i].failures,
					   &times_fops);
	}
}
