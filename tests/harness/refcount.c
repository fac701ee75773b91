// SPDX-License-Identifier: GPL-2.0
/*
 * refcount_t (lib/refcount.c) with its saturation warnings as reports, and a
 * list of the counts that are live, each with the site that set it up and
 * the sites that took a reference since: what is still on the list when a
 * scenario ends was never put. A put does not say which get it undoes, so
 * a report names every site that took one; the leaked get is among them.
 */
#include <stdlib.h>
#include <linux/refcount.h>
#include "internal.h"

/* A site that took references to a count, and how many times. */
struct ref_take {
	struct site site;
	unsigned int times;
};

struct live_ref {
	struct list_head node;
	const refcount_t *ref;
	struct site site;
	struct ref_take takes[8];
	unsigned int nr_takes;
};

static LIST_HEAD(live_refs);

static struct live_ref *live_find(const refcount_t *r)
{
	struct live_ref *live;

	list_for_each_entry(live, &live_refs, node)
		if (live->ref == r)
			return live;
	return NULL;
}

static void live_took(struct live_ref *live, struct site site)
{
	struct ref_take *t;

	for (t = live->takes; t < live->takes + live->nr_takes; t++) {
		if (t->site.file == site.file && t->site.line == site.line) {
			t->times++;
			return;
		}
	}
	/* More sites than that: the first ones are named. */
	if (live->nr_takes < ARRAY_SIZE(live->takes))
		live->takes[live->nr_takes++] = (struct ref_take){ site, 1 };
}

/* ", taken at A (2 times), B": the sites that took references, if any. */
static const char *takes_str(const struct live_ref *live)
{
	static char buf[1024];
	size_t len = 0;
	unsigned int i;

	buf[0] = '\0';
	for (i = 0; i < live->nr_takes && len < sizeof(buf); i++) {
		const struct ref_take *t = &live->takes[i];

		len += snprintf(buf + len, sizeof(buf) - len, "%s%s",
				i ? ", " : "; references taken at ",
				site_str(t->site));
		if (t->times > 1 && len < sizeof(buf))
			len += snprintf(buf + len, sizeof(buf) - len,
					" (%u times)", t->times);
	}
	return buf;
}

static void live_del(struct live_ref *live)
{
	list_del(&live->node);
	free(live);
}

void __refcount_set_at(refcount_t *r, int n, struct site site)
{
	struct live_ref *live = live_find(r);

	r->refs.counter = n;
	if (!n) {
		if (live)
			live_del(live);
		return;
	}
	if (!live) {
		live = calloc(1, sizeof(*live));
		if (!live)
			abort();
		live->ref = r;
		list_add_tail(&live->node, &live_refs);
	}
	live->site = site;
	live->nr_takes = 0;
}

void __refcount_inc_at(refcount_t *r, struct site site)
{
	struct live_ref *live = live_find(r);

	if (!r->refs.counter)
		report("refcount_t: addition on 0; use-after-free, at %s",
		       site_str(site));
	r->refs.counter++;
	if (live)
		live_took(live, site);
}

bool __refcount_inc_not_zero_at(refcount_t *r, struct site site)
{
	struct live_ref *live = live_find(r);

	if (!r->refs.counter)
		return false;
	r->refs.counter++;
	if (live)
		live_took(live, site);
	return true;
}

bool __refcount_dec_and_test_at(refcount_t *r, struct site site)
{
	struct live_ref *live;

	if (r->refs.counter <= 0) {
		report("refcount_t: underflow; use-after-free, at %s",
		       site_str(site));
		return false;
	}
	if (--r->refs.counter)
		return false;
	live = live_find(r);
	if (live)
		live_del(live);
	return true;
}

void refcount_forget_range(const void *start, size_t size, struct site site)
{
	struct live_ref *live, *tmp;

	list_for_each_entry_safe(live, tmp, &live_refs, node) {
		const char *p = (const char *)live->ref;

		if (p < (const char *)start || p >= (const char *)start + size)
			continue;
		report("object freed at %s with %d reference(s) outstanding, refcount set at %s%s",
		       site_str(site), live->ref->refs.counter,
		       site_str(live->site), takes_str(live));
		live_del(live);
	}
}

void refcount_check(void)
{
	struct live_ref *live;

	list_for_each_entry(live, &live_refs, node)
		report("leak: refcount set at %s still holds %d reference(s)%s",
		       site_str(live->site), live->ref->refs.counter,
		       takes_str(live));
}

void refcount_reset(void)
{
	struct live_ref *live, *tmp;

	list_for_each_entry_safe(live, tmp, &live_refs, node)
		live_del(live);
}
