// SPDX-License-Identifier: GPL-2.0
/*
 * swap_file_badaction.c - probe: the action is refused after the file swap
 *
 * Not a driver to copy: a probe of the core's error path. The hook hands
 * over a reference to the shmem file, then asks for an action the core
 * refuses when it prepares it (kernel pages reaching past the mapping, so
 * map_kernel_pages_prepare() says -EFAULT). mmap() fails with EFAULT; the
 * lab counts the references the shmem file has left.
 */

#include <linux/err.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/shmem_fs.h>

#include "../swap-file-uapi.h"

/* The file the hook swaps in; one reference is the module's own. */
static struct file *kit_swap_shmem;

/* Never read: the core refuses the action before it looks at the pages. */
static struct page *kit_swap_no_pages[KIT_SWAP_PAGES + 1];

/**
 * kit_swap_mmap_prepare() - swap the file, then ask for a bad action
 * @desc: the proposed mapping
 *
 * Return: 0; mmap() then fails in the core.
 */
static int kit_swap_mmap_prepare(struct vm_area_desc *desc)
{
	desc->vm_file = get_file(kit_swap_shmem);
	/* One page more than the mapping has. */
	mmap_action_map_kernel_pages(desc, desc->start, kit_swap_no_pages,
				     vma_desc_pages(desc) + 1);
	return 0;
}

/**
 * kit_swap_ioctl() - report the shmem file's reference count
 * @file: the open device
 * @cmd: KIT_SWAP_FILE_REFS
 * @arg: unused
 *
 * Return: file_count() of the shmem file, -ENOTTY for another command.
 */
static long kit_swap_ioctl(struct file *file, unsigned int cmd,
			   unsigned long arg)
{
	if (cmd != KIT_SWAP_FILE_REFS)
		return -ENOTTY;
	return file_count(kit_swap_shmem);
}

static const struct file_operations kit_swap_fops = {
	.owner = THIS_MODULE,
	.unlocked_ioctl = kit_swap_ioctl,
	.mmap_prepare = kit_swap_mmap_prepare,
};

static struct miscdevice kit_swap_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = KIT_SWAP_NAME,
	.fops = &kit_swap_fops,
};

/**
 * kit_swap_init() - create the shmem file, then register the device
 *
 * Return: 0 or a negative errno.
 */
static int __init kit_swap_init(void)
{
	int ret;

	kit_swap_shmem = shmem_file_setup(KIT_SWAP_NAME,
					  KIT_SWAP_PAGES * PAGE_SIZE,
					  mk_vma_flags(VMA_NORESERVE_BIT));
	if (IS_ERR(kit_swap_shmem))
		return PTR_ERR(kit_swap_shmem);
	ret = misc_register(&kit_swap_misc);
	if (ret)
		fput(kit_swap_shmem);
	return ret;
}

/**
 * kit_swap_exit() - remove the device and drop the module's reference
 */
static void __exit kit_swap_exit(void)
{
	misc_deregister(&kit_swap_misc);
	fput(kit_swap_shmem);
}

module_init(kit_swap_init);
module_exit(kit_swap_exit);

MODULE_DESCRIPTION("mmap_prepare kit probe: an action refused after the hook swapped the file");
MODULE_LICENSE("GPL");
