/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shim of include/linux/miscdevice.h, CUSTOMISED: the harness keeps the
 * registered devices.
 */
/* Shim: misc devices; the harness keeps the registered ones by name. */
#ifndef _SHIM_LINUX_MISCDEVICE_H
#define _SHIM_LINUX_MISCDEVICE_H

#include <linux/types.h>
#include <linux/list.h>
#include <linux/module.h>
#include <linux/fs.h>

struct device;
struct attribute_group;

#define MISC_DYNAMIC_MINOR	255

struct miscdevice {
	int minor;
	const char *name;
	const struct file_operations *fops;
	struct list_head list;
	struct device *parent;
	struct device *this_device;
	const struct attribute_group **groups;
	const char *nodename;
	umode_t mode;
};

int misc_register(struct miscdevice *misc);
void misc_deregister(struct miscdevice *misc);

#define module_misc_device(misc)	module_driver(misc, misc_register, misc_deregister)

#endif
