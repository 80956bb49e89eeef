/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * H.264 encoders behind one interface.
 *
 * An encoder takes its picture in one of two ways:
 *  - from a planar I420 picture (struct yuv_image) that the frame encoder
 *    converted from the mapped scanout buffer with libyuv (software
 *    encoders: they only set .encode);
 *  - straight from the scanout dma-buf (zero-copy encoders: they also set
 *    .load, which reads the buffer into a picture the encoder keeps, and
 *    .encode then gets no yuv_image).
 * Either way the scanout buffer is handed back to the kernel as soon as
 * the picture is taken, and the kept picture is what an idle refresh or
 * an IDR request encodes again.  struct frame_encoder hides the
 * difference from the daemon.
 */
#ifndef WFDD_ENCODER_H
#define WFDD_ENCODER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "h264bits.h"

/* A planar I420 picture. */
struct yuv_image {
	int width, height;
	uint8_t *plane[3];
	int stride[3];
};

/* A scanout buffer the kernel holds for us until FRAME_RELEASE. */
struct enc_frame {
	uint64_t buffer_id;	/* stable, never reused (cache key) */
	int dmabuf;		/* owned by the frame source */
	const uint8_t *map;	/* read-only CPU mapping of the whole buffer */
	size_t size;
	uint32_t fourcc;	/* DRM_FORMAT_XRGB8888 or ARGB8888 */
	uint64_t modifier;
	int width, height;
	uint32_t offset, pitch;
};

struct enc_params {
	int width, height;
	int fps;
	int bitrate_kbps;
	int gop;		/* frames between IDRs */
	int level_idc;		/* the level to signal; 0: the smallest that fits */
	/* The profile to make (software encoders; a device makes its own). */
	enum h264_profile profile;
	void *device;		/* from ops->device_open, or NULL */
};

/* One coded access unit, Annex B with an access unit delimiter. */
struct enc_out {
	const uint8_t *data;
	size_t len;
	bool key;
};

struct encoder;

struct encoder_ops {
	const char *name;		/* for --encoder */
	const char *long_name;		/* for the log */
	/*
	 * Optional: find and open the hardware (@path, or the first
	 * suitable device).  On failure, a one-line reason in @why.
	 * 0, -ENODEV (nothing suitable here) or another -errno.
	 */
	int (*device_open)(void **dev, const char *path, char *why, size_t len);
	void (*device_close)(void *dev);
	/* Optional: the profile the device encodes; without, Constrained Baseline. */
	enum h264_profile (*profile)(void *dev);
	/*
	 * Software encoders: the profiles they make, as 1 << enum h264_profile
	 * bits (enc_params.profile picks one); 0 means Constrained Baseline.
	 */
	unsigned int profiles;
	int (*open)(struct encoder **enc, const struct enc_params *p);
	/* Optional (zero-copy): take @f into the kept picture.  0 or -errno. */
	int (*load)(struct encoder *enc, const struct enc_frame *f);
	/* Optional: the kernel dropped this buffer; forget what was cached. */
	void (*forget)(struct encoder *enc, uint64_t buffer_id);
	/*
	 * Encode @img (NULL for zero-copy encoders: the kept picture);
	 * @idr forces an IDR with SPS/PPS.  0, -EAGAIN (no output) or -errno.
	 */
	int (*encode)(struct encoder *enc, const struct yuv_image *img,
		      bool idr, struct enc_out *out);
	/*
	 * Optional: encode the picture again, unchanged since the last
	 * encode, as cheaply as the encoder can (skipped macroblocks, no
	 * refinement); without it, encode() does.
	 */
	int (*repeat)(struct encoder *enc, const struct yuv_image *img, struct enc_out *out);
	/*
	 * Optional (zero-copy): copy the kept picture into @img, for a
	 * software encoder to take over.  0 or -errno.
	 */
	int (*read_picture)(struct encoder *enc, struct yuv_image *img);
	/* Optional: the device's own status of its last failure (VAStatus). */
	int32_t (*diag)(void *dev);
	void (*close)(struct encoder *enc);
};

extern const struct encoder_ops encoder_x264;
extern const struct encoder_ops encoder_openh264;
extern const struct encoder_ops encoder_vaapi;

/* Find an encoder backend by name ("x264", "openh264", "vaapi"), or NULL. */
const struct encoder_ops *encoder_find(const char *name);

/*
 * The frame encoder: picks a backend, owns the kept picture, and falls
 * back to software when the hardware fails while the picture can still
 * be had (the scanout buffer is held, or the kept picture reads back).
 */
struct frame_encoder;

/*
 * @name: "auto" (VA-API if a device can encode H.264 here, else x264),
 * "vaapi", "x264" or "openh264"; @va_device: a render node, or NULL to
 * search.  The decision is logged to @log.  0 or -errno (-ENOENT: unknown
 * name, -ENODEV: the named encoder cannot run here).
 */
int frame_encoder_create(struct frame_encoder **fe, const char *name,
			 const char *va_device, FILE *log);
/*
 * The same with a given encoder, and the one that takes over from it
 * when it cannot run or fails (NULL: none), as "auto" does with VA-API
 * and x264.  @device goes to ops->device_open.
 */
int frame_encoder_create_ops(struct frame_encoder **fe, const struct encoder_ops *ops,
			     const struct encoder_ops *fallback, const char *device, FILE *log);
/*
 * The profile the encoder in use produces without a switch, for the sink
 * to be offered first: a device's own, Constrained Baseline in software.
 */
enum h264_profile frame_encoder_profile(const struct frame_encoder *fe);
/*
 * The profiles a sink may be offered, as 1 << enum h264_profile bits:
 * the encoder's, and those of the software one that can take over
 * (x264 makes both; openh264, the encoder of last resort, Baseline).
 */
unsigned int frame_encoder_profiles(const struct frame_encoder *fe);
/*
 * The sink was told @profile: a software encoder makes that from its next
 * picture on (the kept one stays), a device keeps encoding when it makes
 * it, else the software one takes over, with the kept picture.  0,
 * -ENOTSUP when no encoder here makes @profile, or -errno.
 */
int frame_encoder_use_profile(struct frame_encoder *fe, enum h264_profile profile);
/* (Re)open for @p unless already open with the same parameters.  0 or -errno. */
int frame_encoder_configure(struct frame_encoder *fe, const struct enc_params *p);
/* The parameters it was last configured with (zeros before). */
const struct enc_params *frame_encoder_params(const struct frame_encoder *fe);
/* Take the picture of @f; the buffer may be released when this returns. */
int frame_encoder_load(struct frame_encoder *fe, const struct enc_frame *f);
/* Whether there is a kept picture to encode. */
bool frame_encoder_has_picture(const struct frame_encoder *fe);
/* Encode the kept picture.  0, -EAGAIN (no output) or -errno. */
int frame_encoder_encode(struct frame_encoder *fe, bool idr, struct enc_out *out);
/*
 * Encode the kept picture again, unchanged since the last encode (an
 * idle refresh): as cheaply as the encoder can.  The same returns.
 */
int frame_encoder_repeat(struct frame_encoder *fe, struct enc_out *out);
void frame_encoder_forget(struct frame_encoder *fe, uint64_t buffer_id);
/* The backend name in use. */
const char *frame_encoder_name(const struct frame_encoder *fe);
/* The diag to report after a failure: the backend's status, else @err. */
int32_t frame_encoder_diag(const struct frame_encoder *fe, int err);
void frame_encoder_destroy(struct frame_encoder *fe);

#endif
