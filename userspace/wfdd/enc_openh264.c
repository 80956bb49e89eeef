// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Software H.264 encoder: openh264, constrained baseline, SPS/PPS before
 * each IDR.  Frame skipping stays off (one frame in, one out), so its rate
 * control aims at the bit rate without enforcing it.
 * openh264 writes no access unit delimiter: one is put in front of each
 * access unit, as H.264 in MPEG-TS requires.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <wels/codec_api.h>

#include "encoder.h"

struct encoder {
	ISVCEncoder *enc;
	uint8_t *buf;
	size_t cap;
	int64_t ms, frame_ms;
};

static int oh_open(struct encoder **out, const struct enc_params *p)
{
	struct encoder *e = calloc(1, sizeof(*e));
	SEncParamExt par;

	if (!e)
		return -ENOMEM;
	if (WelsCreateSVCEncoder(&e->enc) || !e->enc) {
		free(e);
		return -ENODEV;
	}
	{
		int level = WELS_LOG_ERROR;

		(*e->enc)->SetOption(e->enc, ENCODER_OPTION_TRACE_LEVEL, &level);
	}
	(*e->enc)->GetDefaultParams(e->enc, &par);
	par.bEnableAdaptiveQuant = false;
	par.bEnableBackgroundDetection = false;
	par.iUsageType = SCREEN_CONTENT_REAL_TIME;
	par.iPicWidth = p->width;
	par.iPicHeight = p->height;
	par.fMaxFrameRate = (float)p->fps;
	par.iTargetBitrate = p->bitrate_kbps * 1000;
	par.iMaxBitrate = p->bitrate_kbps * 1000;
	par.iRCMode = RC_BITRATE_MODE;
	par.bEnableFrameSkip = false;	/* every frame in gives a frame out */
	par.uiIntraPeriod = (unsigned int)p->gop;
	par.eSpsPpsIdStrategy = CONSTANT_ID;
	par.bPrefixNalAddingCtrl = false;
	par.iMultipleThreadIdc = 1;
	par.iSpatialLayerNum = 1;
	par.iTemporalLayerNum = 1;
	par.sSpatialLayers[0].iVideoWidth = p->width;
	par.sSpatialLayers[0].iVideoHeight = p->height;
	par.sSpatialLayers[0].fFrameRate = (float)p->fps;
	par.sSpatialLayers[0].iSpatialBitrate = p->bitrate_kbps * 1000;
	par.sSpatialLayers[0].iMaxSpatialBitrate = p->bitrate_kbps * 1000;
	par.sSpatialLayers[0].uiProfileIdc = PRO_BASELINE;
	if (p->level_idc)
		par.sSpatialLayers[0].uiLevelIdc = (ELevelIdc)p->level_idc;
	par.sSpatialLayers[0].sSliceArgument.uiSliceMode = SM_SINGLE_SLICE;
	if ((*e->enc)->InitializeExt(e->enc, &par)) {
		WelsDestroySVCEncoder(e->enc);
		free(e);
		return -EINVAL;
	}
	e->frame_ms = 1000 / p->fps;
	*out = e;
	return 0;
}

static int oh_append(struct encoder *e, size_t *len, const uint8_t *data, size_t n)
{
	if (*len + n > e->cap) {
		size_t cap = (*len + n) * 2;
		uint8_t *b = realloc(e->buf, cap);

		if (!b)
			return -ENOMEM;
		e->buf = b;
		e->cap = cap;
	}
	memcpy(e->buf + *len, data, n);
	*len += n;
	return 0;
}

static int oh_encode(struct encoder *e, const struct yuv_image *img,
		     bool idr, struct enc_out *out)
{
	static const uint8_t aud[] = { 0, 0, 0, 1, 0x09, 0xf0 };
	SSourcePicture pic;
	SFrameBSInfo info;
	size_t len = 0;
	int ret;

	memset(&pic, 0, sizeof(pic));
	memset(&info, 0, sizeof(info));
	pic.iColorFormat = videoFormatI420;
	pic.iPicWidth = img->width;
	pic.iPicHeight = img->height;
	for (int i = 0; i < 3; i++) {
		pic.iStride[i] = img->stride[i];
		pic.pData[i] = img->plane[i];
	}
	pic.uiTimeStamp = e->ms;
	e->ms += e->frame_ms;
	if (idr)
		(*e->enc)->ForceIntraFrame(e->enc, true);
	if ((*e->enc)->EncodeFrame(e->enc, &pic, &info) != cmResultSuccess)
		return -EIO;
	if (info.eFrameType == videoFrameTypeSkip || info.eFrameType == videoFrameTypeInvalid)
		return -EAGAIN;

	ret = oh_append(e, &len, aud, sizeof(aud));
	for (int l = 0; !ret && l < info.iLayerNum; l++) {
		const SLayerBSInfo *layer = &info.sLayerInfo[l];
		size_t n = 0;

		for (int i = 0; i < layer->iNalCount; i++)
			n += (size_t)layer->pNalLengthInByte[i];
		ret = oh_append(e, &len, layer->pBsBuf, n);
	}
	if (ret)
		return ret;
	out->data = e->buf;
	out->len = len;
	out->key = info.eFrameType == videoFrameTypeIDR;
	return 0;
}

static void oh_close(struct encoder *e)
{
	(*e->enc)->Uninitialize(e->enc);
	WelsDestroySVCEncoder(e->enc);
	free(e->buf);
	free(e);
}

const struct encoder_ops encoder_openh264 = {
	.name = "openh264",
	.long_name = "openh264",
	.open = oh_open,
	.encode = oh_encode,
	.close = oh_close,
};
