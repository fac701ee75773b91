/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shim of include/linux/mutex.h, CUSTOMISED: lockdep-like checks, no
 * blocking.
 */
/*
 * Shim: mutexes that remember who holds them. The model runs one task, so a
 * contended lock is a self-deadlock and is reported instead of blocking.
 */
#ifndef _SHIM_LINUX_MUTEX_H
#define _SHIM_LINUX_MUTEX_H

#include <linux/types.h>
#include <linux/atomic.h>
#include <harness/site.h>

struct mutex {
	const char *name;
	bool locked;
	struct site owner;
};

#define __MUTEX_INITIALIZER(lockname)	{ .name = #lockname }
#define DEFINE_MUTEX(mutexname) \
	struct mutex mutexname = __MUTEX_INITIALIZER(mutexname)

void __mutex_init_at(struct mutex *lock, const char *name);
void __mutex_lock_at(struct mutex *lock, struct site site);
int __mutex_trylock_at(struct mutex *lock, struct site site);
void __mutex_unlock_at(struct mutex *lock, struct site site);
void __mutex_destroy_at(struct mutex *lock, struct site site);
void __lockdep_assert_held_at(const void *lock, bool locked, struct site site);

#define mutex_init(lock)	__mutex_init_at(lock, #lock)
#define mutex_lock(lock)	__mutex_lock_at(lock, SITE_HERE)
/* A fatal signal while waiting is the failure point "mutex_lock_killable". */
int __mutex_lock_killable_at(struct mutex *lock, const char *point,
			     struct site site);
#define mutex_lock_interruptible(lock) \
	__mutex_lock_killable_at(lock, "mutex_lock_interruptible", SITE_HERE)
#define mutex_lock_killable(lock) \
	__mutex_lock_killable_at(lock, "mutex_lock_killable", SITE_HERE)
#define mutex_trylock(lock)	__mutex_trylock_at(lock, SITE_HERE)
#define mutex_unlock(lock)	__mutex_unlock_at(lock, SITE_HERE)
#define mutex_destroy(lock)	__mutex_destroy_at(lock, SITE_HERE)
#define mutex_is_locked(lock)	((lock)->locked)
#define lockdep_assert_held(lock) \
	__lockdep_assert_held_at(lock, (lock)->locked, SITE_HERE)

#endif
