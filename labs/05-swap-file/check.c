// SPDX-License-Identifier: GPL-2.0
/*
 * Lab 05 checker: does a kit_swap driver keep the mmap() contract, and who
 * keeps the shmem file's references?
 *
 * Usage: check DEVICE VARIANT
 *
 * For before, after (and a learner's copy, graded as after): the cases of
 * the contract in ../../examples/swap-file/swap-file-uapi.h, each of which
 * also reads the swapped-in file's count (KIT_SWAP_FILE_REFS, the kernel's
 * own file_count()) around what it does, then the merge count: ROUNDS
 * times two adjacent one-page mappings with contiguous offsets, unmapped.
 * For the probes (stacked, badmmap, badaction): the one path each probes,
 * ROUNDS times, counted the same way.
 *
 * A count that comes back to where it was passes. A count that moved by
 * exactly what a known upstream defect of 7.3 makes it move (one reference
 * per round, minus one for badmmap) passes with "# KNOWN <defect and
 * numbers>", and run-lab.sh gives the variant the verdict KNOWN. Anything
 * else fails: then neither 7.3 nor a fixed kernel is what runs.
 *
 * The count is exact: it is one atomic word the kernel reads once, and
 * nothing else in the guest opens or maps these files while the checker
 * runs.
 */
#define _GNU_SOURCE
#include <sys/ioctl.h>
#include "swap-file-uapi.h"
#include "mapcheck.h"

/* Steps of each count: the defects add one reference per step. */
#define ROUNDS		100U
/* badmmap loses references the module holds: fewer than its guard of 64. */
#define BAD_ROUNDS	16U

/* The shmem file holds zeros at load; cases put back what they store. */
static unsigned char pattern(unsigned int gen, unsigned long off)
{
	(void)gen;
	(void)off;
	return 0;
}

/* The swapped-in file's count, -1 with m->why set if the ioctl fails. */
static long refs(struct mapcheck *m)
{
	int fd = mc_open(m, O_RDWR);
	long n = ioctl(fd, KIT_SWAP_FILE_REFS);

	if (n < 0)
		mc_fail(m, "KIT_SWAP_FILE_REFS: %s", mc_errname(errno));
	close(fd);
	return n;
}

/*
 * The count went from @start to @end over @rounds steps that must leave it
 * unchanged. @per_round per step is @defect, the known upstream defect of
 * 7.3 this path has: reported as KNOWN with the numbers.
 */
static bool balanced(struct mapcheck *m, long start, long end, long per_round,
		     unsigned int rounds, const char *steps,
		     const char *defect)
{
	long delta = end - start;

	if (start < 0 || end < 0)
		return false;
	if (!delta)
		return true;
	if (delta == per_round * (long)rounds)
		return mc_known(m, "%s: %+ld refs after %u %s (known upstream defect, see findings)",
				defect, delta, rounds, steps);
	return mc_fail(m, "the count went from %ld to %ld over %u %s: neither balanced nor %+ld (%s)",
		       start, end, rounds, steps, per_round * (long)rounds,
		       defect);
}

/* The count must be @want now: @when says after what. */
static bool refs_are(struct mapcheck *m, long want, const char *when)
{
	long n = refs(m);

	if (n < 0)
		return false;
	return n == want ||
	       mc_fail(m, "%s: the shmem file has %ld references, expected %ld",
		       when, n, want);
}

/* --- before, after: the contract. */

static bool whole_file(struct mapcheck *m)
{
	void *p = mc_map(m, O_RDWR, PROT_READ, MAP_SHARED, KIT_SWAP_PAGES, 0);

	return mc_check_map(m, p, KIT_SWAP_PAGES, 0) &&
	       refs_are(m, 1, "after munmap()");
}

/* A store through one window is seen through another of a second open. */
static bool shared_between_windows(struct mapcheck *m)
{
	unsigned char *a, *b, got = 0;
	bool ok;

	a = mc_map(m, O_RDWR, PROT_READ | PROT_WRITE, MAP_SHARED, 2, 1);
	b = mc_map(m, O_RDWR, PROT_READ | PROT_WRITE, MAP_SHARED, 1, 2);
	ok = mc_mapped(m, a) && mc_mapped(m, b) &&
	     refs_are(m, 3, "with two mappings") &&
	     mc_store_load(m, a + m->pg + 7, 0xa5, b + 7, &got) &&
	     (got == 0xa5 || mc_fail(m, "page 2 read %#x through the second mapping, stored 0xa5", got)) &&
	     mc_store_load(m, b + 7, 0, a + m->pg + 7, &got);
	mc_unmap(a, 2 * m->pg);
	mc_unmap(b, m->pg);
	return ok && refs_are(m, 1, "after munmap()");
}

/* /proc/self/maps names the shmem file, not the device. */
static bool maps_the_shmem_file(struct mapcheck *m)
{
	void *p = mc_map(m, O_RDWR, PROT_READ, MAP_SHARED, 1, 0);
	char line[512], want[32], *path = NULL;
	FILE *f;
	bool ok;

	if (!mc_mapped(m, p))
		return false;
	snprintf(want, sizeof(want), "%lx-", (unsigned long)p);
	f = fopen("/proc/self/maps", "re");
	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, want, strlen(want))) {
			line[strcspn(line, "\n")] = '\0';
			path = strchr(line, '/');
			break;
		}
	if (f)
		fclose(f);
	ok = path && strstr(path, KIT_SWAP_NAME) && strcmp(path, m->dev);
	if (!ok)
		mc_fail(m, "the mapping's file is %s, expected the shmem file \"%s\"",
			path ? path : "(none)", KIT_SWAP_NAME);
	munmap(p, m->pg);
	return ok;
}

/* Splitting a mapping and forking give each VMA its own reference. */
static bool split_and_fork(struct mapcheck *m)
{
	char *p = mc_map(m, O_RDWR, PROT_READ, MAP_SHARED, 3, 0);
	pid_t pid;
	int status;
	bool ok;

	if (!mc_mapped(m, p))
		return false;
	ok = refs_are(m, 2, "with one mapping") &&
	     (!munmap(p + m->pg, m->pg) || mc_fail(m, "munmap: %s", mc_errname(errno))) &&
	     refs_are(m, 3, "after a munmap() split the mapping in two");
	pid = fork();
	if (pid == 0)
		_exit(refs(m) == 5 ? 0 : 1);
	ok = ok && pid > 0 && waitpid(pid, &status, 0) == pid &&
	     ((WIFEXITED(status) && !WEXITSTATUS(status)) ||
	      mc_fail(m, "the forked child did not see 5 references (two VMAs each)"));
	munmap(p, 3 * m->pg);
	return ok && refs_are(m, 1, "after munmap() and the child's exit");
}

/* The end of the VMA that starts at @p, from /proc/self/maps; 0 if none. */
static unsigned long vma_end(const void *p)
{
	unsigned long start, end, found = 0;
	char line[512];
	FILE *f = fopen("/proc/self/maps", "re");

	while (f && !found && fgets(line, sizeof(line), f))
		if (sscanf(line, "%lx-%lx", &start, &end) == 2 &&
		    start == (unsigned long)p)
			found = end;
	if (f)
		fclose(f);
	return found;
}

/*
 * ROUNDS times: page 0 at an address, page 1 right above it, then both
 * unmapped. The converted driver's two mappings merge into one VMA.
 */
static bool merges(struct mapcheck *m)
{
	int fd = mc_open(m, O_RDWR);
	long start = refs(m), end;
	unsigned int i, merged = 0;
	char *p, *q;

	for (i = 0; i < ROUNDS; i++) {
		p = mc_mmap(m, fd, PROT_READ, MAP_SHARED, 2, 0);
		if (p == MAP_FAILED)
			break;
		munmap(p, 2 * m->pg);
		p = mmap(p, m->pg, PROT_READ, MAP_SHARED | MAP_FIXED, fd, 0);
		q = mmap(p + m->pg, m->pg, PROT_READ, MAP_SHARED | MAP_FIXED,
			 fd, m->pg);
		if (p == MAP_FAILED || q == MAP_FAILED) {
			mc_unmap(p, m->pg);
			mc_unmap(q, m->pg);
			close(fd);
			return mc_fail(m, "round %u: mmap: %s", i, mc_errname(errno));
		}
		merged += vma_end(p) == (unsigned long)(p + 2 * m->pg);
		munmap(p, 2 * m->pg);
	}
	close(fd);
	end = refs(m);
	tap_diag("%s: %u of %u pairs merged into one VMA", m->variant, merged,
		 ROUNDS);
	return balanced(m, start, end, 1, ROUNDS, "merges", "merge leak");
}

static const struct mc_case contract[] = {
	{ .run = whole_file,
	  .what = "a shared mapping of the whole file reads zeros; the count is back to 1" },
	{ .run = shared_between_windows,
	  .what = "a store through one window is seen through another; one reference per mapping" },
	{ .run = maps_the_shmem_file,
	  .what = "/proc/self/maps names the shmem file, not the device" },
	{ .run = split_and_fork,
	  .what = "a split mapping and a forked child hold one reference per VMA" },
	{ .run = merges,
	  .what = "the count is balanced after adjacent mappings merge" },
	{ .what = "MAP_PRIVATE fails with EINVAL",
	  .refused = { O_RDWR, PROT_READ, MAP_PRIVATE, 1, 0, EINVAL } },
	{ .what = "a window straddling the end of the file fails with EINVAL",
	  .refused = { O_RDWR, PROT_READ, MAP_SHARED, 2, KIT_SWAP_PAGES - 1, EINVAL } },
	{ .what = "an offset at the end of the file fails with EINVAL",
	  .refused = { O_RDWR, PROT_READ, MAP_SHARED, 1, KIT_SWAP_PAGES, EINVAL } },
};

/* --- The probes. */

/* stacked: the compat path, through a legacy .mmap over the hook. */
static bool compat_path(struct mapcheck *m)
{
	long start = refs(m);
	unsigned int i;
	void *p;

	for (i = 0; i < ROUNDS; i++) {
		p = mc_map(m, O_RDWR, PROT_READ, MAP_SHARED, KIT_SWAP_PAGES, 0);
		if (!mc_check_map(m, p, KIT_SWAP_PAGES, 0))
			return mc_fail(m, "round %u: %s", i, m->why);
	}
	return balanced(m, start, refs(m), 1, ROUNDS, "mmap()s through the compat path",
			"compat path re-takes the reference");
}

/*
 * @rounds mmap()s that must each fail with @err; the count must not move,
 * or move by @per_round each, which is @defect.
 */
static bool failed_mmaps(struct mapcheck *m, unsigned int rounds, int err,
			 long per_round, const char *defect)
{
	long start = refs(m);
	unsigned int i;
	void *p;

	for (i = 0; i < rounds; i++) {
		p = mc_map(m, O_RDWR, PROT_READ, MAP_SHARED, 1, 0);
		if (!mc_expect_map_err(m, p, m->pg, err))
			return mc_fail(m, "round %u: %s", i, m->why);
	}
	return balanced(m, start, refs(m), per_round, rounds, "failed mmap()s",
			defect);
}

/* badmmap: the swapped-in file's own ->mmap fails. */
static bool failed_inner_mmap(struct mapcheck *m)
{
	return failed_mmaps(m, BAD_ROUNDS, EINVAL, -1, "double put");
}

/* badaction: the action is refused after the hook swapped the file. */
static bool failed_action(struct mapcheck *m)
{
	return failed_mmaps(m, ROUNDS, EFAULT, 1,
			    "action-prepare failure leaks the hook's reference");
}

static const struct mc_case stacked[] = {
	{ .run = compat_path,
	  .what = "mmap() through a legacy .mmap stacked over the hook reads the file; the count is balanced" },
};

static const struct mc_case badmmap[] = {
	{ .run = failed_inner_mmap,
	  .what = "mmap() fails with EINVAL when the swapped-in file's ->mmap fails; the count is balanced" },
};

static const struct mc_case badaction[] = {
	{ .run = failed_action,
	  .what = "mmap() fails with EFAULT when the action is refused after the swap; the count is balanced" },
};

int main(int argc, char **argv)
{
	struct mapcheck c = { .pattern = pattern };
	const struct mc_case *cases = contract;
	size_t i, n = ARRAY_SIZE(contract);
	const char *variant = argc == 3 ? argv[2] : "";

	if (!strcmp(variant, "stacked")) {
		cases = stacked;
		n = ARRAY_SIZE(stacked);
	} else if (!strcmp(variant, "badmmap")) {
		cases = badmmap;
		n = ARRAY_SIZE(badmmap);
	} else if (!strcmp(variant, "badaction")) {
		cases = badaction;
		n = ARRAY_SIZE(badaction);
	}
	mc_start(&c, argc, argv, KIT_SWAP_PAGES, n);
	/* The probes hold references of their own: only the contract says 1. */
	if (cases == contract && !refs_are(&c, 1, "at load"))
		tap_bail("%s", c.why);
	for (i = 0; i < n; i++)
		mc_report(&c, cases[i].what, mc_run(&c, &cases[i]));
	return tap_done();
}
