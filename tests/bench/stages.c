// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * stages: wfdd's user-space stages on synthetic frames, without a wfd
 * device, for instruction counts under callgrind (tests/bench/callgrind.sh).
 * Each stage is one non-inlined function, so that callgrind's inclusive
 * cost of it is the stage's cost:
 *
 *   stage_convert   XRGB8888 -> I420 with libyuv, the call convert.c makes
 *                   (without its DMA_BUF_IOCTL_SYNC: no dma-buf here)
 *   stage_encode    the encoder's encode (enc_x264.c / enc_openh264.c)
 *   stage_mux_send  MPEG-TS mux and RTP packetization (tsmux.c, rtp.c) up
 *                   to the datagram handed to the socket layer
 *
 * The pictures are the moving test pattern the VM benchmarks commit, or
 * with "static" its first frame again and again, encoded as wfdd's idle
 * refresh encodes an unchanged picture (the encoder's repeat, where it
 * has one).
 *
 * usage: stages x264|openh264 WxH FRAMES [FPS KBPS [static]]
 */
#define _GNU_SOURCE
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libyuv.h>

#include "convert.h"
#include "encoder.h"
#include "pattern.h"
#include "rtp.h"
#include "tsmux.h"

static uint64_t datagram_bytes;

static int count_datagram(const uint8_t *dgram, size_t len, void *opaque)
{
	(void)dgram;
	(void)opaque;
	datagram_bytes += len;
	return 0;
}

__attribute__((noinline)) static int stage_convert(const uint32_t *xrgb, int w, int h,
						   struct yuv_image *img)
{
	return ARGBToI420((const uint8_t *)xrgb, w * 4, img->plane[0], img->stride[0],
			  img->plane[1], img->stride[1], img->plane[2], img->stride[2], w, h);
}

__attribute__((noinline)) static int stage_encode(const struct encoder_ops *ops,
						  struct encoder *enc,
						  const struct yuv_image *img, bool repeat,
						  struct enc_out *out)
{
	return repeat && ops->repeat ? ops->repeat(enc, img, out) : ops->encode(enc, img, false, out);
}

__attribute__((noinline)) static int stage_mux_send(struct ts_mux *m, struct rtp_sender *r,
						    const struct enc_out *out, int n, int fps)
{
	uint64_t pts = 90000 + (uint64_t)n * 90000 / (uint64_t)fps;

	rtp_set_time(r, (uint32_t)pts);
	return ts_mux_video(m, out->data, out->len, pts, out->key, pts * 300) ?: rtp_flush(r);
}

int main(int argc, char **argv)
{
	const struct encoder_ops *ops = NULL;
	struct enc_params p = { 0 };
	struct yuv_image img = { 0 };
	struct encoder *enc = NULL;
	struct rtp_sender rtp;
	struct ts_mux m;
	uint32_t *xrgb;
	int w, h, frames;
	bool still;

	if (argc >= 2)
		ops = !strcmp(argv[1], "x264") ? &encoder_x264 :
		      !strcmp(argv[1], "openh264") ? &encoder_openh264 : NULL;
	if (argc < 4 || !ops || sscanf(argv[2], "%dx%d", &w, &h) != 2 || w < 64 || h < 64 ||
	    (frames = atoi(argv[3])) < 1) {
		fprintf(stderr, "usage: stages x264|openh264 WxH FRAMES [FPS KBPS [static]]\n");
		return 2;
	}
	still = argc > 6 && !strcmp(argv[6], "static");
	p = (struct enc_params){ .width = w, .height = h, .fps = argc > 4 ? atoi(argv[4]) : 30,
				 .bitrate_kbps = argc > 5 ? atoi(argv[5]) : 4000 };
	p.gop = p.fps * 2;
	xrgb = malloc((size_t)w * (size_t)h * 4);
	if (!xrgb || yuv_alloc(&img, w, h) || ops->open(&enc, &p)) {
		fprintf(stderr, "stages: cannot set up %dx%d with %s\n", w, h, ops->name);
		return 1;
	}
	rtp_init(&rtp, -1, 0x12345678, 1);
	rtp.sink = count_datagram;
	ts_mux_init(&m, rtp_ts_out, &rtp);
	for (int n = 1; n <= frames; n++) {
		struct enc_out out;

		for (int y = 0; y < h && (n == 1 || !still); y++)
			for (int x = 0; x < w; x++)
				xrgb[(size_t)y * (size_t)w + (size_t)x] =
					pattern_pixel((unsigned int)x, (unsigned int)y, (unsigned int)w,
						      (unsigned int)n);
		if (stage_convert(xrgb, w, h, &img) || stage_encode(ops, enc, &img, still && n > 1, &out) ||
		    stage_mux_send(&m, &rtp, &out, n, p.fps)) {
			fprintf(stderr, "stages: frame %d failed\n", n);
			return 1;
		}
	}
	printf("stages: %s %dx%d, %d frames, %llu bytes of datagrams\n", ops->name, w, h,
	       frames, (unsigned long long)datagram_bytes);
	ops->close(enc);
	yuv_free(&img);
	free(xrgb);
	return 0;
}
