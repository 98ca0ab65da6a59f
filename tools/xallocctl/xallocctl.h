/* SPDX-License-Identifier: GPL-2.0 */
/* xallocctl: commands that live in files of their own. */
#ifndef _XALLOCCTL_H
#define _XALLOCCTL_H

int cmd_top(int argc, char **argv);

#endif /* _XALLOCCTL_H */
