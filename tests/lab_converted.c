// SPDX-License-Identifier: GPL-2.0
/*
 * For make lab-check: has the learner's copy been converted? The example
 * suites run the copy in place of the solution and check what mmap() does,
 * which the legacy hook does just as well; this checks the hook itself.
 *
 * LAB_MODULE names the module (the learner's copy, linked in under the
 * solution's module name), LAB_DEVICE the device node it registers. The
 * hooks are read before the test asserts, so that a failure still closes
 * and unloads cleanly and reports nothing but itself.
 */
#include <harness/scenario.h>

static struct user_dev open_lab_device(void)
{
	const char *module = getenv("LAB_MODULE"), *path = getenv("LAB_DEVICE");

	if (!module || !path)
		fail_msg("LAB_MODULE and LAB_DEVICE must name the module and its device");
	return user_dev_open(module, path, O_RDWR);
}

static void the_driver_sets_mmap_prepare(void **state)
{
	struct user_dev d = open_lab_device();
	bool set = d.file->f_op->mmap_prepare;

	user_dev_close(&d);
	assert_true(set);
}

static void the_driver_no_longer_sets_mmap(void **state)
{
	struct user_dev d = open_lab_device();
	bool set = d.file->f_op->mmap;

	user_dev_close(&d);
	assert_false(set);
}

static const struct CMUnitTest tests[] = {
	HARNESS_TEST(the_driver_sets_mmap_prepare),
	HARNESS_TEST(the_driver_no_longer_sets_mmap),
};

HARNESS_MAIN("lab_converted", tests)
