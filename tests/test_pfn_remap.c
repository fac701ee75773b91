// SPDX-License-Identifier: GPL-2.0
/*
 * examples/pfn-remap from its unmodified source: remap_pfn_range() in a
 * legacy .mmap (pfn_remap_before) against mmap_action_remap_full() with
 * error_override in .mmap_prepare (pfn_remap_after).
 */
#include <harness/scenario.h>
#include "examples/pfn-remap/pfn-remap-uapi.h"

#define ADDR	0x20000000UL
#define SIZE	(KIT_PFN_PAGES * PAGE_SIZE)

static const char *const variants[] = { "pfn_remap_before", "pfn_remap_after" };

static struct user_dev open_dev(const char *module)
{
	return user_dev_open(module, KIT_PFN_PATH, O_RDWR);
}

static long map(struct user_dev *d, unsigned long len, unsigned long flags,
		unsigned long pgoff)
{
	return user_mmap(d->mm, ADDR, len, PROT_READ | PROT_WRITE,
			 flags | MAP_FIXED, d->file, pgoff);
}

static void assert_pfn_map_of(const char *module)
{
	struct user_dev d = open_dev(module);
	unsigned char buf[2];
	struct pte_info first, last;

	assert_int_equal(map(&d, SIZE, MAP_SHARED, 0), ADDR);
	assert_true(vma_test_all_mask(find_vma(d.mm, ADDR), VMA_REMAP_FLAGS));
	assert_int_equal(mm_nr_ptes(d.mm), KIT_PFN_PAGES);
	assert_true(pte_lookup(d.mm, ADDR, &first));
	assert_true(pte_lookup(d.mm, ADDR + SIZE - PAGE_SIZE, &last));
	assert_null(first.page);
	assert_int_equal(last.pfn, first.pfn + KIT_PFN_PAGES - 1);
	assert_int_equal(user_read(d.mm, ADDR + SIZE - 2, buf, 2), 0);
	assert_int_equal(buf[1], kit_pfn_pattern(SIZE - 1));
	user_dev_close(&d);
}

static void the_legacy_driver_maps_every_page_frame_at_mmap_time(void **state)
{
	assert_pfn_map_of("pfn_remap_before");
}

static void the_prepare_driver_maps_every_page_frame_through_its_action(void **state)
{
	assert_pfn_map_of("pfn_remap_after");
}

/* With @point failing, mmap() of both drivers fails with @err and maps nothing. */
static void assert_failure_maps_to(const char *point, long err)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(variants); i++) {
		struct user_dev d = open_dev(variants[i]);

		fault_inject_arm(point, 1);
		assert_int_equal(map(&d, SIZE, MAP_SHARED, 0), err);
		assert_null(find_vma(d.mm, 0));
		assert_int_equal(mm_nr_ptes(d.mm), 0);
		user_dev_close(&d);
	}
}

static void a_page_table_failure_is_eagain_in_both_drivers(void **state)
{
	assert_failure_maps_to("pte_alloc", -EAGAIN);
}

static void a_vma_allocation_failure_is_enomem_in_both_drivers(void **state)
{
	assert_failure_maps_to("vma_alloc", -ENOMEM);
}

static void a_private_mapping_fails_with_einval(void **state)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(variants); i++) {
		struct user_dev d = open_dev(variants[i]);

		assert_int_equal(map(&d, SIZE, MAP_PRIVATE, 0), -EINVAL);
		user_dev_close(&d);
	}
}

static const struct mmap_row table[] = {
	{ "whole, touched", O_RDWR, SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, 0, ROW_TOUCH },
	{ "read-only file", O_RDONLY, SIZE, PROT_READ, MAP_SHARED, 0, ROW_TOUCH },
	{ "private read-only file", O_RDONLY, SIZE, PROT_READ, MAP_PRIVATE, 0, ROW_TOUCH },
	{ "window at page 1", O_RDWR, 2 * PAGE_SIZE, PROT_READ, MAP_SHARED, 1, ROW_TOUCH },
	{ "middle page unmapped", O_RDWR, SIZE, PROT_READ, MAP_SHARED, 0, ROW_SPLIT },
	{ "shrunk by mremap", O_RDWR, SIZE, PROT_READ, MAP_SHARED, 0, ROW_SHRINK },
	{ "forked, child touched", O_RDWR, SIZE, PROT_READ, MAP_SHARED, 0, ROW_FORK },
	{ "private", O_RDWR, SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE, 0, ROW_TOUCH },
	{ "past the end", O_RDWR, SIZE, PROT_READ, MAP_SHARED, 1, ROW_TOUCH },
};

static void before_and_after_leave_the_same_layout_for_every_request(void **state)
{
	assert_rows_equivalent("pfn_remap_before", "pfn_remap_after",
			       KIT_PFN_PATH, table, ARRAY_SIZE(table));
}

static void nothing_leaks_at_any_failure_point_of_the_legacy_driver(void **state)
{
	assert_session_clean("pfn_remap_before", KIT_PFN_PATH, SIZE);
}

static void nothing_leaks_at_any_failure_point_of_the_prepare_driver(void **state)
{
	assert_session_clean("pfn_remap_after", KIT_PFN_PATH, SIZE);
}

static const struct CMUnitTest tests[] = {
	HARNESS_TEST(the_legacy_driver_maps_every_page_frame_at_mmap_time),
	HARNESS_TEST(the_prepare_driver_maps_every_page_frame_through_its_action),
	HARNESS_TEST(a_page_table_failure_is_eagain_in_both_drivers),
	HARNESS_TEST(a_vma_allocation_failure_is_enomem_in_both_drivers),
	HARNESS_TEST(a_private_mapping_fails_with_einval),
	HARNESS_TEST(before_and_after_leave_the_same_layout_for_every_request),
	HARNESS_TEST(nothing_leaks_at_any_failure_point_of_the_legacy_driver),
	HARNESS_TEST(nothing_leaks_at_any_failure_point_of_the_prepare_driver),
};

HARNESS_MAIN("pfn_remap", tests)
