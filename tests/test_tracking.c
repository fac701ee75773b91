// SPDX-License-Identifier: GPL-2.0
/*
 * The harness's own bookkeeping: every finding names what went wrong and
 * where the resource was taken, failure points fail exactly the hit they
 * were armed for, and a sweep re-runs a scenario once per hit it reached.
 * The shim calls below stand in for driver code: they record this file's
 * lines as the call sites.
 */
#include <linux/file.h>
#include <linux/io.h>
#include <linux/kref.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/vmalloc.h>
#include <harness/test.h>
#include "drivers/hooks.h"

struct hooks_ctl hooks;

static DEFINE_MUTEX(test_mutex);
static DEFINE_SPINLOCK(test_lock);

static void assert_finding_at(const char *what, int line)
{
	char needle[128];

	snprintf(needle, sizeof(needle), "%s", what);
	assert_true(report_count() == 1);
	assert_non_null(strstr(report_get(0), needle));
	snprintf(needle, sizeof(needle), "test_tracking.c:%d", line);
	assert_non_null(strstr(report_get(0), needle));
	assert_true(report_take(what));
}

static void a_kmalloc_never_freed_is_reported_with_its_site(void **state)
{
	void *p = kmalloc(32, GFP_KERNEL);

	free(harness_findings());
	assert_finding_at("leak: kmalloc of 32 bytes", __LINE__ - 3);
	kfree(p);
}

static void a_double_kfree_names_the_first_free(void **state)
{
	void *p = kmalloc(32, GFP_KERNEL);

	kfree(p);
	kfree(p);
	assert_finding_at("already freed at", __LINE__ - 2);
}

static void a_mutex_held_on_return_to_user_space_is_reported(void **state)
{
	struct mm_struct *mm = mm_alloc();
	const int line = __LINE__ + 2;

	mutex_lock(&test_mutex);
	user_munmap(mm, 0x10000000UL, PAGE_SIZE);
	assert_finding_at("mutex test_mutex held on return to user space from munmap()",
			  line);
	mutex_unlock(&test_mutex);
	mmput(mm);
}

static void unlocking_a_mutex_that_is_not_held_is_reported(void **state)
{
	mutex_unlock(&test_mutex);
	assert_finding_at("unlock of mutex test_mutex", __LINE__ - 1);
}

static void locking_a_held_mutex_is_reported_as_a_deadlock(void **state)
{
	mutex_lock(&test_mutex);
	mutex_lock(&test_mutex);
	assert_finding_at("recursive locking", __LINE__ - 1);
	mutex_unlock(&test_mutex);
}

static void a_mutex_used_without_init_is_reported(void **state)
{
	struct mutex *m = kzalloc(sizeof(*m), GFP_KERNEL);

	mutex_lock(m);
	assert_finding_at("without being initialised", __LINE__ - 1);
	kfree(m);
}

static void freeing_a_held_mutex_is_reported(void **state)
{
	struct mutex *m = kmalloc(sizeof(*m), GFP_KERNEL);

	mutex_init(m);
	mutex_lock(m);
	kfree(m);
	assert_finding_at("mutex m freed at", __LINE__ - 1);
}

static void sleeping_under_a_spinlock_is_reported(void **state)
{
	void *p;
	const int line = __LINE__ + 3;

	spin_lock(&test_lock);
	p = kmalloc(8, GFP_KERNEL);
	spin_unlock(&test_lock);
	assert_finding_at("sleeping function called from invalid context", line);
	kfree(p);
}

static void a_kref_never_put_is_reported_with_where_it_was_set(void **state)
{
	struct kref *ref = kmalloc(sizeof(*ref), GFP_KERNEL);
	char *findings;

	kref_init(ref);
	findings = harness_findings();
	assert_non_null(strstr(findings, "leak: refcount set at tests/test_tracking.c"));
	free(findings);
	report_take("leak: kmalloc");
	report_take("leak: refcount");
	refcount_set(&ref->refcount, 0);
	kfree(ref);
}

static void a_leaked_kref_get_is_reported_with_the_line_that_took_it(void **state)
{
	struct kref *ref = kmalloc(sizeof(*ref), GFP_KERNEL);
	char *findings, want[128];

	kref_init(ref);
	kref_get(ref);
	snprintf(want, sizeof(want),
		 "still holds 2 reference(s); references taken at tests/test_tracking.c:%d (",
		 __LINE__ - 3);
	findings = harness_findings();
	if (!strstr(findings, want))
		fail_msg("no \"%s\" in:\n%s", want, findings);
	free(findings);
	report_take("leak: kmalloc");
	report_take("leak: refcount");
	refcount_set(&ref->refcount, 0);
	kfree(ref);
}

static void release(struct kref *ref)
{
	kfree(ref);
}

static void a_refcount_underflow_is_reported(void **state)
{
	struct kref *ref = kmalloc(sizeof(*ref), GFP_KERNEL);

	kref_init(ref);
	kref_get(ref);
	kref_put(ref, release);
	kref_put(ref, release);
	assert_int_equal(report_count(), 0);
	refcount_dec((refcount_t *)&hooks.private_data);
	assert_finding_at("refcount_t: underflow", __LINE__ - 1);
}

static void a_file_reference_never_dropped_names_the_get_file_site(void **state)
{
	struct file *file;
	char *findings;

	assert_int_equal(module_load("hooks"), 0);
	file = user_open(HOOKS_PREPARE, O_RDWR);
	get_file(file);
	user_close(file);
	findings = harness_findings();
	assert_non_null(strstr(findings, "leak: file hooks_prepare still has 1 reference(s)"));
	assert_non_null(strstr(findings, "tests/test_tracking.c"));
	free(findings);
	assert_true(report_take("leak: file"));
	assert_true(report_take("module hooks is still loaded"));
	fput(file);
	assert_int_equal(module_unload("hooks"), 0);
}

static void a_put_page_that_drops_the_owners_reference_is_reported(void **state)
{
	struct page *page = alloc_page(GFP_KERNEL);

	put_page(page);
	assert_finding_at("still owns (missing get_page()?)", __LINE__ - 1);
	get_page(page);
	report_take("get_page()");
	__free_page(page);
}

static void user_access_to_a_freed_pfn_names_who_freed_it(void **state)
{
	struct mm_struct *mm = mm_alloc();
	struct file *file;
	void *buf = kmalloc(4 * PAGE_SIZE, GFP_KERNEL);
	char byte;

	memset(&hooks, 0, sizeof(hooks));
	hooks.action = MMAP_REMAP_PFN;
	hooks.action_pfn = PHYS_PFN(virt_to_phys(buf));
	assert_int_equal(module_load("hooks"), 0);
	file = user_open(HOOKS_PREPARE, O_RDWR);
	assert_mapped(user_mmap(mm, 0x10000000UL, 4 * PAGE_SIZE, PROT_READ,
				MAP_SHARED | MAP_FIXED, file, 0));
	kfree(buf);
	assert_int_equal(user_read(mm, 0x10000000UL, &byte, 1), -EIO);
	assert_finding_at("was freed at", __LINE__ - 2);
	mmput(mm);
	user_close(file);
	assert_int_equal(module_unload("hooks"), 0);
}

static void the_nth_hit_of_a_point_fails_and_no_other(void **state)
{
	void *p[3];
	int i;

	fault_inject_arm("kmalloc", 2);
	for (i = 0; i < 3; i++)
		p[i] = kmalloc(8, GFP_KERNEL);
	assert_non_null(p[0]);
	assert_null(p[1]);
	assert_non_null(p[2]);
	assert_true(fault_inject_fired());
	assert_string_equal(fault_inject_trace(), "kmalloc kmalloc kmalloc");
	kfree(p[0]);
	kfree(p[2]);
}

static void two_allocations_freed_on_every_path(void *arg)
{
	void *a = kmalloc(8, GFP_KERNEL);
	void *b = vmalloc(PAGE_SIZE);

	kfree(a);
	vfree(b);
}

static void a_sweep_runs_once_per_hit_reached(void **state)
{
	unsigned int runs;

	assert_null(fault_sweep_run("two allocations", two_allocations_freed_on_every_path,
				    NULL, &runs));
	assert_int_equal(runs, 2);
}

/* The mutation the issue asks for: allocate in .mmap_prepare, free in ->close. */
static void prepare_allocation_freed_only_in_close(void *arg)
{
	struct mm_struct *mm = mm_alloc();
	struct file *file;

	memset(&hooks, 0, sizeof(hooks));
	hooks.vm_ops = HOOK_CLOSE;
	hooks.alloc_in_prepare = true;
	if (module_load("hooks"))
		goto out_mm;
	file = user_open(HOOKS_PREPARE, O_RDWR);
	if (!IS_ERR(file)) {
		user_mmap(mm, 0, PAGE_SIZE, PROT_READ, MAP_SHARED, file, 0);
		user_close(file);
	}
	mmput(mm);
	module_unload("hooks");
	return;
out_mm:
	mmput(mm);
}

static void the_sweep_catches_an_allocation_in_prepare_freed_only_in_close(void **state)
{
	unsigned int runs;
	char *findings = fault_sweep_run("alloc in prepare",
					 prepare_allocation_freed_only_in_close,
					 NULL, &runs);

	assert_non_null(findings);
	assert_non_null(strstr(findings, "failing vma_alloc#1 at F3 ("));
	assert_non_null(strstr(findings, "leak: kmalloc of 64 bytes allocated at tests/drivers/hooks.c"));
	free(findings);
}

static const struct CMUnitTest tests[] = {
	HARNESS_TEST(a_kmalloc_never_freed_is_reported_with_its_site),
	HARNESS_TEST(a_double_kfree_names_the_first_free),
	HARNESS_TEST(a_mutex_held_on_return_to_user_space_is_reported),
	HARNESS_TEST(unlocking_a_mutex_that_is_not_held_is_reported),
	HARNESS_TEST(locking_a_held_mutex_is_reported_as_a_deadlock),
	HARNESS_TEST(a_mutex_used_without_init_is_reported),
	HARNESS_TEST(freeing_a_held_mutex_is_reported),
	HARNESS_TEST(sleeping_under_a_spinlock_is_reported),
	HARNESS_TEST(a_kref_never_put_is_reported_with_where_it_was_set),
	HARNESS_TEST(a_leaked_kref_get_is_reported_with_the_line_that_took_it),
	HARNESS_TEST(a_refcount_underflow_is_reported),
	HARNESS_TEST(a_file_reference_never_dropped_names_the_get_file_site),
	HARNESS_TEST(a_put_page_that_drops_the_owners_reference_is_reported),
	HARNESS_TEST(user_access_to_a_freed_pfn_names_who_freed_it),
	HARNESS_TEST(the_nth_hit_of_a_point_fails_and_no_other),
	HARNESS_TEST(a_sweep_runs_once_per_hit_reached),
	HARNESS_TEST(the_sweep_catches_an_allocation_in_prepare_freed_only_in_close),
};

HARNESS_MAIN("tracking", tests)
