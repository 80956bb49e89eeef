// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * An encoder makes a stream that libavcodec decodes back to the input:
 * PSNR >= 40 dB at a high bit rate.  Also writes the stream muxed as
 * MPEG-TS to a file, and the same in RTP datagrams framed as in RFC 4571
 * (a 16-bit length before each) to another, for demuxer checks.
 *
 * usage: test-encode ENCODER[:chp] [TS_FILE [RTP_FILE]]
 * (:chp: Constrained High, which the SPS must say: profile_idc 100 with
 * constraint_set4 and 5.)
 */
#define _GNU_SOURCE
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libavcodec/avcodec.h>

#include "convert.h"
#include "encoder.h"
#include "rtp.h"
#include "tsmux.h"

static FILE *ts_file, *rtp_file;

static int ts_write(const uint8_t *p, void *opaque)
{
	if (fwrite(p, TS_PACKET_SIZE, 1, ts_file) != 1)
		return -1;
	return rtp_file ? rtp_push(opaque, p) : 0;
}

static int rtp_write(const uint8_t *dgram, size_t len, void *opaque)
{
	uint8_t be[2] = { (uint8_t)(len >> 8), (uint8_t)len };

	(void)opaque;
	if (fwrite(be, 2, 1, rtp_file) != 1 || fwrite(dgram, len, 1, rtp_file) != 1)
		abort();
	return 0;
}

static void pattern(struct yuv_image *img, int n)
{
	for (int y = 0; y < img->height; y++)
		for (int x = 0; x < img->width; x++)
			img->plane[0][y * img->stride[0] + x] =
				(uint8_t)(((x + 4 * n) / 16 + y / 16) % 2 ? 200 : 40);
	for (int y = 0; y < img->height / 2; y++)
		for (int x = 0; x < img->width / 2; x++) {
			img->plane[1][y * img->stride[1] + x] = (uint8_t)(64 + x % 128);
			img->plane[2][y * img->stride[2] + x] = (uint8_t)(64 + y % 128);
		}
}

static double psnr_y(const struct yuv_image *a, const AVFrame *f)
{
	double se = 0;

	for (int y = 0; y < a->height; y++)
		for (int x = 0; x < a->width; x++) {
			int d = a->plane[0][y * a->stride[0] + x] - f->data[0][y * f->linesize[0] + x];

			se += d * d;
		}
	se /= (double)a->width * a->height;
	return se == 0 ? 99 : 10 * log10(255.0 * 255.0 / se);
}

int main(int argc, char **argv)
{
	struct enc_params p = { .width = 320, .height = 240, .fps = 30,
				.bitrate_kbps = 8000, .gop = 30,
				/* A sink's level above what the size needs: signalled as is. */
				.level_idc = 41 };
	char name[32];
	const char *colon = argc > 1 ? strchr(argv[1], ':') : NULL;
	const struct encoder_ops *ops;
	const AVCodec *codec = avcodec_find_decoder(AV_CODEC_ID_H264);
	AVCodecContext *ctx = avcodec_alloc_context3(codec);
	AVPacket *pkt = av_packet_alloc();
	AVFrame *frame = av_frame_alloc();
	struct yuv_image img;
	struct encoder *enc;
	struct ts_mux m;
	struct rtp_sender rtp;
	double min_psnr = 99;
	int decoded = 0, keys = 0, repeats = 0, repeat_bytes = 0;

	snprintf(name, sizeof(name), "%.*s", colon ? (int)(colon - argv[1]) : 31,
		 argc > 1 ? argv[1] : "");
	ops = encoder_find(name);
	if (colon && !strcmp(colon, ":chp"))
		p.profile = H264_CONSTRAINED_HIGH;
	if (!ops || !codec || avcodec_open2(ctx, codec, NULL) || yuv_alloc(&img, 320, 240) ||
	    ops->open(&enc, &p))
		return 1;
	ts_file = fopen(argc > 2 ? argv[2] : "/dev/null", "wb");
	if (argc > 3)
		rtp_file = fopen(argv[3], "wb");
	if (!ts_file || (argc > 3 && !rtp_file))
		return 1;
	rtp_init(&rtp, -1, 0x12345678, 1);
	rtp.sink = rtp_write;
	ts_mux_init(&m, ts_write, &rtp);
	for (int n = 0; n < 60; n++) {
		struct enc_out out;

		pattern(&img, n);
		if (ops->encode(enc, &img, n == 45, &out))
			return 1;
		keys += out.key;
		if (n == 0 || n == 45) {
			/* IDR with SPS/PPS in front: AUD, SPS (type 7). */
			const uint8_t *sps = memmem(out.data, out.len, "\0\0\1\x67", 4);

			if (!out.key || out.data[4] != 0x09 || !sps || sps + 7 > out.data + out.len) {
				fprintf(stderr, "frame %d: no IDR with SPS\n", n);
				return 1;
			}
			/* profile_idc, constraint flags, level_idc */
			if (sps[6] != p.level_idc) {
				fprintf(stderr, "frame %d: SPS level_idc %u, not %d\n", n, sps[6],
					p.level_idc);
				return 1;
			}
			if (p.profile == H264_CONSTRAINED_HIGH ?
			    sps[4] != 100 || (sps[5] & 0x0c) != 0x0c : sps[4] != 66) {
				fprintf(stderr, "frame %d: SPS profile_idc %u, constraints %02x\n", n,
					sps[4], sps[5]);
				return 1;
			}
		}
		rtp_set_time(&rtp, (uint32_t)(90000 + n * 3000));
		ts_mux_video(&m, out.data, out.len, 90000 + n * 3000, out.key,
			     27000000ull + n * 900000ull);
		if (rtp_file)
			rtp_flush(&rtp);
		pkt->data = (uint8_t *)out.data;
		pkt->size = (int)out.len;
		if (avcodec_send_packet(ctx, pkt))
			return 1;
		while (!avcodec_receive_frame(ctx, frame)) {
			double ps = psnr_y(&img, frame);

			if (ps < min_psnr)
				min_psnr = ps;
			decoded++;
		}
	}
	fclose(ts_file);
	if (rtp_file)
		fclose(rtp_file);
	/*
	 * An idle refresh: the last picture again.  An encoder that can codes
	 * it as skipped macroblocks: a few bytes, not a refinement of it, and
	 * it decodes to the same picture.
	 */
	for (int n = 0; ops->repeat && n < 5; n++) {
		struct enc_out out;

		if (ops->repeat(enc, &img, &out) || out.key || out.len > 64) {
			fprintf(stderr, "repeat %d: %zu bytes%s\n", n, out.len, out.key ? ", IDR" : "");
			return 1;
		}
		repeat_bytes += out.len;
		pkt->data = (uint8_t *)out.data;
		pkt->size = (int)out.len;
		if (avcodec_send_packet(ctx, pkt))
			return 1;
		while (!avcodec_receive_frame(ctx, frame)) {
			double ps = psnr_y(&img, frame);

			if (ps < min_psnr)
				min_psnr = ps;
			repeats++;
		}
	}
	printf("%s%s: decoded %d frames, %d key frames, min PSNR %.1f dB; %d repeats, %d bytes\n",
	       ops->name, p.profile == H264_CONSTRAINED_HIGH ? " (Constrained High)" : "", decoded,
	       keys, min_psnr, repeats, repeat_bytes);
	ops->close(enc);
	yuv_free(&img);
	av_frame_free(&frame);
	av_packet_free(&pkt);
	avcodec_free_context(&ctx);
	/* One frame in, one out; IDRs at 0, 30 (GOP) and 45. */
	return decoded == 60 && keys >= 3 && min_psnr >= 40 && repeats == (ops->repeat ? 5 : 0) ?
	       0 : 1;
}
