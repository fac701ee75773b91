// SPDX-License-Identifier: GPL-2.0
/*
 * Model of mm/vma.c: the VMA list, splitting, munmap, merging a new range,
 * and __mmap_region() with the helpers it calls, in the order upstream runs
 * them. The maple tree is a sorted list; its preallocation is the failure
 * point "iter_prealloc". The kernel it follows is the one named in
 * tests/model/fingerprints.json; each function's "Upstream:" label says
 * which upstream function it mirrors and how.
 */
#include <stdlib.h>
#include "internal.h"

/* mm/vma_init.c: the ops a VMA gets when nothing better is known. */
const struct vm_operations_struct vma_dummy_vm_ops;

/* Allocation of the tree nodes a store will need (vma_iter_prealloc()). */
/* Upstream: vma_iter_prealloc() in mm/vma.h, STUBBED: only the failure point. */
int vma_iter_prealloc(void)
{
	return should_fail("iter_prealloc") ? -ENOMEM : 0;
}

/* Upstream: vm_area_alloc() in mm/vma_init.c, CUSTOMISED: calloc() and a failure point. */
struct vm_area_struct *vm_area_alloc(struct mm_struct *mm)
{
	struct vm_area_struct *vma;

	if (should_fail("vma_alloc"))
		return NULL;
	vma = calloc(1, sizeof(*vma));
	if (!vma)
		abort();
	vma->vm_mm = mm;
	vma->vm_ops = &vma_dummy_vm_ops;
	INIT_LIST_HEAD(&vma->vm_node);
	return vma;
}

/* Upstream: vm_area_dup() in mm/vma_init.c, CUSTOMISED. */
struct vm_area_struct *vm_area_dup(struct vm_area_struct *orig)
{
	struct vm_area_struct *vma;

	if (should_fail("vma_dup"))
		return NULL;
	vma = malloc(sizeof(*vma));
	if (!vma)
		abort();
	memcpy(vma, orig, sizeof(*vma));
	INIT_LIST_HEAD(&vma->vm_node);
	return vma;
}

/* Upstream: vm_area_free() in mm/vma_init.c, CUSTOMISED. */
void vm_area_free(struct vm_area_struct *vma)
{
	free(vma);
}

/* Insert into the address-sorted list (vma_iter_store_new() + map_count). */
/* Upstream: vma_link() in mm/vma.c, CUSTOMISED: a sorted list, no maple tree. */
void vma_link(struct mm_struct *mm, struct vm_area_struct *vma)
{
	struct vm_area_struct *pos;

	list_for_each_entry(pos, &mm->vmas, vm_node)
		if (pos->vm_start > vma->vm_start)
			break;
	list_add_tail(&vma->vm_node, &pos->vm_node);
	mm->map_count++;
}

void vma_unlink(struct vm_area_struct *vma)
{
	list_del_init(&vma->vm_node);
	vma->vm_mm->map_count--;
}

static struct vm_area_struct *vma_next(struct vm_area_struct *vma)
{
	struct mm_struct *mm = vma->vm_mm;

	if (vma->vm_node.next == &mm->vmas)
		return NULL;
	return list_next_entry(vma, vm_node);
}

/* Upstream: find_vma() in mm/mmap.c, CUSTOMISED. */
struct vm_area_struct *find_vma(struct mm_struct *mm, unsigned long addr)
{
	struct vm_area_struct *vma;

	list_for_each_entry(vma, &mm->vmas, vm_node)
		if (vma->vm_end > addr)
			return vma;
	return NULL;
}

/* Upstream: find_vma_intersection() in mm/mmap.c, CUSTOMISED. */
struct vm_area_struct *find_vma_intersection(struct mm_struct *mm,
					     unsigned long start,
					     unsigned long end)
{
	struct vm_area_struct *vma = find_vma(mm, start);

	return vma && vma->vm_start < end ? vma : NULL;
}

/* The last VMA ending at or below @addr. */
/* Upstream: find_vma_prev() in mm/mmap.c, CUSTOMISED. */
static struct vm_area_struct *find_vma_prev(struct mm_struct *mm,
					    unsigned long addr)
{
	struct vm_area_struct *vma, *prev = NULL;

	list_for_each_entry(vma, &mm->vmas, vm_node) {
		if (vma->vm_end > addr)
			break;
		prev = vma;
	}
	return prev;
}

/* mm/internal.h: after ->close no hook may run on the VMA again. */
/* Upstream: vma_close() in mm/internal.h, DUPLICATED. */
static void vma_close(struct vm_area_struct *vma)
{
	if (vma->vm_ops && vma->vm_ops->close) {
		vma->vm_ops->close(vma);
		vma->vm_ops = &vma_dummy_vm_ops;
	}
}

/* Upstream: remove_vma() in mm/vma.c, CUSTOMISED. */
void remove_vma(struct vm_area_struct *vma)
{
	vma_close(vma);
	if (vma->vm_file)
		fput(vma->vm_file);
	vm_area_free(vma);
}

/*
 * Split @vma at @addr. The new VMA is the part below @addr if @new_below,
 * else the part above; it gets a file reference and ->open, as a copy.
 * Upstream: __split_vma() in mm/vma.c, CUSTOMISED.
 */
static int __split_vma(struct vm_area_struct *vma, unsigned long addr,
		       int new_below)
{
	struct vm_area_struct *new;
	int err;

	if (vma->vm_ops && vma->vm_ops->may_split) {
		err = vma->vm_ops->may_split(vma, addr);
		if (err)
			return err;
	}

	new = vm_area_dup(vma);
	if (!new)
		return -ENOMEM;
	if (new_below) {
		new->vm_end = addr;
	} else {
		new->vm_start = addr;
		new->vm_pgoff += (addr - vma->vm_start) >> PAGE_SHIFT;
	}

	if (vma_iter_prealloc()) {
		vm_area_free(new);
		return -ENOMEM;
	}

	if (new->vm_file)
		get_file(new->vm_file);
	if (new->vm_ops && new->vm_ops->open)
		new->vm_ops->open(new);

	if (new_below) {
		vma->vm_pgoff += (addr - vma->vm_start) >> PAGE_SHIFT;
		vma->vm_start = addr;
	} else {
		vma->vm_end = addr;
	}
	vma_link(vma->vm_mm, new);
	return 0;
}

/* The VMAs a munmap (or a MAP_FIXED mmap) takes out of [start, end). */
struct vma_munmap_struct {
	struct mm_struct *mm;
	unsigned long start, end;
	struct list_head detached;
	unsigned long nr_pages;
	unsigned long nr_accounted;	/* of nr_pages, those VM_ACCOUNT */
	bool clear_ptes;
};

/* Upstream: init_vma_munmap() in mm/vma.c, CUSTOMISED. */
static void init_vma_munmap(struct vma_munmap_struct *vms,
			    struct mm_struct *mm, unsigned long start,
			    unsigned long end)
{
	*vms = (struct vma_munmap_struct){ .mm = mm, .start = start,
					   .end = end };
	INIT_LIST_HEAD(&vms->detached);
}

/* Upstream: reattach_vmas() in mm/vma.c, CUSTOMISED. */
static void reattach_vmas(struct vma_munmap_struct *vms)
{
	struct vm_area_struct *vma, *tmp;

	list_for_each_entry_safe(vma, tmp, &vms->detached, vm_node) {
		list_del_init(&vma->vm_node);
		vma_link(vms->mm, vma);
	}
}

/* Split at the edges, then detach every VMA inside [start, end). */
/* Upstream: vms_gather_munmap_vmas() in mm/vma.c, CUSTOMISED. */
static int vms_gather_munmap_vmas(struct vma_munmap_struct *vms)
{
	struct vm_area_struct *vma, *next;
	int err;

	vma = find_vma_intersection(vms->mm, vms->start, vms->end);
	if (!vma)
		return 0;
	if (vma->vm_start < vms->start) {
		err = __split_vma(vma, vms->start, 1);
		if (err)
			return err;
	}

	for (; vma && vma->vm_start < vms->end; vma = next) {
		if (vma->vm_end > vms->end) {
			err = __split_vma(vma, vms->end, 0);
			if (err) {
				reattach_vmas(vms);
				vms->nr_pages = 0;
				vms->nr_accounted = 0;
				return err;
			}
		}
		next = vma_next(vma);
		vma_unlink(vma);
		list_add_tail(&vma->vm_node, &vms->detached);
		vms->nr_pages += vma_pages(vma);
		if (vma_test(vma, VMA_ACCOUNT_BIT))
			vms->nr_accounted += vma_pages(vma);
	}
	vms->clear_ptes = true;
	return 0;
}

/* Upstream: vms_clear_ptes() in mm/vma.c, CUSTOMISED. */
static void vms_clear_ptes(struct vma_munmap_struct *vms)
{
	if (!vms->clear_ptes)
		return;
	zap_page_range(vms->mm, vms->start, vms->end);
	vms->clear_ptes = false;
}

/* Zap and ->close the old VMAs before the new mapping is set up. */
/* Upstream: vms_clean_up_area() in mm/vma.c, CUSTOMISED. */
static void vms_clean_up_area(struct vma_munmap_struct *vms)
{
	struct vm_area_struct *vma;

	if (!vms->nr_pages)
		return;
	vms_clear_ptes(vms);
	list_for_each_entry(vma, &vms->detached, vm_node)
		vma_close(vma);
}

/* Upstream: vms_complete_munmap_vmas() in mm/vma.c, CUSTOMISED. */
static void vms_complete_munmap_vmas(struct vma_munmap_struct *vms)
{
	struct vm_area_struct *vma, *tmp;

	if (!vms->nr_pages)
		return;
	vms_clear_ptes(vms);
	list_for_each_entry_safe(vma, tmp, &vms->detached, vm_node) {
		list_del(&vma->vm_node);
		remove_vma(vma);
	}
}

/*
 * Put the old VMAs back if their page tables are intact; once they were
 * zapped and closed, finish removing them and leave a hole.
 * Upstream: vms_abort_munmap_vmas() in mm/vma.c, CUSTOMISED.
 */
static void vms_abort_munmap_vmas(struct vma_munmap_struct *vms)
{
	if (!vms->nr_pages)
		return;
	if (vms->clear_ptes)
		reattach_vmas(vms);
	else
		vms_complete_munmap_vmas(vms);
}

/* Upstream: do_munmap() in mm/mmap.c, CUSTOMISED. */
int do_munmap(struct mm_struct *mm, unsigned long start, size_t len)
{
	struct vma_munmap_struct vms;
	int err;

	if (offset_in_page(start) || !len)
		return -EINVAL;
	init_vma_munmap(&vms, mm, start, start + PAGE_ALIGN(len));
	err = vms_gather_munmap_vmas(&vms);
	if (err)
		return err;
	vms_complete_munmap_vmas(&vms);
	return 0;
}

struct mmap_state {
	struct mm_struct *mm;
	unsigned long addr;
	unsigned long end;
	pgoff_t pgoff;
	unsigned long pglen;
	vma_flags_t vma_flags;
	struct file *file;
	pgprot_t page_prot;

	/* What .mmap_prepare may set for the VMA. */
	const struct vm_operations_struct *vm_ops;
	void *vm_private_data;
#ifdef HARNESS_SEED
	void *mmap_context;
#endif

	struct vm_area_struct *prev;
	struct vm_area_struct *next;
	struct vma_munmap_struct vms;

	/* .mmap_prepare replaced the file: its reference is already ours. */
	bool file_doesnt_need_get;
};

/* Flags that may differ between VMAs that merge (VMA_STICKY_FLAGS). */
#define VMA_IGNORE_MERGE_FLAGS	mk_vma_flags(VMA_SOFTDIRTY_BIT, \
					     VMA_MAYBE_GUARD_BIT)

/* mm/vma.h: a range to be covered by expanding a neighbour. */
struct vma_merge_struct {
	unsigned long start, end;
	pgoff_t pgoff;
	vma_flags_t vma_flags;
	struct file *file;
	struct vm_area_struct *prev, *next;
};

/* Upstream: is_mergeable_vma() in mm/vma.c, CUSTOMISED. */
static bool is_mergeable_vma(struct vm_area_struct *vma,
			     const struct vma_merge_struct *vmg)
{
	vma_flags_t diff = { { vma->flags.__vma_flags[0] ^
			       vmg->vma_flags.__vma_flags[0] } };

	vma_flags_clear_mask(&diff, VMA_IGNORE_MERGE_FLAGS);
	return vma_flags_empty(&diff) && vma->vm_file == vmg->file;
}

/* Merging may remove @next only if no ->close has to run for it. */
/* Upstream: can_merge_remove_vma() in mm/vma.c, CUSTOMISED. */
static bool can_merge_remove_vma(struct vm_area_struct *vma)
{
	return !vma->vm_ops || !vma->vm_ops->close;
}

/*
 * Extend a neighbour over [start, end) instead of allocating a VMA: same
 * file, same flags and contiguous file offsets, never for special mappings.
 * If the expansion cannot allocate ("merge_expand", vma_expand()'s tree
 * preallocation), the caller is told there was no merge.
 * Upstream: vma_merge_new_range() in mm/vma.c, CUSTOMISED.
 */
static struct vm_area_struct *vma_merge_new_range(struct vma_merge_struct *vmg)
{
	struct vm_area_struct *prev = vmg->prev, *next = vmg->next;
	bool can_merge_left, can_merge_right;

	if (vma_flags_test_any_mask(&vmg->vma_flags, VMA_SPECIAL_FLAGS) ||
	    (!prev && !next))
		return NULL;

	can_merge_left = prev && prev->vm_end == vmg->start &&
			 is_mergeable_vma(prev, vmg) &&
			 prev->vm_pgoff + vma_pages(prev) == vmg->pgoff;
	can_merge_right = next && next->vm_start == vmg->end &&
			  is_mergeable_vma(next, vmg) &&
			  next->vm_pgoff == vmg->pgoff +
					    PHYS_PFN(vmg->end - vmg->start);
	if (!can_merge_left && !can_merge_right)
		return NULL;
	if (should_fail("merge_expand"))
		return NULL;

	if (can_merge_left && can_merge_right && can_merge_remove_vma(next)) {
		prev->vm_end = next->vm_end;
		vma_unlink(next);
		if (next->vm_file)
			fput(next->vm_file);
		vm_area_free(next);
		return prev;
	}
	if (can_merge_left) {
		prev->vm_end = vmg->end;
		return prev;
	}
	next->vm_start = vmg->start;
	next->vm_pgoff = vmg->pgoff;
	return next;
}

/*
 * mremap() growing @vma in place: the new tail is merged into @vma as a new
 * range would be, so a special mapping (VM_IO, VM_MIXEDMAP, ...) cannot
 * grow (NULL, which mremap() reports as -ENOMEM), and a compatible VMA
 * right above is absorbed.
 * Upstream: vma_merge_extend() in mm/vma.c, CUSTOMISED.
 */
struct vm_area_struct *vma_merge_extend(struct vm_area_struct *vma,
					unsigned long delta)
{
	struct vma_merge_struct vmg = {
		.start = vma->vm_end,
		.end = vma->vm_end + delta,
		.pgoff = vma->vm_pgoff + vma_pages(vma),
		.vma_flags = vma->flags,
		.file = vma->vm_file,
		.prev = vma,
		.next = find_vma(vma->vm_mm, vma->vm_end),
	};

	return vma_merge_new_range(&vmg);
}

/* Private writable mappings are charged against the commit limit. */
/* Upstream: accountable_mapping() in mm/vma.c, CUSTOMISED: no hugetlbfs. */
static bool accountable_mapping(struct mmap_state *map)
{
	return vma_flags_test(&map->vma_flags, VMA_WRITE_BIT) &&
	       !vma_flags_test_any(&map->vma_flags, VMA_NORESERVE_BIT,
				   VMA_SHARED_BIT);
}

/* Upstream: set_desc_from_map() in mm/vma.c, DUPLICATED. */
static void set_desc_from_map(struct vm_area_desc *desc,
			      const struct mmap_state *map)
{
	desc->start = map->addr;
	desc->end = map->end;
	desc->pgoff = map->pgoff;
	desc->vm_file = map->file;
	desc->vma_flags = map->vma_flags;
	desc->page_prot = map->page_prot;
}

/*
 * Gather what the new mapping replaces, check the limits, then zap and
 * ->close the replaced VMAs (from here on a failure leaves a hole).
 * Upstream: __mmap_setup() in mm/vma.c, CUSTOMISED.
 */
static int __mmap_setup(struct mmap_state *map, struct vm_area_desc *desc)
{
	struct vma_munmap_struct *vms = &map->vms;
	int err;

	init_vma_munmap(vms, map->mm, map->addr, map->end);
	err = vms_gather_munmap_vmas(vms);
	if (err)
		return err;
	map->prev = find_vma_prev(map->mm, map->addr);
	map->next = find_vma(map->mm, map->addr);

	if (should_fail("may_expand_vm"))
		return -ENOMEM;
	/* Only what the replaced mappings have not charged yet is checked. */
	if (accountable_mapping(map)) {
		if (map->pglen > vms->nr_accounted &&
		    should_fail("vm_enough_memory"))
			return -ENOMEM;
		vms->nr_accounted = 0;
		vma_flags_set(&map->vma_flags, VMA_ACCOUNT_BIT);
	}

	vms_clean_up_area(vms);
	set_desc_from_map(desc, map);
	return 0;
}

/* mm/internal.h mmap_file(): after a failed .mmap no hook runs again. */
/* Upstream: mmap_file() in mm/internal.h, CUSTOMISED: the failure point "hook", the stage F5. */
static int mmap_file(struct file *file, struct vm_area_struct *vma)
{
	int outer = fault_stage_set(5);
	int err = should_fail("hook") ? -ENOMEM : vfs_mmap(file, vma);

	fault_stage_set(outer);
	if (err)
		vma->vm_ops = &vma_dummy_vm_ops;
	return err;
}

/* Upstream: __mmap_new_file_vma() in mm/vma.c, CUSTOMISED. */
static int __mmap_new_file_vma(struct mmap_state *map,
			       struct vm_area_struct *vma)
{
	int err;

	vma->vm_file = map->file;
	if (!map->file_doesnt_need_get)
		get_file(map->file);
#ifdef HARNESS_FIXED
	/* Fix 2: the VMA owns the handed-over reference from here on. */
	map->file_doesnt_need_get = false;
#endif

	if (!map->file->f_op->mmap)
		return 0;

	err = mmap_file(vma->vm_file, vma);
	if (err) {
		fput(vma->vm_file);
		vma->vm_file = NULL;
		/* Whatever the driver mapped before failing goes. */
		zap_page_range(map->mm, vma->vm_start, vma->vm_end);
		return err;
	}

	WARN_ON_ONCE(map->addr != vma->vm_start);
	VM_WARN_ON_ONCE(!vma_flags_test(&map->vma_flags, VMA_MAYWRITE_BIT) &&
			vma_test(vma, VMA_MAYWRITE_BIT));
	map->file = vma->vm_file;
	map->vma_flags = vma->flags;
	return 0;
}

/* Upstream: __mmap_new_vma() in mm/vma.c, CUSTOMISED. */
static int __mmap_new_vma(struct mmap_state *map, struct vm_area_struct **vmap)
{
	struct vm_area_struct *vma;
	int err;

	vma = vm_area_alloc(map->mm);
	if (!vma)
		return -ENOMEM;
	vma->vm_start = map->addr;
	vma->vm_end = map->end;
	vma->vm_pgoff = map->pgoff;
	vma->flags = map->vma_flags;
	vma->vm_page_prot = map->page_prot;

	err = vma_iter_prealloc();
	if (err)
		goto free_vma;

	err = __mmap_new_file_vma(map, vma);
	if (err)
		goto free_vma;

	vma_link(map->mm, vma);
	*vmap = vma;
	return 0;

free_vma:
	vm_area_free(vma);
	return err;
}

/* Upstream: __mmap_complete() in mm/vma.c, CUSTOMISED: no perf, stats, mlock, uprobes. */
static void __mmap_complete(struct mmap_state *map, struct vm_area_struct *vma)
{
	vms_complete_munmap_vmas(&map->vms);
	vma_set_page_prot(vma);
}

/* Upstream: call_action_prepare() in mm/vma.c, DUPLICATED. */
static int call_action_prepare(struct mmap_state *map,
			       struct vm_area_desc *desc)
{
	(void)map;
	return mmap_action_prepare(desc);
}

/* The hook, its action's checks, then the fields the hook may change. */
/* Upstream: call_mmap_prepare() in mm/vma.c, CUSTOMISED: the failure point "hook". */
static int call_mmap_prepare(struct mmap_state *map, struct vm_area_desc *desc)
{
	int err;

	err = should_fail("hook") ? -ENOMEM : vfs_mmap_prepare(map->file, desc);
	if (err)
		return err;

#ifdef HARNESS_FIXED
	/*
	 * Fix 4: record the handed-over reference before anything can fail,
	 * so that the abort path puts it if the action's prepare fails.
	 */
	if (desc->vm_file != map->file) {
		map->file_doesnt_need_get = true;
		map->file = desc->vm_file;
	}
#endif
	err = call_action_prepare(map, desc);
	if (err)
		return err;

	map->pgoff = desc->pgoff;
#ifndef HARNESS_FIXED
	if (desc->vm_file != map->file) {
		map->file_doesnt_need_get = true;
		map->file = desc->vm_file;
	}
#endif
	map->vma_flags = desc->vma_flags;
	map->page_prot = desc->page_prot;
	map->vm_ops = desc->vm_ops;
	map->vm_private_data = desc->private_data;
#ifdef HARNESS_SEED
	map->mmap_context = desc->mmap_context;
#endif
	return 0;
}

/* Upstream: set_vma_user_defined_fields() in mm/vma.c, DUPLICATED. */
static void set_vma_user_defined_fields(struct vm_area_struct *vma,
					struct mmap_state *map)
{
	if (map->vm_ops)
		vma->vm_ops = map->vm_ops;
	else
		vma_set_anonymous(vma);
	vma->vm_private_data = map->vm_private_data;
}

#ifdef HARNESS_SEED
/* Seed design v1 (__mmap_prelude()): the hooks only come in these sets. */
static int check_seed_hooks(const struct file *file)
{
	const struct file_operations *f_op = file->f_op;

	if (f_op->mmap_complete && !f_op->mmap_prepare)
		return -EINVAL;
	if (f_op->mmap_abort && !(f_op->mmap_prepare && f_op->mmap_complete))
		return -EINVAL;
	return 0;
}
#endif

/* Upstream: __mmap_region() in mm/vma.c, CUSTOMISED: no KSM, no uffd list; the stages F1 to F4. */
static unsigned long __mmap_region(struct file *file, unsigned long addr,
				   unsigned long len, vma_flags_t vma_flags,
				   unsigned long pgoff)
{
	struct mm_struct *mm = current_mm;
	struct vm_area_struct *vma = NULL;
	const bool have_mmap_prepare = file->f_op->mmap_prepare;
	struct mmap_state map = {
		.mm = mm,
		.addr = addr,
		.end = addr + len,
		.pgoff = pgoff,
		.pglen = PHYS_PFN(len),
		.vma_flags = vma_flags,
		.file = file,
		.page_prot = vm_get_page_prot(vma_flags_to_legacy(vma_flags)),
	};
	struct vm_area_desc desc = {
		.mm = mm,
		.file = file,
		.action.type = MMAP_NOTHING,
		.vm_ops = &vma_dummy_vm_ops,
	};
	bool allocated_new = false;
	int err;

#ifdef HARNESS_SEED
	err = check_seed_hooks(file);
	if (err)
		return err;
#endif
	fault_stage_set(1);
	err = __mmap_setup(&map, &desc);
	if (err)
		goto abort_munmap;
	if (have_mmap_prepare) {
		fault_stage_set(2);
		err = call_mmap_prepare(&map, &desc);
		if (err)
			goto abort_munmap;
	}

	fault_stage_set(3);
	if (map.prev || map.next) {
		struct vma_merge_struct vmg = {
			.start = map.addr,
			.end = map.end,
			.pgoff = map.pgoff,
			.vma_flags = map.vma_flags,
			.file = map.file,
			.prev = map.prev,
			.next = map.next,
		};

		vma = vma_merge_new_range(&vmg);
#ifdef HARNESS_FIXED
		/* Fix 1: the VMA merged into holds its own reference. */
		if (vma && map.file_doesnt_need_get) {
			fput(map.file);
			map.file_doesnt_need_get = false;
		}
#endif
	}

	if (!vma) {
		err = __mmap_new_vma(&map, &vma);
		if (err) {
#ifdef HARNESS_SEED
			if (have_mmap_prepare && file->f_op->mmap_abort)
				file->f_op->mmap_abort(file, map.vm_private_data,
						       map.mmap_context);
#endif
			goto abort_munmap;
		}
		allocated_new = true;
	}

	if (have_mmap_prepare && allocated_new)
		set_vma_user_defined_fields(vma, &map);

	__mmap_complete(&map, vma);
	fault_stage_set(4);

#ifdef HARNESS_SEED
	if (have_mmap_prepare && allocated_new && file->f_op->mmap_complete) {
		err = file->f_op->mmap_complete(file, vma, map.mmap_context);
		if (err) {
			do_munmap(mm, vma->vm_start, vma->vm_end - vma->vm_start);
			return err;
		}
	}
#endif
	if (have_mmap_prepare && allocated_new) {
		err = mmap_action_complete(vma, &desc.action, false);
		if (err)
			return err;
	}
	return addr;

abort_munmap:
	/* A file .mmap_prepare swapped in is dropped here, as upstream does. */
	if (map.file_doesnt_need_get)
		fput(map.file);
	vms_abort_munmap_vmas(&map.vms);
	return err;
}

/* Upstream: mmap_region() in mm/vma.c, CUSTOMISED: the stage F0. */
unsigned long mmap_region(struct file *file, unsigned long addr,
			  unsigned long len, vm_flags_t vm_flags,
			  unsigned long pgoff)
{
	/* F0 to F6 of failure-points.h; __mmap_region() moves on from F0. */
	int outer = fault_stage_set(0);
	unsigned long ret = __mmap_region(file, addr, len,
					  legacy_to_vma_flags(vm_flags), pgoff);

	fault_stage_set(outer);
	return ret;
}

/*
 * mremap's copy of @vma at @addr: merged into a compatible neighbour there
 * if it can be (vma_merge_copied_range(): no new VMA, so no reference and
 * no ->open), else a new VMA with a reference and ->open, then the insert.
 * Upstream: copy_vma() in mm/vma.c, CUSTOMISED.
 */
struct vm_area_struct *copy_vma(struct vm_area_struct *vma, unsigned long addr,
				unsigned long len, pgoff_t pgoff)
{
	struct vma_merge_struct vmg = {
		.start = addr,
		.end = addr + len,
		.pgoff = pgoff,
		.vma_flags = vma->flags,
		.file = vma->vm_file,
		.prev = find_vma_prev(vma->vm_mm, addr),
		.next = find_vma(vma->vm_mm, addr),
	};
	struct vm_area_struct *new_vma = vma_merge_new_range(&vmg);

	if (new_vma)
		return new_vma;
	new_vma = vm_area_dup(vma);
	if (!new_vma)
		return NULL;
	new_vma->vm_start = addr;
	new_vma->vm_end = addr + len;
	new_vma->vm_pgoff = pgoff;
	if (new_vma->vm_file)
		get_file(new_vma->vm_file);
	if (new_vma->vm_ops && new_vma->vm_ops->open)
		new_vma->vm_ops->open(new_vma);
	if (vma_iter_prealloc()) {
		vma_close(new_vma);
		if (new_vma->vm_file)
			fput(new_vma->vm_file);
		vm_area_free(new_vma);
		return NULL;
	}
	vma_link(vma->vm_mm, new_vma);
	return new_vma;
}
