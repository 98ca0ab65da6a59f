// SPDX-License-Identifier: GPL-2.0
/*
 * debugfs views of the caches: /sys/kernel/debug/xalloc/slabinfo in
 * /proc/slabinfo's 2.1 format, with exact active counts read without locks,
 * and per cache caches/<name>/stats (SLUB_STATS counters summed over CPUs)
 * and caches/<name>/partial (partial slabs per node and per CPU).
 *
 * Lock order (outer first):
 *   1. xalloc_caches_mutex	the list of caches while it is walked
 *   2. n->list_lock		a node partial list while it is counted
 */

#include <linux/seq_file.h>

#include "debugfs.h"
#include "slab.h"

const char *const xalloc_stat_names[NR_XALLOC_STATS] = {
	"alloc_fastpath", "alloc_slowpath", "free_fastpath", "free_slowpath",
	"free_frozen", "free_add_partial", "free_remove_partial",
	"alloc_from_partial", "alloc_slab", "alloc_refill",
	"alloc_node_mismatch", "free_slab", "cpuslab_flush",
	"deactivate_full", "deactivate_empty", "deactivate_to_head",
	"deactivate_to_tail", "deactivate_remote_frees", "deactivate_bypass",
	"order_fallback", "cmpxchg_double_fail", "cmpxchg_double_cpu_fail",
	"cpu_partial_alloc", "cpu_partial_free", "cpu_partial_node",
	"cpu_partial_drain",
};

static struct dentry *xalloc_caches_dir;

static int slabinfo_show(struct seq_file *m, void *v)
{
	struct xalloc_cache_counts cnt;
	struct xalloc_cache *s;

	seq_puts(m, "slabinfo - version: 2.1\n");
	seq_puts(m, "# name            <active_objs> <num_objs> <objsize> <objperslab> <pagesperslab> : tunables <limit> <batchcount> <sharedfactor> : slabdata <active_slabs> <num_slabs> <sharedavail>\n");
	mutex_lock(&xalloc_caches_mutex);
	list_for_each_entry(s, &xalloc_caches, list) {
		xalloc_cache_counts(s, &cnt);
		seq_printf(m, "%-17s %6lu %6lu %6u %4u %4d : tunables %4u %4u %4u : slabdata %6lu %6lu %6lu\n",
			   s->name, cnt.active_objs, cnt.num_objs, s->size,
			   oo_objects(s->oo), 1 << oo_order(s->oo), 0, 0, 0,
			   cnt.num_slabs, cnt.num_slabs, 0UL);
	}
	mutex_unlock(&xalloc_caches_mutex);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(slabinfo);

static int stats_show(struct seq_file *m, void *v)
{
	struct xalloc_cache *s = m->private;
	int cpu;

	for (int i = 0; i < NR_XALLOC_STATS; i++) {
		seq_printf(m, "%-24s %lu", xalloc_stat_names[i],
			   xalloc_cache_stat(s, i));
		for_each_online_cpu(cpu) {
			unsigned long x = READ_ONCE(per_cpu_ptr(s->cpu, cpu)->stat[i]);

			if (x)
				seq_printf(m, " C%d=%lu", cpu, x);
		}
		seq_putc(m, '\n');
	}
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(stats);

static int partial_show(struct seq_file *m, void *v)
{
	struct xalloc_cache *s = m->private;
	unsigned long nr, flags, free;
	struct xalloc_page *slab;
	int nid, cpu;

	for_each_node(nid) {
		struct xalloc_cache_node *n = s->node[nid];

		if (!n)
			continue;
		free = 0;
		spin_lock_irqsave(&n->list_lock, flags);
		nr = n->nr_partial;
		list_for_each_entry(slab, &n->partial, list)
			free += slab->cnt.objects - slab_inuse(slab);
		spin_unlock_irqrestore(&n->list_lock, flags);
		seq_printf(m, "node %d: %lu partial slabs, %lu free objects\n",
			   nid, nr, free);
	}
	for_each_online_cpu(cpu)
		seq_printf(m, "cpu %d: %u partial slabs%s\n", cpu,
			   READ_ONCE(per_cpu_ptr(s->cpu, cpu)->partial_slabs),
			   READ_ONCE(per_cpu_ptr(s->cpu, cpu)->slab) ? ", a CPU slab" : "");
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(partial);

/**
 * xalloc_slab_debugfs_add() - create caches/<name>/ for a new cache
 * @s: the cache
 *
 * Context: Process context, xalloc_caches_mutex held.
 */
void xalloc_slab_debugfs_add(struct xalloc_cache *s)
{
	lockdep_assert_held(&xalloc_caches_mutex);
	s->debugfs = debugfs_create_dir(s->name, xalloc_caches_dir);
	debugfs_create_file("stats", 0444, s->debugfs, s, &stats_fops);
	debugfs_create_file("partial", 0444, s->debugfs, s, &partial_fops);
}

/**
 * xalloc_slab_debugfs_remove() - remove caches/<name>/ of a cache
 * @s: the cache
 *
 * Context: Process context, xalloc_caches_mutex held.
 */
void xalloc_slab_debugfs_remove(struct xalloc_cache *s)
{
	lockdep_assert_held(&xalloc_caches_mutex);
	debugfs_remove_recursive(s->debugfs);
	s->debugfs = NULL;
}

/**
 * xalloc_slab_debugfs_init() - create slabinfo and the caches directory
 *
 * Context: Process context, at module load, before any cache exists.
 */
void xalloc_slab_debugfs_init(void)
{
	debugfs_create_file("slabinfo", 0444, xalloc_debugfs_root, NULL,
			    &slabinfo_fops);
	xalloc_caches_dir = debugfs_create_dir("caches", xalloc_debugfs_root);
}
