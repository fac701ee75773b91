/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shim of arch/x86/include/asm/page*.h, CUSTOMISED: __pa()/__va() are
 * identities.
 */
/*
 * Shim: x86_64 page geometry. The model maps physical addresses 1:1 onto
 * the test process's addresses, so __pa()/__va() are identities.
 */
#ifndef _SHIM_ASM_PAGE_H
#define _SHIM_ASM_PAGE_H

#define PAGE_SHIFT	12
#define PAGE_SIZE	(1UL << PAGE_SHIFT)
#define PAGE_MASK	(~(PAGE_SIZE - 1))

/* Smallest order whose block holds @size bytes. */
static inline int get_order(unsigned long size)
{
	int order = 0;

	while ((PAGE_SIZE << order) < size)
		order++;
	return order;
}

#define __pa(x)		((unsigned long)(x))
#define __va(x)		((void *)(unsigned long)(x))

#endif
