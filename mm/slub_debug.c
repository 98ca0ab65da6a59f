// SPDX-License-Identifier: GPL-2.0
/*
 * Debugging for xalloc caches: red zones, poisoning, owner tracking, checks
 * on every free, validation and call-site traces, switched on per cache (by
 * flags at creation, by the debug= module parameter in slub_debug= syntax, or
 * at run time for an empty cache).
 *
 * A debug cache never uses the per-CPU freelists: its objects come and go
 * under the node's list_lock, one at a time, so every object can be checked
 * and its slab's lists stay exact (full slabs are listed too). The lockless
 * fast paths of other caches are untouched.
 *
 * Layout of one object of a debug cache (stride s->size):
 *
 *   | left red zone | object ... | right red zone | free ptr | tracks | orig |
 *   ^ red_left_pad  ^ object_size                ^ inuse    ^ track_offset
 *
 * Bytes: red zone 0xcc while allocated, 0xbb while free; free objects (P)
 * 0x6b ending in 0xa5; slab tail padding (P) 0x5a; kmalloc's unused slack
 * between the size asked and the class size 0xcc.
 *
 * Lock order (outer first):
 *   1. n->list_lock		slabs and objects of one node of a debug cache
 *   2. pcp->lock		(mm/pcp.c) when a slab is freed
 *   3. zone->lock		(mm/buddy.c) when a slab is freed
 *   4. xalloc_report_lock	(mm/report.c)
 */

#include <linux/cpu.h>
#include <linux/jiffies.h>
#include <linux/moduleparam.h>
#include <linux/printk.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/stackdepot.h>
#include <linux/stacktrace.h>
#include <linux/string.h>

#include "kasan.h"
#include "report.h"
#include "slab.h"

#define XALLOC_RED_INACTIVE	0xbb
#define XALLOC_RED_ACTIVE	0xcc
#define XALLOC_POISON_FREE	0x6b
#define XALLOC_POISON_END	0xa5
#define XALLOC_POISON_PAD	0x5a
#define TRACK_DEPTH	16

static char *debug;
module_param(debug, charp, 0444);
MODULE_PARM_DESC(debug, "debug flags FZPU for all caches, or for a comma list after them, as slub_debug=");

struct xalloc_track {
	unsigned long addr;		/* caller */
#ifdef CONFIG_STACKDEPOT
	depot_stack_handle_t handle;
#endif
	int cpu;
	int pid;
	unsigned long when;		/* jiffies */
};

/* ---- Flags from debug= -------------------------------------------------- */

static unsigned long parse_flags(const char *p, const char *end)
{
	unsigned long flags = 0;

	if (p == end)
		return XALLOC_DEBUG_FLAGS;
	for (; p < end; p++) {
		switch (*p) {
		case 'f': case 'F':
			flags |= XALLOC_CONSISTENCY_CHECKS;
			break;
		case 'z': case 'Z':
			flags |= XALLOC_RED_ZONE;
			break;
		case 'p': case 'P':
			flags |= XALLOC_POISON;
			break;
		case 'u': case 'U':
			flags |= XALLOC_STORE_USER;
			break;
		case '-':
			break;
		default:
			pr_warn("xalloc: debug=: unknown flag '%c' ignored\n", *p);
		}
	}
	return flags;
}

/**
 * xalloc_debug_parse() - debug flags that a debug= string gives a cache
 * @str: "FLAGS" or "FLAGS,name,name..." as slub_debug=; empty FLAGS means
 *       all of F, Z, P and U
 * @name: the cache
 *
 * Context: Any context.
 * Return: XALLOC_* debug flags, 0 if @str is NULL or does not name @name.
 */
unsigned long xalloc_debug_parse(const char *str, const char *name)
{
	const char *comma, *p;
	size_t len = strlen(name);

	if (!str || !*str)
		return 0;
	comma = strchr(str, ',');
	if (!comma)
		return parse_flags(str, str + strlen(str));
	for (p = comma + 1; *p; ) {
		const char *next = strchrnul(p, ',');

		if (next - p == len && !strncmp(p, name, len))
			return parse_flags(str, comma);
		p = *next ? next + 1 : next;
	}
	return 0;
}
EXPORT_SYMBOL_GPL(xalloc_debug_parse);

/**
 * xalloc_debug_flags_for() - debug flags of the debug= parameter for a cache
 * @name: the cache
 *
 * Context: Any context.
 * Return: XALLOC_* debug flags.
 */
unsigned long xalloc_debug_flags_for(const char *name)
{
	return xalloc_debug_parse(debug, name);
}

/* ---- Layout ------------------------------------------------------------- */

/**
 * xalloc_debug_calculate_sizes() - lay out a debug cache's object
 * @s: the cache, with flags, object_size and align set
 * @size: in: the object size rounded to words; out: the stride before
 *        alignment
 *
 * Context: Process context, at cache creation.
 */
void xalloc_debug_calculate_sizes(struct xalloc_cache *s, unsigned int *size)
{
	unsigned int sz = *size;

	if ((s->flags & XALLOC_RED_ZONE) && sz == s->object_size)
		sz += sizeof(void *);		/* room for a right red zone */
	s->inuse = sz;
	s->offset = sz;				/* keeps poison and zones whole */
	sz += sizeof(void *);
	s->track_offset = sz;
	if (s->flags & XALLOC_STORE_USER)
		sz += 2 * sizeof(struct xalloc_track);
	sz += sizeof(unsigned long);		/* size asked (kmalloc) */
	s->red_left_pad = 0;
	if (s->flags & XALLOC_RED_ZONE) {
		s->red_left_pad = ALIGN(sizeof(void *), s->align);
		sz += s->red_left_pad;
	}
	*size = sz;
}

static struct xalloc_track *get_track(struct xalloc_cache *s, void *obj, bool alloc)
{
	return (struct xalloc_track *)(obj + s->track_offset) + !alloc;
}

static unsigned long *orig_size_ptr(struct xalloc_cache *s, void *obj)
{
	unsigned int off = s->track_offset;

	if (s->flags & XALLOC_STORE_USER)
		off += 2 * sizeof(struct xalloc_track);
	return obj + off;
}

/* The size kmalloc asked for, as validation and traces read it from live objects. */
static unsigned long orig_size(struct xalloc_cache *s, void *obj)
{
	/* Acquire, paired with xalloc_debug_set_orig_size(), which writes it unlocked. */
	return smp_load_acquire(orig_size_ptr(s, obj));
}

/*
 * Whether free objects of @s are poisoned. A type-safe object keeps its
 * bytes for RCU readers; its slab is poisoned when it goes.
 */
static bool poison_objects(struct xalloc_cache *s)
{
	return (s->flags & (XALLOC_POISON | XALLOC_TYPESAFE_BY_RCU)) == XALLOC_POISON;
}

static void poison_object(struct xalloc_cache *s, void *obj)
{
	memset(obj, XALLOC_POISON_FREE, s->object_size - 1);
	((u8 *)obj)[s->object_size - 1] = XALLOC_POISON_END;
}

static void init_object(struct xalloc_cache *s, void *obj, u8 val)
{
	if (s->flags & XALLOC_RED_ZONE) {
		memset(obj - s->red_left_pad, val, s->red_left_pad);
		memset(obj + s->object_size, val, s->inuse - s->object_size);
	}
	if (poison_objects(s) && val == XALLOC_RED_INACTIVE)
		poison_object(s, obj);
}

static void *slab_end(struct xalloc_cache *s, struct xalloc_page *slab)
{
	return slab_address(slab) + slab->cnt.objects * s->size;
}

static unsigned long slab_bytes(struct xalloc_page *slab)
{
	return PAGE_SIZE << slab->order;
}

/**
 * xalloc_debug_init_slab() - give a new slab's objects their free state
 * @s: a debug cache
 * @slab: the new slab, not yet visible to anyone
 *
 * Context: Any context.
 */
void xalloc_debug_init_slab(struct xalloc_cache *s, struct xalloc_page *slab)
{
	void *p = slab_address(slab) + s->red_left_pad;

	for (unsigned int i = 0; i < slab->cnt.objects; i++, p += s->size) {
		init_object(s, p, XALLOC_RED_INACTIVE);
		if (s->flags & XALLOC_STORE_USER)
			memset(get_track(s, p, true), 0, 2 * sizeof(struct xalloc_track));
		*orig_size_ptr(s, p) = s->object_size;
	}
	if (s->flags & XALLOC_POISON)
		memset(slab_end(s, slab), XALLOC_POISON_PAD,
		       slab_address(slab) + slab_bytes(slab) - slab_end(s, slab));
}

/* ---- Owner tracking ----------------------------------------------------- */

#ifdef CONFIG_STACKDEPOT
static depot_stack_handle_t save_stack(gfp_t gfp)
{
	unsigned long entries[TRACK_DEPTH];
	unsigned int nr;

	nr = stack_trace_save(entries, ARRAY_SIZE(entries), 2);
	return stack_depot_save(entries, nr, gfp & ~(__GFP_ZERO | __GFP_DIRECT_RECLAIM));
}
#endif

struct xalloc_track_info {
	unsigned long addr;
#ifdef CONFIG_STACKDEPOT
	depot_stack_handle_t handle;
#endif
};

static void fill_track_info(struct xalloc_cache *s, struct xalloc_track_info *ti,
			    unsigned long addr, gfp_t gfp)
{
	ti->addr = addr;
#ifdef CONFIG_STACKDEPOT
	ti->handle = (s->flags & XALLOC_STORE_USER) ? save_stack(gfp) : 0;
#endif
}

static void set_track(struct xalloc_cache *s, void *obj, bool alloc,
		      struct xalloc_track_info *ti)
{
	struct xalloc_track *t;

	if (!(s->flags & XALLOC_STORE_USER))
		return;
	t = get_track(s, obj, alloc);
	t->addr = ti->addr;
#ifdef CONFIG_STACKDEPOT
	t->handle = ti->handle;
#endif
	t->cpu = raw_smp_processor_id();
	t->pid = current->pid;
	t->when = jiffies;
}

static void print_track(const char *what, struct xalloc_track *t)
{
	if (!t->addr)
		return;
	pr_err("xalloc: %s in %pS age=%lu cpu=%d pid=%d\n", what, (void *)t->addr,
	       jiffies - t->when, t->cpu, t->pid);
#ifdef CONFIG_STACKDEPOT
	if (t->handle) {
		unsigned long *entries;
		unsigned int nr = stack_depot_fetch(t->handle, &entries);

		for (unsigned int i = 0; i < nr; i++)
			pr_err("xalloc:  %pS\n", (void *)entries[i]);
	}
#endif
}

/* ---- Reports ------------------------------------------------------------ */

static void print_object(struct xalloc_cache *s, void *obj)
{
	void *start = obj - s->red_left_pad;

	if (s->flags & XALLOC_STORE_USER) {
		print_track("Allocated", get_track(s, obj, true));
		print_track("Freed", get_track(s, obj, false));
	}
	xalloc_kasan_disable();
	print_hex_dump(KERN_ERR, "xalloc: ", DUMP_PREFIX_OFFSET, 16, 1, start,
		       min_t(unsigned int, s->red_left_pad + s->inuse + sizeof(void *), 256),
		       true);
	xalloc_kasan_enable();
}

__printf(4, 5)
static void object_err(struct xalloc_cache *s, struct xalloc_page *slab,
		       void *obj, const char *fmt, ...)
{
	struct va_format vaf;
	va_list args;

	va_start(args, fmt);
	vaf.fmt = fmt;
	vaf.va = &args;
	xalloc_report(s->name, obj, "%pV in object %lu of a slab of %u", &vaf,
		      (unsigned long)(obj - s->red_left_pad - slab_address(slab)) / s->size,
		      slab->cnt.objects);
	va_end(args);
	print_object(s, obj);
}

/* Check that [start, start + len) holds @val; restore it if not. */
static bool check_bytes(struct xalloc_cache *s, struct xalloc_page *slab,
			void *obj, const char *what, void *start, u8 val,
			size_t len)
{
	u8 *fault, *end;

	xalloc_kasan_disable();
	fault = memchr_inv(start, val, len);
	xalloc_kasan_enable();
	if (!fault)
		return true;
	end = start + len;
	while (end > fault && end[-1] == val)
		end--;
	object_err(s, slab, obj, "%s overwritten at offset %ld, first byte 0x%x instead of 0x%x",
		   what, (long)(fault - (u8 *)obj), *fault, val);
	pr_err("xalloc: FIX %s: Restoring %s 0x%p-0x%p=0x%x\n", s->name, what,
	       fault, end - 1, val);
	memset(fault, val, end - fault);
	return false;
}

static bool check_object(struct xalloc_cache *s, struct xalloc_page *slab,
			 void *obj, u8 val)
{
	bool ok = true;

	if (s->flags & XALLOC_RED_ZONE) {
		unsigned long orig = orig_size(s, obj);

		ok &= check_bytes(s, slab, obj, "Left Redzone", obj - s->red_left_pad,
				  val, s->red_left_pad);
		ok &= check_bytes(s, slab, obj, "Right Redzone", obj + s->object_size,
				  val, s->inuse - s->object_size);
		if (val == XALLOC_RED_ACTIVE && orig < s->object_size)
			ok &= check_bytes(s, slab, obj, "kmalloc Redzone", obj + orig,
					  XALLOC_RED_ACTIVE, s->object_size - orig);
	}
	if (poison_objects(s) && val == XALLOC_RED_INACTIVE) {
		ok &= check_bytes(s, slab, obj, "Poison", obj, XALLOC_POISON_FREE,
				  s->object_size - 1);
		ok &= check_bytes(s, slab, obj, "Poison", obj + s->object_size - 1,
				  XALLOC_POISON_END, 1);
	}
	return ok;
}

/* ---- Freelists ---------------------------------------------------------- */

static bool valid_object(struct xalloc_cache *s, struct xalloc_page *slab, void *p)
{
	return slab_object_index(s, slab, p) >= 0;
}

static void *object_at(struct xalloc_cache *s, struct xalloc_page *slab,
		       unsigned int i)
{
	return slab_address(slab) + s->red_left_pad + i * s->size;
}

/*
 * Whether both red zones of @p read inactive, the sign of a free object. An
 * overflow of 0xbb out of one object reaches only its right zone and the
 * next object's left one: neither live object looks free.
 */
static bool zones_inactive(struct xalloc_cache *s, void *p)
{
	bool inactive;

	xalloc_kasan_disable();
	inactive = !memchr_inv(p - s->red_left_pad, XALLOC_RED_INACTIVE, s->red_left_pad) &&
		   !memchr_inv(p + s->object_size, XALLOC_RED_INACTIVE,
			       s->inuse - s->object_size);
	xalloc_kasan_enable();
	return inactive;
}

/*
 * Rebuild a broken freelist. With red zones, the free objects are those whose
 * zones read inactive; without, the list ends before the broken pointer.
 * The caller puts the slab on the list its new freelist calls for.
 */
static unsigned int repair_freelist(struct xalloc_cache *s, struct xalloc_page *slab,
				    void *last_good, unsigned int nr_good)
{
	unsigned int nr = 0;
	void *head = NULL;

	if (s->flags & XALLOC_RED_ZONE) {
		for (int i = slab->cnt.objects - 1; i >= 0; i--) {
			void *p = object_at(s, slab, i);

			if (!zones_inactive(s, p))
				continue;
			set_freepointer(s, p, head);
			head = p;
			nr++;
		}
		slab->freelist = head;
	} else {
		if (last_good)
			set_freepointer(s, last_good, NULL);
		else
			slab->freelist = NULL;
		nr = nr_good;
	}
	slab->cnt.inuse = slab->cnt.objects - nr;
	pr_err("xalloc: FIX %s: Rebuilt the freelist: %u free objects\n", s->name, nr);
	return nr;
}

/*
 * Walk a slab's freelist, marking free objects in @map (if given); report
 * and repair a corrupted pointer. Caller holds the node's list_lock.
 * Return: the number of free objects.
 */
static unsigned int walk_freelist(struct xalloc_cache *s, struct xalloc_page *slab,
				  unsigned long *map)
{
	void *p = slab->freelist, *prev = NULL;
	unsigned int nr = 0;

	while (p) {
		if (!valid_object(s, slab, p) || nr >= slab->cnt.objects ||
		    (map && test_bit(slab_object_index(s, slab, p), map))) {
			xalloc_report(s->name, prev ? prev + s->offset : slab_address(slab),
				      "freelist pointer corrupted after %u free objects", nr);
			nr = repair_freelist(s, slab, prev, nr);
			if (map) {
				bitmap_zero(map, slab->cnt.objects);
				for (p = slab->freelist; p; p = get_freepointer(s, p))
					__set_bit(slab_object_index(s, slab, p), map);
			}
			return nr;
		}
		if (map)
			__set_bit(slab_object_index(s, slab, p), map);
		prev = p;
		p = get_freepointer(s, p);
		nr++;
	}
	return nr;
}

static bool on_freelist(struct xalloc_cache *s, struct xalloc_page *slab, void *obj)
{
	void *p;

	walk_freelist(s, slab, NULL);	/* repairs a broken list first */
	for (p = slab->freelist; p; p = get_freepointer(s, p))
		if (p == obj)
			return true;
	return false;
}

/* ---- Allocation and free ------------------------------------------------ */

static struct xalloc_cache_node *debug_node(struct xalloc_cache *s, int node)
{
	int nid = node == NUMA_NO_NODE ? numa_mem_id() : node;

	if (nid >= 0 && nid < nr_node_ids && s->node[nid])
		return s->node[nid];
	for_each_node(nid)
		if (s->node[nid])
			return s->node[nid];
	return NULL;
}

/**
 * xalloc_debug_alloc_caller() - allocate one object of a debug cache, checked
 * @s: a debug cache
 * @gfp: allocation flags
 * @node: preferred node, or NUMA_NO_NODE
 * @addr: the caller, for owner tracking
 *
 * Context: Any context with a suitable @gfp.
 * Return: the object, or NULL.
 */
void *xalloc_debug_alloc_caller(struct xalloc_cache *s, gfp_t gfp, int node,
				unsigned long addr)
{
	struct xalloc_cache_node *n = debug_node(s, node);
	struct xalloc_track_info ti;
	struct xalloc_page *slab;
	unsigned long flags;
	void *obj, *next;

	fill_track_info(s, &ti, addr, gfp);
again:
	spin_lock_irqsave(&n->list_lock, flags);
	slab = list_first_entry_or_null(&n->partial, struct xalloc_page, list);
	if (!slab) {
		spin_unlock_irqrestore(&n->list_lock, flags);
		slab = xalloc_new_slab(s, gfp, node);
		if (!slab)
			return NULL;
		n = s->node[slab->chunk->zone->nid];
		spin_lock_irqsave(&n->list_lock, flags);
		xalloc_add_partial(n, slab, false);
	}
	obj = slab->freelist;
	next = get_freepointer(s, obj);
	if (unlikely(next && !valid_object(s, slab, next))) {
		xalloc_report(s->name, obj + s->offset, "freelist pointer corrupted");
		repair_freelist(s, slab, obj, 1);
		if (!slab->freelist) {
			xalloc_remove_partial(n, slab);
			list_add(&slab->list, &n->full);
			spin_unlock_irqrestore(&n->list_lock, flags);
			goto again;
		}
		obj = slab->freelist;
		next = get_freepointer(s, obj);
	}
	slab->freelist = next;
	slab->cnt.inuse++;
	if (!slab->freelist) {
		xalloc_remove_partial(n, slab);
		list_add(&slab->list, &n->full);
	}
	check_object(s, slab, obj, XALLOC_RED_INACTIVE);
	init_object(s, obj, XALLOC_RED_ACTIVE);
	*orig_size_ptr(s, obj) = s->object_size;
	set_track(s, obj, true, &ti);
	xalloc_stat(s, ALLOC_SLOWPATH);
	spin_unlock_irqrestore(&n->list_lock, flags);
	return obj;
}

/**
 * xalloc_debug_free_caller() - free one object of a debug cache, checked
 * @s: the object's cache
 * @slab: its slab
 * @obj: the object, at an object boundary
 * @addr: the caller, for owner tracking
 *
 * A double free is reported and refused; overwritten red zones are reported,
 * restored, and the object freed.
 *
 * Context: Any context.
 */
void xalloc_debug_free_caller(struct xalloc_cache *s, struct xalloc_page *slab,
			      void *obj, unsigned long addr)
{
	struct xalloc_cache_node *n = s->node[slab->chunk->zone->nid];
	struct xalloc_track_info ti;
	bool was_full, discard = false;
	unsigned long flags;

	fill_track_info(s, &ti, addr, GFP_NOWAIT);
	spin_lock_irqsave(&n->list_lock, flags);
	if (on_freelist(s, slab, obj)) {
		object_err(s, slab, obj, "double free");
		pr_err("xalloc: FIX %s: Object not freed again\n", s->name);
		spin_unlock_irqrestore(&n->list_lock, flags);
		return;
	}
	check_object(s, slab, obj, XALLOC_RED_ACTIVE);
	set_track(s, obj, false, &ti);
	init_object(s, obj, XALLOC_RED_INACTIVE);
	was_full = !slab->freelist;
	set_freepointer(s, obj, slab->freelist);
	slab->freelist = obj;
	slab->cnt.inuse--;
	if (was_full) {
		list_del(&slab->list);
		xalloc_add_partial(n, slab, true);
	}
	if (!slab->cnt.inuse && n->nr_partial > s->min_partial) {
		xalloc_remove_partial(n, slab);
		discard = true;
	}
	xalloc_stat(s, FREE_SLOWPATH);
	spin_unlock_irqrestore(&n->list_lock, flags);
	if (discard)
		xalloc_discard_slab(s, slab);
}

/**
 * xalloc_debug_set_orig_size() - record the size kmalloc was asked for
 * @s: the kmalloc cache, a debug cache
 * @obj: the object
 * @size: bytes asked; the rest up to the class size is red-zoned
 *
 * Context: Any context.
 */
void xalloc_debug_set_orig_size(struct xalloc_cache *s, void *obj, unsigned int size)
{
	if (!(s->flags & XALLOC_RED_ZONE) || size > s->object_size)
		return;
	memset(obj + size, XALLOC_RED_ACTIVE, s->object_size - size);
	/*
	 * Release, paired with orig_size()'s acquire: validation checks live
	 * objects without their owners and must not find the new size before
	 * the zone it places is written.
	 */
	smp_store_release(orig_size_ptr(s, obj), size);
}

/**
 * xalloc_debug_orig_size() - the size kmalloc was asked for
 * @s: a debug cache
 * @obj: an allocated object
 *
 * Context: Any context.
 * Return: the size recorded, or the object size.
 */
unsigned int xalloc_debug_orig_size(struct xalloc_cache *s, void *obj)
{
	if (!(s->flags & XALLOC_RED_ZONE))
		return s->object_size;
	return orig_size(s, obj);
}

/* ---- Walking every slab ------------------------------------------------- */

/*
 * Call @fn for every slab of the node lists of @s (for a debug cache, every
 * slab it has), under each node's list_lock, with a bitmap for one slab's
 * objects. Return: -ENOMEM, else 0.
 */
typedef void (*slab_fn_t)(struct xalloc_cache *s, struct xalloc_page *slab,
			  unsigned long *map, bool full, void *arg);

static int walk_listed_slabs(struct xalloc_cache *s, slab_fn_t fn, void *arg)
{
	struct xalloc_page *slab, *tmp;
	unsigned long flags, *map;
	int nid;

	map = bitmap_zalloc(oo_objects(s->max), GFP_KERNEL);
	if (!map)
		return -ENOMEM;
	for_each_node(nid) {
		struct xalloc_cache_node *n = s->node[nid];

		if (!n)
			continue;
		spin_lock_irqsave(&n->list_lock, flags);
		/* @fn may move the slab to the other list, or off both. */
		list_for_each_entry_safe(slab, tmp, &n->partial, list)
			fn(s, slab, map, false, arg);
		list_for_each_entry_safe(slab, tmp, &n->full, list)
			fn(s, slab, map, true, arg);
		spin_unlock_irqrestore(&n->list_lock, flags);
	}
	bitmap_free(map);
	return 0;
}

/* ---- Validation --------------------------------------------------------- */

/*
 * A listed slab of a cache without debugging: other CPUs push frees onto it
 * without the list_lock. Check it from one consistent snapshot of {freelist,
 * counters} (under the list_lock no object leaves the freelist, so the chain
 * from the snapshot stays as it is) and repair with a cmpxchg from that
 * snapshot; a free in between makes the cmpxchg fail, and the check runs
 * again on a new snapshot.
 */
static void validate_slab_lockless(struct xalloc_cache *s, struct xalloc_page *slab)
{
	union xalloc_slab_counters cnt;
	union xalloc_aba old, new;
	bool reported = false;
	unsigned int nr;
	void *p, *prev;

	do {
		do {
			old = slab_read(slab);
			smp_rmb();	/* counters read before the freelist again */
		} while (READ_ONCE(slab->freelist) != old.freelist);
		new = old;
		cnt.counters = old.counter;
		for (p = old.freelist, prev = NULL, nr = 0; p; nr++) {
			if (valid_object(s, slab, p) && nr < cnt.objects) {
				prev = p;
				p = get_freepointer(s, p);
				continue;
			}
			xalloc_report(s->name, prev ? prev + s->offset : slab_address(slab),
				      "freelist pointer corrupted after %u free objects", nr);
			reported = true;
			if (prev)
				set_freepointer(s, prev, NULL);
			else
				new.freelist = NULL;
			break;
		}
		if (cnt.inuse == cnt.objects - nr && new.freelist == old.freelist)
			return;
		if (!reported)
			xalloc_report(s->name, slab_address(slab),
				      "slab counts %u objects in use, its freelist %u free of %u",
				      cnt.inuse, nr, cnt.objects);
		reported = true;
		cnt.inuse = cnt.objects - nr;
		new.counter = cnt.counters;
	} while (!slab_cmpxchg(s, slab, old, new));
	pr_err("xalloc: FIX %s: Set the count in use to %u\n", s->name, cnt.inuse);
	/*
	 * A listed partial slab left without free objects goes off the list,
	 * as full slabs are: the next free to it lists it again, on a CPU's
	 * partial list, and it must not be on two lists then.
	 */
	if (!new.freelist) {
		xalloc_remove_partial(s->node[slab->chunk->zone->nid], slab);
		pr_err("xalloc: FIX %s: Took the slab off the partial list\n", s->name);
	}
}

static void validate_slab(struct xalloc_cache *s, struct xalloc_page *slab,
			  unsigned long *map, bool full, void *arg)
{
	unsigned int nr_free;

	if (!xalloc_cache_debug(s)) {
		validate_slab_lockless(s, slab);
		return;
	}

	bitmap_zero(map, slab->cnt.objects);
	nr_free = walk_freelist(s, slab, map);
	if (slab->cnt.inuse != slab->cnt.objects - nr_free) {
		xalloc_report(s->name, slab_address(slab),
			      "slab counts %u objects in use, its freelist %u free of %u",
			      slab->cnt.inuse, nr_free, slab->cnt.objects);
		slab->cnt.inuse = slab->cnt.objects - nr_free;
		pr_err("xalloc: FIX %s: Set the count in use to %u\n", s->name,
		       slab->cnt.inuse);
	}
	if (full != !slab->freelist) {
		struct xalloc_cache_node *n = s->node[slab->chunk->zone->nid];

		xalloc_report(s->name, slab_address(slab), "slab on the %s list %s free objects",
			      full ? "full" : "partial", full ? "has" : "has no");
		if (full) {
			list_del(&slab->list);
			xalloc_add_partial(n, slab, true);
		} else {
			xalloc_remove_partial(n, slab);
			list_add(&slab->list, &n->full);
		}
		pr_err("xalloc: FIX %s: Moved the slab to the %s list\n", s->name,
		       full ? "partial" : "full");
	}
	for (unsigned int i = 0; i < slab->cnt.objects; i++)
		check_object(s, slab, object_at(s, slab, i),
			     test_bit(i, map) ? XALLOC_RED_INACTIVE : XALLOC_RED_ACTIVE);
	if (s->flags & XALLOC_POISON) {
		void *end = slab_end(s, slab);

		check_bytes(s, slab, end, "Padding", end, XALLOC_POISON_PAD,
			    slab_address(slab) + slab_bytes(slab) - end);
	}
}

/**
 * xalloc_cache_validate() - check every slab of a cache
 * @s: the cache
 *
 * For a debug cache: every freelist, count, red zone, poison and padding of
 * every slab; for others the freelist and count of the slabs on the node
 * lists after flushing the CPUs, while frees go on. Problems are reported
 * and repaired.
 *
 * Context: Process context; may sleep.
 * Return: the number of reports made.
 */
unsigned long xalloc_cache_validate(struct xalloc_cache *s)
{
	unsigned long before = xalloc_report_count();
	struct xalloc_cache *l;

	cpus_read_lock();
	xalloc_flush_all(s);
	cpus_read_unlock();
	/* Each layout's slabs with their own layout; the mutex keeps them. */
	mutex_lock(&xalloc_caches_mutex);
	for (l = s; l; l = xalloc_layout_next(s, l))
		walk_listed_slabs(l, validate_slab, NULL);
	mutex_unlock(&xalloc_caches_mutex);
	return xalloc_report_count() - before;
}
EXPORT_SYMBOL_GPL(xalloc_cache_validate);

/* ---- Traces ------------------------------------------------------------- */

static void add_location(struct xalloc_location *loc, int *nr, int max,
			 struct xalloc_track *t, unsigned long waste, int nid)
{
	unsigned long age = jiffies - t->when;
	unsigned int handle = 0;
	struct xalloc_location *l;
	int i;

#ifdef CONFIG_STACKDEPOT
	handle = t->handle;
#endif
	for (i = 0; i < *nr; i++)
		if (loc[i].addr == t->addr && loc[i].handle == handle)
			break;
	if (i == *nr) {
		if (*nr == max)
			return;
		l = &loc[(*nr)++];
		memset(l, 0, sizeof(*l));
		l->addr = t->addr;
		l->handle = handle;
		l->min_age = ULONG_MAX;
		l->min_pid = INT_MAX;
		l->max_pid = -1;
	}
	l = &loc[i];
	l->count++;
	l->waste += waste;
	l->sum_age += age;
	l->min_age = min(l->min_age, age);
	l->max_age = max(l->max_age, age);
	l->min_pid = min(l->min_pid, t->pid);
	l->max_pid = max(l->max_pid, t->pid);
	if (t->cpu >= 0 && t->cpu < nr_cpu_ids)
		cpumask_set_cpu(t->cpu, &l->cpus);
	node_set(nid, l->nodes);
}

struct trace_arg {
	bool alloc;
	struct xalloc_location *loc;
	int nr, max;
};

static void trace_slab(struct xalloc_cache *s, struct xalloc_page *slab,
		       unsigned long *map, bool full, void *arg)
{
	struct trace_arg *ta = arg;
	bool alloc = ta->alloc;

	bitmap_zero(map, slab->cnt.objects);
	walk_freelist(s, slab, map);
	for (unsigned int i = 0; i < slab->cnt.objects; i++) {
		void *p = object_at(s, slab, i);
		struct xalloc_track *t = get_track(s, p, alloc);

		if (test_bit(i, map) == alloc || !t->addr)
			continue;
		add_location(ta->loc, &ta->nr, ta->max, t,
			     alloc ? s->object_size - orig_size(s, p) : 0,
			     slab->chunk->zone->nid);
	}
}

static int debug_traces_locked(struct xalloc_cache *s, bool alloc,
			       struct xalloc_location *loc, int max)
{
	struct trace_arg ta = { .alloc = alloc, .loc = loc, .max = max };
	struct xalloc_cache *l;

	lockdep_assert_held(&xalloc_caches_mutex);
	for (l = s; l; l = xalloc_layout_next(s, l))
		if ((l->flags & XALLOC_STORE_USER) && walk_listed_slabs(l, trace_slab, &ta))
			return -ENOMEM;
	return ta.nr;
}

/**
 * xalloc_debug_traces() - call sites of a cache's live or freed objects
 * @s: a cache
 * @alloc: allocation sites of live objects, or free sites of free ones
 * @loc: where to gather them
 * @max: room in @loc
 *
 * The objects of every layout of @s with XALLOC_STORE_USER, current or
 * retired, are counted.
 *
 * Context: Process context; takes xalloc_caches_mutex.
 * Return: the number of call sites (0 without owner tracking), or -ENOMEM.
 */
int xalloc_debug_traces(struct xalloc_cache *s, bool alloc,
			struct xalloc_location *loc, int max)
{
	int nr;

	mutex_lock(&xalloc_caches_mutex);
	nr = debug_traces_locked(s, alloc, loc, max);
	mutex_unlock(&xalloc_caches_mutex);
	return nr;
}
EXPORT_SYMBOL_GPL(xalloc_debug_traces);

/**
 * xalloc_debug_track_addr() - the caller recorded for an object
 * @s: its cache
 * @obj: an object of @s, allocated or not
 * @alloc: its allocation (else its last free)
 *
 * Context: Any context.
 * Return: the caller's address, or 0 if the object's slab has no owner
 * tracking.
 */
unsigned long xalloc_debug_track_addr(struct xalloc_cache *s, void *obj, bool alloc)
{
	struct xalloc_page *slab = xalloc_addr_desc(obj);

	if (!slab)
		return 0;
	if (slab->type == XALLOC_PAGE_SLAB_TAIL)
		slab = slab->head;
	if (slab->type != XALLOC_PAGE_SLAB ||
	    (slab->cache != s && slab->cache->parent != s) ||
	    !(slab->cache->flags & XALLOC_STORE_USER))
		return 0;
	return get_track(slab->cache, obj, alloc)->addr;
}
EXPORT_SYMBOL_GPL(xalloc_debug_track_addr);

/**
 * xalloc_debug_report_leaks() - name the allocation sites of live objects
 * @s: a cache being destroyed with objects left
 *
 * Context: Process context; xalloc_caches_mutex held.
 */
void xalloc_debug_report_leaks(struct xalloc_cache *s)
{
	struct xalloc_location *loc;
	int nr;

	loc = kcalloc(16, sizeof(*loc), GFP_KERNEL);
	if (!loc)
		return;
	nr = debug_traces_locked(s, true, loc, 16);
	for (int i = 0; i < nr; i++)
		pr_err("xalloc: %s: %lu objects allocated by %pS still live\n",
		       s->name, loc[i].count, (void *)loc[i].addr);
	kfree(loc);
}

/**
 * xalloc_debug_poison_slab() - poison the objects of a leaving type-safe slab
 * @s: an XALLOC_TYPESAFE_BY_RCU debug layout with XALLOC_POISON
 * @slab: its slab, a grace period after its discard: no reader is left
 *
 * Context: Any context.
 */
void xalloc_debug_poison_slab(struct xalloc_cache *s, struct xalloc_page *slab)
{
	void *p = slab_address(slab) + s->red_left_pad;

	for (unsigned int i = 0; i < slab->cnt.objects; i++, p += s->size)
		poison_object(s, p);
}

/**
 * xalloc_debug_init() - prepare the stack depot for owner tracking
 *
 * Context: Process context, at module load.
 */
void xalloc_debug_init(void)
{
#ifdef CONFIG_STACKDEPOT
	stack_depot_init();
#endif
}
