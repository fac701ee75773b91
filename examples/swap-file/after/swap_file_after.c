// SPDX-License-Identifier: GPL-2.0
/*
 * swap_file_after.c - a device that maps a shmem file it holds, .mmap_prepare
 *
 * The "after" half of the swap-file example: before/swap_file_before.c
 * converted. There is no VMA to call vma_set_file() on yet: the hook names
 * the file the VMA will map in desc->vm_file, and hands the core one
 * reference to it, which the new VMA adopts. The core does not run the
 * swapped-in file's .mmap_prepare, so the hook asks shmem for its set-up
 * itself. The contract (../swap-file-uapi.h) is unchanged.
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
 * kit_swap_mmap_prepare() - describe a mapping of a window of the shmem file
 * @desc: the proposed mapping; desc->pgoff is the first page of the file it
 *        shows
 *
 * Return: 0, -EINVAL for a private mapping or a window outside the file,
 * or what shmem's own hook said.
 */
static int kit_swap_mmap_prepare(struct vm_area_desc *desc)
{
	struct vm_area_desc shmem_desc = {
		.mm = desc->mm,
		.file = kit_swap_shmem,
		.start = desc->start,
		.end = desc->end,
		.pgoff = desc->pgoff,
		.vm_file = kit_swap_shmem,
		.page_prot = desc->page_prot,
		.vm_ops = desc->vm_ops,
		.private_data = desc->private_data,
	};
	int ret;

	/* VMA_MAYSHARE: VMA_SHARED is cleared for an O_RDONLY descriptor. */
	if (!vma_desc_test(desc, VMA_MAYSHARE_BIT))
		return -EINVAL;
	/* pgoff is checked first so that the subtraction cannot wrap. */
	if (desc->pgoff >= KIT_SWAP_PAGES ||
	    vma_desc_pages(desc) > KIT_SWAP_PAGES - desc->pgoff)
		return -EINVAL;

	/*
	 * shmem's hook reads desc->file, the file being mmap()ed, which is
	 * the device here: it gets a copy of the description in which the
	 * shmem file is the one being mapped, and this hook keeps what shmem
	 * chose (its vm_ops: shmem's fault handler, no action). The copy is
	 * built field by field, not assigned: up to 6.19 the descriptor's mm
	 * and file are const members, which an assignment cannot write. The
	 * flags stay out of it: shmem's hook reads desc->file and sets
	 * vm_ops only (mm/shmem.c), and on 6.19 sparse refuses a copy of
	 * vma_flags outside the flag helpers.
	 */
	ret = vfs_mmap_prepare(kit_swap_shmem, &shmem_desc);
	if (ret)
		return ret;
	desc->vm_ops = shmem_desc.vm_ops;
	desc->private_data = shmem_desc.private_data;

	/*
	 * The reference taken here is handed to the core: the new VMA
	 * adopts it instead of taking its own, and the core drops the
	 * device file's reference. Nothing may fail after this line, or
	 * the reference would have no owner.
	 */
	desc->vm_file = get_file(kit_swap_shmem);
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

MODULE_DESCRIPTION("mmap_prepare kit: a device mapping a shmem file it holds, .mmap_prepare");
MODULE_LICENSE("GPL");
