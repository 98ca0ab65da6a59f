/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * xalloc ioctl ABI of /dev/xalloc.
 *
 * Every command needs CAP_SYS_ADMIN. Objects, page blocks and caches are
 * named by handles that belong to the open file: a process never sees a
 * kernel address and never reaches another file's handles. Closing the file
 * frees everything it still holds and destroys its caches.
 *
 * Structures are made of __u32/__u64 only; every field named pad or
 * reserved must be zero and every flags word may only hold the flags defined
 * here, else -EINVAL. User pointers travel as __u64.
 *
 * Errors common to all commands:
 *   -EPERM   the caller lacks CAP_SYS_ADMIN
 *   -ENOTTY  unknown command
 *   -EFAULT  the argument or a buffer it points to is not accessible
 *   -EINVAL  non-zero padding, unknown flags, or a bad value (listed below)
 * Per command, the further errors are listed with it.
 */
#ifndef _UAPI_LINUX_XALLOC_H
#define _UAPI_LINUX_XALLOC_H

#include <linux/const.h>
#include <linux/ioctl.h>
#include <linux/types.h>

#define XALLOC_IOC_MAGIC	0xB9
#define XALLOC_ABI_VERSION	1

/* Limits of one open file; -ENOSPC once reached. */
#define XALLOC_MAX_HANDLES	65536		/* live objects, blocks, caches */
#define XALLOC_MAX_BYTES	(64ULL << 20)	/* bytes of live objects, blocks */
#define XALLOC_MAX_BATCH	1024		/* objects per alloc or free call */
#define XALLOC_MAX_CACHES	64		/* caches of one file */
/* Caches of all open files together; also -ENOSPC once reached. */
#define XALLOC_MAX_DEV_CACHES	1024
#define XALLOC_NAME_LEN		32		/* cache name, with its NUL */

/* XALLOC_IOC_VERSION: ABI version and features. No further errors. */
#define XALLOC_FEAT_CACHES	_BITULL(0)
#define XALLOC_FEAT_KMALLOC	_BITULL(1)
#define XALLOC_FEAT_PAGES	_BITULL(2)
#define XALLOC_FEAT_BULK	_BITULL(3)
#define XALLOC_FEAT_STATS	_BITULL(4)
#define XALLOC_FEAT_BENCH	_BITULL(5)
#define XALLOC_FEAT_RCU		_BITULL(6)	/* XALLOC_FREE_RCU, type-safe caches */
#define XALLOC_FEAT_MMAP	_BITULL(7)	/* mmap() of page blocks */

struct xalloc_version {
	__u32 abi_version;		/* out: XALLOC_ABI_VERSION */
	__u32 pad;
	__u64 features;			/* out: XALLOC_FEAT_* */
};

/*
 * XALLOC_IOC_CACHE_CREATE: create a cache, owned by the file.
 *   -EINVAL  name empty, not NUL-terminated within XALLOC_NAME_LEN, with
 *            characters other than [A-Za-z0-9._-], or bytes after its NUL
 *            not zero; size 0 or above XALLOC_MAX_OBJECT_SIZE; align not 0
 *            or a power of two up to 4096; unknown flags
 *   -EEXIST  a cache of that name exists
 *   -ENOSPC  the file's handle or cache limit, or XALLOC_MAX_DEV_CACHES, is
 *            reached
 *   -ENOMEM  no memory
 */
#define XALLOC_CACHE_HWCACHE_ALIGN	_BITUL(0)
#define XALLOC_CACHE_TYPESAFE_BY_RCU	_BITUL(1)	/* slabs go after a grace period */
#define XALLOC_MAX_OBJECT_SIZE		_BITUL(20)

struct xalloc_cache_create {
	char name[XALLOC_NAME_LEN];	/* in */
	__u32 size;			/* in: object size */
	__u32 align;			/* in: 0 or power of two */
	__u32 flags;			/* in: XALLOC_CACHE_* */
	__u32 handle;			/* out: cache handle */
};

/*
 * XALLOC_IOC_CACHE_DESTROY: destroy a cache of the file.
 *   -ENOENT  no such cache handle in this file
 *   -EBUSY   the file still holds objects of the cache
 */
struct xalloc_cache_destroy {
	__u32 handle;			/* in: cache handle */
	__u32 pad;
};

/*
 * XALLOC_IOC_OBJ_ALLOC: allocate @count objects from a cache of the file
 * (@cache != 0) or from kmalloc (@cache == 0, @size bytes), and write their
 * handles to the __u32 array at @handles. All or nothing.
 *   -EINVAL  @count 0 or above XALLOC_MAX_BATCH; @size 0, above 4 MiB, or
 *            given with a cache; @node not -1 nor a node with memory;
 *            XALLOC_OBJ_NODE without a node; XALLOC_OBJ_BULK with a node
 *   -ENOENT  no such cache handle in this file
 *   -ENOSPC  the file's handle or byte limit would be exceeded
 *   -ENOMEM  the zone has no memory left
 */
#define XALLOC_OBJ_ZERO		_BITUL(0)	/* clear the objects (always done) */
#define XALLOC_OBJ_NODE		_BITUL(1)	/* only from @node (THISNODE) */
#define XALLOC_OBJ_BULK		_BITUL(2)	/* xalloc_cache_alloc_bulk() */
#define XALLOC_MAX_KMALLOC	(4U << 20)

struct xalloc_obj_alloc {
	__u32 cache;			/* in: cache handle, or 0 for kmalloc */
	__u32 flags;			/* in: XALLOC_OBJ_* */
	__u32 size;			/* in: kmalloc size; 0 with a cache */
	__s32 node;			/* in: preferred node, or -1 */
	__u32 count;			/* in: number of objects */
	__u32 pad;
	__u64 handles;			/* in: pointer to __u32[count], out */
};

/*
 * XALLOC_IOC_FREE: free the objects and page blocks of @count handles read
 * from the __u32 array at @handles. Checked first: on any error nothing is
 * freed. With XALLOC_FREE_RCU the objects are freed after a grace period
 * (xalloc_kfree_rcu_mightsleep(), xalloc_cache_free_rcu_mightsleep()),
 * XALLOC_OBJ_BULK or not; their handles are gone at once, page blocks are
 * freed at once. Destroying a cache and closing the file wait for them.
 *   -EINVAL  @count 0 or above XALLOC_MAX_BATCH; a handle twice
 *   -ENOENT  a handle is not a live object or block of this file
 */
#define XALLOC_FREE_RCU		_BITUL(3)	/* objects after a grace period */

struct xalloc_free {
	__u32 count;			/* in */
	__u32 flags;			/* in: XALLOC_OBJ_BULK, XALLOC_FREE_RCU */
	__u64 handles;			/* in: pointer to __u32[count] */
};

/*
 * XALLOC_IOC_OBJ_WRITE / XALLOC_IOC_OBJ_READ: copy @len bytes between the
 * buffer at @buf and an object or page block, at @offset inside it.
 *   -EINVAL  @offset + @len beyond the object's size (the size asked for)
 *   -ENOENT  no such object or block handle in this file
 *   -EFAULT  @buf faulted; the object is unchanged
 *   -ENOMEM  OBJ_WRITE: no memory for a bounce buffer of @len bytes
 */
struct xalloc_obj_io {
	__u32 handle;			/* in */
	__u32 pad;
	__u64 offset;			/* in */
	__u64 len;			/* in */
	__u64 buf;			/* in: user buffer */
};

/*
 * XALLOC_IOC_PAGES_ALLOC: allocate a block of 2^@order pages.
 *   -EINVAL  @order above the zone's largest; @node not -1 nor a node with
 *            memory; XALLOC_OBJ_NODE without a node; flags other than
 *            XALLOC_OBJ_ZERO and XALLOC_OBJ_NODE
 *   -ENOSPC  the file's handle or byte limit would be exceeded
 *   -ENOMEM  no free block of that order
 * Freed with XALLOC_IOC_FREE.
 */
struct xalloc_pages_alloc {
	__u32 order;			/* in */
	__s32 node;			/* in: preferred node, or -1 */
	__u32 flags;			/* in: XALLOC_OBJ_ZERO, XALLOC_OBJ_NODE */
	__u32 handle;			/* out */
};

/*
 * XALLOC_IOC_CACHE_STATS: the counters of a cache of the file (@cache != 0)
 * or of any cache by @name (@cache == 0), as in debugfs stats and slabinfo.
 *   -ENOENT  no such cache
 *   -EINVAL  bad name, as for XALLOC_IOC_CACHE_CREATE
 */
#define XALLOC_NR_STATS		32

/* The names of the @stat entries in use, in order, as debugfs prints them. */
#define XALLOC_STAT_NAMES						\
	"alloc_fastpath", "alloc_slowpath", "free_fastpath", "free_slowpath", \
	"free_frozen", "free_add_partial", "free_remove_partial",	\
	"alloc_from_partial", "alloc_slab", "alloc_refill",		\
	"alloc_node_mismatch", "free_slab", "cpuslab_flush",		\
	"deactivate_full", "deactivate_empty", "deactivate_to_head",	\
	"deactivate_to_tail", "deactivate_remote_frees", "deactivate_bypass", \
	"order_fallback", "cmpxchg_double_fail", "cmpxchg_double_cpu_fail", \
	"cpu_partial_alloc", "cpu_partial_free", "cpu_partial_node",	\
	"cpu_partial_drain", "free_rcu_queued", "free_rcu_batched",	\
	"free_rcu_sync", "free_rcu_freed"

struct xalloc_cache_stats {
	__u32 cache;			/* in: handle, or 0 to look up @name */
	__u32 pad;
	char name[XALLOC_NAME_LEN];	/* in with @cache 0; out otherwise */
	__u32 object_size;		/* out */
	__u32 size;			/* out: stride */
	__u32 objs_per_slab;		/* out */
	__u32 order;			/* out */
	__u64 active_objs;		/* out */
	__u64 num_objs;			/* out */
	__u64 num_slabs;		/* out */
	__u32 nr_stats;			/* out: entries used in @stat */
	__u32 slab_pages;		/* out: pages of all slabs, of any order */
	__u64 stat[XALLOC_NR_STATS];	/* out: XALLOC_STAT_NAMES, in order */
};

/*
 * XALLOC_IOC_ZONE_STATS: the zone counters of @node, as in zoneinfo.
 *   -EINVAL  @node is not a node with an xalloc zone
 */
#define XALLOC_NR_ORDERS_MAX	16

struct xalloc_zone_stats {
	__s32 node;			/* in */
	__u32 nr_orders;		/* out: entries used in @nr_free */
	__u64 chunks;			/* out */
	__u64 present_pages;		/* out */
	__u64 free_pages;		/* out */
	__u64 nr_free[XALLOC_NR_ORDERS_MAX];	/* out: free blocks per order */
	__u64 nr_alloc;			/* out */
	__u64 nr_freed;			/* out */
	__u64 nr_split;			/* out */
	__u64 nr_merge;			/* out */
	__u64 nr_failed;		/* out */
	__u64 pcp_pages;		/* out: free, on per-CPU lists */
};

/*
 * XALLOC_IOC_BENCH: run a benchmark scenario in the kernel.
 *   -EINVAL  unknown @scenario; @iterations 0 or above 10^7; @size 0 or
 *            above 8192 (XALLOC_BENCH_PAGES_PAIR: an order above the
 *            zone's largest)
 *   -ENOMEM  the scenario could not allocate what it needs
 *   -EINTR   a signal came during the run
 */
enum xalloc_bench_scenario {
	XALLOC_BENCH_CACHE_PAIR = 1,	/* alloc+free pair of @size objects */
	XALLOC_BENCH_KMALLOC_PAIR = 2,	/* kmalloc+kfree pair of @size */
	XALLOC_BENCH_PAGES_PAIR = 3,	/* page alloc+free pair of order @size */
};

struct xalloc_bench {
	__u32 scenario;			/* in: enum xalloc_bench_scenario */
	__u32 size;			/* in: object size or page order */
	__u64 iterations;		/* in */
	__u64 xalloc_ns;		/* out: total time, xalloc */
	__u64 kernel_ns;		/* out: total time, the kernel's allocator */
};

/*
 * mmap() of a page block (not an ioctl): map the block of handle H with
 *   mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
 *        XALLOC_MMAP_OFFSET(H, page size));
 * The mapping starts at the block's first page and may be shorter than the
 * block. It is shared: writes through it are the block's, seen by
 * XALLOC_IOC_OBJ_READ and other mappings. It holds the block: freeing the
 * handle or closing the file leaves the mapping valid, and the block goes
 * back to the zone when the last mapping is unmapped (munmap, exit, kill).
 * A fork()ed child inherits it (still shared) unless MADV_DONTFORK; it
 * cannot grow by mremap() (VM_DONTEXPAND).
 *   -EPERM   the caller lacks CAP_SYS_ADMIN
 *   -EINVAL  MAP_PRIVATE; @len beyond the block; (the kernel's own:) an
 *            offset that is not a multiple of the page size, @len 0
 *   -ENOENT  the offset names no handle of this file
 *   -ENODEV  the handle is an object's or a cache's, not a page block's
 *   -EACCES  (the kernel's own) PROT_WRITE with MAP_SHARED on a file
 *            opened without write access
 *   -ENOMEM  no memory for the page tables
 */
#define XALLOC_MMAP_OFFSET(handle, page_size) \
	((__u64)(handle) * (__u64)(page_size))

#define XALLOC_IOC_VERSION	_IOR(XALLOC_IOC_MAGIC, 0x00, struct xalloc_version)
#define XALLOC_IOC_CACHE_CREATE	_IOWR(XALLOC_IOC_MAGIC, 0x01, struct xalloc_cache_create)
#define XALLOC_IOC_CACHE_DESTROY _IOW(XALLOC_IOC_MAGIC, 0x02, struct xalloc_cache_destroy)
#define XALLOC_IOC_OBJ_ALLOC	_IOW(XALLOC_IOC_MAGIC, 0x03, struct xalloc_obj_alloc)
#define XALLOC_IOC_FREE		_IOW(XALLOC_IOC_MAGIC, 0x04, struct xalloc_free)
#define XALLOC_IOC_OBJ_WRITE	_IOW(XALLOC_IOC_MAGIC, 0x05, struct xalloc_obj_io)
#define XALLOC_IOC_OBJ_READ	_IOW(XALLOC_IOC_MAGIC, 0x06, struct xalloc_obj_io)
#define XALLOC_IOC_PAGES_ALLOC	_IOWR(XALLOC_IOC_MAGIC, 0x07, struct xalloc_pages_alloc)
#define XALLOC_IOC_CACHE_STATS	_IOWR(XALLOC_IOC_MAGIC, 0x08, struct xalloc_cache_stats)
#define XALLOC_IOC_ZONE_STATS	_IOWR(XALLOC_IOC_MAGIC, 0x09, struct xalloc_zone_stats)
#define XALLOC_IOC_BENCH	_IOWR(XALLOC_IOC_MAGIC, 0x0a, struct xalloc_bench)

#endif /* _UAPI_LINUX_XALLOC_H */
