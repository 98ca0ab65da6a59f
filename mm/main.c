// SPDX-License-Identifier: GPL-2.0
/*
 * xalloc module load and unload: carve the zone, start the SLUB layer and
 * the kmalloc caches, register /dev/xalloc, and only then, when nothing can
 * fail any more, publish the debugfs views; undo in reverse.
 */

#include <linux/mm.h>
#include <linux/module.h>
#include <linux/moduleparam.h>

#include "chardev.h"
#include "debugfs.h"
#include "fail.h"
#include "report.h"
#include "shrink.h"
#include "slab.h"
#include "slab_rcu.h"
#include "zone.h"

static unsigned int zone_mb = 64;
module_param(zone_mb, uint, 0444);
MODULE_PARM_DESC(zone_mb, "initial zone size per NUMA node in MiB, 0 up to the largest node's memory, rounded up to whole chunks; never given back (default 64)");

static unsigned int zone_max_mb;
module_param(zone_max_mb, uint, 0444);
MODULE_PARM_DESC(zone_max_mb, "cap of each node's zone in MiB, bounded by the node's memory; 0: zone_mb (no growth), or the node's memory if zone_mb is 0 (default 0)");

/* For the tests of load failures only. */
static unsigned int fail_chunk;
module_param(fail_chunk, uint, 0444);
MODULE_PARM_DESC(fail_chunk, "tests: fail carving the n-th chunk of the zone");

static char *fail_init;
module_param(fail_init, charp, 0444);
MODULE_PARM_DESC(fail_init, "tests: fail loading at step zone, caches, debugfs or misc");

/* Pretend that step @step of loading failed, if the tests asked so. */
static int fail_step(const char *step)
{
	if (!fail_init || strcmp(fail_init, step))
		return 0;
	pr_info("xalloc: failing the load at step %s as asked\n", step);
	return -ENOMEM;
}

/* No node can give a zone larger than the largest node's memory. */
static bool zone_mb_ok(void)
{
	unsigned long max = 0;
	int nid;

	for_each_node_state(nid, N_NORMAL_MEMORY)
		max = max(max, node_present_pages(nid));
	max >>= 20 - PAGE_SHIFT;
	if (zone_mb > max) {
		pr_err("xalloc: zone_mb=%u must be 0 to %lu, the largest node's memory in MiB\n",
		       zone_mb, max);
		return false;
	}
	if (zone_max_mb && zone_max_mb < zone_mb) {
		pr_err("xalloc: zone_max_mb=%u is below zone_mb=%u\n", zone_max_mb, zone_mb);
		return false;
	}
	return true;
}

/* The cap in pages: zone_max_mb, or its default (bounded per node later). */
static unsigned long zone_max_pages(void)
{
	unsigned int mb = zone_max_mb ?: zone_mb;

	return mb ? (unsigned long)mb << (20 - PAGE_SHIFT) : ULONG_MAX;
}

static int __init xalloc_init(void)
{
	int ret;

	if (!zone_mb_ok())
		return -EINVAL;
	ret = xalloc_rcu_init();
	if (ret)
		return ret;
	if (fail_chunk)
		xalloc_fail_set(XALLOC_FAIL_CHUNK, 100, fail_chunk, 1);
	ret = fail_step("zone");
	if (!ret)
		ret = xalloc_zone_init((unsigned long)zone_mb << (20 - PAGE_SHIFT),
				       zone_max_pages());
	xalloc_fail_set(XALLOC_FAIL_CHUNK, 0, 0, 0);
	if (ret)
		goto err_rcu_exit;
	ret = xalloc_slab_init();
	if (ret)
		goto err_zone_exit;
	ret = fail_step("caches");
	if (!ret)
		ret = xalloc_kmalloc_init();
	if (ret)
		goto err_slab_exit;
	ret = xalloc_shrink_init();
	if (ret)
		goto err_kmalloc_exit;
	ret = fail_step("misc");
	if (!ret)
		ret = xalloc_chardev_init();
	if (ret)
		goto err_shrink_exit;
	ret = fail_step("debugfs");
	if (ret)
		goto err_chardev_exit;
	/* Last: nothing may fail once a debugfs file can be opened. */
	xalloc_debugfs_init();
	xalloc_report_debugfs_init();
	xalloc_slab_debugfs_init();
	xalloc_fail_debugfs_init();
	xalloc_shrink_debugfs_init();
	return 0;

err_chardev_exit:
	xalloc_chardev_exit();
err_shrink_exit:
	xalloc_shrink_exit();
err_kmalloc_exit:
	xalloc_rcu_barrier();
	xalloc_kmalloc_exit();
err_slab_exit:
	xalloc_slab_exit();
err_zone_exit:
	xalloc_zone_exit();
err_rcu_exit:
	xalloc_rcu_exit();
	return ret;
}

static void __exit xalloc_exit(void)
{
	xalloc_chardev_exit();
	xalloc_shrink_exit();
	xalloc_rcu_exit();
	xalloc_kmalloc_exit();
	xalloc_slab_exit();
	xalloc_debugfs_exit();
	xalloc_zone_exit();
}

module_init(xalloc_init);
module_exit(xalloc_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("xalloc: a private buddy zone and SLUB layer");
