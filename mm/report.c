// SPDX-License-Identifier: GPL-2.0
/*
 * Error reports for bad input from xalloc's callers (frees of foreign, wrong
 * or already free memory), and their count in
 * /sys/kernel/debug/xalloc/reports. xalloc's own broken invariants use WARN
 * instead.
 */

#include <linux/atomic.h>
#include <linux/export.h>
#include <linux/printk.h>
#include <linux/seq_file.h>
#include <linux/spinlock.h>

#include "debugfs.h"
#include "report.h"

static atomic_long_t xalloc_reports = ATOMIC_LONG_INIT(0);

/* Keeps the lines of concurrent reports from interleaving. */
static DEFINE_RAW_SPINLOCK(xalloc_report_lock);

/**
 * xalloc_report() - report bad input from a caller of xalloc
 * @area: what was misused: "zone", or a cache name
 * @addr: the address the caller passed
 * @fmt: printf-style description of what was wrong
 *
 * Prints "xalloc: BUG <area>: <what> (address <addr>)" followed by the
 * calling stack, and counts the report. The caller leaves its data structures
 * untouched (or repaired) after reporting.
 *
 * Context: Any context.
 */
void xalloc_report(const char *area, const void *addr, const char *fmt, ...)
{
	struct va_format vaf;
	unsigned long flags;
	va_list args;

	va_start(args, fmt);
	vaf.fmt = fmt;
	vaf.va = &args;
	raw_spin_lock_irqsave(&xalloc_report_lock, flags);
	pr_err("xalloc: BUG %s: %pV (address %p)\n", area, &vaf, addr);
	dump_stack();
	raw_spin_unlock_irqrestore(&xalloc_report_lock, flags);
	va_end(args);
	atomic_long_inc(&xalloc_reports);
}

/**
 * xalloc_report_count() - number of reports since the module was loaded
 *
 * Context: Any context.
 * Return: the count; tests compare it before and after a case.
 */
unsigned long xalloc_report_count(void)
{
	return atomic_long_read(&xalloc_reports);
}
EXPORT_SYMBOL_GPL(xalloc_report_count);

static int reports_show(struct seq_file *m, void *v)
{
	seq_printf(m, "%lu\n", xalloc_report_count());
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(reports);

/**
 * xalloc_report_debugfs_init() - create /sys/kernel/debug/xalloc/reports
 *
 * Reading the file gives xalloc_report_count() and a newline, so that a
 * script can compare the count before and after running a program.
 *
 * Context: Process context, at module load, after xalloc_debugfs_init().
 */
void xalloc_report_debugfs_init(void)
{
	debugfs_create_file("reports", 0444, xalloc_debugfs_root, NULL,
			    &reports_fops);
}
