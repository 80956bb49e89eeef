/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Reading back the frame number the test pattern (tests/e2e/pattern.h)
 * carries in its barcode, from an XRGB8888 picture.
 */
#ifndef WFD_BENCH_BARCODE_H
#define WFD_BENCH_BARCODE_H

#include <stddef.h>
#include <stdint.h>

#include "pattern.h"

/* The frame number in the picture at @pixels with @pitch bytes a row. */
static inline unsigned int barcode_read(const void *pixels, size_t pitch, unsigned int w)
{
	const uint32_t *row = (const uint32_t *)((const uint8_t *)pixels +
						 pitch * (PATTERN_BAR_H / 2));
	unsigned int n = 0;

	for (unsigned int bit = 0; bit < PATTERN_BITS; bit++) {
		/* The middle of the bar: clear of both edges. */
		unsigned int x = (2 * bit + 1) * w / (2 * PATTERN_BITS);

		n = n << 1 | ((row[x] >> 8 & 0xff) >= 0x80);
	}
	return n;
}

#endif
