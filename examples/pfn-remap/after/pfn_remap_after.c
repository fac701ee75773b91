// SPDX-License-Identifier: GPL-2.0
/*
 * pfn_remap_after.c - contiguous kernel pages mapped through .mmap_prepare
 *
 * The "after" half of the pfn-remap example: before/pfn_remap_before.c
 * converted. .mmap_prepare runs before the VMA exists, so it cannot call
 * remap_pfn_range(). It checks the description of the mapping instead and
 * asks the core, through desc->action, to map the page frames once the
 * VMA is in place. The mmap() contract (../pfn-remap-uapi.h) is unchanged.
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
 * kit_pfn_mmap_prepare() - check a mapping request and ask for a PFN remap
 * @desc: the proposed mapping; desc->pgoff is the first buffer page it shows
 *
 * Return: 0, -EINVAL for a private mapping or a window outside the buffer.
 * A remap that fails later makes mmap() fail with -EAGAIN.
 */
static int kit_pfn_mmap_prepare(struct vm_area_desc *desc)
{
	/*
	 * Copy-on-write (private, could become writable): the core would
	 * have to tell copied pages from the device's own ones.
	 */
	if (vma_desc_is_cow_mapping(desc))
		return -EINVAL;
	/* pgoff is checked first so that the subtraction cannot wrap. */
	if (desc->pgoff >= KIT_PFN_PAGES ||
	    vma_desc_pages(desc) > KIT_PFN_PAGES - desc->pgoff)
		return -EINVAL;

	/*
	 * This only records the request. Once the hook returns, the core
	 * sets VMA_IO, PFNMAP, DONTEXPAND and DONTDUMP on the description;
	 * it builds the page tables once the VMA exists, and unmaps the VMA
	 * itself if that fails.
	 */
	mmap_action_remap_full(desc, page_to_pfn(kit_pfn_pages) + desc->pgoff);
	/*
	 * The legacy driver turned any remap failure into -EAGAIN, and
	 * callers may rely on it: keep that errno rather than the core's.
	 */
	desc->action.error_override = -EAGAIN;
	return 0;
}

static const struct file_operations kit_pfn_fops = {
	.owner = THIS_MODULE,
	.mmap_prepare = kit_pfn_mmap_prepare,
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

MODULE_DESCRIPTION("mmap_prepare kit: PFN-mapped buffer, .mmap_prepare");
MODULE_LICENSE("GPL");
