/* SPDX-License-Identifier: GPL-2.0 */
/* Shim of include/linux/stddef.h, DUPLICATED: sizeof_field(). */
#ifndef _SHIM_LINUX_STDDEF_H
#define _SHIM_LINUX_STDDEF_H

#include <stddef.h>

#define sizeof_field(type, member)	sizeof(((type *)0)->member)

#endif
