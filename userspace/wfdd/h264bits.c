// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * H.264 SPS/PPS writer and level table.
 */
#include <errno.h>
#include <string.h>

#include "h264bits.h"

const uint8_t h264_aud[6] = { 0, 0, 0, 1, 0x09, 0xf0 };

/* An RBSP under construction: big enough for any SPS or PPS written here. */
struct rbsp {
	uint8_t b[128];
	size_t bits;
};

/* The low @n bits of @v, most significant first; overflow shows in bits. */
static void put_bits(struct rbsp *r, int n, uint64_t v)
{
	while (n--) {
		size_t byte = r->bits / 8;

		if (byte < sizeof(r->b))
			r->b[byte] |= (uint8_t)(((v >> n) & 1) << (7 - r->bits % 8));
		r->bits++;
	}
}

/* Exp-Golomb ue(v): the value + 1 in binary, after as many zeros less one. */
static void put_ue(struct rbsp *r, uint32_t v)
{
	uint64_t x = (uint64_t)v + 1;
	int len = 0;

	while ((x >> len) > 1)
		len++;
	put_bits(r, len, 0);
	put_bits(r, len + 1, x);
}

static void put_se(struct rbsp *r, int32_t v)
{
	put_ue(r, v > 0 ? 2 * (uint32_t)v - 1 : 2 * (uint32_t)-v);
}

static void put_trailing(struct rbsp *r)
{
	put_bits(r, 1, 1);
	while (r->bits % 8)
		put_bits(r, 1, 0);
}

/* Start code, NAL header, then the payload with emulation prevention. */
static int to_nal(const struct rbsp *r, uint8_t header, uint8_t *buf, size_t cap)
{
	size_t n = 0, len = r->bits / 8;
	int zeros = 0;

	if (r->bits > 8 * sizeof(r->b) || cap < 5)
		return -ENOSPC;
	memcpy(buf, "\0\0\0\1", 4);
	buf[4] = header;
	n = 5;
	for (size_t i = 0; i < len; i++) {
		if (zeros == 2 && r->b[i] <= 3) {
			if (n == cap)
				return -ENOSPC;
			buf[n++] = 3;
			zeros = 0;
		}
		if (n == cap)
			return -ENOSPC;
		buf[n++] = r->b[i];
		zeros = r->b[i] ? 0 : zeros + 1;
	}
	return (int)n;
}

static void put_vui(struct rbsp *r, const struct h264_seq *s)
{
	put_bits(r, 1, 1);	/* aspect_ratio_info_present_flag */
	put_bits(r, 8, 1);	/* aspect_ratio_idc: square pixels */
	put_bits(r, 1, 0);	/* overscan_info_present_flag */
	/*
	 * Limited-range BT.601 (SMPTE 170M), what every encoder of wfdd
	 * converts to: said so that receivers do not guess BT.709 for HD.
	 */
	put_bits(r, 1, 1);	/* video_signal_type_present_flag */
	put_bits(r, 3, 5);	/* video_format: unspecified */
	put_bits(r, 1, 0);	/* video_full_range_flag */
	put_bits(r, 1, 1);	/* colour_description_present_flag */
	put_bits(r, 8, 6);	/* colour_primaries */
	put_bits(r, 8, 6);	/* transfer_characteristics */
	put_bits(r, 8, 6);	/* matrix_coefficients */
	put_bits(r, 1, 0);	/* chroma_loc_info_present_flag */
	/* Frames come when the desktop changes: no fixed frame rate. */
	put_bits(r, 1, 1);	/* timing_info_present_flag */
	put_bits(r, 32, 1);	/* num_units_in_tick */
	put_bits(r, 32, 2 * (uint32_t)s->fps);	/* time_scale */
	put_bits(r, 1, 0);	/* fixed_frame_rate_flag */
	put_bits(r, 1, 0);	/* nal_hrd_parameters_present_flag */
	put_bits(r, 1, 0);	/* vcl_hrd_parameters_present_flag */
	put_bits(r, 1, 0);	/* pic_struct_present_flag */
	/* No reordering: a decoder may output each picture at once. */
	put_bits(r, 1, 1);	/* bitstream_restriction_flag */
	put_bits(r, 1, 1);	/* motion_vectors_over_pic_boundaries_flag */
	put_ue(r, 0);		/* max_bytes_per_pic_denom */
	put_ue(r, 0);		/* max_bits_per_mb_denom */
	put_ue(r, 15);		/* log2_max_mv_length_horizontal */
	put_ue(r, 15);		/* log2_max_mv_length_vertical */
	put_ue(r, 0);		/* max_num_reorder_frames */
	put_ue(r, 1);		/* max_dec_frame_buffering */
}

int h264_write_sps(const struct h264_seq *s, uint8_t *buf, size_t cap)
{
	int mbw = (s->width + 15) / 16, mbh = (s->height + 15) / 16;
	bool high = s->profile == H264_CONSTRAINED_HIGH;
	struct rbsp r = { .bits = 0 };

	put_bits(&r, 8, high ? 100 : 66);	/* profile_idc */
	/* constraint_set0..5 and two reserved zero bits */
	put_bits(&r, 8, high ? 0x0c : 0xc0);
	put_bits(&r, 8, (uint32_t)s->level_idc);
	put_ue(&r, 0);				/* seq_parameter_set_id */
	if (high) {
		put_ue(&r, 1);			/* chroma_format_idc: 4:2:0 */
		put_ue(&r, 0);			/* bit_depth_luma_minus8 */
		put_ue(&r, 0);			/* bit_depth_chroma_minus8 */
		put_bits(&r, 1, 0);		/* qpprime_y_zero_transform_bypass_flag */
		put_bits(&r, 1, 0);		/* seq_scaling_matrix_present_flag */
	}
	put_ue(&r, (uint32_t)s->log2_max_frame_num - 4);
	put_ue(&r, 2);				/* pic_order_cnt_type */
	put_ue(&r, 1);				/* max_num_ref_frames */
	put_bits(&r, 1, 0);			/* gaps_in_frame_num_value_allowed_flag */
	put_ue(&r, (uint32_t)mbw - 1);
	put_ue(&r, (uint32_t)mbh - 1);		/* map units are MBs: frames only */
	put_bits(&r, 1, 1);			/* frame_mbs_only_flag */
	put_bits(&r, 1, 1);			/* direct_8x8_inference_flag */
	if (mbw * 16 != s->width || mbh * 16 != s->height) {
		/* 4:2:0 progressive: crop in units of two pixels. */
		put_bits(&r, 1, 1);
		put_ue(&r, 0);
		put_ue(&r, (uint32_t)(mbw * 16 - s->width) / 2);
		put_ue(&r, 0);
		put_ue(&r, (uint32_t)(mbh * 16 - s->height) / 2);
	} else {
		put_bits(&r, 1, 0);
	}
	put_bits(&r, 1, 1);			/* vui_parameters_present_flag */
	put_vui(&r, s);
	put_trailing(&r);
	return to_nal(&r, 0x67, buf, cap);	/* nal_ref_idc 3, type 7 */
}

int h264_write_pps(const struct h264_seq *s, uint8_t *buf, size_t cap)
{
	struct rbsp r = { .bits = 0 };

	put_ue(&r, 0);				/* pic_parameter_set_id */
	put_ue(&r, 0);				/* seq_parameter_set_id */
	/* CAVLC for Baseline; CABAC, which High allows, saves bits. */
	put_bits(&r, 1, s->profile == H264_CONSTRAINED_HIGH);	/* entropy_coding_mode_flag */
	put_bits(&r, 1, 0);			/* bottom_field_pic_order_in_frame_present_flag */
	put_ue(&r, 0);				/* num_slice_groups_minus1 */
	put_ue(&r, 0);				/* num_ref_idx_l0_default_active_minus1 */
	put_ue(&r, 0);				/* num_ref_idx_l1_default_active_minus1 */
	put_bits(&r, 1, 0);			/* weighted_pred_flag */
	put_bits(&r, 2, 0);			/* weighted_bipred_idc */
	put_se(&r, s->pic_init_qp - 26);	/* pic_init_qp_minus26 */
	put_se(&r, 0);				/* pic_init_qs_minus26 */
	put_se(&r, 0);				/* chroma_qp_index_offset */
	put_bits(&r, 1, 1);			/* deblocking_filter_control_present_flag */
	put_bits(&r, 1, 0);			/* constrained_intra_pred_flag */
	put_bits(&r, 1, 0);			/* redundant_pic_cnt_present_flag */
	put_trailing(&r);
	return to_nal(&r, 0x68, buf, cap);	/* nal_ref_idc 3, type 8 */
}

int h264_level_for(int width, int height, int fps, int bitrate_kbps)
{
	/* Table A-1: level_idc, MaxMBPS, MaxFS (MBs), MaxBR (kbit/s, Baseline). */
	static const struct {
		int idc, mbps, fs, br;
	} lv[] = {
		{ 10, 1485, 99, 64 },		{ 11, 3000, 396, 192 },
		{ 12, 6000, 396, 384 },		{ 13, 11880, 396, 768 },
		{ 20, 11880, 396, 2000 },	{ 21, 19800, 792, 4000 },
		{ 22, 20250, 1620, 4000 },	{ 30, 40500, 1620, 10000 },
		{ 31, 108000, 3600, 14000 },	{ 32, 216000, 5120, 20000 },
		{ 40, 245760, 8192, 20000 },	{ 41, 245760, 8192, 50000 },
		{ 42, 522240, 8704, 50000 },	{ 50, 589824, 22080, 135000 },
		{ 51, 983040, 36864, 240000 },	{ 52, 2073600, 36864, 240000 },
	};
	long mbw = (width + 15) / 16, mbh = (height + 15) / 16, fs = mbw * mbh;

	for (size_t i = 0; i < sizeof(lv) / sizeof(lv[0]); i++) {
		/* A side may not exceed sqrt(8 * MaxFS) macroblocks (A.3.1 f/g). */
		if (fs > lv[i].fs || mbw * mbw > 8L * lv[i].fs || mbh * mbh > 8L * lv[i].fs ||
		    fs * fps > lv[i].mbps || bitrate_kbps > lv[i].br)
			continue;
		return lv[i].idc;
	}
	return 0;
}
