// SPDX-License-Identifier: GPL-2.0
/*
 * What an mmap() of a device costs, measured inside the lab guest.
 *
 * Usage: mmap-cost [--iters N] [--runs R] [--fail-reps K] VARIANT
 *
 * VARIANT is "<example>.<role>" (e.g. "flags.after"); the device is the
 * character node that appeared when the module was loaded (labs/common/init
 * lists them in LAB_NEW_DEVS). The program measures, on the largest buffer
 * the device maps at offset 0:
 *
 *  1. R runs (after one warm-up run that is not counted) of N iterations
 *     of mmap() + a read of every page (the first touch: a fault for a
 *     driver that maps on demand) + munmap(), each phase timed on its own
 *     in TSC ticks (see ticks());
 *  2. the fail-nth sweep: for N = 1, 2, ... the N-th slab allocation of the
 *     mmap() fails (failslab, as the labs' drill does), once with failslab
 *     verbose so that the kernel prints the stack of the allocation it
 *     failed, which is read back from /dev/kmsg to name the point;
 *  3. for every point the sweep reached, K failed mmap() calls, each timed,
 *     with failslab quiet (no printk in the timed path).
 *
 * Output, on stdout: TAP 13, one result per part; each record is a JSON
 * object on a diagnostic line. A diagnostic before the first result is the
 * header ({"mmap_cost": 1, ...}). scripts/kit/guestbench.py reads them and
 * does every computation (medians, spreads, names): this program only
 * measures and prints raw samples.
 */
#define _GNU_SOURCE
#include <sys/utsname.h>
#include <time.h>

#include "mapcheck.h"

#define LEN_CAP		64	/* pages: the length probe stops here */
#define FRAMES_MAX	24	/* stack frames kept per failed allocation */
#define KMSG		"/dev/kmsg"
#define CALIBRATE_MS	250	/* the TSC against CLOCK_MONOTONIC */
#define PRINTK		"/proc/sys/kernel/printk"

static const char *dev;
static size_t pg, pages;
static int m_oflags, m_prot, m_flags;

/* The mode of the benchmark: the first of these that maps one page. */
static const struct {
	int oflags, prot, flags;
	const char *name;
} modes[] = {
	{ O_RDWR, PROT_READ, MAP_SHARED, "O_RDWR PROT_READ MAP_SHARED" },
	{ O_RDONLY, PROT_READ, MAP_SHARED, "O_RDONLY PROT_READ MAP_SHARED" },
	{ O_RDWR, PROT_READ, MAP_PRIVATE, "O_RDWR PROT_READ MAP_PRIVATE" },
};

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/*
 * The timer of the measurements: the TSC. Under TCG the lab kernel's
 * CLOCK_MONOTONIC ticks in jiffies (its TSC calibration fails and it has
 * no HPET or ACPI PM timer), 4 ms steps, coarser than one mmap(); QEMU's
 * emulated RDTSC follows the host's clock.
 */
static long long ticks(void)
{
	unsigned int lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (long long)hi << 32 | lo;
}

/* Wait for CLOCK_MONOTONIC to step; its new value, and the TSC then. */
static long long clock_edge(long long *tsc)
{
	long long t0 = now_ns(), t;

	while ((t = now_ns()) == t0)
		;
	*tsc = ticks();
	return t;
}

/*
 * TSC ticks per microsecond, from the ticks between two steps of
 * CLOCK_MONOTONIC about @ms apart; the host side converts with it.
 */
static double tsc_per_us(int ms)
{
	struct timespec nap = { .tv_sec = ms / 1000, .tv_nsec = ms % 1000 * 1000000L };
	long long c0, c1, t0, t1;

	t0 = clock_edge(&c0);
	nanosleep(&nap, NULL);
	t1 = clock_edge(&c1);
	return (c1 - c0) * 1000.0 / (t1 - t0);
}

/* @v as the inside of a JSON list; false if @buf was too small. */
static bool put_list(char *buf, size_t size, const long long *v, int n)
{
	size_t len = 0;
	int i;

	for (i = 0; i < n && len < size; i++)
		len += snprintf(buf + len, size - len, "%s%lld", i ? ", " : "", v[i]);
	return len < size;
}

static void *map(int fd, size_t npages)
{
	return mmap(NULL, npages * pg, m_prot, m_flags, fd, 0);
}

/* Find the device, the mode and the largest length mappable at offset 0. */
static bool probe(char *why, size_t size)
{
	const char *devs = getenv("LAB_NEW_DEVS");
	static char path[256];
	size_t i, n;
	void *p;
	int fd;

	if (!devs || sscanf(devs, "%255s", path) != 1) {
		snprintf(why, size, "no device: LAB_NEW_DEVS is empty (the module created no node?)");
		return false;
	}
	dev = path;
	for (i = 0; i < ARRAY_SIZE(modes); i++) {
		fd = open(dev, modes[i].oflags | O_CLOEXEC);
		if (fd < 0)
			continue;
		m_oflags = modes[i].oflags;
		m_prot = modes[i].prot;
		m_flags = modes[i].flags;
		for (n = 1; n <= LEN_CAP; n++) {
			p = map(fd, n);
			if (p == MAP_FAILED)
				break;
			munmap(p, n * pg);
			pages = n;
		}
		close(fd);
		if (pages)
			return true;
	}
	snprintf(why, size, "%s maps no page at offset 0 in any of %zu modes",
		 dev, ARRAY_SIZE(modes));
	return false;
}

static const char *mode_name(void)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(modes); i++)
		if (modes[i].oflags == m_oflags && modes[i].prot == m_prot &&
		    modes[i].flags == m_flags)
			return modes[i].name;
	return "?";
}

/*
 * One run: @iters times mmap(), a read of each page, munmap(). The phases'
 * sums, in ticks, go to @t (mmap, touch, munmap); false if a call failed.
 */
static bool run_once(int fd, int iters, long long t[3], char *why, size_t size)
{
	volatile const unsigned char *p;
	long long t0, t1, t2, t3;
	unsigned int sum = 0;
	size_t i;
	int it;

	t[0] = t[1] = t[2] = 0;
	for (it = 0; it < iters; it++) {
		t0 = ticks();
		p = map(fd, pages);
		t1 = ticks();
		if (p == MAP_FAILED) {
			snprintf(why, size, "mmap of %zu pages, iteration %d: %s",
				 pages, it, mc_errname(errno));
			return false;
		}
		for (i = 0; i < pages; i++)
			sum += p[i * pg];
		t2 = ticks();
		munmap((void *)p, pages * pg);
		t3 = ticks();
		t[0] += t1 - t0;
		t[1] += t2 - t1;
		t[2] += t3 - t2;
	}
	(void)sum;
	return true;
}

static bool bench_success(int iters, int runs)
{
	long long t[3], *ph[3];
	char why[256] = "", list[3][4096];
	int fd = open(dev, m_oflags | O_CLOEXEC), r, k;
	bool ok = fd >= 0;

	for (k = 0; k < 3; k++) {
		ph[k] = calloc(runs, sizeof(**ph));
		if (!ph[k])
			ok = false;
	}
	if (!ok)
		snprintf(why, sizeof(why), "open %s or memory for %d runs: %s",
			 dev, runs, strerror(errno));
	/* The first run warms the caches and the TLB: not counted. */
	ok = ok && run_once(fd, iters, t, why, sizeof(why));
	for (r = 0; ok && r < runs; r++) {
		ok = run_once(fd, iters, t, why, sizeof(why));
		for (k = 0; k < 3; k++)
			ph[k][r] = t[k];
	}
	if (fd >= 0)
		close(fd);
	tap_ok(ok, "%s: %d runs of %d x (mmap + touch %zu pages + munmap)",
	       "map-touch-unmap", runs, iters, pages);
	if (ok) {
		for (k = 0; k < 3; k++)
			ok = put_list(list[k], sizeof(list[k]), ph[k], runs) && ok;
		tap_diag("{\"part\": \"map-touch-unmap\", \"iters\": %d, \"mmap\": [%s], \"touch\": [%s], \"munmap\": [%s]}",
			 iters, list[0], list[1], list[2]);
	} else {
		tap_diag("%s", why);
	}
	for (k = 0; k < 3; k++)
		free(ph[k]);
	return ok;
}

/*
 * --- Failed mmap() calls: failslab's fail-nth fails the @n-th slab
 * allocation of this thread. Returns mmap()'s errno (0 if it mapped, -1 if
 * fail-nth cannot be used) and whether the @n-th allocation was reached in
 * @fired; the call's time, in ticks, in @t.
 */
static int fail_once(int fd, int n, bool *fired, long long *t)
{
	int nth = open(MC_FAIL_NTH, O_RDWR | O_CLOEXEC), err;
	char buf[32];
	long long t0;
	void *p;

	if (nth < 0)
		return -1;
	snprintf(buf, sizeof(buf), "%d", n);
	if (pwrite(nth, buf, strlen(buf), 0) < 0) {
		close(nth);
		return -1;
	}
	t0 = ticks();
	p = map(fd, pages);
	*t = ticks() - t0;
	err = p == MAP_FAILED ? errno : 0;
	memset(buf, 0, sizeof(buf));
	/* fail-nth reads 0 once the n-th allocation has been failed. */
	*fired = pread(nth, buf, sizeof(buf) - 1, 0) > 0 && atoi(buf) == 0;
	if (pwrite(nth, "0", 1, 0) != 1)
		err = -1;
	close(nth);
	if (p != MAP_FAILED)
		munmap(p, pages * pg);
	return err;
}

/*
 * The function names of the stack the kernel printed since @kmsg was
 * last read (" name+0x1f/0x80 [module]"), innermost first, as a JSON list
 * into @out. Frames marked unreliable ("? ") are left out.
 */
static void read_frames(int kmsg, char *out, size_t size)
{
	char rec[1024], name[128];
	size_t len = 0;
	int frames = 0;
	ssize_t n;
	char *msg;

	out[0] = '\0';
	while ((n = read(kmsg, rec, sizeof(rec) - 1)) > 0) {
		rec[n] = '\0';
		msg = strchr(rec, ';');
		if (!msg || frames >= FRAMES_MAX)
			continue;
		msg++;
		while (*msg == ' ')
			msg++;
		/* "name+0x", nothing else: not "Call Trace:", not "RIP: ...". */
		if (sscanf(msg, "%127[A-Za-z0-9_.]", name) != 1 ||
		    strncmp(msg + strlen(name), "+0x", 3))
			continue;
		len += snprintf(out + len, size - len, "%s\"%s\"", frames ? ", " : "", name);
		frames++;
		if (len >= size) {
			out[0] = '\0';
			return;
		}
	}
}

/* Set failslab's @knob to @val; false if it cannot be written. */
static bool failslab(const char *knob, const char *val)
{
	char path[128];

	snprintf(path, sizeof(path), MC_FAILSLAB "%s", knob);
	return mc_knob(path, val);
}

/* Read the first line of @path into @val, to put it back when done. */
static bool read_knob(const char *path, char *val, size_t size)
{
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	n = read(fd, val, size - 1);
	close(fd);
	if (n <= 0)
		return false;
	val[n] = '\0';
	val[strcspn(val, "\n")] = '\0';
	return true;
}

/* Read failslab's @knob into @val. */
static bool failslab_get(const char *knob, char *val, size_t size)
{
	char path[128];

	snprintf(path, sizeof(path), MC_FAILSLAB "%s", knob);
	return read_knob(path, val, size);
}

static int bench_failures(int reps)
{
	int fd = open(dev, m_oflags | O_CLOEXEC), kmsg, n, err, r, points = 0;
	long long once, *t = calloc(reps, sizeof(*t));
	char frames[2048], list[8192], verbose[32] = "", interval[32] = "";
	char printk[64] = "";
	const char *why = "could not set or read failslab's knobs or fail-nth";
	bool fired = true, ok;

	/*
	 * The stacks go to /dev/kmsg, not to the serial console: printing
	 * them there takes seconds under TCG. The console's level is put back
	 * at the end.
	 */
	if (read_knob(PRINTK, printk, sizeof(printk)))
		mc_knob(PRINTK, "1");
	kmsg = open(KMSG, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	ok = fd >= 0 && kmsg >= 0 && t &&
	     failslab_get("verbose", verbose, sizeof(verbose)) &&
	     failslab_get("verbose_ratelimit_interval_ms", interval, sizeof(interval)) &&
	     failslab("ignore-gfp-wait", "N");
	if (!ok) {
		tap_ok(false, "fail-nth: the failslab sweep");
		tap_diag("cannot set up: %s, %s, or %signore-gfp-wait (no CONFIG_FAILSLAB?): %s",
			 dev, KMSG, MC_FAILSLAB, strerror(errno));
		goto out;
	}
	for (n = 1; ok && fired && n <= MC_NTH_MAX; n++) {
		/* Untimed: name the point from the stack failslab prints. */
		ok = failslab("verbose", "2") &&
		     failslab("verbose_ratelimit_interval_ms", "0") &&
		     lseek(kmsg, 0, SEEK_END) >= 0;
		err = ok ? fail_once(fd, n, &fired, &once) : -1;
		read_frames(kmsg, frames, sizeof(frames));
		ok = err >= 0 && failslab("verbose", "0");
		if (!ok || !fired)
			break;
		/* Timed, quiet: the same failure @reps times. */
		for (r = 0; ok && r < reps; r++) {
			bool again;

			ok = fail_once(fd, n, &again, &t[r]) == err && again;
		}
		if (!ok) {
			why = "the same failure, repeated, did not give the same errno";
			break;
		}
		if (!put_list(list, sizeof(list), t, reps)) {
			ok = false;
			why = "too many samples for one record";
			break;
		}
		tap_diag("{\"part\": \"fail-nth\", \"nth\": %d, \"ret\": \"%s\", \"frames\": [%s], \"ticks\": [%s]}",
			 n, err ? mc_errname(err) : "ok", frames, list);
		points++;
	}
	failslab("verbose", verbose);
	failslab("verbose_ratelimit_interval_ms", interval);
	failslab("ignore-gfp-wait", "Y");
	if (*printk)
		mc_knob(PRINTK, printk);
	if (ok && fired) {
		ok = false;
		n = MC_NTH_MAX;
		why = "mmap() still reaches its N-th allocation at the cap";
	}
	tap_ok(ok, "fail-nth: %d points of the mmap() path failed and timed", points);
	if (!ok)
		tap_diag("fail-nth %d: %s", n, why);
	else
		tap_diag("{\"part\": \"fail-nth-end\", \"points\": %d, \"reps\": %d}",
			 points, reps);
out:
	if (kmsg >= 0)
		close(kmsg);
	if (fd >= 0)
		close(fd);
	free(t);
	return ok;
}

int main(int argc, char **argv)
{
	int iters = 200, runs = 9, reps = 31, i;
	const char *variant = NULL;
	struct utsname u;
	char why[256];

	for (i = 1; i < argc; i++) {
		if (i + 1 < argc && !strcmp(argv[i], "--iters"))
			iters = atoi(argv[++i]);
		else if (i + 1 < argc && !strcmp(argv[i], "--runs"))
			runs = atoi(argv[++i]);
		else if (i + 1 < argc && !strcmp(argv[i], "--fail-reps"))
			reps = atoi(argv[++i]);
		else
			variant = argv[i];
	}
	if (!variant || iters < 1 || runs < 1 || reps < 1) {
		fprintf(stderr, "usage: %s [--iters N] [--runs R] [--fail-reps K] EXAMPLE.ROLE\n",
			argv[0]);
		return 2;
	}
	pg = sysconf(_SC_PAGESIZE);
	/*
	 * kmemleak's scan thread, which first runs a minute after boot, would
	 * scan all of memory in the middle of some variant's runs. The lab's
	 * /init still scans on demand at its end.
	 */
	mc_knob("/sys/kernel/debug/kmemleak", "scan=off");
	tap_plan(2);
	if (!probe(why, sizeof(why)))
		tap_bail("%s: %s", variant, why);
	if (uname(&u))
		strcpy(u.release, "?");
	tap_diag("{\"mmap_cost\": 1, \"variant\": \"%s\", \"kernel\": \"%s\", \"dev\": \"%s\", \"pages\": %zu, \"page_size\": %zu, \"mode\": \"%s\", \"runs\": %d, \"kmemleak\": %s, \"tsc_per_us\": %.3f}",
		 variant, u.release, dev, pages, pg, mode_name(), runs,
		 access("/sys/kernel/debug/kmemleak", F_OK) ? "false" : "true",
		 tsc_per_us(CALIBRATE_MS));
	bench_success(iters, runs);
	bench_failures(reps);
	return tap_done();
}
