/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _XALLOC_DEBUGFS_H
#define _XALLOC_DEBUGFS_H

#include <linux/debugfs.h>

/* /sys/kernel/debug/xalloc, or an error pointer without debugfs. */
extern struct dentry *xalloc_debugfs_root;

void xalloc_debugfs_init(void);
void xalloc_debugfs_exit(void);
void xalloc_zonemap_debugfs_init(void);

#endif /* _XALLOC_DEBUGFS_H */
