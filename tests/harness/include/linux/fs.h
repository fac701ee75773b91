/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shim of include/linux/fs.h, DUPLICATED: the member names and types a
 * driver uses, can_mmap_file(), vfs_mmap(), vfs_mmap_prepare();
 * CUSTOMISED: get_file() records its call site.
 */
/*
 * Shim: struct file, struct inode and struct file_operations as a character
 * driver sees them (include/linux/fs.h), and the mmap hook
 * dispatch helpers. The model's own bookkeeping is marked "model:".
 */
#ifndef _SHIM_LINUX_FS_H
#define _SHIM_LINUX_FS_H

#include <linux/types.h>
#include <linux/kdev_t.h>
#include <linux/fcntl.h>
#include <linux/bug.h>
#include <harness/site.h>

struct module;
struct vm_area_struct;
struct vm_area_desc;
struct poll_table_struct;
struct kiocb;
struct iov_iter;
struct file_ref_log;

typedef unsigned int __poll_t;

#define FMODE_READ	((__force fmode_t)(1 << 0))
#define FMODE_WRITE	((__force fmode_t)(1 << 1))

struct inode {
	umode_t i_mode;
	dev_t i_rdev;
	void *i_private;
};

struct file {
	const struct file_operations *f_op;
	struct inode *f_inode;
	fmode_t f_mode;
	unsigned int f_flags;
	loff_t f_pos;
	void *private_data;

	/* model: reference count and who took the references. */
	long f_count;
	const char *f_name;
	struct file_ref_log *f_refs;
};

struct file_operations {
	struct module *owner;
	loff_t (*llseek)(struct file *, loff_t, int);
	ssize_t (*read)(struct file *, char __user *, size_t, loff_t *);
	ssize_t (*write)(struct file *, const char __user *, size_t, loff_t *);
	ssize_t (*read_iter)(struct kiocb *, struct iov_iter *);
	ssize_t (*write_iter)(struct kiocb *, struct iov_iter *);
	__poll_t (*poll)(struct file *, struct poll_table_struct *);
	long (*unlocked_ioctl)(struct file *, unsigned int, unsigned long);
	long (*compat_ioctl)(struct file *, unsigned int, unsigned long);
	int (*mmap)(struct file *, struct vm_area_struct *);
	int (*open)(struct inode *, struct file *);
	int (*flush)(struct file *, fl_owner_t id);
	int (*release)(struct inode *, struct file *);
	int (*fsync)(struct file *, loff_t, loff_t, int datasync);
	unsigned long (*get_unmapped_area)(struct file *, unsigned long,
					   unsigned long, unsigned long,
					   unsigned long);
	int (*mmap_prepare)(struct vm_area_desc *);
#ifdef HARNESS_SEED
	/* Seed design (Sept 2025 v1, never merged). */
	int (*mmap_complete)(struct file *, struct vm_area_struct *,
			     const void *context);
	void (*mmap_abort)(const struct file *, const void *vm_private_data,
			   const void *context);
#endif
};

static inline struct inode *file_inode(const struct file *file)
{
	return file->f_inode;
}

static inline unsigned int iminor(const struct inode *inode)
{
	return MINOR(inode->i_rdev);
}

static inline unsigned int imajor(const struct inode *inode)
{
	return MAJOR(inode->i_rdev);
}

struct file *__get_file_at(struct file *file, struct site site);
#define get_file(file)	__get_file_at(file, SITE_HERE)
#define file_count(file)	((unsigned long)(file)->f_count)

/* An mmap-capable file has exactly one of the two hooks. */
/* Upstream: can_mmap_file() in include/linux/fs.h, DUPLICATED. */
static inline bool can_mmap_file(struct file *file)
{
	bool legacy = file->f_op->mmap;
	bool prepare = file->f_op->mmap_prepare;

	if (WARN_ON_ONCE(legacy && prepare))
		return false;
	return legacy || prepare;
}

void compat_set_desc_from_vma(struct vm_area_desc *desc, const struct file *file,
			      const struct vm_area_struct *vma);
int __compat_vma_mmap(struct vm_area_desc *desc, struct vm_area_struct *vma);
int compat_vma_mmap(struct file *file, struct vm_area_struct *vma);

/* What a stacking .mmap calls on the file beneath it. */
/* Upstream: vfs_mmap() in include/linux/fs.h, DUPLICATED. */
static inline int vfs_mmap(struct file *file, struct vm_area_struct *vma)
{
	if (file->f_op->mmap_prepare)
		return compat_vma_mmap(file, vma);
	return file->f_op->mmap(file, vma);
}

/* Upstream: vfs_mmap_prepare() in include/linux/fs.h, DUPLICATED. */
static inline int vfs_mmap_prepare(struct file *file, struct vm_area_desc *desc)
{
	return file->f_op->mmap_prepare(desc);
}

#endif
