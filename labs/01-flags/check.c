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
 * every access to a mapping runs under a SIGBUS/SIGSEGV guard.
 *
 * The last case writes to the buffer and restores it before returning.
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
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "flags-uapi.h"
#include "tap.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

struct ctx {
	const char *dev;	/* device path */
	size_t pg;		/* page size */
	size_t size;		/* buffer size in bytes */
	char why[512];		/* diagnostic of the last failed case */
};

/* Record why a case failed; returns false so cases can "return fail(...)". */
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
	const char *name = strerrorname_np(e);

	return name ? name : "unknown errno";
}

/* --- Fault guard: turn SIGBUS/SIGSEGV inside a guarded access into a return. */

static sigjmp_buf guard_env;
static volatile sig_atomic_t guard_armed;

static void guard_handler(int sig)
{
	if (guard_armed) {
		guard_armed = 0;
		siglongjmp(guard_env, sig);
	}
	/* A fault outside a guard is a checker bug: die of it visibly. */
	signal(sig, SIG_DFL);
}

static void guard_install(void)
{
	struct sigaction sa = { .sa_handler = guard_handler };

	sigemptyset(&sa.sa_mask);
	sigaction(SIGBUS, &sa, NULL);
	sigaction(SIGSEGV, &sa, NULL);
}

/*
 * Compare @len bytes at @p with the pattern of buffer offset @off onwards.
 * The index is volatile because it must survive the siglongjmp().
 */
static bool expect_pattern(struct ctx *c, const void *p, size_t len,
			   size_t off)
{
	const volatile unsigned char *v = p;
	volatile size_t i = 0;
	int sig;

	sig = sigsetjmp(guard_env, 1);
	if (sig)
		return fail(c, "SIG%s reading buffer offset %#zx (mapping %p + %#zx)",
			    sigabbrev_np(sig), off + i, p, (size_t)i);
	guard_armed = 1;
	for (; i < len; i++) {
		unsigned char want = kit_flags_pattern(off + i);
		unsigned char got = v[i];

		if (got != want) {
			guard_armed = 0;
			return fail(c, "buffer offset %#zx: expected byte %#04x, got %#04x",
				    off + i, want, got);
		}
	}
	guard_armed = 0;
	return true;
}

/* Load one byte under the guard. */
static bool guarded_load(struct ctx *c, const void *p, unsigned char *val)
{
	int sig;

	sig = sigsetjmp(guard_env, 1);
	if (sig)
		return fail(c, "SIG%s reading %p", sigabbrev_np(sig), p);
	guard_armed = 1;
	*val = *(const volatile unsigned char *)p;
	guard_armed = 0;
	return true;
}

/* Store one byte under the guard. */
static bool guarded_store(struct ctx *c, void *p, unsigned char val)
{
	int sig;

	sig = sigsetjmp(guard_env, 1);
	if (sig)
		return fail(c, "SIG%s writing %p", sigabbrev_np(sig), p);
	guard_armed = 1;
	*(volatile unsigned char *)p = val;
	guard_armed = 0;
	return true;
}

/* --- Helpers. */

/*
 * Open the device, mmap() @pages pages at page offset @pgoff, close it again
 * (the mapping keeps the file). errno is mmap()'s on MAP_FAILED.
 */
static void *map_dev(struct ctx *c, int oflags, size_t pages, int prot,
		     int flags, size_t pgoff)
{
	int fd = open(c->dev, oflags | O_CLOEXEC);
	void *p;
	int e;

	if (fd < 0)
		tap_bail("cannot open %s: %s", c->dev, strerror(errno));
	p = mmap(NULL, pages * c->pg, prot, flags, fd, pgoff * c->pg);
	e = errno;
	close(fd);
	errno = e;
	return p;
}

/*
 * Check that an mmap() failed with @want (read errno right after it). A
 * mapping that should not exist is removed again, so that later cases and
 * the module unload are not disturbed.
 */
static bool expect_map_error(struct ctx *c, void *p, size_t len, int want)
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

/* The mapping every "works" case starts from; failing it fails the case. */
static bool expect_map_ok(struct ctx *c, void *p)
{
	if (p == MAP_FAILED)
		return fail(c, "mmap: expected success, got %s", errname(errno));
	return true;
}

static bool has_token(const char *list, const char *tok)
{
	size_t n = strlen(tok);
	const char *s;

	for (s = list; (s = strstr(s, tok)); s += n)
		if ((s == list || s[-1] == ' ') && (s[n] == ' ' || s[n] == '\0'))
			return true;
	return false;
}

/* Copy the VmFlags of the mapping that starts at @p from /proc/self/smaps. */
static bool vmflags_of(void *p, char *out, size_t outlen)
{
	char line[512];
	bool in = false, found = false;
	unsigned long start, end;
	FILE *f = fopen("/proc/self/smaps", "re");

	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%lx-%lx ", &start, &end) == 2) {
			in = start == (unsigned long)p;
		} else if (in && !strncmp(line, "VmFlags:", 8)) {
			line[strcspn(line, "\n")] = '\0';
			snprintf(out, outlen, "%s", line + 8 + strspn(line + 8, " "));
			found = true;
		}
	}
	fclose(f);
	return found;
}

/* In a child process, check the pattern of the mapping @p of the buffer. */
static bool check_in_child(struct ctx *c, const void *p)
{
	char msg[400] = "";
	int pfd[2], status;
	ssize_t n;
	pid_t pid;

	if (pipe(pfd))
		return fail(c, "pipe: %s", strerror(errno));
	pid = fork();
	if (pid == 0) {
		bool ok = expect_pattern(c, p, c->size, 0);

		if (!ok && write(pfd[1], c->why, strlen(c->why)) < 0)
			_exit(2);
		_exit(ok ? 0 : 1);
	}
	close(pfd[1]);
	if (pid < 0) {
		close(pfd[0]);
		return fail(c, "fork: %s", strerror(errno));
	}
	n = read(pfd[0], msg, sizeof(msg) - 1);
	msg[n > 0 ? n : 0] = '\0';
	close(pfd[0]);
	if (waitpid(pid, &status, 0) != pid)
		return fail(c, "waitpid: %s", strerror(errno));
	if (WIFSIGNALED(status))
		return fail(c, "child killed by SIG%s",
			    sigabbrev_np(WTERMSIG(status)));
	if (WEXITSTATUS(status))
		return fail(c, "in the child: %s", msg[0] ? msg : "no diagnostic");
	return true;
}

/* --- The cases, in the order they run. Each returns true on pass. */

static bool whole_buffer(struct ctx *c)
{
	void *p = map_dev(c, O_RDWR, KIT_FLAGS_PAGES, PROT_READ, MAP_SHARED, 0);
	bool ok = expect_map_ok(c, p) && expect_pattern(c, p, c->size, 0);

	if (p != MAP_FAILED)
		munmap(p, c->size);
	return ok;
}

static bool at_offset(struct ctx *c)
{
	/* Pages 1 to the last: a non-zero offset, ending on the buffer end. */
	size_t len = (KIT_FLAGS_PAGES - 1) * c->pg;
	void *p = map_dev(c, O_RDWR, KIT_FLAGS_PAGES - 1, PROT_READ,
			  MAP_SHARED, 1);
	bool ok = expect_map_ok(c, p) && expect_pattern(c, p, len, c->pg);

	if (p != MAP_FAILED)
		munmap(p, len);
	return ok;
}

static bool vmflags(struct ctx *c)
{
	void *p = map_dev(c, O_RDWR, 1, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
	char flags[256];
	bool ok;

	if (!expect_map_ok(c, p))
		return false;
	if (!vmflags_of(p, flags, sizeof(flags)))
		ok = fail(c, "no VmFlags for %p in /proc/self/smaps", p);
	else if (!has_token(flags, "dd") || !has_token(flags, "de") ||
		 has_token(flags, "ex") || has_token(flags, "me"))
		ok = fail(c, "expected dd and de, no ex or me; got \"%s\"",
			  flags);
	else
		ok = true;
	munmap(p, c->pg);
	return ok;
}

static bool mremap_grow(struct ctx *c)
{
	void *p = map_dev(c, O_RDWR, 2, PROT_READ, MAP_SHARED, 0);
	void *q;
	int e;

	if (!expect_map_ok(c, p))
		return false;
	/* Growing stays inside the buffer: only DONTEXPAND can refuse it. */
	q = mremap(p, 2 * c->pg, 3 * c->pg, MREMAP_MAYMOVE);
	e = errno;
	if (q != MAP_FAILED) {
		munmap(q, 3 * c->pg);
		return fail(c, "expected EFAULT, got success");
	}
	munmap(p, 2 * c->pg);
	if (e != EFAULT)
		return fail(c, "expected EFAULT, got %s", errname(e));
	return true;
}

static bool mremap_shrink(struct ctx *c)
{
	void *p = map_dev(c, O_RDWR, 2, PROT_READ, MAP_SHARED, 0);
	void *q;
	bool ok;

	if (!expect_map_ok(c, p))
		return false;
	q = mremap(p, 2 * c->pg, c->pg, 0);
	if (q == MAP_FAILED) {
		fail(c, "expected success, got %s", errname(errno));
		munmap(p, 2 * c->pg);
		return false;
	}
	ok = expect_pattern(c, q, c->pg, 0);
	munmap(q, c->pg);
	return ok;
}

static bool too_long(struct ctx *c)
{
	size_t pages = KIT_FLAGS_PAGES + 1;
	void *p = map_dev(c, O_RDWR, pages, PROT_READ, MAP_SHARED, 0);

	return expect_map_error(c, p, pages * c->pg, EINVAL);
}

static bool straddles_end(struct ctx *c)
{
	void *p = map_dev(c, O_RDWR, 2, PROT_READ, MAP_SHARED,
			  KIT_FLAGS_PAGES - 1);

	return expect_map_error(c, p, 2 * c->pg, EINVAL);
}

static bool offset_past_end(struct ctx *c)
{
	void *p = map_dev(c, O_RDWR, 1, PROT_READ, MAP_SHARED,
			  KIT_FLAGS_PAGES);

	return expect_map_error(c, p, c->pg, EINVAL);
}

static bool offset_overflow(struct ctx *c)
{
	int fd = open(c->dev, O_RDWR | O_CLOEXEC);
	void *p;
	int e;

	if (fd < 0)
		tap_bail("cannot open %s: %s", c->dev, strerror(errno));
	/*
	 * Offset: the last page of the 64-bit file offset space, two pages
	 * long. The raw syscall, so that libc cannot judge the offset first.
	 */
	p = (void *)syscall(SYS_mmap, NULL, 2 * c->pg, PROT_READ, MAP_SHARED,
			    fd, -(unsigned long)c->pg);
	e = errno;
	close(fd);
	errno = e;
	return expect_map_error(c, p, 2 * c->pg, EOVERFLOW);
}

static bool prot_exec(struct ctx *c)
{
	void *p = map_dev(c, O_RDWR, 1, PROT_READ | PROT_EXEC, MAP_SHARED, 0);

	return expect_map_error(c, p, c->pg, EPERM);
}

static bool mprotect_exec(struct ctx *c)
{
	void *p = map_dev(c, O_RDWR, 1, PROT_READ, MAP_SHARED, 0);
	int r, e;

	if (!expect_map_ok(c, p))
		return false;
	r = mprotect(p, c->pg, PROT_READ | PROT_EXEC);
	e = errno;
	munmap(p, c->pg);
	if (r == 0)
		return fail(c, "expected EACCES, got success");
	if (e != EACCES)
		return fail(c, "expected EACCES, got %s", errname(e));
	return true;
}

static bool map_private(struct ctx *c)
{
	void *p = map_dev(c, O_RDWR, 1, PROT_READ, MAP_PRIVATE, 0);

	return expect_map_error(c, p, c->pg, EINVAL);
}

static bool read_only_fd(struct ctx *c)
{
	/* The core clears VM_SHARED here; a driver testing it says EINVAL. */
	void *p = map_dev(c, O_RDONLY, KIT_FLAGS_PAGES, PROT_READ,
			  MAP_SHARED, 0);
	bool ok = expect_map_ok(c, p) && expect_pattern(c, p, c->size, 0);

	if (p != MAP_FAILED)
		munmap(p, c->size);
	return ok;
}

static bool fork_child(struct ctx *c)
{
	void *p = map_dev(c, O_RDWR, KIT_FLAGS_PAGES, PROT_READ, MAP_SHARED, 0);
	bool ok;

	if (!expect_map_ok(c, p))
		return false;
	/*
	 * Fault the pages in the parent first. fork() does not copy the page
	 * tables of a shared file mapping, so the child faults on its own,
	 * through the vm_ops and private data it inherited.
	 */
	ok = expect_pattern(c, p, c->size, 0) && check_in_child(c, p);
	munmap(p, c->size);
	return ok;
}

static bool partial_munmap(struct ctx *c)
{
	char *p = map_dev(c, O_RDWR, KIT_FLAGS_PAGES, PROT_READ, MAP_SHARED, 0);
	size_t tail = c->size - 2 * c->pg;
	bool ok;

	if (!expect_map_ok(c, p))
		return false;
	if (munmap(p + c->pg, c->pg)) {
		fail(c, "munmap of page 1: expected success, got %s",
		     errname(errno));
		munmap(p, c->size);
		return false;
	}
	ok = expect_pattern(c, p, c->pg, 0) &&
	     expect_pattern(c, p + 2 * c->pg, tail, 2 * c->pg);
	munmap(p, c->pg);
	munmap(p + 2 * c->pg, tail);
	return ok;
}

static bool shared_write(struct ctx *c)
{
	/* Two opens, two mappings at different offsets, one buffer. */
	char *a = map_dev(c, O_RDWR, KIT_FLAGS_PAGES, PROT_READ | PROT_WRITE,
			  MAP_SHARED, 0);
	char *b = MAP_FAILED;
	size_t off = 2 * c->pg + 123;
	unsigned char val = ~kit_flags_pattern(off), got;
	bool ok = false;

	if (!expect_map_ok(c, a))
		goto out;
	b = map_dev(c, O_RDWR, 1, PROT_READ, MAP_SHARED, 2);
	if (!expect_map_ok(c, b))
		goto out;
	if (!guarded_store(c, a + off, val) ||
	    !guarded_load(c, b + 123, &got))
		goto out;
	ok = got == val;
	if (!ok)
		fail(c, "second mapping, buffer offset %#zx: expected byte %#04x, got %#04x",
		     off, val, got);
	/* Put the pattern back for whoever maps the buffer next. */
	if (!guarded_store(c, a + off, kit_flags_pattern(off)))
		ok = false;
out:
	if (a != MAP_FAILED)
		munmap(a, c->size);
	if (b != MAP_FAILED)
		munmap(b, c->pg);
	return ok;
}

static const struct {
	bool (*run)(struct ctx *c);
	const char *what;
} cases[] = {
	{ whole_buffer, "a shared mapping of the whole buffer reads the pattern on every page" },
	{ at_offset, "a mapping at page offset 1 up to the end reads pages 1 to the last" },
	{ vmflags, "smaps VmFlags show dd and de, and neither ex nor me" },
	{ mremap_grow, "mremap() growing the mapping fails with EFAULT" },
	{ mremap_shrink, "mremap() shrinking the mapping works and keeps its data" },
	{ too_long, "a length past the end of the buffer fails with EINVAL" },
	{ straddles_end, "a window straddling the end of the buffer fails with EINVAL" },
	{ offset_past_end, "an offset at the end of the buffer fails with EINVAL" },
	{ offset_overflow, "an offset plus length that wraps around fails with EOVERFLOW" },
	{ prot_exec, "PROT_EXEC fails with EPERM" },
	{ mprotect_exec, "mprotect() adding PROT_EXEC later fails with EACCES" },
	{ map_private, "MAP_PRIVATE fails with EINVAL" },
	{ read_only_fd, "a read-only MAP_SHARED of an O_RDONLY fd reads the pattern" },
	{ fork_child, "a forked child reads the right bytes through the mapping" },
	{ partial_munmap, "unmapping the middle page leaves the other pages readable" },
	{ shared_write, "a store through one mapping is seen through a second one" },
};

int main(int argc, char **argv)
{
	struct ctx c = { 0 };
	struct statvfs st;
	size_t i;

	if (argc != 3) {
		fprintf(stderr, "usage: %s DEVICE VARIANT\n", argv[0]);
		return 2;
	}
	c.dev = argv[1];
	c.pg = sysconf(_SC_PAGESIZE);
	c.size = KIT_FLAGS_PAGES * c.pg;
	guard_install();

	tap_plan(ARRAY_SIZE(cases));
	tap_diag("%s: %s, %lu pages of %zu bytes", argv[2], c.dev,
		 KIT_FLAGS_PAGES, c.pg);
	/* On a noexec mount the core refuses exec itself, hiding the driver. */
	if (!statvfs(c.dev, &st) && (st.f_flag & ST_NOEXEC))
		tap_diag("%s is on a noexec mount: the exec cases do not test the driver",
			 c.dev);
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		c.why[0] = '\0';
		if (!tap_ok(cases[i].run(&c), "%s: %s", argv[2], cases[i].what))
			tap_diag("%s", c.why);
	}
	return tap_done();
}
