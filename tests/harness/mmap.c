// SPDX-License-Identifier: GPL-2.0
/*
 * Model of mm/mmap.c (do_mmap(), dup_mmap(), exit_mmap()) and of the mm
 * lifetime in kernel/fork.c. Only file mappings are modelled: a driver's
 * mapping is always of its device file.
 */
#include <stdlib.h>
#include "internal.h"

/* Top of the mmap area; mappings are placed top-down below it (x86). */
#define MMAP_BASE	0x7f0000000000UL

struct mm_struct *current_mm;

struct mm_entry {
	struct list_head node;
	struct mm_struct mm;
};

static LIST_HEAD(live_mms);

struct mm_struct *mm_alloc(void)
{
	struct mm_entry *entry = calloc(1, sizeof(*entry));

	if (!entry)
		abort();
	INIT_LIST_HEAD(&entry->mm.vmas);
	entry->mm.mmap_base = MMAP_BASE;
	list_add_tail(&entry->node, &live_mms);
	return &entry->mm;
}

static void mm_free(struct mm_struct *mm)
{
	struct mm_entry *entry = container_of(mm, struct mm_entry, mm);

	list_del(&entry->node);
	free(entry);
}

/* Page tables first, then every VMA with ->close and its file reference. */
/* Upstream: exit_mmap() in mm/mmap.c, CUSTOMISED. */
static void exit_mmap(struct mm_struct *mm)
{
	struct vm_area_struct *vma, *tmp;

	if (mm->pgd)
		free_page_table(mm);
	list_for_each_entry_safe(vma, tmp, &mm->vmas, vm_node) {
		vma_unlink(vma);
		remove_vma(vma);
	}
}

void mmput(struct mm_struct *mm)
{
	exit_mmap(mm);
	mm_free(mm);
}

void mm_check(void)
{
	struct mm_entry *entry;

	list_for_each_entry(entry, &live_mms, node)
		report("mm with %d VMA(s) was never released (mmput() missing)",
		       entry->mm.map_count);
}

void mm_reset(void)
{
	struct mm_entry *entry, *tmp;
	struct vm_area_struct *vma, *vtmp;

	list_for_each_entry_safe(entry, tmp, &live_mms, node) {
		if (entry->mm.pgd)
			free_page_table(&entry->mm);
		list_for_each_entry_safe(vma, vtmp, &entry->mm.vmas, vm_node)
			vm_area_free(vma);
		mm_free(&entry->mm);
	}
	current_mm = NULL;
}

/* Highest free range of @len below the base, or @hint if it is free. */
unsigned long get_unmapped_area(struct mm_struct *mm, unsigned long hint,
				       unsigned long len)
{
	unsigned long end = mm->mmap_base;
	struct vm_area_struct *vma;

	if (hint && !offset_in_page(hint) &&
	    !find_vma_intersection(mm, hint, hint + len))
		return hint;
	list_for_each_entry_reverse(vma, &mm->vmas, vm_node) {
		if (vma->vm_start >= end)
			continue;
		if (vma->vm_end + len <= end)
			break;
		end = vma->vm_start;
	}
	return end - len;
}

static vm_flags_t calc_vm_prot_bits(unsigned long prot)
{
	return (prot & PROT_READ ? VM_READ : 0) |
	       (prot & PROT_WRITE ? VM_WRITE : 0) |
	       (prot & PROT_EXEC ? VM_EXEC : 0);
}

/* Upstream: do_mmap() in mm/mmap.c, CUSTOMISED: file mappings only. */
unsigned long do_mmap(struct mm_struct *mm, struct file *file,
		      unsigned long addr, unsigned long len, unsigned long prot,
		      unsigned long flags, unsigned long pgoff)
{
	vm_flags_t vm_flags;

	if (!len || !file)
		return -EINVAL;
	if (flags & MAP_FIXED_NOREPLACE)
		flags |= MAP_FIXED;
	len = PAGE_ALIGN(len);
	if (!len)
		return -ENOMEM;
	if (pgoff + PHYS_PFN(len) < pgoff)
		return -EOVERFLOW;

	vm_flags = calc_vm_prot_bits(prot) | VM_MAYREAD | VM_MAYWRITE |
		   VM_MAYEXEC;

	if (flags & MAP_FIXED) {
		if (offset_in_page(addr))
			return -EINVAL;
		if ((flags & MAP_FIXED_NOREPLACE) &&
		    find_vma_intersection(mm, addr, addr + len))
			return -EEXIST;
	} else {
		addr = get_unmapped_area(mm, addr, len);
	}

	switch (flags & MAP_TYPE) {
	case MAP_SHARED:
		if ((prot & PROT_WRITE) && !(file->f_mode & FMODE_WRITE))
			return -EACCES;
		vm_flags |= VM_SHARED | VM_MAYSHARE;
		if (!(file->f_mode & FMODE_WRITE))
			vm_flags &= ~(VM_MAYWRITE | VM_SHARED);
		fallthrough;
	case MAP_PRIVATE:
		if (!(file->f_mode & FMODE_READ))
			return -EACCES;
		if (!can_mmap_file(file))
			return -ENODEV;
		break;
	default:
		return -EINVAL;
	}

	return mmap_region(file, addr, len, vm_flags, pgoff);
}

/*
 * vma_needs_copy(): only entries a fault could not recreate are copied,
 * those of PFN/mixed maps and of a VMA with anonymous (copied-on-write)
 * pages; the model has no anon_vma, so it looks for such pages instead.
 * Only then does copy_page_range() allocate page tables ("pte_alloc").
 * Upstream: vma_needs_copy() in mm/memory.c, CUSTOMISED.
 */
static bool vma_needs_copy(struct vm_area_struct *src)
{
	struct pte_info pte;
	unsigned long addr;

	if (vma_test_any(src, VMA_PFNMAP_BIT, VMA_MIXEDMAP_BIT,
			 VMA_UFFD_WP_BIT, VMA_MAYBE_GUARD_BIT))
		return true;
	for (addr = src->vm_start; addr < src->vm_end; addr += PAGE_SIZE)
		if (pte_lookup(src->vm_mm, addr, &pte) && pte.page &&
		    pte.page->block && pte.page->block->kind == MEM_ANON)
			return true;
	return false;
}

/*
 * fork (mm/mmap.c dup_mmap()): each VMA but VM_DONTCOPY ones is charged if
 * accounted, duplicated, linked, ->open'ed and given a file reference
 * before its page tables are copied; a failure tears down the half-built
 * child like an exit (->close for every copy made).
 * Upstream: dup_mm() in kernel/fork.c, CUSTOMISED.
 */
struct mm_struct *dup_mm(struct mm_struct *oldmm)
{
	struct mm_struct *mm = mm_alloc();
	struct vm_area_struct *mpnt, *tmp;

	mm->mmap_base = oldmm->mmap_base;
	list_for_each_entry(mpnt, &oldmm->vmas, vm_node) {
		if (vma_test(mpnt, VMA_DONTCOPY_BIT))
			continue;
		if (vma_test(mpnt, VMA_ACCOUNT_BIT) &&
		    should_fail("vm_enough_memory"))
			goto fail;
		tmp = vm_area_dup(mpnt);
		if (!tmp)
			goto fail;
		tmp->vm_mm = mm;
		vm_flags_clear(tmp, VM_LOCKED_MASK);
		vma_link(mm, tmp);
		if (tmp->vm_ops && tmp->vm_ops->open)
			tmp->vm_ops->open(tmp);
		if (tmp->vm_file)
			get_file(tmp->vm_file);
		if (!vma_needs_copy(mpnt))
			continue;
		if (should_fail("pte_alloc"))
			goto fail;
		copy_page_range(tmp, mpnt);
	}
	return mm;

fail:
	mmput(mm);
	return NULL;
}
