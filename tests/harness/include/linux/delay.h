/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shim of include/linux/delay.h, STUBBED: no clock; only the context is
 * checked.
 */
/* Shim: the model has no clock; sleeping delays only check the context. */
#ifndef _SHIM_LINUX_DELAY_H
#define _SHIM_LINUX_DELAY_H

#include <linux/kernel.h>

#define udelay(usecs)			((void)(usecs))
#define mdelay(msecs)			((void)(msecs))
#define msleep(msecs)			((void)(msecs), might_sleep())
#define ssleep(secs)			((void)(secs), might_sleep())
#define usleep_range(min, max)		((void)(min), (void)(max), might_sleep())

#endif
