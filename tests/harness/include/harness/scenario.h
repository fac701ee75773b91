/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Scenarios the example suites share: a process with one device open, the
 * rows of a before/after equivalence table, and a whole user session that
 * tolerates any step failing (what a fault sweep re-runs).
 */
#ifndef _HARNESS_SCENARIO_H
#define _HARNESS_SCENARIO_H

#include <harness/test.h>

/* A module loaded, an mm, and the device opened in it. */
struct user_dev {
	const char *module;
	struct mm_struct *mm;
	struct file *file;
};

struct user_dev user_dev_open(const char *module, const char *path,
			      int open_flags);
void user_dev_close(struct user_dev *dev);

/* What a table row does once its mmap() succeeded. */
enum row_then {
	ROW_NOTHING,
	ROW_TOUCH,	/* read every page */
	ROW_SPLIT,	/* touch, then munmap the second page */
	ROW_SHRINK,	/* touch, then mremap down to one page */
	ROW_FORK,	/* fork, touch in the child, keep the child */
};

struct mmap_row {
	const char *name;
	int open_flags;
	unsigned long len, prot, flags, pgoff;
	enum row_then then;
};

/*
 * Run every row with each module on a fresh harness: the results of each
 * step, the VMAs and page tables left must be the same, and clean.
 */
void assert_rows_equivalent(const char *before, const char *after,
			    const char *path, const struct mmap_row *rows,
			    size_t nr);

/*
 * load, open, mmap all of it, read and write, unmap a page, fork, try to
 * grow, close, unload: each step only if the one before worked.
 */
struct session {
	const char *module;
	const char *path;
	unsigned long size;
};

void user_session(void *session);

/* Sweep a session of @module; the test fails on any finding. */
void assert_session_clean(const char *module, const char *path,
			  unsigned long size);
/* Sweep a session of @module that must end dirty; its findings, to free. */
char *session_findings(const char *module, const char *path,
		       unsigned long size);

#endif
