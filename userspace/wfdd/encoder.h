/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * H.264 encoders behind one interface.
 */
#ifndef WFDD_ENCODER_H
#define WFDD_ENCODER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A planar I420 picture. */
struct yuv_image {
	int width, height;
	uint8_t *plane[3];
	int stride[3];
};

struct enc_params {
	int width, height;
	int fps;
	int bitrate_kbps;
	int gop;		/* frames between IDRs */
};

/* One coded access unit, Annex B with an access unit delimiter. */
struct enc_out {
	const uint8_t *data;
	size_t len;
	bool key;
};

struct encoder;

struct encoder_ops {
	const char *name;
	int (*open)(struct encoder **enc, const struct enc_params *p);
	/* Encode @img; @idr forces an IDR with SPS/PPS.  0 or -errno. */
	int (*encode)(struct encoder *enc, const struct yuv_image *img,
		      bool idr, struct enc_out *out);
	void (*close)(struct encoder *enc);
};

extern const struct encoder_ops encoder_x264;
extern const struct encoder_ops encoder_openh264;

/* Find an encoder by name ("auto", "x264", "openh264"), or NULL. */
const struct encoder_ops *encoder_find(const char *name);

#endif
