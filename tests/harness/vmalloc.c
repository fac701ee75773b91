// SPDX-License-Identifier: GPL-2.0
/* vmalloc (mm/vmalloc.c): page-aligned blocks, see page_alloc.c. */
#include <linux/vmalloc.h>
#include "internal.h"

void *__vmalloc_at(unsigned long size, gfp_t gfp, struct site site)
{
	__might_sleep_at(site);
	if (!size || should_fail("vmalloc"))
		return NULL;
	return mem_block_alloc(MEM_VMALLOC, size, gfp, site)->addr;
}

void __vfree_at(const void *addr, struct site site)
{
	struct mem_block *block;

	if (!addr)
		return;
	block = mem_block_find_owned(MEM_VMALLOC, addr, "vfree()", site);
	if (block)
		mem_block_free(block, site);
}

static struct mem_block *vmalloc_block(const void *addr)
{
	struct mem_block *block = mem_block_find(addr);

	return block && block->kind == MEM_VMALLOC && !block->freed ?
		block : NULL;
}

bool is_vmalloc_addr(const void *addr)
{
	return vmalloc_block(addr);
}

struct page *vmalloc_to_page(const void *addr)
{
	struct mem_block *block = vmalloc_block(addr);

	if (WARN_ON_ONCE(!block))
		return NULL;
	return &block->pages[((const char *)addr - (char *)block->addr) >>
			     PAGE_SHIFT];
}

unsigned long vmalloc_to_pfn(const void *addr)
{
	struct page *page = vmalloc_to_page(addr);

	return page ? page_to_pfn(page) : 0;
}
