/* SPDX-License-Identifier: GPL-2.0 */
/* Shim of include/linux/file.h, CUSTOMISED: fput() records its call site. */
#ifndef _SHIM_LINUX_FILE_H
#define _SHIM_LINUX_FILE_H

#include <linux/fs.h>

void __fput_at(struct file *file, struct site site);
#define fput(file)	__fput_at(file, SITE_HERE)
/* The model runs every final put at once, deferred or not. */
#define __fput_sync(file)	__fput_at(file, SITE_HERE)

#endif
