/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Fault injection for xalloc, in the spirit of failslab / fail_page_alloc:
 * per layer a probability, an interval and a number of times, set through
 * /sys/kernel/debug/xalloc/fail/<layer>/. Off (times 0) by default.
 */
#ifndef _XALLOC_FAIL_H
#define _XALLOC_FAIL_H

#include <linux/atomic.h>
#include <linux/compiler.h>

enum xalloc_fail_layer {
	XALLOC_FAIL_CHUNK,	/* carving a chunk of the zone */
	XALLOC_FAIL_BUDDY,	/* a block from the buddy allocator */
	XALLOC_FAIL_SLAB,	/* a new slab for a cache */
	XALLOC_FAIL_RCU_BLOCK,	/* a pointer block of the RCU frees */
	XALLOC_FAIL_NR
};

struct xalloc_fail_attr {
	unsigned long probability;	/* percent, 0..100 */
	unsigned long interval;		/* only every interval-th call, 0/1: all */
	atomic_long_t times;		/* failures left; -1: no limit; 0: off */
	atomic_long_t calls;		/* calls while armed */
	atomic_long_t failures;		/* failures injected */
};

extern struct xalloc_fail_attr xalloc_fail[XALLOC_FAIL_NR];

bool __xalloc_should_fail(enum xalloc_fail_layer layer);

/* Cheap when off: one load. */
static inline bool xalloc_should_fail(enum xalloc_fail_layer layer)
{
	if (likely(!atomic_long_read(&xalloc_fail[layer].times)))
		return false;
	return __xalloc_should_fail(layer);
}

void xalloc_fail_set(enum xalloc_fail_layer layer, unsigned long probability,
		     unsigned long interval, long times);
void xalloc_fail_debugfs_init(void);

#endif /* _XALLOC_FAIL_H */
