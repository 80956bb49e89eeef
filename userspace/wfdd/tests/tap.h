/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * TAP output for the wfdd unit tests that meson runs with protocol 'tap'
 * (and that the VM suite counts): check() prints one result a call,
 * tap_done() the plan and the exit status.
 */
#ifndef WFDD_TESTS_TAP_H
#define WFDD_TESTS_TAP_H

#include <stdarg.h>
#include <stdio.h>

static int tap_tests, tap_failures;

__attribute__((format(printf, 2, 3)))
static inline void check(int ok, const char *fmt, ...)
{
	va_list ap;

	tap_tests++;
	tap_failures += !ok;
	printf("%s %d ", ok ? "ok" : "not ok", tap_tests);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

static inline int tap_done(void)
{
	printf("1..%d\n", tap_tests);
	return tap_failures ? 1 : 0;
}

#endif
