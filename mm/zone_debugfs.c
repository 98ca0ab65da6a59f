// SPDX-License-Identifier: GPL-2.0
/*
 * debugfs views of the zone: /sys/kernel/debug/xalloc/buddyinfo in
 * /proc/buddyinfo's format, zoneinfo with every counter per node (chunks
 * carved and pages given back, the floor, low watermark and cap), and
 * validate (write to check every node's zone, read the number at fault).
 * Counters are copied under the zone lock and printed after unlocking.
 */

#include <linux/seq_file.h>

#include "debugfs.h"
#include "zone.h"

struct dentry *xalloc_debugfs_root;

static int buddyinfo_show(struct seq_file *m, void *v)
{
	struct xalloc_zone_info info;
	int nid;

	for_each_node(nid) {
		if (!xalloc_zone_info(nid, &info))
			continue;
		seq_printf(m, "Node %d, zone %8s ", nid, "xalloc");
		for (int o = 0; o < XALLOC_NR_ORDERS; o++)
			seq_printf(m, "%6lu ", info.nr_free[o]);
		seq_putc(m, '\n');
	}
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(buddyinfo);

/* Each CPU's page lists of @nid, as /proc/zoneinfo's pagesets. */
static void zoneinfo_pagesets(struct seq_file *m, int nid)
{
	struct xalloc_zone *zone = xalloc_zone_of(nid);
	int cpu;

	seq_puts(m, "  pagesets\n");
	for_each_online_cpu(cpu) {
		seq_printf(m, "    cpu: %d\n", cpu);
		seq_printf(m, "              count: %lu\n", xalloc_pcp_pages(zone, cpu));
		seq_printf(m, "              high:  %u\n", READ_ONCE(xalloc_pcp_high));
		seq_printf(m, "              batch: %u\n", READ_ONCE(xalloc_pcp_batch));
	}
}

static int zoneinfo_show(struct seq_file *m, void *v)
{
	struct xalloc_zone_info info;
	int nid;

	for_each_node(nid) {
		if (!xalloc_zone_info(nid, &info))
			continue;
		seq_printf(m, "Node %d, zone %8s\n", nid, "xalloc");
		seq_printf(m, "  chunks       %u (%lu KiB each)\n", info.nr_chunks,
			   (PAGE_SIZE << XALLOC_CHUNK_ORDER) / SZ_1K);
		seq_printf(m, "  present      %lu\n", info.present_pages);
		seq_printf(m, "  free         %lu\n", info.free_pages);
		seq_printf(m, "  pcp          %lu\n", info.pcp_pages);
		seq_puts(m, "  free_blocks ");
		for (int o = 0; o < XALLOC_NR_ORDERS; o++)
			seq_printf(m, " %lu", info.nr_free[o]);
		seq_putc(m, '\n');
		seq_printf(m, "  alloc        %lu\n", info.nr_alloc);
		seq_printf(m, "  freed        %lu\n", info.nr_freed);
		seq_printf(m, "  split        %lu\n", info.nr_split);
		seq_printf(m, "  merge        %lu\n", info.nr_merge);
		seq_printf(m, "  failed       %lu\n", info.nr_failed);
		seq_printf(m, "  carved       %lu\n", info.nr_carved);
		seq_printf(m, "  given_back   %lu\n", info.nr_given_back);
		seq_printf(m, "  min          %lu\n", info.min_pages);
		seq_printf(m, "  low          %lu\n", info.low_pages);
		seq_printf(m, "  max          %lu\n", info.max_pages);
		zoneinfo_pagesets(m, nid);
	}
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(zoneinfo);

static int validate_show(struct seq_file *m, void *v)
{
	struct xalloc_validate_file *val = m->private;

	if (val->last < 0)
		seq_puts(m, "not validated yet: write 1 to validate\n");
	else
		seq_printf(m, "%ld errors\n", val->last);
	return 0;
}

static int validate_open(struct inode *inode, struct file *file)
{
	return single_open(file, validate_show, inode->i_private);
}

static ssize_t validate_write(struct file *file, const char __user *buf,
			      size_t len, loff_t *ppos)
{
	struct xalloc_validate_file *v = file_inode(file)->i_private;

	v->last = v->run(v);
	return len;
}

static const struct file_operations validate_fops = {
	.owner = THIS_MODULE,
	.open = validate_open,
	.read = seq_read,
	.write = validate_write,
	.llseek = seq_lseek,
	.release = single_release,
};

/**
 * xalloc_debugfs_validate() - create a "validate" file
 * @dir: its directory
 * @v: what a write runs; its result is kept in @v->last (set to -1 here)
 *
 * Context: Process context.
 */
void xalloc_debugfs_validate(struct dentry *dir, struct xalloc_validate_file *v)
{
	v->last = -1;
	debugfs_create_file("validate", 0644, dir, v, &validate_fops);
}

/* Check every node's zone; count the nodes (and poisoned blocks) at fault. */
static long zone_validate(struct xalloc_validate_file *v)
{
	long errors = 0;
	int nid;

	for_each_node(nid)
		errors += !xalloc_zone_check(nid);
	return errors;
}

static struct xalloc_validate_file zone_validate_file = { .run = zone_validate };

/**
 * xalloc_debugfs_init() - create /sys/kernel/debug/xalloc and the zone files
 *
 * debugfs failures are not fatal: the allocator works without its views.
 *
 * Context: Process context, at module load.
 */
void xalloc_debugfs_init(void)
{
	xalloc_debugfs_root = debugfs_create_dir("xalloc", NULL);
	debugfs_create_file("buddyinfo", 0444, xalloc_debugfs_root, NULL,
			    &buddyinfo_fops);
	debugfs_create_file("zoneinfo", 0444, xalloc_debugfs_root, NULL,
			    &zoneinfo_fops);
	xalloc_debugfs_validate(xalloc_debugfs_root, &zone_validate_file);
	xalloc_zonemap_debugfs_init();
}

/**
 * xalloc_debugfs_exit() - remove every xalloc debugfs file
 *
 * Context: Process context, at module unload.
 */
void xalloc_debugfs_exit(void)
{
	debugfs_remove_recursive(xalloc_debugfs_root);
	xalloc_debugfs_root = NULL;
}
