// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Compare decoded frames (raw RGB24, W x H each, from a real decoder) with
 * the pattern frame each one's barcode names.  Prints the PSNR of each and
 * fails when any is below the bound.
 *
 * usage: check_frames FILE W H MIN_PSNR
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "pattern.h"

int main(int argc, char **argv)
{
	FILE *f = argc == 5 ? fopen(argv[1], "rb") : NULL;
	unsigned int w, h, count = 0, bad = 0, last = ~0u, distinct = 0;
	double bound, worst = 99, sum = 0;
	unsigned char *rgb;

	if (!f)
		return 2;
	w = (unsigned)atoi(argv[2]);
	h = (unsigned)atoi(argv[3]);
	bound = atof(argv[4]);
	rgb = malloc((size_t)w * h * 3);
	while (rgb && fread(rgb, (size_t)w * h * 3, 1, f) == 1) {
		unsigned int n = 0;
		double se = 0, psnr;

		for (unsigned int bit = 0; bit < PATTERN_BITS; bit++) {
			unsigned int x = (2 * bit + 1) * w / (2 * PATTERN_BITS);
			const unsigned char *p = rgb + ((size_t)(PATTERN_BAR_H / 2) * w + x) * 3;

			n = n << 1 | (p[0] + p[1] + p[2] > 3 * 128);
		}
		for (unsigned int y = 0; y < h; y++)
			for (unsigned int x = 0; x < w; x++) {
				uint32_t c = pattern_pixel(x, y, w, n);
				const unsigned char *p = rgb + ((size_t)y * w + x) * 3;
				int dr = p[0] - (int)(c >> 16), dg = p[1] - (int)(c >> 8 & 0xff),
				    db = p[2] - (int)(c & 0xff);

				se += dr * dr + dg * dg + db * db;
			}
		se /= 3.0 * w * h;
		psnr = se == 0 ? 99 : 10 * log10(255.0 * 255.0 / se);
		sum += psnr;
		if (psnr < worst)
			worst = psnr;
		bad += psnr < bound;
		distinct += n != last;
		last = n;
		count++;
	}
	printf("check_frames: %u frames, %u distinct pattern frames, PSNR min %.1f mean %.1f dB, %u below %.0f dB\n",
	       count, distinct, worst, count ? sum / count : 0, bad, bound);
	/* The picture must move: a frozen stream would match too. */
	return count && !bad && distinct > count / 4 ? 0 : 1;
}
