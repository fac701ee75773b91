// SPDX-License-Identifier: GPL-2.0
/*
 * Named failure points with Nth-hit injection, and the record of every hit
 * (see include/harness/fault-inject.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <harness/fault-inject.h>

static struct {
	struct fault_hit *hits;
	size_t nr_hits, cap;
	const char *armed;
	unsigned int armed_nth;
	bool fired;
	char *trace;
	const char *race;
	void (*race_fn)(void *arg);
	void *race_arg;
	bool raced;
} fi;

static unsigned int hits_of(const char *point)
{
	unsigned int n = 0;
	size_t i;

	for (i = 0; i < fi.nr_hits; i++)
		n += !strcmp(fi.hits[i].point, point);
	return n;
}

bool should_fail(const char *point)
{
	struct fault_hit hit = { point, hits_of(point) + 1 };
	bool fail;

	if (fi.nr_hits == fi.cap) {
		fi.cap = fi.cap ? 2 * fi.cap : 64;
		fi.hits = realloc(fi.hits, fi.cap * sizeof(*fi.hits));
		if (!fi.hits)
			abort();
	}
	fi.hits[fi.nr_hits++] = hit;

	fail = fi.armed && !strcmp(fi.armed, point) && fi.armed_nth == hit.nth;
	fi.fired |= fail;
	return fail;
}

/* Fail the @nth hit of @point from now on (1 is the next one). */
void fault_inject_arm(const char *point, unsigned int nth)
{
	fi.armed = point;
	fi.armed_nth = hits_of(point) + nth;
	fi.fired = false;
}

void fault_inject_race(const char *point, void (*fn)(void *arg), void *arg)
{
	fi.race = point;
	fi.race_fn = fn;
	fi.race_arg = arg;
	fi.raced = false;
}

void race_point(const char *point)
{
	if (!fi.race || strcmp(fi.race, point))
		return;
	/* Once: what it does may pass this point again. */
	fi.race = NULL;
	fi.race_fn(fi.race_arg);
	fi.raced = true;
}

bool fault_inject_raced(void)
{
	return fi.raced;
}

bool fault_inject_fired(void)
{
	return fi.fired;
}

void fault_inject_reset(void)
{
	free(fi.hits);
	free(fi.trace);
	fi = (typeof(fi)){ 0 };
}

size_t fault_inject_hits(const struct fault_hit **hits)
{
	*hits = fi.hits;
	return fi.nr_hits;
}

const char *fault_inject_trace(void)
{
	size_t i, len = 1;
	char *p;

	for (i = 0; i < fi.nr_hits; i++)
		len += strlen(fi.hits[i].point) + 1;
	free(fi.trace);
	fi.trace = p = calloc(1, len);
	if (!p)
		abort();
	for (i = 0; i < fi.nr_hits; i++)
		p += sprintf(p, "%s%s", i ? " " : "", fi.hits[i].point);
	return fi.trace;
}
