/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mmap_prepare_compat.h - a driver written against Linux 7.3's .mmap_prepare
 * API, built unchanged on older kernels
 *
 * Copy this file, mmap_prepare_compat.cocci and mmap-prepare-compat.sh into
 * an out-of-tree driver. On a kernel that has every name the driver uses,
 * the build force-includes this header, which adds only the functions and
 * constants the kernel lacks and leaves the kernel's own mmap path:
 *
 * - VMA_*_BIT and vma_flag_t (6.19 has them; 6.17 and 6.18 do not);
 * - vma_desc_test(), vma_desc_test_any(), vma_desc_test_all(),
 *   vma_desc_set_flags(), vma_desc_clear_flags() (7.1);
 * - vma_desc_size(), vma_desc_pages() (6.19), vma_desc_is_cow_mapping() (7.1);
 * - mk_vma_flags() (7.1), as the vm_flags_t mask that calls such as
 *   shmem_file_setup() take before 7.1;
 * - kzalloc_obj() (a macro: tested with #ifndef, so a stable release that
 *   took it, such as 6.12.107, keeps its own).
 *
 * A header cannot add a member to a kernel structure, and several steps of
 * the API are members: file_operations.mmap_prepare (6.16),
 * vm_area_desc.vm_file (6.18), vm_area_desc.action (6.19, the kernel-page
 * and simple I/O actions 7.1), vm_operations_struct.mapped (7.1) and
 * mmap_action.error_override (7.2). When the kernel lacks one the driver
 * uses, mmap-prepare-compat.sh builds a copy of the source in "shim mode"
 * (KIT_COMPAT_SHIM): the copy's .mmap_prepare initialiser becomes an .mmap
 * that runs the 7.3 core's steps on a descriptor of the kit's own (see
 * kit_compat_mmap()), and this header, included after the copy's kernel
 * headers, renames the 7.3 types and helpers to the kit's.
 *
 * The version checks were each read in a real tree (make matrix): Linux
 * 6.12, 6.17, 6.18, 6.19, 7.1, 7.2 and 7.3. Other releases stop the build
 * here rather than guess.
 */
#ifndef MMAP_PREPARE_COMPAT_H
#define MMAP_PREPARE_COMPAT_H

#include <linux/bits.h>
#include <linux/fs.h>
#include <linux/log2.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/version.h>

/* True on Linux maj.min and later: the one place the version is read. */
#define KIT_COMPAT_SINCE(maj, min) \
	(KERNEL_VERSION(maj, min, 0) <= LINUX_VERSION_CODE)

#if KIT_COMPAT_SINCE(6, 13) && !KIT_COMPAT_SINCE(6, 17)
#error "mmap_prepare_compat.h: not verified on Linux 6.13 to 6.16"
#elif KIT_COMPAT_SINCE(7, 0) && !KIT_COMPAT_SINCE(7, 1)
#error "mmap_prepare_compat.h: not verified on Linux 7.0"
#endif

#ifndef kzalloc_obj
/* Before 7.0 (and its stable backports): one zeroed object of *P's type. */
#define KIT_COMPAT_GFP(none, gfp, ...)	((void)#none, gfp)
#define kzalloc_obj(P, ...) ({ \
	typeof(P) *__kit_obj = kzalloc(sizeof(P), \
				       KIT_COMPAT_GFP(, ##__VA_ARGS__, GFP_KERNEL)); \
	__kit_obj; \
})
#endif

#if !KIT_COMPAT_SINCE(6, 19)
typedef int __bitwise vma_flag_t;

/* The bit numbers of the legacy masks, as 6.19 and later spell them. */
#define KIT_COMPAT_BIT(mask)	((__force vma_flag_t)ilog2(mask))
#define VMA_READ_BIT		KIT_COMPAT_BIT(VM_READ)
#define VMA_WRITE_BIT		KIT_COMPAT_BIT(VM_WRITE)
#define VMA_EXEC_BIT		KIT_COMPAT_BIT(VM_EXEC)
#define VMA_SHARED_BIT		KIT_COMPAT_BIT(VM_SHARED)
#define VMA_MAYREAD_BIT		KIT_COMPAT_BIT(VM_MAYREAD)
#define VMA_MAYWRITE_BIT	KIT_COMPAT_BIT(VM_MAYWRITE)
#define VMA_MAYEXEC_BIT		KIT_COMPAT_BIT(VM_MAYEXEC)
#define VMA_MAYSHARE_BIT	KIT_COMPAT_BIT(VM_MAYSHARE)
#define VMA_PFNMAP_BIT		KIT_COMPAT_BIT(VM_PFNMAP)
#define VMA_LOCKED_BIT		KIT_COMPAT_BIT(VM_LOCKED)
#define VMA_IO_BIT		KIT_COMPAT_BIT(VM_IO)
#define VMA_DONTCOPY_BIT	KIT_COMPAT_BIT(VM_DONTCOPY)
#define VMA_DONTEXPAND_BIT	KIT_COMPAT_BIT(VM_DONTEXPAND)
#define VMA_ACCOUNT_BIT		KIT_COMPAT_BIT(VM_ACCOUNT)
#define VMA_NORESERVE_BIT	KIT_COMPAT_BIT(VM_NORESERVE)
#define VMA_DONTDUMP_BIT	KIT_COMPAT_BIT(VM_DONTDUMP)
#define VMA_MIXEDMAP_BIT	KIT_COMPAT_BIT(VM_MIXEDMAP)
#endif /* < 6.19 */

/**
 * kit_compat_vm_flags() - the vm_flags_t mask of a list of bit numbers
 * @bits: VMA_*_BIT numbers
 * @nr: how many there are
 *
 * Return: the mask with each of those bits set.
 */
static __always_inline vm_flags_t kit_compat_vm_flags(const vma_flag_t *bits,
						      size_t nr)
{
	vm_flags_t mask = 0;
	size_t i;

	for (i = 0; i < nr; i++)
		mask |= BIT((__force int)bits[i]);
	return mask;
}

#define KIT_COMPAT_VM_FLAGS(...) \
	kit_compat_vm_flags((const vma_flag_t[]){ __VA_ARGS__ }, \
			    ARRAY_SIZE(((const vma_flag_t[]){ __VA_ARGS__ })))

#if !KIT_COMPAT_SINCE(7, 1)
/**
 * mk_vma_flags() - the flags of some VMA_*_BIT numbers
 * @...: the bit numbers
 *
 * From 7.1 this builds a vma_flags_t, which the calls that take flags, such
 * as shmem_file_setup(), take there. Before 7.1 those calls take a
 * vm_flags_t mask, so this builds the mask; assigning it to a vma_flags_t
 * fails to compile rather than losing bits.
 *
 * Return: the vm_flags_t mask with those bits set.
 */
#define mk_vma_flags(...)	KIT_COMPAT_VM_FLAGS(__VA_ARGS__)

/**
 * vfs_mmap() - call a file's legacy .mmap
 * @file: the file
 * @vma: the VMA to set up
 *
 * 6.12 calls it call_mmap(); 6.17 has vfs_mmap() (the rename is in a
 * release that is not served).
 *
 * Return: what the file's .mmap returned.
 */
#if !KIT_COMPAT_SINCE(6, 17)
static inline int vfs_mmap(struct file *file, struct vm_area_struct *vma)
{
	return call_mmap(file, vma);
}
#endif
#endif /* < 7.1 */

/*
 * A hook that calls another file's hook (vfs_mmap_prepare()) cannot be
 * supported before 6.19: shmem, the file such a driver maps, has only
 * .mmap there (mm/shmem.c of 6.17.8 and 6.18.15), which needs a VMA that a
 * hook does not have, and the kernel's vfs_mmap_prepare() would call a
 * NULL hook. The build stops with the reason instead.
 */
#define KIT_COMPAT_REFUSE_NESTED(why, file, desc) ({ \
	BUILD_BUG_ON_MSG(1, "mmap_prepare_compat: vfs_mmap_prepare() " why); \
	(void)(file); \
	(void)(desc); \
	-ENODEV; \
})
#if !KIT_COMPAT_SINCE(6, 19)
#undef vfs_mmap_prepare
#define vfs_mmap_prepare(file, desc) \
	KIT_COMPAT_REFUSE_NESTED("before 6.19: shmem has only .mmap", file, desc)
#endif

#ifdef KIT_COMPAT_SHIM
#if KIT_COMPAT_SINCE(6, 19)
/**
 * kit_compat_kernel_desc_flags() - the flags of a kernel descriptor
 * @kdesc: the kernel's descriptor
 *
 * Return: them as the legacy vm_flags_t mask (7.1 keeps it as word 0).
 */
static inline vm_flags_t
kit_compat_kernel_desc_flags(struct vm_area_desc *kdesc)
{
#if KIT_COMPAT_SINCE(7, 1)
	return ACCESS_PRIVATE(&kdesc->vma_flags, __vma_flags)[0];
#else
	return kdesc->vm_flags;
#endif
}

/**
 * kit_compat_kernel_desc_set_flags() - set the flags of a kernel descriptor
 * @kdesc: the kernel's descriptor
 * @flags: the legacy vm_flags_t mask
 */
static inline void
kit_compat_kernel_desc_set_flags(struct vm_area_desc *kdesc,
				 vm_flags_t flags)
{
#if KIT_COMPAT_SINCE(7, 1)
	ACCESS_PRIVATE(&kdesc->vma_flags, __vma_flags)[0] = flags;
#else
	kdesc->vm_flags = flags;
#endif
}
#endif /* 6.19 */

/*
 * Shim mode: the driver's mmap goes through kit_compat_mmap(), not through
 * the kernel's .mmap_prepare, so every name of the 7.3 API that it sees is
 * the kit's. The kernel headers were read before this point and keep their
 * declarations; only the driver's code after the include sees the renames.
 */
#include <linux/file.h>

#define KIT_COMPAT_RENAME(name)	kit_##name

#define vma_desc_size		KIT_COMPAT_RENAME(vma_desc_size)
#define vma_desc_pages		KIT_COMPAT_RENAME(vma_desc_pages)
#define vma_desc_test		KIT_COMPAT_RENAME(vma_desc_test)
#define vma_desc_is_cow_mapping	KIT_COMPAT_RENAME(vma_desc_is_cow_mapping)
#undef vma_desc_test_any
#undef vma_desc_test_all
#undef vma_desc_set_flags
#undef vma_desc_clear_flags
#define mmap_action_remap	KIT_COMPAT_RENAME(mmap_action_remap)
#define mmap_action_remap_full	KIT_COMPAT_RENAME(mmap_action_remap_full)
#define mmap_action_ioremap	KIT_COMPAT_RENAME(mmap_action_ioremap)
#define mmap_action_ioremap_full KIT_COMPAT_RENAME(mmap_action_ioremap_full)
#define mmap_action_simple_ioremap KIT_COMPAT_RENAME(mmap_action_simple_ioremap)
#define mmap_action_map_kernel_pages KIT_COMPAT_RENAME(mmap_action_map_kernel_pages)
#define mmap_action_map_kernel_pages_full \
	KIT_COMPAT_RENAME(mmap_action_map_kernel_pages_full)
#define MMAP_NOTHING		KIT_COMPAT_RENAME(MMAP_NOTHING)
#define MMAP_REMAP_PFN		KIT_COMPAT_RENAME(MMAP_REMAP_PFN)
#define MMAP_IO_REMAP_PFN	KIT_COMPAT_RENAME(MMAP_IO_REMAP_PFN)
#define MMAP_SIMPLE_IO_REMAP	KIT_COMPAT_RENAME(MMAP_SIMPLE_IO_REMAP)
#define MMAP_MAP_KERNEL_PAGES	KIT_COMPAT_RENAME(MMAP_MAP_KERNEL_PAGES)

#if defined(KIT_COMPAT_MAPPED) && !KIT_COMPAT_SINCE(7, 1)
/*
 * The driver sets vm_ops->mapped, which the kernel's table lacks. Its
 * tables become the kit's: the kernel's table, as an unnamed first member
 * (-fms-extensions, which the build adds), then mapped. The VMA gets the
 * kernel's part; kit_compat_mmap() reads mapped from the whole. From 7.1
 * the kernel's table has it (and calls it only after an .mmap_prepare).
 */
#define KIT_COMPAT_OWN_VM_OPS
struct kit_vm_operations_struct {
	struct vm_operations_struct;
	int (*mapped)(unsigned long start, unsigned long end, pgoff_t pgoff,
		      const struct file *file, void **vm_private_data);
};

#define vm_operations_struct	KIT_COMPAT_RENAME(vm_operations_struct)
#endif

/* What the core does once the hook has returned (7.3's list). */
enum kit_mmap_action_type {
	MMAP_NOTHING,
	MMAP_REMAP_PFN,
	MMAP_IO_REMAP_PFN,
	MMAP_SIMPLE_IO_REMAP,
	MMAP_MAP_KERNEL_PAGES,
};

/* The action a hook asks for, with 7.3's members. */
struct kit_mmap_action {
	union {
		struct {
			unsigned long start;
			unsigned long start_pfn;
			unsigned long size;
			pgprot_t pgprot;
		} remap;
		struct {
			phys_addr_t start_phys_addr;
			unsigned long size;
		} simple_ioremap;
		struct {
			unsigned long start;
			struct page **pages;
			unsigned long nr_pages;
			pgoff_t pgoff;
		} map_kernel;
	};
	enum kit_mmap_action_type type;
	int error_override;
	/* The VMA is already in the rmap when a .mmap runs: no effect here. */
	bool hide_from_rmap_until_complete :1;
};

/* The flags of a descriptor: the legacy vm_flags_t mask, as one word. */
struct kit_compat_vma_flags {
	vm_flags_t __kit_flags;
};

/* The descriptor, with 7.3's members and their meaning. */
struct kit_vm_area_desc {
	struct mm_struct *mm;
	struct file *file;
	unsigned long start;
	unsigned long end;

	pgoff_t pgoff;
	struct file *vm_file;
	struct kit_compat_vma_flags vma_flags;
	pgprot_t page_prot;

	const struct vm_operations_struct *vm_ops;
	void *private_data;

	struct kit_mmap_action action;
};

#define KIT_COMPAT_DESC_FLAGS(desc)	((desc)->vma_flags.__kit_flags)

#ifdef KIT_COMPAT_OWN_VM_OPS
/* Another file's vm_ops would be a kernel table, without the kit's mapped. */
#undef vfs_mmap_prepare
#define vfs_mmap_prepare(file, desc) \
	KIT_COMPAT_REFUSE_NESTED("with ->mapped before 7.1", file, desc)
#elif KIT_COMPAT_SINCE(6, 19)
/**
 * kit_vfs_mmap_prepare() - run another file's .mmap_prepare on a descriptor
 * @file: the file, whose f_op has .mmap_prepare
 * @desc: the kit's descriptor
 *
 * The kernel's hook takes the kernel's descriptor: it gets a copy, and
 * what it may change comes back.
 *
 * Return: what the file's hook returned.
 */
static inline int kit_vfs_mmap_prepare(struct file *file,
				       struct kit_vm_area_desc *desc)
{
	struct vm_area_desc kdesc = {
		.mm = desc->mm,
		.file = desc->file,
		.start = desc->start,
		.end = desc->end,
		.pgoff = desc->pgoff,
		.vm_file = desc->vm_file,
		.page_prot = desc->page_prot,
		.vm_ops = desc->vm_ops,
		.private_data = desc->private_data,
	};
	int ret;

	kit_compat_kernel_desc_set_flags(&kdesc, KIT_COMPAT_DESC_FLAGS(desc));
	ret = file->f_op->mmap_prepare(&kdesc);
	if (ret)
		return ret;
	desc->pgoff = kdesc.pgoff;
	KIT_COMPAT_DESC_FLAGS(desc) = kit_compat_kernel_desc_flags(&kdesc);
	desc->page_prot = kdesc.page_prot;
	desc->vm_ops = kdesc.vm_ops;
	desc->private_data = kdesc.private_data;
	return 0;
}

#define vfs_mmap_prepare	KIT_COMPAT_RENAME(vfs_mmap_prepare)
#endif

/* From here on, the driver's code sees the kit's types. */
#define vm_area_desc		KIT_COMPAT_RENAME(vm_area_desc)
#define mmap_action		KIT_COMPAT_RENAME(mmap_action)
#define mmap_action_type	KIT_COMPAT_RENAME(mmap_action_type)
#elif KIT_COMPAT_SINCE(6, 17) && !KIT_COMPAT_SINCE(7, 1)
/*
 * 6.17 to 7.0, the kernel's own path: the descriptor's flags are a
 * vm_flags_t (6.19 puts it in a union with vma_flags).
 */
#define KIT_COMPAT_DESC_FLAGS(desc)	((desc)->vm_flags)
#endif

#ifdef KIT_COMPAT_DESC_FLAGS
#if defined(KIT_COMPAT_SHIM) || !KIT_COMPAT_SINCE(6, 19)
/**
 * vma_desc_size() - the length of the described mapping
 * @desc: the descriptor
 *
 * Return: its size in bytes.
 */
static inline unsigned long vma_desc_size(const struct vm_area_desc *desc)
{
	return desc->end - desc->start;
}

/**
 * vma_desc_pages() - the length of the described mapping in pages
 * @desc: the descriptor
 *
 * Return: its size in pages.
 */
static inline unsigned long vma_desc_pages(const struct vm_area_desc *desc)
{
	return vma_desc_size(desc) >> PAGE_SHIFT;
}
#endif /* shim, or < 6.19 */

/**
 * vma_desc_test() - is a flag set in the descriptor?
 * @desc: the descriptor
 * @bit: a VMA_*_BIT number
 *
 * Return: true if it is set.
 */
static __always_inline bool vma_desc_test(const struct vm_area_desc *desc,
					  vma_flag_t bit)
{
	return KIT_COMPAT_DESC_FLAGS(desc) & BIT((__force int)bit);
}

/**
 * kit_compat_desc_test_any() - is any flag of a mask set in the descriptor?
 * @desc: the descriptor
 * @mask: the flags, as a vm_flags_t mask
 *
 * Return: true if at least one of them is set.
 */
static __always_inline bool
kit_compat_desc_test_any(const struct vm_area_desc *desc, vm_flags_t mask)
{
	return KIT_COMPAT_DESC_FLAGS(desc) & mask;
}

/**
 * kit_compat_desc_test_all() - is every flag of a mask set in the descriptor?
 * @desc: the descriptor
 * @mask: the flags, as a vm_flags_t mask
 *
 * Return: true if all of them are set.
 */
static __always_inline bool
kit_compat_desc_test_all(const struct vm_area_desc *desc, vm_flags_t mask)
{
	return (KIT_COMPAT_DESC_FLAGS(desc) & mask) == mask;
}

/**
 * kit_compat_desc_set() - set the flags of a mask in the descriptor
 * @desc: the descriptor, applied by the core after the hook returns
 * @mask: the flags, as a vm_flags_t mask
 */
static __always_inline void kit_compat_desc_set(struct vm_area_desc *desc,
						vm_flags_t mask)
{
	KIT_COMPAT_DESC_FLAGS(desc) |= mask;
}

/**
 * kit_compat_desc_clear() - clear the flags of a mask in the descriptor
 * @desc: the descriptor, applied by the core after the hook returns
 * @mask: the flags, as a vm_flags_t mask
 */
static __always_inline void kit_compat_desc_clear(struct vm_area_desc *desc,
						  vm_flags_t mask)
{
	KIT_COMPAT_DESC_FLAGS(desc) &= ~mask;
}

#define vma_desc_test_any(desc, ...) \
	kit_compat_desc_test_any(desc, KIT_COMPAT_VM_FLAGS(__VA_ARGS__))
#define vma_desc_test_all(desc, ...) \
	kit_compat_desc_test_all(desc, KIT_COMPAT_VM_FLAGS(__VA_ARGS__))
#define vma_desc_set_flags(desc, ...) \
	kit_compat_desc_set(desc, KIT_COMPAT_VM_FLAGS(__VA_ARGS__))
#define vma_desc_clear_flags(desc, ...) \
	kit_compat_desc_clear(desc, KIT_COMPAT_VM_FLAGS(__VA_ARGS__))

/**
 * vma_desc_is_cow_mapping() - could the mapping get copy-on-write pages?
 * @desc: the descriptor
 *
 * As is_cow_mapping(): private, and writable now or after mprotect().
 *
 * Return: true for such a mapping.
 */
static inline bool vma_desc_is_cow_mapping(struct vm_area_desc *desc)
{
	return (KIT_COMPAT_DESC_FLAGS(desc) & (VM_SHARED | VM_MAYWRITE)) == VM_MAYWRITE;
}
#endif /* KIT_COMPAT_DESC_FLAGS */

#ifdef KIT_COMPAT_SHIM
/**
 * mmap_action_remap() - ask for a PFN remap of part of the mapping
 * @desc: the descriptor
 * @start: the first address to map, inside the mapping
 * @start_pfn: the first page frame
 * @size: the length in bytes, at most to the end of the mapping
 */
static inline void mmap_action_remap(struct vm_area_desc *desc,
				     unsigned long start,
				     unsigned long start_pfn,
				     unsigned long size)
{
	struct mmap_action *action = &desc->action;

	action->type = MMAP_REMAP_PFN;
	action->remap.start = start;
	action->remap.start_pfn = start_pfn;
	action->remap.size = size;
	action->remap.pgprot = desc->page_prot;
}

/**
 * mmap_action_remap_full() - ask for a PFN remap of the whole mapping
 * @desc: the descriptor
 * @start_pfn: the page frame of its first page
 */
static inline void mmap_action_remap_full(struct vm_area_desc *desc,
					  unsigned long start_pfn)
{
	mmap_action_remap(desc, desc->start, start_pfn, vma_desc_size(desc));
}

/**
 * mmap_action_ioremap() - ask for an I/O PFN remap of part of the mapping
 * @desc: the descriptor
 * @start: the first address to map, inside the mapping
 * @start_pfn: the first page frame
 * @size: the length in bytes, at most to the end of the mapping
 */
static inline void mmap_action_ioremap(struct vm_area_desc *desc,
				       unsigned long start,
				       unsigned long start_pfn,
				       unsigned long size)
{
	mmap_action_remap(desc, start, start_pfn, size);
	desc->action.type = MMAP_IO_REMAP_PFN;
}

/**
 * mmap_action_ioremap_full() - ask for an I/O PFN remap of the whole mapping
 * @desc: the descriptor
 * @start_pfn: the page frame of its first page
 */
static inline void mmap_action_ioremap_full(struct vm_area_desc *desc,
					    unsigned long start_pfn)
{
	mmap_action_ioremap(desc, desc->start, start_pfn, vma_desc_size(desc));
}

/**
 * mmap_action_simple_ioremap() - ask for a checked I/O remap of a range
 * @desc: the descriptor
 * @start_phys_addr: the physical address of the range
 * @size: its length in bytes
 */
static inline void mmap_action_simple_ioremap(struct vm_area_desc *desc,
					      phys_addr_t start_phys_addr,
					      unsigned long size)
{
	desc->action.simple_ioremap.start_phys_addr = start_phys_addr;
	desc->action.simple_ioremap.size = size;
	desc->action.type = MMAP_SIMPLE_IO_REMAP;
}

/**
 * mmap_action_map_kernel_pages() - ask for kernel pages to be inserted
 * @desc: the descriptor
 * @start: the address of the first page, inside the mapping
 * @pages: the pages, which must outlive the hook
 * @nr_pages: how many
 */
static inline void mmap_action_map_kernel_pages(struct vm_area_desc *desc,
						unsigned long start,
						struct page **pages,
						unsigned long nr_pages)
{
	struct mmap_action *action = &desc->action;

	action->type = MMAP_MAP_KERNEL_PAGES;
	action->map_kernel.start = start;
	action->map_kernel.pages = pages;
	action->map_kernel.nr_pages = nr_pages;
	action->map_kernel.pgoff = desc->pgoff;
}

/**
 * mmap_action_map_kernel_pages_full() - ask for kernel pages over the mapping
 * @desc: the descriptor
 * @pages: one page per page of the mapping
 */
static inline void mmap_action_map_kernel_pages_full(struct vm_area_desc *desc,
						     struct page **pages)
{
	mmap_action_map_kernel_pages(desc, desc->start, pages,
				     vma_desc_pages(desc));
}

/**
 * kit_compat_action_prepare() - the checks 7.3 makes before the VMA exists
 * @desc: the descriptor the hook filled in
 *
 * mm/util.c mmap_action_prepare() and the *_prepare() of mm/memory.c: an
 * error here is returned as is, error_override does not apply, and no VMA
 * has been touched.
 *
 * Return: 0, -EINVAL for an error_override that is not an errno, -EFAULT
 * for a range outside the mapping.
 */
static inline int kit_compat_action_prepare(struct vm_area_desc *desc)
{
	struct mmap_action *action = &desc->action;
	unsigned long start, end;

	if (WARN_ON_ONCE(action->error_override &&
			 !IS_ERR_VALUE((unsigned long)action->error_override)))
		return -EINVAL;
	switch (action->type) {
	case MMAP_NOTHING:
	case MMAP_SIMPLE_IO_REMAP:
		return 0;
	case MMAP_REMAP_PFN:
	case MMAP_IO_REMAP_PFN:
		start = action->remap.start;
		end = start + action->remap.size;
		break;
	case MMAP_MAP_KERNEL_PAGES:
		start = action->map_kernel.start;
		end = start + PAGE_SIZE * action->map_kernel.nr_pages;
		/* As 7.3, before the VMA exists: the pages need VM_MIXEDMAP. */
		KIT_COMPAT_DESC_FLAGS(desc) |= VM_MIXEDMAP;
		break;
	default:
		WARN_ON_ONCE(1);
		return -EINVAL;
	}
	if (start < desc->start || end < start || end > desc->end)
		return -EFAULT;
	return 0;
}

/**
 * kit_compat_apply() - give the VMA what the hook wrote in the descriptor
 * @vma: the new VMA
 * @desc: the descriptor
 *
 * The fields 7.3's call_mmap_prepare() copies into the new VMA. A new
 * vm_file carries the reference the hook took (get_file()), which the VMA
 * adopts; the VMA's reference to the file mmap() was called on is
 * dropped, as 7.3 does. vm_ops and private_data come later.
 */
static inline void kit_compat_apply(struct vm_area_struct *vma,
				    struct vm_area_desc *desc)
{
	vm_flags_t flags = KIT_COMPAT_DESC_FLAGS(desc);

	vma->vm_pgoff = desc->pgoff;
	if (desc->vm_file != vma->vm_file) {
		struct file *old = vma->vm_file;

		vma->vm_file = desc->vm_file;
		fput(old);
	}
	vm_flags_mod(vma, flags & ~vma->vm_flags, vma->vm_flags & ~flags);
	vma->vm_page_prot = desc->page_prot;
}

/**
 * kit_compat_action_complete() - perform the action on the new VMA
 * @vma: the VMA, with the descriptor applied
 * @action: the action
 *
 * Return: 0 or the error of the remap or the page insertion.
 */
static inline int kit_compat_action_complete(struct vm_area_struct *vma,
					     struct mmap_action *action)
{
	unsigned long nr;

	switch (action->type) {
	case MMAP_REMAP_PFN:
		return remap_pfn_range(vma, action->remap.start,
				       action->remap.start_pfn,
				       action->remap.size, action->remap.pgprot);
	case MMAP_IO_REMAP_PFN:
		return io_remap_pfn_range(vma, action->remap.start,
					  action->remap.start_pfn,
					  action->remap.size,
					  action->remap.pgprot);
	case MMAP_SIMPLE_IO_REMAP:
		return vm_iomap_memory(vma, action->simple_ioremap.start_phys_addr,
				       action->simple_ioremap.size);
	case MMAP_MAP_KERNEL_PAGES:
		nr = action->map_kernel.nr_pages;
		return vm_insert_pages(vma, action->map_kernel.start,
				       action->map_kernel.pages, &nr);
	default:
		return 0;
	}
}

/**
 * kit_compat_mapped() - call the driver's vm_ops->mapped, if it has one
 * @vma: the mapped VMA
 * @desc: the descriptor, whose vm_ops is the driver's table
 * @dummy: the vm_ops the VMA started with, which is the kernel's
 *
 * Return: 0, or what ->mapped returned (vm_private_data is then unchanged).
 */
static inline int kit_compat_mapped(struct vm_area_struct *vma,
				    struct vm_area_desc *desc,
				    const void *dummy)
{
#if defined(KIT_COMPAT_OWN_VM_OPS) || KIT_COMPAT_SINCE(7, 1)
	void *priv = vma->vm_private_data;
	int err;

	/* Before 7.1 only the driver's own tables have the kit's layout. */
	if ((const void *)desc->vm_ops == dummy || !desc->vm_ops->mapped)
		return 0;
	err = desc->vm_ops->mapped(vma->vm_start, vma->vm_end, vma->vm_pgoff,
				   vma->vm_file, &priv);
	if (err)
		return err;
	vma->vm_private_data = priv;
#endif
	return 0;
}

/**
 * kit_compat_mmap() - the .mmap that runs a .mmap_prepare hook as 7.3 does
 * @file: the file mmap() was called on
 * @vma: the new VMA, not yet visible to userspace
 * @hook: the driver's .mmap_prepare
 *
 * The steps of 7.3's __mmap_region() and mmap_action_complete(), and what
 * each failure leaves:
 * - the hook fails, or an action's checks do (kit_compat_action_prepare()):
 *   its error, the VMA untouched, no ->close (7.3: no VMA yet);
 * - the legacy .mmap of a file the hook swapped in fails: its error, no
 *   ->close (7.3 calls it before the VMA gets the hook's vm_ops);
 * - the action or ->mapped fails: 7.3 unmaps the VMA, which calls the
 *   driver's ->close, and returns error_override if set, else the error.
 *   A failed .mmap is not followed by ->close (mm/internal.h mmap_file()
 *   puts the dummy vm_ops in), so the shim calls it itself, then returns
 *   the same error; the kernel then unmaps the VMA.
 * Unlike 7.3, the hook always gets a new VMA: the kernel may merge it with
 * a neighbour only after .mmap, where 7.3 merges first and then skips the
 * action and ->mapped.
 *
 * Return: 0 or the error mmap() returns.
 */
static inline int kit_compat_mmap(struct file *file, struct vm_area_struct *vma,
				  int (*hook)(struct vm_area_desc *desc))
{
	const void *dummy = vma->vm_ops;
	struct vm_area_desc desc = {
		.mm = vma->vm_mm,
		.file = file,
		.start = vma->vm_start,
		.end = vma->vm_end,
		.pgoff = vma->vm_pgoff,
		.vm_file = vma->vm_file,
		.vma_flags.__kit_flags = vma->vm_flags,
		.page_prot = vma->vm_page_prot,
		.vm_ops = dummy,
		.private_data = vma->vm_private_data,
		.action.type = MMAP_NOTHING,
	};
	int err;

	err = hook(&desc);
	if (!err)
		err = kit_compat_action_prepare(&desc);
	if (err)
		return err;
	kit_compat_apply(vma, &desc);
	/*
	 * 7.3's __mmap_new_file_vma(): a swapped-in file's legacy .mmap runs
	 * on the new VMA; if it fails, mmap() fails with its error, and the
	 * kernel drops the VMA's reference to that file.
	 */
	if (vma->vm_file != file && vma->vm_file->f_op->mmap) {
		err = vfs_mmap(vma->vm_file, vma);
		if (err)
			return err;
	}
	/* Then set_vma_user_defined_fields(): the hook's vm_ops win. */
	vma->vm_ops = (const void *)desc.vm_ops;
	vma->vm_private_data = desc.private_data;
	err = kit_compat_action_complete(vma, &desc.action);
	if (!err)
		err = kit_compat_mapped(vma, &desc, dummy);
	if (!err)
		return 0;
	if (vma->vm_ops && vma->vm_ops->close)
		vma->vm_ops->close(vma);
	return desc.action.error_override ?: err;
}
#endif /* KIT_COMPAT_SHIM */

#endif /* MMAP_PREPARE_COMPAT_H */
