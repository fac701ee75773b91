// SPDX-License-Identifier: GPL-2.0
/*
 * Model of the mmap_prepare parts of mm/util.c: the compat layer
 * that runs an .mmap_prepare hook from a stacking .mmap, and the action
 * machinery: validate and prepare, run, call ->mapped, and on failure unmap
 * the new VMA (not from the compat layer, whose caller cleans up).
 */
#include "internal.h"

/* Upstream: vma_set_file() in mm/util.c, DUPLICATED. */
void vma_set_file(struct vm_area_struct *vma, struct file *file)
{
	struct file *old = vma->vm_file;

	vma->vm_file = get_file(file);
	fput(old);
}

/* Upstream: compat_set_desc_from_vma() in mm/util.c, DUPLICATED. */
void compat_set_desc_from_vma(struct vm_area_desc *desc, const struct file *file,
			      const struct vm_area_struct *vma)
{
	*desc = (struct vm_area_desc){
		.mm = vma->vm_mm,
		.file = (struct file *)file,
		.start = vma->vm_start,
		.end = vma->vm_end,
		.pgoff = vma_start_pgoff(vma),
		.vm_file = vma->vm_file,
		.vma_flags = vma->flags,
		.page_prot = vma->vm_page_prot,
		.vm_ops = vma->vm_ops,
		.action.type = MMAP_NOTHING,
	};
}

/* mm/vma.h: apply what the hook set to the VMA the outer .mmap was given. */
/* Upstream: compat_set_vma_from_desc() in mm/vma.h, DUPLICATED. */
static void compat_set_vma_from_desc(struct vm_area_struct *vma,
				     struct vm_area_desc *desc)
{
	vma->vm_pgoff = desc->pgoff;
#ifdef HARNESS_FIXED
	/* Fix 3: adopt the hook's reference instead of taking another. */
	if (desc->vm_file != vma->vm_file) {
		fput(vma->vm_file);
		vma->vm_file = desc->vm_file;
	}
#else
	if (desc->vm_file != vma->vm_file)
		vma_set_file(vma, desc->vm_file);
#endif
	vma->flags = desc->vma_flags;
	vma->vm_page_prot = desc->page_prot;
	vma->vm_ops = desc->vm_ops;
	vma->vm_private_data = desc->private_data;
}

/* Upstream: __compat_vma_mmap() in mm/util.c, CUSTOMISED: the stage F6. */
int __compat_vma_mmap(struct vm_area_desc *desc, struct vm_area_struct *vma)
{
	int outer = fault_stage_set(6);
	int err;

	err = mmap_action_prepare(desc);
	if (err) {
#ifdef HARNESS_FIXED
		/* Fix 4, compat side: put the reference the hook handed over. */
		if (desc->vm_file != vma->vm_file)
			fput(desc->vm_file);
#endif
		fault_stage_set(outer);
		return err;
	}
	compat_set_vma_from_desc(vma, desc);
	err = mmap_action_complete(vma, &desc->action, true);
	fault_stage_set(outer);
	return err;
}

/* Upstream: compat_vma_mmap() in mm/util.c, CUSTOMISED: the failure point "hook", the stage F6. */
int compat_vma_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct vm_area_desc desc;
	int outer, err;

	compat_set_desc_from_vma(&desc, file, vma);
	outer = fault_stage_set(6);
	err = should_fail("hook") ? -ENOMEM : vfs_mmap_prepare(file, &desc);
	fault_stage_set(outer);
	if (err)
		return err;
	desc.action.hide_from_rmap_until_complete = false;
	return __compat_vma_mmap(&desc, vma);
}

/*
 * ->mapped sees the range, not the VMA; a changed private pointer is
 * stored. The "mapped" failure point stands for a hook that fails before
 * doing anything. The "mapped" race point is the window between
 * .mmap_prepare and ->mapped: the VMA exists, no driver lock is held, and
 * another task (an ioctl, say) can run there, as on another CPU.
 * Upstream: call_vma_mapped() in mm/util.c, CUSTOMISED: the failure point
 * "mapped" and the race point "mapped".
 */
static int call_vma_mapped(struct vm_area_struct *vma)
{
	const struct vm_operations_struct *vm_ops = vma->vm_ops;
	void *vm_private_data = vma->vm_private_data;
	int err;

	if (!vm_ops || !vm_ops->mapped)
		return 0;
	if (should_fail("mapped"))
		return -ENOMEM;
	race_point("mapped");
	err = vm_ops->mapped(vma->vm_start, vma->vm_end, vma_start_pgoff(vma),
			     vma->vm_file, &vm_private_data);
	if (err)
		return err;
	vma->vm_private_data = vm_private_data;
	return 0;
}

/* Upstream: mmap_action_finish() in mm/util.c, CUSTOMISED: no i_mmap lock. */
static int mmap_action_finish(struct vm_area_struct *vma,
			      struct mmap_action *action, int err,
			      bool is_compat)
{
	if (!err)
		err = call_vma_mapped(vma);

	/* maybe_rmap_unlock_action(): the model keeps no i_mmap lock. */
	action->hide_from_rmap_until_complete = false;

	if (!err || is_compat)
		return err;

	/* The whole new VMA goes, with ->close, as munmap() would do it. */
	do_munmap(vma->vm_mm, vma->vm_start, vma->vm_end - vma->vm_start);
	return action->error_override ?: err;
}

/* Upstream: check_mmap_action() in mm/util.c, DUPLICATED. */
static int check_mmap_action(struct mmap_action *action)
{
	const unsigned long override = action->error_override;

	if (WARN_ON_ONCE(override && !IS_ERR_VALUE(override)))
		return -EINVAL;
	return 0;
}

/* Upstream: mmap_action_prepare() in mm/util.c, DUPLICATED: the MMU one. */
int mmap_action_prepare(struct vm_area_desc *desc)
{
	struct mmap_action *action = &desc->action;
	int err;

	err = check_mmap_action(action);
	if (err)
		return err;

	switch (action->type) {
	case MMAP_NOTHING:
		return 0;
	case MMAP_REMAP_PFN:
		return remap_pfn_range_prepare(desc);
	case MMAP_IO_REMAP_PFN:
		return io_remap_pfn_range_prepare(desc);
	case MMAP_SIMPLE_IO_REMAP:
		return simple_ioremap_prepare(desc);
	case MMAP_MAP_KERNEL_PAGES:
		return map_kernel_pages_prepare(desc);
	}
	WARN_ON_ONCE(1);
	return -EINVAL;
}

/* Upstream: mmap_action_complete() in mm/util.c, DUPLICATED: the MMU one. */
int mmap_action_complete(struct vm_area_struct *vma,
			 struct mmap_action *action, bool is_compat)
{
	int err = 0;

	switch (action->type) {
	case MMAP_NOTHING:
		break;
	case MMAP_REMAP_PFN:
		err = remap_pfn_range_complete(vma, action);
		break;
	case MMAP_MAP_KERNEL_PAGES:
		err = map_kernel_pages_complete(vma, action);
		break;
	case MMAP_IO_REMAP_PFN:
	case MMAP_SIMPLE_IO_REMAP:
		/* mmap_action_prepare() turned these into MMAP_REMAP_PFN. */
		WARN_ON_ONCE(1);
		err = -EINVAL;
		break;
	}
	return mmap_action_finish(vma, action, err, is_compat);
}
