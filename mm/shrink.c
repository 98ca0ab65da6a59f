// SPDX-License-Identifier: GPL-2.0
/*
 * xalloc under memory pressure: a shrinker that, when the kernel reclaims,
 * frees the empty slabs of every cache, drains the per-CPU page lists and
 * gives the zone's free pages above each node's floor back to the kernel
 * (mm/zone_shrink.c); xalloc_zone_shrink() and a write to
 * /sys/kernel/debug/xalloc/shrink do the same on demand. It sits above the
 * slab layer and the zone, and calls down into both.
 *
 * Lock order (outer first):
 *   1. cpu_hotplug_lock	trylock only: reclaim may run under it
 *   2. xalloc_caches_mutex	(mm/slub.c) trylock only, as 1
 *   3. pcp->lock, zone->lock	(mm/pcp.c, mm/zone_shrink.c)
 */

#include <linux/debugfs.h>
#include <linux/export.h>
#include <linux/seq_file.h>
#include <linux/shrinker.h>

#include <xalloc/xalloc.h>

#include "compat.h"
#include "debugfs.h"
#include "shrink.h"
#include "slab.h"
#include "zone.h"

static struct shrinker *xalloc_shrinker;

/* Pages the last write to the debugfs file gave back. */
static unsigned long shrink_last;

static unsigned long zone_give_back_all(unsigned long max)
{
	unsigned long pages = 0;
	int nid;

	for_each_node(nid) {
		if (pages >= max)
			break;
		pages += xalloc_zone_give_back(nid, max - pages);
	}
	return pages;
}

/**
 * xalloc_zone_shrink() - give every free page xalloc can spare back
 *
 * Frees the empty slabs of every cache (when the cache list and the CPU
 * hotplug lock are free), drains every CPU's page lists, and gives each
 * node's free pages above its floor (zone_mb) back to the kernel's page
 * allocator, newest chunks first.
 *
 * Context: Process context; may sleep.
 * Return: the number of pages given back.
 */
unsigned long xalloc_zone_shrink(void)
{
	xalloc_slab_shrink_all();
	return zone_give_back_all(ULONG_MAX);
}
EXPORT_SYMBOL_GPL(xalloc_zone_shrink);

/**
 * xalloc_shrink_count() - pages xalloc_zone_shrink() could give back now
 *
 * Free pages only: empty slabs are counted once they are freed.
 *
 * Context: Any context.
 * Return: that many pages.
 */
unsigned long xalloc_shrink_count(void)
{
	unsigned long pages = 0;
	int nid;

	for_each_node(nid)
		pages += xalloc_zone_reclaimable(nid);
	return pages;
}
EXPORT_SYMBOL_GPL(xalloc_shrink_count);

/* The zone's free pages, and the slab pages the scan's slab shrink could free. */
static unsigned long xalloc_shrinker_count(struct shrinker *s, struct shrink_control *sc)
{
	return xalloc_shrink_count() + xalloc_slab_reclaimable() ?: SHRINK_EMPTY;
}

/*
 * nr_to_scan pages (objects are pages here), newest chunks first. Slabs
 * only when the reclaim may enter file systems and I/O, as their flush
 * waits for work on every CPU.
 */
static unsigned long xalloc_shrinker_scan(struct shrinker *s, struct shrink_control *sc)
{
	unsigned long pages;

	if ((sc->gfp_mask & (__GFP_FS | __GFP_IO)) == (__GFP_FS | __GFP_IO))
		xalloc_slab_shrink_all();
	pages = zone_give_back_all(sc->nr_to_scan);
	return pages ?: SHRINK_STOP;
}

static int shrink_show(struct seq_file *m, void *v)
{
	seq_printf(m, "%lu\n", READ_ONCE(shrink_last));
	return 0;
}

static int shrink_open(struct inode *inode, struct file *file)
{
	return single_open(file, shrink_show, NULL);
}

static ssize_t shrink_write(struct file *file, const char __user *buf,
			    size_t len, loff_t *ppos)
{
	WRITE_ONCE(shrink_last, xalloc_zone_shrink());
	return len;
}

static const struct file_operations shrink_fops = {
	.owner = THIS_MODULE,
	.open = shrink_open,
	.read = seq_read,
	.write = shrink_write,
	.llseek = seq_lseek,
	.release = single_release,
};

/**
 * xalloc_shrink_init() - register xalloc's shrinker
 *
 * Context: Process context, at module load, once the caches exist.
 * Return: 0 or -ENOMEM.
 */
int xalloc_shrink_init(void)
{
	xalloc_shrinker = xalloc_shrinker_create("xalloc", xalloc_shrinker_count,
						 xalloc_shrinker_scan);
	return xalloc_shrinker ? 0 : -ENOMEM;
}

/**
 * xalloc_shrink_debugfs_init() - create /sys/kernel/debug/xalloc/shrink
 *
 * A write runs xalloc_zone_shrink(); a read gives the pages the last write
 * gave back.
 *
 * Context: Process context, at module load, after xalloc_debugfs_init().
 */
void xalloc_shrink_debugfs_init(void)
{
	debugfs_create_file("shrink", 0644, xalloc_debugfs_root, NULL, &shrink_fops);
}

/**
 * xalloc_shrink_exit() - unregister the shrinker
 *
 * Context: Process context, at module unload, before the caches go.
 */
void xalloc_shrink_exit(void)
{
	xalloc_shrinker_destroy(xalloc_shrinker);
	xalloc_shrinker = NULL;
}
