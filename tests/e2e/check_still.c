// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Check the newest complete frame a real decoder wrote (raw RGB24, W x H
 * each) against the test pattern: the barcode on its top rows names the
 * pattern frame, the whole picture must match that frame within MIN_PSNR,
 * and, when EXPECT is given, it must be pattern frame EXPECT.  Optionally
 * writes the checked frame as a binary PPM.
 *
 * usage: check_still FILE W H MIN_PSNR [EXPECT|-] [OUT.ppm]
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "pattern.h"

int main(int argc, char **argv)
{
	unsigned int w, h, n = 0;
	long expect = -1;
	size_t fsize;
	unsigned char *rgb;
	double psnr, bound;
	struct stat st;
	FILE *f;
	long count;
	int ret;

	if (argc < 5 || argc > 7) {
		fprintf(stderr, "usage: check_still FILE W H MIN_PSNR [EXPECT|-] [OUT.ppm]\n");
		return 2;
	}
	w = (unsigned int)strtoul(argv[2], NULL, 10);
	h = (unsigned int)strtoul(argv[3], NULL, 10);
	bound = atof(argv[4]);
	if (argc > 5 && argv[5][0] != '-')
		expect = strtol(argv[5], NULL, 10);
	fsize = (size_t)w * h * 3;
	f = fopen(argv[1], "rb");
	if (!f || fstat(fileno(f), &st) < 0 || !fsize) {
		fprintf(stderr, "check_still: cannot read %s\n", argv[1]);
		return 2;
	}
	/* The decoder may be writing the next frame: take the last whole one. */
	count = (long)((size_t)st.st_size / fsize);
	rgb = malloc(fsize);
	if (!count || !rgb || fseek(f, (count - 1) * (long)fsize, SEEK_SET) ||
	    fread(rgb, fsize, 1, f) != 1) {
		printf("check_still: no complete %ux%u frame in %s\n", w, h, argv[1]);
		free(rgb);
		fclose(f);
		return 1;
	}
	fclose(f);

	n = pattern_read_number(rgb, w);
	psnr = pattern_psnr(rgb, w, h, n);
	printf("check_still: frame %ld of %ld shows pattern frame %u, PSNR %.1f dB\n",
	       count, count, n, psnr);
	ret = psnr >= bound && (expect < 0 || n == (unsigned long)expect) ? 0 : 1;

	if (argc == 7) {
		FILE *o = fopen(argv[6], "wb");

		if (!o || fprintf(o, "P6\n%u %u\n255\n", w, h) < 0 ||
		    fwrite(rgb, fsize, 1, o) != 1) {
			fprintf(stderr, "check_still: cannot write %s\n", argv[6]);
			ret = 2;
		}
		if (o && fclose(o))
			ret = 2;
	}
	free(rgb);
	return ret;
}
