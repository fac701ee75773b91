// SPDX-License-Identifier: GPL-2.0
/*
 * swap_file_before.c - a device that maps a shmem file it holds, legacy .mmap
 *
 * The "before" half of the swap-file example. The device has no memory of
 * its own: it hands out mappings of a shmem file created at load, the way
 * a GPU driver maps an object's shmem backing store or a dma-buf exporter
 * maps its buffer's file. .mmap lets shmem set the VMA up, then replaces
 * the VMA's file with vma_set_file(), so that faults, rmap and truncation
 * see the shmem mapping and not the device's. The contract is in
 * ../swap-file-uapi.h.
 */

#include <linux/err.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/shmem_fs.h>

#include "../swap-file-uapi.h"

/* The file every mapping maps; one reference is the module's own. */
static struct file *kit_swap_shmem;

/**
 * kit_swap_mmap() - map a window of the shmem file
 * @file: the open device
 * @vma: the new mapping; vma->vm_pgoff is the first page of the file it shows
 *
 * Return: 0, -EINVAL for a private mapping or a window outside the file,
 * or what shmem's own mmap said.
 */
static int kit_swap_mmap(struct file *file, struct vm_area_struct *vma)
{
	int ret;

	/* VM_MAYSHARE: VM_SHARED is cleared for an O_RDONLY descriptor. */
	if (!(vma->vm_flags & VM_MAYSHARE))
		return -EINVAL;
	/* pgoff is checked first so that the subtraction cannot wrap. */
	if (vma->vm_pgoff >= KIT_SWAP_PAGES ||
	    vma_pages(vma) > KIT_SWAP_PAGES - vma->vm_pgoff)
		return -EINVAL;

	/*
	 * shmem's hook installs shmem's vm_ops, whose fault handler reads
	 * vma->vm_file: it must not run on the device's file, so the file
	 * is swapped before the first fault can happen.
	 */
	ret = vfs_mmap(kit_swap_shmem, vma);
	if (ret)
		return ret;
	/* Takes a reference for the VMA and drops the device's one. */
	vma_set_file(vma, kit_swap_shmem);
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
	.mmap = kit_swap_mmap,
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

	/* NORESERVE: pages are charged as they are touched, not up front. */
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
 *
 * Mappings made earlier hold their own references and shmem's vm_ops,
 * none of this module's code: the shmem file outlives the module for as
 * long as one of them is left.
 */
static void __exit kit_swap_exit(void)
{
	misc_deregister(&kit_swap_misc);
	fput(kit_swap_shmem);
}

module_init(kit_swap_init);
module_exit(kit_swap_exit);

MODULE_DESCRIPTION("mmap_prepare kit: a device mapping a shmem file it holds, legacy .mmap");
MODULE_LICENSE("GPL");
