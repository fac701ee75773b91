/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What every lab checker does to a device's mmap() (header-only, C11 + GNU).
 *
 * A checker keeps its state in a struct mapcheck, lists its cases in a
 * table of struct mc_case (a function of the struct mapcheck, true on pass,
 * or an mmap() the device must refuse) and runs and reports each in turn:
 *
 *	struct mapcheck c = { .pattern = pattern };
 *
 *	mc_start(&c, argc, argv, KIT_X_PAGES, ARRAY_SIZE(cases));
 *	for (i = 0; i < ARRAY_SIZE(cases); i++)
 *		mc_report(&c, cases[i].what, mc_run(&c, &cases[i]));
 *	return tap_done();
 *
 * A failing check records why with mc_fail() and returns false; mc_report()
 * prints that reason under the "not ok" line. Every access to a mapping runs
 * under a SIGBUS/SIGSEGV guard, so a driver bug gives "not ok", never a dead
 * checker. The device's buffer must hold m->pattern(m->gen, offset) at every
 * offset, except where a case writes and puts the byte back.
 *
 * Each checker is one translation unit; define _GNU_SOURCE before any
 * #include.
 */
#ifndef KIT_MAPCHECK_H
#define KIT_MAPCHECK_H

#ifndef _GNU_SOURCE
#error "define _GNU_SOURCE before the first #include"
#endif

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
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

#include "tap.h"

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#endif

#define MC_FAILSLAB	"/sys/kernel/debug/failslab/"
#define MC_FAIL_NTH	"/proc/thread-self/fail-nth"
#define MC_NTH_MAX	64	/* the drill gives up after this many steps */

/* One step of the fail-nth drill (mc_nth_sweep()). */
struct mc_nth {
	int n;			/* the slab allocation to fail: 1, 2, ... */
	int err;		/* mmap()'s errno, 0 if it mapped, -1 if not run */
	bool fired;		/* the n-th allocation was reached and failed */
};

struct mapcheck {
	const char *dev;	/* device path */
	const char *variant;	/* before, after, ...: labels every line */
	size_t pg;		/* page size */
	size_t size;		/* the device's buffer, in bytes */
	/* The byte at buffer offset @off of contents generation @gen. */
	unsigned char (*pattern)(unsigned int gen, unsigned long off);
	unsigned int gen;	/* generation of the contents (lab 03's session) */
	struct mc_nth nth;	/* the drill's current step */
	bool timed_out;		/* the last mc_in_child() had to kill its child */
	bool any_timed_out;	/* so had one before, or one in a child */
	char why[1024];		/* why the current case failed */
	/* The current case's TAP directive: mc_known() or mc_skip(). */
	char directive[256];
};

/* A case's check: true on pass, else false with m->why set. */
typedef bool mc_case_fn(struct mapcheck *m);

/*
 * An mmap() the device must refuse: @pages pages from page @pgoff with @prot
 * and @flags, through a descriptor opened with @oflags, fails with @err.
 */
struct mc_refusal {
	int oflags, prot, flags;
	size_t pages, pgoff;
	int err;
};

/* A case: @run, or if there is none, the mmap() in @refused. */
struct mc_case {
	mc_case_fn *run;
	const char *what;		/* the sentence its TAP line prints */
	struct mc_refusal refused;
};

/*
 * Record why a case failed; returns false so checks can "return
 * mc_fail(...)". m->why may be one of the arguments, to add context to a
 * reason already recorded: mc_fail(m, "in the child: %s", m->why).
 */
static inline TAP_PRINTF(2, 3) bool mc_fail(struct mapcheck *m,
					    const char *fmt, ...)
{
	char buf[sizeof(m->why)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	memcpy(m->why, buf, sizeof(buf));
	return false;
}

/* The name of errno value @e ("ENOMEM"), or "success" for 0. */
static inline const char *mc_errname(int e)
{
	const char *name = e ? strerrorname_np(e) : "success";

	return name ? name : "unknown errno";
}

/* --- The fault guard: a SIGBUS/SIGSEGV in a guarded access is a return. */

struct mc_guard {
	sigjmp_buf env;
	volatile sig_atomic_t on;
};

/* One guard per program; a function-local static keeps this header-only. */
static inline struct mc_guard *mc_guard(void)
{
	static struct mc_guard guard;

	return &guard;
}

static inline void mc_guard_handler(int sig)
{
	struct mc_guard *g = mc_guard();

	if (!g->on) {
		/* A fault outside a guard is a checker bug: die of it visibly. */
		signal(sig, SIG_DFL);
		return;
	}
	g->on = 0;
	siglongjmp(g->env, sig);
}

/*
 * Compare @len bytes at @p with the pattern from buffer offset @off on. With
 * @store each byte is first overwritten with its complement, read back and
 * restored, which shows the mapping is writable too. The index is volatile
 * because it must survive the siglongjmp().
 */
static inline bool mc_bytes(struct mapcheck *m, void *p, size_t len,
			    size_t off, bool store)
{
	volatile unsigned char *v = p;
	volatile unsigned char want = 0, got = 0;
	volatile size_t i = 0;
	char gen[32] = "";
	int sig;

	sig = sigsetjmp(mc_guard()->env, 1);
	if (sig)
		return mc_fail(m, "SIG%s at buffer offset %#zx (mapping %p + %#zx)",
			       sigabbrev_np(sig), off + i, p, (size_t)i);
	mc_guard()->on = 1;
	for (; i < len; i++) {
		want = m->pattern(m->gen, off + i);
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
	mc_guard()->on = 0;
	if (i == len)
		return true;
	if (m->gen)
		snprintf(gen, sizeof(gen), " (generation %u)", m->gen);
	return mc_fail(m, "buffer offset %#zx: expected %#04x%s, got %#04x%s",
		       off + i, want, gen, got, store ? " (after a store)" : "");
}

/* @len bytes at @p must read the pattern from buffer offset @off on. */
static inline bool mc_expect_bytes(struct mapcheck *m, const void *p,
				   size_t len, size_t off)
{
	return mc_bytes(m, (void *)p, len, off, false);
}

/* Store @val at @p, then load the byte at @q into *@got, under the guard. */
static inline bool mc_store_load(struct mapcheck *m, void *p,
				 unsigned char val, const void *q,
				 unsigned char *got)
{
	volatile bool stored = false;
	int sig;

	sig = sigsetjmp(mc_guard()->env, 1);
	if (sig)
		return stored ?
			mc_fail(m, "SIG%s loading from %p", sigabbrev_np(sig), q) :
			mc_fail(m, "SIG%s storing to %p", sigabbrev_np(sig), p);
	mc_guard()->on = 1;
	*(volatile unsigned char *)p = val;
	stored = true;
	*got = *(const volatile unsigned char *)q;
	mc_guard()->on = 0;
	return true;
}

/* --- Starting the run, reporting cases. */

/*
 * Read the command line (DEVICE VARIANT) into @m, whose device buffer has
 * @pages pages, install the fault guard, and print the plan of @ncases cases
 * and a first line naming the device. m->pattern must be set already.
 */
static inline void mc_start(struct mapcheck *m, int argc, char **argv,
			    unsigned long pages, size_t ncases)
{
	struct sigaction sa = { .sa_handler = mc_guard_handler };

	if (argc != 3) {
		fprintf(stderr, "usage: %s DEVICE VARIANT\n", argv[0]);
		exit(2);
	}
	m->dev = argv[1];
	m->variant = argv[2];
	m->pg = sysconf(_SC_PAGESIZE);
	m->size = pages * m->pg;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGBUS, &sa, NULL);
	sigaction(SIGSEGV, &sa, NULL);

	tap_plan(ncases);
	tap_diag("%s: %s, %lu pages of %zu bytes", m->variant, m->dev, pages,
		 m->pg);
}

/* Set the current case's TAP directive: @word, then @fmt's text. */
static inline bool mc_directive(struct mapcheck *m, const char *word,
				const char *fmt, va_list ap)
{
	int n = snprintf(m->directive, sizeof(m->directive), "%s ", word);

	vsnprintf(m->directive + n, sizeof(m->directive) - n, fmt, ap);
	return true;
}

/*
 * The current case passes, but only because what it measured is a known
 * upstream defect, which @fmt describes with the numbers measured. Its TAP
 * line gets the directive "# KNOWN <that>", and the grading layer gives the
 * variant the verdict KNOWN. Returns true, so checks can "return
 * mc_known(...)".
 */
static inline TAP_PRINTF(2, 3) bool mc_known(struct mapcheck *m,
					     const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	mc_directive(m, "KNOWN", fmt, ap);
	va_end(ap);
	return true;
}

/*
 * The current case could not decide, for the reason @fmt gives (a race it
 * did not win within its bound, say): "# SKIP <why>", which TAP counts as
 * passed. Only for a case whose lesson another check grades for certain.
 */
static inline TAP_PRINTF(2, 3) bool mc_skip(struct mapcheck *m,
					    const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	mc_directive(m, "SKIP", fmt, ap);
	va_end(ap);
	return true;
}

/*
 * Print the TAP line of case @what, its reason if it failed or its
 * directive if it has one; clear both.
 */
static inline bool mc_report(struct mapcheck *m, const char *what, bool ok)
{
	if (ok && m->directive[0])
		tap_ok(ok, "%s: %s # %s", m->variant, what, m->directive);
	else if (!tap_ok(ok, "%s: %s", m->variant, what))
		tap_diag("%s", m->why);
	m->why[0] = '\0';
	m->directive[0] = '\0';
	return ok;
}

/* --- Mapping the device. */

/* Open the device; the run cannot go on without it. */
static inline int mc_open(struct mapcheck *m, int oflags)
{
	int fd = open(m->dev, oflags | O_CLOEXEC);

	if (fd < 0)
		tap_bail("cannot open %s: %s", m->dev, strerror(errno));
	return fd;
}

/*
 * mmap() @pages pages from page @pgoff of @fd; errno is mmap()'s on
 * MAP_FAILED. The raw system call, so that libc cannot judge the offset
 * first: page (size_t)-1 is the last page of the 64-bit offset space.
 */
static inline void *mc_mmap(struct mapcheck *m, int fd, int prot, int flags,
			    size_t pages, size_t pgoff)
{
	return (void *)syscall(SYS_mmap, NULL, pages * m->pg, prot, flags, fd,
			       (unsigned long)pgoff * m->pg);
}

/* The same through a descriptor opened with @oflags for this call alone. */
static inline void *mc_map(struct mapcheck *m, int oflags, int prot,
			   int flags, size_t pages, size_t pgoff)
{
	int fd = mc_open(m, oflags);
	void *p = mc_mmap(m, fd, prot, flags, pages, pgoff);
	int e = errno;

	close(fd);
	errno = e;
	return p;
}

/* munmap() what an mmap() returned, if it mapped anything. */
static inline void mc_unmap(void *p, size_t len)
{
	if (p != MAP_FAILED)
		munmap(p, len);
}

/* The mmap() that just returned @p must have worked. */
static inline bool mc_mapped(struct mapcheck *m, void *p)
{
	if (p == MAP_FAILED)
		return mc_fail(m, "mmap: expected success, got %s",
			       mc_errname(errno));
	return true;
}

/* A call that must have failed with @want: did it (@failed), its errno @err. */
static inline bool mc_expect_err(struct mapcheck *m, bool failed, int err,
				 int want)
{
	if (!failed)
		return mc_fail(m, "expected %s, got success", mc_errname(want));
	if (err != want)
		return mc_fail(m, "expected %s, got %s", mc_errname(want),
			       mc_errname(err));
	return true;
}

/*
 * The mmap() that just returned @p must have failed with @want. A mapping
 * that should not exist is removed again, so that later cases and the module
 * unload are not disturbed.
 */
static inline bool mc_expect_map_err(struct mapcheck *m, void *p, size_t len,
				     int want)
{
	int e = errno;

	mc_unmap(p, len);
	return mc_expect_err(m, p == MAP_FAILED, e, want);
}

/*
 * @p, just returned by an mmap() of @pages pages from page @pgoff, must have
 * mapped and read the pattern there; it is unmapped.
 */
static inline bool mc_check_map(struct mapcheck *m, void *p, size_t pages,
				size_t pgoff)
{
	bool ok;

	if (p == MAP_FAILED)
		return mc_fail(m, "mmap of pages %zu-%zu: expected success, got %s",
			       pgoff, pgoff + pages - 1, mc_errname(errno));
	ok = mc_expect_bytes(m, p, pages * m->pg, pgoff * m->pg);
	munmap(p, pages * m->pg);
	return ok;
}

/*
 * A read-only MAP_SHARED of @pages pages from page @pgoff, through a
 * descriptor opened with @oflags and closed before the bytes are read, must
 * read the pattern.
 */
static inline bool mc_map_reads(struct mapcheck *m, int oflags, size_t pages,
				size_t pgoff)
{
	void *p = mc_map(m, oflags, PROT_READ, MAP_SHARED, pages, pgoff);

	return mc_check_map(m, p, pages, pgoff);
}

/* Run case @k: its function, or the mmap() it says the device refuses. */
static inline bool mc_run(struct mapcheck *m, const struct mc_case *k)
{
	const struct mc_refusal *r = &k->refused;
	void *p;

	if (k->run)
		return k->run(m);
	p = mc_map(m, r->oflags, r->prot, r->flags, r->pages, r->pgoff);
	return mc_expect_map_err(m, p, r->pages * m->pg, r->err);
}

/*
 * The VmFlags of the mapping that starts at @p, from /proc/self/smaps, as
 * "rd wr sh ...". False if there is no such mapping.
 */
static inline bool mc_vmflags_of(const void *p, char *out, size_t outlen)
{
	unsigned long start, end;
	bool here = false, found = false;
	char line[512], *s;
	FILE *f = fopen("/proc/self/smaps", "re");

	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%lx-%lx ", &start, &end) == 2) {
			here = start == (unsigned long)p;
		} else if (here && !strncmp(line, "VmFlags:", 8)) {
			s = line + 8 + strspn(line + 8, " ");
			s[strcspn(s, "\n")] = '\0';
			while (*s && s[strlen(s) - 1] == ' ')
				s[strlen(s) - 1] = '\0';
			snprintf(out, outlen, "%s", s);
			found = true;
		}
	}
	fclose(f);
	return found;
}

/* Does @flags hold all (@all) or any (!@all) of the space-separated @words? */
static inline bool mc_has_words(const char *flags, const char *words, bool all)
{
	char list[520], word[20];
	size_t n;

	snprintf(list, sizeof(list), " %s ", flags);
	for (; *words; words += n + strspn(words + n, " ")) {
		n = strcspn(words, " ");
		snprintf(word, sizeof(word), " %.*s ", (int)n, words);
		if (!!strstr(list, word) != all)
			return !all;
	}
	return all;
}

/*
 * A one-page MAP_SHARED with @prot must show every smaps VmFlags name in
 * @want and none in @refuse (space-separated, "" for none).
 */
static inline bool mc_vmflags_show(struct mapcheck *m, int prot,
				   const char *want, const char *refuse)
{
	void *p = mc_map(m, O_RDWR, prot, MAP_SHARED, 1, 0);
	char flags[512];
	bool ok;

	if (!mc_mapped(m, p))
		return false;
	if (!mc_vmflags_of(p, flags, sizeof(flags)))
		ok = mc_fail(m, "no VmFlags for %p in /proc/self/smaps", p);
	else if (!mc_has_words(flags, want, true) ||
		 mc_has_words(flags, refuse, false))
		ok = mc_fail(m, "expected %s%s%s, got \"%s\"", want,
			     *refuse ? " and none of " : "", refuse, flags);
	else
		ok = true;
	munmap(p, m->pg);
	return ok;
}

/* --- Cases more than one device has, with the same mechanics. */

/*
 * mremap() growing a two-page mapping to three pages, still inside the
 * buffer, must fail with @want: only the driver's mapping can refuse it.
 */
static inline bool mc_grow_fails(struct mapcheck *m, int want)
{
	void *p = mc_map(m, O_RDWR, PROT_READ, MAP_SHARED, 2, 0), *q;
	int e;

	if (!mc_mapped(m, p))
		return false;
	q = mremap(p, 2 * m->pg, 3 * m->pg, MREMAP_MAYMOVE);
	e = errno;
	if (q == MAP_FAILED)
		munmap(p, 2 * m->pg);
	else
		munmap(q, 3 * m->pg);
	return mc_expect_err(m, q == MAP_FAILED, e, want);
}

/*
 * mremap() shrinking a mapping of @pages pages from page @pgoff to its first
 * page must work, and that page must still read the pattern.
 */
static inline bool mc_shrink_reads(struct mapcheck *m, size_t pages,
				   size_t pgoff)
{
	void *p = mc_map(m, O_RDWR, PROT_READ, MAP_SHARED, pages, pgoff), *q;
	bool ok;

	if (!mc_mapped(m, p))
		return false;
	q = mremap(p, pages * m->pg, m->pg, 0);
	if (q == MAP_FAILED) {
		mc_fail(m, "expected success, got %s", mc_errname(errno));
		munmap(p, pages * m->pg);
		return false;
	}
	ok = mc_expect_bytes(m, q, m->pg, pgoff * m->pg);
	munmap(q, m->pg);
	return ok;
}

/*
 * Unmap page 1 of a mapping of the whole buffer with @prot: page 0 and the
 * pages after 1 must still read the pattern, and take stores if @prot has
 * PROT_WRITE.
 */
static inline bool mc_punch_reads(struct mapcheck *m, int prot)
{
	char *p = mc_map(m, O_RDWR, prot, MAP_SHARED, m->size / m->pg, 0);
	bool rw = prot & PROT_WRITE, ok;
	size_t tail = m->size - 2 * m->pg;

	if (!mc_mapped(m, p))
		return false;
	if (munmap(p + m->pg, m->pg)) {
		mc_fail(m, "munmap of page 1: expected success, got %s",
			mc_errname(errno));
		munmap(p, m->size);
		return false;
	}
	ok = mc_bytes(m, p, m->pg, 0, rw) &&
	     mc_bytes(m, p + 2 * m->pg, tail, 2 * m->pg, rw);
	munmap(p, m->pg);
	munmap(p + 2 * m->pg, tail);
	return ok;
}

/*
 * A store through a read-write mapping of the whole buffer, at buffer offset
 * @off, must be seen through a second mapping: @pages pages from page
 * @pgoff, which hold @off. The byte is put back for whoever maps next.
 */
static inline bool mc_store_seen(struct mapcheck *m, size_t pages,
				 size_t pgoff, size_t off)
{
	char *a = mc_map(m, O_RDWR, PROT_READ | PROT_WRITE, MAP_SHARED,
			 m->size / m->pg, 0);
	char *b = MAP_FAILED;
	unsigned char val = (unsigned char)~m->pattern(m->gen, off), got = 0;
	bool ok = false;

	if (!mc_mapped(m, a))
		goto out;
	b = mc_map(m, O_RDWR, PROT_READ, MAP_SHARED, pages, pgoff);
	if (!mc_mapped(m, b) ||
	    !mc_store_load(m, a + off, val, b + off - pgoff * m->pg, &got))
		goto out;
	ok = got == val ||
	     mc_fail(m, "stored %#04x at buffer offset %#zx, the second mapping reads %#04x",
		     val, off, got);
	if (!mc_store_load(m, a + off, (unsigned char)~val, a + off, &got))
		ok = false;
out:
	mc_unmap(a, m->size);
	mc_unmap(b, pages * m->pg);
	return ok;
}

/* --- Child processes. */

/*
 * Run @fn(@m, @arg) in a child process. Its verdict comes back, and so does
 * its copy of @m: the reason it failed, and whatever else it changed there.
 * With @secs, a child that has not answered within @secs seconds is killed
 * (which also ends a killable wait in the kernel) and m->timed_out and
 * m->any_timed_out set; m->timed_out says only this call's child. The
 * watchdog is poll() here, not alarm() in the child: the lab kernel has no
 * POSIX timers. False, with the reason, if the child did not answer.
 */
static inline bool mc_in_child(struct mapcheck *m,
			       bool (*fn)(struct mapcheck *m, const void *arg),
			       const void *arg, unsigned int secs)
{
	struct {
		bool ok;
		struct mapcheck m;
	} back;
	struct pollfd pf;
	int pfd[2], status;
	bool answered;
	size_t got = 0;
	ssize_t n;
	pid_t pid;

	m->timed_out = false;
	if (pipe(pfd))
		return mc_fail(m, "pipe: %s", strerror(errno));
	pid = fork();
	if (pid == 0) {
		close(pfd[0]);
		back.ok = fn(m, arg);
		back.m = *m;
		/* One write of less than PIPE_BUF: it arrives whole. */
		_exit(write(pfd[1], &back, sizeof(back)) != sizeof(back));
	}
	close(pfd[1]);
	if (pid < 0) {
		close(pfd[0]);
		return mc_fail(m, "fork: %s", strerror(errno));
	}
	pf = (struct pollfd){ .fd = pfd[0], .events = POLLIN };
	answered = poll(&pf, 1, secs ? (int)secs * 1000 : -1) == 1;
	if (answered)
		while (got < sizeof(back) &&
		       (n = read(pfd[0], (char *)&back + got,
				 sizeof(back) - got)) > 0)
			got += n;
	else
		kill(pid, SIGKILL);
	close(pfd[0]);
	if (waitpid(pid, &status, 0) != pid)
		return mc_fail(m, "waitpid: %s", strerror(errno));
	if (got == sizeof(back)) {
		*m = back.m;
		m->timed_out = false;
		return back.ok;
	}
	if (!answered) {
		m->timed_out = m->any_timed_out = true;
		return mc_fail(m, "no answer within %u s", secs);
	}
	if (WIFSIGNALED(status))
		return mc_fail(m, "the child died of SIG%s",
			       sigabbrev_np(WTERMSIG(status)));
	return mc_fail(m, "the child exited with status %d before answering",
		       WEXITSTATUS(status));
}

/* mc_fork_reads()'s child: the whole buffer through the mapping @p. */
static inline bool mc_child_reads(struct mapcheck *m, const void *p)
{
	return mc_expect_bytes(m, p, m->size, 0) ||
	       mc_fail(m, "in the child: %s", m->why);
}

/*
 * A read-only mapping of the whole buffer must read the pattern, first in
 * this process, then in a child forked after that.
 */
static inline bool mc_fork_reads(struct mapcheck *m)
{
	void *p = mc_map(m, O_RDWR, PROT_READ, MAP_SHARED, m->size / m->pg, 0);
	bool ok;

	if (!mc_mapped(m, p))
		return false;
	ok = mc_expect_bytes(m, p, m->size, 0) &&
	     mc_in_child(m, mc_child_reads, p, 0);
	munmap(p, m->size);
	return ok;
}

/* --- The fail-nth drill (CONFIG_FAILSLAB, CONFIG_FAULT_INJECTION_DEBUG_FS). */

/* Write @val to the debugfs or procfs file @path. */
static inline bool mc_knob(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	bool ok = fd >= 0 && write(fd, val, strlen(val)) == (ssize_t)strlen(val);

	if (fd >= 0)
		close(fd);
	return ok;
}

/*
 * One step of the drill, in the calling thread: open the device, map it
 * once (so that only mmap()'s own allocations count), then mmap() the whole
 * buffer again with the m->nth.n-th slab allocation of this thread failed.
 * mmap()'s errno and whether the allocation was reached go to m->nth; a
 * mapping must read the pattern.
 */
static inline bool mc_nth_step(struct mapcheck *m)
{
	int fd = mc_open(m, O_RDWR), nth = open(MC_FAIL_NTH, O_RDWR | O_CLOEXEC);
	size_t pages = m->size / m->pg;
	bool ok = false;
	char buf[32];
	void *p;

	if (nth < 0) {
		mc_fail(m, "%s: %s (no CONFIG_FAULT_INJECTION?)", MC_FAIL_NTH,
			strerror(errno));
		goto out;
	}
	p = mc_mmap(m, fd, PROT_READ, MAP_SHARED, pages, 0);
	if (p == MAP_FAILED) {
		mc_fail(m, "mmap without a failure: %s", mc_errname(errno));
		goto out;
	}
	munmap(p, m->size);
	snprintf(buf, sizeof(buf), "%d", m->nth.n);
	if (pwrite(nth, buf, strlen(buf), 0) < 0) {
		mc_fail(m, "writing %s: %s", MC_FAIL_NTH, strerror(errno));
		goto out;
	}
	p = mc_mmap(m, fd, PROT_READ, MAP_SHARED, pages, 0);
	m->nth.err = p == MAP_FAILED ? errno : 0;
	memset(buf, 0, sizeof(buf));
	/* Reads 0 once the n-th allocation has been failed. */
	m->nth.fired = pread(nth, buf, sizeof(buf) - 1, 0) > 0 && atoi(buf) == 0;
	ok = pwrite(nth, "0", 1, 0) == 1 ||
	     mc_fail(m, "resetting %s: %s", MC_FAIL_NTH, strerror(errno));
	if (p != MAP_FAILED) {
		ok = mc_expect_bytes(m, p, m->size, 0) && ok;
		munmap(p, m->size);
	}
out:
	if (nth >= 0)
		close(nth);
	close(fd);
	return ok;
}

/* What a drill found, besides its verdict. */
struct mc_sweep {
	int also;		/* an errno allowed besides ENOMEM, 0 if none */
	int also_seen;		/* how many steps failed with it */
	char seq[1024];		/* "1 ENOMEM, 2 success, ... (not reached)" */
};

/*
 * The fail-nth drill: with failslab's ignore-gfp-wait off, run @step (one
 * mc_nth_step(), here or in a child) for N = 1, 2, ... until an mmap() no
 * longer reaches its Nth allocation. Every failure must be ENOMEM or
 * s->also; one that was not even reached fails the case. Prints, and keeps
 * in s->seq, what each N gave.
 */
static inline bool mc_nth_sweep(struct mapcheck *m, mc_case_fn *step,
				struct mc_sweep *s)
{
	struct mc_nth *d = &m->nth;
	size_t len = 0;
	bool ok = true;

	s->seq[0] = '\0';
	if (!mc_knob(MC_FAILSLAB "ignore-gfp-wait", "N"))
		return mc_fail(m, "cannot set %signore-gfp-wait: %s (no CONFIG_FAILSLAB?)",
			       MC_FAILSLAB, strerror(errno));
	for (d->n = 1, d->fired = true; ok && d->fired && d->n <= MC_NTH_MAX;
	     d->n++) {
		d->err = -1;
		ok = step(m);
		if (d->err >= 0 && len < sizeof(s->seq))
			len += snprintf(s->seq + len, sizeof(s->seq) - len,
					"%s%d %s%s", d->n > 1 ? ", " : "",
					d->n, mc_errname(d->err),
					d->fired ? "" : " (not reached)");
		if (s->also && d->err == s->also)
			s->also_seen++;
		if (ok && !d->fired && d->err)
			ok = mc_fail(m, "fail-nth %d was not reached, yet mmap failed with %s",
				     d->n, mc_errname(d->err));
		else if (ok && d->err && d->err != ENOMEM && d->err != s->also)
			ok = mc_fail(m, "fail-nth %d: expected ENOMEM%s%s, got %s",
				     d->n, s->also ? " or " : "",
				     s->also ? mc_errname(s->also) : "",
				     mc_errname(d->err));
	}
	mc_knob(MC_FAILSLAB "ignore-gfp-wait", "Y");
	tap_diag("%s: fail-nth sweep (N errno): %s", m->variant, s->seq);
	if (ok && d->fired)
		return mc_fail(m, "mmap() still reached its %d-th allocation",
			       MC_NTH_MAX);
	return ok;
}

#endif /* KIT_MAPCHECK_H */
