/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Where a resource was taken: the shim's allocation, locking and reference
 * macros capture the call site of the driver (or of the model) with this.
 */
#ifndef _HARNESS_SITE_H
#define _HARNESS_SITE_H

struct site {
	const char *file;
	int line;
	const char *func;
};

#define SITE_HERE	((struct site){ __FILE__, __LINE__, __func__ })

#endif
