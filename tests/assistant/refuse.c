// SPDX-License-Identifier: GPL-2.0
// expect-verdict: mechanical
// expect-classes: refuse
// expect-patch: static int r_mmap_prepare(struct vm_area_desc *desc)
// expect-patch: .mmap_prepare = r_mmap_prepare,
static int r_mmap(struct file *file, struct vm_area_struct *vma)
{
	return -ENODEV;
}

static const struct file_operations r_fops = {
	.mmap = r_mmap,
};
