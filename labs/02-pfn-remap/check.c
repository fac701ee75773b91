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
 * SIGBUS/SIGSEGV guard, so a broken driver gives "not ok", not a dead
 * checker.
 *
 * The last case is a fault drill: failslab's fail-nth fails the Nth slab
 * allocation of this thread inside mmap(), for N = 1, 2, ... until an
 * mmap() completes without reaching the Nth allocation. Failures before
 * the driver's page tables must give ENOMEM, a failure while building them
 * EAGAIN. The sequence is kept in /tmp so that the second variant of a boot
 * can say whether it matches the first.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "pfn-remap-uapi.h"
#include "tap.h"

#define FAILSLAB	"/sys/kernel/debug/failslab/"
#define FAIL_NTH	"/proc/thread-self/fail-nth"
#define SWEEP_MAX	64

struct ctx {
	const char *dev;	/* device path */
	const char *variant;	/* label, and the name of the sweep record */
	size_t pg;		/* page size */
	size_t size;		/* buffer size in bytes */
	char why[1024];		/* why the current case failed */
};

static bool TAP_PRINTF(2, 3) fail(struct ctx *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->why, sizeof(c->why), fmt, ap);
	va_end(ap);
	return false;
}

static const char *errname(int e)
{
	const char *name = e ? strerrorname_np(e) : "success";

	return name ? name : "unknown errno";
}

/* --- Guarded access: a SIGBUS/SIGSEGV becomes a failed case. */

static sigjmp_buf guard_env;
static volatile sig_atomic_t guard_on;

static void guard_handler(int sig)
{
	if (!guard_on) {
		/* Not in a guarded access: a checker bug, die of it. */
		signal(sig, SIG_DFL);
		return;
	}
	guard_on = 0;
	siglongjmp(guard_env, sig);
}

/*
 * Compare @len bytes at @p with the buffer from offset @off on. With
 * @store, each byte is first overwritten with its complement, read back and
 * restored, so that the mapping is shown to be writable too.
 */
static bool check_bytes(struct ctx *c, void *p, size_t len, size_t off,
			bool store)
{
	volatile unsigned char *v = p;
	volatile size_t i = 0;
	volatile unsigned char want = 0, got = 0;
	int sig;

	sig = sigsetjmp(guard_env, 1);
	if (sig)
		return fail(c, "SIG%s at buffer offset %#zx (mapping %p)",
			    sigabbrev_np(sig), off + i, p);
	guard_on = 1;
	for (; i < len; i++) {
		want = kit_pfn_pattern(off + i);
		if (store) {
			v[i] = (unsigned char)~want;
			got = (unsigned char)~v[i];
			v[i] = want;
		} else {
			got = v[i];
		}
		if (got != want)
			break;
	}
	guard_on = 0;
	if (i < len)
		return fail(c, "buffer offset %#zx: expected %#04x, got %#04x%s",
			    off + i, want, got, store ? " (after a store)" : "");
	return true;
}

/* Store @val at @p, then load from @q into @got, under the guard. */
static bool store_load(struct ctx *c, void *p, unsigned char val, void *q,
		       unsigned char *got)
{
	int sig;

	sig = sigsetjmp(guard_env, 1);
	if (sig)
		return fail(c, "SIG%s storing to %p or loading from %p",
			    sigabbrev_np(sig), p, q);
	guard_on = 1;
	*(volatile unsigned char *)p = val;
	*got = *(volatile unsigned char *)q;
	guard_on = 0;
	return true;
}

/* --- Mapping helpers. */

static int open_dev(struct ctx *c, int oflags)
{
	int fd = open(c->dev, oflags | O_CLOEXEC);

	if (fd < 0)
		tap_bail("cannot open %s: %s", c->dev, strerror(errno));
	return fd;
}

/* mmap() @pages pages at page @pgoff on a fresh descriptor, then close it. */
static void *map_pages(struct ctx *c, int oflags, int prot, int flags,
		       size_t pages, size_t pgoff)
{
	int fd = open_dev(c, oflags);
	void *p = mmap(NULL, pages * c->pg, prot, flags, fd, pgoff * c->pg);
	int e = errno;

	close(fd);
	errno = e;
	return p;
}

static bool mapped_ok(struct ctx *c, void *p)
{
	if (p == MAP_FAILED)
		return fail(c, "mmap: expected success, got %s", errname(errno));
	return true;
}

/* The mmap() that returned @p must have failed with @want. */
static bool map_fails(struct ctx *c, void *p, size_t len, int want)
{
	int e = errno;

	if (p != MAP_FAILED) {
		munmap(p, len);
		return fail(c, "expected %s, got success", errname(want));
	}
	if (e != want)
		return fail(c, "expected %s, got %s", errname(want), errname(e));
	return true;
}

/* The VmFlags line of the mapping that starts at @p, from smaps. */
static bool vmflags_of(const void *p, char *out, size_t outlen)
{
	unsigned long start, end;
	bool here = false;
	char line[512];
	FILE *f = fopen("/proc/self/smaps", "re");

	if (!f)
		return false;
	out[0] = '\0';
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%lx-%lx ", &start, &end) == 2) {
			here = start == (unsigned long)p;
		} else if (here && !strncmp(line, "VmFlags:", 8)) {
			line[strcspn(line, "\n")] = '\0';
			snprintf(out, outlen, "%s ", line + 8);
			break;
		}
	}
	fclose(f);
	return out[0] != '\0';
}

/* Run @fn(@c, @p) in a child; its verdict and diagnostic come back. */
static bool in_child(struct ctx *c, void *p,
		     bool (*fn)(struct ctx *c, void *p))
{
	int pfd[2], status;
	ssize_t n;
	pid_t pid;

	if (pipe(pfd))
		return fail(c, "pipe: %s", strerror(errno));
	pid = fork();
	if (pid == 0) {
		bool ok = fn(c, p);

		if (!ok && write(pfd[1], c->why, strlen(c->why)) < 0)
			_exit(2);
		_exit(!ok);
	}
	close(pfd[1]);
	if (pid < 0) {
		close(pfd[0]);
		return fail(c, "fork: %s", strerror(errno));
	}
	n = read(pfd[0], c->why, sizeof(c->why) - 1);
	c->why[n > 0 ? n : 0] = '\0';
	close(pfd[0]);
	if (waitpid(pid, &status, 0) != pid)
		return fail(c, "waitpid: %s", strerror(errno));
	if (WIFSIGNALED(status))
		return fail(c, "child died of SIG%s",
			    sigabbrev_np(WTERMSIG(status)));
	if (WEXITSTATUS(status))
		return fail(c, "in the child: %s", c->why);
	return true;
}

/* --- The cases, in the order they run. */

static bool whole_buffer(struct ctx *c)
{
	void *p = map_pages(c, O_RDWR, PROT_READ, MAP_SHARED, KIT_PFN_PAGES, 0);
	bool ok = mapped_ok(c, p) && check_bytes(c, p, c->size, 0, false);

	if (p != MAP_FAILED)
		munmap(p, c->size);
	return ok;
}

static bool each_offset(struct ctx *c)
{
	size_t pgoff;

	/* One page at each offset, then pages 1 and 2 together. */
	for (pgoff = 0; pgoff <= KIT_PFN_PAGES; pgoff++) {
		size_t pages = pgoff < KIT_PFN_PAGES ? 1 : 2;
		size_t at = pgoff < KIT_PFN_PAGES ? pgoff : 1;
		void *p = map_pages(c, O_RDWR, PROT_READ, MAP_SHARED, pages, at);
		bool ok = mapped_ok(c, p) &&
			  check_bytes(c, p, pages * c->pg, at * c->pg, false);

		if (p != MAP_FAILED)
			munmap(p, pages * c->pg);
		if (!ok)
			return false;
	}
	return true;
}

static bool second_mapping(struct ctx *c)
{
	size_t off = 3 * c->pg + 77;
	unsigned char val = (unsigned char)~kit_pfn_pattern(off), got = 0;
	char *a = map_pages(c, O_RDWR, PROT_READ | PROT_WRITE, MAP_SHARED,
			    KIT_PFN_PAGES, 0);
	char *b = map_pages(c, O_RDWR, PROT_READ, MAP_SHARED, 2, 2);
	bool ok = mapped_ok(c, a) && mapped_ok(c, b);

	/* Mapping b starts at buffer page 2. */
	if (ok && store_load(c, a + off, val, b + off - 2 * c->pg, &got) &&
	    got != val)
		ok = fail(c, "stored %#04x at offset %#zx, the second mapping reads %#04x",
			  val, off, got);
	else if (ok && got != val)
		ok = false;
	/* Put the pattern back for the cases after this one. */
	if (a != MAP_FAILED && !store_load(c, a + off, kit_pfn_pattern(off),
					   a + off, &got))
		ok = false;
	if (a != MAP_FAILED)
		munmap(a, c->size);
	if (b != MAP_FAILED)
		munmap(b, 2 * c->pg);
	return ok;
}

static bool pfnmap_flags(struct ctx *c)
{
	static const char *const want[] = { " io ", " pf ", " dd ", " de " };
	void *p = map_pages(c, O_RDWR, PROT_READ | PROT_WRITE, MAP_SHARED, 1, 0);
	char flags[512];
	bool ok;
	size_t i;

	if (!mapped_ok(c, p))
		return false;
	ok = vmflags_of(p, flags, sizeof(flags)) ||
	     fail(c, "no VmFlags for %p in /proc/self/smaps", p);
	for (i = 0; ok && i < sizeof(want) / sizeof(want[0]); i++)
		if (!strstr(flags, want[i]))
			ok = fail(c, "expected io pf dd de, got \"%s\"", flags);
	munmap(p, c->pg);
	return ok;
}

static bool mremap_grow(struct ctx *c)
{
	void *p = map_pages(c, O_RDWR, PROT_READ, MAP_SHARED, 2, 0);
	void *q;
	int e;

	if (!mapped_ok(c, p))
		return false;
	/* Still inside the buffer: only the PFN map may refuse it. */
	q = mremap(p, 2 * c->pg, 3 * c->pg, MREMAP_MAYMOVE);
	e = errno;
	munmap(q == MAP_FAILED ? p : q, (q == MAP_FAILED ? 2 : 3) * c->pg);
	if (q != MAP_FAILED)
		return fail(c, "expected EFAULT, got success");
	if (e != EFAULT)
		return fail(c, "expected EFAULT, got %s", errname(e));
	return true;
}

static bool mremap_shrink(struct ctx *c)
{
	void *p = map_pages(c, O_RDWR, PROT_READ, MAP_SHARED, 3, 1);
	void *q;
	bool ok;

	if (!mapped_ok(c, p))
		return false;
	q = mremap(p, 3 * c->pg, c->pg, 0);
	if (q == MAP_FAILED) {
		munmap(p, 3 * c->pg);
		return fail(c, "expected success, got %s", errname(errno));
	}
	ok = check_bytes(c, q, c->pg, c->pg, false);
	munmap(q, c->pg);
	return ok;
}

static bool child_reads(struct ctx *c, void *p)
{
	return check_bytes(c, p, c->size, 0, false);
}

static bool fork_child(struct ctx *c)
{
	void *p = map_pages(c, O_RDWR, PROT_READ, MAP_SHARED, KIT_PFN_PAGES, 0);
	bool ok;

	if (!mapped_ok(c, p))
		return false;
	/* fork() copies the page table entries of a PFN map. */
	ok = check_bytes(c, p, c->size, 0, false) && in_child(c, p, child_reads);
	munmap(p, c->size);
	return ok;
}

static bool partial_munmap(struct ctx *c)
{
	char *p = map_pages(c, O_RDWR, PROT_READ | PROT_WRITE, MAP_SHARED,
			    KIT_PFN_PAGES, 0);
	size_t tail = c->size - 2 * c->pg;
	bool ok;

	if (!mapped_ok(c, p))
		return false;
	if (munmap(p + c->pg, c->pg)) {
		munmap(p, c->size);
		return fail(c, "munmap of page 1: %s", errname(errno));
	}
	ok = check_bytes(c, p, c->pg, 0, true) &&
	     check_bytes(c, p + 2 * c->pg, tail, 2 * c->pg, true);
	munmap(p, c->pg);
	munmap(p + 2 * c->pg, tail);
	return ok;
}

static bool read_only_fd(struct ctx *c)
{
	void *p = map_pages(c, O_RDONLY, PROT_READ, MAP_SHARED, KIT_PFN_PAGES, 0);
	bool ok = mapped_ok(c, p) && check_bytes(c, p, c->size, 0, false);

	if (p != MAP_FAILED)
		munmap(p, c->size);
	return ok;
}

static bool read_only_fd_write(struct ctx *c)
{
	void *p = map_pages(c, O_RDONLY, PROT_READ | PROT_WRITE, MAP_SHARED, 1, 0);

	return map_fails(c, p, c->pg, EACCES);
}

static bool too_long(struct ctx *c)
{
	void *p = map_pages(c, O_RDWR, PROT_READ, MAP_SHARED,
			    KIT_PFN_PAGES + 1, 0);

	return map_fails(c, p, (KIT_PFN_PAGES + 1) * c->pg, EINVAL);
}

static bool straddles_end(struct ctx *c)
{
	void *p = map_pages(c, O_RDWR, PROT_READ, MAP_SHARED, 2,
			    KIT_PFN_PAGES - 1);

	return map_fails(c, p, 2 * c->pg, EINVAL);
}

static bool offset_at_end(struct ctx *c)
{
	void *p = map_pages(c, O_RDWR, PROT_READ, MAP_SHARED, 1, KIT_PFN_PAGES);

	return map_fails(c, p, c->pg, EINVAL);
}

static bool offset_far(struct ctx *c)
{
	int fd = open_dev(c, O_RDWR);
	void *p = mmap(NULL, c->pg, PROT_READ, MAP_SHARED, fd,
		       (off_t)(1UL << 40) * (off_t)c->pg);
	int e = errno;

	close(fd);
	errno = e;
	return map_fails(c, p, c->pg, EINVAL);
}

static bool offset_wraps(struct ctx *c)
{
	int fd = open_dev(c, O_RDWR);
	void *p;
	int e;

	/* The raw syscall: libc must not judge the offset first. */
	p = (void *)syscall(SYS_mmap, NULL, 2 * c->pg, PROT_READ, MAP_SHARED,
			    fd, -(unsigned long)c->pg);
	e = errno;
	close(fd);
	errno = e;
	return map_fails(c, p, 2 * c->pg, EOVERFLOW);
}

static bool private_rw(struct ctx *c)
{
	void *p = map_pages(c, O_RDWR, PROT_READ, MAP_PRIVATE, 1, 0);

	return map_fails(c, p, c->pg, EINVAL);
}

static bool private_ro(struct ctx *c)
{
	/* Private is copy-on-write even on an O_RDONLY descriptor. */
	void *p = map_pages(c, O_RDONLY, PROT_READ, MAP_PRIVATE, 1, 0);

	return map_fails(c, p, c->pg, EINVAL);
}

/* --- The fault drill. */

static bool knob(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	bool ok = fd >= 0 && write(fd, val, strlen(val)) == (ssize_t)strlen(val);

	if (fd >= 0)
		close(fd);
	return ok;
}

/* Compare this variant's sweep with the one recorded by an earlier one. */
static void compare_sweep(struct ctx *c, const char *seq)
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

static bool fault_sweep(struct ctx *c)
{
	char seq[1024] = "", buf[32];
	int fd, nth, n, e, eagain = 0;
	bool ok = true, fired = true;
	size_t len = strlen(seq);
	void *p;

	nth = open(FAIL_NTH, O_RDWR | O_CLOEXEC);
	if (nth < 0)
		return fail(c, "%s: %s (no CONFIG_FAULT_INJECTION?)", FAIL_NTH,
			    strerror(errno));
	if (!knob(FAILSLAB "ignore-gfp-wait", "N")) {
		close(nth);
		return fail(c, "cannot set %signore-gfp-wait: %s", FAILSLAB,
			    strerror(errno));
	}
	fd = open_dev(c, O_RDWR);
	/* A warm-up map, so that the sweep counts only mmap()'s own work. */
	p = mmap(NULL, c->size, PROT_READ, MAP_SHARED, fd, 0);
	if (p != MAP_FAILED)
		munmap(p, c->size);

	for (n = 1; ok && fired && n <= SWEEP_MAX; n++) {
		snprintf(buf, sizeof(buf), "%d", n);
		if (pwrite(nth, buf, strlen(buf), 0) < 0) {
			ok = fail(c, "writing %s: %s", FAIL_NTH, strerror(errno));
			break;
		}
		p = mmap(NULL, c->size, PROT_READ, MAP_SHARED, fd, 0);
		e = p == MAP_FAILED ? errno : 0;
		/* 0 means the Nth allocation happened and was failed. */
		memset(buf, 0, sizeof(buf));
		fired = pread(nth, buf, sizeof(buf) - 1, 0) > 0 && atoi(buf) == 0;
		if (pwrite(nth, "0", 1, 0) != 1)
			ok = fail(c, "resetting %s: %s", FAIL_NTH, strerror(errno));

		len += snprintf(seq + len, sizeof(seq) - len, "%s%d %s%s",
				n > 1 ? ", " : "", n, errname(e),
				fired ? "" : " (not reached)");
		if (e == EAGAIN)
			eagain++;
		if (p != MAP_FAILED) {
			ok = check_bytes(c, p, c->size, 0, false);
			munmap(p, c->size);
		} else if (!fired) {
			ok = fail(c, "fail-nth %d was not reached, yet mmap failed with %s",
				  n, errname(e));
		} else if (e != ENOMEM && e != EAGAIN) {
			ok = fail(c, "fail-nth %d: expected ENOMEM or EAGAIN, got %s",
				  n, errname(e));
		}
	}
	close(fd);
	knob(FAILSLAB "ignore-gfp-wait", "Y");
	close(nth);

	tap_diag("fail-nth sweep (N errno): %s", seq);
	compare_sweep(c, seq);
	if (ok && fired)
		return fail(c, "mmap() still reached its %d-th allocation", SWEEP_MAX);
	if (ok && !eagain)
		return fail(c, "no failure while building the page tables gave EAGAIN");
	return ok;
}

static const struct {
	bool (*run)(struct ctx *c);
	const char *what;
} cases[] = {
	{ whole_buffer, "a shared mapping of the whole buffer reads the pattern" },
	{ each_offset, "one page at each offset, and pages 1-2, read the right bytes" },
	{ second_mapping, "a store through one mapping is seen through a second one" },
	{ pfnmap_flags, "smaps VmFlags show io pf dd de" },
	{ mremap_grow, "mremap() growing the mapping fails with EFAULT" },
	{ mremap_shrink, "mremap() shrinking the mapping keeps its data" },
	{ fork_child, "a forked child reads the buffer through the mapping" },
	{ partial_munmap, "after unmapping page 1 the other pages still read and write" },
	{ read_only_fd, "MAP_SHARED on an O_RDONLY descriptor reads the pattern" },
	{ read_only_fd_write, "PROT_WRITE on an O_RDONLY descriptor fails with EACCES" },
	{ too_long, "a length past the end of the buffer fails with EINVAL" },
	{ straddles_end, "a window straddling the end of the buffer fails with EINVAL" },
	{ offset_at_end, "an offset at the end of the buffer fails with EINVAL" },
	{ offset_far, "an offset of 2^40 pages fails with EINVAL" },
	{ offset_wraps, "an offset plus length that wraps around fails with EOVERFLOW" },
	{ private_rw, "MAP_PRIVATE fails with EINVAL" },
	{ private_ro, "MAP_PRIVATE on an O_RDONLY descriptor fails with EINVAL" },
	{ fault_sweep, "fail-nth in mmap(): ENOMEM before the page tables, EAGAIN in them" },
};

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = guard_handler };
	struct ctx c = { 0 };
	size_t i;

	if (argc != 3) {
		fprintf(stderr, "usage: %s DEVICE VARIANT\n", argv[0]);
		return 2;
	}
	c.dev = argv[1];
	c.variant = argv[2];
	c.pg = sysconf(_SC_PAGESIZE);
	c.size = KIT_PFN_PAGES * c.pg;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGBUS, &sa, NULL);
	sigaction(SIGSEGV, &sa, NULL);

	tap_plan(sizeof(cases) / sizeof(cases[0]));
	tap_diag("%s: %s, %lu pages of %zu bytes", c.variant, c.dev,
		 KIT_PFN_PAGES, c.pg);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		c.why[0] = '\0';
		if (!tap_ok(cases[i].run(&c), "%s: %s", c.variant, cases[i].what))
			tap_diag("%s", c.why);
	}
	return tap_done();
}
