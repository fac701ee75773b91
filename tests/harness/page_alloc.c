// SPDX-License-Identifier: GPL-2.0
/*
 * Memory: every allocation (kmalloc, vmalloc, alloc_pages, the model's own
 * anonymous pages) is a block of whole, page-aligned pages of the test
 * process, so that its "physical" address (the same number, see asm/page.h)
 * can be mapped into a modelled user address space. Each page has a struct
 * page with a reference count: the owner holds one, every page table entry
 * that maps it as a page (not as a raw PFN) holds one. The memory goes back
 * to libc only when the owner freed it and no mapping references it.
 */
#include <stdlib.h>
#include "internal.h"

#define PAGE_HASH_SIZE	1024

static LIST_HEAD(blocks);
static struct page *page_hash[PAGE_HASH_SIZE];
static unsigned int block_count[NR_MEM_KINDS];

/* Released blocks, to name who freed a PFN a mapping still points at. */
struct mem_grave {
	struct list_head node;
	enum mem_kind kind;
	unsigned long start_pfn, nr_pages;
	struct site site, free_site;
};
static LIST_HEAD(graveyard);

static const char *const kind_names[NR_MEM_KINDS] = {
	[MEM_KMALLOC] = "kmalloc",
	[MEM_VMALLOC] = "vmalloc",
	[MEM_PAGES] = "alloc_pages",
	[MEM_ANON] = "anonymous page",
};

const char *mem_kind_name(enum mem_kind kind)
{
	return kind_names[kind];
}

static struct page **hash_slot(unsigned long pfn)
{
	return &page_hash[pfn % PAGE_HASH_SIZE];
}

struct page *page_lookup(unsigned long pfn)
{
	struct page *page;

	for (page = *hash_slot(pfn); page; page = page->hash_next)
		if (page->pfn == pfn)
			return page;
	return NULL;
}

/* Is @page a struct page of the model at all? Compares pointers only. */
bool page_known(const struct page *page)
{
	const struct page *p;
	size_t i;

	for (i = 0; i < PAGE_HASH_SIZE; i++)
		for (p = page_hash[i]; p; p = p->hash_next)
			if (p == page)
				return true;
	return false;
}

static void page_hash_del(struct page *page)
{
	struct page **pp = hash_slot(page->pfn);

	while (*pp != page)
		pp = &(*pp)->hash_next;
	*pp = page->hash_next;
}

struct mem_block *mem_block_alloc(enum mem_kind kind, size_t size, gfp_t gfp,
				  struct site site)
{
	struct mem_block *block;
	unsigned long i;

	block = calloc(1, sizeof(*block));
	if (!block)
		abort();
	block->nr_pages = PFN_UP(size ? size : 1);
	if (posix_memalign(&block->addr, PAGE_SIZE, size ? size : 1))
		abort();
	if (gfp & __GFP_ZERO)
		memset(block->addr, 0, size);
	block->pages = calloc(block->nr_pages, sizeof(*block->pages));
	if (!block->pages)
		abort();
	block->kind = kind;
	block->size = size;
	block->site = site;
	block->index = block_count[kind]++;
	for (i = 0; i < block->nr_pages; i++) {
		struct page *page = &block->pages[i];

		page->pfn = PHYS_PFN(__pa(block->addr)) + i;
		page->refcount = 1;
		page->block = block;
		page->hash_next = *hash_slot(page->pfn);
		*hash_slot(page->pfn) = page;
	}
	list_add_tail(&block->node, &blocks);
	return block;
}

static void mem_block_release(struct mem_block *block, bool bury)
{
	unsigned long i;

	for (i = 0; i < block->nr_pages; i++)
		page_hash_del(&block->pages[i]);
	if (bury) {
		struct mem_grave *grave = calloc(1, sizeof(*grave));

		if (!grave)
			abort();
		grave->kind = block->kind;
		grave->start_pfn = block->pages[0].pfn;
		grave->nr_pages = block->nr_pages;
		grave->site = block->site;
		grave->free_site = block->free_site;
		list_add(&grave->node, &graveyard);
	}
	list_del(&block->node);
	free(block->addr);
	free(block->pages);
	free(block);
}

static void mem_block_try_release(struct mem_block *block)
{
	unsigned long i;

	for (i = 0; i < block->nr_pages; i++)
		if (block->pages[i].refcount > 0)
			return;
	mem_block_release(block, true);
}

void mem_block_free(struct mem_block *block, struct site site)
{
	unsigned long i;

	block->freed = true;
	block->free_site = site;
	locks_forget_range(block->addr, block->size, site);
	refcount_forget_range(block->addr, block->size, site);
	for (i = 0; i < block->nr_pages; i++)
		block->pages[i].refcount--;
	mem_block_try_release(block);
}

struct mem_block *mem_block_find(const void *addr)
{
	struct mem_block *block;
	const char *p = addr;

	list_for_each_entry(block, &blocks, node)
		if (p >= (char *)block->addr &&
		    p < (char *)block->addr + block->nr_pages * PAGE_SIZE)
			return block;
	return NULL;
}

static struct mem_grave *grave_find(unsigned long pfn)
{
	struct mem_grave *grave;

	list_for_each_entry(grave, &graveyard, node)
		if (pfn >= grave->start_pfn &&
		    pfn < grave->start_pfn + grave->nr_pages)
			return grave;
	return NULL;
}

/*
 * The block @addr starts, for a free/lookup by its owner: NULL (and a
 * report) if @addr is not the start of a live @kind allocation.
 */
struct mem_block *mem_block_find_owned(enum mem_kind kind, const void *addr,
				       const char *what, struct site site)
{
	struct mem_block *block = mem_block_find(addr);
	struct mem_grave *grave = grave_find(PHYS_PFN(__pa(addr)));

	if (block && block->kind == kind && block->addr == addr &&
	    !block->freed)
		return block;
	if (block && block->freed)
		report("%s of %p at %s: already freed at %s", what, addr,
		       site_str(site), site_str(block->free_site));
	else if (!block && grave)
		report("%s of %p at %s: already freed at %s", what, addr,
		       site_str(site), site_str(grave->free_site));
	else
		report("%s of %p at %s: not a live %s allocation", what, addr,
		       site_str(site), mem_kind_name(kind));
	return NULL;
}

/* A PFN as "vmalloc#0+3": page 3 of the first vmalloc since the reset. */
const char *pfn_name(unsigned long pfn)
{
	static char buf[64];
	struct page *page = page_lookup(pfn);

	if (page && page->block)
		snprintf(buf, sizeof(buf), "%s#%u+%lu",
			 mem_kind_name(page->block->kind), page->block->index,
			 pfn - page->block->pages[0].pfn);
	else
		snprintf(buf, sizeof(buf), "pfn:%#lx", pfn);
	return buf;
}

/*
 * The memory behind @pfn for a user access; NULL, with a report naming the
 * allocation if there was one, when nothing backs it any more.
 */
void *pfn_memory(unsigned long pfn, const char *access)
{
	struct page *page = page_lookup(pfn);
	struct mem_grave *grave;

	if (page && page->block)
		return page_address(page);
	grave = grave_find(pfn);
	if (grave)
		report("user %s of pfn %#lx: its %s allocated at %s was freed at %s while still mapped",
		       access, pfn, mem_kind_name(grave->kind),
		       site_str(grave->site), site_str(grave->free_site));
	else
		report("user %s of pfn %#lx, which no allocation backs",
		       access, pfn);
	return NULL;
}

/* The struct page of any PFN; frames outside every allocation get one too. */
struct page *pfn_to_page(unsigned long pfn)
{
	struct page *page = page_lookup(pfn);

	if (page)
		return page;
	/* A frame no allocation owns (device memory): a bare page, no memory. */
	page = calloc(1, sizeof(*page));
	if (!page)
		abort();
	page->pfn = pfn;
	page->hash_next = *hash_slot(pfn);
	*hash_slot(pfn) = page;
	return page;
}

unsigned long page_to_pfn(const struct page *page)
{
	return page->pfn;
}

void *page_address(const struct page *page)
{
	return __va(PFN_PHYS(page->pfn));
}

struct page *virt_to_page(const void *addr)
{
	return pfn_to_page(PHYS_PFN(__pa(addr)));
}

int page_count(const struct page *page)
{
	return page->refcount;
}

void __get_page(struct page *page, struct site site)
{
	if (page->refcount <= 0)
		report("get_page() at %s on %s whose refcount is %d",
		       site_str(site), pfn_name(page->pfn), page->refcount);
	page->refcount++;
	page->last_get = site;
}

void __put_page(struct page *page, struct site site)
{
	struct mem_block *block = page->block;

	if (page->refcount <= 0) {
		report("put_page() at %s underflows the refcount of %s",
		       site_str(site), pfn_name(page->pfn));
		return;
	}
	if (--page->refcount || !block)
		return;
	if (!block->freed) {
		report("put_page() at %s freed %s, which its %s at %s still owns (missing get_page()?)",
		       site_str(site), pfn_name(page->pfn),
		       mem_kind_name(block->kind), site_str(block->site));
		return;
	}
	mem_block_try_release(block);
}

struct page *__alloc_pages_at(gfp_t gfp, unsigned int order, struct site site)
{
	if (gfpflags_allow_blocking(gfp))
		__might_sleep_at(site);
	if (should_fail("alloc_pages"))
		return NULL;
	return mem_block_alloc(MEM_PAGES, PAGE_SIZE << order, gfp, site)->pages;
}

void __free_pages_at(struct page *page, unsigned int order, struct site site)
{
	struct mem_block *block;

	if (!page)
		return;
	block = mem_block_find_owned(MEM_PAGES, page_address(page),
				     "__free_pages()", site);
	if (block && block->nr_pages != 1UL << order)
		report("__free_pages() at %s: order %u, allocated with %lu pages at %s",
		       site_str(site), order, block->nr_pages,
		       site_str(block->site));
	if (block)
		mem_block_free(block, site);
}

unsigned long __get_free_pages_at(gfp_t gfp, unsigned int order,
				  struct site site)
{
	struct page *page = __alloc_pages_at(gfp, order, site);

	return page ? (unsigned long)page_address(page) : 0;
}

void free_pages_at(unsigned long addr, unsigned int order, struct site site)
{
	if (addr)
		__free_pages_at(virt_to_page((void *)addr), order, site);
}

void mem_check(void)
{
	struct mem_block *block;
	unsigned long i;

	list_for_each_entry(block, &blocks, node) {
		if (!block->freed) {
			report("leak: %s of %zu bytes allocated at %s",
			       mem_kind_name(block->kind), block->size,
			       site_str(block->site));
			continue;
		}
		for (i = 0; i < block->nr_pages; i++)
			if (block->pages[i].refcount > 0)
				report("leak: page %lu of %s allocated at %s (freed at %s) keeps %d reference(s), last get_page() at %s",
				       i, mem_kind_name(block->kind),
				       site_str(block->site),
				       site_str(block->free_site),
				       block->pages[i].refcount,
				       site_str(block->pages[i].last_get));
	}
}

void mem_reset(void)
{
	struct mem_block *block, *tmp;
	struct mem_grave *grave, *gtmp;
	struct page *page;
	unsigned int i;

	list_for_each_entry_safe(block, tmp, &blocks, node)
		mem_block_release(block, false);
	list_for_each_entry_safe(grave, gtmp, &graveyard, node) {
		list_del(&grave->node);
		free(grave);
	}
	/* What is left in the hash are the bare pages of pfn_to_page(). */
	for (i = 0; i < PAGE_HASH_SIZE; i++) {
		while ((page = page_hash[i])) {
			page_hash[i] = page->hash_next;
			free(page);
		}
	}
	memset(block_count, 0, sizeof(block_count));
}
