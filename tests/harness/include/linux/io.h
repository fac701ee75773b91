/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shim of include/linux/io.h and arch/x86/include/asm/io.h, CUSTOMISED:
 * physical addresses are the test process's.
 */
#ifndef _SHIM_LINUX_IO_H
#define _SHIM_LINUX_IO_H

#include <linux/types.h>
#include <asm/page.h>

/* Physical addresses are the test process's addresses (see asm/page.h). */
static inline phys_addr_t virt_to_phys(const volatile void *addr)
{
	return __pa(addr);
}

static inline void *phys_to_virt(phys_addr_t addr)
{
	return __va(addr);
}

#endif
