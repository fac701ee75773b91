/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Named failure points. Every place where the modelled kernel (or a shimmed
 * kernel API a driver calls) can fail first asks should_fail() with its
 * name, a row of failure-points.h; a test arms one point to fail on its Nth
 * hit. Every hit is recorded, in order, with the stage of the mmap path it
 * was in, so a test can read the sequence of steps a scenario went through
 * and a sweep can re-run the scenario once per (point, hit) it reached.
 */
#ifndef _HARNESS_FAULT_INJECT_H
#define _HARNESS_FAULT_INJECT_H

#include <linux/types.h>

struct fault_hit {
	const char *point;
	unsigned int nth;
	int stage;		/* FAULT_STAGE_NONE or n of Fn */
};

/*
 * The stage of the mmap path the model is in (failure-points.h): the model
 * sets it where the kernel's code enters a stage, and restores the one it
 * got back on the way out, so a compat call inside a legacy ->mmap is F6
 * and then F5 again.
 */
#define FAULT_STAGE_NONE (-1)
int fault_stage_set(int stage);
/* "Fn (label)" for a stage, "outside mmap()" for FAULT_STAGE_NONE. */
const char *fault_stage_name(int stage);

/* @point must be a row of failure-points.h; the harness aborts if not. */
bool should_fail(const char *point);

void fault_inject_arm(const char *point, unsigned int nth);
bool fault_inject_fired(void);
void fault_inject_reset(void);

/*
 * Race points: places where the model lets something else happen between
 * two steps of a system call, as another CPU could. A test arms one point
 * with @fn, which runs once, the next time the model passes @point, with
 * no lock of the model held. race_point() is what the model calls there;
 * fault_inject_raced() says whether the armed @fn has run.
 */
void fault_inject_race(const char *point, void (*fn)(void *arg), void *arg);
void race_point(const char *point);
bool fault_inject_raced(void);

size_t fault_inject_hits(const struct fault_hit **hits);
/* The points reached so far, space separated: "may_expand_vm hook ...". */
const char *fault_inject_trace(void);

/*
 * Run @scenario once clean, then once more per failure point hit it reached,
 * with that hit failing. Returns NULL if every run ended clean, else the
 * findings of the first run that did not, headed by the injection (to be
 * freed); *@runs counts the injected runs.
 */
char *fault_sweep_run(const char *name, void (*scenario)(void *arg),
		      void *arg, unsigned int *runs);

#endif
