// SPDX-License-Identifier: GPL-2.0
/*
 * swap_file_badmmap.c - probe: the swapped-in file's own .mmap fails
 *
 * Not a driver to copy: a probe of the core's error path. The hook hands
 * over a reference to a file that has a legacy .mmap of its own, which the
 * core then calls on the new VMA, and which always fails. mmap() fails
 * with EINVAL; the lab counts the references the file has left.
 */

#include <linux/anon_inodes.h>
#include <linux/err.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/module.h>

#include "../swap-file-uapi.h"

/*
 * References the module takes on top of its own, so that a kernel that
 * drops more references than it was given cannot free the file while the
 * module still uses it: the lab makes fewer failed mmap() calls than this.
 */
#define KIT_SWAP_GUARD	64

/* The file the hook swaps in. */
static struct file *kit_swap_bad;

/**
 * kit_swap_bad_mmap() - the swapped-in file's own mmap, which refuses
 * @file: the swapped-in file
 * @vma: the new mapping
 *
 * Return: -EINVAL, always.
 */
static int kit_swap_bad_mmap(struct file *file, struct vm_area_struct *vma)
{
	return -EINVAL;
}

/* No owner: only this module holds the file, see KIT_SWAP_GUARD. */
static const struct file_operations kit_swap_bad_fops = {
	.mmap = kit_swap_bad_mmap,
};

/**
 * kit_swap_mmap_prepare() - hand the core a reference to the failing file
 * @desc: the proposed mapping
 *
 * Return: 0.
 */
static int kit_swap_mmap_prepare(struct vm_area_desc *desc)
{
	desc->vm_file = get_file(kit_swap_bad);
	return 0;
}

/**
 * kit_swap_ioctl() - report the swapped-in file's reference count
 * @file: the open device
 * @cmd: KIT_SWAP_FILE_REFS
 * @arg: unused
 *
 * Return: file_count() of the swapped-in file, -ENOTTY for another command.
 */
static long kit_swap_ioctl(struct file *file, unsigned int cmd,
			   unsigned long arg)
{
	if (cmd != KIT_SWAP_FILE_REFS)
		return -ENOTTY;
	return file_count(kit_swap_bad);
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
 * kit_swap_init() - create the file with its guard references, register
 *
 * Return: 0 or a negative errno.
 */
static int __init kit_swap_init(void)
{
	int i, ret;

	kit_swap_bad = anon_inode_getfile("kit_swap_bad", &kit_swap_bad_fops,
					  NULL, O_RDWR);
	if (IS_ERR(kit_swap_bad))
		return PTR_ERR(kit_swap_bad);
	for (i = 0; i < KIT_SWAP_GUARD; i++)
		get_file(kit_swap_bad);
	ret = misc_register(&kit_swap_misc);
	if (ret)
		goto put_all;
	return 0;

put_all:
	for (i = 0; i <= KIT_SWAP_GUARD; i++)
		__fput_sync(kit_swap_bad);
	return ret;
}

/**
 * kit_swap_exit() - remove the device and drop what is left of the file
 *
 * No mapping of the file can exist (its mmap always fails), so every
 * reference left is this module's. A kernel that dropped some of them
 * already has been measured by the lab; dropping only what is left frees
 * the file exactly once either way. The last put runs here, synchronously:
 * fput() would defer it past the unload, and the file's f_op is this
 * module's.
 */
static void __exit kit_swap_exit(void)
{
	long left;

	misc_deregister(&kit_swap_misc);
	for (left = file_count(kit_swap_bad); left > 0; left--)
		__fput_sync(kit_swap_bad);
}

module_init(kit_swap_init);
module_exit(kit_swap_exit);

MODULE_DESCRIPTION("mmap_prepare kit probe: a swapped-in file whose own mmap fails");
MODULE_LICENSE("GPL");
