/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Minimal KTAP output for the wfd selftests: one flat list of results.
 */
#ifndef WFD_KTAP_H
#define WFD_KTAP_H

#include <stdarg.h>
#include <stdio.h>

struct ktap {
	int n;
	int pass, fail, skip;
};

static inline void ktap_header(struct ktap *k, int plan)
{
	k->n = k->pass = k->fail = k->skip = 0;
	printf("KTAP version 1\n1..%d\n", plan);
	fflush(stdout);
}

static inline void ktap_diag(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));
static inline void ktap_diag(const char *fmt, ...)
{
	va_list ap;

	fputs("# ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	fputc('\n', stdout);
	fflush(stdout);
}

/* result: 0 pass, 1 fail, 2 skip */
static inline void ktap_result(struct ktap *k, const char *name, int result)
{
	k->n++;
	if (result == 0) {
		k->pass++;
		printf("ok %d %s\n", k->n, name);
	} else if (result == 2) {
		k->skip++;
		printf("ok %d %s # SKIP\n", k->n, name);
	} else {
		k->fail++;
		printf("not ok %d %s\n", k->n, name);
	}
	fflush(stdout);
}

static inline int ktap_finish(struct ktap *k)
{
	printf("# Totals: pass:%d fail:%d xfail:0 xpass:0 skip:%d error:0\n",
	       k->pass, k->fail, k->skip);
	return k->fail ? 1 : 0;
}

#endif
