/* SPDX-License-Identifier: GPL-2.0 */
/* Shim of include/linux/string.h, STUBBED: the C library's. */
#ifndef _SHIM_LINUX_STRING_H
#define _SHIM_LINUX_STRING_H

#include <string.h>

#endif
