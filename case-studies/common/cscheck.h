/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the case-study checkers (case-studies/<study>/check.c) share: the
 * choice of the candidate, and the fail-nth drill.
 *
 * Include after labs/common/mapcheck.h.
 */
#ifndef KIT_CS_CHECK_H
#define KIT_CS_CHECK_H

/*
 * The candidate argv[1] names, one of the @n @names: its index. A wrong
 * command line exits with status 2 and a usage line.
 */
static inline size_t cs_candidate(int argc, char **argv,
				  const char *const *names, size_t n)
{
	size_t i;

	for (i = 0; argc == 2 && i < n; i++)
		if (!strcmp(argv[1], names[i]))
			return i;
	fprintf(stderr, "usage: %s CANDIDATE (one of:", argv[0]);
	for (i = 0; i < n; i++)
		fprintf(stderr, " %s", names[i]);
	fprintf(stderr, ")%s%s\n", argc == 2 ? "; unknown candidate " : "",
		argc == 2 ? argv[1] : "");
	exit(2);
}

/*
 * Select candidate @idx in the kernel: its index written to the
 * variants.patch parameter @param. Without it this is not the study's
 * kernel, and the TAP run bails out.
 */
static inline void cs_select(const char *param, size_t idx, const char *name)
{
	char num[24];

	snprintf(num, sizeof(num), "%zu", idx);
	if (!mc_knob(param, num))
		tap_bail("cannot write %s: %s; is this the case-study kernel (variants.patch)?",
			 param, strerror(errno));
	tap_diag("%s: %s=%s", name, param, num);
}

/*
 * The fail-nth drill: mmap() of a new object with its Nth slab allocation
 * failed, N = 1, 2, ...
 * until one completes without reaching it. Whatever fails, no mapping is
 * left afterwards, so the operation the handler's count holds off (freeing
 * a ring, freezing a map) must then succeed: a count left behind by a
 * failed mmap() makes it fail for as long as the object lives.
 */
struct cs_drill {
	/* A new object: its fd, or -1 with the reason recorded in m. */
	int (*make)(struct mapcheck *m);
	/* The mmap() under test: the mapping, or MAP_FAILED with errno. */
	void *(*map)(int fd);
	size_t len;		/* of that mapping */
	/* The operation the count holds off: 0 or its errno. */
	int (*settle)(int fd);
	const char *settle_what;	/* "freeing the ring", ... */
	const char *count;		/* "count of po->mapped", ... */
};

static inline bool cs_fail_nth(struct mapcheck *m, const struct cs_drill *d)
{
	char seq[1024] = "", buf[32];
	bool fired = true, ok = true;
	int n, fd, nth, err;
	size_t slen = 0;
	void *p;

	if (!mc_knob(MC_FAILSLAB "ignore-gfp-wait", "N"))
		return mc_fail(m, "cannot set %signore-gfp-wait: %s",
			       MC_FAILSLAB, strerror(errno));
	nth = open(MC_FAIL_NTH, O_RDWR | O_CLOEXEC);
	if (nth < 0)
		return mc_fail(m, "%s: %s", MC_FAIL_NTH, strerror(errno));
	for (n = 1; ok && fired && n <= MC_NTH_MAX; n++) {
		fd = d->make(m);
		if (fd < 0) {
			ok = false;
			break;
		}
		snprintf(buf, sizeof(buf), "%d", n);
		if (pwrite(nth, buf, strlen(buf), 0) < 0) {
			ok = mc_fail(m, "writing %s: %s", MC_FAIL_NTH,
				     strerror(errno));
			close(fd);
			break;
		}
		p = d->map(fd);
		err = p == MAP_FAILED ? errno : 0;
		memset(buf, 0, sizeof(buf));
		/* Reads 0 once the n-th allocation has been failed. */
		fired = pread(nth, buf, sizeof(buf) - 1, 0) > 0 && atoi(buf) == 0;
		if (pwrite(nth, "0", 1, 0) != 1)
			ok = mc_fail(m, "resetting %s: %s", MC_FAIL_NTH,
				     strerror(errno));
		if (slen < sizeof(seq))
			slen += snprintf(seq + slen, sizeof(seq) - slen, "%s%d %s",
					 n > 1 ? ", " : "", n, mc_errname(err));
		if (ok && err && err != ENOMEM)
			ok = mc_fail(m, "fail-nth %d: mmap() failed with %s, not ENOMEM",
				     n, mc_errname(err));
		if (p != MAP_FAILED)
			munmap(p, d->len);
		err = d->settle(fd);
		if (ok && err)
			ok = mc_fail(m, "fail-nth %d: with no mapping left, %s gave %s: the %s mmap() left a %s behind",
				     n, d->settle_what, mc_errname(err),
				     p == MAP_FAILED ? "failed" : "undone",
				     d->count);
		close(fd);
	}
	close(nth);
	mc_knob(MC_FAILSLAB "ignore-gfp-wait", "Y");
	tap_diag("%s: fail-nth sweep (N errno): %s", m->variant, seq);
	if (ok && fired)
		return mc_fail(m, "mmap() still reached its %d-th allocation",
			       MC_NTH_MAX);
	return ok;
}

/*
 * The race driver @fn in a child (mc_in_child(), killed after @secs), with
 * the study kernel's debug delay @param set to @delay for its length: the
 * delay belongs to no candidate, it only widens a window the core opens
 * anyway, so that every run meets it. Set back to 0 afterwards.
 */
static inline bool cs_race_in_window(struct mapcheck *m, const char *param,
				     const char *delay,
				     bool (*fn)(struct mapcheck *m, const void *arg),
				     unsigned int secs)
{
	bool ok;

	if (!mc_knob(param, delay))
		return mc_fail(m, "cannot write %s: %s", param, strerror(errno));
	ok = mc_in_child(m, fn, NULL, secs);
	mc_knob(param, "0");
	return ok;
}

#endif /* KIT_CS_CHECK_H */
