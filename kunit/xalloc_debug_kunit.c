// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite xalloc_debug: red zones, poisoning, owner tracking, checks on
 * free, validation, traces, freelist hardening and page poisoning.
 *
 * As in the kernel's slub_kunit, each case damages a byte or frees wrongly
 * and expects an exact number of xalloc reports, and none on exit
 * (kunit/xalloc_kunit.h).
 */

#include <kunit/test.h>
#include <linux/kasan.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/workqueue.h>

#include <xalloc/xalloc.h>

#include "../mm/slab.h"
#include "xalloc_kunit.h"

#define DEBUG_ALL	XALLOC_DEBUG_FLAGS

struct debug_test_ctx {
	struct xalloc_cache *s;		/* destroyed on exit if set */
	struct xalloc_cache *kmalloc32;	/* debug switched off on exit if set */
};

static int debug_test_init(struct kunit *test)
{
	struct debug_test_ctx *ctx;

	xalloc_kunit_init(test);
	ctx = kunit_kzalloc(test, sizeof(*ctx), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ctx);
	test->priv = ctx;
	return 0;
}

static void debug_test_exit(struct kunit *test)
{
	struct debug_test_ctx *ctx = test->priv;
	int nid;

	if (ctx->s)
		xalloc_cache_destroy(ctx->s);
	if (ctx->kmalloc32)
		KUNIT_EXPECT_EQ(test, xalloc_cache_set_debug(ctx->kmalloc32, 0), 0);
	xalloc_page_poison = false;
	for_each_node(nid)
		KUNIT_EXPECT_TRUE(test, xalloc_zone_check(nid));
	xalloc_kunit_exit(test);
}

static struct xalloc_cache *debug_cache(struct kunit *test, const char *name,
					unsigned int size, unsigned long flags)
{
	struct debug_test_ctx *ctx = test->priv;

	ctx->s = xalloc_cache_create(name, size, 0, flags, NULL);
	KUNIT_ASSERT_NOT_NULL(test, ctx->s);
	return ctx->s;
}

/*
 * The cases damage red zones, free objects and free pages on purpose, for
 * xalloc's checks to find. That memory is poisoned for KASAN: its reports
 * stay off for these accesses alone (kasan_disable_current() is a no-op
 * without KASAN).
 */
static void poke(void *p, u8 v)
{
	kasan_disable_current();
	*(u8 *)p = v;
	kasan_enable_current();
}

static void poke_ulong(void *p, unsigned long v)
{
	kasan_disable_current();
	*(unsigned long *)p = v;
	kasan_enable_current();
}

static u8 peek(const void *p)
{
	u8 v;

	kasan_disable_current();
	v = *(const u8 *)p;
	kasan_enable_current();
	return v;
}

/* kmalloc-32 with all debug flags, for the kmalloc red zone cases. */
static struct xalloc_cache *debug_kmalloc32(struct kunit *test)
{
	struct debug_test_ctx *ctx = test->priv;
	struct xalloc_cache *s = xalloc_cache_lookup("kmalloc-32");

	KUNIT_ASSERT_NOT_NULL(test, s);
	KUNIT_ASSERT_EQ(test, xalloc_cache_set_debug(s, DEBUG_ALL), 0);
	ctx->kmalloc32 = s;
	return s;
}

static void xalloc_debug_right_redzone_live(struct kunit *test)
{
	struct xalloc_cache *s = debug_cache(test, "dbg_rz_right", 64, DEBUG_ALL);
	u8 *p = xalloc_cache_alloc(s, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, p);
	poke(&p[64], 0x88);		/* right red zone */
	KUNIT_EXPECT_EQ(test, xalloc_cache_validate(s), 1UL);
	KUNIT_EXPECT_EQ(test, xalloc_cache_validate(s), 0UL);	/* restored */
	xalloc_cache_free(s, p);
	XALLOC_KUNIT_EXPECT_REPORTS(test, 1);
}

static void xalloc_debug_left_redzone_live(struct kunit *test)
{
	struct xalloc_cache *s = debug_cache(test, "dbg_rz_left", 64, DEBUG_ALL);
	u8 *p = xalloc_cache_alloc(s, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, p);
	poke(&p[-1], 0x88);		/* left red zone */
	KUNIT_EXPECT_EQ(test, xalloc_cache_validate(s), 1UL);
	xalloc_cache_free(s, p);
	XALLOC_KUNIT_EXPECT_REPORTS(test, 1);
}

static void xalloc_debug_right_redzone_caught_on_free(struct kunit *test)
{
	struct xalloc_cache *s = debug_cache(test, "dbg_rz_free", 40, DEBUG_ALL);
	u8 *p = xalloc_cache_alloc(s, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, p);
	poke(&p[40], 0);		/* right red zone */
	xalloc_cache_free(s, p);
	KUNIT_EXPECT_EQ(test, xalloc_cache_validate(s), 0UL);
	XALLOC_KUNIT_EXPECT_REPORTS(test, 1);
}

static void write_after_free(struct kunit *test, const char *name,
			     unsigned int offset)
{
	struct xalloc_cache *s = debug_cache(test, name, 64, DEBUG_ALL);
	u8 *p = xalloc_cache_alloc(s, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, p);
	xalloc_cache_free(s, p);
	poke(&p[offset], 0x12);		/* freed */
	KUNIT_EXPECT_EQ(test, xalloc_cache_validate(s), 1UL);
	KUNIT_EXPECT_EQ(test, xalloc_cache_validate(s), 0UL);
	XALLOC_KUNIT_EXPECT_REPORTS(test, 1);
}

static void xalloc_debug_byte0_after_free(struct kunit *test)
{
	write_after_free(test, "dbg_uaf0", 0);
}

static void xalloc_debug_byte50_after_free(struct kunit *test)
{
	write_after_free(test, "dbg_uaf50", 50);
}

static void xalloc_debug_redzone_after_free(struct kunit *test)
{
	write_after_free(test, "dbg_uaf_rz", 64);
}

static void xalloc_debug_poison_checked_on_alloc(struct kunit *test)
{
	struct xalloc_cache *s = debug_cache(test, "dbg_poison_alloc", 96, DEBUG_ALL);
	u8 *p = xalloc_cache_alloc(s, GFP_KERNEL), *q;

	KUNIT_ASSERT_NOT_NULL(test, p);
	xalloc_cache_free(s, p);
	poke(&p[3], 0);			/* freed */
	q = xalloc_cache_alloc(s, GFP_KERNEL);	/* the same object again */
	KUNIT_EXPECT_PTR_EQ(test, q, p);
	xalloc_cache_free(s, q);
	XALLOC_KUNIT_EXPECT_REPORTS(test, 1);
}

static void xalloc_debug_freelist_pointer_smashed(struct kunit *test)
{
	struct xalloc_cache *s = debug_cache(test, "dbg_fp", 64, DEBUG_ALL);
	struct xalloc_cache_counts cnt;
	void *a, *b, *c;

	a = xalloc_cache_alloc(s, GFP_KERNEL);
	b = xalloc_cache_alloc(s, GFP_KERNEL);
	c = xalloc_cache_alloc(s, GFP_KERNEL);
	KUNIT_ASSERT_TRUE(test, a && b && c);
	xalloc_cache_free(s, a);
	xalloc_cache_free(s, b);
	poke_ulong(b + xalloc_cache_layout(s)->offset, 0x12345678);	/* b's free pointer */
	KUNIT_EXPECT_EQ(test, xalloc_cache_validate(s), 1UL);
	/* Rebuilt from the red zones: consistent again, nothing lost. */
	KUNIT_EXPECT_EQ(test, xalloc_cache_validate(s), 0UL);
	xalloc_cache_free(s, c);
	xalloc_cache_counts(s, &cnt);
	KUNIT_EXPECT_EQ(test, cnt.active_objs, 0UL);
	xalloc_cache_shrink(s);
	xalloc_cache_counts(s, &cnt);
	KUNIT_EXPECT_EQ(test, cnt.num_slabs, 0UL);
	XALLOC_KUNIT_EXPECT_REPORTS(test, 1);
}

static void xalloc_debug_kmalloc_slack_written(struct kunit *test)
{
	u8 *p;

	debug_kmalloc32(test);
	p = xalloc_kmalloc(18, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_EXPECT_EQ(test, xalloc_ksize(p), (size_t)18);
	poke(&p[18], 0x20);		/* slack past the 18 bytes asked */
	poke(&p[19], 0x20);
	xalloc_kfree(p);
	XALLOC_KUNIT_EXPECT_REPORTS(test, 1);
}

static void xalloc_debug_krealloc_shrink_zones_tail(struct kunit *test)
{
	u8 *p, *q;

	debug_kmalloc32(test);
	p = xalloc_kmalloc(30, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	q = xalloc_krealloc(p, 10, GFP_KERNEL);
	KUNIT_EXPECT_PTR_EQ(test, q, p);
	poke(&p[12], 1);		/* given up by the shrink */
	xalloc_kfree(p);
	XALLOC_KUNIT_EXPECT_REPORTS(test, 1);
}

static void xalloc_debug_double_free(struct kunit *test)
{
	struct xalloc_cache *s = debug_cache(test, "dbg_double", 128, DEBUG_ALL);
	struct xalloc_cache_counts cnt;
	void *p = xalloc_cache_alloc(s, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, p);
	xalloc_cache_free(s, p);
	xalloc_cache_free(s, p);
	xalloc_cache_counts(s, &cnt);
	KUNIT_EXPECT_EQ(test, cnt.active_objs, 0UL);
	KUNIT_EXPECT_EQ(test, xalloc_cache_validate(s), 0UL);
	XALLOC_KUNIT_EXPECT_REPORTS(test, 1);
}

static void xalloc_debug_free_interior_pointer(struct kunit *test)
{
	struct xalloc_cache *s = debug_cache(test, "dbg_interior", 128, DEBUG_ALL);
	u8 *p = xalloc_cache_alloc(s, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, p);
	xalloc_cache_free(s, p + 8);
	xalloc_kfree(p + 1);
	xalloc_cache_free(s, p);
	KUNIT_EXPECT_EQ(test, xalloc_cache_validate(s), 0UL);
	XALLOC_KUNIT_EXPECT_REPORTS(test, 2);
}

static void xalloc_debug_free_to_wrong_cache(struct kunit *test)
{
	struct xalloc_cache *s = debug_cache(test, "dbg_wrong", 128, DEBUG_ALL);
	struct xalloc_cache *other = xalloc_cache_create("dbg_wrong2", 128, 0,
							 DEBUG_ALL, NULL);
	void *p;

	KUNIT_ASSERT_NOT_NULL(test, other);
	p = xalloc_cache_alloc(other, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	xalloc_cache_free(s, p);
	xalloc_cache_free(other, p);
	xalloc_cache_destroy(other);
	XALLOC_KUNIT_EXPECT_REPORTS(test, 1);
}

static void xalloc_debug_free_outside_zone(struct kunit *test)
{
	struct xalloc_cache *s = debug_cache(test, "dbg_outside", 32, DEBUG_ALL);
	void *k = kmalloc(32, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, k);
	xalloc_cache_free(s, k);
	xalloc_kfree(k);
	kfree(k);
	XALLOC_KUNIT_EXPECT_REPORTS(test, 2);
}

/* Call sites for the owner tracks; barrier() keeps the calls from being tail calls. */
static noinline void *debug_alloc_site(struct xalloc_cache *s)
{
	void *p = xalloc_cache_alloc(s, GFP_KERNEL);

	barrier();
	return p;
}

static noinline void debug_free_site(struct xalloc_cache *s, void *p)
{
	xalloc_cache_free(s, p);
	barrier();
}

static noinline void debug_bulk_free_site(struct xalloc_cache *s, size_t nr, void **p)
{
	xalloc_cache_free_bulk(s, nr, p);
	barrier();
}

/*
 * Whether @addr lies in the first 512 bytes of @fn. The start is hidden from
 * the compiler: folded into a relocation to fn + 512, it would point into
 * whichever function comes next, which objtool rejects (no ENDBR there).
 */
static bool addr_in(unsigned long addr, void *fn)
{
	unsigned long start = (unsigned long)fn;

	OPTIMIZER_HIDE_VAR(start);
	return addr > start && addr < start + 512;
}

/* A bulk free tracks its caller for each object, as a single free does. */
static void xalloc_debug_bulk_free_tracks_caller(struct kunit *test)
{
	struct xalloc_cache *s = debug_cache(test, "dbg_bulk_track", 48, DEBUG_ALL);
	void *objs[4];

	KUNIT_ASSERT_EQ(test, xalloc_cache_alloc_bulk(s, GFP_KERNEL, 4, objs), 4);
	debug_bulk_free_site(s, 4, objs);
	for (int i = 0; i < 4; i++)
		KUNIT_EXPECT_TRUE(test, addr_in(xalloc_debug_track_addr(s, objs[i], false),
						debug_bulk_free_site));
	KUNIT_EXPECT_EQ(test, xalloc_cache_validate(s), 0UL);
}

static void xalloc_debug_destroy_names_alloc_site(struct kunit *test)
{
	struct xalloc_cache *s = xalloc_cache_create("dbg_leak", 48, 0, DEBUG_ALL, NULL);
	void *p;

	KUNIT_ASSERT_NOT_NULL(test, s);
	p = debug_alloc_site(s);
	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_EXPECT_TRUE(test, addr_in(xalloc_debug_track_addr(s, p, true),
					debug_alloc_site));
	xalloc_cache_destroy(s);	/* reports, naming debug_alloc_site */
	xalloc_cache_free(s, p);
	XALLOC_KUNIT_EXPECT_REPORTS(test, 1);
}

static void xalloc_debug_validate_clean_cache(struct kunit *test)
{
	struct xalloc_cache *s = debug_cache(test, "dbg_clean", 200, DEBUG_ALL);
	void *objs[50];

	for (int i = 0; i < ARRAY_SIZE(objs); i++) {
		objs[i] = xalloc_cache_alloc(s, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, objs[i]);
		memset(objs[i], i, 200);
	}
	for (int i = 0; i < ARRAY_SIZE(objs); i += 2)
		xalloc_cache_free(s, objs[i]);
	KUNIT_EXPECT_EQ(test, xalloc_cache_validate(s), 0UL);
	for (int i = 1; i < ARRAY_SIZE(objs); i += 2)
		xalloc_cache_free(s, objs[i]);
	KUNIT_EXPECT_EQ(test, xalloc_cache_validate(s), 0UL);
}

static void xalloc_debug_traces_list_call_site(struct kunit *test)
{
	struct xalloc_cache *s = debug_cache(test, "dbg_traces", 64, DEBUG_ALL);
	struct xalloc_location *loc;
	void *objs[5];
	int nr, i;

	loc = kunit_kcalloc(test, 16, sizeof(*loc), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, loc);
	for (i = 0; i < ARRAY_SIZE(objs); i++)
		objs[i] = debug_alloc_site(s);
	nr = xalloc_debug_traces(s, true, loc, 16);
	KUNIT_ASSERT_EQ(test, nr, 1);
	KUNIT_EXPECT_TRUE(test, addr_in(loc[0].addr, debug_alloc_site));
	KUNIT_EXPECT_EQ(test, loc[0].count, 5UL);
	for (i = 0; i < ARRAY_SIZE(objs); i++)
		debug_free_site(s, objs[i]);
	nr = xalloc_debug_traces(s, true, loc, 16);
	KUNIT_EXPECT_EQ(test, nr, 0);
	nr = xalloc_debug_traces(s, false, loc, 16);
	KUNIT_ASSERT_EQ(test, nr, 1);
	KUNIT_EXPECT_TRUE(test, addr_in(loc[0].addr, debug_free_site));
	KUNIT_EXPECT_EQ(test, loc[0].count, 5UL);
}

/* Forge a freed object's next pointer in plain (unobfuscated) form. */
struct harden_arg {
	struct xalloc_cache *s;
	void *got;
	void *a;
};

static long harden_fn(void *arg)
{
	struct harden_arg *h = arg;
	void *b;

	h->a = xalloc_cache_alloc(h->s, GFP_KERNEL);
	b = xalloc_cache_alloc(h->s, GFP_KERNEL);
	if (!h->a || !b)
		return -ENOMEM;
	xalloc_cache_free(h->s, h->a);
	xalloc_cache_free(h->s, b);
	poke_ulong(b + h->s->offset, (unsigned long)h->a);	/* b's free pointer */
	h->got = xalloc_cache_alloc(h->s, GFP_KERNEL);	/* b, then the check */
	xalloc_cache_free(h->s, h->got);
	return h->got == b;
}

static void xalloc_debug_hardening_detects_forged_pointer(struct kunit *test)
{
	struct debug_test_ctx *ctx = test->priv;
	/* A forged pointer in the CPU slab's freelist: no sheaves in front. */
	struct harden_arg h = { .s = debug_cache(test, "dbg_harden", 64, XALLOC_NO_SHEAVES) };
	struct xalloc_cache_counts cnt;

	if (!h.s->swab_mask)
		kunit_skip(test, "harden_freelist=0");
	KUNIT_EXPECT_EQ(test, work_on_cpu(0, harden_fn, &h), 1L);
	XALLOC_KUNIT_EXPECT_REPORTS(test, 1);
	/*
	 * The forged list was dropped: its objects stay lost, so destroy
	 * reports and keeps the cache, which rmmod xalloc names again.
	 */
	ctx->s = NULL;
	xalloc_cache_destroy(h.s);
	XALLOC_KUNIT_EXPECT_REPORTS(test, 1);
	xalloc_cache_counts(h.s, &cnt);
	xalloc_kunit_expect_unload_leak(test, h.s->name, cnt.num_slabs,
					cnt.num_slabs << oo_order(h.s->oo));
}

/* Objects of new slabs come in a shuffled order that differs per slab. */
struct shuffle_arg {
	struct xalloc_cache *s;
	void **objs;
	unsigned int n;
};

static long shuffle_fn(void *arg)
{
	struct shuffle_arg *a = arg;

	for (unsigned int i = 0; i < a->n; i++)
		a->objs[i] = xalloc_cache_alloc(a->s, GFP_KERNEL);
	return 0;
}

static void xalloc_debug_random_freelists_differ(struct kunit *test)
{
	struct shuffle_arg a = { .s = debug_cache(test, "dbg_shuffle", 256, 0) };
	unsigned int per = oo_objects(a.s->oo), slabs = 4, differ = 0, shuffled = 0;
	unsigned int *idx;

	if (!a.s->random_seq)
		kunit_skip(test, "random_freelist=0");
	a.n = slabs * per;
	a.objs = kunit_kcalloc(test, a.n, sizeof(void *), GFP_KERNEL);
	idx = kunit_kcalloc(test, a.n, sizeof(*idx), GFP_KERNEL);
	KUNIT_ASSERT_TRUE(test, a.objs && idx);
	work_on_cpu(0, shuffle_fn, &a);
	for (unsigned int i = 0; i < a.n; i++) {
		struct xalloc_page *slab;

		KUNIT_ASSERT_NOT_NULL(test, a.objs[i]);
		/* An object past the first page of its slab has a tail descriptor. */
		slab = xalloc_addr_desc(a.objs[i]);
		if (slab->type == XALLOC_PAGE_SLAB_TAIL)
			slab = slab->head;
		idx[i] = (a.objs[i] - slab_address(slab)) / a.s->size;
	}
	for (unsigned int sl = 0; sl < slabs; sl++) {
		for (unsigned int i = 0; i < per; i++)
			shuffled += idx[sl * per + i] != i;
		if (sl && memcmp(&idx[sl * per], idx, per * sizeof(*idx)))
			differ++;
	}
	KUNIT_EXPECT_GT(test, shuffled, 0U);
	KUNIT_EXPECT_GT(test, differ, 0U);
	for (unsigned int i = 0; i < a.n; i++)
		xalloc_cache_free(a.s, a.objs[i]);
}

static void xalloc_debug_page_poison_corruption(struct kunit *test)
{
	struct page *page, *again;
	u8 *p;

	xalloc_page_poison = true;
	page = xalloc_alloc_pages_node(0, GFP_KERNEL | __GFP_THISNODE, XALLOC_MAX_ORDER);
	KUNIT_ASSERT_NOT_NULL(test, page);
	p = page_address(page);
	xalloc_free_pages(page, XALLOC_MAX_ORDER);
	/* Intact poison passes. */
	again = xalloc_alloc_pages_node(0, GFP_KERNEL | __GFP_THISNODE, XALLOC_MAX_ORDER);
	KUNIT_ASSERT_PTR_EQ(test, again, page);
	xalloc_free_pages(again, XALLOC_MAX_ORDER);
	KUNIT_EXPECT_EQ(test, peek(&p[100]), (u8)XALLOC_PAGE_POISON);
	poke(&p[PAGE_SIZE + 7], 0);	/* write after free */
	again = xalloc_alloc_pages_node(0, GFP_KERNEL | __GFP_THISNODE, XALLOC_MAX_ORDER);
	KUNIT_ASSERT_PTR_EQ(test, again, page);
	xalloc_page_poison = false;
	xalloc_free_pages(again, XALLOC_MAX_ORDER);
	XALLOC_KUNIT_EXPECT_REPORTS(test, 1);
}

static void xalloc_debug_zone_validate_finds_poison(struct kunit *test)
{
	struct page *page;
	u8 *p;

	xalloc_page_poison = true;
	/* A whole chunk: it has no buddy to merge with, its poison flag stays. */
	page = xalloc_alloc_pages_node(0, GFP_KERNEL | __GFP_THISNODE, XALLOC_MAX_ORDER);
	KUNIT_ASSERT_NOT_NULL(test, page);
	p = page_address(page);
	xalloc_free_pages(page, XALLOC_MAX_ORDER);
	KUNIT_EXPECT_TRUE(test, xalloc_zone_check(0));
	poke(&p[5], 0x42);		/* free block */
	KUNIT_EXPECT_FALSE(test, xalloc_zone_check(0));
	poke(&p[5], XALLOC_PAGE_POISON);
	KUNIT_EXPECT_TRUE(test, xalloc_zone_check(0));
	XALLOC_KUNIT_EXPECT_REPORTS(test, 1);
}

static void xalloc_debug_parse_syntax(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, xalloc_debug_parse("FZ,foo,bar", "bar"),
			XALLOC_CONSISTENCY_CHECKS | XALLOC_RED_ZONE);
	KUNIT_EXPECT_EQ(test, xalloc_debug_parse("FZ,foo,bar", "foo"),
			XALLOC_CONSISTENCY_CHECKS | XALLOC_RED_ZONE);
	KUNIT_EXPECT_EQ(test, xalloc_debug_parse("FZ,foo,bar", "fo"), 0UL);
	KUNIT_EXPECT_EQ(test, xalloc_debug_parse("FZ,foo,bar", "baz"), 0UL);
	KUNIT_EXPECT_EQ(test, xalloc_debug_parse("P", "anything"), XALLOC_POISON);
	KUNIT_EXPECT_EQ(test, xalloc_debug_parse("u,kmalloc-32", "kmalloc-32"),
			XALLOC_STORE_USER);
	KUNIT_EXPECT_EQ(test, xalloc_debug_parse(",foo", "foo"), DEBUG_ALL);
	KUNIT_EXPECT_EQ(test, xalloc_debug_parse("-", "foo"), 0UL);
	KUNIT_EXPECT_EQ(test, xalloc_debug_parse("", "foo"), 0UL);
	KUNIT_EXPECT_EQ(test, xalloc_debug_parse(NULL, "foo"), 0UL);
}

static struct xalloc_page *slab_of(const void *obj)
{
	struct xalloc_page *desc = xalloc_addr_desc(obj);

	return desc->type == XALLOC_PAGE_SLAB_TAIL ? desc->head : desc;
}

/*
 * Debugging switched on while an object is live: the object keeps the
 * layout of its slab and is freed without checks; the next object comes
 * from a debug slab, and its red zone is checked on free.
 */
static void xalloc_debug_switch_at_runtime(struct kunit *test)
{
	struct xalloc_cache *s = debug_cache(test, "dbg_switch", 64, 0);
	void *p = xalloc_cache_alloc(s, GFP_KERNEL), *q;

	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_EXPECT_EQ(test, xalloc_cache_set_debug(s, XALLOC_HWCACHE_ALIGN), -EINVAL);
	KUNIT_ASSERT_EQ(test, xalloc_cache_set_debug(s, DEBUG_ALL), 0);
	KUNIT_EXPECT_TRUE(test, xalloc_cache_debug(xalloc_cache_layout(s)));
	KUNIT_EXPECT_FALSE(test, xalloc_cache_debug(s));
	KUNIT_EXPECT_PTR_EQ(test, slab_of(p)->cache, s);
	q = xalloc_cache_alloc(s, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, q);
	KUNIT_EXPECT_PTR_EQ(test, slab_of(q)->cache, xalloc_cache_layout(s));
	poke(q + 64, 0);		/* right red zone */
	xalloc_cache_free(s, q);		/* caught */
	XALLOC_KUNIT_EXPECT_REPORTS(test, 1);
	KUNIT_EXPECT_EQ(test, xalloc_cache_set_debug(s, 0), 0);
	KUNIT_EXPECT_PTR_EQ(test, xalloc_cache_layout(s), s);
	xalloc_cache_free(s, p);		/* its own layout: no report */
	XALLOC_KUNIT_EXPECT_REPORTS(test, 0);
	KUNIT_EXPECT_EQ(test, xalloc_cache_validate(s), 0UL);
}

static void xalloc_debug_bulk_on_debug_cache(struct kunit *test)
{
	struct xalloc_cache *s = debug_cache(test, "dbg_bulk", 24, DEBUG_ALL);
	void *objs[40];

	KUNIT_ASSERT_EQ(test, xalloc_cache_alloc_bulk(s, GFP_KERNEL | __GFP_ZERO,
						      ARRAY_SIZE(objs), objs), 40);
	for (int i = 0; i < ARRAY_SIZE(objs); i++)
		KUNIT_EXPECT_NULL(test, memchr_inv(objs[i], 0, 24));
	xalloc_cache_free_bulk(s, ARRAY_SIZE(objs), objs);
	KUNIT_EXPECT_EQ(test, xalloc_cache_validate(s), 0UL);
}

/* ---- Repairs keep the lists true ---------------------------------------- */

/* A new slab's objects, all allocated on CPU 0; returns the slab. */
static struct xalloc_page *fill_slab(struct kunit *test, struct shuffle_arg *f)
{
	struct xalloc_page *slab;

	f->n = oo_objects(xalloc_cache_layout(f->s)->oo);
	f->objs = kunit_kcalloc(test, f->n, sizeof(void *), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, f->objs);
	work_on_cpu(0, shuffle_fn, f);
	KUNIT_ASSERT_NOT_NULL(test, f->objs[0]);
	slab = slab_of(f->objs[0]);
	for (unsigned int i = 1; i < f->n; i++)
		KUNIT_ASSERT_TRUE(test, f->objs[i] && slab_of(f->objs[i]) == slab);
	return slab;
}

/*
 * Object 0 of a full debug slab overflows with 0xbb through the left red
 * zone of object 1, and object 3, freed, gets a smashed free pointer: the
 * freelist rebuilt from the red zones holds object 3 alone, both live
 * objects are reported and restored, and neither is handed out again.
 */
static void xalloc_debug_repair_keeps_overflowed_live(struct kunit *test)
{
	struct shuffle_arg f = {
		.s = debug_cache(test, "dbg_rz_fix", 64,
				 XALLOC_RED_ZONE | XALLOC_CONSISTENCY_CHECKS),
	};
	struct xalloc_page *slab = fill_slab(test, &f);
	struct xalloc_cache *s = f.s, *l = slab->cache;
	u8 *live = slab_address(slab) + l->red_left_pad, *next = live + l->size;
	void *freed = live + 3 * l->size, *p;

	KUNIT_ASSERT_PTR_EQ(test, l, xalloc_cache_layout(s));
	xalloc_cache_free(s, freed);
	kasan_disable_current();
	memset(live + l->object_size, 0xbb, next - (live + l->object_size));	/* free zone */
	kasan_enable_current();
	poke_ulong(freed + l->offset, 0x12345678);
	/* The free pointer, object 0's right zone, object 1's left zone. */
	KUNIT_EXPECT_EQ(test, xalloc_cache_validate(s), 3UL);
	XALLOC_KUNIT_EXPECT_REPORTS(test, 3);
	KUNIT_EXPECT_EQ(test, xalloc_cache_validate(s), 0UL);
	p = xalloc_cache_alloc(s, GFP_KERNEL);
	KUNIT_EXPECT_PTR_EQ(test, p, freed);
	p = xalloc_cache_alloc(s, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_EXPECT_PTR_NE(test, slab_of(p), slab);
	xalloc_cache_free(s, p);
	for (unsigned int i = 0; i < f.n; i++)
		xalloc_cache_free(s, f.objs[i]);
	KUNIT_EXPECT_EQ(test, xalloc_cache_validate(s), 0UL);
	XALLOC_KUNIT_EXPECT_REPORTS(test, 0);
}

/*
 * A listed partial slab of a cache without debugging whose freelist head is
 * smashed: validation leaves it without free objects and takes it off the
 * node partial list, so that the next free, which puts it on a CPU partial
 * list, does not leave it on two lists (DEBUG_LIST would report the double
 * add when the CPU list is flushed). The object that was free is lost.
 */
static void xalloc_debug_repair_unlists_emptied_slab(struct kunit *test)
{
	struct debug_test_ctx *ctx = test->priv;
	struct shuffle_arg f = { .s = debug_cache(test, "dbg_relist", 64, XALLOC_NO_SHEAVES) };
	struct xalloc_page *slab = fill_slab(test, &f);
	struct xalloc_cache *s = f.s;
	struct xalloc_cache_counts cnt;

	xalloc_cache_free(s, f.objs[0]);
	xalloc_cache_shrink(s);		/* the slab onto its node partial list */
	KUNIT_ASSERT_EQ(test, s->node[slab->chunk->zone->nid]->nr_partial, 1UL);
	slab->freelist = slab_address(slab) + 1;
	KUNIT_EXPECT_EQ(test, xalloc_cache_validate(s), 1UL);
	XALLOC_KUNIT_EXPECT_REPORTS(test, 1);
	KUNIT_EXPECT_EQ(test, s->node[slab->chunk->zone->nid]->nr_partial, 0UL);
	xalloc_cache_free(s, f.objs[1]);
	xalloc_cache_shrink(s);
	KUNIT_EXPECT_EQ(test, s->node[slab->chunk->zone->nid]->nr_partial, 1UL);
	KUNIT_EXPECT_EQ(test, xalloc_cache_validate(s), 0UL);
	for (unsigned int i = 2; i < f.n; i++)
		xalloc_cache_free(s, f.objs[i]);
	/* Object 0 stays lost: destroy keeps the cache, rmmod names it. */
	ctx->s = NULL;
	xalloc_cache_destroy(s);
	XALLOC_KUNIT_EXPECT_REPORTS(test, 1);
	xalloc_cache_counts(s, &cnt);
	KUNIT_EXPECT_EQ(test, cnt.num_slabs, 1UL);
	xalloc_kunit_expect_unload_leak(test, s->name, cnt.num_slabs,
					cnt.num_slabs << oo_order(s->oo));
}

static struct kunit_case xalloc_debug_cases[] = {
	KUNIT_CASE(xalloc_debug_right_redzone_live),
	KUNIT_CASE(xalloc_debug_left_redzone_live),
	KUNIT_CASE(xalloc_debug_right_redzone_caught_on_free),
	KUNIT_CASE(xalloc_debug_byte0_after_free),
	KUNIT_CASE(xalloc_debug_byte50_after_free),
	KUNIT_CASE(xalloc_debug_redzone_after_free),
	KUNIT_CASE(xalloc_debug_poison_checked_on_alloc),
	KUNIT_CASE(xalloc_debug_freelist_pointer_smashed),
	KUNIT_CASE(xalloc_debug_kmalloc_slack_written),
	KUNIT_CASE(xalloc_debug_krealloc_shrink_zones_tail),
	KUNIT_CASE(xalloc_debug_double_free),
	KUNIT_CASE(xalloc_debug_free_interior_pointer),
	KUNIT_CASE(xalloc_debug_free_to_wrong_cache),
	KUNIT_CASE(xalloc_debug_free_outside_zone),
	KUNIT_CASE(xalloc_debug_destroy_names_alloc_site),
	KUNIT_CASE(xalloc_debug_bulk_free_tracks_caller),
	KUNIT_CASE(xalloc_debug_validate_clean_cache),
	KUNIT_CASE(xalloc_debug_traces_list_call_site),
	KUNIT_CASE(xalloc_debug_hardening_detects_forged_pointer),
	KUNIT_CASE(xalloc_debug_random_freelists_differ),
	KUNIT_CASE(xalloc_debug_page_poison_corruption),
	KUNIT_CASE(xalloc_debug_zone_validate_finds_poison),
	KUNIT_CASE(xalloc_debug_parse_syntax),
	KUNIT_CASE(xalloc_debug_switch_at_runtime),
	KUNIT_CASE(xalloc_debug_bulk_on_debug_cache),
	KUNIT_CASE(xalloc_debug_repair_keeps_overflowed_live),
	KUNIT_CASE(xalloc_debug_repair_unlists_emptied_slab),
	{}
};

static struct kunit_suite xalloc_debug_suite = {
	.name = "xalloc_debug",
	.init = debug_test_init,
	.exit = debug_test_exit,
	.test_cases = xalloc_debug_cases,
};

kunit_test_suite(xalloc_debug_suite);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("KUnit tests for xalloc's debugging and hardening");
