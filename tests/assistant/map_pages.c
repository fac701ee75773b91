// SPDX-License-Identifier: GPL-2.0
// expect-verdict: mechanical
// expect-classes: pages
// expect-patch: if (desc->pgoff >= mp->nr || vma_desc_pages(desc) > mp->nr - desc->pgoff)
// expect-patch: mmap_action_map_kernel_pages_full(desc, mp->pages + desc->pgoff);
static int mp_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct mp_dev *mp = file->private_data;

	return vm_map_pages(vma, mp->pages, mp->nr);
}

static const struct file_operations mp_fops = {
	.mmap = mp_mmap,
};
