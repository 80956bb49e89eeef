// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The VA-API encoder through libva against a fake driver (fake-va-driver.c,
 * which encodes with x264 and checks the calls): import of the scanout
 * dma-buf per buffer id, VPP, encode with IDRs where asked, access unit
 * delimiters, the stream decoding to the input (PSNR >= 40 dB), and the
 * switch to x264 through the read-back when encoding fails.
 *
 * libva opens a driver only on a DRM node: it needs one (vgem's in the
 * VM), else it skips.  KTAP output.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <drm_fourcc.h>
#include <libavcodec/avcodec.h>
#include <libyuv.h>
#include <va/va.h>

#include "convert.h"
#include "enc_vaapi.h"
#include "encoder.h"
#include "tap.h"

#define W 320
#define H 240

static char node[300];

static int fake_device_open(void **dev, const char *path, char *why, size_t len)
{
	int fd = open(node, O_RDWR | O_CLOEXEC);

	(void)path;
	if (fd < 0)
		return -errno;
	return vaapi_device_open_fd(dev, fd, node, why, len);
}

/* XRGB8888 frame @n: a gradient with a bar that moves. */
static void draw(uint8_t *map, int n)
{
	for (int y = 0; y < H; y++)
		for (int x = 0; x < W; x++) {
			uint8_t *p = map + (size_t)y * W * 4 + (size_t)x * 4;
			bool bar = x >= 8 * n && x < 8 * n + 24;

			p[0] = (uint8_t)(bar ? 240 : x * 255 / W);	/* B */
			p[1] = (uint8_t)(y * 255 / H);			/* G */
			p[2] = (uint8_t)(bar ? 30 : 128);		/* R */
			p[3] = 0xff;
		}
}

/* Y PSNR of a decoded picture against @map converted by libyuv. */
static double psnr(const uint8_t *map, const AVFrame *f)
{
	struct yuv_image ref;
	double se = 0;

	if (f->width != W || f->height != H || yuv_alloc(&ref, W, H))
		return -1;
	ARGBToI420(map, W * 4, ref.plane[0], ref.stride[0], ref.plane[1], ref.stride[1],
		   ref.plane[2], ref.stride[2], W, H);
	for (int y = 0; y < H; y++)
		for (int x = 0; x < W; x++) {
			int d = ref.plane[0][y * ref.stride[0] + x] - f->data[0][y * f->linesize[0] + x];

			se += d * d;
		}
	yuv_free(&ref);
	se /= W * H;
	return se == 0 ? 99 : 10 * log10(255.0 * 255.0 / se);
}

/* Decode @out; returns the PSNR of the picture it gives against @map. */
static double decode(AVCodecContext *ctx, const struct enc_out *out, const uint8_t *map)
{
	AVPacket *pkt = av_packet_alloc();
	AVFrame *f = av_frame_alloc();
	double ps = -1;

	pkt->data = (uint8_t *)out->data;
	pkt->size = (int)out->len;
	if (!avcodec_send_packet(ctx, pkt) && !avcodec_receive_frame(ctx, f))
		ps = psnr(map, f);
	av_frame_free(&f);
	av_packet_free(&pkt);
	return ps;
}

static bool find_node(void)
{
	DIR *d = opendir("/dev/dri");
	struct dirent *de;

	while (d && (de = readdir(d)))
		if (!strncmp(de->d_name, "renderD", 7)) {
			snprintf(node, sizeof(node), "/dev/dri/%s", de->d_name);
			break;
		}
	if (d)
		closedir(d);
	return node[0];
}

int main(int argc, char **argv)
{
	struct enc_params p = { .width = W, .height = H, .fps = 30, .bitrate_kbps = 4000,
				.gop = 60 };
	struct encoder_ops ops = encoder_vaapi;
	const AVCodec *codec = avcodec_find_decoder(AV_CODEC_ID_H264);
	AVCodecContext *ctx;
	char dir[PATH_MAX], *log = NULL;
	struct frame_encoder *fe;
	double min_psnr = 99;
	int keys = 0, auds = 0, decoded = 0, ret;
	struct enc_out out;
	size_t log_len;
	uint8_t *map;
	FILE *logf;
	int mfd;

	(void)argc;
	printf("KTAP version 1\n");
	if (!find_node()) {
		printf("1..1\nok 1 VA-API through a fake driver # SKIP no DRM node for libva\n");
		return 77;
	}
	/* The fake driver is built next to this program. */
	if (!realpath(argv[0], dir))
		return 1;
	setenv("LIBVA_DRIVERS_PATH", dirname(dir), 1);
	setenv("LIBVA_DRIVER_NAME", "wfdfake", 1);
	unsetenv("WFDFAKE_FAIL_ENCODE");
	ops.device_open = fake_device_open;

	ctx = avcodec_alloc_context3(codec);
	mfd = memfd_create("scanout", MFD_CLOEXEC);
	if (mfd < 0 || ftruncate(mfd, W * H * 4) || !ctx || avcodec_open2(ctx, codec, NULL))
		return 1;
	map = mmap(NULL, W * H * 4, PROT_READ | PROT_WRITE, MAP_SHARED, mfd, 0);
	if (map == MAP_FAILED)
		return 1;

	logf = open_memstream(&log, &log_len);
	ret = frame_encoder_create_ops(&fe, &ops, &encoder_x264, NULL, logf);
	fflush(logf);
	check(!ret && !strcmp(frame_encoder_name(fe), "vaapi") &&
	      strstr(log, "wfd test driver") && strstr(log, "Constrained Baseline") &&
	      strstr(log, "CBR"), "the fake driver is picked: %.*s",
	      (int)strcspn(log ? log : "", "\n"), log ? log : "");
	if (ret || strcmp(frame_encoder_name(fe), "vaapi"))
		return 1;
	check(!frame_encoder_configure(fe, &p), "VA-API encoder opens at %dx%d", W, H);

	for (int n = 0; n < 30; n++) {
		/* Three scanout buffers in turn, as a compositor flips them. */
		struct enc_frame f = { .buffer_id = 1 + (uint64_t)(n % 3), .dmabuf = mfd,
				       .map = map, .size = W * H * 4,
				       .fourcc = DRM_FORMAT_XRGB8888,
				       .modifier = n % 2 ? DRM_FORMAT_MOD_LINEAR :
							   DRM_FORMAT_MOD_INVALID,
				       .width = W, .height = H, .pitch = W * 4 };
		double ps;

		draw(map, n);
		if (n == 10)
			frame_encoder_forget(fe, 2);	/* BUFFER_GONE: imported again */
		ret = frame_encoder_load(fe, &f);
		if (!ret)
			ret = frame_encoder_encode(fe, n == 20, &out);
		if (ret) {
			check(0, "frame %d: %d (diag %d)", n, ret, frame_encoder_diag(fe, ret));
			break;
		}
		keys += out.key;
		auds += out.len > 6 && !memcmp(out.data, "\0\0\0\1\x09", 5);
		if ((n == 0 || n == 20) != out.key)
			check(0, "frame %d: key %d", n, out.key);
		ps = decode(ctx, &out, map);
		decoded += ps >= 0;
		if (ps < min_psnr)
			min_psnr = ps;
	}
	check(decoded == 30 && keys == 2 && auds == 30,
	      "30 pictures decoded, IDRs at 0 and 20 only, each after an AUD: %d, %d, %d",
	      decoded, keys, auds);
	check(min_psnr >= 40, "decoded pictures match the scanout buffers: min %.1f dB", min_psnr);
	check(!frame_encoder_encode(fe, true, &out) && out.key && decode(ctx, &out, map) >= 40,
	      "an IDR on request re-encodes the kept picture");

	/* The encode step fails: the kept picture reads back, x264 goes on. */
	setenv("WFDFAKE_FAIL_ENCODE", "1", 1);
	ret = frame_encoder_encode(fe, false, &out);
	unsetenv("WFDFAKE_FAIL_ENCODE");
	fflush(logf);
	snprintf(dir, sizeof(dir), "vaapi failed (diag %d)", VA_STATUS_ERROR_ENCODING_ERROR);
	check(!ret && !strcmp(frame_encoder_name(fe), "x264") && out.key &&
	      decode(ctx, &out, map) >= 40 && strstr(log, dir),
	      "encode fails: read back, x264 sends an IDR of the same picture");
	frame_encoder_destroy(fe);
	fclose(logf);
	free(log);

	/* Without a fallback the failure stands, with the VAStatus as diag. */
	logf = fopen("/dev/null", "w");
	fe = NULL;
	ret = frame_encoder_create_ops(&fe, &ops, NULL, NULL, logf);
	if (!ret && !frame_encoder_configure(fe, &p) &&
	    !frame_encoder_load(fe, &(struct enc_frame){ .buffer_id = 9, .dmabuf = mfd,
				.map = map, .size = W * H * 4, .fourcc = DRM_FORMAT_XRGB8888,
				.modifier = DRM_FORMAT_MOD_LINEAR, .width = W, .height = H,
				.pitch = W * 4 })) {
		setenv("WFDFAKE_FAIL_ENCODE", "1", 1);
		ret = frame_encoder_encode(fe, false, &out);
		unsetenv("WFDFAKE_FAIL_ENCODE");
		check(ret == -EIO && frame_encoder_diag(fe, ret) == VA_STATUS_ERROR_ENCODING_ERROR,
		      "--encoder vaapi: the failure stands, diag = VAStatus %d",
		      frame_encoder_diag(fe, ret));
	} else {
		check(0, "second VA-API encoder");
	}
	frame_encoder_destroy(fe);
	fclose(logf);

	/*
	 * A driver that takes packed headers gets wfdd's SPS and PPS: as two
	 * headers, or the PPS after the SPS where it takes only the sequence.
	 */
	for (int m = 0; m < 2; m++) {
		setenv("WFDFAKE_PACKED", m ? "seq" : "seq+pic", 1);
		log = NULL;
		logf = open_memstream(&log, &log_len);
		fe = NULL;
		ret = frame_encoder_create_ops(&fe, &ops, NULL, NULL, logf);
		unsetenv("WFDFAKE_PACKED");
		keys = decoded = 0;
		for (int n = 0; !ret && n < 4; n++) {
			draw(map, n);
			ret = frame_encoder_configure(fe, &p) ?:
			      frame_encoder_load(fe, &(struct enc_frame){ .buffer_id = 1,
					.dmabuf = mfd, .map = map, .size = W * H * 4,
					.fourcc = DRM_FORMAT_XRGB8888,
					.modifier = DRM_FORMAT_MOD_LINEAR, .width = W,
					.height = H, .pitch = W * 4 }) ?:
			      frame_encoder_encode(fe, n == 2, &out);
			keys += !ret && out.key;
			decoded += !ret && decode(ctx, &out, map) >= 40;
		}
		fflush(logf);
		check(!ret && strstr(log, "wfdd's SPS/PPS") && keys == 2 && decoded == 4,
		      "packed %s: SPS/PPS with each IDR (0 and 2) and only then: %d",
		      m ? "sequence header" : "sequence and picture headers", ret);
		frame_encoder_destroy(fe);
		fclose(logf);
		free(log);
	}
	munmap(map, W * H * 4);
	close(mfd);
	avcodec_free_context(&ctx);
	return tap_done();
}
