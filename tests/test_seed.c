// SPDX-License-Identifier: GPL-2.0
/*
 * The seed-design profile: the September 2025 proposal (v1) on top of the
 * upstream model. ->mmap_complete runs once a new VMA is in place (a failure
 * unmaps it), ->mmap_abort only when allocating that VMA fails, and neither
 * when the mapping merges or the hook itself fails.
 */
#include <harness/scenario.h>
#include "drivers/hooks.h"
#include "examples/lock-abort/lock-abort-uapi.h"

struct hooks_ctl hooks;

#define ADDR	0x10000000UL
#define LEN	(4 * PAGE_SIZE)
#define LOCK_SIZE	(KIT_LOCK_PAGES * PAGE_SIZE)

static struct user_dev start(const char *dev)
{
	memset(&hooks, 0, sizeof(hooks));
	hooks.context = &hooks;
	return user_dev_open("hooks", dev, O_RDWR);
}

static long map_at(struct user_dev *d, unsigned long addr, unsigned long pgoff)
{
	return user_mmap(d->mm, addr, LEN, PROT_READ, MAP_SHARED | MAP_FIXED,
			 d->file, pgoff);
}

static void complete_gets_the_context_once_the_vma_is_in_place(void **state)
{
	struct user_dev d = start(HOOKS_SEED);

	assert_int_equal(map_at(&d, ADDR, 0), ADDR);
	assert_string_equal(hooks.log, "prepare complete");
	assert_ptr_equal(hooks.seen_context, &hooks);
	user_dev_close(&d);
}

/* With @point failing after .mmap_prepare, ->mmap_abort gets the context. */
static void assert_aborted_by(const char *point)
{
	struct user_dev d = start(HOOKS_SEED);

	fault_inject_arm(point, 1);
	assert_int_equal(map_at(&d, ADDR, 0), -ENOMEM);
	assert_string_equal(hooks.log, "prepare abort");
	assert_ptr_equal(hooks.seen_context, &hooks);
	user_dev_close(&d);
}

static void abort_runs_when_the_vma_cannot_be_allocated(void **state)
{
	assert_aborted_by("vma_alloc");
}

static void abort_runs_when_the_tree_slot_cannot_be_allocated(void **state)
{
	assert_aborted_by("iter_prealloc");
}

static void a_failed_complete_unmaps_the_vma_with_close(void **state)
{
	struct user_dev d = start(HOOKS_SEED);

	hooks.vm_ops = HOOK_CLOSE;
	hooks.complete_ret = -EIO;
	assert_int_equal(map_at(&d, ADDR, 0), -EIO);
	assert_string_equal(hooks.log, "prepare complete close");
	assert_null(find_vma(d.mm, 0));
	user_dev_close(&d);
}

static void neither_hook_runs_when_the_mapping_merges(void **state)
{
	struct user_dev d = start(HOOKS_SEED);

	assert_int_equal(map_at(&d, ADDR, 0), ADDR);
	assert_int_equal(map_at(&d, ADDR + LEN, 4), ADDR + LEN);
	assert_int_equal(d.mm->map_count, 1);
	assert_string_equal(hooks.log, "prepare complete prepare");
	user_dev_close(&d);
}

static void neither_hook_runs_when_prepare_fails(void **state)
{
	struct user_dev d = start(HOOKS_SEED);

	hooks.mmap_ret = -EINVAL;
	assert_int_equal(map_at(&d, ADDR, 0), -EINVAL);
	assert_string_equal(hooks.log, "prepare");
	user_dev_close(&d);
}

static void an_abort_hook_without_complete_is_refused(void **state)
{
	struct user_dev d = start(HOOKS_ABORT_ONLY);

	assert_int_equal(map_at(&d, ADDR, 0), -EINVAL);
	assert_string_equal(hooks.log, "");
	user_dev_close(&d);
}

static void the_seed_port_leaves_nothing_behind_at_any_failure_point(void **state)
{
	assert_session_clean("lock_abort_seed", KIT_LOCK_PATH, LOCK_SIZE);
}

static void the_naive_port_still_returns_with_the_mutex_held(void **state)
{
	char *findings = session_findings("lock_abort_naive", KIT_LOCK_PATH,
					  LOCK_SIZE);

	assert_non_null(strstr(findings, "mutex kit_lock_mutex held on return"));
	free(findings);
}

static const struct CMUnitTest tests[] = {
	HARNESS_TEST(complete_gets_the_context_once_the_vma_is_in_place),
	HARNESS_TEST(abort_runs_when_the_vma_cannot_be_allocated),
	HARNESS_TEST(abort_runs_when_the_tree_slot_cannot_be_allocated),
	HARNESS_TEST(a_failed_complete_unmaps_the_vma_with_close),
	HARNESS_TEST(neither_hook_runs_when_the_mapping_merges),
	HARNESS_TEST(neither_hook_runs_when_prepare_fails),
	HARNESS_TEST(an_abort_hook_without_complete_is_refused),
	HARNESS_TEST(the_seed_port_leaves_nothing_behind_at_any_failure_point),
	HARNESS_TEST(the_naive_port_still_returns_with_the_mutex_held),
};

HARNESS_MAIN("seed", tests)
