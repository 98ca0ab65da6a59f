/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one way xalloc tells about bad input from its callers: a report that
 * starts "xalloc: BUG <area>: <what>", names the address, dumps the stack and
 * is counted, so that tests can expect exact numbers of reports.
 */
#ifndef _XALLOC_REPORT_H
#define _XALLOC_REPORT_H

#include <linux/compiler.h>

__printf(3, 4)
void xalloc_report(const char *area, const void *addr, const char *fmt, ...);
unsigned long xalloc_report_count(void);
void xalloc_report_debugfs_init(void);

#endif /* _XALLOC_REPORT_H */
