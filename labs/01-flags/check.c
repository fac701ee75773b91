// SPDX-License-Identifier: GPL-2.0
/*
 * Lab 01 checker: does a kit_flags driver keep the mmap() contract?
 *
 * Usage: check DEVICE VARIANT
 *
 * Runs every case of the contract in ../../examples/flags/flags-uapi.h
 * against DEVICE and prints one TAP line per case; VARIANT (before, after,
 * ...) only labels the output. The before and after modules must give the
 * same results. A driver bug must give "not ok", never a dead checker:
 * every access to a mapping runs under a SIGBUS/SIGSEGV guard (mapcheck.h).
 *
 * The last case writes to the buffer and restores it before returning.
 */
#define _GNU_SOURCE
#include <sys/statvfs.h>

#include "flags-uapi.h"
#include "mapcheck.h"

/* The buffer's contents: one generation only. */
static unsigned char pattern(unsigned int gen, unsigned long off)
{
	(void)gen;
	return kit_flags_pattern(off);
}

/*
 * --- The cases that need code; each returns true on pass. The table at the
 * end lists every case in the order they run.
 */

static bool whole_buffer(struct mapcheck *c)
{
	return mc_map_reads(c, O_RDWR, KIT_FLAGS_PAGES, 0);
}

static bool at_offset(struct mapcheck *c)
{
	/* Pages 1 to the last: a non-zero offset, ending on the buffer end. */
	return mc_map_reads(c, O_RDWR, KIT_FLAGS_PAGES - 1, 1);
}

static bool vmflags(struct mapcheck *c)
{
	return mc_vmflags_show(c, PROT_READ | PROT_WRITE, "dd de", "ex me");
}

static bool mremap_grow(struct mapcheck *c)
{
	/* Growing stays inside the buffer: only DONTEXPAND can refuse it. */
	return mc_grow_fails(c, EFAULT);
}

static bool mremap_shrink(struct mapcheck *c)
{
	return mc_shrink_reads(c, 2, 0);
}

static bool mprotect_exec(struct mapcheck *c)
{
	void *p = mc_map(c, O_RDWR, PROT_READ, MAP_SHARED, 1, 0);
	int r, e;

	if (!mc_mapped(c, p))
		return false;
	r = mprotect(p, c->pg, PROT_READ | PROT_EXEC);
	e = errno;
	munmap(p, c->pg);
	return mc_expect_err(c, r != 0, e, EACCES);
}

static bool read_only_fd(struct mapcheck *c)
{
	/* The core clears VM_SHARED here; a driver testing it says EINVAL. */
	return mc_map_reads(c, O_RDONLY, KIT_FLAGS_PAGES, 0);
}

static bool fork_child(struct mapcheck *c)
{
	/*
	 * The parent faults the pages in first. fork() does not copy the page
	 * tables of a shared file mapping, so the child faults on its own,
	 * through the vm_ops and private data it inherited.
	 */
	return mc_fork_reads(c);
}

static bool partial_munmap(struct mapcheck *c)
{
	return mc_punch_reads(c, PROT_READ);
}

static bool shared_write(struct mapcheck *c)
{
	/* A second open maps one page at page offset 2, one buffer. */
	return mc_store_seen(c, 1, 2, 2 * c->pg + 123);
}

static const struct mc_case cases[] = {
	{ .run = whole_buffer,
	  .what = "a shared mapping of the whole buffer reads the pattern on every page" },
	{ .run = at_offset,
	  .what = "a mapping at page offset 1 up to the end reads pages 1 to the last" },
	{ .run = vmflags,
	  .what = "smaps VmFlags show dd and de, and neither ex nor me" },
	{ .run = mremap_grow,
	  .what = "mremap() growing the mapping fails with EFAULT" },
	{ .run = mremap_shrink,
	  .what = "mremap() shrinking the mapping works and keeps its data" },
	{ .what = "a length past the end of the buffer fails with EINVAL",
	  .refused = { O_RDWR, PROT_READ, MAP_SHARED, KIT_FLAGS_PAGES + 1, 0, EINVAL } },
	{ .what = "a window straddling the end of the buffer fails with EINVAL",
	  .refused = { O_RDWR, PROT_READ, MAP_SHARED, 2, KIT_FLAGS_PAGES - 1, EINVAL } },
	{ .what = "an offset at the end of the buffer fails with EINVAL",
	  .refused = { O_RDWR, PROT_READ, MAP_SHARED, 1, KIT_FLAGS_PAGES, EINVAL } },
	/* Page -1: the last page of the 64-bit file offset space. */
	{ .what = "an offset plus length that wraps around fails with EOVERFLOW",
	  .refused = { O_RDWR, PROT_READ, MAP_SHARED, 2, (size_t)-1, EOVERFLOW } },
	{ .what = "PROT_EXEC fails with EPERM",
	  .refused = { O_RDWR, PROT_READ | PROT_EXEC, MAP_SHARED, 1, 0, EPERM } },
	{ .run = mprotect_exec,
	  .what = "mprotect() adding PROT_EXEC later fails with EACCES" },
	{ .what = "MAP_PRIVATE fails with EINVAL",
	  .refused = { O_RDWR, PROT_READ, MAP_PRIVATE, 1, 0, EINVAL } },
	{ .run = read_only_fd,
	  .what = "a read-only MAP_SHARED of an O_RDONLY fd reads the pattern" },
	{ .run = fork_child,
	  .what = "a forked child reads the right bytes through the mapping" },
	{ .run = partial_munmap,
	  .what = "unmapping the middle page leaves the other pages readable" },
	{ .run = shared_write,
	  .what = "a store through one mapping is seen through a second one" },
};

int main(int argc, char **argv)
{
	struct mapcheck c = { .pattern = pattern };
	struct statvfs st;
	size_t i;

	mc_start(&c, argc, argv, KIT_FLAGS_PAGES, ARRAY_SIZE(cases));
	/* On a noexec mount the core refuses exec itself, hiding the driver. */
	if (!statvfs(c.dev, &st) && (st.f_flag & ST_NOEXEC))
		tap_diag("%s is on a noexec mount: the exec cases do not test the driver",
			 c.dev);
	for (i = 0; i < ARRAY_SIZE(cases); i++)
		mc_report(&c, cases[i].what, mc_run(&c, &cases[i]));
	return tap_done();
}
