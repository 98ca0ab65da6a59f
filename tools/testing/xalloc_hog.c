// SPDX-License-Identifier: GPL-2.0
/*
 * xalloc_hog: memory pressure from user space, for a guest without swap or
 * block device: map anonymous memory in steps, touch every page, and print
 * how much is held after each step, so that the last line says how far it
 * got if the OOM killer ends it.
 *
 * usage: xalloc_hog MIB [STEP_MIB]
 *   MIB       how much to take in all (e.g. MemTotal: more than there is)
 *   STEP_MIB  one mmap each, 8 unless given
 *
 * Output lines: "hog: N MiB touched" after each step, then "hog: done N MiB"
 * once MIB are held, or "hog: mmap failed at N MiB: ERROR" (exit 1). It
 * makes itself the OOM killer's first choice (oom_score_adj 1000) and holds
 * what it took until killed or done.
 */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static void say(const char *fmt, unsigned long a, const char *s)
{
	char buf[128];
	int n = snprintf(buf, sizeof(buf), fmt, a, s);

	/* write(2), unbuffered: the line is out before the next step. */
	if (n > 0 && write(STDOUT_FILENO, buf, (size_t)n) < 0)
		exit(2);
}

int main(int argc, char **argv)
{
	unsigned long total, step = 8, got = 0;
	long page = sysconf(_SC_PAGESIZE);
	int fd;

	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: %s MIB [STEP_MIB]\n", argv[0]);
		return 2;
	}
	total = strtoul(argv[1], NULL, 0);
	if (argc == 3)
		step = strtoul(argv[2], NULL, 0);
	if (!total || !step) {
		fprintf(stderr, "%s: MIB and STEP_MIB must be above 0\n", argv[0]);
		return 2;
	}
	fd = open("/proc/self/oom_score_adj", O_WRONLY);
	if (fd >= 0) {
		if (write(fd, "1000", 4) != 4)
			perror("oom_score_adj");
		close(fd);
	}
	while (got < total) {
		unsigned long mib = step < total - got ? step : total - got;
		size_t len = mib << 20;
		char *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (p == MAP_FAILED) {
			say("hog: mmap failed at %lu MiB: %s\n", got, strerror(errno));
			return 1;
		}
		for (size_t off = 0; off < len; off += (size_t)page)
			p[off] = 1;
		got += mib;
		say("hog: %lu MiB touched%s\n", got, "");
	}
	say("hog: done %lu MiB%s\n", got, "");
	return 0;
}
