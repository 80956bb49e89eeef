// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The frame encoder's fallback from a hardware encoder to x264, with a
 * fake hardware encoder that fails where it is told to:
 *  - no device: one log line, x264 from the start;
 *  - open fails: x264 at once;
 *  - taking a frame fails: x264 takes that very frame (the scanout
 *    buffer is still held; needs /dev/udmabuf for a real dma-buf);
 *  - encoding fails: x264 takes over if the kept picture reads back, and
 *    libavcodec decodes its IDR to that picture; otherwise the failure
 *    stands, with the device's status as diag;
 *  - a device that makes only Constrained High: both profiles are offered,
 *    and a sink that takes only Constrained Baseline gets x264, which
 *    encodes the kept picture.
 * KTAP output.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <drm_fourcc.h>
#include <libavcodec/avcodec.h>
#include <linux/udmabuf.h>

#include "convert.h"
#include "encoder.h"
#include "tap.h"

#define W 320
#define H 240
#define FAKE_STATUS 0x12


/* What the fake device is told to do. */
static struct fake_dev {
	bool no_device, fail_open, fail_load, fail_encode, readable, high;
	int32_t last;
	int forgotten, closed;
} fake;

struct encoder {
	struct yuv_image pic;
	uint8_t au[16];
};

static void pattern(struct yuv_image *img)
{
	for (int y = 0; y < img->height; y++)
		for (int x = 0; x < img->width; x++)
			img->plane[0][y * img->stride[0] + x] = (uint8_t)((x / 8 + y / 8) % 2 ? 190 : 50);
	for (int i = 1; i < 3; i++)
		for (int y = 0; y < img->height / 2; y++)
			memset(img->plane[i] + y * img->stride[i], 100 + 20 * i, (size_t)img->width / 2);
}

static int fake_device_open(void **dev, const char *path, char *why, size_t len)
{
	(void)path;
	snprintf(why, len, fake.no_device ? "nothing here" : "fake device");
	if (fake.no_device)
		return -ENODEV;
	*dev = &fake;
	return 0;
}

static void fake_device_close(void *dev)
{
	((struct fake_dev *)dev)->closed++;
}

static int fake_open(struct encoder **out, const struct enc_params *p)
{
	struct encoder *e;

	if (fake.fail_open) {
		fake.last = FAKE_STATUS;
		return -EIO;
	}
	e = calloc(1, sizeof(*e));
	if (!e || yuv_alloc(&e->pic, p->width, p->height)) {
		free(e);
		return -ENOMEM;
	}
	*out = e;
	return 0;
}

static int fake_load(struct encoder *e, const struct enc_frame *f)
{
	(void)f;
	if (fake.fail_load) {
		fake.last = FAKE_STATUS;
		return -EIO;
	}
	pattern(&e->pic);
	return 0;
}

static void fake_forget(struct encoder *e, uint64_t id)
{
	(void)e;
	fake.forgotten += id == 7;
}

static int fake_encode(struct encoder *e, const struct yuv_image *img, bool idr,
		       struct enc_out *out)
{
	if (img)
		return -EINVAL;	/* zero-copy: never given a picture */
	if (fake.fail_encode) {
		fake.last = FAKE_STATUS;
		return -EIO;
	}
	memcpy(e->au, "\0\0\0\1\x09\xf0", 6);
	out->data = e->au;
	out->len = 6;
	out->key = idr;
	return 0;
}

static int fake_read_picture(struct encoder *e, struct yuv_image *img)
{
	if (!fake.readable)
		return -EIO;
	for (int i = 0; i < 3; i++) {
		int rows = i ? (img->height + 1) / 2 : img->height;
		int cols = i ? (img->width + 1) / 2 : img->width;

		for (int y = 0; y < rows; y++)
			memcpy(img->plane[i] + y * img->stride[i],
			       e->pic.plane[i] + y * e->pic.stride[i], (size_t)cols);
	}
	return 0;
}

static enum h264_profile fake_profile(void *dev)
{
	return ((struct fake_dev *)dev)->high ? H264_CONSTRAINED_HIGH : H264_CONSTRAINED_BASELINE;
}

static int32_t fake_diag(void *dev)
{
	return ((struct fake_dev *)dev)->last;
}

static void fake_close(struct encoder *e)
{
	yuv_free(&e->pic);
	free(e);
}

static const struct encoder_ops fake_ops = {
	.name = "fake",
	.long_name = "fake hardware",
	.device_open = fake_device_open,
	.device_close = fake_device_close,
	.profile = fake_profile,
	.open = fake_open,
	.load = fake_load,
	.forget = fake_forget,
	.encode = fake_encode,
	.read_picture = fake_read_picture,
	.diag = fake_diag,
	.close = fake_close,
};

static char *log_text;
static size_t log_len;

/* A frame encoder on the fake device with x264 behind it, at W x H. */
static struct frame_encoder *make(FILE **log)
{
	struct enc_params p = { .width = W, .height = H, .fps = 30, .bitrate_kbps = 8000,
				.gop = 60 };
	struct frame_encoder *fe = NULL;

	free(log_text);
	log_text = NULL;
	*log = open_memstream(&log_text, &log_len);
	if (frame_encoder_create_ops(&fe, &fake_ops, &encoder_x264, NULL, *log) ||
	    frame_encoder_configure(fe, &p)) {
		frame_encoder_destroy(fe);
		return NULL;
	}
	return fe;
}

static void done(struct frame_encoder *fe, FILE *log)
{
	frame_encoder_destroy(fe);
	fclose(log);
}

/* Y PSNR of what libavcodec decodes from @au against the fake's picture. */
static double decoded_psnr(const struct enc_out *au)
{
	const AVCodec *codec = avcodec_find_decoder(AV_CODEC_ID_H264);
	AVCodecContext *ctx = avcodec_alloc_context3(codec);
	AVPacket *pkt = av_packet_alloc();
	AVFrame *f = av_frame_alloc();
	struct yuv_image ref;
	double se = 0, psnr = -1;

	if (!ctx || !pkt || !f || avcodec_open2(ctx, codec, NULL) || yuv_alloc(&ref, W, H))
		goto out;
	pattern(&ref);
	pkt->data = (uint8_t *)au->data;
	pkt->size = (int)au->len;
	/* Drain: the decoder may hold the picture until the end of stream. */
	if (!avcodec_send_packet(ctx, pkt) && !avcodec_send_packet(ctx, NULL) &&
	    !avcodec_receive_frame(ctx, f) && f->width == W && f->height == H) {
		for (int y = 0; y < H; y++)
			for (int x = 0; x < W; x++) {
				int d = ref.plane[0][y * ref.stride[0] + x] -
					f->data[0][y * f->linesize[0] + x];

				se += d * d;
			}
		se /= W * H;
		psnr = se == 0 ? 99 : 10 * log10(255.0 * 255.0 / se);
	}
	yuv_free(&ref);
out:
	av_frame_free(&f);
	av_packet_free(&pkt);
	avcodec_free_context(&ctx);
	return psnr;
}

/* A W x H XRGB8888 dma-buf from udmabuf, or -1 where there is none. */
static int make_dmabuf(uint8_t **map, size_t *size)
{
	struct udmabuf_create c = { .flags = UDMABUF_FLAGS_CLOEXEC };
	int dev = open("/dev/udmabuf", O_RDWR | O_CLOEXEC), mfd, buf;

	*size = (size_t)W * H * 4;
	if (dev < 0)
		return -1;
	mfd = memfd_create("frame", MFD_ALLOW_SEALING);
	if (mfd < 0 || ftruncate(mfd, (off_t)*size) || fcntl(mfd, F_ADD_SEALS, F_SEAL_SHRINK)) {
		close(dev);
		return -1;
	}
	*map = mmap(NULL, *size, PROT_READ | PROT_WRITE, MAP_SHARED, mfd, 0);
	c.memfd = (uint32_t)mfd;
	c.size = *size;
	buf = *map == MAP_FAILED ? -1 : ioctl(dev, UDMABUF_CREATE, &c);
	close(mfd);
	close(dev);
	return buf;
}

int main(void)
{
	struct frame_encoder *fe;
	struct enc_out out;
	FILE *log;
	int ret;

	printf("KTAP version 1\n");

	fake = (struct fake_dev){ .no_device = true };
	log_text = NULL;
	log = open_memstream(&log_text, &log_len);
	ret = frame_encoder_create_ops(&fe, &fake_ops, &encoder_x264, NULL, log);
	fflush(log);
	check(!ret && !strcmp(frame_encoder_name(fe), "x264") &&
	      !strcmp(log_text, "wfdd: no fake hardware H.264 encoder (nothing here): using x264\n"),
	      "no device: x264, one line: %.*s", (int)strcspn(log_text, "\n"), log_text);
	done(ret ? NULL : fe, log);

	fake = (struct fake_dev){ .fail_open = true };
	fe = make(&log);
	fflush(log);
	check(fe && !strcmp(frame_encoder_name(fe), "x264") && fake.closed == 1 &&
	      strstr(log_text, "wfdd: fake failed (diag 18): switching to software"),
	      "open fails: x264 at once, device closed");
	if (fe)
		done(fe, log);

	fake = (struct fake_dev){ .readable = true };
	fe = make(&log);
	check(fe && !strcmp(frame_encoder_name(fe), "fake"), "fake device in use");
	if (!fe)
		return 1;
	frame_encoder_forget(fe, 7);
	check(fake.forgotten == 1, "BUFFER_GONE reaches the encoder");
	ret = frame_encoder_load(fe, &(struct enc_frame){ .buffer_id = 7, .dmabuf = -1 });
	check(!ret && frame_encoder_has_picture(fe) && !frame_encoder_encode(fe, false, &out) &&
	      out.len == 6, "zero-copy load and encode");
	fake.fail_encode = true;
	ret = frame_encoder_encode(fe, false, &out);
	check(!ret && !strcmp(frame_encoder_name(fe), "x264") && out.key && fake.closed == 1,
	      "encode fails, picture reads back: x264 sends an IDR");
	if (!ret) {
		double psnr = decoded_psnr(&out);

		check(psnr >= 40, "that IDR decodes to the kept picture: %.1f dB", psnr);
		ret = frame_encoder_encode(fe, false, &out);
		check(!ret && !out.key && frame_encoder_diag(fe, -5) == -5,
		      "x264 goes on with P-frames");
	}
	done(fe, log);

	fake = (struct fake_dev){ .readable = false };
	fe = make(&log);
	if (!fe)
		return 1;
	frame_encoder_load(fe, &(struct enc_frame){ .buffer_id = 1, .dmabuf = -1 });
	fake.fail_encode = true;
	ret = frame_encoder_encode(fe, false, &out);
	check(ret == -EIO && !strcmp(frame_encoder_name(fe), "fake") &&
	      frame_encoder_diag(fe, ret) == FAKE_STATUS,
	      "encode fails, nothing to read back: error, diag = device status %d",
	      frame_encoder_diag(fe, ret));
	done(fe, log);

	fake = (struct fake_dev){ .readable = true, .high = true };
	fe = make(&log);
	if (!fe)
		return 1;
	check(frame_encoder_profiles(fe) == (1u << H264_CONSTRAINED_HIGH |
					     1u << H264_CONSTRAINED_BASELINE),
	      "High-only device with x264 behind: both profiles offered");
	check(!frame_encoder_use_profile(fe, H264_CONSTRAINED_HIGH) &&
	      !strcmp(frame_encoder_name(fe), "fake"), "a High sink keeps the device");
	frame_encoder_load(fe, &(struct enc_frame){ .buffer_id = 2, .dmabuf = -1 });
	ret = frame_encoder_use_profile(fe, H264_CONSTRAINED_BASELINE);
	check(!ret && !strcmp(frame_encoder_name(fe), "x264") && fake.closed == 1 &&
	      frame_encoder_profiles(fe) == (1u << H264_CONSTRAINED_BASELINE |
					     1u << H264_CONSTRAINED_HIGH),
	      "a Baseline-only sink gets x264 (which makes both profiles)");
	ret = frame_encoder_encode(fe, false, &out);
	check(!ret && out.key && decoded_psnr(&out) >= 40,
	      "x264's first picture is the kept one");
	done(fe, log);

	/*
	 * A sink that takes only Constrained High, with a Baseline device and
	 * x264 behind it: x264 takes over and makes Constrained High, saying
	 * so in the SPS (profile_idc 100, constraint_set4 and 5).
	 */
	fake = (struct fake_dev){ .readable = true };
	fe = make(&log);
	if (!fe)
		return 1;
	check(frame_encoder_profiles(fe) == (1u << H264_CONSTRAINED_HIGH |
					     1u << H264_CONSTRAINED_BASELINE) &&
	      frame_encoder_profile(fe) == H264_CONSTRAINED_BASELINE,
	      "Baseline device with x264 behind: both offered, Baseline first");
	frame_encoder_load(fe, &(struct enc_frame){ .buffer_id = 4, .dmabuf = -1 });
	ret = frame_encoder_use_profile(fe, H264_CONSTRAINED_HIGH);
	check(!ret && !strcmp(frame_encoder_name(fe), "x264"), "a High-only sink gets x264");
	ret = frame_encoder_encode(fe, false, &out);
	{
		const uint8_t *sps = ret ? NULL : memmem(out.data, out.len, "\0\0\1\x67", 4);

		check(sps && out.key && sps[4] == 100 && (sps[5] & 0x0c) == 0x0c &&
		      decoded_psnr(&out) >= 40,
		      "x264's first picture: the kept one, in Constrained High");
	}
	done(fe, log);

	/* x264 alone makes both; openh264, the last resort, Baseline only. */
	free(log_text);
	log_text = NULL;
	log = open_memstream(&log_text, &log_len);
	ret = frame_encoder_create(&fe, "x264", NULL, log);
	check(!ret && frame_encoder_profiles(fe) == (1u << H264_CONSTRAINED_HIGH |
						     1u << H264_CONSTRAINED_BASELINE) &&
	      !frame_encoder_use_profile(fe, H264_CONSTRAINED_HIGH), "x264: both profiles");
	done(ret ? NULL : fe, log);
	free(log_text);
	log_text = NULL;
	log = open_memstream(&log_text, &log_len);
	ret = frame_encoder_create(&fe, "openh264", NULL, log);
	check(!ret && frame_encoder_profiles(fe) == 1u << H264_CONSTRAINED_BASELINE &&
	      frame_encoder_use_profile(fe, H264_CONSTRAINED_HIGH) == -ENOTSUP,
	      "openh264: Baseline only");
	done(ret ? NULL : fe, log);

	fake = (struct fake_dev){ .high = true };
	free(log_text);
	log_text = NULL;
	log = open_memstream(&log_text, &log_len);
	ret = frame_encoder_create_ops(&fe, &fake_ops, NULL, NULL, log);
	check(!ret && frame_encoder_profiles(fe) == 1u << H264_CONSTRAINED_HIGH &&
	      frame_encoder_use_profile(fe, H264_CONSTRAINED_BASELINE) == -ENOTSUP,
	      "High-only device alone: Baseline refused");
	done(ret ? NULL : fe, log);

	{
		uint8_t *map = NULL;
		size_t size;
		int buf = make_dmabuf(&map, &size);

		if (buf < 0) {
			check(1, "load fails: x264 takes the held frame # SKIP no /dev/udmabuf");
		} else {
			/* Grey XRGB: libyuv gives Y = 0.257 R + 0.504 G + 0.098 B + 16. */
			memset(map, 0x80, size);
			fake = (struct fake_dev){ .fail_load = true };
			fe = make(&log);
			ret = fe ? frame_encoder_load(fe, &(struct enc_frame){
				.buffer_id = 3, .dmabuf = buf, .map = map, .size = size,
				.fourcc = DRM_FORMAT_XRGB8888, .width = W, .height = H,
				.pitch = W * 4 }) : -1;
			check(!ret && !strcmp(frame_encoder_name(fe), "x264") &&
			      !frame_encoder_encode(fe, false, &out) && out.key,
			      "load fails: x264 takes the held frame");
			if (fe)
				done(fe, log);
			munmap(map, size);
			close(buf);
		}
	}
	free(log_text);
	return tap_done();
}
