// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The SPS and PPS wfdd writes for VA-API are what they mean to be:
 * libavcodec's H.264 header parser (the trace_headers bitstream filter)
 * reads every field back; the NAL units carry emulation prevention; and
 * the level table picks the smallest level that takes a stream.
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libavcodec/avcodec.h>
#include <libavcodec/bsf.h>

#include "h264bits.h"
#include "tap.h"


/* The parser's trace: one "position name bits = value" line per field. */
static char *trace;
static size_t trace_len;
static FILE *trace_f;

static void log_cb(void *avcl, int level, const char *fmt, va_list vl)
{
	char line[1024];
	int prefix = 0;

	if (level > AV_LOG_INFO)
		return;
	av_log_format_line(avcl, level, fmt, vl, line, sizeof(line), &prefix);
	fputs(line, trace_f);
}

/* The value the trace gives @name (first occurrence), or -1. */
static long field(const char *name)
{
	const char *p = trace;
	size_t n = strlen(name);

	while ((p = strstr(p, name))) {
		const char *eq = strchr(p, '=');

		/* A whole word, followed by the bits: not a longer name. */
		if (p > trace && p[-1] == ' ' && p[n] == ' ' && eq && eq < strchr(p, '\n'))
			return strtol(eq + 1, NULL, 10);
		p += n;
	}
	return -1;
}

static int parse(const uint8_t *data, size_t len)
{
	const AVBitStreamFilter *f = av_bsf_get_by_name("trace_headers");
	AVBSFContext *bsf = NULL;
	AVPacket *pkt = av_packet_alloc();
	int ret;

	free(trace);
	trace = NULL;
	trace_f = open_memstream(&trace, &trace_len);
	if (!f || !pkt || av_bsf_alloc(f, &bsf) < 0)
		return -1;
	bsf->par_in->codec_id = AV_CODEC_ID_H264;
	ret = av_bsf_init(bsf);
	if (!ret)
		ret = av_new_packet(pkt, (int)len);
	if (!ret) {
		memcpy(pkt->data, data, len);
		ret = av_bsf_send_packet(bsf, pkt);
	}
	if (!ret)
		ret = av_bsf_receive_packet(bsf, pkt);
	av_packet_free(&pkt);
	av_bsf_free(&bsf);
	fclose(trace_f);
	return ret;
}

/* No 00 00 00/01/02 after the start code: emulation prevention done. */
static int escaped(const uint8_t *nal, int len)
{
	for (int i = 4; i + 2 < len; i++)
		if (!nal[i] && !nal[i + 1] && nal[i + 2] <= 2)
			return 0;
	return 1;
}

static void headers(enum h264_profile prof, int w, int h, int fps, int level)
{
	struct h264_seq s = { .profile = prof, .level_idc = level, .width = w, .height = h,
			      .fps = fps, .log2_max_frame_num = 8, .pic_init_qp = 30 };
	bool high = prof == H264_CONSTRAINED_HIGH;
	uint8_t buf[256];
	int sps = h264_write_sps(&s, buf, sizeof(buf)), pps;
	int mbw = (w + 15) / 16, mbh = (h + 15) / 16;
	const char *name = high ? "CHP" : "CBP";

	pps = sps > 0 ? h264_write_pps(&s, buf + sps, sizeof(buf) - (size_t)sps) : -1;
	check(sps > 0 && pps > 0, "%s %dx%d: SPS %d and PPS %d bytes", name, w, h, sps, pps);
	if (sps <= 0 || pps <= 0)
		return;
	check(escaped(buf, sps) && escaped(buf + sps, pps), "%s: emulation prevention", name);
	check(parse(buf, (size_t)(sps + pps)) == 0, "%s: libavcodec parses SPS+PPS", name);
	check(field("profile_idc") == (high ? 100 : 66) &&
	      field("constraint_set0_flag") == !high && field("constraint_set1_flag") == !high &&
	      field("constraint_set4_flag") == high && field("constraint_set5_flag") == high,
	      "%s: profile %ld, constraint flags", name, field("profile_idc"));
	check(field("level_idc") == level, "%s: level_idc %ld", name, field("level_idc"));
	check(!high || (field("chroma_format_idc") == 1 && field("bit_depth_luma_minus8") == 0),
	      "%s: High profile fields", name);
	check(field("pic_width_in_mbs_minus1") == mbw - 1 &&
	      field("pic_height_in_map_units_minus1") == mbh - 1 &&
	      field("frame_mbs_only_flag") == 1,
	      "%s: %ldx%ld macroblocks", name, field("pic_width_in_mbs_minus1") + 1,
	      field("pic_height_in_map_units_minus1") + 1);
	check(field("frame_cropping_flag") == (mbw * 16 != w || mbh * 16 != h) &&
	      (field("frame_cropping_flag") != 1 ||
	       (field("frame_crop_right_offset") == (mbw * 16 - w) / 2 &&
		field("frame_crop_bottom_offset") == (mbh * 16 - h) / 2)),
	      "%s: cropping %ld", name, field("frame_cropping_flag"));
	check(field("pic_order_cnt_type") == 2 && field("max_num_ref_frames") == 1 &&
	      field("log2_max_frame_num_minus4") == 4, "%s: POC type 2, one reference", name);
	check(field("matrix_coefficients") == 6 && field("video_full_range_flag") == 0 &&
	      field("time_scale") == 2 * fps && field("num_units_in_tick") == 1 &&
	      field("max_num_reorder_frames") == 0 && field("max_dec_frame_buffering") == 1,
	      "%s: VUI (BT.601 limited, %ld Hz clock, no reordering)", name, field("time_scale"));
	check(field("entropy_coding_mode_flag") == high && field("pic_init_qp_minus26") == 4 &&
	      field("deblocking_filter_control_present_flag") == 1 &&
	      field("num_ref_idx_l0_default_active_minus1") == 0,
	      "%s: PPS fields", name);
}

int main(void)
{
	static const struct {
		int w, h, fps, kbps, level;
	} lv[] = {
		{ 640, 480, 30, 8000, 30 },	{ 640, 480, 30, 12000, 31 },
		{ 1280, 720, 30, 4000, 31 },	{ 1280, 720, 60, 4000, 32 },
		{ 1920, 1080, 30, 8000, 40 },	{ 1920, 1080, 30, 25000, 41 },
		{ 1920, 1080, 60, 8000, 42 },	{ 3840, 2160, 30, 20000, 51 },
		/* one row of 256 macroblocks: the side limit sqrt(8 * MaxFS) */
		{ 4096, 16, 30, 4000, 40 },	{ 8192, 8192, 60, 4000, 0 },
	};

	av_log_set_callback(log_cb);
	printf("KTAP version 1\n");
	for (size_t i = 0; i < sizeof(lv) / sizeof(lv[0]); i++) {
		int got = h264_level_for(lv[i].w, lv[i].h, lv[i].fps, lv[i].kbps);

		check(got == lv[i].level, "level of %dx%d@%d at %d kbit/s: %d", lv[i].w,
		      lv[i].h, lv[i].fps, lv[i].kbps, got);
	}
	headers(H264_CONSTRAINED_BASELINE, 1920, 1080, 30, 40);
	headers(H264_CONSTRAINED_BASELINE, 640, 480, 60, 31);
	headers(H264_CONSTRAINED_HIGH, 1366, 768, 30, 32);
	{
		struct h264_seq s = { .width = 640, .height = 480, .fps = 30, .level_idc = 30,
				      .log2_max_frame_num = 8, .pic_init_qp = 26 };
		uint8_t small[12];

		check(h264_write_sps(&s, small, sizeof(small)) < 0, "SPS into a short buffer: -ENOSPC");
	}
	free(trace);
	return tap_done();
}
