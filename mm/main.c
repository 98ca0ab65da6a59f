// SPDX-License-Identifier: GPL-2.0
/*
 * xalloc module load and unload: carve the zone, start the SLUB layer and
 * the kmalloc caches, publish the debugfs views; undo in reverse.
 */

#include <linux/module.h>
#include <linux/moduleparam.h>

#include "debugfs.h"
#include "slab.h"
#include "zone.h"

static unsigned int zone_mb = 64;
module_param(zone_mb, uint, 0444);
MODULE_PARM_DESC(zone_mb, "zone size per NUMA node in MiB, rounded up to whole chunks (default 64)");

static int __init xalloc_init(void)
{
	int ret;

	if (!zone_mb)
		return -EINVAL;
	ret = xalloc_zone_init((unsigned long)zone_mb << (20 - PAGE_SHIFT));
	if (ret)
		return ret;
	xalloc_debugfs_init();
	xalloc_slab_debugfs_init();
	ret = xalloc_slab_init();
	if (ret)
		goto err_debugfs_exit;
	ret = xalloc_kmalloc_init();
	if (ret)
		goto err_slab_exit;
	return 0;

err_slab_exit:
	xalloc_slab_exit();
err_debugfs_exit:
	xalloc_debugfs_exit();
	xalloc_zone_exit();
	return ret;
}

static void __exit xalloc_exit(void)
{
	xalloc_kmalloc_exit();
	xalloc_slab_exit();
	xalloc_debugfs_exit();
	xalloc_zone_exit();
}

module_init(xalloc_init);
module_exit(xalloc_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("xalloc: a private buddy zone and SLUB layer");
