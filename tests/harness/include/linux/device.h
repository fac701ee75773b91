/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shim of include/linux/dev_printk.h, STUBBED: dev_*() print through
 * pr_*().
 */
#ifndef _SHIM_LINUX_DEVICE_H
#define _SHIM_LINUX_DEVICE_H

#include <linux/kernel.h>

struct device;

#define dev_err(dev, fmt, ...)	((void)(dev), pr_err(fmt, ##__VA_ARGS__))
#define dev_warn(dev, fmt, ...)	((void)(dev), pr_warn(fmt, ##__VA_ARGS__))
#define dev_info(dev, fmt, ...)	((void)(dev), pr_info(fmt, ##__VA_ARGS__))
#define dev_dbg(dev, fmt, ...)	((void)(dev), pr_debug(fmt, ##__VA_ARGS__))

#endif
