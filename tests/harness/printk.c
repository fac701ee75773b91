// SPDX-License-Identifier: GPL-2.0
/* printk, WARN and BUG (kernel/printk, kernel/panic.c). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include "internal.h"

int printk(const char *fmt, ...)
{
	static int verbose = -1;
	va_list ap;
	int n;

	if (verbose < 0)
		verbose = getenv("HARNESS_VERBOSE") != NULL;
	if (!verbose)
		return 0;
	/* Skip the KERN_<level> prefix digit. */
	if (fmt[0] >= '0' && fmt[0] <= '7')
		fmt++;
	va_start(ap, fmt);
	n = vfprintf(stderr, fmt, ap);
	va_end(ap);
	return n;
}

void __warn(struct site site, const char *cond)
{
	report("WARNING: %s at %s", cond, site_str(site));
}

void __bug(struct site site, const char *cond)
{
	fprintf(stderr, "kernel BUG: %s at %s\n", cond, site_str(site));
	abort();
}
