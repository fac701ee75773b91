// SPDX-License-Identifier: GPL-2.0
/*
 * A fault-served buffer mapped through .mmap_prepare
 *
 * The "after" half of the flags example: before/flags_before.c converted.
 * .mmap_prepare runs before any VMA exists and edits a description of the
 * mapping instead (struct vm_area_desc): flags by bit number, vm_ops and
 * private_data, which the core applies. It allocates nothing per mapping, so
 * it needs neither desc->action nor vm_ops->mapped. The fault handler and the
 * mmap() contract (../flags-uapi.h) are unchanged.
 */

#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/vmalloc.h>

#include "../flags-uapi.h"

#define KIT_FLAGS_SIZE	(KIT_FLAGS_PAGES * PAGE_SIZE)

/**
 * struct kit_flags_dev - the device and the buffer it exposes
 * @misc: misc device; misc_open() puts its address in file->private_data
 * @buf: KIT_FLAGS_PAGES pages of vmalloc memory holding kit_flags_pattern()
 */
struct kit_flags_dev {
	struct miscdevice misc;
	void *buf;
};

/**
 * kit_flags_fault() - give the faulting address its page of the buffer
 * @vmf: fault description; vmf->pgoff is the page index in the buffer
 *
 * Return: 0 with vmf->page set, or VM_FAULT_SIGBUS outside the buffer.
 */
static vm_fault_t kit_flags_fault(struct vm_fault *vmf)
{
	struct kit_flags_dev *dev = vmf->vma->vm_private_data;
	struct page *page;

	/* mmap checked the window and DONTEXPAND stops mremap() growth. */
	if (vmf->pgoff >= KIT_FLAGS_PAGES)
		return VM_FAULT_SIGBUS;

	page = vmalloc_to_page(dev->buf + (vmf->pgoff << PAGE_SHIFT));
	/* The core hands this reference over to the page table entry. */
	get_page(page);
	vmf->page = page;
	return 0;
}

static const struct vm_operations_struct kit_flags_vm_ops = {
	.fault = kit_flags_fault,
};

/**
 * kit_flags_mmap_prepare() - check a mapping request and describe the mapping
 * @desc: the proposed mapping; it may still fail or be merged after this
 *	returns, so the hook must not change any state that needs undoing
 *
 * Return: 0, -EINVAL for a private mapping or a window outside the buffer,
 * -EPERM for an executable mapping.
 */
static int kit_flags_mmap_prepare(struct vm_area_desc *desc)
{
	/* desc->file, not desc->vm_file: the file mmap() was called on. */
	struct kit_flags_dev *dev = container_of(desc->file->private_data,
						 struct kit_flags_dev, misc);

	/*
	 * MAYSHARE, not SHARED: MAP_SHARED of an O_RDONLY file loses
	 * VMA_SHARED_BIT in the core (it can never be written) but keeps
	 * VMA_MAYSHARE_BIT. MAP_PRIVATE has neither.
	 */
	if (!vma_desc_test(desc, VMA_MAYSHARE_BIT))
		return -EINVAL;
	/* pgoff is checked first so that the subtraction cannot wrap. */
	if (desc->pgoff >= KIT_FLAGS_PAGES ||
	    vma_desc_pages(desc) > KIT_FLAGS_PAGES - desc->pgoff)
		return -EINVAL;
	if (vma_desc_test(desc, VMA_EXEC_BIT))
		return -EPERM;

	/* Without MAYEXEC, a later mprotect(PROT_EXEC) fails as well. */
	vma_desc_clear_flags(desc, VMA_MAYEXEC_BIT);
	/*
	 * The buffer never grows, and it is the device's state rather than
	 * the process's data, so it stays out of core dumps too.
	 */
	vma_desc_set_flags(desc, VMA_DONTEXPAND_BIT, VMA_DONTDUMP_BIT);
	desc->vm_ops = &kit_flags_vm_ops;
	desc->private_data = dev;
	return 0;
}

static const struct file_operations kit_flags_fops = {
	.owner = THIS_MODULE,
	.mmap_prepare = kit_flags_mmap_prepare,
};

static struct kit_flags_dev kit_flags_dev = {
	.misc = {
		.minor = MISC_DYNAMIC_MINOR,
		.name = KIT_FLAGS_NAME,
		.fops = &kit_flags_fops,
	},
};

/**
 * kit_flags_init() - fill the buffer, then make the device visible
 *
 * Return: 0 or a negative errno.
 */
static int __init kit_flags_init(void)
{
	unsigned char *buf;
	unsigned long off;
	int ret;

	/* Zeroed memory that is meant to be mapped into userspace. */
	buf = vmalloc_user(KIT_FLAGS_SIZE);
	if (!buf)
		return -ENOMEM;
	for (off = 0; off < KIT_FLAGS_SIZE; off++)
		buf[off] = kit_flags_pattern(off);
	kit_flags_dev.buf = buf;

	/* Registered last, so no mmap() can see a half-filled buffer. */
	ret = misc_register(&kit_flags_dev.misc);
	if (ret)
		vfree(buf);
	return ret;
}

/**
 * kit_flags_exit() - remove the device and free the buffer
 *
 * Each mapping pins the file and each open file pins this module
 * (fops.owner), so no mapping of the buffer can outlive the vfree().
 */
static void __exit kit_flags_exit(void)
{
	misc_deregister(&kit_flags_dev.misc);
	vfree(kit_flags_dev.buf);
}

module_init(kit_flags_init);
module_exit(kit_flags_exit);

MODULE_DESCRIPTION("mmap_prepare kit: fault-served buffer, .mmap_prepare");
MODULE_LICENSE("GPL");
