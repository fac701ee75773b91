/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shim of include/linux/kref.h, CUSTOMISED: on the site-recording
 * refcount_t.
 */
#ifndef _SHIM_LINUX_KREF_H
#define _SHIM_LINUX_KREF_H

#include <linux/refcount.h>

struct kref {
	refcount_t refcount;
};

#define KREF_INIT(n)	{ .refcount = REFCOUNT_INIT(n) }

#define kref_init(k)	__refcount_set_at(&(k)->refcount, 1, SITE_HERE)
#define kref_get(k)	__refcount_inc_at(&(k)->refcount, SITE_HERE)
#define kref_get_unless_zero(k) \
	__refcount_inc_not_zero_at(&(k)->refcount, SITE_HERE)
#define kref_put(k, release)						\
	({								\
		struct kref *__k = (k);					\
		bool __last = __refcount_dec_and_test_at(&__k->refcount, \
							 SITE_HERE);	\
		if (__last)						\
			(release)(__k);					\
		(int)__last;						\
	})

static inline unsigned int kref_read(const struct kref *kref)
{
	return refcount_read(&kref->refcount);
}

#endif
