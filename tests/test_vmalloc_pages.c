// SPDX-License-Identifier: GPL-2.0
/*
 * examples/vmalloc-pages from its unmodified source: vm_insert_page() in a
 * loop in a legacy .mmap (vmalloc_pages_before) against
 * mmap_action_map_kernel_pages_full() with error_override in .mmap_prepare
 * (vmalloc_pages_after).
 */
#include <harness/scenario.h>
#include "examples/vmalloc-pages/vmalloc-pages-uapi.h"

#define ADDR	0x20000000UL
#define SIZE	(KIT_VMALLOC_PAGES * PAGE_SIZE)

static const char *const variants[] = {
	"vmalloc_pages_before", "vmalloc_pages_after"
};

static struct user_dev open_dev(const char *module, int open_flags)
{
	return user_dev_open(module, KIT_VMALLOC_PATH, open_flags);
}

static long map(struct user_dev *d, unsigned long len, unsigned long prot,
		unsigned long flags, unsigned long pgoff)
{
	return user_mmap(d->mm, ADDR, len, prot, flags | MAP_FIXED, d->file,
			 pgoff);
}

/* Every byte of [@addr, @addr + @len) must read the buffer from page @pgoff. */
static void assert_reads_pattern(struct mm_struct *mm, unsigned long addr,
				 unsigned long len, unsigned long pgoff)
{
	static unsigned char buf[SIZE];
	unsigned long off;

	assert_int_equal(user_read(mm, addr, buf, len), 0);
	for (off = 0; off < len; off++)
		if (buf[off] != kit_vmalloc_pattern(pgoff * PAGE_SIZE + off))
			fail_msg("byte %#lx of the mapping (buffer offset %#lx): got %#x, expected %#x",
				 off, pgoff * PAGE_SIZE + off, buf[off],
				 kit_vmalloc_pattern(pgoff * PAGE_SIZE + off));
}

/*
 * Map pages 2-4 of the buffer: three entries that each map a page (not a
 * raw PFN) of the one vmalloc allocation, in order, each holding a page
 * reference, in a VMA that is a mixed map and cannot grow.
 */
static void assert_window_inserted_by(const char *module)
{
	struct user_dev d = open_dev(module, O_RDWR);
	struct vm_area_struct *vma;
	struct pte_info pte;
	char *layout, want[64];
	unsigned long i;

	assert_int_equal(map(&d, 3 * PAGE_SIZE, PROT_READ | PROT_WRITE,
			     MAP_SHARED, 2), ADDR);
	vma = find_vma(d.mm, ADDR);
	assert_true(vma_test_all(vma, VMA_MIXEDMAP_BIT, VMA_DONTEXPAND_BIT,
				 VMA_SHARED_BIT));
	assert_false(vma_test_any(vma, VMA_PFNMAP_BIT, VMA_IO_BIT,
				  VMA_DONTDUMP_BIT));
	assert_int_equal(mm_nr_ptes(d.mm), 3);
	layout = mm_layout(d.mm);
	for (i = 0; i < 3; i++) {
		assert_true(pte_lookup(d.mm, ADDR + i * PAGE_SIZE, &pte));
		assert_non_null(pte.page);
		assert_int_equal(page_count(pte.page), 2);
		snprintf(want, sizeof(want), "pte %#lx vmalloc#0+%lu page rw",
			 ADDR + i * PAGE_SIZE, 2 + i);
		if (!strstr(layout, want))
			fail_msg("no \"%s\" in:\n%s", want, layout);
	}
	free(layout);
	assert_reads_pattern(d.mm, ADDR, 3 * PAGE_SIZE, 2);
	user_dev_close(&d);
}

static void the_legacy_driver_inserts_each_page_of_the_window_at_mmap_time(void **state)
{
	assert_window_inserted_by("vmalloc_pages_before");
}

static void the_prepare_driver_inserts_the_same_pages_through_its_action(void **state)
{
	assert_window_inserted_by("vmalloc_pages_after");
}

static void the_page_references_go_with_the_mapping_in_both_drivers(void **state)
{
	struct pte_info pte;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(variants); i++) {
		struct user_dev d = open_dev(variants[i], O_RDWR);
		struct page *page;

		assert_int_equal(map(&d, SIZE, PROT_READ, MAP_SHARED, 0), ADDR);
		assert_true(pte_lookup(d.mm, ADDR + PAGE_SIZE, &pte));
		page = pte.page;
		assert_int_equal(page_count(page), 2);
		assert_int_equal(user_munmap(d.mm, ADDR, SIZE), 0);
		assert_int_equal(page_count(page), 1);
		user_dev_close(&d);
	}
}

static void a_store_in_a_forked_child_is_seen_by_the_parent_in_both_drivers(void **state)
{
	const unsigned char val = (unsigned char)~kit_vmalloc_pattern(SIZE - 1);
	unsigned char got = 0;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(variants); i++) {
		struct user_dev d = open_dev(variants[i], O_RDWR);
		struct mm_struct *child;

		assert_int_equal(map(&d, SIZE, PROT_READ | PROT_WRITE,
				     MAP_SHARED, 0), ADDR);
		child = user_fork(d.mm);
		assert_non_null(child);
		/* fork() copied the entries of the mixed map: no fault needed. */
		assert_int_equal(mm_nr_ptes(child), KIT_VMALLOC_PAGES);
		assert_int_equal(user_write(child, ADDR + SIZE - 1, &val, 1), 0);
		assert_int_equal(user_read(d.mm, ADDR + SIZE - 1, &got, 1), 0);
		assert_int_equal(got, val);
		mmput(child);
		user_dev_close(&d);
	}
}

/*
 * With the @nth hit of @point failing, mmap() of both drivers fails with
 * ENOMEM and leaves no VMA, no entry and no extra page reference.
 */
static void assert_failure_is_enomem(const char *point, unsigned int nth)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(variants); i++) {
		struct user_dev d = open_dev(variants[i], O_RDWR);
		struct pte_info pte;
		struct page *page;

		/* A first mapping, to get at a page of the buffer. */
		assert_int_equal(map(&d, PAGE_SIZE, PROT_READ, MAP_SHARED, 0),
				 ADDR);
		assert_true(pte_lookup(d.mm, ADDR, &pte));
		page = pte.page;
		assert_int_equal(user_munmap(d.mm, ADDR, PAGE_SIZE), 0);

		fault_inject_arm(point, nth);
		assert_int_equal(map(&d, SIZE, PROT_READ, MAP_SHARED, 0), -ENOMEM);
		assert_true(fault_inject_fired());
		assert_null(find_vma(d.mm, 0));
		assert_int_equal(mm_nr_ptes(d.mm), 0);
		assert_int_equal(page_count(page), 1);
		user_dev_close(&d);
	}
}

static void a_page_table_failure_is_enomem_in_both_drivers(void **state)
{
	assert_failure_is_enomem("pte_alloc", 1);
}

/* The action alone would say EFAULT here; error_override keeps ENOMEM. */
static void an_upper_level_table_failure_is_enomem_in_both_drivers(void **state)
{
	assert_failure_is_enomem("pmd_alloc", 1);
}

/* Only the legacy loop gets this far: it allocates a table per page. */
static void a_failure_at_the_third_page_undoes_the_first_two_in_the_legacy_driver(void **state)
{
	struct user_dev d = open_dev("vmalloc_pages_before", O_RDWR);

	fault_inject_arm("pte_alloc", 3);
	assert_int_equal(map(&d, SIZE, PROT_READ, MAP_SHARED, 0), -ENOMEM);
	assert_true(fault_inject_fired());
	assert_null(find_vma(d.mm, 0));
	assert_int_equal(mm_nr_ptes(d.mm), 0);
	user_dev_close(&d);
}

static void a_vma_allocation_failure_is_enomem_in_both_drivers(void **state)
{
	assert_failure_is_enomem("vma_alloc", 1);
}

/* mmap() of both drivers fails with @err for this request, mapping nothing. */
static void assert_refused(int open_flags, unsigned long len,
			   unsigned long prot, unsigned long flags,
			   unsigned long pgoff, long err)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(variants); i++) {
		struct user_dev d = open_dev(variants[i], open_flags);

		assert_int_equal(map(&d, len, prot, flags, pgoff), err);
		assert_null(find_vma(d.mm, 0));
		assert_int_equal(mm_nr_ptes(d.mm), 0);
		user_dev_close(&d);
	}
}

static void a_private_mapping_fails_with_einval_even_on_a_read_only_descriptor(void **state)
{
	assert_refused(O_RDWR, SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE, 0,
		       -EINVAL);
	assert_refused(O_RDONLY, SIZE, PROT_READ, MAP_PRIVATE, 0, -EINVAL);
}

static void a_window_outside_the_buffer_fails_with_einval(void **state)
{
	assert_refused(O_RDWR, SIZE + PAGE_SIZE, PROT_READ, MAP_SHARED, 0,
		       -EINVAL);
	assert_refused(O_RDWR, 2 * PAGE_SIZE, PROT_READ, MAP_SHARED,
		       KIT_VMALLOC_PAGES - 1, -EINVAL);
	assert_refused(O_RDWR, PAGE_SIZE, PROT_READ, MAP_SHARED,
		       KIT_VMALLOC_PAGES, -EINVAL);
	/* Far enough that a window check that adds first would wrap. */
	assert_refused(O_RDWR, 2 * PAGE_SIZE, PROT_READ, MAP_SHARED,
		       -3UL, -EINVAL);
}

static void a_read_only_descriptor_maps_the_pages_read_only(void **state)
{
	struct pte_info pte;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(variants); i++) {
		struct user_dev d = open_dev(variants[i], O_RDONLY);

		assert_int_equal(map(&d, SIZE - PAGE_SIZE, PROT_READ, MAP_SHARED,
				     1), ADDR);
		assert_true(pte_lookup(d.mm, ADDR, &pte));
		assert_false(pgprot_val(pte.prot) & _PAGE_RW);
		assert_reads_pattern(d.mm, ADDR, SIZE - PAGE_SIZE, 1);
		user_dev_close(&d);
	}
}

static void growing_the_mapping_fails_with_efault_in_both_drivers(void **state)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(variants); i++) {
		struct user_dev d = open_dev(variants[i], O_RDWR);

		assert_int_equal(map(&d, 2 * PAGE_SIZE, PROT_READ, MAP_SHARED, 0),
				 ADDR);
		assert_int_equal((long)user_mremap(d.mm, ADDR, 2 * PAGE_SIZE,
						   3 * PAGE_SIZE,
						   MREMAP_MAYMOVE, 0), -EFAULT);
		user_dev_close(&d);
	}
}

static void moving_the_mapping_takes_its_pages_along_in_both_drivers(void **state)
{
	const unsigned long to = ADDR + 4 * SIZE;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(variants); i++) {
		struct user_dev d = open_dev(variants[i], O_RDWR);

		assert_int_equal(map(&d, 2 * PAGE_SIZE, PROT_READ, MAP_SHARED, 3),
				 ADDR);
		assert_int_equal((long)user_mremap(d.mm, ADDR, 2 * PAGE_SIZE,
						   2 * PAGE_SIZE,
						   MREMAP_MAYMOVE | MREMAP_FIXED,
						   to), to);
		assert_int_equal(mm_nr_ptes(d.mm), 2);
		assert_reads_pattern(d.mm, to, 2 * PAGE_SIZE, 3);
		user_dev_close(&d);
	}
}

static const struct mmap_row table[] = {
	{ "whole, touched", O_RDWR, SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, 0, ROW_TOUCH },
	{ "read-only file", O_RDONLY, SIZE, PROT_READ, MAP_SHARED, 0, ROW_TOUCH },
	{ "window at page 2", O_RDWR, 3 * PAGE_SIZE, PROT_READ, MAP_SHARED, 2, ROW_TOUCH },
	{ "last page alone", O_RDWR, PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED,
	  KIT_VMALLOC_PAGES - 1, ROW_TOUCH },
	{ "middle page unmapped", O_RDWR, SIZE, PROT_READ, MAP_SHARED, 0, ROW_SPLIT },
	{ "shrunk by mremap", O_RDWR, SIZE, PROT_READ, MAP_SHARED, 0, ROW_SHRINK },
	{ "forked, child touched", O_RDWR, SIZE, PROT_READ, MAP_SHARED, 0, ROW_FORK },
	{ "private", O_RDWR, SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE, 0, ROW_TOUCH },
	{ "private read-only file", O_RDONLY, SIZE, PROT_READ, MAP_PRIVATE, 0, ROW_TOUCH },
	{ "write on a read-only file", O_RDONLY, SIZE, PROT_READ | PROT_WRITE,
	  MAP_SHARED, 0, ROW_TOUCH },
	{ "past the end", O_RDWR, SIZE, PROT_READ, MAP_SHARED, 1, ROW_TOUCH },
	{ "offset at the end", O_RDWR, PAGE_SIZE, PROT_READ, MAP_SHARED,
	  KIT_VMALLOC_PAGES, ROW_TOUCH },
	{ "offset that wraps", O_RDWR, 2 * PAGE_SIZE, PROT_READ, MAP_SHARED, -1UL,
	  ROW_TOUCH },
};

static void before_and_after_leave_the_same_layout_for_every_request(void **state)
{
	assert_rows_equivalent("vmalloc_pages_before", "vmalloc_pages_after",
			       KIT_VMALLOC_PATH, table, ARRAY_SIZE(table));
}

static void nothing_leaks_at_any_failure_point_of_the_legacy_driver(void **state)
{
	assert_session_clean("vmalloc_pages_before", KIT_VMALLOC_PATH, SIZE);
}

static void nothing_leaks_at_any_failure_point_of_the_prepare_driver(void **state)
{
	assert_session_clean("vmalloc_pages_after", KIT_VMALLOC_PATH, SIZE);
}

static const struct CMUnitTest tests[] = {
	HARNESS_TEST(the_legacy_driver_inserts_each_page_of_the_window_at_mmap_time),
	HARNESS_TEST(the_prepare_driver_inserts_the_same_pages_through_its_action),
	HARNESS_TEST(the_page_references_go_with_the_mapping_in_both_drivers),
	HARNESS_TEST(a_store_in_a_forked_child_is_seen_by_the_parent_in_both_drivers),
	HARNESS_TEST(a_page_table_failure_is_enomem_in_both_drivers),
	HARNESS_TEST(an_upper_level_table_failure_is_enomem_in_both_drivers),
	HARNESS_TEST(a_failure_at_the_third_page_undoes_the_first_two_in_the_legacy_driver),
	HARNESS_TEST(a_vma_allocation_failure_is_enomem_in_both_drivers),
	HARNESS_TEST(a_private_mapping_fails_with_einval_even_on_a_read_only_descriptor),
	HARNESS_TEST(a_window_outside_the_buffer_fails_with_einval),
	HARNESS_TEST(a_read_only_descriptor_maps_the_pages_read_only),
	HARNESS_TEST(growing_the_mapping_fails_with_efault_in_both_drivers),
	HARNESS_TEST(moving_the_mapping_takes_its_pages_along_in_both_drivers),
	HARNESS_TEST(before_and_after_leave_the_same_layout_for_every_request),
	HARNESS_TEST(nothing_leaks_at_any_failure_point_of_the_legacy_driver),
	HARNESS_TEST(nothing_leaks_at_any_failure_point_of_the_prepare_driver),
};

HARNESS_MAIN("vmalloc_pages", tests)
