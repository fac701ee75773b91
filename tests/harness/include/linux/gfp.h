/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shim of include/linux/gfp.h, CUSTOMISED: every allocation records its
 * call site.
 */
/* Shim: page allocator entry points; every allocation records its call site. */
#ifndef _SHIM_LINUX_GFP_H
#define _SHIM_LINUX_GFP_H

#include <linux/types.h>
#include <harness/site.h>

struct page;

#define __GFP_HIGHMEM		0x02u
#define __GFP_HIGH		0x20u
#define __GFP_IO		0x40u
#define __GFP_FS		0x80u
#define __GFP_ZERO		0x100u
#define __GFP_DIRECT_RECLAIM	0x400u
#define __GFP_KSWAPD_RECLAIM	0x800u
#define __GFP_NOWARN		0x2000u
#define __GFP_COMP		0x40000u
#define __GFP_RECLAIM		(__GFP_DIRECT_RECLAIM | __GFP_KSWAPD_RECLAIM)
#define GFP_ATOMIC		(__GFP_HIGH | __GFP_KSWAPD_RECLAIM)
#define GFP_NOWAIT		__GFP_KSWAPD_RECLAIM
#define GFP_KERNEL		(__GFP_RECLAIM | __GFP_IO | __GFP_FS)
#define GFP_USER		GFP_KERNEL
#define GFP_HIGHUSER		(GFP_USER | __GFP_HIGHMEM)

static inline bool gfpflags_allow_blocking(const gfp_t gfp)
{
	return gfp & __GFP_DIRECT_RECLAIM;
}

struct page *__alloc_pages_at(gfp_t gfp, unsigned int order, struct site site);
void __free_pages_at(struct page *page, unsigned int order, struct site site);

#define alloc_pages(gfp, order)	__alloc_pages_at(gfp, order, SITE_HERE)
#define alloc_page(gfp)		__alloc_pages_at(gfp, 0, SITE_HERE)
#define __free_pages(page, order) __free_pages_at(page, order, SITE_HERE)
#define __free_page(page)	__free_pages_at(page, 0, SITE_HERE)

unsigned long __get_free_pages_at(gfp_t gfp, unsigned int order, struct site site);
void free_pages_at(unsigned long addr, unsigned int order, struct site site);

#define __get_free_pages(gfp, order) __get_free_pages_at(gfp, order, SITE_HERE)
#define __get_free_page(gfp)	__get_free_pages_at(gfp, 0, SITE_HERE)
#define get_zeroed_page(gfp)	__get_free_pages_at((gfp) | __GFP_ZERO, 0, SITE_HERE)
#define free_pages(addr, order)	free_pages_at(addr, order, SITE_HERE)
#define free_page(addr)		free_pages_at(addr, 0, SITE_HERE)

#endif
