/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shim of include/linux/bits.h, DUPLICATED: BIT() and GENMASK() for
 * 64-bit.
 */
#ifndef _SHIM_LINUX_BITS_H
#define _SHIM_LINUX_BITS_H

#define BITS_PER_LONG		64
#define BIT(nr)			(1UL << (nr))
#define GENMASK(h, l)		((~0UL << (l)) & (~0UL >> (BITS_PER_LONG - 1 - (h))))

#endif
