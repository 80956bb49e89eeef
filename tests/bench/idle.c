// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * idle: wfdd's stream (stream.c, with x264, the muxer, the pacing and the
 * silent audio track) on a static picture, on a virtual clock, for
 * instruction counts under callgrind (tests/bench/callgrind.sh): what
 * wfdd's user space spends each second on a desktop that does not change,
 * for each kind of receiver.  The stream runs at each of its deadlines,
 * as wfdd's loop runs it; only run_idle() is meant to be counted (callgrind
 * --toggle-collect=run_idle), after a first picture and a second of
 * settling.
 *
 *   skip     a Wi-Fi Display sink that skips frames without a limit and
 *            asks for IDRs: nothing is sent again
 *   noskip   one that does not skip frames (or for at most a second): the
 *            picture again each second, as the same picture
 *   direct   direct mode (--rtp), where receivers may join at any time:
 *            an IDR each --idr-interval (1 s); also what every session did
 *            before idle refreshes were cut (an IDR a second)
 *
 * usage: idle WxH SECONDS skip|noskip|direct
 * Prints the pictures, IDRs, wake-ups and datagrams of the measured part.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libyuv.h>

#include "convert.h"
#include "encoder.h"
#include "pattern.h"
#include "stream.h"

#define MS 1000000ull

static uint64_t now_virtual = 1000 * MS;
static uint64_t datagrams;

static uint64_t virtual_clock(void)
{
	return now_virtual;
}

static int count_datagram(const uint8_t *dgram, size_t len, void *opaque)
{
	(void)dgram;
	(void)len;
	(void)opaque;
	datagrams++;
	return 0;
}

/*
 * x264 behind the frame encoder, with the picture taken from a plain
 * mapping (the frame encoder's own conversion wants a dma-buf to sync).
 */
struct encoder {
	struct encoder *x264;
	struct yuv_image img;
};

static int pictures, idrs;

static int wrap_open(struct encoder **out, const struct enc_params *p)
{
	struct encoder *e = calloc(1, sizeof(*e));

	if (!e || yuv_alloc(&e->img, p->width, p->height) || encoder_x264.open(&e->x264, p)) {
		free(e);
		return -ENOMEM;
	}
	*out = e;
	return 0;
}

static int wrap_load(struct encoder *e, const struct enc_frame *f)
{
	return ARGBToI420(f->map, (int)f->pitch, e->img.plane[0], e->img.stride[0],
			  e->img.plane[1], e->img.stride[1], e->img.plane[2], e->img.stride[2],
			  f->width, f->height) ? -EINVAL : 0;
}

static int wrap_encode(struct encoder *e, const struct yuv_image *img, bool idr,
		       struct enc_out *out)
{
	int ret = encoder_x264.encode(e->x264, &e->img, idr, out);

	(void)img;
	pictures++;
	idrs += !ret && out->key;
	return ret;
}

static int wrap_repeat(struct encoder *e, const struct yuv_image *img, struct enc_out *out)
{
	(void)img;
	pictures++;
	return encoder_x264.repeat(e->x264, &e->img, out);
}

static void wrap_close(struct encoder *e)
{
	encoder_x264.close(e->x264);
	yuv_free(&e->img);
	free(e);
}

static const struct encoder_ops wrap_x264 = {
	.name = "x264", .long_name = "libx264", .open = wrap_open, .load = wrap_load,
	.encode = wrap_encode, .repeat = wrap_repeat, .close = wrap_close,
};

/* The stream at each of its deadlines until @end; its wake-ups. */
__attribute__((noinline)) static int run_idle(struct stream *st, uint64_t end)
{
	int wakes = 0;

	while (stream_deadline(st) <= end) {
		if (stream_deadline(st) > now_virtual)
			now_virtual = stream_deadline(st);
		if (stream_run(st, now_virtual) != STREAM_OK)
			return -1;
		wakes++;
	}
	now_virtual = end;
	return wakes;
}

int main(int argc, char **argv)
{
	struct frame_encoder *fe;
	struct stream st;
	uint32_t *xrgb;
	int w, h, secs, kbps, wakes, p0, i0;
	uint64_t d0;
	const char *mode = argc > 3 ? argv[3] : "";

	if (argc != 4 || sscanf(argv[1], "%dx%d", &w, &h) != 2 || w < 64 || h < 64 ||
	    (secs = atoi(argv[2])) < 1 ||
	    (strcmp(mode, "skip") && strcmp(mode, "skip1s") && strcmp(mode, "noskip") &&
	     strcmp(mode, "direct"))) {
		fprintf(stderr, "usage: idle WxH SECONDS skip|noskip|direct\n");
		return 2;
	}
	kbps = w * h >= 1920 * 1080 ? 8000 : w * h >= 1280 * 720 ? 4000 : 2000;
	xrgb = malloc((size_t)w * (size_t)h * 4);
	if (!xrgb)
		return 1;
	for (int y = 0; y < h; y++)
		for (int x = 0; x < w; x++)
			xrgb[(size_t)y * (size_t)w + (size_t)x] =
				pattern_pixel((unsigned int)x, (unsigned int)y, (unsigned int)w, 1);
	if (frame_encoder_create_ops(&fe, &wrap_x264, NULL, NULL, stderr) ||
	    frame_encoder_configure(fe, &(struct enc_params){ .width = w, .height = h, .fps = 30,
			.bitrate_kbps = kbps, .gop = 60 }) ||
	    frame_encoder_load(fe, &(struct enc_frame){ .buffer_id = 1, .map = (uint8_t *)xrgb,
			.width = w, .height = h, .pitch = (uint32_t)w * 4 })) {
		fprintf(stderr, "idle: cannot set up %dx%d\n", w, h);
		return 1;
	}
	stream_init(&st, &(struct stream_config){ .latency_ms = 100, .idr_ms = 1000,
						  .idr_min_ms = 250, .clock = virtual_clock });
	stream_start(&st, fe, -1, now_virtual);
	st.rtp.sink = count_datagram;
	if (!strcmp(mode, "skip"))
		stream_idle(&st, 0, false);
	else if (!strcmp(mode, "noskip"))
		stream_idle(&st, 1000, false);
	else
		stream_idle(&st, 1000, true);
	/* A Wi-Fi Display sink took the LPCM track; a direct receiver has none. */
	stream_play(&st, strcmp(mode, "direct") != 0, now_virtual);
	/* The last picture that changed, then a second to settle. */
	if (stream_frame(&st, now_virtual, 1, NULL, now_virtual) != STREAM_OK ||
	    run_idle(&st, now_virtual + 1000 * MS) < 0)
		return 1;
	p0 = pictures;
	i0 = idrs;
	d0 = datagrams;
	wakes = run_idle(&st, now_virtual + (uint64_t)secs * 1000 * MS);
	if (wakes < 0)
		return 1;
	printf("idle: %s %dx%d, %d s: %d pictures, %d IDRs, %d wake-ups, %llu datagrams\n",
	       mode, w, h, secs, pictures - p0, idrs - i0, wakes,
	       (unsigned long long)(datagrams - d0));
	stream_stop(&st);
	frame_encoder_destroy(fe);
	free(xrgb);
	return 0;
}
