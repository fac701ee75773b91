/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shim of include/linux/overflow.h, DUPLICATED: size_mul() and
 * struct_size().
 */
#ifndef _SHIM_LINUX_OVERFLOW_H
#define _SHIM_LINUX_OVERFLOW_H

#include <linux/types.h>

/* Saturating multiply: an overflowing size makes the allocation fail. */
static inline size_t size_mul(size_t a, size_t b)
{
	size_t bytes;

	if (__builtin_mul_overflow(a, b, &bytes))
		return SIZE_MAX;
	return bytes;
}

#define struct_size(p, member, count) \
	(sizeof(*(p)) + size_mul(count, sizeof(*(p)->member)))

#endif
