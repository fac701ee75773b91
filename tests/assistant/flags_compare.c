// SPDX-License-Identifier: GPL-2.0
// expect-verdict: blocked: flags_compare: a masked comparison of vm_flags
// expect-classes: flags
static int fc_mmap(struct file *file, struct vm_area_struct *vma)
{
	if ((vma->vm_flags & (VM_SHARED | VM_MAYSHARE)) !=
	    (VM_SHARED | VM_MAYSHARE))
		return -EINVAL;
	vma->vm_ops = &fc_vm_ops;
	return 0;
}

static const struct file_operations fc_fops = {
	.mmap = fc_mmap,
};
