/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mmap_prepare_compat.h - the 7.3 .mmap_prepare helpers on older kernels
 *
 * Copy this file into an out-of-tree driver written against the Linux 7.3
 * API and include it after the kernel headers (or force-include it with
 * ccflags-y += -include). On kernels that already have a name it adds
 * nothing; on older ones it supplies the *functions and constants* a
 * converted driver calls, built on what that kernel's struct vm_area_desc
 * holds:
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
 * It cannot add a member to a kernel structure, and several steps of the
 * API are members: file_operations.mmap_prepare (6.16), vm_area_desc.action
 * (6.19), vm_operations_struct.mapped (7.1) and mmap_action.error_override
 * (7.2). The kernel allocates the descriptor and reads the operation tables
 * at its own offsets, so a driver that uses one of them builds only on a
 * kernel that has it; Documentation/out-of-tree.rst says what to do there.
 *
 * The version checks were each read in a real tree (make matrix): Linux
 * 6.12, 6.17, 6.18, 6.19, 7.1, 7.2 and 7.3. Other releases stop the build
 * here rather than guess.
 */
#ifndef MMAP_PREPARE_COMPAT_H
#define MMAP_PREPARE_COMPAT_H

#include <linux/bits.h>
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

#if KIT_COMPAT_SINCE(6, 17) && !KIT_COMPAT_SINCE(7, 1)
/*
 * 6.17 to 6.19: the descriptor's flags are a vm_flags_t (6.19 puts it in a
 * union with vma_flags), so the bit-number helpers test and change it.
 */

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
 * vma_desc_test() - is a flag set in the descriptor?
 * @desc: the descriptor
 * @bit: a VMA_*_BIT number
 *
 * Return: true if it is set.
 */
static __always_inline bool vma_desc_test(const struct vm_area_desc *desc,
					  vma_flag_t bit)
{
	return desc->vm_flags & BIT((__force int)bit);
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
	return desc->vm_flags & mask;
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
	return (desc->vm_flags & mask) == mask;
}

/**
 * kit_compat_desc_set() - set the flags of a mask in the descriptor
 * @desc: the descriptor, applied by the core after the hook returns
 * @mask: the flags, as a vm_flags_t mask
 */
static __always_inline void kit_compat_desc_set(struct vm_area_desc *desc,
						vm_flags_t mask)
{
	desc->vm_flags |= mask;
}

/**
 * kit_compat_desc_clear() - clear the flags of a mask in the descriptor
 * @desc: the descriptor, applied by the core after the hook returns
 * @mask: the flags, as a vm_flags_t mask
 */
static __always_inline void kit_compat_desc_clear(struct vm_area_desc *desc,
						  vm_flags_t mask)
{
	desc->vm_flags &= ~mask;
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
	return (desc->vm_flags & (VM_SHARED | VM_MAYWRITE)) == VM_MAYWRITE;
}
#endif /* 6.17 to 7.0 */

#endif /* MMAP_PREPARE_COMPAT_H */
