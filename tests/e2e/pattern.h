/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The moving test pattern of the end-to-end tests: frame n carries n in a
 * barcode on its top rows, so a checker can regenerate what it should see.
 */
#ifndef WFD_PATTERN_H
#define WFD_PATTERN_H

#include <math.h>
#include <stddef.h>
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

/* The frame number in the barcode of a decoded w-wide RGB24 picture. */
static inline unsigned int pattern_read_number(const unsigned char *rgb, unsigned int w)
{
	unsigned int n = 0;

	for (unsigned int bit = 0; bit < PATTERN_BITS; bit++) {
		unsigned int x = (2 * bit + 1) * w / (2 * PATTERN_BITS);
		const unsigned char *p = rgb + ((size_t)(PATTERN_BAR_H / 2) * w + x) * 3;

		n = n << 1 | (p[0] + p[1] + p[2] > 3 * 128);
	}
	return n;
}

/* PSNR (dB, 99 when equal) of a decoded RGB24 picture against frame n. */
static inline double pattern_psnr(const unsigned char *rgb, unsigned int w,
				  unsigned int h, unsigned int n)
{
	double se = 0;

	for (unsigned int y = 0; y < h; y++)
		for (unsigned int x = 0; x < w; x++) {
			uint32_t c = pattern_pixel(x, y, w, n);
			const unsigned char *p = rgb + ((size_t)y * w + x) * 3;
			int dr = p[0] - (int)(c >> 16), dg = p[1] - (int)(c >> 8 & 0xff),
			    db = p[2] - (int)(c & 0xff);

			se += dr * dr + dg * dg + db * db;
		}
	se /= 3.0 * w * h;
	return se == 0 ? 99 : 10 * log10(255.0 * 255.0 / se);
}

#endif
