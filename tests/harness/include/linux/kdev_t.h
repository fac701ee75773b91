/* SPDX-License-Identifier: GPL-2.0 */
/* Shim of include/linux/kdev_t.h, DUPLICATED. */
#ifndef _SHIM_LINUX_KDEV_T_H
#define _SHIM_LINUX_KDEV_T_H

#include <linux/types.h>

#define MINORBITS	20
#define MINORMASK	((1U << MINORBITS) - 1)
#define MAJOR(dev)	((unsigned int)((dev) >> MINORBITS))
#define MINOR(dev)	((unsigned int)((dev) & MINORMASK))
#define MKDEV(ma, mi)	(((ma) << MINORBITS) | (mi))

#endif
