// SPDX-License-Identifier: GPL-2.0
/*
 * xallocctl: drive /dev/xalloc by hand.
 *
 * Handles belong to the open file and die with it, so one invocation keeps
 * the device open across all of its commands: a script (run FILE), or
 * commands chained on the command line with ';' as an argument of its own.
 * Every handle a command creates (caches, objects, page blocks) is also
 * numbered in creation order, and later commands may name it $1, $2, ...
 * or %1, %2, ... (the % form needs no quoting in a shell).
 */

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/xalloc.h>

#include "xallocctl.h"

#define XALLOCCTL_DEV		"/dev/xalloc"
#define XALLOCCTL_DEBUGFS	"/sys/kernel/debug/xalloc"
#define XALLOCCTL_MAX_ARGS	64
#define WS			" \t\r\n"
#define ARRAY_SIZE(a)		(sizeof(a) / sizeof((a)[0]))

static const char *const stat_names[] = { XALLOC_STAT_NAMES };

static const struct {
	int nr;
	const char *name;
} errno_names[] = {
	{ EPERM, "EPERM" }, { ENOENT, "ENOENT" }, { EINTR, "EINTR" },
	{ EIO, "EIO" }, { ENXIO, "ENXIO" }, { E2BIG, "E2BIG" },
	{ EBADF, "EBADF" }, { EAGAIN, "EAGAIN" }, { ENOMEM, "ENOMEM" },
	{ EACCES, "EACCES" }, { EFAULT, "EFAULT" }, { EBUSY, "EBUSY" },
	{ EEXIST, "EEXIST" }, { ENODEV, "ENODEV" }, { EINVAL, "EINVAL" },
	{ ENOSPC, "ENOSPC" }, { ENOTTY, "ENOTTY" }, { ERANGE, "ERANGE" },
	{ EOPNOTSUPP, "EOPNOTSUPP" },
	{ EOVERFLOW, "EOVERFLOW" },
};

static const char *const feature_names[] = {
	"caches", "kmalloc", "pages", "bulk", "stats", "bench", "rcu", "mmap",
};

static int xfd = -1;		/* /dev/xalloc, opened by the first command */
static __u32 *handles;		/* every handle created, $1 is handles[0] */
static size_t nr_handles, max_handles;
static const char *cur_cmd = "xallocctl";

static const char *errno_name(int err)
{
	static char buf[16];

	for (size_t i = 0; i < ARRAY_SIZE(errno_names); i++)
		if (errno_names[i].nr == err)
			return errno_names[i].name;
	snprintf(buf, sizeof(buf), "errno %d", err);
	return buf;
}

/* Print "xallocctl: <command>: <message>" and return -1. */
static int fail(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "xallocctl: %s: ", cur_cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return -1;
}

static int fail_errno(const char *what, int err)
{
	return fail("%s: %s (%s)", what, errno_name(err), strerror(err));
}

static int dev(void)
{
	if (xfd < 0) {
		xfd = open(XALLOCCTL_DEV, O_RDWR | O_CLOEXEC);
		if (xfd < 0)
			fail_errno("open " XALLOCCTL_DEV, errno);
	}
	return xfd;
}

/* ioctl() on the device; on failure reports the errno and returns -1. */
static int xioctl(unsigned long cmd, void *arg, const char *what)
{
	if (dev() < 0)
		return -1;
	if (ioctl(xfd, cmd, arg) < 0)
		return fail_errno(what, errno);
	return 0;
}

/* Remember a new handle; returns its $ number. */
static size_t remember(__u32 h)
{
	if (nr_handles == max_handles) {
		max_handles = max_handles ? 2 * max_handles : 64;
		handles = realloc(handles, max_handles * sizeof(*handles));
		if (!handles) {
			perror("xallocctl");
			exit(1);
		}
	}
	handles[nr_handles++] = h;
	return nr_handles;
}

static int parse_u64(const char *s, unsigned long long *v)
{
	char *end;

	if (!*s || *s == '-')
		return fail("'%s' is not a number", s);
	errno = 0;
	*v = strtoull(s, &end, 0);
	if (errno || *end)
		return fail("'%s' is not a number", s);
	return 0;
}

static int parse_u32(const char *s, __u32 *v)
{
	unsigned long long x;

	if (parse_u64(s, &x))
		return -1;
	if (x > 0xffffffffULL)
		return fail("'%s' is too big", s);
	*v = x;
	return 0;
}

static int parse_node(const char *s, __s32 *v)
{
	char *end;
	long x;

	errno = 0;
	x = strtol(s, &end, 0);
	if (!*s || errno || *end || x < -0x80000000L || x > 0x7fffffffL)
		return fail("'%s' is not a node number", s);
	*v = x;
	return 0;
}

/* A handle: a number, or $N / %N for the N-th handle created so far. */
static int parse_handle(const char *s, __u32 *h)
{
	unsigned long long n;

	if (*s != '$' && *s != '%')
		return parse_u32(s, h);
	if (parse_u64(s + 1, &n))
		return -1;
	if (n < 1 || n > nr_handles)
		return fail("%s: only %zu handles so far", s, nr_handles);
	*h = handles[n - 1];
	return 0;
}

static int need_args(int argc, char **argv, int min, int max)
{
	if (argc - 1 < min || (max >= 0 && argc - 1 > max))
		return fail("wrong number of arguments to %s (see xallocctl --help)", argv[0]);
	return 0;
}

/* Option with a value: returns the value, or NULL after an error. */
static const char *opt_value(int argc, char **argv, int *i)
{
	if (*i + 1 >= argc) {
		fail("%s needs a value", argv[*i]);
		return NULL;
	}
	return argv[++*i];
}

static int cmd_version(int argc, char **argv)
{
	struct xalloc_version v = { 0 };

	if (need_args(argc, argv, 0, 0) || xioctl(XALLOC_IOC_VERSION, &v, "VERSION"))
		return -1;
	printf("abi_version %u (this tool: %u)\nfeatures   ", v.abi_version,
	       XALLOC_ABI_VERSION);
	for (size_t i = 0; i < 64; i++) {
		if (!(v.features & (1ULL << i)))
			continue;
		if (i < ARRAY_SIZE(feature_names))
			printf(" %s", feature_names[i]);
		else
			printf(" bit%zu", i);
	}
	printf("\n");
	return 0;
}

static int cmd_cache_create(int argc, char **argv)
{
	struct xalloc_cache_create c = { 0 };
	const char *v;
	int pos = 0;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--align")) {
			v = opt_value(argc, argv, &i);
			if (!v || parse_u32(v, &c.align))
				return -1;
		} else if (!strcmp(argv[i], "--hwcache")) {
			c.flags |= XALLOC_CACHE_HWCACHE_ALIGN;
		} else if (pos == 0) {
			if (strlen(argv[i]) >= sizeof(c.name))
				return fail("name '%s' longer than %d characters",
					    argv[i], XALLOC_NAME_LEN - 1);
			snprintf(c.name, sizeof(c.name), "%s", argv[i]);
			pos++;
		} else if (pos == 1) {
			if (parse_u32(argv[i], &c.size))
				return -1;
			pos++;
		} else {
			return fail("unexpected argument '%s'", argv[i]);
		}
	}
	if (pos != 2)
		return fail("usage: cache-create NAME SIZE [--align N] [--hwcache]");
	if (xioctl(XALLOC_IOC_CACHE_CREATE, &c, "CACHE_CREATE"))
		return -1;
	printf("cache %s: handle %u ($%zu)\n", c.name, c.handle, remember(c.handle));
	return 0;
}

static int cmd_cache_destroy(int argc, char **argv)
{
	struct xalloc_cache_destroy d = { 0 };

	if (need_args(argc, argv, 1, 1) || parse_handle(argv[1], &d.handle) ||
	    xioctl(XALLOC_IOC_CACHE_DESTROY, &d, "CACHE_DESTROY"))
		return -1;
	printf("cache %u destroyed\n", d.handle);
	return 0;
}

static void print_new_handles(const char *what, const __u32 *h, __u32 count)
{
	size_t first = 0;

	for (__u32 i = 0; i < count; i++) {
		size_t n = remember(h[i]);

		if (!i)
			first = n;
	}
	printf("%s: %u handle%s ($%zu", what, count, count == 1 ? "" : "s", first);
	if (count > 1)
		printf("..$%zu", first + count - 1);
	printf("):");
	for (__u32 i = 0; i < count; i++)
		printf(" %u", h[i]);
	printf("\n");
}

static int cmd_alloc(int argc, char **argv)
{
	struct xalloc_obj_alloc a = { .node = -1, .count = 1 };
	int have_cache = 0, have_size = 0, ret;
	const char *v;
	__u32 *h;

	for (int i = 1; i < argc; i++) {
		const char *o = argv[i];

		if (!strcmp(o, "--zero")) {
			a.flags |= XALLOC_OBJ_ZERO;
			continue;
		}
		if (!strcmp(o, "--bulk")) {
			a.flags |= XALLOC_OBJ_BULK;
			continue;
		}
		if (!strcmp(o, "--this-node")) {
			a.flags |= XALLOC_OBJ_NODE;
			continue;
		}
		if (strcmp(o, "--cache") && strcmp(o, "--size") &&
		    strcmp(o, "--count") && strcmp(o, "--node"))
			return fail("unknown option '%s'", o);
		v = opt_value(argc, argv, &i);
		if (!v)
			return -1;
		if (!strcmp(o, "--cache")) {
			ret = parse_handle(v, &a.cache);
			have_cache = 1;
		} else if (!strcmp(o, "--size")) {
			ret = parse_u32(v, &a.size);
			have_size = 1;
		} else if (!strcmp(o, "--count")) {
			ret = parse_u32(v, &a.count);
		} else {
			ret = parse_node(v, &a.node);
		}
		if (ret)
			return -1;
	}
	if (have_cache == have_size)
		return fail("give either --cache HANDLE or --size BYTES");
	/* Pass any count through: the kernel judges it, up to its array. */
	h = calloc(a.count ? a.count : 1, sizeof(*h));
	if (!h)
		return fail_errno("calloc", errno);
	a.handles = (unsigned long)h;
	ret = xioctl(XALLOC_IOC_OBJ_ALLOC, &a, "OBJ_ALLOC");
	if (!ret)
		print_new_handles(have_cache ? "objects" : "kmalloc objects", h, a.count);
	free(h);
	return ret;
}

static int cmd_free(int argc, char **argv)
{
	struct xalloc_free f = { 0 };
	__u32 h[XALLOC_MAX_BATCH];

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--bulk")) {
			f.flags |= XALLOC_OBJ_BULK;
			continue;
		}
		if (f.count == XALLOC_MAX_BATCH)
			return fail("at most %d handles per free", XALLOC_MAX_BATCH);
		if (parse_handle(argv[i], &h[f.count]))
			return -1;
		f.count++;
	}
	if (!f.count)
		return fail("usage: free HANDLE... [--bulk]");
	f.handles = (unsigned long)h;
	if (xioctl(XALLOC_IOC_FREE, &f, "FREE"))
		return -1;
	printf("freed %u handle%s\n", f.count, f.count == 1 ? "" : "s");
	return 0;
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

static int cmd_write(int argc, char **argv)
{
	struct xalloc_obj_io io = { 0 };
	unsigned long long off;
	unsigned char *buf;
	const char *data;
	size_t len;
	int ret;

	if (argc == 5 && !strcmp(argv[3], "--hex")) {
		data = argv[4];
		len = strlen(data);
		if (len % 2)
			return fail("odd number of hex digits");
		len /= 2;
		buf = malloc(len + 1);
		if (!buf)
			return fail_errno("malloc", errno);
		for (size_t i = 0; i < len; i++) {
			int hi = hexval(data[2 * i]), lo = hexval(data[2 * i + 1]);

			if (hi < 0 || lo < 0) {
				free(buf);
				return fail("'%s' is not hex", data);
			}
			buf[i] = hi << 4 | lo;
		}
	} else if (argc == 4) {
		len = strlen(argv[3]);
		buf = (unsigned char *)strdup(argv[3]);
		if (!buf)
			return fail_errno("strdup", errno);
	} else {
		return fail("usage: write HANDLE OFFSET STRING | write HANDLE OFFSET --hex HEX");
	}
	ret = -1;
	if (!parse_handle(argv[1], &io.handle) && !parse_u64(argv[2], &off)) {
		io.offset = off;
		io.len = len;
		io.buf = (unsigned long)buf;
		ret = xioctl(XALLOC_IOC_OBJ_WRITE, &io, "OBJ_WRITE");
		if (!ret)
			printf("wrote %zu byte%s to %u at %llu\n", len, len == 1 ? "" : "s",
			       io.handle, (unsigned long long)io.offset);
	}
	free(buf);
	return ret;
}

static void hexdump(unsigned long long base, const unsigned char *p, size_t len)
{
	for (size_t off = 0; off < len; off += 16) {
		size_t n = len - off < 16 ? len - off : 16;

		printf("%08llx ", base + off);
		for (size_t i = 0; i < 16; i++) {
			if (i == 8)
				putchar(' ');
			if (i < n)
				printf(" %02x", p[off + i]);
			else
				printf("   ");
		}
		printf("  |");
		for (size_t i = 0; i < n; i++)
			putchar(isprint(p[off + i]) ? p[off + i] : '.');
		printf("|\n");
	}
}

static int cmd_read(int argc, char **argv)
{
	struct xalloc_obj_io io = { 0 };
	unsigned long long off, len;
	unsigned char *buf;
	int ret;

	if (need_args(argc, argv, 3, 3) || parse_handle(argv[1], &io.handle) ||
	    parse_u64(argv[2], &off) || parse_u64(argv[3], &len))
		return -1;
	if (len > (64ULL << 20))
		return fail("at most 64 MiB per read");
	buf = malloc(len ? len : 1);
	if (!buf)
		return fail_errno("malloc", errno);
	io.offset = off;
	io.len = len;
	io.buf = (unsigned long)buf;
	ret = xioctl(XALLOC_IOC_OBJ_READ, &io, "OBJ_READ");
	if (!ret)
		hexdump(off, buf, len);
	free(buf);
	return ret;
}

static int cmd_pages(int argc, char **argv)
{
	struct xalloc_pages_alloc p = { .node = -1 };
	int have_order = 0;
	const char *v;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--zero")) {
			p.flags |= XALLOC_OBJ_ZERO;
		} else if (!strcmp(argv[i], "--this-node")) {
			p.flags |= XALLOC_OBJ_NODE;
		} else if (!strcmp(argv[i], "--node")) {
			v = opt_value(argc, argv, &i);
			if (!v || parse_node(v, &p.node))
				return -1;
		} else if (!have_order && argv[i][0] != '-') {
			if (parse_u32(argv[i], &p.order))
				return -1;
			have_order = 1;
		} else {
			return fail("unexpected argument '%s'", argv[i]);
		}
	}
	if (!have_order)
		return fail("usage: pages ORDER [--node N] [--this-node] [--zero]");
	if (xioctl(XALLOC_IOC_PAGES_ALLOC, &p, "PAGES_ALLOC"))
		return -1;
	printf("pages: order %u (%llu KiB): handle %u ($%zu)\n", p.order,
	       4ULL << p.order, p.handle, remember(p.handle));
	return 0;
}

/* The length of block @h: the longest mapping the kernel accepts. */
static long block_len(__u32 h, long page)
{
	for (int order = XALLOC_NR_ORDERS_MAX - 1; order >= 0; order--) {
		void *p = mmap(NULL, page << order, PROT_READ, MAP_SHARED, xfd,
			       XALLOC_MMAP_OFFSET(h, page));

		if (p != MAP_FAILED) {
			munmap(p, page << order);
			return page << order;
		}
		if (errno != EINVAL)
			return -errno;
	}
	return -EINVAL;
}

/* Pattern byte @i of a mapping of handle @h: differs per page and handle. */
static unsigned char map_byte(__u32 h, size_t i, long page)
{
	return (unsigned char)(h * 31 + i / page * 17 + i);
}

static int cmd_map(int argc, char **argv)
{
	unsigned long long len = 0;
	int keep = 0, ro = 0, have_h = 0;
	struct xalloc_obj_io io = { 0 };
	long page = sysconf(_SC_PAGESIZE);
	unsigned char *p, *buf;
	size_t bad = 0;
	const char *v;
	__u32 h = 0;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--keep")) {
			keep = 1;
		} else if (!strcmp(argv[i], "--read-only")) {
			ro = 1;
		} else if (!strcmp(argv[i], "--len")) {
			v = opt_value(argc, argv, &i);
			if (!v || parse_u64(v, &len))
				return -1;
		} else if (!have_h && argv[i][0] != '-') {
			if (parse_handle(argv[i], &h))
				return -1;
			have_h = 1;
		} else {
			return fail("unexpected argument '%s'", argv[i]);
		}
	}
	if (!have_h)
		return fail("usage: map HANDLE [--len BYTES] [--read-only] [--keep]");
	if (dev() < 0)
		return -1;
	if (!len) {
		long n = block_len(h, page);

		if (n < 0)
			return fail_errno("mmap", -n);
		len = n;
	}
	p = mmap(NULL, len, ro ? PROT_READ : PROT_READ | PROT_WRITE, MAP_SHARED, xfd,
		 XALLOC_MMAP_OFFSET(h, page));
	if (p == MAP_FAILED)
		return fail_errno("mmap", errno);
	printf("map: handle %u: %llu bytes (%llu page%s) at %p\n", h, len,
	       (len + page - 1) / page, len > (unsigned long long)page ? "s" : "", (void *)p);
	if (!ro) {
		for (size_t i = 0; i < len; i++)
			p[i] = map_byte(h, i, page);
		for (size_t i = 0; i < len; i++)
			bad += p[i] != map_byte(h, i, page);
		printf("map: wrote a pattern through the mapping: %s\n",
		       bad ? "MISMATCH on reading back" : "read back the same");
	}
	/* What OBJ_READ sees is what the mapping holds. */
	buf = malloc(len);
	if (!buf) {
		munmap(p, len);
		return fail_errno("malloc", errno);
	}
	io.handle = h;
	io.len = len;
	io.buf = (unsigned long)buf;
	if (xioctl(XALLOC_IOC_OBJ_READ, &io, "OBJ_READ")) {
		free(buf);
		munmap(p, len);
		return -1;
	}
	if (memcmp(buf, p, len)) {
		bad++;
		printf("map: OBJ_READ differs from the mapping\n");
	} else {
		printf("map: OBJ_READ of %llu bytes equals the mapping\n", len);
	}
	hexdump(0, p, len < 32 ? len : 32);
	free(buf);
	if (keep)
		printf("map: kept until xallocctl exits (the block lives that long)\n");
	else
		munmap(p, len);
	return bad ? fail("the mapping and the block differ") : 0;
}

static int cmd_stats(int argc, char **argv)
{
	struct xalloc_cache_stats st = { 0 };

	if (argc == 3 && !strcmp(argv[1], "--handle")) {
		if (parse_handle(argv[2], &st.cache))
			return -1;
	} else if (argc == 2) {
		if (strlen(argv[1]) >= sizeof(st.name))
			return fail("name '%s' too long", argv[1]);
		snprintf(st.name, sizeof(st.name), "%s", argv[1]);
	} else {
		return fail("usage: stats CACHE-NAME | stats --handle HANDLE");
	}
	if (xioctl(XALLOC_IOC_CACHE_STATS, &st, "CACHE_STATS"))
		return -1;
	st.name[sizeof(st.name) - 1] = 0;
	printf("cache %s\n", st.name);
	printf("  %-24s %12u\n", "object_size", st.object_size);
	printf("  %-24s %12u\n", "size (stride)", st.size);
	printf("  %-24s %12u\n", "objs_per_slab", st.objs_per_slab);
	printf("  %-24s %12u\n", "order", st.order);
	printf("  %-24s %12llu\n", "active_objs", (unsigned long long)st.active_objs);
	printf("  %-24s %12llu\n", "num_objs", (unsigned long long)st.num_objs);
	printf("  %-24s %12llu\n", "num_slabs", (unsigned long long)st.num_slabs);
	printf("counters\n");
	for (__u32 i = 0; i < st.nr_stats && i < XALLOC_NR_STATS; i++) {
		char unknown[16];
		const char *name = unknown;

		if (i < ARRAY_SIZE(stat_names))
			name = stat_names[i];
		else
			snprintf(unknown, sizeof(unknown), "stat%u", i);
		printf("  %-24s %12llu\n", name, (unsigned long long)st.stat[i]);
	}
	return 0;
}

static void print_zone(const struct xalloc_zone_stats *z)
{
	unsigned long long total = 0;

	printf("node %d\n", z->node);
	printf("  %-10s %12llu\n", "chunks", (unsigned long long)z->chunks);
	printf("  %-10s %12llu\n", "present", (unsigned long long)z->present_pages);
	printf("  %-10s %12llu\n", "free", (unsigned long long)z->free_pages);
	printf("  %-10s %12llu\n", "pcp", (unsigned long long)z->pcp_pages);
	printf("  %-10s %12llu\n", "alloc", (unsigned long long)z->nr_alloc);
	printf("  %-10s %12llu\n", "freed", (unsigned long long)z->nr_freed);
	printf("  %-10s %12llu\n", "split", (unsigned long long)z->nr_split);
	printf("  %-10s %12llu\n", "merge", (unsigned long long)z->nr_merge);
	printf("  %-10s %12llu\n", "failed", (unsigned long long)z->nr_failed);
	printf("  %-5s %12s %12s\n", "order", "free blocks", "free pages");
	for (__u32 o = 0; o < z->nr_orders && o < XALLOC_NR_ORDERS_MAX; o++) {
		printf("  %5u %12llu %12llu\n", o, (unsigned long long)z->nr_free[o],
		       (unsigned long long)z->nr_free[o] << o);
		total += z->nr_free[o] << o;
	}
	printf("  %-5s %12s %12llu\n", "total", "", total);
}

static int cmd_zone(int argc, char **argv)
{
	struct xalloc_zone_stats z;
	int found = 0;

	if (need_args(argc, argv, 0, 1))
		return -1;
	if (argc == 2) {
		memset(&z, 0, sizeof(z));
		if (parse_node(argv[1], &z.node) ||
		    xioctl(XALLOC_IOC_ZONE_STATS, &z, "ZONE_STATS"))
			return -1;
		print_zone(&z);
		return 0;
	}
	if (dev() < 0)
		return -1;
	/* Every node with a zone; nodes without memory answer EINVAL. */
	for (int nid = 0; nid < 1024; nid++) {
		memset(&z, 0, sizeof(z));
		z.node = nid;
		if (ioctl(xfd, XALLOC_IOC_ZONE_STATS, &z) < 0) {
			if (errno == EINVAL)
				continue;
			return fail_errno("ZONE_STATS", errno);
		}
		print_zone(&z);
		found++;
	}
	if (!found)
		return fail("no node has an xalloc zone");
	return 0;
}

static FILE *open_debugfs(const char *name)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", XALLOCCTL_DEBUGFS, name);
	f = fopen(path, "r");
	if (!f)
		fail_errno(path, errno);
	return f;
}

static int cmd_slabinfo(int argc, char **argv)
{
	unsigned long long act, num, slabs, tact = 0, tnum = 0, tslabs = 0, tkib = 0;
	unsigned int objsize, perslab, pages;
	char line[512], name[64];
	FILE *f;
	int n = 0;

	if (need_args(argc, argv, 0, 0))
		return -1;
	f = open_debugfs("slabinfo");
	if (!f)
		return -1;
	printf("%-20s %10s %10s %8s %8s %6s %8s %10s %6s\n", "name", "active", "total",
	       "objsize", "per-slab", "pages", "slabs", "KiB", "use%");
	while (fgets(line, sizeof(line), f)) {
		unsigned long long kib;

		if (line[0] == '#' || !strncmp(line, "slabinfo", 8))
			continue;
		if (sscanf(line, "%63s %llu %llu %u %u %u : tunables %*u %*u %*u : slabdata %llu",
			   name, &act, &num, &objsize, &perslab, &pages, &slabs) != 7) {
			fclose(f);
			return fail("cannot parse: %s", line);
		}
		kib = slabs * pages * 4;
		printf("%-20s %10llu %10llu %8u %8u %6u %8llu %10llu %5llu%%\n", name, act, num,
		       objsize, perslab, pages, slabs, kib, num ? act * 100 / num : 0);
		tact += act;
		tnum += num;
		tslabs += slabs;
		tkib += kib;
		n++;
	}
	fclose(f);
	printf("%-20s %10llu %10llu %8s %8s %6s %8llu %10llu %5llu%%\n", "total", tact, tnum,
	       "", "", "", tslabs, tkib, tnum ? tact * 100 / tnum : 0);
	printf("%d caches\n", n);
	return 0;
}

static int cmd_buddyinfo(int argc, char **argv)
{
	char line[1024], zone[32];
	int header = 0, nid, pos;
	FILE *f;

	if (need_args(argc, argv, 0, 0))
		return -1;
	f = open_debugfs("buddyinfo");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		unsigned long long cnt[64], pages = 0;
		const char *p;
		int n = 0;

		if (sscanf(line, "Node %d, zone %31s%n", &nid, zone, &pos) != 2) {
			fclose(f);
			return fail("cannot parse: %s", line);
		}
		for (p = line + pos; n < 64; ) {
			char *end;

			while (*p == ' ')
				p++;
			if (!isdigit(*p))
				break;
			cnt[n] = strtoull(p, &end, 10);
			pages += cnt[n] << n;
			n++;
			p = end;
		}
		if (!header) {
			printf("%-6s %-8s", "node", "zone");
			for (int o = 0; o < n; o++)
				printf(" %6d", o);
			printf(" %10s %10s\n", "free pages", "free MiB");
			header = 1;
		}
		printf("%-6d %-8s", nid, zone);
		for (int o = 0; o < n; o++)
			printf(" %6llu", cnt[o]);
		printf(" %10llu %10llu\n", pages, pages * 4 / 1024);
	}
	fclose(f);
	if (!header)
		return fail("buddyinfo is empty");
	return 0;
}

static int cmd_bench(int argc, char **argv)
{
	static const char *const names[] = { NULL, "cache", "kmalloc", "pages" };
	struct xalloc_bench b = { 0 };
	unsigned long long iter;

	if (need_args(argc, argv, 3, 3))
		return -1;
	for (__u32 i = 1; i < ARRAY_SIZE(names); i++)
		if (!strcmp(argv[1], names[i]))
			b.scenario = i;
	if (!b.scenario && parse_u32(argv[1], &b.scenario))
		return -1;
	if (parse_u32(argv[2], &b.size) || parse_u64(argv[3], &iter))
		return -1;
	b.iterations = iter;
	if (xioctl(XALLOC_IOC_BENCH, &b, "BENCH"))
		return -1;
	printf("%-8s %12s %12s\n", "", "total ns", "ns/pair");
	printf("%-8s %12llu %12llu\n", "xalloc", (unsigned long long)b.xalloc_ns,
	       (unsigned long long)(b.xalloc_ns / b.iterations));
	printf("%-8s %12llu %12llu\n", "kernel", (unsigned long long)b.kernel_ns,
	       (unsigned long long)(b.kernel_ns / b.iterations));
	return 0;
}

static int cmd_run(int argc, char **argv);

static const struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *usage;
	const char *help;
} commands[] = {
	{ "version", cmd_version, "version",
	  "ABI version and features of the module." },
	{ "cache-create", cmd_cache_create, "cache-create NAME SIZE [--align N] [--hwcache]",
	  "Create a cache of SIZE-byte objects owned by the open file; NAME is\n"
	  "[A-Za-z0-9._-], at most 31 characters. Prints its handle." },
	{ "cache-destroy", cmd_cache_destroy, "cache-destroy HANDLE",
	  "Destroy a cache; EBUSY while objects of it are allocated." },
	{ "alloc", cmd_alloc,
	  "alloc (--cache H | --size N) [--count N] [--node N] [--this-node] [--zero] [--bulk]",
	  "Allocate COUNT (default 1, at most 1024) objects from a cache or from\n"
	  "kmalloc (SIZE up to 4 MiB). --node prefers a node, --this-node insists\n"
	  "on it, --zero clears, --bulk uses the bulk interface. Prints handles." },
	{ "free", cmd_free, "free HANDLE... [--bulk]",
	  "Free objects and page blocks; nothing is freed if one handle is bad." },
	{ "write", cmd_write, "write HANDLE OFFSET STRING | write HANDLE OFFSET --hex HEX",
	  "Copy a string (without its NUL) or hex bytes into an object or block." },
	{ "read", cmd_read, "read HANDLE OFFSET LEN",
	  "Hex dump LEN bytes of an object or block from OFFSET." },
	{ "pages", cmd_pages, "pages ORDER [--node N] [--this-node] [--zero]",
	  "Allocate a block of 2^ORDER pages from the xalloc zone; free with free." },
	{ "map", cmd_map, "map HANDLE [--len BYTES] [--read-only] [--keep]",
	  "mmap() a page block (default: all of it), write a pattern through the\n"
	  "mapping (not with --read-only), check it and OBJ_READ against each\n"
	  "other, hex dump the start. --keep leaves it mapped: a later free of\n"
	  "the handle then leaves the block in use until xallocctl exits." },
	{ "stats", cmd_stats, "stats CACHE-NAME | stats --handle HANDLE",
	  "Size, slab geometry, object counts and the SLUB counters of a cache." },
	{ "zone", cmd_zone, "zone [NODE]",
	  "Zone counters and free blocks per order of one node, or of all." },
	{ "slabinfo", cmd_slabinfo, "slabinfo",
	  "All caches from " XALLOCCTL_DEBUGFS "/slabinfo, with a total row." },
	{ "buddyinfo", cmd_buddyinfo, "buddyinfo",
	  "Free blocks per order and node from " XALLOCCTL_DEBUGFS "/buddyinfo." },
	{ "bench", cmd_bench, "bench cache|kmalloc|pages SIZE ITERATIONS",
	  "Time alloc+free pairs in the kernel, xalloc against the kernel's own\n"
	  "allocator (SIZE is the object size, or the order for pages)." },
	{ "top", cmd_top, "top [--once] [--sort COLUMN] [--interval SECONDS] [--count N]",
	  "Live view of the caches like slabtop: objects, size, slabs, memory,\n"
	  "waste and alloc/free rates, refreshed every SECONDS (default 1), sorted\n"
	  "by name, active, total, use, size, slabs, memory (default), waste,\n"
	  "alloc or free. --once prints one table (rates over one interval)." },
	{ "run", cmd_run, "run SCRIPT|-",
	  "Run a script (- for stdin): one command per line, '#' starts a\n"
	  "comment, words are split at blanks. All commands share one open\n"
	  "file, so $N handles stay valid until the end. Stops at the first error." },
};

static void print_help(FILE *out)
{
	fprintf(out,
		"usage: xallocctl COMMAND [ARGS] [';' COMMAND [ARGS]]...\n"
		"       xallocctl run SCRIPT\n"
		"\n"
		"Drives " XALLOCCTL_DEV " (root only). Handles (caches, objects, page blocks)\n"
		"belong to the open file and are freed when xallocctl exits, so a\n"
		"session that needs them must be one invocation: chain commands with\n"
		"';' as a separate argument (quote it in the shell) or use run. Each\n"
		"new handle is also numbered in creation order across the invocation:\n"
		"$1 (or %%1, which needs no quoting) is the first handle created.\n"
		"Errors name the command and the errno; the exit status is then 1.\n"
		"\n"
		"Commands:\n");
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++) {
		const char *h = commands[i].help;

		fprintf(out, "  %s\n      ", commands[i].usage);
		for (; *h; h++) {
			fputc(*h, out);
			if (*h == '\n')
				fputs("      ", out);
		}
		fputc('\n', out);
	}
	fprintf(out,
		"\n"
		"Examples:\n"
		"  xallocctl version\n"
		"  xallocctl cache-create demo 100 \\; alloc --cache %%1 --count 2 --zero \\;\n"
		"            write %%2 0 hello \\; read %%2 0 16 \\; stats demo\n"
		"  xallocctl alloc --size 5000 --node 1 --this-node \\; zone 1\n"
		"  xallocctl pages 3 --zero \\; write %%1 4096 --hex deadbeef \\; read %%1 4094 8\n"
		"  xallocctl pages 2 \\; map %%1 --keep \\; free %%1 \\; zone 0\n"
		"  xallocctl slabinfo; xallocctl buddyinfo\n"
		"  xallocctl run session.xa     # session.xa:\n"
		"      cache-create demo 64 --hwcache   # $1\n"
		"      alloc --cache $1 --count 3       # $2 $3 $4\n"
		"      write $2 0 hello\n"
		"      read $2 0 8\n"
		"      stats demo\n"
		"      free $2 $3 $4\n"
		"      cache-destroy $1\n");
}

/* Run one command given as words; 0 or -1. */
static int dispatch(int argc, char **argv)
{
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++) {
		if (strcmp(argv[0], commands[i].name))
			continue;
		cur_cmd = commands[i].name;
		return commands[i].fn(argc, argv);
	}
	cur_cmd = argv[0];
	return fail("unknown command (see xallocctl --help)");
}

static int cmd_run(int argc, char **argv)
{
	char line[4096], *words[XALLOCCTL_MAX_ARGS];
	const char *path;
	int lineno = 0, ret = 0;
	FILE *f;

	if (need_args(argc, argv, 1, 1))
		return -1;
	path = argv[1];
	f = strcmp(path, "-") ? fopen(path, "r") : stdin;
	if (!f)
		return fail_errno(path, errno);
	while (!ret && fgets(line, sizeof(line), f)) {
		char *p = strchr(line, '#'), *save, *w;
		int n = 0;

		lineno++;
		if (p)
			*p = 0;
		for (w = strtok_r(line, WS, &save); w; w = strtok_r(NULL, WS, &save)) {
			if (n == XALLOCCTL_MAX_ARGS) {
				fail("%s:%d: too many words", path, lineno);
				ret = -1;
				break;
			}
			words[n++] = w;
		}
		if (ret || !n)
			continue;
		if (!strcmp(words[0], "run")) {
			ret = fail("%s:%d: run does not nest", path, lineno);
			break;
		}
		printf("> %s", words[0]);
		for (int i = 1; i < n; i++)
			printf(" %s", words[i]);
		printf("\n");
		fflush(stdout);
		ret = dispatch(n, words);
		if (ret)
			fprintf(stderr, "xallocctl: stopped at %s:%d\n", path, lineno);
	}
	if (f != stdin)
		fclose(f);
	cur_cmd = "run";
	return ret;
}

int main(int argc, char **argv)
{
	int start = 1;

	if (argc < 2) {
		print_help(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		print_help(stdout);
		return 0;
	}
	/* Commands separated by ";" arguments, all on one open file. */
	for (int i = 1; i <= argc; i++) {
		if (i < argc && strcmp(argv[i], ";"))
			continue;
		argv[i] = NULL;
		if (i > start && dispatch(i - start, argv + start))
			return 1;
		fflush(stdout);
		start = i + 1;
	}
	return 0;
}
