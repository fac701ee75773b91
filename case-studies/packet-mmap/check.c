// SPDX-License-Identifier: GPL-2.0
/*
 * Case study packet_mmap(): checker, race driver and fail-nth drill for one
 * candidate, through AF_PACKET's own userspace interface (a TPACKET_V3 RX
 * ring set with setsockopt(PACKET_RX_RING) and mapped with mmap(), as
 * tools/testing/selftests/net/psock_tpacket.c uses it).
 *
 * Usage: check CANDIDATE    (legacy, A, B or C; see variants.patch)
 *
 * The candidate is chosen by writing its number to af_packet's
 * mmap_variant parameter, which the patched kernel reads at socket() time.
 * One TAP line per case. The kernel log, which the host scans for KASAN,
 * BUG, lockdep and kmemleak reports, is the other half of the evidence.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>

#include "mapcheck.h"
#include "cscheck.h"

#define VARIANT_PARAM	"/sys/module/af_packet/parameters/mmap_variant"
#define BLOCK_PAGES	4	/* an order-2 block: a compound page */
#define RING_BLOCKS	4
#define FRAME_SIZE	2048
#define PROTO_TEST	0x88b5	/* IEEE 802 local experimental ethertype */
#define RACE_BLOCKS	128	/* a bigger ring: a longer page insertion */
#define RACE_SECS	15	/* the race driver's time bound ... */
#define RACE_MAX	200000	/* ... and its bound in mmap() calls */
#define RACE_WATCHDOG	120	/* a race that hangs is killed after this */

static const char *const candidates[] = { "legacy", "A", "B", "C" };

static size_t pg;

/* The ring of @blocks blocks, or none for 0; returns 0 or the errno. */
static int ring_set(int s, unsigned int blocks)
{
	struct tpacket_req3 req = { 0 };

	if (blocks) {
		req.tp_block_size = BLOCK_PAGES * pg;
		req.tp_block_nr = blocks;
		req.tp_frame_size = FRAME_SIZE;
		req.tp_frame_nr = req.tp_block_size / FRAME_SIZE * blocks;
		req.tp_retire_blk_tov = 10;
	}
	return setsockopt(s, SOL_PACKET, PACKET_RX_RING, &req, sizeof(req)) ?
	       errno : 0;
}

static size_t ring_bytes(unsigned int blocks)
{
	return blocks * BLOCK_PAGES * pg;
}

/* A TPACKET_V3 socket for every protocol, with a ring of @blocks blocks. */
static int ring_socket(struct mapcheck *m, unsigned int blocks)
{
	int v = TPACKET_V3, s, err;

	s = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, htons(ETH_P_ALL));
	if (s < 0) {
		mc_fail(m, "socket(AF_PACKET): %s", mc_errname(errno));
		return -1;
	}
	if (setsockopt(s, SOL_PACKET, PACKET_VERSION, &v, sizeof(v))) {
		mc_fail(m, "PACKET_VERSION: %s", mc_errname(errno));
		close(s);
		return -1;
	}
	err = blocks ? ring_set(s, blocks) : 0;
	if (err) {
		mc_fail(m, "PACKET_RX_RING of %u blocks: %s", blocks,
			mc_errname(err));
		close(s);
		return -1;
	}
	return s;
}

static void *ring_map(int s, size_t len, off_t off)
{
	return mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, s, off);
}

/* Bring "lo" up and return its index, 0 on failure. */
static int lo_up(struct mapcheck *m, int s)
{
	struct ifreq ifr = { .ifr_name = "lo" };

	if (ioctl(s, SIOCGIFFLAGS, &ifr))
		return mc_fail(m, "SIOCGIFFLAGS lo: %s", mc_errname(errno)), 0;
	ifr.ifr_flags |= IFF_UP;
	if (ioctl(s, SIOCSIFFLAGS, &ifr))
		return mc_fail(m, "SIOCSIFFLAGS lo: %s", mc_errname(errno)), 0;
	if (ioctl(s, SIOCGIFINDEX, &ifr))
		return mc_fail(m, "SIOCGIFINDEX lo: %s", mc_errname(errno)), 0;
	return ifr.ifr_ifindex;
}

/*
 * Send one frame with @magic through lo and find it in the mapped ring @map
 * of socket @s: the kernel writes the ring through its own addresses, so
 * this shows the mapping holds the ring's pages and not others.
 */
static bool ring_receives(struct mapcheck *m, int s, void *map, int ifindex,
			  unsigned int magic)
{
	struct sockaddr_ll to = { .sll_family = AF_PACKET,
				  .sll_ifindex = ifindex, .sll_halen = ETH_ALEN };
	unsigned char frame[64] = { 0 };
	struct tpacket_block_desc *bd = map;
	struct tpacket3_hdr *h;
	struct pollfd pf = { .fd = s, .events = POLLIN };
	unsigned int got;
	int tx, i;

	frame[12] = PROTO_TEST >> 8;
	frame[13] = PROTO_TEST & 0xff;
	memcpy(frame + 14, &magic, sizeof(magic));
	tx = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
	if (tx < 0)
		return mc_fail(m, "sender socket: %s", mc_errname(errno));
	if (sendto(tx, frame, sizeof(frame), 0, (struct sockaddr *)&to,
		   sizeof(to)) != sizeof(frame)) {
		close(tx);
		return mc_fail(m, "sendto lo: %s", mc_errname(errno));
	}
	close(tx);
	/* The block is handed to userspace when its 10 ms timer retires it. */
	for (i = 0; i < 50 && !(bd->hdr.bh1.block_status & TP_STATUS_USER); i++)
		poll(&pf, 1, 100);
	if (!(bd->hdr.bh1.block_status & TP_STATUS_USER))
		return mc_fail(m, "the first block of the mapped ring never reached userspace (block_status %#x)",
			       bd->hdr.bh1.block_status);
	h = (void *)((char *)bd + bd->hdr.bh1.offset_to_first_pkt);
	for (i = 0; i < (int)bd->hdr.bh1.num_pkts; i++) {
		memcpy(&got, (char *)h + h->tp_mac + 14, sizeof(got));
		if (got == magic)
			break;
		h = (void *)((char *)h + h->tp_next_offset);
	}
	if (i == (int)bd->hdr.bh1.num_pkts)
		return mc_fail(m, "the frame sent through lo is not in the mapped ring (%u packets there)",
			       bd->hdr.bh1.num_pkts);
	bd->hdr.bh1.block_status = TP_STATUS_KERNEL;
	return true;
}

/* Touch every page of @len bytes at @p under the fault guard. */
static bool touch_all(struct mapcheck *m, volatile char *p, size_t len)
{
	static volatile size_t off;
	struct mc_guard *g = mc_guard();
	int sig;

	off = 0;
	sig = sigsetjmp(g->env, 1);
	if (sig)
		return mc_fail(m, "SIG%s reading the mapping at offset %zu",
			       sigabbrev_np(sig), off);
	g->on = 1;
	for (; off < len; off += pg)
		(void)p[off];
	g->on = 0;
	return true;
}

/* --- The cases; each returns true on pass. */

static bool receives(struct mapcheck *m)
{
	struct sockaddr_ll ll = { .sll_family = AF_PACKET,
				  .sll_protocol = htons(PROTO_TEST) };
	int s = ring_socket(m, RING_BLOCKS);
	size_t len = ring_bytes(RING_BLOCKS);
	bool ok = false;
	void *p;

	if (s < 0)
		return false;
	ll.sll_ifindex = lo_up(m, s);
	if (!ll.sll_ifindex)
		goto out;
	if (bind(s, (struct sockaddr *)&ll, sizeof(ll))) {
		mc_fail(m, "bind to lo: %s", mc_errname(errno));
		goto out;
	}
	p = ring_map(s, len, 0);
	if (p == MAP_FAILED) {
		mc_fail(m, "mmap of the %zu-byte ring: %s", len,
			mc_errname(errno));
		goto out;
	}
	ok = touch_all(m, p, len) &&
	     ring_receives(m, s, p, ll.sll_ifindex, 0x6b697431);
	munmap(p, len);
out:
	close(s);
	return ok;
}

/* The ring can be freed exactly when no mapping of it is left. */
static bool busy_while_mapped(struct mapcheck *m)
{
	int s = ring_socket(m, RING_BLOCKS), err;
	size_t len = ring_bytes(RING_BLOCKS);
	bool ok = false;
	char *p;

	if (s < 0)
		return false;
	p = ring_map(s, len, 0);
	if (p == MAP_FAILED) {
		mc_fail(m, "mmap: %s", mc_errname(errno));
		goto out;
	}
	err = ring_set(s, 0);
	if (err != EBUSY) {
		mc_fail(m, "freeing a mapped ring gave %s, not EBUSY",
			mc_errname(err));
		goto unmap;
	}
	/* Split the VMA; the part left must still count. */
	munmap(p, pg);
	err = ring_set(s, 0);
	if (err != EBUSY) {
		mc_fail(m, "after unmapping the first page only, freeing the ring gave %s, not EBUSY",
			mc_errname(err));
		goto unmap;
	}
	munmap(p + pg, len - pg);
	err = ring_set(s, 0);
	ok = !err || mc_fail(m, "with no mapping left, freeing the ring gave %s: a count of po->mapped was left behind",
			     mc_errname(err));
	close(s);
	return ok;
unmap:
	munmap(p, len);
out:
	close(s);
	return ok;
}

static bool child_touches(struct mapcheck *m, const void *p)
{
	return touch_all(m, (void *)p, ring_bytes(RING_BLOCKS));
}

/* A forked copy of the mapping counts too, until the child exits. */
static bool fork_counts(struct mapcheck *m)
{
	int s = ring_socket(m, RING_BLOCKS), err;
	size_t len = ring_bytes(RING_BLOCKS);
	bool ok = false;
	void *p;

	if (s < 0)
		return false;
	p = ring_map(s, len, 0);
	if (p == MAP_FAILED) {
		mc_fail(m, "mmap: %s", mc_errname(errno));
		goto out;
	}
	ok = mc_in_child(m, child_touches, p, 30);
	munmap(p, len);
	err = ring_set(s, 0);
	if (ok && err)
		ok = mc_fail(m, "after the child exited and the parent unmapped, freeing the ring gave %s",
			     mc_errname(err));
out:
	close(s);
	return ok;
}

/* What the old handler refused, the conversion must refuse the same way. */
static bool refusals(struct mapcheck *m)
{
	int s = ring_socket(m, 0), err;
	size_t len = ring_bytes(RING_BLOCKS);
	bool ok = false;
	void *p;

	if (s < 0)
		return false;
	p = ring_map(s, len, 0);
	if (p != MAP_FAILED || errno != EINVAL) {
		mc_fail(m, "mmap with no ring gave %s, not EINVAL",
			p == MAP_FAILED ? mc_errname(errno) : "a mapping");
		goto out;
	}
	err = ring_set(s, RING_BLOCKS);
	if (err) {
		mc_fail(m, "PACKET_RX_RING: %s", mc_errname(err));
		goto out;
	}
	p = ring_map(s, len - pg, 0);
	if (p != MAP_FAILED || errno != EINVAL) {
		mc_fail(m, "mmap one page short of the ring gave %s, not EINVAL",
			p == MAP_FAILED ? mc_errname(errno) : "a mapping");
		goto out;
	}
	p = ring_map(s, len, pg);
	if (p != MAP_FAILED || errno != EINVAL) {
		mc_fail(m, "mmap at offset one page gave %s, not EINVAL",
			p == MAP_FAILED ? mc_errname(errno) : "a mapping");
		goto out;
	}
	err = ring_set(s, 0);
	ok = !err || mc_fail(m, "freeing the ring after refused mmap()s gave %s",
			     mc_errname(err));
out:
	if (p != MAP_FAILED)
		munmap(p, len);
	close(s);
	return ok;
}

/* The fail-nth drill (case-studies/common/cscheck.h) on new rings. */
static int drill_make(struct mapcheck *m)
{
	return ring_socket(m, RING_BLOCKS);
}

static void *drill_map(int s)
{
	return ring_map(s, ring_bytes(RING_BLOCKS), 0);
}

static int drill_free(int s)
{
	return ring_set(s, 0);
}

static bool fail_nth(struct mapcheck *m)
{
	const struct cs_drill d = {
		.make = drill_make, .map = drill_map,
		.len = ring_bytes(RING_BLOCKS), .settle = drill_free,
		.settle_what = "freeing the ring", .count = "count of po->mapped",
	};

	return cs_fail_nth(m, &d);
}

/* --- The race driver: ring free and re-creation against mmap(). */

struct race {
	int s;
	atomic_bool stop;
	atomic_bool go;		/* the mapper is about to call mmap() */
	unsigned long maps, map_einval, map_other, frees, frees_busy;
	int other_err;
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/*
 * Free the ring and set it up again, alternating two sizes. Each free starts
 * as the mapper enters mmap(), so that it reaches pg_vec_lock (after the
 * synchronize_net() in packet_set_ring()) while that mmap() is under way.
 */
static void *resizer(void *arg)
{
	struct race *r = arg;
	unsigned int i = 0;
	int err;

	while (!atomic_load(&r->stop)) {
		if (!atomic_exchange(&r->go, false))
			continue;
		err = ring_set(r->s, 0);
		if (err == EBUSY) {
			r->frees_busy++;
			continue;
		}
		r->frees++;
		ring_set(r->s, i++ % 4 ? RACE_BLOCKS : RACE_BLOCKS / 2);
	}
	return NULL;
}

static bool race_child(struct mapcheck *m, const void *arg)
{
	size_t len = ring_bytes(RACE_BLOCKS);
	struct race r = { 0 };
	double end = now() + RACE_SECS;
	pthread_t t;
	int err;
	void *p;

	(void)arg;
	r.s = ring_socket(m, RACE_BLOCKS);
	if (r.s < 0)
		return false;
	if (pthread_create(&t, NULL, resizer, &r))
		return mc_fail(m, "pthread_create failed");
	while (now() < end && r.maps + r.map_einval + r.map_other < RACE_MAX) {
		atomic_store(&r.go, true);
		p = ring_map(r.s, len, 0);
		if (p == MAP_FAILED) {
			if (errno == EINVAL) {
				r.map_einval++;
			} else {
				r.map_other++;
				r.other_err = errno;
			}
			continue;
		}
		r.maps++;
		/* Reaches ->fault for C; harmless for the others. */
		(void)*(volatile char *)p;
		munmap(p, len);
	}
	atomic_store(&r.stop, true);
	pthread_join(t, NULL);
	tap_diag("%s: race for %d s: %lu mmap() mapped, %lu EINVAL, %lu other; %lu ring frees, %lu EBUSY",
		 m->variant, RACE_SECS, r.maps, r.map_einval, r.map_other,
		 r.frees, r.frees_busy);
	if (r.map_other)
		return mc_fail(m, "mmap() failed with %s during the race",
			       mc_errname(r.other_err));
	if (!r.maps || !r.frees)
		return mc_fail(m, "the race never overlapped: %lu mappings, %lu frees",
			       r.maps, r.frees);
	/* No mapping is left: the ring must be free-able. */
	err = ring_set(r.s, 0);
	if (err)
		return mc_fail(m, "after the race, with no mapping left, freeing the ring gave %s: a count of po->mapped was left behind",
			       mc_errname(err));
	close(r.s);
	return true;
}

static bool race(struct mapcheck *m)
{
	return mc_in_child(m, race_child, NULL, RACE_WATCHDOG);
}

static const struct {
	mc_case_fn *run;
	const char *what;
} cases[] = {
	{ receives, "a frame sent through lo shows in the mapped TPACKET_V3 ring" },
	{ busy_while_mapped, "the ring cannot be freed while any part of it is mapped" },
	{ fork_counts, "a forked mapping counts until it is gone" },
	{ refusals, "mmap() with no ring, a wrong size or an offset is EINVAL" },
	{ fail_nth, "fail-nth in mmap(): no count of po->mapped left behind" },
	{ race, "ring free/re-create against mmap(): no count left behind" },
};

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = mc_guard_handler };
	struct mapcheck m = { 0 };
	size_t i, cand;

	cand = cs_candidate(argc, argv, candidates, ARRAY_SIZE(candidates));
	m.variant = argv[1];
	pg = m.pg = sysconf(_SC_PAGESIZE);
	sigemptyset(&sa.sa_mask);
	sigaction(SIGBUS, &sa, NULL);
	sigaction(SIGSEGV, &sa, NULL);

	tap_plan(ARRAY_SIZE(cases));
	cs_select(VARIANT_PARAM, cand, m.variant);
	for (i = 0; i < ARRAY_SIZE(cases); i++)
		mc_report(&m, cases[i].what, cases[i].run(&m));
	return tap_done();
}
