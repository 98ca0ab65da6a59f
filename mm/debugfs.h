/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _XALLOC_DEBUGFS_H
#define _XALLOC_DEBUGFS_H

#include <linux/debugfs.h>

/* /sys/kernel/debug/xalloc, or an error pointer without debugfs. */
extern struct dentry *xalloc_debugfs_root;

/*
 * A "validate" file: a write runs @run, which returns the number of errors
 * it found (and printed); a read shows that number.
 */
struct xalloc_validate_file {
	long (*run)(struct xalloc_validate_file *v);
	long last;		/* errors of the last run, or -1 */
};

void xalloc_debugfs_validate(struct dentry *dir, struct xalloc_validate_file *v);
void xalloc_debugfs_init(void);
void xalloc_debugfs_exit(void);
void xalloc_zonemap_debugfs_init(void);

#endif /* _XALLOC_DEBUGFS_H */
