/* SPDX-License-Identifier: GPL-2.0 */
/*
 * /dev/xalloc, the character device that lets user space drive xalloc
 * through the ioctls of include/uapi/linux/xalloc.h (mm/chardev.c), and its
 * in-kernel benchmarks (mm/dev_bench.c).
 */
#ifndef _XALLOC_CHARDEV_H
#define _XALLOC_CHARDEV_H

struct xalloc_bench;

int xalloc_chardev_init(void);
void xalloc_chardev_exit(void);

int xalloc_dev_bench(struct xalloc_bench *b);

#endif /* _XALLOC_CHARDEV_H */
