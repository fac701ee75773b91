// SPDX-License-Identifier: GPL-2.0
// expect-verdict: needs mapped+close: allocation: kzalloc_obj()
// expect-classes: flags state
static int a_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct a_map *m = kzalloc_obj(struct a_map);

	if (!m)
		return -ENOMEM;
	vma->vm_private_data = m;
	return 0;
}

static const struct file_operations a_fops = {
	.mmap = a_mmap,
};
