/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The KASAN quarantine: freed objects wait in a bounded FIFO, poisoned,
 * before they go back to their slabs, so that a use after free is caught
 * even after other allocations. Only with CONFIG_KASAN_GENERIC; objects of
 * debug caches are not quarantined (their checks run at free time).
 */
#ifndef _XALLOC_QUARANTINE_H
#define _XALLOC_QUARANTINE_H

#include <linux/types.h>

struct xalloc_cache;

#ifdef CONFIG_KASAN_GENERIC
bool xalloc_quarantine_put(struct xalloc_cache *s, void *obj);
#else
static inline bool xalloc_quarantine_put(struct xalloc_cache *s, void *obj)
{
	return false;
}
#endif

size_t xalloc_quarantine_set_limit(size_t bytes);
size_t xalloc_quarantine_bytes(void);
void xalloc_quarantine_drain(void);

#endif /* _XALLOC_QUARANTINE_H */
