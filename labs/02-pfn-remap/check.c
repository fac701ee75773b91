// SPDX-License-Identifier: GPL-2.0
/*
 * Lab 02 checker: does a kit_pfn driver keep the mmap() contract?
 *
 * Usage: check DEVICE VARIANT
 *
 * One TAP line per case of the contract in
 * ../../examples/pfn-remap/pfn-remap-uapi.h, run against DEVICE; VARIANT
 * (before, after) labels the output. Both variants must give the same
 * result on every case. Every access to a mapping runs under a
 * SIGBUS/SIGSEGV guard (mapcheck.h), so a broken driver gives "not ok", not
 * a dead checker.
 *
 * The last case is a fault drill: failslab's fail-nth fails the Nth slab
 * allocation of this thread inside mmap(), for N = 1, 2, ... until an
 * mmap() completes without reaching the Nth allocation. A failure before
 * the remap must give ENOMEM, one inside it EAGAIN (the old driver's errno,
 * which the new one keeps with error_override). Which slab allocations a
 * remap makes depends on the kernel: the page tables themselves come from
 * the page allocator, which failslab never fails. What it can fail is the
 * PFN-tracking context (x86, a remap of the whole VMA) and the split
 * page-table lock (only with SPLIT_PTE_PTLOCKS, NR_CPUS >= 4, and a
 * spinlock_t larger than a long, as lockdep makes it). The checker looks
 * both up in /proc/kallsyms, reports which N gave EAGAIN, and requires one
 * only if this kernel has such an allocation. The sequence is kept in /tmp
 * so that the second variant of a boot can say whether it matches the
 * first.
 */
#define _GNU_SOURCE
#include "pfn-remap-uapi.h"
#include "mapcheck.h"

/* The buffer's contents: one generation only. */
static unsigned char pattern(unsigned int gen, unsigned long off)
{
	(void)gen;
	return kit_pfn_pattern(off);
}

/*
 * --- The cases that need code; each returns true on pass. The table at the
 * end lists every case in the order they run.
 */

static bool whole_buffer(struct mapcheck *c)
{
	return mc_map_reads(c, O_RDWR, KIT_PFN_PAGES, 0);
}

static bool each_offset(struct mapcheck *c)
{
	size_t pgoff;

	/* One page at each offset, then pages 1 and 2 together. */
	for (pgoff = 0; pgoff < KIT_PFN_PAGES; pgoff++)
		if (!mc_map_reads(c, O_RDWR, 1, pgoff))
			return false;
	return mc_map_reads(c, O_RDWR, 2, 1);
}

static bool second_mapping(struct mapcheck *c)
{
	/* The second mapping: pages 2 and 3. */
	return mc_store_seen(c, 2, 2, 3 * c->pg + 77);
}

static bool pfnmap_flags(struct mapcheck *c)
{
	return mc_vmflags_show(c, PROT_READ | PROT_WRITE, "io pf dd de", "");
}

static bool mremap_grow(struct mapcheck *c)
{
	/* Still inside the buffer: only the PFN map may refuse it. */
	return mc_grow_fails(c, EFAULT);
}

static bool mremap_shrink(struct mapcheck *c)
{
	return mc_shrink_reads(c, 3, 1);
}

static bool fork_child(struct mapcheck *c)
{
	/* fork() copies the page table entries of a PFN map. */
	return mc_fork_reads(c);
}

static bool partial_munmap(struct mapcheck *c)
{
	return mc_punch_reads(c, PROT_READ | PROT_WRITE);
}

static bool read_only_fd(struct mapcheck *c)
{
	return mc_map_reads(c, O_RDONLY, KIT_PFN_PAGES, 0);
}

/* --- The fault drill. */

/* Compare this variant's sweep with the one recorded by an earlier one. */
static void compare_sweep(struct mapcheck *c, const char *seq)
{
	char path[256], other[1024];
	const char *v[] = { "before", "after" };
	size_t i, n;
	FILE *f;

	snprintf(path, sizeof(path), "/tmp/kit-pfn-sweep.%s", c->variant);
	f = fopen(path, "we");
	if (f) {
		fputs(seq, f);
		fclose(f);
	}
	for (i = 0; i < 2; i++) {
		if (!strcmp(v[i], c->variant))
			continue;
		snprintf(path, sizeof(path), "/tmp/kit-pfn-sweep.%s", v[i]);
		f = fopen(path, "re");
		if (!f)
			continue;
		n = fread(other, 1, sizeof(other) - 1, f);
		other[n] = '\0';
		fclose(f);
		tap_diag("fail-nth sweep %s the %s variant's", strcmp(other, seq) ?
			 "differs from" : "is the same as", v[i]);
	}
}

/* 1 if the running kernel has function @name, 0 if not, -1 if unknown. */
static int ksym_present(const char *name)
{
	char line[512], *sym;
	int found = 0;
	FILE *f = fopen("/proc/kallsyms", "re");

	if (!f)
		return -1;
	while (!found && fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\t\n")] = '\0';
		sym = strrchr(line, ' ');
		found = sym && !strcmp(sym + 1, name);
	}
	fclose(f);
	return found;
}

/* The slab allocations of remap_pfn_range() that fail-nth can fail. */
static const struct {
	const char *sym, *what;
} remap_slab[] = {
	{ "pfnmap_track_ctx_release", "the PFN-tracking context" },
	{ "ptlock_alloc", "split page-table locks" },
};

static bool fault_sweep(struct mapcheck *c)
{
	struct mc_sweep s = { .also = EAGAIN };
	bool ok = mc_nth_sweep(c, mc_nth_step, &s);
	char has[128] = "", lacks[128] = "";
	int known = 1;
	size_t i;

	compare_sweep(c, s.seq);
	for (i = 0; i < ARRAY_SIZE(remap_slab); i++) {
		int p = ksym_present(remap_slab[i].sym);
		char *to = p > 0 ? has : lacks;

		if (p < 0)
			known = 0;
		snprintf(to + strlen(to), sizeof(has) - strlen(to), "%s%s (%s)",
			 *to ? ", " : "", remap_slab[i].what, remap_slab[i].sym);
	}
	if (!known) {
		tap_diag("%s: /proc/kallsyms unreadable: assuming the remap makes a slab allocation",
			 c->variant);
	} else {
		tap_diag("%s: slab allocations in remap_pfn_range() on this kernel: %s; absent: %s",
			 c->variant, *has ? has : "none", *lacks ? lacks : "none");
		tap_diag("%s: %d of the failed allocations gave EAGAIN (sweep above)",
			 c->variant, s.also_seen);
	}
	if (!ok)
		return false;
	if (known && !*has) {
		tap_diag("%s: fail-nth cannot reach the remap on this kernel, so this drill does not test error_override here",
			 c->variant);
		return true;
	}
	if (!s.also_seen)
		return mc_fail(c, "no failure inside the remap gave EAGAIN; it allocates %s",
			       *has ? has : "(unknown)");
	return true;
}

static const struct mc_case cases[] = {
	{ .run = whole_buffer,
	  .what = "a shared mapping of the whole buffer reads the pattern" },
	{ .run = each_offset,
	  .what = "one page at each offset, and pages 1-2, read the right bytes" },
	{ .run = second_mapping,
	  .what = "a store through one mapping is seen through a second one" },
	{ .run = pfnmap_flags,
	  .what = "smaps VmFlags show io pf dd de" },
	{ .run = mremap_grow,
	  .what = "mremap() growing the mapping fails with EFAULT" },
	{ .run = mremap_shrink,
	  .what = "mremap() shrinking the mapping keeps its data" },
	{ .run = fork_child,
	  .what = "a forked child reads the buffer through the mapping" },
	{ .run = partial_munmap,
	  .what = "after unmapping page 1 the other pages still read and write" },
	{ .run = read_only_fd,
	  .what = "MAP_SHARED on an O_RDONLY descriptor reads the pattern" },
	{ .what = "PROT_WRITE on an O_RDONLY descriptor fails with EACCES",
	  .refused = { O_RDONLY, PROT_READ | PROT_WRITE, MAP_SHARED, 1, 0, EACCES } },
	{ .what = "a length past the end of the buffer fails with EINVAL",
	  .refused = { O_RDWR, PROT_READ, MAP_SHARED, KIT_PFN_PAGES + 1, 0, EINVAL } },
	{ .what = "a window straddling the end of the buffer fails with EINVAL",
	  .refused = { O_RDWR, PROT_READ, MAP_SHARED, 2, KIT_PFN_PAGES - 1, EINVAL } },
	{ .what = "an offset at the end of the buffer fails with EINVAL",
	  .refused = { O_RDWR, PROT_READ, MAP_SHARED, 1, KIT_PFN_PAGES, EINVAL } },
	{ .what = "an offset of 2^40 pages fails with EINVAL",
	  .refused = { O_RDWR, PROT_READ, MAP_SHARED, 1, 1UL << 40, EINVAL } },
	/* Page -1: the last page of the 64-bit file offset space. */
	{ .what = "an offset plus length that wraps around fails with EOVERFLOW",
	  .refused = { O_RDWR, PROT_READ, MAP_SHARED, 2, (size_t)-1, EOVERFLOW } },
	{ .what = "MAP_PRIVATE fails with EINVAL",
	  .refused = { O_RDWR, PROT_READ, MAP_PRIVATE, 1, 0, EINVAL } },
	/* Private is copy-on-write even on an O_RDONLY descriptor. */
	{ .what = "MAP_PRIVATE on an O_RDONLY descriptor fails with EINVAL",
	  .refused = { O_RDONLY, PROT_READ, MAP_PRIVATE, 1, 0, EINVAL } },
	{ .run = fault_sweep,
	  .what = "fail-nth in mmap(): ENOMEM before the remap, EAGAIN inside it" },
};

int main(int argc, char **argv)
{
	struct mapcheck c = { .pattern = pattern };
	size_t i;

	mc_start(&c, argc, argv, KIT_PFN_PAGES, ARRAY_SIZE(cases));
	for (i = 0; i < ARRAY_SIZE(cases); i++)
		mc_report(&c, cases[i].what, mc_run(&c, &cases[i]));
	return tap_done();
}
