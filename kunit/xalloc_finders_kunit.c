// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite xalloc_finders: the kernel's bug finders see misuse of xalloc
 * memory, and xalloc's own checks catch double frees, each exactly once.
 *
 * KASAN fails the KUnit case whose thread makes a report (6.12; 6.1 with
 * KASAN_KUNIT_TEST), so every bad access here runs in a work item, where
 * current->kunit_test is NULL. The reports are read back from the console:
 * a console of this suite's own scans every printk record for the lines
 * "BUG: KASAN: <type> in ...", "<Read|Write> of size <n> at addr <addr>"
 * and "xalloc: BUG ...". A marker printed after the access shows, once that
 * console has seen it, that it saw everything printed before.
 *
 * Every case expects an exact number of KASAN reports and of xalloc reports
 * (kunit/xalloc_kunit.h), checked on exit with every zone's consistency.
 *
 * A KASAN report taints the kernel and turns lockdep off for the rest of the
 * boot: this suite runs in a guest of its own (scripts/finders.sh), booted
 * with kasan_multi_shot so that every report is printed, not only the first.
 * Without CONFIG_KASAN_GENERIC the cases that need KASAN are skipped.
 */

#include <kunit/test.h>
#include <linux/console.h>
#include <linux/delay.h>
#include <linux/kasan.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/workqueue.h>

#include <xalloc/xalloc.h>

#include "../mm/quarantine.h"
#include "../mm/slab.h"
#include "xalloc_kunit.h"

/* ---- A console that reads the reports ---------------------------------- */

#define FINDERS_LINE_MAX	256
#define FINDERS_TYPE_MAX	40
#define FINDERS_SYNC_MS		10000

/* What the console saw since the case began. */
struct finders_seen {
	unsigned int kasan;		/* "BUG: KASAN:" lines */
	unsigned int xalloc;		/* "xalloc: BUG" lines */
	unsigned int xalloc_match;	/* ... of those, with match in them */
	char type[FINDERS_TYPE_MAX];	/* bug type of the first KASAN report */
	bool access;			/* its access line was seen: */
	bool write;			/*   a write, else a read */
	size_t size;			/*   of this many bytes */
	unsigned long addr;		/*   at this address */
	unsigned int synced;		/* the last marker seen */
};

static struct {
	raw_spinlock_t lock;		/* guards the rest; any context */
	const char *match;		/* counted in seen.xalloc_match, or NULL */
	struct finders_seen seen;
} finders_log = {
	.lock = __RAW_SPIN_LOCK_UNLOCKED(finders_log.lock),
};

static atomic_t finders_marker = ATOMIC_INIT(0);

static const char *after(const char *line, const char *what)
{
	const char *p = strstr(line, what);

	return p ? p + strlen(what) : NULL;
}

/* One line of the console, finders_log.lock held. */
static void finders_scan_line(const char *line)
{
	struct finders_seen *seen = &finders_log.seen;
	unsigned long addr;
	unsigned int n;
	const char *p;
	size_t size;
	char rw[6];

	lockdep_assert_held(&finders_log.lock);
	p = after(line, "BUG: KASAN: ");
	if (p) {
		if (!seen->kasan++)
			strscpy(seen->type, p, min_t(size_t, sizeof(seen->type),
						     strcspn(p, " ") + 1));
		return;
	}
	p = after(line, "xalloc: BUG ");
	if (p) {
		seen->xalloc++;
		if (finders_log.match && strstr(p, finders_log.match))
			seen->xalloc_match++;
		return;
	}
	p = after(line, "xalloc_finders: marker ");
	if (p) {
		if (!kstrtouint(p, 10, &n))
			seen->synced = n;
		return;
	}
	/* The access of the first KASAN report: the line after its title. */
	if (seen->kasan != 1 || seen->access)
		return;
	p = strstr(line, "Read of size ");
	if (!p)
		p = strstr(line, "Write of size ");
	if (p && sscanf(p, "%5s of size %zu at addr %lx", rw, &size, &addr) == 3) {
		seen->access = true;
		seen->write = rw[0] == 'W';
		seen->size = size;
		seen->addr = addr;
	}
}

/* Called with the console lock held, interrupts possibly off. */
static void finders_console_write(struct console *con, const char *s,
				  unsigned int count)
{
	char line[FINDERS_LINE_MAX];
	unsigned long flags;

	raw_spin_lock_irqsave(&finders_log.lock, flags);
	while (count) {
		const char *nl = memchr(s, '\n', count);
		unsigned int len = nl ? nl - s : count;

		memcpy(line, s, min_t(unsigned int, len, sizeof(line) - 1));
		line[min_t(unsigned int, len, sizeof(line) - 1)] = '\0';
		finders_scan_line(line);
		len += !!nl;
		s += len;
		count -= len;
	}
	raw_spin_unlock_irqrestore(&finders_log.lock, flags);
}

/* Enabled without a console= match, as netconsole; no replay of the log. */
static struct console finders_console = {
	.name = "xfind",
	.write = finders_console_write,
	.flags = CON_ENABLED,
	.index = -1,
};

static void finders_log_reset(void)
{
	unsigned long flags;

	raw_spin_lock_irqsave(&finders_log.lock, flags);
	finders_log.match = NULL;
	finders_log.seen.kasan = 0;
	finders_log.seen.xalloc = 0;
	finders_log.seen.xalloc_match = 0;
	finders_log.seen.type[0] = '\0';
	finders_log.seen.access = false;
	raw_spin_unlock_irqrestore(&finders_log.lock, flags);
}

/* From now on, count the xalloc reports whose text has @match. */
static void finders_log_match(const char *match)
{
	unsigned long flags;

	raw_spin_lock_irqsave(&finders_log.lock, flags);
	finders_log.match = match;
	finders_log.seen.xalloc_match = 0;
	raw_spin_unlock_irqrestore(&finders_log.lock, flags);
}

/*
 * Print a marker and wait until the console has seen it: then it has seen
 * every line printed before. @seen gets a copy of what it saw.
 */
static bool finders_sync(struct finders_seen *seen)
{
	unsigned int n = atomic_inc_return(&finders_marker);
	unsigned long flags;
	bool done = false;

	pr_info("xalloc_finders: marker %u\n", n);
	for (int ms = 0; !done && ms < FINDERS_SYNC_MS; ms += 20) {
		/* Prints what is pending, or waits for the CPU printing it. */
		console_lock();
		console_unlock();
		raw_spin_lock_irqsave(&finders_log.lock, flags);
		done = finders_log.seen.synced >= n;
		*seen = finders_log.seen;
		raw_spin_unlock_irqrestore(&finders_log.lock, flags);
		if (!done)
			msleep(20);
	}
	return done;
}

/* ---- Bad accesses, outside the KUnit thread ---------------------------- */

struct finders_access {
	void *addr;
	unsigned int size;		/* 1, 2, 4 or 8 bytes */
	bool write;
};

struct finders_work {
	struct work_struct work;
	const struct finders_access *acc;
	unsigned int n;
};

static unsigned long finders_sink;

static noinline void finders_access_one(const struct finders_access *a)
{
	switch (a->size) {
	case 1:
		if (a->write)
			WRITE_ONCE(*(u8 *)a->addr, 0xa5);
		else
			finders_sink += READ_ONCE(*(u8 *)a->addr);
		break;
	case 2:
		if (a->write)
			WRITE_ONCE(*(u16 *)a->addr, 0xa5a5);
		else
			finders_sink += READ_ONCE(*(u16 *)a->addr);
		break;
	case 4:
		if (a->write)
			WRITE_ONCE(*(u32 *)a->addr, 0xa5a5a5a5);
		else
			finders_sink += READ_ONCE(*(u32 *)a->addr);
		break;
	default:
		if (a->write)
			WRITE_ONCE(*(u64 *)a->addr, 0xa5a5a5a5a5a5a5a5ULL);
		else
			finders_sink += READ_ONCE(*(u64 *)a->addr);
		break;
	}
}

static void finders_access_fn(struct work_struct *work)
{
	struct finders_work *w = container_of(work, struct finders_work, work);

	for (unsigned int i = 0; i < w->n; i++)
		finders_access_one(&w->acc[i]);
}

/* Make the @n accesses of @acc in a work item, in order, and wait. */
static void finders_run(const struct finders_access *acc, unsigned int n)
{
	struct finders_work w = { .acc = acc, .n = n };

	INIT_WORK_ONSTACK(&w.work, finders_access_fn);
	queue_work(system_wq, &w.work);
	flush_work(&w.work);
	destroy_work_on_stack(&w.work);
}

/*
 * Exactly one KASAN report since the case began: of a bug type that
 * contains @type, for the access @bad.
 */
static void finders_expect_kasan(struct kunit *test, const char *type,
				 const struct finders_access *bad)
{
	struct finders_seen seen;

	KUNIT_ASSERT_TRUE_MSG(test, finders_sync(&seen), "the console did not catch up");
	KUNIT_EXPECT_EQ(test, seen.kasan, 1U);
	KUNIT_EXPECT_TRUE_MSG(test, strstr(seen.type, type),
			      "bug type \"%s\", expected \"%s\"", seen.type, type);
	KUNIT_ASSERT_TRUE_MSG(test, seen.access, "no \"Read|Write of size\" line");
	KUNIT_EXPECT_EQ(test, seen.addr, (unsigned long)bad->addr);
	KUNIT_EXPECT_EQ(test, seen.size, (size_t)bad->size);
	KUNIT_EXPECT_EQ(test, seen.write, bad->write);
}

/* ---- Cases' common state ----------------------------------------------- */

struct finders_ctx {
	unsigned int expect_kasan;	/* KASAN reports the case makes */
	size_t quarantine;		/* limit at the start, restored */
	struct xalloc_cache *s;		/* destroyed on exit if set */
};

static int finders_test_init(struct kunit *test)
{
	struct finders_ctx *ctx;

	xalloc_kunit_init(test);
	ctx = kunit_kzalloc(test, sizeof(*ctx), GFP_KERNEL);
	if (!ctx)
		return -ENOMEM;
	/* Read the limit: SIZE_MAX releases nothing, the old one neither. */
	ctx->quarantine = xalloc_quarantine_set_limit(SIZE_MAX);
	xalloc_quarantine_set_limit(ctx->quarantine);
	finders_log_reset();
	test->priv = ctx;
	return 0;
}

static void finders_test_exit(struct kunit *test)
{
	struct finders_ctx *ctx = test->priv;
	struct finders_seen seen;
	int nid;

	if (ctx->s)
		xalloc_cache_destroy(ctx->s);
	xalloc_quarantine_set_limit(ctx->quarantine);
	KUNIT_EXPECT_TRUE_MSG(test, finders_sync(&seen), "the console did not catch up");
	KUNIT_EXPECT_EQ(test, (unsigned long)seen.xalloc, xalloc_kunit_reports.expected);
	KUNIT_EXPECT_EQ(test, seen.kasan, ctx->expect_kasan);
	for_each_node(nid)
		KUNIT_EXPECT_TRUE(test, xalloc_zone_check(nid));
	xalloc_kunit_exit(test);
}

static int finders_suite_init(struct kunit_suite *suite)
{
	struct finders_seen seen;

	register_console(&finders_console);
	if (finders_sync(&seen))
		return 0;
	pr_err("xalloc_finders: the report console sees nothing\n");
	unregister_console(&finders_console);
	return -EIO;
}

static void finders_suite_exit(struct kunit_suite *suite)
{
	unregister_console(&finders_console);
}

static void finders_need_kasan(struct kunit *test)
{
	if (!IS_ENABLED(CONFIG_KASAN_GENERIC))
		kunit_skip(test, "needs CONFIG_KASAN_GENERIC");
}

/*
 * A cache destroyed when the case ends: with sheaves, as the default, or
 * with XALLOC_NO_SHEAVES for the cases about the CPU slab's freelist.
 */
static struct xalloc_cache *finders_cache(struct kunit *test, const char *name,
					  unsigned int size, unsigned int flags)
{
	struct finders_ctx *ctx = test->priv;

	ctx->s = xalloc_cache_create(name, size, 0, flags, NULL);
	KUNIT_ASSERT_NOT_NULL(test, ctx->s);
	return ctx->s;
}

static struct xalloc_page *finders_slab(const void *obj)
{
	struct xalloc_page *slab = xalloc_addr_desc(obj);

	if (slab && slab->type == XALLOC_PAGE_SLAB_TAIL)
		slab = slab->head;
	return slab;
}

/* Whether @n objects are all different. */
static bool finders_distinct(void **objs, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		for (unsigned int j = i + 1; j < n; j++)
			if (objs[i] == objs[j])
				return false;
	return true;
}

/* The CPU whose freelists the cases work on. */
#define FINDERS_CPU	0

/* Run @fn on @cpu, which the guests (-smp 2) always have. */
static long finders_on_cpu(struct kunit *test, int cpu, long (*fn)(void *),
			   void *arg)
{
	KUNIT_ASSERT_TRUE_MSG(test, cpu_online(cpu), "CPU %d is offline (needs -smp 2)", cpu);
	return work_on_cpu(cpu, fn, arg);
}

/* ---- KASAN: use after free --------------------------------------------- */

static void xalloc_finders_cache_use_after_free(struct kunit *test)
{
	struct finders_ctx *ctx = test->priv;
	struct xalloc_cache *s;
	struct finders_access bad;
	u8 *p;

	finders_need_kasan(test);
	s = finders_cache(test, "finders_uaf", 72, 0);
	p = xalloc_cache_alloc(s, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	xalloc_cache_free(s, p);
	bad = (struct finders_access){ .addr = p + 8, .size = 8 };
	ctx->expect_kasan = 1;
	finders_run(&bad, 1);
	finders_expect_kasan(test, "use-after-free", &bad);
}

static void xalloc_finders_kmalloc_use_after_free(struct kunit *test)
{
	struct finders_ctx *ctx = test->priv;
	struct finders_access bad;
	u8 *p;

	finders_need_kasan(test);
	p = xalloc_kmalloc(100, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	xalloc_kfree(p);
	bad = (struct finders_access){ .addr = p + 8, .size = 8 };
	ctx->expect_kasan = 1;
	finders_run(&bad, 1);
	finders_expect_kasan(test, "use-after-free", &bad);
}

static void xalloc_finders_pages_use_after_free(struct kunit *test)
{
	struct finders_ctx *ctx = test->priv;
	struct finders_access bad;
	struct page *page;
	u8 *p;

	finders_need_kasan(test);
	page = xalloc_alloc_pages(GFP_KERNEL, 1);
	KUNIT_ASSERT_NOT_NULL(test, page);
	p = page_address(page);
	memset(p, 0x3c, 2 * PAGE_SIZE);
	xalloc_free_pages(page, 1);
	bad = (struct finders_access){ .addr = p + PAGE_SIZE + 16, .size = 4 };
	ctx->expect_kasan = 1;
	finders_run(&bad, 1);
	finders_expect_kasan(test, "use-after-free", &bad);
}

/*
 * Once the quarantine let the object go back to its slab, it is still free
 * memory to KASAN until it is handed out again.
 */
static void xalloc_finders_quarantine_cycled_use_after_free(struct kunit *test)
{
	const unsigned int n = 64, limit = 2048;
	struct finders_ctx *ctx = test->priv;
	struct finders_access bad;
	struct xalloc_cache *s;
	void **objs;

	finders_need_kasan(test);
	s = finders_cache(test, "finders_cycled", 72, 0);
	objs = kunit_kcalloc(test, n + 1, sizeof(*objs), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, objs);
	xalloc_quarantine_set_limit(limit);
	xalloc_quarantine_drain();
	KUNIT_ASSERT_EQ(test, xalloc_quarantine_bytes(), (size_t)0);
	for (unsigned int i = 0; i <= n; i++) {
		objs[i] = xalloc_cache_alloc(s, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, objs[i]);
	}
	/* objs[0] first: the oldest in the quarantine, the first released. */
	for (unsigned int i = 0; i <= n; i++)
		xalloc_cache_free(s, objs[i]);
	KUNIT_EXPECT_LE(test, xalloc_quarantine_bytes(), (size_t)limit);
	KUNIT_EXPECT_GT(test, (size_t)(n + 1) * s->size, 2 * (size_t)limit);
	/* Only this cache's objects are quarantined, and count as active. */
	KUNIT_EXPECT_EQ(test, xalloc_kunit_active(s), xalloc_quarantine_bytes() / s->size);
	KUNIT_EXPECT_LT(test, xalloc_kunit_active(s), (unsigned long)n);

	bad = (struct finders_access){ .addr = objs[0] + 8, .size = 8 };
	ctx->expect_kasan = 1;
	finders_run(&bad, 1);
	finders_expect_kasan(test, "use-after-free", &bad);
}

/* ---- KASAN: out of bounds ---------------------------------------------- */

/* The last byte asked for is valid, the next one is not: one report. */
static void finders_expect_past_end(struct kunit *test, u8 *p, size_t size)
{
	struct finders_ctx *ctx = test->priv;
	struct finders_access acc[2] = {
		{ .addr = p + size - 1, .size = 1, .write = true },
		{ .addr = p + size, .size = 1, .write = true },
	};

	ctx->expect_kasan = 1;
	finders_run(acc, ARRAY_SIZE(acc));
	finders_expect_kasan(test, "out-of-bounds", &acc[1]);
}

/* 100 bytes of kmalloc-128: the 28 bytes after them are not the caller's. */
static void xalloc_finders_kmalloc_slack_write(struct kunit *test)
{
	u8 *p;

	finders_need_kasan(test);
	p = xalloc_kmalloc(100, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	finders_expect_past_end(test, p, 100);
	xalloc_kfree(p);
}

static void xalloc_finders_cache_write_past_object(struct kunit *test)
{
	struct xalloc_cache *s;
	u8 *p;

	finders_need_kasan(test);
	s = finders_cache(test, "finders_past", 72, 0);
	p = xalloc_cache_alloc(s, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	finders_expect_past_end(test, p, 72);
	xalloc_cache_free(s, p);
}

/* A large kmalloc block: the tail of its last page is not the caller's. */
static void xalloc_finders_large_kmalloc_tail_write(struct kunit *test)
{
	u8 *p;

	finders_need_kasan(test);
	p = xalloc_kmalloc(10000, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	finders_expect_past_end(test, p, 10000);
	xalloc_kfree(p);
}

/* A fresh slab's objects are not valid memory until they are handed out. */
static void xalloc_finders_never_allocated_object(struct kunit *test)
{
	struct finders_ctx *ctx = test->priv;
	struct finders_access acc[2];
	struct xalloc_page *slab;
	struct xalloc_cache *s;
	unsigned int idx;
	u8 *p, *base, *q;

	finders_need_kasan(test);
	s = finders_cache(test, "finders_fresh", 72, 0);
	p = xalloc_cache_alloc(s, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	slab = finders_slab(p);
	KUNIT_ASSERT_NOT_NULL(test, slab);
	KUNIT_ASSERT_EQ(test, slab->type, (u8)XALLOC_PAGE_SLAB);
	KUNIT_ASSERT_GE(test, (unsigned int)slab->cnt.objects, 2U);
	base = (u8 *)slab_address(slab) + s->red_left_pad;
	idx = (p - base) / s->size;
	/* A neighbour in the same slab: the only object handed out is p. */
	q = idx + 1 < slab->cnt.objects ? p + s->size : p - s->size;
	acc[0] = (struct finders_access){ .addr = p, .size = 8 };
	acc[1] = (struct finders_access){ .addr = q, .size = 8 };
	ctx->expect_kasan = 1;
	finders_run(acc, ARRAY_SIZE(acc));
	finders_expect_kasan(test, "out-of-bounds", &acc[1]);
	xalloc_cache_free(s, p);
}

/* ---- The quarantine ---------------------------------------------------- */

struct finders_reuse {
	struct xalloc_cache *s;
	unsigned int batch;
	bool reused_early;	/* handed out again while quarantined */
	size_t held;		/* quarantine bytes before the drain */
	size_t held_after;	/* ... and after */
	bool reused_later;	/* handed out again after the drain */
};

static long finders_reuse_fn(void *arg)
{
	struct finders_reuse *r = arg;
	struct xalloc_cache_counts cnt;
	void *p, *keep, **objs;
	unsigned int n, i;

	p = xalloc_cache_alloc(r->s, GFP_KERNEL);
	keep = xalloc_cache_alloc(r->s, GFP_KERNEL);	/* p's slab stays */
	if (!p || !keep)
		goto err_free;
	xalloc_cache_free(r->s, p);
	objs = kcalloc(r->batch, sizeof(*objs), GFP_KERNEL);
	if (!objs)
		goto err_free;
	for (i = 0; i < r->batch; i++) {
		objs[i] = xalloc_cache_alloc(r->s, GFP_KERNEL);
		if (!objs[i])
			break;
		r->reused_early |= objs[i] == p;
	}
	n = i;
	for (i = 0; i < n; i++)
		xalloc_cache_free(r->s, objs[i]);
	kfree(objs);
	if (n < r->batch)
		goto err_free;

	r->held = xalloc_quarantine_bytes();
	xalloc_quarantine_drain();
	r->held_after = xalloc_quarantine_bytes();
	/* Every free object of the cache, before a new slab is made. */
	xalloc_cache_counts(r->s, &cnt);
	n = cnt.num_objs - 1;
	objs = kcalloc(n, sizeof(*objs), GFP_KERNEL);
	if (!objs)
		goto err_free;
	for (i = 0; i < n; i++) {
		objs[i] = xalloc_cache_alloc(r->s, GFP_KERNEL);
		if (!objs[i])
			break;
		r->reused_later |= objs[i] == p;
	}
	n = i;
	for (i = 0; i < n; i++)
		xalloc_cache_free(r->s, objs[i]);
	kfree(objs);
	xalloc_cache_free(r->s, keep);
	return 0;

err_free:
	xalloc_cache_free(r->s, keep);
	return -ENOMEM;
}

static void xalloc_finders_quarantine_delays_reuse(struct kunit *test)
{
	struct finders_reuse r = {};

	finders_need_kasan(test);
	r.s = finders_cache(test, "finders_reuse", 72, 0);
	r.batch = 2 * oo_objects(r.s->oo);
	xalloc_quarantine_set_limit(SZ_1M);
	xalloc_quarantine_drain();
	KUNIT_ASSERT_EQ(test, finders_on_cpu(test, FINDERS_CPU, finders_reuse_fn, &r), 0L);
	KUNIT_EXPECT_FALSE(test, r.reused_early);
	KUNIT_EXPECT_EQ(test, r.held, (size_t)(r.batch + 1) * r.s->size);
	KUNIT_EXPECT_EQ(test, r.held_after, (size_t)0);
	KUNIT_EXPECT_TRUE(test, r.reused_later);
	xalloc_quarantine_drain();
	KUNIT_EXPECT_EQ(test, xalloc_kunit_active(r.s), 0UL);
}

/* ---- Double frees ------------------------------------------------------ */

/* The sheaf path: a cache with sheaves, the freed object on top of CPU 0's main sheaf. */
enum finders_path { FINDERS_CPU_FREELIST, FINDERS_SLAB_FREELIST, FINDERS_SHEAF };

struct finders_df_param {
	enum finders_path path;
	bool quarantine;
	const char *desc;
};

static const struct finders_df_param finders_df_params[] = {
	{ FINDERS_CPU_FREELIST, false, "CPU freelist, quarantine off" },
	{ FINDERS_SLAB_FREELIST, false, "slab freelist, quarantine off" },
	{ FINDERS_CPU_FREELIST, true, "CPU freelist, quarantine on" },
	{ FINDERS_SLAB_FREELIST, true, "slab freelist, quarantine on" },
	{ FINDERS_SHEAF, false, "sheaf, quarantine off" },
	{ FINDERS_SHEAF, true, "sheaf, quarantine on" },
};

static void finders_df_desc(const struct finders_df_param *p, char *desc)
{
	strscpy(desc, p->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(finders_df, finders_df_params, finders_df_desc);

/* Off, or the default of a KASAN kernel. */
static void finders_df_quarantine(struct kunit *test, bool on)
{
	if (on)
		finders_need_kasan(test);
	xalloc_quarantine_set_limit(on ? SZ_1M : 0);
	xalloc_quarantine_drain();
}

struct finders_df {
	struct xalloc_cache *s;
	void *p, *keep;
	void *a, *b;		/* the two allocations after */
	bool not_cpu_slab;	/* p's slab was not the CPU slab at the frees */
};

static long finders_df_alloc_fn(void *arg)
{
	struct finders_df *d = arg;

	d->p = xalloc_cache_alloc(d->s, GFP_KERNEL);
	d->keep = xalloc_cache_alloc(d->s, GFP_KERNEL);
	return d->p && d->keep ? 0 : -ENOMEM;
}

static long finders_df_free_fn(void *arg)
{
	struct finders_df *d = arg;

	d->not_cpu_slab = per_cpu_ptr(d->s->cpu, FINDERS_CPU)->slab != finders_slab(d->p);
	xalloc_cache_free(d->s, d->p);
	xalloc_cache_free(d->s, d->p);
	return 0;
}

static long finders_df_cpu_fn(void *arg)
{
	struct finders_df *d = arg;

	d->p = xalloc_cache_alloc(d->s, GFP_KERNEL);
	if (!d->p)
		return -ENOMEM;
	xalloc_cache_free(d->s, d->p);
	xalloc_cache_free(d->s, d->p);
	return 0;
}

static long finders_df_after_fn(void *arg)
{
	struct finders_df *d = arg;

	d->a = xalloc_cache_alloc(d->s, GFP_KERNEL);
	d->b = xalloc_cache_alloc(d->s, GFP_KERNEL);
	return d->a && d->b ? 0 : -ENOMEM;
}

/* The cache hands out distinct objects again and validates clean. */
static void finders_expect_usable(struct kunit *test, struct xalloc_cache *s,
				  unsigned long live)
{
	unsigned int n = 2 * oo_objects(s->oo);
	void **objs = kunit_kcalloc(test, n, sizeof(*objs), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, objs);
	for (unsigned int i = 0; i < n; i++) {
		objs[i] = xalloc_cache_alloc(s, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, objs[i]);
	}
	KUNIT_EXPECT_TRUE(test, finders_distinct(objs, n));
	xalloc_cache_free_bulk(s, n, objs);
	xalloc_quarantine_drain();
	KUNIT_EXPECT_EQ(test, xalloc_kunit_active(s), live);
	KUNIT_EXPECT_EQ(test, xalloc_cache_validate(s), 0UL);
}

static void xalloc_finders_double_free_refused(struct kunit *test)
{
	const struct finders_df_param *param = test->param_value;
	struct finders_df d = {};
	struct finders_seen seen;

	finders_df_quarantine(test, param->quarantine);
	if (param->path == FINDERS_SHEAF) {
		struct finders_ctx *ctx = test->priv;

		ctx->s = xalloc_cache_create_sheaves("finders_df", 72, 0, 0, NULL, 0);
		KUNIT_ASSERT_NOT_NULL(test, ctx->s);
		KUNIT_ASSERT_TRUE(test, !!ctx->s->sheaves);
		d.s = ctx->s;
	} else {
		d.s = finders_cache(test, "finders_df", 72, XALLOC_NO_SHEAVES);
	}
	finders_log_match("double free");
	if (param->path != FINDERS_SLAB_FREELIST) {
		KUNIT_ASSERT_EQ(test, finders_on_cpu(test, FINDERS_CPU, finders_df_cpu_fn, &d), 0L);
	} else {
		KUNIT_ASSERT_EQ(test, finders_on_cpu(test, FINDERS_CPU,
						     finders_df_alloc_fn, &d), 0L);
		/* p's slab, with keep in it, leaves CPU 0 for its node's list. */
		xalloc_cache_shrink(d.s);
		finders_on_cpu(test, FINDERS_CPU, finders_df_free_fn, &d);
		KUNIT_EXPECT_TRUE(test, d.not_cpu_slab);
	}
	XALLOC_KUNIT_EXPECT_REPORTS(test, 1);

	KUNIT_ASSERT_EQ(test, finders_on_cpu(test, FINDERS_CPU, finders_df_after_fn, &d), 0L);
	KUNIT_EXPECT_PTR_NE(test, d.a, d.b);
	xalloc_cache_free(d.s, d.a);
	xalloc_cache_free(d.s, d.b);
	finders_expect_usable(test, d.s, d.keep ? 1 : 0);
	xalloc_cache_free(d.s, d.keep);
	XALLOC_KUNIT_EXPECT_REPORTS(test, 0);
	KUNIT_ASSERT_TRUE(test, finders_sync(&seen));
	KUNIT_EXPECT_EQ(test, seen.xalloc_match, 1U);
}

static const bool finders_kfree_params[] = { false, true };

static void finders_kfree_desc(const bool *on, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "quarantine %s", *on ? "on" : "off");
}

KUNIT_ARRAY_PARAM(finders_kfree, finders_kfree_params, finders_kfree_desc);

struct finders_kfree {
	void *p, *a, *b;
};

static long finders_kfree_fn(void *arg)
{
	struct finders_kfree *k = arg;

	k->p = xalloc_kmalloc(100, GFP_KERNEL);
	if (!k->p)
		return -ENOMEM;
	xalloc_kfree(k->p);
	xalloc_kfree(k->p);
	k->a = xalloc_kmalloc(100, GFP_KERNEL);
	k->b = xalloc_kmalloc(100, GFP_KERNEL);
	return 0;
}

static void xalloc_finders_kfree_twice_refused(struct kunit *test)
{
	struct finders_kfree k = {};
	struct finders_seen seen;
	struct xalloc_cache *s;

	finders_df_quarantine(test, *(const bool *)test->param_value);
	s = xalloc_cache_lookup("kmalloc-128");
	KUNIT_ASSERT_NOT_NULL(test, s);
	finders_log_match("double free");
	KUNIT_ASSERT_EQ(test, finders_on_cpu(test, FINDERS_CPU, finders_kfree_fn, &k), 0L);
	XALLOC_KUNIT_EXPECT_REPORTS(test, 1);
	KUNIT_ASSERT_NOT_NULL(test, k.a);
	KUNIT_ASSERT_NOT_NULL(test, k.b);
	KUNIT_EXPECT_PTR_NE(test, k.a, k.b);
	xalloc_kfree(k.a);
	xalloc_kfree(k.b);
	xalloc_quarantine_drain();
	KUNIT_EXPECT_EQ(test, xalloc_cache_validate(s), 0UL);
	XALLOC_KUNIT_EXPECT_REPORTS(test, 0);
	KUNIT_ASSERT_TRUE(test, finders_sync(&seen));
	KUNIT_EXPECT_EQ(test, seen.xalloc_match, 1U);
}

/* ---- A freelist cycle -------------------------------------------------- */

struct finders_cycle {
	struct xalloc_cache *s;
	void **objs;		/* every object of one slab */
	unsigned int n;
	bool reused;		/* A or B handed out after the report */
};

/*
 * Take all of a fresh CPU slab, free B then A: the CPU freelist is A, B.
 * Then B points back at A, as a double free the head checks miss would.
 */
static long finders_cycle_fn(void *arg)
{
	struct finders_cycle *c = arg;
	struct xalloc_cache_cpu *cpu = per_cpu_ptr(c->s->cpu, FINDERS_CPU);
	struct xalloc_page *slab;
	unsigned int i;

	c->objs[0] = xalloc_cache_alloc(c->s, GFP_KERNEL);
	if (!c->objs[0])
		return -ENOMEM;
	slab = finders_slab(c->objs[0]);
	c->n = slab->cnt.objects;
	for (i = 1; i < c->n; i++) {
		c->objs[i] = xalloc_cache_alloc(c->s, GFP_KERNEL);
		if (!c->objs[i] || finders_slab(c->objs[i]) != slab)
			return -EINVAL;
	}
	if (cpu->slab != slab || cpu->aba.freelist)
		return -EINVAL;
	xalloc_cache_free(c->s, c->objs[1]);
	xalloc_cache_free(c->s, c->objs[0]);
	if (cpu->aba.freelist != c->objs[0])
		return -EINVAL;
	/* B is free memory to KASAN. */
	kasan_disable_current();
	set_freepointer(c->s, c->objs[1], c->objs[0]);
	kasan_enable_current();
	return 0;
}

/* After the report: objects are handed out, never A or B again. */
static long finders_cycle_after_fn(void *arg)
{
	struct finders_cycle *c = arg;
	unsigned int n = 2 * c->n;
	void **objs = kcalloc(n, sizeof(*objs), GFP_KERNEL);
	unsigned int i;
	long ret = 0;

	if (!objs)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		objs[i] = xalloc_cache_alloc(c->s, GFP_KERNEL);
		if (!objs[i]) {
			ret = -ENOMEM;
			break;
		}
		c->reused |= objs[i] == c->objs[0] || objs[i] == c->objs[1];
	}
	while (i--)
		xalloc_cache_free(c->s, objs[i]);
	kfree(objs);
	return ret;
}

static void xalloc_finders_freelist_cycle_reported(struct kunit *test)
{
	struct finders_ctx *ctx = test->priv;
	struct finders_cycle c = {};
	struct finders_seen seen;
	unsigned long pages;

	/* Freed objects go straight to the CPU freelist. */
	finders_df_quarantine(test, false);
	c.s = finders_cache(test, "finders_cycle", 72, XALLOC_NO_SHEAVES);
	c.objs = kunit_kcalloc(test, oo_objects(c.s->max), sizeof(*c.objs), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, c.objs);
	KUNIT_ASSERT_EQ(test, finders_on_cpu(test, FINDERS_CPU, finders_cycle_fn, &c), 0L);

	finders_log_match("CPU freelist longer than");
	xalloc_cache_shrink(c.s);
	XALLOC_KUNIT_EXPECT_REPORTS(test, 1);
	KUNIT_ASSERT_TRUE(test, finders_sync(&seen));
	KUNIT_EXPECT_EQ(test, seen.xalloc_match, 1U);

	/* CPU 0 came back and allocates, without A or B. */
	KUNIT_ASSERT_EQ(test, finders_on_cpu(test, FINDERS_CPU, finders_cycle_after_fn, &c), 0L);
	KUNIT_EXPECT_FALSE(test, c.reused);
	for (unsigned int i = 2; i < c.n; i++)
		xalloc_cache_free(c.s, c.objs[i]);
	KUNIT_EXPECT_EQ(test, xalloc_cache_validate(c.s), 0UL);
	XALLOC_KUNIT_EXPECT_REPORTS(test, 0);

	/* A and B stay in use: the cache is kept, dead, until rmmod. */
	pages = 1UL << finders_slab(c.objs[0])->order;
	xalloc_cache_destroy(c.s);
	ctx->s = NULL;
	XALLOC_KUNIT_EXPECT_REPORTS(test, 1);
	xalloc_kunit_expect_unload_leak(test, "finders_cycle", 1, pages);
}

/* ---- init_on_alloc=1 init_on_free=1 (the guest's command line) ---------- */

/* Whether [@p, @p + @len) reads 0, with KASAN's checks off (it may be free). */
static bool finders_zero(const void *p, size_t len)
{
	bool zero;

	kasan_disable_current();
	zero = !memchr_inv(p, 0, len);
	kasan_enable_current();
	return zero;
}

struct finders_init {
	struct xalloc_cache *s;
	void *obj[3], *again[3];	/* cache object, large block, page block */
	bool freed_zero[3], again_zero[3];
};

#define FINDERS_LARGE	10000

/*
 * On one CPU, without the quarantine, so that what was freed comes back
 * next: dirty each, free it, check it reads 0, get it again, check again.
 * A free cache object keeps its free pointer at s->offset.
 */
static long finders_init_fn(void *arg)
{
	struct finders_init *in = arg;
	struct xalloc_cache *s = in->s;
	size_t fp = s->offset, rest = s->object_size - fp - sizeof(void *);
	struct page *page;

	in->obj[0] = xalloc_cache_alloc(s, GFP_KERNEL);
	in->obj[1] = xalloc_kmalloc(FINDERS_LARGE, GFP_KERNEL);
	page = xalloc_alloc_pages(GFP_KERNEL, 1);
	if (!in->obj[0] || !in->obj[1] || !page)
		return -ENOMEM;
	in->obj[2] = page_address(page);
	memset(in->obj[0], 0x5a, s->object_size);
	memset(in->obj[1], 0x5a, FINDERS_LARGE);
	memset(in->obj[2], 0x5a, 2 * PAGE_SIZE);

	xalloc_cache_free(s, in->obj[0]);
	in->freed_zero[0] = finders_zero(in->obj[0], fp) &&
			    finders_zero(in->obj[0] + fp + sizeof(void *), rest);
	in->again[0] = xalloc_cache_alloc(s, GFP_KERNEL);
	in->again_zero[0] = in->again[0] && finders_zero(in->again[0], s->object_size);
	xalloc_cache_free(s, in->again[0]);

	xalloc_kfree(in->obj[1]);
	in->freed_zero[1] = finders_zero(in->obj[1], FINDERS_LARGE);
	in->again[1] = xalloc_kmalloc(FINDERS_LARGE, GFP_KERNEL);
	in->again_zero[1] = in->again[1] && finders_zero(in->again[1], FINDERS_LARGE);
	xalloc_kfree(in->again[1]);

	xalloc_free_pages(page, 1);
	in->freed_zero[2] = finders_zero(in->obj[2], 2 * PAGE_SIZE);
	page = xalloc_alloc_pages(GFP_KERNEL, 1);
	in->again[2] = page ? page_address(page) : NULL;
	in->again_zero[2] = page && finders_zero(in->again[2], 2 * PAGE_SIZE);
	xalloc_free_pages(page, 1);
	return 0;
}

/*
 * init_on_free zeroes an object, a large kmalloc block and a page block when
 * they are freed, and init_on_alloc when they are handed out again, without
 * __GFP_ZERO: each is dirtied first, and the same memory comes back.
 */
static void xalloc_finders_init_on_alloc_and_free(struct kunit *test)
{
	struct finders_init in = { .s = finders_cache(test, "finders_init", 72, 0) };

	KUNIT_ASSERT_TRUE_MSG(test, want_init_on_alloc(0) && want_init_on_free(),
			      "needs init_on_alloc=1 init_on_free=1");
	xalloc_quarantine_set_limit(0);
	KUNIT_ASSERT_EQ(test, finders_on_cpu(test, FINDERS_CPU, finders_init_fn, &in), 0L);
	for (int i = 0; i < 3; i++) {
		KUNIT_EXPECT_PTR_EQ_MSG(test, in.again[i], in.obj[i], "kind %d", i);
		KUNIT_EXPECT_TRUE_MSG(test, in.freed_zero[i], "kind %d", i);
		KUNIT_EXPECT_TRUE_MSG(test, in.again_zero[i], "kind %d", i);
	}
}

/*
 * init_on_alloc leaves the objects of a poisoning debug cache poisoned, as
 * SLUB does, so that a read before initialisation finds 0x6b, not 0; the
 * cache's own layout has no debug flags, the object's slab does. __GFP_ZERO
 * still zeroes.
 */
static void xalloc_finders_init_on_alloc_keeps_poison(struct kunit *test)
{
	struct finders_ctx *ctx = test->priv;
	u8 *p, *z;

	KUNIT_ASSERT_TRUE_MSG(test, want_init_on_alloc(0), "needs init_on_alloc=1");
	ctx->s = xalloc_cache_create("finders_poison", 72, 0, XALLOC_POISON, NULL);
	KUNIT_ASSERT_NOT_NULL(test, ctx->s);
	p = xalloc_cache_alloc(ctx->s, GFP_KERNEL);
	z = xalloc_cache_alloc(ctx->s, GFP_KERNEL | __GFP_ZERO);
	KUNIT_ASSERT_TRUE(test, p && z);
	KUNIT_EXPECT_FALSE(test, memchr_inv(p, 0x6b, 71));
	KUNIT_EXPECT_EQ(test, p[71], 0xa5);
	KUNIT_EXPECT_FALSE(test, memchr_inv(z, 0, 72));
	xalloc_cache_free(ctx->s, p);
	xalloc_cache_free(ctx->s, z);
}

static struct kunit_case xalloc_finders_cases[] = {
	KUNIT_CASE(xalloc_finders_cache_use_after_free),
	KUNIT_CASE(xalloc_finders_kmalloc_use_after_free),
	KUNIT_CASE(xalloc_finders_pages_use_after_free),
	KUNIT_CASE(xalloc_finders_quarantine_cycled_use_after_free),
	KUNIT_CASE(xalloc_finders_kmalloc_slack_write),
	KUNIT_CASE(xalloc_finders_cache_write_past_object),
	KUNIT_CASE(xalloc_finders_large_kmalloc_tail_write),
	KUNIT_CASE(xalloc_finders_never_allocated_object),
	KUNIT_CASE(xalloc_finders_quarantine_delays_reuse),
	KUNIT_CASE_PARAM(xalloc_finders_double_free_refused, finders_df_gen_params),
	KUNIT_CASE_PARAM(xalloc_finders_kfree_twice_refused, finders_kfree_gen_params),
	KUNIT_CASE(xalloc_finders_freelist_cycle_reported),
	KUNIT_CASE(xalloc_finders_init_on_alloc_and_free),
	KUNIT_CASE(xalloc_finders_init_on_alloc_keeps_poison),
	{}
};

static struct kunit_suite xalloc_finders_suite = {
	.name = "xalloc_finders",
	.suite_init = finders_suite_init,
	.suite_exit = finders_suite_exit,
	.init = finders_test_init,
	.exit = finders_test_exit,
	.test_cases = xalloc_finders_cases,
};

kunit_test_suite(xalloc_finders_suite);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("KUnit tests: KASAN, the quarantine and double frees on xalloc memory");
