/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What a test does as "userspace": load modules, open device nodes, call
 * mmap/munmap/mremap/fork, touch mapped memory, and look at the resulting
 * VMAs and page tables. Each call returns like the system call would
 * (mmap: address or -errno as unsigned long).
 */
#ifndef _HARNESS_USER_H
#define _HARNESS_USER_H

#include <linux/mm.h>
#include <linux/fs.h>
#include <linux/mman.h>
#include <linux/fcntl.h>

int module_load(const char *name);
int module_unload(const char *name);

struct mm_struct *mm_alloc(void);
void mmput(struct mm_struct *mm);

struct file *user_open(const char *path, int flags);
void user_close(struct file *file);
long user_ioctl(struct file *file, unsigned int cmd, unsigned long arg);

unsigned long user_mmap(struct mm_struct *mm, unsigned long addr,
			unsigned long len, unsigned long prot,
			unsigned long flags, struct file *file,
			unsigned long pgoff);
int user_munmap(struct mm_struct *mm, unsigned long addr, unsigned long len);
unsigned long user_mremap(struct mm_struct *mm, unsigned long addr,
			  unsigned long old_len, unsigned long new_len,
			  unsigned long flags, unsigned long new_addr);
struct mm_struct *user_fork(struct mm_struct *mm);

/* 0, -EFAULT (SIGSEGV) or -EIO (SIGBUS). */
int user_read(struct mm_struct *mm, unsigned long addr, void *buf, size_t len);
int user_write(struct mm_struct *mm, unsigned long addr, const void *buf,
	       size_t len);

struct pte_info {
	unsigned long pfn;
	struct page *page;	/* NULL for a raw PFN mapping */
	pgprot_t prot;
};

bool pte_lookup(struct mm_struct *mm, unsigned long addr, struct pte_info *pte);
size_t mm_nr_ptes(struct mm_struct *mm);
/* The VMAs and page table entries of @mm as text, PFNs named by allocation. */
char *mm_layout(struct mm_struct *mm);

#endif
