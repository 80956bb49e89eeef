// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Hardware H.264 encoder through VA-API, zero-copy: the scanout dma-buf
 * is imported as an RGB surface (once per buffer id), VPP converts and
 * scales it into the NV12 picture this encoder keeps, and the encoder
 * codes that picture.  Constrained Baseline, or Constrained High (High
 * with constraint_set4/5 in an SPS wfdd writes itself) on drivers that
 * offer no Constrained Baseline but take packed headers.  P-frames only,
 * one reference, CBR when the driver has it, IDR on request with SPS/PPS
 * in front.  The kept picture reads back as I420 for a software encoder
 * to take over when this one fails.
 */
#define _POSIX_C_SOURCE 200809L
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <drm_fourcc.h>
#include <xf86drm.h>
#include <va/va.h>
#include <va/va_drm.h>
#include <va/va_drmcommon.h>
#include <va/va_enc_h264.h>
#include <va/va_vpp.h>
#include <libyuv.h>

#include "enc_vaapi.h"
#include "encoder.h"
#include "h264bits.h"

#define LOG2_MAX_FRAME_NUM	8
#define SURFACES		3	/* the kept picture, two reconstructions */

struct va_device {
	int fd;
	VADisplay dpy;
	VAProfile profile;
	enum h264_profile h264_profile;
	VAEntrypoint entrypoint;
	uint32_t rc;		/* VA_RC_*; 0: the driver has no choice */
	/*
	 * VA_ENC_PACKED_HEADER_* of the headers wfdd writes: SEQUENCE, and
	 * PICTURE where the driver takes it (else the PPS goes with the SPS,
	 * as the drivers that only take SEQUENCE expect).  0: the driver's.
	 */
	uint32_t packed;
	VAStatus last;		/* the last failure, reported as diag */
};

/* A scanout buffer imported as a VA surface, until BUFFER_GONE. */
struct va_import {
	uint64_t id;		/* 0: free slot */
	VASurfaceID surface;
	/* What the surface was made from: a change needs a new import. */
	uint32_t fourcc, offset, pitch;
	uint64_t modifier;
	int width, height;
};

struct encoder {
	struct va_device *dev;
	VADisplay dpy;
	struct enc_params p;
	struct h264_seq seq;
	int mbw, mbh;
	VAConfigID enc_cfg, vpp_cfg;
	VAContextID enc_ctx, vpp_ctx;
	/* [0]: the kept NV12 picture; [1], [2]: reconstructed pictures. */
	VASurfaceID surf[SURFACES];
	bool have_surfaces;
	VABufferID coded;
	size_t coded_size;
	struct va_import *imports;
	size_t nimports;
	int cur;		/* reconstruction the next picture goes to */
	bool started;
	uint32_t since_idr;	/* pictures since the last IDR */
	uint16_t idr_pic_id;
	VAPictureH264 ref;	/* the previous picture */
	uint8_t *out;
	size_t out_cap;
};

static const char *profile_name(enum h264_profile p)
{
	return p == H264_CONSTRAINED_HIGH ? "Constrained High" : "Constrained Baseline";
}

static void append(char *why, size_t len, const char *fmt, const char *a, const char *b)
{
	size_t n = strlen(why);

	if (n + 2 < len)
		snprintf(why + n, len - n, fmt, a, b);
}

static void va_quiet(void *ctx, const char *msg)
{
	(void)ctx;
	(void)msg;
}

static void va_error(void *ctx, const char *msg)
{
	(void)ctx;
	fprintf(stderr, "wfdd: libva: %s", msg);
}

static bool has_entrypoint(VADisplay dpy, VAProfile prof, VAEntrypoint want)
{
	int n = vaMaxNumEntrypoints(dpy);
	VAEntrypoint *eps;
	bool found = false;

	if (n <= 0)
		return false;
	eps = calloc((size_t)n, sizeof(*eps));
	if (eps && vaQueryConfigEntrypoints(dpy, prof, eps, &n) == VA_STATUS_SUCCESS)
		for (int i = 0; i < n; i++)
			found |= eps[i] == want;
	free(eps);
	return found;
}

/*
 * Pick profile, entrypoint, rate control and header mode on an
 * initialized display.  0, or -ENODEV with the reason in @why.
 */
static int pick_config(struct va_device *d, char *why, size_t len)
{
	static const struct {
		VAProfile va;
		enum h264_profile h264;
	} profiles[] = {
		{ VAProfileH264ConstrainedBaseline, H264_CONSTRAINED_BASELINE },
		{ VAProfileH264High, H264_CONSTRAINED_HIGH },
	};
	/* Full encode first; the low-power one (VDEnc) is all some iHD parts have. */
	static const VAEntrypoint eps[] = { VAEntrypointEncSlice, VAEntrypointEncSliceLP };
	bool encodes = false;

	if (!has_entrypoint(d->dpy, VAProfileNone, VAEntrypointVideoProc)) {
		snprintf(why, len, "no video processing (VPP) for RGB to NV12");
		return -ENODEV;
	}
	for (size_t i = 0; i < sizeof(profiles) / sizeof(profiles[0]); i++) {
		for (size_t j = 0; j < sizeof(eps) / sizeof(eps[0]); j++) {
			VAConfigAttrib a[3] = {
				{ .type = VAConfigAttribRTFormat },
				{ .type = VAConfigAttribRateControl },
				{ .type = VAConfigAttribEncPackedHeaders },
			};
			uint32_t packed;

			if (!has_entrypoint(d->dpy, profiles[i].va, eps[j]))
				continue;
			encodes = true;
			if (vaGetConfigAttributes(d->dpy, profiles[i].va, eps[j], a, 3) ||
			    a[0].value == VA_ATTRIB_NOT_SUPPORTED ||
			    !(a[0].value & VA_RT_FORMAT_YUV420))
				continue;
			packed = a[2].value == VA_ATTRIB_NOT_SUPPORTED ? 0 :
				 a[2].value & (VA_ENC_PACKED_HEADER_SEQUENCE |
					       VA_ENC_PACKED_HEADER_PICTURE);
			if (!(packed & VA_ENC_PACKED_HEADER_SEQUENCE))
				packed = 0;
			/* Only our own SPS can say "Constrained High". */
			if (profiles[i].h264 == H264_CONSTRAINED_HIGH && !packed)
				continue;
			if (a[1].value == VA_ATTRIB_NOT_SUPPORTED)
				d->rc = 0;
			else if (a[1].value & VA_RC_CBR)
				d->rc = VA_RC_CBR;
			else if (a[1].value & VA_RC_VBR)
				d->rc = VA_RC_VBR;
			else if (a[1].value & VA_RC_CQP)
				d->rc = VA_RC_CQP;
			else
				continue;
			d->profile = profiles[i].va;
			d->h264_profile = profiles[i].h264;
			d->entrypoint = eps[j];
			d->packed = packed;
			return 0;
		}
	}
	snprintf(why, len, encodes ? "no H.264 encode configuration wfdd can use" :
		 "no H.264 encode entrypoint");
	return -ENODEV;
}

/* Initialize VA on d->fd and pick the encode configuration. */
static int init_display(struct va_device *d, const char *path, const char *drv,
			char *why, size_t len)
{
	char reason[128];
	VAStatus st;
	int major, minor, ret;

	d->dpy = vaGetDisplayDRM(d->fd);
	if (!d->dpy) {
		snprintf(why, len, "%s: no VA display", drv);
		return -ENODEV;
	}
	vaSetInfoCallback(d->dpy, va_quiet, NULL);
	vaSetErrorCallback(d->dpy, va_error, NULL);
	st = vaInitialize(d->dpy, &major, &minor);
	if (st != VA_STATUS_SUCCESS) {
		snprintf(why, len, "%s: vaInitialize: %s", drv, vaErrorStr(st));
		vaTerminate(d->dpy);	/* frees the display, even half made */
		d->dpy = NULL;
		return -ENODEV;
	}
	ret = pick_config(d, reason, sizeof(reason));
	if (ret) {
		snprintf(why, len, "%s (%s): %s", drv, vaQueryVendorString(d->dpy), reason);
		vaTerminate(d->dpy);
		d->dpy = NULL;
		return ret;
	}
	snprintf(why, len, "%s, %s (%s): %s, %s, %s%s", path, drv, vaQueryVendorString(d->dpy),
		 profile_name(d->h264_profile),
		 d->entrypoint == VAEntrypointEncSliceLP ? "low power" : "full encode",
		 d->rc == VA_RC_CBR ? "CBR" : d->rc == VA_RC_VBR ? "VBR" :
		 d->rc == VA_RC_CQP ? "constant QP only" : "driver rate control",
		 d->packed ? ", wfdd's SPS/PPS" : ", the driver's SPS/PPS");
	return 0;
}

/*
 * Open @path as a VA display able to encode.  0, or -errno with the
 * reason in @why.  wfd's and vgem's nodes are refused by driver name:
 * neither has a VA driver, and loading one would only log noise.
 */
static int open_node(struct va_device *d, const char *path, char *why, size_t len)
{
	char drv[64] = "";
	drmVersionPtr v;
	int ret;

	d->fd = open(path, O_RDWR | O_CLOEXEC);
	if (d->fd < 0) {
		ret = -errno;
		snprintf(why, len, "%s", strerror(errno));
		return ret;
	}
	v = drmGetVersion(d->fd);
	if (!v) {
		snprintf(why, len, "not a DRM device");
		ret = -ENODEV;
		goto fail;
	}
	snprintf(drv, sizeof(drv), "%s", v->name);
	drmFreeVersion(v);
	if (!strcmp(drv, "wfd") || !strcmp(drv, "vgem")) {
		snprintf(why, len, "%s's node, not an encoder", drv);
		ret = -ENODEV;
		goto fail;
	}
	ret = init_display(d, path, drv, why, len);
	if (ret)
		goto fail;
	return 0;
fail:
	close(d->fd);
	d->fd = -1;
	return ret;
}

static int va_device_open_path(void **dev, const char *path, char *why, size_t len)
{
	struct va_device *d = calloc(1, sizeof(*d));
	int ret;

	if (!d)
		return -ENOMEM;
	ret = open_node(d, path, why, len);
	if (ret) {
		free(d);
		return ret;
	}
	*dev = d;
	return 0;
}

int vaapi_device_open_fd(void **dev, int fd, const char *name, char *why, size_t len)
{
	struct va_device *d = calloc(1, sizeof(*d));
	drmVersionPtr v = drmGetVersion(fd);
	char drv[64];
	int ret;

	snprintf(drv, sizeof(drv), "%s", v ? v->name : "not DRM");
	if (v)
		drmFreeVersion(v);
	if (!d) {
		close(fd);
		return -ENOMEM;
	}
	d->fd = fd;
	ret = init_display(d, name, drv, why, len);
	if (ret) {
		close(fd);
		free(d);
		return ret;
	}
	*dev = d;
	return 0;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int vaapi_device_find(void **dev, const char *dir, char *why, size_t len)
{
	char **names = NULL, reason[256];
	size_t n = 0, cap = 0;
	struct dirent *de;
	int ret = -ENODEV;
	DIR *d;

	why[0] = 0;
	d = opendir(dir);
	if (!d) {
		snprintf(why, len, "%s: %s", dir, strerror(errno));
		return -ENODEV;
	}
	while ((de = readdir(d))) {
		if (strncmp(de->d_name, "renderD", 7))
			continue;
		if (n == cap) {
			char **nn = realloc(names, (cap + 8) * sizeof(*nn));

			if (!nn)
				break;
			names = nn;
			cap += 8;
		}
		names[n] = strdup(de->d_name);
		if (names[n])
			n++;
	}
	closedir(d);
	if (n)
		qsort(names, n, sizeof(*names), cmp_names);
	for (size_t i = 0; i < n && ret; i++) {
		char path[512];

		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		reason[0] = 0;
		ret = va_device_open_path(dev, path, reason, sizeof(reason));
		if (ret)
			append(why, len, *why ? "; %s: %s" : "%s: %s", names[i], reason);
		else
			snprintf(why, len, "%s", reason);
	}
	if (!n)
		snprintf(why, len, "no render node in %s", dir);
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return ret ? -ENODEV : 0;
}

static int va_device_open(void **dev, const char *path, char *why, size_t len)
{
	int ret;

	if (!path)
		return vaapi_device_find(dev, "/dev/dri", why, len);
	why[0] = 0;
	ret = va_device_open_path(dev, path, why, len);
	if (ret) {
		char reason[256];

		snprintf(reason, sizeof(reason), "%s", why);
		snprintf(why, len, "%s: %s", path, reason);
	}
	return ret;
}

static void va_device_close(void *dev)
{
	struct va_device *d = dev;

	if (!d)
		return;
	vaTerminate(d->dpy);
	close(d->fd);
	free(d);
}

static bool va_ok(struct encoder *e, VAStatus st, const char *what)
{
	if (st == VA_STATUS_SUCCESS)
		return true;
	e->dev->last = st;
	fprintf(stderr, "wfdd: vaapi: %s: %s\n", what, vaErrorStr(st));
	return false;
}

static void va_close(struct encoder *e)
{
	for (size_t i = 0; i < e->nimports; i++)
		if (e->imports[i].id)
			vaDestroySurfaces(e->dpy, &e->imports[i].surface, 1);
	free(e->imports);
	if (e->coded != VA_INVALID_ID)
		vaDestroyBuffer(e->dpy, e->coded);
	if (e->vpp_ctx != VA_INVALID_ID)
		vaDestroyContext(e->dpy, e->vpp_ctx);
	if (e->enc_ctx != VA_INVALID_ID)
		vaDestroyContext(e->dpy, e->enc_ctx);
	if (e->have_surfaces)
		vaDestroySurfaces(e->dpy, e->surf, SURFACES);
	if (e->vpp_cfg != VA_INVALID_ID)
		vaDestroyConfig(e->dpy, e->vpp_cfg);
	if (e->enc_cfg != VA_INVALID_ID)
		vaDestroyConfig(e->dpy, e->enc_cfg);
	free(e->out);
	free(e);
}

static int va_open(struct encoder **out, const struct enc_params *p)
{
	struct va_device *dev = p->device;
	VAConfigAttrib ca[3] = { { .type = VAConfigAttribRTFormat, .value = VA_RT_FORMAT_YUV420 } };
	VASurfaceAttrib sa = {
		.type = VASurfaceAttribPixelFormat,
		.flags = VA_SURFACE_ATTRIB_SETTABLE,
		.value = { .type = VAGenericValueTypeInteger, .value.i = VA_FOURCC_NV12 },
	};
	struct encoder *e;
	int nca = 1, aw, ah;

	if (!dev)
		return -ENODEV;
	e = calloc(1, sizeof(*e));
	if (!e)
		return -ENOMEM;
	e->dev = dev;
	e->dpy = dev->dpy;
	e->p = *p;
	e->enc_cfg = e->vpp_cfg = VA_INVALID_ID;
	e->enc_ctx = e->vpp_ctx = VA_INVALID_ID;
	e->coded = VA_INVALID_ID;
	e->mbw = (p->width + 15) / 16;
	e->mbh = (p->height + 15) / 16;
	aw = e->mbw * 16;
	ah = e->mbh * 16;
	e->seq = (struct h264_seq){
		.profile = dev->h264_profile,
		.level_idc = p->level_idc ? p->level_idc :
			     h264_level_for(p->width, p->height, p->fps, p->bitrate_kbps),
		.width = p->width,
		.height = p->height,
		.fps = p->fps,
		.log2_max_frame_num = LOG2_MAX_FRAME_NUM,
		.pic_init_qp = 26,
	};
	if (!e->seq.level_idc) {
		fprintf(stderr, "wfdd: vaapi: no H.264 level takes %dx%d@%d at %d kbit/s\n",
			p->width, p->height, p->fps, p->bitrate_kbps);
		free(e);
		return -EINVAL;
	}
	if (dev->rc)
		ca[nca++] = (VAConfigAttrib){ .type = VAConfigAttribRateControl, .value = dev->rc };
	if (dev->packed)
		ca[nca++] = (VAConfigAttrib){ .type = VAConfigAttribEncPackedHeaders,
					      .value = dev->packed };
	/* A coded picture never comes near raw 4:2:0 size plus headers. */
	e->coded_size = (size_t)aw * (size_t)ah * 3 / 2 + 65536;
	if (!va_ok(e, vaCreateConfig(e->dpy, dev->profile, dev->entrypoint, ca, nca, &e->enc_cfg),
		   "encode config") ||
	    !va_ok(e, vaCreateSurfaces(e->dpy, VA_RT_FORMAT_YUV420, (unsigned int)aw,
				       (unsigned int)ah, e->surf, SURFACES, &sa, 1),
		   "NV12 surfaces"))
		goto fail;
	e->have_surfaces = true;
	if (!va_ok(e, vaCreateContext(e->dpy, e->enc_cfg, aw, ah, VA_PROGRESSIVE, e->surf,
				      SURFACES, &e->enc_ctx), "encode context") ||
	    !va_ok(e, vaCreateConfig(e->dpy, VAProfileNone, VAEntrypointVideoProc, NULL, 0,
				     &e->vpp_cfg), "VPP config") ||
	    !va_ok(e, vaCreateContext(e->dpy, e->vpp_cfg, aw, ah, VA_PROGRESSIVE, e->surf, 1,
				      &e->vpp_ctx), "VPP context") ||
	    !va_ok(e, vaCreateBuffer(e->dpy, e->enc_ctx, VAEncCodedBufferType,
				     (unsigned int)e->coded_size, 1, NULL, &e->coded),
		   "coded buffer"))
		goto fail;
	if (dev->rc == VA_RC_CQP)
		fprintf(stderr, "wfdd: vaapi: the driver has constant QP only: the bit rate is not held\n");
	*out = e;
	return 0;
fail:
	va_close(e);
	return -EIO;
}

static int import(struct encoder *e, const struct enc_frame *f, VASurfaceID *s)
{
	uint32_t va_fourcc = f->fourcc == DRM_FORMAT_ARGB8888 ? VA_FOURCC_BGRA : VA_FOURCC_BGRX;
	/* wfd scans out linear buffers only: "no modifier" means linear. */
	uint64_t mod = f->modifier == DRM_FORMAT_MOD_INVALID ? DRM_FORMAT_MOD_LINEAR : f->modifier;
	VADRMPRIMESurfaceDescriptor desc = {
		.fourcc = va_fourcc,
		.width = (uint32_t)f->width,
		.height = (uint32_t)f->height,
		.num_objects = 1,
		.objects[0] = { .fd = f->dmabuf, .size = (uint32_t)f->size,
				.drm_format_modifier = mod },
		.num_layers = 1,
		.layers[0] = { .drm_format = f->fourcc, .num_planes = 1,
			       .offset[0] = f->offset, .pitch[0] = f->pitch },
	};
	VASurfaceAttrib a[3] = {
		{ .type = VASurfaceAttribMemoryType, .flags = VA_SURFACE_ATTRIB_SETTABLE,
		  .value = { .type = VAGenericValueTypeInteger,
			     .value.i = VA_SURFACE_ATTRIB_MEM_TYPE_DRM_PRIME_2 } },
		{ .type = VASurfaceAttribExternalBufferDescriptor,
		  .flags = VA_SURFACE_ATTRIB_SETTABLE,
		  .value = { .type = VAGenericValueTypePointer, .value.p = &desc } },
	};
	uintptr_t handle = (uintptr_t)f->dmabuf;
	VASurfaceAttribExternalBuffers eb = {
		.pixel_format = va_fourcc,
		.width = (uint32_t)f->width,
		.height = (uint32_t)f->height,
		.data_size = (uint32_t)f->size,
		.num_planes = 1,
		.pitches[0] = f->pitch,
		.offsets[0] = f->offset,
		.buffers = &handle,
		.num_buffers = 1,
	};
	VAStatus st;

	if (f->fourcc != DRM_FORMAT_XRGB8888 && f->fourcc != DRM_FORMAT_ARGB8888)
		return -EINVAL;
	st = vaCreateSurfaces(e->dpy, VA_RT_FORMAT_RGB32, (unsigned int)f->width,
			      (unsigned int)f->height, s, 1, a, 2);
	if (st == VA_STATUS_SUCCESS)
		return 0;
	/* Drivers older than the PRIME_2 descriptor take one linear object. */
	if (mod != DRM_FORMAT_MOD_LINEAR) {
		va_ok(e, st, "import (DRM PRIME 2)");
		return -EIO;
	}
	a[0].value.value.i = VA_SURFACE_ATTRIB_MEM_TYPE_DRM_PRIME;
	a[1].value.value.p = &eb;
	a[2] = (VASurfaceAttrib){ .type = VASurfaceAttribPixelFormat,
				  .flags = VA_SURFACE_ATTRIB_SETTABLE,
				  .value = { .type = VAGenericValueTypeInteger,
					     .value.i = (int)va_fourcc } };
	st = vaCreateSurfaces(e->dpy, VA_RT_FORMAT_RGB32, (unsigned int)f->width,
			      (unsigned int)f->height, s, 1, a, 3);
	return va_ok(e, st, "import (DRM PRIME)") ? 0 : -EIO;
}

static void forget_slot(struct encoder *e, struct va_import *im)
{
	vaDestroySurfaces(e->dpy, &im->surface, 1);
	memset(im, 0, sizeof(*im));
}

/* The imported surface of @f's buffer: from the cache, or imported now. */
static int surface_of(struct encoder *e, const struct enc_frame *f, VASurfaceID *s)
{
	struct va_import *im = NULL;
	int ret;

	for (size_t i = 0; i < e->nimports && !im; i++)
		if (e->imports[i].id == f->buffer_id)
			im = &e->imports[i];
	if (im && im->fourcc == f->fourcc && im->offset == f->offset &&
	    im->pitch == f->pitch && im->modifier == f->modifier &&
	    im->width == f->width && im->height == f->height) {
		*s = im->surface;
		return 0;
	}
	if (im)
		forget_slot(e, im);
	for (size_t i = 0; i < e->nimports && !im; i++)
		if (!e->imports[i].id)
			im = &e->imports[i];
	if (!im) {
		struct va_import *n = realloc(e->imports, (e->nimports + 4) * sizeof(*n));

		if (!n)
			return -ENOMEM;
		memset(n + e->nimports, 0, 4 * sizeof(*n));
		e->imports = n;
		im = &e->imports[e->nimports];
		e->nimports += 4;
	}
	ret = import(e, f, s);
	if (ret)
		return ret;
	*im = (struct va_import){ .id = f->buffer_id, .surface = *s,
				  .fourcc = f->fourcc, .offset = f->offset, .pitch = f->pitch,
				  .modifier = f->modifier, .width = f->width, .height = f->height };
	return 0;
}

static int va_load(struct encoder *e, const struct enc_frame *f)
{
	VARectangle src = { 0, 0, (uint16_t)f->width, (uint16_t)f->height };
	VARectangle dst = { 0, 0, (uint16_t)e->p.width, (uint16_t)e->p.height };
	VAProcPipelineParameterBuffer pp = {
		.surface_region = &src,
		.surface_color_standard = VAProcColorStandardSRGB,
		.output_region = &dst,
		.output_background_color = 0xff000000,
		/* The matrix and range the software path (libyuv) uses too. */
		.output_color_standard = VAProcColorStandardBT601,
		.input_color_properties.color_range = VA_SOURCE_RANGE_FULL,
		.output_color_properties.color_range = VA_SOURCE_RANGE_REDUCED,
	};
	VABufferID buf = VA_INVALID_ID;
	bool ok;
	int ret;

	ret = surface_of(e, f, &pp.surface);
	if (ret)
		return ret;
	if (!va_ok(e, vaCreateBuffer(e->dpy, e->vpp_ctx, VAProcPipelineParameterBufferType,
				     sizeof(pp), 1, &pp, &buf), "VPP parameters"))
		return -EIO;
	ok = va_ok(e, vaBeginPicture(e->dpy, e->vpp_ctx, e->surf[0]), "VPP begin");
	if (ok) {
		ok = va_ok(e, vaRenderPicture(e->dpy, e->vpp_ctx, &buf, 1), "VPP render");
		ok &= va_ok(e, vaEndPicture(e->dpy, e->vpp_ctx), "VPP end");
	}
	vaDestroyBuffer(e->dpy, buf);
	/* VPP is done with the scanout buffer when this returns: release it. */
	if (ok)
		ok = va_ok(e, vaSyncSurface(e->dpy, e->surf[0]), "VPP sync");
	return ok ? 0 : -EIO;
}

static void va_forget(struct encoder *e, uint64_t buffer_id)
{
	for (size_t i = 0; i < e->nimports; i++)
		if (e->imports[i].id == buffer_id)
			forget_slot(e, &e->imports[i]);
}

struct va_bufs {
	VABufferID id[12];
	unsigned int n;
};

static bool add_buf(struct encoder *e, struct va_bufs *b, VABufferType type,
		    const void *data, size_t size)
{
	if (b->n == sizeof(b->id) / sizeof(b->id[0]))
		return false;
	if (!va_ok(e, vaCreateBuffer(e->dpy, e->enc_ctx, type, (unsigned int)size, 1,
				     (void *)data, &b->id[b->n]), "parameter buffer"))
		return false;
	b->n++;
	return true;
}

static bool add_misc(struct encoder *e, struct va_bufs *b, VAEncMiscParameterType type,
		     const void *data, size_t size)
{
	uint8_t buf[sizeof(VAEncMiscParameterBuffer) + sizeof(VAEncMiscParameterRateControl)];
	VAEncMiscParameterBuffer head = { .type = type };

	if (size > sizeof(buf) - sizeof(head))
		return false;
	memcpy(buf, &head, sizeof(head));
	memcpy(buf + sizeof(head), data, size);
	return add_buf(e, b, VAEncMiscParameterBufferType, buf, sizeof(head) + size);
}

static bool add_packed(struct encoder *e, struct va_bufs *b, uint32_t type,
		       const uint8_t *nal, int len)
{
	VAEncPackedHeaderParameterBuffer ph = {
		.type = type,
		.bit_length = 8 * (uint32_t)len,
		.has_emulation_bytes = 1,
	};

	return len > 0 &&
	       add_buf(e, b, VAEncPackedHeaderParameterBufferType, &ph, sizeof(ph)) &&
	       add_buf(e, b, VAEncPackedHeaderDataBufferType, nal, (size_t)len);
}

/* Sequence-level buffers, sent with every IDR. */
static bool add_sequence(struct encoder *e, struct va_bufs *b)
{
	uint32_t bps = (uint32_t)e->p.bitrate_kbps * 1000;
	int cw = e->mbw * 16 - e->p.width, ch = e->mbh * 16 - e->p.height;
	VAEncSequenceParameterBufferH264 sq = {
		.level_idc = (uint8_t)e->seq.level_idc,
		.intra_period = (uint32_t)e->p.gop,
		.intra_idr_period = (uint32_t)e->p.gop,
		.ip_period = 1,				/* no B-frames */
		.bits_per_second = e->dev->rc == VA_RC_CQP ? 0 : bps,
		.max_num_ref_frames = 1,
		.picture_width_in_mbs = (uint16_t)e->mbw,
		.picture_height_in_mbs = (uint16_t)e->mbh,
		.seq_fields.bits = {
			.chroma_format_idc = 1,
			.frame_mbs_only_flag = 1,
			.direct_8x8_inference_flag = 1,
			.log2_max_frame_num_minus4 = LOG2_MAX_FRAME_NUM - 4,
			.pic_order_cnt_type = 2,	/* output order = decode order */
		},
		.frame_cropping_flag = cw || ch,
		.frame_crop_right_offset = (uint32_t)cw / 2,
		.frame_crop_bottom_offset = (uint32_t)ch / 2,
		.vui_parameters_present_flag = 1,
		.vui_fields.bits = {
			.aspect_ratio_info_present_flag = 1,
			.timing_info_present_flag = 1,
			.bitstream_restriction_flag = 1,
			.log2_max_mv_length_horizontal = 15,
			.log2_max_mv_length_vertical = 15,
			.motion_vectors_over_pic_boundaries_flag = 1,
		},
		.aspect_ratio_idc = 1,
		.num_units_in_tick = 1,
		.time_scale = 2 * (uint32_t)e->p.fps,
	};
	VAEncMiscParameterRateControl rc = {
		.bits_per_second = bps,
		/* VBR: aim a little under the peak the link was sized for. */
		.target_percentage = e->dev->rc == VA_RC_VBR ? 90 : 100,
		.window_size = 1000,
		.initial_qp = (uint32_t)e->seq.pic_init_qp,
		/* Every frame matters: a skipped one is a stale screen. */
		.rc_flags.bits.disable_frame_skip = 1,
	};
	/* A quarter-second buffer, as for x264: room for IDRs at low latency. */
	VAEncMiscParameterHRD hrd = {
		.buffer_size = bps / 4,
		.initial_buffer_fullness = bps / 4 * 3 / 4,
	};
	VAEncMiscParameterFrameRate fr = { .framerate = (uint32_t)e->p.fps | 1u << 16 };
	uint8_t hdr[160];
	int sps, pps;

	if (!add_buf(e, b, VAEncSequenceParameterBufferType, &sq, sizeof(sq)))
		return false;
	if (e->dev->rc == VA_RC_CBR || e->dev->rc == VA_RC_VBR) {
		if (!add_misc(e, b, VAEncMiscParameterTypeRateControl, &rc, sizeof(rc)) ||
		    !add_misc(e, b, VAEncMiscParameterTypeHRD, &hrd, sizeof(hrd)))
			return false;
	}
	if (!add_misc(e, b, VAEncMiscParameterTypeFrameRate, &fr, sizeof(fr)))
		return false;
	if (!e->dev->packed)
		return true;
	sps = h264_write_sps(&e->seq, hdr, sizeof(hdr));
	pps = sps > 0 ? h264_write_pps(&e->seq, hdr + sps, sizeof(hdr) - (size_t)sps) : -1;
	if (sps <= 0 || pps <= 0)
		return false;
	if (!(e->dev->packed & VA_ENC_PACKED_HEADER_PICTURE))
		return add_packed(e, b, VAEncPackedHeaderSequence, hdr, sps + pps);
	return add_packed(e, b, VAEncPackedHeaderSequence, hdr, sps) &&
	       add_packed(e, b, VAEncPackedHeaderPicture, hdr + sps, pps);
}

static int collect(struct encoder *e, struct enc_out *out)
{
	VACodedBufferSegment *seg, *s;
	size_t len = sizeof(h264_aud);

	if (!va_ok(e, vaMapBuffer(e->dpy, e->coded, (void **)&seg), "map coded buffer"))
		return -EIO;
	for (s = seg; s; s = s->next)
		len += s->size;
	if (len > e->out_cap) {
		uint8_t *n = realloc(e->out, len);

		if (!n) {
			vaUnmapBuffer(e->dpy, e->coded);
			return -ENOMEM;
		}
		e->out = n;
		e->out_cap = len;
	}
	/* The drivers write no access unit delimiter; MPEG-TS wants one. */
	memcpy(e->out, h264_aud, sizeof(h264_aud));
	len = sizeof(h264_aud);
	for (s = seg; s; s = s->next) {
		memcpy(e->out + len, s->buf, s->size);
		len += s->size;
	}
	vaUnmapBuffer(e->dpy, e->coded);
	out->data = e->out;
	out->len = len;
	return len > sizeof(h264_aud) ? 0 : -EIO;
}

static int va_encode(struct encoder *e, const struct yuv_image *img, bool idr,
		     struct enc_out *out)
{
	static const VAPictureH264 none = { .picture_id = VA_INVALID_SURFACE,
					    .flags = VA_PICTURE_H264_INVALID };
	bool high = e->seq.profile == H264_CONSTRAINED_HIGH;
	VAEncPictureParameterBufferH264 pic = {
		.coded_buf = e->coded,
		.pic_init_qp = (uint8_t)e->seq.pic_init_qp,
		.pic_fields.bits = {
			.reference_pic_flag = 1,
			.entropy_coding_mode_flag = high,	/* CAVLC for Baseline */
			.deblocking_filter_control_present_flag = 1,
		},
	};
	VAEncSliceParameterBufferH264 sl = {
		.num_macroblocks = (uint32_t)(e->mbw * e->mbh),
		.macroblock_info = VA_INVALID_ID,
	};
	struct va_bufs b = { .n = 0 };
	uint16_t frame_num;
	int32_t poc;
	bool ok;
	int ret;

	(void)img;	/* zero-copy: the kept picture is e->surf[0] */
	idr |= !e->started;
	if (idr)
		e->since_idr = 0;
	frame_num = (uint16_t)(e->since_idr % (1u << LOG2_MAX_FRAME_NUM));
	/* POC type 2: twice the pictures since the IDR (bounded by the IDR interval). */
	poc = (int32_t)(2 * (e->since_idr & 0x3fffffff));
	pic.CurrPic = (VAPictureH264){ .picture_id = e->surf[1 + e->cur], .frame_idx = frame_num,
				       .TopFieldOrderCnt = poc, .BottomFieldOrderCnt = poc };
	pic.frame_num = frame_num;
	pic.pic_fields.bits.idr_pic_flag = idr;
	for (int i = 0; i < 16; i++)
		pic.ReferenceFrames[i] = none;
	for (int i = 0; i < 32; i++)
		sl.RefPicList0[i] = sl.RefPicList1[i] = none;
	if (!idr)
		pic.ReferenceFrames[0] = sl.RefPicList0[0] = e->ref;
	sl.slice_type = idr ? 2 : 0;	/* I or P */
	sl.idr_pic_id = e->idr_pic_id;

	ok = (!idr || add_sequence(e, &b)) &&
	     add_buf(e, &b, VAEncPictureParameterBufferType, &pic, sizeof(pic)) &&
	     add_buf(e, &b, VAEncSliceParameterBufferType, &sl, sizeof(sl));
	if (ok && (ok = va_ok(e, vaBeginPicture(e->dpy, e->enc_ctx, e->surf[0]), "begin"))) {
		ok = va_ok(e, vaRenderPicture(e->dpy, e->enc_ctx, b.id, (int)b.n), "render");
		ok &= va_ok(e, vaEndPicture(e->dpy, e->enc_ctx), "end");
	}
	for (unsigned int i = 0; i < b.n; i++)
		vaDestroyBuffer(e->dpy, b.id[i]);
	if (!ok || !va_ok(e, vaSyncSurface(e->dpy, e->surf[0]), "sync"))
		return -EIO;
	ret = collect(e, out);
	if (ret)
		return ret;
	out->key = idr;
	/* This picture is the next one's reference. */
	e->ref = pic.CurrPic;
	e->ref.flags = VA_PICTURE_H264_SHORT_TERM_REFERENCE;
	e->cur = !e->cur;
	e->since_idr++;
	if (idr)
		e->idr_pic_id++;
	e->started = true;
	return 0;
}

static int va_read_picture(struct encoder *e, struct yuv_image *img)
{
	VAImageFormat fmt = { .fourcc = VA_FOURCC_NV12, .byte_order = VA_LSB_FIRST,
			      .bits_per_pixel = 12 };
	VAImage im = { .image_id = VA_INVALID_ID };
	uint8_t *p = NULL;
	bool ok;

	ok = va_ok(e, vaCreateImage(e->dpy, &fmt, e->p.width, e->p.height, &im), "image") &&
	     va_ok(e, vaGetImage(e->dpy, e->surf[0], 0, 0, (unsigned int)e->p.width,
				 (unsigned int)e->p.height, im.image_id), "read back") &&
	     va_ok(e, vaMapBuffer(e->dpy, im.buf, (void **)&p), "map image");
	if (ok) {
		ok = !NV12ToI420(p + im.offsets[0], (int)im.pitches[0], p + im.offsets[1],
				 (int)im.pitches[1], img->plane[0], img->stride[0],
				 img->plane[1], img->stride[1], img->plane[2], img->stride[2],
				 img->width, img->height);
		vaUnmapBuffer(e->dpy, im.buf);
	}
	if (im.image_id != VA_INVALID_ID)
		vaDestroyImage(e->dpy, im.image_id);
	return ok ? 0 : -EIO;
}

static int32_t va_diag(void *dev)
{
	return (int32_t)((struct va_device *)dev)->last;
}

static enum h264_profile va_profile(void *dev)
{
	return ((const struct va_device *)dev)->h264_profile;
}

const struct encoder_ops encoder_vaapi = {
	.name = "vaapi",
	.long_name = "VA-API",
	.device_open = va_device_open,
	.device_close = va_device_close,
	.profile = va_profile,
	.open = va_open,
	.load = va_load,
	.forget = va_forget,
	.encode = va_encode,
	.read_picture = va_read_picture,
	.diag = va_diag,
	.close = va_close,
};
