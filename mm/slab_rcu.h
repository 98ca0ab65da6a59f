/* SPDX-License-Identifier: GPL-2.0 */
/*
 * RCU for the SLUB layer (mm/slab_rcu.c): slabs of XALLOC_TYPESAFE_BY_RCU
 * caches that go back to the zone after a grace period, and objects freed
 * after one (xalloc_kfree_rcu(), xalloc_cache_free_rcu()).
 */
#ifndef _XALLOC_SLAB_RCU_H
#define _XALLOC_SLAB_RCU_H

struct xalloc_cache;
struct xalloc_page;

void xalloc_rcu_discard_slab(struct xalloc_page *slab);
void xalloc_rcu_wait_slabs(struct xalloc_cache *s);
void xalloc_rcu_cache_sync(struct xalloc_cache *s);
unsigned long xalloc_rcu_slabs_pending(void);
int xalloc_rcu_init(void);
void xalloc_rcu_exit(void);

#endif /* _XALLOC_SLAB_RCU_H */
