// SPDX-License-Identifier: GPL-2.0
/*
 * Tests of /dev/xalloc from user space, on the kernel's kselftest harness:
 * each command's success path with the memory's contents checked, the
 * exact errno of every bad input of include/uapi/linux/xalloc.h, handles
 * private to their file, everything released on close and on SIGKILL, and
 * callers without CAP_SYS_ADMIN refused. Counter checks are exact deltas of
 * CACHE_STATS / ZONE_STATS, so the guest must run nothing else on xalloc.
 *
 * Run as root with xalloc.ko loaded; prints TAP.
 */

#define _GNU_SOURCE	/* sched_getcpu(), CPU_SET() */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/xalloc.h>

#include "kselftest_harness.h"
#include "xalloc_sheaves.h"

#define XT_DEV		"/dev/xalloc"
#define XT_MAX_NODES	64
#define XT_PAGE		4096ULL
#define XT_NR_STATS	30	/* counters named in debugfs caches/<name>/stats */
#define XT_KERNEL_PTR	0xffff888000000000ULL

enum { ALLOC_FASTPATH, ALLOC_SLOWPATH, FREE_FASTPATH, FREE_SLOWPATH };
/* The RCU counters, last in XALLOC_STAT_NAMES. */
enum { FREE_RCU_QUEUED = 26, FREE_RCU_BATCHED, FREE_RCU_SYNC, FREE_RCU_FREED };

static const char *const kmalloc_names[] = {
	"kmalloc-8", "kmalloc-16", "kmalloc-32", "kmalloc-64", "kmalloc-96",
	"kmalloc-128", "kmalloc-192", "kmalloc-256", "kmalloc-512",
	"kmalloc-1k", "kmalloc-2k", "kmalloc-4k", "kmalloc-8k",
};

#define NR_KMALLOC	ARRAY_SIZE(kmalloc_names)

/* Checks with a message, usable as the body of an unbraced loop. */
#define XT_EXPECT_EQ(exp, seen, fmt, ...) \
	({ EXPECT_EQ(exp, seen) TH_LOG(fmt, ##__VA_ARGS__); })
#define XT_ASSERT_EQ(exp, seen, fmt, ...) \
	({ ASSERT_EQ(exp, seen) TH_LOG(fmt, ##__VA_ARGS__); })
#define XT_ASSERT_NE(exp, seen, fmt, ...) \
	({ ASSERT_NE(exp, seen) TH_LOG(fmt, ##__VA_ARGS__); })

/* ioctl returning 0 or -errno. */
static int xioc(int fd, unsigned long cmd, void *arg)
{
	return ioctl(fd, cmd, arg) < 0 ? -errno : 0;
}

static int xt_open(void)
{
	return open(XT_DEV, O_RDWR | O_CLOEXEC);
}

/* A name no other test (each runs in its own process) uses. */
static void xt_name(char *buf, const char *tag)
{
	memset(buf, 0, XALLOC_NAME_LEN);
	snprintf(buf, XALLOC_NAME_LEN, "xt-%d-%s", getpid(), tag);
}

static int cache_create(int fd, const char *name, __u32 size, __u32 align,
			__u32 flags, __u32 *handle)
{
	struct xalloc_cache_create c = { .size = size, .align = align, .flags = flags };
	int ret;

	memcpy(c.name, name, strnlen(name, sizeof(c.name)));
	ret = xioc(fd, XALLOC_IOC_CACHE_CREATE, &c);
	if (!ret && handle)
		*handle = c.handle;
	return ret;
}

static int cache_destroy(int fd, __u32 handle)
{
	struct xalloc_cache_destroy d = { .handle = handle };

	return xioc(fd, XALLOC_IOC_CACHE_DESTROY, &d);
}

static int obj_alloc(int fd, __u32 cache, __u32 size, __s32 node, __u32 flags,
		     __u32 count, __u32 *handles)
{
	struct xalloc_obj_alloc a = {
		.cache = cache, .size = size, .node = node, .flags = flags,
		.count = count, .handles = (unsigned long)handles,
	};

	return xioc(fd, XALLOC_IOC_OBJ_ALLOC, &a);
}

static int obj_free(int fd, const __u32 *handles, __u32 count, __u32 flags)
{
	struct xalloc_free f = {
		.count = count, .flags = flags, .handles = (unsigned long)handles,
	};

	return xioc(fd, XALLOC_IOC_FREE, &f);
}

static int free1(int fd, __u32 h)
{
	return obj_free(fd, &h, 1, 0);
}

static int obj_io(int fd, unsigned long cmd, __u32 handle, __u64 offset,
		  __u64 len, void *buf)
{
	struct xalloc_obj_io io = {
		.handle = handle, .offset = offset, .len = len, .buf = (unsigned long)buf,
	};

	return xioc(fd, cmd, &io);
}

static int pages_alloc(int fd, __u32 order, __s32 node, __u32 flags, __u32 *handle)
{
	struct xalloc_pages_alloc p = { .order = order, .node = node, .flags = flags };
	int ret;

	ret = xioc(fd, XALLOC_IOC_PAGES_ALLOC, &p);
	if (!ret && handle)
		*handle = p.handle;
	return ret;
}

static int stats_name(int fd, const char *name, struct xalloc_cache_stats *st)
{
	memset(st, 0, sizeof(*st));
	memcpy(st->name, name, strnlen(name, sizeof(st->name)));
	return xioc(fd, XALLOC_IOC_CACHE_STATS, st);
}

static int stats_handle(int fd, __u32 cache, struct xalloc_cache_stats *st)
{
	memset(st, 0, sizeof(*st));
	st->cache = cache;
	return xioc(fd, XALLOC_IOC_CACHE_STATS, st);
}

static int zone_stats(int fd, int node, struct xalloc_zone_stats *z)
{
	memset(z, 0, sizeof(*z));
	z->node = node;
	return xioc(fd, XALLOC_IOC_ZONE_STATS, z);
}

/* Nodes with a zone, in @nodes; returns how many. */
static int zone_nodes(int fd, int *nodes)
{
	struct xalloc_zone_stats z;
	int n = 0;

	for (int nid = 0; nid < XT_MAX_NODES; nid++)
		if (!zone_stats(fd, nid, &z))
			nodes[n++] = nid;
	return n;
}

/* Free pages of every node (per-CPU lists included), indexed by node id. */
static void zone_free(int fd, __u64 *free_pages)
{
	struct xalloc_zone_stats z;

	for (int nid = 0; nid < XT_MAX_NODES; nid++)
		free_pages[nid] = zone_stats(fd, nid, &z) ? 0 : z.free_pages + z.pcp_pages;
}

/*
 * Free pages of all nodes plus the pages of the kmalloc caches' slabs: what
 * a file frees on close comes back here even when kmalloc keeps its slabs.
 */
static __u64 zone_pages(int fd)
{
	struct xalloc_cache_stats st;
	__u64 free_pages[XT_MAX_NODES], sum = 0;

	zone_free(fd, free_pages);
	for (int nid = 0; nid < XT_MAX_NODES; nid++)
		sum += free_pages[nid];
	for (size_t i = 0; i < NR_KMALLOC; i++)
		if (!stats_name(fd, kmalloc_names[i], &st))
			sum += st.slab_pages;
	return sum;
}

/* Objects of each kmalloc class that callers hold: not those in sheaves. */
static void kmalloc_active(int fd, __u64 *active)
{
	struct xalloc_cache_stats st;

	for (size_t i = 0; i < NR_KMALLOC; i++)
		active[i] = stats_name(fd, kmalloc_names[i], &st) ? ~0ULL :
			    st.active_objs - cache_sheaf_objects(kmalloc_names[i]);
}

static int has_pattern(const unsigned char *p, size_t len, unsigned char c)
{
	for (size_t i = 0; i < len; i++)
		if (p[i] != c)
			return 0;
	return 1;
}

/* xalloc.ko's quarantine_kb; 0 if it has no such parameter. */
static long quarantine_limit_kb(void)
{
	FILE *f = fopen("/sys/module/xalloc/parameters/quarantine_kb", "r");
	long kb = 0;

	if (f) {
		if (fscanf(f, "%ld", &kb) != 1)
			kb = 0;
		fclose(f);
	}
	return kb;
}

/* Keep the process on the CPU it runs on, and so on that CPU's freelists. */
static int pin_to_this_cpu(void)
{
	int cpu = sched_getcpu();
	cpu_set_t set;

	if (cpu < 0)
		return -1;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return sched_setaffinity(0, sizeof(set), &set);
}

/* An address with nothing mapped: a page mapped, then unmapped. */
static void *unmapped_page(void)
{
	void *p = mmap(NULL, XT_PAGE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p != MAP_FAILED)
		munmap(p, XT_PAGE);
	return p;
}

/* mmap() of block @h of @fd: the mapping, or MAP_FAILED with errno set. */
static void *map_block(int fd, __u32 h, size_t len, int prot, int flags)
{
	return mmap(NULL, len, prot, flags, fd, XALLOC_MMAP_OFFSET(h, XT_PAGE));
}

/* mmap() at byte offset @off, unmapped again at once: 0 or -errno. */
static int map_err(int fd, __u64 off, size_t len, int prot, int flags)
{
	void *p = mmap(NULL, len, prot, flags, fd, off);

	if (p == MAP_FAILED)
		return -errno;
	munmap(p, len);
	return 0;
}

/* Fill @len bytes with a pattern that differs per page and per @seed. */
static void fill_pattern(unsigned char *p, size_t len, unsigned int seed)
{
	for (size_t i = 0; i < len; i++)
		p[i] = (unsigned char)(i * 7 + i / XT_PAGE * 13 + seed);
}

/* Offset of the first byte that differs from fill_pattern(), or -1. */
static long check_pattern(const unsigned char *p, size_t len, unsigned int seed)
{
	for (size_t i = 0; i < len; i++)
		if (p[i] != (unsigned char)(i * 7 + i / XT_PAGE * 13 + seed))
			return (long)i;
	return -1;
}

FIXTURE(xa) {
	int fd;
	int nodes[XT_MAX_NODES];
	int nr_nodes;
};

FIXTURE_SETUP(xa)
{
	self->fd = xt_open();
	ASSERT_LE(0, self->fd) TH_LOG("open %s: %s", XT_DEV, strerror(errno));
	self->nr_nodes = zone_nodes(self->fd, self->nodes);
	ASSERT_LT(0, self->nr_nodes);
}

FIXTURE_TEARDOWN(xa)
{
	if (self->fd >= 0)
		close(self->fd);
}

TEST_F(xa, version)
{
	struct xalloc_version v;

	memset(&v, 0xff, sizeof(v));
	ASSERT_EQ(0, xioc(self->fd, XALLOC_IOC_VERSION, &v));
	EXPECT_EQ(XALLOC_ABI_VERSION, v.abi_version);
	EXPECT_EQ(0, v.pad);
	EXPECT_EQ(XALLOC_FEAT_CACHES | XALLOC_FEAT_KMALLOC | XALLOC_FEAT_PAGES |
		  XALLOC_FEAT_BULK | XALLOC_FEAT_STATS | XALLOC_FEAT_RCU |
		  XALLOC_FEAT_MMAP,
		  v.features & (XALLOC_FEAT_CACHES | XALLOC_FEAT_KMALLOC |
				XALLOC_FEAT_PAGES | XALLOC_FEAT_BULK | XALLOC_FEAT_STATS |
				XALLOC_FEAT_RCU | XALLOC_FEAT_MMAP));
}

TEST_F(xa, unknown_ioctl_enotty)
{
	char buf[256] = { 0 };

	EXPECT_EQ(-ENOTTY, xioc(self->fd, _IOWR(XALLOC_IOC_MAGIC, 0x7f, __u64), buf));
	EXPECT_EQ(-ENOTTY, xioc(self->fd, _IO(XALLOC_IOC_MAGIC, 0x0b), buf));
	EXPECT_EQ(-ENOTTY, xioc(self->fd, _IOR('x', 0x00, struct xalloc_version), buf));
	/* A known number with the wrong size or direction is another command. */
	EXPECT_EQ(-ENOTTY, xioc(self->fd, _IOR(XALLOC_IOC_MAGIC, 0x00, __u32), buf));
	EXPECT_EQ(-ENOTTY, xioc(self->fd, _IOW(XALLOC_IOC_MAGIC, 0x00, struct xalloc_free), buf));
	EXPECT_EQ(-ENOTTY, xioc(self->fd, _IOWR(XALLOC_IOC_MAGIC, 0x03, struct xalloc_free), buf));
	EXPECT_EQ(-ENOTTY, xioc(self->fd, 0, buf));
}

TEST_F(xa, bad_argument_pointer_efault)
{
	static const unsigned long cmds[] = {
		XALLOC_IOC_VERSION, XALLOC_IOC_CACHE_CREATE, XALLOC_IOC_CACHE_DESTROY,
		XALLOC_IOC_OBJ_ALLOC, XALLOC_IOC_FREE, XALLOC_IOC_OBJ_WRITE,
		XALLOC_IOC_OBJ_READ, XALLOC_IOC_PAGES_ALLOC, XALLOC_IOC_CACHE_STATS,
		XALLOC_IOC_ZONE_STATS, XALLOC_IOC_BENCH,
	};
	void *bad[] = { NULL, unmapped_page(), (void *)XT_KERNEL_PTR,
			(void *)0xffffffff81000000ULL, (void *)-1L };

	for (size_t i = 0; i < ARRAY_SIZE(cmds); i++) {
		for (size_t j = 0; j < ARRAY_SIZE(bad); j++) {
			EXPECT_EQ(-EFAULT, xioc(self->fd, cmds[i], bad[j]))
				TH_LOG("command %#lx, pointer %p", cmds[i], bad[j]);
	}
		}
}

TEST_F(xa, argument_straddling_unmapped_page_efault)
{
	char *p = mmap(NULL, 2 * XT_PAGE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct xalloc_zone_stats *z;

	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(0, munmap(p + XT_PAGE, XT_PAGE));
	z = (void *)(p + XT_PAGE - 8);
	z->node = self->nodes[0];
	EXPECT_EQ(-EFAULT, xioc(self->fd, XALLOC_IOC_ZONE_STATS, z));
	/* Read-only memory for an argument the kernel writes back. */
	z = (void *)p;
	memset(z, 0, sizeof(*z));
	z->node = self->nodes[0];
	ASSERT_EQ(0, mprotect(p, XT_PAGE, PROT_READ));
	EXPECT_EQ(-EFAULT, xioc(self->fd, XALLOC_IOC_ZONE_STATS, z));
	munmap(p, XT_PAGE);
}

TEST_F(xa, misaligned_argument_works)
{
	__u64 raw[sizeof(struct xalloc_version) / 8 + 1] = { 0 };
	char *buf = (char *)raw;
	struct xalloc_version v;

	ASSERT_EQ(0, xioc(self->fd, XALLOC_IOC_VERSION, buf + 3));
	memcpy(&v, buf + 3, sizeof(v));
	EXPECT_EQ(XALLOC_ABI_VERSION, v.abi_version);
}

TEST_F(xa, cache_create_stats_destroy)
{
	struct xalloc_cache_stats st, k96;
	char name[XALLOC_NAME_LEN];
	__u32 h, redzone;

	/* KASAN's red zone after every object: what kmalloc-96 has past 96. */
	ASSERT_EQ(0, stats_name(self->fd, "kmalloc-96", &k96));
	redzone = k96.size - 96;
	EXPECT_TRUE(redzone == 0 || redzone == 8) TH_LOG("red zone %u", redzone);
	xt_name(name, "c");
	ASSERT_EQ(0, cache_create(self->fd, name, 100, 0, 0, &h));
	EXPECT_NE(0, h);
	ASSERT_EQ(0, stats_handle(self->fd, h, &st));
	EXPECT_STREQ(name, st.name);
	EXPECT_EQ(100, st.object_size);
	/* 100 rounded up to the 8 bytes of a pointer, then the red zone. */
	EXPECT_EQ(104 + redzone, st.size);
	EXPECT_EQ((XT_PAGE << st.order) / st.size, st.objs_per_slab);
	EXPECT_EQ(0, st.active_objs);
	EXPECT_EQ(XT_NR_STATS, st.nr_stats);
	ASSERT_EQ(0, stats_name(self->fd, name, &st));
	EXPECT_EQ(100, st.object_size);
	ASSERT_EQ(0, cache_destroy(self->fd, h));
	EXPECT_EQ(-ENOENT, stats_name(self->fd, name, &st));
	EXPECT_EQ(-ENOENT, stats_handle(self->fd, h, &st));
	EXPECT_EQ(-ENOENT, cache_destroy(self->fd, h));
	/* The name is free again. */
	ASSERT_EQ(0, cache_create(self->fd, name, 8, 0, 0, &h));
	EXPECT_EQ(0, cache_destroy(self->fd, h));
}

TEST_F(xa, cache_align_and_hwcache)
{
	struct xalloc_cache_stats st;
	char name[XALLOC_NAME_LEN];
	__u32 h, obj[4];

	xt_name(name, "a");
	ASSERT_EQ(0, cache_create(self->fd, name, 24, 256, 0, &h));
	ASSERT_EQ(0, stats_handle(self->fd, h, &st));
	EXPECT_EQ(0, st.size % 256) TH_LOG("stride %u", st.size);
	ASSERT_EQ(0, obj_alloc(self->fd, h, 0, -1, 0, 4, obj));
	ASSERT_EQ(0, obj_free(self->fd, obj, 4, 0));
	EXPECT_EQ(0, cache_destroy(self->fd, h));
	/* As in SLUB: a cache line, halved while the object fits in half. */
	xt_name(name, "h");
	ASSERT_EQ(0, cache_create(self->fd, name, 40, 0, XALLOC_CACHE_HWCACHE_ALIGN, &h));
	ASSERT_EQ(0, stats_handle(self->fd, h, &st));
	EXPECT_EQ(0, st.size % 64) TH_LOG("stride %u", st.size);
	EXPECT_EQ(0, cache_destroy(self->fd, h));
	xt_name(name, "h2");
	ASSERT_EQ(0, cache_create(self->fd, name, 24, 0, XALLOC_CACHE_HWCACHE_ALIGN, &h));
	ASSERT_EQ(0, stats_handle(self->fd, h, &st));
	EXPECT_EQ(0, st.size % 32) TH_LOG("stride %u", st.size);
	EXPECT_EQ(0, cache_destroy(self->fd, h));
	xt_name(name, "p");
	ASSERT_EQ(0, cache_create(self->fd, name, 24, 4096, 0, &h));
	EXPECT_EQ(0, cache_destroy(self->fd, h));
}

TEST_F(xa, cache_create_bad_values_einval)
{
	struct xalloc_cache_create c;
	char name[XALLOC_NAME_LEN];

	xt_name(name, "v");
	EXPECT_EQ(-EINVAL, cache_create(self->fd, name, 0, 0, 0, NULL));
	EXPECT_EQ(-EINVAL, cache_create(self->fd, name, XALLOC_MAX_OBJECT_SIZE + 1, 0, 0, NULL));
	EXPECT_EQ(-EINVAL, cache_create(self->fd, name, ~0U, 0, 0, NULL));
	EXPECT_EQ(-EINVAL, cache_create(self->fd, name, 64, 3, 0, NULL));
	EXPECT_EQ(-EINVAL, cache_create(self->fd, name, 64, 48, 0, NULL));
	EXPECT_EQ(-EINVAL, cache_create(self->fd, name, 64, 8192, 0, NULL));
	EXPECT_EQ(-EINVAL, cache_create(self->fd, name, 64, 1U << 31, 0, NULL));
	EXPECT_EQ(-EINVAL, cache_create(self->fd, name, 64, 0, 1U << 2, NULL));
	EXPECT_EQ(-EINVAL, cache_create(self->fd, name, 64, 0, 1U << 31, NULL));
	/* None of them left a cache behind. */
	memset(&c, 0, sizeof(c));
	memcpy(c.name, name, sizeof(c.name));
	c.size = 64;
	ASSERT_EQ(0, xioc(self->fd, XALLOC_IOC_CACHE_CREATE, &c));
	EXPECT_EQ(0, cache_destroy(self->fd, c.handle));
}

TEST_F(xa, cache_create_bad_names_einval)
{
	static const char *const bad[] = {
		"", "a b", "a/b", "a:b", "tab\t", "nl\n", "caf\xc3\xa9", "x*", "../x",
	};
	struct xalloc_cache_create c;
	char name[XALLOC_NAME_LEN];
	__u32 h;

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		EXPECT_EQ(-EINVAL, cache_create(self->fd, bad[i], 64, 0, 0, NULL))
			TH_LOG("name '%s'", bad[i]);
	}
	/* Unterminated: 32 valid characters and no NUL. */
	memset(&c, 0, sizeof(c));
	memset(c.name, 'a', sizeof(c.name));
	c.size = 64;
	EXPECT_EQ(-EINVAL, xioc(self->fd, XALLOC_IOC_CACHE_CREATE, &c));
	/* Bytes after the NUL must be zero. */
	xt_name(c.name, "g");
	c.name[XALLOC_NAME_LEN - 1] = 'x';
	EXPECT_EQ(-EINVAL, xioc(self->fd, XALLOC_IOC_CACHE_CREATE, &c));
	/* 31 characters are fine, and all of [A-Za-z0-9._-]. */
	memset(name, 0, sizeof(name));
	snprintf(name, sizeof(name), "Az09._-%d", getpid());
	memset(name + strlen(name), 'q', XALLOC_NAME_LEN - 1 - strlen(name));
	ASSERT_EQ(XALLOC_NAME_LEN - 1, strlen(name));
	ASSERT_EQ(0, cache_create(self->fd, name, 64, 0, 0, &h));
	EXPECT_EQ(0, cache_destroy(self->fd, h));
}

TEST_F(xa, cache_create_duplicate_eexist)
{
	char name[XALLOC_NAME_LEN];
	__u32 h, h2;
	int fd2;

	xt_name(name, "d");
	ASSERT_EQ(0, cache_create(self->fd, name, 64, 0, 0, &h));
	EXPECT_EQ(-EEXIST, cache_create(self->fd, name, 64, 0, 0, NULL));
	EXPECT_EQ(-EEXIST, cache_create(self->fd, name, 128, 0, 0, NULL));
	/* Names are global: another file can't take it either. */
	fd2 = xt_open();
	ASSERT_LE(0, fd2);
	EXPECT_EQ(-EEXIST, cache_create(fd2, name, 64, 0, 0, NULL));
	EXPECT_EQ(-EEXIST, cache_create(fd2, "kmalloc-64", 64, 0, 0, NULL));
	close(fd2);
	EXPECT_EQ(0, cache_destroy(self->fd, h));
	ASSERT_EQ(0, cache_create(self->fd, name, 64, 0, 0, &h2));
	EXPECT_EQ(0, cache_destroy(self->fd, h2));
}

TEST_F(xa, cache_alloc_write_read)
{
	unsigned char in[100], out[100];
	char name[XALLOC_NAME_LEN];
	__u32 c, obj[8];

	xt_name(name, "rw");
	ASSERT_EQ(0, cache_create(self->fd, name, sizeof(in), 0, 0, &c));
	ASSERT_EQ(0, obj_alloc(self->fd, c, 0, -1, 0, 8, obj));
	for (int i = 0; i < 8; i++) {
		EXPECT_NE(0, obj[i]);
		EXPECT_NE(c, obj[i]);
		for (int j = 0; j < i; j++)
			EXPECT_NE(obj[j], obj[i]);
		memset(in, 'a' + i, sizeof(in));
		ASSERT_EQ(0, obj_io(self->fd, XALLOC_IOC_OBJ_WRITE, obj[i], 0, sizeof(in), in));
	}
	for (int i = 0; i < 8; i++) {
		memset(out, 0, sizeof(out));
		ASSERT_EQ(0, obj_io(self->fd, XALLOC_IOC_OBJ_READ, obj[i], 0, sizeof(out), out));
		EXPECT_TRUE(has_pattern(out, sizeof(out), 'a' + i)) TH_LOG("object %d", i);
	}
	/* Partial write in the middle, read across it. */
	ASSERT_EQ(0, obj_io(self->fd, XALLOC_IOC_OBJ_WRITE, obj[0], 50, 5, "HELLO"));
	ASSERT_EQ(0, obj_io(self->fd, XALLOC_IOC_OBJ_READ, obj[0], 48, 9, out));
	EXPECT_EQ(0, memcmp(out, "aaHELLOaa", 9));
	ASSERT_EQ(0, obj_io(self->fd, XALLOC_IOC_OBJ_READ, obj[0], 99, 1, out));
	EXPECT_EQ('a', out[0]);
	EXPECT_EQ(0, obj_free(self->fd, obj, 8, 0));
	EXPECT_EQ(0, cache_destroy(self->fd, c));
}

TEST_F(xa, kmalloc_sizes_write_read)
{
	static const __u32 sizes[] = {
		1, 8, 13, 64, 96, 100, 192, 4096, 8192, 8193, 100000, XALLOC_MAX_KMALLOC,
	};
	unsigned char *buf = malloc(XALLOC_MAX_KMALLOC), *out = malloc(XALLOC_MAX_KMALLOC);
	__u32 h;

	ASSERT_NE(NULL, buf);
	ASSERT_NE(NULL, out);
	for (size_t i = 0; i < ARRAY_SIZE(sizes); i++) {
		__u32 n = sizes[i];

		ASSERT_EQ(0, obj_alloc(self->fd, 0, n, -1, 0, 1, &h)) TH_LOG("size %u", n);
		for (__u32 j = 0; j < n; j++)
			buf[j] = j * 7 + i;
		ASSERT_EQ(0, obj_io(self->fd, XALLOC_IOC_OBJ_WRITE, h, 0, n, buf));
		memset(out, 0, n);
		ASSERT_EQ(0, obj_io(self->fd, XALLOC_IOC_OBJ_READ, h, 0, n, out));
		EXPECT_EQ(0, memcmp(buf, out, n)) TH_LOG("size %u", n);
		/* The size asked for is the limit, not the class. */
		EXPECT_EQ(-EINVAL, obj_io(self->fd, XALLOC_IOC_OBJ_READ, h, n, 1, out));
		EXPECT_EQ(0, free1(self->fd, h));
	}
	free(buf);
	free(out);
}

TEST_F(xa, zero_flag_clears)
{
	unsigned char buf[512];
	char name[XALLOC_NAME_LEN];
	__u32 c, h;

	xt_name(name, "z");
	ASSERT_EQ(0, cache_create(self->fd, name, sizeof(buf), 0, 0, &c));
	/* Dirty objects, free them, get them back (LIFO) with ZERO. */
	for (int round = 0; round < 2; round++) {
		__u32 flags = round ? XALLOC_OBJ_ZERO : 0;

		ASSERT_EQ(0, obj_alloc(self->fd, c, 0, -1, flags, 1, &h));
		if (round) {
			ASSERT_EQ(0, obj_io(self->fd, XALLOC_IOC_OBJ_READ, h, 0, sizeof(buf), buf));
			EXPECT_TRUE(has_pattern(buf, sizeof(buf), 0));
		}
		memset(buf, 0xa5, sizeof(buf));
		ASSERT_EQ(0, obj_io(self->fd, XALLOC_IOC_OBJ_WRITE, h, 0, sizeof(buf), buf));
		ASSERT_EQ(0, free1(self->fd, h));
	}
	EXPECT_EQ(0, cache_destroy(self->fd, c));
	/* kmalloc and pages too. */
	for (int round = 0; round < 2; round++) {
		__u32 flags = round ? XALLOC_OBJ_ZERO : 0;

		ASSERT_EQ(0, obj_alloc(self->fd, 0, 300, -1, flags, 1, &h));
		if (round) {
			ASSERT_EQ(0, obj_io(self->fd, XALLOC_IOC_OBJ_READ, h, 0, 300, buf));
			EXPECT_TRUE(has_pattern(buf, 300, 0));
		}
		memset(buf, 0x5a, sizeof(buf));
		ASSERT_EQ(0, obj_io(self->fd, XALLOC_IOC_OBJ_WRITE, h, 0, 300, buf));
		ASSERT_EQ(0, free1(self->fd, h));
	}
	for (int round = 0; round < 2; round++) {
		__u32 flags = round ? XALLOC_OBJ_ZERO : 0;

		ASSERT_EQ(0, pages_alloc(self->fd, 0, self->nodes[0], flags | XALLOC_OBJ_NODE, &h));
		if (round) {
			for (__u64 off = 0; off < XT_PAGE; off += sizeof(buf)) {
				ASSERT_EQ(0, obj_io(self->fd, XALLOC_IOC_OBJ_READ, h, off,
						    sizeof(buf), buf));
				EXPECT_TRUE(has_pattern(buf, sizeof(buf), 0));
			}
		}
		memset(buf, 0x3c, sizeof(buf));
		for (__u64 off = 0; off < XT_PAGE; off += sizeof(buf))
			ASSERT_EQ(0, obj_io(self->fd, XALLOC_IOC_OBJ_WRITE, h, off, 512, buf));
		ASSERT_EQ(0, free1(self->fd, h));
	}
}

/*
 * Dirty an object of the cache @c (0: kmalloc, @size bytes), free it and
 * allocate one again without XALLOC_OBJ_ZERO: it reads as zeros. The ABI
 * shows no addresses, but with @same the counters of @cache show that the
 * object just freed came back: on the one CPU the process is pinned to, a
 * fast-path free pushes it on the CPU freelist and the next fast-path
 * allocation pops it (LIFO), as nothing else uses the cache meanwhile.
 */
static void reuse_reads_zero(struct __test_metadata *_metadata, int fd,
			     __u32 c, __u32 size, const char *cache, int same)
{
	struct xalloc_cache_stats live, freed, again;
	unsigned char buf[512];
	__u32 h;

	ASSERT_GE(sizeof(buf), size);
	ASSERT_EQ(0, obj_alloc(fd, c, c ? 0 : size, -1, 0, 1, &h));
	memset(buf, 0xa5, size);
	ASSERT_EQ(0, obj_io(fd, XALLOC_IOC_OBJ_WRITE, h, 0, size, buf));
	memset(buf, 0, size);
	ASSERT_EQ(0, obj_io(fd, XALLOC_IOC_OBJ_READ, h, 0, size, buf));
	ASSERT_TRUE(has_pattern(buf, size, 0xa5)) TH_LOG("%s: not dirtied", cache);
	ASSERT_EQ(0, stats_name(fd, cache, &live));
	ASSERT_EQ(0, free1(fd, h));
	ASSERT_EQ(0, stats_name(fd, cache, &freed));
	ASSERT_EQ(0, obj_alloc(fd, c, c ? 0 : size, -1, 0, 1, &h));
	ASSERT_EQ(0, stats_name(fd, cache, &again));
	memset(buf, 0xff, size);
	ASSERT_EQ(0, obj_io(fd, XALLOC_IOC_OBJ_READ, h, 0, size, buf));
	EXPECT_TRUE(has_pattern(buf, size, 0)) TH_LOG("%s: old contents", cache);
	if (same && cache_sheaf_objects(cache)) {
		/* Pushed onto this CPU's sheaf and popped again: no slab counter moves. */
		for (int i = 0; i < XT_NR_STATS; i++)
			XT_EXPECT_EQ(live.stat[i], again.stat[i], "%s: counter %d", cache, i);
	} else if (same) {
		XT_EXPECT_EQ(1, freed.stat[FREE_FASTPATH] - live.stat[FREE_FASTPATH],
			     "%s: free not to this CPU's slab", cache);
		XT_EXPECT_EQ(live.stat[FREE_SLOWPATH], freed.stat[FREE_SLOWPATH],
			     "%s", cache);
		XT_EXPECT_EQ(1, again.stat[ALLOC_FASTPATH] - freed.stat[ALLOC_FASTPATH],
			     "%s: not from this CPU's freelist", cache);
		XT_EXPECT_EQ(freed.stat[ALLOC_SLOWPATH], again.stat[ALLOC_SLOWPATH],
			     "%s", cache);
	}
	ASSERT_EQ(0, free1(fd, h));
}

/*
 * Whatever the device hands out reads as zeros until user space writes it,
 * XALLOC_OBJ_ZERO or not (fresh memory of the guest is zero anyway, so the
 * memory is dirtied first and the same memory comes back). With the KASAN
 * quarantine on, a freed object is held back and another one comes: only
 * the zeros are checked then. A page block comes back from this CPU's page
 * list (LIFO too), which no counter shows: only its zeros are checked.
 */
TEST_F(xa, reused_memory_reads_zero_without_zero_flag)
{
	const long qkb = quarantine_limit_kb();
	unsigned char buf[512];
	char name[XALLOC_NAME_LEN];
	__u32 c, h;

	ASSERT_EQ(0, pin_to_this_cpu()) TH_LOG("sched_setaffinity: %s", strerror(errno));
	if (qkb)
		TH_LOG("quarantine_kb=%ld: zeros checked, not that the object came back", qkb);
	xt_name(name, "reuse");
	ASSERT_EQ(0, cache_create(self->fd, name, sizeof(buf), 0, 0, &c));
	reuse_reads_zero(_metadata, self->fd, c, sizeof(buf), name, !qkb);
	EXPECT_EQ(0, cache_destroy(self->fd, c));
	reuse_reads_zero(_metadata, self->fd, 0, 300, "kmalloc-512", !qkb);

	for (int round = 0; round < 2; round++) {
		ASSERT_EQ(0, pages_alloc(self->fd, 0, -1, 0, &h));
		if (round) {
			for (__u64 off = 0; off < XT_PAGE; off += sizeof(buf)) {
				memset(buf, 0xff, sizeof(buf));
				ASSERT_EQ(0, obj_io(self->fd, XALLOC_IOC_OBJ_READ, h, off,
						    sizeof(buf), buf));
				EXPECT_TRUE(has_pattern(buf, sizeof(buf), 0))
					TH_LOG("page, offset %llu", (unsigned long long)off);
			}
		}
		memset(buf, 0xc3, sizeof(buf));
		for (__u64 off = 0; off < XT_PAGE; off += sizeof(buf))
			ASSERT_EQ(0, obj_io(self->fd, XALLOC_IOC_OBJ_WRITE, h, off,
					    sizeof(buf), buf));
		ASSERT_EQ(0, free1(self->fd, h));
	}
}

TEST_F(xa, io_out_of_bounds_einval)
{
	char buf[64] = { 0 }, name[XALLOC_NAME_LEN];
	__u32 c, h, k, p;

	xt_name(name, "b");
	ASSERT_EQ(0, cache_create(self->fd, name, 40, 0, 0, &c));
	ASSERT_EQ(0, obj_alloc(self->fd, c, 0, -1, 0, 1, &h));
	ASSERT_EQ(0, obj_alloc(self->fd, 0, 100, -1, 0, 1, &k));
	ASSERT_EQ(0, pages_alloc(self->fd, 1, -1, 0, &p));
	EXPECT_EQ(0, obj_io(self->fd, XALLOC_IOC_OBJ_WRITE, h, 0, 40, buf));
	EXPECT_EQ(0, obj_io(self->fd, XALLOC_IOC_OBJ_WRITE, h, 39, 1, buf));
	EXPECT_EQ(-EINVAL, obj_io(self->fd, XALLOC_IOC_OBJ_WRITE, h, 0, 41, buf));
	EXPECT_EQ(-EINVAL, obj_io(self->fd, XALLOC_IOC_OBJ_READ, h, 40, 1, buf));
	EXPECT_EQ(-EINVAL, obj_io(self->fd, XALLOC_IOC_OBJ_READ, h, 39, 2, buf));
	/* The stride is larger than 40, and kmalloc-128 larger than 100. */
	EXPECT_EQ(-EINVAL, obj_io(self->fd, XALLOC_IOC_OBJ_READ, k, 96, 8, buf));
	EXPECT_EQ(0, obj_io(self->fd, XALLOC_IOC_OBJ_READ, k, 96, 4, buf));
	EXPECT_EQ(0, obj_io(self->fd, XALLOC_IOC_OBJ_WRITE, p, 2 * XT_PAGE - 2, 2, buf));
	EXPECT_EQ(-EINVAL, obj_io(self->fd, XALLOC_IOC_OBJ_WRITE, p, 2 * XT_PAGE - 1, 2, buf));
	/* offset + len wrapping around must not pass the check. */
	EXPECT_EQ(-EINVAL, obj_io(self->fd, XALLOC_IOC_OBJ_READ, h, ~0ULL, 2, buf));
	EXPECT_EQ(-EINVAL, obj_io(self->fd, XALLOC_IOC_OBJ_READ, h, 8, ~0ULL - 4, buf));
	EXPECT_EQ(-EINVAL, obj_io(self->fd, XALLOC_IOC_OBJ_WRITE, p, 1ULL << 63, 1ULL << 63, buf));
	EXPECT_EQ(0, obj_free(self->fd, (__u32[]){ h, k, p }, 3, 0));
	EXPECT_EQ(0, cache_destroy(self->fd, c));
}

TEST_F(xa, io_bad_handles_and_padding)
{
	struct xalloc_obj_io io;
	char buf[16] = { 0 }, name[XALLOC_NAME_LEN];
	__u32 c, h;

	xt_name(name, "io");
	ASSERT_EQ(0, cache_create(self->fd, name, 16, 0, 0, &c));
	ASSERT_EQ(0, obj_alloc(self->fd, c, 0, -1, 0, 1, &h));
	EXPECT_EQ(-ENOENT, obj_io(self->fd, XALLOC_IOC_OBJ_READ, 0, 0, 1, buf));
	EXPECT_EQ(-ENOENT, obj_io(self->fd, XALLOC_IOC_OBJ_READ, h + 1000, 0, 1, buf));
	EXPECT_EQ(-ENOENT, obj_io(self->fd, XALLOC_IOC_OBJ_WRITE, ~0U, 0, 1, buf));
	/* A cache handle is not an object. */
	EXPECT_EQ(-ENOENT, obj_io(self->fd, XALLOC_IOC_OBJ_READ, c, 0, 1, buf));
	memset(&io, 0, sizeof(io));
	io.handle = h;
	io.len = 1;
	io.buf = (unsigned long)buf;
	io.pad = 1;
	EXPECT_EQ(-EINVAL, xioc(self->fd, XALLOC_IOC_OBJ_READ, &io));
	EXPECT_EQ(-EINVAL, xioc(self->fd, XALLOC_IOC_OBJ_WRITE, &io));
	io.pad = 0;
	EXPECT_EQ(0, xioc(self->fd, XALLOC_IOC_OBJ_READ, &io));
	/* Freed: gone. */
	ASSERT_EQ(0, free1(self->fd, h));
	EXPECT_EQ(-ENOENT, obj_io(self->fd, XALLOC_IOC_OBJ_READ, h, 0, 1, buf));
	EXPECT_EQ(0, cache_destroy(self->fd, c));
}

TEST_F(xa, io_bad_buffer_efault)
{
	char *ro = mmap(NULL, XT_PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char buf[64] = { 0 };
	void *bad[] = { NULL, unmapped_page(), (void *)XT_KERNEL_PTR,
			(void *)0xffffffff81000000ULL };
	__u32 h;

	ASSERT_NE(MAP_FAILED, ro);
	ASSERT_EQ(0, obj_alloc(self->fd, 0, 64, -1, 0, 1, &h));
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		EXPECT_EQ(-EFAULT, obj_io(self->fd, XALLOC_IOC_OBJ_READ, h, 0, 64, bad[i]));
		EXPECT_EQ(-EFAULT, obj_io(self->fd, XALLOC_IOC_OBJ_WRITE, h, 0, 64, bad[i]));
	}
	/* Reading into read-only memory faults; writing from it is fine. */
	EXPECT_EQ(-EFAULT, obj_io(self->fd, XALLOC_IOC_OBJ_READ, h, 0, 64, ro));
	EXPECT_EQ(0, obj_io(self->fd, XALLOC_IOC_OBJ_WRITE, h, 0, 64, ro));
	/* Misaligned user buffers are fine. */
	EXPECT_EQ(0, obj_io(self->fd, XALLOC_IOC_OBJ_WRITE, h, 3, 13, "misaligned!!!"));
	EXPECT_EQ(0, obj_io(self->fd, XALLOC_IOC_OBJ_READ, h, 3, 13, buf + 1));
	EXPECT_EQ(0, memcmp(buf + 1, "misaligned!!!", 13));
	EXPECT_EQ(0, free1(self->fd, h));
	munmap(ro, XT_PAGE);
}

/* A write whose buffer faults half-way leaves the object as it was. */
TEST_F(xa, io_write_fault_changes_nothing)
{
	unsigned char *two = mmap(NULL, 2 * XT_PAGE, PROT_READ | PROT_WRITE,
				  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	unsigned char back[64];
	__u32 h;

	ASSERT_NE(MAP_FAILED, two);
	ASSERT_EQ(0, obj_alloc(self->fd, 0, 64, -1, 0, 1, &h));
	memset(back, 0xc3, sizeof(back));
	ASSERT_EQ(0, obj_io(self->fd, XALLOC_IOC_OBJ_WRITE, h, 0, 64, back));
	/* 32 readable bytes, then a page that is gone. */
	memset(two + XT_PAGE - 32, 0x5a, 32);
	ASSERT_EQ(0, munmap(two + XT_PAGE, XT_PAGE));
	EXPECT_EQ(-EFAULT, obj_io(self->fd, XALLOC_IOC_OBJ_WRITE, h, 0, 64,
				  two + XT_PAGE - 32));
	memset(back, 0, sizeof(back));
	ASSERT_EQ(0, obj_io(self->fd, XALLOC_IOC_OBJ_READ, h, 0, 64, back));
	EXPECT_TRUE(has_pattern(back, sizeof(back), 0xc3));
	EXPECT_EQ(0, free1(self->fd, h));
	munmap(two, XT_PAGE);
}

TEST_F(xa, alloc_bad_values)
{
	struct xalloc_obj_alloc a;
	char name[XALLOC_NAME_LEN];
	__u32 c, h[XALLOC_MAX_BATCH + 1];

	xt_name(name, "al");
	ASSERT_EQ(0, cache_create(self->fd, name, 32, 0, 0, &c));
	EXPECT_EQ(-EINVAL, obj_alloc(self->fd, c, 0, -1, 0, 0, h));
	EXPECT_EQ(-EINVAL, obj_alloc(self->fd, c, 0, -1, 0, XALLOC_MAX_BATCH + 1, h));
	EXPECT_EQ(-EINVAL, obj_alloc(self->fd, 0, 64, -1, 0, ~0U, h));
	EXPECT_EQ(-EINVAL, obj_alloc(self->fd, 0, 0, -1, 0, 1, h));
	EXPECT_EQ(-EINVAL, obj_alloc(self->fd, 0, XALLOC_MAX_KMALLOC + 1, -1, 0, 1, h));
	EXPECT_EQ(-EINVAL, obj_alloc(self->fd, c, 32, -1, 0, 1, h));
	EXPECT_EQ(-EINVAL, obj_alloc(self->fd, c, 0, -1, 1U << 3, 1, h));
	EXPECT_EQ(-EINVAL, obj_alloc(self->fd, 0, 8, -1, 1U << 31, 1, h));
	EXPECT_EQ(-EINVAL, obj_alloc(self->fd, c, 0, XT_MAX_NODES, 0, 1, h));
	EXPECT_EQ(-EINVAL, obj_alloc(self->fd, c, 0, 1 << 20, 0, 1, h));
	EXPECT_EQ(-EINVAL, obj_alloc(self->fd, c, 0, -2, 0, 1, h));
	EXPECT_EQ(-EINVAL, obj_alloc(self->fd, 0, 8, -1, XALLOC_OBJ_NODE, 1, h));
	EXPECT_EQ(-ENOENT, obj_alloc(self->fd, c + 1000, 0, -1, 0, 1, h));
	EXPECT_EQ(-ENOENT, obj_alloc(self->fd, ~0U, 0, -1, 0, 1, h));
	memset(&a, 0, sizeof(a));
	a.cache = c;
	a.node = -1;
	a.count = 1;
	a.handles = (unsigned long)h;
	a.pad = 1;
	EXPECT_EQ(-EINVAL, xioc(self->fd, XALLOC_IOC_OBJ_ALLOC, &a));
	a.pad = 0;
	a.handles = 0;
	EXPECT_EQ(-EFAULT, xioc(self->fd, XALLOC_IOC_OBJ_ALLOC, &a));
	a.handles = (unsigned long)unmapped_page();
	EXPECT_EQ(-EFAULT, xioc(self->fd, XALLOC_IOC_OBJ_ALLOC, &a));
	a.handles = XT_KERNEL_PTR;
	EXPECT_EQ(-EFAULT, xioc(self->fd, XALLOC_IOC_OBJ_ALLOC, &a));
	/* None of the failures left an object: the cache can go. */
	EXPECT_EQ(0, cache_destroy(self->fd, c));
}

TEST_F(xa, alloc_from_other_handle_kinds_enoent)
{
	__u32 h, p, x;

	ASSERT_EQ(0, obj_alloc(self->fd, 0, 16, -1, 0, 1, &h));
	ASSERT_EQ(0, pages_alloc(self->fd, 0, -1, 0, &p));
	EXPECT_EQ(-ENOENT, obj_alloc(self->fd, h, 0, -1, 0, 1, &x));
	EXPECT_EQ(-ENOENT, obj_alloc(self->fd, p, 0, -1, 0, 1, &x));
	EXPECT_EQ(-ENOENT, cache_destroy(self->fd, h));
	EXPECT_EQ(-ENOENT, cache_destroy(self->fd, p));
	EXPECT_EQ(0, obj_free(self->fd, (__u32[]){ h, p }, 2, 0));
}

TEST_F(xa, free_errors_free_nothing)
{
	struct xalloc_cache_stats st;
	char name[XALLOC_NAME_LEN], buf[8];
	__u32 c, h[4], bad[3];

	xt_name(name, "f");
	ASSERT_EQ(0, cache_create(self->fd, name, 8, 0, 0, &c));
	ASSERT_EQ(0, obj_alloc(self->fd, c, 0, -1, 0, 4, h));
	EXPECT_EQ(-EINVAL, obj_free(self->fd, h, 0, 0));
	EXPECT_EQ(-EINVAL, obj_free(self->fd, h, XALLOC_MAX_BATCH + 1, 0));
	EXPECT_EQ(-EINVAL, obj_free(self->fd, h, 4, XALLOC_OBJ_ZERO));
	EXPECT_EQ(-EINVAL, obj_free(self->fd, h, 4, 1U << 31));
	/* The same handle twice in one call. */
	bad[0] = h[0];
	bad[1] = h[1];
	bad[2] = h[0];
	EXPECT_EQ(-EINVAL, obj_free(self->fd, bad, 3, 0));
	/* A handle that is not a live object or block, after good ones. */
	bad[2] = h[3] + 1000;
	EXPECT_EQ(-ENOENT, obj_free(self->fd, bad, 3, 0));
	bad[2] = c;
	EXPECT_EQ(-ENOENT, obj_free(self->fd, bad, 3, 0));
	bad[2] = 0;
	EXPECT_EQ(-ENOENT, obj_free(self->fd, bad, 3, 0));
	EXPECT_EQ(-EFAULT, obj_free(self->fd, NULL, 1, 0));
	EXPECT_EQ(-EFAULT, obj_free(self->fd, unmapped_page(), 1, 0));
	/* Nothing was freed. */
	ASSERT_EQ(0, stats_handle(self->fd, c, &st));
	EXPECT_EQ(4, st.active_objs);
	for (int i = 0; i < 4; i++)
		EXPECT_EQ(0, obj_io(self->fd, XALLOC_IOC_OBJ_READ, h[i], 0, 8, buf));
	ASSERT_EQ(0, obj_free(self->fd, h, 4, 0));
	/* Freed: a second free finds nothing, and frees nothing else. */
	ASSERT_EQ(0, obj_alloc(self->fd, c, 0, -1, 0, 1, &bad[0]));
	bad[1] = h[2];
	EXPECT_EQ(-ENOENT, obj_free(self->fd, bad, 2, 0));
	EXPECT_EQ(-ENOENT, free1(self->fd, h[2]));
	ASSERT_EQ(0, stats_handle(self->fd, c, &st));
	EXPECT_EQ(1, st.active_objs);
	EXPECT_EQ(0, free1(self->fd, bad[0]));
	EXPECT_EQ(0, cache_destroy(self->fd, c));
}

/*
 * Objects never alias: alloc (plain, bulk, zeroed) and free (plain, bulk)
 * in random runs, every live object tagged with its handle, all checked
 * after every step. A cache, then kmalloc.
 */
TEST_F_TIMEOUT(xa, objects_never_alias, 120)
{
	enum { LIVE = 400 };
	__u32 live[LIVE], h[64], c = 0, got;
	unsigned int seed = 12345, nr = 0;
	char name[XALLOC_NAME_LEN];

	xt_name(name, "alias");
	ASSERT_EQ(0, cache_create(self->fd, name, 64, 0, 0, &c));
	for (int round = 0; round < 2; round++) {
		__u32 cache = round ? 0 : c, size = round ? 64 : 0;

		for (int step = 0; step < 60; step++) {
			__u32 n = 1 + rand_r(&seed) % 32, flags = 0, i;

			if (rand_r(&seed) % 2 && nr >= n) {
				/* Free n random live objects. */
				for (i = 0; i < n; i++) {
					__u32 k = rand_r(&seed) % (nr - i);

					h[i] = live[k];
					live[k] = live[nr - i - 1];
					live[nr - i - 1] = h[i];
				}
				nr -= n;
				flags = rand_r(&seed) % 2 ? XALLOC_OBJ_BULK : 0;
				ASSERT_EQ(0, obj_free(self->fd, h, n, flags))
					TH_LOG("step %d", step);
			} else if (nr + n <= LIVE) {
				flags = rand_r(&seed) % 2 ? XALLOC_OBJ_ZERO : 0;
				if (rand_r(&seed) % 2)
					flags |= XALLOC_OBJ_BULK;
				ASSERT_EQ(0, obj_alloc(self->fd, cache, size, -1, flags, n, h))
					TH_LOG("step %d", step);
				for (i = 0; i < n; i++) {
					ASSERT_EQ(0, obj_io(self->fd, XALLOC_IOC_OBJ_WRITE, h[i], 0,
							    4, &h[i]));
					live[nr++] = h[i];
				}
			}
			for (i = 0; i < nr; i++) {
				got = 0;
				ASSERT_EQ(0, obj_io(self->fd, XALLOC_IOC_OBJ_READ, live[i], 0,
						    4, &got));
				ASSERT_EQ(live[i], got)
					TH_LOG("round %d step %d flags %#x: handle %u reads %u",
					       round, step, flags, live[i], got);
			}
		}
		if (nr)
			ASSERT_EQ(0, obj_free(self->fd, live, nr, 0));
		nr = 0;
	}
	EXPECT_EQ(0, cache_destroy(self->fd, c));
}

TEST_F(xa, destroy_with_live_objects_ebusy)
{
	struct xalloc_cache_destroy d = { 0 };
	char name[XALLOC_NAME_LEN];
	__u32 c, h;

	xt_name(name, "busy");
	ASSERT_EQ(0, cache_create(self->fd, name, 64, 0, 0, &c));
	ASSERT_EQ(0, obj_alloc(self->fd, c, 0, -1, 0, 1, &h));
	EXPECT_EQ(-EBUSY, cache_destroy(self->fd, c));
	d.handle = c;
	d.pad = 1;
	EXPECT_EQ(-EINVAL, xioc(self->fd, XALLOC_IOC_CACHE_DESTROY, &d));
	EXPECT_EQ(0, obj_io(self->fd, XALLOC_IOC_OBJ_WRITE, h, 0, 4, "live"));
	ASSERT_EQ(0, free1(self->fd, h));
	EXPECT_EQ(0, cache_destroy(self->fd, c));
}

TEST_F(xa, stats_count_exactly)
{
	struct xalloc_cache_stats st, before;
	char name[XALLOC_NAME_LEN];
	__u32 c, h[10];
	__u64 d;

	/* On one CPU, 10 objects of a new cache come from its first slab. */
	ASSERT_EQ(0, pin_to_this_cpu()) TH_LOG("sched_setaffinity: %s", strerror(errno));
	xt_name(name, "s");
	ASSERT_EQ(0, cache_create(self->fd, name, 200, 0, 0, &c));
	ASSERT_EQ(0, stats_handle(self->fd, c, &before));
	ASSERT_LE(10, before.objs_per_slab);
	EXPECT_EQ(0, before.active_objs);
	EXPECT_EQ(0, before.num_objs);
	EXPECT_EQ(0, before.num_slabs);
	for (int i = 0; i < XT_NR_STATS; i++)
		XT_EXPECT_EQ(0, before.stat[i], "counter %d", i);
	ASSERT_EQ(0, obj_alloc(self->fd, c, 0, -1, 0, 10, h));
	ASSERT_EQ(0, stats_name(self->fd, name, &st));
	EXPECT_EQ(10, st.active_objs);
	EXPECT_EQ(1, st.num_slabs);
	EXPECT_EQ(st.objs_per_slab, st.num_objs);
	d = st.stat[ALLOC_FASTPATH] + st.stat[ALLOC_SLOWPATH];
	EXPECT_EQ(10, d);
	ASSERT_EQ(0, obj_free(self->fd, h, 10, 0));
	ASSERT_EQ(0, stats_handle(self->fd, c, &st));
	EXPECT_EQ(0, st.active_objs);
	d = st.stat[FREE_FASTPATH] + st.stat[FREE_SLOWPATH];
	EXPECT_EQ(10, d);
	EXPECT_EQ(0, cache_destroy(self->fd, c));
}

TEST_F(xa, kmalloc_stats_count_exactly)
{
	struct xalloc_cache_stats st;
	__u64 before[NR_KMALLOC], after[NR_KMALLOC];
	__u32 h[30];

	kmalloc_active(self->fd, before);
	for (size_t i = 0; i < NR_KMALLOC; i++)
		XT_ASSERT_NE(~0ULL, before[i], "%s", kmalloc_names[i]);
	/* 10 from kmalloc-64, 10 from kmalloc-96 (65..96), 10 from kmalloc-8k. */
	ASSERT_EQ(0, obj_alloc(self->fd, 0, 64, -1, 0, 10, h));
	ASSERT_EQ(0, obj_alloc(self->fd, 0, 65, -1, 0, 10, h + 10));
	ASSERT_EQ(0, obj_alloc(self->fd, 0, 8000, -1, 0, 10, h + 20));
	kmalloc_active(self->fd, after);
	for (size_t i = 0; i < NR_KMALLOC; i++) {
		__u64 want = before[i];

		if (!strcmp(kmalloc_names[i], "kmalloc-64") ||
		    !strcmp(kmalloc_names[i], "kmalloc-96") ||
		    !strcmp(kmalloc_names[i], "kmalloc-8k"))
			want += 10;
		EXPECT_EQ(want, after[i]) TH_LOG("%s", kmalloc_names[i]);
	}
	ASSERT_EQ(0, obj_free(self->fd, h, 30, 0));
	kmalloc_active(self->fd, after);
	for (size_t i = 0; i < NR_KMALLOC; i++)
		XT_EXPECT_EQ(before[i], after[i], "%s", kmalloc_names[i]);
	ASSERT_EQ(0, stats_name(self->fd, "kmalloc-64", &st));
	EXPECT_STREQ("kmalloc-64", st.name);
	EXPECT_EQ(64, st.object_size);
}

TEST_F(xa, stats_bad_lookups)
{
	struct xalloc_cache_stats st;
	char name[XALLOC_NAME_LEN];

	xt_name(name, "none");
	EXPECT_EQ(-ENOENT, stats_name(self->fd, name, &st));
	EXPECT_EQ(-EINVAL, stats_name(self->fd, "", &st));
	EXPECT_EQ(-EINVAL, stats_name(self->fd, "bad name", &st));
	EXPECT_EQ(-EINVAL, stats_name(self->fd, "kmalloc/64", &st));
	memset(&st, 0, sizeof(st));
	memset(st.name, 'k', sizeof(st.name));
	EXPECT_EQ(-EINVAL, xioc(self->fd, XALLOC_IOC_CACHE_STATS, &st));
	EXPECT_EQ(-ENOENT, stats_handle(self->fd, 12345, &st));
	EXPECT_EQ(-ENOENT, stats_handle(self->fd, ~0U, &st));
	ASSERT_EQ(0, stats_name(self->fd, "kmalloc-8", &st));
	st.cache = 0;
	st.pad = 1;
	EXPECT_EQ(-EINVAL, xioc(self->fd, XALLOC_IOC_CACHE_STATS, &st));
}

TEST_F(xa, bulk_alloc_free)
{
	struct xalloc_cache_stats st;
	char name[XALLOC_NAME_LEN], buf[48];
	__u32 c, *h = calloc(XALLOC_MAX_BATCH, sizeof(*h));

	ASSERT_NE(NULL, h);
	xt_name(name, "bulk");
	ASSERT_EQ(0, cache_create(self->fd, name, 48, 0, 0, &c));
	ASSERT_EQ(0, obj_alloc(self->fd, c, 0, -1, XALLOC_OBJ_BULK | XALLOC_OBJ_ZERO,
			       XALLOC_MAX_BATCH, h));
	ASSERT_EQ(0, stats_handle(self->fd, c, &st));
	EXPECT_EQ(XALLOC_MAX_BATCH, st.active_objs);
	for (int i = 0; i < XALLOC_MAX_BATCH; i += 97) {
		memset(buf, 1, sizeof(buf));
		ASSERT_EQ(0, obj_io(self->fd, XALLOC_IOC_OBJ_READ, h[i], 0, sizeof(buf), buf));
		EXPECT_TRUE(has_pattern((unsigned char *)buf, sizeof(buf), 0));
		for (int j = 0; j < i; j += 97)
			EXPECT_NE(h[j], h[i]);
	}
	ASSERT_EQ(0, obj_free(self->fd, h, XALLOC_MAX_BATCH, XALLOC_OBJ_BULK));
	ASSERT_EQ(0, stats_handle(self->fd, c, &st));
	EXPECT_EQ(0, st.active_objs);
	/* Bulk kmalloc, and a bulk free of mixed kinds. */
	ASSERT_EQ(0, obj_alloc(self->fd, 0, 24, -1, XALLOC_OBJ_BULK, 3, h));
	ASSERT_EQ(0, obj_alloc(self->fd, c, 0, -1, 0, 2, h + 3));
	ASSERT_EQ(0, pages_alloc(self->fd, 0, -1, 0, h + 5));
	EXPECT_EQ(0, obj_free(self->fd, h, 6, XALLOC_OBJ_BULK));
	EXPECT_EQ(0, cache_destroy(self->fd, c));
	free(h);
}

TEST_F(xa, pages_every_order)
{
	struct xalloc_zone_stats z;
	char buf[4] = "tail", out[4];
	__u32 h;

	ASSERT_EQ(0, zone_stats(self->fd, self->nodes[0], &z));
	ASSERT_LT(0, z.nr_orders);
	ASSERT_GE(XALLOC_NR_ORDERS_MAX, z.nr_orders);
	for (__u32 o = 0; o < z.nr_orders; o++) {
		__u64 size = XT_PAGE << o;

		ASSERT_EQ(0, pages_alloc(self->fd, o, -1, 0, &h)) TH_LOG("order %u", o);
		ASSERT_EQ(0, obj_io(self->fd, XALLOC_IOC_OBJ_WRITE, h, size - 4, 4, buf));
		ASSERT_EQ(0, obj_io(self->fd, XALLOC_IOC_OBJ_READ, h, size - 4, 4, out));
		EXPECT_EQ(0, memcmp(buf, out, 4));
		EXPECT_EQ(-EINVAL, obj_io(self->fd, XALLOC_IOC_OBJ_READ, h, size, 1, out));
		EXPECT_EQ(0, free1(self->fd, h));
	}
}

TEST_F(xa, pages_bad_values_einval)
{
	struct xalloc_pages_alloc p;
	struct xalloc_zone_stats z;

	ASSERT_EQ(0, zone_stats(self->fd, self->nodes[0], &z));
	EXPECT_EQ(-EINVAL, pages_alloc(self->fd, z.nr_orders, -1, 0, NULL));
	EXPECT_EQ(-EINVAL, pages_alloc(self->fd, 64, -1, 0, NULL));
	EXPECT_EQ(-EINVAL, pages_alloc(self->fd, ~0U, -1, 0, NULL));
	EXPECT_EQ(-EINVAL, pages_alloc(self->fd, 0, XT_MAX_NODES, 0, NULL));
	EXPECT_EQ(-EINVAL, pages_alloc(self->fd, 0, -2, 0, NULL));
	EXPECT_EQ(-EINVAL, pages_alloc(self->fd, 0, -1, XALLOC_OBJ_NODE, NULL));
	EXPECT_EQ(-EINVAL, pages_alloc(self->fd, 0, -1, XALLOC_OBJ_BULK, NULL));
	EXPECT_EQ(-EINVAL, pages_alloc(self->fd, 0, -1, 1U << 31, NULL));
	memset(&p, 0, sizeof(p));
	p.node = -1;
	p.handle = 5;	/* out only: ignored */
	ASSERT_EQ(0, xioc(self->fd, XALLOC_IOC_PAGES_ALLOC, &p));
	EXPECT_EQ(0, free1(self->fd, p.handle));
}

TEST_F(xa, node_placement_zone_deltas)
{
	__u64 before[XT_MAX_NODES], after[XT_MAX_NODES];
	__u32 h[3];

	for (int i = 0; i < self->nr_nodes; i++) {
		int nid = self->nodes[i];

		zone_free(self->fd, before);
		/* An order-2 block and a 10000-byte kmalloc (order 2), both on nid. */
		ASSERT_EQ(0, pages_alloc(self->fd, 2, nid, XALLOC_OBJ_NODE, &h[0]));
		ASSERT_EQ(0, pages_alloc(self->fd, 0, nid, 0, &h[1]));
		ASSERT_EQ(0, obj_alloc(self->fd, 0, 10000, nid, XALLOC_OBJ_NODE, 1, &h[2]));
		zone_free(self->fd, after);
		for (int n = 0; n < XT_MAX_NODES; n++) {
			EXPECT_EQ(before[n] - (n == nid ? 9 : 0), after[n])
				TH_LOG("asked node %d, node %d", nid, n);
		}
		ASSERT_EQ(0, obj_free(self->fd, h, 3, 0));
		zone_free(self->fd, after);
		for (int n = 0; n < XT_MAX_NODES; n++)
			XT_EXPECT_EQ(before[n], after[n], "node %d after free", n);
	}
}

TEST_F(xa, zone_stats_consistent_and_bad_nodes)
{
	struct xalloc_zone_stats z;
	__u64 sum;

	for (int i = 0; i < self->nr_nodes; i++) {
		ASSERT_EQ(0, zone_stats(self->fd, self->nodes[i], &z));
		EXPECT_EQ(self->nodes[i], z.node);
		EXPECT_LT(0, z.chunks);
		EXPECT_LE(z.free_pages + z.pcp_pages, z.present_pages);
		sum = 0;
		for (__u32 o = 0; o < z.nr_orders; o++)
			sum += z.nr_free[o] << o;
		EXPECT_EQ(z.free_pages, sum);
		EXPECT_EQ(z.chunks << (z.nr_orders - 1), z.present_pages);
	}
	EXPECT_EQ(-EINVAL, zone_stats(self->fd, -1, &z));
	EXPECT_EQ(-EINVAL, zone_stats(self->fd, -12345, &z));
	EXPECT_EQ(-EINVAL, zone_stats(self->fd, XT_MAX_NODES, &z));
	EXPECT_EQ(-EINVAL, zone_stats(self->fd, 0x7fffffff, &z));
}

/* 65536 objects take over a minute on the debug guest: on request only. */
TEST_F_TIMEOUT(xa, handle_limit_enospc, 300)
{
	__u32 *h = calloc(XALLOC_MAX_BATCH, sizeof(*h)), c;
	char name[XALLOC_NAME_LEN];
	int n = 0;

	if (!getenv("XALLOC_TEST_SLOW"))
		SKIP(return, "set XALLOC_TEST_SLOW=1 to run (65536 handles)");
	ASSERT_NE(NULL, h);
	while (n < XALLOC_MAX_HANDLES) {
		ASSERT_EQ(0, obj_alloc(self->fd, 0, 8, -1, 0, XALLOC_MAX_BATCH, h))
			TH_LOG("after %d handles", n);
		n += XALLOC_MAX_BATCH;
	}
	EXPECT_EQ(-ENOSPC, obj_alloc(self->fd, 0, 8, -1, 0, 1, h));
	EXPECT_EQ(-ENOSPC, pages_alloc(self->fd, 0, -1, 0, NULL));
	xt_name(name, "full");
	EXPECT_EQ(-ENOSPC, cache_create(self->fd, name, 8, 0, 0, NULL));
	/* One freed, one back; the last batch is all or nothing. */
	ASSERT_EQ(0, obj_free(self->fd, h, 2, 0));
	EXPECT_EQ(-ENOSPC, obj_alloc(self->fd, 0, 8, -1, 0, 3, h));
	EXPECT_EQ(0, obj_alloc(self->fd, 0, 8, -1, 0, 1, h));
	EXPECT_EQ(0, cache_create(self->fd, name, 8, 0, 0, &c));
	EXPECT_EQ(-ENOSPC, obj_alloc(self->fd, 0, 8, -1, 0, 1, h));
	free(h);
}

/*
 * XALLOC_MAX_CACHES per file, XALLOC_MAX_DEV_CACHES over all files: the
 * caches of 16 files of 64 caches each are all there may be.
 */
TEST_F_TIMEOUT(xa, cache_limits_enospc, 240)
{
	const int files = XALLOC_MAX_DEV_CACHES / XALLOC_MAX_CACHES;
	char name[XALLOC_NAME_LEN], tag[16];
	int fds[16], extra;
	__u32 h;

	ASSERT_EQ(16, files);
	fds[0] = self->fd;
	for (int f = 1; f < files; f++) {
		fds[f] = xt_open();
		ASSERT_LE(0, fds[f]);
	}
	for (int f = 0; f < files; f++) {
		for (int i = 0; i < XALLOC_MAX_CACHES; i++) {
			snprintf(tag, sizeof(tag), "l%d.%d", f, i);
			xt_name(name, tag);
			XT_ASSERT_EQ(0, cache_create(fds[f], name, 32, 0, 0, &h),
				     "file %d cache %d", f, i);
		}
		xt_name(name, "over");
		EXPECT_EQ(-ENOSPC, cache_create(fds[f], name, 32, 0, 0, NULL));
	}
	/* All files together are full: a new file gets none either. */
	extra = xt_open();
	ASSERT_LE(0, extra);
	xt_name(name, "extra");
	EXPECT_EQ(-ENOSPC, cache_create(extra, name, 32, 0, 0, NULL));
	/* Closing a file gives its 64 back; a destroyed cache gives one back. */
	close(fds[files - 1]);
	EXPECT_EQ(0, cache_create(extra, name, 32, 0, 0, &h));
	EXPECT_EQ(0, cache_destroy(extra, h));
	EXPECT_EQ(0, cache_create(extra, name, 32, 0, 0, &h));
	close(extra);
	for (int f = 1; f < files - 1; f++)
		close(fds[f]);
}

TEST_F_TIMEOUT(xa, byte_limit_enospc, 120)
{
	const __u32 order = 8;	/* 1 MiB blocks */
	const int nr = XALLOC_MAX_BYTES / (XT_PAGE << order);
	__u32 h[64], x;

	ASSERT_EQ(64, nr);
	for (int i = 0; i < nr; i++)
		XT_ASSERT_EQ(0, pages_alloc(self->fd, order, -1, 0, &h[i]), "block %d", i);
	EXPECT_EQ(-ENOSPC, pages_alloc(self->fd, 0, -1, 0, &x));
	EXPECT_EQ(-ENOSPC, obj_alloc(self->fd, 0, 1, -1, 0, 1, &x));
	ASSERT_EQ(0, free1(self->fd, h[0]));
	EXPECT_EQ(-ENOSPC, obj_alloc(self->fd, 0, (XT_PAGE << order) + 1, -1, 0, 1, &x));
	EXPECT_EQ(0, obj_alloc(self->fd, 0, XT_PAGE << order, -1, 0, 1, &x));
	EXPECT_EQ(-ENOSPC, obj_alloc(self->fd, 0, 1, -1, 0, 1, &x));
}

TEST_F(xa, handles_private_to_their_file)
{
	int up[2], down[2], status, fd2;
	__u32 h, child_h;
	char buf[8];
	pid_t pid;

	ASSERT_EQ(0, obj_alloc(self->fd, 0, 8, -1, 0, 1, &h));
	ASSERT_EQ(0, obj_io(self->fd, XALLOC_IOC_OBJ_WRITE, h, 0, 8, "parent!"));
	/* A second file of the same process. */
	fd2 = xt_open();
	ASSERT_LE(0, fd2);
	EXPECT_EQ(-ENOENT, obj_io(fd2, XALLOC_IOC_OBJ_READ, h, 0, 8, buf));
	close(fd2);
	/* A child with a file of its own: up to the parent, down to the child. */
	ASSERT_EQ(0, pipe(up));
	ASSERT_EQ(0, pipe(down));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		int fd = xt_open(), ok = fd >= 0;
		__u32 mine = 0;

		ok = ok && obj_io(fd, XALLOC_IOC_OBJ_READ, h, 0, 8, buf) == -ENOENT;
		ok = ok && free1(fd, h) == -ENOENT;
		ok = ok && !obj_alloc(fd, 0, 8, -1, 0, 1, &mine);
		ok = ok && !obj_io(fd, XALLOC_IOC_OBJ_WRITE, mine, 0, 8, "child!!");
		if (write(up[1], &mine, sizeof(mine)) != sizeof(mine))
			ok = 0;
		/* Hold the file until the parent has tried. */
		ok = ok && read(down[0], buf, 1) == 1;
		ok = ok && !obj_io(fd, XALLOC_IOC_OBJ_READ, mine, 0, 8, buf) &&
		     !memcmp(buf, "child!!", 8);
		_exit(ok ? 0 : 1);
	}
	ASSERT_EQ(sizeof(child_h), read(up[0], &child_h, sizeof(child_h)));
	/* Handle numbers may coincide; the object behind them may not. */
	if (child_h != h) {
		EXPECT_EQ(-ENOENT, obj_io(self->fd, XALLOC_IOC_OBJ_READ, child_h, 0, 8, buf));
		EXPECT_EQ(-ENOENT, free1(self->fd, child_h));
	}
	ASSERT_EQ(0, obj_io(self->fd, XALLOC_IOC_OBJ_READ, h, 0, 8, buf));
	EXPECT_EQ(0, memcmp(buf, "parent!", 8));
	ASSERT_EQ(1, write(down[1], "x", 1));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	EXPECT_EQ(0, free1(self->fd, h));
}

/* Per-file caches, blocks and large kmalloc: zone pages go back exactly. */
static int fill_file(int fd, const char *name, __u32 *cache)
{
	__u32 h[300];
	int ret;

	ret = cache_create(fd, name, 256, 0, 0, cache);
	ret = ret ?: obj_alloc(fd, *cache, 0, -1, 0, 300, h);
	ret = ret ?: obj_alloc(fd, 0, 20000, -1, 0, 5, h);
	ret = ret ?: pages_alloc(fd, 3, -1, XALLOC_OBJ_ZERO, h);
	ret = ret ?: pages_alloc(fd, 0, -1, 0, h);
	return ret;
}

TEST_F(xa, close_releases_everything)
{
	__u64 kb[NR_KMALLOC], ka[NR_KMALLOC], before, during;
	struct xalloc_cache_stats st;
	char name[XALLOC_NAME_LEN];
	__u32 c, h[100];
	int fd2;

	before = zone_pages(self->fd);
	kmalloc_active(self->fd, kb);
	fd2 = xt_open();
	ASSERT_LE(0, fd2);
	xt_name(name, "close");
	ASSERT_EQ(0, fill_file(fd2, name, &c));
	ASSERT_EQ(0, obj_alloc(fd2, 0, 32, -1, 0, 100, h));
	ASSERT_EQ(0, stats_name(self->fd, name, &st));
	EXPECT_EQ(300, st.active_objs);
	during = zone_pages(self->fd);
	/* 5 blocks of order 3 (20000 bytes), one of order 3, one page, slabs. */
	EXPECT_LT(during, before - 5 * 8 - 8);
	kmalloc_active(self->fd, ka);
	EXPECT_EQ(kb[2] + 100, ka[2]) TH_LOG("kmalloc-32");
	ASSERT_EQ(0, close(fd2));
	EXPECT_EQ(-ENOENT, stats_name(self->fd, name, &st));
	EXPECT_EQ(before, zone_pages(self->fd));
	kmalloc_active(self->fd, ka);
	for (size_t i = 0; i < NR_KMALLOC; i++)
		XT_EXPECT_EQ(kb[i], ka[i], "%s", kmalloc_names[i]);
}

static void xt_no_op(int sig)
{
	(void)sig;
}

/*
 * A signal stops a benchmark run: 10^7 pairs of 4 MiB blocks would take
 * hours, so only EINTR ends this case before the harness's timeout.
 */
TEST_F_TIMEOUT(xa, bench_stops_on_signal, 120)
{
	struct sigaction sa = { .sa_handler = xt_no_op };	/* no SA_RESTART */
	struct xalloc_bench b = {
		.scenario = XALLOC_BENCH_PAGES_PAIR,
		.size = 10,
		.iterations = 10000000,
	};
	pid_t parent = getpid(), pid;
	int status;

	ASSERT_EQ(0, sigaction(SIGUSR1, &sa, NULL));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		usleep(300000);
		kill(parent, SIGUSR1);
		_exit(0);
	}
	EXPECT_EQ(-1, ioctl(self->fd, XALLOC_IOC_BENCH, &b));
	EXPECT_EQ(EINTR, errno);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	/* The file works on. */
	b.size = 0;
	b.iterations = 10;
	EXPECT_EQ(0, ioctl(self->fd, XALLOC_IOC_BENCH, &b));
}

/*
 * XALLOC_FREE_RCU: handles go at once; the objects after a grace period,
 * counted as queued at once; closing the file waits for its kmalloc
 * objects, destroying a cache for its objects.
 */
TEST_F(xa, free_rcu_kmalloc_on_close)
{
	__u64 kb[NR_KMALLOC], ka[NR_KMALLOC], before;
	struct xalloc_cache_stats s0, s1;
	__u32 h[13];
	int fd2;

	before = zone_pages(self->fd);
	kmalloc_active(self->fd, kb);
	ASSERT_EQ(0, stats_name(self->fd, "kmalloc-64", &s0));
	fd2 = xt_open();
	ASSERT_LE(0, fd2);
	ASSERT_EQ(0, obj_alloc(fd2, 0, 64, -1, 0, 10, h));
	ASSERT_EQ(0, obj_alloc(fd2, 0, 20000, -1, 0, 2, h + 10));
	ASSERT_EQ(0, pages_alloc(fd2, 1, -1, 0, h + 12));
	EXPECT_EQ(-EINVAL, obj_free(fd2, h, 13, XALLOC_FREE_RCU << 1));
	ASSERT_EQ(0, obj_free(fd2, h, 13, XALLOC_FREE_RCU));
	EXPECT_EQ(-ENOENT, free1(fd2, h[0]));
	EXPECT_EQ(-ENOENT, free1(fd2, h[12]));
	ASSERT_EQ(0, stats_name(self->fd, "kmalloc-64", &s1));
	EXPECT_EQ(10, s1.stat[FREE_RCU_QUEUED] - s0.stat[FREE_RCU_QUEUED]);
	ASSERT_EQ(0, close(fd2));
	EXPECT_EQ(before, zone_pages(self->fd));
	kmalloc_active(self->fd, ka);
	for (size_t i = 0; i < NR_KMALLOC; i++)
		XT_EXPECT_EQ(kb[i], ka[i], "%s", kmalloc_names[i]);
	ASSERT_EQ(0, stats_name(self->fd, "kmalloc-64", &s1));
	EXPECT_EQ(10, s1.stat[FREE_RCU_FREED] - s0.stat[FREE_RCU_FREED]);
}

TEST_F(xa, free_rcu_typesafe_cache)
{
	struct xalloc_cache_stats st;
	char name[XALLOC_NAME_LEN], buf[16];
	__u32 c, h[20];
	int tries;

	xt_name(name, "rcu");
	ASSERT_EQ(0, cache_create(self->fd, name, 100, 0, XALLOC_CACHE_TYPESAFE_BY_RCU, &c));
	ASSERT_EQ(0, obj_alloc(self->fd, c, 0, -1, 0, 20, h));
	memset(buf, 0x7e, sizeof(buf));
	ASSERT_EQ(0, obj_io(self->fd, XALLOC_IOC_OBJ_WRITE, h[0], 0, sizeof(buf), buf));
	ASSERT_EQ(0, obj_free(self->fd, h, 10, XALLOC_FREE_RCU));
	ASSERT_EQ(0, obj_free(self->fd, h + 10, 10, XALLOC_FREE_RCU | XALLOC_OBJ_BULK));
	ASSERT_EQ(0, stats_handle(self->fd, c, &st));
	EXPECT_EQ(20, st.stat[FREE_RCU_QUEUED]);
	EXPECT_EQ(0, st.stat[FREE_RCU_SYNC]);
	/* A grace period and a block's delay: wait for them, however long. */
	for (tries = 0; tries < 3000 && st.stat[FREE_RCU_FREED] < 20; tries++) {
		usleep(10000);
		ASSERT_EQ(0, stats_handle(self->fd, c, &st));
	}
	EXPECT_EQ(20, st.stat[FREE_RCU_FREED]);
	EXPECT_EQ(0, st.active_objs);
	/* Reused objects are handed out cleared, type-safe or not. */
	ASSERT_EQ(0, obj_alloc(self->fd, c, 0, -1, 0, 20, h));
	for (int i = 0; i < 20; i++) {
		ASSERT_EQ(0, obj_io(self->fd, XALLOC_IOC_OBJ_READ, h[i], 0, sizeof(buf), buf));
		EXPECT_TRUE(has_pattern((unsigned char *)buf, sizeof(buf), 0));
	}
	ASSERT_EQ(0, obj_free(self->fd, h, 20, XALLOC_FREE_RCU));
	/* The destroy waits for them. */
	EXPECT_EQ(0, cache_destroy(self->fd, c));
	EXPECT_EQ(-ENOENT, stats_name(self->fd, name, &st));
}

TEST_F(xa, sigkill_releases_everything)
{
	__u64 kb[NR_KMALLOC], ka[NR_KMALLOC], before;
	struct xalloc_cache_stats st;
	char name[XALLOC_NAME_LEN];
	int pipefd[2], status;
	pid_t pid;
	char c;

	before = zone_pages(self->fd);
	kmalloc_active(self->fd, kb);
	xt_name(name, "kill");
	ASSERT_EQ(0, pipe(pipefd));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		int fd = xt_open();
		__u32 cache, h[64];

		c = fd >= 0 && !fill_file(fd, name, &cache) &&
		    !obj_alloc(fd, 0, 100, -1, 0, 64, h) ? 'y' : 'n';
		if (write(pipefd[1], &c, 1) != 1)
			_exit(1);
		for (;;)
			pause();
	}
	ASSERT_EQ(1, read(pipefd[0], &c, 1));
	EXPECT_EQ('y', c);
	ASSERT_EQ(0, stats_name(self->fd, name, &st));
	EXPECT_EQ(300, st.active_objs);
	EXPECT_GT(before, zone_pages(self->fd));
	kill(pid, SIGKILL);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	EXPECT_EQ(-ENOENT, stats_name(self->fd, name, &st));
	EXPECT_EQ(before, zone_pages(self->fd));
	kmalloc_active(self->fd, ka);
	for (size_t i = 0; i < NR_KMALLOC; i++)
		XT_EXPECT_EQ(kb[i], ka[i], "%s", kmalloc_names[i]);
}

TEST_F(xa, unprivileged_caller_eperm)
{
	int status;
	pid_t pid;
	__u32 h, blk;

	ASSERT_EQ(0, obj_alloc(self->fd, 0, 16, -1, 0, 1, &h));
	ASSERT_EQ(0, pages_alloc(self->fd, 0, -1, 0, &blk));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		struct xalloc_version v;
		struct xalloc_zone_stats z;
		char buf[16];
		int fails = 0;

		/* setuid() from root clears the permitted and effective sets. */
		if (setgroups(0, NULL) || setgid(65534) || setuid(65534))
			_exit(10);
		fails += xioc(self->fd, XALLOC_IOC_VERSION, &v) != -EPERM;
		fails += cache_create(self->fd, "unpriv", 8, 0, 0, NULL) != -EPERM;
		fails += obj_alloc(self->fd, 0, 8, -1, 0, 1, &h) != -EPERM;
		fails += obj_io(self->fd, XALLOC_IOC_OBJ_READ, h, 0, 16, buf) != -EPERM;
		fails += free1(self->fd, h) != -EPERM;
		fails += zone_stats(self->fd, 0, &z) != -EPERM;
		fails += map_err(self->fd, XALLOC_MMAP_OFFSET(blk, XT_PAGE), XT_PAGE,
				 PROT_READ, MAP_SHARED) != -EPERM;
		/* The device node itself is root's only. */
		fails += xt_open() >= 0 || errno != EACCES;
		_exit(fails);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status)) TH_LOG("calls not refused with EPERM");
	/* The object survived the attempts. */
	EXPECT_EQ(0, free1(self->fd, h));
	EXPECT_EQ(0, free1(self->fd, blk));
}

/* Mapped pages are the block's: the ioctls and a second mapping see them. */
TEST_F(xa, mmap_write_read_pattern)
{
	const size_t len = 4 * XT_PAGE;
	unsigned char *p, *q, buf[4 * XT_PAGE];
	__u64 before;
	__u32 h;

	before = zone_pages(self->fd);
	ASSERT_EQ(0, pages_alloc(self->fd, 2, -1, 0, &h));
	EXPECT_EQ(before - 4, zone_pages(self->fd));
	p = map_block(self->fd, h, len, PROT_READ | PROT_WRITE, MAP_SHARED);
	ASSERT_NE(MAP_FAILED, p) TH_LOG("mmap: %s", strerror(errno));
	EXPECT_TRUE(has_pattern(p, len, 0)) TH_LOG("a new block reads zero");
	fill_pattern(p, len, 1);
	ASSERT_EQ(0, obj_io(self->fd, XALLOC_IOC_OBJ_READ, h, 0, len, buf));
	EXPECT_EQ(-1, check_pattern(buf, len, 1));
	/* The other way: OBJ_WRITE, read through the mapping and a second one. */
	fill_pattern(buf, len, 2);
	ASSERT_EQ(0, obj_io(self->fd, XALLOC_IOC_OBJ_WRITE, h, 0, len, buf));
	EXPECT_EQ(-1, check_pattern(p, len, 2));
	q = map_block(self->fd, h, XT_PAGE, PROT_READ, MAP_SHARED);
	ASSERT_NE(MAP_FAILED, q);
	EXPECT_NE(p, q);
	EXPECT_EQ(-1, check_pattern(q, XT_PAGE, 2));
	p[5] = 0xa5;
	EXPECT_EQ(0xa5, q[5]);
	/* Mappings take no pages of their own from the zone. */
	EXPECT_EQ(before - 4, zone_pages(self->fd));
	EXPECT_EQ(0, munmap(q, XT_PAGE));
	EXPECT_EQ(0, munmap(p, len));
	EXPECT_EQ(before - 4, zone_pages(self->fd));
	EXPECT_EQ(0, free1(self->fd, h));
	EXPECT_EQ(before, zone_pages(self->fd));
}

/* Each bad mmap() with its errno; none of them takes or leaks a page. */
TEST_F(xa, mmap_bad_inputs)
{
	const int rw = PROT_READ | PROT_WRITE;
	__u32 blk, obj, cache, ro_blk;
	char name[XALLOC_NAME_LEN];
	__u64 before, during;
	int fd2, ro;
	void *p;

	before = zone_pages(self->fd);
	ASSERT_EQ(0, pages_alloc(self->fd, 1, -1, 0, &blk));
	ASSERT_EQ(0, obj_alloc(self->fd, 0, 4096, -1, 0, 1, &obj));
	xt_name(name, "mmap");
	ASSERT_EQ(0, cache_create(self->fd, name, 64, 0, 0, &cache));
	during = zone_pages(self->fd);
	/* Unknown handles: 0, one never given out, beyond XALLOC_MAX_HANDLES. */
	EXPECT_EQ(-ENOENT, map_err(self->fd, 0, XT_PAGE, rw, MAP_SHARED));
	EXPECT_EQ(-ENOENT, map_err(self->fd, XALLOC_MMAP_OFFSET(XALLOC_MAX_HANDLES, XT_PAGE),
				   XT_PAGE, rw, MAP_SHARED));
	EXPECT_EQ(-ENOENT, map_err(self->fd, XALLOC_MMAP_OFFSET(XALLOC_MAX_HANDLES + 1, XT_PAGE),
				   XT_PAGE, rw, MAP_SHARED));
	EXPECT_EQ(-ENOENT, map_err(self->fd, XALLOC_MMAP_OFFSET(1ULL << 32 | blk, XT_PAGE),
				   XT_PAGE, rw, MAP_SHARED));
	/* Handles of an object and of a cache. */
	EXPECT_EQ(-ENODEV, map_err(self->fd, XALLOC_MMAP_OFFSET(obj, XT_PAGE), XT_PAGE, rw,
				   MAP_SHARED));
	EXPECT_EQ(-ENODEV, map_err(self->fd, XALLOC_MMAP_OFFSET(cache, XT_PAGE), XT_PAGE, rw,
				   MAP_SHARED));
	/* Longer than the block (2 pages); the block itself and less are fine. */
	EXPECT_EQ(-EINVAL, map_err(self->fd, XALLOC_MMAP_OFFSET(blk, XT_PAGE), 3 * XT_PAGE,
				   rw, MAP_SHARED));
	EXPECT_EQ(-EINVAL, map_err(self->fd, XALLOC_MMAP_OFFSET(blk, XT_PAGE), 64 * XT_PAGE,
				   rw, MAP_SHARED));
	EXPECT_EQ(0, map_err(self->fd, XALLOC_MMAP_OFFSET(blk, XT_PAGE), 2 * XT_PAGE, rw,
			     MAP_SHARED));
	EXPECT_EQ(0, map_err(self->fd, XALLOC_MMAP_OFFSET(blk, XT_PAGE), XT_PAGE + 1, rw,
			     MAP_SHARED));
	/* An offset that is no multiple of the page size (the kernel's check). */
	EXPECT_EQ(-EINVAL, map_err(self->fd, XALLOC_MMAP_OFFSET(blk, XT_PAGE) + 1, XT_PAGE,
				   rw, MAP_SHARED));
	EXPECT_EQ(-EINVAL, map_err(self->fd, XALLOC_MMAP_OFFSET(blk, XT_PAGE) + XT_PAGE / 2,
				   XT_PAGE, rw, MAP_SHARED));
	/* Private mappings are refused, read-only or not. */
	EXPECT_EQ(-EINVAL, map_err(self->fd, XALLOC_MMAP_OFFSET(blk, XT_PAGE), XT_PAGE, rw,
				   MAP_PRIVATE));
	EXPECT_EQ(-EINVAL, map_err(self->fd, XALLOC_MMAP_OFFSET(blk, XT_PAGE), XT_PAGE,
				   PROT_READ, MAP_PRIVATE));
	/* A block of another file is unknown here. */
	fd2 = xt_open();
	ASSERT_LE(0, fd2);
	EXPECT_EQ(-ENOENT, map_err(fd2, XALLOC_MMAP_OFFSET(blk, XT_PAGE), XT_PAGE, rw,
				   MAP_SHARED));
	close(fd2);
	/* A mapping cannot grow (VM_DONTEXPAND): mremap() says EFAULT. */
	p = map_block(self->fd, blk, XT_PAGE, rw, MAP_SHARED);
	ASSERT_NE(MAP_FAILED, p);
	EXPECT_EQ(MAP_FAILED, mremap(p, XT_PAGE, 2 * XT_PAGE, MREMAP_MAYMOVE));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(0, munmap(p, XT_PAGE));
	/* A file opened read-only maps for reading only (EACCES, the kernel's). */
	ro = open(XT_DEV, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, ro);
	ASSERT_EQ(0, pages_alloc(ro, 0, -1, 0, &ro_blk));
	EXPECT_EQ(-EACCES, map_err(ro, XALLOC_MMAP_OFFSET(ro_blk, XT_PAGE), XT_PAGE, rw,
				   MAP_SHARED));
	p = map_block(ro, ro_blk, XT_PAGE, PROT_READ, MAP_SHARED);
	ASSERT_NE(MAP_FAILED, p);
	EXPECT_TRUE(has_pattern(p, XT_PAGE, 0));
	EXPECT_EQ(-1, mprotect(p, XT_PAGE, rw));
	EXPECT_EQ(EACCES, errno);
	EXPECT_EQ(0, munmap(p, XT_PAGE));
	close(ro);
	EXPECT_EQ(during, zone_pages(self->fd)) TH_LOG("a bad mmap() kept pages");
	EXPECT_EQ(0, free1(self->fd, blk));
	EXPECT_EQ(0, free1(self->fd, obj));
	EXPECT_EQ(0, cache_destroy(self->fd, cache));
	EXPECT_EQ(before, zone_pages(self->fd));
}

/* A freed block stays mapped and usable; munmap() gives it back. */
TEST_F(xa, mmap_free_handle_while_mapped)
{
	const size_t len = 8 * XT_PAGE;
	unsigned char *p, buf[8];
	__u64 before;
	__u32 h;

	before = zone_pages(self->fd);
	ASSERT_EQ(0, pages_alloc(self->fd, 3, -1, 0, &h));
	p = map_block(self->fd, h, len, PROT_READ | PROT_WRITE, MAP_SHARED);
	ASSERT_NE(MAP_FAILED, p);
	fill_pattern(p, len, 3);
	ASSERT_EQ(0, free1(self->fd, h));
	/* The handle is gone, the pages are not. */
	EXPECT_EQ(-ENOENT, obj_io(self->fd, XALLOC_IOC_OBJ_READ, h, 0, 8, buf));
	EXPECT_EQ(-ENOENT, free1(self->fd, h));
	EXPECT_EQ(-ENOENT, map_err(self->fd, XALLOC_MMAP_OFFSET(h, XT_PAGE), XT_PAGE,
				   PROT_READ, MAP_SHARED));
	EXPECT_EQ(before - 8, zone_pages(self->fd));
	EXPECT_EQ(-1, check_pattern(p, len, 3));
	fill_pattern(p, len, 4);
	EXPECT_EQ(-1, check_pattern(p, len, 4));
	/* Another block now must not be these pages. */
	{
		unsigned char *q;
		__u32 h2;

		ASSERT_EQ(0, pages_alloc(self->fd, 3, -1, 0, &h2));
		q = map_block(self->fd, h2, len, PROT_READ | PROT_WRITE, MAP_SHARED);
		ASSERT_NE(MAP_FAILED, q);
		EXPECT_TRUE(has_pattern(q, len, 0));
		memset(q, 0x5a, len);
		EXPECT_EQ(-1, check_pattern(p, len, 4));
		EXPECT_EQ(before - 16, zone_pages(self->fd));
		EXPECT_EQ(0, munmap(q, len));
		EXPECT_EQ(0, free1(self->fd, h2));
	}
	EXPECT_EQ(before - 8, zone_pages(self->fd));
	EXPECT_EQ(0, munmap(p, len));
	EXPECT_EQ(before, zone_pages(self->fd));
}

/* Split by munmap(), moved by mremap(): each piece holds the block. */
TEST_F(xa, mmap_split_and_moved_pieces_hold_the_block)
{
	const size_t len = 8 * XT_PAGE;
	unsigned char *p, *moved, *dst;
	__u64 before;
	size_t i;
	__u32 h;

	before = zone_pages(self->fd);
	ASSERT_EQ(0, pages_alloc(self->fd, 3, -1, 0, &h));
	p = map_block(self->fd, h, len, PROT_READ | PROT_WRITE, MAP_SHARED);
	ASSERT_NE(MAP_FAILED, p);
	fill_pattern(p, len, 5);
	/* Three pieces: [0, 2) [3, 5) [6, 8), then the middle one moved. */
	ASSERT_EQ(0, munmap(p + 2 * XT_PAGE, XT_PAGE));
	ASSERT_EQ(0, munmap(p + 5 * XT_PAGE, XT_PAGE));
	dst = mmap(NULL, 2 * XT_PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, dst);
	moved = mremap(p + 3 * XT_PAGE, 2 * XT_PAGE, 2 * XT_PAGE,
		       MREMAP_MAYMOVE | MREMAP_FIXED, dst);
	ASSERT_EQ(dst, moved) TH_LOG("mremap: %s", strerror(errno));
	ASSERT_EQ(0, free1(self->fd, h));
	EXPECT_EQ(before - 8, zone_pages(self->fd));
	EXPECT_EQ(-1, check_pattern(p, 2 * XT_PAGE, 5));
	for (i = 0; i < 2 * XT_PAGE; i++)
		if (moved[i] != (unsigned char)((i + 3 * XT_PAGE) * 7 + (i / XT_PAGE + 3) * 13 + 5))
			break;
	EXPECT_EQ(2 * XT_PAGE, i) TH_LOG("moved piece differs at byte %zu", i);
	EXPECT_EQ(0, munmap(p, 2 * XT_PAGE));
	EXPECT_EQ(before - 8, zone_pages(self->fd));
	EXPECT_EQ(0, munmap(moved, 2 * XT_PAGE));
	EXPECT_EQ(before - 8, zone_pages(self->fd));
	EXPECT_EQ(0, munmap(p + 6 * XT_PAGE, 2 * XT_PAGE));
	EXPECT_EQ(before, zone_pages(self->fd));
}

/* Closing the file does not end its mappings; the last munmap() does. */
TEST_F(xa, mmap_close_fd_while_mapped)
{
	const size_t len = 4 * XT_PAGE;
	unsigned char *p, *q;
	__u64 before;
	__u32 h[2];
	int fd2;

	before = zone_pages(self->fd);
	fd2 = xt_open();
	ASSERT_LE(0, fd2);
	ASSERT_EQ(0, pages_alloc(fd2, 2, -1, 0, &h[0]));
	ASSERT_EQ(0, pages_alloc(fd2, 0, -1, 0, &h[1]));
	p = map_block(fd2, h[0], len, PROT_READ | PROT_WRITE, MAP_SHARED);
	ASSERT_NE(MAP_FAILED, p);
	q = map_block(fd2, h[1], XT_PAGE, PROT_READ | PROT_WRITE, MAP_SHARED);
	ASSERT_NE(MAP_FAILED, q);
	fill_pattern(p, len, 6);
	fill_pattern(q, XT_PAGE, 7);
	ASSERT_EQ(0, close(fd2));
	EXPECT_EQ(before - 5, zone_pages(self->fd));
	EXPECT_EQ(-1, check_pattern(p, len, 6));
	EXPECT_EQ(-1, check_pattern(q, XT_PAGE, 7));
	/* The other mapping holds the file, whose handle holds this block. */
	EXPECT_EQ(0, munmap(p, len));
	EXPECT_EQ(before - 5, zone_pages(self->fd));
	EXPECT_EQ(-1, check_pattern(q, XT_PAGE, 7));
	/* The last mapping: the file is released, both blocks are freed. */
	EXPECT_EQ(0, munmap(q, XT_PAGE));
	EXPECT_EQ(before, zone_pages(self->fd));
}

/*
 * fork() copies a shared mapping, as for any MAP_SHARED file mapping: the
 * child sees and writes the same pages, and the block lives until the last
 * process unmaps it. MADV_DONTFORK keeps one out of the child, checked
 * where the kernel has madvise() (the check guests' kernels have no
 * CONFIG_ADVISE_SYSCALLS: ENOSYS, logged).
 */
TEST_F(xa, mmap_shared_with_forked_child)
{
	const size_t len = 2 * XT_PAGE;
	int up[2], down[2], status, dontfork;
	unsigned char *p, *nofork;
	__u64 before;
	__u32 h, h2;
	pid_t pid;
	char c;

	before = zone_pages(self->fd);
	ASSERT_EQ(0, pages_alloc(self->fd, 1, -1, 0, &h));
	ASSERT_EQ(0, pages_alloc(self->fd, 0, -1, 0, &h2));
	p = map_block(self->fd, h, len, PROT_READ | PROT_WRITE, MAP_SHARED);
	ASSERT_NE(MAP_FAILED, p);
	nofork = map_block(self->fd, h2, XT_PAGE, PROT_READ | PROT_WRITE, MAP_SHARED);
	ASSERT_NE(MAP_FAILED, nofork);
	dontfork = madvise(nofork, XT_PAGE, MADV_DONTFORK) ? -errno : 0;
	TH_LOG("madvise(MADV_DONTFORK): %d", dontfork);
	fill_pattern(p, len, 8);
	ASSERT_EQ(0, pipe(up));
	ASSERT_EQ(0, pipe(down));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		int ok = check_pattern(p, len, 8) == -1;
		unsigned char vec;

		/* Not in the child: mincore() of an unmapped range is ENOMEM. */
		ok = ok && (dontfork || (mincore(nofork, XT_PAGE, &vec) == -1 &&
					 errno == ENOMEM));
		fill_pattern(p, len, 9);
		c = ok ? 'y' : 'n';
		if (write(up[1], &c, 1) != 1)
			_exit(1);
		/* The parent has freed the block and unmapped it: still ours. */
		if (read(down[0], &c, 1) != 1)
			_exit(1);
		ok = ok && check_pattern(p, len, 10) == -1;
		fill_pattern(p, len, 11);
		ok = ok && check_pattern(p, len, 11) == -1;
		_exit(ok ? 0 : 1);
	}
	ASSERT_EQ(1, read(up[0], &c, 1));
	EXPECT_EQ('y', c);
	EXPECT_EQ(-1, check_pattern(p, len, 9)) TH_LOG("the child's writes");
	EXPECT_EQ(before - 3, zone_pages(self->fd));
	fill_pattern(p, len, 10);
	ASSERT_EQ(0, free1(self->fd, h));
	ASSERT_EQ(0, munmap(p, len));
	/* Only the child maps the block now. */
	EXPECT_EQ(before - 3, zone_pages(self->fd));
	ASSERT_EQ(1, write(down[1], "x", 1));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	EXPECT_EQ(before - 1, zone_pages(self->fd));
	EXPECT_EQ(0, munmap(nofork, XT_PAGE));
	EXPECT_EQ(0, free1(self->fd, h2));
	EXPECT_EQ(before, zone_pages(self->fd));
	close(up[0]);
	close(up[1]);
	close(down[0]);
	close(down[1]);
}

/* A killed process's mappings, freed handles and file all come back. */
TEST_F(xa, mmap_sigkill_releases)
{
	int pipefd[2], status;
	__u64 before;
	pid_t pid;
	char c;

	before = zone_pages(self->fd);
	ASSERT_EQ(0, pipe(pipefd));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		int fd = xt_open(), ok = fd >= 0;
		unsigned char *p = MAP_FAILED, *q = MAP_FAILED;
		__u32 h[2];

		/* Order 4 mapped and freed; order 2 mapped and still held. */
		ok = ok && !pages_alloc(fd, 4, -1, 0, &h[0]) &&
		     !pages_alloc(fd, 2, -1, 0, &h[1]);
		if (ok) {
			p = map_block(fd, h[0], 16 * XT_PAGE, PROT_READ | PROT_WRITE,
				      MAP_SHARED);
			q = map_block(fd, h[1], 4 * XT_PAGE, PROT_READ | PROT_WRITE,
				      MAP_SHARED);
		}
		ok = ok && p != MAP_FAILED && q != MAP_FAILED && !free1(fd, h[0]);
		if (ok) {
			fill_pattern(p, 16 * XT_PAGE, 12);
			fill_pattern(q, 4 * XT_PAGE, 13);
		}
		c = ok ? 'y' : 'n';
		if (write(pipefd[1], &c, 1) != 1)
			_exit(1);
		for (;;)
			pause();
	}
	ASSERT_EQ(1, read(pipefd[0], &c, 1));
	EXPECT_EQ('y', c);
	EXPECT_EQ(before - 20, zone_pages(self->fd));
	kill(pid, SIGKILL);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	EXPECT_EQ(before, zone_pages(self->fd));
	close(pipefd[0]);
	close(pipefd[1]);
}

TEST_HARNESS_MAIN
