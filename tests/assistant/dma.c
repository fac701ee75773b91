// SPDX-License-Identifier: GPL-2.0
// expect-verdict: blocked: dma_mmap: dma_mmap_coherent()
// expect-classes: dma
static int d_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct d_dev *d = file->private_data;

	return dma_mmap_coherent(d->dev, vma, d->cpu, d->handle, d->size);
}

static const struct file_operations d_fops = {
	.mmap = d_mmap,
};
