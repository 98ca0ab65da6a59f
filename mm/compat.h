/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Differences between the kernels xalloc builds on (6.1 to 6.12), kept in one
 * place so that the allocator itself reads the same on all of them.
 */
#ifndef _XALLOC_COMPAT_H
#define _XALLOC_COMPAT_H

#include <linux/version.h>
#include <linux/mmzone.h>

/*
 * XALLOC_MAX_ORDER: the largest order the kernel's page allocator hands out,
 * inclusive. 6.1 has MAX_ORDER exclusive, 6.4 made it inclusive and 6.8
 * renamed it MAX_PAGE_ORDER.
 */
#if defined(MAX_PAGE_ORDER)
#define XALLOC_MAX_ORDER	MAX_PAGE_ORDER
#elif LINUX_VERSION_CODE >= KERNEL_VERSION(6, 4, 0)
#define XALLOC_MAX_ORDER	MAX_ORDER
#else
#define XALLOC_MAX_ORDER	(MAX_ORDER - 1)
#endif

#define XALLOC_NR_ORDERS	(XALLOC_MAX_ORDER + 1)

#endif /* _XALLOC_COMPAT_H */
