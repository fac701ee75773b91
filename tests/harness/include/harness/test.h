/* SPDX-License-Identifier: GPL-2.0 */
/*
 * CMocka glue: every test starts from a reset harness, and its teardown
 * fails the test with the list of findings if the scenario ended dirty.
 */
#ifndef _HARNESS_TEST_H
#define _HARNESS_TEST_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <setjmp.h>
#include <cmocka.h>
#include <harness/fault-inject.h>
#include <harness/track.h>
#include <harness/user.h>

int harness_setup(void **state);
int harness_teardown(void **state);

#define HARNESS_TEST(fn) \
	cmocka_unit_test_setup_teardown(fn, harness_setup, harness_teardown)

/* Claim a finding the test provoked on purpose. */
#define assert_finding(needle)	assert_true(report_take(needle))

/* mmap() succeeded: the result is an address, not an error. */
#define assert_mapped(addr)	assert_false(IS_ERR_VALUE(addr))

/* fault_sweep_run() that fails the test on findings; returns the runs. */
unsigned int fault_sweep(const char *name, void (*scenario)(void *arg),
			 void *arg);

int harness_run_suite(const char *name, const struct CMUnitTest *tests,
		      size_t nr);
#define HARNESS_MAIN(name, tests)					\
	int main(void)							\
	{								\
		return harness_run_suite(name, tests, ARRAY_SIZE(tests)); \
	}

#endif
