/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The moving test pattern of the end-to-end tests: frame n carries n in a
 * barcode on its top rows, so a checker can regenerate what it should see.
 */
#ifndef WFD_PATTERN_H
#define WFD_PATTERN_H

#include <stdint.h>

#define PATTERN_BITS	16
#define PATTERN_BAR_H	32

static inline unsigned int pattern_tri(unsigned int v)
{
	v &= 511;
	return v < 256 ? v : 511 - v;
}

/* The colour of pixel (x, y) of frame n, as 0x00RRGGBB. */
static inline uint32_t pattern_pixel(unsigned int x, unsigned int y,
				     unsigned int w, unsigned int n)
{
	if (y < PATTERN_BAR_H) {
		unsigned int bit = x * PATTERN_BITS / w;

		return (n >> (PATTERN_BITS - 1 - bit)) & 1 ? 0xffffff : 0x000000;
	}
	return pattern_tri(x + 8 * n) << 16 | pattern_tri(2 * y + 4 * n) << 8 | 0x80;
}

#endif
