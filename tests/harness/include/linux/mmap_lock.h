/* SPDX-License-Identifier: GPL-2.0 */
/* Shim of include/linux/mmap_lock.h, STUBBED: the lock is implied. */
/* Shim: the model runs every mm operation with the mmap lock implied. */
#ifndef _SHIM_LINUX_MMAP_LOCK_H
#define _SHIM_LINUX_MMAP_LOCK_H

struct mm_struct;

static inline void mmap_assert_locked(const struct mm_struct *mm) { (void)mm; }
static inline void mmap_assert_write_locked(const struct mm_struct *mm) { (void)mm; }

#endif
