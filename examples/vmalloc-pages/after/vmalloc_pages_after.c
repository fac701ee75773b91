// SPDX-License-Identifier: GPL-2.0
/*
 * vmalloc_pages_after.c - a vmalloc'd buffer mapped through .mmap_prepare
 *
 * The "after" half of the vmalloc-pages example: before/vmalloc_pages_before.c
 * converted. .mmap_prepare runs before the VMA exists, so it cannot call
 * vm_insert_page(). It checks the description of the mapping instead and
 * asks the core, through desc->action, to insert the pages once the VMA is
 * in place. The mmap() contract (../vmalloc-pages-uapi.h) is unchanged.
 */

#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/vmalloc.h>

#include "../vmalloc-pages-uapi.h"

#define KIT_VMALLOC_SIZE	(KIT_VMALLOC_PAGES * PAGE_SIZE)

/* Virtually contiguous only: each page has to be looked up on its own. */
static void *kit_vmalloc_buf;

/*
 * The buffer's pages, in order. The action only records a pointer into
 * this array and the core reads it after .mmap_prepare has returned, so it
 * cannot live on the stack: built once at load, it lasts as long as the
 * module, which outlives every mapping.
 */
static struct page *kit_vmalloc_pages[KIT_VMALLOC_PAGES];

/**
 * kit_vmalloc_mmap_prepare() - check a mapping request and ask for its pages
 * @desc: the proposed mapping; desc->pgoff is the first buffer page it shows
 *
 * Return: 0, -EINVAL for a private mapping or a window outside the buffer.
 * If the pages cannot be inserted later, mmap() fails with -ENOMEM.
 */
static int kit_vmalloc_mmap_prepare(struct vm_area_desc *desc)
{
	/*
	 * VMA_MAYSHARE rather than VMA_SHARED: the core clears VMA_SHARED for
	 * a read-only descriptor, and that mapping is still a shared one.
	 */
	if (!vma_desc_test(desc, VMA_MAYSHARE_BIT))
		return -EINVAL;
	/* pgoff is checked first so that the subtraction cannot wrap. */
	if (desc->pgoff >= KIT_VMALLOC_PAGES ||
	    vma_desc_pages(desc) > KIT_VMALLOC_PAGES - desc->pgoff)
		return -EINVAL;

	/* Grown by mremap(), the new part would have no page behind it. */
	vma_desc_set_flags(desc, VMA_DONTEXPAND_BIT);
	/*
	 * This only records the request. Once the hook returns, the core
	 * sets VMA_MIXEDMAP on the description; it inserts the pages once
	 * the VMA exists. It maps pages[0] at the start of the VMA, whatever
	 * desc->pgoff says: the window is chosen here. If the insertion
	 * fails, the core unmaps the VMA itself.
	 */
	mmap_action_map_kernel_pages_full(desc, kit_vmalloc_pages + desc->pgoff);
	/*
	 * vm_insert_page() said -ENOMEM for any page table it could not
	 * allocate; the action says -EFAULT when the upper levels fail.
	 * Keep the errno callers have always seen.
	 */
	desc->action.error_override = -ENOMEM;
	return 0;
}

static const struct file_operations kit_vmalloc_fops = {
	.owner = THIS_MODULE,
	.mmap_prepare = kit_vmalloc_mmap_prepare,
};

static struct miscdevice kit_vmalloc_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = KIT_VMALLOC_NAME,
	.fops = &kit_vmalloc_fops,
};

/**
 * kit_vmalloc_init() - allocate and fill the buffer, then register the device
 *
 * Return: 0 or a negative errno.
 */
static int __init kit_vmalloc_init(void)
{
	unsigned char *buf;
	unsigned long off, i;
	int ret;

	/* vmalloc_user(): zeroed, and meant to be mapped to user space. */
	kit_vmalloc_buf = vmalloc_user(KIT_VMALLOC_SIZE);
	if (!kit_vmalloc_buf)
		return -ENOMEM;
	buf = kit_vmalloc_buf;
	for (off = 0; off < KIT_VMALLOC_SIZE; off++)
		buf[off] = kit_vmalloc_pattern(off);
	for (i = 0; i < KIT_VMALLOC_PAGES; i++)
		kit_vmalloc_pages[i] = vmalloc_to_page(buf + i * PAGE_SIZE);

	/* Last, so that no mmap() can see a half-filled buffer. */
	ret = misc_register(&kit_vmalloc_misc);
	if (ret)
		vfree(kit_vmalloc_buf);
	return ret;
}

/**
 * kit_vmalloc_exit() - remove the device and free the buffer
 *
 * A mapping pins its file and an open file pins this module (fops.owner),
 * so no page table entry can still point at the pages freed here.
 */
static void __exit kit_vmalloc_exit(void)
{
	misc_deregister(&kit_vmalloc_misc);
	vfree(kit_vmalloc_buf);
}

module_init(kit_vmalloc_init);
module_exit(kit_vmalloc_exit);

MODULE_DESCRIPTION("mmap_prepare kit: vmalloc'd buffer mapped page by page, .mmap_prepare");
MODULE_LICENSE("GPL");
