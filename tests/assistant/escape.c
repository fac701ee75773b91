// SPDX-License-Identifier: GPL-2.0
// expect-verdict: blocked: vma_escapes: e_track()
// expect-classes: escapes
static int e_mmap(struct file *file, struct vm_area_struct *vma)
{
	return e_track(file->private_data, vma);
}

static const struct file_operations e_fops = {
	.mmap = e_mmap,
};
