/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shim of include/linux/spinlock.h, CUSTOMISED: lockdep-like checks, no
 * spinning.
 */
/* Shim: spinlocks that remember who holds them; sleeping under one is reported. */
#ifndef _SHIM_LINUX_SPINLOCK_H
#define _SHIM_LINUX_SPINLOCK_H

#include <linux/types.h>
#include <harness/site.h>

typedef struct spinlock {
	const char *name;
	bool locked;
	struct site owner;
} spinlock_t;

#define __SPIN_LOCK_UNLOCKED(lockname)	{ .name = #lockname }
#define DEFINE_SPINLOCK(x)	spinlock_t x = __SPIN_LOCK_UNLOCKED(x)

void __spin_lock_init_at(spinlock_t *lock, const char *name);
void __spin_lock_at(spinlock_t *lock, struct site site);
void __spin_unlock_at(spinlock_t *lock, struct site site);

#define spin_lock_init(lock)	__spin_lock_init_at(lock, #lock)
#define spin_lock(lock)		__spin_lock_at(lock, SITE_HERE)
#define spin_unlock(lock)	__spin_unlock_at(lock, SITE_HERE)
#define spin_lock_irqsave(lock, flags) \
	do { (flags) = 0; __spin_lock_at(lock, SITE_HERE); } while (0)
#define spin_unlock_irqrestore(lock, flags) \
	do { (void)(flags); __spin_unlock_at(lock, SITE_HERE); } while (0)
#define spin_lock_irq(lock)	__spin_lock_at(lock, SITE_HERE)
#define spin_unlock_irq(lock)	__spin_unlock_at(lock, SITE_HERE)
#define assert_spin_locked(lock) \
	__lockdep_assert_held_at(lock, (lock)->locked, SITE_HERE)

void __lockdep_assert_held_at(const void *lock, bool locked, struct site site);

#endif
