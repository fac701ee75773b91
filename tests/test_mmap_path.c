// SPDX-License-Identifier: GPL-2.0
/*
 * The model's mmap path against upstream (mm/vma.c __mmap_region(),
 * mm/util.c): the order of the steps, and what each failure point cleans
 * up, for .mmap_prepare, legacy .mmap and the stacked (compat) path. The
 * test driver is tests/drivers/hooks.c.
 */
#include <harness/scenario.h>
#include "drivers/hooks.h"

struct hooks_ctl hooks;

#define LEN	(4 * PAGE_SIZE)
#define FIXED	0x10000000UL

static struct user_dev start(const char *dev)
{
	memset(&hooks, 0, sizeof(hooks));
	return user_dev_open("hooks", dev, O_RDWR);
}

static unsigned long map_at(struct user_dev *c, unsigned long addr,
			    unsigned long pgoff)
{
	return user_mmap(c->mm, addr, LEN, PROT_READ | PROT_WRITE,
			 MAP_SHARED | MAP_FIXED, c->file, pgoff);
}

static unsigned long map(struct user_dev *c)
{
	return map_at(c, FIXED, 0);
}

/*
 * The stage of the mmap path (Fn of failure-points.h) of each point the
 * scenario reached so far, as fault_inject_trace() lists the points.
 */
static const char *stages(void)
{
	static char buf[128];
	const struct fault_hit *hits;
	size_t i, n = fault_inject_hits(&hits);
	int len = 0;

	buf[0] = '\0';
	for (i = 0; i < n && len < (int)sizeof(buf) - 8; i++)
		len += snprintf(buf + len, sizeof(buf) - len, "%sF%d",
				i ? " " : "", hits[i].stage);
	return buf;
}

static void prepare_steps_run_in_upstream_order(void **state)
{
	struct user_dev c = start(HOOKS_PREPARE);

	hooks.vm_ops = HOOK_MAPPED | HOOK_CLOSE;
	fault_inject_reset();
	assert_int_equal(map(&c), FIXED);
	assert_string_equal(fault_inject_trace(),
			    "may_expand_vm hook vma_alloc iter_prealloc mapped");
	assert_string_equal(stages(), "F1 F2 F3 F3 F4");
	assert_string_equal(hooks.log, "prepare mapped");
	user_dev_close(&c);
}

static void legacy_steps_run_hook_after_the_vma_exists(void **state)
{
	struct user_dev c = start(HOOKS_LEGACY);

	fault_inject_reset();
	assert_int_equal(map(&c), FIXED);
	assert_string_equal(fault_inject_trace(),
			    "may_expand_vm vma_alloc iter_prealloc hook");
	assert_string_equal(stages(), "F1 F3 F3 F5");
	user_dev_close(&c);
}

static void private_writable_mappings_are_charged_before_the_hook(void **state)
{
	struct user_dev c = start(HOOKS_PREPARE);

	fault_inject_reset();
	assert_int_equal(user_mmap(c.mm, FIXED, LEN, PROT_READ | PROT_WRITE,
				   MAP_PRIVATE | MAP_FIXED, c.file, 0), FIXED);
	assert_string_equal(fault_inject_trace(),
			    "may_expand_vm vm_enough_memory hook vma_alloc iter_prealloc");
	assert_true(vma_test(find_vma(c.mm, FIXED), VMA_ACCOUNT_BIT));
	user_dev_close(&c);
}

/* __mmap_setup() (7.2 and later): only pages not charged already are checked. */
static void map_fixed_over_an_accounted_mapping_of_the_same_size_charges_nothing(void **state)
{
	struct user_dev c = start(HOOKS_PREPARE);

	assert_int_equal(user_mmap(c.mm, FIXED, LEN, PROT_READ | PROT_WRITE,
				   MAP_PRIVATE | MAP_FIXED, c.file, 0), FIXED);
	fault_inject_reset();
	assert_int_equal(user_mmap(c.mm, FIXED, LEN, PROT_READ | PROT_WRITE,
				   MAP_PRIVATE | MAP_FIXED, c.file, 0), FIXED);
	assert_string_equal(fault_inject_trace(),
			    "may_expand_vm hook vma_alloc iter_prealloc");
	assert_true(vma_test(find_vma(c.mm, FIXED), VMA_ACCOUNT_BIT));
	user_dev_close(&c);
}

static void prepare_fields_reach_the_new_vma(void **state)
{
	struct user_dev c = start(HOOKS_PREPARE);
	struct vm_area_struct *vma;
	int data;

	hooks.vm_ops = HOOK_CLOSE;
	hooks.set_flags = VM_DONTEXPAND | VM_DONTDUMP;
	hooks.private_data = &data;
	assert_int_equal(map(&c), FIXED);
	vma = find_vma(c.mm, FIXED);
	assert_true(vma_test_all(vma, VMA_DONTEXPAND_BIT, VMA_DONTDUMP_BIT));
	assert_ptr_equal(vma->vm_private_data, &data);
	assert_non_null(vma->vm_ops->close);
	user_dev_close(&c);
}

static void a_failed_prepare_hook_leaves_nothing_and_is_not_called_back(void **state)
{
	struct user_dev c = start(HOOKS_PREPARE);

	hooks.vm_ops = HOOK_MAPPED | HOOK_CLOSE;
	hooks.mmap_ret = -EINVAL;
	assert_int_equal((long)map(&c), -EINVAL);
	assert_null(find_vma(c.mm, 0));
	assert_string_equal(hooks.log, "prepare");
	user_dev_close(&c);
}

/* With @point failing after .mmap_prepare, no hook hears about it. */
static void assert_no_callback_when(const char *point)
{
	struct user_dev c = start(HOOKS_PREPARE);

	hooks.vm_ops = HOOK_MAPPED | HOOK_CLOSE;
	fault_inject_arm(point, 1);
	assert_int_equal((long)map(&c), -ENOMEM);
	assert_null(find_vma(c.mm, 0));
	assert_string_equal(hooks.log, "prepare");
	user_dev_close(&c);
}

static void vma_alloc_failure_after_prepare_calls_no_hook(void **state)
{
	assert_no_callback_when("vma_alloc");
}

static void iter_prealloc_failure_after_prepare_calls_no_hook(void **state)
{
	assert_no_callback_when("iter_prealloc");
}

static void close_runs_after_a_failed_mapped_hook(void **state)
{
	struct user_dev c = start(HOOKS_PREPARE);
	int data;

	hooks.vm_ops = HOOK_MAPPED | HOOK_CLOSE;
	hooks.private_data = &data;
	hooks.mapped_ret = -EIO;
	assert_int_equal((long)map(&c), -EIO);
	assert_string_equal(hooks.log, "prepare mapped close");
	assert_ptr_equal(hooks.seen_private_data, &data);
	assert_null(find_vma(c.mm, 0));
	user_dev_close(&c);
}

static void error_override_replaces_the_error_of_mapped(void **state)
{
	struct user_dev c = start(HOOKS_PREPARE);

	hooks.vm_ops = HOOK_MAPPED;
	hooks.mapped_ret = -EIO;
	hooks.error_override = -EAGAIN;
	assert_int_equal((long)map(&c), -EAGAIN);
	user_dev_close(&c);
}

static void an_error_override_that_is_no_errno_warns_and_fails_early(void **state)
{
	struct user_dev c = start(HOOKS_PREPARE);

	hooks.vm_ops = HOOK_MAPPED | HOOK_CLOSE;
	hooks.error_override = 5;
	assert_int_equal((long)map(&c), -EINVAL);
	assert_finding("WARNING: override && !IS_ERR_VALUE(override)");
	assert_string_equal(hooks.log, "prepare");
	assert_null(find_vma(c.mm, 0));
	user_dev_close(&c);
}

static void mapped_may_replace_the_private_data(void **state)
{
	struct user_dev c = start(HOOKS_PREPARE);
	int before, after;

	hooks.vm_ops = HOOK_MAPPED;
	hooks.private_data = &before;
	hooks.mapped_private_data = &after;
	assert_int_equal(map(&c), FIXED);
	assert_ptr_equal(find_vma(c.mm, FIXED)->vm_private_data, &after);
	user_dev_close(&c);
}

static void a_remap_action_maps_pfns_with_the_remap_flags(void **state)
{
	struct user_dev c = start(HOOKS_PREPARE);
	struct page *pages = alloc_pages(GFP_KERNEL, 2);
	struct pte_info pte;

	hooks.action = MMAP_REMAP_PFN;
	hooks.action_pfn = page_to_pfn(pages);
	assert_int_equal(map(&c), FIXED);
	assert_true(vma_test_all_mask(find_vma(c.mm, FIXED), VMA_REMAP_FLAGS));
	assert_int_equal(mm_nr_ptes(c.mm), 4);
	assert_true(pte_lookup(c.mm, FIXED + 3 * PAGE_SIZE, &pte));
	assert_int_equal(pte.pfn, page_to_pfn(pages) + 3);
	assert_null(pte.page);
	assert_int_equal(page_count(pages), 1);
	user_dev_close(&c);
	__free_pages(pages, 2);
}

static void a_failed_remap_action_skips_mapped_and_unmaps_with_close(void **state)
{
	struct user_dev c = start(HOOKS_PREPARE);
	struct page *pages = alloc_pages(GFP_KERNEL, 2);

	hooks.vm_ops = HOOK_MAPPED | HOOK_CLOSE;
	hooks.action = MMAP_REMAP_PFN;
	hooks.action_pfn = page_to_pfn(pages);
	fault_inject_arm("pte_alloc", 1);
	assert_int_equal((long)map(&c), -ENOMEM);
	assert_string_equal(hooks.log, "prepare close");
	assert_int_equal(mm_nr_ptes(c.mm), 0);
	assert_null(find_vma(c.mm, 0));
	user_dev_close(&c);
	__free_pages(pages, 2);
}

static void an_io_remap_action_becomes_a_pfn_remap(void **state)
{
	struct user_dev c = start(HOOKS_PREPARE);
	struct page *pages = alloc_pages(GFP_KERNEL, 2);

	hooks.action = MMAP_IO_REMAP_PFN;
	hooks.action_pfn = page_to_pfn(pages);
	assert_int_equal(map(&c), FIXED);
	assert_int_equal(mm_nr_ptes(c.mm), 4);
	user_dev_close(&c);
	__free_pages(pages, 2);
}

static void a_map_kernel_pages_action_maps_each_page_with_a_reference(void **state)
{
	struct user_dev c = start(HOOKS_PREPARE);
	struct page *block = alloc_pages(GFP_KERNEL, 2);
	struct page *pages[4] = { &block[3], &block[2], &block[1], &block[0] };
	struct pte_info pte;

	hooks.action = MMAP_MAP_KERNEL_PAGES;
	hooks.pages = pages;
	assert_int_equal(map(&c), FIXED);
	assert_true(vma_test(find_vma(c.mm, FIXED), VMA_MIXEDMAP_BIT));
	assert_true(pte_lookup(c.mm, FIXED, &pte));
	assert_ptr_equal(pte.page, &block[3]);
	assert_int_equal(page_count(&block[3]), 2);
	user_dev_close(&c);
	assert_int_equal(page_count(&block[3]), 1);
	__free_pages(block, 2);
}

/* insert_pages(): walk_to_pmd() failing is EFAULT, not vm_insert_page()'s ENOMEM. */
static void a_map_kernel_pages_action_reports_an_upper_table_failure_as_efault(void **state)
{
	struct user_dev c = start(HOOKS_PREPARE);
	struct page *block = alloc_pages(GFP_KERNEL, 2);
	struct page *pages[4] = { &block[0], &block[1], &block[2], &block[3] };

	hooks.action = MMAP_MAP_KERNEL_PAGES;
	hooks.pages = pages;
	fault_inject_arm("pmd_alloc", 1);
	assert_int_equal((long)map(&c), -EFAULT);
	assert_null(find_vma(c.mm, 0));
	assert_int_equal(page_count(&block[0]), 1);
	user_dev_close(&c);
	__free_pages(block, 2);
}

/* Upstream would map whatever follows the array; the model reports it. */
static void a_page_array_shorter_than_the_mapping_is_reported_not_read(void **state)
{
	struct user_dev c = start(HOOKS_PREPARE);
	struct page *block = alloc_pages(GFP_KERNEL, 2);
	struct page *pages[2] = { &block[0], &block[1] };

	hooks.action = MMAP_MAP_KERNEL_PAGES;
	hooks.pages = pages;
	assert_true(IS_ERR_VALUE(map(&c)));
	assert_finding("entry 2 of the 4-entry page array");
	assert_null(find_vma(c.mm, 0));
	user_dev_close(&c);
	__free_pages(block, 2);
}

static void legacy_hook_error_installs_dummy_ops_so_close_never_runs(void **state)
{
	struct user_dev c = start(HOOKS_LEGACY);

	hooks.vm_ops = HOOK_CLOSE;
	hooks.mmap_ret = -EIO;
	assert_int_equal((long)map(&c), -EIO);
	assert_string_equal(hooks.log, "mmap");
	assert_null(find_vma(c.mm, 0));
	user_dev_close(&c);
}

static void legacy_hook_error_zaps_what_the_driver_had_mapped(void **state)
{
	struct user_dev c = start(HOOKS_LEGACY);
	struct page *pages = alloc_pages(GFP_KERNEL, 2);

	hooks.legacy_remap = true;
	hooks.action_pfn = page_to_pfn(pages);
	hooks.mmap_ret = -EIO;
	assert_int_equal((long)map(&c), -EIO);
	assert_int_equal(mm_nr_ptes(c.mm), 0);
	user_dev_close(&c);
	__free_pages(pages, 2);
}

static void compat_path_applies_the_prepare_fields_to_the_vma(void **state)
{
	struct user_dev c = start(HOOKS_STACKED);
	struct vm_area_struct *vma;
	int data;

	hooks.lower = user_open(HOOKS_PREPARE, O_RDWR);
	hooks.vm_ops = HOOK_MAPPED | HOOK_CLOSE;
	hooks.set_flags = VM_DONTEXPAND;
	hooks.private_data = &data;
	fault_inject_reset();
	assert_int_equal(map(&c), FIXED);
	/* The outer ->mmap is F5; the lower hook and ->mapped inside it, F6. */
	assert_string_equal(fault_inject_trace(),
			    "may_expand_vm vma_alloc iter_prealloc hook hook mapped");
	assert_string_equal(stages(), "F1 F3 F3 F5 F6 F6");
	vma = find_vma(c.mm, FIXED);
	assert_ptr_equal(vma->vm_file, hooks.lower);
	assert_ptr_equal(vma->vm_private_data, &data);
	assert_true(vma_test(vma, VMA_DONTEXPAND_BIT));
	assert_string_equal(hooks.log, "stacked_mmap prepare mapped");
	user_close(hooks.lower);
	user_dev_close(&c);
}

static void compat_path_runs_mapped_but_never_close_on_its_failure(void **state)
{
	struct user_dev c = start(HOOKS_STACKED);

	hooks.lower = user_open(HOOKS_PREPARE, O_RDWR);
	hooks.vm_ops = HOOK_MAPPED | HOOK_CLOSE;
	hooks.mapped_ret = -EIO;
	assert_int_equal((long)map(&c), -EIO);
	assert_string_equal(hooks.log, "stacked_mmap prepare mapped");
	assert_null(find_vma(c.mm, 0));
	user_close(hooks.lower);
	user_dev_close(&c);
}

static void compat_path_ignores_error_override(void **state)
{
	struct user_dev c = start(HOOKS_STACKED);

	hooks.lower = user_open(HOOKS_PREPARE, O_RDWR);
	hooks.vm_ops = HOOK_MAPPED;
	hooks.mapped_ret = -EIO;
	hooks.error_override = -EAGAIN;
	assert_int_equal((long)map(&c), -EIO);
	user_close(hooks.lower);
	user_dev_close(&c);
}

static void a_merged_mapping_gets_no_mapped_call_and_no_new_fields(void **state)
{
	struct user_dev c = start(HOOKS_PREPARE);
	int first, second;

	hooks.vm_ops = HOOK_MAPPED;
	hooks.private_data = &first;
	assert_int_equal(map_at(&c, FIXED, 0), FIXED);
	hooks.private_data = &second;
	assert_int_equal(map_at(&c, FIXED + LEN, 4), FIXED + LEN);
	assert_int_equal(c.mm->map_count, 1);
	assert_int_equal(find_vma(c.mm, FIXED)->vm_end, FIXED + 2 * LEN);
	assert_ptr_equal(find_vma(c.mm, FIXED)->vm_private_data, &first);
	assert_string_equal(hooks.log, "prepare mapped prepare");
	user_dev_close(&c);
}

static void a_mapping_with_discontiguous_pgoff_does_not_merge(void **state)
{
	struct user_dev c = start(HOOKS_PREPARE);

	assert_int_equal(map_at(&c, FIXED, 0), FIXED);
	assert_int_equal(map_at(&c, FIXED + LEN, 0), FIXED + LEN);
	assert_int_equal(c.mm->map_count, 2);
	user_dev_close(&c);
}

static void special_flags_never_merge(void **state)
{
	struct user_dev c = start(HOOKS_PREPARE);

	hooks.set_flags = VM_DONTEXPAND;
	assert_int_equal(map_at(&c, FIXED, 0), FIXED);
	assert_int_equal(map_at(&c, FIXED + LEN, 4), FIXED + LEN);
	assert_int_equal(c.mm->map_count, 2);
	user_dev_close(&c);
}

static void a_legacy_hook_is_not_called_for_a_mapping_that_merges(void **state)
{
	struct user_dev c = start(HOOKS_LEGACY);

	assert_int_equal(map_at(&c, FIXED, 0), FIXED);
	assert_int_equal(map_at(&c, FIXED + LEN, 4), FIXED + LEN);
	assert_int_equal(c.mm->map_count, 1);
	assert_string_equal(hooks.log, "mmap");
	user_dev_close(&c);
}

static void merging_never_removes_a_neighbour_with_close(void **state)
{
	struct user_dev c = start(HOOKS_LEGACY);

	hooks.vm_ops = HOOK_CLOSE;
	assert_int_equal(map_at(&c, FIXED + LEN, 4), FIXED + LEN);
	hooks.vm_ops = 0;
	assert_int_equal(map_at(&c, FIXED - LEN, 0), FIXED - LEN);
	assert_int_equal(c.mm->map_count, 2);
	/* Fits between both, merges with the one below only. */
	assert_int_equal(map_at(&c, FIXED, 4 - 4), FIXED);
	user_dev_close(&c);
}

static void a_failed_merge_expansion_falls_back_to_a_new_vma(void **state)
{
	struct user_dev c = start(HOOKS_PREPARE);

	hooks.vm_ops = HOOK_MAPPED;
	assert_int_equal(map_at(&c, FIXED, 0), FIXED);
	fault_inject_arm("merge_expand", 1);
	assert_int_equal(map_at(&c, FIXED + LEN, 4), FIXED + LEN);
	assert_int_equal(c.mm->map_count, 2);
	assert_string_equal(hooks.log, "prepare mapped prepare mapped");
	user_dev_close(&c);
}

static void map_fixed_closes_the_old_mapping_before_the_new_hook(void **state)
{
	struct user_dev c = start(HOOKS_PREPARE);

	hooks.vm_ops = HOOK_CLOSE;
	assert_int_equal(map(&c), FIXED);
	assert_int_equal(map(&c), FIXED);
	assert_string_equal(hooks.log, "prepare close prepare");
	assert_int_equal(c.mm->map_count, 1);
	user_dev_close(&c);
}

static void a_hook_failing_after_map_fixed_leaves_a_hole(void **state)
{
	struct user_dev c = start(HOOKS_PREPARE);

	hooks.vm_ops = HOOK_CLOSE;
	assert_int_equal(map(&c), FIXED);
	hooks.mmap_ret = -EINVAL;
	assert_int_equal((long)map(&c), -EINVAL);
	assert_string_equal(hooks.log, "prepare close prepare");
	assert_null(find_vma(c.mm, 0));
	user_dev_close(&c);
}

static void a_limit_failure_before_the_hook_keeps_the_replaced_mapping(void **state)
{
	struct user_dev c = start(HOOKS_PREPARE);

	hooks.vm_ops = HOOK_CLOSE;
	assert_int_equal(map(&c), FIXED);
	fault_inject_arm("may_expand_vm", 1);
	assert_int_equal((long)map(&c), -ENOMEM);
	assert_string_equal(hooks.log, "prepare");
	assert_int_equal(find_vma(c.mm, FIXED)->vm_start, FIXED);
	user_dev_close(&c);
}

static const struct CMUnitTest tests[] = {
	HARNESS_TEST(prepare_steps_run_in_upstream_order),
	HARNESS_TEST(legacy_steps_run_hook_after_the_vma_exists),
	HARNESS_TEST(private_writable_mappings_are_charged_before_the_hook),
	HARNESS_TEST(map_fixed_over_an_accounted_mapping_of_the_same_size_charges_nothing),
	HARNESS_TEST(prepare_fields_reach_the_new_vma),
	HARNESS_TEST(a_failed_prepare_hook_leaves_nothing_and_is_not_called_back),
	HARNESS_TEST(vma_alloc_failure_after_prepare_calls_no_hook),
	HARNESS_TEST(iter_prealloc_failure_after_prepare_calls_no_hook),
	HARNESS_TEST(close_runs_after_a_failed_mapped_hook),
	HARNESS_TEST(error_override_replaces_the_error_of_mapped),
	HARNESS_TEST(an_error_override_that_is_no_errno_warns_and_fails_early),
	HARNESS_TEST(mapped_may_replace_the_private_data),
	HARNESS_TEST(a_remap_action_maps_pfns_with_the_remap_flags),
	HARNESS_TEST(a_failed_remap_action_skips_mapped_and_unmaps_with_close),
	HARNESS_TEST(an_io_remap_action_becomes_a_pfn_remap),
	HARNESS_TEST(a_map_kernel_pages_action_maps_each_page_with_a_reference),
	HARNESS_TEST(a_map_kernel_pages_action_reports_an_upper_table_failure_as_efault),
	HARNESS_TEST(a_page_array_shorter_than_the_mapping_is_reported_not_read),
	HARNESS_TEST(legacy_hook_error_installs_dummy_ops_so_close_never_runs),
	HARNESS_TEST(legacy_hook_error_zaps_what_the_driver_had_mapped),
	HARNESS_TEST(compat_path_applies_the_prepare_fields_to_the_vma),
	HARNESS_TEST(compat_path_runs_mapped_but_never_close_on_its_failure),
	HARNESS_TEST(compat_path_ignores_error_override),
	HARNESS_TEST(a_merged_mapping_gets_no_mapped_call_and_no_new_fields),
	HARNESS_TEST(a_mapping_with_discontiguous_pgoff_does_not_merge),
	HARNESS_TEST(special_flags_never_merge),
	HARNESS_TEST(a_legacy_hook_is_not_called_for_a_mapping_that_merges),
	HARNESS_TEST(merging_never_removes_a_neighbour_with_close),
	HARNESS_TEST(a_failed_merge_expansion_falls_back_to_a_new_vma),
	HARNESS_TEST(map_fixed_closes_the_old_mapping_before_the_new_hook),
	HARNESS_TEST(a_hook_failing_after_map_fixed_leaves_a_hole),
	HARNESS_TEST(a_limit_failure_before_the_hook_keeps_the_replaced_mapping),
};

HARNESS_MAIN("mmap_path", tests)
