// SPDX-License-Identifier: GPL-2.0
/*
 * debugfs views of the caches: /sys/kernel/debug/xalloc/slabinfo in
 * /proc/slabinfo's 2.1 format, with exact active counts read without locks,
 * and per cache caches/<name>/: stats (SLUB_STATS counters summed over
 * CPUs), partial (partial slabs per node and per CPU), validate (write to
 * check every slab, read the result), alloc_traces and free_traces (call
 * sites of live and of freed objects, with XALLOC_STORE_USER), debug
 * (the cache's debug flags, writable while the cache is in use) and
 * destroy_by_rcu (1 for an XALLOC_TYPESAFE_BY_RCU cache, as SLUB's sysfs).
 *
 * Lock order (outer first):
 *   1. xalloc_caches_mutex	the list of caches while it is walked
 *   2. n->list_lock		a node partial list while it is counted
 */

#include <linux/jiffies.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/stackdepot.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include <uapi/linux/xalloc.h>

#include "debugfs.h"
#include "slab.h"
#include "slab_sheaf.h"

const char *const xalloc_stat_names[NR_XALLOC_STATS] = { XALLOC_STAT_NAMES };
static_assert(ARRAY_SIZE(((const char *[]){ XALLOC_STAT_NAMES })) == NR_XALLOC_STATS);

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
	xalloc_sheaves_stats_show(m, s);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(stats);

static int partial_show(struct seq_file *m, void *v)
{
	struct xalloc_cache *s = m->private, *l;
	unsigned long nr, flags, free;
	struct xalloc_page *slab;
	int nid, cpu;

	for_each_node(nid) {
		if (!s->node[nid])
			continue;
		nr = 0;
		free = 0;
		/* The slabs of every layout of the cache. */
		rcu_read_lock();
		for (l = s; l; l = xalloc_layout_next(s, l)) {
			struct xalloc_cache_node *n = l->node[nid];

			spin_lock_irqsave(&n->list_lock, flags);
			nr += n->nr_partial;
			list_for_each_entry(slab, &n->partial, list)
				free += slab->cnt.objects - slab_inuse(slab);
			spin_unlock_irqrestore(&n->list_lock, flags);
		}
		rcu_read_unlock();
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

static int destroy_by_rcu_show(struct seq_file *m, void *v)
{
	struct xalloc_cache *s = m->private;

	seq_printf(m, "%d\n", !!(s->flags & XALLOC_TYPESAFE_BY_RCU));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(destroy_by_rcu);

/* caches/<name>/validate: validate the cache. */
static long cache_validate(struct xalloc_validate_file *v)
{
	return xalloc_cache_validate(container_of(v, struct xalloc_cache, validate));
}

#define XALLOC_TRACES_MAX	128

static void print_location(struct seq_file *m, struct xalloc_location *l)
{
	seq_printf(m, "%7lu %pS", l->count, (void *)l->addr);
	if (l->waste)
		seq_printf(m, " waste=%lu/%lu", l->waste, l->waste / l->count);
	seq_printf(m, " age=%u/%u/%u", jiffies_to_msecs(l->min_age),
		   jiffies_to_msecs(l->sum_age / l->count), jiffies_to_msecs(l->max_age));
	if (l->min_pid == l->max_pid)
		seq_printf(m, " pid=%d", l->min_pid);
	else
		seq_printf(m, " pid=%d-%d", l->min_pid, l->max_pid);
	seq_printf(m, " cpus=%*pbl nodes=%*pbl\n", cpumask_pr_args(&l->cpus),
		   nodemask_pr_args(&l->nodes));
#ifdef CONFIG_STACKDEPOT
	if (l->handle) {
		unsigned long *entries;
		unsigned int nr = stack_depot_fetch(l->handle, &entries);

		for (unsigned int i = 0; i < nr; i++)
			seq_printf(m, "        %pS\n", (void *)entries[i]);
	}
#endif
}

/* The debug flags new slabs of @s get. */
static unsigned long cache_debug_flags(struct xalloc_cache *s)
{
	unsigned long flags;

	rcu_read_lock();
	flags = xalloc_cache_layout(s)->flags & XALLOC_DEBUG_FLAGS;
	rcu_read_unlock();
	return flags;
}

/* Objects of slabs built while owner tracking was on are listed after it. */
static int traces_show(struct seq_file *m, bool alloc)
{
	struct xalloc_cache *s = m->private;
	struct xalloc_location *loc;
	int nr;

	loc = kvcalloc(XALLOC_TRACES_MAX, sizeof(*loc), GFP_KERNEL);
	if (!loc)
		return -ENOMEM;
	nr = xalloc_debug_traces(s, alloc, loc, XALLOC_TRACES_MAX);
	for (int i = 0; i < nr; i++)
		print_location(m, &loc[i]);
	if (!nr && !(cache_debug_flags(s) & XALLOC_STORE_USER))
		seq_puts(m, "no owner tracking: create the cache with XALLOC_STORE_USER or debug=U\n");
	else if (!nr)
		seq_puts(m, "No data\n");
	kvfree(loc);
	return 0;
}

static int alloc_traces_show(struct seq_file *m, void *v)
{
	return traces_show(m, true);
}
DEFINE_SHOW_ATTRIBUTE(alloc_traces);

static int free_traces_show(struct seq_file *m, void *v)
{
	return traces_show(m, false);
}
DEFINE_SHOW_ATTRIBUTE(free_traces);

static int debug_show(struct seq_file *m, void *v)
{
	unsigned long flags = cache_debug_flags(m->private);

	seq_printf(m, "%s%s%s%s\n",
		   flags & XALLOC_CONSISTENCY_CHECKS ? "F" : "",
		   flags & XALLOC_RED_ZONE ? "Z" : "",
		   flags & XALLOC_POISON ? "P" : "",
		   flags & XALLOC_STORE_USER ? "U" : "");
	return 0;
}

static int debug_open(struct inode *inode, struct file *file)
{
	return single_open(file, debug_show, inode->i_private);
}

/* Write "FZPU" letters (or "-" for none) to switch debugging; new slabs get them. */
static ssize_t debug_write(struct file *file, const char __user *buf,
			   size_t len, loff_t *ppos)
{
	struct xalloc_cache *s = file_inode(file)->i_private;
	char str[16];
	int ret;

	if (!len || len >= sizeof(str))
		return -EINVAL;
	if (copy_from_user(str, buf, len))
		return -EFAULT;
	str[len] = '\0';
	strim(str);
	ret = xalloc_cache_set_debug(s, xalloc_debug_parse(str[0] ? str : "-", s->name));
	return ret ? ret : len;
}

static const struct file_operations debug_fops = {
	.owner = THIS_MODULE,
	.open = debug_open,
	.read = seq_read,
	.write = debug_write,
	.llseek = seq_lseek,
	.release = single_release,
};

/**
 * xalloc_slab_debugfs_add() - create caches/<name>/ for a new cache
 * @s: the cache
 *
 * Context: Process context, xalloc_caches_mutex held.
 */
void xalloc_slab_debugfs_add(struct xalloc_cache *s)
{
	lockdep_assert_held(&xalloc_caches_mutex);
	/* Before xalloc_slab_debugfs_init(): it adds them. */
	if (!xalloc_caches_dir)
		return;
	s->debugfs = debugfs_create_dir(s->name, xalloc_caches_dir);
	debugfs_create_file("stats", 0444, s->debugfs, s, &stats_fops);
	debugfs_create_file("partial", 0444, s->debugfs, s, &partial_fops);
	s->validate.run = cache_validate;
	xalloc_debugfs_validate(s->debugfs, &s->validate);
	debugfs_create_file("alloc_traces", 0444, s->debugfs, s, &alloc_traces_fops);
	debugfs_create_file("free_traces", 0444, s->debugfs, s, &free_traces_fops);
	debugfs_create_file("debug", 0644, s->debugfs, s, &debug_fops);
	debugfs_create_file("destroy_by_rcu", 0444, s->debugfs, s, &destroy_by_rcu_fops);
}

/**
 * xalloc_slab_debugfs_remove() - remove caches/<name>/ of a cache
 * @s: the cache
 *
 * Waits for reads and writes of its files that are running.
 *
 * Context: Process context, neither cpu_hotplug_lock nor xalloc_caches_mutex
 * held: writes to the files take them.
 */
void xalloc_slab_debugfs_remove(struct xalloc_cache *s)
{
	debugfs_remove_recursive(s->debugfs);
	s->debugfs = NULL;
}

/**
 * xalloc_slab_debugfs_init() - create slabinfo and caches/<name>/ of each cache
 *
 * Context: Process context, at module load, once nothing else can fail.
 */
void xalloc_slab_debugfs_init(void)
{
	struct xalloc_cache *s;

	debugfs_create_file("slabinfo", 0444, xalloc_debugfs_root, NULL,
			    &slabinfo_fops);
	mutex_lock(&xalloc_caches_mutex);
	xalloc_caches_dir = debugfs_create_dir("caches", xalloc_debugfs_root);
	list_for_each_entry(s, &xalloc_caches, list)
		xalloc_slab_debugfs_add(s);
	mutex_unlock(&xalloc_caches_mutex);
}
