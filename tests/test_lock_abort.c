// SPDX-License-Identifier: GPL-2.0
/*
 * examples/lock-abort from its unmodified source: the legacy driver
 * (lock_abort_before), the tempting but wrong port that hands a mutex from
 * .mmap_prepare to ->mapped (lock_abort_naive), and the correct one
 * (lock_abort_after). The sweep must find the naive driver's held mutex
 * and leaked reference, and nothing in the other two.
 */
#include <harness/scenario.h>
#include "examples/lock-abort/lock-abort-uapi.h"

#define SIZE	(KIT_LOCK_PAGES * PAGE_SIZE)

static void a_mapping_keeps_working_after_its_session_is_revoked(void **state)
{
	struct user_dev d = user_dev_open("lock_abort_after", KIT_LOCK_PATH,
					  O_RDWR);
	unsigned long addr;
	unsigned char byte;

	addr = user_mmap(d.mm, 0, SIZE, PROT_READ, MAP_SHARED, d.file, 0);
	assert_mapped(addr);
	assert_int_equal(user_ioctl(d.file, KIT_LOCK_REVOKE, 0), 0);
	assert_int_equal(user_read(d.mm, addr + 1, &byte, 1), 0);
	assert_int_equal(byte, kit_lock_pattern(1, 1));
	assert_int_equal((long)user_mmap(d.mm, 0, SIZE, PROT_READ, MAP_SHARED,
					 d.file, 0), -ENODEV);
	assert_int_equal(user_ioctl(d.file, KIT_LOCK_LIVE, 0), 1);
	user_dev_close(&d);
}

/* What another task does between .mmap_prepare and ->mapped. */
static void revoke_the_session(void *file)
{
	assert_int_equal(user_ioctl(file, KIT_LOCK_REVOKE, 0), 0);
}

/*
 * The hook found the session active and dropped the mutex; the session is
 * revoked before ->mapped runs. ->mapped must see it, under the mutex, and
 * refuse: once KIT_LOCK_REVOKE has returned, no new mapping of the session
 * may be established.
 */
static void a_session_revoked_before_mapped_is_not_mapped(void **state)
{
	struct user_dev d = user_dev_open("lock_abort_after", KIT_LOCK_PATH,
					  O_RDWR);
	unsigned long addr;

	fault_inject_race("mapped", revoke_the_session, d.file);
	addr = user_mmap(d.mm, 0, SIZE, PROT_READ, MAP_SHARED, d.file, 0);
	assert_true(fault_inject_raced());
	if (!IS_ERR_VALUE(addr))
		fail_msg("mmap() mapped a session revoked between .mmap_prepare and ->mapped, at %#lx: ->mapped took the reference without checking the state again",
			 addr);
	assert_int_equal((long)addr, -ENODEV);
	assert_null(find_vma(d.mm, 0));
	/* Only the file holds the revoked session now. */
	assert_int_equal(user_ioctl(d.file, KIT_LOCK_LIVE, 0), 1);
	user_dev_close(&d);
}

static void a_failed_mapped_leaves_close_nothing_to_put(void **state)
{
	struct user_dev d = user_dev_open("lock_abort_after", KIT_LOCK_PATH,
					  O_RDWR);

	fault_inject_arm("mutex_lock_killable", 2);
	assert_int_equal((long)user_mmap(d.mm, 0, SIZE, PROT_READ, MAP_SHARED,
					 d.file, 0), -EINTR);
	assert_null(find_vma(d.mm, 0));
	assert_int_equal(user_ioctl(d.file, KIT_LOCK_LIVE, 0), 1);
	user_dev_close(&d);
}

static void unloading_waits_for_the_last_mapping(void **state)
{
	struct user_dev d = user_dev_open("lock_abort_after", KIT_LOCK_PATH,
					  O_RDWR);

	assert_mapped(user_mmap(d.mm, 0, SIZE, PROT_READ, MAP_SHARED, d.file, 0));
	user_close(d.file);
	assert_int_equal(module_unload("lock_abort_after"), -EAGAIN);
	mmput(d.mm);
	assert_int_equal(module_unload("lock_abort_after"), 0);
}

static void nothing_leaks_at_any_failure_point_of_the_legacy_driver(void **state)
{
	assert_session_clean("lock_abort_before", KIT_LOCK_PATH, SIZE);
}

static void nothing_leaks_at_any_failure_point_of_the_correct_port(void **state)
{
	assert_session_clean("lock_abort_after", KIT_LOCK_PATH, SIZE);
}

static void the_sweep_finds_the_naive_port_returning_with_the_mutex_held(void **state)
{
	char *findings = session_findings("lock_abort_naive", KIT_LOCK_PATH, SIZE);

	assert_non_null(strstr(findings, "failing vma_alloc#1 at F3 ("));
	assert_non_null(strstr(findings,
		"mutex kit_lock_mutex held on return to user space from mmap(), locked at examples/lock-abort/naive/lock_abort_naive.c"));
	assert_non_null(strstr(findings, "leak: refcount set at examples/lock-abort/naive/lock_abort_naive.c"));
	free(findings);
}

static const struct CMUnitTest tests[] = {
	HARNESS_TEST(a_mapping_keeps_working_after_its_session_is_revoked),
	HARNESS_TEST(a_failed_mapped_leaves_close_nothing_to_put),
	HARNESS_TEST(a_session_revoked_before_mapped_is_not_mapped),
	HARNESS_TEST(unloading_waits_for_the_last_mapping),
	HARNESS_TEST(nothing_leaks_at_any_failure_point_of_the_legacy_driver),
	HARNESS_TEST(nothing_leaks_at_any_failure_point_of_the_correct_port),
	HARNESS_TEST(the_sweep_finds_the_naive_port_returning_with_the_mutex_held),
};

HARNESS_MAIN("lock_abort", tests)
