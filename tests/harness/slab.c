// SPDX-License-Identifier: GPL-2.0
/* kmalloc and friends (mm/slub.c): page-aligned blocks, see page_alloc.c. */
#include <linux/slab.h>
#include "internal.h"

void *__kmalloc_at(size_t size, gfp_t gfp, struct site site)
{
	if (gfpflags_allow_blocking(gfp))
		__might_sleep_at(site);
	if (size == SIZE_MAX || should_fail("kmalloc"))
		return NULL;
	return mem_block_alloc(MEM_KMALLOC, size, gfp, site)->addr;
}

void __kfree_at(const void *ptr, struct site site)
{
	struct mem_block *block;

	if (!ptr)
		return;
	block = mem_block_find_owned(MEM_KMALLOC, ptr, "kfree()", site);
	if (block)
		mem_block_free(block, site);
}

void *__kmemdup_at(const void *src, size_t len, gfp_t gfp, struct site site)
{
	void *p = __kmalloc_at(len, gfp, site);

	if (p)
		memcpy(p, src, len);
	return p;
}
