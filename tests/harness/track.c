// SPDX-License-Identifier: GPL-2.0
/*
 * The list of findings, and the end-of-scenario check that asks every
 * resource tracker for what is still outstanding.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include "internal.h"

static struct {
	char **msgs;
	size_t nr, cap;
} reports;

void report(const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		abort();
	va_end(ap);

	if (reports.nr == reports.cap) {
		reports.cap = reports.cap ? 2 * reports.cap : 16;
		reports.msgs = realloc(reports.msgs,
				       reports.cap * sizeof(*reports.msgs));
		if (!reports.msgs)
			abort();
	}
	reports.msgs[reports.nr++] = msg;
}

const char *site_str(struct site site)
{
	static char bufs[4][256];
	static unsigned int next;
	char *buf = bufs[next++ % ARRAY_SIZE(bufs)];

	if (!site.file)
		return "nowhere";
	snprintf(buf, sizeof(bufs[0]), "%s:%d (%s)", site.file, site.line,
		 site.func);
	return buf;
}

bool report_take(const char *needle)
{
	size_t i;

	for (i = 0; i < reports.nr; i++) {
		if (!strstr(reports.msgs[i], needle))
			continue;
		free(reports.msgs[i]);
		memmove(&reports.msgs[i], &reports.msgs[i + 1],
			(reports.nr - i - 1) * sizeof(*reports.msgs));
		reports.nr--;
		return true;
	}
	return false;
}

size_t report_count(void)
{
	return reports.nr;
}

const char *report_get(size_t i)
{
	return i < reports.nr ? reports.msgs[i] : NULL;
}

static void reports_clear(void)
{
	while (reports.nr)
		free(reports.msgs[--reports.nr]);
}

char *harness_findings(void)
{
	size_t i, len = 1;
	char *text, *p;

	mm_check();
	modules_check();
	files_check();
	mem_check();
	locks_check();
	refcount_check();

	if (!reports.nr)
		return NULL;
	for (i = 0; i < reports.nr; i++)
		len += strlen(reports.msgs[i]) + 3;
	p = text = malloc(len);
	if (!text)
		abort();
	for (i = 0; i < reports.nr; i++)
		p += sprintf(p, "  %s\n", reports.msgs[i]);
	return text;
}

void harness_reset(void)
{
	mm_reset();
	files_reset();
	modules_reset();
	/* Before the memory goes: a held lock may live in it. */
	locks_reset();
	refcount_reset();
	mem_reset();
	reports_clear();
	fault_inject_reset();
}

void harness_return_to_user(const char *syscall)
{
	locks_check_return(syscall);
}
