// SPDX-License-Identifier: GPL-2.0
/*
 * Model of mm/mremap.c: shrink, grow in place, and move (copy_vma() with
 * ->open, page tables moved, vm_ops->mremap, then the old range unmapped
 * with ->close). VM_DONTEXPAND and VM_PFNMAP mappings cannot grow (-EFAULT);
 * other special ones (VM_IO, VM_MIXEDMAP) cannot grow in place (-ENOMEM),
 * as vma_merge_extend() refuses them.
 */
#include "internal.h"

/* Does the move split @vma? Then ->may_split has a say first. */
/* Upstream: prep_move_vma() in mm/mremap.c, CUSTOMISED. */
static int prep_move_vma(struct vm_area_struct *vma, unsigned long addr,
			 unsigned long old_len)
{
	int err = 0;

	if (!vma->vm_ops || !vma->vm_ops->may_split)
		return 0;
	if (vma->vm_start != addr)
		err = vma->vm_ops->may_split(vma, addr);
	if (!err && vma->vm_end != addr + old_len)
		err = vma->vm_ops->may_split(vma, addr + old_len);
	return err;
}

/* Upstream: move_vma() in mm/mremap.c, CUSTOMISED. */
static unsigned long move_vma(struct vm_area_struct *vma, unsigned long addr,
			      unsigned long old_len, unsigned long new_len,
			      unsigned long new_addr)
{
	struct mm_struct *mm = vma->vm_mm;
	struct vm_area_struct *new_vma;
	pgoff_t pgoff = vma->vm_pgoff + PHYS_PFN(addr - vma->vm_start);
	int err;

	err = prep_move_vma(vma, addr, old_len);
	if (err)
		return err;

	new_vma = copy_vma(vma, new_addr, new_len, pgoff);
	if (!new_vma)
		return -ENOMEM;

	if (should_fail("pte_alloc"))
		err = -ENOMEM;
	else
		move_page_tables(vma, addr, new_vma, new_addr, old_len);
	if (!err && vma->vm_ops && vma->vm_ops->mremap) {
		err = vma->vm_ops->mremap(new_vma);
		if (err)
			move_page_tables(new_vma, new_addr, vma, addr, old_len);
	}
	if (err) {
		/* Undo: the copy goes, the original stays. */
		do_munmap(mm, new_addr, new_len);
		return err;
	}
	do_munmap(mm, addr, old_len);
	return new_addr;
}

/* check_mremap_params(): the request itself, before any VMA is looked up. */
/* Upstream: check_mremap_params() in mm/mremap.c, CUSTOMISED. */
static int check_mremap_params(unsigned long addr, unsigned long old_len,
			       unsigned long new_len, unsigned long flags,
			       unsigned long new_addr)
{
	if (flags & ~(MREMAP_MAYMOVE | MREMAP_FIXED))
		return -EINVAL;
	if (offset_in_page(addr) || !new_len)
		return -EINVAL;
	if (!(flags & MREMAP_FIXED))
		return 0;
	if (offset_in_page(new_addr) || !(flags & MREMAP_MAYMOVE))
		return -EINVAL;
	/* vrm_overlaps() */
	if (addr < new_addr + new_len && new_addr < addr + old_len)
		return -EINVAL;
	return 0;
}

/* Upstream: do_mremap() in mm/mremap.c, CUSTOMISED. */
unsigned long do_mremap(struct mm_struct *mm, unsigned long addr,
			unsigned long old_len, unsigned long new_len,
			unsigned long flags, unsigned long new_addr)
{
	struct vm_area_struct *vma;
	int err;

	old_len = PAGE_ALIGN(old_len);
	new_len = PAGE_ALIGN(new_len);
	err = check_mremap_params(addr, old_len, new_len, flags, new_addr);
	if (err)
		return err;

	/* check_prep_vma() */
	vma = find_vma(mm, addr);
	if (!vma || vma->vm_start > addr)
		return -EFAULT;
	if ((flags & MREMAP_FIXED) || new_len > old_len) {
		/* A shrink may cross the end of the VMA, a move may not. */
		if (min(old_len, new_len) > vma->vm_end - addr)
			return -EFAULT;
		if (new_len > old_len &&
		    vma_test_any(vma, VMA_DONTEXPAND_BIT, VMA_PFNMAP_BIT))
			return -EFAULT;
	}

	/* mremap_to(): clear the target, shrink, then move what is left. */
	if (flags & MREMAP_FIXED) {
		err = do_munmap(mm, new_addr, new_len);
		if (err)
			return err;
		vma = find_vma(mm, addr);
		if (!vma || vma->vm_start > addr)
			return -EFAULT;
		if (new_len < old_len) {
			err = do_munmap(mm, addr + new_len, old_len - new_len);
			if (err)
				return err;
			old_len = new_len;
			vma = find_vma(mm, addr);
		}
		return move_vma(vma, addr, old_len, new_len, new_addr);
	}

	/* shrink_vma(): may cross the end of the VMA. */
	if (new_len <= old_len) {
		if (new_len < old_len) {
			err = do_munmap(mm, addr + new_len, old_len - new_len);
			if (err)
				return err;
		}
		return addr;
	}

	/* expand_vma(): in place if the VMA ends here and the space is free. */
	if (vma->vm_end == addr + old_len &&
	    !find_vma_intersection(mm, vma->vm_end, addr + new_len)) {
		if (!vma_merge_extend(vma, new_len - old_len))
			return -ENOMEM;
		return addr;
	}
	if (!(flags & MREMAP_MAYMOVE))
		return -ENOMEM;
	return move_vma(vma, addr, old_len, new_len,
			get_unmapped_area(mm, 0, new_len));
}
