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
 *
 * c->gen is the generation of the active session (0 if none): the pattern
 * the mappings must read, and what a case's child sends back to the next
 * case along with its verdict.
 */
#define _GNU_SOURCE
#include <sched.h>
#include <time.h>
#include <sys/ioctl.h>

#include "lock-abort-uapi.h"
#include "mapcheck.h"

#define CASE_SECS	20	/* time limit of one case */
#define STEP_SECS	5	/* time limit of one mmap() of the drill */
#define RACE_ROUNDS	12
/*
 * The window case is bounded by its looks at the mapper, not by the guest's
 * clock: under a loaded host the guest can calibrate its TSC wrongly and
 * count seconds many times too fast. Its time limit is only the watchdog.
 */
#define WINDOW_SAMPLES	1500	/* looks at the mapper's stack, at most */
#define WINDOW_CASE_SECS 120	/* time limit of the window case */

/* --- Running cases in children. */

/* What run_limited()'s child runs: case @k. */
static bool run_case(struct mapcheck *c, const void *k)
{
	return mc_run(c, k);
}

/*
 * Run case @k in a child process, killed if it has not answered within
 * @secs seconds (c->timed_out); the child's c, with the session it left
 * active, comes back.
 */
static bool run_limited(struct mapcheck *c, const struct mc_case *k,
			unsigned int secs)
{
	if (mc_in_child(c, run_case, k, secs))
		return true;
	if (c->timed_out)
		mc_fail(c, "%s: blocked on the device lock?", c->why);
	return false;
}

/* --- Device helpers. */

/* An ioctl on a fresh descriptor; -errno on failure. */
static int dev_ioctl(struct mapcheck *c, unsigned long cmd)
{
	int fd = mc_open(c, O_RDWR), ret, e;

	ret = ioctl(fd, cmd);
	e = errno;
	close(fd);
	return ret < 0 ? -e : ret;
}

/* Sessions still allocated must be @want. */
static bool live_is(struct mapcheck *c, int want, const char *when)
{
	int live = dev_ioctl(c, KIT_LOCK_LIVE);

	if (live == want)
		return true;
	return mc_fail(c, "%s: %d sessions alive, expected %d%s", when, live,
		       want, live > want ? " (a reference leaked)" : "");
}

/* Revoke the active session and start a new one; c->gen follows. */
static bool renew(struct mapcheck *c)
{
	int ret = dev_ioctl(c, KIT_LOCK_REVOKE);

	if (ret && ret != -ENODEV)
		return mc_fail(c, "KIT_LOCK_REVOKE: %s", mc_errname(-ret));
	ret = dev_ioctl(c, KIT_LOCK_START);
	if (ret <= 0)
		return mc_fail(c, "KIT_LOCK_START: %s", mc_errname(-ret));
	c->gen = ret;
	return true;
}

/* Revoke the active session: no new mapping of it from then on. */
static bool revoke_session(struct mapcheck *c)
{
	return dev_ioctl(c, KIT_LOCK_REVOKE) == 0 ||
	       mc_fail(c, "KIT_LOCK_REVOKE failed");
}

/* --- The cases. */

/*
 * The file is closed before the bytes are read, so this is also the case
 * "a mapping outlives the close() of its file".
 */
static bool whole_session(struct mapcheck *c)
{
	return mc_map_reads(c, O_RDWR, KIT_LOCK_PAGES, 0);
}

static bool windows(struct mapcheck *c)
{
	int fd = mc_open(c, O_RDWR);
	bool ok = true;
	size_t at, pages;

	for (at = 0; ok && at < KIT_LOCK_PAGES; at++) {
		pages = KIT_LOCK_PAGES - at;
		ok = mc_check_map(c, mc_mmap(c, fd, PROT_READ, MAP_SHARED, pages, at),
				  pages, at);
	}
	close(fd);
	return ok;
}

static bool pfnmap_flags(struct mapcheck *c)
{
	return mc_vmflags_show(c, PROT_READ, "io pf dd de", "");
}

static bool bad_requests(struct mapcheck *c)
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
	int fd = mc_open(c, O_RDWR);
	bool ok = true;
	size_t i;

	for (i = 0; ok && i < ARRAY_SIZE(bad); i++) {
		void *p = mc_mmap(c, fd, PROT_READ, bad[i].flags, bad[i].pages,
				  bad[i].pgoff);

		if (!mc_expect_map_err(c, p, bad[i].pages * c->pg, EINVAL))
			ok = mc_fail(c, "%s: %s", bad[i].what, c->why);
	}
	close(fd);
	return ok;
}

/* Read both pieces of the split mapping @p: page 0, and pages 2 and 3. */
static bool read_pieces(struct mapcheck *c, const void *p)
{
	return mc_expect_bytes(c, p, c->pg, 0) &&
	       mc_expect_bytes(c, (const char *)p + 2 * c->pg, 2 * c->pg,
			       2 * c->pg);
}

static bool split_fork_revoke(struct mapcheck *c)
{
	char *p = mc_map(c, O_RDWR, PROT_READ, MAP_SHARED, KIT_LOCK_PAGES, 0);
	bool ok;

	if (!mc_mapped(c, p))
		return false;
	/* Two VMAs now, each holding the session through ->open. */
	if (munmap(p + c->pg, c->pg))
		return mc_fail(c, "munmap of page 1: %s", mc_errname(errno));
	/* The child reads both pieces, then exits, closing them. */
	if (!mc_in_child(c, read_pieces, p, 0))
		return mc_fail(c, "the forked child could not read both pieces: %s",
			       c->why);
	ok = revoke_session(c);
	/* Only the mappings hold the revoked session now. */
	ok = ok && live_is(c, 1, "revoked, two pieces mapped") &&
	     read_pieces(c, p);
	munmap(p, c->pg);
	ok = ok && live_is(c, 1, "revoked, one piece mapped") &&
	     mc_expect_bytes(c, p + 2 * c->pg, 2 * c->pg, 2 * c->pg);
	munmap(p + 2 * c->pg, 2 * c->pg);
	ok = ok && live_is(c, 0, "revoked, nothing mapped");
	c->gen = 0;
	return renew(c) && ok;
}

static bool revoked_enodev(struct mapcheck *c)
{
	int bound = mc_open(c, O_RDWR), unbound, fresh;
	unsigned int old = c->gen;
	bool ok = revoke_session(c);
	void *p;

	c->gen = 0;
	p = mc_mmap(c, bound, PROT_READ, MAP_SHARED, 1, 0);
	if (ok && !mc_expect_map_err(c, p, c->pg, ENODEV))
		ok = mc_fail(c, "file bound to revoked session %u: %s", old,
			     c->why);
	unbound = mc_open(c, O_RDWR);
	p = mc_mmap(c, unbound, PROT_READ, MAP_SHARED, 1, 0);
	if (ok && !mc_expect_map_err(c, p, c->pg, ENODEV))
		ok = mc_fail(c, "file opened with no session: %s", c->why);
	ok = renew(c) && ok;
	/* The new session is for files opened from now on only. */
	p = mc_mmap(c, bound, PROT_READ, MAP_SHARED, 1, 0);
	if (ok && !mc_expect_map_err(c, p, c->pg, ENODEV))
		ok = mc_fail(c, "old file after a new session started: %s",
			     c->why);
	fresh = mc_open(c, O_RDWR);
	p = mc_mmap(c, fresh, PROT_READ, MAP_SHARED, 1, 0);
	if (ok && p == MAP_FAILED)
		ok = mc_fail(c, "file opened after the restart: %s",
			     mc_errname(errno));
	else if (ok)
		ok = mc_expect_bytes(c, p, c->pg, 0);
	mc_unmap(p, c->pg);
	close(bound);
	close(unbound);
	close(fresh);
	return ok && live_is(c, 1, "all closed");
}

static bool unload_while_mapped(struct mapcheck *c)
{
	void *p = mc_map(c, O_RDWR, PROT_READ, MAP_SHARED, 1, 0);
	char name[64];
	long r;
	int e;

	if (!mc_mapped(c, p))
		return false;
	snprintf(name, sizeof(name), "lock_abort_%s", c->variant);
	r = syscall(SYS_delete_module, name, O_NONBLOCK);
	e = errno;
	munmap(p, c->pg);
	return mc_expect_err(c, r != 0, e, EAGAIN) ||
	       mc_fail(c, "delete_module(%s) under a live mapping: %s", name,
		       c->why);
}

/*
 * One round of the race: a child maps and unmaps the session over and
 * over, through a file bound to it, while this process revokes it. Each
 * mmap() must either map the session's bytes or fail with ENODEV, and once
 * one has failed, none may succeed again: revoking is final.
 */
static bool race_round(struct mapcheck *c, unsigned int delay_us)
{
	int fd = mc_open(c, O_RDWR), sync[2], res[3] = { 0 }, status, i;
	bool ok = true;
	pid_t pid;

	if (pipe(sync))
		return mc_fail(c, "pipe: %s", strerror(errno));
	pid = fork();
	if (pid == 0) {
		/* res: successes, ENODEVs, successes after an ENODEV. */
		for (i = 0; i < 100000 && res[1] < 3; i++) {
			void *p = mc_mmap(c, fd, PROT_READ, MAP_SHARED,
					  KIT_LOCK_PAGES, 0);

			if (p == MAP_FAILED && errno != ENODEV)
				_exit(3);
			if (p == MAP_FAILED) {
				res[1]++;
				continue;
			}
			res[0]++;
			res[2] += !!res[1];
			if (!mc_expect_bytes(c, p, c->size, 0))
				_exit(4);
			munmap(p, c->size);
			if (res[0] == 1 && write(sync[1], res, sizeof(res)) < 0)
				_exit(5);
		}
		_exit(write(sync[1], res, sizeof(res)) != sizeof(res));
	}
	close(sync[1]);
	if (read(sync[0], res, sizeof(res)) != sizeof(res))
		ok = mc_fail(c, "the mapping process gave up before its first mapping");
	usleep(delay_us);
	if (dev_ioctl(c, KIT_LOCK_REVOKE))
		ok = mc_fail(c, "KIT_LOCK_REVOKE failed");
	if (ok && read(sync[0], res, sizeof(res)) != sizeof(res))
		ok = mc_fail(c, "no result from the mapping process");
	close(sync[0]);
	close(fd);
	waitpid(pid, &status, 0);
	if (ok && status)
		ok = mc_fail(c, "mapping process: %s",
			     WIFSIGNALED(status) ? strsignal(WTERMSIG(status)) :
			     WEXITSTATUS(status) == 3 ? "an errno other than ENODEV" :
			     WEXITSTATUS(status) == 4 ? "wrong bytes in a mapping" :
			     "failed");
	else if (ok && res[2])
		ok = mc_fail(c, "%d mmap() calls succeeded after one had failed with ENODEV",
			     res[2]);
	else if (ok && !res[1])
		ok = mc_fail(c, "no mmap() failed with ENODEV after KIT_LOCK_REVOKE");
	c->gen = 0;
	return renew(c) && ok && live_is(c, 1, "after the round");
}

static bool revoke_race(struct mapcheck *c)
{
	unsigned int round;

	for (round = 0; round < RACE_ROUNDS; round++)
		if (!race_round(c, round * 500))
			return false;
	return true;
}

/*
 * The window between .mmap_prepare and ->mapped: a revoke there is the one
 * the hook cannot see, and ->mapped must. A mapping process and this one
 * share one CPU; this one runs SCHED_FIFO, so each time it wakes from a
 * sleep it preempts the mapper wherever the mapper is, in the kernel too.
 * The mapper's kernel stack (/proc/PID/stack) then says whether it stopped
 * in the window: inside mmap(), past the hook (in one of the steps the
 * core takes after it: allocating, linking or remapping the new VMA), and
 * not in the module. Only then is the session revoked, and only if the
 * mapper is still in that window of the same mmap() call afterwards does
 * the call count: its mmap() must fail with ENODEV. A mapping established
 * by it is a mapping of a session revoked before ->mapped ran.
 */
struct window {
	volatile unsigned long calls;	/* the mapper's mmap() calls so far */
	volatile unsigned long target;	/* the call revoked in its window */
};

/*
 * Steps of mmap() between .mmap_prepare and ->mapped, as the lab kernel's
 * symbols name them (static steps are inlined into __mmap_region()).
 * Trying to merge and allocating the VMA also come before the hook of a
 * legacy .mmap driver, which runs from inside __mmap_region() once the VMA
 * exists. The other steps count only once the mapper was seen in
 * mmap_action_complete(), which only an .mmap_prepare hook's action
 * reaches: for a legacy driver they come after its hook mapped the
 * session. Not the steps around them either, some of which come after
 * ->mapped (unlocking the rmap in mmap_action_complete()) or after the
 * hook of any driver.
 */
static const char *const window_any[] = {
	"vma_merge_new_range", "vm_area_alloc",
};
static const char *const window_prepare[] = {
	"vma_link_file", "perf_event_mmap", "remap_pfn_range_complete",
};

static bool has_any(const char *buf, const char *const *names, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strstr(buf, names[i]))
			return true;
	return false;
}

/* @pid stopped in the window; *@prepare: it was seen in an action's steps. */
static bool in_window(pid_t pid, const char *module, bool *prepare)
{
	char path[64], buf[4096];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/stack", pid);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return false;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	if (!strstr(buf, "mmap_region") || strstr(buf, "munmap"))
		return false;
	*prepare |= strstr(buf, "mmap_action_complete") != NULL;
	if (strstr(buf, module))
		return false;
	return has_any(buf, window_any, ARRAY_SIZE(window_any)) ||
	       (*prepare && has_any(buf, window_prepare, ARRAY_SIZE(window_prepare)));
}

/*
 * The mapper: map the session until a call revoked in its window. It unmaps
 * only every WINDOW_KEEP mappings, so that most of its time goes to mmap().
 */
#define WINDOW_KEEP	1024

static void window_mapper(struct mapcheck *c, int fd, struct window *w)
{
	static void *kept[WINDOW_KEEP];
	unsigned int nr = 0;

	for (;;) {
		unsigned long call = ++w->calls;
		void *p = mc_mmap(c, fd, PROT_READ, MAP_SHARED, KIT_LOCK_PAGES, 0);

		if (p == MAP_FAILED)
			/* ENODEV: revoked, in a window this process saw or not. */
			_exit(errno != ENODEV ? 3 : w->target == call ? 0 : 2);
		if (w->target == call)
			_exit(1);
		kept[nr++] = p;
		if (nr == WINDOW_KEEP)
			while (nr)
				munmap(kept[--nr], c->size);
	}
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/*
 * One round: a mapper on the session until a revoke landed in a window or
 * time ran out. 1 if the mapper's call failed with ENODEV, 0 if no revoke
 * landed in a window, -1 with c->why set otherwise.
 */
static int window_round(struct mapcheck *c, struct window *w,
			unsigned long *samples, bool *prepare)
{
	struct sched_param fifo = { .sched_priority = 1 };
	int fd = mc_open(c, O_RDWR), status, hit = 0;
	char module[64];
	pid_t pid;

	snprintf(module, sizeof(module), "[lock_abort_%s]", c->variant);
	w->calls = w->target = 0;
	pid = fork();
	if (pid == 0)
		window_mapper(c, fd, w);
	if (pid < 0)
		return mc_fail(c, "fork: %s", strerror(errno)), -1;
	if (sched_setscheduler(0, SCHED_FIFO, &fifo))
		hit = -1, mc_fail(c, "SCHED_FIFO: %s", strerror(errno));
	while (!hit && *samples < WINDOW_SAMPLES) {
		unsigned long call = w->calls;

		usleep(1000 + rand() % 3000);
		/* Some output now and then: the host stops a silent guest. */
		if (++*samples % 250 == 0)
			tap_diag("%s: %lu looks, no revoke inside the window yet",
				 c->variant, *samples);
		if (!in_window(pid, module, prepare))
			continue;
		if (dev_ioctl(c, KIT_LOCK_REVOKE))
			hit = -1, mc_fail(c, "KIT_LOCK_REVOKE failed");
		else if (call == w->calls && in_window(pid, module, prepare))
			w->target = call, hit = 1;
		else
			hit = 2;	/* the mapper moved on: no verdict */
	}
	fifo.sched_priority = 0;
	sched_setscheduler(0, SCHED_OTHER, &fifo);
	if (!hit)
		kill(pid, SIGKILL);
	close(fd);
	waitpid(pid, &status, 0);
	c->gen = 0;
	if (hit < 0)
		return -1;
	if (!renew(c))
		return -1;
	if (hit != 1)
		return 0;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 1;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 1)
		return mc_fail(c, "mmap() established a mapping of a session revoked after .mmap_prepare had returned, before ->mapped: ->mapped must check the state again, under the mutex"), -1;
	return mc_fail(c, "the mapping process: %s",
		       WIFSIGNALED(status) ? strsignal(WTERMSIG(status)) :
		       WEXITSTATUS(status) == 3 ? "an errno other than ENODEV" :
		       "failed"), -1;
}

static bool revoke_in_window(struct mapcheck *c)
{
	struct window *w = mmap(NULL, sizeof(*w), PROT_READ | PROT_WRITE,
				MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	double start = now();
	unsigned long samples = 0;
	bool prepare = false;
	int hits = 0, r = 0;
	cpu_set_t one;

	if (w == MAP_FAILED)
		return mc_fail(c, "mmap of shared memory: %s", strerror(errno));
	/* This process and the mapper it forks share CPU 0. */
	CPU_ZERO(&one);
	CPU_SET(0, &one);
	if (sched_setaffinity(0, sizeof(one), &one))
		return mc_fail(c, "sched_setaffinity: %s", strerror(errno));
	/* One revoke inside the window gives the verdict. */
	while (!hits && samples < WINDOW_SAMPLES &&
	       (r = window_round(c, w, &samples, &prepare)) >= 0)
		hits += r;
	munmap(w, sizeof(*w));
	if (r < 0)
		return false;
	tap_diag("%s: %d revoke inside the window, %lu samples, %.1f s",
		 c->variant, hits, samples, now() - start);
	/*
	 * Whether a revoke lands in the window is up to the scheduler: on a
	 * quiet host the window can be missed every time. The harness test
	 * a_session_revoked_before_mapped_is_not_mapped revokes there for
	 * certain, so a race not won here is a skip, not a verdict.
	 */
	return hits > 0 ||
	       mc_skip(c, "no revoke landed between .mmap_prepare and ->mapped in %lu looks; the harness test a_session_revoked_before_mapped_is_not_mapped grades it",
		       samples);
}

/* One mmap() of the drill, in a process of its own. */
static bool drill_step(struct mapcheck *c)
{
	static const struct mc_case step = { .run = mc_nth_step };

	if (run_limited(c, &step, STEP_SECS))
		return true;
	if (c->timed_out)
		mc_fail(c, "mmap() blocked at fail-nth %d, after the failure at %d: the device lock was left held",
			c->nth.n, c->nth.n - 1);
	return false;
}

static bool fault_drill(struct mapcheck *c)
{
	struct mc_sweep s = { .also = 0 };

	return mc_nth_sweep(c, drill_step, &s);
}

static bool nothing_leaked(struct mapcheck *c)
{
	bool ok = revoke_session(c);

	c->gen = 0;
	ok = ok && live_is(c, 0, "revoked, all closed and unmapped");
	return renew(c) && ok;
}

static const struct mc_case cases[] = {
	{ .run = whole_session,
	  .what = "a mapping of the whole session reads its pattern" },
	{ .run = windows,
	  .what = "mappings from each page to the end read the right pages" },
	{ .run = pfnmap_flags,
	  .what = "smaps VmFlags show io pf dd de" },
	{ .run = bad_requests,
	  .what = "bad windows and MAP_PRIVATE fail with EINVAL" },
	{ .run = split_fork_revoke,
	  .what = "split and forked mappings keep a revoked session until the last munmap" },
	{ .run = revoked_enodev,
	  .what = "mmap() of a revoked or missing session fails with ENODEV" },
	/* whole_session() closes the file before it reads the mapping. */
	{ .run = whole_session,
	  .what = "a mapping outlives the close() of its file" },
	{ .run = unload_while_mapped,
	  .what = "delete_module() fails with EAGAIN while a mapping exists" },
	{ .run = revoke_race,
	  .what = "revoke racing mmap() in another process: bytes right, ENODEV final" },
	{ .run = revoke_in_window,
	  .what = "revoke between .mmap_prepare and ->mapped: no mapping of the revoked session" },
	{ .run = fault_drill,
	  .what = "fail-nth inside mmap(): ENOMEM, no lock left held" },
	{ .run = nothing_leaked,
	  .what = "every session is freed once revoked, closed and unmapped" },
};

int main(int argc, char **argv)
{
	struct mapcheck c = { .pattern = kit_lock_pattern };
	const char *stuck_at = NULL;
	size_t i;

	mc_start(&c, argc, argv, KIT_LOCK_PAGES, ARRAY_SIZE(cases));
	/* A freshly loaded module, so a fresh session: start one to know it. */
	if (!renew(&c))
		tap_bail("%s", c.why);
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		bool ok = false;

		if (stuck_at)
			mc_fail(&c, "skipped: the device lock is held since \"%s\"",
				stuck_at);
		else
			ok = run_limited(&c, &cases[i],
					 cases[i].run == revoke_in_window ?
					 WINDOW_CASE_SECS : CASE_SECS);
		mc_report(&c, cases[i].what, ok);
		if (c.any_timed_out && !stuck_at)
			stuck_at = cases[i].what;
	}
	return tap_done();
}
