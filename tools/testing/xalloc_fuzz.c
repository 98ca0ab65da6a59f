// SPDX-License-Identifier: GPL-2.0
/*
 * xalloc_fuzz: random ioctls on /dev/xalloc.
 *
 * Mostly well-formed commands with one field bent (sizes, counts, nodes,
 * flags, padding, names, handles, offsets), the rest random command
 * numbers; argument and buffer pointers are sometimes NULL, unmapped,
 * kernel addresses, misaligned, read-only or straddling an unmapped page.
 * A few open files run side by side, are closed and reopened, and now and
 * then a child allocates and is killed. Checked as it goes: every error is
 * one the header allows for that command (unknown numbers: ENOTTY; a bad
 * argument pointer: EFAULT), and bytes written to an object read back.
 * At the end, with every file closed, a fresh file must see the kmalloc
 * caches' active objects and the zone's pages (free pages plus kmalloc slab
 * pages) as they were before, and none of the fuzzer's caches.
 *
 * usage: xalloc_fuzz [--seed N] [--count N] [--verbose [--verbose]]
 * (--verbose: progress on stderr; twice: every ioctl)
 * Prints "xalloc_fuzz: seed N" first and TAP: "ok 1 fuzz" or "not ok 1 fuzz".
 */

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/xalloc.h>

#include "xalloc_sheaves.h"

#define FZ_DEV		"/dev/xalloc"
#define FZ_FILES	3
#define FZ_MAX_LIVE	1500	/* tracked handles per file */
#define FZ_MAX_CACHES	16
#define FZ_MAX_NODES	64
#define FZ_NAMES	12	/* cache names in play, so EEXIST happens */
#define FZ_PAGE		4096UL
#define FZ_REPORTS	20
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

static const char *const kmalloc_names[] = {
	"kmalloc-8", "kmalloc-16", "kmalloc-32", "kmalloc-64", "kmalloc-96",
	"kmalloc-128", "kmalloc-192", "kmalloc-256", "kmalloc-512",
	"kmalloc-1k", "kmalloc-2k", "kmalloc-4k", "kmalloc-8k",
};

static const unsigned long xalloc_cmds[] = {
	XALLOC_IOC_VERSION, XALLOC_IOC_CACHE_CREATE, XALLOC_IOC_CACHE_DESTROY,
	XALLOC_IOC_OBJ_ALLOC, XALLOC_IOC_FREE, XALLOC_IOC_OBJ_WRITE,
	XALLOC_IOC_OBJ_READ, XALLOC_IOC_PAGES_ALLOC, XALLOC_IOC_CACHE_STATS,
	XALLOC_IOC_ZONE_STATS, XALLOC_IOC_BENCH,
};

/* What a file holds, as far as the fuzzer knows. */
struct fz_obj {
	__u32 handle;
	__u64 size;		/* bytes readable and writable */
	__u64 tag;		/* written at offset 0 when size >= 8, else 0 */
	unsigned long tag_op;	/* the op that wrote it */
	unsigned long born;	/* the op that allocated it */
};

struct fz_file {
	int fd;
	struct fz_obj obj[FZ_MAX_LIVE];
	int nr_obj;
	__u32 cache[FZ_MAX_CACHES];
	int nr_cache;
};

static struct fz_file files[FZ_FILES];
static __u64 rng_state;
static int verbose, nr_reports, name_pid;
static unsigned long cur_op, nr_calls, nr_ok, nr_err[160], nr_bad, nr_children;
static int nodes[FZ_MAX_NODES], nr_nodes;
static char *arena;		/* rw page, ro page, unmapped page */
static char *databuf;		/* a rw buffer for OBJ_READ/OBJ_WRITE */
#define FZ_DATA		(64 * 1024)	/* plus FZ_SLACK for lengths just past */
#define FZ_SLACK	128		/* an object's end, at a misaligned buf */

static __u64 rnd(void)
{
	/* xorshift64* */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dULL;
}

static __u64 below(__u64 n)
{
	return n ? rnd() % n : 0;
}

static int chance(int percent)
{
	return below(100) < (__u64)percent;
}

static void report(const char *fmt, ...)
{
	va_list ap;

	nr_bad++;
	if (nr_reports++ >= FZ_REPORTS)
		return;
	printf("# BAD: ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

/* A pointer nothing valid lives at. */
static void *bad_pointer(void)
{
	switch (below(6)) {
	case 0:
		return NULL;
	case 1:
		return arena + 2 * FZ_PAGE;			/* unmapped */
	case 2:
		return (void *)0xffff888000000000ULL;	/* direct map */
	case 3:
		return (void *)0xffffffff81000000ULL;	/* kernel text */
	case 4:
		return (void *)(0xffff800000000000ULL + below(1ULL << 40));
	default:
		return (void *)-1L;
	}
}

/*
 * Where to put an argument of @size bytes: 0 a normal place, possibly
 * misaligned; otherwise a place that must fault, and *@must_fault says so
 * (for out arguments, a read-only page faults too, on the copy back).
 */
static void *arg_place(size_t size, int *must_fault)
{
	*must_fault = 0;
	if (!chance(4))
		return arena + FZ_PAGE - size - 8 * below(8) - below(8);
	*must_fault = 1;
	if (chance(50))
		return bad_pointer();
	/* Straddling the end of the read-only page into the unmapped one. */
	return arena + 2 * FZ_PAGE - 1 - below(size - 1);
}

static void count_result(int ret)
{
	nr_calls++;
	if (!ret)
		nr_ok++;
	else if (-ret < (int)ARRAY_SIZE(nr_err))
		nr_err[-ret]++;
}

/* The argument's bytes, for --verbose --verbose; "-" if not readable. */
static const char *hexarg(const void *arg, size_t size)
{
	static char buf[2 * 128 + 1];
	const unsigned char *p = arg;

	unsigned long a = (unsigned long)arg, lo = (unsigned long)arena;

	if (size > 128 || a < lo || a > lo + FZ_PAGE - size)
		return "-";
	for (size_t i = 0; i < size; i++)
		sprintf(buf + 2 * i, "%02x", p[i]);
	buf[2 * size] = 0;
	return buf;
}

/* Time spent per command, by _IOC_NR of xalloc's; the last slot: others. */
#define FZ_SLOTS	12
static const char *const slot_names[FZ_SLOTS] = {
	"VERSION", "CACHE_CREATE", "CACHE_DESTROY", "OBJ_ALLOC", "FREE",
	"OBJ_WRITE", "OBJ_READ", "PAGES_ALLOC", "CACHE_STATS", "ZONE_STATS",
	"BENCH", "other",
};

static __u64 slot_ns[FZ_SLOTS], slot_calls[FZ_SLOTS], slot_ok[FZ_SLOTS];
static unsigned long nr_tag_checks;	/* reads compared with a tag */

static __u64 now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000000000ULL + t.tv_nsec;
}

static int xioc(int fd, unsigned long cmd, void *arg)
{
	unsigned int slot = FZ_SLOTS - 1;
	__u64 t0;
	int ret;

	if (verbose > 1)
		printf("# op %lu fd %d cmd %#lx arg %p: %s\n", cur_op, fd, cmd, arg,
		       hexarg(arg, _IOC_SIZE(cmd)));
	t0 = now_ns();
	ret = ioctl(fd, cmd, arg) < 0 ? -errno : 0;

	for (unsigned int i = 0; i < ARRAY_SIZE(xalloc_cmds); i++)
		if (cmd == xalloc_cmds[i])
			slot = i;
	slot_ns[slot] += now_ns() - t0;
	slot_calls[slot]++;
	slot_ok[slot] += !ret;
	count_result(ret);
	if (verbose > 1)
		printf("# -> %d\n", ret);
	return ret;
}

static const char *errname(int ret)
{
	static char buf[24];

	switch (-ret) {
	case 0: return "0";
	case EPERM: return "EPERM";
	case ENOENT: return "ENOENT";
	case ENOMEM: return "ENOMEM";
	case EFAULT: return "EFAULT";
	case EBUSY: return "EBUSY";
	case EEXIST: return "EEXIST";
	case EINVAL: return "EINVAL";
	case ENOSPC: return "ENOSPC";
	case ENOTTY: return "ENOTTY";
	}
	snprintf(buf, sizeof(buf), "errno %d", -ret);
	return buf;
}

/* @ret must be 0 or one of the errors in @allowed (a 0-terminated list). */
static void expect_in(const char *what, int ret, const int *allowed)
{
	for (; *allowed; allowed++)
		if (ret == -*allowed)
			return;
	if (ret)
		report("%s: unexpected %s", what, errname(ret));
}

static void expect(const char *what, int ret, int want)
{
	if (ret != want)
		report("%s: %s, expected %s", what, errname(ret), errname(want));
}

/*
 * Copy an argument to @p (which may be a bad place: then only call) and
 * issue the command; copy the result back from a good place.
 */
static int issue(struct fz_file *f, unsigned long cmd, void *arg, size_t size,
		 const char *what, const int *allowed)
{
	int must_fault, ret;
	void *p = arg_place(size, &must_fault);

	if (!must_fault) {
		memcpy(p, arg, size);
		ret = xioc(f->fd, cmd, p);
		memcpy(arg, p, size);
		expect_in(what, ret, allowed);
		return ret;
	}
	/* A faulting place still gets the right bytes where it is readable. */
	if ((char *)p >= arena && (char *)p < arena + 2 * FZ_PAGE) {
		char *ro = arena + FZ_PAGE;

		mprotect(ro, FZ_PAGE, PROT_READ | PROT_WRITE);
		memcpy(p, arg, arena + 2 * FZ_PAGE - (char *)p);
		mprotect(ro, FZ_PAGE, PROT_READ);
	}
	ret = xioc(f->fd, cmd, p);
	expect(what, ret, -EFAULT);
	return -EFAULT;
}

static void track(struct fz_file *f, __u32 h, __u64 size)
{
	struct fz_obj *o;

	if (f->nr_obj == FZ_MAX_LIVE)
		return;	/* forgotten: freed when the file closes */
	o = &f->obj[f->nr_obj++];
	o->handle = h;
	o->size = size;
	o->tag = 0;
	o->born = cur_op;
}

static void untrack(struct fz_file *f, __u32 h)
{
	for (int i = 0; i < f->nr_obj; i++) {
		if (f->obj[i].handle == h) {
			f->obj[i] = f->obj[--f->nr_obj];
			return;
		}
	}
}

static __u32 some_handle(struct fz_file *f)
{
	int r = below(100);

	if (r < 70 && f->nr_obj)
		return f->obj[below(f->nr_obj)].handle;
	if (r < 80 && f->nr_cache)
		return f->cache[below(f->nr_cache)];
	if (r < 95)
		return below(200);
	return rnd();
}

static __s32 some_node(void)
{
	int r = below(100);

	if (r < 60)
		return -1;
	if (r < 90)
		return nodes[below(nr_nodes)];
	if (r < 95)
		return below(FZ_MAX_NODES + 2);
	return (__s32)rnd();
}

static __u32 some_flags(__u32 valid)
{
	if (chance(85))
		return rnd() & valid;
	return rnd();
}

static void some_name(char *name)
{
	static const char *const bad[] = { "", "a b", "x/y", "caf\xc3\xa9", "n\n" };

	memset(name, 0, XALLOC_NAME_LEN);
	switch (below(20)) {
	case 0:
		snprintf(name, XALLOC_NAME_LEN, "%s", bad[below(ARRAY_SIZE(bad))]);
		break;
	case 1:
		memset(name, 'a' + below(26), XALLOC_NAME_LEN);	/* unterminated */
		break;
	case 2:
		snprintf(name, XALLOC_NAME_LEN, "fz-%d-junk", name_pid);
		name[XALLOC_NAME_LEN - 1] = 'j';		/* junk after the NUL */
		break;
	case 3:
		snprintf(name, XALLOC_NAME_LEN, "%s",
			 kmalloc_names[below(ARRAY_SIZE(kmalloc_names))]);
		break;
	default:
		snprintf(name, XALLOC_NAME_LEN, "fz-%d-%d", name_pid, (int)below(FZ_NAMES));
	}
}

static __u32 some_size(void)
{
	switch (below(20)) {
	case 0:
		return 0;
	case 1:
		return rnd();
	case 2:
		return 8192 + below(1U << 20);
	case 3:
		return XALLOC_MAX_KMALLOC + below(3);
	default:
		return 1 + below(below(4) ? 512 : 8192);
	}
}

/* Mostly small: each object costs the debug guest about a millisecond. */
static __u32 some_count(void)
{
	switch (below(40)) {
	case 0:
		return 0;
	case 1:
		/* The limit itself, rarely; just above it, often. */
		return XALLOC_MAX_BATCH + (below(20) ? 1 + below(2) : 0);
	case 2:
		return rnd();
	default:
		return 1 + below(below(5) ? 4 : 32);
	}
}

static const int e_create[] = { EINVAL, EEXIST, ENOSPC, ENOMEM, 0 };
static const int e_destroy[] = { EINVAL, ENOENT, EBUSY, 0 };
static const int e_alloc[] = { EINVAL, ENOENT, ENOSPC, ENOMEM, EFAULT, 0 };
static const int e_free[] = { EINVAL, ENOENT, EFAULT, 0 };
static const int e_io[] = { EINVAL, ENOENT, EFAULT, 0 };
static const int e_pages[] = { EINVAL, ENOSPC, ENOMEM, 0 };
static const int e_stats[] = { EINVAL, ENOENT, 0 };
static const int e_zone[] = { EINVAL, 0 };
static const int e_bench[] = { EINVAL, ENOMEM, 0 };
static const int e_none[] = { 0 };

static void op_version(struct fz_file *f)
{
	struct xalloc_version v = { 0 };

	if (!issue(f, XALLOC_IOC_VERSION, &v, sizeof(v), "VERSION", e_none) &&
	    v.abi_version != XALLOC_ABI_VERSION)
		report("VERSION: abi %u", v.abi_version);
}

static void op_cache_create(struct fz_file *f)
{
	struct xalloc_cache_create c = { 0 };
	static const __u32 aligns[] = { 0, 0, 0, 8, 64, 256, 4096, 3, 8192, 48 };

	some_name(c.name);
	c.size = chance(80) ? 1 + below(600) : some_size();
	c.align = chance(90) ? aligns[below(ARRAY_SIZE(aligns))] : rnd();
	c.flags = some_flags(XALLOC_CACHE_HWCACHE_ALIGN | XALLOC_CACHE_TYPESAFE_BY_RCU);
	if (!issue(f, XALLOC_IOC_CACHE_CREATE, &c, sizeof(c), "CACHE_CREATE", e_create)) {
		if (f->nr_cache < FZ_MAX_CACHES)
			f->cache[f->nr_cache++] = c.handle;
	}
}

static void op_cache_destroy(struct fz_file *f)
{
	struct xalloc_cache_destroy d = { 0 };
	int i = f->nr_cache ? (int)below(f->nr_cache) : -1;

	d.handle = i >= 0 && chance(80) ? f->cache[i] : some_handle(f);
	d.pad = chance(5);
	if (!issue(f, XALLOC_IOC_CACHE_DESTROY, &d, sizeof(d), "CACHE_DESTROY", e_destroy)) {
		for (i = 0; i < f->nr_cache; i++)
			if (f->cache[i] == d.handle)
				f->cache[i] = f->cache[--f->nr_cache];
	}
}

static void op_alloc(struct fz_file *f)
{
	struct xalloc_obj_alloc a = { 0 };
	static __u32 out[XALLOC_MAX_BATCH + 4];
	struct xalloc_cache_stats st = { 0 };
	__u64 size;
	int ret;

	if (f->nr_cache && chance(50)) {
		a.cache = chance(90) ? f->cache[below(f->nr_cache)] : some_handle(f);
		a.size = chance(95) ? 0 : some_size();
	} else {
		a.size = some_size();
	}
	a.flags = some_flags(XALLOC_OBJ_ZERO | XALLOC_OBJ_NODE | XALLOC_OBJ_BULK);
	a.node = some_node();
	a.count = some_count();
	a.pad = chance(3);
	a.handles = chance(95) ? (unsigned long)out : (unsigned long)bad_pointer();
	if (issue(f, XALLOC_IOC_OBJ_ALLOC, &a, sizeof(a), "OBJ_ALLOC", e_alloc))
		return;
	if (a.count > XALLOC_MAX_BATCH) {
		report("OBJ_ALLOC: count %u accepted", a.count);
		return;
	}
	size = a.size;
	if (a.cache) {
		st.cache = a.cache;
		ret = ioctl(f->fd, XALLOC_IOC_CACHE_STATS, &st) < 0 ? -errno : 0;
		expect("CACHE_STATS of a cache just used", ret, 0);
		size = st.object_size;
	}
	for (__u32 i = 0; i < a.count; i++)
		track(f, out[i], size);
}

static void op_free(struct fz_file *f)
{
	/* Zeros past the first n: handle 0 is never valid. */
	static __u32 h[XALLOC_MAX_BATCH + 4];
	struct xalloc_free fr = { 0 };
	int n = 1 + below(8), ret;

	for (int i = 0; i < n; i++)
		h[i] = f->nr_obj && chance(92) ? f->obj[below(f->nr_obj)].handle : some_handle(f);
	fr.count = chance(97) ? (__u32)n : some_count();
	fr.flags = chance(90) ? some_flags(XALLOC_OBJ_BULK | XALLOC_FREE_RCU) : rnd();
	fr.handles = chance(97) ? (unsigned long)h : (unsigned long)bad_pointer();
	ret = issue(f, XALLOC_IOC_FREE, &fr, sizeof(fr), "FREE", e_free);
	if (!ret) {
		if (fr.count > (__u32)n)
			report("FREE: count %u of %d accepted", fr.count, n);
		for (int i = 0; i < n && i < (int)fr.count; i++)
			untrack(f, h[i]);
	}
	memset(h, 0, n * sizeof(h[0]));
}

static void op_io(struct fz_file *f)
{
	struct xalloc_obj_io io = { 0 };
	int write = chance(50), ret, tagged = 0;
	struct fz_obj *o = f->nr_obj ? &f->obj[below(f->nr_obj)] : NULL;
	unsigned long cmd = write ? XALLOC_IOC_OBJ_WRITE : XALLOC_IOC_OBJ_READ;
	__u64 tag = rnd() | 1;

	io.handle = o && chance(90) ? o->handle : some_handle(f);
	if (o && io.handle == o->handle && chance(90)) {
		__u64 max = o->size < FZ_DATA ? o->size : FZ_DATA;

		if (o->size >= 8 && chance(40)) {
			io.offset = 0;
			io.len = 8;
			tagged = 1;
		} else {
			io.offset = below(max + 1);
			io.len = below(max - io.offset + 1);
		}
		if (chance(5))
			io.len += 1 + below(16);	/* just past the end */
	} else {
		io.offset = chance(50) ? below(64) : rnd();
		io.len = chance(50) ? below(64) : rnd();
	}
	io.pad = chance(3);
	if (chance(95)) {
		io.buf = (unsigned long)databuf + below(8);
		if (tagged && write)
			memcpy(databuf + (io.buf - (unsigned long)databuf), &tag, 8);
	} else {
		io.buf = (unsigned long)bad_pointer();
		tagged = 0;
	}
	ret = issue(f, cmd, &io, sizeof(io), write ? "OBJ_WRITE" : "OBJ_READ", e_io);
	/* A failed write changes nothing; other bytes of a tag: forget it. */
	if (ret)
		return;
	if (write && !tagged && io.offset < 8 && io.len) {
		for (int i = 0; i < f->nr_obj; i++)
			if (f->obj[i].handle == io.handle)
				f->obj[i].tag = 0;
	}
	if (ret || !tagged || o->handle != io.handle)
		return;
	if (write) {
		o->tag = tag;
		o->tag_op = cur_op;
	} else if (o->tag) {
		__u64 got;

		memcpy(&got, (char *)(unsigned long)io.buf, 8);
		nr_tag_checks++;
		if (got != o->tag)
			report("op %lu: read %u (%llu B, op %lu): %#llx, wrote %#llx at op %lu",
			       cur_op, o->handle, (unsigned long long)o->size, o->born,
			       (unsigned long long)got, (unsigned long long)o->tag, o->tag_op);
	}
}

static void op_pages(struct fz_file *f)
{
	struct xalloc_pages_alloc p = { 0 };

	p.order = chance(90) ? below(below(4) ? 4 : 11) : rnd() % 64;
	p.node = some_node();
	p.flags = some_flags(XALLOC_OBJ_ZERO | XALLOC_OBJ_NODE);
	if (!issue(f, XALLOC_IOC_PAGES_ALLOC, &p, sizeof(p), "PAGES_ALLOC", e_pages))
		track(f, p.handle, FZ_PAGE << p.order);
}

static void op_stats(struct fz_file *f)
{
	struct xalloc_cache_stats st = { 0 };

	if (chance(50)) {
		if (f->nr_cache && chance(80))
			st.cache = f->cache[below(f->nr_cache)];
		else
			st.cache = some_handle(f);
	} else {
		some_name(st.name);
		if (chance(30))
			snprintf(st.name, sizeof(st.name), "%s",
				 kmalloc_names[below(ARRAY_SIZE(kmalloc_names))]);
	}
	st.pad = chance(3);
	if (issue(f, XALLOC_IOC_CACHE_STATS, &st, sizeof(st), "CACHE_STATS", e_stats))
		return;
	if (st.active_objs > st.num_objs || st.nr_stats > XALLOC_NR_STATS)
		report("CACHE_STATS %.32s: active %llu num %llu nr_stats %u", st.name,
		       (unsigned long long)st.active_objs, (unsigned long long)st.num_objs,
		       st.nr_stats);
}

static void op_zone(struct fz_file *f)
{
	struct xalloc_zone_stats z = { 0 };

	z.node = some_node();
	if (!issue(f, XALLOC_IOC_ZONE_STATS, &z, sizeof(z), "ZONE_STATS", e_zone) &&
	    (z.free_pages > z.present_pages || z.nr_orders > XALLOC_NR_ORDERS_MAX))
		report("ZONE_STATS node %d: free %llu present %llu", z.node,
		       (unsigned long long)z.free_pages, (unsigned long long)z.present_pages);
}

static void op_bench(struct fz_file *f)
{
	struct xalloc_bench b = { 0 };

	b.scenario = chance(90) ? 1 + below(3) : rnd();
	b.size = chance(90) ? below(below(2) ? 11 : 8200) : rnd();
	/* Few iterations: the guest is slow. Or out of range. */
	b.iterations = chance(95) ? below(20) : 10000001 + below(2) * below(1ULL << 40);
	issue(f, XALLOC_IOC_BENCH, &b, sizeof(b), "BENCH", e_bench);
}

/* A random command number: mostly near xalloc's, never a VFS-wide one. */
static void op_random_cmd(struct fz_file *f)
{
	static const unsigned int dirs[] = {
		_IOC_NONE, _IOC_READ, _IOC_WRITE, _IOC_READ | _IOC_WRITE,
	};
	unsigned long cmd;
	unsigned int type;
	char *p;
	int ret;

	if (chance(20)) {
		/* A real command with the wrong size or direction. */
		cmd = xalloc_cmds[below(ARRAY_SIZE(xalloc_cmds))];
		cmd = _IOC(dirs[below(4)], _IOC_TYPE(cmd), _IOC_NR(cmd), below(300));
	} else {
		type = chance(70) ? XALLOC_IOC_MAGIC : below(256);
		/* 0, 'f', 'T', 'X', 0x94: generic file ioctls the VFS answers. */
		if (type == 0 || type == 'f' || type == 'T' || type == 'X' || type == 0x94)
			type = XALLOC_IOC_MAGIC;
		cmd = _IOC(dirs[below(4)], type, below(type == XALLOC_IOC_MAGIC ? 24 : 256),
			   below(below(2) ? 300 : 1 << 14));
	}
	for (size_t i = 0; i < ARRAY_SIZE(xalloc_cmds); i++)
		if (cmd == xalloc_cmds[i])
			return;	/* the well-formed ops cover these */
	p = chance(70) ? databuf + below(64) : bad_pointer();
	for (int i = 0; i < 64; i++)
		databuf[i] = rnd();
	ret = xioc(f->fd, cmd, p);
	if (ret != -ENOTTY)
		report("command %#lx: %s, expected ENOTTY", cmd, errname(ret));
}

static int xopen(void)
{
	int fd = open(FZ_DEV, O_RDWR | O_CLOEXEC);

	if (fd < 0) {
		printf("# open %s: %s\n", FZ_DEV, strerror(errno));
		printf("not ok 1 fuzz\n");
		exit(1);
	}
	return fd;
}

static void file_reset(struct fz_file *f)
{
	if (f->fd > 0)
		close(f->fd);
	f->fd = xopen();
	f->nr_obj = 0;
	f->nr_cache = 0;
}

/* A child fills a file of its own and is killed with it open. */
static void killed_child(void)
{
	int pipefd[2], status;
	char c = 0;
	pid_t pid;

	if (pipe(pipefd))
		return;
	pid = fork();
	if (pid == 0) {
		struct fz_file *f = &files[0];
		unsigned long bad = nr_bad;	/* the parent's, copied */

		f->fd = -1;
		file_reset(f);
		for (int i = 0; i < 40; i++) {
			if (i % 4 == 0)
				op_cache_create(f);
			op_alloc(f);
			op_pages(f);
		}
		/* The child's bad results, for the parent to count. */
		c = nr_bad - bad > 127 ? 127 : nr_bad - bad;
		if (write(pipefd[1], &c, 1) != 1)
			_exit(1);
		for (;;)
			pause();
	}
	close(pipefd[1]);
	if (pid > 0) {
		if (read(pipefd[0], &c, 1) != 1)
			report("killed child: no word from the child");
		else if (c)
			report("killed child: %d bad results", c);
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
		nr_children++;
	}
	close(pipefd[0]);
}

/* State that must come back once every file is closed. */
struct fz_snapshot {
	__u64 active[ARRAY_SIZE(kmalloc_names)];
	__u64 slab_pages[ARRAY_SIZE(kmalloc_names)];
	__u64 free_pages[FZ_MAX_NODES];
	__u64 pages;	/* sum of free and kmalloc slab pages */
};

static int snapshot(int fd, struct fz_snapshot *s)
{
	memset(s, 0, sizeof(*s));
	for (size_t i = 0; i < ARRAY_SIZE(kmalloc_names); i++) {
		struct xalloc_cache_stats st = { 0 };

		snprintf(st.name, sizeof(st.name), "%s", kmalloc_names[i]);
		if (ioctl(fd, XALLOC_IOC_CACHE_STATS, &st) < 0) {
			printf("# CACHE_STATS %s: %s\n", st.name, strerror(errno));
			return -1;
		}
		/* What callers hold: objects in sheaves come and go. */
		s->active[i] = st.active_objs - cache_sheaf_objects(kmalloc_names[i]);
		/* Exact: a slab of the fallback order has fewer pages. */
		s->slab_pages[i] = st.slab_pages;
		s->pages += s->slab_pages[i];
	}
	for (int i = 0; i < nr_nodes; i++) {
		struct xalloc_zone_stats z = { .node = nodes[i] };

		if (ioctl(fd, XALLOC_IOC_ZONE_STATS, &z) < 0) {
			printf("# ZONE_STATS %d: %s\n", nodes[i], strerror(errno));
			return -1;
		}
		s->free_pages[i] = z.free_pages + z.pcp_pages;
		s->pages += s->free_pages[i];
	}
	return 0;
}

static int compare(const struct fz_snapshot *a, const struct fz_snapshot *b)
{
	int bad = 0;

	for (size_t i = 0; i < ARRAY_SIZE(kmalloc_names); i++) {
		if (a->active[i] != b->active[i]) {
			printf("# %s: %llu active objects, %llu before\n", kmalloc_names[i],
			       (unsigned long long)b->active[i], (unsigned long long)a->active[i]);
			bad++;
		}
	}
	for (int i = 0; i < nr_nodes; i++)
		printf("# node %d: %llu free pages, %llu before\n", nodes[i],
		       (unsigned long long)b->free_pages[i], (unsigned long long)a->free_pages[i]);
	if (a->pages != b->pages) {
		printf("# free + kmalloc slab pages: %llu, %llu before\n",
		       (unsigned long long)b->pages, (unsigned long long)a->pages);
		bad++;
	}
	return bad;
}

int main(int argc, char **argv)
{
	unsigned long count = 40000;
	struct fz_snapshot before, after;
	struct timespec t0, t1;
	int fd, leftovers = 0;
	double secs;

	name_pid = getpid();
	rng_state = (__u64)time(NULL) * 1000003 ^ name_pid;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--seed") && i + 1 < argc) {
			rng_state = strtoull(argv[++i], NULL, 0);
		} else if (!strcmp(argv[i], "--count") && i + 1 < argc) {
			count = strtoul(argv[++i], NULL, 0);
		} else if (!strcmp(argv[i], "--verbose")) {
			verbose++;
		} else {
			fprintf(stderr, "usage: xalloc_fuzz [--seed N] [--count N] [--verbose]\n");
			return 2;
		}
	}
	if (!rng_state)
		rng_state = 1;
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("xalloc_fuzz: seed %llu\n", (unsigned long long)rng_state);
	printf("TAP version 13\n1..1\n");

	arena = mmap(NULL, 3 * FZ_PAGE, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	databuf = malloc(FZ_DATA + FZ_SLACK);
	if (arena == MAP_FAILED || !databuf) {
		printf("# out of memory\nnot ok 1 fuzz\n");
		return 1;
	}
	memset(arena, 0, 3 * FZ_PAGE);
	mprotect(arena + FZ_PAGE, FZ_PAGE, PROT_READ);
	munmap(arena + 2 * FZ_PAGE, FZ_PAGE);

	fd = xopen();
	for (int nid = 0; nid < FZ_MAX_NODES; nid++) {
		struct xalloc_zone_stats z = { .node = nid };

		if (!ioctl(fd, XALLOC_IOC_ZONE_STATS, &z))
			nodes[nr_nodes++] = nid;
	}
	if (!nr_nodes || snapshot(fd, &before)) {
		printf("# no zone\nnot ok 1 fuzz\n");
		return 1;
	}
	close(fd);

	for (int i = 0; i < FZ_FILES; i++) {
		files[i].fd = -1;
		file_reset(&files[i]);
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (unsigned long n = 0; n < count; n++) {
		struct fz_file *f = &files[below(FZ_FILES)];
		int r = below(1000);

		cur_op = n;
		if (r < 130)
			op_alloc(f);
		else if (r < 280)
			op_free(f);
		else if (r < 480)
			op_io(f);
		else if (r < 530)
			op_cache_create(f);
		else if (r < 580)
			op_cache_destroy(f);
		else if (r < 640)
			op_pages(f);
		else if (r < 700)
			op_stats(f);
		else if (r < 740)
			op_zone(f);
		else if (r < 760)
			op_version(f);
		else if (r < 765)
			op_bench(f);
		else if (r < 998)
			op_random_cmd(f);
		else
			file_reset(f);
		if (n % 20000 == 19999)
			killed_child();
		if (verbose && n % 1000 == 999)
			fprintf(stderr, "# %lu\n", n + 1);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	for (int i = 0; i < FZ_FILES; i++)
		close(files[i].fd);
	secs = (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;

	printf("# %lu ioctls in %.1f s (%.0f/s), %lu succeeded, %lu children killed\n",
	       nr_calls, secs, secs > 0 ? nr_calls / secs : 0.0, nr_ok, nr_children);
	printf("# ms per command:");
	for (int i = 0; i < FZ_SLOTS; i++)
		if (slot_calls[i])
			printf(" %s %lu/%.2f", slot_names[i], (unsigned long)slot_calls[i],
			       slot_ns[i] / 1e6 / slot_calls[i]);
	printf("\n");
	/*
	 * A run that never succeeds at a command (all ENOMEM, say) checked
	 * nothing there: with enough calls, every command but VERSION, BENCH
	 * and the unknown ones succeeds sometimes, and tagged reads compare.
	 */
	if (nr_calls >= 2000) {
		for (int i = 1; i < FZ_SLOTS - 2; i++)
			if (!slot_ok[i])
				report("%s never succeeded in %llu calls", slot_names[i],
				       (unsigned long long)slot_calls[i]);
		if (!nr_tag_checks)
			report("no read was compared with the tag written before");
	}
	printf("# %lu reads compared with their tags\n", nr_tag_checks);
	printf("# errors:");
	for (size_t e = 1; e < ARRAY_SIZE(nr_err); e++)
		if (nr_err[e])
			printf(" %s %lu", errname(-(int)e), nr_err[e]);
	printf("\n");

	fd = xopen();
	if (snapshot(fd, &after))
		nr_bad++;
	else
		nr_bad += compare(&before, &after);
	for (int i = 0; i < FZ_NAMES; i++) {
		struct xalloc_cache_stats st = { 0 };

		snprintf(st.name, sizeof(st.name), "fz-%d-%d", name_pid, i);
		if (ioctl(fd, XALLOC_IOC_CACHE_STATS, &st) == 0 || errno != ENOENT)
			leftovers++;
	}
	close(fd);
	if (leftovers)
		printf("# %d of the fuzzer's caches outlived their files\n", leftovers);
	nr_bad += leftovers;
	printf("%s 1 fuzz\n", nr_bad ? "not ok" : "ok");
	return nr_bad ? 1 : 0;
}
