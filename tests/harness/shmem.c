// SPDX-License-Identifier: GPL-2.0
/*
 * Model of the parts of mm/shmem.c a driver reaches through a shmem file it
 * created (Linux 7.3): shmem_file_setup(), the .mmap_prepare hook of shmem
 * files, which installs shmem's vm_ops, and their fault handler, which
 * fills the file's pages on first touch. A fault looks the file up through
 * vma->vm_file, as shmem_fault() does: a VMA that still maps another file
 * is reported. Pages live until the file's last reference goes.
 */
#include <linux/shmem_fs.h>
#include "internal.h"

struct shmem_inode_info {
	unsigned long nr_pages;
	struct page *pages[];
};

static const struct file_operations shmem_file_operations;

static struct shmem_inode_info *SHMEM_I(const struct file *file)
{
	if (!file || file->f_op != &shmem_file_operations)
		return NULL;
	return file_inode(file)->i_private;
}

static vm_fault_t shmem_fault(struct vm_fault *vmf)
{
	struct shmem_inode_info *info = SHMEM_I(vmf->vma->vm_file);
	struct page *page;

	if (!info) {
		report("shmem fault at %#lx: the VMA's vm_file is not a shmem file",
		       vmf->address);
		return VM_FAULT_SIGBUS;
	}
	if (vmf->pgoff >= info->nr_pages)
		return VM_FAULT_SIGBUS;
	page = info->pages[vmf->pgoff];
	if (!page) {
		page = alloc_page(GFP_HIGHUSER | __GFP_ZERO);
		if (!page)
			return VM_FAULT_OOM;
		info->pages[vmf->pgoff] = page;
	}
	get_page(page);
	vmf->page = page;
	return 0;
}

static const struct vm_operations_struct shmem_vm_ops = {
	.fault = shmem_fault,
};

/* Reads desc->file, the file being mmap()ed, as upstream does. */
static int shmem_mmap_prepare(struct vm_area_desc *desc)
{
	if (!SHMEM_I(desc->file))
		report("shmem's .mmap_prepare was given a description of a non-shmem file");
	desc->vm_ops = &shmem_vm_ops;
	return 0;
}

static int shmem_release(struct inode *inode, struct file *file)
{
	struct shmem_inode_info *info = inode->i_private;
	unsigned long i;

	(void)file;
	/* The file lets go; pages still mapped live on until unmapped. */
	for (i = 0; i < info->nr_pages; i++)
		if (info->pages[i])
			__free_page(info->pages[i]);
	return 0;
}

static const struct file_operations shmem_file_operations = {
	.mmap_prepare = shmem_mmap_prepare,
	.release = shmem_release,
};

struct file *shmem_file_setup(const char *name, loff_t size,
			      vma_flags_t flags)
{
	unsigned long nr_pages = PHYS_PFN(PAGE_ALIGN(size));
	struct shmem_inode_info *info;
	struct file *file;

	(void)flags;
	if (size < 0)
		return ERR_PTR(-EINVAL);
	if (should_fail("shmem_file_setup"))
		return ERR_PTR(-ENOMEM);
	file = file_alloc_pseudo(name, &shmem_file_operations, O_RDWR, NULL,
				 sizeof(*info) + nr_pages * sizeof(info->pages[0]));
	info = file_inode(file)->i_private;
	info->nr_pages = nr_pages;
	return file;
}
