/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Findings: every misuse the shim or the model sees (a WARN, an unbalanced
 * lock, a refcount underflow, ...) becomes a report; at the end of a scenario
 * the resource trackers add one report per leaked object, naming where it was
 * taken. A clean scenario has no reports.
 */
#ifndef _HARNESS_TRACK_H
#define _HARNESS_TRACK_H

#include <linux/types.h>
#include <harness/site.h>

__printf(1, 2) void report(const char *fmt, ...);
/* "file:line (func)", in a static buffer (one of a few, round robin). */
const char *site_str(struct site site);

/* Remove the first report containing @needle; true if there was one. */
bool report_take(const char *needle);
size_t report_count(void);
const char *report_get(size_t i);

/* Check for leaks, then hand back everything found (NULL when clean). */
char *harness_findings(void);
/* Forget all state: allocations, locks, files, mms, modules, injections. */
void harness_reset(void);

/* Called by every user_*() entry point before it returns. */
void harness_return_to_user(const char *syscall);

#endif
