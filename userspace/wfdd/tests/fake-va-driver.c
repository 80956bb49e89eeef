// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A fake VA-API driver, for testing enc_vaapi.c where there is no GPU:
 * loaded by libva with LIBVA_DRIVER_NAME=wfdfake from LIBVA_DRIVERS_PATH
 * on any DRM node.  It does what the VA-API encode path of wfdd asks,
 * in software: RGB dma-bufs imported by mapping them (DRM PRIME 2 only),
 * VPP as libyuv's ARGB to NV12 (no scaling), H.264 encode with x264
 * (Constrained Baseline, headers of its own: it takes no packed headers),
 * and NV12 read-back.  It checks the client's side of the protocol and
 * fails a picture (VA_STATUS_ERROR_INVALID_PARAMETER) when something is
 * missing or wrong: no sequence parameters with an IDR, a P-frame whose
 * reference is not the previous picture, a parameter buffer of the wrong
 * size, a render target that is not the kept surface.
 *
 * WFDFAKE_FAIL_ENCODE=1 in the environment makes every encode fail, for
 * the software fallback.  With WFDFAKE_PACKED set at vaInitialize, the
 * driver takes packed SPS/PPS and requires them with every IDR (it checks
 * their NAL headers and lengths, and still writes x264's own): "seq"
 * takes the sequence header only, which must then carry the PPS too,
 * anything else takes sequence and picture headers.
 */
#define _GNU_SOURCE
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <drm_fourcc.h>
#include <libyuv.h>
#include <va/va_backend.h>
#include <va/va_drmcommon.h>
#include <va/va_enc_h264.h>
#include <va/va_vpp.h>
#include <x264.h>

#define MAX_OBJ 256

enum kind { FREE, CONFIG, SURFACE, CONTEXT, BUFFER, IMAGE };

struct obj {
	enum kind kind;
	union {
		struct { VAProfile profile; VAEntrypoint ep; bool packed; } cfg;
		struct {
			int w, h;
			uint8_t *nv12;		/* NV12 surfaces */
			uint8_t *map;		/* imported RGB: the mapping */
			size_t map_size;
			uint32_t offset, pitch;
		} surf;
		struct {
			VAConfigID cfg;
			int w, h;
			VASurfaceID target;
			x264_t *x;
			/* This picture's parameters, from RenderPicture. */
			bool seq, pic, slice, sps, pps;
			/* The last packed header parameters, for the data after them. */
			VAEncPackedHeaderParameterBuffer ph;
			bool have_ph;
			VAEncPictureParameterBufferH264 pp;
			VAProcPipelineParameterBuffer vpp;
			bool have_vpp;
			VASurfaceID last_pic;	/* the previous reconstruction */
			VABufferID coded;
		} ctx;
		struct {
			VABufferType type;
			size_t size;
			uint8_t *data;
			VACodedBufferSegment seg;	/* coded buffers */
		} buf;
		struct { VAImage image; } img;
	};
};

struct fake {
	struct obj o[MAX_OBJ];
	uint32_t packed;	/* from WFDFAKE_PACKED: VA_ENC_PACKED_HEADER_* taken */
};

static struct obj *get(VADriverContextP ctx, unsigned int id, enum kind k)
{
	struct fake *f = ctx->pDriverData;

	return id > 0 && id < MAX_OBJ && f->o[id].kind == k ? &f->o[id] : NULL;
}

static unsigned int alloc(VADriverContextP ctx, enum kind k)
{
	struct fake *f = ctx->pDriverData;

	for (unsigned int i = 1; i < MAX_OBJ; i++)
		if (f->o[i].kind == FREE) {
			memset(&f->o[i], 0, sizeof(f->o[i]));
			f->o[i].kind = k;
			return i;
		}
	return VA_INVALID_ID;
}

static VAStatus fake_terminate(VADriverContextP ctx)
{
	free(ctx->pDriverData);
	ctx->pDriverData = NULL;
	return VA_STATUS_SUCCESS;
}

static VAStatus query_profiles(VADriverContextP ctx, VAProfile *list, int *n)
{
	(void)ctx;
	list[0] = VAProfileH264ConstrainedBaseline;
	list[1] = VAProfileNone;
	*n = 2;
	return VA_STATUS_SUCCESS;
}

static VAStatus query_entrypoints(VADriverContextP ctx, VAProfile p, VAEntrypoint *list, int *n)
{
	(void)ctx;
	*n = 0;
	if (p == VAProfileH264ConstrainedBaseline)
		list[(*n)++] = VAEntrypointEncSlice;
	else if (p == VAProfileNone)
		list[(*n)++] = VAEntrypointVideoProc;
	else
		return VA_STATUS_ERROR_UNSUPPORTED_PROFILE;
	return VA_STATUS_SUCCESS;
}

static VAStatus get_config_attributes(VADriverContextP ctx, VAProfile p, VAEntrypoint ep,
				      VAConfigAttrib *a, int n)
{
	(void)p;
	(void)ep;
	for (int i = 0; i < n; i++) {
		switch (a[i].type) {
		case VAConfigAttribRTFormat: a[i].value = VA_RT_FORMAT_YUV420; break;
		case VAConfigAttribRateControl: a[i].value = VA_RC_CBR | VA_RC_CQP; break;
		case VAConfigAttribEncPackedHeaders:
			a[i].value = ((struct fake *)ctx->pDriverData)->packed ?:
				     VA_ATTRIB_NOT_SUPPORTED;
			break;
		default: a[i].value = VA_ATTRIB_NOT_SUPPORTED; break;
		}
	}
	return VA_STATUS_SUCCESS;
}

static VAStatus create_config(VADriverContextP ctx, VAProfile p, VAEntrypoint ep,
			      VAConfigAttrib *a, int n, VAConfigID *id)
{
	bool packed = false;
	struct obj *o;

	for (int i = 0; i < n; i++) {
		if (a[i].type != VAConfigAttribEncPackedHeaders)
			continue;
		if (!a[i].value || a[i].value != ((struct fake *)ctx->pDriverData)->packed)
			return VA_STATUS_ERROR_ATTR_NOT_SUPPORTED;
		packed = true;
	}
	if (!((p == VAProfileH264ConstrainedBaseline && ep == VAEntrypointEncSlice) ||
	      (p == VAProfileNone && ep == VAEntrypointVideoProc)))
		return VA_STATUS_ERROR_UNSUPPORTED_ENTRYPOINT;
	*id = alloc(ctx, CONFIG);
	o = get(ctx, *id, CONFIG);
	if (!o)
		return VA_STATUS_ERROR_ALLOCATION_FAILED;
	o->cfg.profile = p;
	o->cfg.ep = ep;
	o->cfg.packed = packed;
	return VA_STATUS_SUCCESS;
}

static VAStatus destroy_config(VADriverContextP ctx, VAConfigID id)
{
	struct obj *o = get(ctx, id, CONFIG);

	if (!o)
		return VA_STATUS_ERROR_INVALID_CONFIG;
	o->kind = FREE;
	return VA_STATUS_SUCCESS;
}

static VAStatus query_config_attributes(VADriverContextP ctx, VAConfigID id, VAProfile *p,
					VAEntrypoint *ep, VAConfigAttrib *a, int *n)
{
	struct obj *o = get(ctx, id, CONFIG);

	(void)a;
	if (!o)
		return VA_STATUS_ERROR_INVALID_CONFIG;
	*p = o->cfg.profile;
	*ep = o->cfg.ep;
	*n = 0;
	return VA_STATUS_SUCCESS;
}

static VAStatus create_surfaces2(VADriverContextP ctx, unsigned int format, unsigned int w,
				 unsigned int h, VASurfaceID *ids, unsigned int num,
				 VASurfaceAttrib *a, unsigned int na)
{
	VADRMPRIMESurfaceDescriptor *desc = NULL;
	int mem = VA_SURFACE_ATTRIB_MEM_TYPE_VA;

	for (unsigned int i = 0; i < na; i++) {
		if (a[i].type == VASurfaceAttribMemoryType)
			mem = a[i].value.value.i;
		if (a[i].type == VASurfaceAttribExternalBufferDescriptor)
			desc = a[i].value.value.p;
	}
	if (format == VA_RT_FORMAT_RGB32) {
		struct obj *o;
		int fd;

		/* Only what wfdd imports: one linear XRGB/ARGB plane. */
		if (num != 1 || mem != VA_SURFACE_ATTRIB_MEM_TYPE_DRM_PRIME_2 || !desc ||
		    desc->num_objects != 1 || desc->num_layers != 1 ||
		    desc->layers[0].num_planes != 1 ||
		    desc->objects[0].drm_format_modifier != DRM_FORMAT_MOD_LINEAR ||
		    desc->fourcc != VA_FOURCC_BGRX || desc->width != w || desc->height != h ||
		    desc->layers[0].drm_format != DRM_FORMAT_XRGB8888)
			return VA_STATUS_ERROR_INVALID_PARAMETER;
		ids[0] = alloc(ctx, SURFACE);
		o = get(ctx, ids[0], SURFACE);
		if (!o)
			return VA_STATUS_ERROR_ALLOCATION_FAILED;
		/* The fd stays the caller's: map it and forget it. */
		fd = desc->objects[0].fd;
		o->surf.map_size = desc->objects[0].size;
		o->surf.map = mmap(NULL, o->surf.map_size, PROT_READ, MAP_SHARED, fd, 0);
		o->surf.w = (int)w;
		o->surf.h = (int)h;
		o->surf.offset = desc->layers[0].offset[0];
		o->surf.pitch = desc->layers[0].pitch[0];
		if (o->surf.map == MAP_FAILED) {
			o->kind = FREE;
			return VA_STATUS_ERROR_INVALID_PARAMETER;
		}
		return VA_STATUS_SUCCESS;
	}
	if (format != VA_RT_FORMAT_YUV420 || mem != VA_SURFACE_ATTRIB_MEM_TYPE_VA)
		return VA_STATUS_ERROR_UNSUPPORTED_RT_FORMAT;
	for (unsigned int i = 0; i < num; i++) {
		struct obj *o;

		ids[i] = alloc(ctx, SURFACE);
		o = get(ctx, ids[i], SURFACE);
		if (!o)
			return VA_STATUS_ERROR_ALLOCATION_FAILED;
		o->surf.w = (int)w;
		o->surf.h = (int)h;
		o->surf.nv12 = calloc(1, (size_t)w * h * 3 / 2);
	}
	return VA_STATUS_SUCCESS;
}

static VAStatus create_surfaces(VADriverContextP ctx, int w, int h, int format, int num,
				VASurfaceID *ids)
{
	return create_surfaces2(ctx, (unsigned int)format, (unsigned int)w, (unsigned int)h,
				ids, (unsigned int)num, NULL, 0);
}

static VAStatus destroy_surfaces(VADriverContextP ctx, VASurfaceID *ids, int num)
{
	for (int i = 0; i < num; i++) {
		struct obj *o = get(ctx, ids[i], SURFACE);

		if (!o)
			return VA_STATUS_ERROR_INVALID_SURFACE;
		free(o->surf.nv12);
		if (o->surf.map)
			munmap(o->surf.map, o->surf.map_size);
		o->kind = FREE;
	}
	return VA_STATUS_SUCCESS;
}

static VAStatus create_context(VADriverContextP ctx, VAConfigID cfg, int w, int h, int flag,
			       VASurfaceID *targets, int nt, VAContextID *id)
{
	struct obj *c = get(ctx, cfg, CONFIG), *o;

	(void)flag;
	(void)targets;
	(void)nt;
	if (!c)
		return VA_STATUS_ERROR_INVALID_CONFIG;
	*id = alloc(ctx, CONTEXT);
	o = get(ctx, *id, CONTEXT);
	if (!o)
		return VA_STATUS_ERROR_ALLOCATION_FAILED;
	o->ctx.cfg = cfg;
	o->ctx.w = w;
	o->ctx.h = h;
	o->ctx.last_pic = VA_INVALID_SURFACE;
	return VA_STATUS_SUCCESS;
}

static VAStatus destroy_context(VADriverContextP ctx, VAContextID id)
{
	struct obj *o = get(ctx, id, CONTEXT);

	if (!o)
		return VA_STATUS_ERROR_INVALID_CONTEXT;
	if (o->ctx.x)
		x264_encoder_close(o->ctx.x);
	o->kind = FREE;
	return VA_STATUS_SUCCESS;
}

static VAStatus create_buffer(VADriverContextP ctx, VAContextID c, VABufferType type,
			      unsigned int size, unsigned int num, void *data, VABufferID *id)
{
	struct obj *o;

	(void)c;
	*id = alloc(ctx, BUFFER);
	o = get(ctx, *id, BUFFER);
	if (!o)
		return VA_STATUS_ERROR_ALLOCATION_FAILED;
	o->buf.type = type;
	o->buf.size = (size_t)size * num;
	o->buf.data = calloc(1, o->buf.size);
	if (data)
		memcpy(o->buf.data, data, o->buf.size);
	return VA_STATUS_SUCCESS;
}

static VAStatus buffer_set_num_elements(VADriverContextP ctx, VABufferID id, unsigned int n)
{
	(void)ctx;
	(void)id;
	(void)n;
	return VA_STATUS_ERROR_UNIMPLEMENTED;
}

static VAStatus map_buffer(VADriverContextP ctx, VABufferID id, void **p)
{
	struct obj *o = get(ctx, id, BUFFER);

	if (!o)
		return VA_STATUS_ERROR_INVALID_BUFFER;
	*p = o->buf.type == VAEncCodedBufferType ? (void *)&o->buf.seg : (void *)o->buf.data;
	return VA_STATUS_SUCCESS;
}

static VAStatus unmap_buffer(VADriverContextP ctx, VABufferID id)
{
	return get(ctx, id, BUFFER) ? VA_STATUS_SUCCESS : VA_STATUS_ERROR_INVALID_BUFFER;
}

static VAStatus destroy_buffer(VADriverContextP ctx, VABufferID id)
{
	struct obj *o = get(ctx, id, BUFFER);

	if (!o)
		return VA_STATUS_ERROR_INVALID_BUFFER;
	free(o->buf.data);
	o->kind = FREE;
	return VA_STATUS_SUCCESS;
}

static VAStatus begin_picture(VADriverContextP ctx, VAContextID id, VASurfaceID target)
{
	struct obj *o = get(ctx, id, CONTEXT);

	if (!o || !get(ctx, target, SURFACE))
		return VA_STATUS_ERROR_INVALID_PARAMETER;
	o->ctx.target = target;
	o->ctx.seq = o->ctx.pic = o->ctx.slice = o->ctx.have_vpp = false;
	o->ctx.sps = o->ctx.pps = o->ctx.have_ph = false;
	return VA_STATUS_SUCCESS;
}

static VAStatus render_picture(VADriverContextP ctx, VAContextID id, VABufferID *bufs, int n)
{
	struct obj *o = get(ctx, id, CONTEXT);

	if (!o)
		return VA_STATUS_ERROR_INVALID_CONTEXT;
	for (int i = 0; i < n; i++) {
		struct obj *b = get(ctx, bufs[i], BUFFER);

		if (!b)
			return VA_STATUS_ERROR_INVALID_BUFFER;
		switch (b->buf.type) {
		case VAEncSequenceParameterBufferType:
			if (b->buf.size != sizeof(VAEncSequenceParameterBufferH264))
				return VA_STATUS_ERROR_INVALID_PARAMETER;
			o->ctx.seq = true;
			break;
		case VAEncPictureParameterBufferType:
			if (b->buf.size != sizeof(VAEncPictureParameterBufferH264))
				return VA_STATUS_ERROR_INVALID_PARAMETER;
			memcpy(&o->ctx.pp, b->buf.data, sizeof(o->ctx.pp));
			o->ctx.pic = true;
			break;
		case VAEncSliceParameterBufferType:
			if (b->buf.size != sizeof(VAEncSliceParameterBufferH264))
				return VA_STATUS_ERROR_INVALID_PARAMETER;
			o->ctx.slice = true;
			break;
		case VAEncMiscParameterBufferType:
			break;
		case VAEncPackedHeaderParameterBufferType:
			if (b->buf.size != sizeof(o->ctx.ph))
				return VA_STATUS_ERROR_INVALID_PARAMETER;
			memcpy(&o->ctx.ph, b->buf.data, sizeof(o->ctx.ph));
			o->ctx.have_ph = true;
			break;
		case VAEncPackedHeaderDataBufferType: {
			/* A whole NAL unit with its start code, of the type announced. */
			const uint8_t *d = b->buf.data;
			int want = o->ctx.ph.type == VAEncPackedHeaderSequence ? 7 :
				   o->ctx.ph.type == VAEncPackedHeaderPicture ? 8 : -1;

			bool with_pps = !(((struct fake *)ctx->pDriverData)->packed &
					  VA_ENC_PACKED_HEADER_PICTURE);

			if (!o->ctx.have_ph || o->ctx.ph.bit_length != 8 * b->buf.size ||
			    !o->ctx.ph.has_emulation_bytes || b->buf.size < 6 ||
			    memcmp(d, "\0\0\0\1", 4) || (d[4] & 0x1f) != want)
				return VA_STATUS_ERROR_INVALID_PARAMETER;
			if (want == 7) {
				/* Sequence header only: the PPS follows the SPS in it. */
				if (with_pps && !memmem(d + 5, b->buf.size - 5, "\0\0\0\1\x68", 5))
					return VA_STATUS_ERROR_INVALID_PARAMETER;
				o->ctx.sps = true;
				o->ctx.pps |= with_pps;
			} else {
				o->ctx.pps = true;
			}
			o->ctx.have_ph = false;
			break;
		}
		case VAProcPipelineParameterBufferType:
			if (b->buf.size != sizeof(VAProcPipelineParameterBuffer))
				return VA_STATUS_ERROR_INVALID_PARAMETER;
			/* The regions are the caller's pointers: valid until EndPicture. */
			memcpy(&o->ctx.vpp, b->buf.data, sizeof(o->ctx.vpp));
			o->ctx.have_vpp = true;
			break;
		default:
			return VA_STATUS_ERROR_UNSUPPORTED_BUFFERTYPE;
		}
	}
	return VA_STATUS_SUCCESS;
}

static VAStatus end_vpp(VADriverContextP ctx, struct obj *o)
{
	struct obj *src = get(ctx, o->ctx.vpp.surface, SURFACE);
	struct obj *dst = get(ctx, o->ctx.target, SURFACE);
	int w, h;

	if (!o->ctx.have_vpp || !src || !src->surf.map || !dst || !dst->surf.nv12 ||
	    !o->ctx.vpp.surface_region || !o->ctx.vpp.output_region)
		return VA_STATUS_ERROR_INVALID_PARAMETER;
	w = o->ctx.vpp.output_region->width;
	h = o->ctx.vpp.output_region->height;
	/* No scaling here, and BT.601 limited range out of full-range RGB. */
	if (o->ctx.vpp.surface_region->width != w || o->ctx.vpp.surface_region->height != h ||
	    o->ctx.vpp.output_color_standard != VAProcColorStandardBT601 ||
	    o->ctx.vpp.output_color_properties.color_range != VA_SOURCE_RANGE_REDUCED)
		return VA_STATUS_ERROR_INVALID_PARAMETER;
	ARGBToNV12(src->surf.map + src->surf.offset, (int)src->surf.pitch, dst->surf.nv12,
		   dst->surf.w, dst->surf.nv12 + (size_t)dst->surf.w * dst->surf.h, dst->surf.w,
		   w, h);
	return VA_STATUS_SUCCESS;
}

static VAStatus end_encode(VADriverContextP ctx, struct obj *o)
{
	VAEncPictureParameterBufferH264 *pp = &o->ctx.pp;
	struct obj *in = get(ctx, o->ctx.target, SURFACE);
	struct obj *coded = get(ctx, pp->coded_buf, BUFFER);
	bool idr = pp->pic_fields.bits.idr_pic_flag;
	x264_picture_t pic, out;
	x264_nal_t *nals;
	int nn, size;

	struct obj *cfg = get(ctx, o->ctx.cfg, CONFIG);

	if (!o->ctx.pic || !o->ctx.slice || (idr && !o->ctx.seq) || !in || !in->surf.nv12 ||
	    !coded || coded->buf.type != VAEncCodedBufferType)
		return VA_STATUS_ERROR_INVALID_PARAMETER;
	/* Packed headers: both with every IDR, none otherwise. */
	if (cfg->cfg.packed && (o->ctx.sps != idr || o->ctx.pps != idr))
		return VA_STATUS_ERROR_INVALID_PARAMETER;
	/* P-frames refer to the picture before them, and to nothing else. */
	if (!idr && (pp->ReferenceFrames[0].picture_id != o->ctx.last_pic ||
		     !(pp->ReferenceFrames[0].flags & VA_PICTURE_H264_SHORT_TERM_REFERENCE) ||
		     pp->ReferenceFrames[1].picture_id != VA_INVALID_SURFACE))
		return VA_STATUS_ERROR_INVALID_PARAMETER;
	if (pp->CurrPic.picture_id == o->ctx.last_pic ||
	    !get(ctx, pp->CurrPic.picture_id, SURFACE))
		return VA_STATUS_ERROR_INVALID_PARAMETER;
	if (getenv("WFDFAKE_FAIL_ENCODE"))
		return VA_STATUS_ERROR_ENCODING_ERROR;
	if (!o->ctx.x) {
		x264_param_t par;

		x264_param_default_preset(&par, "ultrafast", "zerolatency");
		par.i_width = in->surf.w;
		par.i_height = in->surf.h;
		par.i_csp = X264_CSP_NV12;
		par.i_bframe = 0;
		par.b_repeat_headers = 1;
		par.b_annexb = 1;
		par.i_threads = 1;
		par.rc.i_rc_method = X264_RC_CQP;
		par.rc.i_qp_constant = 12;
		par.i_log_level = X264_LOG_NONE;
		x264_param_apply_profile(&par, "baseline");
		o->ctx.x = x264_encoder_open(&par);
		if (!o->ctx.x)
			return VA_STATUS_ERROR_OPERATION_FAILED;
	}
	x264_picture_init(&pic);
	pic.img.i_csp = X264_CSP_NV12;
	pic.img.i_plane = 2;
	pic.img.plane[0] = in->surf.nv12;
	pic.img.plane[1] = in->surf.nv12 + (size_t)in->surf.w * in->surf.h;
	pic.img.i_stride[0] = pic.img.i_stride[1] = in->surf.w;
	pic.i_type = idr ? X264_TYPE_IDR : X264_TYPE_P;
	size = x264_encoder_encode(o->ctx.x, &nals, &nn, &pic, &out);
	if (size <= 0 || (size_t)size > coded->buf.size)
		return VA_STATUS_ERROR_ENCODING_ERROR;
	memcpy(coded->buf.data, nals[0].p_payload, (size_t)size);
	coded->buf.seg = (VACodedBufferSegment){ .size = (uint32_t)size, .buf = coded->buf.data };
	o->ctx.last_pic = pp->CurrPic.picture_id;
	return VA_STATUS_SUCCESS;
}

static VAStatus end_picture(VADriverContextP ctx, VAContextID id)
{
	struct obj *o = get(ctx, id, CONTEXT), *c;

	if (!o)
		return VA_STATUS_ERROR_INVALID_CONTEXT;
	c = get(ctx, o->ctx.cfg, CONFIG);
	return c->cfg.ep == VAEntrypointVideoProc ? end_vpp(ctx, o) : end_encode(ctx, o);
}

static VAStatus sync_surface(VADriverContextP ctx, VASurfaceID id)
{
	return get(ctx, id, SURFACE) ? VA_STATUS_SUCCESS : VA_STATUS_ERROR_INVALID_SURFACE;
}

static VAStatus query_surface_status(VADriverContextP ctx, VASurfaceID id, VASurfaceStatus *s)
{
	*s = VASurfaceReady;
	return sync_surface(ctx, id);
}

static VAStatus query_image_formats(VADriverContextP ctx, VAImageFormat *list, int *n)
{
	(void)ctx;
	list[0] = (VAImageFormat){ .fourcc = VA_FOURCC_NV12, .byte_order = VA_LSB_FIRST,
				   .bits_per_pixel = 12 };
	*n = 1;
	return VA_STATUS_SUCCESS;
}

static VAStatus create_image(VADriverContextP ctx, VAImageFormat *fmt, int w, int h,
			     VAImage *image)
{
	VAImageID id;
	struct obj *o;

	if (fmt->fourcc != VA_FOURCC_NV12)
		return VA_STATUS_ERROR_INVALID_IMAGE_FORMAT;
	id = alloc(ctx, IMAGE);
	o = get(ctx, id, IMAGE);
	if (!o)
		return VA_STATUS_ERROR_ALLOCATION_FAILED;
	*image = (VAImage){ .image_id = id, .format = *fmt, .width = (uint16_t)w,
			    .height = (uint16_t)h, .num_planes = 2,
			    .data_size = (uint32_t)(w * h * 3 / 2),
			    .pitches = { (uint32_t)w, (uint32_t)w },
			    .offsets = { 0, (uint32_t)(w * h) } };
	if (create_buffer(ctx, 0, VAImageBufferType, image->data_size, 1, NULL, &image->buf)) {
		o->kind = FREE;
		return VA_STATUS_ERROR_ALLOCATION_FAILED;
	}
	o->img.image = *image;
	return VA_STATUS_SUCCESS;
}

static VAStatus destroy_image(VADriverContextP ctx, VAImageID id)
{
	struct obj *o = get(ctx, id, IMAGE);

	if (!o)
		return VA_STATUS_ERROR_INVALID_IMAGE;
	destroy_buffer(ctx, o->img.image.buf);
	o->kind = FREE;
	return VA_STATUS_SUCCESS;
}

static VAStatus get_image(VADriverContextP ctx, VASurfaceID sid, int x, int y,
			  unsigned int w, unsigned int h, VAImageID iid)
{
	struct obj *s = get(ctx, sid, SURFACE), *i = get(ctx, iid, IMAGE), *b;
	VAImage *im;

	if (!s || !s->surf.nv12 || !i || x || y)
		return VA_STATUS_ERROR_INVALID_PARAMETER;
	im = &i->img.image;
	b = get(ctx, im->buf, BUFFER);
	if (!b || w != im->width || h != im->height || (int)w > s->surf.w || (int)h > s->surf.h)
		return VA_STATUS_ERROR_INVALID_PARAMETER;
	for (unsigned int r = 0; r < h; r++)
		memcpy(b->buf.data + r * w, s->surf.nv12 + r * (size_t)s->surf.w, w);
	for (unsigned int r = 0; r < h / 2; r++)
		memcpy(b->buf.data + im->offsets[1] + r * w,
		       s->surf.nv12 + (size_t)s->surf.w * s->surf.h + r * (size_t)s->surf.w, w);
	return VA_STATUS_SUCCESS;
}

/*
 * What libva requires to exist and wfdd never calls: set so that libva
 * loads the driver, never meant to run (the types do not match).
 */
static VAStatus unused(void)
{
	return VA_STATUS_ERROR_UNIMPLEMENTED;
}

#define STUB(m) (vt->m = (__typeof__(vt->m))(void (*)(void))unused)

#define INIT_NAME2(a, b) __vaDriverInit_##a##_##b
#define INIT_NAME(a, b) INIT_NAME2(a, b)

VAStatus INIT_NAME(VA_MAJOR_VERSION, VA_MINOR_VERSION)(VADriverContextP ctx);

VAStatus INIT_NAME(VA_MAJOR_VERSION, VA_MINOR_VERSION)(VADriverContextP ctx)
{
	struct VADriverVTable *vt = ctx->vtable;
	ctx->pDriverData = calloc(1, sizeof(struct fake));
	if (!ctx->pDriverData)
		return VA_STATUS_ERROR_ALLOCATION_FAILED;
	if (getenv("WFDFAKE_PACKED"))
		((struct fake *)ctx->pDriverData)->packed =
			VA_ENC_PACKED_HEADER_SEQUENCE |
			(strcmp(getenv("WFDFAKE_PACKED"), "seq") ? VA_ENC_PACKED_HEADER_PICTURE : 0);
	ctx->version_major = VA_MAJOR_VERSION;
	ctx->version_minor = VA_MINOR_VERSION;
	ctx->max_profiles = 4;
	ctx->max_entrypoints = 4;
	ctx->max_attributes = 8;
	ctx->max_image_formats = 1;
	ctx->max_subpic_formats = 1;
	ctx->max_display_attributes = 1;
	ctx->str_vendor = "wfd test driver";
	vt->vaTerminate = fake_terminate;
	vt->vaQueryConfigProfiles = query_profiles;
	vt->vaQueryConfigEntrypoints = query_entrypoints;
	vt->vaGetConfigAttributes = get_config_attributes;
	vt->vaCreateConfig = create_config;
	vt->vaDestroyConfig = destroy_config;
	vt->vaQueryConfigAttributes = query_config_attributes;
	vt->vaCreateSurfaces = create_surfaces;
	vt->vaCreateSurfaces2 = create_surfaces2;
	vt->vaDestroySurfaces = destroy_surfaces;
	vt->vaCreateContext = create_context;
	vt->vaDestroyContext = destroy_context;
	vt->vaCreateBuffer = create_buffer;
	vt->vaBufferSetNumElements = buffer_set_num_elements;
	vt->vaMapBuffer = map_buffer;
	vt->vaUnmapBuffer = unmap_buffer;
	vt->vaDestroyBuffer = destroy_buffer;
	vt->vaBeginPicture = begin_picture;
	vt->vaRenderPicture = render_picture;
	vt->vaEndPicture = end_picture;
	vt->vaSyncSurface = sync_surface;
	vt->vaQuerySurfaceStatus = query_surface_status;
	vt->vaQueryImageFormats = query_image_formats;
	vt->vaCreateImage = create_image;
	vt->vaDestroyImage = destroy_image;
	vt->vaGetImage = get_image;
	STUB(vaPutSurface);
	STUB(vaDeriveImage);
	STUB(vaSetImagePalette);
	STUB(vaPutImage);
	STUB(vaQuerySubpictureFormats);
	STUB(vaCreateSubpicture);
	STUB(vaDestroySubpicture);
	STUB(vaSetSubpictureImage);
	STUB(vaSetSubpictureChromakey);
	STUB(vaSetSubpictureGlobalAlpha);
	STUB(vaAssociateSubpicture);
	STUB(vaDeassociateSubpicture);
	STUB(vaQueryDisplayAttributes);
	STUB(vaGetDisplayAttributes);
	STUB(vaSetDisplayAttributes);
	return VA_STATUS_SUCCESS;
}
