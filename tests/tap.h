/* SPDX-License-Identifier: GPL-2.0 */
/*
 * TAP output of the harness programs that run in the guest
 * (noiommu_cdev_smoke.c, noiommu_mixed.c): "ok N name", "not ok N name" and
 * "ok N name # SKIP why" lines as the checks run, then the plan and a totals
 * line. guest/suites.sh and scripts/tap-count.awk count them.
 */
#ifndef NOIOMMU_TAP_H
#define NOIOMMU_TAP_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>

static int n_test, n_pass, n_fail, n_skip;

static inline bool vresult(bool ok, bool quiet_pass, const char *fmt,
			   va_list ap)
{
	if (ok && quiet_pass)
		return ok;
	n_test++;
	printf("%s %d ", ok ? "ok" : "not ok", n_test);
	vprintf(fmt, ap);
	printf("\n");
	fflush(stdout);
	if (ok)
		n_pass++;
	else
		n_fail++;
	return ok;
}

/* One case: passed if @ok; returns @ok */
static inline bool result(bool ok, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ok = vresult(ok, false, fmt, ap);
	va_end(ap);
	return ok;
}

/*
 * A step that checks the environment (an open of /dev/iommu, an mmap) or
 * that a case before it already checked: a failed case if it failed,
 * nothing if it worked. Returns @ok, for the caller to bail out.
 */
static inline bool need(bool ok, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ok = vresult(ok, true, fmt, ap);
	va_end(ap);
	return ok;
}

static inline void skip(const char *name, const char *why)
{
	n_test++;
	n_skip++;
	printf("ok %d %s # SKIP %s\n", n_test, name, why);
	fflush(stdout);
}

static inline void diag(const char *fmt, ...)
{
	va_list ap;

	printf("# ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

/* The plan and the totals; the exit status: 0 when nothing failed */
static inline int tap_end(void)
{
	printf("1..%d\n", n_test);
	printf("%d passed, %d failed, %d skipped\n", n_pass, n_fail, n_skip);
	return n_fail ? 1 : 0;
}

#endif
