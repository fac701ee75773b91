/* SPDX-License-Identifier: GPL-2.0 */
/* Shim of arch/x86/include/asm/io.h, DUPLICATED: includes linux/io.h. */
#include <linux/io.h>
