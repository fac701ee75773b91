// SPDX-License-Identifier: GPL-2.0
/*
 * Model of the parts of mm/memory.c a driver reaches: one page table per mm
 * (a sorted array of entries, each a PFN, the struct page when it maps one
 * as a page, and the protection), PFN remapping and page insertion (both the
 * legacy calls and the mmap_prepare action halves), the fault path through
 * vm_ops->fault with copy-on-write for private mappings, and zapping.
 * Installing entries may fail at the point "pte_alloc". Inserting pages
 * may also fail at "pmd_alloc", the upper levels of the walk, because
 * upstream reports that failure with an errno of its own there.
 */
#include <stdlib.h>
#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/asan_interface.h>
#endif
#include "internal.h"

struct pte {
	unsigned long addr;
	unsigned long pfn;
	struct page *page;
	pgprot_t prot;
};

struct page_table {
	struct pte *ptes;
	size_t nr, cap;
};

static struct page_table *pgtable(struct mm_struct *mm)
{
	if (!mm->pgd) {
		mm->pgd = calloc(1, sizeof(*mm->pgd));
		if (!mm->pgd)
			abort();
	}
	return mm->pgd;
}

/* Index of the first entry at or above @addr. */
static size_t pte_index(struct page_table *pt, unsigned long addr)
{
	size_t lo = 0, hi = pt->nr;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (pt->ptes[mid].addr < addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static struct pte *pte_find(struct mm_struct *mm, unsigned long addr)
{
	struct page_table *pt = pgtable(mm);
	size_t i = pte_index(pt, addr);

	return i < pt->nr && pt->ptes[i].addr == addr ? &pt->ptes[i] : NULL;
}

static int set_pte_at(struct mm_struct *mm, unsigned long addr,
		      unsigned long pfn, struct page *page, pgprot_t prot)
{
	struct page_table *pt = pgtable(mm);
	size_t i = pte_index(pt, addr);

	if (i < pt->nr && pt->ptes[i].addr == addr)
		return -EBUSY;
	if (pt->nr == pt->cap) {
		pt->cap = pt->cap ? 2 * pt->cap : 16;
		pt->ptes = realloc(pt->ptes, pt->cap * sizeof(*pt->ptes));
		if (!pt->ptes)
			abort();
	}
	memmove(&pt->ptes[i + 1], &pt->ptes[i], (pt->nr - i) * sizeof(*pt->ptes));
	pt->ptes[i] = (struct pte){ addr, pfn, page, prot };
	pt->nr++;
	return 0;
}

void zap_page_range(struct mm_struct *mm, unsigned long start,
		    unsigned long end)
{
	struct page_table *pt = pgtable(mm);
	size_t first = pte_index(pt, start), last = pte_index(pt, end), i;

	if (first == last)
		return;
	for (i = first; i < last; i++)
		if (pt->ptes[i].page)
			put_page(pt->ptes[i].page);
	memmove(&pt->ptes[first], &pt->ptes[last],
		(pt->nr - last) * sizeof(*pt->ptes));
	pt->nr -= last - first;
}

void free_page_table(struct mm_struct *mm)
{
	zap_page_range(mm, 0, ~0UL);
	free(mm->pgd->ptes);
	free(mm->pgd);
	mm->pgd = NULL;
}

static bool is_anon_page(const struct page *page)
{
	return page && page->block && page->block->kind == MEM_ANON;
}

/*
 * Called by fork only for a VMA that vma_needs_copy(): every entry is
 * copied, with a reference for a page. Writable private copies become
 * read-only on both sides, to copy again on write.
 * Upstream: copy_page_range() in mm/memory.c, CUSTOMISED.
 */
void copy_page_range(struct vm_area_struct *dst, struct vm_area_struct *src)
{
	struct page_table *pt = pgtable(src->vm_mm);
	size_t i;

	for (i = pte_index(pt, src->vm_start);
	     i < pt->nr && pt->ptes[i].addr < src->vm_end; i++) {
		struct pte *pte = &pt->ptes[i];

		if (is_anon_page(pte->page))
			pte->prot.pgprot &= ~_PAGE_RW;
		if (pte->page)
			get_page(pte->page);
		set_pte_at(dst->vm_mm, pte->addr, pte->pfn, pte->page,
			   pte->prot);
	}
}

/* Move entries, with the page references they hold, to the new range. */
/* Upstream: move_page_tables() in mm/mremap.c, CUSTOMISED. */
void move_page_tables(struct vm_area_struct *vma, unsigned long old_addr,
		      struct vm_area_struct *new_vma, unsigned long new_addr,
		      unsigned long len)
{
	struct page_table *pt = pgtable(vma->vm_mm);
	unsigned long off;

	for (off = 0; off < len; off += PAGE_SIZE) {
		struct pte *pte = pte_find(vma->vm_mm, old_addr + off);
		struct pte moved;

		if (!pte)
			continue;
		moved = *pte;
		memmove(pte, pte + 1, (pt->ptes + --pt->nr - pte) * sizeof(*pte));
		set_pte_at(new_vma->vm_mm, new_addr + off, moved.pfn, moved.page,
			   moved.prot);
	}
}

/* x86 protection_map: writable only when shared (private ones COW). */
pgprot_t vm_get_page_prot(vm_flags_t vm_flags)
{
	pgprotval_t prot = _PAGE_PRESENT | _PAGE_USER;

	if (!(vm_flags & VM_ACCESS_FLAGS))
		return PAGE_NONE;
	if ((vm_flags & VM_WRITE) && (vm_flags & VM_SHARED))
		prot |= _PAGE_RW;
	if (!(vm_flags & VM_EXEC))
		prot |= _PAGE_NX;
	return __pgprot(prot);
}

/* Recompute from the flags, keeping the caching mode the driver chose. */
/* Upstream: vma_set_page_prot() in mm/mmap.c, CUSTOMISED. */
void vma_set_page_prot(struct vm_area_struct *vma)
{
	pgprotval_t cache = pgprot_val(vma->vm_page_prot) & _PAGE_CACHE_MASK;

	vma->vm_page_prot = __pgprot(pgprot_val(vm_get_page_prot(vma->vm_flags)) |
				     cache);
}

/* Upstream: remap_pfn_range_internal() in mm/memory.c, CUSTOMISED: the failure point "pte_alloc". */
static int remap_pfn_range_internal(struct vm_area_struct *vma,
				    unsigned long addr, unsigned long pfn,
				    unsigned long size, pgprot_t prot)
{
	unsigned long end = addr + PAGE_ALIGN(size), a;
	int err;

	if (WARN_ON_ONCE(!PAGE_ALIGNED(addr)))
		return -EINVAL;
	VM_WARN_ON_ONCE(!vma_test_all_mask(vma, VMA_REMAP_FLAGS));
	/* Upstream writes outside the VMA; the model refuses. */
	if (WARN_ON_ONCE(addr < vma->vm_start || end > vma->vm_end || addr >= end))
		return -EINVAL;
	if (should_fail("pte_alloc"))
		return -ENOMEM;
	for (a = addr; a < end; a += PAGE_SIZE) {
		err = set_pte_at(vma->vm_mm, a, pfn + PHYS_PFN(a - addr), NULL,
				 prot);
		if (WARN_ON_ONCE(err)) {
			/* A partial PFN map must not survive (remap_pfn_range_notrack()). */
			zap_page_range(vma->vm_mm, addr, a);
			return err;
		}
	}
	return 0;
}

/* The copy-on-write special case: pgoff tracks the first PFN. */
/* Upstream: get_remap_pgoff() in mm/memory.c, DUPLICATED. */
static int get_remap_pgoff(bool is_cow, unsigned long addr, unsigned long end,
			   unsigned long vm_start, unsigned long vm_end,
			   unsigned long pfn, pgoff_t *vm_pgoff_p)
{
	if (!is_cow)
		return 0;
	if (addr != vm_start || end != vm_end)
		return -EINVAL;
	*vm_pgoff_p = pfn;
	return 0;
}

/* Upstream: remap_pfn_range_prepare() in mm/memory.c, DUPLICATED. */
int remap_pfn_range_prepare(struct vm_area_desc *desc)
{
	const struct mmap_action *action = &desc->action;
	const unsigned long start = action->remap.start;
	const unsigned long end = start + action->remap.size;
	int err;

	if (!range_in_vma_desc(desc, start, end))
		return -EFAULT;
	err = get_remap_pgoff(vma_desc_is_cow_mapping(desc), start, end,
			      desc->start, desc->end, action->remap.start_pfn,
			      &desc->pgoff);
	if (err)
		return err;
	vma_desc_set_flags_mask(desc, VMA_REMAP_FLAGS);
	return 0;
}

/* Upstream: remap_pfn_range() in mm/memory.c, CUSTOMISED. */
int remap_pfn_range(struct vm_area_struct *vma, unsigned long addr,
		    unsigned long pfn, unsigned long size, pgprot_t prot)
{
	int err;

	err = get_remap_pgoff(is_cow_mapping(vma->vm_flags), addr,
			      addr + PAGE_ALIGN(size), vma->vm_start,
			      vma->vm_end, pfn, &vma->vm_pgoff);
	if (err)
		return err;
	vma_set_flags_mask(vma, VMA_REMAP_FLAGS);
	return remap_pfn_range_internal(vma, addr, pfn, size, prot);
}

/* Upstream: remap_pfn_range_complete() in mm/memory.c, CUSTOMISED: no PFN tracking. */
int remap_pfn_range_complete(struct vm_area_struct *vma,
			     struct mmap_action *action)
{
	return remap_pfn_range_internal(vma, action->remap.start,
					action->remap.start_pfn,
					action->remap.size,
					action->remap.pgprot);
}

/* x86: the PFN is used as is; the protection loses any encryption bit. */
/* Upstream: io_remap_pfn_range_prepare() in mm/internal.h, CUSTOMISED: no PFN fix-up. */
int io_remap_pfn_range_prepare(struct vm_area_desc *desc)
{
	struct mmap_action *action = &desc->action;
	int err;

	action->remap.pgprot = pgprot_decrypted(action->remap.pgprot);
	err = remap_pfn_range_prepare(desc);
	if (err)
		return err;
	action->type = MMAP_REMAP_PFN;
	return 0;
}

/* vm_iomap_memory()'s checks, then an I/O remap of the whole VMA. */
/* Upstream: simple_ioremap_prepare() in mm/memory.c, CUSTOMISED. */
int simple_ioremap_prepare(struct vm_area_desc *desc)
{
	const phys_addr_t phys = desc->action.simple_ioremap.start_phys_addr;
	unsigned long size = desc->action.simple_ioremap.size;
	unsigned long pfn, pages;

	if (phys + size < phys)
		return -EINVAL;
	size += offset_in_page(phys);
	pfn = PHYS_PFN(phys);
	pages = PFN_UP(size);
	if (pfn + pages < pfn || desc->pgoff > pages)
		return -EINVAL;
	pfn += desc->pgoff;
	pages -= desc->pgoff;
	if (vma_desc_pages(desc) > pages)
		return -EINVAL;

	mmap_action_ioremap_full(desc, pfn);
	return io_remap_pfn_range_prepare(desc);
}

/*
 * validate_page_before_insert(): no free, anonymous or slab pages. First,
 * the model makes sure there is a page at all: an entry of a page array
 * that is gone (it was on the stack of a hook that has returned) is
 * reported instead of followed.
 * Upstream: validate_page_before_insert() in mm/memory.c, CUSTOMISED.
 */
static int validate_page_before_insert(struct page *page)
{
	if (!page_known(page)) {
		report("inserting %p, which is no struct page: a page array entry that is garbage or gone?",
		       (void *)page);
		return -EINVAL;
	}
	if (!page->refcount)
		return -EINVAL;
	if (page->block && (page->block->kind == MEM_ANON ||
			    page->block->kind == MEM_KMALLOC))
		return -EINVAL;
	return 0;
}

/*
 * insert_page(): get_locked_pte() allocates the missing levels down to the
 * PTE page and says -ENOMEM whichever of them failed.
 * Upstream: insert_page() in mm/memory.c, CUSTOMISED.
 */
static int insert_page(struct vm_area_struct *vma, unsigned long addr,
		       struct page *page, pgprot_t prot)
{
	int err;

	err = validate_page_before_insert(page);
	if (err)
		return err;
	if (should_fail("pmd_alloc") || should_fail("pte_alloc"))
		return -ENOMEM;
	err = set_pte_at(vma->vm_mm, addr, page_to_pfn(page), page, prot);
	if (err)
		return err;
	get_page(page);
	return 0;
}

/*
 * Upstream reads whatever lies past a page array that is too short (a
 * window the driver did not check, a wrong offset into its array) and
 * tries to map it. Under ASan the model sees the overrun before reading
 * it: a report names the first entry outside the array, and the insertion
 * fails.
 */
static bool page_array_ok(struct page **pages, unsigned long num)
{
#if defined(__SANITIZE_ADDRESS__)
	const char *bad = __asan_region_is_poisoned(pages, num * sizeof(*pages));

	if (bad) {
		report("insert_pages(): entry %lu of the %lu-entry page array at %p is past the end of the array (or the array is gone)",
		       (unsigned long)(bad - (const char *)pages) / sizeof(*pages),
		       num, (void *)pages);
		return false;
	}
#endif
	return true;
}

/*
 * insert_pages(): walk_to_pmd() failing is -EFAULT, pte_alloc() failing
 * -ENOMEM. Both happen once per PMD, so before the first of a few pages;
 * a page refused later leaves the ones before it mapped, and *@num says
 * how many were not.
 * Upstream: insert_pages() in mm/memory.c, CUSTOMISED.
 */
static int insert_pages(struct vm_area_struct *vma, unsigned long addr,
			struct page **pages, unsigned long *num, pgprot_t prot)
{
	int err;

	if (!page_array_ok(pages, *num))
		return -EFAULT;
	if (should_fail("pmd_alloc"))
		return -EFAULT;
	if (should_fail("pte_alloc"))
		return -ENOMEM;
	for (; *num; (*num)--, pages++, addr += PAGE_SIZE) {
		err = validate_page_before_insert(*pages);
		if (err)
			return err;
		err = set_pte_at(vma->vm_mm, addr, page_to_pfn(*pages), *pages,
				 prot);
		if (err)
			return err;
		get_page(*pages);
	}
	return 0;
}

/* Upstream: vm_insert_pages() in mm/memory.c, CUSTOMISED. */
int vm_insert_pages(struct vm_area_struct *vma, unsigned long addr,
		    struct page **pages, unsigned long *num)
{
	if (!range_in_vma(vma, addr, addr + *num * PAGE_SIZE))
		return -EFAULT;
	if (!vma_test(vma, VMA_MIXEDMAP_BIT)) {
		VM_WARN_ON_ONCE(vma_test(vma, VMA_PFNMAP_BIT));
		vma_set_flags(vma, VMA_MIXEDMAP_BIT);
	}
	return insert_pages(vma, addr, pages, num, vma->vm_page_prot);
}

/* Upstream: vm_insert_page() in mm/memory.c, CUSTOMISED. */
int vm_insert_page(struct vm_area_struct *vma, unsigned long addr,
		   struct page *page)
{
	if (addr < vma->vm_start || addr >= vma->vm_end)
		return -EFAULT;
	if (!vma_test(vma, VMA_MIXEDMAP_BIT)) {
		VM_WARN_ON_ONCE(vma_test(vma, VMA_PFNMAP_BIT));
		vma_set_flags(vma, VMA_MIXEDMAP_BIT);
	}
	return insert_page(vma, addr, page, vma->vm_page_prot);
}

/* Upstream: map_kernel_pages_prepare() in mm/memory.c, CUSTOMISED. */
int map_kernel_pages_prepare(struct vm_area_desc *desc)
{
	const struct mmap_action *action = &desc->action;
	const unsigned long start = action->map_kernel.start;

	if (!vma_desc_test(desc, VMA_MIXEDMAP_BIT)) {
		VM_WARN_ON_ONCE(vma_desc_test(desc, VMA_PFNMAP_BIT));
		vma_desc_set_flags(desc, VMA_MIXEDMAP_BIT);
	}
	if (!range_in_vma_desc(desc, start,
			       start + action->map_kernel.nr_pages * PAGE_SIZE))
		return -EFAULT;
	return 0;
}

/*
 * pages[0] goes at map_kernel.start. map_kernel.pgoff is recorded by the
 * helper but, as upstream, not used: the driver picks the window itself.
 * Upstream: map_kernel_pages_complete() in mm/memory.c, CUSTOMISED.
 */
int map_kernel_pages_complete(struct vm_area_struct *vma,
			      struct mmap_action *action)
{
	unsigned long num = action->map_kernel.nr_pages;

	return insert_pages(vma, action->map_kernel.start,
			    action->map_kernel.pages, &num, vma->vm_page_prot);
}

/* Upstream: vmf_insert_pfn() in mm/memory.c, CUSTOMISED. */
vm_fault_t vmf_insert_pfn(struct vm_area_struct *vma, unsigned long addr,
			  unsigned long pfn)
{
	if (WARN_ON_ONCE(!vma_test_any(vma, VMA_PFNMAP_BIT, VMA_MIXEDMAP_BIT)))
		return VM_FAULT_SIGBUS;
	if (addr < vma->vm_start || addr >= vma->vm_end)
		return VM_FAULT_SIGBUS;
	if (should_fail("pte_alloc"))
		return VM_FAULT_OOM;
	/* An entry already there is left alone, as upstream. */
	set_pte_at(vma->vm_mm, addr, pfn, NULL, vma->vm_page_prot);
	return VM_FAULT_NOPAGE;
}

/* A private copy of @src for a write to a private mapping. */
/* Upstream: wp_page_copy() in mm/memory.c, CUSTOMISED. */
static vm_fault_t wp_page_copy(struct vm_area_struct *vma, unsigned long addr,
			       const void *src)
{
	struct mem_block *block;
	struct page *page;

	if (should_fail("pte_alloc"))
		return VM_FAULT_OOM;
	block = mem_block_alloc(MEM_ANON, PAGE_SIZE, 0, SITE_HERE);
	/* An anonymous page belongs to the page tables that map it. */
	block->freed = true;
	block->free_site = block->site;
	page = block->pages;
	memcpy(block->addr, src, PAGE_SIZE);
	zap_page_range(vma->vm_mm, addr, addr + PAGE_SIZE);
	set_pte_at(vma->vm_mm, addr, page_to_pfn(page), page,
		   __pgprot(pgprot_val(vma->vm_page_prot) | _PAGE_RW));
	return 0;
}

/* Upstream: __do_fault() in mm/memory.c, CUSTOMISED. */
static vm_fault_t __do_fault(struct vm_area_struct *vma, unsigned long addr,
			     bool write)
{
	struct vm_fault vmf = {
		.vma = vma,
		.gfp_mask = GFP_KERNEL,
		.pgoff = vma->vm_pgoff + PHYS_PFN(addr - vma->vm_start),
		.address = addr,
		.real_address = addr,
		.flags = FAULT_FLAG_USER | (write ? FAULT_FLAG_WRITE : 0),
	};
	vm_fault_t ret;

	if (!vma->vm_ops || !vma->vm_ops->fault)
		return VM_FAULT_SIGBUS;
	if (should_fail("pte_alloc"))
		return VM_FAULT_OOM;
	ret = vma->vm_ops->fault(&vmf);
	if (ret & (VM_FAULT_ERROR | VM_FAULT_NOPAGE))
		return ret;
	if (!vmf.page) {
		report("->fault of the VMA at %#lx returned no page and not VM_FAULT_NOPAGE",
		       vma->vm_start);
		return VM_FAULT_SIGBUS;
	}
	/* The reference ->fault returned now belongs to the page table. */
	set_pte_at(vma->vm_mm, addr, page_to_pfn(vmf.page), vmf.page,
		   vma->vm_page_prot);
	if (write && is_cow_mapping(vma->vm_flags))
		return wp_page_copy(vma, addr, page_address(vmf.page));
	return 0;
}

/* Upstream: handle_mm_fault() in mm/memory.c, CUSTOMISED. */
vm_fault_t handle_mm_fault(struct vm_area_struct *vma, unsigned long addr,
			   bool write)
{
	struct pte *pte = pte_find(vma->vm_mm, addr);
	void *src;

	if (!pte)
		return __do_fault(vma, addr, write);
	if (!write || (pgprot_val(pte->prot) & _PAGE_RW))
		return 0;
	if (!is_cow_mapping(vma->vm_flags))
		return VM_FAULT_SIGSEGV;
	src = pfn_memory(pte->pfn, "copy-on-write");
	return src ? wp_page_copy(vma, addr, src) : VM_FAULT_SIGBUS;
}

bool pte_lookup(struct mm_struct *mm, unsigned long addr, struct pte_info *info)
{
	struct pte *pte = pte_find(mm, addr & PAGE_MASK);

	if (!pte)
		return false;
	*info = (struct pte_info){ pte->pfn, pte->page, pte->prot };
	return true;
}

size_t mm_nr_ptes(struct mm_struct *mm)
{
	return pgtable(mm)->nr;
}
