// SPDX-License-Identifier: GPL-2.0
/*
 * Case study bpf_map_mmap(): checker, race driver and fail-nth drill for one
 * candidate, through the bpf() system call itself (raw syscalls, no libbpf):
 * BPF_F_MMAPABLE arrays and a BPF ring buffer created with BPF_MAP_CREATE,
 * mapped with mmap(), frozen with BPF_MAP_FREEZE.
 *
 * Usage: check CANDIDATE    (legacy, A, B or C; see variants.patch)
 *
 * The candidate is chosen by writing its number to the bpf.mmap_variant
 * parameter, which the patched kernel reads at BPF_MAP_CREATE time. One TAP
 * line per case. The kernel log, which the host scans for KASAN, BUG,
 * lockdep and kmemleak reports, is the other half of the evidence.
 *
 * The invariant under test: no writable mapping of a frozen map. Freezing
 * is refused (EBUSY) while a writable mapping exists, a frozen map is
 * mapped read-only only, and nothing but a mapping holds a map unfreezable.
 */
#define _GNU_SOURCE
#include <linux/bpf.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <time.h>

#include "mapcheck.h"
#include "cscheck.h"

#define VARIANT_PARAM	"/sys/module/bpf/parameters/mmap_variant"
#define WINDOW_PARAM	"/sys/module/bpf/parameters/mmap_window_us"
#define MAP_ENTRIES	1024	/* of 8 bytes: a two-page array */
#define RACE_SECS	15	/* the race driver's time bound ... */
#define RACE_ROUNDS	20000	/* ... and its bound in maps frozen */
#define RACE_WATCHDOG	120	/* a race that hangs is killed after this */
#define RACE_REPLACE	16	/* MAP_FIXED replacements per munmap() */
#define RACE_WINDOW_US	"2000"	/* the debug delay before ->mapped, during the race */

static const char *const candidates[] = { "legacy", "A", "B", "C" };

static size_t pg;

static long bpf(int cmd, union bpf_attr *attr)
{
	return syscall(__NR_bpf, cmd, attr, sizeof(*attr));
}

/* An array of @entries u64 with @flags (BPF_F_MMAPABLE ...); fd or -1. */
static int array_create(struct mapcheck *m, unsigned int entries,
			unsigned int flags)
{
	union bpf_attr a = { .map_type = BPF_MAP_TYPE_ARRAY,
			     .key_size = 4, .value_size = 8,
			     .max_entries = entries, .map_flags = flags };
	int fd = bpf(BPF_MAP_CREATE, &a);

	if (fd < 0)
		mc_fail(m, "BPF_MAP_CREATE of an array of %u u64 (flags %#x): %s",
			entries, flags, mc_errname(errno));
	return fd;
}

static size_t array_bytes(unsigned int entries)
{
	return (entries * 8 + pg - 1) / pg * pg;
}

/* BPF_MAP_FREEZE: 0 or the errno. */
static int freeze(int fd)
{
	union bpf_attr a = { .map_fd = fd };

	return bpf(BPF_MAP_FREEZE, &a) ? errno : 0;
}

static int elem_op(int cmd, int fd, uint32_t key, uint64_t *val)
{
	union bpf_attr a = { .map_fd = fd, .key = (uintptr_t)&key,
			     .value = (uintptr_t)val };

	return bpf(cmd, &a) ? errno : 0;
}

/* What /proc/self/fdinfo says of the map's frozen flag: 0, 1, or -1. */
static int frozen(int fd)
{
	char path[64], buf[1024], *p;
	ssize_t n;
	int f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = open(path, O_RDONLY | O_CLOEXEC);
	if (f < 0)
		return -1;
	n = read(f, buf, sizeof(buf) - 1);
	close(f);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	p = strstr(buf, "frozen:");
	return p ? atoi(p + strlen("frozen:")) : -1;
}

static void *map_at(int fd, size_t len, int prot, int flags, size_t pgoff)
{
	return mmap(NULL, len, prot, flags, fd, pgoff * pg);
}

/* --- The cases; each returns true on pass. */

/* Stores through the mapping and through the syscall see each other. */
static bool shares(struct mapcheck *m)
{
	int fd = array_create(m, MAP_ENTRIES, BPF_F_MMAPABLE), err;
	size_t len = array_bytes(MAP_ENTRIES);
	uint64_t *v, got = 0, put = 0x6b697432;
	bool ok = false;

	if (fd < 0)
		return false;
	v = map_at(fd, len, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
	if (v == MAP_FAILED) {
		mc_fail(m, "writable mmap of the %zu-byte array: %s", len,
			mc_errname(errno));
		goto out;
	}
	v[MAP_ENTRIES - 1] = 0x6b697431;	/* the second page */
	err = elem_op(BPF_MAP_LOOKUP_ELEM, fd, MAP_ENTRIES - 1, &got);
	if (err || got != 0x6b697431) {
		mc_fail(m, "BPF_MAP_LOOKUP_ELEM of the entry stored through the mapping: %s, %#llx",
			mc_errname(err), (unsigned long long)got);
		goto unmap;
	}
	err = elem_op(BPF_MAP_UPDATE_ELEM, fd, 3, &put);
	ok = (!err && v[3] == put) ||
	     mc_fail(m, "BPF_MAP_UPDATE_ELEM: %s; the mapping reads %#llx",
		     mc_errname(err), (unsigned long long)v[3]);
unmap:
	munmap(v, len);
out:
	close(fd);
	return ok;
}

/* Freezing waits for every writable mapping, and only for them. */
static bool busy_while_mapped(struct mapcheck *m)
{
	int fd = array_create(m, MAP_ENTRIES, BPF_F_MMAPABLE), err;
	size_t len = array_bytes(MAP_ENTRIES);
	bool ok = false;
	char *p, *r;

	if (fd < 0)
		return false;
	r = map_at(fd, len, PROT_READ, MAP_SHARED, 0);
	p = map_at(fd, len, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
	if (p == MAP_FAILED || r == MAP_FAILED) {
		mc_fail(m, "mmap: %s", mc_errname(errno));
		goto out;
	}
	err = freeze(fd);
	if (err != EBUSY) {
		mc_fail(m, "BPF_MAP_FREEZE with a writable mapping gave %s, not EBUSY",
			mc_errname(err));
		goto out;
	}
	/* Split the VMA; the part left must still count. */
	munmap(p, pg);
	err = freeze(fd);
	if (err != EBUSY) {
		mc_fail(m, "after unmapping the first page only, BPF_MAP_FREEZE gave %s, not EBUSY",
			mc_errname(err));
		goto out;
	}
	munmap(p + pg, len - pg);
	p = MAP_FAILED;
	/* The read-only mapping does not count. */
	err = freeze(fd);
	if (err) {
		mc_fail(m, "with only a read-only mapping left, BPF_MAP_FREEZE gave %s: a write-active count was left behind",
			mc_errname(err));
		goto out;
	}
	ok = frozen(fd) == 1 ||
	     mc_fail(m, "BPF_MAP_FREEZE succeeded, but fdinfo says frozen: %d",
		     frozen(fd));
out:
	if (p != MAP_FAILED)
		munmap(p, len);
	if (r != MAP_FAILED)
		munmap(r, len);
	close(fd);
	return ok;
}

/* A forked copy of a writable mapping counts until the child exits. */
static bool fork_counts(struct mapcheck *m)
{
	int fd = array_create(m, MAP_ENTRIES, BPF_F_MMAPABLE), err, go[2];
	size_t len = array_bytes(MAP_ENTRIES);
	bool ok = false;
	uint64_t *v;
	pid_t pid;
	int status;

	if (fd < 0)
		return false;
	v = map_at(fd, len, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
	if (v == MAP_FAILED) {
		mc_fail(m, "mmap: %s", mc_errname(errno));
		goto out;
	}
	if (pipe(go)) {
		mc_fail(m, "pipe: %s", strerror(errno));
		munmap(v, len);
		goto out;
	}
	pid = fork();
	if (pid == 0) {
		char c;

		close(go[1]);
		/* Write through the copy once the parent has unmapped. */
		if (read(go[0], &c, 1) == 1)
			v[1] = 0x6b697433;
		_exit(0);
	}
	close(go[0]);
	munmap(v, len);
	err = freeze(fd);
	if (err != EBUSY)
		mc_fail(m, "with only the child's copy of the mapping left, BPF_MAP_FREEZE gave %s, not EBUSY",
			mc_errname(err));
	if (write(go[1], "g", 1) != 1)
		mc_fail(m, "pipe write: %s", strerror(errno));
	close(go[1]);
	if (pid < 0 || waitpid(pid, &status, 0) != pid) {
		mc_fail(m, "fork/waitpid: %s", strerror(errno));
		goto out;
	}
	if (err != EBUSY)
		goto out;
	err = freeze(fd);
	ok = !err || mc_fail(m, "after the child exited, BPF_MAP_FREEZE gave %s",
			     mc_errname(err));
out:
	close(fd);
	return ok;
}

/* A frozen map maps read-only only, and stays read-only. */
static bool frozen_read_only(struct mapcheck *m)
{
	int fd = array_create(m, MAP_ENTRIES, BPF_F_MMAPABLE), err;
	size_t len = array_bytes(MAP_ENTRIES);
	uint64_t put = 0x6b697434;
	bool ok = false;
	uint64_t *v, *w;

	if (fd < 0)
		return false;
	err = elem_op(BPF_MAP_UPDATE_ELEM, fd, 5, &put) ?: freeze(fd);
	if (err) {
		mc_fail(m, "update and freeze of an unmapped map: %s",
			mc_errname(err));
		goto out;
	}
	w = map_at(fd, len, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
	if (w != MAP_FAILED || errno != EPERM) {
		mc_fail(m, "writable mmap of a frozen map gave %s, not EPERM",
			w == MAP_FAILED ? mc_errname(errno) : "a mapping");
		if (w != MAP_FAILED)
			munmap(w, len);
		goto out;
	}
	v = map_at(fd, len, PROT_READ, MAP_SHARED, 0);
	if (v == MAP_FAILED) {
		mc_fail(m, "read-only mmap of a frozen map: %s",
			mc_errname(errno));
		goto out;
	}
	if (v[5] != put) {
		mc_fail(m, "the read-only mapping reads %#llx, not %#llx",
			(unsigned long long)v[5], (unsigned long long)put);
	} else if (!mprotect(v, len, PROT_READ | PROT_WRITE) ||
		   errno != EACCES) {
		mc_fail(m, "mprotect(PROT_WRITE) of the read-only mapping of a frozen map gave %s, not EACCES",
			mc_errname(errno));
	} else {
		ok = true;
	}
	munmap(v, len);
out:
	close(fd);
	return ok;
}

/* What the old handler refused, the conversion must refuse the same way. */
static bool refusals(struct mapcheck *m)
{
	static const struct {
		unsigned int flags;
		int prot, share;
		size_t pages, pgoff;
		int err;
		const char *what;
	} r[] = {
		{ BPF_F_MMAPABLE, PROT_READ | PROT_WRITE, MAP_PRIVATE, 1, 0,
		  EINVAL, "a private mapping" },
		{ BPF_F_MMAPABLE, PROT_READ, MAP_SHARED, 1, 2, EINVAL,
		  "a page past the end" },
		{ BPF_F_MMAPABLE, PROT_READ, MAP_SHARED, 3, 0, EINVAL,
		  "three pages of two" },
		{ 0, PROT_READ, MAP_SHARED, 1, 0, EINVAL,
		  "an array without BPF_F_MMAPABLE" },
		{ BPF_F_MMAPABLE | BPF_F_RDONLY_PROG, PROT_READ | PROT_WRITE,
		  MAP_SHARED, 1, 0, EACCES,
		  "writable, of a BPF_F_RDONLY_PROG array" },
	};
	bool ok = true;
	size_t i;
	void *p;
	int fd, err;

	for (i = 0; ok && i < ARRAY_SIZE(r); i++) {
		fd = array_create(m, MAP_ENTRIES, r[i].flags);
		if (fd < 0)
			return false;
		p = map_at(fd, r[i].pages * pg, r[i].prot, r[i].share,
			   r[i].pgoff);
		if (p != MAP_FAILED || errno != r[i].err)
			ok = mc_fail(m, "mmap() of %s gave %s, not %s", r[i].what,
				     p == MAP_FAILED ? mc_errname(errno) : "a mapping",
				     mc_errname(r[i].err));
		if (p != MAP_FAILED)
			munmap(p, r[i].pages * pg);
		/* A refused mmap() must leave no count behind. */
		err = freeze(fd);
		if (ok && err)
			ok = mc_fail(m, "after the refused mmap() of %s, BPF_MAP_FREEZE gave %s",
				     r[i].what, mc_errname(err));
		close(fd);
	}
	return ok;
}

#define RB_DATA_PAGES	4

static void *rb_map_at(int fd, size_t pages, int prot, size_t pgoff)
{
	return map_at(fd, pages * pg, prot, MAP_SHARED, pgoff);
}

/* Whether the ring buffer says it has data: producer_pos != consumer_pos. */
static bool rb_readable(int fd)
{
	struct pollfd pf = { .fd = fd, .events = POLLIN };

	return poll(&pf, 1, 0) == 1 && (pf.revents & POLLIN);
}

/*
 * A BPF ring buffer: its consumer page mapped writable is the page the
 * kernel reads consumer_pos from (poll() sees a store through it), a
 * read-only mapping from offset 0 shows the same page, only the consumer
 * page maps writable, and freezing waits for that mapping only.
 */
static bool ringbuf(struct mapcheck *m)
{
	union bpf_attr a = { .map_type = BPF_MAP_TYPE_RINGBUF,
			     .max_entries = RB_DATA_PAGES * pg };
	size_t all = 2 + 2 * RB_DATA_PAGES;	/* both positions, data twice */
	volatile unsigned long *cons = MAP_FAILED, *ro = MAP_FAILED;
	bool ok = false;
	void *p;
	int fd, err;

	fd = bpf(BPF_MAP_CREATE, &a);
	if (fd < 0)
		return mc_fail(m, "BPF_MAP_CREATE of a %u-byte ring buffer: %s",
			       a.max_entries, mc_errname(errno));
	cons = rb_map_at(fd, 1, PROT_READ | PROT_WRITE, 0);
	ro = rb_map_at(fd, all, PROT_READ, 0);
	if (cons == MAP_FAILED || ro == MAP_FAILED) {
		mc_fail(m, "mmap of the consumer page writable and of all %zu pages read-only: %s",
			all, mc_errname(errno));
		goto out;
	}
	if (rb_readable(fd)) {
		mc_fail(m, "an empty ring buffer polls readable");
		goto out;
	}
	cons[0] = 8;
	if (!rb_readable(fd) || ro[0] != 8) {
		mc_fail(m, "consumer_pos stored through the writable mapping: poll() %s it, the read-only mapping reads %lu",
			rb_readable(fd) ? "sees" : "does not see", ro[0]);
		goto out;
	}
	cons[0] = 0;
	p = rb_map_at(fd, 1, PROT_READ | PROT_WRITE, 1);
	if (p != MAP_FAILED || errno != EPERM) {
		mc_fail(m, "writable mmap of the producer page gave %s, not EPERM",
			p == MAP_FAILED ? mc_errname(errno) : "a mapping");
		if (p != MAP_FAILED)
			munmap(p, pg);
		goto out;
	}
	p = rb_map_at(fd, all + 1, PROT_READ, 0);
	if (p != MAP_FAILED || errno != EINVAL) {
		mc_fail(m, "mmap of one page more than the ring buffer gave %s, not EINVAL",
			p == MAP_FAILED ? mc_errname(errno) : "a mapping");
		if (p != MAP_FAILED)
			munmap(p, (all + 1) * pg);
		goto out;
	}
	err = freeze(fd);
	if (err != EBUSY) {
		mc_fail(m, "BPF_MAP_FREEZE with the consumer page mapped writable gave %s, not EBUSY",
			mc_errname(err));
		goto out;
	}
	munmap((void *)cons, pg);
	cons = MAP_FAILED;
	err = freeze(fd);
	if (err) {
		mc_fail(m, "with only a read-only mapping left, BPF_MAP_FREEZE gave %s",
			mc_errname(err));
		goto out;
	}
	p = rb_map_at(fd, 1, PROT_READ | PROT_WRITE, 0);
	ok = (p == MAP_FAILED && errno == EPERM) ||
	     mc_fail(m, "writable mmap of a frozen ring buffer's consumer page gave %s, not EPERM",
		     p == MAP_FAILED ? mc_errname(errno) : "a mapping");
	if (p != MAP_FAILED)
		munmap(p, pg);
out:
	if (cons != MAP_FAILED)
		munmap((void *)cons, pg);
	if (ro != MAP_FAILED)
		munmap((void *)ro, all * pg);
	close(fd);
	return ok;
}

/* The fail-nth drill (case-studies/common/cscheck.h) on new arrays. */
static int drill_make(struct mapcheck *m)
{
	return array_create(m, MAP_ENTRIES, BPF_F_MMAPABLE);
}

static void *drill_map(int fd)
{
	return map_at(fd, array_bytes(MAP_ENTRIES), PROT_READ | PROT_WRITE,
		      MAP_SHARED, 0);
}

static bool fail_nth(struct mapcheck *m)
{
	const struct cs_drill d = {
		.make = drill_make, .map = drill_map,
		.len = array_bytes(MAP_ENTRIES), .settle = freeze,
		.settle_what = "BPF_MAP_FREEZE", .count = "write-active count",
	};

	return cs_fail_nth(m, &d);
}

/* --- The race driver: BPF_MAP_FREEZE against writable mmap()/munmap(). */

struct race {
	atomic_int fd;		/* the map of the round, -1 between rounds */
	atomic_bool stop;
	unsigned long freezes_busy;
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Freeze each round's map as soon as it can be: once per round. */
static void *freezer(void *arg)
{
	struct race *r = arg;
	int fd, err;

	while (!atomic_load(&r->stop)) {
		fd = atomic_load(&r->fd);
		if (fd < 0)
			continue;
		err = freeze(fd);
		if (err == EBUSY)
			r->freezes_busy++;
		else
			atomic_store(&r->fd, -1);	/* frozen, or gone */
	}
	return NULL;
}

/*
 * Rounds of one new map each: this thread maps the map writable, then maps
 * it again over the old mapping (MAP_FIXED), with a munmap() before every
 * RACE_REPLACE-th mmap(), until a mmap() is refused, while the freezer
 * freezes it. After
 * every successful mmap() the map must not be frozen: a freeze can only
 * succeed while no writable mapping exists. Where it is frozen anyway, a
 * store through the mapping shows up in the frozen map.
 */
static bool race_child(struct mapcheck *m, const void *arg)
{
	size_t len = array_bytes(1);
	unsigned long rounds = 0, maps = 0, eperm = 0, other = 0, bad = 0;
	unsigned long changed = 0;
	double end = now() + RACE_SECS;
	struct race r = { .fd = -1 };
	uint64_t *v, *w, got;
	int fd, other_err = 0, err;
	unsigned long i;
	pthread_t t;

	(void)arg;
	if (pthread_create(&t, NULL, freezer, &r))
		return mc_fail(m, "pthread_create failed");
	while (now() < end && rounds < RACE_ROUNDS) {
		fd = array_create(m, 1, BPF_F_MMAPABLE);
		if (fd < 0)
			break;
		/*
		 * Mapped before the freezer sees it: each freeze then has to
		 * fall between a munmap() and the next mmap().
		 */
		v = map_at(fd, len, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
		if (v == MAP_FAILED) {
			close(fd);
			other++;
			other_err = errno;
			break;
		}
		atomic_store(&r.fd, fd);
		for (i = 1;; i++) {
			if (i % RACE_REPLACE) {
				/*
				 * Replace the mapping in place: the old VMA is
				 * closed inside this mmap(), after the hook and
				 * before ->mapped, so the count can only drop to
				 * zero in between.
				 */
				w = mmap(v, len, PROT_READ | PROT_WRITE,
					 MAP_SHARED | MAP_FIXED, fd, 0);
			} else {
				/* Let a freeze in between two mmap() calls. */
				munmap(v, len);
				w = map_at(fd, len, PROT_READ | PROT_WRITE,
					   MAP_SHARED, 0);
			}
			if (w == MAP_FAILED) {
				if (errno == EPERM) {
					eperm++;
				} else {
					other++;
					other_err = errno;
				}
				break;
			}
			v = w;
			maps++;
			if (frozen(fd) == 1) {
				bad++;
				v[0] = 0x6b697435 + bad;
				err = elem_op(BPF_MAP_LOOKUP_ELEM, fd, 0, &got);
				if (!err && got == v[0])
					changed++;
			}
		}
		/* A refused replacement leaves the old mapping in place. */
		munmap(v, len);
		/* The freezer is done with the round once the map is frozen. */
		while (atomic_load(&r.fd) >= 0)
			;
		close(fd);
		rounds++;
	}
	atomic_store(&r.stop, true);
	pthread_join(t, NULL);
	tap_diag("%s: race for up to %d s: %lu maps frozen, %lu writable mmap() mapped, %lu refused with EPERM, %lu other; %lu freezes refused with EBUSY",
		 m->variant, RACE_SECS, rounds, maps, eperm, other,
		 r.freezes_busy);
	if (bad)
		return mc_fail(m, "%lu writable mmap() calls returned a mapping of a map already frozen; in %lu of them a store through it changed the frozen map",
			       bad, changed);
	if (other)
		return mc_fail(m, "mmap() failed with %s during the race",
			       mc_errname(other_err));
	/*
	 * Overlap: a freeze was refused because a mapping existed, or a
	 * mmap() was refused because a freeze landed while it ran (with the
	 * debug delay, B refuses at the first replacement of every round).
	 */
	if (!rounds || (!r.freezes_busy && !eperm))
		return mc_fail(m, "the race never overlapped: %lu rounds, %lu mappings, %lu refused freezes, %lu refused mmap() calls",
			       rounds, maps, r.freezes_busy, eperm);
	return true;
}

/* With the debug delay that widens the window between the hook and ->mapped. */
static bool race(struct mapcheck *m)
{
	return cs_race_in_window(m, WINDOW_PARAM, RACE_WINDOW_US, race_child, RACE_WATCHDOG);
}

static const struct {
	mc_case_fn *run;
	const char *what;
} cases[] = {
	{ shares, "stores through the mapping and through bpf() see each other" },
	{ busy_while_mapped, "BPF_MAP_FREEZE is EBUSY while any part of a writable mapping is left" },
	{ fork_counts, "a forked writable mapping counts until it is gone" },
	{ frozen_read_only, "a frozen map maps read-only, not writable, and mprotect() cannot make it so" },
	{ refusals, "private, out of range, not mmapable, BPF_F_RDONLY_PROG: refused as before" },
	{ ringbuf, "ring buffer: the writable consumer page is the kernel's, freeze waits for it" },
	{ fail_nth, "fail-nth in a writable mmap(): the map still freezes" },
	{ race, "freeze against writable mmap(): no writable mapping of a frozen map" },
};

int main(int argc, char **argv)
{
	struct mapcheck m = { 0 };
	size_t i, cand;

	cand = cs_candidate(argc, argv, candidates, ARRAY_SIZE(candidates));
	m.variant = argv[1];
	pg = m.pg = sysconf(_SC_PAGESIZE);

	tap_plan(ARRAY_SIZE(cases));
	cs_select(VARIANT_PARAM, cand, m.variant);
	for (i = 0; i < ARRAY_SIZE(cases); i++)
		mc_report(&m, cases[i].what, cases[i].run(&m));
	return tap_done();
}
