// SPDX-License-Identifier: GPL-2.0
/*
 * vmalloc_pages_before.c - a vmalloc'd buffer mapped page by page
 *
 * The "before" half of the vmalloc-pages example, in the legacy shape of
 * kcov and many other drivers: .mmap gets the VMA the core has just
 * created, checks the request and inserts the buffer's pages one at a time
 * with vm_insert_page(). after/vmalloc_pages_after.c is the .mmap_prepare
 * conversion; the mmap() contract both keep is in ../vmalloc-pages-uapi.h.
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

/**
 * kit_vmalloc_mmap() - check a mapping request and insert the buffer's pages
 * @file: the open device
 * @vma: the new mapping; vm_pgoff is the first buffer page it shows
 *
 * Return: 0, -EINVAL for a private mapping or a window outside the buffer,
 * -ENOMEM if the page tables could not be built.
 */
static int kit_vmalloc_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct page *page;
	unsigned long i;
	int ret;

	/*
	 * VM_MAYSHARE rather than VM_SHARED: the core clears VM_SHARED for
	 * a read-only descriptor, and that mapping is still a shared one.
	 */
	if (!(vma->vm_flags & VM_MAYSHARE))
		return -EINVAL;
	/* vm_pgoff is checked first so that the subtraction cannot wrap. */
	if (vma->vm_pgoff >= KIT_VMALLOC_PAGES ||
	    vma_pages(vma) > KIT_VMALLOC_PAGES - vma->vm_pgoff)
		return -EINVAL;

	/* Grown by mremap(), the new part would have no page behind it. */
	vm_flags_set(vma, VM_DONTEXPAND);
	/*
	 * Also sets VM_MIXEDMAP. Each entry takes a reference to its page.
	 * On failure the core zaps what was inserted and frees the VMA.
	 */
	for (i = 0; i < vma_pages(vma); i++) {
		page = vmalloc_to_page(kit_vmalloc_buf +
				       (vma->vm_pgoff + i) * PAGE_SIZE);
		ret = vm_insert_page(vma, vma->vm_start + i * PAGE_SIZE, page);
		if (ret)
			return ret;
	}
	return 0;
}

static const struct file_operations kit_vmalloc_fops = {
	.owner = THIS_MODULE,
	.mmap = kit_vmalloc_mmap,
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
	unsigned long off;
	int ret;

	/* vmalloc_user(): zeroed, and meant to be mapped to user space. */
	kit_vmalloc_buf = vmalloc_user(KIT_VMALLOC_SIZE);
	if (!kit_vmalloc_buf)
		return -ENOMEM;
	buf = kit_vmalloc_buf;
	for (off = 0; off < KIT_VMALLOC_SIZE; off++)
		buf[off] = kit_vmalloc_pattern(off);

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

MODULE_DESCRIPTION("mmap_prepare kit: vmalloc'd buffer mapped page by page, legacy .mmap");
MODULE_LICENSE("GPL");
