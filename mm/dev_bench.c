// SPDX-License-Identifier: GPL-2.0
/*
 * XALLOC_IOC_BENCH: time pairs of allocation and free in the kernel, once
 * with xalloc and once with the kernel's own allocator of the same kind:
 *
 *   XALLOC_BENCH_CACHE_PAIR	a temporary xalloc cache vs a kmem_cache
 *   XALLOC_BENCH_KMALLOC_PAIR	xalloc_kmalloc() vs kmalloc()
 *   XALLOC_BENCH_PAGES_PAIR	xalloc_alloc_pages() vs alloc_pages()
 *
 * The pairs run in batches of the same bytes for every order, each timed
 * with ktime_get_ns(); between batches the CPU may be given up (the test
 * kernels have no preemption) and a signal stops the run. Both sides ask
 * with the same GFP flags. Preemption stays enabled: a batch that is
 * preempted or interrupted counts that time too.
 *
 * Takes no locks of its own.
 */

#include <linux/atomic.h>
#include <linux/gfp.h>
#include <linux/ktime.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>

#include <uapi/linux/xalloc.h>
#include <xalloc/xalloc.h>

#include "chardev.h"
#include "slab.h"
#include "zone.h"

#define XALLOC_BENCH_MAX_ITERATIONS	10000000ULL
#define XALLOC_BENCH_MAX_SIZE		8192
#define XALLOC_BENCH_BATCH		1024	/* pairs of order 0 per timed batch */

/*
 * Both sides ask with the same flags. No retries for pages: a costly order
 * must not push the guest into reclaim.
 */
#define XALLOC_BENCH_GFP		(GFP_KERNEL | __GFP_NOWARN)
#define XALLOC_BENCH_PAGES_GFP		(XALLOC_BENCH_GFP | __GFP_NORETRY)

/* What one scenario allocates from, both sides. */
struct xalloc_bench_ctx {
	unsigned int size;		/* object size, or page order */
	unsigned int batch;		/* pairs per timed batch */
	struct xalloc_cache *s;		/* CACHE_PAIR: xalloc side */
	struct kmem_cache *k;		/* CACHE_PAIR: kernel side */
};

/* The two sides of a scenario: @n pairs each; -ENOMEM if one failed. */
struct xalloc_bench_ops {
	int (*xalloc)(const struct xalloc_bench_ctx *ctx, unsigned int n);
	int (*kernel)(const struct xalloc_bench_ctx *ctx, unsigned int n);
};

static int xalloc_bench_cache_xalloc(const struct xalloc_bench_ctx *ctx,
				     unsigned int n)
{
	void *p;

	while (n--) {
		p = xalloc_cache_alloc(ctx->s, XALLOC_BENCH_GFP);
		if (!p)
			return -ENOMEM;
		OPTIMIZER_HIDE_VAR(p);
		xalloc_cache_free(ctx->s, p);
	}
	return 0;
}

static int xalloc_bench_cache_kernel(const struct xalloc_bench_ctx *ctx,
				     unsigned int n)
{
	void *p;

	while (n--) {
		p = kmem_cache_alloc(ctx->k, XALLOC_BENCH_GFP);
		if (!p)
			return -ENOMEM;
		OPTIMIZER_HIDE_VAR(p);
		kmem_cache_free(ctx->k, p);
	}
	return 0;
}

static int xalloc_bench_kmalloc_xalloc(const struct xalloc_bench_ctx *ctx,
				       unsigned int n)
{
	void *p;

	while (n--) {
		p = xalloc_kmalloc(ctx->size, XALLOC_BENCH_GFP);
		if (!p)
			return -ENOMEM;
		OPTIMIZER_HIDE_VAR(p);
		xalloc_kfree(p);
	}
	return 0;
}

static int xalloc_bench_kmalloc_kernel(const struct xalloc_bench_ctx *ctx,
				       unsigned int n)
{
	void *p;

	while (n--) {
		p = kmalloc(ctx->size, XALLOC_BENCH_GFP);
		if (!p)
			return -ENOMEM;
		OPTIMIZER_HIDE_VAR(p);
		kfree(p);
	}
	return 0;
}

static int xalloc_bench_pages_xalloc(const struct xalloc_bench_ctx *ctx,
				     unsigned int n)
{
	struct page *page;

	while (n--) {
		page = xalloc_alloc_pages(XALLOC_BENCH_PAGES_GFP, ctx->size);
		if (!page)
			return -ENOMEM;
		OPTIMIZER_HIDE_VAR(page);
		xalloc_free_pages(page, ctx->size);
	}
	return 0;
}

static int xalloc_bench_pages_kernel(const struct xalloc_bench_ctx *ctx,
				     unsigned int n)
{
	struct page *page;

	while (n--) {
		page = alloc_pages(XALLOC_BENCH_PAGES_GFP, ctx->size);
		if (!page)
			return -ENOMEM;
		OPTIMIZER_HIDE_VAR(page);
		__free_pages(page, ctx->size);
	}
	return 0;
}

/*
 * Run @iterations pairs of one side of @ops (the kernel's if @kernel) in
 * timed batches; *@ns gets their time.
 */
static int xalloc_bench_time(const struct xalloc_bench_ops *ops, bool kernel,
			     const struct xalloc_bench_ctx *ctx, u64 iterations,
			     u64 *ns)
{
	int (*pairs)(const struct xalloc_bench_ctx *ctx, unsigned int n);
	unsigned int n;
	u64 start;
	int ret;

	pairs = kernel ? ops->kernel : ops->xalloc;
	*ns = 0;
	while (iterations) {
		n = min_t(u64, iterations, ctx->batch);
		start = ktime_get_ns();
		ret = pairs(ctx, n);
		*ns += ktime_get_ns() - start;
		if (ret)
			return ret;
		iterations -= n;
		cond_resched();
		if (signal_pending(current))
			return -EINTR;
	}
	return 0;
}

static int xalloc_bench_run(struct xalloc_bench *b,
			    const struct xalloc_bench_ops *ops,
			    const struct xalloc_bench_ctx *ctx)
{
	int ret;

	ret = xalloc_bench_time(ops, false, ctx, b->iterations, &b->xalloc_ns);
	if (ret)
		return ret;
	return xalloc_bench_time(ops, true, ctx, b->iterations, &b->kernel_ns);
}

static const struct xalloc_bench_ops xalloc_bench_cache_ops = {
	.xalloc = xalloc_bench_cache_xalloc,
	.kernel = xalloc_bench_cache_kernel,
};

static const struct xalloc_bench_ops xalloc_bench_kmalloc_ops = {
	.xalloc = xalloc_bench_kmalloc_xalloc,
	.kernel = xalloc_bench_kmalloc_kernel,
};

static const struct xalloc_bench_ops xalloc_bench_pages_ops = {
	.xalloc = xalloc_bench_pages_xalloc,
	.kernel = xalloc_bench_pages_kernel,
};

/*
 * The xalloc cache gets a name of its own, so that benchmarks may overlap;
 * the kernel's one name for all: SLUB keeps a sysfs link for each name it
 * merges into another cache, also after the cache is destroyed.
 */
static int xalloc_bench_cache_pair(struct xalloc_bench *b,
				   struct xalloc_bench_ctx *ctx)
{
	static atomic_t seq = ATOMIC_INIT(0);
	char name[XALLOC_NAME_LEN];
	int ret = -ENOMEM;

	snprintf(name, sizeof(name), "xalloc-bench-%u",
		 (unsigned int)atomic_inc_return(&seq));
	ctx->s = xalloc_cache_create_aligned(name, ctx->size, 0, 0, NULL,
					     GFP_KERNEL_ACCOUNT);
	if (!ctx->s)
		return -ENOMEM;
	ctx->k = kmem_cache_create("xalloc-bench", ctx->size, 0, 0, NULL);
	if (!ctx->k)
		goto out_destroy_xalloc;
	ret = xalloc_bench_run(b, &xalloc_bench_cache_ops, ctx);
	kmem_cache_destroy(ctx->k);
out_destroy_xalloc:
	xalloc_cache_destroy(ctx->s);
	return ret;
}

/**
 * xalloc_dev_bench() - check and run one XALLOC_IOC_BENCH request
 * @b: the request, copied from user space; its results are filled in
 *
 * Context: Process context; sleeps. The largest iteration counts take
 * seconds.
 * Return: 0; -EINVAL for an unknown scenario, an iteration count of 0 or
 * above 10^7, a size of 0 or above 8192 or, for pages, an order above the
 * zone's largest; -ENOMEM if an allocation failed; -EINTR if a signal came.
 */
int xalloc_dev_bench(struct xalloc_bench *b)
{
	struct xalloc_bench_ctx ctx = {
		.size = b->size,
		.batch = XALLOC_BENCH_BATCH,
	};

	if (!b->iterations || b->iterations > XALLOC_BENCH_MAX_ITERATIONS)
		return -EINVAL;
	b->xalloc_ns = 0;
	b->kernel_ns = 0;
	switch (b->scenario) {
	case XALLOC_BENCH_CACHE_PAIR:
		if (!b->size || b->size > XALLOC_BENCH_MAX_SIZE)
			return -EINVAL;
		return xalloc_bench_cache_pair(b, &ctx);
	case XALLOC_BENCH_KMALLOC_PAIR:
		if (!b->size || b->size > XALLOC_BENCH_MAX_SIZE)
			return -EINVAL;
		return xalloc_bench_run(b, &xalloc_bench_kmalloc_ops, &ctx);
	case XALLOC_BENCH_PAGES_PAIR:
		if (b->size > XALLOC_MAX_ORDER)
			return -EINVAL;
		/* The same bytes per batch for every order: a signal stops it soon. */
		ctx.batch = max(XALLOC_BENCH_BATCH >> b->size, 1);
		return xalloc_bench_run(b, &xalloc_bench_pages_ops, &ctx);
	default:
		return -EINVAL;
	}
}
