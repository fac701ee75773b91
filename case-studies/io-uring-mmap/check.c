// SPDX-License-Identifier: GPL-2.0
/*
 * Case study io_uring_mmap(): checker, race driver and fail-nth drill for one
 * candidate, through io_uring's own userspace interface: io_uring_setup(),
 * the SQ/CQ rings and SQE array mapped with mmap(), a NOP round trip through
 * them, IORING_REGISTER_RESIZE_RINGS and a provided buffer ring mapped at
 * IORING_OFF_PBUF_RING. Raw system calls, no liburing.
 *
 * Usage: check CANDIDATE    (legacy, B, C, D or E; see variants.patch)
 *
 * The candidate is chosen by writing its number to io_uring's mmap_variant
 * parameter, which the patched kernel reads when a ring is set up. One TAP
 * line per case. The kernel log, which the host scans for KASAN, BUG,
 * lockdep and kmemleak reports, is the other half of the evidence.
 */
#define _GNU_SOURCE
#include <linux/io_uring.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <time.h>

#include "mapcheck.h"
#include "cscheck.h"

/* Newer than some distributions' uapi headers; values from Linux 7.3. */
#ifndef IORING_OFF_PBUF_RING
#define IORING_OFF_PBUF_RING	0x80000000ULL
#define IORING_OFF_PBUF_SHIFT	16
#endif
#define PBUF_RING_MMAP		1	/* IOU_PBUF_RING_MMAP */
#define REGISTER_RESIZE_RINGS	33	/* IORING_REGISTER_RESIZE_RINGS */

/* struct io_uring_buf_reg as Linux 7.3 has it (older headers lack flags). */
struct buf_reg {
	__u64 ring_addr;
	__u32 ring_entries;
	__u16 bgid;
	__u16 flags;
	__u32 min_left;
	__u32 resv[5];
};

#define VARIANT_PARAM	"/sys/module/io_uring/parameters/mmap_variant"
#define WINDOW_PARAM	"/sys/module/io_uring/parameters/mmap_window_ms"
#define SETUP_FLAGS	(IORING_SETUP_CQSIZE | IORING_SETUP_SINGLE_ISSUER | \
			 IORING_SETUP_DEFER_TASKRUN)
#define BIG_CQ		4096	/* a ring region of 17 pages */
#define NOP_TAG		0x6b69742d696f75ULL
#define BAD_OFFSET	0x18000000	/* no region has this offset */
#define PBUF_BGID	7
#define RACE_WINDOW_MS	"2"	/* the debug delay the race runs with */
#define RACE_SECS	10	/* the race driver's time bound ... */
#define RACE_MAX	100000	/* ... and its bound in mmap() calls */
#define RACE_WATCHDOG	120	/* a race that hangs is killed after this */

static const char *const candidates[] = { "legacy", "B", "C", "D", "E" };

static size_t pg;

/* A ring and its three mappings, as an application maps them. */
struct ring {
	int fd;
	struct io_uring_params p;
	char *sq, *cq;
	struct io_uring_sqe *sqes;
	size_t sq_len, cq_len, sqes_len;
};

static int sys_setup(unsigned int entries, struct io_uring_params *p)
{
	return syscall(__NR_io_uring_setup, entries, p);
}

static int sys_enter(int fd, unsigned int submit, unsigned int wait)
{
	return syscall(__NR_io_uring_enter, fd, submit, wait,
		       IORING_ENTER_GETEVENTS, NULL, 0);
}

static int sys_register(int fd, unsigned int op, void *arg, unsigned int nr)
{
	return syscall(__NR_io_uring_register, fd, op, arg, nr);
}

/* A DEFER_TASKRUN ring (resizing needs one); 0 or the errno. */
static int ring_setup(struct ring *r, unsigned int sq, unsigned int cq)
{
	memset(r, 0, sizeof(*r));
	r->p.flags = SETUP_FLAGS;
	r->p.cq_entries = cq;
	r->fd = sys_setup(sq, &r->p);
	return r->fd < 0 ? errno : 0;
}

static void ring_lengths(struct ring *r)
{
	r->sq_len = r->p.sq_off.array + r->p.sq_entries * sizeof(__u32);
	r->cq_len = r->p.cq_off.cqes +
		    r->p.cq_entries * sizeof(struct io_uring_cqe);
	r->sqes_len = r->p.sq_entries * sizeof(struct io_uring_sqe);
}

static void *map_at(int fd, size_t len, off_t off)
{
	return mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, off);
}

static void ring_unmap(struct ring *r)
{
	if (r->sq)
		munmap(r->sq, r->sq_len);
	if (r->cq)
		munmap(r->cq, r->cq_len);
	if (r->sqes)
		munmap(r->sqes, r->sqes_len);
	r->sq = r->cq = NULL;
	r->sqes = NULL;
}

/* The SQ ring, CQ ring and SQEs at their offsets; false with the reason. */
static bool ring_map(struct mapcheck *m, struct ring *r)
{
	void *p;

	ring_lengths(r);
	p = map_at(r->fd, r->sq_len, IORING_OFF_SQ_RING);
	if (p == MAP_FAILED)
		return mc_fail(m, "mmap of the SQ ring: %s", mc_errname(errno));
	r->sq = p;
	p = map_at(r->fd, r->cq_len, IORING_OFF_CQ_RING);
	if (p == MAP_FAILED) {
		ring_unmap(r);
		return mc_fail(m, "mmap of the CQ ring: %s", mc_errname(errno));
	}
	r->cq = p;
	p = map_at(r->fd, r->sqes_len, IORING_OFF_SQES);
	if (p == MAP_FAILED) {
		ring_unmap(r);
		return mc_fail(m, "mmap of the SQEs: %s", mc_errname(errno));
	}
	r->sqes = p;
	return true;
}

static void ring_close(struct ring *r)
{
	ring_unmap(r);
	close(r->fd);
}

static __u32 *at(char *base, __u32 off)
{
	return (__u32 *)(base + off);
}

/*
 * One NOP through the mapped rings: an SQE written through the SQE
 * mapping, its index through the SQ ring's array, the tail published, and
 * its completion read back through the CQ ring mapping. The kernel writes
 * the CQE through its own address of the ring, so this shows the mappings
 * hold the ring's pages and not others.
 */
static bool ring_nop(struct mapcheck *m, struct ring *r, __u64 tag)
{
	__u32 mask = *at(r->sq, r->p.sq_off.ring_mask), tail, idx, head;
	struct io_uring_cqe *cqe;
	int ret;

	tail = *at(r->sq, r->p.sq_off.tail);
	idx = tail & mask;
	memset(&r->sqes[idx], 0, sizeof(r->sqes[idx]));
	r->sqes[idx].opcode = IORING_OP_NOP;
	r->sqes[idx].user_data = tag;
	at(r->sq, r->p.sq_off.array)[idx] = idx;
	__atomic_store_n(at(r->sq, r->p.sq_off.tail), tail + 1, __ATOMIC_RELEASE);
	ret = sys_enter(r->fd, 1, 1);
	if (ret != 1)
		return mc_fail(m, "io_uring_enter submitted %d, not 1 NOP (%s)",
			       ret, ret < 0 ? mc_errname(errno) : "no error");
	head = *at(r->cq, r->p.cq_off.head);
	if (__atomic_load_n(at(r->cq, r->p.cq_off.tail), __ATOMIC_ACQUIRE) == head)
		return mc_fail(m, "no CQE in the mapped CQ ring after the NOP completed");
	cqe = (struct io_uring_cqe *)(r->cq + r->p.cq_off.cqes) +
	      (head & *at(r->cq, r->p.cq_off.ring_mask));
	if (cqe->user_data != tag || cqe->res)
		return mc_fail(m, "the mapped CQ ring holds user_data %#llx res %d, not the NOP's %#llx res 0",
			       (unsigned long long)cqe->user_data, cqe->res,
			       (unsigned long long)tag);
	__atomic_store_n(at(r->cq, r->p.cq_off.head), head + 1, __ATOMIC_RELEASE);
	return true;
}

/* IORING_REGISTER_RESIZE_RINGS to @sq/@cq entries; 0 or the errno. */
static int ring_resize(struct ring *r, unsigned int sq, unsigned int cq)
{
	struct io_uring_params p = {
		.sq_entries = sq, .cq_entries = cq, .flags = IORING_SETUP_CQSIZE,
	};

	if (sys_register(r->fd, REGISTER_RESIZE_RINGS, &p, 1))
		return errno;
	r->p.sq_entries = p.sq_entries;
	r->p.cq_entries = p.cq_entries;
	r->p.sq_off = p.sq_off;
	r->p.cq_off = p.cq_off;
	return 0;
}

/* Read one word of every page of @len bytes at @p, under the fault guard. */
static bool reads_all(struct mapcheck *m, const char *p, size_t len,
		      const char *what)
{
	static volatile size_t off;
	struct mc_guard *g = mc_guard();
	int sig;

	off = 0;
	sig = sigsetjmp(g->env, 1);
	if (sig)
		return mc_fail(m, "SIG%s reading %s at offset %zu",
			       sigabbrev_np(sig), what, off);
	g->on = 1;
	for (; off < len; off += pg)
		(void)*(volatile const __u32 *)(p + off);
	g->on = 0;
	return true;
}

/* --- The cases; each returns true on pass. */

static bool nop_round_trip(struct mapcheck *m)
{
	struct ring r;
	bool ok;
	int err = ring_setup(&r, 8, 16);

	if (err)
		return mc_fail(m, "io_uring_setup: %s", mc_errname(err));
	ok = ring_map(m, &r) && ring_nop(m, &r, NOP_TAG) &&
	     ring_nop(m, &r, NOP_TAG + 1);
	ring_close(&r);
	return ok;
}

/*
 * What the old handler refused, a conversion must refuse the same way: an
 * offset no region has and a buffer ring never registered (both already
 * refused by io_uring_get_unmapped_area(), shared by every candidate), and
 * an SQE mapping shorter than the SQE array, which only the handler sees.
 */
static bool refusals(struct mapcheck *m)
{
	struct ring r;
	bool ok = false;
	void *p;
	int err = ring_setup(&r, 128, 128);

	if (err)
		return mc_fail(m, "io_uring_setup: %s", mc_errname(err));
	p = map_at(r.fd, pg, BAD_OFFSET);
	if (p != MAP_FAILED) {
		mc_fail(m, "mmap at offset %#x mapped", BAD_OFFSET);
		goto out;
	}
	tap_diag("%s: mmap at offset %#x: %s", m->variant, BAD_OFFSET,
		 mc_errname(errno));
	p = map_at(r.fd, pg, IORING_OFF_PBUF_RING |
			     ((off_t)PBUF_BGID << IORING_OFF_PBUF_SHIFT));
	if (p != MAP_FAILED) {
		mc_fail(m, "mmap of a buffer ring never registered mapped");
		goto out;
	}
	/* 128 SQEs of 64 bytes: two pages; one page is too short. */
	p = map_at(r.fd, pg, IORING_OFF_SQES);
	if (p != MAP_FAILED || errno != EFAULT) {
		mc_fail(m, "mmap of one page of the two-page SQE array gave %s, not EFAULT",
			p == MAP_FAILED ? mc_errname(errno) : "a mapping");
		goto out;
	}
	ok = true;
out:
	if (p != MAP_FAILED)
		munmap(p, pg);
	close(r.fd);
	return ok;
}

/*
 * A resize frees the old ring; a mapping made before it keeps the old
 * ring's pages (they hold references of their own) and every page of it
 * stays readable, while a new mmap() shows the new ring. The old mapping
 * is never touched before the resize, so a conversion that looks pages up
 * at fault time shows what it would change.
 */
static bool resize_semantics(struct mapcheck *m)
{
	struct ring r, old;
	__u32 entries;
	bool ok = false;
	char *p;
	int err = ring_setup(&r, 8, BIG_CQ);

	if (err)
		return mc_fail(m, "io_uring_setup: %s", mc_errname(err));
	ring_lengths(&r);
	p = mmap(NULL, r.cq_len, PROT_READ | PROT_WRITE, MAP_SHARED, r.fd,
		 IORING_OFF_CQ_RING);
	if (p == MAP_FAILED) {
		close(r.fd);
		return mc_fail(m, "mmap of the %zu-byte CQ ring: %s", r.cq_len,
			       mc_errname(errno));
	}
	old = r;
	err = ring_resize(&r, 8, 16);
	if (err) {
		mc_fail(m, "IORING_REGISTER_RESIZE_RINGS to 8/16 entries: %s",
			mc_errname(err));
		goto out;
	}
	if (!ring_map(m, &r) || !ring_nop(m, &r, NOP_TAG + 2))
		goto out;
	entries = *at(r.cq, r.p.cq_off.ring_entries);
	if (entries != 16) {
		mc_fail(m, "a mapping made after the resize shows %u CQ entries, not 16",
			entries);
		goto out;
	}
	entries = *at(p, old.p.cq_off.ring_entries);
	if (entries != BIG_CQ) {
		mc_fail(m, "the mapping made before the resize now shows the new ring (%u CQ entries, was %d): it changed under the application",
			entries, BIG_CQ);
		goto out;
	}
	if (!reads_all(m, p, old.cq_len, "the mapping made before the resize"))
		goto out;
	ok = true;
out:
	munmap(p, old.cq_len);
	ring_close(&r);
	return ok;
}

/*
 * A provided buffer ring allocated by the kernel, mapped, written, then
 * unregistered: the mapping stays usable, a new mmap() fails.
 */
static bool pbuf_ring(struct mapcheck *m)
{
	struct buf_reg reg = { .ring_entries = 8, .bgid = PBUF_BGID,
			       .flags = PBUF_RING_MMAP };
	off_t off = IORING_OFF_PBUF_RING |
		    ((off_t)PBUF_BGID << IORING_OFF_PBUF_SHIFT);
	struct ring r;
	bool ok = false;
	char *p, *q;
	int err = ring_setup(&r, 8, 16);

	if (err)
		return mc_fail(m, "io_uring_setup: %s", mc_errname(err));
	if (sys_register(r.fd, IORING_REGISTER_PBUF_RING, &reg, 1)) {
		mc_fail(m, "IORING_REGISTER_PBUF_RING: %s", mc_errname(errno));
		goto out;
	}
	p = map_at(r.fd, pg, off);
	if (p == MAP_FAILED) {
		mc_fail(m, "mmap of the buffer ring: %s", mc_errname(errno));
		goto out;
	}
	memset(p, 0x5a, 64);
	reg.flags = 0;	/* unregistration takes no flags */
	if (sys_register(r.fd, IORING_UNREGISTER_PBUF_RING, &reg, 1)) {
		mc_fail(m, "IORING_UNREGISTER_PBUF_RING: %s", mc_errname(errno));
		goto unmap;
	}
	if (!reads_all(m, p, pg, "the buffer ring after unregistration"))
		goto unmap;
	if (p[63] != 0x5a) {
		mc_fail(m, "the unregistered buffer ring's mapping lost what was written (%#x)",
			p[63]);
		goto unmap;
	}
	q = map_at(r.fd, pg, off);
	if (q != MAP_FAILED) {
		mc_fail(m, "mmap of the unregistered buffer ring mapped");
		munmap(q, pg);
		goto unmap;
	}
	ok = true;
unmap:
	munmap(p, pg);
out:
	close(r.fd);
	return ok;
}

/* The fail-nth drill's object: a new ring, or -1 with the reason. */
static int drill_ring(struct mapcheck *m)
{
	struct ring r;
	int err = ring_setup(&r, 8, 16);

	if (err)
		mc_fail(m, "io_uring_setup: %s", mc_errname(err));
	return err ? -1 : r.fd;
}

static void *drill_map(int fd)
{
	return map_at(fd, pg, IORING_OFF_SQ_RING);
}

/* The ring's creator resizes it: 0 or the errno. */
static int drill_resize(int fd)
{
	struct ring r = { .fd = fd };

	return ring_resize(&r, 16, 32);
}

/*
 * The fail-nth drill through mmap() of the SQ ring; after each step the
 * ring must still resize. Whatever a failed mmap() left allocated shows in
 * the kmemleak scan that follows the checker.
 */
static bool fail_nth(struct mapcheck *m)
{
	const struct cs_drill d = {
		.make = drill_ring, .map = drill_map, .len = pg,
		.settle = drill_resize, .settle_what = "resizing the ring",
		.count = "hold on the ring",
	};

	return cs_fail_nth(m, &d);
}

/* --- The race driver: ring resize against mmap() of the rings. */

struct race {
	int fd;
	struct io_uring_params p;	/* the offsets, the same for every size */
	atomic_bool stop;
	unsigned long maps, map_err, bad, resizes, resize_err;
	int err;
	__u32 seen;
};

/*
 * Map the first page of the SQ ring over and over, and read its entry
 * count: always one of the two sizes the resizer alternates between.
 */
static void *mapper(void *arg)
{
	struct race *r = arg;
	__u32 entries;
	char *p;

	while (!atomic_load(&r->stop) && r->maps + r->map_err < RACE_MAX) {
		p = mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_SHARED, r->fd,
			 IORING_OFF_SQ_RING);
		if (p == MAP_FAILED) {
			r->map_err++;
			r->err = errno;
			continue;
		}
		r->maps++;
		entries = *at(p, r->p.sq_off.ring_entries);
		if (entries != 8 && entries != 16) {
			r->bad++;
			r->seen = entries;
		}
		munmap(p, pg);
	}
	return NULL;
}

/* In a child: the resizer is the ring's creator (SINGLE_ISSUER). */
static bool race_child(struct mapcheck *m, const void *arg)
{
	struct race r = { 0 };
	time_t end = time(NULL) + RACE_SECS;
	struct ring ring;
	unsigned int i = 0;
	pthread_t t;
	int err;

	(void)arg;
	err = ring_setup(&ring, 8, 16);
	if (err)
		return mc_fail(m, "io_uring_setup: %s", mc_errname(err));
	r.fd = ring.fd;
	r.p = ring.p;
	if (pthread_create(&t, NULL, mapper, &r))
		return mc_fail(m, "pthread_create failed");
	while (time(NULL) < end && r.maps + r.map_err < RACE_MAX) {
		err = i++ % 2 ? ring_resize(&ring, 8, 16) : ring_resize(&ring, 16, 32);
		if (err)
			r.resize_err++, r.err = err;
		else
			r.resizes++;
	}
	atomic_store(&r.stop, true);
	pthread_join(t, NULL);
	tap_diag("%s: race for %d s: %lu mmap() mapped, %lu failed; %lu resizes, %lu failed",
		 m->variant, RACE_SECS, r.maps, r.map_err, r.resizes,
		 r.resize_err);
	if (r.map_err || r.resize_err)
		return mc_fail(m, "%lu mmap() and %lu resizes failed during the race (last: %s)",
			       r.map_err, r.resize_err, mc_errname(r.err));
	if (r.bad)
		return mc_fail(m, "%lu mappings showed a ring of %u entries, not 8 or 16: pages that are no ring's",
			       r.bad, r.seen);
	if (!r.maps || !r.resizes)
		return mc_fail(m, "the race never overlapped: %lu mappings, %lu resizes",
			       r.maps, r.resizes);
	if (!ring_map(m, &ring) || !ring_nop(m, &ring, NOP_TAG + 4))
		return mc_fail(m, "after the race: %s", m->why);
	ring_close(&ring);
	return true;
}

/* With the debug delay that widens the hook-to-action window. */
static bool race(struct mapcheck *m)
{
	return cs_race_in_window(m, WINDOW_PARAM, RACE_WINDOW_MS, race_child, RACE_WATCHDOG);
}

static const struct {
	mc_case_fn *run;
	const char *what;
} cases[] = {
	{ nop_round_trip, "a NOP goes through the mapped SQ ring, SQEs and CQ ring" },
	{ refusals, "mmap() at an unknown offset, of an unregistered buffer ring or short of the SQEs fails" },
	{ resize_semantics, "after IORING_REGISTER_RESIZE_RINGS a new mmap() shows the new ring, an old one the old ring" },
	{ pbuf_ring, "a provided buffer ring's mapping outlives its unregistration" },
	{ fail_nth, "fail-nth in mmap(): every failure clean, the ring still resizes" },
	{ race, "ring resize against mmap(): every mapping shows a ring" },
};

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = mc_guard_handler };
	struct mapcheck m = { 0 };
	size_t i;

	i = cs_candidate(argc, argv, candidates, ARRAY_SIZE(candidates));
	m.variant = argv[1];
	pg = m.pg = sysconf(_SC_PAGESIZE);
	sigemptyset(&sa.sa_mask);
	sigaction(SIGBUS, &sa, NULL);
	sigaction(SIGSEGV, &sa, NULL);

	tap_plan(ARRAY_SIZE(cases));
	cs_select(VARIANT_PARAM, i, m.variant);
	for (i = 0; i < ARRAY_SIZE(cases); i++)
		mc_report(&m, cases[i].what, cases[i].run(&m));
	return tap_done();
}
