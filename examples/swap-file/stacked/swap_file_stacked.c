// SPDX-License-Identifier: GPL-2.0
/*
 * swap_file_stacked.c - probe: a legacy .mmap stacked over the converted hook
 *
 * Not a driver to copy: a probe of the compat path. The converted hook of
 * after/ is reached the way a stacking file reaches the file beneath it
 * (backing_file_mmap()): the device's legacy .mmap points the VMA at an
 * inner file with vma_set_file() and calls vfs_mmap() on it, which runs
 * the inner file's .mmap_prepare through compat_vma_mmap(). The hook then
 * hands over a reference to the shmem file, as under a direct mmap(); the
 * lab counts what the compat path does with it.
 */

#include <linux/anon_inodes.h>
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
/* The file beneath the device, whose only mmap hook is .mmap_prepare. */
static struct file *kit_swap_inner;

/**
 * kit_swap_mmap_prepare() - the converted hook of after/, unchanged
 * @desc: the proposed mapping
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

	if (!vma_desc_test(desc, VMA_MAYSHARE_BIT))
		return -EINVAL;
	if (desc->pgoff >= KIT_SWAP_PAGES ||
	    vma_desc_pages(desc) > KIT_SWAP_PAGES - desc->pgoff)
		return -EINVAL;

	ret = vfs_mmap_prepare(kit_swap_shmem, &shmem_desc);
	if (ret)
		return ret;
	desc->vm_ops = shmem_desc.vm_ops;
	desc->private_data = shmem_desc.private_data;
	/* One reference handed over, as the hook's contract says. */
	desc->vm_file = get_file(kit_swap_shmem);
	return 0;
}

/*
 * No owner: the inner file is never left in a VMA (the hook swaps it out),
 * so only this module holds it, and it must not pin the module it belongs
 * to, or the module could never be unloaded.
 */
static const struct file_operations kit_swap_inner_fops = {
	.mmap_prepare = kit_swap_mmap_prepare,
};

/**
 * kit_swap_stacked_mmap() - map the inner file the way stacking files do
 * @file: the open device
 * @vma: the new mapping
 *
 * Return: what the inner file's mmap said.
 */
static int kit_swap_stacked_mmap(struct file *file, struct vm_area_struct *vma)
{
	vma_set_file(vma, kit_swap_inner);
	return vfs_mmap(kit_swap_inner, vma);
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
	.mmap = kit_swap_stacked_mmap,
};

static struct miscdevice kit_swap_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = KIT_SWAP_NAME,
	.fops = &kit_swap_fops,
};

/**
 * kit_swap_init() - create the shmem and inner files, register the device
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
	kit_swap_inner = anon_inode_getfile("kit_swap_inner",
					    &kit_swap_inner_fops, NULL, O_RDWR);
	if (IS_ERR(kit_swap_inner)) {
		ret = PTR_ERR(kit_swap_inner);
		goto put_shmem;
	}
	ret = misc_register(&kit_swap_misc);
	if (ret)
		goto put_inner;
	return 0;

put_inner:
	__fput_sync(kit_swap_inner);
put_shmem:
	fput(kit_swap_shmem);
	return ret;
}

/**
 * kit_swap_exit() - remove the device and drop the module's references
 *
 * The inner file's last put runs here, synchronously: fput() would defer
 * it past the unload, and the file's f_op is this module's.
 */
static void __exit kit_swap_exit(void)
{
	misc_deregister(&kit_swap_misc);
	__fput_sync(kit_swap_inner);
	fput(kit_swap_shmem);
}

module_init(kit_swap_init);
module_exit(kit_swap_exit);

MODULE_DESCRIPTION("mmap_prepare kit probe: legacy .mmap stacked over a hook that swaps the file");
MODULE_LICENSE("GPL");
