/* SPDX-License-Identifier: GPL-2.0 */
/*
 * XALLOC_MAX_ORDER: the largest order the kernel's page allocator hands out,
 * inclusive, from the kernel's own definitions in <linux/mmzone.h>:
 *   6.1 to 6.3: MAX_ORDER exclusive, MAX_ORDER_NR_PAGES 1 << (MAX_ORDER - 1);
 *   6.4 to 6.7: MAX_ORDER inclusive, MAX_ORDER_NR_PAGES 1 << MAX_ORDER;
 *   6.8 on:     MAX_PAGE_ORDER inclusive, and no MAX_ORDER.
 * Built and tested on 6.1 and 6.12; tools/testing/compat_order_test.c feeds
 * it the definitions of each version. No include guard, so that the test
 * can include it once per version.
 */
#undef XALLOC_MAX_ORDER
#if defined(MAX_PAGE_ORDER)
#define XALLOC_MAX_ORDER	MAX_PAGE_ORDER
#elif MAX_ORDER_NR_PAGES == 1 << MAX_ORDER
#define XALLOC_MAX_ORDER	MAX_ORDER
#else
#define XALLOC_MAX_ORDER	(MAX_ORDER - 1)
#endif
