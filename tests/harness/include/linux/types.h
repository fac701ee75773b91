/* SPDX-License-Identifier: GPL-2.0 */
/* Shim of include/linux/types.h, DUPLICATED: x86_64 sizes. */
/* Shim: basic kernel types (x86_64 sizes). */
#ifndef _SHIM_LINUX_TYPES_H
#define _SHIM_LINUX_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
/*
 * The harness's own files need libc, whose sys/types.h already defines
 * ssize_t, loff_t and dev_t (same sizes as the kernel's, other spellings):
 * take those rather than define conflicting ones.
 */
#include <sys/types.h>
#include <linux/compiler.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int8_t s8;
typedef int16_t s16;
typedef int32_t s32;
typedef int64_t s64;
typedef u8 __u8;
typedef u16 __u16;
typedef u32 __u32;
typedef u64 __u64;
typedef s32 __s32;
typedef s64 __s64;

typedef unsigned short umode_t;
typedef unsigned int fmode_t;
typedef unsigned int gfp_t;
typedef unsigned long pgoff_t;
typedef u64 phys_addr_t;
typedef unsigned long vm_flags_t;
typedef void *fl_owner_t;

typedef struct {
	int counter;
} atomic_t;

struct list_head {
	struct list_head *next, *prev;
};

#endif
