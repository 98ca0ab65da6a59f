// SPDX-License-Identifier: GPL-2.0
/*
 * The KASAN quarantine of xalloc (see quarantine.h). One FIFO for all
 * caches: an object freed while it has room waits at the tail, poisoned, its
 * link stored where its free pointer goes (s->offset, a word that belongs to
 * xalloc while the object is free); once the bytes held pass the limit, the
 * oldest objects go back to their slabs. Shrink, destroy and unload drain it.
 * Quarantined objects still count as allocated in slabinfo until released.
 *
 * Lock order: xalloc_quarantine_lock is a leaf; objects are released after
 * it is dropped.
 */

#include <linux/export.h>
#include <linux/moduleparam.h>
#include <linux/spinlock.h>
#include <linux/sysfs.h>

#include "quarantine.h"
#include "slab.h"

#ifdef CONFIG_KASAN_GENERIC
#define XALLOC_QUARANTINE_DEFAULT_KB	1024
#else
#define XALLOC_QUARANTINE_DEFAULT_KB	0
#endif

static DEFINE_SPINLOCK(xalloc_quarantine_lock);
static void *q_head, *q_tail;		/* oldest, newest; the lock */
static size_t q_bytes;			/* s->size of each object held; the lock */
static size_t q_limit = XALLOC_QUARANTINE_DEFAULT_KB * 1024UL;

static inline void **q_link(void *obj)
{
	struct xalloc_page *slab = xalloc_addr_desc(obj);

	if (slab->type == XALLOC_PAGE_SLAB_TAIL)
		slab = slab->head;
	return obj + slab->cache->offset;
}

/* Detach the oldest objects until at most @keep bytes are held. */
static void *q_take(size_t keep, unsigned long *flags)
{
	void *list = NULL, **last = &list;

	spin_lock_irqsave(&xalloc_quarantine_lock, *flags);
	while (q_head && q_bytes > keep) {
		void *obj = q_head, **link = q_link(obj);
		struct xalloc_page *slab = xalloc_addr_desc(obj);

		if (slab->type == XALLOC_PAGE_SLAB_TAIL)
			slab = slab->head;
		q_head = *link;
		q_bytes -= slab->cache->size;
		*last = obj;
		last = link;
	}
	*last = NULL;
	if (!q_head)
		q_tail = NULL;
	spin_unlock_irqrestore(&xalloc_quarantine_lock, *flags);
	return list;
}

/* Free a detached list of quarantined objects to their slabs. */
static void q_release(void *list)
{
	while (list) {
		void *next = *q_link(list);
		struct xalloc_page *slab = xalloc_addr_desc(list);

		if (slab->type == XALLOC_PAGE_SLAB_TAIL)
			slab = slab->head;
		xalloc_slab_free_released(slab, list);
		list = next;
	}
}

static void q_shrink(size_t keep)
{
	unsigned long flags;

	q_release(q_take(keep, &flags));
}

#ifdef CONFIG_KASAN_GENERIC
/**
 * xalloc_quarantine_put() - keep a freed, poisoned object for a while
 * @s: its cache, without debug flags
 * @obj: the object
 *
 * Context: Any context.
 * Return: true if the quarantine took @obj; false if it is off.
 */
bool xalloc_quarantine_put(struct xalloc_cache *s, void *obj)
{
	unsigned long flags;
	bool over;

	if (!READ_ONCE(q_limit))
		return false;
	spin_lock_irqsave(&xalloc_quarantine_lock, flags);
	*(void **)(obj + s->offset) = NULL;
	if (q_tail)
		*q_link(q_tail) = obj;
	else
		q_head = obj;
	q_tail = obj;
	q_bytes += s->size;
	over = q_bytes > q_limit;
	spin_unlock_irqrestore(&xalloc_quarantine_lock, flags);
	if (over)
		q_shrink(READ_ONCE(q_limit) / 2);
	return true;
}
#endif

/**
 * xalloc_quarantine_set_limit() - set how many bytes the quarantine holds
 * @bytes: the new limit; 0 turns it off. Ignored without KASAN.
 *
 * Objects beyond the new limit go back to their slabs at once.
 *
 * Context: Process context.
 * Return: the old limit.
 */
size_t xalloc_quarantine_set_limit(size_t bytes)
{
	size_t old = READ_ONCE(q_limit);

	if (!IS_ENABLED(CONFIG_KASAN_GENERIC))
		return 0;
	WRITE_ONCE(q_limit, bytes);
	q_shrink(bytes);
	return old;
}
EXPORT_SYMBOL_GPL(xalloc_quarantine_set_limit);

/**
 * xalloc_quarantine_bytes() - bytes the quarantine holds now
 *
 * Context: Any context.
 * Return: the sum of the strides of the objects held.
 */
size_t xalloc_quarantine_bytes(void)
{
	return READ_ONCE(q_bytes);
}
EXPORT_SYMBOL_GPL(xalloc_quarantine_bytes);

/**
 * xalloc_quarantine_drain() - give every quarantined object back to its slab
 *
 * Context: Any context.
 */
void xalloc_quarantine_drain(void)
{
	q_shrink(0);
}
EXPORT_SYMBOL_GPL(xalloc_quarantine_drain);

static int quarantine_kb_set(const char *val, const struct kernel_param *kp)
{
	unsigned long kb;
	int ret = kstrtoul(val, 0, &kb);

	if (ret)
		return ret;
	if (!IS_ENABLED(CONFIG_KASAN_GENERIC) && kb)
		return -EINVAL;
	xalloc_quarantine_set_limit(kb * 1024);
	return 0;
}

static int quarantine_kb_get(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%zu\n", READ_ONCE(q_limit) / 1024);
}

static const struct kernel_param_ops quarantine_kb_ops = {
	.set = quarantine_kb_set,
	.get = quarantine_kb_get,
};
module_param_cb(quarantine_kb, &quarantine_kb_ops, NULL, 0644);
MODULE_PARM_DESC(quarantine_kb, "KASAN kernels: KiB of freed objects kept from reuse (default 1024, 0 off)");
