/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shim of include/linux/container_of.h, DUPLICATED: without the type
 * check.
 */
#ifndef _SHIM_LINUX_CONTAINER_OF_H
#define _SHIM_LINUX_CONTAINER_OF_H

#include <linux/stddef.h>

#define container_of(ptr, type, member) \
	((type *)((char *)(ptr) - offsetof(type, member)))

#endif
