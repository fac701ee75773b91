/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shim of include/linux/module.h, CUSTOMISED: module_init()/module_exit()
 * register with the harness.
 */
/*
 * Shim: module_init()/module_exit() register the functions with the harness
 * under KBUILD_MODNAME (set per driver by the Makefile), so a test loads and
 * unloads the driver by name, as insmod/rmmod would.
 */
#ifndef _SHIM_LINUX_MODULE_H
#define _SHIM_LINUX_MODULE_H

#include <linux/init.h>
#include <linux/kernel.h>

struct module;
#define THIS_MODULE	((struct module *)0)

void module_register_init(const char *name, initcall_t fn);
void module_register_exit(const char *name, exitcall_t fn);

#define module_init(fn)							\
	static void __attribute__((constructor)) __module_init_ctor(void) \
	{								\
		module_register_init(KBUILD_MODNAME, fn);		\
	}
#define module_exit(fn)							\
	static void __attribute__((constructor)) __module_exit_ctor(void) \
	{								\
		module_register_exit(KBUILD_MODNAME, fn);		\
	}

/* module_driver() as upstream: register on load, unregister on unload. */
#define module_driver(drv, reg, unreg)					\
	static int __init drv##_init(void)				\
	{								\
		return reg(&(drv));					\
	}								\
	module_init(drv##_init);					\
	static void __exit drv##_exit(void)				\
	{								\
		unreg(&(drv));						\
	}								\
	module_exit(drv##_exit)

#define MODULE_LICENSE(s)		_Static_assert(sizeof(s), "license")
#define MODULE_AUTHOR(s)		_Static_assert(sizeof(s), "author")
#define MODULE_DESCRIPTION(s)		_Static_assert(sizeof(s), "description")
#define MODULE_VERSION(s)		_Static_assert(sizeof(s), "version")
#define MODULE_ALIAS(s)			_Static_assert(sizeof(s), "alias")
#define MODULE_PARM_DESC(p, s)		_Static_assert(sizeof(s), "parm")
#define module_param(name, type, perm)	_Static_assert(sizeof(name), "param")
#define EXPORT_SYMBOL(sym)		_Static_assert(sizeof(&sym), "export")
#define EXPORT_SYMBOL_GPL(sym)		EXPORT_SYMBOL(sym)

#endif
