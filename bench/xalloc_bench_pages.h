/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Pages each side holds, for the modules of bench/: the kernel's slab pages
 * and xalloc's zone pages, read the same way by every benchmark.
 */
#ifndef _XALLOC_BENCH_PAGES_H
#define _XALLOC_BENCH_PAGES_H

#include <linux/cpumask.h>
#include <linux/mmzone.h>
#include <linux/nodemask.h>
#include <linux/vmstat.h>

#include "../mm/zone.h"

/*
 * The kernel's slab pages, exactly: the global counts and every CPU's
 * difference not yet folded into them.
 */
static inline long xalloc_bench_kernel_slab_pages(void)
{
	long pages = global_node_page_state_pages(NR_SLAB_UNRECLAIMABLE_B) +
		     global_node_page_state_pages(NR_SLAB_RECLAIMABLE_B);
	int nid, cpu;

	for_each_online_node(nid) {
		struct pglist_data *pgdat = NODE_DATA(nid);

		for_each_online_cpu(cpu) {
			struct per_cpu_nodestat *p = per_cpu_ptr(pgdat->per_cpu_nodestats, cpu);

			pages += p->vm_node_stat_diff[NR_SLAB_UNRECLAIMABLE_B] +
				 p->vm_node_stat_diff[NR_SLAB_RECLAIMABLE_B];
		}
	}
	return pages;
}

/*
 * xalloc's zone pages of every node: all it carved and has not given back
 * (@in_use false), or only those neither free nor on per-CPU lists.
 */
static inline long xalloc_bench_zone_pages(bool in_use)
{
	struct xalloc_zone_info info;
	long pages = 0;
	int nid;

	for_each_online_node(nid) {
		if (!xalloc_zone_info(nid, &info))
			continue;
		pages += info.present_pages;
		if (in_use)
			pages -= info.free_pages + info.pcp_pages;
	}
	return pages;
}

#endif /* _XALLOC_BENCH_PAGES_H */
