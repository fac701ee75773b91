// SPDX-License-Identifier: GPL-2.0
/*
 * Lab 04 checker: does a kit_vmalloc driver keep the mmap() contract?
 *
 * Usage: check DEVICE VARIANT
 *
 * Runs every case of the contract in
 * ../../examples/vmalloc-pages/vmalloc-pages-uapi.h against DEVICE and
 * prints one TAP line per case; VARIANT (before, after, ...) labels the
 * output. The before and after modules must give the same result on every
 * case. A driver bug must give "not ok", never a dead checker: every access
 * to a mapping runs under a SIGBUS/SIGSEGV guard (mapcheck.h).
 *
 * Two things are kept in /tmp so that the second variant of a boot can be
 * compared with the first: the VmFlags of a mapping, which the contract
 * says are the same for both (a difference fails the case), and the
 * fail-nth sequence, which may legitimately differ (the core's own
 * allocations are not the driver's business) and is only reported.
 *
 * Cases that store into the buffer put every byte back before returning.
 */
#define _GNU_SOURCE
#include "vmalloc-pages-uapi.h"
#include "mapcheck.h"

#define RECORD	"/tmp/kit-vmalloc-"

/* The buffer's contents: one generation only. */
static unsigned char pattern(unsigned int gen, unsigned long off)
{
	(void)gen;
	return kit_vmalloc_pattern(off);
}

/* --- Records shared by the variants of one boot. */

static void record_put(struct mapcheck *c, const char *what, const char *text)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), RECORD "%s.%s", what, c->variant);
	f = fopen(path, "we");
	if (!f)
		return;
	fputs(text, f);
	fclose(f);
}

/*
 * What another variant of this boot recorded under @what: its name goes to
 * *@other, its text to @out. False if no other variant has run yet.
 */
static bool record_get(struct mapcheck *c, const char *what,
		       const char **other, char *out, size_t outlen)
{
	static const char *const variants[] = { "before", "after" };
	char path[256];
	size_t i, n;
	FILE *f;

	for (i = 0; i < ARRAY_SIZE(variants); i++) {
		if (!strcmp(variants[i], c->variant))
			continue;
		snprintf(path, sizeof(path), RECORD "%s.%s", what, variants[i]);
		f = fopen(path, "re");
		if (!f)
			continue;
		n = fread(out, 1, outlen - 1, f);
		out[n] = '\0';
		fclose(f);
		*other = variants[i];
		return true;
	}
	return false;
}

/* --- Contents. */

static bool whole_buffer(struct mapcheck *c)
{
	return mc_map_reads(c, O_RDWR, KIT_VMALLOC_PAGES, 0);
}

static bool each_page(struct mapcheck *c)
{
	size_t pgoff;

	/* A page each: the window must start at the requested page. */
	for (pgoff = 0; pgoff < KIT_VMALLOC_PAGES; pgoff++)
		if (!mc_map_reads(c, O_RDWR, 1, pgoff))
			return false;
	return true;
}

static bool middle_window(struct mapcheck *c)
{
	return mc_map_reads(c, O_RDWR, 3, 2);
}

static bool to_the_end(struct mapcheck *c)
{
	return mc_map_reads(c, O_RDWR, KIT_VMALLOC_PAGES - 1, 1);
}

/* --- Sharing. */

/* Load the byte at @q into *@got, under mapcheck.h's fault guard. */
static bool load(struct mapcheck *c, const void *q, unsigned char *got)
{
	int sig;

	sig = sigsetjmp(mc_guard()->env, 1);
	if (sig)
		return mc_fail(c, "SIG%s loading from %p", sigabbrev_np(sig), q);
	mc_guard()->on = 1;
	*got = *(const volatile unsigned char *)q;
	mc_guard()->on = 0;
	return true;
}

static bool same_fd_twice(struct mapcheck *c)
{
	size_t off = 4 * c->pg + 321;
	unsigned char val = (unsigned char)~kit_vmalloc_pattern(off), got = 0;
	int fd = mc_open(c, O_RDWR);
	char *a = mc_mmap(c, fd, PROT_READ | PROT_WRITE, MAP_SHARED,
			  KIT_VMALLOC_PAGES, 0);
	char *b = mc_mmap(c, fd, PROT_READ, MAP_SHARED, 2, 4);
	bool ok = false;

	close(fd);
	if (!mc_mapped(c, a) || !mc_mapped(c, b))
		goto out;
	/* Mapping b starts at buffer page 4. */
	if (!mc_store_load(c, a + off, val, b + off - 4 * c->pg, &got))
		goto out;
	ok = got == val ||
	     mc_fail(c, "stored %#04x at buffer offset %#zx, the second mapping reads %#04x",
		     val, off, got);
	if (!mc_store_load(c, a + off, kit_vmalloc_pattern(off), a + off, &got))
		ok = false;
out:
	mc_unmap(a, c->size);
	mc_unmap(b, 2 * c->pg);
	return ok;
}

static bool second_open(struct mapcheck *c)
{
	/* Each mapping through an open of its own. */
	return mc_store_seen(c, 2, 1, c->pg + c->pg / 2);
}

static bool outlives_mapping(struct mapcheck *c)
{
	const size_t pgoff = KIT_VMALLOC_PAGES - 1, off = c->size - 1;
	unsigned char val = (unsigned char)~kit_vmalloc_pattern(off), orig, got;
	char *p = mc_map(c, O_RDWR, PROT_READ | PROT_WRITE, MAP_SHARED, 1, pgoff);
	bool ok;

	if (!mc_mapped(c, p))
		return false;
	/*
	 * What is there is put back at the end, even if it is not the pattern:
	 * a driver that maps the wrong page must not spoil the later cases.
	 */
	ok = load(c, p + c->pg - 1, &orig) &&
	     mc_store_load(c, p + c->pg - 1, val, p + c->pg - 1, &got);
	munmap(p, c->pg);
	if (!ok)
		return false;
	/* The store went to the device's buffer, not to the mapping. */
	p = mc_map(c, O_RDWR, PROT_READ | PROT_WRITE, MAP_SHARED, 1, pgoff);
	if (!mc_mapped(c, p))
		return false;
	ok = load(c, p + c->pg - 1, &got);
	if (ok && got != val)
		ok = mc_fail(c, "stored %#04x at buffer offset %#zx and unmapped, the next mapping reads %#04x",
			     val, off, got);
	if (!mc_store_load(c, p + c->pg - 1, orig, p + c->pg - 1, &got))
		ok = false;
	munmap(p, c->pg);
	return ok;
}

static bool child_stores(struct mapcheck *c, const void *arg)
{
	char *p = (char *)arg;
	size_t off = 2 * c->pg + 99;
	unsigned char got;

	return mc_store_load(c, p + off, (unsigned char)~kit_vmalloc_pattern(off),
			     p + off, &got);
}

static bool fork_child(struct mapcheck *c)
{
	return mc_fork_reads(c);
}

static bool fork_store(struct mapcheck *c)
{
	size_t off = 2 * c->pg + 99;
	unsigned char want = (unsigned char)~kit_vmalloc_pattern(off), got = 0;
	char *p = mc_map(c, O_RDWR, PROT_READ | PROT_WRITE, MAP_SHARED,
			 KIT_VMALLOC_PAGES, 0);
	bool ok;

	if (!mc_mapped(c, p))
		return false;
	ok = mc_in_child(c, child_stores, p, 10) && load(c, p + off, &got);
	if (ok && got != want)
		ok = mc_fail(c, "the child stored %#04x at buffer offset %#zx, the parent reads %#04x",
			     want, off, got);
	/* Put the byte back, whatever the child did. */
	if (!mc_store_load(c, p + off, kit_vmalloc_pattern(off), p + off, &got))
		ok = false;
	munmap(p, c->size);
	return ok;
}

/* --- The shape of the mapping. */

/* The VmFlags of a one-page MAP_SHARED with @prot on an @oflags descriptor. */
static bool vmflags_of_map(struct mapcheck *c, int oflags, int prot, char *out,
			   size_t outlen)
{
	void *p = mc_map(c, oflags, prot, MAP_SHARED, 1, 0);
	bool found;

	if (!mc_mapped(c, p))
		return false;
	found = mc_vmflags_of(p, out, outlen);
	munmap(p, c->pg);
	return found || mc_fail(c, "no VmFlags for %p in /proc/self/smaps", p);
}

static bool vmflags(struct mapcheck *c)
{
	char rw[512], ro[512], both[1100], theirs[1100];
	const char *other;

	if (!vmflags_of_map(c, O_RDWR, PROT_READ | PROT_WRITE, rw, sizeof(rw)) ||
	    !vmflags_of_map(c, O_RDONLY, PROT_READ, ro, sizeof(ro)))
		return false;
	snprintf(both, sizeof(both), "read-write \"%s\", read-only fd \"%s\"",
		 rw, ro);
	tap_diag("%s: VmFlags %s", c->variant, both);
	record_put(c, "vmflags", both);
	if (!mc_has_words(rw, "sh mr mw de mm", true) ||
	    mc_has_words(rw, "io pf dd", false))
		return mc_fail(c, "read-write: expected sh mr mw de mm and none of io pf dd, got \"%s\"",
			       rw);
	/* The core drops VM_SHARED and VM_MAYWRITE for an O_RDONLY descriptor. */
	if (!mc_has_words(ro, "mr de mm", true) ||
	    mc_has_words(ro, "sh mw io pf dd", false))
		return mc_fail(c, "read-only fd: expected mr de mm and none of sh mw io pf dd, got \"%s\"",
			       ro);
	/*
	 * VM_MIXEDMAP comes from vm_insert_page() in one variant and from the
	 * action's prepare step in the other, but both are set before smaps
	 * can see the VMA: the contract allows no difference at all.
	 */
	if (record_get(c, "vmflags", &other, theirs, sizeof(theirs)) &&
	    strcmp(both, theirs))
		return mc_fail(c, "VmFlags %s, but the %s variant had %s", both,
			       other, theirs);
	return true;
}

static bool mremap_grow(struct mapcheck *c)
{
	/* Growing stays inside the buffer: only DONTEXPAND can refuse it. */
	return mc_grow_fails(c, EFAULT);
}

static bool mremap_shrink(struct mapcheck *c)
{
	return mc_shrink_reads(c, 3, 1);
}

static bool mremap_move(struct mapcheck *c)
{
	void *p = mc_map(c, O_RDWR, PROT_READ, MAP_SHARED, 2, 3), *q, *to;
	bool ok;

	if (!mc_mapped(c, p))
		return false;
	/* A free place to move to, reserved first. */
	to = mmap(NULL, 2 * c->pg, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (to == MAP_FAILED) {
		munmap(p, 2 * c->pg);
		return mc_fail(c, "reserving address space: %s", mc_errname(errno));
	}
	q = mremap(p, 2 * c->pg, 2 * c->pg, MREMAP_MAYMOVE | MREMAP_FIXED, to);
	if (q == MAP_FAILED) {
		mc_fail(c, "mremap to %p: expected success, got %s", to,
			mc_errname(errno));
		munmap(p, 2 * c->pg);
		munmap(to, 2 * c->pg);
		return false;
	}
	ok = mc_expect_bytes(c, q, 2 * c->pg, 3 * c->pg);
	munmap(q, 2 * c->pg);
	return ok;
}

static bool partial_munmap(struct mapcheck *c)
{
	return mc_punch_reads(c, PROT_READ | PROT_WRITE);
}

/* --- Read-only descriptors. */

static bool read_only_fd(struct mapcheck *c)
{
	return mc_map_reads(c, O_RDONLY, KIT_VMALLOC_PAGES, 0);
}

/* --- The fault drill. */

static bool fault_sweep(struct mapcheck *c)
{
	struct mc_sweep s = { 0 };
	char theirs[sizeof(s.seq)];
	const char *other;
	bool ok;

	/*
	 * failslab reaches only slab allocations: the VMA, its tree nodes.
	 * Page tables come from the page allocator, so the driver's own
	 * failure (ENOMEM from the page tables) is the harness's to test.
	 */
	ok = mc_nth_sweep(c, mc_nth_step, &s);
	record_put(c, "sweep", s.seq);
	if (record_get(c, "sweep", &other, theirs, sizeof(theirs)))
		tap_diag("%s: fail-nth sweep %s the %s variant's", c->variant,
			 strcmp(theirs, s.seq) ? "differs from" : "is the same as",
			 other);
	return ok;
}

static const struct mc_case cases[] = {
	{ .run = whole_buffer,
	  .what = "a shared mapping of the whole buffer reads the pattern" },
	{ .run = each_page,
	  .what = "one page at each page offset reads that page of the buffer" },
	{ .run = middle_window,
	  .what = "a window of three pages from page 2 reads pages 2 to 4" },
	{ .run = to_the_end,
	  .what = "a window from page 1 to the end reads pages 1 to the last" },
	{ .run = same_fd_twice,
	  .what = "a store through one mapping is seen through a second mapping of the same descriptor" },
	{ .run = second_open,
	  .what = "a store through one mapping is seen through a mapping of a second open" },
	{ .run = outlives_mapping,
	  .what = "a store outlives its mapping: the next mapping reads it" },
	{ .run = fork_child,
	  .what = "a forked child reads the buffer through the mapping" },
	{ .run = fork_store,
	  .what = "a store in a forked child is seen by the parent" },
	{ .run = vmflags,
	  .what = "smaps VmFlags show de mm, none of io pf dd, and match the other variant's" },
	{ .run = mremap_grow,
	  .what = "mremap() growing the mapping fails with EFAULT" },
	{ .run = mremap_shrink,
	  .what = "mremap() shrinking the mapping keeps its first page" },
	{ .run = mremap_move,
	  .what = "mremap() moving the mapping takes its pages along" },
	{ .run = partial_munmap,
	  .what = "after unmapping page 1 the other pages still read and take stores" },
	{ .run = read_only_fd,
	  .what = "MAP_SHARED on an O_RDONLY descriptor reads the pattern" },
	{ .what = "PROT_WRITE on an O_RDONLY descriptor fails with EACCES",
	  .refused = { O_RDONLY, PROT_READ | PROT_WRITE, MAP_SHARED, 1, 0, EACCES } },
	{ .what = "a length past the end of the buffer fails with EINVAL",
	  .refused = { O_RDWR, PROT_READ, MAP_SHARED, KIT_VMALLOC_PAGES + 1, 0, EINVAL } },
	{ .what = "a window straddling the end of the buffer fails with EINVAL",
	  .refused = { O_RDWR, PROT_READ, MAP_SHARED, 2, KIT_VMALLOC_PAGES - 1, EINVAL } },
	{ .what = "an offset at the end of the buffer fails with EINVAL",
	  .refused = { O_RDWR, PROT_READ, MAP_SHARED, 1, KIT_VMALLOC_PAGES, EINVAL } },
	{ .what = "an offset of 2^40 pages fails with EINVAL",
	  .refused = { O_RDWR, PROT_READ, MAP_SHARED, 2, 1UL << 40, EINVAL } },
	/* Page -1: the last page of the 64-bit file offset space. */
	{ .what = "an offset plus length that wraps around fails with EOVERFLOW",
	  .refused = { O_RDWR, PROT_READ, MAP_SHARED, 2, (size_t)-1, EOVERFLOW } },
	{ .what = "MAP_PRIVATE fails with EINVAL",
	  .refused = { O_RDWR, PROT_READ, MAP_PRIVATE, 1, 0, EINVAL } },
	/* Private is copy-on-write even on an O_RDONLY descriptor. */
	{ .what = "MAP_PRIVATE on an O_RDONLY descriptor fails with EINVAL",
	  .refused = { O_RDONLY, PROT_READ, MAP_PRIVATE, 1, 0, EINVAL } },
	{ .run = fault_sweep,
	  .what = "fail-nth in mmap(): every failure is ENOMEM and leaves nothing mapped" },
};

int main(int argc, char **argv)
{
	struct mapcheck c = { .pattern = pattern };
	size_t i;

	mc_start(&c, argc, argv, KIT_VMALLOC_PAGES, ARRAY_SIZE(cases));
	for (i = 0; i < ARRAY_SIZE(cases); i++)
		mc_report(&c, cases[i].what, mc_run(&c, &cases[i]));
	return tap_done();
}
