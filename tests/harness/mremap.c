// SPDX-License-Identifier: GPL-2.0
/*
 * Model of mm/mremap.c: shrink, grow in place, and move (copy_vma() with
 * ->open, page tables moved, vm_ops->mremap, then the old range unmapped
 * with ->close). VM_DONTEXPAND and VM_PFNMAP mappings cannot grow.
 */
#include "internal.h"

/* Does the move split @vma? Then ->may_split has a say first. */
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

unsigned long do_mremap(struct mm_struct *mm, unsigned long addr,
			unsigned long old_len, unsigned long new_len,
			unsigned long flags, unsigned long new_addr)
{
	struct vm_area_struct *vma;
	int err;

	if (offset_in_page(addr) || (flags & ~(MREMAP_MAYMOVE | MREMAP_FIXED)))
		return -EINVAL;
	if ((flags & MREMAP_FIXED) && !(flags & MREMAP_MAYMOVE))
		return -EINVAL;
	old_len = PAGE_ALIGN(old_len);
	new_len = PAGE_ALIGN(new_len);
	if (!new_len)
		return -EINVAL;

	vma = find_vma(mm, addr);
	if (!vma || vma->vm_start > addr || old_len > vma->vm_end - addr)
		return -EFAULT;
	if (new_len > old_len && vma_test_any(vma, VMA_DONTEXPAND_BIT,
					      VMA_PFNMAP_BIT))
		return -EFAULT;

	if (flags & MREMAP_FIXED) {
		if (offset_in_page(new_addr))
			return -EINVAL;
		err = do_munmap(mm, new_addr, new_len);
		if (err)
			return err;
		return move_vma(vma, addr, old_len, new_len, new_addr);
	}

	if (new_len <= old_len) {
		if (new_len < old_len) {
			err = do_munmap(mm, addr + new_len, old_len - new_len);
			if (err)
				return err;
		}
		return addr;
	}

	/* Grow in place if the VMA ends here and the space above is free. */
	if (vma->vm_end == addr + old_len &&
	    !find_vma_intersection(mm, vma->vm_end, addr + new_len)) {
		if (vma_iter_prealloc())
			return -ENOMEM;
		vma->vm_end = addr + new_len;
		return addr;
	}
	if (!(flags & MREMAP_MAYMOVE))
		return -ENOMEM;
	return move_vma(vma, addr, old_len, new_len,
			get_unmapped_area(mm, 0, new_len));
}
