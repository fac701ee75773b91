// SPDX-License-Identifier: GPL-2.0
// expect-verdict: mechanical
// expect-classes: flags
// expect-patch: status = generic_file_mmap_prepare(desc);
// expect-patch: desc->vm_ops = &g_vm_ops;
// expect-patch: vma_desc_set_flags(desc, VMA_SEQ_READ_BIT);
// expect-patch: vma_desc_clear_flags(desc, VMA_RAND_READ_BIT);
// expect-patch: g_revalidate(file_inode(desc->file));
static int g_mmap(struct file *file, struct vm_area_struct *vma)
{
	int status;

	status = generic_file_mmap(file, vma);
	if (!status) {
		vma->vm_ops = &g_vm_ops;
		vm_flags_mod(vma, VM_SEQ_READ, VM_RAND_READ);
		g_revalidate(file_inode(file));
	}
	return status;
}

static const struct file_operations g_fops = {
	.mmap = g_mmap,
};
