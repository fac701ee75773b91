/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A tiny TAP version 13 emitter for the lab checkers (header-only, C11).
 *
 *	tap_plan(2);
 *	if (!tap_ok(got == want, "the device maps %d pages", n))
 *		tap_diag("expected %d, got %d", want, got);
 *	...
 *	return tap_done();
 *
 * Each line is flushed as soon as it is written, so output is neither lost
 * when a checker dies nor printed twice by a child after fork(). tap_done()
 * gives the exit status: 0 only if every planned test ran and passed.
 * Descriptions must not contain '#', which TAP reads as a directive. The
 * kit adds one directive to TAP's SKIP and TODO: "ok N - ... # KNOWN why",
 * a case that passed because what it measured is a known upstream defect
 * (mapcheck.h mc_known(); run-lab.sh reads it).
 */
#ifndef KIT_TAP_H
#define KIT_TAP_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#define TAP_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))

struct tap_state {
	int planned;
	int run;
	int failed;
};

/* One state per program; a function-local static keeps this header-only. */
static inline struct tap_state *tap_state(void)
{
	static struct tap_state state;

	return &state;
}

static inline void tap_vline(const char *prefix, const char *fmt, va_list ap)
{
	fputs(prefix, stdout);
	vprintf(fmt, ap);
	putchar('\n');
	fflush(stdout);
}

/* Print the header and the plan: @n tests are expected to follow. */
static inline void tap_plan(int n)
{
	tap_state()->planned = n;
	printf("TAP version 13\n1..%d\n", n);
	fflush(stdout);
}

/* Report the next test as passed or failed; returns @pass. */
static inline TAP_PRINTF(2, 3) bool tap_ok(bool pass, const char *fmt, ...)
{
	struct tap_state *s = tap_state();
	char prefix[32];
	va_list ap;

	s->run++;
	if (!pass)
		s->failed++;
	snprintf(prefix, sizeof(prefix), "%sok %d - ", pass ? "" : "not ",
		 s->run);
	va_start(ap, fmt);
	tap_vline(prefix, fmt, ap);
	va_end(ap);
	return pass;
}

/* A diagnostic line ("# ..."), e.g. expected vs got after a failure. */
static inline TAP_PRINTF(1, 2) void tap_diag(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	tap_vline("# ", fmt, ap);
	va_end(ap);
}

/* Give up on the whole run: nothing after this could be trusted. */
static inline TAP_PRINTF(1, 2) _Noreturn void tap_bail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	tap_vline("Bail out! ", fmt, ap);
	va_end(ap);
	exit(2);
}

/* Close the run; returns the exit status for main(). */
static inline int tap_done(void)
{
	struct tap_state *s = tap_state();

	if (s->run != s->planned)
		tap_diag("planned %d tests but ran %d", s->planned, s->run);
	if (s->failed)
		tap_diag("failed %d of %d tests", s->failed, s->run);
	return s->failed || s->run != s->planned;
}

#endif /* KIT_TAP_H */
