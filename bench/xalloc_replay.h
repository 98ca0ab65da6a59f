/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The binary trace that xalloc_replay.ko reads from debugfs, as written by
 * scripts/replay_trace.py pack (Documentation/replay.rst): a header, the
 * caches, then the events, all little-endian, no padding.
 */
#ifndef _XALLOC_REPLAY_H
#define _XALLOC_REPLAY_H

#include <linux/types.h>

#define XALLOC_REPLAY_MAGIC	0x4c505258	/* "XRPL" */
#define XALLOC_REPLAY_VERSION	1
#define XALLOC_REPLAY_NAME_MAX	31
/* xre_cache of a kmalloc event, and of the free of a kmalloc object. */
#define XALLOC_REPLAY_NO_CACHE	0xffff
/* xre_flags: the allocation had __GFP_ZERO. */
#define XALLOC_REPLAY_ZERO	0x1

/**
 * struct xalloc_replay_header - what the trace holds
 * @magic: XALLOC_REPLAY_MAGIC
 * @version: XALLOC_REPLAY_VERSION
 * @nr_caches: struct xalloc_replay_cache records after the header
 * @nr_events: struct xalloc_replay_event records after the caches
 * @nr_ids: object ids are below this: live objects at once, at most
 * @nr_cpus: CPUs of the recording; event CPUs are below this
 * @peak_event: index of the event after which the live requested bytes peak
 * @peak_bytes: those bytes
 */
struct xalloc_replay_header {
	__le32 magic;
	__le32 version;
	__le32 nr_caches;
	__le32 nr_events;
	__le32 nr_ids;
	__le32 nr_cpus;
	__le32 peak_event;
	__le64 peak_bytes;
} __packed;

/**
 * struct xalloc_replay_cache - a kmem_cache of the recording
 * @name: its name, NUL-padded
 * @size: object size (the kernel's object_size)
 * @align: 0, or 64 for a cache aligned to cache lines
 */
struct xalloc_replay_cache {
	char name[XALLOC_REPLAY_NAME_MAX + 1];
	__le32 size;
	__le32 align;
} __packed;

enum xalloc_replay_kind {
	XALLOC_REPLAY_KMALLOC = 0,	/* kmalloc(size) */
	XALLOC_REPLAY_CACHE = 1,	/* kmem_cache_alloc(cache) */
	XALLOC_REPLAY_FREE = 2,		/* kfree or kmem_cache_free of id */
};

/**
 * struct xalloc_replay_event - one allocation or free
 * @id: the object: allocated here, or freed (allocated before, by an
 *	earlier event with this id and not freed since)
 * @size: kmalloc: requested bytes; cache: the cache's object size; free: 0
 * @cache: cache index, or XALLOC_REPLAY_NO_CACHE
 * @kind: enum xalloc_replay_kind
 * @cpu: CPU that ran the event when it was recorded
 * @flags: XALLOC_REPLAY_ZERO or 0
 */
struct xalloc_replay_event {
	__le32 id;
	__le32 size;
	__le16 cache;
	u8 kind;
	u8 cpu;
	__le32 flags;
} __packed;

#endif /* _XALLOC_REPLAY_H */
