/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shim of include/uapi/asm-generic/errno*.h and include/linux/errno.h,
 * DUPLICATED: the numbers in use.
 */
/* Shim: the error numbers of asm-generic/errno-base.h and errno.h in use. */
#ifndef _SHIM_LINUX_ERRNO_H
#define _SHIM_LINUX_ERRNO_H

#define EPERM		1
#define ENOENT		2
#define EINTR		4
#define EIO		5
#define ENXIO		6
#define E2BIG		7
#define EBADF		9
#define EAGAIN		11
#define ENOMEM		12
#define EACCES		13
#define EFAULT		14
#define EBUSY		16
#define EEXIST		17
#define ENODEV		19
#define EINVAL		22
#define ENOSPC		28
#define ETXTBSY		26
#define ERANGE		34
#define ENOTTY		25
#define EOVERFLOW	75
#define EOPNOTSUPP	95
#define ERESTARTSYS	512

#endif
