// SPDX-License-Identifier: GPL-2.0
/*
 * xalloc module load and unload: carve the zone, then publish the views.
 */

#include <linux/module.h>
#include <linux/moduleparam.h>

#include "debugfs.h"
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
	return 0;
}

static void __exit xalloc_exit(void)
{
	xalloc_debugfs_exit();
	xalloc_zone_exit();
}

module_init(xalloc_init);
module_exit(xalloc_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("xalloc: a private buddy zone and SLUB layer");
