/* SPDX-License-Identifier: GPL-2.0 */
/*
 * KASAN shadow for xalloc's memory (generic mode only). The kernel's own
 * slab hooks take a struct kmem_cache and are not for modules, so xalloc
 * writes the shadow itself: free objects, never-allocated objects, the tail
 * of a kmalloc object past the size asked, red zones, metadata, slab padding
 * and free page blocks are poisoned; an allocation unpoisons exactly the
 * bytes asked for.
 *
 * The files that touch free memory themselves (freelist words, poison and
 * red-zone checks) are built without KASAN instrumentation (Kbuild), and
 * wrap their calls into instrumented library code (memchr_inv(),
 * print_hex_dump()) in xalloc_kasan_disable()/xalloc_kasan_enable(), as
 * SLUB's metadata_access_enable() does.
 *
 * Without CONFIG_KASAN_GENERIC everything here is an empty inline.
 */
#ifndef _XALLOC_KASAN_H
#define _XALLOC_KASAN_H

#include <linux/kasan.h>
#include <linux/string.h>
#include <linux/types.h>

#include "compat.h"

#ifdef CONFIG_KASAN_GENERIC

#define XALLOC_KASAN_REDZONE	XALLOC_KASAN_GRANULE

/* Mark [@addr, @addr + @size) invalid; both granule-aligned. */
static inline void xalloc_kasan_poison(const void *addr, size_t size, u8 value)
{
	__memset(kasan_mem_to_shadow(addr), value, size / XALLOC_KASAN_GRANULE);
}

/* Mark [@addr, @addr + @size) valid; @addr granule-aligned. */
static inline void xalloc_kasan_unpoison(const void *addr, size_t size)
{
	u8 *shadow = kasan_mem_to_shadow(addr);
	u8 partial = size & (XALLOC_KASAN_GRANULE - 1);

	__memset(shadow, 0, size / XALLOC_KASAN_GRANULE);
	if (partial)
		__memset(shadow + size / XALLOC_KASAN_GRANULE, partial, 1);
}

/* Whether the first byte at @addr is valid memory. */
static inline bool xalloc_kasan_valid(const void *addr)
{
	return (s8)*(u8 *)kasan_mem_to_shadow(addr) >= 0;
}

/* Shadow byte of @addr, for reports. */
static inline u8 xalloc_kasan_shadow(const void *addr)
{
	return *(u8 *)kasan_mem_to_shadow(addr);
}

static inline void xalloc_kasan_disable(void)
{
	kasan_disable_current();
}

static inline void xalloc_kasan_enable(void)
{
	kasan_enable_current();
}

#else /* !CONFIG_KASAN_GENERIC */

#define XALLOC_KASAN_REDZONE	0
#define XALLOC_KASAN_PAGE_FREE		0
#define XALLOC_KASAN_PAGE_REDZONE	0
#define XALLOC_KASAN_SLAB_REDZONE	0
#define XALLOC_KASAN_SLAB_FREE		0

static inline void xalloc_kasan_poison(const void *addr, size_t size, u8 value) { }
static inline void xalloc_kasan_unpoison(const void *addr, size_t size) { }
static inline bool xalloc_kasan_valid(const void *addr) { return true; }
static inline u8 xalloc_kasan_shadow(const void *addr) { return 0; }
static inline void xalloc_kasan_disable(void) { }
static inline void xalloc_kasan_enable(void) { }

#endif /* CONFIG_KASAN_GENERIC */

#endif /* _XALLOC_KASAN_H */
