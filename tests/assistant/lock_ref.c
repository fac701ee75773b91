// SPDX-License-Identifier: GPL-2.0
// expect-verdict: needs mapped+close: lock: mutex_lock(); reference: kref_get()
// expect-classes: flags state lock
static int lr_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct lr_dev *dev = file->private_data;

	mutex_lock(&dev->lock);
	kref_get(&dev->ref);
	vma->vm_private_data = dev;
	mutex_unlock(&dev->lock);
	return 0;
}

static const struct file_operations lr_fops = {
	.mmap = lr_mmap,
};
