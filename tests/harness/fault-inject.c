// SPDX-License-Identifier: GPL-2.0
/*
 * Named failure points with Nth-hit injection, and the record of every hit
 * (see include/harness/fault-inject.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <harness/fault-inject.h>

static const struct {
	int n;
	const char *name;
} stages[] = {
#define FAILURE_STAGE(n, id, label) { n, "F" #n " (" label ")" },
#define FAILURE_POINT(name, in, label)
#include <harness/failure-points.h>
#undef FAILURE_STAGE
#undef FAILURE_POINT
};

static const struct {
	const char *name;
	const char *stages;
} points[] = {
#define FAILURE_STAGE(n, id, label)
#define FAILURE_POINT(name, in, label) { #name, in },
#include <harness/failure-points.h>
#undef FAILURE_STAGE
#undef FAILURE_POINT
};

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
	int stage;
} fi = { .stage = FAULT_STAGE_NONE };

int fault_stage_set(int stage)
{
	int old = fi.stage;

	fi.stage = stage;
	return old;
}

const char *fault_stage_name(int stage)
{
	size_t i;

	for (i = 0; i < sizeof(stages) / sizeof(stages[0]); i++)
		if (stages[i].n == stage)
			return stages[i].name;
	return "outside mmap()";
}

/* The table is the one list of point names: stop at a name not in it. */
static const char *point_stages(const char *point)
{
	size_t i;

	for (i = 0; i < sizeof(points) / sizeof(points[0]); i++)
		if (!strcmp(points[i].name, point))
			return points[i].stages;
	fprintf(stderr, "harness: failure point \"%s\" is not in tests/harness/include/harness/failure-points.h: add its row there\n",
		point);
	abort();
}

/* A hit in a stage its row does not list is a harness bug: stop there. */
static void check_point(const char *point)
{
	const char *in = point_stages(point);
	char want = fi.stage == FAULT_STAGE_NONE ? '-' : '0' + fi.stage;

	if (strchr(in, '*') || strchr(in, want))
		return;
	fprintf(stderr, "harness: failure point \"%s\" hit %s%s, but its row in tests/harness/include/harness/failure-points.h lists \"%s\": fix the row or the stage the model sets\n",
		point, fi.stage == FAULT_STAGE_NONE ? "" : "at ",
		fault_stage_name(fi.stage), in);
	abort();
}

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
	struct fault_hit hit = { point, hits_of(point) + 1, fi.stage };
	bool fail;

	check_point(point);
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
	point_stages(point);
	fi.armed = point;
	fi.armed_nth = hits_of(point) + nth;
	fi.fired = false;
}

void fault_inject_race(const char *point, void (*fn)(void *arg), void *arg)
{
	point_stages(point);
	fi.race = point;
	fi.race_fn = fn;
	fi.race_arg = arg;
	fi.raced = false;
}

void race_point(const char *point)
{
	check_point(point);
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
	fi = (typeof(fi)){ .stage = FAULT_STAGE_NONE };
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
