// SPDX-License-Identifier: GPL-2.0
// One file, three handlers: convert must convert the first and leave the
// other two as they are (scripts/kit/tests/spatch_fixtures.py).

// Mechanical: converted.
static int mx_ok_mmap(struct file *file, struct vm_area_struct *vma)
{
	vm_flags_set(vma, VM_DONTEXPAND);
	vma->vm_ops = &mx_vm_ops;
	return 0;
}

// Judged mechanical, but patch mode rewrites at most four flags of one
// vm_flags_set(): the VMA stays named, so the handler must be left alone.
static int mx_wide_mmap(struct file *file, struct vm_area_struct *vma)
{
	vm_flags_set(vma, VM_IO | VM_PFNMAP | VM_DONTCOPY | VM_DONTEXPAND | VM_DONTDUMP);
	vma->vm_ops = &mx_vm_ops;
	return 0;
}

// Needs ->mapped and ->close: left alone.
static int mx_lock_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct mx_dev *dev = file->private_data;

	mutex_lock(&dev->lock);
	vma->vm_private_data = dev;
	mutex_unlock(&dev->lock);
	return 0;
}

static const struct file_operations mx_ok_fops = {
	.mmap = mx_ok_mmap,
};

static const struct file_operations mx_wide_fops = {
	.mmap = mx_wide_mmap,
};

static const struct file_operations mx_lock_fops = {
	.mmap = mx_lock_mmap,
};
