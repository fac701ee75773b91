/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shim of include/uapi/asm-generic/fcntl.h, DUPLICATED: the open flags in
 * use.
 */
#ifndef _SHIM_LINUX_FCNTL_H
#define _SHIM_LINUX_FCNTL_H

#define O_ACCMODE	00000003
#define O_RDONLY	00000000
#define O_WRONLY	00000001
#define O_RDWR		00000002
#define O_NONBLOCK	00004000

#endif
