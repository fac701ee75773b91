// SPDX-License-Identifier: GPL-2.0
// expect-verdict: blocked: fb_ops has no mmap_prepare
// expect-classes: flags
static int f_mmap(struct fb_info *info, struct vm_area_struct *vma)
{
	vma->vm_page_prot = pgprot_writecombine(vma->vm_page_prot);
	return 0;
}

static const struct fb_ops f_ops = {
	.fb_mmap = f_mmap,
};
