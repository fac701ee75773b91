// SPDX-License-Identifier: GPL-2.0
/*
 * pfn_remap_before.c - contiguous kernel pages mapped with remap_pfn_range()
 *
 * The "before" half of the pfn-remap example, in the most common legacy
 * shape: .mmap gets the VMA the core has just created, checks the request
 * and fills the VMA with page table entries for the buffer's page frames.
 * after/pfn_remap_after.c is the .mmap_prepare conversion; the mmap()
 * contract both keep is in ../pfn-remap-uapi.h.
 */

#include <linux/fs.h>
#include <linux/gfp.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/module.h>

#include "../pfn-remap-uapi.h"

#define KIT_PFN_SIZE	(KIT_PFN_PAGES * PAGE_SIZE)

/* One high-order allocation, so the page frames are consecutive. */
static struct page *kit_pfn_pages;

/**
 * kit_pfn_mmap() - check a mapping request and map the buffer's page frames
 * @file: the open device
 * @vma: the new mapping; vm_pgoff is the first buffer page it shows
 *
 * Return: 0, -EINVAL for a private mapping or a window outside the buffer,
 * -EAGAIN if the page tables could not be built.
 */
static int kit_pfn_mmap(struct file *file, struct vm_area_struct *vma)
{
	/*
	 * Copy-on-write (private, could become writable): the core would
	 * have to tell copied pages from the device's own ones.
	 */
	if ((vma->vm_flags & (VM_SHARED | VM_MAYWRITE)) == VM_MAYWRITE)
		return -EINVAL;
	/* vm_pgoff is checked first so that the subtraction cannot wrap. */
	if (vma->vm_pgoff >= KIT_PFN_PAGES ||
	    vma_pages(vma) > KIT_PFN_PAGES - vma->vm_pgoff)
		return -EINVAL;

	/*
	 * Also sets VM_IO | VM_PFNMAP | VM_DONTEXPAND | VM_DONTDUMP. On
	 * failure it has already zapped what it mapped, and the core frees
	 * the VMA without calling any vm_ops.
	 */
	if (remap_pfn_range(vma, vma->vm_start,
			    page_to_pfn(kit_pfn_pages) + vma->vm_pgoff,
			    vma->vm_end - vma->vm_start, vma->vm_page_prot))
		return -EAGAIN;
	return 0;
}

static const struct file_operations kit_pfn_fops = {
	.owner = THIS_MODULE,
	.mmap = kit_pfn_mmap,
};

static struct miscdevice kit_pfn_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = KIT_PFN_NAME,
	.fops = &kit_pfn_fops,
};

/**
 * kit_pfn_init() - allocate and fill the buffer, then register the device
 *
 * Return: 0 or a negative errno.
 */
static int __init kit_pfn_init(void)
{
	unsigned char *buf;
	unsigned long off;
	int ret;

	kit_pfn_pages = alloc_pages(GFP_KERNEL, get_order(KIT_PFN_SIZE));
	if (!kit_pfn_pages)
		return -ENOMEM;
	buf = page_address(kit_pfn_pages);
	for (off = 0; off < KIT_PFN_SIZE; off++)
		buf[off] = kit_pfn_pattern(off);

	/* Last, so that no mmap() can see a half-filled buffer. */
	ret = misc_register(&kit_pfn_misc);
	if (ret)
		__free_pages(kit_pfn_pages, get_order(KIT_PFN_SIZE));
	return ret;
}

/**
 * kit_pfn_exit() - remove the device and free the buffer
 *
 * A mapping pins its file and an open file pins this module (fops.owner),
 * so no page table entry can still point at the pages freed here.
 */
static void __exit kit_pfn_exit(void)
{
	misc_deregister(&kit_pfn_misc);
	__free_pages(kit_pfn_pages, get_order(KIT_PFN_SIZE));
}

module_init(kit_pfn_init);
module_exit(kit_pfn_exit);

MODULE_DESCRIPTION("mmap_prepare kit: PFN-mapped buffer, legacy .mmap");
MODULE_LICENSE("GPL");
