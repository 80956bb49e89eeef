// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Native unit test of EDID synthesis: structure, checksums, descriptors,
 * and the refresh rate each detailed timing decodes to.
 */
#include <errno.h>
#include <stdbool.h>
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


/* Whether @m is among @modes (size and refresh). */
static bool listed(const struct wfd_mode *modes, size_t n, uint32_t w, uint32_t h, uint32_t hz)
{
	for (size_t i = 0; i < n; i++)
		if (modes[i].width == w && modes[i].height == h && modes[i].refresh_hz == hz)
			return true;
	return false;
}

/*
 * What the kernel finds in @e must be exactly @modes: each of them, no
 * other, none interlaced, and the first detailed timing (the preferred
 * mode) is modes[0].
 */
static void check_describes(const unsigned char *e, int size, const struct wfd_mode *modes,
			    size_t n)
{
	struct wfd_edid_mode got[256];
	int count = wfd_edid_modes(e, (size_t)size, got, 256);
	bool first_dtd = true;

	EXPECT(count >= (int)n && count <= 256);
	for (int i = 0; i < count && i < 256; i++) {
		EXPECT(listed(modes, n, got[i].width, got[i].height, got[i].refresh_hz));
		EXPECT(!(got[i].flags & WFD_EDID_MODE_INTERLACED));
		if ((got[i].flags & WFD_EDID_MODE_DETAILED) && first_dtd) {
			EXPECT(got[i].width == modes[0].width && got[i].height == modes[0].height &&
			       got[i].refresh_hz == modes[0].refresh_hz);
			first_dtd = false;
		}
	}
	for (size_t k = 0; k < n; k++) {
		bool seen = false;

		for (int i = 0; i < count && i < 256; i++)
			seen |= got[i].width == modes[k].width && got[i].height == modes[k].height &&
				got[i].refresh_hz == modes[k].refresh_hz;
		if (!seen)
			fprintf(stderr, "mode %ux%u@%u missing\n", modes[k].width, modes[k].height,
				modes[k].refresh_hz);
		EXPECT(seen);
	}
	for (int b = 0; b < size / 128; b++)
		EXPECT(block_sum(e + 128 * b) == 0);
	EXPECT(size == (e[126] + 1) * 128);
}

/*
 * A sink that offers every mode of wfd_video_formats (all bits; what the
 * level and the encoder carry: 1920x1200 is not): every one reaches the
 * EDID, the CTA-861 ones as VICs with the native one first and marked.
 */
static void test_describe_all(void)
{
	static const struct wfd_mode all[] = {
		/* native first: CEA 1080p60 */
		{ 1920, 1080, 60 },
		/* CEA, progressive */
		{ 640, 480, 60 }, { 720, 480, 60 }, { 720, 576, 50 }, { 1280, 720, 30 },
		{ 1280, 720, 60 }, { 1920, 1080, 30 }, { 1280, 720, 25 },
		{ 1280, 720, 50 }, { 1920, 1080, 25 }, { 1920, 1080, 50 }, { 1280, 720, 24 },
		{ 1920, 1080, 24 },
		/* VESA */
		{ 800, 600, 30 }, { 800, 600, 60 }, { 1024, 768, 30 }, { 1024, 768, 60 },
		{ 1152, 864, 30 }, { 1152, 864, 60 }, { 1280, 768, 30 }, { 1280, 768, 60 },
		{ 1280, 800, 30 }, { 1280, 800, 60 }, { 1360, 768, 30 }, { 1360, 768, 60 },
		{ 1366, 768, 30 }, { 1366, 768, 60 }, { 1280, 1024, 30 }, { 1280, 1024, 60 },
		{ 1400, 1050, 30 }, { 1400, 1050, 60 }, { 1440, 900, 30 }, { 1440, 900, 60 },
		{ 1600, 900, 30 }, { 1600, 900, 60 }, { 1600, 1200, 30 }, { 1600, 1200, 60 },
		{ 1680, 1024, 30 }, { 1680, 1024, 60 }, { 1680, 1050, 30 }, { 1680, 1050, 60 },
		/* handheld */
		{ 800, 480, 30 }, { 800, 480, 60 }, { 854, 480, 30 }, { 854, 480, 60 },
		{ 864, 480, 30 }, { 864, 480, 60 }, { 640, 360, 30 }, { 640, 360, 60 },
		{ 960, 540, 30 }, { 960, 540, 60 }, { 848, 480, 30 }, { 848, 480, 60 },
	};
	static unsigned char e[32 * 128];
	size_t n = sizeof(all) / sizeof(all[0]);
	int size = wfd_edid_describe(all, n, "All modes", e, sizeof(e));

	EXPECT(size > 256);
	check_describes(e, size, all, n);
	/* The VDB: 13 VICs, 1080p60 (16) first with the native bit. */
	EXPECT(e[128] == 0x02 && e[129] == 3 && e[132] == (2 << 5 | 13) && e[133] == (0x80 | 16));
	EXPECT(e[130] == 4 + 1 + 13);
	/* The name is still there. */
	EXPECT(e[54 + 54 + 3] == 0xfc && !memcmp(e + 54 + 54 + 5, "All modes\n", 10));
	/* Room is checked. */
	EXPECT(wfd_edid_describe(all, n, "x", e, (size_t)size - 1) == -ENOSPC);
}

/* Typical TV offers: CEA only; a handheld native mode with CEA and VESA ones. */
static void test_describe_typical(void)
{
	static const struct wfd_mode tv[] = {
		{ 1920, 1080, 30 }, { 640, 480, 60 }, { 720, 480, 60 }, { 1280, 720, 30 },
		{ 1280, 720, 60 }, { 1920, 1080, 60 },
	};
	static const struct wfd_mode hh[] = { { 640, 360, 30 }, { 640, 480, 60 }, { 800, 600, 30 } };
	static const struct wfd_mode vesa[] = { { 1024, 768, 60 }, { 800, 600, 60 } };
	unsigned char e[512];
	int size;

	size = wfd_edid_describe(tv, 6, "TV", e, sizeof(e));
	EXPECT(size == 256);
	check_describes(e, size, tv, 6);
	/* The native mode's detailed timing is CTA-861's own (VIC 34: 74.25 MHz). */
	EXPECT((e[54] | e[55] << 8) == 7425);
	EXPECT(e[133] == (0x80 | 34));

	size = wfd_edid_describe(hh, 3, "Dongle", e, sizeof(e));
	EXPECT(size == 256);
	check_describes(e, size, hh, 3);
	/* 640x480 is VIC 1, not native: no native bit. */
	EXPECT(e[132] == (2 << 5 | 1) && e[133] == 1);

	/* No CTA-861 mode and room in the base block: one block. */
	size = wfd_edid_describe(vesa, 2, "Monitor", e, sizeof(e));
	EXPECT(size == 128);
	check_describes(e, size, vesa, 2);
	EXPECT(wfd_edid_describe(vesa, 0, "x", e, sizeof(e)) == -EINVAL);
	{
		struct wfd_mode bad = { 640, 480, 0 };

		EXPECT(wfd_edid_describe(&bad, 1, "x", e, sizeof(e)) == -EINVAL);
	}
}

/* What a sink's EDID may carry, for the filter. */
static size_t sink_edid(unsigned char *e)
{
	/* 1920x1080@60 (CEA 16's timing), 3840x2160@30 */
	static const unsigned char dtd1080[18] = {
		0x02, 0x3a, 0x80, 0x18, 0x71, 0x38, 0x2d, 0x40, 0x58, 0x2c,
		0x45, 0x00, 0xc4, 0x8e, 0x21, 0x00, 0x00, 0x1e };
	static const unsigned char dtd2160[18] = {
		0x04, 0x74, 0x00, 0x30, 0xf2, 0x70, 0x5a, 0x80, 0xb0, 0x58,
		0x8a, 0x00, 0xc4, 0x8e, 0x21, 0x00, 0x00, 0x1e };
	/* 1280x720@60 (CEA 4's timing) */
	static const unsigned char dtd720[18] = {
		0x01, 0x1d, 0x00, 0x72, 0x51, 0xd0, 0x1e, 0x20, 0x6e, 0x28,
		0x55, 0x00, 0xc4, 0x8e, 0x21, 0x00, 0x00, 0x1e };
	static const unsigned char cta[] = {
		0x02, 0x03, 0, 0x70,
		/* video: 1080p60 native, 720p60, 640x480, 1080i60, 2160p30, 720x480 16:9 */
		0x46, 0x80 | 16, 4, 1, 5, 95, 3,
		/* audio: LPCM 2ch 48 kHz 16 bit */
		0x23, 0x09, 0x04, 0x01,
		/* HDMI vendor block: HDMI_Video_present, one HDMI VIC (2160p30), no 3D */
		0x6b, 0x03, 0x0c, 0x00, 0x10, 0x00, 0x00, 0x2d, 0x20, 0x00, 0x20, 0x01,
		/* 4:2:0 video data block: 2160p30 */
		0xe2, 0x0e, 95,
		/* 4:2:0 capability map: the first SVD */
		0xe2, 0x0f, 0x01,
	};
	size_t d;

	memset(e, 0, 384);
	memcpy(e, "\0\xff\xff\xff\xff\xff\xff\0", 8);
	e[8] = 0x4c; e[9] = 0x2d;	/* "SAM" */
	e[18] = 1; e[19] = 3;
	e[20] = 0x80;
	e[21] = 160; e[22] = 90;
	e[24] = 0x0b;			/* continuous frequency, preferred timing */
	e[35] = 0xa1;			/* 720x400@70, 640x480@60, 800x600@60 */
	e[36] = 0x08;			/* 1024x768@60 */
	e[37] = 0x80;			/* 1152x864@75 */
	memset(e + 38, 0x01, 16);
	e[38] = 0x81; e[39] = 0x80;	/* 1280x1024@60 */
	e[40] = 0x95; e[41] = 0x00;	/* 1440x900@60 */
	e[42] = 0xd1; e[43] = 0xc0;	/* 1920x1080@60 */
	e[44] = 0x71; e[45] = 0x4f;	/* 1152x864@75 */
	memcpy(e + 54, dtd1080, 18);
	memcpy(e + 72, dtd2160, 18);
	/* range limits, with GTF */
	e[90 + 3] = 0xfd; e[90 + 5] = 24; e[90 + 6] = 75; e[90 + 7] = 15; e[90 + 8] = 135;
	e[90 + 9] = 60; e[90 + 10] = 0x00; e[90 + 11] = 0x0a;
	e[108 + 3] = 0xfc;
	memcpy(e + 108 + 5, "Sink TV\n     ", 13);
	e[126] = 2;
	memcpy(e + 128, cta, sizeof(cta));
	d = sizeof(cta);
	e[128 + 2] = (unsigned char)d;
	memcpy(e + 128 + d, dtd720, 18);
	/* a DisplayID extension (its content is not read) */
	e[256] = 0x70;
	e[257] = 0x12;
	for (int b = 0; b < 3; b++) {
		int sum = 0;

		for (int i = 0; i < 127; i++)
			sum += e[128 * b + i];
		e[128 * b + 127] = (unsigned char)(0x100 - (sum & 0xff));
	}
	return 384;
}

static const struct wfd_mode keep_list[] = {
	{ 640, 480, 60 }, { 720, 480, 60 }, { 800, 600, 60 }, { 1280, 720, 60 },
	{ 1920, 1080, 30 },
};

static bool keep_fn(const struct wfd_edid_mode *m, void *opaque)
{
	(void)opaque;
	return !(m->flags & WFD_EDID_MODE_INTERLACED) &&
	       listed(keep_list, sizeof(keep_list) / sizeof(keep_list[0]), m->width, m->height,
		      m->refresh_hz);
}

/*
 * The filter leaves exactly the modes kept, and the rest of the sink's
 * EDID as it was.
 */
static void test_filter(void)
{
	struct wfd_edid_mode got[64];
	unsigned char e[384], orig[384];
	int n, size;
	bool seen720 = false, seen480 = false, seen600 = false, seen720x480 = false;

	sink_edid(e);
	memcpy(orig, e, sizeof(e));
	n = wfd_edid_modes(e, 384, got, 64);
	/* established 5, standard 4, detailed 3, VICs 6 (one interlaced), HDMI 1, 4:2:0 1 */
	EXPECT(n == 20);
	EXPECT(!memcmp(e, orig, sizeof(e)));
	size = wfd_edid_filter(e, 384, keep_fn, NULL);
	EXPECT(size == 256);
	n = wfd_edid_modes(e, (size_t)size, got, 64);
	EXPECT(n > 0);
	for (int i = 0; i < n; i++) {
		EXPECT(keep_fn(&got[i], NULL));
		seen720 |= got[i].width == 1280 && got[i].refresh_hz == 60;
		seen480 |= got[i].width == 640;
		seen600 |= got[i].width == 800;
		seen720x480 |= got[i].width == 720 && got[i].height == 480;
	}
	EXPECT(seen720 && seen480 && seen600 && seen720x480);
	/* Kept: identity, size, name, audio; gone: the inferred modes' bit, HDMI VICs, 4:2:0 map. */
	EXPECT(!memcmp(e + 8, orig + 8, 16) && e[21] == 160 && e[22] == 90);
	EXPECT(!memcmp(e + 108, orig + 108, 18) && !memcmp(e + 90, orig + 90, 18));
	EXPECT(e[24] == 0x0a && e[126] == 1);
	EXPECT(e[54 + 3] == 0x10 && e[72 + 3] == 0x10);
	EXPECT(e[128 + 4] == (2 << 5 | 3) && e[128 + 5] == 4 && e[128 + 6] == 1 && e[128 + 7] == 3);
	EXPECT(!memcmp(e + 128 + 8, "\x23\x09\x04\x01", 4));
	EXPECT(e[128 + 12] == 0x6b && !(e[128 + 12 + 8] & 0x20));
	/* 4:2:0 data block left empty, map gone; then the 720p DTD. */
	EXPECT(e[128 + 24] == 0xe1 && e[128 + 25] == 0x0e && e[128 + 2] == 26);
	EXPECT((e[128 + 26] | e[128 + 27] << 8) == 7425);
	for (int b = 0; b < 2; b++)
		EXPECT(block_sum(e + 128 * b) == 0);
	/* Filtering again changes nothing. */
	memcpy(orig, e, 256);
	EXPECT(wfd_edid_filter(e, 256, keep_fn, NULL) == 256 && !memcmp(e, orig, 256));
	/* Not an EDID. */
	EXPECT(wfd_edid_filter(e, 200, keep_fn, NULL) == -EINVAL);
	e[126] = 3;
	EXPECT(wfd_edid_modes(e, 256, got, 64) == -EINVAL);
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
	test_describe_all();
	test_describe_typical();
	test_filter();
	printf("%s\n", fails ? "FAIL" : "PASS");
	return fails ? 1 : 0;
}
