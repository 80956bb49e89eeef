// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Encoder selection and the frame encoder: the kept picture, software
 * conversion for encoders that need it, and the fallback to software.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "convert.h"
#include "encoder.h"

struct frame_encoder {
	const struct encoder_ops *ops;
	void *dev;			/* ops->device_open's, or NULL */
	struct encoder *enc;
	struct enc_params p;
	struct yuv_image kept;		/* software encoders' picture */
	bool have_picture;
	/* The encoder that takes over when the hardware one fails. */
	const struct encoder_ops *fallback;
	/* The profile the sink was told (software encoders make it). */
	enum h264_profile profile;
	FILE *log;
};

const struct encoder_ops *encoder_find(const char *name)
{
	if (!strcmp(name, "x264"))
		return &encoder_x264;
	if (!strcmp(name, "openh264"))
		return &encoder_openh264;
	if (!strcmp(name, "vaapi"))
		return &encoder_vaapi;
	return NULL;
}

int frame_encoder_create_ops(struct frame_encoder **out, const struct encoder_ops *ops,
			     const struct encoder_ops *fallback, const char *device, FILE *log)
{
	struct frame_encoder *fe = calloc(1, sizeof(*fe));
	char why[256] = "";
	int ret;

	if (!fe)
		return -ENOMEM;
	fe->log = log;
	fe->ops = ops;
	if (ops->device_open) {
		ret = ops->device_open(&fe->dev, device, why, sizeof(why));
		if (ret && !fallback) {
			fprintf(log, "wfdd: cannot use %s: %s\n", ops->name, why);
			free(fe);
			return ret;
		}
		if (ret) {
			/* The one line that says why this machine encodes in software. */
			fprintf(log, "wfdd: no %s H.264 encoder (%s): using %s\n", ops->long_name,
				why, fallback->name);
			fe->ops = fallback;
		} else {
			fprintf(log, "wfdd: %s: %s\n", ops->long_name, why);
			fe->fallback = fallback;
		}
	}
	*out = fe;
	return 0;
}

int frame_encoder_create(struct frame_encoder **out, const char *name,
			 const char *va_device, FILE *log)
{
	const struct encoder_ops *ops = encoder_find(name);

	/* Only auto may change encoders behind the user's back. */
	if (!strcmp(name, "auto"))
		return frame_encoder_create_ops(out, &encoder_vaapi, &encoder_x264, va_device, log);
	if (!ops)
		return -ENOENT;
	return frame_encoder_create_ops(out, ops, NULL, va_device, log);
}

static void close_encoder(struct frame_encoder *fe)
{
	if (fe->enc)
		fe->ops->close(fe->enc);
	fe->enc = NULL;
	yuv_free(&fe->kept);
	fe->have_picture = false;
}

static int open_encoder(struct frame_encoder *fe, const struct enc_params *p)
{
	int ret;

	fe->p = *p;
	fe->p.device = fe->dev;
	fe->p.profile = fe->profile;
	if (!fe->ops->load) {
		ret = yuv_alloc(&fe->kept, p->width, p->height);
		if (ret)
			return ret;
	}
	ret = fe->ops->open(&fe->enc, &fe->p);
	if (ret) {
		fe->enc = NULL;
		yuv_free(&fe->kept);
	}
	return ret;
}

/* Close the hardware encoder and its device; the fallback is next. */
static void leave_hardware(struct frame_encoder *fe)
{
	close_encoder(fe);
	if (fe->ops->device_close && fe->dev)
		fe->ops->device_close(fe->dev);
	fe->dev = NULL;
	fe->ops = fe->fallback;
	fe->fallback = NULL;
}

/* Leave the hardware for good (on its failure, in auto mode only). */
static int switch_to_fallback(struct frame_encoder *fe, int err)
{
	const struct encoder_ops *hw = fe->ops;
	int32_t diag = frame_encoder_diag(fe, err);
	int ret;

	leave_hardware(fe);
	ret = open_encoder(fe, &fe->p);
	fprintf(fe->log, "wfdd: %s failed (diag %d): %s\n", hw->name, diag,
		ret ? "no encoder left" : "switching to software");
	return ret;
}

/*
 * Read the hardware's kept picture back into @pic, for software to take
 * it over.  0, or -errno with nothing allocated.
 */
static int read_back(struct frame_encoder *fe, struct yuv_image *pic)
{
	int ret;

	if (!frame_encoder_has_picture(fe) || !fe->ops->read_picture)
		return -ENODATA;
	ret = yuv_alloc(pic, fe->p.width, fe->p.height);
	if (!ret) {
		ret = fe->ops->read_picture(fe->enc, pic);
		if (ret)
			yuv_free(pic);
	}
	return ret;
}

/* The software encoder just opened keeps @pic, read back, as its picture. */
static void adopt_picture(struct frame_encoder *fe, struct yuv_image *pic)
{
	yuv_free(&fe->kept);
	fe->kept = *pic;
	fe->have_picture = true;
}

enum h264_profile frame_encoder_profile(const struct frame_encoder *fe)
{
	return fe->dev && fe->ops->profile ? fe->ops->profile(fe->dev) :
	       H264_CONSTRAINED_BASELINE;
}

/* What @ops makes: a device its one profile, software what it says. */
static unsigned int ops_profiles(const struct encoder_ops *ops, void *dev)
{
	if (dev && ops->profile)
		return 1u << ops->profile(dev);
	return ops->profiles ? ops->profiles : 1u << H264_CONSTRAINED_BASELINE;
}

unsigned int frame_encoder_profiles(const struct frame_encoder *fe)
{
	unsigned int mask = ops_profiles(fe->ops, fe->dev);

	if (fe->fallback)
		mask |= ops_profiles(fe->fallback, NULL);
	return mask;
}

static const char *const profile_names[] = {
	[H264_CONSTRAINED_BASELINE] = "Constrained Baseline",
	[H264_CONSTRAINED_HIGH] = "Constrained High",
};

int frame_encoder_use_profile(struct frame_encoder *fe, enum h264_profile profile)
{
	bool was_open = fe->enc != NULL, keep;
	struct yuv_image pic;
	int ret;

	if (!(ops_profiles(fe->ops, fe->dev) & 1u << profile) &&
	    (!fe->fallback || !(ops_profiles(fe->fallback, NULL) & 1u << profile)))
		return -ENOTSUP;
	fe->profile = profile;
	if (ops_profiles(fe->ops, fe->dev) & 1u << profile) {
		/* A software encoder makes it from its next picture; the kept one stays. */
		if (!fe->dev && fe->enc && fe->p.profile != profile) {
			fe->ops->close(fe->enc);
			fe->enc = NULL;
			fe->p.profile = profile;
			ret = fe->ops->open(&fe->enc, &fe->p);
			if (ret) {
				fe->enc = NULL;
				yuv_free(&fe->kept);
				fe->have_picture = false;
			}
			return ret;
		}
		return 0;
	}
	fprintf(fe->log, "wfdd: the sink takes %s, which %s does not make: using %s\n",
		profile_names[profile], fe->ops->name, fe->fallback->name);
	/* Carry the kept picture over: the first IDR may have to show it. */
	keep = !read_back(fe, &pic);
	leave_hardware(fe);
	ret = was_open ? open_encoder(fe, &fe->p) : 0;
	if (keep && !ret)
		adopt_picture(fe, &pic);
	else if (keep)
		yuv_free(&pic);
	return ret;
}

/* A new rate or level with the same size matters too: rate control uses them. */
static bool same_params(const struct enc_params *a, const struct enc_params *b)
{
	return a->width == b->width && a->height == b->height && a->fps == b->fps &&
	       a->bitrate_kbps == b->bitrate_kbps && a->gop == b->gop &&
	       a->level_idc == b->level_idc;
}

int frame_encoder_configure(struct frame_encoder *fe, const struct enc_params *p)
{
	int ret;

	if (fe->enc && same_params(&fe->p, p))
		return 0;
	close_encoder(fe);
	ret = open_encoder(fe, p);
	if (ret && fe->fallback)
		ret = switch_to_fallback(fe, ret);
	if (!ret)
		fprintf(fe->log, "wfdd: encoding %dx%d@%d at %d kbit/s with %s\n",
			p->width, p->height, p->fps, p->bitrate_kbps, fe->ops->name);
	return ret;
}

const struct enc_params *frame_encoder_params(const struct frame_encoder *fe)
{
	return &fe->p;
}

static int load_software(struct frame_encoder *fe, const struct enc_frame *f)
{
	return convert_xrgb_to_i420(f->dmabuf, f->map, f->offset, f->pitch,
				    f->width, f->height, &fe->kept);
}

int frame_encoder_load(struct frame_encoder *fe, const struct enc_frame *f)
{
	int ret;

	if (!fe->enc)
		return -EINVAL;
	ret = fe->ops->load ? fe->ops->load(fe->enc, f) : load_software(fe, f);
	/* The buffer is still held: software can take this very frame. */
	if (ret && fe->fallback) {
		ret = switch_to_fallback(fe, ret);
		if (!ret)
			ret = load_software(fe, f);
	}
	fe->have_picture = !ret;
	return ret;
}

bool frame_encoder_has_picture(const struct frame_encoder *fe)
{
	return fe->enc && fe->have_picture;
}

/* Encode the kept picture (@repeat: again, unchanged), with the fallback. */
static int encode(struct frame_encoder *fe, bool idr, bool repeat, struct enc_out *out)
{
	const struct yuv_image *img;
	struct yuv_image pic;
	int ret;

	if (!frame_encoder_has_picture(fe))
		return -EINVAL;
	img = fe->ops->load ? NULL : &fe->kept;
	if (repeat && !idr && fe->ops->repeat)
		ret = fe->ops->repeat(fe->enc, img, out);
	else
		ret = fe->ops->encode(fe->enc, img, idr, out);
	/*
	 * The scanout buffer is back with the compositor: software can only
	 * take over if the kept picture still reads back from the hardware.
	 */
	if (!ret || ret == -EAGAIN || !fe->fallback || read_back(fe, &pic))
		return ret;
	ret = switch_to_fallback(fe, ret);
	if (!ret) {
		adopt_picture(fe, &pic);
		ret = fe->ops->encode(fe->enc, &fe->kept, true, out);
	} else {
		yuv_free(&pic);
	}
	fe->have_picture = !ret;
	return ret;
}

int frame_encoder_encode(struct frame_encoder *fe, bool idr, struct enc_out *out)
{
	return encode(fe, idr, false, out);
}

int frame_encoder_repeat(struct frame_encoder *fe, struct enc_out *out)
{
	return encode(fe, false, true, out);
}

void frame_encoder_forget(struct frame_encoder *fe, uint64_t buffer_id)
{
	if (fe->enc && fe->ops->forget)
		fe->ops->forget(fe->enc, buffer_id);
}

const char *frame_encoder_name(const struct frame_encoder *fe)
{
	return fe->ops->name;
}

int32_t frame_encoder_diag(const struct frame_encoder *fe, int err)
{
	int32_t d = fe->dev && fe->ops->diag ? fe->ops->diag(fe->dev) : 0;

	return d ? d : err;
}

void frame_encoder_destroy(struct frame_encoder *fe)
{
	if (!fe)
		return;
	close_encoder(fe);
	if (fe->ops->device_close && fe->dev)
		fe->ops->device_close(fe->dev);
	free(fe);
}
