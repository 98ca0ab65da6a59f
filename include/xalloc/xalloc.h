/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xalloc: a loadable module that carries its own allocators.
 *
 * The kernel API, named after the kernel's own: a buddy allocator over a
 * private zone carved from the page allocator at load time.
 */
#ifndef _XALLOC_XALLOC_H
#define _XALLOC_XALLOC_H

#include <linux/gfp.h>
#include <linux/mm_types.h>

struct page *xalloc_alloc_pages_node(int nid, gfp_t gfp, unsigned int order);
struct page *xalloc_alloc_pages(gfp_t gfp, unsigned int order);
void xalloc_free_pages(struct page *page, unsigned int order);

#endif /* _XALLOC_XALLOC_H */
