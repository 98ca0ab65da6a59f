// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite xalloc_slub: object caches of the xalloc SLUB layer.
 *
 * Paths are checked through the caches' statistics counters, on a chosen
 * CPU (work_on_cpu()) so that the per-CPU state is the one expected. The
 * suite is about the CPU-slab path: its caches are made with
 * XALLOC_NO_SHEAVES unless a case asks for sheaves (xalloc_sheaf tests
 * those, and the other suites run on the default, sheaves). Every
 * case checks on exit that it caused exactly the error reports it expected
 * and that every zone is consistent.
 */

#include <kunit/test.h>
#include <linux/completion.h>
#include <linux/cpu.h>
#include <linux/delay.h>
#include <linux/hrtimer.h>
#include <linux/kthread.h>
#include <linux/random.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/timer.h>
#include <linux/workqueue.h>

#include <xalloc/xalloc.h>

#include "../mm/slab.h"
#include "../mm/slab_sheaf.h"
#include "xalloc_kunit.h"

/* Zone blocks a case took to fill nodes: given back on exit. */
struct slub_fill {
	unsigned int nr;
	struct {
		struct page *page;
		unsigned int order;
	} b[2048];
};

struct slub_test_ctx {
	struct xalloc_cache *s;		/* destroyed on exit if set */
	struct slub_fill *fill;		/* freed on exit if set */
};

static int slub_test_init(struct kunit *test)
{
	struct slub_test_ctx *ctx;

	xalloc_kunit_init(test);
	ctx = kunit_kzalloc(test, sizeof(*ctx), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ctx);
	test->priv = ctx;
	return 0;
}

static void slub_test_exit(struct kunit *test)
{
	struct slub_test_ctx *ctx = test->priv;
	int nid;

	if (ctx->fill)
		for (unsigned int i = 0; i < ctx->fill->nr; i++)
			xalloc_free_pages(ctx->fill->b[i].page, ctx->fill->b[i].order);
	if (ctx->s)
		xalloc_cache_destroy(ctx->s);
	for_each_node(nid)
		KUNIT_EXPECT_TRUE(test, xalloc_zone_check(nid));
	xalloc_kunit_exit(test);
}

/* A cache destroyed when the case ends; its objects must all be freed. */
static struct xalloc_cache *slub_cache(struct kunit *test, const char *name,
				       unsigned int size, unsigned int align,
				       unsigned long flags, void (*ctor)(void *))
{
	struct slub_test_ctx *ctx = test->priv;

	if (!(flags & XALLOC_SHEAVES))
		flags |= XALLOC_NO_SHEAVES;
	ctx->s = xalloc_cache_create(name, size, align, flags, ctor);
	KUNIT_ASSERT_NOT_NULL(test, ctx->s);
	return ctx->s;
}

/* The slab of an object: its head descriptor, for slabs of several pages. */
static struct xalloc_page *obj_slab(const void *obj)
{
	struct xalloc_page *desc = xalloc_addr_desc(obj);

	return desc && desc->type == XALLOC_PAGE_SLAB_TAIL ? desc->head : desc;
}

static int obj_nid(const void *obj)
{
	struct xalloc_page *desc = xalloc_addr_desc(obj);

	return desc ? desc->chunk->zone->nid : NUMA_NO_NODE;
}

/* Statistics deltas. */
struct slub_stats {
	unsigned long v[NR_XALLOC_STATS];
};

static void stats_snap(struct xalloc_cache *s, struct slub_stats *st)
{
	for (int i = 0; i < NR_XALLOC_STATS; i++)
		st->v[i] = xalloc_cache_stat(s, i);
}

static unsigned long stats_delta(struct xalloc_cache *s, struct slub_stats *st,
				 enum xalloc_stat_item i)
{
	return xalloc_cache_stat(s, i) - st->v[i];
}

/* Run @fn on @cpu; the case is skipped if that CPU is not online. */
static long slub_on_cpu(struct kunit *test, int cpu, long (*fn)(void *),
			void *arg)
{
	/* The guests have at least 2 CPUs: one offline is a failure. */
	KUNIT_ASSERT_TRUE_MSG(test, cpu_online(cpu), "CPU %d is offline (needs -smp 2)", cpu);
	return work_on_cpu(cpu, fn, arg);
}

struct slub_objs {
	struct xalloc_cache *s;
	unsigned int n;
	void **objs;
};

static long slub_alloc_fn(void *arg)
{
	struct slub_objs *o = arg;

	for (unsigned int i = 0; i < o->n; i++) {
		o->objs[i] = xalloc_cache_alloc(o->s, GFP_KERNEL);
		if (!o->objs[i])
			return -ENOMEM;
	}
	return 0;
}

static long slub_free_fn(void *arg)
{
	struct slub_objs *o = arg;

	for (unsigned int i = 0; i < o->n; i++)
		xalloc_cache_free(o->s, o->objs[i]);
	return 0;
}

static struct slub_objs *slub_objs(struct kunit *test, struct xalloc_cache *s,
				   unsigned int n)
{
	struct slub_objs *o = kunit_kzalloc(test, sizeof(*o), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, o);
	o->objs = kunit_kcalloc(test, n, sizeof(void *), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, o->objs);
	o->s = s;
	o->n = n;
	return o;
}

/* The last object freed on a CPU is the next one it hands out. */
static long fast_path_fn(void *arg)
{
	struct xalloc_cache *s = arg;
	void *a, *b;

	a = xalloc_cache_alloc(s, GFP_KERNEL);
	xalloc_cache_free(s, a);
	b = xalloc_cache_alloc(s, GFP_KERNEL);
	xalloc_cache_free(s, b);
	return a && a == b;
}

static void xalloc_slub_fast_path_reuses_freed_object(struct kunit *test)
{
	struct xalloc_cache *s = slub_cache(test, "slub_fast", 64, 0, 0, NULL);
	struct slub_stats st;

	stats_snap(s, &st);
	KUNIT_EXPECT_EQ(test, slub_on_cpu(test, 0, fast_path_fn, s), 1L);
	/* First allocation makes the slab, the second is a fast path. */
	KUNIT_EXPECT_EQ(test, stats_delta(s, &st, ALLOC_SLAB), 1UL);
	KUNIT_EXPECT_EQ(test, stats_delta(s, &st, ALLOC_SLOWPATH), 1UL);
	KUNIT_EXPECT_EQ(test, stats_delta(s, &st, ALLOC_FASTPATH), 1UL);
	KUNIT_EXPECT_EQ(test, stats_delta(s, &st, FREE_FASTPATH), 2UL);
	KUNIT_EXPECT_EQ(test, xalloc_kunit_active(s), 0UL);
}

static void xalloc_slub_new_slab_and_refill_counted(struct kunit *test)
{
	struct xalloc_cache *s = slub_cache(test, "slub_newslab", 256, 0, 0, NULL);
	unsigned int per = oo_objects(s->oo);
	struct slub_objs *o = slub_objs(test, s, 2 * per + 1);
	struct slub_stats st;

	stats_snap(s, &st);
	KUNIT_ASSERT_EQ(test, slub_on_cpu(test, 0, slub_alloc_fn, o), 0L);
	KUNIT_EXPECT_EQ(test, stats_delta(s, &st, ALLOC_SLAB), 3UL);
	KUNIT_EXPECT_EQ(test, stats_delta(s, &st, DEACTIVATE_BYPASS), 2UL);
	KUNIT_EXPECT_EQ(test, xalloc_kunit_slabs(s), 3UL);
	KUNIT_EXPECT_EQ(test, xalloc_kunit_active(s), 2UL * per + 1);
	slub_on_cpu(test, 0, slub_free_fn, o);
	KUNIT_EXPECT_EQ(test, xalloc_kunit_active(s), 0UL);
}

/* A full slab that gets a free object goes to the CPU partial list. */
static long cpu_partial_fn(void *arg)
{
	struct slub_objs *o = arg;
	unsigned int per = oo_objects(o->s->oo);
	void **more;
	long ret;

	ret = slub_alloc_fn(o);		/* slabs A, B full; C with 1 */
	if (ret)
		return ret;
	xalloc_cache_free(o->s, o->objs[0]);		/* A: CPU partial */
	xalloc_cache_free(o->s, o->objs[per]);		/* B: CPU partial */
	o->objs[0] = NULL;
	o->objs[per] = NULL;
	more = kcalloc(per, sizeof(void *), GFP_KERNEL);
	if (!more)
		return -ENOMEM;
	/* Exhaust C, then one more: it comes from B, the last one listed. */
	for (unsigned int i = 0; i < per; i++)
		more[i] = xalloc_cache_alloc(o->s, GFP_KERNEL);
	ret = obj_slab(more[per - 1]) == obj_slab(o->objs[per + 1]);
	for (unsigned int i = 0; i < per; i++)
		xalloc_cache_free(o->s, more[i]);
	kfree(more);
	return ret;
}

static void xalloc_slub_cpu_partial_list_used(struct kunit *test)
{
	struct xalloc_cache *s = slub_cache(test, "slub_cpu_partial", 256, 0, 0, NULL);
	unsigned int per = oo_objects(s->oo);
	struct slub_objs *o = slub_objs(test, s, 2 * per + 1);
	struct slub_stats st;

	stats_snap(s, &st);
	KUNIT_EXPECT_EQ(test, slub_on_cpu(test, 0, cpu_partial_fn, o), 1L);
	/* A, B, and C when the objects taken from it are freed. */
	KUNIT_EXPECT_EQ(test, stats_delta(s, &st, CPU_PARTIAL_FREE), 3UL);
	KUNIT_EXPECT_EQ(test, stats_delta(s, &st, CPU_PARTIAL_ALLOC), 1UL);
	KUNIT_EXPECT_EQ(test, stats_delta(s, &st, ALLOC_SLAB), 3UL);
	slub_on_cpu(test, 0, slub_free_fn, o);
	KUNIT_EXPECT_EQ(test, xalloc_kunit_active(s), 0UL);
}

/* After a flush, partial slabs sit on the node list and are taken back. */
static long node_partial_fn(void *arg)
{
	struct slub_objs *o = arg;
	void *obj;

	obj = xalloc_cache_alloc(o->s, GFP_KERNEL);
	xalloc_cache_free(o->s, obj);
	return !!obj;
}

static void xalloc_slub_node_partial_list_used(struct kunit *test)
{
	struct xalloc_cache *s = slub_cache(test, "slub_node_partial", 256, 0, 0, NULL);
	unsigned int per = oo_objects(s->oo);
	struct slub_objs *o = slub_objs(test, s, 2 * per + 1);
	struct slub_stats st;
	int nid;

	KUNIT_ASSERT_EQ(test, slub_on_cpu(test, 0, slub_alloc_fn, o), 0L);
	xalloc_cache_free(s, o->objs[0]);	/* A: partial */
	o->objs[0] = NULL;
	xalloc_cache_shrink(s);			/* A and C to the node */
	nid = obj_nid(o->objs[1]);
	KUNIT_EXPECT_EQ(test, s->node[nid]->nr_partial, 2UL);

	stats_snap(s, &st);
	KUNIT_EXPECT_EQ(test, slub_on_cpu(test, 0, node_partial_fn, o), 1L);
	KUNIT_EXPECT_EQ(test, stats_delta(s, &st, ALLOC_FROM_PARTIAL), 1UL);
	KUNIT_EXPECT_EQ(test, stats_delta(s, &st, CPU_PARTIAL_NODE), 1UL);
	KUNIT_EXPECT_EQ(test, stats_delta(s, &st, ALLOC_SLAB), 0UL);
	slub_free_fn(o);
	KUNIT_EXPECT_EQ(test, xalloc_kunit_active(s), 0UL);
}

static void xalloc_slub_shrink_returns_pages(struct kunit *test)
{
	unsigned long before = xalloc_kunit_zone_free();
	struct xalloc_cache *s = slub_cache(test, "slub_shrink", 700, 0, 0, NULL);
	unsigned int per = oo_objects(s->oo);
	struct slub_objs *o = slub_objs(test, s, 5 * per);
	struct slub_stats st;

	stats_snap(s, &st);
	/* On one CPU: a new cache's objects fill its slabs one after another. */
	KUNIT_ASSERT_EQ(test, slub_on_cpu(test, 0, slub_alloc_fn, o), 0L);
	KUNIT_EXPECT_EQ(test, xalloc_kunit_slabs(s), 5UL);
	KUNIT_EXPECT_EQ(test, before - xalloc_kunit_zone_free(),
			xalloc_kunit_slabs(s) << oo_order(s->oo));
	slub_free_fn(o);
	xalloc_cache_shrink(s);
	KUNIT_EXPECT_EQ(test, xalloc_kunit_slabs(s), 0UL);
	KUNIT_EXPECT_EQ(test, xalloc_kunit_zone_free(), before);
	KUNIT_EXPECT_EQ(test, stats_delta(s, &st, FREE_SLAB),
			stats_delta(s, &st, ALLOC_SLAB));
}

/*
 * A slab that empties goes back to the zone while its node has more than
 * min_partial partial slabs: of min_partial + 4, exactly 4 go.
 */
static void xalloc_slub_empty_slab_freed_beyond_min_partial(struct kunit *test)
{
	struct xalloc_cache *s = slub_cache(test, "slub_min_partial", 2048, 0, 0, NULL);
	unsigned int per = oo_objects(s->oo), slabs = s->min_partial + 4;
	struct slub_objs *o = slub_objs(test, s, slabs * per);
	struct slub_stats st;
	int nid;

	/* On one CPU, so that slab i holds objects i * per to i * per + per - 1. */
	KUNIT_ASSERT_EQ(test, slub_on_cpu(test, 0, slub_alloc_fn, o), 0L);
	nid = obj_nid(o->objs[0]);
	/* Make every slab partial on its node: one free each, then flush. */
	for (unsigned int i = 0; i < slabs; i++) {
		xalloc_cache_free(s, o->objs[i * per]);
		o->objs[i * per] = NULL;
	}
	xalloc_cache_shrink(s);
	stats_snap(s, &st);
	slub_free_fn(o);
	KUNIT_EXPECT_EQ(test, stats_delta(s, &st, FREE_REMOVE_PARTIAL), 4UL);
	KUNIT_EXPECT_EQ(test, s->node[nid]->nr_partial, (unsigned long)s->min_partial);
	KUNIT_EXPECT_EQ(test, xalloc_kunit_slabs(s), (unsigned long)s->min_partial);
	KUNIT_EXPECT_EQ(test, xalloc_kunit_active(s), 0UL);
}

static const int slub_nodes[] = { 0, 1 };

static void slub_node_desc(const int *nid, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "node %d", *nid);
}

KUNIT_ARRAY_PARAM(slub_node, slub_nodes, slub_node_desc);

static void xalloc_slub_alloc_node_affinity(struct kunit *test)
{
	int nid = *(const int *)test->param_value;
	struct xalloc_cache *s = slub_cache(test, "slub_node", 128, 0, 0, NULL);
	void *objs[40];

	KUNIT_ASSERT_NOT_NULL_MSG(test, s->node[nid], "no zone on node %d (numa=fake=2)", nid);
	for (int i = 0; i < ARRAY_SIZE(objs); i++) {
		objs[i] = xalloc_cache_alloc_node(s, GFP_KERNEL, nid);
		KUNIT_ASSERT_NOT_NULL(test, objs[i]);
		KUNIT_EXPECT_EQ(test, obj_nid(objs[i]), nid);
	}
	for (int i = 0; i < ARRAY_SIZE(objs); i++)
		xalloc_cache_free(s, objs[i]);
	/* Past the node array (nr_node_ids entries): KASAN would see a read. */
	KUNIT_EXPECT_NULL(test, xalloc_cache_alloc_node(s, GFP_KERNEL, nr_node_ids));
	KUNIT_EXPECT_NULL(test, xalloc_cache_alloc_node(s, GFP_KERNEL, MAX_NUMNODES));
	KUNIT_EXPECT_NULL(test, xalloc_cache_alloc_node(s, GFP_KERNEL, -7));
}

/* Take every free block of node @nid's zone, largest first, until exit. */
static void slub_fill_node(struct kunit *test, int nid)
{
	struct slub_test_ctx *ctx = test->priv;
	struct slub_fill *f = ctx->fill;
	struct page *page;

	if (!f) {
		f = kunit_kzalloc(test, sizeof(*f), GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, f);
		ctx->fill = f;
	}
	for (int order = XALLOC_MAX_ORDER; order >= 0; order--) {
		while (f->nr < ARRAY_SIZE(f->b) &&
		       (page = xalloc_alloc_pages_node(nid, GFP_KERNEL | __GFP_THISNODE, order))) {
			f->b[f->nr].page = page;
			f->b[f->nr++].order = order;
		}
	}
	KUNIT_ASSERT_LT_MSG(test, f->nr, (unsigned int)ARRAY_SIZE(f->b),
			    "node %d too fragmented", nid);
}

/* A node with a zone other than @nid. */
static int slub_other_node(struct kunit *test, struct xalloc_cache *s, int nid)
{
	int other;

	for_each_node(other)
		if (other != nid && s->node[other])
			return other;
	KUNIT_FAIL(test, "one node only (numa=fake=2)");
	return NUMA_NO_NODE;
}

struct slub_any {
	struct slub_objs *o;
	int nid;
	void *obj;
};

/* The objects of a->o, each allocated for node a->nid. */
static long slub_alloc_node_fn(void *arg)
{
	struct slub_any *a = arg;

	for (unsigned int i = 0; i < a->o->n; i++) {
		a->o->objs[i] = xalloc_cache_alloc_node(a->o->s, GFP_KERNEL, a->nid);
		if (!a->o->objs[i])
			return -ENOMEM;
	}
	return 0;
}

/*
 * Objects for a full node come from slabs of other nodes, without a new slab
 * per object; under __GFP_THISNODE there is none.
 */
static void xalloc_slub_full_node_falls_back(struct kunit *test)
{
	struct xalloc_cache *s = slub_cache(test, "slub_fallback", 64, 0, 0, NULL);
	struct slub_objs *o = slub_objs(test, s, 2 * oo_objects(s->oo));
	struct slub_any a = { .o = o, .nid = 1 };
	struct slub_stats st;

	KUNIT_ASSERT_NOT_NULL(test, s->node[a.nid]);
	slub_fill_node(test, a.nid);
	stats_snap(s, &st);
	KUNIT_EXPECT_NULL(test, xalloc_cache_alloc_node(s, GFP_KERNEL | __GFP_THISNODE, a.nid));
	KUNIT_EXPECT_EQ(test, stats_delta(s, &st, ALLOC_SLAB), 0UL);
	/* On one CPU: two slabs' worth of objects take exactly two slabs. */
	KUNIT_ASSERT_EQ(test, slub_on_cpu(test, 0, slub_alloc_node_fn, &a), 0L);
	for (unsigned int i = 0; i < o->n; i++)
		KUNIT_EXPECT_NE(test, obj_nid(o->objs[i]), a.nid);
	KUNIT_EXPECT_EQ(test, stats_delta(s, &st, ALLOC_SLAB), 2UL);
	slub_free_fn(o);
	KUNIT_EXPECT_EQ(test, xalloc_kunit_active(s), 0UL);
}

static long slub_any_alloc_fn(void *arg)
{
	struct slub_any *a = arg;

	a->obj = xalloc_cache_alloc(a->o->s, GFP_KERNEL);
	return 0;
}

/*
 * Every zone full, free objects only in a slab on another node's partial
 * list: an allocation for no node in particular gets one of them.
 */
static void xalloc_slub_full_zones_use_other_partial(struct kunit *test)
{
	struct xalloc_cache *s = slub_cache(test, "slub_any_partial", 64, 0, 0, NULL);
	int local = cpu_to_node(0), other = slub_other_node(test, s, local), nid;
	struct slub_objs *o = slub_objs(test, s, oo_objects(s->oo));
	struct slub_any a = { .o = o, .nid = other };

	KUNIT_ASSERT_EQ(test, slub_on_cpu(test, 0, slub_alloc_node_fn, &a), 0L);
	xalloc_cache_free(s, o->objs[0]);
	xalloc_cache_shrink(s);		/* the slab onto its node's partial list */
	KUNIT_ASSERT_EQ(test, s->node[other]->nr_partial, 1UL);
	for_each_node(nid)
		if (s->node[nid])
			slub_fill_node(test, nid);
	KUNIT_EXPECT_NULL(test, xalloc_cache_alloc_node(s, GFP_KERNEL | __GFP_THISNODE, local));
	slub_on_cpu(test, 0, slub_any_alloc_fn, &a);
	KUNIT_ASSERT_NOT_NULL(test, a.obj);
	KUNIT_EXPECT_PTR_EQ(test, a.obj, o->objs[0]);
	KUNIT_EXPECT_EQ(test, obj_nid(a.obj), other);
	o->objs[0] = a.obj;
	for (unsigned int i = 0; i < o->n; i++)
		xalloc_cache_free(s, o->objs[i]);
	KUNIT_EXPECT_EQ(test, xalloc_kunit_active(s), 0UL);
}

/*
 * Objects allocated on one CPU and freed on another. CPU 0 fills its slabs
 * one after another: all but the last are full and unfrozen, the last is its
 * CPU slab. On CPU 1 the first free to each full slab freezes it onto CPU
 * 1's partial list; every other free goes to a frozen slab.
 */
static void xalloc_slub_remote_free(struct kunit *test)
{
	struct xalloc_cache *s = slub_cache(test, "slub_remote", 128, 0, 0, NULL);
	struct slub_objs *o = slub_objs(test, s, 50);
	unsigned long full = DIV_ROUND_UP(50, oo_objects(s->oo)) - 1;
	struct slub_stats st;

	/* No drain of CPU 1's partial list: that would unfreeze a slab. */
	KUNIT_ASSERT_LT(test, full, (unsigned long)s->cpu_partial_slabs);
	KUNIT_ASSERT_EQ(test, slub_on_cpu(test, 0, slub_alloc_fn, o), 0L);
	stats_snap(s, &st);
	slub_on_cpu(test, 1, slub_free_fn, o);
	KUNIT_EXPECT_EQ(test, stats_delta(s, &st, FREE_SLOWPATH), 50UL);
	KUNIT_EXPECT_EQ(test, stats_delta(s, &st, FREE_FASTPATH), 0UL);
	KUNIT_EXPECT_EQ(test, stats_delta(s, &st, CPU_PARTIAL_FREE), full);
	KUNIT_EXPECT_EQ(test, stats_delta(s, &st, FREE_FROZEN), 50UL - full);
	KUNIT_EXPECT_EQ(test, stats_delta(s, &st, FREE_SLAB), 0UL);
	KUNIT_EXPECT_EQ(test, xalloc_kunit_active(s), 0UL);

	/* The other way round, and the objects are reused. */
	KUNIT_ASSERT_EQ(test, slub_on_cpu(test, 1, slub_alloc_fn, o), 0L);
	slub_on_cpu(test, 0, slub_free_fn, o);
	KUNIT_EXPECT_EQ(test, xalloc_kunit_active(s), 0UL);
}

/* A CPU goes offline with a CPU slab and live objects, and comes back. */
static void xalloc_slub_cpu_offline_with_live_objects(struct kunit *test)
{
	struct xalloc_cache *s = slub_cache(test, "slub_hotplug", 96, 0, 0, NULL);
	struct slub_objs *o = slub_objs(test, s, 30);
	struct slub_stats st;
	int ret;

	KUNIT_ASSERT_TRUE_MSG(test, cpu_online(1), "needs CPU 1 (-smp 2)");
	KUNIT_ASSERT_EQ(test, slub_on_cpu(test, 1, slub_alloc_fn, o), 0L);
	for (unsigned int i = 0; i < o->n; i++)
		memset(o->objs[i], i, 96);
	stats_snap(s, &st);
	ret = remove_cpu(1);
	KUNIT_ASSERT_EQ(test, ret, 0);
	KUNIT_EXPECT_EQ(test, stats_delta(s, &st, CPUSLAB_FLUSH), 1UL);
	KUNIT_EXPECT_NULL(test, per_cpu_ptr(s->cpu, 1)->slab);
	for (unsigned int i = 0; i < o->n; i++)
		KUNIT_EXPECT_NULL(test, memchr_inv(o->objs[i], i, 96));
	slub_free_fn(o);
	KUNIT_ASSERT_EQ(test, add_cpu(1), 0);
	KUNIT_EXPECT_EQ(test, xalloc_kunit_active(s), 0UL);
	/* The CPU allocates again after coming back. */
	KUNIT_ASSERT_EQ(test, slub_on_cpu(test, 1, slub_alloc_fn, o), 0L);
	slub_free_fn(o);
}

static atomic_t slub_ctor_calls;

static void slub_ctor(void *obj)
{
	atomic_inc(&slub_ctor_calls);
	memset(obj, 0x5c, 40);
}

static void xalloc_slub_ctor_runs_once_per_object(struct kunit *test)
{
	struct xalloc_cache *s;
	struct slub_objs *o;
	struct xalloc_cache_counts cnt;

	atomic_set(&slub_ctor_calls, 0);
	s = slub_cache(test, "slub_ctor", 40, 0, 0, slub_ctor);
	o = slub_objs(test, s, 3 * oo_objects(s->oo));
	KUNIT_ASSERT_EQ(test, slub_alloc_fn(o), 0L);
	xalloc_cache_counts(s, &cnt);
	KUNIT_EXPECT_EQ(test, (unsigned long)atomic_read(&slub_ctor_calls), cnt.num_objs);
	for (unsigned int i = 0; i < o->n; i++)
		KUNIT_EXPECT_NULL(test, memchr_inv(o->objs[i], 0x5c, 40));
	slub_free_fn(o);
	/* Reallocation does not construct again; the contents survive. */
	KUNIT_ASSERT_EQ(test, slub_alloc_fn(o), 0L);
	KUNIT_EXPECT_EQ(test, (unsigned long)atomic_read(&slub_ctor_calls), cnt.num_objs);
	for (unsigned int i = 0; i < o->n; i++)
		KUNIT_EXPECT_NULL(test, memchr_inv(o->objs[i], 0x5c, 40));
	slub_free_fn(o);
}

static const unsigned int slub_aligns[] = {
	8, 16, 32, 64, 128, 256, 512, 1024, 2048, PAGE_SIZE
};

static void slub_align_desc(const unsigned int *align, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "align %u", *align);
}

KUNIT_ARRAY_PARAM(slub_align, slub_aligns, slub_align_desc);

static void xalloc_slub_alignment(struct kunit *test)
{
	unsigned int align = *(const unsigned int *)test->param_value;
	struct xalloc_cache *s = slub_cache(test, "slub_align", 24, align, 0, NULL);
	void *objs[20];

	for (int i = 0; i < ARRAY_SIZE(objs); i++) {
		objs[i] = xalloc_cache_alloc(s, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, objs[i]);
		KUNIT_EXPECT_TRUE(test, IS_ALIGNED((unsigned long)objs[i], align));
	}
	for (int i = 0; i < ARRAY_SIZE(objs); i++)
		xalloc_cache_free(s, objs[i]);
}

static void xalloc_slub_hwcache_align(struct kunit *test)
{
	struct xalloc_cache *s = slub_cache(test, "slub_hwcache", 100, 0,
					    XALLOC_HWCACHE_ALIGN, NULL);
	void *obj = xalloc_cache_alloc(s, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, obj);
	KUNIT_EXPECT_TRUE(test, IS_ALIGNED((unsigned long)obj, cache_line_size()));
	KUNIT_EXPECT_EQ(test, s->size % cache_line_size(), 0U);
	xalloc_cache_free(s, obj);
}

static void xalloc_slub_gfp_zero(struct kunit *test)
{
	struct xalloc_cache *s = slub_cache(test, "slub_zero", 200, 0, 0, NULL);
	void *obj;

	obj = xalloc_cache_alloc(s, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, obj);
	memset(obj, 0xff, 200);
	xalloc_cache_free(s, obj);
	obj = xalloc_cache_alloc(s, GFP_KERNEL | __GFP_ZERO);
	KUNIT_ASSERT_NOT_NULL(test, obj);
	KUNIT_EXPECT_NULL(test, memchr_inv(obj, 0, 200));
	xalloc_cache_free(s, obj);
}

static void xalloc_slub_bulk_alloc_and_free(struct kunit *test)
{
	struct xalloc_cache *s = slub_cache(test, "slub_bulk", 64, 0, 0, NULL);
	const unsigned int n = 300;
	void **objs = kunit_kcalloc(test, n, sizeof(void *), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, objs);
	KUNIT_ASSERT_EQ(test, xalloc_cache_alloc_bulk(s, GFP_KERNEL | __GFP_ZERO, n, objs),
			(int)n);
	KUNIT_EXPECT_EQ(test, xalloc_kunit_active(s), (unsigned long)n);
	for (unsigned int i = 0; i < n; i++) {
		KUNIT_EXPECT_NULL(test, memchr_inv(objs[i], 0, 64));
		memset(objs[i], i, 64);
	}
	for (unsigned int i = 0; i < n; i++) {
		KUNIT_EXPECT_NULL(test, memchr_inv(objs[i], i & 0xff, 64));
		KUNIT_EXPECT_EQ(test, xalloc_addr_desc(objs[i])->type == XALLOC_PAGE_SLAB ||
				xalloc_addr_desc(objs[i])->type == XALLOC_PAGE_SLAB_TAIL, true);
	}
	xalloc_cache_free_bulk(s, n, objs);
	KUNIT_EXPECT_EQ(test, xalloc_kunit_active(s), 0UL);
	KUNIT_EXPECT_EQ(test, xalloc_cache_alloc_bulk(s, GFP_KERNEL, 0, objs), 0);
}

/*
 * A bulk free to the slabs (no sheaves) checks each object: an address
 * inside an object is reported and left alone, NULL skipped, and an object
 * named twice in a row, the second time just after the run of its slab
 * ended with it, reported once and not chained twice. The six objects go
 * back; the cache validates clean and hands out six distinct objects again.
 */
static void xalloc_slub_bulk_free_checks_each(struct kunit *test)
{
	struct xalloc_cache *s = slub_cache(test, "slub_bulk_checks", 64, 0,
					    XALLOC_NO_SHEAVES, NULL);
	void *p[6], *q[6];

	KUNIT_ASSERT_FALSE(test, xalloc_sheaves_on(s));
	KUNIT_ASSERT_EQ(test, xalloc_cache_alloc_bulk(s, GFP_KERNEL, 6, p), 6);
	{
		void *f[] = { p[0], p[1], p[1] + 8, p[2], NULL, p[3], p[3], p[4], p[5] };

		xalloc_cache_free_bulk(s, ARRAY_SIZE(f), f);
	}
	XALLOC_KUNIT_EXPECT_REPORTS(test, 2);
	KUNIT_EXPECT_EQ(test, xalloc_kunit_active(s), 0UL);
	KUNIT_EXPECT_EQ(test, xalloc_cache_validate(s), 0UL);
	KUNIT_ASSERT_EQ(test, xalloc_cache_alloc_bulk(s, GFP_KERNEL, 6, q), 6);
	for (int i = 0; i < 6; i++)
		for (int j = 0; j < i; j++)
			KUNIT_EXPECT_PTR_NE(test, q[i], q[j]);
	xalloc_cache_free_bulk(s, 6, q);
	XALLOC_KUNIT_EXPECT_REPORTS(test, 0);
}

/* slabinfo's counts: exact active objects, objects and slabs. */
static void xalloc_slub_counts_are_exact(struct kunit *test)
{
	struct xalloc_cache *s = slub_cache(test, "slub_counts", 333, 0, 0, NULL);
	struct slub_objs *o = slub_objs(test, s, 37);
	struct xalloc_cache_counts cnt;

	KUNIT_ASSERT_EQ(test, slub_alloc_fn(o), 0L);
	xalloc_cache_counts(s, &cnt);
	KUNIT_EXPECT_EQ(test, cnt.active_objs, 37UL);
	KUNIT_EXPECT_EQ(test, cnt.num_objs, cnt.num_slabs * oo_objects(s->oo));
	KUNIT_EXPECT_EQ(test, cnt.num_slabs,
			(unsigned long)DIV_ROUND_UP(37, oo_objects(s->oo)));
	xalloc_cache_free(s, o->objs[3]);
	KUNIT_EXPECT_EQ(test, xalloc_kunit_active(s), 36UL);
	o->objs[3] = NULL;
	slub_free_fn(o);
	KUNIT_EXPECT_EQ(test, xalloc_kunit_active(s), 0UL);
}

static void xalloc_slub_slab_order_and_objects(struct kunit *test)
{
	static const unsigned int sizes[] = { 8, 24, 40, 100, 200, 700, 1500, 4096, 8192 };

	for (int i = 0; i < ARRAY_SIZE(sizes); i++) {
		struct xalloc_cache *s = xalloc_cache_create("slub_order", sizes[i],
							     0, 0, NULL);
		unsigned long bytes;

		KUNIT_ASSERT_NOT_NULL(test, s);
		bytes = PAGE_SIZE << oo_order(s->oo);
		KUNIT_EXPECT_EQ(test, oo_objects(s->oo), (unsigned int)(bytes / s->size));
		KUNIT_EXPECT_LE(test, oo_order(s->oo), 3U);
		/* Waste stays below a quarter of the slab. */
		KUNIT_EXPECT_LE(test, bytes % s->size, bytes / 4);
		KUNIT_EXPECT_EQ(test, oo_order(s->min), (unsigned int)get_order(s->size));
		xalloc_cache_destroy(s);
	}
}

static void xalloc_slub_create_rejects_bad_arguments(struct kunit *test)
{
	char longname[XALLOC_CACHE_NAME_MAX + 2];
	struct xalloc_cache *s;

	memset(longname, 'a', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	KUNIT_EXPECT_NULL(test, xalloc_cache_create(NULL, 64, 0, 0, NULL));
	KUNIT_EXPECT_NULL(test, xalloc_cache_create("", 64, 0, 0, NULL));
	KUNIT_EXPECT_NULL(test, xalloc_cache_create(longname, 64, 0, 0, NULL));
	KUNIT_EXPECT_NULL(test, xalloc_cache_create("a/b", 64, 0, 0, NULL));
	KUNIT_EXPECT_NULL(test, xalloc_cache_create("bad", 0, 0, 0, NULL));
	KUNIT_EXPECT_NULL(test, xalloc_cache_create("bad", UINT_MAX, 0, 0, NULL));
	KUNIT_EXPECT_NULL(test, xalloc_cache_create("bad", 64, 3, 0, NULL));
	KUNIT_EXPECT_NULL(test, xalloc_cache_create("bad", 64, 2 * PAGE_SIZE, 0, NULL));
	KUNIT_EXPECT_NULL(test, xalloc_cache_create("bad", 64, 0, 0x1, NULL));
	KUNIT_EXPECT_NULL(test, xalloc_cache_create("kmalloc-64", 64, 0, 0, NULL));
	longname[XALLOC_CACHE_NAME_MAX] = '\0';
	s = xalloc_cache_create(longname, 64, 0, 0, NULL);
	KUNIT_EXPECT_NOT_NULL(test, s);
	xalloc_cache_destroy(s);
	xalloc_cache_destroy(NULL);
}

static void xalloc_slub_free_to_wrong_cache_reported(struct kunit *test)
{
	struct xalloc_cache *s = slub_cache(test, "slub_wrong", 64, 0, 0, NULL);
	struct xalloc_cache *other = xalloc_cache_create("slub_other", 64, 0,
							 XALLOC_NO_SHEAVES, NULL);
	void *obj;

	KUNIT_ASSERT_NOT_NULL(test, other);
	obj = xalloc_cache_alloc(other, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, obj);
	xalloc_cache_free(s, obj);		/* another cache's object */
	XALLOC_KUNIT_EXPECT_REPORTS(test, 1);
	xalloc_cache_free(other, obj + 8);	/* inside an object */
	XALLOC_KUNIT_EXPECT_REPORTS(test, 1);
	xalloc_cache_free(other, &obj);		/* not in the zone */
	XALLOC_KUNIT_EXPECT_REPORTS(test, 1);
	KUNIT_EXPECT_EQ(test, xalloc_kunit_active(other), 1UL);
	xalloc_cache_free(other, obj);
	xalloc_cache_destroy(other);
}

static void xalloc_slub_destroy_with_live_object_reported(struct kunit *test)
{
	struct xalloc_cache *s = xalloc_cache_create("slub_leak", 128, 0, 0, NULL);
	void *obj;

	KUNIT_ASSERT_NOT_NULL(test, s);
	obj = xalloc_cache_alloc(s, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, obj);
	memset(obj, 0x3c, 128);
	xalloc_cache_destroy(s);
	XALLOC_KUNIT_EXPECT_REPORTS(test, 1);
	/* The cache is gone by name but its object is still valid. */
	KUNIT_EXPECT_NULL(test, xalloc_cache_lookup("slub_leak"));
	KUNIT_EXPECT_NULL(test, memchr_inv(obj, 0x3c, 128));
	KUNIT_EXPECT_EQ(test, xalloc_kunit_active(s), 1UL);
	xalloc_kfree(obj);
	KUNIT_EXPECT_EQ(test, xalloc_kunit_active(s), 0UL);
}

/*
 * Allocation and free from hard and soft interrupt context: cache objects
 * (one allocated before, in the case's task), a bulk of them, kmalloc of a
 * class and of a large block, and pages of orders 0 and 2. The hard
 * interrupt is an hrtimer's, not HRTIMER_MODE_HARD: as for the kernel's
 * allocators, an interrupt that PREEMPT_RT keeps hard may not allocate (the
 * 6.12 kernel's PROVE_RAW_LOCK_NESTING reports kmemleak's own allocation).
 */
struct slub_irq {
	struct hrtimer timer;
	struct timer_list soft;
	struct completion done;
	struct xalloc_cache *s;
	void *before;			/* allocated by the case, freed in the interrupt */
	bool in_irq;
	int ok;
};

#define SLUB_IRQ_BULK	16
#define SLUB_IRQ_OK	(8 + SLUB_IRQ_BULK + 2 + 2)

static void slub_irq_work(struct slub_irq *t, bool hard)
{
	void *objs[8], *bulk[SLUB_IRQ_BULK], *k, *large;
	struct page *p0, *p2;

	t->in_irq = hard ? in_hardirq() : in_serving_softirq();
	for (int i = 0; i < ARRAY_SIZE(objs); i++) {
		objs[i] = xalloc_cache_alloc(t->s, GFP_ATOMIC);
		t->ok += !!objs[i];
	}
	if (xalloc_cache_alloc_bulk(t->s, GFP_ATOMIC, SLUB_IRQ_BULK, bulk) == SLUB_IRQ_BULK) {
		t->ok += SLUB_IRQ_BULK;
		xalloc_cache_free_bulk(t->s, SLUB_IRQ_BULK, bulk);
	}
	k = xalloc_kmalloc(100, GFP_ATOMIC);
	large = xalloc_kmalloc(20000, GFP_ATOMIC);
	t->ok += !!k + !!large;
	xalloc_kfree(k);
	xalloc_kfree(large);
	p0 = xalloc_alloc_pages(GFP_ATOMIC, 0);
	p2 = xalloc_alloc_pages(GFP_ATOMIC, 2);
	t->ok += !!p0 + !!p2;
	if (p0)
		xalloc_free_pages(p0, 0);
	if (p2)
		xalloc_free_pages(p2, 2);
	for (int i = 0; i < ARRAY_SIZE(objs); i++)
		xalloc_cache_free(t->s, objs[i]);
	xalloc_cache_free(t->s, t->before);
	complete(&t->done);
}

static enum hrtimer_restart slub_hardirq_fn(struct hrtimer *timer)
{
	slub_irq_work(container_of(timer, struct slub_irq, timer), true);
	return HRTIMER_NORESTART;
}

static void slub_softirq_fn(struct timer_list *timer)
{
	slub_irq_work(container_of(timer, struct slub_irq, soft), false);
}

struct slub_irq_param {
	bool hard;
	bool sheaves;
	const char *desc;
};

static const struct slub_irq_param slub_irq_params[] = {
	{ true, false, "hardirq, cpu-slab" },
	{ false, false, "softirq, cpu-slab" },
	{ true, true, "hardirq, sheaves" },
	{ false, true, "softirq, sheaves" },
};

static void slub_irq_desc(const struct slub_irq_param *p, char *desc)
{
	strscpy(desc, p->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(slub_irq, slub_irq_params, slub_irq_desc);

/*
 * With sheaves, the interrupt's bulk of 16 is taken from the main sheaf (it
 * holds 23 or more then) and freed back onto it, and its single objects,
 * and the case's one, are popped and pushed: exact sheaf counts.
 */
static void xalloc_slub_alloc_in_interrupt(struct kunit *test)
{
	const struct slub_irq_param *param = test->param_value;
	struct slub_irq *t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);
	struct slub_test_ctx *ctx = test->priv;
	bool hard = param->hard;

	KUNIT_ASSERT_NOT_NULL(test, t);
	if (param->sheaves) {
		ctx->s = xalloc_cache_create_sheaves("slub_irq", 48, 0, 0, NULL, 32);
		KUNIT_ASSERT_NOT_NULL(test, ctx->s);
		KUNIT_ASSERT_TRUE(test, !!ctx->s->sheaves);
		t->s = ctx->s;
	} else {
		t->s = slub_cache(test, "slub_irq", 48, 0, 0, NULL);
	}
	t->before = xalloc_cache_alloc(t->s, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, t->before);
	init_completion(&t->done);
	if (hard) {
		hrtimer_init(&t->timer, CLOCK_MONOTONIC, HRTIMER_MODE_REL);
		t->timer.function = slub_hardirq_fn;
		hrtimer_start(&t->timer, ms_to_ktime(1), HRTIMER_MODE_REL);
	} else {
		timer_setup(&t->soft, slub_softirq_fn, 0);
		mod_timer(&t->soft, jiffies + 1);
	}
	KUNIT_ASSERT_TRUE(test, wait_for_completion_timeout(&t->done, 10 * HZ));
	if (hard)
		hrtimer_cancel(&t->timer);
	else
		del_timer_sync(&t->soft);
	KUNIT_EXPECT_TRUE(test, t->in_irq);
	KUNIT_EXPECT_EQ(test, t->ok, SLUB_IRQ_OK);
	if (param->sheaves) {
		KUNIT_EXPECT_EQ(test, xalloc_sheaf_stat(t->s, SHEAF_ALLOC_BULK), 16UL);
		KUNIT_EXPECT_EQ(test, xalloc_sheaf_stat(t->s, SHEAF_FREE_BULK), 16UL);
		KUNIT_EXPECT_EQ(test, xalloc_sheaf_stat(t->s, SHEAF_ALLOC), 9UL);
		KUNIT_EXPECT_EQ(test, xalloc_sheaf_stat(t->s, SHEAF_FREE), 9UL);
		KUNIT_EXPECT_EQ(test, xalloc_sheaf_stat(t->s, SHEAF_BUSY), 0UL);
		/* Objects in sheaves count as active until drained. */
		xalloc_cache_shrink(t->s);
	}
	KUNIT_EXPECT_EQ(test, xalloc_kunit_active(t->s), 0UL);
}

/*
 * An interrupt that lands inside the fast path: a timer on the same CPU
 * allocates and frees an object of the cache every 50 us while the task
 * does the same in a loop. Once an interrupt comes between the task's read
 * of {freelist, tid} and its cmpxchg, the cmpxchg fails, is counted
 * (CMPXCHG_DOUBLE_CPU_FAIL) and retried; nothing is lost or handed out twice.
 */
static bool slub_race_seen(struct xalloc_cache *s)
{
	return xalloc_cache_stat(s, CMPXCHG_DOUBLE_CPU_FAIL);
}

static void xalloc_slub_interrupt_inside_fast_path(struct kunit *test)
{
	struct xalloc_kunit_race *r = kunit_kzalloc(test, sizeof(*r), GFP_KERNEL);
	long pairs;

	KUNIT_ASSERT_NOT_NULL(test, r);
	r->s = slub_cache(test, "slub_race", 64, 0, 0, NULL);
	r->seen = slub_race_seen;
	pairs = slub_on_cpu(test, 0, xalloc_kunit_race_run, r);
	kunit_info(test, "first retry after %ld pairs, %d interrupts", pairs,
		   atomic_read(&r->fired));
	KUNIT_EXPECT_LT(test, pairs, (long)XALLOC_KUNIT_RACE_MAX);
	KUNIT_EXPECT_GT(test, xalloc_cache_stat(r->s, CMPXCHG_DOUBLE_CPU_FAIL), 0UL);
	KUNIT_EXPECT_GT(test, atomic_read(&r->fired), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&r->failed), 0);
	KUNIT_EXPECT_EQ(test, xalloc_kunit_active(r->s), 0UL);
	KUNIT_EXPECT_EQ(test, xalloc_cache_validate(r->s), 0UL);
}

/*
 * Stress: a kthread per CPU allocates from two caches, fills each object with
 * a pattern of its address and a sequence number, verifies before freeing,
 * and hands a share of its objects to the next CPU's thread to free.
 */
#define STRESS_ROUNDS	4000
#define STRESS_SLOTS	32
#define STRESS_RING	64

struct stress_obj {
	void *p;
	struct xalloc_cache *s;
	u32 seq;
};

struct stress_ring {
	spinlock_t lock;		/* guards head, tail and slot */
	unsigned int head, tail;
	struct stress_obj slot[STRESS_RING];
};

struct slub_stress {
	struct xalloc_cache *s[2];
	struct stress_ring *ring;	/* one per CPU index */
	int nr;
	atomic_t errors;
	atomic_t running;
	atomic_long_t freed[2];		/* objects of s[i] freed */
	atomic_long_t handed;		/* objects pushed to the next ring */
};

struct stress_arg {
	struct slub_stress *st;
	int idx;
};

static u32 stress_word(const void *p, u32 seq, unsigned int i)
{
	return (u32)(unsigned long)p ^ (seq * 2654435761u) ^ (i * 97);
}

static void stress_fill(struct stress_obj *o)
{
	u32 *w = o->p;

	for (unsigned int i = 0; i < o->s->object_size / 4; i++)
		w[i] = stress_word(o->p, o->seq, i);
}

static bool stress_check(struct stress_obj *o)
{
	u32 *w = o->p;

	for (unsigned int i = 0; i < o->s->object_size / 4; i++)
		if (w[i] != stress_word(o->p, o->seq, i))
			return false;
	return true;
}

static void stress_release(struct slub_stress *st, struct stress_obj *o)
{
	if (!stress_check(o))
		atomic_inc(&st->errors);
	xalloc_cache_free(o->s, o->p);
	atomic_long_inc(&st->freed[o->s == st->s[1]]);
	o->p = NULL;
}

static bool ring_push(struct stress_ring *r, struct stress_obj *o)
{
	bool ok = false;

	spin_lock(&r->lock);
	if (r->head - r->tail < STRESS_RING) {
		r->slot[r->head++ % STRESS_RING] = *o;
		ok = true;
	}
	spin_unlock(&r->lock);
	return ok;
}

static bool ring_pop(struct stress_ring *r, struct stress_obj *o)
{
	bool ok = false;

	spin_lock(&r->lock);
	if (r->head != r->tail) {
		*o = r->slot[r->tail++ % STRESS_RING];
		ok = true;
	}
	spin_unlock(&r->lock);
	return ok;
}

static int stress_thread(void *data)
{
	struct stress_arg *a = data;
	struct slub_stress *st = a->st;
	struct stress_ring *mine = &st->ring[a->idx];
	struct stress_ring *next = &st->ring[(a->idx + 1) % st->nr];
	struct stress_obj *slot, o;

	slot = kcalloc(STRESS_SLOTS, sizeof(*slot), GFP_KERNEL);
	if (!slot) {
		atomic_inc(&st->errors);
		atomic_dec(&st->running);
		return 0;
	}
	for (u32 r = 1; r <= STRESS_ROUNDS; r++) {
		struct stress_obj *x = &slot[get_random_u32() % STRESS_SLOTS];

		while (ring_pop(mine, &o))
			stress_release(st, &o);
		if (x->p) {
			if (r % 3 || !ring_push(next, x))
				stress_release(st, x);
			else
				atomic_long_inc(&st->handed);
			x->p = NULL;
			continue;
		}
		x->s = st->s[r & 1];
		x->seq = r;
		x->p = xalloc_cache_alloc(x->s, GFP_KERNEL);
		if (!x->p) {
			atomic_inc(&st->errors);
			continue;
		}
		stress_fill(x);
		if (!(r % 128))
			cond_resched();
	}
	for (int i = 0; i < STRESS_SLOTS; i++)
		if (slot[i].p)
			stress_release(st, &slot[i]);
	kfree(slot);
	atomic_dec(&st->running);
	return 0;
}

static void xalloc_slub_concurrent_stress_all_cpus(struct kunit *test)
{
	struct slub_stress *st = kunit_kzalloc(test, sizeof(*st), GFP_KERNEL);
	struct stress_arg *args;
	struct stress_obj o;
	int cpu, i = 0;

	KUNIT_ASSERT_NOT_NULL(test, st);
	st->s[0] = slub_cache(test, "slub_stress_a", 72, 0, 0, NULL);
	st->s[1] = xalloc_cache_create("slub_stress_b", 520, 0, XALLOC_NO_SHEAVES, NULL);
	KUNIT_ASSERT_NOT_NULL(test, st->s[1]);
	cpus_read_lock();
	st->nr = num_online_cpus();
	st->ring = kunit_kcalloc(test, st->nr, sizeof(*st->ring), GFP_KERNEL);
	args = kunit_kcalloc(test, st->nr, sizeof(*args), GFP_KERNEL);
	if (!st->ring || !args) {
		cpus_read_unlock();
		KUNIT_FAIL(test, "no memory");
		xalloc_cache_destroy(st->s[1]);
		return;
	}
	atomic_set(&st->running, st->nr);
	/* Every ring first: a thread pushes onto its neighbour's. */
	for (i = 0; i < st->nr; i++)
		spin_lock_init(&st->ring[i].lock);
	i = 0;
	for_each_online_cpu(cpu) {
		struct task_struct *t;

		args[i].st = st;
		args[i].idx = i;
		t = kthread_create_on_cpu(stress_thread, &args[i], cpu, "xalloc_slub/%u");
		if (IS_ERR(t)) {
			atomic_dec(&st->running);
			atomic_inc(&st->errors);
		} else {
			wake_up_process(t);
		}
		i++;
	}
	cpus_read_unlock();
	while (atomic_read(&st->running))
		msleep(20);
	for (i = 0; i < st->nr; i++)
		while (ring_pop(&st->ring[i], &o))
			stress_release(st, &o);
	KUNIT_EXPECT_EQ(test, atomic_read(&st->errors), 0);
	KUNIT_EXPECT_EQ(test, xalloc_kunit_active(st->s[0]), 0UL);
	KUNIT_EXPECT_EQ(test, xalloc_kunit_active(st->s[1]), 0UL);
	KUNIT_EXPECT_GT(test, atomic_long_read(&st->handed), 0L);
	for (i = 0; i < 2; i++)
		KUNIT_EXPECT_EQ(test, xalloc_cache_stat(st->s[i], FREE_FASTPATH) +
				xalloc_cache_stat(st->s[i], FREE_SLOWPATH),
				(unsigned long)atomic_long_read(&st->freed[i]));
	/*
	 * Which frees find their slab not the CPU's own depends on how the
	 * threads interleave (a handed object's slab may have become the
	 * freeing CPU's): not an exact count, but some do.
	 */
	KUNIT_EXPECT_GT(test, xalloc_cache_stat(st->s[0], FREE_SLOWPATH), 0UL);
	xalloc_cache_destroy(st->s[1]);
}

static struct kunit_case xalloc_slub_cases[] = {
	KUNIT_CASE(xalloc_slub_fast_path_reuses_freed_object),
	KUNIT_CASE(xalloc_slub_new_slab_and_refill_counted),
	KUNIT_CASE(xalloc_slub_cpu_partial_list_used),
	KUNIT_CASE(xalloc_slub_node_partial_list_used),
	KUNIT_CASE(xalloc_slub_shrink_returns_pages),
	KUNIT_CASE(xalloc_slub_empty_slab_freed_beyond_min_partial),
	KUNIT_CASE_PARAM(xalloc_slub_alloc_node_affinity, slub_node_gen_params),
	KUNIT_CASE(xalloc_slub_full_node_falls_back),
	KUNIT_CASE(xalloc_slub_full_zones_use_other_partial),
	KUNIT_CASE(xalloc_slub_remote_free),
	KUNIT_CASE(xalloc_slub_cpu_offline_with_live_objects),
	KUNIT_CASE(xalloc_slub_ctor_runs_once_per_object),
	KUNIT_CASE_PARAM(xalloc_slub_alignment, slub_align_gen_params),
	KUNIT_CASE(xalloc_slub_hwcache_align),
	KUNIT_CASE(xalloc_slub_gfp_zero),
	KUNIT_CASE(xalloc_slub_bulk_alloc_and_free),
	KUNIT_CASE(xalloc_slub_bulk_free_checks_each),
	KUNIT_CASE(xalloc_slub_counts_are_exact),
	KUNIT_CASE(xalloc_slub_slab_order_and_objects),
	KUNIT_CASE(xalloc_slub_create_rejects_bad_arguments),
	KUNIT_CASE(xalloc_slub_free_to_wrong_cache_reported),
	KUNIT_CASE(xalloc_slub_destroy_with_live_object_reported),
	KUNIT_CASE(xalloc_slub_interrupt_inside_fast_path),
	KUNIT_CASE_PARAM(xalloc_slub_alloc_in_interrupt, slub_irq_gen_params),
	KUNIT_CASE(xalloc_slub_concurrent_stress_all_cpus),
	{}
};

static struct kunit_suite xalloc_slub_suite = {
	.name = "xalloc_slub",
	.init = slub_test_init,
	.exit = slub_test_exit,
	.test_cases = xalloc_slub_cases,
};

kunit_test_suite(xalloc_slub_suite);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("KUnit tests for the xalloc SLUB layer");
