// SPDX-License-Identifier: GPL-2.0
/*
 * mm/compat_order.h against the page order definitions of every kernel
 * xalloc claims (6.1 to 6.12), as each version's include/linux/mmzone.h has
 * them on x86 (no CONFIG_ARCH_FORCE_MAX_ORDER). A compile-time test that
 * make check runs with gcc -fsyntax-only: it builds, or it does not.
 * MAX_ORDER_NR_PAGES is written out: 1 << (MAX_ORDER - 1) on 6.1 to 6.3,
 * 1 << MAX_ORDER on 6.4 to 6.7, 1 << MAX_PAGE_ORDER from 6.8.
 */

#include <assert.h>

/* 6.1 to 6.3: MAX_ORDER 11, exclusive. */
#define MAX_ORDER 11
#define MAX_ORDER_NR_PAGES 1024
#include "../../mm/compat_order.h"
static_assert(XALLOC_MAX_ORDER == 10, "6.1 to 6.3");
#undef MAX_ORDER
#undef MAX_ORDER_NR_PAGES

/* 6.4 to 6.7: MAX_ORDER 10, inclusive. */
#define MAX_ORDER 10
#define MAX_ORDER_NR_PAGES 1024
#include "../../mm/compat_order.h"
static_assert(XALLOC_MAX_ORDER == 10, "6.4 to 6.7");
#undef MAX_ORDER
#undef MAX_ORDER_NR_PAGES

/* 6.8 on: MAX_PAGE_ORDER 10, no MAX_ORDER. */
#define MAX_PAGE_ORDER 10
#define MAX_ORDER_NR_PAGES 1024
#include "../../mm/compat_order.h"
static_assert(XALLOC_MAX_ORDER == 10, "6.8 on");
