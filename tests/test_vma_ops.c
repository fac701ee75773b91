// SPDX-License-Identifier: GPL-2.0
/*
 * What happens to a mapping after mmap(): munmap (whole and partial, with
 * ->may_split, ->open and ->close), fork, mremap, and faults. The test
 * driver is tests/drivers/hooks.c.
 */
#include <harness/scenario.h>
#include "drivers/hooks.h"

struct hooks_ctl hooks;

#define LEN	(4 * PAGE_SIZE)
#define ADDR	0x10000000UL

/* The hooks device open in a process, and four pages to map. */
struct ctx {
	struct user_dev dev;
	struct mm_struct *mm;
	struct page *pages;
};

static struct ctx start(const char *dev, unsigned int vm_ops)
{
	struct ctx c;

	memset(&hooks, 0, sizeof(hooks));
	hooks.vm_ops = vm_ops;
	c.dev = user_dev_open("hooks", dev, O_RDWR);
	c.mm = c.dev.mm;
	c.pages = alloc_pages(GFP_KERNEL, 2);
	return c;
}

static void finish(struct ctx *c)
{
	user_dev_close(&c->dev);
	__free_pages(c->pages, 2);
}

static void map(struct ctx *c, unsigned long flags)
{
	assert_int_equal(user_mmap(c->mm, ADDR, LEN, PROT_READ | PROT_WRITE,
				   flags | MAP_FIXED, c->dev.file, 0), ADDR);
	hooks.log[0] = '\0';
}

/* A .mmap_prepare mapping whose pages the driver remaps (a PFN map). */
static void map_pfns(struct ctx *c)
{
	hooks.action = MMAP_REMAP_PFN;
	hooks.action_pfn = page_to_pfn(c->pages);
	map(c, MAP_SHARED);
}

static void munmap_of_the_whole_mapping_closes_it_once(void **state)
{
	struct ctx c = start(HOOKS_PREPARE, HOOK_OPEN | HOOK_CLOSE);

	map(&c, MAP_SHARED);
	assert_int_equal(user_munmap(c.mm, ADDR, LEN), 0);
	assert_string_equal(hooks.log, "close");
	assert_null(find_vma(c.mm, 0));
	finish(&c);
}

static void munmap_of_the_middle_splits_twice_then_closes_the_middle(void **state)
{
	struct ctx c = start(HOOKS_PREPARE,
			     HOOK_OPEN | HOOK_CLOSE | HOOK_MAY_SPLIT);
	struct vm_area_struct *vma;

	map(&c, MAP_SHARED);
	assert_int_equal(user_munmap(c.mm, ADDR + PAGE_SIZE, PAGE_SIZE), 0);
	assert_string_equal(hooks.log, "may_split open may_split open close");
	assert_int_equal(c.mm->map_count, 2);
	vma = find_vma(c.mm, ADDR + PAGE_SIZE);
	assert_int_equal(vma->vm_start, ADDR + 2 * PAGE_SIZE);
	assert_int_equal(vma->vm_pgoff, 2);
	finish(&c);
}

static void a_refused_split_leaves_the_mapping_whole(void **state)
{
	struct ctx c = start(HOOKS_PREPARE, HOOK_CLOSE | HOOK_MAY_SPLIT);

	map(&c, MAP_SHARED);
	hooks.may_split_ret = -EINVAL;
	assert_int_equal(user_munmap(c.mm, ADDR, PAGE_SIZE), -EINVAL);
	assert_string_equal(hooks.log, "may_split");
	assert_int_equal(c.mm->map_count, 1);
	finish(&c);
}

static void a_failed_split_allocation_leaves_the_mapping_whole(void **state)
{
	struct ctx c = start(HOOKS_PREPARE, HOOK_OPEN | HOOK_CLOSE);

	map(&c, MAP_SHARED);
	fault_inject_arm("vma_dup", 1);
	assert_int_equal(user_munmap(c.mm, ADDR, PAGE_SIZE), -ENOMEM);
	assert_string_equal(hooks.log, "");
	assert_int_equal(find_vma(c.mm, ADDR)->vm_end, ADDR + LEN);
	finish(&c);
}

static void munmap_zaps_the_pages_of_the_range_only(void **state)
{
	struct ctx c = start(HOOKS_PREPARE, 0);

	map_pfns(&c);
	assert_int_equal(user_munmap(c.mm, ADDR, PAGE_SIZE), 0);
	assert_int_equal(mm_nr_ptes(c.mm), 3);
	finish(&c);
}

static void fork_opens_the_childs_copy_and_exit_closes_it(void **state)
{
	struct ctx c = start(HOOKS_PREPARE, HOOK_OPEN | HOOK_CLOSE);
	struct mm_struct *child;

	map(&c, MAP_SHARED);
	child = user_fork(c.mm);
	assert_non_null(child);
	assert_int_equal(child->map_count, 1);
	mmput(child);
	assert_string_equal(hooks.log, "open close");
	finish(&c);
}

static void fork_copies_pfn_entries(void **state)
{
	struct ctx c = start(HOOKS_PREPARE, 0);
	struct mm_struct *child;
	struct pte_info pte;

	map_pfns(&c);
	child = user_fork(c.mm);
	assert_true(pte_lookup(child, ADDR, &pte));
	assert_int_equal(pte.pfn, page_to_pfn(c.pages));
	mmput(child);
	finish(&c);
}

static void fork_leaves_fault_served_entries_to_be_faulted_again(void **state)
{
	struct ctx c = start(HOOKS_PREPARE, HOOK_FAULT);
	struct mm_struct *child;
	char byte;

	hooks.fault_page = c.pages;
	map(&c, MAP_SHARED);
	assert_int_equal(user_read(c.mm, ADDR, &byte, 1), 0);
	child = user_fork(c.mm);
	assert_int_equal(mm_nr_ptes(child), 0);
	mmput(child);
	finish(&c);
}

static void fork_skips_dontcopy_mappings(void **state)
{
	struct ctx c = start(HOOKS_PREPARE, HOOK_OPEN);
	struct mm_struct *child;

	hooks.set_flags = VM_DONTCOPY;
	map(&c, MAP_SHARED);
	child = user_fork(c.mm);
	assert_int_equal(child->map_count, 0);
	assert_string_equal(hooks.log, "");
	mmput(child);
	finish(&c);
}

/* A PFN map: its entries are copied, so fork allocates page tables. */
static void a_failed_fork_closes_the_copies_it_made(void **state)
{
	struct ctx c = start(HOOKS_PREPARE, HOOK_OPEN | HOOK_CLOSE);

	map_pfns(&c);
	fault_inject_arm("pte_alloc", 1);
	assert_null(user_fork(c.mm));
	assert_string_equal(hooks.log, "open close");
	finish(&c);
}

/* copy_page_range() returns early: vma_needs_copy() is false. */
static void fork_allocates_no_page_table_for_a_mapping_faults_refill(void **state)
{
	struct ctx c = start(HOOKS_PREPARE, HOOK_OPEN | HOOK_CLOSE);
	struct mm_struct *child;

	map(&c, MAP_SHARED);
	fault_inject_reset();
	child = user_fork(c.mm);
	assert_non_null(child);
	assert_string_equal(fault_inject_trace(), "vma_dup");
	mmput(child);
	finish(&c);
}

/* A VMA with copied-on-write pages has an anon_vma: all its entries go. */
static void fork_copies_every_entry_of_a_private_mapping_with_a_copied_page(void **state)
{
	struct ctx c = start(HOOKS_PREPARE, HOOK_FAULT);
	struct mm_struct *child;
	struct pte_info pte;
	char byte = 1;

	hooks.fault_page = c.pages;
	map(&c, MAP_PRIVATE);
	assert_int_equal(user_read(c.mm, ADDR, &byte, 1), 0);
	assert_int_equal(user_write(c.mm, ADDR + PAGE_SIZE, &byte, 1), 0);
	child = user_fork(c.mm);
	assert_int_equal(mm_nr_ptes(child), 2);
	assert_true(pte_lookup(child, ADDR, &pte));
	assert_ptr_equal(pte.page, c.pages);
	mmput(child);
	finish(&c);
}

static void fork_charges_an_accounted_mapping_before_duplicating_it(void **state)
{
	struct ctx c = start(HOOKS_PREPARE, HOOK_OPEN | HOOK_CLOSE);
	struct mm_struct *child;

	map(&c, MAP_PRIVATE);
	fault_inject_reset();
	child = user_fork(c.mm);
	assert_string_equal(fault_inject_trace(), "vm_enough_memory vma_dup");
	mmput(child);
	finish(&c);
}

static void a_fork_that_cannot_charge_a_mapping_opens_no_copy(void **state)
{
	struct ctx c = start(HOOKS_PREPARE, HOOK_OPEN | HOOK_CLOSE);

	map(&c, MAP_PRIVATE);
	fault_inject_arm("vm_enough_memory", 1);
	assert_null(user_fork(c.mm));
	assert_string_equal(hooks.log, "");
	finish(&c);
}

static void mremap_cannot_grow_a_dontexpand_mapping(void **state)
{
	struct ctx c = start(HOOKS_PREPARE, 0);

	hooks.set_flags = VM_DONTEXPAND;
	map(&c, MAP_SHARED);
	assert_int_equal((long)user_mremap(c.mm, ADDR, LEN, 2 * LEN,
					   MREMAP_MAYMOVE, 0), -EFAULT);
	finish(&c);
}

static void mremap_grows_in_place_into_free_space(void **state)
{
	struct ctx c = start(HOOKS_PREPARE, 0);

	map(&c, MAP_SHARED);
	assert_int_equal(user_mremap(c.mm, ADDR, LEN, 2 * LEN, 0, 0), ADDR);
	assert_int_equal(find_vma(c.mm, ADDR)->vm_end, ADDR + 2 * LEN);
	finish(&c);
}

static void mremap_shrink_unmaps_the_tail(void **state)
{
	struct ctx c = start(HOOKS_PREPARE, HOOK_OPEN | HOOK_CLOSE);

	map(&c, MAP_SHARED);
	assert_int_equal(user_mremap(c.mm, ADDR, LEN, PAGE_SIZE, 0, 0), ADDR);
	assert_string_equal(hooks.log, "open close");
	assert_int_equal(find_vma(c.mm, ADDR)->vm_end, ADDR + PAGE_SIZE);
	finish(&c);
}

/* vma_merge_extend() refuses special flags; there is no move instead. */
static void mremap_cannot_grow_a_mixedmap_mapping_in_place_nor_move_it(void **state)
{
	struct ctx c = start(HOOKS_PREPARE, 0);

	hooks.set_flags = VM_MIXEDMAP;
	map(&c, MAP_SHARED);
	assert_int_equal((long)user_mremap(c.mm, ADDR, LEN, 2 * LEN,
					   MREMAP_MAYMOVE, 0), -ENOMEM);
	assert_int_equal(find_vma(c.mm, ADDR)->vm_start, ADDR);
	assert_int_equal(find_vma(c.mm, ADDR)->vm_end, ADDR + LEN);
	finish(&c);
}

static void mremap_growing_in_place_absorbs_a_compatible_mapping_above(void **state)
{
	struct ctx c = start(HOOKS_PREPARE, 0);

	map(&c, MAP_SHARED);
	assert_int_equal(user_mmap(c.mm, ADDR + 2 * LEN, LEN,
				   PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED,
				   c.dev.file, 8), ADDR + 2 * LEN);
	assert_int_equal(c.mm->map_count, 2);
	assert_int_equal(user_mremap(c.mm, ADDR, LEN, 2 * LEN, 0, 0), ADDR);
	assert_int_equal(c.mm->map_count, 1);
	assert_int_equal(find_vma(c.mm, ADDR)->vm_end, ADDR + 3 * LEN);
	finish(&c);
}

static void mremap_shrink_may_span_past_the_end_of_the_mapping(void **state)
{
	struct ctx c = start(HOOKS_PREPARE, 0);

	map(&c, MAP_SHARED);
	assert_int_equal(user_mmap(c.mm, ADDR + LEN, LEN,
				   PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED,
				   c.dev.file, 0), ADDR + LEN);
	assert_int_equal(c.mm->map_count, 2);
	assert_int_equal(user_mremap(c.mm, ADDR, 2 * LEN, LEN, 0, 0), ADDR);
	assert_int_equal(c.mm->map_count, 1);
	assert_null(find_vma_intersection(c.mm, ADDR + LEN, ADDR + 2 * LEN));
	finish(&c);
}

static void mremap_fixed_to_a_smaller_size_moves_only_the_pages_it_keeps(void **state)
{
	struct ctx c = start(HOOKS_PREPARE, 0);
	const unsigned long to = ADDR + 16 * LEN;
	struct pte_info pte;

	map_pfns(&c);
	assert_int_equal(user_mremap(c.mm, ADDR, LEN, 2 * PAGE_SIZE,
				     MREMAP_MAYMOVE | MREMAP_FIXED, to), to);
	assert_int_equal(find_vma(c.mm, to)->vm_end, to + 2 * PAGE_SIZE);
	assert_int_equal(mm_nr_ptes(c.mm), 2);
	assert_false(pte_lookup(c.mm, to + 2 * PAGE_SIZE, &pte));
	assert_null(find_vma_intersection(c.mm, ADDR, ADDR + LEN));
	finish(&c);
}

static void mremap_to_a_range_overlapping_the_source_is_einval(void **state)
{
	struct ctx c = start(HOOKS_PREPARE, HOOK_OPEN | HOOK_CLOSE);

	map_pfns(&c);
	assert_int_equal((long)user_mremap(c.mm, ADDR, LEN, LEN,
					   MREMAP_MAYMOVE | MREMAP_FIXED,
					   ADDR + PAGE_SIZE), -EINVAL);
	assert_string_equal(hooks.log, "");
	assert_int_equal(find_vma(c.mm, ADDR)->vm_end, ADDR + LEN);
	assert_int_equal(mm_nr_ptes(c.mm), 4);
	finish(&c);
}

/* check_mremap_params() runs before check_prep_vma() looks at the VMA. */
static void mremap_rejects_a_misaligned_target_before_looking_at_the_mapping(void **state)
{
	struct ctx c = start(HOOKS_PREPARE, 0);

	hooks.set_flags = VM_DONTEXPAND;
	map(&c, MAP_SHARED);
	assert_int_equal((long)user_mremap(c.mm, ADDR, LEN, 2 * LEN,
					   MREMAP_MAYMOVE | MREMAP_FIXED,
					   ADDR + 16 * LEN + 1), -EINVAL);
	finish(&c);
}

static void mremap_move_opens_the_copy_calls_mremap_then_closes_the_old(void **state)
{
	struct ctx c = start(HOOKS_PREPARE,
			     HOOK_OPEN | HOOK_CLOSE | HOOK_MREMAP);
	const unsigned long to = ADDR + 16 * LEN;
	struct pte_info pte;

	map_pfns(&c);
	assert_int_equal(user_mremap(c.mm, ADDR, LEN, LEN,
				     MREMAP_MAYMOVE | MREMAP_FIXED, to), to);
	assert_string_equal(hooks.log, "open mremap close");
	assert_null(find_vma_intersection(c.mm, ADDR, ADDR + LEN));
	assert_true(pte_lookup(c.mm, to + PAGE_SIZE, &pte));
	assert_int_equal(pte.pfn, page_to_pfn(c.pages) + 1);
	finish(&c);
}

/* copy_vma() merges the moved range into its new neighbour: no ->open. */
static void mremap_next_to_a_compatible_mapping_merges_without_open(void **state)
{
	struct ctx c = start(HOOKS_PREPARE, HOOK_OPEN | HOOK_CLOSE);
	const unsigned long from = ADDR + 8 * LEN;

	map(&c, MAP_SHARED);
	assert_int_equal(user_mmap(c.mm, from, LEN, PROT_READ | PROT_WRITE,
				   MAP_SHARED | MAP_FIXED, c.dev.file, 4), from);
	hooks.log[0] = '\0';
	assert_int_equal(user_mremap(c.mm, from, LEN, LEN,
				     MREMAP_MAYMOVE | MREMAP_FIXED, ADDR + LEN),
			 ADDR + LEN);
	assert_int_equal(c.mm->map_count, 1);
	assert_int_equal(find_vma(c.mm, ADDR)->vm_end, ADDR + 2 * LEN);
	assert_string_equal(hooks.log, "close");
	finish(&c);
}

static void a_failed_mremap_hook_keeps_the_original_with_its_pages(void **state)
{
	struct ctx c = start(HOOKS_PREPARE,
			     HOOK_OPEN | HOOK_CLOSE | HOOK_MREMAP);
	const unsigned long to = ADDR + 16 * LEN;

	map_pfns(&c);
	hooks.mremap_ret = -EIO;
	assert_int_equal((long)user_mremap(c.mm, ADDR, LEN, LEN,
					   MREMAP_MAYMOVE | MREMAP_FIXED, to),
			 -EIO);
	assert_string_equal(hooks.log, "open mremap close");
	assert_null(find_vma_intersection(c.mm, to, to + LEN));
	assert_int_equal(mm_nr_ptes(c.mm), 4);
	finish(&c);
}

static void a_fault_maps_the_handlers_page_with_its_reference(void **state)
{
	struct ctx c = start(HOOKS_PREPARE, HOOK_FAULT);
	struct pte_info pte;
	char byte;

	hooks.fault_page = c.pages;
	*(char *)page_address(c.pages) = 0x5a;
	map(&c, MAP_SHARED);
	assert_int_equal(user_read(c.mm, ADDR, &byte, 1), 0);
	assert_int_equal(byte, 0x5a);
	assert_true(pte_lookup(c.mm, ADDR, &pte));
	assert_ptr_equal(pte.page, c.pages);
	assert_int_equal(page_count(c.pages), 2);
	assert_int_equal(user_munmap(c.mm, ADDR, LEN), 0);
	assert_int_equal(page_count(c.pages), 1);
	finish(&c);
}

static void a_write_to_a_private_mapping_copies_the_page(void **state)
{
	struct ctx c = start(HOOKS_PREPARE, HOOK_FAULT);
	struct pte_info pte;
	char byte = 1;

	hooks.fault_page = c.pages;
	*(char *)page_address(c.pages) = 0;
	map(&c, MAP_PRIVATE);
	assert_int_equal(user_write(c.mm, ADDR, &byte, 1), 0);
	assert_int_equal(*(char *)page_address(c.pages), 0);
	assert_true(pte_lookup(c.mm, ADDR, &pte));
	assert_ptr_not_equal(pte.page, c.pages);
	assert_int_equal(page_count(c.pages), 1);
	finish(&c);
}

static void a_fault_without_a_handler_is_sigbus(void **state)
{
	struct ctx c = start(HOOKS_PREPARE, HOOK_CLOSE);
	char byte;

	map(&c, MAP_SHARED);
	assert_int_equal(user_read(c.mm, ADDR, &byte, 1), -EIO);
	finish(&c);
}

static void an_access_outside_any_mapping_is_sigsegv(void **state)
{
	struct ctx c = start(HOOKS_PREPARE, 0);
	char byte;

	assert_int_equal(user_read(c.mm, ADDR, &byte, 1), -EFAULT);
	finish(&c);
}

static const struct CMUnitTest tests[] = {
	HARNESS_TEST(munmap_of_the_whole_mapping_closes_it_once),
	HARNESS_TEST(munmap_of_the_middle_splits_twice_then_closes_the_middle),
	HARNESS_TEST(a_refused_split_leaves_the_mapping_whole),
	HARNESS_TEST(a_failed_split_allocation_leaves_the_mapping_whole),
	HARNESS_TEST(munmap_zaps_the_pages_of_the_range_only),
	HARNESS_TEST(fork_opens_the_childs_copy_and_exit_closes_it),
	HARNESS_TEST(fork_copies_pfn_entries),
	HARNESS_TEST(fork_leaves_fault_served_entries_to_be_faulted_again),
	HARNESS_TEST(fork_skips_dontcopy_mappings),
	HARNESS_TEST(a_failed_fork_closes_the_copies_it_made),
	HARNESS_TEST(fork_allocates_no_page_table_for_a_mapping_faults_refill),
	HARNESS_TEST(fork_copies_every_entry_of_a_private_mapping_with_a_copied_page),
	HARNESS_TEST(fork_charges_an_accounted_mapping_before_duplicating_it),
	HARNESS_TEST(a_fork_that_cannot_charge_a_mapping_opens_no_copy),
	HARNESS_TEST(mremap_cannot_grow_a_dontexpand_mapping),
	HARNESS_TEST(mremap_grows_in_place_into_free_space),
	HARNESS_TEST(mremap_shrink_unmaps_the_tail),
	HARNESS_TEST(mremap_cannot_grow_a_mixedmap_mapping_in_place_nor_move_it),
	HARNESS_TEST(mremap_growing_in_place_absorbs_a_compatible_mapping_above),
	HARNESS_TEST(mremap_shrink_may_span_past_the_end_of_the_mapping),
	HARNESS_TEST(mremap_fixed_to_a_smaller_size_moves_only_the_pages_it_keeps),
	HARNESS_TEST(mremap_to_a_range_overlapping_the_source_is_einval),
	HARNESS_TEST(mremap_rejects_a_misaligned_target_before_looking_at_the_mapping),
	HARNESS_TEST(mremap_move_opens_the_copy_calls_mremap_then_closes_the_old),
	HARNESS_TEST(mremap_next_to_a_compatible_mapping_merges_without_open),
	HARNESS_TEST(a_failed_mremap_hook_keeps_the_original_with_its_pages),
	HARNESS_TEST(a_fault_maps_the_handlers_page_with_its_reference),
	HARNESS_TEST(a_write_to_a_private_mapping_copies_the_page),
	HARNESS_TEST(a_fault_without_a_handler_is_sigbus),
	HARNESS_TEST(an_access_outside_any_mapping_is_sigsegv),
};

HARNESS_MAIN("vma_ops", tests)
