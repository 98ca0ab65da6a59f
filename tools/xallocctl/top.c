// SPDX-License-Identifier: GPL-2.0
/*
 * xallocctl top: a slabtop-like live view of xalloc's caches, from
 * /sys/kernel/debug/xalloc/slabinfo and each cache's stats file: objects
 * active and total, object size, slabs, memory, waste, and alloc and free
 * rates per second, sorted by a column, fitted to the terminal's width.
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "xallocctl.h"

#define MAX_CACHES	256
#define DEBUGFS		"/sys/kernel/debug/xalloc"

struct row {
	char name[40];
	unsigned long active, total, objsize, perslab, pages, slabs;
	unsigned long long allocs, frees;	/* counters, for the rates */
	double alloc_rate, free_rate;
};

struct column {
	const char *title;
	int width;
	const char *key;
};

static const struct column columns[] = {
	{ "ACTIVE", 9, "active" }, { "TOTAL", 9, "total" }, { "USE", 5, "use" },
	{ "OBJSIZE", 8, "size" }, { "SLABS", 7, "slabs" }, { "MEM KiB", 9, "memory" },
	{ "WASTE KiB", 10, "waste" }, { "ALLOC/s", 10, "alloc" }, { "FREE/s", 10, "free" },
};

static unsigned long row_memory(const struct row *r)
{
	return r->slabs * r->pages * (unsigned long)getpagesize() / 1024;
}

static unsigned long row_waste(const struct row *r)
{
	unsigned long used = r->active * r->objsize / 1024;

	return row_memory(r) > used ? row_memory(r) - used : 0;
}

static int nr_columns(void)
{
	return sizeof(columns) / sizeof(*columns);
}

static double row_value(const struct row *r, int col)
{
	const double v[] = {
		r->active, r->total, r->total ? 100.0 * r->active / r->total : 0,
		r->objsize, r->slabs, row_memory(r), row_waste(r), r->alloc_rate,
		r->free_rate,
	};

	return v[col];
}

static unsigned long long stat_sum(const char *cache, const char *a, const char *b)
{
	unsigned long long sum = 0, v;
	char path[256], line[512], name[64];
	FILE *f;

	snprintf(path, sizeof(path), DEBUGFS "/caches/%s/stats", cache);
	f = fopen(path, "r");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%63s %llu", name, &v) == 2 &&
		    (!strcmp(name, a) || !strcmp(name, b)))
			sum += v;
	fclose(f);
	return sum;
}

static int read_rows(struct row *rows)
{
	char line[512];
	int n = 0;
	FILE *f;

	f = fopen(DEBUGFS "/slabinfo", "r");
	if (!f) {
		fprintf(stderr, "xallocctl top: %s/slabinfo: %s\n", DEBUGFS, strerror(errno));
		fprintf(stderr, "is xalloc loaded and debugfs mounted?\n");
		return -1;
	}
	while (n < MAX_CACHES && fgets(line, sizeof(line), f)) {
		struct row *r = &rows[n];

		if (line[0] == '#' || !strncmp(line, "slabinfo", 8))
			continue;
		if (sscanf(line,
			   "%39s %lu %lu %lu %lu %lu : tunables %*u %*u %*u : slabdata %*u %lu",
			   r->name, &r->active, &r->total, &r->objsize, &r->perslab,
			   &r->pages, &r->slabs) != 7)
			continue;
		r->allocs = stat_sum(r->name, "alloc_fastpath", "alloc_slowpath");
		r->frees = stat_sum(r->name, "free_fastpath", "free_slowpath");
		n++;
	}
	fclose(f);
	return n;
}

static int sort_col;

static int compare_rows(const void *a, const void *b)
{
	const struct row *x = a, *y = b;
	double vx, vy;

	if (sort_col < 0)
		return strcmp(x->name, y->name);
	vx = row_value(x, sort_col);
	vy = row_value(y, sort_col);
	return vx < vy ? 1 : vx > vy ? -1 : strcmp(x->name, y->name);
}

static int terminal_width(void)
{
	struct winsize ws;
	const char *env = getenv("COLUMNS");

	if (!ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) && ws.ws_col)
		return ws.ws_col;
	if (env && atoi(env) > 0)
		return atoi(env);
	return 80;
}

/* The name column takes what the numbers leave, at least 12; numbers that
 * do not fit are left out from the right.
 */
static void print_table(struct row *rows, int n, double seconds)
{
	int width = terminal_width(), name_w = 20, shown = nr_columns(), used;

	for (;;) {
		used = 0;
		for (int c = 0; c < shown; c++)
			used += columns[c].width + 1;
		if (used + 12 <= width || shown == 1)
			break;
		shown--;
	}
	name_w = width - used > 24 ? 24 : width - used;
	if (name_w < 12)
		name_w = 12;

	qsort(rows, n, sizeof(*rows), compare_rows);
	printf("xalloc caches: %d, rates over %.1f s, sorted by %s\n", n, seconds,
	       sort_col < 0 ? "name" : columns[sort_col].key);
	printf("%-*s", name_w, "NAME");
	for (int c = 0; c < shown; c++)
		printf(" %*s", columns[c].width, columns[c].title);
	putchar('\n');
	for (int i = 0; i < n; i++) {
		printf("%-*.*s", name_w, name_w, rows[i].name);
		for (int c = 0; c < shown; c++) {
			if (c == 2)
				printf(" %*.0f%%", columns[c].width - 1, row_value(&rows[i], c));
			else
				printf(" %*.0f", columns[c].width, row_value(&rows[i], c));
		}
		putchar('\n');
	}
}

static void rates(struct row *now, int n, struct row *before, int m, double seconds)
{
	for (int i = 0; i < n; i++) {
		now[i].alloc_rate = 0;
		now[i].free_rate = 0;
		for (int j = 0; j < m; j++) {
			if (strcmp(now[i].name, before[j].name))
				continue;
			now[i].alloc_rate = (now[i].allocs - before[j].allocs) / seconds;
			now[i].free_rate = (now[i].frees - before[j].frees) / seconds;
		}
	}
}

static double now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/**
 * cmd_top() - xallocctl top [--once] [--sort COLUMN] [--interval SECONDS]
 *             [--count N]
 * @argc: argument count
 * @argv: arguments
 *
 * Return: 0, or 1 if slabinfo can't be read or an option is bad.
 */
int cmd_top(int argc, char **argv)
{
	static struct row a[MAX_CACHES], b[MAX_CACHES];
	struct row *now = a, *before = b, *tmp;
	double interval = 1.0, t0, t1;
	int once = 0, count = -1, n, m;

	sort_col = 5;	/* memory */
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--once")) {
			once = 1;
		} else if (!strcmp(argv[i], "--sort") && i + 1 < argc) {
			const char *key = argv[++i];

			sort_col = -2;
			if (!strcmp(key, "name"))
				sort_col = -1;
			for (int c = 0; c < nr_columns(); c++)
				if (!strcmp(key, columns[c].key))
					sort_col = c;
			if (sort_col == -2) {
				fprintf(stderr, "xallocctl top: unknown column %s\n", key);
				fputs("columns: name active total use size slabs memory\n"
				      "         waste alloc free\n",
				      stderr);
				return 1;
			}
		} else if (!strcmp(argv[i], "--interval") && i + 1 < argc) {
			interval = atof(argv[++i]);
			if (interval <= 0) {
				fprintf(stderr, "xallocctl top: bad interval\n");
				return 1;
			}
		} else if (!strcmp(argv[i], "--count") && i + 1 < argc) {
			count = atoi(argv[++i]);
		} else {
			fprintf(stderr, "xallocctl top: bad argument %s\n", argv[i]);
			return 1;
		}
	}
	m = read_rows(before);
	if (m < 0)
		return 1;
	t0 = now_seconds();
	if (once)
		count = 1;
	for (int round = 0; count < 0 || round < count; round++) {
		usleep((useconds_t)(interval * 1e6));
		n = read_rows(now);
		if (n < 0)
			return 1;
		t1 = now_seconds();
		rates(now, n, before, m, t1 - t0);
		if (!once && isatty(STDOUT_FILENO))
			printf("\033[H\033[2J");
		print_table(now, n, t1 - t0);
		fflush(stdout);
		tmp = before;
		before = now;
		now = tmp;
		m = n;
		t0 = t1;
	}
	return 0;
}
