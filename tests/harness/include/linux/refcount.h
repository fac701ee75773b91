/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shim of include/linux/refcount.h, CUSTOMISED: saturation is a report,
 * every count records its site.
 */
/*
 * Shim: refcount_t with the kernel's saturation checks reported, and every
 * live count remembered with the site that set it, so a scenario that ends
 * with a reference outstanding names where the object was set up.
 */
#ifndef _SHIM_LINUX_REFCOUNT_H
#define _SHIM_LINUX_REFCOUNT_H

#include <linux/types.h>
#include <linux/atomic.h>
#include <harness/site.h>

typedef struct refcount_struct {
	atomic_t refs;
} refcount_t;

#define REFCOUNT_INIT(n)	{ .refs = { (n) } }

void __refcount_set_at(refcount_t *r, int n, struct site site);
void __refcount_inc_at(refcount_t *r, struct site site);
bool __refcount_inc_not_zero_at(refcount_t *r, struct site site);
bool __refcount_dec_and_test_at(refcount_t *r, struct site site);

static inline unsigned int refcount_read(const refcount_t *r)
{
	return r->refs.counter;
}

#define refcount_set(r, n)	__refcount_set_at(r, n, SITE_HERE)
#define refcount_inc(r)		__refcount_inc_at(r, SITE_HERE)
#define refcount_inc_not_zero(r) __refcount_inc_not_zero_at(r, SITE_HERE)
#define refcount_dec_and_test(r) __refcount_dec_and_test_at(r, SITE_HERE)
#define refcount_dec(r)		((void)__refcount_dec_and_test_at(r, SITE_HERE))

#endif
