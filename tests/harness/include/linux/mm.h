/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shim of include/linux/mm.h, DUPLICATED: bit numbers, masks, names and
 * signatures (tests/probe checks them); CUSTOMISED: the model's
 * implementations behind them.
 */
/*
 * Shim: the driver-facing part of include/linux/mm.h.
 * Bit numbers, masks, helper names and signatures follow upstream; the
 * conformance probe (tests/probe) checks them against the real headers.
 */
#ifndef _SHIM_LINUX_MM_H
#define _SHIM_LINUX_MM_H

#include <linux/kernel.h>
#include <linux/list.h>
#include <linux/pfn.h>
#include <linux/gfp.h>
#include <linux/mm_types.h>
#include <linux/mmap_lock.h>
#include <harness/site.h>

typedef int __bitwise vma_flag_t;

/* VMA flag bit numbers, x86_64 with CONFIG_MMU (mm.h, DECLARE_VMA_BIT). */
enum {
	VMA_READ_BIT		= 0,
	VMA_WRITE_BIT		= 1,
	VMA_EXEC_BIT		= 2,
	VMA_SHARED_BIT		= 3,
	VMA_MAYREAD_BIT		= 4,
	VMA_MAYWRITE_BIT	= 5,
	VMA_MAYEXEC_BIT		= 6,
	VMA_MAYSHARE_BIT	= 7,
	VMA_GROWSDOWN_BIT	= 8,
	VMA_UFFD_MISSING_BIT	= 9,
	VMA_PFNMAP_BIT		= 10,
	VMA_MAYBE_GUARD_BIT	= 11,
	VMA_UFFD_WP_BIT		= 12,
	VMA_LOCKED_BIT		= 13,
	VMA_IO_BIT		= 14,
	VMA_SEQ_READ_BIT	= 15,
	VMA_RAND_READ_BIT	= 16,
	VMA_DONTCOPY_BIT	= 17,
	VMA_DONTEXPAND_BIT	= 18,
	VMA_LOCKONFAULT_BIT	= 19,
	VMA_ACCOUNT_BIT		= 20,
	VMA_NORESERVE_BIT	= 21,
	VMA_HUGETLB_BIT		= 22,
	VMA_SYNC_BIT		= 23,
	VMA_ARCH_1_BIT		= 24,
	VMA_WIPEONFORK_BIT	= 25,
	VMA_DONTDUMP_BIT	= 26,
	VMA_SOFTDIRTY_BIT	= 27,
	VMA_MIXEDMAP_BIT	= 28,
	VMA_HUGEPAGE_BIT	= 29,
	VMA_NOHUGEPAGE_BIT	= 30,
	VMA_MERGEABLE_BIT	= 31,
	VMA_STACK_BIT		= VMA_GROWSDOWN_BIT,
};

/* Legacy vm_flags_t masks: one bit each, same numbering. */
#define VM_NONE		0UL
#define VM_READ		BIT(VMA_READ_BIT)
#define VM_WRITE	BIT(VMA_WRITE_BIT)
#define VM_EXEC		BIT(VMA_EXEC_BIT)
#define VM_SHARED	BIT(VMA_SHARED_BIT)
#define VM_MAYREAD	BIT(VMA_MAYREAD_BIT)
#define VM_MAYWRITE	BIT(VMA_MAYWRITE_BIT)
#define VM_MAYEXEC	BIT(VMA_MAYEXEC_BIT)
#define VM_MAYSHARE	BIT(VMA_MAYSHARE_BIT)
#define VM_GROWSDOWN	BIT(VMA_GROWSDOWN_BIT)
#define VM_PFNMAP	BIT(VMA_PFNMAP_BIT)
#define VM_LOCKED	BIT(VMA_LOCKED_BIT)
#define VM_IO		BIT(VMA_IO_BIT)
#define VM_SEQ_READ	BIT(VMA_SEQ_READ_BIT)
#define VM_RAND_READ	BIT(VMA_RAND_READ_BIT)
#define VM_DONTCOPY	BIT(VMA_DONTCOPY_BIT)
#define VM_DONTEXPAND	BIT(VMA_DONTEXPAND_BIT)
#define VM_LOCKONFAULT	BIT(VMA_LOCKONFAULT_BIT)
#define VM_ACCOUNT	BIT(VMA_ACCOUNT_BIT)
#define VM_NORESERVE	BIT(VMA_NORESERVE_BIT)
#define VM_HUGETLB	BIT(VMA_HUGETLB_BIT)
#define VM_SYNC		BIT(VMA_SYNC_BIT)
#define VM_WIPEONFORK	BIT(VMA_WIPEONFORK_BIT)
#define VM_DONTDUMP	BIT(VMA_DONTDUMP_BIT)
#define VM_MIXEDMAP	BIT(VMA_MIXEDMAP_BIT)
#define VM_HUGEPAGE	BIT(VMA_HUGEPAGE_BIT)
#define VM_NOHUGEPAGE	BIT(VMA_NOHUGEPAGE_BIT)
#define VM_MERGEABLE	BIT(VMA_MERGEABLE_BIT)

#define VM_ACCESS_FLAGS	(VM_READ | VM_WRITE | VM_EXEC)
#define VM_SPECIAL	(VM_IO | VM_DONTEXPAND | VM_PFNMAP | VM_MIXEDMAP)
#define VM_LOCKED_MASK	(VM_LOCKED | VM_LOCKONFAULT)

/* vma_flags_t helpers (the bitmap is one word, see mm_types.h). */
static __always_inline vma_flags_t __vma_flags_from_bits(const vma_flag_t *bits,
							 size_t nr)
{
	vma_flags_t flags = EMPTY_VMA_FLAGS;

	while (nr--)
		flags.__vma_flags[0] |= BIT((__force int)bits[nr]);
	return flags;
}

#define mk_vma_flags(...)						\
	__vma_flags_from_bits((const vma_flag_t[]){ __VA_ARGS__ },	\
		sizeof((const vma_flag_t[]){ __VA_ARGS__ }) / sizeof(vma_flag_t))

static inline vma_flags_t legacy_to_vma_flags(vm_flags_t vm_flags)
{
	return (vma_flags_t){ { vm_flags } };
}

static inline vm_flags_t vma_flags_to_legacy(vma_flags_t flags)
{
	return flags.__vma_flags[0];
}

#define VMA_SPECIAL_FLAGS	mk_vma_flags(VMA_IO_BIT, VMA_DONTEXPAND_BIT, \
					     VMA_PFNMAP_BIT, VMA_MIXEDMAP_BIT)
#define VMA_REMAP_FLAGS		mk_vma_flags(VMA_IO_BIT, VMA_PFNMAP_BIT, \
					     VMA_DONTEXPAND_BIT, VMA_DONTDUMP_BIT)

static __always_inline bool vma_flags_empty(const vma_flags_t *flags)
{
	return !flags->__vma_flags[0];
}

static __always_inline bool vma_flags_test(const vma_flags_t *flags,
					   vma_flag_t bit)
{
	return flags->__vma_flags[0] & BIT((__force int)bit);
}

static __always_inline bool vma_flags_test_any_mask(const vma_flags_t *flags,
						    vma_flags_t mask)
{
	return flags->__vma_flags[0] & mask.__vma_flags[0];
}

static __always_inline bool vma_flags_test_all_mask(const vma_flags_t *flags,
						    vma_flags_t mask)
{
	return (flags->__vma_flags[0] & mask.__vma_flags[0]) ==
		mask.__vma_flags[0];
}

static __always_inline void vma_flags_set_mask(vma_flags_t *flags,
					       vma_flags_t mask)
{
	flags->__vma_flags[0] |= mask.__vma_flags[0];
}

static __always_inline void vma_flags_clear_mask(vma_flags_t *flags,
						 vma_flags_t mask)
{
	flags->__vma_flags[0] &= ~mask.__vma_flags[0];
}

#define vma_flags_test_any(flags, ...) \
	vma_flags_test_any_mask(flags, mk_vma_flags(__VA_ARGS__))
#define vma_flags_test_all(flags, ...) \
	vma_flags_test_all_mask(flags, mk_vma_flags(__VA_ARGS__))
#define vma_flags_set(flags, ...) \
	vma_flags_set_mask(flags, mk_vma_flags(__VA_ARGS__))
#define vma_flags_clear(flags, ...) \
	vma_flags_clear_mask(flags, mk_vma_flags(__VA_ARGS__))

/* The same on a VMA ... */
static __always_inline bool vma_test(const struct vm_area_struct *vma,
				     vma_flag_t bit)
{
	return vma_flags_test(&vma->flags, bit);
}

static __always_inline bool vma_test_any_mask(const struct vm_area_struct *vma,
					      vma_flags_t mask)
{
	return vma_flags_test_any_mask(&vma->flags, mask);
}

static __always_inline bool vma_test_all_mask(const struct vm_area_struct *vma,
					      vma_flags_t mask)
{
	return vma_flags_test_all_mask(&vma->flags, mask);
}

static __always_inline void vma_set_flags_mask(struct vm_area_struct *vma,
					       vma_flags_t mask)
{
	vma_flags_set_mask(&vma->flags, mask);
}

static __always_inline void vma_clear_flags_mask(struct vm_area_struct *vma,
						 vma_flags_t mask)
{
	vma_flags_clear_mask(&vma->flags, mask);
}

#define vma_test_any(vma, ...)	vma_test_any_mask(vma, mk_vma_flags(__VA_ARGS__))
#define vma_test_all(vma, ...)	vma_test_all_mask(vma, mk_vma_flags(__VA_ARGS__))
#define vma_set_flags(vma, ...)	vma_set_flags_mask(vma, mk_vma_flags(__VA_ARGS__))
#define vma_clear_flags(vma, ...) \
	vma_clear_flags_mask(vma, mk_vma_flags(__VA_ARGS__))

/* ... and on a VMA descriptor, which is what .mmap_prepare hooks use. */
static __always_inline bool vma_desc_test(const struct vm_area_desc *desc,
					  vma_flag_t bit)
{
	return vma_flags_test(&desc->vma_flags, bit);
}

static __always_inline bool vma_desc_test_any_mask(const struct vm_area_desc *desc,
						   vma_flags_t mask)
{
	return vma_flags_test_any_mask(&desc->vma_flags, mask);
}

static __always_inline bool vma_desc_test_all_mask(const struct vm_area_desc *desc,
						   vma_flags_t mask)
{
	return vma_flags_test_all_mask(&desc->vma_flags, mask);
}

static __always_inline void vma_desc_set_flags_mask(struct vm_area_desc *desc,
						    vma_flags_t mask)
{
	vma_flags_set_mask(&desc->vma_flags, mask);
}

static __always_inline void vma_desc_clear_flags_mask(struct vm_area_desc *desc,
						      vma_flags_t mask)
{
	vma_flags_clear_mask(&desc->vma_flags, mask);
}

#define vma_desc_test_any(desc, ...) \
	vma_desc_test_any_mask(desc, mk_vma_flags(__VA_ARGS__))
#define vma_desc_test_all(desc, ...) \
	vma_desc_test_all_mask(desc, mk_vma_flags(__VA_ARGS__))
#define vma_desc_set_flags(desc, ...) \
	vma_desc_set_flags_mask(desc, mk_vma_flags(__VA_ARGS__))
#define vma_desc_clear_flags(desc, ...) \
	vma_desc_clear_flags_mask(desc, mk_vma_flags(__VA_ARGS__))

/* Legacy word-sized accessors, what an .mmap hook uses on the VMA. */
static inline void vm_flags_init(struct vm_area_struct *vma, vm_flags_t flags)
{
	vma->flags = legacy_to_vma_flags(flags);
}

static inline void vm_flags_reset(struct vm_area_struct *vma, vm_flags_t flags)
{
	vm_flags_init(vma, flags);
}

static inline void vm_flags_set(struct vm_area_struct *vma, vm_flags_t flags)
{
	vma->flags.__vma_flags[0] |= flags;
}

static inline void vm_flags_clear(struct vm_area_struct *vma, vm_flags_t flags)
{
	vma->flags.__vma_flags[0] &= ~flags;
}

static inline void vm_flags_mod(struct vm_area_struct *vma, vm_flags_t set,
				vm_flags_t clear)
{
	vm_flags_init(vma, (vma->vm_flags | set) & ~clear);
}

static inline bool is_cow_mapping(vm_flags_t flags)
{
	return (flags & (VM_SHARED | VM_MAYWRITE)) == VM_MAYWRITE;
}

static inline bool vma_desc_is_cow_mapping(struct vm_area_desc *desc)
{
	return is_cow_mapping(vma_flags_to_legacy(desc->vma_flags));
}

enum fault_flag {
	FAULT_FLAG_WRITE	= 1 << 0,
	FAULT_FLAG_USER		= 1 << 6,
};

struct vm_fault {
	const struct {
		struct vm_area_struct *vma;
		gfp_t gfp_mask;
		pgoff_t pgoff;
		unsigned long address;
		unsigned long real_address;
	};
	enum fault_flag flags;
	struct page *page;
};

struct vm_operations_struct {
	void (*open)(struct vm_area_struct *vma);
	void (*close)(struct vm_area_struct *vma);
	int (*mapped)(unsigned long start, unsigned long end, pgoff_t pgoff,
		      const struct file *file, void **vm_private_data);
	int (*may_split)(struct vm_area_struct *vma, unsigned long addr);
	int (*mremap)(struct vm_area_struct *vma);
	int (*mprotect)(struct vm_area_struct *vma, unsigned long start,
			unsigned long end, unsigned long newflags);
	vm_fault_t (*fault)(struct vm_fault *vmf);
	vm_fault_t (*page_mkwrite)(struct vm_fault *vmf);
	vm_fault_t (*pfn_mkwrite)(struct vm_fault *vmf);
	int (*access)(struct vm_area_struct *vma, unsigned long addr,
		      void *buf, int len, int write);
	const char *(*name)(struct vm_area_struct *vma);
};

extern const struct vm_operations_struct vma_dummy_vm_ops;

static inline void vma_set_anonymous(struct vm_area_struct *vma)
{
	vma->vm_ops = NULL;
}

static inline void vma_desc_set_anonymous(struct vm_area_desc *desc)
{
	desc->vm_ops = NULL;
}

static inline bool vma_is_anonymous(struct vm_area_struct *vma)
{
	return !vma->vm_ops;
}

static inline unsigned long vma_pages(const struct vm_area_struct *vma)
{
	return (vma->vm_end - vma->vm_start) >> PAGE_SHIFT;
}

static inline pgoff_t vma_start_pgoff(const struct vm_area_struct *vma)
{
	return vma->vm_pgoff;
}

static inline unsigned long vma_desc_size(const struct vm_area_desc *desc)
{
	return desc->end - desc->start;
}

static inline unsigned long vma_desc_pages(const struct vm_area_desc *desc)
{
	return vma_desc_size(desc) >> PAGE_SHIFT;
}

static inline bool range_in_vma(const struct vm_area_struct *vma,
				unsigned long start, unsigned long end)
{
	return vma && vma->vm_start <= start && end <= vma->vm_end;
}

static inline bool range_in_vma_desc(const struct vm_area_desc *desc,
				     unsigned long start, unsigned long end)
{
	return desc && desc->start <= start && end <= desc->end;
}

#define PAGE_ALIGN(addr)	ALIGN(addr, PAGE_SIZE)
#define PAGE_ALIGNED(addr)	IS_ALIGNED((unsigned long)(addr), PAGE_SIZE)
#define offset_in_page(p)	((unsigned long)(p) & ~PAGE_MASK)

/* mmap_prepare actions: record what to do; mm/util.c runs it later. */
static inline void mmap_action_remap(struct vm_area_desc *desc,
				     unsigned long start,
				     unsigned long start_pfn,
				     unsigned long size)
{
	struct mmap_action *action = &desc->action;

	WARN_ON_ONCE(start < desc->start || start >= desc->end);
	WARN_ON_ONCE(start + size > desc->end);

	action->type = MMAP_REMAP_PFN;
	action->remap.start = start;
	action->remap.start_pfn = start_pfn;
	action->remap.size = size;
	action->remap.pgprot = desc->page_prot;
}

static inline void mmap_action_remap_full(struct vm_area_desc *desc,
					  unsigned long start_pfn)
{
	mmap_action_remap(desc, desc->start, start_pfn, vma_desc_size(desc));
}

static inline void mmap_action_ioremap(struct vm_area_desc *desc,
				       unsigned long start,
				       unsigned long start_pfn,
				       unsigned long size)
{
	mmap_action_remap(desc, start, start_pfn, size);
	desc->action.type = MMAP_IO_REMAP_PFN;
}

static inline void mmap_action_ioremap_full(struct vm_area_desc *desc,
					    unsigned long start_pfn)
{
	mmap_action_ioremap(desc, desc->start, start_pfn, vma_desc_size(desc));
}

static inline void mmap_action_simple_ioremap(struct vm_area_desc *desc,
					      phys_addr_t start_phys_addr,
					      unsigned long size)
{
	desc->action.type = MMAP_SIMPLE_IO_REMAP;
	desc->action.simple_ioremap.start_phys_addr = start_phys_addr;
	desc->action.simple_ioremap.size = size;
}

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

static inline void mmap_action_map_kernel_pages_full(struct vm_area_desc *desc,
						     struct page **pages)
{
	mmap_action_map_kernel_pages(desc, desc->start, pages,
				     vma_desc_pages(desc));
}

int mmap_action_prepare(struct vm_area_desc *desc);
int mmap_action_complete(struct vm_area_struct *vma,
			 struct mmap_action *action, bool is_compat);

/* Pages: physical addresses are the test process's addresses (1:1). */
struct page *pfn_to_page(unsigned long pfn);
unsigned long page_to_pfn(const struct page *page);
void *page_address(const struct page *page);
struct page *virt_to_page(const void *addr);
struct page *vmalloc_to_page(const void *addr);
unsigned long vmalloc_to_pfn(const void *addr);

void __get_page(struct page *page, struct site site);
void __put_page(struct page *page, struct site site);
#define get_page(page)	__get_page(page, SITE_HERE)
#define put_page(page)	__put_page(page, SITE_HERE)
int page_count(const struct page *page);

pgprot_t vm_get_page_prot(vm_flags_t vm_flags);

int remap_pfn_range(struct vm_area_struct *vma, unsigned long addr,
		    unsigned long pfn, unsigned long size, pgprot_t prot);
int vm_insert_page(struct vm_area_struct *vma, unsigned long addr,
		   struct page *page);
int vm_insert_pages(struct vm_area_struct *vma, unsigned long addr,
		    struct page **pages, unsigned long *num);
vm_fault_t vmf_insert_pfn(struct vm_area_struct *vma, unsigned long addr,
			  unsigned long pfn);

static inline int io_remap_pfn_range(struct vm_area_struct *vma,
				     unsigned long addr, unsigned long pfn,
				     unsigned long size, pgprot_t prot)
{
	return remap_pfn_range(vma, addr, pfn, size, pgprot_decrypted(prot));
}

static inline vm_fault_t vmf_error(int err)
{
	return err == -ENOMEM ? VM_FAULT_OOM : VM_FAULT_SIGBUS;
}

struct vm_area_struct *find_vma(struct mm_struct *mm, unsigned long addr);
struct vm_area_struct *find_vma_intersection(struct mm_struct *mm,
					     unsigned long start_addr,
					     unsigned long end_addr);
void vma_set_file(struct vm_area_struct *vma, struct file *file);

#endif
