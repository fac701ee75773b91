// SPDX-License-Identifier: GPL-2.0
// expect-verdict: mechanical
// expect-classes: flags
// expect-patch: .mmap_prepare = generic_file_readonly_mmap_prepare,
// expect-patch: .mmap_prepare = gt_mmap_prepare,
static int gt_mmap(struct file *file, struct vm_area_struct *vma)
{
	vma->vm_ops = &gt_vm_ops;
	return 0;
}

static const struct file_operations gt_fops = {
	.mmap = gt_mmap,
};

static const struct file_operations gt_ro_fops = {
	.mmap = generic_file_readonly_mmap,
};
