/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The harness's own test driver (hooks.c): two misc devices, one with
 * .mmap_prepare ("hooks_prepare") and one with a legacy .mmap
 * ("hooks_legacy"), plus a stacking one ("hooks_stacked") whose .mmap hands
 * the VMA to another file with vfs_mmap(), as overlayfs does. In the seed
 * profile there are two more: "hooks_seed" with the v1 ->mmap_complete and
 * ->mmap_abort, and "hooks_abort_only" with an abort but no complete. A test
 * steers them through struct hooks_ctl and reads back what ran, in order.
 */
#ifndef _TESTS_DRIVERS_HOOKS_H
#define _TESTS_DRIVERS_HOOKS_H

#include <linux/mm.h>

#define HOOKS_PREPARE	"hooks_prepare"
#define HOOKS_LEGACY	"hooks_legacy"
#define HOOKS_STACKED	"hooks_stacked"
#define HOOKS_SEED	"hooks_seed"
#define HOOKS_ABORT_ONLY "hooks_abort_only"

/* Which vm_ops the mapping gets. */
enum {
	HOOK_OPEN	= 1 << 0,
	HOOK_CLOSE	= 1 << 1,
	HOOK_MAPPED	= 1 << 2,
	HOOK_MAY_SPLIT	= 1 << 3,
	HOOK_MREMAP	= 1 << 4,
	HOOK_FAULT	= 1 << 5,
};

struct hooks_ctl {
	/* Set by the test. */
	unsigned int vm_ops;
	vm_flags_t set_flags;		/* added by .mmap / .mmap_prepare */
	int mmap_ret;			/* returned by .mmap / .mmap_prepare */
	int mapped_ret, may_split_ret, mremap_ret;
	void *private_data;		/* what the hook stores */
	void *mapped_private_data;	/* what ->mapped swaps in, if set */
	enum mmap_action_type action;	/* for .mmap_prepare */
	unsigned long action_pfn;
	struct page **pages;		/* for MMAP_MAP_KERNEL_PAGES */
	int error_override;
	bool legacy_remap;		/* .mmap remaps action_pfn itself */
	bool alloc_in_prepare;		/* kmalloc() freed only in ->close */
	struct page *fault_page;	/* what ->fault returns */
	struct file *lower;		/* hooks_stacked maps this file */
	void *context;			/* seed: desc->mmap_context */
	int complete_ret;		/* seed: returned by ->mmap_complete */

	/* Filled in by the driver. */
	char log[512];
	void *seen_private_data;	/* vm_private_data ->close saw */
	const void *seen_context;	/* seed: what complete/abort got */
};

extern struct hooks_ctl hooks;

#endif
