// SPDX-License-Identifier: GPL-2.0
// expect-verdict: blocked: several ranges
// expect-classes: flags remap ranges
static int two_mmap(struct file *file, struct vm_area_struct *vma)
{
	if (remap_pfn_range(vma, vma->vm_start, 1, PAGE_SIZE, vma->vm_page_prot))
		return -EAGAIN;
	return remap_pfn_range(vma, vma->vm_start + PAGE_SIZE, 2, PAGE_SIZE,
			       vma->vm_page_prot);
}

static const struct file_operations two_fops = {
	.mmap = two_mmap,
};
