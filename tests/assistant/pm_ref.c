// SPDX-License-Identifier: GPL-2.0
// expect-verdict: needs mapped+close: reference: pm_runtime_get_sync()
// expect-classes: flags ioremap state
static int pm_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct pm_dev *pm = file->private_data;

	pm_runtime_get_sync(pm->dev);
	vma->vm_ops = &pm_vm_ops;
	vm_iomap_memory(vma, pm->phys, pm->size);
	return 0;
}

static const struct file_operations pm_fops = {
	.mmap = pm_mmap,
};
