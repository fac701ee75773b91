// SPDX-License-Identifier: GPL-2.0
/*
 * Lab 03 checker: does a kit_lock driver keep its sessions straight?
 *
 * Usage: check DEVICE VARIANT
 *
 * One TAP line per case of the contract in
 * ../../examples/lock-abort/lock-abort-uapi.h, run against DEVICE; VARIANT
 * (before, after, naive) labels the output and names the module for
 * delete_module(). The functional cases come first, then revoke racing
 * mmap() from a second process, then the fault drill, then a leak check.
 *
 * Every case runs in a child process, killed if it does not answer within
 * a time limit. A driver that leaves its mutex held makes the next mmap()
 * wait forever; the drivers wait killably, so the child dies, the case says
 * "not ok" and the checker skips the rest instead of hanging the lab.
 * Such a driver is also reported by lockdep, which is what grades the
 * naive variant: the checker only has to survive it.
 *
 * The drill: with failslab's ignore-gfp-wait off, writing N to
 * /proc/thread-self/fail-nth fails the Nth slab allocation of the thread,
 * here inside mmap(); N = 1, 2, ... until an mmap() no longer reaches its
 * Nth allocation. Each N runs in a fresh process, so a lock left held by
 * one failure shows as the next mmap() blocking.
 */
#define _GNU_SOURCE
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
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lock-abort-uapi.h"
#include "tap.h"

#define FAILSLAB	"/sys/kernel/debug/failslab/"
#define FAIL_NTH	"/proc/thread-self/fail-nth"
#define CASE_SECS	20	/* time limit of one case */
#define STEP_SECS	5	/* time limit of one mmap() of the drill */
#define SWEEP_MAX	64
#define RACE_ROUNDS	12

/* Everything a case knows; a case's child sends its copy back. */
struct ctx {
	const char *dev;	/* device path */
	const char *variant;
	size_t pg;		/* page size */
	size_t size;		/* session size in bytes */
	int gen;		/* generation of the active session, 0 if none */
	bool stuck;		/* a case was killed: the device lock is held */
	bool ok;		/* the child's verdict */
	int nth;		/* drill: N to write to fail-nth */
	int err;		/* drill: mmap()'s errno, 0 on success */
	bool fired;		/* drill: the Nth allocation was failed */
	char why[1024];		/* why the case failed */
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

/*
 * Run @fn on @c in a child, and take the child's @c back. Returns its
 * verdict; false, with c->stuck set, if no answer came within @secs
 * seconds and the child had to be killed. The watchdog is poll() here, not
 * alarm() in the child: the lab kernel has no POSIX timers.
 */
static bool run_limited(struct ctx *c, bool (*fn)(struct ctx *c),
			unsigned int secs)
{
	struct ctx back;
	struct pollfd pf;
	int pfd[2], status;
	size_t got = 0;
	ssize_t n;
	pid_t pid;

	if (pipe(pfd))
		return fail(c, "pipe: %s", strerror(errno));
	pid = fork();
	if (pid == 0) {
		close(pfd[0]);
		c->ok = fn(c);
		/* One write of less than PIPE_BUF: it arrives whole. */
		_exit(write(pfd[1], c, sizeof(*c)) != sizeof(*c));
	}
	close(pfd[1]);
	if (pid < 0) {
		close(pfd[0]);
		return fail(c, "fork: %s", strerror(errno));
	}
	pf = (struct pollfd){ .fd = pfd[0], .events = POLLIN };
	if (poll(&pf, 1, secs * 1000) == 1)
		while (got < sizeof(back) &&
		       (n = read(pfd[0], (char *)&back + got,
				 sizeof(back) - got)) > 0)
			got += n;
	else
		/* Also ends a killable wait for a lock nobody will release. */
		kill(pid, SIGKILL);
	close(pfd[0]);
	waitpid(pid, &status, 0);
	if (got == sizeof(back)) {
		*c = back;
		return c->ok;
	}
	if (WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) {
		c->stuck = true;
		return fail(c, "no answer within %u s: blocked on the device lock?",
			    secs);
	}
	return fail(c, "the case's process died (status %#x)", status);
}

/* --- Guarded access: a SIGBUS/SIGSEGV becomes a failed case. */

static sigjmp_buf guard_env;
static volatile sig_atomic_t guard_on;

static void guard_handler(int sig)
{
	if (!guard_on) {
		signal(sig, SIG_DFL);
		return;
	}
	guard_on = 0;
	siglongjmp(guard_env, sig);
}

/* @len bytes at @p must be session @gen's from buffer offset @off on. */
static bool check_bytes(struct ctx *c, const void *p, size_t len, size_t off,
			int gen)
{
	const volatile unsigned char *v = p;
	volatile size_t i = 0;
	int sig;

	sig = sigsetjmp(guard_env, 1);
	if (sig)
		return fail(c, "SIG%s at buffer offset %#zx (mapping %p)",
			    sigabbrev_np(sig), off + i, p);
	guard_on = 1;
	while (i < len && v[i] == kit_lock_pattern(gen, off + i))
		i++;
	guard_on = 0;
	if (i < len)
		return fail(c, "offset %#zx: expected %#04x (session %d), got %#04x",
			    off + i, kit_lock_pattern(gen, off + i), gen, v[i]);
	return true;
}

/* --- Device helpers. */

static int open_dev(struct ctx *c)
{
	int fd = open(c->dev, O_RDWR | O_CLOEXEC);

	if (fd < 0)
		tap_bail("cannot open %s: %s", c->dev, strerror(errno));
	return fd;
}

/* An ioctl on a fresh descriptor; -errno on failure. */
static int dev_ioctl(struct ctx *c, unsigned long cmd)
{
	int fd = open_dev(c), ret, e;

	ret = ioctl(fd, cmd);
	e = errno;
	close(fd);
	return ret < 0 ? -e : ret;
}

static void *map(int fd, struct ctx *c, size_t pages, size_t pgoff, int flags)
{
	return mmap(NULL, pages * c->pg, PROT_READ, flags, fd, pgoff * c->pg);
}

/* Sessions still allocated must be @want. */
static bool live_is(struct ctx *c, int want, const char *when)
{
	int live = dev_ioctl(c, KIT_LOCK_LIVE);

	if (live == want)
		return true;
	return fail(c, "%s: %d sessions alive, expected %d%s", when, live,
		    want, live > want ? " (a reference leaked)" : "");
}

/* Revoke the active session and start a new one; c->gen follows. */
static bool renew(struct ctx *c)
{
	int ret = dev_ioctl(c, KIT_LOCK_REVOKE);

	if (ret && ret != -ENODEV)
		return fail(c, "KIT_LOCK_REVOKE: %s", errname(-ret));
	ret = dev_ioctl(c, KIT_LOCK_START);
	if (ret <= 0)
		return fail(c, "KIT_LOCK_START: %s", errname(-ret));
	c->gen = ret;
	return true;
}

/* --- The cases. */

static bool whole_session(struct ctx *c)
{
	int fd = open_dev(c);
	void *p = map(fd, c, KIT_LOCK_PAGES, 0, MAP_SHARED);
	bool ok;

	close(fd);
	if (p == MAP_FAILED)
		return fail(c, "mmap: %s", errname(errno));
	ok = check_bytes(c, p, c->size, 0, c->gen);
	munmap(p, c->size);
	return ok;
}

static bool windows(struct ctx *c)
{
	int fd = open_dev(c);
	bool ok = true;
	size_t at;

	for (at = 0; ok && at < KIT_LOCK_PAGES; at++) {
		size_t pages = KIT_LOCK_PAGES - at;
		void *p = map(fd, c, pages, at, MAP_SHARED);

		if (p == MAP_FAILED)
			ok = fail(c, "mmap of pages %zu-%lu: %s", at,
				  KIT_LOCK_PAGES - 1, errname(errno));
		else
			ok = check_bytes(c, p, pages * c->pg, at * c->pg, c->gen);
		if (p != MAP_FAILED)
			munmap(p, pages * c->pg);
	}
	close(fd);
	return ok;
}

static bool pfnmap_flags(struct ctx *c)
{
	static const char *const want[] = { " io ", " pf ", " dd ", " de " };
	int fd = open_dev(c);
	void *p = map(fd, c, 1, 0, MAP_SHARED);
	char line[512], flags[600] = "";
	unsigned long start, end;
	bool here = false, ok = true;
	FILE *f;
	size_t i;

	close(fd);
	if (p == MAP_FAILED)
		return fail(c, "mmap: %s", errname(errno));
	f = fopen("/proc/self/smaps", "re");
	while (f && fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%lx-%lx ", &start, &end) == 2)
			here = start == (unsigned long)p;
		else if (here && !strncmp(line, "VmFlags:", 8))
			snprintf(flags, sizeof(flags), "%.*s ",
				 (int)strcspn(line + 8, "\n"), line + 8);
	}
	if (f)
		fclose(f);
	for (i = 0; ok && i < sizeof(want) / sizeof(want[0]); i++)
		if (!strstr(flags, want[i]))
			ok = fail(c, "expected io pf dd de, got \"%s\"", flags);
	munmap(p, c->pg);
	return ok;
}

static bool bad_requests(struct ctx *c)
{
	static const struct {
		size_t pages, pgoff;
		int flags;
		const char *what;
	} bad[] = {
		{ KIT_LOCK_PAGES + 1, 0, MAP_SHARED, "length past the end" },
		{ 2, KIT_LOCK_PAGES - 1, MAP_SHARED, "window across the end" },
		{ 1, KIT_LOCK_PAGES, MAP_SHARED, "offset at the end" },
		{ 1, 0, MAP_PRIVATE, "MAP_PRIVATE" },
	};
	int fd = open_dev(c);
	bool ok = true;
	size_t i;

	for (i = 0; ok && i < sizeof(bad) / sizeof(bad[0]); i++) {
		void *p = map(fd, c, bad[i].pages, bad[i].pgoff, bad[i].flags);
		int e = errno;

		if (p != MAP_FAILED) {
			munmap(p, bad[i].pages * c->pg);
			ok = fail(c, "%s: expected EINVAL, got success",
				  bad[i].what);
		} else if (e != EINVAL) {
			ok = fail(c, "%s: expected EINVAL, got %s", bad[i].what,
				  errname(e));
		}
	}
	close(fd);
	return ok;
}

/* Child of split_fork_revoke: read both pieces, then exit (closing them). */
static bool read_pieces(struct ctx *c, char *p)
{
	return check_bytes(c, p, c->pg, 0, c->gen) &&
	       check_bytes(c, p + 2 * c->pg, 2 * c->pg, 2 * c->pg, c->gen);
}

static bool split_fork_revoke(struct ctx *c)
{
	int fd = open_dev(c), status = 0;
	char *p = map(fd, c, KIT_LOCK_PAGES, 0, MAP_SHARED);
	bool ok;
	pid_t pid;

	close(fd);
	if (p == MAP_FAILED)
		return fail(c, "mmap: %s", errname(errno));
	/* Two VMAs now, each holding the session through ->open. */
	if (munmap(p + c->pg, c->pg))
		return fail(c, "munmap of page 1: %s", errname(errno));
	pid = fork();
	if (pid == 0)
		_exit(!read_pieces(c, p));
	if (pid < 0 || waitpid(pid, &status, 0) != pid || status)
		return fail(c, "the forked child could not read both pieces (status %#x)",
			    status);
	ok = dev_ioctl(c, KIT_LOCK_REVOKE) == 0 || fail(c, "KIT_LOCK_REVOKE failed");
	/* Only the mappings hold the revoked session now. */
	ok = ok && live_is(c, 1, "revoked, two pieces mapped") &&
	     read_pieces(c, p);
	munmap(p, c->pg);
	ok = ok && live_is(c, 1, "revoked, one piece mapped") &&
	     check_bytes(c, p + 2 * c->pg, 2 * c->pg, 2 * c->pg, c->gen);
	munmap(p + 2 * c->pg, 2 * c->pg);
	ok = ok && live_is(c, 0, "revoked, nothing mapped");
	c->gen = 0;
	return renew(c) && ok;
}

static bool revoked_enodev(struct ctx *c)
{
	int bound = open_dev(c), unbound, fresh, old = c->gen;
	bool ok = dev_ioctl(c, KIT_LOCK_REVOKE) == 0 ||
		  fail(c, "KIT_LOCK_REVOKE failed");
	void *p;

	c->gen = 0;
	p = map(bound, c, 1, 0, MAP_SHARED);
	if (ok && p != MAP_FAILED)
		ok = fail(c, "file bound to revoked session %d: mmap succeeded", old);
	else if (ok && errno != ENODEV)
		ok = fail(c, "file bound to revoked session %d: expected ENODEV, got %s",
			  old, errname(errno));
	unbound = open_dev(c);
	p = map(unbound, c, 1, 0, MAP_SHARED);
	if (ok && p != MAP_FAILED)
		ok = fail(c, "file opened with no session: mmap succeeded");
	else if (ok && errno != ENODEV)
		ok = fail(c, "file opened with no session: expected ENODEV, got %s",
			  errname(errno));
	ok = renew(c) && ok;
	/* The new session is for files opened from now on only. */
	p = map(bound, c, 1, 0, MAP_SHARED);
	if (ok && (p != MAP_FAILED || errno != ENODEV))
		ok = fail(c, "old file after a new session started: expected ENODEV, got %s",
			  p == MAP_FAILED ? errname(errno) : "success");
	fresh = open_dev(c);
	p = map(fresh, c, 1, 0, MAP_SHARED);
	if (ok && p == MAP_FAILED)
		ok = fail(c, "file opened after the restart: %s", errname(errno));
	else if (ok)
		ok = check_bytes(c, p, c->pg, 0, c->gen);
	if (p != MAP_FAILED)
		munmap(p, c->pg);
	close(bound);
	close(unbound);
	close(fresh);
	return ok && live_is(c, 1, "all closed");
}

static bool close_while_mapped(struct ctx *c)
{
	int fd = open_dev(c);
	void *p = map(fd, c, KIT_LOCK_PAGES, 0, MAP_SHARED);
	bool ok;

	close(fd);
	if (p == MAP_FAILED)
		return fail(c, "mmap: %s", errname(errno));
	ok = check_bytes(c, p, c->size, 0, c->gen);
	munmap(p, c->size);
	return ok;
}

static bool unload_while_mapped(struct ctx *c)
{
	char name[64];
	int fd = open_dev(c);
	void *p = map(fd, c, 1, 0, MAP_SHARED);
	long r;
	int e;

	close(fd);
	if (p == MAP_FAILED)
		return fail(c, "mmap: %s", errname(errno));
	snprintf(name, sizeof(name), "lock_abort_%s", c->variant);
	r = syscall(SYS_delete_module, name, O_NONBLOCK);
	e = errno;
	munmap(p, c->pg);
	if (r == 0)
		return fail(c, "delete_module(%s) succeeded under a live mapping",
			    name);
	if (e != EAGAIN)
		return fail(c, "delete_module(%s): expected EAGAIN, got %s",
			    name, errname(e));
	return true;
}

/*
 * One round of the race: a child maps and unmaps the session over and
 * over, through a file bound to it, while this process revokes it. Each
 * mmap() must either map the session's bytes or fail with ENODEV, and once
 * one has failed, none may succeed again: revoking is final.
 */
static bool race_round(struct ctx *c, unsigned int delay_us)
{
	int fd = open_dev(c), sync[2], res[3] = { 0 }, status, i;
	bool ok = true;
	pid_t pid;

	if (pipe(sync))
		return fail(c, "pipe: %s", strerror(errno));
	pid = fork();
	if (pid == 0) {
		/* res: successes, ENODEVs, successes after an ENODEV. */
		for (i = 0; i < 100000 && res[1] < 3; i++) {
			void *p = map(fd, c, KIT_LOCK_PAGES, 0, MAP_SHARED);

			if (p == MAP_FAILED && errno != ENODEV)
				_exit(3);
			if (p == MAP_FAILED) {
				res[1]++;
				continue;
			}
			res[0]++;
			res[2] += !!res[1];
			if (!check_bytes(c, p, c->size, 0, c->gen))
				_exit(4);
			munmap(p, c->size);
			if (res[0] == 1 && write(sync[1], res, sizeof(res)) < 0)
				_exit(5);
		}
		_exit(write(sync[1], res, sizeof(res)) != sizeof(res));
	}
	close(sync[1]);
	if (read(sync[0], res, sizeof(res)) != sizeof(res))
		ok = fail(c, "the mapping process gave up before its first mapping");
	usleep(delay_us);
	if (dev_ioctl(c, KIT_LOCK_REVOKE))
		ok = fail(c, "KIT_LOCK_REVOKE failed");
	if (ok && read(sync[0], res, sizeof(res)) != sizeof(res))
		ok = fail(c, "no result from the mapping process");
	close(sync[0]);
	close(fd);
	waitpid(pid, &status, 0);
	if (ok && status)
		ok = fail(c, "mapping process: %s",
			  WIFSIGNALED(status) ? strsignal(WTERMSIG(status)) :
			  WEXITSTATUS(status) == 3 ? "an errno other than ENODEV" :
			  WEXITSTATUS(status) == 4 ? "wrong bytes in a mapping" :
			  "failed");
	else if (ok && res[2])
		ok = fail(c, "%d mmap() calls succeeded after one had failed with ENODEV",
			  res[2]);
	else if (ok && !res[1])
		ok = fail(c, "no mmap() failed with ENODEV after KIT_LOCK_REVOKE");
	c->gen = 0;
	return renew(c) && ok && live_is(c, 1, "after the round");
}

static bool revoke_race(struct ctx *c)
{
	unsigned int round;

	for (round = 0; round < RACE_ROUNDS; round++)
		if (!race_round(c, round * 500))
			return false;
	return true;
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

/* One mmap() with the c->nth-th slab allocation failed. */
static bool drill_step(struct ctx *c)
{
	int fd = open_dev(c), nth = open(FAIL_NTH, O_RDWR | O_CLOEXEC);
	char buf[32];
	void *p;

	if (nth < 0)
		return fail(c, "%s: %s", FAIL_NTH, strerror(errno));
	/* A first mapping, so that only mmap()'s own allocations count. */
	p = map(fd, c, KIT_LOCK_PAGES, 0, MAP_SHARED);
	if (p == MAP_FAILED)
		return fail(c, "mmap without a failure: %s", errname(errno));
	munmap(p, c->size);

	snprintf(buf, sizeof(buf), "%d", c->nth);
	if (pwrite(nth, buf, strlen(buf), 0) < 0)
		return fail(c, "writing %s: %s", FAIL_NTH, strerror(errno));
	p = map(fd, c, KIT_LOCK_PAGES, 0, MAP_SHARED);
	c->err = p == MAP_FAILED ? errno : 0;
	memset(buf, 0, sizeof(buf));
	/* Reads 0 once the Nth allocation has been failed. */
	c->fired = pread(nth, buf, sizeof(buf) - 1, 0) > 0 && atoi(buf) == 0;
	if (pwrite(nth, "0", 1, 0) != 1)
		return fail(c, "resetting %s: %s", FAIL_NTH, strerror(errno));
	if (p == MAP_FAILED)
		return true;
	if (!check_bytes(c, p, c->size, 0, c->gen))
		return false;
	return munmap(p, c->size) == 0;
}

static bool fault_drill(struct ctx *c)
{
	char seq[1024] = "";
	size_t len = 0;
	bool ok = true;

	if (!knob(FAILSLAB "ignore-gfp-wait", "N"))
		return fail(c, "cannot set %signore-gfp-wait: %s", FAILSLAB,
			    strerror(errno));
	for (c->nth = 1, c->fired = true; ok && c->fired && c->nth <= SWEEP_MAX;
	     c->nth++) {
		ok = run_limited(c, drill_step, STEP_SECS);
		if (!ok && c->stuck)
			fail(c, "mmap() blocked at fail-nth %d, after the failure at %d: the device lock was left held",
			     c->nth, c->nth - 1);
		else if (ok)
			len += snprintf(seq + len, sizeof(seq) - len, "%s%d %s%s",
					c->nth > 1 ? ", " : "", c->nth,
					errname(c->err),
					c->fired ? "" : " (not reached)");
		if (ok && !c->fired && c->err)
			ok = fail(c, "fail-nth %d was not reached, yet mmap failed with %s",
				  c->nth, errname(c->err));
		else if (ok && c->err && c->err != ENOMEM)
			ok = fail(c, "fail-nth %d: expected ENOMEM, got %s",
				  c->nth, errname(c->err));
	}
	knob(FAILSLAB "ignore-gfp-wait", "Y");
	tap_diag("%s: fail-nth sweep (N errno): %s", c->variant, seq);
	if (ok && c->fired)
		return fail(c, "mmap() still reached its %d-th allocation", SWEEP_MAX);
	return ok;
}

static bool nothing_leaked(struct ctx *c)
{
	bool ok = dev_ioctl(c, KIT_LOCK_REVOKE) == 0 ||
		  fail(c, "KIT_LOCK_REVOKE failed");

	c->gen = 0;
	ok = ok && live_is(c, 0, "revoked, all closed and unmapped");
	return renew(c) && ok;
}

static const struct {
	bool (*run)(struct ctx *c);
	const char *what;
} cases[] = {
	{ whole_session, "a mapping of the whole session reads its pattern" },
	{ windows, "mappings from each page to the end read the right pages" },
	{ pfnmap_flags, "smaps VmFlags show io pf dd de" },
	{ bad_requests, "bad windows and MAP_PRIVATE fail with EINVAL" },
	{ split_fork_revoke, "split and forked mappings keep a revoked session until the last munmap" },
	{ revoked_enodev, "mmap() of a revoked or missing session fails with ENODEV" },
	{ close_while_mapped, "a mapping outlives the close() of its file" },
	{ unload_while_mapped, "delete_module() fails with EAGAIN while a mapping exists" },
	{ revoke_race, "revoke racing mmap() in another process: bytes right, ENODEV final" },
	{ fault_drill, "fail-nth inside mmap(): ENOMEM, no lock left held" },
	{ nothing_leaked, "every session is freed once revoked, closed and unmapped" },
};

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = guard_handler };
	struct ctx c = { 0 };
	const char *stuck_at = NULL;
	size_t i;

	if (argc != 3) {
		fprintf(stderr, "usage: %s DEVICE VARIANT\n", argv[0]);
		return 2;
	}
	c.dev = argv[1];
	c.variant = argv[2];
	c.pg = sysconf(_SC_PAGESIZE);
	c.size = KIT_LOCK_PAGES * c.pg;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGBUS, &sa, NULL);
	sigaction(SIGSEGV, &sa, NULL);

	tap_plan(sizeof(cases) / sizeof(cases[0]));
	tap_diag("%s: %s, %lu pages of %zu bytes", c.variant, c.dev,
		 KIT_LOCK_PAGES, c.pg);
	/* A freshly loaded module, so a fresh session: start one to know it. */
	c.ok = renew(&c);
	if (!c.ok)
		tap_bail("%s", c.why);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		bool ok = false;

		c.why[0] = '\0';
		if (stuck_at)
			fail(&c, "skipped: the device lock is held since \"%s\"",
			     stuck_at);
		else
			ok = run_limited(&c, cases[i].run, CASE_SECS);
		if (!tap_ok(ok, "%s: %s", c.variant, cases[i].what))
			tap_diag("%s", c.why);
		if (c.stuck && !stuck_at)
			stuck_at = cases[i].what;
	}
	return tap_done();
}
