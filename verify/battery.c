// SPDX-License-Identifier: GPL-2.0
/*
 * The verify battery: every kind of mmap() request a program can make of a
 * device, and what the program can observe of each.
 *
 * Usage: battery [--dev PATH] VARIANT
 *
 * VARIANT is "<pair>.<role>" (e.g. "pfn-remap.after"). Without --dev the
 * device is the one character or block node that appeared in /dev when
 * the module was loaded: labs/common/init lists them in LAB_NEW_DEVS. An
 * executable /lab/setup runs first (make verify SETUP=...).
 *
 * Output, on stdout: TAP 13 with one result per request, each followed by
 * a diagnostic line that holds its record, a JSON object: "req" spells the
 * exact request, "ret" is "ok" or the errno name, and the other keys are
 * what the program saw (verify/report.py documents them). A diagnostic
 * before the first result is the header ({"battery": 1, ...}), one after
 * the plan (which comes last) is {"end": <requests>, ...}. Nothing in a
 * record depends on addresses or timing, so two modules that behave the
 * same print the same records.
 *
 * The battery knows nothing about the device. It probes the largest
 * mappable length at offset 0 and the largest mappable offset, and builds
 * its lengths and offsets around those boundaries, and around the ones the
 * before variant of the same pair found (kept in /tmp/verify-bounds.<pair>),
 * so that a module whose boundary moved is asked the same questions as the
 * one it is compared with. Only a mapping at offset 0 is written to (a
 * byte is flipped and put back): a module whose bounds check is gone must
 * not make the battery scribble over memory that is not its buffer.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdint.h>
#include <time.h>

#include "mapcheck.h"

#define LEN_CAP		1024UL		/* pages: the length probe stops here */
#define OFF_CAP		(1UL << 20)	/* pages: the offset probe stops here */
#define MAX_BOUNDS	8
#define THREAD_ITERS	200		/* map+unmap per thread */
#define THREAD_SECS	5		/* ... or until this much time passed */
#define CHILD_SECS	10		/* a child that does not answer is killed */
#define SAMPLE		16		/* bytes read at each sampled offset */
#define SETUP_OUT	"/tmp/verify-setup.out"	/* what SETUP= printed */

static const char *dev;
static size_t pg;

/* The probe's mode: the first of these that maps one page at offset 0. */
static const struct {
	int oflags, prot, flags;
} modes[] = {
	{ O_RDWR, PROT_READ, MAP_SHARED },
	{ O_RDONLY, PROT_READ, MAP_SHARED },
	{ O_RDWR, PROT_READ, MAP_PRIVATE },
};
static int m_oflags = O_RDWR, m_prot = PROT_READ, m_flags = MAP_SHARED;

/*
 * --- Output: TAP 13, one result per request ("ok N - REQUEST") and, under
 * it, one diagnostic line holding the record as a JSON object. A request
 * is "not ok" only when the battery could not make it ("ret" starts with
 * "error:"); a refused mmap() is an outcome like any other.
 */

static char rec[8192], rec_req[1024];
static size_t rec_len;
static unsigned long nrec;

static void rec_raw(const char *s)
{
	size_t n = strlen(s);

	if (rec_len + n < sizeof(rec)) {
		memcpy(rec + rec_len, s, n + 1);
		rec_len += n;
	}
}

/* Append @s as a JSON string: the battery's own text needs only these. */
static void rec_quoted(const char *s)
{
	char c[8];

	rec_raw("\"");
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			snprintf(c, sizeof(c), "\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			snprintf(c, sizeof(c), "\\u%04x", (unsigned char)*s);
		else
			snprintf(c, sizeof(c), "%c", *s);
		rec_raw(c);
	}
	rec_raw("\"");
}

static TAP_PRINTF(1, 2) void rec_begin(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(rec_req, sizeof(rec_req), fmt, ap);
	va_end(ap);
	rec_len = 0;
	rec[0] = '\0';
	rec_raw("{\"req\": ");
	rec_quoted(rec_req);
}

static TAP_PRINTF(2, 3) void rec_str(const char *key, const char *fmt, ...)
{
	char val[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(val, sizeof(val), fmt, ap);
	va_end(ap);
	rec_raw(", ");
	rec_quoted(key);
	rec_raw(": ");
	rec_quoted(val);
}

static void rec_errno(const char *key, int err)
{
	rec_str(key, "%s", err ? mc_errname(err) : "ok");
}

static void rec_end(void)
{
	rec_raw("}");
	printf("%sok %lu - %s\n# %s\n",
	       strstr(rec, "\"ret\": \"error:") ? "not " : "", ++nrec, rec_req,
	       rec);
	fflush(stdout);
}

/* --- Naming a request exactly. */

static const char *oflags_name(int o)
{
	return o == O_RDONLY ? "O_RDONLY" : o == O_WRONLY ? "O_WRONLY" : "O_RDWR";
}

static const char *prot_name(int prot)
{
	static const char *const names[] = {
		"PROT_NONE", "PROT_READ", "PROT_WRITE", "PROT_READ|PROT_WRITE",
		"PROT_EXEC", "PROT_READ|PROT_EXEC", "PROT_WRITE|PROT_EXEC",
		"PROT_READ|PROT_WRITE|PROT_EXEC",
	};

	return names[prot & 7];
}

static const char *flags_name(int flags, char *buf, size_t len)
{
	snprintf(buf, len, "%s%s%s%s%s",
		 (flags & MAP_TYPE) == MAP_SHARED_VALIDATE ? "MAP_SHARED_VALIDATE" :
		 (flags & MAP_TYPE) == MAP_SHARED ? "MAP_SHARED" : "MAP_PRIVATE",
		 flags & MAP_FIXED ? "|MAP_FIXED" : "",
		 flags & MAP_POPULATE ? "|MAP_POPULATE" : "",
		 flags & MAP_LOCKED ? "|MAP_LOCKED" : "",
		 flags & MAP_NORESERVE ? "|MAP_NORESERVE" : "");
	return buf;
}

/* A length or offset in bytes: "N pages" when it is whole pages, else hex. */
static const char *amount(unsigned long v, char *buf, size_t len)
{
	if (v % pg == 0 && v / pg < (1UL << 32))
		snprintf(buf, len, "%lu page%s", v / pg, v / pg == 1 ? "" : "s");
	else
		snprintf(buf, len, "%#lx", v);
	return buf;
}

struct mreq {
	int oflags, prot, flags;
	unsigned long len, off;
};

/* "mmap(len=3 pages, off=1 page, PROT_READ, MAP_SHARED) on O_RDWR" */
static const char *mreq_name(const struct mreq *r)
{
	static char buf[256];
	char l[32], o[32], f[96];

	snprintf(buf, sizeof(buf), "mmap(len=%s, off=%s, %s, %s) on %s",
		 amount(r->len, l, sizeof(l)), amount(r->off, o, sizeof(o)),
		 prot_name(r->prot), flags_name(r->flags, f, sizeof(f)),
		 oflags_name(r->oflags));
	return buf;
}

/* --- Mapping and observing. */

/* Open the device; the errno on failure. */
static int dev_open(int oflags, int *fd)
{
	*fd = open(dev, oflags | O_CLOEXEC);
	return *fd < 0 ? errno : 0;
}

/* The raw system call: libc must not judge the offset first. */
static void *raw_mmap(void *addr, unsigned long len, int prot, int flags,
		      int fd, unsigned long off)
{
	return (void *)syscall(SYS_mmap, addr, len, prot, flags, fd, off);
}

static unsigned long pages_of(unsigned long len)
{
	return (len + pg - 1) / pg;
}

/* The sampled offsets of a mapping of @len bytes: 3 in each of 4 pages. */
static size_t samples(unsigned long len, unsigned long *offs)
{
	unsigned long n = pages_of(len), pick[4] = { 0, 1, n / 2, n - 1 };
	size_t k = 0, i, j;

	for (i = 0; i < 4; i++) {
		if (pick[i] >= n || (i && pick[i] <= pick[i - 1]))
			continue;
		for (j = 0; j < 3; j++)
			offs[k++] = pick[i] * pg +
				    (j == 0 ? 0 : j == 1 ? pg / 2 : pg - SAMPLE);
	}
	return k;
}

/*
 * Read SAMPLE bytes at each sampled offset of @p under the fault guard:
 * "fnv64:<hash>", or "SIGBUS at <page>+<offset>" for the first fault.
 */
static void read_samples(const void *p, unsigned long len, char *out,
			 size_t outlen)
{
	const volatile unsigned char *v = p;
	unsigned long offs[12];
	volatile uint64_t h = 0xcbf29ce484222325ULL;
	volatile size_t k = 0, i = 0, n;
	int sig;

	n = samples(len, offs);
	sig = sigsetjmp(mc_guard()->env, 1);
	if (sig) {
		snprintf(out, outlen, "SIG%s at page %lu + %#lx",
			 sigabbrev_np(sig), (offs[k] + i) / pg,
			 (offs[k] + i) % pg);
		return;
	}
	mc_guard()->on = 1;
	for (; k < n; k++)
		for (i = 0; i < SAMPLE; i++)
			h = (h ^ v[offs[k] + i]) * 0x100000001b3ULL;
	mc_guard()->on = 0;
	snprintf(out, outlen, "fnv64:%016llx", (unsigned long long)h);
}

/* Flip the first byte of @p, read it back, put it back. */
static void write_probe(void *p, char *out, size_t outlen)
{
	volatile unsigned char *v = p;
	volatile unsigned char was = 0, got = 0, flipped = 0;
	volatile int step = 0;
	int sig;

	sig = sigsetjmp(mc_guard()->env, 1);
	if (sig) {
		snprintf(out, outlen, "SIG%s %s", sigabbrev_np(sig),
			 step ? "on the store" : "on the load");
		return;
	}
	mc_guard()->on = 1;
	was = v[0];
	step = 1;
	flipped = (unsigned char)~was;
	v[0] = flipped;
	got = v[0];
	v[0] = was;
	mc_guard()->on = 0;
	snprintf(out, outlen, "%s", got == flipped ? "ok" : "store lost");
}

/* The VmFlags, the samples and, with @write, a store at @p. */
static void observe(const char *tag, void *p, unsigned long len, bool write)
{
	char flags[512], buf[128], key[64];

	snprintf(key, sizeof(key), "%svmflags", tag);
	if (mc_vmflags_of(p, flags, sizeof(flags)))
		rec_str(key, "%s", flags);
	else
		rec_str(key, "(no mapping at this address in smaps)");
	read_samples(p, len, buf, sizeof(buf));
	snprintf(key, sizeof(key), "%sread", tag);
	rec_str(key, "%s", buf);
	if (write) {
		write_probe(p, buf, sizeof(buf));
		snprintf(key, sizeof(key), "%swrite", tag);
		rec_str(key, "%s", buf);
	}
}

/*
 * Map @r on a new descriptor; on success *@pp and *@fdp hold the mapping and
 * the descriptor, and the record has "ret": "ok". Returns the errno.
 */
static int map_req(const struct mreq *r, void *addr, void **pp, int *fdp)
{
	int fd, err = dev_open(r->oflags, &fd);

	*pp = MAP_FAILED;
	*fdp = -1;
	if (err) {
		rec_str("ret", "open: %s", mc_errname(err));
		return err;
	}
	*pp = raw_mmap(addr, r->len, r->prot, r->flags, fd, r->off);
	err = *pp == MAP_FAILED ? errno : 0;
	rec_errno("ret", err);
	if (err)
		close(fd);
	else
		*fdp = fd;
	return err;
}

static void unmap_close(void *p, unsigned long len, int fd)
{
	if (p != MAP_FAILED)
		munmap(p, len);
	if (fd >= 0)
		close(fd);
}

/*
 * One request, one record: map, observe (a store only at offset 0 with
 * PROT_WRITE, and with @write), unmap.
 */
static int request(const struct mreq *r, bool write)
{
	void *p;
	int fd, err;

	rec_begin("%s", mreq_name(r));
	err = map_req(r, NULL, &p, &fd);
	if (!err)
		observe("", p, r->len, write && !r->off && (r->prot & PROT_WRITE));
	rec_end();
	unmap_close(p, r->len, fd);
	return err;
}

/* The probe's one request: does it map? Recorded, not observed. */
static bool probe(unsigned long pages, unsigned long pgoff)
{
	struct mreq r = { m_oflags, m_prot, m_flags, pages * pg, pgoff * pg };
	void *p;
	int fd, err;

	rec_begin("probe %s", mreq_name(&r));
	err = map_req(&r, NULL, &p, &fd);
	rec_end();
	unmap_close(p, r.len, fd);
	return !err;
}

/*
 * The largest n in [1, cap] for which ok(n) holds, doubling then bisecting;
 * 0 if ok(1) fails. Assumes what it finds: one boundary.
 */
static unsigned long largest(bool (*ok)(unsigned long n), unsigned long cap)
{
	unsigned long lo = 1, hi, mid;

	if (!ok(1))
		return 0;
	while (lo < cap && ok(lo * 2 > cap ? cap : lo * 2))
		lo = lo * 2 > cap ? cap : lo * 2;
	if (lo == cap)
		return cap;
	hi = lo * 2 > cap ? cap : lo * 2;	/* fails */
	while (hi - lo > 1) {
		mid = lo + (hi - lo) / 2;
		if (ok(mid))
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

static bool len_ok(unsigned long n)
{
	return probe(n, 0);
}

static bool off_ok(unsigned long n)
{
	return probe(1, n);
}

/* --- The boundaries: this variant's and the pair's earlier ones. */

static unsigned long bounds[MAX_BOUNDS];
static bool len_bound[MAX_BOUNDS];	/* a length boundary, not an offset's */
static size_t nbounds;

static void add_bound(unsigned long b, bool len)
{
	size_t i;

	for (i = 0; i < nbounds; i++)
		if (bounds[i] == b) {
			len_bound[i] |= len;
			return;
		}
	if (nbounds < MAX_BOUNDS) {
		len_bound[nbounds] = len;
		bounds[nbounds++] = b;
	}
}

/*
 * Take this variant's boundaries, and those the pair's before variant found
 * if this is another variant (the before writes them to
 * /tmp/verify-bounds.<pair>). Returns the length the before found: the
 * size the sequences (mremap, fork, ...) work on, so that a module whose
 * length limit moved is still put through the same sequences. Only the
 * before's boundaries are shared: every other variant is compared with it
 * alone, and must not be asked questions another variant's bug raised.
 */
static unsigned long share_bounds(const char *pair, const char *role,
				  unsigned long size, unsigned long offs)
{
	unsigned long a, b, first = size;
	bool before = !strcmp(role, "before");
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "/tmp/verify-bounds.%s", pair);
	f = fopen(path, before ? "we" : "re");
	if (f && before) {
		fprintf(f, "%lu %lu\n", size, offs);
	} else if (f && fscanf(f, "%lu %lu", &a, &b) == 2) {
		first = a;
		add_bound(a, true);
		add_bound(b, false);
	}
	if (f)
		fclose(f);
	add_bound(size, true);
	add_bound(offs, false);
	return first;
}

static int cmp_ul(const void *a, const void *b)
{
	unsigned long x = *(const unsigned long *)a, y = *(const unsigned long *)b;

	return x < y ? -1 : x > y;
}

/*
 * 1, and b-1, b, b+1 for every boundary b (with @offsets, 0 too and the
 * offset boundaries; else the lengths' only), sorted, without repeats.
 */
static size_t around(unsigned long *out, bool offsets)
{
	unsigned long v[3 * MAX_BOUNDS + 2];
	size_t n = 0, i, k = 0;

	if (offsets)
		v[n++] = 0;
	v[n++] = 1;
	for (i = 0; i < nbounds; i++) {
		if (!offsets && !len_bound[i])
			continue;
		if (bounds[i] > 1)
			v[n++] = bounds[i] - 1;
		if (bounds[i])
			v[n++] = bounds[i];
		v[n++] = bounds[i] + 1;
	}
	qsort(v, n, sizeof(v[0]), cmp_ul);
	for (i = 0; i < n; i++)
		if (!k || out[k - 1] != v[i])
			out[k++] = v[i];
	return k;
}

/* --- Sequences: a mapping, something done to it, what is seen after. */

/* Map the probe mode's request of @pages pages at offset 0 with @prot. */
static int seq_map(const char *what, int prot, int flags, unsigned long pages,
		   void **pp, int *fdp)
{
	struct mreq r = { m_oflags, prot, flags, pages * pg, 0 };

	rec_begin("%s of %s", what, mreq_name(&r));
	return map_req(&r, NULL, pp, fdp);
}

static void seq_mprotect(unsigned long n, int from, int to)
{
	void *p;
	int fd;

	if (!seq_map(to == (PROT_READ | PROT_WRITE) ? "mprotect(PROT_READ|PROT_WRITE)" :
		     "mprotect(PROT_READ|PROT_WRITE|PROT_EXEC)", from, m_flags, n,
		     &p, &fd)) {
		rec_errno("mprotect", mprotect(p, n * pg, to) ? errno : 0);
		observe("after_", p, n * pg, true);
	}
	rec_end();
	unmap_close(p, n * pg, fd);
}

/* Reserve @len bytes of address space nobody else will take meanwhile. */
static void *reserve(unsigned long len)
{
	return mmap(NULL, len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
}

static void seq_mremap(unsigned long n, unsigned long to, int how)
{
	char what[128];
	void *p, *q = MAP_FAILED, *spot = MAP_FAILED;
	int fd;

	snprintf(what, sizeof(what), "mremap(to %lu page%s%s)", to,
		 to == 1 ? "" : "s",
		 how == 0 ? ", in place" : how == 1 ? ", MREMAP_MAYMOVE" :
		 ", MREMAP_MAYMOVE|MREMAP_FIXED elsewhere");
	if (!seq_map(what, m_prot, m_flags, n, &p, &fd)) {
		if (how == 2) {
			spot = reserve(to * pg);
			q = mremap(p, n * pg, to * pg,
				   MREMAP_MAYMOVE | MREMAP_FIXED, spot);
		} else {
			q = mremap(p, n * pg, to * pg, how ? MREMAP_MAYMOVE : 0);
		}
		rec_errno("mremap", q == MAP_FAILED ? errno : 0);
		if (q != MAP_FAILED) {
			observe("after_", q, to * pg, false);
			munmap(q, to * pg);
			p = MAP_FAILED;
		}
	}
	rec_end();
	if (spot != MAP_FAILED && q == MAP_FAILED)
		munmap(spot, to * pg);
	unmap_close(p, n * pg, fd);
}

/* Unmap page @hole of an @n-page mapping; observe what is left each side. */
static void seq_punch(unsigned long n, unsigned long hole)
{
	char what[64];
	char *p;
	int fd;

	snprintf(what, sizeof(what), "munmap(page %lu)", hole);
	if (!seq_map(what, PROT_READ | PROT_WRITE, m_flags, n, (void **)&p,
		     &fd)) {
		rec_errno("munmap", munmap(p + hole * pg, pg) ? errno : 0);
		if (hole)
			observe("left_", p, hole * pg, true);
		if (hole + 1 < n)
			observe("right_", p + (hole + 1) * pg,
				(n - hole - 1) * pg, false);
		munmap(p, n * pg);
		p = MAP_FAILED;
	}
	rec_end();
	unmap_close(p, 0, fd);
}

/*
 * Read the samples of @p in a child process; its answer, or why there is
 * none. The child is killed after CHILD_SECS: the guest has no POSIX
 * timers, so the parent's poll() is the clock.
 */
static void child_reads(void *p, unsigned long len, char *out, size_t outlen)
{
	struct pollfd pf;
	int pfd[2], status;
	ssize_t n = 0;
	pid_t pid;

	if (pipe(pfd)) {
		snprintf(out, outlen, "pipe: %s", mc_errname(errno));
		return;
	}
	pid = fork();
	if (pid == 0) {
		close(pfd[0]);
		read_samples(p, len, out, outlen);
		_exit(write(pfd[1], out, strlen(out)) < 0);
	}
	close(pfd[1]);
	if (pid < 0) {
		snprintf(out, outlen, "fork: %s", mc_errname(errno));
		close(pfd[0]);
		return;
	}
	pf = (struct pollfd){ .fd = pfd[0], .events = POLLIN };
	if (poll(&pf, 1, CHILD_SECS * 1000) == 1)
		n = read(pfd[0], out, outlen - 1);
	else
		kill(pid, SIGKILL);
	close(pfd[0]);
	waitpid(pid, &status, 0);
	if (n > 0)
		out[n] = '\0';
	else if (WIFSIGNALED(status))
		snprintf(out, outlen, "child died of SIG%s",
			 sigabbrev_np(WTERMSIG(status)));
	else
		snprintf(out, outlen, "child exited %d without answering",
			 WEXITSTATUS(status));
}

/* fork() with the mapping as it is, after @advice if not 0. */
static void seq_fork(unsigned long n, int advice)
{
	char out[128];
	void *p;
	int fd;

	if (!seq_map(advice == MADV_DONTFORK ? "fork() after MADV_DONTFORK" :
		     advice == MADV_DOFORK ? "fork() after MADV_DONTFORK, MADV_DOFORK" :
		     "fork()", m_prot, m_flags, n, &p, &fd)) {
		if (advice)
			rec_errno("madvise", madvise(p, n * pg, MADV_DONTFORK) ? errno : 0);
		if (advice == MADV_DOFORK)
			rec_errno("madvise2", madvise(p, n * pg, MADV_DOFORK) ? errno : 0);
		child_reads(p, n * pg, out, sizeof(out));
		rec_str("child_read", "%s", out);
		observe("parent_", p, n * pg, false);
	}
	rec_end();
	unmap_close(p, n * pg, fd);
}

static void seq_after_close(unsigned long n)
{
	void *p;
	int fd;

	if (!seq_map("close(fd), then use", m_prot, m_flags, n, &p, &fd)) {
		close(fd);
		fd = -1;
		observe("after_", p, n * pg, false);
	}
	rec_end();
	unmap_close(p, n * pg, fd);
}

static void seq_dontneed(unsigned long n, int flags)
{
	void *p;
	int fd;

	if (!seq_map("madvise(MADV_DONTNEED)", PROT_READ | PROT_WRITE, flags, n,
		     &p, &fd)) {
		observe("before_", p, n * pg, true);
		rec_errno("madvise", madvise(p, n * pg, MADV_DONTNEED) ? errno : 0);
		observe("after_", p, n * pg, false);
	}
	rec_end();
	unmap_close(p, n * pg, fd);
}

static void seq_fixed(unsigned long n)
{
	struct mreq r = { m_oflags, m_prot, m_flags | MAP_FIXED, n * pg, 0 };
	char *spot = reserve((n + 2) * pg);
	void *p;
	int fd;

	/* In the middle of a reservation, replacing part of it. */
	rec_begin("%s, inside a PROT_NONE reservation", mreq_name(&r));
	if (!map_req(&r, spot + pg, &p, &fd)) {
		rec_str("at", "%s", p == spot + pg ? "the address asked" :
			"another address");
		observe("", p, n * pg, false);
	}
	rec_end();
	if (fd >= 0)
		close(fd);
	munmap(spot, (n + 2) * pg);
}

/* --- Two threads mapping and unmapping at once. */

struct racer {
	int fd;
	unsigned long len;
	unsigned long done;
	int errs[4];		/* the first distinct errnos seen */
	struct timespec stop;
};

static bool past(const struct timespec *t)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return now.tv_sec > t->tv_sec ||
	       (now.tv_sec == t->tv_sec && now.tv_nsec >= t->tv_nsec);
}

static void *race(void *arg)
{
	struct racer *r = arg;
	size_t k;
	void *p;

	for (r->done = 0; r->done < THREAD_ITERS && !past(&r->stop); r->done++) {
		p = raw_mmap(NULL, r->len, m_prot, m_flags, r->fd, 0);
		if (p != MAP_FAILED) {
			munmap(p, r->len);
			continue;
		}
		for (k = 0; k < 4 && r->errs[k] && r->errs[k] != errno; k++)
			;
		if (k < 4)
			r->errs[k] = errno;
	}
	return NULL;
}

static void seq_threads(unsigned long n)
{
	struct racer r[2] = { { .len = n * pg }, { .len = n * pg } };
	char errs[128] = "";
	pthread_t t[2];
	size_t i, k, len = 0;
	int fd, err;

	rec_begin("2 threads x %d mmap()+munmap() of %lu page%s, same fd", THREAD_ITERS,
		  n, n == 1 ? "" : "s");
	err = dev_open(m_oflags, &fd);
	if (err) {
		rec_str("ret", "open: %s", mc_errname(err));
		rec_end();
		return;
	}
	clock_gettime(CLOCK_MONOTONIC, &r[0].stop);
	r[0].stop.tv_sec += THREAD_SECS;
	r[1].stop = r[0].stop;
	for (i = 0; i < 2; i++) {
		r[i].fd = fd;
		pthread_create(&t[i], NULL, race, &r[i]);
	}
	for (i = 0; i < 2; i++) {
		pthread_join(t[i], NULL);
		for (k = 0; k < 4 && r[i].errs[k]; k++)
			len += snprintf(errs + len, sizeof(errs) - len, "%s%s",
					len ? " " : "", mc_errname(r[i].errs[k]));
	}
	close(fd);
	rec_str("ret", "%s", *errs ? errs : "ok");
	/* Differs only if a thread ran out of time: that is worth a look. */
	rec_str("completed", "%s", r[0].done == THREAD_ITERS &&
		r[1].done == THREAD_ITERS ? "all" : "stopped by the time limit");
	rec_end();
}

/* --- fail-nth: the n-th slab allocation of this thread fails. */

/* What one fail-nth step saw. */
struct nth {
	int err;		/* mmap()'s errno, 0 if it mapped */
	bool fired;		/* the n-th allocation was reached and failed */
	char read[128];		/* read_samples() of the mapping, if any */
	char why[160];		/* the step could not run: why */
};

/*
 * One step: map @r once unfailed (so that only mmap()'s own allocations
 * are counted), then again with fail-nth = @n.
 */
static void nth_step(const struct mreq *r, int n, struct nth *s)
{
	char buf[32];
	void *p;
	int fd, nth;

	*s = (struct nth){ 0 };
	s->err = dev_open(r->oflags, &fd);
	nth = open(MC_FAIL_NTH, O_RDWR | O_CLOEXEC);
	if (s->err || nth < 0) {
		snprintf(s->why, sizeof(s->why), "open %s: %s",
			 s->err ? dev : MC_FAIL_NTH,
			 mc_errname(s->err ? s->err : errno));
		goto out;
	}
	p = raw_mmap(NULL, r->len, r->prot, r->flags, fd, r->off);
	if (p == MAP_FAILED) {
		snprintf(s->why, sizeof(s->why), "the unfailed mmap: %s",
			 mc_errname(errno));
		goto out;
	}
	munmap(p, r->len);
	snprintf(buf, sizeof(buf), "%d", n);
	if (pwrite(nth, buf, strlen(buf), 0) < 0) {
		snprintf(s->why, sizeof(s->why), "writing %s: %s", MC_FAIL_NTH,
			 mc_errname(errno));
		goto out;
	}
	p = raw_mmap(NULL, r->len, r->prot, r->flags, fd, r->off);
	s->err = p == MAP_FAILED ? errno : 0;
	memset(buf, 0, sizeof(buf));
	/* Reads 0 once the n-th allocation has been failed. */
	s->fired = pread(nth, buf, sizeof(buf) - 1, 0) > 0 && atoi(buf) == 0;
	if (pwrite(nth, "0", 1, 0) != 1)
		snprintf(s->why, sizeof(s->why), "resetting %s: %s",
			 MC_FAIL_NTH, mc_errname(errno));
	if (!s->err) {
		read_samples(p, r->len, s->read, sizeof(s->read));
		munmap(p, r->len);
	}
out:
	if (nth >= 0)
		close(nth);
	if (fd >= 0)
		close(fd);
}

/* Add @word to the set @set ("a; b; c"), unless it is there. */
static void set_add(char *set, size_t len, const char *word)
{
	char padded_set[1100], padded[160];

	snprintf(padded_set, sizeof(padded_set), "; %s;", set);
	snprintf(padded, sizeof(padded), "; %s;", word);
	if (!strstr(padded_set, padded))
		snprintf(set + strlen(set), len - strlen(set), "%s%s",
			 *set ? "; " : "", word);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sort the set @set in place: the order things were seen in is no outcome. */
static void set_sort(char *set, size_t len)
{
	char copy[1100], *items[64], *save, *tok;
	size_t n = 0, i, at = 0;

	snprintf(copy, sizeof(copy), "%s", set);
	for (tok = strtok_r(copy, ";", &save); tok && n < ARRAY_SIZE(items);
	     tok = strtok_r(NULL, ";", &save))
		items[n++] = tok + strspn(tok, " ");
	qsort(items, n, sizeof(items[0]), cmp_str);
	for (i = 0; i < n && at < len; i++)
		at += snprintf(set + at, len - at, "%s%s", i ? "; " : "", items[i]);
}

/*
 * Fail the 1st, 2nd, ... slab allocation of mmap() @r until one no longer
 * reaches it: one record. Which allocation fails where is the kernel's
 * business and moves when a driver is converted; what a program sees is
 * compared: the errnos, and what the mappings that succeeded read. The
 * step by step sequence is there for a person (info_ keys are not
 * compared).
 */
static void fail_nth(const struct mreq *r)
{
	char errs[160] = "", reads[512] = "", seq[1024] = "", word[48];
	size_t len = 0;
	struct nth s;
	int n;

	rec_begin("fail-nth sweep: %s", mreq_name(r));
	for (n = 1; n <= MC_NTH_MAX; n++) {
		nth_step(r, n, &s);
		if (*s.why)
			break;
		snprintf(word, sizeof(word), "%s%s", mc_errname(s.err),
			 s.fired || !s.err ? "" : "(not-reached)");
		if (s.err)
			set_add(errs, sizeof(errs), word);
		else
			set_add(reads, sizeof(reads), s.read);
		len += snprintf(seq + len, len < sizeof(seq) ? sizeof(seq) - len : 0,
				"%s%d %s", n > 1 ? ", " : "", n,
				s.err ? word : "ok");
		if (!s.fired)
			break;
	}
	set_sort(errs, sizeof(errs));
	set_sort(reads, sizeof(reads));
	if (*s.why) {
		rec_str("ret", "%s at fail-nth %d", s.why, n);
	} else {
		rec_str("ret", "%s", n > MC_NTH_MAX ? "still reaching allocations" :
			"ok");
		rec_str("errors", "%s", *errs ? errs : "none");
		rec_str("mapped_reads", "%s", *reads ? reads : "none");
		rec_str("info_sequence", "%s", seq);
	}
	rec_end();
}

/* --- Finding the device, running the setup program. */

static const char *find_dev(void)
{
	static char one[256];
	const char *list = getenv("LAB_NEW_DEVS");
	int count = 0;
	char buf[1024], *tok, *save;

	snprintf(buf, sizeof(buf), "%s", list ? list : "");
	for (tok = strtok_r(buf, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
		if (!count)
			snprintf(one, sizeof(one), "%s", tok);
		count++;
	}
	rec_begin("device node");
	if (count == 1) {
		rec_str("ret", "%s", one);
		rec_end();
		return one;
	}
	if (count)
		rec_str("ret", "error: the module created %d device nodes (%s); name one with DEV=/dev/<name>",
			count, list);
	else
		rec_str("ret", "error: the module loaded but created no device node; a hardware driver needs its device, otherwise name the node with DEV=/dev/<name>");
	rec_end();
	return NULL;
}

static bool run_setup(void)
{
	const char *path = "/lab/setup";
	char text[512];
	int status;
	size_t n;
	pid_t pid;
	FILE *f;

	if (access(path, X_OK))
		return true;
	rec_begin("setup program (SETUP=)");
	pid = fork();
	if (pid == 0) {
		/* Its output would break the TAP: it goes into the record. */
		int out = open(SETUP_OUT, O_WRONLY | O_CREAT | O_TRUNC, 0644);

		if (out >= 0) {
			dup2(out, 1);
			dup2(out, 2);
		}
		execl(path, path, dev, (char *)NULL);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		rec_str("ret", "error: cannot run %s", path);
	else if (WIFEXITED(status) && !WEXITSTATUS(status))
		rec_str("ret", "ok");
	else
		rec_str("ret", "error: %s exited with status %d", path,
			WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
	f = fopen(SETUP_OUT, "re");
	if (f) {
		n = fread(text, 1, sizeof(text) - 1, f);
		text[n] = '\0';
		fclose(f);
		if (n)
			rec_str("info_output", "%s", text);
	}
	rec_end();
	return strstr(rec, "\"ret\": \"ok\"");
}

/* --- The battery. */

static void battery(const char *pair, const char *role)
{
	static const int prots[] = { PROT_NONE, PROT_READ, PROT_WRITE,
		PROT_READ | PROT_WRITE, PROT_EXEC, PROT_READ | PROT_EXEC,
		PROT_READ | PROT_WRITE | PROT_EXEC };
	static const unsigned long far_offs[] = {
		1, 1UL << 52, 0x7ffffffffffff000UL, 0xfffffffffffff000UL,
	};
	unsigned long lens[3 * MAX_BOUNDS + 2], offs[3 * MAX_BOUNDS + 2];
	unsigned long size, maxoff, n, sizes[2];
	size_t nl, no, i, j, k;
	struct mreq r;

	/* The mode: what maps one page at offset 0, if anything does. */
	for (i = 0; i < ARRAY_SIZE(modes); i++) {
		m_oflags = modes[i].oflags;
		m_prot = modes[i].prot;
		m_flags = modes[i].flags;
		if (probe(1, 0))
			break;
	}
	if (i == ARRAY_SIZE(modes)) {
		rec_begin("probe result");
		rec_str("ret", "error: no mode maps one page at offset 0; the battery needs a device that maps");
		rec_end();
		return;
	}
	size = largest(len_ok, LEN_CAP);
	maxoff = largest(off_ok, OFF_CAP);
	rec_begin("probe result");
	rec_str("ret", "ok");
	rec_str("length", size == LEN_CAP ? "at least %lu pages (the cap)" : "%lu pages",
		size);
	rec_str("offset", maxoff == OFF_CAP ? "at least page %lu (the cap)" : "up to page %lu",
		maxoff);
	rec_end();
	n = share_bounds(pair, role, size, maxoff + 1);

	/* Lengths and offsets around every boundary: read, then read-write. */
	nl = around(lens, false);
	no = around(offs, true);
	for (i = 0; i < nl; i++)
		for (j = 0; j < no; j++) {
			r = (struct mreq){ m_oflags, m_prot, m_flags, lens[i] * pg,
					   offs[j] * pg };
			request(&r, false);
		}
	/* Overflowing, wrapping, unaligned offsets; zero and odd lengths. */
	for (i = 0; i < ARRAY_SIZE(far_offs); i++)
		for (j = 1; j <= 2; j++) {
			r = (struct mreq){ m_oflags, m_prot, m_flags, j * pg, far_offs[i] };
			request(&r, false);
		}
	for (i = 0; i < 3; i++) {
		r = (struct mreq){ m_oflags, m_prot, m_flags,
				   i == 0 ? 0 : i == 1 ? 1 : pg + 1, 0 };
		request(&r, false);
	}

	/* Every protection, shared and private, one page and all of them. */
	sizes[0] = 1;
	sizes[1] = n;
	for (k = 0; k < (n > 1 ? 2 : 1); k++)
		for (i = 0; i < ARRAY_SIZE(prots); i++)
			for (j = 0; j < 2; j++) {
				r = (struct mreq){ O_RDWR, prots[i],
						   j ? MAP_PRIVATE : MAP_SHARED,
						   sizes[k] * pg, 0 };
				request(&r, true);
			}
	/* Descriptors that cannot write, or cannot read. */
	for (i = 0; i < ARRAY_SIZE(prots); i++) {
		for (j = 0; j < 2; j++) {
			r = (struct mreq){ O_RDONLY, prots[i],
					   j ? MAP_PRIVATE : MAP_SHARED, pg, 0 };
			request(&r, true);
		}
		r = (struct mreq){ O_WRONLY, prots[i], MAP_SHARED, pg, 0 };
		request(&r, true);
	}
	/* Flags. */
	r = (struct mreq){ m_oflags, m_prot, m_flags | MAP_POPULATE, n * pg, 0 };
	request(&r, false);
	r = (struct mreq){ m_oflags, m_prot, m_flags | MAP_LOCKED, n * pg, 0 };
	request(&r, false);
	r = (struct mreq){ O_RDWR, PROT_READ | PROT_WRITE,
			   m_flags | MAP_POPULATE | MAP_LOCKED, n * pg, 0 };
	request(&r, true);
	r = (struct mreq){ m_oflags, m_prot, MAP_SHARED_VALIDATE, n * pg, 0 };
	request(&r, false);
	r = (struct mreq){ m_oflags, m_prot, MAP_SHARED_VALIDATE | MAP_NORESERVE,
			   n * pg, 0 };
	request(&r, false);
	seq_fixed(n);

	/* What can be done to a mapping once it exists. */
	seq_mprotect(n, PROT_READ, PROT_READ | PROT_WRITE);
	seq_mprotect(n, PROT_READ, PROT_READ | PROT_WRITE | PROT_EXEC);
	seq_mremap(n, n + 1, 0);
	seq_mremap(n, n + 1, 1);
	if (n > 1) {
		seq_mremap(n, n - 1, 0);
		seq_mremap(n - 1, n, 0);
	}
	seq_mremap(n, n, 2);
	seq_punch(n, 0);
	if (n > 2)
		seq_punch(n, 1);
	if (n > 1)
		seq_punch(n, n - 1);
	seq_fork(n, 0);
	seq_fork(n, MADV_DONTFORK);
	seq_fork(n, MADV_DOFORK);
	seq_after_close(n);
	seq_dontneed(n, MAP_SHARED);
	seq_dontneed(n, MAP_PRIVATE);
	seq_threads(n);

	/* fail-nth at each slab allocation of the mmap() path. */
	if (!mc_knob(MC_FAILSLAB "ignore-gfp-wait", "N")) {
		rec_begin("fail-nth setup");
		rec_str("ret", "error: cannot set %signore-gfp-wait (no CONFIG_FAILSLAB?)",
			MC_FAILSLAB);
		rec_end();
		return;
	}
	r = (struct mreq){ m_oflags, m_prot, m_flags, n * pg, 0 };
	fail_nth(&r);
	r = (struct mreq){ O_RDWR, PROT_READ | PROT_WRITE, MAP_SHARED, pg,
			   (n - 1) * pg };
	fail_nth(&r);
	r = (struct mreq){ O_RDWR, PROT_READ, MAP_PRIVATE, pg, 0 };
	fail_nth(&r);
	mc_knob(MC_FAILSLAB "ignore-gfp-wait", "Y");
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = mc_guard_handler };
	const char *variant, *role;
	char pair[128];
	struct timespec t0, t1;

	if (argc == 4 && !strcmp(argv[1], "--dev")) {
		dev = argv[2];
	} else if (argc != 2) {
		fprintf(stderr, "usage: %s [--dev PATH] PAIR.VARIANT\n", argv[0]);
		return 2;
	}
	variant = argv[argc - 1];
	snprintf(pair, sizeof(pair), "%.*s", (int)strcspn(variant, "."), variant);
	role = variant[strlen(pair)] ? variant + strlen(pair) + 1 : "before";
	pg = sysconf(_SC_PAGESIZE);
	sigemptyset(&sa.sa_mask);
	sigaction(SIGBUS, &sa, NULL);
	sigaction(SIGSEGV, &sa, NULL);
	clock_gettime(CLOCK_MONOTONIC, &t0);

	printf("TAP version 13\n# {\"battery\": 1, \"variant\": \"%s\", \"page_size\": %zu}\n",
	       variant, pg);
	if (dev) {
		rec_begin("device node");
		rec_str("ret", "%s", dev);
		rec_end();
	} else {
		dev = find_dev();
	}
	if (dev && run_setup())
		battery(pair, role);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("1..%lu\n# {\"end\": %lu, \"seconds\": %.1f}\n", nrec, nrec,
	       (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9);
	fflush(stdout);
	return 0;
}
