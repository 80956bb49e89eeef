// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Native unit test of EDID synthesis: structure, checksums, descriptors,
 * and the refresh rate each detailed timing decodes to.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "libwfd.h"

static int fails;

#define EXPECT(c) do { if (!(c)) { fprintf(stderr, "%s:%d: %s\n", __FILE__, __LINE__, #c); fails++; } } while (0)

static int block_sum(const unsigned char *b)
{
	int s = 0;

	for (int i = 0; i < 128; i++)
		s += b[i];
	return s & 0xff;
}

static void check_dtd(const unsigned char *d, const struct wfd_mode *m)
{
	unsigned clock = (d[0] | d[1] << 8) * 10000u;
	unsigned ha = d[2] | (d[4] >> 4) << 8, hb = d[3] | (d[4] & 15) << 8;
	unsigned va = d[5] | (d[7] >> 4) << 8, vb = d[6] | (d[7] & 15) << 8;
	double refresh = (double)clock / ((ha + hb) * (va + vb));

	EXPECT(ha == m->width && va == m->height);
	EXPECT(refresh > m->refresh_hz - 0.5 && refresh < m->refresh_hz + 0.5);
}

int main(void)
{
	const struct wfd_mode modes[] = {
		{ 1920, 1080, 60 }, { 1280, 720, 60 }, { 640, 480, 60 },
		{ 1920, 1080, 30 }, { 3840, 2160, 30 },
	};
	unsigned char e[256];
	int n;

	n = wfd_edid_synthesize(modes, 3, "Living room TV", e, sizeof(e));
	EXPECT(n == 128);
	EXPECT(block_sum(e) == 0 && e[126] == 0);
	EXPECT(!memcmp(e, "\0\xff\xff\xff\xff\xff\xff\0", 8));
	for (int i = 0; i < 3; i++)
		check_dtd(e + 54 + 18 * i, &modes[i]);
	EXPECT(e[54 + 54 + 3] == 0xfc && !memcmp(e + 54 + 54 + 5, "Living room T", 13));

	n = wfd_edid_synthesize(modes, 5, "TV", e, sizeof(e));
	EXPECT(n == 256);
	EXPECT(block_sum(e) == 0 && block_sum(e + 128) == 0 && e[126] == 1);
	EXPECT(e[128] == 0x02 && e[130] == 4);
	check_dtd(e + 128 + 4, &modes[3]);
	check_dtd(e + 128 + 22, &modes[4]);

	EXPECT(wfd_edid_synthesize(modes, 0, "x", e, sizeof(e)) == -EINVAL);
	EXPECT(wfd_edid_synthesize(modes, 5, "x", e, 128) == -ENOSPC);
	{
		struct wfd_mode bad = { 0, 480, 60 };

		EXPECT(wfd_edid_synthesize(&bad, 1, "x", e, sizeof(e)) == -EINVAL);
	}
	printf("%s\n", fails ? "FAIL" : "PASS");
	return fails ? 1 : 0;
}
