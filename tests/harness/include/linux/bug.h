/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shim of include/asm-generic/bug.h, CUSTOMISED: a WARN is a report, a BUG
 * aborts.
 */
/*
 * Shim: a WARN is recorded as a report (a scenario that ends with one fails
 * unless the test claimed it); a BUG aborts the test binary.
 */
#ifndef _SHIM_LINUX_BUG_H
#define _SHIM_LINUX_BUG_H

#include <linux/compiler.h>
#include <harness/site.h>

void __warn(struct site site, const char *cond);
void __noreturn __bug(struct site site, const char *cond);

#define __WARN_IF(cond, text) ({					\
	bool __c = !!(cond);						\
	if (unlikely(__c))						\
		__warn(SITE_HERE, text);				\
	__c;								\
})
#define WARN(cond, ...)		__WARN_IF(cond, #cond)
#define WARN_ON(cond)		__WARN_IF(cond, #cond)
#define WARN_ONCE(cond, ...)	__WARN_IF(cond, #cond)
#define WARN_ON_ONCE(cond)	__WARN_IF(cond, #cond)
#define VM_WARN_ON(cond)	((void)__WARN_IF(cond, #cond))
#define VM_WARN_ON_ONCE(cond)	((void)__WARN_IF(cond, #cond))

#define BUG()			__bug(SITE_HERE, "BUG()")
#define BUG_ON(cond)		do { if (unlikely(cond)) __bug(SITE_HERE, #cond); } while (0)
#define VM_BUG_ON(cond)		BUG_ON(cond)

#define BUILD_BUG_ON(cond)	_Static_assert(!(cond), #cond)

#endif
