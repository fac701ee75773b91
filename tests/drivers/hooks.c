// SPDX-License-Identifier: GPL-2.0
/*
 * Test driver for the harness suites; see hooks.h. Every hook appends its
 * name to hooks.log so a test can check which ran and in what order.
 */
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/slab.h>

#include "hooks.h"

static struct vm_operations_struct hooks_vm_ops;

static void hooks_log(const char *what)
{
	size_t len = strlen(hooks.log);

	snprintf(hooks.log + len, sizeof(hooks.log) - len, "%s%s",
		 len ? " " : "", what);
}

static void hooks_open(struct vm_area_struct *vma)
{
	hooks_log("open");
}

static void hooks_close(struct vm_area_struct *vma)
{
	hooks_log("close");
	hooks.seen_private_data = vma->vm_private_data;
	if (hooks.alloc_in_prepare)
		kfree(vma->vm_private_data);
}

static int hooks_mapped(unsigned long start, unsigned long end, pgoff_t pgoff,
			const struct file *file, void **vm_private_data)
{
	hooks_log("mapped");
	if (!hooks.mapped_ret && hooks.mapped_private_data)
		*vm_private_data = hooks.mapped_private_data;
	return hooks.mapped_ret;
}

static int hooks_may_split(struct vm_area_struct *vma, unsigned long addr)
{
	hooks_log("may_split");
	return hooks.may_split_ret;
}

static int hooks_mremap(struct vm_area_struct *vma)
{
	hooks_log("mremap");
	return hooks.mremap_ret;
}

static vm_fault_t hooks_fault(struct vm_fault *vmf)
{
	hooks_log("fault");
	if (!hooks.fault_page)
		return VM_FAULT_SIGBUS;
	get_page(hooks.fault_page);
	vmf->page = hooks.fault_page;
	return 0;
}

/* Build the vm_ops the test asked for; NULL when it asked for none. */
static const struct vm_operations_struct *hooks_ops(void)
{
	hooks_vm_ops = (struct vm_operations_struct){
		.open = hooks.vm_ops & HOOK_OPEN ? hooks_open : NULL,
		.close = hooks.vm_ops & HOOK_CLOSE ? hooks_close : NULL,
		.mapped = hooks.vm_ops & HOOK_MAPPED ? hooks_mapped : NULL,
		.may_split = hooks.vm_ops & HOOK_MAY_SPLIT ? hooks_may_split : NULL,
		.mremap = hooks.vm_ops & HOOK_MREMAP ? hooks_mremap : NULL,
		.fault = hooks.vm_ops & HOOK_FAULT ? hooks_fault : NULL,
	};
	return hooks.vm_ops ? &hooks_vm_ops : NULL;
}

static int hooks_mmap_prepare(struct vm_area_desc *desc)
{
	hooks_log("prepare");
	if (hooks.mmap_ret)
		return hooks.mmap_ret;

	vma_desc_set_flags_mask(desc, legacy_to_vma_flags(hooks.set_flags));
	desc->vm_ops = hooks_ops() ?: desc->vm_ops;
	desc->private_data = hooks.private_data;
	if (hooks.alloc_in_prepare) {
		desc->private_data = kmalloc(64, GFP_KERNEL);
		if (!desc->private_data)
			return -ENOMEM;
	}
	switch (hooks.action) {
	case MMAP_REMAP_PFN:
		mmap_action_remap_full(desc, hooks.action_pfn);
		break;
	case MMAP_IO_REMAP_PFN:
		mmap_action_ioremap_full(desc, hooks.action_pfn);
		break;
	case MMAP_MAP_KERNEL_PAGES:
		mmap_action_map_kernel_pages_full(desc, hooks.pages);
		break;
	default:
		desc->action.type = hooks.action;
		break;
	}
	desc->action.error_override = hooks.error_override;
#ifdef HARNESS_SEED
	desc->mmap_context = hooks.context;
#endif
	return 0;
}

static int hooks_mmap(struct file *file, struct vm_area_struct *vma)
{
	int err;

	hooks_log("mmap");
	vm_flags_set(vma, hooks.set_flags);
	vma->vm_ops = hooks_ops() ?: vma->vm_ops;
	vma->vm_private_data = hooks.private_data;
	if (hooks.legacy_remap) {
		err = remap_pfn_range(vma, vma->vm_start, hooks.action_pfn,
				      vma->vm_end - vma->vm_start,
				      vma->vm_page_prot);
		if (err)
			return err;
	}
	return hooks.mmap_ret;
}

/* overlayfs/backing-file style: the lower file becomes the VMA's file. */
static int hooks_stacked_mmap(struct file *file, struct vm_area_struct *vma)
{
	hooks_log("stacked_mmap");
	vma_set_file(vma, hooks.lower);
	return vfs_mmap(vma->vm_file, vma);
}

#ifdef HARNESS_SEED
static int hooks_mmap_complete(struct file *file, struct vm_area_struct *vma,
			       const void *context)
{
	hooks_log("complete");
	hooks.seen_context = context;
	return hooks.complete_ret;
}

static void hooks_mmap_abort(const struct file *file,
			     const void *vm_private_data, const void *context)
{
	hooks_log("abort");
	hooks.seen_context = context;
}

static const struct file_operations hooks_seed_fops = {
	.owner = THIS_MODULE,
	.mmap_prepare = hooks_mmap_prepare,
	.mmap_complete = hooks_mmap_complete,
	.mmap_abort = hooks_mmap_abort,
};

static const struct file_operations hooks_abort_only_fops = {
	.owner = THIS_MODULE,
	.mmap_prepare = hooks_mmap_prepare,
	.mmap_abort = hooks_mmap_abort,
};
#endif

static int hooks_release(struct inode *inode, struct file *file)
{
	hooks_log("release");
	return 0;
}

static const struct file_operations hooks_prepare_fops = {
	.owner = THIS_MODULE,
	.mmap_prepare = hooks_mmap_prepare,
	.release = hooks_release,
};

static const struct file_operations hooks_legacy_fops = {
	.owner = THIS_MODULE,
	.mmap = hooks_mmap,
	.release = hooks_release,
};

static const struct file_operations hooks_stacked_fops = {
	.owner = THIS_MODULE,
	.mmap = hooks_stacked_mmap,
};

static struct miscdevice hooks_devs[] = {
	{ .minor = MISC_DYNAMIC_MINOR, .name = HOOKS_PREPARE,
	  .fops = &hooks_prepare_fops },
	{ .minor = MISC_DYNAMIC_MINOR, .name = HOOKS_LEGACY,
	  .fops = &hooks_legacy_fops },
	{ .minor = MISC_DYNAMIC_MINOR, .name = HOOKS_STACKED,
	  .fops = &hooks_stacked_fops },
#ifdef HARNESS_SEED
	{ .minor = MISC_DYNAMIC_MINOR, .name = HOOKS_SEED,
	  .fops = &hooks_seed_fops },
	{ .minor = MISC_DYNAMIC_MINOR, .name = HOOKS_ABORT_ONLY,
	  .fops = &hooks_abort_only_fops },
#endif
};

static void hooks_unregister(size_t nr)
{
	while (nr--)
		misc_deregister(&hooks_devs[nr]);
}

static int __init hooks_init(void)
{
	size_t i;
	int err;

	for (i = 0; i < ARRAY_SIZE(hooks_devs); i++) {
		err = misc_register(&hooks_devs[i]);
		if (err) {
			hooks_unregister(i);
			return err;
		}
	}
	return 0;
}

static void __exit hooks_exit(void)
{
	hooks_unregister(ARRAY_SIZE(hooks_devs));
}

module_init(hooks_init);
module_exit(hooks_exit);
MODULE_LICENSE("GPL");
