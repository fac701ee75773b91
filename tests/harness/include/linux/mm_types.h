/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shim of include/linux/mm_types.h, DUPLICATED: the members a driver sees;
 * CUSTOMISED: the model's own fields.
 */
/*
 * Shim: the mm types a driver sees (member names and types
 * as upstream, include/linux/mm_types.h), plus the few fields the model keeps
 * (marked "model:"). Upstream fields a driver never touches are left out.
 */
#ifndef _SHIM_LINUX_MM_TYPES_H
#define _SHIM_LINUX_MM_TYPES_H

#include <linux/types.h>
#include <linux/bits.h>
#include <asm/page.h>
#include <asm/pgtable_types.h>
#include <harness/site.h>

struct file;
struct anon_vma;
struct vm_operations_struct;
struct mem_block;
struct page_table;

/* model: one per page frame the model has seen; see page_alloc.c. */
struct page {
	unsigned long pfn;
	int refcount;
	struct mem_block *block;
	struct page *hash_next;
	struct site last_get;
};

typedef unsigned int __bitwise vm_fault_t;

enum vm_fault_reason {
	VM_FAULT_OOM		= (__force vm_fault_t)0x000001,
	VM_FAULT_SIGBUS		= (__force vm_fault_t)0x000002,
	VM_FAULT_MAJOR		= (__force vm_fault_t)0x000004,
	VM_FAULT_HWPOISON	= (__force vm_fault_t)0x000010,
	VM_FAULT_HWPOISON_LARGE	= (__force vm_fault_t)0x000020,
	VM_FAULT_SIGSEGV	= (__force vm_fault_t)0x000040,
	VM_FAULT_NOPAGE		= (__force vm_fault_t)0x000100,
	VM_FAULT_LOCKED		= (__force vm_fault_t)0x000200,
	VM_FAULT_RETRY		= (__force vm_fault_t)0x000400,
	VM_FAULT_FALLBACK	= (__force vm_fault_t)0x000800,
	VM_FAULT_DONE_COW	= (__force vm_fault_t)0x001000,
	VM_FAULT_NEEDDSYNC	= (__force vm_fault_t)0x002000,
	VM_FAULT_COMPLETED	= (__force vm_fault_t)0x004000,
	VM_FAULT_HINDEX_MASK	= (__force vm_fault_t)0x0f0000,
};

#define VM_FAULT_ERROR	(VM_FAULT_OOM | VM_FAULT_SIGBUS | VM_FAULT_SIGSEGV | \
			 VM_FAULT_HWPOISON | VM_FAULT_HWPOISON_LARGE |	    \
			 VM_FAULT_FALLBACK)

/* What an .mmap_prepare hook asks the core to do once the VMA exists. */
enum mmap_action_type {
	MMAP_NOTHING,
	MMAP_REMAP_PFN,
	MMAP_IO_REMAP_PFN,
	MMAP_SIMPLE_IO_REMAP,
	MMAP_MAP_KERNEL_PAGES,
};

struct mmap_action {
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
	enum mmap_action_type type;
	int error_override;
	bool hide_from_rmap_until_complete :1;
};

/* One bit per VMA flag; a single word on 64-bit, as upstream. */
#define NUM_VMA_FLAG_BITS	BITS_PER_LONG
typedef struct {
	unsigned long __vma_flags[NUM_VMA_FLAG_BITS / BITS_PER_LONG];
} vma_flags_t;

#define EMPTY_VMA_FLAGS	((vma_flags_t){ })

struct mm_struct {
	/* model: VMAs sorted by address, the page table, the layout. */
	struct list_head vmas;
	struct page_table *pgd;
	int map_count;
	unsigned long mmap_base;
};

struct vm_area_desc {
	/* Set by the core, read-only for the driver. */
	struct mm_struct *mm;
	struct file *file;
	unsigned long start;
	unsigned long end;

	/* Initialised by the core, the driver may change them. */
	pgoff_t pgoff;
	struct file *vm_file;
	vma_flags_t vma_flags;
	pgprot_t page_prot;

	/* Only written by the driver. */
	const struct vm_operations_struct *vm_ops;
	void *private_data;
#ifdef HARNESS_SEED
	/* Seed design (Sept 2025 v1): handed to mmap_complete/mmap_abort. */
	void *mmap_context;
#endif

	struct mmap_action action;
};

struct vm_area_struct {
	unsigned long vm_start;
	unsigned long vm_end;
	struct mm_struct *vm_mm;
	pgprot_t vm_page_prot;
	union {
		const vm_flags_t vm_flags;
		vma_flags_t flags;
	};
	struct anon_vma *anon_vma;
	const struct vm_operations_struct *vm_ops;
	unsigned long vm_pgoff;
	struct file *vm_file;
	void *vm_private_data;

	/* model: link in mm->vmas. */
	struct list_head vm_node;
};

#endif
