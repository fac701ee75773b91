/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shim of include/linux/highmem.h, CUSTOMISED: no highmem, kmap is
 * page_address().
 */
#ifndef _SHIM_LINUX_HIGHMEM_H
#define _SHIM_LINUX_HIGHMEM_H

#include <linux/mm.h>

static inline void *kmap_local_page(struct page *page)
{
	return page_address(page);
}

static inline void kunmap_local(const void *addr)
{
	(void)addr;
}

static inline void clear_page(void *addr)
{
	memset(addr, 0, PAGE_SIZE);
}

#endif
