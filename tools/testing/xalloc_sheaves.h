/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the user-space tests need to know of a cache's per-CPU sheaves: the
 * objects they hold count as active in the cache's stats (as in the kernel's
 * slabinfo with sheaves), so exact counts of what a test holds subtract them.
 */
#ifndef _XALLOC_TESTING_SHEAVES_H
#define _XALLOC_TESTING_SHEAVES_H

#include <stdio.h>

/*
 * Objects in the sheaves and barns of cache @name: the "sheaf_objects" line
 * of its debugfs stats file; 0 without sheaves or without debugfs.
 */
static inline unsigned long long cache_sheaf_objects(const char *name)
{
	unsigned long long n = 0;
	char path[128], line[256];
	FILE *f;

	snprintf(path, sizeof(path), "/sys/kernel/debug/xalloc/caches/%s/stats", name);
	f = fopen(path, "r");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "sheaf_objects %llu", &n) == 1)
			break;
	fclose(f);
	return n;
}

#endif /* _XALLOC_TESTING_SHEAVES_H */
