// SPDX-License-Identifier: GPL-2.0
/*
 * CMocka side of the harness: per-test setup/teardown, the fault sweep, and
 * run statistics for the benchmark (written to $HARNESS_STATS at exit).
 */
#include <stdio.h>
#include <stdlib.h>
#include <harness/test.h>
#include "internal.h"

static unsigned long nr_scenarios, nr_injected;

int harness_setup(void **state)
{
	(void)state;
	harness_reset();
	nr_scenarios++;
	return 0;
}

int harness_teardown(void **state)
{
	char *findings = harness_findings();

	(void)state;
	harness_reset();
	if (!findings)
		return 0;
	print_error("scenario ended with findings:\n%s", findings);
	free(findings);
	return -1;
}

/* The findings of the run that just ended, headed by what was injected. */
static char *sweep_findings(const char *name, const struct fault_hit *hit)
{
	char *findings = harness_findings(), *text;
	int ret;

	if (!findings)
		return NULL;
	if (hit)
		ret = asprintf(&text, "%s, failing %s#%u %s%s:\n%s", name,
			       hit->point, hit->nth,
			       hit->stage == FAULT_STAGE_NONE ? "" : "at ",
			       fault_stage_name(hit->stage), findings);
	else
		ret = asprintf(&text, "%s, without failures:\n%s", name, findings);
	if (ret < 0)
		abort();
	free(findings);
	return text;
}

char *fault_sweep_run(const char *name, void (*scenario)(void *arg),
		      void *arg, unsigned int *runs)
{
	const struct fault_hit *reached;
	struct fault_hit *hits;
	char *findings;
	size_t nr, i;

	*runs = 0;
	harness_reset();
	scenario(arg);
	nr = fault_inject_hits(&reached);
	hits = malloc((nr + 1) * sizeof(*hits));
	if (!hits)
		abort();
	memcpy(hits, reached, nr * sizeof(*hits));
	findings = sweep_findings(name, NULL);

	for (i = 0; i < nr && !findings; i++) {
		harness_reset();
		nr_scenarios++;
		fault_inject_arm(hits[i].point, hits[i].nth);
		scenario(arg);
		if (!fault_inject_fired() &&
		    asprintf(&findings, "%s: %s#%u was not reached when armed\n",
			     name, hits[i].point, hits[i].nth) < 0)
			abort();
		if (!findings)
			findings = sweep_findings(name, &hits[i]);
		nr_injected++;
		(*runs)++;
	}
	free(hits);
	harness_reset();
	return findings;
}

unsigned int fault_sweep(const char *name, void (*scenario)(void *arg),
			 void *arg)
{
	unsigned int runs;
	char *findings = fault_sweep_run(name, scenario, arg, &runs);

	if (findings) {
		print_error("%s", findings);
		free(findings);
		fail();
	}
	return runs;
}

int harness_run_suite(const char *name, const struct CMUnitTest *tests,
		      size_t nr)
{
	const char *stats = getenv("HARNESS_STATS");
	int failed = _cmocka_run_group_tests(name, tests, nr, NULL, NULL);
	FILE *out;

	if (stats && (out = fopen(stats, "a"))) {
		fprintf(out, "%s %lu %lu\n", name, nr_scenarios, nr_injected);
		fclose(out);
	}
	return failed;
}
