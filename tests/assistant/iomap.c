// SPDX-License-Identifier: GPL-2.0
// expect-verdict: mechanical
// expect-classes: flags ioremap
// expect-patch: desc->page_prot = pgprot_noncached(desc->page_prot);
// expect-patch: mmap_action_simple_ioremap(desc, io->phys, io->len);
// expect-patch: if (!vma_desc_test(desc, VMA_SHARED_BIT))
static int io_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct io_dev *io = file->private_data;

	if (!(vma->vm_flags & VM_SHARED))
		return -EINVAL;
	vma->vm_page_prot = pgprot_noncached(vma->vm_page_prot);
	return vm_iomap_memory(vma, io->phys, io->len);
}

static const struct file_operations io_fops = {
	.mmap = io_mmap,
};
