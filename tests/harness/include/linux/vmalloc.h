/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shim of include/linux/vmalloc.h, CUSTOMISED: page-granular blocks that
 * record their site.
 */
/* Shim: vmalloc family; allocations are page-granular and record their site. */
#ifndef _SHIM_LINUX_VMALLOC_H
#define _SHIM_LINUX_VMALLOC_H

#include <linux/types.h>
#include <linux/gfp.h>
#include <harness/site.h>

struct page;

void *__vmalloc_at(unsigned long size, gfp_t gfp, struct site site);
void __vfree_at(const void *addr, struct site site);

#define vmalloc(size)		__vmalloc_at(size, GFP_KERNEL, SITE_HERE)
#define vzalloc(size)		__vmalloc_at(size, GFP_KERNEL | __GFP_ZERO, SITE_HERE)
#define vmalloc_user(size)	__vmalloc_at(size, GFP_KERNEL | __GFP_ZERO, SITE_HERE)
#define vfree(addr)		__vfree_at(addr, SITE_HERE)

bool is_vmalloc_addr(const void *addr);
struct page *vmalloc_to_page(const void *addr);
unsigned long vmalloc_to_pfn(const void *addr);

#endif
