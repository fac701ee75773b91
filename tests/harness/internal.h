/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Declarations shared by the model's files. Each file models one upstream
 * file (vma.c: mm/vma.c, util.c: mm/util.c, ...), with functions named and
 * ordered as there.
 */
#ifndef _HARNESS_INTERNAL_H
#define _HARNESS_INTERNAL_H

#include <linux/mm.h>
#include <linux/file.h>
#include <linux/miscdevice.h>
#include <harness/fault-inject.h>
#include <harness/track.h>
#include <harness/user.h>

/* page_alloc.c: every allocation is a block of whole pages. */
enum mem_kind {
	MEM_KMALLOC,
	MEM_VMALLOC,
	MEM_PAGES,
	MEM_ANON,
	NR_MEM_KINDS
};

struct mem_block {
	struct list_head node;
	enum mem_kind kind;
	void *addr;
	size_t size;
	unsigned int index;	/* n-th block of its kind since the reset */
	struct site site;
	bool freed;		/* the owner let go; pages may still be mapped */
	struct site free_site;
	struct page *pages;
	unsigned long nr_pages;
};

struct mem_block *mem_block_alloc(enum mem_kind kind, size_t size, gfp_t gfp,
				  struct site site);
void mem_block_free(struct mem_block *block, struct site site);
struct mem_block *mem_block_find(const void *addr);
struct mem_block *mem_block_find_owned(enum mem_kind kind, const void *addr,
				       const char *what, struct site site);
const char *mem_kind_name(enum mem_kind kind);
struct page *page_lookup(unsigned long pfn);
bool page_known(const struct page *page);
const char *pfn_name(unsigned long pfn);
void *pfn_memory(unsigned long pfn, const char *access);
void mem_check(void);
void mem_reset(void);

/* locking.c, refcount.c */
void locks_check_return(const char *syscall);
void locks_check(void);
void locks_reset(void);
void locks_forget_range(const void *start, size_t size, struct site site);
void refcount_check(void);
void refcount_reset(void);
void refcount_forget_range(const void *start, size_t size, struct site site);

/* file.c: files, misc devices and modules. */
struct file *file_open(struct miscdevice *misc, int flags);
struct file *file_alloc_pseudo(const char *name,
			       const struct file_operations *fops, int flags,
			       void *private_data, size_t inode_size);
void files_check(void);
void files_reset(void);
struct miscdevice *misc_find(const char *name);
void modules_check(void);
void modules_reset(void);

/* memory.c: page tables, faults, PFN and page insertion. */
void zap_page_range(struct mm_struct *mm, unsigned long start,
		    unsigned long end);
void copy_page_range(struct vm_area_struct *dst, struct vm_area_struct *src);
void move_page_tables(struct vm_area_struct *vma, unsigned long old_addr,
		      struct vm_area_struct *new_vma, unsigned long new_addr,
		      unsigned long len);
void free_page_table(struct mm_struct *mm);
vm_fault_t handle_mm_fault(struct vm_area_struct *vma, unsigned long addr,
			   bool write);
void vma_set_page_prot(struct vm_area_struct *vma);
int remap_pfn_range_prepare(struct vm_area_desc *desc);
int remap_pfn_range_complete(struct vm_area_struct *vma,
			     struct mmap_action *action);
int io_remap_pfn_range_prepare(struct vm_area_desc *desc);
int simple_ioremap_prepare(struct vm_area_desc *desc);
int map_kernel_pages_prepare(struct vm_area_desc *desc);
int map_kernel_pages_complete(struct vm_area_struct *vma,
			      struct mmap_action *action);

/* vma.c */
int vma_iter_prealloc(void);
struct vm_area_struct *vm_area_alloc(struct mm_struct *mm);
struct vm_area_struct *vm_area_dup(struct vm_area_struct *vma);
void vm_area_free(struct vm_area_struct *vma);
void vma_link(struct mm_struct *mm, struct vm_area_struct *vma);
void vma_unlink(struct vm_area_struct *vma);
void remove_vma(struct vm_area_struct *vma);
int do_munmap(struct mm_struct *mm, unsigned long start, size_t len);
unsigned long mmap_region(struct file *file, unsigned long addr,
			  unsigned long len, vm_flags_t vm_flags,
			  unsigned long pgoff);
struct vm_area_struct *vma_merge_extend(struct vm_area_struct *vma,
					unsigned long delta);
struct vm_area_struct *copy_vma(struct vm_area_struct *vma, unsigned long addr,
				unsigned long len, pgoff_t pgoff);
void mm_reset(void);
void mm_check(void);

/* mmap.c, mremap.c */
unsigned long get_unmapped_area(struct mm_struct *mm, unsigned long hint,
				unsigned long len);
unsigned long do_mmap(struct mm_struct *mm, struct file *file,
		      unsigned long addr, unsigned long len, unsigned long prot,
		      unsigned long flags, unsigned long pgoff);
struct mm_struct *dup_mm(struct mm_struct *oldmm);
unsigned long do_mremap(struct mm_struct *mm, unsigned long addr,
			unsigned long old_len, unsigned long new_len,
			unsigned long flags, unsigned long new_addr);

/* The mm a driver callback runs in (what current->mm would be). */
extern struct mm_struct *current_mm;

#endif
