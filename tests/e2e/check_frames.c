// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Compare decoded frames (raw RGB24, W x H each, from a real decoder) with
 * the pattern frame each one's barcode names.  Prints the PSNR of each and
 * fails when any is below the bound, but for the last: a session that
 * ends (a TEARDOWN, a stop) in the middle of a paced picture leaves it cut
 * short, and the decoder conceals the rest.
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
	double bound, worst = 99, sum = 0, psnr = 99;
	unsigned char *rgb;

	if (!f)
		return 2;
	w = (unsigned)atoi(argv[2]);
	h = (unsigned)atoi(argv[3]);
	bound = atof(argv[4]);
	rgb = malloc((size_t)w * h * 3);
	while (rgb && fread(rgb, (size_t)w * h * 3, 1, f) == 1) {
		unsigned int n;

		n = pattern_read_number(rgb, w);
		psnr = pattern_psnr(rgb, w, h, n);
		sum += psnr;
		if (psnr < worst)
			worst = psnr;
		bad += psnr < bound;
		distinct += n != last;
		last = n;
		count++;
	}
	if (count && psnr < bound) {
		printf("check_frames: the last frame, %.1f dB, was cut short\n", psnr);
		bad--;
	}
	printf("check_frames: %u frames, %u distinct pattern frames, PSNR min %.1f mean %.1f dB, %u below %.0f dB\n",
	       count, distinct, worst, count ? sum / count : 0, bad, bound);
	/* The picture must move: a frozen stream would match too. */
	return count && !bad && distinct > count / 4 ? 0 : 1;
}
