/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Differences between the kernels xalloc builds on (6.1 to 6.12), kept in one
 * place so that the allocator itself reads the same on all of them.
 */
#ifndef _XALLOC_COMPAT_H
#define _XALLOC_COMPAT_H

#include <linux/version.h>
#include <linux/mmzone.h>
#include <linux/percpu.h>
#include <asm/cmpxchg.h>

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

/*
 * A pointer and a counter that change together with one double-word
 * cmpxchg: a CPU's {freelist, tid} and a slab's {freelist, counters}.
 * 6.1 has cmpxchg_double(); 6.5 added the 128-bit cmpxchg that replaced it.
 */
union xalloc_aba {
	struct {
		void *freelist;
		unsigned long counter;
	};
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 6, 0)
	u128 full;
#endif
} __aligned(2 * sizeof(void *));

#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 6, 0)
#define xalloc_has_cmpxchg_aba()	system_has_cmpxchg128()

static inline bool xalloc_cmpxchg_aba(union xalloc_aba *p, union xalloc_aba old,
				      union xalloc_aba new)
{
	return try_cmpxchg128(&p->full, &old.full, new.full);
}
#else
#define xalloc_has_cmpxchg_aba()	system_has_cmpxchg_double()

static inline bool xalloc_cmpxchg_aba(union xalloc_aba *p, union xalloc_aba old,
				      union xalloc_aba new)
{
	return cmpxchg_double(&p->freelist, &p->counter, old.freelist,
			      old.counter, new.freelist, new.counter);
}
#endif

/*
 * xalloc_this_cpu_cmpxchg_aba(pcp, old, new): cmpxchg of this CPU's @pcp.
 * On x86 the kernel's this_cpu_cmpxchg_double() (6.1) and
 * this_cpu_try_cmpxchg128() (6.12) fall back to this_cpu_cmpxchg16b_emu(),
 * which is not exported to modules; xalloc requires CX16 (checked at load)
 * and issues the segment-relative cmpxchg16b itself, as those macros do.
 */
#ifdef CONFIG_X86_64
#ifdef __my_cpu_var
#define xalloc_my_cpu_var(var)	__my_cpu_var(var)
#else
#define xalloc_my_cpu_var(var)	(var)
#endif

#define xalloc_this_cpu_cmpxchg_aba(pcp, old, new)			\
({									\
	union xalloc_aba __o = (old), __n = (new);			\
	bool __ret;							\
									\
	asm volatile("cmpxchg16b " __percpu_arg([var])			\
		     CC_SET(z)						\
		     : CC_OUT(z) (__ret),				\
		       [var] "+m" (xalloc_my_cpu_var(pcp)),		\
		       "+a" (__o.freelist), "+d" (__o.counter)		\
		     : "b" (__n.freelist), "c" (__n.counter)		\
		     : "memory");					\
	__ret;								\
})
#elif LINUX_VERSION_CODE >= KERNEL_VERSION(6, 6, 0)
#define xalloc_this_cpu_cmpxchg_aba(pcp, old, new)			\
({									\
	union xalloc_aba __o = (old);					\
	this_cpu_try_cmpxchg128((pcp).full, &__o.full, (new).full);	\
})
#else
#define xalloc_this_cpu_cmpxchg_aba(pcp, old, new)			\
	this_cpu_cmpxchg_double((pcp).freelist, (pcp).counter,		\
				(old).freelist, (old).counter,		\
				(new).freelist, (new).counter)
#endif

#endif /* _XALLOC_COMPAT_H */
