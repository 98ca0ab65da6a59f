// SPDX-License-Identifier: GPL-2.0
/*
 * Per-CPU page lists of the xalloc zone: each CPU keeps, for each zone, a
 * short list of free blocks of each order 0..XALLOC_PCP_MAX_ORDER. Allocating
 * and freeing such a block touches only the CPU's own list; blocks move
 * between the list and the zone's free lists pcp_batch pages at a time, under
 * the zone's lock once per batch. A CPU keeps at most pcp_high pages per
 * zone; freeing beyond that gives a batch back.
 *
 * A block on a per-CPU list is XALLOC_PAGE_PCP: not allocated, not on the
 * zone's free lists and never merged with its buddy. The zone counts it as
 * taken; xalloc_zone_info() reports the per-CPU pages beside the free ones.
 *
 * The lists are drained: when the CPU goes offline, by xalloc_zone_drain()
 * (which xalloc_cache_shrink() calls), when an allocation finds no block in
 * the zone, when pcp_high or pcp_batch change, and at unload.
 *
 * Each CPU's lists of a zone have one lock, taken as the kernel takes its
 * own (mm/page_alloc.c): the owning CPU takes it on every operation with
 * preemption off and spin_trylock(), interrupts left on (the fast paths,
 * inline in mm/zone.h); when the trylock fails (an interrupt came in while
 * this CPU held it, or another CPU drains the lists) the block comes from
 * or goes to the zone itself. Everyone else (drains, checks) takes it with
 * spin_lock() in task context, where its holder is always another CPU, and
 * only tries it in interrupt context, where the holder may be the code the
 * interrupt came in on: such a drain or check leaves that CPU's lists alone.
 * So lockdep sees the lock taken in interrupts by trylocks only. The zone's
 * lock, taken inside, is always taken with interrupts off.
 *
 * Lock order (outer first):
 *   1. kernel_param_lock	a write to pcp_high or pcp_batch; unload takes
 *				it to unpublish each zone (mm/zone.c)
 *   2. pcp->lock		one CPU's lists of one zone
 *   3. zone->lock		(mm/buddy.c) free lists of one node's zone
 *   4. xalloc_report_lock	(mm/report.c) lines of one report
 */

#include <linux/cpuhotplug.h>
#include <linux/export.h>
#include <linux/moduleparam.h>
#include <linux/percpu.h>
#include <linux/preempt.h>

#include <xalloc/xalloc.h>

#include "zone.h"

/* Defaults: as the kernel's on a zone of a few GiB. */
unsigned int xalloc_pcp_high = 378;
EXPORT_SYMBOL_GPL(xalloc_pcp_high);
unsigned int xalloc_pcp_batch = 63;
EXPORT_SYMBOL_GPL(xalloc_pcp_batch);

/**
 * xalloc_pcp_set() - set the per-CPU page lists' bounds
 * @high: pages a CPU keeps per zone, 0..65536; 0 turns the lists off
 * @batch: pages moved at a time, 1..1024
 *
 * Drains every list, so that none holds more than the new @high.
 *
 * Context: Any context.
 * Return: 0, or -EINVAL if a value is out of range.
 */
int xalloc_pcp_set(unsigned int high, unsigned int batch)
{
	if (high > 65536 || batch < 1 || batch > 1024)
		return -EINVAL;
	WRITE_ONCE(xalloc_pcp_high, high);
	WRITE_ONCE(xalloc_pcp_batch, batch);
	xalloc_zone_drain();
	return 0;
}
EXPORT_SYMBOL_GPL(xalloc_pcp_set);

static int pcp_param_set(const char *val, const struct kernel_param *kp)
{
	unsigned int n;
	int ret;

	ret = kstrtouint(val, 0, &n);
	if (ret)
		return ret;
	if (kp->arg == &xalloc_pcp_batch)
		return xalloc_pcp_set(READ_ONCE(xalloc_pcp_high), n);
	return xalloc_pcp_set(n, READ_ONCE(xalloc_pcp_batch));
}

static const struct kernel_param_ops pcp_param_ops = {
	.set = pcp_param_set,
	.get = param_get_uint,
};

module_param_cb(pcp_high, &pcp_param_ops, &xalloc_pcp_high, 0644);
MODULE_PARM_DESC(pcp_high, "pages a CPU keeps per zone on its page lists, 0 turns them off (default 378)");
module_param_cb(pcp_batch, &pcp_param_ops, &xalloc_pcp_batch, 0644);
MODULE_PARM_DESC(pcp_batch, "pages moved at a time between a CPU's page lists and the zone, 1..1024 (default 63)");

static enum cpuhp_state pcp_cpuhp_state;

/* Blocks of @order that make up one batch: at least one. */
static unsigned int pcp_batch_blocks(unsigned int order)
{
	return max(READ_ONCE(xalloc_pcp_batch) >> order, 1U);
}

/**
 * xalloc_pcp_refill() - take a batch of blocks from the zone for a list
 * @zone: the zone
 * @pcp: this CPU's lists of @zone, locked, the one of @order empty
 * @order: 0..XALLOC_PCP_MAX_ORDER
 *
 * Context: @pcp locked by xalloc_pcp_trylock().
 * Return: the first block of the batch, for the caller; the others are on
 * the list. NULL if the zone has no block of @order.
 */
struct xalloc_page *xalloc_pcp_refill(struct xalloc_zone *zone, struct xalloc_pcp *pcp,
				      unsigned int order)
{
	unsigned int n = pcp_batch_blocks(order), i;
	struct xalloc_page *first, *desc;
	unsigned long flags;

	lockdep_assert_held(&pcp->lock);
	spin_lock_irqsave(&zone->lock, flags);
	first = xalloc_rmqueue_locked(zone, order, XALLOC_PAGE_PCP);
	for (i = 1; first && i < n; i++) {
		desc = xalloc_rmqueue_locked(zone, order, XALLOC_PAGE_PCP);
		if (!desc)
			break;
		list_add_tail(&desc->list, &pcp->lists[order]);
	}
	spin_unlock_irqrestore(&zone->lock, flags);
	if (first)
		pcp->count += (i - 1) << order;
	return first;
}

/*
 * Give @pages pages (or all, if more) of @pcp back to the zone, the oldest
 * blocks first, taking from each order in turn.
 */
static void pcp_free_to_zone(struct xalloc_zone *zone, struct xalloc_pcp *pcp,
			     unsigned int pages)
{
	struct xalloc_page *desc;
	unsigned int o = 0, empty = 0;
	unsigned long flags;

	lockdep_assert_held(&pcp->lock);
	spin_lock_irqsave(&zone->lock, flags);
	while (pages && empty < XALLOC_PCP_ORDERS) {
		if (!list_empty(&pcp->lists[o])) {
			desc = list_last_entry(&pcp->lists[o], struct xalloc_page, list);
			list_del(&desc->list);
			pcp->count -= 1U << o;
			pages -= min(pages, 1U << o);
			xalloc_free_one_locked(zone, desc, o);
			empty = 0;
		} else {
			empty++;
		}
		o = (o + 1) % XALLOC_PCP_ORDERS;
	}
	spin_unlock_irqrestore(&zone->lock, flags);
}

/**
 * xalloc_pcp_trim() - give a batch back from a list beyond pcp_high
 * @zone: the zone
 * @pcp: this CPU's lists of @zone, locked, holding more than @high pages
 * @high: pcp_high, as the caller read it
 *
 * Context: @pcp locked by xalloc_pcp_trylock().
 */
void xalloc_pcp_trim(struct xalloc_zone *zone, struct xalloc_pcp *pcp, unsigned int high)
{
	pcp_free_to_zone(zone, pcp, max(pcp->count - high, READ_ONCE(xalloc_pcp_batch)));
}

/*
 * Lock @pcp, of any CPU, off the fast paths. In task context the holder can
 * only be another CPU, which lets go; in an interrupt it may be the code the
 * interrupt came in on, so only try. A UP spinlock needs interrupts off.
 * Sparse can't follow a lock taken only on success: for it, this and
 * pcp_unlock() take and drop nothing.
 * Return: true with the lock held.
 */
static bool pcp_lock(struct xalloc_pcp *pcp, unsigned long *flags)
{
	if (!IS_ENABLED(CONFIG_SMP))
		local_irq_save(*flags);
	if (in_task())
		spin_lock(&pcp->lock);
	else if (!spin_trylock(&pcp->lock))
		goto busy;
	__release(&pcp->lock);
	return true;
busy:
	if (!IS_ENABLED(CONFIG_SMP))
		local_irq_restore(*flags);
	return false;
}

static void pcp_unlock(struct xalloc_pcp *pcp, unsigned long flags)
{
	__acquire(&pcp->lock);
	spin_unlock(&pcp->lock);
	if (!IS_ENABLED(CONFIG_SMP))
		local_irq_restore(flags);
}

/* Give every block on @cpu's lists of @zone back; how many pages that was. */
static unsigned int pcp_drain_cpu(struct xalloc_zone *zone, int cpu)
{
	struct xalloc_pcp *pcp = per_cpu_ptr(zone->pcp, cpu);
	unsigned long flags = 0;
	unsigned int count;

	if (!pcp_lock(pcp, &flags))
		return 0;
	count = pcp->count;
	if (count)
		pcp_free_to_zone(zone, pcp, count);
	pcp_unlock(pcp, flags);
	return count;
}

/**
 * xalloc_pcp_drain_zone() - give every CPU's blocks of a zone back to it
 * @zone: the zone
 *
 * Context: Any context; in an interrupt, a CPU's lists in use right then
 * are left as they are.
 * Return: the number of pages given back.
 */
unsigned long xalloc_pcp_drain_zone(struct xalloc_zone *zone)
{
	unsigned long pages = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		pages += pcp_drain_cpu(zone, cpu);
	return pages;
}

/**
 * xalloc_zone_drain() - give the blocks on every per-CPU page list back
 *
 * Afterwards the zone's free lists hold every free page (until the next
 * allocation or free of order 0..3 refills a list).
 *
 * Context: Any context; in an interrupt, a CPU's lists in use right then
 * are left as they are.
 */
void xalloc_zone_drain(void)
{
	int nid;

	for_each_node(nid) {
		struct xalloc_zone *zone = xalloc_zone_of(nid);

		if (zone)
			xalloc_pcp_drain_zone(zone);
	}
}
EXPORT_SYMBOL_GPL(xalloc_zone_drain);

/**
 * xalloc_pcp_pages() - this moment's per-CPU page count of a zone
 * @zone: the zone
 * @cpu: a possible CPU, or -1 for the sum over all CPUs
 *
 * Context: Any context; the count may change right after.
 * Return: pages on the lists.
 */
unsigned long xalloc_pcp_pages(struct xalloc_zone *zone, int cpu)
{
	unsigned long pages = 0;
	int c;

	if (cpu >= 0)
		return READ_ONCE(per_cpu_ptr(zone->pcp, cpu)->count);
	for_each_possible_cpu(c)
		pages += READ_ONCE(per_cpu_ptr(zone->pcp, c)->count);
	return pages;
}
EXPORT_SYMBOL_GPL(xalloc_pcp_pages);

/**
 * xalloc_pcp_check() - check every block on the per-CPU lists of a zone
 * @zone: the zone
 *
 * Each block must be a block head of the zone, XALLOC_PAGE_PCP, of its
 * list's order and aligned to it; each list's count must add up.
 *
 * Context: Any context; each CPU's lists are walked under their lock, with
 * preemption off. In an interrupt, a CPU's lists in use right then are
 * not checked.
 * Return: true if all is well; false after printing what is wrong.
 */
bool xalloc_pcp_check(struct xalloc_zone *zone)
{
	struct xalloc_page *desc;
	unsigned long flags = 0;
	unsigned int pages;
	bool ok = true;
	int cpu;

	for_each_possible_cpu(cpu) {
		struct xalloc_pcp *pcp = per_cpu_ptr(zone->pcp, cpu);

		pages = 0;
		if (!pcp_lock(pcp, &flags))
			continue;
		for (unsigned int o = 0; o < XALLOC_PCP_ORDERS; o++) {
			list_for_each_entry(desc, &pcp->lists[o], list) {
				if (!xalloc_free_block_ok(zone, desc, o, XALLOC_PAGE_PCP)) {
					pr_err("xalloc: node %d: bad block pfn %#lx on CPU %d's order-%u list\n",
					       zone->nid, xalloc_desc_pfn(desc), cpu, o);
					ok = false;
				} else if (desc->poisoned &&
					   !xalloc_block_poison_ok(desc, "found by validation")) {
					ok = false;
				}
				pages += 1U << o;
			}
		}
		if (pages != pcp->count) {
			pr_err("xalloc: node %d: CPU %d lists %u pages, counts %u\n",
			       zone->nid, cpu, pages, pcp->count);
			ok = false;
		}
		pcp_unlock(pcp, flags);
	}
	return ok;
}
EXPORT_SYMBOL_GPL(xalloc_pcp_check);

/* CPU hotplug: a dead CPU's blocks go back to the zones. */
static int pcp_cpu_dead(unsigned int cpu)
{
	int nid;

	for_each_node(nid) {
		struct xalloc_zone *zone = xalloc_zone_of(nid);

		if (zone)
			pcp_drain_cpu(zone, cpu);
	}
	return 0;
}

/**
 * xalloc_pcp_init() - give a zone its per-CPU lists
 * @zone: the zone, not yet in use
 *
 * Context: Process context, at module load.
 * Return: 0 or -ENOMEM.
 */
int xalloc_pcp_init(struct xalloc_zone *zone)
{
	int cpu;

	zone->pcp = alloc_percpu(struct xalloc_pcp);
	if (!zone->pcp)
		return -ENOMEM;
	for_each_possible_cpu(cpu) {
		struct xalloc_pcp *pcp = per_cpu_ptr(zone->pcp, cpu);

		spin_lock_init(&pcp->lock);
		for (unsigned int o = 0; o < XALLOC_PCP_ORDERS; o++)
			INIT_LIST_HEAD(&pcp->lists[o]);
	}
	return 0;
}

/**
 * xalloc_pcp_exit() - drain and free a zone's per-CPU lists
 * @zone: the zone, no longer in use
 *
 * Context: Process context, at module unload.
 */
void xalloc_pcp_exit(struct xalloc_zone *zone)
{
	if (!zone->pcp)
		return;
	xalloc_pcp_drain_zone(zone);
	free_percpu(zone->pcp);
	zone->pcp = NULL;
}

/**
 * xalloc_pcp_hotplug_init() - drain the lists of CPUs that go offline
 *
 * Context: Process context, at module load, after the zones exist.
 * Return: 0 or the hotplug error.
 */
int xalloc_pcp_hotplug_init(void)
{
	int ret;

	ret = cpuhp_setup_state_nocalls(CPUHP_BP_PREPARE_DYN, "xalloc/pcp:dead",
					NULL, pcp_cpu_dead);
	if (ret < 0)
		return ret;
	pcp_cpuhp_state = ret;
	return 0;
}

/**
 * xalloc_pcp_hotplug_exit() - stop draining at CPU offline
 *
 * Context: Process context, at module unload, before the zones go.
 */
void xalloc_pcp_hotplug_exit(void)
{
	if (pcp_cpuhp_state > 0)
		cpuhp_remove_state_nocalls(pcp_cpuhp_state);
	pcp_cpuhp_state = 0;
}
