// SPDX-License-Identifier: GPL-2.0
/*
 * examples/flags, run from its unmodified source: the legacy .mmap driver
 * (flags_before) and its .mmap_prepare conversion (flags_after) must give
 * the same VMAs, page tables and errors for every request, and neither may
 * leak at any failure point.
 */
#include <harness/scenario.h>
#include "examples/flags/flags-uapi.h"

#define ADDR	0x20000000UL
#define SIZE	(KIT_FLAGS_PAGES * PAGE_SIZE)

static const char *const variants[] = { "flags_before", "flags_after" };

static struct user_dev open_dev(const char *module, int open_flags)
{
	return user_dev_open(module, KIT_FLAGS_PATH, open_flags);
}

static long map(struct user_dev *d, unsigned long len, unsigned long prot,
		unsigned long flags, unsigned long pgoff)
{
	return user_mmap(d->mm, ADDR, len, prot, flags | MAP_FIXED, d->file,
			 pgoff);
}

/* mmap() of every variant fails with @err for this request. */
static void assert_refused(int open_flags, unsigned long len,
			   unsigned long prot, unsigned long flags,
			   unsigned long pgoff, long err)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(variants); i++) {
		struct user_dev d = open_dev(variants[i], open_flags);

		assert_int_equal(map(&d, len, prot, flags, pgoff), err);
		assert_null(find_vma(d.mm, 0));
		user_dev_close(&d);
	}
}

static void assert_flags_of(const char *module)
{
	struct user_dev d = open_dev(module, O_RDWR);
	struct vm_area_struct *vma;

	assert_int_equal(map(&d, SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, 0),
			 ADDR);
	vma = find_vma(d.mm, ADDR);
	assert_true(vma_test_all(vma, VMA_DONTEXPAND_BIT, VMA_DONTDUMP_BIT,
				 VMA_SHARED_BIT));
	assert_false(vma_test(vma, VMA_MAYEXEC_BIT));
	assert_non_null(vma->vm_ops->fault);
	assert_non_null(vma->vm_private_data);
	user_dev_close(&d);
}

static void the_legacy_driver_sets_dontexpand_dontdump_and_drops_mayexec(void **state)
{
	assert_flags_of("flags_before");
}

static void the_prepare_driver_sets_dontexpand_dontdump_and_drops_mayexec(void **state)
{
	assert_flags_of("flags_after");
}

static void both_drivers_serve_the_pattern_through_faults(void **state)
{
	static unsigned char buf[SIZE];
	unsigned long off;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(variants); i++) {
		struct user_dev d = open_dev(variants[i], O_RDONLY);

		assert_int_equal(map(&d, SIZE - PAGE_SIZE, PROT_READ,
				     MAP_SHARED, 1), ADDR);
		assert_int_equal(user_read(d.mm, ADDR, buf, SIZE - PAGE_SIZE), 0);
		for (off = 0; off < SIZE - PAGE_SIZE; off++)
			assert_int_equal(buf[off], kit_flags_pattern(off + PAGE_SIZE));
		assert_int_equal(mm_nr_ptes(d.mm), KIT_FLAGS_PAGES - 1);
		user_dev_close(&d);
	}
}

static void a_store_through_one_mapping_shows_in_another(void **state)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(variants); i++) {
		struct user_dev d = open_dev(variants[i], O_RDWR);
		unsigned char byte = 0x42;
		struct mm_struct *other = mm_alloc();

		assert_int_equal(map(&d, SIZE, PROT_READ | PROT_WRITE,
				     MAP_SHARED, 0), ADDR);
		assert_int_equal(user_write(d.mm, ADDR + 5, &byte, 1), 0);
		assert_mapped(user_mmap(other, 0, SIZE, PROT_READ, MAP_SHARED,
					d.file, 0));
		byte = 0;
		assert_int_equal(user_read(other, find_vma(other, 0)->vm_start + 5,
					   &byte, 1), 0);
		assert_int_equal(byte, 0x42);
		mmput(other);
		user_dev_close(&d);
	}
}

static void a_private_mapping_fails_with_einval(void **state)
{
	assert_refused(O_RDWR, SIZE, PROT_READ, MAP_PRIVATE, 0, -EINVAL);
}

static void a_window_reaching_past_the_buffer_fails_with_einval(void **state)
{
	assert_refused(O_RDWR, SIZE, PROT_READ, MAP_SHARED, 1, -EINVAL);
}

static void an_offset_past_the_buffer_fails_with_einval(void **state)
{
	assert_refused(O_RDWR, PAGE_SIZE, PROT_READ, MAP_SHARED,
		       KIT_FLAGS_PAGES, -EINVAL);
}

static void an_executable_mapping_fails_with_eperm(void **state)
{
	assert_refused(O_RDWR, SIZE, PROT_READ | PROT_EXEC, MAP_SHARED, 0,
		       -EPERM);
}

static void a_writable_mapping_of_a_read_only_file_fails_with_eacces(void **state)
{
	assert_refused(O_RDONLY, SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, 0,
		       -EACCES);
}

static void growing_a_mapping_with_mremap_fails_with_efault(void **state)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(variants); i++) {
		struct user_dev d = open_dev(variants[i], O_RDWR);

		assert_int_equal(map(&d, PAGE_SIZE, PROT_READ, MAP_SHARED, 0),
				 ADDR);
		assert_int_equal((long)user_mremap(d.mm, ADDR, PAGE_SIZE, SIZE,
						   MREMAP_MAYMOVE, 0), -EFAULT);
		user_dev_close(&d);
	}
}

static void unloading_is_refused_while_a_mapping_holds_the_file(void **state)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(variants); i++) {
		struct user_dev d = open_dev(variants[i], O_RDWR);

		assert_int_equal(map(&d, SIZE, PROT_READ, MAP_SHARED, 0), ADDR);
		user_close(d.file);
		assert_int_equal(module_unload(variants[i]), -EAGAIN);
		mmput(d.mm);
		assert_int_equal(module_unload(variants[i]), 0);
	}
}

/* The equivalence table: one row per request, run through both drivers. */
static const struct mmap_row table[] = {
	{ "whole, touched", O_RDWR, SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, 0, ROW_TOUCH },
	{ "read-only file", O_RDONLY, SIZE, PROT_READ, MAP_SHARED, 0, ROW_TOUCH },
	{ "window at page 2", O_RDWR, 2 * PAGE_SIZE, PROT_READ, MAP_SHARED, 2, ROW_TOUCH },
	{ "untouched", O_RDWR, SIZE, PROT_READ, MAP_SHARED, 0, ROW_NOTHING },
	{ "middle page unmapped", O_RDWR, SIZE, PROT_READ, MAP_SHARED, 0, ROW_SPLIT },
	{ "shrunk by mremap", O_RDWR, SIZE, PROT_READ, MAP_SHARED, 0, ROW_SHRINK },
	{ "forked, child touched", O_RDWR, SIZE, PROT_READ, MAP_SHARED, 0, ROW_FORK },
	{ "private", O_RDWR, SIZE, PROT_READ, MAP_PRIVATE, 0, ROW_TOUCH },
	{ "past the end", O_RDWR, SIZE, PROT_READ, MAP_SHARED, 3, ROW_TOUCH },
	{ "executable", O_RDWR, SIZE, PROT_READ | PROT_EXEC, MAP_SHARED, 0, ROW_TOUCH },
	{ "writable, read-only file", O_RDONLY, SIZE, PROT_WRITE, MAP_SHARED, 0, ROW_TOUCH },
};

static void before_and_after_leave_the_same_layout_for_every_request(void **state)
{
	assert_rows_equivalent("flags_before", "flags_after", KIT_FLAGS_PATH,
			       table, ARRAY_SIZE(table));
}

static void nothing_leaks_at_any_failure_point_of_the_legacy_driver(void **state)
{
	assert_session_clean("flags_before", KIT_FLAGS_PATH, SIZE);
}

static void nothing_leaks_at_any_failure_point_of_the_prepare_driver(void **state)
{
	assert_session_clean("flags_after", KIT_FLAGS_PATH, SIZE);
}

static const struct CMUnitTest tests[] = {
	HARNESS_TEST(the_legacy_driver_sets_dontexpand_dontdump_and_drops_mayexec),
	HARNESS_TEST(the_prepare_driver_sets_dontexpand_dontdump_and_drops_mayexec),
	HARNESS_TEST(both_drivers_serve_the_pattern_through_faults),
	HARNESS_TEST(a_store_through_one_mapping_shows_in_another),
	HARNESS_TEST(a_private_mapping_fails_with_einval),
	HARNESS_TEST(a_window_reaching_past_the_buffer_fails_with_einval),
	HARNESS_TEST(an_offset_past_the_buffer_fails_with_einval),
	HARNESS_TEST(an_executable_mapping_fails_with_eperm),
	HARNESS_TEST(a_writable_mapping_of_a_read_only_file_fails_with_eacces),
	HARNESS_TEST(growing_a_mapping_with_mremap_fails_with_efault),
	HARNESS_TEST(unloading_is_refused_while_a_mapping_holds_the_file),
	HARNESS_TEST(before_and_after_leave_the_same_layout_for_every_request),
	HARNESS_TEST(nothing_leaks_at_any_failure_point_of_the_legacy_driver),
	HARNESS_TEST(nothing_leaks_at_any_failure_point_of_the_prepare_driver),
};

HARNESS_MAIN("flags", tests)
