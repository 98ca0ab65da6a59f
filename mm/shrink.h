/* SPDX-License-Identifier: GPL-2.0 */
/* xalloc's shrinker and its debugfs file (mm/shrink.c). */
#ifndef _XALLOC_SHRINK_H
#define _XALLOC_SHRINK_H

unsigned long xalloc_shrink_count(void);
int xalloc_shrink_init(void);
void xalloc_shrink_debugfs_init(void);
void xalloc_shrink_exit(void);

#endif /* _XALLOC_SHRINK_H */
