// SPDX-License-Identifier: GPL-2.0
/*
 * Mutexes and spinlocks (kernel/locking), with what lockdep and
 * CONFIG_DEBUG_ATOMIC_SLEEP would say: recursive locking, unlocking a lock
 * that is not held, sleeping under a spinlock, freeing a held lock, and a
 * lock still held when a system call returns to user space.
 */
#include <stdio.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include "internal.h"

struct held_lock {
	const void *lock;
	bool *locked;
	const char *kind;
	const char *name;
	struct site site;
	bool reported;
};

static struct {
	struct held_lock held[32];
	unsigned int nr;
} locks;

static void held_add(const void *lock, bool *locked, const char *kind,
		     const char *name, struct site site)
{
	if (locks.nr == ARRAY_SIZE(locks.held)) {
		report("more than %zu locks held at %s", ARRAY_SIZE(locks.held),
		       site_str(site));
		return;
	}
	locks.held[locks.nr++] = (struct held_lock){
		.lock = lock, .locked = locked, .kind = kind, .name = name,
		.site = site,
	};
}

static void held_del(unsigned int i)
{
	locks.held[i] = locks.held[--locks.nr];
}

static void held_del_lock(const void *lock)
{
	unsigned int i;

	for (i = 0; i < locks.nr; i++)
		if (locks.held[i].lock == lock)
			return held_del(i);
}

static bool lock_valid(const void *lock, const char *kind, const char *name,
		       struct site site)
{
	if (name)
		return true;
	report("%s at %p used at %s without being initialised", kind, lock,
	       site_str(site));
	return false;
}

static void lock_acquire(const void *lock, bool *locked, struct site *owner,
			 const char *kind, const char *name, struct site site)
{
	if (!lock_valid(lock, kind, name, site))
		return;
	if (*locked) {
		report("recursive locking (deadlock): %s %s at %s, already held since %s",
		       kind, name, site_str(site), site_str(*owner));
		return;
	}
	*locked = true;
	*owner = site;
	held_add(lock, locked, kind, name, site);
}

static void lock_release(const void *lock, bool *locked, const char *kind,
			 const char *name, struct site site)
{
	if (!lock_valid(lock, kind, name, site))
		return;
	if (!*locked) {
		report("unlock of %s %s at %s, which is not held", kind, name,
		       site_str(site));
		return;
	}
	*locked = false;
	held_del_lock(lock);
}

void __might_sleep_at(struct site site)
{
	unsigned int i;

	for (i = 0; i < locks.nr; i++)
		if (!strcmp(locks.held[i].kind, "spinlock"))
			report("sleeping function called from invalid context at %s: spinlock %s held since %s",
			       site_str(site), locks.held[i].name,
			       site_str(locks.held[i].site));
}

void __mutex_init_at(struct mutex *lock, const char *name)
{
	*lock = (struct mutex){ .name = name };
}

void __mutex_lock_at(struct mutex *lock, struct site site)
{
	__might_sleep_at(site);
	lock_acquire(lock, &lock->locked, &lock->owner, "mutex", lock->name,
		     site);
}

int __mutex_lock_killable_at(struct mutex *lock, const char *point,
			     struct site site)
{
	__might_sleep_at(site);
	if (should_fail(point))
		return -EINTR;
	lock_acquire(lock, &lock->locked, &lock->owner, "mutex", lock->name,
		     site);
	return 0;
}

int __mutex_trylock_at(struct mutex *lock, struct site site)
{
	if (lock->locked)
		return 0;
	lock_acquire(lock, &lock->locked, &lock->owner, "mutex", lock->name,
		     site);
	return lock->locked;
}

void __mutex_unlock_at(struct mutex *lock, struct site site)
{
	lock_release(lock, &lock->locked, "mutex", lock->name, site);
}

void __mutex_destroy_at(struct mutex *lock, struct site site)
{
	if (lock->locked)
		report("mutex_destroy() of %s at %s while held since %s",
		       lock->name, site_str(site), site_str(lock->owner));
}

void __spin_lock_init_at(spinlock_t *lock, const char *name)
{
	*lock = (spinlock_t){ .name = name };
}

void __spin_lock_at(spinlock_t *lock, struct site site)
{
	lock_acquire(lock, &lock->locked, &lock->owner, "spinlock", lock->name,
		     site);
}

void __spin_unlock_at(spinlock_t *lock, struct site site)
{
	lock_release(lock, &lock->locked, "spinlock", lock->name, site);
}

void __lockdep_assert_held_at(const void *lock, bool locked, struct site site)
{
	if (!locked)
		report("lockdep_assert_held() at %s: lock %p is not held",
		       site_str(site), lock);
}

/* Each held lock is reported once, at the first return that finds it. */
static void report_held(const char *when)
{
	unsigned int i;

	for (i = 0; i < locks.nr; i++) {
		struct held_lock *h = &locks.held[i];

		if (h->reported)
			continue;
		h->reported = true;
		report("%s %s held %s, locked at %s", h->kind, h->name, when,
		       site_str(h->site));
	}
}

void locks_check_return(const char *syscall)
{
	char when[64];

	snprintf(when, sizeof(when), "on return to user space from %s()",
		 syscall);
	report_held(when);
}

void locks_check(void)
{
	report_held("at the end of the scenario");
}

void locks_forget_range(const void *start, size_t size, struct site site)
{
	unsigned int i = 0;

	while (i < locks.nr) {
		struct held_lock *h = &locks.held[i];

		if ((const char *)h->lock < (const char *)start ||
		    (const char *)h->lock >= (const char *)start + size) {
			i++;
			continue;
		}
		report("%s %s freed at %s while held since %s", h->kind,
		       h->name, site_str(site), site_str(h->site));
		held_del(i);
	}
}

/* A lock a dirty scenario left held must not deadlock the next one. */
void locks_reset(void)
{
	while (locks.nr)
		*locks.held[--locks.nr].locked = false;
}
