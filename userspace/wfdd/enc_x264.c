// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Software H.264 encoder: libx264, tuned for latency (zerolatency, no
 * B-frames, one frame in one frame out), constrained baseline, ABR whose
 * VBV (a quarter second at the bit rate) caps every quarter second,
 * SPS/PPS repeated before each IDR.
 *
 * For a sink that takes only Constrained High, that instead: High without
 * B-frames, progressive, with constraint_set4 and 5 in the SPS.
 */
#include <errno.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>

#include <x264.h>

#include "encoder.h"

struct encoder {
	x264_t *x;
	x264_picture_t pic;
	int64_t pts;
	bool high;
	int last_qp;		/* of the last picture, for a repeat */
};

static int x264_open(struct encoder **out, const struct enc_params *p)
{
	struct encoder *e = calloc(1, sizeof(*e));
	x264_param_t par;

	if (!e)
		return -ENOMEM;
	if (x264_param_default_preset(&par, "ultrafast", "zerolatency"))
		goto fail;
	par.i_width = p->width;
	par.i_height = p->height;
	par.i_csp = X264_CSP_I420;
	par.i_fps_num = (uint32_t)p->fps;
	par.i_fps_den = 1;
	par.i_keyint_max = p->gop;
	par.i_bframe = 0;
	par.b_aud = 1;			/* required for H.264 in MPEG-TS */
	par.b_repeat_headers = 1;	/* SPS/PPS before each IDR */
	par.b_annexb = 1;
	par.i_threads = 1;
	par.rc.i_rc_method = X264_RC_ABR;
	par.rc.i_bitrate = p->bitrate_kbps;
	par.rc.i_vbv_max_bitrate = p->bitrate_kbps;
	/* A quarter second of buffer: room for IDRs at low latency. */
	par.rc.i_vbv_buffer_size = p->bitrate_kbps / 4;
	par.i_log_level = X264_LOG_WARNING;
	e->high = p->profile == H264_CONSTRAINED_HIGH;
	if (e->high) {
		/* The 8x8 transform is what makes x264 signal High (profile_idc 100). */
		par.analyse.b_transform_8x8 = 1;
		par.b_interlaced = 0;
	}
	if (x264_param_apply_profile(&par, e->high ? "high" : "baseline"))
		goto fail;
	if (p->level_idc)
		par.i_level_idc = p->level_idc;
	e->x = x264_encoder_open(&par);
	if (!e->x)
		goto fail;
	x264_picture_init(&e->pic);
	e->pic.img.i_csp = X264_CSP_I420;
	e->pic.img.i_plane = 3;
	*out = e;
	return 0;
fail:
	free(e);
	return -EINVAL;
}

/*
 * x264 leaves constraint_set4/5 clear.  Constrained High is High with both
 * set (progressive only, no B slices): set them in each SPS of @data.
 * The byte after profile_idc (nonzero) can neither make nor hide an
 * emulation prevention byte.
 */
static void mark_constrained_high(uint8_t *data, size_t len)
{
	for (size_t i = 0; i + 6 < len; i++)
		if (data[i] == 0 && data[i + 1] == 0 && data[i + 2] == 1 &&
		    (data[i + 3] & 0x1f) == 7 && data[i + 4] == 100)
			data[i + 5] |= 0x0c;
}

/* @type of X264_TYPE_*, at quantizer @qp (-1: rate control's). */
static int encode_picture(struct encoder *e, const struct yuv_image *img, int type, int qp,
			  struct enc_out *out)
{
	x264_picture_t pic_out;
	x264_nal_t *nals;
	int n, size;

	for (int i = 0; i < 3; i++) {
		e->pic.img.plane[i] = img->plane[i];
		e->pic.img.i_stride[i] = img->stride[i];
	}
	e->pic.i_type = type;
	e->pic.i_qpplus1 = qp + 1;
	e->pic.i_pts = e->pts++;
	size = x264_encoder_encode(e->x, &nals, &n, &e->pic, &pic_out);
	if (size < 0)
		return -EIO;
	/* zerolatency: every picture in gives its access unit out. */
	if (size == 0)
		return -EAGAIN;
	/* The NAL payloads are contiguous in one buffer. */
	if (e->high && pic_out.b_keyframe)
		mark_constrained_high(nals[0].p_payload, (size_t)size);
	out->data = nals[0].p_payload;
	out->len = (size_t)size;
	out->key = pic_out.b_keyframe;
	e->last_qp = pic_out.i_qpplus1 - 1;
	return 0;
}

static int x264_encode(struct encoder *e, const struct yuv_image *img,
		       bool idr, struct enc_out *out)
{
	return encode_picture(e, img, idr ? X264_TYPE_IDR : X264_TYPE_AUTO, -1, out);
}

/*
 * The same picture again: a P-frame at the last picture's quantizer.
 * Rate control, finding a picture that cheap, would lower the quantizer
 * and spend the bit rate refining it (at 85 % of a moving frame's
 * cost); at the same quantizer every residual quantizes to zero and
 * every macroblock is skipped.  x264 still reads the whole picture:
 * this saves the refinement, not the frame.
 */
static int x264_repeat(struct encoder *e, const struct yuv_image *img, struct enc_out *out)
{
	return encode_picture(e, img, X264_TYPE_P, e->last_qp > 0 ? e->last_qp : -1, out);
}

static void x264_close(struct encoder *e)
{
	if (e->x)
		x264_encoder_close(e->x);
	free(e);
}

const struct encoder_ops encoder_x264 = {
	.name = "x264",
	.long_name = "libx264",
	.profiles = 1u << H264_CONSTRAINED_BASELINE | 1u << H264_CONSTRAINED_HIGH,
	.open = x264_open,
	.encode = x264_encode,
	.repeat = x264_repeat,
	.close = x264_close,
};

