/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * H.264 headers written by wfdd itself, for encoders that take packed
 * headers (VA-API): SPS and PPS NAL units in Annex B form, and the level
 * a size and rate need (ITU-T H.264 Table A-1).
 */
#ifndef WFDD_H264BITS_H
#define WFDD_H264BITS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum h264_profile {
	H264_CONSTRAINED_BASELINE,	/* profile_idc 66, constraint_set0/1 */
	H264_CONSTRAINED_HIGH,		/* profile_idc 100, constraint_set4/5 */
};

struct h264_seq {
	enum h264_profile profile;
	int level_idc;
	int width, height;		/* in pixels; cropped from whole MBs */
	int fps;			/* for the VUI timing */
	int log2_max_frame_num;		/* 4..16; POC type 2 (no B-frames) */
	int pic_init_qp;
};

/* An access unit delimiter (primary_pic_type 7: any slice type). */
extern const uint8_t h264_aud[6];

/*
 * Write the SPS or PPS of @s as a NAL unit with a 4-byte start code and
 * emulation prevention into @buf.  Returns its length, or -ENOSPC.
 */
int h264_write_sps(const struct h264_seq *s, uint8_t *buf, size_t cap);
int h264_write_pps(const struct h264_seq *s, uint8_t *buf, size_t cap);

/*
 * The smallest level_idc whose limits (frame size, macroblock rate and
 * bit rate for the profiles above) take this stream; 0 when none does.
 */
int h264_level_for(int width, int height, int fps, int bitrate_kbps);

#endif
