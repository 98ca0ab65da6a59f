/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Differences between the kernels xalloc builds on (6.1 to 6.12), kept in one
 * place so that the allocator itself reads the same on all of them.
 */
#ifndef _XALLOC_COMPAT_H
#define _XALLOC_COMPAT_H

#include <linux/kasan.h>
#include <linux/mm.h>
#include <linux/mmzone.h>
#include <linux/percpu.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/shrinker.h>
#include <linux/slab.h>
#include <asm/cmpxchg.h>

#include "compat_order.h"

#define XALLOC_NR_ORDERS	(XALLOC_MAX_ORDER + 1)

#ifndef CONFIG_X86_64
#error "xalloc's lockless fast paths need x86-64 and its cmpxchg16b"
#endif

/*
 * PREEMPT_RT turns spinlock_t into a sleeping lock, but xalloc takes its
 * list locks inside local_irq_save() regions (a CPU's slab and page lists).
 * Those would need local locks and raw spinlocks; until then, no RT build.
 */
#ifdef CONFIG_PREEMPT_RT
#error "xalloc does not support PREEMPT_RT: its per-CPU paths take spinlock_t with interrupts off"
#endif

/*
 * A pointer and a counter that change together with one double-word
 * cmpxchg: a CPU's {freelist, tid} and a slab's {freelist, counters}.
 * 6.1 has cmpxchg_double(); 6.5 replaced it with a 128-bit cmpxchg.
 */
union xalloc_aba {
	struct {
		void *freelist;
		unsigned long counter;
	};
#ifdef system_has_cmpxchg128
	u128 full;
#endif
} __aligned(2 * sizeof(void *));

#ifdef system_has_cmpxchg128
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
 * The kernel's this_cpu_cmpxchg_double() (6.1) and this_cpu_try_cmpxchg128()
 * (6.12) fall back to this_cpu_cmpxchg16b_emu(), which is not exported to
 * modules. xalloc requires cmpxchg16b (checked at load) and issues the
 * segment-relative instruction itself, as those macros do.
 */
#ifdef __my_cpu_var
#define xalloc_my_cpu_var(var)	__my_cpu_var(var)
#else
#define xalloc_my_cpu_var(var)	(var)
#endif

/* Compare and exchange this CPU's @pcp, a union xalloc_aba lvalue. */
#define xalloc_this_cpu_cmpxchg_aba(pcp, old, new)			\
({									\
	union xalloc_aba __old = (old), __new = (new);			\
	bool __ret;							\
									\
	asm volatile("cmpxchg16b " __percpu_arg([var])			\
		     CC_SET(z)						\
		     : CC_OUT(z) (__ret),				\
		       [var] "+m" (xalloc_my_cpu_var(pcp)),		\
		       "+a" (__old.freelist), "+d" (__old.counter)	\
		     : "b" (__new.freelist), "c" (__new.counter)	\
		     : "memory");					\
	__ret;								\
})

/*
 * KASAN generic mode: one shadow byte per 8-byte granule, 0 when all of it is
 * valid, 1..7 when only that many first bytes are, and the kernel's
 * (mm/kasan/kasan.h, private) values for poisoned memory, which its reports
 * turn into bug types: the same in 6.1 and 6.12.
 */
#define XALLOC_KASAN_GRANULE		8UL
#ifdef CONFIG_KASAN_GENERIC
static_assert(XALLOC_KASAN_GRANULE == 1UL << KASAN_SHADOW_SCALE_SHIFT);
#define XALLOC_KASAN_PAGE_FREE		0xff	/* "use-after-free" */
#define XALLOC_KASAN_PAGE_REDZONE	0xfe	/* "slab-out-of-bounds" */
#define XALLOC_KASAN_SLAB_REDZONE	0xfc	/* "slab-out-of-bounds" */
#define XALLOC_KASAN_SLAB_FREE		0xfb	/* "(slab-)use-after-free" */
#endif

/*
 * Waiting for the kernel's own kfree_rcu() batches: kvfree_rcu_barrier()
 * came in 6.12 (Kbuild finds it in the kernel's Module.symvers). Before,
 * rcu_barrier() does not wait for them; their monitor hands a batch to a
 * grace period 5 s after its first object at the latest, so the wait is
 * that long.
 */
static inline void xalloc_kvfree_rcu_barrier(void)
{
#ifdef XALLOC_HAVE_KVFREE_RCU_BARRIER
	kvfree_rcu_barrier();
#else
	rcu_barrier();
	schedule_timeout_uninterruptible(5 * HZ + HZ / 10);
	rcu_barrier();
#endif
}

/*
 * A per-CPU trylock for the sheaves (mm/slab_sheaf.c), standing in for the
 * kernel's local_trylock_t, which came in 6.15: preemption off plus a busy
 * flag of this CPU. An interrupt on the same CPU that finds the flag set
 * fails the trylock and takes the slab path instead; once it returns, the
 * interrupted holder goes on. Only this CPU (its task and its interrupts)
 * reads and writes the flag, so plain accesses ordered by barrier() are
 * enough: no atomic and no interrupt masking, about the cost of
 * preempt_disable()/preempt_enable() and a byte store each way, where
 * local_irq_save()/restore() would pay a pushf/cli/popf round trip on every
 * operation. Not for NMI context (nor is the rest of xalloc).
 */
struct xalloc_local_trylock {
	u8 acquired;
};

/*
 * Take this CPU's lock of the per-CPU @pcp (a struct xalloc_local_trylock
 * __percpu *): its this-CPU address, preemption off; NULL if this CPU holds
 * it already (an interrupt landed inside the holder).
 */
#define xalloc_local_trylock(pcp)					\
({									\
	struct xalloc_local_trylock *__l;				\
									\
	preempt_disable();						\
	__l = this_cpu_ptr(pcp);					\
	if (unlikely(READ_ONCE(__l->acquired))) {			\
		preempt_enable();					\
		__l = NULL;						\
	} else {							\
		WRITE_ONCE(__l->acquired, 1);				\
		barrier();						\
	}								\
	__l;								\
})

static __always_inline void xalloc_local_unlock(struct xalloc_local_trylock *l)
{
	barrier();
	WRITE_ONCE(l->acquired, 0);
	preempt_enable();
}

/*
 * Shrinkers: 6.1 registers a struct the caller owns (register_shrinker()
 * with a name since 6.0); 6.7 allocates them (shrinker_alloc(),
 * shrinker_register(), shrinker_free()), which Kbuild finds in the kernel's
 * Module.symvers.
 */
static inline struct shrinker *
xalloc_shrinker_create(const char *name,
		       unsigned long (*count)(struct shrinker *, struct shrink_control *),
		       unsigned long (*scan)(struct shrinker *, struct shrink_control *))
{
	struct shrinker *s;

#ifdef XALLOC_HAVE_SHRINKER_ALLOC
	s = shrinker_alloc(0, "%s", name);
	if (!s)
		return NULL;
	s->count_objects = count;
	s->scan_objects = scan;
	shrinker_register(s);
#else
	s = kzalloc(sizeof(*s), GFP_KERNEL);
	if (!s)
		return NULL;
	s->count_objects = count;
	s->scan_objects = scan;
	s->seeks = DEFAULT_SEEKS;
	if (register_shrinker(s, "%s", name)) {
		kfree(s);
		return NULL;
	}
#endif
	return s;
}

static inline void xalloc_shrinker_destroy(struct shrinker *s)
{
	if (!s)
		return;
#ifdef XALLOC_HAVE_SHRINKER_ALLOC
	shrinker_free(s);
#else
	unregister_shrinker(s);
	kfree(s);
#endif
}

/*
 * Setting a VMA's flags: a plain write to vm_flags up to 6.2, vm_flags_set()
 * (which asserts the mmap write lock) from 6.3, when vm_flags became const.
 */
static inline void xalloc_vm_flags_set(struct vm_area_struct *vma, vm_flags_t flags)
{
#ifdef XALLOC_HAVE_VM_FLAGS_SET
	vm_flags_set(vma, flags);
#else
	vma->vm_flags |= flags;
#endif
}

#endif /* _XALLOC_COMPAT_H */
