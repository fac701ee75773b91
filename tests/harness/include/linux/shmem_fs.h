/* SPDX-License-Identifier: GPL-2.0 */
/* Shim of include/linux/shmem_fs.h, CUSTOMISED: the shmem file a driver creates for itself. */
#ifndef _SHIM_LINUX_SHMEM_FS_H
#define _SHIM_LINUX_SHMEM_FS_H

#include <linux/fs.h>
#include <linux/mm.h>

struct file *shmem_file_setup(const char *name, loff_t size,
			      vma_flags_t flags);

#endif
