/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shim of include/linux/init.h, STUBBED: section annotations expand to
 * nothing.
 */
#ifndef _SHIM_LINUX_INIT_H
#define _SHIM_LINUX_INIT_H

#include <linux/compiler.h>

#define __init
#define __exit
#define __initdata
#define __exitdata

typedef int (*initcall_t)(void);
typedef void (*exitcall_t)(void);

#endif
