// SPDX-License-Identifier: GPL-2.0
/*
 * API-conformance probe: compile-time checks of the names, types and
 * signatures the examples rely on. It is built twice, against the harness's
 * shim headers and, as an out-of-tree module, against the real kernel's; a
 * shim that drifts from upstream breaks one of the two builds. Nothing here
 * runs.
 */
#include <linux/anon_inodes.h>
#include <linux/atomic.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/gfp.h>
#include <linux/io.h>
#include <linux/kref.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/refcount.h>
#include <linux/shmem_fs.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#define SAME_TYPE(expr, type) \
	_Static_assert(__builtin_types_compatible_p(typeof(expr), type), \
		       #expr " has type " #type)
#define MEMBER(s, m, type)	SAME_TYPE(((struct s *)0)->m, type)
#define VALUE(expr, val)	_Static_assert((expr) == (val), #expr " == " #val)

/* struct file_operations: the two mmap hooks and what the examples set. */
MEMBER(file_operations, owner, struct module *);
MEMBER(file_operations, mmap, int (*)(struct file *, struct vm_area_struct *));
MEMBER(file_operations, mmap_prepare, int (*)(struct vm_area_desc *));
MEMBER(file_operations, open, int (*)(struct inode *, struct file *));
MEMBER(file_operations, release, int (*)(struct inode *, struct file *));
MEMBER(file_operations, unlocked_ioctl,
       long (*)(struct file *, unsigned int, unsigned long));
MEMBER(file, private_data, void *);
MEMBER(file, f_op, const struct file_operations *);

/* struct vm_area_desc (7.2/7.3: mm and file are no longer const). */
MEMBER(vm_area_desc, mm, struct mm_struct *);
MEMBER(vm_area_desc, file, struct file *);
MEMBER(vm_area_desc, start, unsigned long);
MEMBER(vm_area_desc, end, unsigned long);
MEMBER(vm_area_desc, pgoff, pgoff_t);
MEMBER(vm_area_desc, vm_file, struct file *);
MEMBER(vm_area_desc, vma_flags, vma_flags_t);
MEMBER(vm_area_desc, page_prot, pgprot_t);
MEMBER(vm_area_desc, vm_ops, const struct vm_operations_struct *);
MEMBER(vm_area_desc, private_data, void *);
MEMBER(vm_area_desc, action, struct mmap_action);

/* struct mmap_action: 5 types, the remap/map_kernel payloads, the override. */
MEMBER(mmap_action, type, enum mmap_action_type);
MEMBER(mmap_action, error_override, int);
MEMBER(mmap_action, remap.start, unsigned long);
MEMBER(mmap_action, remap.start_pfn, unsigned long);
MEMBER(mmap_action, remap.size, unsigned long);
MEMBER(mmap_action, remap.pgprot, pgprot_t);
MEMBER(mmap_action, simple_ioremap.start_phys_addr, phys_addr_t);
MEMBER(mmap_action, simple_ioremap.size, unsigned long);
MEMBER(mmap_action, map_kernel.start, unsigned long);
MEMBER(mmap_action, map_kernel.pages, struct page **);
MEMBER(mmap_action, map_kernel.nr_pages, unsigned long);
MEMBER(mmap_action, map_kernel.pgoff, pgoff_t);
VALUE(MMAP_NOTHING, 0);
VALUE(MMAP_REMAP_PFN, 1);
VALUE(MMAP_IO_REMAP_PFN, 2);
VALUE(MMAP_SIMPLE_IO_REMAP, 3);
VALUE(MMAP_MAP_KERNEL_PAGES, 4);

/* struct vm_operations_struct: the hooks a converted driver uses. */
MEMBER(vm_operations_struct, open, void (*)(struct vm_area_struct *));
MEMBER(vm_operations_struct, close, void (*)(struct vm_area_struct *));
MEMBER(vm_operations_struct, mapped,
       int (*)(unsigned long, unsigned long, pgoff_t, const struct file *,
	       void **));
MEMBER(vm_operations_struct, may_split,
       int (*)(struct vm_area_struct *, unsigned long));
MEMBER(vm_operations_struct, mremap, int (*)(struct vm_area_struct *));
MEMBER(vm_operations_struct, fault, vm_fault_t (*)(struct vm_fault *));
MEMBER(vm_fault, vma, struct vm_area_struct *);
MEMBER(vm_fault, pgoff, pgoff_t);
MEMBER(vm_fault, address, unsigned long);
MEMBER(vm_fault, page, struct page *);
VALUE(VM_FAULT_OOM, 0x1);
VALUE(VM_FAULT_SIGBUS, 0x2);
VALUE(VM_FAULT_NOPAGE, 0x100);
VALUE(VM_FAULT_LOCKED, 0x200);

/* struct vm_area_struct: what a legacy .mmap touches. */
MEMBER(vm_area_struct, vm_start, unsigned long);
MEMBER(vm_area_struct, vm_end, unsigned long);
MEMBER(vm_area_struct, vm_mm, struct mm_struct *);
MEMBER(vm_area_struct, vm_page_prot, pgprot_t);
MEMBER(vm_area_struct, vm_flags, vm_flags_t);
MEMBER(vm_area_struct, flags, vma_flags_t);
MEMBER(vm_area_struct, vm_ops, const struct vm_operations_struct *);
MEMBER(vm_area_struct, vm_pgoff, unsigned long);
MEMBER(vm_area_struct, vm_file, struct file *);
MEMBER(vm_area_struct, vm_private_data, void *);

/* Flag bit numbers and the legacy masks built from them. */
VALUE(VMA_READ_BIT, 0);
VALUE(VMA_WRITE_BIT, 1);
VALUE(VMA_EXEC_BIT, 2);
VALUE(VMA_SHARED_BIT, 3);
VALUE(VMA_MAYREAD_BIT, 4);
VALUE(VMA_MAYWRITE_BIT, 5);
VALUE(VMA_MAYEXEC_BIT, 6);
VALUE(VMA_MAYSHARE_BIT, 7);
VALUE(VMA_PFNMAP_BIT, 10);
VALUE(VMA_MAYBE_GUARD_BIT, 11);
VALUE(VMA_UFFD_WP_BIT, 12);
VALUE(VMA_LOCKED_BIT, 13);
VALUE(VMA_IO_BIT, 14);
VALUE(VMA_DONTCOPY_BIT, 17);
VALUE(VMA_DONTEXPAND_BIT, 18);
VALUE(VMA_ACCOUNT_BIT, 20);
VALUE(VMA_NORESERVE_BIT, 21);
VALUE(VMA_DONTDUMP_BIT, 26);
VALUE(VMA_SOFTDIRTY_BIT, 27);
VALUE(VMA_MIXEDMAP_BIT, 28);
VALUE(VM_READ, 0x1UL);
VALUE(VM_WRITE, 0x2UL);
VALUE(VM_EXEC, 0x4UL);
VALUE(VM_SHARED, 0x8UL);
VALUE(VM_MAYWRITE, 0x20UL);
VALUE(VM_MAYEXEC, 0x40UL);
VALUE(VM_MAYSHARE, 0x80UL);
VALUE(VM_PFNMAP, 0x400UL);
VALUE(VM_IO, 0x4000UL);
VALUE(VM_DONTEXPAND, 0x40000UL);
VALUE(VM_DONTDUMP, 0x4000000UL);
VALUE(VM_MIXEDMAP, 0x10000000UL);
VALUE(NUM_VMA_FLAG_BITS, BITS_PER_LONG);

/* Functions, exported or inline, by their address. */
SAME_TYPE(&mmap_action_prepare, int (*)(struct vm_area_desc *));
SAME_TYPE(&mmap_action_complete,
	  int (*)(struct vm_area_struct *, struct mmap_action *, bool));
SAME_TYPE(&compat_vma_mmap, int (*)(struct file *, struct vm_area_struct *));
SAME_TYPE(&__compat_vma_mmap,
	  int (*)(struct vm_area_desc *, struct vm_area_struct *));
SAME_TYPE(&compat_set_desc_from_vma,
	  void (*)(struct vm_area_desc *, const struct file *,
		   const struct vm_area_struct *));
SAME_TYPE(&vfs_mmap, int (*)(struct file *, struct vm_area_struct *));
SAME_TYPE(&vfs_mmap_prepare, int (*)(struct file *, struct vm_area_desc *));
SAME_TYPE(&mmap_action_remap,
	  void (*)(struct vm_area_desc *, unsigned long, unsigned long,
		   unsigned long));
SAME_TYPE(&mmap_action_remap_full, void (*)(struct vm_area_desc *, unsigned long));
SAME_TYPE(&mmap_action_ioremap,
	  void (*)(struct vm_area_desc *, unsigned long, unsigned long,
		   unsigned long));
SAME_TYPE(&mmap_action_ioremap_full,
	  void (*)(struct vm_area_desc *, unsigned long));
SAME_TYPE(&mmap_action_simple_ioremap,
	  void (*)(struct vm_area_desc *, phys_addr_t, unsigned long));
SAME_TYPE(&mmap_action_map_kernel_pages,
	  void (*)(struct vm_area_desc *, unsigned long, struct page **,
		   unsigned long));
SAME_TYPE(&mmap_action_map_kernel_pages_full,
	  void (*)(struct vm_area_desc *, struct page **));
SAME_TYPE(&vma_desc_size, unsigned long (*)(const struct vm_area_desc *));
SAME_TYPE(&vma_desc_pages, unsigned long (*)(const struct vm_area_desc *));
SAME_TYPE(&vma_desc_test, bool (*)(const struct vm_area_desc *, vma_flag_t));
SAME_TYPE(&vma_desc_set_anonymous, void (*)(struct vm_area_desc *));
SAME_TYPE(&vma_desc_is_cow_mapping, bool (*)(struct vm_area_desc *));
SAME_TYPE(&range_in_vma_desc,
	  bool (*)(const struct vm_area_desc *, unsigned long, unsigned long));
SAME_TYPE(&vma_pages, unsigned long (*)(const struct vm_area_struct *));
SAME_TYPE(&vm_flags_set, void (*)(struct vm_area_struct *, vm_flags_t));
SAME_TYPE(&vm_flags_clear, void (*)(struct vm_area_struct *, vm_flags_t));
SAME_TYPE(&vm_flags_mod,
	  void (*)(struct vm_area_struct *, vm_flags_t, vm_flags_t));
SAME_TYPE(&vma_set_file, void (*)(struct vm_area_struct *, struct file *));
SAME_TYPE(&shmem_file_setup, struct file *(*)(const char *, loff_t, vma_flags_t));
SAME_TYPE(&anon_inode_getfile,
	  struct file *(*)(const char *, const struct file_operations *,
			   void *, int));
SAME_TYPE(&vm_get_page_prot, pgprot_t (*)(vm_flags_t));
SAME_TYPE(&remap_pfn_range,
	  int (*)(struct vm_area_struct *, unsigned long, unsigned long,
		  unsigned long, pgprot_t));
SAME_TYPE(&vm_insert_page,
	  int (*)(struct vm_area_struct *, unsigned long, struct page *));
SAME_TYPE(&vm_insert_pages,
	  int (*)(struct vm_area_struct *, unsigned long, struct page **,
		  unsigned long *));
SAME_TYPE(&vmf_insert_pfn,
	  vm_fault_t (*)(struct vm_area_struct *, unsigned long, unsigned long));
SAME_TYPE(&vmalloc_to_page, struct page *(*)(const void *));
SAME_TYPE(&vmalloc_to_pfn, unsigned long (*)(const void *));
SAME_TYPE(&misc_register, int (*)(struct miscdevice *));
SAME_TYPE(&misc_deregister, void (*)(struct miscdevice *));
MEMBER(miscdevice, minor, int);
VALUE(MISC_DYNAMIC_MINOR, 255);
MEMBER(miscdevice, name, const char *);
MEMBER(miscdevice, fops, const struct file_operations *);

/*
 * Calls as a driver writes them: the shim turns several of these into
 * macros that record the call site, so their result types are checked.
 */
struct probe_obj {
	struct kref ref;
	refcount_t users;
	struct mutex lock;
};

/* The lock-abort examples count live mappings in a static atomic_t. */
static atomic_t __maybe_unused probe_live = ATOMIC_INIT(0);

static void __maybe_unused probe_release(struct kref *ref)
{
	(void)ref;
}

static void __maybe_unused probe_calls(void)
{
	struct vm_area_desc *desc = NULL;
	struct vm_area_struct *vma = NULL;
	struct probe_obj *obj = NULL;
	struct page *page = NULL;
	struct file *file = NULL;

	SAME_TYPE(vma_desc_test_any(desc, VMA_IO_BIT, VMA_PFNMAP_BIT), bool);
	SAME_TYPE(vma_desc_test_all(desc, VMA_IO_BIT, VMA_PFNMAP_BIT), bool);
	SAME_TYPE(vma_desc_set_flags(desc, VMA_IO_BIT, VMA_PFNMAP_BIT), void);
	SAME_TYPE(vma_desc_clear_flags(desc, VMA_MAYEXEC_BIT), void);
	SAME_TYPE(mk_vma_flags(VMA_IO_BIT, VMA_DONTDUMP_BIT), vma_flags_t);
	SAME_TYPE(vma_test(vma, VMA_SHARED_BIT), bool);
	SAME_TYPE(kmalloc(16, GFP_KERNEL), void *);
	SAME_TYPE(kzalloc(16, GFP_KERNEL), void *);
	SAME_TYPE(kzalloc_obj(*obj), struct probe_obj *);
	SAME_TYPE(kfree(obj), void);
	SAME_TYPE(vmalloc(PAGE_SIZE), void *);
	SAME_TYPE(vmalloc_user(PAGE_SIZE), void *);
	SAME_TYPE(vfree(obj), void);
	SAME_TYPE(alloc_pages(GFP_KERNEL, 2), struct page *);
	SAME_TYPE(__free_pages(page, 2), void);
	SAME_TYPE(get_order(PAGE_SIZE), int);
	SAME_TYPE(page_to_pfn(page), unsigned long);
	SAME_TYPE(page_address(page), void *);
	SAME_TYPE(virt_to_phys(obj), phys_addr_t);
	SAME_TYPE(get_page(page), void);
	SAME_TYPE(put_page(page), void);
	SAME_TYPE(get_file(file), struct file *);
	SAME_TYPE(fput(file), void);
	SAME_TYPE(__fput_sync(file), void);
	SAME_TYPE(file_count(file), unsigned long);
	SAME_TYPE(mutex_lock(&obj->lock), void);
	SAME_TYPE(mutex_lock_killable(&obj->lock), int);
	SAME_TYPE(mutex_unlock(&obj->lock), void);
	SAME_TYPE(kref_init(&obj->ref), void);
	SAME_TYPE(kref_get(&obj->ref), void);
	SAME_TYPE(kref_put(&obj->ref, probe_release), int);
	SAME_TYPE(refcount_read(&obj->users), unsigned int);
	SAME_TYPE(refcount_dec_and_test(&obj->users), bool);
	SAME_TYPE(atomic_read(&probe_live), int);
	SAME_TYPE(atomic_inc(&probe_live), void);
	SAME_TYPE(atomic_dec(&probe_live), void);
	SAME_TYPE(vm_flags_clear(vma, VM_MAYEXEC), void);
}

MODULE_DESCRIPTION("mmap_prepare kit: API-conformance probe (never loaded)");
MODULE_LICENSE("GPL");
